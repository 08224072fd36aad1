//! Decks drawn once and kept (the state folder's `decks/`), by the file's SHA-256, the stage's
//! size and the page limit: a restart converts nothing again, a changed file is converted again.
//! A deck that cannot be converted is remembered too (not tried again until it changes). The
//! folder is held under `cache_max`: the decks least recently shown go first.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use super::DeckError;
use super::convert::{Drawn, Limits, convert, is_page};
use crate::core::sync::manifest::{hash_file, to_hex};

/// A conversion that ran out of time is tried again after this long.
const RETRY_TIMED_OUT: std::time::Duration = std::time::Duration::from_secs(3600);
/// A deck shown within this long counts as in use: the cap never removes it.
const IN_USE: std::time::Duration = std::time::Duration::from_secs(3600);

/// Takes the cache's conversion lock (`.lock`), waiting for another process's conversion.
fn lock(root: &Path) -> Result<std::fs::File, DeckError> {
    use std::os::fd::AsRawFd;
    std::fs::create_dir_all(root).map_err(|e| DeckError::Io(e.to_string()))?;
    let file = std::fs::File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(root.join(".lock"))
        .map_err(|e| DeckError::Io(e.to_string()))?;
    // SAFETY: flock only reads the descriptor, which `file` keeps open.
    unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX) };
    Ok(file)
}

/// What the cache knows of a deck.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Cached {
    Ready(Drawn),
    Failed(String),
    /// Not converted yet.
    Missing,
}

/// The cache of one screen (one stage size).
pub struct DeckCache {
    root: PathBuf,
    stage: (u32, u32),
    limits: Limits,
    max_bytes: u64,
    /// Each deck's hash, while its size and time stay the same.
    hashes: HashMap<PathBuf, (u64, Option<SystemTime>, [u8; 32])>,
}

impl DeckCache {
    pub fn new(root: &Path, stage: (u32, u32), limits: Limits, max_bytes: u64) -> Self {
        Self { root: root.to_path_buf(), stage, limits, max_bytes, hashes: HashMap::new() }
    }

    /// Whether this cache is the one for these settings.
    pub fn is_for(&self, root: &Path, stage: (u32, u32), limits: Limits, max_bytes: u64) -> bool {
        self.root == root && self.stage == stage && self.limits == limits && self.max_bytes == max_bytes
    }

    /// What is known of `file` (cheap: a hash remembered by size and time, a few small reads).
    /// A deck found is marked as just shown.
    pub fn lookup(&mut self, file: &Path) -> Cached {
        let Ok(folder) = self.folder_for(file) else { return Cached::Missing };
        if let Ok(why) = std::fs::read_to_string(folder.join("failed")) {
            return Cached::Failed(why);
        }
        // A conversion that ran out of time (a busy screen PC) is tried again an hour later.
        if let Ok(why) = std::fs::read_to_string(folder.join("timed-out")) {
            let when = std::fs::metadata(folder.join("timed-out")).and_then(|m| m.modified());
            let age = when.ok().and_then(|t| t.elapsed().ok()).unwrap_or_default();
            return if age < RETRY_TIMED_OUT { Cached::Failed(why) } else { Cached::Missing };
        }
        let Ok(total) = std::fs::read_to_string(folder.join("done")) else { return Cached::Missing };
        let Ok(total) = total.trim().parse::<u32>() else { return Cached::Missing };
        let mut pages: Vec<PathBuf> = std::fs::read_dir(&folder)
            .map(|d| d.flatten().map(|e| e.path()).filter(|p| is_page(p)).collect())
            .unwrap_or_default();
        pages.sort();
        let _ = std::fs::File::open(folder.join("done")).and_then(|f| f.set_modified(SystemTime::now()));
        Cached::Ready(Drawn { pages, total })
    }

    /// Converts `file` and keeps the outcome. One conversion at a time, across processes too
    /// (the player, `corridor check` and snapshots share the cache and LibreOffice's profile).
    pub fn convert(&mut self, file: &Path) -> Result<Drawn, DeckError> {
        let folder = self.folder_for(file).map_err(|e| DeckError::Io(e.to_string()))?;
        let _one_at_a_time = lock(&self.root)?;
        // Another process may have drawn it while this one waited.
        if let Cached::Ready(drawn) = self.lookup(file) {
            return Ok(drawn);
        }
        let work = folder.with_extension("part");
        let _ = std::fs::remove_dir_all(&work);
        std::fs::create_dir_all(&work).map_err(|e| DeckError::Io(e.to_string()))?;
        let result = convert(file, self.stage, &work, &self.root.join(".libreoffice"), &self.limits);
        let _ = std::fs::remove_dir_all(&folder);
        match &result {
            Ok(drawn) => {
                for entry in std::fs::read_dir(&work).into_iter().flatten().flatten() {
                    let path = entry.path();
                    if path.is_dir() {
                        let _ = std::fs::remove_dir_all(path);
                    } else if !is_page(&path) {
                        let _ = std::fs::remove_file(path);
                    }
                }
                std::fs::write(work.join("done"), drawn.total.to_string())
                    .map_err(|e| DeckError::Io(e.to_string()))?;
            }
            // A missing tool is not the deck's fault: tried again once it is installed.
            Err(DeckError::NoLibreOffice | DeckError::NoPoppler | DeckError::Io(_)) => {
                let _ = std::fs::remove_dir_all(&work);
                return result;
            }
            Err(e) => {
                let _ = std::fs::remove_dir_all(&work);
                std::fs::create_dir_all(&work).map_err(|e| DeckError::Io(e.to_string()))?;
                let marker = if matches!(e, DeckError::TimedOut(_)) { "timed-out" } else { "failed" };
                std::fs::write(work.join(marker), e.to_string()).map_err(|e| DeckError::Io(e.to_string()))?;
            }
        }
        std::fs::rename(&work, &folder).map_err(|e| DeckError::Io(e.to_string()))?;
        self.prune(&folder);
        match self.lookup(file) {
            Cached::Ready(drawn) => Ok(drawn),
            _ => result,
        }
    }

    /// The cache folder of `file` at this stage size and page limit.
    fn folder_for(&mut self, file: &Path) -> std::io::Result<PathBuf> {
        let meta = std::fs::metadata(file)?;
        let (len, modified) = (meta.len(), meta.modified().ok());
        let hash = match self.hashes.get(file) {
            Some((l, m, h)) if *l == len && *m == modified => *h,
            _ => {
                let h = hash_file(file)?;
                self.hashes.insert(file.to_path_buf(), (len, modified, h));
                h
            }
        };
        let (w, h) = self.stage;
        Ok(self.root.join(format!("{}-{w}x{h}-{}", &to_hex(&hash)[..32], self.limits.max_pages)))
    }

    /// Removes the decks least recently shown until the cache is under its cap; never `keep`
    /// (just drawn) nor a deck shown within the last hour (on screen now: removing it would
    /// only have it drawn again). A cap too small for the decks in use is exceeded.
    fn prune(&self, keep: &Path) {
        let mut decks: Vec<(SystemTime, u64, PathBuf)> = std::fs::read_dir(&self.root)
            .into_iter()
            .flatten()
            .flatten()
            .filter(|e| {
                !e.file_name().to_string_lossy().starts_with('.')
                    && !e.file_name().to_string_lossy().ends_with(".part")
            })
            .map(|e| {
                let path = e.path();
                let shown = std::fs::metadata(path.join("done"))
                    .and_then(|m| m.modified())
                    .unwrap_or(SystemTime::UNIX_EPOCH);
                (shown, folder_size(&path), path)
            })
            .collect();
        decks.sort();
        let mut total: u64 = decks.iter().map(|d| d.1).sum();
        let in_use = SystemTime::now() - IN_USE;
        for (shown, size, path) in decks {
            if total <= self.max_bytes || shown > in_use {
                break;
            }
            if path == keep {
                continue;
            }
            let _ = std::fs::remove_dir_all(&path);
            total -= size;
        }
    }
}

fn folder_size(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| e.metadata().ok())
        .map(|m| m.len())
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    /// A drawn deck in the cache: `bytes` of pages, last shown `ago` seconds ago.
    fn drawn(root: &Path, name: &str, bytes: usize, ago: u64) -> PathBuf {
        let folder = root.join(name);
        std::fs::create_dir_all(&folder).unwrap();
        std::fs::write(folder.join("page-00001.png"), vec![0u8; bytes]).unwrap();
        std::fs::write(folder.join("done"), "1").unwrap();
        let shown = SystemTime::now() - Duration::from_secs(ago);
        std::fs::File::open(folder.join("done")).unwrap().set_modified(shown).unwrap();
        folder
    }

    #[test]
    fn the_cache_keeps_under_its_cap_dropping_the_decks_least_recently_shown() {
        let dir = tempfile::tempdir().unwrap();
        let recent = drawn(dir.path(), "recent", 4000, 60);
        let profile = dir.path().join(".libreoffice");
        std::fs::create_dir_all(&profile).unwrap();
        let old = drawn(dir.path(), "old", 4000, 30_000);
        let middle = drawn(dir.path(), "middle", 4000, 10_000);
        let cache = |cap| DeckCache::new(dir.path(), (640, 360), Limits::default(), cap);
        cache(9000).prune(Path::new("/none"));
        assert!(!old.exists() && middle.exists() && recent.exists() && profile.exists());
        cache(5000).prune(&middle);
        assert!(middle.exists(), "the deck just drawn stays");
        cache(5000).prune(Path::new("/none"));
        assert!(!middle.exists() && recent.exists(), "shown a minute ago: in use, kept over the cap");
        cache(1).prune(Path::new("/none"));
        assert!(recent.exists());
    }
}
