//! Playlist folders that another tool copies into the content folder (Syncthing, rsync, a
//! network share) and that hold a signature (`SHA256SUMS.minisig`): shown only in a version whose
//! signature verifies with one of corridor.toml's `trusted_keys` and whose every listed file
//! matches its hash. The screen plays its own copy of the last verified version (in the content
//! folder's hidden work folder; files unchanged from one version to the next are hard links
//! between the copies, so each file is stored twice at most), so a folder half-way through
//! being copied never reaches the screen, whatever copied it and however (files replaced or
//! overwritten in place). Folders of a `[[source]]` are left to the sync,
//! which switches them in whole.

use std::collections::HashMap;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use minisign_verify::PublicKey;

use super::manifest::{Entry, hash_file, parse};
use super::signing::{public_key, verify};
use super::source::Source;
use super::verify::{Verified, verify_folder_with};
use super::{MANIFEST, SIGNATURE, SyncError};
use crate::core::files::{SYNC_WORK, exchange, is_ignored_name};
use crate::core::problems::Problem;

/// The signed playlist folders of one content folder, and what is known of them.
pub struct Guard {
    keys: Vec<PublicKey>,
    /// `[[source]]` folders: corridor's own sync switches them in whole.
    managed: Vec<String>,
    /// Make and refresh the verified copies (the screen); `corridor check` only looks.
    keep_copies: bool,
    hashes: HashMap<FileStamp, [u8; 32]>,
}

/// Hashes remembered at most (then forgotten all at once).
const MAX_REMEMBERED: usize = 200_000;

/// What tells a file changed: its inode, size and modification time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
struct FileStamp {
    device: u64,
    inode: u64,
    size: u64,
    modified: i64,
    modified_ns: i64,
}

impl Default for Guard {
    /// No trusted keys, no copies: signed folders are shown unchecked.
    fn default() -> Self {
        Self::new(&[], &[], false)
    }
}

impl Guard {
    /// A guard for `trusted_keys` (already checked when read) and `sources`.
    pub fn new(trusted_keys: &[String], sources: &[Source], keep_copies: bool) -> Self {
        let mut guard = Self { keys: Vec::new(), managed: Vec::new(), keep_copies, hashes: HashMap::new() };
        guard.update(trusted_keys, sources);
        guard
    }

    /// New settings; the hashes known so far stay.
    pub fn update(&mut self, trusted_keys: &[String], sources: &[Source]) {
        self.keys = trusted_keys.iter().filter_map(|k| public_key(k).ok()).collect();
        self.managed = sources.iter().map(|s| s.into.clone()).collect();
    }

    /// Where each signed playlist folder of `root` is read from (its verified copy, or nowhere
    /// yet: None), by name, with a problem for each that is not shown as it is now.
    pub fn prepare(&mut self, root: &Path) -> (HashMap<String, Option<PathBuf>>, Vec<Problem>) {
        let mut folders = HashMap::new();
        let mut problems = Vec::new();
        let Ok(entries) = std::fs::read_dir(root) else { return (folders, problems) };
        let copies = root.join(SYNC_WORK).join("verified");
        let mut guarded = Vec::new();
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let dir = entry.path();
            // Signed: it holds a manifest or a signature, or a verified version of it was shown
            // (a signature removed, or not copied yet, does not make it plain).
            let signed =
                [MANIFEST, SIGNATURE].iter().any(|f| dir.join(f).is_file()) || copies.join(&name).is_dir();
            if is_ignored_name(&name) || self.managed.contains(&name) || !dir.is_dir() || !signed {
                continue;
            }
            guarded.push(name.clone());
            if self.keys.is_empty() {
                problems.push(Problem::warning(
                    PathBuf::from(&name),
                    "this folder is signed, but corridor.toml lists no trusted_keys: it is shown unchecked",
                ));
                continue;
            }
            let (read_from, problem) = self.guard_folder(root, &name, &dir);
            folders.insert(name, read_from);
            problems.extend(problem);
        }
        if self.keep_copies {
            remove_copies_of_gone_folders(&copies, &guarded);
        }
        (folders, problems)
    }

    /// One signed folder: where to read it from, and why not from the folder itself.
    fn guard_folder(&mut self, root: &Path, name: &str, dir: &Path) -> (Option<PathBuf>, Option<Problem>) {
        let copy = root.join(SYNC_WORK).join("verified").join(name);
        let in_force = self.serial_of(&copy);
        if in_force.is_some() && same_files(dir, &copy) {
            return (Some(copy), None);
        }
        let result = if self.keep_copies {
            self.refresh_copy(dir, &copy, in_force)
        } else {
            self.verify(dir, in_force).map(|_| ())
        };
        let rel = PathBuf::from(name);
        match (result, in_force) {
            (Ok(()), _) if self.keep_copies => (Some(copy), None),
            (Ok(()), _) => (Some(dir.to_path_buf()), None),
            (Err(e), Some(serial)) => (
                Some(copy),
                Some(Problem::warning(
                    rel,
                    format!(
                        "not shown as it is now ({e}); its last verified version (serial {serial}) plays"
                    ),
                )),
            ),
            (Err(e), None) => {
                (None, Some(Problem::error(rel, format!("not shown until it is complete and verified: {e}"))))
            }
        }
    }

    /// Checks the version in `dir`, copies it beside the copy in force (files it shares with
    /// that copy are linked to the copy's own files, the others copied), checks what was copied
    /// (a file changed in between is caught), and switches it in.
    fn refresh_copy(&mut self, dir: &Path, copy: &Path, in_force: Option<u64>) -> Result<(), SyncError> {
        let verified = self.verify(dir, in_force)?;
        let next = beside(copy, "next");
        let _ = std::fs::remove_dir_all(&next);
        let built =
            copy_version(dir, &verified.files, copy, &next).and_then(|()| self.verify(&next, in_force));
        if let Err(e) = built {
            let _ = std::fs::remove_dir_all(&next);
            return Err(e);
        }
        let switched = if copy.exists() {
            exchange(&next, copy, &beside(copy, "old")).map(|()| std::fs::remove_dir_all(&next))
        } else {
            std::fs::rename(&next, copy).map(Ok)
        };
        switched.map_err(|e| SyncError::io(copy, e))?.map_err(|e| SyncError::io(&next, e))
    }

    fn verify(&mut self, dir: &Path, in_force: Option<u64>) -> Result<Verified, SyncError> {
        let hashes = &mut self.hashes;
        verify_folder_with(dir, &self.keys, in_force, &mut |path: &Path| remembered_hash(hashes, path))
    }

    /// The serial of the verified copy at `copy`, if there is one and it still verifies.
    fn serial_of(&self, copy: &Path) -> Option<u64> {
        let manifest = std::fs::read(copy.join(MANIFEST)).ok()?;
        let signature = std::fs::read_to_string(copy.join(SIGNATURE)).ok()?;
        verify(&manifest, &signature, &self.keys).ok()
    }
}

/// A file's SHA-256, worked out again only when the file changed (a copy's links to the same
/// file are known at once).
fn remembered_hash(hashes: &mut HashMap<FileStamp, [u8; 32]>, path: &Path) -> std::io::Result<[u8; 32]> {
    let m = std::fs::metadata(path)?;
    let stamp = FileStamp {
        device: m.dev(),
        inode: m.ino(),
        size: m.len(),
        modified: m.mtime(),
        modified_ns: m.mtime_nsec(),
    };
    if let Some(hash) = hashes.get(&stamp) {
        return Ok(*hash);
    }
    if hashes.len() >= MAX_REMEMBERED {
        hashes.clear();
    }
    let hash = hash_file(path)?;
    hashes.insert(stamp, hash);
    Ok(hash)
}

/// The verified copies whose playlist folder has gone (staff removed it) are removed too.
fn remove_copies_of_gone_folders(copies: &Path, guarded: &[String]) {
    for entry in std::fs::read_dir(copies).into_iter().flatten().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if !name.starts_with('.') && !guarded.contains(&name) {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// A hidden folder beside `copy`: `.NAME.what`.
fn beside(copy: &Path, what: &str) -> PathBuf {
    let name = copy.file_name().map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    copy.with_file_name(format!(".{name}.{what}"))
}

/// Whether the folder's manifest and signature are those of the copy (nothing new to check).
fn same_files(dir: &Path, copy: &Path) -> bool {
    [MANIFEST, SIGNATURE].iter().all(|name| {
        let (a, b) = (std::fs::read(dir.join(name)), std::fs::read(copy.join(name)));
        matches!((a, b), (Ok(a), Ok(b)) if a == b)
    })
}

/// Puts the version of `dir` (its listed `files`, manifest and signature) into `next`: a file
/// the copy in force (`old`) already has with the same contents is linked to the copy's own
/// file; the others are copied, never linked to `dir`'s (a tool that overwrites a file in place
/// would change the copy too).
fn copy_version(dir: &Path, files: &[Entry], old: &Path, next: &Path) -> Result<(), SyncError> {
    let text = std::fs::read_to_string(old.join(MANIFEST)).unwrap_or_default();
    let kept: HashMap<[u8; 32], PathBuf> =
        parse(&text).unwrap_or_default().into_iter().map(|e| (e.sha256, old.join(e.name))).collect();
    let listed = files.iter().map(|e| (e.name.as_str(), kept.get(&e.sha256)));
    for (name, same) in listed.chain([(MANIFEST, None), (SIGNATURE, None)]) {
        let to = next.join(name);
        if let Some(parent) = to.parent() {
            std::fs::create_dir_all(parent).map_err(|e| SyncError::io(parent, e))?;
        }
        if same.is_some_and(|from| std::fs::hard_link(from, &to).is_ok()) {
            continue;
        }
        std::fs::copy(dir.join(name), &to).map_err(|e| SyncError::io(&to, e))?;
    }
    Ok(())
}
