//! Subtitles for films, so a narrated photostory keeps its words in a silent corridor: SubRip
//! (`.srt`) and WebVTT (`.vtt`) files as people's tools write them (UTF-8 with or without a
//! byte-order mark, Windows-1252, CRLF, cue numbers missing, cues overlapping or out of order,
//! `<i>` and other tags), read into cues timed on the film's own clock.

use std::time::Duration;

use super::text::decode_text;

/// A subtitles file larger than this is refused.
pub const MAX_BYTES: usize = 2 << 20;
/// The extensions of subtitles files, found beside a film of the same name.
pub const SUBTITLE_EXTENSIONS: &[&str] = &["srt", "vtt"];
/// At most this many lines show at once.
pub const MAX_LINES: usize = 2;

/// One subtitle: its text, from `start` to `end` of the film.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cue {
    pub start: Duration,
    pub end: Duration,
    pub lines: Vec<String>,
}

/// Why a subtitles file cannot be used; the words are for staff.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SubtitleError {
    #[error("line {line}: {why}")]
    Line { line: usize, why: String },
    #[error("these are not subtitles: no line like \"00:00:01,000 --> 00:00:04,000\" was found")]
    NotSubtitles,
    #[error("the file is larger than 2 MB")]
    TooLarge,
}

/// Reads a SubRip or WebVTT file's bytes: the cues in order of their start.
pub fn parse(bytes: &[u8]) -> Result<Vec<Cue>, SubtitleError> {
    if bytes.len() > MAX_BYTES {
        return Err(SubtitleError::TooLarge);
    }
    let text = decode_subtitles(bytes).replace("\r\n", "\n").replace('\r', "\n");
    let lines: Vec<&str> = text.lines().collect();
    let mut cues = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let Some(arrow) = lines[i].find("-->") else {
            i += 1;
            continue;
        };
        let bad = |why: String| SubtitleError::Line { line: i + 1, why };
        let start = parse_time(lines[i][..arrow].trim()).map_err(bad)?;
        let end_text = lines[i][arrow + 3..].split_whitespace().next().unwrap_or("");
        let end = parse_time(end_text).map_err(|why| SubtitleError::Line { line: i + 1, why })?;
        if end < start {
            return Err(SubtitleError::Line { line: i + 1, why: "the cue ends before it starts".into() });
        }
        i += 1;
        let mut text_lines = Vec::new();
        while i < lines.len() && !lines[i].trim().is_empty() && !lines[i].contains("-->") {
            let clean = clean_line(lines[i]);
            if !clean.is_empty() {
                text_lines.push(clean);
            }
            i += 1;
        }
        // A cue of no length shows nothing; it is passed over.
        if end > start {
            cues.push(Cue { start, end, lines: text_lines });
        }
    }
    if cues.is_empty() {
        return Err(SubtitleError::NotSubtitles);
    }
    cues.sort_by_key(|c| c.start);
    Ok(cues)
}

/// A subtitles file's text: UTF-16 (Notepad's "Unicode") by its byte-order mark, else UTF-8
/// or Windows-1252.
fn decode_subtitles(bytes: &[u8]) -> String {
    let utf16 = |b: &[u8], big: bool| {
        let units: Vec<u16> = b
            .chunks_exact(2)
            .map(|p| if big { u16::from_be_bytes([p[0], p[1]]) } else { u16::from_le_bytes([p[0], p[1]]) })
            .collect();
        String::from_utf16_lossy(&units)
    };
    match bytes {
        [0xFF, 0xFE, rest @ ..] => utf16(rest, false),
        [0xFE, 0xFF, rest @ ..] => utf16(rest, true),
        _ => decode_text(bytes),
    }
}

/// `01:02:03,456`, `01:02:03.456` or `02:03.456`; each part in range.
fn parse_time(text: &str) -> Result<Duration, String> {
    let bad = || format!("\"{text}\" is not a time like 00:01:02,500");
    let (clock, millis) = text.split_once([',', '.']).ok_or_else(bad)?;
    let parts: Vec<&str> = clock.split(':').collect();
    let number = |s: &str| s.trim().parse::<u64>().map_err(|_| bad());
    let (h, m, s) = match parts.as_slice() {
        [h, m, s] => (number(h)?, number(m)?, number(s)?),
        [m, s] => (0, number(m)?, number(s)?),
        _ => return Err(bad()),
    };
    if m >= 60 || s >= 60 || h > 99 || millis.is_empty() || millis.len() > 3 {
        return Err(bad());
    }
    // "1,5" is 500 ms, as "1,500" is.
    let ms = number(millis)? * 10u64.pow(3 - millis.len() as u32);
    Ok(Duration::from_millis(((h * 60 + m) * 60 + s) * 1000 + ms))
}

/// A line of text without its markup (`<i>`, `<b>`, `<font …>`, `<v Name>`, `{\an8}`) and with
/// its entities decoded.
fn clean_line(line: &str) -> String {
    let mut out = String::new();
    let mut depth = (0, 0);
    for (i, c) in line.char_indices() {
        match c {
            // A tag only where it closes: "I <3 you" keeps its words.
            '<' if line[i..].contains('>') => depth.0 += 1,
            '>' if depth.0 > 0 => depth.0 -= 1,
            '{' => depth.1 += 1,
            '}' if depth.1 > 0 => depth.1 -= 1,
            _ if depth == (0, 0) => out.push(c),
            _ => {}
        }
    }
    out.replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&nbsp;", " ")
        .trim()
        .to_string()
}

/// A cue from a film's own subtitle track: its text's markup taken out; None when no text is left.
pub fn cue_from_text(start: Duration, end: Duration, text: &str) -> Option<Cue> {
    let lines: Vec<String> = text.lines().map(clean_line).filter(|l| !l.is_empty()).collect();
    (!lines.is_empty() && end > start).then_some(Cue { start, end, lines })
}

/// The text showing at `t` of the film: the cues that cover it (overlapping ones together), at
/// most [`MAX_LINES`] lines (the latest ones); None between cues.
pub fn text_at(cues: &[Cue], t: Duration) -> Option<String> {
    let lines: Vec<&str> = cues
        .iter()
        .take_while(|c| c.start <= t)
        .filter(|c| t < c.end)
        .flat_map(|c| c.lines.iter().map(String::as_str))
        .collect();
    if lines.is_empty() {
        return None;
    }
    Some(lines[lines.len().saturating_sub(MAX_LINES)..].join("\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn subrip_as_tools_write_it() {
        let srt = "\u{feff}1\r\n00:00:01,000 --> 00:00:02,500\r\n<i>Once upon a time</i>\r\n\r\n2\r\n00:00:03,000 --> 00:00:04,000\r\nthere was a <b>volcano</b> &amp; a lake\r\nby the sea\r\n";
        let cues = parse(srt.as_bytes()).unwrap();
        assert_eq!(cues.len(), 2);
        assert_eq!((cues[0].start, cues[0].end), (ms(1000), ms(2500)));
        assert_eq!(cues[0].lines, ["Once upon a time"]);
        assert_eq!(cues[1].lines, ["there was a volcano & a lake", "by the sea"]);
        assert_eq!(text_at(&cues, ms(1500)).as_deref(), Some("Once upon a time"));
        assert_eq!(text_at(&cues, ms(2700)), None);
    }

    #[test]
    fn webvtt_windows_1252_missing_numbers_and_cues_out_of_order() {
        let vtt = "WEBVTT\n\nNOTE made by hand\n\n00:05.000 --> 00:06.000 align:start\nlast\n\nintro\n00:01.000 --> 00:02.000\n<v Amy>first</v>\n";
        let cues = parse(vtt.as_bytes()).unwrap();
        assert_eq!(cues.iter().map(|c| c.lines[0].as_str()).collect::<Vec<_>>(), ["first", "last"]);
        let cp1252 = b"00:00:01,000 --> 00:00:02,000\n\x93Caf\xe9\x94\n";
        assert_eq!(parse(cp1252).unwrap()[0].lines, ["\u{201c}Caf\u{e9}\u{201d}"]);
    }

    #[test]
    fn overlapping_cues_show_together_two_lines_at_most() {
        let srt = "00:00:01,000 --> 00:00:05,000\nA\nB\n\n00:00:02,000 --> 00:00:03,000\nC\n";
        let cues = parse(srt.as_bytes()).unwrap();
        assert_eq!(text_at(&cues, ms(1500)).as_deref(), Some("A\nB"));
        assert_eq!(text_at(&cues, ms(2500)).as_deref(), Some("B\nC"));
    }

    #[test]
    fn a_file_that_is_not_subtitles_or_has_impossible_times_is_refused_by_line() {
        assert_eq!(parse(b"just some notes\nabout the film\n"), Err(SubtitleError::NotSubtitles));
        let e = parse(b"1\n00:99:99,000 --> 00:00:02,000\nx\n").unwrap_err().to_string();
        assert!(e.starts_with("line 2: \"00:99:99,000\" is not a time"), "{e}");
        let e = parse(b"00:00:05,000 --> 00:00:02,000\nx\n").unwrap_err().to_string();
        assert_eq!(e, "line 1: the cue ends before it starts");
        assert_eq!(parse(&vec![b'a'; MAX_BYTES + 1]), Err(SubtitleError::TooLarge));
        let e = parse(b"999999999999999:00:00,000 --> 1000000000000000:00:00,000\nx\n").unwrap_err();
        assert!(e.to_string().starts_with("line 1: "), "{e}");
    }

    #[test]
    fn notepad_unicode_short_milliseconds_hearts_and_empty_cues() {
        let text = "00:00:01,5 --> 00:00:02,000\nI <3 you\n\n00:00:03,000 --> 00:00:03,000\nnothing\n";
        let mut utf16 = vec![0xFF, 0xFE];
        utf16.extend(text.encode_utf16().flat_map(|u| u.to_le_bytes()));
        let cues = parse(&utf16).unwrap();
        assert_eq!(cues.len(), 1);
        assert_eq!((cues[0].start, cues[0].lines[0].as_str()), (ms(1500), "I <3 you"));
    }
}
