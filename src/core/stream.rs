//! Live-stream addresses (issue 15, first part): what a `.stream` file or a Windows `.url`
//! shortcut in a playlist folder points at. A `.stream` file's first line that is not blank or a
//! `#` comment is the address; a `.url` file (`[InternetShortcut]`, `URL=`) is read as browsers
//! write it. Only the protocols corridor can play are accepted, each told apart by its scheme;
//! HTTP(S) only for HLS playlists (`.m3u8`). Pure: text in, a checked address or a reason out.

use std::fmt;
use std::time::Duration;

/// A live stream's latency unless `[live] latency` says otherwise: SRT's own default (and OBS's).
pub const DEFAULT_LATENCY: Duration = Duration::from_millis(120);
/// How long a stalled stream's last frame stays unless `[live] hold` says otherwise.
pub const DEFAULT_HOLD: Duration = Duration::from_secs(2);

/// The longest `.stream`/`.url` file read: an address is one short line.
pub const MAX_STREAM_FILE_BYTES: usize = 16 * 1024;

/// How a stream is reached.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Protocol {
    /// RTSP (`rtsp://`, `rtsps://`): cameras, MediaMTX, encoders.
    Rtsp,
    /// SRT (`srt://`).
    Srt,
    /// HLS over HTTP(S): an `.m3u8` playlist.
    Hls,
    /// RTMP (`rtmp://`, `rtmps://`).
    Rtmp,
    /// MPEG-TS over UDP (`udp://`), multicast included.
    Udp,
    /// RTP over UDP (`rtp://`).
    Rtp,
}

/// A checked stream address.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct StreamAddress {
    pub url: String,
    pub protocol: Protocol,
}

impl fmt::Display for StreamAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.url)
    }
}

/// Why a stream file names no stream corridor can play; the words are for staff.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum StreamError {
    #[error(
        "the file names no stream: write its address on the first line, like rtsp://studio.local:8554/live"
    )]
    NoAddress,
    #[error("the file is too large for a stream address (at most 16 KB)")]
    TooLarge,
    #[error(
        "\"{0}\" is not an address corridor can play: it takes rtsp://, rtsps://, srt://, rtmp://, udp://, rtp:// and http(s)://… .m3u8 (HLS)"
    )]
    Unsupported(String),
    #[error("\"{0}\" is a web page, not a stream: for HLS give the address of the .m3u8 playlist")]
    WebPage(String),
}

/// The address a `.stream` file holds.
pub fn parse_stream_file(text: &str) -> Result<StreamAddress, StreamError> {
    if text.len() > MAX_STREAM_FILE_BYTES {
        return Err(StreamError::TooLarge);
    }
    let line = text
        .lines()
        .map(|l| l.trim().trim_start_matches('\u{feff}').trim())
        .find(|l| !l.is_empty() && !l.starts_with('#'))
        .ok_or(StreamError::NoAddress)?;
    parse_address(line)
}

/// The address a Windows Internet shortcut (`.url`) holds: `URL=` in `[InternetShortcut]`.
pub fn parse_url_file(text: &str) -> Result<StreamAddress, StreamError> {
    if text.len() > MAX_STREAM_FILE_BYTES {
        return Err(StreamError::TooLarge);
    }
    let mut in_shortcut = false;
    for line in text.lines().map(|l| l.trim().trim_start_matches('\u{feff}')) {
        if line.starts_with('[') {
            in_shortcut = line.eq_ignore_ascii_case("[InternetShortcut]");
        } else if let Some((key, value)) = line.split_once('=')
            && in_shortcut
            && key.trim().eq_ignore_ascii_case("URL")
        {
            return parse_address(value.trim());
        }
    }
    Err(StreamError::NoAddress)
}

/// A stream address, checked: a scheme corridor plays, a host, no spaces or control characters.
pub fn parse_address(text: &str) -> Result<StreamAddress, StreamError> {
    let url = text.trim();
    let unsupported = || StreamError::Unsupported(url.chars().take(200).collect());
    let (scheme, rest) = url.split_once("://").ok_or_else(unsupported)?;
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = host.rsplit('@').next().unwrap_or(host);
    let host_name = host
        .strip_prefix('[')
        .map_or_else(|| host.split(':').next().unwrap_or(""), |h| h.split(']').next().unwrap_or(""));
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(unsupported());
    }
    // udp://@:5000 (any address, a port) is how VLC and ffmpeg write a stream sent to this PC.
    let needs_host = !matches!(scheme.to_ascii_lowercase().as_str(), "udp" | "rtp");
    if needs_host && host_name.is_empty() {
        return Err(unsupported());
    }
    let protocol = match scheme.to_ascii_lowercase().as_str() {
        "rtsp" | "rtsps" => Protocol::Rtsp,
        "srt" => Protocol::Srt,
        "rtmp" | "rtmps" => Protocol::Rtmp,
        "udp" => Protocol::Udp,
        "rtp" => Protocol::Rtp,
        "http" | "https" if is_hls(rest) => Protocol::Hls,
        "http" | "https" => return Err(StreamError::WebPage(url.chars().take(200).collect())),
        _ => return Err(unsupported()),
    };
    Ok(StreamAddress { url: url.to_string(), protocol })
}

/// Whether an HTTP address (after the scheme) is an HLS playlist.
fn is_hls(rest: &str) -> bool {
    let path = rest.split(['?', '#']).next().unwrap_or(rest);
    path.to_ascii_lowercase().ends_with(".m3u8")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_protocol_is_told_apart_by_its_scheme() {
        let cases = [
            ("rtsp://studio.local:8554/assembly", Protocol::Rtsp),
            ("RTSPS://user:pw@10.0.0.5/live", Protocol::Rtsp),
            ("srt://192.168.1.20:9000?mode=caller", Protocol::Srt),
            ("https://media.school.example/live/index.m3u8?token=1", Protocol::Hls),
            ("rtmp://studio/live/stream", Protocol::Rtmp),
            ("udp://239.0.0.1:5000", Protocol::Udp),
            ("udp://@:5000", Protocol::Udp),
            ("rtp://[ff02::1]:5004", Protocol::Rtp),
        ];
        for (url, protocol) in cases {
            assert_eq!(parse_address(url).map(|a| a.protocol), Ok(protocol), "{url}");
        }
    }

    #[test]
    fn what_cannot_be_played_is_refused_with_the_reason() {
        assert!(matches!(parse_address("https://school.example/live"), Err(StreamError::WebPage(_))));
        for bad in [
            "ftp://x/y",
            "file:///etc/passwd",
            "rtsp://",
            "rtsp:///path",
            "just words",
            "rtsp://a b/c",
            "javascript:alert(1)",
        ] {
            assert!(matches!(parse_address(bad), Err(StreamError::Unsupported(_))), "{bad}");
        }
    }

    #[test]
    fn a_stream_file_takes_its_first_address_line() {
        let text = "\u{feff}# The assembly, from the studio\n\n  rtsp://studio.local:8554/assembly  \nrtsp://other\n";
        assert_eq!(parse_stream_file(text).map(|a| a.url), Ok("rtsp://studio.local:8554/assembly".into()));
        assert_eq!(parse_stream_file("# only a comment\n\n"), Err(StreamError::NoAddress));
        assert_eq!(parse_stream_file(&"x".repeat(MAX_STREAM_FILE_BYTES + 1)), Err(StreamError::TooLarge));
    }

    #[test]
    fn a_windows_shortcut_is_read_as_browsers_write_it() {
        let text = "[{000214A0-0000-0000-C000-000000000046}]\r\nProp3=19,11\r\n[InternetShortcut]\r\nIDList=\r\nURL=https://media.school.example/live/index.m3u8\r\n";
        assert_eq!(parse_url_file(text).map(|a| a.protocol), Ok(Protocol::Hls));
        assert_eq!(parse_url_file("[Other]\nURL=rtsp://x/y\n"), Err(StreamError::NoAddress));
        assert!(matches!(
            parse_url_file("[InternetShortcut]\nURL=https://example.org/\n"),
            Err(StreamError::WebPage(_))
        ));
    }
}
