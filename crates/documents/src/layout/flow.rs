//! Pagination: a [`Flow`] moves a cursor down pages of one size within [`Margins`] and starts
//! a new page before anything would cross the bottom margin.
//!
//! Documents that run to many pages (the report, the action plan) are written as a flow, so
//! none of them has to track where the page ends; headers and footers are drawn afterwards on
//! the finished pages, once the page count is known.

use crate::fonts::Fonts;

use super::canvas::{Align, Page, Rgb, Style};
use super::measure::wrap;

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
