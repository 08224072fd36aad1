//! Why a film cannot be played, in words for staff.

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
    #[error("the stream is {0}x{1}, larger than 4K (3840x2160); have it sent smaller")]
    StreamTooLarge(u32, u32),
    #[error("the video did not start within {0} s (damaged, or a decoder that hangs); it is skipped")]
    Stalled(u64),
    #[error("the stream is not live ({0}); it is tried again on its next turn")]
    NotLive(String),
}
