//! (live-stream) Latency on loopback: from the moment a studio's picture changes colour to the
//! moment corridor hands the first frame of the new colour to the screen (`VideoStream::try_next`,
//! which the screen calls every frame), at the default `[live] latency`. The studio is GStreamer in
//! this process: a live test picture (320x180, 25 frames a second) encoded by x264 (ultrafast,
//! zerolatency), sent as MPEG-TS over UDP and through an SRT listener. A change shows from the
//! studio's next frame, so up to 40 ms of each figure is the camera's own frame interval.

use std::time::{Duration, Instant};

use corridor::core::media::video::{PlayOptions, VideoEvent, VideoStream};
use corridor::core::stream::parse_address;
use gstreamer as gst;
use gstreamer::prelude::*;

const RED: u32 = 0xffff_0000;
const BLUE: u32 = 0xff00_00ff;
const CHANGES: usize = 30;

fn studio(send: &str) -> gst::Pipeline {
    let desc = format!(
        "videotestsrc name=camera is-live=true pattern=solid-color foreground-color={RED} \
         ! video/x-raw,width=320,height=180,framerate=25/1 ! videoconvert \
         ! x264enc tune=zerolatency speed-preset=ultrafast key-int-max=25 bframes=0 ! {send}"
    );
    let pipeline = gst::parse::launch(&desc).expect("studio").downcast::<gst::Pipeline>().expect("pipeline");
    pipeline.set_state(gst::State::Playing).expect("the studio starts");
    pipeline
}

fn is_blue(f: &corridor::core::media::video::VideoFrame) -> bool {
    f.rgb_at(f.width / 2, f.height / 2).is_some_and(|[r, _, b]| b > 200 && r < 60)
}

/// Changes the studio's colour `CHANGES` times; the latency of each change.
fn latencies(studio: &gst::Pipeline, stream: &VideoStream) -> Vec<Duration> {
    let Some(camera) = studio.by_name("camera") else { return Vec::new() };
    let mut found = Vec::new();
    for i in 0..CHANGES {
        let blue = i % 2 == 0;
        camera.set_property("foreground-color", if blue { BLUE } else { RED });
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

pub fn bench_live_stream() {
    gst::init().expect("GStreamer");
    let udp = std::net::UdpSocket::bind("127.0.0.1:0").and_then(|s| s.local_addr()).expect("port").port();
    let srt = std::net::UdpSocket::bind("127.0.0.1:0").and_then(|s| s.local_addr()).expect("port").port();
    let cases = [
        (
            "MPEG-TS over UDP",
            format!("mpegtsmux alignment=7 ! udpsink host=127.0.0.1 port={udp}"),
            format!("udp://127.0.0.1:{udp}"),
        ),
        (
            "SRT",
            format!("mpegtsmux alignment=7 ! srtsink uri=srt://127.0.0.1:{srt}?mode=listener latency=200"),
            format!("srt://127.0.0.1:{srt}?mode=caller"),
        ),
    ];
    for (name, send, url) in cases {
        let studio = studio(&send);
        let address = parse_address(&url).expect("address");
        let opened = Instant::now();
        let stream = VideoStream::open_live(&address, (1920, 1080), PlayOptions::default()).expect("live");
        let start = opened.elapsed();
        std::thread::sleep(Duration::from_millis(500));
        let mut l = latencies(&studio, &stream);
        l.sort();
        let ms = |d: Duration| d.as_secs_f64() * 1e3;
        if l.is_empty() {
            println!("(live-stream) {name}: no colour change arrived");
        } else {
            println!(
                "(live-stream) {name}: first frame {:.0} ms after opening; colour change -> frame handed to the screen, {} changes: median {:.0} ms, p90 {:.0} ms, longest {:.0} ms",
                ms(start),
                l.len(),
                ms(l[l.len() / 2]),
                ms(l[l.len() * 9 / 10]),
                ms(l[l.len() - 1])
            );
        }
        drop(stream);
        let _ = studio.set_state(gst::State::Null);
    }
}
