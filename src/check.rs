//! `corridor check`: reads the settings, the whole content folder and the schedule, decodes every
//! slide the way the screen would, fetches the ticker's feeds once, and prints one line per problem in plain words, then what
//! plays now.

use std::io::Write;
use std::time::Duration;

use chrono::NaiveDateTime;

use crate::core::config::Config;
use crate::core::content::{self, Content};
use crate::core::deck::cache::DeckCache;
use crate::core::library::{self, Kept, Reading};
use crate::core::live;
use crate::core::media::video::{Decoder, VideoStream};
use crate::core::media::{self, Limits};
use crate::core::problems::Problem;
use crate::core::schedule::{self, Schedule, describe};
use crate::core::stream::StreamAddress;
use crate::core::sync::guard::Guard;
use crate::core::sync::record;
use crate::core::ticker::{self, worker::fetch_all};

/// The size slides are test-decoded at: small, so a check of a big folder stays quick.
const CHECK_STAGE: (u32, u32) = (480, 270);
/// Decks are drawn for a 1080p stage, the commonest screen (the player draws them again at its
/// own stage's size if it differs).
const DECK_STAGE: (u32, u32) = (1920, 1080);
/// How far ahead overlapping slots are looked for.
const OVERLAP_DAYS: i64 = 366;

/// Everything `check` found.
pub struct Report {
    pub content: Content,
    /// The schedule in force: the file's, or none (default all day) when it has errors.
    pub schedule: Schedule,
    pub problems: Vec<Problem>,
    /// Each video and live stream that plays on this machine.
    pub videos: Vec<VideoReport>,
    /// The live broadcast's stream, if one is set: on air now, or why not (only information).
    pub on_air: Option<(StreamAddress, Result<VideoReport, String>)>,
    /// Each subscribed source's state, one line each.
    pub sources: Vec<String>,
    /// Each presentation drawn: its name, the pages that play, the pages it has.
    pub decks: Vec<(std::path::PathBuf, usize, u32)>,
}

/// A video or live stream that plays: its length where the file tells it, the size its pictures
/// come in, and the decoder that plays it.
pub struct VideoReport {
    pub rel: std::path::PathBuf,
    pub live: Option<StreamAddress>,
    pub length: Option<Duration>,
    pub size: Option<(u32, u32)>,
    pub decoder: Option<Decoder>,
    /// Its subtitles file and how many cues it holds.
    pub subtitles: Option<(std::path::PathBuf, usize)>,
}

impl VideoReport {
    fn of(rel: std::path::PathBuf, live: Option<StreamAddress>, v: &VideoStream) -> Self {
        Self { rel, live, length: v.length, size: v.source_size, decoder: v.decoder.clone(), subtitles: None }
    }

    /// The line `check` prints for it.
    fn line(&self) -> String {
        let decoder = self.decoder.as_ref().map(|d| format!(" ({d})")).unwrap_or_default();
        let size = self.size.map(|(w, h)| format!(", {w}x{h}")).unwrap_or_default();
        match &self.live {
            Some(address) => {
                format!("{}: live stream {address}, live now{size}{decoder}", self.rel.display())
            }
            None => {
                let length = match self.length {
                    Some(l) => format!("{} long", crate::core::duration::format_duration(l)),
                    None => "length unknown".into(),
                };
                let subtitles = self.subtitles.as_ref().map_or_else(String::new, |(file, cues)| {
                    format!(", subtitles from {} ({cues} cues)", file.display())
                });
                format!("{}: video, {length}, plays on this machine{decoder}{subtitles}", self.rel.display())
            }
        }
    }
}

/// Scans the content folder, reads the schedule and test-decodes every slide. `now` is the local
/// time (for overlap warnings from today on). Err when the folder cannot be read at all.
pub fn check(
    config: &Config,
    config_problems: Vec<Problem>,
    now: NaiveDateTime,
) -> Result<Report, content::ScanError> {
    let mut problems = config_problems;
    let mut kept =
        Kept { guard: Guard::new(&config.trusted_keys, &config.sources, false), ..Kept::default() };
    let mut reading = library::read(&config.content, &config.slides, &mut kept)?;
    let decks_root = config.state_folder().map(|s| s.join("decks"));
    let mut decks = decks_root
        .map(|root| DeckCache::new(&root, DECK_STAGE, config.slides.decks, config.slides.deck_cache_max));
    let decks = library::expand_decks(&mut reading.content, decks.as_mut(), true).drawn;
    problems.extend(reading.all_problems());
    let Reading { content, schedule, ticker, .. } = reading;
    let schedule = match schedule.schedule {
        Some(s) => {
            problems.extend(s.overlap_warnings(now.date(), OVERLAP_DAYS));
            s
        }
        None => {
            problems.push(Problem::error(
                Some(schedule::SCHEDULE_FILE.into()),
                "because of the errors above the schedule is not used: the default playlist plays all day"
                    .to_string(),
            ));
            Schedule::default()
        }
    };
    let limits = Limits { max_megapixels: config.slides.max_megapixels };
    let mut videos = Vec::new();
    for playlist in content.playlists.values() {
        for item in &playlist.items {
            // Checked silently, from the start.
            let how = content::Item { sound: false, ..item.clone() }.play_options(Duration::ZERO);
            match media::load(&item.source, item.kind, CHECK_STAGE, limits, how) {
                Err(e) => problems.push(Problem::error(item.rel.clone(), e.to_string())),
                Ok(media::Slide::Video(v)) => {
                    let mut report = VideoReport::of(item.rel.clone(), item.source.stream().cloned(), &v.0);
                    report.subtitles = item.subtitles.as_ref().map(|s| (s.rel.clone(), s.cues.len()));
                    videos.push(report)
                }
                Ok(_) => {}
            }
        }
    }
    problems.extend(check_feeds(ticker));
    problems.extend(check_logo(config));
    let on_air = match live::on_air_address(&config.content, &config.live) {
        Ok(address) => address.map(|(a, _)| check_on_air(a)),
        Err(msg) => {
            problems.push(Problem::error(Some(live::LIVE_FILE.into()), msg));
            None
        }
    };
    let sources = source_lines(config, &mut problems);
    Ok(Report { content, schedule, problems, videos, on_air, sources, decks })
}

/// Each `[[source]]`'s state from its record: one line each; a last round that failed is a
/// problem too.
fn source_lines(config: &Config, problems: &mut Vec<Problem>) -> Vec<String> {
    let state = config.state_folder();
    let when = |t: Option<i64>| {
        t.and_then(|t| chrono::DateTime::from_timestamp(t, 0))
            .map(|t| t.with_timezone(&config.timezone).format("%Y-%m-%d %H:%M").to_string())
    };
    let mut lines = Vec::new();
    for source in &config.sources {
        let r = state.as_deref().map(|s| record::load(&record::path(s, &source.into))).unwrap_or_default();
        let serial = r.serial.map_or_else(|| "nothing synced yet".to_string(), |s| format!("serial {s}"));
        let since = when(r.up_to_date)
            .map_or_else(|| "never up to date yet".to_string(), |t| format!("up to date at {t}"));
        lines.push(format!("source {} ({}): {since}, {serial}", source.into, source.origin));
        if let Some(e) = &r.error {
            let at = when(r.checked).unwrap_or_default();
            problems.push(Problem::error(
                config.source.clone(),
                format!(
                    "source {}: the last sync ({at}) failed: {e}; the version in force stays",
                    source.into
                ),
            ));
        }
    }
    lines
}

/// Connects to the live broadcast's stream once: on air now, or why not.
fn check_on_air(address: StreamAddress) -> (StreamAddress, Result<VideoReport, String>) {
    let how = media::PlayOptions::default();
    let opened = VideoStream::open_live(&address, CHECK_STAGE, how)
        .map(|v| VideoReport::of(live::LIVE_FILE.into(), Some(address.clone()), &v))
        .map_err(|e| e.to_string());
    (address, opened)
}

/// `[branding] logo`, read as the header reads it.
fn check_logo(config: &Config) -> Option<Problem> {
    let path = config.branding.logo.as_ref()?;
    let e = media::logo::load_logo(path, (800, 100)).err()?;
    Some(Problem::error(
        path.clone(),
        format!("the logo cannot be shown: {e}; the header shows the school's name"),
    ))
}

/// Fetches each feed of ticker.toml once; a feed that fails is a problem of ticker.toml.
fn check_feeds(ticker: Option<ticker::TickerSettings>) -> Vec<Problem> {
    let Some(settings) = ticker.filter(|t| !t.feeds.is_empty()) else { return Vec::new() };
    let file = || Some(std::path::PathBuf::from(ticker::TICKER_FILE));
    match fetch_all(std::sync::Arc::new(settings), ticker::fetch::Limits::default()) {
        Ok(feeds) => feeds
            .states()
            .into_iter()
            .filter_map(|s| {
                let e = s.error?;
                let name = if s.label.is_empty() {
                    s.source.clone()
                } else {
                    format!("\"{}\" ({})", s.label, s.source)
                };
                Some(Problem::error(
                    file(),
                    format!("feed {name}: {e}; the screen shows its last good headlines"),
                ))
            })
            .collect(),
        Err(e) => vec![Problem::error(file(), format!("feeds cannot be fetched: {e}"))],
    }
}

/// What `check` says of the live broadcast's stream: on or off air (information, not a problem).
fn on_air_line(report: &Report) -> Option<String> {
    Some(match report.on_air.as_ref()? {
        (address, Ok(v)) => {
            let size = v.size.map(|(w, h)| format!(", {w}x{h}")).unwrap_or_default();
            format!("live broadcast: {address} is on air now{size}")
        }
        (address, Err(why)) => {
            format!("live broadcast: {address} is off air now ({why})")
        }
    })
}

/// Prints the report; returns the exit code (0 all good, 1 problems found).
pub fn print(
    report: &Report,
    config: &Config,
    now: NaiveDateTime,
    out: &mut impl Write,
) -> std::io::Result<i32> {
    let source = config
        .source
        .as_ref()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|| "none, defaults used".into());
    writeln!(out, "settings file: {source}")?;
    writeln!(out, "content folder: {}", config.content.display())?;
    for p in &report.problems {
        writeln!(out, "{p}")?;
    }
    for video in &report.videos {
        writeln!(out, "{}", video.line())?;
    }
    if let Some(line) = on_air_line(report) {
        writeln!(out, "{line}")?;
    }
    for line in &report.sources {
        writeln!(out, "{line}")?;
    }
    for (deck, shown, total) in &report.decks {
        let of = if *shown as u32 == *total { String::new() } else { format!(" of {total}") };
        writeln!(out, "{}: {shown}{of} pages", deck.display())?;
    }
    let n = report.problems.len();
    match n {
        0 => writeln!(out, "no problems found")?,
        1 => writeln!(out, "1 problem found")?,
        _ => writeln!(out, "{n} problems found")?,
    }
    writeln!(out, "{}", now_playing(report, now))?;
    Ok(if n == 0 { 0 } else { 1 })
}

/// What plays now, and why, in one line.
fn now_playing(report: &Report, now: NaiveDateTime) -> String {
    let decision = report.schedule.decide(now);
    let reason = describe(&report.schedule, &decision);
    let bad: std::collections::HashSet<_> = report.problems.iter().filter_map(|p| p.file.clone()).collect();
    let Some(name) = decision.playlist() else {
        return format!("now playing: nothing, the screen is off: {reason}");
    };
    let Some(pl) = report.content.playlist(name) else {
        return format!(
            "now playing: {reason}, but there is no {name}/ folder, so the calm fallback slide shows"
        );
    };
    let good: Vec<String> = pl
        .items
        .iter()
        .filter(|i| !bad.contains(&i.rel) && i.when.is_due(now))
        .map(|i| i.rel.display().to_string())
        .collect();
    if good.is_empty() {
        return format!(
            "now playing: {reason}, which has nothing that can be shown now, so the calm fallback slide shows"
        );
    }
    let s = if good.len() == 1 { "" } else { "s" };
    format!("now playing: {reason}: {} slide{s}: {}", good.len(), good.join(", "))
}
