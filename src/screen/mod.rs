//! The screen: thin Bevy plugins that put the core's decisions on screen. Every feature is one
//! plugin, listed in [`add_features`]; they talk through messages owned by the plugin that sends
//! them, and their systems run in one declared order, [`AppSystems`].

mod alert;
mod animation;
mod background;
mod branding;
mod clock;
mod content;
mod decks;
mod fit;
mod fonts;
mod layout;
mod metrics;
mod off;
mod on_air;
mod output;
mod programme;
mod rotation;
mod screenshot;
mod settings_file;
mod showing;
mod snapshot;
mod stage;
mod status;
mod subtitles;
mod sync;
mod ticker;
mod video;
mod watch;
mod watchdog;
mod widgets;

use std::path::PathBuf;
use std::time::Duration;

use bevy::prelude::*;
use bevy::window::{CursorOptions, MonitorSelection, PresentMode, WindowMode, WindowResolution};
use bevy::winit::{UpdateMode, WinitSettings};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use crate::core::config::Config;

pub use alert::{AlertCover, AlertShowing};
pub use clock::ScreenClock;
pub use content::{ContentScanned, ScanFailed};
pub use layout::TickerStrip;
pub use off::{OffCover, ScreenOff};
pub use on_air::{OnAir, OnAirCover, on_air_centre};
pub use programme::ProgrammeChanged;
pub use settings_file::SettingsKept;
pub use showing::StageState;
pub use stage::{FallbackSlide, SlideFailed, SlideRoot, SlideShown, StartAt};
pub use sync::{SourceState, Sources};
pub use ticker::{FeedsChanged, TickerReady, TickerSystems};
pub use video::{film_ready, shown_centre};
pub use widgets::{MIN_TEXT_VMIN, WidgetCard};

/// How the screen runs.
#[derive(Clone, Debug)]
pub enum Mode {
    /// The player: fullscreen (unless windowed), forever.
    Run { windowed: bool },
    /// Render one moment (or a few frames) to PNG and exit.
    Snapshot(SnapshotSpec),
}

/// What `corridor snapshot` renders.
#[derive(Clone, Debug)]
pub struct SnapshotSpec {
    pub out: PathBuf,
    pub at: DateTime<Tz>,
    pub size: (u32, u32),
    /// Save this many frames, one every `step`, instead of one settled picture.
    pub frames: Option<u32>,
    pub step: Duration,
    /// Also write the zones' and texts' places here, as JSON.
    pub layout: Option<PathBuf>,
}

/// The order in which the screen's systems run each frame (in `Update`), one list for the whole
/// app: a plugin puts each of its systems in one of these sets, and a message sent in one set is
/// read in the same frame by the sets after it.
#[derive(SystemSet, Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AppSystems {
    /// Take in what happened outside: file-system events, finished scans, settings reloads,
    /// the stage's size.
    ReadInputs,
    /// Decide what should show: the schedule, the alert, off periods.
    Decide,
    /// Prepare slides and change them on the stage.
    Stage,
    /// Draw what moves: film and animation frames, the ticker, widgets, clocks.
    Present,
    /// Tell the world: the status file and the play log.
    Report,
}

/// The configuration, for every plugin to read.
#[derive(Resource, Clone, Debug)]
pub struct Settings(pub Config);

/// Who makes the player's window fill its output.
enum Placement {
    /// corridor itself, on an X server with no window manager.
    BareX11(output::Output),
    /// The Wayland compositor, once a window of the output's size has opened.
    Wayland(output::Output, usize),
    /// The window manager or compositor, asked for borderless fullscreen.
    Compositor,
}

fn placement(config: &Config) -> Placement {
    let wanted = config.display.output.as_deref();
    if let Some(outputs) = output::bare_x11_outputs()
        && let Some(out) = output::choose(&outputs, wanted)
    {
        return Placement::BareX11(out.clone());
    }
    if let Some(outputs) = output::wayland_outputs()
        && let Some(out) = output::choose(&outputs, wanted)
    {
        let index = outputs.iter().position(|o| o == out).unwrap_or(0);
        return Placement::Wayland(out.clone(), index);
    }
    Placement::Compositor
}

/// The window: fullscreen for the player (unless windowed), exactly the asked size for a
/// snapshot.
fn window_for(config: &Config, mode: &Mode, place: &Placement) -> Window {
    match mode {
        Mode::Run { windowed } if !*windowed && config.display.fullscreen => {
            let window = Window {
                title: format!("corridor – {}", config.screen),
                mode: WindowMode::BorderlessFullscreen(MonitorSelection::Primary),
                decorations: false,
                present_mode: PresentMode::AutoVsync,
                ..default()
            };
            match place {
                // No window manager to make it fullscreen: a window exactly over the output.
                Placement::BareX11(out) => {
                    output::window_over(out, Window { mode: WindowMode::Windowed, ..window })
                }
                Placement::Wayland(out, _) => output::window_sized_for(out, window),
                Placement::Compositor => window,
            }
        }
        Mode::Run { .. } => Window {
            title: format!("corridor – {}", config.screen),
            resolution: WindowResolution::new(config.display.windowed_size.0, config.display.windowed_size.1),
            present_mode: PresentMode::AutoVsync,
            ..default()
        },
        Mode::Snapshot(spec) => Window {
            title: "corridor snapshot".into(),
            resolution: WindowResolution::new(spec.size.0, spec.size.1).with_scale_factor_override(1.0),
            resizable: false,
            decorations: false,
            present_mode: PresentMode::AutoNoVsync,
            ..default()
        },
    }
}

/// Builds the whole screen app: Bevy's plugins set up for a kiosk, then each feature plugin.
pub fn build_app(config: Config, mode: Mode) -> App {
    let mut app = App::new();
    let fullscreen = matches!(mode, Mode::Run { windowed: false }) && config.display.fullscreen;
    let place = if fullscreen { placement(&config) } else { Placement::Compositor };
    let window = window_for(&config, &mode, &place);
    let hide_cursor = fullscreen;
    app.add_plugins(
        DefaultPlugins
            .set(WindowPlugin {
                primary_window: Some(window),
                primary_cursor_options: Some(CursorOptions { visible: !hide_cursor, ..default() }),
                ..default()
            })
            // Compile render pipelines before the first frame that needs them: no frame is ever
            // drawn with parts missing (at start-up on slow machines, or in a snapshot).
            .set(bevy::render::RenderPlugin { synchronous_pipeline_compilation: true, ..default() })
            .set(bevy::log::LogPlugin {
                filter: "wgpu=error,naga=warn,bevy_render=warn,bevy_winit=warn,calloop=warn,sctk=warn".into(),
                fmt_layer: log_lines,
                ..default()
            }),
    );
    // A kiosk without a window manager counts as unfocused: keep drawing anyway.
    app.insert_resource(WinitSettings {
        focused_mode: UpdateMode::Continuous,
        unfocused_mode: UpdateMode::Continuous,
    });
    let clock = match &mode {
        Mode::Snapshot(spec) => ScreenClock::fixed(spec.at),
        Mode::Run { .. } => ScreenClock::live(config.timezone),
    };
    app.insert_resource(ClearColor(layout::bevy_colour(config.display.background)));
    app.insert_resource(clock);
    let mut config = config;
    if matches!(mode, Mode::Snapshot(_)) {
        // A snapshot shows the folder as it is: nothing is held back as "still copying".
        config.settle_time = Duration::ZERO;
        // Nor does it fetch anything, or report to IT: it shows what is here.
        config.sources.clear();
        (config.metrics_file, config.screenshot_file) = (None, None);
    }
    app.insert_resource(Settings(config));
    add_features(&mut app);
    match place {
        Placement::BareX11(_) => {
            app.add_plugins(output::plugin);
        }
        Placement::Wayland(_, index) => {
            app.insert_resource(output::FillOutput(index));
            app.add_systems(Startup, output::go_fullscreen);
        }
        Placement::Compositor => {}
    }
    run_systems_in_order(&mut app);
    if let Mode::Snapshot(spec) = mode {
        app.insert_resource(off::KeepDrawing);
        app.insert_resource(StartAt(spec.at));
        app.insert_resource(content::ConvertDecksNow);
        app.add_plugins(move |app: &mut App| snapshot::plugin(app, spec.clone()));
    }
    app
}

/// The feature plugins, in one list. Tests add these to a headless app as well.
pub fn add_features(app: &mut App) {
    app.configure_sets(
        Update,
        (
            AppSystems::ReadInputs,
            AppSystems::Decide,
            AppSystems::Stage,
            AppSystems::Present,
            AppSystems::Report,
        )
            .chain(),
    );
    app.add_plugins((
        fonts::plugin,
        layout::plugin,
        content::plugin,
        programme::plugin,
        stage::plugin,
        off::plugin,
        clock::plugin,
        watch::plugin,
        settings_file::plugin,
        alert::plugin,
        status::plugin,
        widgets::plugin,
        ticker::plugin,
        video::plugin,
        animation::plugin,
    ));
    app.add_plugins((
        watchdog::plugin,
        branding::plugin,
        rotation::plugin,
        fit::plugin,
        on_air::plugin,
        sync::plugin,
        metrics::plugin,
        screenshot::plugin,
        decks::plugin,
        subtitles::plugin,
    ));
}

/// Log lines on standard error: coloured for a person at a terminal, plain text (no colour
/// codes) for the journal or a file. `RUST_LOG` filters as usual.
fn log_lines(_: &mut App) -> Option<bevy::log::BoxedFmtLayer> {
    use std::io::IsTerminal;
    let layer = bevy::log::tracing_subscriber::fmt::Layer::default()
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr);
    Some(Box::new(layer))
}

/// Runs the main world's systems one after another on the screen's thread instead of handing
/// them to worker threads. On the small 2-core boxes behind corridor screens the hand-offs cost
/// more than the systems themselves (our systems take microseconds), and a frame no longer waits
/// for a worker thread that the kernel has put behind a rescan or a decode: measured in
/// BENCHMARKS.md ("Hot updates"). Rendering still runs beside it on its own thread.
pub fn run_systems_in_order(app: &mut App) {
    use bevy::ecs::schedule::{ScheduleLabel, SingleThreadedExecutor};
    for label in [First.intern(), PreUpdate.intern(), Update.intern(), PostUpdate.intern(), Last.intern()] {
        app.edit_schedule(label, |s| {
            s.set_executor(SingleThreadedExecutor::new());
        });
    }
    background::steady_memory();
}

/// Runs the screen until the window closes (or, for a snapshot, until the picture is saved).
pub fn run(config: Config, mode: Mode) -> AppExit {
    build_app(config, mode).run()
}

/// The moment that `snapshot --at` means, or now.
pub fn now_in(tz: Tz) -> DateTime<Tz> {
    Utc::now().with_timezone(&tz)
}
