//! Turning a slide's [`Source`] into what the stage shows: a picture decoded and scaled to the
//! stage ([`picture`]), an animated GIF ([`gif`]), a notice ([`notice`]), or a film or a live
//! stream opened and pre-rolled ([`video`]). One entry point, [`load`], with typed errors; it runs on loader
//! threads, never on the screen's main thread. Shared types (frames, limits, fitting) live in
//! [`frame`]; nothing here knows the content folder.

mod bmp;
pub mod frame;
pub mod gif;
mod jpeg;
pub mod loader;
pub mod logo;
pub mod notice;
pub mod picture;
pub mod read;
pub mod screenshot;
mod turbo;
pub mod video;

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use image::ImageFormat;

pub use frame::{Frame, GPU_SCALES_FROM, Limits, PictureError};
pub use gif::Animation;
pub use notice::{Notice, NoticeError};
pub use picture::decode_image_bytes;
pub use read::ReadError;
pub use video::{PlayOptions, VideoError, VideoSlide, VideoStream};

use crate::core::source::{MediaKind, Source};

/// A slide ready to be put on screen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Slide {
    Picture(Frame),
    /// An animated GIF, every frame ready.
    Animation(Animation),
    Notice(Notice),
    /// A video, open and with its first frame decoded.
    Video(VideoSlide),
}

/// Why a slide cannot be shown; the words are for staff.
#[derive(Debug, thiserror::Error)]
pub enum MediaError {
    #[error(transparent)]
    Read(#[from] ReadError),
    #[error(transparent)]
    Picture(#[from] PictureError),
    #[error(transparent)]
    Notice(#[from] NoticeError),
    #[error(transparent)]
    Video(#[from] VideoError),
    #[error("a presentation plays page by page, each page a picture of its own")]
    Deck,
}

/// Loads a slide of `kind` from `source` for a stage of `stage` pixels (width, height). `how`
/// says how it fits, whether a film plays its sound, and how far into a film to start.
pub fn load(
    source: &Source,
    kind: MediaKind,
    stage: (u32, u32),
    limits: Limits,
    how: PlayOptions,
) -> Result<Slide, MediaError> {
    match (source, kind) {
        (Source::File(path), MediaKind::Image) => {
            let bytes = read::read_bytes(path)?;
            if image::guess_format(&bytes).ok() == Some(ImageFormat::Gif)
                && let Some(animation) = gif::decode_gif(&bytes, stage, how.fit, limits)?
            {
                return Ok(Slide::Animation(animation));
            }
            Ok(Slide::Picture(picture::decode_image_bytes(&bytes, stage, how.fit, limits)?))
        }
        (Source::File(path), MediaKind::Notice) => Ok(Slide::Notice(notice::read_notice(path)?)),
        (Source::File(path), MediaKind::Video) => {
            let stream = VideoStream::open(path, stage, how)?;
            Ok(Slide::Video(VideoSlide(Arc::new(stream))))
        }
        (Source::Stream { address, .. }, _) => {
            let stream = VideoStream::open_live(address, stage, how)?;
            Ok(Slide::Video(VideoSlide(Arc::new(stream))))
        }
        (Source::File(_), MediaKind::Stream) => {
            Err(VideoError::NotLive("the file holds no stream address".into()).into())
        }
        // A deck's pages are pictures of their own; the deck itself is never loaded.
        (Source::File(_), MediaKind::Deck) => Err(MediaError::Deck),
    }
}

/// Decodes a picture file and scales it for a stage of `stage` pixels.
pub fn decode_image(
    path: &Path,
    stage: (u32, u32),
    fit: crate::core::config::Fit,
    limits: Limits,
) -> Result<Frame, MediaError> {
    let bytes = read::read_bytes(path)?;
    Ok(picture::decode_image_bytes(&bytes, stage, fit, limits)?)
}

/// The length of a film, read apart from playing it (see [`video::probe_length`]).
pub fn probe_length(source: &Source) -> Option<Duration> {
    match source {
        Source::File(path) => video::probe_length(path),
        Source::Stream { .. } => None,
    }
}
