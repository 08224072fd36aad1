//! The content folder: every sub-folder is a playlist; its pictures and notices play in natural
//! file-name order, after any listed in its `playlist.toml`. Scanning only reads the folder and the
//! small TOML files; pictures are decoded later, one at a time (see `media`).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use toml_edit::Table;

use super::config::{Fit, SlidesConfig, Transition, parse_fit, parse_transition};
use super::deck::pages::{PageChoice, parse_pages};
use super::duration::parse_duration;
pub use super::files::is_ignored_name;
use super::media::PlayOptions;
use super::problems::Problem;
use super::source::{MediaKind, Source};
use super::stream;
use super::subtitles::{self, Cue, SUBTITLE_EXTENSIONS};
use super::text::natural_cmp;
use super::tomlx::{Key, Reader, TomlFile, key};
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
    "LIVE.stream",
];

/// Extensions of pictures corridor shows.
pub const IMAGE_EXTENSIONS: &[&str] = &["jpg", "jpeg", "png", "webp", "gif", "bmp"];
/// Extensions of notice slides (first line heading, the rest body).
pub const NOTICE_EXTENSIONS: &[&str] = &["txt", "md"];
/// Extensions of video slides: today's, and those of Photo Story and Movie Maker (.wmv), old
/// cameras (.avi, .mpg, .mpeg) and phones (.3gp).
pub const VIDEO_EXTENSIONS: &[&str] =
    &["mp4", "mov", "m4v", "webm", "mkv", "wmv", "avi", "mpg", "mpeg", "3gp"];
/// Extensions of presentations and PDFs, whose pages play as slides.
pub const DECK_EXTENSIONS: &[&str] = &["pptx", "ppt", "pps", "ppsx", "odp", "pdf"];
/// Extensions of files that name a live stream: `.stream` (the address on its first line) and
/// Windows Internet shortcuts (`.url`).
pub const STREAM_EXTENSIONS: &[&str] = &["stream", "url"];

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
    /// A deck's pages that play (`pages` in playlist.toml); all by default.
    pub pages: PageChoice,
    /// A film shows its subtitles (`captions` in playlist.toml or `[slides]`; on by default).
    pub captions: bool,
    /// A film's subtitles: a `.srt` or `.vtt` file of its name beside it.
    pub subtitles: Option<Subtitles>,
}

/// A film's subtitles: the file they came from and its cues.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Subtitles {
    pub rel: PathBuf,
    pub cues: Arc<Vec<Cue>>,
}

impl Item {
    /// How its film plays, started `from` into it.
    pub fn play_options(&self, from: Duration) -> PlayOptions {
        // A film's own subtitle track is read only where no subtitles file goes with it.
        let captions = self.captions && self.subtitles.is_none();
        PlayOptions { fit: self.fit, from, sound: self.sound, captions, ..PlayOptions::default() }
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
    } else if STREAM_EXTENSIONS.contains(&ext.as_str()) {
        Ok(MediaKind::Stream)
    } else if DECK_EXTENSIONS.contains(&ext.as_str()) {
        Ok(MediaKind::Deck)
    } else {
        Err(format!(
            "corridor cannot show this kind of file; use pictures ({}), videos (.mp4, .mov, .webm, .mkv, .wmv, .avi, .mpg), notices (.txt, .md), presentations (.pptx, .odp, .pdf) or live streams (.stream)",
            IMAGE_EXTENSIONS.iter().map(|e| format!(".{e}")).collect::<Vec<_>>().join(", ")
        ))
    }
}

/// Playlist folders read from somewhere else than where they are (a signed folder's last
/// verified copy, see `core::sync::guard`), or not read at all (None), by name.
#[derive(Clone, Debug, Default)]
pub struct Folders(pub std::collections::HashMap<String, Option<PathBuf>>);

/// Scans the content folder. Only a missing or unreadable folder is an error; everything else
/// is a problem in the result, and the rest is still found.
pub fn scan(root: &Path, defaults: &SlidesConfig) -> Result<Content, ScanError> {
    scan_with(root, defaults, &Folders::default())
}

/// [`scan`], reading the playlists `folders` names from where it says.
pub fn scan_with(root: &Path, defaults: &SlidesConfig, folders: &Folders) -> Result<Content, ScanError> {
    if !root.exists() {
        return Err(ScanError::Missing(root.to_path_buf()));
    }
    if !root.is_dir() {
        return Err(ScanError::NotAFolder(root.to_path_buf()));
    }
    let unreadable = |source| ScanError::Unreadable { path: root.to_path_buf(), source };
    let canonical_root = root.canonicalize().map_err(unreadable)?;
    let entries = std::fs::read_dir(root).map_err(unreadable)?;
    let top = Place { root: root.to_path_buf(), canonical_root: canonical_root.clone(), shown_as: None };
    let (names, problems) = playlist_folders(&top, entries);
    let mut content = Content { root: root.to_path_buf(), problems, ..Content::default() };
    for (name, path) in names {
        let (place, path) = match folders.0.get(&name) {
            None => (top.clone(), path),
            Some(None) => continue,
            Some(Some(other)) => {
                let shown_as = Some((other.clone(), root.join(&name)));
                (
                    Place { root: root.to_path_buf(), canonical_root: canonical_root.clone(), shown_as },
                    other.clone(),
                )
            }
        };
        let scanned = scan_playlist(&place, &name, &path, defaults);
        for path in scanned.playlist.items.iter().filter_map(|i| i.source.file()) {
            if let Ok(meta) = std::fs::metadata(path) {
                content
                    .stamps
                    .insert(path.to_path_buf(), Stamp { size: meta.len(), modified: meta.modified().ok() });
            }
        }
        content.problems.extend(scanned.problems);
        if scanned.settings_broken {
            content.broken_settings.insert(name.clone());
        }
        content.playlists.insert(name, scanned.playlist);
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

/// The playlist folders at the top of the content folder, in natural order, and a problem for
/// each stray file and each folder that leads outside.
fn playlist_folders(place: &Place, entries: std::fs::ReadDir) -> (Vec<(String, PathBuf)>, Vec<Problem>) {
    let mut names: Vec<(String, PathBuf)> = Vec::new();
    let mut problems = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if is_ignored_name(&name) {
            continue;
        }
        let path = entry.path();
        if path.is_dir() {
            match place.inside(&path) {
                Ok(()) => names.push((name, path)),
                Err(msg) => problems.push(Problem::error(PathBuf::from(&name), msg)),
            }
        } else if !RESERVED_FILES.iter().any(|r| r.eq_ignore_ascii_case(&name)) && !is_feed_file(&name) {
            problems.push(Problem::warning(
                PathBuf::from(&name),
                format!("files at the top of the content folder are not played; move it into a playlist folder such as {DEFAULT_PLAYLIST}/"),
            ));
        }
    }
    names.sort_by(|a, b| natural_cmp(&a.0, &b.0));
    (names, problems)
}

/// The content folder being scanned: as given (for relative names in messages) and as the disk
/// names it, links resolved (to refuse what leads outside).
#[derive(Clone, Debug)]
struct Place {
    root: PathBuf,
    canonical_root: PathBuf,
    /// A playlist read from another folder: that folder, and the playlist folder it stands for
    /// (messages name the playlist's own folder).
    shown_as: Option<(PathBuf, PathBuf)>,
}

impl Place {
    /// The path relative to the content folder, for messages.
    fn rel(&self, p: &Path) -> PathBuf {
        let p = match &self.shown_as {
            Some((read, shown)) => {
                p.strip_prefix(read).map_or_else(|_| p.to_path_buf(), |rest| shown.join(rest))
            }
            None => p.to_path_buf(),
        };
        p.strip_prefix(&self.root).unwrap_or(&p).to_path_buf()
    }

    /// Refuses a path (after following links) that leads outside the content folder.
    fn inside(&self, path: &Path) -> Result<(), String> {
        match path.canonicalize() {
            Ok(real) if real.starts_with(&self.canonical_root) => Ok(()),
            Ok(_) => Err("it leads outside the content folder (a link?), so it is not shown".into()),
            Err(_) => Err("it is a broken link or cannot be read; it is skipped".into()),
        }
    }
}

/// One playlist folder, scanned.
struct ScannedPlaylist {
    playlist: Playlist,
    problems: Vec<Problem>,
    /// Its playlist.toml could not be read at all (the screen keeps the last good one).
    settings_broken: bool,
}

/// A file of a playlist folder that makes a slide.
struct SlideFile {
    name: String,
    source: Source,
    kind: MediaKind,
}

/// Scans one playlist folder: the items listed in its playlist.toml first, in the order listed,
/// then its other files in natural order, each with the playlist's settings.
fn scan_playlist(place: &Place, name: &str, dir: &Path, defaults: &SlidesConfig) -> ScannedPlaylist {
    let mut scanned = ScannedPlaylist {
        playlist: Playlist { name: name.to_string(), items: Vec::new(), shuffle: false },
        problems: Vec::new(),
        settings_broken: false,
    };
    let (files, subtitle_files) = match folder_files(place, dir) {
        Ok((files, subtitles, problems)) => {
            scanned.problems = problems;
            (files, subtitles)
        }
        Err(problem) => {
            scanned.problems.push(problem);
            return scanned;
        }
    };
    let mut draft = PlaylistDraft::new(place, dir, defaults);
    match read_playlist_toml(&mut draft) {
        Ok(problems) => scanned.problems.extend(problems),
        Err(problem) => {
            scanned.problems.push(problem);
            scanned.settings_broken = true;
        }
    }
    scanned.playlist.shuffle = draft.shuffle;
    let listed: Vec<PathBuf> =
        draft.listed.iter().filter_map(|i| i.source.file()).map(Path::to_path_buf).collect();
    let unlisted: Vec<Item> = files
        .into_iter()
        .filter(|f| f.source.file().is_some_and(|p| !listed.iter().any(|l| l == p)))
        .map(|f| draft.defaults.item(place, f.source, f.kind))
        .collect();
    scanned.playlist.items = draft.listed;
    scanned.playlist.items.extend(unlisted);
    attach_subtitles(place, &mut scanned.playlist.items, subtitle_files, &mut scanned.problems);
    if scanned.playlist.items.is_empty() {
        scanned.problems.push(Problem::warning(
            place.rel(dir),
            "this playlist has nothing to show; while it plays, the screen shows its calm fallback slide",
        ));
    }
    scanned
}

/// The files of a playlist folder that make slides, in natural order, with a problem for each
/// that cannot; Err when the folder cannot be read.
fn folder_files(place: &Place, dir: &Path) -> Result<(Vec<SlideFile>, Vec<PathBuf>, Vec<Problem>), Problem> {
    let entries = std::fs::read_dir(dir)
        .map_err(|e| Problem::error(place.rel(dir), format!("cannot read this playlist folder: {e}")))?;
    let (mut files, mut subtitles, mut problems) = (Vec::new(), Vec::new(), Vec::new());
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let path = entry.path();
        if is_ignored_name(&name) || name.eq_ignore_ascii_case(PLAYLIST_FILE) {
            continue;
        }
        // Only a link can lead outside: plain entries of a folder inside the content folder are
        // inside it (and need no extra look at the disk).
        let file_type = entry.file_type().ok();
        let is_link = file_type.is_some_and(|t| t.is_symlink());
        if is_link && let Err(msg) = place.inside(&path) {
            problems.push(Problem::error(place.rel(&path), msg));
            continue;
        }
        if is_subtitles(&name) && path.is_file() {
            subtitles.push(path);
            continue;
        }
        let is_dir = if is_link { path.is_dir() } else { file_type.is_some_and(|t| t.is_dir()) };
        if is_dir {
            problems.push(Problem::warning(
                place.rel(&path),
                "folders inside a playlist are not played; move its files up or make it a playlist of its own",
            ));
            continue;
        }
        match classify(&name).and_then(|kind| Ok((slide_source(path.clone(), kind)?, kind))) {
            Ok((source, kind)) => files.push(SlideFile { name, source, kind }),
            Err(msg) => problems.push(Problem::error(place.rel(&path), msg)),
        }
    }
    files.sort_by(|a, b| natural_cmp(&a.name, &b.name));
    Ok((files, subtitles, problems))
}

fn is_subtitles(name: &str) -> bool {
    let ext = Path::new(name).extension().and_then(|e| e.to_str()).map(str::to_lowercase).unwrap_or_default();
    SUBTITLE_EXTENSIONS.contains(&ext.as_str())
}

/// Gives each film the subtitles file of its name (`story.srt` for `story.mp4`), unless its
/// captions are off; subtitles for no film, or that cannot be read, are a problem each.
fn attach_subtitles(place: &Place, items: &mut [Item], files: Vec<PathBuf>, problems: &mut Vec<Problem>) {
    for file in files {
        let stem = file.file_stem().map(|s| s.to_string_lossy().to_lowercase());
        let same_name = |i: &Item| {
            i.kind == MediaKind::Video
                && i.source.file().and_then(Path::file_stem).map(|s| s.to_string_lossy().to_lowercase())
                    == stem
        };
        if !items.iter().any(same_name) {
            problems.push(Problem::warning(
                place.rel(&file),
                "these subtitles have no film of the same name in this folder (story.srt goes with story.mp4)",
            ));
            continue;
        }
        let too_large = std::fs::metadata(&file).is_ok_and(|m| m.len() > subtitles::MAX_BYTES as u64);
        let read = match too_large {
            true => Err(subtitles::SubtitleError::TooLarge.to_string()),
            false => read_small(&file, subtitles::MAX_BYTES).map_err(|e| e.to_string()),
        };
        match read.and_then(|bytes| subtitles::parse(&bytes).map_err(|e| e.to_string())) {
            Ok(cues) => {
                let found = Subtitles { rel: place.rel(&file), cues: Arc::new(cues) };
                for item in items.iter_mut().filter(|i| same_name(i) && i.captions && i.subtitles.is_none()) {
                    item.subtitles = Some(found.clone());
                }
            }
            Err(e) => problems
                .push(Problem::error(place.rel(&file), format!("{e}; the film plays without subtitles"))),
        }
    }
}

/// The settings a playlist gives its slides (corridor.toml's `[slides]`, changed by playlist.toml).
struct PlaylistDefaults {
    duration: Duration,
    transition: Transition,
    transition_time: Duration,
    fit: Fit,
    sound: bool,
    captions: bool,
}

impl PlaylistDefaults {
    /// A slide of this playlist with the playlist's settings.
    fn item(&self, place: &Place, source: Source, kind: MediaKind) -> Item {
        Item {
            rel: source.file().map(|p| place.rel(p)).unwrap_or_default(),
            source,
            kind,
            duration: self.duration,
            duration_given: false,
            transition: self.transition,
            transition_time: self.transition_time,
            fit: self.fit,
            sound: self.sound,
            caption: None,
            when: ItemWhen::default(),
            pages: PageChoice::all(),
            captions: self.captions,
            subtitles: None,
        }
    }
}

/// A playlist's settings as its playlist.toml is read.
struct PlaylistDraft {
    place: Place,
    dir: PathBuf,
    defaults: PlaylistDefaults,
    shuffle: bool,
    /// The [[item]]s that name a file that can play, in the order listed.
    listed: Vec<Item>,
}

impl PlaylistDraft {
    fn new(place: &Place, dir: &Path, d: &SlidesConfig) -> Self {
        let defaults = PlaylistDefaults {
            duration: d.default_duration,
            transition: d.transition,
            transition_time: d.transition_time,
            fit: d.fit,
            sound: d.sound,
            captions: d.captions,
        };
        Self { place: place.clone(), dir: dir.to_path_buf(), defaults, shuffle: false, listed: Vec::new() }
    }
}

/// Reads the playlist.toml of the draft's folder, if there is one, into the draft: the problems
/// found, or Err when the file cannot be read at all.
fn read_playlist_toml(draft: &mut PlaylistDraft) -> Result<Vec<Problem>, Problem> {
    let path = draft.dir.join(PLAYLIST_FILE);
    if !path.is_file() {
        return Ok(Vec::new());
    }
    let rel = draft.place.rel(&path);
    let bytes =
        std::fs::read(&path).map_err(|e| Problem::error(rel.clone(), format!("cannot read it: {e}")))?;
    let file = TomlFile::parse(&rel, &super::text::decode_text(&bytes))?;
    let mut r = file.reader();
    r.read_keys(r.root(), "", PLAYLIST_KEYS, draft);
    Ok(r.problems)
}

/// The keys of playlist.toml. `item` comes last: its entries take the playlist's settings above.
const PLAYLIST_KEYS: &[Key<PlaylistDraft>] = &[
    key!("duration", parsed(slide_duration), |d, v| d.defaults.duration = v),
    key!("transition", parsed(parse_transition), |d, v| d.defaults.transition = v),
    key!("transition_time", parsed(parse_duration), |d, v| d.defaults.transition_time = v),
    key!("fit", parsed(parse_fit), |d, v| d.defaults.fit = v),
    key!("sound", boolean, |d, v| d.defaults.sound = v),
    key!("captions", boolean, |d, v| d.defaults.captions = v),
    key!("shuffle", boolean, |d, v| d.shuffle = v),
    Key { name: "item", read: |r, t, k, d| r.tables(t, k).into_iter().for_each(|e| read_item(r, e, d)) },
];

/// An [[item]] as written.
#[derive(Default)]
struct ItemDraft {
    file: Option<String>,
    duration: Option<Duration>,
    caption: Option<String>,
    fit: Option<Fit>,
    transition: Option<Transition>,
    sound: Option<bool>,
    captions: Option<bool>,
    when: ItemWhen,
    pages: Option<PageChoice>,
}

/// The keys of an [[item]]: its file, its own settings, and when it is due.
const ITEM_KEYS: &[Key<ItemDraft>] = &[
    key!("file", string, |i, v| i.file = Some(v)),
    key!("duration", parsed(slide_duration), |i, v| i.duration = Some(v)),
    key!("page_duration", parsed(slide_duration), |i, v| i.duration = Some(v)),
    key!("pages", parsed(parse_pages), |i, v| i.pages = Some(v)),
    key!("caption", string, |i, v| i.caption = Some(v).filter(|c| !c.trim().is_empty())),
    key!("fit", parsed(parse_fit), |i, v| i.fit = Some(v)),
    key!("transition", parsed(parse_transition), |i, v| i.transition = Some(v)),
    key!("sound", boolean, |i, v| i.sound = Some(v)),
    key!("captions", boolean, |i, v| i.captions = Some(v)),
    key!("from", parsed(parse_date), |i, v| i.when.from = Some(v)),
    key!("until", parsed(parse_date), |i, v| i.when.until = Some(v)),
    Key { name: "days", read: read_item_days },
    Key { name: "times", read: read_item_times },
];

/// One [[item]]: added to the draft's listed items when its file can play.
fn read_item<'a>(r: &mut Reader<'a>, entry: &'a Table, draft: &mut PlaylistDraft) {
    let mut i = ItemDraft::default();
    r.read_keys(entry, "item", ITEM_KEYS, &mut i);
    if let (Some(a), Some(b)) = (i.when.from, i.when.until)
        && b < a
    {
        r.problem(entry, "until", "`until` comes before `from`; the item would never show".into());
    }
    let Some(file_name) = i.file.take() else {
        if entry.get("file").is_none() {
            r.problem_at(r.table_line(entry), "this [[item]] has no `file = \"...\"`; it is skipped".into());
        }
        return;
    };
    let (path, kind) = match listed_file(draft, &file_name) {
        Ok(found) => found,
        Err(msg) => return r.problem(entry, "file", msg),
    };
    let source = match slide_source(path.clone(), kind) {
        Ok(source) => source,
        Err(msg) => return r.problem(entry, "file", format!("\"{file_name}\": {msg}")),
    };
    let d = &draft.defaults;
    draft.listed.push(Item {
        rel: draft.place.rel(&path),
        source,
        kind,
        duration_given: entry.contains_key("duration") || entry.contains_key("page_duration"),
        duration: i.duration.unwrap_or(d.duration),
        transition: i.transition.unwrap_or(d.transition),
        transition_time: d.transition_time,
        fit: i.fit.unwrap_or(d.fit),
        sound: i.sound.unwrap_or(d.sound),
        caption: i.caption,
        when: i.when,
        pages: i.pages.unwrap_or_default(),
        captions: i.captions.unwrap_or(d.captions),
        subtitles: None,
    });
}

/// What a slide file plays: the file itself, or for a `.stream`/`.url` file the live stream
/// whose address it holds (read here, on the scanning thread), or why it names none.
fn slide_source(path: PathBuf, kind: MediaKind) -> Result<Source, String> {
    if kind != MediaKind::Stream {
        return Ok(Source::File(path));
    }
    let bytes =
        read_small(&path, stream::MAX_STREAM_FILE_BYTES).map_err(|e| format!("cannot read it: {e}"))?;
    let text = String::from_utf8(bytes)
        .map_err(|_| "this is not a text file with a stream's address".to_string())?;
    let is_shortcut = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("url"));
    let parsed = if is_shortcut { stream::parse_url_file(&text) } else { stream::parse_stream_file(&text) };
    let address = parsed.map_err(|e| e.to_string())?;
    Ok(Source::Stream { file: path, address })
}

/// A file's bytes, refused when it holds more than `limit` (read no further than that).
fn read_small(path: &Path, limit: usize) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let mut bytes = Vec::new();
    std::fs::File::open(path)?.take(limit as u64 + 1).read_to_end(&mut bytes)?;
    if bytes.len() > limit {
        return Err(std::io::Error::other(format!(
            "it is larger than {} KB, too large for an address",
            limit / 1024
        )));
    }
    Ok(bytes)
}

/// The file an [[item]] names, with its kind, or why it cannot play.
fn listed_file(draft: &PlaylistDraft, file_name: &str) -> Result<(PathBuf, MediaKind), String> {
    let path = listed_path(&draft.dir, file_name)
        .ok_or_else(|| format!("\"{file_name}\" leads outside the playlist folder; it is not shown"))?;
    if !path.is_file() {
        return Err(format!("\"{file_name}\" is not in this playlist folder; check the spelling"));
    }
    draft.place.inside(&path).map_err(|msg| format!("\"{file_name}\": {msg}"))?;
    let kind = classify(file_name).map_err(|msg| format!("\"{file_name}\": {msg}"))?;
    Ok((path, kind))
}

/// `days = "weekdays"`, `days = "mon, wed"` or `days = ["mon", "wed"]` of an [[item]].
fn read_item_days<'a>(r: &mut Reader<'a>, t: &'a Table, key: &'static str, i: &mut ItemDraft) {
    if let Some(words) = r.strings(t, key) {
        match parse_days(&words.join(",")) {
            Ok(d) => i.when.days = Some(d),
            Err(e) => r.problem(t, key, format!("`{key}`: {e}")),
        }
    }
}

/// `times = "08:00-09:00"` or a list of such ranges, of an [[item]].
fn read_item_times<'a>(r: &mut Reader<'a>, t: &'a Table, key: &'static str, i: &mut ItemDraft) {
    for text in r.strings(t, key).unwrap_or_default() {
        match parse_time_range(&text) {
            Ok(range) => i.when.times.push(range),
            Err(e) => r.problem(t, key, format!("`{key}`: {e}")),
        }
    }
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
        let synced = [
            ".syncthing.a.jpg.tmp",
            "~syncthing~a.jpg.tmp",
            ".stfolder",
            "a.sync-conflict-20270104-093000-ABCDEFG.jpg",
        ];
        let published = [".~tmp~", "SHA256SUMS", "SHA256SUMS.minisig"];
        for n in [".hidden.jpg", "~$report.docx", "a.jpg.part", "x.TMP", "big.jpg.crdownload", "Thumbs.db"]
            .into_iter()
            .chain(synced)
            .chain(published)
        {
            assert!(is_ignored_name(n), "{n}");
        }
        assert!(!is_ignored_name("photo.jpg"));
    }

    fn scan_one(playlist_toml: &str) -> Content {
        let dir = tempfile::tempdir().expect("temp dir");
        let pl = dir.path().join("default");
        std::fs::create_dir_all(&pl).expect("mkdir");
        std::fs::write(pl.join("a.txt"), "A\nnotice\n").expect("write");
        std::fs::write(pl.join("b.txt"), "B\nnotice\n").expect("write");
        std::fs::write(pl.join(PLAYLIST_FILE), playlist_toml).expect("write");
        let mut c = scan(dir.path(), &crate::core::config::Config::default().slides).expect("scan");
        c.problems
            .iter_mut()
            .for_each(|p| p.file = p.file.as_ref().and_then(|f| f.file_name()).map(PathBuf::from));
        c
    }

    #[test]
    fn items_with_their_own_dates_are_read() {
        let c = scan_one(
            "[[item]]\nfile = \"b.txt\"\nfrom = \"2027-03-01\"\nuntil = \"2027-03-05\"\ndays = \"weekdays\"\ntimes = [\"08:00-09:00\", \"15:00-15:30\"]\n",
        );
        assert!(c.problems.is_empty(), "{:?}", c.problems);
        let items = &c.playlist("default").expect("default").items;
        assert_eq!(items[0].rel, PathBuf::from("default/b.txt"));
        let when = &items[0].when;
        assert_eq!(when.from, parse_date("2027-03-01").ok());
        assert_eq!(when.until, parse_date("2027-03-05").ok());
        assert_eq!(when.days, parse_days("weekdays").ok());
        assert_eq!(when.times.len(), 2);
        assert!(items[1].when.is_always());
    }

    #[test]
    fn item_mistakes_each_have_their_line() {
        let c = scan_one(
            "shuffle = true\n[[item]]\nfile = \"b.txt\"\nfrom = \"2027-03-05\"\nuntil = \"2027-03-01\"\ntimse = \"08:00-09:00\"\ndays = \"funday\"\n[[item]]\ncaption = \"x\"\n[[item]]\nfile = \"nope.txt\"\n",
        );
        let msgs: Vec<String> = c.problems.iter().map(|p| p.to_string()).collect();
        let has = |start: &str, text: &str| msgs.iter().any(|m| m.starts_with(start) && m.contains(text));
        assert!(
            has("playlist.toml:6:", "unknown setting `timse` in [item]; did you mean `times`?"),
            "{msgs:?}"
        );
        assert!(has("playlist.toml:7:", "\"funday\" is not a day"), "{msgs:?}");
        assert!(has("playlist.toml:5:", "`until` comes before `from`"), "{msgs:?}");
        assert!(has("playlist.toml:8:", "has no `file"), "{msgs:?}");
        assert!(has("playlist.toml:11:", "\"nope.txt\" is not in this playlist folder"), "{msgs:?}");
        assert_eq!(msgs.len(), 5, "{msgs:?}");
        let pl = c.playlist("default").expect("default");
        assert!(pl.shuffle);
        assert_eq!(pl.items.len(), 2, "b.txt listed once, then a.txt");
    }

    #[test]
    fn listed_paths_cannot_climb() {
        let d = Path::new("/c/default");
        assert_eq!(listed_path(d, "a.jpg"), Some(PathBuf::from("/c/default/a.jpg")));
        assert_eq!(listed_path(d, "../b/a.jpg"), None);
        assert_eq!(listed_path(d, "/etc/passwd"), None);
    }
}
