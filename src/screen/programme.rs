//! Follows the schedule: decides which playlist plays (or that the screen is off) from the
//! screen's local clock time, works out when that can next change, and looks again only then,
//! or when the content or schedule changes, or when the wall clock jumps (an NTP correction, a
//! PC woken from sleep, clocks going back). Announces each change with [`ProgrammeChanged`].

use std::sync::Arc;
use std::time::{Instant, SystemTime};

use bevy::prelude::*;
use chrono::NaiveDateTime;

use super::clock::ScreenClock;
use super::content::ContentScanned;
use crate::core::content::{Content, Playlist};
use crate::core::schedule::{Decision, Schedule, What, describe};

/// How far ahead the next change is looked for; past it, the schedule is looked at again anyway.
const HORIZON_DAYS: i64 = 400;
/// A difference between wall-clock and monotonic time larger than this is a clock jump.
const JUMP_SECS: f64 = 2.0;

/// What plays now changed (or the content behind it did).
#[derive(Message, Clone, Debug)]
pub struct ProgrammeChanged {
    pub what: What,
    /// The playlist to play; None when the screen is off.
    pub playlist: Option<Arc<Playlist>>,
    /// Cut in at once instead of letting the slide on screen finish.
    pub interrupt: bool,
    /// Local time at which this stretch of the schedule began.
    pub since: NaiveDateTime,
    /// "notices (Before school)", for the log.
    pub reason: String,
}

#[derive(Resource, Default)]
struct Programme {
    content: Option<Arc<Content>>,
    schedule: Arc<Schedule>,
    current: Option<Decision>,
    next_check: Option<NaiveDateTime>,
    content_changed: bool,
    last_local: Option<NaiveDateTime>,
    last_clocks: Option<(SystemTime, Instant)>,
    /// The playlist last announced, to tell whether a rescan changed it.
    sent: Option<Arc<Playlist>>,
}

pub(super) fn plugin(app: &mut App) {
    app.add_message::<ProgrammeChanged>();
    app.init_resource::<Programme>();
    app.add_systems(Update, (take_scan, follow_schedule).chain().in_set(super::AppSystems::Decide));
}

fn take_scan(mut scanned: MessageReader<ContentScanned>, mut programme: ResMut<Programme>) {
    let Some(scan) = scanned.read().last() else { return };
    programme.content = Some(scan.content.clone());
    if let Some(schedule) = &scan.schedule {
        programme.schedule = schedule.clone();
    }
    programme.content_changed = true;
}

/// True when the wall clock moved differently from the monotonic clock since the last frame.
fn clock_jumped(programme: &mut Programme, live: bool) -> bool {
    if !live {
        return false;
    }
    let now = (SystemTime::now(), Instant::now());
    let jumped = programme.last_clocks.is_some_and(|(wall, mono)| {
        let wall_delta = match now.0.duration_since(wall) {
            Ok(d) => d.as_secs_f64(),
            Err(e) => -e.duration().as_secs_f64(),
        };
        (wall_delta - now.1.duration_since(mono).as_secs_f64()).abs() > JUMP_SECS
    });
    programme.last_clocks = Some(now);
    jumped
}

fn follow_schedule(
    clock: Res<ScreenClock>,
    mut programme: ResMut<Programme>,
    mut out: MessageWriter<ProgrammeChanged>,
) {
    let Some(content) = programme.content.clone() else { return };
    let now = clock.now().naive_local();
    let jumped = clock_jumped(&mut programme, matches!(*clock, ScreenClock::Live(_)));
    let went_back = programme.last_local.is_some_and(|last| now < last);
    programme.last_local = Some(now);
    let due = programme.next_check.is_some_and(|t| now >= t) || programme.current.is_none();
    if !(due || jumped || went_back || programme.content_changed) {
        return;
    }
    if jumped || went_back {
        info!("the clock jumped; looking at the schedule again");
    }
    let schedule = programme.schedule.clone();
    let decision = schedule.decide(now);
    programme.next_check =
        schedule.next_change(now, HORIZON_DAYS).or(Some(now + chrono::Duration::days(HORIZON_DAYS)));
    if programme.current.as_ref() == Some(&decision) && !programme.content_changed {
        return;
    }
    programme.content_changed = false;
    let reason = describe(&schedule, &decision);
    if programme.current.as_ref() != Some(&decision) {
        info!("now playing: {reason}");
    }
    let unchanged = programme.current.as_ref() == Some(&decision)
        && match (&programme.sent, decision.playlist()) {
            (Some(sent), Some(name)) => sent.name == name && !content.changed.contains(name),
            (None, None) => true,
            _ => false,
        };
    if unchanged {
        return; // a rescan that changed nothing here
    }
    let playlist = decision.playlist().map(|name| {
        Arc::new(content.playlist(name).cloned().unwrap_or_else(|| Playlist {
            name: name.into(),
            items: Vec::new(),
            shuffle: false,
        }))
    });
    programme.sent.clone_from(&playlist);
    let interrupt = decision.slot.and_then(|i| schedule.slots.get(i)).is_some_and(|s| s.interrupt);
    out.write(ProgrammeChanged {
        what: decision.what.clone(),
        playlist,
        interrupt,
        since: schedule.stretch_start(now),
        reason,
    });
    programme.current = Some(decision);
}
