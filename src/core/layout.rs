//! Where each zone of the screen goes, worked out from the screen's size and `[layout]`: the
//! stage for slides, the widgets (a column beside the stage on a wide screen, a band between the
//! stage and the ticker on a tall one), and the ticker strip along the bottom. Sizes that hold
//! text (the strip, a band) follow the screen's shorter side, so text is the same size on
//! 1920x1080 and 1080x1920. Pure functions of the size and the settings, in pixels.

/// The smallest text on screen: 2.2 % of the shorter side (24 px on a 1080-line screen).
pub const MIN_TEXT_VMIN: f32 = 2.2;

/// A screen at least this many times as wide as high gets a widget column; a narrower one a band.
pub const COLUMN_FROM_ASPECT: f32 = 1.2;

/// The stage always keeps at least this share of the screen's area.
pub const MIN_STAGE_SHARE: f32 = 0.5;

/// Where the widgets go (`[layout] widgets_position`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum WidgetsPosition {
    /// A column on the right of a wide screen, a band above the ticker on a tall one.
    #[default]
    Auto,
    Right,
    Left,
    Top,
    Bottom,
}

/// The names staff write, for `[layout] widgets_position`.
pub const WIDGETS_POSITIONS: &[(&str, WidgetsPosition)] = &[
    ("auto", WidgetsPosition::Auto),
    ("right", WidgetsPosition::Right),
    ("left", WidgetsPosition::Left),
    ("top", WidgetsPosition::Top),
    ("bottom", WidgetsPosition::Bottom),
];

/// `[layout]`, checked.
#[derive(Clone, Debug, PartialEq)]
pub struct LayoutConfig {
    pub ticker: bool,
    /// Height of the ticker strip as a fraction of the screen's shorter side (its height on a
    /// landscape screen).
    pub ticker_height: f32,
    pub widgets: bool,
    pub widgets_position: WidgetsPosition,
    /// Width of a widget column as a fraction of the screen's width.
    pub widgets_width: f32,
    /// Height of a widget band as a fraction of the screen's height.
    pub widgets_height: f32,
}

impl Default for LayoutConfig {
    fn default() -> Self {
        Self {
            ticker: true,
            ticker_height: 0.08,
            widgets: true,
            widgets_position: WidgetsPosition::Auto,
            widgets_width: 0.22,
            widgets_height: 0.2,
        }
    }
}

/// The upright size of a `(width, height)` output turned by `degrees` (`[display] rotation`):
/// sideways turns swap width and height.
pub fn upright(degrees: u16, (w, h): (u32, u32)) -> (u32, u32) {
    if degrees % 180 == 90 { (h, w) } else { (w, h) }
}

/// A rectangle in pixels, from the top-left corner of the screen.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rect {
    pub x: f32,
    pub y: f32,
    pub w: f32,
    pub h: f32,
}

impl Rect {
    pub fn area(&self) -> f32 {
        self.w * self.h
    }

    /// Whether `other` lies inside this rectangle (a tolerance of a hundredth of a pixel).
    pub fn contains(&self, other: &Rect) -> bool {
        const E: f32 = 0.01;
        other.x >= self.x - E
            && other.y >= self.y - E
            && other.x + other.w <= self.x + self.w + E
            && other.y + other.h <= self.y + self.h + E
    }

    /// Whether the two share any area (touching edges do not count).
    pub fn overlaps(&self, other: &Rect) -> bool {
        const E: f32 = 0.01;
        self.x + E < other.x + other.w
            && other.x + E < self.x + self.w
            && self.y + E < other.y + other.h
            && other.y + E < self.y + self.h
    }
}

/// How the widgets are laid out in their zone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WidgetsShape {
    /// A column: one widget under another.
    Column,
    /// A band: the clock and the date side by side, the widget beside them.
    Band,
}

/// Every zone of the screen.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Zones {
    pub screen: Rect,
    /// The school's name and logo along the top (`[branding]`).
    pub header: Option<Rect>,
    pub stage: Rect,
    pub widgets: Option<(Rect, WidgetsShape)>,
    pub ticker: Option<Rect>,
}

impl Zones {
    /// The zones that are on screen, with their names.
    pub fn named(&self) -> Vec<(&'static str, Rect)> {
        let mut v: Vec<(&'static str, Rect)> = self.header.map(|r| ("header", r)).into_iter().collect();
        v.push(("stage", self.stage));
        v.extend(self.widgets.map(|(r, _)| ("widgets", r)));
        v.extend(self.ticker.map(|r| ("ticker", r)));
        v
    }
}

/// Which way the widgets go on a `w`x`h` screen.
fn placement(w: f32, h: f32, position: WidgetsPosition) -> WidgetsPosition {
    match position {
        WidgetsPosition::Auto if w >= COLUMN_FROM_ASPECT * h => WidgetsPosition::Right,
        WidgetsPosition::Auto => WidgetsPosition::Bottom,
        p => p,
    }
}

/// The header strip's height (`[branding]`), as a fraction of the screen's shorter side.
pub const HEADER_HEIGHT: f32 = 0.08;

/// What is on screen besides the stage and the widgets: the ticker strip (false while it has
/// nothing to show: the stage then takes its place) and the header strip.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Strips {
    pub ticker: bool,
    pub header: bool,
}

/// The zones of a `width`x`height` screen.
pub fn zones(width: f32, height: f32, layout: &LayoutConfig, strips: Strips) -> Zones {
    let (w, h) = (width.max(1.0), height.max(1.0));
    let head = if strips.header { (HEADER_HEIGHT * w.min(h)).round().min(h / 4.0) } else { 0.0 };
    let mut z = below_header(w, h - head, w * h, layout, strips.ticker && layout.ticker);
    let down = |r: &mut Rect| r.y += head;
    down(&mut z.stage);
    if let Some((r, _)) = &mut z.widgets {
        down(r);
    }
    if let Some(r) = &mut z.ticker {
        down(r);
    }
    z.screen = Rect { x: 0.0, y: 0.0, w, h };
    z.header = strips.header.then_some(Rect { x: 0.0, y: 0.0, w, h: head });
    z
}

/// The zones of the `w`x`h` area under the header, of a screen of `total` pixels.
fn below_header(w: f32, h: f32, total: f32, layout: &LayoutConfig, ticker: bool) -> Zones {
    let side = w.min(total / w);
    let mut strip = if ticker { (layout.ticker_height * side).round() } else { 0.0 };
    let position = placement(w, h, layout.widgets_position);
    let column = matches!(position, WidgetsPosition::Right | WidgetsPosition::Left);
    let mut thick = match (layout.widgets, column) {
        (false, _) => 0.0,
        (true, true) => (layout.widgets_width * w).round(),
        (true, false) => (layout.widgets_height * h).round(),
    };
    // Keep the stage at least half the screen: narrow the widgets, then the strip.
    for _ in 0..50 {
        let stage = if column { (w - thick) * (h - strip) } else { w * (h - strip - thick) };
        if stage >= MIN_STAGE_SHARE * total {
            break;
        }
        thick = (thick * 0.9).floor();
        strip = (strip * 0.95).floor();
    }
    let above_strip = h - strip;
    let (stage, widgets) = match position {
        WidgetsPosition::Left => (
            Rect { x: thick, y: 0.0, w: w - thick, h: above_strip },
            Rect { x: 0.0, y: 0.0, w: thick, h: above_strip },
        ),
        WidgetsPosition::Top => {
            (Rect { x: 0.0, y: thick, w, h: above_strip - thick }, Rect { x: 0.0, y: 0.0, w, h: thick })
        }
        WidgetsPosition::Bottom => (
            Rect { x: 0.0, y: 0.0, w, h: above_strip - thick },
            Rect { x: 0.0, y: above_strip - thick, w, h: thick },
        ),
        _ => (
            Rect { x: 0.0, y: 0.0, w: w - thick, h: above_strip },
            Rect { x: w - thick, y: 0.0, w: thick, h: above_strip },
        ),
    };
    let shape = if column { WidgetsShape::Column } else { WidgetsShape::Band };
    Zones {
        screen: Rect { x: 0.0, y: 0.0, w, h },
        header: None,
        stage,
        widgets: (layout.widgets && thick > 0.0).then_some((widgets, shape)),
        ticker: ticker.then_some(Rect { x: 0.0, y: above_strip, w, h: strip }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shapes() -> Vec<(f32, f32)> {
        // From 1:3 to 3:1, and the usual screens.
        let mut v: Vec<(f32, f32)> = (0..=16)
            .map(|i| 1.0 / 3.0 + i as f32 * (3.0 - 1.0 / 3.0) / 16.0)
            .map(|a| ((1080.0 * a).round(), 1080.0))
            .collect();
        v.extend([
            (1920.0, 1080.0),
            (1080.0, 1920.0),
            (1024.0, 768.0),
            (1280.0, 720.0),
            (2560.0, 1440.0),
            (3840.0, 2160.0),
            (640.0, 360.0),
        ]);
        v
    }

    fn settings() -> Vec<LayoutConfig> {
        let mut v = Vec::new();
        for position in WIDGETS_POSITIONS.iter().map(|(_, p)| *p) {
            for (ww, wh, th) in [(0.22, 0.2, 0.08), (0.5, 0.5, 0.3), (0.05, 0.05, 0.02)] {
                for (widgets, ticker) in [(true, true), (true, false), (false, true)] {
                    v.push(LayoutConfig {
                        ticker,
                        ticker_height: th,
                        widgets,
                        widgets_position: position,
                        widgets_width: ww,
                        widgets_height: wh,
                    });
                }
            }
        }
        v
    }

    #[test]
    fn zones_lie_inside_the_screen_do_not_overlap_and_leave_the_stage_half() {
        for (w, h) in shapes() {
            for layout in settings() {
                for (ticker, header) in [(true, true), (true, false), (false, true), (false, false)] {
                    let z = zones(w, h, &layout, Strips { ticker, header });
                    let named = z.named();
                    for (name, r) in &named {
                        assert!(z.screen.contains(r), "{name} {r:?} outside {w}x{h} ({layout:?})");
                        assert!(r.w >= 0.0 && r.h >= 0.0, "{name} {r:?}");
                    }
                    for (i, (a, ra)) in named.iter().enumerate() {
                        for (b, rb) in &named[i + 1..] {
                            assert!(
                                !ra.overlaps(rb),
                                "{a} {ra:?} overlaps {b} {rb:?} on {w}x{h} ({layout:?})"
                            );
                        }
                    }
                    let covered: f32 = named.iter().map(|(_, r)| r.area()).sum();
                    assert!(
                        (covered - w * h).abs() < 1.0,
                        "zones cover the screen: {covered} of {} ({w}x{h}, {layout:?})",
                        w * h
                    );
                    assert!(
                        z.stage.area() >= MIN_STAGE_SHARE * w * h - 1.0,
                        "stage {:?} on {w}x{h} ({layout:?})",
                        z.stage
                    );
                }
            }
        }
    }

    const STRIP: Strips = Strips { ticker: true, header: false };

    #[test]
    fn a_header_sits_above_everything_else() {
        let l = LayoutConfig::default();
        for (w, h) in [(1920.0, 1080.0), (1080.0, 1920.0)] {
            let z = zones(w, h, &l, Strips { ticker: true, header: true });
            let head = z.header.expect("header");
            assert_eq!((head.y, head.h), (0.0, 86.0), "8 % of the shorter side");
            for (name, r) in z.named().into_iter().skip(1) {
                assert!(r.y >= head.h, "{name} {r:?} under the header");
            }
        }
    }

    #[test]
    fn wide_screens_get_a_column_tall_ones_a_band_above_the_ticker() {
        let l = LayoutConfig::default();
        let z = zones(1920.0, 1080.0, &l, STRIP);
        assert_eq!(z.widgets.map(|(_, s)| s), Some(WidgetsShape::Column));
        assert_eq!(z.stage, Rect { x: 0.0, y: 0.0, w: 1498.0, h: 994.0 }, "landscape as before");
        assert_eq!(z.ticker, Some(Rect { x: 0.0, y: 994.0, w: 1920.0, h: 86.0 }));
        let z = zones(1080.0, 1920.0, &l, STRIP);
        let (band, shape) = z.widgets.expect("widgets");
        assert_eq!(shape, WidgetsShape::Band);
        let ticker = z.ticker.expect("ticker");
        assert_eq!(ticker.h, 86.0, "the strip follows the shorter side");
        assert_eq!(band.y + band.h, ticker.y, "the band sits right above the ticker");
        assert_eq!(z.stage.y + z.stage.h, band.y);
        // 4:3 (1.33) is wide enough for a column; 1.1:1 is not.
        assert_eq!(zones(1024.0, 768.0, &l, STRIP).widgets.map(|(_, s)| s), Some(WidgetsShape::Column));
        assert_eq!(zones(1100.0, 1000.0, &l, STRIP).widgets.map(|(_, s)| s), Some(WidgetsShape::Band));
    }

    #[test]
    fn a_chosen_position_is_kept_whatever_the_shape() {
        for (name, position) in WIDGETS_POSITIONS.iter().skip(1) {
            let l = LayoutConfig { widgets_position: *position, ..LayoutConfig::default() };
            let z = zones(1080.0, 1920.0, &l, STRIP);
            let (r, _) = z.widgets.expect("widgets");
            let ok = match position {
                WidgetsPosition::Right => r.x + r.w == 1080.0 && r.y == 0.0,
                WidgetsPosition::Left => r.x == 0.0 && z.stage.x == r.w,
                WidgetsPosition::Top => r.y == 0.0 && z.stage.y == r.h,
                _ => r.y + r.h == z.ticker.map_or(1920.0, |t| t.y),
            };
            assert!(ok, "{name}: {r:?}, stage {:?}", z.stage);
        }
    }
}
