//! Live streams from real servers on 127.0.0.1, started and stopped by the tests: a "studio"
//! (GStreamer in the test process, a live test picture whose colour the test changes) sends H.264
//! as MPEG-TS over UDP, as an SRT listener, as HLS segments served by a real HTTP server, and
//! through a real RTSP server (gst-rtsp-server). corridor opens each by its address, as a
//! `.stream` file gives it, and the colours must arrive in order.

use std::time::{Duration, Instant};

use super::common::*;
use corridor::core::media::video::{PlayOptions, VideoError, VideoEvent, VideoStream};
use corridor::core::stream::parse_address;

/// The colour at the centre of a frame.
fn centre(f: &corridor::core::media::video::VideoFrame) -> char {
    colour_name(f.rgb_at(f.width / 2, f.height / 2).unwrap_or([0, 0, 0]))
}

/// Waits for a frame of colour `want` (taking the newest frame each time); the colours seen on
/// the way, in order, one letter per change.
fn wait_for_colour(s: &VideoStream, want: char, seen: &mut String) {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        assert!(Instant::now() < deadline, "no {want} frame came; seen {seen}");
        match s.try_next() {
            Some(VideoEvent::Frame(f)) => {
                let c = centre(&f);
                if !seen.ends_with(c) {
                    seen.push(c);
                }
                if c == want {
                    return;
                }
            }
            Some(VideoEvent::Failed(e)) => panic!("the stream failed: {e}; seen {seen}"),
            Some(VideoEvent::End) => panic!("the stream ended; seen {seen}"),
            None => std::thread::sleep(Duration::from_millis(5)),
        }
    }
}

/// Opens `url` as corridor does and checks the studio's colours arrive in order: red, then
/// blue, then green.
fn colours_arrive_in_order(url: &str, studio: &dyn Fn(u32)) -> VideoStream {
    let address = parse_address(url).expect("a stream address");
    let s = VideoStream::open_live(&address, (320, 180), PlayOptions::default()).expect("the stream is live");
    assert!(s.live && s.length.is_none(), "{url}");
    let first = s.take_first().expect("its first frame");
    let mut seen = centre(&first).to_string();
    wait_for_colour(&s, 'R', &mut seen);
    studio(BLUE);
    wait_for_colour(&s, 'B', &mut seen);
    studio(GREEN);
    wait_for_colour(&s, 'G', &mut seen);
    // Grey frames while the decoder catches a key frame are allowed; the colours themselves
    // never come out of order.
    let order: String = seen.chars().filter(|c| *c != '?').collect();
    assert!(order == "RBG" || order == "BG" && first.width > 0, "{url}: colours in order, seen {seen}");
    s
}

/// No new frame for `quiet`: the stream is still open, and gives nothing (no black frame).
fn goes_quiet(s: &VideoStream, quiet: Duration) {
    let until = Instant::now() + quiet;
    let mut last = None;
    while Instant::now() < until {
        match s.try_next() {
            Some(VideoEvent::Frame(f)) => last = Some(centre(&f)),
            Some(VideoEvent::End | VideoEvent::Failed(_)) | None => {
                std::thread::sleep(Duration::from_millis(20))
            }
        }
    }
    assert!(last.is_none_or(|c| c == 'G'), "only the last colour, never black: {last:?}");
}

#[test]
fn mpeg_ts_over_udp_plays_live_and_goes_quiet_when_the_studio_stops() {
    let port = free_udp_port();
    let studio = Studio::over_udp(port);
    let s = colours_arrive_in_order(&format!("udp://127.0.0.1:{port}"), &|c| studio.colour(c));
    drop(studio);
    // Frames already on their way may still come; then nothing.
    std::thread::sleep(Duration::from_millis(500));
    while let Some(VideoEvent::Frame(_)) = s.try_next() {}
    goes_quiet(&s, Duration::from_secs(1));
}

#[test]
fn srt_plays_live() {
    let port = free_udp_port();
    let studio = Studio::start(&format!(
        "mpegtsmux alignment=7 ! srtsink uri=srt://127.0.0.1:{port}?mode=listener wait-for-connection=false latency=100"
    ));
    colours_arrive_in_order(&format!("srt://127.0.0.1:{port}?mode=caller"), &|c| studio.colour(c));
}

/// HLS: the studio writes one-second segments and a live playlist; a real HTTP server on
/// 127.0.0.1 serves the folder.
#[test]
fn hls_plays_live_from_a_real_http_server() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().to_path_buf();
    let studio = Studio::start(&format!(
        "h264parse ! hlssink2 target-duration=1 max-files=20 playlist-length=5 location={}/seg%05d.ts playlist-location={}/live.m3u8",
        root.display(),
        root.display()
    ));
    let server = TestServer::start(move |req| serve_file(&root, &req.path));
    // The playlist exists once the first segment is complete.
    let deadline = Instant::now() + Duration::from_secs(20);
    while !dir.path().join("live.m3u8").exists() {
        assert!(Instant::now() < deadline, "hlssink2 writes its playlist");
        std::thread::sleep(Duration::from_millis(50));
    }
    colours_arrive_in_order(&server.url("/live.m3u8"), &|c| studio.colour(c));
}

#[test]
fn rtsp_plays_live_from_a_real_rtsp_server() {
    let server = RtspServer::start();
    colours_arrive_in_order(&server.url, &|c| server.colour(c));
}

#[test]
fn an_8k_stream_is_refused_with_a_clear_reason_before_any_picture() {
    // Uncompressed 8K over RTP: its size is known from the server's description, before any
    // picture would need decoding.
    let launch = "( videotestsrc is-live=true ! video/x-raw,format=I420,width=7680,height=4320,framerate=1/1 ! rtpvrawpay name=pay0 pt=96 )";
    let server = RtspServer::start_with(free_tcp_port(), launch);
    let address = parse_address(&server.url).unwrap();
    let e = VideoStream::open_live(&address, (640, 360), PlayOptions::default()).expect_err("refused");
    assert!(matches!(e, VideoError::StreamTooLarge(7680, 4320)), "{e}");
    assert_eq!(e.to_string(), "the stream is 7680x4320, larger than 4K (3840x2160); have it sent smaller");
}

#[test]
fn a_stream_that_is_not_live_fails_with_a_reason_and_no_picture() {
    // Nobody listens on this RTSP port: refused at once.
    let port = free_tcp_port();
    let address = parse_address(&format!("rtsp://127.0.0.1:{port}/assembly")).unwrap();
    let started = Instant::now();
    let e = VideoStream::open_live(&address, (320, 180), PlayOptions::default()).expect_err("not live");
    assert!(matches!(e, VideoError::NotLive(_)), "{e}");
    assert!(e.to_string().starts_with("the stream is not live"), "{e}");
    assert!(started.elapsed() < Duration::from_secs(12), "{:?}", started.elapsed());
    // An HLS address whose server says 404.
    let server = TestServer::start(|_| Reply::status(404));
    let address = parse_address(&server.url("/live/index.m3u8")).unwrap();
    let e = VideoStream::open_live(&address, (320, 180), PlayOptions::default()).expect_err("not live");
    assert!(matches!(e, VideoError::NotLive(_)), "{e}");
}

#[test]
fn stream_files_make_stream_slides_and_bad_ones_are_each_reported() {
    use corridor::core::config;
    use corridor::core::content;
    use corridor::core::source::{MediaKind, Source};
    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("assembly");
    std::fs::create_dir(&list).unwrap();
    let write = |name: &str, text: &[u8]| std::fs::write(list.join(name), text).unwrap();
    write("1 studio.stream", b"# the hall camera\nrtsp://studio.local:8554/assembly\n");
    write("2 news.url", b"[InternetShortcut]\r\nURL=https://media.school.example/news/index.m3u8\r\n");
    write("3 photo.png", &[]);
    write("empty.stream", b"");
    write("binary.stream", &(0..=255u8).collect::<Vec<_>>());
    write("long.stream", "# a comment\n".repeat(10_000).as_bytes());
    write("ftp.stream", b"ftp://files.example/film.mp4\n");
    write("page.url", b"[InternetShortcut]\nURL=https://school.example/live\n");
    let defaults = config::Config::default().slides;
    let scanned = content::scan(dir.path(), &defaults).expect("scans");
    let items = &scanned.playlist("assembly").expect("the playlist").items;
    let streams: Vec<(&str, MediaKind)> =
        items.iter().filter_map(|i| Some((i.source.stream()?.url.as_str(), i.kind))).collect();
    assert_eq!(
        streams,
        [
            ("rtsp://studio.local:8554/assembly", MediaKind::Stream),
            ("https://media.school.example/news/index.m3u8", MediaKind::Stream)
        ]
    );
    assert!(matches!(&items[0].source, Source::Stream { file, .. } if file.ends_with("1 studio.stream")));
    let problem = |name: &str| {
        scanned
            .problems
            .iter()
            .find(|p| p.file.as_ref().is_some_and(|f| f.ends_with(name)))
            .map(|p| p.message.clone())
            .unwrap_or_else(|| panic!("a problem for {name}: {:?}", scanned.problems))
    };
    assert!(problem("empty.stream").contains("names no stream"), "{}", problem("empty.stream"));
    assert!(problem("binary.stream").contains("not a text file"), "{}", problem("binary.stream"));
    assert!(problem("long.stream").contains("too large"), "{}", problem("long.stream"));
    assert!(problem("ftp.stream").contains("not an address corridor can play"), "{}", problem("ftp.stream"));
    assert!(problem("page.url").contains("a web page, not a stream"), "{}", problem("page.url"));
}

#[test]
fn check_connects_to_each_stream_and_tells_the_live_broadcast_apart() {
    let port = free_udp_port();
    let _studio = Studio::over_udp(port);
    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("default");
    std::fs::create_dir(&list).unwrap();
    std::fs::write(list.join("studio.stream"), format!("udp://127.0.0.1:{port}\n")).unwrap();
    let off = free_tcp_port();
    std::fs::write(list.join("gone.stream"), format!("rtsp://127.0.0.1:{off}/camera\n")).unwrap();
    std::fs::write(dir.path().join("LIVE.stream"), format!("rtsp://127.0.0.1:{off}/assembly\n")).unwrap();
    let out = corridor().args(["check", "--content"]).arg(dir.path()).output().unwrap();
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    let live =
        format!("default/studio.stream: live stream udp://127.0.0.1:{port}, live now, 320x180 (decoded by ");
    assert!(text.lines().any(|l| l.starts_with(&live) && l.contains("h264")), "{text}");
    assert!(text.contains("default/gone.stream: the stream is not live ("), "{text}");
    // Off air is information, not a problem: one problem (the dead slide) in all.
    let on_air = format!("live broadcast: rtsp://127.0.0.1:{off}/assembly is off air now (");
    assert!(text.contains(&on_air), "{text}");
    assert!(text.contains("1 problem found"), "{text}");
}

/// A TCP server on 127.0.0.1 that accepts every connection and then says nothing (`garbage`:
/// answers with bytes that mean nothing); its address.
fn hostile_tcp_server(garbage: bool) -> std::net::SocketAddr {
    use std::io::Write;
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("address");
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for mut stream in listener.incoming().flatten() {
            if garbage {
                let noise: Vec<u8> =
                    (0..64 * 1024u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
                let _ = stream.write_all(&noise);
            }
            held.push(stream);
        }
    });
    addr
}

#[test]
fn hostile_servers_and_streams_without_pictures_are_skipped_with_a_reason() {
    // Each opened at once, on threads of their own: the slowest waits for the start limit (10 s).
    let silent = hostile_tcp_server(false);
    let garbage = hostile_tcp_server(true);
    let looping = TestServer::start(|req| {
        Reply::ok(format!("#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1000\n{}\n", req.path).into_bytes())
    });
    let port = free_udp_port();
    let _sound_only = Studio::start_raw(&format!(
        "audiotestsrc is-live=true ! audioconvert ! avenc_aac ! aacparse ! mpegtsmux alignment=7 ! udpsink host=127.0.0.1 port={port}"
    ));
    let cases = [
        ("a server that says nothing", format!("rtsp://{silent}/live")),
        ("a server that sends garbage", format!("rtsp://{garbage}/live")),
        ("garbage over HTTP", format!("http://{garbage}/live.m3u8")),
        ("an HLS playlist that names itself", looping.url("/loop.m3u8")),
        ("a stream with sound only", format!("udp://127.0.0.1:{port}")),
    ];
    let started = Instant::now();
    let handles: Vec<_> = cases
        .into_iter()
        .map(|(what, url)| {
            std::thread::spawn(move || {
                let address = parse_address(&url).expect("address");
                (what, VideoStream::open_live(&address, (320, 180), PlayOptions::default()).map(|_| ()))
            })
        })
        .collect();
    for h in handles {
        let (what, result) = h.join().expect("no panic");
        let e = result.expect_err(what);
        assert!(matches!(e, VideoError::NotLive(_) | VideoError::NoPicture), "{what}: {e}");
    }
    assert!(started.elapsed() < Duration::from_secs(30), "{:?}", started.elapsed());
}
