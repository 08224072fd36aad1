//! The widgets' data and rules, each a pure function of the data and `today`.

use chrono::{Datelike, Duration as ChronoDuration, NaiveDate, Weekday};

use super::BIRTHDAYS_FILE;
use super::csv;
use crate::core::colour::Rgb;
use crate::core::problems::Problem;

/// Longest text a widget line shows; longer text ends in an ellipsis.
pub const MAX_LINE_CHARS: usize = 34;

/// Cuts `text` to `max` characters, ending in "…" when cut.
pub fn fit_text(text: &str, max: usize) -> String {
    let clean: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if clean.chars().count() <= max {
        return clean;
    }
    let mut out: String = clean.chars().take(max.saturating_sub(1)).collect();
    out = out.trim_end().to_string();
    out.push('…');
    out
}

/// Only the first word of a pupil's name is ever shown (safeguarding).
pub fn first_name(name: &str) -> String {
    name.split_whitespace().next().unwrap_or("").to_string()
}

// ---- House points ----

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct House {
    pub name: String,
    pub points: i64,
    pub colour: Rgb,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HousePoints {
    pub houses: Vec<House>,
    pub updated: Option<String>,
}

impl HousePoints {
    /// Houses by points, most first (ties by name), each with whether it leads (ties share it).
    pub fn ranked(&self) -> Vec<(House, bool)> {
        let mut v = self.houses.clone();
        v.sort_by(|a, b| b.points.cmp(&a.points).then_with(|| a.name.cmp(&b.name)));
        let top = v.first().map(|h| h.points);
        v.into_iter()
            .map(|h| {
                let leads = Some(h.points) == top && h.points > 0;
                (h, leads)
            })
            .collect()
    }
}

// ---- Birthdays ----

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Birthday {
    /// Only the first word of the name in the file.
    pub first_name: String,
    pub class: Option<String>,
    pub month: u32,
    pub day: u32,
}

pub fn parse_birthdays(bytes: &[u8], problems: &mut Vec<Problem>) -> Vec<Birthday> {
    let mut out = Vec::new();
    for row in csv::parse(bytes) {
        let bad = |msg: String| Problem::error(Some(BIRTHDAYS_FILE.into()), msg).at_line(Some(row.line));
        let Some(name) = row.get("name") else {
            problems.push(bad("no name in this row; it is skipped".into()));
            continue;
        };
        let Some(date) = row.get("date") else {
            problems.push(bad("no date in this row; it is skipped (write it as MM-DD or YYYY-MM-DD)".into()));
            continue;
        };
        match parse_month_day(date) {
            Some((month, day)) => out.push(Birthday {
                first_name: fit_text(&first_name(name), 18),
                class: row.get("class").map(|c| fit_text(c, 8)),
                month,
                day,
            }),
            None => problems.push(bad(format!(
                "\"{date}\" is not a date; write it as MM-DD (03-14) or YYYY-MM-DD; this row is skipped"
            ))),
        }
    }
    out
}

/// "03-14" or "2015-03-14" → (3, 14); 02-29 is allowed.
fn parse_month_day(text: &str) -> Option<(u32, u32)> {
    let parts: Vec<&str> = text.trim().split('-').collect();
    let (m, d) = match parts.as_slice() {
        [m, d] => (m.parse().ok()?, d.parse().ok()?),
        [y, m, d] => {
            let date = NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)?;
            (date.month(), date.day())
        }
        _ => return None,
    };
    NaiveDate::from_ymd_opt(2028, m, d).map(|_| (m, d))
}

/// The day a birthday falls on in `year`: 29 February is 28 February in other years.
fn birthday_in(b: &Birthday, year: i32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(year, b.month, b.day)
        .or_else(|| NaiveDate::from_ymd_opt(year, 2, 28).filter(|_| (b.month, b.day) == (2, 29)))
}

/// The days whose birthdays show on `today`: today; on a Friday also the weekend ahead, on a
/// Monday also the weekend just gone (with `weekend`).
pub fn birthday_days(today: NaiveDate, weekend: bool) -> Vec<NaiveDate> {
    let mut days = vec![today];
    if weekend {
        match today.weekday() {
            Weekday::Fri => days.extend([today + ChronoDuration::days(1), today + ChronoDuration::days(2)]),
            Weekday::Mon => days.extend([today - ChronoDuration::days(2), today - ChronoDuration::days(1)]),
            _ => {}
        }
    }
    days
}

/// The birthdays to show on `today`, in file order.
pub fn birthdays_on(list: &[Birthday], today: NaiveDate, weekend: bool) -> Vec<Birthday> {
    let days = birthday_days(today, weekend);
    list.iter().filter(|b| days.iter().any(|d| birthday_in(b, d.year()) == Some(*d))).cloned().collect()
}

// ---- Awards ----

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Award {
    pub first_name: String,
    pub class: Option<String>,
    pub award: String,
    pub date: NaiveDate,
}

/// The `n` most recent awards up to `today`, newest first.
pub fn recent_awards(list: &[Award], today: NaiveDate, n: usize) -> Vec<Award> {
    let mut v: Vec<Award> = list
        .iter()
        .filter(|a| a.date <= today && a.date > today - ChronoDuration::days(31))
        .cloned()
        .collect();
    v.sort_by(|a, b| b.date.cmp(&a.date));
    v.truncate(n);
    v
}

// ---- Sports ----

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MatchResult {
    pub team: String,
    pub opponent: String,
    pub score: String,
    pub date: NaiveDate,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fixture {
    pub team: String,
    pub opponent: String,
    pub date: NaiveDate,
    pub place: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct News {
    pub text: String,
    pub date: NaiveDate,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Sports {
    pub results: Vec<MatchResult>,
    pub fixtures: Vec<Fixture>,
    pub news: Vec<News>,
}

impl Sports {
    /// What to show on `today`: results of the last 14 days (newest first), fixtures of the
    /// next 14 days (soonest first), news of the last 14 days; three of each at most.
    pub fn on(&self, today: NaiveDate) -> Sports {
        let window = ChronoDuration::days(14);
        let mut results: Vec<_> =
            self.results.iter().filter(|r| r.date <= today && r.date > today - window).cloned().collect();
        results.sort_by(|a, b| b.date.cmp(&a.date));
        results.truncate(3);
        let mut fixtures: Vec<_> =
            self.fixtures.iter().filter(|f| f.date >= today && f.date <= today + window).cloned().collect();
        fixtures.sort_by_key(|f| f.date);
        fixtures.truncate(3);
        let mut news: Vec<_> =
            self.news.iter().filter(|n| n.date <= today && n.date > today - window).cloned().collect();
        news.sort_by(|a, b| b.date.cmp(&a.date));
        news.truncate(3);
        Sports { results, fixtures, news }
    }

    pub fn is_empty(&self) -> bool {
        self.results.is_empty() && self.fixtures.is_empty() && self.news.is_empty()
    }
}

// ---- Countdowns ----

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Countdown {
    pub name: String,
    pub date: NaiveDate,
}

/// "Sports day is today!", "Sports day is tomorrow!", "Sports day in 12 days": the three soonest
/// events from `today` on (within a year). Days are counted on local dates, so a clock change
/// does not shift them.
pub fn countdown_lines(list: &[Countdown], today: NaiveDate) -> Vec<String> {
    let mut v: Vec<&Countdown> =
        list.iter().filter(|c| c.date >= today && (c.date - today).num_days() <= 365).collect();
    v.sort_by_key(|c| c.date);
    v.into_iter()
        .take(3)
        .map(|c| match (c.date - today).num_days() {
            0 => format!("{} is today!", c.name),
            1 => format!("{} is tomorrow!", c.name),
            n => format!("{} in {n} days", c.name),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::when::parse_date;
    use crate::core::widgets::files::*;

    fn d(s: &str) -> NaiveDate {
        parse_date(s).unwrap()
    }

    #[test]
    fn houses_rank_by_points_ties_share_the_lead() {
        let mut p = Vec::new();
        let hp = parse_house_points(
            "updated = \"Friday\"\n[[house]]\nname = \"Oak\"\npoints = 120\ncolour = \"green\"\n[[house]]\nname = \"Ash\"\npoints = 120\n[[house]]\nname = \"Elm\"\npoints = \"ten\"\n[[house]]\nname = \"Yew\"\npoints = 80\n",
            &mut p,
        )
        .unwrap();
        assert_eq!(p.len(), 1, "{p:?}");
        assert_eq!(p[0].line, Some(11));
        assert!(p[0].message.contains("whole number"));
        let ranked: Vec<(String, bool)> = hp.ranked().into_iter().map(|(h, l)| (h.name, l)).collect();
        assert_eq!(ranked, [("Ash".into(), true), ("Oak".into(), true), ("Yew".into(), false)]);
    }

    fn bd(name: &str, m: u32, day: u32) -> Birthday {
        Birthday { first_name: name.into(), class: None, month: m, day }
    }

    fn names(v: Vec<Birthday>) -> Vec<String> {
        v.into_iter().map(|b| b.first_name).collect()
    }

    #[test]
    fn birthdays_today_and_around_weekends() {
        let list = [bd("Fri", 1, 8), bd("Sat", 1, 9), bd("Sun", 1, 10), bd("Mon", 1, 11)];
        assert_eq!(
            names(birthdays_on(&list, d("2027-01-08"), true)),
            ["Fri", "Sat", "Sun"],
            "Friday shows the weekend ahead"
        );
        assert_eq!(
            names(birthdays_on(&list, d("2027-01-11"), true)),
            ["Sat", "Sun", "Mon"],
            "Monday the weekend gone"
        );
        assert_eq!(names(birthdays_on(&list, d("2027-01-11"), false)), ["Mon"]);
        assert_eq!(names(birthdays_on(&list, d("2027-01-12"), true)), Vec::<String>::new());
    }

    #[test]
    fn birthdays_across_month_and_year_ends_and_leap_days() {
        let list = [bd("NewYear", 1, 1), bd("Eve", 12, 31), bd("Leap", 2, 29), bd("March", 3, 1)];
        // Monday 3 January 2028: the weekend gone is 1-2 January.
        assert_eq!(names(birthdays_on(&list, d("2028-01-03"), true)), ["NewYear"]);
        // Friday 31 December 2027 with the weekend: 1-2 January 2028.
        assert_eq!(names(birthdays_on(&list, d("2027-12-31"), true)), ["NewYear", "Eve"]);
        assert_eq!(
            names(birthdays_on(&list, d("2027-02-28"), false)),
            ["Leap"],
            "29 Feb shows on 28 Feb in 2027"
        );
        assert_eq!(names(birthdays_on(&list, d("2028-02-28"), false)), Vec::<String>::new());
        assert_eq!(names(birthdays_on(&list, d("2028-02-29"), false)), ["Leap"]);
        assert_eq!(names(birthdays_on(&list, d("2027-03-01"), false)), ["March"]);
    }

    #[test]
    fn birthday_rows_show_first_names_only_and_bad_rows_are_reported() {
        let mut p = Vec::new();
        let list = parse_birthdays(b"Name;Class;Date\r\nAnna Maria Smith;3B;03-14\r\nBen Jones;4A;02-30\r\nCara;;2016-02-29\r\n;5C;01-01\r\n", &mut p);
        assert_eq!(list.len(), 2);
        assert_eq!(list[0].first_name, "Anna");
        assert_eq!(list[1].first_name, "Cara");
        assert_eq!(list[1].class, None);
        let lines: Vec<String> = p.iter().map(|x| x.to_string()).collect();
        assert_eq!(lines.len(), 2, "{lines:?}");
        assert!(lines[0].starts_with("birthdays.csv:3: \"02-30\" is not a date"), "{lines:?}");
        assert!(lines[1].starts_with("birthdays.csv:5: no name"), "{lines:?}");
    }

    #[test]
    fn countdowns_count_local_days_across_clock_changes() {
        let list = [
            Countdown { name: "Sports day".into(), date: d("2027-04-02") },
            Countdown { name: "Fair".into(), date: d("2027-03-29") },
        ];
        // 28 March 2027 the clocks go forward in the UK: still whole days.
        assert_eq!(countdown_lines(&list, d("2027-03-21")), ["Fair in 8 days", "Sports day in 12 days"]);
        assert_eq!(countdown_lines(&list, d("2027-03-28")), ["Fair is tomorrow!", "Sports day in 5 days"]);
        assert_eq!(countdown_lines(&list, d("2027-04-02")), ["Sports day is today!"]);
        assert!(countdown_lines(&list, d("2027-04-03")).is_empty());
    }

    #[test]
    fn awards_and_sports_pick_recent_and_coming() {
        let mut p = Vec::new();
        let awards = parse_awards("[[award]]\nname = \"Dan Smith\"\nclass = \"2C\"\naward = \"Star of the week\"\ndate = \"2027-01-08\"\n[[award]]\nname = \"Eve\"\naward = \"Reader\"\ndate = \"2027-02-01\"\n[[award]]\nname = \"Old\"\naward = \"x\"\ndate = \"2026-01-01\"\n", &mut p).unwrap();
        assert!(p.is_empty(), "{p:?}");
        let recent = recent_awards(&awards, d("2027-01-10"), 3);
        assert_eq!(recent.len(), 1);
        assert_eq!(recent[0].first_name, "Dan");
        let sports = parse_sports("[[result]]\nteam = \"Year 6\"\nopponent = \"St Mary's\"\nscore = \"3-1\"\ndate = \"2027-01-07\"\n[[fixture]]\nteam = \"Netball\"\nopponent = \"Hill School\"\ndate = \"2027-01-14\"\nplace = \"Home\"\n[[news]]\ntext = \"Cross-country team through to the finals\"\ndate = \"2027-01-05\"\n[[fixture]]\nteam = \"x\"\n", &mut p).unwrap();
        assert_eq!(p.len(), 2, "missing opponent and date in the last fixture: {p:?}");
        let on = sports.on(d("2027-01-10"));
        assert_eq!((on.results.len(), on.fixtures.len(), on.news.len()), (1, 1, 1));
        assert!(sports.on(d("2027-03-01")).is_empty());
    }

    #[test]
    fn an_unreadable_file_is_none_so_the_last_good_data_stays() {
        let mut p = Vec::new();
        assert_eq!(parse_house_points("[[house]\nname = \"Oak\"", &mut p), None);
        assert_eq!(parse_countdowns("[[event]]\nname = ", &mut p), None);
        assert_eq!(p.len(), 2);
        assert!(p[0].message.contains("last good data stays"), "{p:?}");
    }

    #[test]
    fn long_text_ends_in_an_ellipsis() {
        assert_eq!(fit_text("Short", 10), "Short");
        assert_eq!(fit_text("A very long house name indeed", 10), "A very lo…");
        assert_eq!(fit_text("  spaced\n out  ", 20), "spaced out");
    }
}
