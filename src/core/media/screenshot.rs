//! A screen's frame made small for IT to look at remotely (`screenshot_file`): scaled to a
//! width (480 pixels), the shape kept, as a JPEG.

use image::DynamicImage;
use image::codecs::jpeg::JpegEncoder;

use super::frame::{PictureError, scale_to};
use crate::core::config::Fit;

/// The width of a screenshot.
pub const WIDTH: u32 = 480;
/// JPEG quality: small files, text still readable.
const QUALITY: u8 = 80;

/// `frame` as a JPEG `width` pixels wide (never wider than the frame).
pub fn screenshot_jpeg(frame: DynamicImage, width: u32) -> Result<Vec<u8>, PictureError> {
    let (w, h) = (frame.width().max(1), frame.height().max(1));
    let width = width.min(w).max(1);
    let height = ((h as u64 * width as u64 + w as u64 / 2) / w as u64).max(1) as u32;
    let small = scale_to(frame, (width, height), Fit::Contain)?.into_rgb8();
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, QUALITY)
        .encode_image(&small)
        .map_err(|e| PictureError::Corrupt(format!("the screenshot could not be made: {e}")))?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_1080p_frame_becomes_a_480_wide_jpeg_of_the_same_colours() {
        let frame = image::RgbaImage::from_fn(1920, 1080, |x, _| {
            if x < 960 { image::Rgba([200, 30, 30, 255]) } else { image::Rgba([30, 30, 200, 255]) }
        });
        let jpeg = screenshot_jpeg(DynamicImage::ImageRgba8(frame), WIDTH).unwrap();
        let back = image::load_from_memory_with_format(&jpeg, image::ImageFormat::Jpeg).unwrap().into_rgb8();
        assert_eq!(back.dimensions(), (480, 270));
        let [r, _, b] = back.get_pixel(100, 135).0;
        assert!(r > 170 && b < 60, "{r} {b}");
        let [r, _, b] = back.get_pixel(380, 135).0;
        assert!(b > 170 && r < 60, "{r} {b}");
        assert!(jpeg.len() < 60_000, "{}", jpeg.len());
    }
}
