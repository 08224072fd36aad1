//! The system's libjpeg-turbo through its TurboJPEG 2 API (Debian 12 ships 2.1.5; the Debian
//! package `libturbojpeg0-dev` is needed to build): JPEG decoding with SIMD and DCT scaling (a
//! picture decoded straight at 1/8 .. 1 of its size). The only `unsafe` code of the media layer
//! lives here, behind [`Decompressor`]; everything it hands out is owned Rust data.

use std::ffi::{CStr, c_char, c_int, c_ulong, c_void};

/// One of the scaled sizes libjpeg-turbo can decode to: `num`/`denom` of the full size.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ScalingFactor {
    pub num: c_int,
    pub denom: c_int,
}

impl ScalingFactor {
    /// A dimension scaled by this factor, rounded up as libjpeg-turbo does (`TJSCALED`).
    pub fn scale(self, dimension: u32) -> u32 {
        let (num, denom) = (self.num.max(1) as u64, self.denom.max(1) as u64);
        ((dimension as u64 * num).div_ceil(denom)).min(u32::MAX as u64) as u32
    }
}

#[link(name = "turbojpeg")]
unsafe extern "C" {
    fn tjInitDecompress() -> *mut c_void;
    fn tjDecompressHeader3(
        handle: *mut c_void,
        jpeg_buf: *const u8,
        jpeg_size: c_ulong,
        width: *mut c_int,
        height: *mut c_int,
        jpeg_subsamp: *mut c_int,
        jpeg_colorspace: *mut c_int,
    ) -> c_int;
    fn tjGetScalingFactors(num_scaling_factors: *mut c_int) -> *const ScalingFactor;
    #[allow(clippy::too_many_arguments)]
    fn tjDecompress2(
        handle: *mut c_void,
        jpeg_buf: *const u8,
        jpeg_size: c_ulong,
        dst_buf: *mut u8,
        width: c_int,
        pitch: c_int,
        height: c_int,
        pixel_format: c_int,
        flags: c_int,
    ) -> c_int;
    fn tjDestroy(handle: *mut c_void) -> c_int;
    fn tjGetErrorStr2(handle: *mut c_void) -> *const c_char;
    fn tjGetErrorCode(handle: *mut c_void) -> c_int;
}

/// `TJERR_WARNING`: the call finished, but the data had a (recoverable) fault.
const TJERR_WARNING: c_int = 0;
/// `TJFLAG_LIMITSCANS`: refuse progressive files with more than 500 scans (a known way to make
/// decoders spin for minutes on a small file).
const TJFLAG_LIMITSCANS: c_int = 32768;

/// Colour spaces (`TJCS_*`) a JPEG can be in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColourSpace {
    Rgb,
    YCbCr,
    Gray,
    Cmyk,
    Ycck,
    Other,
}

/// The pixel layouts corridor asks for (`TJPF_RGBA`, whose alpha libjpeg-turbo sets to 255,
/// and `TJPF_GRAY`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PixelFormat {
    Rgba,
    Gray,
}

impl PixelFormat {
    fn code(self) -> c_int {
        match self {
            PixelFormat::Rgba => 7,
            PixelFormat::Gray => 6,
        }
    }

    fn bytes(self) -> usize {
        match self {
            PixelFormat::Rgba => 4,
            PixelFormat::Gray => 1,
        }
    }
}

/// What a JPEG's header says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Header {
    pub width: u32,
    pub height: u32,
    pub colour: ColourSpace,
}

/// Why libjpeg-turbo could not decode a file (its own words).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct TurboError(pub String);

/// Decoded pixels, and whether libjpeg-turbo met a recoverable fault on the way (damaged
/// restart markers, stray bytes, a scan cut short): the picture is still whole in size (after
/// a warning, rows the decoder could not reach are black).
#[derive(Debug)]
pub struct Decoded {
    pub pixels: Vec<u8>,
    pub warning: Option<String>,
}

/// A TurboJPEG decompressor handle, freed on drop. One per decode; not shared between threads.
pub struct Decompressor {
    handle: *mut c_void,
}

impl Decompressor {
    pub fn new() -> Result<Self, TurboError> {
        // SAFETY: tjInitDecompress takes no arguments and returns a fresh handle or null.
        let handle = unsafe { tjInitDecompress() };
        if handle.is_null() {
            return Err(TurboError("libjpeg-turbo could not start a decoder".into()));
        }
        Ok(Decompressor { handle })
    }

    /// The last message of this handle.
    fn message(&self) -> String {
        // SAFETY: the handle is live; tjGetErrorStr2 returns a pointer to a NUL-terminated
        // string owned by the handle (or a static one), valid until the next call on it. It is
        // copied out at once.
        let text = unsafe { tjGetErrorStr2(self.handle) };
        if text.is_null() {
            return "unknown libjpeg-turbo error".into();
        }
        // SAFETY: non-null, NUL-terminated (see above).
        unsafe { CStr::from_ptr(text) }.to_string_lossy().into_owned()
    }

    /// After a call returned -1: Ok(message) for a warning (the call finished), Err for a fault.
    fn warning_or_error(&self) -> Result<String, TurboError> {
        // SAFETY: the handle is live.
        let code = unsafe { tjGetErrorCode(self.handle) };
        let message = self.message();
        if code == TJERR_WARNING { Ok(message) } else { Err(TurboError(message)) }
    }

    /// Reads the header of the JPEG in `jpeg`.
    pub fn header(&mut self, jpeg: &[u8]) -> Result<Header, TurboError> {
        let (mut w, mut h, mut subsamp, mut colour) = (0, 0, -1, -1);
        // SAFETY: the handle is live; `jpeg` is valid for `jpeg.len()` bytes and only read; the
        // four out-pointers point to live c_ints on this stack frame.
        let rc = unsafe {
            tjDecompressHeader3(
                self.handle,
                jpeg.as_ptr(),
                jpeg.len() as c_ulong,
                &mut w,
                &mut h,
                &mut subsamp,
                &mut colour,
            )
        };
        if rc != 0 {
            self.warning_or_error()?;
        }
        if w <= 0 || h <= 0 {
            return Err(TurboError("the header gives no size".into()));
        }
        let colour = match colour {
            0 => ColourSpace::Rgb,
            1 => ColourSpace::YCbCr,
            2 => ColourSpace::Gray,
            3 => ColourSpace::Cmyk,
            4 => ColourSpace::Ycck,
            _ => ColourSpace::Other,
        };
        Ok(Header { width: w as u32, height: h as u32, colour })
    }

    /// Decodes `jpeg` at `width`x`height`, which must be the header's size scaled by one of
    /// [`scaling_factors`], into tightly packed rows of `format`.
    pub fn decompress(
        &mut self,
        jpeg: &[u8],
        (width, height): (u32, u32),
        format: PixelFormat,
    ) -> Result<Decoded, TurboError> {
        let too_big = || TurboError("the decoded picture would be too large".into());
        let pitch = (width as usize).checked_mul(format.bytes()).ok_or_else(too_big)?;
        let len = pitch.checked_mul(height as usize).ok_or_else(too_big)?;
        let (w, h, p) = (c_int::try_from(width), c_int::try_from(height), c_int::try_from(pitch));
        let (Ok(w), Ok(h), Ok(p)) = (w, h, p) else { return Err(too_big()) };
        let shape = Shape { width: w, pitch: p, height: h, format };
        // Zeroed, not left uninitialised: the TurboJPEG 2 API reports a fault that follows a
        // warning as a warning too, so rows the decoder never reached must still be defined
        // (they stay black). Measured: no slower than writing into uninitialised memory.
        let mut pixels = vec![0u8; len];
        // SAFETY: `pixels` is `len` = `pitch * height` bytes.
        let rc = unsafe { self.decompress_into(jpeg, pixels.as_mut_ptr(), shape) };
        let warning = if rc == 0 { None } else { Some(self.warning_or_error()?) };
        Ok(Decoded { pixels, warning })
    }

    /// One `tjDecompress2` call into `dst`; its return code.
    ///
    /// # Safety
    /// `dst` must be valid for writes of `shape.pitch * shape.height` bytes.
    unsafe fn decompress_into(&mut self, jpeg: &[u8], dst: *mut u8, shape: Shape) -> c_int {
        // SAFETY: the handle is live; `jpeg` is valid for its length and only read; `dst` has
        // room for `pitch * height` bytes (the caller's promise), exactly what libjpeg-turbo
        // writes for a `width`x`height` picture of `format` with that pitch, and it never
        // writes outside it. libjpeg-turbo picks the largest of its scaling factors whose
        // size fits `width`x`height`; `width`x`height` is itself one factor's size, so that is
        // the size it decodes at.
        unsafe {
            tjDecompress2(
                self.handle,
                jpeg.as_ptr(),
                jpeg.len() as c_ulong,
                dst,
                shape.width,
                shape.pitch,
                shape.height,
                shape.format.code(),
                TJFLAG_LIMITSCANS,
            )
        }
    }
}

/// The layout of a decoded picture, as `tjDecompress2` takes it.
#[derive(Clone, Copy)]
struct Shape {
    width: c_int,
    pitch: c_int,
    height: c_int,
    format: PixelFormat,
}

impl Drop for Decompressor {
    fn drop(&mut self) {
        // SAFETY: the handle came from tjInitDecompress and is destroyed once, here.
        unsafe { tjDestroy(self.handle) };
    }
}

/// The scaled sizes libjpeg-turbo decodes to (for 2.1: 2/1 .. 1/8 in eighths).
pub fn scaling_factors() -> &'static [ScalingFactor] {
    let mut n: c_int = 0;
    // SAFETY: tjGetScalingFactors writes the count through the pointer and returns a pointer to
    // a static array of that many factors (or null), which lives as long as the library.
    let list = unsafe { tjGetScalingFactors(&mut n) };
    if list.is_null() || n <= 0 {
        return &[];
    }
    // SAFETY: non-null, `n` initialised elements, static lifetime (see above).
    unsafe { std::slice::from_raw_parts(list, n as usize) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scaling_factors_include_the_eighths() {
        let f = scaling_factors();
        for want in [(1, 1), (1, 2), (1, 4), (1, 8)] {
            assert!(f.iter().any(|s| (s.num, s.denom) == want), "{want:?} missing from {f:?}");
        }
        assert_eq!(ScalingFactor { num: 3, denom: 8 }.scale(4000), 1500);
        assert_eq!(ScalingFactor { num: 1, denom: 8 }.scale(9), 2, "rounded up");
    }

    #[test]
    fn garbage_is_an_error_not_a_crash() {
        let mut d = Decompressor::new().unwrap();
        assert!(d.header(b"").is_err());
        assert!(d.header(b"\xff\xd8\xff\xdb\x00").is_err());
        assert!(d.header(&[0u8; 64]).is_err());
    }
}
