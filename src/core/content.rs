//! The content folder: every sub-folder is a playlist; its pictures and notices play in natural
//! file-name order, after any listed in its `playlist.toml`. Scanning only reads the folder and the
//! small TOML files; pictures are decoded later, one at a time (see `media`).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Component, Path, PathBuf};
use std::time::Duration;

use super::config::{Fit, SlidesConfig, Transition, parse_fit, parse_transition};
use super::duration::parse_duration;
use super::media::PlayOptions;
use super::problems::Problem;
use super::source::{MediaKind, Source};
use super::text::natural_cmp;
use super::tomlx::{Reader, TomlFile};
use super::when::{ItemWhen, parse_date, parse_days, parse_time_range};

/// The playlist that plays when nothing else is scheduled.
pub const DEFAULT_PLAYLIST: &str = "default";
/// The per-playlist settings file.
pub const PLAYLIST_FILE: &str = "playlist.toml";
/// Names at the top of the content folder that belong to corridor's other features.
pub const RESERVED_FILES: &[&str] = &[
    "schedule.toml",
    "ticker.toml",
    "house-points.toml",
    "birthdays.csv",
    "awards.toml",
    "sports.toml",
    "countdowns.toml",
    "ALERT.txt",
    "ALERT.md",
];

/// Extensions of pictures corridor shows.
pub const IMAGE_EXTENSIONS: &[&str] = &["jpg", "jpeg", "png", "webp", "gif", "bmp"];
/// Extensions of notice slides (first line heading, the rest body).
pub const NOTICE_EXTENSIONS: &[&str] = &["txt", "md"];
/// Extensions of video slides.
pub const VIDEO_EXTENSIONS: &[&str] = &["mp4", "mov", "m4v", "webm", "mkv"];

/// One slide of a playlist, with its settings resolved.
#[derive(Clone, Debug, PartialEq)]
pub struct Item {
    /// What the slide comes from (for a file: where it is on disk).
    pub source: Source,
    /// The path relative to the content folder, for messages.
    pub rel: PathBuf,
    pub kind: MediaKind,
    pub duration: Duration,
    /// The duration was written for this item in playlist.toml. A video without one plays
    /// for its own length.
    pub duration_given: bool,
    pub transition: Transition,
    pub transition_time: Duration,
    pub fit: Fit,
    /// A video plays its sound (`sound` in corridor.toml, playlist.toml or the item).
    pub sound: bool,
    pub caption: Option<String>,
    /// When the item is due (`from`, `until`, `days`, `times` in playlist.toml); always by default.
    pub when: ItemWhen,
}

impl Item {
    /// How its film plays, started `from` into it.
    pub fn play_options(&self, from: Duration) -> PlayOptions {
        PlayOptions { fit: self.fit, from, sound: self.sound }
    }
}

/// A playlist: a folder of the content folder.
#[derive(Clone, Debug, PartialEq)]
pub struct Playlist {
    pub name: String,
    pub items: Vec<Item>,
    pub shuffle: bool,
}

/// The result of a scan: the playlists found and everything that was wrong.
#[derive(Clone, Debug, Default)]
pub struct Content {
    pub root: PathBuf,
    pub playlists: BTreeMap<String, Playlist>,
    pub problems: Vec<Problem>,
    /// Size and modification time of every slide file, to tell when a copy has finished.
    pub stamps: BTreeMap<PathBuf, Stamp>,
    /// Playlists whose playlist.toml could not be read at all (the screen keeps the last good one).
    pub broken_settings: BTreeSet<String>,
    /// Playlists that differ from the previous scan (all of them on the first), worked out on
    /// the scanning thread so the screen's thread never compares whole playlists.
    pub changed: BTreeSet<String>,
}

/// A file's size and modification time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Stamp {
    pub size: u64,
    pub modified: Option<std::time::SystemTime>,
}

impl Content {
    pub fn playlist(&self, name: &str) -> Option<&Playlist> {
        self.playlists.get(name)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    #[error("the content folder {0} does not exist; create it or give another with --content")]
    Missing(PathBuf),
    #[error("{0} is not a folder; give the content folder with --content")]
    NotAFolder(PathBuf),
    #[error("cannot read the content folder {path}: {source}")]
    Unreadable { path: PathBuf, source: std::io::Error },
}

/// Why a name in a playlist folder is passed over without a word.
pub fn is_ignored_name(name: &str) -> bool {
    let lower = name.to_lowercase();
    name.starts_with('.')
        || name.starts_with("~$")
        || lower.ends_with(".part")
        || lower.ends_with(".tmp")
        || lower.ends_with(".crdownload")
        || lower == "thumbs.db"
        || lower == "desktop.ini"
}

/// A feed file kept at the top of the content folder for the ticker (not a stray file).
fn is_feed_file(name: &str) -> bool {
    let lower = name.to_lowercase();
    [".xml", ".rss", ".atom"].iter().any(|e| lower.ends_with(e))
}

/// The kind of slide a file name makes, or a plain-words reason why it makes none.
pub fn classify(name: &str) -> Result<MediaKind, String> {
    let ext = Path::new(name).extension().and_then(|e| e.to_str()).map(str::to_lowercase).unwrap_or_default();
    if IMAGE_EXTENSIONS.contains(&ext.as_str()) {
        Ok(MediaKind::Image)
    } else if NOTICE_EXTENSIONS.contains(&ext.as_str()) {
        Ok(MediaKind::Notice)
    } else if VIDEO_EXTENSIONS.contains(&ext.as_str()) {
        Ok(MediaKind::Video)
    } else {
        Err(format!(
            "corridor cannot show this kind of file; use pictures ({}), videos (.mp4, .mov, .webm, .mkv) or notices (.txt, .md)",
            IMAGE_EXTENSIONS.iter().map(|e| format!(".{e}")).collect::<Vec<_>>().join(", ")
        ))
    }
}

/// Scans the content folder. Only a missing or unreadable folder is an error; everything else
/// is a problem in the result, and the rest is still found.
pub fn scan(root: &Path, defaults: &SlidesConfig) -> Result<Content, ScanError> {
    if !root.exists() {
        return Err(ScanError::Missing(root.to_path_buf()));
    }
    if !root.is_dir() {
        return Err(ScanError::NotAFolder(root.to_path_buf()));
    }
    let canonical_root =
        root.canonicalize().map_err(|source| ScanError::Unreadable { path: root.to_path_buf(), source })?;
    let entries = std::fs::read_dir(root)
        .map_err(|source| ScanError::Unreadable { path: root.to_path_buf(), source })?;
    let mut content = Content { root: root.to_path_buf(), ..Content::default() };
    let mut names: Vec<(String, PathBuf)> = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if is_ignored_name(&name) {
            continue;
        }
        let path = entry.path();
        if path.is_dir() {
            match inside_root(&path, &canonical_root) {
                Ok(()) => names.push((name, path)),
                Err(msg) => content.problems.push(Problem::error(PathBuf::from(&name), msg)),
            }
        } else if !RESERVED_FILES.iter().any(|r| r.eq_ignore_ascii_case(&name)) && !is_feed_file(&name) {
            content.problems.push(Problem::warning(
                PathBuf::from(&name),
                format!("files at the top of the content folder are not played; move it into a playlist folder such as {DEFAULT_PLAYLIST}/"),
            ));
        }
    }
    names.sort_by(|a, b| natural_cmp(&a.0, &b.0));
    for (name, path) in names {
        let mut broken = false;
        let playlist =
            scan_playlist(&name, &path, root, &canonical_root, defaults, &mut content.problems, &mut broken);
        for path in playlist.items.iter().filter_map(|i| i.source.file()) {
            if let Ok(meta) = std::fs::metadata(path) {
                content
                    .stamps
                    .insert(path.to_path_buf(), Stamp { size: meta.len(), modified: meta.modified().ok() });
            }
        }
        if broken {
            content.broken_settings.insert(name.clone());
        }
        content.playlists.insert(name, playlist);
    }
    // The folder went while it was being read (a USB stick pulled mid-scan): this is no picture
    // of the folder, so say it is missing and keep what is in memory playing.
    if !root.is_dir() {
        return Err(ScanError::Missing(root.to_path_buf()));
    }
    if !content.playlists.contains_key(DEFAULT_PLAYLIST) {
        content.problems.push(Problem::warning(
            None,
            format!("there is no {DEFAULT_PLAYLIST}/ folder: when nothing else is scheduled the screen shows its calm fallback slide"),
        ));
    }
    Ok(content)
}

/// Refuses a path (after following links) that leads outside the content folder.
fn inside_root(path: &Path, canonical_root: &Path) -> Result<(), String> {
    match path.canonicalize() {
        Ok(real) if real.starts_with(canonical_root) => Ok(()),
        Ok(_) => Err("it leads outside the content folder (a link?), so it is not shown".into()),
        Err(_) => Err("it is a broken link or cannot be read; it is skipped".into()),
    }
}

struct PlaylistDefaults {
    duration: Duration,
    transition: Transition,
    transition_time: Duration,
    fit: Fit,
    sound: bool,
}

fn scan_playlist(
    name: &str,
    dir: &Path,
    root: &Path,
    canonical_root: &Path,
    defaults: &SlidesConfig,
    problems: &mut Vec<Problem>,
    settings_broken: &mut bool,
) -> Playlist {
    let rel = |p: &Path| p.strip_prefix(root).unwrap_or(p).to_path_buf();
    let mut pd = PlaylistDefaults {
        duration: defaults.default_duration,
        transition: defaults.transition,
        transition_time: defaults.transition_time,
        fit: defaults.fit,
        sound: defaults.sound,
    };
    let mut playlist = Playlist { name: name.to_string(), items: Vec::new(), shuffle: false };

    // Files of the folder, in natural order, with the reasons some cannot play.
    let mut files: Vec<(String, PathBuf, MediaKind)> = Vec::new();
    match std::fs::read_dir(dir) {
        Ok(entries) => {
            for entry in entries.flatten() {
                let fname = entry.file_name().to_string_lossy().into_owned();
                let path = entry.path();
                if is_ignored_name(&fname) || fname.eq_ignore_ascii_case(PLAYLIST_FILE) {
                    continue;
                }
                // Only a link can lead outside: plain entries of a folder inside the content
                // folder are inside it (and need no extra look at the disk).
                let file_type = entry.file_type().ok();
                let is_link = file_type.is_some_and(|t| t.is_symlink());
                if is_link {
                    if let Err(msg) = inside_root(&path, canonical_root) {
                        problems.push(Problem::error(rel(&path), msg));
                        continue;
                    }
                }
                let is_dir = if is_link { path.is_dir() } else { file_type.is_some_and(|t| t.is_dir()) };
                if is_dir {
                    problems.push(Problem::warning(
                        rel(&path),
                        "folders inside a playlist are not played; move its files up or make it a playlist of its own",
                    ));
                    continue;
                }
                match classify(&fname) {
                    Ok(kind) => files.push((fname, path, kind)),
                    Err(msg) => problems.push(Problem::error(rel(&path), msg)),
                }
            }
        }
        Err(e) => {
            problems.push(Problem::error(rel(dir), format!("cannot read this playlist folder: {e}")));
            return playlist;
        }
    }
    files.sort_by(|a, b| natural_cmp(&a.0, &b.0));

    // playlist.toml: defaults and listed items, in the order listed.
    let toml_path = dir.join(PLAYLIST_FILE);
    let mut listed: Vec<Item> = Vec::new();
    if toml_path.is_file() {
        let rel_toml = rel(&toml_path);
        match std::fs::read(&toml_path) {
            Err(e) => {
                problems.push(Problem::error(rel_toml, format!("cannot read it: {e}")));
                *settings_broken = true;
            }
            Ok(bytes) => {
                let text = super::text::decode_text(&bytes);
                match TomlFile::parse(&rel_toml, &text) {
                    Err(p) => {
                        problems.push(p);
                        *settings_broken = true;
                    }
                    Ok(file) => {
                        let mut r = file.reader();
                        let t = r.root();
                        r.check_keys(
                            t,
                            "",
                            &["duration", "transition", "transition_time", "fit", "sound", "shuffle", "item"],
                        );
                        if let Some(d) = r.parsed(t, "duration", slide_duration) {
                            pd.duration = d;
                        }
                        if let Some(v) = r.parsed(t, "transition", parse_transition) {
                            pd.transition = v;
                        }
                        if let Some(v) = r.parsed(t, "transition_time", parse_duration) {
                            pd.transition_time = v;
                        }
                        if let Some(v) = r.parsed(t, "fit", parse_fit) {
                            pd.fit = v;
                        }
                        if let Some(v) = r.boolean(t, "sound") {
                            pd.sound = v;
                        }
                        if let Some(v) = r.boolean(t, "shuffle") {
                            playlist.shuffle = v;
                        }
                        for entry in r.tables(t, "item") {
                            r.check_keys(
                                entry,
                                "item",
                                &["file", "duration", "caption", "fit", "transition", "sound"],
                            );
                            let line = r.table_line(entry);
                            let Some(file_name) = r.string(entry, "file") else {
                                if entry.get("file").is_none() {
                                    r.problem_at(
                                        line,
                                        "this [[item]] has no `file = \"...\"`; it is skipped".into(),
                                    );
                                }
                                continue;
                            };
                            let Some(path) = listed_path(dir, &file_name) else {
                                r.problem(
                                    entry,
                                    "file",
                                    format!(
                                        "\"{file_name}\" leads outside the playlist folder; it is not shown"
                                    ),
                                );
                                continue;
                            };
                            if !path.is_file() {
                                r.problem(
                                    entry,
                                    "file",
                                    format!(
                                        "\"{file_name}\" is not in this playlist folder; check the spelling"
                                    ),
                                );
                                continue;
                            }
                            if let Err(msg) = inside_root(&path, canonical_root) {
                                r.problem(entry, "file", format!("\"{file_name}\": {msg}"));
                                continue;
                            }
                            let kind = match classify(&file_name) {
                                Ok(k) => k,
                                Err(msg) => {
                                    r.problem(entry, "file", format!("\"{file_name}\": {msg}"));
                                    continue;
                                }
                            };
                            listed.push(Item {
                                rel: rel(&path),
                                source: Source::File(path),
                                kind,
                                duration_given: entry.contains_key("duration"),
                                duration: r.parsed(entry, "duration", slide_duration).unwrap_or(pd.duration),
                                transition: r
                                    .parsed(entry, "transition", parse_transition)
                                    .unwrap_or(pd.transition),
                                transition_time: pd.transition_time,
                                fit: r.parsed(entry, "fit", parse_fit).unwrap_or(pd.fit),
                                sound: r.boolean(entry, "sound").unwrap_or(pd.sound),
                                caption: r.string(entry, "caption").filter(|c| !c.trim().is_empty()),
                                when: read_when(&mut r, entry),
                            });
                        }
                        problems.extend(r.problems);
                    }
                }
            }
        }
    }
    // Listed items keep the settings' defaults that were read after them too.
    for item in &mut listed {
        item.transition_time = pd.transition_time;
    }
    let listed_paths: Vec<PathBuf> = listed.iter().filter_map(|i| i.source.file()).map(Path::to_path_buf).collect();
    playlist.items = listed;
    for (_, path, kind) in files {
        if listed_paths.contains(&path) {
            continue;
        }
        playlist.items.push(Item {
            rel: rel(&path),
            source: Source::File(path),
            kind,
            duration: pd.duration,
            duration_given: false,
            transition: pd.transition,
            transition_time: pd.transition_time,
            fit: pd.fit,
            sound: pd.sound,
            caption: None,
            when: ItemWhen::default(),
        });
    }
    if playlist.items.is_empty() {
        problems.push(Problem::warning(
            rel(dir),
            "this playlist has nothing to show; while it plays, the screen shows its calm fallback slide",
        ));
    }
    playlist
}

/// The `from`, `until`, `days` and `times` of an [[item]].
fn read_when<'a>(r: &mut Reader<'a>, entry: &'a toml_edit::Table) -> ItemWhen {
    let mut when = ItemWhen {
        from: r.parsed(entry, "from", parse_date),
        until: r.parsed(entry, "until", parse_date),
        days: None,
        times: Vec::new(),
    };
    if let (Some(a), Some(b)) = (when.from, when.until) {
        if b < a {
            r.problem(entry, "until", "`until` comes before `from`; the item would never show".into());
        }
    }
    if let Some(words) = r.strings(entry, "days") {
        match parse_days(&words.join(",")) {
            Ok(d) => when.days = Some(d),
            Err(e) => r.problem(entry, "days", format!("`days`: {e}")),
        }
    }
    if let Some(ranges) = r.strings(entry, "times") {
        for text in ranges {
            match parse_time_range(&text) {
                Ok(range) => when.times.push(range),
                Err(e) => r.problem(entry, "times", format!("`times`: {e}")),
            }
        }
    }
    when
}

fn slide_duration(s: &str) -> Result<Duration, String> {
    let d = parse_duration(s)?;
    if d < Duration::from_millis(500) {
        return Err(format!("\"{s}\" is too short for a slide; use at least \"0.5s\""));
    }
    Ok(d)
}

/// The path of a file named in playlist.toml, or None if the name climbs out of the folder.
fn listed_path(dir: &Path, name: &str) -> Option<PathBuf> {
    let p = Path::new(name);
    if p.components().any(|c| !matches!(c, Component::Normal(_))) {
        return None;
    }
    Some(dir.join(p))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classify_by_extension() {
        assert_eq!(classify("a.JPG"), Ok(MediaKind::Image));
        assert_eq!(classify("notice.md"), Ok(MediaKind::Notice));
        assert_eq!(classify("film.MP4"), Ok(MediaKind::Video));
        assert_eq!(classify("story.webm"), Ok(MediaKind::Video));
        assert!(classify("essay.docx").unwrap_err().contains("videos (.mp4"));
        assert!(classify("essay.docx").is_err());
        assert!(classify("noext").is_err());
    }

    #[test]
    fn ignored_names() {
        for n in [".hidden.jpg", "~$report.docx", "a.jpg.part", "x.TMP", "big.jpg.crdownload", "Thumbs.db"] {
            assert!(is_ignored_name(n), "{n}");
        }
        assert!(!is_ignored_name("photo.jpg"));
    }

    #[test]
    fn listed_paths_cannot_climb() {
        let d = Path::new("/c/default");
        assert_eq!(listed_path(d, "a.jpg"), Some(PathBuf::from("/c/default/a.jpg")));
        assert_eq!(listed_path(d, "../b/a.jpg"), None);
        assert_eq!(listed_path(d, "/etc/passwd"), None);
    }
}
