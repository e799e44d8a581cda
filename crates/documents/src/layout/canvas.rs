//! Where things go on a page: the page itself with its drawing operations, the colours, text
//! styles and alignment every document shares, and A4 in points.
//!
//! A [`Page`] keeps the graphics state it last set (fill, stroke, font) and writes an operation
//! only when it changes, and rounds every coordinate to 0.01 pt, so content streams stay short
//! and the same drawing gives the same bytes. Nothing here measures or wraps text: callers
//! pass lines already fitted (see [`super::measure`]).

use printpdf::{
    Color, Line, LinePoint, Op, PaintMode, PdfFontHandle, Point, Pt, Rect, TextItem, TextMatrix,
};

use crate::fonts::{Face, Fonts, font_id};

/// A4 in points, portrait (width, height).
pub(crate) const A4_PORTRAIT: (f32, f32) = (595.276, 841.89);
/// A4 in points, landscape (width, height).
pub(crate) const A4_LANDSCAPE: (f32, f32) = (841.89, 595.276);

/// An RGB colour, each channel 0–1.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Rgb(pub f32, pub f32, pub f32);

impl Rgb {
    fn color(self) -> Color {
        Color::Rgb(printpdf::Rgb {
            r: self.0,
            g: self.1,
            b: self.2,
            icc_profile: None,
        })
    }
}

/// The palette: a deep navy for titles, teal for progress, quiet greys for secondary text.
pub(crate) mod colour {
    use super::Rgb;
    /// Body text.
    pub const TEXT: Rgb = Rgb(0.11, 0.12, 0.14);
    /// Titles and rules.
    pub const NAVY: Rgb = Rgb(0.10, 0.22, 0.36);
    /// Progress bars and accents.
    pub const TEAL: Rgb = Rgb(0.05, 0.46, 0.50);
    /// The certificate's inner rule and seal.
    pub const GOLD: Rgb = Rgb(0.70, 0.53, 0.18);
    /// Secondary text.
    pub const GREY: Rgb = Rgb(0.38, 0.41, 0.45);
    /// Hairlines.
    pub const RULE: Rgb = Rgb(0.78, 0.81, 0.85);
    /// Table headers and the unfilled part of bars.
    pub const LIGHT: Rgb = Rgb(0.92, 0.94, 0.96);
    /// Zebra rows.
    pub const FAINT: Rgb = Rgb(0.97, 0.975, 0.98);
    /// "Available", "done".
    pub const GREEN: Rgb = Rgb(0.11, 0.47, 0.25);
    /// "Not yet", "overdue".
    pub const RED: Rgb = Rgb(0.68, 0.16, 0.14);
    /// White, for text on dark bands.
    pub const WHITE: Rgb = Rgb(1.0, 1.0, 1.0);
}

/// Face, size and colour of a run of text.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Style {
    /// Regular or bold.
    pub face: Face,
    /// Size in points.
    pub size: f32,
    /// Colour.
    pub colour: Rgb,
}

impl Style {
    /// A style.
    pub const fn new(face: Face, size: f32, colour: Rgb) -> Self {
        Self { face, size, colour }
    }

    /// The distance from one line's top to the next's.
    pub fn leading(&self) -> f32 {
        self.size * 1.38
    }

    /// Distance from a line's top to its baseline (DejaVu's ascender is 0.93 em).
    pub fn ascent(&self) -> f32 {
        self.size * 1.02
    }

    /// The same style in another colour.
    pub const fn in_colour(self, colour: Rgb) -> Self {
        Self { colour, ..self }
    }
}

/// One page: its size and drawing operations.
pub(crate) struct Page {
    /// Width in points.
    pub width: f32,
    /// Height in points.
    pub height: f32,
    pub(crate) ops: Vec<Op>,
    font: Option<(Face, u32)>,
    fill: Option<Rgb>,
    stroke: Option<(Rgb, u32)>,
    in_text: bool,
}

/// Horizontal alignment of a line of text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Align {
    /// From `x`.
    Left,
    /// Centred on `x`.
    Centre,
    /// Ending at `x`.
    Right,
}

impl Page {
    /// An empty page.
    pub fn new(width: f32, height: f32) -> Self {
        Self {
            width,
            height,
            ops: Vec::new(),
            font: None,
            fill: None,
            stroke: None,
            in_text: false,
        }
    }

    /// Closes an open text object before a drawing operation (or at the end of the page).
    fn end_text(&mut self) {
        if self.in_text {
            self.ops.push(Op::EndTextSection);
            self.in_text = false;
        }
    }

    /// The page's operations, with any open text object closed.
    pub(crate) fn into_ops(mut self) -> Vec<Op> {
        self.end_text();
        self.ops
    }

    fn set_fill(&mut self, colour: Rgb) {
        if self.fill != Some(colour) {
            self.ops.push(Op::SetFillColor {
                col: colour.color(),
            });
            self.fill = Some(colour);
        }
    }

    fn set_stroke(&mut self, colour: Rgb, thickness: f32) {
        let key = (colour, thickness.to_bits());
        if self.stroke != Some(key) {
            self.ops.push(Op::SetOutlineColor {
                col: colour.color(),
            });
            self.ops.push(Op::SetOutlineThickness { pt: Pt(thickness) });
            self.stroke = Some(key);
        }
    }

    /// Draws one line of already printable, already fitted text with its baseline at `y`.
    pub fn text(&mut self, fonts: &Fonts, style: Style, x: f32, y: f32, align: Align, text: &str) {
        if text.is_empty() {
            return;
        }
        let x = match align {
            Align::Left => x,
            Align::Centre => x - fonts.width(style.face, style.size, text) / 2.0,
            Align::Right => x - fonts.width(style.face, style.size, text),
        };
        self.set_fill(style.colour);
        if !self.in_text {
            self.ops.push(Op::StartTextSection);
            self.in_text = true;
        }
        let key = (style.face, style.size.to_bits());
        if self.font != Some(key) {
            self.ops.push(Op::SetFont {
                font: PdfFontHandle::External(font_id(style.face)),
                size: Pt(style.size),
            });
            self.font = Some(key);
        }
        self.ops.push(Op::SetTextMatrix {
            matrix: TextMatrix::Translate(Pt(round(x)), Pt(round(y))),
        });
        self.ops.push(Op::ShowText {
            items: vec![TextItem::Text(text.to_owned())],
        });
    }

    /// Fills a rectangle whose lower-left corner is (`x`, `y`).
    pub fn fill_rect(&mut self, x: f32, y: f32, w: f32, h: f32, colour: Rgb) {
        if w <= 0.0 || h <= 0.0 {
            return;
        }
        self.end_text();
        self.set_fill(colour);
        self.rect(x, y, w, h, PaintMode::Fill);
    }

    /// Outlines a rectangle whose lower-left corner is (`x`, `y`).
    pub fn stroke_rect(&mut self, x: f32, y: f32, w: f32, h: f32, colour: Rgb, thickness: f32) {
        self.end_text();
        self.set_stroke(colour, thickness);
        self.rect(x, y, w, h, PaintMode::Stroke);
    }

    /// A rectangle painted with the current fill or stroke, at whole hundredths of a point.
    fn rect(&mut self, x: f32, y: f32, w: f32, h: f32, mode: PaintMode) {
        self.ops.push(Op::DrawRectangle {
            rectangle: Rect {
                x: Pt(round(x)),
                y: Pt(round(y)),
                width: Pt(round(w)),
                height: Pt(round(h)),
                mode: Some(mode),
                winding_order: None,
            },
        });
    }

    /// A circle outline, drawn as four Bézier arcs.
    pub fn circle(&mut self, cx: f32, cy: f32, r: f32, colour: Rgb, thickness: f32) {
        self.end_text();
        self.set_stroke(colour, thickness);
        const K: f32 = 0.552_284_8; // control distance for a quarter circle
        let k = K * r;
        let p = |x: f32, y: f32, bezier: bool| LinePoint {
            p: Point {
                x: Pt(round(cx + x)),
                y: Pt(round(cy + y)),
            },
            bezier,
        };
        let points = vec![
            p(r, 0.0, false),
            p(r, k, true),
            p(k, r, true),
            p(0.0, r, false),
            p(-k, r, true),
            p(-r, k, true),
            p(-r, 0.0, false),
            p(-r, -k, true),
            p(-k, -r, true),
            p(0.0, -r, false),
            p(k, -r, true),
            p(r, -k, true),
            p(r, 0.0, false),
        ];
        self.ops.push(Op::DrawLine {
            line: Line {
                points,
                is_closed: true,
            },
        });
    }

    /// A straight line.
    pub fn line(&mut self, from: (f32, f32), to: (f32, f32), colour: Rgb, thickness: f32) {
        self.end_text();
        self.set_stroke(colour, thickness);
        let point = |(x, y): (f32, f32)| LinePoint {
            p: Point {
                x: Pt(round(x)),
                y: Pt(round(y)),
            },
            bezier: false,
        };
        self.ops.push(Op::DrawLine {
            line: Line {
                points: vec![point(from), point(to)],
                is_closed: false,
            },
        });
    }
}

/// Rounds to 0.01 pt: keeps content streams short and identical across runs.
fn round(v: f32) -> f32 {
    (v * 100.0).round() / 100.0
}
