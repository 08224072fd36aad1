//! (startup) Time from process start to the first picture presented (READY=1 on a notify
//! socket, as systemd sees it) and to the first slide of content, and peak memory (VmHWM) after
//! 15 s, on a 1920x1080 X server with no window manager (software rendering): corridor on the
//! sample content against a bare Bevy window (same features, empty scene; `examples/bare_window.rs`)
//! in the same run, as Bevy sets a camera up (4x multisampling) and as corridor does (none).

use std::os::unix::net::UnixDatagram;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// An X server of 1920x1080 on a display number it picks itself.
fn x_server() -> (Child, String) {
    x_server_sized("1920x1080x24")
}

/// An X server of `screen` ("1280x720x24") on a display number it picks itself.
pub fn x_server_sized(screen: &str) -> (Child, String) {
    let mut server = Command::new("Xvfb")
        .args(["-displayfd", "1", "-screen", "0", screen, "-nolisten", "tcp"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("Xvfb (scripts/setup.sh installs it)");
    let mut out = std::io::BufReader::new(server.stdout.take().expect("stdout"));
    let mut line = String::new();
    std::io::BufRead::read_line(&mut out, &mut line).expect("display number");
    (server, format!(":{}", line.trim()))
}

/// What one start gave: seconds to READY=1, to the first slide (None for the bare window), and
/// peak memory in MB.
struct Start {
    ready: f64,
    slide: Option<f64>,
    peak_mb: f64,
    /// The bare window's samples per pixel, as it says.
    msaa: Option<u32>,
}

fn peak_mb(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let kb: f64 = status
        .lines()
        .find(|l| l.starts_with("VmHWM"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(f64::NAN);
    kb / 1024.0
}

/// Starts `program` with `args` on a fresh X server and watches its notify socket for 15 s.
fn start(program: &Path, args: &[&str], dir: &Path) -> Start {
    let (mut server, display) = x_server();
    let socket_path = dir.join(format!("notify-{}.sock", std::process::id()));
    let _ = std::fs::remove_file(&socket_path);
    let socket = UnixDatagram::bind(&socket_path).expect("socket");
    socket.set_read_timeout(Some(Duration::from_millis(50))).expect("timeout");
    let t0 = Instant::now();
    let mut child = Command::new(program)
        .args(args)
        .env("DISPLAY", &display)
        .env_remove("WAYLAND_DISPLAY")
        .env("NOTIFY_SOCKET", &socket_path)
        .env("XDG_RUNTIME_DIR", dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start");
    let (mut ready, mut slide, mut msaa, mut buf) = (f64::NAN, None, None, [0u8; 256]);
    while t0.elapsed() < Duration::from_secs(15) {
        let Ok(n) = socket.recv(&mut buf) else { continue };
        let m = String::from_utf8_lossy(&buf[..n]);
        if m == "READY=1" && ready.is_nan() {
            ready = t0.elapsed().as_secs_f64();
        } else if m.starts_with("STATUS=showing") && slide.is_none() {
            slide = Some(t0.elapsed().as_secs_f64());
        } else if let Some(samples) = m.strip_prefix("STATUS=bare window, msaa ") {
            msaa = samples.parse().ok();
        }
    }
    let peak_mb = peak_mb(child.id());
    let _ = child.kill();
    let _ = child.wait();
    let _ = server.kill();
    let _ = server.wait();
    Start { ready, slide, peak_mb, msaa }
}

pub fn bench_startup(dir: &Path) {
    let corridor = PathBuf::from(env!("CARGO_BIN_EXE_corridor"));
    let bare = std::env::current_exe()
        .ok()
        .and_then(|e| Some(e.parent()?.parent()?.join("examples/bare_window")))
        .filter(|p| p.exists());
    let Some(bare) = bare else {
        println!("(startup) build the reference first: cargo build --release --example bare_window");
        return;
    };
    let cfg = dir.join("startup.toml");
    std::fs::write(&cfg, "play_log = \"off\"\n").expect("config");
    let cfg = cfg.to_string_lossy().into_owned();
    let mut rows = Vec::new();
    for round in 0..3 {
        let c = start(&corridor, &["run", "--content", "playlists", "--config", &cfg], dir);
        let b = start(&bare, &[], dir);
        let plain = start(&bare, &["--msaa-off"], dir);
        assert_eq!(
            (b.msaa, plain.msaa),
            (Some(4), Some(1)),
            "an old bare_window: cargo build --release --example bare_window"
        );
        println!(
            "(startup) round {round}: corridor first picture {:.2} s, first slide {:.2} s, peak {:.0} MB; bare window first picture {:.2} s, peak {:.0} MB; bare window without multisampling (as corridor draws) first picture {:.2} s, peak {:.0} MB",
            c.ready,
            c.slide.unwrap_or(f64::NAN),
            c.peak_mb,
            b.ready,
            b.peak_mb,
            plain.ready,
            plain.peak_mb
        );
        rows.push([c, b, plain]);
    }
    let med = |f: &dyn Fn(&[Start; 3]) -> f64| {
        let mut v: Vec<f64> = rows.iter().map(f).collect();
        v.sort_by(|a, b| a.total_cmp(b));
        v[v.len() / 2]
    };
    println!(
        "(startup) medians of 3: corridor first picture {:.2} s, first slide {:.2} s, peak {:.0} MB; bare window first picture {:.2} s, peak {:.0} MB; corridor - bare = {:.0} MB; bare window without multisampling peak {:.0} MB, corridor - that = {:.0} MB",
        med(&|r| r[0].ready),
        med(&|r| r[0].slide.unwrap_or(f64::NAN)),
        med(&|r| r[0].peak_mb),
        med(&|r| r[1].ready),
        med(&|r| r[1].peak_mb),
        med(&|r| r[0].peak_mb - r[1].peak_mb),
        med(&|r| r[2].peak_mb),
        med(&|r| r[0].peak_mb - r[2].peak_mb)
    );
}
