//! Notice slides: a plain-text or Markdown file whose first line is the heading.

use std::path::Path;

use super::read::{ReadError, read_bytes};
use crate::core::text::decode_text;

/// Notices longer than this are cut.
const MAX_NOTICE_CHARS: usize = 2_000;

/// A notice slide: a heading and a body of plain text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notice {
    pub heading: String,
    pub body: String,
}

/// Why a notice cannot be shown.
#[derive(Debug, thiserror::Error)]
pub enum NoticeError {
    #[error(transparent)]
    Read(#[from] ReadError),
    #[error("the notice is empty; write a heading on its first line")]
    Empty,
}

/// Reads a notice: the first non-empty line is the heading (leading `#` dropped), the rest the body.
pub fn read_notice(path: &Path) -> Result<Notice, NoticeError> {
    let bytes = read_bytes(path)?;
    parse_notice(&decode_text(&bytes)).ok_or(NoticeError::Empty)
}

/// Splits notice text into heading and body; None when there is no heading.
pub fn parse_notice(text: &str) -> Option<Notice> {
    let clean: String =
        text.chars().filter(|c| !c.is_control() || *c == '\n').take(MAX_NOTICE_CHARS).collect();
    let mut lines = clean.lines().skip_while(|l| l.trim().is_empty());
    let heading = lines.next()?.trim().trim_start_matches('#').trim().to_string();
    if heading.is_empty() {
        return None;
    }
    let body_lines: Vec<String> = lines
        .map(|l| {
            let t = l.trim_end();
            let t = t.trim_start_matches('#').trim_start();
            t.replace("**", "").replace("__", "")
        })
        .collect();
    let body = body_lines.join("\n").trim().to_string();
    Some(Notice { heading, body })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notices() {
        let n = parse_notice("\n# Book fair\r\nFriday in the **hall**\n\n## Bring coins\n").unwrap();
        assert_eq!(n.heading, "Book fair");
        assert_eq!(n.body, "Friday in the hall\n\nBring coins");
        assert_eq!(parse_notice("  \n\n"), None);
        assert_eq!(parse_notice("#\nbody"), None);
    }
}
