//! Helpers shared by the test binaries: real files in temp dirs, made the way staff would make them.
#![allow(dead_code)]

use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use gstreamer as gst;
use gstreamer::prelude::*;
use gstreamer_rtsp_server::prelude::*;
use image::{ImageFormat, Rgb, RgbImage};

/// A solid-colour picture file.
pub fn write_solid(path: &Path, w: u32, h: u32, colour: [u8; 3]) {
    let img = RgbImage::from_pixel(w, h, Rgb(colour));
    let format = ImageFormat::from_path(path).expect("known extension");
    let mut buf = Cursor::new(Vec::new());
    img.write_to(&mut buf, format).expect("encode");
    std::fs::write(path, buf.into_inner()).expect("write");
}

/// Bytes of a PNG whose header claims `w`x`h` pixels but which holds no such image data:
/// a decoder that trusted the header would try to allocate w*h*4 bytes.
pub fn png_claiming(w: u32, h: u32) -> Vec<u8> {
    let img = RgbImage::from_pixel(8, 8, Rgb([1, 2, 3]));
    let mut buf = Cursor::new(Vec::new());
    img.write_to(&mut buf, ImageFormat::Png).expect("encode");
    let mut bytes = buf.into_inner();
    bytes[16..20].copy_from_slice(&w.to_be_bytes());
    bytes[20..24].copy_from_slice(&h.to_be_bytes());
    let crc = crc32(&bytes[12..29]);
    bytes[29..33].copy_from_slice(&crc.to_be_bytes());
    bytes
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in data {
        crc ^= b as u32;
        for _ in 0..8 {
            crc = if crc & 1 != 0 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

/// Builds the corpus of bad files of the player issue, next to one good picture and one notice.
/// Returns the content folder.
pub fn bad_corpus(root: &Path) -> PathBuf {
    let content = root.join("content");
    let default = content.join("default");
    std::fs::create_dir_all(&default).expect("mkdir");
    write_solid(&default.join("01 good.png"), 64, 36, [200, 30, 30]);
    std::fs::write(default.join("02 notice.txt"), "Book fair\nFriday in the hall\n").expect("write");
    std::fs::write(default.join("03 empty.jpg"), b"").expect("write");
    let mut jpg = Cursor::new(Vec::new());
    RgbImage::from_pixel(300, 200, Rgb([10, 200, 10])).write_to(&mut jpg, ImageFormat::Jpeg).expect("jpeg");
    let jpg = jpg.into_inner();
    std::fs::write(default.join("04 truncated.jpg"), &jpg[..jpg.len() / 3]).expect("write");
    std::fs::write(default.join("05 corrupt.png"), b"\x89PNG\r\n\x1a\nthis is not really a png at all")
        .expect("write");
    std::fs::write(default.join("06 webpage.jpg"), b"<html><body>Login</body></html>").expect("write");
    std::fs::write(default.join("07 enormous.png"), png_claiming(100_000, 100_000)).expect("write");
    std::fs::write(default.join("08 essay.docx"), b"PK\x03\x04 not a slide").expect("write");
    std::fs::write(default.join("09 empty notice.txt"), b"\n  \n").expect("write");
    write_solid(&default.join("été 🌞 photo.png"), 32, 18, [30, 30, 200]);
    // Ignored without a word:
    std::fs::write(default.join(".hidden.jpg"), b"x").expect("write");
    std::fs::write(default.join("~$lock.docx"), b"x").expect("write");
    std::fs::write(default.join("copying.jpg.part"), b"x").expect("write");
    std::fs::write(default.join("x.tmp"), b"x").expect("write");
    std::fs::write(default.join("download.jpg.crdownload"), b"x").expect("write");
    // Leads outside the content folder:
    write_solid(&root.join("outside.png"), 8, 8, [0, 0, 0]);
    #[cfg(unix)]
    std::os::unix::fs::symlink(root.join("outside.png"), default.join("10 link.png")).expect("symlink");
    std::fs::write(default.join("playlist.toml"), "[[item]]\nfile = \"../../outside.png\"\n").expect("write");
    content
}

/// The corridor binary, with empty settings unless the test gives `--config` (so that a
/// corridor.toml installed on this machine, e.g. by the package, never changes a test).
pub fn corridor() -> Command {
    static EMPTY: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    let empty = EMPTY.get_or_init(|| {
        let path = std::env::temp_dir().join(format!("corridor-tests-{}.toml", std::process::id()));
        std::fs::write(&path, "").expect("an empty settings file");
        path
    });
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_corridor"));
    cmd.env("CORRIDOR_CONFIG", empty);
    cmd
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// One request as the test server saw it.
#[derive(Clone, Debug)]
pub struct Request {
    pub path: String,
    pub headers: Vec<(String, String)>,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// How the test server answers.
pub enum Reply {
    /// A whole answer.
    Full { status: u16, headers: Vec<(String, String)>, body: Vec<u8> },
    /// Waits, then answers.
    After(std::time::Duration, Box<Reply>),
    /// Claims a body of this many bytes and sends it, 64 KiB at a time, until the client goes.
    Claiming(u64),
    /// A body without a length that never ends (fast, or one byte every 100 ms when `slow`).
    Endless { slow: bool },
    /// Reads the request and never answers.
    Silent,
}

impl Reply {
    pub fn ok(body: impl Into<Vec<u8>>) -> Self {
        Reply::Full { status: 200, headers: vec![], body: body.into() }
    }

    pub fn status(status: u16) -> Self {
        Reply::Full { status, headers: vec![], body: Vec::new() }
    }
}

/// A real HTTP/1.1 server on 127.0.0.1 (a random port), answering each connection on its own
/// thread with `respond`. Every request is recorded.
pub struct TestServer {
    pub addr: std::net::SocketAddr,
    pub requests: std::sync::Arc<std::sync::Mutex<Vec<Request>>>,
}

impl TestServer {
    pub fn start(respond: impl Fn(&Request) -> Reply + Send + Sync + 'static) -> Self {
        use std::io::{BufRead, BufReader, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        let addr = listener.local_addr().expect("address");
        let requests = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let respond = std::sync::Arc::new(respond);
        let seen = requests.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let respond = respond.clone();
                let seen = seen.clone();
                std::thread::spawn(move || {
                    let mut reader = BufReader::new(stream.try_clone().expect("clone"));
                    let mut first = String::new();
                    if reader.read_line(&mut first).is_err() {
                        return;
                    }
                    let path = first.split_whitespace().nth(1).unwrap_or("/").to_string();
                    let mut headers = Vec::new();
                    loop {
                        let mut line = String::new();
                        if reader.read_line(&mut line).unwrap_or(0) == 0 || line.trim().is_empty() {
                            break;
                        }
                        if let Some((k, v)) = line.split_once(':') {
                            headers.push((k.trim().to_string(), v.trim().to_string()));
                        }
                    }
                    let request = Request { path, headers };
                    seen.lock().unwrap().push(request.clone());
                    let mut reply = respond(&request);
                    while let Reply::After(wait, next) = reply {
                        std::thread::sleep(wait);
                        reply = *next;
                    }
                    let _ = match reply {
                        Reply::Full { status, headers, body } => {
                            let mut head = format!(
                                "HTTP/1.1 {status} X\r\nContent-Length: {}\r\nConnection: close\r\n",
                                body.len()
                            );
                            for (k, v) in headers {
                                head.push_str(&format!("{k}: {v}\r\n"));
                            }
                            head.push_str("\r\n");
                            stream.write_all(head.as_bytes()).and_then(|()| stream.write_all(&body))
                        }
                        Reply::Claiming(len) => {
                            let head = format!(
                                "HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nContent-Length: {len}\r\nConnection: close\r\n\r\n<rss><channel>"
                            );
                            let chunk = vec![b' '; 64 * 1024];
                            stream.write_all(head.as_bytes()).and_then(|()| {
                                loop {
                                    stream.write_all(&chunk)?;
                                }
                            })
                        }
                        Reply::Endless { slow } => {
                            let head = "HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nConnection: close\r\n\r\n<rss><channel>";
                            let chunk = vec![b' '; if slow { 1 } else { 64 * 1024 }];
                            stream.write_all(head.as_bytes()).and_then(|()| {
                                loop {
                                    stream.write_all(&chunk)?;
                                    if slow {
                                        std::thread::sleep(std::time::Duration::from_millis(100));
                                    }
                                }
                            })
                        }
                        Reply::Silent => {
                            std::thread::sleep(std::time::Duration::from_secs(60));
                            Ok(())
                        }
                        Reply::After(..) => Ok(()),
                    };
                });
            }
        });
        Self { addr, requests }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// The requests made for `path` so far.
    pub fn hits(&self, path: &str) -> Vec<Request> {
        self.requests.lock().unwrap().iter().filter(|r| r.path == path).cloned().collect()
    }
}

/// An RSS 2.0 feed with these titles, newest first, a day apart from 2026-11-20.
pub fn rss(titles: &[&str]) -> String {
    let mut doc = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\"><channel><title>Class blog</title><link>http://example.org/</link><description>d</description>\n",
    );
    for (i, t) in titles.iter().enumerate() {
        let day = 20 - i.min(19);
        doc.push_str(&format!(
            "<item><title>{t}</title><pubDate>{day:02} Nov 2026 09:00:00 +0000</pubDate></item>\n"
        ));
    }
    doc.push_str("</channel></rss>\n");
    doc
}

/// Makes a test clip with gst-launch-1.0 (installed by scripts/setup.sh): 160x90 at 25 fps,
/// one second of each colour in `colours` (videotestsrc pattern names: red, blue, green, white,
/// black...), encoded by the file's extension: H.264 in MP4 or MOV, VP9 in MKV, VP8 in WebM.
pub fn make_clip(path: &Path, colours: &[&str]) {
    let (enc, mux) = match path.extension().and_then(|e| e.to_str()) {
        Some("mp4") => ("x264enc", "mp4mux"),
        Some("mov") => ("x264enc", "qtmux"),
        Some("mkv") => ("vp9enc deadline=1", "matroskamux"),
        _ => ("vp8enc deadline=1", "webmmux"),
    };
    // One continuous segment: without it x264enc stamps the frames after the first colour with
    // broken decoding times.
    let desc = format!(
        "concat name=c ! identity single-segment=true ! videoconvert ! {enc} ! {mux} ! filesink location=\"{}\"",
        path.display()
    );
    gst_launch(&(desc + &colour_seconds(colours)));
}

/// The same as a WebM film with a sound track (a tone) as long as the pictures.
pub fn make_clip_with_sound(path: &Path, colours: &[&str]) {
    let desc = format!(
        "webmmux name=m ! filesink location=\"{}\" concat name=c ! identity single-segment=true ! videoconvert ! vp8enc deadline=1 ! m. audiotestsrc num-buffers={} samplesperbuffer=4410 ! audio/x-raw,rate=44100 ! audioconvert ! vorbisenc ! m.",
        path.display(),
        colours.len() * 10
    );
    gst_launch(&(desc + &colour_seconds(colours)));
}

/// A one-second WebM film of one colour at `width` x `height`.
pub fn make_clip_sized(path: &Path, colour: &str, width: u32, height: u32) {
    gst_launch(&format!(
        "videotestsrc pattern={colour} num-buffers=25 ! video/x-raw,width={width},height={height},framerate=25/1 ! videoconvert ! vp8enc deadline=1 ! webmmux ! filesink location=\"{}\"",
        path.display()
    ));
}

/// One second of each colour, 160x90 at 25 fps, into the element named `c`.
fn colour_seconds(colours: &[&str]) -> String {
    colours
        .iter()
        .map(|c| {
            format!(" videotestsrc pattern={c} num-buffers=25 ! video/x-raw,width=160,height=90,framerate=25/1 ! c.")
        })
        .collect()
}

/// Runs a gst-launch-1.0 pipeline description to its end.
pub fn gst_launch(desc: &str) {
    let status = Command::new("sh")
        .arg("-c")
        .arg(format!("gst-launch-1.0 -q {desc}"))
        .status()
        .expect("gst-launch-1.0 runs (install it with scripts/setup.sh)");
    assert!(status.success(), "gst-launch-1.0 {desc}");
}

/// The name of a test clip's colour (videotestsrc red, blue, green, white), '?' for others.
pub fn colour_name(c: [u8; 3]) -> char {
    match c {
        [r, g, b] if r > 200 && g < 60 && b < 60 => 'R',
        [r, g, b] if b > 200 && r < 60 && g < 60 => 'B',
        [r, g, b] if g > 100 && r < 60 && b < 60 => 'G',
        [r, g, b] if r > 200 && g > 200 && b > 200 => 'W',
        _ => '?',
    }
}

// ---- A live "studio" for the stream tests ----

pub const BLUE: u32 = 0xff00_00ff;
pub const GREEN: u32 = 0xff00_ff00;

/// The live test picture (red to begin with) and its encoder, as a studio's encoder would send it.
pub const CAMERA: &str = "videotestsrc name=camera is-live=true pattern=solid-color foreground-color=4294901760 \
    ! video/x-raw,width=320,height=180,framerate=25/1 ! videoconvert \
    ! x264enc tune=zerolatency speed-preset=ultrafast key-int-max=10 bframes=0";

/// A studio sending a live picture until dropped.
pub struct Studio {
    pipeline: gst::Pipeline,
}

/// The end of a studio pipeline that sends MPEG-TS over UDP to `port` on 127.0.0.1.
pub fn udp_send(port: u16) -> String {
    format!("mpegtsmux alignment=7 ! udpsink host=127.0.0.1 port={port}")
}

impl Studio {
    /// Starts `CAMERA ! {send}`.
    pub fn start(send: &str) -> Self {
        Self::start_raw(&format!("{CAMERA} ! {send}"))
    }

    /// Sends MPEG-TS over UDP to `port` on 127.0.0.1.
    pub fn over_udp(port: u16) -> Self {
        Self::start(&udp_send(port))
    }

    /// Starts a whole pipeline of the test's own.
    pub fn start_raw(desc: &str) -> Self {
        gst::init().expect("GStreamer");
        let pipeline = gst::parse::launch(desc)
            .expect("studio pipeline")
            .downcast::<gst::Pipeline>()
            .expect("a pipeline");
        pipeline.set_state(gst::State::Playing).expect("the studio starts");
        Self { pipeline }
    }

    pub fn colour(&self, argb: u32) {
        set_colour(self.pipeline.upcast_ref(), argb);
    }
}

impl Drop for Studio {
    fn drop(&mut self) {
        let _ = self.pipeline.set_state(gst::State::Null);
    }
}

pub fn set_colour(bin: &gst::Bin, argb: u32) {
    if let Some(camera) = bin.by_name("camera") {
        camera.set_property("foreground-color", argb);
    }
}

/// A UDP port nobody uses now.
pub fn free_udp_port() -> u16 {
    std::net::UdpSocket::bind("127.0.0.1:0")
        .and_then(|s| s.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// A real RTSP server (gst-rtsp-server) on 127.0.0.1, serving the studio's camera at `/live`
/// to every client from one shared pipeline; its own GLib main loop runs on a thread of its own.
pub struct RtspServer {
    pub url: String,
    camera: std::sync::Arc<std::sync::Mutex<Option<gst::Bin>>>,
    main_loop: gst::glib::MainLoop,
    server: gstreamer_rtsp_server::RTSPServer,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl RtspServer {
    pub fn start() -> Self {
        Self::start_on(free_tcp_port())
    }

    /// Starts it on `port` (again, to test a server that comes back).
    pub fn start_on(port: u16) -> Self {
        Self::start_with(port, &format!("( {CAMERA} ! rtph264pay name=pay0 pt=96 config-interval=1 )"))
    }

    /// Starts it on `port`, serving what the launch line `launch` makes.
    pub fn start_with(port: u16, launch: &str) -> Self {
        gst::init().expect("GStreamer");
        let server = gstreamer_rtsp_server::RTSPServer::new();
        server.set_address("127.0.0.1");
        server.set_service(&port.to_string());
        let factory = gstreamer_rtsp_server::RTSPMediaFactory::new();
        factory.set_launch(launch);
        factory.set_shared(true);
        let camera: std::sync::Arc<std::sync::Mutex<Option<gst::Bin>>> = Default::default();
        let kept = camera.clone();
        factory.connect_media_configure(move |_, media| {
            if let Ok(bin) = media.element().downcast::<gst::Bin>() {
                *kept.lock().unwrap() = Some(bin);
            }
        });
        server.mount_points().expect("mount points").add_factory("/live", factory);
        let context = gst::glib::MainContext::new();
        let main_loop = gst::glib::MainLoop::new(Some(&context), false);
        let (ready_tx, ready) = std::sync::mpsc::channel();
        let (l, s) = (main_loop.clone(), server.clone());
        let thread = std::thread::spawn(move || {
            context
                .with_thread_default(|| {
                    let _source = s.attach(Some(&context)).expect("the RTSP server listens");
                    ready_tx.send(()).unwrap();
                    l.run();
                })
                .expect("its own main context");
        });
        ready.recv_timeout(std::time::Duration::from_secs(10)).expect("the RTSP server starts");
        Self { url: format!("rtsp://127.0.0.1:{port}/live"), camera, main_loop, server, thread: Some(thread) }
    }

    pub fn colour(&self, argb: u32) {
        if let Some(bin) = self.camera.lock().unwrap().as_ref() {
            set_colour(bin, argb);
        }
    }
}

impl Drop for RtspServer {
    fn drop(&mut self) {
        // Every client is cut off (their sessions and the media end), then the server stops.
        self.server.client_filter(Some(&mut |_, _| gstreamer_rtsp_server::RTSPFilterResult::Remove));
        self.main_loop.quit();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// A TCP port nobody uses now.
pub fn free_tcp_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|s| s.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// A file of `root` as the test HTTP server answers for it: 404 for a name that is not a plain
/// file name of that folder.
pub fn serve_file(root: &Path, path: &str) -> Reply {
    let name = path.trim_start_matches('/');
    if name.contains("..") || name.contains('/') {
        return Reply::status(404);
    }
    match std::fs::read(root.join(name)) {
        Ok(body) => Reply::ok(body),
        Err(_) => Reply::status(404),
    }
}

/// nginx (Debian's) on 127.0.0.1 serving a folder, with its own config in a temp folder; one
/// process (no workers), stopped when dropped. `extra` holds more directives for its server.
pub struct Nginx {
    dir: tempfile::TempDir,
    root: PathBuf,
    pub port: u16,
    child: Option<std::process::Child>,
}

impl Nginx {
    pub fn start(root: &Path, extra: &str) -> Self {
        let mut nginx = Nginx {
            dir: tempfile::tempdir().expect("a temp folder"),
            root: root.to_path_buf(),
            port: free_tcp_port(),
            child: None,
        };
        nginx.restart(extra);
        nginx
    }

    /// Stops nginx at once (connections cut in the middle).
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts it again on the same port with `extra` directives.
    pub fn restart(&mut self, extra: &str) {
        self.stop();
        let d = self.dir.path().display();
        let conf = format!(
            "daemon off; master_process off; pid {d}/nginx.pid; error_log {d}/error.log;\n\
             events {{}}\nhttp {{ access_log {d}/access.log; types {{}} default_type application/octet-stream;\n\
             server {{ listen 127.0.0.1:{}; root {}; {extra} }} }}\n",
            self.port,
            self.root.display()
        );
        let conf_path = self.dir.path().join("nginx.conf");
        std::fs::write(&conf_path, conf).expect("nginx.conf");
        let child = Command::new("nginx")
            .arg("-p")
            .arg(self.dir.path())
            .arg("-e")
            .arg(self.dir.path().join("error.log"))
            .arg("-c")
            .arg(&conf_path)
            .spawn()
            .expect("nginx (Debian package nginx; scripts/setup.sh installs it)");
        self.child = Some(child);
        let started = std::time::Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            let log = std::fs::read_to_string(self.dir.path().join("error.log")).unwrap_or_default();
            assert!(started.elapsed().as_secs() < 20, "nginx did not start: {log}");
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}/{}", self.port, path.trim_start_matches('/'))
    }

    /// Each request nginx has logged: (path, status, body bytes sent).
    pub fn access_log(&self) -> Vec<(String, u16, u64)> {
        let text = std::fs::read_to_string(self.dir.path().join("access.log")).unwrap_or_default();
        text.lines()
            .filter_map(|l| {
                let mut parts = l.split('"');
                let request = parts.nth(1)?;
                let mut numbers = parts.next()?.split_whitespace();
                let path = request.split_whitespace().nth(1)?.to_string();
                Some((path, numbers.next()?.parse().ok()?, numbers.next()?.parse().ok()?))
            })
            .collect()
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        self.stop();
    }
}

// ---- Presentations made by LibreOffice itself ----

/// The three slides' titles and background colours.
pub const SLIDES: [(&str, [u8; 3]); 3] =
    [("Volcanoes", [200, 30, 30]), ("Lava", [30, 200, 30]), ("Ash", [30, 30, 200])];

/// A flat ODP of `slides` (title, background colour).
fn fodp(slides: &[(&str, [u8; 3])]) -> String {
    let hex = |c: [u8; 3]| format!("#{:02x}{:02x}{:02x}", c[0], c[1], c[2]);
    let styles: String = slides
        .iter()
        .enumerate()
        .map(|(i, (_, c))| format!(r#"<style:style style:name="dp{}" style:family="drawing-page"><style:drawing-page-properties draw:fill="solid" draw:fill-color="{}" presentation:background-visible="true"/></style:style>"#, i + 1, hex(*c)))
        .collect();
    let pages: String = slides
        .iter()
        .enumerate()
        .map(|(i, (t, _))| format!(r#"<draw:page draw:name="p{n}" draw:style-name="dp{n}" draw:master-page-name="Default"><draw:frame svg:x="2cm" svg:y="1cm" svg:width="20cm" svg:height="3cm"><draw:text-box><text:p>{t}</text:p></draw:text-box></draw:frame></draw:page>"#, n = i + 1))
        .collect();
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:presentation="urn:oasis:names:tc:opendocument:xmlns:presentation:1.0" office:version="1.3" office:mimetype="application/vnd.oasis.opendocument.presentation">
<office:automatic-styles><style:page-layout style:name="PM1"><style:page-layout-properties fo:margin-top="0cm" fo:margin-bottom="0cm" fo:margin-left="0cm" fo:margin-right="0cm" fo:page-width="28cm" fo:page-height="15.75cm" style:print-orientation="landscape"/></style:page-layout>{styles}</office:automatic-styles>
<office:master-styles><style:master-page style:name="Default" style:page-layout-name="PM1"/></office:master-styles>
<office:body><office:presentation>{pages}</office:presentation></office:body></office:document>
"#
    )
}

/// The deck as `format` (pptx, odp, pdf, or a filter with options), made by LibreOffice into
/// `dir` from the flat ODP; its path.
pub fn make_deck(dir: &Path, stem: &str, format: &str) -> PathBuf {
    make_deck_of(dir, stem, format, &SLIDES)
}

/// [`make_deck`] of these slides.
pub fn make_deck_of(dir: &Path, stem: &str, format: &str, slides: &[(&str, [u8; 3])]) -> PathBuf {
    let work = tempfile::tempdir().unwrap();
    let src = work.path().join(format!("{stem}.fodp"));
    std::fs::write(&src, fodp(slides)).unwrap();
    let profile = work.path().join("profile");
    let out = Command::new("soffice")
        .arg(format!("-env:UserInstallation=file://{}", profile.display()))
        .args(["--headless", "--convert-to", format, "--outdir"])
        .arg(dir)
        .arg(&src)
        .output()
        .expect("soffice (Debian package libreoffice-impress-nogui)");
    let ext = format.split(':').next().unwrap();
    let made = dir.join(format!("{stem}.{ext}"));
    assert!(made.is_file(), "{}{}", stdout(&out), String::from_utf8_lossy(&out.stderr));
    made
}

// ---- Films made by ffmpeg ----

/// A 3-second film, red, blue then green, made by ffmpeg with `args` into `path`.
pub fn ffmpeg_clip(path: &Path, args: &str) {
    ffmpeg_clip_with(path, &[], args);
}

/// [`ffmpeg_clip`] with more input files (inputs 3, 4, …), such as subtitles.
pub fn ffmpeg_clip_with(path: &Path, inputs: &[&Path], args: &str) {
    let colours = ["red", "blue", "green"].map(|c| format!("color=c={c}:s=352x288:d=1:r=25"));
    let mut cmd = std::process::Command::new("ffmpeg");
    cmd.args(["-v", "error", "-y"]);
    for c in &colours {
        cmd.args(["-f", "lavfi", "-i", c]);
    }
    for input in inputs {
        cmd.arg("-i").arg(input);
    }
    cmd.args(["-filter_complex", "concat=n=3:v=1[v]", "-map", "[v]"]).args(args.split_whitespace()).arg(path);
    let out = cmd.output().expect("ffmpeg (Debian package ffmpeg)");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}
