//! Text that must fit its box: a long notice's heading and body are made smaller, down to the
//! minimum text height, until they fit the stage; if they still do not, the body is cut and ends
//! in "…". Never spills over another zone. Works after layout, a step per frame; a step scales
//! by the share of the box the text overflows, so a notice fits within a few frames.

use bevy::prelude::*;

use super::fonts::Fonts;
use crate::core::layout::MIN_TEXT_VMIN;

/// A node whose text children must fit inside it; `scale` is how much of their own size they
/// have now.
#[derive(Component, Debug)]
pub struct FitTexts {
    pub scale: f32,
}

impl Default for FitTexts {
    fn default() -> Self {
        Self { scale: 1.0 }
    }
}

/// A text's own size, in per cent of the screen's shorter side, and whether it is bold.
#[derive(Component, Clone, Copy, Debug)]
pub struct BaseSize {
    pub vmin: f32,
    pub bold: bool,
}

/// The share of the overflow a step takes back (a little more, so it ends inside).
const STEP_MARGIN: f32 = 0.97;

pub(super) fn plugin(app: &mut App) {
    app.add_systems(PostUpdate, fit_texts.after(bevy::ui::UiSystems::Layout));
}

fn fit_texts(
    fonts: Res<Fonts>,
    mut boxes: Query<(&ComputedNode, &Children, &mut FitTexts), Changed<ComputedNode>>,
    mut texts: Query<(&BaseSize, &mut TextFont, &mut Text)>,
) {
    for (node, children, mut fit) in &mut boxes {
        let room = node.size.y - node.padding.min_inset.y - node.padding.max_inset.y;
        let used = node.content_size.y - node.padding.min_inset.y - node.padding.max_inset.y;
        if room <= 1.0 || used <= room + 1.0 {
            continue;
        }
        let smallest =
            children.iter().filter_map(|c| texts.get(c).ok().map(|(b, ..)| b.vmin)).fold(f32::MAX, f32::min);
        let floor = (MIN_TEXT_VMIN / smallest).min(1.0);
        if fit.scale > floor {
            // Wrapped text takes room in proportion to the square of its size.
            fit.scale = (fit.scale * (room / used).sqrt() * STEP_MARGIN).max(floor);
            for child in children.iter() {
                if let Ok((base, mut font, _)) = texts.get_mut(child) {
                    let size = base.vmin * fit.scale;
                    *font = if base.bold { fonts.bold(size) } else { fonts.regular(size) };
                }
            }
        } else if let Some(child) = children.iter().last() {
            // As small as text may be: cut the last text (the body) to what fits.
            if let Ok((_, _, mut text)) = texts.get_mut(child) {
                text.0 = cut(&text.0, room / used);
            }
        }
    }
}

/// `text` cut to about `share` of its length, at a word, ending in "…".
pub fn cut(text: &str, share: f32) -> String {
    let body = text.trim_end_matches('…').trim_end();
    let keep = ((body.chars().count() as f32 * share.clamp(0.0, 1.0) * STEP_MARGIN) as usize).max(1);
    let mut out: String = body.chars().take(keep).collect();
    if let Some(space) = out.rfind(char::is_whitespace).filter(|&i| i > out.len() / 2) {
        out.truncate(space);
    }
    format!("{}…", out.trim_end())
}

#[cfg(test)]
mod tests {
    use super::cut;

    #[test]
    fn a_cut_ends_at_a_word_with_an_ellipsis_and_cuts_again() {
        let text = "Appointments run from half past three until seven in the main hall";
        let once = cut(text, 0.5);
        assert!(once.ends_with('…') && once.chars().count() < text.chars().count() / 2 + 2, "{once}");
        assert!(text.starts_with(once.trim_end_matches('…')), "{once}");
        assert!(!once.trim_end_matches('…').ends_with(' '), "{once}");
        let twice = cut(&once, 0.5);
        assert!(twice.chars().count() < once.chars().count(), "{twice}");
        assert_eq!(twice.matches('…').count(), 1, "{twice}");
    }
}
