//! Which output the screen fills. With a window manager or a Wayland compositor (cage, GNOME,
//! KDE) corridor asks for borderless fullscreen and the compositor places it. On an X server
//! with no window manager (an `xinit` kiosk) nobody would: corridor reads the outputs from the X
//! server itself (RandR monitors) and opens its window exactly over the chosen one, from the
//! first frame, and follows it when the output changes size.

use bevy::prelude::*;
use bevy::window::{PrimaryWindow, WindowPosition, WindowResolution};
use x11rb::connection::Connection;
use x11rb::protocol::randr::ConnectionExt as _;
use x11rb::protocol::xproto::{AtomEnum, ConnectionExt as _};

use super::{AppSystems, Settings};

/// One output of the X server: its name (e.g. `HDMI-1`) and where it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Output {
    pub name: String,
    pub primary: bool,
    pub x: i32,
    pub y: i32,
    pub width: u32,
    pub height: u32,
}

/// The X server's outputs, when corridor runs on X11 with no window manager; None on Wayland,
/// with a window manager, or when the X server cannot be asked.
pub fn bare_x11_outputs() -> Option<Vec<Output>> {
    if std::env::var_os("WAYLAND_DISPLAY").is_some() {
        return None;
    }
    let (conn, screen) = x11rb::connect(None).ok()?;
    let root = conn.setup().roots.get(screen)?.root;
    if window_manager_runs(&conn, root) {
        return None;
    }
    let monitors = conn.randr_get_monitors(root, true).ok()?.reply().ok()?;
    let outputs: Vec<Output> = monitors
        .monitors
        .iter()
        .map(|m| Output {
            name: atom_name(&conn, m.name).unwrap_or_default(),
            primary: m.primary,
            x: i32::from(m.x),
            y: i32::from(m.y),
            width: u32::from(m.width),
            height: u32::from(m.height),
        })
        .collect();
    if outputs.is_empty() {
        let s = conn.setup().roots.get(screen)?;
        let (w, h) = (u32::from(s.width_in_pixels), u32::from(s.height_in_pixels));
        return Some(vec![Output { name: String::new(), primary: true, x: 0, y: 0, width: w, height: h }]);
    }
    Some(outputs)
}

/// A window manager that follows the EWMH conventions says so on the root window.
fn window_manager_runs(conn: &impl Connection, root: u32) -> bool {
    let Ok(atom) = conn.intern_atom(true, b"_NET_SUPPORTING_WM_CHECK") else { return false };
    let Some(atom) = atom.reply().ok().map(|r| r.atom).filter(|a| *a != 0) else { return false };
    conn.get_property(false, root, atom, AtomEnum::WINDOW, 0, 1)
        .ok()
        .and_then(|c| c.reply().ok())
        .is_some_and(|r| r.value_len > 0)
}

fn atom_name(conn: &impl Connection, atom: u32) -> Option<String> {
    let reply = conn.get_atom_name(atom).ok()?.reply().ok()?;
    Some(String::from_utf8_lossy(&reply.name).into_owned())
}

/// The output named `wanted` (any case), else the primary one, else the first.
pub fn choose<'a>(outputs: &'a [Output], wanted: Option<&str>) -> Option<&'a Output> {
    wanted
        .and_then(|w| outputs.iter().find(|o| o.name.eq_ignore_ascii_case(w)))
        .or_else(|| outputs.iter().find(|o| o.primary))
        .or_else(|| outputs.first())
}

/// Under a Wayland compositor: a window of the output's size, which [`go_fullscreen`] then makes
/// fullscreen (a window asked to be fullscreen from the start would open at a default size,
/// and a kiosk compositor would show that size first).
pub fn window_sized_for(output: &Output, window: Window) -> Window {
    Window {
        mode: bevy::window::WindowMode::Windowed,
        resolution: WindowResolution::new(output.width, output.height),
        decorations: false,
        ..window
    }
}

/// Which of the compositor's outputs the window fills (its place in the compositor's list).
#[derive(Resource, Clone, Copy)]
pub(super) struct FillOutput(pub usize);

/// Makes the window fullscreen once it exists (see [`window_sized_for`]).
pub(super) fn go_fullscreen(fill: Res<FillOutput>, mut window: Query<&mut Window, With<PrimaryWindow>>) {
    if let Ok(mut window) = window.single_mut() {
        let monitor = bevy::window::MonitorSelection::Index(fill.0);
        window.mode = bevy::window::WindowMode::BorderlessFullscreen(monitor);
    }
}

/// A window that covers `output` exactly, with no border.
pub fn window_over(output: &Output, window: Window) -> Window {
    Window {
        position: WindowPosition::At(IVec2::new(output.x, output.y)),
        resolution: WindowResolution::new(output.width, output.height).with_scale_factor_override(1.0),
        decorations: false,
        resizable: false,
        ..window
    }
}

/// Kept while corridor places its own window (bare X11): which output it covers.
#[derive(Resource)]
struct Placing {
    wanted: Option<String>,
    last: Option<Output>,
    timer: Timer,
}

/// Added only when corridor places its own window (bare X11).
pub(super) fn plugin(app: &mut App) {
    let wanted = app.world().resource::<Settings>().0.display.output.clone();
    app.insert_resource(Placing {
        wanted,
        last: None,
        timer: Timer::from_seconds(2.0, TimerMode::Repeating),
    });
    app.add_systems(Update, follow_output.in_set(AppSystems::ReadInputs));
}

/// Every two seconds, asks the X server where the chosen output is now (another monitor
/// plugged in, the resolution changed) and moves the window over it.
fn follow_output(
    time: Res<Time<Real>>,
    mut placing: ResMut<Placing>,
    mut window: Query<&mut Window, With<PrimaryWindow>>,
) {
    if !placing.timer.tick(time.delta()).just_finished() {
        return;
    }
    let Some(outputs) = bare_x11_outputs() else { return };
    let Some(output) = choose(&outputs, placing.wanted.as_deref()).cloned() else { return };
    if placing.last.as_ref() == Some(&output) {
        return;
    }
    if let Ok(mut window) = window.single_mut() {
        if placing.last.is_some() {
            info!(
                "the screen's output is now {}x{} at {},{}",
                output.width, output.height, output.x, output.y
            );
        }
        window.position = WindowPosition::At(IVec2::new(output.x, output.y));
        window.resolution.set(output.width as f32, output.height as f32);
    }
    placing.last = Some(output);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn out(name: &str, primary: bool, x: i32) -> Output {
        Output { name: name.into(), primary, x, y: 0, width: 1920, height: 1080 }
    }

    #[test]
    fn the_named_output_then_the_primary_then_the_first() {
        let outputs = [out("DP-1", false, 0), out("HDMI-A-1", true, 1920)];
        assert_eq!(choose(&outputs, Some("dp-1")).unwrap().name, "DP-1");
        assert_eq!(choose(&outputs, Some("VGA-1")).unwrap().name, "HDMI-A-1");
        assert_eq!(choose(&outputs, None).unwrap().name, "HDMI-A-1");
        assert_eq!(choose(&[out("A", false, 0)], None).unwrap().name, "A");
        assert_eq!(choose(&[], None), None);
    }
}

/// The outputs a Wayland compositor announces (name and current size in pixels), when corridor
/// runs under one; None otherwise. A kiosk compositor such as cage shows a new window at the
/// size the window first has, and only then fills the output with it: opening the window at the
/// output's size makes the first frame fill it too.
pub fn wayland_outputs() -> Option<Vec<Output>> {
    use wayland_client::Connection as WaylandConnection;
    std::env::var_os("WAYLAND_DISPLAY")?;
    let conn = WaylandConnection::connect_to_env().ok()?;
    let mut queue = conn.new_event_queue();
    let handle = queue.handle();
    conn.display().get_registry(&handle, ());
    let mut found = wayland::Found::default();
    // The first round trip lists the globals (and binds the outputs), the second their modes.
    queue.roundtrip(&mut found).ok()?;
    queue.roundtrip(&mut found).ok()?;
    let outputs: Vec<Output> = found
        .outputs
        .into_iter()
        .zip(found.scales)
        .map(|(o, scale)| Output { width: o.width / scale, height: o.height / scale, ..o })
        .filter(|o| o.width > 0 && o.height > 0)
        .collect();
    (!outputs.is_empty()).then_some(outputs)
}

mod wayland {
    //! The few Wayland events [`super::wayland_outputs`] listens to.

    use wayland_client::protocol::{wl_output, wl_registry};
    use wayland_client::{Connection, Dispatch, QueueHandle, WEnum};

    use super::Output;

    #[derive(Default)]
    pub(super) struct Found {
        pub outputs: Vec<Output>,
        /// Each output's scale (its pixels per logical pixel).
        pub scales: Vec<u32>,
    }

    impl Dispatch<wl_registry::WlRegistry, ()> for Found {
        fn event(
            found: &mut Self,
            registry: &wl_registry::WlRegistry,
            event: wl_registry::Event,
            _: &(),
            _: &Connection,
            handle: &QueueHandle<Self>,
        ) {
            if let wl_registry::Event::Global { name, interface, version } = event
                && interface == "wl_output"
            {
                let index = found.outputs.len();
                registry.bind::<wl_output::WlOutput, _, _>(name, version.min(4), handle, index);
                let primary = index == 0;
                found.outputs.push(Output { name: String::new(), primary, x: 0, y: 0, width: 0, height: 0 });
                found.scales.push(1);
            }
        }
    }

    impl Dispatch<wl_output::WlOutput, usize> for Found {
        fn event(
            found: &mut Self,
            _: &wl_output::WlOutput,
            event: wl_output::Event,
            index: &usize,
            _: &Connection,
            _: &QueueHandle<Self>,
        ) {
            let Some(output) = found.outputs.get_mut(*index) else { return };
            match event {
                wl_output::Event::Mode { flags: WEnum::Value(flags), width, height, .. }
                    if flags.contains(wl_output::Mode::Current) =>
                {
                    (output.width, output.height) = (width.max(0) as u32, height.max(0) as u32);
                }
                wl_output::Event::Geometry { x, y, .. } => (output.x, output.y) = (x, y),
                wl_output::Event::Name { name } => output.name = name,
                wl_output::Event::Scale { factor } => {
                    if let Some(scale) = found.scales.get_mut(*index) {
                        *scale = factor.max(1) as u32;
                    }
                }
                _ => {}
            }
        }
    }
}
