//! Encryption at rest: no Waymark file in a data folder can be read without the OS keychain.
//!
//! Each data folder has one random 256-bit master key ([`DataKey`]), kept only in a
//! [`KeyStore`]: the OS keychain ([`OsKeychain`], service [`KEYCHAIN_SERVICE`], entry
//! `data-key:<key_id>`) in production, or [`EphemeralKeys`] for a folder that lives only as
//! long as the process (a report replayed in a temporary folder, in-process tests). The folder
//! itself holds only `encryption.json`, which names the entry (`key_id`) and carries a short
//! check value of the key (so a wrong key is told apart from a damaged file); never the key.
//!
//! Three subkeys are derived from the master key with BLAKE3's key derivation, each under its
//! own context string, so none reveals another:
//!
//! - the database key: SQLCipher's raw key (`PRAGMA key = "x'…'"`, no PBKDF2 on open);
//! - the vault naming key: a vault file is named by the keyed BLAKE3 of its content's BLAKE3,
//!   so a file name does not tell a thief which known file is there;
//! - the vault identity: an age X25519 identity; vault files are standard age files to its
//!   recipient (the `age` tool decrypts one given the identity).
//!
//! [`folder`] decides, on every open, whether a folder is new, encrypted, or an earlier
//! version's plaintext folder to migrate (crash-safe), and refuses a folder whose key is gone.

pub(crate) mod folder;

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};

use waymark_keychain::Keychain;
pub use waymark_keychain::KeychainError;
use zeroize::{Zeroize, Zeroizing};

pub use folder::{ENCRYPTION_FILE, EncryptionRecord, LOCK_FILE, forget_data_key};

/// The OS keychain service the data keys are kept under (the sync engine's credentials share it).
pub const KEYCHAIN_SERVICE: &str = "waymark";

/// The keychain entry (user name) of the data key `key_id`.
pub fn keychain_user(key_id: &str) -> String {
    format!("data-key:{key_id}")
}

/// Where a data key is, in words for a message: `service "waymark", entry "data-key:…"`.
pub fn keychain_entry(key_id: &str) -> String {
    format!(
        "service \"{KEYCHAIN_SERVICE}\", entry \"{}\"",
        keychain_user(key_id)
    )
}

/// A data folder's 256-bit master key. Wiped from memory when dropped; never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct DataKey(Zeroizing<[u8; 32]>);

impl fmt::Debug for DataKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DataKey(…)")
    }
}

impl DataKey {
    /// A new random key from the operating system's generator.
    pub fn generate() -> Result<Self, KeychainError> {
        let mut bytes = Zeroizing::new([0u8; 32]);
        getrandom::fill(bytes.as_mut()).map_err(|e| {
            KeychainError::Failed(format!("the system's random generator failed ({e})"))
        })?;
        Ok(Self(bytes))
    }

    /// The key from its 32 bytes.
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(Zeroizing::new(bytes))
    }

    /// The key's bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// A short value that tells whether two keys are the same without revealing either (kept
    /// in `encryption.json`): 64 bits of a BLAKE3 derivation under its own context.
    pub fn check_value(&self) -> String {
        let check = derive("check", self);
        hex(&check[..8]).to_string()
    }

    /// The text of a keychain entry holding this key (JSON: `{"format":1,"key":"<hex>"}`).
    pub fn to_entry_text(&self) -> Zeroizing<String> {
        Zeroizing::new(format!(
            "{{\"format\":1,\"key\":\"{}\"}}",
            hex(self.as_bytes()).as_str()
        ))
    }

    /// Reads a keychain entry's text back (see [`to_entry_text`](Self::to_entry_text)).
    pub fn from_entry_text(text: &str) -> Result<Self, String> {
        let value: Zeroizing<EntryJson> = Zeroizing::new(
            serde_json::from_str(text).map_err(|e| format!("not a Waymark data key ({e})"))?,
        );
        Self::from_entry(&value)
    }

    fn from_entry(entry: &EntryJson) -> Result<Self, String> {
        if entry.format != 1 {
            return Err(format!(
                "a data key of format {} (this Waymark reads format 1)",
                entry.format
            ));
        }
        let mut bytes = [0u8; 32];
        let text = entry.key.as_bytes();
        if text.len() != 64 {
            return Err("a data key that is not 64 hexadecimal digits".into());
        }
        for (i, pair) in text.chunks(2).enumerate() {
            let digit = |c: u8| (c as char).to_digit(16);
            match (digit(pair[0]), digit(pair[1])) {
                (Some(h), Some(l)) => bytes[i] = (h * 16 + l) as u8,
                _ => {
                    bytes.zeroize();
                    return Err("a data key that is not hexadecimal".into());
                }
            }
        }
        let key = Self::from_bytes(bytes);
        bytes.zeroize();
        Ok(key)
    }
}

/// The JSON of a keychain entry.
#[derive(serde::Serialize, serde::Deserialize)]
struct EntryJson {
    format: u32,
    key: String,
}

impl Zeroize for EntryJson {
    fn zeroize(&mut self) {
        self.key.zeroize();
    }
}

/// Where data keys are kept, by key id (`encryption.json`'s `key_id`). Implementations must be
/// durable for as long as the folder is meant to live: [`OsKeychain`] in production.
pub trait KeyStore: Send + Sync + fmt::Debug {
    /// The key stored under `key_id`, or `None` when there is none.
    fn load(&self, key_id: &str) -> Result<Option<DataKey>, KeychainError>;
    /// Stores `key` under `key_id`, replacing what was there.
    fn save(&self, key_id: &str, key: &DataKey) -> Result<(), KeychainError>;
    /// Removes the key of `key_id`; false when there was none.
    fn delete(&self, key_id: &str) -> Result<bool, KeychainError>;
}

/// The OS keychain (macOS Keychain, Windows Credential Manager, Secret Service on Linux): one
/// entry per data folder under service [`KEYCHAIN_SERVICE`], user `data-key:<key_id>`.
#[derive(Clone, Copy, Debug, Default)]
pub struct OsKeychain;

const KEYCHAIN: Keychain = Keychain {
    service: KEYCHAIN_SERVICE,
    again: "restore the entry from a backup of the keychain, or import an export of the data into a new data folder",
    unavailable_hint: "",
};

impl KeyStore for OsKeychain {
    fn load(&self, key_id: &str) -> Result<Option<DataKey>, KeychainError> {
        match KEYCHAIN.load(&keychain_user(key_id), |entry: EntryJson| {
            let entry = Zeroizing::new(entry);
            DataKey::from_entry(&entry)
        }) {
            Ok(key) => Ok(Some(key)),
            Err(KeychainError::Missing { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    fn save(&self, key_id: &str, key: &DataKey) -> Result<(), KeychainError> {
        let entry = Zeroizing::new(EntryJson {
            format: 1,
            key: hex(key.as_bytes()).to_string(),
        });
        KEYCHAIN.store(&keychain_user(key_id), &*entry)
    }

    fn delete(&self, key_id: &str) -> Result<bool, KeychainError> {
        KEYCHAIN.remove(&keychain_user(key_id))
    }
}

/// Keys that live only in this process's memory: a folder opened with them can be read by
/// nothing else and by nobody once the process ends. For throwaway folders (the assessor's
/// tool replays a report in a temporary data folder) and for in-process tests; share one
/// `Arc` between the opens of the same folder.
#[derive(Debug, Default)]
pub struct EphemeralKeys {
    keys: Mutex<HashMap<String, DataKey>>,
}

impl EphemeralKeys {
    /// An empty store, ready to share.
    pub fn new() -> Arc<Self> {
        Arc::new(Self::default())
    }

    fn keys(&self) -> std::sync::MutexGuard<'_, HashMap<String, DataKey>> {
        // A panic elsewhere while holding the lock leaves the map itself intact.
        self.keys
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl KeyStore for EphemeralKeys {
    fn load(&self, key_id: &str) -> Result<Option<DataKey>, KeychainError> {
        Ok(self.keys().get(key_id).cloned())
    }

    fn save(&self, key_id: &str, key: &DataKey) -> Result<(), KeychainError> {
        self.keys().insert(key_id.to_owned(), key.clone());
        Ok(())
    }

    fn delete(&self, key_id: &str) -> Result<bool, KeychainError> {
        Ok(self.keys().remove(key_id).is_some())
    }
}

/// One subkey of the master key: BLAKE3's key derivation under Waymark's context for `purpose`.
fn derive(purpose: &str, key: &DataKey) -> Zeroizing<[u8; 32]> {
    let context = match purpose {
        "database" => "waymark 2026-12 data folder: SQLCipher database key",
        "vault names" => "waymark 2026-12 data folder: vault file names",
        "vault identity" => "waymark 2026-12 data folder: vault age X25519 identity",
        _ => "waymark 2026-12 data folder: key check value",
    };
    Zeroizing::new(blake3::derive_key(context, key.as_bytes()))
}

/// Lowercase hexadecimal (in memory that is wiped on drop: it may spell a key).
pub(crate) fn hex(bytes: &[u8]) -> Zeroizing<String> {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(DIGITS[usize::from(b >> 4)] as char);
        out.push(DIGITS[usize::from(b & 15)] as char);
    }
    Zeroizing::new(out)
}

/// The keys an open data folder works with, derived from its master key.
pub(crate) struct FolderKeys {
    /// Which keychain entry holds the master key.
    pub key_id: String,
    /// SQLCipher's raw key.
    pub database: Zeroizing<[u8; 32]>,
    /// The key that names vault files.
    pub vault_names: Zeroizing<[u8; 32]>,
    /// The identity vault files are encrypted to (its recipient is derived from it).
    pub vault_identity: age::x25519::Identity,
}

impl fmt::Debug for FolderKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FolderKeys")
            .field("key_id", &self.key_id)
            .finish_non_exhaustive()
    }
}

impl FolderKeys {
    /// Derives every subkey of `key`.
    pub fn derive(key_id: &str, key: &DataKey) -> Result<Self, String> {
        let identity = derive("vault identity", key);
        Ok(Self {
            key_id: key_id.to_owned(),
            database: derive("database", key),
            vault_names: derive("vault names", key),
            vault_identity: age_identity(&identity)?,
        })
    }

    /// SQLCipher's `PRAGMA key` value for the database: `x'<64 hex>'` (a raw key).
    pub fn database_pragma(&self) -> Zeroizing<String> {
        Zeroizing::new(format!("x'{}'", hex(self.database.as_ref()).as_str()))
    }
}

/// The age X25519 identity of 32 secret bytes. age reads identities only from their Bech32
/// text, so the text is made here, in memory that is wiped afterwards, and never written
/// anywhere.
fn age_identity(secret: &[u8; 32]) -> Result<age::x25519::Identity, String> {
    let hrp = bech32::Hrp::parse("AGE-SECRET-KEY-").map_err(|e| e.to_string())?;
    let text = Zeroizing::new(
        bech32::encode_upper::<bech32::Bech32>(hrp, secret).map_err(|e| e.to_string())?,
    );
    text.parse::<age::x25519::Identity>()
        .map_err(|e| format!("the vault identity could not be made ({e})"))
}

/// The identity's text, for a test that hands it to the `age` tool over a pipe.
#[cfg(test)]
pub(crate) fn identity_text(keys: &FolderKeys) -> Zeroizing<String> {
    use age::secrecy::ExposeSecret as _;
    Zeroizing::new(keys.vault_identity.to_string().expose_secret().to_owned())
}

/// One in-memory key store for every in-process test of this crate (so reopening a folder
/// finds its key).
#[cfg(test)]
pub(crate) fn test_keys() -> Arc<dyn KeyStore> {
    static KEYS: std::sync::OnceLock<Arc<EphemeralKeys>> = std::sync::OnceLock::new();
    KEYS.get_or_init(EphemeralKeys::new).clone()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subkeys_differ_and_a_key_round_trips_through_its_entry_text() {
        let key = DataKey::generate().expect("random");
        let keys = FolderKeys::derive("id", &key).expect("derive");
        assert_ne!(*keys.database, *keys.vault_names);
        assert_ne!(&*keys.database, key.as_bytes());
        let back = DataKey::from_entry_text(&key.to_entry_text()).expect("parse");
        assert_eq!(back, key);
        assert_eq!(back.check_value(), key.check_value());
        assert_ne!(
            DataKey::generate().expect("random").check_value(),
            key.check_value()
        );
        assert!(DataKey::from_entry_text("{\"format\":1,\"key\":\"zz\"}").is_err());
        assert_eq!(format!("{key:?}"), "DataKey(…)");
    }

    #[test]
    fn ephemeral_keys_keep_what_is_saved_until_deleted() {
        let store = EphemeralKeys::new();
        let key = DataKey::generate().expect("random");
        assert_eq!(store.load("a").expect("load"), None);
        store.save("a", &key).expect("save");
        assert_eq!(store.load("a").expect("load"), Some(key));
        assert!(store.delete("a").expect("delete"));
        assert!(!store.delete("a").expect("delete"));
    }
}
