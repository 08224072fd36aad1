//! `schedule.toml`: which playlist plays when. The decision is a pure function of the schedule
//! and a local date-time; the player works out the next time it can change instead of asking
//! every frame. Times are local clock times in the screen's time zone (see `decide_at`).
//!
//! Rules: a slot covers its days, dates and terms from `from` up to (not including) `to`; a slot
//! whose `to` is before its `from` runs past midnight into the next morning (the day rules apply
//! to the evening it starts). Among slots that cover a moment the highest `priority` wins; at equal
//! priority the more specific one (dates 8, terms or holidays 4, days 2, times 1, added up); then
//! the later one in the file. An `[[off]]` period is a slot that switches the screen off.
//! Nothing covers a moment: `default` plays.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use chrono::{DateTime, Datelike, Duration as ChronoDuration, NaiveDate, NaiveDateTime, NaiveTime, TimeZone};
use chrono_tz::Tz;
use toml_edit::{Table, Value};

use super::content::DEFAULT_PLAYLIST;
use super::problems::{Problem, Severity};
use super::tomlx::{Key, Reader, TomlFile, key, suggest};
use super::when::{DaySet, TimeRange, parse_clock, parse_date, parse_day_word};

/// The schedule file's name, at the top of the content folder.
pub const SCHEDULE_FILE: &str = "schedule.toml";

/// What a slot puts on screen.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum What {
    Playlist(String),
    /// The screen shows nothing and rests.
    Off,
}

/// One `[[slot]]` or `[[off]]`.
#[derive(Clone, Debug, PartialEq)]
pub struct Slot {
    pub name: Option<String>,
    pub line: Option<usize>,
    pub what: What,
    pub days: DaySet,
    pub time: Option<TimeRange>,
    pub dates: Option<(NaiveDate, NaiveDate)>,
    /// The date ranges of the terms or holidays named in `during`.
    pub during: Option<Vec<(NaiveDate, NaiveDate)>>,
    pub priority: i64,
    pub interrupt: bool,
}

impl Slot {
    /// A slot playing `playlist` every day, all day.
    pub fn new(what: What) -> Self {
        Self {
            name: None,
            line: None,
            what,
            days: DaySet::ALL,
            time: None,
            dates: None,
            during: None,
            priority: 0,
            interrupt: false,
        }
    }

    /// Whether an occurrence of the slot starts on date `d` (days, dates and terms).
    fn occurs_on(&self, d: NaiveDate) -> bool {
        self.days.contains(d.weekday())
            && self.dates.is_none_or(|(a, b)| a <= d && d <= b)
            && self.during.as_ref().is_none_or(|rs| rs.iter().any(|&(a, b)| a <= d && d <= b))
    }

    /// Whether the slot covers local time `t`.
    pub fn covers(&self, t: NaiveDateTime) -> bool {
        let (d, time) = (t.date(), t.time());
        match self.time {
            None => self.occurs_on(d),
            Some(TimeRange { from, to: None }) => time >= from && self.occurs_on(d),
            Some(TimeRange { from, to: Some(to) }) if from < to => {
                time >= from && time < to && self.occurs_on(d)
            }
            Some(TimeRange { from, to: Some(to) }) => {
                (time >= from && self.occurs_on(d))
                    || (time < to && d.pred_opt().is_some_and(|y| self.occurs_on(y)))
            }
        }
    }

    /// How specific the slot is, for breaking ties at equal priority.
    pub fn specificity(&self) -> u8 {
        8 * self.dates.is_some() as u8
            + 4 * self.during.is_some() as u8
            + 2 * (!self.days.is_all()) as u8
            + self.time.is_some() as u8
    }

    /// "Before school" or "the slot at line 12".
    pub fn label(&self) -> String {
        match (&self.name, self.line) {
            (Some(n), _) => n.clone(),
            (None, Some(l)) => format!("{SCHEDULE_FILE} line {l}"),
            (None, None) => "unnamed slot".into(),
        }
    }
}

/// What plays at a moment, and which slot decided it (None: nothing scheduled, `default` plays).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decision {
    pub what: What,
    pub slot: Option<usize>,
}

impl Decision {
    pub fn playlist(&self) -> Option<&str> {
        match &self.what {
            What::Playlist(p) => Some(p),
            What::Off => None,
        }
    }
}

/// A parsed, checked schedule.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Schedule {
    pub slots: Vec<Slot>,
    /// Clock times at which some slot starts or ends, and midnight; sorted.
    boundaries: Vec<NaiveTime>,
}

/// A stretch of time with one decision.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stretch {
    pub from: NaiveDateTime,
    pub to: NaiveDateTime,
    pub decision: Decision,
}

impl Schedule {
    pub fn new(slots: Vec<Slot>) -> Self {
        let mut b: BTreeSet<NaiveTime> = BTreeSet::new();
        b.insert(NaiveTime::MIN);
        for s in &slots {
            if let Some(r) = s.time {
                b.insert(r.from);
                b.insert(r.to.unwrap_or(NaiveTime::MIN));
            }
        }
        Self { slots, boundaries: b.into_iter().collect() }
    }

    /// What plays at local time `t`.
    pub fn decide(&self, t: NaiveDateTime) -> Decision {
        let best = self
            .slots
            .iter()
            .enumerate()
            .filter(|(_, s)| s.covers(t))
            .max_by_key(|(i, s)| (s.priority, s.specificity(), *i));
        match best {
            Some((i, s)) => Decision { what: s.what.clone(), slot: Some(i) },
            None => Decision { what: What::Playlist(DEFAULT_PLAYLIST.into()), slot: None },
        }
    }

    /// The first moment after `t` at which any slot starts or ends, or a day begins.
    pub fn next_boundary(&self, t: NaiveDateTime) -> NaiveDateTime {
        let time = t.time();
        match self.boundaries.iter().find(|b| **b > time) {
            Some(b) => t.date().and_time(*b),
            None => (t.date() + ChronoDuration::days(1)).and_time(NaiveTime::MIN),
        }
    }

    /// The first moment after `t` at which the decision changes, looking at most `horizon_days` ahead.
    pub fn next_change(&self, t: NaiveDateTime, horizon_days: i64) -> Option<NaiveDateTime> {
        let now = self.decide(t);
        let limit = t + ChronoDuration::days(horizon_days);
        let mut cur = t;
        while cur < limit {
            cur = self.next_boundary(cur);
            if self.decide(cur) != now {
                return Some(cur);
            }
        }
        None
    }

    /// The stretches of one decision each, from `from` to `to` (local times).
    pub fn stretches(&self, from: NaiveDateTime, to: NaiveDateTime) -> Vec<Stretch> {
        let mut out = Vec::new();
        let mut start = from;
        let mut decision = self.decide(from);
        let mut cur = from;
        while cur < to {
            let next = self.next_boundary(cur).min(to);
            if next >= to {
                break;
            }
            let d = self.decide(next);
            if d != decision {
                out.push(Stretch { from: start, to: next, decision: std::mem::replace(&mut decision, d) });
                start = next;
            }
            cur = next;
        }
        if start < to {
            out.push(Stretch { from: start, to, decision });
        }
        out
    }

    /// When the current stretch began, counting from the start of the day at the latest: where
    /// a playlist that plays now started (its slides are timed from then).
    pub fn stretch_start(&self, t: NaiveDateTime) -> NaiveDateTime {
        let midnight = t.date().and_time(NaiveTime::MIN);
        self.stretches(midnight, t + ChronoDuration::minutes(1)).last().map(|s| s.from).unwrap_or(midnight)
    }

    /// Warnings for slots of equal priority and specificity that both cover some moment in the
    /// `days` days from `from`: which one plays is then only decided by their order in the file.
    pub fn overlap_warnings(&self, from: NaiveDate, days: i64) -> Vec<Problem> {
        let mut seen: BTreeMap<(usize, usize), NaiveDateTime> = BTreeMap::new();
        let mut cur = from.and_time(NaiveTime::MIN);
        let end = cur + ChronoDuration::days(days);
        while cur < end {
            let mut top: Vec<usize> = Vec::new();
            let mut best: Option<(i64, u8)> = None;
            for (i, s) in self.slots.iter().enumerate().filter(|(_, s)| s.covers(cur)) {
                let key = (s.priority, s.specificity());
                match best {
                    Some(b) if key < b => {}
                    Some(b) if key == b => top.push(i),
                    _ => {
                        best = Some(key);
                        top = vec![i];
                    }
                }
            }
            for a in 0..top.len() {
                for b in a + 1..top.len() {
                    seen.entry((top[a], top[b])).or_insert(cur);
                }
            }
            cur = self.next_boundary(cur);
        }
        seen.into_iter()
            .map(|((a, b), when)| {
                let (sa, sb) = (&self.slots[a], &self.slots[b]);
                Problem::warning(
                    Some(SCHEDULE_FILE.into()),
                    format!(
                        "\"{}\" and \"{}\" overlap at the same priority (first on {}); \"{}\" wins because it comes later in the file — give one a higher `priority` to make it clear",
                        sa.label(),
                        sb.label(),
                        when.format("%Y-%m-%d %H:%M"),
                        sb.label()
                    ),
                )
                .at_line(sb.line)
            })
            .collect()
    }
}

/// The local wall-clock time of instant `t` in `tz`: what the schedule is asked about. In the
/// hour skipped when clocks go forward no wall time exists, so a slot that starts inside it
/// begins when the clocks jump, and one wholly inside it does not play that day; in the hour
/// repeated when clocks go back, a slot inside it plays on both passes.
pub fn local_time(t: DateTime<chrono::Utc>, tz: Tz) -> NaiveDateTime {
    t.with_timezone(&tz).naive_local()
}

/// The instant at which local time `t` first occurs in `tz` (the first of two in the repeated
/// hour; the end of the gap for a time skipped by the clock change).
pub fn instant_of(t: NaiveDateTime, tz: Tz) -> DateTime<Tz> {
    match tz.from_local_datetime(&t) {
        chrono::LocalResult::Single(x) | chrono::LocalResult::Ambiguous(x, _) => x,
        chrono::LocalResult::None => {
            let mut probe = t;
            for _ in 0..180 {
                probe += ChronoDuration::minutes(1);
                if let Some(x) = tz.from_local_datetime(&probe).earliest() {
                    return x;
                }
            }
            tz.from_utc_datetime(&t)
        }
    }
}

/// A schedule file read: the schedule, or None when it has errors (the last good one stays).
#[derive(Debug)]
pub struct Loaded {
    pub schedule: Option<Schedule>,
    pub problems: Vec<Problem>,
}

/// Reads `schedule.toml` from the top of the content folder. No file: an empty schedule
/// (`default` all day). `playlists` are the playlist folders that exist.
pub fn load(content_root: &Path, playlists: &[String]) -> Loaded {
    let path = content_root.join(SCHEDULE_FILE);
    match std::fs::read(&path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            Loaded { schedule: Some(Schedule::default()), problems: Vec::new() }
        }
        Err(e) => Loaded {
            schedule: None,
            problems: vec![Problem::error(Some(SCHEDULE_FILE.into()), format!("cannot read it: {e}"))],
        },
        Ok(bytes) => parse(&super::text::decode_text(&bytes), playlists),
    }
}

/// Parses schedule text. Any error rejects the whole file; warnings do not.
pub fn parse(text: &str, playlists: &[String]) -> Loaded {
    let file = match TomlFile::parse(Path::new(SCHEDULE_FILE), text) {
        Ok(f) => f,
        Err(p) => return Loaded { schedule: None, problems: vec![p] },
    };
    let mut r = file.reader();
    let mut draft = Draft::default();
    r.read_keys(r.root(), "", ROOT_KEYS, &mut draft);
    let (slots, warnings) = keep_existing_playlists(draft.slots, playlists);
    let mut problems = r.problems;
    let failed = problems.iter().any(|p| p.severity == Severity::Error);
    problems.extend(warnings);
    Loaded { schedule: if failed { None } else { Some(Schedule::new(slots)) }, problems }
}

/// Date ranges, inclusive.
type Ranges = Vec<(NaiveDate, NaiveDate)>;

/// The schedule as it is read: terms and holidays first (slots name them in `during`), then slots.
#[derive(Default)]
struct Draft {
    /// Every [[term]] and [[holiday]] by its name in lower case.
    periods: BTreeMap<String, Ranges>,
    terms: Ranges,
    holidays: Ranges,
    slots: Vec<Slot>,
}

/// The sections of schedule.toml, in the order they are read.
const ROOT_KEYS: &[Key<Draft>] = &[
    Key { name: "term", read: |r, t, k, d| r.tables(t, k).into_iter().for_each(|e| read_period(r, e, k, d)) },
    Key {
        name: "holiday",
        read: |r, t, k, d| r.tables(t, k).into_iter().for_each(|e| read_period(r, e, k, d)),
    },
    Key { name: "slot", read: |r, t, k, d| r.tables(t, k).into_iter().for_each(|e| read_slot(r, e, k, d)) },
    Key { name: "off", read: |r, t, k, d| r.tables(t, k).into_iter().for_each(|e| read_slot(r, e, k, d)) },
];

/// A [[term]] or [[holiday]] as written.
#[derive(Default)]
struct PeriodDraft {
    name: Option<String>,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    /// `dates`, when written (None inside when it is wrong).
    dates: Option<Option<(NaiveDate, NaiveDate)>>,
}

const PERIOD_KEYS: &[Key<PeriodDraft>] = &[
    key!("name", string, |p, v| p.name = Some(v)),
    key!("from", parsed(parse_date), |p, v| p.from = Some(v)),
    key!("to", parsed(parse_date), |p, v| p.to = Some(v)),
    Key { name: "dates", read: |r, t, _, p| p.dates = Some(read_dates(r, t)) },
];

/// One [[term]] or [[holiday]] (`key`), added to the draft's periods.
fn read_period<'a>(r: &mut Reader<'a>, t: &'a Table, key: &str, draft: &mut Draft) {
    let mut p = PeriodDraft::default();
    r.read_keys(t, key, PERIOD_KEYS, &mut p);
    let range = match p.dates {
        Some(dates) => dates,
        None => period_range(r, t, p.from, p.to),
    };
    if p.name.is_none() && t.get("name").is_none() {
        r.problem_at(r.table_line(t), format!("this [[{key}]] has no `name = \"...\"`"));
    }
    if let (Some(name), Some(range)) = (p.name, range) {
        draft.periods.entry(name.to_ascii_lowercase()).or_default().push(range);
        let list = if key == "term" { &mut draft.terms } else { &mut draft.holidays };
        list.push(range);
    }
}

/// The dates of a [[term]] or [[holiday]] from its `from` and `to` (as read; None when wrong).
fn period_range<'a>(
    r: &mut Reader<'a>,
    t: &'a Table,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> Option<(NaiveDate, NaiveDate)> {
    match (from, to) {
        (Some(a), Some(b)) if a <= b => Some((a, b)),
        (Some(_), Some(_)) => {
            r.problem(t, "to", "the dates are in the wrong order: `to` comes before `from`".into());
            None
        }
        (None, None) if t.get("from").is_none() && t.get("to").is_none() => {
            r.problem_at(
                r.table_line(t),
                "give its dates as `from = \"YYYY-MM-DD\"` and `to = \"YYYY-MM-DD\"`".into(),
            );
            None
        }
        (Some(a), None) if t.get("to").is_none() => Some((a, a)),
        _ => None,
    }
}

/// A [[slot]] or [[off]] as written.
struct SlotDraft {
    slot: Slot,
    playlist: Option<String>,
    /// `from` and `to` as read (the inner None is "24:00").
    from: Option<Option<NaiveTime>>,
    to: Option<Option<NaiveTime>>,
    /// The names in `during`, resolved once the whole slot is read.
    during: Option<Vec<String>>,
}

const NAME_KEY: &[Key<SlotDraft>] = &[key!("name", string, |d, v| d.slot.name = Some(v))];
const PLAYLIST_KEY: &[Key<SlotDraft>] = &[key!("playlist", string, |d, v| d.playlist = Some(v))];
/// The keys a [[slot]] and an [[off]] share: when it applies.
const TIMING_KEYS: &[Key<SlotDraft>] = &[
    Key { name: "days", read: read_days },
    key!("from", parsed(parse_clock), |d, v| d.from = Some(v)),
    key!("to", parsed(parse_clock), |d, v| d.to = Some(v)),
    Key { name: "dates", read: |r, t, _, d| d.slot.dates = read_dates(r, t) },
    key!("during", strings, |d, v| d.during = Some(v)),
    key!("priority", integer, |d, v| d.slot.priority = v),
];
const INTERRUPT_KEY: &[Key<SlotDraft>] = &[key!("interrupt", boolean, |d, v| d.slot.interrupt = v)];

/// One [[slot]] or [[off]] (`key`), added to the draft's slots unless it cannot play.
fn read_slot<'a>(r: &mut Reader<'a>, t: &'a Table, key: &str, draft: &mut Draft) {
    let off = key == "off";
    let mut d = SlotDraft { slot: Slot::new(What::Off), playlist: None, from: None, to: None, during: None };
    d.slot.line = r.table_line(t);
    if off {
        r.read_key_groups(t, key, &[NAME_KEY, TIMING_KEYS], &mut d);
    } else {
        r.read_key_groups(t, key, &[NAME_KEY, PLAYLIST_KEY, TIMING_KEYS, INTERRUPT_KEY], &mut d);
    }
    if t.contains_key("from") || t.contains_key("to") {
        let from = d.from.flatten().unwrap_or(NaiveTime::MIN);
        let to = d.to.flatten();
        if to == Some(from) {
            r.problem(t, "to", "`from` and `to` are the same time; leave both out for all day".into());
        }
        d.slot.time = Some(TimeRange { from, to });
    }
    if let Some(names) = d.during {
        d.slot.during = Some(resolve_during(r, t, &names, draft));
    }
    if !off {
        match d.playlist {
            Some(p) => d.slot.what = What::Playlist(p),
            None => {
                if t.get("playlist").is_none() {
                    r.problem_at(d.slot.line, "this [[slot]] has no `playlist = \"...\"`".into());
                }
                return;
            }
        }
    }
    draft.slots.push(d.slot);
}

/// `days = "weekdays"`, `days = "mon, wed"` or `days = ["mon", "wed"]`.
fn read_days<'a>(r: &mut Reader<'a>, t: &'a Table, key: &'static str, d: &mut SlotDraft) {
    let Some(words) = r.strings(t, key) else { return };
    let mut set = DaySet::NONE;
    for w in &words {
        for part in w.split(',').filter(|p| !p.trim().is_empty()) {
            match parse_day_word(part) {
                Ok(day) => set = set.union(day),
                Err(e) => r.problem(t, key, format!("`{key}`: {e}")),
            }
        }
    }
    d.slot.days = set;
}

/// The date ranges of the terms and holidays named in a slot's `during`.
fn resolve_during<'a>(r: &mut Reader<'a>, t: &'a Table, names: &[String], draft: &Draft) -> Ranges {
    let mut ranges = Vec::new();
    for n in names {
        let key = n.trim().to_ascii_lowercase();
        match key.as_str() {
            "holidays" | "holiday" => ranges.extend(draft.holidays.iter().copied()),
            "terms" | "term" | "term-time" | "term time" => ranges.extend(draft.terms.iter().copied()),
            _ => match draft.periods.get(&key) {
                Some(rs) => ranges.extend(rs.iter().copied()),
                None => {
                    let mut known: Vec<&str> = draft.periods.keys().map(String::as_str).collect();
                    known.extend(["holidays", "terms"]);
                    let hint = match suggest(&key, &known) {
                        Some(s) => format!("; did you mean \"{s}\"?"),
                        None => "; name a [[term]] or [[holiday]] of this file, or \"terms\" or \"holidays\""
                            .into(),
                    };
                    r.problem(
                        t,
                        "during",
                        format!("`during`: there is no term or holiday called \"{n}\"{hint}"),
                    );
                }
            },
        }
    }
    ranges
}

/// The slots whose playlist folder exists, and a warning for each of the others (skipped until
/// the folder exists).
fn keep_existing_playlists(slots: Vec<Slot>, playlists: &[String]) -> (Vec<Slot>, Vec<Problem>) {
    let names: Vec<&str> = playlists.iter().map(String::as_str).collect();
    let mut warnings = Vec::new();
    let kept = slots
        .into_iter()
        .filter(|slot| {
            let What::Playlist(p) = &slot.what else { return true };
            if names.contains(&p.as_str()) {
                return true;
            }
            let msg = match suggest(p, &names) {
                Some(s) => format!(
                    "there is no playlist folder \"{p}\" (did you mean \"{s}\"?); this slot is skipped until it exists"
                ),
                None => format!("there is no playlist folder \"{p}\"; this slot is skipped until it exists"),
            };
            warnings.push(Problem::warning(Some(SCHEDULE_FILE.into()), msg).at_line(slot.line));
            false
        })
        .collect();
    (kept, warnings)
}

/// `dates = "2026-12-05"`, `dates = ["2026-12-01", "2026-12-14"]` or
/// `dates = { from = "2026-12-01", to = "2026-12-14" }`; inclusive.
fn read_dates<'a>(r: &mut Reader<'a>, t: &'a Table) -> Option<(NaiveDate, NaiveDate)> {
    let v = r.value(t, "dates")?;
    let pair: Result<(String, String), ()> = match v {
        Value::String(s) => Ok((s.value().clone(), s.value().clone())),
        Value::Array(a) if a.len() == 2 => {
            match (a.get(0).and_then(|x| x.as_str()), a.get(1).and_then(|x| x.as_str())) {
                (Some(x), Some(y)) => Ok((x.to_string(), y.to_string())),
                _ => Err(()),
            }
        }
        Value::InlineTable(it) => {
            match (it.get("from").and_then(|x| x.as_str()), it.get("to").and_then(|x| x.as_str())) {
                (Some(x), Some(y)) if it.len() == 2 => Ok((x.to_string(), y.to_string())),
                _ => Err(()),
            }
        }
        _ => Err(()),
    };
    let Ok((a, b)) = pair else {
        r.problem(
            t,
            "dates",
            "`dates` should be a date like \"2026-12-05\", or { from = \"2026-12-01\", to = \"2026-12-14\" }"
                .into(),
        );
        return None;
    };
    let (a, b) = match (parse_date(&a), parse_date(&b)) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(e), _) | (_, Err(e)) => {
            r.problem(t, "dates", format!("`dates`: {e}"));
            return None;
        }
    };
    if a > b {
        r.problem(t, "dates", "the dates are in the wrong order: the end comes before the start".into());
        return None;
    }
    Some((a, b))
}

/// One line of `corridor plan`: "2027-03-01 08:00-08:50 notices (Before school)". A stretch that
/// crosses midnight is split into one line per day; an end at midnight is written 24:00.
pub fn plan_lines(schedule: &Schedule, from: NaiveDateTime, to: NaiveDateTime) -> Vec<String> {
    let mut lines = Vec::new();
    for s in schedule.stretches(from, to) {
        let mut start = s.from;
        while start < s.to {
            let midnight = (start.date() + ChronoDuration::days(1)).and_time(NaiveTime::MIN);
            let end = s.to.min(midnight);
            let end_text =
                if end == midnight { "24:00".to_string() } else { end.format("%H:%M").to_string() };
            lines.push(format!(
                "{} {}-{} {}",
                start.format("%Y-%m-%d"),
                start.format("%H:%M"),
                end_text,
                describe(schedule, &s.decision)
            ));
            start = end;
        }
    }
    lines
}

/// "notices (Before school)", "OFF (Night)", "default (nothing scheduled)".
pub fn describe(schedule: &Schedule, d: &Decision) -> String {
    let what = match &d.what {
        What::Playlist(p) => p.clone(),
        What::Off => "OFF".into(),
    };
    let why = match d.slot.and_then(|i| schedule.slots.get(i)) {
        Some(s) => s.label(),
        None => "nothing scheduled".into(),
    };
    format!("{what} ({why})")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dt(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
    }

    fn lists() -> Vec<String> {
        ["default", "notices", "lunch", "space", "christmas", "exams"].iter().map(|s| s.to_string()).collect()
    }

    fn sched(text: &str) -> Schedule {
        let l = parse(text, &lists());
        assert!(l.problems.iter().all(|p| p.severity == Severity::Warning), "{:?}", l.problems);
        l.schedule.expect("schedule")
    }

    fn playing(s: &Schedule, t: &str) -> String {
        match s.decide(dt(t)).what {
            What::Playlist(p) => p,
            What::Off => "OFF".into(),
        }
    }

    const SCHOOL: &str = r#"
[[term]]
name = "autumn-term"
from = "2026-09-03"
to = "2026-12-18"

[[holiday]]
name = "christmas-holiday"
from = "2026-12-19"
to = "2027-01-04"

[[slot]]
name = "Before school"
playlist = "notices"
days = "weekdays"
from = "08:00"
to = "08:50"
during = "terms"

[[slot]]
name = "Lunch"
playlist = "lunch"
days = ["mon", "tue", "wed", "thu", "fri"]
from = "12:00"
to = "13:15"

[[slot]]
name = "Christmas fair"
playlist = "christmas"
dates = { from = "2026-12-01", to = "2026-12-14" }

[[off]]
name = "Night"
from = "18:00"
to = "07:30"

[[off]]
name = "Weekend"
days = "weekends"
priority = 5
"#;

    #[test]
    fn school_day() {
        let s = sched(SCHOOL);
        assert_eq!(playing(&s, "2026-11-25 07:00"), "OFF");
        assert_eq!(playing(&s, "2026-11-25 07:30"), "default");
        assert_eq!(playing(&s, "2026-11-25 08:00"), "notices");
        assert_eq!(playing(&s, "2026-11-25 08:49"), "notices");
        assert_eq!(playing(&s, "2026-11-25 08:50"), "default");
        assert_eq!(playing(&s, "2026-11-25 12:30"), "lunch");
        assert_eq!(playing(&s, "2026-11-25 18:00"), "OFF");
        assert_eq!(playing(&s, "2026-11-28 12:00"), "OFF", "Saturday");
        // The fair's dates are more specific than the lunch slot's days.
        assert_eq!(playing(&s, "2026-12-02 12:30"), "christmas");
        assert_eq!(playing(&s, "2026-12-02 08:30"), "christmas");
        // Holidays: no notices before school.
        assert_eq!(playing(&s, "2026-12-21 08:30"), "default");
    }

    #[test]
    fn overnight_wrap_belongs_to_the_evening_it_starts() {
        let s = sched("[[slot]]\nplaylist = \"space\"\ndays = \"fri\"\nfrom = \"22:00\"\nto = \"06:00\"\n");
        assert_eq!(playing(&s, "2027-01-08 21:59"), "default");
        assert_eq!(playing(&s, "2027-01-08 22:00"), "space");
        assert_eq!(playing(&s, "2027-01-09 05:59"), "space", "Saturday early morning");
        assert_eq!(playing(&s, "2027-01-09 06:00"), "default");
        assert_eq!(playing(&s, "2027-01-08 03:00"), "default", "Friday early morning belongs to Thursday");
    }

    #[test]
    fn priority_then_specificity_then_file_order() {
        let s = sched(
            "[[slot]]\nplaylist = \"space\"\npriority = 1\n[[slot]]\nplaylist = \"exams\"\ndates = \"2027-05-10\"\n[[slot]]\nplaylist = \"lunch\"\n[[slot]]\nplaylist = \"notices\"\n",
        );
        assert_eq!(playing(&s, "2027-05-10 09:00"), "space", "priority wins over specificity");
        let s = sched(
            "[[slot]]\nplaylist = \"exams\"\ndates = \"2027-05-10\"\n[[slot]]\nplaylist = \"lunch\"\n[[slot]]\nplaylist = \"notices\"\n",
        );
        assert_eq!(playing(&s, "2027-05-10 09:00"), "exams", "specific dates win");
        assert_eq!(playing(&s, "2027-05-11 09:00"), "notices", "then the later slot");
    }

    #[test]
    fn leap_day_and_year_end() {
        let s = sched(
            "[[slot]]\nplaylist = \"space\"\ndates = \"2028-02-29\"\n[[slot]]\nplaylist = \"christmas\"\ndates = [\"2026-12-20\", \"2027-01-05\"]\n",
        );
        assert_eq!(playing(&s, "2028-02-29 10:00"), "space");
        assert_eq!(playing(&s, "2028-03-01 00:00"), "default");
        assert_eq!(playing(&s, "2026-12-31 23:59"), "christmas");
        assert_eq!(playing(&s, "2027-01-01 00:00"), "christmas");
        assert_eq!(playing(&s, "2027-01-06 00:00"), "default");
    }

    #[test]
    fn next_change_and_stretches() {
        let s = sched(SCHOOL);
        assert_eq!(s.next_change(dt("2026-11-25 07:45"), 2), Some(dt("2026-11-25 08:00")));
        assert_eq!(s.next_change(dt("2026-11-25 08:00"), 2), Some(dt("2026-11-25 08:50")));
        let lines = plan_lines(&s, dt("2026-11-25 00:00"), dt("2026-11-26 00:00"));
        assert_eq!(
            lines,
            [
                "2026-11-25 00:00-07:30 OFF (Night)",
                "2026-11-25 07:30-08:00 default (nothing scheduled)",
                "2026-11-25 08:00-08:50 notices (Before school)",
                "2026-11-25 08:50-12:00 default (nothing scheduled)",
                "2026-11-25 12:00-13:15 lunch (Lunch)",
                "2026-11-25 13:15-18:00 default (nothing scheduled)",
                "2026-11-25 18:00-24:00 OFF (Night)",
            ]
        );
        assert_eq!(s.stretch_start(dt("2026-11-25 08:30")), dt("2026-11-25 08:00"));
    }

    #[test]
    fn errors_have_lines_and_reject_the_file() {
        let text = "[[slot]]\nplaylist = \"lunch\"\nfrom = \"25:00\"\nto = \"13:00\"\n\n[[holiday]]\nname = \"winter\"\nfrom = \"2027-04-01\"\nto = \"2027-01-01\"\n\n[[slot]]\nplaylist = \"notices\"\nduring = \"sprung\"\ncolour = \"red\"\n[[term]]\nname = \"spring\"\nfrom = \"2027-01-05\"\nto = \"2027-03-26\"\n";
        let l = parse(text, &lists());
        assert!(l.schedule.is_none());
        let msgs: Vec<String> = l.problems.iter().map(|p| p.to_string()).collect();
        assert!(msgs.iter().any(|m| m.starts_with("schedule.toml:3:") && m.contains("25:00")), "{msgs:?}");
        assert!(
            msgs.iter().any(|m| m.starts_with("schedule.toml:9:") && m.contains("wrong order")),
            "{msgs:?}"
        );
        assert!(
            msgs.iter().any(|m| m.starts_with("schedule.toml:13:") && m.contains("did you mean \"spring\"")),
            "{msgs:?}"
        );
        assert!(
            msgs.iter().any(|m| m.starts_with("schedule.toml:14:") && m.contains("unknown setting `colour`")),
            "{msgs:?}"
        );
    }

    #[test]
    fn missing_playlist_is_a_warning_and_the_slot_is_skipped() {
        let l = parse("[[slot]]\nplaylist = \"lunhc\"\nfrom = \"12:00\"\nto = \"13:00\"\n", &lists());
        let s = l.schedule.expect("kept");
        assert!(s.slots.is_empty());
        assert_eq!(l.problems.len(), 1);
        assert_eq!(l.problems[0].severity, Severity::Warning);
        assert!(l.problems[0].message.contains("did you mean \"lunch\""), "{:?}", l.problems);
        assert_eq!(l.problems[0].line, Some(1));
    }

    #[test]
    fn overlap_warning() {
        let s = sched(
            "[[slot]]\nname = \"A\"\nplaylist = \"lunch\"\nfrom = \"12:00\"\nto = \"13:00\"\n[[slot]]\nname = \"B\"\nplaylist = \"notices\"\nfrom = \"12:30\"\nto = \"14:00\"\n",
        );
        let w = s.overlap_warnings(NaiveDate::from_ymd_opt(2027, 1, 4).unwrap(), 7);
        assert_eq!(w.len(), 1, "{w:?}");
        assert!(w[0].message.contains("\"A\" and \"B\" overlap"), "{w:?}");
        assert_eq!(w[0].line, Some(6));
    }
}
