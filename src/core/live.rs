//! The school's live broadcast ("on air"): which stream is watched, and how often it is tried
//! while off air. `LIVE.stream` at the top of the content folder (the switch staff can drop in)
//! wins over `[live] url` in corridor.toml. Pure apart from reading that one small file.

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::config::LiveConfig;
use super::stream::{MAX_STREAM_FILE_BYTES, StreamAddress, parse_stream_file};

/// The file at the top of the content folder that names the on-air stream.
pub const LIVE_FILE: &str = "LIVE.stream";

/// Where the on-air address was found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    /// `LIVE.stream` in the content folder.
    File(PathBuf),
    /// `[live] url` in corridor.toml.
    Settings,
}

/// The stream watched for the live broadcast, or why `LIVE.stream` names none (then `[live] url`
/// is not used either: the file says what staff meant, and the mistake is reported).
pub fn on_air_address(content: &Path, live: &LiveConfig) -> Result<Option<(StreamAddress, Origin)>, String> {
    let file = content.join(LIVE_FILE);
    match std::fs::metadata(&file) {
        Ok(meta) if meta.is_file() => {
            if meta.len() > MAX_STREAM_FILE_BYTES as u64 {
                return Err(format!("{LIVE_FILE} is too large for a stream address (at most 16 KB)"));
            }
            let bytes = std::fs::read(&file).map_err(|e| format!("cannot read {LIVE_FILE}: {e}"))?;
            let text = String::from_utf8(bytes).map_err(|_| format!("{LIVE_FILE} is not a text file"))?;
            let address = parse_stream_file(&text).map_err(|e| format!("{LIVE_FILE}: {e}"))?;
            Ok(Some((address, Origin::File(file))))
        }
        _ => Ok(live.url.clone().map(|a| (a, Origin::Settings))),
    }
}

/// How long to wait before trying an off-air stream again: quickly at first (a studio that has
/// just gone on air is on screen within a second or two), then every [`Backoff::MAX`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Backoff {
    next: Duration,
}

impl Backoff {
    pub const FIRST: Duration = Duration::from_millis(250);
    pub const MAX: Duration = Duration::from_secs(1);

    pub fn new() -> Self {
        Self { next: Self::FIRST }
    }

    /// The wait before the next try; each failed try doubles it, up to [`Backoff::MAX`].
    pub fn failed(&mut self) -> Duration {
        let wait = self.next;
        self.next = (self.next * 2).min(Self::MAX);
        wait
    }

    /// The stream was live: the next time it drops, it is tried again at once.
    pub fn succeeded(&mut self) {
        self.next = Self::FIRST;
    }
}

impl Default for Backoff {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::stream::parse_address;

    #[test]
    fn live_stream_file_wins_over_the_settings() {
        let dir = tempfile::tempdir().unwrap();
        let settings = LiveConfig { url: parse_address("srt://studio:9000").ok(), ..LiveConfig::default() };
        let (address, origin) = on_air_address(dir.path(), &settings).unwrap().unwrap();
        assert_eq!((address.url.as_str(), origin), ("srt://studio:9000", Origin::Settings));
        std::fs::write(dir.path().join(LIVE_FILE), "# the hall\nrtsp://studio.local:8554/assembly\n")
            .unwrap();
        let (address, origin) = on_air_address(dir.path(), &settings).unwrap().unwrap();
        assert_eq!(address.url, "rtsp://studio.local:8554/assembly");
        assert_eq!(origin, Origin::File(dir.path().join(LIVE_FILE)));
        std::fs::write(dir.path().join(LIVE_FILE), "ftp://nowhere/x\n").unwrap();
        let e = on_air_address(dir.path(), &settings).unwrap_err();
        assert!(e.starts_with("LIVE.stream: \"ftp://nowhere/x\" is not an address"), "{e}");
        assert_eq!(on_air_address(&dir.path().join("missing"), &LiveConfig::default()), Ok(None));
    }

    #[test]
    fn backoff_doubles_up_to_its_limit_and_starts_again_after_a_success() {
        let mut b = Backoff::new();
        let waits: Vec<u128> = (0..6).map(|_| b.failed().as_millis()).collect();
        assert_eq!(waits, [250, 500, 1000, 1000, 1000, 1000]);
        b.succeeded();
        assert_eq!(b.failed(), Backoff::FIRST);
    }
}
