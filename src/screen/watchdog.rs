//! systemd's watchdog sees the picture: READY=1 once the first frame has been presented, then
//! WATCHDOG=1 from the render thread only after it presents a frame (after `RenderSystems::
//! Render`, where frames are presented), never from a timer; so a screen whose picture froze is
//! restarted by systemd. STATUS= names the slide on screen. Nothing runs unless systemd (or a test)
//! set `NOTIFY_SOCKET`. During `[[off]]` periods the screen still presents a frame a second.
//!
//! For tests only: `CORRIDOR_TEST_FREEZE_AFTER=SECONDS` blocks the present path that many seconds
//! after the first slide went on screen (every other thread runs on), as a hung driver would.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bevy::prelude::*;
use bevy::render::{Render, RenderApp, RenderSystems};

use super::AppSystems;
use super::stage::SlideShown;
use crate::kiosk::Notifier;

/// The notifier, shared by the main world (status) and the render world (frames).
#[derive(Resource, Clone)]
struct Notify(Arc<Mutex<Notifier>>);

/// The test hook: how long after the first slide the present path freezes, and when that is
/// (once a slide has shown).
#[derive(Resource, Clone)]
struct Freeze {
    after: Duration,
    at: Arc<Mutex<Option<Instant>>>,
}

pub(super) fn plugin(app: &mut App) {
    let Some(notifier) = Notifier::from_env() else { return };
    let notify = Notify(Arc::new(Mutex::new(notifier)));
    app.insert_resource(notify.clone());
    app.add_systems(Update, say_what_shows.in_set(AppSystems::Report));
    let freeze = std::env::var("CORRIDOR_TEST_FREEZE_AFTER")
        .ok()
        .and_then(|s| s.trim().parse::<f64>().ok())
        .map(|s| Freeze { after: Duration::from_secs_f64(s.max(0.0)), at: Arc::default() });
    if let Some(freeze) = &freeze {
        app.insert_resource(freeze.clone());
    }
    let Some(render_app) = app.get_sub_app_mut(RenderApp) else { return };
    render_app.insert_resource(notify);
    render_app
        .add_systems(Render, frame_presented.after(RenderSystems::Render).before(RenderSystems::Cleanup));
    if let Some(freeze) = freeze {
        render_app.insert_resource(freeze);
        render_app.add_systems(Render, freeze_present.before(RenderSystems::Render));
    }
}

fn frame_presented(notify: Res<Notify>) {
    if let Ok(mut n) = notify.0.lock() {
        n.frame_presented(Instant::now());
    }
}

fn say_what_shows(mut shown: MessageReader<SlideShown>, notify: Res<Notify>, freeze: Option<Res<Freeze>>) {
    let Some(slide) = shown.read().last() else { return };
    if let Some(freeze) = freeze
        && let Ok(mut at) = freeze.at.lock()
    {
        at.get_or_insert_with(|| Instant::now() + freeze.after);
    }
    if let Ok(mut n) = notify.0.lock() {
        n.status(&format!("showing {}: {}", slide.playlist, slide.file.display()));
    }
}

/// The test hook: from its moment on, the present path never finishes a frame again.
fn freeze_present(freeze: Res<Freeze>) {
    let at = freeze.at.lock().ok().and_then(|at| *at);
    if at.is_some_and(|at| Instant::now() >= at) {
        warn!("CORRIDOR_TEST_FREEZE_AFTER: the present path is frozen (a test)");
        loop {
            std::thread::sleep(Duration::from_secs(1));
        }
    }
}
