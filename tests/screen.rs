//! The screen: headless Bevy apps (MinimalPlugins, stepped clock) and real rendering of
//! `corridor snapshot` under Xvfb with Mesa's software Vulkan, checked on the PNG's pixels.

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::{Duration, Instant};

use bevy::prelude::*;
use bevy::time::TimeUpdateStrategy;
use chrono::TimeZone;
use common::*;
use corridor::core::config::Config;
use corridor::screen::{
    ContentScanned, FallbackSlide, ScanFailed, ScreenClock, Settings, SlideRoot, StageState, film_ready,
};

/// How long a test waits for something to happen before it fails: generous, so that a loaded
/// machine (a parallel build, every test of the binary at once) is slow, never wrong.
const PATIENCE: Duration = Duration::from_secs(60);

/// Tests that keep both cores busy for long (a live video encoder, a software-rendered player
/// whose scanner runs in the idle CPU class) take turns: beside each other, a player's scanner
/// could wait minutes for a core.
fn cpu_heavy() -> std::sync::MutexGuard<'static, ()> {
    static HEAVY: std::sync::Mutex<()> = std::sync::Mutex::new(());
    HEAVY.lock().unwrap_or_else(|e| e.into_inner())
}

fn monday(h: u32, m: u32, sec: u32) -> chrono::DateTime<chrono_tz::Tz> {
    chrono_tz::Europe::London.with_ymd_and_hms(2027, 1, 4, h, m, sec).unwrap()
}

fn headless_app(content: &Path) -> App {
    headless_app_at(content, monday(9, 0, 0))
}

fn headless_app_at(content: &Path, at: chrono::DateTime<chrono_tz::Tz>) -> App {
    let config = Config { content: content.to_path_buf(), ..Config::default() };
    headless_app_with(config, at)
}

/// The app's own state folder (the ticker's feed cache, the play log), removed with the app at
/// the end of its test.
#[derive(Resource)]
struct TempState(#[allow(dead_code)] tempfile::TempDir);

fn headless_app_with(mut config: Config, at: chrono::DateTime<chrono_tz::Tz>) -> App {
    // State goes to a scratch folder of this app's own, not the home folder nor one shared with
    // the tests running beside it.
    let state = tempfile::tempdir().expect("a temp state folder");
    config.state_folder.get_or_insert_with(|| state.path().to_path_buf());
    let mut app = App::new();
    app.insert_resource(TempState(state));
    app.add_plugins((MinimalPlugins, AssetPlugin::default()));
    app.init_asset::<Image>();
    app.init_asset::<Font>();
    app.insert_resource(TimeUpdateStrategy::ManualDuration(Duration::from_millis(100)));
    app.insert_resource(ScreenClock::fixed(at));
    app.insert_resource(Settings(config));
    corridor::screen::add_features(&mut app);
    app
}

/// Every message of type `M` that the app has sent, oldest first (see [`record`]).
#[derive(Resource)]
struct Seen<M: Message>(Vec<M>);

/// Keeps every message of type `M` in [`Seen`], read at the end of each frame.
fn record<M: Message + Clone>(app: &mut App) {
    app.insert_resource(Seen::<M>(Vec::new()));
    app.add_systems(Last, |mut messages: MessageReader<M>, mut seen: ResMut<Seen<M>>| {
        seen.0.extend(messages.read().cloned());
    });
}

/// The messages of type `M` recorded so far.
fn seen<M: Message>(app: &App) -> &[M] {
    &app.world().resource::<Seen<M>>().0
}

/// Runs frames (with a short sleep between them to yield the CPU) until `cond` holds; fails,
/// naming `what`, after [`PATIENCE`].
/// A temp folder holding a content folder (`content`) with its `default` playlist folder made.
fn content_folder() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let content = dir.path().join("content");
    let pl = content.join("default");
    std::fs::create_dir_all(&pl).unwrap();
    (dir, content, pl)
}

fn run_until(app: &mut App, what: &str, mut cond: impl FnMut(&mut App) -> bool) {
    let start = Instant::now();
    loop {
        app.update();
        if cond(app) {
            return;
        }
        assert!(start.elapsed() < PATIENCE, "timed out after {PATIENCE:?} waiting for: {what}");
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn current_name(app: &App) -> Option<String> {
    let state = app.world().resource::<StageState>();
    state
        .show
        .as_ref()?
        .current()
        .and_then(|i| i.source.file()?.file_name().map(|n| n.to_string_lossy().into_owned()))
}

#[test]
fn headless_show_plays_in_order_skips_bad_files_and_holds_two_slides_at_most() {
    let dir = tempfile::tempdir().unwrap();
    let pl = dir.path().join("default");
    std::fs::create_dir_all(&pl).unwrap();
    write_solid(&pl.join("1 a.png"), 64, 36, [255, 0, 0]);
    std::fs::write(pl.join("2 bad.png"), b"not a picture").unwrap();
    std::fs::write(pl.join("3 b.txt"), "Heading\nBody").unwrap();
    write_solid(&pl.join("4 c.jpg"), 64, 36, [0, 0, 255]);
    std::fs::write(pl.join("playlist.toml"), "duration = \"1s\"\ntransition_time = \"0.5s\"\n").unwrap();
    let mut app = headless_app(dir.path());
    let mut seen: Vec<String> = Vec::new();
    run_until(&mut app, "four slides shown in turn", |app| {
        let held = app.world_mut().query::<&SlideRoot>().iter(app.world()).count();
        assert!(held <= 2, "{held} slides held decoded at once");
        if let Some(name) = current_name(app)
            && seen.last() != Some(&name)
        {
            seen.push(name);
        }
        seen.len() >= 4
    });
    assert_eq!(seen, ["1 a.png", "3 b.txt", "4 c.jpg", "1 a.png"]);
}

#[test]
fn headless_empty_or_missing_content_shows_the_fallback_slide() {
    for make_default in [true, false] {
        let dir = tempfile::tempdir().unwrap();
        let content = dir.path().join("content");
        if make_default {
            std::fs::create_dir_all(content.join("default")).unwrap();
        }
        let mut app = headless_app(&content);
        record::<ContentScanned>(&mut app);
        record::<ScanFailed>(&mut app);
        // The fallback shows before anything is known: look only once the scan has answered.
        if make_default {
            run_until(&mut app, "the empty folder scanned and the show started with nothing", |app| {
                let show = app.world().resource::<StageState>().show.as_ref();
                !seen::<ContentScanned>(app).is_empty() && show.is_some_and(|s| s.nothing_to_show())
            });
            let scan = &seen::<ContentScanned>(&app)[0];
            let items: usize = scan.content.playlists.values().map(|p| p.items.len()).sum();
            assert_eq!(items, 0, "the folder is empty: {:?}", scan.content.playlists);
        } else {
            run_until(&mut app, "the scan to find the folder missing", |app| {
                !seen::<ScanFailed>(app).is_empty()
            });
            let failure = &seen::<ScanFailed>(&app)[0].0;
            assert!(matches!(**failure, corridor::core::content::ScanError::Missing(_)), "{failure}");
            assert!(seen::<ContentScanned>(&app).is_empty());
        }
        let vis: Vec<Visibility> = app
            .world_mut()
            .query_filtered::<&Visibility, With<FallbackSlide>>()
            .iter(app.world())
            .copied()
            .collect();
        assert_eq!(vis, [Visibility::Inherited], "fallback shows (default folder: {make_default})");
        assert_eq!(current_name(&app), None);
    }
}

fn playlist_name(app: &App) -> Option<String> {
    app.world().resource::<StageState>().show.as_ref().map(|s| s.playlist().name.clone())
}

#[test]
fn headless_schedule_switches_at_the_boundary_and_after_a_clock_jump() {
    let dir = tempfile::tempdir().unwrap();
    for (pl, colour) in [("default", [255, 0, 0]), ("notices", [0, 0, 255])] {
        std::fs::create_dir_all(dir.path().join(pl)).unwrap();
        write_solid(&dir.path().join(pl).join("a.png"), 16, 9, colour);
    }
    std::fs::write(
        dir.path().join("schedule.toml"),
        "[[slot]]\nplaylist = \"notices\"\nfrom = \"08:00\"\nto = \"09:00\"\n",
    )
    .unwrap();
    let mut app = headless_app_at(dir.path(), monday(7, 59, 59));
    run_until(&mut app, "a playlist playing", |app| playlist_name(app).is_some());
    assert_eq!(playlist_name(&app).as_deref(), Some("default"));
    // One second later the slot has begun: the next frame follows it.
    app.insert_resource(ScreenClock::fixed(monday(8, 0, 0)));
    app.update();
    app.update();
    assert_eq!(playlist_name(&app).as_deref(), Some("notices"));
    // The clock is put back an hour (a correction): the schedule is looked at again.
    app.insert_resource(ScreenClock::fixed(monday(7, 0, 0)));
    app.update();
    app.update();
    assert_eq!(playlist_name(&app).as_deref(), Some("default"));
}

// ---- Real rendering under Xvfb ----

/// Runs `corridor snapshot` under Xvfb (software Vulkan) with `args`.
fn snapshot(config: &Path, content: &Path, args: &[&str]) -> Output {
    let runtime = tempfile::tempdir().unwrap();
    let out = std::process::Command::new("xvfb-run")
        .args(["-a", "-s", "-screen 0 1280x720x24"])
        .arg(env!("CARGO_BIN_EXE_corridor"))
        .arg("snapshot")
        .arg("--config")
        .arg(config)
        .arg("--content")
        .arg(content)
        .args(args)
        .env("XDG_RUNTIME_DIR", runtime.path())
        .env("XDG_STATE_HOME", runtime.path())
        .output()
        .expect("xvfb-run runs (install it with scripts/setup.sh)");
    assert!(
        out.status.success(),
        "snapshot failed: {}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn write_config(dir: &Path, text: &str) -> PathBuf {
    let p = dir.join("corridor.toml");
    std::fs::write(&p, format!("timezone = \"Europe/London\"\n{text}")).unwrap();
    p
}

/// Renders `frames` frames 100 ms apart at 320x180 (from `--at` when given) and returns the
/// centre pixel of each.
fn frame_centres(cfg: &Path, content: &Path, at: Option<&str>, frames: usize) -> Vec<[u8; 3]> {
    let out = tempfile::tempdir().unwrap();
    let shot = out.path().join("seq.png");
    let count = frames.to_string();
    let mut args = vec!["--size", "320x180", "--out", shot.to_str().unwrap(), "--frames", &count];
    args.extend(["--step", "100ms"]);
    if let Some(at) = at {
        args.extend(["--at", at]);
    }
    snapshot(cfg, content, &args);
    (0..frames).map(|i| px(&load(&out.path().join(format!("seq-{i:03}.png"))), 160, 90)).collect()
}

fn load(path: &Path) -> image::RgbImage {
    image::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())).to_rgb8()
}

fn px(img: &image::RgbImage, x: u32, y: u32) -> [u8; 3] {
    img.get_pixel(x, y).0
}

fn near(a: [u8; 3], b: [u8; 3], tol: i32) -> bool {
    a.iter().zip(b).all(|(x, y)| (*x as i32 - y as i32).abs() <= tol)
}

#[test]
fn render_sample_content_puts_the_picture_on_the_stage() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = write_config(dir.path(), "");
    let shot = dir.path().join("shot.png");
    snapshot(
        &cfg,
        Path::new("playlists"),
        &["--at", "2027-01-04 00:00", "--size", "640x360", "--out", shot.to_str().unwrap()],
    );
    let img = load(&shot);
    assert_eq!(img.dimensions(), (640, 360));
    // Stage 499x331 (78% x 92%); the 16:9 sunset fills its width, 281 px high, from y=25.
    let sky = px(&img, 100, 60);
    assert!(sky[2] > sky[0] && sky[2] > 150, "sky is blue: {sky:?}");
    let sun = px(&img, 349, 123);
    assert!(sun[0] > 200 && sun[1] > 170 && sun[2] < 100, "sun is yellow: {sun:?}");
    let hill = px(&img, 100, 280);
    assert!(hill[1] > hill[0] + 20 && hill[1] > hill[2] + 20, "hills are green: {hill:?}");
    let letterbox = px(&img, 250, 8);
    assert!(near(letterbox, [16, 24, 32], 6), "letterbox is the background colour: {letterbox:?}");
    let column = px(&img, 630, 300);
    assert!(near(column, [38, 46, 54], 6), "widget column panel: {column:?}");
    let strip = px(&img, 630, 350);
    assert!(near(strip, [38, 46, 54], 6), "ticker strip panel: {strip:?}");
    // The clock in the column: some bright text pixels near its top.
    let bright = (500..640)
        .flat_map(|x| (0..120).map(move |y| (x, y)))
        .filter(|&(x, y)| px(&img, x, y)[0] > 200)
        .count();
    assert!(bright > 30, "clock text in the widget column ({bright} bright pixels)");
}

#[test]
fn render_crossfade_mixes_both_slides_and_no_frame_is_blank() {
    let dir = tempfile::tempdir().unwrap();
    let content = dir.path().join("content");
    std::fs::create_dir_all(content.join("default")).unwrap();
    write_solid(&content.join("default/1 red.png"), 160, 90, [255, 0, 0]);
    write_solid(&content.join("default/2 blue.png"), 160, 90, [0, 0, 255]);
    let cfg = write_config(
        dir.path(),
        "[display]\nbackground = \"#000000\"\n[slides]\ndefault_duration = \"1s\"\ntransition_time = \"1s\"\n[layout]\nticker = false\nwidgets = false\n",
    );
    let mut kinds = Vec::new();
    for (i, c) in frame_centres(&cfg, &content, Some("2027-01-04 00:00"), 26).into_iter().enumerate() {
        assert!(c[0] as u32 + c[2] as u32 > 150, "frame {i} is blank: {c:?}");
        let kind = match c {
            [r, _, b] if r > 240 && b < 15 => 'R',
            [r, _, b] if b > 240 && r < 15 => 'B',
            [r, _, b] if r >= 15 && b >= 15 && r as u32 + b as u32 >= 250 => 'M',
            _ => '?',
        };
        kinds.push(kind);
    }
    let s: String = kinds.iter().collect();
    assert!(!s.contains('?'), "every frame is red, blue or a mix: {s}");
    assert!(s.starts_with('R'), "{s}");
    assert!(s.contains("RM") && s.contains("MB"), "a crossfade from red to blue: {s}");
}

#[test]
fn render_bad_files_never_blank_the_screen() {
    let dir = tempfile::tempdir().unwrap();
    let content = bad_corpus(dir.path());
    let cfg = write_config(
        dir.path(),
        "[display]\nbackground = \"#000000\"\n[layout]\nticker = false\nwidgets = false\n",
    );
    // 00:01 of the day: ten 10 s slides a loop put "07 enormous.png" due; it and the broken files
    // after it are skipped, and the next good picture (blue) shows.
    let shot = dir.path().join("bad.png");
    snapshot(
        &cfg,
        &content,
        &["--at", "2027-01-04 00:01", "--size", "320x180", "--out", shot.to_str().unwrap()],
    );
    let img = load(&shot);
    let c = px(&img, 160, 90);
    assert!(c[2] > 150 && c[0] < 80, "the good blue picture shows: {c:?}");

    let empty = dir.path().join("empty");
    std::fs::create_dir_all(empty.join("default")).unwrap();
    let shot = dir.path().join("empty.png");
    snapshot(&cfg, &empty, &["--size", "320x180", "--out", shot.to_str().unwrap()]);
    let img = load(&shot);
    let bright = img.pixels().filter(|p| p.0[0] > 180 && p.0[1] > 180 && p.0[2] > 180).count();
    assert!(bright > 100, "the fallback slide shows its name and clock ({bright} bright pixels)");
}

#[test]
fn render_snapshot_follows_the_schedule() {
    let dir = tempfile::tempdir().unwrap();
    let content = dir.path().join("content");
    std::fs::create_dir_all(content.join("default")).unwrap();
    std::fs::create_dir_all(content.join("assembly")).unwrap();
    write_solid(&content.join("default/red.png"), 160, 90, [255, 0, 0]);
    write_solid(&content.join("assembly/blue.png"), 160, 90, [0, 0, 255]);
    std::fs::write(
        content.join("schedule.toml"),
        "[[slot]]\nname = \"Assembly\"\nplaylist = \"assembly\"\ndays = \"weekdays\"\nfrom = \"08:00\"\nto = \"09:00\"\n\n[[off]]\nname = \"Night\"\nfrom = \"18:00\"\nto = \"07:00\"\n",
    )
    .unwrap();
    let cfg = write_config(dir.path(), "[layout]\nticker = false\nwidgets = false\n");
    for (at, want) in [
        ("2027-01-04 08:30", [0, 0, 255]),
        ("2027-01-04 10:00", [255, 0, 0]),
        ("2027-01-04 20:00", [0, 0, 0]),
    ] {
        let shot = dir.path().join("s.png");
        let out =
            snapshot(&cfg, &content, &["--at", at, "--size", "320x180", "--out", shot.to_str().unwrap()]);
        let c = px(&load(&shot), 160, 90);
        assert!(near(c, want, 10), "at {at}: {c:?}, want {want:?}\n{}", String::from_utf8_lossy(&out.stderr));
    }
}

// ---- Hot updates: real files, real file-system events ----

struct Live {
    app: App,
    status: PathBuf,
}

impl Live {
    fn new(dir: &Path, content: &Path, extra: impl FnOnce(&mut Config)) -> Self {
        let status = dir.join("state/status.json");
        let mut config = Config {
            content: content.to_path_buf(),
            status_file: Some(status.clone()),
            settle_time: Duration::from_millis(600),
            ..Config::default()
        };
        config.slides.default_duration = Duration::from_secs(1);
        extra(&mut config);
        let mut app = headless_app_with(config, monday(9, 0, 0));
        record::<ContentScanned>(&mut app);
        record::<ScanFailed>(&mut app);
        Live { app, status }
    }

    fn status(&self) -> serde_json::Value {
        std::fs::read_to_string(&self.status)
            .ok()
            .and_then(|t| serde_json::from_str(&t).ok())
            .unwrap_or(serde_json::Value::Null)
    }

    fn items(&self) -> Vec<String> {
        self.status()["items"]
            .as_array()
            .map(|a| a.iter().filter_map(|v| v.as_str().map(String::from)).collect())
            .unwrap_or_default()
    }

    /// Runs frames until `cond` holds (fails after [`PATIENCE`]), checking `always` at every
    /// frame.
    fn until(&mut self, what: &str, mut cond: impl FnMut(&Live) -> bool, mut always: impl FnMut(&Live)) {
        let start = Instant::now();
        loop {
            self.app.update();
            always(self);
            if cond(self) {
                return;
            }
            assert!(
                start.elapsed() < PATIENCE,
                "timed out after {PATIENCE:?} waiting for: {what}\nstatus: {}",
                self.status()
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

fn has(items: &[String], name: &str) -> bool {
    items.iter().any(|i| i == name)
}

#[test]
fn live_drop_replace_rename_delete_and_a_slow_copy() {
    let dir = tempfile::tempdir().unwrap();
    let content = dir.path().join("content");
    std::fs::create_dir_all(content.join("default")).unwrap();
    write_solid(&content.join("default/a.png"), 32, 18, [255, 0, 0]);
    let mut live = Live::new(dir.path(), &content, |_| {});
    live.until("a.png listed", |l| has(&l.items(), "default/a.png"), |_| {});

    // Drop a file in.
    write_solid(&content.join("default/b.png"), 32, 18, [0, 255, 0]);
    live.until("b.png appears", |l| has(&l.items(), "default/b.png"), |_| {});

    // A copy written in chunks with pauses: never listed before it is complete and settled. After
    // each chunk, the first scan that sees the file at its new size must hold it back (it has
    // only just changed, so it cannot have settled), and the status never lists it meanwhile.
    let mut bytes = std::io::Cursor::new(Vec::new());
    image::RgbImage::from_pixel(300, 200, image::Rgb([0, 0, 200]))
        .write_to(&mut bytes, image::ImageFormat::Jpeg)
        .unwrap();
    let bytes = bytes.into_inner();
    let target = content.join("default/c.jpg");
    let chunks: Vec<&[u8]> = bytes.chunks(bytes.len() / 4 + 1).collect();
    let mut written = 0;
    for chunk in &chunks {
        let mut f = std::fs::OpenOptions::new().create(true).append(true).open(&target).unwrap();
        std::io::Write::write_all(&mut f, chunk).unwrap();
        drop(f);
        written += chunk.len() as u64;
        let from = seen::<ContentScanned>(&live.app).len();
        let copying =
            |l: &Live| assert!(!has(&l.items(), "default/c.jpg"), "c.jpg listed while being copied");
        live.until(
            &format!("a scan that sees c.jpg at {written} bytes"),
            |l| scan_seeing(&l.app, from, "default/c.jpg", written).is_some(),
            copying,
        );
        let scan = scan_seeing(&live.app, from, "default/c.jpg", written).unwrap();
        let listed =
            scan.content.playlists["default"].items.iter().any(|i| i.rel == Path::new("default/c.jpg"));
        assert!(!listed, "c.jpg listed by the first scan that saw it at {written} of {} bytes", bytes.len());
    }
    live.until("c.jpg appears once settled", |l| has(&l.items(), "default/c.jpg"), |_| {});

    // Replace a file (same name, new content): still listed, nothing breaks.
    write_solid(&content.join("default/a.png"), 32, 18, [255, 255, 0]);
    // Rename and delete.
    std::fs::rename(content.join("default/b.png"), content.join("default/z.png")).unwrap();
    std::fs::remove_file(content.join("default/c.jpg")).unwrap();
    live.until(
        "rename and delete followed",
        |l| {
            let items = l.items();
            has(&items, "default/z.png")
                && !has(&items, "default/b.png")
                && !has(&items, "default/c.jpg")
                && has(&items, "default/a.png")
        },
        |_| {},
    );
    // A partial-copy name is ignored altogether.
    std::fs::write(content.join("default/d.jpg.part"), b"half").unwrap();
    write_solid(&content.join("default/e.png"), 8, 8, [1, 2, 3]);
    live.until("e.png appears", |l| has(&l.items(), "default/e.png"), |_| {});
    assert!(!live.items().iter().any(|i| i.contains(".part")));
}

/// The first scan since the `from`th that saw the file `rel` (under the content folder) at
/// `size` bytes.
fn scan_seeing<'a>(app: &'a App, from: usize, rel: &str, size: u64) -> Option<&'a ContentScanned> {
    seen::<ContentScanned>(app)[from..]
        .iter()
        .find(|s| s.content.stamps.iter().any(|(path, stamp)| path.ends_with(rel) && stamp.size == size))
}

#[test]
fn live_bad_toml_keeps_the_last_good_version_and_a_lost_folder_keeps_playing() {
    let dir = tempfile::tempdir().unwrap();
    let content = dir.path().join("content");
    std::fs::create_dir_all(content.join("default")).unwrap();
    for n in ["1.png", "2.png", "3.png"] {
        write_solid(&content.join("default").join(n), 16, 9, [9, 9, 9]);
    }
    std::fs::write(content.join("default/playlist.toml"), "[[item]]\nfile = \"3.png\"\n").unwrap();
    let mut live = Live::new(dir.path(), &content, |_| {});
    let listed_first = |l: &Live| l.items().first().map(String::as_str) == Some("default/3.png");
    live.until("3.png first", listed_first, |_| {});

    // Malformed: the last good order stays, and the problem is reported with its line.
    std::fs::write(content.join("default/playlist.toml"), "[[item]\nfile = \"2.png\"\n").unwrap();
    let reported = |l: &Live| {
        l.status()["problems"].to_string().contains("default/playlist.toml:1: this file is not valid TOML")
    };
    live.until("bad TOML reported", reported, |l| assert!(l.items().is_empty() || listed_first(l)));
    assert!(listed_first(&live), "last good playlist kept: {:?}", live.items());
    // Fixed: the new order applies.
    std::fs::write(content.join("default/playlist.toml"), "[[item]]\nfile = \"2.png\"\n").unwrap();
    live.until(
        "fixed TOML applied",
        |l| l.items().first().map(String::as_str) == Some("default/2.png"),
        |_| {},
    );

    // The whole folder goes (a USB stick pulled): what is in memory keeps playing. (First make sure
    // a slide is on screen: on a loaded machine the first decode can still be under way.)
    live.until("a slide on screen", |l| current_name(&l.app).is_some(), |_| {});
    let away = dir.path().join("away");
    let failed_before = seen::<ScanFailed>(&live.app).len();
    std::fs::rename(&content, &away).unwrap();
    live.until(
        "a scan that finds the folder gone",
        |l| seen::<ScanFailed>(&l.app).len() > failed_before,
        |_| {},
    );
    let failure = &seen::<ScanFailed>(&live.app)[failed_before].0;
    assert!(matches!(**failure, corridor::core::content::ScanError::Missing(_)), "{failure}");
    assert!(current_name(&live.app).is_some(), "a slide is still on screen");
    assert_eq!(live.items().len(), 3, "last good content kept");
    // It comes back, with a new file: picked up again.
    std::fs::rename(&away, &content).unwrap();
    write_solid(&content.join("default/4.png"), 16, 9, [9, 9, 9]);
    live.until("folder back with 4.png", |l| has(&l.items(), "default/4.png"), |_| {});
}

#[test]
fn live_poll_mode_and_the_emergency_alert() {
    let dir = tempfile::tempdir().unwrap();
    let content = dir.path().join("content");
    std::fs::create_dir_all(content.join("default")).unwrap();
    write_solid(&content.join("default/a.png"), 16, 9, [9, 9, 9]);
    let play_log = dir.path().join("plays");
    let mut live = Live::new(dir.path(), &content, |c| {
        c.watch = corridor::core::config::WatchMode::Poll;
        c.poll_interval = Duration::from_millis(200);
        c.play_log = corridor::core::config::PlayLog::Folder(play_log.clone());
    });
    live.until("a.png listed", |l| has(&l.items(), "default/a.png"), |_| {});
    write_solid(&content.join("default/b.png"), 16, 9, [9, 9, 9]);
    live.until("b.png found by polling", |l| has(&l.items(), "default/b.png"), |_| {});

    std::fs::write(content.join("ALERT.txt"), "School closed\nThe school is closed today because of snow.")
        .unwrap();
    let showing = |l: &Live| {
        *l.app.world().resource::<corridor::screen::AlertShowing>() == corridor::screen::AlertShowing(true)
    };
    live.until(
        "alert showing",
        |l| showing(l) && l.status()["alert"] == serde_json::Value::Bool(true),
        |_| {},
    );
    let vis: Vec<Visibility> = live
        .app
        .world_mut()
        .query_filtered::<&Visibility, With<corridor::screen::AlertCover>>()
        .iter(live.app.world())
        .copied()
        .collect();
    assert_eq!(vis, [Visibility::Inherited]);
    std::fs::remove_file(content.join("ALERT.txt")).unwrap();
    live.until(
        "alert gone",
        |l| !showing(l) && l.status()["alert"] == serde_json::Value::Bool(false),
        |_| {},
    );

    // Slides have been shown meanwhile: the play log has one JSON line per finished slide.
    live.until(
        "play log written",
        |_| {
            std::fs::read_dir(&play_log)
                .ok()
                .and_then(|mut d| d.next())
                .and_then(|e| e.ok())
                .and_then(|e| std::fs::read_to_string(e.path()).ok())
                .is_some_and(|t| t.contains('\n'))
        },
        |_| {},
    );
    let log = std::fs::read_dir(&play_log).unwrap().flatten().next().unwrap().path();
    assert!(log.file_name().unwrap().to_string_lossy().ends_with(".jsonl"));
    let text = std::fs::read_to_string(&log).unwrap();
    let first: serde_json::Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    assert_eq!(first["playlist"], "default");
    assert!(first["file"].as_str().unwrap().starts_with("default/"));
    assert!(first["start"].is_string() && first["end"].is_string());
}

#[test]
fn live_settings_file_changes_apply_and_mistakes_keep_the_settings_in_use() {
    let dir = tempfile::tempdir().unwrap();
    let content = dir.path().join("content");
    std::fs::create_dir_all(content.join("default")).unwrap();
    write_solid(&content.join("default/a.png"), 16, 9, [9, 9, 9]);
    let cfg_path = dir.path().join("corridor.toml");
    std::fs::write(&cfg_path, "[slides]\ndefault_duration = \"5s\"\n").unwrap();
    let mut config = corridor::core::config::load(Some(&cfg_path)).unwrap().config;
    config.content = content.clone();
    let mut app = headless_app_with(config, monday(9, 0, 0));
    record::<corridor::screen::SettingsKept>(&mut app);
    let duration = |app: &App| app.world().resource::<Settings>().0.slides.default_duration;
    // The watcher starts on a thread of its own and says nothing when it is watching: the file is
    // saved again every few seconds until the change is seen.
    let mut saved = None::<Instant>;
    run_until(&mut app, "the new duration applied live", |app| {
        if saved.is_none_or(|t| t.elapsed() > Duration::from_secs(3)) {
            std::fs::write(&cfg_path, "[slides]\ndefault_duration = \"7s\"\n").unwrap();
            saved = Some(Instant::now());
        }
        duration(app) == Duration::from_secs(7)
    });
    // A mistake: once the file has been read again and refused, the settings in use are the same.
    assert!(seen::<corridor::screen::SettingsKept>(&app).is_empty(), "nothing refused so far");
    std::fs::write(&cfg_path, "[slides]\ndefault_duration = \"seven\"\n").unwrap();
    run_until(&mut app, "the mistaken file read and refused", |app| {
        !seen::<corridor::screen::SettingsKept>(app).is_empty()
    });
    assert_eq!(duration(&app), Duration::from_secs(7), "a mistake keeps the settings in use");
}

#[test]
fn headless_off_period_runs_the_power_commands() {
    let dir = tempfile::tempdir().unwrap();
    let content = dir.path().join("content");
    std::fs::create_dir_all(content.join("default")).unwrap();
    write_solid(&content.join("default/a.png"), 16, 9, [9, 9, 9]);
    std::fs::write(
        content.join("schedule.toml"),
        "[[off]]\nname = \"Night\"\nfrom = \"18:00\"\nto = \"07:00\"\n",
    )
    .unwrap();
    let off_file = dir.path().join("screen-off");
    let on_file = dir.path().join("screen-on");
    let config = Config {
        content: content.clone(),
        power_off_command: Some(format!("touch '{}'", off_file.display())),
        power_on_command: Some(format!("touch '{}'; exit 3", on_file.display())),
        ..Config::default()
    };
    let mut app = headless_app_with(config, monday(17, 59, 0));
    record::<corridor::screen::ProgrammeChanged>(&mut app);
    // Before 18:00 the programme, once decided from the schedule, is not off: no command runs.
    run_until(&mut app, "the programme decided", |app| {
        !seen::<corridor::screen::ProgrammeChanged>(app).is_empty()
    });
    let first = &seen::<corridor::screen::ProgrammeChanged>(&app)[0];
    assert_ne!(first.what, corridor::core::schedule::What::Off, "on at 17:59: {}", first.reason);
    assert_eq!(*app.world().resource::<corridor::screen::ScreenOff>(), corridor::screen::ScreenOff(false));
    assert!(!off_file.exists());
    app.insert_resource(ScreenClock::fixed(monday(18, 0, 0)));
    run_until(&mut app, "power_off_command run at 18:00", |_| off_file.exists());
    assert_eq!(*app.world().resource::<corridor::screen::ScreenOff>(), corridor::screen::ScreenOff(true));
    // Next morning: on again; a failing command is only logged.
    app.insert_resource(ScreenClock::fixed(
        chrono_tz::Europe::London.with_ymd_and_hms(2027, 1, 5, 7, 0, 0).unwrap(),
    ));
    run_until(&mut app, "power_on_command run at 07:00", |_| on_file.exists());
    assert_eq!(*app.world().resource::<corridor::screen::ScreenOff>(), corridor::screen::ScreenOff(false));
}

#[test]
fn render_widgets_house_points_in_order_and_no_empty_box() {
    let dir = tempfile::tempdir().unwrap();
    let content = dir.path().join("content");
    std::fs::create_dir_all(content.join("default")).unwrap();
    write_solid(&content.join("default/a.png"), 160, 90, [0, 0, 0]);
    std::fs::write(
        content.join("house-points.toml"),
        "[[house]]\nname = \"Oak\"\npoints = 30\ncolour = \"#ff0000\"\n[[house]]\nname = \"Ash\"\npoints = 90\ncolour = \"#00ff00\"\n[[house]]\nname = \"Elm\"\npoints = 60\ncolour = \"#0000ff\"\n",
    )
    .unwrap();
    let cfg = write_config(
        dir.path(),
        "[layout]\nticker = false\nwidgets_width = 0.4\n[widgets]\nshow = [\"house_points\"]\n",
    );
    let shot = dir.path().join("w.png");
    snapshot(
        &cfg,
        &content,
        &["--at", "2027-01-04 09:00", "--size", "640x360", "--out", shot.to_str().unwrap()],
    );
    let img = load(&shot);
    // The column is x 384..640. For each bar colour: its topmost row and its length in pixels.
    let mut bars = Vec::new();
    for (name, colour) in [("Oak", [255, 0, 0]), ("Ash", [0, 255, 0]), ("Elm", [0, 0, 255])] {
        let rows: Vec<(u32, u32)> = (0..360)
            .map(|y| (y, (384..640).filter(|&x| near(px(&img, x, y), colour, 40)).count() as u32))
            .filter(|(_, n)| *n > 5)
            .collect();
        assert!(!rows.is_empty(), "no bar for {name}");
        let top = rows[0].0;
        let len = rows.iter().map(|r| r.1).max().unwrap();
        bars.push((name, top, len));
    }
    bars.sort_by_key(|b| b.1);
    let order: Vec<&str> = bars.iter().map(|b| b.0).collect();
    assert_eq!(order, ["Ash", "Elm", "Oak"], "bars top to bottom by points: {bars:?}");
    assert!(bars[0].2 > bars[1].2 && bars[1].2 > bars[2].2, "lengths follow the points: {bars:?}");
    let ratio = bars[2].2 as f32 / bars[0].2 as f32;
    assert!((ratio - 1.0 / 3.0).abs() < 0.08, "30 of 90 points is a third as long: {ratio}");

    // Birthdays only, and nobody's birthday today: no box at all in the column.
    let cfg = write_config(
        dir.path(),
        "[layout]\nticker = false\nwidgets_width = 0.4\n[widgets]\nshow = [\"birthdays\"]\n",
    );
    std::fs::write(content.join("birthdays.csv"), "name,class,date\nAnna Smith,3B,06-01\n").unwrap();
    snapshot(
        &cfg,
        &content,
        &["--at", "2027-01-04 09:00", "--size", "640x360", "--out", shot.to_str().unwrap()],
    );
    let img = load(&shot);
    let panel = px(&img, 630, 350);
    let off_panel = (384..640)
        .flat_map(|x| (0..360).map(move |y| (x, y)))
        .filter(|&(x, y)| !near(px(&img, x, y), panel, 4))
        .count();
    assert_eq!(off_panel, 0, "an empty widget leaves no box");
}

#[test]
fn render_each_widget_shows_its_box_with_text() {
    let dir = tempfile::tempdir().unwrap();
    let content = dir.path().join("content");
    std::fs::create_dir_all(content.join("default")).unwrap();
    write_solid(&content.join("default/a.png"), 160, 90, [0, 0, 0]);
    std::fs::write(content.join("birthdays.csv"), "Name;Class;Date\r\nAnna Maria Smith;3B;01-04\r\n")
        .unwrap();
    std::fs::write(
        content.join("awards.toml"),
        "[[award]]\nname = \"Dan Smith\"\naward = \"Star of the week\"\ndate = \"2027-01-01\"\n",
    )
    .unwrap();
    std::fs::write(content.join("sports.toml"), "[[news]]\ntext = \"Cross-country team through to the county finals and a very long line after that\"\ndate = \"2027-01-03\"\n").unwrap();
    std::fs::write(
        content.join("countdowns.toml"),
        "[[event]]\nname = \"Sports day\"\ndate = \"2027-01-16\"\n",
    )
    .unwrap();
    let shot = dir.path().join("w.png");
    for kind in ["birthdays", "awards", "sports", "countdowns"] {
        let cfg = write_config(
            dir.path(),
            &format!("[layout]\nticker = false\nwidgets_width = 0.4\n[widgets]\nshow = [\"{kind}\"]\n"),
        );
        snapshot(
            &cfg,
            &content,
            &["--at", "2027-01-04 09:00", "--size", "640x360", "--out", shot.to_str().unwrap()],
        );
        let img = load(&shot);
        let card = (384..640)
            .flat_map(|x| (0..360).map(move |y| (x, y)))
            .filter(|&(x, y)| near(px(&img, x, y), [51, 64, 79], 3))
            .count();
        let text = (384..640)
            .flat_map(|x| (0..360).map(move |y| (x, y)))
            .filter(|&(x, y)| px(&img, x, y)[0] > 200)
            .count();
        assert!(card > 5_000, "{kind}: the widget's box shows ({card} px)");
        assert!(text > 100, "{kind}: with text in it ({text} px)");
    }
}

/// The player under xvfb-run, stopped when dropped (failed test or not): TERM to the `timeout`
/// that runs it, whose process id it writes to `pid_file`, so that the player exits and xvfb-run
/// then stops its X server as it does at any end; the whole process group if that takes too long.
struct Player {
    child: std::process::Child,
    pid_file: PathBuf,
}

impl Drop for Player {
    fn drop(&mut self) {
        let kill =
            |target: String| std::process::Command::new("kill").args(["-TERM", "--", &target]).status();
        if let Some(pid) = std::fs::read_to_string(&self.pid_file).ok().filter(|p| !p.trim().is_empty()) {
            let _ = kill(pid.trim().to_string());
        }
        let start = Instant::now();
        while matches!(self.child.try_wait(), Ok(None)) {
            if start.elapsed() > PATIENCE {
                let _ = kill(format!("-{}", self.child.id()));
                let _ = self.child.wait();
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

#[test]
fn render_the_player_runs_and_keeps_running() {
    use std::os::unix::process::CommandExt;
    let dir = tempfile::tempdir().unwrap();
    let status = dir.path().join("status.json");
    let cfg = write_config(
        dir.path(),
        "play_log = \"off\"\nscreenshot_file = \"shot.jpg\"\n[slides]\ndefault_duration = \"1s\"\ntransition_time = \"0.3s\"\n",
    );
    let runtime = tempfile::tempdir().unwrap();
    let log_path = dir.path().join("player.log");
    let pid_file = dir.path().join("player.pid");
    // `timeout` stops it in the end should the test itself be killed.
    let child = std::process::Command::new("xvfb-run")
        .args(["-a", "-s", "-screen 0 1280x720x24", "sh", "-c", "echo $$ > \"$0\"; exec timeout 300 \"$@\""])
        .arg(&pid_file)
        .arg(env!("CARGO_BIN_EXE_corridor"))
        .args(["run", "--windowed", "--content", "playlists", "--config"])
        .arg(&cfg)
        .arg("--status")
        .arg(&status)
        .env("XDG_RUNTIME_DIR", runtime.path())
        .stdout(std::process::Stdio::null())
        .stderr(std::fs::File::create(&log_path).unwrap())
        .process_group(0)
        .spawn()
        .expect("xvfb-run runs");
    let mut player = Player { child, pid_file };
    let log = || std::fs::read_to_string(&log_path).unwrap_or_default();
    // It runs: it goes on from the first slide to the next (the sample playlist shows each for
    // 8 s), and is still running then.
    let start = Instant::now();
    let mut first: Option<String> = None;
    let s = loop {
        let s: serde_json::Value = std::fs::read_to_string(&status)
            .ok()
            .and_then(|t| serde_json::from_str(&t).ok())
            .unwrap_or_default();
        match (s["current"]["file"].as_str(), &first) {
            (Some(file), None) => first = Some(file.to_string()),
            (Some(file), Some(f)) if file != f => break s,
            _ => {}
        }
        if let Ok(Some(exit)) = player.child.try_wait() {
            panic!("the player stopped ({exit}):\n{}", log());
        }
        assert!(start.elapsed() < PATIENCE, "timed out waiting for a second slide; status: {s}\n{}", log());
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(matches!(player.child.try_wait(), Ok(None)), "still running after a slide change:\n{}", log());
    // The first screenshot comes a few seconds after the first slide: wait for the status to
    // name it.
    let shot = loop {
        let s: serde_json::Value = std::fs::read_to_string(&status)
            .ok()
            .and_then(|t| serde_json::from_str(&t).ok())
            .unwrap_or_default();
        if s["screenshot"]["file"].is_string() {
            break s;
        }
        assert!(start.elapsed() < PATIENCE, "timed out waiting for the screenshot; status: {s}\n{}", log());
        std::thread::sleep(Duration::from_millis(100));
    };
    drop(player);
    assert_eq!(s["playlist"], "default");
    assert!(s["current"]["file"].as_str().unwrap().starts_with("default/"), "{s}");
    assert_eq!(s["items"].as_array().unwrap().len(), 5);
    assert_eq!(s["items"][4], "default/05 bouncing ball.webm", "{s}");
    a_screenshot_of_the_screen(&shot, &dir.path().join("shot.jpg"));
}

/// The screenshot the status file names: 480 pixels wide for the 1280x720 screen, a slide
/// above a ticker strip of another colour (a rendered frame, not a blank one).
fn a_screenshot_of_the_screen(status: &serde_json::Value, path: &Path) {
    assert_eq!(status["screenshot"]["file"].as_str(), Some(path.to_str().unwrap()), "{status}");
    assert!(status["screenshot"]["taken"].is_string(), "{status}");
    let shot = image::open(path).expect("a JPEG").into_rgb8();
    assert_eq!(shot.dimensions(), (480, 270));
    let mean = |y0: u32, y1: u32| {
        let px: Vec<[u8; 3]> = (y0..y1)
            .flat_map(|y| (0..300).map(move |x| (x, y)))
            .map(|(x, y)| shot.get_pixel(x, y).0)
            .collect();
        px.iter().map(|p| p.iter().map(|&c| c as u32).sum::<u32>()).sum::<u32>() / px.len() as u32
    };
    let (slide, ticker) = (mean(100, 160), mean(262, 270));
    assert!(slide > 60, "the slide is not black: {slide}");
    assert!(slide.abs_diff(ticker) > 30, "slide {slide} and ticker {ticker} differ");
}

/// For each column of the ticker strip (rows `y0..y1`), how many pixels are bright (text).
fn ink_profile(img: &image::RgbImage, y0: u32, y1: u32) -> Vec<i32> {
    (0..img.width())
        .map(|x| (y0..y1).filter(|&y| px(img, x, y).iter().all(|&c| c > 150)).count() as i32)
        .collect()
}

/// The leftward shift (in pixels) that best lines up `later` with `earlier`.
fn best_shift(earlier: &[i32], later: &[i32], max: usize) -> usize {
    (0..max)
        .min_by_key(|&d| (0..later.len() - max).map(|x| (earlier[x + d] - later[x]).abs()).sum::<i32>())
        .unwrap()
}

/// The widths of the texts seen whole in a strip's [`ink_profile`]: stretches of ink whose gaps
/// are narrower than the spaces around a separator (a text's own word spaces are narrower), left
/// out where they may run on past the strip's edges.
fn text_widths(profile: &[i32]) -> Vec<usize> {
    const GAP: usize = 10;
    let mut widths = Vec::new();
    let mut stretch: Option<(usize, usize)> = None;
    for (x, _) in profile.iter().enumerate().filter(|(_, ink)| **ink > 0) {
        stretch = match stretch {
            Some((start, _)) if x - stretch.map_or(0, |s| s.1) < GAP => Some((start, x)),
            Some((start, end)) => {
                if start >= GAP {
                    widths.push(end + 1 - start);
                }
                Some((x, x))
            }
            None => Some((x, x)),
        };
    }
    if let Some((start, end)) = stretch
        && start >= GAP
        && end + GAP < profile.len()
    {
        widths.push(end + 1 - start);
    }
    widths
}

/// 48 frames of the ticker, 0.25 s of show time apart (Bevy's longest step), saved as `name`-NNN.png beside `cfg`.
fn ticker_frames(cfg: &Path, content: &Path, name: &str) -> Vec<image::RgbImage> {
    let dir = cfg.parent().unwrap();
    let shot = dir.join(format!("{name}.png"));
    let args = ["--size", "640x360", "--out", shot.to_str().unwrap(), "--frames", "48", "--step", "250ms"];
    snapshot(cfg, content, &args);
    (0..48).map(|i| load(&dir.join(format!("{name}-{i:03}.png")))).collect()
}

#[test]
fn render_ticker_scrolls_at_its_speed_and_hides_when_empty() {
    let dir = tempfile::tempdir().unwrap();
    let content = dir.path().join("content");
    std::fs::create_dir_all(content.join("default")).unwrap();
    write_solid(&content.join("default/green.png"), 160, 90, [0, 160, 0]);
    std::fs::write(
        content.join("news.xml"),
        rss(&["Sports day moved to Friday 🏃", "Choir sings at the town hall"]),
    )
    .unwrap();
    std::fs::write(
        content.join("ticker.toml"),
        "[ticker]\nspeed = 200\n[[feed]]\nurl = \"news.xml\"\nlabel = \"News\"\n[[feed]]\nurl = \"http://127.0.0.1:9/never\"\nlabel = \"Down\"\n[[message]]\ntext = \"Book fair on Friday\"\n",
    )
    .unwrap();
    let cfg = write_config(
        dir.path(),
        "[display]\nbackground = \"#000000\"\n[layout]\nwidgets = false\nticker_height = 0.1\n",
    );
    // 48 frames 0.25 s apart: the strip moves on by 50 px a frame, 2,350 px in all, so every text
    // of the loop (about 640 px round, its next round laid out up to 960 px ahead) shows whole.
    let frames = ticker_frames(&cfg, &content, "tick");
    // The strip is the bottom 36 rows; the stage above it shows the slide.
    let stage = px(&frames[0], 320, 150);
    assert!(near(stage, [0, 160, 0], 12), "slide on the stage: {stage:?}");
    let profiles: Vec<Vec<i32>> = frames.iter().map(|f| ink_profile(f, 326, 360)).collect();
    for (i, p) in profiles.iter().enumerate() {
        let ink: i32 = p.iter().sum();
        let columns = p.iter().filter(|&&c| c > 0).count();
        assert!(
            ink > 400 && columns > 250,
            "frame {i}: ticker text across the strip ({ink} px, {columns} columns)"
        );
    }
    // 200 px/s for 0.25 s between frames: 50 px to the left each time.
    for i in 0..profiles.len() - 1 {
        let d = best_shift(&profiles[i], &profiles[i + 1], 120);
        assert!((48..=52).contains(&d), "frame {i} to {}: moved {d} px, expected 50", i + 1);
    }
    // Nothing above the strip moved.
    let above: Vec<i32> = ink_profile(&frames[0], 0, 320);
    assert_eq!(above, ink_profile(&frames[frames.len() - 1], 0, 320));
    // No error text for the feed that is down: the strip shows exactly the texts it shows when
    // that feed is not listed at all. Compared by the widths of the texts seen whole (one text:
    // ink with gaps no wider than a word space); an error line would be a text of a width the
    // strip without the feed never shows, and fail here.
    std::fs::write(
        content.join("ticker.toml"),
        "[ticker]\nspeed = 200\n[[feed]]\nurl = \"news.xml\"\nlabel = \"News\"\n[[message]]\ntext = \"Book fair on Friday\"\n",
    )
    .unwrap();
    let without = ticker_frames(&cfg, &content, "without");
    let texts = |frames: &[image::RgbImage]| -> Vec<usize> {
        let mut widths: Vec<usize> =
            frames.iter().flat_map(|f| text_widths(&ink_profile(f, 326, 360))).collect();
        widths.sort();
        widths.dedup();
        widths
    };
    let (shown, expected) = (texts(&frames), texts(&without));
    let whole_texts = expected.iter().filter(|w| **w > 20).count();
    assert!(whole_texts >= 3, "the strip's three texts seen whole (and its separators): {expected:?}");
    // A text is drawn at fractions of a pixel: the same text may come out a pixel wider or narrower.
    let alike = |a: &[usize], b: &[usize]| a.iter().all(|w| b.iter().any(|v| w.abs_diff(*v) <= 1));
    assert!(
        alike(&shown, &expected) && alike(&expected, &shown),
        "the texts on the strip (widths in px) with the feed that is down: {shown:?}, without it: {expected:?}"
    );

    // Without ticker.toml the strip hides and the slide takes the whole height.
    std::fs::remove_file(content.join("ticker.toml")).unwrap();
    let plain = dir.path().join("plain.png");
    snapshot(&cfg, &content, &["--size", "640x360", "--out", plain.to_str().unwrap()]);
    let img = load(&plain);
    let bottom = px(&img, 320, 355);
    assert!(near(bottom, [0, 160, 0], 12), "the slide reaches the bottom: {bottom:?}");
}

#[test]
fn live_ticker_feeds_reach_the_status_file_and_ticker_toml_changes_follow() {
    let dir = tempfile::tempdir().unwrap();
    let content = dir.path().join("content");
    std::fs::create_dir_all(content.join("default")).unwrap();
    write_solid(&content.join("default/a.png"), 16, 9, [9, 9, 9]);
    std::fs::write(content.join("news.xml"), rss(&["Choir at the town hall", "Sports day on Friday"]))
        .unwrap();
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    std::fs::write(
        content.join("ticker.toml"),
        format!(
            "[[feed]]\nurl = \"news.xml\"\nlabel = \"News\"\n[[feed]]\nurl = \"http://{closed}/feed\"\nlabel = \"Year 3\"\n"
        ),
    )
    .unwrap();
    let state = dir.path().join("state");
    let mut live = Live::new(dir.path(), &content, |c| c.state_folder = Some(state.clone()));
    let feeds = |l: &Live| l.status()["feeds"].as_array().cloned().unwrap_or_default();
    live.until(
        "both feeds in the status file",
        |l| feeds(l).len() == 2 && !feeds(l)[1]["error"].is_null(),
        |_| {},
    );
    let f = feeds(&live);
    assert_eq!(f[0]["label"], "News");
    assert_eq!(f[0]["ok"], true);
    assert_eq!(f[0]["headlines"], 2);
    assert!(f[0]["last_success"].is_string());
    assert_eq!(f[1]["label"], "Year 3");
    assert_eq!(f[1]["ok"], false);
    assert!(f[1]["error"].as_str().unwrap().contains("cannot connect"), "{f:?}");
    // The good feed's copy is kept in the state folder.
    assert_eq!(std::fs::read_dir(state.join("feeds")).unwrap().count(), 1);

    // ticker.toml saved with a mistake: the last good ticker stays; fixed: the new one is used.
    std::fs::write(content.join("ticker.toml"), "[[feed]\nurl = ").unwrap();
    live.until(
        "the mistake reported",
        |l| l.status()["problems"].to_string().contains("ticker.toml"),
        |_| {},
    );
    assert_eq!(feeds(&live).len(), 2);
    std::fs::write(content.join("ticker.toml"), "[[feed]]\nurl = \"news.xml\"\nlabel = \"School news\"\n")
        .unwrap();
    live.until(
        "the new ticker.toml followed",
        |l| feeds(l).len() == 1 && feeds(l)[0]["label"] == "School news",
        |_| {},
    );
}

// ---- Video slides: clips made by GStreamer with known colours ----

/// The root entity of slide `id`, while it is held.
fn slide_root(app: &mut App, id: u64) -> Option<Entity> {
    app.world_mut()
        .query::<(Entity, &SlideRoot)>()
        .iter(app.world())
        .find(|(_, r)| r.id == id)
        .map(|(e, _)| e)
}

/// The centre pixel of the picture of slide `id`: a video's frame on screen, or an image's data.
fn slide_centre(app: &mut App, id: u64) -> Option<[u8; 3]> {
    let root = slide_root(app, id)?;
    if let Some(c) = corridor::screen::shown_centre(app.world(), root) {
        return Some(c);
    }
    let children: Vec<Entity> = app.world().get::<Children>(root)?.iter().collect();
    let handle = children.iter().find_map(|c| app.world().get::<ImageNode>(*c).map(|i| i.image.clone()))?;
    let images = app.world().resource::<Assets<Image>>();
    let image = images.get(&handle)?;
    let (w, h) =
        (image.texture_descriptor.size.width as usize, image.texture_descriptor.size.height as usize);
    let data = image.data.as_ref()?;
    let i = ((h / 2) * w + w / 2) * 4;
    Some([data[i], data[i + 1], data[i + 2]])
}

/// True when a frame that moves show time on shows what show time says, however fast this
/// machine is: if the slide on screen has its time up by the end of that frame, the next slide is
/// prepared (asked for, decoded and on the stage, hidden); and, with `films`, the film on screen
/// has its next picture decoded ([`film_ready`]).
fn ready_to_step(app: &mut App, films: bool) -> bool {
    let step = match app.world().resource::<TimeUpdateStrategy>() {
        TimeUpdateStrategy::ManualDuration(step) => *step,
        _ => Duration::ZERO,
    };
    let Some(show) = app.world().resource::<StageState>().show.as_ref() else { return true };
    let time_up = show.current().is_some_and(|i| show.shown_for() + step >= i.duration)
        && show.transition_progress().is_none();
    let (pending, current) = (show.pending_id(), show.current_id().filter(|_| films));
    if time_up && pending.and_then(|id| slide_root(app, id)).is_none() {
        return false;
    }
    let Some(id) = current else { return true };
    slide_root(app, id).is_none_or(|root| film_ready(app.world(), root))
}

/// Runs one frame that moves show time on by the app's step, once [`ready_to_step`]. Until then
/// frames run with the show's clock held (as `corridor snapshot` holds it), so that what each
/// counted frame shows depends on show time alone, not on the wall clock. Fails after
/// [`PATIENCE`].
fn step_when_ready(app: &mut App, films: bool) {
    let start = Instant::now();
    while !ready_to_step(app, films) {
        assert!(
            start.elapsed() < PATIENCE,
            "timed out after {PATIENCE:?} waiting for the next slide or picture"
        );
        app.world_mut().resource_mut::<Time<Virtual>>().pause();
        app.update();
        std::thread::sleep(Duration::from_millis(1));
    }
    app.world_mut().resource_mut::<Time<Virtual>>().unpause();
    app.update();
}

/// How the frames of a film test follow each other.
#[derive(Clone, Copy)]
enum Pace {
    /// Each frame waits for the film's next picture and the next slide ([`step_when_ready`]).
    ShowTime,
    /// For a film that keeps time with its sound (on the real clock): frames at least this far
    /// apart in real time; slide changes still wait for the next slide.
    RealTime(Duration),
}

/// Plays `content` (cut transitions, slides of `slide_time`) headless, `step` of show time a
/// frame, paced by `pace`, and names the colour at the centre of the slide on screen in each of
/// the first `frames` frames that show one, with the moment it was seen.
fn centre_colours(
    content: PathBuf,
    slide_time: Duration,
    frames: usize,
    (step, pace): (Duration, Pace),
) -> Vec<(char, Instant)> {
    let mut config = Config { content, ..Config::default() };
    config.slides.default_duration = slide_time;
    config.slides.transition = corridor::core::config::Transition::Cut;
    let mut app = headless_app_with(config, monday(9, 0, 0));
    app.insert_resource(TimeUpdateStrategy::ManualDuration(step));
    let mut seen = Vec::new();
    let start = Instant::now();
    while seen.len() < frames {
        assert!(start.elapsed() < 3 * PATIENCE, "timed out: {}", colours(&seen));
        match pace {
            Pace::ShowTime => step_when_ready(&mut app, true),
            Pace::RealTime(pause) => {
                std::thread::sleep(pause);
                step_when_ready(&mut app, false);
            }
        }
        let Some(id) = app.world().resource::<StageState>().show.as_ref().and_then(|s| s.current_id()) else {
            std::thread::sleep(Duration::from_millis(5));
            continue;
        };
        seen.push((slide_centre(&mut app, id).map_or('-', colour_name), Instant::now()));
    }
    seen
}

/// The colours of [`centre_colours`], one letter a frame.
fn colours(seen: &[(char, Instant)]) -> String {
    seen.iter().map(|(c, _)| *c).collect()
}

/// Runs of the same colour: (colour, frames).
fn runs_of(seen: &str) -> Vec<(char, usize)> {
    let mut runs: Vec<(char, usize)> = Vec::new();
    for c in seen.chars() {
        match runs.last_mut() {
            Some((rc, k)) if *rc == c => *k += 1,
            _ => runs.push((c, 1)),
        }
    }
    runs
}

#[test]
fn headless_videos_play_for_their_length_frame_by_frame_and_bad_ones_are_skipped() {
    let (_dir, content, pl) = content_folder();
    make_clip(&pl.join("1 film.webm"), &["red", "blue"]);
    make_clip(&pl.join("2 film.mp4"), &["green"]);
    write_solid(&pl.join("3 still.png"), 160, 90, [255, 255, 255]);
    std::fs::write(pl.join("4 empty.mp4"), b"").unwrap();
    let whole = std::fs::read(pl.join("2 film.mp4")).unwrap();
    std::fs::write(pl.join("5 truncated.mp4"), &whole[..whole.len() / 2]).unwrap();
    std::fs::write(pl.join("6 webpage.mp4"), b"<html><body>Log in</body></html>").unwrap();
    gst_launch(&format!(
        "audiotestsrc num-buffers=50 ! audioconvert ! vorbisenc ! webmmux ! filesink location=\"{}\"",
        pl.join("7 sound only.webm").display()
    ));
    let mut config = Config { content: content.clone(), ..Config::default() };
    config.slides.default_duration = Duration::from_secs(1);
    config.slides.transition = corridor::core::config::Transition::Cut;
    let mut app = headless_app_with(config, monday(9, 0, 0));
    app.insert_resource(TimeUpdateStrategy::ManualDuration(Duration::from_millis(40)));
    // (slide, colour at this frame) for 6 s of show time.
    // Each frame waits for the film's next picture and the next slide: frames count show time.
    let mut seen: Vec<(String, char)> = Vec::new();
    let start = Instant::now();
    while seen.len() < 150 {
        assert!(start.elapsed() < 3 * PATIENCE, "timed out: {seen:?}");
        step_when_ready(&mut app, true);
        let Some(name) = current_name(&app) else {
            std::thread::sleep(Duration::from_millis(5));
            continue;
        };
        let id = app.world().resource::<StageState>().show.as_ref().unwrap().current_id().unwrap();
        let colour = slide_centre(&mut app, id).map_or('-', colour_name);
        seen.push((name, colour));
    }
    // Runs of (slide, colour): the film is red for 1 s then blue for 1 s, then the next film.
    let mut runs: Vec<(String, char, usize)> = Vec::new();
    for (name, c) in &seen {
        match runs.last_mut() {
            Some((n, rc, k)) if n == name && rc == c => *k += 1,
            _ => runs.push((name.clone(), *c, 1)),
        }
    }
    let summary: Vec<String> = runs.iter().map(|(n, c, k)| format!("{n}:{c}x{k}")).collect();
    let names: Vec<&str> = runs.iter().map(|(n, _, _)| n.as_str()).collect();
    assert!(
        names.iter().all(|n| ["1 film.webm", "2 film.mp4", "3 still.png"].contains(n)),
        "bad files never show: {summary:?}"
    );
    assert!(
        !runs.iter().any(|(_, c, _)| *c == '?' || *c == '-'),
        "every frame has a known colour: {summary:?}"
    );
    // The first loop: red 1 s (25 frames of 40 ms), blue 1 s, green 1 s, white 1 s.
    let first: Vec<(&str, char)> = runs.iter().take(4).map(|(n, c, _)| (n.as_str(), *c)).collect();
    assert_eq!(
        first,
        [("1 film.webm", 'R'), ("1 film.webm", 'B'), ("2 film.mp4", 'G'), ("3 still.png", 'W')],
        "{summary:?}"
    );
    for (n, c, k) in runs.iter().take(3) {
        assert!((24..=26).contains(k), "{n} {c}: {k} frames of 40 ms, expected 25 ({summary:?})");
    }
}

#[test]
fn render_video_to_video_shows_no_blank_frame() {
    let dir = tempfile::tempdir().unwrap();
    let content = dir.path().join("content");
    std::fs::create_dir_all(content.join("default")).unwrap();
    make_clip(&content.join("default/1 red.webm"), &["red"]);
    make_clip(&content.join("default/2 blue.mp4"), &["blue"]);
    let cfg = write_config(
        dir.path(),
        "[display]\nbackground = \"#000000\"\n[slides]\ntransition = \"cut\"\n[layout]\nticker = false\nwidgets = false\n",
    );
    let mut kinds = String::new();
    for c in frame_centres(&cfg, &content, None, 30) {
        kinds.push(match c {
            [r, g, b] if r > 200 && g < 60 && b < 60 => 'R',
            [r, g, b] if b > 200 && r < 60 && g < 60 => 'B',
            _ => '?',
        });
    }
    assert!(!kinds.contains('?'), "every frame shows a video, never a blank: {kinds}");
    // 3 s of show time hold both boundaries (a snapshot's clock waits for a slide still being
    // prepared, as the player's slide would stay on screen meanwhile).
    assert!(kinds.contains("RB") && kinds.contains("BR"), "red film, blue film, red again: {kinds}");
}

#[test]
fn render_snapshot_at_a_moment_shows_that_frame_of_the_film() {
    let dir = tempfile::tempdir().unwrap();
    let content = dir.path().join("content");
    std::fs::create_dir_all(content.join("default")).unwrap();
    // The default playlist starts at midnight: the film (red, blue, green: 3 s), then the photo.
    make_clip(&content.join("default/1 film.webm"), &["red", "blue", "green"]);
    write_solid(&content.join("default/2 still.png"), 160, 90, [255, 255, 255]);
    let cfg = write_config(
        dir.path(),
        "[display]\nbackground = \"#000000\"\n[slides]\ntransition = \"cut\"\n[layout]\nticker = false\nwidgets = false\n",
    );
    let moments = [
        ("2027-01-04 00:00:00.5", [255, 0, 0]),
        ("2027-01-04 00:00:01.5", [0, 0, 255]),
        ("2027-01-04 00:00:02.5", [0, 255, 0]),
        ("2027-01-04 00:00:05", [255, 255, 255]),
    ];
    // Listed for 10 s, the film plays three and a bit rounds: 7.5 s is 1.5 s into the third.
    let looped = [("2027-01-04 00:00:07.5", [0, 0, 255]), ("2027-01-04 00:00:08.5", [0, 255, 0])];
    for (i, (at, want)) in moments.into_iter().chain(looped).enumerate() {
        if i == 4 {
            std::fs::write(
                content.join("default/playlist.toml"),
                "[[item]]\nfile = \"1 film.webm\"\nduration = \"10s\"\n",
            )
            .unwrap();
        }
        let shot = dir.path().join("at.png");
        let out =
            snapshot(&cfg, &content, &["--at", at, "--size", "320x180", "--out", shot.to_str().unwrap()]);
        let c = px(&load(&shot), 160, 90);
        assert!(near(c, want, 40), "at {at}: {c:?}, want {want:?}\n{}", String::from_utf8_lossy(&out.stderr));
    }
}

#[test]
fn render_cover_video_fills_the_stage() {
    let dir = tempfile::tempdir().unwrap();
    let content = dir.path().join("content");
    std::fs::create_dir_all(content.join("default")).unwrap();
    // A 4:3 film on a 16:9 stage: "contain" leaves bars at the sides, "cover" fills them.
    make_clip_sized(&content.join("default/film.webm"), "red", 120, 90);
    for (fit, edge_red) in [("contain", false), ("cover", true)] {
        let cfg = write_config(
            dir.path(),
            &format!(
                "[display]\nbackground = \"#000000\"\n[slides]\nfit = \"{fit}\"\n[layout]\nticker = false\nwidgets = false\n"
            ),
        );
        let shot = dir.path().join(format!("{fit}.png"));
        snapshot(&cfg, &content, &["--size", "320x180", "--out", shot.to_str().unwrap()]);
        let img = load(&shot);
        assert!(near(px(&img, 160, 90), [255, 0, 0], 40), "{fit}: the film shows");
        let edge = px(&img, 5, 90);
        assert_eq!(near(edge, [255, 0, 0], 40), edge_red, "{fit}: left edge {edge:?}");
    }
}

#[test]
fn headless_film_with_sound_plays_frame_by_frame_once_on_screen() {
    let (_dir, content, pl) = content_folder();
    write_solid(&pl.join("1 still.png"), 160, 90, [255, 255, 255]);
    make_clip_with_sound(&pl.join("2 story.webm"), &["red", "blue"]);
    std::fs::write(pl.join("playlist.toml"), "sound = true\n").unwrap();
    // The show's clock runs at half real time or slower here (20 ms of show time a frame, frames
    // at least 40 ms apart). The film keeps time with its sound, on the real clock: each colour
    // lasts 1 s of real time (2 s or more, and 50 frames, if it followed the show's clock).
    let pace = (Duration::from_millis(20), Pace::RealTime(Duration::from_millis(40)));
    let seen = centre_colours(content, Duration::from_secs(1), 200, pace);
    let runs = runs_of(&colours(&seen));
    let kinds: String = runs.iter().map(|(c, _)| *c).take(4).collect();
    assert_eq!(kinds, "WRBW", "white 1 s, then the film from its start, then white: {runs:?}");
    let red = seen[runs[0].1 + runs[1].1].1 - seen[runs[0].1].1;
    let real = Duration::from_millis(800)..=Duration::from_millis(1800);
    assert!(real.contains(&red), "red for 1 s of real time: {red:?} ({runs:?})");
    assert!(runs[1].1 <= 45, "red for less than 1 s of show time (50 frames): {runs:?}");
    // The slide lasts the film's length in show time (2 s, 100 frames); the film's last picture
    // stays meanwhile.
    assert!((99..=101).contains(&(runs[1].1 + runs[2].1)), "{runs:?}");
}

#[test]
fn headless_animated_gif_plays_its_frames_for_the_slides_time() {
    use image::codecs::gif::{GifEncoder, Repeat};
    let (_dir, content, pl) = content_folder();
    let mut bytes = Vec::new();
    {
        let mut enc = GifEncoder::new_with_speed(&mut bytes, 30);
        enc.set_repeat(Repeat::Infinite).unwrap();
        for c in [[255, 0, 0], [0, 255, 0], [0, 0, 255]] {
            let img = image::RgbaImage::from_pixel(32, 18, image::Rgba([c[0], c[1], c[2], 255]));
            enc.encode_frame(image::Frame::from_parts(img, 0, 0, image::Delay::from_numer_denom_ms(200, 1)))
                .unwrap();
        }
    }
    std::fs::write(pl.join("1 dance.gif"), &bytes).unwrap();
    write_solid(&pl.join("2 still.png"), 160, 90, [255, 255, 255]);
    let seen = colours(&centre_colours(
        content,
        Duration::from_millis(1200),
        40,
        (Duration::from_millis(40), Pace::ShowTime),
    ));
    // 200 ms a frame (5 frames of 40 ms), twice round in 1.2 s, then the photo.
    assert!(seen.starts_with("RRRRRGGGGGBBBBBRRRRRGGGGGBBBBBW"), "{seen}");
}

#[test]
fn headless_film_shorter_than_its_slide_plays_again_from_the_start() {
    let (_dir, content, pl) = content_folder();
    // An MP4 from x264 (B-frames; its first frame stamped 1 s in) and a WebM, each listed for
    // longer than they last.
    make_clip(&pl.join("1 advert.mp4"), &["red", "blue"]);
    make_clip(&pl.join("2 advert.webm"), &["green", "white"]);
    std::fs::write(
        pl.join("playlist.toml"),
        "[[item]]\nfile = \"1 advert.mp4\"\nduration = \"5s\"\n[[item]]\nfile = \"2 advert.webm\"\nduration = \"5s\"\n",
    )
    .unwrap();
    let pace = (Duration::from_millis(40), Pace::ShowTime);
    let runs = runs_of(&colours(&centre_colours(content, Duration::from_secs(1), 250, pace)));
    // Whole seconds of 25 frames, each slide cut at 5 s, in the third round: rounds do not drift.
    let kinds: String = runs.iter().map(|(c, _)| *c).collect();
    assert!(kinds.starts_with("RBRBRGWGWG"), "each film plays again from its start: {runs:?}");
    for (c, k) in &runs[..9] {
        assert!((24..=26).contains(k), "{c}: {k} frames of 40 ms, expected 25 ({runs:?})");
    }
}

#[test]
fn render_crossfade_from_a_photo_into_a_film_never_darkens() {
    let dir = tempfile::tempdir().unwrap();
    let content = dir.path().join("content");
    std::fs::create_dir_all(content.join("default")).unwrap();
    write_solid(&content.join("default/1 white.png"), 160, 90, [255, 255, 255]);
    make_clip(&content.join("default/2 red.webm"), &["red", "red"]);
    let cfg = write_config(
        dir.path(),
        "[display]\nbackground = \"#000000\"\n[slides]\ndefault_duration = \"1s\"\ntransition = \"crossfade\"\ntransition_time = \"1s\"\n[layout]\nticker = false\nwidgets = false\n",
    );
    let mut greens = Vec::new();
    for (i, c) in frame_centres(&cfg, &content, Some("2027-01-04 00:00"), 24).into_iter().enumerate() {
        assert!(c[0] > 200, "frame {i}: red stays full all through, never dark: {c:?}");
        greens.push(c[1]);
    }
    // White (green 255) fades into the film (green 0) through the shades between, then the film.
    assert!(greens[0] > 240 && greens[22] < 20, "{greens:?}");
    assert!(greens.iter().any(|g| (60..=200).contains(g)), "a frame half-way through the fade: {greens:?}");
}

// ---- Kiosk: systemd's watchdog, journal-friendly logs, clear exits ----

/// `corridor run` (with `extra` arguments) on the sample content with settings `cfg`, on the X
/// server `x`; standard output goes nowhere.
fn corridor_on(x: &BareX, dir: &Path, cfg: &Path, extra: &[&str]) -> std::process::Command {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_corridor"));
    cmd.arg("run")
        .args(extra)
        .args(["--content", "playlists", "--config"])
        .arg(cfg)
        .env("DISPLAY", &x.display)
        .env_remove("WAYLAND_DISPLAY")
        .env("XDG_RUNTIME_DIR", dir)
        .stdout(std::process::Stdio::null());
    cmd
}

/// `corridor run` on the sample content on an X server of its own (started without `env`: an
/// X server told of NOTIFY_SOCKET says READY=1 itself) with `env`, standard error piped.
fn run_player(dir: &Path, env: &[(&str, &str)]) -> (BareX, std::process::Child) {
    let x = BareX::start("1280x720");
    let cfg = write_config(
        dir,
        "play_log = \"off\"\nmetrics_file = \"metrics.prom\"\n[slides]\ndefault_duration = \"1s\"\n",
    );
    let mut cmd = corridor_on(&x, dir, &cfg, &["--windowed"]);
    cmd.env("XDG_STATE_HOME", dir).stderr(std::process::Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let child = cmd.spawn().expect("corridor runs");
    (x, child)
}

/// Stops the player started by `run_player` and returns what it wrote on standard error.
fn stop(child: &mut std::process::Child) -> String {
    let _ = child.kill();
    let _ = child.wait();
    let mut text = String::new();
    if let Some(mut err) = child.stderr.take() {
        let _ = std::io::Read::read_to_string(&mut err, &mut text);
    }
    text
}

#[test]
fn kiosk_watchdog_hears_of_presented_frames_only_and_logs_are_plain() {
    let _heavy = cpu_heavy();
    let dir = tempfile::tempdir().unwrap();
    let socket_path = dir.path().join("notify.sock");
    let socket = std::os::unix::net::UnixDatagram::bind(&socket_path).unwrap();
    socket.set_read_timeout(Some(Duration::from_millis(200))).unwrap();
    // Watchdog period 2 s: a ping every 0.5 s while frames are presented. The present path
    // freezes 3 s after the first slide went on screen (the test hook); every other thread runs on.
    let (_x, mut child) = run_player(
        dir.path(),
        &[
            ("NOTIFY_SOCKET", socket_path.to_str().unwrap()),
            ("WATCHDOG_USEC", "2000000"),
            ("CORRIDOR_TEST_FREEZE_AFTER", "3"),
        ],
    );
    let start = Instant::now();
    let mut got: Vec<(Duration, String)> = Vec::new();
    let mut buf = [0u8; 512];
    // Read until the pings have stopped for 3 s after at least three of them (or 90 s).
    loop {
        assert!(start.elapsed() < Duration::from_secs(90), "timed out; heard: {got:?}");
        if let Ok(n) = socket.recv(&mut buf) {
            got.push((start.elapsed(), String::from_utf8_lossy(&buf[..n]).into_owned()));
        }
        let pings: Vec<Duration> = got.iter().filter(|(_, m)| m == "WATCHDOG=1").map(|(t, _)| *t).collect();
        if pings.len() >= 3 && pings.last().is_some_and(|t| start.elapsed() - *t > Duration::from_secs(3)) {
            break;
        }
    }
    let still_running = child.try_wait().unwrap().is_none();
    let log = stop(&mut child);
    let words: Vec<&str> = got.iter().map(|(_, m)| m.as_str()).collect();
    assert_eq!(words.first(), Some(&"READY=1"), "READY=1 first: {got:?}");
    assert_eq!(words.iter().filter(|m| **m == "READY=1").count(), 1, "READY=1 once: {got:?}");
    let shown = got
        .iter()
        .find(|(_, m)| m.starts_with("STATUS=showing default: default/"))
        .unwrap_or_else(|| panic!("STATUS names the slide: {got:?}"))
        .0;
    let pings: Vec<Duration> = got.iter().filter(|(_, m)| m == "WATCHDOG=1").map(|(t, _)| *t).collect();
    let last = *pings.last().unwrap();
    assert!(
        last >= shown + Duration::from_millis(2500),
        "pings went on while frames were drawn (slide at {shown:?}, last ping at {last:?})"
    );
    assert!(pings.windows(2).all(|w| w[1] - w[0] < Duration::from_millis(1500)), "steady pings: {pings:?}");
    assert!(still_running, "the player was still running (only its present path froze)");
    assert!(log.contains("the present path is frozen"), "{log}");
    assert!(!log.contains('\u{1b}'), "no colour codes in logs that go to a pipe:\n{log}");
    frozen_in_the_metrics(&dir.path().join("metrics.prom"), start.elapsed());
}

/// The metrics file of a player whose picture froze (at least 3 s before `ran` ended): valid
/// for Prometheus' own checker, frames counted, and the last frame's time left behind.
fn frozen_in_the_metrics(path: &Path, ran: Duration) {
    let text = std::fs::read_to_string(path).expect("the metrics file");
    let out = std::process::Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(std::fs::File::open(path).unwrap())
        .output()
        .expect("promtool (Debian package prometheus)");
    assert!(out.status.success(), "{}{}\n{text}", stdout(&out), String::from_utf8_lossy(&out.stderr));
    let value = |name: &str| {
        text.lines().find(|l| l.starts_with(name)).and_then(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
    };
    assert_eq!(value("corridor_up{"), Some(1.0), "{text}");
    assert!(value("corridor_frames_presented_total{").is_some_and(|n| n >= 1.0), "{text}");
    let last = value("corridor_last_frame_timestamp_seconds{").expect("the last frame's time");
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs_f64();
    assert!(now - last >= 2.0 && now - last < ran.as_secs_f64(), "last frame {last}, now {now}: {text}");
}

#[test]
fn kiosk_no_display_and_no_vulkan_end_with_one_clear_line() {
    let dir = tempfile::tempdir().unwrap();
    let out = corridor()
        .args(["run", "--content", "playlists"])
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .env("XDG_RUNTIME_DIR", dir.path())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(4), "{err}");
    assert!(err.contains("corridor: cannot open the display"), "{err}");
    assert!(!err.contains("panicked"), "{err}");

    let x = BareX::start("640x360");
    let out = corridor()
        .args(["run", "--windowed", "--content", "playlists"])
        .env("DISPLAY", &x.display)
        .env_remove("WAYLAND_DISPLAY")
        .env("VK_ICD_FILENAMES", "/nonexistent/icd.json")
        .env("VK_DRIVER_FILES", "/nonexistent/icd.json")
        .env("XDG_RUNTIME_DIR", dir.path())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert!(
        err.contains(
            "corridor: no graphics driver with Vulkan was found; install the package mesa-vulkan-drivers"
        ),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
}

/// An X server of `size` on a free display number, with no window manager; stopped on drop.
struct BareX {
    display: String,
    server: std::process::Child,
}

impl BareX {
    /// Xvfb picks a free display number itself and says which (`-displayfd`), once it is ready.
    fn start(size: &str) -> BareX {
        let mut server = std::process::Command::new("Xvfb")
            .args(["-displayfd", "1", "-screen", "0", &format!("{size}x24"), "-nolisten", "tcp"])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("Xvfb runs (scripts/setup.sh installs it)");
        let mut out = std::io::BufReader::new(server.stdout.take().unwrap());
        let mut line = String::new();
        std::io::BufRead::read_line(&mut out, &mut line).expect("Xvfb says its display number");
        let n: u32 = line.trim().parse().unwrap_or_else(|_| panic!("Xvfb display number: {line:?}"));
        BareX { display: format!(":{n}"), server }
    }

    /// Runs an X client on this display and returns its standard output.
    fn client(&self, program: &str, args: &[&str]) -> Vec<u8> {
        let out = std::process::Command::new(program)
            .args(args)
            .env("DISPLAY", &self.display)
            .output()
            .unwrap_or_else(|e| panic!("{program}: {e} (scripts/setup.sh installs x11-utils and x11-apps)"));
        assert!(out.status.success(), "{program}: {}", String::from_utf8_lossy(&out.stderr));
        out.stdout
    }
}

impl Drop for BareX {
    fn drop(&mut self) {
        let _ = self.server.kill();
        let _ = self.server.wait();
    }
}

/// The pixels of an X window dump (`xwd -root`: 24-bit colour, 32 bits a pixel).
fn xwd_image(dump: &[u8]) -> image::RgbImage {
    let word = |i: usize| u32::from_be_bytes(dump[i * 4..i * 4 + 4].try_into().unwrap());
    let (header, width, height) = (word(0) as usize, word(4), word(5));
    let (byte_order, bits, line) = (word(7), word(11), word(12) as usize);
    assert_eq!(bits, 32, "32 bits a pixel");
    let pixels = header + word(19) as usize * 12;
    image::RgbImage::from_fn(width, height, |x, y| {
        let at = pixels + y as usize * line + x as usize * 4;
        let b: [u8; 4] = dump[at..at + 4].try_into().unwrap();
        let v = if byte_order == 0 { u32::from_le_bytes(b) } else { u32::from_be_bytes(b) };
        image::Rgb([(v >> 16) as u8, (v >> 8) as u8, v as u8])
    })
}

/// corridor on `x` with a notify socket, once a slide has gone on screen and four more frames (a
/// second) have been presented after it.
fn watched_player(x: &BareX, dir: &Path, cfg: &Path) -> std::process::Child {
    watched(corridor_on(x, dir, cfg, &[]), dir)
}

/// Starts `player` and waits until its first slide has been on screen for a few frames.
fn watched(mut player: std::process::Command, dir: &Path) -> std::process::Child {
    let socket_path = dir.join("notify.sock");
    let socket = std::os::unix::net::UnixDatagram::bind(&socket_path).unwrap();
    socket.set_read_timeout(Some(Duration::from_millis(200))).unwrap();
    let player = player
        .env("NOTIFY_SOCKET", &socket_path)
        .env("WATCHDOG_USEC", "1000000")
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let (start, mut buf, mut pings_after_slide) = (Instant::now(), [0u8; 512], None::<u32>);
    while pings_after_slide.is_none_or(|n| n < 4) {
        assert!(start.elapsed() < 2 * PATIENCE, "no slide on screen within {:?}", 2 * PATIENCE);
        let Ok(n) = socket.recv(&mut buf) else { continue };
        let m = String::from_utf8_lossy(&buf[..n]);
        if m.starts_with("STATUS=showing") {
            pings_after_slide.get_or_insert(0);
        } else if m == "WATCHDOG=1" {
            pings_after_slide = pings_after_slide.map(|k| k + 1);
        }
    }
    player
}

#[test]
fn kiosk_fills_an_x_screen_without_a_window_manager_edge_to_edge() {
    let _heavy = cpu_heavy();
    let dir = tempfile::tempdir().unwrap();
    let x = BareX::start("1920x1080");
    let cfg = write_config(dir.path(), "play_log = \"off\"\n");
    let mut player = watched_player(&x, dir.path(), &cfg);
    let tree = String::from_utf8_lossy(&x.client("xwininfo", &["-root", "-tree"])).into_owned();
    let shot = xwd_image(&x.client("xwd", &["-root", "-silent"]));
    let _ = player.kill();
    let _ = player.wait();
    let line = tree.lines().find(|l| l.contains("\"corridor")).unwrap_or_else(|| panic!("{tree}"));
    assert!(line.contains("1920x1080+0+0"), "the window covers the screen: {line}");
    let panel = [38, 46, 54];
    // The ticker strip along the bottom row, the widget column at the right edge.
    for (x, y, what) in [
        (5, 1079, "strip, left"),
        (960, 1079, "strip, middle"),
        (1919, 600, "column"),
        (1919, 5, "column top"),
    ] {
        assert!(near(px(&shot, x, y), panel, 6), "{what} at ({x},{y}): {:?}", px(&shot, x, y));
    }
    let stage = px(&shot, 700, 500);
    assert!(!near(stage, panel, 10) && !near(stage, [0, 0, 0], 10), "a slide on the stage: {stage:?}");
}

#[test]
fn kiosk_turned_screen_draws_the_portrait_layout_turned_clockwise() {
    let _heavy = cpu_heavy();
    let dir = tempfile::tempdir().unwrap();
    let x = BareX::start("640x360");
    let cfg = write_config(
        dir.path(),
        "play_log = \"off\"\n[display]\nrotation = 90\n[branding]\nname = \"Hawes Side\"\nheader = \"#1e3a8a\"\n",
    );
    let mut player = watched_player(&x, dir.path(), &cfg);
    let shot = xwd_image(&x.client("xwd", &["-root", "-silent"]));
    let _ = player.kill();
    let _ = player.wait();
    // Upright, the layout is 360x640: the header along the top, the ticker along the bottom.
    // Turned clockwise, the top is the output's right edge and the bottom its left edge.
    let (header, panel) = ([0x1e, 0x3a, 0x8a], [38, 46, 54]);
    for y in [50, 180, 310] {
        assert!(
            near(px(&shot, 636, y), header, 8),
            "header at the right edge, y {y}: {:?}",
            px(&shot, 636, y)
        );
        assert!(
            near(px(&shot, 3, y), panel, 8),
            "ticker strip at the left edge, y {y}: {:?}",
            px(&shot, 3, y)
        );
    }
    assert!(
        !near(px(&shot, 3, 3), header, 8) && !near(px(&shot, 320, 3), header, 8),
        "no header along the top"
    );
}

/// The geometry xwininfo gives corridor's window (`WxH+X+Y`), if it has one.
fn corridor_window(x: &BareX) -> Option<String> {
    let tree = String::from_utf8_lossy(&x.client("xwininfo", &["-root", "-tree"])).into_owned();
    let line = tree.lines().find(|l| l.contains("\"corridor"))?;
    line.split_whitespace().find(|w| w.contains('x') && w.contains('+')).map(String::from)
}

/// Waits (at most 60 s) until corridor's window has `geometry`.
fn wait_for_window(x: &BareX, geometry: &str) {
    let start = Instant::now();
    while corridor_window(x).as_deref() != Some(geometry) {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "window {:?}, want {geometry}",
            corridor_window(x)
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn kiosk_follows_its_output_when_another_appears_or_it_changes() {
    let _heavy = cpu_heavy();
    let dir = tempfile::tempdir().unwrap();
    let x = BareX::start("1920x1080");
    let cfg = write_config(dir.path(), "play_log = \"off\"\n[display]\noutput = \"TEST-1\"\n");
    let mut player =
        corridor_on(&x, dir.path(), &cfg, &[]).stderr(std::process::Stdio::null()).spawn().unwrap();
    // TEST-1 is not there yet: the primary output.
    wait_for_window(&x, "1920x1080+0+0");
    // The output it asks for appears (a monitor plugged in, as RandR reports it).
    x.client("xrandr", &["--setmonitor", "TEST-1", "1280/0x720/0+200+100", "none"]);
    wait_for_window(&x, "1280x720+200+100");
    // It lays out for the size it has now: the strip along the output's bottom row, the column
    // at its right edge (give the layout a few frames after the move).
    let panel = [38, 46, 54];
    let start = Instant::now();
    loop {
        let shot = xwd_image(&x.client("xwd", &["-root", "-silent"]));
        let edges = [px(&shot, 205, 819), px(&shot, 840, 819), px(&shot, 1479, 500)];
        if edges.iter().all(|p| near(*p, panel, 6)) {
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(30), "edges of the new output: {edges:?}");
        std::thread::sleep(Duration::from_millis(200));
    }
    let _ = player.kill();
    let _ = player.wait();
}

/// Runs `program` as the test's kiosk user when the test runs as root (cage refuses root), as
/// the test's own user otherwise. The user `corridor-test` is made on first use.
fn as_kiosk_user(program: &str) -> std::process::Command {
    // SAFETY: geteuid only reads the process's user id.
    if unsafe { libc::geteuid() } != 0 {
        return std::process::Command::new(program);
    }
    let exists =
        std::process::Command::new("id").arg("corridor-test").output().is_ok_and(|o| o.status.success());
    if !exists {
        let made = std::process::Command::new("useradd")
            .args(["--system", "--no-create-home", "--shell", "/usr/sbin/nologin", "corridor-test"])
            .status()
            .expect("useradd runs");
        assert!(made.success(), "could not make the user corridor-test");
    }
    let mut cmd = std::process::Command::new("runuser");
    cmd.args(["-u", "corridor-test", "--", program]);
    cmd
}

/// Stops a process started through runuser (and what it started) when the test ends.
struct StopOnDrop(std::process::Child);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        let _ = std::process::Command::new("pkill").args(["-TERM", "-P", &self.0.id().to_string()]).status();
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Hands `path` to the kiosk user (when the test runs as root).
fn give_to_kiosk_user(path: &Path) {
    // SAFETY: geteuid only reads the process's user id.
    if unsafe { libc::geteuid() } == 0 {
        let ok =
            std::process::Command::new("chown").args(["-R", "corridor-test"]).arg(path).status().unwrap();
        assert!(ok.success());
    }
}

#[test]
fn kiosk_under_cage_fills_the_output_from_the_first_frame() {
    let _heavy = cpu_heavy();
    let dir = tempfile::tempdir().unwrap();
    let runtime = dir.path().join("run");
    std::fs::create_dir(&runtime).unwrap();
    std::fs::set_permissions(&runtime, std::os::unix::fs::PermissionsExt::from_mode(0o700)).unwrap();
    let content = dir.path().join("content");
    std::fs::create_dir_all(content.join("default")).unwrap();
    write_solid(&content.join("default/a.png"), 320, 180, [200, 40, 40]);
    std::fs::write(content.join("ticker.toml"), "[[message]]\ntext = \"Welcome\"\n").unwrap();
    let cfg = write_config(dir.path(), "screen = \"Cage\"\nplay_log = \"off\"\n");
    give_to_kiosk_user(dir.path());
    let socket_path = runtime.join("notify.sock");
    let socket = std::os::unix::net::UnixDatagram::bind(&socket_path).unwrap();
    std::fs::set_permissions(&socket_path, std::os::unix::fs::PermissionsExt::from_mode(0o777)).unwrap();
    socket.set_read_timeout(Some(Duration::from_millis(200))).unwrap();
    let wayland = [
        ("XDG_RUNTIME_DIR", runtime.to_str().unwrap()),
        ("WLR_BACKENDS", "headless"),
        ("WLR_RENDERER", "pixman"),
        ("WLR_LIBINPUT_NO_DEVICES", "1"),
        ("WLR_HEADLESS_OUTPUTS", "1"),
    ];
    let mut cage = as_kiosk_user("env");
    cage.args(wayland.iter().map(|(k, v)| format!("{k}={v}")))
        .arg(format!("NOTIFY_SOCKET={}", socket_path.display()))
        .arg("WATCHDOG_USEC=1000000")
        .args(["cage", "--", env!("CARGO_BIN_EXE_corridor"), "run", "--config"])
        .arg(&cfg)
        .arg("--content")
        .arg(&content)
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    let cage = cage.spawn().expect("cage runs (scripts/setup.sh installs it)");
    let _stop = StopOnDrop(cage);
    // READY=1: corridor has presented its first frame. The compositor shows it a little later:
    // take the screen until it shows anything but black, and look at that first picture (before
    // the fix, corridor's window showed at 800x600 in a corner for its first seconds).
    let (start, mut buf) = (Instant::now(), [0u8; 512]);
    loop {
        assert!(start.elapsed() < Duration::from_secs(60), "no READY=1 from corridor under cage");
        if let Ok(n) = socket.recv(&mut buf)
            && &buf[..n] == b"READY=1"
        {
            break;
        }
    }
    let shot = dir.path().join("run/shot.png");
    let take = || {
        let grim = as_kiosk_user("env")
            .args(wayland.iter().map(|(k, v)| format!("{k}={v}")))
            .args(["WAYLAND_DISPLAY=wayland-0", "grim"])
            .arg(&shot)
            .status()
            .expect("grim runs");
        assert!(grim.success(), "grim took the screen");
        load(&shot)
    };
    let first = loop {
        assert!(start.elapsed() < Duration::from_secs(60), "cage never showed corridor's picture");
        let img = take();
        if img.pixels().any(|p| p.0 != [0, 0, 0]) {
            break img;
        }
    };
    // Then the layout, laid out for the output's size: the strip along its bottom row, the
    // widget column at its right edge.
    let panel = [38, 46, 54];
    let edges = [(5, 719), (640, 719), (1279, 400)];
    let laid_out = loop {
        assert!(start.elapsed() < Duration::from_secs(60), "the layout never showed under cage");
        let img = take();
        if edges.iter().all(|&(x, y)| near(px(&img, x, y), panel, 6)) {
            break img;
        }
    };
    assert_eq!(first.dimensions(), (1280, 720), "cage's headless output");
    // The first picture covers the whole output (a smaller window would leave cage's black).
    for (x, y) in [(0, 0), (1279, 0), (0, 719), (1279, 719), (640, 360)] {
        assert_ne!(px(&first, x, y), [0, 0, 0], "({x},{y}) of the first picture is not corridor's");
    }
    assert_eq!(laid_out.dimensions(), (1280, 720));
}

#[test]
fn kiosk_exits_when_its_display_goes_away() {
    let _heavy = cpu_heavy();
    let dir = tempfile::tempdir().unwrap();
    let socket_path = dir.path().join("notify.sock");
    let socket = std::os::unix::net::UnixDatagram::bind(&socket_path).unwrap();
    socket.set_read_timeout(Some(Duration::from_millis(200))).unwrap();
    let (x, mut child) = run_player(dir.path(), &[("NOTIFY_SOCKET", socket_path.to_str().unwrap())]);
    let (start, mut buf) = (Instant::now(), [0u8; 256]);
    loop {
        assert!(start.elapsed() < Duration::from_secs(60), "no READY=1");
        if let Ok(n) = socket.recv(&mut buf)
            && &buf[..n] == b"READY=1"
        {
            break;
        }
    }
    drop(x); // the X server goes (as when it is restarted)
    let gone = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(gone.elapsed() < Duration::from_secs(30), "corridor still runs 30 s after its display went");
        std::thread::sleep(Duration::from_millis(50));
    };
    let log = stop(&mut child);
    assert!(!status.success(), "a non-zero exit, so that systemd starts it again: {status:?}\n{log}");
    assert!(log.contains("X connection") || log.contains("display"), "{log}");
}

/// A red logo, twice as wide as high.
const LOGO_SVG: &str = r##"<svg xmlns="http://www.w3.org/2000/svg" width="200" height="100"><rect width="200" height="100" fill="#e11d48"/></svg>"##;

/// The header: its colour fills it, the logo's red is in it, the school's name lies inside it.
fn check_header(size: &str, img: &image::RgbImage, layout: &serde_json::Value) {
    let head = layout_rect(&layout["zones"]["header"]);
    let pixels: Vec<[u8; 3]> = (head.1 as u32 + 1..(head.1 + head.3) as u32 - 1)
        .flat_map(|y| (head.0 as u32..(head.0 + head.2) as u32).map(move |x| (x, y)))
        .map(|(x, y)| px(img, x, y))
        .collect();
    let share = |c: [u8; 3]| pixels.iter().filter(|p| near(**p, c, 12)).count() as f64 / pixels.len() as f64;
    assert!(
        share([0x1e, 0x3a, 0x8a]) > 0.5,
        "{size}: the header's colour fills it ({:.2})",
        share([0x1e, 0x3a, 0x8a])
    );
    assert!(
        share([0xe1, 0x1d, 0x48]) > 0.01,
        "{size}: the logo is in the header ({:.3})",
        share([0xe1, 0x1d, 0x48])
    );
    let name = layout["texts"].as_array().unwrap().iter().find(|t| t["text"] == "Hawes Side Academy");
    let name = name.unwrap_or_else(|| panic!("{size}: the school's name shows"));
    assert!(inside(head, layout_rect(&name["box"])), "{size}: the name lies in the header");
}

/// A rectangle of a `--layout` file: (x, y, w, h).
fn layout_rect(v: &serde_json::Value) -> (f64, f64, f64, f64) {
    let f = |k: &str| v[k].as_f64().unwrap_or_else(|| panic!("{k} in {v}"));
    (f("x"), f("y"), f("w"), f("h"))
}

fn inside(outer: (f64, f64, f64, f64), inner: (f64, f64, f64, f64)) -> bool {
    const E: f64 = 1.0;
    inner.0 >= outer.0 - E
        && inner.1 >= outer.1 - E
        && inner.0 + inner.2 <= outer.0 + outer.2 + E
        && inner.1 + inner.3 <= outer.1 + outer.3 + E
}

fn overlap(a: (f64, f64, f64, f64), b: (f64, f64, f64, f64)) -> bool {
    a.0 + 0.5 < b.0 + b.2 && b.0 + 0.5 < a.0 + a.2 && a.1 + 0.5 < b.1 + b.3 && b.1 + 0.5 < a.1 + a.3
}

/// The content folder of the shape tests: a long notice, a picture, house points with long
/// names, and a ticker message.
fn shapes_content(dir: &Path) -> PathBuf {
    let content = dir.join("content");
    std::fs::create_dir_all(content.join("default")).unwrap();
    std::fs::write(
        content.join("default/1 notice.txt"),
        "Parents' evening\nParents' evening is on Thursday in the main hall. Appointments run from half past three until seven. Please book a slot with the school office, and bring your child's reading record so that we can talk about how they are getting on this term.",
    )
    .unwrap();
    write_solid(&content.join("default/2 photo.png"), 800, 600, [30, 140, 60]);
    std::fs::write(
        content.join("house-points.toml"),
        "[[house]]\nname = \"Bartholomew-Montgomery House\"\npoints = 412\n[[house]]\nname = \"Ash\"\npoints = 389\n",
    )
    .unwrap();
    std::fs::write(
        content.join("ticker.toml"),
        "[[message]]\ntext = \"Welcome to our school! The book fair is open every lunchtime this week.\"\n",
    )
    .unwrap();
    content
}

/// The snapshot of one screen shape: its picture and its layout file.
fn shape_snapshot(
    dir: &Path,
    cfg: &Path,
    content: &Path,
    size: &str,
) -> (image::RgbImage, serde_json::Value) {
    let (shot, layout) = (dir.join(format!("{size}.png")), dir.join(format!("{size}.json")));
    let args = ["--at", "2027-01-04 09:00", "--size", size, "--out", shot.to_str().unwrap()];
    snapshot(cfg, content, &[&args[..], &["--layout", layout.to_str().unwrap()]].concat());
    let json = serde_json::from_str(&std::fs::read_to_string(&layout).unwrap()).unwrap();
    (load(&shot), json)
}

/// Zones inside the screen and apart; every text inside its zone, whole, and no smaller than
/// the minimum text height.
fn check_shape(size: &str, img: &image::RgbImage, layout: &serde_json::Value) {
    let (w, h) =
        size.split_once('x').map(|(w, h)| (w.parse::<u32>().unwrap(), h.parse::<u32>().unwrap())).unwrap();
    assert_eq!(img.dimensions(), (w, h), "{size}: the picture is the screen's size");
    let screen = layout_rect(&layout["screen"]);
    let zones: Vec<(String, (f64, f64, f64, f64))> =
        layout["zones"].as_object().unwrap().iter().map(|(k, v)| (k.clone(), layout_rect(v))).collect();
    assert_eq!(zones.len(), 4, "{size}: header, stage, widgets and ticker: {zones:?}");
    for (i, (name, r)) in zones.iter().enumerate() {
        assert!(inside(screen, *r), "{size}: {name} {r:?} lies inside the screen");
        for (other, o) in &zones[i + 1..] {
            assert!(!overlap(*r, *o), "{size}: {name} {r:?} and {other} {o:?} do not overlap");
        }
    }
    let min_text = 0.022 * f64::from(w.min(h));
    let texts = layout["texts"].as_array().unwrap();
    assert!(texts.iter().any(|t| t["text"] == "09:00"), "{size}: the clock shows");
    for t in texts {
        let (b, text) = (layout_rect(&t["box"]), t["text"].as_str().unwrap_or(""));
        // The ticker's line runs past the screen's edges as it scrolls: its centre is clamped in.
        let centre = ((b.0 + b.2 / 2.0).clamp(0.0, screen.2 - 1.0), b.1 + b.3 / 2.0);
        let (zone, z) = zones
            .iter()
            .find(|(_, z)| inside(*z, (centre.0, centre.1, 0.0, 0.0)))
            .unwrap_or_else(|| panic!("{size}: \"{text}\" {b:?} lies in no zone"));
        if zone == "ticker" {
            // The ticker's line scrolls through its strip: only its height must fit.
            assert!(
                b.1 >= z.1 - 1.0 && b.1 + b.3 <= z.1 + z.3 + 1.0,
                "{size}: \"{text}\" {b:?} in the strip {z:?}"
            );
        } else {
            assert!(inside(*z, b), "{size}: \"{text}\" {b:?} lies inside {zone} {z:?}");
        }
        let laid = (t["laid_out"]["w"].as_f64().unwrap(), t["laid_out"]["h"].as_f64().unwrap());
        assert!(laid.0 <= b.2 + 1.0 && laid.1 <= b.3 + 1.0, "{size}: \"{text}\" is whole: {laid:?} in {b:?}");
        if !text.trim().is_empty() {
            assert!(b.3 >= min_text, "{size}: \"{text}\" is {} px high, under {min_text}", b.3);
        }
    }
}

#[test]
fn render_a_notice_too_long_for_the_stage_shrinks_to_fit_it() {
    let dir = tempfile::tempdir().unwrap();
    let content = dir.path().join("content");
    std::fs::create_dir_all(content.join("default")).unwrap();
    let body = "Please read every word of this very long notice about the school trip. ".repeat(26);
    std::fs::write(content.join("default/notice.txt"), format!("School trip\n{body}")).unwrap();
    let cfg = write_config(dir.path(), "[layout]\nticker = false\n");
    for size in ["640x360", "360x640"] {
        let (_, layout) = shape_snapshot(dir.path(), &cfg, &content, size);
        let stage = layout_rect(&layout["zones"]["stage"]);
        let texts = layout["texts"].as_array().unwrap();
        let find = |start: &str| {
            let t = texts.iter().find(|t| t["text"].as_str().is_some_and(|s| s.starts_with(start)));
            t.unwrap_or_else(|| panic!("{size}: \"{start}…\" shows"))
        };
        let (heading, shown) = (find("School trip"), find("Please read"));
        for t in [heading, shown] {
            assert!(
                inside(stage, layout_rect(&t["box"])),
                "{size}: {} lies inside the stage {stage:?}",
                t["box"]
            );
        }
        // Made smaller than its own size (7.5 % of the shorter side for the heading) to fit.
        let heading_h = layout_rect(&heading["box"]).3;
        assert!(heading_h < 0.075 * 360.0, "{size}: the heading was made smaller ({heading_h} px)");
        // All of it, or cut at a word and ending in "…".
        let text = shown["text"].as_str().unwrap_or("");
        assert!(text == body.trim() || text.ends_with('…'), "{size}: {text}");
    }
}

#[test]
fn render_branding_with_a_missing_logo_shows_the_name_and_the_legible_font_is_used() {
    let dir = tempfile::tempdir().unwrap();
    let content = dir.path().join("content");
    std::fs::create_dir_all(content.join("default")).unwrap();
    std::fs::write(content.join("default/notice.txt"), "Book fair\nEvery lunchtime this week.").unwrap();
    let heading_width = |font: &str| {
        let cfg = write_config(
            dir.path(),
            &format!("[branding]\nname = \"Hawes Side\"\nlogo = \"missing.png\"\nfont = \"{font}\"\n"),
        );
        let (img, layout) = shape_snapshot(dir.path(), &cfg, &content, "640x360");
        let head = layout_rect(&layout["zones"]["header"]);
        let texts = layout["texts"].as_array().unwrap();
        let name = texts.iter().find(|t| t["text"] == "Hawes Side").expect("the name shows without its logo");
        assert!(inside(head, layout_rect(&name["box"])), "the name lies in the header");
        assert!(
            near(px(&img, 3, (head.1 + head.3 / 2.0) as u32), [38, 46, 54], 8),
            "the header's panel colour"
        );
        let heading = texts.iter().find(|t| t["text"] == "Book fair").expect("the notice shows");
        layout_rect(&heading["box"]).2
    };
    let (standard, legible) = (heading_width("standard"), heading_width("legible"));
    assert!((standard - legible).abs() > 2.0, "another face, other widths: {standard} vs {legible}");
}

#[test]
fn render_every_screen_shape_keeps_zones_apart_and_text_inside_them() {
    let dir = tempfile::tempdir().unwrap();
    let content = shapes_content(dir.path());
    std::fs::write(dir.path().join("logo.svg"), LOGO_SVG).unwrap();
    let branding = "[branding]\nname = \"Hawes Side Academy\"\nlogo = \"logo.svg\"\nheader = \"#1e3a8a\"\n";
    let cfg =
        write_config(dir.path(), &format!("[widgets]\nshow = [\"clock\", \"house_points\"]\n{branding}"));
    let mut notice_heights = Vec::new();
    for size in ["1920x1080", "1080x1920", "1024x768", "1280x720", "2560x1440"] {
        let (img, layout) = shape_snapshot(dir.path(), &cfg, &content, size);
        check_shape(size, &img, &layout);
        check_header(size, &img, &layout);
        let heading = layout["texts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["text"].as_str().is_some_and(|s| s == "Parents' evening"));
        notice_heights.push((size, heading.map(|t| layout_rect(&t["box"]).3)));
    }
    // A 1920x1080 output turned by 90 degrees: saved upright, laid out for the portrait shape.
    let turned = write_config(
        dir.path(),
        &format!("[display]\nrotation = 90\n[widgets]\nshow = [\"clock\", \"house_points\"]\n{branding}"),
    );
    let shot = dir.path().join("turned.png");
    let json = dir.path().join("turned.json");
    let args = ["--at", "2027-01-04 09:00", "--size", "1920x1080", "--out", shot.to_str().unwrap()];
    snapshot(&turned, &content, &[&args[..], &["--layout", json.to_str().unwrap()]].concat());
    let layout: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    check_shape("1080x1920", &load(&shot), &layout);
    check_header("1080x1920", &load(&shot), &layout);
    // Text follows the shorter side: the notice's heading (one line) is the same size on a
    // landscape and a portrait 1080p screen.
    let (landscape, portrait) = (notice_heights[0].1, notice_heights[1].1);
    assert!(landscape.is_some() && portrait.is_some(), "{notice_heights:?}");
    let (l, p) = (landscape.unwrap_or_default(), portrait.unwrap_or_default());
    assert!((l - p).abs() <= 0.05 * l.max(p), "same heading size: {notice_heights:?}");
}

// ---- Live streams: a real studio sending over UDP on 127.0.0.1 ----

/// The slide on screen and the colour at its centre, after one frame of 40 ms of real time.
fn live_frame(app: &mut App) -> Option<(String, char)> {
    std::thread::sleep(Duration::from_millis(40));
    app.update();
    let name = current_name(app)?;
    let id = app.world().resource::<StageState>().show.as_ref()?.current_id()?;
    Some((name, slide_centre(app, id).map_or('-', colour_name)))
}

#[test]
fn headless_a_live_stream_plays_holds_its_last_frame_when_the_studio_stops_then_the_show_moves_on() {
    let _heavy = cpu_heavy();
    let port = free_udp_port();
    let studio = Studio::over_udp(port);
    let (_dir, content, pl) = content_folder();
    std::fs::write(pl.join("1 studio.stream"), format!("# the hall\nudp://127.0.0.1:{port}\n")).unwrap();
    write_solid(&pl.join("2 still.png"), 160, 90, [255, 255, 255]);
    let mut config = Config { content, ..Config::default() };
    config.slides.default_duration = Duration::from_secs(600);
    config.slides.transition = corridor::core::config::Transition::Cut;
    config.live.hold = Duration::from_secs(1);
    let mut app = headless_app_with(config, monday(9, 0, 0));
    app.insert_resource(TimeUpdateStrategy::ManualDuration(Duration::from_millis(40)));
    run_until(&mut app, "the stream is on screen, red", |app| {
        live_frame(app).is_some_and(|(n, c)| n == "1 studio.stream" && c == 'R')
    });
    studio.colour(BLUE);
    run_until(&mut app, "the stream turns blue", |app| live_frame(app).is_some_and(|(_, c)| c == 'B'));
    // The studio stops: its last frame stays (never black) for the hold time, then the next slide.
    drop(studio);
    let stopped = Instant::now();
    let mut seen = Vec::new();
    while seen.last().is_none_or(|(n, _): &(String, char)| n != "2 still.png") {
        assert!(stopped.elapsed() < PATIENCE, "the show moves on: {seen:?}");
        if let Some(f) = live_frame(&mut app) {
            seen.push(f);
        }
    }
    let held = stopped.elapsed();
    assert!(
        seen.iter().all(|(n, c)| (n == "1 studio.stream" && *c == 'B') || (n == "2 still.png" && *c == 'W')),
        "the last frame stays, then the next slide: {seen:?}"
    );
    assert!(held >= Duration::from_millis(900), "held for the hold time: {held:?}");
}

/// The colour at the centre of the on-air picture, after one frame of 40 ms of real time.
fn on_air_frame(app: &mut App) -> Option<char> {
    std::thread::sleep(Duration::from_millis(40));
    app.update();
    corridor::screen::on_air_centre(app.world_mut()).map(colour_name)
}

#[test]
fn headless_the_studio_goes_on_air_covers_the_stage_and_the_show_resumes_when_it_stops() {
    let _heavy = cpu_heavy();
    let port = free_udp_port();
    let send = udp_send(port);
    let (dir, content, pl) = content_folder();
    write_solid(&pl.join("1 white.png"), 160, 90, [255, 255, 255]);
    write_solid(&pl.join("2 green.png"), 160, 90, [0, 200, 0]);
    std::fs::write(content.join("LIVE.stream"), format!("udp://127.0.0.1:{port}\n")).unwrap();
    let status = dir.path().join("status.json");
    let log = dir.path().join("play-log");
    let play_log = corridor::core::config::PlayLog::Folder(log.clone());
    let mut config = Config { content, status_file: Some(status.clone()), play_log, ..Config::default() };
    config.slides.default_duration = Duration::from_secs(5);
    config.slides.transition = corridor::core::config::Transition::Cut;
    config.live.hold = Duration::from_secs(1);
    // What the status file says of the broadcast, once it says `on_air` is `want`.
    let on_air_status = |app: &mut App, want: bool| {
        let mut found = None;
        run_until(app, "the status file tells the broadcast", |_| {
            let text = std::fs::read_to_string(&status).unwrap_or_default();
            let json: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
            found = Some(json["on_air"].clone()).filter(|o| o["on_air"] == want);
            found.is_some()
        });
        found.unwrap()
    };
    let mut app = headless_app_with(config, monday(9, 0, 0));
    app.insert_resource(TimeUpdateStrategy::ManualDuration(Duration::from_millis(40)));
    run_until(&mut app, "the first slide shows", |app| {
        live_frame(app).is_some_and(|(n, _)| n == "1 white.png")
    });
    // Off air: the show plays on.
    assert!(on_air_frame(&mut app).is_none());
    // The studio goes on air: it covers the stage, and the show waits on its slide.
    let studio = Studio::start(&send);
    studio.colour(BLUE);
    run_until(&mut app, "the studio on air", |app| on_air_frame(app) == Some('B'));
    let on_air = app.world().resource::<corridor::screen::OnAir>().clone();
    assert_eq!(on_air.address.map(|a| a.url), Some(format!("udp://127.0.0.1:{port}")));
    assert!(on_air.since.is_some());
    let told = on_air_status(&mut app, true);
    assert_eq!(told["stream"], format!("udp://127.0.0.1:{port}"));
    assert!(told["since"].as_str().is_some_and(|t| t.starts_with("2027-01-04T09:")), "{told}");
    let (left, shown) = {
        let show = app.world().resource::<StageState>().show.as_ref().unwrap();
        (current_name(&app), show.shown_for())
    };
    for _ in 0..150 {
        assert_eq!(on_air_frame(&mut app), Some('B'), "on air for 6 s of show time");
    }
    assert_eq!(current_name(&app), left, "the show waits on the slide it left");
    // The studio stops: its last picture stays for the hold time, then the slide it left starts
    // again in full.
    drop(studio);
    run_until(&mut app, "off air again", |app| on_air_frame(app).is_none());
    assert_eq!(current_name(&app), left);
    let after = app.world().resource::<StageState>().show.as_ref().unwrap().shown_for();
    assert!(
        after < Duration::from_secs(1) && after <= shown + Duration::from_secs(1),
        "started again: {after:?}"
    );
    assert!(app.world().resource::<corridor::screen::OnAir>().since.is_none());
    assert_eq!(on_air_status(&mut app, false)["since"], serde_json::Value::Null);
    // The play log has the broadcast: its stream, when it went on air and when it left.
    let logged = format!("\"on_air\":\"udp://127.0.0.1:{port}\"");
    run_until(&mut app, "the broadcast in the play log", |_| {
        std::fs::read_to_string(log.join("2027-01-04.jsonl")).is_ok_and(|t| t.contains(&logged))
    });
    // The slide it covered has its line end where the broadcast began (shown, then covered).
    let lines: Vec<serde_json::Value> = std::fs::read_to_string(log.join("2027-01-04.jsonl"))
        .unwrap()
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    let broadcast = lines.iter().find(|l| l["on_air"].is_string()).unwrap();
    let covered = lines.iter().find(|l| l["file"] == format!("default/{}", left.clone().unwrap())).unwrap();
    assert_eq!(covered["end"], broadcast["start"], "{lines:?}");
    // The studio comes back: on air again, tried again within the back-off (at most 2 s).
    let studio = Studio::start(&send);
    studio.colour(GREEN);
    let back = Instant::now();
    run_until(&mut app, "back on air", |app| on_air_frame(app) == Some('G'));
    assert!(back.elapsed() < Duration::from_secs(15), "{:?}", back.elapsed());
}

#[test]
fn render_snapshot_of_a_live_stream_shows_its_picture_or_what_plays_instead() {
    let _heavy = cpu_heavy();
    let port = free_udp_port();
    let (dir, content, pl) = content_folder();
    std::fs::write(pl.join("1 studio.stream"), format!("udp://127.0.0.1:{port}\n")).unwrap();
    write_solid(&pl.join("2 green.png"), 160, 90, [0, 200, 0]);
    let cfg = write_config(dir.path(), "play_log = \"off\"\n[slides]\ntransition = \"cut\"\n");
    let shot = dir.path().join("shot.png");
    let args = ["--out", shot.to_str().unwrap(), "--size", "640x360", "--at", "2027-01-04 09:00"];
    // Not live: the snapshot shows what the player would show instead, the next slide.
    snapshot(&cfg, &content, &args);
    let img = load(&shot);
    assert!(near(px(&img, 250, 180), [0, 200, 0], 40), "the picture instead: {:?}", px(&img, 250, 180));
    // Live: the stream's picture, drawn by the GPU path films use.
    let studio = Studio::over_udp(port);
    studio.colour(BLUE);
    snapshot(&cfg, &content, &args);
    let img = load(&shot);
    assert!(near(px(&img, 250, 180), [0, 0, 255], 40), "the stream: {:?}", px(&img, 250, 180));
}

// ---- Many screens: a published folder synced while the player runs ----

#[test]
fn live_a_subscribed_source_arrives_updates_and_refusals_reach_the_status_file() {
    use corridor::core::sync::{publish::publish, signing, source};
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    std::fs::create_dir_all(&site).unwrap();
    write_solid(&site.join("cover.png"), 16, 9, [200, 30, 30]);
    let pair = signing::keygen().unwrap();
    publish(&site, &pair.secret, 10).unwrap();
    let content = dir.path().join("content");
    std::fs::create_dir_all(&content).unwrap();
    let state = dir.path().join("state");
    let mut live = Live::new(dir.path(), &content, |c| {
        c.state_folder = Some(state.clone());
        c.sources = vec![source::Source {
            origin: source::Origin::Folder(site.clone()),
            into: "default".into(),
            public_key: pair.public_line.clone(),
            every: Duration::from_millis(500),
            max_rate: None,
            max_file: source::DEFAULT_MAX_FILE,
            max_total: source::DEFAULT_MAX_TOTAL,
        }];
    });
    let sources = |l: &Live| l.status()["sources"].as_array().cloned().unwrap_or_default();
    live.until("the source's first version on screen", |l| has(&l.items(), "default/cover.png"), |_| {});
    live.until(
        "its state in the status file",
        |l| sources(l).first().is_some_and(|s| s["serial"] == 10),
        |_| {},
    );
    let s = &sources(&live)[0];
    assert_eq!((s["into"].as_str(), s["error"].is_null()), (Some("default"), true), "{s}");
    assert!(s["up_to_date_at"].is_string(), "{s}");
    // A new version: both pictures; then a tampered one: refused, the status says why.
    write_solid(&site.join("second.png"), 16, 9, [30, 200, 30]);
    publish(&site, &pair.secret, 11).unwrap();
    live.until("the new version on screen", |l| has(&l.items(), "default/second.png"), |_| {});
    write_solid(&site.join("third.png"), 16, 9, [30, 30, 200]);
    publish(&site, &pair.secret, 12).unwrap();
    write_solid(&site.join("third.png"), 16, 9, [1, 2, 3]);
    live.until(
        "the refusal in the status file",
        |l| sources(l).first().is_some_and(|s| s["error"].as_str().is_some_and(|e| e.contains("third.png"))),
        |l| assert!(!has(&l.items(), "default/third.png")),
    );
    assert_eq!(live.items().len(), 2, "{:?}", live.items());
}

#[test]
fn live_a_signed_folder_half_copied_by_syncthing_keeps_its_last_verified_version() {
    use corridor::core::sync::{MANIFEST, SIGNATURE, publish::publish, signing};
    let dir = tempfile::tempdir().unwrap();
    let content = dir.path().join("content");
    let default = content.join("default");
    std::fs::create_dir_all(&default).unwrap();
    write_solid(&default.join("a.png"), 16, 9, [200, 30, 30]);
    let pair = signing::keygen().unwrap();
    publish(&default, &pair.secret, 10).unwrap();
    let key = pair.public_line.clone();
    let mut live = Live::new(dir.path(), &content, |c| c.trusted_keys = vec![key]);
    live.until("the verified version on screen", |l| l.items() == ["default/a.png"], |_| {});
    // The publisher's next version, as Syncthing brings it: the manifest and signature first,
    // the new picture still in Syncthing's temp file.
    let next = dir.path().join("publisher");
    std::fs::create_dir_all(&next).unwrap();
    std::fs::copy(default.join("a.png"), next.join("a.png")).unwrap();
    write_solid(&next.join("b.png"), 16, 9, [30, 200, 30]);
    publish(&next, &pair.secret, 11).unwrap();
    let half = std::fs::read(next.join("b.png")).unwrap();
    std::fs::write(default.join(".syncthing.b.png.tmp"), &half[..half.len() / 2]).unwrap();
    for f in [MANIFEST, SIGNATURE] {
        std::fs::copy(next.join(f), default.join(f)).unwrap();
    }
    let problems = |l: &Live| l.status()["problems"].to_string();
    live.until(
        "the half-copied version reported",
        |l| problems(l).contains("its last verified version (serial 10) plays"),
        |l| assert!(!has(&l.items(), "default/b.png"), "{:?}", l.items()),
    );
    std::fs::write(default.join(".syncthing.b.png.tmp"), &half).unwrap();
    std::fs::rename(default.join(".syncthing.b.png.tmp"), default.join("b.png")).unwrap();
    live.until(
        "the whole new version on screen",
        |l| l.items() == ["default/a.png", "default/b.png"],
        |_| {},
    );
    assert!(!problems(&live).contains("verified"), "{}", problems(&live));
}

// ---- Presentations: a deck made by LibreOffice, page by page on screen ----

#[test]
fn render_a_deck_shows_its_pages_one_after_another() {
    let dir = tempfile::tempdir().unwrap();
    let content = dir.path().join("content");
    std::fs::create_dir_all(content.join("default")).unwrap();
    make_deck(&content.join("default"), "volcanoes", "pptx");
    let cfg = write_config(
        dir.path(),
        "[display]\nbackground = \"#000000\"\n[slides]\ntransition = \"cut\"\ndefault_duration = \"10s\"\n[layout]\nticker = false\nwidgets = false\n",
    );
    // The default playlist starts at midnight: page 1 for 10 s, then 2, then 3.
    for (i, (title, colour)) in SLIDES.iter().enumerate() {
        let at = format!("2027-01-04 00:00:{:02}", i * 10 + 5);
        let shot = dir.path().join(format!("page{i}.png"));
        let out =
            snapshot(&cfg, &content, &["--at", &at, "--size", "320x180", "--out", shot.to_str().unwrap()]);
        let c = px(&load(&shot), 160, 120);
        assert!(near(c, *colour, 12), "{title} at {at}: {c:?}\n{}", String::from_utf8_lossy(&out.stderr));
    }
}

// ---- Subtitles beside a film: a band at the bottom of the film at cue times, none between ----

/// A 640x360 snapshot at `at` with its layout: the picture and the subtitle texts on screen.
fn subtitled_moment(
    cfg: &Path,
    content: &Path,
    dir: &Path,
    at: &str,
) -> (image::RgbImage, Vec<serde_json::Value>) {
    let (shot, layout) = (dir.join("moment.png"), dir.join("moment.json"));
    let args = [
        "--at",
        at,
        "--size",
        "640x360",
        "--out",
        shot.to_str().unwrap(),
        "--layout",
        layout.to_str().unwrap(),
    ];
    snapshot(cfg, content, &args);
    let json: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&layout).unwrap()).unwrap();
    let texts = json["texts"].as_array().cloned().unwrap_or_default();
    (load(&shot), texts.into_iter().filter(|t| t["text"].as_str().is_some_and(|s| !s.is_empty())).collect())
}

#[test]
fn render_subtitles_show_at_their_cues_at_the_bottom_of_the_film() {
    let dir = tempfile::tempdir().unwrap();
    let content = dir.path().join("content");
    std::fs::create_dir_all(content.join("default")).unwrap();
    make_clip(&content.join("default/story.mp4"), &["red", "blue", "green"]);
    std::fs::write(
        content.join("default/story.srt"),
        "1\r\n00:00:00,300 --> 00:00:01,400\r\n<i>Once upon a time</i>\r\n\r\n2\r\n00:00:02,200 --> 00:00:02,900\r\nthere was a volcano\r\nby the sea\r\n",
    )
    .unwrap();
    let cfg = write_config(
        dir.path(),
        "[display]\nbackground = \"#000000\"\n[slides]\ntransition = \"cut\"\n[layout]\nticker = false\nwidgets = false\n",
    );
    // The default playlist starts at midnight with the film.
    let (img, texts) = subtitled_moment(&cfg, &content, dir.path(), "2027-01-04 00:00:00.8");
    assert_eq!(texts.len(), 1, "{texts:?}");
    assert_eq!(texts[0]["text"], "Once upon a time");
    let b = &texts[0]["box"];
    let (top, bottom) = (b["y"].as_f64().unwrap(), b["y"].as_f64().unwrap() + b["h"].as_f64().unwrap());
    assert!(bottom > 330.0 && top > 280.0, "the band's text sits at the film's bottom: {b}");
    let line = texts[0]["laid_out"]["h"].as_f64().unwrap();
    // The band darkens the film behind it; above it the film is red.
    assert!(near(px(&img, 320, 100), [255, 0, 0], 40), "{:?}", px(&img, 320, 100));
    let band = px(&img, 40, (top as u32 + bottom as u32) / 2);
    // (Blended in linear light: 72 % black over full red is 144 in sRGB.)
    assert!(band[0] < 170, "the band is dark over the red film: {band:?}");
    // Between the cues: no subtitle, the film as it is.
    let (img, texts) = subtitled_moment(&cfg, &content, dir.path(), "2027-01-04 00:00:01.8");
    assert!(texts.is_empty(), "{texts:?}");
    assert!(near(px(&img, 40, 340), [0, 0, 255], 40), "{:?}", px(&img, 40, 340));
    // A cue of two lines: laid out as two.
    let (_, texts) = subtitled_moment(&cfg, &content, dir.path(), "2027-01-04 00:00:02.5");
    assert_eq!(texts[0]["text"], "there was a volcano\nby the sea");
    let two = texts[0]["laid_out"]["h"].as_f64().unwrap();
    assert!(two > line * 1.7 && two < line * 2.3, "two lines: {two} vs one {line}");
    // A film with its own subtitle track (SubRip in an MKV) and no file beside it.
    std::fs::remove_file(content.join("default/story.mp4")).unwrap();
    std::fs::remove_file(content.join("default/story.srt")).unwrap();
    let srt = dir.path().join("words.srt");
    std::fs::write(&srt, "1\n00:00:00,500 --> 00:00:01,500\nFrom inside the film\n").unwrap();
    ffmpeg_clip_with(
        &content.join("default/story.mkv"),
        &[&srt],
        "-map 3:s -c:v libx264 -pix_fmt yuv420p -c:s srt",
    );
    let (_, texts) = subtitled_moment(&cfg, &content, dir.path(), "2027-01-04 00:00:01");
    assert_eq!(texts.len(), 1, "{texts:?}");
    assert_eq!(texts[0]["text"], "From inside the film");
    // captions = false: none.
    std::fs::write(content.join("default/playlist.toml"), "captions = false\n").unwrap();
    let (_, texts) = subtitled_moment(&cfg, &content, dir.path(), "2027-01-04 00:00:00.8");
    assert!(texts.is_empty(), "{texts:?}");
}

#[test]
fn kiosk_a_stream_that_stops_mid_slide_never_leaves_a_black_screen() {
    let _heavy = cpu_heavy();
    let port = free_udp_port();
    let studio = Studio::over_udp(port);
    studio.colour(BLUE);
    let dir = tempfile::tempdir().unwrap();
    let pl = dir.path().join("playlists/default");
    std::fs::create_dir_all(&pl).unwrap();
    std::fs::write(pl.join("1 studio.stream"), format!("udp://127.0.0.1:{port}\n")).unwrap();
    write_solid(&pl.join("2 still.png"), 160, 90, [255, 255, 255]);
    let cfg = write_config(
        dir.path(),
        "play_log = \"off\"\n[slides]\ntransition = \"cut\"\ndefault_duration = \"600s\"\n[live]\nhold = \"1s\"\n[layout]\nticker = false\nwidgets = false\n",
    );
    let x = BareX::start("640x360");
    // `--content playlists` from the test's folder: its own content, not the sample.
    let mut cmd = corridor_on(&x, dir.path(), &cfg, &[]);
    cmd.current_dir(dir.path());
    let mut player = watched(cmd, dir.path());
    // What the X server really shows at the stage's centre, as pixels.
    let centre = || colour_name(px(&xwd_image(&x.client("xwd", &["-root", "-silent"])), 320, 180));
    let start = Instant::now();
    while centre() != 'B' {
        assert!(start.elapsed() < PATIENCE, "the stream's picture on screen");
    }
    drop(studio);
    let stopped = Instant::now();
    let mut seen = String::new();
    while !seen.ends_with("WWW") {
        assert!(stopped.elapsed() < PATIENCE, "the next slide comes: {seen}");
        seen.push(centre());
    }
    let moved_on = stopped.elapsed();
    let _ = player.kill();
    let _ = player.wait();
    assert!(
        seen.chars().all(|c| c == 'B' || c == 'W'),
        "the last picture, then the next slide, never black: {seen}"
    );
    assert!(
        seen.starts_with('B') && moved_on >= Duration::from_millis(900),
        "held for the hold time: {seen}"
    );
}

#[test]
fn live_each_stream_slides_state_reaches_the_status_file() {
    let _heavy = cpu_heavy();
    let port = free_udp_port();
    let studio = Studio::over_udp(port);
    let (dir, content, pl) = content_folder();
    std::fs::write(pl.join("1 studio.stream"), format!("udp://127.0.0.1:{port}\n")).unwrap();
    let silent = free_udp_port();
    std::fs::write(pl.join("2 camera.stream"), format!("udp://127.0.0.1:{silent}\n")).unwrap();
    write_solid(&pl.join("3 still.png"), 16, 9, [255, 255, 255]);
    let mut live = Live::new(dir.path(), &content, |_| {});
    let stream = |l: &Live, file: &str| {
        let s = l.status()["streams"].as_array().cloned().unwrap_or_default();
        s.into_iter().find(|s| s["file"] == file).unwrap_or_default()
    };
    live.until(
        "the studio on screen",
        |l| stream(l, "default/1 studio.stream")["state"] == "on screen",
        |_| {},
    );
    let s = stream(&live, "default/1 studio.stream");
    assert_eq!(s["stream"], format!("udp://127.0.0.1:{port}"));
    assert!(s["last_on_screen"].is_string(), "{s}");
    assert_eq!(stream(&live, "default/2 camera.stream")["state"], "waiting for its turn");
    live.until(
        "the silent camera found not live",
        |l| stream(l, "default/2 camera.stream")["state"] == "not live",
        |_| {},
    );
    let why =
        stream(&live, "default/2 camera.stream")["not_live_because"].as_str().unwrap_or_default().to_string();
    assert!(why.starts_with("the stream is not live"), "{why}");
    drop(studio);
}

#[test]
fn headless_a_stream_slide_under_the_broadcast_waits_unshown_and_comes_back() {
    let _heavy = cpu_heavy();
    let (slide_port, air_port) = (free_udp_port(), free_udp_port());
    let hall = Studio::over_udp(slide_port);
    let dir = tempfile::tempdir().unwrap();
    let content = dir.path().join("content");
    std::fs::create_dir_all(content.join("default")).unwrap();
    std::fs::write(content.join("default/hall.stream"), format!("udp://127.0.0.1:{slide_port}\n")).unwrap();
    std::fs::write(content.join("LIVE.stream"), format!("udp://127.0.0.1:{air_port}\n")).unwrap();
    let mut config = Config { content, ..Config::default() };
    config.slides.default_duration = Duration::from_secs(600);
    config.live.hold = Duration::from_secs(1);
    let mut app = headless_app_with(config, monday(9, 0, 0));
    app.insert_resource(TimeUpdateStrategy::ManualDuration(Duration::from_millis(40)));
    run_until(&mut app, "the hall's stream on the stage, red", |app| {
        live_frame(app).is_some_and(|(n, c)| n == "hall.stream" && c == 'R')
    });
    let studio = Studio::over_udp(air_port);
    studio.colour(BLUE);
    run_until(&mut app, "the studio on air", |app| on_air_frame(app) == Some('B'));
    // The hall turns green under the cover: the covered slide's picture is not updated.
    hall.colour(GREEN);
    for _ in 0..50 {
        assert_eq!(on_air_frame(&mut app), Some('B'));
        let id = app.world().resource::<StageState>().show.as_ref().unwrap().current_id().unwrap();
        assert_eq!(slide_centre(&mut app, id).map(colour_name), Some('R'), "no upload under the cover");
    }
    // The broadcast ends: the hall's stream is on the stage again, as it is now.
    drop(studio);
    run_until(&mut app, "the hall again, green", |app| {
        on_air_frame(app).is_none() && live_frame(app).is_some_and(|(n, c)| n == "hall.stream" && c == 'G')
    });
}
