//! Scans the content folder and reads `schedule.toml` on a worker thread (never on the screen's
//! thread), at start and whenever the watcher says something changed. Files still being copied
//! (not settled) are held back and looked at again when they may have settled. A playlist.toml
//! that cannot be read keeps that playlist's last good version; a folder that has gone keeps
//! everything playing. Announces each result with a [`ContentScanned`] message, and logs each
//! new problem once, in the same words as `corridor check`.

use std::collections::{BTreeSet, HashSet};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use bevy::prelude::*;
use bevy::tasks::{AsyncComputeTaskPool, Task, block_on, poll_once};

use super::Settings;
use super::watch::RescanWanted;
use crate::core::content::{self, Content, ScanError};
use crate::core::problems::Problem;
use crate::core::schedule::{self, Schedule};
use crate::core::settle::SettleTracker;

/// A finished scan of the content folder. `schedule` is None when schedule.toml has errors:
/// the last good schedule stays in force.
#[derive(Message, Clone, Debug)]
pub struct ContentScanned {
    pub content: Arc<Content>,
    pub schedule: Option<Arc<Schedule>>,
    /// Everything wrong in the content folder and schedule, as `corridor check` words it.
    pub problems: Arc<Vec<Problem>>,
}

type ScanResult = Result<(Content, schedule::Loaded, Option<SystemTime>), ScanError>;

#[derive(Resource)]
struct Library {
    scanning: Option<Task<ScanResult>>,
    again: bool,
    recheck_at: Option<SystemTime>,
    tracker: Arc<Mutex<SettleTracker>>,
    last: Option<Arc<Content>>,
    logged: BTreeSet<String>,
    folder_missing: bool,
}

pub(super) fn plugin(app: &mut App) {
    app.add_message::<ContentScanned>();
    app.add_systems(Startup, start_first_scan);
    app.add_systems(PreUpdate, (want_scan, finish_scan).chain());
}

/// Scans the content folder and reads its schedule.
pub fn scan_all(settings: &Settings) -> Result<(Content, schedule::Loaded), ScanError> {
    let content = content::scan(&settings.0.content, &settings.0.slides)?;
    let names: Vec<String> = content.playlists.keys().cloned().collect();
    let schedule = schedule::load(&settings.0.content, &names);
    Ok((content, schedule))
}

/// On a worker thread: scans, holds back files still being copied, and keeps the last good
/// version of a playlist whose playlist.toml cannot be read. Returns when to look again.
fn scan_settled(settings: &Settings, tracker: &Mutex<SettleTracker>, last: Option<&Content>) -> ScanResult {
    let (mut content, loaded) = scan_all(settings)?;
    let (waiting, recheck) = match tracker.lock() {
        Ok(mut t) => {
            t.set_settle(settings.0.settle_time);
            t.observe(&content.stamps, SystemTime::now())
        }
        Err(_) => (Vec::new(), None),
    };
    if !waiting.is_empty() {
        let waiting: HashSet<PathBuf> = waiting.into_iter().collect();
        for playlist in content.playlists.values_mut() {
            playlist.items.retain(|i| !waiting.contains(&i.path));
        }
    }
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
    Ok((content, loaded, recheck))
}

fn spawn_scan(settings: &Settings, library: &Library) -> Task<ScanResult> {
    let settings = settings.clone();
    let tracker = library.tracker.clone();
    let last = library.last.clone();
    AsyncComputeTaskPool::get().spawn(async move {
        super::background::lower_priority();
        scan_settled(&settings, &tracker, last.as_deref())
    })
}

fn start_first_scan(mut commands: Commands, settings: Res<Settings>) {
    let mut library = Library {
        scanning: None,
        again: false,
        recheck_at: None,
        tracker: Arc::new(Mutex::new(SettleTracker::new(settings.0.settle_time))),
        last: None,
        logged: BTreeSet::new(),
        folder_missing: false,
    };
    library.scanning = Some(spawn_scan(&settings, &library));
    commands.insert_resource(library);
}

fn want_scan(
    mut wanted: MessageReader<RescanWanted>,
    library: Option<ResMut<Library>>,
    settings: Res<Settings>,
) {
    let Some(mut library) = library else { return };
    let mut want = wanted.read().count() > 0;
    if library.recheck_at.is_some_and(|t| SystemTime::now() >= t) {
        library.recheck_at = None;
        want = true;
    }
    if !want {
        return;
    }
    if library.scanning.is_some() {
        library.again = true;
    } else {
        library.scanning = Some(spawn_scan(&settings, &library));
    }
}

fn finish_scan(
    library: Option<ResMut<Library>>,
    settings: Res<Settings>,
    mut out: MessageWriter<ContentScanned>,
) {
    let Some(mut library) = library else { return };
    let Some(task) = library.scanning.as_mut() else { return };
    let Some(result) = block_on(poll_once(task)) else { return };
    library.scanning = None;
    let (content, loaded, recheck) = match result {
        Ok(r) => r,
        Err(e) => {
            if !library.folder_missing {
                library.folder_missing = true;
                match library.last {
                    Some(_) => warn!("{e}; what is in memory keeps playing until it returns"),
                    None => error!("{e}; showing the fallback slide until it appears"),
                }
            }
            if std::mem::take(&mut library.again) {
                library.scanning = Some(spawn_scan(&settings, &library));
            }
            return;
        }
    };
    library.folder_missing = false;
    library.recheck_at = recheck;
    let mut problems: Vec<Problem> = content.problems.clone();
    problems.extend(loaded.problems.iter().cloned());
    if loaded.schedule.is_none() {
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
    let content = Arc::new(content);
    library.last = Some(content.clone());
    if std::mem::take(&mut library.again) {
        library.scanning = Some(spawn_scan(&settings, &library));
    }
    out.write(ContentScanned {
        content,
        schedule: loaded.schedule.map(Arc::new),
        problems: Arc::new(problems),
    });
}
