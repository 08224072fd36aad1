//! A feed document's bytes as text: a byte-order mark, UTF-8, the encoding the XML declaration
//! names, or a guess (`chardetng`) for documents that declare none or a wrong one.

use std::borrow::Cow;

use encoding_rs::{Encoding, UTF_8, UTF_16BE, UTF_16LE};

use super::GUESS_BYTES;

/// The document as text: a byte-order mark wins, then UTF-8 when the bytes are UTF-8 (whatever
/// the declaration says: feeds mislabelled by their blog engine are common), then the encoding
/// the XML declaration names, then a guess from the bytes themselves.
pub(super) fn to_utf8(bytes: &[u8]) -> Cow<'_, str> {
    if let Some(text) = utf32(bytes) {
        return Cow::Owned(text);
    }
    if let Some((encoding, bom)) = Encoding::for_bom(bytes) {
        return encoding.decode_without_bom_handling(&bytes[bom..]).0;
    }
    if bytes.starts_with(b"<\0") {
        return UTF_16LE.decode_without_bom_handling(bytes).0;
    }
    if bytes.starts_with(b"\0<") {
        return UTF_16BE.decode_without_bom_handling(bytes).0;
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Cow::Borrowed(text);
    }
    let encoding = declared_encoding(bytes)
        .filter(|e| *e != UTF_8 && e.is_ascii_compatible())
        .unwrap_or_else(|| guess_encoding(bytes));
    encoding.decode_without_bom_handling(bytes).0
}

/// A UTF-32 document (told by its byte-order mark or its first `<`), which encoding_rs does
/// not read; characters that cannot be are replaced.
fn utf32(bytes: &[u8]) -> Option<String> {
    let little = if bytes.starts_with(b"\xFF\xFE\0\0") || bytes.starts_with(b"<\0\0\0") {
        true
    } else if bytes.starts_with(b"\0\0\xFE\xFF") || bytes.starts_with(b"\0\0\0<") {
        false
    } else {
        return None;
    };
    let units = bytes.chunks_exact(4).map(|c| {
        let unit = [c[0], c[1], c[2], c[3]];
        if little { u32::from_le_bytes(unit) } else { u32::from_be_bytes(unit) }
    });
    Some(units.map(|u| char::from_u32(u).unwrap_or('\u{fffd}')).filter(|c| *c != '\u{feff}').collect())
}

/// The encoding named by `<?xml ... encoding="..."?>`, when it is one encoding_rs knows.
fn declared_encoding(bytes: &[u8]) -> Option<&'static Encoding> {
    let head = &bytes[..bytes.len().min(512)];
    let trimmed = head.trim_ascii_start();
    if !trimmed.starts_with(b"<?xml") {
        return None;
    }
    let decl = &trimmed[..trimmed.windows(2).position(|w| w == b"?>")?];
    let at = decl.windows(8).position(|w| w.eq_ignore_ascii_case(b"encoding"))?;
    let rest = decl[at + 8..].trim_ascii_start().strip_prefix(b"=")?.trim_ascii_start();
    let quote = *rest.first().filter(|q| **q == b'"' || **q == b'\'')?;
    let label = &rest[1..];
    let label = &label[..label.iter().position(|b| *b == quote)?];
    Encoding::for_label(label.trim_ascii())
}

/// A guess at the encoding of a document that is not UTF-8 and declares none (or a wrong one):
/// Shift-JIS, EUC-KR, Windows-1251, Windows-1252 and the rest, as browsers guess.
fn guess_encoding(bytes: &[u8]) -> &'static Encoding {
    let mut detector = chardetng::EncodingDetector::new();
    detector.feed(&bytes[..bytes.len().min(GUESS_BYTES)], true);
    detector.guess(None, false)
}
