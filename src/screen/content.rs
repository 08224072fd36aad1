//! Scans the content folder on a worker thread (never on the screen's thread) and announces the
//! result with a [`ContentScanned`] message. Each problem is logged once, in the same words as
//! `corridor check`.

use std::sync::Arc;

use bevy::prelude::*;
use bevy::tasks::{AsyncComputeTaskPool, Task, block_on, poll_once};

use super::Settings;
use crate::core::content::{self, Content, ScanError};

/// A finished scan of the content folder.
#[derive(Message, Clone, Debug)]
pub struct ContentScanned(pub Arc<Content>);

/// The scan under way, if any.
#[derive(Resource, Default)]
struct Scanning(Option<Task<Result<Content, ScanError>>>);

pub(super) fn plugin(app: &mut App) {
    app.add_message::<ContentScanned>();
    app.init_resource::<Scanning>();
    app.add_systems(Startup, start_scan);
    app.add_systems(PreUpdate, finish_scan);
}

fn start_scan(settings: Res<Settings>, mut scanning: ResMut<Scanning>) {
    let root = settings.0.content.clone();
    let slides = settings.0.slides.clone();
    scanning.0 =
        Some(AsyncComputeTaskPool::get().spawn(async move { content::scan(&root, &slides) }));
}

fn finish_scan(mut scanning: ResMut<Scanning>, mut out: MessageWriter<ContentScanned>) {
    let Some(task) = scanning.0.as_mut() else {
        return;
    };
    let Some(result) = block_on(poll_once(task)) else {
        return;
    };
    scanning.0 = None;
    match result {
        Ok(content) => {
            for p in &content.problems {
                warn!("{p}");
            }
            out.write(ContentScanned(Arc::new(content)));
        }
        Err(e) => error!("{e}; showing the fallback slide"),
    }
}
