//! Benchmarks (run: `cargo bench --bench player`, or name one: `cargo bench --bench player -- plan`).
//! Figures go to BENCHMARKS.md. Not a test: it measures, it does not assert.
//!
//! (a) decode + downscale of a 12-megapixel JPEG to a 1080p stage vs the `image` crate's plain decode;
//! (b) the longest frame of our own systems (headless app) while a 24-megapixel photo loads;
//! (c) peak memory (VmHWM) playing a 200-photo folder of 12 MP JPEGs vs a 5-photo folder;
//! (plan) `plan` for a whole year of a 200-slot schedule, and the same at minute resolution;
//! (live) a file dropped in -> listed in the status file; ALERT.txt -> alert on screen;
//! (ticker) the ticker's systems per frame with 500 headlines; parse of a 1 MB feed vs `rss`;
//! (video) 1080p H.264 decode-and-hand-over vs GStreamer's own decode to fakesink; main-thread
//! time per frame while a video plays; peak memory playing a 10-minute vs a 10-second clip;
//! (startup) first picture and peak memory at 1920x1080 vs a bare Bevy window (`parts/startup.rs`);
//! (live-stream) a live stream's latency on loopback over UDP, SRT and RTSP, and the on-air
//! broadcast's comeback (`parts/live_stream.rs`); (live-stream-soak) memory, file descriptors
//! and threads over 30 minutes of one stream on screen;
//! (decks) a 30-page deck drawn vs soffice and pdftoppm by hand, the cache, memory while a
//! 100-page deck is drawn (`parts/decks.rs`);
//! (sync) a screen subscribing to a published folder on nginx vs curl and sha256sum, peak memory
//! bringing a 2 GB film, a round with nothing changed (`parts/sync.rs`);
//! (soak, soak-screen) memory, file descriptors and threads over a simulated school week and over
//! an hour of the real binary under Xvfb (`parts/soak.rs`).

#[path = "../tests/common/mod.rs"]
mod common;
#[path = "parts/decks.rs"]
mod decks;
#[path = "parts/live_stream.rs"]
mod live_stream;
#[path = "parts/soak.rs"]
mod soak;
#[path = "parts/startup.rs"]
mod startup;
#[path = "parts/sync.rs"]
mod sync;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use bevy::prelude::*;
use bevy::time::TimeUpdateStrategy;
use chrono::TimeZone;
use corridor::core::config::{Config, Fit};
use corridor::core::media::{self, Limits};
use corridor::screen::{ScreenClock, Settings, StageState};

const LIMITS: Limits = Limits { max_megapixels: 100.0 };

/// A photo-like test picture: smooth gradients plus fine texture, so JPEG has real work to do.
fn photo(w: u32, h: u32, seed: u32) -> image::RgbImage {
    image::RgbImage::from_fn(w, h, |x, y| {
        let n = (x.wrapping_mul(374_761_393) ^ y.wrapping_mul(668_265_263) ^ seed)
            .wrapping_mul(1_274_126_177)
            >> 27;
        image::Rgb([
            ((x * 255 / w) as u8).wrapping_add(n as u8),
            ((y * 255 / h) as u8).wrapping_add((seed * 40) as u8),
            (((x + y) * 127 / (w + h)) as u8).wrapping_add(n as u8 * 2),
        ])
    })
}

fn write_jpeg(path: &Path, w: u32, h: u32, seed: u32) {
    let file = std::fs::File::create(path).expect("create");
    let mut enc = image::codecs::jpeg::JpegEncoder::new_with_quality(std::io::BufWriter::new(file), 90);
    enc.encode_image(&photo(w, h, seed)).expect("encode");
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// A smoother photo-like picture: gradients and soft waves, little fine noise.
fn smooth_photo(w: u32, h: u32) -> image::RgbImage {
    image::RgbImage::from_fn(w, h, |x, y| {
        let (fx, fy) = (x as f32 / w as f32, y as f32 / h as f32);
        let wave = ((fx * 40.0).sin() * (fy * 30.0).cos() * 40.0) as i32;
        let c = |base: f32, k: i32| (base as i32 + k).clamp(0, 255) as u8;
        image::Rgb([
            c(fx * 200.0 + 30.0, wave),
            c(fy * 180.0 + 40.0, -wave / 2),
            c((1.0 - fx) * 150.0 + 60.0, wave / 3),
        ])
    })
}

/// CPU time (user, system) used so far by this process (`RUSAGE_SELF`) or by its children
/// that have been waited for (`RUSAGE_CHILDREN`).
fn cpu_time(who: libc::c_int) -> (Duration, Duration) {
    // SAFETY: an all-zero rusage is a valid value; getrusage only writes that one struct.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `usage` is a live, writable rusage.
    unsafe { libc::getrusage(who, &mut usage) };
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, (t.tv_usec as u32) * 1000);
    (tv(usage.ru_utime), tv(usage.ru_stime))
}

/// The CPU time (user, system) between two readings.
fn cpu_since(before: (Duration, Duration), after: (Duration, Duration)) -> (Duration, Duration) {
    (after.0.saturating_sub(before.0), after.1.saturating_sub(before.1))
}

/// CPU time of one run of `djpeg -scale 1/2` on `path` (its output thrown away), or None when
/// djpeg is not installed (`apt install libjpeg-turbo-progs`).
fn djpeg_cpu(path: &Path) -> Option<(Duration, Duration)> {
    let before = cpu_time(libc::RUSAGE_CHILDREN);
    let status = Command::new("djpeg")
        .args(["-scale", "1/2"])
        .arg(path)
        .stdout(std::process::Stdio::null())
        .status()
        .ok()?;
    status.success().then(|| cpu_since(before, cpu_time(libc::RUSAGE_CHILDREN)))
}

/// CPU time of corridor making `bytes` screen-ready for a 1080p stage (decode, scale, turn).
fn corridor_cpu(bytes: &[u8]) -> (Duration, Duration) {
    let before = cpu_time(libc::RUSAGE_SELF);
    let f = media::decode_image_bytes(bytes, (1920, 1080), Fit::Contain, LIMITS).expect("decode");
    // Fitted at 1440x1080; a mild reduction is left to the GPU (media::GPU_SCALES_FROM).
    let mild = |got: u32, fit: u32| got >= fit && (fit as f64 / got as f64) >= media::GPU_SCALES_FROM;
    assert!(mild(f.width, 1440) && mild(f.height, 1080), "{}x{}", f.width, f.height);
    cpu_since(before, cpu_time(libc::RUSAGE_SELF))
}

/// (a) a 12 MP JPEG made screen-ready for a 1080p stage: CPU time against libjpeg-turbo's own
/// `djpeg -scale 1/2` of the same file (run as a process, in the same run), and wall time
/// against the `image` crate's plain full decode.
fn bench_decode(dir: &Path) {
    const RUNS: usize = 21;
    corridor::core::threads::steady_memory(); // the allocator settings the player runs with
    for (label, img) in [("detailed", photo(4000, 3000, 1)), ("smooth", smooth_photo(4000, 3000))] {
        let path = dir.join(format!("12mp-{label}.jpg"));
        let file = std::fs::File::create(&path).expect("create");
        image::codecs::jpeg::JpegEncoder::new_with_quality(std::io::BufWriter::new(file), 90)
            .encode_image(&img)
            .expect("encode");
        let bytes = std::fs::read(&path).expect("read");
        let (_, _) = (corridor_cpu(&bytes), djpeg_cpu(&path)); // warm-up
        let (mut ours, mut theirs) = (Vec::new(), Vec::new());
        for _ in 0..RUNS {
            ours.push(corridor_cpu(&bytes));
            theirs.extend(djpeg_cpu(&path));
        }
        let total = |v: &[(Duration, Duration)]| v.iter().map(|(u, s)| *u + *s).collect::<Vec<_>>();
        let user = |v: &[(Duration, Duration)]| v.iter().map(|(u, _)| *u).collect::<Vec<_>>();
        let ms = |d: Duration| d.as_secs_f64() * 1e3;
        let mb = bytes.len() as f64 / 1e6;
        if theirs.is_empty() {
            let ours = median(total(&ours));
            println!(
                "(a) djpeg not found (apt install libjpeg-turbo-progs): corridor {:.1} ms CPU",
                ms(ours)
            );
        } else {
            let (o, t) = (median(total(&ours)), median(total(&theirs)));
            let (ou, tu) = (median(user(&ours)), median(user(&theirs)));
            println!(
                "(a) 12 MP JPEG, {label} (4000x3000, {mb:.1} MB), CPU time (user+sys), median of {RUNS}: corridor decode + scale + orientation for a 1440x1080 fit {:.1} ms; djpeg -scale 1/2 (libjpeg-turbo, decode to 2000x1500, process) {:.1} ms; ratio {:.2} (user time alone: {:.1} vs {:.1} ms, {:.2})",
                ms(o),
                ms(t),
                o.as_secs_f64() / t.as_secs_f64(),
                ms(ou),
                ms(tu),
                ou.as_secs_f64() / tu.as_secs_f64()
            );
        }
        compare_wall_time(label, &bytes);
    }
}

/// (a) wall time of corridor's decode against the `image` crate's plain full decode.
fn compare_wall_time(label: &str, bytes: &[u8]) {
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let wall = |f: &dyn Fn()| {
        median(
            (0..7)
                .map(|_| {
                    let t = Instant::now();
                    f();
                    t.elapsed()
                })
                .collect(),
        )
    };
    let ours_wall = wall(&|| {
        corridor_cpu(bytes);
    });
    let plain = wall(&|| assert_eq!(image::load_from_memory(bytes).expect("decode").width(), 4000));
    println!(
        "(a) 12 MP JPEG, {label}, wall time: corridor {:.1} ms; image crate plain decode {:.1} ms (4000x3000 RGB, 36 MB); time ratio {:.2}",
        ms(ours_wall),
        ms(plain),
        ours_wall.as_secs_f64() / plain.as_secs_f64()
    );
}

fn headless_app(content: &Path, step: Duration) -> App {
    headless_app_with(Config { content: content.to_path_buf(), ..Config::default() }, step)
}

/// Every feature plugin in a headless app (no window, no rendering), stepped by `step`.
fn headless_app_with(config: Config, step: Duration) -> App {
    let mut app = App::new();
    app.add_plugins((MinimalPlugins, AssetPlugin::default()));
    app.init_asset::<Image>();
    app.init_asset::<Font>();
    app.insert_resource(TimeUpdateStrategy::ManualDuration(step));
    app.insert_resource(ScreenClock::fixed(chrono_tz::UTC.with_ymd_and_hms(2027, 1, 4, 9, 0, 0).unwrap()));
    app.insert_resource(Settings(config));
    corridor::screen::add_features(&mut app);
    app
}

fn current(app: &App) -> Option<PathBuf> {
    app.world()
        .resource::<StageState>()
        .show
        .as_ref()?
        .current()
        .and_then(|i| i.source.file().map(|p| p.to_path_buf()))
}

fn bench_frame_times(dir: &Path) {
    let content = dir.join("frames");
    std::fs::create_dir_all(content.join("default")).expect("mkdir");
    image::RgbImage::from_pixel(64, 36, image::Rgb([200, 0, 0]))
        .save(content.join("default/1 small.png"))
        .expect("png");
    write_jpeg(&content.join("default/2 big.jpg"), 6000, 4000, 2);
    std::fs::write(content.join("default/playlist.toml"), "duration = \"1s\"\n").expect("toml");
    let mut app = headless_app(&content, Duration::from_millis(16));
    let mut frames = Vec::new();
    let start = Instant::now();
    let mut seen_big = false;
    let mut cpu = Vec::new();
    while start.elapsed() < Duration::from_secs(30) {
        let cost = measured_update(&mut app);
        frames.push(cost.wall);
        cpu.push(cost);
        if current(&app).is_some_and(|p| p.ends_with("2 big.jpg")) {
            seen_big = true;
        }
        if seen_big && frames.len() > 200 {
            break;
        }
        std::thread::sleep(Duration::from_millis(4));
    }
    let worst = frames.iter().skip(5).max().copied().unwrap_or_default();
    let worst_cpu = cpu.iter().skip(5).max_by_key(|c| c.wall).map(|c| c.cpu).unwrap_or_default();
    let longest = longest_frames(&cpu[5.min(cpu.len())..], 3);
    frames.sort();
    println!(
        "(b) our systems' frame time while a 24 MP JPEG loads ({} frames, big photo shown: {seen_big}): median {:.3} ms, p99 {:.3} ms, longest {:.3} ms (startup frames excluded); the main thread's own CPU time in the longest frame of it: {:.3} ms",
        frames.len(),
        frames[frames.len() / 2].as_secs_f64() * 1e3,
        frames[frames.len() * 99 / 100].as_secs_f64() * 1e3,
        worst.as_secs_f64() * 1e3,
        worst_cpu.as_secs_f64() * 1e3
    );
    println!("(b)   the 3 longest frames: {longest}");
}

/// Child process: play `dir` until `changes` slides have shown, then print peak RSS.
fn play_and_report(dir: &Path, changes: usize) {
    let mut app = headless_app(dir, Duration::from_millis(100));
    let mut seen = 0;
    let mut last = None;
    let start = Instant::now();
    while seen < changes && start.elapsed() < Duration::from_secs(300) {
        app.update();
        let now = current(&app);
        if now.is_some() && now != last {
            seen += 1;
            last = now;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let hwm = status.lines().find(|l| l.starts_with("VmHWM")).unwrap_or("VmHWM: ? kB");
    println!("{seen} {}", hwm.split_whitespace().nth(1).unwrap_or("?"));
}

fn bench_memory(dir: &Path) {
    let sources: Vec<PathBuf> = (0..5)
        .map(|i| {
            let p = dir.join(format!("src{i}.jpg"));
            write_jpeg(&p, 4000, 3000, 10 + i);
            p
        })
        .collect();
    let mut results = Vec::new();
    for count in [5usize, 200] {
        let content = dir.join(format!("mem{count}"));
        let pl = content.join("default");
        std::fs::create_dir_all(&pl).expect("mkdir");
        for i in 0..count {
            std::fs::copy(&sources[i % sources.len()], pl.join(format!("photo {i:03}.jpg"))).expect("copy");
        }
        std::fs::write(pl.join("playlist.toml"), "duration = \"0.5s\"\ntransition_time = \"0.2s\"\n")
            .expect("toml");
        let exe = std::env::current_exe().expect("exe");
        let out = Command::new(exe).arg("--play").arg(&content).arg("12").output().expect("child");
        let text = String::from_utf8_lossy(&out.stdout);
        let line = text.lines().last().unwrap_or("").to_string();
        let kb: f64 = line.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(f64::NAN);
        results.push((count, kb));
    }
    println!(
        "(c) peak memory (VmHWM) after 12 slides of 12 MP JPEGs at a 1280x720 stage: 5-photo folder {:.0} MB, 200-photo folder {:.0} MB, ratio {:.2}",
        results[0].1 / 1024.0,
        results[1].1 / 1024.0,
        results[1].1 / results[0].1
    );
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--play-video") {
        let dir = PathBuf::from(&args[i + 1]);
        let secs = args.get(i + 2).and_then(|s| s.parse().ok()).unwrap_or(10);
        play_video_and_report(&dir, secs, args.iter().any(|a| a == "--as-player"));
        return;
    }
    if let Some(i) = args.iter().position(|a| a == "--play") {
        let dir = PathBuf::from(&args[i + 1]);
        let changes = args.get(i + 2).and_then(|s| s.parse().ok()).unwrap_or(10);
        play_and_report(&dir, changes);
        return;
    }
    let only: Vec<&String> = args.iter().skip(1).filter(|a| !a.starts_with("--")).collect();
    let wants = |name: &str| only.is_empty() || only.iter().any(|o| o.as_str() == name);
    let dir = tempfile::tempdir().expect("tempdir");
    if wants("decode") {
        bench_decode(dir.path());
    }
    if wants("frames") {
        bench_frame_times(dir.path());
    }
    if wants("memory") {
        bench_memory(dir.path());
    }
    if wants("plan") {
        bench_plan();
    }
    if wants("live") {
        bench_live(dir.path());
    }
    if wants("ticker") {
        bench_ticker(dir.path());
    }
    if only.iter().any(|o| o.as_str() == "startup") {
        startup::bench_startup(dir.path());
    }
    if only.iter().any(|o| o.as_str() == "live-stream") {
        live_stream::bench_live_stream();
    }
    if only.iter().any(|o| o.as_str() == "live-stream-soak") {
        live_stream::bench_live_stream_soak();
    }
    if only.iter().any(|o| o.as_str() == "decks") {
        decks::bench_decks(dir.path());
    }
    if only.iter().any(|o| o.as_str() == "sync") {
        sync::bench_sync(dir.path());
    }
    if only.iter().any(|o| o.as_str() == "soak") {
        soak::bench_soak(dir.path());
    }
    if only.iter().any(|o| o.as_str() == "soak-screen") {
        soak::bench_soak_screen(dir.path());
    }
    if wants("video") {
        bench_video(dir.path());
    } else if wants("video-memory") {
        bench_video_memory(dir.path());
    }
}

fn live_app(content: &Path, status: &Path, single_threaded: bool) -> App {
    let config = Config {
        content: content.to_path_buf(),
        status_file: Some(status.to_path_buf()),
        ..Config::default()
    };
    let mut app = headless_app_with(config, Duration::from_millis(16));
    if single_threaded {
        // As the player runs them: one after another on this thread.
        corridor::screen::run_systems_in_order(&mut app);
    }
    app
}

fn listed(status: &Path, name: &str) -> bool {
    std::fs::read_to_string(status).is_ok_and(|t| t.contains(name))
}

/// CPU time this thread has used: a frame's own work, apart from time spent waiting for a core.
fn thread_cpu() -> Duration {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: `ts` is a valid timespec for the call to fill.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

/// This thread's context switches (waits, preemptions) and minor page faults so far.
fn thread_waits() -> [i64; 3] {
    // SAFETY: an all-zero rusage is valid, and getrusage fills it.
    let mut u: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_THREAD, &mut u) };
    [u.ru_nvcsw, u.ru_nivcsw, u.ru_minflt]
}

/// One frame as the main thread lived it.
#[derive(Clone, Copy)]
struct FrameCost {
    wall: Duration,
    cpu: Duration,
    /// Voluntary switches (it waited, e.g. for a lock), involuntary ones (a core was taken from
    /// it), minor page faults.
    waits: [i64; 3],
}

/// Runs one frame and says what it cost the main thread.
fn measured_update(app: &mut App) -> FrameCost {
    let (t, c, w) = (Instant::now(), thread_cpu(), thread_waits());
    app.update();
    let after = thread_waits();
    FrameCost {
        wall: t.elapsed(),
        cpu: thread_cpu().saturating_sub(c),
        waits: [after[0] - w[0], after[1] - w[1], after[2] - w[2]],
    }
}

/// The `n` longest frames: wall and CPU time, waits, preemptions and page faults in each.
fn longest_frames(costs: &[FrameCost], n: usize) -> String {
    let mut v = costs.to_vec();
    v.sort_by(|a, b| b.wall.cmp(&a.wall));
    v.iter()
        .take(n)
        .map(|f| {
            format!(
                "{:.2} ms wall / {:.2} ms CPU, {} waits, {} preemptions, {} page faults",
                f.wall.as_secs_f64() * 1e3,
                f.cpu.as_secs_f64() * 1e3,
                f.waits[0],
                f.waits[1],
                f.waits[2]
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}

fn percentile(v: &mut [Duration], p: usize) -> Duration {
    v.sort();
    v[(v.len() * p / 100).min(v.len() - 1)]
}

fn live_drops(dir: &Path, single: bool) {
    let content = dir.join(format!("live-{single}"));
    let pl = content.join("default");
    std::fs::create_dir_all(&pl).expect("mkdir");
    let mut png = std::io::Cursor::new(Vec::new());
    image::RgbImage::from_pixel(320, 180, image::Rgb([200, 20, 20]))
        .write_to(&mut png, image::ImageFormat::Png)
        .expect("png");
    let png = png.into_inner();
    for i in 0..1000 {
        std::fs::write(pl.join(format!("old {i:04}.png")), &png).expect("write");
    }
    let status = dir.join(format!("status-{single}.json"));
    let mut app = live_app(&content, &status, single);
    let start = Instant::now();
    while !listed(&status, "old 0999.png") && start.elapsed() < Duration::from_secs(60) {
        app.update();
        std::thread::sleep(Duration::from_millis(2));
    }
    // Drops: from the last byte written to the file appearing in the status file.
    let mut latencies = Vec::new();
    let (mut frames, mut cpu, mut costs) = (Vec::new(), Vec::new(), Vec::new());
    let drops = 50;
    for i in 0..drops {
        let name = format!("drop {i:02}.png");
        std::fs::write(pl.join(&name), &png).expect("write");
        let t = Instant::now();
        while !listed(&status, &name) && t.elapsed() < Duration::from_secs(20) {
            let cost = measured_update(&mut app);
            frames.push(cost.wall);
            cpu.push(cost.cpu);
            costs.push(cost);
            std::thread::sleep(Duration::from_millis(2));
        }
        latencies.push(t.elapsed());
    }
    let over = |v: &[Duration]| v.iter().filter(|f| **f > Duration::from_millis(4)).count();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!(
        "(live) {} drop into a 1,000-file playlist -> listed in the status file, {drops} drops, settle time 2 s: p50 {:.2} s, p95 {:.2} s; frames meanwhile (each drop rescans 1,000 files): longest {:.2} ms, p99 {:.3} ms, {} of {} frames over 4 ms; the main thread's own CPU time per frame: longest {:.2} ms, {} frames over 4 ms",
        if single {
            "[as the player runs: systems one after another on the screen's thread]"
        } else {
            "[for comparison: Bevy's multi-threaded executor]"
        },
        percentile(&mut latencies, 50).as_secs_f64(),
        percentile(&mut latencies, 95).as_secs_f64(),
        ms(frames.iter().max().copied().unwrap_or_default()),
        ms(percentile(&mut frames.clone(), 99)),
        over(&frames),
        frames.len(),
        ms(cpu.iter().max().copied().unwrap_or_default()),
        over(&cpu),
    );
    println!("(live)   the 3 longest frames: {}", longest_frames(&costs, 3));
}

fn bench_live(dir: &Path) {
    for single in [false, true] {
        live_drops(dir, single);
    }
    let content = dir.join("live-false");
    let status = dir.join("status-alert.json");
    let mut app = live_app(&content, &status, false);
    let start = Instant::now();
    while !listed(&status, "old 0999.png") && start.elapsed() < Duration::from_secs(60) {
        app.update();
        std::thread::sleep(Duration::from_millis(2));
    }
    let mut alerts = Vec::new();
    for _ in 0..10 {
        std::fs::write(content.join("ALERT.txt"), "Fire drill\nPlease leave by the nearest exit.")
            .expect("write");
        let t = Instant::now();
        while !app.world().resource::<corridor::screen::AlertShowing>().0
            && t.elapsed() < Duration::from_secs(10)
        {
            app.update();
            std::thread::sleep(Duration::from_millis(2));
        }
        alerts.push(t.elapsed());
        std::fs::remove_file(content.join("ALERT.txt")).expect("remove");
        let t = Instant::now();
        while app.world().resource::<corridor::screen::AlertShowing>().0
            && t.elapsed() < Duration::from_secs(10)
        {
            app.update();
            std::thread::sleep(Duration::from_millis(2));
        }
    }
    println!(
        "(live) ALERT.txt written -> alert on screen, 10 times: p50 {:.2} s, worst {:.2} s",
        percentile(&mut alerts, 50).as_secs_f64(),
        percentile(&mut alerts, 100).as_secs_f64()
    );
}

/// A 200-slot schedule: assorted days, times, date ranges and terms.
fn big_schedule() -> corridor::core::schedule::Schedule {
    use corridor::core::schedule::{Schedule, Slot, What};
    use corridor::core::when::{DaySet, TimeRange};
    let days = [DaySet::ALL, corridor::core::when::parse_days("weekdays").expect("days")];
    let slots = (0..200u32)
        .map(|i| {
            let mut s =
                Slot::new(if i % 17 == 0 { What::Off } else { What::Playlist(format!("p{}", i % 12)) });
            s.days = days[(i % 2) as usize];
            let from = chrono::NaiveTime::from_hms_opt(6 + i % 12, (i * 7) % 60, 0).expect("time");
            let to = chrono::NaiveTime::from_hms_opt(7 + (i * 5) % 16, (i * 11) % 60, 0).expect("time");
            if from != to {
                s.time = Some(TimeRange { from, to: Some(to) });
            }
            if i % 3 == 0 {
                let a = chrono::NaiveDate::from_ymd_opt(2027, 1, 1).expect("date")
                    + chrono::Duration::days((i * 13 % 365) as i64);
                s.dates = Some((a, a + chrono::Duration::days((i % 20) as i64)));
            }
            s.priority = (i % 4) as i64;
            s
        })
        .collect();
    Schedule::new(slots)
}

fn bench_plan() {
    let schedule = big_schedule();
    let from = chrono::NaiveDate::from_ymd_opt(2027, 1, 1).expect("date").and_hms_opt(0, 0, 0).expect("time");
    let to = from + chrono::Duration::days(365);
    let t = Instant::now();
    let lines = corridor::core::schedule::plan_lines(&schedule, from, to);
    let plan = t.elapsed();
    let t = Instant::now();
    let mut changes = 0usize;
    let mut last = schedule.decide(from);
    let mut m = from;
    while m < to {
        let d = schedule.decide(m);
        if d != last {
            changes += 1;
            last = d;
        }
        m += chrono::Duration::minutes(1);
    }
    let minutes = t.elapsed();
    println!(
        "(plan) a year of a 200-slot schedule: plan (boundary to boundary) {:.1} ms, {} lines; deciding every one of the 525,600 minutes {:.0} ms ({} changes)",
        plan.as_secs_f64() * 1e3,
        lines.len(),
        minutes.as_secs_f64() * 1e3,
        changes
    );
}

/// An RSS document of about `bytes` bytes, or of `items` items, whichever comes first: items
/// with titles (some with markup and entities), dates and descriptions, like a busy blog's feed.
fn big_feed(bytes: usize, items: usize) -> String {
    let mut doc = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><rss version=\"2.0\"><channel><title>Blog</title><link>http://example.org/</link><description>d</description>\n",
    );
    let mut i = 0;
    while doc.len() < bytes && i < items {
        doc.push_str(&format!(
            "<item><title>Class {i}: our trip to the &lt;b&gt;museum&lt;/b&gt; &amp; the park</title><link>http://example.org/{i}</link><pubDate>Mon, 0{} Jan 2027 09:00:00 +0000</pubDate><description>&lt;p&gt;We saw dinosaurs, fossils and a whale skeleton. Everyone behaved beautifully and the coach was on time.&lt;/p&gt;</description></item>\n",
            1 + i % 9
        ));
        i += 1;
    }
    doc.push_str("</channel></rss>");
    doc
}

/// Times corridor's `feeds::parse` + `select` of `doc` against the `rss` crate's
/// `Channel::read_from` (a dev-dependency, kept as the reference), median of 20 runs each.
fn parse_ratio(doc: &str) {
    let runs = 20;
    let mut ours = Vec::new();
    let mut theirs = Vec::new();
    let (mut count, mut items) = (0, 0);
    for _ in 0..runs {
        let t = Instant::now();
        let list = corridor::core::feeds::parse(doc.as_bytes()).expect("parse");
        let list = corridor::core::feeds::select(list, 15, None, chrono::Utc::now());
        ours.push(t.elapsed());
        count = list.len();
        let t = Instant::now();
        let channel = rss::Channel::read_from(doc.as_bytes()).expect("rss");
        theirs.push(t.elapsed());
        items = channel.items().len();
    }
    let (o, r) = (median(ours), median(theirs));
    println!(
        "(ticker) parse of a {:.2} MB RSS feed of {items} items, median of {runs}: corridor {:.2} ms (reads at most {} items, {count} headlines kept) vs rss crate {:.2} ms: ratio {:.2}",
        doc.len() as f64 / 1e6,
        o.as_secs_f64() * 1e3,
        corridor::core::feeds::MAX_ITEMS,
        r.as_secs_f64() * 1e3,
        o.as_secs_f64() / r.as_secs_f64()
    );
}

/// Times the ticker's own systems (between markers around `TickerSystems`) with 500 headlines
/// going round. There is no renderer in a headless app, so a stand-in gives each new node the
/// size the UI layout would (strip 1920 px wide, a headline 700 px).
fn bench_ticker(dir: &Path) {
    // Parse, ours (encoding, detection, lenient reading, cleaning, ordering) vs the rss crate's:
    // a 1 MB feed (corridor stops after MAX_ITEMS items, the rss crate reads them all), and a
    // feed of MAX_ITEMS items, which both read whole.
    parse_ratio(&big_feed(1_000_000, usize::MAX));
    parse_ratio(&big_feed(usize::MAX, corridor::core::feeds::MAX_ITEMS));

    for single in [false, true] {
        ticker_frames(dir, single);
    }
}

fn ticker_frames(dir: &Path, single: bool) {
    use corridor::screen::{TickerStrip, TickerSystems};
    // Frames: 500 headlines in the loop.
    let content = dir.join(format!("ticker-{single}"));
    std::fs::create_dir_all(content.join("default")).expect("mkdir");
    let titles: Vec<String> = (0..500)
        .map(|i| format!("<item><title>Headline number {i} from the class blog</title></item>"))
        .collect();
    std::fs::write(
        content.join("news.xml"),
        format!("<rss version=\"2.0\"><channel><title>t</title>{}</channel></rss>", titles.concat()),
    )
    .expect("feed");
    std::fs::write(
        content.join("ticker.toml"),
        "[ticker]\nspeed = 120\n[[feed]]\nurl = \"news.xml\"\nlabel = \"News\"\nmax_items = 500\n",
    )
    .expect("toml");
    let state = dir.join("ticker-state");
    let config = Config { content: content.clone(), state_folder: Some(state), ..Config::default() };
    let mut app = headless_app_with(config, Duration::from_millis(16));
    if single {
        corridor::screen::run_systems_in_order(&mut app);
    }
    #[derive(Resource, Default)]
    struct Timing(Option<Instant>, Vec<Duration>);
    app.init_resource::<Timing>();
    app.add_systems(Update, (|mut t: ResMut<Timing>| t.0 = Some(Instant::now())).before(TickerSystems));
    app.add_systems(
        Update,
        (|mut t: ResMut<Timing>| {
            if let Some(s) = t.0.take() {
                t.1.push(s.elapsed());
            }
        })
        .after(TickerSystems),
    );
    app.add_systems(PostUpdate, |mut nodes: Query<(&mut ComputedNode, Has<TickerStrip>)>| {
        for (mut node, strip) in &mut nodes {
            if node.size.x == 0.0 {
                node.size = if strip { Vec2::new(1920.0, 86.0) } else { Vec2::new(700.0, 40.0) };
            }
        }
    });
    let start = Instant::now();
    let mut texts = Vec::new();
    while start.elapsed() < Duration::from_secs(20) {
        app.update();
        let n = app
            .world_mut()
            .query::<&Name>()
            .iter(app.world())
            .filter(|n| n.as_str() == "ticker text")
            .count();
        texts.push(n);
        if app.world().resource::<Timing>().1.len() >= 5000 {
            break;
        }
    }
    let mut frames = std::mem::take(&mut app.world_mut().resource_mut::<Timing>().1);
    let skip = frames.len().min(60);
    let mut steady: Vec<Duration> = frames.split_off(skip);
    let longest = steady.iter().max().copied().unwrap_or_default();
    let mean = steady.iter().sum::<Duration>() / steady.len().max(1) as u32;
    println!(
        "(ticker) the ticker's systems per frame [{}], 500 headlines in the loop, {} frames (first {skip} skipped): median {:.4} ms, mean {:.4} ms, p99 {:.4} ms, longest {:.3} ms; texts alive at once: at most {}",
        if single {
            "as the player runs: one after another on the screen's thread"
        } else {
            "Bevy's multi-threaded executor"
        },
        steady.len(),
        percentile(&mut steady, 50).as_secs_f64() * 1e3,
        mean.as_secs_f64() * 1e3,
        percentile(&mut steady, 99).as_secs_f64() * 1e3,
        longest.as_secs_f64() * 1e3,
        texts.iter().max().unwrap_or(&0),
    );
}

/// A 1080p H.264 clip of `secs` seconds at `fps` (moving test pattern), made with gst-launch-1.0:
/// 8-bit 4:2:0, as cameras and phones record (left to itself, x264enc would take videotestsrc's
/// 4:4:4 and make a 10-bit High 4:4:4 file that few real films are). `preset` is x264's speed
/// preset: `ultrafast` makes a simple Baseline stream; slower ones use the Main/High tools
/// (CABAC, B-frames) that real films use and that cost more to decode.
fn make_h264(path: &Path, secs: u32, fps: u32, preset: &str) {
    make_h264_at(path, secs, fps, preset, (1920, 1080));
}

/// A small clip for runs that play many films: ultrafast, at `size`.
fn make_h264_sized(path: &Path, secs: u32, fps: u32, size: (u32, u32)) {
    make_h264_at(path, secs, fps, "ultrafast", size);
}

fn make_h264_at(path: &Path, secs: u32, fps: u32, preset: &str, (w, h): (u32, u32)) {
    let desc = format!(
        "videotestsrc pattern=ball num-buffers={} ! video/x-raw,format=I420,width={w},height={h},framerate={fps}/1 ! x264enc speed-preset={preset} key-int-max=60 ! mp4mux ! filesink location={}",
        secs * fps,
        path.display()
    );
    let ok = Command::new("sh")
        .arg("-c")
        .arg(format!("gst-launch-1.0 -q {desc}"))
        .status()
        .expect("gst-launch-1.0");
    assert!(ok.success(), "{desc}");
}

/// Child process: plays the video playlist in `dir` for `secs` seconds of real time (the show
/// clock follows the wall clock, as in the player), then prints its peak memory.
fn play_video_and_report(dir: &Path, secs: u64, as_player: bool) {
    let mut app = headless_app(dir, Duration::from_millis(16));
    app.insert_resource(TimeUpdateStrategy::Automatic);
    if as_player {
        corridor::screen::run_systems_in_order(&mut app);
    }
    let mut started: Option<Instant> = None;
    let limit = Instant::now();
    while started.is_none_or(|s| s.elapsed() < Duration::from_secs(secs))
        && limit.elapsed() < Duration::from_secs(secs + 60)
    {
        app.update();
        if started.is_none() && current(&app).is_some() {
            started = Some(Instant::now());
        }
        std::thread::sleep(Duration::from_millis(15));
    }
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let hwm = status.lines().find(|l| l.starts_with("VmHWM")).unwrap_or("VmHWM: ? kB");
    println!(
        "{} {}",
        started.map_or(0, |s| s.elapsed().as_secs()),
        hwm.split_whitespace().nth(1).unwrap_or("?")
    );
}

fn bench_video(dir: &Path) {
    use corridor::core::media::video::{PlayOptions, VideoEvent, VideoStream};
    let clip = dir.join("clip-1080p.mp4");
    make_h264(&clip, 10, 30, "veryfast");
    // GStreamer's own decode of the file, as fast as it can.
    let mut theirs = Vec::new();
    let mut ours = Vec::new();
    let mut frames = 0;
    for _ in 0..3 {
        let t = Instant::now();
        let ok = Command::new("gst-launch-1.0")
            .args([
                "-q",
                "filesrc",
                &format!("location={}", clip.display()),
                "!",
                "decodebin",
                "!",
                "fakesink",
                "sync=false",
            ])
            .status()
            .expect("gst-launch-1.0");
        assert!(ok.success());
        theirs.push(t.elapsed());
        // Ours: decoded, as I420 planes at a 1080p stage, handed over, every frame.
        let t = Instant::now();
        let stream =
            VideoStream::open(&clip, (1920, 1080), PlayOptions { fit: Fit::Contain, ..Default::default() })
                .expect("open");
        let mut n = usize::from(stream.take_first().is_some());
        loop {
            match stream.try_next() {
                Some(VideoEvent::Frame(f)) => {
                    n += 1;
                    std::hint::black_box(f.planes);
                }
                Some(VideoEvent::End) => break,
                Some(VideoEvent::Failed(e)) => panic!("{e}"),
                None => std::thread::sleep(Duration::from_micros(200)),
            }
        }
        ours.push(t.elapsed());
        frames = n;
    }
    let (t, o) = (median(theirs), median(ours));
    println!(
        "(video) 10 s 1080p30 H.264 clip: gst-launch-1.0 decodebin ! fakesink sync=false {:.2} s ({:.0} frames/s); corridor decode + I420 planes at 1920x1080 + hand-over {:.2} s ({frames} frames, {:.0} frames/s): ratio {:.2}",
        t.as_secs_f64(),
        300.0 / t.as_secs_f64(),
        o.as_secs_f64(),
        frames as f64 / o.as_secs_f64(),
        o.as_secs_f64() / t.as_secs_f64()
    );

    // Main-thread time per frame while the clip plays in the player (real time, 60 frames/s).
    let content = dir.join("video-play");
    std::fs::create_dir_all(content.join("default")).expect("mkdir");
    std::fs::copy(&clip, content.join("default/film.mp4")).expect("copy");
    let mut config =
        Config { content: content.clone(), state_folder: Some(dir.join("vstate")), ..Config::default() };
    config.layout.widgets = false;
    config.layout.ticker = false;
    let mut app = headless_app_with(config, Duration::from_millis(16));
    corridor::screen::run_systems_in_order(&mut app);
    let mut times = Vec::new();
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(8) {
        let t = Instant::now();
        app.update();
        if current(&app).is_some() {
            times.push(t.elapsed());
        }
        std::thread::sleep(Duration::from_millis(14));
    }
    let longest = times.iter().max().copied().unwrap_or_default();
    println!(
        "(video) main-thread time per frame while the 1080p clip plays (decoded to a 1280x720 stage, {} frames at 60 Hz): median {:.3} ms, p99 {:.3} ms, longest {:.3} ms",
        times.len(),
        percentile(&mut times.clone(), 50).as_secs_f64() * 1e3,
        percentile(&mut times, 99).as_secs_f64() * 1e3,
        longest.as_secs_f64() * 1e3
    );

    if !std::env::args().any(|a| a == "--no-memory") {
        bench_video_memory(dir);
    }
}

fn bench_video_memory(dir: &Path) {
    // Peak memory: a 10-minute clip against a 10-second one, each played through once.
    for as_player in [true] {
        let mut peaks = Vec::new();
        for (name, secs, fps) in [("short", 10u32, 10u32), ("long", 600, 10)] {
            let content = dir.join(format!("video-{name}"));
            let film = content.join("default/film.mp4");
            if !film.exists() {
                std::fs::create_dir_all(content.join("default")).expect("mkdir");
                make_h264(&film, secs, fps, "ultrafast");
            }
            let exe = std::env::current_exe().expect("exe");
            let mut child = Command::new(exe);
            child.arg("--play-video").arg(&content).arg(secs.to_string());
            if as_player {
                child.arg("--as-player");
            }
            let out = child.output().expect("child");
            let text = String::from_utf8_lossy(&out.stdout);
            let line = text.lines().last().unwrap_or("").to_string();
            let kb: f64 = line.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(f64::NAN);
            peaks.push(kb);
        }
        println!(
            "(video) peak memory (VmHWM) playing a 1080p clip through once at a 1280x720 stage [{}]: 10 s {:.0} MB, 10 min {:.0} MB, ratio {:.2}",
            if as_player {
                "as the player runs"
            } else {
                "Bevy's default executor, default allocator settings"
            },
            peaks[0] / 1024.0,
            peaks[1] / 1024.0,
            peaks[1] / peaks[0]
        );
    }
}
