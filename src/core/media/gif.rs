//! Animated GIFs: every frame decoded once, composed (a GIF frame draws over the ones before it),
//! scaled for the stage like a picture, and held within a memory budget; the screen then only
//! flips between the ready frames, as a silent film that loops for the slide's time.

use std::io::Cursor;
use std::time::Duration;

use image::codecs::gif::GifDecoder;
use image::{AnimationDecoder, DynamicImage, ImageDecoder};

use super::config::Fit;
use super::media::{Frame, Limits, MediaError, check_pixels, corrupt, scale_to};

/// The frames of one animation stay under this many bytes, so the two slides held at once (the
/// one on screen and the next) stay under 64 MB, what the DIY rival feh holds: a long or large
/// animation is shown smaller instead.
pub const BUDGET_BYTES: usize = 32 * 1024 * 1024;
/// At most this many frames are kept (50 s at 20 frames/s); the animation loops over them.
pub const MAX_FRAMES: usize = 1000;
/// Browsers show a frame with no delay, or one under 20 ms, for 100 ms: so does corridor.
const SHORTEST: Duration = Duration::from_millis(20);
const INSTEAD: Duration = Duration::from_millis(100);

/// An animation ready to show: frames of one size, each with how long it shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Animation {
    pub frames: Vec<Frame>,
    pub delays: Vec<Duration>,
}

impl Animation {
    /// One play-through.
    pub fn length(&self) -> Duration {
        self.delays.iter().sum()
    }

    /// The frame that shows `t` after the start, looping.
    pub fn frame_at(&self, t: Duration) -> usize {
        frame_at(&self.delays, t)
    }

    fn bytes(&self) -> usize {
        self.frames.iter().map(|f| f.rgba.len()).sum()
    }

    /// Halves every frame (to stay within the budget).
    fn halve(&mut self) -> Result<(), MediaError> {
        for f in &mut self.frames {
            let target = ((f.width / 2).max(1), (f.height / 2).max(1));
            *f = to_frame(scale_to(from_frame(std::mem::take(f))?, target, Fit::Contain)?);
        }
        Ok(())
    }
}

/// Which of frames lasting `delays` shows `t` after the start, looping.
pub fn frame_at(delays: &[Duration], t: Duration) -> usize {
    let total: Duration = delays.iter().sum();
    if total.is_zero() {
        return 0;
    }
    let mut t = Duration::from_nanos((t.as_nanos() % total.as_nanos()) as u64);
    for (i, d) in delays.iter().enumerate() {
        if t < *d {
            return i;
        }
        t -= *d;
    }
    delays.len() - 1
}

/// Decodes a GIF for a stage of `stage` pixels. `None` when it has a single frame (a still
/// picture, decoded as one). A file damaged part-way keeps the frames before the damage.
pub fn decode_gif(
    bytes: &[u8],
    stage: (u32, u32),
    fit: Fit,
    limits: Limits,
) -> Result<Option<Animation>, MediaError> {
    let decoder = GifDecoder::new(Cursor::new(bytes)).map_err(corrupt)?;
    let (w, h) = decoder.dimensions();
    check_pixels(w, h, limits)?;
    let mut animation = Animation { frames: Vec::new(), delays: Vec::new() };
    let mut target = (stage.0.max(1), stage.1.max(1));
    for frame in decoder.into_frames().take(MAX_FRAMES) {
        let Ok(frame) = frame else { break };
        let (n, d) = frame.delay().numer_denom_ms();
        let delay = Duration::from_micros(u64::from(n) * 1000 / u64::from(d.max(1)));
        let delay = if delay < SHORTEST { INSTEAD } else { delay };
        let img = DynamicImage::ImageRgba8(frame.into_buffer());
        let scaled = to_frame(scale_to(img, target, fit)?);
        animation.frames.push(scaled);
        animation.delays.push(delay);
        while animation.bytes() > BUDGET_BYTES {
            animation.halve()?;
            target = (animation.frames[0].width, animation.frames[0].height);
        }
    }
    match animation.frames.len() {
        0 => Err(MediaError::Corrupt("it has no pictures that can be read".into())),
        1 => Ok(None),
        _ => Ok(Some(animation)),
    }
}

fn to_frame(img: DynamicImage) -> Frame {
    let rgba = img.into_rgba8();
    let (width, height) = rgba.dimensions();
    Frame { width, height, rgba: rgba.into_raw() }
}

fn from_frame(f: Frame) -> Result<DynamicImage, MediaError> {
    image::RgbaImage::from_raw(f.width, f.height, f.rgba)
        .map(DynamicImage::ImageRgba8)
        .ok_or_else(|| MediaError::Corrupt("a frame has the wrong size".into()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::codecs::gif::{GifEncoder, Repeat};
    use image::{Delay, RgbaImage};

    const LIMITS: Limits = Limits { max_megapixels: 100.0 };

    /// A GIF of `colours`, each frame `ms` long, `w`x`h`.
    fn gif(colours: &[[u8; 3]], ms: u32, w: u32, h: u32) -> Vec<u8> {
        let mut out = Vec::new();
        {
            let mut enc = GifEncoder::new_with_speed(&mut out, 30);
            enc.set_repeat(Repeat::Infinite).unwrap();
            for c in colours {
                let img = RgbaImage::from_pixel(w, h, image::Rgba([c[0], c[1], c[2], 255]));
                let frame = image::Frame::from_parts(img, 0, 0, Delay::from_numer_denom_ms(ms, 1));
                enc.encode_frame(frame).unwrap();
            }
        }
        out
    }

    #[test]
    fn frames_and_their_times() {
        let bytes = gif(&[[255, 0, 0], [0, 255, 0], [0, 0, 255]], 200, 40, 20);
        let a = decode_gif(&bytes, (1920, 1080), Fit::Contain, LIMITS).unwrap().expect("animated");
        assert_eq!(a.frames.len(), 3);
        assert_eq!((a.frames[0].width, a.frames[0].height), (40, 20), "never enlarged");
        assert_eq!(a.length(), Duration::from_millis(600));
        assert_eq!(&a.frames[1].rgba[..3], &[0, 255, 0]);
        let ms = Duration::from_millis;
        assert_eq!(
            [a.frame_at(ms(0)), a.frame_at(ms(199)), a.frame_at(ms(200)), a.frame_at(ms(599))],
            [0, 0, 1, 2]
        );
        assert_eq!(a.frame_at(ms(650)), 0, "loops");
    }

    #[test]
    fn no_delay_means_a_tenth_of_a_second_and_one_frame_is_a_still() {
        let a = decode_gif(&gif(&[[1, 2, 3], [4, 5, 6]], 0, 8, 8), (100, 100), Fit::Contain, LIMITS)
            .unwrap()
            .unwrap();
        assert_eq!(a.delays, [INSTEAD, INSTEAD]);
        assert_eq!(
            decode_gif(&gif(&[[1, 2, 3]], 100, 8, 8), (100, 100), Fit::Contain, LIMITS).unwrap(),
            None
        );
    }

    #[test]
    fn a_long_large_animation_is_shown_smaller_within_the_budget() {
        // 12 frames of 1920x1080 would be 100 MB as RGBA.
        let colours: Vec<[u8; 3]> = (0..12).map(|i| [i as u8 * 20, 0, 0]).collect();
        let a =
            decode_gif(&gif(&colours, 50, 1920, 1080), (1920, 1080), Fit::Contain, LIMITS).unwrap().unwrap();
        assert_eq!(a.frames.len(), 12);
        assert!(a.bytes() <= BUDGET_BYTES, "{} bytes", a.bytes());
        assert!(a.frames.iter().all(|f| (f.width, f.height) == (a.frames[0].width, a.frames[0].height)));
        assert!(a.frames[0].width >= 320, "{}", a.frames[0].width);
    }

    #[test]
    fn a_gif_cut_short_keeps_the_frames_before_the_cut() {
        let bytes = gif(&[[255, 0, 0], [0, 255, 0], [0, 0, 255]], 100, 64, 64);
        let cut = &bytes[..bytes.len() * 3 / 4];
        let a = decode_gif(cut, (100, 100), Fit::Contain, LIMITS);
        assert!(matches!(a, Ok(Some(ref a)) if a.frames.len() == 2) || matches!(a, Ok(None)), "{a:?}");
        assert!(decode_gif(b"GIF89a", (100, 100), Fit::Contain, LIMITS).is_err());
    }
}
