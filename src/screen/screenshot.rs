//! `screenshot_file`: a small JPEG (480 pixels wide) of what the screen really shows, taken from
//! the rendered frame a few seconds after the first slide and then every `screenshot_every`
//! (default 5 minutes), for IT to look at remotely. Made small and written (atomically) on a
//! thread of its own; [`ScreenshotSaved`] tells the status file.

use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::time::{Duration, Instant};

use bevy::prelude::*;
use bevy::render::view::screenshot::{Screenshot, ScreenshotCaptured};
use chrono::DateTime;
use chrono_tz::Tz;

use super::clock::ScreenClock;
use super::rotation::Rotated;
use super::stage::SlideShown;
use super::{AppSystems, Settings};
use crate::core::files::write_atomically;
use crate::core::media::screenshot::{WIDTH, screenshot_jpeg};

/// The first screenshot waits this long after the first slide went up.
const FIRST_AFTER: Duration = Duration::from_secs(3);

/// A screenshot was written.
#[derive(Message, Clone, Debug)]
pub struct ScreenshotSaved {
    pub path: PathBuf,
    pub at: DateTime<Tz>,
}

#[derive(Resource)]
struct Shots {
    path: PathBuf,
    to_worker: Sender<(Image, PathBuf)>,
    done: Mutex<Receiver<Result<PathBuf, String>>>,
    next: Option<Instant>,
}

pub(super) fn plugin(app: &mut App) {
    app.add_message::<ScreenshotSaved>();
    let Some(path) = app.world().resource::<Settings>().0.screenshot_file.clone() else { return };
    let (to_worker, jobs) = channel::<(Image, PathBuf)>();
    let (results, done) = channel();
    let spawned = std::thread::Builder::new().name("corridor screenshots".into()).spawn(move || {
        super::background::idle_priority();
        for (image, path) in jobs {
            let saved = image
                .try_into_dynamic()
                .map_err(|e| e.to_string())
                .and_then(|frame| screenshot_jpeg(frame, WIDTH).map_err(|e| e.to_string()))
                .and_then(|jpeg| {
                    write_atomically(&path, &jpeg).map_err(|e| format!("{}: {e}", path.display()))
                })
                .map(|()| path);
            if results.send(saved).is_err() {
                return;
            }
        }
    });
    if spawned.is_err() {
        warn!("screenshots: no thread could be started; no screenshots");
        return;
    }
    app.insert_resource(Shots { path, to_worker, done: Mutex::new(done), next: None });
    app.add_systems(Update, (take, report).in_set(AppSystems::Report));
}

/// Takes a screenshot when one is due (the first a moment after the first slide went up).
fn take(
    mut commands: Commands,
    mut shots: ResMut<Shots>,
    mut shown: MessageReader<SlideShown>,
    settings: Res<Settings>,
    rotated: Option<Res<Rotated>>,
) {
    let now = Instant::now();
    if shown.read().count() > 0 && shots.next.is_none() {
        shots.next = Some(now + FIRST_AFTER);
    }
    if shots.next.is_none_or(|t| now < t) {
        return;
    }
    shots.next = Some(now + settings.0.screenshot_every);
    // A turned screen is taken upright, as a viewer sees it.
    let screenshot = match &rotated {
        Some(r) => Screenshot::image(r.image.clone()),
        None => Screenshot::primary_window(),
    };
    let (to_worker, path) = (shots.to_worker.clone(), shots.path.clone());
    commands.spawn(screenshot).observe(move |shot: On<ScreenshotCaptured>| {
        let _ = to_worker.send((shot.image.clone(), path.clone()));
    });
}

/// Logs a screenshot that could not be written; announces each one that was.
fn report(shots: Res<Shots>, clock: Res<ScreenClock>, mut saved: MessageWriter<ScreenshotSaved>) {
    let Ok(done) = shots.done.lock() else { return };
    while let Ok(result) = done.try_recv() {
        match result {
            Ok(path) => {
                saved.write(ScreenshotSaved { path, at: clock.now() });
            }
            Err(e) => warn!("cannot save the screenshot: {e}"),
        }
    }
}
