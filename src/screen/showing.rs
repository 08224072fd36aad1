//! What the stage shows now: the running [`Show`]. The stage plugin alone changes it; the
//! plugins that draw parts of a slide (films, animations) and the snapshot read it. It sits below
//! them all, so none of them needs the stage plugin itself.

use bevy::prelude::*;

use crate::core::show::Show;

/// The running show.
#[derive(Resource, Default)]
pub struct StageState {
    pub show: Option<Show>,
    /// The live broadcast covers the stage: the show waits, its slide's time stands still.
    pub on_air: bool,
}

impl StageState {
    /// True when a slide is fully on screen (no transition), or nothing can be shown at all.
    pub fn settled(&self) -> bool {
        match &self.show {
            Some(show) => {
                (show.current().is_some() && show.transition_progress().is_none()) || show.nothing_to_show()
            }
            None => false,
        }
    }
}
