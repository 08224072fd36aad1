//! The widgets' TOML files (house-points.toml, awards.toml, sports.toml, countdowns.toml), each
//! read by declared keys ([`Key`] tables): a file's top-level keys and each entry's keys are listed
//! once, and that list both refuses unknown keys and reads the known ones. An entry missing
//! something it needs is skipped with one problem at its line; the rest of the file still counts.

use std::path::Path;

use chrono::NaiveDate;
use toml_edit::Table;

use super::data::{
    Award, Countdown, Fixture, House, HousePoints, MAX_LINE_CHARS, MatchResult, News, Sports, first_name,
    fit_text,
};
use super::{AWARDS_FILE, COUNTDOWNS_FILE, HOUSE_POINTS_FILE, SPORTS_FILE};
use crate::core::colour::{Rgb, parse_colour};
use crate::core::problems::Problem;
use crate::core::tomlx::{Key, Reader, TomlFile, key};
use crate::core::when::parse_date;

const DEFAULT_HOUSE_COLOURS: [Rgb; 6] = [
    Rgb::new(220, 38, 38),
    Rgb::new(37, 99, 235),
    Rgb::new(22, 163, 74),
    Rgb::new(250, 204, 21),
    Rgb::new(147, 51, 234),
    Rgb::new(249, 115, 22),
];

/// What one entry (`[[house]]`, `[[award]]`, …) says, before it is checked.
#[derive(Default)]
struct Entry {
    texts: Vec<(&'static str, String)>,
    date: Option<NaiveDate>,
    points: Option<i64>,
    colour: Option<Rgb>,
}

/// A text key of an entry.
const fn text(name: &'static str) -> Key<Entry> {
    Key {
        name,
        read: |r, t, k, e| {
            if let Some(s) = r.string(t, k) {
                e.texts.push((k, s));
            }
        },
    }
}

const DATE: Key<Entry> = key!("date", parsed(parse_date), |e, d| e.date = Some(d));

/// A house's colour, under either spelling.
const fn colour(name: &'static str) -> Key<Entry> {
    Key {
        name,
        read: |r, t, k, e| {
            if let Some(c) = r.parsed(t, k, parse_colour) {
                e.colour = Some(c);
            }
        },
    }
}

/// `points`: a whole number of 0 or more (a float is rounded).
const POINTS: Key<Entry> = Key {
    name: "points",
    read: |r, t, k, e| {
        let value = t.get(k).and_then(|v| v.as_value());
        match value.and_then(|v| v.as_integer().or_else(|| v.as_float().map(|f| f.round() as i64))) {
            Some(p) if p >= 0 => e.points = Some(p),
            _ => {
                let shown =
                    value.and_then(|v| v.as_str()).map_or_else(|| "that".into(), |s| format!("\"{s}\""));
                let msg = format!(
                    "`points` should be a whole number of 0 or more, not {shown}; this house is skipped"
                );
                r.problem(t, k, msg);
            }
        }
    },
};

const HOUSE_KEYS: &[Key<Entry>] = &[text("name"), POINTS, colour("colour"), colour("color")];
const AWARD_KEYS: &[Key<Entry>] = &[text("name"), text("class"), text("award"), DATE];
const RESULT_KEYS: &[Key<Entry>] = &[text("team"), text("opponent"), text("score"), DATE];
const FIXTURE_KEYS: &[Key<Entry>] = &[text("team"), text("opponent"), DATE, text("place")];
const NEWS_KEYS: &[Key<Entry>] = &[text("text"), DATE];
const EVENT_KEYS: &[Key<Entry>] = &[text("name"), DATE];

/// One entry `t` of kind `kind` (its `[[kind]]` name), read by `keys`.
fn entry<'a>(r: &mut Reader<'a>, t: &'a Table, kind: &'static str, keys: &[Key<Entry>]) -> Checked<'a> {
    let mut e = Entry::default();
    r.read_keys(t, kind, keys, &mut e);
    Checked { e, t, kind, skip: false }
}

/// An entry being checked: each missing or empty thing it needs is reported (once per thing)
/// and marks it skipped.
struct Checked<'a> {
    e: Entry,
    t: &'a Table,
    kind: &'static str,
    skip: bool,
}

impl Checked<'_> {
    fn optional(&self, key: &str) -> Option<String> {
        self.e.texts.iter().find(|(k, _)| *k == key).map(|(_, v)| v.clone())
    }

    fn required(&mut self, r: &mut Reader<'_>, key: &str) -> String {
        let kind = self.kind;
        match self.optional(key) {
            Some(s) if !s.trim().is_empty() => return s,
            Some(_) => r.problem(self.t, key, format!("`{key}` is empty; this [[{kind}]] is skipped")),
            None if self.t.get(key).is_none() => {
                r.problem_at(r.table_line(self.t), format!("this [[{kind}]] has no `{key}`; it is skipped"));
            }
            None => {} // there, but not text: already reported
        }
        self.skip = true;
        String::new()
    }

    fn date(&mut self, r: &mut Reader<'_>) -> NaiveDate {
        if self.t.get("date").is_none() {
            let kind = self.kind;
            let msg = format!("this [[{kind}]] has no `date = \"YYYY-MM-DD\"`; it is skipped");
            r.problem_at(r.table_line(self.t), msg);
        }
        self.skip |= self.e.date.is_none();
        self.e.date.unwrap_or_default()
    }

    /// `made` when nothing needed was missing.
    fn keep<T>(self, made: T) -> Option<T> {
        (!self.skip).then_some(made)
    }
}

fn toml_file(name: &str, text: &str, problems: &mut Vec<Problem>) -> Option<TomlFile> {
    match TomlFile::parse(Path::new(name), text) {
        Ok(f) => Some(f),
        Err(mut p) => {
            p.message.push_str("; the last good data stays on screen");
            problems.push(p);
            None
        }
    }
}

/// Reads a whole file by its top-level `keys` into a `T`.
fn read_file<T: Default>(name: &str, text: &str, keys: &[Key<T>], problems: &mut Vec<Problem>) -> Option<T> {
    let file = toml_file(name, text, problems)?;
    let mut r = file.reader();
    let mut out = T::default();
    r.read_keys(r.root(), "", keys, &mut out);
    problems.extend(r.problems);
    Some(out)
}

// ---- house-points.toml ----

const HOUSE_POINTS_KEYS: &[Key<HousePoints>] = &[
    Key {
        name: "house",
        read: |r, t, k, hp| {
            for t in r.tables(t, k) {
                let default = DEFAULT_HOUSE_COLOURS[hp.houses.len() % DEFAULT_HOUSE_COLOURS.len()];
                hp.houses.extend(house(r, t, default));
            }
        },
    },
    key!("updated", string, |hp, s| hp.updated = Some(s)),
];

fn house<'a>(r: &mut Reader<'a>, t: &'a Table, default: Rgb) -> Option<House> {
    let mut c = entry(r, t, "house", HOUSE_KEYS);
    let name = c.required(r, "name");
    if c.skip {
        return None;
    }
    let Some(points) = c.e.points else {
        if t.get("points").is_none() {
            r.problem_at(r.table_line(t), format!("house \"{name}\" has no `points`; it is skipped"));
        }
        return None;
    };
    let colour = c.e.colour.unwrap_or(default);
    c.keep(House { name: fit_text(&name, 20), points, colour })
}

pub fn parse_house_points(text: &str, problems: &mut Vec<Problem>) -> Option<HousePoints> {
    read_file(HOUSE_POINTS_FILE, text, HOUSE_POINTS_KEYS, problems)
}

// ---- awards.toml ----

const AWARDS_KEYS: &[Key<Vec<Award>>] = &[Key {
    name: "award",
    read: |r, t, k, out| {
        for t in r.tables(t, k) {
            let mut c = entry(r, t, "award", AWARD_KEYS);
            let (name, award, date) = (c.required(r, "name"), c.required(r, "award"), c.date(r));
            let class = c.optional("class").map(|c| fit_text(&c, 8));
            let first = fit_text(&first_name(&name), 18);
            out.extend(c.keep(Award {
                first_name: first,
                class,
                award: fit_text(&award, MAX_LINE_CHARS),
                date,
            }));
        }
    },
}];

pub fn parse_awards(text: &str, problems: &mut Vec<Problem>) -> Option<Vec<Award>> {
    read_file(AWARDS_FILE, text, AWARDS_KEYS, problems)
}

// ---- sports.toml ----

const SPORTS_KEYS: &[Key<Sports>] = &[
    Key {
        name: "result",
        read: |r, t, k, s| {
            for t in r.tables(t, k) {
                let mut c = entry(r, t, "result", RESULT_KEYS);
                let (team, opponent) = (c.required(r, "team"), c.required(r, "opponent"));
                let (score, date) = (c.required(r, "score"), c.date(r));
                let (team, opponent, score) =
                    (fit_text(&team, 16), fit_text(&opponent, 16), fit_text(&score, 9));
                s.results.extend(c.keep(MatchResult { team, opponent, score, date }));
            }
        },
    },
    Key {
        name: "fixture",
        read: |r, t, k, s| {
            for t in r.tables(t, k) {
                let mut c = entry(r, t, "fixture", FIXTURE_KEYS);
                let (team, opponent, date) = (c.required(r, "team"), c.required(r, "opponent"), c.date(r));
                let place = c.optional("place").map(|p| fit_text(&p, 16));
                let (team, opponent) = (fit_text(&team, 16), fit_text(&opponent, 16));
                s.fixtures.extend(c.keep(Fixture { team, opponent, date, place }));
            }
        },
    },
    Key {
        name: "news",
        read: |r, t, k, s| {
            for t in r.tables(t, k) {
                let mut c = entry(r, t, "news", NEWS_KEYS);
                let (text, date) = (c.required(r, "text"), c.date(r));
                s.news.extend(c.keep(News { text: fit_text(&text, 70), date }));
            }
        },
    },
];

pub fn parse_sports(text: &str, problems: &mut Vec<Problem>) -> Option<Sports> {
    read_file(SPORTS_FILE, text, SPORTS_KEYS, problems)
}

// ---- countdowns.toml ----

const COUNTDOWNS_KEYS: &[Key<Vec<Countdown>>] = &[Key {
    name: "event",
    read: |r, t, k, out| {
        for t in r.tables(t, k) {
            let mut c = entry(r, t, "event", EVENT_KEYS);
            let (name, date) = (c.required(r, "name"), c.date(r));
            out.extend(c.keep(Countdown { name: fit_text(&name, 22), date }));
        }
    },
}];

pub fn parse_countdowns(text: &str, problems: &mut Vec<Problem>) -> Option<Vec<Countdown>> {
    read_file(COUNTDOWNS_FILE, text, COUNTDOWNS_KEYS, problems)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_keys_are_reported_with_a_suggestion_and_the_entry_still_counts() {
        let mut p = Vec::new();
        let list =
            parse_countdowns("[[event]]\nname = \"Fair\"\ndate = \"2027-03-29\"\ndat = \"x\"\n", &mut p)
                .unwrap();
        assert_eq!(list.len(), 1);
        assert_eq!(p.len(), 1, "{p:?}");
        assert!(p[0].message.contains("unknown setting `dat` in [event]; did you mean `date`?"), "{p:?}");
        assert_eq!(p[0].line, Some(4));
        let mut p = Vec::new();
        parse_house_points("[[house]]\nname = \"Oak\"\npoints = 3\ncolor = \"red\"\n[[houses]]\n", &mut p)
            .unwrap();
        assert_eq!(p.len(), 1, "{p:?}");
        assert!(p[0].message.contains("unknown setting `houses`"), "{p:?}");
    }

    #[test]
    fn missing_things_are_reported_once_each_at_the_entrys_line() {
        let mut p = Vec::new();
        let s = parse_sports(
            "[[result]]\nteam = \"A\"\nscore = \"\"\n\n[[news]]\ntext = \"Hi\"\ndate = 5\n",
            &mut p,
        )
        .unwrap();
        assert!(s.results.is_empty() && s.news.is_empty());
        let lines: Vec<String> = p.iter().map(|x| x.to_string()).collect();
        assert_eq!(lines.len(), 4, "{lines:?}");
        assert!(
            lines.iter().any(|l| l.starts_with("sports.toml:1: this [[result]] has no `opponent`")),
            "{lines:?}"
        );
        assert!(lines.iter().any(|l| l.starts_with("sports.toml:3: `score` is empty")), "{lines:?}");
        assert!(
            lines.iter().any(|l| l.starts_with("sports.toml:1: this [[result]] has no `date")),
            "{lines:?}"
        );
        assert!(lines.iter().any(|l| l.starts_with("sports.toml:7:")), "a date that is not text: {lines:?}");
    }
}
