//! Certificates: one landscape A4 page for any award the framework lets the school print
//! itself (`issuer = "self"`), once the core says its conditions hold.

use chrono::NaiveDate;
use waymark_core::framework::{Award, Issuer};
use waymark_core::store::Review;
use waymark_core::{Entity, Error, Hint, Workspace};

use crate::fonts::{Face, Fonts};
use crate::gather::long_date;
use crate::layout::{A4_LANDSCAPE, Align, Page, Style, balanced, colour, fit, truncate};
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
        &Facts {
            award,
            institution,
            framework_title: &def.title,
            version: framework.version(),
            awarding_body: &def.awarding_body,
            date,
            code: &code,
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

/// What a certificate states.
struct Facts<'a> {
    award: &'a Award,
    institution: &'a str,
    framework_title: &'a str,
    version: &'a str,
    awarding_body: &'a str,
    date: NaiveDate,
    code: &'a str,
}

fn draw(fonts: &Fonts, f: &Facts<'_>) -> Page {
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

    let (title_size, title) = fit(fonts, Face::Bold, &f.award.title, text_w, 34.0, 2);
    let title_style = Style::new(Face::Bold, title_size, colour::NAVY);
    y -= 16.0;
    for line in &title {
        y -= title_size * 1.15;
        page.text(fonts, title_style, cx, y, Align::Centre, line);
    }
    y -= 20.0;
    page.line((cx - 60.0, y), (cx + 60.0, y), colour::GOLD, 1.2);

    // The middle block (presented to, name, framework, description), centred in the space
    // between the rule and the signature row.
    let row = 104.0;
    let top = y - 22.0;
    let bottom = row + 52.0;
    let lead = Style::new(Face::Regular, 13.0, colour::GREY);
    let (name_size, name) = fit(fonts, Face::Bold, f.institution, text_w, 30.0, 3);
    let name_style = Style::new(Face::Bold, name_size, colour::TEXT);
    let name_step = name_size * 1.22;
    let frame = Style::new(Face::Bold, 13.0, colour::NAVY);
    let framework = fit(
        fonts,
        Face::Bold,
        &format!("{} — version {}", f.framework_title, f.version),
        text_w,
        13.0,
        2,
    )
    .1;
    let body = Style::new(Face::Regular, 11.0, colour::GREY);
    let mut description = f
        .award
        .description
        .as_deref()
        .map(|d| balanced(fonts, body.face, body.size, d, 540.0))
        .unwrap_or_default();
    let fixed =
        lead.size + 10.0 + name_step * name.len() as f32 + 26.0 + 17.0 * framework.len() as f32;
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
    y -= 6.0;
    for line in &description {
        page.text(fonts, body, cx, y, Align::Centre, line);
        y -= 15.0;
    }

    // Date and signature.
    let label = Style::new(Face::Regular, 9.0, colour::GREY);
    let value = Style::new(Face::Regular, 13.0, colour::TEXT);
    for (x, text, caption) in [
        (cx - 200.0, long_date(f.date), "Date"),
        (
            cx + 200.0,
            String::new(),
            "Signed on behalf of the institution",
        ),
    ] {
        page.text(fonts, value, x, row + 8.0, Align::Centre, &text);
        page.line((x - 110.0, row), (x + 110.0, row), colour::NAVY, 0.6);
        page.text(fonts, label, x, row - 14.0, Align::Centre, caption);
    }

    // The seal: the year of issue in a gold double ring, between date and signature.
    let seal = Style::new(Face::Bold, 14.0, colour::GOLD);
    page.circle(cx, row + 2.0, 32.0, colour::GOLD, 1.6);
    page.circle(cx, row + 2.0, 27.5, colour::GOLD, 0.5);
    let year = f.date.format("%Y").to_string();
    page.text(fonts, seal, cx, row - 3.0, Align::Centre, &year);

    let note = Style::new(Face::Regular, 8.0, colour::GREY);
    let verify = format!(
        "Verification code {} · Printed by the institution with Waymark under the rules of the {} published by {}.",
        f.code, f.framework_title, f.awarding_body
    );
    let verify = truncate(fonts, note.face, note.size, &verify, w - 100.0);
    page.text(fonts, note, cx, 46.0, Align::Centre, &verify);
    page
}

#[cfg(test)]
mod tests {
    use super::*;

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
