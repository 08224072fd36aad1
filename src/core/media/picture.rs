//! Still pictures: decoded, turned upright (EXIF) and scaled down to the stage's size. Runs on
//! loader threads, never on the screen's main thread. Memory depends on the stage size, not on the
//! photo: a JPEG is decoded straight at a reduced scale (n/8 of its size, [`super::jpeg`]) when
//! that is still at least as large as the stage needs. GIFs ([`super::gif`]) and 24-bit RLE BMPs
//! ([`super::bmp`]) have readers of their own; other kinds go to the `image` crate.

use std::io::Cursor;

use image::metadata::Orientation;
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader};

use super::frame::{Frame, Limits, PictureError, check_pixels, scale_opaque_to, scale_to, swaps_axes};
use super::{bmp, gif, jpeg};
use crate::core::config::Fit;

/// Decodes picture bytes and scales them for a stage of `stage` pixels.
pub fn decode_image_bytes(
    bytes: &[u8],
    stage: (u32, u32),
    fit: Fit,
    limits: Limits,
) -> Result<Frame, PictureError> {
    let format = image::guess_format(bytes).map_err(|_| PictureError::Unsupported)?;
    let stage = (stage.0.max(1), stage.1.max(1));
    let (img, orientation) = match format {
        ImageFormat::Jpeg => match jpeg::decode(bytes, stage, fit, limits)? {
            Some(decoded) => decoded,
            None => decode_generic(bytes, format, limits)?,
        },
        ImageFormat::Gif => (gif::first_frame(bytes, limits)?, Orientation::NoTransforms),
        ImageFormat::Bmp if bmp::is_rle24(bytes) => {
            (bmp::decode_rle24(bytes, limits)?, Orientation::NoTransforms)
        }
        ImageFormat::Png | ImageFormat::WebP | ImageFormat::Bmp => decode_generic(bytes, format, limits)?,
        _ => return Err(PictureError::Unsupported),
    };
    // Scale (and crop, for cover) in the picture's own orientation, then turn it upright:
    // turning the small picture is cheaper than turning the big one.
    let target = if swaps_axes(orientation) { (stage.1, stage.0) } else { stage };
    let mut img = match format {
        ImageFormat::Jpeg => scale_opaque_to(img, target, fit)?,
        _ => scale_to(img, target, fit)?,
    };
    img.apply_orientation(orientation);
    Ok(Frame::from_image(img))
}

fn decode_generic(
    bytes: &[u8],
    format: ImageFormat,
    limits: Limits,
) -> Result<(DynamicImage, Orientation), PictureError> {
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut l = image::Limits::default();
    l.max_alloc = Some(((limits.max_megapixels * 1.0e6) as u64).saturating_mul(8).max(64 * 1024 * 1024));
    reader.limits(l);
    let mut decoder = reader.into_decoder().map_err(PictureError::from)?;
    let (w, h) = decoder.dimensions();
    check_pixels(w, h, limits)?;
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    let img = DynamicImage::from_decoder(decoder).map_err(PictureError::from)?;
    Ok((img, orientation))
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::RgbaImage;

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
    fn a_mild_reduction_is_left_to_the_gpu_and_a_large_one_is_not() {
        let stage = (1440, 1080);
        let f =
            decode_image_bytes(&png_bytes(1500, 1125, [1, 2, 3, 255]), stage, Fit::Contain, LIMITS).unwrap();
        assert_eq!((f.width, f.height), (1500, 1125));
        let f =
            decode_image_bytes(&png_bytes(1900, 1425, [1, 2, 3, 255]), stage, Fit::Contain, LIMITS).unwrap();
        assert_eq!((f.width, f.height), (1440, 1080));
        // Cover still cuts the picture to the stage's shape, without scaling it.
        let f =
            decode_image_bytes(&png_bytes(220, 100, [1, 2, 3, 255]), (200, 100), Fit::Cover, LIMITS).unwrap();
        assert_eq!((f.width, f.height), (200, 100));
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
        assert!(matches!(err, Err(PictureError::TooManyPixels { .. })), "{err:?}");
    }

    #[test]
    fn garbage_and_truncation_are_errors() {
        assert!(matches!(
            decode_image_bytes(b"hello world", (10, 10), Fit::Contain, LIMITS),
            Err(PictureError::Unsupported)
        ));
        let mut png = png_bytes(300, 300, [9, 9, 9, 255]);
        png.truncate(png.len() / 2);
        assert!(decode_image_bytes(&png, (10, 10), Fit::Contain, LIMITS).is_err());
        let mut jpg = jpeg_bytes(300, 300);
        jpg.truncate(40);
        assert!(decode_image_bytes(&jpg, (10, 10), Fit::Contain, LIMITS).is_err());
    }

    /// Packs LZW codes of `width` bits, least significant bit first, as GIF stores them.
    fn lzw(codes: &[u16], width: u32) -> Vec<u8> {
        let (mut out, mut acc, mut n) = (Vec::new(), 0u64, 0);
        for &c in codes {
            acc |= u64::from(c) << n;
            n += width;
            while n >= 8 {
                out.push(acc as u8);
                (acc, n) = (acc >> 8, n - 8);
            }
        }
        if n > 0 {
            out.push(acc as u8);
        }
        out
    }

    /// A 2x1 GIF: `screen_flags` and `table` for the global colour table, `extra` blocks before
    /// the picture, whose two pixels are colour indices `pixels` (LZW minimum code size `min`).
    fn gif_2x1(screen_flags: u8, table: &[u8], extra: &[u8], min: u8, pixels: [u16; 2]) -> Vec<u8> {
        let mut g = b"GIF89a".to_vec();
        g.extend_from_slice(&[2, 0, 1, 0, screen_flags, 0, 0]);
        g.extend_from_slice(table);
        g.extend_from_slice(extra);
        g.extend_from_slice(&[0x2C, 0, 0, 0, 0, 2, 0, 1, 0, 0x00, min]);
        let (clear, end) = (1u16 << min, (1u16 << min) + 1);
        let data = lzw(&[clear, pixels[0], pixels[1], end], u32::from(min) + 1);
        g.push(data.len() as u8);
        g.extend_from_slice(&data);
        g.extend_from_slice(&[0x00, 0x3B]);
        g
    }

    /// Loads `bytes`, written to a file named `name`, as a slide would be.
    fn load_file(name: &str, bytes: &[u8]) -> Result<Frame, crate::core::media::MediaError> {
        use crate::core::media::{PlayOptions, Slide, load};
        use crate::core::source::{MediaKind, Source};
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).expect("write");
        match load(&Source::File(path), MediaKind::Image, (100, 100), LIMITS, PlayOptions::default())? {
            Slide::Picture(frame) => Ok(frame),
            other => panic!("not a picture: {other:?}"),
        }
    }

    fn rgba_at(f: &Frame, x: u32, y: u32) -> [u8; 4] {
        let i = ((y * f.width + x) * 4) as usize;
        [f.rgba[i], f.rgba[i + 1], f.rgba[i + 2], f.rgba[i + 3]]
    }

    #[test]
    fn a_gif_with_an_unknown_extension_block_is_shown() {
        let red_blue = [255, 0, 0, 0, 0, 255];
        let unknown = [0x21, 0x2A, 5, b'H', b'e', b'l', b'l', b'o', 0];
        let f = load_file("unknown.gif", &gif_2x1(0x80, &red_blue, &unknown, 2, [0, 1])).unwrap();
        assert_eq!((f.width, f.height), (2, 1));
        assert_eq!([rgba_at(&f, 0, 0), rgba_at(&f, 1, 0)], [[255, 0, 0, 255], [0, 0, 255, 255]]);
    }

    #[test]
    fn a_gif_without_any_colour_table_is_shown_in_greys() {
        let f = load_file("no-palette.gif", &gif_2x1(0x00, &[], &[], 8, [64, 200])).unwrap();
        assert_eq!([rgba_at(&f, 0, 0), rgba_at(&f, 1, 0)], [[64, 64, 64, 255], [200, 200, 200, 255]]);
    }

    #[test]
    fn a_gif_that_shows_nothing_is_refused() {
        // Both pixels use colours the two-colour table does not have.
        let bytes = gif_2x1(0x80, &[255, 255, 255, 0, 0, 0], &[], 2, [2, 3]);
        assert!(load_file("invalid.gif", &bytes).is_err());
    }

    #[test]
    fn a_24_bit_rle_bmp_is_shown() {
        let codes = [2, 0, 0, 255, 0, 0, 2, 255, 0, 0, 0, 1]; // bottom row red, top row blue
        let f = load_file("rle24.bmp", &super::bmp::tests::rle24_bmp(2, 2, &codes)).unwrap();
        assert_eq!((f.width, f.height), (2, 2));
        assert_eq!([rgba_at(&f, 1, 1), rgba_at(&f, 1, 0)], [[255, 0, 0, 255], [0, 0, 255, 255]]);
    }

    #[test]
    fn a_jpeg_with_damaged_restart_markers_is_shown() {
        let f = load_file("restarts.jpg", &super::jpeg::tests::restart_jpeg(true)).unwrap();
        assert_eq!((f.width, f.height), (16, 16));
        assert_eq!([rgba_at(&f, 2, 2)[0], rgba_at(&f, 13, 2)[0]], [192, 64]);
    }

    #[test]
    fn a_jpeg_cut_short_is_refused() {
        let whole = jpeg_bytes(640, 480);
        assert!(load_file("whole.jpg", &whole).is_ok());
        assert!(load_file("cut.jpg", &whole[..whole.len() / 2]).is_err());
    }
}
