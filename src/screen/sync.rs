//! The published folders this screen subscribes to (`[[source]]`), kept up to date while the
//! player runs: a thread of its own, in the idle CPU class, runs each source's rounds when they
//! are due ([`Plan`]) and holds the sync lock only while it works (if `corridor sync --once` has
//! it, the round comes again a minute later). A new version switches in inside the content
//! folder, so the folder watcher and scanner show it like any change. Each round's line goes
//! to the log; [`Sources`] keeps each source's state for the status file.

use std::path::Path;
use std::sync::Mutex;
use std::sync::mpsc::{Receiver, Sender, TryRecvError, channel};
use std::time::{Duration, Instant};

use bevy::prelude::*;

use super::AppSystems;
use super::Settings;
use super::watch::RescanWanted;
use crate::core::sync::record::{self, Record};
use crate::core::sync::rounds::{Plan, Report, sync_one};
use crate::core::sync::source::Source;
use crate::core::sync::subscribe::Change;
use crate::core::sync::transport::{Limits, Transport};
use crate::core::threads::idle_priority;

/// How long a round waits when `corridor sync --once` holds the lock.
const LOCKED_RETRY: Duration = Duration::from_secs(60);

/// Each source's state after its last round, in the order of corridor.toml.
#[derive(Resource, Default, Debug, Clone)]
pub struct Sources(pub Vec<SourceState>);

/// One source's state, for the status file.
#[derive(Debug, Clone)]
pub struct SourceState {
    pub into: String,
    pub url: String,
    pub record: Record,
}

#[derive(Resource)]
struct Rounds(Mutex<Receiver<Report>>);

/// Starts the sync thread when corridor.toml lists sources (a snapshot's settings list none).
pub(super) fn plugin(app: &mut App) {
    let config = &app.world().resource::<Settings>().0;
    let sources = config.sources.clone();
    if sources.is_empty() {
        return;
    }
    let Some(state) = config.state_folder() else {
        warn!("sync: sources need a state folder (set `state_folder` in corridor.toml); not syncing");
        return;
    };
    let content = config.content.clone();
    let known = sources
        .iter()
        .map(|s| SourceState {
            into: s.into.clone(),
            url: s.origin.to_string(),
            record: record::load(&record::path(&state, &s.into)),
        })
        .collect();
    app.insert_resource(Sources(known));
    let (tx, rx) = channel();
    let spawned = std::thread::Builder::new()
        .name("corridor sync".into())
        .spawn(move || sync_thread(&sources, &content, &state, &tx));
    if spawned.is_err() {
        warn!("sync: no thread could be started; not syncing");
        return;
    }
    app.insert_resource(Rounds(Mutex::new(rx)));
    app.add_systems(Update, take_rounds.in_set(AppSystems::ReadInputs));
}

/// The thread: each source when it is due, until the screen goes.
fn sync_thread(sources: &[Source], content: &Path, state: &Path, tx: &Sender<Report>) {
    idle_priority();
    let transport = match Transport::new(Limits::default()) {
        Ok(t) => t,
        Err(e) => {
            error!("sync: cannot start: {e}");
            return;
        }
    };
    let mut plan = Plan::new(sources, Instant::now());
    loop {
        std::thread::sleep(plan.wait(Instant::now()).min(Duration::from_secs(3600)));
        for i in plan.due(Instant::now()) {
            let source = &sources[i];
            let _lock = match record::lock(state, Duration::ZERO, || {}) {
                Ok(lock) => lock,
                Err(e) => {
                    // Held by `corridor sync --once`, or the state folder cannot be written.
                    info!("sync: {}: {e}; trying again in a minute", source.into);
                    plan.later(i, LOCKED_RETRY, Instant::now());
                    continue;
                }
            };
            let now = chrono::Utc::now().timestamp();
            let report = sync_one(source, content, state, &transport, now);
            plan.done(i, source, report.record.failures, Instant::now());
            if tx.send(report).is_err() {
                return;
            }
        }
    }
}

/// Logs each round, has the content folder read again after a new version switched in, and
/// keeps each source's state for the status file.
fn take_rounds(rounds: Res<Rounds>, mut sources: ResMut<Sources>, mut rescan: MessageWriter<RescanWanted>) {
    let Ok(rx) = rounds.0.lock() else { return };
    loop {
        match rx.try_recv() {
            Ok(report) => {
                match &report.result {
                    Ok(change) => {
                        info!("sync: {}", report.line());
                        // The watcher sees the switch too, but not one made before it started.
                        if matches!(change, Change::Updated(_)) {
                            rescan.write(RescanWanted);
                        }
                    }
                    Err(_) => warn!("sync: {}", report.line()),
                }
                if let Some(s) = sources.0.iter_mut().find(|s| s.into == report.into) {
                    s.record = report.record;
                }
            }
            Err(TryRecvError::Empty | TryRecvError::Disconnected) => return,
        }
    }
}

/// A source's state as the status file tells it.
pub fn source_json(s: &SourceState) -> serde_json::Value {
    let time =
        |t: Option<i64>| t.and_then(|t| chrono::DateTime::from_timestamp(t, 0)).map(|t| t.to_rfc3339());
    serde_json::json!({
        "into": s.into,
        "url": s.url,
        "serial": s.record.serial,
        "up_to_date_at": time(s.record.up_to_date),
        "changed_at": time(s.record.changed),
        "checked_at": time(s.record.checked),
        "error": s.record.error,
    })
}
