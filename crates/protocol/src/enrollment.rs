//! Enrollment codes: how a school (or an assessor) joins an awarding body.
//!
//! The awarding body gives the code out of band (a letter, a phone call, an email from a known
//! address). It carries three things: the endpoint's address, the fingerprint of the awarding
//! body's key set (which the app pins, so it never trusts keys only because a server sent
//! them), and a one-time secret of 130 bits. Written `wm1:<secret>:<fingerprint>:<endpoint>`.

use crate::ProtocolError;
use crate::encoding::random_bytes;
use crate::keys::Fingerprint;

const PREFIX: &str = "wm1";
const ALPHABET: &[u8; 32] = b"abcdefghijkmnpqrstuvwxyz23456789";
/// Characters in a code's secret: 26 × 5 bits = 130 bits.
pub const SECRET_CHARS: usize = 26;

/// A parsed enrollment code.
#[derive(Clone, PartialEq, Eq)]
pub struct EnrollmentCode {
    /// The one-time secret (what the endpoint checks, stored there only as a hash).
    pub secret: String,
    /// The key set fingerprint to pin.
    pub fingerprint: Fingerprint,
    /// The endpoint's base URL.
    pub endpoint: String,
}

impl std::fmt::Debug for EnrollmentCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "EnrollmentCode({} at {}, secret hidden)",
            self.fingerprint, self.endpoint
        )
    }
}

/// A new random secret for a code (or a token): 26 characters of an alphabet without 0/o/1/l.
pub fn random_secret() -> String {
    let bytes = random_bytes::<SECRET_CHARS>();
    bytes
        .iter()
        .map(|b| ALPHABET[usize::from(b & 31)] as char)
        .collect()
}

impl EnrollmentCode {
    /// The code as given to the school.
    pub fn to_text(&self) -> String {
        format!(
            "{PREFIX}:{}:{}:{}",
            self.secret, self.fingerprint.0, self.endpoint
        )
    }

    /// Reads a code as pasted (surrounding spaces and line breaks ignored), saying what part is
    /// wrong.
    pub fn parse(text: &str) -> Result<Self, ProtocolError> {
        let compact: String = text.split_whitespace().collect();
        let malformed = |detail: &str| ProtocolError::Malformed {
            what: "enrollment code",
            detail: format!(
                "{detail}; an enrollment code looks like `wm1:<26 letters>:<32 hex digits>:https://…` — paste the whole code the awarding body sent"
            ),
        };
        let mut parts = compact.splitn(4, ':');
        if parts.next() != Some(PREFIX) {
            return Err(malformed("it does not start with `wm1:`"));
        }
        let secret = parts
            .next()
            .ok_or_else(|| malformed("the secret is missing"))?
            .to_ascii_lowercase();
        if secret.len() != SECRET_CHARS || !secret.bytes().all(|b| ALPHABET.contains(&b)) {
            return Err(malformed("the secret part is mistyped"));
        }
        let fingerprint = Fingerprint::parse(
            parts
                .next()
                .ok_or_else(|| malformed("the key fingerprint is missing"))?,
        )
        .map_err(|_| malformed("the key fingerprint part is mistyped"))?;
        let endpoint = parts
            .next()
            .ok_or_else(|| malformed("the endpoint address is missing"))?
            .trim_end_matches('/')
            .to_owned();
        if !(endpoint.starts_with("https://") || endpoint.starts_with("http://")) {
            return Err(malformed("the endpoint address must start with https://"));
        }
        Ok(Self {
            secret,
            fingerprint,
            endpoint,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_round_trips_and_each_bad_part_is_named() {
        let code = EnrollmentCode {
            secret: random_secret(),
            fingerprint: Fingerprint("0123456789abcdef0123456789abcdef".into()),
            endpoint: "https://endpoint.example.org".into(),
        };
        let text = code.to_text();
        assert_eq!(EnrollmentCode::parse(&text).unwrap(), code);
        // Pasted from an email with a line break and a trailing slash.
        let pasted = format!("  {}\n{}/ ", &text[..20], &text[20..]);
        assert_eq!(EnrollmentCode::parse(&pasted).unwrap(), code);

        let err = EnrollmentCode::parse("hello").unwrap_err().to_string();
        assert!(err.contains("wm1:"), "{err}");
        let typo = text.replacen(&code.secret[..3], "000", 1);
        let err = EnrollmentCode::parse(&typo).unwrap_err().to_string();
        assert!(err.contains("secret part is mistyped"), "{err}");
        let err = EnrollmentCode::parse(&text.replace("https", "ftp"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("https://"), "{err}");
    }

    #[test]
    fn secrets_carry_130_bits_from_a_32_letter_alphabet() {
        let a = random_secret();
        assert_eq!(a.len(), SECRET_CHARS);
        assert_ne!(a, random_secret());
    }
}
