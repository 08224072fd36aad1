//! (decks) Presentations: drawing a 30-page deck with corridor's converter (LibreOffice, then
//! poppler, as the screen does) vs running `soffice --convert-to pdf` and `pdftoppm` by hand on
//! the same file, in the same run; a second look with the cache (no conversion); and corridor's
//! own memory while a 100-page deck is drawn (the work is in LibreOffice's and poppler's
//! processes).

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use crate::common::make_deck_of;
use crate::median;
use corridor::core::deck::cache::{Cached, DeckCache};
use corridor::core::deck::convert::Limits;

const STAGE: (u32, u32) = (1920, 1080);

fn slides(n: usize) -> Vec<(String, [u8; 3])> {
    (0..n)
        .map(|i| (format!("Slide {}", i + 1), [(i * 37 % 200) as u8 + 30, (i * 91 % 200) as u8 + 30, 120]))
        .collect()
}

/// A deck of `n` pages made by LibreOffice.
fn deck(dir: &Path, n: usize) -> std::path::PathBuf {
    let owned = slides(n);
    let borrowed: Vec<(&str, [u8; 3])> = owned.iter().map(|(t, c)| (t.as_str(), *c)).collect();
    make_deck_of(dir, &format!("deck{n}"), "pptx", &borrowed)
}

/// The same work by hand: soffice to PDF, then pdftoppm at the stage's size.
fn by_hand(file: &Path, out: &Path, profile: &Path) -> Duration {
    let _ = std::fs::remove_dir_all(out);
    std::fs::create_dir_all(out).unwrap();
    let started = Instant::now();
    let ok = Command::new("soffice")
        .arg(format!("-env:UserInstallation=file://{}", profile.display()))
        .args(["--headless", "--convert-to", "pdf", "--outdir"])
        .arg(out)
        .arg(file)
        .output()
        .is_ok_and(|o| o.status.success());
    let pdf = out.join(format!("{}.pdf", file.file_stem().unwrap().to_string_lossy()));
    let drawn = Command::new("pdftoppm")
        .args(["-png", "-scale-to-x", "1920", "-scale-to-y", "1080"])
        .arg(&pdf)
        .arg(out.join("page"))
        .status()
        .is_ok_and(|s| s.success());
    assert!(ok && drawn, "by hand");
    started.elapsed()
}

pub fn bench_decks(dir: &Path) {
    let file = deck(dir, 30);
    let root = dir.join("cache");
    let profile = dir.join("hand-profile");
    // Each side's LibreOffice profile made once before timing (its first start is slower).
    by_hand(&file, &dir.join("hand"), &profile);
    let mut warm = DeckCache::new(&root, STAGE, Limits::default(), 4 << 30);
    warm.convert(&file).expect("converts");
    let (mut ours, mut theirs) = (Vec::new(), Vec::new());
    for _ in 0..3 {
        for entry in std::fs::read_dir(&root).unwrap().flatten() {
            if !entry.file_name().to_string_lossy().starts_with('.') {
                let _ = std::fs::remove_dir_all(entry.path());
            }
        }
        let mut cache = DeckCache::new(&root, STAGE, Limits::default(), 4 << 30);
        let started = Instant::now();
        let drawn = cache.convert(&file).expect("converts");
        ours.push(started.elapsed());
        assert_eq!(drawn.pages.len(), 30);
        theirs.push(by_hand(&file, &dir.join("hand"), &profile));
    }
    let (o, t) = (median(ours), median(theirs));
    println!(
        "(decks) a 30-page .pptx drawn at 1920x1080, median of 3: corridor {:.2} s, soffice + pdftoppm by hand {:.2} s, ratio {:.2}",
        o.as_secs_f64(),
        t.as_secs_f64(),
        o.as_secs_f64() / t.as_secs_f64()
    );
    let mut cache = DeckCache::new(&root, STAGE, Limits::default(), 4 << 30);
    let started = Instant::now();
    let found = matches!(cache.lookup(&file), Cached::Ready(d) if d.pages.len() == 30);
    println!(
        "(decks) a second start: the deck found drawn in the cache in {:.1} ms (hash of the file and a folder listing), conversions: {}",
        started.elapsed().as_secs_f64() * 1000.0,
        if found { 0 } else { 1 }
    );
    memory_while_drawing(dir);
}

/// This process's resident memory now and at its peak (kB), from /proc.
fn rss() -> (u64, u64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
            .unwrap_or(0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

fn memory_while_drawing(dir: &Path) {
    let file = deck(dir, 100);
    let (before, _) = rss();
    let mut cache = DeckCache::new(&dir.join("cache100"), STAGE, Limits::default(), 4 << 30);
    let started = Instant::now();
    cache.convert(&file).expect("converts");
    let (after, _) = rss();
    // SAFETY: an all-zero rusage is valid; getrusage fills it.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: the pointer lives through the call.
    unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage) };
    println!(
        "(decks) a 100-page deck drawn in {:.1} s: this process's memory {:.1} MB before, {:.1} MB after (+{:.1} MB); the largest tool process peaked at {:.0} MB",
        started.elapsed().as_secs_f64(),
        before as f64 / 1024.0,
        after as f64 / 1024.0,
        after.saturating_sub(before) as f64 / 1024.0,
        usage.ru_maxrss as f64 / 1024.0
    );
}
