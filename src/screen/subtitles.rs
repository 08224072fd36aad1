//! A film's subtitles on screen: a dark band along the bottom of the film's picture with the
//! cue that covers the frame on screen, in large letters (two lines at most), and nothing
//! between cues. The band follows the film's own clock, so seeks, loops and `snapshot --at`
//! mid-film show the right words.

use std::sync::Arc;

use bevy::prelude::*;

use super::AppSystems;
use super::fonts::Fonts;
use super::stage::{Part, SlidePart};
use super::video::{VideoPlayback, play_videos};
use crate::core::subtitles::{Cue, text_at};

/// Text height of subtitles, in hundredths of the screen's shorter side: large, well above the
/// smallest text corridor shows.
const SUBTITLE_VMIN: f32 = 4.2;

/// The band of a film's subtitles; its parent is the film's picture.
#[derive(Component)]
pub(super) struct SubtitleBand {
    /// A subtitles file's cues; None: the film's own subtitle track (if it has one).
    cues: Option<Arc<Vec<Cue>>>,
    shown: Option<String>,
}

/// The text in a subtitle band.
#[derive(Component)]
struct SubtitleText;

pub(super) fn plugin(app: &mut App) {
    app.add_systems(Update, follow_films.in_set(AppSystems::Present).after(play_videos));
}

/// Puts an empty (hidden) subtitle band at the bottom of the film picture `picture` of the
/// slide `root`, for the cues of a subtitles file (or, with None, of the film's own track).
pub(super) fn add_band(
    commands: &mut Commands,
    root: Entity,
    picture: Entity,
    fonts: &Fonts,
    cues: Option<Arc<Vec<Cue>>>,
) {
    commands.entity(picture).with_child((
        Node {
            position_type: PositionType::Absolute,
            bottom: px(0),
            width: percent(100),
            padding: UiRect::axes(vmin(2.0), vmin(1.0)),
            justify_content: JustifyContent::Center,
            ..default()
        },
        BackgroundColor(Color::srgba(0.0, 0.0, 0.0, 0.72)),
        SlidePart::new(root, Part::Background, 0.72),
        Visibility::Hidden,
        SubtitleBand { cues, shown: None },
        children![(
            Text::new(""),
            fonts.regular(SUBTITLE_VMIN),
            TextColor(Color::WHITE),
            TextLayout::justify(Justify::Center),
            SlidePart::new(root, Part::Text, 1.0),
            SubtitleText,
        )],
    ));
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
