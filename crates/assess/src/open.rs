//! Opening an assigned submission: download, verify, decrypt, write.
//!
//! Everything is checked before anything is kept: every envelope's signature with the
//! institution's registered key (and that it names the submission's institution), every blob
//! of the current envelope against the SHA-256 and size the signed envelope lists, the manifest
//! ([`Manifest::check`]: no file name carries a folder), that the manifest's evidence blobs are
//! exactly the envelope's, and each decrypted file against the manifest's BLAKE3. The folder is
//! built in a temporary folder beside the destination and renamed into place only when all of
//! that held, so a refusal leaves nothing half-written.

use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use waymark_protocol::api::{AssessorSubmission, InstitutionInfo};
use waymark_protocol::crypt::{Identity, decrypt_document, decrypt_padded};
use waymark_protocol::envelope::{BlobRef, Envelope};
use waymark_protocol::manifest::Manifest;
use waymark_protocol::review::Role;
use waymark_protocol::{ApiErrorCode, SubmissionId};

use crate::client::{Client, ClientError};
use crate::error::{Error, Result};
use crate::impartiality;
use crate::profile::{self, OpenedRecord};
use crate::report;
use crate::session::Session;

/// The manifest's file in the folder written.
pub const MANIFEST_FILE: &str = "manifest.json";
/// The report's file.
pub const REPORT_FILE: &str = "report.pdf";
/// What was verified and found.
pub const ASSESSMENT_FILE: &str = "assessment.json";
/// The folder of evidence files.
pub const EVIDENCE_DIR: &str = "evidence";

/// What `open` wrote and found.
#[derive(Debug)]
pub struct Opened {
    /// The folder written.
    pub out: PathBuf,
    /// The submission.
    pub submission: SubmissionId,
    /// The institution as registered.
    pub institution: InstitutionInfo,
    /// The caller's role.
    pub role: Role,
    /// Which envelope was read (1 + re-submissions).
    pub version: u32,
    /// The decrypted manifest.
    pub manifest: Manifest,
    /// The evidence files written, under `evidence/` (names made unique).
    pub evidence: Vec<String>,
    /// Where the manifest names the caller (empty when it does not).
    pub named_in: Vec<String>,
    /// Why the report could not be made, if it could not.
    pub report_failed: Option<String>,
}

/// `assessment.json`: what was verified, by whom, and what was found.
#[derive(Debug, Serialize)]
struct Assessment<'a> {
    format: u32,
    submission: SubmissionId,
    institution: &'a InstitutionInfo,
    version: u32,
    envelope_sha256: String,
    opened_at: DateTime<Utc>,
    opened_by: OpenedBy<'a>,
    verified: Verified,
    impartiality: Impartiality<'a>,
    report: ReportNote<'a>,
}

#[derive(Debug, Serialize)]
struct OpenedBy<'a> {
    assessor: String,
    name: &'a str,
    email: &'a str,
    role: Role,
}

#[derive(Debug, Serialize)]
struct Verified {
    /// Every envelope's signature, with the institution's registered key.
    envelope_signatures: usize,
    institution_key: String,
    /// Each envelope names the submission's institution, framework and award.
    envelopes_name_the_submission: bool,
    /// Blobs of the current envelope whose SHA-256 and size matched.
    blobs: Vec<BlobRef>,
    /// The manifest's own checks (format, ids, plain file names).
    manifest_checked: bool,
    /// The manifest's evidence blobs are exactly the envelope's.
    evidence_blobs_match_envelope: bool,
    /// Evidence files whose BLAKE3 matched the manifest.
    evidence_blake3: usize,
}

#[derive(Debug, Serialize)]
struct Impartiality<'a> {
    names_you: bool,
    named_in: &'a [String],
}

#[derive(Debug, Serialize)]
struct ReportNote<'a> {
    made: bool,
    reason: Option<&'a str>,
}

pub(crate) fn refused(text: impl Into<String>) -> Error {
    Error::Refused(text.into())
}

/// The submission as the endpoint gives it to its assessor or moderator; not assigned (or not
/// existing: the endpoint does not say which) is said in words.
pub async fn assigned_submission(client: &Client, id: SubmissionId) -> Result<AssessorSubmission> {
    client
        .get_json(&format!("/v1/assessor/submissions/{id}"))
        .await
        .map_err(|e| match e {
            ClientError::Api {
                code: ApiErrorCode::NotFound,
                ..
            } => Error::NotAssigned(id),
            other => other.into(),
        })
}

/// Checks the destination: it must not exist (or be an empty folder) and its parent must.
fn check_destination(out: &Path) -> Result<(PathBuf, String)> {
    let name = out
        .file_name()
        .and_then(|n| n.to_str())
        .ok_or_else(|| Error::Usage(format!("`{}` is not a folder name", out.display())))?
        .to_owned();
    if out.exists() {
        let empty = out.is_dir()
            && std::fs::read_dir(out)
                .map_err(|e| Error::io("cannot read the folder", out, e))?
                .next()
                .is_none();
        if !empty {
            return Err(Error::Usage(format!(
                "{} already exists: choose a new folder (open never writes over anything)",
                out.display()
            )));
        }
    }
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
        _ => PathBuf::from("."),
    };
    if !parent.is_dir() {
        return Err(Error::Usage(format!(
            "the folder {} does not exist: create it first",
            parent.display()
        )));
    }
    Ok((parent, name))
}

/// Verifies every envelope of `sub` with the institution's key and that each names the
/// submission's institution, framework and award; returns them, oldest first.
pub fn verify_envelopes(sub: &AssessorSubmission) -> Result<Vec<Envelope>> {
    let summary = &sub.assignment.summary;
    if sub.envelopes.is_empty() {
        return Err(refused("the endpoint sent no envelope for this submission"));
    }
    if sub.institution.id != summary.institution {
        return Err(refused(format!(
            "the endpoint describes institution {} for a submission of institution {}",
            sub.institution.id, summary.institution
        )));
    }
    if sub
        .institution
        .public_key
        .is_some_and(|k| k != sub.institution_key)
    {
        return Err(refused(
            "the endpoint sent two different keys for the institution",
        ));
    }
    let count = sub.envelopes.len();
    let mut envelopes = Vec::with_capacity(count);
    for (i, signed) in sub.envelopes.iter().enumerate() {
        let which = format!("envelope {} of {count}", i + 1);
        let envelope = Envelope::open(signed, &sub.institution_key)
            .map_err(|e| refused(format!("{which}: {e}")))?;
        if envelope.institution != summary.institution {
            return Err(refused(format!(
                "{which} is signed for institution {}, not for {} ({}) whose submission this is",
                envelope.institution, sub.institution.name, summary.institution
            )));
        }
        if envelope.framework != summary.framework || envelope.award != summary.award {
            return Err(refused(format!(
                "{which} applies for {} of {} {}, not the {} of {} {} this submission is for",
                envelope.award,
                envelope.framework.id,
                envelope.framework.version,
                summary.award,
                summary.framework.id,
                summary.framework.version
            )));
        }
        envelopes.push(envelope);
    }
    Ok(envelopes)
}

/// Checks the manifest against the envelope that lists it: the same framework and award, and
/// its evidence blobs exactly the envelope's.
pub fn check_manifest_against(manifest: &Manifest, envelope: &Envelope) -> Result<()> {
    manifest
        .check()
        .map_err(|e| refused(format!("the manifest: {e}")))?;
    if manifest.framework != envelope.framework || manifest.award != envelope.award {
        return Err(refused(format!(
            "the manifest is for {} of {} {}, but the signed envelope for {} of {} {}",
            manifest.award,
            manifest.framework.id,
            manifest.framework.version,
            envelope.award,
            envelope.framework.id,
            envelope.framework.version
        )));
    }
    let listed: HashSet<BlobRef> = envelope.blobs.iter().copied().collect();
    for e in &manifest.evidence {
        if !listed.contains(&e.blob) {
            return Err(refused(format!(
                "the manifest's evidence `{}` points at blob {} ({} bytes), which the signed envelope does not list",
                e.file_name, e.blob.sha256, e.blob.size
            )));
        }
    }
    let used: HashSet<BlobRef> = manifest.evidence.iter().map(|e| e.blob).collect();
    if let Some(extra) = envelope.blobs.iter().find(|b| !used.contains(b)) {
        return Err(refused(format!(
            "the signed envelope lists blob {}, which no evidence in the manifest uses",
            extra.sha256
        )));
    }
    Ok(())
}

/// `name`, or `stem (2).ext`, `stem (3).ext`… when taken (compared without case, as on
/// macOS and Windows).
pub fn unique_name(name: &str, taken: &mut HashSet<String>) -> String {
    if taken.insert(name.to_lowercase()) {
        return name.to_owned();
    }
    let (stem, ext) = match name.rfind('.') {
        Some(i) if i > 0 => name.split_at(i),
        _ => (name, ""),
    };
    (2u32..)
        .map(|n| format!("{stem} ({n}){ext}"))
        .find(|candidate| taken.insert(candidate.to_lowercase()))
        .unwrap_or_else(|| name.to_owned())
}

/// Downloads `blob` of submission `id` into `dest`, refusing unless its size and SHA-256 are
/// the envelope's. `what` names it for people.
pub(crate) async fn fetch(
    client: &Client,
    id: SubmissionId,
    blob: &BlobRef,
    dest: &Path,
    what: &str,
    progress: &(dyn Fn(u64) + Send + Sync),
) -> Result<()> {
    let mut file = tokio::fs::File::create(dest)
        .await
        .map_err(|e| Error::io("cannot write a download", dest, e))?;
    let got = client
        .download_with_progress(
            &format!("/v1/assessor/submissions/{id}/blobs/{}", blob.sha256),
            blob.size,
            &mut file,
            progress,
        )
        .await?;
    if got.size != blob.size {
        return Err(refused(format!(
            "{what} (blob {}) is {} bytes, not the {} the school's signed envelope lists: it was changed on the endpoint or on the way",
            blob.sha256, got.size, blob.size
        )));
    }
    if got.sha256 != blob.sha256 {
        return Err(refused(format!(
            "{what} (blob {}) does not match the SHA-256 in the school's signed envelope: it was changed on the endpoint or on the way",
            blob.sha256
        )));
    }
    Ok(())
}

/// A writer that hashes what passes through it with BLAKE3.
pub(crate) struct Blake3Writer<W> {
    /// Where the bytes go.
    pub(crate) inner: W,
    /// Their hash so far.
    pub(crate) hasher: blake3::Hasher,
}

impl<W: Write> Write for Blake3Writer<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// Decrypts one evidence blob into `out` and checks the plaintext's BLAKE3.
fn decrypt_evidence(
    cipher: &Path,
    identity: &Identity,
    size: u64,
    blake3_hex: &str,
    out: &Path,
    what: &str,
) -> Result<()> {
    let input = std::fs::File::open(cipher).map_err(|e| Error::io("cannot read", cipher, e))?;
    let output = std::fs::File::create_new(out).map_err(|e| Error::io("cannot write", out, e))?;
    let mut writer = Blake3Writer {
        inner: std::io::BufWriter::new(output),
        hasher: blake3::Hasher::new(),
    };
    decrypt_padded(input, identity, size, &mut writer)
        .map_err(|e| refused(format!("{what} cannot be decrypted: {e}")))?;
    writer
        .flush()
        .map_err(|e| Error::io("cannot write", out, e))?;
    let hash = writer.hasher.finalize().to_hex();
    let file = writer
        .inner
        .into_inner()
        .map_err(|e| Error::io("cannot write", out, e.into_error()))?;
    file.sync_all()
        .map_err(|e| Error::io("cannot write", out, e))?;
    if !hash.as_str().eq_ignore_ascii_case(blake3_hex.trim()) {
        return Err(refused(format!(
            "{what} decrypted to bytes whose BLAKE3 is not the one the manifest gives for it"
        )));
    }
    Ok(())
}

pub(crate) async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T> + Send + 'static,
) -> Result<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| Error::Internal(e.to_string()))?
}

fn write_file(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut file =
        std::fs::File::create_new(path).map_err(|e| Error::io("cannot write", path, e))?;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .map_err(|e| Error::io("cannot write", path, e))
}

fn describe_blob(manifest: Option<&Manifest>, blob: &BlobRef) -> String {
    let names: Vec<String> = manifest
        .map(|m| {
            m.evidence
                .iter()
                .filter(|e| e.blob == *blob)
                .map(|e| format!("`{}`", e.file_name))
                .collect()
        })
        .unwrap_or_default();
    if names.is_empty() {
        "an evidence file".into()
    } else {
        format!("the evidence file {}", names.join(", "))
    }
}

/// Downloads, verifies and decrypts submission `id` into the new folder `out`, decrypting with
/// `identity` (the keychain's, or an identity file's), and records what was found for the
/// decision commands. `today` dates the report.
pub async fn open(
    session: &Session,
    id: SubmissionId,
    out: &Path,
    identity: Arc<Identity>,
    today: NaiveDate,
) -> Result<Opened> {
    let (parent, name) = check_destination(out)?;
    let client = &session.client;
    let sub = assigned_submission(client, id).await?;
    let envelopes = verify_envelopes(&sub)?;
    let Some(current) = envelopes.last() else {
        return Err(refused("the endpoint sent no envelope for this submission"));
    };
    let version = envelopes.len() as u32;
    let envelope_sha256 = sub
        .envelopes
        .last()
        .map(|s| s.body_sha256())
        .ok_or_else(|| refused("the endpoint sent no envelope for this submission"))?;

    // Everything is built here and renamed into place at the end; dropped (removed) on refusal.
    let staging = tempfile::Builder::new()
        .prefix(&format!(".{name}.partial-"))
        .tempdir_in(&parent)
        .map_err(|e| Error::io("cannot create a folder in", &parent, e))?;
    let ciphers = staging.path().join(".ciphertext");
    std::fs::create_dir(&ciphers).map_err(|e| Error::io("cannot create", &ciphers, e))?;
    let cipher_path = |blob: &BlobRef| ciphers.join(blob.sha256.to_hex());

    // The manifest.
    fetch(
        client,
        id,
        &current.manifest,
        &cipher_path(&current.manifest),
        "the manifest",
        &|_| {},
    )
    .await?;
    let cipher = std::fs::read(cipher_path(&current.manifest))
        .map_err(|e| Error::io("cannot read", cipher_path(&current.manifest), e))?;
    let key = identity.clone();
    let plain = blocking(move || {
        decrypt_document(&cipher, &key).map_err(|e| {
            refused(format!(
                "the manifest cannot be decrypted with this identity ({e}). A submission sent before you enrolled is encrypted only to the recipients of that time: read it with the awarding body's identity file (--identity FILE)"
            ))
        })
    })
    .await?;
    let manifest: Manifest = serde_json::from_slice(&plain)
        .map_err(|e| refused(format!("the manifest is not a Waymark manifest: {e}")))?;
    check_manifest_against(&manifest, current)?;

    // The evidence ciphertexts, each checked against the signed envelope.
    for blob in &current.blobs {
        let what = describe_blob(Some(&manifest), blob);
        fetch(client, id, blob, &cipher_path(blob), &what, &|_| {}).await?;
    }

    // Decrypted under unique names, each checked against the manifest's BLAKE3.
    let evidence_dir = staging.path().join(EVIDENCE_DIR);
    std::fs::create_dir(&evidence_dir).map_err(|e| Error::io("cannot create", &evidence_dir, e))?;
    let mut taken = HashSet::new();
    let mut written = Vec::with_capacity(manifest.evidence.len());
    let mut report_files = Vec::with_capacity(manifest.evidence.len());
    for item in &manifest.evidence {
        let file_name = unique_name(&item.file_name, &mut taken);
        let target = evidence_dir.join(&file_name);
        let (cipher, key, size, hash) = (
            cipher_path(&item.blob),
            identity.clone(),
            item.size,
            item.blake3.clone(),
        );
        let what = format!("the evidence file `{}`", item.file_name);
        let out_path = target.clone();
        blocking(move || decrypt_evidence(&cipher, &key, size, &hash, &out_path, &what)).await?;
        report_files.push((item.id.clone(), target));
        written.push(file_name);
    }
    std::fs::remove_dir_all(&ciphers).map_err(|e| Error::io("cannot remove", &ciphers, e))?;

    let mut pretty = serde_json::to_vec_pretty(&manifest)
        .map_err(|e| Error::Internal(format!("the manifest cannot be written: {e}")))?;
    pretty.push(b'\n');
    write_file(&staging.path().join(MANIFEST_FILE), &pretty)?;

    let profile = &session.profile;
    let named_in = impartiality::named_in(&manifest, &profile.name, &profile.email);

    let report_path = staging.path().join(REPORT_FILE);
    let report_manifest = manifest.clone();
    let report_failed = blocking(move || {
        Ok(
            report::render_report(&report_manifest, &report_files, today, &report_path)
                .err()
                .map(|e| e.to_string()),
        )
    })
    .await?;

    let opened_at = Utc::now();
    let assessment = Assessment {
        format: 1,
        submission: id,
        institution: &sub.institution,
        version,
        envelope_sha256: envelope_sha256.to_hex(),
        opened_at,
        opened_by: OpenedBy {
            assessor: profile.assessor.to_string(),
            name: &profile.name,
            email: &profile.email,
            role: sub.assignment.role,
        },
        verified: Verified {
            envelope_signatures: envelopes.len(),
            institution_key: sub.institution_key.to_string(),
            envelopes_name_the_submission: true,
            blobs: current.all_blobs().copied().collect(),
            manifest_checked: true,
            evidence_blobs_match_envelope: true,
            evidence_blake3: written.len(),
        },
        impartiality: Impartiality {
            names_you: !named_in.is_empty(),
            named_in: &named_in,
        },
        report: ReportNote {
            made: report_failed.is_none(),
            reason: report_failed.as_deref(),
        },
    };
    let mut json = serde_json::to_vec_pretty(&assessment)
        .map_err(|e| Error::Internal(format!("assessment.json cannot be written: {e}")))?;
    json.push(b'\n');
    write_file(&staging.path().join(ASSESSMENT_FILE), &json)?;

    // Into place.
    if out.is_dir() {
        std::fs::remove_dir(out)
            .map_err(|e| Error::io("cannot replace the empty folder", out, e))?;
    }
    let built = staging.keep();
    if let Err(e) = std::fs::rename(&built, out) {
        let _ = std::fs::remove_dir_all(&built);
        return Err(Error::io("cannot move the opened submission into", out, e));
    }

    profile::record_opened(
        &session.dir,
        &OpenedRecord {
            submission: id,
            institution: sub.institution.id,
            role: sub.assignment.role,
            version,
            envelope_sha256,
            opened_at,
            out: std::path::absolute(out).unwrap_or_else(|_| out.to_owned()),
            named_in: named_in.clone(),
        },
    )?;

    Ok(Opened {
        out: out.to_owned(),
        submission: id,
        institution: sub.institution,
        role: sub.assignment.role,
        version,
        manifest,
        evidence: written,
        named_in,
        report_failed,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::DateTime;
    use waymark_protocol::api::{Assignment, SubmissionSummary};
    use waymark_protocol::envelope::ENVELOPE_FORMAT;
    use waymark_protocol::ids::FrameworkRef;
    use waymark_protocol::keys::Fingerprint;
    use waymark_protocol::review::ReviewState;
    use waymark_protocol::signed::SecretKey;
    use waymark_protocol::{InstitutionId, Sha256};

    fn framework() -> FrameworkRef {
        FrameworkRef {
            id: "technology-self-review".into(),
            version: "1.0".into(),
        }
    }

    fn envelope(institution: InstitutionId) -> Envelope {
        Envelope {
            format: ENVELOPE_FORMAT,
            institution,
            framework: framework(),
            award: "technology-mark".into(),
            created_at: DateTime::UNIX_EPOCH,
            nonce: Envelope::new_nonce(),
            responds_to: None,
            key_set: Fingerprint("0".repeat(32)),
            manifest: BlobRef {
                sha256: Sha256::of(b"manifest"),
                size: 8,
            },
            blobs: vec![BlobRef {
                sha256: Sha256::of(b"evidence"),
                size: 8,
            }],
        }
    }

    fn submission(key: &SecretKey, envelopes: Vec<Envelope>) -> AssessorSubmission {
        let institution = envelopes[0].institution;
        AssessorSubmission {
            assignment: Assignment {
                summary: SubmissionSummary {
                    id: SubmissionId::new(),
                    institution,
                    institution_name: "Hillside".into(),
                    framework: framework(),
                    award: "technology-mark".into(),
                    state: ReviewState::UnderReview,
                    received_at: DateTime::UNIX_EPOCH,
                    updated_at: DateTime::UNIX_EPOCH,
                    review_due: None,
                    versions: envelopes.len() as u32,
                },
                role: Role::Assessor,
                other: None,
            },
            institution_key: key.public(),
            institution: InstitutionInfo {
                id: institution,
                name: "Hillside".into(),
                identifier: "urn:test:1".into(),
                public_key: Some(key.public()),
            },
            envelopes: envelopes.iter().map(|e| e.sign(key)).collect(),
            recommendation: None,
            events: Vec::new(),
        }
    }

    #[test]
    fn every_envelope_must_verify_and_name_the_submissions_institution() {
        let key = SecretKey::generate();
        let school = InstitutionId::new();
        let good = submission(&key, vec![envelope(school), envelope(school)]);
        assert_eq!(verify_envelopes(&good).unwrap().len(), 2);

        // The first envelope signed by someone else.
        let mut forged = good.clone();
        forged.envelopes[0] = envelope(school).sign(&SecretKey::generate());
        let err = verify_envelopes(&forged).unwrap_err().to_string();
        assert!(err.contains("envelope 1 of 2"), "{err}");
        assert!(err.contains("signature") || err.contains("key"), "{err}");

        // A changed byte in the signed body.
        let mut changed = good.clone();
        let mut body = changed.envelopes[1].body.0.clone();
        let at = body.len() / 2;
        body[at] ^= 1;
        changed.envelopes[1].body = waymark_protocol::encoding::Base64Bytes(body);
        let err = verify_envelopes(&changed).unwrap_err().to_string();
        assert!(err.contains("envelope 2 of 2"), "{err}");

        // Signed by the school, but for another institution.
        let mut other = good.clone();
        other.envelopes[1] = envelope(InstitutionId::new()).sign(&key);
        let err = verify_envelopes(&other).unwrap_err().to_string();
        assert!(err.contains("signed for institution"), "{err}");
    }

    #[test]
    fn names_are_made_unique_without_case() {
        let mut taken = HashSet::new();
        assert_eq!(unique_name("plan.pdf", &mut taken), "plan.pdf");
        assert_eq!(unique_name("Plan.PDF", &mut taken), "Plan (2).PDF");
        assert_eq!(unique_name("plan.pdf", &mut taken), "plan (3).pdf");
        assert_eq!(unique_name(".profile", &mut taken), ".profile");
        assert_eq!(unique_name(".profile", &mut taken), ".profile (2)");
        assert_eq!(unique_name("README", &mut taken), "README");
        assert_eq!(unique_name("readme", &mut taken), "readme (2)");
    }
}
