//! `[[off]]` periods: the screen shows nothing (a black cover over everything but an alert), draws about once
//! a second, and runs corridor.toml's `power_off_command` / `power_on_command` at the edges, on a
//! worker thread. A failing command is logged, never fatal.

use std::time::Duration;

use bevy::prelude::*;
use bevy::winit::{UpdateMode, WinitSettings};

use super::Settings;
use super::programme::ProgrammeChanged;
use crate::core::schedule::What;

/// The black cover shown while the screen is off.
#[derive(Component)]
pub struct OffCover;

/// Whether the screen is in an off period.
#[derive(Resource, Default, Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScreenOff(pub bool);

/// Set by `corridor snapshot`: keep drawing every frame even when off.
#[derive(Resource)]
pub struct KeepDrawing;

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<ScreenOff>();
    app.add_systems(Startup, spawn_cover);
    app.add_systems(Update, follow_off.in_set(super::AppSystems::Decide));
}

fn spawn_cover(mut commands: Commands) {
    commands.spawn((
        Name::new("off cover"),
        OffCover,
        Node {
            position_type: PositionType::Absolute,
            width: percent(100),
            height: percent(100),
            ..default()
        },
        BackgroundColor(Color::BLACK),
        GlobalZIndex(i32::MAX - 1),
        Visibility::Hidden,
    ));
}

fn follow_off(
    mut changes: MessageReader<ProgrammeChanged>,
    mut off: ResMut<ScreenOff>,
    mut cover: Query<&mut Visibility, With<OffCover>>,
    settings: Res<Settings>,
    keep_drawing: Option<Res<KeepDrawing>>,
    mut commands: Commands,
) {
    let Some(change) = changes.read().last() else { return };
    let now_off = change.what == What::Off;
    if now_off == off.0 {
        return;
    }
    off.0 = now_off;
    for mut vis in &mut cover {
        *vis = if now_off { Visibility::Inherited } else { Visibility::Hidden };
    }
    if keep_drawing.is_none() {
        let mode = if now_off {
            UpdateMode::reactive_low_power(Duration::from_secs(1))
        } else {
            UpdateMode::Continuous
        };
        commands.insert_resource(WinitSettings { focused_mode: mode, unfocused_mode: mode });
    }
    let command = if now_off { &settings.0.power_off_command } else { &settings.0.power_on_command };
    if let Some(command) = command.clone() {
        run_power_command(command);
    }
}

/// Runs a shell command on its own thread and logs how it went.
fn run_power_command(command: String) {
    let spawned = std::thread::Builder::new().name("power command".into()).spawn(move || {
        match std::process::Command::new("sh").arg("-c").arg(&command).status() {
            Ok(s) if s.success() => info!("ran power command `{command}`"),
            Ok(s) => warn!("power command `{command}` failed ({s})"),
            Err(e) => warn!("power command `{command}` could not run: {e}"),
        }
    });
    if let Err(e) = spawned {
        warn!("a power command could not start: {e}");
    }
}
