//! What can go wrong making a document, in words that say what to do next.
//!
//! Every variant maps onto one of waymark-core's stable error codes (see
//! [`DocumentError::code`] and the `From` conversion), so the command line and the desktop
//! shell report document failures exactly as they report every other failure.

use std::path::PathBuf;

use waymark_core::Error;

/// Everything that can go wrong making or saving a document.
#[derive(Debug, thiserror::Error)]
pub enum DocumentError {
    /// Reading the review failed.
    #[error(transparent)]
    Core(#[from] Error),
    /// The framework has no award with that id.
    #[error(
        "The framework has no certificate called {id:?}. Certificates you can print: {available}."
    )]
    UnknownAward {
        /// The id given.
        id: String,
        /// The self-issued awards, for the message.
        available: String,
    },
    /// The award is decided by the awarding body, not printed by the school.
    #[error(
        "The {title} is awarded by {awarding_body} after assessment, so it cannot be printed here. When every condition is met, apply to the awarding body; they issue the award."
    )]
    NotSelfIssued {
        /// The award's title.
        title: String,
        /// Who awards it.
        awarding_body: String,
    },
    /// The award's conditions do not hold yet.
    #[error("The {title} is not available yet: {}. It can be printed as soon as every condition is met.", reasons.join("; "))]
    NotAvailable {
        /// The award's title.
        title: String,
        /// What stands in the way, as the core words it.
        reasons: Vec<String>,
    },
    /// The folder to save into does not exist.
    #[error("The folder {} does not exist. Create it first or choose another place to save the document.", folder.display())]
    NoFolder {
        /// The folder.
        folder: PathBuf,
    },
    /// Writing the file failed.
    #[error("The document could not be saved as {} ({source}). Check that the folder can be written to, that the disk has space and that the file is not open in another program.", path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// The PDF library failed (a fault in Waymark, not in the data).
    #[error("The PDF could not be produced ({0}). This is a fault in Waymark; please report it.")]
    Pdf(String),
}

impl DocumentError {
    /// The stable, machine-readable code, the same as the core error this maps to.
    pub fn code(&self) -> &'static str {
        match self {
            DocumentError::Core(e) => e.code(),
            DocumentError::UnknownAward { .. } => "not_found",
            DocumentError::NotSelfIssued { .. }
            | DocumentError::NotAvailable { .. }
            | DocumentError::NoFolder { .. }
            | DocumentError::Write { .. }
            | DocumentError::Pdf(_) => "invalid_input",
        }
    }

    /// The input at fault, for forms that highlight a field.
    pub fn field(&self) -> Option<&'static str> {
        match self {
            DocumentError::NotSelfIssued { .. } | DocumentError::NotAvailable { .. } => {
                Some("award")
            }
            DocumentError::NoFolder { .. } | DocumentError::Write { .. } => Some("path"),
            _ => None,
        }
    }
}

impl From<DocumentError> for Error {
    /// Front ends that speak only the core's error type keep the full message and the code.
    fn from(e: DocumentError) -> Self {
        match e {
            DocumentError::Core(e) => e,
            DocumentError::UnknownAward { id, available } => Error::NotFound {
                what: "Certificate",
                id,
                hint: format!("Certificates you can print: {available}."),
            },
            other => {
                let field = other.field().unwrap_or("document");
                Error::invalid(field, other.to_string())
            }
        }
    }
}
