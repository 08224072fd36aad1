//! One transfer's pace and its errors: at most its cap, `max_rate` kept, and given up on a
//! server that stalls or drips; for a blocking reader (a folder, reqwest's blocking body) and for
//! reqwest's async body, piece by piece.

use std::io::{Read, Write};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use reqwest::Response;

use super::SyncError;
use crate::core::ticker::fetch::root_cause;

/// How long a transfer may take.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub connect: Duration,
    /// No byte at all for this long: the transfer is given up (and resumed next round).
    pub stall: Duration,
    /// Fewer than `min_speed` bytes a second over a whole `stall` window: given up too (a
    /// server that drips a byte at a time).
    pub min_speed: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Self { connect: Duration::from_secs(10), stall: Duration::from_secs(30), min_speed: 1024 }
    }
}

/// One transfer's pace: at most `cap` bytes, `rate` bytes a second, and never slower than the
/// limits allow.
pub(super) struct Pace<'a> {
    name: &'a str,
    cap: u64,
    rate: Option<u64>,
    limits: Limits,
    started: Instant,
    window: Instant,
    window_bytes: u64,
    total: u64,
    /// The round this transfer is part of.
    together: Option<&'a Together>,
}

impl<'a> Pace<'a> {
    pub(super) fn new(name: &'a str, cap: u64, rate: Option<u64>, limits: Limits) -> Self {
        let now = Instant::now();
        Self { name, cap, rate, limits, started: now, window: now, window_bytes: 0, total: 0, together: None }
    }

    /// Counts against what `together`'s transfers may bring, and gives up once it stops.
    pub(super) fn sharing(self, together: Option<&'a Together>) -> Self {
        Self { together, ..self }
    }

    /// `n` more bytes arrived: refused past the cap.
    fn arrived(&mut self, n: usize) -> Result<(), SyncError> {
        self.total += n as u64;
        if self.total > self.cap {
            return Err(SyncError::TooLarge { name: self.name.into(), cap: self.cap });
        }
        self.together.map_or(Ok(()), |t| t.take(n as u64))
    }

    /// After `n` bytes were written: gives up on a drip, waits for `max_rate`.
    fn keep(&mut self, n: usize) -> Result<(), SyncError> {
        if self.together.is_some_and(Together::stopped) {
            return Err(fetch_error(self.name, "stopped: another file of this round failed".into()));
        }
        self.window_bytes += n as u64;
        if self.window.elapsed() >= self.limits.stall {
            // The floor never above half of `max_rate`: a slow link's own pace is not a drip.
            let floor = self.rate.map_or(self.limits.min_speed, |r| self.limits.min_speed.min(r / 2));
            if self.window_bytes < floor.saturating_mul(self.limits.stall.as_secs().max(1)) {
                return Err(fetch_error(self.name, format!("slower than {floor} bytes a second; given up")));
            }
            (self.window, self.window_bytes) = (Instant::now(), 0);
        }
        if let Some(rate) = self.rate.filter(|r| *r > 0) {
            let due = Duration::from_secs_f64(self.total as f64 / rate as f64);
            if let Some(wait) = due.checked_sub(self.started.elapsed()) {
                std::thread::sleep(wait);
            }
        }
        Ok(())
    }

    /// Copies `from` into `to`; the bytes copied.
    pub(super) fn copy(&mut self, from: &mut dyn Read, to: &mut dyn Write) -> Result<u64, SyncError> {
        let mut buf = vec![0u8; 256 * 1024];
        loop {
            let n = from.read(&mut buf).map_err(|e| fetch_error(self.name, cause(&e)))?;
            if n == 0 {
                return Ok(self.total);
            }
            self.arrived(n)?;
            to.write_all(&buf[..n]).map_err(|e| SyncError::Disk(format!("{}: {e}", self.name)))?;
            self.keep(n)?;
        }
    }

    /// Hands `response`'s body to `to` piece by piece, as it arrives; the bytes handed over.
    pub(super) async fn stream(
        &mut self,
        response: &mut Response,
        mut to: impl FnMut(Bytes) -> Result<(), SyncError>,
    ) -> Result<u64, SyncError> {
        while let Some(piece) = response.chunk().await.map_err(|e| fetch_error(self.name, cause(&e)))? {
            let n = piece.len();
            self.arrived(n)?;
            to(piece)?;
            self.keep(n)?;
        }
        Ok(self.total)
    }
}

/// What the transfers of one round share: a stop signal, and the bytes they may bring together
/// (what is left of the source's `max_total`), so files in flight at once never pass it.
pub struct Together {
    stop: AtomicBool,
    bytes: AtomicU64,
    left: u64,
    max_total: u64,
}

impl Together {
    pub fn new(left: u64, max_total: u64) -> Self {
        Self { stop: AtomicBool::new(false), bytes: AtomicU64::new(0), left, max_total }
    }

    /// The round failed: the transfers in flight give up.
    pub fn stop(&self) {
        self.stop.store(true, Ordering::Relaxed);
    }

    pub fn stopped(&self) -> bool {
        self.stop.load(Ordering::Relaxed)
    }

    /// `n` more bytes on disk for the round: refused past what is left.
    pub fn take(&self, n: u64) -> Result<(), SyncError> {
        if self.bytes.fetch_add(n, Ordering::Relaxed).saturating_add(n) > self.left {
            return Err(SyncError::TooLarge { name: "the whole source".into(), cap: self.max_total });
        }
        Ok(())
    }
}

pub(super) fn fetch_error(name: &str, why: String) -> SyncError {
    SyncError::Fetch { name: name.to_string(), why }
}

/// The innermost error's words ("Connection refused (os error 111)"), without the URL.
pub(super) fn cause(e: &(dyn std::error::Error + 'static)) -> String {
    let words = root_cause(e);
    if words.contains("timed out") || words.contains("deadline") {
        return "no answer in time (timed out)".into();
    }
    words
}
