//! `corridor check`: reads the settings and the whole content folder, decodes every slide the way
//! the screen would, and prints one line per problem in plain words, then what plays now.

use std::io::Write;

use crate::core::config::Config;
use crate::core::content::{self, Content, DEFAULT_PLAYLIST};
use crate::core::media::{self, Limits};
use crate::core::problems::Problem;

/// The size slides are test-decoded at: small, so a check of a big folder stays quick.
const CHECK_STAGE: (u32, u32) = (480, 270);

/// Everything `check` found.
pub struct Report {
    pub content: Content,
    pub problems: Vec<Problem>,
}

/// Scans the content folder and test-decodes every slide. Err when the folder cannot be read at all.
pub fn check(config: &Config, config_problems: Vec<Problem>) -> Result<Report, content::ScanError> {
    let mut problems = config_problems;
    let content = content::scan(&config.content, &config.slides)?;
    problems.extend(content.problems.iter().cloned());
    let limits = Limits {
        max_megapixels: config.slides.max_megapixels,
    };
    for playlist in content.playlists.values() {
        for item in &playlist.items {
            if let Err(e) = media::load(item, CHECK_STAGE, limits) {
                problems.push(Problem::error(item.rel.clone(), e.to_string()));
            }
        }
    }
    Ok(Report { content, problems })
}

/// Prints the report; returns the exit code (0 all good, 1 problems found).
pub fn print(report: &Report, config: &Config, out: &mut impl Write) -> std::io::Result<i32> {
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
    let n = report.problems.len();
    match n {
        0 => writeln!(out, "no problems found")?,
        1 => writeln!(out, "1 problem found")?,
        _ => writeln!(out, "{n} problems found")?,
    }
    let bad: std::collections::HashSet<_> = report
        .problems
        .iter()
        .filter_map(|p| p.file.clone())
        .collect();
    match report.content.playlist(DEFAULT_PLAYLIST) {
        Some(pl) => {
            let good: Vec<String> = pl
                .items
                .iter()
                .filter(|i| !bad.contains(&i.rel))
                .map(|i| i.rel.display().to_string())
                .collect();
            if good.is_empty() {
                writeln!(
                    out,
                    "now playing: {DEFAULT_PLAYLIST} has nothing that can be shown, so the calm fallback slide shows"
                )?;
            } else {
                let s = if good.len() == 1 { "" } else { "s" };
                writeln!(
                    out,
                    "now playing: {DEFAULT_PLAYLIST} ({} slide{s}: {})",
                    good.len(),
                    good.join(", ")
                )?;
            }
        }
        None => writeln!(
            out,
            "now playing: no {DEFAULT_PLAYLIST}/ folder, so the calm fallback slide shows"
        )?,
    }
    Ok(if n == 0 { 0 } else { 1 })
}
