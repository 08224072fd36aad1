//! Watches the content folder (recursively) and corridor.toml on a thread of its own, with
//! `notify`: file-system events, or polling where events do not arrive (network shares, some USB
//! drives, the inotify limit reached), chosen by itself and logged. A folder that disappears is
//! looked for again until it returns. Changes are debounced into [`RescanWanted`] and
//! [`SettingsFileChanged`] messages. No disk I/O happens on the screen's thread.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, channel};
use std::time::{Duration, Instant};

use bevy::prelude::*;
use notify::{EventKind, PollWatcher, RecursiveMode, Watcher};

use super::Settings;
use crate::core::config::WatchMode;
use crate::core::files::SYNC_WORK;

/// Wait this long after the last change before scanning (many files copied at once: one scan).
const DEBOUNCE: Duration = Duration::from_millis(200);
/// But never longer than this after the first change.
const DEBOUNCE_MAX: Duration = Duration::from_secs(1);

/// Something in the content folder changed: look at it again.
#[derive(Message, Clone, Debug)]
pub struct RescanWanted;

/// corridor.toml changed.
#[derive(Message, Clone, Debug)]
pub struct SettingsFileChanged;

/// What the watcher thread reports.
#[derive(Debug)]
enum WatchEvent {
    Content,
    Settings,
    FolderGone,
    FolderBack,
    Note(String),
}

#[derive(Resource)]
struct Watching {
    rx: Mutex<Receiver<WatchEvent>>,
    first_change: Option<Instant>,
    last_change: Option<Instant>,
}

/// The watcher's system: readers of [`RescanWanted`] run after it.
#[derive(SystemSet, Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct WatchSystems;

pub(super) fn plugin(app: &mut App) {
    app.add_message::<RescanWanted>();
    app.add_message::<SettingsFileChanged>();
    app.add_systems(Startup, start_watching);
    app.add_systems(Update, drain.in_set(super::AppSystems::ReadInputs).in_set(WatchSystems));
}

fn start_watching(mut commands: Commands, settings: Res<Settings>) {
    let (tx, rx) = channel();
    let root = settings.0.content.clone();
    let config_file = settings.0.source.clone();
    let mode = settings.0.watch;
    let interval = settings.0.poll_interval;
    let spawned = std::thread::Builder::new()
        .name("corridor watcher".into())
        .spawn(move || watch_thread(root, config_file, mode, interval, tx));
    if let Err(e) = spawned {
        error!("cannot start watching the content folder ({e}); changes show after a restart");
    }
    commands.insert_resource(Watching { rx: Mutex::new(rx), first_change: None, last_change: None });
}

fn drain(
    watching: Option<ResMut<Watching>>,
    mut rescan: MessageWriter<RescanWanted>,
    mut settings_changed: MessageWriter<SettingsFileChanged>,
) {
    let Some(mut watching) = watching else { return };
    let now = Instant::now();
    let mut content = false;
    if let Ok(rx) = watching.rx.lock() {
        for event in rx.try_iter() {
            match event {
                WatchEvent::Content => content = true,
                WatchEvent::Settings => {
                    settings_changed.write(SettingsFileChanged);
                }
                WatchEvent::FolderGone => {
                    warn!(
                        "the content folder has gone (a USB stick pulled, a share down?); what is on screen keeps playing"
                    );
                }
                WatchEvent::FolderBack => {
                    info!("the content folder is back");
                    content = true;
                }
                WatchEvent::Note(text) => info!("{text}"),
            }
        }
    }
    if content {
        watching.first_change.get_or_insert(now);
        watching.last_change = Some(now);
    }
    if let (Some(first), Some(last)) = (watching.first_change, watching.last_change) {
        if now - last >= DEBOUNCE || now - first >= DEBOUNCE_MAX {
            watching.first_change = None;
            watching.last_change = None;
            rescan.write(RescanWanted);
        }
    }
}

/// File systems on which change events do not arrive reliably: watched by polling.
const POLLED_FILESYSTEMS: &[&str] =
    &["cifs", "smb3", "smbfs", "nfs", "nfs4", "9p", "vboxsf", "vfat", "exfat", "ntfs", "ntfs3", "fuseblk"];

/// The file-system type of the mount that holds `path` (Linux: /proc/mounts).
fn filesystem_of(path: &Path) -> Option<String> {
    let mounts = std::fs::read_to_string("/proc/mounts").ok()?;
    mounts
        .lines()
        .filter_map(|l| {
            let mut f = l.split_whitespace();
            let (_dev, mount, fstype) = (f.next()?, f.next()?, f.next()?);
            path.starts_with(mount).then(|| (mount.len(), fstype.to_string()))
        })
        .max_by_key(|(len, _)| *len)
        .map(|(_, t)| t)
}

type EventTx = Sender<notify::Result<notify::Event>>;

fn make_watcher(
    root: &Path,
    mode: WatchMode,
    interval: Duration,
    tx: EventTx,
    out: &Sender<WatchEvent>,
) -> Option<Box<dyn Watcher + Send>> {
    let fs = filesystem_of(root).unwrap_or_default();
    let poll = match mode {
        WatchMode::Poll => true,
        WatchMode::Events => false,
        WatchMode::Auto => POLLED_FILESYSTEMS.contains(&fs.as_str()) || fs.starts_with("fuse."),
    };
    if !poll {
        let events = notify::recommended_watcher(tx.clone()).and_then(|mut w| {
            w.watch(root, RecursiveMode::Recursive)?;
            Ok(w)
        });
        match events {
            Ok(w) => {
                let _ = out.send(WatchEvent::Note(format!("watching {} for changes", root.display())));
                return Some(Box::new(w));
            }
            Err(e) if mode == WatchMode::Events => {
                let _ = out.send(WatchEvent::Note(format!(
                    "cannot watch {} for changes ({e}); trying again shortly",
                    root.display()
                )));
                return None;
            }
            Err(e) => {
                let _ = out.send(WatchEvent::Note(format!(
                    "file-system events do not work here ({e}); looking for changes every {:?} instead",
                    interval
                )));
            }
        }
    } else if mode == WatchMode::Auto {
        let _ = out.send(WatchEvent::Note(format!(
            "the content folder is on a {fs} file system; looking for changes every {interval:?}"
        )));
    }
    let config = notify::Config::default().with_poll_interval(interval);
    match PollWatcher::new(tx, config).and_then(|mut w| {
        w.watch(root, RecursiveMode::Recursive)?;
        Ok(w)
    }) {
        Ok(w) => Some(Box::new(w)),
        Err(e) => {
            let _ = out.send(WatchEvent::Note(format!(
                "cannot watch {} ({e}); trying again shortly",
                root.display()
            )));
            None
        }
    }
}

fn watch_thread(
    root: PathBuf,
    config_file: Option<PathBuf>,
    mode: WatchMode,
    interval: Duration,
    out: Sender<WatchEvent>,
) {
    super::background::lower_priority();
    let root = root.canonicalize().or_else(|_| std::path::absolute(&root)).unwrap_or(root);
    let config_file = config_file.map(|c| c.canonicalize().unwrap_or(c));
    let (tx, rx) = channel::<notify::Result<notify::Event>>();
    // corridor.toml: watch its folder (editors replace the file), not recursively.
    let _config_watcher = config_file.as_ref().and_then(|c| {
        let dir = c.parent()?.to_path_buf();
        let mut w = notify::recommended_watcher(tx.clone()).ok()?;
        w.watch(&dir, RecursiveMode::NonRecursive).ok()?;
        Some(w)
    });
    let sync_work = root.join(SYNC_WORK);
    let mut present = root.is_dir();
    let mut watcher = if present { make_watcher(&root, mode, interval, tx.clone(), &out) } else { None };
    loop {
        match rx.recv_timeout(interval) {
            Ok(Ok(event)) => {
                if matches!(event.kind, EventKind::Access(_)) {
                    continue;
                }
                let settings = config_file.as_ref().is_some_and(|c| event.paths.iter().any(|p| p == c));
                // Downloads of synced sources are put together out of sight; only their switch counts.
                let content = event.paths.iter().any(|p| p.starts_with(&root) && !p.starts_with(&sync_work))
                    || event.paths.is_empty();
                if settings && out.send(WatchEvent::Settings).is_err() {
                    return;
                }
                if content && out.send(WatchEvent::Content).is_err() {
                    return;
                }
            }
            Ok(Err(e)) => {
                if out.send(WatchEvent::Note(format!("watching the content folder: {e}"))).is_err() {
                    return;
                }
            }
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => return,
        }
        let now_present = root.is_dir();
        if now_present != present {
            present = now_present;
            let sent = if present {
                watcher = make_watcher(&root, mode, interval, tx.clone(), &out);
                out.send(WatchEvent::FolderBack)
            } else {
                watcher = None;
                out.send(WatchEvent::FolderGone)
            };
            if sent.is_err() {
                return;
            }
        } else if present && watcher.is_none() {
            watcher = make_watcher(&root, mode, interval, tx.clone(), &out);
        }
    }
}
