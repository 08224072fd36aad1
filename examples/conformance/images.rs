//! Images: every file of an image corpus's manifest.tsv decoded exactly as a slide would be
//! (`media::load` of a file source as a picture, for a 1920x1080 stage, with the default fit and
//! pixel limit of corridor.toml), each on a thread of its own so that a panic is caught and
//! counted (`catch_unwind`) and a decode that runs past [`HANG`] is reported as a hang.
//!
//! manifest.tsv has the columns `name`, `path` (relative to the corpus folder), `expected` and
//! `note`. `expected` is `ok` (valid: must be shown), `reject` (corrupt or holding no image: must
//! be refused) or `any` (either, but never a crash or a hang). Targets (issue 12): at least
//! 99.5 % of the `ok` files shown, all but two of the `reject` files refused, no crash, no hang.

use std::collections::BTreeMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use corridor::core::config::Config;
use corridor::core::media::{self, Limits, PlayOptions, Slide};
use corridor::core::source::{MediaKind, Source};

/// The stage every picture is decoded for.
const STAGE: (u32, u32) = (1920, 1080);
/// A decode that takes longer than this is a hang.
const HANG: Duration = Duration::from_secs(30);
/// A decode that takes longer than this is named.
const SLOW: Duration = Duration::from_secs(2);
/// The share of valid files that must be shown.
const OK_GOAL: f64 = 0.995;
/// How many corrupt files may be shown.
const REJECT_ALLOWANCE: usize = 2;

/// What a manifest line expects.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Expected {
    Ok,
    Reject,
    Any,
}

/// What happened to one file.
#[derive(Debug)]
enum Outcome {
    /// Shown, at this size (of the first frame).
    Shown(u32, u32),
    Refused(String),
    Panicked(String),
    Hung,
}

struct Entry {
    path: String,
    expected: Expected,
}

/// Per-suite counts.
#[derive(Default)]
struct Tally {
    ok: (usize, usize),
    reject: (usize, usize),
    any: (usize, usize),
    slowest: Duration,
}

/// Reads every image listed in `folder`/manifest.tsv; true when the targets are met.
pub fn run(folder: &Path) -> bool {
    let entries = match manifest(folder) {
        Ok(entries) => entries,
        Err(e) => {
            println!("images: {}: cannot read manifest.tsv: {e}", folder.display());
            return false;
        }
    };
    println!("images: {} ({} files, stage {}x{})", folder.display(), entries.len(), STAGE.0, STAGE.1);
    std::panic::set_hook(Box::new(|_| {}));
    let mut tallies: BTreeMap<String, Tally> = BTreeMap::new();
    let mut crashes = 0;
    for entry in &entries {
        let started = Instant::now();
        let outcome = decode(folder.join(&entry.path));
        let took = started.elapsed();
        if took > SLOW {
            println!("  slow   {}: {:.1} s", entry.path, took.as_secs_f64());
        }
        let suite = entry.path.split('/').next().unwrap_or_default().to_string();
        let tally = tallies.entry(suite).or_default();
        tally.slowest = tally.slowest.max(took);
        crashes += usize::from(matches!(outcome, Outcome::Panicked(_) | Outcome::Hung));
        count(tally, entry, &outcome);
    }
    let _ = std::panic::take_hook();
    print_table(&tallies);
    verdict(&tallies, crashes)
}

/// Reads the manifest: one entry a line after the header.
fn manifest(folder: &Path) -> std::io::Result<Vec<Entry>> {
    let text = std::fs::read_to_string(folder.join("manifest.tsv"))?;
    let mut entries = Vec::new();
    for line in text.lines().skip(1).filter(|l| !l.trim().is_empty()) {
        let cols: Vec<&str> = line.split('\t').collect();
        let expected = match cols.get(2).copied() {
            Some("ok") => Expected::Ok,
            Some("reject") => Expected::Reject,
            Some("any") => Expected::Any,
            other => {
                println!("  manifest: line with no verdict ({other:?}): {line}");
                continue;
            }
        };
        entries.push(Entry { path: cols[1].to_string(), expected });
    }
    Ok(entries)
}

/// Decodes one file as a slide would be, on a thread of its own.
fn decode(path: PathBuf) -> Outcome {
    let config = Config::default();
    let limits = Limits { max_megapixels: config.slides.max_megapixels };
    let how = PlayOptions { fit: config.slides.fit, ..PlayOptions::default() };
    let (send, receive) = mpsc::channel();
    let spawned = std::thread::Builder::new().name("conformance".into()).spawn(move || {
        let result = catch_unwind(AssertUnwindSafe(|| {
            media::load(&Source::File(path), MediaKind::Image, STAGE, limits, how)
        }));
        let outcome = match result {
            Ok(Ok(Slide::Picture(f))) => Outcome::Shown(f.width, f.height),
            Ok(Ok(Slide::Animation(a))) => Outcome::Shown(a.frames[0].width, a.frames[0].height),
            Ok(Ok(other)) => Outcome::Refused(format!("not a picture: {other:?}")),
            Ok(Err(e)) => Outcome::Refused(e.to_string()),
            Err(payload) => Outcome::Panicked(panic_text(payload.as_ref())),
        };
        let _ = send.send(outcome);
    });
    if let Err(e) = spawned {
        return Outcome::Panicked(format!("cannot start a thread: {e}"));
    }
    // A thread that hangs is left behind (the process ends soon after).
    receive.recv_timeout(HANG).unwrap_or(Outcome::Hung)
}

fn panic_text(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic".into())
}

/// Counts one outcome and prints it when it disagrees with the manifest.
fn count(tally: &mut Tally, entry: &Entry, outcome: &Outcome) {
    let path = &entry.path;
    match (entry.expected, outcome) {
        (_, Outcome::Panicked(why)) => println!("  CRASH  {path}: {why}"),
        (_, Outcome::Hung) => println!("  HANG   {path}: still decoding after {} s", HANG.as_secs()),
        (Expected::Ok, Outcome::Refused(why)) => println!("  ok but refused       {path}: {why}"),
        (Expected::Reject, Outcome::Shown(w, h)) => println!("  reject but shown     {path} ({w}x{h})"),
        _ => {}
    }
    let shown = matches!(outcome, Outcome::Shown(..));
    let refused = matches!(outcome, Outcome::Refused(_));
    let (right, slot) = match entry.expected {
        Expected::Ok => (shown, &mut tally.ok),
        Expected::Reject => (refused, &mut tally.reject),
        Expected::Any => (shown || refused, &mut tally.any),
    };
    slot.0 += usize::from(right);
    slot.1 += 1;
}

fn print_table(tallies: &BTreeMap<String, Tally>) {
    let cell = |(n, total): (usize, usize)| if total == 0 { "-".to_string() } else { format!("{n}/{total}") };
    println!();
    println!("| suite | ok shown | reject refused | any, no crash | slowest file |");
    println!("|---|---|---|---|---|");
    let mut all = Tally::default();
    for (suite, t) in tallies {
        println!(
            "| {suite} | {} | {} | {} | {:.0} ms |",
            cell(t.ok),
            cell(t.reject),
            cell(t.any),
            t.slowest.as_secs_f64() * 1e3
        );
        for (sum, part) in [(&mut all.ok, t.ok), (&mut all.reject, t.reject), (&mut all.any, t.any)] {
            (sum.0, sum.1) = (sum.0 + part.0, sum.1 + part.1);
        }
        all.slowest = all.slowest.max(t.slowest);
    }
    println!(
        "| **all** | **{}** | **{}** | **{}** | {:.0} ms |",
        cell(all.ok),
        cell(all.reject),
        cell(all.any),
        all.slowest.as_secs_f64() * 1e3
    );
}

/// Prints whether the targets are met; true when they are.
fn verdict(tallies: &BTreeMap<String, Tally>, crashes: usize) -> bool {
    let sum = |f: fn(&Tally) -> (usize, usize)| {
        tallies.values().map(f).fold((0, 0), |(a, b), (c, d)| (a + c, b + d))
    };
    let (ok_shown, ok_total) = sum(|t| t.ok);
    let (refused, reject_total) = sum(|t| t.reject);
    let share = if ok_total == 0 { 1.0 } else { ok_shown as f64 / ok_total as f64 };
    let ok_met = share >= OK_GOAL;
    let reject_met = refused + REJECT_ALLOWANCE >= reject_total;
    println!();
    println!(
        "  valid files shown: {ok_shown}/{ok_total} ({:.1} %, goal {:.1} %): {}",
        share * 100.0,
        OK_GOAL * 100.0,
        if ok_met { "met" } else { "NOT met" }
    );
    println!(
        "  corrupt files refused: {refused}/{reject_total} (goal: all but {REJECT_ALLOWANCE}): {}",
        if reject_met { "met" } else { "NOT met" }
    );
    println!("  crashes or hangs: {crashes}");
    let ok = ok_met && reject_met && crashes == 0;
    println!("  verdict: {}", if ok { "pass" } else { "FAIL" });
    ok
}
