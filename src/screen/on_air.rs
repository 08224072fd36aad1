//! The live broadcast on air. A watcher thread of its own reads which stream is on-air
//! (`LIVE.stream` at the top of the content folder, else `[live] url`) and, while it is off air,
//! tries it again and again with back-off ([`Backoff`]). The moment it is live, it covers the stage
//! (the whole screen with `[live] fullscreen`; the alert stays above it) and the show waits;
//! when it stalls or ends, its last frame stays for `[live] hold`, then it goes and the slide it
//! left starts again in full (or the playlist due now, if the schedule moved on meanwhile).

use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, TryRecvError, channel};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use bevy::prelude::*;

use super::AppSystems;
use super::Settings;
use super::clock::ScreenClock;
use super::content::ContentScanned;
use super::layout::{ScreenZones, StageArea, StageSize, bevy_colour, centred_cover};
use super::showing::StageState;
use super::stage::{aspect_of, picture_node};
use super::video::{VideoMaterial, VideoPlayback, video_picture};
use crate::core::config::LiveConfig;
use crate::core::live::{Backoff, on_air_address};
use crate::core::media::video::{PlayOptions, VideoStream};
use crate::core::stream::StreamAddress;
use crate::core::threads::lower_priority;

/// The on-air broadcast as the status file tells it.
#[derive(Resource, Default, Debug, Clone)]
pub struct OnAir {
    /// The stream watched, if one is set.
    pub address: Option<StreamAddress>,
    /// On air since (local time), while it is.
    pub since: Option<chrono::DateTime<chrono_tz::Tz>>,
    /// Why it is off air, when it was last tried.
    pub off_air: Option<String>,
}

/// A broadcast has left the air (for the play log).
#[derive(Message, Clone, Debug)]
pub struct OnAirEnded {
    pub stream: String,
    pub start: chrono::DateTime<chrono_tz::Tz>,
    pub end: chrono::DateTime<chrono_tz::Tz>,
}

/// The picture on air, covering the stage or the screen.
#[derive(Component)]
pub struct OnAirCover;

/// What the screen tells the watcher.
enum Control {
    /// Read which stream is on air (again): the content folder or the settings changed.
    Look(Look),
    /// The stream on screen has gone: try it again.
    Gone,
}

/// Where to look for the on-air stream, and how it plays.
struct Look {
    content: std::path::PathBuf,
    live: LiveConfig,
    stage: (u32, u32),
}

/// What the watcher tells the screen.
enum Event {
    /// The stream watched (None: none is set).
    Watching(Option<StreamAddress>),
    Live(Arc<VideoStream>),
    OffAir(String),
}

#[derive(Resource)]
struct Watcher {
    control: Sender<Control>,
    events: Mutex<Receiver<Event>>,
}

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<OnAir>();
    app.add_message::<OnAirEnded>();
    let (control, control_rx) = channel();
    let (events_tx, events) = channel();
    let spawned = std::thread::Builder::new()
        .name("corridor on air".into())
        .spawn(move || watch(control_rx, events_tx));
    if spawned.is_err() {
        warn!("the live broadcast cannot be watched: no thread could be started for it");
        return;
    }
    app.insert_resource(Watcher { control, events: Mutex::new(events) });
    app.add_systems(Update, look_again.in_set(AppSystems::ReadInputs));
    app.add_systems(Update, (take_on_air, end_on_air).chain().in_set(AppSystems::Present));
}

/// Tells the watcher where to look at start and after every scan of the content folder (which
/// follows any change to `LIVE.stream`) or change of settings.
fn look_again(
    mut scans: MessageReader<ContentScanned>,
    settings: Res<Settings>,
    stage: Res<StageSize>,
    watcher: Res<Watcher>,
    mut first: Local<bool>,
) {
    let scanned = scans.read().count() > 0;
    if scanned || settings.is_changed() || !*first {
        *first = true;
        let look = Look {
            content: settings.0.content.clone(),
            live: settings.0.live.clone(),
            stage: (stage.0.x.max(2), stage.0.y.max(2)),
        };
        let _ = watcher.control.send(Control::Look(look));
    }
}

/// The watcher thread: reads the on-air address when told to; while off air, opens the stream
/// (waiting up to its start limit) and, failing, waits its back-off before the next try.
fn watch(control: Receiver<Control>, events: Sender<Event>) {
    lower_priority();
    let mut target: Option<(StreamAddress, PlayOptions, (u32, u32))> = None;
    let (mut backoff, mut next_try, mut on_air) = (Backoff::new(), Instant::now(), false);
    loop {
        let wait = next_try.saturating_duration_since(Instant::now());
        let message = if on_air || target.is_none() {
            control.recv().map_err(|_| RecvTimeoutError::Disconnected)
        } else {
            control.recv_timeout(wait)
        };
        match message {
            Ok(Control::Look(look)) => {
                let found = looked(&look);
                if found.as_ref().map(|t| &t.0) != target.as_ref().map(|t| &t.0) {
                    on_air = false;
                    let _ = events.send(Event::Watching(found.as_ref().map(|t| t.0.clone())));
                }
                target = found;
                next_try = Instant::now();
                continue;
            }
            Ok(Control::Gone) => (on_air, next_try) = (false, Instant::now()),
            Err(RecvTimeoutError::Disconnected) => return,
            Err(RecvTimeoutError::Timeout) => {}
        }
        let Some((address, how, stage)) = target.as_ref().filter(|_| !on_air && Instant::now() >= next_try)
        else {
            continue;
        };
        match VideoStream::open_live(address, *stage, *how) {
            Ok(stream) => {
                backoff.succeeded();
                on_air = events.send(Event::Live(Arc::new(stream))).is_ok();
            }
            Err(e) => {
                next_try = Instant::now() + backoff.failed();
                let _ = events.send(Event::OffAir(e.to_string()));
            }
        }
    }
}

/// The on-air stream `look` finds, with how it plays; a mistake in `LIVE.stream` is logged.
fn looked(look: &Look) -> Option<(StreamAddress, PlayOptions, (u32, u32))> {
    let live = &look.live;
    let how =
        PlayOptions { sound: live.sound, latency: live.latency, hold: live.hold, ..PlayOptions::default() };
    match on_air_address(&look.content, live) {
        Ok(found) => found.map(|(address, _)| (address, how, look.stage)),
        Err(msg) => {
            warn!("{msg}; the live broadcast is not watched until it is mended");
            None
        }
    }
}

/// Puts a stream that has gone on air over the stage (or the screen), and holds the show.
#[allow(clippy::too_many_arguments)]
fn take_on_air(
    mut commands: Commands,
    watcher: Res<Watcher>,
    mut on_air: ResMut<OnAir>,
    mut state: ResMut<StageState>,
    settings: Res<Settings>,
    stage: (Res<StageSize>, Query<Entity, With<StageArea>>, Res<ScreenZones>),
    mut assets: (ResMut<Assets<Image>>, ResMut<Assets<VideoMaterial>>),
    (covers, clock): (Query<Entity, With<OnAirCover>>, Res<ScreenClock>),
) {
    let Ok(events) = watcher.events.lock() else { return };
    loop {
        let event = match events.try_recv() {
            Ok(e) => e,
            Err(TryRecvError::Empty | TryRecvError::Disconnected) => return,
        };
        match event {
            Event::Watching(address) => {
                // Another stream, or none: what is on air now is not it.
                covers.iter().for_each(|c| commands.entity(c).despawn());
                state.on_air = false;
                *on_air = OnAir { address, ..OnAir::default() };
            }
            // Written only when the reason changes, so the status file is not rewritten at each try.
            Event::OffAir(why) if on_air.off_air.as_deref() != Some(why.as_str()) => {
                on_air.off_air = Some(why)
            }
            Event::OffAir(_) => {}
            Event::Live(stream) => {
                let Some(address) = on_air.address.clone() else { continue };
                info!(
                    "on air: {address} covers the {}",
                    if settings.0.live.fullscreen { "screen" } else { "stage" }
                );
                // Fitted to the area it covers: the stage, or the whole screen.
                let screen = stage.2.0.screen;
                let area = if settings.0.live.fullscreen {
                    UVec2::new(screen.w.max(1.0) as u32, screen.h.max(1.0) as u32)
                } else {
                    stage.0.0
                };
                let cover = cover(&mut commands, &settings.0, area, (&mut assets.0, &mut assets.1), stream);
                if !settings.0.live.fullscreen
                    && let Ok(area) = stage.1.single()
                {
                    commands.entity(area).add_child(cover);
                }
                state.on_air = true;
                on_air.since = Some(clock.now());
                on_air.off_air = None;
            }
        }
    }
}

/// The cover: the background colour, the stream's picture fitted in it, above every slide.
fn cover(
    commands: &mut Commands,
    config: &crate::core::config::Config,
    stage: UVec2,
    (images, materials): (&mut Assets<Image>, &mut Assets<VideoMaterial>),
    stream: Arc<VideoStream>,
) -> Entity {
    let (w, h) = stream.size;
    let (node, playback) = video_picture(stream, u64::MAX, images, materials);
    let (aspect, fitted) = picture_node(aspect_of(w, h), stage, config.slides.fit);
    let background = BackgroundColor(bevy_colour(config.display.background));
    let mut cover =
        commands.spawn((Name::new("on air"), OnAirCover, centred_cover(Val::ZERO, Val::ZERO), background));
    if config.live.fullscreen {
        cover.insert(GlobalZIndex(i32::MAX - 2));
        cover.with_child((node, playback.on_air(), fitted));
    } else {
        // On the stage: fitted again when the stage changes size, like a slide's picture.
        cover.insert(ZIndex(i32::MAX));
        cover.with_child((node, playback.on_air(), fitted, aspect));
    }
    cover.id()
}

/// A stream whose hold time is up leaves the air: the cover goes, the watcher tries again, and
/// the slide it left starts again in full.
fn end_on_air(
    mut commands: Commands,
    covers: Query<(Entity, &Children), With<OnAirCover>>,
    playbacks: Query<&VideoPlayback>,
    (watcher, clock): (Res<Watcher>, Res<ScreenClock>),
    mut on_air: ResMut<OnAir>,
    mut state: ResMut<StageState>,
    mut ended_messages: MessageWriter<OnAirEnded>,
) {
    for (cover, children) in &covers {
        let ended = children.iter().filter_map(|c| playbacks.get(c).ok()).all(VideoPlayback::has_ended);
        if !ended {
            continue;
        }
        commands.entity(cover).despawn();
        info!("off air: the show carries on");
        if let (Some(start), Some(address)) = (on_air.since, on_air.address.as_ref()) {
            ended_messages.write(OnAirEnded { stream: address.url.clone(), start, end: clock.now() });
        }
        on_air.since = None;
        state.on_air = false;
        if let Some(show) = state.show.as_mut() {
            show.replay_current();
        }
        let _ = watcher.control.send(Control::Gone);
    }
}

/// What the centre of the on-air picture shows now (sRGB), while a stream is on air.
pub fn on_air_centre(world: &mut World) -> Option<[u8; 3]> {
    let mut q = world.query_filtered::<&Children, With<OnAirCover>>();
    let children: Vec<Entity> = q.iter(world).flat_map(|c| c.iter().collect::<Vec<_>>()).collect();
    children.into_iter().find_map(|c| world.get::<VideoPlayback>(c).and_then(VideoPlayback::centre))
}
