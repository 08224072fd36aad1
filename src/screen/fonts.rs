//! The bundled fonts, compiled into the binary so corridor finds them wherever it is installed:
//! DejaVu Sans (Latin, Latin Extended, Greek, Cyrillic), and Atkinson Hyperlegible (Latin; SIL
//! Open Font License, assets/fonts/AtkinsonHyperlegible-OFL.txt) for `[branding] font = "legible"`.

use bevy::prelude::*;

use crate::core::config::FontChoice;

const REGULAR: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
const BOLD: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans-Bold.ttf");
const LEGIBLE: &[u8] = include_bytes!("../../assets/fonts/AtkinsonHyperlegible-Regular.ttf");
const LEGIBLE_BOLD: &[u8] = include_bytes!("../../assets/fonts/AtkinsonHyperlegible-Bold.ttf");

/// Handles of the bundled fonts.
#[derive(Resource, Clone, Debug)]
pub struct Fonts {
    pub regular: Handle<Font>,
    pub bold: Handle<Font>,
}

impl Fonts {
    pub fn regular(&self, size_vmin: f32) -> TextFont {
        TextFont::from_font_size(FontSize::VMin(size_vmin)).with_font(self.regular.clone())
    }

    pub fn bold(&self, size_vmin: f32) -> TextFont {
        TextFont::from_font_size(FontSize::VMin(size_vmin)).with_font(self.bold.clone())
    }

    /// Bold at a size in logical pixels, for text sized to fit its box.
    pub fn bold_px(&self, size: f32) -> TextFont {
        TextFont::from_font_size(FontSize::Px(size)).with_font(self.bold.clone())
    }
}

/// Whether the bundled font can draw `c` (emoji and rare scripts it cannot are left out of
/// headlines rather than drawn as empty boxes).
pub fn covers(c: char) -> bool {
    static FACE: std::sync::OnceLock<Option<ttf_parser::Face<'static>>> = std::sync::OnceLock::new();
    let face = FACE.get_or_init(|| ttf_parser::Face::parse(REGULAR, 0).ok());
    match face {
        Some(f) => c.is_whitespace() || f.glyph_index(c).is_some(),
        None => true,
    }
}

pub(super) fn plugin(app: &mut App) {
    let choice = app.world().get_resource::<super::Settings>().map(|s| s.0.branding.font).unwrap_or_default();
    let (regular, bold) = match choice {
        FontChoice::Standard => (REGULAR, BOLD),
        FontChoice::Legible => (LEGIBLE, LEGIBLE_BOLD),
    };
    let mut fonts = app.world_mut().resource_mut::<Assets<Font>>();
    let regular = fonts.add(Font::from_bytes(regular.to_vec()));
    let bold = fonts.add(Font::from_bytes(bold.to_vec()));
    app.insert_resource(Fonts { regular, bold });
}

#[cfg(test)]
mod tests {
    use super::covers;

    #[test]
    fn the_bundled_font_draws_latin_extended_and_not_emoji() {
        let welsh = "ŵŷŴŶâêîôûŵŷ";
        let polish = "ąćęłńóśźżĄĆĘŁŃÓŚŹŻ";
        let turkish = "çğıİöşüÇĞÖŞÜ";
        let vietnamese = "ăâđêôơưĂÂĐÊÔƠƯạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ";
        for c in [welsh, polish, turkish, vietnamese].concat().chars() {
            assert!(covers(c), "{c} (U+{:04X})", c as u32);
        }
        // Emoji it has no glyph for are left out; the few it has (😀) are drawn in its own style.
        for c in ['🏆', '🎉', '🏃'] {
            assert!(!covers(c), "{c}");
        }
        assert!(covers('😀'));
    }
}
