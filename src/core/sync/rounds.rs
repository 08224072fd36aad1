//! When each source is looked at, and what a round says: every `every` (with a random delay so
//! hundreds of screens do not ask at the same second), sooner after a failure (30 s, doubling up
//! to `every`), and one line per round for the log and `corridor sync --once`.

use std::path::Path;
use std::time::{Duration, Instant};

use super::SyncError;
use super::record::{self, Record};
use super::source::Source;
use super::subscribe::{Change, sync_source};
use super::transport::Transport;

/// The first wait after a failed round; it doubles with each failure, up to `every`.
pub const RETRY: Duration = Duration::from_secs(30);
/// The largest random delay before a round.
pub const MAX_JITTER: Duration = Duration::from_secs(60);

/// One source's round, as it ended.
#[derive(Clone, Debug)]
pub struct Report {
    pub into: String,
    pub result: Result<Change, String>,
    /// The source's record after the round.
    pub record: Record,
}

impl Report {
    /// The round in one line: "poetry: up to date (serial 12)".
    pub fn line(&self) -> String {
        let serial = self.record.serial.map_or_else(|| "nothing yet".to_string(), |s| format!("serial {s}"));
        match &self.result {
            Ok(Change::UpToDate) => format!("{}: up to date ({serial})", self.into),
            Ok(Change::Updated(u)) => format!(
                "{}: updated to serial {}: {} of {} files downloaded ({:.1} MB), {} removed",
                self.into,
                u.serial,
                u.downloaded,
                u.files,
                u.bytes as f64 / 1e6,
                u.removed
            ),
            Err(e) => format!("{}: not updated: {e}; the version in force stays ({serial})", self.into),
        }
    }
}

/// Runs one round of `source` and keeps its record in `state`; `now` is Unix seconds.
pub fn sync_one(source: &Source, content: &Path, state: &Path, transport: &Transport, now: i64) -> Report {
    let path = record::path(state, &source.into);
    let mut record = record::load(&path);
    let mut result = sync_source(source, content, transport, &mut record, now).map_err(|e| e.to_string());
    if let Err(e) = record::save(&path, &record) {
        result = result.and(Err(e.to_string()));
    }
    Report { into: source.into.clone(), result, record }
}

/// The wait before a source's next round, after `failures` failed rounds in a row.
pub fn next_wait(every: Duration, failures: u32) -> Duration {
    if failures == 0 {
        return every;
    }
    RETRY.saturating_mul(1 << (failures - 1).min(16)).min(every)
}

/// A random delay before a round: up to a tenth of `every`, at most [`MAX_JITTER`].
pub fn jitter(every: Duration) -> Duration {
    let most = (every / 10).min(MAX_JITTER).as_millis() as u64;
    if most == 0 {
        return Duration::ZERO;
    }
    use std::hash::{BuildHasher, RandomState};
    Duration::from_millis(RandomState::new().hash_one(Instant::now()) % most)
}

/// When each source is due next.
#[derive(Debug)]
pub struct Plan {
    due: Vec<Instant>,
}

impl Plan {
    /// Every source due after its random delay from `now`.
    pub fn new(sources: &[Source], now: Instant) -> Self {
        Self { due: sources.iter().map(|s| now + jitter(s.every)).collect() }
    }

    /// The sources due at `now`.
    pub fn due(&self, now: Instant) -> Vec<usize> {
        (0..self.due.len()).filter(|&i| self.due[i] <= now).collect()
    }

    /// Source `i` had a round at `now` that left `failures` failures in a row.
    pub fn done(&mut self, i: usize, source: &Source, failures: u32, now: Instant) {
        self.due[i] = now + next_wait(source.every, failures) + jitter(source.every);
    }

    /// Source `i` could not run now (another corridor holds the lock): again in `wait`.
    pub fn later(&mut self, i: usize, wait: Duration, now: Instant) {
        self.due[i] = now + wait;
    }

    /// How long until the next source is due.
    pub fn wait(&self, now: Instant) -> Duration {
        self.due.iter().map(|d| d.saturating_duration_since(now)).min().unwrap_or(Duration::MAX)
    }
}

/// Why a round of every source cannot start: there is nowhere to keep their state.
pub fn need_state(state: Option<&Path>) -> Result<&Path, SyncError> {
    state.ok_or_else(|| {
        SyncError::Refused("sources need a state folder (set `state_folder` in corridor.toml)".into())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::sync::source::{DEFAULT_MAX_FILE, DEFAULT_MAX_TOTAL, Origin};

    fn source(every: u64) -> Source {
        Source {
            origin: Origin::Folder("/nowhere".into()),
            into: "poetry".into(),
            public_key: String::new(),
            every: Duration::from_secs(every),
            max_rate: None,
            max_file: DEFAULT_MAX_FILE,
            max_total: DEFAULT_MAX_TOTAL,
        }
    }

    #[test]
    fn failures_are_retried_sooner_then_back_off_up_to_every() {
        let every = Duration::from_secs(600);
        assert_eq!(next_wait(every, 0), every);
        assert_eq!(next_wait(every, 1), Duration::from_secs(30));
        assert_eq!(next_wait(every, 3), Duration::from_secs(120));
        assert_eq!(next_wait(every, 9), every);
        assert_eq!(next_wait(every, 100), every);
    }

    #[test]
    fn rounds_come_due_every_period_with_a_bounded_random_delay() {
        let now = Instant::now();
        let sources = [source(600), source(30)];
        let mut plan = Plan::new(&sources, now);
        assert!(plan.wait(now) <= Duration::from_secs(3));
        let later = now + Duration::from_secs(61);
        assert_eq!(plan.due(later), [0, 1]);
        plan.done(0, &sources[0], 0, later);
        plan.done(1, &sources[1], 2, later);
        assert_eq!(plan.due(later + Duration::from_secs(34)), [1]);
        let w = plan.wait(later);
        assert!(w >= Duration::from_secs(30) && w <= Duration::from_secs(33), "{w:?}");
        for _ in 0..50 {
            assert!(jitter(Duration::from_secs(3600)) < MAX_JITTER);
        }
    }
}
