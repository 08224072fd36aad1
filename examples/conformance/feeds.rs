//! Feeds: every feed file of a folder (and its subfolders) read as the ticker reads it
//! (`feeds::parse`, the reader behind `corridor ticker` and the feed thread), checked, and, when
//! Python's feedparser is installed (`python3 -c "import feedparser"` works), compared with the
//! titles feedparser shows for the same file.
//!
//! Checks on every file: each headline is non-empty, at most `MAX_TITLE_CHARS` characters, free
//! of control characters, doubled or outer spaces, `&amp;` and `<b>`/`<p>` tags. A file that is
//! refused fails, except those named in [`EXPECTED_REFUSED`], those refused for declaring
//! entities (refused on purpose: see `FeedError::Entities`) and, with feedparser, those for which
//! feedparser shows no title either. The folder must hold at least 50 feeds and give at least 80
//! headlines; where `rss_1.0_iso8859.xml` is present, its accented letters must come out right.
//!
//! "The same titles" as feedparser: feedparser's entry titles (`entry.get("title", "")`, first
//! `MAX_ITEMS` entries) are cleaned by corridor's own `clean_title` (both sides then have tags
//! stripped, entities decoded and white space collapsed the same way) and the empty ones
//! dropped; a file matches when that list equals corridor's headlines, in order, exactly (a
//! refused file counts as showing none). The goal: at least 90 % of the files where feedparser
//! shows a title match, and at least 90 % of all files.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use corridor::core::feeds::{self, FeedError, MAX_ITEMS, MAX_TITLE_CHARS};

/// Files the shared corpus holds to be refused.
const EXPECTED_REFUSED: &[&str] = &["rss_2.0_invalid_1.xml"];
/// Feed files are named so.
const EXTENSIONS: &[&str] = &["xml", "rss", "atom", "rdf"];
/// The share of files that must show feedparser's titles.
const GOAL: f64 = 0.90;

/// Prints feedparser's entry titles of every file under the folder, as JSON
/// `{"relative/path": ["title", ...] or null}`.
const FEEDPARSER: &str = r#"
import json, os, sys, feedparser
root = sys.argv[1]
out = {}
for name in sys.argv[2:]:
    try:
        out[name] = [e.get("title", "") for e in feedparser.parse(os.path.join(root, name)).entries]
    except Exception:
        out[name] = None
json.dump(out, sys.stdout)
"#;

/// What corridor made of one file.
struct Read {
    name: String,
    result: Result<Vec<String>, FeedError>,
}

/// Reads every feed in `folder`; true when the checks pass and the goal is met.
pub fn run(folder: &Path) -> bool {
    let files = feed_files(folder);
    println!("feeds: {} ({} files)", folder.display(), files.len());
    let read: Vec<Read> = files
        .iter()
        .map(|path| Read {
            name: relative(folder, path),
            result: std::fs::read(path)
                .map_err(|e| FeedError::Invalid(e.to_string()))
                .and_then(|bytes| feeds::parse(&bytes))
                .map(|list| list.into_iter().map(|h| h.title).collect()),
        })
        .collect();
    let reference = feedparser_titles(folder, &read);
    let mut ok = checks(folder, &read, reference.as_ref());
    match &reference {
        Some(reference) => ok &= compare(&read, reference),
        None => println!("  feedparser: not installed here (pip install feedparser chardet), no comparison"),
    }
    println!("  verdict: {}", if ok { "pass" } else { "FAIL" });
    ok
}

/// Every feed file under `folder`, sorted.
fn feed_files(folder: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut todo = vec![folder.to_path_buf()];
    while let Some(dir) = todo.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            eprintln!("  {}: cannot read the folder", dir.display());
            continue;
        };
        for path in entries.flatten().map(|e| e.path()) {
            let hidden = path.file_name().is_some_and(|n| n.to_string_lossy().starts_with('.'));
            let feed = path.extension().is_some_and(|x| EXTENSIONS.iter().any(|e| x.eq_ignore_ascii_case(e)));
            if path.is_dir() && !hidden {
                todo.push(path);
            } else if feed && !hidden {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

fn relative(folder: &Path, path: &Path) -> String {
    path.strip_prefix(folder).unwrap_or(path).to_string_lossy().into_owned()
}

/// feedparser's titles per file, cleaned as corridor cleans its own; `None` when feedparser is
/// not installed or fails as a whole.
fn feedparser_titles(folder: &Path, read: &[Read]) -> Option<BTreeMap<String, Option<Vec<String>>>> {
    let installed = Command::new("python3").args(["-c", "import feedparser"]).output();
    if !installed.is_ok_and(|o| o.status.success()) {
        return None;
    }
    let out = Command::new("python3")
        .args(["-c", FEEDPARSER])
        .arg(folder)
        .args(read.iter().map(|r| &r.name))
        .output()
        .ok()?;
    if !out.status.success() {
        eprintln!("  feedparser failed: {}", String::from_utf8_lossy(&out.stderr));
        return None;
    }
    let raw: BTreeMap<String, Option<Vec<String>>> = serde_json::from_slice(&out.stdout).ok()?;
    let clean = |titles: Vec<String>| -> Vec<String> {
        titles.iter().take(MAX_ITEMS).map(|t| feeds::clean_title(t)).filter(|t| !t.is_empty()).collect()
    };
    Some(raw.into_iter().map(|(name, titles)| (name, titles.map(clean))).collect())
}

/// The checks that hold without feedparser; prints each problem. True when none.
fn checks(folder: &Path, read: &[Read], reference: Option<&BTreeMap<String, Option<Vec<String>>>>) -> bool {
    let mut problems = 0;
    let mut titles = 0;
    let mut refused = BTreeMap::<String, usize>::new();
    for r in read {
        let expected_refused = EXPECTED_REFUSED.iter().any(|n| r.name.ends_with(n));
        match &r.result {
            Ok(list) if expected_refused => {
                println!("  {}: read ({} titles), but it should be refused", r.name, list.len());
                problems += 1;
            }
            Ok(list) => {
                titles += list.len();
                for t in list.iter().filter_map(|t| hygiene(t)) {
                    println!("  {}: {t}", r.name);
                    problems += 1;
                }
            }
            Err(e) => {
                *refused.entry(kind(e).into()).or_default() += 1;
                let feedparser_shows_none = reference
                    .and_then(|m| m.get(&r.name))
                    .is_some_and(|t| t.as_ref().is_none_or(Vec::is_empty));
                let allowed = expected_refused || matches!(e, FeedError::Entities) || feedparser_shows_none;
                if !allowed {
                    println!("  {}: refused: {e}", r.name);
                    problems += 1;
                }
            }
        }
    }
    problems += shared_corpus_checks(folder, read);
    println!(
        "  read: {} of {} files, {titles} headlines; refused: {refused:?}",
        read.len() - refused.values().sum::<usize>(),
        read.len()
    );
    if read.len() < 50 || titles < 80 {
        println!(
            "  too small a corpus: {} files (at least 50), {titles} headlines (at least 80)",
            read.len()
        );
        problems += 1;
    }
    println!("  problems: {problems}");
    problems == 0
}

/// What is wrong with a headline as the ticker would scroll it, if anything.
fn hygiene(t: &str) -> Option<String> {
    if t.is_empty() {
        Some("an empty headline".into())
    } else if t.chars().count() > MAX_TITLE_CHARS {
        Some(format!("longer than {MAX_TITLE_CHARS} characters: {t}"))
    } else if t.chars().any(char::is_control) {
        Some(format!("control characters: {t:?}"))
    } else if t.contains("  ") || t.trim() != t {
        Some(format!("stray spaces: {t:?}"))
    } else if t.contains("&amp;") || t.contains("<b>") || t.contains("<p>") {
        Some(format!("markup left in: {t}"))
    } else {
        None
    }
}

/// The ISO-8859-1 feed of the shared corpus shows its accented letters.
fn shared_corpus_checks(folder: &Path, read: &[Read]) -> usize {
    let Some(latin) = read.iter().find(|r| r.name == "rss_1.0_iso8859.xml") else { return 0 };
    let accented =
        latin.result.as_ref().is_ok_and(|l| l.iter().any(|t| t.chars().any(|c| "éèàüöäçñ".contains(c))));
    if !accented {
        println!("  {}: no accented letter in {:?}", folder.join(&latin.name).display(), latin.result);
    }
    usize::from(!accented)
}

fn kind(e: &FeedError) -> &'static str {
    match e {
        FeedError::Empty => "empty",
        FeedError::TooLarge => "too large",
        FeedError::WebPage => "web page",
        FeedError::Entities => "declares entities",
        FeedError::NotAFeed => "not a feed",
        FeedError::Invalid(_) => "invalid",
    }
}

/// Compares with feedparser, prints the files that differ and the figures per subfolder; true
/// when the goal is met.
fn compare(read: &[Read], reference: &BTreeMap<String, Option<Vec<String>>>) -> bool {
    // Per first-level subfolder (and "all"): files, files matching, files where feedparser
    // shows a title, of those matching.
    let mut table = BTreeMap::<String, [usize; 4]>::new();
    for r in read {
        let Some(Some(theirs)) = reference.get(&r.name) else {
            println!("  {}: feedparser could not read it", r.name);
            continue;
        };
        let ours: &[String] = r.result.as_deref().unwrap_or(&[]);
        let same = ours == theirs.as_slice();
        if !same {
            println!("  {}: corridor {:?} / feedparser {:?}", r.name, short(ours), short(theirs));
        }
        let group = r.name.split_once('/').map_or(".", |(g, _)| g).to_string();
        for key in [group, "all".to_string()] {
            let row = table.entry(key).or_default();
            row[0] += 1;
            row[1] += usize::from(same);
            row[2] += usize::from(!theirs.is_empty());
            row[3] += usize::from(same && !theirs.is_empty());
        }
    }
    println!(
        "  | subfolder | files | same titles as feedparser | files where feedparser shows titles | of those, same |"
    );
    println!("  |---|---|---|---|---|");
    for (group, [files, same, titled, titled_same]) in &table {
        println!(
            "  | {group} | {files} | {same} ({}) | {titled} | {titled_same} ({}) |",
            pct(*same, *files),
            pct(*titled_same, *titled)
        );
    }
    let [files, same, titled, titled_same] = table.get("all").copied().unwrap_or_default();
    let met = share(same, files) >= GOAL && share(titled_same, titled) >= GOAL;
    println!(
        "  goal (at least {:.0} % of all files and of those with titles): {}",
        GOAL * 100.0,
        if met { "met" } else { "NOT met" }
    );
    met
}

fn share(part: usize, whole: usize) -> f64 {
    if whole == 0 { 1.0 } else { part as f64 / whole as f64 }
}

fn pct(part: usize, whole: usize) -> String {
    format!("{:.1} %", share(part, whole) * 100.0)
}

/// At most three titles of a list, for a one-line report.
fn short(list: &[String]) -> Vec<&str> {
    list.iter().take(3).map(String::as_str).collect()
}
