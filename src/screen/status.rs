//! For IT and for proof of play: a small status file (JSON, written atomically: temp file then
//! rename) updated whenever what is on screen changes, and a play log with one JSON line per
//! slide shown, a file per day, old days removed. All writing happens on a thread of its own.

use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::{Sender, channel};

use bevy::prelude::*;
use chrono::{DateTime, NaiveDate};
use chrono_tz::Tz;
use serde_json::{Value, json};

use super::Settings;
use super::alert::AlertShowing;
use super::clock::ScreenClock;
use super::content::ContentScanned;
use super::on_air::{OnAir, OnAirEnded};
use super::programme::ProgrammeChanged;
use super::screenshot::ScreenshotSaved;
use super::stage::{SlideFailed, SlideShown};
use super::sync::{Sources, source_json};
use super::ticker::FeedsChanged;
use crate::core::config::PlayLog;
use crate::core::content::Playlist;
use crate::core::content::STREAM_EXTENSIONS;
pub use crate::core::files::write_atomically;
use crate::core::problems::{Problem, Severity};
use crate::core::sync::source::without_password;
use crate::core::ticker::worker::FeedState;
use std::collections::HashMap;

/// At most this many slide problems are kept in the status file.
const MAX_SLIDE_PROBLEMS: usize = 100;

enum Job {
    /// The status, built into JSON and written on the writer thread.
    /// `items` and `next` are filled in there from the playlist.
    Status {
        path: PathBuf,
        status: Box<Value>,
        items: Option<Arc<Playlist>>,
        current_file: Option<PathBuf>,
    },
    Play {
        folder: PathBuf,
        date: NaiveDate,
        line: String,
    },
    Prune {
        folder: PathBuf,
        before: NaiveDate,
    },
}

#[derive(Resource)]
struct Reporter {
    tx: Sender<Job>,
    status_file: Option<PathBuf>,
    play_log: Option<PathBuf>,
    keep_days: u32,
    pruned: Option<NaiveDate>,
    playlist: Option<String>,
    /// The playlist playing; its item list is written out on the writer thread.
    items: Option<Arc<Playlist>>,
    off: bool,
    current: Option<SlideShown>,
    scan_problems: Vec<Problem>,
    slide_problems: Vec<Problem>,
    feeds: Vec<Value>,
    /// The last screenshot written (`screenshot_file`), and when.
    screenshot: Option<Value>,
    /// Each stream slide: when it was last on screen, and its last failure (when, why).
    streams: HashMap<PathBuf, StreamSeen>,
    /// The slide on screen went under the live broadcast: its play-log line ended there.
    covered: bool,
    dirty: bool,
}

/// What the screen has seen of one stream slide.
#[derive(Default)]
struct StreamSeen {
    on_screen: Option<DateTime<Tz>>,
    failed: Option<(DateTime<Tz>, String)>,
}

pub(super) fn plugin(app: &mut App) {
    app.add_systems(Startup, start);
    app.add_systems(Update, (collect, write_status).chain().in_set(super::AppSystems::Report));
}

fn start(mut commands: Commands, settings: Res<Settings>) {
    let (tx, rx) = channel::<Job>();
    let spawned = std::thread::Builder::new().name("corridor status writer".into()).spawn(move || {
        super::background::idle_priority();
        for job in rx {
            if let Err(e) = run_job(&job) {
                let what = match &job {
                    Job::Status { path, .. } => path.display().to_string(),
                    Job::Play { folder, .. } | Job::Prune { folder, .. } => folder.display().to_string(),
                };
                warn!("cannot write {what}: {e}");
            }
        }
    });
    if let Err(e) = spawned {
        warn!("cannot start the status writer: {e}");
    }
    let play_log = match &settings.0.play_log {
        PlayLog::Folder(f) => Some(f.clone()),
        PlayLog::Default | PlayLog::Off => None,
    };
    commands.insert_resource(Reporter {
        tx,
        status_file: settings.0.status_file.clone(),
        play_log,
        keep_days: settings.0.play_log_days,
        pruned: None,
        playlist: None,
        items: None,
        off: false,
        current: None,
        scan_problems: Vec::new(),
        slide_problems: Vec::new(),
        feeds: Vec::new(),
        screenshot: None,
        streams: HashMap::new(),
        covered: false,
        dirty: true,
    });
}

#[allow(clippy::too_many_arguments)]
fn collect(
    mut reporter: ResMut<Reporter>,
    mut scanned: MessageReader<ContentScanned>,
    mut programme: MessageReader<ProgrammeChanged>,
    mut shown: MessageReader<SlideShown>,
    mut failed: MessageReader<SlideFailed>,
    mut feeds: MessageReader<FeedsChanged>,
    (alert, on_air, sources): (Res<AlertShowing>, Option<Res<OnAir>>, Option<Res<Sources>>),
    clock: Res<ScreenClock>,
    (mut broadcasts, mut screenshots): (MessageReader<OnAirEnded>, MessageReader<ScreenshotSaved>),
) {
    let r = &mut *reporter;
    if let Some(shot) = screenshots.read().last() {
        r.screenshot =
            Some(json!({ "file": shot.path.display().to_string(), "taken": shot.at.to_rfc3339() }));
        r.dirty = true;
    }
    broadcasts.read().for_each(|b| log_broadcast(r, b));
    if let Some(since) = on_air.as_ref().filter(|o| o.is_changed()).and_then(|o| o.since) {
        cover_current(r, since);
    }
    if on_air.is_some_and(|o| o.is_changed()) || sources.is_some_and(|s| s.is_changed()) {
        r.dirty = true;
    }
    if let Some(scan) = scanned.read().last() {
        r.scan_problems = scan.problems.as_ref().clone();
        r.dirty = true;
    }
    if let Some(change) = programme.read().last() {
        r.off = change.playlist.is_none();
        r.playlist = change.playlist.as_ref().map(|p| p.name.clone());
        r.items.clone_from(&change.playlist);
        r.dirty = true;
    }
    if let Some(f) = feeds.read().last() {
        let now: Vec<Value> = f.0.iter().map(feed_json).collect();
        if now != r.feeds {
            r.feeds = now;
            r.dirty = true;
        }
    }
    failed.read().for_each(|f| note_failed(r, f, clock.now()));
    shown.read().for_each(|s| note_shown(r, s));
    if alert.is_changed() {
        r.dirty = true;
    }
    prune_once_a_day(r, clock.now().date_naive());
}

/// A slide that could not be shown: a problem (each once, at most `MAX_SLIDE_PROBLEMS`), and a
/// stream slide's last failure.
fn note_failed(r: &mut Reporter, f: &SlideFailed, now: DateTime<Tz>) {
    if !r.slide_problems.contains(&f.0) && r.slide_problems.len() < MAX_SLIDE_PROBLEMS {
        r.slide_problems.push(f.0.clone());
    }
    if let Some(file) = f.0.file.as_ref().filter(|p| is_stream_file(p)) {
        r.streams.entry(file.clone()).or_default().failed = Some((now, f.0.message.clone()));
    }
    r.dirty = true;
}

/// A slide on screen: the one before it goes into the play log (unless a broadcast covered it).
fn note_shown(r: &mut Reporter, s: &SlideShown) {
    if let Some(prev) = r.current.take()
        && !std::mem::take(&mut r.covered)
    {
        log_play(r, &prev, s.at);
    }
    if is_stream_file(&s.file) {
        r.streams.entry(s.file.clone()).or_default().on_screen = Some(s.at);
    }
    r.current = Some(s.clone());
    r.dirty = true;
}

/// Has the play log's old days removed, the first time it is asked on each day.
fn prune_once_a_day(r: &mut Reporter, today: NaiveDate) {
    if let Some(folder) = r.play_log.clone()
        && r.pruned != Some(today)
    {
        r.pruned = Some(today);
        let before = today - chrono::Duration::days(r.keep_days as i64);
        let _ = r.tx.send(Job::Prune { folder, before });
    }
}

/// The live broadcast went on air over the slide on screen: the slide's play-log line ends
/// there (the broadcast has its own line); when the show comes back, its slide starts again.
fn cover_current(r: &mut Reporter, since: DateTime<Tz>) {
    if r.covered {
        return;
    }
    if let Some(current) = r.current.clone() {
        log_play(r, &current, since);
        r.covered = true;
    }
}

/// One play-log line for a slide that has finished.
fn log_play(r: &Reporter, slide: &SlideShown, end: DateTime<Tz>) {
    let Some(folder) = r.play_log.clone() else { return };
    let line = json!({
        "playlist": slide.playlist,
        "file": slide.file.display().to_string(),
        "start": slide.at.to_rfc3339(),
        "end": end.to_rfc3339(),
    })
    .to_string();
    let _ = r.tx.send(Job::Play { folder, date: slide.at.date_naive(), line });
}

/// One play-log line for a live broadcast that has left the air.
fn log_broadcast(r: &Reporter, b: &OnAirEnded) {
    let Some(folder) = r.play_log.clone() else { return };
    let line =
        json!({ "on_air": b.stream, "start": b.start.to_rfc3339(), "end": b.end.to_rfc3339() }).to_string();
    let _ = r.tx.send(Job::Play { folder, date: b.start.date_naive(), line });
}

fn feed_json(f: &FeedState) -> Value {
    json!({
        "label": f.label,
        "source": f.source,
        "ok": f.error.is_none(),
        "headlines": f.headlines,
        "last_success": f.last_success.map(|t| t.to_rfc3339()),
        "error": f.error,
    })
}

fn problem_json(p: &Problem) -> Value {
    json!({
        "file": p.file.as_ref().map(|f| f.display().to_string()),
        "line": p.line,
        "message": p.message,
        "severity": if p.severity == Severity::Error { "error" } else { "warning" },
        "text": p.to_string(),
    })
}

fn is_stream_file(p: &std::path::Path) -> bool {
    let ext = p.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).unwrap_or_default();
    STREAM_EXTENSIONS.contains(&ext.as_str())
}

/// The playing playlist's stream slides: on screen now, not live (its last try failed, and why),
/// or waiting for its turn; when each was last on screen.
fn streams_json(r: &Reporter, current: Option<&PathBuf>) -> Vec<Value> {
    let Some(playlist) = r.items.as_ref() else { return Vec::new() };
    let streams = playlist.items.iter().filter_map(|i| Some((i, i.source.stream()?)));
    streams
        .map(|(item, address)| {
            let seen = r.streams.get(&item.rel);
            let on_screen = seen.and_then(|s| s.on_screen);
            let failed =
                seen.and_then(|s| s.failed.as_ref()).filter(|(at, _)| on_screen.is_none_or(|o| *at > o));
            let state = match (current == Some(&item.rel), failed) {
                (true, _) => "on screen",
                (false, Some(_)) => "not live",
                (false, None) => "waiting for its turn",
            };
            json!({
                "file": item.rel.display().to_string(),
                "stream": without_password(&address.url),
                "state": state,
                "last_on_screen": on_screen.map(|t| t.to_rfc3339()),
                "not_live_because": failed.map(|(_, why)| why),
            })
        })
        .collect()
}

/// The live broadcast: the stream watched, on air since when, or why it is off air; None when
/// no stream is set.
fn on_air_json(on_air: &OnAir) -> Option<Value> {
    let address = on_air.address.as_ref()?;
    Some(json!({
        "stream": without_password(&address.url),
        "on_air": on_air.since.is_some(),
        "since": on_air.since.map(|t| t.to_rfc3339()),
        "off_air_because": on_air.off_air,
    }))
}

fn write_status(
    mut reporter: ResMut<Reporter>,
    settings: Res<Settings>,
    clock: Res<ScreenClock>,
    (alert, on_air, sources): (Res<AlertShowing>, Option<Res<OnAir>>, Option<Res<Sources>>),
) {
    if !reporter.dirty {
        return;
    }
    reporter.dirty = false;
    let Some(path) = reporter.status_file.clone() else { return };
    let r = &*reporter;
    let current = r.current.as_ref().filter(|c| Some(&c.playlist) == r.playlist.as_ref());
    let problems: Vec<Value> = r.scan_problems.iter().chain(&r.slide_problems).map(problem_json).collect();
    let status = json!({
        "screen": settings.0.screen,
        "version": env!("CARGO_PKG_VERSION"),
        "updated": clock.now().to_rfc3339(),
        "playlist": r.playlist,
        "off": r.off,
        "current": current.map(|c| json!({ "file": c.file.display().to_string(), "started": c.at.to_rfc3339() })),
        "problems": problems,
        "feeds": r.feeds,
        "alert": alert.0,
        "on_air": on_air.as_deref().and_then(on_air_json),
        "screenshot": r.screenshot,
        "streams": streams_json(r, current.map(|c| &c.file)),
        "sources": sources.map(|s| s.0.iter().map(source_json).collect::<Vec<_>>()).unwrap_or_default(),
    });
    let current_file = current.map(|c| c.file.clone());
    let _ = r.tx.send(Job::Status { path, status: Box::new(status), items: r.items.clone(), current_file });
}

fn run_job(job: &Job) -> std::io::Result<()> {
    match job {
        Job::Status { path, status, items, current_file } => {
            let mut status = status.as_ref().clone();
            let names: Vec<String> =
                items.iter().flat_map(|p| p.items.iter().map(|i| i.rel.display().to_string())).collect();
            let next = items.as_ref().zip(current_file.as_ref()).and_then(|(p, cur)| {
                let i = p.items.iter().position(|x| &x.rel == cur)?;
                p.items.get((i + 1) % p.items.len()).map(|x| x.rel.display().to_string())
            });
            status["items"] = json!(names);
            status["next"] = json!(next);
            let json = serde_json::to_string_pretty(&status).unwrap_or_default();
            write_atomically(path, json.as_bytes())
        }
        Job::Play { folder, date, line } => {
            std::fs::create_dir_all(folder)?;
            let mut f = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(folder.join(format!("{}.jsonl", date.format("%Y-%m-%d"))))?;
            // One write for the whole line, so a reader never sees half of it.
            f.write_all(format!("{line}\n").as_bytes())
        }
        Job::Prune { folder, before } => {
            let Ok(entries) = std::fs::read_dir(folder) else { return Ok(()) };
            for e in entries.flatten() {
                let name = e.file_name().to_string_lossy().into_owned();
                let day =
                    name.strip_suffix(".jsonl").and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok());
                if day.is_some_and(|d| d < *before) {
                    std::fs::remove_file(e.path())?;
                }
            }
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn old_play_log_days_are_removed_and_status_is_replaced_whole() {
        let dir = std::env::temp_dir().join(format!("corridor-status-test-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        for day in ["2026-09-01", "2026-11-24", "2026-11-25"] {
            std::fs::write(dir.join(format!("{day}.jsonl")), "{}\n").unwrap();
        }
        std::fs::write(dir.join("notes.txt"), "keep").unwrap();
        let before = NaiveDate::from_ymd_opt(2026, 11, 1).unwrap();
        run_job(&Job::Prune { folder: dir.clone(), before }).unwrap();
        let mut left: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(left, ["2026-11-24.jsonl", "2026-11-25.jsonl", "notes.txt"]);
        let status = dir.join("status.json");
        write_atomically(&status, b"{\"a\":1}").unwrap();
        write_atomically(&status, b"{\"a\":2}").unwrap();
        assert_eq!(std::fs::read_to_string(&status).unwrap(), "{\"a\":2}");
        assert!(!dir.join(".status.json.tmp").exists());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
