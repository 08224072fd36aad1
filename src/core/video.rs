//! Video slides, decoded by GStreamer on its own threads: `filesrc ! decodebin ! videoconvert !
//! videoscale ! RGBA at the stage's size ! appsink`. Each frame is copied out on GStreamer's
//! streaming thread into a small bounded queue (so memory stays constant however long the film),
//! with its timestamp; the screen takes the frames whose time has come. Opening a video waits for
//! its first frame (pre-roll), so a video slide is ready before it goes on screen. Sound is not
//! played (corridors); hardware decoders are used where GStreamer's decodebin picks them.

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

/// One decoded frame, RGBA, rows top to bottom, at the size it is shown.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VideoFrame {
    /// When in the video it shows.
    pub pts: Duration,
    pub width: u32,
    pub height: u32,
    pub rgba: Vec<u8>,
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

/// An open video, playing into its queue.
pub struct VideoStream {
    pipeline: gst::Pipeline,
    events: Mutex<Receiver<VideoEvent>>,
    first: Mutex<Option<VideoFrame>>,
    /// The video's length, where the file tells it.
    pub length: Option<Duration>,
    /// The size frames come in.
    pub size: (u32, u32),
}

impl std::fmt::Debug for VideoStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VideoStream").field("length", &self.length).field("size", &self.size).finish()
    }
}

impl VideoStream {
    /// Opens `path` for a stage of `stage` pixels and waits for its first frame.
    pub fn open(path: &Path, stage: (u32, u32), fit: Fit) -> Result<Self, VideoError> {
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
        let sink = gst_app::AppSink::builder()
            .sync(false)
            .max_buffers(1)
            .drop(false)
            .caps(&gst::Caps::builder("video/x-raw").field("format", "RGBA").build())
            .callbacks(callbacks(tx.clone()))
            .build();
        let elements = [&src, &decode, &convert, &scale, &filter, sink.upcast_ref()];
        let failed = |e: glib_error::Any| VideoError::NoGstreamer(e.0);
        pipeline.add_many(elements).map_err(|e| failed(e.into()))?;
        src.link(&decode).map_err(|e| failed(e.into()))?;
        gst::Element::link_many([&convert, &scale, &filter, sink.upcast_ref()])
            .map_err(|e| failed(e.into()))?;
        let convert_weak = convert.downgrade();
        let filter_weak = filter.downgrade();
        let pad_tx = tx.clone();
        decode.connect_pad_added(move |_, pad| {
            let (Some(convert), Some(filter)) = (convert_weak.upgrade(), filter_weak.upgrade()) else {
                return;
            };
            let Some(caps) = pad.current_caps().or_else(|| Some(pad.query_caps(None))) else { return };
            let Some(s) = caps.structure(0) else { return };
            if !s.name().starts_with("video/") {
                return; // sound: not played
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
                let _ = pad_tx.try_send(VideoEvent::Failed(format!("too large:{w}x{h}")));
                return;
            }
            let (tw, th) = shown_size(w, h, stage, fit);
            filter.set_property(
                "caps",
                gst::Caps::builder("video/x-raw")
                    .field("format", "RGBA")
                    .field("width", tw as i32)
                    .field("height", th as i32)
                    .field("pixel-aspect-ratio", gst::Fraction::new(1, 1))
                    .build(),
            );
            let _ = pad.link(&sink_pad);
        });
        let convert_weak = convert.downgrade();
        let pads_tx = tx.clone();
        decode.connect_no_more_pads(move |_| {
            let linked =
                convert_weak.upgrade().and_then(|c| c.static_pad("sink")).is_some_and(|p| p.is_linked());
            if !linked {
                let _ = pads_tx.try_send(VideoEvent::Failed("no-picture".into()));
            }
        });
        if let Some(bus) = pipeline.bus() {
            let bus_tx = tx.clone();
            bus.set_sync_handler(move |_, msg| {
                match msg.view() {
                    gst::MessageView::Error(err) => {
                        let _ = bus_tx.try_send(VideoEvent::Failed(err.error().to_string()));
                    }
                    // Posted by each new streaming thread from itself: decoding yields to the
                    // screen's thread.
                    gst::MessageView::StreamStatus(st) if st.get().0 == gst::StreamStatusType::Enter => {
                        lower_this_thread();
                    }
                    _ => {}
                }
                gst::BusSyncReply::Drop
            });
        }
        drop(tx);
        let stream_fail = |pipeline: &gst::Pipeline, e: VideoError| {
            shut_down(pipeline.clone());
            Err(e)
        };
        if pipeline.set_state(gst::State::Playing).is_err() {
            // The error itself comes on the bus, below.
        }
        let first = match rx.recv_timeout(START_LIMIT) {
            Ok(VideoEvent::Frame(f)) => f,
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
        Ok(Self { pipeline, events: Mutex::new(rx), first: Mutex::new(Some(first)), length, size })
    }

    /// The first frame (once).
    pub fn take_first(&self) -> Option<VideoFrame> {
        self.first.lock().ok().and_then(|mut f| f.take())
    }

    /// The next event, if the decoder has one ready (never waits).
    pub fn try_next(&self) -> Option<VideoEvent> {
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

fn callbacks(tx: SyncSender<VideoEvent>) -> gst_app::AppSinkCallbacks {
    let eos_tx = tx.clone();
    gst_app::AppSinkCallbacks::builder()
        .new_sample(move |sink| {
            let sample = sink.pull_sample().map_err(|_| gst::FlowError::Eos)?;
            let (Some(buffer), Some(caps)) = (sample.buffer(), sample.caps()) else {
                return Err(gst::FlowError::Error);
            };
            let s = caps.structure(0).ok_or(gst::FlowError::Error)?;
            let width = s.get::<i32>("width").map_err(|_| gst::FlowError::Error)?.max(1) as u32;
            let height = s.get::<i32>("height").map_err(|_| gst::FlowError::Error)?.max(1) as u32;
            let pts = Duration::from_nanos(buffer.pts().map_or(0, |t| t.nseconds()));
            let map = buffer.map_readable().map_err(|_| gst::FlowError::Error)?;
            let row = width as usize * 4;
            let rgba = if map.len() == row * height as usize {
                map.as_slice().to_vec()
            } else {
                // Rows padded to a stride: copy each row's pixels only.
                let stride = map.len() / height as usize;
                map.as_slice().chunks(stride).flat_map(|r| &r[..row.min(r.len())]).copied().collect()
            };
            // Waits while the queue is full: the decoder runs only as far ahead as the queue.
            tx.send(VideoEvent::Frame(VideoFrame { pts, width, height, rgba }))
                .map_err(|_| gst::FlowError::Flushing)?;
            Ok(gst::FlowSuccess::Ok)
        })
        .eos(move |_| {
            let _ = eos_tx.send(VideoEvent::End);
        })
        .build()
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
}
