//! Class-blog feeds turned into clean headlines. One lenient reader (on `quick-xml`'s event
//! stream) takes the item and entry titles and dates of RSS 0.9x/1.0/2.0, Atom 0.3/1.0 and CDF,
//! told apart from the document itself, and reads them as browsers and Python's feedparser do:
//! unknown attributes and elements are skipped, an RSS item whose title is only in `dc:title`
//! shows that, comments and doctypes are read as XML (not guessed at), stray `&`s and end tags
//! that match nothing are stepped over, and a document that declares no encoding and is not
//! UTF-8 has its encoding guessed (`chardetng`). Titles come out clean: entities decoded, HTML
//! tags stripped, white space collapsed, control characters removed, long titles cut with an
//! ellipsis; then newest first, duplicates dropped, `max_age` honoured.
//!
//! Strict where safety needs it: a document that declares its own entities is refused (no
//! entity is ever expanded), and size and item caps bound the time and memory one feed takes.
//! A broken feed is an error for that feed alone. Fetching over the network comes on top.

use std::borrow::Cow;
use std::collections::HashSet;
use std::time::Duration;

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, Utc};
use encoding_rs::{Encoding, UTF_8, UTF_16BE, UTF_16LE};
use quick_xml::events::{BytesRef, BytesStart, Event};

/// The largest feed document read, in bytes.
pub const MAX_FEED_BYTES: usize = 5 * 1024 * 1024;
/// Titles longer than this end in "…".
pub const MAX_TITLE_CHARS: usize = 140;
/// At most this many items are taken from one feed (reading stops after them).
pub const MAX_ITEMS: usize = 500;

/// How much of a document the encoding guess looks at.
const GUESS_BYTES: usize = 256 * 1024;

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
    Reading::new(start).run()
}

/// The document as text: a byte-order mark wins, then UTF-8 when the bytes are UTF-8 (whatever
/// the declaration says: feeds mislabelled by their blog engine are common), then the encoding
/// the XML declaration names, then a guess from the bytes themselves.
fn to_utf8(bytes: &[u8]) -> Cow<'_, str> {
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

/// Which feed field an element of an item holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Field {
    Title,
    DcTitle,
    /// Media RSS's title, anywhere in the item: the last resort.
    MediaTitle,
    Published,
    Updated,
}

/// How a field's text is written (Atom's `type` and Atom 0.3's `mode`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    /// Text or escaped HTML: both come out of the XML reader as HTML for [`clean_title`].
    Html,
    /// Inline XHTML: elements are markup, `&lt;` in its text is a real "<".
    Xhtml,
    /// Base64 (Atom 0.3's `mode="base64"`, or Atom 1.0's non-text media type).
    Base64,
}

/// The namespaces whose elements are read, by the prefixes a document binds to them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Namespace {
    Feed,
    DublinCore,
    Media,
}

/// An item (or entry) being read.
#[derive(Default)]
struct Entry {
    /// How deep its element is (the root is 1).
    depth: usize,
    title: Option<String>,
    dc_title: Option<String>,
    media_title: Option<String>,
    published: Option<String>,
    updated: Option<String>,
}

/// The text of one field being read.
struct Capture {
    field: Field,
    depth: usize,
    mode: Mode,
    text: String,
}

/// Namespaces the root element binds to a prefix that matter here.
const FEED_NAMESPACES: &[&[u8]] = &[
    b"http://www.w3.org/2005/Atom",
    b"http://purl.org/atom/ns#",
    b"http://purl.org/rss/1.0/",
    b"http://my.netscape.com/rdf/simple/0.9/",
    b"http://backend.userland.com/rss2",
    b"http://backend.userland.com/rss",
];
const DC_NAMESPACE: &[u8] = b"http://purl.org/dc/elements/1.1/";
const MEDIA_NAMESPACES: &[&[u8]] = &[b"http://search.yahoo.com/mrss/", b"http://search.yahoo.com/mrss"];

/// One pass over a document's XML events, keeping only what the ticker shows.
struct Reading<'a> {
    xml: quick_xml::Reader<&'a [u8]>,
    /// The names of the open elements, one after another; `open` holds where each starts.
    names: Vec<u8>,
    open: Vec<usize>,
    rooted: bool,
    html_doctype: bool,
    /// Prefixes bound on the root (the last binding of a prefix wins), after the usual ones.
    prefixes: Vec<(Vec<u8>, Namespace)>,
    entry: Option<Entry>,
    capture: Option<Capture>,
    headlines: Vec<Headline>,
    entries: usize,
    last_error_at: Option<u64>,
}

impl<'a> Reading<'a> {
    fn new(text: &'a str) -> Self {
        let mut xml = quick_xml::Reader::from_str(text);
        let config = xml.config_mut();
        // Leniency where feedparser's loose reader is lenient: end tags are matched by us.
        config.check_end_names = false;
        config.allow_unmatched_ends = true;
        config.allow_dangling_amp = true;
        Self {
            xml,
            names: Vec::new(),
            open: Vec::new(),
            rooted: false,
            html_doctype: false,
            prefixes: vec![(b"dc".to_vec(), Namespace::DublinCore), (b"media".to_vec(), Namespace::Media)],
            entry: None,
            capture: None,
            headlines: Vec::new(),
            entries: 0,
            last_error_at: None,
        }
    }

    fn run(mut self) -> Result<Vec<Headline>, FeedError> {
        loop {
            let event = match self.xml.read_event() {
                Ok(event) => event,
                Err(e) if self.can_step_over(&e) => continue,
                Err(e) => return self.finish(Some(e.to_string())),
            };
            match event {
                Event::Start(e) => self.start(&e, false)?,
                Event::Empty(e) => self.start(&e, true)?,
                Event::End(e) => self.end(e.name().as_ref()),
                Event::Text(t) => self.text(&t),
                Event::CData(t) => self.text(&t),
                Event::GeneralRef(r) => self.reference(&r),
                Event::DocType(d) => self.doctype(&d)?,
                Event::Eof => return self.finish(None),
                Event::Comment(_) | Event::Decl(_) | Event::PI(_) => {}
            }
            if self.entries >= MAX_ITEMS {
                return Ok(self.headlines);
            }
        }
    }

    /// An ill-formed spot the reader has already passed (a bad reference, a stray end tag) is
    /// stepped over; an error that does not move the reader on, or a syntax error (something
    /// left open at the end), ends the reading.
    fn can_step_over(&mut self, error: &quick_xml::Error) -> bool {
        let at = self.xml.buffer_position();
        let moved = self.last_error_at != Some(at);
        self.last_error_at = Some(at);
        moved && !matches!(error, quick_xml::Error::Syntax(_))
    }

    /// The end of the document (or of what could be read of it).
    fn finish(mut self, error: Option<String>) -> Result<Vec<Headline>, FeedError> {
        if !self.rooted {
            return Err(match error {
                Some(e) if !self.html_doctype => FeedError::Invalid(e),
                _ if self.html_doctype => FeedError::WebPage,
                _ => FeedError::NotAFeed,
            });
        }
        let cut_short = error.is_some() || !self.open.is_empty();
        // A feed cut short still shows the items it holds whole; with none, it is an error.
        if cut_short && self.entries == 0 {
            let why = error.unwrap_or_else(|| "it ends before its elements are closed".into());
            return Err(FeedError::Invalid(why));
        }
        self.capture = None;
        self.entry = None;
        Ok(self.headlines)
    }

    fn start(&mut self, e: &BytesStart<'a>, empty: bool) -> Result<(), FeedError> {
        self.names.extend_from_slice(e.name().as_ref());
        self.open.push(self.names.len() - e.name().as_ref().len());
        let depth = self.open.len();
        if !self.rooted {
            self.root(e)?;
        } else if let Some(capture) = self.capture.as_mut() {
            // Inline XHTML keeps its markup, for `clean_title` to drop with a script's content.
            if capture.mode == Mode::Xhtml {
                capture.text.push('<');
                capture.text.push_str(&String::from_utf8_lossy(e.name().as_ref()));
                capture.text.push_str(if empty { "/>" } else { ">" });
            }
        } else {
            match &self.entry {
                None if is_entry(e.local_name().as_ref()) => {
                    self.entry = Some(Entry { depth, ..Entry::default() })
                }
                Some(entry) => {
                    let child = depth == entry.depth + 1;
                    self.capture = self
                        .field(e)
                        .filter(|f| child || *f == Field::MediaTitle)
                        .map(|field| Capture { field, depth, mode: text_mode(e), text: String::new() })
                }
                _ => {}
            }
        }
        if empty {
            self.close_to(depth - 1);
        }
        Ok(())
    }

    /// The root element says what the document is.
    fn root(&mut self, e: &BytesStart<'a>) -> Result<(), FeedError> {
        self.rooted = true;
        let local = e.local_name();
        let is = |name: &str| local.as_ref().eq_ignore_ascii_case(name.as_bytes());
        if is("html") {
            return Err(FeedError::WebPage);
        }
        if is("entry") {
            // A lone Atom entry document: a feed of one.
            self.entry = Some(Entry { depth: 1, ..Entry::default() });
        } else if !(is("rss") || is("rdf") || is("feed") || is("channel")) {
            return Err(if self.html_doctype { FeedError::WebPage } else { FeedError::NotAFeed });
        }
        for attr in e.attributes().with_checks(false).flatten() {
            let Some(prefix) = attr.key.as_ref().strip_prefix(b"xmlns:") else { continue };
            let uri = attr.value.as_ref().trim_ascii();
            let namespace = if uri == DC_NAMESPACE {
                Namespace::DublinCore
            } else if MEDIA_NAMESPACES.contains(&uri) {
                Namespace::Media
            } else if FEED_NAMESPACES.contains(&uri) {
                Namespace::Feed
            } else {
                continue;
            };
            self.prefixes.push((prefix.to_vec(), namespace));
        }
        Ok(())
    }

    /// The field a child element of an item holds, if it is one the ticker uses.
    fn field(&self, e: &BytesStart<'a>) -> Option<Field> {
        let namespace = match e.name().prefix() {
            None => Namespace::Feed,
            Some(p) => self.prefixes.iter().rev().find(|(known, _)| known == p.as_ref())?.1,
        };
        let local = e.local_name();
        let is = |name: &str| local.as_ref().eq_ignore_ascii_case(name.as_bytes());
        Some(match namespace {
            Namespace::Feed if is("title") => Field::Title,
            Namespace::DublinCore if is("title") => Field::DcTitle,
            Namespace::Media if is("title") => Field::MediaTitle,
            Namespace::Feed if is("pubDate") || is("published") || is("issued") || is("created") => {
                Field::Published
            }
            Namespace::DublinCore if is("date") || is("created") || is("issued") => Field::Published,
            Namespace::Feed | Namespace::DublinCore if is("updated") || is("modified") => Field::Updated,
            _ => return None,
        })
    }

    /// An end tag closes the innermost open element of its name, and any left open inside it;
    /// one that matches no open element is ignored.
    fn end(&mut self, name: &[u8]) {
        let found = (0..self.open.len()).rev().find(|&i| {
            let end = self.open.get(i + 1).copied().unwrap_or(self.names.len());
            &self.names[self.open[i]..end] == name
        });
        let Some(i) = found else { return };
        if let Some(capture) = self.capture.as_mut().filter(|c| c.mode == Mode::Xhtml && i >= c.depth) {
            capture.text.push_str("</");
            capture.text.push_str(&String::from_utf8_lossy(name));
            capture.text.push('>');
        }
        self.close_to(i);
    }

    /// Closes every element deeper than `depth`, finishing the field and item they held.
    fn close_to(&mut self, depth: usize) {
        if let Some(&start) = self.open.get(depth) {
            self.names.truncate(start);
            self.open.truncate(depth);
        }
        if let Some(capture) = self.capture.take_if(|c| c.depth > depth)
            && let Some(entry) = self.entry.as_mut()
        {
            let slot = match capture.field {
                Field::Title => &mut entry.title,
                Field::DcTitle => &mut entry.dc_title,
                Field::MediaTitle => &mut entry.media_title,
                Field::Published => &mut entry.published,
                Field::Updated => &mut entry.updated,
            };
            let text = match capture.mode {
                Mode::Base64 => base64(&capture.text).map(|b| String::from_utf8_lossy(&b).into_owned()),
                Mode::Html | Mode::Xhtml => None,
            };
            slot.get_or_insert(text.unwrap_or(capture.text));
        }
        if let Some(entry) = self.entry.take_if(|e| e.depth > depth) {
            self.entries += 1;
            if let Some(headline) = headline(entry) {
                self.headlines.push(headline);
            }
        }
    }

    fn text(&mut self, raw: &[u8]) {
        if let Some(capture) = self.capture.as_mut() {
            capture.text.push_str(&String::from_utf8_lossy(raw));
        }
    }

    /// `&...;` in text: character references and XML's own five are decoded; any other name
    /// (HTML's `&nbsp;`, a name from an external DTD) stays as written, for [`clean_title`] to
    /// decode if it knows it. Nothing is ever looked up in a declaration.
    fn reference(&mut self, r: &BytesRef<'a>) {
        let Some(capture) = self.capture.as_mut() else { return };
        if let Ok(Some(c)) = r.resolve_char_ref() {
            capture.text.push(c);
            return;
        }
        let name = String::from_utf8_lossy(r);
        match name.as_ref() {
            // In XHTML these are text, and stay escaped so that they are not taken for markup.
            "amp" | "lt" | "gt" if capture.mode == Mode::Xhtml => {
                capture.text.push('&');
                capture.text.push_str(&name);
                capture.text.push(';');
            }
            "amp" => capture.text.push('&'),
            "lt" => capture.text.push('<'),
            "gt" => capture.text.push('>'),
            "quot" => capture.text.push('"'),
            "apos" => capture.text.push('\''),
            other => {
                capture.text.push('&');
                capture.text.push_str(other);
                capture.text.push(';');
            }
        }
    }

    fn doctype(&mut self, raw: &[u8]) -> Result<(), FeedError> {
        let text = String::from_utf8_lossy(raw).to_ascii_lowercase();
        if text.contains("<!entity") {
            return Err(FeedError::Entities);
        }
        self.html_doctype = text.trim_start().starts_with("html");
        Ok(())
    }
}

/// RSS items, Atom entries (and CDF's ITEM).
fn is_entry(local: &[u8]) -> bool {
    local.eq_ignore_ascii_case(b"item") || local.eq_ignore_ascii_case(b"entry")
}

/// How a title's text is written, from its attributes; unknown ones are ignored.
fn text_mode(e: &BytesStart<'_>) -> Mode {
    let mut mode = Mode::Html;
    for attr in e.attributes().with_checks(false).flatten() {
        let value = attr.value.as_ref().trim_ascii().to_ascii_lowercase();
        let binary = value.contains(&b'/') && !value.starts_with(b"text/") && !value.ends_with(b"xml");
        match attr.key.local_name().as_ref() {
            b"mode" if value == b"base64" => return Mode::Base64,
            b"type" if binary => return Mode::Base64,
            b"type" if value == b"xhtml" || value == b"application/xhtml+xml" => mode = Mode::Xhtml,
            _ => {}
        }
    }
    mode
}

/// Decodes base64 (white space ignored); `None` when it is not base64.
fn base64(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for b in text.bytes().filter(|b| !b.is_ascii_whitespace()) {
        let value = match b {
            b'A'..=b'Z' => b - b'A',
            b'a'..=b'z' => b - b'a' + 26,
            b'0'..=b'9' => b - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            b'=' => break,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(value);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

/// An item's headline: its title (or its `dc:title`, or its Media RSS title, when it has no
/// other), if not empty.
fn headline(entry: Entry) -> Option<Headline> {
    let filled = |t: &Option<String>| t.as_ref().is_some_and(|t| !t.trim().is_empty());
    let raw = [entry.title, entry.dc_title, entry.media_title].into_iter().find(filled)??;
    let title = clean_title(&raw);
    let published = entry
        .published
        .as_deref()
        .and_then(parse_date)
        .or_else(|| entry.updated.as_deref().and_then(parse_date));
    (!title.is_empty()).then_some(Headline { title, published })
}

/// RFC 2822 (RSS; a wrong day of the week is ignored, as feedparser ignores it) or RFC 3339
/// dates, and the shortened W3C forms (no seconds, no zone, a date alone; taken as UTC) that
/// feeds also use.
fn parse_date(text: &str) -> Option<DateTime<FixedOffset>> {
    let t = text.trim();
    if let Ok(d) = DateTime::parse_from_rfc2822(t) {
        return Some(d);
    }
    if let Some((day, rest)) = t.split_once(',')
        && day.len() <= 9
    {
        return DateTime::parse_from_rfc2822(rest.trim()).ok();
    }
    if let Ok(d) = DateTime::parse_from_rfc3339(t) {
        return Some(d);
    }
    if !t.get(..5).is_some_and(|y| y[..4].bytes().all(|b| b.is_ascii_digit()) && y.ends_with('-')) {
        return None;
    }
    let utc = FixedOffset::east_opt(0)?;
    let zoned = match t.strip_suffix(['Z', 'z']) {
        Some(rest) => format!("{rest}+00:00"),
        None => t.to_string(),
    };
    for format in ["%Y-%m-%dT%H:%M%:z", "%Y-%m-%dT%H:%M:%S%.f%:z", "%Y-%m-%d %H:%M:%S%:z"] {
        if let Ok(d) = DateTime::parse_from_str(&zoned, format) {
            return Some(d);
        }
    }
    for format in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S"] {
        if let Ok(d) = NaiveDateTime::parse_from_str(t, format) {
            return Some(d.and_utc().with_timezone(&utc));
        }
    }
    let day = NaiveDate::parse_from_str(t, "%Y-%m-%d").ok()?;
    Some(day.and_hms_opt(0, 0, 0)?.and_utc().with_timezone(&utc))
}

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

    fn titles(doc: &[u8]) -> Vec<String> {
        parse(doc).unwrap_or_else(|e| panic!("{e}")).into_iter().map(|h| h.title).collect()
    }

    #[test]
    fn titles_come_out_clean() {
        assert_eq!(clean_title("  <b>Year 3</b> visit the\n\t<i>museum</i>  "), "Year 3 visit the museum");
        assert_eq!(
            clean_title("Fish &amp;amp; chips &#8217;n&#x2019; more &hellip;"),
            "Fish & chips ’n’ more …"
        );
        assert_eq!(clean_title("Bell\u{7} rings"), "Bell rings");
        assert_eq!(clean_title("A & B &unknown; C"), "A & B &unknown; C");
        assert_eq!(clean_title("Caf&eacute; &Uuml;ber &yuml; 3 &lt; 4 &raquo;"), "Café Über ÿ 3 < 4 »");
        assert_eq!(clean_title("1 < 2 and 3 > 2"), "1 < 2 and 3 > 2");
        let long = clean_title(&"word ".repeat(60));
        assert_eq!(long.chars().count(), MAX_TITLE_CHARS);
        assert!(long.ends_with('…'));
    }

    #[test]
    fn hostile_and_broken_documents_are_errors() {
        assert_eq!(parse(b""), Err(FeedError::Empty));
        assert_eq!(parse(b"   \n"), Err(FeedError::Empty));
        assert_eq!(parse(b"<!DOCTYPE html><html><body>Please log in</body></html>"), Err(FeedError::WebPage));
        assert_eq!(parse(b"<!DOCTYPE html><body><p>Please log in<br></body>"), Err(FeedError::WebPage));
        let bomb = b"<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;&lol;\">]><rss><channel><title>&lol2;</title></channel></rss>";
        assert_eq!(parse(bomb), Err(FeedError::Entities));
        let external = b"<?xml version=\"1.0\"?><!DOCTYPE rss [<!ENTITY % ext SYSTEM \"http://evil.example/x.dtd\"> %ext;]><rss><channel><item><title>x</title></item></channel></rss>";
        assert_eq!(parse(external), Err(FeedError::Entities));
        assert_eq!(parse(b"<notes><note/></notes>"), Err(FeedError::NotAFeed));
        assert_eq!(parse(b"{\"version\": \"https://jsonfeed.org/version/1\"}"), Err(FeedError::NotAFeed));
        assert!(matches!(
            parse(b"<rss version=\"2.0\"><channel><item><title>Half"),
            Err(FeedError::Invalid(_))
        ));
        assert!(matches!(parse(b"<rss><channel><item><title>x</title><!-- cut"), Err(FeedError::Invalid(_))));
        assert_eq!(parse(&vec![b' '; MAX_FEED_BYTES + 1]), Err(FeedError::TooLarge));
    }

    #[test]
    fn a_feed_cut_short_keeps_its_whole_items() {
        let doc = b"<rss version=\"2.0\"><channel><item><title>One</title></item><item><title>Tw";
        assert_eq!(titles(doc), ["One"]);
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
        let list = titles(doc.as_bytes());
        assert_eq!(list.len(), MAX_ITEMS);
        assert_eq!(list[MAX_ITEMS - 1], format!("News {}", MAX_ITEMS - 1));
    }

    #[test]
    fn atom_titles_with_any_type_attribute_are_read() {
        // As written by old blog engines: a MIME type, an empty type, an unknown attribute.
        let doc = br#"<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title type="text/html">Year 6 blog</title>
  <updated>2027-01-10T09:00:00Z</updated>
  <entry>
    <title type="text/html" mode="escaped">Our &lt;b&gt;science&lt;/b&gt; fair</title>
    <id>tag:example.org,2027:1</id>
    <updated>2027-01-10T09:00:00Z</updated>
  </entry>
  <entry>
    <title type="">Sports day</title>
    <published>2027-01-09T09:00:00+01:00</published>
    <updated>2027-01-11T09:00:00Z</updated>
  </entry>
  <entry>
    <title type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">Poems <em>by</em> 6B</div></title>
    <updated>2027-01-08</updated>
  </entry>
</feed>"#;
        let list = parse(doc).unwrap();
        let got: Vec<&str> = list.iter().map(|h| h.title.as_str()).collect();
        assert_eq!(got, ["Our science fair", "Sports day", "Poems by 6B"]);
        assert_eq!(list[0].published, DateTime::parse_from_rfc3339("2027-01-10T09:00:00Z").ok());
        assert_eq!(list[1].published, DateTime::parse_from_rfc3339("2027-01-09T08:00:00Z").ok());
        assert_eq!(list[2].published, DateTime::parse_from_rfc3339("2027-01-08T00:00:00Z").ok());
    }

    #[test]
    fn atom_0_3_feeds_are_read() {
        let doc = br#"<?xml version="1.0" encoding="utf-8"?>
<feed version="0.3" xmlns="http://purl.org/atom/ns#" xml:lang="en">
  <title mode="escaped">Mr Jones&#39;s class</title>
  <modified>2006-03-01T10:00:00Z</modified>
  <entry>
    <title mode="escaped" type="text/html">Trip to the &lt;i&gt;zoo&lt;/i&gt;</title>
    <issued>2006-02-28T09:00:00Z</issued>
    <modified>2006-03-01T10:00:00Z</modified>
    <content type="text/html" mode="escaped">&lt;p&gt;We saw lions.&lt;/p&gt;</content>
  </entry>
  <entry>
    <title>Spelling test</title>
    <modified>2006-02-20T09:00:00Z</modified>
  </entry>
</feed>"#;
        let list = parse(doc).unwrap();
        assert_eq!(list.len(), 2);
        assert_eq!(list[0].title, "Trip to the zoo");
        assert_eq!(list[0].published, DateTime::parse_from_rfc3339("2006-02-28T09:00:00Z").ok());
        assert_eq!(list[1].title, "Spelling test");
        assert_eq!(list[1].published, DateTime::parse_from_rfc3339("2006-02-20T09:00:00Z").ok());
    }

    #[test]
    fn comments_and_doctypes_before_the_root_are_read_as_xml() {
        let doc = br#"<?xml version="1.0"?>
<!-- Generated by <blog-engine> 2.1 -- see <http://example.org/> -->
<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" "http://my.netscape.com/publish/formats/rss-0.91.dtd">
<?xml-stylesheet type="text/xsl" href="rss.xsl"?>
<rss version="0.91"><channel><title>Library</title>
<item><title>New books&nbsp;in the library</title></item>
</channel></rss>"#;
        assert_eq!(titles(doc), ["New books in the library"]);
    }

    #[test]
    fn rss_titles_only_in_dublin_core_are_shown() {
        let doc = br#"<?xml version="1.0" encoding="UTF-8"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
  <channel rdf:about="http://example.org/"><title>Blog</title></channel>
  <item rdf:about="http://example.org/1"><dc:title>Choir concert</dc:title><dc:date>2027-01-05T18:00:00Z</dc:date></item>
  <item rdf:about="http://example.org/2"><title>Own title</title><dc:title>Not this one</dc:title></item>
</rdf:RDF>"#;
        let list = parse(doc).unwrap();
        assert_eq!(list[0].title, "Choir concert");
        assert_eq!(list[0].published, DateTime::parse_from_rfc3339("2027-01-05T18:00:00Z").ok());
        assert_eq!(list[1].title, "Own title");
        let rss2 = br#"<rss version="2.0" xmlns:d="http://purl.org/dc/elements/1.1/"><channel>
<item><d:title>Bake sale</d:title></item><item><x:title xmlns:x="http://example.org/x">Not a title</x:title></item>
</channel></rss>"#;
        assert_eq!(titles(rss2), ["Bake sale"]);
    }

    #[test]
    fn undeclared_encodings_are_guessed() {
        let cases: [(&'static Encoding, &str); 4] = [
            (encoding_rs::SHIFT_JIS, "運動会のお知らせ：雨天の場合は体育館で行います"),
            (encoding_rs::EUC_KR, "운동회 안내: 비가 오면 체육관에서 합니다"),
            (encoding_rs::WINDOWS_1251, "Школьная ярмарка в пятницу: приходите всей семьёй"),
            (encoding_rs::WINDOWS_1252, "Fête de l'école: les élèves préparent un spectacle"),
        ];
        for (encoding, title) in cases {
            let doc = format!(
                "<?xml version=\"1.0\"?>\n<rss version=\"2.0\"><channel><title>{title}</title><item><title>{title}</title><description>{title} {title}</description></item></channel></rss>"
            );
            let (bytes, _, unmappable) = encoding.encode(&doc);
            assert!(!unmappable && std::str::from_utf8(&bytes).is_err(), "{}", encoding.name());
            assert_eq!(titles(&bytes), [title], "{}", encoding.name());
        }
        // A declared encoding is honoured; a byte-order mark wins over everything.
        let (bytes, _, _) = encoding_rs::KOI8_R.encode("<?xml version=\"1.0\" encoding=\"koi8-r\"?><rss><channel><item><title>Ярмарка</title></item></channel></rss>");
        assert_eq!(titles(&bytes), ["Ярмарка"]);
        let mut utf16 = vec![0xFF, 0xFE];
        for unit in "<rss><channel><item><title>Ünïcødé</title></item></channel></rss>".encode_utf16() {
            utf16.extend_from_slice(&unit.to_le_bytes());
        }
        assert_eq!(titles(&utf16), ["Ünïcødé"]);
        let utf32: Vec<u8> = "<rss><channel><item><title>Ünïcødé 🎉</title></item></channel></rss>"
            .chars()
            .flat_map(|c| (c as u32).to_be_bytes())
            .collect();
        assert_eq!(titles(&utf32), ["Ünïcødé 🎉"]);
    }

    #[test]
    fn lenient_where_feedparser_is_lenient() {
        // A stray `&`, an end tag that matches nothing, an unclosed inline tag, upper-case CDF.
        let doc = b"<rss version=\"2.0\"><channel><item><title>Fish & chips</title></p></item>\
<item><title><![CDATA[Maths <b>week</b>]]></title><description>a <br> b</description></item></channel></rss>";
        assert_eq!(titles(doc), ["Fish & chips", "Maths week"]);
        let cdf = b"<CHANNEL HREF=\"http://example.org/\"><TITLE>Site</TITLE><ITEM HREF=\"/1\"><TITLE>Open evening</TITLE></ITEM></CHANNEL>";
        assert_eq!(titles(cdf), ["Open evening"]);
        let entry = b"<?xml version=\"1.0\"?><entry xmlns=\"http://www.w3.org/2005/Atom\"><title>Lone entry</title></entry>";
        assert_eq!(titles(entry), ["Lone entry"]);
    }

    #[test]
    fn titles_in_base64_xhtml_and_media_rss_are_read() {
        let doc = br#"<feed xmlns="http://www.w3.org/2005/Atom">
<entry><title type="application/octet-stream">
PHA+SGlzdG9yeSBvZiB0aGUgJmx0O2JsaW5rJmd0OyB0YWc8L3A+
</title></entry>
<entry><title type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">Is 1 &lt; 2? <b>Yes</b> &amp; no</div></title></entry>
<entry><title type="html">safe&lt;script type="text/javascript">location.href='x';&lt;/script> description</title></entry>
<entry><title type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">Also <script>alert(1)</script>safe</div></title></entry>
</feed>"#;
        assert_eq!(
            titles(doc),
            ["History of the <blink> tag", "Is 1 < 2? Yes & no", "safe description", "Also safe"]
        );
        let old = b"<feed version=\"0.3\" xmlns=\"http://purl.org/atom/ns#\"><entry><title mode=\"base64\">RXhhbXBsZSA8Yj5BdG9tPC9iPg==</title></entry></feed>";
        assert_eq!(titles(old), ["Example Atom"]);
        let media = br#"<rss version="2.0" xmlns:m="http://search.yahoo.com/mrss/"><channel>
<item><m:group><m:content url="a.mp4"><m:title type="plain">Assembly film</m:title></m:content></m:group></item>
<item><title>Own title</title><m:title>Not this one</m:title></item>
</channel></rss>"#;
        assert_eq!(titles(media), ["Assembly film", "Own title"]);
    }

    #[test]
    fn dates_in_the_forms_feeds_use() {
        let at = |s: &str| DateTime::parse_from_rfc3339(s).ok();
        assert_eq!(parse_date("Mon, 04 Jan 2027 09:00:00 GMT"), at("2027-01-04T09:00:00Z"));
        assert_eq!(parse_date("Fri, 04 Jan 2027 09:00:00 +0000"), at("2027-01-04T09:00:00Z"));
        assert_eq!(parse_date("04 Jan 2027 09:00:00 +0000"), at("2027-01-04T09:00:00Z"));
        assert_eq!(parse_date(" 2027-01-04T09:00:00+01:00 "), at("2027-01-04T08:00:00Z"));
        assert_eq!(parse_date("2027-01-04T09:00Z"), at("2027-01-04T09:00:00Z"));
        assert_eq!(parse_date("2027-01-04T09:00:00"), at("2027-01-04T09:00:00Z"));
        assert_eq!(parse_date("2027-01-04"), at("2027-01-04T00:00:00Z"));
        assert_eq!(parse_date("next Tuesday"), None);
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
