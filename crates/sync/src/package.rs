//! Packaging a submission: the core decides whether the award can be applied for; the lead
//! sees what will be sent and confirms every item showing pupils' personal data; the evidence
//! is frozen (so what is sent is exactly what was reviewed); every blob and the manifest are
//! sealed to the awarding body's recipients; the envelope is signed with the institution's key;
//! and the whole is queued in the outbox, durably, for delivery.
//!
//! Order on disk: blobs first, then their records, then the manifest, then the queued
//! envelope, so a crash never leaves a queued submission that points at nothing. A plaintext
//! already sealed to the same recipient set is referenced by its ciphertext hash and never
//! sealed or sent again, so a re-submission sends only what is new or changed.

use std::collections::{BTreeMap, HashSet};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, mpsc};

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use waymark_core::Workspace;
use waymark_core::framework::{AwardKind, Issuer};
use waymark_core::outbox::{NewOutboxSubmission, OutboxState, OutboxSubmission, SealedBlob};
use waymark_core::store::Review;
use waymark_protocol::api::SubmissionStatus;
use waymark_protocol::crypt::Recipient;
use waymark_protocol::envelope::{BlobRef, ENVELOPE_FORMAT, Envelope};
use waymark_protocol::ids::FrameworkRef;
use waymark_protocol::manifest::{
    EvidenceLink, HistoryEntry, MANIFEST_FORMAT, Manifest, ManifestAction, ManifestContributor,
    ManifestEvidence, ManifestInstitution, ManifestResponse, check_file_name,
};
use waymark_protocol::review::ReviewState;
use waymark_protocol::{Sha256, SubmissionId};

use crate::error::{Result, SyncError};
use crate::seal::{self, BLOBS_DIR, PARTIAL_PREFIX, SealedFile};
use crate::session::Session;
use crate::{Shared, lock};

/// How many history rows the manifest's summary carries (the newest).
pub const HISTORY_ROWS: u32 = 500;

/// How old an unrecorded file in the outbox must be before it is taken for a crash's leftover.
const SWEEP_AFTER: std::time::Duration = std::time::Duration::from_secs(3600);

/// One evidence item as the lead is shown it before sending.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PlannedEvidence {
    /// The item's id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// The file name sent (never its folder).
    pub file_name: String,
    /// Bytes.
    pub size: u64,
    /// Whether it shows pupils' personal data (then it must be confirmed).
    pub personal_data: bool,
    /// Whether the endpoint already holds it sealed to the current recipients (not sent
    /// again).
    pub already_sent: bool,
}

/// What will be sent, for the lead to check before it is queued.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Plan {
    /// The award applied for.
    pub award: String,
    /// Its title.
    pub award_title: String,
    /// The framework and version judged by.
    pub framework: FrameworkRef,
    /// The endpoint's id of the submission this answers (more evidence was requested).
    pub responds_to: Option<String>,
    /// Benchmarks with a response.
    pub benchmarks: Vec<String>,
    /// Every evidence item sent.
    pub evidence: Vec<PlannedEvidence>,
    /// Their total size.
    pub evidence_bytes: u64,
    /// Of which not yet held by the endpoint.
    pub new_bytes: u64,
    /// The working group, "name (role)".
    pub contributors: Vec<String>,
    /// Future actions in the plan.
    pub actions: usize,
    /// Items showing pupils' personal data, each to be confirmed.
    pub personal_data: Vec<PlannedEvidence>,
}

/// What packaging queued.
#[derive(Clone, Debug, Serialize)]
pub struct Queued {
    /// The outbox entry.
    pub submission: OutboxSubmission,
    /// What the lead was shown.
    pub plan: Plan,
    /// Blobs sealed now.
    pub sealed: usize,
    /// Blobs reused from earlier submissions.
    pub reused: usize,
    /// Whether the awarding body's keys were fetched now (false: offline, the keys last
    /// verified were used).
    pub keys_refreshed: bool,
}

/// Progress of sealing, for a progress bar.
#[derive(Clone, Copy, Debug, Default)]
pub struct SealProgress {
    /// Plaintext bytes sealed so far.
    pub done: u64,
    /// Plaintext bytes to seal.
    pub total: u64,
}

/// The review, its award, and whether this is an answer to a request for more evidence.
struct Target {
    review: Review,
    award_title: String,
    responds_to: Option<String>,
}

fn target(ws: &Workspace, framework: Option<&str>, award: &str) -> Result<Target> {
    let review = ws.current_review(framework)?;
    let fw = ws.framework_of(&review)?;
    let Some(def) = fw.def().awards.iter().find(|a| a.id == award) else {
        let marks: Vec<&str> = fw
            .def()
            .awards
            .iter()
            .filter(|a| a.issuer == Issuer::AwardingBody)
            .map(|a| a.id.as_str())
            .collect();
        return Err(SyncError::Usage(format!(
            "{} has no award `{award}`; the awards applied for to the awarding body are: {}",
            fw.def().title,
            marks.join(", ")
        )));
    };
    if def.issuer != Issuer::AwardingBody || def.kind == AwardKind::Certificate {
        return Err(SyncError::Usage(format!(
            "{} is printed by Waymark once its conditions hold (`waymark certificate {award}`); it is not applied for",
            def.title
        )));
    }
    let progress = ws.progress(&review)?;
    let status = progress.awards.iter().find(|a| a.id == award);
    if let Some(status) = status.filter(|s| !s.eligible) {
        return Err(SyncError::NotEligible {
            title: status.title.clone(),
            reasons: status.reasons.iter().map(ToString::to_string).collect(),
        });
    }
    let responds_to = previous(ws, &review, award, &def.title)?;
    Ok(Target {
        review,
        award_title: def.title.clone(),
        responds_to,
    })
}

/// The submission a new one for `award` answers, or a refusal when one is already under way.
fn previous(ws: &Workspace, review: &Review, award: &str, title: &str) -> Result<Option<String>> {
    let mut latest: Option<OutboxSubmission> = None;
    for s in ws.outbox()? {
        if s.review_id == review.id && s.award == award {
            latest = Some(s);
        }
    }
    let Some(latest) = latest else {
        return Ok(None);
    };
    match latest.state {
        OutboxState::Queued => Err(SyncError::Usage(format!(
            "an application for {title} is already in the outbox (queued {}): run `waymark sync` to send it",
            latest.queued_at.format("%Y-%m-%d %H:%M")
        ))),
        OutboxState::Refused => Ok(latest.responds_to),
        OutboxState::Sent => {
            let state = latest
                .status
                .as_deref()
                .and_then(|s| serde_json::from_str::<SubmissionStatus>(s).ok())
                .map(|s| s.summary.state);
            match state {
                Some(ReviewState::MoreEvidenceRequested) => Ok(latest.server_id),
                Some(ReviewState::Awarded | ReviewState::NotAwarded) => Ok(None),
                _ => Err(SyncError::Usage(format!(
                    "{title} was applied for on {} and is being reviewed: a new submission can be sent when the assessor asks for more evidence or the review ends (`waymark submissions` shows where it stands)",
                    latest
                        .sent_at
                        .unwrap_or(latest.queued_at)
                        .format("%Y-%m-%d")
                ))),
            }
        }
    }
}

/// The file name as sent: the last component of the path, made plain if it is not.
fn file_name_of(path: &str) -> String {
    let name = Path::new(path)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    if check_file_name(&name).is_ok() {
        return name;
    }
    let cleaned: String = name
        .chars()
        .map(|c| {
            if matches!(c, '/' | '\\' | ':') || c.is_control() {
                '_'
            } else {
                c
            }
        })
        .collect();
    if check_file_name(&cleaned).is_ok() {
        cleaned
    } else {
        "evidence".to_owned()
    }
}

fn plan(ws: &Workspace, target: &Target, award: &str, recipients: Option<&str>) -> Result<Plan> {
    let review = &target.review;
    let mut evidence = Vec::new();
    for item in ws.evidence(review)? {
        let already_sent = match recipients {
            Some(r) => ws.sealed_blob_for(&item.hash, r)?.is_some_and(|b| b.held),
            None => false,
        };
        evidence.push(PlannedEvidence {
            file_name: file_name_of(&item.path),
            id: item.id,
            title: item.title,
            size: item.size,
            personal_data: item.personal_data,
            already_sent,
        });
    }
    let evidence_bytes = evidence.iter().map(|e| e.size).sum();
    let new_bytes = evidence
        .iter()
        .filter(|e| !e.already_sent)
        .map(|e| e.size)
        .sum();
    let contributors = ws
        .contributors()?
        .into_iter()
        .map(|c| match c.role {
            Some(role) if !role.trim().is_empty() => format!("{} ({role})", c.name),
            _ => c.name,
        })
        .collect();
    Ok(Plan {
        award: award.to_owned(),
        award_title: target.award_title.clone(),
        framework: FrameworkRef {
            id: review.framework_id.clone(),
            version: review.framework_version.clone(),
        },
        responds_to: target.responds_to.clone(),
        benchmarks: ws
            .responses(review)?
            .into_iter()
            .map(|r| r.benchmark_id)
            .collect(),
        personal_data: evidence
            .iter()
            .filter(|e| e.personal_data)
            .cloned()
            .collect(),
        evidence,
        evidence_bytes,
        new_bytes,
        contributors,
        actions: ws.actions(review)?.len(),
    })
}

/// What would be sent for `award` now (no network, nothing written): refuses with the core's
/// reasons when the award's rules are not met. `already_sent` reflects the recipients the
/// last packaging used.
pub fn preview(shared: &Shared, framework: Option<&str>, award: &str) -> Result<Plan> {
    let ws = lock(shared);
    let target = target(&ws, framework, award)?;
    let recipients = ws
        .sealed_blobs()?
        .into_iter()
        .rev()
        .find(|b| b.held)
        .map(|b| b.recipients);
    plan(&ws, &target, award, recipients.as_deref())
}

/// Removes what a crash left in the outbox folder: half-written blobs, and sealed blobs that
/// were never recorded (a crash between the rename and the record).
fn sweep(ws: &Workspace, dir: &Path) -> Result<()> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(());
    };
    let known: HashSet<String> = ws
        .sealed_blobs()?
        .into_iter()
        .filter_map(|b| {
            Path::new(&b.file)
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
        })
        .collect();
    // Only what is older than an hour: another process (the app while the CLI packages) may
    // be between writing a blob and recording it.
    let settled = |entry: &std::fs::DirEntry| {
        entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age > SWEEP_AFTER)
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let orphan =
            name.starts_with(PARTIAL_PREFIX) || (name.ends_with(".age") && !known.contains(&name));
        if orphan && settled(&entry) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
    Ok(())
}

/// One plaintext to seal: a frozen copy in the vault.
struct Job {
    vault: waymark_core::evidence::Vault,
    blake3: String,
    size: u64,
}

/// Seals `jobs` on every core (the age crate is single-threaded per file), recording each
/// blob as soon as it is written so an interrupted packaging resumes where it stopped.
fn seal_all(
    shared: &Shared,
    jobs: Vec<Job>,
    recipients: &[Recipient],
    recipients_id: &str,
    dir: &Path,
    data_dir: &Path,
    on_progress: &(dyn Fn(SealProgress) + Sync),
) -> Result<()> {
    let total: u64 = jobs.iter().map(|j| j.size).sum();
    let done = AtomicU64::new(0);
    // One more worker than cores: each blob ends with an fsync and a directory sync, during
    // which its worker waits on the disk and the extra one keeps the cores busy.
    let workers = (std::thread::available_parallelism().map_or(2, std::num::NonZero::get) + 1)
        .min(jobs.len())
        .max(1);
    // Largest first, so one big video does not start last and run alone.
    let mut jobs = jobs;
    jobs.sort_by_key(|j| std::cmp::Reverse(j.size));
    let queue = std::sync::Mutex::new(jobs.into_iter());
    let (tx, rx) = mpsc::channel::<Result<(Job, SealedFile)>>();
    std::thread::scope(|scope| -> Result<()> {
        for _ in 0..workers {
            let tx = tx.clone();
            let queue = &queue;
            scope.spawn(move || {
                loop {
                    let next = queue.lock().map(|mut q| q.next()).unwrap_or(None);
                    let Some(job) = next else { break };
                    let sealed =
                        seal::seal_frozen(&job.vault, &job.blake3, job.size, recipients, dir);
                    let failed = sealed.is_err();
                    let _ = tx.send(sealed.map(|s| (job, s)));
                    if failed {
                        break;
                    }
                }
            });
        }
        drop(tx);
        let mut first_error = None;
        for result in rx {
            match result {
                Ok((job, sealed)) => {
                    let record = SealedBlob {
                        sha256: sealed.sha256.to_hex(),
                        size: sealed.size,
                        plain_blake3: job.blake3.clone(),
                        plain_size: job.size,
                        recipients: recipients_id.to_owned(),
                        file: relative(data_dir, &sealed.path),
                        upload_url: None,
                        held: false,
                    };
                    if let Err(e) = lock(shared).add_sealed_blob(&record) {
                        first_error.get_or_insert(SyncError::from(e));
                    }
                    let now = done.fetch_add(job.size, Ordering::Relaxed) + job.size;
                    on_progress(SealProgress { done: now, total });
                }
                Err(e) => {
                    // Stop handing out work; the others finish what they hold.
                    if let Ok(mut q) = queue.lock() {
                        for _ in q.by_ref() {}
                    }
                    first_error.get_or_insert(e);
                }
            }
        }
        first_error.map_or(Ok(()), Err)
    })
}

fn relative(data_dir: &Path, path: &Path) -> String {
    path.strip_prefix(data_dir)
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
}

fn parse_time(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

fn parse_day(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text.get(..10).unwrap_or(text), "%Y-%m-%d").ok()
}

/// The manifest: everything the school wrote, as the wire's own types.
fn manifest(
    ws: &Workspace,
    review: &Review,
    award: &str,
    evidence_blobs: &BTreeMap<String, BlobRef>,
) -> Result<Manifest> {
    let institution = ws.institution()?;
    let prepared_by = ws
        .author()?
        .or_else(|| institution.contact_name.clone())
        .unwrap_or_default();
    let responses = ws
        .responses(review)?
        .into_iter()
        .map(|r| ManifestResponse {
            benchmark: r.benchmark_id,
            level: r.level.map(u32::from),
            commentary: r.commentary,
            updated_at: parse_time(&r.updated_at),
            updated_by: Some(r.updated_by).filter(|b| !b.is_empty()),
        })
        .collect();
    let history = ws
        .recent_changes(review, HISTORY_ROWS)?
        .into_iter()
        .filter_map(|h| {
            let summary = match (h.level, h.note.as_deref()) {
                (Some(level), None) => format!("{:?}: level {level}", h.change),
                (Some(level), Some(note)) => format!("{:?}: level {level} ({note})", h.change),
                (None, Some(note)) => format!("{:?} ({note})", h.change),
                (None, None) => format!("{:?}", h.change),
            };
            Some(HistoryEntry {
                at: parse_time(&h.changed_at)?,
                benchmark: h.benchmark_id,
                by: Some(h.changed_by).filter(|b| !b.is_empty()),
                summary,
            })
        })
        .collect();
    let actions = ws
        .actions(review)?
        .into_iter()
        .map(|a| ManifestAction {
            title: a.text,
            detail: String::new(),
            benchmark: a.benchmarks.first().cloned(),
            owner: a.owner,
            due: a.due_date.as_deref().and_then(parse_day),
            status: a.status.as_str().to_owned(),
        })
        .collect();
    let working_group = ws
        .contributors()?
        .into_iter()
        .map(|c| ManifestContributor {
            name: c.name,
            role: c.role.unwrap_or_default(),
            email: c.email,
        })
        .collect();
    let mut evidence = Vec::new();
    for item in ws.evidence(review)? {
        let Some(blob) = evidence_blobs.get(&item.hash) else {
            continue;
        };
        evidence.push(ManifestEvidence {
            file_name: file_name_of(&item.path),
            id: item.id,
            title: item.title,
            size: item.size,
            blake3: item.hash,
            links: item
                .links
                .into_iter()
                .map(|l| EvidenceLink {
                    benchmark: l.benchmark_id,
                    requirement: l.requirement_id,
                })
                .collect(),
            personal_data: item.personal_data,
            blob: *blob,
        });
    }
    let manifest = Manifest {
        format: MANIFEST_FORMAT,
        institution: ManifestInstitution {
            name: institution.name,
            identifier: institution.identifier,
        },
        framework: FrameworkRef {
            id: review.framework_id.clone(),
            version: review.framework_version.clone(),
        },
        award: award.to_owned(),
        prepared_at: Utc::now(),
        prepared_by,
        responses,
        history,
        actions,
        working_group,
        evidence,
    };
    manifest.check()?;
    Ok(manifest)
}

/// Packages a submission for `award` and queues it: see the module's documentation. Every id
/// of an item flagged as showing pupils' personal data must be in `confirmed`.
pub async fn package(
    shared: &Shared,
    session: &mut Session,
    framework: Option<&str>,
    award: &str,
    confirmed: &[String],
    on_progress: Arc<dyn Fn(SealProgress) + Send + Sync>,
) -> Result<Queued> {
    // 1. May it be applied for? Everything the lead confirmed must be what is flagged.
    let (target, unconfirmed) = {
        let ws = lock(shared);
        let target = target(&ws, framework, award)?;
        let items = ws.evidence(&target.review)?;
        // A confirmation of something that is not flagged is a mistyped id: say so rather
        // than let the lead believe a photo was checked.
        let flagged: HashSet<&str> = items
            .iter()
            .filter(|i| i.personal_data)
            .map(|i| i.id.as_str())
            .collect();
        if let Some(stray) = confirmed.iter().find(|c| !flagged.contains(c.as_str())) {
            return Err(SyncError::Usage(format!(
                "--confirm-personal-data {stray}: no evidence item with that id is flagged as showing pupils' personal data (`waymark submit --award {award} --dry-run` lists those that are)"
            )));
        }
        let unconfirmed: Vec<(String, String)> = items
            .into_iter()
            .filter(|i| i.personal_data && !confirmed.iter().any(|c| c == &i.id))
            .map(|i| (i.id, i.title))
            .collect();
        (target, unconfirmed)
    };
    if !unconfirmed.is_empty() {
        return Err(SyncError::PersonalDataUnconfirmed { items: unconfirmed });
    }
    // 2. The newest recipients (an assessor added since is included), verified from the pin.
    // Offline, or with network activity paused, the key set last verified is used: a
    // submission can be queued without a network, and is sent when there is one.
    let (key_set, keys_refreshed) = match session.refresh_key_set(shared).await {
        Ok(set) => (set.clone(), true),
        Err(e) if e.is_transient() || matches!(e, SyncError::Restricted) => {
            tracing::info!(%e, "offline: sealing to the key set last verified");
            (session.key_set.clone(), false)
        }
        Err(e) => return Err(e),
    };
    let recipients: Vec<Recipient> = key_set.recipients.iter().map(|r| r.age.clone()).collect();
    if recipients.is_empty() {
        return Err(SyncError::Refused(
            "the awarding body's key set names nobody who can read submissions: tell the awarding body".into(),
        ));
    }
    let recipients_id = seal::recipients_id(&recipients);

    // 3. Freeze, so what is sent is exactly what was reviewed; find what must be sealed.
    let shared2 = shared.clone();
    let review = target.review.clone();
    let rid = recipients_id.clone();
    let (jobs, dir, data_dir) = tokio::task::spawn_blocking(move || -> Result<_> {
        let mut ws = lock(&shared2);
        let report = ws.freeze(&review)?;
        if !report.skipped.is_empty() {
            return Err(SyncError::NotFrozen {
                items: report
                    .skipped
                    .iter()
                    .map(|s| match &s.title {
                        Some(t) => format!("{t} ({}): {}", s.path, s.reason),
                        None => format!("{}: {}", s.path, s.reason),
                    })
                    .collect(),
            });
        }
        let dir = ws.outbox_dir().join(BLOBS_DIR);
        sweep(&ws, &dir)?;
        let mut jobs = Vec::new();
        let mut seen = HashSet::new();
        for item in ws.evidence(&review)? {
            if !seen.insert(item.hash.clone()) {
                continue;
            }
            if let Some(existing) = ws.sealed_blob_for(&item.hash, &rid)?
                && (ws.data_dir().join(&existing.file).is_file() || existing.held)
            {
                continue;
            }
            jobs.push(Job {
                vault: ws.vault(),
                blake3: item.hash,
                size: item.size,
            });
        }
        Ok((jobs, dir, ws.data_dir().to_owned()))
    })
    .await
    .map_err(|e| SyncError::Internal(e.to_string()))??;
    let sealed_now = jobs.len();

    // 4. Seal what is new, on every core.
    let shared2 = shared.clone();
    let recipients2 = recipients.clone();
    let rid = recipients_id.clone();
    let dir2 = dir.clone();
    let data_dir2 = data_dir.clone();
    let progress = on_progress.clone();
    tokio::task::spawn_blocking(move || {
        seal_all(
            &shared2,
            jobs,
            &recipients2,
            &rid,
            &dir2,
            &data_dir2,
            &move |p| progress(p),
        )
    })
    .await
    .map_err(|e| SyncError::Internal(e.to_string()))??;

    // 5. The manifest, then the signed envelope, then the queue entry.
    let shared2 = shared.clone();
    let key = Arc::clone(&session.credentials.signing_key);
    let institution = session.institution;
    let fingerprint = session.enrollment.fingerprint.clone();
    let award = award.to_owned();
    tokio::task::spawn_blocking(move || -> Result<Queued> {
        let mut ws = lock(&shared2);
        let review = &target.review;
        let mut evidence_blobs = BTreeMap::new();
        let mut reused = 0usize;
        for item in ws.evidence(review)? {
            if evidence_blobs.contains_key(&item.hash) {
                continue;
            }
            let blob = ws
                .sealed_blob_for(&item.hash, &recipients_id)?
                .ok_or_else(|| {
                    SyncError::Internal(format!("evidence {} was not sealed", item.id))
                })?;
            let sha256: Sha256 = blob.sha256.parse()?;
            evidence_blobs.insert(
                item.hash.clone(),
                BlobRef {
                    sha256,
                    size: blob.size,
                },
            );
            reused += 1;
        }
        reused = reused.saturating_sub(sealed_now);
        let manifest = manifest(&ws, review, &award, &evidence_blobs)?;
        let json = serde_json::to_vec(&manifest).map_err(|e| SyncError::Internal(e.to_string()))?;
        let sealed = seal::seal_bytes(&json, &recipients, &dir)?;
        ws.add_sealed_blob(&SealedBlob {
            sha256: sealed.sha256.to_hex(),
            size: sealed.size,
            plain_blake3: blake3::hash(&json).to_hex().to_string(),
            plain_size: json.len() as u64,
            recipients: recipients_id.clone(),
            file: relative(&data_dir, &sealed.path),
            upload_url: None,
            held: false,
        })?;
        let mut blobs: Vec<BlobRef> = Vec::new();
        let mut listed = HashSet::new();
        for blob in evidence_blobs.values() {
            if listed.insert(blob.sha256) {
                blobs.push(*blob);
            }
        }
        let envelope = Envelope {
            format: ENVELOPE_FORMAT,
            institution,
            framework: manifest.framework.clone(),
            award: award.clone(),
            created_at: Utc::now(),
            nonce: Envelope::new_nonce(),
            responds_to: target
                .responds_to
                .as_deref()
                .map(str::parse::<SubmissionId>)
                .transpose()?,
            key_set: waymark_protocol::keys::Fingerprint(fingerprint),
            manifest: BlobRef {
                sha256: sealed.sha256,
                size: sealed.size,
            },
            blobs,
        };
        envelope.check()?;
        let signed = envelope.sign(&key);
        let plan = plan(&ws, &target, &award, Some(&recipients_id))?;
        let submission = ws.queue_submission(&NewOutboxSubmission {
            id: uuid::Uuid::now_v7().to_string(),
            review_id: review.id.clone(),
            award: award.clone(),
            framework_id: review.framework_id.clone(),
            framework_version: review.framework_version.clone(),
            responds_to: target.responds_to.clone(),
            envelope: serde_json::to_string(&signed)
                .map_err(|e| SyncError::Internal(e.to_string()))?,
            manifest: sealed.sha256.to_hex(),
            blobs: envelope.all_blobs().map(|b| b.sha256.to_hex()).collect(),
            summary: serde_json::to_string(&plan)
                .map_err(|e| SyncError::Internal(e.to_string()))?,
            queued_at: Utc::now(),
        })?;
        Ok(Queued {
            submission,
            plan,
            sealed: sealed_now,
            reused,
            keys_refreshed,
        })
    })
    .await
    .map_err(|e| SyncError::Internal(e.to_string()))?
}
