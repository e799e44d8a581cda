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
    /// The submission is not assigned to the caller (or does not exist: the endpoint does not
    /// say which).
    #[error(
        "submission {0} is not assigned to you, or does not exist (the endpoint does not say which)"
    )]
    NotAssigned(waymark_protocol::SubmissionId),
    /// A decision on a submission not opened on this computer.
    #[error(
        "you have not opened submission {0} on this computer: an assessor reads a submission before deciding on it"
    )]
    NotOpened(waymark_protocol::SubmissionId),
    /// The submission names the assessor: no decision may be recorded.
    #[error(
        "submission {submission} names you ({}), so you cannot take a decision on it: tell the awarding body, which will assign someone else",
        named_in.join("; ")
    )]
    NotImpartial {
        /// The submission.
        submission: waymark_protocol::SubmissionId,
        /// Where it names the assessor.
        named_in: Vec<String>,
    },
    /// The school sent a newer version since the one opened.
    #[error(
        "the school has sent a new version of submission {submission} (version {current}) since you opened version {opened}: open it again before deciding"
    )]
    NewerVersion {
        /// The submission.
        submission: waymark_protocol::SubmissionId,
        /// The version opened.
        opened: u32,
        /// The newest version.
        current: u32,
    },
    /// A draft cannot be sent as it stands; each problem names its field.
    #[error("the draft cannot be sent yet: {}", problems.iter().map(|p| p.message.as_str()).collect::<Vec<_>>().join("; "))]
    Draft {
        /// What to put right.
        problems: Vec<crate::desk::DraftProblem>,
    },
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

impl Error {
    /// A stable code for front ends and scripts (docs/assessor-errors.md lists them).
    pub fn code(&self) -> String {
        match self {
            Self::Client(e) => e.stable_code(),
            Self::Keychain(e) => e.code().to_owned(),
            Self::NotSignedIn(_) => "not_signed_in".into(),
            Self::Usage(_) => "usage".into(),
            Self::Refused(_) => "refused".into(),
            Self::NotOpened(_) => "not_opened".into(),
            Self::NotAssigned(_) => "not_assigned".into(),
            Self::NotImpartial { .. } => "not_impartial".into(),
            Self::NewerVersion { .. } => "newer_version".into(),
            Self::Draft { .. } => "draft_incomplete".into(),
            Self::Internal(_) => "internal".into(),
            Self::Io { .. } => "io".into(),
        }
    }

    /// The draft's problems, when that is what this is.
    pub fn problems(&self) -> &[crate::desk::DraftProblem] {
        match self {
            Self::Draft { problems } => problems,
            _ => &[],
        }
    }
}

/// The tool's result.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Every code of the assessor's tool and desk of its own, with what it means (besides these,
/// the endpoint's codes for its refusals: docs/api-errors.md).
pub const CODES: &[(&str, &str)] = &[
    (
        "not_signed_in",
        "No assessor is signed in with this profile folder: sign in with the enrollment code the awarding body sent.",
    ),
    (
        "usage",
        "Something given is not what it should be; the message says what.",
    ),
    (
        "refused",
        "A check on what the endpoint sent failed (a signature, a hash, a size, a manifest): nothing was kept and nothing decided.",
    ),
    (
        "not_assigned",
        "The submission is not assigned to you, or does not exist (the endpoint does not say which).",
    ),
    (
        "not_opened",
        "A decision (or a draft) for a submission not opened on this computer: open it first.",
    ),
    (
        "not_impartial",
        "The submission names the assessor (working group, history, editors, preparer): no decision may be recorded; the awarding body assigns someone else.",
    ),
    (
        "newer_version",
        "The school sent a new version since the one opened: open it again before deciding.",
    ),
    (
        "draft_incomplete",
        "The draft cannot be sent as it stands; each problem names its field.",
    ),
    (
        "io",
        "Reading or writing a local file failed; the message names it.",
    ),
    ("internal", "A bug in the tool: please report it."),
    (
        "network_dns",
        "The endpoint's name does not resolve: check the address and that the computer is online.",
    ),
    (
        "network_connect",
        "No connection could be made (offline, or the endpoint is down).",
    ),
    ("network_timeout", "The endpoint did not answer in time."),
    (
        "network_tls",
        "The secure connection failed; the message names the cause (e.g. a web filter's certificate this computer does not trust).",
    ),
    (
        "network_proxy",
        "The proxy refused the connection or wants a password; the message says which variable to set.",
    ),
    (
        "network_other",
        "The connection failed in another way (cut, closed).",
    ),
    (
        "http_status",
        "Something that is not the endpoint answered with an HTTP error (a filter's or proxy's page).",
    ),
    (
        "bad_answer",
        "The endpoint's answer could not be read: is the address a Waymark endpoint?",
    ),
    (
        "keychain_unavailable",
        "No OS keychain is available; Waymark never keeps tokens or keys in a plain file.",
    ),
    (
        "keychain_locked",
        "The OS keychain refused access (locked, or declined): unlock it and try again.",
    ),
    (
        "keychain_missing",
        "The keychain holds no credentials for this assessor (a new computer, a wiped keyring): sign in again with a new code.",
    ),
    (
        "keychain_damaged",
        "The keychain entry is not what Waymark writes: sign in again with a new code.",
    ),
    ("keychain_failed", "The OS keychain failed in another way."),
];

/// docs/assessor-errors.md as [`CODES`] writes it.
pub fn codes_markdown() -> String {
    let mut out = String::from(
        "# Assessor error codes\n\n<!-- Generated from crates/assess/src/error.rs (CODES); a test checks it (WAYMARK_BLESS=1 rewrites it). -->\n\nThe codes of the assessor's workspace in the app (as the `detail` of the `assessment` error) and of `waymark-assess`. Besides these, the endpoint's own code for a refusal ([api-errors.md](api-errors.md)). Codes are stable; messages are for people.\n\n| code | meaning |\n| --- | --- |\n",
    );
    for (code, meaning) in CODES {
        out.push_str(&format!("| `{code}` | {meaning} |\n"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use waymark_protocol::SubmissionId;

    fn samples() -> Vec<Error> {
        let endpoint = || "https://e.example".to_owned();
        let id = SubmissionId::new();
        vec![
            Error::NotSignedIn(PathBuf::new()),
            Error::Usage(String::new()),
            Error::Refused(String::new()),
            Error::NotOpened(id),
            Error::NotAssigned(id),
            Error::NotImpartial {
                submission: id,
                named_in: vec![],
            },
            Error::NewerVersion {
                submission: id,
                opened: 1,
                current: 2,
            },
            Error::Draft { problems: vec![] },
            Error::Internal(String::new()),
            Error::io("x", "y", std::io::Error::other("z")),
            Error::Client(ClientError::Dns {
                endpoint: endpoint(),
            }),
            Error::Client(ClientError::Connect {
                endpoint: endpoint(),
                detail: String::new(),
            }),
            Error::Client(ClientError::Timeout {
                endpoint: endpoint(),
            }),
            Error::Client(ClientError::Tls {
                endpoint: endpoint(),
                detail: String::new(),
            }),
            Error::Client(ClientError::Proxy {
                endpoint: endpoint(),
                detail: String::new(),
            }),
            Error::Client(ClientError::Other {
                endpoint: endpoint(),
                detail: String::new(),
            }),
            Error::Client(ClientError::Status {
                endpoint: endpoint(),
                status: 502,
                snippet: String::new(),
            }),
            Error::Client(ClientError::Decode {
                endpoint: endpoint(),
                detail: String::new(),
            }),
            Error::Client(ClientError::Write(std::io::Error::other("z"))),
            Error::Keychain(KeychainError::Unavailable {
                why: String::new(),
                hint: "",
            }),
            Error::Keychain(KeychainError::Locked(String::new())),
            Error::Keychain(KeychainError::Missing {
                user: String::new(),
                again: "",
            }),
            Error::Keychain(KeychainError::Damaged {
                user: String::new(),
                detail: String::new(),
                again: "",
            }),
            Error::Keychain(KeychainError::Failed(String::new())),
        ]
    }

    #[test]
    fn every_code_of_our_own_is_documented() {
        for e in samples() {
            let code = e.code();
            assert!(
                CODES.iter().any(|(c, _)| *c == code),
                "{code} is not in CODES"
            );
        }
    }

    #[test]
    fn the_published_list_is_generated_from_the_codes() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/assessor-errors.md");
        let want = codes_markdown();
        if std::env::var_os("WAYMARK_BLESS").is_some() {
            std::fs::write(path, &want).unwrap();
        }
        let have = std::fs::read_to_string(path).unwrap_or_default();
        assert!(
            have == want,
            "docs/assessor-errors.md is out of date: run with WAYMARK_BLESS=1"
        );
    }
}
