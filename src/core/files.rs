//! Files as every part of corridor treats them: written so that a reader never sees half of
//! one, and the names passed over in any folder corridor reads.

use std::path::Path;

/// A published folder's manifest (see `core::sync`).
pub const MANIFEST: &str = "SHA256SUMS";
/// A published folder's signature.
pub const SIGNATURE: &str = "SHA256SUMS.minisig";

/// The folder inside the content folder where synced sources are downloaded and put together
/// before they switch in (hidden: the scanner and the watcher pass over it).
pub const SYNC_WORK: &str = ".corridor-sync";

/// Swaps two paths in one step (Linux `renameat2` with `RENAME_EXCHANGE`): a reader sees the
/// old or the new, never neither. Where the file system cannot, `a` goes into `b`'s place in
/// two renames (`b` moved to `spare` first).
pub fn exchange(a: &Path, b: &Path, spare: &Path) -> std::io::Result<()> {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        use std::os::unix::ffi::OsStrExt;
        let c = |p: &Path| std::ffi::CString::new(p.as_os_str().as_bytes()).map_err(std::io::Error::other);
        let (ca, cb) = (c(a)?, c(b)?);
        // SAFETY: both strings are NUL-terminated and live through the call; AT_FDCWD resolves
        // relative paths against the working folder, as std::fs does.
        let rc = unsafe {
            libc::renameat2(libc::AT_FDCWD, ca.as_ptr(), libc::AT_FDCWD, cb.as_ptr(), libc::RENAME_EXCHANGE)
        };
        if rc == 0 {
            return Ok(());
        }
        let e = std::io::Error::last_os_error();
        if !matches!(e.raw_os_error(), Some(libc::EINVAL | libc::ENOSYS | libc::ENOTSUP)) {
            return Err(e);
        }
    }
    std::fs::rename(b, spare)?;
    std::fs::rename(a, b)?;
    std::fs::rename(spare, a)
}

/// Writes a temp file beside `path`, then renames it over `path`: readers never see half a file.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "status".into());
    let tmp = path.with_file_name(format!(".{name}.tmp"));
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path)
}

/// Why a name in a playlist folder is passed over without a word: hidden files, files still
/// being copied or downloaded, the bookkeeping of Windows, Syncthing and rsync, and a published
/// folder's manifest and signature.
pub fn is_ignored_name(name: &str) -> bool {
    let lower = name.to_lowercase();
    name.starts_with('.')
        || name.starts_with("~$")
        || name.starts_with("~syncthing~")
        || name.contains(".sync-conflict-")
        || name == MANIFEST
        || name == SIGNATURE
        || lower.ends_with(".part")
        || lower.ends_with(".tmp")
        || lower.ends_with(".crdownload")
        || lower == "thumbs.db"
        || lower == "desktop.ini"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exchange_swaps_two_folders() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("next"), dir.path().join("poetry"));
        std::fs::create_dir(&a).unwrap();
        std::fs::create_dir(&b).unwrap();
        std::fs::write(a.join("new.txt"), "new").unwrap();
        std::fs::write(b.join("old.txt"), "old").unwrap();
        exchange(&a, &b, &dir.path().join("spare")).unwrap();
        assert!(b.join("new.txt").exists() && a.join("old.txt").exists());
        assert!(!dir.path().join("spare").exists());
    }
}
