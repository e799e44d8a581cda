//! The certificate of an award the awarding body made (a mark, `issuer = "awarding_body"`):
//! one landscape A4 page in the design of the self-issued certificates ([`crate::certificate`]),
//! stating what the awarding body's endpoint recorded.
//!
//! Nothing here decides whether the award was made: the app passes the award as the endpoint's
//! signed status said it. What is printed is checked only against the review's framework (the
//! award must be one of its marks) and for sense (it cannot expire before it was awarded). The
//! verification code is the awarding body's, printed as given: the public checks it at the
//! endpoint, so Waymark never computes one for a mark.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use waymark_core::framework::Issuer;
use waymark_core::store::Review;
use waymark_core::{Entity, Error, Hint, Workspace};

use crate::certificate::{Column, Footer, Sheet, draw, font_fault, framework_line};
use crate::fonts::{Face, Fonts};
use crate::gather::long_date;
use crate::layout::colour;
use crate::pdf::{self, Document, Meta};

/// An award the awarding body made, as its endpoint recorded it (the app passes what the
/// endpoint's signed status said; this crate knows nothing of the wire).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssuedAward {
    /// The award's id in the framework, e.g. `quality-mark`.
    pub award_id: String,
    /// Its title as the awarding body states it, e.g. "Computing Quality Mark".
    pub title: String,
    /// Who made the award.
    pub awarding_body: String,
    /// The day it was awarded.
    pub awarded_on: NaiveDate,
    /// The last day it is valid.
    pub expires_on: NaiveDate,
    /// The awarding body's code for it, e.g. `abcde-fghij-kmnpq-rstuv`: printed as it is.
    pub verification_code: String,
    /// Where the public can check it (`<endpoint>/awards/<code>`), when known.
    pub verification_url: Option<String>,
}

/// Makes the certificate of `issued`, an award the awarding body made for `review`.
///
/// Refused when the award is not one of the review's framework (not found, with the marks it
/// has), when it is one the institution prints itself (those are made by
/// [`crate::certificate()`], once their conditions hold), when it would expire before it was
/// awarded, or when it has no verification code.
pub fn mark_certificate(
    ws: &Workspace,
    review: &Review,
    issued: &IssuedAward,
) -> Result<Document, Error> {
    let framework = ws.framework_of(review)?;
    let def = framework.def();
    let Some(award) = framework.award(&issued.award_id) else {
        return Err(Error::not_found(
            Entity::Award,
            &issued.award_id,
            Hint::Available {
                ids: def
                    .awards
                    .iter()
                    .filter(|a| a.issuer == Issuer::AwardingBody)
                    .map(|a| a.id.clone())
                    .collect(),
            },
        ));
    };
    if award.issuer == Issuer::SelfIssued {
        return Err(Error::invalid(
            "award_id",
            format!(
                "The {} is not awarded by the awarding body: the institution prints it itself, \
                 as its own certificate, once its conditions are met.",
                award.title
            ),
        ));
    }
    if issued.expires_on < issued.awarded_on {
        return Err(Error::invalid(
            "expires_on",
            format!(
                "The record of the {} says it expires on {}, before it was awarded on {}. \
                 Ask {} to correct the record; no certificate was made.",
                issued.title,
                long_date(issued.expires_on),
                long_date(issued.awarded_on),
                issued.awarding_body
            ),
        ));
    }
    let code = issued.verification_code.trim();
    if code.is_empty() {
        return Err(Error::invalid(
            "verification_code",
            format!(
                "The record of the {} has no verification code, so nobody could check the \
                 certificate. Check the award's status with {} again; no certificate was made.",
                issued.title, issued.awarding_body
            ),
        ));
    }

    let fonts = Fonts::get().ok_or_else(font_fault)?;
    let institution = ws.institution()?.name;
    let url = issued
        .verification_url
        .as_deref()
        .map(str::trim)
        .filter(|u| !u.is_empty());
    let footer = match url {
        Some(url) => format!(
            "Awarded after assessment under the rules of the {} · Check this certificate at {url}",
            def.title
        ),
        None => format!(
            "Awarded after assessment under the rules of the {} · {} can confirm this certificate from its verification code.",
            def.title, issued.awarding_body
        ),
    };
    let page = draw(
        fonts,
        &Sheet {
            framework_title: &def.title,
            title: &issued.title,
            institution: &institution,
            framework: framework_line(&def.title, framework.version()),
            statements: vec![
                format!(
                    "Awarded by {} on {}",
                    issued.awarding_body,
                    long_date(issued.awarded_on)
                ),
                format!("Valid until {}", long_date(issued.expires_on)),
            ],
            description: None,
            left: Column {
                value: code.to_owned(),
                face: Face::Bold,
                colour: colour::NAVY,
                whole: true,
                caption: "Verification code",
            },
            right: Column {
                value: issued.awarding_body.clone(),
                face: Face::Regular,
                colour: colour::TEXT,
                whole: false,
                caption: "Awarding body",
            },
            seal: issued.awarded_on.format("%Y").to_string(),
            footer: Footer {
                text: footer,
                whole: url.is_some(),
            },
        },
    );
    let subject = format!("{} — {} {}", issued.title, def.title, framework.version());
    pdf::render(
        fonts,
        vec![page],
        &Meta {
            title: &format!("{} — {institution}", issued.title),
            subject: &subject,
            author: &institution,
            date: issued.awarded_on,
            identifier: code,
        },
        pdf::file_name(&issued.title, &institution),
    )
}
