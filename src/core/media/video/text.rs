//! Subtitle tracks inside a film (mov_text in an MP4, SubRip or WebVTT in an MKV): GStreamer
//! hands each cue out on the decoder's text pad; an app sink of its own gathers them, on the
//! film's clock, as the film is read. Only where the film has no subtitles file beside it.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use gstreamer as gst;
use gstreamer::prelude::*;
use gstreamer_app as gst_app;

use crate::core::subtitles::{Cue, cue_from_text};

/// The cues found so far, in the order they came (their start's).
pub(super) type Cues = Arc<Mutex<Vec<Cue>>>;

/// Cues kept at most from one film.
const MAX_CUES: usize = 20_000;
/// A cue that says nothing of its length shows this long.
const CUE_WITHOUT_LENGTH: Duration = Duration::from_secs(4);

/// Links the text pad `pad` to an app sink that adds each cue to `cues`.
pub(super) fn link_text(pipeline: &gst::Pipeline, pad: &gst::Pad, cues: Cues) {
    let sink = gst_app::AppSink::builder()
        .sync(false)
        .async_(false)
        .caps(&gst::Caps::builder("text/x-raw").build())
        .callbacks(
            gst_app::AppSinkCallbacks::builder()
                .new_sample(move |sink| {
                    let sample = sink.pull_sample().map_err(|_| gst::FlowError::Eos)?;
                    if let Some(cue) = sample_cue(&sample)
                        && let Ok(mut cues) = cues.lock()
                        && cues.len() < MAX_CUES
                        && !cues.contains(&cue)
                    {
                        // In order of their start (a film read again from its start after a
                        // start mid-way brings earlier cues later), each once.
                        let at = cues.partition_point(|c| c.start <= cue.start);
                        cues.insert(at, cue);
                    }
                    Ok(gst::FlowSuccess::Ok)
                })
                .build(),
        )
        .build();
    let element = sink.upcast_ref::<gst::Element>();
    if pipeline.add(element).is_err() {
        return;
    }
    let _ = element.sync_state_with_parent();
    if let Some(sink_pad) = element.static_pad("sink") {
        let _ = pad.link(&sink_pad);
    }
}

/// One text buffer as a cue, its times on the film's clock.
fn sample_cue(sample: &gst::Sample) -> Option<Cue> {
    let buffer = sample.buffer()?;
    let pts = buffer.pts()?;
    let segment = sample.segment().and_then(|s| s.downcast_ref::<gst::ClockTime>().cloned());
    let start = segment.as_ref().and_then(|s| s.to_stream_time(pts)).unwrap_or(pts);
    let start = Duration::from_nanos(start.nseconds());
    let length = buffer.duration().map_or(CUE_WITHOUT_LENGTH, |d| Duration::from_nanos(d.nseconds()));
    let map = buffer.map_readable().ok()?;
    cue_from_text(start, start + length, &String::from_utf8_lossy(map.as_slice()))
}
