//! Screens subscribing to a published folder over a real nginx on 127.0.0.1: the first sync,
//! an update that fetches only the changed file (nginx's access log says so), every attack of
//! issue 16 leaving the last good version on screen, a download cut off by nginx stopping and
//! resumed, and twenty screens syncing from one nginx at once.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::common::*;
use corridor::core::sync::{MANIFEST, SIGNATURE, manifest, signing};

/// The publishing side: a web root, a key pair, and `corridor publish`.
struct Publisher {
    _dir: tempfile::TempDir,
    site: PathBuf,
    key: PathBuf,
    public: String,
}

impl Publisher {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let out = corridor().args(["keygen", "--out"]).arg(dir.path().join("keys")).output().unwrap();
        assert!(out.status.success());
        let public = stdout(&out).lines().last().unwrap().to_string();
        let site = dir.path().join("site");
        std::fs::create_dir_all(&site).unwrap();
        Publisher { key: dir.path().join("keys/corridor.key"), site, public, _dir: dir }
    }

    /// Writes a file of the site, its time a second on from the last version's (nginx tells a
    /// change by size and time in whole seconds, and a test changes files faster than that).
    fn write(&self, name: &str, bytes: impl AsRef<[u8]>) {
        let path = self.site.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        let old = std::fs::metadata(&path).and_then(|m| m.modified()).ok();
        std::fs::write(&path, bytes).unwrap();
        if let Some(old) = old {
            let next = old + std::time::Duration::from_secs(1);
            std::fs::File::options().write(true).open(&path).unwrap().set_modified(next).unwrap();
        }
    }

    fn publish(&self, folder: &str) {
        let out = corridor()
            .arg("publish")
            .arg(self.site.join(folder))
            .arg("--key")
            .arg(&self.key)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }

    /// Signs `manifest_text` as `folder`'s manifest with the publisher's key, any names in it.
    fn sign_raw(&self, folder: &str, manifest_text: &str, serial: u64) {
        let secret = std::fs::read_to_string(&self.key).unwrap();
        let sig = signing::sign(manifest_text.as_bytes(), &secret, serial).unwrap();
        self.write(&format!("{folder}/{MANIFEST}"), manifest_text);
        self.write(&format!("{folder}/{SIGNATURE}"), sig);
    }
}

/// One screen: its corridor.toml, content folder and state folder.
struct Screen {
    dir: tempfile::TempDir,
}

impl Screen {
    fn new(sources: &str) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let toml = format!("content = \"playlists\"\nstate_folder = \"state\"\n{sources}");
        std::fs::write(dir.path().join("corridor.toml"), toml).unwrap();
        std::fs::create_dir_all(dir.path().join("playlists/default")).unwrap();
        write_solid(&dir.path().join("playlists/default/welcome.png"), 8, 8, [20, 90, 160]);
        Screen { dir }
    }

    fn run(&self, args: &[&str]) -> (i32, String) {
        let out = corridor()
            .arg("--config")
            .arg(self.dir.path().join("corridor.toml"))
            .args(args)
            .output()
            .unwrap();
        let text = stdout(&out) + &String::from_utf8_lossy(&out.stderr);
        (out.status.code().unwrap_or(-1), text)
    }

    fn sync(&self) -> (i32, String) {
        self.run(&["sync", "--once"])
    }

    fn file(&self, name: &str) -> Option<String> {
        std::fs::read_to_string(self.content().join(name)).ok()
    }

    fn content(&self) -> PathBuf {
        self.dir.path().join("playlists")
    }
}

fn source(url: &str, into: &str, public: &str, extra: &str) -> String {
    format!("[[source]]\nurl = \"{url}\"\ninto = \"{into}\"\npublic_key = \"{public}\"\n{extra}\n")
}

/// The requests nginx logged for `path` since `from` (an index into its log).
fn fetched(nginx: &Nginx, from: usize, path: &str) -> Vec<(u16, u64)> {
    nginx.access_log()[from..].iter().filter(|(p, _, _)| p == path).map(|(_, s, b)| (*s, *b)).collect()
}

#[test]
fn a_published_folder_reaches_a_screen_and_an_update_fetches_only_the_changed_file() {
    let publisher = Publisher::new();
    publisher.write("poetry/autumn.md", "# Autumn\nLeaves fall.\n");
    std::fs::create_dir_all(publisher.site.join("poetry")).unwrap();
    write_solid(&publisher.site.join("poetry/cover one.png"), 320, 180, [200, 30, 30]);
    publisher.publish("poetry");
    let nginx = Nginx::start(&publisher.site, "");
    let screen = Screen::new(&source(&nginx.url("poetry/"), "poetry", &publisher.public, ""));
    let (code, said) = screen.sync();
    assert_eq!(code, 0, "{said}");
    assert!(said.contains("poetry: updated to serial") && said.contains("2 of 2 files downloaded"), "{said}");
    assert_eq!(screen.file("poetry/autumn.md").as_deref(), Some("# Autumn\nLeaves fall.\n"));
    let png = std::fs::read(publisher.site.join("poetry/cover one.png")).unwrap();
    assert_eq!(std::fs::read(screen.content().join("poetry/cover one.png")).unwrap(), png);
    // The screen's copy checks with coreutils, as the publisher's did.
    assert!(sha256sum_ok(&screen.content().join("poetry")));
    // Nothing changed: one request, answered 304.
    let before = nginx.access_log().len();
    let (code, said) = screen.sync();
    assert!(code == 0 && said.contains("poetry: up to date"), "{said}");
    assert_eq!(
        nginx.access_log()[before..].iter().map(|(p, s, _)| (p.as_str(), *s)).collect::<Vec<_>>(),
        [("/poetry/SHA256SUMS", 304)]
    );
    // One file changed: only it is downloaded.
    publisher.write("poetry/autumn.md", "# Autumn\nLeaves fall slowly.\n");
    publisher.publish("poetry");
    let before = nginx.access_log().len();
    let (code, said) = screen.sync();
    assert!(code == 0 && said.contains("1 of 2 files downloaded"), "{said}");
    assert_eq!(fetched(&nginx, before, "/poetry/autumn.md").len(), 1);
    assert!(fetched(&nginx, before, "/poetry/cover%20one.png").is_empty());
    assert_eq!(screen.file("poetry/autumn.md").as_deref(), Some("# Autumn\nLeaves fall slowly.\n"));
    let (code, said) = screen.run(&["check"]);
    assert!(said.contains("source poetry (http://127.0.0.1:") && said.contains("up to date at"), "{said}");
    assert_eq!(code, 0, "{said}");
}

/// Whether coreutils' `sha256sum -c` accepts the folder's manifest.
fn sha256sum_ok(folder: &Path) -> bool {
    let out = Command::new("sha256sum").args(["-c", "--quiet", MANIFEST]).current_dir(folder).output();
    out.is_ok_and(|o| o.status.success())
}

/// Publishes version 1 of `poetry` and syncs it; each attack then must leave it on screen.
fn synced_screen(publisher: &Publisher, nginx: &Nginx, extra: &str) -> Screen {
    publisher.write("poetry/autumn.md", "version 1");
    publisher.publish("poetry");
    let screen = Screen::new(&source(&nginx.url("poetry/"), "poetry", &publisher.public, extra));
    assert_eq!(screen.sync().0, 0);
    screen
}

/// The screen refuses the source's new state with `why`, keeps version 1, and `check` says so.
fn refused(screen: &Screen, why: &str) {
    let (code, said) = screen.sync();
    assert_eq!(code, 1, "{why}: {said}");
    assert!(said.contains("poetry: not updated: ") && said.contains(why), "expected \"{why}\": {said}");
    assert_eq!(screen.file("poetry/autumn.md").as_deref(), Some("version 1"), "{why}");
    let leftovers = std::fs::read_dir(screen.content()).unwrap().count();
    assert!(leftovers <= 3, "only default/, poetry/ and the empty work folder: {leftovers}");
    let (code, said) = screen.run(&["check"]);
    assert!(code == 1 && said.contains("source poetry: the last sync") && said.contains(why), "{said}");
}

#[test]
fn every_attack_over_http_leaves_the_last_good_version_on_screen() {
    let publisher = Publisher::new();
    let nginx = Nginx::start(&publisher.site, "");
    let screen = synced_screen(&publisher, &nginx, "max_file = \"1MB\"\nmax_total = \"3MB\"");
    let keep = |name: &str| std::fs::read(publisher.site.join("poetry").join(name)).unwrap();
    let (v1_manifest, v1_signature) = (keep(MANIFEST), keep(SIGNATURE));
    // A file whose bytes do not match its hash.
    publisher.write("poetry/autumn.md", "version 2");
    publisher.publish("poetry");
    publisher.write("poetry/autumn.md", "version 2, changed on the server");
    refused(&screen, "autumn.md: its contents do not match the manifest");
    // Signed by another key.
    let other = Publisher::new();
    let secret = std::fs::read_to_string(&other.key).unwrap();
    let text = std::fs::read_to_string(publisher.site.join("poetry").join(MANIFEST)).unwrap();
    publisher
        .write("poetry/SHA256SUMS.minisig", signing::sign(text.as_bytes(), &secret, u64::MAX - 1).unwrap());
    refused(&screen, "signed by a key that is not trusted");
    // A manifest changed under its (good) signature.
    publisher.publish("poetry");
    let text = std::fs::read_to_string(publisher.site.join("poetry").join(MANIFEST)).unwrap();
    publisher.write("poetry/SHA256SUMS", text.replace("autumn", "autunm"));
    refused(&screen, "changed after it was signed");
    // Version 2 arrives properly; then version 1 is replayed.
    publisher.write("poetry/autumn.md", "version 2");
    publisher.publish("poetry");
    assert_eq!(screen.sync().0, 0);
    publisher.write("poetry/SHA256SUMS", &v1_manifest);
    publisher.write("poetry/SHA256SUMS.minisig", &v1_signature);
    let (code, said) = screen.sync();
    assert!(code == 1 && said.contains("not newer than the one in force"), "{said}");
    assert_eq!(screen.file("poetry/autumn.md").as_deref(), Some("version 2"));
}

#[test]
fn names_that_escape_missing_huge_and_endless_files_are_refused() {
    let publisher = Publisher::new();
    let nginx = Nginx::start(&publisher.site, "");
    let screen = synced_screen(&publisher, &nginx, "max_file = \"1MB\"\nmax_total = \"3MB\"");
    let hash = manifest::to_hex(&[0u8; 32]);
    for (i, name) in ["../autumn.md", "/etc/passwd", "poems\\a.md", "a/./b"].into_iter().enumerate() {
        publisher.sign_raw("poetry", &format!("{hash}  {name}\n"), u64::MAX / 2 + i as u64);
        refused(&screen, "SHA256SUMS:1: ");
    }
    // A listed file that is not there (404).
    publisher.write("poetry/autumn.md", "version 2");
    publisher.write("poetry/gone.md", "soon gone");
    publisher.publish("poetry");
    std::fs::remove_file(publisher.site.join("poetry/gone.md")).unwrap();
    refused(&screen, "gone.md: the server answered 404 Not Found");
    // A file over max_file; files together over max_total.
    publisher.write("poetry/film.mp4", vec![1u8; 1_200_000]);
    publisher.publish("poetry");
    refused(&screen, "film.mp4: larger than the cap of 1 MB");
    std::fs::remove_file(publisher.site.join("poetry/film.mp4")).unwrap();
    for i in 0..4 {
        publisher.write(&format!("poetry/part{i}.bin"), vec![i as u8; 900_000]);
    }
    publisher.publish("poetry");
    refused(&screen, "the whole source: larger than the cap of 3 MB");
    // A manifest of a million lines (100 MB), and one of 200,000 lines (14 MB: refused by its count).
    publisher.write("poetry/SHA256SUMS", format!("{hash}  {}\n", "x".repeat(34)).repeat(1_000_000));
    refused(&screen, "SHA256SUMS: larger than the cap of 16 MB");
    let lines: String = (0..200_000).map(|i| format!("{hash}  x{i}\n")).collect();
    publisher.sign_raw("poetry", &lines, u64::MAX / 2 + 100);
    refused(&screen, "more than 100,000 files");
}

#[test]
fn addresses_that_are_not_web_or_folders_are_refused_in_the_settings() {
    let screen = Screen::new(&source("ftp://example.org/poetry/", "poetry", &Publisher::new().public, ""));
    let (code, said) = screen.run(&["check"]);
    assert_eq!(code, 1, "{said}");
    assert!(
        said.contains("this source is left out: a source is an http://, https:// or file:// address"),
        "{said}"
    );
    let (code, said) = screen.sync();
    assert!(code == 0 && said.contains("this source is left out"), "{said}");
}

/// Waits until `path` holds at least `bytes` (a download under way).
fn wait_for_size(path: &Path, bytes: u64) {
    let started = std::time::Instant::now();
    while std::fs::metadata(path).map_or(0, |m| m.len()) < bytes {
        assert!(started.elapsed().as_secs() < 120, "{} never reached {bytes} bytes", path.display());
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

#[test]
fn a_download_cut_off_by_the_server_resumes_where_it_stopped() {
    let publisher = Publisher::new();
    let block: Vec<u8> = (0..1u32 << 16).map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8).collect();
    let film = block.repeat(3200);
    publisher.write("assembly/film.mp4", &film);
    publisher.publish("assembly");
    drop(film);
    let mut nginx = Nginx::start(&publisher.site, "limit_rate 40m;");
    let screen = Screen::new(&source(&nginx.url("assembly/"), "assembly", &publisher.public, ""));
    let syncing = corridor()
        .arg("--config")
        .arg(screen.dir.path().join("corridor.toml"))
        .args(["sync", "--once"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let parts = screen.content().join(".corridor-sync/sources/assembly/parts");
    let part = loop {
        if let Some(p) = std::fs::read_dir(&parts).ok().and_then(|mut d| d.next()).and_then(|e| e.ok()) {
            break p.path();
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    wait_for_size(&part, 40 << 20);
    nginx.stop();
    let out = syncing.wait_with_output().unwrap();
    let said = stdout(&out);
    assert!(!out.status.success() && said.contains("assembly: not updated: film.mp4: "), "{said}");
    assert!(screen.file("assembly/film.mp4").is_none());
    let had = std::fs::metadata(&part).unwrap().len();
    assert!(had >= 40 << 20 && had < 200 << 20, "{had}");
    nginx.restart("");
    let (code, said) = screen.sync();
    assert!(code == 0 && said.contains("assembly: updated"), "{said}");
    // nginx logs a request when it ends: the one cut off never was. The one after asked for the rest.
    assert_eq!(fetched(&nginx, 0, "/assembly/film.mp4"), [(206, (200 << 20) - had)]);
    assert_eq!(std::fs::metadata(screen.content().join("assembly/film.mp4")).unwrap().len(), 200 << 20);
}

#[test]
fn twenty_screens_sync_from_one_nginx_at_once() {
    let publisher = Publisher::new();
    for i in 0..10 {
        publisher.write(&format!("museum/room {i}.jpg"), vec![i as u8; 200_000]);
    }
    publisher.publish("museum");
    let nginx = Nginx::start(&publisher.site, "");
    let screens: Vec<Screen> = (0..20)
        .map(|_| Screen::new(&source(&nginx.url("museum/"), "museum", &publisher.public, "")))
        .collect();
    let children: Vec<_> = screens
        .iter()
        .map(|s| {
            corridor()
                .arg("--config")
                .arg(s.dir.path().join("corridor.toml"))
                .args(["sync", "--once"])
                .stdout(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success() && stdout(&out).contains("10 of 10 files downloaded"),
            "{}",
            stdout(&out)
        );
    }
    for s in &screens {
        assert!(sha256sum_ok(&s.content().join("museum")));
    }
}

#[test]
fn the_metrics_file_with_every_family_passes_promtool() {
    use corridor::core::metrics::{FeedMetric, Snapshot, SourceMetric, render};
    let snapshot = Snapshot {
        screen: "Hall \"A\"".into(),
        version: "0.1.0".into(),
        frames: 1200,
        last_frame: Some(1_796_000_000.25),
        playlist: Some("default".into()),
        slide: Some("default/01 sunset.jpg".into()),
        slide_since: Some(1_796_000_000),
        errors: 2,
        warnings: 1,
        sources: vec![
            SourceMetric {
                into: "poetry".into(),
                ok: true,
                serial: Some(9),
                last_success: Some(1_796_000_000),
            },
            SourceMetric { into: "museum".into(), ok: false, serial: None, last_success: None },
        ],
        feeds: vec![FeedMetric { label: "News".into(), ok: true, last_success: Some(1_795_999_000) }],
        on_air: Some(("rtsp://studio.local:8554/assembly".into(), false)),
    };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("corridor.prom");
    std::fs::write(&path, render(&snapshot)).unwrap();
    let out = Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(std::fs::File::open(&path).unwrap())
        .output()
        .expect("promtool (Debian package prometheus)");
    assert!(out.status.success(), "{}{}", stdout(&out), String::from_utf8_lossy(&out.stderr));
}

// ---- Signed folders copied in by another tool (trusted_keys): core::sync::guard ----

use corridor::core::sync::guard::Guard;
use corridor::core::sync::publish::publish;
use corridor::core::sync::signing::{KeyPairText, keygen};

/// A content folder with a published playlist folder `poetry` (two notices), its key pair.
fn signed_content() -> (tempfile::TempDir, KeyPairText) {
    let dir = tempfile::tempdir().unwrap();
    let poetry = dir.path().join("poetry");
    std::fs::create_dir_all(&poetry).unwrap();
    std::fs::write(poetry.join("autumn.txt"), "Autumn\nLeaves fall.").unwrap();
    std::fs::write(poetry.join("winter.txt"), "Winter\nSnow.").unwrap();
    let pair = keygen().unwrap();
    publish(&poetry, &pair.secret, 10).unwrap();
    (dir, pair)
}

/// The names of the `poetry` playlist's slides as the scan sees them, and the problems.
fn shown(guard: &mut Guard, root: &Path) -> (Vec<String>, String) {
    let slides = corridor::core::config::Config::default().slides;
    let mut kept = corridor::core::library::Kept { guard: std::mem::take(guard), ..Default::default() };
    let reading = corridor::core::library::read(root, &slides, &mut kept).unwrap();
    *guard = kept.guard;
    let items = reading
        .content
        .playlist("poetry")
        .map_or_else(Vec::new, |p| p.items.iter().map(|i| i.rel.display().to_string()).collect());
    let problems =
        reading.all_problems().into_iter().map(|p| p.to_string()).filter(|p| !p.contains("no default/"));
    (items, problems.collect::<Vec<_>>().join("\n"))
}

#[test]
fn a_signed_folder_plays_from_its_verified_copy_while_a_new_version_is_copied_in() {
    let (dir, pair) = signed_content();
    let root = dir.path();
    let mut guard = Guard::new(&[pair.public_line.clone()], &[], true);
    let (items, problems) = shown(&mut guard, root);
    assert_eq!(items, ["poetry/autumn.txt", "poetry/winter.txt"], "{problems}");
    assert!(root.join(".corridor-sync/verified/poetry/autumn.txt").exists());
    // A new version arriving: its manifest first, a file half-written, Syncthing's temp file.
    let poetry = root.join("poetry");
    let staging = tempfile::tempdir().unwrap();
    for f in ["autumn.txt", "winter.txt"] {
        std::fs::copy(poetry.join(f), staging.path().join(f)).unwrap();
    }
    std::fs::write(staging.path().join("spring.txt"), "Spring\nBuds.").unwrap();
    publish(staging.path(), &pair.secret, 11).unwrap();
    for f in [MANIFEST, SIGNATURE] {
        std::fs::copy(staging.path().join(f), poetry.join(f)).unwrap();
    }
    std::fs::write(poetry.join(".syncthing.spring.txt.tmp"), "Spr").unwrap();
    let (items, problems) = shown(&mut guard, root);
    assert_eq!(items, ["poetry/autumn.txt", "poetry/winter.txt"]);
    assert!(problems.contains("its last verified version (serial 10) plays"), "{problems}");
    assert!(problems.contains("spring.txt: listed, but not in the folder"), "{problems}");
    std::fs::rename(poetry.join(".syncthing.spring.txt.tmp"), poetry.join("spring.txt")).unwrap();
    let (items, _) = shown(&mut guard, root);
    assert_eq!(items.len(), 2, "half-written: still the old version");
    std::fs::write(poetry.join("spring.txt"), "Spring\nBuds.").unwrap();
    let (items, problems) = shown(&mut guard, root);
    assert_eq!(items, ["poetry/autumn.txt", "poetry/spring.txt", "poetry/winter.txt"], "{problems}");
    assert!(problems.is_empty(), "{problems}");
    // A file overwritten in place (cp, Windows Explorer over a share): the copy keeps its own.
    std::fs::write(poetry.join("autumn.txt"), "Autumn\nOverwritten.").unwrap();
    assert_eq!(shown(&mut guard, root).0.len(), 3);
    let kept = std::fs::read_to_string(root.join(".corridor-sync/verified/poetry/autumn.txt")).unwrap();
    assert_eq!(kept, "Autumn\nLeaves fall.");
}

#[test]
fn a_folder_never_verified_is_not_shown_and_an_older_version_is_refused() {
    let (dir, pair) = signed_content();
    let root = dir.path();
    std::fs::write(root.join("poetry/winter.txt"), "Win").unwrap();
    let mut guard = Guard::new(&[pair.public_line.clone()], &[], true);
    let (items, problems) = shown(&mut guard, root);
    assert!(items.is_empty(), "{items:?}");
    assert!(problems.contains("not shown until it is complete and verified: winter.txt"), "{problems}");
    std::fs::write(root.join("poetry/winter.txt"), "Winter\nSnow.").unwrap();
    let old = [MANIFEST, SIGNATURE].map(|f| std::fs::read(root.join("poetry").join(f)).unwrap());
    assert_eq!(shown(&mut guard, root).0.len(), 2);
    std::fs::write(root.join("poetry/winter.txt"), "Winter\nMore snow.").unwrap();
    publish(&root.join("poetry"), &pair.secret, 11).unwrap();
    assert_eq!(shown(&mut guard, root).0.len(), 2);
    for (f, bytes) in [MANIFEST, SIGNATURE].iter().zip(&old) {
        std::fs::write(root.join("poetry").join(f), bytes).unwrap();
    }
    std::fs::write(root.join("poetry/winter.txt"), "Winter\nSnow.").unwrap();
    let (_, problems) = shown(&mut guard, root);
    assert!(problems.contains("not newer than the one in force"), "{problems}");
    let copy = root.join(".corridor-sync/verified/poetry/winter.txt");
    assert_eq!(std::fs::read_to_string(copy).unwrap(), "Winter\nMore snow.");
}

#[test]
fn a_signed_folder_whose_signature_goes_missing_is_never_shown_unchecked() {
    let (dir, pair) = signed_content();
    let root = dir.path();
    let mut guard = Guard::new(&[pair.public_line.clone()], &[], true);
    assert_eq!(shown(&mut guard, root).0.len(), 2);
    // The signature removed and a file changed: the verified copy plays on.
    std::fs::remove_file(root.join("poetry").join(corridor::core::sync::SIGNATURE)).unwrap();
    std::fs::write(root.join("poetry/winter.txt"), "Winter\nSomeone else's words.").unwrap();
    let (items, problems) = shown(&mut guard, root);
    assert_eq!(items.len(), 2, "{problems}");
    assert!(problems.contains("its last verified version (serial 10) plays"), "{problems}");
    let copy = root.join(".corridor-sync/verified/poetry/winter.txt");
    assert_eq!(std::fs::read_to_string(copy).unwrap(), "Winter\nSnow.");
    // A folder arriving with its manifest but not yet its signature: not shown.
    std::fs::create_dir_all(root.join("rivers")).unwrap();
    std::fs::write(root.join("rivers/a.txt"), "A\nB").unwrap();
    publish(&root.join("rivers"), &pair.secret, 5).unwrap();
    std::fs::remove_file(root.join("rivers").join(corridor::core::sync::SIGNATURE)).unwrap();
    let (_, problems) = shown(&mut guard, root);
    assert!(problems.contains("rivers: not shown until it is complete and verified"), "{problems}");
    // The playlist folder removed: its copy goes too.
    std::fs::remove_dir_all(root.join("poetry")).unwrap();
    shown(&mut guard, root);
    assert!(!root.join(".corridor-sync/verified/poetry").exists());
}

#[test]
fn another_key_or_no_trusted_keys() {
    let (dir, _) = signed_content();
    let other = keygen().unwrap();
    let mut guard = Guard::new(&[other.public_line.clone()], &[], true);
    let (items, problems) = shown(&mut guard, dir.path());
    assert!(items.is_empty() && problems.contains("not trusted"), "{problems}");
    let (items, problems) = shown(&mut Guard::new(&[], &[], true), dir.path());
    assert_eq!(items.len(), 2);
    assert!(problems.contains("lists no trusted_keys: it is shown unchecked"), "{problems}");
}
