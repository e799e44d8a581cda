//! Line wrapping, pages and the flow of text down them.
//!
//! Everything is measured with the embedded font's advances (see [`crate::fonts`]), so a line
//! never runs past the margin and the same text always breaks the same way. A [`Flow`] moves a
//! cursor down the page and starts a new one before anything would cross the bottom margin;
//! documents draw their headers and footers afterwards, once the page count is known.

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

/// Wraps `text` to `width` points: paragraphs break at newlines (a blank line stays blank),
/// lines break at spaces, and a word longer than a whole line is broken between characters.
/// The text is made printable first (see [`Fonts::printable`]), so every returned line can
/// be drawn as it is.
pub(crate) fn wrap(fonts: &Fonts, face: Face, size: f32, text: &str, width: f32) -> Vec<String> {
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    let space = fonts.char_width(face, size, ' ');
    let width = width.max(size); // at least one character always fits
    let mut lines = Vec::new();
    for paragraph in text.split('\n') {
        let paragraph = fonts.printable(paragraph);
        let mut line = String::new();
        let mut line_width = 0.0;
        for word in paragraph.split(' ').filter(|w| !w.is_empty()) {
            let w = fonts.width(face, size, word);
            let needed = if line.is_empty() {
                w
            } else {
                line_width + space + w
            };
            if needed <= width {
                if !line.is_empty() {
                    line.push(' ');
                    line_width += space;
                }
                line.push_str(word);
                line_width += w;
                continue;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
                line_width = 0.0;
            }
            if w <= width {
                line.push_str(word);
                line_width = w;
                continue;
            }
            // A word wider than the line: break it between characters.
            for c in word.chars() {
                let cw = fonts.char_width(face, size, c);
                if line_width + cw > width && !line.is_empty() {
                    lines.push(std::mem::take(&mut line));
                    line_width = 0.0;
                }
                line.push(c);
                line_width += cw;
            }
        }
        lines.push(line);
    }
    lines
}

/// Wraps like [`wrap`], but into lines of even length: the narrowest width that needs no
/// more lines than `width` does, so a title never ends with one short word on its own.
pub(crate) fn balanced(
    fonts: &Fonts,
    face: Face,
    size: f32,
    text: &str,
    width: f32,
) -> Vec<String> {
    let lines = wrap(fonts, face, size, text, width);
    if lines.len() < 2 {
        return lines;
    }
    let (mut lo, mut hi) = (width / lines.len() as f32, width);
    for _ in 0..12 {
        let mid = (lo + hi) / 2.0;
        if wrap(fonts, face, size, text, mid).len() <= lines.len() {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    wrap(fonts, face, size, text, hi)
}

/// The largest size at which `text` fits in one line (down to 80% of `start`), else two
/// (down to 60%), else `max_lines` (down to 12 pt, the last line cut with "…" if it still
/// overflows). Lines are balanced so none is left with a lone word.
pub(crate) fn fit(
    fonts: &Fonts,
    face: Face,
    text: &str,
    width: f32,
    start: f32,
    max_lines: usize,
) -> (f32, Vec<String>) {
    let max_lines = max_lines.max(1);
    for (lines, floor) in [(1, start * 0.8), (2, start * 0.6), (max_lines, 12.0)] {
        if lines > max_lines {
            break;
        }
        let mut size = start;
        while size >= floor.min(start) {
            let wrapped = balanced(fonts, face, size, text, width);
            if wrapped.len() <= lines {
                return (size, wrapped);
            }
            size -= 1.0;
        }
    }
    let size = 12.0_f32.min(start);
    let mut lines = wrap(fonts, face, size, text, width);
    if lines.len() > max_lines {
        let rest = lines.split_off(max_lines - 1).join(" ");
        lines.push(truncate(fonts, face, size, &rest, width));
    }
    (size, lines)
}

/// Cuts a single line to fit `width`, ending it with "…" when something had to go.
pub(crate) fn truncate(fonts: &Fonts, face: Face, size: f32, text: &str, width: f32) -> String {
    let text = fonts.printable(text);
    if fonts.width(face, size, &text) <= width {
        return text;
    }
    let ellipsis = fonts.char_width(face, size, '…');
    let mut out = String::new();
    let mut used = 0.0;
    for c in text.chars() {
        let cw = fonts.char_width(face, size, c);
        if used + cw + ellipsis > width {
            break;
        }
        out.push(c);
        used += cw;
    }
    out.truncate(out.trim_end().len());
    out.push('…');
    out
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
    pub(crate) faces: [bool; 2],
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
            faces: [false; 2],
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
        self.faces[style.face as usize] = true;
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
        self.ops.push(Op::DrawRectangle {
            rectangle: Rect {
                x: Pt(round(x)),
                y: Pt(round(y)),
                width: Pt(round(w)),
                height: Pt(round(h)),
                mode: Some(PaintMode::Fill),
                winding_order: None,
            },
        });
    }

    /// Outlines a rectangle whose lower-left corner is (`x`, `y`).
    pub fn stroke_rect(&mut self, x: f32, y: f32, w: f32, h: f32, colour: Rgb, thickness: f32) {
        self.end_text();
        self.set_stroke(colour, thickness);
        self.ops.push(Op::DrawRectangle {
            rectangle: Rect {
                x: Pt(round(x)),
                y: Pt(round(y)),
                width: Pt(round(w)),
                height: Pt(round(h)),
                mode: Some(PaintMode::Stroke),
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

/// Margins of a flowing document, in points.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Margins {
    /// Top.
    pub top: f32,
    /// Right.
    pub right: f32,
    /// Bottom (the footer sits below it).
    pub bottom: f32,
    /// Left.
    pub left: f32,
}

/// A cursor moving down pages of equal size, starting a new page whenever the next thing
/// would not fit above the bottom margin.
pub(crate) struct Flow<'f> {
    /// The fonts used for measuring and drawing.
    pub fonts: &'f Fonts,
    pages: Vec<Page>,
    current: Page,
    size: (f32, f32),
    /// Margins.
    pub margins: Margins,
    /// Top of the next line, in points from the bottom of the page.
    pub y: f32,
}

impl<'f> Flow<'f> {
    /// A flow starting on a fresh page.
    pub fn new(fonts: &'f Fonts, size: (f32, f32), margins: Margins) -> Self {
        Self {
            fonts,
            pages: Vec::new(),
            current: Page::new(size.0, size.1),
            size,
            margins,
            y: size.1 - margins.top,
        }
    }

    /// Left edge of the text area.
    pub fn left(&self) -> f32 {
        self.margins.left
    }

    /// Width of the text area.
    pub fn width(&self) -> f32 {
        self.size.0 - self.margins.left - self.margins.right
    }

    /// The page being drawn on, for drawing at absolute positions.
    pub fn page(&mut self) -> &mut Page {
        &mut self.current
    }

    /// Whether nothing has been placed on the current page yet.
    pub fn at_top(&self) -> bool {
        self.y >= self.size.1 - self.margins.top - 0.01
    }

    /// Starts a new page.
    pub fn new_page(&mut self) {
        let done = std::mem::replace(&mut self.current, Page::new(self.size.0, self.size.1));
        self.pages.push(done);
        self.y = self.size.1 - self.margins.top;
    }

    /// Room left above the bottom margin.
    pub fn room(&self) -> f32 {
        self.y - self.margins.bottom
    }

    /// Starts a new page unless `height` still fits on this one (or this page is empty).
    pub fn ensure(&mut self, height: f32) {
        if height > self.room() && !self.at_top() {
            self.new_page();
        }
    }

    /// Vertical space; dropped at the top of a page.
    pub fn gap(&mut self, height: f32) {
        if self.at_top() {
            return;
        }
        if height >= self.room() {
            self.new_page();
        } else {
            self.y -= height;
        }
    }

    /// One line of printable text at `indent` from the left margin.
    pub fn line(&mut self, style: Style, indent: f32, text: &str) {
        self.ensure(style.leading());
        let baseline = self.y - style.ascent();
        let x = self.margins.left + indent;
        self.current
            .text(self.fonts, style, x, baseline, Align::Left, text);
        self.y -= style.leading();
    }

    /// Wrapped text, flowing across pages as needed.
    pub fn paragraph(&mut self, style: Style, indent: f32, text: &str) {
        let width = self.width() - indent;
        for line in wrap(self.fonts, style.face, style.size, text, width) {
            self.line(style, indent, &line);
        }
    }

    /// A heading kept on the same page as at least `keep` points of what follows it.
    pub fn heading(&mut self, style: Style, text: &str, keep: f32) {
        let lines = wrap(self.fonts, style.face, style.size, text, self.width());
        self.ensure(lines.len() as f32 * style.leading() + keep);
        for line in lines {
            self.line(style, 0.0, &line);
        }
    }

    /// A full-width hairline.
    pub fn rule(&mut self, colour: Rgb, thickness: f32) {
        let (l, r, y) = (self.left(), self.left() + self.width(), self.y);
        self.current.line((l, y), (r, y), colour, thickness);
    }

    /// Every page, the current one included.
    pub fn finish(mut self) -> Vec<Page> {
        self.pages.push(self.current);
        self.pages
    }
}

/// A table column.
pub(crate) struct Column {
    /// Header text.
    pub title: &'static str,
    /// Share of the table's width (the shares are normalised).
    pub share: f32,
}

/// A table cell: text and an optional colour of its own.
pub(crate) struct Cell {
    /// The text; wrapped within the column.
    pub text: String,
    /// Colour, if not the body colour.
    pub colour: Option<Rgb>,
}

impl From<String> for Cell {
    fn from(text: String) -> Self {
        Self { text, colour: None }
    }
}

impl From<&str> for Cell {
    fn from(text: &str) -> Self {
        Self {
            text: text.to_owned(),
            colour: None,
        }
    }
}

/// Column widths: each column's share of `total`, but never narrower than its longest word
/// (up to a third of the table), so dates and short words are not broken mid-word.
fn column_widths(
    fonts: &Fonts,
    columns: &[Column],
    rows: &[Vec<Cell>],
    body: Style,
    total: f32,
    pad: f32,
) -> Vec<f32> {
    let shares: f32 = columns
        .iter()
        .map(|c| c.share)
        .sum::<f32>()
        .max(f32::EPSILON);
    let want: Vec<f32> = columns.iter().map(|c| total * c.share / shares).collect();
    let longest = |face: Face, text: &str| {
        text.split_whitespace()
            .map(|w| fonts.width(face, body.size, &fonts.printable(w)))
            .fold(0.0_f32, f32::max)
    };
    let min: Vec<f32> = columns
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let cells = rows
                .iter()
                .filter_map(|r| r.get(i))
                .map(|cell| longest(body.face, &cell.text))
                .fold(longest(Face::Bold, c.title), f32::max);
            (cells + 2.0 * pad + 1.0).min(total / 3.0)
        })
        .collect();
    let needed: f32 = min.iter().sum();
    if needed >= total {
        return min.iter().map(|m| m * total / needed).collect();
    }
    let deficit: f32 = want.iter().zip(&min).map(|(w, m)| (m - w).max(0.0)).sum();
    let slack: f32 = want.iter().zip(&min).map(|(w, m)| (w - m).max(0.0)).sum();
    want.iter()
        .zip(&min)
        .map(|(w, m)| {
            if w < m {
                *m
            } else if slack > 0.0 {
                w - (w - m) * deficit / slack
            } else {
                *w
            }
        })
        .collect()
}

/// Draws a table across pages: the header row repeats on every page, cells wrap within their
/// columns, and a row taller than the room left continues on the next page.
pub(crate) fn table(flow: &mut Flow<'_>, columns: &[Column], rows: Vec<Vec<Cell>>, body: Style) {
    const PAD: f32 = 4.0;
    let head = Style::new(Face::Bold, body.size, colour::NAVY);
    let fonts = flow.fonts;
    let widths = column_widths(fonts, columns, &rows, body, flow.width(), PAD);
    let cell_lines =
        |face: Face, text: &str, w: f32| wrap(fonts, face, body.size, text, w - 2.0 * PAD);
    let header: Vec<Vec<String>> = columns
        .iter()
        .zip(&widths)
        .map(|(c, w)| cell_lines(Face::Bold, c.title, *w))
        .collect();
    let header_lines = header.iter().map(Vec::len).max().unwrap_or(1);
    let lh = body.leading();
    let header_height = header_lines as f32 * lh + 2.0 * PAD;
    // One cell's lines, from the top of its row, inside the padding.
    let cell_text = |flow: &mut Flow<'_>, style: Style, x: f32, top: f32, lines: &[String]| {
        for (i, l) in lines.iter().enumerate() {
            let baseline = top - PAD - i as f32 * lh - style.ascent();
            flow.page()
                .text(fonts, style, x + PAD, baseline, Align::Left, l);
        }
    };

    let draw_header = |flow: &mut Flow<'_>| {
        let (x0, top) = (flow.left(), flow.y);
        let w = flow.width();
        flow.page()
            .fill_rect(x0, top - header_height, w, header_height, colour::LIGHT);
        let mut x = x0;
        for (lines, cw) in header.iter().zip(&widths) {
            cell_text(flow, head, x, top, lines);
            x += cw;
        }
        flow.y -= header_height;
        let y = flow.y;
        flow.page().line((x0, y), (x0 + w, y), colour::NAVY, 0.8);
    };

    flow.ensure(header_height + lh + 2.0 * PAD);
    draw_header(flow);
    for (index, row) in rows.into_iter().enumerate() {
        let wrapped: Vec<Vec<String>> = row
            .iter()
            .zip(&widths)
            .map(|(c, w)| cell_lines(body.face, &c.text, *w))
            .collect();
        let height = wrapped.iter().map(Vec::len).max().unwrap_or(1).max(1);
        let mut start = 0;
        let mut fresh_page = false;
        while start < height {
            let fits = ((flow.room() - 2.0 * PAD) / lh).floor().max(0.0) as usize;
            // Never leave a lone line of a row at the foot of a page (but always make
            // progress on a page that has just begun).
            if !fresh_page && (fits == 0 || (fits < height - start && fits < 2)) {
                flow.new_page();
                draw_header(flow);
                fresh_page = true;
                continue;
            }
            fresh_page = false;
            let take = fits.max(1).min(height - start);
            let row_height = take as f32 * lh + 2.0 * PAD;
            let (x0, top, w) = (flow.left(), flow.y, flow.width());
            if index % 2 == 1 {
                flow.page()
                    .fill_rect(x0, top - row_height, w, row_height, colour::FAINT);
            }
            let mut x = x0;
            for ((lines, cell), cw) in wrapped.iter().zip(&row).zip(&widths) {
                let style = body.in_colour(cell.colour.unwrap_or(body.colour));
                // A short cell has no lines left once the row's taller cells continue.
                let rest = lines.get(start..).unwrap_or_default();
                cell_text(flow, style, x, top, &rest[..take.min(rest.len())]);
                x += cw;
            }
            flow.y -= row_height;
            let y = flow.y;
            flow.page().line((x0, y), (x0 + w, y), colour::RULE, 0.4);
            start += take;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fonts() -> &'static Fonts {
        Fonts::get().expect("bundled fonts parse")
    }

    #[test]
    fn wrapping_keeps_every_word_and_respects_the_width() {
        let text = "The school plans, teaches and reviews this aspect with care. ".repeat(40);
        let lines = wrap(fonts(), Face::Regular, 10.0, &text, 200.0);
        assert!(lines.len() > 10);
        for l in &lines {
            assert!(fonts().width(Face::Regular, 10.0, l) <= 200.0, "{l}");
        }
        let words: Vec<&str> = lines.iter().flat_map(|l| l.split(' ')).collect();
        let expected: Vec<&str> = text.split_whitespace().collect();
        assert_eq!(words, expected);
    }

    #[test]
    fn long_words_break_and_blank_lines_stay() {
        let long = "x".repeat(500);
        let lines = wrap(fonts(), Face::Bold, 12.0, &format!("a\n\n{long}"), 100.0);
        assert_eq!(lines[0], "a");
        assert_eq!(lines[1], "");
        assert!(lines.len() > 5);
        assert_eq!(lines[2..].concat(), long);
        // Even a width smaller than a character makes progress.
        assert_eq!(wrap(fonts(), Face::Regular, 12.0, "WWW", 0.0).len(), 3);
    }

    #[test]
    fn truncation_ends_with_an_ellipsis_and_fits() {
        let t = truncate(fonts(), Face::Regular, 10.0, &"word ".repeat(50), 100.0);
        assert!(t.ends_with('…'));
        assert!(fonts().width(Face::Regular, 10.0, &t) <= 100.0);
        assert_eq!(
            truncate(fonts(), Face::Regular, 10.0, "short", 100.0),
            "short"
        );
    }
}
