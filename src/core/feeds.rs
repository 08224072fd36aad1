//! Class-blog feeds (RSS 0.9x/1.0/2.0 with `rss`, Atom with `atom_syndication`, told apart from
//! the document itself) turned into clean headlines: entities decoded, HTML tags stripped, white
//! space collapsed, control characters removed, long titles cut with an ellipsis; newest first,
//! duplicates dropped, `max_age` honoured. Hostile or broken input is an error for that feed
//! alone, in bounded time and memory. Fetching over the network comes on top of this module.

use std::collections::HashSet;
use std::io::Cursor;
use std::time::Duration;

use chrono::{DateTime, FixedOffset, Utc};

use super::text::decode_text;

/// The largest feed document read, in bytes.
pub const MAX_FEED_BYTES: usize = 5 * 1024 * 1024;
/// Titles longer than this end in "…".
pub const MAX_TITLE_CHARS: usize = 140;
/// At most this many items are taken from one feed.
pub const MAX_ITEMS: usize = 500;

/// One headline of a feed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Headline {
    pub title: String,
    pub published: Option<DateTime<FixedOffset>>,
}

/// Why a feed gave no headlines; the words are for the log and `corridor check`.
#[derive(Clone, Debug, thiserror::Error, PartialEq, Eq)]
pub enum FeedError {
    #[error("the feed is empty")]
    Empty,
    #[error("the feed is larger than {} MB", MAX_FEED_BYTES / 1_000_000)]
    TooLarge,
    #[error("this is a web page, not a feed (a login page, or the blog's address instead of its feed's?)")]
    WebPage,
    #[error(
        "the feed declares its own XML entities, which corridor does not read (they can be used to blow up memory)"
    )]
    Entities,
    #[error("this is not an RSS or Atom feed")]
    NotAFeed,
    #[error("the feed is not valid: {0}")]
    Invalid(String),
}

/// Parses a feed document into headlines, in document order.
pub fn parse(bytes: &[u8]) -> Result<Vec<Headline>, FeedError> {
    if bytes.len() > MAX_FEED_BYTES {
        return Err(FeedError::TooLarge);
    }
    let text = to_utf8(bytes);
    let start = text.trim_start_matches(['\u{feff}', ' ', '\t', '\r', '\n']);
    if start.is_empty() {
        return Err(FeedError::Empty);
    }
    let head: String = start.chars().take(4096).collect::<String>().to_ascii_lowercase();
    if head.contains("<!entity") {
        return Err(FeedError::Entities);
    }
    let root = root_element(&head);
    match root.as_deref() {
        Some("html") => Err(FeedError::WebPage),
        Some("feed") => parse_atom(start),
        // A lone Atom entry document: read it as a feed of one.
        Some("entry") => {
            let body = match start.find("?>").filter(|_| start.starts_with("<?xml")) {
                Some(end) => &start[end + 2..],
                None => start,
            };
            parse_atom(&format!("<feed xmlns=\"http://www.w3.org/2005/Atom\">{body}</feed>"))
        }
        Some("rss") | Some("rdf:rdf") | Some("rdf") => parse_rss(start),
        _ if head.contains("<!doctype html") => Err(FeedError::WebPage),
        _ => Err(FeedError::NotAFeed),
    }
}

/// The document as UTF-8: a declared ISO-8859-1 or Windows-1252 encoding is honoured (and the
/// declaration changed to say UTF-8, as the text now is).
fn to_utf8(bytes: &[u8]) -> String {
    let text = decode_text(bytes);
    let Some(end) = text.find("?>").filter(|_| text.trim_start_matches('\u{feff}').starts_with("<?xml"))
    else {
        return text;
    };
    let decl = &text[..end];
    let lower = decl.to_ascii_lowercase();
    if ["iso-8859-1", "latin1", "windows-1252", "us-ascii", "iso-8859-15"].iter().any(|e| lower.contains(e)) {
        let fixed = decl
            .split_whitespace()
            .filter(|part| !part.to_ascii_lowercase().starts_with("encoding"))
            .collect::<Vec<_>>()
            .join(" ");
        return format!("{fixed}{}", &text[end..]);
    }
    text
}

/// The name of the first element of the document (lower case), skipping the declaration,
/// comments, processing instructions and the doctype.
fn root_element(head: &str) -> Option<String> {
    let mut rest = head;
    loop {
        let i = rest.find('<')?;
        rest = &rest[i + 1..];
        if rest.starts_with('?') || rest.starts_with('!') {
            continue;
        }
        let name: String =
            rest.chars().take_while(|c| !c.is_whitespace() && *c != '>' && *c != '/').collect();
        return Some(name);
    }
}

fn parse_rss(text: &str) -> Result<Vec<Headline>, FeedError> {
    let channel = rss::Channel::read_from(Cursor::new(text.as_bytes()))
        .map_err(|e| FeedError::Invalid(e.to_string()))?;
    Ok(channel
        .items()
        .iter()
        .take(MAX_ITEMS)
        .filter_map(|item| {
            let title = clean_title(item.title()?);
            (!title.is_empty()).then(|| Headline { title, published: item.pub_date().and_then(parse_date) })
        })
        .collect())
}

fn parse_atom(text: &str) -> Result<Vec<Headline>, FeedError> {
    let feed = atom_syndication::Feed::read_from(Cursor::new(text.as_bytes()))
        .map_err(|e| FeedError::Invalid(e.to_string()))?;
    Ok(feed
        .entries()
        .iter()
        .take(MAX_ITEMS)
        .filter_map(|e| {
            let title = clean_title(e.title().as_str());
            (!title.is_empty())
                .then(|| Headline { title, published: Some(*e.published().unwrap_or(e.updated())) })
        })
        .collect())
}

/// RFC 2822 (RSS) or RFC 3339 dates.
fn parse_date(text: &str) -> Option<DateTime<FixedOffset>> {
    let t = text.trim();
    DateTime::parse_from_rfc2822(t).or_else(|_| DateTime::parse_from_rfc3339(t)).ok()
}

/// A title as it should scroll by: HTML tags stripped, entities decoded, white space collapsed,
/// control characters removed, cut at [`MAX_TITLE_CHARS`] with an ellipsis.
pub fn clean_title(raw: &str) -> String {
    // Tags first (a title may hold escaped HTML, which the XML reader has already unescaped once).
    let mut no_tags = String::with_capacity(raw.len());
    let mut in_tag = false;
    for c in raw.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            c if !in_tag => no_tags.push(c),
            _ => {}
        }
    }
    let decoded = decode_entities(&decode_entities(&no_tags));
    let words: Vec<&str> =
        decoded.split(|c: char| c.is_whitespace() || c.is_control()).filter(|w| !w.is_empty()).collect();
    let joined: String = words.join(" ").chars().filter(|c| !c.is_control()).collect();
    if joined.chars().count() <= MAX_TITLE_CHARS {
        return joined;
    }
    let mut cut: String = joined.chars().take(MAX_TITLE_CHARS - 1).collect();
    cut = cut.trim_end().to_string();
    cut.push('…');
    cut
}

/// Decodes HTML character references: numeric ones and the common named ones.
fn decode_entities(text: &str) -> String {
    const NAMED: &[(&str, &str)] = &[
        ("amp", "&"),
        ("lt", "<"),
        ("gt", ">"),
        ("quot", "\""),
        ("apos", "'"),
        ("nbsp", " "),
        ("hellip", "…"),
        ("mdash", "—"),
        ("ndash", "–"),
        ("lsquo", "‘"),
        ("rsquo", "’"),
        ("ldquo", "“"),
        ("rdquo", "”"),
        ("eacute", "é"),
        ("euro", "€"),
        ("pound", "£"),
        ("copy", "©"),
    ];
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
        let decoded = if let Some(num) = name.strip_prefix('#') {
            let code = match num.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok(),
                None => num.parse().ok(),
            };
            code.and_then(char::from_u32).map(String::from)
        } else {
            NAMED.iter().find(|(n, _)| *n == name).map(|(_, v)| v.to_string())
        };
        match decoded {
            Some(d) => {
                out.push_str(&d);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The headlines to scroll: newest first (undated ones keep their order after dated ones),
/// duplicates dropped, those older than `max_age` dropped, at most `max_items`.
pub fn select(
    mut list: Vec<Headline>,
    max_items: usize,
    max_age: Option<Duration>,
    now: DateTime<Utc>,
) -> Vec<Headline> {
    if let Some(age) = max_age.and_then(|a| chrono::Duration::from_std(a).ok()) {
        list.retain(|h| h.published.is_none_or(|p| now.signed_duration_since(p) <= age));
    }
    list.sort_by(|a, b| b.published.cmp(&a.published));
    let mut seen = HashSet::new();
    list.retain(|h| seen.insert(h.title.to_lowercase()));
    list.truncate(max_items);
    list
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_come_out_clean() {
        assert_eq!(clean_title("  <b>Year 3</b> visit the\n\t<i>museum</i>  "), "Year 3 visit the museum");
        assert_eq!(
            clean_title("Fish &amp;amp; chips &#8217;n&#x2019; more &hellip;"),
            "Fish & chips ’n’ more …"
        );
        assert_eq!(clean_title("Bell\u{7} rings"), "Bell rings");
        assert_eq!(clean_title("A & B &unknown; C"), "A & B &unknown; C");
        let long = clean_title(&"word ".repeat(60));
        assert_eq!(long.chars().count(), MAX_TITLE_CHARS);
        assert!(long.ends_with('…'));
    }

    #[test]
    fn hostile_and_broken_documents_are_errors() {
        assert_eq!(parse(b""), Err(FeedError::Empty));
        assert_eq!(parse(b"   \n"), Err(FeedError::Empty));
        assert_eq!(parse(b"<!DOCTYPE html><html><body>Please log in</body></html>"), Err(FeedError::WebPage));
        let bomb = b"<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;&lol;\">]><rss><channel><title>&lol2;</title></channel></rss>";
        assert_eq!(parse(bomb), Err(FeedError::Entities));
        assert_eq!(parse(b"<notes><note/></notes>"), Err(FeedError::NotAFeed));
        assert!(matches!(
            parse(b"<rss><channel><item><title>x</title></item>"),
            Err(FeedError::Invalid(_)) | Ok(_)
        ));
        assert_eq!(parse(&vec![b' '; MAX_FEED_BYTES + 1]), Err(FeedError::TooLarge));
    }

    #[test]
    fn many_items_are_bounded() {
        let mut doc = String::from(
            "<rss version=\"2.0\"><channel><title>t</title><link>l</link><description>d</description>",
        );
        for i in 0..5000 {
            doc.push_str(&format!("<item><title>News {i}</title></item>"));
        }
        doc.push_str("</channel></rss>");
        assert_eq!(parse(doc.as_bytes()).unwrap().len(), MAX_ITEMS);
    }

    #[test]
    fn select_orders_dedupes_and_ages() {
        let h = |t: &str, d: Option<&str>| Headline {
            title: t.into(),
            published: d.map(|d| DateTime::parse_from_rfc3339(d).unwrap()),
        };
        let now = DateTime::parse_from_rfc3339("2027-01-20T12:00:00Z").unwrap().with_timezone(&Utc);
        let list = vec![
            h("Old", Some("2026-12-01T00:00:00Z")),
            h("New", Some("2027-01-19T00:00:00Z")),
            h("new", Some("2027-01-18T00:00:00Z")),
            h("Mid", Some("2027-01-10T00:00:00Z")),
            h("Undated", None),
        ];
        let got: Vec<String> = select(list, 10, Some(Duration::from_secs(14 * 86_400)), now)
            .into_iter()
            .map(|h| h.title)
            .collect();
        assert_eq!(got, ["New", "Mid", "Undated"]);
    }
}
