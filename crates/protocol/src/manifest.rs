//! The manifest: everything a school sends except the evidence bytes, encrypted to the
//! awarding body's recipients. The endpoint never sees it in clear; assessors decrypt it on
//! their own machines.
//!
//! It is the wire's own description of a self-review, not the core's structs: the school's
//! engine (waymark-sync) fills it from the Workspace and the assessor's tool reads it. No
//! absolute path is ever in it (folder names can name pupils and staff): evidence is listed by
//! file name only, and [`Manifest::check`] refuses a name with a separator.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::ProtocolError;
use crate::envelope::BlobRef;
use crate::ids::{FrameworkRef, check_label};

/// The version of [`Manifest`] this build writes and reads.
pub const MANIFEST_FORMAT: u32 = 1;

/// A self-review as submitted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Manifest {
    /// [`MANIFEST_FORMAT`].
    pub format: u32,
    /// The institution as it describes itself.
    pub institution: ManifestInstitution,
    /// The framework followed.
    pub framework: FrameworkRef,
    /// The award applied for.
    pub award: String,
    /// When it was prepared, and by whom (the app's author name).
    pub prepared_at: DateTime<Utc>,
    /// Who prepared it.
    pub prepared_by: String,
    /// One response per benchmark that has one.
    pub responses: Vec<ManifestResponse>,
    /// A summary of how the responses changed over time.
    pub history: Vec<HistoryEntry>,
    /// The action plan.
    pub actions: Vec<ManifestAction>,
    /// The working group that contributed.
    pub working_group: Vec<ManifestContributor>,
    /// The evidence, each with its encrypted blob.
    pub evidence: Vec<ManifestEvidence>,
}

/// The institution's profile.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ManifestInstitution {
    /// Its name.
    pub name: String,
    /// A public identifier such as `urn:schoolid:uk:123456`, if it has one.
    pub identifier: Option<String>,
}

/// A response to one benchmark.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ManifestResponse {
    /// The benchmark's id in the framework.
    pub benchmark: String,
    /// The level chosen (frameworks with levels).
    pub level: Option<u32>,
    /// The commentary.
    pub commentary: String,
    /// When it last changed.
    pub updated_at: Option<DateTime<Utc>>,
    /// Who last changed it.
    pub updated_by: Option<String>,
}

/// One change in the review's history, summarised.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct HistoryEntry {
    /// When.
    pub at: DateTime<Utc>,
    /// Which benchmark.
    pub benchmark: String,
    /// Who made the change, as recorded.
    pub by: Option<String>,
    /// What changed, in words (e.g. "level 3 → 2; commentary edited").
    pub summary: String,
}

/// A future action.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ManifestAction {
    /// What will be done.
    pub title: String,
    /// More detail.
    pub detail: String,
    /// The benchmark it serves, if any.
    pub benchmark: Option<String>,
    /// Who will do it.
    pub owner: Option<String>,
    /// By when.
    pub due: Option<NaiveDate>,
    /// planned, in progress, done…
    pub status: String,
}

/// A member of the working group.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ManifestContributor {
    /// Their name.
    pub name: String,
    /// Their role.
    pub role: String,
    /// Their email, if given.
    pub email: Option<String>,
}

/// One evidence file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ManifestEvidence {
    /// The evidence item's id in the school's review (stable across re-submissions).
    pub id: String,
    /// Its title.
    pub title: String,
    /// The file's name, without any folder.
    pub file_name: String,
    /// The plaintext size in bytes.
    pub size: u64,
    /// BLAKE3 of the plaintext, hex.
    pub blake3: String,
    /// The benchmarks (and requirements) it is linked to.
    pub links: Vec<EvidenceLink>,
    /// The school said it shows pupils' personal data (and confirmed sending it).
    pub personal_data: bool,
    /// The encrypted blob that holds it.
    pub blob: BlobRef,
}

/// A link from evidence to a benchmark.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct EvidenceLink {
    /// The benchmark's id.
    pub benchmark: String,
    /// The evidence requirement's id, if the link is to one.
    pub requirement: Option<String>,
}

/// Checks a file name carries no folder: no separator, not `.`/`..`, no drive prefix, no
/// control characters.
pub fn check_file_name(name: &str) -> Result<(), ProtocolError> {
    let bad = name.is_empty()
        || name == "."
        || name == ".."
        || name.len() > 255
        || name.contains(['/', '\\', ':'])
        || name.chars().any(char::is_control);
    if bad {
        Err(ProtocolError::Malformed {
            what: "evidence file name",
            detail: format!("`{name}` is not a plain file name (no folders may be sent)"),
        })
    } else {
        Ok(())
    }
}

impl Manifest {
    /// Checks format, ids and every file name; the assessor's tool runs this before writing
    /// anything to disk, so a hostile manifest cannot name a path outside its folder.
    pub fn check(&self) -> Result<(), ProtocolError> {
        if self.format != MANIFEST_FORMAT {
            return Err(ProtocolError::UnsupportedFormat {
                what: "manifest",
                found: self.format,
                supported: MANIFEST_FORMAT,
            });
        }
        check_label("framework id", &self.framework.id)?;
        check_label("award id", &self.award)?;
        for r in &self.responses {
            check_label("benchmark id", &r.benchmark)?;
        }
        for e in &self.evidence {
            check_file_name(&e.file_name)?;
            for l in &e.links {
                check_label("benchmark id", &l.benchmark)?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_never_carry_folders() {
        assert!(check_file_name("Year 6 trip.mp4").is_ok());
        for bad in [
            "",
            "..",
            "/home/head/Pupils/Amy.jpg",
            "C:\\Users\\x.doc",
            "a/b",
            "c:x",
            "a\nb",
        ] {
            assert!(check_file_name(bad).is_err(), "{bad:?}");
        }
    }
}
