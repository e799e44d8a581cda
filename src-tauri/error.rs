//! The error every command returns: a stable code for the UI to branch on, a message a person
//! can act on, and the input field it concerns (so the UI shows it next to that field). Codes
//! are the core's one [`ErrorCode`] list (`docs/errors.md`); the shell invents none.

use serde::Serialize;
use ts_rs::TS;
use waymark_core::{Error, ErrorCode};

/// A command's failure, as the UI receives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct CommandError {
    /// Stable machine-readable code (see docs/errors.md).
    pub code: ErrorCode,
    /// What happened and what to do, worded for the app (never a command-line instruction).
    pub message: String,
    /// The input concerned, when there is one (`name`, `email`, `level`, `due_date`, …).
    pub field: Option<String>,
    /// With [`ErrorCode::Submission`]: the submission engine's own code
    /// (docs/submission-errors.md), e.g. `network_proxy`; with [`ErrorCode::Assessment`]: the
    /// assessor workspace's own code, e.g. `tampered` or `not_impartial`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub detail: Option<String>,
}

impl CommandError {
    /// An error the shell itself detects (the OS refused to open a file, a job stopped).
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            field: None,
            detail: None,
        }
    }

    /// The same, about one input field.
    pub fn for_field(code: ErrorCode, field: &str, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            field: Some(field.to_owned()),
            detail: None,
        }
    }
}

impl From<Error> for CommandError {
    fn from(e: Error) -> Self {
        Self::from(&e)
    }
}

impl From<&Error> for CommandError {
    fn from(e: &Error) -> Self {
        let message = match e {
            // The field is shown by the UI beside the input; the message need not repeat it.
            Error::Invalid { message, .. } => message.clone(),
            other => other.to_string(),
        };
        Self {
            code: e.code(),
            field: e.field().map(str::to_owned),
            message,
            detail: None,
        }
    }
}
