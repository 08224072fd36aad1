//! JPEG pictures, decoded straight at the smallest size the stage still needs: libjpeg-turbo
//! ([`super::turbo`], SIMD, DCT scaling to n/8 of the size) first; the pure-Rust `jpeg-decoder`
//! for what libjpeg-turbo refuses (12-bit, lossless, damage it cannot read past), and the
//! `image` crate for CMYK. Like browsers, a file with recoverable damage (broken restart
//! markers, stray bytes between segments) is shown; a file cut short is refused, as Pillow does.

use std::io::Cursor;

use image::DynamicImage;
use image::metadata::Orientation;

use super::frame::{Limits, PictureError, check_pixels, fit_scale, swaps_axes};
use super::turbo::{self, ColourSpace, Decompressor, PixelFormat, ScalingFactor};
use crate::core::config::Fit;

/// A decoded JPEG, at its reduced size, and how it must be turned to stand upright.
pub type Decoded = (DynamicImage, Orientation);

/// Decodes a JPEG for a stage of `stage` pixels: at least as large as the stage needs when it
/// is turned upright and fitted by `fit`, never larger than a reduced scale allows. None when
/// the file is of a kind only the generic decoder reads (CMYK).
pub fn decode(
    bytes: &[u8],
    stage: (u32, u32),
    fit: Fit,
    limits: Limits,
) -> Result<Option<Decoded>, PictureError> {
    match decode_turbo(bytes, stage, fit, limits) {
        Ok(Turbo::Decoded(decoded)) => Ok(Some(decoded)),
        Ok(Turbo::NotMine) | Err(TurboFailed) => decode_rust(bytes, stage, fit, limits),
        Ok(Turbo::Refused(e)) => Err(e),
    }
}

/// What the libjpeg-turbo path made of a file.
enum Turbo {
    Decoded(Decoded),
    /// A colour space it does not turn into RGB (CMYK, YCCK).
    NotMine,
    /// A verdict to keep: too many pixels, or a file cut short.
    Refused(PictureError),
}

/// libjpeg-turbo could not read the file; another decoder may.
struct TurboFailed;

fn decode_turbo(bytes: &[u8], stage: (u32, u32), fit: Fit, limits: Limits) -> Result<Turbo, TurboFailed> {
    let mut tj = Decompressor::new().map_err(|_| TurboFailed)?;
    let header = tj.header(bytes).map_err(|_| TurboFailed)?;
    let format = match header.colour {
        ColourSpace::Gray => PixelFormat::Gray,
        ColourSpace::Rgb | ColourSpace::YCbCr => PixelFormat::Rgba,
        ColourSpace::Cmyk | ColourSpace::Ycck | ColourSpace::Other => return Ok(Turbo::NotMine),
    };
    let (w, h) = (header.width, header.height);
    if let Err(e) = check_pixels(w, h, limits) {
        return Ok(Turbo::Refused(e));
    }
    let orientation =
        exif_chunk(bytes).and_then(Orientation::from_exif_chunk).unwrap_or(Orientation::NoTransforms);
    let factor = reduced_scale(w, h, needed_size(w, h, stage, fit, orientation));
    let size = (factor.scale(w), factor.scale(h));
    let decoded = tj.decompress(bytes, size, format).map_err(|_| TurboFailed)?;
    if decoded.warning.is_some() && !reaches_end(bytes) {
        let cut = PictureError::Corrupt("it ends before the picture does".into());
        return Ok(Turbo::Refused(cut));
    }
    let img = match format {
        // Four bytes a pixel (alpha 255): the frame's own layout, so nothing is converted later.
        PixelFormat::Rgba => {
            image::RgbaImage::from_raw(size.0, size.1, decoded.pixels).map(DynamicImage::ImageRgba8)
        }
        PixelFormat::Gray => {
            image::GrayImage::from_raw(size.0, size.1, decoded.pixels).map(DynamicImage::ImageLuma8)
        }
    };
    Ok(img.map_or(Turbo::NotMine, |img| Turbo::Decoded((img, orientation))))
}

/// The size (at least) a `w`x`h` picture must be decoded at to fill `stage` by `fit` once
/// turned by `orientation`.
fn needed_size(w: u32, h: u32, stage: (u32, u32), fit: Fit, orientation: Orientation) -> (u32, u32) {
    let target = if swaps_axes(orientation) { (stage.1, stage.0) } else { stage };
    let s = fit_scale(w, h, target, fit);
    (((w as f64 * s).ceil() as u32).max(1), ((h as f64 * s).ceil() as u32).max(1))
}

/// The smallest of libjpeg-turbo's reduced scales (at most 1) that still gives `want`.
fn reduced_scale(w: u32, h: u32, want: (u32, u32)) -> ScalingFactor {
    const FULL: ScalingFactor = ScalingFactor { num: 1, denom: 1 };
    turbo::scaling_factors()
        .iter()
        .copied()
        .filter(|f| f.num > 0 && f.num <= f.denom)
        .filter(|f| f.scale(w) >= want.0 && f.scale(h) >= want.1)
        .min_by_key(|f| u64::from(f.scale(w)) * u64::from(f.scale(h)))
        .unwrap_or(FULL)
}

/// The pure-Rust path (`jpeg-decoder`, which also scales by 1/2, 1/4, 1/8). None for CMYK and
/// 16-bit files, which the generic decoder takes.
fn decode_rust(
    bytes: &[u8],
    stage: (u32, u32),
    fit: Fit,
    limits: Limits,
) -> Result<Option<Decoded>, PictureError> {
    let mut dec = jpeg_decoder::Decoder::new(Cursor::new(bytes));
    dec.read_info().map_err(|e| PictureError::Corrupt(e.to_string()))?;
    let Some(info) = dec.info() else {
        return Err(PictureError::Corrupt("no picture header".into()));
    };
    let (w, h) = (info.width as u32, info.height as u32);
    check_pixels(w, h, limits)?;
    if !matches!(info.pixel_format, jpeg_decoder::PixelFormat::RGB24 | jpeg_decoder::PixelFormat::L8) {
        return Ok(None);
    }
    let orientation =
        dec.exif_data().and_then(Orientation::from_exif_chunk).unwrap_or(Orientation::NoTransforms);
    let (want_w, want_h) = needed_size(w, h, stage, fit, orientation);
    let clamp = |v: u32| v.clamp(1, u16::MAX as u32) as u16;
    let (sw, sh) =
        dec.scale(clamp(want_w), clamp(want_h)).map_err(|e| PictureError::Corrupt(e.to_string()))?;
    let pixels = dec.decode().map_err(|e| PictureError::Corrupt(e.to_string()))?;
    let (sw, sh) = (sw as u32, sh as u32);
    let img = match info.pixel_format {
        jpeg_decoder::PixelFormat::RGB24 => {
            image::RgbImage::from_raw(sw, sh, pixels).map(DynamicImage::ImageRgb8)
        }
        _ => image::GrayImage::from_raw(sw, sh, pixels).map(DynamicImage::ImageLuma8),
    };
    let img = img.ok_or_else(|| PictureError::Corrupt("the decoded size does not match".into()))?;
    Ok(Some((img, orientation)))
}

/// A marker segment's start: where its `FF xx` is, and `xx`.
fn next_marker(b: &[u8], mut at: usize) -> Option<(usize, u8)> {
    loop {
        // Bytes that are not a marker (stray data, fill bytes) are passed over, as libjpeg does.
        at += b.get(at..)?.iter().position(|&x| x == 0xFF)?;
        match *b.get(at + 1)? {
            0xFF | 0x00 => at += 1,
            m => return Some((at, m)),
        }
    }
}

/// The length of the segment whose marker is at `at` (its two length bytes included).
fn segment_len(b: &[u8], at: usize) -> Option<usize> {
    let len = u16::from_be_bytes([*b.get(at + 2)?, *b.get(at + 3)?]) as usize;
    (len >= 2).then_some(len)
}

/// Markers that stand alone, with no length: SOI, RST0-7, TEM.
fn stands_alone(m: u8) -> bool {
    matches!(m, 0xD8 | 0xD0..=0xD7 | 0x01)
}

/// The EXIF data (after `Exif\0\0`) of the first APP1 segment that has it, before the first scan.
fn exif_chunk(b: &[u8]) -> Option<&[u8]> {
    let mut at = 2;
    if !b.starts_with(&[0xFF, 0xD8]) {
        return None;
    }
    loop {
        let (pos, m) = next_marker(b, at)?;
        if stands_alone(m) {
            at = pos + 2;
            continue;
        }
        if matches!(m, 0xDA | 0xD9) {
            return None;
        }
        let len = segment_len(b, pos)?;
        let payload = b.get(pos + 4..pos + 2 + len)?;
        if m == 0xE1
            && let Some(exif) = payload.strip_prefix(b"Exif\0\0")
        {
            return Some(exif);
        }
        at = pos + 2 + len;
    }
}

/// Whether the file's segments and scans run on to its end marker (EOI), rather than stopping
/// because the file was cut short. Segments are skipped by their length (so a thumbnail inside
/// the EXIF data is not taken for the picture); a scan's data runs to the next marker that is
/// not a restart marker.
fn reaches_end(b: &[u8]) -> bool {
    let mut at = 2;
    if !b.starts_with(&[0xFF, 0xD8]) {
        return false;
    }
    while let Some((pos, m)) = next_marker(b, at) {
        match m {
            0xD9 => return true,
            m if stands_alone(m) => at = pos + 2,
            _ => {
                let Some(len) = segment_len(b, pos) else { return false };
                at = pos + 2 + len;
                if at > b.len() {
                    return false;
                }
            }
        }
    }
    false
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    const LIMITS: Limits = Limits { max_megapixels: 100.0 };

    /// A baseline JPEG `w`x`h`, left half red, right half blue (the `image` crate's encoder).
    pub(crate) fn jpeg(w: u32, h: u32) -> Vec<u8> {
        let img = image::RgbImage::from_fn(w, h, |x, _| {
            if x < w / 2 { image::Rgb([250, 0, 0]) } else { image::Rgb([0, 0, 250]) }
        });
        let mut out = Cursor::new(Vec::new());
        img.write_to(&mut out, image::ImageFormat::Jpeg).expect("encode");
        out.into_inner()
    }

    /// A 16x16 grey JPEG written byte by byte: four 8x8 blocks (light, dark / dark, light)
    /// with a restart marker after each block (DRI 1). With `damaged`, the second restart
    /// marker has the wrong number (RST5 instead of RST1), as a bad copy or an old camera
    /// leaves it; the blocks themselves are whole.
    pub(crate) fn restart_jpeg(damaged: bool) -> Vec<u8> {
        let mut j = vec![0xFF, 0xD8];
        let mut quant = vec![0xFF, 0xDB, 0x00, 0x43, 0x00, 8];
        quant.resize(quant.len() + 63, 1);
        j.extend_from_slice(&quant);
        // SOF0: 8-bit, 16x16, one component (id 1, 1x1 sampling, table 0).
        j.extend_from_slice(&[0xFF, 0xC0, 0x00, 0x0B, 8, 0, 16, 0, 16, 1, 1, 0x11, 0]);
        // Huffman tables with one code each, "0": DC category 7; AC end of block.
        for (class, symbol) in [(0x00, 7), (0x10, 0x00)] {
            j.extend_from_slice(&[0xFF, 0xC4, 0x00, 0x14, class, 1]);
            j.extend_from_slice(&[0; 15]);
            j.push(symbol);
        }
        j.extend_from_slice(&[0xFF, 0xDD, 0x00, 0x04, 0x00, 0x01]); // restart every block
        j.extend_from_slice(&[0xFF, 0xDA, 0x00, 0x08, 1, 1, 0x00, 0, 63, 0]);
        // Each block: "0" + 7 bits of +64 (1000000) or -64 (0111111), "0" for end of block,
        // padded with ones: a block of grey 192 or of grey 64.
        let (light, dark) = ([0x40, 0x7F], [0x3F, 0x3F]);
        let second = if damaged { 0xD5 } else { 0xD1 };
        for (block, rst) in [(light, Some(0xD0)), (dark, Some(second)), (dark, Some(0xD2)), (light, None)] {
            j.extend_from_slice(&block);
            if let Some(m) = rst {
                j.extend_from_slice(&[0xFF, m]);
            }
        }
        j.extend_from_slice(&[0xFF, 0xD9]);
        j
    }

    #[test]
    fn a_jpeg_with_a_damaged_restart_marker_is_shown_whole() {
        for damaged in [false, true] {
            let bytes = restart_jpeg(damaged);
            assert!(reaches_end(&bytes));
            let (img, _) = decode(&bytes, (100, 100), Fit::Contain, LIMITS).unwrap().unwrap();
            let grey = img.into_luma8();
            assert_eq!(grey.dimensions(), (16, 16));
            let corners = [(1, 1), (14, 1), (1, 14), (14, 14)].map(|(x, y)| grey.get_pixel(x, y)[0]);
            assert_eq!(corners, [192, 64, 64, 192], "damaged: {damaged}");
        }
        // The pure-Rust decoder alone refuses the damaged file: libjpeg-turbo is what reads it.
        assert!(decode_rust(&restart_jpeg(true), (100, 100), Fit::Contain, LIMITS).is_err());
    }

    #[test]
    fn the_scale_is_the_smallest_that_still_fills_the_stage() {
        let want = needed_size(4000, 3000, (1920, 1080), Fit::Contain, Orientation::NoTransforms);
        assert_eq!(want, (1440, 1080));
        let f = reduced_scale(4000, 3000, want);
        assert!(f.scale(4000) >= 1440 && f.scale(3000) >= 1080, "{f:?}");
        assert!(f.scale(4000) <= 2000, "{f:?}");
        assert_eq!(reduced_scale(800, 600, (800, 600)), ScalingFactor { num: 1, denom: 1 });
        // Turned a quarter: the stage's height becomes the picture's width.
        let turned = needed_size(4000, 3000, (1920, 1080), Fit::Contain, Orientation::Rotate90);
        assert_eq!(turned, (1080, 810));
    }

    #[test]
    fn decodes_at_a_reduced_scale_with_libjpeg_turbo() {
        let (img, o) = decode(&jpeg(1600, 800), (200, 200), Fit::Contain, LIMITS).unwrap().unwrap();
        assert_eq!(o, Orientation::NoTransforms);
        assert!(img.width() >= 200 && img.width() <= 400, "{}", img.width());
        let rgb = img.into_rgb8();
        assert!(rgb.get_pixel(5, 5)[0] > 200, "{:?}", rgb.get_pixel(5, 5));
    }

    #[test]
    fn a_file_cut_short_is_refused_and_stray_bytes_are_not() {
        let whole = jpeg(256, 256);
        assert!(reaches_end(&whole));
        let cut = &whole[..whole.len() * 2 / 3];
        assert!(!reaches_end(cut));
        assert!(decode(cut, (100, 100), Fit::Contain, LIMITS).is_err());
        assert!(!reaches_end(&whole[..whole.len() - 2]), "no end marker");
    }
}
