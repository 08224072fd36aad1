//! `[branding]`: the school's name and logo in the header strip, its accent colour on the clock.
//! The logo is read on a thread of its own; until it arrives (or if it cannot be shown) the
//! header shows the name alone. Without `[branding]` nothing here runs.

use std::sync::Mutex;
use std::sync::mpsc::{Receiver, TryRecvError, channel};

use bevy::prelude::*;

use super::clock::ClockText;
use super::fit::{BaseSize, FitTexts};
use super::fonts::Fonts;
use super::layout::{HeaderStrip, bevy_colour, contrast, zone_colours};
use super::stage::frame_image;
use super::{AppSystems, Settings};
use crate::core::media::Frame;
use crate::core::media::logo::{LogoError, load_logo};

/// The school's name, at most (per cent of the shorter side).
const NAME_VMIN: f32 = 4.0;

/// The logo is drawn at most this large; the GPU scales it to the header's height.
const LOGO_BOX: (u32, u32) = (1200, 240);

/// The logo on its way from the reading thread (`corridor snapshot` waits for it).
#[derive(Resource)]
pub(super) struct LogoComing(Mutex<Receiver<Result<Frame, LogoError>>>);

/// The logo's place in the header.
#[derive(Component)]
struct Logo;

pub(super) fn plugin(app: &mut App) {
    let branding = app.world().resource::<Settings>().0.branding.clone();
    if let Some(path) = branding.logo.clone() {
        let (send, receive) = channel();
        let spawned = std::thread::Builder::new().name("corridor logo".into()).spawn(move || {
            crate::core::threads::lower_priority();
            let _ = send.send(load_logo(&path, LOGO_BOX));
        });
        match spawned {
            Ok(_) => {
                app.insert_resource(LogoComing(Mutex::new(receive)));
                app.add_systems(
                    Update,
                    take_logo.run_if(resource_exists::<LogoComing>).in_set(AppSystems::ReadInputs),
                );
            }
            Err(e) => warn!("cannot start reading the logo: {e}"),
        }
    }
    if branding.header_shown() {
        app.add_systems(PostStartup, fill_header);
    }
    if branding.accent.is_some() {
        app.add_systems(Update, accent_clocks.in_set(AppSystems::Present));
    }
}

fn fill_header(
    mut commands: Commands,
    header: Query<Entity, With<HeaderStrip>>,
    settings: Res<Settings>,
    fonts: Res<Fonts>,
) {
    let Ok(header) = header.single() else { return };
    let (colour, ..) = zone_colours(&settings.0);
    commands.entity(header).insert(FitTexts::default()).with_children(|h| {
        let logo = Node { height: percent(80), display: Display::None, ..default() };
        h.spawn((Name::new("logo"), Logo, logo, ImageNode::default()));
        if let Some(name) = &settings.0.branding.name {
            // A long name wraps, and is made smaller until it fits the strip.
            let size = BaseSize { vmin: NAME_VMIN, bold: true };
            let text = TextLayout::justify(Justify::Center);
            h.spawn((
                Text::new(name.clone()),
                fonts.bold(NAME_VMIN),
                size,
                text,
                TextColor(contrast(colour)),
            ));
        }
    });
}

fn take_logo(
    mut commands: Commands,
    coming: Res<LogoComing>,
    mut images: ResMut<Assets<Image>>,
    mut logos: Query<(&mut ImageNode, &mut Node), With<Logo>>,
) {
    let result = match coming.0.lock().map(|r| r.try_recv()) {
        Ok(Err(TryRecvError::Empty)) => return,
        Ok(Ok(result)) => result,
        Ok(Err(TryRecvError::Disconnected)) | Err(_) => Err(LogoError::Svg("the logo reader stopped".into())),
    };
    commands.remove_resource::<LogoComing>();
    match result {
        Ok(frame) => {
            let aspect = frame.width as f32 / frame.height.max(1) as f32;
            let handle = images.add(frame_image(frame));
            for (mut image, mut node) in &mut logos {
                image.image = handle.clone();
                node.aspect_ratio = Some(aspect);
                node.display = Display::Flex;
            }
        }
        Err(e) => warn!("the logo cannot be shown: {e}; the header shows the school's name"),
    }
}

fn accent_clocks(settings: Res<Settings>, mut clocks: Query<&mut TextColor, Added<ClockText>>) {
    let Some(accent) = settings.0.branding.accent else { return };
    for mut colour in &mut clocks {
        colour.0 = bevy_colour(accent);
    }
}
