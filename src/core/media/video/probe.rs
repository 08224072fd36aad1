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
