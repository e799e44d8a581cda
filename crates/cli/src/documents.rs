//! Printable documents: `waymark report`, `waymark certificate KIND`, `waymark action-plan`.
//! The PDFs are made by waymark-documents; this module picks the file, writes it safely and
//! says where it went.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use clap::Args;
use serde::Serialize;
use waymark_core::Error;
use waymark_documents::Document;

use crate::Context;
use crate::output;

/// Where and as of when to write a document.
#[derive(Debug, Args)]
pub struct DocumentArgs {
    /// File to write (default: a descriptive name in the current folder). An existing folder
    /// gets the default name inside it. An existing file is replaced.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// The date printed on the document and used for "overdue", YYYY-MM-DD (default: today).
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
    pub date: Option<NaiveDate>,
}

fn parse_date(text: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|_| format!("{text:?} is not a date; use the form 2026-11-23"))
}

/// What `--json` prints.
#[derive(Serialize)]
struct Written {
    path: PathBuf,
    pages: usize,
    bytes: usize,
}

fn today() -> NaiveDate {
    chrono::Local::now().date_naive()
}

/// Writes the document where asked and reports it.
fn save(ctx: &Context, doc: Document, out: Option<PathBuf>) -> Result<(), Error> {
    let path = match out {
        Some(p) if p.is_dir() => p.join(&doc.file_name),
        Some(p) => p,
        None => PathBuf::from(&doc.file_name),
    };
    waymark_documents::write_atomically(&path, &doc.bytes)?;
    if ctx.json {
        return output::json(&Written {
            path: std::path::absolute(&path).unwrap_or_else(|_| path.clone()),
            pages: doc.pages,
            bytes: doc.bytes.len(),
        });
    }
    out!(
        "Wrote {} ({} {}, {}).",
        display(&path),
        doc.pages,
        if doc.pages == 1 { "page" } else { "pages" },
        size(doc.bytes.len())
    );
    Ok(())
}

fn display(path: &Path) -> String {
    path.display().to_string()
}

fn size(bytes: usize) -> String {
    if bytes < 1000 {
        format!("{bytes} bytes")
    } else if bytes < 1_000_000 {
        format!("{} KB", bytes.div_ceil(1000))
    } else {
        format!("{:.1} MB", bytes as f64 / 1e6)
    }
}

/// `waymark report`
pub fn report(ctx: &Context, a: DocumentArgs) -> Result<(), Error> {
    let ws = ctx.open()?;
    let review = ws.current_review(ctx.framework.as_deref())?;
    let doc = waymark_documents::report(&ws, &review, a.date.unwrap_or_else(today))?;
    save(ctx, doc, a.out)
}

/// `waymark certificate KIND`
pub fn certificate(ctx: &Context, kind: &str, a: DocumentArgs) -> Result<(), Error> {
    let ws = ctx.open()?;
    let review = ws.current_review(ctx.framework.as_deref())?;
    let doc = waymark_documents::certificate(&ws, &review, kind, a.date.unwrap_or_else(today))?;
    save(ctx, doc, a.out)
}

/// `waymark action-plan`
pub fn action_plan(ctx: &Context, a: DocumentArgs) -> Result<(), Error> {
    let ws = ctx.open()?;
    let review = ws.current_review(ctx.framework.as_deref())?;
    let doc = waymark_documents::action_plan(&ws, &review, a.date.unwrap_or_else(today))?;
    save(ctx, doc, a.out)
}
