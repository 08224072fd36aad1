//! The files a new version lacks, fetched two at a time: while one file's bytes are being
//! hashed and written, the other's are too, so a screen's two or more cores share the work (one
//! file at a time leaves the hashing on one core). Each file goes to `parts/<hash>.part`, has its
//! SHA-256 checked as it arrives, and becomes `parts/<hash>` once whole, so a later round that
//! fails elsewhere does not fetch it again. With `max_rate` set, one at a time (the school's
//! link is what is slow). The files in flight count their bytes together against what is left
//! of `max_total`, so together they never pass it. The first failure stops the round: the other
//! download gives up at once. The fetcher threads inherit the calling thread's class (the
//! player's sync thread is in the idle class).

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use super::SyncError;
use super::manifest::{Entry, to_hex};
use super::pace::Together;
use super::source::Source;
use super::transport::{Downloader, Transport, short};

/// Files fetched at once.
const FETCHERS: usize = 2;

/// A file fetched: its hash, the bytes downloaded this round, and where it is whole.
pub struct Fetched {
    pub sha256: [u8; 32],
    pub bytes: u64,
    pub path: PathBuf,
}

/// Fetches `wanted` (each hash once) into `parts`, at most `left` bytes in all (the rest of
/// `max_total`).
pub fn fetch_all(
    source: &Source,
    wanted: &[&Entry],
    parts: &Path,
    left: u64,
    transport: &Transport,
) -> Result<Vec<Fetched>, SyncError> {
    if wanted.is_empty() {
        return Ok(Vec::new());
    }
    let fetchers = if source.max_rate.is_some() { 1 } else { FETCHERS.min(wanted.len()) };
    let round = Round {
        source,
        wanted,
        parts,
        left,
        transport,
        next: AtomicUsize::new(0),
        together: Arc::new(Together::new(left, source.max_total)),
        failed: Mutex::new(None),
        fetched: Mutex::new(Vec::new()),
    };
    std::thread::scope(|scope| {
        for _ in 1..fetchers {
            // No thread to be had: this one fetches alone.
            let _ = std::thread::Builder::new().spawn_scoped(scope, || round.fetcher());
        }
        round.fetcher();
    });
    if let Some(e) = round.failed.into_inner().unwrap_or_else(|p| p.into_inner()) {
        return Err(e);
    }
    Ok(round.fetched.into_inner().unwrap_or_else(|p| p.into_inner()))
}

/// What the fetchers share.
struct Round<'a> {
    source: &'a Source,
    wanted: &'a [&'a Entry],
    parts: &'a Path,
    left: u64,
    transport: &'a Transport,
    /// The next file of `wanted` to take.
    next: AtomicUsize,
    /// What the downloads in flight share: the bytes left, and the stop at the first failure.
    together: Arc<Together>,
    failed: Mutex<Option<SyncError>>,
    fetched: Mutex<Vec<Fetched>>,
}

/// A lock, whether or not another thread panicked holding it.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Round<'_> {
    /// Takes files until none is left or one failed.
    fn fetcher(&self) {
        let downloader = match self.transport.downloader() {
            Ok(d) => d.sharing(self.together.clone()),
            Err(e) => return self.fail(e),
        };
        let cap = self.source.max_file.min(self.left);
        loop {
            let i = self.next.fetch_add(1, Ordering::Relaxed);
            let Some(entry) = self.wanted.get(i).filter(|_| !self.together.stopped()) else { return };
            match fetch(self.source, entry, self.parts, cap, &downloader) {
                Ok(f) => lock(&self.fetched).push(f),
                Err(e) => return self.fail(e),
            }
        }
    }

    /// Stops the round at its first failure.
    fn fail(&self, e: SyncError) {
        lock(&self.failed).get_or_insert(e);
        self.together.stop();
    }
}

/// Downloads one file to its part and checks its hash; renamed `<hash>` once whole.
fn fetch(
    source: &Source,
    entry: &Entry,
    parts: &Path,
    cap: u64,
    downloader: &Downloader,
) -> Result<Fetched, SyncError> {
    let done = parts.join(to_hex(&entry.sha256));
    let part = done.with_extension("part");
    let (bytes, hash) = downloader
        .download(&source.origin, &entry.name, &part, cap, source.max_rate)
        .map_err(|e| match e {
            SyncError::TooLarge { .. } if cap < source.max_file => {
                SyncError::TooLarge { name: "the whole source".into(), cap: source.max_total }
            }
            e => e,
        })?;
    if hash != entry.sha256 {
        let _ = std::fs::remove_file(&part);
        return Err(SyncError::Mismatch(format!(
            "{}: its contents do not match the manifest ({} instead of {}); refused",
            entry.name,
            short(&hash),
            short(&entry.sha256)
        )));
    }
    std::fs::rename(&part, &done).map_err(|e| SyncError::io(&done, e))?;
    Ok(Fetched { sha256: entry.sha256, bytes, path: done })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::sync::source::{DEFAULT_MAX_FILE, DEFAULT_MAX_TOTAL, Origin};
    use crate::core::sync::transport::Limits;
    use sha2::{Digest, Sha256};
    use std::io::{Read, Write};
    use std::net::{TcpListener, TcpStream};
    use std::sync::Condvar;
    use std::time::Duration;

    fn entry(name: &str, body: &[u8]) -> Entry {
        Entry { name: name.into(), sha256: Sha256::digest(body).into() }
    }

    fn source(origin: Origin, max_rate: Option<u64>, max_file: u64) -> Source {
        Source {
            origin,
            into: "films".into(),
            public_key: String::new(),
            every: Duration::from_secs(600),
            max_rate,
            max_file,
            max_total: DEFAULT_MAX_TOTAL,
        }
    }

    /// How a test server answers the path asked for.
    type Answer = fn(&str, &mut TcpStream);

    /// Answers with the path asked for.
    fn echo(path: &str, stream: &mut TcpStream) {
        let head = format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", path.len());
        let _ = stream.write_all(head.as_bytes());
        let _ = stream.write_all(path.as_bytes());
    }

    /// A web server on 127.0.0.1 that answers each request once as many requests as `together`
    /// are open at once (or after 2 s); the most it saw open at once.
    fn serve(together: usize, answer: Answer) -> (Origin, Arc<(Mutex<(usize, usize)>, Condvar)>) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let origin = Origin::Web(format!("http://{}/share/", listener.local_addr().unwrap()));
        let open = Arc::new((Mutex::new((0usize, 0usize)), Condvar::new()));
        let shared = open.clone();
        std::thread::spawn(move || {
            for mut stream in listener.incoming().flatten() {
                let open = shared.clone();
                std::thread::spawn(move || {
                    let mut request = [0u8; 4096];
                    let n = stream.read(&mut request).unwrap_or(0);
                    let text = String::from_utf8_lossy(&request[..n]).into_owned();
                    let path = text.split(' ').nth(1).unwrap_or("").to_string();
                    let (lock, arrived) = &*open;
                    let mut counts = lock.lock().unwrap();
                    counts.0 += 1;
                    counts.1 = counts.1.max(counts.0);
                    arrived.notify_all();
                    let (mut counts, _) = arrived
                        .wait_timeout_while(counts, Duration::from_secs(2), |c| c.1 < together)
                        .unwrap();
                    counts.0 -= 1;
                    drop(counts);
                    answer(&path, &mut stream);
                });
            }
        });
        (origin, open)
    }

    #[test]
    fn two_files_come_at_once_and_one_at_a_time_under_max_rate() {
        let wanted = [entry("a.md", b"/share/a.md"), entry("b.md", b"/share/b.md")];
        let wanted: Vec<&Entry> = wanted.iter().collect();
        let transport = Transport::new(Limits::default()).unwrap();
        for (rate, expected) in [(None, 2), (Some(1 << 30), 1)] {
            let (origin, open) = serve(2, echo);
            let parts = tempfile::tempdir().unwrap();
            let source = source(origin, rate, DEFAULT_MAX_FILE);
            let fetched = fetch_all(&source, &wanted, parts.path(), 1 << 20, &transport).unwrap();
            assert_eq!(fetched.len(), 2);
            for f in &fetched {
                let name = if f.sha256 == wanted[0].sha256 { "/share/a.md" } else { "/share/b.md" };
                assert_eq!(std::fs::read(&f.path).unwrap(), name.as_bytes());
            }
            assert_eq!(open.0.lock().unwrap().1, expected, "max_rate {rate:?}");
        }
    }

    #[test]
    fn files_in_flight_together_never_pass_what_is_left_of_the_cap() {
        let wanted = [entry("a.md", b"/share/a.md"), entry("b.md", b"/share/b.md")];
        let wanted: Vec<&Entry> = wanted.iter().collect();
        let transport = Transport::new(Limits::default()).unwrap();
        let (origin, open) = serve(2, echo);
        let parts = tempfile::tempdir().unwrap();
        // Each file (11 bytes) fits in the 15 left; both do not.
        let e = fetch_all(&source(origin, None, 100), &wanted, parts.path(), 15, &transport).err().unwrap();
        assert!(e.to_string().starts_with("the whole source: larger than the cap"), "{e}");
        assert_eq!(open.0.lock().unwrap().1, 2);
        let on_disk: u64 =
            std::fs::read_dir(parts.path()).unwrap().map(|e| e.unwrap().metadata().unwrap().len()).sum();
        assert!(on_disk <= 15, "{on_disk} bytes written");
    }

    /// 8 MB of zeros in pieces of 64 KB, a little at a time (about half a second).
    const SLOW_FILE: usize = 8 << 20;

    fn not_found_or_slow(path: &str, stream: &mut TcpStream) {
        if path.ends_with("a.md") {
            let _ =
                stream.write_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
            return;
        }
        let head = format!("HTTP/1.1 200 OK\r\nContent-Length: {SLOW_FILE}\r\nConnection: close\r\n\r\n");
        let _ = stream.write_all(head.as_bytes());
        for _ in 0..SLOW_FILE / 65536 {
            if stream.write_all(&[0u8; 65536]).is_err() {
                return; // the screen gave up
            }
            std::thread::sleep(Duration::from_millis(4));
        }
    }

    #[test]
    fn a_failure_stops_the_other_download_at_once() {
        let slow = entry("b.mp4", &vec![0u8; SLOW_FILE]);
        let wanted = [entry("a.md", b"never"), slow];
        let wanted: Vec<&Entry> = wanted.iter().collect();
        let transport = Transport::new(Limits::default()).unwrap();
        let (origin, _) = serve(2, not_found_or_slow);
        let parts = tempfile::tempdir().unwrap();
        let source = source(origin, None, DEFAULT_MAX_FILE);
        let e = fetch_all(&source, &wanted, parts.path(), 1 << 30, &transport).err().unwrap();
        assert!(e.to_string().starts_with("a.md: the server answered 404"), "{e}");
        // The film was not brought in whole: it stopped when the other failed.
        assert!(!parts.path().join(to_hex(&wanted[1].sha256)).exists());
        let part = parts.path().join(to_hex(&wanted[1].sha256)).with_extension("part");
        assert!(std::fs::metadata(&part).map_or(0, |m| m.len()) < SLOW_FILE as u64);
    }

    #[test]
    fn the_first_failure_stops_the_round_and_whole_files_stay() {
        let dir = tempfile::tempdir().unwrap();
        let (parts, share) = (dir.path().join("parts"), dir.path().join("share"));
        std::fs::create_dir_all(&parts).unwrap();
        std::fs::create_dir_all(&share).unwrap();
        let mut entries = Vec::new();
        for i in 0..6 {
            let body = format!("photo {i}");
            std::fs::write(share.join(format!("{i}.jpg")), &body).unwrap();
            entries.push(entry(&format!("{i}.jpg"), body.as_bytes()));
        }
        entries[1].sha256 = [0; 32]; // what the manifest says is not what is there
        let wanted: Vec<&Entry> = entries.iter().collect();
        let transport = Transport::new(Limits::default()).unwrap();
        // Two at a time, then one at a time (max_rate): the files after the bad one are not
        // taken, the whole ones before it stay.
        for (rate, kept) in [(None, 1..6), (Some(1 << 30), 1..2)] {
            let _ = std::fs::remove_dir_all(&parts);
            std::fs::create_dir_all(&parts).unwrap();
            let origin = Origin::Folder(share.clone());
            let source = source(origin, rate, DEFAULT_MAX_FILE);
            let e = fetch_all(&source, &wanted, &parts, 1 << 20, &transport).err().unwrap();
            assert!(e.to_string().starts_with("1.jpg: its contents do not match"), "{e}");
            let names: Vec<String> = std::fs::read_dir(&parts)
                .unwrap()
                .map(|e| e.unwrap().file_name().into_string().unwrap())
                .collect();
            assert!(kept.contains(&names.len()), "max_rate {rate:?}: {names:?}");
            let first = to_hex(&entries[0].sha256);
            assert!(names.iter().any(|n| n.trim_end_matches(".part") == first), "{names:?}");
            assert!(rate.is_none() || names.contains(&first), "{names:?}");
            // Two at a time, the other file may have been stopped part way: its part stays, to
            // be resumed. One at a time, nothing is left part way.
            let hashes: Vec<String> = entries.iter().map(|e| to_hex(&e.sha256)).collect();
            assert!(
                names.iter().all(|n| hashes.contains(&n.trim_end_matches(".part").to_string())),
                "{names:?}"
            );
            assert!(rate.is_none() || names.iter().all(|n| !n.ends_with(".part")), "{names:?}");
        }
    }
}
