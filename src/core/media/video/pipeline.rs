//! Building a film's pipeline: `filesrc ! decodebin ! videoconvert ! videoscale ! I420 at the
//! stage's size ! appsink`, its sound where switched on, and what it reports: frames into a
//! small bounded queue, and the first failure kept apart as a typed [`VideoError`], so a full
//! queue never loses it. A live stream starts with `uridecodebin` (each protocol's own source:
//! rtspsrc, srtsrc, hlsdemux, udpsrc, rtmpsrc) instead, with the latency asked for, and keeps only
//! its newest frame: the screen shows what is live now, never a queue of old frames.

use std::sync::mpsc::{Receiver, RecvTimeoutError, SyncSender, sync_channel};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use gstreamer as gst;
use gstreamer::prelude::*;
use gstreamer_app as gst_app;

use super::error::VideoError;
use super::frame::{VideoFrame, sample_frame, shown_size};
use super::gst_glue::lower_this_thread;
use super::sound::{Sound, link_sound};
use super::text::{Cues, link_text};
use crate::core::config::Fit;
pub use crate::core::stream::{DEFAULT_HOLD, DEFAULT_LATENCY};

/// Frames decoded ahead of the screen; the decoder waits when the queue is full.
const QUEUE: usize = 3;
/// Videos larger than this (8K UHD) are not played.
pub const MAX_PIXELS: u64 = 7680 * 4320;
/// Live streams larger than this (4K UHD) are not played: a stream cannot be decoded ahead, and
/// a screen's small PC cannot keep up with more.
pub const MAX_LIVE_PIXELS: u64 = 3840 * 2160;

/// What comes out of the decoder.
#[derive(Debug)]
pub enum VideoEvent {
    Frame(VideoFrame),
    /// The end of the video.
    End,
    Failed(VideoError),
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
    /// A live stream's latency: how long its source may wait for late packets.
    pub latency: Duration,
    /// How long a live stream's last frame stays once it stalls or ends.
    pub hold: Duration,
    /// Gather the cues of a subtitle track inside the film.
    pub captions: bool,
}

impl Default for PlayOptions {
    fn default() -> Self {
        Self {
            fit: Fit::Contain,
            from: Duration::ZERO,
            sound: false,
            latency: DEFAULT_LATENCY,
            hold: DEFAULT_HOLD,
            captions: false,
        }
    }
}

/// Where a pipeline's pictures come from.
#[derive(Clone, Copy, Debug)]
pub(super) enum Input<'a> {
    /// A file on disk.
    File(&'a str),
    /// A live stream's address (a URI GStreamer opens with the protocol's own source).
    Live(&'a str),
}

/// The first thing that went wrong in a pipeline.
pub(super) type Failure = Arc<Mutex<Option<VideoError>>>;

/// Wakes whoever waits for the pipeline to settle or learn its length (GStreamer's AsyncDone
/// and DurationChanged messages): a counter that grows at each, and a condition to wait on.
#[derive(Clone, Default)]
pub(super) struct Signal(Arc<(Mutex<u64>, Condvar)>);

impl Signal {
    fn raise(&self) {
        if let Ok(mut n) = self.0.0.lock() {
            *n += 1;
            self.0.1.notify_all();
        }
    }

    /// Waits until the signal is raised after `seen`, or `deadline`; the count now.
    pub(super) fn wait_after(&self, seen: u64, deadline: Instant) -> Option<u64> {
        let mut n = self.0.0.lock().ok()?;
        while *n == seen {
            let left = deadline.checked_duration_since(Instant::now())?;
            n = self.0.1.wait_timeout(n, left).ok()?.0;
        }
        Some(*n)
    }

    pub(super) fn count(&self) -> u64 {
        self.0.0.lock().map_or(0, |n| *n)
    }
}

/// Keeps the first failure and wakes whoever waits on the queue.
#[derive(Clone)]
struct Reporter {
    failure: Failure,
    tx: SyncSender<VideoEvent>,
}

impl Reporter {
    fn fail(&self, why: VideoError) {
        if let Ok(mut f) = self.failure.lock() {
            f.get_or_insert_with(|| why.clone());
        }
        let _ = self.tx.try_send(VideoEvent::Failed(why));
    }
}

/// A film's pipeline, built and linked, not started yet.
pub(super) struct Built {
    pub pipeline: gst::Pipeline,
    pub events: Receiver<VideoEvent>,
    pub preroll: Preroll,
    pub failure: Failure,
    pub sound: Arc<Mutex<Sound>>,
    pub decoder: Arc<Mutex<Option<Decoder>>>,
    pub signal: Signal,
    /// A live stream: its newest frame waits in `preroll`, not in the queue.
    pub live: bool,
    /// The size the pictures come in, before scaling.
    pub source_size: SourceSize,
    /// The cues of a subtitle track inside the film, as they are read.
    pub cues: Cues,
}

/// The size a video's pictures come in, once its decoder has said.
pub(super) type SourceSize = Arc<Mutex<Option<(u32, u32)>>>;

impl Built {
    /// The failure so far, if any.
    pub fn failed(&self) -> Option<VideoError> {
        self.failure.lock().ok().and_then(|f| f.clone())
    }
}

/// The parts between the decoder and the app sink.
struct Chain {
    convert: gst::Element,
    filter: gst::Element,
    source_size: SourceSize,
}

fn make(name: &str) -> Result<gst::Element, VideoError> {
    gst::ElementFactory::make(name)
        .build()
        .map_err(|_| VideoError::NoGstreamer(format!("the GStreamer element {name} is missing")))
}

/// Builds the pipeline for `input`, for a stage of `stage` pixels.
pub(super) fn build(input: Input, stage: (u32, u32), how: PlayOptions) -> Result<Built, VideoError> {
    let pipeline = gst::Pipeline::new();
    let live = matches!(input, Input::Live(_));
    let (src, decode) = match input {
        Input::File(location) => {
            let src = make("filesrc")?;
            src.set_property("location", location);
            (Some(src), make("decodebin")?)
        }
        Input::Live(uri) => {
            let decode = make("uridecodebin")?;
            decode.set_property("uri", uri);
            set_up_live_source(&decode, how.latency);
            (None, decode)
        }
    };
    let decoder = watch_decoder_choice(&decode);
    let (convert, scale, filter) = (make("videoconvert")?, make("videoscale")?, make("capsfilter")?);
    // Colour conversion and scaling are the costly steps after decoding: use every core.
    for e in [&convert, &scale] {
        if e.find_property("n-threads").is_some() {
            e.set_property("n-threads", 0u32);
        }
    }
    let (tx, events) = sync_channel::<VideoEvent>(QUEUE);
    let preroll: Preroll = Arc::default();
    let report = Reporter { failure: Arc::default(), tx: tx.clone() };
    let sink = gst_app::AppSink::builder()
        .sync(false)
        .max_buffers(1)
        .drop(live)
        .caps(&gst::Caps::builder("video/x-raw").field("format", "I420").build())
        .callbacks(callbacks(tx, preroll.clone(), live))
        .build();
    let linked = pipeline
        .add_many([&decode, &convert, &scale, &filter, sink.upcast_ref()])
        .and_then(|_| src.as_ref().map_or(Ok(()), |src| pipeline.add(src).and_then(|_| src.link(&decode))))
        .and_then(|_| gst::Element::link_many([&convert, &scale, &filter, sink.upcast_ref()]));
    linked.map_err(|e| VideoError::NoGstreamer(e.to_string()))?;
    let sound = Arc::new(Mutex::new(Sound::Off));
    let source_size = SourceSize::default();
    let chain = Chain { convert, filter, source_size: source_size.clone() };
    let cues = Cues::default();
    on_pads(&decode, &pipeline, (chain, cues.clone()), &sound, stage, how, &report, live);
    let signal = Signal::default();
    watch_bus(&pipeline, report.clone(), signal.clone());
    Ok(Built {
        pipeline,
        events,
        preroll,
        failure: report.failure,
        sound,
        decoder,
        signal,
        live,
        source_size,
        cues,
    })
}

/// Gives a live stream's source the latency asked for (rtspsrc and srtsrc take it in
/// milliseconds); rtspsrc also drops what comes later than that, so delay never builds up.
fn set_up_live_source(decode: &gst::Element, latency: Duration) {
    let ms = latency.as_millis().min(60_000) as u32;
    decode.connect("source-setup", false, move |values| {
        let source = values.get(1).and_then(|v| v.get::<gst::Element>().ok())?;
        if let Some(spec) = source.find_property("latency") {
            if spec.value_type() == u32::static_type() {
                source.set_property("latency", ms);
            } else if spec.value_type() == i32::static_type() {
                source.set_property("latency", ms as i32);
            }
        }
        if source.find_property("drop-on-latency").is_some() {
            source.set_property("drop-on-latency", true);
        }
        None
    });
}

/// Notes which video decoder decodebin picks.
fn watch_decoder_choice(decode: &gst::Element) -> Arc<Mutex<Option<Decoder>>> {
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
    chosen
}

/// Links the decoder's pads as they come: pictures to the chain, sound (when on) to the sound
/// device; a film whose pads are all there without pictures fails with [`VideoError::NoPicture`].
fn on_pads(
    decode: &gst::Element,
    pipeline: &gst::Pipeline,
    (chain, cues): (Chain, Cues),
    sound: &Arc<Mutex<Sound>>,
    stage: (u32, u32),
    how: PlayOptions,
    report: &Reporter,
    live: bool,
) {
    let convert_weak = chain.convert.downgrade();
    let filter_weak = chain.filter.downgrade();
    let source_size = chain.source_size.clone();
    let pipeline_weak = pipeline.downgrade();
    let (sound, pad_report) = (sound.clone(), report.clone());
    decode.connect_pad_added(move |_, pad| {
        let Some(caps) = pad.current_caps().or_else(|| Some(pad.query_caps(None))) else { return };
        let Some(s) = caps.structure(0) else { return };
        if s.name().starts_with("text/") {
            if how.captions
                && let Some(pipeline) = pipeline_weak.upgrade()
            {
                link_text(&pipeline, pad, cues.clone());
            }
            return;
        }
        if s.name().starts_with("audio/") {
            if how.sound
                && let Some(pipeline) = pipeline_weak.upgrade()
                && let Ok(mut linked) = sound.lock()
                && *linked == Sound::Off
            {
                // A live stream plays from the moment it opens: silent until its slide shows.
                *linked = link_sound(&pipeline, pad, live);
            }
            return;
        }
        if let (true, Some(convert), Some(filter)) =
            (s.name().starts_with("video/"), convert_weak.upgrade(), filter_weak.upgrade())
        {
            let chain = Chain { convert, filter, source_size: source_size.clone() };
            if let Err(e) = link_pictures(pad, s, &chain, stage, (how.fit, live)) {
                pad_report.fail(e);
            }
        }
    });
    let convert_weak = chain.convert.downgrade();
    let report = report.clone();
    decode.connect_no_more_pads(move |_| {
        let linked = convert_weak.upgrade().and_then(|c| c.static_pad("sink")).is_some_and(|p| p.is_linked());
        if !linked {
            report.fail(VideoError::NoPicture);
        }
    });
}

/// Links the decoder's picture pad to the chain, decoding to the size the film is shown at.
fn link_pictures(
    pad: &gst::Pad,
    s: &gst::StructureRef,
    chain: &Chain,
    stage: (u32, u32),
    (fit, live): (Fit, bool),
) -> Result<(), VideoError> {
    let Some(sink_pad) = chain.convert.static_pad("sink").filter(|p| !p.is_linked()) else { return Ok(()) };
    let (w, h) =
        (s.get::<i32>("width").unwrap_or(0).max(0) as u32, s.get::<i32>("height").unwrap_or(0).max(0) as u32);
    if live && u64::from(w) * u64::from(h) > MAX_LIVE_PIXELS {
        return Err(VideoError::StreamTooLarge(w, h));
    }
    if u64::from(w) * u64::from(h) > MAX_PIXELS {
        return Err(VideoError::TooLarge(w, h));
    }
    if let Ok(mut size) = chain.source_size.lock() {
        *size = Some((w, h));
    }
    // Pixels that are not square (anamorphic films, e.g. HDV's 1440x1080 shown 16:9) are
    // shown at their true shape.
    let par = s.get::<gst::Fraction>("pixel-aspect-ratio").ok().filter(|f| f.numer() > 0 && f.denom() > 0);
    let shown_w = par.map_or(w, |f| (u64::from(w) * f.numer() as u64 / f.denom() as u64) as u32);
    let (tw, th) = shown_size(shown_w, h, stage, fit);
    chain.filter.set_property(
        "caps",
        gst::Caps::builder("video/x-raw")
            .field("format", "I420")
            .field("width", tw as i32)
            .field("height", th as i32)
            .field("pixel-aspect-ratio", gst::Fraction::new(1, 1))
            .build(),
    );
    let _ = pad.link(&sink_pad);
    Ok(())
}

/// Handles the pipeline's messages on the thread that posts them: errors become the failure,
/// settling and a known length raise `signal`, and each new streaming thread lowers its own
/// priority (decoding yields to the screen's thread; the sound device's thread keeps its own, so
/// sound does not stutter).
fn watch_bus(pipeline: &gst::Pipeline, report: Reporter, signal: Signal) {
    let Some(bus) = pipeline.bus() else { return };
    bus.set_sync_handler(move |_, msg| {
        match msg.view() {
            gst::MessageView::Error(err) => report.fail(VideoError::CannotDecode(err.error().to_string())),
            gst::MessageView::AsyncDone(_) | gst::MessageView::DurationChanged(_) => signal.raise(),
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

/// The frame a paused film waits on.
pub(super) type Preroll = Arc<Mutex<Option<VideoFrame>>>;

/// What the app sink does with each frame: a film's go into the queue (the decoder waits while
/// it is full); a live stream's newest frame replaces the one before it in `slot`.
fn callbacks(tx: SyncSender<VideoEvent>, slot: Preroll, live: bool) -> gst_app::AppSinkCallbacks {
    let eos_tx = tx.clone();
    let live_slot = slot.clone();
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
            if live {
                if let Ok(mut newest) = live_slot.lock() {
                    *newest = Some(frame);
                }
                return Ok(gst::FlowSuccess::Ok);
            }
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
pub(super) fn wait_for_preroll(
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
