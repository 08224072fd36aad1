//! BMP pictures the `image` crate does not read: 24-bit run-length coded ones (`BI_RLE24`,
//! compression 4 with 24 bits a pixel, written by OS/2 and some scanners). Every other BMP goes
//! to the `image` crate. Pixels the runs leave out (a "delta" jump, lines ended early) are
//! transparent, as browsers show them.

use image::{DynamicImage, RgbaImage};

use super::frame::{Limits, PictureError, check_pixels};

/// `BI_RLE24`: the compression code of a 24-bit run-length coded BMP (in a 24-bit Windows
/// header the same code means an embedded JPEG, told apart by the JPEG's first bytes).
const RLE24: u32 = 4;

/// The parts of a BMP header this module needs.
#[derive(Debug, PartialEq, Eq)]
struct Rle24Header {
    data_offset: usize,
    width: u32,
    height: u32,
    bottom_up: bool,
}

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(b.get(at..at + 2)?.try_into().ok()?))
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

/// The header of a 24-bit RLE BMP; None for any other BMP (or not a BMP).
fn rle24_header(b: &[u8]) -> Option<Rle24Header> {
    if !b.starts_with(b"BM") {
        return None;
    }
    let data_offset = u32_at(b, 10)? as usize;
    let header_size = u32_at(b, 14)?;
    // Headers shorter than 20 bytes (OS/2 1.x, short OS/2 2.x) have no compression field.
    if header_size < 20 {
        return None;
    }
    let (width, height) = (u32_at(b, 18)? as i32, u32_at(b, 22)? as i32);
    let (bits, compression) = (u16_at(b, 28)?, u32_at(b, 30)?);
    let embedded_jpeg = b.get(data_offset..data_offset + 2) == Some(&[0xFF, 0xD8][..]);
    if bits != 24 || compression != RLE24 || embedded_jpeg {
        return None;
    }
    Some(Rle24Header {
        data_offset,
        width: width.unsigned_abs(),
        height: height.unsigned_abs(),
        bottom_up: height > 0 && width > 0,
    })
}

/// Whether `bytes` are a 24-bit run-length coded BMP, which [`decode_rle24`] reads.
pub fn is_rle24(bytes: &[u8]) -> bool {
    rle24_header(bytes).is_some()
}

/// Decodes a 24-bit run-length coded BMP within `limits`.
pub fn decode_rle24(bytes: &[u8], limits: Limits) -> Result<DynamicImage, PictureError> {
    let header = rle24_header(bytes).ok_or(PictureError::Unsupported)?;
    check_pixels(header.width, header.height, limits)?;
    let data = bytes
        .get(header.data_offset..)
        .ok_or_else(|| PictureError::Corrupt("its pixels are missing".into()))?;
    let mut canvas = Canvas { img: RgbaImage::new(header.width, header.height), header: &header };
    let drawn = run_lengths(data, &mut canvas);
    if drawn == 0 {
        return Err(PictureError::Corrupt("it has no pixels that can be read".into()));
    }
    Ok(DynamicImage::ImageRgba8(canvas.img))
}

/// The picture being drawn, row 0 being the first row of the file.
struct Canvas<'a> {
    img: RgbaImage,
    header: &'a Rle24Header,
}

impl Canvas<'_> {
    /// Sets one pixel from the file's blue-green-red bytes; false when it falls outside.
    fn put(&mut self, x: u32, row: u32, bgr: &[u8]) -> bool {
        let (w, h) = (self.header.width, self.header.height);
        if x >= w || row >= h || bgr.len() < 3 {
            return false;
        }
        let y = if self.header.bottom_up { h - 1 - row } else { row };
        self.img.put_pixel(x, y, image::Rgba([bgr[2], bgr[1], bgr[0], 255]));
        true
    }
}

/// Plays the run-length codes of `data` onto `canvas`; returns how many pixels were drawn. Ends
/// at the end-of-picture code, the last row, or the end of the data (a file cut short keeps what
/// it has, as browsers do). Every step reads at least two bytes, so it always ends.
fn run_lengths(data: &[u8], canvas: &mut Canvas) -> usize {
    let (mut x, mut row, mut at, mut drawn) = (0u32, 0u32, 0usize, 0usize);
    while at + 1 < data.len() && row < canvas.header.height {
        let (count, code) = (data[at], data[at + 1]);
        if count > 0 {
            // A run: `count` pixels of the one colour that follows.
            let colour = data.get(at + 1..at + 4).unwrap_or_default();
            for _ in 0..count {
                drawn += usize::from(canvas.put(x, row, colour));
                x = x.saturating_add(1);
            }
            at += 4;
            continue;
        }
        at += 2;
        match code {
            0 => (x, row) = (0, row + 1),
            1 => break,
            2 => {
                let (dx, dy) = (data.get(at).copied(), data.get(at + 1).copied());
                let (Some(dx), Some(dy)) = (dx, dy) else { break };
                (x, row) = (x.saturating_add(dx.into()), row.saturating_add(dy.into()));
                at += 2;
            }
            n => {
                // Absolute: `n` pixels of their own, padded to an even number of bytes.
                let len = usize::from(n) * 3;
                let pixels = data.get(at..(at + len).min(data.len())).unwrap_or_default();
                for bgr in pixels.chunks_exact(3) {
                    drawn += usize::from(canvas.put(x, row, bgr));
                    x = x.saturating_add(1);
                }
                at += len + len % 2;
            }
        }
    }
    drawn
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    const LIMITS: Limits = Limits { max_megapixels: 100.0 };

    /// A 24-bit RLE BMP as OS/2 2.x writes it (64-byte header), `w`x`h`, with `codes` as its
    /// pixel data.
    pub(crate) fn rle24_bmp(w: i32, h: i32, codes: &[u8]) -> Vec<u8> {
        let offset = 14 + 64;
        let mut b = Vec::new();
        b.extend_from_slice(b"BM");
        b.extend_from_slice(&((offset + codes.len()) as u32).to_le_bytes());
        b.extend_from_slice(&[0; 4]);
        b.extend_from_slice(&(offset as u32).to_le_bytes());
        b.extend_from_slice(&64u32.to_le_bytes());
        b.extend_from_slice(&w.to_le_bytes());
        b.extend_from_slice(&h.to_le_bytes());
        b.extend_from_slice(&1u16.to_le_bytes());
        b.extend_from_slice(&24u16.to_le_bytes());
        b.extend_from_slice(&RLE24.to_le_bytes());
        b.extend_from_slice(&(codes.len() as u32).to_le_bytes());
        b.resize(offset, 0);
        b.extend_from_slice(codes);
        b
    }

    #[test]
    fn a_24_bit_rle_bmp_is_decoded_bottom_up() {
        let codes = [
            3, 0, 0, 255, // bottom row: 3 red
            0, 0, // end of line
            1, 0, 255, 0, // top row: 1 green
            1, 255, 0, 0, // 1 blue
            0, 1, // end of picture: the third pixel stays transparent
        ];
        let img = decode_rle24(&rle24_bmp(3, 2, &codes), LIMITS).unwrap().into_rgba8();
        assert_eq!(img.dimensions(), (3, 2));
        assert_eq!(img.get_pixel(0, 1).0, [255, 0, 0, 255]);
        assert_eq!(img.get_pixel(2, 1).0, [255, 0, 0, 255]);
        assert_eq!(img.get_pixel(0, 0).0, [0, 255, 0, 255]);
        assert_eq!(img.get_pixel(1, 0).0, [0, 0, 255, 255]);
        assert_eq!(img.get_pixel(2, 0).0[3], 0, "left out: transparent");
    }

    #[test]
    fn absolute_runs_deltas_and_padding() {
        let codes = [
            0, 3, 0, 0, 255, 0, 255, 0, 255, 0, 0, 0, // absolute: red, green, blue + pad byte
            0, 2, 1, 0, // delta: one right (row 0, x 4)
            0, 0, // end of line
            2, 9, 9, 9, // row 1: two grey
            0, 1,
        ];
        let img = decode_rle24(&rle24_bmp(5, 2, &codes), LIMITS).unwrap().into_rgba8();
        let px = |x: u32, row: u32| img.get_pixel(x, 1 - row).0;
        assert_eq!([px(0, 0), px(1, 0), px(2, 0)], [[255, 0, 0, 255], [0, 255, 0, 255], [0, 0, 255, 255]]);
        assert_eq!(px(3, 0)[3], 0);
        assert_eq!(px(1, 1), [9, 9, 9, 255]);
    }

    #[test]
    fn hostile_rle_files_are_bounded() {
        // Runs past the edge, a header far larger than the data, no end code, cut-off data.
        let img = decode_rle24(&rle24_bmp(2, 2, &[255, 1, 2, 3, 255, 1, 2, 3, 0, 9, 1]), LIMITS);
        assert_eq!(img.unwrap().width(), 2);
        let big = decode_rle24(&rle24_bmp(100_000, 100_000, &[1, 1, 1, 1]), LIMITS);
        assert!(matches!(big, Err(PictureError::TooManyPixels { .. })), "{big:?}");
        assert!(decode_rle24(&rle24_bmp(4, 4, &[0, 1]), LIMITS).is_err(), "no pixels");
        assert!(decode_rle24(&rle24_bmp(0, 4, &[1, 1, 1, 1]), LIMITS).is_err());
        let mut cut = rle24_bmp(4, 4, &[4, 1, 2, 3]);
        cut.truncate(20);
        assert!(!is_rle24(&cut));
    }
}
