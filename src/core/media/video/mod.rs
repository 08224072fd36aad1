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
//! A live stream ([`VideoStream::open_live`]) is opened the same way from its address; it is
//! ready once its first frame has come, and then hands the screen its newest frame each time.

mod error;
mod frame;
mod gst_glue;
mod pipeline;
mod probe;
mod sound;
mod text;

use std::path::Path;
use std::sync::mpsc::{Receiver, RecvTimeoutError, TryRecvError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use gstreamer as gst;
use gstreamer::prelude::*;

pub use error::VideoError;
pub use frame::{VideoFrame, YuvToRgb, shown_size};
pub use pipeline::{DEFAULT_HOLD, DEFAULT_LATENCY, Decoder, MAX_PIXELS, PlayOptions, VideoEvent};
pub use probe::probe_length;
pub use sound::Sound;

use gst_glue::{init, shut_down};
use pipeline::{Built, Failure, Input, Signal, wait_for_preroll};
use sound::{SOUND_SINK, set_muted};

use crate::core::stream::StreamAddress;

/// A video whose first frame has not come within this long is given up.
pub const START_LIMIT: Duration = Duration::from_secs(10);

/// An open video, playing into its queue.
pub struct VideoStream {
    pipeline: gst::Pipeline,
    events: Mutex<Receiver<VideoEvent>>,
    first: Mutex<Option<VideoFrame>>,
    /// The video's length, where the file tells it.
    pub length: Option<Duration>,
    /// The size frames come in.
    pub size: (u32, u32),
    /// The size the video's pictures have before they are scaled for the stage.
    pub source_size: Option<(u32, u32)>,
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
    /// A live stream: its newest frame waits in `newest`; it has no length and never restarts.
    pub live: bool,
    /// How long a live stream's last frame stays once it stalls or ends.
    pub hold: Duration,
    newest: pipeline::Preroll,
    /// The cues of the film's own subtitle track, gathered as it is read.
    cues: text::Cues,
}

impl std::fmt::Debug for VideoStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VideoStream").field("length", &self.length).field("size", &self.size).finish()
    }
}

/// Where a film starts: the frames before `skip_to` are decoded and not shown; `rounds_before`
/// counts the film's earlier rounds (a slide longer than its film loops it).
#[derive(Clone, Copy, Default)]
struct StartPoint {
    skip_to: Duration,
    rounds_before: Duration,
}

impl VideoStream {
    /// Opens `path` for a stage of `stage` pixels and waits for its first frame.
    pub fn open(path: &Path, stage: (u32, u32), how: PlayOptions) -> Result<Self, VideoError> {
        // A film started mid-way (a snapshot of a moment) is silent: it waits for no slide.
        let how = PlayOptions { sound: how.sound && how.from.is_zero(), ..how };
        init()?;
        let len = std::fs::metadata(path).map_err(|e| VideoError::Unreadable(e.to_string()))?.len();
        if len == 0 {
            return Err(VideoError::Empty);
        }
        let location =
            path.to_str().ok_or_else(|| VideoError::Unreadable("the file name is not valid text".into()))?;
        let built = pipeline::build(Input::File(location), stage, how)?;
        Self::started(built, how)
    }

    /// Opens the live stream at `address` for a stage of `stage` pixels and waits for its first
    /// frame: a stream that is not live fails here (within [`START_LIMIT`]).
    pub fn open_live(
        address: &StreamAddress,
        stage: (u32, u32),
        how: PlayOptions,
    ) -> Result<Self, VideoError> {
        init()?;
        let how = PlayOptions { from: Duration::ZERO, ..how };
        let built = pipeline::build(Input::Live(&address.url), stage, how)?;
        Self::started(built, how).map_err(|e| match e {
            VideoError::Stalled(s) => VideoError::NotLive(format!("no picture came within {s} s")),
            VideoError::CannotDecode(why) => VideoError::NotLive(why),
            other => other,
        })
    }

    fn started(built: Built, how: PlayOptions) -> Result<Self, VideoError> {
        let deadline = Instant::now() + START_LIMIT;
        match Self::start(&built, how, deadline) {
            Ok((first, start)) => Ok(Self::opened(built, first, start, how)),
            Err(e) => {
                shut_down(built.pipeline.clone());
                Err(e)
            }
        }
    }

    /// Starts the pipeline (paused first where the film waits for sound or starts mid-way) and
    /// waits for the first frame to show.
    fn start(
        built: &Built,
        how: PlayOptions,
        deadline: Instant,
    ) -> Result<(VideoFrame, StartPoint), VideoError> {
        // The error of a failed state change comes on the bus.
        let mut start = StartPoint::default();
        // A live stream does not wait paused (it has no first frame before it plays).
        if !built.live && (how.from > Duration::ZERO || how.sound) {
            let _ = built.pipeline.set_state(gst::State::Paused);
            if settle(&built.pipeline, &built.failure, deadline) && how.from > Duration::ZERO {
                start = seek_into(built, how.from, deadline);
            }
        }
        if !how.sound || built.live {
            let _ = built.pipeline.set_state(gst::State::Playing);
        }
        let first = first_frame(built, how.sound || built.live, deadline)?;
        Ok((skip_frames_before(first, &built.events, start.skip_to, deadline)?, start))
    }

    fn opened(built: Built, first: VideoFrame, start: StartPoint, how: PlayOptions) -> Self {
        let length = if built.live { None } else { length_of(&built.pipeline, &built.signal) };
        let decoder = built.decoder.lock().ok().and_then(|d| d.clone());
        Self {
            size: (first.width, first.height),
            source_size: built.source_size.lock().ok().and_then(|s| *s),
            pipeline: built.pipeline,
            events: Mutex::new(built.events),
            first: Mutex::new(Some(first)),
            length,
            decoder,
            rounds_before: start.rounds_before,
            waits_for_play: how.sound && !built.live,
            sound: built.sound,
            failure: built.failure,
            live: built.live,
            hold: how.hold,
            newest: built.preroll,
            cues: built.cues,
        }
    }

    /// The text of the film's own subtitle track at `t` of the film, if it has one and a cue
    /// covers `t`.
    pub fn subtitle_at(&self, t: Duration) -> Option<String> {
        let cues = self.cues.lock().ok()?;
        crate::core::subtitles::text_at(&cues, t)
    }

    /// Stops decoding (and its sound) once its slide has gone; on a helper thread. A live
    /// stream is only muted: it ends when its slide is dropped.
    pub fn pause(&self) {
        if self.live {
            return set_muted(&self.pipeline, true);
        }
        let pipeline = self.pipeline.clone();
        let _ = std::thread::Builder::new().name("corridor video pause".into()).spawn(move || {
            let _ = pipeline.set_state(gst::State::Paused);
        });
    }

    /// Starts a film that waits for its slide (one with sound); on a helper thread, so the
    /// caller never waits. Does nothing for a film that already plays.
    pub fn play(&self) {
        if self.live {
            return set_muted(&self.pipeline, false);
        }
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
            Err(TryRecvError::Empty) if self.live => {
                self.newest.lock().ok().and_then(|mut f| f.take()).map(VideoEvent::Frame)
            }
            Err(TryRecvError::Empty) => None,
            Err(TryRecvError::Disconnected) => {
                Some(VideoEvent::Failed(VideoError::CannotDecode("the decoder stopped".into())))
            }
        }
    }

    /// Plays again from the start (for a slide longer than its video); on a helper thread, so
    /// the caller never waits.
    pub fn restart(&self) {
        if self.live {
            return;
        }
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

/// Waits until the pipeline has settled in the state it was asked for, something went wrong, or
/// `deadline`; true when settled.
fn settle(pipeline: &gst::Pipeline, failure: &Failure, deadline: Instant) -> bool {
    while Instant::now() < deadline {
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

/// From the paused first frame to the key frame before `from` (into the film's round that
/// `from` falls in); the frames from there up to `from` are decoded and skipped by the caller
/// (what an ACCURATE seek does inside GStreamer).
fn seek_into(built: &Built, from: Duration, deadline: Instant) -> StartPoint {
    if let Ok(mut p) = built.preroll.lock() {
        *p = None;
    }
    let length = built.pipeline.query_duration::<gst::ClockTime>().map(|t| t.nseconds()).unwrap_or(0);
    let mut from = from.as_nanos() as u64;
    let mut rounds_before = Duration::ZERO;
    if length > 0 {
        rounds_before = Duration::from_nanos(from - from % length);
        from %= length;
    }
    let _ = built.pipeline.seek_simple(
        gst::SeekFlags::FLUSH | gst::SeekFlags::KEY_UNIT | gst::SeekFlags::SNAP_BEFORE,
        gst::ClockTime::from_nseconds(from),
    );
    settle(&built.pipeline, &built.failure, deadline);
    StartPoint { skip_to: Duration::from_nanos(from), rounds_before }
}

/// The film's first frame, or why there is none.
/// `from_slot`: it comes into the pre-roll slot (a paused film, a live stream), not the queue.
fn first_frame(built: &Built, from_slot: bool, deadline: Instant) -> Result<VideoFrame, VideoError> {
    let waited = match built.failed() {
        Some(e) => return Err(e),
        None if from_slot => wait_for_preroll(&built.preroll, &built.events, deadline),
        None => built.events.recv_timeout(deadline.saturating_duration_since(Instant::now())),
    };
    match waited {
        Ok(VideoEvent::Frame(f)) => Ok(f),
        Ok(VideoEvent::End) => Err(VideoError::NoPicture),
        Ok(VideoEvent::Failed(e)) => Err(e),
        Err(RecvTimeoutError::Timeout) => Err(VideoError::Stalled(START_LIMIT.as_secs())),
        Err(RecvTimeoutError::Disconnected) => Err(VideoError::CannotDecode("the decoder stopped".into())),
    }
}

/// Frames before the moment asked for: decoded from the key frame, not shown. The end coming
/// first shows the last frame.
fn skip_frames_before(
    mut f: VideoFrame,
    events: &Receiver<VideoEvent>,
    skip_to: Duration,
    deadline: Instant,
) -> Result<VideoFrame, VideoError> {
    while f.pts + Duration::from_millis(1) < skip_to && Instant::now() <= deadline {
        match events.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
            Ok(VideoEvent::Frame(next)) => f = next,
            Ok(VideoEvent::Failed(e)) => return Err(e),
            _ => break,
        }
    }
    Ok(f)
}

/// The film's length, once the pipeline knows it: it is known once the pipeline has settled in
/// its playing state, which on a busy machine can come a little after the first frame.
fn length_of(pipeline: &gst::Pipeline, signal: &Signal) -> Option<Duration> {
    let deadline = Instant::now() + Duration::from_secs(2);
    let mut seen = signal.count();
    loop {
        if let Some(t) = pipeline.query_duration::<gst::ClockTime>() {
            return Some(Duration::from_nanos(t.nseconds()));
        }
        seen = signal.wait_after(seen, deadline)?;
    }
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
