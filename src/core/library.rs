//! One reading of the content folder, done the same way everywhere (the screen's scanner
//! thread, `corridor check`, `corridor plan`): the playlists, each film's length, the schedule,
//! the alert, the widgets' data and the ticker's settings. Each part is read by its own module;
//! this one puts them together, in one order.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::config::SlidesConfig;
use super::content::{self, Content, ScanError, Stamp};
use super::deck::cache::{Cached, DeckCache};
use super::deck::convert::Drawn;
use super::deck::pages::PageChoice;
use super::media::{self, Notice, notice::parse_notice};
use super::problems::Problem;
use super::schedule;
use super::source::{MediaKind, Source};
use super::sync::guard::Guard;
use super::ticker::{self, TickerSettings};
use super::widgets::{self, WidgetData};

/// The names of the alert file, at the top of the content folder.
pub const ALERT_FILES: &[&str] = &["ALERT.txt", "ALERT.md"];
/// A film is never counted shorter than this.
const SHORTEST_FILM: Duration = Duration::from_millis(500);

/// Everything read from the content folder at one moment.
#[derive(Debug)]
pub struct Reading {
    pub content: Content,
    /// The schedule; its `schedule` is None when schedule.toml has errors.
    pub schedule: schedule::Loaded,
    /// The emergency alert (ALERT.txt or ALERT.md at the top), if there is one.
    pub alert: Option<Notice>,
    /// The widgets' data files.
    pub widgets: WidgetData,
    /// What ticker.toml says; None when it cannot be read (the screen keeps the last good one).
    pub ticker: Option<TickerSettings>,
    /// What is wrong with the alert, widget and ticker files.
    pub problems: Vec<Problem>,
    /// Decks left out until a worker has drawn their pages ([`expand_decks`]).
    pub pending_decks: Vec<PathBuf>,
}

impl Reading {
    /// Every problem found, as `corridor check` lists them: the playlists', the other files',
    /// then the schedule's.
    pub fn all_problems(&self) -> Vec<Problem> {
        let mut all = self.content.problems.clone();
        all.extend(self.problems.iter().cloned());
        all.extend(self.schedule.problems.iter().cloned());
        all
    }
}

/// Film lengths found so far, by file and its size and modification time, so that each film is
/// probed once while it stays the same; only films still in the folder are kept.
#[derive(Debug, Default)]
pub struct Lengths(HashMap<(PathBuf, Stamp), Option<Duration>>);

/// What a reader of the content folder keeps from one reading to the next (the scanner thread
/// keeps one for the whole run).
#[derive(Default)]
pub struct Kept {
    pub lengths: Lengths,
    pub guard: Guard,
}

/// Reads the content folder at `root`: playlists (with films' lengths, probing new films; signed
/// folders as the guard allows; decks as one item each, see [`expand_decks`]), schedule, alert,
/// widgets and ticker. Err only when the folder cannot be read.
pub fn read(root: &Path, slides: &SlidesConfig, kept: &mut Kept) -> Result<Reading, ScanError> {
    let (folders, guarded) = kept.guard.prepare(root);
    let mut content = content::scan_with(root, slides, &content::Folders(folders))?;
    content.problems.extend(guarded);
    fill_lengths(&mut content, &mut kept.lengths);
    let names: Vec<String> = content.playlists.keys().cloned().collect();
    let schedule = schedule::load(root, &names);
    let mut problems = Vec::new();
    let alert = read_alert(root, &mut problems);
    let (widgets, widget_problems) = widgets::load(root);
    problems.extend(widget_problems);
    let (ticker, ticker_problems) = ticker::load(root);
    problems.extend(ticker_problems);
    Ok(Reading { content, schedule, alert, widgets, ticker, problems, pending_decks: Vec::new() })
}

/// Sets each film's length (unless playlist.toml gives a duration), so the schedule knows when
/// each slide ends before it plays.
pub fn fill_lengths(content: &mut Content, lengths: &mut Lengths) {
    let mut kept = HashMap::new();
    for playlist in content.playlists.values_mut() {
        for item in playlist.items.iter_mut().filter(|i| i.kind == MediaKind::Video && !i.duration_given) {
            let Some(path) = item.source.file() else { continue };
            let Some(stamp) = content.stamps.get(path).copied() else { continue };
            let key = (path.to_path_buf(), stamp);
            let length = match lengths.0.get(&key) {
                Some(known) => *known,
                None => media::probe_length(&item.source),
            };
            if let Some(l) = length {
                item.duration = l.max(SHORTEST_FILM);
            }
            kept.insert(key, length);
        }
    }
    lengths.0 = kept;
}

/// Puts each deck's drawn pages in its place in its playlist (the pages `pages` chooses, each a
/// picture slide with the deck's settings). A deck not drawn yet is converted now when `now`
/// (`corridor check`, a snapshot), else left out and returned, for a worker to convert. A deck
/// that cannot be shown is left out with a problem. Without a cache (no state folder) decks are
/// left out with one problem.
pub fn expand_decks(content: &mut Content, decks: Option<&mut DeckCache>, now: bool) -> Expanded {
    let mut expanded = Expanded::default();
    let mut problems = Vec::new();
    let mut decks = decks;
    for playlist in content.playlists.values_mut() {
        for item in std::mem::take(&mut playlist.items) {
            if item.kind != MediaKind::Deck {
                playlist.items.push(item);
                continue;
            }
            let (Some(cache), Some(file)) = (decks.as_deref_mut(), item.source.file()) else {
                problems.push(Problem::error(item.rel.clone(), "presentations need a state folder to keep their pages in (state_folder in corridor.toml)"));
                continue;
            };
            let cached = match cache.lookup(file) {
                Cached::Missing if now => {
                    cache.convert(file).map_or_else(|e| Cached::Failed(e.to_string()), Cached::Ready)
                }
                cached => cached,
            };
            match cached {
                Cached::Ready(drawn) => {
                    let pages = pages_of(&item, &drawn, &mut problems);
                    expanded.drawn.push((item.rel.clone(), pages.len(), drawn.total));
                    playlist.items.extend(pages);
                }
                Cached::Failed(why) => problems.push(Problem::error(item.rel.clone(), why)),
                Cached::Missing => expanded.pending.push(file.to_path_buf()),
            }
        }
    }
    content.problems.extend(problems);
    expanded
}

/// What [`expand_decks`] did.
#[derive(Clone, Debug, Default)]
pub struct Expanded {
    /// Decks not drawn yet, left for a worker.
    pub pending: Vec<PathBuf>,
    /// Each deck drawn: its name, the pages that play, the pages it has.
    pub drawn: Vec<(PathBuf, usize, u32)>,
}

/// The picture slides of a drawn deck's chosen pages.
fn pages_of(deck: &content::Item, drawn: &Drawn, problems: &mut Vec<Problem>) -> Vec<content::Item> {
    if (drawn.pages.len() as u32) < drawn.total
        && deck.pages.last().is_none_or(|l| l > drawn.pages.len() as u32)
    {
        problems.push(Problem::warning(
            deck.rel.clone(),
            format!("it has {} pages; only the first {} play (max_pages)", drawn.total, drawn.pages.len()),
        ));
    }
    let mut rel = deck.rel.clone().into_os_string();
    rel.push(" (page ");
    drawn
        .pages
        .iter()
        .enumerate()
        .map(|(i, page)| (i as u32 + 1, page))
        .filter(|(n, _)| deck.pages.has(*n))
        .map(|(n, page)| {
            let mut name = rel.clone();
            name.push(format!("{n})"));
            content::Item {
                source: Source::File(page.clone()),
                rel: PathBuf::from(name),
                kind: MediaKind::Image,
                pages: PageChoice::all(),
                ..deck.clone()
            }
        })
        .collect()
}

/// Reads ALERT.txt (or ALERT.md) at the top of the content folder.
pub fn read_alert(root: &Path, problems: &mut Vec<Problem>) -> Option<Notice> {
    let entries = std::fs::read_dir(root).ok()?;
    let path = entries.flatten().map(|e| e.path()).find(|p| {
        p.file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| ALERT_FILES.iter().any(|a| a.eq_ignore_ascii_case(n)))
    })?;
    let name = PathBuf::from(path.file_name()?);
    match std::fs::read(&path) {
        Ok(bytes) => match parse_notice(&super::text::decode_text(&bytes)) {
            Some(n) => Some(n),
            None => {
                problems.push(Problem::warning(
                    name,
                    "the alert file is empty, so no alert shows; write the alert on its first line",
                ));
                None
            }
        },
        Err(e) => {
            problems.push(Problem::error(name, format!("cannot read the alert: {e}")));
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_alert_file_is_read_and_an_empty_one_is_a_problem() {
        let dir = tempfile::tempdir().unwrap();
        let mut problems = Vec::new();
        assert_eq!(read_alert(dir.path(), &mut problems), None);
        std::fs::write(dir.path().join("ALERT.txt"), "Fire drill\nLeave by the front door").unwrap();
        let alert = read_alert(dir.path(), &mut problems).unwrap();
        assert_eq!((alert.heading.as_str(), alert.body.as_str()), ("Fire drill", "Leave by the front door"));
        std::fs::write(dir.path().join("ALERT.txt"), "  \n").unwrap();
        assert_eq!(read_alert(dir.path(), &mut problems), None);
        assert_eq!(problems.len(), 1, "{problems:?}");
    }

    #[test]
    fn lengths_are_kept_only_for_films_still_there() {
        let mut lengths = Lengths::default();
        let stamp = Stamp { size: 1, modified: None };
        lengths.0.insert((PathBuf::from("/gone.mp4"), stamp), Some(Duration::from_secs(3)));
        let mut content = Content::default();
        fill_lengths(&mut content, &mut lengths);
        assert!(lengths.0.is_empty());
    }
}
