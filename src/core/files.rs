//! Files as every part of corridor treats them: written so that a reader never sees half of
//! one, and the names passed over in any folder corridor reads.

use std::path::Path;

/// A published folder's manifest (see `core::sync`).
pub const MANIFEST: &str = "SHA256SUMS";
/// A published folder's signature.
pub const SIGNATURE: &str = "SHA256SUMS.minisig";

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
