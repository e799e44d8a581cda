//! Byte encodings used on the wire: standard base64 for bodies, signatures and keys; lowercase
//! hex for hashes. One place, so every crate reads and writes them alike.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::ProtocolError;

/// Bytes carried as standard base64 in JSON (signed bodies, signatures).
#[derive(Clone, PartialEq, Eq, utoipa::ToSchema)]
#[schema(value_type = String, format = Byte)]
pub struct Base64Bytes(pub Vec<u8>);

impl std::fmt::Debug for Base64Bytes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Base64Bytes({} bytes)", self.0.len())
    }
}

impl Serialize for Base64Bytes {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&STANDARD.encode(&self.0))
    }
}

impl<'de> Deserialize<'de> for Base64Bytes {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        decode_base64(&text)
            .map(Base64Bytes)
            .map_err(serde::de::Error::custom)
    }
}

/// Standard base64 with padding.
pub fn encode_base64(bytes: &[u8]) -> String {
    STANDARD.encode(bytes)
}

/// Reads standard base64, saying what was wrong.
pub fn decode_base64(text: &str) -> Result<Vec<u8>, ProtocolError> {
    STANDARD
        .decode(text.trim())
        .map_err(|e| ProtocolError::Malformed {
            what: "base64",
            detail: e.to_string(),
        })
}

/// Lowercase hex.
pub fn encode_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(DIGITS[usize::from(b >> 4)] as char);
        out.push(DIGITS[usize::from(b & 0xf)] as char);
    }
    out
}

/// Reads lowercase or uppercase hex of exactly `N` bytes.
pub fn decode_hex<const N: usize>(text: &str) -> Option<[u8; N]> {
    let bytes = text.as_bytes();
    if bytes.len() != N * 2 {
        return None;
    }
    let mut out = [0u8; N];
    for (i, pair) in bytes.chunks_exact(2).enumerate() {
        let hi = (pair[0] as char).to_digit(16)?;
        let lo = (pair[1] as char).to_digit(16)?;
        out[i] = u8::try_from(hi * 16 + lo).ok()?;
    }
    Some(out)
}

/// Fresh random bytes from the operating system.
pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut out = [0u8; N];
    // The OS random source failing means the machine cannot make keys or tokens at all; there
    // is nothing safe to fall back to.
    #[allow(clippy::expect_used)]
    getrandom::fill(&mut out).expect("the operating system's random number source failed");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trips_and_refuses_wrong_lengths_and_digits() {
        let bytes = [0u8, 1, 0xab, 0xff];
        let text = encode_hex(&bytes);
        assert_eq!(text, "0001abff");
        assert_eq!(decode_hex::<4>(&text), Some(bytes));
        assert_eq!(decode_hex::<4>("0001ABFF"), Some(bytes));
        assert_eq!(decode_hex::<4>("0001abf"), None);
        assert_eq!(decode_hex::<4>("0001abfg"), None);
        assert_eq!(decode_hex::<3>("0001abff"), None);
    }

    #[test]
    fn bad_base64_says_so() {
        let err = decode_base64("not base64!").unwrap_err();
        assert!(err.to_string().contains("base64"), "{err}");
    }
}
