//! The ticker's disk cache: the last good headlines of each feed, with what makes the next
//! request conditional, one small JSON file per feed in the state folder (default
//! `$XDG_STATE_HOME/corridor/feeds`). Read at start, so the strip scrolls before the network is
//! up; written (temp file + rename) after each good fetch.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use super::FeedSource;
use super::fetch::Validators;
use crate::core::feeds::Headline;

/// The last good copy of one feed.
#[derive(Clone, Debug, PartialEq)]
pub struct Cached {
    pub headlines: Vec<Headline>,
    pub validators: Validators,
    pub last_success: DateTime<Utc>,
}

/// A folder of cached feeds.
#[derive(Clone, Debug)]
pub struct FeedCache {
    dir: PathBuf,
}

impl FeedCache {
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The file for one feed: a hash of its address, so any URL makes a safe file name.
    pub fn path(&self, source: &FeedSource) -> PathBuf {
        self.dir.join(format!("{:016x}.json", fnv1a(source.to_string().as_bytes())))
    }

    /// The cached copy of `source`, if there is a readable one.
    pub fn load(&self, source: &FeedSource) -> Option<Cached> {
        let bytes = std::fs::read(self.path(source)).ok()?;
        let v: Value = serde_json::from_slice(&bytes).ok()?;
        if v.get("source")?.as_str()? != source.to_string() {
            return None;
        }
        let text = |key: &str| v.get(key).and_then(Value::as_str).map(String::from);
        let headlines = v
            .get("headlines")?
            .as_array()?
            .iter()
            .filter_map(|h| {
                Some(Headline {
                    title: h.get("title")?.as_str()?.to_string(),
                    published: h
                        .get("published")
                        .and_then(Value::as_str)
                        .and_then(|p| DateTime::parse_from_rfc3339(p).ok()),
                })
            })
            .collect();
        Some(Cached {
            headlines,
            validators: Validators { etag: text("etag"), last_modified: text("last_modified") },
            last_success: DateTime::parse_from_rfc3339(&text("last_success")?).ok()?.with_timezone(&Utc),
        })
    }

    /// Writes the copy of `source` atomically.
    pub fn save(&self, source: &FeedSource, cached: &Cached) -> std::io::Result<()> {
        std::fs::create_dir_all(&self.dir)?;
        let doc = json!({
            "source": source.to_string(),
            "etag": cached.validators.etag,
            "last_modified": cached.validators.last_modified,
            "last_success": cached.last_success.to_rfc3339(),
            "headlines": cached.headlines.iter().map(|h| json!({
                "title": h.title,
                "published": h.published.map(|p| p.to_rfc3339()),
            })).collect::<Vec<_>>(),
        });
        let path = self.path(source);
        let tmp = path.with_extension("json.tmp");
        std::fs::write(&tmp, serde_json::to_vec(&doc).map_err(std::io::Error::other)?)?;
        std::fs::rename(&tmp, &path)
    }
}

/// FNV-1a, 64 bits: stable across runs and Rust versions (unlike `DefaultHasher`).
fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saves_and_loads_a_feed() {
        let dir = tempfile::tempdir().unwrap();
        let cache = FeedCache::new(dir.path().join("feeds"));
        let source = FeedSource::Web("https://blog.example.org/feed?x=1&y=2".into());
        let cached = Cached {
            headlines: vec![
                Headline {
                    title: "Trip to the zoo".into(),
                    published: Some(DateTime::parse_from_rfc3339("2027-01-05T10:00:00+01:00").unwrap()),
                },
                Headline { title: "Undated".into(), published: None },
            ],
            validators: Validators { etag: Some("\"abc\"".into()), last_modified: None },
            last_success: DateTime::parse_from_rfc3339("2027-01-06T08:00:00Z").unwrap().with_timezone(&Utc),
        };
        assert_eq!(cache.load(&source), None);
        cache.save(&source, &cached).unwrap();
        assert_eq!(cache.load(&source), Some(cached));
        // Another feed does not see it; a damaged file is no copy at all.
        assert_eq!(cache.load(&FeedSource::Web("https://other.example.org/".into())), None);
        std::fs::write(cache.path(&source), b"{not json").unwrap();
        assert_eq!(cache.load(&source), None);
    }
}
