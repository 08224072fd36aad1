//! Text files as staff save them: UTF-8 with or without a byte-order mark, or the Windows-1252
//! that older Windows programs (Notepad, Excel) write. Line ends may be CRLF.

/// Windows-1252 characters for bytes 0x80..=0x9F (the rest of the range matches Latin-1).
const CP1252_HIGH: [char; 32] = [
    '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8d}', 'Ž', '\u{8f}', '\u{90}',
    '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9d}', 'ž', 'Ÿ',
];

/// Decodes bytes as UTF-8 (a BOM is dropped) or, when they are not UTF-8, as Windows-1252.
/// CRLF and lone CR line ends become LF.
pub fn decode_text(bytes: &[u8]) -> String {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(_) => bytes
            .iter()
            .map(|&b| match b {
                0x80..=0x9F => CP1252_HIGH[(b - 0x80) as usize],
                _ => b as char,
            })
            .collect(),
    };
    text.replace("\r\n", "\n").replace('\r', "\n")
}

/// Natural order for file names: "2 photo" before "10 photo", case ignored.
pub fn natural_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    let mut ai = a.chars().peekable();
    let mut bi = b.chars().peekable();
    loop {
        match (ai.peek().copied(), bi.peek().copied()) {
            (None, None) => return a.cmp(b),
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) if x.is_ascii_digit() && y.is_ascii_digit() => {
                let na = take_number(&mut ai);
                let nb = take_number(&mut bi);
                let ta = na.trim_start_matches('0');
                let tb = nb.trim_start_matches('0');
                let ord = ta.len().cmp(&tb.len()).then_with(|| ta.cmp(tb));
                if ord != Ordering::Equal {
                    return ord;
                }
            }
            (Some(x), Some(y)) => {
                let ord = x.to_lowercase().cmp(y.to_lowercase());
                if ord != Ordering::Equal {
                    return ord;
                }
                ai.next();
                bi.next();
            }
        }
    }
}

fn take_number(it: &mut std::iter::Peekable<std::str::Chars<'_>>) -> String {
    let mut s = String::new();
    while let Some(c) = it.peek().copied().filter(char::is_ascii_digit) {
        s.push(c);
        it.next();
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_bom_and_crlf() {
        assert_eq!(decode_text(b"\xEF\xBB\xBFHello\r\nWorld\r\n"), "Hello\nWorld\n");
    }

    #[test]
    fn windows_1252() {
        assert_eq!(decode_text(b"Caf\xe9 \x80 \x93x\x94"), "Café € “x”");
    }

    #[test]
    fn natural_order() {
        let mut v = vec!["photo10.jpg", "photo2.jpg", "Photo1.jpg", "a.jpg", "photo02b.jpg"];
        v.sort_by(|a, b| natural_cmp(a, b));
        assert_eq!(v, ["a.jpg", "Photo1.jpg", "photo2.jpg", "photo02b.jpg", "photo10.jpg"]);
    }
}
