//! The stage: runs the core's [`Show`] and turns its decisions into slide entities. Slides are
//! loaded on the media loader's own threads (pictures apart from films) at the stage's size; a slide is put on screen only once the next
//! one is fully decoded and uploaded, so there is never a black or half-loaded frame. At most two
//! slides are held: the one on screen and the next.

use std::sync::Arc;
use std::time::Duration;

use bevy::asset::RenderAssetUsages;
use bevy::prelude::*;
use bevy::render::render_resource::{Extent3d, TextureDimension, TextureFormat};
use chrono::{DateTime, Datelike};
use chrono_tz::Tz;

use super::clock::{ScreenClock, clock_and_date};
use super::fit::{BaseSize, FitTexts};
use super::fonts::Fonts;
use super::layout::{StageArea, StageSize, bevy_colour, centred_cover};
use super::programme::ProgrammeChanged;
use super::showing::StageState;
use super::subtitles::{SUBTITLE_VMIN, SubtitleBand, SubtitleText};
use super::video::{VideoEnded, VideoMaterial, VideoPlayback, video_picture};
use super::{AppSystems, Settings};
use std::path::PathBuf;

use crate::core::config::{Fit, Transition};
use crate::core::content::{Item, Playlist};
use crate::core::media::loader::{Job, Loader};
use crate::core::media::{Animation, Frame, Limits, Notice, PlayOptions, Slide, VideoSlide};
use crate::core::problems::Problem;
use crate::core::show::{Change, RequestId, Show, due_at};
use crate::core::source::MediaKind;
use crate::core::subtitles::Cue;

/// A slide went on screen.
#[derive(Message, Clone, Debug)]
pub struct SlideShown {
    pub playlist: String,
    /// The file, relative to the content folder.
    pub file: PathBuf,
    pub at: DateTime<Tz>,
    /// The slide the show will prepare next, if known.
    pub next: Option<PathBuf>,
}

/// A slide could not be shown and was skipped.
#[derive(Message, Clone, Debug)]
pub struct SlideFailed(pub Problem);

/// Start the show at the slide due at this moment (for `snapshot --at`) instead of the first.
#[derive(Resource, Clone, Copy, Debug)]
pub struct StartAt(pub DateTime<Tz>);

/// Slides being loaded on the loader's threads, with the items they are for.
#[derive(Resource)]
struct Decoding {
    loader: Option<Loader<RequestId>>,
    items: Vec<(RequestId, Item)>,
}

impl Default for Decoding {
    fn default() -> Self {
        let loader = Loader::start();
        if let Err(e) = &loader {
            error!("cannot start the threads that load slides: {e}");
        }
        Self { loader: loader.ok(), items: Vec::new() }
    }
}

/// Which slide entities are on screen.
#[derive(Resource, Default)]
struct OnStage {
    current: Option<Entity>,
    outgoing: Option<Entity>,
    z: i32,
}

/// The root entity of a prepared slide.
#[derive(Component)]
pub struct SlideRoot {
    pub id: RequestId,
}

/// A coloured part of a slide, faded with it: which colour of the entity, and its full opacity.
#[derive(Component)]
pub(super) struct SlidePart {
    root: Entity,
    what: Part,
    base_alpha: f32,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Part {
    Image,
    Background,
    Text,
}

impl SlidePart {
    pub(super) fn new(root: Entity, what: Part, base_alpha: f32) -> Self {
        Self { root, what, base_alpha }
    }
}

/// The calm slide shown when there is nothing else: screen name, clock and date.
#[derive(Component)]
pub struct FallbackSlide;

pub(super) fn plugin(app: &mut App) {
    app.add_message::<SlideShown>();
    app.add_message::<SlideFailed>();
    app.init_resource::<StageState>();
    app.init_resource::<Decoding>();
    app.init_resource::<OnStage>();
    app.add_systems(PostStartup, spawn_fallback);
    app.add_systems(
        Update,
        (
            start_show,
            end_films,
            request_decodes,
            finish_decodes,
            advance,
            apply_fade,
            show_fallback_when_empty,
        )
            .chain()
            .in_set(AppSystems::Stage),
    );
    app.add_systems(Update, refit_pictures.run_if(resource_changed::<StageSize>).in_set(AppSystems::Stage));
}

/// A picture's width over its height, and how it fits, to fit it again when the stage changes
/// size (the ticker strip hides or shows).
#[derive(Component)]
pub(super) struct PictureAspect(f32, Fit);

fn refit_pictures(stage: Res<StageSize>, mut pictures: Query<(&PictureAspect, &mut Node)>) {
    for (aspect, mut node) in &mut pictures {
        let (w, h) = fit_percent(aspect.0, stage.0, aspect.1);
        node.width = percent(w);
        node.height = percent(h);
    }
}

/// A shuffle seed that is the same all day, so a snapshot and the player agree.
fn day_seed(now: &DateTime<Tz>) -> u64 {
    now.num_days_from_ce() as u64
}

/// A film that failed or stalled ends its slide early: the show moves on.
fn end_films(mut ended: MessageReader<VideoEnded>, mut state: ResMut<StageState>) {
    let Some(show) = state.show.as_mut() else { return };
    for film in ended.read() {
        if show.current_id() == Some(film.slide) {
            show.end_current();
        }
    }
}

fn start_show(
    mut changes: MessageReader<ProgrammeChanged>,
    mut state: ResMut<StageState>,
    start_at: Option<Res<StartAt>>,
    clock: Res<ScreenClock>,
) {
    let Some(change) = changes.read().last() else { return };
    // While off, the show gets an empty playlist: nothing new is decoded.
    let playlist = change.playlist.clone().unwrap_or_else(|| {
        std::sync::Arc::new(Playlist { name: "OFF".into(), items: Vec::new(), shuffle: false })
    });
    if let Some(show) = state.show.as_mut() {
        if show.playlist().name == playlist.name && !change.interrupt {
            show.update_playlist(playlist);
        } else {
            show.switch_to(playlist, change.interrupt);
        }
        return;
    }
    let seed = day_seed(&clock.now());
    let start = match start_at.map(|s| s.0) {
        Some(at) => {
            let since = (at.naive_local() - change.since).to_std().unwrap_or(Duration::ZERO);
            due_at(&playlist, seed, since).unwrap_or((0, 0, Duration::ZERO))
        }
        None => (0, 0, Duration::ZERO),
    };
    state.show = Some(Show::new(playlist, seed, (start.0, start.1)).starting_into(start.2));
}

fn request_decodes(
    mut state: ResMut<StageState>,
    mut decoding: ResMut<Decoding>,
    stage: Res<StageSize>,
    settings: Res<Settings>,
    clock: Res<ScreenClock>,
) {
    let Some(show) = state.show.as_mut() else {
        return;
    };
    let size = (stage.0.x, stage.0.y);
    let limits = Limits { max_megapixels: settings.0.slides.max_megapixels };
    let now = clock.now().naive_local();
    while let Some((id, item)) = show.request(now) {
        let live = &settings.0.live;
        let how = PlayOptions {
            latency: live.latency,
            hold: live.hold,
            ..item.play_options(show.start_offset(id))
        };
        let job = Job { key: id, source: item.source.clone(), kind: item.kind, stage: size, limits, how };
        if decoding.loader.as_ref().is_some_and(|l| l.load(job)) {
            decoding.items.push((id, item));
        } else {
            show.loaded(id, false);
        }
    }
}

fn finish_decodes(
    mut commands: Commands,
    mut state: ResMut<StageState>,
    mut decoding: ResMut<Decoding>,
    mut assets: (ResMut<Assets<Image>>, ResMut<Assets<VideoMaterial>>),
    stage_area: Query<Entity, With<StageArea>>,
    fonts: Res<Fonts>,
    stage: Res<StageSize>,
    mut failed: MessageWriter<SlideFailed>,
) {
    let Some(show) = state.show.as_mut() else {
        return;
    };
    while let Some((id, result)) = decoding.loader.as_ref().and_then(|l| l.finished()) {
        let Some(at) = decoding.items.iter().position(|(i, _)| *i == id) else { continue };
        let (_, item) = decoding.items.swap_remove(at);
        if show.pending_id() != Some(id) {
            continue; // the playlist changed meanwhile: drop it
        }
        match result {
            Ok(slide) => {
                if let Slide::Video(v) = &slide
                    && let Some(length) = v.0.length
                {
                    show.set_pending_length(id, length);
                }
                if let Ok(area) = stage_area.single() {
                    let assets = (&mut *assets.0, &mut *assets.1);
                    let root = spawn_slide(&mut commands, assets, &fonts, stage.0, id, &item, slide);
                    commands.entity(area).add_child(root);
                }
                show.loaded(id, true);
            }
            Err(e) => {
                warn!("{}: {e}", item.rel.display());
                failed.write(SlideFailed(Problem::error(item.rel.clone(), e.to_string())));
                show.loaded(id, false);
            }
        }
    }
}

/// Where a slide's pictures go: plain textures, and the films' materials.
type SlideAssets<'a> = (&'a mut Assets<Image>, &'a mut Assets<VideoMaterial>);

fn spawn_slide(
    commands: &mut Commands,
    assets: SlideAssets,
    fonts: &Fonts,
    stage: UVec2,
    id: RequestId,
    item: &Item,
    slide: Slide,
) -> Entity {
    let root = commands
        .spawn((
            Name::new(format!("slide {}", item.rel.display())),
            SlideRoot { id },
            centred_cover(px(0), px(0)),
            Visibility::Hidden,
            ZIndex(0),
        ))
        .id();
    match slide {
        Slide::Picture(frame) => picture_part(commands, root, assets.0, stage, frame),
        Slide::Notice(notice) => notice_parts(commands, root, fonts, notice),
        Slide::Animation(animation) => animation_part(commands, root, assets.0, stage, id, animation),
        Slide::Video(video) => {
            let picture = video_part(commands, root, assets, stage, (id, item.fit), video);
            if item.captions && item.kind == MediaKind::Video {
                let cues = item.subtitles.as_ref().map(|s| s.cues.clone());
                subtitle_band(commands, root, picture, fonts, cues);
            }
        }
    }
    if let Some(caption) = &item.caption {
        caption_part(commands, root, fonts, caption);
    }
    root
}

/// The node of a picture of `aspect` on the stage, fitted by `fit`.
pub(super) fn picture_node(aspect: f32, stage: UVec2, fit: Fit) -> (PictureAspect, Node) {
    let (w, h) = fit_percent(aspect, stage, fit);
    (PictureAspect(aspect, fit), Node { width: percent(w), height: percent(h), ..default() })
}

pub(super) fn aspect_of(width: u32, height: u32) -> f32 {
    width.max(1) as f32 / height.max(1) as f32
}

fn picture_part(
    commands: &mut Commands,
    root: Entity,
    images: &mut Assets<Image>,
    stage: UVec2,
    frame: Frame,
) {
    let fitted = picture_node(aspect_of(frame.width, frame.height), stage, Fit::Contain);
    let image = images.add(frame_image(frame));
    commands.entity(root).with_child((ImageNode::new(image), fitted, SlidePart::new(root, Part::Image, 1.0)));
}

fn animation_part(
    commands: &mut Commands,
    root: Entity,
    images: &mut Assets<Image>,
    stage: UVec2,
    id: RequestId,
    animation: Animation,
) {
    let Some(first) = animation.frames.first() else { return };
    let fitted = picture_node(aspect_of(first.width, first.height), stage, Fit::Contain);
    let frames: Vec<Handle<Image>> =
        animation.frames.into_iter().map(|f| images.add(frame_image(f))).collect();
    commands.entity(root).with_child((
        ImageNode::new(frames[0].clone()),
        fitted,
        SlidePart::new(root, Part::Image, 1.0),
        super::animation::Playing::new(id, frames, animation.delays),
    ));
}

fn video_part(
    commands: &mut Commands,
    root: Entity,
    (images, materials): SlideAssets,
    stage: UVec2,
    (id, fit): (RequestId, Fit),
    video: VideoSlide,
) -> Entity {
    let (node, playback) = video_picture(video.0.clone(), id, images, materials);
    let (aspect_part, mut fitted) = picture_node(aspect_of(video.0.size.0, video.0.size.1), stage, fit);
    fitted.flex_shrink = 0.0;
    // A covering video is larger than the stage: cut at its edges.
    if fit == Fit::Cover {
        commands.entity(root).insert(Node { overflow: Overflow::clip(), ..centred_cover(px(0), px(0)) });
    }
    let picture =
        commands.spawn((node, playback, aspect_part, fitted, SlidePart::new(root, Part::Image, 1.0))).id();
    commands.entity(root).add_child(picture);
    picture
}

/// Puts an empty (hidden) subtitle band at the bottom of the film picture `picture` of the
/// slide `root`, for the cues of a subtitles file (or, with None, of the film's own track).
fn subtitle_band(
    commands: &mut Commands,
    root: Entity,
    picture: Entity,
    fonts: &Fonts,
    cues: Option<Arc<Vec<Cue>>>,
) {
    commands.entity(picture).with_child((
        bottom_band(1.0),
        BackgroundColor(Color::srgba(0.0, 0.0, 0.0, 0.72)),
        SlidePart::new(root, Part::Background, 0.72),
        Visibility::Hidden,
        SubtitleBand::new(cues),
        children![(
            Text::new(""),
            fonts.regular(SUBTITLE_VMIN),
            TextColor(Color::WHITE),
            TextLayout::justify(Justify::Center),
            SlidePart::new(root, Part::Text, 1.0),
            SubtitleText,
        )],
    ));
}

/// A band across the bottom of its parent, its text centred (a caption, subtitles).
fn bottom_band(padding_vmin: f32) -> Node {
    Node {
        position_type: PositionType::Absolute,
        bottom: px(0),
        width: percent(100),
        padding: UiRect::axes(vmin(2.0), vmin(padding_vmin)),
        justify_content: JustifyContent::Center,
        ..default()
    }
}

fn caption_part(commands: &mut Commands, root: Entity, fonts: &Fonts, caption: &str) {
    commands.entity(root).with_child((
        bottom_band(1.2),
        BackgroundColor(Color::srgba(0.0, 0.0, 0.0, 0.6)),
        SlidePart::new(root, Part::Background, 0.6),
        children![(
            Text::new(caption.to_string()),
            fonts.regular(3.4),
            TextColor(Color::WHITE),
            TextLayout::justify(Justify::Center),
            SlidePart::new(root, Part::Text, 1.0),
        )],
    ));
}

/// The colour behind a notice's text: a calm deep blue that stands apart from the layout's panels.
const NOTICE_PANEL: Color = Color::srgb(0.09, 0.2, 0.33);

fn notice_parts(commands: &mut Commands, root: Entity, fonts: &Fonts, notice: Notice) {
    commands
        .entity(root)
        .insert((BackgroundColor(NOTICE_PANEL), SlidePart::new(root, Part::Background, 1.0)));
    commands.entity(root).entry::<Node>().and_modify(|mut n| {
        n.padding = UiRect::all(vmin(6.0));
        n.row_gap = vmin(4.0);
    });
    commands.entity(root).insert(FitTexts::default());
    commands.entity(root).with_child((
        Text::new(notice.heading),
        fonts.bold(7.5),
        BaseSize { vmin: 7.5, bold: true },
        TextColor(Color::srgb(1.0, 0.86, 0.35)),
        TextLayout::justify(Justify::Center),
        SlidePart::new(root, Part::Text, 1.0),
    ));
    if !notice.body.is_empty() {
        commands.entity(root).with_child((
            Text::new(notice.body),
            fonts.regular(4.5),
            BaseSize { vmin: 4.5, bold: false },
            TextColor(Color::WHITE),
            TextLayout::justify(Justify::Center),
            SlidePart::new(root, Part::Text, 1.0),
        ));
    }
}

/// The size of a picture on the stage, as percentages of the stage, keeping its shape: as large
/// as fits (`Contain`), or as small as fills the stage (`Cover`: over 100% one way).
fn fit_percent(aspect: f32, stage: UVec2, fit: Fit) -> (f32, f32) {
    let (fw, fh) = (aspect, 1.0);
    let (sw, sh) = (stage.x.max(1) as f32, stage.y.max(1) as f32);
    match fit {
        Fit::Contain => {
            let s = (sw / fw).min(sh / fh);
            ((fw * s / sw * 100.0).min(100.0), (fh * s / sh * 100.0).min(100.0))
        }
        Fit::Cover => {
            let s = (sw / fw).max(sh / fh);
            ((fw * s / sw * 100.0).max(100.0), (fh * s / sh * 100.0).max(100.0))
        }
    }
}

/// A decoded frame as a GPU texture. Its pixels live only on the GPU once uploaded.
pub(super) fn frame_image(frame: Frame) -> Image {
    Image::new(
        Extent3d { width: frame.width, height: frame.height, depth_or_array_layers: 1 },
        TextureDimension::D2,
        frame.rgba,
        TextureFormat::Rgba8UnormSrgb,
        RenderAssetUsages::RENDER_WORLD,
    )
}

fn advance(
    mut commands: Commands,
    time: Res<Time>,
    mut state: ResMut<StageState>,
    mut on_stage: ResMut<OnStage>,
    mut roots: Query<(Entity, &SlideRoot, &mut Visibility, &mut ZIndex)>,
    clock: Res<ScreenClock>,
    mut shown: MessageWriter<SlideShown>,
) {
    if state.on_air {
        return;
    }
    let Some(show) = state.show.as_mut() else {
        return;
    };
    match show.tick(time.delta()) {
        Some(Change::Show { id, transition, .. }) => {
            if let Some(item) = show.current() {
                shown.write(SlideShown {
                    playlist: show.playlist().name.clone(),
                    file: item.rel.clone(),
                    at: clock.now(),
                    next: None,
                });
            }
            let Some((entity, _, mut vis, mut z)) = roots.iter_mut().find(|(_, r, _, _)| r.id == id) else {
                return;
            };
            on_stage.z += 1;
            *z = ZIndex(on_stage.z);
            *vis = Visibility::Inherited;
            if let Some(old) = on_stage.outgoing.take() {
                commands.entity(old).despawn();
            }
            on_stage.outgoing = on_stage.current.replace(entity);
            if transition == Transition::Cut || show.transition_progress().is_none() {
                if let Some(old) = on_stage.outgoing.take() {
                    commands.entity(old).despawn();
                }
            }
        }
        Some(Change::TransitionDone) => {
            if let Some(old) = on_stage.outgoing.take() {
                commands.entity(old).despawn();
            }
        }
        None => {}
    }
}

/// Sets the opacity of the incoming slide's parts from the transition's progress.
fn apply_fade(
    state: Res<StageState>,
    on_stage: Res<OnStage>,
    mut parts: Query<(
        &SlidePart,
        Option<&mut ImageNode>,
        Option<&mut BackgroundColor>,
        Option<&mut TextColor>,
        Option<&mut VideoPlayback>,
    )>,
) {
    let Some(show) = state.show.as_ref() else {
        return;
    };
    let Some(current) = on_stage.current else {
        return;
    };
    let alpha = show.transition_progress().unwrap_or(1.0);
    for (part, image, bg, text, video) in &mut parts {
        if part.root != current {
            continue;
        }
        let a = part.base_alpha * alpha;
        if let Some(mut video) = video {
            video.set_alpha(a);
            continue;
        }
        let colour = match part.what {
            Part::Image => image.map(|i| i.map_unchanged(|i| &mut i.color)),
            Part::Background => bg.map(|b| b.map_unchanged(|b| &mut b.0)),
            Part::Text => text.map(|t| t.map_unchanged(|t| &mut t.0)),
        };
        if let Some(mut colour) = colour {
            if colour.alpha() != a {
                colour.set_alpha(a);
            }
        }
    }
}

fn spawn_fallback(
    mut commands: Commands,
    area: Query<Entity, With<StageArea>>,
    fonts: Res<Fonts>,
    settings: Res<Settings>,
    clock: Res<ScreenClock>,
) {
    let Ok(area) = area.single() else { return };
    let now = clock.now();
    let (time, date) = clock_and_date(&now, &fonts, 16.0, 4.0);
    let fallback = commands
        .spawn((
            FallbackSlide,
            centred_cover(px(0), vmin(3.0)),
            BackgroundColor(bevy_colour(settings.0.display.background)),
            ZIndex(-1),
        ))
        .with_children(|slide| {
            slide.spawn((
                Text::new(settings.0.screen.clone()),
                fonts.bold(6.0),
                TextColor(Color::srgba(1.0, 1.0, 1.0, 0.9)),
            ));
            slide.spawn(time);
            slide.spawn(date);
        })
        .id();
    commands.entity(area).add_child(fallback);
}

fn show_fallback_when_empty(
    state: Res<StageState>,
    mut fallback: Query<&mut Visibility, With<FallbackSlide>>,
) {
    let empty = state.show.as_ref().is_none_or(|s| s.current().is_none());
    for mut vis in &mut fallback {
        let want = if empty { Visibility::Inherited } else { Visibility::Hidden };
        if *vis != want {
            *vis = want;
        }
    }
}
