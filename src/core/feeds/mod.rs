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

mod encoding;
mod reading;
mod title;

#[cfg(test)]
mod tests;

use std::collections::HashSet;
use std::time::Duration;

use chrono::{DateTime, FixedOffset, Utc};

use encoding::to_utf8;
use reading::Reading;
pub use title::clean_title;

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
