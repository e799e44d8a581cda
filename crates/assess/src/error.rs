//! What can go wrong, in words an assessor can act on. The binary prints `error: ` and the
//! message, and exits 1.

use std::path::PathBuf;

use crate::client::ClientError;
use crate::keychain::KeychainError;

/// A failure of one of the tool's commands.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Talking to the endpoint failed, or it refused.
    #[error(transparent)]
    Client(#[from] ClientError),
    /// The OS keychain could not be used.
    #[error(transparent)]
    Keychain(#[from] KeychainError),
    /// No profile: nobody signed in with this settings folder.
    #[error(
        "not signed in (no settings in {0}): run `waymark-assess sign-in CODE` with the enrollment code the awarding body sent you"
    )]
    NotSignedIn(PathBuf),
    /// Something the user typed is not what it should be.
    #[error("{0}")]
    Usage(String),
    /// A check on what the endpoint sent failed: nothing was written and nothing decided.
    #[error("refused: {0}")]
    Refused(String),
    /// A bug: a task of the tool itself failed.
    #[error("internal error (please report it): {0}")]
    Internal(String),
    /// Reading or writing a local file failed.
    #[error("{what} ({}): {source}", path.display())]
    Io {
        /// What was being done.
        what: String,
        /// The file or folder.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
}

impl Error {
    /// An I/O failure on `path` while doing `what`.
    pub fn io(what: impl Into<String>, path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Self::Io {
            what: what.into(),
            path: path.into(),
            source,
        }
    }
}

/// The tool's result.
pub type Result<T, E = Error> = std::result::Result<T, E>;
