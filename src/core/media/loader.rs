//! Loader threads: slides are loaded on threads of their own — one for pictures and notices, one
//! for films — so a film that is slow to open (up to [`super::video::START_LIMIT`]) never delays
//! a picture, and neither waits behind Bevy's task pools or the settings reload. Both run at a
//! lower priority than the screen's thread. Results come back in the order they finish.

use std::sync::Mutex;
use std::sync::mpsc::{Receiver, Sender, TryRecvError, channel};

use super::frame::Limits;
use super::video::PlayOptions;
use super::{MediaError, Slide, load};
use crate::core::source::{MediaKind, Source};
use crate::core::threads::lower_priority;

/// A slide to load, with the caller's `key` for it.
#[derive(Clone, Debug)]
pub struct Job<K> {
    pub key: K,
    pub source: Source,
    pub kind: MediaKind,
    pub stage: (u32, u32),
    pub limits: Limits,
    pub how: PlayOptions,
}

/// A finished job: its key and the slide, or why it cannot be shown.
pub type Done<K> = (K, Result<Slide, MediaError>);

/// The two loader threads; they end when it is dropped.
pub struct Loader<K> {
    pictures: Sender<Job<K>>,
    films: Sender<Job<K>>,
    done: Mutex<Receiver<Done<K>>>,
}

impl<K: Send + 'static> Loader<K> {
    /// Starts the loader threads.
    pub fn start() -> std::io::Result<Self> {
        let (done_tx, done) = channel();
        let pictures = spawn("corridor pictures", done_tx.clone())?;
        let films = spawn("corridor films", done_tx)?;
        Ok(Self { pictures, films, done: Mutex::new(done) })
    }

    /// Hands a job to its thread. False when that thread has gone (it should not).
    pub fn load(&self, job: Job<K>) -> bool {
        let films = matches!(job.kind, MediaKind::Video | MediaKind::Stream);
        let thread = if films { &self.films } else { &self.pictures };
        thread.send(job).is_ok()
    }

    /// A finished job, if one is ready (never waits).
    pub fn finished(&self) -> Option<Done<K>> {
        match self.done.lock().ok()?.try_recv() {
            Ok(done) => Some(done),
            Err(TryRecvError::Empty | TryRecvError::Disconnected) => None,
        }
    }
}

fn spawn<K: Send + 'static>(name: &str, done: Sender<Done<K>>) -> std::io::Result<Sender<Job<K>>> {
    let (tx, jobs) = channel::<Job<K>>();
    std::thread::Builder::new().name(name.into()).spawn(move || {
        lower_priority();
        for job in jobs {
            let slide = load(&job.source, job.kind, job.stage, job.limits, job.how);
            if done.send((job.key, slide)).is_err() {
                return;
            }
        }
    })?;
    Ok(tx)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};

    fn job(key: u32, source: Source, kind: MediaKind) -> Job<u32> {
        Job {
            key,
            source,
            kind,
            stage: (64, 36),
            limits: Limits { max_megapixels: 10.0 },
            how: PlayOptions::default(),
        }
    }

    fn wait(loader: &Loader<u32>) -> Done<u32> {
        let until = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(done) = loader.finished() {
                return done;
            }
            assert!(Instant::now() < until, "no result");
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    #[test]
    fn pictures_and_notices_load_on_their_thread_and_errors_come_back() {
        let dir = tempfile::tempdir().unwrap();
        let notice = dir.path().join("n.txt");
        std::fs::write(&notice, "Book fair\nFriday").unwrap();
        let loader = Loader::start().unwrap();
        assert!(loader.load(job(1, Source::File(notice), MediaKind::Notice)));
        let (key, slide) = wait(&loader);
        assert_eq!(key, 1);
        assert!(matches!(slide, Ok(Slide::Notice(n)) if n.heading == "Book fair"));
        assert!(loader.load(job(2, Source::File(dir.path().join("gone.png")), MediaKind::Image)));
        let (key, slide) = wait(&loader);
        assert_eq!(key, 2);
        assert!(matches!(slide, Err(MediaError::Read(_))), "{slide:?}");
    }

    #[test]
    fn a_film_that_is_slow_to_fail_does_not_hold_up_a_picture() {
        let dir = tempfile::tempdir().unwrap();
        // A film that is not a film: GStreamer takes a while to give up on it.
        let film = dir.path().join("f.mp4");
        std::fs::write(&film, vec![7u8; 4096]).unwrap();
        let notice = dir.path().join("n.md");
        std::fs::write(&notice, "# Hello").unwrap();
        let loader = Loader::start().unwrap();
        loader.load(job(1, Source::File(film), MediaKind::Video));
        loader.load(job(2, Source::File(notice), MediaKind::Notice));
        // Starting GStreamer and finding that the film cannot be read takes many milliseconds;
        // the notice takes microseconds on its own thread, so it comes back first.
        let first = wait(&loader);
        assert_eq!(first.0, 2, "the notice waited for the film");
        let second = wait(&loader);
        assert_eq!(second.0, 1);
        assert!(matches!(second.1, Err(MediaError::Video(_))), "{:?}", second.1);
    }
}
