//! The non-secret settings of the signed-in assessor, in the user's config folder (or the
//! folder given with `--profile-dir` / `WAYMARK_ASSESS_DIR`): the endpoint, who they are, the
//! pinned key-set fingerprint, and a record of each submission opened (what was verified and
//! the impartiality finding, which the decision commands check). Every file is written
//! atomically (a temporary file in the same folder, then renamed). No secret is ever here.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize, de::DeserializeOwned};
use waymark_protocol::keys::Fingerprint;
use waymark_protocol::review::Role;
use waymark_protocol::{AssessorId, InstitutionId, Sha256, SubmissionId};

use crate::error::{Error, Result};

/// The settings file's name in the profile folder.
pub const PROFILE_FILE: &str = "profile.json";
/// The folder of records of opened submissions.
pub const OPENED_DIR: &str = "opened";

/// The version of [`Profile`] this build writes.
pub const PROFILE_FORMAT: u32 = 1;

/// Who is signed in, where.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Profile {
    /// [`PROFILE_FORMAT`].
    pub format: u32,
    /// The endpoint's base URL (from the enrollment code).
    pub endpoint: String,
    /// The awarding body's name (from its key set).
    pub awarding_body: String,
    /// The assessor's account.
    pub assessor: AssessorId,
    /// Their name as the awarding body registered it.
    pub name: String,
    /// Their email as registered.
    pub email: String,
    /// The newest key set verified from the code's fingerprint.
    pub pinned: Fingerprint,
    /// When they signed in.
    pub signed_in_at: DateTime<Utc>,
}

/// What `open` verified and found, kept so a decision can check the assessor read the current
/// version and is not named in it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenedRecord {
    /// The submission.
    pub submission: SubmissionId,
    /// Its institution.
    pub institution: InstitutionId,
    /// The caller's role on it.
    pub role: Role,
    /// Which envelope was read (1 + re-submissions).
    pub version: u32,
    /// The SHA-256 of that envelope's signed bytes.
    pub envelope_sha256: Sha256,
    /// When.
    pub opened_at: DateTime<Utc>,
    /// Where it was written.
    pub out: PathBuf,
    /// Where the manifest names the assessor (empty: impartial as far as the manifest shows).
    pub named_in: Vec<String>,
}

/// The profile folder: `explicit` (the flag or the environment variable), else the user's
/// config folder.
pub fn profile_dir(explicit: Option<&Path>) -> Result<PathBuf> {
    if let Some(dir) = explicit {
        return Ok(dir.to_owned());
    }
    directories::ProjectDirs::from("", "", "waymark-assess")
        .map(|d| d.config_dir().to_owned())
        .ok_or_else(|| {
            Error::Usage(
                "cannot find your config folder (no home folder?): give one with --profile-dir DIR"
                    .into(),
            )
        })
}

fn read_json<T: DeserializeOwned>(path: &Path) -> Result<Option<T>> {
    match std::fs::read(path) {
        Ok(bytes) => serde_json::from_slice(&bytes).map(Some).map_err(|e| {
            Error::io(
                "the settings file is damaged; sign out and sign in again",
                path,
                std::io::Error::new(std::io::ErrorKind::InvalidData, e),
            )
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::io("cannot read the settings", path, e)),
    }
}

/// Writes `value` as pretty JSON to `path` atomically.
pub fn write_json_atomic<T: Serialize>(path: &Path, value: &T) -> Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| Error::io("cannot create the folder", dir, e))?;
    let mut bytes = serde_json::to_vec_pretty(value)
        .map_err(|e| Error::Usage(format!("cannot write {}: {e}", path.display())))?;
    bytes.push(b'\n');
    let mut file = tempfile::NamedTempFile::new_in(dir)
        .map_err(|e| Error::io("cannot write a file in", dir, e))?;
    use std::io::Write as _;
    file.write_all(&bytes)
        .and_then(|()| file.as_file().sync_all())
        .map_err(|e| Error::io("cannot write", path, e))?;
    file.persist(path)
        .map_err(|e| Error::io("cannot write", path, e.error))?;
    Ok(())
}

/// The signed-in profile in `dir`, if any.
pub fn load(dir: &Path) -> Result<Option<Profile>> {
    read_json(&dir.join(PROFILE_FILE))
}

/// Writes the profile.
pub fn save(dir: &Path, profile: &Profile) -> Result<()> {
    write_json_atomic(&dir.join(PROFILE_FILE), profile)
}

/// Removes the profile and the records of opened submissions (the decrypted folders written
/// with `open` are the assessor's to delete). False when there was nothing.
pub fn remove(dir: &Path) -> Result<bool> {
    let file = dir.join(PROFILE_FILE);
    let existed = match std::fs::remove_file(&file) {
        Ok(()) => true,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => false,
        Err(e) => return Err(Error::io("cannot remove the settings", file, e)),
    };
    let opened = dir.join(OPENED_DIR);
    match std::fs::remove_dir_all(&opened) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(Error::io("cannot remove the records of", opened, e)),
    }
    Ok(existed)
}

fn opened_path(dir: &Path, id: SubmissionId) -> PathBuf {
    dir.join(OPENED_DIR).join(format!("{id}.json"))
}

/// The record of the last `open` of a submission.
pub fn opened(dir: &Path, id: SubmissionId) -> Result<Option<OpenedRecord>> {
    read_json(&opened_path(dir, id))
}

/// Records an `open`.
pub fn record_opened(dir: &Path, record: &OpenedRecord) -> Result<()> {
    write_json_atomic(&opened_path(dir, record.submission), record)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_profile_round_trips_and_removing_it_twice_is_fine() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(load(dir.path()).unwrap(), None);
        let profile = Profile {
            format: PROFILE_FORMAT,
            endpoint: "https://endpoint.test".into(),
            awarding_body: "Board".into(),
            assessor: AssessorId::new(),
            name: "Ann".into(),
            email: "ann@example.org".into(),
            pinned: Fingerprint("0".repeat(32)),
            signed_in_at: DateTime::UNIX_EPOCH,
        };
        save(dir.path(), &profile).unwrap();
        assert_eq!(load(dir.path()).unwrap(), Some(profile));
        assert!(remove(dir.path()).unwrap());
        assert!(!remove(dir.path()).unwrap());
        // Only the profile was there: no temporary file left behind.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }
}
