//! Scans the content folder and reads `schedule.toml` on a worker thread (never on the screen's
//! thread) and announces the result with a [`ContentScanned`] message. Each problem is logged
//! once, in the same words as `corridor check`.

use std::sync::Arc;

use bevy::prelude::*;
use bevy::tasks::{AsyncComputeTaskPool, Task, block_on, poll_once};

use super::Settings;
use crate::core::content::{self, Content, ScanError};
use crate::core::schedule::{self, Schedule};

/// A finished scan of the content folder. `schedule` is None when schedule.toml has errors:
/// the last good schedule stays in force.
#[derive(Message, Clone, Debug)]
pub struct ContentScanned {
    pub content: Arc<Content>,
    pub schedule: Option<Arc<Schedule>>,
}

type ScanResult = Result<(Content, schedule::Loaded), ScanError>;

/// The scan under way, if any.
#[derive(Resource, Default)]
struct Scanning(Option<Task<ScanResult>>);

pub(super) fn plugin(app: &mut App) {
    app.add_message::<ContentScanned>();
    app.init_resource::<Scanning>();
    app.add_systems(Startup, start_scan);
    app.add_systems(PreUpdate, finish_scan);
}

/// Scans the content folder and reads its schedule (on a worker thread).
pub fn scan_all(settings: &Settings) -> ScanResult {
    let content = content::scan(&settings.0.content, &settings.0.slides)?;
    let names: Vec<String> = content.playlists.keys().cloned().collect();
    let schedule = schedule::load(&settings.0.content, &names);
    Ok((content, schedule))
}

fn start_scan(settings: Res<Settings>, mut scanning: ResMut<Scanning>) {
    let settings = settings.clone();
    scanning.0 = Some(AsyncComputeTaskPool::get().spawn(async move { scan_all(&settings) }));
}

fn finish_scan(mut scanning: ResMut<Scanning>, mut out: MessageWriter<ContentScanned>) {
    let Some(task) = scanning.0.as_mut() else { return };
    let Some(result) = block_on(poll_once(task)) else { return };
    scanning.0 = None;
    match result {
        Ok((content, loaded)) => {
            for p in content.problems.iter().chain(&loaded.problems) {
                warn!("{p}");
            }
            if loaded.schedule.is_none() {
                warn!("{}: it has errors, so the last good schedule stays in force", schedule::SCHEDULE_FILE);
            }
            out.write(ContentScanned { content: Arc::new(content), schedule: loaded.schedule.map(Arc::new) });
        }
        Err(e) => error!("{e}; showing the fallback slide"),
    }
}
