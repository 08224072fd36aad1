//! A film's subtitles on screen: a dark band along the bottom of the film's picture with the
//! cue that covers the frame on screen, in large letters (two lines at most), and nothing
//! between cues. The band follows the film's own clock, so seeks, loops and `snapshot --at`
//! mid-film show the right words.

use std::sync::Arc;

use bevy::prelude::*;

use super::AppSystems;
use super::video::{VideoPlayback, play_videos};
use crate::core::subtitles::{Cue, text_at};

/// Text height of subtitles, in hundredths of the screen's shorter side: large, well above the
/// smallest text corridor shows.
pub(super) const SUBTITLE_VMIN: f32 = 4.2;

/// The band of a film's subtitles; its parent is the film's picture.
#[derive(Component)]
pub(super) struct SubtitleBand {
    /// A subtitles file's cues; None: the film's own subtitle track (if it has one).
    cues: Option<Arc<Vec<Cue>>>,
    shown: Option<String>,
}

/// The text in a subtitle band.
#[derive(Component)]
pub(super) struct SubtitleText;

pub(super) fn plugin(app: &mut App) {
    app.add_systems(Update, follow_films.in_set(AppSystems::Present).after(play_videos));
}

impl SubtitleBand {
    /// A band for the cues of a subtitles file (or, with None, of the film's own track).
    pub(super) fn new(cues: Option<Arc<Vec<Cue>>>) -> Self {
        Self { cues, shown: None }
    }
}

/// Shows, in each band, the cue that covers its film's frame on screen.
fn follow_films(
    mut bands: Query<(&mut SubtitleBand, &ChildOf, &Children, &mut Visibility)>,
    films: Query<&VideoPlayback>,
    mut texts: Query<&mut Text, With<SubtitleText>>,
) {
    for (mut band, parent, children, mut visibility) in &mut bands {
        let Ok(film) = films.get(parent.parent()) else { continue };
        let now = match &band.cues {
            Some(cues) => text_at(cues, film.film_time()),
            None => film.own_subtitle(),
        };
        if now == band.shown {
            continue;
        }
        for child in children.iter() {
            if let Ok(mut text) = texts.get_mut(child) {
                text.0 = now.clone().unwrap_or_default();
            }
        }
        *visibility = if now.is_some() { Visibility::Inherited } else { Visibility::Hidden };
        band.shown = now;
    }
}
