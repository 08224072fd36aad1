//! What a screen remembers about each source between rounds and restarts (in the state folder,
//! `sync/<into>.json`): the serial in force, the manifest's validators (so an unchanged source
//! costs one request), when it was last looked at and last up to date, and the last error. And
//! the lock (`sync/lock`) that keeps `corridor sync --once` and a running player from syncing
//! at the same time.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::SyncError;
use crate::core::files::write_atomically;
use crate::core::ticker::fetch::Validators;

/// One source's state.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Record {
    /// The serial of the version in force.
    pub serial: Option<u64>,
    pub validators: Validators,
    /// The last round, Unix seconds.
    pub checked: Option<i64>,
    /// The last time the manifest came whole (not "not modified").
    pub fetched: Option<i64>,
    /// The last round that ended up to date.
    pub up_to_date: Option<i64>,
    /// When the version in force arrived.
    pub changed: Option<i64>,
    /// The last round's error, if it failed.
    pub error: Option<String>,
    /// Rounds failed in a row.
    pub failures: u32,
}

/// The folder of the records and the lock.
pub fn folder(state: &Path) -> PathBuf {
    state.join("sync")
}

/// Where `into`'s record is kept.
pub fn path(state: &Path, into: &str) -> PathBuf {
    folder(state).join(format!("{into}.json"))
}

/// The record at `path`; a missing or damaged one is an empty record.
pub fn load(path: &Path) -> Record {
    let Some(v) = std::fs::read(path).ok().and_then(|b| serde_json::from_slice::<Value>(&b).ok()) else {
        return Record::default();
    };
    let text = |k: &str| v.get(k).and_then(Value::as_str).map(String::from);
    Record {
        serial: v.get("serial").and_then(Value::as_u64),
        validators: Validators { etag: text("etag"), last_modified: text("last_modified") },
        checked: v.get("checked").and_then(Value::as_i64),
        fetched: v.get("fetched").and_then(Value::as_i64),
        up_to_date: v.get("up_to_date").and_then(Value::as_i64),
        changed: v.get("changed").and_then(Value::as_i64),
        error: text("error"),
        failures: v.get("failures").and_then(Value::as_u64).unwrap_or(0) as u32,
    }
}

/// Writes `record` to `path` (whole or not at all).
pub fn save(path: &Path, record: &Record) -> Result<(), SyncError> {
    let v = json!({
        "serial": record.serial,
        "etag": record.validators.etag,
        "last_modified": record.validators.last_modified,
        "checked": record.checked,
        "fetched": record.fetched,
        "up_to_date": record.up_to_date,
        "changed": record.changed,
        "error": record.error,
        "failures": record.failures,
    });
    write_atomically(path, v.to_string().as_bytes()).map_err(|e| SyncError::io(path, e))
}

/// Held while a sync runs; let go when dropped (or when the process ends, however it ends).
pub struct Lock {
    _file: File,
}

/// Takes the sync lock in `state`, waiting up to `wait` for another corridor to finish;
/// `waiting` is called once if it has to wait.
pub fn lock(state: &Path, wait: Duration, waiting: impl FnOnce()) -> Result<Lock, SyncError> {
    let path = folder(state).join("lock");
    std::fs::create_dir_all(folder(state)).map_err(|e| SyncError::io(&path, e))?;
    let file = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| SyncError::io(&path, e))?;
    let started = Instant::now();
    let mut waiting = Some(waiting);
    loop {
        if try_lock(&file) {
            return Ok(Lock { _file: file });
        }
        if started.elapsed() >= wait {
            return Err(SyncError::Refused(format!(
                "another corridor is syncing (it holds {}; waited {} s); try again later",
                path.display(),
                wait.as_secs()
            )));
        }
        if let Some(w) = waiting.take() {
            w();
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn try_lock(file: &File) -> bool {
    use std::os::fd::AsRawFd;
    // SAFETY: flock only reads the descriptor, which `file` keeps open.
    unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) == 0 }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_is_read_back_as_written_and_a_damaged_one_is_empty() {
        let dir = tempfile::tempdir().unwrap();
        let p = path(dir.path(), "poetry");
        let r = Record {
            serial: Some(7),
            validators: Validators { etag: Some("\"abc\"".into()), last_modified: None },
            checked: Some(100),
            fetched: Some(95),
            up_to_date: Some(90),
            changed: Some(80),
            error: Some("SHA256SUMS: the server answered 404 Not Found".into()),
            failures: 2,
        };
        save(&p, &r).unwrap();
        assert_eq!(load(&p), r);
        std::fs::write(&p, "{not json").unwrap();
        assert_eq!(load(&p), Record::default());
    }

    #[test]
    fn a_second_sync_waits_for_the_lock_and_gives_up_at_its_limit() {
        let dir = tempfile::tempdir().unwrap();
        let held = lock(dir.path(), Duration::ZERO, || {}).unwrap();
        let mut said = false;
        let e = lock(dir.path(), Duration::from_millis(300), || said = true);
        assert!(matches!(e, Err(SyncError::Refused(_))));
        assert!(said);
        drop(held);
        assert!(lock(dir.path(), Duration::ZERO, || {}).is_ok());
    }
}
