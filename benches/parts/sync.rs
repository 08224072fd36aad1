//! (sync) Screens subscribing to a published folder, against the reference tools in the same
//! run: downloading a 500 MB folder from nginx on loopback (`corridor sync --once`, which also
//! checks each file's SHA-256 as it arrives) vs `curl` fetching the same files; hashing the same
//! files vs coreutils' `sha256sum`; peak memory of `corridor sync --once` bringing a 2 GB film vs
//! the same command with nothing to do; and a round with nothing changed (requests, time).

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use crate::common::{Nginx, corridor};
use crate::median;
use corridor::core::sync::rounds::sync_one;
use corridor::core::sync::source::{DEFAULT_MAX_FILE, DEFAULT_MAX_TOTAL, Origin, Source};
use corridor::core::sync::transport::{Limits, Transport};
use corridor::core::sync::{manifest, publish, signing};

const MB: u64 = 1 << 20;

/// Writes `files` files of `size` bytes each into `dir` (varied bytes, so nothing compresses).
fn write_files(dir: &Path, files: usize, size: u64) {
    std::fs::create_dir_all(dir).expect("folder");
    let block: Vec<u8> = (0..MB as u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
    for f in 0..files {
        let mut out =
            std::io::BufWriter::new(std::fs::File::create(dir.join(format!("film {f}.mp4"))).unwrap());
        for m in 0..size / MB {
            let mut b = block.clone();
            b[0] = f as u8;
            b[1] = m as u8;
            std::io::Write::write_all(&mut out, &b).unwrap();
        }
    }
}

/// Runs `cmd` to its end: its wall time and peak memory (ru_maxrss, MB).
fn measured(cmd: &mut Command) -> (Duration, f64) {
    let started = Instant::now();
    let child = cmd.stdout(std::process::Stdio::null()).spawn().expect("runs");
    let mut status = 0;
    // SAFETY: an all-zero rusage is valid; wait4 fills it for the child we started.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: the pid is our own child's; the pointers live through the call.
    let rc = unsafe { libc::wait4(child.id() as i32, &mut status, 0, &mut usage) };
    assert!(rc > 0 && status == 0, "the command failed ({status}): {cmd:?}");
    (started.elapsed(), usage.ru_maxrss as f64 / 1024.0)
}

/// A screen folder subscribed to `url`: its corridor.toml.
fn screen(dir: &Path, url: &str, public: &str) -> std::path::PathBuf {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir.join("playlists")).unwrap();
    let toml = format!(
        "content = \"playlists\"\nstate_folder = \"state\"\n[[source]]\nurl = \"{url}\"\ninto = \"films\"\npublic_key = \"{public}\"\n"
    );
    std::fs::write(dir.join("corridor.toml"), toml).unwrap();
    dir.join("corridor.toml")
}

fn sync_once(config: &Path) -> Command {
    let mut cmd = corridor();
    cmd.arg("--config").arg(config).args(["sync", "--once"]);
    cmd
}

pub fn bench_sync(dir: &Path) {
    let site = dir.join("site");
    let pair = signing::keygen().expect("keys");
    write_files(&site.join("museum"), 10, 50 * MB);
    publish::publish(&site.join("museum"), &pair.secret, 1).expect("publish");
    let nginx = Nginx::start(&site, "");
    bench_download(dir, &nginx, &pair);
    bench_hashing(&site.join("museum"));
    bench_unchanged_round(dir, &nginx, &pair);
    drop(nginx);
    let _ = std::fs::remove_dir_all(&site);
    let _ = std::fs::remove_dir_all(dir.join("curl"));
    bench_big_film_memory(dir, &pair);
}

/// Download runs of each tool.
const RUNS: usize = 8;

/// The 500 MB folder four ways, in turns: `corridor sync --once` (two files at a time); curl
/// alone, one file at a time and two at a time (`--parallel --parallel-max 2`, as corridor);
/// curl, then `openssl dgst -sha256` of what it wrote (the same work as corridor's: bring, then
/// check).
fn bench_download(dir: &Path, nginx: &Nginx, pair: &signing::KeyPairText) {
    let names: Vec<String> = (0..10).map(|f| format!("film%20{f}.mp4")).collect();
    let out = dir.join("curl");
    let urls: Vec<String> = names.iter().map(|n| nginx.url(&format!("museum/{n}"))).collect();
    let curl = |parallel: bool| {
        let mut curl = Command::new("curl");
        curl.arg("-sf").arg("--output-dir").arg(&out);
        if parallel {
            curl.args(["--parallel", "--parallel-max", "2"]);
        }
        urls.iter().zip(&names).for_each(|(u, n)| {
            curl.args(["-o", n, u]);
        });
        curl
    };
    let then_check = || {
        let mut sh = Command::new("sh");
        let gets: Vec<String> = urls.iter().zip(&names).map(|(u, n)| format!("-o '{n}' '{u}'")).collect();
        // The folder as an argument ($0), not in the script's words.
        sh.arg("-c")
            .arg(format!(
                "curl -sf --output-dir \"$0\" {} && cd \"$0\" && openssl dgst -sha256 *",
                gets.join(" ")
            ))
            .arg(&out);
        sh
    };
    let mut times: [Vec<Duration>; 4] = Default::default();
    for run in 0..RUNS {
        for turn in 0..4 {
            let tool = (run + turn) % 4; // each goes first, second, third and last in turn
            let _ = std::fs::remove_dir_all(&out);
            std::fs::create_dir_all(&out).unwrap();
            let mut cmd = match tool {
                0 => sync_once(&screen(&dir.join("screen"), &nginx.url("museum/"), &pair.public_line)),
                1 => curl(false),
                2 => curl(true),
                _ => then_check(),
            };
            // Every run starts with the disk's write-back settled: none pays for another's
            // 500 MB of dirty pages.
            // SAFETY: sync(2) takes no arguments and cannot fail.
            unsafe { libc::sync() };
            times[tool].push(measured(&mut cmd).0);
        }
    }
    let [o, c, c2, checked] = times.map(|t| median(t).as_secs_f64());
    println!(
        "(sync) download of a 500 MB folder (10 files) from nginx on loopback, medians of {RUNS} (write-back settled before each, order rotated): corridor sync --once {o:.2} s (two files at a time, hashes checked as they arrive); curl {c:.2} s, ratio {:.2}; curl two at a time {c2:.2} s, ratio {:.2}; curl then openssl dgst -sha256 {checked:.2} s, ratio {:.2}",
        o / c,
        o / c2,
        o / checked
    );
}

/// corridor's SHA-256 of the same 500 MB vs `sha256sum`, files in the page cache.
fn bench_hashing(folder: &Path) {
    let files: Vec<std::path::PathBuf> = (0..10).map(|f| folder.join(format!("film {f}.mp4"))).collect();
    let (mut ours, mut theirs) = (Vec::new(), Vec::new());
    for _ in 0..3 {
        let started = Instant::now();
        for f in &files {
            manifest::hash_file(f).expect("hash");
        }
        ours.push(started.elapsed());
        theirs.push(measured(Command::new("sha256sum").args(&files)).0);
    }
    let (o, t) = (median(ours), median(theirs));
    println!(
        "(sync) SHA-256 of the same 500 MB, median of 3: corridor {:.2} s, sha256sum {:.2} s, ratio {:.2}",
        o.as_secs_f64(),
        t.as_secs_f64(),
        o.as_secs_f64() / t.as_secs_f64()
    );
}

/// A round with nothing changed: how many requests reach nginx, and how long it takes.
fn bench_unchanged_round(dir: &Path, nginx: &Nginx, pair: &signing::KeyPairText) {
    let content = dir.join("screen/playlists");
    let state = dir.join("screen/state");
    let source = Source {
        origin: Origin::Web(nginx.url("museum/")),
        into: "films".into(),
        public_key: pair.public_line.clone(),
        every: Duration::from_secs(600),
        max_rate: None,
        max_file: DEFAULT_MAX_FILE,
        max_total: DEFAULT_MAX_TOTAL,
    };
    let transport = Transport::new(Limits::default()).expect("transport");
    let before = nginx.access_log().len();
    let mut times = Vec::new();
    for _ in 0..20 {
        let now = chrono::Utc::now().timestamp();
        let started = Instant::now();
        let report = sync_one(&source, &content, &state, &transport, now);
        times.push(started.elapsed());
        assert!(report.result.is_ok(), "{}", report.line());
    }
    let requests = nginx.access_log().len() - before;
    let max = times.iter().max().copied().unwrap_or_default();
    println!(
        "(sync) a round with nothing changed, 20 rounds: {:.1} requests each (304 Not Modified), median {:.1} ms, slowest {:.1} ms",
        requests as f64 / 20.0,
        median(times).as_secs_f64() * 1000.0,
        max.as_secs_f64() * 1000.0
    );
}

/// Peak memory of `corridor sync --once` bringing one 2 GB film, and with nothing to do.
fn bench_big_film_memory(dir: &Path, pair: &signing::KeyPairText) {
    let site = dir.join("site2");
    write_files(&site.join("assembly"), 1, 2048 * MB);
    publish::publish(&site.join("assembly"), &pair.secret, 1).expect("publish");
    let nginx = Nginx::start(&site, "");
    let config = screen(&dir.join("screen2"), &nginx.url("assembly/"), &pair.public_line);
    let (took, syncing) = measured(&mut sync_once(&config));
    let (_, idle) = measured(&mut sync_once(&config));
    println!(
        "(sync) peak memory (ru_maxrss) of corridor sync --once: bringing a 2 GB film {syncing:.1} MB ({:.1} s), nothing to do {idle:.1} MB, difference {:.1} MB",
        took.as_secs_f64(),
        syncing - idle
    );
    drop(nginx);
    let _ = std::fs::remove_dir_all(&site);
    let _ = std::fs::remove_dir_all(dir.join("screen2"));
}
