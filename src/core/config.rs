//! `corridor.toml`: where it is looked for, what it may hold, and the defaults when it says nothing.
//!
//! Parsed in two stages (syntax, then each known key), so one run reports every problem with its
//! line, and a bad key falls back to its default instead of stopping the screen.

use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono_tz::Tz;
use toml_edit::Table;

use super::colour::{Rgb, parse_colour};
use super::deck::convert::Limits as DeckLimits;
use super::duration::parse_duration;
pub use super::layout::LayoutConfig;
use super::layout::{WIDGETS_POSITIONS, WidgetsPosition};
use super::problems::Problem;
use super::stream::{DEFAULT_HOLD, DEFAULT_LATENCY, StreamAddress, parse_address};
use super::sync::source::{Source, parse_bytes, read_sources, read_trusted_keys};
use super::text::decode_text;
use super::tomlx::{Key, Reader, TomlFile, key, one_of, section};

/// How one slide gives way to the next.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Transition {
    Crossfade,
    Cut,
}

/// How a picture fills the stage.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fit {
    /// The whole picture shows; bands of background colour fill the rest.
    Contain,
    /// The picture fills the stage; edges that do not fit are cut off.
    Cover,
}

pub fn parse_transition(s: &str) -> Result<Transition, String> {
    one_of(s, &[("crossfade", Transition::Crossfade), ("cut", Transition::Cut)])
}

pub fn parse_fit(s: &str) -> Result<Fit, String> {
    one_of(s, &[("contain", Fit::Contain), ("cover", Fit::Cover)])
}

#[derive(Clone, Debug, PartialEq)]
pub struct DisplayConfig {
    pub fullscreen: bool,
    pub windowed_size: (u32, u32),
    pub background: Rgb,
    /// The output to fill when there are several (e.g. `HDMI-A-1`); None: the primary or first.
    pub output: Option<String>,
    /// Degrees clockwise the picture is turned, for a screen mounted sideways on a PC that
    /// cannot turn its output: 0, 90, 180 or 270.
    pub rotation: u16,
}

#[derive(Clone, Debug, PartialEq)]
pub struct SlidesConfig {
    pub default_duration: Duration,
    pub transition: Transition,
    pub transition_time: Duration,
    pub fit: Fit,
    /// Pictures whose header claims more pixels than this are not decoded.
    pub max_megapixels: f64,
    /// Videos play their sound (corridors: off unless switched on).
    pub sound: bool,
    /// Presentations: the time limit of one conversion, the pages drawn at most, and the cap
    /// on a zipped deck's unpacked size (`convert_timeout`, `max_pages`).
    pub decks: DeckLimits,
    /// The most the drawn decks may take in the state folder (`cache_max`).
    pub deck_cache_max: u64,
    /// Films show their subtitles (`captions`).
    pub captions: bool,
}

/// How the content folder is watched.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WatchMode {
    /// File-system events, falling back to polling where they do not work.
    Auto,
    Events,
    Poll,
}

/// Where the play log goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PlayLog {
    /// The default folder for `corridor run` (under XDG_STATE_HOME); none for other commands.
    Default,
    Folder(PathBuf),
    Off,
}

/// A widget of the column.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WidgetKind {
    Clock,
    HousePoints,
    Birthdays,
    Awards,
    Sports,
    Countdowns,
}

pub const WIDGET_NAMES: &[(&str, WidgetKind)] = &[
    ("clock", WidgetKind::Clock),
    ("house_points", WidgetKind::HousePoints),
    ("birthdays", WidgetKind::Birthdays),
    ("awards", WidgetKind::Awards),
    ("sports", WidgetKind::Sports),
    ("countdowns", WidgetKind::Countdowns),
];

/// The widget column: which widgets, in which order, how long each shows.
#[derive(Clone, Debug, PartialEq)]
pub struct WidgetsConfig {
    pub show: Vec<WidgetKind>,
    pub cycle: Duration,
    pub birthday_class: bool,
    pub birthday_weekend: bool,
}

/// Which bundled typeface the screen's text is set in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum FontChoice {
    /// DejaVu Sans: Latin, Greek and Cyrillic.
    #[default]
    Standard,
    /// Atkinson Hyperlegible: letters that are hard to confuse, for pupils who find the
    /// standard face harder to read (Latin only; other scripts fall back to DejaVu Sans).
    Legible,
}

/// `[branding]`: the school's name and logo in a header strip, and its colours. Every field is
/// optional; without any, the screen looks as it always has.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct BrandingConfig {
    pub name: Option<String>,
    /// PNG, JPEG or SVG; a relative path counts from corridor.toml's folder.
    pub logo: Option<PathBuf>,
    /// The header strip's colour.
    pub header: Option<Rgb>,
    /// The widgets' panel.
    pub panel: Option<Rgb>,
    /// Highlights: the clock, widget titles.
    pub accent: Option<Rgb>,
    /// The ticker strip.
    pub ticker: Option<Rgb>,
    pub font: FontChoice,
}

impl BrandingConfig {
    /// Whether the header strip shows: a name or a logo is set.
    pub fn header_shown(&self) -> bool {
        self.name.is_some() || self.logo.is_some()
    }
}

/// The school's live broadcast (`[live]`): the stream that takes over the stage while it is on
/// air, and how every live stream plays.
#[derive(Clone, Debug, PartialEq)]
pub struct LiveConfig {
    /// The on-air stream's address (`LIVE.stream` at the top of the content folder wins).
    pub url: Option<StreamAddress>,
    /// On air, the stream covers the whole screen (ticker and widgets too).
    pub fullscreen: bool,
    /// How long a stream's source waits for late packets.
    pub latency: Duration,
    /// How long a stalled stream's last frame stays before the show moves on.
    pub hold: Duration,
    /// The on-air stream plays its sound.
    pub sound: bool,
}

impl Default for LiveConfig {
    fn default() -> Self {
        Self { url: None, fullscreen: false, latency: DEFAULT_LATENCY, hold: DEFAULT_HOLD, sound: false }
    }
}

/// The emergency alert's colours.
#[derive(Clone, Debug, PartialEq)]
pub struct AlertConfig {
    pub background: Rgb,
    pub text: Rgb,
}

/// The whole configuration, every value checked and defaulted.
#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    /// The file it was read from, if any.
    pub source: Option<PathBuf>,
    pub content: PathBuf,
    pub screen: String,
    pub timezone: Tz,
    pub display: DisplayConfig,
    pub slides: SlidesConfig,
    pub layout: LayoutConfig,
    /// How changes in the content folder are noticed.
    pub watch: WatchMode,
    /// How often the folder is looked at in poll mode.
    pub poll_interval: Duration,
    /// A new or changed file must stay unchanged this long before it is shown.
    pub settle_time: Duration,
    /// Keep a small JSON file about what is on screen here (for IT).
    pub status_file: Option<PathBuf>,
    /// The play log folder: one JSON line per slide shown, a file per day.
    pub play_log: PlayLog,
    /// Days of play log kept.
    pub play_log_days: u32,
    /// Where corridor keeps what it learns (the feeds' last good copies); None: the default,
    /// `$XDG_STATE_HOME/corridor`.
    pub state_folder: Option<PathBuf>,
    pub alert: AlertConfig,
    pub widgets: WidgetsConfig,
    pub branding: BrandingConfig,
    pub live: LiveConfig,
    /// Run when an `[[off]]` period starts (e.g. "xset dpms force off"); failures are logged.
    pub power_off_command: Option<String>,
    /// Run when an `[[off]]` period ends (e.g. "xset dpms force on").
    pub power_on_command: Option<String>,
    /// Write the screen's health here in Prometheus' text format (for node-exporter).
    pub metrics_file: Option<PathBuf>,
    /// Keep a small JPEG of what the screen shows here (for IT), and how often to take it.
    pub screenshot_file: Option<PathBuf>,
    pub screenshot_every: Duration,
    /// Published folders this screen subscribes to (`[[source]]`).
    pub sources: Vec<Source>,
    /// Keys a synced folder's signature may verify with (`trusted_keys`: `RW…` lines).
    pub trusted_keys: Vec<String>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            source: None,
            content: PathBuf::from("playlists"),
            screen: "corridor".to_string(),
            timezone: system_timezone(),
            display: DisplayConfig {
                fullscreen: true,
                windowed_size: (1280, 720),
                output: None,
                background: Rgb::new(0x10, 0x18, 0x20),
                rotation: 0,
            },
            slides: SlidesConfig {
                default_duration: Duration::from_secs(10),
                transition: Transition::Crossfade,
                transition_time: Duration::from_millis(800),
                fit: Fit::Contain,
                max_megapixels: 100.0,
                sound: false,
                decks: DeckLimits::default(),
                deck_cache_max: 2 << 30,
                captions: true,
            },
            layout: LayoutConfig::default(),
            watch: WatchMode::Auto,
            poll_interval: Duration::from_secs(2),
            settle_time: Duration::from_secs(2),
            status_file: None,
            play_log: PlayLog::Default,
            play_log_days: 90,
            state_folder: None,
            alert: AlertConfig { background: Rgb::new(0xb9, 0x1c, 0x1c), text: Rgb::new(255, 255, 255) },
            widgets: WidgetsConfig {
                show: WIDGET_NAMES.iter().map(|(_, k)| *k).collect(),
                cycle: Duration::from_secs(12),
                birthday_class: true,
                birthday_weekend: true,
            },
            branding: BrandingConfig::default(),
            live: LiveConfig::default(),
            power_off_command: None,
            power_on_command: None,
            metrics_file: None,
            screenshot_file: None,
            screenshot_every: Duration::from_secs(300),
            sources: Vec::new(),
            trusted_keys: Vec::new(),
        }
    }
}

/// The default state folder: $XDG_STATE_HOME/corridor, or ~/.local/state/corridor.
pub fn default_state_folder() -> Option<PathBuf> {
    let state = std::env::var_os("XDG_STATE_HOME")
        .filter(|s| !s.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/state")))?;
    Some(state.join("corridor"))
}

/// The default play log folder: `play-log` in the default state folder.
pub fn default_play_log() -> Option<PathBuf> {
    default_state_folder().map(|s| s.join("play-log"))
}

impl Config {
    /// The state folder in use: `state_folder`, or the default.
    pub fn state_folder(&self) -> Option<PathBuf> {
        self.state_folder.clone().or_else(default_state_folder)
    }

    /// Where the feeds' last good copies are kept.
    pub fn feed_cache(&self) -> Option<PathBuf> {
        self.state_folder().map(|s| s.join("feeds"))
    }
}

/// The machine's own time zone, or UTC when it cannot be told.
pub fn system_timezone() -> Tz {
    iana_time_zone::get_timezone().ok().and_then(|name| name.parse::<Tz>().ok()).unwrap_or(Tz::UTC)
}

/// Where `corridor.toml` is looked for when `--config` is not given.
pub const SEARCH_PATHS: &[&str] = &["corridor.toml", "/etc/corridor/corridor.toml"];

/// A loaded configuration with whatever was wrong in it.
#[derive(Debug)]
pub struct Loaded {
    pub config: Config,
    pub problems: Vec<Problem>,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("the config file {0} does not exist")]
    Missing(PathBuf),
    #[error("cannot read the config file {path}: {source}")]
    Unreadable { path: PathBuf, source: std::io::Error },
}

/// Finds and reads the config: `explicit` if given (it must exist), else the search paths, else defaults.
pub fn load(explicit: Option<&Path>) -> Result<Loaded, ConfigError> {
    let path = match explicit {
        Some(p) if !p.exists() => return Err(ConfigError::Missing(p.to_path_buf())),
        Some(p) => Some(p.to_path_buf()),
        None => SEARCH_PATHS.iter().map(PathBuf::from).find(|p| p.is_file()),
    };
    let Some(path) = path else {
        return Ok(Loaded { config: Config::default(), problems: Vec::new() });
    };
    let text =
        std::fs::read(&path).map_err(|source| ConfigError::Unreadable { path: path.clone(), source })?;
    Ok(parse(&path, &decode_text(&text)))
}

/// Parses config text. Problems are collected; each bad value keeps its default.
pub fn parse(path: &Path, text: &str) -> Loaded {
    let mut config = Config { source: Some(path.to_path_buf()), ..Config::default() };
    let file = match TomlFile::parse(path, text) {
        Ok(f) => f,
        Err(p) => {
            return Loaded { config, problems: vec![p] };
        }
    };
    let mut r = file.reader();
    r.read_keys(r.root(), "", ROOT_KEYS, &mut config);
    Loaded { config, problems: r.problems }
}

/// The keys at the top of corridor.toml (the sections among them), in the order the docs list them.
/// The names corridor.toml allows at its top level (settings and sections), from its one
/// declaration.
pub fn top_level_keys() -> Vec<&'static str> {
    ROOT_KEYS.iter().map(|k| k.name).collect()
}

const ROOT_KEYS: &[Key<Config>] = &[
    key!("content", string, |c, v| c.content = beside(c, v)),
    key!("screen", string, |c, v| c.screen = v),
    key!("timezone", parsed(parse_timezone), |c, v| c.timezone = v),
    key!("watch", parsed(parse_watch), |c, v| c.watch = v),
    key!("poll_interval", parsed(parse_duration), |c, v| c.poll_interval = v.max(Duration::from_millis(100))),
    key!("settle_time", parsed(parse_duration), |c, v| c.settle_time = v),
    key!("status_file", string, |c, v| c.status_file = Some(beside(c, v))),
    key!("screenshot_file", string, |c, v| c.screenshot_file =
        Some(v).filter(|v| !v.trim().is_empty()).map(|v| beside(c, v))),
    key!("screenshot_every", parsed(parse_duration), |c, v| c.screenshot_every =
        v.max(Duration::from_secs(10))),
    key!("metrics_file", string, |c, v| c.metrics_file =
        Some(v).filter(|v| !v.trim().is_empty()).map(|v| beside(c, v))),
    key!("play_log", string, |c, v| c.play_log = play_log(c, v)),
    Key { name: "play_log_days", read: read_play_log_days },
    key!("state_folder", string, |c, v| c.state_folder =
        Some(v).filter(|v| !v.trim().is_empty()).map(|v| beside(c, v))),
    key!("power_off_command", string, |c, v| c.power_off_command = Some(v).filter(|v| !v.trim().is_empty())),
    key!("power_on_command", string, |c, v| c.power_on_command = Some(v).filter(|v| !v.trim().is_empty())),
    section!("display", DISPLAY_KEYS),
    section!("slides", SLIDES_KEYS),
    section!("layout", LAYOUT_KEYS),
    section!("alert", ALERT_KEYS),
    section!("widgets", WIDGETS_KEYS),
    section!("branding", BRANDING_KEYS),
    section!("live", LIVE_KEYS),
    Key { name: "trusted_keys", read: |r, t, k, c| c.trusted_keys = read_trusted_keys(r, t, k) },
    Key {
        name: "source",
        read: |r, t, k, c| {
            let dir = c.source.as_deref().and_then(Path::parent).filter(|d| !d.as_os_str().is_empty());
            c.sources = read_sources(r, t, k, dir);
        },
    },
];

const LIVE_KEYS: &[Key<Config>] = &[
    key!("url", parsed(parse_live_url), |c, v| c.live.url = v),
    key!("fullscreen", boolean, |c, v| c.live.fullscreen = v),
    key!("latency", parsed(parse_duration), |c, v| c.live.latency = v.min(Duration::from_secs(10))),
    key!("hold", parsed(parse_duration), |c, v| c.live.hold =
        v.clamp(Duration::from_millis(100), Duration::from_secs(60))),
    key!("sound", boolean, |c, v| c.live.sound = v),
];

/// `[live] url`: a stream address, or "" for none.
fn parse_live_url(s: &str) -> Result<Option<StreamAddress>, String> {
    if s.trim().is_empty() {
        return Ok(None);
    }
    parse_address(s).map(Some).map_err(|e| e.to_string())
}

const BRANDING_KEYS: &[Key<Config>] = &[
    key!("name", string, |c, v| c.branding.name = Some(v.trim().to_string()).filter(|v| !v.is_empty())),
    key!("logo", string, |c, v| c.branding.logo =
        Some(v).filter(|v| !v.trim().is_empty()).map(|v| beside(c, v))),
    key!("header", parsed(parse_colour), |c, v| c.branding.header = Some(v)),
    key!("panel", parsed(parse_colour), |c, v| c.branding.panel = Some(v)),
    key!("accent", parsed(parse_colour), |c, v| c.branding.accent = Some(v)),
    key!("ticker", parsed(parse_colour), |c, v| c.branding.ticker = Some(v)),
    key!("font", parsed(parse_font), |c, v| c.branding.font = v),
];

fn parse_font(s: &str) -> Result<FontChoice, String> {
    one_of(s, &[("standard", FontChoice::Standard), ("legible", FontChoice::Legible)])
}

const DISPLAY_KEYS: &[Key<Config>] = &[
    key!("fullscreen", boolean, |c, v| c.display.fullscreen = v),
    key!("windowed_size", parsed(parse_size), |c, v| c.display.windowed_size = v),
    key!("background", parsed(parse_colour), |c, v| c.display.background = v),
    key!("output", string, |c, v| c.display.output = Some(v.trim().to_string()).filter(|v| !v.is_empty())),
    Key {
        name: "rotation",
        read: |r, t, k, c| match r.integer(t, k) {
            Some(d @ (0 | 90 | 180 | 270)) => c.display.rotation = d as u16,
            Some(d) => {
                r.problem(t, k, format!("`rotation` is 0, 90, 180 or 270 (degrees clockwise), not {d}"))
            }
            None => {}
        },
    },
];

const SLIDES_KEYS: &[Key<Config>] = &[
    key!("default_duration", parsed(positive_duration), |c, v| c.slides.default_duration = v),
    key!("transition", parsed(parse_transition), |c, v| c.slides.transition = v),
    key!("transition_time", parsed(parse_duration), |c, v| c.slides.transition_time = v),
    key!("fit", parsed(parse_fit), |c, v| c.slides.fit = v),
    Key { name: "max_megapixels", read: read_max_megapixels },
    key!("sound", boolean, |c, v| c.slides.sound = v),
    key!("convert_timeout", parsed(parse_duration), |c, v| c.slides.decks.timeout =
        v.clamp(Duration::from_secs(5), Duration::from_secs(3600))),
    Key {
        name: "max_pages",
        read: |r, t, k, c| match r.integer(t, k) {
            Some(n @ 1..=10_000) => c.slides.decks.max_pages = n as u32,
            Some(n) => r.problem(t, k, format!("`max_pages` is between 1 and 10000, not {n}")),
            None => {}
        },
    },
    key!("cache_max", parsed(parse_bytes), |c, v| c.slides.deck_cache_max = v),
    key!("captions", boolean, |c, v| c.slides.captions = v),
];

const LAYOUT_KEYS: &[Key<Config>] = &[
    key!("ticker", boolean, |c, v| c.layout.ticker = v),
    Key {
        name: "ticker_height",
        read: |r, t, k, c| c.layout.ticker_height = fraction(r, t, k, 0.3).unwrap_or(c.layout.ticker_height),
    },
    key!("widgets", boolean, |c, v| c.layout.widgets = v),
    Key {
        name: "widgets_width",
        read: |r, t, k, c| c.layout.widgets_width = fraction(r, t, k, 0.5).unwrap_or(c.layout.widgets_width),
    },
    key!("widgets_position", parsed(parse_widgets_position), |c, v| c.layout.widgets_position = v),
    Key {
        name: "widgets_height",
        read: |r, t, k, c| {
            c.layout.widgets_height = fraction(r, t, k, 0.5).unwrap_or(c.layout.widgets_height)
        },
    },
];

fn parse_widgets_position(s: &str) -> Result<WidgetsPosition, String> {
    one_of(s, WIDGETS_POSITIONS)
}

const ALERT_KEYS: &[Key<Config>] = &[
    key!("background", parsed(parse_colour), |c, v| c.alert.background = v),
    key!("text", parsed(parse_colour), |c, v| c.alert.text = v),
];

const WIDGETS_KEYS: &[Key<Config>] = &[
    Key { name: "show", read: read_widget_show },
    key!("cycle", parsed(parse_duration), |c, v| c.widgets.cycle = v.max(Duration::from_secs(2))),
    key!("birthday_class", boolean, |c, v| c.widgets.birthday_class = v),
    key!("birthday_weekend", boolean, |c, v| c.widgets.birthday_weekend = v),
];

/// A path written in the file: relative ones count from the file's folder.
fn beside(config: &Config, p: String) -> PathBuf {
    let p = PathBuf::from(p);
    match config.source.as_deref().and_then(Path::parent) {
        Some(dir) if p.is_relative() && !dir.as_os_str().is_empty() => dir.join(p),
        _ => p,
    }
}

fn play_log(config: &Config, f: String) -> PlayLog {
    if f.trim().eq_ignore_ascii_case("off") || f.trim().is_empty() {
        PlayLog::Off
    } else {
        PlayLog::Folder(beside(config, f))
    }
}

fn parse_timezone(s: &str) -> Result<Tz, String> {
    s.parse::<Tz>().map_err(|_| format!("\"{s}\" is not a time zone; write it like \"Europe/London\""))
}

fn parse_watch(s: &str) -> Result<WatchMode, String> {
    one_of(s, &[("auto", WatchMode::Auto), ("events", WatchMode::Events), ("poll", WatchMode::Poll)])
}

fn read_play_log_days<'a>(r: &mut Reader<'a>, t: &'a Table, key: &'static str, c: &mut Config) {
    match r.integer(t, key) {
        Some(n) if n >= 1 => c.play_log_days = n.min(100_000) as u32,
        Some(_) => r.problem(t, key, format!("`{key}` should be 1 or more")),
        None => {}
    }
}

fn read_max_megapixels<'a>(r: &mut Reader<'a>, t: &'a Table, key: &'static str, c: &mut Config) {
    match r.number(t, key) {
        Some(v) if v > 0.0 => c.slides.max_megapixels = v,
        Some(_) => r.problem(t, key, format!("`{key}` should be more than 0")),
        None => {}
    }
}

fn read_widget_show<'a>(r: &mut Reader<'a>, t: &'a Table, key: &'static str, c: &mut Config) {
    let Some(names) = r.strings(t, key) else { return };
    let mut show = Vec::new();
    for n in names {
        match one_of(&n.replace('-', "_"), WIDGET_NAMES) {
            Ok(k) if !show.contains(&k) => show.push(k),
            Ok(_) => {}
            Err(e) => r.problem(t, key, format!("`{key}`: {e}")),
        }
    }
    c.widgets.show = show;
}

fn fraction<'a>(r: &mut Reader<'a>, t: &'a Table, key: &str, max: f64) -> Option<f32> {
    let v = r.number(t, key)?;
    if v > 0.0 && v <= max {
        Some(v as f32)
    } else {
        r.problem(t, key, format!("`{key}` is a fraction of the screen: more than 0 and at most {max}"));
        None
    }
}

fn positive_duration(s: &str) -> Result<Duration, String> {
    let d = parse_duration(s)?;
    if d < Duration::from_millis(500) {
        return Err(format!("\"{s}\" is too short for a slide; use at least \"0.5s\""));
    }
    Ok(d)
}

/// Parses "1920x1080".
pub fn parse_size(s: &str) -> Result<(u32, u32), String> {
    let err = || format!("\"{s}\" is not a size; write it like \"1920x1080\"");
    let (w, h) = s.trim().split_once(['x', 'X', '×']).ok_or_else(err)?;
    let w: u32 = w.trim().parse().map_err(|_| err())?;
    let h: u32 = h.trim().parse().map_err(|_| err())?;
    if !(16..=16_384).contains(&w) || !(16..=16_384).contains(&h) {
        return Err(err());
    }
    Ok((w, h))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_file_gives_defaults() {
        let l = parse(Path::new("corridor.toml"), "");
        assert!(l.problems.is_empty());
        assert_eq!(l.config.slides.default_duration, Duration::from_secs(10));
        assert_eq!(l.config.content, PathBuf::from("playlists"));
    }

    #[test]
    fn full_file_is_read() {
        let text = r##"
content = "/srv/corridor"
screen = "Hall"
timezone = "Europe/London"
[display]
fullscreen = false
windowed_size = "800x600"
background = "#000000"
[slides]
default_duration = "7s"
transition = "cut"
transition_time = "0.5s"
fit = "cover"
max_megapixels = 40
[layout]
ticker = false
widgets_width = 0.25
"##;
        let l = parse(Path::new("/etc/corridor/corridor.toml"), text);
        assert!(l.problems.is_empty(), "{:?}", l.problems);
        let c = l.config;
        assert_eq!(c.content, PathBuf::from("/srv/corridor"));
        assert_eq!(c.screen, "Hall");
        assert_eq!(c.timezone, chrono_tz::Europe::London);
        assert!(!c.display.fullscreen);
        assert_eq!(c.display.windowed_size, (800, 600));
        assert_eq!(c.slides.transition, Transition::Cut);
        assert_eq!(c.slides.fit, Fit::Cover);
        assert_eq!(c.slides.default_duration, Duration::from_secs(7));
        assert_eq!(c.slides.max_megapixels, 40.0);
        assert!(!c.layout.ticker);
        assert_eq!(c.layout.widgets_width, 0.25);
    }

    #[test]
    fn relative_content_is_beside_the_file() {
        let l = parse(Path::new("/etc/corridor/corridor.toml"), "content = \"media\"");
        assert_eq!(l.config.content, PathBuf::from("/etc/corridor/media"));
    }

    #[test]
    fn bad_values_name_key_and_line_and_keep_defaults() {
        let text =
            "screen = \"A\"\n[slides]\ntransition = \"wipe\"\ndefault_duraton = \"5s\"\nfit = \"cover\"\n";
        let l = parse(Path::new("c.toml"), text);
        assert_eq!(l.problems.len(), 2, "{:?}", l.problems);
        assert_eq!(l.problems[0].line, Some(4));
        assert!(l.problems[0].message.contains("did you mean `default_duration`"));
        assert_eq!(l.problems[1].line, Some(3));
        assert!(l.problems[1].message.contains("transition"));
        assert_eq!(l.config.slides.transition, Transition::Crossfade);
        assert_eq!(l.config.slides.fit, Fit::Cover);
        assert_eq!(l.config.screen, "A");
    }

    #[test]
    fn bad_timezone_and_size() {
        let l =
            parse(Path::new("c.toml"), "timezone = \"Mars/Olympus\"\n[display]\nwindowed_size = \"big\"\n");
        assert_eq!(l.problems.len(), 2);
        assert_eq!(l.problems[0].line, Some(1));
        assert_eq!(l.problems[1].line, Some(3));
    }

    #[test]
    fn sizes() {
        assert_eq!(parse_size("1920x1080"), Ok((1920, 1080)));
        assert!(parse_size("0x0").is_err());
        assert!(parse_size("wide").is_err());
    }

    #[test]
    fn a_file_saved_by_notepad_in_ansi_keeps_its_accents() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("corridor.toml");
        std::fs::write(&path, b"screen = \"Entr\xe9e \x96 caf\xe9\"\r\n[slides]\r\nfit = \"cover\"\r\n")
            .expect("write");
        let l = load(Some(&path)).expect("loads");
        assert!(l.problems.is_empty(), "{:?}", l.problems);
        assert_eq!(l.config.screen, "Entrée – café");
        assert_eq!(l.config.slides.fit, Fit::Cover);
    }

    #[test]
    fn every_documented_key_is_read() {
        let text = "content = \"c\"\nscreen = \"s\"\ntimezone = \"Asia/Tokyo\"\nwatch = \"poll\"\npoll_interval = \"5s\"\nsettle_time = \"1s\"\nstatus_file = \"st.json\"\nplay_log = \"off\"\nplay_log_days = 3\nstate_folder = \"state\"\npower_off_command = \"a\"\npower_on_command = \"b\"\n[display]\nfullscreen = false\nwindowed_size = \"640x480\"\nbackground = \"red\"\noutput = \"HDMI-A-1\"\nrotation = 90\n[slides]\ndefault_duration = \"3s\"\ntransition = \"cut\"\ntransition_time = \"2s\"\nfit = \"cover\"\nmax_megapixels = 5\nsound = true\n[layout]\nticker = false\nticker_height = 0.1\nwidgets = false\nwidgets_width = 0.3\nwidgets_position = \"top\"\nwidgets_height = 0.25\n[widgets]\nshow = [\"sports\", \"clock\"]\ncycle = \"30s\"\nbirthday_class = false\nbirthday_weekend = false\n[alert]\nbackground = \"navy\"\ntext = \"gold\"\n[branding]\nname = \"Hawes Side Academy\"\nlogo = \"logo.svg\"\nheader = \"navy\"\npanel = \"#203040\"\naccent = \"gold\"\nticker = \"teal\"\nfont = \"legible\"\n";
        let l = parse(Path::new("/d/corridor.toml"), text);
        assert!(l.problems.is_empty(), "{:?}", l.problems);
        let d = Config::default();
        let c = l.config;
        assert_eq!(c.content, PathBuf::from("/d/c"));
        assert_eq!(c.status_file, Some(PathBuf::from("/d/st.json")));
        assert_eq!(c.state_folder, Some(PathBuf::from("/d/state")));
        assert_eq!((c.play_log, c.play_log_days, c.watch), (PlayLog::Off, 3, WatchMode::Poll));
        assert_eq!((c.poll_interval, c.settle_time), (Duration::from_secs(5), Duration::from_secs(1)));
        assert_eq!((c.power_off_command.as_deref(), c.power_on_command.as_deref()), (Some("a"), Some("b")));
        assert_eq!((c.screen.as_str(), c.timezone), ("s", chrono_tz::Asia::Tokyo));
        let red = parse_colour("red").expect("a colour");
        assert_eq!(
            c.display,
            DisplayConfig {
                fullscreen: false,
                windowed_size: (640, 480),
                background: red,
                output: Some("HDMI-A-1".into()),
                rotation: 90,
            }
        );
        let slides = SlidesConfig {
            default_duration: Duration::from_secs(3),
            transition: Transition::Cut,
            transition_time: Duration::from_secs(2),
            fit: Fit::Cover,
            max_megapixels: 5.0,
            sound: true,
            ..Config::default().slides
        };
        assert_eq!(c.slides, slides);
        assert_eq!(
            c.layout,
            LayoutConfig {
                ticker: false,
                ticker_height: 0.1,
                widgets: false,
                widgets_position: WidgetsPosition::Top,
                widgets_width: 0.3,
                widgets_height: 0.25,
            }
        );
        let widgets = WidgetsConfig {
            show: vec![WidgetKind::Sports, WidgetKind::Clock],
            cycle: Duration::from_secs(30),
            birthday_class: false,
            birthday_weekend: false,
        };
        assert_eq!(c.widgets, widgets);
        assert_eq!(c.alert, AlertConfig { background: Rgb::new(16, 24, 64), text: Rgb::new(212, 175, 55) });
        assert_ne!(c.alert, d.alert);
        let b = &c.branding;
        assert_eq!(
            (b.name.as_deref(), b.logo.as_deref()),
            (Some("Hawes Side Academy"), Some(Path::new("/d/logo.svg")))
        );
        assert_eq!((b.header, b.accent), (Some(Rgb::new(16, 24, 64)), Some(Rgb::new(212, 175, 55))));
        assert_eq!((b.panel, b.font), (Some(Rgb::new(0x20, 0x30, 0x40)), FontChoice::Legible));
        assert!(b.ticker.is_some() && b.header_shown() && !d.branding.header_shown());
    }

    #[test]
    fn bad_branding_keeps_the_defaults_and_names_the_allowed_values() {
        let text = "[branding]\nname = \"School\"\nheader = \"blurple\"\nfont = \"comic\"\n[display]\nrotation = 45\n[layout]\nwidgets_position = \"middle\"\n";
        let l = parse(Path::new("/d/corridor.toml"), text);
        let msgs: Vec<String> = l.problems.iter().map(|p| p.to_string()).collect();
        assert_eq!(msgs.len(), 4, "{msgs:?}");
        let has = |line: &str, words: &[&str]| {
            msgs.iter().any(|m| m.contains(line) && words.iter().all(|w| m.contains(w)))
        };
        assert!(has(":3:", &["blurple", "#1a2b3c"]), "{msgs:?}");
        assert!(has(":4:", &["standard", "legible"]), "{msgs:?}");
        assert!(has(":6:", &["0, 90, 180 or 270"]), "{msgs:?}");
        assert!(has(":8:", &["middle", "\"auto\"", "\"bottom\""]), "{msgs:?}");
        assert_eq!(l.config.layout.widgets_position, WidgetsPosition::Auto);
        assert_eq!(l.config.display.rotation, 0);
        assert_eq!((l.config.branding.header, l.config.branding.font), (None, FontChoice::Standard));
        assert_eq!(l.config.branding.name.as_deref(), Some("School"));
    }

    #[test]
    fn missing_explicit_file_is_an_error() {
        assert!(matches!(load(Some(Path::new("/nonexistent/c.toml"))), Err(ConfigError::Missing(_))));
    }
}
