//! The progress chart: one horizontal bar per dimension, drawn with vector shapes so it prints
//! sharply at any size, with the numbers written beside each bar.

use waymark_core::progress::Ratio;

use crate::fonts::Face;
use crate::layout::{Align, Flow, Style, colour, truncate};

/// One bar: a label and the ratio it shows.
pub(crate) struct Bar {
    /// Shown to the left of the bar (cut with "…" if too long; the full title is elsewhere).
    pub label: String,
    /// What is done out of how many.
    pub ratio: Ratio,
    /// Bold label and a darker bar, for the overall total.
    pub emphasis: bool,
}

const ROW: f32 = 19.0;
const BAR_HEIGHT: f32 = 9.0;

/// Draws the chart at the flow's cursor, continuing on the next page if it is long.
pub(crate) fn bar_chart(flow: &mut Flow<'_>, bars: &[Bar]) {
    let fonts = flow.fonts;
    let label_style = Style::new(Face::Regular, 9.0, colour::TEXT);
    let value_style = Style::new(Face::Regular, 8.5, colour::GREY);
    let width = flow.width();
    let label_w = width * 0.40;
    let value_w = 78.0;
    let bar_w = width - label_w - value_w - 16.0;
    let bar_x = flow.left() + label_w + 8.0;

    for bar in bars {
        // Keep the scale underneath the last bar on the same page as it.
        flow.ensure(ROW + 14.0);
        let top = flow.y;
        let centre = top - ROW / 2.0;
        let style = if bar.emphasis {
            Style::new(Face::Bold, 9.0, colour::NAVY)
        } else {
            label_style
        };
        let label = truncate(fonts, style.face, style.size, &bar.label, label_w - 4.0);
        let baseline = centre - style.size * 0.35;
        let left = flow.left();
        let page = flow.page();
        page.text(fonts, style, left, baseline, Align::Left, &label);
        let r = bar.ratio;
        page.fill_rect(
            bar_x,
            centre - BAR_HEIGHT / 2.0,
            bar_w,
            BAR_HEIGHT,
            colour::LIGHT,
        );
        // Gridlines at each quarter, behind the filled part.
        for q in 1..4 {
            let x = bar_x + bar_w * q as f32 / 4.0;
            page.line(
                (x, centre - BAR_HEIGHT / 2.0),
                (x, centre + BAR_HEIGHT / 2.0),
                colour::WHITE,
                0.6,
            );
        }
        let share = if r.total == 0 {
            1.0
        } else {
            (f64::from(r.done.min(r.total)) / f64::from(r.total)) as f32
        };
        let fill = if bar.emphasis {
            colour::NAVY
        } else {
            colour::TEAL
        };
        page.fill_rect(
            bar_x,
            centre - BAR_HEIGHT / 2.0,
            bar_w * share,
            BAR_HEIGHT,
            fill,
        );
        let value = format!("{}%  ({} of {})", r.percent, r.done, r.total);
        let value = truncate(fonts, Face::Regular, value_style.size, &value, value_w);
        page.text(
            fonts,
            value_style.in_colour(if bar.emphasis {
                colour::NAVY
            } else {
                colour::GREY
            }),
            bar_x + bar_w + 8.0,
            baseline,
            Align::Left,
            &value,
        );
        flow.y -= ROW;
    }
    if !bars.is_empty() {
        let tick = Style::new(Face::Regular, 7.0, colour::GREY);
        let y = flow.y - 9.0;
        let page = flow.page();
        for q in 0..=4 {
            let x = bar_x + bar_w * q as f32 / 4.0;
            page.text(fonts, tick, x, y, Align::Centre, &format!("{}%", q * 25));
        }
        flow.y -= 14.0;
    }
}
