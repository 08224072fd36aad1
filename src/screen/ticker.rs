//! The ticker strip: class-blog headlines and staff messages scrolling right to left at a
//! constant speed in pixels per second, whatever the frame rate, as one seamless loop. The
//! feeds are kept fresh on their own thread (the core's `FeedWorker`); here each line becomes a
//! text laid out once as it comes into view, and a frame only moves the few texts on the strip.
//! A new list of lines takes over where the loop starts again, never mid-scroll. With nothing to
//! show, the strip hides itself: pupils never see an error; errors go to the log.

use std::sync::{Arc, Mutex};

use bevy::prelude::*;

use super::Settings;
use super::content::ContentScanned;
use super::fonts::{self, Fonts};
use super::layout::{StripShown, TickerStrip};
use crate::core::ticker::cache::FeedCache;
use crate::core::ticker::fetch::Limits;
use crate::core::ticker::worker::{FeedState, FeedWorker, TickerUpdate};
use crate::core::ticker::{TickerSettings, drawable};

/// The feeds' states changed: for the status file.
#[derive(Message, Clone, Debug)]
pub struct FeedsChanged(pub Arc<Vec<FeedState>>);

/// True once every feed of the current ticker.toml has been tried (or there are none), so
/// the strip shows what it will show. A snapshot waits for this.
#[derive(Resource, Default, Debug)]
pub struct TickerReady(pub bool);

/// The ticker's systems, run each frame (for ordering and for the benchmark).
#[derive(SystemSet, Clone, Debug, PartialEq, Eq, Hash)]
pub struct TickerSystems;

/// Texts are placed this far ahead of the strip's right edge (in strip widths), so a text is
/// laid out before it comes into view.
const LOOKAHEAD: f32 = 1.5;
/// Text height, in percent of the screen height.
const TEXT_VMIN: f32 = 3.2;

#[derive(Resource)]
struct FeedThread {
    worker: Mutex<FeedWorker>,
    /// The settings last handed to the thread.
    sent: Option<Arc<TickerSettings>>,
}

/// The loop going round.
#[derive(Resource, Default)]
struct Loop {
    speed: f32,
    /// The texts going round, each ending in the separator.
    current: Arc<Vec<String>>,
    /// A new list, taken up when the loop comes round to its start.
    pending: Option<Arc<Vec<String>>>,
    /// The index in `current` of the next text to come into view.
    next: usize,
}

/// One text on the strip. `x` is its left edge from the strip's left, in logical pixels;
/// `width` is known once the text has been laid out.
#[derive(Component)]
struct Segment {
    x: f32,
    width: Option<f32>,
}

pub(super) fn plugin(app: &mut App) {
    app.add_message::<FeedsChanged>();
    app.init_resource::<Loop>();
    let enabled = app.world().resource::<Settings>().0.layout.ticker;
    app.insert_resource(TickerReady(!enabled));
    if !enabled {
        return;
    }
    app.add_systems(Startup, start_feed_thread);
    app.add_systems(
        Update,
        (follow_ticker_file, receive, scroll, show_or_hide)
            .chain()
            .in_set(TickerSystems)
            .in_set(super::AppSystems::Present)
            .run_if(resource_exists::<FeedThread>),
    );
}

fn start_feed_thread(
    mut commands: Commands,
    settings: Res<Settings>,
    mut ready: ResMut<TickerReady>,
    mut shown: ResMut<StripShown>,
) {
    let cache = settings.0.feed_cache().map(FeedCache::new);
    match FeedWorker::start(cache, Limits::default(), super::background::idle_priority) {
        Ok(worker) => commands.insert_resource(FeedThread { worker: Mutex::new(worker), sent: None }),
        Err(e) => {
            error!("cannot start the ticker's feed thread: {e}; the ticker strip is hidden");
            ready.0 = true;
            shown.0 = false;
        }
    }
}

/// Hands each new ticker.toml to the feed thread (a broken one keeps the last good).
fn follow_ticker_file(mut scanned: MessageReader<ContentScanned>, mut thread: ResMut<FeedThread>) {
    let Some(scan) = scanned.read().last() else { return };
    let new = match (&scan.ticker, &thread.sent) {
        (Some(s), Some(sent)) if **sent == *s => return,
        (Some(s), _) => s.clone(),
        (None, Some(_)) => return,
        (None, None) => TickerSettings::default(),
    };
    let new = Arc::new(new);
    if let Ok(w) = thread.worker.lock() {
        w.set(new.clone());
    }
    thread.sent = Some(new);
}

/// The text of one line as it scrolls, with the separator after it.
fn segment_text(line: &str, separator: &str) -> String {
    let line = drawable(line, fonts::covers);
    if separator.is_empty() { format!("{line}          ") } else { format!("{line}     {separator}     ") }
}

fn receive(
    thread: Res<FeedThread>,
    mut lp: ResMut<Loop>,
    mut ready: ResMut<TickerReady>,
    mut changed: MessageWriter<FeedsChanged>,
) {
    let update: Option<TickerUpdate> = thread.worker.lock().ok().and_then(|w| w.latest());
    let Some(update) = update else { return };
    for line in &update.log {
        warn!("ticker: {line}");
    }
    changed.write(FeedsChanged(Arc::new(update.feeds)));
    let is_current = thread.sent.as_ref().is_some_and(|s| Arc::ptr_eq(s, &update.settings));
    let now_ready = update.all_tried && is_current;
    if ready.0 != now_ready {
        ready.0 = now_ready;
    }
    let s = &update.settings;
    lp.speed = s.speed;
    let texts: Vec<String> =
        update.lines.iter().map(|l| segment_text(&l.shown(s.show_labels), &s.separator)).collect();
    if *lp.current == texts {
        // Back to what is going round: nothing waits any more.
        lp.pending = None;
        return;
    }
    if lp.pending.as_deref() == Some(&texts) {
        return;
    }
    if lp.current.is_empty() {
        lp.current = Arc::new(texts);
        lp.pending = None;
        lp.next = 0;
    } else {
        lp.pending = Some(Arc::new(texts));
    }
}

fn scroll(
    mut commands: Commands,
    time: Res<Time>,
    mut lp: ResMut<Loop>,
    fonts: Res<Fonts>,
    strip: Query<(Entity, &ComputedNode), With<TickerStrip>>,
    mut segments: Query<(Entity, &mut Segment, &ComputedNode, &mut UiTransform)>,
) {
    let Ok((strip, strip_node)) = strip.single() else { return };
    let strip_width = strip_node.size.x * strip_node.inverse_scale_factor;
    let dx = lp.speed * time.delta_secs();
    let mut right_edge: Option<f32> = None;
    let mut all_measured = true;
    for (entity, mut seg, node, mut transform) in &mut segments {
        if seg.width.is_none() && node.size.x > 0.0 {
            seg.width = Some(node.size.x * node.inverse_scale_factor);
        }
        seg.x -= dx;
        transform.translation = Val2::px(seg.x, 0.0);
        match seg.width {
            Some(w) if seg.x + w < 0.0 => commands.entity(entity).despawn(),
            Some(w) => right_edge = Some(right_edge.map_or(seg.x + w, |r: f32| r.max(seg.x + w))),
            None => all_measured = false,
        }
    }
    // The strip is hidden or not laid out yet, or a text is still being laid out.
    if strip_width <= 0.0 || !all_measured {
        return;
    }
    // The first text starts a little in from the left edge; each next one right after the last.
    let edge = right_edge.unwrap_or(strip_width * 0.01);
    if edge >= strip_width * (1.0 + LOOKAHEAD) {
        return;
    }
    if lp.next >= lp.current.len() {
        // The loop comes round: a new list takes over here.
        if let Some(new) = lp.pending.take() {
            lp.current = new;
        }
        lp.next = 0;
    }
    let Some(text) = lp.current.get(lp.next).cloned() else { return };
    lp.next += 1;
    let seg = spawn_segment(&mut commands, &fonts, text, edge);
    commands.entity(strip).add_child(seg);
}

/// One headline's text, starting at `edge` of the strip.
fn spawn_segment(commands: &mut Commands, fonts: &Fonts, text: String, edge: f32) -> Entity {
    commands
        .spawn((
            Name::new("ticker text"),
            Segment { x: edge, width: None },
            Node {
                position_type: PositionType::Absolute,
                left: px(0),
                top: px(0),
                height: percent(100),
                align_items: AlignItems::Center,
                ..default()
            },
            UiTransform::from_translation(Val2::px(edge, 0.0)),
        ))
        .with_child((
            Text::new(text),
            TextLayout::no_wrap(),
            fonts.regular(TEXT_VMIN),
            TextColor(Color::srgba(1.0, 1.0, 1.0, 0.92)),
        ))
        .id()
}

/// Hides the strip once it is clear there is nothing to show; shows it when there is.
fn show_or_hide(
    lp: Res<Loop>,
    ready: Res<TickerReady>,
    segments: Query<(), With<Segment>>,
    mut shown: ResMut<StripShown>,
) {
    let has_lines =
        !lp.current.is_empty() || lp.pending.as_ref().is_some_and(|p| !p.is_empty()) || !segments.is_empty();
    let want = has_lines || !ready.0;
    if shown.0 != want {
        shown.0 = want;
    }
}
