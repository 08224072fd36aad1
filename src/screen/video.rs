//! Video slides on screen: each frame of a playing video goes into the slide's three plane
//! textures (Y, U, V) when its time has come (the show's own clock, so a 60 s film takes 60 s
//! whatever the frame rate; late frames are skipped, time is never stretched), and a small shader
//! ([`VideoMaterial`], `video.wgsl`) turns them into colours as it draws. The pixels are moved, not
//! copied, on this thread. A video shorter than its slide starts again; a decoder that stalls is
//! given up by a watchdog and the show moves on. A live stream shows its newest frame at once;
//! when it stalls or ends, its last frame stays for its hold time (`[live] hold`), then the show
//! moves on: never a black frame.

use std::sync::Arc;
use std::time::{Duration, Instant};

use bevy::asset::{RenderAssetUsages, uuid_handle};
use bevy::prelude::*;
use bevy::render::render_resource::{AsBindGroup, Extent3d, ShaderType, TextureDimension, TextureFormat};
use bevy::shader::{Shader, ShaderRef};
use bevy::ui_render::prelude::{MaterialNode, UiMaterial};

use super::AppSystems;
use super::showing::StageState;
use crate::core::media::video::{Sound, VideoError, VideoEvent, VideoFrame, VideoStream, YuvToRgb};
use crate::core::show::RequestId;

/// No new frame for this long while the video should be playing: the decoder has stalled.
const STALL: Duration = Duration::from_secs(3);

const VIDEO_SHADER: Handle<Shader> = uuid_handle!("5b0f3c1e-7d2a-4c8e-9f61-0a3b2c4d5e6f");

/// Draws a video frame from its planes (see `video.wgsl`).
#[derive(Asset, TypePath, AsBindGroup, Clone, Debug)]
pub(super) struct VideoMaterial {
    #[uniform(0)]
    params: VideoParams,
    #[texture(1)]
    #[sampler(2)]
    y: Handle<Image>,
    #[texture(3)]
    u: Handle<Image>,
    #[texture(4)]
    v: Handle<Image>,
}

#[derive(ShaderType, Clone, Copy, Debug, PartialEq)]
struct VideoParams {
    r: Vec4,
    g: Vec4,
    b: Vec4,
    alpha: f32,
}

impl VideoParams {
    fn new(colours: YuvToRgb, alpha: f32) -> Self {
        let [r, g, b] = colours.rows.map(Vec4::from_array);
        Self { r, g, b, alpha }
    }
}

impl UiMaterial for VideoMaterial {
    fn fragment_shader() -> ShaderRef {
        VIDEO_SHADER.into()
    }
}

/// A playing video, on its slide's picture.
#[derive(Component)]
pub(super) struct VideoPlayback {
    stream: Arc<VideoStream>,
    material: Handle<VideoMaterial>,
    planes: [Handle<Image>; 3],
    /// The slide's request id (the show's name for it).
    slide: RequestId,
    /// The next frame, waiting for its time.
    next: Option<VideoFrame>,
    /// Show time at which the video (re)started.
    base: Duration,
    /// Show time of the last frame put on screen.
    progress: Duration,
    /// Film time of the newest frame taken from the decoder, and the time between frames.
    last_pts: Duration,
    step: Duration,
    /// Wall-clock time of the last frame put on screen (a stall is judged on both clocks, so a
    /// show clock that runs fast, as in a snapshot, never mistakes a busy decoder for a stall).
    progress_at: Instant,
    ended: bool,
    /// A live stream has stopped or failed: its last frame stays until its hold time is up.
    live_gone: bool,
    /// The live broadcast: on screen whatever slide the show is on.
    always_on: bool,
    /// It has been told to play (a film with sound waits for its slide), and to stop once its
    /// slide has gone (its sound must not go on under the next slide).
    started: bool,
    stopped: bool,
    /// Opacity the stage wants (fades), and what the material has.
    alpha: f32,
    colours: YuvToRgb,
    /// The centre pixel of the frame on screen (sRGB), for tests and benchmarks.
    centre: Option<[u8; 3]>,
    /// Film time of the frame on screen (subtitles follow it).
    shown_pts: Duration,
    /// Its slide is under the live broadcast's cover.
    covered: bool,
}

impl VideoPlayback {
    /// Opacity for a fade; applied to the picture by [`play_videos`].
    pub(super) fn set_alpha(&mut self, alpha: f32) {
        self.alpha = alpha;
    }

    /// The live broadcast's picture: on screen whatever slide the show is on.
    pub(super) fn on_air(self) -> Self {
        Self { always_on: true, ..self }
    }

    /// It has ended, or been given up (a live stream once its hold time is up).
    pub(super) fn has_ended(&self) -> bool {
        self.ended
    }

    /// Film time of the frame on screen.
    pub(super) fn film_time(&self) -> Duration {
        self.shown_pts
    }

    /// The words of the film's own subtitle track for the frame on screen.
    pub(super) fn own_subtitle(&self) -> Option<String> {
        self.stream.subtitle_at(self.shown_pts)
    }

    /// The centre pixel of the frame on screen (sRGB).
    pub(super) fn centre(&self) -> Option<[u8; 3]> {
        self.centre
    }
}

/// The picture of a video slide: the node with its material, and what plays into it.
pub(super) fn video_picture(
    stream: Arc<VideoStream>,
    slide: RequestId,
    images: &mut Assets<Image>,
    materials: &mut Assets<VideoMaterial>,
) -> (MaterialNode<VideoMaterial>, VideoPlayback) {
    let first = stream.take_first().unwrap_or_else(|| VideoFrame::solid(2, 2, [16, 128, 128]));
    let colours = first.colours;
    let first_pts = first.pts;
    let rounds_before = stream.rounds_before;
    let centre = first.rgb_at(first.width / 2, first.height / 2);
    let planes = plane_images(first).map(|p| images.add(p));
    let material = materials.add(VideoMaterial {
        params: VideoParams::new(colours, 1.0),
        y: planes[0].clone(),
        u: planes[1].clone(),
        v: planes[2].clone(),
    });
    let playback = VideoPlayback {
        stream,
        material: material.clone(),
        planes,
        slide,
        next: None,
        base: rounds_before,
        progress: Duration::ZERO,
        last_pts: first_pts,
        step: Duration::ZERO,
        progress_at: Instant::now(),
        ended: false,
        live_gone: false,
        always_on: false,
        started: false,
        stopped: false,
        alpha: 1.0,
        colours,
        centre,
        shown_pts: first_pts,
        covered: false,
    };
    (MaterialNode(material), playback)
}

/// A frame's planes as single-channel textures. Their pixels live only on the GPU once uploaded.
fn plane_images(frame: VideoFrame) -> [Image; 3] {
    let (w, h) = (frame.width, frame.height);
    let [y, u, v] = frame.planes;
    let image = |width, height, data| {
        Image::new(
            Extent3d { width, height, depth_or_array_layers: 1 },
            TextureDimension::D2,
            data,
            TextureFormat::R8Unorm,
            RenderAssetUsages::RENDER_WORLD,
        )
    };
    [image(w, h, y), image(w / 2, h / 2, u), image(w / 2, h / 2, v)]
}

/// What the centre of the video on slide `root` shows now (sRGB), if it is a video slide.
pub fn shown_centre(world: &World, root: Entity) -> Option<[u8; 3]> {
    world.get::<Children>(root)?.iter().find_map(|c| world.get::<VideoPlayback>(c).and_then(|v| v.centre))
}

/// True when the video on slide `root` has its next frame decoded and waiting for its time, or
/// has ended (or the slide is no video): a frame that moves show time on will then show the
/// picture due, however fast this machine decodes. For tests and benchmarks that count frames:
/// run frames with the show's clock held until this holds (as `corridor snapshot` holds its clock
/// for a slide still being prepared). A film waiting for its slide counts as ready.
pub fn film_ready(world: &World, root: Entity) -> bool {
    let Some(children) = world.get::<Children>(root) else { return true };
    children
        .iter()
        .filter_map(|c| world.get::<VideoPlayback>(c))
        .all(|v| v.ended || v.next.is_some() || !v.started || v.stream.live)
}

pub(super) fn plugin(app: &mut App) {
    if app.is_plugin_added::<bevy::render::RenderPlugin>() {
        app.add_plugins(bevy::ui_render::UiMaterialPlugin::<VideoMaterial>::default());
        let shader = Shader::from_wgsl(include_str!("video.wgsl"), "corridor/screen/video.wgsl");
        let _ = app.world_mut().resource_mut::<Assets<Shader>>().insert(&VIDEO_SHADER, shader);
    } else {
        // Headless (tests): the same entities, nothing drawn.
        app.init_asset::<VideoMaterial>();
    }
    app.add_message::<VideoEnded>();
    app.add_systems(Update, play_videos.in_set(AppSystems::Present));
}

/// A film gave up before its slide's time was up (its decoder failed or stalled): the stage
/// moves on.
#[derive(Message, Clone, Debug)]
pub struct VideoEnded {
    pub slide: RequestId,
}

/// What the show says of the slide on screen, as the films see it.
struct OnScreen {
    current: Option<RequestId>,
    /// How long the slide on screen lasts, and how long it has shown.
    duration: Duration,
    elapsed: Duration,
}

pub(super) fn play_videos(
    state: Res<StageState>,
    mut images: ResMut<Assets<Image>>,
    mut materials: ResMut<Assets<VideoMaterial>>,
    mut videos: Query<&mut VideoPlayback>,
    mut ended: MessageWriter<VideoEnded>,
) {
    let Some(show) = state.show.as_ref() else { return };
    let on = OnScreen {
        current: show.current_id(),
        duration: show.current().map(|i| i.duration).unwrap_or_default(),
        elapsed: show.shown_for(),
    };
    for mut v in &mut videos {
        let on_screen = v.always_on || Some(v.slide) == on.current;
        v.start_or_stop(on_screen);
        // Under the live broadcast's cover the slide waits: silent, its pictures not uploaded.
        let covered = on_screen && !v.always_on && state.on_air;
        v.cover(covered);
        // A film with sound keeps time with its sound (the sound device's clock), so picture and
        // sound stay together even if the screen's clock stumbles; a silent one with the show.
        let now = v.film_clock(on_screen).unwrap_or(on.elapsed);
        if v.stream.live {
            play_live(&mut v, on_screen && !covered, &on, &mut images, &mut ended);
            v.update_material(&mut materials);
            continue;
        }
        // A video waiting to go on shows its first frame until it does.
        let due = if on_screen && !v.ended { v.take_due_frame(&on, now) } else { Ok(None) };
        match due {
            Ok(Some(frame)) => show_frame(&mut v, frame, &mut images),
            Ok(None) => {}
            Err(e) => {
                warn!("a video stopped playing: {e}; the show moves on");
                v.give_up(&mut ended);
            }
        }
        v.update_material(&mut materials);
        let stalled = on.elapsed.saturating_sub(v.progress) > STALL && v.progress_at.elapsed() > STALL;
        if on_screen && !v.ended && v.next.is_none() && on.elapsed < on.duration && stalled {
            warn!("a video's decoder stalled (no new picture for {} s); the show moves on", STALL.as_secs());
            v.give_up(&mut ended);
        }
    }
}

/// A live stream: its newest frame goes on screen at once (before its slide shows, frames are
/// taken and dropped, to know it is still live). Stalled or ended, its last frame stays for its
/// hold time; then the show moves on.
fn play_live(
    v: &mut VideoPlayback,
    on_screen: bool,
    on: &OnScreen,
    images: &mut Assets<Image>,
    ended: &mut MessageWriter<VideoEnded>,
) {
    if v.ended {
        return;
    }
    if !v.live_gone {
        match v.stream.try_next() {
            Some(VideoEvent::Frame(frame)) => {
                v.progress = on.elapsed;
                v.progress_at = Instant::now();
                if on_screen {
                    show_frame(v, frame, images);
                }
            }
            Some(VideoEvent::End) => {
                info!("a live stream ended; its last picture stays for {:.1} s", v.stream.hold.as_secs_f32());
                v.live_gone = true;
            }
            Some(VideoEvent::Failed(e)) => {
                warn!(
                    "a live stream stopped: {e}; its last picture stays for {:.1} s",
                    v.stream.hold.as_secs_f32()
                );
                v.live_gone = true;
            }
            None => {}
        }
    }
    if on_screen && v.progress_at.elapsed() > v.stream.hold {
        if !v.live_gone {
            warn!(
                "a live stream stalled (no new picture for {:.1} s); the show moves on",
                v.stream.hold.as_secs_f32()
            );
        }
        v.give_up(ended);
    }
}

impl VideoPlayback {
    /// A film with sound starts when its slide goes on, and stops when its slide has gone (its
    /// sound must not go on under the next slide).
    /// Pauses a playing film (mutes a live stream) while the live broadcast covers its slide,
    /// and lets it play again when the broadcast goes.
    fn cover(&mut self, covered: bool) {
        if covered == self.covered {
            return;
        }
        self.covered = covered;
        if self.started && !self.stopped {
            if covered {
                self.stream.pause();
            } else {
                self.stream.play();
            }
        }
    }

    fn start_or_stop(&mut self, on_screen: bool) {
        if on_screen && !self.started {
            self.started = true;
            self.stream.play();
            if self.stream.sound() == Sound::NoDevice {
                warn!("a film with sound on plays silently: this machine has no sound device");
            }
        }
        if self.started && !on_screen && !self.stopped {
            self.stopped = true;
            self.stream.pause();
        }
    }

    /// The film's own clock (its sound's position), for a film with sound on screen.
    fn film_clock(&self, on_screen: bool) -> Option<Duration> {
        match self.stream.sound() {
            Sound::Off => None,
            _ if on_screen => self.stream.position().map(|p| self.base + p),
            _ => None,
        }
    }

    /// Takes the frames whose time has come (`now`, film time from the slide's start); the newest
    /// of them is to be shown. Err when the decoder failed.
    fn take_due_frame(&mut self, on: &OnScreen, now: Duration) -> Result<Option<VideoFrame>, VideoError> {
        let mut newest = None;
        while !self.ended {
            if self.next.is_none() {
                match self.stream.try_next() {
                    Some(VideoEvent::Frame(f)) => self.queue(f),
                    Some(VideoEvent::End) => {
                        self.round_ended(on);
                        break;
                    }
                    Some(VideoEvent::Failed(e)) => return Err(e),
                    None => break,
                }
            }
            let base = self.base;
            if !self.next.as_ref().is_some_and(|f| base + f.pts <= now) {
                break;
            }
            newest = self.next.take();
            self.progress = on.elapsed;
            self.progress_at = Instant::now();
        }
        Ok(newest)
    }

    fn queue(&mut self, f: VideoFrame) {
        if f.pts > self.last_pts {
            self.step = f.pts - self.last_pts;
        }
        self.last_pts = f.pts;
        self.next = Some(f);
    }

    /// The film ends when its last frame has had its time: the next round starts there, so
    /// rounds neither drift nor overlap. A film of one picture, or without times, stays on its
    /// last picture; so does one whose slide ends before another round.
    fn round_ended(&mut self, on: &OnScreen) {
        let round = self.last_pts + self.step;
        let end = self.base + round;
        if round >= Duration::from_millis(100) && end + Duration::from_millis(100) < on.duration {
            self.base = end;
            self.last_pts = Duration::ZERO;
            self.progress = on.elapsed;
            self.progress_at = Instant::now();
            self.stream.restart();
        } else {
            self.ended = true;
        }
    }

    fn give_up(&mut self, ended: &mut MessageWriter<VideoEnded>) {
        self.ended = true;
        ended.write(VideoEnded { slide: self.slide });
    }

    /// Hands the fade and the film's colour sums to its material when they change.
    fn update_material(&self, materials: &mut Assets<VideoMaterial>) {
        let changed = materials
            .get(&self.material)
            .is_some_and(|m| m.params.alpha != self.alpha || self.colours != self.colours_of(m));
        if changed && let Some(mut material) = materials.get_mut(&self.material) {
            material.params = VideoParams::new(self.colours, self.alpha);
        }
    }
}

impl VideoPlayback {
    fn colours_of(&self, material: &VideoMaterial) -> YuvToRgb {
        let p = material.params;
        YuvToRgb { rows: [p.r.to_array(), p.g.to_array(), p.b.to_array()] }
    }
}

/// Moves a frame's planes into the slide's textures (same size: the decoder's output size is
/// fixed for the life of the stream).
fn show_frame(v: &mut VideoPlayback, frame: VideoFrame, images: &mut Assets<Image>) {
    v.centre = frame.rgb_at(frame.width / 2, frame.height / 2);
    v.shown_pts = frame.pts;
    v.colours = frame.colours;
    let planes = plane_images(frame);
    for (handle, plane) in v.planes.iter().zip(planes) {
        if let Some(mut image) = images.get_mut(handle) {
            if image.texture_descriptor.size == plane.texture_descriptor.size {
                image.data = plane.data;
            }
        }
    }
}
