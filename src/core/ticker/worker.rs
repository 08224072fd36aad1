//! Keeping the feeds fresh. [`Feeds`] holds each feed's last good headlines and its state
//! (when it last worked, why it failed, when to try again, with back-off for a failing feed);
//! [`FeedWorker`] runs it on its own thread, fetching due feeds side by side, and hands the lines
//! to scroll to the screen over a channel. A feed that fails keeps its last good headlines.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, channel};
use std::time::{Duration, Instant};

use chrono::{DateTime, Local, Utc};

use super::cache::{Cached, FeedCache};
use super::fetch::{FetchError, Fetched, Fetcher, Limits, Validators};
use super::{FeedConfig, FeedSource, TickerLine, TickerSettings, lines};
use crate::core::feeds::{self, Headline};

/// The first retry of a failing feed comes after this; each further failure doubles it.
pub const FIRST_RETRY: Duration = Duration::from_secs(30);
/// A failing feed is tried at least this often (or every `refresh`, if that is longer).
pub const LONGEST_RETRY: Duration = Duration::from_secs(3600);

/// How long to wait before trying a feed again after `failures` failures in a row.
pub fn retry_after(failures: u32, refresh: Duration) -> Duration {
    if failures == 0 {
        return refresh;
    }
    let ceiling = LONGEST_RETRY.max(refresh);
    FIRST_RETRY.saturating_mul(1u32 << (failures - 1).min(16)).min(ceiling)
}

/// A feed's state, for the status file and `corridor check`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FeedState {
    pub label: String,
    pub source: String,
    /// Headlines held (the last good copy).
    pub headlines: usize,
    pub last_success: Option<DateTime<Utc>>,
    /// Why the last try failed; `None` when it worked (or has not been tried).
    pub error: Option<String>,
    /// Fetched at least once since start (otherwise what shows came from the cache).
    pub fetched: bool,
}

#[derive(Clone, Debug)]
struct Record {
    headlines: Vec<Headline>,
    validators: Validators,
    last_success: Option<DateTime<Utc>>,
    error: Option<String>,
    failures: u32,
    next_due: Instant,
    fetched: bool,
}

/// Every configured feed's last good headlines and state.
pub struct Feeds {
    settings: Arc<TickerSettings>,
    records: HashMap<FeedSource, Record>,
    cache: Option<FeedCache>,
}

impl Feeds {
    pub fn new(cache: Option<FeedCache>) -> Self {
        Self { settings: Arc::new(TickerSettings::default()), records: HashMap::new(), cache }
    }

    pub fn settings(&self) -> &Arc<TickerSettings> {
        &self.settings
    }

    /// Follows a new ticker.toml: new feeds start from their cached copy and are due at once;
    /// feeds no longer listed are forgotten.
    pub fn set_settings(&mut self, settings: Arc<TickerSettings>, now: Instant) {
        self.records.retain(|source, _| settings.feeds.iter().any(|f| &f.source == source));
        for feed in &settings.feeds {
            if self.records.contains_key(&feed.source) {
                continue;
            }
            let cached = self.cache.as_ref().and_then(|c| c.load(&feed.source));
            let record = match cached {
                Some(c) => Record {
                    headlines: c.headlines,
                    validators: c.validators,
                    last_success: Some(c.last_success),
                    error: None,
                    failures: 0,
                    next_due: now,
                    fetched: false,
                },
                None => Record {
                    headlines: Vec::new(),
                    validators: Validators::default(),
                    last_success: None,
                    error: None,
                    failures: 0,
                    next_due: now,
                    fetched: false,
                },
            };
            self.records.insert(feed.source.clone(), record);
        }
        self.settings = settings;
    }

    /// The feeds due for a fetch at `now`.
    pub fn due(&self, now: Instant) -> Vec<FeedConfig> {
        self.settings
            .feeds
            .iter()
            .filter(|f| self.records.get(&f.source).is_none_or(|r| r.next_due <= now))
            .cloned()
            .collect()
    }

    /// When the next feed falls due.
    pub fn next_due(&self) -> Option<Instant> {
        self.records.values().map(|r| r.next_due).min()
    }

    /// Fetches `due` side by side (each bounded by the fetcher's limits), then files the
    /// results. Returns the feeds whose error changed, as log lines.
    pub fn fetch(
        &mut self,
        fetcher: &Fetcher,
        due: &[FeedConfig],
        now: Instant,
        wall: DateTime<Utc>,
    ) -> Vec<String> {
        let answers: Vec<(FeedSource, Result<Fetched, FetchError>)> = std::thread::scope(|scope| {
            let handles: Vec<_> = due
                .iter()
                .map(|feed| {
                    let since =
                        self.records.get(&feed.source).map(|r| r.validators.clone()).unwrap_or_default();
                    let source = feed.source.clone();
                    scope.spawn(move || {
                        let answer = fetcher.fetch(&source, &since);
                        (source, answer)
                    })
                })
                .collect();
            handles
                .into_iter()
                .zip(due)
                .map(|(h, feed)| {
                    h.join().unwrap_or_else(|_| {
                        (feed.source.clone(), Err(FetchError::Other("the fetch stopped unexpectedly".into())))
                    })
                })
                .collect()
        });
        let mut log = Vec::new();
        for (source, answer) in answers {
            let outcome = answer.and_then(|fetched| match fetched {
                Fetched::NotModified => Ok(None),
                Fetched::Body { bytes, validators } => Ok(Some((feeds::parse(&bytes)?, validators))),
            });
            if let Some(line) = self.file(&source, outcome, now, wall) {
                log.push(line);
            }
        }
        log
    }

    /// Files one feed's result; returns a log line when its error has changed.
    fn file(
        &mut self,
        source: &FeedSource,
        outcome: Result<Option<(Vec<Headline>, Validators)>, FetchError>,
        now: Instant,
        wall: DateTime<Utc>,
    ) -> Option<String> {
        let refresh = self.settings.refresh;
        let label = self.settings.feeds.iter().find(|f| &f.source == source).map(|f| f.label.clone());
        let record = self.records.get_mut(source)?;
        record.fetched = true;
        let before = record.error.clone();
        match outcome {
            Ok(fresh) => {
                if let Some((headlines, validators)) = fresh {
                    record.headlines = headlines;
                    record.validators = validators;
                }
                record.last_success = Some(wall);
                record.error = None;
                record.failures = 0;
                if let Some(cache) = &self.cache {
                    let copy = Cached {
                        headlines: record.headlines.clone(),
                        validators: record.validators.clone(),
                        last_success: wall,
                    };
                    // A cache that cannot be written costs only the offline start.
                    let _ = cache.save(source, &copy);
                }
            }
            Err(e) => {
                record.error = Some(e.to_string());
                record.failures = record.failures.saturating_add(1);
            }
        }
        record.next_due = now + retry_after(record.failures, refresh);
        let name = match label.filter(|l| !l.is_empty()) {
            Some(l) => format!("feed \"{l}\" ({source})"),
            None => format!("feed {source}"),
        };
        match (&before, &record.error) {
            (b, Some(e)) if b.as_ref() != Some(e) => Some(format!(
                "{name}: {e}; {} headlines from its last good copy keep scrolling",
                record.headlines.len()
            )),
            (Some(_), None) => Some(format!("{name} works again")),
            _ => None,
        }
    }

    /// The lines to scroll now.
    pub fn lines(&self, now: DateTime<Utc>) -> Vec<TickerLine> {
        let empty: &[Headline] = &[];
        let today = now.with_timezone(&Local).date_naive();
        lines(
            &self.settings,
            |i| self.records.get(&self.settings.feeds[i].source).map_or(empty, |r| r.headlines.as_slice()),
            now,
            today,
        )
    }

    /// Each feed's state, in ticker.toml's order.
    pub fn states(&self) -> Vec<FeedState> {
        self.settings
            .feeds
            .iter()
            .map(|f| {
                let r = self.records.get(&f.source);
                FeedState {
                    label: f.label.clone(),
                    source: f.source.to_string(),
                    headlines: r.map_or(0, |r| r.headlines.len()),
                    last_success: r.and_then(|r| r.last_success),
                    error: r.and_then(|r| r.error.clone()),
                    fetched: r.is_some_and(|r| r.fetched),
                }
            })
            .collect()
    }
}

/// Fetches every feed of `settings` once, now (for `corridor ticker` and `corridor check`).
pub fn fetch_all(settings: Arc<TickerSettings>, limits: Limits) -> Result<Feeds, FetchError> {
    let fetcher = Fetcher::new(limits)?;
    let mut feeds = Feeds::new(None);
    let now = Instant::now();
    feeds.set_settings(settings, now);
    let due = feeds.due(now);
    feeds.fetch(&fetcher, &due, now, Utc::now());
    Ok(feeds)
}

/// What the feed thread hands the screen.
#[derive(Clone, Debug)]
pub struct TickerUpdate {
    pub settings: Arc<TickerSettings>,
    pub lines: Vec<TickerLine>,
    pub feeds: Vec<FeedState>,
    /// Every feed has been tried at least once (a snapshot waits for this).
    pub all_tried: bool,
    /// Feeds that failed or recovered since the last update, as log lines.
    pub log: Vec<String>,
}

/// How often the lines are worked out again without a fetch (messages' dates, `max_age`).
const RECHECK: Duration = Duration::from_secs(60);

/// The feed thread: give it ticker settings, read updates.
pub struct FeedWorker {
    settings: Sender<Arc<TickerSettings>>,
    updates: Receiver<TickerUpdate>,
}

impl FeedWorker {
    /// Starts the thread. `on_start` runs first on it (to lower its priority).
    pub fn start(
        cache: Option<FeedCache>,
        limits: Limits,
        on_start: impl FnOnce() + Send + 'static,
    ) -> std::io::Result<Self> {
        let (settings_tx, settings_rx) = channel::<Arc<TickerSettings>>();
        let (updates_tx, updates) = channel();
        std::thread::Builder::new().name("corridor feeds".into()).spawn(move || {
            on_start();
            run(Feeds::new(cache), limits, settings_rx, updates_tx);
        })?;
        Ok(Self { settings: settings_tx, updates })
    }

    /// Hands the thread a new ticker.toml.
    pub fn set(&self, settings: Arc<TickerSettings>) {
        let _ = self.settings.send(settings);
    }

    /// The newest update, if any came since the last call.
    pub fn latest(&self) -> Option<TickerUpdate> {
        self.updates.try_iter().reduce(|mut older, mut newer| {
            older.log.append(&mut newer.log);
            newer.log = older.log;
            newer
        })
    }
}

fn run(mut feeds: Feeds, limits: Limits, settings: Receiver<Arc<TickerSettings>>, out: Sender<TickerUpdate>) {
    let fetcher = match Fetcher::new(limits) {
        Ok(f) => Some(f),
        Err(e) => {
            let _ = out.send(TickerUpdate {
                settings: feeds.settings().clone(),
                lines: Vec::new(),
                feeds: Vec::new(),
                all_tried: true,
                log: vec![format!("feeds cannot be fetched: {e}; only file feeds and messages show")],
            });
            None
        }
    };
    let mut have_settings = false;
    let mut last_sent: Option<Sent> = None;
    let mut last_check = Instant::now();
    loop {
        let wait = if have_settings {
            let due_in = feeds.next_due().map_or(RECHECK, |d| d.saturating_duration_since(Instant::now()));
            due_in.min(RECHECK.saturating_sub(last_check.elapsed()))
        } else {
            Duration::from_secs(3600)
        };
        let mut changed_settings = false;
        match settings.recv_timeout(wait) {
            Ok(s) => {
                let newest = settings.try_iter().last().unwrap_or(s);
                feeds.set_settings(newest, Instant::now());
                have_settings = true;
                changed_settings = true;
            }
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => return,
        }
        if !have_settings {
            continue;
        }
        let mut log = Vec::new();
        if changed_settings {
            // Cached copies first, so the strip fills before the network answers.
            if send(&feeds, &out, &mut last_sent, false, Vec::new(), true).is_err() {
                return;
            }
        }
        let due = feeds.due(Instant::now());
        if let (Some(fetcher), false) = (&fetcher, due.is_empty()) {
            log = feeds.fetch(fetcher, &due, Instant::now(), Utc::now());
        }
        last_check = Instant::now();
        let all_tried = fetcher.is_none() || feeds.states().iter().all(|s| s.fetched);
        if send(&feeds, &out, &mut last_sent, all_tried, log, changed_settings).is_err() {
            return;
        }
    }
}

type Sent = (Vec<TickerLine>, Vec<FeedState>, bool);

/// Sends an update when the lines, the states or `all_tried` changed, or there is something to
/// log (or `force`).
fn send(
    feeds: &Feeds,
    out: &Sender<TickerUpdate>,
    last: &mut Option<Sent>,
    all_tried: bool,
    log: Vec<String>,
    force: bool,
) -> Result<(), ()> {
    let now = (feeds.lines(Utc::now()), feeds.states(), all_tried);
    if !force && log.is_empty() && last.as_ref() == Some(&now) {
        return Ok(());
    }
    let update = TickerUpdate {
        settings: feeds.settings().clone(),
        lines: now.0.clone(),
        feeds: now.1.clone(),
        all_tried,
        log,
    };
    *last = Some(now);
    out.send(update).map_err(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failing_feeds_back_off() {
        let refresh = Duration::from_secs(600);
        assert_eq!(retry_after(0, refresh), refresh);
        assert_eq!(retry_after(1, refresh), Duration::from_secs(30));
        assert_eq!(retry_after(2, refresh), Duration::from_secs(60));
        assert_eq!(retry_after(5, refresh), Duration::from_secs(480));
        assert_eq!(retry_after(9, refresh), LONGEST_RETRY);
        assert_eq!(retry_after(40, refresh), LONGEST_RETRY);
        assert_eq!(retry_after(40, Duration::from_secs(7200)), Duration::from_secs(7200));
    }
}
