//! Scans the content folder and reads `schedule.toml` on a worker thread (never on the screen's
//! thread), at start and whenever the watcher says something changed. Files still being copied
//! (not settled) are held back and looked at again when they may have settled. A playlist.toml
//! that cannot be read keeps that playlist's last good version; a folder that has gone keeps
//! everything playing. Announces each result with a [`ContentScanned`] message ([`ScanFailed`]
//! when the folder cannot be read), and logs each new problem once, in the same words as
//! `corridor check`.

use std::collections::{BTreeSet, HashSet};
use std::path::PathBuf;
use std::sync::mpsc::{Receiver, Sender, TryRecvError, channel};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use bevy::prelude::*;

use super::Settings;
use super::layout::StageSize;
use super::watch::RescanWanted;
use crate::core::config::Config;
use crate::core::content::{Content, ScanError};
use crate::core::deck::cache::DeckCache;
use crate::core::library::{self, Kept, Reading};
use crate::core::media::Notice;
use crate::core::problems::Problem;
use crate::core::schedule::{self, Schedule};
use crate::core::settle::SettleTracker;
use crate::core::sync::guard::Guard;
use crate::core::ticker::TickerSettings;
use crate::core::widgets::WidgetData;

/// A finished scan of the content folder. `schedule` is None when schedule.toml has errors:
/// the last good schedule stays in force.
#[derive(Message, Clone, Debug)]
pub struct ContentScanned {
    pub content: Arc<Content>,
    pub schedule: Option<Arc<Schedule>>,
    /// Everything wrong in the content folder and schedule, as `corridor check` words it.
    pub problems: Arc<Vec<Problem>>,
    /// The emergency alert, if there is one.
    pub alert: Option<Notice>,
    /// The widgets' data files.
    pub widgets: WidgetData,
    /// What ticker.toml says; None when it cannot be read (the last good one stays).
    pub ticker: Option<TickerSettings>,
    /// Decks whose pages are not drawn yet (left out of their playlists until they are).
    pub pending_decks: Arc<Vec<PathBuf>>,
}

/// Decks are drawn during the scan instead of by a worker (a snapshot shows their pages).
#[derive(Resource)]
pub struct ConvertDecksNow;

/// How the scanner draws decks: the stage's size, and whether now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct DeckJob {
    stage: (u32, u32),
    now: bool,
}

/// A scan could not read the content folder at all (it is missing, not a folder, or cannot be
/// read): what is in memory keeps playing, or the fallback slide shows when nothing was ever read.
/// Sent after every such scan (the log says it once), so a test or the status can tell that the
/// folder was looked at and found wanting.
#[derive(Message, Clone, Debug)]
pub struct ScanFailed(pub Arc<ScanError>);

type ScanResult = Result<(Reading, Option<SystemTime>), ScanError>;

/// A scan for the scanner thread to make.
struct ScanJob {
    settings: Settings,
    last: Option<Arc<Content>>,
    decks: DeckJob,
}

#[derive(Resource)]
struct Library {
    jobs: Sender<ScanJob>,
    results: Mutex<Receiver<ScanResult>>,
    /// A scan is under way.
    scanning: bool,
    again: bool,
    recheck_at: Option<SystemTime>,
    last: Option<Arc<Content>>,
    decks: DeckJob,
    logged: BTreeSet<String>,
    folder_missing: bool,
}

pub(super) fn plugin(app: &mut App) {
    app.add_message::<ContentScanned>();
    app.add_message::<ScanFailed>();
    app.add_systems(Startup, start_first_scan);
    app.add_systems(
        Update,
        (want_scan, finish_scan)
            .chain()
            .in_set(super::AppSystems::ReadInputs)
            .after(super::watch::WatchSystems),
    );
}

/// On a worker thread: scans, holds back files still being copied, and keeps the last good
/// version of a playlist whose playlist.toml cannot be read. Returns when to look again.
fn scan_settled(
    job: &ScanJob,
    tracker: &mut SettleTracker,
    (kept, decks): (&mut Kept, &mut Option<DeckCache>),
) -> ScanResult {
    let (settings, last) = (&job.settings, job.last.as_deref());
    kept.guard.update(&settings.0.trusted_keys, &settings.0.sources);
    let mut reading = library::read(&settings.0.content, &settings.0.slides, kept)?;
    let content = &mut reading.content;
    tracker.set_settle(settings.0.settle_time);
    let (waiting, recheck) = tracker.observe(&content.stamps, SystemTime::now());
    if !waiting.is_empty() {
        let waiting: HashSet<PathBuf> = waiting.into_iter().collect();
        for playlist in content.playlists.values_mut() {
            playlist.items.retain(|i| i.source.file().is_none_or(|p| !waiting.contains(p)));
        }
    }
    // Only decks that have finished copying are drawn.
    let cache = deck_cache(decks, &settings.0, job.decks.stage);
    reading.pending_decks = library::expand_decks(&mut reading.content, cache, job.decks.now).pending;
    let content = &mut reading.content;
    if let Some(last) = last {
        for name in content.broken_settings.clone() {
            if let Some(good) = last.playlists.get(&name) {
                content.playlists.insert(name, good.clone());
            }
        }
    }
    content.changed = content
        .playlists
        .iter()
        .filter(|(name, p)| last.and_then(|l| l.playlists.get(*name)) != Some(*p))
        .map(|(name, _)| name.clone())
        .chain(
            last.iter()
                .flat_map(|l| l.playlists.keys())
                .filter(|n| !content.playlists.contains_key(*n))
                .cloned(),
        )
        .collect();
    Ok((reading, recheck))
}

/// Hands a scan to the scanner thread.
fn spawn_scan(settings: &Settings, library: &mut Library) {
    let job = ScanJob { settings: settings.clone(), last: library.last.clone(), decks: library.decks };
    library.scanning = library.jobs.send(job).is_ok();
}

/// The scanner: one thread for the whole run, at low priority, so that neither the screen's
/// thread nor the pools that Bevy's systems run on wait for a scan.
fn start_first_scan(
    mut commands: Commands,
    settings: Res<Settings>,
    stage: Res<StageSize>,
    now: Option<Res<ConvertDecksNow>>,
) {
    let (jobs, job_rx) = channel::<ScanJob>();
    let (result_tx, results) = channel::<ScanResult>();
    let settle = settings.0.settle_time;
    let spawned = std::thread::Builder::new().name("corridor scanner".into()).spawn(move || {
        super::background::idle_priority();
        let mut tracker = SettleTracker::new(settle);
        let mut kept = Kept { guard: Guard::new(&[], &[], true), ..Kept::default() };
        let mut decks = None;
        for job in job_rx {
            let result = scan_settled(&job, &mut tracker, (&mut kept, &mut decks));
            if result_tx.send(result).is_err() {
                return;
            }
        }
    });
    if let Err(e) = spawned {
        error!("cannot start scanning the content folder: {e}");
    }
    let mut library = Library {
        jobs,
        results: Mutex::new(results),
        scanning: false,
        again: false,
        recheck_at: None,
        last: None,
        decks: DeckJob { stage: (stage.0.x.max(2), stage.0.y.max(2)), now: now.is_some() },
        logged: BTreeSet::new(),
        folder_missing: false,
    };
    spawn_scan(&settings, &mut library);
    commands.insert_resource(library);
}

fn want_scan(
    mut wanted: MessageReader<RescanWanted>,
    library: Option<ResMut<Library>>,
    settings: Res<Settings>,
    stage: Res<StageSize>,
) {
    let Some(mut library) = library else { return };
    library.decks.stage = (stage.0.x.max(2), stage.0.y.max(2));
    let mut want = wanted.read().count() > 0;
    if library.recheck_at.is_some_and(|t| SystemTime::now() >= t) {
        library.recheck_at = None;
        want = true;
    }
    if !want {
        return;
    }
    if library.scanning {
        library.again = true;
    } else {
        spawn_scan(&settings, &mut library);
    }
}

/// The folder could not be read: said once in the log, announced after every such scan.
fn scan_failed(
    library: &mut Library,
    settings: &Settings,
    e: ScanError,
    failed: &mut MessageWriter<ScanFailed>,
) {
    if !library.folder_missing {
        library.folder_missing = true;
        match library.last {
            Some(_) => warn!("{e}; what is in memory keeps playing until it returns"),
            None => error!("{e}; showing the fallback slide until it appears"),
        }
    }
    if std::mem::take(&mut library.again) {
        spawn_scan(settings, library);
    }
    failed.write(ScanFailed(Arc::new(e)));
}

fn finish_scan(
    library: Option<ResMut<Library>>,
    settings: Res<Settings>,
    mut out: MessageWriter<ContentScanned>,
    mut failed: MessageWriter<ScanFailed>,
) {
    let Some(mut library) = library else { return };
    if !library.scanning {
        return;
    }
    let received = match library.results.lock() {
        Ok(r) => r.try_recv(),
        Err(_) => Err(TryRecvError::Disconnected),
    };
    let result = match received {
        Ok(result) => result,
        Err(TryRecvError::Empty) => return,
        // The scanner thread has gone (it should not): nothing more can be scanned.
        Err(TryRecvError::Disconnected) => {
            library.scanning = false;
            return;
        }
    };
    library.scanning = false;
    let (reading, recheck) = match result {
        Ok(r) => r,
        Err(e) => {
            scan_failed(&mut library, &settings, e, &mut failed);
            return;
        }
    };
    library.folder_missing = false;
    library.recheck_at = recheck;
    let mut problems = reading.all_problems();
    if reading.schedule.schedule.is_none() {
        problems.push(Problem::error(
            Some(schedule::SCHEDULE_FILE.into()),
            "it has errors, so the last good schedule stays in force".to_string(),
        ));
    }
    // Log each problem once, not at every rescan.
    let now_lines: BTreeSet<String> = problems.iter().map(|p| p.to_string()).collect();
    for line in now_lines.difference(&library.logged) {
        warn!("{line}");
    }
    library.logged = now_lines;
    let content = Arc::new(reading.content);
    library.last = Some(content.clone());
    if std::mem::take(&mut library.again) {
        spawn_scan(&settings, &mut library);
    }
    out.write(ContentScanned {
        content,
        schedule: reading.schedule.schedule.map(Arc::new),
        problems: Arc::new(problems),
        alert: reading.alert,
        widgets: reading.widgets,
        ticker: reading.ticker,
        pending_decks: Arc::new(reading.pending_decks),
    });
}

/// The scanner's deck cache for these settings and this stage (made again when they change);
/// None without a state folder.
fn deck_cache<'a>(
    decks: &'a mut Option<DeckCache>,
    config: &Config,
    stage: (u32, u32),
) -> Option<&'a mut DeckCache> {
    let root = config.state_folder()?.join("decks");
    let (limits, cap) = (config.slides.decks, config.slides.deck_cache_max);
    if !decks.as_ref().is_some_and(|d| d.is_for(&root, stage, limits, cap)) {
        *decks = Some(DeckCache::new(&root, stage, limits, cap));
    }
    decks.as_mut()
}
