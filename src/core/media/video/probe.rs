//! A film's length, read once at scan time (apart from playing), so the schedule knows when
//! each film ends before it plays.

use std::path::Path;
use std::time::Duration;

use gstreamer as gst;
use gstreamer::prelude::*;

use super::gst_glue::{init, lower_this_thread};

/// How long a probe may take before the file counts as unreadable.
const PROBE_LIMIT: Duration = Duration::from_secs(5);

/// The length of the video at `path`, read by GStreamer (demuxing and decoding its first frame;
/// nothing is shown). None when the file does not say, or cannot be played.
pub fn probe_length(path: &Path) -> Option<Duration> {
    init().ok()?;
    let uri = gst::glib::filename_to_uri(std::path::absolute(path).ok()?, None).ok()?;
    let fake = || gst::ElementFactory::make("fakesink").property("sync", false).build().ok();
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
        let estimate =
            playbin.query_duration::<gst::ClockTime>().map(|t| Duration::from_nanos(t.nseconds()))?;
        Some(if is_mpeg_program(path) {
            last_frame_end(&playbin, &bus, estimate).max(estimate)
        } else {
            estimate
        })
    })();
    let _ = playbin.set_state(gst::State::Null);
    length
}

/// MPEG program streams (.mpg, .mpeg, .vob: DVDs, old camcorders) carry no length; the
/// demuxer's estimate can fall short of the last frame by the stream's mux delay.
fn is_mpeg_program(path: &Path) -> bool {
    let ext = path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).unwrap_or_default();
    matches!(ext.as_str(), "mpg" | "mpeg" | "vob")
}

/// The time from the first frame's start to the last frame's end, found by prerolling the
/// film again from its start and then playing its last seconds without a clock (a second or
/// two of decoding). Zero when it cannot be found.
fn last_frame_end(playbin: &gst::Element, bus: &gst::Bus, estimate: Duration) -> Duration {
    use std::sync::atomic::{AtomicU64, Ordering};
    let (first, last) =
        (std::sync::Arc::new(AtomicU64::new(u64::MAX)), std::sync::Arc::new(AtomicU64::new(0)));
    let Some(pad) = playbin.property::<Option<gst::Element>>("video-sink").and_then(|s| s.static_pad("sink"))
    else {
        return Duration::ZERO;
    };
    let (seen_first, seen_last) = (first.clone(), last.clone());
    pad.add_probe(gst::PadProbeType::BUFFER, move |_, info| {
        if let Some(pts) = info.buffer().and_then(|b| b.pts().map(|p| (p, b.duration().unwrap_or_default())))
        {
            seen_first.fetch_min(pts.0.nseconds(), Ordering::Relaxed);
            seen_last.fetch_max((pts.0 + pts.1).nseconds(), Ordering::Relaxed);
        }
        gst::PadProbeReturn::Ok
    });
    let limit = gst::ClockTime::from_mseconds(PROBE_LIMIT.as_millis() as u64);
    let tail =
        gst::ClockTime::from_nseconds(estimate.saturating_sub(Duration::from_secs(3)).as_nanos() as u64);
    let prerolled = playbin.seek_simple(gst::SeekFlags::FLUSH, gst::ClockTime::ZERO).is_ok()
        && bus
            .timed_pop_filtered(limit, &[gst::MessageType::AsyncDone, gst::MessageType::Error])
            .is_some_and(|m| matches!(m.view(), gst::MessageView::AsyncDone(_)));
    if !prerolled
        || playbin.seek_simple(gst::SeekFlags::FLUSH | gst::SeekFlags::KEY_UNIT, tail).is_err()
        || playbin.set_state(gst::State::Playing).is_err()
    {
        return Duration::ZERO;
    }
    let _ = bus.timed_pop_filtered(limit, &[gst::MessageType::Eos, gst::MessageType::Error]);
    let (first, last) = (first.load(Ordering::Relaxed), last.load(Ordering::Relaxed));
    Duration::from_nanos(last.saturating_sub(first))
}
