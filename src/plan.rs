//! `corridor plan`: the schedule's timeline, or what plays at one moment and why.

use std::io::Write;

use chrono::{Duration as ChronoDuration, NaiveDate, NaiveDateTime, NaiveTime};

use crate::core::content::Content;
use crate::core::schedule::{Schedule, describe, plan_lines};

/// Writes one line per stretch for `days` days from `date`.
pub fn print_days(
    schedule: &Schedule,
    date: NaiveDate,
    days: u32,
    out: &mut impl Write,
) -> std::io::Result<()> {
    let from = date.and_time(NaiveTime::MIN);
    let to = from + ChronoDuration::days(days.max(1) as i64);
    for line in plan_lines(schedule, from, to) {
        writeln!(out, "{line}")?;
    }
    Ok(())
}

/// Writes what plays at `at`, why, and the slides due then.
pub fn print_at(
    schedule: &Schedule,
    content: &Content,
    at: NaiveDateTime,
    out: &mut impl Write,
) -> std::io::Result<()> {
    let decision = schedule.decide(at);
    writeln!(out, "{}: {}", at.format("%Y-%m-%d %H:%M"), describe(schedule, &decision))?;
    if let Some(slot) = decision.slot.and_then(|i| schedule.slots.get(i)) {
        let line = slot.line.map(|l| format!(" (schedule.toml line {l})")).unwrap_or_default();
        writeln!(out, "why: \"{}\"{line} covers this moment, priority {}", slot.label(), slot.priority)?;
    } else {
        writeln!(out, "why: no slot of the schedule covers this moment, so the default playlist plays")?;
    }
    if let Some(next) = schedule.next_change(at, 400) {
        writeln!(
            out,
            "until: {} ({} then)",
            next.format("%Y-%m-%d %H:%M"),
            describe(schedule, &schedule.decide(next))
        )?;
    }
    match decision.playlist() {
        None => writeln!(out, "the screen is off")?,
        Some(name) => match content.playlist(name) {
            None => writeln!(out, "there is no playlist folder \"{name}\": the calm fallback slide shows")?,
            Some(pl) => {
                let due: Vec<_> = pl.items.iter().filter(|i| i.when.is_due(at)).collect();
                writeln!(out, "slides due ({} of {}):", due.len(), pl.items.len())?;
                for item in due {
                    writeln!(out, "  {}", item.rel.display())?;
                }
            }
        },
    }
    Ok(())
}
