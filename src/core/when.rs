//! Days, dates and clock times as staff write them ("weekdays", "2026-12-05", "08:00"), and the
//! `from` / `until` / `days` / `times` rules a playlist item may carry. Times are local clock
//! times; nothing here knows about time zones.

use chrono::{Datelike, NaiveDate, NaiveDateTime, NaiveTime, Weekday};

/// A set of weekdays.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct DaySet(u8);

impl DaySet {
    pub const ALL: DaySet = DaySet(0x7f);
    pub const NONE: DaySet = DaySet(0);

    pub fn contains(self, day: Weekday) -> bool {
        self.0 & (1 << day.num_days_from_monday()) != 0
    }

    pub fn with(self, day: Weekday) -> Self {
        DaySet(self.0 | (1 << day.num_days_from_monday()))
    }

    pub fn union(self, other: DaySet) -> Self {
        DaySet(self.0 | other.0)
    }

    pub fn is_all(self) -> bool {
        self == Self::ALL
    }
}

/// Parses one day word: "mon".."sun" (or full names), "weekdays", "weekends", "daily".
pub fn parse_day_word(word: &str) -> Result<DaySet, String> {
    use Weekday::*;
    let w = word.trim().to_ascii_lowercase();
    let one = |d| Ok(DaySet::NONE.with(d));
    match w.as_str() {
        "mon" | "monday" => one(Mon),
        "tue" | "tues" | "tuesday" => one(Tue),
        "wed" | "wednesday" => one(Wed),
        "thu" | "thur" | "thurs" | "thursday" => one(Thu),
        "fri" | "friday" => one(Fri),
        "sat" | "saturday" => one(Sat),
        "sun" | "sunday" => one(Sun),
        "weekdays" | "weekday" => Ok(DaySet(0x1f)),
        "weekends" | "weekend" => Ok(DaySet(0x60)),
        "daily" | "every day" | "everyday" | "all" => Ok(DaySet::ALL),
        _ => Err(format!(
            "\"{word}\" is not a day; use mon, tue, wed, thu, fri, sat, sun, \"weekdays\" or \"weekends\""
        )),
    }
}

/// Parses "mon, wed, fri" or "weekdays" (several words separated by commas).
pub fn parse_days(text: &str) -> Result<DaySet, String> {
    text.split(',')
        .filter(|w| !w.trim().is_empty())
        .try_fold(DaySet::NONE, |acc, w| Ok(acc.union(parse_day_word(w)?)))
}

/// A clock time "HH:MM"; "24:00" means the end of the day and is returned as `None`.
pub fn parse_clock(text: &str) -> Result<Option<NaiveTime>, String> {
    let t = text.trim();
    let bad = || format!("\"{text}\" is not a time of day; write it like \"08:30\" (24-hour clock)");
    let (h, m) = t.split_once(':').ok_or_else(bad)?;
    let h: u32 = h.parse().map_err(|_| bad())?;
    let m: u32 = m.parse().map_err(|_| bad())?;
    if h == 24 && m == 0 {
        return Ok(None);
    }
    NaiveTime::from_hms_opt(h, m, 0).map(Some).ok_or_else(bad)
}

/// A date "YYYY-MM-DD".
pub fn parse_date(text: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .map_err(|_| format!("\"{text}\" is not a date; write it like \"2027-03-01\" (year-month-day)"))
}

/// A stretch of clock time in one day, `from` inclusive to `to` exclusive; `to` None is midnight
/// at the end of the day. When `to` is before `from` it wraps past midnight.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TimeRange {
    pub from: NaiveTime,
    pub to: Option<NaiveTime>,
}

impl TimeRange {
    /// True when the range runs past midnight into the next day.
    pub fn wraps(&self) -> bool {
        self.to.is_some_and(|to| to <= self.from)
    }
}

/// Parses "08:00-12:30".
pub fn parse_time_range(text: &str) -> Result<TimeRange, String> {
    let (a, b) = text
        .split_once(['-', '–'])
        .ok_or_else(|| format!("\"{text}\" is not a time range; write it like \"08:00-12:30\""))?;
    let from = parse_clock(a)?.ok_or_else(|| format!("\"{text}\": a range cannot start at 24:00"))?;
    let to = parse_clock(b)?;
    if to == Some(from) {
        return Err(format!("\"{text}\" starts and ends at the same time"));
    }
    Ok(TimeRange { from, to })
}

/// When a playlist item is due: all given rules must hold.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ItemWhen {
    pub from: Option<NaiveDate>,
    pub until: Option<NaiveDate>,
    pub days: Option<DaySet>,
    pub times: Vec<TimeRange>,
}

impl ItemWhen {
    pub fn is_always(&self) -> bool {
        *self == Self::default()
    }

    /// Whether the item is due at local time `t`. `until` is inclusive (the whole day).
    pub fn is_due(&self, t: NaiveDateTime) -> bool {
        let d = t.date();
        if self.from.is_some_and(|f| d < f) || self.until.is_some_and(|u| d > u) {
            return false;
        }
        if self.days.is_some_and(|days| !days.contains(d.weekday())) {
            return false;
        }
        if self.times.is_empty() {
            return true;
        }
        let time = t.time();
        self.times.iter().any(|r| match r.to {
            None => time >= r.from,
            Some(to) if to > r.from => time >= r.from && time < to,
            Some(to) => time >= r.from || time < to,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dt(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
    }

    #[test]
    fn days() {
        let wd = parse_days("weekdays").unwrap();
        assert!(wd.contains(Weekday::Mon) && wd.contains(Weekday::Fri) && !wd.contains(Weekday::Sat));
        let mwf = parse_days("mon, wed,Friday").unwrap();
        assert!(mwf.contains(Weekday::Wed) && !mwf.contains(Weekday::Tue));
        assert!(parse_days("funday").is_err());
    }

    #[test]
    fn clock_times() {
        assert_eq!(parse_clock("08:30"), Ok(NaiveTime::from_hms_opt(8, 30, 0)));
        assert_eq!(parse_clock("24:00"), Ok(None));
        assert!(parse_clock("25:00").is_err());
        assert!(parse_clock("8.30").is_err());
        assert!(parse_clock("12:60").is_err());
    }

    #[test]
    fn dates() {
        assert!(parse_date("2028-02-29").is_ok());
        assert!(parse_date("2027-02-29").is_err());
        assert!(parse_date("05/12/2026").is_err());
    }

    #[test]
    fn item_rules() {
        let w = ItemWhen {
            from: Some(parse_date("2027-03-01").unwrap()),
            until: Some(parse_date("2027-03-05").unwrap()),
            days: Some(parse_days("weekdays").unwrap()),
            times: vec![parse_time_range("08:00-09:00").unwrap(), parse_time_range("22:00-01:00").unwrap()],
        };
        assert!(w.is_due(dt("2027-03-01 08:00")));
        assert!(!w.is_due(dt("2027-03-01 09:00")));
        assert!(w.is_due(dt("2027-03-05 23:59")), "until is inclusive");
        assert!(w.is_due(dt("2027-03-03 00:30")), "wrapping range");
        assert!(!w.is_due(dt("2027-03-06 08:30")), "after until");
        assert!(!w.is_due(dt("2027-02-28 08:30")), "before from");
        assert!(ItemWhen::default().is_due(dt("2030-01-01 00:00")));
    }
}
