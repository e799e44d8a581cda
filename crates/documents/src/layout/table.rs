//! Tables drawn down a [`Flow`]: column widths from shares of the width, cells wrapped within
//! their columns, the header row repeated on every page and a tall row continued on the next.
//!
//! The report's evidence index and action list and the action plan all use this one table,
//! so every table in every document breaks across pages the same way.

use crate::fonts::{Face, Fonts};

use super::canvas::{Align, Rgb, Style, colour};
use super::flow::Flow;
use super::measure::wrap;

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
