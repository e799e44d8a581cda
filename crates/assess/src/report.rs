//! The self-review report of a decrypted submission, as the same PDF a school prints.
//! (Being written: `render_report` is the interface the rest of the tool calls.)

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use waymark_protocol::manifest::Manifest;

/// What went wrong making the report.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// Not written yet.
    #[error("the report is not written yet")]
    Pending,
}

/// Writes the report of `manifest` to `out_pdf` (atomically), as of `date`. `evidence_files`
/// pairs each evidence item's id (`ManifestEvidence::id`) with its decrypted file.
pub fn render_report(
    manifest: &Manifest,
    evidence_files: &[(String, PathBuf)],
    date: NaiveDate,
    out_pdf: &Path,
) -> Result<(), ReportError> {
    let _ = (manifest, evidence_files, date, out_pdf);
    Err(ReportError::Pending)
}
