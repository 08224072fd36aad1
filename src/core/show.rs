//! The show: which slide is on screen, which one is being prepared, and when the next one takes
//! over. A plain state machine advanced by a `Duration` (like Bevy's `Timer`), so it is tested
//! without a screen. The screen asks it what to decode next, tells it when a decode is ready or
//! failed, and follows the changes it returns. A slide stays on screen until the next one is
//! ready: the screen is never blank between slides.

use std::sync::Arc;
use std::time::Duration;

use chrono::NaiveDateTime;

use super::config::Transition;
use super::content::{Item, Playlist};

/// Identifies one decode request, so a late answer for an old playlist is ignored.
pub type RequestId = u64;

/// What the screen must do after a tick.
#[derive(Clone, Debug, PartialEq)]
pub enum Change {
    /// The prepared slide `id` goes on screen, over the old one, with this transition.
    Show { id: RequestId, transition: Transition, time: Duration },
    /// The transition is over: the old slide can go.
    TransitionDone,
}

#[derive(Clone, Debug)]
struct Pending {
    id: RequestId,
    item: Item,
    ready: bool,
}

#[derive(Clone, Debug)]
struct Fade {
    elapsed: Duration,
    total: Duration,
}

/// The running show of one playlist.
#[derive(Clone, Debug)]
pub struct Show {
    playlist: Arc<Playlist>,
    seed: u64,
    order: Vec<usize>,
    /// Position in `order` of the next item to prepare.
    pos: usize,
    loop_no: u64,
    current: Option<(RequestId, Item)>,
    shown: Duration,
    pending: Option<Pending>,
    fade: Option<Fade>,
    failures_in_row: usize,
    next_id: RequestId,
    /// Nothing was due when last asked: do not look again before this local time.
    idle_until: Option<NaiveDateTime>,
    /// The first slide starts this far into its time (a snapshot of a moment mid-slide).
    first_offset: Duration,
}

impl Show {
    /// A show of `playlist` starting at position `start.1` of the order of loop `start.0`
    /// (see [`due_at`]); `(0, 0)` starts at the first item.
    pub fn new(playlist: impl Into<Arc<Playlist>>, seed: u64, start: (u64, usize)) -> Self {
        let playlist = playlist.into();
        let mut show = Self {
            playlist,
            seed,
            order: Vec::new(),
            pos: 0,
            loop_no: 0,
            current: None,
            shown: Duration::ZERO,
            pending: None,
            fade: None,
            failures_in_row: 0,
            next_id: 1,
            idle_until: None,
            first_offset: Duration::ZERO,
        };
        show.loop_no = start.0;
        show.order = order_for(&show.playlist, seed, start.0);
        show.pos = start.1.min(show.order.len().saturating_sub(1));
        show
    }

    /// The first slide starts `offset` into its time (as [`due_at`] gives it), as if the show
    /// had been running: a video starts at that point of the film.
    pub fn starting_into(mut self, offset: Duration) -> Self {
        self.first_offset = offset;
        self
    }

    /// How far into its time the slide of request `id` starts: zero except for the first.
    pub fn start_offset(&self, id: RequestId) -> Duration {
        if id == 1 { self.first_offset } else { Duration::ZERO }
    }

    pub fn playlist(&self) -> &Playlist {
        &self.playlist
    }

    /// The slide on screen.
    pub fn current(&self) -> Option<&Item> {
        self.current.as_ref().map(|(_, i)| i)
    }

    /// The request whose decode the show is waiting for, if any.
    pub fn pending_id(&self) -> Option<RequestId> {
        self.pending.as_ref().map(|p| p.id)
    }

    pub fn current_id(&self) -> Option<RequestId> {
        self.current.as_ref().map(|(id, _)| *id)
    }

    /// How long the slide on screen has been showing.
    pub fn shown_for(&self) -> Duration {
        self.shown
    }

    /// Progress of the transition in, 0 to 1; None when no transition is running.
    pub fn transition_progress(&self) -> Option<f32> {
        self.fade.as_ref().map(|f| {
            if f.total.is_zero() {
                1.0
            } else {
                (f.elapsed.as_secs_f32() / f.total.as_secs_f32()).clamp(0.0, 1.0)
            }
        })
    }

    /// True when the slide on screen has had its time and the next is still being prepared
    /// (a snapshot holds its clock meanwhile, so its frames do not depend on decoding speed).
    pub fn waiting_for_next(&self) -> bool {
        self.fade.is_none()
            && self.pending.as_ref().is_some_and(|p| !p.ready)
            && self.current.as_ref().is_some_and(|(_, item)| self.shown >= item.duration)
    }

    /// True when nothing in the playlist can be shown (empty, or every file failed in a row).
    pub fn nothing_to_show(&self) -> bool {
        self.current.is_none() && self.pending.is_none() && (self.exhausted() || self.idle_until.is_some())
    }

    fn exhausted(&self) -> bool {
        self.order.is_empty() || self.failures_in_row >= self.order.len()
    }

    /// The next item to decode, if one is wanted now (local time `now`: items not due then are
    /// passed over). Call until it returns None.
    pub fn request(&mut self, now: NaiveDateTime) -> Option<(RequestId, Item)> {
        if self.pending.is_some() || self.fade.is_some() || self.exhausted() {
            return None;
        }
        if self.idle_until.is_some_and(|t| now < t) {
            return None;
        }
        for _ in 0..self.order.len() {
            if self.pos >= self.order.len() {
                self.loop_no += 1;
                self.order = order_for(&self.playlist, self.seed, self.loop_no);
                self.pos = 0;
            }
            let idx = *self.order.get(self.pos)?;
            self.pos += 1;
            let Some(item) = self.playlist.items.get(idx) else { continue };
            if !item.when.is_due(now) {
                continue;
            }
            let item = item.clone();
            let id = self.next_id;
            self.next_id += 1;
            self.idle_until = None;
            self.pending = Some(Pending { id, item: item.clone(), ready: false });
            return Some((id, item));
        }
        // Nothing is due now: look again in a little while.
        self.idle_until = Some(now + chrono::Duration::seconds(30));
        None
    }

    /// The decode of request `id` finished: `ok` says whether it can be shown.
    pub fn loaded(&mut self, id: RequestId, ok: bool) {
        let Some(p) = self.pending.as_mut().filter(|p| p.id == id) else {
            return;
        };
        if ok {
            p.ready = true;
            self.failures_in_row = 0;
        } else {
            self.pending = None;
            self.failures_in_row += 1;
        }
    }

    /// The slide being prepared turned out to last `length` (a video): it plays that long,
    /// unless playlist.toml gave it a duration.
    pub fn set_pending_length(&mut self, id: RequestId, length: Duration) {
        if let Some(p) = self.pending.as_mut().filter(|p| p.id == id && !p.item.duration_given) {
            p.item.duration = length.max(Duration::from_millis(500));
        }
    }

    /// Starts the slide on screen again in full (it was covered by the live broadcast).
    pub fn replay_current(&mut self) {
        if self.current.is_some() && self.fade.is_none() {
            self.shown = Duration::ZERO;
        }
    }

    /// Ends the slide on screen early (a video whose decoder stalled): the next one takes its
    /// place as soon as it is ready.
    pub fn end_current(&mut self) {
        if let Some((_, item)) = &self.current {
            self.shown = self.shown.max(item.duration);
        }
    }

    /// Replaces the playlist. The slide on screen finishes its time, then the new playlist starts
    /// at its first item; with `interrupt`, the new playlist starts as soon as its first slide is ready.
    pub fn switch_to(&mut self, playlist: impl Into<Arc<Playlist>>, interrupt: bool) {
        let playlist = playlist.into();
        self.idle_until = None;
        self.failures_in_row = 0;
        self.pending = None;
        self.order = order_for(&playlist, self.seed, 0);
        self.playlist = playlist;
        self.pos = 0;
        self.loop_no = 0;
        if interrupt {
            self.shown = Duration::MAX / 4;
        }
    }

    /// Takes in a new version of the same playlist (files added, removed or renamed) without
    /// starting again: the slide on screen carries on, and the show goes on after it.
    pub fn update_playlist(&mut self, playlist: impl Into<Arc<Playlist>>) {
        let playlist = playlist.into();
        // Slides are told apart by their source.
        let keep_pending =
            self.pending.as_ref().is_some_and(|p| playlist.items.iter().any(|i| i.source == p.item.source));
        if !keep_pending {
            self.pending = None;
        }
        let order = order_for(&playlist, self.seed, self.loop_no);
        let after = self
            .pending
            .as_ref()
            .map(|p| &p.item)
            .or(self.current.as_ref().map(|(_, i)| i))
            .map(|i| i.source.clone());
        self.pos = after
            .and_then(|source| order.iter().position(|&i| playlist.items[i].source == source))
            .map_or(0, |x| x + 1);
        self.order = order;
        self.playlist = playlist;
        self.failures_in_row = 0;
        self.idle_until = None;
    }

    /// Advances the show by `dt`. Returns what changed on screen, if anything.
    pub fn tick(&mut self, dt: Duration) -> Option<Change> {
        if let Some(f) = self.fade.as_mut() {
            f.elapsed += dt;
            self.shown += dt;
            if f.elapsed >= f.total {
                self.fade = None;
                return Some(Change::TransitionDone);
            }
            return None;
        }
        let ready = self.pending.as_ref().is_some_and(|p| p.ready);
        let due = match &self.current {
            None => true,
            Some((_, item)) => {
                self.shown = self.shown.saturating_add(dt);
                self.shown >= item.duration
            }
        };
        if !(due && ready) {
            return None;
        }
        let p = self.pending.take()?;
        let first = self.current.is_none();
        let (transition, time) = if first {
            (Transition::Cut, Duration::ZERO)
        } else {
            (p.item.transition, p.item.transition_time)
        };
        self.shown = self.start_offset(p.id).min(p.item.duration);
        self.current = Some((p.id, p.item));
        if transition == Transition::Crossfade && !time.is_zero() {
            self.fade = Some(Fade { elapsed: Duration::ZERO, total: time });
        }
        Some(Change::Show { id: p.id, transition, time })
    }
}

/// The play order of a playlist for loop number `loop_no`: listed order, or a shuffle that changes
/// every loop (the same for the same seed and loop, so it can be tested).
pub fn order_for(playlist: &Playlist, seed: u64, loop_no: u64) -> Vec<usize> {
    let mut order: Vec<usize> = (0..playlist.items.len()).collect();
    if playlist.shuffle && order.len() > 1 {
        let mut state = seed ^ loop_no.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0xD1B5_4A32_D192_ED03;
        for i in (1..order.len()).rev() {
            state = splitmix64(state);
            let j = (state % (i as u64 + 1)) as usize;
            order.swap(i, j);
        }
    }
    order
}

fn splitmix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Which position of the play order is on screen `since` after the playlist started, for a
/// player that began at its first item then: (loop number, position in that loop's order, how
/// far into that slide). None for an empty playlist.
pub fn due_at(playlist: &Playlist, seed: u64, since: Duration) -> Option<(u64, usize, Duration)> {
    let total: Duration = playlist.items.iter().map(|i| i.duration).sum();
    if total.is_zero() {
        return None;
    }
    let loop_no = (since.as_nanos() / total.as_nanos()) as u64;
    let mut offset = Duration::from_nanos((since.as_nanos() % total.as_nanos()) as u64);
    let order = order_for(playlist, seed, loop_no);
    for (pos, &idx) in order.iter().enumerate() {
        let d = playlist.items[idx].duration;
        if offset < d {
            return Some((loop_no, pos, offset));
        }
        offset -= d;
    }
    Some((loop_no, order.len() - 1, Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::config::Fit;
    use crate::core::source::{MediaKind, Source};
    use std::path::PathBuf;

    fn item(name: &str, secs: u64) -> Item {
        Item {
            source: Source::File(PathBuf::from(name)),
            rel: PathBuf::from(name),
            kind: MediaKind::Image,
            duration: Duration::from_secs(secs),
            duration_given: false,
            transition: Transition::Crossfade,
            transition_time: Duration::from_millis(800),
            fit: Fit::Contain,
            sound: false,
            caption: None,
            when: Default::default(),
            pages: Default::default(),
            captions: true,
            subtitles: None,
        }
    }

    fn t0() -> NaiveDateTime {
        NaiveDateTime::parse_from_str("2027-01-04 09:00", "%Y-%m-%d %H:%M").unwrap()
    }

    fn playlist(names: &[&str]) -> Playlist {
        Playlist {
            name: "default".into(),
            items: names.iter().map(|n| item(n, 10)).collect(),
            shuffle: false,
        }
    }

    fn name(show: &Show) -> String {
        show.current().map(|i| i.rel.display().to_string()).unwrap_or_default()
    }

    /// Requests and immediately marks everything loaded, like an instant decoder.
    fn feed(show: &mut Show) {
        while let Some((id, _)) = show.request(t0()) {
            show.loaded(id, true);
        }
    }

    #[test]
    fn a_video_lasts_its_length_unless_a_duration_is_given_and_a_stall_ends_it() {
        let mut pl = playlist(&["film", "cut film", "photo"]);
        pl.items[1].duration = Duration::from_secs(5);
        pl.items[1].duration_given = true;
        let mut show = Show::new(pl, 0, (0, 0));
        let (id, _) = show.request(t0()).unwrap();
        show.set_pending_length(id, Duration::from_secs(62));
        show.loaded(id, true);
        show.tick(Duration::ZERO);
        assert_eq!(show.current().unwrap().duration, Duration::from_secs(62));
        let (id, _) = show.request(t0()).unwrap();
        show.set_pending_length(id, Duration::from_secs(62));
        show.loaded(id, true);
        assert!(show.tick(Duration::from_secs(61)).is_none());
        assert!(matches!(show.tick(Duration::from_secs(1)), Some(Change::Show { .. })));
        assert_eq!(name(&show), "cut film");
        assert_eq!(show.current().unwrap().duration, Duration::from_secs(5));
        // Its decoder stalls after 1 s: the next slide takes over as soon as it is ready.
        show.tick(Duration::from_secs(1)); // the crossfade ends
        let (id, _) = show.request(t0()).unwrap();
        show.loaded(id, true);
        show.tick(Duration::from_millis(100));
        assert_eq!(name(&show), "cut film");
        show.end_current();
        assert!(matches!(show.tick(Duration::from_millis(10)), Some(Change::Show { .. })));
        assert_eq!(name(&show), "photo");
    }

    #[test]
    fn plays_in_order_and_loops_with_crossfades() {
        let mut show = Show::new(playlist(&["a", "b", "c"]), 0, (0, 0));
        feed(&mut show);
        assert!(matches!(show.tick(Duration::ZERO), Some(Change::Show { transition: Transition::Cut, .. })));
        assert_eq!(name(&show), "a");
        let mut seen = vec![name(&show)];
        for _ in 0..(35 * 10) {
            feed(&mut show);
            if let Some(Change::Show { transition, .. }) = show.tick(Duration::from_millis(100)) {
                assert_eq!(transition, Transition::Crossfade);
                seen.push(name(&show));
            }
        }
        assert_eq!(seen, ["a", "b", "c", "a"]);
    }

    #[test]
    fn a_slide_stays_until_the_next_is_ready() {
        let mut show = Show::new(playlist(&["a", "b"]), 0, (0, 0));
        feed(&mut show);
        show.tick(Duration::ZERO);
        let (id, _) = show.request(t0()).expect("b wanted");
        assert_eq!(show.tick(Duration::from_secs(60)), None, "b not ready: a holds");
        assert_eq!(name(&show), "a");
        show.loaded(id, true);
        assert!(matches!(show.tick(Duration::from_millis(1)), Some(Change::Show { .. })));
        assert_eq!(name(&show), "b");
    }

    #[test]
    fn failed_files_are_skipped() {
        let mut show = Show::new(playlist(&["a", "bad", "c"]), 0, (0, 0));
        feed(&mut show);
        show.tick(Duration::ZERO);
        let (id, item) = show.request(t0()).expect("next");
        assert_eq!(item.rel, PathBuf::from("bad"));
        show.loaded(id, false);
        let (id, item) = show.request(t0()).expect("next after bad");
        assert_eq!(item.rel, PathBuf::from("c"));
        show.loaded(id, true);
        show.tick(Duration::from_secs(10));
        assert_eq!(name(&show), "c");
    }

    #[test]
    fn all_failing_means_nothing_to_show_and_no_busy_loop() {
        let mut show = Show::new(playlist(&["x", "y"]), 0, (0, 0));
        let mut requests = 0;
        while let Some((id, _)) = show.request(t0()) {
            show.loaded(id, false);
            requests += 1;
            assert!(requests < 10);
        }
        assert_eq!(requests, 2);
        assert!(show.nothing_to_show());
        assert!(Show::new(playlist(&[]), 0, (0, 0)).nothing_to_show());
    }

    #[test]
    fn transition_progress_runs_to_done() {
        let mut show = Show::new(playlist(&["a", "b"]), 0, (0, 0));
        feed(&mut show);
        show.tick(Duration::ZERO);
        feed(&mut show);
        show.tick(Duration::from_secs(10));
        show.tick(Duration::from_millis(400));
        let p = show.transition_progress().expect("fading");
        assert!((p - 0.5).abs() < 0.01, "{p}");
        assert_eq!(show.tick(Duration::from_millis(400)), Some(Change::TransitionDone));
        assert_eq!(show.transition_progress(), None);
    }

    #[test]
    fn switching_lets_the_current_slide_finish_then_starts_at_the_first_item() {
        let mut show = Show::new(playlist(&["a", "b"]), 0, (0, 0));
        feed(&mut show);
        show.tick(Duration::ZERO);
        show.switch_to(playlist(&["x", "y"]), false);
        feed(&mut show);
        assert_eq!(show.tick(Duration::from_secs(5)), None);
        assert_eq!(name(&show), "a");
        show.tick(Duration::from_secs(5));
        assert_eq!(name(&show), "x");
    }

    #[test]
    fn items_not_due_are_passed_over() {
        let mut p = playlist(&["a", "poster", "c"]);
        p.items[1].when.until = chrono::NaiveDate::from_ymd_opt(2027, 1, 1);
        let mut show = Show::new(p, 0, (0, 0));
        let mut names = Vec::new();
        for _ in 0..4 {
            let (id, item) = show.request(t0()).expect("an item");
            names.push(item.rel.display().to_string());
            show.loaded(id, true);
            show.tick(Duration::from_secs(10));
            show.tick(Duration::from_secs(1)); // the crossfade
        }
        assert_eq!(names, ["a", "c", "a", "c"]);
        let mut none_due = playlist(&["poster"]);
        none_due.items[0].when.from = chrono::NaiveDate::from_ymd_opt(2030, 1, 1);
        let mut show = Show::new(none_due, 0, (0, 0));
        assert!(show.request(t0()).is_none());
        assert!(show.nothing_to_show());
    }

    #[test]
    fn an_updated_playlist_carries_on_after_the_slide_on_screen() {
        let mut show = Show::new(playlist(&["a", "b", "c"]), 0, (0, 0));
        feed(&mut show);
        show.tick(Duration::ZERO);
        feed(&mut show);
        show.tick(Duration::from_secs(10));
        show.tick(Duration::from_secs(1));
        assert_eq!(name(&show), "b");
        // "c" is deleted and "b2" dropped in while "b" shows.
        show.update_playlist(playlist(&["a", "b", "b2"]));
        let (_, next) = show.request(t0()).expect("next");
        assert_eq!(next.rel, PathBuf::from("b2"));
    }

    #[test]
    fn shuffle_is_a_permutation_that_changes_per_loop() {
        let mut p = playlist(&["a", "b", "c", "d", "e", "f", "g", "h"]);
        p.shuffle = true;
        let o0 = order_for(&p, 7, 0);
        let o1 = order_for(&p, 7, 1);
        let mut sorted = o0.clone();
        sorted.sort();
        assert_eq!(sorted, (0..8).collect::<Vec<_>>());
        assert_ne!(o0, o1);
        assert_eq!(o0, order_for(&p, 7, 0));
    }

    #[test]
    fn due_at_walks_the_loop() {
        let mut p = playlist(&["a", "b", "c"]);
        p.items[1].duration = Duration::from_secs(20);
        let s = Duration::from_secs;
        assert_eq!(due_at(&p, 0, Duration::ZERO), Some((0, 0, s(0))));
        assert_eq!(due_at(&p, 0, s(10)), Some((0, 1, s(0))));
        assert_eq!(due_at(&p, 0, s(29)), Some((0, 1, s(19))));
        assert_eq!(due_at(&p, 0, s(30)), Some((0, 2, s(0))));
        assert_eq!(due_at(&p, 0, s(45)), Some((1, 0, s(5))));
        assert_eq!(due_at(&playlist(&[]), 0, Duration::from_secs(5)), None);
    }
}
