//! `corridor keygen` and `corridor publish`: the publishing side of content for many screens
//! (docs/many-screens.md). Thin: the work is in [`crate::core::sync`].

use std::io::Write;
use std::path::Path;

use anyhow::{Context, bail};

use crate::core::sync::{MANIFEST, SIGNATURE, publish, signing};

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
