//! The files a new version lacks, fetched two at a time: while one file's bytes are being
//! hashed and written, the other's are too, so a screen's two or more cores share the work (one
//! file at a time leaves the hashing on one core). Each file goes to `parts/<hash>.part`, has its
//! SHA-256 checked as it arrives, and becomes `parts/<hash>` once whole, so a later round that
//! fails elsewhere does not fetch it again. With `max_rate` set, one at a time (the school's
//! link is what is slow). The first failure stops the round: the other fetcher finishes the file
//! it has started and takes no more. The fetcher threads inherit the calling thread's class (the
//! player's sync thread is in the idle class).

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use super::SyncError;
use super::manifest::{Entry, to_hex};
use super::source::Source;
use super::transport::{Downloader, Transport, short};

/// Files fetched at once.
const FETCHERS: usize = 2;

/// A file fetched: the bytes downloaded this round, and where it is whole.
pub struct Fetched {
    pub bytes: u64,
    pub path: PathBuf,
}

/// Fetches `wanted` (each hash once) into `parts`, at most `left` bytes in all (the rest of
/// `max_total`); the files in the order of `wanted`.
pub fn fetch_all(
    source: &Source,
    wanted: &[&Entry],
    parts: &Path,
    left: u64,
    transport: &Transport,
) -> Result<Vec<Fetched>, SyncError> {
    let fetchers = if source.max_rate.is_some() { 1 } else { FETCHERS.min(wanted.len()) };
    let round = Round {
        source,
        wanted,
        parts,
        left,
        transport,
        next: AtomicUsize::new(0),
        spent: AtomicU64::new(0),
        failed: Mutex::new(None),
        fetched: Mutex::new(Vec::new()),
    };
    std::thread::scope(|scope| {
        for _ in 1..fetchers {
            scope.spawn(|| round.fetcher());
        }
        round.fetcher();
    });
    if let Some(e) = round.failed.into_inner().unwrap_or_else(|p| p.into_inner()) {
        return Err(e);
    }
    let mut fetched = round.fetched.into_inner().unwrap_or_else(|p| p.into_inner());
    fetched.sort_by_key(|(i, _)| *i);
    Ok(fetched.into_iter().map(|(_, f)| f).collect())
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
    /// Bytes of the files fetched whole so far.
    spent: AtomicU64,
    failed: Mutex<Option<SyncError>>,
    fetched: Mutex<Vec<(usize, Fetched)>>,
}

impl Round<'_> {
    /// Takes files until none is left or one failed.
    fn fetcher(&self) {
        let downloader = match self.transport.downloader() {
            Ok(d) => d,
            Err(e) => return self.fail(e),
        };
        loop {
            let stopped = self.failed.lock().map_or(true, |f| f.is_some());
            let i = self.next.fetch_add(1, Ordering::Relaxed);
            let Some(entry) = self.wanted.get(i).filter(|_| !stopped) else { return };
            let left = self.left.saturating_sub(self.spent.load(Ordering::Relaxed));
            match fetch(self.source, entry, self.parts, left, &downloader) {
                Ok(f) => {
                    let size = std::fs::metadata(&f.path).map_or(0, |m| m.len());
                    self.spent.fetch_add(size, Ordering::Relaxed);
                    if let Ok(mut fetched) = self.fetched.lock() {
                        fetched.push((i, f));
                    }
                }
                Err(e) => return self.fail(e),
            }
        }
    }

    /// Stops the round at its first failure.
    fn fail(&self, e: SyncError) {
        if let Ok(mut failed) = self.failed.lock() {
            failed.get_or_insert(e);
        }
    }
}

/// Downloads one file to its part and checks its hash; renamed `<hash>` once whole.
fn fetch(
    source: &Source,
    entry: &Entry,
    parts: &Path,
    left: u64,
    downloader: &Downloader,
) -> Result<Fetched, SyncError> {
    let done = parts.join(to_hex(&entry.sha256));
    let part = done.with_extension("part");
    let cap = source.max_file.min(left);
    let (bytes, hash) = downloader
        .download(&source.origin, &entry.name, &part, cap, source.max_rate)
        .map_err(|e| match e {
            SyncError::TooLarge { .. } if left < source.max_file => {
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
    Ok(Fetched { bytes, path: done })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::sync::source::{DEFAULT_MAX_FILE, DEFAULT_MAX_TOTAL, Origin};
    use crate::core::sync::transport::Limits;
    use sha2::{Digest, Sha256};
    use std::io::{Read, Write};
    use std::net::TcpListener;
    use std::sync::{Arc, Condvar};
    use std::time::Duration;

    fn entry(name: &str, body: &[u8]) -> Entry {
        Entry { name: name.into(), sha256: Sha256::digest(body).into() }
    }

    fn source(origin: Origin, max_rate: Option<u64>) -> Source {
        Source {
            origin,
            into: "films".into(),
            public_key: String::new(),
            every: Duration::from_secs(600),
            max_rate,
            max_file: DEFAULT_MAX_FILE,
            max_total: DEFAULT_MAX_TOTAL,
        }
    }

    /// A web server on 127.0.0.1 that answers each request with the path asked for, once as
    /// many requests as `together` are open at once (or after 2 s); the most it saw open at once.
    fn serve(together: usize) -> (Origin, Arc<(Mutex<(usize, usize)>, Condvar)>) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let origin = Origin::Web(format!("http://{}/share/", listener.local_addr().unwrap()));
        let open = Arc::new((Mutex::new((0usize, 0usize)), Condvar::new()));
        let shared = open.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let open = shared.clone();
                std::thread::spawn(move || {
                    let mut stream = stream;
                    let mut request = [0u8; 4096];
                    let n = stream.read(&mut request).unwrap_or(0);
                    let text = String::from_utf8_lossy(&request[..n]).into_owned();
                    let body = text.split(' ').nth(1).unwrap_or("").to_string();
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
                    let head = format!(
                        "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                        body.len()
                    );
                    let _ = stream.write_all(head.as_bytes());
                    let _ = stream.write_all(body.as_bytes());
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
            let (origin, open) = serve(2);
            let parts = tempfile::tempdir().unwrap();
            let fetched =
                fetch_all(&source(origin, rate), &wanted, parts.path(), 1 << 20, &transport).unwrap();
            assert_eq!(fetched.len(), 2);
            assert_eq!(std::fs::read(&fetched[1].path).unwrap(), b"/share/b.md");
            assert_eq!(open.0.lock().unwrap().1, expected, "max_rate {rate:?}");
        }
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
        // taken, the whole ones before it stay, nothing half-written does.
        for (rate, kept) in [(None, 1..6), (Some(1 << 30), 1..2)] {
            let _ = std::fs::remove_dir_all(&parts);
            std::fs::create_dir_all(&parts).unwrap();
            let origin = Origin::Folder(share.clone());
            let e = fetch_all(&source(origin, rate), &wanted, &parts, 1 << 20, &transport).err().unwrap();
            assert!(e.to_string().starts_with("1.jpg: its contents do not match"), "{e}");
            let names: Vec<String> = std::fs::read_dir(&parts)
                .unwrap()
                .map(|e| e.unwrap().file_name().into_string().unwrap())
                .collect();
            assert!(kept.contains(&names.len()), "max_rate {rate:?}: {names:?}");
            assert!(names.contains(&to_hex(&entries[0].sha256)));
            assert!(names.iter().all(|n| !n.ends_with(".part")), "{names:?}");
        }
    }
}
