//! The school's logo for the header strip (`[branding] logo`): a PNG or JPEG decoded and scaled
//! like any picture, or an SVG drawn with `resvg` at the size the header needs. Read on a thread of
//! its own, never the screen's; a logo that cannot be shown is an error the header does without.

use std::path::Path;

use super::frame::{Frame, Limits, PictureError};
use super::picture::decode_image_bytes;
use super::read::{ReadError, read_bytes};
use crate::core::config::Fit;

/// Logos larger than this are not read: a logo is a small file.
pub const MAX_LOGO_BYTES: u64 = 10 * 1024 * 1024;

/// The largest picture a logo may claim, in megapixels.
const LOGO_LIMITS: Limits = Limits { max_megapixels: 40.0 };

/// Why a logo cannot be shown; the words are for staff.
#[derive(Debug, thiserror::Error)]
pub enum LogoError {
    #[error("{0}")]
    Read(#[from] ReadError),
    #[error("the logo is {0} MB; a logo should be a small file (at most 10 MB)")]
    TooLarge(u64),
    #[error("{0}")]
    Picture(#[from] PictureError),
    #[error("the SVG cannot be read: {0}")]
    Svg(String),
}

/// The logo at `path`, at most `box_size` (width, height) in pixels, its shape kept.
pub fn load_logo(path: &Path, box_size: (u32, u32)) -> Result<Frame, LogoError> {
    let len = std::fs::metadata(path).map_err(ReadError::from)?.len();
    if len > MAX_LOGO_BYTES {
        return Err(LogoError::TooLarge(len / 1_000_000));
    }
    let bytes = read_bytes(path)?;
    let box_size = (box_size.0.max(1), box_size.1.max(1));
    let svg = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("svg"))
        || bytes.trim_ascii_start().starts_with(b"<");
    if svg {
        return draw_svg(&bytes, box_size);
    }
    Ok(decode_image_bytes(&bytes, box_size, Fit::Contain, LOGO_LIMITS)?)
}

/// Draws an SVG document as large as fits `box_size`.
fn draw_svg(bytes: &[u8], (bw, bh): (u32, u32)) -> Result<Frame, LogoError> {
    let tree = resvg::usvg::Tree::from_data(bytes, &resvg::usvg::Options::default())
        .map_err(|e| LogoError::Svg(e.to_string()))?;
    let size = tree.size();
    let scale = (bw as f32 / size.width()).min(bh as f32 / size.height());
    if !(scale.is_finite() && scale > 0.0) {
        return Err(LogoError::Svg("it has no size".into()));
    }
    let (w, h) =
        (((size.width() * scale).round() as u32).max(1), ((size.height() * scale).round() as u32).max(1));
    let mut pixmap =
        resvg::tiny_skia::Pixmap::new(w, h).ok_or_else(|| LogoError::Svg("it has no size".into()))?;
    resvg::render(&tree, resvg::tiny_skia::Transform::from_scale(scale, scale), &mut pixmap.as_mut());
    // tiny-skia keeps colours multiplied by their alpha; frames are straight RGBA.
    let mut rgba = pixmap.take();
    for px in rgba.chunks_exact_mut(4) {
        let a = px[3];
        if a > 0 && a < 255 {
            for c in &mut px[..3] {
                *c = ((*c as u32 * 255 + a as u32 / 2) / a as u32).min(255) as u8;
            }
        }
    }
    Ok(Frame { width: w, height: h, rgba })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SVG: &str = r##"<svg xmlns="http://www.w3.org/2000/svg" width="200" height="100" viewBox="0 0 200 100"><rect width="200" height="100" fill="#e11d48"/></svg>"##;

    #[test]
    fn an_svg_logo_is_drawn_to_fit_its_box() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("logo.svg");
        std::fs::write(&path, SVG).unwrap();
        let f = load_logo(&path, (400, 80)).unwrap();
        assert_eq!((f.width, f.height), (160, 80));
        assert_eq!(&f.rgba[..4], &[0xe1, 0x1d, 0x48, 255]);
    }

    #[test]
    fn missing_damaged_and_enormous_logos_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(load_logo(&dir.path().join("none.png"), (100, 50)), Err(LogoError::Read(_))));
        let bad = dir.path().join("bad.svg");
        std::fs::write(&bad, "<svg><rect").unwrap();
        assert!(matches!(load_logo(&bad, (100, 50)), Err(LogoError::Svg(_))));
        let png = dir.path().join("half.png");
        std::fs::write(&png, b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR").unwrap();
        assert!(matches!(load_logo(&png, (100, 50)), Err(LogoError::Picture(_))));
        let big = dir.path().join("big.png");
        std::fs::File::create(&big).unwrap().set_len(MAX_LOGO_BYTES + 1).unwrap();
        let err = load_logo(&big, (100, 50)).unwrap_err();
        assert!(matches!(err, LogoError::TooLarge(10)), "{err}");
    }
}
