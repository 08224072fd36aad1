//! corridor.toml changed while running: read it again on a worker thread. A file with mistakes
//! keeps the settings in use (the log says why, and [`SettingsKept`] says it happened). Settings
//! that can change live (slides, settle time, power commands, play-log days) apply at once, with a
//! rescan; the rest are logged as needing a restart.

use bevy::prelude::*;
use bevy::tasks::{AsyncComputeTaskPool, Task, block_on, poll_once};

use super::Settings;
use super::watch::{RescanWanted, SettingsFileChanged};
use crate::core::config::{self, Config, Loaded};

#[derive(Resource, Default)]
struct Reloading(Option<Task<Option<Loaded>>>);

/// corridor.toml was read again and refused (it cannot be read, or has mistakes): the settings
/// in use stay. Tells a test, or anyone else, that the changed file has been looked at.
#[derive(Message, Clone, Debug)]
pub struct SettingsKept;

pub(super) fn plugin(app: &mut App) {
    app.add_message::<SettingsKept>();
    app.init_resource::<Reloading>();
    app.add_systems(Update, (start_reload, finish_reload).chain().in_set(super::AppSystems::ReadInputs));
}

fn start_reload(
    mut changed: MessageReader<SettingsFileChanged>,
    settings: Res<Settings>,
    mut reloading: ResMut<Reloading>,
) {
    if changed.read().count() == 0 || reloading.0.is_some() {
        return;
    }
    let Some(path) = settings.0.source.clone() else { return };
    reloading.0 = Some(AsyncComputeTaskPool::get().spawn(async move { config::load(Some(&path)).ok() }));
}

/// The names of settings that differ and only take effect after a restart.
pub fn restart_needed(old: &Config, new: &Config) -> Vec<&'static str> {
    let mut keys = Vec::new();
    let checks: [(&'static str, bool); 15] = [
        ("content", old.content != new.content),
        ("screen", old.screen != new.screen),
        ("timezone", old.timezone != new.timezone),
        ("watch", old.watch != new.watch),
        ("poll_interval", old.poll_interval != new.poll_interval),
        ("status_file", old.status_file != new.status_file),
        ("metrics_file", old.metrics_file != new.metrics_file),
        ("screenshot_file", old.screenshot_file != new.screenshot_file),
        ("play_log", old.play_log != new.play_log),
        ("[display]", old.display != new.display),
        ("[layout]", old.layout != new.layout),
        ("[alert]", old.alert != new.alert),
        ("[branding]", old.branding != new.branding),
        ("[live]", old.live != new.live),
        ("[[source]]", old.sources != new.sources),
    ];
    for (key, differs) in checks {
        if differs {
            keys.push(key);
        }
    }
    keys
}

fn finish_reload(
    mut reloading: ResMut<Reloading>,
    mut settings: ResMut<Settings>,
    mut rescan: MessageWriter<RescanWanted>,
    mut kept: MessageWriter<SettingsKept>,
) {
    let Some(task) = reloading.0.as_mut() else { return };
    let Some(result) = block_on(poll_once(task)) else { return };
    reloading.0 = None;
    let Some(loaded) = result else {
        warn!("corridor.toml cannot be read now; the settings in use stay");
        kept.write(SettingsKept);
        return;
    };
    if !loaded.problems.is_empty() {
        for p in &loaded.problems {
            warn!("{p}");
        }
        warn!("corridor.toml has mistakes; the settings in use stay until it is fixed");
        kept.write(SettingsKept);
        return;
    }
    let new = loaded.config;
    let old = &settings.0;
    for key in restart_needed(old, &new) {
        warn!("corridor.toml: `{key}` changed; restart corridor to use it");
    }
    let live_changed = old.slides != new.slides
        || old.settle_time != new.settle_time
        || old.power_off_command != new.power_off_command
        || old.power_on_command != new.power_on_command
        || old.play_log_days != new.play_log_days;
    if !live_changed {
        return;
    }
    info!("corridor.toml changed; the new slide settings apply from the next slide");
    let s = &mut settings.0;
    s.slides = new.slides;
    s.settle_time = new.settle_time;
    s.power_off_command = new.power_off_command;
    s.power_on_command = new.power_on_command;
    s.play_log_days = new.play_log_days;
    rescan.write(RescanWanted);
}
