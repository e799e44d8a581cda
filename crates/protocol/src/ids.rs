//! Identifiers and hashes, validated when they are read so that nothing downstream (a file
//! name in the blob store, a database key) ever sees an unchecked string.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use sha2::Digest as _;
use uuid::Uuid;

use crate::ProtocolError;
use crate::encoding::{decode_hex, encode_hex};

macro_rules! uuid_id {
    ($(#[$doc:meta])* $name:ident, $what:literal) => {
        $(#[$doc])*
        #[derive(
            Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
            utoipa::ToSchema,
        )]
        #[serde(transparent)]
        #[schema(value_type = String, format = Uuid)]
        pub struct $name(pub Uuid);

        impl $name {
            /// A new, time-ordered id (UUID v7).
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.hyphenated().fmt(f)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!(stringify!($name), "({})"), self.0)
            }
        }

        impl FromStr for $name {
            type Err = ProtocolError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s.trim()).map(Self).map_err(|_| ProtocolError::Malformed {
                    what: $what,
                    detail: format!("`{s}` is not an id (expected a UUID such as 0190c7a2-…)"),
                })
            }
        }
    };
}

uuid_id!(
    /// An institution (school or college) registered with the awarding body.
    InstitutionId,
    "institution id"
);
uuid_id!(
    /// One application for an award; its re-submissions keep the same id.
    SubmissionId,
    "submission id"
);
uuid_id!(
    /// An assessor or moderator account of the awarding body.
    AssessorId,
    "assessor id"
);

/// A SHA-256 digest, written as 64 lowercase hex digits. Blobs are addressed by the SHA-256 of
/// their ciphertext, which is what the server can check.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, utoipa::ToSchema)]
#[schema(value_type = String, pattern = "^[0-9a-f]{64}$")]
pub struct Sha256(pub [u8; 32]);

impl Sha256 {
    /// The digest of `bytes`.
    pub fn of(bytes: &[u8]) -> Self {
        Self(sha2::Sha256::digest(bytes).into())
    }

    /// The hex form (64 lowercase digits), safe to use as a file or object name.
    pub fn to_hex(&self) -> String {
        encode_hex(&self.0)
    }
}

impl fmt::Display for Sha256 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl fmt::Debug for Sha256 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Sha256({})", self.to_hex())
    }
}

impl FromStr for Sha256 {
    type Err = ProtocolError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        decode_hex::<32>(s)
            .map(Self)
            .ok_or_else(|| ProtocolError::Malformed {
                what: "SHA-256 hash",
                detail: format!("`{s}` is not 64 hex digits"),
            })
    }
}

impl Serialize for Sha256 {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_hex())
    }
}

impl<'de> Deserialize<'de> for Sha256 {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// A framework by id and version, as the awarding body published it.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
pub struct FrameworkRef {
    /// The framework's id, e.g. `technology-self-review`.
    pub id: String,
    /// Its version, e.g. `1.0`.
    pub version: String,
}

/// Checks a short identifier written by people (framework, award and benchmark ids): 1 to 100
/// characters of letters, digits, `.`, `-` and `_`, so it can never be a path or markup.
pub fn check_label(what: &'static str, value: &str) -> Result<(), ProtocolError> {
    let ok = !value.is_empty()
        && value.len() <= 100
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'));
    if ok {
        Ok(())
    } else {
        Err(ProtocolError::Malformed {
            what,
            detail: format!(
                "`{value}` is not a valid {what}: use 1 to 100 letters, digits, '.', '-' or '_'"
            ),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_parse_only_uuids() {
        let id = SubmissionId::new();
        assert_eq!(id.to_string().parse::<SubmissionId>().unwrap(), id);
        let err = "../../etc/passwd".parse::<SubmissionId>().unwrap_err();
        assert!(err.to_string().contains("submission id"), "{err}");
    }

    #[test]
    fn hashes_are_64_hex_digits_and_nothing_else() {
        let h = Sha256::of(b"abc");
        assert_eq!(
            h.to_hex(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(h.to_hex().parse::<Sha256>().unwrap(), h);
        assert!("ba78".parse::<Sha256>().is_err());
        assert!(serde_json::from_str::<Sha256>("\"../x\"").is_err());
    }

    #[test]
    fn labels_refuse_paths_and_markup() {
        assert!(check_label("benchmark id", "E1.S1.A1").is_ok());
        assert!(check_label("benchmark id", "../x").is_err());
        assert!(check_label("benchmark id", "<b>").is_err());
        assert!(check_label("benchmark id", "").is_err());
    }
}
