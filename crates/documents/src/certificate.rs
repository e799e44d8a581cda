//! Certificates: one landscape A4 page for any award the framework lets the school print
//! itself (`issuer = "self"`), once the core says its conditions hold; and the page design
//! ([`Sheet`], [`draw`]) every certificate shares, the awarding body's marks' too
//! ([`crate::mark`]).

use chrono::NaiveDate;
use waymark_core::framework::{Award, Issuer};
use waymark_core::store::Review;
use waymark_core::{Entity, Error, Hint, Workspace};

use crate::fonts::{Face, Fonts};
use crate::gather::long_date;
use crate::layout::{
    A4_LANDSCAPE, Align, Page, Rgb, Style, balanced, colour, fit, fit_whole, truncate,
};
use crate::pdf::{self, Document, Meta};
use crate::verify::verification_code;

/// Makes the certificate for `award_id`, dated `date`. Refused, with the core's reasons, when
/// the award is not available yet, and refused when the awarding body issues it.
pub fn certificate(
    ws: &Workspace,
    review: &Review,
    award_id: &str,
    date: NaiveDate,
) -> Result<Document, Error> {
    let status = ws.status(review)?;
    let framework = ws.framework_of(review)?;
    let def = framework.def();
    let Some(award) = framework.award(award_id) else {
        return Err(Error::not_found(
            Entity::Award,
            award_id,
            Hint::Available {
                ids: printable_awards(&def.awards),
            },
        ));
    };
    if award.issuer != Issuer::SelfIssued {
        return Err(Error::IssuedByAwardingBody {
            award: award.title.clone(),
            awarding_body: def.awarding_body.clone(),
        });
    }
    let verdict = status.progress.awards.iter().find(|a| a.id == award.id);
    match verdict {
        Some(a) if a.eligible => {}
        Some(a) => {
            return Err(Error::NotEligible {
                award: award.title.clone(),
                reasons: a.reasons.clone(),
            });
        }
        None => {
            return Err(Error::Internal(format!(
                "The status of the {} was not computed.",
                award.title
            )));
        }
    }

    let fonts = Fonts::get().ok_or_else(font_fault)?;
    let institution = &status.institution.name;
    let code = verification_code(
        institution,
        framework.id(),
        framework.version(),
        &award.id,
        date,
    );
    let page = draw(
        fonts,
        &Sheet {
            framework_title: &def.title,
            title: &award.title,
            institution,
            framework: framework_line(&def.title, framework.version()),
            statements: Vec::new(),
            description: award.description.as_deref(),
            left: Column {
                value: long_date(date),
                face: Face::Regular,
                colour: colour::TEXT,
                whole: false,
                caption: "Date",
            },
            right: Column {
                value: String::new(),
                face: Face::Regular,
                colour: colour::TEXT,
                whole: false,
                caption: "Signed on behalf of the institution",
            },
            seal: date.format("%Y").to_string(),
            footer: Footer {
                text: format!(
                    "Verification code {code} · Printed by the institution with Waymark under the rules of the {} published by {}.",
                    def.title, def.awarding_body
                ),
                whole: false,
            },
        },
    );
    let subject = format!("{} — {} {}", award.title, def.title, framework.version());
    pdf::render(
        fonts,
        vec![page],
        &Meta {
            title: &format!("{} — {institution}", award.title),
            subject: &subject,
            author: institution,
            date,
            identifier: &code,
        },
        pdf::file_name(&award.title, institution),
    )
}

pub(crate) fn font_fault() -> Error {
    Error::Internal("The bundled DejaVu fonts could not be read.".to_owned())
}

/// "commitment (Certificate of Commitment), progress (Certificate of Progress)".
/// The ids of the awards a school prints itself: what an unknown id is told to choose from.
fn printable_awards(awards: &[Award]) -> Vec<String> {
    awards
        .iter()
        .filter(|a| a.issuer == Issuer::SelfIssued)
        .map(|a| a.id.clone())
        .collect()
}

/// "Computing Quality Framework — version 2.0": the line under the institution's name.
pub(crate) fn framework_line(title: &str, version: &str) -> String {
    format!("{title} — version {version}")
}

/// What a certificate page states. Every certificate Waymark draws is this one design: the
/// ones the institution prints itself (here) and those of the awarding body's marks
/// ([`crate::mark`]); only what they say differs.
pub(crate) struct Sheet<'a> {
    /// Over the title, in small gold capitals.
    pub framework_title: &'a str,
    /// The award's title, the largest text.
    pub title: &'a str,
    /// Whom it is presented to.
    pub institution: &'a str,
    /// Under the name, in navy: see [`framework_line`].
    pub framework: String,
    /// Lines under the framework that are always printed whole (to make room, the name is
    /// fitted into fewer lines).
    pub statements: Vec<String>,
    /// A description under those, cut with "…" to the room left (four lines at most).
    pub description: Option<&'a str>,
    /// Left of the seal, above its caption.
    pub left: Column<'a>,
    /// Right of the seal, above its caption.
    pub right: Column<'a>,
    /// In the seal: a year.
    pub seal: String,
    /// The small print at the foot of the page.
    pub footer: Footer,
}

/// A value above a rule with its caption below, in the row at the foot of a certificate.
pub(crate) struct Column<'a> {
    /// Up to two lines; empty leaves the rule to sign on.
    pub value: String,
    /// The value's face.
    pub face: Face,
    /// The value's colour.
    pub colour: Rgb,
    /// Printed whole at a smaller size when it does not fit (a verification code), instead
    /// of being cut with "…".
    pub whole: bool,
    /// Under the rule.
    pub caption: &'a str,
}

/// The small print at the foot of a certificate.
pub(crate) struct Footer {
    /// The text.
    pub text: String,
    /// Printed whole in up to two lines, smaller if need be (a link someone must type),
    /// instead of being cut to one line with "…".
    pub whole: bool,
}

/// Width of a column of the bottom row.
const COLUMN_WIDTH: f32 = 220.0;

/// Draws a certificate: double border, framework over the title, the middle block centred
/// between the title's rule and the row, the row (two columns either side of the seal), and
/// the small print.
pub(crate) fn draw(fonts: &Fonts, f: &Sheet<'_>) -> Page {
    let (w, h) = A4_LANDSCAPE;
    let cx = w / 2.0;
    let mut page = Page::new(w, h);

    // The double border: a strong navy frame and a fine gold rule inside it.
    page.stroke_rect(22.0, 22.0, w - 44.0, h - 44.0, colour::NAVY, 3.0);
    page.stroke_rect(31.0, 31.0, w - 62.0, h - 62.0, colour::GOLD, 0.9);
    for (x, y) in [
        (31.0, 31.0),
        (w - 31.0, 31.0),
        (31.0, h - 31.0),
        (w - 31.0, h - 31.0),
    ] {
        page.fill_rect(x - 3.0, y - 3.0, 6.0, 6.0, colour::GOLD);
    }

    let text_w = w - 180.0;
    let small = Style::new(Face::Bold, 10.0, colour::GOLD);
    let mut y = h - 88.0;
    let over = truncate(
        fonts,
        small.face,
        small.size,
        &f.framework_title.to_uppercase(),
        text_w,
    );
    page.text(fonts, small, cx, y, Align::Centre, &over);

    let (title_size, title) = fit(fonts, Face::Bold, f.title, text_w, 34.0, 2);
    let title_style = Style::new(Face::Bold, title_size, colour::NAVY);
    y -= 16.0;
    for line in &title {
        y -= title_size * 1.15;
        page.text(fonts, title_style, cx, y, Align::Centre, line);
    }
    y -= 20.0;
    page.line((cx - 60.0, y), (cx + 60.0, y), colour::GOLD, 1.2);

    // The middle block (presented to, name, framework, statements, description), centred in
    // the space between the rule and the signature row.
    let row = 104.0;
    let top = y - 22.0;
    let bottom = row + 52.0;
    let lead = Style::new(Face::Regular, 13.0, colour::GREY);
    let frame = Style::new(Face::Bold, 13.0, colour::NAVY);
    let framework = fit(fonts, Face::Bold, &f.framework, text_w, 13.0, 2).1;
    let said = Style::new(Face::Regular, 12.0, colour::TEXT);
    let said_step = 16.0;
    let statements: Vec<String> = f
        .statements
        .iter()
        .flat_map(|s| balanced(fonts, said.face, said.size, s, 540.0))
        .collect();
    // The name takes up to three lines, fewer when the statements need the room.
    let mut name_lines = 3;
    let (name_size, name, fixed) = loop {
        let (size, name) = fit(fonts, Face::Bold, f.institution, text_w, 30.0, name_lines);
        let mut fixed = lead.size
            + 10.0
            + size * 1.22 * name.len() as f32
            + 26.0
            + 17.0 * framework.len() as f32;
        if !statements.is_empty() {
            fixed += 6.0 + said_step * statements.len() as f32;
        }
        if fixed <= top - bottom || name_lines == 1 {
            break (size, name, fixed);
        }
        name_lines -= 1;
    };
    let name_style = Style::new(Face::Bold, name_size, colour::TEXT);
    let name_step = name_size * 1.22;
    let body = Style::new(Face::Regular, 11.0, colour::GREY);
    let mut description = f
        .description
        .map(|d| balanced(fonts, body.face, body.size, d, 540.0))
        .unwrap_or_default();
    let room = ((top - bottom - fixed - 6.0) / 15.0).floor().max(0.0) as usize;
    let keep = room.min(4);
    if description.len() > keep {
        let rest = description.split_off(keep.saturating_sub(1)).join(" ");
        if keep > 0 {
            description.push(truncate(fonts, body.face, body.size, &rest, 540.0));
        }
    }
    let block = fixed
        + if description.is_empty() {
            0.0
        } else {
            6.0 + 15.0 * description.len() as f32
        };
    let mut y = top - ((top - bottom - block) / 2.0).max(0.0) - lead.size;
    page.text(
        fonts,
        lead,
        cx,
        y,
        Align::Centre,
        "This certificate is presented to",
    );
    y -= 10.0;
    for line in &name {
        y -= name_step;
        page.text(fonts, name_style, cx, y, Align::Centre, line);
    }
    y -= 26.0;
    for line in &framework {
        page.text(fonts, frame, cx, y, Align::Centre, line);
        y -= 17.0;
    }
    if !statements.is_empty() {
        y -= 6.0;
        for line in &statements {
            page.text(fonts, said, cx, y, Align::Centre, line);
            y -= said_step;
        }
    }
    y -= 6.0;
    for line in &description {
        page.text(fonts, body, cx, y, Align::Centre, line);
        y -= 15.0;
    }

    // The row: a value over a rule and its caption, either side of the seal.
    let label = Style::new(Face::Regular, 9.0, colour::GREY);
    for (x, column) in [(cx - 200.0, &f.left), (cx + 200.0, &f.right)] {
        let (size, lines) = if column.whole {
            fit_whole(fonts, column.face, &column.value, COLUMN_WIDTH, 13.0, 2)
        } else {
            fit(fonts, column.face, &column.value, COLUMN_WIDTH, 13.0, 2)
        };
        let value = Style::new(column.face, size, column.colour);
        // The last line sits on the rule; any line before it above.
        let mut line_y = row + 8.0 + size * 1.2 * (lines.len().max(1) - 1) as f32;
        for line in &lines {
            page.text(fonts, value, x, line_y, Align::Centre, line);
            line_y -= size * 1.2;
        }
        page.line(
            (x - COLUMN_WIDTH / 2.0, row),
            (x + COLUMN_WIDTH / 2.0, row),
            colour::NAVY,
            0.6,
        );
        page.text(fonts, label, x, row - 14.0, Align::Centre, column.caption);
    }

    // The seal: a year in a gold double ring, between the two columns.
    let seal = Style::new(Face::Bold, 14.0, colour::GOLD);
    page.circle(cx, row + 2.0, 32.0, colour::GOLD, 1.6);
    page.circle(cx, row + 2.0, 27.5, colour::GOLD, 0.5);
    page.text(fonts, seal, cx, row - 3.0, Align::Centre, &f.seal);

    let note = Style::new(Face::Regular, 8.0, colour::GREY);
    let (size, lines) = if f.footer.whole {
        fit_whole(fonts, note.face, &f.footer.text, w - 100.0, note.size, 2)
    } else {
        let line = truncate(fonts, note.face, note.size, &f.footer.text, w - 100.0);
        (note.size, vec![line])
    };
    let note = Style::new(note.face, size, note.colour);
    let mut line_y = 46.0 + size * 1.3 * (lines.len().max(1) - 1) as f32;
    for line in &lines {
        page.text(fonts, note, cx, line_y, Align::Centre, line);
        line_y -= size * 1.3;
    }
    page
}

#[cfg(test)]
mod tests {
    use super::*;
    use printpdf::{Op, Pt, TextItem, TextMatrix};

    /// Each line of text drawn, with its baseline.
    fn lines(page: Page) -> Vec<(f32, String)> {
        let mut y = 0.0;
        let mut out = Vec::new();
        for op in page.into_ops() {
            match op {
                Op::SetTextMatrix {
                    matrix: TextMatrix::Translate(_, Pt(at)),
                } => y = at,
                Op::ShowText { items } => {
                    for item in items {
                        if let TextItem::Text(t) = item {
                            out.push((y, t));
                        }
                    }
                }
                _ => {}
            }
        }
        out
    }

    fn sheet(statements: Vec<String>) -> Sheet<'static> {
        let column = |caption| Column {
            value: "23 November 2026".into(),
            face: Face::Regular,
            colour: colour::TEXT,
            whole: false,
            caption,
        };
        Sheet {
            framework_title: "Computing Quality Framework",
            title: "Computing Quality Mark for Exemplary Practice in Every Dimension of the Framework",
            institution: "Llanfairpwllgwyngyllgogerychwyrndrobwllllantysiliogogogoch Community Primary School and Nursery ".repeat(2).leak(),
            framework: framework_line(&"Computing Quality Framework for Schools and Colleges ".repeat(2), "2.0"),
            statements,
            description: None,
            left: column("Awarded"),
            right: column("Valid until"),
            seal: "2026".into(),
            footer: Footer {
                text: "Check this certificate at https://awards.example.org/awards/abcde".into(),
                whole: true,
            },
        }
    }

    #[test]
    fn on_a_mark_certificate_the_name_takes_fewer_lines_so_statements_stay_whole_above_the_row() {
        let fonts = Fonts::get().expect("fonts");
        let plain = lines(draw(fonts, &sheet(Vec::new())));
        let said: Vec<String> = (1..=6).map(|i| format!("Statement number {i}")).collect();
        let with = lines(draw(fonts, &sheet(said.clone())));
        let name_lines = |ls: &[(f32, String)]| {
            ls.iter()
                .filter(|(_, t)| t.contains("Llanfairpwll") || t.contains("Nursery"))
                .count()
        };
        assert_eq!(name_lines(&plain), 3);
        assert!(name_lines(&with) < 3, "{with:?}");
        // Every statement whole, its baseline clear of the row's values (13 pt on y = 112).
        for s in &said {
            let (y, _) = with.iter().find(|(_, t)| t == s).expect("statement drawn");
            assert!(*y > 112.0 + 13.0 + 6.0, "{s} at {y}");
        }
    }

    #[test]
    fn very_long_names_fit_in_three_lines() {
        let fonts = Fonts::get().expect("fonts");
        let (size, lines) = fit(
            fonts,
            Face::Bold,
            &"Llanfairpwllgwyngyll ".repeat(40),
            600.0,
            30.0,
            3,
        );
        assert!(lines.len() <= 3);
        assert!(size >= 12.0);
        for l in &lines {
            assert!(fonts.width(Face::Bold, size, l) <= 600.0);
        }
    }
}
