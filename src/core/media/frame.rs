//! What every still picture becomes, and the sums shared by pictures, animations and films:
//! [`Frame`], decoding [`Limits`], how a picture fits the stage, and scaling down with SIMD.

use fast_image_resize::images::Image as FirImage;
use fast_image_resize::{FilterType, PixelType, ResizeAlg, ResizeOptions, Resizer};
use image::metadata::Orientation;
use image::{DynamicImage, RgbaImage};

use crate::core::config::Fit;

/// A decoded picture, RGBA with 8 bits a channel (sRGB), rows top to bottom.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Frame {
    pub width: u32,
    pub height: u32,
    pub rgba: Vec<u8>,
}

impl Frame {
    /// The frame of a decoded picture.
    pub fn from_image(img: DynamicImage) -> Self {
        let rgba = img.into_rgba8();
        let (width, height) = rgba.dimensions();
        Frame { width, height, rgba: rgba.into_raw() }
    }

    /// Back into a picture (to scale it again).
    pub fn into_image(self) -> Result<DynamicImage, PictureError> {
        RgbaImage::from_raw(self.width, self.height, self.rgba)
            .map(DynamicImage::ImageRgba8)
            .ok_or_else(|| PictureError::Corrupt("a frame has the wrong size".into()))
    }
}

/// Decoding limits.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub max_megapixels: f64,
}

/// Why a picture cannot be shown; the words are for staff.
#[derive(Debug, thiserror::Error)]
pub enum PictureError {
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
}

impl From<image::ImageError> for PictureError {
    fn from(e: image::ImageError) -> Self {
        match e {
            image::ImageError::Unsupported(_) => PictureError::Unsupported,
            image::ImageError::Limits(_) => PictureError::Corrupt("it needs more memory than allowed".into()),
            other => PictureError::Corrupt(other.to_string()),
        }
    }
}

/// Refuses a picture with more pixels than `limits` allow, or none, before it is decoded.
pub fn check_pixels(width: u32, height: u32, limits: Limits) -> Result<(), PictureError> {
    let mp = width as f64 * height as f64 / 1.0e6;
    if mp > limits.max_megapixels {
        return Err(PictureError::TooManyPixels { width, height, mp, limit: limits.max_megapixels });
    }
    if width == 0 || height == 0 {
        return Err(PictureError::Corrupt("it says it has no pixels".into()));
    }
    Ok(())
}

/// Whether an orientation turns the picture by a quarter, swapping width and height.
pub fn swaps_axes(o: Orientation) -> bool {
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

/// The part of a `w`x`h` picture that is shown (left, top, width, height): all of it for
/// `Contain`, the centre cut to the target's shape for `Cover`.
fn shown_part(w: f64, h: f64, target: (u32, u32), fit: Fit) -> (f64, f64, f64, f64) {
    match fit {
        Fit::Contain => (0.0, 0.0, w, h),
        Fit::Cover => {
            let aspect = target.0 as f64 / target.1 as f64;
            if w / h > aspect {
                let cw = (h * aspect).min(w);
                ((w - cw) / 2.0, 0.0, cw, h)
            } else {
                let ch = (w / aspect).min(h);
                (0.0, (h - ch) / 2.0, w, ch)
            }
        }
    }
}

/// Reductions milder than this are left to the GPU, which draws every picture at its fitted
/// size anyway (linear filtering, the same look at such scales): a picture decoded at a reduced
/// JPEG scale just above the stage's size (a 4000x3000 photo at 3/8 is 1500x1125 for a
/// 1440x1080 fit) would otherwise cost a second pass as long as a fifth of its decode. The
/// memory bound stays: at most 1/0.8 of the stage's size each way.
pub const GPU_SCALES_FROM: f64 = 0.8;

/// The part (left, top, width, height) of `img`, or `img` itself when that is all of it.
fn crop(img: DynamicImage, (left, top, cw, ch): (f64, f64, f64, f64)) -> DynamicImage {
    let (x, y) = (left.round() as u32, top.round() as u32);
    let (cw, ch) = ((cw.round() as u32).max(1), (ch.round() as u32).max(1));
    if (x, y, cw, ch) == (0, 0, img.width(), img.height()) {
        return img;
    }
    img.crop_imm(x, y, cw, ch)
}

/// Scales down (never up) to fit `target`, unless the reduction is mild ([`GPU_SCALES_FROM`]); for `Cover`, first crops the centre to the target's
/// shape. Uses SIMD convolution (fast_image_resize); keeps RGB as RGB so the work is 3 channels.
pub fn scale_to(img: DynamicImage, target: (u32, u32), fit: Fit) -> Result<DynamicImage, PictureError> {
    scale_with(img, target, fit, false)
}

/// [`scale_to`] for a picture known to be opaque (a JPEG decoded to RGBA with alpha 255): its
/// alpha is carried along, not weighed, which saves multiplying and dividing by it.
pub fn scale_opaque_to(
    img: DynamicImage,
    target: (u32, u32),
    fit: Fit,
) -> Result<DynamicImage, PictureError> {
    scale_with(img, target, fit, true)
}

fn scale_with(
    img: DynamicImage,
    target: (u32, u32),
    fit: Fit,
    opaque: bool,
) -> Result<DynamicImage, PictureError> {
    let (w, h) = (img.width(), img.height());
    let (left, top, cw, ch) = shown_part(w as f64, h as f64, target, fit);
    let s = (target.0 as f64 / cw).min(target.1 as f64 / ch).min(1.0);
    if s >= GPU_SCALES_FROM {
        return Ok(crop(img, (left, top, cw, ch)));
    }
    let (nw, nh) = (((cw * s).round() as u32).max(1), ((ch * s).round() as u32).max(1));
    let alpha = img.color().has_alpha();
    let (buf, pixel) = if alpha {
        (img.into_rgba8().into_raw(), PixelType::U8x4)
    } else {
        (img.into_rgb8().into_raw(), PixelType::U8x3)
    };
    let resize_err = |e: String| PictureError::Corrupt(format!("cannot scale it: {e}"));
    let src = FirImage::from_vec_u8(w, h, buf, pixel).map_err(|e| resize_err(e.to_string()))?;
    let mut dst = FirImage::new(nw, nh, pixel);
    let options = ResizeOptions::new()
        .resize_alg(ResizeAlg::Convolution(FilterType::Bilinear))
        .crop(left, top, cw, ch)
        .use_alpha(!opaque);
    Resizer::new().resize(&src, &mut dst, &options).map_err(|e| resize_err(e.to_string()))?;
    let raw = dst.into_vec();
    let out = if alpha {
        RgbaImage::from_raw(nw, nh, raw).map(DynamicImage::ImageRgba8)
    } else {
        image::RgbImage::from_raw(nw, nh, raw).map(DynamicImage::ImageRgb8)
    };
    out.ok_or_else(|| resize_err("the sizes do not match".into()))
}
