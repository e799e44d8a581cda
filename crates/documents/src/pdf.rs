//! Turning laid-out pages into PDF bytes that are the same on every run.
//!
//! printpdf names resources and the file identifier with a process-wide pseudo-random
//! counter, and dates documents with whatever it is given. Here the fonts get fixed resource
//! names, every date is the document's "as of" date, no XMP packet is written, and the
//! trailer `/ID` is a BLAKE3 hash of the text drawn, so the same data and date give
//! byte-identical files.

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
    let used = pages.iter().fold([false; 2], |acc, p| {
        [acc[0] || p.faces[0], acc[1] || p.faces[1]]
    });
    for face in [Face::Regular, Face::Bold] {
        if used[face as usize] {
            doc.resources
                .fonts
                .map
                .insert(font_id(face), PdfFont::new(fonts.parsed(face).clone()));
        }
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
        .map(|page| {
            let (w, h) = (page.width, page.height);
            let ops = page.into_ops();
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
