//! A `[[source]]` of corridor.toml: a published folder this screen subscribes to, where it is
//! (a web address, a `file://` address or a path), the playlist folder it becomes, the key its
//! signature must verify with, how often to look, and the caps that keep a bad or hostile source
//! from filling the disk. Read and checked here; fetched by [`super::subscribe`].

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::manifest::safe_name;
use super::signing::public_key;
use crate::core::duration::parse_duration;
use crate::core::files::is_ignored_name;
use crate::core::tomlx::{Key, Reader, key};
use toml_edit::Table;

/// How often a source is looked at unless `every` says otherwise.
pub const DEFAULT_EVERY: Duration = Duration::from_secs(600);
/// The shortest `every` allowed: hundreds of screens ask the same server.
pub const MIN_EVERY: Duration = Duration::from_secs(30);
/// The largest file a source may hold unless `max_file` says otherwise.
pub const DEFAULT_MAX_FILE: u64 = 8 << 30;
/// The largest a whole source may be unless `max_total` says otherwise.
pub const DEFAULT_MAX_TOTAL: u64 = 32 << 30;

/// Where a published folder is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    /// An `http://` or `https://` address, always ending in `/`.
    Web(String),
    /// A folder on this computer or a mounted share.
    Folder(PathBuf),
}

impl std::fmt::Display for Origin {
    /// As logs, `check` and the status file show it: a web address without its user name or
    /// password.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Origin::Web(url) => f.write_str(&without_password(url)),
            Origin::Folder(path) => write!(f, "{}", path.display()),
        }
    }
}

/// `url` with any user name and password taken out (`https://…@host/` → `https://host/`).
pub fn without_password(url: &str) -> String {
    match reqwest::Url::parse(url) {
        Ok(mut u) if !u.username().is_empty() || u.password().is_some() => {
            let _ = u.set_username("");
            let _ = u.set_password(None);
            u.to_string()
        }
        _ => url.to_string(),
    }
}

/// One `[[source]]`, checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Source {
    pub origin: Origin,
    /// The playlist folder (one name, in the content folder) the source becomes.
    pub into: String,
    /// The publisher's public key: the `RW…` line.
    pub public_key: String,
    pub every: Duration,
    /// Bytes a second at most (for slow school links); none: as fast as the link goes.
    pub max_rate: Option<u64>,
    pub max_file: u64,
    pub max_total: u64,
}

/// A source's address: `http(s)://…`, `file://…` or a path (relative to the config's folder).
pub fn parse_origin(text: &str, config_dir: Option<&Path>) -> Result<Origin, String> {
    let text = text.trim();
    let lower = text.to_ascii_lowercase();
    if lower.starts_with("http://") || lower.starts_with("https://") {
        let url = reqwest::Url::parse(text).map_err(|e| format!("\"{text}\" is not a web address ({e})"))?;
        let mut url = url.to_string();
        if !url.ends_with('/') {
            url.push('/');
        }
        return Ok(Origin::Web(url));
    }
    if lower.starts_with("file://") {
        let url = reqwest::Url::parse(text).map_err(|e| format!("\"{text}\" is not a file address ({e})"))?;
        return url
            .to_file_path()
            .map(Origin::Folder)
            .map_err(|()| format!("\"{text}\" is not a local folder"));
    }
    if let Some((scheme, _)) = text.split_once("://") {
        return Err(format!(
            "a source is an http://, https:// or file:// address or a folder, not {scheme}://"
        ));
    }
    if text.is_empty() {
        return Err("`url` is empty".into());
    }
    let path = PathBuf::from(text);
    Ok(Origin::Folder(match config_dir {
        Some(dir) if path.is_relative() => dir.join(path),
        _ => path,
    }))
}

/// `into`: one folder name, not hidden, that the scanner would not pass over.
pub fn parse_into(text: &str) -> Result<String, String> {
    let name = text.trim();
    safe_name(name)?;
    if name.contains('/') || is_ignored_name(name) {
        return Err(format!("\"{name}\" is not a playlist folder's name (one name, not hidden)"));
    }
    Ok(name.to_string())
}

/// A size in bytes: `"500MB"`, `"2 GB"`, `"64k"`, `"1000"` (bytes); a trailing `/s` is allowed
/// (for `max_rate`).
pub fn parse_bytes(text: &str) -> Result<u64, String> {
    let err = || format!("\"{text}\" is not a size; write it like \"500MB\" or \"2GB\"");
    let t = text.trim().trim_end_matches("/s").trim();
    let split = t.find(|c: char| !c.is_ascii_digit() && c != '.').unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    let number: f64 = number.parse().map_err(|_| err())?;
    let scale: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" => 1 << 10,
        "m" | "mb" => 1 << 20,
        "g" | "gb" => 1 << 30,
        "t" | "tb" => 1 << 40,
        _ => return Err(err()),
    };
    let bytes = number * scale as f64;
    if !(1.0..1e18).contains(&bytes) {
        return Err(err());
    }
    Ok(bytes as u64)
}

/// What a `[[source]]` says, before it is checked.
#[derive(Default)]
struct Draft {
    url: Option<String>,
    into: Option<String>,
    public_key: Option<String>,
    every: Option<Duration>,
    max_rate: Option<u64>,
    max_file: Option<u64>,
    max_total: Option<u64>,
}

/// `[[source]]`'s keys: the only list of them.
const SOURCE_KEYS: &[Key<Draft>] = &[
    key!("url", string, |d, v| d.url = Some(v)),
    key!("into", string, |d, v| d.into = Some(v)),
    key!("public_key", string, |d, v| d.public_key = Some(v)),
    Key { name: "public_key_file", read: |_, _, _, _| {} },
    key!("every", parsed(parse_duration), |d, v| d.every = Some(v.max(MIN_EVERY))),
    key!("max_rate", parsed(parse_bytes), |d, v| d.max_rate = Some(v)),
    key!("max_file", parsed(parse_bytes), |d, v| d.max_file = Some(v)),
    key!("max_total", parsed(parse_bytes), |d, v| d.max_total = Some(v)),
];

/// Reads every `[[source]]` in `t`; one that cannot be used is a problem and is left out.
pub fn read_sources<'a>(
    r: &mut Reader<'a>,
    t: &'a Table,
    key: &str,
    config_dir: Option<&Path>,
) -> Vec<Source> {
    let mut sources: Vec<Source> = Vec::new();
    for entry in r.tables(t, key) {
        let mut draft = Draft::default();
        r.read_keys(entry, key, SOURCE_KEYS, &mut draft);
        if let Some(file) = r.string(entry, "public_key_file") {
            let path = config_dir.map_or_else(|| PathBuf::from(&file), |d| d.join(&file));
            match std::fs::read_to_string(&path) {
                Ok(text) => draft.public_key = Some(text),
                Err(e) => r.problem(entry, "public_key_file", format!("cannot read {}: {e}", path.display())),
            }
        }
        match build(draft, config_dir) {
            Ok(s) if sources.iter().any(|o| o.into == s.into) => {
                r.problem(entry, "into", format!("two sources go into \"{}\"; this one is left out", s.into))
            }
            Ok(s) => sources.push(s),
            Err((k, why)) => r.problem(entry, k, format!("this source is left out: {why}")),
        }
    }
    sources
}

/// A checked source from a draft, or the key that is wrong and why.
fn build(d: Draft, config_dir: Option<&Path>) -> Result<Source, (&'static str, String)> {
    let url = d.url.ok_or(("url", "it has no `url`".to_string()))?;
    let origin = parse_origin(&url, config_dir).map_err(|e| ("url", e))?;
    let into =
        parse_into(&d.into.ok_or(("into", "it has no `into` (the playlist folder it becomes)".to_string()))?)
            .map_err(|e| ("into", e))?;
    let key_text = d.public_key.ok_or((
        "public_key",
        "it has no `public_key` (or `public_key_file`): the publisher's key is needed".to_string(),
    ))?;
    public_key(&key_text).map_err(|e| ("public_key", e.to_string()))?;
    let line = key_text.lines().map(str::trim).filter(|l| l.starts_with("RW")).next_back();
    Ok(Source {
        origin,
        into,
        public_key: line.unwrap_or(key_text.trim()).to_string(),
        every: d.every.unwrap_or(DEFAULT_EVERY),
        max_rate: d.max_rate,
        max_file: d.max_file.unwrap_or(DEFAULT_MAX_FILE),
        max_total: d.max_total.unwrap_or(DEFAULT_MAX_TOTAL),
    })
}

/// `trusted_keys = ["RW…"]`: the keys a synced folder's signature may verify with.
pub fn read_trusted_keys<'a>(r: &mut Reader<'a>, t: &'a Table, key: &str) -> Vec<String> {
    let mut keys = Vec::new();
    for text in r.strings(t, key).unwrap_or_default() {
        match public_key(&text) {
            Ok(_) => keys.push(text.trim().to_string()),
            Err(e) => r.problem(t, key, format!("`{key}`: {e}; this key is left out")),
        }
    }
    keys
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_web_file_or_folder_and_nothing_else() {
        assert_eq!(
            parse_origin("https://share.example.org/year4", None),
            Ok(Origin::Web("https://share.example.org/year4/".into()))
        );
        assert_eq!(parse_origin("file:///srv/share/", None), Ok(Origin::Folder("/srv/share/".into())));
        assert_eq!(
            parse_origin("share/poems", Some(Path::new("/etc/corridor"))),
            Ok(Origin::Folder("/etc/corridor/share/poems".into()))
        );
        for bad in ["ftp://x/y", "smb://server/share", "javascript://x", ""] {
            assert!(parse_origin(bad, None).is_err(), "{bad}");
        }
    }

    #[test]
    fn addresses_are_shown_without_their_password() {
        let o = parse_origin("https://school:secret@share.example.org/poems/", None).unwrap();
        assert_eq!(o.to_string(), "https://share.example.org/poems/");
        assert_eq!(without_password("rtsp://cam:pw@10.0.0.5/live"), "rtsp://10.0.0.5/live");
    }

    #[test]
    fn into_is_one_visible_name() {
        assert_eq!(parse_into(" poetry "), Ok("poetry".into()));
        for bad in ["a/b", "..", ".hidden", "", "/etc", "x.tmp"] {
            assert!(parse_into(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn sizes_and_rates_read_as_people_write_them() {
        assert_eq!(parse_bytes("500MB"), Ok(500 << 20));
        assert_eq!(parse_bytes("2 GB"), Ok(2 << 30));
        assert_eq!(parse_bytes("1.5k"), Ok(1536));
        assert_eq!(parse_bytes("2MB/s"), Ok(2 << 20));
        assert_eq!(parse_bytes("100"), Ok(100));
        for bad in ["", "MB", "5 parsecs", "-3MB", "0"] {
            assert!(parse_bytes(bad).is_err(), "{bad}");
        }
    }
}
