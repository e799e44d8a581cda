//! Printable documents (certificates, the self-review report, the action plan) saved where the
//! lead chose in the save dialog. Producing one reads the review on a job's own connection.
//! The shell remembers the files it saved this session: "Open" and "Show in folder" accept
//! only those, so the UI cannot have arbitrary paths opened.

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::{Mutex, PoisonError};

use serde::{Deserialize, Serialize};
use ts_rs::TS;
use waymark_core::ErrorCode;
use waymark_documents::Document;

use crate::commands::CmdResult;
use crate::error::CommandError;
use crate::evidence::os_failure;
use crate::jobs::Jobs;
use crate::state::AppState;

/// Which document to produce.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DocumentKind {
    /// A certificate for one of the framework's self-issued awards.
    Certificate {
        /// The award's id ("commitment", "progress").
        award_id: String,
    },
    /// The whole self-review report.
    Report,
    /// The action plan on its own.
    ActionPlan,
    /// The certificate of a mark the awarding body made, with its verification code.
    MarkCertificate {
        /// The submission that earned it (outbox id, as the Submissions screen gives it).
        submission_id: String,
    },
}

/// A document to save.
#[derive(Debug, Clone, Deserialize, TS)]
pub struct ExportInput {
    /// What to produce.
    pub document: DocumentKind,
    /// Where to save it: the path the save dialog returned.
    pub path: String,
}

/// What was saved.
#[derive(Debug, Clone, Serialize, TS)]
pub struct Exported {
    /// The file written.
    pub path: String,
    /// Its number of pages.
    pub pages: u32,
    /// Its size in bytes.
    #[ts(type = "number")]
    pub bytes: u64,
}

/// Files saved this session, which "Open" and "Show in folder" may use.
#[derive(Debug, Default)]
pub struct Saved(Mutex<HashSet<PathBuf>>);

impl Saved {
    /// Notes a file saved this session (a PDF, an export archive).
    pub(crate) fn remember(&self, path: PathBuf) {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(path);
    }

    fn check(&self, path: &str) -> CmdResult<PathBuf> {
        let path = PathBuf::from(path);
        let known = self
            .0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .contains(&path);
        if known {
            Ok(path)
        } else {
            Err(CommandError::for_field(
                ErrorCode::InvalidInput,
                "path",
                format!(
                    "{} was not saved by Waymark in this session, so it will not open it. Open it from your file manager.",
                    path.display()
                ),
            ))
        }
    }
}

/// An award the awarding body made and the review that earned it, for its certificate.
pub type Issued = (waymark_core::store::Review, waymark_documents::IssuedAward);

/// Produces the document dated today and saves it (written whole or not at all). A mark's
/// certificate needs `issued`, the award as the endpoint recorded it.
pub fn export_document(
    jobs: &Jobs,
    saved: &Saved,
    input: ExportInput,
    issued: Option<Issued>,
) -> CmdResult<Exported> {
    let path = PathBuf::from(&input.path);
    if !path.is_absolute() {
        return Err(CommandError::for_field(
            ErrorCode::InvalidInput,
            "path",
            "Choose where to save the document with the Save dialog.",
        ));
    }
    let path = with_pdf_extension(path);
    let today = chrono::Local::now().date_naive();
    let document: Document = jobs.run(|ws, review, _| {
        Ok(match &input.document {
            DocumentKind::Certificate { award_id } => {
                waymark_documents::certificate(ws, review, award_id, today)?
            }
            DocumentKind::Report => waymark_documents::report(ws, review, today)?,
            DocumentKind::ActionPlan => waymark_documents::action_plan(ws, review, today)?,
            DocumentKind::MarkCertificate { .. } => {
                let Some((awarded, award)) = &issued else {
                    return Err(CommandError::new(
                        ErrorCode::NotEligible,
                        "This award has not been made yet: its certificate can be saved once the submission shows “Awarded”.",
                    ));
                };
                waymark_documents::mark_certificate(ws, awarded, award)?
            }
        })
    })?;
    waymark_documents::write_atomically(&path, &document.bytes)?;
    let exported = Exported {
        path: path.display().to_string(),
        pages: u32::try_from(document.pages).unwrap_or(u32::MAX),
        bytes: document.bytes.len() as u64,
    };
    saved.remember(path);
    Ok(exported)
}

/// Opens a document saved this session in the OS's PDF viewer.
pub fn open_document(state: &AppState, path: String) -> CmdResult<()> {
    let path = state.saved_documents().check(&path)?;
    tauri_plugin_opener::open_path(&path, None::<&str>)
        .map_err(|e| os_failure("open", &path, &e.to_string()))
}

/// Shows a document saved this session in the OS file manager.
pub fn reveal_document(state: &AppState, path: String) -> CmdResult<()> {
    let path = state.saved_documents().check(&path)?;
    tauri_plugin_opener::reveal_item_in_dir(&path)
        .map_err(|e| os_failure("show", &path, &e.to_string()))
}

/// Adds ".pdf" when the dialog's name has no extension (Linux dialogs do not add one).
fn with_pdf_extension(path: PathBuf) -> PathBuf {
    let is_pdf = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("pdf"));
    if is_pdf {
        path
    } else {
        let mut name = path.clone().into_os_string();
        name.push(".pdf");
        PathBuf::from(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_saved_certificate_can_be_opened_but_no_other_path_and_refusals_save_nothing() {
        let (dir, state) = crate::tests::registered("Ysgol Gynradd Llanfair ŵŷ");
        let export = |document: DocumentKind, name: &str| {
            export_document(
                &state.jobs(),
                &state.saved_documents(),
                ExportInput {
                    document,
                    path: dir.path().join(name).display().to_string(),
                },
                None,
            )
        };

        let saved = export(
            DocumentKind::Certificate {
                award_id: "commitment".into(),
            },
            "commitment",
        )
        .expect("certificate");
        assert!(saved.path.ends_with("commitment.pdf"), "{}", saved.path);
        assert_eq!(saved.pages, 1);
        let bytes = std::fs::read(&saved.path).expect("written");
        assert!(bytes.starts_with(b"%PDF"));
        assert_eq!(bytes.len() as u64, saved.bytes);

        let refused = export(
            DocumentKind::Certificate {
                award_id: "progress".into(),
            },
            "progress.pdf",
        )
        .expect_err("not earned");
        assert_eq!(refused.code.as_str(), "not_eligible");
        assert!(
            refused.message.contains("not available yet"),
            "{}",
            refused.message
        );
        assert!(!dir.path().join("progress.pdf").exists());

        let report = export(DocumentKind::Report, "Report.PDF").expect("report");
        assert!(report.path.ends_with("Report.PDF") && report.pages >= 2);
        let nowhere = export(DocumentKind::ActionPlan, "missing/plan.pdf").expect_err("no folder");
        assert_eq!(nowhere.field.as_deref(), Some("path"));

        // Only files saved this session may be opened; this check runs before the OS is asked.
        let other = dir.path().join("other.pdf");
        std::fs::write(&other, b"%PDF").expect("write");
        let err = open_document(&state, other.display().to_string()).expect_err("not ours");
        assert_eq!(err.code.as_str(), "invalid_input");
        assert!(
            state.saved_documents().check(&saved.path).is_ok(),
            "the saved certificate is known"
        );
    }
}
