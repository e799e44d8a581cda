//! The local copies: opening a submission into one (download, verify, keep the verified
//! ciphertext), the list of assignments with each copy, removing copies (at once, or once their
//! review is over and the kept time has passed), and decrypting one evidence file for the OS
//! viewer. See the module above for the layout and why nothing here is plaintext.

use std::collections::HashSet;
use std::io::{Read, Write as _};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use waymark_protocol::crypt::{Identity, decrypt_document, decrypt_padded};
use waymark_protocol::envelope::{BlobRef, Envelope};
use waymark_protocol::manifest::Manifest;
use waymark_protocol::review::{ReviewState, Role};
use waymark_protocol::{InstitutionId, Sha256, SubmissionId};

use super::types::{AssignmentRow, CopyInfo, DeskSettings, OpenProgress, OpenStage, Opened};
use crate::error::{Error, Result};
use crate::impartiality;
use crate::open::{
    Blake3Writer, assigned_submission, blocking, check_manifest_against, fetch, refused,
    verify_envelopes,
};
use crate::profile::{self, OpenedRecord, write_json_atomic};
use crate::session::Session;

/// The folder of local copies in the profile folder.
pub const COPIES_DIR: &str = "copies";
/// The folder of files decrypted for the OS viewer.
pub const VIEWING_DIR: &str = "viewing";
/// The desk's settings file.
pub const SETTINGS_FILE: &str = "desk.json";
const RECORD_FILE: &str = "copy.json";
const BLOBS_DIR: &str = "blobs";
const PREVIOUS_MANIFEST: &str = "previous-manifest";

/// The version of [`CopyRecord`] this build writes.
const COPY_FORMAT: u32 = 1;

/// `copy.json`: what a copy holds, by id and hash only (nothing the school wrote), and what the
/// list last saw of its review (for the view when offline, and for removing it later).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct CopyRecord {
    pub format: u32,
    pub submission: SubmissionId,
    pub institution: InstitutionId,
    pub role: Role,
    /// Which envelope (1 + re-submissions).
    pub version: u32,
    pub envelope_sha256: Sha256,
    pub opened_at: DateTime<Utc>,
    /// The manifest's ciphertext (under `blobs/`).
    pub manifest: BlobRef,
    /// The version before's manifest (its ciphertext in `previous-manifest`), for what changed.
    pub previous: Option<PreviousManifest>,
    /// The review as last seen: state, versions, received, due.
    pub seen: Seen,
    /// When this computer first saw the review over (final, or no longer assigned).
    pub finished_at: Option<DateTime<Utc>>,
}

/// The version before's manifest.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct PreviousManifest {
    pub version: u32,
    pub blob: BlobRef,
}

/// The review as the desk last saw it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Seen {
    pub state: ReviewState,
    pub versions: u32,
    pub received_at: DateTime<Utc>,
    pub review_due: Option<NaiveDate>,
}

pub(crate) fn copies_dir(dir: &Path) -> PathBuf {
    dir.join(COPIES_DIR)
}

pub(crate) fn copy_dir(dir: &Path, id: SubmissionId) -> PathBuf {
    copies_dir(dir).join(id.to_string())
}

fn viewing_dir(dir: &Path, id: SubmissionId) -> PathBuf {
    dir.join(VIEWING_DIR).join(id.to_string())
}

pub(crate) fn blob_path(copy: &Path, blob: &BlobRef) -> PathBuf {
    copy.join(BLOBS_DIR).join(blob.sha256.to_hex())
}

fn read_json<T: serde::de::DeserializeOwned>(path: &Path, what: &str) -> Result<Option<T>> {
    match std::fs::read(path) {
        Ok(bytes) => serde_json::from_slice(&bytes).map(Some).map_err(|e| {
            Error::io(
                format!("{what} is damaged; remove the local copy and open the submission again"),
                path,
                std::io::Error::new(std::io::ErrorKind::InvalidData, e),
            )
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::io(format!("cannot read {what}"), path, e)),
    }
}

/// The settings (defaults when none were saved).
pub(crate) fn settings(dir: &Path) -> Result<DeskSettings> {
    Ok(read_json(&dir.join(SETTINGS_FILE), "the desk's settings")?.unwrap_or_default())
}

/// Saves the settings.
pub(crate) fn set_settings(dir: &Path, settings: &DeskSettings) -> Result<DeskSettings> {
    if settings.keep_finished_days > 3650 {
        return Err(Error::Usage(format!(
            "{} days is more than ten years: keep finished reviews for at most 3650 days",
            settings.keep_finished_days
        )));
    }
    write_json_atomic(&dir.join(SETTINGS_FILE), settings)?;
    Ok(settings.clone())
}

/// The record of the copy of `id`, if there is one.
pub(crate) fn record(dir: &Path, id: SubmissionId) -> Result<Option<CopyRecord>> {
    let record: Option<CopyRecord> = read_json(
        &copy_dir(dir, id).join(RECORD_FILE),
        "the local copy's record",
    )?;
    match record {
        Some(r) if r.format != COPY_FORMAT => Err(Error::Usage(format!(
            "the local copy of {id} was written by another version of Waymark (format {}): remove it and open the submission again",
            r.format
        ))),
        other => Ok(other),
    }
}

fn save_record(dir: &Path, record: &CopyRecord) -> Result<()> {
    write_json_atomic(&copy_dir(dir, record.submission).join(RECORD_FILE), record)
}

/// Decrypts the manifest a copy holds (in memory) and parses it.
pub(crate) fn read_manifest(copy: &Path, blob: &BlobRef, identity: &Identity) -> Result<Manifest> {
    let path = blob_path(copy, blob);
    manifest_from(&path, identity)
}

pub(crate) fn manifest_from(path: &Path, identity: &Identity) -> Result<Manifest> {
    let cipher =
        std::fs::read(path).map_err(|e| Error::io("cannot read the local copy", path, e))?;
    let plain = decrypt_document(&cipher, identity).map_err(|e| {
        refused(format!(
            "the local copy's manifest cannot be decrypted with your identity ({e}): remove the copy and open the submission again"
        ))
    })?;
    serde_json::from_slice(&plain).map_err(|e| {
        refused(format!(
            "the local copy's manifest is not a Waymark manifest: {e}"
        ))
    })
}

/// A reader that counts what passes and reports it.
struct Counting<'a, R> {
    inner: R,
    done: u64,
    report: &'a dyn Fn(u64),
}

impl<R: Read> Read for Counting<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.done += n as u64;
        (self.report)(self.done);
        Ok(n)
    }
}

/// Decrypts `cipher` (a file) with `identity`, writing the `size` plaintext bytes to `out`,
/// and refuses unless their BLAKE3 is `blake3_hex`.
fn decrypt_checked(
    cipher: &Path,
    identity: &Identity,
    size: u64,
    blake3_hex: &str,
    out: impl std::io::Write,
    what: &str,
    report: &dyn Fn(u64),
) -> Result<()> {
    let file = std::fs::File::open(cipher).map_err(|e| Error::io("cannot read", cipher, e))?;
    let input = Counting {
        inner: file,
        done: 0,
        report,
    };
    let mut writer = Blake3Writer {
        inner: out,
        hasher: blake3::Hasher::new(),
    };
    decrypt_padded(input, identity, size, &mut writer)
        .map_err(|e| refused(format!("{what} cannot be decrypted: {e}")))?;
    writer
        .inner
        .flush()
        .map_err(|e| Error::io("cannot write", cipher, e))?;
    if !writer
        .hasher
        .finalize()
        .to_hex()
        .as_str()
        .eq_ignore_ascii_case(blake3_hex.trim())
    {
        return Err(refused(format!(
            "{what} decrypted to bytes whose BLAKE3 is not the one the school's manifest gives: it was changed after the school signed it"
        )));
    }
    Ok(())
}

/// Opens submission `id` into a new local copy: every check of [`crate::open`] (signatures,
/// SHA-256 and size of every blob, the manifest against the envelope, each file's BLAKE3), the
/// whole copy built under a temporary name in `copies/` and renamed into place only when all of
/// it held; an older copy (and its draft) is replaced only then.
pub(crate) async fn open(
    session: &Session,
    id: SubmissionId,
    progress: &(dyn Fn(OpenProgress) + Send + Sync),
) -> Result<Opened> {
    let dir = &session.dir;
    let client = &session.client;
    progress(OpenProgress {
        stage: OpenStage::Verifying,
        done: 0,
        total: 0,
        file: None,
    });
    let sub = assigned_submission(client, id).await?;
    let envelopes = verify_envelopes(&sub)?;
    let version = envelopes.len() as u32;
    let (Some(current), Some(signed)) = (envelopes.last(), sub.envelopes.last()) else {
        return Err(refused("the endpoint sent no envelope for this submission"));
    };
    let envelope_sha256 = signed.body_sha256();
    progress(OpenProgress {
        stage: OpenStage::Verifying,
        done: u64::from(version),
        total: u64::from(version),
        file: None,
    });

    let copies = copies_dir(dir);
    std::fs::create_dir_all(&copies).map_err(|e| Error::io("cannot create", &copies, e))?;
    let staging = tempfile::Builder::new()
        .prefix(&format!(".{id}.partial-"))
        .tempdir_in(&copies)
        .map_err(|e| Error::io("cannot create a folder in", &copies, e))?;
    let blobs = staging.path().join(BLOBS_DIR);
    std::fs::create_dir(&blobs).map_err(|e| Error::io("cannot create", &blobs, e))?;

    // The manifest, in memory only.
    let manifest_path = blob_path(staging.path(), &current.manifest);
    fetch(
        client,
        id,
        &current.manifest,
        &manifest_path,
        "the manifest",
        &|_| {},
    )
    .await?;
    let identity = session.identity.clone();
    let path = manifest_path.clone();
    let manifest = blocking(move || manifest_from(&path, &identity))
        .await
        .map_err(|e| match e {
            Error::Refused(text) if text.contains("cannot be decrypted") => refused(
                "the submission's manifest cannot be decrypted with your identity: it was sent before you enrolled, so it is encrypted only to the recipients of that time. Ask the awarding body to reassign it, or to read it with its own identity".to_owned(),
            ),
            other => other,
        })?;
    check_manifest_against(&manifest, current)?;

    // The evidence ciphertexts, each checked against the signed envelope as it arrives.
    let total: u64 = current.blobs.iter().map(|b| b.size).sum();
    let mut done_before = 0u64;
    for blob in &current.blobs {
        let names: Vec<&str> = manifest
            .evidence
            .iter()
            .filter(|e| e.blob == *blob)
            .map(|e| e.file_name.as_str())
            .collect();
        let what = format!("the evidence file `{}`", names.join("`, `"));
        let file = names.first().map(|n| (*n).to_owned());
        let report = |n: u64| {
            progress(OpenProgress {
                stage: OpenStage::Downloading,
                done: done_before + n.min(blob.size),
                total,
                file: file.clone(),
            })
        };
        fetch(
            client,
            id,
            blob,
            &blob_path(staging.path(), blob),
            &what,
            &report,
        )
        .await?;
        done_before += blob.size;
    }

    // Every file decrypted once, to the hasher only, and checked against the manifest.
    let total_plain: u64 = manifest.evidence.iter().map(|e| e.size).sum();
    let mut done_plain = 0u64;
    let mut checked = HashSet::new();
    for item in &manifest.evidence {
        if !checked.insert((item.blob, item.blake3.clone(), item.size)) {
            done_plain += item.size;
            continue;
        }
        let cipher = blob_path(staging.path(), &item.blob);
        let key = session.identity.clone();
        let (size, hash, name) = (item.size, item.blake3.clone(), item.file_name.clone());
        let what = format!("the evidence file `{name}`");
        let base = done_plain;
        // Progress from the blocking thread: by bytes of ciphertext read (close to plaintext).
        let report = move |n: u64| {
            progress(OpenProgress {
                stage: OpenStage::Decrypting,
                done: base + n.min(size),
                total: total_plain,
                file: Some(name.clone()),
            })
        };
        // On this thread: the progress callback is borrowed, and the desk's callers run one
        // operation at a time on a runtime of their own, so nothing else waits on it.
        decrypt_checked(&cipher, &key, size, &hash, std::io::sink(), &what, &report)?;
        done_plain += item.size;
    }

    let previous = previous_manifest(session, id, &envelopes, staging.path()).await?;
    let named_in = impartiality::named_in(&manifest, &session.profile.name, &session.profile.email);
    let opened_at = Utc::now();
    let summary = &sub.assignment.summary;
    let record = CopyRecord {
        format: COPY_FORMAT,
        submission: id,
        institution: sub.institution.id,
        role: sub.assignment.role,
        version,
        envelope_sha256,
        opened_at,
        manifest: current.manifest,
        previous,
        seen: Seen {
            state: summary.state,
            versions: summary.versions,
            received_at: summary.received_at,
            review_due: summary.review_due,
        },
        finished_at: None,
    };
    let mut json = serde_json::to_vec_pretty(&record)
        .map_err(|e| Error::Internal(format!("the copy's record cannot be written: {e}")))?;
    json.push(b'\n');
    let record_path = staging.path().join(RECORD_FILE);
    let mut file = std::fs::File::create_new(&record_path)
        .map_err(|e| Error::io("cannot write", &record_path, e))?;
    file.write_all(&json)
        .and_then(|()| file.sync_all())
        .map_err(|e| Error::io("cannot write", &record_path, e))?;

    // Into place: the draft carries over from the copy being replaced.
    let target = copy_dir(dir, id);
    if target.exists() {
        let old_draft = target.join(super::draft::DRAFT_FILE);
        if old_draft.exists() {
            let keep = staging.path().join(super::draft::DRAFT_FILE);
            std::fs::rename(&old_draft, &keep)
                .map_err(|e| Error::io("cannot keep the draft of", &old_draft, e))?;
        }
        remove_dir(&target)?;
    }
    let built = staging.keep();
    if let Err(e) = std::fs::rename(&built, &target) {
        let _ = std::fs::remove_dir_all(&built);
        return Err(Error::io(
            "cannot move the opened submission into",
            &target,
            e,
        ));
    }
    remove_dir(&viewing_dir(dir, id))?;

    // The same record the `waymark-assess` decision commands check.
    profile::record_opened(
        dir,
        &OpenedRecord {
            submission: id,
            institution: sub.institution.id,
            role: sub.assignment.role,
            version,
            envelope_sha256,
            opened_at,
            out: target,
            named_in: named_in.clone(),
        },
    )?;

    Ok(Opened {
        submission: id.to_string(),
        version,
        evidence_files: manifest.evidence.len() as u32,
        evidence_bytes: total_plain,
        named_in,
    })
}

/// Fetches the manifest of the version before the current one (when there is one) into the
/// copy, checked against that version's signed envelope (`envelopes`: verified, oldest
/// first), for "what changed". A version sent before the assessor enrolled cannot be
/// decrypted; then there is no comparison.
async fn previous_manifest(
    session: &Session,
    id: SubmissionId,
    envelopes: &[Envelope],
    copy: &Path,
) -> Result<Option<PreviousManifest>> {
    let count = envelopes.len();
    if count < 2 {
        return Ok(None);
    }
    let before = &envelopes[count - 2];
    let path = copy.join(PREVIOUS_MANIFEST);
    fetch(
        &session.client,
        id,
        &before.manifest,
        &path,
        "the previous version's manifest",
        &|_| {},
    )
    .await?;
    match manifest_from(&path, &session.identity) {
        Ok(_) => Ok(Some(PreviousManifest {
            version: count as u32 - 1,
            blob: before.manifest,
        })),
        Err(Error::Refused(_)) => {
            let _ = std::fs::remove_file(&path);
            Ok(None)
        }
        Err(e) => Err(e),
    }
}

/// The previous version's manifest of a copy, if it has one.
pub(crate) fn previous(
    copy: &Path,
    record: &CopyRecord,
    identity: &Identity,
) -> Option<(u32, Manifest)> {
    let previous = record.previous.as_ref()?;
    manifest_from(&copy.join(PREVIOUS_MANIFEST), identity)
        .ok()
        .map(|m| (previous.version, m))
}

fn remove_dir(path: &Path) -> Result<()> {
    match std::fs::remove_dir_all(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(Error::io("cannot remove", path, e)),
    }
}

/// Removes the copy of `id`, its draft and anything decrypted for viewing; false when there
/// was no copy.
pub(crate) fn remove(dir: &Path, id: SubmissionId) -> Result<bool> {
    let copy = copy_dir(dir, id);
    let existed = copy.exists();
    remove_dir(&copy)?;
    remove_dir(&viewing_dir(dir, id))?;
    Ok(existed)
}

/// Removes every copy and everything decrypted for viewing (signing out).
pub(crate) fn remove_all(dir: &Path) -> Result<()> {
    remove_dir(&copies_dir(dir))?;
    remove_dir(&dir.join(VIEWING_DIR))
}

/// The ids of every copy on this computer (half-built ones left by a crash are skipped).
fn copy_ids(dir: &Path) -> Result<Vec<SubmissionId>> {
    let copies = copies_dir(dir);
    let entries = match std::fs::read_dir(&copies) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(Error::io("cannot read", &copies, e)),
    };
    let mut ids = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| Error::io("cannot read", &copies, e))?;
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        if name.starts_with('.') {
            // A copy being built, or left half-built by a crash: never shown, removed here.
            if name.contains(".partial-") {
                let _ = std::fs::remove_dir_all(entry.path());
            }
            continue;
        }
        if let Ok(id) = name.parse::<SubmissionId>() {
            ids.push(id);
        }
    }
    Ok(ids)
}

/// When a finished copy goes.
fn remove_after(record: &CopyRecord, settings: &DeskSettings) -> Option<DateTime<Utc>> {
    record
        .finished_at
        .map(|at| at + Duration::days(i64::from(settings.keep_finished_days)))
}

pub(crate) fn copy_info(record: &CopyRecord, settings: &DeskSettings) -> CopyInfo {
    CopyInfo {
        version: record.version,
        opened_at: record.opened_at,
        current: record.version >= record.seen.versions,
        finished_at: record.finished_at,
        remove_after: remove_after(record, settings),
    }
}

/// The assignments with their copies. Each copy's record learns the review's state; a copy
/// whose review is final, or that is no longer assigned to this assessor (reassigned), is
/// marked finished, and removed once the kept time has passed.
pub(crate) async fn assignments(
    session: &Session,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<Vec<AssignmentRow>> {
    let dir = &session.dir;
    let list = crate::list::assignments(&session.client).await?;
    let settings = settings(dir)?;
    let catalog = waymark_core::framework::Catalog::bundled().ok();
    let assigned: HashSet<SubmissionId> = list.iter().map(|a| a.summary.id).collect();

    // Copies of reviews no longer assigned: reassigned (or the submission went).
    for id in copy_ids(dir)? {
        if assigned.contains(&id) {
            continue;
        }
        if let Some(mut record) = record(dir, id)? {
            if record.finished_at.is_none() {
                record.finished_at = Some(now);
                save_record(dir, &record)?;
            }
            if remove_after(&record, &settings).is_some_and(|at| at <= now) {
                remove(dir, id)?;
            }
        }
    }

    let mut rows = Vec::with_capacity(list.len());
    for a in list {
        let s = &a.summary;
        let mut copy = None;
        if let Some(mut r) = record(dir, s.id)? {
            let seen = Seen {
                state: s.state,
                versions: s.versions,
                received_at: s.received_at,
                review_due: s.review_due,
            };
            let finished_at = if s.state.is_final() {
                r.finished_at.or(Some(now))
            } else {
                None
            };
            if r.seen != seen || r.finished_at != finished_at {
                r.seen = seen;
                r.finished_at = finished_at;
                save_record(dir, &r)?;
            }
            if remove_after(&r, &settings).is_some_and(|at| at <= now) {
                remove(dir, s.id)?;
            } else {
                copy = Some(copy_info(&r, &settings));
            }
        }
        let framework = catalog
            .as_ref()
            .and_then(|c| c.get(&s.framework.id, &s.framework.version));
        rows.push(AssignmentRow {
            submission: s.id.to_string(),
            institution_name: s.institution_name.clone(),
            framework_id: s.framework.id.clone(),
            framework_version: s.framework.version.clone(),
            framework_title: framework.map(|f| f.def().title.clone()),
            award: s.award.clone(),
            award_title: framework
                .and_then(|f| f.award(&s.award))
                .map(|a| a.title.clone()),
            received_on: s.received_at.date_naive(),
            review_due: s.review_due,
            overdue: crate::list::is_overdue(&a, today),
            state: s.state,
            role: a.role,
            versions: s.versions,
            copy,
        });
    }
    Ok(rows)
}

/// The row of one assignment after a decision (the endpoint's new summary).
pub(crate) async fn row(
    session: &Session,
    id: SubmissionId,
    today: NaiveDate,
) -> Result<AssignmentRow> {
    let rows = assignments(session, today, Utc::now()).await?;
    rows.into_iter()
        .find(|r| r.submission == id.to_string())
        .ok_or_else(|| {
            refused(format!(
                "submission {id} is no longer assigned to you (the awarding body may have reassigned it)"
            ))
        })
}

/// Decrypts one evidence file of the copy of `id` into `viewing/<id>/` (private to the user),
/// checked against the manifest's BLAKE3, and returns its path.
pub(crate) fn evidence_file(
    session: &Session,
    id: SubmissionId,
    evidence: &str,
) -> Result<PathBuf> {
    let dir = &session.dir;
    let record = record(dir, id)?.ok_or_else(|| not_opened(id))?;
    let copy = copy_dir(dir, id);
    let manifest = read_manifest(&copy, &record.manifest, &session.identity)?;
    let Some(index) = manifest.evidence.iter().position(|e| e.id == evidence) else {
        return Err(Error::Usage(format!(
            "submission {id} has no evidence file with id `{evidence}`"
        )));
    };
    // The same unique names as the folder `waymark-assess open` writes.
    let mut taken = HashSet::new();
    let mut name = String::new();
    for e in &manifest.evidence[..=index] {
        name = crate::open::unique_name(&e.file_name, &mut taken);
    }
    let item = &manifest.evidence[index];
    let viewing = viewing_dir(dir, id);
    create_private_dir(&viewing)?;
    let target = viewing.join(&name);
    if target.exists() {
        // Opened before this session: check it is still what the school sent.
        if file_blake3(&target)?.eq_ignore_ascii_case(item.blake3.trim()) {
            return Ok(target);
        }
        std::fs::remove_file(&target).map_err(|e| Error::io("cannot replace", &target, e))?;
    }
    let mut out = tempfile::NamedTempFile::new_in(&viewing)
        .map_err(|e| Error::io("cannot write a file in", &viewing, e))?;
    decrypt_checked(
        &blob_path(&copy, &item.blob),
        &session.identity,
        item.size,
        &item.blake3,
        std::io::BufWriter::new(out.as_file_mut()),
        &format!("the evidence file `{}`", item.file_name),
        &|_| {},
    )?;
    out.as_file()
        .sync_all()
        .map_err(|e| Error::io("cannot write", out.path(), e))?;
    out.persist(&target)
        .map_err(|e| Error::io("cannot write", &target, e.error))?;
    Ok(target)
}

fn file_blake3(path: &Path) -> Result<String> {
    let mut hasher = blake3::Hasher::new();
    let file = std::fs::File::open(path).map_err(|e| Error::io("cannot read", path, e))?;
    hasher
        .update_reader(file)
        .map_err(|e| Error::io("cannot read", path, e))?;
    Ok(hasher.finalize().to_hex().to_string())
}

/// Creates `path` (and its parents), readable only by this user on Unix.
fn create_private_dir(path: &Path) -> Result<()> {
    std::fs::create_dir_all(path).map_err(|e| Error::io("cannot create", path, e))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        for p in [path.parent().unwrap_or(path), path] {
            std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o700))
                .map_err(|e| Error::io("cannot make private", p, e))?;
        }
    }
    Ok(())
}

pub(crate) fn not_opened(id: SubmissionId) -> Error {
    Error::NotOpened(id)
}
