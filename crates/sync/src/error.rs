//! What can go wrong sending a submission, in words a school lead (or the IT admin they ask)
//! can act on, each with a stable [`SyncError::code`].

use std::path::PathBuf;

use waymark_net::{ClientError, KeychainError};
use waymark_protocol::ProtocolError;

/// A failure of enrolment, packaging, delivery or status.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// The core refused or failed (its message says what to do).
    #[error(transparent)]
    Core(#[from] waymark_core::Error),
    /// Talking to the endpoint failed, or it refused.
    #[error(transparent)]
    Client(#[from] ClientError),
    /// The OS keychain could not be used.
    #[error(transparent)]
    Keychain(#[from] KeychainError),
    /// This data folder is not enrolled with an awarding body.
    #[error(
        "this data folder is not enrolled with an awarding body: run `waymark enroll CODE` with the enrollment code the awarding body sent you"
    )]
    NotEnrolled,
    /// The code or an argument is not what it should be.
    #[error("{0}")]
    Usage(String),
    /// The award's rules are not met (the core's reasons, in order).
    #[error("{title} cannot be applied for yet:\n{}", reasons.iter().map(|r| format!("  • {r}")).collect::<Vec<_>>().join("\n"))]
    NotEligible {
        /// The award's title.
        title: String,
        /// What stands in the way.
        reasons: Vec<String>,
    },
    /// Items showing pupils' personal data were not confirmed.
    #[error(
        "{} evidence item(s) are flagged as showing pupils' personal data and must each be confirmed before they are sent: {}. Check each one, then pass --confirm-personal-data with their ids (or answer the questions when asked interactively)",
        items.len(),
        items.iter().map(|(id, title)| format!("{id} ({title})")).collect::<Vec<_>>().join(", ")
    )]
    PersonalDataUnconfirmed {
        /// Id and title of each unconfirmed item.
        items: Vec<(String, String)>,
    },
    /// Evidence that could not be frozen, so what would be sent is not what was reviewed.
    #[error(
        "{} evidence item(s) could not be frozen, so the submission would not be what was reviewed:\n{}\nFix each one (accept a modified file with `waymark evidence accept ID`, restore or remove a missing one) and submit again",
        items.len(),
        items.iter().map(|i| format!("  • {i}")).collect::<Vec<_>>().join("\n")
    )]
    NotFrozen {
        /// One line per item: what and why.
        items: Vec<String>,
    },
    /// What the endpoint sent failed a check (a key set not from the pinned chain, a receipt
    /// that does not verify): nothing was trusted or recorded.
    #[error("refused: {0}")]
    Refused(String),
    /// A wire format check failed.
    #[error(transparent)]
    Protocol(#[from] ProtocolError),
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
    /// Another process on this computer is delivering this data folder's outbox right now.
    #[error(
        "another Waymark on this computer (the app, or `waymark sync` in another window) is sending this data folder's submissions right now; it carries on there, and nothing is sent twice"
    )]
    Busy,
    /// Network activity is paused by the user (the right to restriction): nothing is sent,
    /// checked or downloaded, and the outbox waits.
    #[error(
        "network activity is paused on this computer (Privacy), so nothing was sent or checked; queued submissions wait. Resume it with `waymark network resume` or on the app's Privacy screen"
    )]
    Restricted,
    /// A bug: a task of the engine itself failed.
    #[error("internal error (please report it): {0}")]
    Internal(String),
}

impl SyncError {
    /// An I/O failure on `path` while doing `what`.
    pub fn io(what: impl Into<String>, path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Self::Io {
            what: what.into(),
            path: path.into(),
            source,
        }
    }

    /// A stable code for scripts and front ends.
    pub fn code(&self) -> String {
        match self {
            Self::Core(e) => e.code().to_string(),
            Self::Client(e) => e.stable_code(),
            Self::Keychain(e) => e.code().to_owned(),
            Self::NotEnrolled => "not_enrolled".into(),
            Self::Usage(_) => "usage".into(),
            Self::NotEligible { .. } => "not_eligible".into(),
            Self::PersonalDataUnconfirmed { .. } => "personal_data_unconfirmed".into(),
            Self::NotFrozen { .. } => "evidence_not_frozen".into(),
            Self::Refused(_) => "refused".into(),
            Self::Protocol(_) => "protocol".into(),
            Self::Io { .. } => "io".into(),
            Self::Busy => "busy".into(),
            Self::Restricted => "network_paused".into(),
            Self::Internal(_) => "internal".into(),
        }
    }

    /// Whether trying again later may succeed without anyone doing anything (the network, the
    /// endpoint being down or busy), as opposed to a refusal someone must act on.
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Client(e) => match e {
                ClientError::Api { status, code, .. } => {
                    *status >= 500
                        || *status == 429
                        || *status == 408
                        || matches!(
                            code,
                            waymark_protocol::ApiErrorCode::OffsetMismatch
                                | waymark_protocol::ApiErrorCode::ChecksumMismatch
                        )
                }
                ClientError::Status { status, .. } => *status >= 500 || *status == 429,
                ClientError::Dns { .. }
                | ClientError::Connect { .. }
                | ClientError::Timeout { .. }
                | ClientError::Other { .. } => true,
                // A proxy needing a password, an untrusted certificate, or an answer that is
                // not the endpoint's: someone must change something, but nothing is lost by
                // trying again later once they have.
                ClientError::Tls { .. }
                | ClientError::Proxy { .. }
                | ClientError::Decode { .. } => true,
                ClientError::Write(_) => false,
            },
            Self::Io { .. } => true,
            _ => false,
        }
    }
}

impl SyncError {
    /// Whether this is a passing glitch worth retrying at once, in place: a connection cut or
    /// closed under the request, the endpoint busy or restarting. Not a connection that could
    /// not be made at all (no network: the outbox's backoff waits for it), a timeout (already a
    /// long wait), a wrong certificate, a proxy wanting a password or a name that does not
    /// resolve: those wait for the network or for someone, and retrying them at once only
    /// delays saying so.
    pub fn is_glitch(&self) -> bool {
        match self {
            Self::Client(e) => match e {
                ClientError::Other { .. } => true,
                ClientError::Api { status, .. } | ClientError::Status { status, .. } => {
                    *status >= 500 || *status == 429 || *status == 408
                }
                _ => false,
            },
            _ => false,
        }
    }
}

/// Every code [`SyncError::code`] gives of its own, with its meaning (the rest are the core's,
/// in docs/errors.md, and the endpoint's, in docs/api-errors.md). docs/submission-errors.md is
/// generated from this list and a test keeps it so.
pub const CODES: &[(&str, &str)] = &[
    (
        "not_enrolled",
        "This data folder is not enrolled with an awarding body: run `waymark enroll CODE`.",
    ),
    (
        "usage",
        "Something typed is not what it should be (an enrollment code, an award, an id); the message says what.",
    ),
    (
        "not_eligible",
        "The award cannot be applied for yet; the message lists the framework's reasons.",
    ),
    (
        "personal_data_unconfirmed",
        "Evidence flagged as showing pupils' personal data was not confirmed; the message lists each item's id.",
    ),
    (
        "evidence_not_frozen",
        "Evidence could not be frozen (modified, missing, unreadable), so what would be sent is not what was reviewed.",
    ),
    (
        "refused",
        "What the endpoint sent failed a check (a key set not from the pinned chain, a receipt that does not verify); nothing was trusted.",
    ),
    (
        "protocol",
        "A document of the wire format could not be read or is not one this version understands.",
    ),
    (
        "io",
        "Reading or writing a local file failed; the message names the file.",
    ),
    (
        "busy",
        "Another Waymark process on this computer (the app or `waymark sync`) is delivering the same outbox; it carries on there.",
    ),
    (
        "network_paused",
        "Network activity is paused on this computer (the right to restriction): nothing is sent or checked, queued submissions wait until it is resumed.",
    ),
    (
        "internal",
        "A bug in Waymark; please report it with the message.",
    ),
    (
        "network_dns",
        "The endpoint's name does not resolve: check the address and that the computer is online.",
    ),
    (
        "network_connect",
        "No connection could be made (offline, or the endpoint is down); queued submissions wait and are sent later.",
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
        "The connection failed in another way (cut, closed); delivery retries.",
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
        "The keychain holds no credentials for this enrollment (a new computer, a wiped keyring): enrol again with a new code.",
    ),
    (
        "keychain_damaged",
        "The keychain entry is not what Waymark writes: enrol again with a new code.",
    ),
    ("keychain_failed", "The OS keychain failed in another way."),
];

/// docs/submission-errors.md as [`CODES`] writes it.
pub fn codes_markdown() -> String {
    let mut out = String::from(
        "# Submission error codes\n\n<!-- Generated from crates/sync/src/error.rs (CODES); a test checks it (WAYMARK_BLESS=1 rewrites it). -->\n\nThe codes of `waymark enroll`, `submit`, `sync`, `submissions` and `receipt`, printed with `--json` as `{\"error\":{\"code\":…,\"message\":…}}`. Besides these, a submission command may give a core code ([errors.md](errors.md)) or the endpoint's own code for a refusal ([api-errors.md](api-errors.md)). Codes are stable; messages are for people.\n\n| code | meaning |\n| --- | --- |\n",
    );
    for (code, meaning) in CODES {
        out.push_str(&format!("| `{code}` | {meaning} |\n"));
    }
    out
}

/// The engine's result.
pub type Result<T, E = SyncError> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    fn samples() -> Vec<SyncError> {
        let endpoint = || "https://e.example".to_owned();
        vec![
            SyncError::NotEnrolled,
            SyncError::Usage(String::new()),
            SyncError::NotEligible {
                title: String::new(),
                reasons: vec![],
            },
            SyncError::PersonalDataUnconfirmed { items: vec![] },
            SyncError::NotFrozen { items: vec![] },
            SyncError::Refused(String::new()),
            SyncError::Protocol(ProtocolError::Crypt(String::new())),
            SyncError::io("x", "y", std::io::Error::other("z")),
            SyncError::Busy,
            SyncError::Internal(String::new()),
            SyncError::Client(ClientError::Dns {
                endpoint: endpoint(),
            }),
            SyncError::Client(ClientError::Connect {
                endpoint: endpoint(),
                detail: String::new(),
            }),
            SyncError::Client(ClientError::Timeout {
                endpoint: endpoint(),
            }),
            SyncError::Client(ClientError::Tls {
                endpoint: endpoint(),
                detail: String::new(),
            }),
            SyncError::Client(ClientError::Proxy {
                endpoint: endpoint(),
                detail: String::new(),
            }),
            SyncError::Client(ClientError::Other {
                endpoint: endpoint(),
                detail: String::new(),
            }),
            SyncError::Client(ClientError::Status {
                endpoint: endpoint(),
                status: 502,
                snippet: String::new(),
            }),
            SyncError::Client(ClientError::Decode {
                endpoint: endpoint(),
                detail: String::new(),
            }),
            SyncError::Client(ClientError::Write(std::io::Error::other("z"))),
            SyncError::Keychain(KeychainError::Unavailable {
                why: String::new(),
                hint: "",
            }),
            SyncError::Keychain(KeychainError::Locked(String::new())),
            SyncError::Keychain(KeychainError::Missing {
                user: String::new(),
                again: "",
            }),
            SyncError::Keychain(KeychainError::Damaged {
                user: String::new(),
                detail: String::new(),
                again: "",
            }),
            SyncError::Keychain(KeychainError::Failed(String::new())),
            SyncError::Restricted,
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
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../docs/submission-errors.md"
        );
        let want = codes_markdown();
        if std::env::var_os("WAYMARK_BLESS").is_some() {
            std::fs::write(path, &want).unwrap();
        }
        let have = std::fs::read_to_string(path).unwrap_or_default();
        assert!(
            have == want,
            "docs/submission-errors.md is out of date: run with WAYMARK_BLESS=1"
        );
    }
}
