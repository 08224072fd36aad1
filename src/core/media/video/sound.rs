//! A film's sound: linked to the sound device when sound is on, or kept in time without one.

use gstreamer as gst;
use gstreamer::prelude::*;

/// The name of a pipeline's sound output.
pub(super) const SOUND_SINK: &str = "corridor-sound";
/// The name of a pipeline's volume (a live stream's sound is muted until its slide shows).
pub(super) const VOLUME: &str = "corridor-volume";

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
/// volume ! autoaudiosink` (which picks PulseAudio, PipeWire or ALSA, whichever works), muted to
/// begin with when `muted`.
pub(super) fn link_sound(pipeline: &gst::Pipeline, pad: &gst::Pad, muted: bool) -> Sound {
    let make = |name: &str| gst::ElementFactory::make(name).build().ok();
    let (Some(queue), Some(convert), Some(resample), Some(volume), Some(sink)) =
        (make("queue"), make("audioconvert"), make("audioresample"), make("volume"), make("autoaudiosink"))
    else {
        return Sound::Off;
    };
    sink.set_property("name", SOUND_SINK);
    volume.set_property("name", VOLUME);
    volume.set_property("mute", muted);
    // autoaudiosink picks its device when it gets ready; without one, a fake one that keeps
    // time all the same.
    if sink.set_state(gst::State::Ready).is_err() {
        return Sound::NoDevice;
    }
    let no_device = sink
        .downcast_ref::<gst::Bin>()
        .is_some_and(|bin| bin.children().iter().any(|c| c.name().starts_with("fake")));
    let parts = [&queue, &convert, &resample, &volume, &sink];
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

/// Mutes or unmutes a pipeline's sound, where it has any.
pub(super) fn set_muted(pipeline: &gst::Pipeline, muted: bool) {
    if let Some(volume) = pipeline.by_name(VOLUME) {
        volume.set_property("mute", muted);
    }
}
