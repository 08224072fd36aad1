//! (live-stream) A live stream's latency on loopback: from the moment a studio's picture changes
//! colour to the moment corridor hands the first frame of the new colour to the screen
//! (`VideoStream::try_next`, which the screen calls every frame), at the default `[live] latency`;
//! and the on-air broadcast's comeback: from the studio starting again to its picture on screen
//! (the whole player, headless). The studio is GStreamer in this process (the tests' studio: a
//! live test picture, 320x180 at 25 frames a second, x264 ultrafast/zerolatency), sent as
//! MPEG-TS over UDP, through an SRT listener, through a real RTSP server (gst-rtsp-server) and
//! as HLS served by a real HTTP server (reported as measured).
//! A change shows from the studio's next frame, so up to 40 ms of each figure is the camera's own
//! frame interval. Last, the CPU time per frame of a 1080p30 stream against the same clip played
//! as a file.

use std::time::{Duration, Instant};

use corridor::core::config::Config;
use corridor::core::media::video::{PlayOptions, VideoEvent, VideoStream};
use corridor::core::stream::parse_address;

use super::common::{BLUE, GREEN, RtspServer, Studio, free_tcp_port, free_udp_port};

const CHANGES: usize = 30;
/// How long the studio stays off air between two broadcasts in the comeback benchmark.
const OFF_AIR: Duration = Duration::from_secs(4);

fn is_blue(f: &corridor::core::media::video::VideoFrame) -> bool {
    f.rgb_at(f.width / 2, f.height / 2).is_some_and(|[r, _, b]| b > 200 && r < 60)
}

/// Changes the studio's colour `CHANGES` times; the latency of each change.
fn latencies(colour: &dyn Fn(u32), stream: &VideoStream, changes: usize) -> Vec<Duration> {
    let mut found = Vec::new();
    for i in 0..changes {
        let blue = i % 2 == 0;
        colour(if blue { BLUE } else { GREEN });
        let t0 = Instant::now();
        while t0.elapsed() < Duration::from_secs(15) {
            match stream.try_next() {
                Some(VideoEvent::Frame(f)) if is_blue(&f) == blue => {
                    found.push(t0.elapsed());
                    break;
                }
                Some(VideoEvent::Failed(e)) => panic!("the stream failed: {e}"),
                _ => std::thread::sleep(Duration::from_micros(500)),
            }
        }
        std::thread::sleep(Duration::from_millis(300));
    }
    found
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// Opens `url`, measures, prints one line.
fn measure(name: &str, url: &str, colour: &dyn Fn(u32), changes: usize) {
    let address = parse_address(url).expect("address");
    let opened = Instant::now();
    let stream = VideoStream::open_live(&address, (1920, 1080), PlayOptions::default()).expect("live");
    let start = opened.elapsed();
    std::thread::sleep(Duration::from_millis(500));
    let mut l = latencies(colour, &stream, changes);
    l.sort();
    if l.is_empty() {
        return println!("(live-stream) {name}: no colour change arrived");
    }
    println!(
        "(live-stream) {name}: first frame {:.0} ms after opening; colour change -> frame handed to the screen, {} changes: median {:.0} ms, p90 {:.0} ms, longest {:.0} ms",
        ms(start),
        l.len(),
        ms(l[l.len() / 2]),
        ms(l[l.len() * 9 / 10]),
        ms(l[l.len() - 1])
    );
}

pub fn bench_live_stream() {
    let udp = free_udp_port();
    let studio = Studio::over_udp(udp);
    measure("MPEG-TS over UDP", &format!("udp://127.0.0.1:{udp}"), &|c| studio.colour(c), CHANGES);
    drop(studio);
    let srt = free_udp_port();
    let studio =
        Studio::start(&format!("mpegtsmux alignment=7 ! srtsink uri=srt://127.0.0.1:{srt}?mode=listener"));
    measure("SRT", &format!("srt://127.0.0.1:{srt}?mode=caller"), &|c| studio.colour(c), CHANGES);
    drop(studio);
    let server = RtspServer::start();
    measure("RTSP", &server.url.clone(), &|c| server.colour(c), CHANGES);
    drop(server);
    hls();
    comeback();
    cpu_against_a_file();
}

/// The CPU time this process spends per frame on a 1080p30 H.264 clip (MPEG-TS, 10 s) played
/// as a file and the same clip sent as a live stream over UDP at its real pace by a separate
/// `gst-launch-1.0` process (so the sender's work is not counted).
fn cpu_against_a_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let clip = dir.path().join("clip.ts");
    super::common::gst_launch(&format!(
        "videotestsrc pattern=ball num-buffers=300 ! video/x-raw,width=1920,height=1080,framerate=30/1 ! x264enc speed-preset=veryfast key-int-max=30 bframes=0 ! mpegtsmux ! filesink location={}",
        clip.display()
    ));
    let cpu = || {
        let (u, s) = crate::cpu_time(libc::RUSAGE_SELF);
        u + s
    };
    let before = cpu();
    let film = VideoStream::open(&clip, (1920, 1080), PlayOptions::default()).expect("the clip opens");
    let mut file_frames = 1u32;
    while let Some(e) = next_event(&film, Duration::from_secs(10)) {
        match e {
            VideoEvent::Frame(_) => file_frames += 1,
            VideoEvent::End | VideoEvent::Failed(_) => break,
        }
    }
    let file_cpu = cpu() - before;
    drop(film);
    let port = free_udp_port();
    let mut sender = std::process::Command::new("gst-launch-1.0")
        .args([
            "-q",
            "filesrc",
            &format!("location={}", clip.display()),
            "!",
            "tsparse",
            "set-timestamps=true",
        ])
        .args(["!", "udpsink", "host=127.0.0.1", &format!("port={port}"), "sync=true"])
        .spawn()
        .expect("gst-launch-1.0");
    let before = cpu();
    let address = parse_address(&format!("udp://127.0.0.1:{port}")).expect("address");
    let live = VideoStream::open_live(&address, (1920, 1080), PlayOptions::default()).expect("live");
    let mut live_frames = 1u32;
    // Until the sender has sent the whole clip and gone quiet.
    while let Some(VideoEvent::Frame(_)) = next_event(&live, Duration::from_secs(2)) {
        live_frames += 1;
    }
    let live_cpu = cpu() - before;
    let _ = sender.kill();
    let _ = sender.wait();
    let per = |cpu: Duration, frames: u32| cpu.as_secs_f64() * 1e3 / f64::from(frames);
    println!(
        "(live-stream) 1080p30 H.264: as a file {:.2} ms CPU per frame ({file_frames} frames), as a live stream over UDP {:.2} ms per frame ({live_frames} frames): ratio {:.2}",
        per(file_cpu, file_frames),
        per(live_cpu, live_frames),
        per(live_cpu, live_frames) / per(file_cpu, file_frames)
    );
}

/// The next event of `stream`, waiting up to `quiet` for one.
fn next_event(stream: &VideoStream, quiet: Duration) -> Option<VideoEvent> {
    let t0 = Instant::now();
    while t0.elapsed() < quiet {
        if let Some(e) = stream.try_next() {
            return Some(e);
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    None
}

/// HLS: the studio writes one-second segments (hlssink2) that a real HTTP server on 127.0.0.1
/// serves; ten changes (each waits for the segments to come round).
fn hls() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().to_path_buf();
    let studio = Studio::start(&format!(
        "h264parse ! hlssink2 target-duration=1 max-files=20 playlist-length=5 location={}/seg%05d.ts playlist-location={}/live.m3u8",
        root.display(),
        root.display()
    ));
    let served = root.clone();
    let server = super::common::TestServer::start(move |req| super::common::serve_file(&served, &req.path));
    let t0 = Instant::now();
    while !root.join("live.m3u8").exists() && t0.elapsed() < Duration::from_secs(20) {
        std::thread::sleep(Duration::from_millis(50));
    }
    measure("HLS (1 s segments)", &server.url("/live.m3u8"), &|c| studio.colour(c), 10);
}

/// The on-air broadcast over RTSP, five times: the server stops (the picture holds, then the show
/// carries on), stays off for [`OFF_AIR`], then starts again; the time from its start to its
/// picture on screen.
fn comeback() {
    let dir = tempfile::tempdir().expect("tempdir");
    let content = dir.path().join("content");
    std::fs::create_dir_all(content.join("default")).expect("folder");
    super::common::write_solid(&content.join("default/a.png"), 160, 90, [255, 255, 255]);
    let port = free_tcp_port();
    std::fs::write(content.join("LIVE.stream"), format!("rtsp://127.0.0.1:{port}/live\n"))
        .expect("LIVE.stream");
    let mut config = Config { content, ..Config::default() };
    config.live.hold = Duration::from_millis(500);
    let mut app = crate::headless_app_with(config, Duration::from_millis(16));
    let frame = |app: &mut bevy::prelude::App| {
        std::thread::sleep(Duration::from_millis(16));
        app.update();
        corridor::screen::on_air_centre(app.world_mut()).is_some()
    };
    let mut times = Vec::new();
    for _ in 0..6 {
        let server = RtspServer::start_on(port);
        let t0 = Instant::now();
        while !frame(&mut app) && t0.elapsed() < Duration::from_secs(30) {}
        times.push(t0.elapsed());
        drop(server);
        let t1 = Instant::now();
        while frame(&mut app) && t1.elapsed() < Duration::from_secs(30) {}
        // Off air for a while, as between two broadcasts: the player keeps trying meanwhile.
        let t2 = Instant::now();
        while t2.elapsed() < OFF_AIR {
            frame(&mut app);
        }
    }
    // The first start is not a comeback: the player was starting too.
    let mut back: Vec<Duration> = times[1..].to_vec();
    back.sort();
    println!(
        "(live-stream) on air over RTSP, server started again -> its picture on screen, {} times: median {:.2} s, longest {:.2} s (first start {:.2} s)",
        back.len(),
        back[back.len() / 2].as_secs_f64(),
        back[back.len() - 1].as_secs_f64(),
        times[0].as_secs_f64()
    );
}

/// (live-stream-soak) The whole player headless with one stream slide on screen for 30 minutes
/// (`CORRIDOR_SOAK_MINUTES` for a shorter run), the studio changing colour every 5 s: resident
/// memory, file descriptors and threads at the start, middle and end.
pub fn bench_live_stream_soak() {
    let minutes: f64 =
        std::env::var("CORRIDOR_SOAK_MINUTES").ok().and_then(|m| m.parse().ok()).unwrap_or(30.0);
    let run = Duration::from_secs_f64(minutes * 60.0);
    let port = free_udp_port();
    let studio = Studio::over_udp(port);
    let dir = tempfile::tempdir().expect("tempdir");
    let content = dir.path().join("content");
    std::fs::create_dir_all(content.join("default")).expect("folder");
    std::fs::write(content.join("default/studio.stream"), format!("udp://127.0.0.1:{port}\n"))
        .expect("stream file");
    let mut config = Config { content, ..Config::default() };
    config.slides.default_duration = run * 2;
    let mut app = crate::headless_app_with(config, Duration::from_millis(16));
    let (start, mut samples, mut last_sample, mut frames) =
        (Instant::now(), Vec::new(), None::<Instant>, 0u64);
    let mut colour_at = Instant::now();
    while start.elapsed() < run {
        std::thread::sleep(Duration::from_millis(16));
        app.update();
        frames += 1;
        if colour_at.elapsed() > Duration::from_secs(5) {
            colour_at = Instant::now();
            studio.colour(if frames % 2 == 0 { BLUE } else { GREEN });
        }
        if last_sample.is_none_or(|t| t.elapsed() > Duration::from_secs(5)) {
            last_sample = Some(Instant::now());
            samples.push((start.elapsed().as_secs_f64() / run.as_secs_f64(), super::soak::sample("self")));
        }
    }
    println!("(live-stream-soak) {minutes} min of one live stream on screen, {frames} frames");
    super::soak::print_windows("live-stream-soak", &samples);
}
