//! The reference for corridor's start-up benchmark (`cargo bench --bench player -- startup`): a
//! bare Bevy window with the same Bevy features as corridor and an empty scene (a camera only),
//! fullscreen-sized, telling `$NOTIFY_SOCKET` READY=1 when its first frame has been presented,
//! exactly as corridor does. Run it by hand with `cargo run --release --example bare_window`
//! (`-- --msaa-off` for a camera without multisampling, as corridor's).

use std::sync::{Arc, Mutex};
use std::time::Instant;

use bevy::prelude::*;
use bevy::render::{Render, RenderApp, RenderSystems};
use bevy::window::{WindowPosition, WindowResolution};
use corridor::kiosk::Notifier;

#[derive(Resource, Clone)]
struct Notify(Arc<Mutex<Notifier>>);

fn main() {
    let (w, h) = (1920, 1080);
    let window = Window {
        title: "bare window".into(),
        position: WindowPosition::At(IVec2::ZERO),
        resolution: WindowResolution::new(w, h).with_scale_factor_override(1.0),
        decorations: false,
        ..default()
    };
    let mut app = App::new();
    app.add_plugins(DefaultPlugins.set(WindowPlugin { primary_window: Some(window), ..default() }));
    // `--msaa-off`: the camera without multisampling, as corridor's is.
    let msaa = if std::env::args().any(|a| a == "--msaa-off") { Msaa::Off } else { Msaa::default() };
    app.add_systems(Startup, move |mut commands: Commands| {
        commands.spawn((Camera2d, msaa));
    });
    if let Some(mut notifier) = Notifier::from_env()
        && let Some(render_app) = app.get_sub_app_mut(RenderApp)
    {
        // Which camera this build draws with: the benchmark checks it (an old build ignores
        // `--msaa-off`).
        notifier.status(&format!("bare window, msaa {}", msaa.samples()));
        render_app.insert_resource(Notify(Arc::new(Mutex::new(notifier))));
        render_app.add_systems(
            Render,
            (|notify: Res<Notify>| {
                if let Ok(mut n) = notify.0.lock() {
                    n.frame_presented(Instant::now());
                }
            })
            .after(RenderSystems::Render)
            .before(RenderSystems::Cleanup),
        );
    }
    app.run();
}
