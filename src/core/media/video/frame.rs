//! A decoded film frame as the screen gets it (YUV 4:2:0 planes), the sums that turn it into
//! colours, and the size a film is decoded to.

use std::time::Duration;

use gstreamer as gst;

use crate::core::config::Fit;
use crate::core::media::frame::fit_scale;

/// One decoded frame at the size it is shown (even width and height): 8-bit YUV 4:2:0 as three
/// planes with no padding: Y (`width` x `height`), then U and V (each `width / 2` x
/// `height / 2`), rows top to bottom.
#[derive(Clone, Debug, PartialEq)]
pub struct VideoFrame {
    /// When in the video it shows.
    pub pts: Duration,
    pub width: u32,
    pub height: u32,
    /// Y, U, V.
    pub planes: [Vec<u8>; 3],
    /// How its numbers become colours.
    pub colours: YuvToRgb,
}

impl VideoFrame {
    /// The colour (sRGB) of the pixel at `(x, y)`, as the screen shows it.
    pub fn rgb_at(&self, x: u32, y: u32) -> Option<[u8; 3]> {
        let [yp, up, vp] = &self.planes;
        let (x, y) = (x.min(self.width.saturating_sub(1)), y.min(self.height.saturating_sub(1)));
        let luma = *yp.get((y * self.width + x) as usize)?;
        let c = ((y / 2) * (self.width / 2) + x / 2) as usize;
        Some(self.colours.rgb(luma, *up.get(c)?, *vp.get(c)?))
    }

    /// A frame of one colour (for a video slide before its first frame, and for tests).
    pub fn solid(width: u32, height: u32, yuv: [u8; 3]) -> Self {
        let (w, h) = ((width.max(2) / 2 * 2) as usize, (height.max(2) / 2 * 2) as usize);
        Self {
            pts: Duration::ZERO,
            width: w as u32,
            height: h as u32,
            planes: [vec![yuv[0]; w * h], vec![yuv[1]; w * h / 4], vec![yuv[2]; w * h / 4]],
            colours: YuvToRgb::BT709_LIMITED,
        }
    }
}

/// The sums that turn a video's Y, U, V numbers (each 0..1) into non-linear sRGB red, green and
/// blue: `rgb = rows x (y, u, v, 1)`. One place for them: the GPU's shader gets these rows, and
/// [`VideoFrame::rgb_at`] uses them on the CPU.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct YuvToRgb {
    pub rows: [[f32; 4]; 3],
}

impl YuvToRgb {
    /// HD video (ITU-R BT.709), studio range 16-235: what most films are.
    pub const BT709_LIMITED: Self = Self::new(0.2126, 0.0722, false);

    /// The sums for luma weights `kr`, `kb` (BT.601: 0.299, 0.114; BT.709: 0.2126, 0.0722;
    /// BT.2020: 0.2627, 0.0593), full range (0-255) or studio range (16-235, 16-240).
    pub const fn new(kr: f32, kb: f32, full: bool) -> Self {
        let kg = 1.0 - kr - kb;
        let (ys, yo) = if full { (1.0, 0.0) } else { (255.0 / 219.0, -16.0 / 219.0) };
        let cs = if full { 1.0 } else { 255.0 / 224.0 };
        let co = -128.0 / 255.0 * cs;
        let (rv, bu) = (2.0 * (1.0 - kr), 2.0 * (1.0 - kb));
        let (gu, gv) = (bu * kb / kg, rv * kr / kg);
        Self {
            rows: [
                [ys, 0.0, rv * cs, yo + rv * co],
                [ys, -gu * cs, -gv * cs, yo - (gu + gv) * co],
                [ys, bu * cs, 0.0, yo + bu * co],
            ],
        }
    }

    /// The sums for a video's GStreamer `colorimetry` (e.g. "bt709", "bt601", "2:4:5:4"); where
    /// it says none, what GStreamer assumes: BT.601 up to 576 lines, BT.709 above.
    pub fn from_colorimetry(colorimetry: Option<&str>, height: u32) -> Self {
        let (mut matrix, mut full) = (if height > 576 { 3 } else { 4 }, false);
        match colorimetry.unwrap_or_default() {
            "bt601" | "smpte170m" => matrix = 4,
            "bt709" => matrix = 3,
            "bt2020" | "bt2020-10" | "bt2100-pq" | "bt2100-hlg" => matrix = 6,
            "sRGB" | "jpeg" => (matrix, full) = (4, true),
            other => {
                let mut parts = other.split(':').map(|p| p.parse::<u32>().ok());
                if let (Some(range), Some(m)) = (parts.next().flatten(), parts.next().flatten()) {
                    full = range == 1;
                    if (3..=6).contains(&m) {
                        matrix = m;
                    }
                }
            }
        }
        match matrix {
            3 => Self::new(0.2126, 0.0722, full),
            5 => Self::new(0.212, 0.087, full),
            6 => Self::new(0.2627, 0.0593, full),
            _ => Self::new(0.299, 0.114, full),
        }
    }

    /// One pixel's colour, 8-bit sRGB.
    pub fn rgb(&self, y: u8, u: u8, v: u8) -> [u8; 3] {
        let input = [f32::from(y) / 255.0, f32::from(u) / 255.0, f32::from(v) / 255.0, 1.0];
        self.rows.map(|row| {
            let sum: f32 = row.iter().zip(input).map(|(a, b)| a * b).sum();
            (sum.clamp(0.0, 1.0) * 255.0).round() as u8
        })
    }
}

/// A decoded sample as a frame, its time in the film's own time (stream time: many files, MP4s
/// from x264 among them, stamp their first frame at 1 s or so, and the demuxer's segment says
/// that this is the film's 0 s).
pub(super) fn sample_frame(sample: &gst::Sample) -> Result<VideoFrame, gst::FlowError> {
    let (Some(buffer), Some(caps)) = (sample.buffer(), sample.caps()) else {
        return Err(gst::FlowError::Error);
    };
    let s = caps.structure(0).ok_or(gst::FlowError::Error)?;
    let width = s.get::<i32>("width").map_err(|_| gst::FlowError::Error)?.max(2) as u32;
    let height = s.get::<i32>("height").map_err(|_| gst::FlowError::Error)?.max(2) as u32;
    let colours = YuvToRgb::from_colorimetry(s.get::<&str>("colorimetry").ok(), height);
    let pts = buffer.pts().unwrap_or(gst::ClockTime::ZERO);
    let stream_time = sample
        .segment()
        .and_then(|s| s.downcast_ref::<gst::ClockTime>())
        .and_then(|s| s.to_stream_time(pts))
        .unwrap_or(pts);
    let pts = Duration::from_nanos(stream_time.nseconds());
    let map = buffer.map_readable().map_err(|_| gst::FlowError::Error)?;
    let planes = i420_planes(map.as_slice(), width, height).ok_or(gst::FlowError::Error)?;
    Ok(VideoFrame { pts, width, height, planes, colours })
}

/// The Y, U and V planes of an I420 buffer in GStreamer's standard layout (rows padded to 4
/// bytes), each without padding.
fn i420_planes(data: &[u8], width: u32, height: u32) -> Option<[Vec<u8>; 3]> {
    let (w, h) = (width as usize / 2 * 2, height as usize / 2 * 2);
    let round4 = |v: usize| v.div_ceil(4) * 4;
    let (ys, cs) = (round4(w), round4(w / 2));
    let (u_at, v_at) = (ys * h, ys * h + cs * (h / 2));
    let plane = |offset: usize, stride: usize, row: usize, rows: usize| -> Option<Vec<u8>> {
        if stride == row {
            return data.get(offset..offset + row * rows).map(<[u8]>::to_vec);
        }
        let mut out = Vec::with_capacity(row * rows);
        for r in 0..rows {
            out.extend_from_slice(data.get(offset + r * stride..offset + r * stride + row)?);
        }
        Some(out)
    };
    Some([plane(0, ys, w, h)?, plane(u_at, cs, w / 2, h / 2)?, plane(v_at, cs, w / 2, h / 2)?])
}

/// The size a video is decoded to: fitted to the stage, never larger than the video itself,
/// even numbers (what video scalers like).
pub fn shown_size(w: u32, h: u32, stage: (u32, u32), fit: Fit) -> (u32, u32) {
    let scale = fit_scale(w.max(1), h.max(1), stage, fit).min(1.0);
    let even = |v: f64| ((v.round() as u32) / 2 * 2).max(2);
    (even(w as f64 * scale), even(h as f64 * scale))
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn shown_size_fits_the_stage_and_never_grows() {
        assert_eq!(shown_size(1920, 1080, (1498, 994), Fit::Contain), (1498, 842));
        assert_eq!(shown_size(320, 180, (1498, 994), Fit::Contain), (320, 180));
        assert_eq!(shown_size(3840, 2160, (640, 360), Fit::Contain), (640, 360));
    }

    #[test]
    fn colour_sums_match_the_standards() {
        // Studio-range BT.709: black, white, and the primaries' published Y'CbCr values.
        let m = YuvToRgb::BT709_LIMITED;
        assert_eq!(m.rgb(16, 128, 128), [0, 0, 0]);
        assert_eq!(m.rgb(235, 128, 128), [255, 255, 255]);
        let near = |a: [u8; 3], b: [u8; 3]| a.iter().zip(b).all(|(x, y)| x.abs_diff(y) <= 2);
        assert!(near(m.rgb(63, 102, 240), [255, 0, 0]), "{:?}", m.rgb(63, 102, 240));
        assert!(near(m.rgb(173, 42, 26), [0, 255, 0]), "{:?}", m.rgb(173, 42, 26));
        assert!(near(m.rgb(32, 240, 118), [0, 0, 255]), "{:?}", m.rgb(32, 240, 118));
        // BT.601 red (SD video), and full range (JPEG-style).
        let sd = YuvToRgb::from_colorimetry(Some("bt601"), 480);
        assert!(near(sd.rgb(81, 90, 240), [255, 0, 0]), "{:?}", sd.rgb(81, 90, 240));
        let full = YuvToRgb::from_colorimetry(Some("1:4:0:0"), 480);
        assert_eq!(full.rgb(255, 128, 128), [255, 255, 255]);
        assert_eq!(full.rgb(0, 128, 128), [0, 0, 0]);
        // No colorimetry: BT.709 for HD, BT.601 for SD (GStreamer's own defaults).
        assert_eq!(YuvToRgb::from_colorimetry(None, 1080), m);
        assert_eq!(YuvToRgb::from_colorimetry(None, 480), sd);
    }

    #[test]
    fn planes_come_out_of_padded_rows() {
        // 6x2 I420: Y rows padded to 8 bytes, U/V rows (3 bytes) padded to 4.
        let mut data = vec![];
        data.extend([1, 2, 3, 4, 5, 6, 0, 0, 7, 8, 9, 10, 11, 12, 0, 0]);
        data.extend([20, 21, 22, 0]);
        data.extend([30, 31, 32, 0]);
        let [y, u, v] = i420_planes(&data, 6, 2).unwrap();
        assert_eq!(y, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
        assert_eq!((u, v), (vec![20, 21, 22], vec![30, 31, 32]));
        assert_eq!(i420_planes(&data[..10], 6, 2), None, "a short buffer is refused, not read past");
        // 8x2: rows need no padding.
        let packed: Vec<u8> = (0..24).collect();
        let [y, u, v] = i420_planes(&packed, 8, 2).unwrap();
        assert_eq!((y.len(), u, v), (16, vec![16, 17, 18, 19], vec![20, 21, 22, 23]));
    }
}
