//! `[display] rotation`: for a screen mounted sideways on a PC whose output cannot be turned by the
//! system. The whole layout is drawn upright into a picture of the turned shape (1080x1920 on a
//! 1920x1080 output turned by 90), laid out for that shape, and the picture is shown on the output
//! turned by the chosen angle. `corridor snapshot` saves the upright picture: what a viewer sees.

use bevy::camera::RenderTarget;
use bevy::camera::visibility::RenderLayers;
use bevy::prelude::*;
use bevy::render::render_resource::{Extent3d, TextureFormat};
use bevy::window::{PrimaryWindow, WindowResized};

use super::Settings;
use super::layout::UiCamera;

/// The upright picture everything is drawn into, and the turn it is shown at.
#[derive(Resource, Clone, Debug)]
pub struct Rotated {
    pub image: Handle<Image>,
    pub degrees: u16,
}

/// The upright size for an output of `size`.
fn upright(degrees: u16, size: UVec2) -> UVec2 {
    let (w, h) = crate::core::layout::upright(degrees, (size.x, size.y));
    UVec2::new(w, h)
}

/// The turned picture on the output.
#[derive(Component)]
struct TurnedPicture;

/// What only the output's own camera draws: the turned picture.
const OUTPUT_LAYER: usize = 1;

pub(super) fn plugin(app: &mut App) {
    let degrees = app.world().resource::<Settings>().0.display.rotation;
    if degrees == 0 {
        return;
    }
    app.add_systems(
        PostStartup,
        move |commands: Commands,
              windows: Query<&Window, With<PrimaryWindow>>,
              camera: Query<Entity, With<UiCamera>>,
              images: ResMut<Assets<Image>>| { turn(commands, windows, camera, images, degrees) },
    );
    app.add_systems(Update, follow_output.in_set(super::AppSystems::ReadInputs));
}

fn target(size: UVec2) -> Image {
    Image::new_target_texture(size.x.max(1), size.y.max(1), TextureFormat::Rgba8UnormSrgb, None)
}

fn turn(
    mut commands: Commands,
    windows: Query<&Window, With<PrimaryWindow>>,
    camera: Query<Entity, With<UiCamera>>,
    mut images: ResMut<Assets<Image>>,
    degrees: u16,
) {
    let (Ok(window), Ok(camera)) = (windows.single(), camera.single()) else { return };
    let output = UVec2::new(window.physical_width(), window.physical_height());
    let image = images.add(target(upright(degrees, output)));
    commands.entity(camera).insert((RenderTarget::Image(image.clone().into()), IsDefaultUiCamera));
    commands.spawn((
        Camera2d,
        Camera { order: 1, ..default() },
        Msaa::Off,
        RenderLayers::layer(OUTPUT_LAYER),
    ));
    let logical = upright(degrees, output).as_vec2() / window.scale_factor();
    commands.spawn((
        TurnedPicture,
        Sprite { image: image.clone(), custom_size: Some(logical), ..default() },
        Transform::from_rotation(Quat::from_rotation_z(-(degrees as f32).to_radians())),
        RenderLayers::layer(OUTPUT_LAYER),
    ));
    commands.insert_resource(Rotated { image, degrees });
}

/// A new output size: a new upright picture of the turned shape.
fn follow_output(
    mut resized: MessageReader<WindowResized>,
    windows: Query<&Window, With<PrimaryWindow>>,
    rotated: Option<Res<Rotated>>,
    mut images: ResMut<Assets<Image>>,
    mut pictures: Query<&mut Sprite, With<TurnedPicture>>,
) {
    if resized.read().last().is_none() {
        return;
    }
    let (Some(rotated), Ok(window)) = (rotated, windows.single()) else { return };
    let output = UVec2::new(window.physical_width(), window.physical_height());
    let size = upright(rotated.degrees, output).max(UVec2::ONE);
    if let Some(mut image) = images.get_mut(&rotated.image)
        && image.size() != size
    {
        image.resize(Extent3d { width: size.x, height: size.y, depth_or_array_layers: 1 });
    }
    for mut sprite in &mut pictures {
        sprite.custom_size = Some(size.as_vec2() / window.scale_factor());
    }
}
