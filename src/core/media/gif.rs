//! GIFs: every frame decoded once, composed (a GIF frame draws over the ones before it),
//! scaled for the stage like a picture, and held within a memory budget; the screen then only
//! flips between the ready frames, as a silent film that loops for the slide's time. A GIF of
//! one frame is a still picture ([`first_frame`]).
//!
//! Read as browsers and Pillow read them: extension blocks of unknown kinds are skipped, and a
//! GIF with no colour table at all is shown in greys (index n as grey n, as Pillow does). Still
//! bounded: the canvas by the pixel limit, each frame by a memory limit, and the work by a total
//! of composed pixels, so a small hostile file cannot keep a loader busy for minutes.

use std::borrow::Cow;
use std::io::Cursor;
use std::num::NonZeroU64;
use std::time::Duration;

use gif::{ColorOutput, DecodeOptions, DisposalMethod, MemoryLimit};
use image::{DynamicImage, RgbaImage};

use super::frame::{Frame, Limits, PictureError, check_pixels, scale_to};
use crate::core::config::Fit;

/// The frames of one animation stay under this many bytes, so the two slides held at once (the
/// one on screen and the next) stay under 64 MB, what the DIY rival feh holds: a long or large
/// animation is shown smaller instead.
pub const BUDGET_BYTES: usize = 32 * 1024 * 1024;
/// At most this many frames are kept (50 s at 20 frames/s); the animation loops over them.
pub const MAX_FRAMES: usize = 1000;
/// Browsers show a frame with no delay, or one under 20 ms, for 100 ms: so does corridor.
const SHORTEST: Duration = Duration::from_millis(20);
const INSTEAD: Duration = Duration::from_millis(100);
/// At most this many canvas pixels are composed for one GIF (all frames together): about 500
/// frames of 1920x1080, or 10 of a 100-megapixel canvas. Frames past it are left out.
const MAX_COMPOSED_PIXELS: u64 = 1_000_000_000;

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
    fn halve(&mut self) -> Result<(), PictureError> {
        for f in &mut self.frames {
            let target = ((f.width / 2).max(1), (f.height / 2).max(1));
            *f = Frame::from_image(scale_to(std::mem::take(f).into_image()?, target, Fit::Contain)?);
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
) -> Result<Option<Animation>, PictureError> {
    let mut frames = Frames::open(bytes, limits)?;
    let mut animation = Animation { frames: Vec::new(), delays: Vec::new() };
    let mut target = (stage.0.max(1), stage.1.max(1));
    while animation.frames.len() < MAX_FRAMES {
        let (img, delay) = match frames.next() {
            Ok(Some(frame)) => frame,
            Err(e) if animation.frames.is_empty() => return Err(e),
            Ok(None) | Err(_) => break,
        };
        let delay = if delay < SHORTEST { INSTEAD } else { delay };
        let scaled = Frame::from_image(scale_to(DynamicImage::ImageRgba8(img), target, fit)?);
        animation.frames.push(scaled);
        animation.delays.push(delay);
        while animation.bytes() > BUDGET_BYTES {
            animation.halve()?;
            target = (animation.frames[0].width, animation.frames[0].height);
        }
    }
    frames.check_colours()?;
    match animation.frames.len() {
        0 => Err(nothing_to_show()),
        1 => Ok(None),
        _ => Ok(Some(animation)),
    }
}

/// The first frame of a GIF, full size: what a GIF of one frame shows.
pub fn first_frame(bytes: &[u8], limits: Limits) -> Result<DynamicImage, PictureError> {
    let mut frames = Frames::open(bytes, limits)?;
    let (img, _) = frames.next()?.ok_or_else(nothing_to_show)?;
    frames.check_colours()?;
    Ok(DynamicImage::ImageRgba8(img))
}

fn nothing_to_show() -> PictureError {
    PictureError::Corrupt("it has no pictures that can be read".into())
}

fn gif_error(e: gif::DecodingError) -> PictureError {
    match e {
        gif::DecodingError::MemoryLimit | gif::DecodingError::OutOfMemory => {
            PictureError::Corrupt("it needs more memory than allowed".into())
        }
        other => PictureError::Corrupt(other.to_string()),
    }
}

/// The bytes of a GIF that has no colour table at all (neither global nor local) with a grey
/// global one put in: index n shows as grey n. Other GIFs are passed through untouched.
fn with_colour_table(bytes: &[u8]) -> Cow<'_, [u8]> {
    const FLAGS: usize = 10;
    const SCREEN_END: usize = 13;
    let has_table = bytes.get(FLAGS).is_none_or(|flags| flags & 0x80 != 0);
    if has_table || !bytes.starts_with(b"GIF") || bytes.len() < SCREEN_END {
        return Cow::Borrowed(bytes);
    }
    let mut patched = Vec::with_capacity(bytes.len() + 768);
    patched.extend_from_slice(&bytes[..SCREEN_END]);
    patched[FLAGS] |= 0x80 | 0x07; // a global table of 2^(7+1) = 256 colours
    patched.extend((0..=255u8).flat_map(|g| [g, g, g]));
    patched.extend_from_slice(&bytes[SCREEN_END..]);
    Cow::Owned(patched)
}

/// A GIF's frames read one at a time, each composed over what the frames before it left.
struct Frames<'a> {
    decoder: gif::Decoder<Cursor<Cow<'a, [u8]>>>,
    global: Vec<u8>,
    /// What the next frame draws over.
    canvas: RgbaImage,
    pixels_left: u64,
    /// Pixels read, and how many of them name a colour their table has.
    pixels: u64,
    coloured: u64,
}

impl<'a> Frames<'a> {
    fn open(bytes: &'a [u8], limits: Limits) -> Result<Self, PictureError> {
        let mut options = DecodeOptions::new();
        options.set_color_output(ColorOutput::Indexed);
        options.allow_unknown_blocks(true);
        let frame_bytes = (limits.max_megapixels.max(0.0) * 1.0e6) as u64;
        options.set_memory_limit(MemoryLimit::Bytes(NonZeroU64::new(frame_bytes).unwrap_or(NonZeroU64::MIN)));
        let decoder = options.read_info(Cursor::new(with_colour_table(bytes))).map_err(gif_error)?;
        let (w, h) = (u32::from(decoder.width()), u32::from(decoder.height()));
        check_pixels(w, h, limits)?;
        let global = decoder.global_palette().unwrap_or_default().to_vec();
        let canvas = RgbaImage::new(w, h);
        Ok(Frames { decoder, global, canvas, pixels_left: MAX_COMPOSED_PIXELS, pixels: 0, coloured: 0 })
    }

    /// The next frame as it shows (full canvas), and how long it shows; None after the last.
    fn next(&mut self) -> Result<Option<(RgbaImage, Duration)>, PictureError> {
        let canvas_pixels = u64::from(self.canvas.width()) * u64::from(self.canvas.height());
        if self.pixels_left < canvas_pixels {
            return Ok(None);
        }
        self.pixels_left -= canvas_pixels;
        let Some(frame) = self.decoder.read_next_frame().map_err(gif_error)? else {
            return Ok(None);
        };
        let palette = frame.palette.as_deref().unwrap_or(&self.global);
        let (rgba, coloured) = to_rgba(&frame.buffer, palette, frame.transparent);
        self.pixels += frame.buffer.len() as u64;
        self.coloured += coloured;
        let delay = Duration::from_millis(u64::from(frame.delay) * 10);
        let mut shown = self.canvas.clone();
        compose(frame, &rgba, &mut shown, &mut self.canvas);
        Ok(Some((shown, delay)))
    }

    /// Refuses a GIF whose pixels all name colours its tables do not have (browsers leave them
    /// out; there is no picture to show).
    fn check_colours(&self) -> Result<(), PictureError> {
        if self.pixels > 0 && self.coloured == 0 {
            return Err(PictureError::Corrupt("its pixels name colours it does not have".into()));
        }
        Ok(())
    }
}

/// Colour indices to RGBA by `palette`; the `transparent` index and indices past the end of
/// the palette become transparent. Also returns how many indices the palette has (or are the
/// transparent one).
fn to_rgba(indices: &[u8], palette: &[u8], transparent: Option<u8>) -> (Vec<u8>, u64) {
    let mut table = [[0u8; 4]; 256];
    let mut known = [false; 256];
    for (i, c) in palette.chunks_exact(3).take(256).enumerate() {
        (table[i], known[i]) = ([c[0], c[1], c[2], 255], true);
    }
    if let Some(t) = transparent {
        (table[t as usize], known[t as usize]) = ([0; 4], true);
    }
    let mut out = Vec::with_capacity(indices.len() * 4);
    let mut coloured = 0;
    for &i in indices {
        out.extend_from_slice(&table[i as usize]);
        coloured += u64::from(known[i as usize]);
    }
    (out, coloured)
}

/// Draws a frame (its pixels `rgba`) over `shown` (a copy of the canvas) where it is not
/// transparent, then leaves `canvas` as the frame's disposal says: kept, cleared to
/// transparent, or as it was before.
fn compose(frame: &gif::Frame<'_>, rgba: &[u8], shown: &mut RgbaImage, canvas: &mut RgbaImage) {
    let fw = usize::from(frame.width).max(1);
    let (left, top) = (usize::from(frame.left), usize::from(frame.top));
    let (cw, ch) = (shown.width() as usize, shown.height() as usize);
    for (i, px) in rgba.chunks_exact(4).enumerate() {
        let (x, y) = (left + i % fw, top + i / fw);
        if x >= cw || y >= ch {
            continue;
        }
        let (x, y) = (x as u32, y as u32);
        let before = *canvas.get_pixel(x, y);
        let now = if px[3] == 0 { before } else { image::Rgba([px[0], px[1], px[2], px[3]]) };
        shown.put_pixel(x, y, now);
        match frame.dispose {
            DisposalMethod::Any | DisposalMethod::Keep => canvas.put_pixel(x, y, now),
            DisposalMethod::Background => canvas.put_pixel(x, y, image::Rgba([0, 0, 0, 0])),
            DisposalMethod::Previous => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::Delay;
    use image::codecs::gif::{GifEncoder, Repeat};

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

    #[test]
    fn the_work_on_one_gif_is_capped() {
        let bytes = gif(&[[255, 0, 0], [0, 255, 0], [0, 0, 255]], 100, 10, 10);
        let mut frames = Frames::open(&bytes, LIMITS).unwrap();
        frames.pixels_left = 250; // room for two 10x10 canvases, not three
        let mut n = 0;
        while frames.next().unwrap().is_some() {
            n += 1;
        }
        assert_eq!(n, 2);
        // A canvas over the pixel limit is refused before anything is decoded.
        let small = Limits { max_megapixels: 0.00005 };
        assert!(matches!(Frames::open(&bytes, small).err(), Some(PictureError::TooManyPixels { .. })));
    }
}
