//! The screen: headless Bevy apps (MinimalPlugins, stepped clock) and real rendering of
//! `corridor snapshot` under Xvfb with Mesa's software Vulkan, checked on the PNG's pixels.

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::Duration;

use bevy::prelude::*;
use bevy::time::TimeUpdateStrategy;
use chrono::TimeZone;
use common::*;
use corridor::core::config::Config;
use corridor::screen::{FallbackSlide, ScreenClock, Settings, SlideRoot, StageState};

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

fn headless_app_with(mut config: Config, at: chrono::DateTime<chrono_tz::Tz>) -> App {
    // The ticker's feed cache goes to a scratch folder, not the home folder.
    config.state_folder.get_or_insert_with(|| std::env::temp_dir().join("corridor-test-state"));
    let mut app = App::new();
    app.add_plugins((MinimalPlugins, AssetPlugin::default()));
    app.init_asset::<Image>();
    app.init_asset::<Font>();
    app.insert_resource(TimeUpdateStrategy::ManualDuration(Duration::from_millis(100)));
    app.insert_resource(ScreenClock::fixed(at));
    app.insert_resource(Settings(config));
    corridor::screen::add_features(&mut app);
    app
}

fn current_name(app: &App) -> Option<String> {
    let state = app.world().resource::<StageState>();
    state.show.as_ref()?.current().and_then(|i| i.source.file()?.file_name().map(|n| n.to_string_lossy().into_owned()))
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
    for _ in 0..3000 {
        app.update();
        let held = app.world_mut().query::<&SlideRoot>().iter(app.world()).count();
        assert!(held <= 2, "{held} slides held decoded at once");
        if let Some(name) = current_name(&app) {
            if seen.last() != Some(&name) {
                seen.push(name);
            }
        }
        if seen.len() >= 4 {
            break;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
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
        for _ in 0..20 {
            app.update();
            std::thread::sleep(Duration::from_millis(5));
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
    for _ in 0..200 {
        app.update();
        if playlist_name(&app).is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
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
        Live { app: headless_app_with(config, monday(9, 0, 0)), status }
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

    /// Runs frames until `cond` holds (panics after `secs`), checking `always` at every frame.
    fn until(
        &mut self,
        secs: u64,
        what: &str,
        mut cond: impl FnMut(&Live) -> bool,
        mut always: impl FnMut(&Live),
    ) {
        let start = std::time::Instant::now();
        loop {
            self.app.update();
            always(self);
            if cond(self) {
                return;
            }
            assert!(
                start.elapsed() < Duration::from_secs(secs),
                "timed out waiting for: {what}\nstatus: {}",
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
    live.until(10, "a.png listed", |l| has(&l.items(), "default/a.png"), |_| {});

    // Drop a file in.
    write_solid(&content.join("default/b.png"), 32, 18, [0, 255, 0]);
    live.until(10, "b.png appears", |l| has(&l.items(), "default/b.png"), |_| {});

    // A copy written in chunks with pauses: never listed before it is complete and settled.
    let mut bytes = std::io::Cursor::new(Vec::new());
    image::RgbImage::from_pixel(300, 200, image::Rgb([0, 0, 200]))
        .write_to(&mut bytes, image::ImageFormat::Jpeg)
        .unwrap();
    let bytes = bytes.into_inner();
    let target = content.join("default/c.jpg");
    let chunks: Vec<&[u8]> = bytes.chunks(bytes.len() / 4 + 1).collect();
    for chunk in &chunks {
        let mut f = std::fs::OpenOptions::new().create(true).append(true).open(&target).unwrap();
        std::io::Write::write_all(&mut f, chunk).unwrap();
        drop(f);
        let pause = std::time::Instant::now();
        while pause.elapsed() < Duration::from_millis(300) {
            live.app.update();
            assert!(!has(&live.items(), "default/c.jpg"), "c.jpg listed while still being copied");
            std::thread::sleep(Duration::from_millis(10));
        }
    }
    live.until(10, "c.jpg appears once settled", |l| has(&l.items(), "default/c.jpg"), |_| {});

    // Replace a file (same name, new content): still listed, nothing breaks.
    write_solid(&content.join("default/a.png"), 32, 18, [255, 255, 0]);
    // Rename and delete.
    std::fs::rename(content.join("default/b.png"), content.join("default/z.png")).unwrap();
    std::fs::remove_file(content.join("default/c.jpg")).unwrap();
    live.until(
        10,
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
    live.until(10, "e.png appears", |l| has(&l.items(), "default/e.png"), |_| {});
    assert!(!live.items().iter().any(|i| i.contains(".part")));
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
    live.until(10, "3.png first", listed_first, |_| {});

    // Malformed: the last good order stays, and the problem is reported with its line.
    std::fs::write(content.join("default/playlist.toml"), "[[item]\nfile = \"2.png\"\n").unwrap();
    let reported = |l: &Live| {
        l.status()["problems"].to_string().contains("default/playlist.toml:1: this file is not valid TOML")
    };
    live.until(10, "bad TOML reported", reported, |l| assert!(l.items().is_empty() || listed_first(l)));
    assert!(listed_first(&live), "last good playlist kept: {:?}", live.items());
    // Fixed: the new order applies.
    std::fs::write(content.join("default/playlist.toml"), "[[item]]\nfile = \"2.png\"\n").unwrap();
    live.until(
        10,
        "fixed TOML applied",
        |l| l.items().first().map(String::as_str) == Some("default/2.png"),
        |_| {},
    );

    // The whole folder goes (a USB stick pulled): what is in memory keeps playing. (First make sure
    // a slide is on screen: on a loaded machine the first decode can still be under way.)
    live.until(10, "a slide on screen", |l| current_name(&l.app).is_some(), |_| {});
    let away = dir.path().join("away");
    std::fs::rename(&content, &away).unwrap();
    for _ in 0..100 {
        live.app.update();
        std::thread::sleep(Duration::from_millis(10));
    }
    assert!(current_name(&live.app).is_some(), "a slide is still on screen");
    assert_eq!(live.items().len(), 3, "last good content kept");
    // It comes back, with a new file: picked up again.
    std::fs::rename(&away, &content).unwrap();
    write_solid(&content.join("default/4.png"), 16, 9, [9, 9, 9]);
    live.until(20, "folder back with 4.png", |l| has(&l.items(), "default/4.png"), |_| {});
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
    live.until(10, "a.png listed", |l| has(&l.items(), "default/a.png"), |_| {});
    write_solid(&content.join("default/b.png"), 16, 9, [9, 9, 9]);
    live.until(10, "b.png found by polling", |l| has(&l.items(), "default/b.png"), |_| {});

    std::fs::write(content.join("ALERT.txt"), "School closed\nThe school is closed today because of snow.")
        .unwrap();
    let showing = |l: &Live| {
        *l.app.world().resource::<corridor::screen::AlertShowing>() == corridor::screen::AlertShowing(true)
    };
    live.until(
        10,
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
        10,
        "alert gone",
        |l| !showing(l) && l.status()["alert"] == serde_json::Value::Bool(false),
        |_| {},
    );

    // Slides have been shown meanwhile: the play log has one JSON line per finished slide.
    live.until(
        10,
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
    let duration = |app: &App| app.world().resource::<Settings>().0.slides.default_duration;
    let run = |app: &mut App, secs: u64, cond: &dyn Fn(&App) -> bool| {
        let start = std::time::Instant::now();
        while start.elapsed() < Duration::from_secs(secs) {
            app.update();
            if cond(app) {
                return true;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        false
    };
    run(&mut app, 1, &|_| false);
    std::fs::write(&cfg_path, "[slides]\ndefault_duration = \"7s\"\n").unwrap();
    assert!(run(&mut app, 10, &|a| duration(a) == Duration::from_secs(7)), "new duration applied live");
    std::fs::write(&cfg_path, "[slides]\ndefault_duration = \"seven\"\n").unwrap();
    run(&mut app, 2, &|_| false);
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
    let run = |app: &mut App, cond: &dyn Fn() -> bool| {
        for _ in 0..500 {
            app.update();
            if cond() {
                return true;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        false
    };
    run(&mut app, &|| false);
    assert!(!off_file.exists());
    app.insert_resource(ScreenClock::fixed(monday(18, 0, 0)));
    assert!(run(&mut app, &|| off_file.exists()), "power_off_command ran at 18:00");
    assert_eq!(*app.world().resource::<corridor::screen::ScreenOff>(), corridor::screen::ScreenOff(true));
    // Next morning: on again; a failing command is only logged.
    app.insert_resource(ScreenClock::fixed(
        chrono_tz::Europe::London.with_ymd_and_hms(2027, 1, 5, 7, 0, 0).unwrap(),
    ));
    assert!(run(&mut app, &|| on_file.exists()), "power_on_command ran at 07:00");
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

#[test]
fn render_the_player_runs_and_keeps_running() {
    let dir = tempfile::tempdir().unwrap();
    let status = dir.path().join("status.json");
    let cfg = write_config(
        dir.path(),
        "play_log = \"off\"\n[slides]\ndefault_duration = \"1s\"\ntransition_time = \"0.3s\"\n",
    );
    let runtime = tempfile::tempdir().unwrap();
    let out = std::process::Command::new("xvfb-run")
        .args(["-a", "-s", "-screen 0 1280x720x24", "timeout", "8"])
        .arg(env!("CARGO_BIN_EXE_corridor"))
        .args(["run", "--windowed", "--content", "playlists", "--config"])
        .arg(&cfg)
        .arg("--status")
        .arg(&status)
        .env("XDG_RUNTIME_DIR", runtime.path())
        .output()
        .expect("xvfb-run runs");
    assert_eq!(
        out.status.code(),
        Some(124),
        "still running when stopped after 8 s:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let s: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&status).unwrap()).unwrap();
    assert_eq!(s["playlist"], "default");
    assert!(s["current"]["file"].as_str().unwrap().starts_with("default/"), "{s}");
    assert_eq!(s["items"].as_array().unwrap().len(), 5);
    assert_eq!(s["items"][4], "default/05 bouncing ball.webm", "{s}");
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
    let shot = dir.path().join("tick.png");
    snapshot(
        &cfg,
        &content,
        &["--size", "640x360", "--out", shot.to_str().unwrap(), "--frames", "3", "--step", "200ms"],
    );
    let frames: Vec<image::RgbImage> =
        (0..3).map(|i| load(&dir.path().join(format!("tick-{i:03}.png")))).collect();
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
    // 200 px/s for 0.2 s between frames: 40 px to the left each time.
    for i in 0..2 {
        let d = best_shift(&profiles[i], &profiles[i + 1], 120);
        assert!((38..=42).contains(&d), "frame {i} to {}: moved {d} px, expected 40", i + 1);
    }
    // No error text for the feed that is down, nowhere on screen; nothing above the strip moved.
    let above: Vec<i32> = ink_profile(&frames[0], 0, 320);
    assert_eq!(above, ink_profile(&frames[2], 0, 320));

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
        20,
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
        10,
        "the mistake reported",
        |l| l.status()["problems"].to_string().contains("ticker.toml"),
        |_| {},
    );
    assert_eq!(feeds(&live).len(), 2);
    std::fs::write(content.join("ticker.toml"), "[[feed]]\nurl = \"news.xml\"\nlabel = \"School news\"\n")
        .unwrap();
    live.until(
        10,
        "the new ticker.toml followed",
        |l| feeds(l).len() == 1 && feeds(l)[0]["label"] == "School news",
        |_| {},
    );
}

// ---- Video slides: clips made by GStreamer with known colours ----

/// The centre pixel of the picture of slide `id`: a video's frame on screen, or an image's data.
fn slide_centre(app: &mut App, id: u64) -> Option<[u8; 3]> {
    let roots: Vec<(Entity, u64)> =
        app.world_mut().query::<(Entity, &SlideRoot)>().iter(app.world()).map(|(e, r)| (e, r.id)).collect();
    let root = roots.into_iter().find(|(_, rid)| *rid == id)?.0;
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

/// Plays `content` (cut transitions, slides of `slide_time`) headless, `step` of show time a
/// frame with `pause` of real time between frames, and names the colour at the centre of the
/// slide on screen in each of the first `frames` frames that show one.
fn centre_colours(
    content: PathBuf,
    slide_time: Duration,
    frames: usize,
    (step, pause): (Duration, Duration),
) -> String {
    let mut config = Config { content, ..Config::default() };
    config.slides.default_duration = slide_time;
    config.slides.transition = corridor::core::config::Transition::Cut;
    let mut app = headless_app_with(config, monday(9, 0, 0));
    app.insert_resource(TimeUpdateStrategy::ManualDuration(step));
    let mut seen = String::new();
    let start = std::time::Instant::now();
    while seen.len() < frames {
        assert!(start.elapsed() < Duration::from_secs(60), "timed out: {seen}");
        app.update();
        let Some(id) = app.world().resource::<StageState>().show.as_ref().and_then(|s| s.current_id()) else {
            std::thread::sleep(Duration::from_millis(5));
            continue;
        };
        seen.push(slide_centre(&mut app, id).map_or('-', colour_name));
        std::thread::sleep(pause);
    }
    seen
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
    let dir = tempfile::tempdir().unwrap();
    let content = dir.path().join("content");
    let pl = content.join("default");
    std::fs::create_dir_all(&pl).unwrap();
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
    let mut seen: Vec<(String, char)> = Vec::new();
    let start = std::time::Instant::now();
    while seen.len() < 150 {
        assert!(start.elapsed() < Duration::from_secs(60), "timed out: {seen:?}");
        app.update();
        let Some(name) = current_name(&app) else {
            std::thread::sleep(Duration::from_millis(5));
            continue;
        };
        let id = app.world().resource::<StageState>().show.as_ref().unwrap().current_id().unwrap();
        let colour = slide_centre(&mut app, id).map_or('-', colour_name);
        seen.push((name, colour));
        // Show time runs at most 4x real time, so the decoder always keeps ahead.
        std::thread::sleep(Duration::from_millis(10));
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
        assert!((23..=27).contains(k), "{n} {c}: {k} frames of 40 ms, expected 25 ({summary:?})");
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
    let dir = tempfile::tempdir().unwrap();
    let content = dir.path().join("content");
    let pl = content.join("default");
    std::fs::create_dir_all(&pl).unwrap();
    write_solid(&pl.join("1 still.png"), 160, 90, [255, 255, 255]);
    make_clip_with_sound(&pl.join("2 story.webm"), &["red", "blue"]);
    std::fs::write(pl.join("playlist.toml"), "sound = true\n").unwrap();
    // The show's clock runs at half real time here (20 ms of show time a frame, frames 40 ms
    // apart). The film keeps time with its sound, on the real clock: each colour lasts 1 s of
    // real time, about 24 frames (50 if it followed the show's clock).
    let pace = (Duration::from_millis(20), Duration::from_millis(40));
    let seen = centre_colours(content, Duration::from_secs(1), 200, pace);
    let runs = runs_of(&seen);
    let kinds: String = runs.iter().map(|(c, _)| *c).take(4).collect();
    assert_eq!(kinds, "WRBW", "white 1 s, then the film from its start, then white: {runs:?}");
    assert!((18..=32).contains(&runs[1].1), "red for 1 s of real time: {runs:?}");
    // The slide lasts the film's length in show time (2 s, 100 frames); the film's last picture
    // stays meanwhile.
    assert!((90..=110).contains(&(runs[1].1 + runs[2].1)), "{runs:?}");
}

#[test]
fn headless_animated_gif_plays_its_frames_for_the_slides_time() {
    use image::codecs::gif::{GifEncoder, Repeat};
    let dir = tempfile::tempdir().unwrap();
    let content = dir.path().join("content");
    let pl = content.join("default");
    std::fs::create_dir_all(&pl).unwrap();
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
    let seen =
        centre_colours(content, Duration::from_millis(1200), 40, (Duration::from_millis(40), Duration::ZERO));
    // 200 ms a frame (5 frames of 40 ms), twice round in 1.2 s, then the photo.
    assert!(seen.starts_with("RRRRRGGGGGBBBBBRRRRRGGGGGBBBBBW"), "{seen}");
}

#[test]
fn headless_film_shorter_than_its_slide_plays_again_from_the_start() {
    let dir = tempfile::tempdir().unwrap();
    let content = dir.path().join("content");
    let pl = content.join("default");
    std::fs::create_dir_all(&pl).unwrap();
    // An MP4 from x264 (B-frames; its first frame stamped 1 s in) and a WebM, each listed for
    // longer than they last.
    make_clip(&pl.join("1 advert.mp4"), &["red", "blue"]);
    make_clip(&pl.join("2 advert.webm"), &["green", "white"]);
    std::fs::write(
        pl.join("playlist.toml"),
        "[[item]]\nfile = \"1 advert.mp4\"\nduration = \"5s\"\n[[item]]\nfile = \"2 advert.webm\"\nduration = \"5s\"\n",
    )
    .unwrap();
    let pace = (Duration::from_millis(40), Duration::from_millis(10));
    let runs = runs_of(&centre_colours(content, Duration::from_secs(1), 250, pace));
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
