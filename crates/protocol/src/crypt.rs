//! Encryption in the age format (X25519 recipients), with Padmé padding.
//!
//! Everything a school sends is encrypted with age to every recipient of the awarding body's
//! key set: the standard `age` tool can decrypt it with an identity file (tested). Each blob's
//! plaintext is padded with zeros to its Padmé length *inside* the encryption, so the size the
//! endpoint sees tells it at most the file's size to within about 12%, not which known file it
//! is. The manifest records each blob's true size; decryption checks the padding is zeros.

use std::io::{self, Read, Write};

use age::secrecy::ExposeSecret as _;
use serde::{Deserialize, Serialize};

use crate::ProtocolError;

/// An age X25519 recipient (`age1…`): a public key anyone may hold.
#[derive(Clone, PartialEq, Eq, utoipa::ToSchema)]
#[schema(value_type = String, example = "age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p")]
pub struct Recipient(age::x25519::Recipient);

impl Recipient {
    /// The age recipient, for an encryptor.
    pub fn as_age(&self) -> &age::x25519::Recipient {
        &self.0
    }
}

impl std::fmt::Debug for Recipient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Recipient({})", self.0)
    }
}

impl std::fmt::Display for Recipient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::str::FromStr for Recipient {
    type Err = ProtocolError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        s.trim()
            .parse::<age::x25519::Recipient>()
            .map(Recipient)
            .map_err(|e| ProtocolError::Malformed {
                what: "age recipient",
                detail: format!("`{s}`: {e}"),
            })
    }
}

impl Serialize for Recipient {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Recipient {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d)?
            .parse()
            .map_err(serde::de::Error::custom)
    }
}

/// An age X25519 identity (private). Kept in the OS keychain or an identity file; never sent.
pub struct Identity(age::x25519::Identity);

impl Identity {
    /// A new random identity.
    pub fn generate() -> Self {
        Self(age::x25519::Identity::generate())
    }

    /// Its public recipient.
    pub fn recipient(&self) -> Recipient {
        Recipient(self.0.to_public())
    }

    /// The `AGE-SECRET-KEY-1…` text, as in an age identity file.
    pub fn to_secret_text(&self) -> String {
        self.0.to_string().expose_secret().to_owned()
    }

    /// Reads an identity: the `AGE-SECRET-KEY-1…` line, or a whole identity file as the `age`
    /// tool writes it (comment lines starting with `#` are skipped).
    pub fn from_secret_text(text: &str) -> Result<Self, ProtocolError> {
        let line = text
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty() && !l.starts_with('#'))
            .unwrap_or("");
        line.parse::<age::x25519::Identity>()
            .map(Identity)
            .map_err(|e| ProtocolError::Malformed {
                what: "age identity",
                detail: e.to_string(),
            })
    }
}

impl std::fmt::Debug for Identity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Identity(recipient {})", self.recipient())
    }
}

/// The Padmé padded length of a `len`-byte plaintext: at most ~12% larger, and leaks
/// O(log log len) bits of the length.
pub fn padded_len(len: u64) -> u64 {
    if len < 2 {
        return len;
    }
    let e = 63 - u64::from(len.leading_zeros()); // floor(log2 len)
    let s = 64 - u64::from(e.leading_zeros()); // floor(log2 e) + 1
    let last_bits = e - s;
    let mask = (1u64 << last_bits) - 1;
    (len + mask) & !mask
}

fn crypt_error(e: impl std::fmt::Display) -> ProtocolError {
    ProtocolError::Crypt(e.to_string())
}

/// Encrypts exactly `plain_len` bytes from `plain`, padded to [`padded_len`], to every one of
/// `recipients`, writing the age file to `out`. Fails if `plain` holds fewer bytes.
pub fn encrypt_padded(
    mut plain: impl Read,
    plain_len: u64,
    recipients: &[Recipient],
    out: impl Write,
) -> Result<(), ProtocolError> {
    if recipients.is_empty() {
        return Err(ProtocolError::Crypt(
            "the awarding body's key set names no recipients".into(),
        ));
    }
    let encryptor =
        age::Encryptor::with_recipients(recipients.iter().map(|r| &r.0 as &dyn age::Recipient))
            .map_err(crypt_error)?;
    let mut writer = encryptor.wrap_output(out).map_err(crypt_error)?;
    let copied = io::copy(&mut (&mut plain).take(plain_len), &mut writer).map_err(crypt_error)?;
    if copied != plain_len {
        return Err(ProtocolError::Crypt(format!(
            "the file ended after {copied} of {plain_len} bytes (it changed while being read)"
        )));
    }
    io::copy(
        &mut io::repeat(0).take(padded_len(plain_len) - plain_len),
        &mut writer,
    )
    .map_err(crypt_error)?;
    // finish() writes the last chunk and its tag; without it the file is silently truncated.
    writer.finish().map_err(crypt_error)?;
    Ok(())
}

/// [`encrypt_padded`] over bytes in memory.
pub fn encrypt_bytes(plain: &[u8], recipients: &[Recipient]) -> Result<Vec<u8>, ProtocolError> {
    let mut out = Vec::with_capacity(plain.len() + 1024);
    encrypt_padded(plain, plain.len() as u64, recipients, &mut out)?;
    Ok(out)
}

/// Decrypts an age file with `identity`, writes the first `plain_len` bytes to `out` and checks
/// that the rest is exactly the zero padding [`encrypt_padded`] adds.
pub fn decrypt_padded(
    cipher: impl Read,
    identity: &Identity,
    plain_len: u64,
    mut out: impl Write,
) -> Result<(), ProtocolError> {
    let decryptor =
        age::Decryptor::new_buffered(io::BufReader::new(cipher)).map_err(crypt_error)?;
    let mut reader = decryptor
        .decrypt(std::iter::once(&identity.0 as &dyn age::Identity))
        .map_err(crypt_error)?;
    let copied = io::copy(&mut (&mut reader).take(plain_len), &mut out).map_err(crypt_error)?;
    if copied != plain_len {
        return Err(ProtocolError::Crypt(format!(
            "the encrypted file holds {copied} bytes, not the {plain_len} its manifest says"
        )));
    }
    let mut rest = Vec::new();
    reader.read_to_end(&mut rest).map_err(crypt_error)?;
    if rest.len() as u64 != padded_len(plain_len) - plain_len || rest.iter().any(|b| *b != 0) {
        return Err(ProtocolError::Crypt(
            "the encrypted file's padding is not what Waymark writes".into(),
        ));
    }
    Ok(())
}

/// Decrypts a padded document whose length is not known in advance (the manifest: JSON, which
/// never ends in a zero byte), removing the padding.
pub fn decrypt_document(cipher: &[u8], identity: &Identity) -> Result<Vec<u8>, ProtocolError> {
    let decryptor = age::Decryptor::new_buffered(cipher).map_err(crypt_error)?;
    let mut reader = decryptor
        .decrypt(std::iter::once(&identity.0 as &dyn age::Identity))
        .map_err(crypt_error)?;
    let mut plain = Vec::new();
    reader.read_to_end(&mut plain).map_err(crypt_error)?;
    let end = plain.iter().rposition(|b| *b != 0).map_or(0, |i| i + 1);
    if padded_len(end as u64) != plain.len() as u64 {
        return Err(ProtocolError::Crypt(
            "the encrypted document's padding is not what Waymark writes".into(),
        ));
    }
    plain.truncate(end);
    Ok(plain)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn padme_grows_by_at_most_twelve_percent_and_never_shrinks() {
        assert_eq!(padded_len(0), 0);
        assert_eq!(padded_len(1), 1);
        assert_eq!(padded_len(9), 10);
        assert_eq!(padded_len(1000), 1024);
        for len in [2u64, 3, 100, 1234, 65_536, 1_000_001, 5_000_000_000] {
            let p = padded_len(len);
            assert!(p >= len);
            assert!((p - len) as f64 <= len as f64 * 0.12 + 1.0, "{len} -> {p}");
            assert_eq!(padded_len(p), p, "padding is idempotent at {len}");
        }
    }

    #[test]
    fn only_a_recipient_can_decrypt_and_the_bytes_come_back_exactly() {
        let board = Identity::generate();
        let assessor = Identity::generate();
        let plain = b"commentary that names a pupil".repeat(100);
        let cipher = encrypt_bytes(&plain, &[board.recipient(), assessor.recipient()]).unwrap();
        assert!(!cipher.windows(9).any(|w| w == b"names a p"));

        for who in [&board, &assessor] {
            let mut out = Vec::new();
            decrypt_padded(&cipher[..], who, plain.len() as u64, &mut out).unwrap();
            assert_eq!(out, plain);
        }
        let stranger = Identity::generate();
        assert!(decrypt_padded(&cipher[..], &stranger, plain.len() as u64, Vec::new()).is_err());
        // A manifest that lies about the size is caught.
        assert!(decrypt_padded(&cipher[..], &board, plain.len() as u64 - 1, Vec::new()).is_err());
    }

    #[test]
    fn documents_lose_their_padding() {
        let id = Identity::generate();
        let cipher = encrypt_bytes(b"{\"a\":1}", &[id.recipient()]).unwrap();
        assert_eq!(decrypt_document(&cipher, &id).unwrap(), b"{\"a\":1}");
    }

    #[test]
    fn identities_read_from_an_age_identity_file() {
        let id = Identity::generate();
        let file = format!(
            "# created: 2026-12-01\n# public key: {}\n{}\n",
            id.recipient(),
            id.to_secret_text()
        );
        let again = Identity::from_secret_text(&file).unwrap();
        assert_eq!(again.recipient(), id.recipient());
        assert!(Identity::from_secret_text("nonsense").is_err());
    }
}
