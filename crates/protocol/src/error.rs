//! Errors: [`ProtocolError`] for the protocol's own checks (a bad signature, a malformed id),
//! and [`ApiError`], the JSON body of every refusal the endpoint sends, with a stable
//! [`ApiErrorCode`] that clients match on (the message is for people and may change).

use serde::{Deserialize, Serialize};

/// What a protocol check found wrong. Each variant has a stable [`ProtocolError::code`].
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ProtocolError {
    /// Text that should have been a particular kind of value was not.
    #[error("malformed {what}: {detail}")]
    Malformed {
        /// What was being read.
        what: &'static str,
        /// What was wrong with it.
        detail: String,
    },
    /// A signature did not verify with the key it names.
    #[error(
        "the {what}'s signature does not verify: it was changed after signing, or signed by another key"
    )]
    BadSignature {
        /// Which document.
        what: &'static str,
    },
    /// A document was signed by a key other than the one expected.
    #[error("the {what} was signed by key {found}, not by the expected key {expected}")]
    WrongKey {
        /// Which document.
        what: &'static str,
        /// The key id expected.
        expected: String,
        /// The key id found.
        found: String,
    },
    /// A key set does not match the fingerprint pinned from the enrollment code, or its chain
    /// of rotations is broken.
    #[error(
        "the awarding body's keys do not match the fingerprint you were given ({detail}); do not send anything and contact the awarding body"
    )]
    KeySetMismatch {
        /// What did not match.
        detail: String,
    },
    /// A document's `format` is one this build does not know.
    #[error(
        "the {what} has format {found}, but this version of Waymark reads format {supported}; update Waymark"
    )]
    UnsupportedFormat {
        /// Which document.
        what: &'static str,
        /// The format it has.
        found: u32,
        /// The format this build reads.
        supported: u32,
    },
    /// Encrypting or decrypting with age failed.
    #[error("encryption: {0}")]
    Crypt(String),
}

impl ProtocolError {
    /// A stable code, safe to match on.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Malformed { .. } => "malformed",
            Self::BadSignature { .. } => "bad_signature",
            Self::WrongKey { .. } => "wrong_key",
            Self::KeySetMismatch { .. } => "key_set_mismatch",
            Self::UnsupportedFormat { .. } => "unsupported_format",
            Self::Crypt(_) => "crypt",
        }
    }
}

/// The body of every error response of the endpoint: `{"code": "...", "message": "..."}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ApiError {
    /// Stable; clients decide on this.
    pub code: ApiErrorCode,
    /// For people: what went wrong and what to do.
    pub message: String,
}

macro_rules! api_codes {
    ($($(#[doc = $doc:literal])* $variant:ident = $text:literal, $status:literal;)*) => {
        /// Every error code the endpoint can answer with. The list, with statuses and meanings,
        /// is published in `docs/api-errors.md` (generated from [`ApiErrorCode::ALL`]).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum ApiErrorCode {
            $($(#[doc = $doc])* $variant,)*
        }

        impl ApiErrorCode {
            /// Every code, in documentation order.
            pub const ALL: &'static [ApiErrorCode] = &[$(ApiErrorCode::$variant,)*];

            /// The code as sent.
            pub fn as_str(self) -> &'static str {
                match self { $(ApiErrorCode::$variant => $text,)* }
            }

            /// The HTTP status the endpoint answers this code with.
            pub fn status(self) -> u16 {
                match self { $(ApiErrorCode::$variant => $status,)* }
            }

            /// The documentation line (the variant's doc comment).
            pub fn meaning(self) -> &'static str {
                match self { $(ApiErrorCode::$variant => concat!($($doc,)*).trim_ascii(),)* }
            }
        }
    };
}

api_codes! {
    /// The request body or a parameter could not be read; the message says which and why.
    BadRequest = "bad_request", 400;
    /// No token, or a token that is unknown, revoked or for another kind of account.
    Unauthorized = "unauthorized", 401;
    /// The token is valid but this account may not do this (e.g. an assessor not assigned).
    Forbidden = "forbidden", 403;
    /// Nothing with that id exists for this account (another institution's data answers this too).
    NotFound = "not_found", 404;
    /// The enrollment code is unknown, already used, revoked or expired.
    EnrollmentCodeInvalid = "enrollment_code_invalid", 400;
    /// The review is not in a state that allows this step; the message names the state.
    TransitionNotAllowed = "transition_not_allowed", 409;
    /// The assessor has declared a link to this institution, or is the same person as the
    /// other role, so cannot review it.
    NotImpartial = "not_impartial", 409;
    /// The envelope's signature does not verify with the institution's registered key.
    BadSignature = "bad_signature", 422;
    /// The envelope lists a blob the server does not hold for this institution.
    MissingBlob = "missing_blob", 422;
    /// The envelope does not fit its submission (wrong institution, award, framework, or a
    /// re-submission of a review that asked for nothing).
    InvalidEnvelope = "invalid_envelope", 422;
    /// The framework or award is not one this awarding body runs.
    UnknownAward = "unknown_award", 422;
    /// An uploaded blob's bytes do not hash to the hash it was declared with; it was discarded.
    BlobHashMismatch = "blob_hash_mismatch", 422;
    /// A tus upload's offset does not match the server's; ask with HEAD and resume from there.
    OffsetMismatch = "offset_mismatch", 409;
    /// A tus chunk's checksum did not match; the chunk was discarded and the offset is unchanged.
    ChecksumMismatch = "checksum_mismatch", 460;
    /// The checksum algorithm is not supported (sha1 and sha256 are).
    ChecksumAlgorithmUnsupported = "checksum_algorithm_unsupported", 400;
    /// The request or blob is larger than allowed, or the institution's storage quota is used up.
    TooLarge = "too_large", 413;
    /// The upload expired before it was finished; start it again.
    UploadExpired = "upload_expired", 410;
    /// The request's content type is not the one this endpoint takes.
    UnsupportedMediaType = "unsupported_media_type", 415;
    /// `Tus-Resumable` is missing or names a version other than 1.0.0.
    TusVersionUnsupported = "tus_version_unsupported", 412;
    /// The institution's data was erased (at its request or the awarding body's); its tokens
    /// no longer work. The awarding body can register it again as a new institution.
    InstitutionErased = "institution_erased", 410;
    /// The submission was deleted: past the awarding body's retention period, or with its
    /// institution's erasure. Nothing of it is kept but its id and when it went.
    SubmissionDeleted = "submission_deleted", 410;
    /// The award's record was deleted (its institution's data was erased, or it expired and
    /// passed the retention period), so it can no longer be verified.
    AwardDeleted = "award_deleted", 410;
    /// The profile has problems; the body's `problems` names each field with its own code.
    InvalidProfile = "invalid_profile", 422;
    /// Too many requests from this token or address; wait and try again (see Retry-After).
    RateLimited = "rate_limited", 429;
    /// The server is starting, stopping or cannot reach its storage; try again shortly.
    Unavailable = "unavailable", 503;
    /// Something failed inside the server; it is logged with the request id.
    Internal = "internal", 500;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_serialise_as_their_stable_text_and_each_has_a_meaning() {
        for code in ApiErrorCode::ALL {
            let json = serde_json::to_string(code).unwrap();
            assert_eq!(json, format!("\"{}\"", code.as_str()));
            assert!(!code.meaning().is_empty(), "{code:?} is undocumented");
            assert!((400..600).contains(&code.status()));
        }
    }
}

/// The text of `docs/api-errors.md`: every code with its status and meaning.
pub fn error_reference() -> String {
    let mut out = String::from(
        "# Endpoint error codes\n\nGenerated from `waymark_protocol::ApiErrorCode` (`WAYMARK_BLESS=1 cargo test -p waymark-protocol error_reference`). Every refusal of the endpoint is JSON `{\"code\": \"…\", \"message\": \"…\"}` with the HTTP status below. Clients decide on `code`; `message` is for people and may change.\n\n| code | status | meaning |\n|---|---|---|\n",
    );
    for code in ApiErrorCode::ALL {
        out.push_str(&format!(
            "| `{}` | {} | {} |\n",
            code.as_str(),
            code.status(),
            code.meaning()
        ));
    }
    out
}

#[cfg(test)]
mod reference_tests {
    #[test]
    fn the_error_reference_is_current() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/api-errors.md");
        let now = super::error_reference();
        if std::env::var_os("WAYMARK_BLESS").is_some() {
            std::fs::write(path, &now).unwrap();
        }
        let committed = std::fs::read_to_string(path).unwrap_or_default();
        assert!(
            committed == now,
            "docs/api-errors.md is stale: run `WAYMARK_BLESS=1 cargo test -p waymark-protocol error_reference`"
        );
    }
}
