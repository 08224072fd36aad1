//! One round of one source: ask for its manifest (an unchanged one costs one request), check
//! the signature and the serial before anything else, put the new version together in the
//! content folder's hidden work folder (files the screen already has are linked, the rest
//! downloaded with each hash checked), and only when all of it is there and verified switch the
//! playlist folder to it in one step. Whatever goes wrong, the version in force stays.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use minisign_verify::PublicKey;

use super::fetchers::fetch_all;
use super::manifest::{Entry, MAX_MANIFEST_BYTES, hash_file, parse};
use super::record::Record;
use super::signing::{accept, public_key, verify};
use super::source::Source;
use super::transport::{Small, Transport};
use super::{MANIFEST, SIGNATURE, SyncError};
use crate::core::files::{SYNC_WORK, exchange};
use crate::core::ticker::fetch::Validators;

/// Seconds after which the manifest is asked for whole again, changed or not.
const FULL_EVERY: i64 = 3600;
/// The longest signature file fetched.
const MAX_SIGNATURE_BYTES: u64 = 4096;

/// What a round did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Change {
    UpToDate,
    Updated(Update),
}

/// A new version switched in.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Update {
    pub serial: u64,
    /// Files in the new version.
    pub files: usize,
    /// Files downloaded (the others were already on this screen).
    pub downloaded: usize,
    /// Bytes downloaded.
    pub bytes: u64,
    /// Files of the old version no longer listed.
    pub removed: usize,
}

/// Brings `source` up to date in `content`, noting the round in `record`; `now` is Unix seconds.
pub fn sync_source(
    source: &Source,
    content: &Path,
    transport: &Transport,
    record: &mut Record,
    now: i64,
) -> Result<Change, SyncError> {
    record.checked = Some(now);
    let result = round(source, content, transport, record, now);
    match &result {
        Ok(change) => {
            (record.error, record.failures, record.up_to_date) = (None, 0, Some(now));
            if matches!(change, Change::Updated(_)) {
                record.changed = Some(now);
            }
        }
        Err(e) => {
            record.error = Some(e.to_string());
            record.failures = record.failures.saturating_add(1);
        }
    }
    result
}

fn round(
    source: &Source,
    content: &Path,
    transport: &Transport,
    record: &mut Record,
    now: i64,
) -> Result<Change, SyncError> {
    let key = public_key(&source.public_key)?;
    let live = content.join(&source.into);
    let in_force = in_force(&live, &key, record)?;
    // Asked "changed since?" for an hour after a whole answer, then whole again: a validator
    // that failed to change (two uploads in one second) never hides a version for longer.
    let recent = record.fetched.is_some_and(|t| (0..FULL_EVERY).contains(&(now - t)));
    let since = if live.is_dir() && recent { record.validators.clone() } else { Validators::default() };
    let (manifest, validators) =
        match transport.get_small(&source.origin, MANIFEST, MAX_MANIFEST_BYTES, &since)? {
            Small::NotModified => return Ok(Change::UpToDate),
            Small::Body { bytes, validators } => (bytes, validators),
        };
    record.fetched = Some(now);
    if live.is_dir() && std::fs::read(live.join(MANIFEST)).is_ok_and(|old| old == manifest) {
        record.validators = validators;
        return Ok(Change::UpToDate);
    }
    let signature =
        match transport.get_small(&source.origin, SIGNATURE, MAX_SIGNATURE_BYTES, &Validators::default())? {
            Small::Body { bytes, .. } => String::from_utf8(bytes).unwrap_or_default(),
            Small::NotModified => String::new(),
        };
    let serial = verify(&manifest, &signature, &[key])?;
    accept(serial, in_force)?;
    let text =
        std::str::from_utf8(&manifest).map_err(|_| SyncError::Manifest(format!("{MANIFEST} is not text")))?;
    let entries = parse(text)?;
    let work = Work::new(content, &source.into);
    let mut update =
        work.assemble(source, &live, &entries, transport).inspect_err(|e| work.after_failure(e))?;
    work.finish(&live, &manifest, signature.as_bytes()).inspect_err(|e| work.after_failure(e))?;
    update.serial = serial;
    (record.serial, record.validators) = (Some(serial), validators);
    Ok(Change::Updated(update))
}

/// The serial a new version must pass. A playlist folder staff made themselves (no signature)
/// is never replaced. With the folder gone, the version last in force may come again.
fn in_force(live: &Path, key: &PublicKey, record: &Record) -> Result<Option<u64>, SyncError> {
    if !live.exists() {
        return Ok(record.serial.map(|s| s.saturating_sub(1)));
    }
    let signature = std::fs::read_to_string(live.join(SIGNATURE)).map_err(|_| {
        SyncError::Refused(format!(
            "{} is a folder that was not synced (it has no {SIGNATURE}); it is left alone: give the source another `into`",
            live.display()
        ))
    })?;
    let here =
        std::fs::read(live.join(MANIFEST)).ok().and_then(|m| verify(&m, &signature, &[key.clone()]).ok());
    Ok(here.max(record.serial))
}

/// The work folder of one source: `next/` (the new version, put together) and `parts/`
/// (downloads not finished, by hash, so a later round resumes them).
struct Work {
    root: PathBuf,
    next: PathBuf,
    parts: PathBuf,
}

impl Work {
    fn new(content: &Path, into: &str) -> Self {
        let root = content.join(SYNC_WORK).join("sources").join(into);
        Self { next: root.join("next"), parts: root.join("parts"), root }
    }

    /// Puts the version `entries` together in `next/`: the files the screen has first, then
    /// the rest fetched.
    fn assemble(
        &self,
        source: &Source,
        live: &Path,
        entries: &[Entry],
        transport: &Transport,
    ) -> Result<Update, SyncError> {
        let _ = std::fs::remove_dir_all(&self.next);
        for dir in [&self.next, &self.parts] {
            std::fs::create_dir_all(dir).map_err(|e| SyncError::io(dir, e))?;
        }
        let mut have = files_in_force(live);
        have.extend(self.finished_downloads());
        let mut wanted: Vec<&Entry> = Vec::new();
        for entry in entries {
            let dest = self.place(entry)?;
            if have.get(&entry.sha256).is_some_and(|p| reuse(p, &dest, entry)) {
                have.insert(entry.sha256, dest);
            } else if !wanted.iter().any(|w| w.sha256 == entry.sha256) {
                wanted.push(entry);
            }
        }
        let left = source.max_total.checked_sub(self.size_so_far()?).ok_or_else(too_large(source))?;
        let fetched = fetch_all(source, &wanted, &self.parts, left, transport)?;
        let mut update = Update { files: entries.len(), downloaded: fetched.len(), ..Update::default() };
        for file in fetched {
            update.bytes += file.bytes;
            have.insert(file.sha256, file.path);
        }
        for entry in entries {
            let dest = self.next.join(&entry.name);
            if !dest.exists() {
                let from = have.get(&entry.sha256).ok_or_else(|| SyncError::io(&dest, not_found()))?;
                link_or_copy(from, &dest)?;
            }
        }
        if self.size_so_far()? > source.max_total {
            return Err(too_large(source)());
        }
        let names: std::collections::HashSet<&str> = entries.iter().map(|e| e.name.as_str()).collect();
        update.removed = listed(live).iter().filter(|e| !names.contains(e.name.as_str())).count();
        Ok(update)
    }

    /// Where `entry` goes in `next/`, its folder made.
    fn place(&self, entry: &Entry) -> Result<PathBuf, SyncError> {
        let dest = self.next.join(&entry.name);
        if let Some(parent) = dest.parent() {
            std::fs::create_dir_all(parent).map_err(|e| SyncError::io(parent, e))?;
        }
        Ok(dest)
    }

    /// The bytes of the files in `next/` so far.
    fn size_so_far(&self) -> Result<u64, SyncError> {
        let mut total = 0;
        let mut folders = vec![self.next.clone()];
        while let Some(dir) = folders.pop() {
            for e in std::fs::read_dir(&dir).map_err(|e| SyncError::io(&dir, e))?.flatten() {
                let meta = e.metadata().map_err(|err| SyncError::io(&e.path(), err))?;
                if meta.is_dir() {
                    folders.push(e.path());
                } else {
                    total += meta.len();
                }
            }
        }
        Ok(total)
    }

    /// Files downloaded whole and checked in an earlier round that did not finish, by hash.
    fn finished_downloads(&self) -> Vec<([u8; 32], PathBuf)> {
        let entries = std::fs::read_dir(&self.parts).into_iter().flatten().flatten();
        entries
            .filter_map(|e| {
                let name = e.file_name().to_string_lossy().into_owned();
                let hash = super::manifest::from_hex(&name).filter(|_| name.len() == 64)?;
                Some((hash, e.path()))
            })
            .collect()
    }

    /// Writes the manifest and signature into the new version and switches it in.
    fn finish(&self, live: &Path, manifest: &[u8], signature: &[u8]) -> Result<(), SyncError> {
        for (name, bytes) in [(MANIFEST, manifest), (SIGNATURE, signature)] {
            let path = self.next.join(name);
            std::fs::write(&path, bytes).map_err(|e| SyncError::io(&path, e))?;
        }
        let switched = if live.exists() {
            exchange(&self.next, live, &self.root.join("old"))
        } else {
            std::fs::rename(&self.next, live)
        };
        switched.map_err(|e| SyncError::io(live, e))?;
        let _ = std::fs::remove_dir_all(&self.root);
        Ok(())
    }

    /// After a failed round: the half-built version goes. Downloads are kept (whole ones, and
    /// ones cut off, to resume) when a file failed to come or did not match; a version refused
    /// whole (its signature, its size, the disk) leaves nothing behind.
    fn after_failure(&self, e: &SyncError) {
        let _ = std::fs::remove_dir_all(&self.next);
        if !matches!(e, SyncError::Fetch { .. } | SyncError::Mismatch(_)) {
            let _ = std::fs::remove_dir_all(&self.root);
        }
    }
}

/// The source's cap on its whole size, passed.
fn too_large(source: &Source) -> impl Fn() -> SyncError {
    let cap = source.max_total;
    move || SyncError::TooLarge { name: "the whole source".into(), cap }
}

/// A file fetched this round that is no longer there.
fn not_found() -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::NotFound, "fetched, then gone")
}

/// The files of the version in force, by hash.
fn files_in_force(live: &Path) -> HashMap<[u8; 32], PathBuf> {
    listed(live).into_iter().map(|e| (e.sha256, live.join(&e.name))).collect()
}

/// What the version in force's manifest lists (nothing, if it cannot be read).
fn listed(live: &Path) -> Vec<Entry> {
    std::fs::read_to_string(live.join(MANIFEST)).ok().and_then(|t| parse(&t).ok()).unwrap_or_default()
}

/// Links (or copies) a file the screen has into the new version, if it still has the listed
/// contents (staff may have changed it in place).
fn reuse(from: &Path, to: &Path, entry: &Entry) -> bool {
    from != to && hash_file(from).ok() == Some(entry.sha256) && link_or_copy(from, to).is_ok()
}

/// `to` as a hard link to `from`, or a copy of it (through a temp file: never half a file).
fn link_or_copy(from: &Path, to: &Path) -> Result<(), SyncError> {
    if std::fs::hard_link(from, to).is_ok() {
        return Ok(());
    }
    let tmp = to.with_extension("copying");
    std::fs::copy(from, &tmp).and_then(|_| std::fs::rename(&tmp, to)).map_err(|e| SyncError::io(to, e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::sync::publish::publish;
    use crate::core::sync::signing::{KeyPairText, keygen};
    use crate::core::sync::source::{DEFAULT_MAX_FILE, DEFAULT_MAX_TOTAL, Origin};
    use crate::core::sync::transport::Limits;

    /// A publisher's folder, a screen's content folder, and the source between them.
    struct Setup {
        _dir: tempfile::TempDir,
        site: PathBuf,
        content: PathBuf,
        pair: KeyPairText,
        source: Source,
    }

    fn setup() -> Setup {
        let dir = tempfile::tempdir().unwrap();
        let (site, content) = (dir.path().join("site"), dir.path().join("playlists"));
        std::fs::create_dir_all(site.join("poems")).unwrap();
        std::fs::write(site.join("poems/autumn.md"), "# Autumn").unwrap();
        std::fs::write(site.join("cover.png"), "png bytes").unwrap();
        let pair = keygen().unwrap();
        publish(&site, &pair.secret, 100).unwrap();
        let source = Source {
            origin: Origin::Folder(site.clone()),
            into: "poetry".into(),
            public_key: pair.public_line.clone(),
            every: Duration::from_secs(600),
            max_rate: None,
            max_file: DEFAULT_MAX_FILE,
            max_total: DEFAULT_MAX_TOTAL,
        };
        Setup { _dir: dir, site, content, pair, source }
    }

    use std::time::Duration;

    fn sync(s: &Setup, record: &mut Record) -> Result<Change, SyncError> {
        sync_source(&s.source, &s.content, &Transport::new(Limits::default()).unwrap(), record, 1000)
    }

    fn updated(c: Change) -> Update {
        match c {
            Change::Updated(u) => u,
            Change::UpToDate => panic!("expected an update"),
        }
    }

    #[test]
    fn a_source_arrives_whole_and_an_update_fetches_only_what_changed() {
        let s = setup();
        let mut record = Record::default();
        let first = updated(sync(&s, &mut record).unwrap());
        assert_eq!((first.serial, first.files, first.downloaded), (100, 2, 2));
        let live = s.content.join("poetry");
        assert_eq!(std::fs::read_to_string(live.join("poems/autumn.md")).unwrap(), "# Autumn");
        assert!(live.join(SIGNATURE).exists());
        assert_eq!(sync(&s, &mut record).unwrap(), Change::UpToDate);
        std::fs::write(s.site.join("poems/autumn.md"), "# Autumn, again").unwrap();
        std::fs::remove_file(s.site.join("cover.png")).unwrap();
        std::fs::write(s.site.join("winter.md"), "# Winter").unwrap();
        publish(&s.site, &s.pair.secret, 101).unwrap();
        let second = updated(sync(&s, &mut record).unwrap());
        assert_eq!((second.serial, second.files, second.downloaded, second.removed), (101, 2, 2, 1));
        assert!(!live.join("cover.png").exists());
        assert_eq!(std::fs::read_to_string(live.join("winter.md")).unwrap(), "# Winter");
        assert!(!s.content.join(SYNC_WORK).join("sources/poetry").exists());
        assert_eq!((record.serial, record.changed, record.error.as_deref()), (Some(101), Some(1000), None));
    }

    #[test]
    fn a_changed_file_another_key_or_an_old_version_leave_the_version_in_force() {
        let s = setup();
        let mut record = Record::default();
        sync(&s, &mut record).unwrap();
        let old_manifest = std::fs::read(s.site.join(MANIFEST)).unwrap();
        let old_signature = std::fs::read(s.site.join(SIGNATURE)).unwrap();
        std::fs::write(s.site.join("cover.png"), "new png").unwrap();
        publish(&s.site, &s.pair.secret, 102).unwrap();
        std::fs::write(s.site.join("cover.png"), "tampered").unwrap();
        let e = sync(&s, &mut record).unwrap_err().to_string();
        assert!(e.contains("cover.png: its contents do not match"), "{e}");
        assert_eq!(std::fs::read_to_string(s.content.join("poetry/cover.png")).unwrap(), "png bytes");
        // The half-built version is gone; the tampered download too (nothing of it is kept).
        let work = s.content.join(SYNC_WORK).join("sources/poetry");
        assert!(!work.join("next").exists());
        let kept: Vec<_> =
            std::fs::read_dir(work.join("parts")).unwrap().flatten().map(|e| e.file_name()).collect();
        assert!(kept.is_empty(), "{kept:?}");
        assert_eq!((record.failures, record.serial), (1, Some(100)));
        std::fs::write(s.site.join("cover.png"), "new png").unwrap();
        assert!(matches!(sync(&s, &mut record), Ok(Change::Updated(Update { serial: 102, .. }))));
        // The old version replayed: refused; a manifest changed under its signature: refused.
        std::fs::write(s.site.join(MANIFEST), &old_manifest).unwrap();
        std::fs::write(s.site.join(SIGNATURE), &old_signature).unwrap();
        let e = sync(&s, &mut record).unwrap_err();
        assert!(matches!(e, SyncError::Replayed { new: 100, in_force: 102 }), "{e}");
        std::fs::write(s.site.join(MANIFEST), b"").unwrap();
        let e = sync(&s, &mut record).unwrap_err().to_string();
        assert!(e.contains("changed after it was signed"), "{e}");
        std::fs::write(s.site.join("cover.png"), "by someone else").unwrap();
        publish(&s.site, &keygen().unwrap().secret, 103).unwrap();
        let e = sync(&s, &mut record).unwrap_err().to_string();
        assert!(e.contains("not trusted"), "{e}");
        assert_eq!(std::fs::read_to_string(s.content.join("poetry/cover.png")).unwrap(), "new png");
    }

    #[test]
    fn files_that_came_whole_are_kept_when_another_cannot_come() {
        let s = setup();
        let mut record = Record::default();
        sync(&s, &mut record).unwrap();
        std::fs::write(s.site.join("film.mp4"), vec![3u8; 100_000]).unwrap();
        std::fs::write(s.site.join("late.md"), "# Late").unwrap();
        publish(&s.site, &s.pair.secret, 101).unwrap();
        std::fs::rename(s.site.join("late.md"), s.site.join("late.tmp")).unwrap();
        let e = sync(&s, &mut record).unwrap_err().to_string();
        assert!(e.starts_with("late.md: "), "{e}");
        std::fs::rename(s.site.join("late.tmp"), s.site.join("late.md")).unwrap();
        // The film came whole, or was stopped part way when late.md failed beside it: either
        // way what came stays, and the next round fetches only the rest.
        let parts = Work::new(&s.content, "poetry").parts;
        let kept: u64 =
            std::fs::read_dir(&parts).unwrap().map(|e| e.unwrap().metadata().unwrap().len()).sum();
        assert!(kept > 0, "nothing of the film was kept");
        let u = updated(sync(&s, &mut record).unwrap());
        assert_eq!(u.bytes, 100_000 - kept + 6, "only what had not come");
        assert_eq!(std::fs::read(s.content.join("poetry/film.mp4")).unwrap().len(), 100_000);
    }

    #[test]
    fn an_equal_or_older_serial_is_refused() {
        let s = setup();
        let mut record = Record::default();
        sync(&s, &mut record).unwrap();
        std::fs::write(s.site.join("cover.png"), "other").unwrap();
        publish(&s.site, &s.pair.secret, 50).unwrap(); // serial 101: one more than before
        let text = std::fs::read(s.site.join(MANIFEST)).unwrap();
        let sig = crate::core::sync::signing::sign(&text, &s.pair.secret, 100).unwrap();
        std::fs::write(s.site.join(SIGNATURE), sig).unwrap();
        assert!(matches!(sync(&s, &mut record), Err(SyncError::Replayed { new: 100, in_force: 100 })));
    }

    #[test]
    fn a_folder_staff_made_is_never_replaced_and_a_cap_leaves_nothing_behind() {
        let s = setup();
        std::fs::create_dir_all(s.content.join("poetry")).unwrap();
        std::fs::write(s.content.join("poetry/mine.jpg"), "staff's").unwrap();
        let e = sync(&s, &mut Record::default()).unwrap_err().to_string();
        assert!(e.contains("was not synced"), "{e}");
        assert!(s.content.join("poetry/mine.jpg").exists());
        let small = Setup { source: Source { into: "small".into(), max_total: 12, ..s.source.clone() }, ..s };
        let e = sync(&small, &mut Record::default()).unwrap_err();
        assert!(matches!(e, SyncError::TooLarge { .. }), "{e}");
        assert!(!small.content.join("small").exists());
        assert!(!small.content.join(SYNC_WORK).join("sources/small").exists());
    }
}
