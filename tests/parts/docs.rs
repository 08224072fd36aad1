//! Every example of corridor's own files and commands in README.md and docs/*.md, run.
//!
//! The fenced code blocks (and the `corridor ...` code spans of the prose) are read from the
//! documents when the test runs, so a new example is checked without touching this file. The
//! rules:
//!
//! - **Which file a ```toml block is.** A first line `# file: NAME` says so. Otherwise the
//!   block's top-level keys and tables decide: it is the one staff file of [`TOML_FILES`] whose
//!   top-level keys include all of the block's (`[[slot]]` is schedule.toml, `[[item]]` or
//!   `duration` playlist.toml, `[display]` or `screen` corridor.toml, and so on). A block that fits
//!   no file, or more than one, fails the test: give it the comment.
//! - **Plain blocks** (no language, `sh`, `text`): a block whose lines all start with `corridor` is
//!   a list of commands (run below); a block whose lines all look like `corridor plan` output is
//!   compared with that command's output over the documented schedules; a block just after prose
//!   that names `birthdays.csv` or `ALERT.txt`/`ALERT.md` (since the heading above it) is that
//!   file; a folder tree drawn with `├──` is an illustration. Any other block fails the test.
//! - **Prometheus rules** (a ```yaml block starting `groups:`): `promtool check rules` must
//!   accept them.
//! - **Checking a file.** It is written into a fresh content folder (with a `default/` picture,
//!   and the pictures, films, playlist folders and feed files it names, made by the test) and
//!   `corridor check` must report no problem. Where the doc says an example is wrong, with
//!   `<!-- corridor check says: TEXT -->` on the line before the fence, the check must instead
//!   report a problem containing TEXT. The ticker's web and `file://` feed addresses cannot be
//!   reached from a test: a failed fetch of one of those is the only problem allowed there.
//! - **Commands** (lines of command blocks and `corridor ...` code spans) run in a temp folder
//!   holding a content folder `playlists/` with a picture and a ticker.toml whose feed is a local
//!   file; `ADDRESS` stands for that feed file. They must exit 0. Not run: `corridor` alone,
//!   `corridor run` and `corridor snapshot`, which open a window or render on the graphics chip
//!   (a display is needed: tests/screen.rs covers them under Xvfb), and the shell lines of
//!   [`NOT_RUN`], each with its reason.

use std::path::{Path, PathBuf};
use std::process::Output;

use crate::common::{corridor, make_clip, make_deck, rss, stdout, write_solid};

/// The staff TOML files and the keys each allows at its top level (corridor.toml's come from
/// its own declaration, `config::top_level_keys`).
const TOML_FILES: &[(&str, &[&str])] = &[
    (
        "playlist.toml",
        &["duration", "transition", "transition_time", "fit", "sound", "captions", "shuffle", "item"],
    ),
    ("schedule.toml", &["slot", "off", "term", "holiday"]),
    ("ticker.toml", &["ticker", "feed", "message"]),
    ("house-points.toml", &["house", "updated"]),
    ("awards.toml", &["award"]),
    ("sports.toml", &["result", "fixture", "news"]),
    ("countdowns.toml", &["event"]),
];

/// Staff files that are not TOML, named in the prose before their example.
const PLAIN_FILES: &[&str] = &["birthdays.csv", "ALERT.txt", "ALERT.md"];

/// Shell lines of the docs that are not corridor commands, and why they are not run here.
const NOT_RUN: &[(&str, &str)] = &[
    (
        "./scripts/setup.sh && cargo run --release -- run --windowed",
        "installs system packages (as root) and opens the screen's window (needs a display)",
    ),
    (
        "./scripts/setup.sh && cargo test && ./scripts/package-test.sh",
        "installs system packages (as root), runs every test (this one included) and the package's test",
    ),
];

/// One fenced code block of a document.
#[derive(Clone, Debug)]
struct Block {
    /// "docs/content-folder.md:236".
    place: String,
    lang: String,
    text: String,
    /// The prose since the heading above the block (the heading included).
    before: String,
    /// TEXT of a `<!-- corridor check says: TEXT -->` line just before the fence.
    says: Option<String>,
}

fn documents() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut docs: Vec<PathBuf> = std::fs::read_dir(root.join("docs"))
        .expect("docs/")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    docs.sort();
    docs.insert(0, root.join("README.md"));
    docs
}

fn relative(path: &Path) -> String {
    path.strip_prefix(env!("CARGO_MANIFEST_DIR")).unwrap_or(path).display().to_string()
}

/// The fenced blocks of one document.
fn blocks_of(path: &Path) -> Vec<Block> {
    let text = std::fs::read_to_string(path).expect("read the document");
    let mut blocks = Vec::new();
    let mut before = String::new();
    let mut says = None;
    let mut open: Option<Block> = None;
    for (i, line) in text.lines().enumerate() {
        match (&mut open, line.trim_start().strip_prefix("```")) {
            (None, Some(lang)) => {
                let place = format!("{}:{}", relative(path), i + 1);
                let lang = lang.trim().to_string();
                open = Some(Block {
                    place,
                    lang,
                    text: String::new(),
                    before: before.clone(),
                    says: says.take(),
                });
            }
            (Some(_), Some(_)) => blocks.extend(open.take()),
            (Some(b), None) => {
                b.text.push_str(line);
                b.text.push('\n');
            }
            (None, None) => {
                if line.starts_with('#') {
                    before.clear();
                }
                says = line
                    .trim()
                    .strip_prefix("<!-- corridor check says:")
                    .and_then(|s| s.strip_suffix("-->"))
                    .map(|s| s.trim().to_string())
                    .or(if line.trim().is_empty() { says.take() } else { None });
                before.push_str(line);
                before.push('\n');
            }
        }
    }
    assert!(open.is_none(), "{}: a code block is not closed", relative(path));
    blocks
}

/// The `corridor ...` code spans of a document's prose, with their places.
fn command_spans(path: &Path) -> Vec<(String, String)> {
    let text = std::fs::read_to_string(path).expect("read the document");
    let mut spans = Vec::new();
    let mut in_block = false;
    for (i, line) in text.lines().enumerate() {
        if line.trim_start().starts_with("```") {
            in_block = !in_block;
            continue;
        }
        if in_block {
            continue;
        }
        for (n, span) in line.split('`').enumerate() {
            if n % 2 == 1 && (span == "corridor" || span.starts_with("corridor ")) {
                spans.push((format!("{}:{}", relative(path), i + 1), span.to_string()));
            }
        }
    }
    spans
}

/// What a block is.
#[derive(Debug, PartialEq)]
enum Kind {
    /// A staff file of this name.
    File(String),
    Commands,
    PlanOutput,
    Illustration,
    PrometheusRules,
}

fn toml_file_name(b: &Block) -> Result<String, String> {
    if let Some(name) = b.text.lines().next().and_then(|l| l.trim().strip_prefix("# file:")) {
        return Ok(name.trim().to_string());
    }
    let doc: toml_edit::DocumentMut = b.text.parse().map_err(|e| format!("not valid TOML: {e}"))?;
    let keys: Vec<&str> = doc.iter().map(|(k, _)| k).collect();
    let corridor_keys = corridor::core::config::top_level_keys();
    let files = TOML_FILES.iter().copied().chain([("corridor.toml", &corridor_keys[..])]);
    let fits: Vec<&str> =
        files.filter(|(_, allowed)| keys.iter().all(|k| allowed.contains(k))).map(|(name, _)| name).collect();
    match fits[..] {
        [one] => Ok(one.to_string()),
        _ => Err(format!(
            "its keys {keys:?} fit {fits:?}: give it a first line `# file: NAME` (see the top of tests/parts/docs.rs)"
        )),
    }
}

fn is_plan_line(line: &str) -> bool {
    let b = line.as_bytes();
    line.len() > 23
        && b[..10]
            .iter()
            .enumerate()
            .all(|(i, c)| if i == 4 || i == 7 { *c == b'-' } else { c.is_ascii_digit() })
        && b[13] == b':'
        && b[16] == b'-'
        && b[19] == b':'
}

fn kind_of(b: &Block) -> Result<Kind, String> {
    let lines: Vec<&str> = b.text.lines().filter(|l| !l.trim().is_empty()).collect();
    if b.lang == "toml" {
        return toml_file_name(b).map(Kind::File);
    }
    if b.lang == "yaml" && b.text.starts_with("groups:") {
        return Ok(Kind::PrometheusRules);
    }
    if !["", "sh", "text", "console", "bash"].contains(&b.lang.as_str()) {
        return Err(format!("a ```{} block: this test does not know what to do with it", b.lang));
    }
    if lines.iter().all(|l| {
        let l = l.trim_start_matches("$ ");
        l == "corridor" || l.starts_with("corridor ") || NOT_RUN.iter().any(|(n, _)| *n == l)
    }) {
        return Ok(Kind::Commands);
    }
    if lines.iter().all(|l| is_plan_line(l)) {
        return Ok(Kind::PlanOutput);
    }
    if b.text.contains("├──") {
        return Ok(Kind::Illustration);
    }
    // The file named last in the prose above the block.
    let named = PLAIN_FILES.iter().filter_map(|f| b.before.rfind(f).map(|at| (at, *f))).max();
    match named {
        Some((_, f)) => Ok(Kind::File(f.to_string())),
        None => Err("a block this test cannot place: name its file in the text before it".into()),
    }
}

/// Every block of every document, with its kind; a block of no known kind is a failure.
fn all_blocks() -> (Vec<(Block, Kind)>, Vec<String>) {
    let mut found = Vec::new();
    let mut failures = Vec::new();
    for doc in documents() {
        for b in blocks_of(&doc) {
            match kind_of(&b) {
                Ok(k) => found.push((b, k)),
                Err(e) => failures.push(format!("{}: {e}", b.place)),
            }
        }
    }
    (found, failures)
}

/// The values of `key = "..."` lines in a TOML text (at any level).
fn string_values(text: &str, key: &str) -> Vec<String> {
    let doc: toml_edit::DocumentMut = text.parse().expect("valid TOML");
    let mut out = Vec::new();
    collect_strings(doc.as_item(), key, &mut out);
    out
}

fn collect_strings(item: &toml_edit::Item, key: &str, out: &mut Vec<String>) {
    match item {
        toml_edit::Item::Table(t) => {
            for (k, v) in t.iter() {
                match v.as_str() {
                    Some(s) if k == key => out.push(s.to_string()),
                    _ => collect_strings(v, key, out),
                }
            }
        }
        toml_edit::Item::ArrayOfTables(a) => {
            for t in a.iter() {
                collect_strings(&toml_edit::Item::Table(t.clone()), key, out);
            }
        }
        _ => {}
    }
}

/// A content folder with a `default/` picture and what `name`'s example `text` names: the
/// files of [[item]]s, the playlist folders of slots, the feed files of the ticker.
fn content_for(dir: &Path, name: &str, text: &str) -> PathBuf {
    let content = dir.join("content");
    std::fs::create_dir_all(content.join("default")).expect("mkdir");
    write_solid(&content.join("default/a.png"), 64, 36, [40, 90, 160]);
    let target = match name {
        "playlist.toml" => content.join("default").join(name),
        "corridor.toml" => dir.join(name),
        _ => content.join(name),
    };
    std::fs::write(&target, text).expect("write the example");
    match name {
        "playlist.toml" => {
            string_values(text, "file").iter().for_each(|f| slide_file(&content.join("default").join(f)))
        }
        "schedule.toml" => {
            for p in string_values(text, "playlist") {
                std::fs::create_dir_all(content.join(&p)).expect("mkdir");
                write_solid(&content.join(&p).join("a.png"), 64, 36, [160, 90, 40]);
            }
        }
        "ticker.toml" => {
            for url in string_values(text, "url").iter().filter(|u| !u.contains("://")) {
                std::fs::write(content.join(url), rss(&["Sports day moved to Friday"])).expect("write feed");
            }
        }
        _ => {}
    }
    content
}

/// A real slide file of the kind its name says.
fn slide_file(path: &Path) {
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or_default().to_ascii_lowercase();
    match ext.as_str() {
        "mp4" | "mov" | "mkv" | "webm" => make_clip(path, &["red"]),
        "txt" | "md" => std::fs::write(path, "Heading\nText\n").expect("write notice"),
        "pptx" | "odp" | "pdf" => {
            let dir = path.parent().expect("a folder");
            let made = make_deck(dir, "deck", &ext);
            std::fs::rename(made, path).expect("name the deck");
        }
        _ => write_solid(path, 64, 36, [90, 160, 40]),
    }
}

/// `corridor check` in `dir` (its state kept there), with these arguments.
fn check(dir: &Path, args: &[&str]) -> Output {
    corridor()
        .arg("check")
        .args(args)
        .current_dir(dir)
        .env("XDG_STATE_HOME", dir.join("state"))
        .env("HOME", dir)
        .output()
        .expect("corridor check runs")
}

/// The problem lines of `corridor check`'s output.
fn problems(text: &str) -> Vec<String> {
    let count = text
        .lines()
        .find_map(|l| {
            if l == "no problems found" {
                Some(0)
            } else {
                l.strip_suffix(" found").and_then(|l| l.split(' ').next()).and_then(|n| n.parse().ok())
            }
        })
        .unwrap_or(usize::MAX);
    let start = text.lines().position(|l| l.starts_with("content folder:")).map_or(0, |i| i + 1);
    text.lines().skip(start).take(count.min(1000)).map(str::to_string).collect()
}

/// Checks one file example; None when it passes, else why not.
fn check_file_example(b: &Block, name: &str) -> Option<String> {
    let dir = tempfile::tempdir().expect("temp dir");
    let content = content_for(dir.path(), name, &b.text);
    let content_arg = content.display().to_string();
    let mut args = vec!["--content", &content_arg];
    if name == "corridor.toml" {
        args.extend(["--config", "corridor.toml"]);
    }
    let out = check(dir.path(), &args);
    let text = stdout(&out);
    let found = problems(&text);
    let unreachable = |p: &&String| {
        name == "ticker.toml"
            && p.starts_with("ticker.toml: feed")
            && string_values(&b.text, "url").iter().any(|u| {
                // A file:// address is named by its path.
                u.contains("://") && p.contains(u.strip_prefix("file://").unwrap_or(u))
            })
    };
    let left: Vec<&String> = found.iter().filter(|p| !unreachable(p)).collect();
    let ok = match &b.says {
        None => left.is_empty() && out.status.code().is_some_and(|c| c <= 1),
        Some(says) => out.status.code() == Some(1) && left.iter().any(|p| p.contains(says.as_str())),
    };
    (!ok).then(|| {
        format!(
            "{} ({name}): `corridor check` exit {:?}, expected {}:\n{text}{}",
            b.place,
            out.status.code(),
            b.says.as_deref().map_or("no problem".to_string(), |s| format!("a problem saying \"{s}\"")),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

#[test]
fn every_documented_file_example_passes_corridor_check() {
    let (blocks, mut failures) = all_blocks();
    let mut checked: Vec<String> = Vec::new();
    for (b, kind) in &blocks {
        if let Kind::File(name) = kind {
            failures.extend(check_file_example(b, name));
            checked.push(format!("{} {name}", b.place));
        }
    }
    eprintln!("file examples checked:\n  {}", checked.join("\n  "));
    for name in ["corridor.toml", "playlist.toml", "schedule.toml", "ticker.toml", "birthdays.csv", "ALERT."]
    {
        assert!(checked.iter().any(|c| c.contains(name)), "no {name} example found: {checked:?}");
    }
    assert!(checked.len() >= 15, "only {} file examples found: {checked:?}", checked.len());
    assert!(failures.is_empty(), "{} documented examples fail:\n\n{}", failures.len(), failures.join("\n\n"));
}

/// Splits a command line into words: spaces separate, "double quotes" group, `#` starts a comment.
fn words(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur: Option<String> = None;
    let mut quoted = false;
    for c in line.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                cur.get_or_insert_with(String::new);
            }
            '#' if !quoted && cur.is_none() => break,
            c if c.is_whitespace() && !quoted => out.extend(cur.take()),
            c => cur.get_or_insert_with(String::new).push(c),
        }
    }
    out.extend(cur);
    out
}

/// Why a documented command is not run here, or None when it is.
fn not_run(words: &[String]) -> Option<&'static str> {
    match words.get(1).map(String::as_str) {
        None | Some("run") | Some("snapshot") => Some(
            "opens the screen's window or renders a picture: needs a display (tests/screen.rs, under Xvfb)",
        ),
        _ => None,
    }
}

/// A folder to run documented commands in: `playlists/` with a picture, a ticker.toml with a
/// local feed, and that feed (which also stands for `ADDRESS`); `year4-poetry/` with a picture.
fn command_folder() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let content = dir.path().join("playlists");
    std::fs::create_dir_all(content.join("default")).expect("mkdir");
    write_solid(&content.join("default/a.png"), 64, 36, [40, 90, 160]);
    let feed = content.join("news.xml");
    std::fs::write(&feed, rss(&["Sports day moved to Friday"])).expect("write feed");
    std::fs::write(content.join("ticker.toml"), "[[feed]]\nurl = \"news.xml\"\n").expect("write ticker.toml");
    // The folder docs/many-screens.md publishes.
    std::fs::create_dir_all(dir.path().join("year4-poetry")).expect("mkdir");
    write_solid(&dir.path().join("year4-poetry/poem.png"), 16, 9, [200, 160, 40]);
    (dir, feed)
}

#[test]
fn every_documented_command_runs() {
    let mut commands: Vec<(String, String)> = documents().iter().flat_map(|d| command_spans(d)).collect();
    let (blocks, _) = all_blocks();
    for (b, kind) in &blocks {
        if *kind == Kind::Commands {
            commands.extend(
                b.text.lines().filter(|l| !l.trim().is_empty()).map(|l| (b.place.clone(), l.to_string())),
            );
        }
    }
    let (dir, feed) = command_folder();
    let mut failures = Vec::new();
    let (mut ran, mut skipped) = (Vec::new(), Vec::new());
    for (place, line) in &commands {
        let line = line.trim().trim_start_matches("$ ");
        if let Some((_, why)) = NOT_RUN.iter().find(|(l, _)| *l == line) {
            skipped.push(format!("{place} `{line}`: {why}"));
            continue;
        }
        let w = words(line);
        if let Some(why) = not_run(&w) {
            skipped.push(format!("{place} `{line}`: {why}"));
            continue;
        }
        let args: Vec<String> = w[1..]
            .iter()
            .filter(|a| *a != "...")
            .map(|a| if a == "ADDRESS" { feed.display().to_string() } else { a.clone() })
            .collect();
        let out = corridor()
            .args(&args)
            .current_dir(dir.path())
            .env("XDG_STATE_HOME", dir.path().join("state"))
            .env("HOME", dir.path())
            .output()
            .expect("corridor runs");
        let text = stdout(&out);
        let fine = out.status.success()
            && !text.trim().is_empty()
            && (w.get(1).map(String::as_str) != Some("check") || text.contains("no problems found"))
            && (w.get(1).map(String::as_str) != Some("ticker")
                || text.contains("Sports day moved to Friday"));
        if !fine {
            failures.push(format!(
                "{place} `{line}`: exit {:?}\n{text}{}",
                out.status.code(),
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        ran.push(format!("{place} `{line}`"));
    }
    eprintln!("commands run:\n  {}\nnot run:\n  {}", ran.join("\n  "), skipped.join("\n  "));
    for sub in ["check", "plan", "ticker", "--help"] {
        assert!(
            ran.iter().any(|r| r.contains(&format!("corridor {sub}"))),
            "no `corridor {sub}` found: {ran:?}"
        );
    }
    assert!(failures.is_empty(), "{} documented commands fail:\n\n{}", failures.len(), failures.join("\n\n"));
}

#[test]
fn documented_plan_output_is_what_plan_prints() {
    let (blocks, failures) = all_blocks();
    assert!(failures.is_empty(), "{failures:?}");
    let schedules: Vec<&Block> =
        blocks.iter().filter(|(_, k)| *k == Kind::File("schedule.toml".into())).map(|(b, _)| b).collect();
    let outputs: Vec<&Block> =
        blocks.iter().filter(|(_, k)| *k == Kind::PlanOutput).map(|(b, _)| b).collect();
    assert!(!outputs.is_empty(), "the docs show `corridor plan` output");
    for out in outputs {
        // The `corridor plan ...` command named last before the output, with its --date.
        let command = out
            .before
            .split('`')
            .rfind(|s| s.starts_with("corridor plan") && s.contains("--date"))
            .unwrap_or_else(|| {
                panic!("{}: name the `corridor plan --date ...` command before it", out.place)
            });
        let expected: Vec<&str> = out.text.lines().filter(|l| !l.trim().is_empty()).collect();
        let mut printed = Vec::new();
        let matched = schedules.iter().any(|s| {
            let dir = tempfile::tempdir().expect("temp dir");
            let content = content_for(dir.path(), "schedule.toml", &s.text);
            let o = corridor()
                .args(&words(command)[1..])
                .arg("--content")
                .arg(&content)
                .current_dir(dir.path())
                .env("XDG_STATE_HOME", dir.path().join("state"))
                .output()
                .expect("corridor plan runs");
            let text = stdout(&o);
            let lines: Vec<&str> = text.lines().collect();
            let found = lines.windows(expected.len()).any(|w| w == expected.as_slice());
            printed.push(format!("{}:\n{text}", s.place));
            o.status.success() && found
        });
        assert!(
            matched,
            "{}: no documented schedule gives this output of `{command}`:\n{}\nprinted:\n{}",
            out.place,
            out.text,
            printed.join("\n")
        );
    }
}

#[test]
fn documented_prometheus_rules_pass_promtool() {
    let (blocks, failures) = all_blocks();
    assert!(failures.is_empty(), "{failures:?}");
    let rules: Vec<&Block> =
        blocks.iter().filter(|(_, k)| *k == Kind::PrometheusRules).map(|(b, _)| b).collect();
    assert!(!rules.is_empty(), "docs/many-screens.md shows an alert rule");
    for b in rules {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("corridor-rules.yml");
        std::fs::write(&path, &b.text).expect("write");
        let out = std::process::Command::new("promtool")
            .args(["check", "rules"])
            .arg(&path)
            .output()
            .expect("promtool (Debian package prometheus)");
        let said = stdout(&out) + &String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{}: {said}", b.place);
    }
}

#[test]
fn the_rules_of_this_test_place_blocks_as_documented() {
    let dir = tempfile::tempdir().expect("temp dir");
    let md = dir.path().join("x.md");
    let text = "## Birthdays: birthdays.csv\n\nLike this:\n\n```\nname,class,date\n```\n\n## Other\n\n\
<!-- corridor check says: unknown setting `colour` -->\n```toml\n[[slot]]\nplaylist = \"a\"\ncolour = \"red\"\n```\n\n\
```toml\n# file: playlist.toml\nfit = \"cover\"\n```\n\n```toml\nfit = \"cover\"\nscreen = \"x\"\n```\n\n```\nsomething\n```\n\n\
```sh\ncorridor plan --days 7   # a week\n```\n";
    std::fs::write(&md, text).expect("write");
    let blocks = blocks_of(&md);
    let kinds: Vec<Result<Kind, String>> = blocks.iter().map(kind_of).collect();
    assert_eq!(kinds[0], Ok(Kind::File("birthdays.csv".into())));
    assert_eq!(kinds[1], Ok(Kind::File("schedule.toml".into())));
    assert_eq!(blocks[1].says.as_deref(), Some("unknown setting `colour`"));
    assert_eq!(blocks[0].says, None);
    assert_eq!(kinds[2], Ok(Kind::File("playlist.toml".into())));
    assert!(kinds[3].as_ref().is_err_and(|e| e.contains("fit []")), "keys of two files: {:?}", kinds[3]);
    assert!(kinds[4].is_err(), "a block of no known kind fails: {:?}", kinds[4]);
    assert_eq!(kinds[5], Ok(Kind::Commands));
    // An example the doc calls wrong passes when check names its problem, and only then.
    assert_eq!(check_file_example(&blocks[1], "schedule.toml"), None);
    let unmarked = Block { says: None, ..blocks[1].clone() };
    assert!(check_file_example(&unmarked, "schedule.toml").is_some());
    let other = Block { says: Some("no such problem".into()), ..blocks[1].clone() };
    assert!(check_file_example(&other, "schedule.toml").is_some());
    assert_eq!(
        words("corridor plan --at \"2027-03-01 08:30\"  # one moment"),
        ["corridor", "plan", "--at", "2027-03-01 08:30"]
    );
}
