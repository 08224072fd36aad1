//! Video slides on screen: each frame of a playing video goes into the slide's `Image` when its
//! time has come (the show's own clock, so a 60 s film takes 60 s whatever the frame rate; late
//! frames are skipped, time is never stretched). The pixels are moved, not copied, on this thread.
//! A video shorter than its slide starts again; a decoder that stalls is given up by a watchdog
//! and the show moves on.

use std::sync::Arc;
use std::time::{Duration, Instant};

use bevy::prelude::*;

use super::stage::StageState;
use crate::core::show::RequestId;
use crate::core::video::{VideoEvent, VideoFrame, VideoStream};

/// No new frame for this long while the video should be playing: the decoder has stalled.
const STALL: Duration = Duration::from_secs(3);

/// A playing video, on its slide's picture.
#[derive(Component)]
pub(super) struct VideoPlayback {
    stream: Arc<VideoStream>,
    image: Handle<Image>,
    /// The slide's request id (the show's name for it).
    slide: RequestId,
    /// The next frame, waiting for its time.
    next: Option<VideoFrame>,
    /// Show time at which the video (re)started.
    base: Duration,
    /// Show time of the last frame put on screen.
    progress: Duration,
    /// Wall-clock time of the last frame put on screen (a stall is judged on both clocks, so a
    /// show clock that runs fast, as in a snapshot, never mistakes a busy decoder for a stall).
    progress_at: Instant,
    ended: bool,
}

impl VideoPlayback {
    pub(super) fn new(stream: Arc<VideoStream>, image: Handle<Image>, slide: RequestId) -> Self {
        Self {
            stream,
            image,
            slide,
            next: None,
            base: Duration::ZERO,
            progress: Duration::ZERO,
            progress_at: Instant::now(),
            ended: false,
        }
    }
}

pub(super) fn plugin(app: &mut App) {
    app.add_systems(Update, play_videos.after(super::stage::StageSystems));
}

fn play_videos(
    mut state: ResMut<StageState>,
    mut images: ResMut<Assets<Image>>,
    mut videos: Query<&mut VideoPlayback>,
) {
    let Some(show) = state.show.as_mut() else { return };
    let (Some(current), Some(duration)) = (show.current_id(), show.current().map(|i| i.duration)) else {
        return;
    };
    let elapsed = show.shown_for();
    for mut v in &mut videos {
        // A video waiting to go on shows its first frame until it does.
        if v.slide != current || v.ended {
            continue;
        }
        let mut newest: Option<VideoFrame> = None;
        loop {
            if v.next.is_none() {
                match v.stream.try_next() {
                    Some(VideoEvent::Frame(f)) => v.next = Some(f),
                    Some(VideoEvent::End) => {
                        if elapsed + Duration::from_millis(100) < duration {
                            v.base = elapsed;
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
            if !v.next.as_ref().is_some_and(|f| base + f.pts <= elapsed) {
                break;
            }
            newest = v.next.take();
            v.progress = elapsed;
            v.progress_at = Instant::now();
        }
        if let Some(frame) = newest
            && let Some(mut image) = images.get_mut(&v.image)
        {
            let size = image.texture_descriptor.size;
            if size.width == frame.width && size.height == frame.height {
                image.data = Some(frame.rgba);
            }
        }
        let stalled = elapsed.saturating_sub(v.progress) > STALL && v.progress_at.elapsed() > STALL;
        if !v.ended && v.next.is_none() && elapsed < duration && stalled {
            warn!("a video's decoder stalled (no new picture for {} s); the show moves on", STALL.as_secs());
            show.end_current();
            v.ended = true;
        }
    }
}
