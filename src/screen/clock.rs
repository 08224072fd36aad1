//! The clock and date, in the screen's time zone: in the widget column and on the fallback slide.

use bevy::prelude::*;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use super::fonts::Fonts;

/// The screen's idea of "now": the wall clock, or a fixed moment for `snapshot --at`.
#[derive(Resource, Clone, Debug)]
pub enum ScreenClock {
    Live(Tz),
    Fixed(DateTime<Tz>),
}

impl ScreenClock {
    pub fn live(tz: Tz) -> Self {
        Self::Live(tz)
    }

    pub fn fixed(at: DateTime<Tz>) -> Self {
        Self::Fixed(at)
    }

    pub fn now(&self) -> DateTime<Tz> {
        match self {
            Self::Live(tz) => Utc::now().with_timezone(tz),
            Self::Fixed(at) => *at,
        }
    }
}

/// Text that shows the time, "08:45".
#[derive(Component)]
pub struct ClockText;

/// Text that shows the date, "Wednesday 25 November".
#[derive(Component)]
pub struct DateText;

pub fn clock_string(now: &DateTime<Tz>) -> String {
    now.format("%H:%M").to_string()
}

pub fn date_string(now: &DateTime<Tz>) -> String {
    now.format("%A %-d %B").to_string()
}

pub(super) fn plugin(app: &mut App) {
    app.add_systems(Update, update_clocks.in_set(super::AppSystems::Present));
}

/// Rewrites a clock's text only when the minute (or the day) changes, so text is laid out once
/// a minute, not every frame.
/// A clock text ("08:45") at `clock_vh` and a date text below it at `date_vh`; both keep up
/// with the screen's clock by themselves.
pub fn clock_and_date(
    now: &DateTime<Tz>,
    fonts: &Fonts,
    clock_vh: f32,
    date_vh: f32,
) -> (impl Bundle, impl Bundle) {
    (
        (ClockText, Text::new(clock_string(now)), fonts.bold(clock_vh), TextColor(Color::WHITE)),
        (
            DateText,
            Text::new(date_string(now)),
            fonts.regular(date_vh),
            TextColor(Color::srgba(1.0, 1.0, 1.0, 0.85)),
            TextLayout::justify(Justify::Center),
        ),
    )
}

fn update_clocks(
    clock: Res<ScreenClock>,
    mut last_minute: Local<Option<i64>>,
    mut times: Query<&mut Text, (With<ClockText>, Without<DateText>)>,
    mut dates: Query<&mut Text, (With<DateText>, Without<ClockText>)>,
) {
    let now = clock.now();
    // Format only when the minute changes, not every frame (clocks are spawned showing the time).
    let minute = now.timestamp().div_euclid(60);
    if *last_minute == Some(minute) {
        return;
    }
    *last_minute = Some(minute);
    let t = clock_string(&now);
    for mut text in &mut times {
        if text.0 != t {
            text.0.clone_from(&t);
        }
    }
    let d = date_string(&now);
    for mut text in &mut dates {
        if text.0 != d {
            text.0.clone_from(&d);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn formats() {
        let at = chrono_tz::Europe::London.with_ymd_and_hms(2027, 3, 28, 8, 5, 0).unwrap();
        assert_eq!(clock_string(&at), "08:05");
        assert_eq!(date_string(&at), "Sunday 28 March");
    }
}
