//! The self-review report: a cover, a summary with the progress chart and every award's
//! status, each dimension and benchmark with its level, descriptor and commentary, the
//! evidence index and the action plan, with "Page N of M" on every page.

use std::collections::HashMap;

use chrono::NaiveDate;
use waymark_core::Workspace;
use waymark_core::evidence::{EvidenceItem, EvidenceStatus};
use waymark_core::framework::{AwardKind, Issuer};
use waymark_core::store::Review;

use crate::action_plan::actions_table;
use crate::certificate::font_fault;
use crate::chart::{Bar, bar_chart};
use crate::fonts::{Face, Fonts};
use crate::gather::{ReviewData, long_date};
use crate::layout::{
    A4_PORTRAIT, Align, Cell, Column, Flow, Margins, Page, Style, colour, fit, table, truncate,
    wrap,
};
use crate::pdf::{self, Document, Meta};
use waymark_core::Error;

/// Reasons listed per award in the summary; the rest are counted (each benchmark's own
/// page shows its state anyway).
const MAX_REASONS: usize = 12;

const H1: Style = Style::new(Face::Bold, 18.0, colour::NAVY);
const H2: Style = Style::new(Face::Bold, 14.0, colour::NAVY);
const H3: Style = Style::new(Face::Bold, 11.0, colour::TEAL);
const BENCHMARK: Style = Style::new(Face::Bold, 11.0, colour::TEXT);
const BODY: Style = Style::new(Face::Regular, 10.0, colour::TEXT);
const NOTE: Style = Style::new(Face::Regular, 9.0, colour::GREY);
const LABEL: Style = Style::new(Face::Bold, 8.5, colour::GREY);

const MARGINS: Margins = Margins {
    top: 56.0,
    right: 56.0,
    bottom: 60.0,
    left: 56.0,
};

/// Makes the self-review report as of `date`.
pub fn report(ws: &Workspace, review: &Review, date: NaiveDate) -> Result<Document, Error> {
    let data = ReviewData::read(ws, review)?;
    let fonts = Fonts::get().ok_or_else(font_fault)?;
    let mut flow = Flow::new(fonts, A4_PORTRAIT, MARGINS);

    cover(&mut flow, &data, date);
    flow.new_page();
    summary(&mut flow, &data);
    benchmarks(&mut flow, &data);
    flow.new_page();
    flow.heading(H1, "Evidence index", 60.0);
    evidence_index(&mut flow, &data);
    flow.gap(18.0);
    flow.heading(H1, "Action plan", 60.0);
    actions_table(&mut flow, &data.framework, &data.actions, date);

    let mut pages = flow.finish();
    let name = &data.status.institution.name;
    number_pages(fonts, &mut pages, &MARGINS, name, &data.footer_text(date));
    let institution = &data.status.institution.name;
    pdf::render(
        fonts,
        pages,
        &Meta {
            title: &format!("Self-review report — {institution}"),
            subject: &format!(
                "{} {}",
                data.framework.def().title,
                data.framework.version()
            ),
            author: institution,
            date,
            identifier: "",
        },
        pdf::file_name("Self-review report", institution),
    )
}

/// Draws the footer on every page: a hairline, the institution and what the document is
/// about on the left (the name is shortened first if space is short) and "Page N of M" on
/// the right.
pub(crate) fn number_pages(
    fonts: &Fonts,
    pages: &mut [Page],
    margins: &Margins,
    name: &str,
    about: &str,
) {
    let total = pages.len();
    let style = Style::new(Face::Regular, 8.0, colour::GREY);
    for (i, page) in pages.iter_mut().enumerate() {
        let right = page.width - margins.right;
        let y = margins.bottom - 30.0;
        page.line(
            (margins.left, y + 12.0),
            (right, y + 12.0),
            colour::RULE,
            0.5,
        );
        let number = format!("Page {} of {total}", i + 1);
        let number_w = fonts.width(style.face, style.size, &number);
        let room = right - margins.left - number_w - 24.0;
        let rest = fonts.width(style.face, style.size, about);
        let about = if room - rest > 80.0 {
            let name = truncate(fonts, style.face, style.size, name, room - rest);
            format!("{name}{about}")
        } else {
            truncate(
                fonts,
                style.face,
                style.size,
                &format!("{name}{about}"),
                room,
            )
        };
        page.text(fonts, style, margins.left, y, Align::Left, &about);
        page.text(fonts, style, right, y, Align::Right, &number);
    }
}

fn cover(flow: &mut Flow<'_>, data: &ReviewData, date: NaiveDate) {
    let fonts = flow.fonts;
    let (w, h) = A4_PORTRAIT;
    let def = data.framework.def();
    let left = MARGINS.left;
    let text_w = w - MARGINS.left - MARGINS.right;
    let band = 230.0;
    let page = flow.page();
    page.fill_rect(0.0, h - band, w, band, colour::NAVY);
    page.fill_rect(0.0, h - band - 5.0, w, 5.0, colour::TEAL);

    let white = |size, face| Style::new(face, size, colour::WHITE);
    let mut y = h - 86.0;
    page.text(
        fonts,
        white(11.0, Face::Bold),
        left,
        y,
        Align::Left,
        "SELF-REVIEW REPORT",
    );
    y -= 12.0;
    let title = white(24.0, Face::Bold);
    for line in wrap(fonts, title.face, title.size, &def.title, text_w)
        .iter()
        .take(3)
    {
        y -= 31.0;
        page.text(fonts, title, left, y, Align::Left, line);
    }
    y -= 24.0;
    page.text(
        fonts,
        white(12.0, Face::Regular),
        left,
        y,
        Align::Left,
        &truncate(
            fonts,
            Face::Regular,
            12.0,
            &format!(
                "Version {} · {}",
                data.framework.version(),
                def.awarding_body
            ),
            text_w,
        ),
    );

    let mut y = h - band - 70.0;
    let (size, name_lines) = fit(
        fonts,
        Face::Bold,
        &data.status.institution.name,
        text_w,
        26.0,
        5,
    );
    let name = Style::new(Face::Bold, size, colour::TEXT);
    for (i, line) in name_lines.iter().enumerate() {
        if i > 0 {
            y -= size * 1.27;
        }
        page.text(fonts, name, left, y, Align::Left, line);
    }
    // From here `y` is the baseline of the last line drawn.
    y -= 8.0;
    let inst = &data.status.institution;
    let mut details = Vec::new();
    if let Some(id) = inst.identifier.as_deref().filter(|s| !s.trim().is_empty()) {
        details.push(format!("Reference {id}"));
    }
    if let Some(contact) = inst
        .contact_name
        .as_deref()
        .filter(|s| !s.trim().is_empty())
    {
        details.push(
            match inst.role.as_deref().filter(|s| !s.trim().is_empty()) {
                Some(role) => format!("Contact: {contact}, {role}"),
                None => format!("Contact: {contact}"),
            },
        );
    }
    let sub = Style::new(Face::Regular, 12.0, colour::GREY);
    for d in details {
        y -= 18.0;
        page.text(
            fonts,
            sub,
            left,
            y,
            Align::Left,
            &truncate(fonts, sub.face, sub.size, &d, text_w),
        );
    }
    y -= 30.0;
    page.text(
        fonts,
        Style::new(Face::Regular, 13.0, colour::TEXT),
        left,
        y,
        Align::Left,
        &format!("Position as of {}", long_date(date)),
    );

    // Key figures.
    let p = &data.status.progress;
    let figures = [
        (
            format!("{}%", p.overall.percent),
            format!(
                "of benchmarks complete ({} of {})",
                p.overall.done, p.overall.total
            ),
        ),
        (
            format!("{} of {}", p.evidence.done, p.evidence.total),
            "required evidence items have evidence".to_owned(),
        ),
        (
            data.actions.len().to_string(),
            if data.actions.len() == 1 {
                "future action planned".to_owned()
            } else {
                "future actions planned".to_owned()
            },
        ),
    ];
    let mut y = 250.0;
    page.line(
        (left, y + 26.0),
        (w - MARGINS.right, y + 26.0),
        colour::RULE,
        0.6,
    );
    for (big, small) in figures {
        let big_style = Style::new(Face::Bold, 18.0, colour::TEAL);
        page.text(fonts, big_style, left, y, Align::Left, &big);
        let bw = fonts.width(big_style.face, big_style.size, &big);
        page.text(
            fonts,
            Style::new(Face::Regular, 11.0, colour::TEXT),
            left + bw + 10.0,
            y,
            Align::Left,
            &small,
        );
        y -= 34.0;
    }
    let note = "Prepared with Waymark from the institution's self-review record. Progress and award status follow the framework's published rules.";
    let mut y = MARGINS.bottom + 20.0;
    for line in wrap(fonts, NOTE.face, NOTE.size, note, text_w).iter().rev() {
        page.text(fonts, NOTE, left, y, Align::Left, line);
        y += NOTE.leading();
    }
}

fn progress_rule(data: &ReviewData) -> &'static str {
    match (
        data.framework.requires_level(),
        data.framework.requires_commentary(),
    ) {
        (true, true) => "a benchmark counts once it has a level and commentary",
        (true, false) => "a benchmark counts once it has a level",
        (false, true) => "a benchmark counts once it has commentary",
        (false, false) => "every benchmark counts",
    }
}

fn summary(flow: &mut Flow<'_>, data: &ReviewData) {
    let p = &data.status.progress;
    flow.heading(H1, "Summary", 80.0);
    flow.gap(4.0);
    flow.paragraph(
        BODY,
        0.0,
        &format!(
            "{} of {} benchmarks are complete ({}%): {}.",
            p.overall.done,
            p.overall.total,
            p.overall.percent,
            progress_rule(data)
        ),
    );
    flow.paragraph(
        BODY,
        0.0,
        &if p.evidence.total == 0 {
            "No evidence is required at the levels chosen so far.".to_owned()
        } else {
            format!(
                "{} of {} required evidence items have evidence ({}%).",
                p.evidence.done, p.evidence.total, p.evidence.percent
            )
        },
    );
    if !data.status.awaiting_confirmation.is_empty() {
        flow.paragraph(
            BODY.in_colour(colour::RED),
            0.0,
            &format!(
                "{} carried over from an earlier framework version and awaiting confirmation: {}.",
                data.status.awaiting_confirmation.len(),
                data.status.awaiting_confirmation.join(", ")
            ),
        );
    }
    flow.gap(12.0);
    flow.heading(H2, "Progress by dimension", 60.0);
    flow.gap(4.0);
    let mut bars = vec![Bar {
        label: "Overall".to_owned(),
        ratio: p.overall,
        emphasis: true,
    }];
    bars.extend(p.dimensions.iter().map(|d| Bar {
        label: format!("{} {}", d.id, d.title),
        ratio: d.benchmarks,
        emphasis: false,
    }));
    bar_chart(flow, &bars);

    flow.gap(14.0);
    flow.heading(H2, "Awards", 60.0);
    if p.awards.is_empty() {
        flow.paragraph(NOTE, 0.0, "This framework defines no awards.");
    }
    let awarding_body = &data.framework.def().awarding_body;
    for award in &p.awards {
        flow.gap(6.0);
        let (word, word_colour) = if award.eligible {
            ("Available", colour::GREEN)
        } else {
            ("Not yet available", colour::RED)
        };
        let status_w = flow.fonts.width(Face::Bold, BENCHMARK.size, word);
        flow.ensure(BENCHMARK.leading() * 2.0);
        let title_lines = wrap(
            flow.fonts,
            BENCHMARK.face,
            BENCHMARK.size,
            &award.title,
            flow.width() - status_w - 16.0,
        );
        let top = flow.y;
        for line in &title_lines {
            flow.line(BENCHMARK, 0.0, line);
        }
        let right = flow.left() + flow.width();
        let fonts = flow.fonts;
        flow.page().text(
            fonts,
            BENCHMARK.in_colour(word_colour),
            right,
            top - BENCHMARK.ascent(),
            Align::Right,
            word,
        );
        let how = match (award.kind, award.issuer) {
            (AwardKind::Certificate, Issuer::SelfIssued) => {
                "Certificate printed by the institution once the conditions are met.".to_owned()
            }
            (AwardKind::Mark, Issuer::SelfIssued) => {
                "Mark printed by the institution once the conditions are met.".to_owned()
            }
            (_, Issuer::AwardingBody) => {
                format!("Awarded by {awarding_body} after an application and assessment.")
            }
        };
        flow.paragraph(NOTE, 0.0, &how);
        for reason in award.reasons.iter().take(MAX_REASONS) {
            bullet(flow, &reason.to_string());
        }
        if award.reasons.len() > MAX_REASONS {
            bullet(
                flow,
                &format!(
                    "… and {} more (each benchmark below shows its level and commentary)",
                    award.reasons.len() - MAX_REASONS
                ),
            );
        }
    }
}

/// A bulleted line with a hanging indent.
fn bullet(flow: &mut Flow<'_>, text: &str) {
    let style = Style::new(Face::Regular, 9.0, colour::TEXT);
    let lines = wrap(
        flow.fonts,
        style.face,
        style.size,
        text,
        flow.width() - 24.0,
    );
    for (i, line) in lines.iter().enumerate() {
        if i == 0 {
            flow.ensure(style.leading());
            let (x, y, fonts) = (flow.left() + 12.0, flow.y - style.ascent(), flow.fonts);
            flow.page().text(fonts, style, x, y, Align::Left, "•");
        }
        flow.line(style, 24.0, line);
    }
}

fn benchmarks(flow: &mut Flow<'_>, data: &ReviewData) {
    let fw = &data.framework;
    let scale = fw.scale();
    let mut evidence_by_benchmark: HashMap<&str, Vec<&EvidenceItem>> = HashMap::new();
    for item in &data.evidence {
        for link in &item.links {
            let list = evidence_by_benchmark
                .entry(link.benchmark_id.as_str())
                .or_default();
            if !list.iter().any(|i| i.id == item.id) {
                list.push(item);
            }
        }
    }
    let mut dimension = usize::MAX;
    let mut group: Option<&str> = None;
    for entry in fw.benchmarks() {
        if entry.dimension_index != dimension {
            if dimension == usize::MAX {
                flow.new_page();
            } else {
                flow.gap(22.0);
            }
            dimension = entry.dimension_index;
            group = None;
            let d = entry.dimension;
            flow.heading(H1, &format!("{} {}", d.id, d.title), 80.0);
            if let Some(progress) = data.status.progress.dimensions.get(dimension) {
                let r = progress.benchmarks;
                flow.paragraph(
                    NOTE,
                    0.0,
                    &format!(
                        "{} of {} benchmarks complete ({}%)",
                        r.done, r.total, r.percent
                    ),
                );
            }
            if let Some(summary) = d.summary.as_deref() {
                flow.paragraph(NOTE, 0.0, summary);
            }
            flow.gap(6.0);
            flow.rule(colour::RULE, 0.6);
            flow.gap(10.0);
        }
        if let Some(g) = entry.group
            && group != Some(g.id.as_str())
        {
            group = Some(g.id.as_str());
            flow.gap(4.0);
            flow.heading(H3, &format!("{} {}", g.id, g.title), 70.0);
            flow.gap(2.0);
        }

        let b = entry.benchmark;
        let response = data.responses.get(&b.id);
        flow.heading(BENCHMARK, &format!("{} {}", b.id, b.title), 44.0);
        if let Some(scale) = scale {
            let level = response
                .and_then(|r| r.level)
                .filter(|l| scale.contains(*l));
            match level {
                Some(l) => {
                    let name = scale.name_of(l).unwrap_or_default();
                    flow.paragraph(
                        BODY.in_colour(colour::TEAL),
                        0.0,
                        &format!("Level {l} — {name}"),
                    );
                    if let Some(d) = b.levels.iter().find(|d| d.value == l) {
                        flow.paragraph(NOTE, 12.0, &d.descriptor);
                    }
                }
                None => flow.paragraph(NOTE, 0.0, "No level chosen yet."),
            }
        }
        if let Some(note) = response
            .filter(|r| r.needs_confirmation)
            .map(|r| r.carried_note.clone().unwrap_or_default())
        {
            let text = if note.is_empty() {
                "Carried over from an earlier version; awaiting confirmation.".to_owned()
            } else {
                format!("Carried over ({note}); awaiting confirmation.")
            };
            flow.paragraph(NOTE.in_colour(colour::RED), 0.0, &text);
        }
        flow.gap(3.0);
        let commentary = response.map(|r| r.commentary.trim()).unwrap_or_default();
        flow.ensure(LABEL.leading() + BODY.leading() * 2.0);
        flow.line(LABEL, 0.0, "COMMENTARY");
        if commentary.is_empty() {
            flow.paragraph(NOTE, 0.0, "No commentary yet.");
        } else {
            flow.paragraph(BODY, 0.0, commentary);
        }
        if let Some(items) = evidence_by_benchmark.get(b.id.as_str()) {
            let titles: Vec<&str> = items.iter().map(|i| i.title.as_str()).collect();
            flow.gap(2.0);
            flow.paragraph(NOTE, 0.0, &format!("Evidence: {}", titles.join("; ")));
        }
        flow.gap(12.0);
    }
}

/// "2.4 MB", "512 bytes".
fn human_size(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["KB", "MB", "GB", "TB"];
    if bytes < 1000 {
        return format!("{bytes} bytes");
    }
    let mut value = bytes as f64 / 1000.0;
    let mut unit = 0;
    while value >= 1000.0 && unit < UNITS.len() - 1 {
        value /= 1000.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

/// The last component of a stored path, whichever separator it uses.
fn file_name_of(path: &str) -> &str {
    path.rsplit(['/', '\\'])
        .find(|s| !s.is_empty())
        .unwrap_or(path)
}

fn evidence_index(flow: &mut Flow<'_>, data: &ReviewData) {
    if data.evidence.is_empty() {
        flow.paragraph(NOTE, 0.0, "No evidence has been added yet.");
        return;
    }
    let personal = data.evidence.iter().filter(|e| e.personal_data).count();
    flow.paragraph(
        NOTE,
        0.0,
        &format!(
            "{} {}; {personal} marked as showing personal data. Hashes are the first 12 characters of each file's BLAKE3 hash, to check a copy is the file reviewed.",
            data.evidence.len(),
            if data.evidence.len() == 1 { "item" } else { "items" },
        ),
    );
    flow.gap(6.0);
    let rows = data
        .evidence
        .iter()
        .map(|e| {
            let status_colour = match e.status {
                EvidenceStatus::Missing | EvidenceStatus::Unreadable => Some(colour::RED),
                _ => None,
            };
            vec![
                Cell::from(e.title.as_str()),
                Cell::from(file_name_of(&e.path)),
                Cell::from(human_size(e.size)),
                Cell::from(e.hash.get(..12).unwrap_or(&e.hash)),
                Cell {
                    text: e.status.as_str().to_owned(),
                    colour: status_colour,
                },
                Cell::from(if e.personal_data { "Yes" } else { "No" }),
            ]
        })
        .collect();
    table(
        flow,
        &[
            Column {
                title: "Title",
                share: 27.0,
            },
            Column {
                title: "File",
                share: 24.0,
            },
            Column {
                title: "Size",
                share: 11.0,
            },
            Column {
                title: "Hash",
                share: 17.0,
            },
            Column {
                title: "Status",
                share: 11.0,
            },
            Column {
                title: "Personal data",
                share: 10.0,
            },
        ],
        rows,
        Style::new(Face::Regular, 8.5, colour::TEXT),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_and_file_names_read_well() {
        assert_eq!(human_size(512), "512 bytes");
        assert_eq!(human_size(2_400_000), "2.4 MB");
        assert_eq!(file_name_of("C:\\Users\\head\\policy.pdf"), "policy.pdf");
        assert_eq!(file_name_of("/srv/evidence/plan.docx"), "plan.docx");
        assert_eq!(file_name_of(""), "");
    }
}
