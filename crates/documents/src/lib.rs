//! Waymark's printable documents: certificates, the self-review report and the action plan,
//! as PDF files a school can print and send.
//!
//! Two kinds of certificate share one design: [`certificate()`] for an award the institution
//! prints itself once the core says its conditions hold, and [`mark_certificate()`] for an
//! award the awarding body made, as its endpoint recorded it ([`IssuedAward`], with the
//! awarding body's own verification code).
//!
//! Every document is built from what waymark-core computes (progress, award status and its
//! reasons): nothing here re-implements a rule. Text is set in the embedded DejaVu Sans
//! (subset), wrapped with the font's own metrics, so Welsh letters and typographic quotes
//! print and no line runs off the page. Output is deterministic: the same data and "as of"
//! date give the same bytes, so a document can be regenerated and compared.
//!
//! Failures are the core's own [`waymark_core::Error`] (not eligible, issued by the awarding
//! body, an unknown certificate, a full disk…), so every front end reports them with the same
//! codes as everything else.
//!
//! ```no_run
//! # fn main() -> Result<(), waymark_core::Error> {
//! let ws = waymark_core::Workspace::open(std::path::Path::new("data"))?;
//! let review = ws.current_review(None)?;
//! let date = chrono::NaiveDate::from_ymd_opt(2026, 11, 23).unwrap_or_default();
//! let doc = waymark_documents::certificate(&ws, &review, "commitment", date)?;
//! waymark_documents::write_atomically(std::path::Path::new(&doc.file_name), &doc.bytes)?;
//! # Ok(())
//! # }
//! ```

mod action_plan;
mod certificate;
mod chart;
mod fonts;
mod gather;
mod layout;
mod mark;
mod pdf;
mod report;
mod verify;
mod write;

pub use action_plan::action_plan;
pub use certificate::certificate;
pub use mark::{IssuedAward, mark_certificate};
pub use pdf::Document;
pub use report::report;
pub use verify::verification_code;
pub use write::write_atomically;
