//! The core's error type: every message says what happened and what the user can do, and every
//! variant has a stable code the UI and scripts can match on.

use std::path::{Path, PathBuf};

use crate::framework::FrameworkError;

/// Result with the core's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in the core.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A framework file was refused.
    #[error(transparent)]
    Framework(#[from] FrameworkError),
    /// SQLite failed.
    #[error("The Waymark database at {} could not be used ({source}). If another copy of Waymark is using it, close that one; otherwise check that the disk has space and the folder can be written to.", path.display())]
    Database {
        /// The database file.
        path: PathBuf,
        /// What SQLite said.
        source: rusqlite::Error,
    },
    /// The data folder could not be made or read.
    #[error("The data folder {} could not be used ({source}). Choose a folder you can write to with --data-dir or WAYMARK_DATA_DIR.", path.display())]
    DataDir {
        /// The folder.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// The database is from a newer Waymark.
    #[error("The database at {} was written by a newer Waymark (data version {found}; this Waymark understands up to {supported}). Update Waymark to open it; nothing has been changed.", path.display())]
    SchemaTooNew {
        /// The database file.
        path: PathBuf,
        /// Its schema version.
        found: i64,
        /// The newest this build knows.
        supported: i64,
    },
    /// Something named by the user does not exist.
    #[error("{what} {id:?} was not found. {hint}")]
    NotFound {
        /// What kind of thing ("Benchmark", "Framework", "Future action").
        what: &'static str,
        /// The id given.
        id: String,
        /// What to do, e.g. which ids exist.
        hint: String,
    },
    /// User input broke a rule; `field` says which input.
    #[error("{field}: {message}")]
    Invalid {
        /// The input concerned ("level", "email", "--due").
        field: String,
        /// What is wrong and how to fix it.
        message: String,
    },
    /// No review is registered yet.
    #[error(
        "No self-review is registered yet. Register first: choose a framework and enter the institution's name (`waymark init --framework ID --institution NAME`)."
    )]
    NotRegistered,
    /// The user cancelled a long operation; nothing was saved.
    #[error("Cancelled; nothing was changed.")]
    Cancelled,
    /// The edit was based on an older revision than the one stored.
    #[error(
        "{benchmark} was changed by {by} at {at} since you opened it. Your text has not been lost: reload to see both versions and choose."
    )]
    Conflict {
        /// The benchmark.
        benchmark: String,
        /// Who made the newer change.
        by: String,
        /// When.
        at: String,
    },
}

impl Error {
    /// A stable, machine-readable code for the UI and scripts.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Framework(_) => "framework_invalid",
            Error::Database { .. } => "database",
            Error::DataDir { .. } => "data_dir",
            Error::SchemaTooNew { .. } => "schema_too_new",
            Error::NotFound { .. } => "not_found",
            Error::Invalid { .. } => "invalid_input",
            Error::NotRegistered => "not_registered",
            Error::Conflict { .. } => "conflict",
            Error::Cancelled => "cancelled",
        }
    }

    /// Shorthand for [`Error::Invalid`].
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Invalid {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// Attaches the database path to SQLite errors.
pub(crate) trait AtPath<T> {
    fn at(self, path: &Path) -> Result<T>;
}

impl<T> AtPath<T> for rusqlite::Result<T> {
    fn at(self, path: &Path) -> Result<T> {
        self.map_err(|source| Error::Database {
            path: path.to_owned(),
            source,
        })
    }
}
