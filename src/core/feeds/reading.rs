//! One lenient pass over a feed's XML events (`quick-xml`), keeping only the item and entry
//! titles and dates: RSS 0.9x/1.0/2.0, Atom 0.3/1.0 and CDF, told apart from the document itself.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime};
use quick_xml::events::{BytesRef, BytesStart, Event};

use super::title::clean_title;
use super::{FeedError, Headline, MAX_ITEMS};

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
pub(super) struct Reading<'a> {
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
    pub(super) fn new(text: &'a str) -> Self {
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

    pub(super) fn run(mut self) -> Result<Vec<Headline>, FeedError> {
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
pub(super) fn parse_date(text: &str) -> Option<DateTime<FixedOffset>> {
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
