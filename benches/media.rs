//! Benchmarks of the player foundation (run: `cargo bench --bench media`). Figures go to
//! BENCHMARKS.md. Not a test: it measures, it does not assert.
//!
//! (a) decode + downscale of a 12-megapixel JPEG to a 1080p stage vs the `image` crate's plain decode;
//! (b) the longest frame of our own systems (headless app) while a 24-megapixel photo loads;
//! (c) peak memory (VmHWM) playing a 200-photo folder of 12 MP JPEGs vs a 5-photo folder.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use bevy::prelude::*;
use bevy::time::TimeUpdateStrategy;
use chrono::TimeZone;
use corridor::core::config::{Config, Fit};
use corridor::core::media::{self, Limits};
use corridor::screen::{ScreenClock, Settings, StageState};

const LIMITS: Limits = Limits {
    max_megapixels: 100.0,
};

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
    let mut enc =
        image::codecs::jpeg::JpegEncoder::new_with_quality(std::io::BufWriter::new(file), 90);
    enc.encode_image(&photo(w, h, seed)).expect("encode");
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn bench_decode(dir: &Path) {
    let path = dir.join("12mp.jpg");
    write_jpeg(&path, 4000, 3000, 1);
    let bytes = std::fs::read(&path).expect("read");
    let ours = median(
        (0..7)
            .map(|_| {
                let t = Instant::now();
                let f = media::decode_image_bytes(&bytes, (1920, 1080), Fit::Contain, LIMITS)
                    .expect("decode");
                assert_eq!(f.height, 1080);
                t.elapsed()
            })
            .collect(),
    );
    let plain = median(
        (0..7)
            .map(|_| {
                let t = Instant::now();
                let img = image::load_from_memory(&bytes).expect("decode");
                assert_eq!(img.width(), 4000);
                t.elapsed()
            })
            .collect(),
    );
    println!(
        "(a) 12 MP JPEG (4000x3000, {:.1} MB): corridor decode+downscale to 1440x1080: {:.1} ms; image crate plain decode: {:.1} ms; ratio {:.2}",
        bytes.len() as f64 / 1e6,
        ours.as_secs_f64() * 1e3,
        plain.as_secs_f64() * 1e3,
        ours.as_secs_f64() / plain.as_secs_f64()
    );
}

fn headless_app(content: &Path, step: Duration) -> App {
    let mut app = App::new();
    app.add_plugins((MinimalPlugins, AssetPlugin::default()));
    app.init_asset::<Image>();
    app.init_asset::<Font>();
    app.insert_resource(TimeUpdateStrategy::ManualDuration(step));
    let config = Config {
        content: content.to_path_buf(),
        ..Config::default()
    };
    app.insert_resource(ScreenClock::fixed(
        chrono_tz::UTC
            .with_ymd_and_hms(2027, 1, 4, 9, 0, 0)
            .unwrap(),
    ));
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
        .map(|i| i.path.clone())
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
    while start.elapsed() < Duration::from_secs(30) {
        let t = Instant::now();
        app.update();
        frames.push(t.elapsed());
        if current(&app).is_some_and(|p| p.ends_with("2 big.jpg")) {
            seen_big = true;
        }
        if seen_big && frames.len() > 200 {
            break;
        }
        std::thread::sleep(Duration::from_millis(4));
    }
    let worst = frames.iter().skip(5).max().copied().unwrap_or_default();
    frames.sort();
    println!(
        "(b) our systems' frame time while a 24 MP JPEG loads ({} frames, big photo shown: {seen_big}): median {:.3} ms, p99 {:.3} ms, longest {:.3} ms (startup frames excluded)",
        frames.len(),
        frames[frames.len() / 2].as_secs_f64() * 1e3,
        frames[frames.len() * 99 / 100].as_secs_f64() * 1e3,
        worst.as_secs_f64() * 1e3
    );
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
    let hwm = status
        .lines()
        .find(|l| l.starts_with("VmHWM"))
        .unwrap_or("VmHWM: ? kB");
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
            std::fs::copy(
                &sources[i % sources.len()],
                pl.join(format!("photo {i:03}.jpg")),
            )
            .expect("copy");
        }
        std::fs::write(
            pl.join("playlist.toml"),
            "duration = \"0.5s\"\ntransition_time = \"0.2s\"\n",
        )
        .expect("toml");
        let exe = std::env::current_exe().expect("exe");
        let out = Command::new(exe)
            .arg("--play")
            .arg(&content)
            .arg("12")
            .output()
            .expect("child");
        let text = String::from_utf8_lossy(&out.stdout);
        let line = text.lines().last().unwrap_or("").to_string();
        let kb: f64 = line
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(f64::NAN);
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
    if let Some(i) = args.iter().position(|a| a == "--play") {
        let dir = PathBuf::from(&args[i + 1]);
        let changes = args.get(i + 2).and_then(|s| s.parse().ok()).unwrap_or(10);
        play_and_report(&dir, changes);
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    bench_decode(dir.path());
    bench_frame_times(dir.path());
    bench_memory(dir.path());
}
