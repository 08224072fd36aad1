//! `corridor ticker [FEED...]`: fetches the ticker's feeds now and prints the headlines in the
//! order they scroll, one per line. Without FEEDs it reads ticker.toml (`label: title` lines,
//! staff messages first); with FEEDs it prints each feed's titles. Any failure is one line on
//! stderr and exit code 1.

use std::io::Write;
use std::sync::Arc;

use chrono::Utc;

use crate::core::config::Config;
use crate::core::feeds::{self, MAX_ITEMS};
use crate::core::ticker::fetch::{Fetched, Fetcher, Limits, Validators};
use crate::core::ticker::worker::fetch_all;
use crate::core::ticker::{self, FeedSource};

/// Runs the command; returns the exit code (0 all fetched, 1 a feed failed, 2 nothing to read).
pub fn run(
    config: &Config,
    args: &[String],
    out: &mut impl Write,
    err: &mut impl Write,
) -> std::io::Result<i32> {
    if args.is_empty() { from_ticker_file(config, out, err) } else { given_feeds(args, out, err) }
}

fn from_ticker_file(config: &Config, out: &mut impl Write, err: &mut impl Write) -> std::io::Result<i32> {
    let (settings, problems) = ticker::load(&config.content);
    for p in &problems {
        writeln!(err, "corridor: {}", p.clone().relative_to(&config.content))?;
    }
    let Some(settings) = settings else { return Ok(2) };
    if settings.feeds.is_empty() && settings.messages.is_empty() {
        writeln!(
            err,
            "corridor: no feeds: {} has no [[feed]] (see docs/content-folder.md)",
            config.content.join(ticker::TICKER_FILE).display()
        )?;
        return Ok(2);
    }
    let feeds = match fetch_all(Arc::new(settings), Limits::default()) {
        Ok(f) => f,
        Err(e) => {
            writeln!(err, "corridor: {e}")?;
            return Ok(1);
        }
    };
    for line in feeds.lines(Utc::now()) {
        writeln!(out, "{}", line.shown(true))?;
    }
    let mut failed = false;
    for state in feeds.states() {
        if let Some(e) = state.error {
            writeln!(err, "corridor: {}: {e}", state.source)?;
            failed = true;
        }
    }
    Ok(i32::from(failed || !problems.is_empty()))
}

fn given_feeds(args: &[String], out: &mut impl Write, err: &mut impl Write) -> std::io::Result<i32> {
    let fetcher = match Fetcher::new(Limits::default()) {
        Ok(f) => f,
        Err(e) => {
            writeln!(err, "corridor: {e}")?;
            return Ok(2);
        }
    };
    let here = std::env::current_dir().unwrap_or_default();
    let mut failed = false;
    for arg in args {
        let titles =
            FeedSource::parse(arg, &here).map_err(|e| e.to_string()).and_then(|source| {
                match fetcher.fetch(&source, &Validators::default()).map_err(|e| e.to_string())? {
                    Fetched::Body { bytes, .. } => feeds::parse(&bytes).map_err(|e| e.to_string()),
                    Fetched::NotModified => Ok(Vec::new()),
                }
            });
        match titles {
            Ok(list) => {
                for h in feeds::select(list, MAX_ITEMS, None, Utc::now()) {
                    writeln!(out, "{}", h.title)?;
                }
            }
            Err(e) => {
                writeln!(err, "corridor: {arg}: {e}")?;
                failed = true;
            }
        }
    }
    Ok(i32::from(failed))
}
