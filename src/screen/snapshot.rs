//! `corridor snapshot`: waits until the slide due at the chosen moment is fully on screen (and
//! the ticker has tried its feeds), saves the window as a PNG and exits. With `--frames N` it
//! saves N frames, one every `--step` of show time, to check transitions frame by frame. With
//! `--layout FILE.json` it also writes where every zone and every text was laid out.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bevy::prelude::*;
use bevy::render::view::screenshot::{Screenshot, ScreenshotCaptured};
use bevy::text::TextLayoutInfo;
use bevy::time::TimeUpdateStrategy;
use bevy::ui::{ComputedNode, UiGlobalTransform};
use serde_json::{Value, json};

use super::SnapshotSpec;
use super::branding::LogoComing;
use super::layout::ScreenZones;
use super::rotation::Rotated;
use super::showing::StageState;
use super::ticker::TickerReady;
use crate::core::layout::Rect;

/// Frames to wait once the slide is settled, so text and pictures are laid out and uploaded.
const SETTLE_FRAMES: u32 = 5;
/// Give up waiting for a slide after this long and save whatever shows (the fallback slide).
const WAIT_LIMIT: Duration = Duration::from_secs(60);

#[derive(Resource)]
struct Plan {
    spec: SnapshotSpec,
    started: Instant,
    settled_frames: u32,
    requested: u32,
    results: Arc<Mutex<Vec<Result<PathBuf, String>>>>,
}

pub(super) fn plugin(app: &mut App, spec: SnapshotSpec) {
    // Show time advances by a fixed step each frame, whatever the speed of the machine.
    let step = if spec.frames.is_some() { spec.step } else { Duration::from_millis(1) };
    app.insert_resource(TimeUpdateStrategy::ManualDuration(step));
    app.insert_resource(Plan {
        spec,
        started: Instant::now(),
        settled_frames: 0,
        requested: 0,
        results: Arc::new(Mutex::new(Vec::new())),
    });
    app.add_systems(Last, (capture, finish).chain());
}

/// The file for frame `i` of a sequence: shot.png -> shot-003.png.
pub fn frame_path(out: &Path, i: u32) -> PathBuf {
    let stem = out.file_stem().and_then(|s| s.to_str()).unwrap_or("snapshot");
    out.with_file_name(format!("{stem}-{i:03}.png"))
}

/// Every text on screen: what it says, its node's box and the size its glyphs were laid out
/// at, in logical pixels.
type Texts<'w, 's> = Query<
    'w,
    's,
    (
        &'static Text,
        &'static ComputedNode,
        &'static UiGlobalTransform,
        Option<&'static TextLayoutInfo>,
        &'static InheritedVisibility,
    ),
>;

fn rect_json(r: Rect) -> Value {
    json!({ "x": r.x, "y": r.y, "w": r.w, "h": r.h })
}

/// The zones and the visible texts, as `--layout` writes them.
fn layout_json(zones: &ScreenZones, texts: &Texts) -> Value {
    let z = zones.0;
    let named: serde_json::Map<String, Value> =
        z.named().into_iter().map(|(name, r)| (name.to_string(), rect_json(r))).collect();
    let texts: Vec<Value> = texts
        .iter()
        .filter(|(.., visible)| visible.get())
        .map(|(text, node, at, info, _)| {
            let k = node.inverse_scale_factor;
            let (size, centre) = (node.size * k, at.translation * k);
            let laid_out = info.map_or(Vec2::ZERO, |i| i.size * k);
            json!({
                "text": text.0,
                "box": rect_json(Rect { x: centre.x - size.x / 2.0, y: centre.y - size.y / 2.0, w: size.x, h: size.y }),
                "laid_out": { "w": laid_out.x, "h": laid_out.y },
            })
        })
        .collect();
    json!({ "screen": rect_json(z.screen), "zones": named, "texts": texts })
}

fn write_layout(path: &Path, zones: &ScreenZones, texts: &Texts) {
    let text = serde_json::to_string_pretty(&layout_json(zones, texts)).unwrap_or_default();
    match std::fs::write(path, text) {
        Ok(()) => info!("saved {}", path.display()),
        Err(e) => error!("could not save the layout to {}: {e}", path.display()),
    }
}

fn capture(
    mut commands: Commands,
    state: Res<StageState>,
    ticker: Res<TickerReady>,
    mut plan: ResMut<Plan>,
    mut time: ResMut<Time<Virtual>>,
    zones: Res<ScreenZones>,
    texts: Texts,
    logo: Option<Res<LogoComing>>,
    rotated: Option<Res<Rotated>>,
) {
    if hold_time_while_waiting(&state, &mut time) {
        return;
    }
    let wanted = plan.spec.frames.unwrap_or(1);
    if plan.requested >= wanted {
        return;
    }
    if plan.settled_frames < SETTLE_FRAMES {
        if (state.settled() && ticker.0 && logo.is_none()) || plan.started.elapsed() > WAIT_LIMIT {
            plan.settled_frames += 1;
        }
        return;
    }
    let path = match plan.spec.frames {
        Some(_) => frame_path(&plan.spec.out, plan.requested),
        None => plan.spec.out.clone(),
    };
    if plan.requested == 0
        && let Some(layout) = &plan.spec.layout
    {
        write_layout(layout, &zones, &texts);
    }
    plan.requested += 1;
    // A turned screen is saved upright, as a viewer sees it.
    let screenshot = match &rotated {
        Some(r) => Screenshot::image(r.image.clone()),
        None => Screenshot::primary_window(),
    };
    save_shot(&mut commands, screenshot, path, plan.results.clone());
}

/// Show time stands still while the next slide is still being prepared after the current one
/// has had its time: the frames show what the player shows, however fast this machine decodes.
/// True while it stands still.
fn hold_time_while_waiting(state: &StageState, time: &mut Time<Virtual>) -> bool {
    let waiting = state.show.as_ref().is_some_and(|s| s.waiting_for_next());
    if waiting != time.is_paused() {
        if waiting {
            time.pause();
        } else {
            time.unpause();
        }
    }
    waiting
}

/// Takes `screenshot` and saves it as a PNG at `path`, filing the outcome in `results`.
fn save_shot(
    commands: &mut Commands,
    screenshot: Screenshot,
    path: PathBuf,
    results: Arc<Mutex<Vec<Result<PathBuf, String>>>>,
) {
    commands.spawn(screenshot).observe(move |shot: On<ScreenshotCaptured>| {
        let saved = shot
            .image
            .clone()
            .try_into_dynamic()
            .map_err(|e| e.to_string())
            .and_then(|img| {
                img.to_rgb8().save_with_format(&path, image::ImageFormat::Png).map_err(|e| e.to_string())
            })
            .map(|()| path.clone());
        if let Ok(mut r) = results.lock() {
            r.push(saved);
        }
    });
}

fn finish(plan: Res<Plan>, mut exit: MessageWriter<AppExit>) {
    let wanted = plan.spec.frames.unwrap_or(1) as usize;
    let Ok(results) = plan.results.lock() else {
        return;
    };
    if results.len() < wanted {
        return;
    }
    let mut failed = false;
    for r in results.iter() {
        match r {
            Ok(path) => info!("saved {}", path.display()),
            Err(e) => {
                error!("could not save the snapshot: {e}");
                failed = true;
            }
        }
    }
    exit.write(if failed { AppExit::error() } else { AppExit::Success });
}
