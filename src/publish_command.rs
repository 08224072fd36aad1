//! `corridor keygen`, `corridor publish` and `corridor sync --once`: content for many screens
//! (docs/many-screens.md), publishing and subscribing. Thin: the work is in [`crate::core::sync`].

use std::io::Write;
use std::path::Path;

use anyhow::{Context, bail};

use crate::core::config::Config;
use crate::core::sync::rounds::{need_state, sync_one};
use crate::core::sync::transport::{Limits, Transport};
use crate::core::sync::{MANIFEST, SIGNATURE, publish, record, signing};

/// How long `sync --once` waits for a running player's round to finish.
const LOCK_WAIT: std::time::Duration = std::time::Duration::from_secs(600);

/// Brings every `[[source]]` up to date now, one line each; 1 if any failed.
pub fn sync_once(config: &Config, out: &mut impl Write) -> anyhow::Result<i32> {
    if config.sources.is_empty() {
        writeln!(out, "no [[source]] in corridor.toml: nothing to sync")?;
        return Ok(0);
    }
    let state = config.state_folder();
    let state = need_state(state.as_deref())?;
    let _lock = record::lock(state, LOCK_WAIT, || {
        let _ =
            writeln!(out, "waiting for another corridor to finish syncing (up to {} s)", LOCK_WAIT.as_secs());
    })?;
    let transport = Transport::new(Limits::default())?;
    let mut failed = false;
    for source in &config.sources {
        let now =
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
        let report = sync_one(source, &config.content, state, &transport, now as i64);
        failed |= report.result.is_err();
        writeln!(out, "{}", report.line())?;
    }
    Ok(i32::from(failed))
}

/// Writes a new key pair into `dir` (never over an existing key) and says where each half goes.
pub fn keygen(dir: &Path, out: &mut impl Write) -> anyhow::Result<i32> {
    let (secret_path, public_path) = publish::key_paths(dir);
    for p in [&secret_path, &public_path] {
        if p.exists() {
            bail!(
                "{} already exists; move it away first (a new key means every screen needs the new public key)",
                p.display()
            );
        }
    }
    let pair = signing::keygen()?;
    std::fs::create_dir_all(dir).with_context(|| format!("cannot make {}", dir.display()))?;
    write_private(&secret_path, pair.secret.as_bytes())?;
    std::fs::write(&public_path, pair.public.as_bytes())
        .with_context(|| format!("cannot write {}", public_path.display()))?;
    writeln!(
        out,
        "secret key: {} (keep it on the publishing computer only; anyone with it can publish to your screens)",
        secret_path.display()
    )?;
    writeln!(out, "public key: {}", public_path.display())?;
    writeln!(
        out,
        "give the screens this public key (public_key in corridor.toml's [[source]], or trusted_keys):"
    )?;
    writeln!(out, "{}", pair.public_line)?;
    Ok(0)
}

/// A file only its owner can read.
fn write_private(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    file.write_all(bytes).with_context(|| format!("cannot write {}", path.display()))
}

/// Publishes `folder` with the secret key file `key`.
pub fn publish(folder: &Path, key: &Path, out: &mut impl Write) -> anyhow::Result<i32> {
    if !folder.is_dir() {
        bail!("{} is not a folder", folder.display());
    }
    let secret =
        std::fs::read_to_string(key).with_context(|| format!("cannot read the key {}", key.display()))?;
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let done = publish::publish(folder, &secret, now)?;
    writeln!(
        out,
        "published {}: {} files listed in {MANIFEST}, signed in {SIGNATURE} (serial {}); upload the whole folder",
        folder.display(),
        done.files,
        done.serial
    )?;
    Ok(0)
}
