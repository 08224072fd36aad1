//! Video slides, decoded by GStreamer on its own threads: `filesrc ! decodebin ! videoconvert !
//! videoscale ! I420 at the stage's size ! appsink`. Frames stay in the decoder's own YUV form
//! (4:2:0, 1.5 bytes a pixel): the GPU turns them into colours as it draws them ([`YuvToRgb`]
//! gives the sums), so no CPU time goes on colour conversion and a third of the bytes move. Each
//! frame is copied out on GStreamer's streaming thread into a small bounded queue (so memory stays
//! constant however long the film), with its timestamp; the screen takes the frames whose time has
//! come. Opening a video waits for its first frame (pre-roll), so a video slide is ready before it
//! goes on screen. Hardware decoders are used where GStreamer's decodebin picks them. Sound, where
//! switched on, goes to the sound output; such a film waits paused on its first frame until its
//! slide shows, and its pictures then keep time with its sound ([`VideoStream::position`]).

use std::path::Path;
use std::sync::mpsc::{Receiver, RecvTimeoutError, SyncSender, TryRecvError, sync_channel};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use gstreamer as gst;
use gstreamer::prelude::*;
use gstreamer_app as gst_app;

use super::config::Fit;
use super::media::fit_scale;

/// Frames decoded ahead of the screen; the decoder waits when the queue is full.
const QUEUE: usize = 3;
/// A video whose first frame has not come within this long is given up.
pub const START_LIMIT: Duration = Duration::from_secs(10);
/// Videos larger than this (8K UHD) are not played.
pub const MAX_PIXELS: u64 = 7680 * 4320;

/// One decoded frame at the size it is shown (even width and height): 8-bit YUV 4:2:0 as three
/// planes with no padding: Y (`width` x `height`), then U and V (each `width / 2` x
/// `height / 2`), rows top to bottom.
#[derive(Clone, Debug, PartialEq)]
pub struct VideoFrame {
    /// When in the video it shows.
    pub pts: Duration,
    pub width: u32,
    pub height: u32,
    /// Y, U, V.
    pub planes: [Vec<u8>; 3],
    /// How its numbers become colours.
    pub colours: YuvToRgb,
}

impl VideoFrame {
    /// The colour (sRGB) of the pixel at `(x, y)`, as the screen shows it.
    pub fn rgb_at(&self, x: u32, y: u32) -> Option<[u8; 3]> {
        let [yp, up, vp] = &self.planes;
        let (x, y) = (x.min(self.width.saturating_sub(1)), y.min(self.height.saturating_sub(1)));
        let luma = *yp.get((y * self.width + x) as usize)?;
        let c = ((y / 2) * (self.width / 2) + x / 2) as usize;
        Some(self.colours.rgb(luma, *up.get(c)?, *vp.get(c)?))
    }

    /// A frame of one colour (for a video slide before its first frame, and for tests).
    pub fn solid(width: u32, height: u32, yuv: [u8; 3]) -> Self {
        let (w, h) = ((width.max(2) / 2 * 2) as usize, (height.max(2) / 2 * 2) as usize);
        Self {
            pts: Duration::ZERO,
            width: w as u32,
            height: h as u32,
            planes: [vec![yuv[0]; w * h], vec![yuv[1]; w * h / 4], vec![yuv[2]; w * h / 4]],
            colours: YuvToRgb::BT709_LIMITED,
        }
    }
}

/// The sums that turn a video's Y, U, V numbers (each 0..1) into non-linear sRGB red, green and
/// blue: `rgb = rows x (y, u, v, 1)`. One place for them: the GPU's shader gets these rows, and
/// [`VideoFrame::rgb_at`] uses them on the CPU.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct YuvToRgb {
    pub rows: [[f32; 4]; 3],
}

impl YuvToRgb {
    /// HD video (ITU-R BT.709), studio range 16-235: what most films are.
    pub const BT709_LIMITED: Self = Self::new(0.2126, 0.0722, false);

    /// The sums for luma weights `kr`, `kb` (BT.601: 0.299, 0.114; BT.709: 0.2126, 0.0722;
    /// BT.2020: 0.2627, 0.0593), full range (0-255) or studio range (16-235, 16-240).
    pub const fn new(kr: f32, kb: f32, full: bool) -> Self {
        let kg = 1.0 - kr - kb;
        let (ys, yo) = if full { (1.0, 0.0) } else { (255.0 / 219.0, -16.0 / 219.0) };
        let cs = if full { 1.0 } else { 255.0 / 224.0 };
        let co = -128.0 / 255.0 * cs;
        let (rv, bu) = (2.0 * (1.0 - kr), 2.0 * (1.0 - kb));
        let (gu, gv) = (bu * kb / kg, rv * kr / kg);
        Self {
            rows: [
                [ys, 0.0, rv * cs, yo + rv * co],
                [ys, -gu * cs, -gv * cs, yo - (gu + gv) * co],
                [ys, bu * cs, 0.0, yo + bu * co],
            ],
        }
    }

    /// The sums for a video's GStreamer `colorimetry` (e.g. "bt709", "bt601", "2:4:5:4"); where
    /// it says none, what GStreamer assumes: BT.601 up to 576 lines, BT.709 above.
    pub fn from_colorimetry(colorimetry: Option<&str>, height: u32) -> Self {
        let (mut matrix, mut full) = (if height > 576 { 3 } else { 4 }, false);
        match colorimetry.unwrap_or_default() {
            "bt601" | "smpte170m" => matrix = 4,
            "bt709" => matrix = 3,
            "bt2020" | "bt2020-10" | "bt2100-pq" | "bt2100-hlg" => matrix = 6,
            "sRGB" | "jpeg" => (matrix, full) = (4, true),
            other => {
                let mut parts = other.split(':').map(|p| p.parse::<u32>().ok());
                if let (Some(range), Some(m)) = (parts.next().flatten(), parts.next().flatten()) {
                    full = range == 1;
                    if (3..=6).contains(&m) {
                        matrix = m;
                    }
                }
            }
        }
        match matrix {
            3 => Self::new(0.2126, 0.0722, full),
            5 => Self::new(0.212, 0.087, full),
            6 => Self::new(0.2627, 0.0593, full),
            _ => Self::new(0.299, 0.114, full),
        }
    }

    /// One pixel's colour, 8-bit sRGB.
    pub fn rgb(&self, y: u8, u: u8, v: u8) -> [u8; 3] {
        let input = [f32::from(y) / 255.0, f32::from(u) / 255.0, f32::from(v) / 255.0, 1.0];
        self.rows.map(|row| {
            let sum: f32 = row.iter().zip(input).map(|(a, b)| a * b).sum();
            (sum.clamp(0.0, 1.0) * 255.0).round() as u8
        })
    }
}

/// What comes out of the decoder.
#[derive(Debug)]
pub enum VideoEvent {
    Frame(VideoFrame),
    /// The end of the video.
    End,
    Failed(String),
}

/// Why a video cannot be played; the words are for staff.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum VideoError {
    #[error("videos cannot be played on this machine: GStreamer did not start ({0})")]
    NoGstreamer(String),
    #[error("the file is empty (0 bytes); copy it again")]
    Empty,
    #[error("cannot read the file: {0}")]
    Unreadable(String),
    #[error(
        "this machine cannot play it ({0}); it may be damaged, only partly copied, or use a codec that is not installed"
    )]
    CannotDecode(String),
    #[error("it has no pictures (a sound file?), so it is skipped")]
    NoPicture,
    #[error("the video is {0}x{1}, larger than 8K; save a smaller copy")]
    TooLarge(u32, u32),
    #[error("the video did not start within {0} s (damaged, or a decoder that hangs); it is skipped")]
    Stalled(u64),
}

fn init() -> Result<(), VideoError> {
    static INIT: OnceLock<Result<(), String>> = OnceLock::new();
    INIT.get_or_init(|| gst::init().map_err(|e| e.to_string())).clone().map_err(VideoError::NoGstreamer)
}

/// The decoder that GStreamer chose for a film's pictures.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decoder {
    /// GStreamer's name for it, e.g. `avdec_h264`, `vp8dec`, `vah264dec`.
    pub name: String,
    /// It runs on the graphics chip, not the processor.
    pub hardware: bool,
}

impl std::fmt::Display for Decoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let place = if self.hardware { "on the graphics chip" } else { "in software" };
        write!(f, "decoded by {} {place}", self.name)
    }
}

/// How a video is to play.
#[derive(Clone, Copy, Debug)]
pub struct PlayOptions {
    pub fit: Fit,
    /// Start this far into the film (a snapshot of a moment mid-film).
    pub from: Duration,
    /// Play its sound too.
    pub sound: bool,
}

impl Default for PlayOptions {
    fn default() -> Self {
        Self { fit: Fit::Contain, from: Duration::ZERO, sound: false }
    }
}

/// An open video, playing into its queue.
pub struct VideoStream {
    pipeline: gst::Pipeline,
    events: Mutex<Receiver<VideoEvent>>,
    first: Mutex<Option<VideoFrame>>,
    /// The video's length, where the file tells it.
    pub length: Option<Duration>,
    /// The size frames come in.
    pub size: (u32, u32),
    /// The decoder GStreamer chose.
    pub decoder: Option<Decoder>,
    /// Whole rounds of the film that count as played before its first frame (a start mid-way
    /// into a slide that loops its film).
    pub rounds_before: Duration,
    /// With sound the film waits, paused on its first frame, until [`VideoStream::play`]
    /// (without, it decodes ahead into its queue at once).
    waits_for_play: bool,
    sound: Arc<Mutex<Sound>>,
    failure: Failure,
}

/// The first thing that went wrong in a pipeline.
type Failure = Arc<Mutex<Option<String>>>;

/// Waits until the pipeline has settled in the state it was asked for, something went wrong, or
/// `deadline`; true when settled.
fn settle(pipeline: &gst::Pipeline, failure: &Failure, deadline: std::time::Instant) -> bool {
    while std::time::Instant::now() < deadline {
        if failure.lock().map_or(true, |f| f.is_some()) {
            return false;
        }
        match pipeline.state(gst::ClockTime::from_mseconds(50)).0 {
            Ok(gst::StateChangeSuccess::Async) => {}
            Ok(_) => return true,
            Err(_) => return false,
        }
    }
    false
}

impl std::fmt::Debug for VideoStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VideoStream").field("length", &self.length).field("size", &self.size).finish()
    }
}

impl VideoStream {
    /// Opens `path` for a stage of `stage` pixels and waits for its first frame.
    pub fn open(path: &Path, stage: (u32, u32), how: PlayOptions) -> Result<Self, VideoError> {
        // A film started mid-way (a snapshot of a moment) is silent: it waits for no slide.
        let how = PlayOptions { sound: how.sound && how.from.is_zero(), ..how };
        let fit = how.fit;
        init()?;
        let len = std::fs::metadata(path).map_err(|e| VideoError::Unreadable(e.to_string()))?.len();
        if len == 0 {
            return Err(VideoError::Empty);
        }
        let location =
            path.to_str().ok_or_else(|| VideoError::Unreadable("the file name is not valid text".into()))?;
        let make = |name: &str| {
            gst::ElementFactory::make(name)
                .build()
                .map_err(|_| VideoError::NoGstreamer(format!("the GStreamer element {name} is missing")))
        };
        let pipeline = gst::Pipeline::new();
        let src = gst::ElementFactory::make("filesrc")
            .property("location", location)
            .build()
            .map_err(|_| VideoError::NoGstreamer("the GStreamer element filesrc is missing".into()))?;
        let decode = make("decodebin")?;
        let chosen: Arc<Mutex<Option<Decoder>>> = Arc::default();
        if let Some(bin) = decode.downcast_ref::<gst::Bin>() {
            let chosen = chosen.clone();
            bin.connect_deep_element_added(move |_, _, element| {
                let Some(factory) = element.factory() else { return };
                let klass = factory.metadata("klass").unwrap_or_default();
                if klass.contains("Decoder")
                    && klass.contains("Video")
                    && let Ok(mut chosen) = chosen.lock()
                {
                    let hardware = klass.contains("Hardware");
                    *chosen = Some(Decoder { name: factory.name().to_string(), hardware });
                }
            });
        }
        let convert = make("videoconvert")?;
        let scale = make("videoscale")?;
        // Colour conversion and scaling are the costly steps after decoding: use every core.
        for e in [&convert, &scale] {
            if e.find_property("n-threads").is_some() {
                e.set_property("n-threads", 0u32);
            }
        }
        let filter = make("capsfilter")?;
        let (tx, rx) = sync_channel::<VideoEvent>(QUEUE);
        let preroll: Preroll = Arc::default();
        // What went wrong, kept apart from the frames so that a full queue never loses it; the
        // queue gets a copy too, to wake whoever waits on it.
        let failure: Failure = Arc::default();
        let fail = {
            let failure = failure.clone();
            let tx = tx.clone();
            move |why: String| {
                if let Ok(mut f) = failure.lock() {
                    f.get_or_insert_with(|| why.clone());
                }
                let _ = tx.try_send(VideoEvent::Failed(why));
            }
        };
        let sink = gst_app::AppSink::builder()
            .sync(false)
            .max_buffers(1)
            .drop(false)
            .caps(&gst::Caps::builder("video/x-raw").field("format", "I420").build())
            .callbacks(callbacks(tx.clone(), preroll.clone()))
            .build();
        let elements = [&src, &decode, &convert, &scale, &filter, sink.upcast_ref()];
        let failed = |e: glib_error::Any| VideoError::NoGstreamer(e.0);
        pipeline.add_many(elements).map_err(|e| failed(e.into()))?;
        src.link(&decode).map_err(|e| failed(e.into()))?;
        gst::Element::link_many([&convert, &scale, &filter, sink.upcast_ref()])
            .map_err(|e| failed(e.into()))?;
        let convert_weak = convert.downgrade();
        let filter_weak = filter.downgrade();
        let pipeline_weak = pipeline.downgrade();
        let sound = Arc::new(Mutex::new(Sound::Off));
        let sound_linked = sound.clone();
        let pad_fail = fail.clone();
        decode.connect_pad_added(move |_, pad| {
            let (Some(convert), Some(filter)) = (convert_weak.upgrade(), filter_weak.upgrade()) else {
                return;
            };
            let Some(caps) = pad.current_caps().or_else(|| Some(pad.query_caps(None))) else { return };
            let Some(s) = caps.structure(0) else { return };
            if s.name().starts_with("audio/") {
                if how.sound
                    && let Some(pipeline) = pipeline_weak.upgrade()
                    && let Ok(mut linked) = sound_linked.lock()
                    && *linked == Sound::Off
                {
                    *linked = link_sound(&pipeline, pad);
                }
                return;
            }
            if !s.name().starts_with("video/") {
                return;
            }
            let Some(sink_pad) = convert.static_pad("sink") else { return };
            if sink_pad.is_linked() {
                return;
            }
            let (w, h) = (
                s.get::<i32>("width").unwrap_or(0).max(0) as u32,
                s.get::<i32>("height").unwrap_or(0).max(0) as u32,
            );
            if u64::from(w) * u64::from(h) > MAX_PIXELS {
                pad_fail(format!("too large:{w}x{h}"));
                return;
            }
            // Pixels that are not square (anamorphic films, e.g. HDV's 1440x1080 shown 16:9)
            // are shown at their true shape.
            let par =
                s.get::<gst::Fraction>("pixel-aspect-ratio").ok().filter(|f| f.numer() > 0 && f.denom() > 0);
            let shown_w = par.map_or(w, |f| (u64::from(w) * f.numer() as u64 / f.denom() as u64) as u32);
            let (tw, th) = shown_size(shown_w, h, stage, fit);
            filter.set_property(
                "caps",
                gst::Caps::builder("video/x-raw")
                    .field("format", "I420")
                    .field("width", tw as i32)
                    .field("height", th as i32)
                    .field("pixel-aspect-ratio", gst::Fraction::new(1, 1))
                    .build(),
            );
            let _ = pad.link(&sink_pad);
        });
        let convert_weak = convert.downgrade();
        let pads_fail = fail.clone();
        decode.connect_no_more_pads(move |_| {
            let linked =
                convert_weak.upgrade().and_then(|c| c.static_pad("sink")).is_some_and(|p| p.is_linked());
            if !linked {
                pads_fail("no-picture".into());
            }
        });
        if let Some(bus) = pipeline.bus() {
            let bus_fail = fail.clone();
            bus.set_sync_handler(move |_, msg| {
                match msg.view() {
                    gst::MessageView::Error(err) => bus_fail(err.error().to_string()),
                    // Posted by each new streaming thread from itself: decoding yields to the
                    // screen's thread (not the sound device's thread: sound must not stutter).
                    gst::MessageView::StreamStatus(st) if st.get().0 == gst::StreamStatusType::Enter => {
                        let for_sound = st.get().1.factory().is_some_and(|f| {
                            f.metadata("klass").is_some_and(|k| k.contains("Sink") && k.contains("Audio"))
                        });
                        if !for_sound {
                            lower_this_thread();
                        }
                    }
                    _ => {}
                }
                gst::BusSyncReply::Drop
            });
        }
        drop(fail);
        drop(tx);
        let deadline = std::time::Instant::now() + START_LIMIT;
        let stream_fail = |pipeline: &gst::Pipeline, e: VideoError| {
            shut_down(pipeline.clone());
            Err(e)
        };
        let mut skip_to = Duration::ZERO;
        let mut rounds_before = Duration::ZERO;
        // The error of a failed state change comes on the bus, below.
        if how.from > Duration::ZERO || how.sound {
            // Paused on the first frame; then, for a start mid-film, to the exact frame.
            let _ = pipeline.set_state(gst::State::Paused);
            let settled = settle(&pipeline, &failure, deadline);
            if settled && how.from > Duration::ZERO {
                if let Ok(mut p) = preroll.lock() {
                    *p = None;
                }
                let length = pipeline.query_duration::<gst::ClockTime>().map(|t| t.nseconds()).unwrap_or(0);
                let mut from = how.from.as_nanos() as u64;
                if length > 0 {
                    // A slide longer than its film loops it: the rounds before count as played.
                    rounds_before = Duration::from_nanos(from - from % length);
                    from %= length;
                }
                // To the key frame before; the frames up to `from` are decoded and skipped below
                // (what an ACCURATE seek does inside GStreamer).
                let _ = pipeline.seek_simple(
                    gst::SeekFlags::FLUSH | gst::SeekFlags::KEY_UNIT | gst::SeekFlags::SNAP_BEFORE,
                    gst::ClockTime::from_nseconds(from),
                );
                skip_to = Duration::from_nanos(from);
                settle(&pipeline, &failure, deadline);
            }
        }
        if !how.sound {
            let _ = pipeline.set_state(gst::State::Playing);
        }
        let waited = match failure.lock().ok().and_then(|f| f.clone()) {
            Some(why) => Ok(VideoEvent::Failed(why)),
            None if how.sound => wait_for_preroll(&preroll, &rx, deadline),
            None => rx.recv_timeout(deadline.saturating_duration_since(std::time::Instant::now())),
        };
        let first = match waited {
            // Frames before the moment asked for: decoded from the key frame, not shown.
            Ok(VideoEvent::Frame(mut f)) => loop {
                if f.pts + Duration::from_millis(1) >= skip_to || std::time::Instant::now() > deadline {
                    break Ok(f);
                }
                match rx.recv_timeout(deadline.saturating_duration_since(std::time::Instant::now())) {
                    Ok(VideoEvent::Frame(next)) => f = next,
                    Ok(VideoEvent::Failed(why)) => break Err(why),
                    _ => break Ok(f), // the end came first: show the last frame
                }
            },
            Ok(VideoEvent::End) => return stream_fail(&pipeline, VideoError::NoPicture),
            Ok(VideoEvent::Failed(e)) if e == "no-picture" => {
                return stream_fail(&pipeline, VideoError::NoPicture);
            }
            Ok(VideoEvent::Failed(e)) if e.starts_with("too large:") => {
                let (w, h) = e[10..].split_once('x').unwrap_or(("0", "0"));
                return stream_fail(
                    &pipeline,
                    VideoError::TooLarge(w.parse().unwrap_or(0), h.parse().unwrap_or(0)),
                );
            }
            Ok(VideoEvent::Failed(e)) => return stream_fail(&pipeline, VideoError::CannotDecode(e)),
            Err(RecvTimeoutError::Timeout) => {
                return stream_fail(&pipeline, VideoError::Stalled(START_LIMIT.as_secs()));
            }
            Err(RecvTimeoutError::Disconnected) => {
                return stream_fail(&pipeline, VideoError::CannotDecode("the decoder stopped".into()));
            }
        };
        let first = match first {
            Ok(f) => f,
            Err(why) => return stream_fail(&pipeline, VideoError::CannotDecode(why)),
        };
        // The length is known once the pipeline has settled in its playing state; on a busy
        // machine that can come a little after the first frame.
        let _ = pipeline.state(gst::ClockTime::from_mseconds(2000));
        let mut length = None;
        for _ in 0..50 {
            length = pipeline.query_duration::<gst::ClockTime>().map(|t| Duration::from_nanos(t.nseconds()));
            if length.is_some() {
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let size = (first.width, first.height);
        Ok(Self {
            pipeline,
            events: Mutex::new(rx),
            first: Mutex::new(Some(first)),
            length,
            size,
            decoder: chosen.lock().ok().and_then(|d| d.clone()),
            rounds_before,
            waits_for_play: how.sound,
            sound,
            failure,
        })
    }

    /// Stops decoding (and its sound) once its slide has gone; on a helper thread.
    pub fn pause(&self) {
        let pipeline = self.pipeline.clone();
        let _ = std::thread::Builder::new().name("corridor video pause".into()).spawn(move || {
            let _ = pipeline.set_state(gst::State::Paused);
        });
    }

    /// Starts a film that waits for its slide (one with sound); on a helper thread, so the
    /// caller never waits. Does nothing for a film that already plays.
    pub fn play(&self) {
        if !self.waits_for_play || self.pipeline.current_state() == gst::State::Playing {
            return;
        }
        let pipeline = self.pipeline.clone();
        let _ = std::thread::Builder::new().name("corridor video play".into()).spawn(move || {
            let _ = pipeline.set_state(gst::State::Playing);
        });
    }

    /// How far into the film its sound is (stream time, as heard), once it plays; None for a
    /// film without sound.
    pub fn position(&self) -> Option<Duration> {
        if self.pipeline.current_state() != gst::State::Playing {
            return None;
        }
        let sink = self.pipeline.by_name(SOUND_SINK)?;
        sink.query_position::<gst::ClockTime>().map(|t| Duration::from_nanos(t.nseconds()))
    }

    /// Where its sound goes.
    pub fn sound(&self) -> Sound {
        self.sound.lock().map_or(Sound::Off, |s| *s)
    }

    /// The first frame (once).
    pub fn take_first(&self) -> Option<VideoFrame> {
        self.first.lock().ok().and_then(|mut f| f.take())
    }

    /// The next event, if the decoder has one ready (never waits).
    pub fn try_next(&self) -> Option<VideoEvent> {
        if let Some(why) = self.failure.lock().ok().and_then(|f| f.clone()) {
            return Some(VideoEvent::Failed(why));
        }
        let rx = self.events.lock().ok()?;
        match rx.try_recv() {
            Ok(e) => Some(e),
            Err(TryRecvError::Empty) => None,
            Err(TryRecvError::Disconnected) => Some(VideoEvent::Failed("the decoder stopped".into())),
        }
    }

    /// Plays again from the start (for a slide longer than its video); on a helper thread, so
    /// the caller never waits.
    pub fn restart(&self) {
        let pipeline = self.pipeline.clone();
        let _ = std::thread::Builder::new().name("corridor video seek".into()).spawn(move || {
            let _ =
                pipeline.seek_simple(gst::SeekFlags::FLUSH | gst::SeekFlags::KEY_UNIT, gst::ClockTime::ZERO);
        });
    }
}

impl Drop for VideoStream {
    fn drop(&mut self) {
        // Unblock the streaming thread (its queue may be full), then stop off this thread.
        if let Ok(rx) = self.events.get_mut() {
            while rx.try_recv().is_ok() {}
        }
        shut_down(self.pipeline.clone());
    }
}

/// How long a probe may take before the file counts as unreadable.
const PROBE_LIMIT: Duration = Duration::from_secs(5);

/// The length of the video at `path`, read by GStreamer (demuxing and decoding its first frame;
/// nothing is shown). None when the file does not say, or cannot be played.
pub fn probe_length(path: &Path) -> Option<Duration> {
    init().ok()?;
    let uri = gst::glib::filename_to_uri(std::path::absolute(path).ok()?, None).ok()?;
    let fake = || gst::ElementFactory::make("fakesink").build().ok();
    let playbin = gst::ElementFactory::make("playbin")
        .property("uri", uri.as_str())
        .property("video-sink", fake()?)
        .property("audio-sink", fake()?)
        .build()
        .ok()?;
    let length = (|| {
        let bus = playbin.bus()?;
        // Its threads yield to the screen's, as a playing film's do.
        bus.set_sync_handler(|_, msg| {
            if let gst::MessageView::StreamStatus(st) = msg.view()
                && st.get().0 == gst::StreamStatusType::Enter
            {
                lower_this_thread();
            }
            gst::BusSyncReply::Pass
        });
        playbin.set_state(gst::State::Paused).ok()?;
        let done = bus.timed_pop_filtered(
            gst::ClockTime::from_mseconds(PROBE_LIMIT.as_millis() as u64),
            &[gst::MessageType::AsyncDone, gst::MessageType::Error],
        )?;
        if !matches!(done.view(), gst::MessageView::AsyncDone(_)) {
            return None;
        }
        playbin.query_duration::<gst::ClockTime>().map(|t| Duration::from_nanos(t.nseconds()))
    })();
    let _ = playbin.set_state(gst::State::Null);
    length
}

/// Sets each video's length in `content` from the file (unless playlist.toml gives a
/// duration), so the schedule knows when each slide ends before it plays. Lengths are kept per
/// file size and modification time: each file is read once.
pub fn fill_lengths(content: &mut super::content::Content) {
    type Key = (std::path::PathBuf, super::content::Stamp);
    static KNOWN: OnceLock<Mutex<std::collections::HashMap<Key, Option<Duration>>>> = OnceLock::new();
    let known = KNOWN.get_or_init(Default::default);
    for playlist in content.playlists.values_mut() {
        for item in &mut playlist.items {
            if item.kind != super::content::MediaKind::Video || item.duration_given {
                continue;
            }
            let Some(stamp) = content.stamps.get(&item.path).cloned() else { continue };
            let key = (item.path.clone(), stamp);
            let cached = known.lock().ok().and_then(|k| k.get(&key).copied());
            let length = match cached {
                Some(l) => l,
                None => {
                    let l = probe_length(&item.path);
                    if let Ok(mut k) = known.lock() {
                        if k.len() > 10_000 {
                            k.clear();
                        }
                        k.insert(key, l);
                    }
                    l
                }
            };
            if let Some(l) = length {
                item.duration = l.max(Duration::from_millis(500));
            }
        }
    }
}

/// Lowers the calling thread's CPU priority (Linux: per thread).
fn lower_this_thread() {
    #[cfg(target_os = "linux")]
    // SAFETY: setpriority only reads its integer arguments; `who = 0` is the calling thread.
    unsafe {
        libc::setpriority(libc::PRIO_PROCESS, 0, 10);
    }
}

/// Stops a pipeline on a helper thread (stopping waits for GStreamer's threads).
fn shut_down(pipeline: gst::Pipeline) {
    let spawned = std::thread::Builder::new().name("corridor video stop".into()).spawn({
        let pipeline = pipeline.clone();
        move || {
            let _ = pipeline.set_state(gst::State::Null);
        }
    });
    if spawned.is_err() {
        let _ = pipeline.set_state(gst::State::Null);
    }
}

/// The name of a pipeline's sound output.
const SOUND_SINK: &str = "corridor-sound";

/// Where a film's sound goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sound {
    /// Not played (off, or the film has none).
    Off,
    /// To the sound device.
    Playing,
    /// Sound is on but this machine has no sound device: it is decoded, in time, and not heard.
    NoDevice,
}

/// Links a decoded sound pad to the sound device: `queue ! audioconvert ! audioresample !
/// autoaudiosink` (which picks PulseAudio, PipeWire or ALSA, whichever works).
fn link_sound(pipeline: &gst::Pipeline, pad: &gst::Pad) -> Sound {
    let make = |name: &str| gst::ElementFactory::make(name).build().ok();
    let (Some(queue), Some(convert), Some(resample), Some(sink)) =
        (make("queue"), make("audioconvert"), make("audioresample"), make("autoaudiosink"))
    else {
        return Sound::Off;
    };
    sink.set_property("name", SOUND_SINK);
    // autoaudiosink picks its device when it gets ready; without one, a fake one that keeps
    // time all the same.
    if sink.set_state(gst::State::Ready).is_err() {
        return Sound::NoDevice;
    }
    let no_device = sink
        .downcast_ref::<gst::Bin>()
        .is_some_and(|bin| bin.children().iter().any(|c| c.name().starts_with("fake")));
    let parts = [&queue, &convert, &resample, &sink];
    if pipeline.add_many(parts).is_err() || gst::Element::link_many(parts).is_err() {
        return Sound::Off;
    }
    for e in parts {
        let _ = e.sync_state_with_parent();
    }
    match queue.static_pad("sink").is_some_and(|sink_pad| pad.link(&sink_pad).is_ok()) {
        true if no_device => Sound::NoDevice,
        true => Sound::Playing,
        false => Sound::Off,
    }
}

/// The frame a paused film waits on.
type Preroll = Arc<Mutex<Option<VideoFrame>>>;

fn callbacks(tx: SyncSender<VideoEvent>, slot: Preroll) -> gst_app::AppSinkCallbacks {
    let eos_tx = tx.clone();
    gst_app::AppSinkCallbacks::builder()
        .new_preroll(move |sink| {
            let sample = sink.pull_preroll().map_err(|_| gst::FlowError::Eos)?;
            let frame = sample_frame(&sample)?;
            if let Ok(mut slot) = slot.lock() {
                *slot = Some(frame);
            }
            Ok(gst::FlowSuccess::Ok)
        })
        .new_sample(move |sink| {
            let sample = sink.pull_sample().map_err(|_| gst::FlowError::Eos)?;
            let frame = sample_frame(&sample)?;
            // Waits while the queue is full: the decoder runs only as far ahead as the queue.
            tx.send(VideoEvent::Frame(frame)).map_err(|_| gst::FlowError::Flushing)?;
            Ok(gst::FlowSuccess::Ok)
        })
        .eos(move |_| {
            let _ = eos_tx.send(VideoEvent::End);
        })
        .build()
}

/// The frame a paused film waits on, or what went wrong instead, as the queue would give it.
fn wait_for_preroll(
    preroll: &Preroll,
    rx: &Receiver<VideoEvent>,
    deadline: std::time::Instant,
) -> Result<VideoEvent, RecvTimeoutError> {
    while std::time::Instant::now() < deadline {
        if let Some(frame) = preroll.lock().ok().and_then(|mut p| p.take()) {
            return Ok(VideoEvent::Frame(frame));
        }
        match rx.recv_timeout(Duration::from_millis(10)) {
            Ok(VideoEvent::Frame(f)) => return Ok(VideoEvent::Frame(f)),
            Ok(other) => return Ok(other),
            Err(RecvTimeoutError::Timeout) => {}
            Err(e) => return Err(e),
        }
    }
    Err(RecvTimeoutError::Timeout)
}

/// A decoded sample as a frame, its time in the film's own time (stream time: many files, MP4s
/// from x264 among them, stamp their first frame at 1 s or so, and the demuxer's segment says
/// that this is the film's 0 s).
fn sample_frame(sample: &gst::Sample) -> Result<VideoFrame, gst::FlowError> {
    let (Some(buffer), Some(caps)) = (sample.buffer(), sample.caps()) else {
        return Err(gst::FlowError::Error);
    };
    let s = caps.structure(0).ok_or(gst::FlowError::Error)?;
    let width = s.get::<i32>("width").map_err(|_| gst::FlowError::Error)?.max(2) as u32;
    let height = s.get::<i32>("height").map_err(|_| gst::FlowError::Error)?.max(2) as u32;
    let colours = YuvToRgb::from_colorimetry(s.get::<&str>("colorimetry").ok(), height);
    let pts = buffer.pts().unwrap_or(gst::ClockTime::ZERO);
    let stream_time = sample
        .segment()
        .and_then(|s| s.downcast_ref::<gst::ClockTime>())
        .and_then(|s| s.to_stream_time(pts))
        .unwrap_or(pts);
    let pts = Duration::from_nanos(stream_time.nseconds());
    let map = buffer.map_readable().map_err(|_| gst::FlowError::Error)?;
    let planes = i420_planes(map.as_slice(), width, height).ok_or(gst::FlowError::Error)?;
    Ok(VideoFrame { pts, width, height, planes, colours })
}

/// The Y, U and V planes of an I420 buffer in GStreamer's standard layout (rows padded to 4
/// bytes), each without padding.
fn i420_planes(data: &[u8], width: u32, height: u32) -> Option<[Vec<u8>; 3]> {
    let (w, h) = (width as usize / 2 * 2, height as usize / 2 * 2);
    let round4 = |v: usize| v.div_ceil(4) * 4;
    let (ys, cs) = (round4(w), round4(w / 2));
    let (u_at, v_at) = (ys * h, ys * h + cs * (h / 2));
    let plane = |offset: usize, stride: usize, row: usize, rows: usize| -> Option<Vec<u8>> {
        if stride == row {
            return data.get(offset..offset + row * rows).map(<[u8]>::to_vec);
        }
        let mut out = Vec::with_capacity(row * rows);
        for r in 0..rows {
            out.extend_from_slice(data.get(offset + r * stride..offset + r * stride + row)?);
        }
        Some(out)
    };
    Some([plane(0, ys, w, h)?, plane(u_at, cs, w / 2, h / 2)?, plane(v_at, cs, w / 2, h / 2)?])
}

/// The size a video is decoded to: fitted to the stage, never larger than the video itself,
/// even numbers (what video scalers like).
pub fn shown_size(w: u32, h: u32, stage: (u32, u32), fit: Fit) -> (u32, u32) {
    let scale = fit_scale(w.max(1), h.max(1), stage, fit).min(1.0);
    let even = |v: f64| ((v.round() as u32) / 2 * 2).max(2);
    (even(w as f64 * scale), even(h as f64 * scale))
}

/// A video slide as the show hands it on: shared, compared by identity.
#[derive(Clone, Debug)]
pub struct VideoSlide(pub Arc<VideoStream>);

impl PartialEq for VideoSlide {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Eq for VideoSlide {}

mod glib_error {
    /// Any GStreamer/GLib error, as text.
    pub struct Any(pub String);

    impl From<gstreamer::glib::BoolError> for Any {
        fn from(e: gstreamer::glib::BoolError) -> Self {
            Any(e.to_string())
        }
    }

    impl From<gstreamer::PadLinkError> for Any {
        fn from(e: gstreamer::PadLinkError) -> Self {
            Any(format!("{e:?}"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shown_size_fits_the_stage_and_never_grows() {
        assert_eq!(shown_size(1920, 1080, (1498, 994), Fit::Contain), (1498, 842));
        assert_eq!(shown_size(320, 180, (1498, 994), Fit::Contain), (320, 180));
        assert_eq!(shown_size(3840, 2160, (640, 360), Fit::Contain), (640, 360));
    }

    #[test]
    fn colour_sums_match_the_standards() {
        // Studio-range BT.709: black, white, and the primaries' published Y'CbCr values.
        let m = YuvToRgb::BT709_LIMITED;
        assert_eq!(m.rgb(16, 128, 128), [0, 0, 0]);
        assert_eq!(m.rgb(235, 128, 128), [255, 255, 255]);
        let near = |a: [u8; 3], b: [u8; 3]| a.iter().zip(b).all(|(x, y)| x.abs_diff(y) <= 2);
        assert!(near(m.rgb(63, 102, 240), [255, 0, 0]), "{:?}", m.rgb(63, 102, 240));
        assert!(near(m.rgb(173, 42, 26), [0, 255, 0]), "{:?}", m.rgb(173, 42, 26));
        assert!(near(m.rgb(32, 240, 118), [0, 0, 255]), "{:?}", m.rgb(32, 240, 118));
        // BT.601 red (SD video), and full range (JPEG-style).
        let sd = YuvToRgb::from_colorimetry(Some("bt601"), 480);
        assert!(near(sd.rgb(81, 90, 240), [255, 0, 0]), "{:?}", sd.rgb(81, 90, 240));
        let full = YuvToRgb::from_colorimetry(Some("1:4:0:0"), 480);
        assert_eq!(full.rgb(255, 128, 128), [255, 255, 255]);
        assert_eq!(full.rgb(0, 128, 128), [0, 0, 0]);
        // No colorimetry: BT.709 for HD, BT.601 for SD (GStreamer's own defaults).
        assert_eq!(YuvToRgb::from_colorimetry(None, 1080), m);
        assert_eq!(YuvToRgb::from_colorimetry(None, 480), sd);
    }

    #[test]
    fn planes_come_out_of_padded_rows() {
        // 6x2 I420: Y rows padded to 8 bytes, U/V rows (3 bytes) padded to 4.
        let mut data = vec![];
        data.extend([1, 2, 3, 4, 5, 6, 0, 0, 7, 8, 9, 10, 11, 12, 0, 0]);
        data.extend([20, 21, 22, 0]);
        data.extend([30, 31, 32, 0]);
        let [y, u, v] = i420_planes(&data, 6, 2).unwrap();
        assert_eq!(y, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
        assert_eq!((u, v), (vec![20, 21, 22], vec![30, 31, 32]));
        assert_eq!(i420_planes(&data[..10], 6, 2), None, "a short buffer is refused, not read past");
        // 8x2: rows need no padding.
        let packed: Vec<u8> = (0..24).collect();
        let [y, u, v] = i420_planes(&packed, 8, 2).unwrap();
        assert_eq!((y.len(), u, v), (16, vec![16, 17, 18, 19], vec![20, 21, 22, 23]));
    }
}
