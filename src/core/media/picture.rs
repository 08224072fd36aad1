//! Turning a file into what the stage shows: a picture decoded, turned upright (EXIF) and scaled
//! down to the stage's size, or a notice's heading and body. Runs on worker threads, never on the
//! screen's main thread. Memory depends on the stage size, not on the photo: a JPEG is decoded at
//! 1/2, 1/4 or 1/8 scale when that is still at least as large as the stage needs.

use super::animation::{Animation, decode_gif};
use super::video::{PlayOptions, VideoError, VideoSlide, VideoStream};
use std::io::Cursor;
use std::path::Path;
use std::time::Duration;

use fast_image_resize::images::Image as FirImage;
use fast_image_resize::{FilterType, PixelType, ResizeAlg, ResizeOptions, Resizer};
use image::metadata::Orientation;
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, RgbaImage};

use super::config::Fit;
use super::content::{Item, MediaKind};
use super::text::decode_text;

/// Files larger than this are not read at all.
pub const MAX_FILE_BYTES: u64 = 256 * 1024 * 1024;
/// Notices longer than this are cut.
const MAX_NOTICE_CHARS: usize = 2_000;

/// A decoded picture, RGBA with 8 bits a channel (sRGB), rows top to bottom.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Frame {
    pub width: u32,
    pub height: u32,
    pub rgba: Vec<u8>,
}

/// A notice slide: a heading and a body of plain text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notice {
    pub heading: String,
    pub body: String,
}

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

/// Why a file cannot be shown; the words are for staff.
#[derive(Debug, thiserror::Error)]
pub enum MediaError {
    #[error("cannot read the file: {0}")]
    Unreadable(#[from] std::io::Error),
    #[error("the file is empty (0 bytes); copy it again")]
    Empty,
    #[error("the file is {0} MB, too large to show; save a smaller copy")]
    TooLarge(u64),
    #[error(
        "the picture is {width}x{height} ({mp:.0} megapixels), more than the limit of {limit:.0}; save a smaller copy"
    )]
    TooManyPixels { width: u32, height: u32, mp: f64, limit: f64 },
    #[error(
        "this is not a picture corridor can read (PNG, JPEG, WebP, GIF, BMP); it may be another kind of file renamed"
    )]
    Unsupported,
    #[error("the picture is damaged or only partly copied ({0}); copy it again")]
    Corrupt(String),
    #[error("the notice is empty; write a heading on its first line")]
    EmptyNotice,
    #[error(transparent)]
    Video(#[from] VideoError),
}

/// Decoding limits.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub max_megapixels: f64,
}

/// Loads an item for a stage of `stage` pixels (width, height).
pub fn load(item: &Item, stage: (u32, u32), limits: Limits, from: Duration) -> Result<Slide, MediaError> {
    match item.kind {
        MediaKind::Image => {
            let bytes = read_bytes(&item.path)?;
            if image::guess_format(&bytes).ok() == Some(ImageFormat::Gif)
                && let Some(animation) = decode_gif(&bytes, stage, item.fit, limits)?
            {
                return Ok(Slide::Animation(animation));
            }
            decode_image_bytes(&bytes, stage, item.fit, limits).map(Slide::Picture)
        }
        MediaKind::Notice => read_notice(&item.path).map(Slide::Notice),
        MediaKind::Video => {
            let how = PlayOptions { fit: item.fit, from, sound: item.sound };
            let stream = VideoStream::open(&item.path, stage, how)?;
            Ok(Slide::Video(VideoSlide(std::sync::Arc::new(stream))))
        }
    }
}

fn read_bytes(path: &Path) -> Result<Vec<u8>, MediaError> {
    let len = std::fs::metadata(path)?.len();
    if len == 0 {
        return Err(MediaError::Empty);
    }
    if len > MAX_FILE_BYTES {
        return Err(MediaError::TooLarge(len / 1_000_000));
    }
    Ok(std::fs::read(path)?)
}

/// Reads a notice: the first non-empty line is the heading (leading `#` dropped), the rest the body.
pub fn read_notice(path: &Path) -> Result<Notice, MediaError> {
    let bytes = read_bytes(path)?;
    parse_notice(&decode_text(&bytes)).ok_or(MediaError::EmptyNotice)
}

/// Splits notice text into heading and body; None when there is no heading.
pub fn parse_notice(text: &str) -> Option<Notice> {
    let clean: String =
        text.chars().filter(|c| !c.is_control() || *c == '\n').take(MAX_NOTICE_CHARS).collect();
    let mut lines = clean.lines().skip_while(|l| l.trim().is_empty());
    let heading = lines.next()?.trim().trim_start_matches('#').trim().to_string();
    if heading.is_empty() {
        return None;
    }
    let body_lines: Vec<String> = lines
        .map(|l| {
            let t = l.trim_end();
            let t = t.trim_start_matches('#').trim_start();
            t.replace("**", "").replace("__", "")
        })
        .collect();
    let body = body_lines.join("\n").trim().to_string();
    Some(Notice { heading, body })
}

/// Decodes a picture file and scales it for a stage of `stage` pixels.
pub fn decode_image(path: &Path, stage: (u32, u32), fit: Fit, limits: Limits) -> Result<Frame, MediaError> {
    let bytes = read_bytes(path)?;
    decode_image_bytes(&bytes, stage, fit, limits)
}

/// Decodes picture bytes and scales them for a stage of `stage` pixels.
pub fn decode_image_bytes(
    bytes: &[u8],
    stage: (u32, u32),
    fit: Fit,
    limits: Limits,
) -> Result<Frame, MediaError> {
    let format = image::guess_format(bytes).map_err(|_| MediaError::Unsupported)?;
    let stage = (stage.0.max(1), stage.1.max(1));
    let (img, orientation) = match format {
        ImageFormat::Jpeg => match decode_jpeg_scaled(bytes, stage, fit, limits)? {
            Some(decoded) => decoded,
            None => decode_generic(bytes, format, limits)?,
        },
        ImageFormat::Png | ImageFormat::WebP | ImageFormat::Gif | ImageFormat::Bmp => {
            decode_generic(bytes, format, limits)?
        }
        _ => return Err(MediaError::Unsupported),
    };
    // Scale (and crop, for cover) in the picture's own orientation, then turn it upright:
    // turning the small picture is cheaper than turning the big one.
    let target = if swaps_axes(orientation) { (stage.1, stage.0) } else { stage };
    let mut img = scale_to(img, target, fit)?;
    img.apply_orientation(orientation);
    let rgba = img.into_rgba8();
    let (width, height) = rgba.dimensions();
    Ok(Frame { width, height, rgba: rgba.into_raw() })
}

pub(crate) fn check_pixels(width: u32, height: u32, limits: Limits) -> Result<(), MediaError> {
    let mp = width as f64 * height as f64 / 1.0e6;
    if mp > limits.max_megapixels {
        return Err(MediaError::TooManyPixels { width, height, mp, limit: limits.max_megapixels });
    }
    if width == 0 || height == 0 {
        return Err(MediaError::Corrupt("it says it has no pixels".into()));
    }
    Ok(())
}

/// Whether an orientation turns the picture by a quarter, swapping width and height.
fn swaps_axes(o: Orientation) -> bool {
    matches!(
        o,
        Orientation::Rotate90
            | Orientation::Rotate270
            | Orientation::Rotate90FlipH
            | Orientation::Rotate270FlipH
    )
}

/// The scale factor (at most 1) that makes a `w`x`h` picture fit `stage` by `fit`.
pub fn fit_scale(w: u32, h: u32, stage: (u32, u32), fit: Fit) -> f64 {
    let sx = stage.0 as f64 / w as f64;
    let sy = stage.1 as f64 / h as f64;
    let s = match fit {
        Fit::Contain => sx.min(sy),
        Fit::Cover => sx.max(sy),
    };
    s.min(1.0)
}

/// JPEG through jpeg-decoder, which can decode at 1/2, 1/4 or 1/8 scale. None when the file is
/// of a kind this path does not handle (CMYK, 16-bit), so the generic decoder takes it.
fn decode_jpeg_scaled(
    bytes: &[u8],
    stage: (u32, u32),
    fit: Fit,
    limits: Limits,
) -> Result<Option<(DynamicImage, Orientation)>, MediaError> {
    let mut dec = jpeg_decoder::Decoder::new(Cursor::new(bytes));
    dec.read_info().map_err(|e| MediaError::Corrupt(e.to_string()))?;
    let Some(info) = dec.info() else {
        return Err(MediaError::Corrupt("no picture header".into()));
    };
    let (w, h) = (info.width as u32, info.height as u32);
    check_pixels(w, h, limits)?;
    if !matches!(info.pixel_format, jpeg_decoder::PixelFormat::RGB24 | jpeg_decoder::PixelFormat::L8) {
        return Ok(None);
    }
    let orientation =
        dec.exif_data().and_then(Orientation::from_exif_chunk).unwrap_or(Orientation::NoTransforms);
    let target = if swaps_axes(orientation) { (stage.1, stage.0) } else { stage };
    let s = fit_scale(w, h, target, fit);
    let want_w = ((w as f64 * s).ceil() as u32).clamp(1, u16::MAX as u32) as u16;
    let want_h = ((h as f64 * s).ceil() as u32).clamp(1, u16::MAX as u32) as u16;
    let (sw, sh) = dec.scale(want_w, want_h).map_err(|e| MediaError::Corrupt(e.to_string()))?;
    let pixels = dec.decode().map_err(|e| MediaError::Corrupt(e.to_string()))?;
    let (sw, sh) = (sw as u32, sh as u32);
    let img = match info.pixel_format {
        jpeg_decoder::PixelFormat::RGB24 => {
            image::RgbImage::from_raw(sw, sh, pixels).map(DynamicImage::ImageRgb8)
        }
        _ => image::GrayImage::from_raw(sw, sh, pixels).map(DynamicImage::ImageLuma8),
    };
    let img = img.ok_or_else(|| MediaError::Corrupt("the decoded size does not match".into()))?;
    Ok(Some((img, orientation)))
}

fn decode_generic(
    bytes: &[u8],
    format: ImageFormat,
    limits: Limits,
) -> Result<(DynamicImage, Orientation), MediaError> {
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut l = image::Limits::default();
    l.max_alloc = Some(((limits.max_megapixels * 1.0e6) as u64).saturating_mul(8).max(64 * 1024 * 1024));
    reader.limits(l);
    let mut decoder = reader.into_decoder().map_err(corrupt)?;
    let (w, h) = decoder.dimensions();
    check_pixels(w, h, limits)?;
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    let img = DynamicImage::from_decoder(decoder).map_err(corrupt)?;
    Ok((img, orientation))
}

pub(crate) fn corrupt(e: image::ImageError) -> MediaError {
    match e {
        image::ImageError::Unsupported(_) => MediaError::Unsupported,
        image::ImageError::Limits(_) => MediaError::Corrupt("it needs more memory than allowed".into()),
        other => MediaError::Corrupt(other.to_string()),
    }
}

/// Scales down (never up) to fit `target`; for `Cover`, first crops the centre to the target's
/// shape. Uses SIMD convolution (fast_image_resize); keeps RGB as RGB so the work is 3 channels.
pub(crate) fn scale_to(img: DynamicImage, target: (u32, u32), fit: Fit) -> Result<DynamicImage, MediaError> {
    let (w, h) = (img.width(), img.height());
    let (wf, hf) = (w as f64, h as f64);
    let (left, top, cw, ch) = match fit {
        Fit::Contain => (0.0, 0.0, wf, hf),
        Fit::Cover => {
            let aspect = target.0 as f64 / target.1 as f64;
            if wf / hf > aspect {
                let cw = (hf * aspect).min(wf);
                ((wf - cw) / 2.0, 0.0, cw, hf)
            } else {
                let ch = (wf / aspect).min(hf);
                (0.0, (hf - ch) / 2.0, wf, ch)
            }
        }
    };
    let s = (target.0 as f64 / cw).min(target.1 as f64 / ch).min(1.0);
    let (nw, nh) = (((cw * s).round() as u32).max(1), ((ch * s).round() as u32).max(1));
    if (nw, nh) == (w, h) {
        return Ok(img);
    }
    let alpha = img.color().has_alpha();
    let (buf, pixel) = if alpha {
        (img.into_rgba8().into_raw(), PixelType::U8x4)
    } else {
        (img.into_rgb8().into_raw(), PixelType::U8x3)
    };
    let resize_err = |e: String| MediaError::Corrupt(format!("cannot scale it: {e}"));
    let src = FirImage::from_vec_u8(w, h, buf, pixel).map_err(|e| resize_err(e.to_string()))?;
    let mut dst = FirImage::new(nw, nh, pixel);
    let options =
        ResizeOptions::new().resize_alg(ResizeAlg::Convolution(FilterType::Bilinear)).crop(left, top, cw, ch);
    Resizer::new().resize(&src, &mut dst, &options).map_err(|e| resize_err(e.to_string()))?;
    let raw = dst.into_vec();
    let out = if alpha {
        RgbaImage::from_raw(nw, nh, raw).map(DynamicImage::ImageRgba8)
    } else {
        image::RgbImage::from_raw(nw, nh, raw).map(DynamicImage::ImageRgb8)
    };
    out.ok_or_else(|| resize_err("the sizes do not match".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMITS: Limits = Limits { max_megapixels: 100.0 };

    fn png_bytes(w: u32, h: u32, colour: [u8; 4]) -> Vec<u8> {
        let img = RgbaImage::from_pixel(w, h, image::Rgba(colour));
        let mut out = Cursor::new(Vec::new());
        img.write_to(&mut out, ImageFormat::Png).expect("encode");
        out.into_inner()
    }

    fn jpeg_bytes(w: u32, h: u32) -> Vec<u8> {
        let img = image::RgbImage::from_fn(w, h, |x, _| {
            if x < w / 2 { image::Rgb([250, 0, 0]) } else { image::Rgb([0, 0, 250]) }
        });
        let mut out = Cursor::new(Vec::new());
        img.write_to(&mut out, ImageFormat::Jpeg).expect("encode");
        out.into_inner()
    }

    #[test]
    fn contain_scales_down_keeping_shape() {
        let f = decode_image_bytes(&png_bytes(400, 200, [1, 2, 3, 255]), (100, 100), Fit::Contain, LIMITS)
            .unwrap();
        assert_eq!((f.width, f.height), (100, 50));
        assert_eq!(f.rgba.len(), 100 * 50 * 4);
    }

    #[test]
    fn cover_crops_to_stage_shape() {
        let f =
            decode_image_bytes(&png_bytes(400, 200, [1, 2, 3, 255]), (100, 100), Fit::Cover, LIMITS).unwrap();
        assert_eq!((f.width, f.height), (100, 100));
    }

    #[test]
    fn small_pictures_are_not_enlarged() {
        let f = decode_image_bytes(&png_bytes(40, 20, [1, 2, 3, 255]), (1920, 1080), Fit::Contain, LIMITS)
            .unwrap();
        assert_eq!((f.width, f.height), (40, 20));
    }

    #[test]
    fn jpeg_is_decoded_at_reduced_scale() {
        let f = decode_image_bytes(&jpeg_bytes(1600, 800), (200, 200), Fit::Contain, LIMITS).unwrap();
        assert_eq!((f.width, f.height), (200, 100));
        // left half red, right half blue
        let px = |x: u32, y: u32| &f.rgba[((y * f.width + x) * 4) as usize..][..3];
        assert!(px(10, 50)[0] > 200 && px(10, 50)[2] < 60, "{:?}", px(10, 50));
        assert!(px(190, 50)[2] > 200 && px(190, 50)[0] < 60, "{:?}", px(190, 50));
    }

    #[test]
    fn pixel_limit_is_checked_before_decoding() {
        let err = decode_image_bytes(
            &png_bytes(2000, 1000, [0; 4]),
            (100, 100),
            Fit::Contain,
            Limits { max_megapixels: 1.0 },
        );
        assert!(matches!(err, Err(MediaError::TooManyPixels { .. })), "{err:?}");
    }

    #[test]
    fn garbage_and_truncation_are_errors() {
        assert!(matches!(
            decode_image_bytes(b"hello world", (10, 10), Fit::Contain, LIMITS),
            Err(MediaError::Unsupported)
        ));
        let mut png = png_bytes(300, 300, [9, 9, 9, 255]);
        png.truncate(png.len() / 2);
        assert!(decode_image_bytes(&png, (10, 10), Fit::Contain, LIMITS).is_err());
        let mut jpg = jpeg_bytes(300, 300);
        jpg.truncate(40);
        assert!(decode_image_bytes(&jpg, (10, 10), Fit::Contain, LIMITS).is_err());
    }

    #[test]
    fn notices() {
        let n = parse_notice("\n# Book fair\r\nFriday in the **hall**\n\n## Bring coins\n").unwrap();
        assert_eq!(n.heading, "Book fair");
        assert_eq!(n.body, "Friday in the hall\n\nBring coins");
        assert_eq!(parse_notice("  \n\n"), None);
        assert_eq!(parse_notice("#\nbody"), None);
    }
}
