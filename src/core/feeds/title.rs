//! A title as it should scroll by: HTML tags stripped, entities decoded, white space collapsed,
//! control characters removed, cut with an ellipsis.

use std::borrow::Cow;

use super::MAX_TITLE_CHARS;

/// A title as it should scroll by: HTML tags stripped, entities decoded, white space collapsed,
/// control characters removed, cut at [`MAX_TITLE_CHARS`] with an ellipsis.
pub fn clean_title(raw: &str) -> String {
    // Tags first (a title may hold escaped HTML, which the XML reader has already unescaped
    // once).
    let no_tags = if raw.contains('<') { Cow::Owned(strip_tags(raw)) } else { Cow::Borrowed(raw) };
    let once = decode_entities(&no_tags);
    let decoded = decode_entities(&once);
    // White space and control characters between words become one space.
    let mut joined = String::with_capacity(decoded.len());
    let mut chars = 0;
    let mut gap = false;
    for c in decoded.chars() {
        if c.is_whitespace() || c.is_control() {
            gap = !joined.is_empty();
            continue;
        }
        if gap {
            joined.push(' ');
            chars += 1;
            gap = false;
        }
        joined.push(c);
        chars += 1;
    }
    if chars <= MAX_TITLE_CHARS {
        return joined;
    }
    let mut cut: String = joined.chars().take(MAX_TITLE_CHARS - 1).collect();
    cut.truncate(cut.trim_end().len());
    cut.push('…');
    cut
}

/// The text of a piece of HTML: tags dropped, and the contents of `<script>` and `<style>`
/// too. A `<` that cannot start a tag ("a < b") is text; a tag left open runs to the end.
fn strip_tags(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(i) = rest.find('<') {
        out.push_str(&rest[..i]);
        let tag = &rest[i + 1..];
        if !tag.starts_with(|c: char| c.is_ascii_alphabetic() || "/!?".contains(c)) {
            out.push('<');
            rest = tag;
            continue;
        }
        let Some(end) = tag.find('>') else { return out };
        rest = &tag[end + 1..];
        let name: String = tag.chars().take_while(char::is_ascii_alphanumeric).collect();
        if name.eq_ignore_ascii_case("script") || name.eq_ignore_ascii_case("style") {
            let close = format!("</{}", name.to_ascii_lowercase());
            rest = match rest.to_ascii_lowercase().find(&close) {
                Some(j) => rest[j..].find('>').map_or("", |k| &rest[j + k + 1..]),
                None => "",
            };
        }
    }
    out.push_str(rest);
    out
}

/// HTML's names for U+00A0 to U+00FF, in order.
const LATIN1_NAMES: [&str; 96] = [
    "nbsp", "iexcl", "cent", "pound", "curren", "yen", "brvbar", "sect", "uml", "copy", "ordf", "laquo",
    "not", "shy", "reg", "macr", "deg", "plusmn", "sup2", "sup3", "acute", "micro", "para", "middot",
    "cedil", "sup1", "ordm", "raquo", "frac14", "frac12", "frac34", "iquest", "Agrave", "Aacute", "Acirc",
    "Atilde", "Auml", "Aring", "AElig", "Ccedil", "Egrave", "Eacute", "Ecirc", "Euml", "Igrave", "Iacute",
    "Icirc", "Iuml", "ETH", "Ntilde", "Ograve", "Oacute", "Ocirc", "Otilde", "Ouml", "times", "Oslash",
    "Ugrave", "Uacute", "Ucirc", "Uuml", "Yacute", "THORN", "szlig", "agrave", "aacute", "acirc", "atilde",
    "auml", "aring", "aelig", "ccedil", "egrave", "eacute", "ecirc", "euml", "igrave", "iacute", "icirc",
    "iuml", "eth", "ntilde", "ograve", "oacute", "ocirc", "otilde", "ouml", "divide", "oslash", "ugrave",
    "uacute", "ucirc", "uuml", "yacute", "thorn", "yuml",
];

/// Other HTML names that blog engines write into titles.
const NAMED: &[(&str, char)] = &[
    ("amp", '&'),
    ("lt", '<'),
    ("gt", '>'),
    ("quot", '"'),
    ("apos", '\''),
    ("hellip", '…'),
    ("mdash", '—'),
    ("ndash", '–'),
    ("lsquo", '‘'),
    ("rsquo", '’'),
    ("sbquo", '‚'),
    ("ldquo", '“'),
    ("rdquo", '”'),
    ("bdquo", '„'),
    ("lsaquo", '‹'),
    ("rsaquo", '›'),
    ("bull", '•'),
    ("middot", '·'),
    ("trade", '™'),
    ("euro", '€'),
    ("dagger", '†'),
    ("Dagger", '‡'),
    ("permil", '‰'),
    ("OElig", 'Œ'),
    ("oelig", 'œ'),
    ("Scaron", 'Š'),
    ("scaron", 'š'),
    ("Yuml", 'Ÿ'),
    ("fnof", 'ƒ'),
    ("circ", 'ˆ'),
    ("tilde", '˜'),
    ("ensp", '\u{2002}'),
    ("emsp", '\u{2003}'),
    ("thinsp", '\u{2009}'),
];

/// The character an HTML entity name stands for, among those corridor knows.
fn named_entity(name: &str) -> Option<char> {
    if let Some(i) = LATIN1_NAMES.iter().position(|n| *n == name) {
        return char::from_u32(0xA0 + i as u32);
    }
    NAMED.iter().find(|(n, _)| *n == name).map(|(_, c)| *c)
}

/// Decodes HTML character references: numeric ones and the named ones corridor knows.
fn decode_entities(text: &str) -> Cow<'_, str> {
    if !text.contains('&') {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let Some(end) = rest[1..].find(';').map(|e| e + 1).filter(|e| *e <= 10) else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let name = &rest[1..end];
        let decoded = match name.strip_prefix('#') {
            Some(num) => match num.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok(),
                None => num.parse().ok(),
            }
            .and_then(char::from_u32),
            None => named_entity(name),
        };
        match decoded {
            Some(d) => {
                out.push(d);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    Cow::Owned(out)
}
