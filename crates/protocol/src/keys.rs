//! The awarding body's key set: who can read submissions (age recipients) and which key signs
//! receipts and the next key set (Ed25519).
//!
//! A school never trusts a key set because a server sent it. The enrollment code, given out of
//! band, carries the [`Fingerprint`] of the key set current when it was issued; the app pins
//! it. Later key sets are accepted only as a chain from the pinned one, each signed by its own
//! signing key *and* by the previous set's ([`verify_chain`]). Old submissions stay readable
//! by the identities they were encrypted to: rotation never re-encrypts.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::ProtocolError;
use crate::crypt::Recipient;
use crate::signed::{KeyId, PublicKey, Purpose, SecretKey, Signed};

/// The version of [`KeySet`] this build writes and reads.
pub const KEY_SET_FORMAT: u32 = 1;

/// One key set of the awarding body, as signed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct KeySet {
    /// [`KEY_SET_FORMAT`].
    pub format: u32,
    /// 1 for the first key set, then one more at each rotation.
    pub version: u32,
    /// The awarding body's name, shown to the school when it enrols.
    pub awarding_body: String,
    /// The endpoint's base URL (e.g. `https://endpoint.example.org`).
    pub endpoint: String,
    /// When this set was made.
    pub issued_at: DateTime<Utc>,
    /// Verifies receipts, award records and the next key set.
    pub signing_key: PublicKey,
    /// Everyone a submission is encrypted to.
    pub recipients: Vec<KeyRecipient>,
    /// The fingerprint of the set this one replaces (`None` for the first).
    pub previous: Option<Fingerprint>,
}

/// One age recipient of the key set.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct KeyRecipient {
    /// Who holds the matching identity, e.g. "Awarding body office" or an assessor's name.
    pub label: String,
    /// The age X25519 recipient (`age1…`).
    pub age: Recipient,
}

/// A key set as published: its signed bytes, signed by its own signing key, and (after a
/// rotation) also by the previous set's signing key.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SignedKeySet {
    /// Signed by this set's own [`KeySet::signing_key`].
    pub signed: Signed,
    /// The same body signed by the previous set's signing key; absent for version 1.
    pub previous_signature: Option<Signed>,
}

/// The identity of a key set, pinned from the enrollment code: 32 hex digits (128 bits of the
/// SHA-256 of the signed body).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(transparent)]
pub struct Fingerprint(pub String);

impl std::fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl Fingerprint {
    /// Reads a fingerprint typed or pasted by a person (case and `-`/space separators ignored).
    pub fn parse(text: &str) -> Result<Self, ProtocolError> {
        let clean: String = text
            .chars()
            .filter(|c| !matches!(c, '-' | ' '))
            .collect::<String>()
            .to_ascii_lowercase();
        if clean.len() == 32 && clean.chars().all(|c| c.is_ascii_hexdigit()) {
            Ok(Self(clean))
        } else {
            Err(ProtocolError::Malformed {
                what: "key fingerprint",
                detail: format!("`{text}` is not 32 hex digits"),
            })
        }
    }

    /// Groups of four, for reading aloud or comparing by eye.
    pub fn grouped(&self) -> String {
        self.0
            .as_bytes()
            .chunks(4)
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect::<Vec<_>>()
            .join("-")
    }
}

impl SignedKeySet {
    /// Signs `set` with its own signing key (`key` must be it) and, for a rotation, with the
    /// previous set's key.
    pub fn sign(
        set: &KeySet,
        key: &SecretKey,
        previous_key: Option<&SecretKey>,
    ) -> Result<Self, ProtocolError> {
        if key.public() != set.signing_key {
            return Err(ProtocolError::WrongKey {
                what: "key set",
                expected: set.signing_key.key_id().0,
                found: key.public().key_id().0,
            });
        }
        let signed = key.sign_json(Purpose::KeySet, set);
        let previous_signature =
            previous_key.map(|k| k.sign(Purpose::KeySet, signed.body.0.clone()));
        Ok(Self {
            signed,
            previous_signature,
        })
    }

    /// This set's fingerprint.
    pub fn fingerprint(&self) -> Fingerprint {
        Fingerprint(self.signed.body_sha256().to_hex()[..32].to_owned())
    }

    /// Checks the self-signature and returns the set. Says nothing about whether the set is
    /// the awarding body's: that is [`verify_chain`]'s job.
    pub fn open_self_signed(&self) -> Result<KeySet, ProtocolError> {
        let set: KeySet = self.signed.peek(Purpose::KeySet)?;
        if set.format != KEY_SET_FORMAT {
            return Err(ProtocolError::UnsupportedFormat {
                what: "key set",
                found: set.format,
                supported: KEY_SET_FORMAT,
            });
        }
        self.signed.verify(Purpose::KeySet, &set.signing_key)?;
        Ok(set)
    }

    /// The signing key's id.
    pub fn key_id(&self) -> &KeyId {
        &self.signed.key_id
    }
}

/// Follows `chain` (oldest first, as the endpoint lists it) from the set whose fingerprint was
/// pinned to the newest, checking every link, and returns the newest set. Sets older than the
/// pinned one are skipped. Refuses when the pinned set is not in the chain, when any set is not
/// self-signed, or when a set is not signed by its predecessor's key.
pub fn verify_chain(pinned: &Fingerprint, chain: &[SignedKeySet]) -> Result<KeySet, ProtocolError> {
    let start = chain
        .iter()
        .position(|s| &s.fingerprint() == pinned)
        .ok_or_else(|| ProtocolError::KeySetMismatch {
            detail: format!(
                "the endpoint did not send the key set with fingerprint {}",
                pinned.grouped()
            ),
        })?;
    let mut current = chain[start].open_self_signed()?;
    let mut current_fingerprint = pinned.clone();
    for next in &chain[start + 1..] {
        let set = next.open_self_signed()?;
        if set.previous.as_ref() != Some(&current_fingerprint) || set.version != current.version + 1
        {
            return Err(ProtocolError::KeySetMismatch {
                detail: format!(
                    "key set {} does not follow key set {}",
                    set.version, current.version
                ),
            });
        }
        let by_previous =
            next.previous_signature
                .as_ref()
                .ok_or_else(|| ProtocolError::KeySetMismatch {
                    detail: format!(
                        "key set {} is not signed by the previous key set's key",
                        set.version
                    ),
                })?;
        if by_previous.body != next.signed.body {
            return Err(ProtocolError::KeySetMismatch {
                detail: format!(
                    "key set {}'s two signatures are over different bytes",
                    set.version
                ),
            });
        }
        by_previous.verify(Purpose::KeySet, &current.signing_key)?;
        current_fingerprint = next.fingerprint();
        current = set;
    }
    Ok(current)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypt::Identity;

    fn set(version: u32, key: &SecretKey, previous: Option<Fingerprint>) -> KeySet {
        KeySet {
            format: KEY_SET_FORMAT,
            version,
            awarding_body: "Board".into(),
            endpoint: "https://endpoint.test".into(),
            issued_at: DateTime::UNIX_EPOCH,
            signing_key: key.public(),
            recipients: vec![KeyRecipient {
                label: "office".into(),
                age: Identity::generate().recipient(),
            }],
            previous,
        }
    }

    #[test]
    fn a_rotation_is_accepted_only_when_the_previous_key_signed_it() {
        let k1 = SecretKey::generate();
        let s1 = SignedKeySet::sign(&set(1, &k1, None), &k1, None).unwrap();
        let pinned = s1.fingerprint();
        assert_eq!(
            verify_chain(&pinned, std::slice::from_ref(&s1))
                .unwrap()
                .version,
            1
        );

        let k2 = SecretKey::generate();
        let s2 = SignedKeySet::sign(&set(2, &k2, Some(pinned.clone())), &k2, Some(&k1)).unwrap();
        assert_eq!(
            verify_chain(&pinned, &[s1.clone(), s2.clone()])
                .unwrap()
                .version,
            2
        );

        // A set made by someone without the old key (the server's disk thief, say) is refused.
        let stranger = SecretKey::generate();
        let forged = SignedKeySet::sign(
            &set(2, &stranger, Some(pinned.clone())),
            &stranger,
            Some(&stranger),
        )
        .unwrap();
        assert!(verify_chain(&pinned, &[s1.clone(), forged]).is_err());

        // A chain without the pinned set is refused, as is an unsigned rotation.
        let unsigned = SignedKeySet {
            previous_signature: None,
            ..s2.clone()
        };
        assert!(verify_chain(&pinned, &[s1.clone(), unsigned]).is_err());
        assert!(verify_chain(&s2.fingerprint(), &[s1]).is_err());
    }

    #[test]
    fn fingerprints_read_as_people_write_them() {
        let f = Fingerprint::parse("ABCD-ef01 2345-6789-abcd-ef01-2345-6789").unwrap();
        assert_eq!(f.0, "abcdef0123456789abcdef0123456789");
        assert_eq!(f.grouped(), "abcd-ef01-2345-6789-abcd-ef01-2345-6789");
        assert!(Fingerprint::parse("abc").is_err());
    }
}
