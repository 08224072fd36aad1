//! What every GStreamer pipeline of corridor's needs: starting GStreamer once, decoding threads
//! that yield to the screen's, stopping off the caller's thread, and waiting for a state.

use std::sync::OnceLock;

use gstreamer as gst;
use gstreamer::prelude::*;

use super::error::VideoError;

/// Starts GStreamer (once per process).
pub fn init() -> Result<(), VideoError> {
    static INIT: OnceLock<Result<(), String>> = OnceLock::new();
    INIT.get_or_init(|| gst::init().map_err(|e| e.to_string())).clone().map_err(VideoError::NoGstreamer)
}

pub use crate::core::threads::lower_priority as lower_this_thread;

/// Stops a pipeline on a helper thread (stopping waits for GStreamer's threads).
pub fn shut_down(pipeline: gst::Pipeline) {
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
