//! The widget column: the clock and date at the top, then one widget at a time (house points,
//! birthdays, awards, sports, countdowns), each for `[widgets] cycle`, in the order of
//! `[widgets] show`. A widget with nothing to show today is skipped; with none, no box is drawn.
//! A widget is laid out once when it comes up or its data changes, not every frame; house-point
//! bars grow to their new length when the points change.

use std::collections::HashMap;
use std::time::Duration;

use bevy::prelude::*;
use chrono::NaiveDate;

use super::Settings;
use super::clock::{ScreenClock, clock_and_date};
use super::content::ContentScanned;
use super::fonts::Fonts;
use super::layout::{ScreenZones, WidgetColumn, bevy_colour, contrast};
use crate::core::config::WidgetKind;
use crate::core::layout::WidgetsShape;
use crate::core::widgets::{self, WidgetData, birthdays_on, countdown_lines, recent_awards};

/// The smallest text on screen, as a percentage of the screen's shorter side: 2.2 % is 24 px
/// on a 1080p screen, readable from about 3 metres.
pub use crate::core::layout::MIN_TEXT_VMIN;
const TITLE_VMIN: f32 = 3.0;
/// The clock at the top of the widgets, at most.
const CLOCK_VMIN: f32 = 9.0;
const LINE_VMIN: f32 = 2.4;

/// The box the current widget is drawn in.
#[derive(Component)]
pub struct WidgetCard;

/// A house-point bar, growing towards `target` percent.
#[derive(Component)]
struct Bar {
    house: String,
    target: f32,
}

/// What the card should show: a widget and the lines it was built from.
#[derive(Clone, Debug, PartialEq)]
enum Content {
    Houses(Vec<(String, i64, Color, bool)>),
    Lines { title: String, lines: Vec<String> },
}

#[derive(Resource, Default)]
struct Column {
    data: WidgetData,
    current: Option<(WidgetKind, Content)>,
    index: usize,
    shown_for: Duration,
    bar_widths: HashMap<String, f32>,
    /// The data or the day changed since the widgets were last looked at.
    stale: bool,
    day: Option<NaiveDate>,
}

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<Column>();
    app.add_systems(PostStartup, spawn_column);
    app.add_systems(Update, (take_data, cycle, grow_bars).chain().in_set(super::AppSystems::Present));
    app.add_systems(
        Update,
        (shape_card, fit_clock).run_if(resource_changed::<ScreenZones>).in_set(super::AppSystems::Present),
    );
}

/// The clock at the top of the widgets (not the fallback slide's).
#[derive(Component)]
struct ColumnClock;

/// The clock's size: 9 % of the shorter side, or less, so that "00:00" always fits the column
/// (about 3.3 times its font size wide, in the bold face) or the band (half its height).
fn fit_clock(
    zones: Res<ScreenZones>,
    fonts: Res<Fonts>,
    mut clocks: Query<&mut TextFont, With<ColumnClock>>,
) {
    let z = zones.0;
    let Some((zone, shape)) = z.widgets else { return };
    let vmin = z.screen.w.min(z.screen.h) / 100.0;
    let room = match shape {
        WidgetsShape::Column => (zone.w - 4.0 * vmin) / 3.4,
        WidgetsShape::Band => zone.h * 0.5,
    };
    let size = (CLOCK_VMIN * vmin).min(room).max(MIN_TEXT_VMIN * vmin);
    for mut font in &mut clocks {
        *font = fonts.bold_px(size);
    }
}

/// In a column the card fills the width under the clock; in a band it takes what the clock
/// and date beside it leave.
fn shape_card(zones: Res<ScreenZones>, mut cards: Query<&mut Node, With<WidgetCard>>) {
    let band = matches!(zones.0.widgets, Some((_, WidgetsShape::Band)));
    for mut node in &mut cards {
        if band {
            node.width = auto();
            node.flex_grow = 1.0;
            node.max_height = percent(100);
            node.margin = UiRect::ZERO;
        } else {
            node.width = percent(100);
            node.flex_grow = 0.0;
            node.max_height = auto();
            node.margin = UiRect::top(vmin(2.0));
        }
    }
}

fn spawn_column(
    mut commands: Commands,
    column: Query<Entity, With<WidgetColumn>>,
    fonts: Res<Fonts>,
    clock: Res<ScreenClock>,
    settings: Res<Settings>,
) {
    let Ok(column) = column.single() else { return };
    let now = clock.now();
    commands.entity(column).with_children(|c| {
        if settings.0.widgets.show.contains(&WidgetKind::Clock) {
            let (time, date) = clock_and_date(&now, &fonts, CLOCK_VMIN, 3.0);
            c.spawn((time, ColumnClock));
            c.spawn(date);
        }
        c.spawn((
            Name::new("widget card"),
            WidgetCard,
            Node {
                width: percent(100),
                flex_direction: FlexDirection::Column,
                padding: UiRect::all(vmin(1.5)),
                row_gap: vmin(1.0),
                margin: UiRect::top(vmin(2.0)),
                overflow: Overflow::clip(),
                ..default()
            },
            BackgroundColor(CARD),
            Visibility::Hidden,
        ));
    });
}

const CARD: Color = Color::srgb(0.2, 0.25, 0.31);

fn take_data(mut scanned: MessageReader<ContentScanned>, mut column: ResMut<Column>) {
    if let Some(scan) = scanned.read().last() {
        column.stale = true;
        let w = &scan.widgets;
        let c = &mut column.data;
        // A file that could not be read keeps its last good data.
        if w.house_points.is_some() {
            c.house_points.clone_from(&w.house_points);
        }
        if w.birthdays.is_some() {
            c.birthdays.clone_from(&w.birthdays);
        }
        if w.awards.is_some() {
            c.awards.clone_from(&w.awards);
        }
        if w.sports.is_some() {
            c.sports.clone_from(&w.sports);
        }
        if w.countdowns.is_some() {
            c.countdowns.clone_from(&w.countdowns);
        }
    }
}

/// What widget `kind` shows on `today`; None when it has nothing.
fn content_of(kind: WidgetKind, data: &WidgetData, today: NaiveDate, settings: &Settings) -> Option<Content> {
    let w = &settings.0.widgets;
    let lines = |title: &str, lines: Vec<String>| {
        (!lines.is_empty()).then(|| Content::Lines { title: title.into(), lines })
    };
    match kind {
        WidgetKind::Clock => None,
        WidgetKind::HousePoints => {
            let hp = data.house_points.as_ref()?;
            let ranked: Vec<_> = hp
                .ranked()
                .into_iter()
                .map(|(h, leads)| (h.name, h.points, bevy_colour(h.colour), leads))
                .collect();
            (!ranked.is_empty()).then_some(Content::Houses(ranked))
        }
        WidgetKind::Birthdays => {
            let list = birthdays_on(data.birthdays.as_deref().unwrap_or(&[]), today, w.birthday_weekend);
            let shown = list
                .into_iter()
                .map(|b| match (&b.class, w.birthday_class) {
                    (Some(c), true) => format!("{} ({c})", b.first_name),
                    _ => b.first_name,
                })
                .collect();
            lines("Happy birthday!", shown)
        }
        WidgetKind::Awards => {
            let shown = recent_awards(data.awards.as_deref().unwrap_or(&[]), today, 3)
                .into_iter()
                .map(|a| match &a.class {
                    Some(c) => widgets::fit_text(&format!("{} ({c}): {}", a.first_name, a.award), 60),
                    None => widgets::fit_text(&format!("{}: {}", a.first_name, a.award), 60),
                })
                .collect();
            lines("Awards", shown)
        }
        WidgetKind::Sports => {
            let s = data.sports.as_ref()?.on(today);
            let mut shown: Vec<String> =
                s.results.iter().map(|r| format!("{} {} {}", r.team, r.score, r.opponent)).collect();
            shown.extend(s.fixtures.iter().map(|f| {
                let place = f.place.as_ref().map(|p| format!(" ({p})")).unwrap_or_default();
                format!("{}: {} v {}{place}", f.date.format("%a %-d %b"), f.team, f.opponent)
            }));
            shown.extend(s.news.iter().map(|n| n.text.clone()));
            lines("Sports", shown)
        }
        WidgetKind::Countdowns => {
            lines("Coming up", countdown_lines(data.countdowns.as_deref().unwrap_or(&[]), today))
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn cycle(
    mut commands: Commands,
    mut column: ResMut<Column>,
    settings: Res<Settings>,
    clock: Res<ScreenClock>,
    time: Res<Time>,
    fonts: Res<Fonts>,
    zones: Res<ScreenZones>,
    mut card: Query<(Entity, &mut Visibility), With<WidgetCard>>,
) {
    let Ok((card, mut vis)) = card.single_mut() else { return };
    if zones.is_changed() {
        // A new shape: build the card again for it.
        column.current = None;
        column.stale = true;
    }
    let today = clock.now().date_naive();
    let kinds: Vec<WidgetKind> =
        settings.0.widgets.show.iter().copied().filter(|k| *k != WidgetKind::Clock).collect();
    if kinds.is_empty() {
        return;
    }
    column.shown_for += time.delta();
    if column.day != Some(today) {
        column.day = Some(today);
        column.stale = true;
    }
    // Look at the widgets only when one's time is up or their data or the day changed,
    // not every frame.
    let due = column.shown_for >= settings.0.widgets.cycle;
    if !due && !std::mem::take(&mut column.stale) {
        return;
    }
    // Which widget to show: the current one while its time runs, else the next with content.
    let start = if due && column.current.is_some() { column.index + 1 } else { column.index };
    let chosen = (0..kinds.len())
        .map(|step| (start + step) % kinds.len())
        .find_map(|i| content_of(kinds[i], &column.data, today, &settings).map(|c| (i, kinds[i], c)));
    if due {
        column.shown_for = Duration::ZERO;
    }
    let Some((i, kind, content)) = chosen else {
        if column.current.take().is_some() || *vis != Visibility::Hidden {
            commands.entity(card).despawn_related::<Children>();
            *vis = Visibility::Hidden;
        }
        return;
    };
    column.index = i;
    if column.current.as_ref() == Some(&(kind, content.clone())) {
        return;
    }
    commands.entity(card).despawn_related::<Children>();
    let band = matches!(zones.0.widgets, Some((_, WidgetsShape::Band)));
    build(&mut commands, card, &content, (&fonts, band), &column.bar_widths);
    column.current = Some((kind, content));
    *vis = Visibility::Inherited;
}

fn line_text(text: String, fonts: &Fonts, size: f32) -> impl Bundle {
    (
        Text::new(text),
        fonts.regular(size.max(MIN_TEXT_VMIN)),
        TextColor(Color::WHITE),
        TextLayout::justify(Justify::Left),
    )
}

/// Builds the card for `content`; in a band (`band`), each house's name stands beside its bar
/// rather than above it, so that four houses fit the band's height.
fn build(
    commands: &mut Commands,
    card: Entity,
    content: &Content,
    (fonts, band): (&Fonts, bool),
    widths: &HashMap<String, f32>,
) {
    match content {
        Content::Lines { title, lines } => {
            commands.entity(card).with_children(|c| {
                c.spawn((
                    Text::new(title.clone()),
                    fonts.bold(TITLE_VMIN),
                    TextColor(Color::srgb(1.0, 0.86, 0.35)),
                ));
                for l in lines {
                    c.spawn(line_text(l.clone(), fonts, LINE_VMIN));
                }
            });
        }
        Content::Houses(houses) => {
            let max = houses.iter().map(|h| h.1).max().unwrap_or(0).max(1) as f32;
            commands.entity(card).with_children(|c| {
                c.spawn((
                    Text::new("House points"),
                    fonts.bold(TITLE_VMIN),
                    TextColor(Color::srgb(1.0, 0.86, 0.35)),
                ));
                for house in houses {
                    let target = (house.1 as f32 / max * 100.0).clamp(2.0, 100.0);
                    let start = widths.get(&house.0).copied().unwrap_or(target);
                    house_line(c, house, (fonts, band), (start, target));
                }
            });
        }
    }
}

/// One house: its name, and its bar growing from `start` to `target` per cent. In a column the
/// name stands above the bar; in a band beside it.
fn house_line(
    c: &mut ChildSpawnerCommands,
    (name, points, colour, leads): &(String, i64, Color, bool),
    (fonts, band): (&Fonts, bool),
    (start, target): (f32, f32),
) {
    let label = if *leads { format!("★ {name}") } else { name.clone() };
    let line = Node {
        width: percent(100),
        flex_direction: if band { FlexDirection::Row } else { FlexDirection::Column },
        align_items: if band { AlignItems::Center } else { AlignItems::Stretch },
        column_gap: vmin(1.0),
        row_gap: vmin(1.0),
        ..default()
    };
    let name_box = if band {
        Node { width: percent(35), flex_shrink: 0.0, overflow: Overflow::clip(), ..default() }
    } else {
        Node::default()
    };
    let bar = Node {
        width: percent(start),
        height: percent(100),
        align_items: AlignItems::Center,
        padding: UiRect::left(vmin(0.6)),
        ..default()
    };
    let figure = (
        Text::new(points.to_string()),
        fonts.bold(LINE_VMIN),
        TextColor(contrast(*colour)),
        TextLayout::no_wrap(),
    );
    c.spawn(line).with_children(|line| {
        line.spawn(name_box).with_child(line_text(label, fonts, LINE_VMIN));
        line.spawn(Node { flex_grow: 1.0, width: percent(100), height: vmin(3.2), ..default() })
            .with_children(|row| {
                row.spawn((Bar { house: name.clone(), target }, bar, BackgroundColor(*colour)))
                    .with_child(figure);
            });
    });
}

/// Bars move to their new length over about a second.
fn grow_bars(time: Res<Time>, mut column: ResMut<Column>, mut bars: Query<(&Bar, &mut Node)>) {
    let k = 1.0 - (-time.delta_secs() * 4.0).exp();
    for (bar, mut node) in &mut bars {
        let Val::Percent(w) = node.width else { continue };
        if (w - bar.target).abs() < 0.05 {
            if w != bar.target {
                node.width = percent(bar.target);
            }
        } else {
            node.width = percent(w + (bar.target - w) * k);
        }
        column.bar_widths.insert(bar.house.clone(), bar.target);
    }
}
