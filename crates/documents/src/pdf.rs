//! Turning laid-out pages into PDF bytes that are the same on every run.
//!
//! printpdf names resources and the file identifier with a process-wide pseudo-random
//! counter, and dates documents with whatever it is given. Here the fonts get fixed resource
//! names, every date is the document's "as of" date, no XMP packet is written, and the
//! trailer `/ID` is a BLAKE3 hash of the text drawn, so the same data and date give
//! byte-identical files.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use printpdf::{OffsetDateTime, PdfDocument, PdfFont, PdfPage, PdfSaveOptions, Pt, Rect};

use crate::fonts::{Face, Fonts, font_id};
use crate::layout::Page;
use waymark_core::Error;

/// What the document information dictionary says.
pub(crate) struct Meta<'a> {
    /// Title shown by viewers.
    pub title: &'a str,
    /// Subject line.
    pub subject: &'a str,
    /// The institution, as author.
    pub author: &'a str,
    /// The "as of" date: used for the creation and modification dates.
    pub date: NaiveDate,
    /// An identifier recorded in the information dictionary (the verification code).
    pub identifier: &'a str,
}

/// A finished document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    /// The PDF file's bytes.
    pub bytes: Vec<u8>,
    /// Number of pages.
    pub pages: usize,
    /// A file name to save it under: the document's title and the institution's name, with
    /// characters that are not allowed in file names replaced.
    pub file_name: String,
}

/// Writes the pages as a PDF with both faces embedded (subset to the glyphs used).
pub(crate) fn render(
    fonts: &Fonts,
    pages: Vec<Page>,
    meta: &Meta<'_>,
    file_name: String,
) -> Result<Document, Error> {
    let mut doc = PdfDocument::new(meta.title);
    let pages: Vec<(f32, f32, Vec<printpdf::Op>)> = pages
        .into_iter()
        .map(|p| (p.width, p.height, p.into_ops()))
        .collect();
    for (face, chars) in characters_drawn(pages.iter().flat_map(|(_, _, ops)| ops)) {
        let font = fonts
            .subset(face, &chars)
            .map_err(|e| Error::Internal(format!("The font could not be embedded ({e}).")))?;
        doc.resources
            .fonts
            .map
            .insert(font_id(face), PdfFont::new(font));
    }

    let stamp = OffsetDateTime::from_unix_timestamp(
        meta.date
            .and_hms_opt(0, 0, 0)
            .map(|d| d.and_utc().timestamp())
            .unwrap_or(0),
    )
    .map_err(|e| Error::Internal(format!("The PDF could not be produced ({e}).")))?;
    let info = &mut doc.metadata.info;
    info.creation_date = stamp;
    info.modification_date = stamp;
    info.metadata_date = stamp;
    info.author = meta.author.to_owned();
    info.subject = meta.subject.to_owned();
    info.creator = "Waymark".to_owned();
    info.producer = format!("Waymark {}", env!("CARGO_PKG_VERSION"));
    info.identifier = meta.identifier.to_owned();
    doc.metadata.xmp = None;

    let mut id = blake3::Hasher::new();
    id.update(meta.title.as_bytes());
    id.update(meta.date.to_string().as_bytes());
    let count = pages.len();
    doc.pages = pages
        .into_iter()
        .map(|(w, h, ops)| {
            for op in &ops {
                if let printpdf::Op::ShowText { items } = op {
                    for item in items {
                        if let printpdf::TextItem::Text(t) = item {
                            id.update(t.as_bytes());
                        }
                    }
                }
            }
            let mut page = PdfPage::new(printpdf::Mm(1.0), printpdf::Mm(1.0), ops);
            let bx = Rect::from_wh(Pt(w), Pt(h));
            page.media_box = bx.clone();
            page.trim_box = bx.clone();
            page.crop_box = bx;
            page
        })
        .collect();

    let mut warnings = Vec::new();
    let opts = PdfSaveOptions {
        optimize: true,
        subset_fonts: true,
        secure: true,
        image_optimization: None,
    };
    let mut lo = doc.to_lopdf_document(&opts, &mut warnings);
    let half = id.finalize().as_bytes()[..16].to_vec();
    lo.trailer.set(
        "ID",
        lopdf::Object::Array(vec![
            lopdf::Object::String(half.clone(), lopdf::StringFormat::Hexadecimal),
            lopdf::Object::String(half, lopdf::StringFormat::Hexadecimal),
        ]),
    );
    lo.compress();
    let mut bytes = Vec::new();
    lo.save_to(&mut bytes)
        .map_err(|e| Error::Internal(format!("The PDF could not be produced ({e}).")))?;
    Ok(Document {
        bytes,
        pages: count,
        file_name,
    })
}

/// The characters drawn in each face, following the `SetFont` before each `ShowText`.
fn characters_drawn<'a>(
    ops: impl Iterator<Item = &'a printpdf::Op>,
) -> Vec<(Face, BTreeSet<char>)> {
    let mut used: [BTreeSet<char>; 2] = [BTreeSet::new(), BTreeSet::new()];
    let mut current = None;
    for op in ops {
        match op {
            printpdf::Op::SetFont {
                font: printpdf::PdfFontHandle::External(id),
                ..
            } => {
                current = [Face::Regular, Face::Bold]
                    .into_iter()
                    .find(|f| font_id(*f) == *id);
            }
            printpdf::Op::ShowText { items } => {
                if let Some(face) = current {
                    for item in items {
                        if let printpdf::TextItem::Text(t) = item {
                            used[face as usize].extend(t.chars());
                        }
                    }
                }
            }
            _ => {}
        }
    }
    [Face::Regular, Face::Bold]
        .into_iter()
        .zip(used)
        .filter(|(_, chars)| !chars.is_empty())
        .collect()
}

/// A safe file name: `<title> - <institution>.pdf`, without characters Windows, macOS or
/// Linux refuse, at most about 150 characters.
pub(crate) fn file_name(title: &str, institution: &str) -> String {
    let raw = format!("{title} - {institution}");
    let mut name: String = raw
        .chars()
        .map(|c| match c {
            '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|' => '-',
            c if c.is_control() => ' ',
            c => c,
        })
        .take(150)
        .collect();
    name = name.trim().trim_end_matches('.').trim().to_owned();
    if name.is_empty() {
        name = "Waymark document".to_owned();
    }
    format!("{name}.pdf")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_are_safe() {
        assert_eq!(
            file_name("Action plan", "St Mary's C/E: \"Upper\"..."),
            "Action plan - St Mary's C-E- -Upper-.pdf"
        );
        assert!(file_name("Report", &"ŵ".repeat(400)).chars().count() <= 154);
    }
}
