//! Presentations drawn in the background: the decks a scan left out (not drawn yet) go to a
//! worker thread, one at a time, in the idle CPU class; when one is drawn (or found wanting),
//! the content folder is read again and its pages take the deck's place in its playlist.

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::mpsc::{Receiver, Sender, channel};

use bevy::prelude::*;

use super::content::ContentScanned;
use super::layout::StageSize;
use super::watch::RescanWanted;
use super::{AppSystems, Settings};
use crate::core::deck::DeckError;
use crate::core::deck::cache::DeckCache;
use crate::core::deck::convert::Limits;

/// A deck to draw at a stage size.
type Job = (PathBuf, (u32, u32));
/// How many pages were drawn, or why none (and whether the cache remembers why).
type Drawn = Result<usize, (String, bool)>;

#[derive(Resource)]
struct Converter {
    to_worker: Sender<Job>,
    done: Mutex<Receiver<(Job, Drawn)>>,
    /// Sent and not back yet, or given up until a restart (a tool missing): never queued twice.
    queued: HashSet<Job>,
}

pub(super) fn plugin(app: &mut App) {
    let config = &app.world().resource::<Settings>().0;
    let Some(root) = config.state_folder().map(|s| s.join("decks")) else { return };
    let (limits, cap) = (config.slides.decks, config.slides.deck_cache_max);
    let (to_worker, jobs) = channel::<Job>();
    let (results, done) = channel();
    let spawned = std::thread::Builder::new()
        .name("corridor decks".into())
        .spawn(move || draw_decks(&jobs, &results, &root, limits, cap));
    if spawned.is_err() {
        warn!("presentations: no thread could be started; decks are not shown");
        return;
    }
    app.insert_resource(Converter { to_worker, done: Mutex::new(done), queued: HashSet::new() });
    app.add_systems(Update, (queue, take_done).in_set(AppSystems::ReadInputs));
}

fn draw_decks(
    jobs: &Receiver<Job>,
    results: &Sender<(Job, Drawn)>,
    root: &std::path::Path,
    limits: Limits,
    cap: u64,
) {
    super::background::idle_priority();
    for (file, stage) in jobs {
        let mut cache = DeckCache::new(root, stage, limits, cap);
        let drawn = cache.convert(&file).map(|d| d.pages.len()).map_err(|e| {
            let remembered = !matches!(e, DeckError::NoLibreOffice | DeckError::NoPoppler | DeckError::Io(_));
            (e.to_string(), remembered)
        });
        if results.send(((file, stage), drawn)).is_err() {
            return;
        }
    }
}

/// Sends each deck a scan left out to the worker, once.
fn queue(mut scans: MessageReader<ContentScanned>, mut converter: ResMut<Converter>, stage: Res<StageSize>) {
    let stage = (stage.0.x.max(2), stage.0.y.max(2));
    for scan in scans.read() {
        for file in scan.pending_decks.iter() {
            let job = (file.clone(), stage);
            if converter.queued.insert(job.clone()) {
                info!("presentation {}: drawing its pages", file.display());
                let _ = converter.to_worker.send(job);
            }
        }
    }
}

/// A deck drawn (or not): logged, and the folder read again so its pages play.
fn take_done(mut converter: ResMut<Converter>, mut rescan: MessageWriter<RescanWanted>) {
    let finished: Vec<_> = match converter.done.lock() {
        Ok(done) => done.try_iter().collect(),
        Err(_) => return,
    };
    for (job, drawn) in finished {
        match drawn {
            Ok(pages) => info!("presentation {}: {pages} pages drawn", job.0.display()),
            // Remembered in the cache: the next scan reports it (and tries again once it changes).
            Err((e, true)) => warn!("presentation {}: {e}", job.0.display()),
            Err((e, false)) => {
                warn!("presentation {}: {e}; not tried again until corridor restarts", job.0.display());
                continue;
            }
        }
        converter.queued.remove(&job);
        rescan.write(RescanWanted);
    }
}
