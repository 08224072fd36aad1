//! The emergency alert: `ALERT.txt` (or `ALERT.md`) at the top of the content folder puts its
//! text full-screen over everything, in the alert colours of corridor.toml, until it is removed;
//! then the show goes on where it was (it never stopped underneath).

use bevy::prelude::*;

use super::Settings;
use super::content::ContentScanned;
use super::fonts::Fonts;
use super::layout::{bevy_colour, centred_cover};

/// The alert cover.
#[derive(Component)]
pub struct AlertCover;

#[derive(Component)]
struct AlertHeading;

#[derive(Component)]
struct AlertBody;

/// Whether an alert is showing.
#[derive(Resource, Default, Debug, Clone, Copy, PartialEq, Eq)]
pub struct AlertShowing(pub bool);

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<AlertShowing>();
    app.add_systems(Startup, spawn_cover);
    app.add_systems(Update, follow_alert.in_set(super::AppSystems::Decide));
}

fn spawn_cover(mut commands: Commands, settings: Res<Settings>, fonts: Res<Fonts>) {
    let text = bevy_colour(settings.0.alert.text);
    commands.spawn((
        Name::new("alert"),
        AlertCover,
        centred_cover(vmin(6.0), vmin(5.0)),
        BackgroundColor(bevy_colour(settings.0.alert.background)),
        GlobalZIndex(i32::MAX),
        Visibility::Hidden,
        children![
            (
                AlertHeading,
                Text::new(""),
                fonts.bold(10.0),
                TextColor(text),
                TextLayout::justify(Justify::Center)
            ),
            (
                AlertBody,
                Text::new(""),
                fonts.regular(6.0),
                TextColor(text),
                TextLayout::justify(Justify::Center)
            ),
        ],
    ));
}

fn follow_alert(
    mut scanned: MessageReader<ContentScanned>,
    mut showing: ResMut<AlertShowing>,
    mut cover: Query<&mut Visibility, With<AlertCover>>,
    mut heading: Query<&mut Text, (With<AlertHeading>, Without<AlertBody>)>,
    mut body: Query<&mut Text, (With<AlertBody>, Without<AlertHeading>)>,
) {
    let Some(scan) = scanned.read().last() else { return };
    let alert = scan.alert.clone();
    if let Some(notice) = &alert {
        for mut t in &mut heading {
            t.0.clone_from(&notice.heading);
        }
        for mut t in &mut body {
            t.0.clone_from(&notice.body);
        }
    }
    let on = alert.is_some();
    if on != showing.0 {
        if on {
            warn!("ALERT showing: {}", alert.as_ref().map(|n| n.heading.as_str()).unwrap_or_default());
        } else {
            info!("the alert has been removed; the show goes on");
        }
        showing.0 = on;
    }
    for mut vis in &mut cover {
        let want = if on { Visibility::Inherited } else { Visibility::Hidden };
        if *vis != want {
            *vis = want;
        }
    }
}
