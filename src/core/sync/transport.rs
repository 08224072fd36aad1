//! Getting a published folder's files from where it is: over HTTP(S) with reqwest, or from a
//! folder (a mounted share). Small files (the manifest and its signature) are read whole, asking
//! only for a changed copy; listed files stream to a `.part` file while their SHA-256 is worked
//! out ([`Downloader`]: one per fetcher thread, hashing and writing each piece on that thread),
//! resume with `Range` after a dropped connection, never grow past their cap, keep to
//! `max_rate`, and give up on a server that stalls or drips. Blocking: worker threads only.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;
use std::sync::Arc;

use reqwest::blocking::Client;
use reqwest::header::{CONTENT_RANGE, ETAG, IF_MODIFIED_SINCE, IF_NONE_MATCH, LAST_MODIFIED, RANGE};
use reqwest::{Response, StatusCode};
use sha2::{Digest, Sha256};

use super::SyncError;
use super::manifest::to_hex;
pub use super::pace::Limits;
use super::pace::{Pace, Together, cause, fetch_error};
use super::source::Origin;
use crate::core::ticker::fetch::Validators;

/// Sent with every request.
pub const USER_AGENT: &str =
    concat!("corridor/", env!("CARGO_PKG_VERSION"), " (school corridor signage; folder sync)");

/// A small file's answer.
#[derive(Debug)]
pub enum Small {
    Body { bytes: Vec<u8>, validators: Validators },
    NotModified,
}

/// Gets files from sources; one for a whole run (it keeps connections alive).
pub struct Transport {
    client: Client,
    limits: Limits,
}

impl Transport {
    pub fn new(limits: Limits) -> Result<Self, SyncError> {
        let client = Client::builder()
            .user_agent(USER_AGENT)
            .connect_timeout(limits.connect)
            .timeout(limits.stall)
            .redirect(reqwest::redirect::Policy::limited(5))
            .build()
            .map_err(|e| fetch_error("", e.to_string()))?;
        Ok(Self { client, limits })
    }

    /// The file `name` of `origin`, at most `cap` bytes; only a changed copy when `since` is given.
    pub fn get_small(
        &self,
        origin: &Origin,
        name: &str,
        cap: u64,
        since: &Validators,
    ) -> Result<Small, SyncError> {
        let mut body = Vec::new();
        let mut pace = Pace::new(name, cap, None, self.limits);
        let validators = match origin {
            Origin::Folder(dir) => {
                let path = dir.join(name);
                let file = File::open(&path).map_err(|e| fetch_error(name, e.to_string()))?;
                pace.copy(&mut file.take(cap + 1), &mut body)?;
                Validators::default()
            }
            Origin::Web(base) => {
                let mut request = self.client.get(url_of(base, name)?);
                if let Some(etag) = &since.etag {
                    request = request.header(IF_NONE_MATCH, etag);
                }
                if let Some(date) = &since.last_modified {
                    request = request.header(IF_MODIFIED_SINCE, date);
                }
                let mut response = request.send().map_err(|e| fetch_error(name, cause(&e)))?;
                if response.status() == StatusCode::NOT_MODIFIED {
                    return Ok(Small::NotModified);
                }
                answered(name, response.status())?;
                let header = |h| response.headers().get(h).and_then(|v| v.to_str().ok()).map(String::from);
                let validators = Validators { etag: header(ETAG), last_modified: header(LAST_MODIFIED) };
                pace.copy(&mut response, &mut body)?;
                validators
            }
        };
        Ok(Small::Body { bytes: body, validators })
    }

    /// A downloader for one thread.
    pub fn downloader(&self) -> Result<Downloader, SyncError> {
        let client = reqwest::Client::builder()
            .user_agent(USER_AGENT)
            .connect_timeout(self.limits.connect)
            .read_timeout(self.limits.stall)
            .redirect(reqwest::redirect::Policy::limited(5))
            .build()
            .map_err(|e| fetch_error("", e.to_string()))?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| fetch_error("", e.to_string()))?;
        Ok(Downloader { client, runtime, limits: self.limits, together: None })
    }
}

/// Downloads listed files on the thread that made it: the network, the hashing and the writing
/// all on that thread, each piece hashed and written as it came in (no copy, no hand-over). A
/// round runs one per fetcher thread.
pub struct Downloader {
    client: reqwest::Client,
    /// Drives `client` on this thread (a current-thread runtime: no thread of its own).
    runtime: tokio::runtime::Runtime,
    limits: Limits,
    /// The round its downloads are part of.
    together: Option<Arc<Together>>,
}

impl Downloader {
    /// Counts what it brings against `together`'s budget, and gives up once it stops.
    pub fn sharing(self, together: Arc<Together>) -> Self {
        Self { together: Some(together), ..self }
    }

    /// Downloads `name` into `part` (continuing what is already there), at most `cap` bytes at
    /// `rate` bytes a second; returns the bytes fetched this time and the whole file's SHA-256.
    pub fn download(
        &self,
        origin: &Origin,
        name: &str,
        part: &Path,
        cap: u64,
        rate: Option<u64>,
    ) -> Result<(u64, [u8; 32]), SyncError> {
        let io = |e: std::io::Error| SyncError::io(part, e);
        let mut file = OpenOptions::new().create(true).read(true).append(true).open(part).map_err(io)?;
        let mut hasher = Sha256::new();
        let mut have = std::io::copy(&mut (&file).take(cap + 1), &mut HashOnly(&mut hasher)).map_err(io)?;
        if have > cap {
            file.set_len(0).map_err(io)?;
            (hasher, have) = (Sha256::new(), 0);
        }
        let fetched = match origin {
            Origin::Folder(dir) => {
                let mut src = File::open(dir.join(name)).map_err(|e| fetch_error(name, e.to_string()))?;
                src.seek(SeekFrom::Start(have)).map_err(|e| fetch_error(name, e.to_string()))?;
                self.count(have)?;
                let mut out = PartWriter { file: &mut file, hasher: &mut hasher };
                self.pace(name, cap - have, rate).copy(&mut src, &mut out)?
            }
            Origin::Web(base) => {
                let url = url_of(base, name)?;
                let mut response = self.runtime.block_on(self.ask_from(&url, name, have))?;
                let Some(resumed) = resumed(&response, name, have)? else {
                    self.count(have)?;
                    return Ok((0, hasher.finalize().into())); // the part is already whole
                };
                if !resumed && have > 0 {
                    file.set_len(0).map_err(|e| fetch_error(name, e.to_string()))?;
                    (hasher, have) = (Sha256::new(), 0);
                }
                self.count(have)?;
                if response.content_length().is_some_and(|n| n > cap - have) {
                    return Err(SyncError::TooLarge { name: name.into(), cap });
                }
                let mut pace = self.pace(name, cap - have, rate);
                self.runtime.block_on(pace.stream(&mut response, |piece| {
                    file.write_all(&piece).map_err(|e| SyncError::Disk(format!("{name}: {e}")))?;
                    hasher.update(&piece);
                    Ok(())
                }))?
            }
        };
        Ok((fetched, hasher.finalize().into()))
    }

    /// Bytes already in a part, counted against the round's budget.
    fn count(&self, have: u64) -> Result<(), SyncError> {
        self.together.as_ref().map_or(Ok(()), |t| t.take(have))
    }

    fn pace<'a>(&'a self, name: &'a str, cap: u64, rate: Option<u64>) -> Pace<'a> {
        Pace::new(name, cap, rate, self.limits).sharing(self.together.as_deref())
    }

    /// Asks for `url` from byte `have` on.
    async fn ask_from(&self, url: &reqwest::Url, name: &str, have: u64) -> Result<Response, SyncError> {
        let mut request = self.client.get(url.clone());
        if have > 0 {
            request = request.header(RANGE, format!("bytes={have}-"));
        }
        request.send().await.map_err(|e| fetch_error(name, cause(&e)))
    }
}

/// Whether `response` continues the part's `have` bytes (`Some(true)`), starts the file over
/// (`Some(false)`), or says the part is already whole (`None`); an error for any other answer.
fn resumed(response: &Response, name: &str, have: u64) -> Result<Option<bool>, SyncError> {
    let status = response.status();
    if status == StatusCode::RANGE_NOT_SATISFIABLE && have > 0 {
        return Ok(None); // its hash decides
    }
    let continues = status == StatusCode::PARTIAL_CONTENT
        && response
            .headers()
            .get(CONTENT_RANGE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with(&format!("bytes {have}-")));
    if !continues {
        answered(name, status)?;
    }
    Ok(Some(continues))
}

/// `base` with `name`'s parts appended, each percent-encoded.
fn url_of(base: &str, name: &str) -> Result<reqwest::Url, SyncError> {
    let mut url = reqwest::Url::parse(base).map_err(|e| fetch_error(name, e.to_string()))?;
    url.path_segments_mut()
        .map_err(|()| fetch_error(name, "not a folder address".into()))?
        .pop_if_empty()
        .extend(name.split('/'));
    Ok(url)
}

fn answered(name: &str, status: StatusCode) -> Result<(), SyncError> {
    if status.is_success() { Ok(()) } else { Err(fetch_error(name, format!("the server answered {status}"))) }
}

/// Feeds a hasher only.
struct HashOnly<'a>(&'a mut Sha256);

impl Write for HashOnly<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.update(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Writes to a `.part` file and its hasher together.
struct PartWriter<'a> {
    file: &'a mut File,
    hasher: &'a mut Sha256,
}

impl Write for PartWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.file.write(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.file.flush()
    }
}

/// A hash in the short form the log shows.
pub fn short(hash: &[u8; 32]) -> String {
    to_hex(hash)[..12].to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use std::net::{TcpListener, TcpStream};
    use std::time::{Duration, Instant};

    /// A server on 127.0.0.1 that answers one request with `answer`; its folder address.
    fn serve(answer: impl FnOnce(TcpStream) + Send + 'static) -> Origin {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        std::thread::spawn(move || {
            if let Ok((mut stream, _)) = listener.accept() {
                let mut request = [0u8; 4096];
                let _ = stream.read(&mut request);
                answer(stream);
            }
        });
        Origin::Web(format!("http://127.0.0.1:{port}/share/"))
    }

    fn quick() -> Transport {
        Transport::new(Limits {
            connect: Duration::from_secs(2),
            stall: Duration::from_millis(400),
            min_speed: 200,
        })
        .unwrap()
    }

    #[test]
    fn an_endless_body_stops_at_the_cap() {
        let origin = serve(|mut s| {
            let _ = s.write_all(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n");
            while s.write_all(&[0u8; 65536]).is_ok() {}
        });
        let dir = tempfile::tempdir().unwrap();
        let part = dir.path().join("x.part");
        let e =
            quick().downloader().unwrap().download(&origin, "film.mp4", &part, 1 << 20, None).unwrap_err();
        assert!(matches!(e, SyncError::TooLarge { .. }), "{e}");
        assert!(std::fs::metadata(&part).unwrap().len() <= 1 << 20);
    }

    #[test]
    fn a_server_that_drips_or_stalls_is_given_up() {
        let drip = serve(|mut s| {
            let _ = s.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n");
            while s.write_all(b"x").is_ok() {
                std::thread::sleep(Duration::from_millis(40));
            }
        });
        let dir = tempfile::tempdir().unwrap();
        let e = quick()
            .downloader()
            .unwrap()
            .download(&drip, "a.jpg", &dir.path().join("a.part"), 1 << 20, None)
            .unwrap_err();
        assert!(e.to_string().contains("slower than 200 bytes a second"), "{e}");
        let stall = serve(|mut s| {
            let _ = s.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\nabc");
            std::thread::sleep(Duration::from_secs(3));
        });
        let e = quick()
            .downloader()
            .unwrap()
            .download(&stall, "b.jpg", &dir.path().join("b.part"), 1 << 20, None)
            .unwrap_err();
        assert!(matches!(e, SyncError::Fetch { .. }), "{e}");
        assert!(e.to_string().starts_with("b.jpg: "), "{e}");
        // A server that never answers at all (no status line): given up after the stall limit,
        // not when the server lets go of the connection.
        let silent = serve(|s| {
            std::thread::sleep(Duration::from_secs(5));
            drop(s);
        });
        let e = quick()
            .downloader()
            .unwrap()
            .download(&silent, "c.jpg", &dir.path().join("c.part"), 1 << 20, None)
            .unwrap_err();
        assert_eq!(e.to_string(), "c.jpg: no answer in time (timed out)");
    }

    #[test]
    fn max_rate_holds_a_download_to_its_pace() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("film.mp4"), vec![7u8; 600 * 1024]).unwrap();
        let origin = Origin::Folder(dir.path().to_path_buf());
        let started = Instant::now();
        let part = dir.path().join("film.part");
        let (bytes, _) = quick()
            .downloader()
            .unwrap()
            .download(&origin, "film.mp4", &part, 1 << 30, Some(2 << 20))
            .unwrap();
        assert_eq!(bytes, 600 * 1024);
        // 600 KB at 2 MB a second: never sooner than 0.29 s (it can only be slower).
        assert!(started.elapsed() >= Duration::from_millis(280), "{:?}", started.elapsed());
    }

    #[test]
    fn names_are_percent_encoded_under_the_folder_address() {
        let url = url_of("http://x.org/share/", "poems/a poem#1.md").unwrap();
        assert_eq!(url.as_str(), "http://x.org/share/poems/a%20poem%231.md");
    }

    #[test]
    fn a_folder_source_resumes_a_part_and_hashes_the_whole_file() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.txt"), "abc").unwrap();
        let part = dir.path().join("a.part");
        std::fs::write(&part, "a").unwrap();
        let origin = Origin::Folder(dir.path().to_path_buf());
        let (fetched, hash) =
            quick().downloader().unwrap().download(&origin, "a.txt", &part, 100, None).unwrap();
        assert_eq!((fetched, std::fs::read_to_string(&part).unwrap().as_str()), (2, "abc"));
        assert_eq!(to_hex(&hash), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }
}
