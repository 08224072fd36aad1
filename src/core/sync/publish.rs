//! `corridor publish FOLDER --key FILE`: lists every file of the folder (its sub-folders too) in
//! `SHA256SUMS` and signs it into `SHA256SUMS.minisig`, with a serial one more than the folder's
//! last signature's, or the Unix time if that is larger. Hidden files, files still being copied,
//! links and the manifest and signature themselves are left out.

use std::path::{Path, PathBuf};

use super::manifest::{Entry, hash_file, render, safe_name};
use super::signing::{claimed_serial, sign};
use super::{MANIFEST, SIGNATURE, SyncError};
use crate::core::files::is_ignored_name;
use crate::core::files::write_atomically;

/// What a publish wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Published {
    pub files: usize,
    pub serial: u64,
}

/// Publishes `folder` with the secret key in `secret_key_text`; `now_unix` is the time now.
pub fn publish(folder: &Path, secret_key_text: &str, now_unix: u64) -> Result<Published, SyncError> {
    let mut names = Vec::new();
    list_files(folder, "", &mut names)?;
    names.sort();
    let mut entries = Vec::with_capacity(names.len());
    for name in names {
        let path = folder.join(&name);
        let sha256 = hash_file(&path).map_err(|e| SyncError::io(&path, e))?;
        entries.push(Entry { name, sha256 });
    }
    let text = render(&entries);
    let old = std::fs::read_to_string(folder.join(SIGNATURE)).ok().and_then(|t| claimed_serial(&t));
    let serial = old.map_or(now_unix, |old| old.saturating_add(1).max(now_unix));
    let signature = sign(text.as_bytes(), secret_key_text, serial)?;
    let old_time = std::fs::metadata(folder.join(MANIFEST)).and_then(|m| m.modified()).ok();
    let write = |name: &str, bytes: &[u8]| {
        let path = folder.join(name);
        write_atomically(&path, bytes).map_err(|e| SyncError::io(&path, e))?;
        move_time_on(&path, old_time).map_err(|e| SyncError::io(&path, e))
    };
    write(MANIFEST, text.as_bytes())?;
    write(SIGNATURE, signature.as_bytes())?;
    Ok(Published { files: entries.len(), serial })
}

/// Web servers tell a changed file by its size and modification time in whole seconds: a
/// manifest published twice in one second keeps its time a second later than the last one's,
/// so screens asking "changed since?" always hear of the new version.
fn move_time_on(path: &Path, old: Option<std::time::SystemTime>) -> std::io::Result<()> {
    let Some(old) = old.and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok()) else { return Ok(()) };
    let now = std::fs::metadata(path)?.modified()?;
    let next_second = std::time::UNIX_EPOCH + std::time::Duration::from_secs(old.as_secs() + 1);
    if now < next_second {
        std::fs::File::options().write(true).open(path)?.set_modified(next_second)?;
    }
    Ok(())
}

/// The names of the files under `dir` (relative to the folder published, `/` between parts).
fn list_files(dir: &Path, prefix: &str, names: &mut Vec<String>) -> Result<(), SyncError> {
    let entries = std::fs::read_dir(dir).map_err(|e| SyncError::io(dir, e))?;
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let rel = format!("{prefix}{name}");
        let kind = entry.file_type().map_err(|e| SyncError::io(&entry.path(), e))?;
        if is_ignored_name(&name) || kind.is_symlink() || safe_name(&rel).is_err() {
            continue;
        }
        if kind.is_dir() {
            list_files(&entry.path(), &format!("{rel}/"), names)?;
        } else if kind.is_file() {
            names.push(rel);
        }
    }
    Ok(())
}

/// Where `corridor keygen` writes a key pair in `dir`: the secret key and the public key.
pub fn key_paths(dir: &Path) -> (PathBuf, PathBuf) {
    (dir.join("corridor.key"), dir.join("corridor.pub"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::sync::{manifest, signing};

    #[test]
    fn publishing_lists_every_file_and_each_publish_raises_the_serial() {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path();
        std::fs::create_dir(folder.join("poems")).unwrap();
        std::fs::write(folder.join("poems/a.txt"), "Roses").unwrap();
        std::fs::write(folder.join("b.jpg"), "jpeg").unwrap();
        std::fs::write(folder.join(".hidden"), "x").unwrap();
        std::fs::write(folder.join("c.jpg.part"), "half").unwrap();
        let pair = signing::keygen().unwrap();
        let first = publish(folder, &pair.secret, 1_000).unwrap();
        assert_eq!(first, Published { files: 2, serial: 1_000 });
        let text = std::fs::read_to_string(folder.join(MANIFEST)).unwrap();
        let names: Vec<String> = manifest::parse(&text).unwrap().into_iter().map(|e| e.name).collect();
        assert_eq!(names, ["b.jpg", "poems/a.txt"]);
        let sig = std::fs::read_to_string(folder.join(SIGNATURE)).unwrap();
        let key = signing::public_key(&pair.public_line).unwrap();
        assert_eq!(signing::verify(text.as_bytes(), &sig, &[key]).unwrap(), 1_000);
        // The clock went back: the serial still grows. The clock is ahead: it takes the time.
        assert_eq!(publish(folder, &pair.secret, 5).unwrap().serial, 1_001);
        assert_eq!(publish(folder, &pair.secret, 2_000).unwrap().serial, 2_000);
    }
}
