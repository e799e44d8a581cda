//! Signed documents: exact bytes plus an Ed25519 signature over them.
//!
//! The body is carried as the bytes that were signed (base64 in JSON), so a verifier checks
//! exactly what the signer signed and then parses it; there is no canonical JSON to get wrong.
//! Each kind of document signs under its own [`Purpose`], so a receipt can never be passed off
//! as an envelope or a key set, nor a key set as an erasure confirmation.

use ed25519_dalek::{Signature, Signer as _, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize, de::DeserializeOwned};

use crate::encoding::{Base64Bytes, decode_base64, encode_base64, random_bytes};
use crate::{ProtocolError, Sha256};

/// What a signature is for; part of the signed message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    /// A school's submission envelope.
    Envelope,
    /// The server's receipt for an envelope.
    Receipt,
    /// The awarding body's key set.
    KeySet,
    /// The server's confirmation that an institution's data was erased.
    Erasure,
}

impl Purpose {
    fn context(self) -> &'static [u8] {
        match self {
            Purpose::Envelope => b"waymark/envelope/1",
            Purpose::Receipt => b"waymark/receipt/1",
            Purpose::KeySet => b"waymark/key-set/1",
            Purpose::Erasure => b"waymark/erasure/1",
        }
    }

    fn name(self) -> &'static str {
        match self {
            Purpose::Envelope => "envelope",
            Purpose::Receipt => "receipt",
            Purpose::KeySet => "key set",
            Purpose::Erasure => "erasure confirmation",
        }
    }

    fn message(self, body: &[u8]) -> Vec<u8> {
        let context = self.context();
        let mut m = Vec::with_capacity(context.len() + 1 + body.len());
        m.extend_from_slice(context);
        m.push(0);
        m.extend_from_slice(body);
        m
    }
}

/// An Ed25519 public key, written `ed25519:<base64 of 32 bytes>`.
#[derive(Clone, Copy, PartialEq, Eq, utoipa::ToSchema)]
#[schema(value_type = String, example = "ed25519:Lq1q…=")]
pub struct PublicKey(pub VerifyingKey);

impl PublicKey {
    /// A short, stable id for the key: the first 16 bytes of SHA-256 of its bytes, in hex.
    pub fn key_id(&self) -> KeyId {
        KeyId(Sha256::of(self.0.as_bytes()).to_hex()[..32].to_owned())
    }
}

impl std::fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PublicKey({})", self)
    }
}

impl std::fmt::Display for PublicKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ed25519:{}", encode_base64(self.0.as_bytes()))
    }
}

impl std::str::FromStr for PublicKey {
    type Err = ProtocolError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let malformed = |detail: String| ProtocolError::Malformed {
            what: "public key",
            detail,
        };
        let b64 = s
            .strip_prefix("ed25519:")
            .ok_or_else(|| malformed("it must start with `ed25519:`".into()))?;
        let bytes: [u8; 32] = decode_base64(b64)?
            .try_into()
            .map_err(|_| malformed("an Ed25519 key is 32 bytes".into()))?;
        VerifyingKey::from_bytes(&bytes)
            .map(PublicKey)
            .map_err(|_| malformed("not a valid Ed25519 point".into()))
    }
}

impl Serialize for PublicKey {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for PublicKey {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d)?
            .parse()
            .map_err(serde::de::Error::custom)
    }
}

/// The id of a signing key ([`PublicKey::key_id`]): 32 hex digits.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(transparent)]
pub struct KeyId(pub String);

impl std::fmt::Display for KeyId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// An Ed25519 private key. Never serialised by this crate: the app keeps it in the OS
/// keychain, the server in a file readable only by its user ([`SecretKey::to_base64`] is for
/// exactly those two places).
pub struct SecretKey(SigningKey);

impl SecretKey {
    /// A new random key.
    pub fn generate() -> Self {
        Self(SigningKey::from_bytes(&random_bytes::<32>()))
    }

    /// The key's public half.
    pub fn public(&self) -> PublicKey {
        PublicKey(self.0.verifying_key())
    }

    /// The 32 secret bytes in base64, for the keychain or the server's key file.
    pub fn to_base64(&self) -> String {
        encode_base64(self.0.as_bytes())
    }

    /// Reads what [`SecretKey::to_base64`] wrote.
    pub fn from_base64(text: &str) -> Result<Self, ProtocolError> {
        let bytes: [u8; 32] =
            decode_base64(text)?
                .try_into()
                .map_err(|_| ProtocolError::Malformed {
                    what: "secret key",
                    detail: "an Ed25519 secret key is 32 bytes".into(),
                })?;
        Ok(Self(SigningKey::from_bytes(&bytes)))
    }

    /// Signs `body` for `purpose`.
    pub fn sign(&self, purpose: Purpose, body: Vec<u8>) -> Signed {
        let signature = self.0.sign(&purpose.message(&body));
        Signed {
            body: Base64Bytes(body),
            signature: Base64Bytes(signature.to_bytes().to_vec()),
            key_id: self.public().key_id(),
        }
    }

    /// Serialises `value` as JSON and signs those bytes.
    pub fn sign_json<T: Serialize>(&self, purpose: Purpose, value: &T) -> Signed {
        // Serialising plain wire structs (strings, numbers, enums) cannot fail.
        #[allow(clippy::expect_used)]
        let body = serde_json::to_vec(value).expect("wire types always serialise");
        self.sign(purpose, body)
    }
}

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SecretKey(public {})", self.public())
    }
}

/// Exact bytes and a signature over them. Verify, then parse ([`Signed::open`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Signed {
    /// The signed bytes (a JSON document), base64.
    pub body: Base64Bytes,
    /// Ed25519 signature over the purpose's context, a zero byte and `body`, base64.
    pub signature: Base64Bytes,
    /// Which key signed ([`PublicKey::key_id`]).
    pub key_id: KeyId,
}

impl Signed {
    /// SHA-256 of the signed body: the document's identity (an envelope's hash in a receipt).
    pub fn body_sha256(&self) -> Sha256 {
        Sha256::of(&self.body.0)
    }

    /// Checks the signature with `key` and returns the body.
    pub fn verify(&self, purpose: Purpose, key: &PublicKey) -> Result<&[u8], ProtocolError> {
        let expected = key.key_id();
        if self.key_id != expected {
            return Err(ProtocolError::WrongKey {
                what: purpose.name(),
                expected: expected.0,
                found: self.key_id.0.clone(),
            });
        }
        let bytes: [u8; 64] =
            self.signature
                .0
                .as_slice()
                .try_into()
                .map_err(|_| ProtocolError::BadSignature {
                    what: purpose.name(),
                })?;
        key.0
            .verify_strict(
                &purpose.message(&self.body.0),
                &Signature::from_bytes(&bytes),
            )
            .map_err(|_| ProtocolError::BadSignature {
                what: purpose.name(),
            })?;
        Ok(&self.body.0)
    }

    /// Checks the signature with `key`, then parses the body as `T`.
    pub fn open<T: DeserializeOwned>(
        &self,
        purpose: Purpose,
        key: &PublicKey,
    ) -> Result<T, ProtocolError> {
        let body = self.verify(purpose, key)?;
        parse_body(purpose, body)
    }

    /// Parses the body **without** checking the signature: only to find out which key should
    /// check it (e.g. the institution an envelope claims to be from). Never trust the result
    /// until [`Signed::open`] has succeeded.
    pub fn peek<T: DeserializeOwned>(&self, purpose: Purpose) -> Result<T, ProtocolError> {
        parse_body(purpose, &self.body.0)
    }
}

fn parse_body<T: DeserializeOwned>(purpose: Purpose, body: &[u8]) -> Result<T, ProtocolError> {
    serde_json::from_slice(body).map_err(|e| ProtocolError::Malformed {
        what: purpose.name(),
        detail: e.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_covers_the_exact_bytes_and_the_purpose() {
        let key = SecretKey::generate();
        let signed = key.sign(Purpose::Envelope, b"{\"a\":1}".to_vec());
        assert_eq!(
            signed.verify(Purpose::Envelope, &key.public()).unwrap(),
            b"{\"a\":1}"
        );

        let mut changed = signed.clone();
        changed.body.0[5] = b'2';
        assert!(matches!(
            changed.verify(Purpose::Envelope, &key.public()),
            Err(ProtocolError::BadSignature { .. })
        ));
        // The same bytes signed as an envelope are not a receipt.
        assert!(signed.verify(Purpose::Receipt, &key.public()).is_err());
        // Another key is named as such.
        let other = SecretKey::generate();
        assert!(matches!(
            signed.verify(Purpose::Envelope, &other.public()),
            Err(ProtocolError::WrongKey { .. })
        ));
    }

    #[test]
    fn keys_round_trip_through_their_text_forms() {
        let key = SecretKey::generate();
        let again = SecretKey::from_base64(&key.to_base64()).unwrap();
        assert_eq!(again.public(), key.public());
        let text = key.public().to_string();
        assert_eq!(text.parse::<PublicKey>().unwrap(), key.public());
        assert!("ed25519:AAAA".parse::<PublicKey>().is_err());
        assert!("rsa:AAAA".parse::<PublicKey>().is_err());
        assert_eq!(key.public().key_id().0.len(), 32);
    }
}
