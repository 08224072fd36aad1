//! (soak) Months without a restart, compressed: the whole player (every feature plugin, headless,
//! a real content folder and a status file) driven through a simulated school week with the
//! schedule's clock at ×336 (a week in 30 minutes) while slides change every second of real
//! time, staff files are added, replaced and deleted every few seconds, ALERT.txt goes on and
//! off, house points change, and a feed served by a real HTTP server on 127.0.0.1 changes and
//! fails. Reports resident memory, open file descriptors and threads at the start (after a
//! warm-up), the middle and the end. Wall time: `CORRIDOR_SOAK_MINUTES` (default 30).
//!
//! (soak-screen) The real `corridor` binary on the sample content under Xvfb (software
//! rendering), in real time, for `CORRIDOR_SOAK_MINUTES` (default 60): the same three figures,
//! read from /proc, and that frames kept coming (WATCHDOG=1 on a notify socket).

use std::io::{Read, Write};
use std::net::TcpListener;
use std::os::unix::net::UnixDatagram;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::time::{Duration, Instant};

use bevy::prelude::*;
use bevy::time::TimeUpdateStrategy;
use chrono::TimeZone;
use corridor::core::config::Config;
use corridor::screen::{AlertShowing, ScreenClock, StageState};

/// The schedule's clock runs this many times faster than the wall clock: a school week (168
/// hours) in 30 minutes.
const SPEED: f64 = 336.0;

/// Resident memory (MB), open file descriptors and threads of process `pid` ("self" for this one).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Sample {
    rss_mb: f64,
    fds: usize,
    threads: usize,
}

pub(crate) fn sample(pid: &str) -> Sample {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| -> f64 {
        let line = status.lines().find(|l| l.starts_with(name));
        line.and_then(|l| l.split_whitespace().nth(1)).and_then(|v| v.parse().ok()).unwrap_or(f64::NAN)
    };
    let count = |dir: String| std::fs::read_dir(dir).map_or(0, |d| d.count());
    Sample {
        rss_mb: field("VmRSS:") / 1024.0,
        fds: count(format!("/proc/{pid}/fd")),
        threads: field("Threads:") as usize,
    }
}

fn describe(label: &str, s: Sample) -> String {
    format!("{label}: RSS {:.1} MB, {} fds, {} threads", s.rss_mb, s.fds, s.threads)
}

/// How far `end` moved from `start`, in per cent.
fn drift(start: f64, end: f64) -> f64 {
    (end - start) / start * 100.0
}

/// The largest figures among `samples` taken between `from` and `to` (fractions of the run):
/// a film's pipeline brings its own threads and files while it plays, so single readings
/// depend on what happens to be on screen.
fn window(samples: &[(f64, Sample)], from: f64, to: f64) -> Sample {
    let inside = samples.iter().filter(|(at, _)| (from..=to).contains(at)).map(|(_, s)| *s);
    inside.fold(Sample { rss_mb: 0.0, fds: 0, threads: 0 }, |a, b| Sample {
        rss_mb: a.rss_mb.max(b.rss_mb),
        fds: a.fds.max(b.fds),
        threads: a.threads.max(b.threads),
    })
}

/// Start (after a tenth of the run, the warm-up), middle and end, as the largest figures in a
/// tenth of the run each.
pub(crate) fn print_windows(section: &str, samples: &[(f64, Sample)]) {
    let (start, middle, end) =
        (window(samples, 0.1, 0.2), window(samples, 0.45, 0.55), window(samples, 0.9, 1.0));
    print_verdict(section, start, middle, end);
}

fn print_verdict(section: &str, start: Sample, middle: Sample, end: Sample) {
    println!(
        "({section}) {}; {}; {}",
        describe("start (largest in 10-20 % of the run)", start),
        describe("middle (45-55 %)", middle),
        describe("end (90-100 %)", end)
    );
    println!(
        "({section}) start -> end: RSS {:+.1} %, fds {:+.1} %, threads {:+.1} % (goal: each within 10 %)",
        drift(start.rss_mb, end.rss_mb),
        drift(start.fds as f64, end.fds as f64),
        drift(start.threads as f64, end.threads as f64)
    );
}

fn minutes(default: f64) -> Duration {
    let m = std::env::var("CORRIDOR_SOAK_MINUTES").ok().and_then(|v| v.parse::<f64>().ok());
    Duration::from_secs_f64(m.unwrap_or(default) * 60.0)
}

/// A feed server on 127.0.0.1 whose answers change with every request: a good feed with new
/// headlines, then a server error, then garbage, then a good feed again.
struct FeedServer {
    url: String,
    hits: Arc<AtomicU32>,
    stop: Arc<AtomicBool>,
}

impl FeedServer {
    fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.set_nonblocking(true).expect("nonblocking");
        let url = format!("http://{}/feed.xml", listener.local_addr().expect("addr"));
        let (hits, stop) = (Arc::new(AtomicU32::new(0)), Arc::new(AtomicBool::new(false)));
        let (h, s) = (hits.clone(), stop.clone());
        std::thread::spawn(move || {
            while !s.load(Ordering::Relaxed) {
                match listener.accept() {
                    Ok((stream, _)) => answer(stream, h.fetch_add(1, Ordering::Relaxed)),
                    Err(_) => std::thread::sleep(Duration::from_millis(20)),
                }
            }
        });
        Self { url, hits, stop }
    }
}

impl Drop for FeedServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

fn answer(mut stream: std::net::TcpStream, n: u32) {
    let _ = stream.set_nonblocking(false);
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    let mut buf = [0u8; 2048];
    let _ = stream.read(&mut buf);
    let (status, body) = match n % 4 {
        1 => ("500 Internal Server Error", "oops".to_string()),
        2 => ("200 OK", "<rss><channel><item><title>broken".to_string()),
        _ => ("200 OK", feed(n)),
    };
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: application/rss+xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(body.as_bytes());
}

fn feed(n: u32) -> String {
    let items: String =
        (0..8).map(|i| format!("<item><title>Class blog post {n}.{i}</title></item>")).collect();
    format!("<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Blog</title>{items}</channel></rss>")
}

fn png(w: u32, h: u32, shade: u8) -> Vec<u8> {
    let img = image::RgbImage::from_fn(w, h, |x, y| image::Rgb([shade, (x % 256) as u8, (y % 256) as u8]));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).expect("png");
    out.into_inner()
}

const SCHEDULE: &str = r#"
[[slot]]
name = "Morning"
playlist = "morning"
days = "weekdays"
from = "08:00"
to = "12:00"

[[slot]]
name = "Lunch"
playlist = "lunch"
days = "weekdays"
from = "12:00"
to = "13:15"

[[slot]]
name = "Assembly"
playlist = "assembly"
days = ["mon", "thu"]
from = "09:00"
to = "09:30"
interrupt = true
"#;

/// The content folder: the sample content's widget files, three playlists and a default with a
/// film, a schedule, and a ticker with a feed from `feed_url`.
fn make_content(dir: &Path, feed_url: &str) -> PathBuf {
    let content = dir.join("soak");
    for name in ["morning", "lunch", "assembly", "default"] {
        let pl = content.join(name);
        std::fs::create_dir_all(&pl).expect("mkdir");
        std::fs::write(pl.join("playlist.toml"), "duration = \"1s\"\n").expect("toml");
        for i in 0..3u8 {
            std::fs::write(pl.join(format!("{i} picture.png")), png(1280, 720, i * 60)).expect("png");
        }
        std::fs::write(pl.join("9 notice.txt"), format!("{name}\nSomething to read in the corridor."))
            .expect("notice");
    }
    crate::make_h264_sized(&content.join("default/5-film.mp4"), 3, 25, (640, 360));
    for f in ["awards.toml", "birthdays.csv", "countdowns.toml", "house-points.toml", "sports.toml"] {
        let _ = std::fs::copy(Path::new("playlists").join(f), content.join(f));
    }
    std::fs::write(content.join("schedule.toml"), SCHEDULE).expect("schedule");
    write_ticker(&content, feed_url, 0);
    content
}

fn write_ticker(content: &Path, feed_url: &str, n: u32) {
    // A different address each time makes the feed new, so it is fetched at once (no waiting
    // for the one-minute refresh); the query string keeps the server the same.
    let toml = format!(
        "[ticker]\nrefresh = \"1m\"\n\n[[feed]]\nurl = \"{feed_url}?v={}\"\nlabel = \"Blog\"\n\n[[message]]\ntext = \"Message {n}\"\n",
        n % 3
    );
    std::fs::write(content.join("ticker.toml"), toml).expect("ticker");
}

/// What staff do, one step every few seconds: add, replace and delete pictures, ALERT.txt on
/// and off, new house points, a new ticker.toml.
fn staff_step(content: &Path, feed_url: &str, step: u32) {
    let playlists = ["morning", "lunch", "assembly", "default"];
    let pl = content.join(playlists[(step % 4) as usize]);
    let _ = match step % 6 {
        0 | 3 => std::fs::write(pl.join(format!("new {step}.png")), png(640, 360, step as u8)),
        1 => std::fs::write(pl.join("0 picture.png"), png(1280, 720, step as u8)),
        2 => remove_oldest_new(&pl),
        4 => std::fs::write(
            content.join("house-points.toml"),
            format!(
                "[[house]]\nname = \"Oak\"\npoints = {step}\n\n[[house]]\nname = \"Ash\"\npoints = 400\n"
            ),
        ),
        _ => Ok(write_ticker(content, feed_url, step / 6)),
    };
    if step % 10 == 0 {
        let _ = std::fs::write(content.join("ALERT.txt"), "Fire drill\nPlease leave by the nearest exit.");
    } else if step % 10 == 3 {
        let _ = std::fs::remove_file(content.join("ALERT.txt"));
    }
}

fn remove_oldest_new(pl: &Path) -> std::io::Result<()> {
    let mut news: Vec<PathBuf> = std::fs::read_dir(pl)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.file_name().is_some_and(|n| n.to_string_lossy().starts_with("new ")))
        .collect();
    news.sort();
    match news.first() {
        Some(p) => std::fs::remove_file(p),
        None => Ok(()),
    }
}

/// What the run saw: slides shown, playlists changed, alerts shown.
#[derive(Default)]
struct Seen {
    slides: u32,
    playlist_changes: u32,
    alerts: u32,
    last: Option<(String, PathBuf)>,
    alert_on: bool,
}

impl Seen {
    fn look(&mut self, app: &App) {
        let world = app.world();
        let show = world.resource::<StageState>().show.as_ref();
        let now = show.and_then(|s| {
            let item = s.current()?;
            Some((s.playlist().name.clone(), item.source.file()?.to_path_buf()))
        });
        if now.is_some() && now != self.last {
            self.slides += 1;
            if now.as_ref().map(|n| &n.0) != self.last.as_ref().map(|l| &l.0) {
                self.playlist_changes += 1;
            }
            self.last = now;
        }
        let alert = world.resource::<AlertShowing>().0;
        self.alerts += u32::from(alert && !self.alert_on);
        self.alert_on = alert;
    }
}

pub fn bench_soak(dir: &Path) {
    let wall = minutes(30.0);
    let server = FeedServer::start();
    let content = make_content(dir, &server.url);
    let config = Config {
        content: content.clone(),
        status_file: Some(dir.join("soak-status.json")),
        ..Config::default()
    };
    let mut app = crate::headless_app_with(config, Duration::from_millis(16));
    app.insert_resource(TimeUpdateStrategy::Automatic);
    corridor::screen::run_systems_in_order(&mut app);
    let monday = chrono_tz::UTC.with_ymd_and_hms(2027, 1, 4, 7, 0, 0).unwrap();
    let (t0, mut seen, mut steps) = (Instant::now(), Seen::default(), 0u32);
    let (mut samples, mut next_sample, mut next_report) = (Vec::new(), Duration::ZERO, Duration::ZERO);
    while t0.elapsed() < wall {
        let frame = Instant::now();
        let sim = chrono::Duration::milliseconds((t0.elapsed().as_secs_f64() * SPEED * 1e3) as i64);
        app.insert_resource(ScreenClock::fixed(monday + sim));
        app.update();
        seen.look(&app);
        if t0.elapsed() >= Duration::from_secs(3) * steps {
            staff_step(&content, &server.url, steps);
            steps += 1;
        }
        if t0.elapsed() >= next_sample {
            samples.push((t0.elapsed().as_secs_f64() / wall.as_secs_f64(), sample("self")));
            next_sample += Duration::from_secs(1);
        }
        if t0.elapsed() >= next_report {
            let at = monday + sim;
            println!(
                "(soak) {:>5.1} min, show clock {}: {}; {} slides, {} playlist changes, {} alerts, {} feed requests",
                t0.elapsed().as_secs_f64() / 60.0,
                at.format("%a %H:%M"),
                describe("now", sample("self")),
                seen.slides,
                seen.playlist_changes,
                seen.alerts,
                server.hits.load(Ordering::Relaxed)
            );
            next_report += wall / 10;
        }
        std::thread::sleep(Duration::from_millis(16).saturating_sub(frame.elapsed()));
    }
    println!(
        "(soak) {:.0} min wall, show clock x{SPEED} ({:.1} simulated days): {} slides, {} playlist changes, {} alerts, {} staff steps, {} feed requests",
        wall.as_secs_f64() / 60.0,
        wall.as_secs_f64() * SPEED / 86400.0,
        seen.slides,
        seen.playlist_changes,
        seen.alerts,
        steps,
        server.hits.load(Ordering::Relaxed)
    );
    print_windows("soak", &samples);
}

/// The real binary on the sample content under Xvfb, in real time.
pub fn bench_soak_screen(dir: &Path) {
    let wall = minutes(60.0);
    let (mut server, display) = crate::startup::x_server_sized("1280x720x24");
    let socket_path = dir.join("soak-notify.sock");
    let _ = std::fs::remove_file(&socket_path);
    let socket = UnixDatagram::bind(&socket_path).expect("socket");
    socket.set_read_timeout(Some(Duration::from_millis(200))).expect("timeout");
    let cfg = dir.join("soak-screen.toml");
    std::fs::write(&cfg, "play_log = \"off\"\n").expect("config");
    let mut child = Command::new(env!("CARGO_BIN_EXE_corridor"))
        .args(["run", "--content", "playlists", "--config"])
        .arg(&cfg)
        .env("DISPLAY", &display)
        .env_remove("WAYLAND_DISPLAY")
        .env("NOTIFY_SOCKET", &socket_path)
        .env("WATCHDOG_USEC", "10000000")
        .env("XDG_RUNTIME_DIR", dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start corridor");
    let pid = child.id().to_string();
    let (t0, mut pings, mut buf) = (Instant::now(), 0u32, [0u8; 512]);
    let (mut samples, mut next_sample, mut last_ping) = (Vec::new(), Duration::ZERO, Instant::now());
    let mut longest_silence = Duration::ZERO;
    while t0.elapsed() < wall && child.try_wait().ok().flatten().is_none() {
        if let Ok(n) = socket.recv(&mut buf) {
            if &buf[..n] == b"WATCHDOG=1" {
                pings += 1;
                longest_silence = longest_silence.max(last_ping.elapsed());
                last_ping = Instant::now();
            }
        }
        if t0.elapsed() >= next_sample {
            samples.push((t0.elapsed().as_secs_f64() / wall.as_secs_f64(), sample(&pid)));
            next_sample += Duration::from_secs(5);
        }
    }
    let alive = child.try_wait().ok().flatten().is_none();
    let _ = child.kill();
    let _ = child.wait();
    let _ = server.kill();
    let _ = server.wait();
    println!(
        "(soak-screen) {:.0} min real time, 1280x720 Xvfb, sample content: still running at the end: {alive}; {pings} watchdog pings, longest gap between two {:.1} s",
        wall.as_secs_f64() / 60.0,
        longest_silence.as_secs_f64()
    );
    print_windows("soak-screen", &samples);
}
