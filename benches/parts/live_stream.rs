//! (live-stream) A live stream's latency on loopback: from the moment a studio's picture changes
//! colour to the moment corridor hands the first frame of the new colour to the screen
//! (`VideoStream::try_next`, which the screen calls every frame), at the default `[live] latency`;
//! and the on-air broadcast's comeback: from the studio starting again to its picture on screen
//! (the whole player, headless). The studio is GStreamer in this process (the tests' studio: a
//! live test picture, 320x180 at 25 frames a second, x264 ultrafast/zerolatency), sent as
//! MPEG-TS over UDP, through an SRT listener and through a real RTSP server (gst-rtsp-server).
//! A change shows from the studio's next frame, so up to 40 ms of each figure is the camera's own
//! frame interval.

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
fn latencies(colour: &dyn Fn(u32), stream: &VideoStream) -> Vec<Duration> {
    let mut found = Vec::new();
    for i in 0..CHANGES {
        let blue = i % 2 == 0;
        colour(if blue { BLUE } else { GREEN });
        let t0 = Instant::now();
        while t0.elapsed() < Duration::from_secs(5) {
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
fn measure(name: &str, url: &str, colour: &dyn Fn(u32)) {
    let address = parse_address(url).expect("address");
    let opened = Instant::now();
    let stream = VideoStream::open_live(&address, (1920, 1080), PlayOptions::default()).expect("live");
    let start = opened.elapsed();
    std::thread::sleep(Duration::from_millis(500));
    let mut l = latencies(colour, &stream);
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
    let studio = Studio::start(&format!("mpegtsmux alignment=7 ! udpsink host=127.0.0.1 port={udp}"));
    measure("MPEG-TS over UDP", &format!("udp://127.0.0.1:{udp}"), &|c| studio.colour(c));
    drop(studio);
    let srt = free_udp_port();
    let studio = Studio::start(&format!(
        "mpegtsmux alignment=7 ! srtsink uri=srt://127.0.0.1:{srt}?mode=listener latency=200"
    ));
    measure("SRT", &format!("srt://127.0.0.1:{srt}?mode=caller"), &|c| studio.colour(c));
    drop(studio);
    let server = RtspServer::start();
    measure("RTSP", &server.url.clone(), &|c| server.colour(c));
    drop(server);
    comeback();
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
    let mut frame = |app: &mut bevy::prelude::App| {
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
