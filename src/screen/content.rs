//! Scans the content folder and reads `schedule.toml` on a worker thread (never on the screen's
//! thread), at start and whenever the watcher says something changed. Files still being copied
//! (not settled) are held back and looked at again when they may have settled. A playlist.toml
//! that cannot be read keeps that playlist's last good version; a folder that has gone keeps
//! everything playing. Announces each result with a [`ContentScanned`] message, and logs each
//! new problem once, in the same words as `corridor check`.

use std::collections::BTreeSet;
use std::sync::Arc;
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

type ScanResult = Result<(Content, schedule::Loaded), ScanError>;

#[derive(Resource)]
struct Library {
    scanning: Option<Task<ScanResult>>,
    again: bool,
    recheck_at: Option<SystemTime>,
    tracker: SettleTracker,
    last: Option<Arc<Content>>,
    logged: BTreeSet<String>,
    folder_missing: bool,
}

pub(super) fn plugin(app: &mut App) {
    app.add_message::<ContentScanned>();
    app.add_systems(Startup, start_first_scan);
    app.add_systems(PreUpdate, (want_scan, finish_scan).chain());
}

/// Scans the content folder and reads its schedule (on a worker thread).
pub fn scan_all(settings: &Settings) -> ScanResult {
    let content = content::scan(&settings.0.content, &settings.0.slides)?;
    let names: Vec<String> = content.playlists.keys().cloned().collect();
    let schedule = schedule::load(&settings.0.content, &names);
    Ok((content, schedule))
}

fn spawn_scan(settings: &Settings) -> Task<ScanResult> {
    let settings = settings.clone();
    AsyncComputeTaskPool::get().spawn(async move { scan_all(&settings) })
}

fn start_first_scan(mut commands: Commands, settings: Res<Settings>) {
    commands.insert_resource(Library {
        scanning: Some(spawn_scan(&settings)),
        again: false,
        recheck_at: None,
        tracker: SettleTracker::new(settings.0.settle_time),
        last: None,
        logged: BTreeSet::new(),
        folder_missing: false,
    });
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
        library.scanning = Some(spawn_scan(&settings));
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
    library.scanning = if std::mem::take(&mut library.again) { Some(spawn_scan(&settings)) } else { None };
    let (mut content, loaded) = match result {
        Ok(r) => r,
        Err(e) => {
            if !library.folder_missing {
                library.folder_missing = true;
                match library.last {
                    Some(_) => warn!("{e}; what is in memory keeps playing until it returns"),
                    None => error!("{e}; showing the fallback slide until it appears"),
                }
            }
            return;
        }
    };
    library.folder_missing = false;
    // Hold back files that are still being copied; look again when they may have settled.
    let (waiting, recheck) = library.tracker.observe(&content.stamps, SystemTime::now());
    library.recheck_at = recheck;
    if !waiting.is_empty() {
        for playlist in content.playlists.values_mut() {
            playlist.items.retain(|i| !SettleTracker::is_waiting(&waiting, &i.path));
        }
    }
    // A playlist.toml that cannot be read: keep that playlist as it last was.
    if let Some(last) = &library.last {
        for name in content.broken_settings.clone() {
            if let Some(good) = last.playlists.get(&name) {
                content.playlists.insert(name, good.clone());
            }
        }
    }
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
    out.write(ContentScanned {
        content,
        schedule: loaded.schedule.map(Arc::new),
        problems: Arc::new(problems),
    });
}
