//! Colours as staff write them: "#1a2b3c", "#abc" or a few common names.

use std::fmt;

/// An sRGB colour, 8 bits a channel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rgb {
    pub r: u8,
    pub g: u8,
    pub b: u8,
}

impl Rgb {
    pub const fn new(r: u8, g: u8, b: u8) -> Self {
        Self { r, g, b }
    }
}

impl fmt::Display for Rgb {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{:02x}{:02x}{:02x}", self.r, self.g, self.b)
    }
}

const NAMED: &[(&str, Rgb)] = &[
    ("black", Rgb::new(0, 0, 0)),
    ("white", Rgb::new(255, 255, 255)),
    ("red", Rgb::new(220, 38, 38)),
    ("green", Rgb::new(22, 163, 74)),
    ("blue", Rgb::new(37, 99, 235)),
    ("yellow", Rgb::new(250, 204, 21)),
    ("orange", Rgb::new(249, 115, 22)),
    ("purple", Rgb::new(147, 51, 234)),
    ("pink", Rgb::new(236, 72, 153)),
    ("grey", Rgb::new(128, 128, 128)),
    ("gray", Rgb::new(128, 128, 128)),
    ("navy", Rgb::new(16, 24, 64)),
    ("teal", Rgb::new(13, 148, 136)),
    ("gold", Rgb::new(212, 175, 55)),
    ("silver", Rgb::new(192, 192, 192)),
    ("brown", Rgb::new(120, 72, 32)),
];

/// Parses "#rrggbb", "#rgb" or a colour name such as "navy".
pub fn parse_colour(text: &str) -> Result<Rgb, String> {
    let t = text.trim();
    if let Some(hex) = t.strip_prefix('#') {
        let digits: Option<Vec<u8>> = hex.chars().map(|c| c.to_digit(16).map(|d| d as u8)).collect();
        return match digits.as_deref() {
            Some([r, g, b]) => Ok(Rgb::new(r * 17, g * 17, b * 17)),
            Some([r1, r2, g1, g2, b1, b2]) => Ok(Rgb::new(r1 * 16 + r2, g1 * 16 + g2, b1 * 16 + b2)),
            _ => Err(format!("\"{text}\" is not a colour; write it like \"#1a2b3c\" or \"navy\"")),
        };
    }
    let lower = t.to_ascii_lowercase();
    NAMED.iter().find(|(n, _)| *n == lower).map(|(_, c)| *c).ok_or_else(|| {
        let names: Vec<&str> = NAMED.iter().map(|(n, _)| *n).collect();
        format!("\"{text}\" is not a colour; write it like \"#1a2b3c\" or one of {}", names.join(", "))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_and_names() {
        assert_eq!(parse_colour("#102030"), Ok(Rgb::new(16, 32, 48)));
        assert_eq!(parse_colour("#fff"), Ok(Rgb::new(255, 255, 255)));
        assert_eq!(parse_colour("Navy"), Ok(Rgb::new(16, 24, 64)));
        assert!(parse_colour("#12").is_err());
        assert!(parse_colour("#gg0000").is_err());
        assert!(parse_colour("blurple").is_err());
    }
}
