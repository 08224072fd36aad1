//! Animated GIFs on screen: every frame is a texture already on the GPU; while the slide shows,
//! its picture flips to the frame that the show's clock says (looping), so a frame costs no
//! decoding and no upload.

use std::time::Duration;

use bevy::prelude::*;

use super::AppSystems;
use super::showing::StageState;
use crate::core::media::gif::frame_at;
use crate::core::show::RequestId;

/// The frames of an animation on a slide's picture.
#[derive(Component)]
pub(super) struct Playing {
    slide: RequestId,
    frames: Vec<Handle<Image>>,
    delays: Vec<Duration>,
    shown: usize,
}

impl Playing {
    pub(super) fn new(slide: RequestId, frames: Vec<Handle<Image>>, delays: Vec<Duration>) -> Self {
        Self { slide, frames, delays, shown: 0 }
    }
}

pub(super) fn plugin(app: &mut App) {
    app.add_systems(Update, flip_frames.in_set(AppSystems::Present));
}

fn flip_frames(state: Res<StageState>, mut animations: Query<(&mut Playing, &mut ImageNode)>) {
    let Some(show) = state.show.as_ref() else { return };
    let current = show.current_id();
    let t = show.shown_for();
    for (mut playing, mut node) in &mut animations {
        if Some(playing.slide) != current {
            continue;
        }
        let i = frame_at(&playing.delays, t);
        if i != playing.shown
            && let Some(frame) = playing.frames.get(i)
        {
            node.image = frame.clone();
            playing.shown = i;
        }
    }
}
