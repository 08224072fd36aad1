//! `metrics_file`: the screen's health in Prometheus' text format ([`crate::core::metrics`]),
//! rewritten (a temp file, then a rename) every 15 seconds and whenever something in it changes,
//! for node-exporter's textfile collector. Frames are counted where they are presented, in the
//! render world, so a frozen picture shows as a last-frame time that stops moving.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Sender, channel};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use bevy::prelude::*;
use bevy::render::{Render, RenderApp, RenderSystems};

use super::content::ContentScanned;
use super::on_air::OnAir;
use super::stage::SlideShown;
use super::sync::Sources;
use super::ticker::FeedsChanged;
use super::{AppSystems, Settings};
use crate::core::files::write_atomically;
use crate::core::metrics::{FeedMetric, Snapshot, SourceMetric, render};
use crate::core::problems::Severity;

/// How often the file is rewritten when nothing changed (the last-frame time moves on).
const EVERY: Duration = Duration::from_secs(15);

/// Frames presented, and the last one's time in milliseconds since 1970; shared with the
/// render world.
#[derive(Resource, Clone, Default)]
struct Frames(Arc<(AtomicU64, AtomicU64)>);

#[derive(Resource)]
struct Metrics {
    path: PathBuf,
    tx: Sender<(PathBuf, String)>,
    snapshot: Snapshot,
    written: Option<Instant>,
    dirty: bool,
}

pub(super) fn plugin(app: &mut App) {
    let settings = &app.world().resource::<Settings>().0;
    let Some(path) = settings.metrics_file.clone() else { return };
    let snapshot = Snapshot {
        screen: settings.screen.clone(),
        version: env!("CARGO_PKG_VERSION").into(),
        ..Snapshot::default()
    };
    let (tx, rx) = channel::<(PathBuf, String)>();
    let spawned = std::thread::Builder::new().name("corridor metrics".into()).spawn(move || {
        super::background::idle_priority();
        for (path, text) in rx {
            if let Err(e) = write_atomically(&path, text.as_bytes()) {
                warn!("cannot write the metrics file {}: {e}", path.display());
            }
        }
    });
    if spawned.is_err() {
        warn!("metrics: no thread could be started; no metrics file");
        return;
    }
    let frames = Frames::default();
    app.insert_resource(frames.clone());
    app.insert_resource(Metrics { path, tx, snapshot, written: None, dirty: true });
    app.add_systems(Update, (collect, write).chain().in_set(AppSystems::Report));
    if let Some(render_app) = app.get_sub_app_mut(RenderApp) {
        render_app.insert_resource(frames);
        render_app
            .add_systems(Render, count_frame.after(RenderSystems::Render).before(RenderSystems::Cleanup));
    }
}

fn count_frame(frames: Res<Frames>) {
    let ms = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64);
    frames.0.0.fetch_add(1, Ordering::Relaxed);
    frames.0.1.store(ms, Ordering::Relaxed);
}

/// Takes in what changed on screen since the last frame.
fn collect(
    mut metrics: ResMut<Metrics>,
    mut shown: MessageReader<SlideShown>,
    mut scanned: MessageReader<ContentScanned>,
    mut feeds: MessageReader<FeedsChanged>,
    (on_air, sources): (Option<Res<OnAir>>, Option<Res<Sources>>),
) {
    let m = &mut *metrics;
    if let Some(s) = shown.read().last() {
        m.snapshot.playlist = Some(s.playlist.clone());
        m.snapshot.slide = Some(s.file.display().to_string());
        m.snapshot.slide_since = Some(s.at.timestamp());
        m.dirty = true;
    }
    if let Some(scan) = scanned.read().last() {
        m.snapshot.errors = scan.problems.iter().filter(|p| p.severity == Severity::Error).count();
        m.snapshot.warnings = scan.problems.len() - m.snapshot.errors;
        m.dirty = true;
    }
    if let Some(f) = feeds.read().last() {
        // Each feed a series of its own: its address where its label is missing or shared.
        let shared = |label: &str| f.0.iter().filter(|g| g.label == label).count() > 1;
        m.snapshot.feeds =
            f.0.iter()
                .map(|f| FeedMetric {
                    label: if f.label.is_empty() || shared(&f.label) {
                        f.source.clone()
                    } else {
                        f.label.clone()
                    },
                    ok: f.error.is_none(),
                    last_success: f.last_success.map(|t| t.timestamp()),
                })
                .collect();
        m.dirty = true;
    }
    if let Some(on_air) = on_air.filter(|o| o.is_changed()) {
        m.snapshot.on_air = on_air.address.as_ref().map(|a| (a.url.clone(), on_air.since.is_some()));
        m.dirty = true;
    }
    if let Some(sources) = sources.filter(|s| s.is_changed()) {
        m.snapshot.sources = sources
            .0
            .iter()
            .map(|s| SourceMetric {
                into: s.into.clone(),
                ok: s.record.error.is_none(),
                serial: s.record.serial,
                last_success: s.record.up_to_date,
            })
            .collect();
        m.dirty = true;
    }
}

/// Hands the text to the writer thread when something changed or every [`EVERY`].
fn write(mut metrics: ResMut<Metrics>, frames: Res<Frames>) {
    let due = metrics.written.is_none_or(|t| t.elapsed() >= EVERY);
    if !metrics.dirty && !due {
        return;
    }
    let m = &mut *metrics;
    m.snapshot.frames = frames.0.0.load(Ordering::Relaxed);
    let last = frames.0.1.load(Ordering::Relaxed);
    m.snapshot.last_frame = (last > 0).then(|| last as f64 / 1000.0);
    (m.dirty, m.written) = (false, Some(Instant::now()));
    let _ = m.tx.send((m.path.clone(), render(&m.snapshot)));
}
