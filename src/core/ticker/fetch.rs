//! Fetching one feed: over HTTP(S) with reqwest (rustls, no OpenSSL), or from a file. Bounded
//! in time (connect and total time-outs) and memory (a body size cap), a limit on redirects, a
//! User-Agent naming corridor, and conditional requests (ETag / Last-Modified, so an unchanged
//! feed costs a `304 Not Modified`). Blocking: call it from a worker thread, never the screen's.

use std::io::Read;
use std::path::Path;
use std::time::{Duration, UNIX_EPOCH};

use reqwest::blocking::Client;
use reqwest::header::{ETAG, IF_MODIFIED_SINCE, IF_NONE_MATCH, LAST_MODIFIED};

use super::FeedSource;
use crate::core::feeds::{FeedError, MAX_FEED_BYTES};

/// Sent with every request.
pub const USER_AGENT: &str =
    concat!("corridor/", env!("CARGO_PKG_VERSION"), " (school corridor signage; feed reader)");

/// How long and how much a fetch may take.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub connect: Duration,
    pub total: Duration,
    pub max_bytes: usize,
    pub max_redirects: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            connect: Duration::from_secs(10),
            total: Duration::from_secs(30),
            max_bytes: MAX_FEED_BYTES,
            max_redirects: 5,
        }
    }
}

/// What makes the next request conditional: the ETag and Last-Modified of the last good copy
/// (for a file, its size and modification time).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Validators {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

/// The answer to one fetch.
#[derive(Debug)]
pub enum Fetched {
    Body {
        bytes: Vec<u8>,
        validators: Validators,
    },
    /// The feed has not changed since the copy `validators` came with.
    NotModified,
}

/// Why a feed could not be had this time. The words are for the log and `corridor check`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FetchError {
    #[error("no complete answer within {0} s")]
    TimedOut(u64),
    #[error("cannot connect: {0}")]
    Connect(String),
    #[error("the server answered {0}")]
    Status(String),
    #[error("more than {0} redirects (a redirect loop?)")]
    Redirects(usize),
    #[error("the feed is larger than {} MB", .0 / 1_000_000)]
    TooLarge(usize),
    #[error("cannot read the file: {0}")]
    File(String),
    #[error("the request failed: {0}")]
    Other(String),
    #[error(transparent)]
    Feed(#[from] FeedError),
}

/// Fetches feeds; one for the whole run (it keeps connections alive).
pub struct Fetcher {
    client: Client,
    limits: Limits,
}

impl Fetcher {
    pub fn new(limits: Limits) -> Result<Self, FetchError> {
        let client = Client::builder()
            .user_agent(USER_AGENT)
            .connect_timeout(limits.connect)
            .timeout(limits.total)
            .redirect(reqwest::redirect::Policy::limited(limits.max_redirects))
            .build()
            .map_err(|e| FetchError::Other(e.to_string()))?;
        Ok(Self { client, limits })
    }

    pub fn limits(&self) -> Limits {
        self.limits
    }

    /// Fetches `source`, asking only for a changed copy when `since` is given.
    pub fn fetch(&self, source: &FeedSource, since: &Validators) -> Result<Fetched, FetchError> {
        match source {
            FeedSource::Web(url) => self.fetch_web(url, since),
            FeedSource::File(path) => fetch_file(path, since, self.limits.max_bytes),
        }
    }

    fn fetch_web(&self, url: &str, since: &Validators) -> Result<Fetched, FetchError> {
        let started = std::time::Instant::now();
        let mut request = self.client.get(url);
        if let Some(etag) = &since.etag {
            request = request.header(IF_NONE_MATCH, etag);
        }
        if let Some(date) = &since.last_modified {
            request = request.header(IF_MODIFIED_SINCE, date);
        }
        let response = request.send().map_err(|e| self.classify(&e))?;
        let status = response.status();
        if status == reqwest::StatusCode::NOT_MODIFIED {
            return Ok(Fetched::NotModified);
        }
        if !status.is_success() {
            return Err(FetchError::Status(status.to_string()));
        }
        let max = self.limits.max_bytes;
        if response.content_length().is_some_and(|n| n > max as u64) {
            return Err(FetchError::TooLarge(max));
        }
        let header = |name| {
            response
                .headers()
                .get(name)
                .and_then(|v: &reqwest::header::HeaderValue| v.to_str().ok())
                .map(String::from)
        };
        let validators = Validators { etag: header(ETAG), last_modified: header(LAST_MODIFIED) };
        // reqwest's blocking time-out counts each read on its own; a server that drips a byte
        // at a time would never end, so the whole answer is held to the total time here.
        let mut response = response;
        let mut bytes = Vec::new();
        let mut chunk = vec![0u8; 64 * 1024];
        loop {
            if started.elapsed() > self.limits.total {
                return Err(FetchError::TimedOut(self.limits.total.as_secs()));
            }
            let n = response.read(&mut chunk).map_err(|e| self.classify_io(&e))?;
            if n == 0 {
                break;
            }
            if bytes.len() + n > max {
                return Err(FetchError::TooLarge(max));
            }
            bytes.extend_from_slice(&chunk[..n]);
        }
        Ok(Fetched::Body { bytes, validators })
    }

    fn classify(&self, e: &reqwest::Error) -> FetchError {
        if e.is_timeout() {
            FetchError::TimedOut(self.limits.total.as_secs())
        } else if e.is_redirect() {
            FetchError::Redirects(self.limits.max_redirects)
        } else if e.is_connect() {
            FetchError::Connect(root_cause(e))
        } else {
            FetchError::Other(root_cause(e))
        }
    }

    fn classify_io(&self, e: &std::io::Error) -> FetchError {
        let inner = e.get_ref().and_then(|i| i.downcast_ref::<reqwest::Error>());
        match inner {
            Some(r) => self.classify(r),
            None if e.kind() == std::io::ErrorKind::TimedOut => {
                FetchError::TimedOut(self.limits.total.as_secs())
            }
            None => FetchError::Other(e.to_string()),
        }
    }
}

/// The innermost error's words ("Connection refused (os error 111)"), without the URL.
pub(crate) fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cur = e;
    while let Some(next) = cur.source() {
        cur = next;
    }
    cur.to_string()
}

/// A feed on disk (the school's shared drive): read only when its size or time has changed.
fn fetch_file(path: &Path, since: &Validators, max: usize) -> Result<Fetched, FetchError> {
    let meta = std::fs::metadata(path).map_err(|e| FetchError::File(e.to_string()))?;
    if !meta.is_file() {
        return Err(FetchError::File("it is not a file".into()));
    }
    if meta.len() > max as u64 {
        return Err(FetchError::TooLarge(max));
    }
    let modified =
        meta.modified().ok().and_then(|t| t.duration_since(UNIX_EPOCH).ok()).map_or(0, |d| d.as_nanos());
    let stamp = format!("file:{}:{modified}", meta.len());
    if since.etag.as_deref() == Some(stamp.as_str()) {
        return Ok(Fetched::NotModified);
    }
    let file = std::fs::File::open(path).map_err(|e| FetchError::File(e.to_string()))?;
    let mut bytes = Vec::new();
    file.take(max as u64 + 1).read_to_end(&mut bytes).map_err(|e| FetchError::File(e.to_string()))?;
    if bytes.len() > max {
        return Err(FetchError::TooLarge(max));
    }
    Ok(Fetched::Body { bytes, validators: Validators { etag: Some(stamp), last_modified: None } })
}
