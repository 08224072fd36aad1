//! The screen's layout: the stage for slides, a strip along the bottom kept for the ticker, and a
//! column on the right for widgets (both switched in `[layout]`). Also works out the stage's size
//! in pixels, which is the size pictures are decoded to.

use bevy::prelude::*;
use bevy::window::PrimaryWindow;

use super::Settings;
use crate::core::colour::Rgb;

/// The node slides are placed in.
#[derive(Component)]
pub struct StageArea;

/// The widget column on the right.
#[derive(Component)]
pub struct WidgetColumn;

/// The strip along the bottom, kept for the ticker.
#[derive(Component)]
pub struct TickerStrip;

/// The row above the ticker strip: the stage and the widget column.
#[derive(Component)]
struct MainRow;

/// Whether the ticker strip is on screen. The ticker hides it when it has nothing to show; the
/// stage then takes its place.
#[derive(Resource, Clone, Copy, Debug, PartialEq, Eq)]
pub struct StripShown(pub bool);

/// The stage's size in physical pixels: what a picture needs to be decoded to, and no more.
#[derive(Resource, Clone, Copy, Debug, PartialEq, Eq)]
pub struct StageSize(pub UVec2);

pub fn bevy_colour(c: Rgb) -> Color {
    Color::srgb_u8(c.r, c.g, c.b)
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
    let shown = app.world().resource::<Settings>().0.layout.ticker;
    app.insert_resource(StripShown(shown));
    app.add_systems(Startup, spawn_layout);
    app.add_systems(Update, track_stage_size.in_set(super::AppSystems::ReadInputs));
    app.add_systems(PostUpdate, show_or_hide_strip.before(bevy::ui::UiSystems::Layout));
}

/// The fractions of the screen the stage takes: (width, height).
pub fn stage_fraction(settings: &Settings, strip: StripShown) -> (f32, f32) {
    let l = &settings.0.layout;
    let w = if l.widgets { 1.0 - l.widgets_width } else { 1.0 };
    let h = if l.ticker && strip.0 { 1.0 - l.ticker_height } else { 1.0 };
    (w, h)
}

fn spawn_layout(mut commands: Commands, settings: Res<Settings>, strip_shown: Res<StripShown>) {
    let cfg = &settings.0;
    let (fw, fh) = stage_fraction(&settings, *strip_shown);
    commands.spawn(Camera2d);
    let bg = bevy_colour(cfg.display.background);
    let panel = panel_colour(cfg.display.background);
    commands
        .spawn((
            Name::new("screen"),
            Node {
                width: percent(100),
                height: percent(100),
                flex_direction: FlexDirection::Column,
                ..default()
            },
            BackgroundColor(bg),
        ))
        .with_children(|root| {
            root.spawn((
                MainRow,
                Node {
                    width: percent(100),
                    height: percent(fh * 100.0),
                    flex_direction: FlexDirection::Row,
                    ..default()
                },
            ))
            .with_children(|row| {
                row.spawn((
                    Name::new("stage"),
                    StageArea,
                    Node {
                        width: percent(fw * 100.0),
                        height: percent(100),
                        overflow: Overflow::clip(),
                        ..default()
                    },
                ));
                if cfg.layout.widgets {
                    row.spawn((
                        Name::new("widgets"),
                        WidgetColumn,
                        Node {
                            width: percent((1.0 - fw) * 100.0),
                            height: percent(100),
                            flex_direction: FlexDirection::Column,
                            align_items: AlignItems::Center,
                            padding: UiRect::all(vh(2.0)),
                            row_gap: vh(1.5),
                            ..default()
                        },
                        BackgroundColor(panel),
                    ));
                }
            });
            if cfg.layout.ticker {
                root.spawn((
                    Name::new("ticker"),
                    TickerStrip,
                    Node {
                        width: percent(100),
                        height: percent(cfg.layout.ticker_height * 100.0),
                        display: if strip_shown.0 { Display::Flex } else { Display::None },
                        overflow: Overflow::clip(),
                        ..default()
                    },
                    BackgroundColor(panel),
                ));
            }
        });
}

fn show_or_hide_strip(
    shown: Res<StripShown>,
    settings: Res<Settings>,
    mut strip: Query<&mut Node, (With<TickerStrip>, Without<MainRow>)>,
    mut row: Query<&mut Node, (With<MainRow>, Without<TickerStrip>)>,
) {
    if !shown.is_changed() {
        return;
    }
    let (_, fh) = stage_fraction(&settings, *shown);
    for mut node in &mut strip {
        node.display = if shown.0 { Display::Flex } else { Display::None };
    }
    for mut node in &mut row {
        node.height = percent(fh * 100.0);
    }
}

fn track_stage_size(
    windows: Query<&Window, With<PrimaryWindow>>,
    settings: Res<Settings>,
    strip: Res<StripShown>,
    mut size: ResMut<StageSize>,
) {
    let Ok(window) = windows.single() else { return };
    let (fw, fh) = stage_fraction(&settings, *strip);
    let new = UVec2::new(
        ((window.physical_width() as f32 * fw).round() as u32).max(1),
        ((window.physical_height() as f32 * fh).round() as u32).max(1),
    );
    if size.0 != new {
        size.0 = new;
    }
}
