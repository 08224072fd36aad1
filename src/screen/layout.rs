//! The screen's layout: the stage for slides, the widgets (a column or a band) and the strip
//! along the bottom kept for the ticker, each placed where [`crate::core::layout::zones`] says for
//! the window's real size, and placed again when that size changes. Also works out the stage's
//! size in pixels, which is the size pictures are decoded to.

use bevy::prelude::*;
use bevy::window::PrimaryWindow;

use super::Settings;
use crate::core::colour::Rgb;
use crate::core::config::Config;
use crate::core::layout::{self, Strips, Zones};

/// The node slides are placed in.
#[derive(Component)]
pub struct StageArea;

/// The widgets' zone: a column beside the stage or a band above the ticker.
#[derive(Component)]
pub struct WidgetColumn;

/// The strip along the bottom, kept for the ticker.
#[derive(Component)]
pub struct TickerStrip;

/// The camera that draws the layout (into the window, or into the upright picture when the
/// screen is turned, `[display] rotation`).
#[derive(Component)]
pub struct UiCamera;

/// The strip along the top with the school's name and logo (`[branding]`).
#[derive(Component)]
pub struct HeaderStrip;

/// Whether the ticker strip is on screen. The ticker hides it when it has nothing to show; the
/// stage then takes its place.
#[derive(Resource, Clone, Copy, Debug, PartialEq, Eq)]
pub struct StripShown(pub bool);

/// The stage's size in physical pixels: what a picture needs to be decoded to, and no more.
#[derive(Resource, Clone, Copy, Debug, PartialEq, Eq)]
pub struct StageSize(pub UVec2);

/// Where every zone is now, in logical pixels of the window (for a headless app, of a 1280x720
/// screen). Other plugins read it to arrange what they put in a zone.
#[derive(Resource, Clone, Copy, Debug, PartialEq)]
pub struct ScreenZones(pub Zones);

pub fn bevy_colour(c: Rgb) -> Color {
    Color::srgb_u8(c.r, c.g, c.b)
}

/// Black or white, whichever reads better on `c`.
pub fn contrast(c: Color) -> Color {
    let s = c.to_srgba();
    if 0.2126 * s.red + 0.7152 * s.green + 0.0722 * s.blue > 0.55 { Color::BLACK } else { Color::WHITE }
}

/// A colour a little lighter (or darker, for light colours) than `c`, for panels.
pub fn panel_colour(c: Rgb) -> Color {
    let lum = 0.2126 * c.r as f32 + 0.7152 * c.g as f32 + 0.0722 * c.b as f32;
    let shift = |v: u8| {
        if lum < 128.0 { v.saturating_add(22) } else { v.saturating_sub(22) }
    };
    Color::srgb_u8(shift(c.r), shift(c.g), shift(c.b))
}

/// A node that covers its parent, its children stacked and centred: slides, the fallback
/// slide and the alert are all built on it.
pub fn centred_cover(padding: Val, row_gap: Val) -> Node {
    Node {
        position_type: PositionType::Absolute,
        left: px(0),
        top: px(0),
        width: percent(100),
        height: percent(100),
        flex_direction: FlexDirection::Column,
        justify_content: JustifyContent::Center,
        align_items: AlignItems::Center,
        padding: UiRect::all(padding),
        row_gap,
        ..default()
    }
}

pub(super) fn plugin(app: &mut App) {
    app.insert_resource(StageSize(UVec2::new(1280, 720)));
    let config = app.world().resource::<Settings>().0.clone();
    app.insert_resource(StripShown(config.layout.ticker));
    let strips = strips(&config, StripShown(config.layout.ticker));
    app.insert_resource(ScreenZones(layout::zones(1280.0, 720.0, &config.layout, strips)));
    app.add_systems(Startup, spawn_layout);
    app.add_systems(Update, (follow_window, track_stage_size).chain().in_set(super::AppSystems::ReadInputs));
    app.add_systems(PostUpdate, place_zones.before(bevy::ui::UiSystems::Layout));
}

/// The size the layout is drawn at, in logical pixels: the window's, or for a turned screen the
/// upright picture's (`[display] rotation`). None without a window (headless).
fn window_size(windows: &Query<&Window, With<PrimaryWindow>>, rotation: u16) -> Option<Vec2> {
    let window = windows.single().ok()?;
    let size = if rotation == 0 {
        Vec2::new(window.width(), window.height())
    } else {
        // Drawn into a picture, which has no scale factor: its pixels are the layout's.
        let (w, h) = layout::upright(rotation, (window.physical_width(), window.physical_height()));
        Vec2::new(w as f32, h as f32)
    };
    Some(size).filter(|s| s.x >= 1.0 && s.y >= 1.0)
}

fn strips(config: &Config, ticker: StripShown) -> Strips {
    Strips { ticker: ticker.0, header: config.branding.header_shown() }
}

/// The colours of the header, the widgets' panel and the ticker strip: `[branding]`'s, or
/// shades of the background.
pub fn zone_colours(config: &Config) -> (Color, Color, Color) {
    let b = &config.branding;
    let panel = b.panel.map_or_else(|| panel_colour(config.display.background), bevy_colour);
    let header = b.header.map_or(panel, bevy_colour);
    let ticker = b.ticker.map_or(panel, bevy_colour);
    (header, panel, ticker)
}

/// Works the zones out again when the window's size or the strip changes.
fn follow_window(
    windows: Query<&Window, With<PrimaryWindow>>,
    settings: Res<Settings>,
    strip: Res<StripShown>,
    mut zones: ResMut<ScreenZones>,
) {
    let rotation = settings.0.display.rotation;
    let size = window_size(&windows, rotation).unwrap_or(Vec2::new(zones.0.screen.w, zones.0.screen.h));
    let new = layout::zones(size.x, size.y, &settings.0.layout, strips(&settings.0, *strip));
    if zones.0 != new {
        zones.0 = new;
    }
}

fn spawn_layout(mut commands: Commands, settings: Res<Settings>) {
    let cfg = &settings.0;
    // No multisampling: slides, text and strips are axis-aligned pictures with their own smooth
    // edges, and 4x samples (Bevy's default) would hold a 4x colour and depth picture of the
    // whole screen (about 66 MB at 1920x1080) and four times the fill work for nothing.
    commands.spawn((Camera2d, UiCamera, Msaa::Off));
    let (header, panel, ticker) = zone_colours(cfg);
    let zone = || Node { position_type: PositionType::Absolute, overflow: Overflow::clip(), ..default() };
    commands
        .spawn((
            Name::new("screen"),
            Node { width: percent(100), height: percent(100), ..default() },
            BackgroundColor(bevy_colour(cfg.display.background)),
        ))
        .with_children(|root| {
            if cfg.branding.header_shown() {
                let node = Node {
                    align_items: AlignItems::Center,
                    justify_content: JustifyContent::Center,
                    column_gap: vmin(2.0),
                    padding: UiRect::axes(vmin(2.0), vmin(1.0)),
                    ..zone()
                };
                root.spawn((Name::new("header"), HeaderStrip, node, BackgroundColor(header)));
            }
            root.spawn((Name::new("stage"), StageArea, zone()));
            if cfg.layout.widgets {
                let node =
                    Node { align_items: AlignItems::Center, padding: UiRect::all(vmin(2.0)), ..zone() };
                root.spawn((Name::new("widgets"), WidgetColumn, node, BackgroundColor(panel)));
            }
            if cfg.layout.ticker {
                root.spawn((Name::new("ticker"), TickerStrip, zone(), BackgroundColor(ticker)));
            }
        });
}

/// `rect` as a node's place, in per cent of the screen `of`.
fn place(node: &mut Node, rect: layout::Rect, of: layout::Rect) {
    node.left = percent(rect.x / of.w * 100.0);
    node.top = percent(rect.y / of.h * 100.0);
    node.width = percent(rect.w / of.w * 100.0);
    node.height = percent(rect.h / of.h * 100.0);
}

/// `rect` for a strip's node, or no display when the strip is off.
fn place_strip(node: &mut Node, rect: Option<layout::Rect>, of: layout::Rect) {
    match rect {
        Some(rect) => {
            place(node, rect, of);
            node.display = Display::Flex;
        }
        None => node.display = Display::None,
    }
}

/// Each zone's node, told apart by their markers: stage, widgets, ticker, header.
#[allow(clippy::type_complexity)]
fn place_zones(
    zones: Res<ScreenZones>,
    mut nodes: ParamSet<(
        Query<&mut Node, With<StageArea>>,
        Query<&mut Node, With<WidgetColumn>>,
        Query<&mut Node, With<TickerStrip>>,
        Query<&mut Node, With<HeaderStrip>>,
    )>,
) {
    if !zones.is_changed() {
        return;
    }
    let z = zones.0;
    for mut node in &mut nodes.p3() {
        place_strip(&mut node, z.header, z.screen);
    }
    for mut node in &mut nodes.p2() {
        place_strip(&mut node, z.ticker, z.screen);
    }
    for mut node in &mut nodes.p0() {
        place(&mut node, z.stage, z.screen);
    }
    for mut node in &mut nodes.p1() {
        place_widgets(&mut node, z.widgets, z.screen);
    }
}

fn place_widgets(node: &mut Node, widgets: Option<(layout::Rect, layout::WidgetsShape)>, of: layout::Rect) {
    place_strip(node, widgets.map(|(r, _)| r), of);
    if let Some((_, shape)) = widgets {
        node.flex_direction = match shape {
            layout::WidgetsShape::Column => FlexDirection::Column,
            layout::WidgetsShape::Band => FlexDirection::Row,
        };
        node.row_gap = vmin(1.5);
        node.column_gap = vmin(2.5);
    }
}

fn track_stage_size(
    windows: Query<&Window, With<PrimaryWindow>>,
    settings: Res<Settings>,
    zones: Res<ScreenZones>,
    mut size: ResMut<StageSize>,
) {
    let Ok(window) = windows.single() else { return };
    let scale = if settings.0.display.rotation == 0 { window.scale_factor() } else { 1.0 };
    let stage = zones.0.stage;
    let new =
        UVec2::new(((stage.w * scale).round() as u32).max(1), ((stage.h * scale).round() as u32).max(1));
    if size.0 != new {
        size.0 = new;
    }
}
