//! Telling when a copied file has finished arriving: a file is shown only once its size and
//! modification time have stayed the same for the settle time (2 s by default). On the first
//! look at the folder (when corridor starts), files last changed longer ago than that count as
//! settled at once, so the screen does not wait.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::{Duration, SystemTime};

use super::content::Stamp;

/// Remembers when each file was first seen with its current size and time.
#[derive(Clone, Debug)]
pub struct SettleTracker {
    settle: Duration,
    seen: BTreeMap<PathBuf, (Stamp, SystemTime)>,
    first_look: bool,
}

impl SettleTracker {
    pub fn new(settle: Duration) -> Self {
        Self { settle, seen: BTreeMap::new(), first_look: true }
    }

    /// Changes the settle time (corridor.toml edited while running).
    pub fn set_settle(&mut self, settle: Duration) {
        self.settle = settle;
    }

    /// Looks at the files of a scan made at `now`. Returns the files not settled yet and, if
    /// any, when to look again.
    pub fn observe(
        &mut self,
        stamps: &BTreeMap<PathBuf, Stamp>,
        now: SystemTime,
    ) -> (Vec<PathBuf>, Option<SystemTime>) {
        let first = std::mem::replace(&mut self.first_look, false);
        self.seen.retain(|p, _| stamps.contains_key(p));
        let mut waiting = Vec::new();
        let mut recheck: Option<SystemTime> = None;
        for (path, stamp) in stamps {
            let old_enough =
                stamp.modified.and_then(|m| now.duration_since(m).ok()).is_some_and(|age| age >= self.settle);
            let since = match self.seen.get(path) {
                Some((s, since)) if s == stamp => *since,
                _ => {
                    // New or changed. On the first look an old file counts as settled already.
                    let since = if first && old_enough { now - self.settle } else { now };
                    self.seen.insert(path.clone(), (*stamp, since));
                    since
                }
            };
            let ready_at = since + self.settle;
            if ready_at > now {
                waiting.push(path.clone());
                recheck = Some(recheck.map_or(ready_at, |r: SystemTime| r.min(ready_at)));
            }
        }
        (waiting, recheck)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stamps(list: &[(&str, u64, SystemTime)]) -> BTreeMap<PathBuf, Stamp> {
        list.iter()
            .map(|(p, size, m)| (PathBuf::from(p), Stamp { size: *size, modified: Some(*m) }))
            .collect()
    }

    #[test]
    fn old_files_are_ready_at_start_new_ones_wait() {
        let t0 = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
        let mut tr = SettleTracker::new(Duration::from_secs(2));
        let (waiting, recheck) =
            tr.observe(&stamps(&[("old.jpg", 10, t0 - Duration::from_secs(60)), ("new.jpg", 5, t0)]), t0);
        assert_eq!(waiting, [PathBuf::from("new.jpg")]);
        assert_eq!(recheck, Some(t0 + Duration::from_secs(2)));
        // Still growing a second later: waits on.
        let t1 = t0 + Duration::from_secs(1);
        let (waiting, _) =
            tr.observe(&stamps(&[("old.jpg", 10, t0 - Duration::from_secs(60)), ("new.jpg", 9, t1)]), t1);
        assert_eq!(waiting, [PathBuf::from("new.jpg")]);
        // Unchanged for 2 s: ready.
        let t3 = t1 + Duration::from_secs(2);
        let (waiting, recheck) =
            tr.observe(&stamps(&[("old.jpg", 10, t0 - Duration::from_secs(60)), ("new.jpg", 9, t1)]), t3);
        assert!(waiting.is_empty());
        assert_eq!(recheck, None);
    }

    #[test]
    fn a_copy_that_keeps_an_old_time_still_waits_for_its_size_to_settle() {
        let t0 = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
        let old = t0 - Duration::from_secs(3600);
        let mut tr = SettleTracker::new(Duration::from_secs(2));
        tr.observe(&stamps(&[("a.jpg", 1, old)]), t0);
        let t1 = t0 + Duration::from_secs(5);
        let (waiting, _) = tr.observe(&stamps(&[("a.jpg", 1, old), ("copied.jpg", 100, old)]), t1);
        assert_eq!(waiting, [PathBuf::from("copied.jpg")], "new after the first look: must be seen stable");
    }
}
