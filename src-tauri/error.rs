//! The error every command returns: a stable code for the UI to branch on, a message a person
//! can act on, and the input field it concerns (so the UI shows it next to that field).

use serde::Serialize;
use ts_rs::TS;
use waymark_core::Error;

/// A command's failure, as the UI receives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct CommandError {
    /// Stable machine-readable code (`invalid_input`, `not_found`, `conflict`, …).
    pub code: String,
    /// What happened and what to do.
    pub message: String,
    /// The input concerned, when there is one (`name`, `email`, `level`, `due_date`, …).
    pub field: Option<String>,
}

impl From<Error> for CommandError {
    fn from(e: Error) -> Self {
        let field = match &e {
            Error::Invalid { field, .. } => Some(field.clone()),
            _ => None,
        };
        let message = match &e {
            // The field is shown by the UI beside the input; the message need not repeat it.
            Error::Invalid { message, .. } => message.clone(),
            other => other.to_string(),
        };
        Self {
            code: e.code().to_owned(),
            message,
            field,
        }
    }
}
