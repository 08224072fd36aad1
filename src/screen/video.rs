//! Video slides on screen: each frame of a playing video goes into the slide's three plane
//! textures (Y, U, V) when its time has come (the show's own clock, so a 60 s film takes 60 s
//! whatever the frame rate; late frames are skipped, time is never stretched), and a small shader
//! ([`VideoMaterial`], `video.wgsl`) turns them into colours as it draws. The pixels are moved, not
//! copied, on this thread. A video shorter than its slide starts again; a decoder that stalls is
//! given up by a watchdog and the show moves on.

use std::sync::Arc;
use std::time::{Duration, Instant};

use bevy::asset::{RenderAssetUsages, uuid_handle};
use bevy::prelude::*;
use bevy::render::render_resource::{AsBindGroup, Extent3d, ShaderType, TextureDimension, TextureFormat};
use bevy::shader::{Shader, ShaderRef};
use bevy::ui_render::prelude::{MaterialNode, UiMaterial};

use super::stage::StageState;
use crate::core::show::RequestId;
use crate::core::video::{Sound, VideoEvent, VideoFrame, VideoStream, YuvToRgb};

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
    /// It has been told to play (a film with sound waits for its slide), and to stop once its
    /// slide has gone (its sound must not go on under the next slide).
    started: bool,
    stopped: bool,
    /// Opacity the stage wants (fades), and what the material has.
    alpha: f32,
    colours: YuvToRgb,
    /// The centre pixel of the frame on screen (sRGB), for tests and benchmarks.
    centre: Option<[u8; 3]>,
}

impl VideoPlayback {
    /// Opacity for a fade; applied to the picture by [`play_videos`].
    pub(super) fn set_alpha(&mut self, alpha: f32) {
        self.alpha = alpha;
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
        started: false,
        stopped: false,
        alpha: 1.0,
        colours,
        centre,
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

pub(super) fn plugin(app: &mut App) {
    if app.is_plugin_added::<bevy::render::RenderPlugin>() {
        app.add_plugins(bevy::ui_render::UiMaterialPlugin::<VideoMaterial>::default());
        let shader = Shader::from_wgsl(include_str!("video.wgsl"), "corridor/screen/video.wgsl");
        let _ = app.world_mut().resource_mut::<Assets<Shader>>().insert(&VIDEO_SHADER, shader);
    } else {
        // Headless (tests): the same entities, nothing drawn.
        app.init_asset::<VideoMaterial>();
    }
    app.add_systems(Update, play_videos.after(super::stage::StageSystems));
}

fn play_videos(
    mut state: ResMut<StageState>,
    mut images: ResMut<Assets<Image>>,
    mut materials: ResMut<Assets<VideoMaterial>>,
    mut videos: Query<&mut VideoPlayback>,
) {
    let Some(show) = state.show.as_mut() else { return };
    let current = show.current_id();
    let duration = show.current().map(|i| i.duration).unwrap_or_default();
    let elapsed = show.shown_for();
    for mut v in &mut videos {
        if Some(v.slide) == current && !v.started {
            v.started = true;
            v.stream.play();
            if v.stream.sound() == Sound::NoDevice {
                warn!("a film with sound on plays silently: this machine has no sound device");
            }
        }
        if v.started && Some(v.slide) != current && !v.stopped {
            v.stopped = true;
            v.stream.pause();
        }
        let mut newest: Option<VideoFrame> = None;
        // A film with sound keeps time with its sound (the sound device's clock), so picture and
        // sound stay together even if the screen's clock stumbles; a silent one with the show.
        let film_clock = match v.stream.sound() {
            Sound::Off => None,
            _ if Some(v.slide) == current => v.stream.position().map(|p| v.base + p),
            _ => None,
        };
        let now = film_clock.unwrap_or(elapsed);
        // A video waiting to go on shows its first frame until it does.
        while Some(v.slide) == current && !v.ended {
            if v.next.is_none() {
                match v.stream.try_next() {
                    Some(VideoEvent::Frame(f)) => {
                        if f.pts > v.last_pts {
                            v.step = f.pts - v.last_pts;
                        }
                        v.last_pts = f.pts;
                        v.next = Some(f);
                    }
                    Some(VideoEvent::End) => {
                        // The film ends when its last frame has had its time: the next round
                        // starts there, so rounds neither drift nor overlap.
                        let round = v.last_pts + v.step;
                        let end = v.base + round;
                        // (A film of one picture, or without times, stays on its last picture.)
                        if round >= Duration::from_millis(100) && end + Duration::from_millis(100) < duration
                        {
                            v.base = end;
                            v.last_pts = Duration::ZERO;
                            v.progress = elapsed;
                            v.progress_at = Instant::now();
                            v.stream.restart();
                        } else {
                            v.ended = true;
                        }
                        break;
                    }
                    Some(VideoEvent::Failed(e)) => {
                        warn!("a video stopped playing: {e}; the show moves on");
                        show.end_current();
                        v.ended = true;
                        break;
                    }
                    None => break,
                }
            }
            let base = v.base;
            if !v.next.as_ref().is_some_and(|f| base + f.pts <= now) {
                break;
            }
            newest = v.next.take();
            v.progress = elapsed;
            v.progress_at = Instant::now();
        }
        if let Some(frame) = newest {
            show_frame(&mut v, frame, &mut images);
        }
        if let Some(material) = materials.get(&v.material)
            && (material.params.alpha != v.alpha || v.colours != v.colours_of(material))
        {
            let params = VideoParams::new(v.colours, v.alpha);
            if let Some(mut material) = materials.get_mut(&v.material) {
                material.params = params;
            }
        }
        let stalled = elapsed.saturating_sub(v.progress) > STALL && v.progress_at.elapsed() > STALL;
        if Some(v.slide) == current && !v.ended && v.next.is_none() && elapsed < duration && stalled {
            warn!("a video's decoder stalled (no new picture for {} s); the show moves on", STALL.as_secs());
            show.end_current();
            v.ended = true;
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
