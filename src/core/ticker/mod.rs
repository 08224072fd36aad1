//! The ticker: `ticker.toml` at the top of the content folder names the class blogs' feeds
//! (`[[feed]]`), how the strip scrolls (`[ticker]`) and staff's own lines (`[[message]]`). This
//! module reads that file and works out the lines to scroll, in order, from each feed's last good
//! headlines and the time now. Fetching is in [`fetch`], the disk cache in [`cache`], and the
//! thread that keeps the feeds fresh in [`worker`].

pub mod cache;
pub mod fetch;
pub mod worker;

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};

use super::duration::parse_duration;
use super::feeds::{self, Headline, MAX_ITEMS};
use super::problems::Problem;
use super::tomlx::{Key, Reader, TomlFile, key};
use super::when::parse_date;
use toml_edit::Table;

/// The ticker's file, at the top of the content folder.
pub const TICKER_FILE: &str = "ticker.toml";
/// Scrolling speed when `ticker.toml` does not say, in pixels per second.
pub const DEFAULT_SPEED: f32 = 90.0;
/// How often feeds are fetched when `ticker.toml` does not say.
pub const DEFAULT_REFRESH: Duration = Duration::from_secs(10 * 60);
/// Feeds are never fetched more often than this.
pub const MIN_REFRESH: Duration = Duration::from_secs(60);
/// Headlines taken from one feed when `max_items` is not given.
pub const DEFAULT_MAX_ITEMS: usize = 15;
/// What goes between two lines when `separator` is not given.
pub const DEFAULT_SEPARATOR: &str = "•";

/// Where a feed comes from: a web address, or a file (a path, or a file:// URL).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FeedSource {
    Web(String),
    File(PathBuf),
}

impl FeedSource {
    /// Reads a feed's address as staff write it. A relative path is taken from `root` (the
    /// content folder).
    pub fn parse(text: &str, root: &Path) -> Result<Self, String> {
        let t = text.trim();
        if t.is_empty() {
            return Err("the feed's `url` is empty".into());
        }
        let lower = t.to_ascii_lowercase();
        if lower.starts_with("http://") || lower.starts_with("https://") {
            return Ok(Self::Web(t.to_string()));
        }
        if lower.starts_with("file://") {
            let rest = &t[7..];
            // file:///path and file://localhost/path
            let path = rest.strip_prefix("localhost").unwrap_or(rest);
            if !path.starts_with('/') {
                return Err(format!(
                    "\"{t}\" is not a file address; write it like file:///srv/blog/feed.xml"
                ));
            }
            return Ok(Self::File(PathBuf::from(percent_decode(path))));
        }
        if let Some((scheme, _)) = t.split_once("://") {
            return Err(format!(
                "\"{scheme}://\" addresses are not read; a feed is an http://, https:// or file:// address, or a path"
            ));
        }
        let p = PathBuf::from(t);
        Ok(Self::File(if p.is_relative() { root.join(p) } else { p }))
    }
}

impl fmt::Display for FeedSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Web(url) => f.write_str(url),
            Self::File(path) => write!(f, "{}", path.display()),
        }
    }
}

/// Decodes %XX escapes (a file:// URL of a path with spaces).
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(v) = text.get(i + 1..i + 3).and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// One `[[feed]]` of ticker.toml.
#[derive(Clone, Debug, PartialEq)]
pub struct FeedConfig {
    pub source: FeedSource,
    /// Shown before each headline ("Year 3 blog: ...").
    pub label: String,
    pub max_items: usize,
    /// Headlines older than this drop off.
    pub max_age: Option<Duration>,
}

/// One `[[message]]`: a line of staff's own, shown from `from` to `until` (whole days, both
/// included) or always.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StaffMessage {
    pub text: String,
    pub from: Option<NaiveDate>,
    pub until: Option<NaiveDate>,
}

impl StaffMessage {
    pub fn is_due(&self, today: NaiveDate) -> bool {
        self.from.is_none_or(|f| today >= f) && self.until.is_none_or(|u| today <= u)
    }
}

/// Everything ticker.toml says.
#[derive(Clone, Debug, PartialEq)]
pub struct TickerSettings {
    pub feeds: Vec<FeedConfig>,
    pub messages: Vec<StaffMessage>,
    /// Pixels per second.
    pub speed: f32,
    pub refresh: Duration,
    pub separator: String,
    pub show_labels: bool,
}

impl Default for TickerSettings {
    fn default() -> Self {
        Self {
            feeds: Vec::new(),
            messages: Vec::new(),
            speed: DEFAULT_SPEED,
            refresh: DEFAULT_REFRESH,
            separator: DEFAULT_SEPARATOR.into(),
            show_labels: true,
        }
    }
}

/// Reads ticker.toml from the content folder. A missing file is an empty ticker; a file that
/// cannot be read or is not valid TOML is `None` (the screen keeps the last good ticker).
pub fn load(root: &Path) -> (Option<TickerSettings>, Vec<Problem>) {
    let mut problems = Vec::new();
    let path = root.join(TICKER_FILE);
    let settings = match std::fs::read(&path) {
        Ok(bytes) => parse(&super::text::decode_text(&bytes), root, &mut problems),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Some(TickerSettings::default()),
        Err(e) => {
            problems.push(Problem::error(
                PathBuf::from(TICKER_FILE),
                format!("cannot read it ({e}); the last good ticker stays"),
            ));
            None
        }
    };
    (settings, problems)
}

/// Parses ticker.toml. A bad key is reported and left at its default; a feed or message that
/// cannot be used is skipped. `None` only when the file is not valid TOML at all.
pub fn parse(text: &str, root: &Path, problems: &mut Vec<Problem>) -> Option<TickerSettings> {
    let file = match TomlFile::parse(Path::new(TICKER_FILE), text) {
        Ok(f) => f,
        Err(p) => {
            problems.push(p);
            return None;
        }
    };
    let mut r = file.reader();
    let top = r.root();
    let mut s = TickerSettings::default();
    r.check_keys(top, "", &["feed", "ticker", "message"]);
    if let Some(t) = r.table(top, "ticker") {
        r.read_keys(t, "ticker", STRIP_KEYS, &mut s);
    }
    for t in r.tables(top, "feed") {
        if let Some(feed) = read_feed(&mut r, t, root, &s.feeds) {
            s.feeds.push(feed);
        }
    }
    for t in r.tables(top, "message") {
        if let Some(message) = read_message(&mut r, t) {
            s.messages.push(message);
        }
    }
    problems.extend(r.problems);
    Some(s)
}

/// `[ticker]`: how the strip scrolls. The only list of its keys.
const STRIP_KEYS: &[Key<TickerSettings>] = &[
    Key {
        name: "speed",
        read: |r, t, k, s| {
            if let Some(v) = r.number(t, k) {
                if (5.0..=2000.0).contains(&v) {
                    s.speed = v as f32;
                } else {
                    r.problem(t, k, format!("`speed` is pixels per second, between 5 and 2000, not {v}"));
                }
            }
        },
    },
    key!("refresh", parsed(parse_duration), |s, d| s.refresh = d.max(MIN_REFRESH)),
    key!("separator", string, |s, sep| s.separator = sep.trim().to_string()),
    key!("show_labels", boolean, |s, b| s.show_labels = b),
];

/// What a `[[feed]]` says, before it is checked.
#[derive(Default)]
struct FeedDraft {
    url: Option<String>,
    label: String,
    max_items: Option<usize>,
    max_age: Option<Duration>,
}

/// `[[feed]]`'s keys: the only list of them.
const FEED_KEYS: &[Key<FeedDraft>] = &[
    key!("url", string, |f, u| f.url = Some(u)),
    key!("label", string, |f, l| f.label = feeds::clean_title(&l)),
    Key {
        name: "max_items",
        read: |r, t, k, f| {
            if let Some(n) = r.integer(t, k) {
                if n >= 1 {
                    f.max_items = Some((n as usize).min(MAX_ITEMS));
                } else {
                    r.problem(t, k, "`max_items` should be 1 or more".into());
                }
            }
        },
    },
    key!("max_age", parsed(parse_duration), |f, d| f.max_age = Some(d)),
];

/// What a `[[message]]` says, before it is checked.
#[derive(Default)]
struct MessageDraft {
    text: String,
    from: Option<NaiveDate>,
    until: Option<NaiveDate>,
}

/// `[[message]]`'s keys: the only list of them.
const MESSAGE_KEYS: &[Key<MessageDraft>] = &[
    key!("text", string, |m, x| m.text = feeds::clean_title(&x)),
    key!("from", parsed(parse_date), |m, d| m.from = Some(d)),
    key!("until", parsed(parse_date), |m, d| m.until = Some(d)),
];

/// One `[[feed]]`; `None` (with the problem reported) when it cannot be used or repeats one of
/// `earlier`.
fn read_feed<'a>(
    r: &mut Reader<'a>,
    t: &'a Table,
    root: &Path,
    earlier: &[FeedConfig],
) -> Option<FeedConfig> {
    let mut draft = FeedDraft::default();
    r.read_keys(t, "feed", FEED_KEYS, &mut draft);
    let line = r.table_line(t);
    let Some(url) = draft.url else {
        if t.get("url").is_none() {
            r.problem_at(line, "this [[feed]] has no `url`; it is skipped".into());
        }
        return None;
    };
    let source = match FeedSource::parse(&url, root) {
        Ok(s) => s,
        Err(e) => {
            r.problem(t, "url", format!("{e}; this feed is skipped"));
            return None;
        }
    };
    let (label, max_age) = (draft.label, draft.max_age);
    let max_items = draft.max_items.unwrap_or(DEFAULT_MAX_ITEMS);
    if earlier.iter().any(|f| f.source == source) {
        r.problem_at(line, format!("the feed {source} is listed twice; the second is skipped"));
        return None;
    }
    Some(FeedConfig { source, label, max_items, max_age })
}

/// One `[[message]]`; `None` (with the problem reported) when it has no text.
fn read_message<'a>(r: &mut Reader<'a>, t: &'a Table) -> Option<StaffMessage> {
    let mut draft = MessageDraft::default();
    r.read_keys(t, "message", MESSAGE_KEYS, &mut draft);
    let line = r.table_line(t);
    let MessageDraft { text, from, until } = draft;
    if text.is_empty() {
        r.problem_at(line, "this [[message]] has no `text`; it is skipped".into());
        return None;
    }
    if let (Some(f), Some(u)) = (from, until)
        && u < f
    {
        r.problem_at(
            line,
            format!("this message's `until` ({u}) is before its `from` ({f}); it never shows"),
        );
    }
    Some(StaffMessage { text, from, until })
}

/// One line of the ticker.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TickerLine {
    /// The feed's label; `None` for staff messages.
    pub label: Option<String>,
    pub text: String,
}

impl TickerLine {
    /// The line as it scrolls by: "Year 3 blog: Our trip to the museum".
    pub fn shown(&self, show_labels: bool) -> String {
        match &self.label {
            Some(l) if show_labels && !l.is_empty() => format!("{l}: {}", self.text),
            _ => self.text.clone(),
        }
    }
}

/// The lines to scroll, in order: staff messages due today, then each feed's headlines (newest
/// first, at most `max_items`, none older than `max_age`), feeds in the order ticker.toml gives.
/// `headlines(i)` is the last good list of feed `i`.
pub fn lines<'a>(
    settings: &TickerSettings,
    headlines: impl Fn(usize) -> &'a [Headline],
    now: DateTime<Utc>,
    today: NaiveDate,
) -> Vec<TickerLine> {
    let mut out: Vec<TickerLine> = settings
        .messages
        .iter()
        .filter(|m| m.is_due(today))
        .map(|m| TickerLine { label: None, text: m.text.clone() })
        .collect();
    for (i, feed) in settings.feeds.iter().enumerate() {
        let chosen = feeds::select(headlines(i).to_vec(), feed.max_items, feed.max_age, now);
        out.extend(chosen.into_iter().map(|h| TickerLine { label: Some(feed.label.clone()), text: h.title }));
    }
    out
}

/// Drops the characters the screen's font cannot draw (emoji, mostly), so no empty boxes
/// scroll by, and tidies the spaces they leave.
pub fn drawable(text: &str, covered: impl Fn(char) -> bool) -> String {
    let kept: String = text
        .chars()
        .filter(|c| *c == ' ' || (covered(*c) && !matches!(*c, '\u{200d}' | '\u{fe0e}' | '\u{fe0f}')))
        .collect();
    kept.split(' ').filter(|w| !w.is_empty()).collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::DateTime;

    fn parse_ok(text: &str) -> (TickerSettings, Vec<Problem>) {
        let mut p = Vec::new();
        let s = parse(text, Path::new("/content"), &mut p).expect("valid TOML");
        (s, p)
    }

    #[test]
    fn reads_feeds_ticker_and_messages() {
        let (s, p) = parse_ok(
            r#"
[ticker]
speed = 120
refresh = "5m"
separator = "|"
show_labels = false

[[feed]]
url = "https://year3.example.org/feed/"
label = "Year 3 blog"
max_items = 5
max_age = "14d"

[[feed]]
url = "shared/blog.xml"
label = "Library"

[[feed]]
url = "file:///srv/blogs/Year%204.xml"

[[message]]
text = "Book fair on Friday"
from = "2026-11-20"
until = "2026-11-27"
"#,
        );
        assert!(p.is_empty(), "{p:?}");
        assert_eq!(s.speed, 120.0);
        assert_eq!(s.refresh, Duration::from_secs(300));
        assert_eq!(s.separator, "|");
        assert!(!s.show_labels);
        assert_eq!(s.feeds.len(), 3);
        assert_eq!(s.feeds[0].source, FeedSource::Web("https://year3.example.org/feed/".into()));
        assert_eq!(s.feeds[0].max_items, 5);
        assert_eq!(s.feeds[0].max_age, Some(Duration::from_secs(14 * 86_400)));
        assert_eq!(s.feeds[1].source, FeedSource::File("/content/shared/blog.xml".into()));
        assert_eq!(s.feeds[2].source, FeedSource::File("/srv/blogs/Year 4.xml".into()));
        assert_eq!(s.messages[0].text, "Book fair on Friday");
    }

    #[test]
    fn bad_entries_are_reported_with_lines_and_skipped() {
        let (s, p) = parse_ok(
            "[ticker]\nsped = 100\nspeed = 0\n\n[[feed]]\nlabel = \"No url\"\n\n[[feed]]\nurl = \"ftp://x.org/f\"\n\n[[feed]]\nurl = \"https://a.org/f\"\nmax_items = 0\n\n[[message]]\nfrom = \"2026-01-01\"\n",
        );
        let lines: Vec<_> = p.iter().map(|p| (p.line, p.message.clone())).collect();
        assert_eq!(s.feeds.len(), 1, "{lines:?}");
        assert_eq!(s.speed, DEFAULT_SPEED);
        assert!(lines.iter().any(|(l, m)| *l == Some(2) && m.contains("did you mean `speed`")), "{lines:?}");
        assert!(lines.iter().any(|(l, m)| *l == Some(3) && m.contains("between 5 and 2000")), "{lines:?}");
        assert!(lines.iter().any(|(l, m)| *l == Some(5) && m.contains("no `url`")), "{lines:?}");
        assert!(lines.iter().any(|(l, m)| *l == Some(9) && m.contains("ftp://")), "{lines:?}");
        assert!(lines.iter().any(|(l, m)| *l == Some(13) && m.contains("1 or more")), "{lines:?}");
        assert!(lines.iter().any(|(l, m)| *l == Some(15) && m.contains("no `text`")), "{lines:?}");
    }

    #[test]
    fn invalid_toml_keeps_the_last_good_ticker() {
        let mut p = Vec::new();
        assert!(parse("[[feed]\nurl = ", Path::new("/c"), &mut p).is_none());
        assert_eq!(p.len(), 1);
        assert!(p[0].line.is_some());
    }

    #[test]
    fn lines_put_due_messages_first_then_feeds_in_order() {
        let (s, _) = parse_ok(
            "[[feed]]\nurl = \"a.xml\"\nlabel = \"A\"\nmax_items = 2\n[[feed]]\nurl = \"b.xml\"\nlabel = \"B\"\nmax_age = \"2d\"\n[[message]]\ntext = \"Book fair\"\nuntil = \"2027-01-10\"\n[[message]]\ntext = \"Old news\"\nuntil = \"2027-01-01\"\n",
        );
        let at = |d: &str| Some(DateTime::parse_from_rfc3339(d).unwrap());
        let h = |t: &str, d: &str| Headline { title: t.into(), published: at(d) };
        let a = vec![
            h("A1", "2027-01-05T10:00:00Z"),
            h("A3", "2027-01-07T10:00:00Z"),
            h("A2", "2027-01-06T10:00:00Z"),
        ];
        let b = vec![h("B old", "2027-01-01T10:00:00Z"), h("B new", "2027-01-07T09:00:00Z")];
        let lists = [a, b];
        let now = DateTime::parse_from_rfc3339("2027-01-08T12:00:00Z").unwrap().with_timezone(&Utc);
        let today = NaiveDate::from_ymd_opt(2027, 1, 8).unwrap();
        let got: Vec<String> = lines(&s, |i| &lists[i], now, today).iter().map(|l| l.shown(true)).collect();
        assert_eq!(got, ["Book fair", "A: A3", "A: A2", "B: B new"]);
        let no_labels: Vec<String> =
            lines(&s, |i| &lists[i], now, today).iter().map(|l| l.shown(false)).collect();
        assert_eq!(no_labels[1], "A3");
    }

    #[test]
    fn undrawable_characters_drop_cleanly() {
        let covered = |c: char| (c as u32) < 0x2000 || c == '…';
        assert_eq!(drawable("Sports day 🏆 🎉 results ŵ ŷ…", covered), "Sports day results ŵ ŷ…");
        assert_eq!(drawable("👩\u{200d}🏫 Teacher", covered), "Teacher");
    }
}
