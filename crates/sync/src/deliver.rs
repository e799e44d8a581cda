//! Delivery of the outbox: for each queued submission, ask which blobs the endpoint already
//! holds, upload the rest over tus (several at once, bounded), commit the signed envelope,
//! verify the receipt against the pinned key set and record it. A failure that time may cure
//! (no network, the endpoint down or busy) waits with exponential backoff and jitter; a refusal
//! someone must act on marks the submission refused with the endpoint's words.
//!
//! Every step is recorded as it happens (the upload's Location before its first byte, each
//! blob once held, the receipt once verified), so a killed process or a restarted machine
//! resumes where it stopped and never sends a finished blob again.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use chrono::{DateTime, Utc};
use futures::StreamExt as _;
use serde::Serialize;
use waymark_core::outbox::OutboxSubmission;
use waymark_net::ClientError;
use waymark_protocol::api::{CommitRequest, CommitResponse, HeldRequest, HeldResponse};
use waymark_protocol::receipt::{Receipt, verify_receipt};
use waymark_protocol::signed::{Purpose, Signed};
use waymark_protocol::{ApiErrorCode, Sha256};

use crate::error::{Result, SyncError};
use crate::session::Session;
use crate::tus::{self, Upload};
use crate::{Shared, lock};

/// How delivery behaves.
#[derive(Clone, Copy, Debug)]
pub struct Options {
    /// Bytes per tus PATCH.
    pub chunk: u64,
    /// Blobs uploaded at once.
    pub parallel: usize,
    /// Try now even if the backoff says later (the user asked).
    pub now: bool,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            chunk: tus::DEFAULT_CHUNK,
            parallel: 3,
            now: false,
        }
    }
}

/// The first wait after a failure; doubled per attempt up to [`MAX_BACKOFF`].
pub const BASE_BACKOFF: Duration = Duration::from_secs(10);
/// The longest wait between attempts.
pub const MAX_BACKOFF: Duration = Duration::from_secs(3600);

/// Bytes and blobs of a delivery, for a progress bar.
#[derive(Clone, Copy, Debug, Default, Serialize)]
pub struct Transfer {
    /// Bytes acknowledged by the endpoint, of those to send.
    pub acknowledged: u64,
    /// Bytes to send (blobs the endpoint did not hold).
    pub total: u64,
    /// Blobs finished, of those to send.
    pub blobs_done: usize,
    /// Blobs to send.
    pub blobs_total: usize,
}

/// Called with a submission's id and its transfer so far (from the upload tasks).
pub type OnTransfer = Arc<dyn Fn(&str, Transfer) + Send + Sync>;

/// What happened to one queued submission.
#[derive(Clone, Debug, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    /// Committed; the receipt verified and is recorded.
    Sent {
        /// The outbox entry.
        id: String,
        /// The endpoint's submission id.
        server_id: String,
        /// The verified receipt.
        receipt: Receipt,
        /// Bytes put on the wire for blobs by this delivery.
        bytes_sent: u64,
        /// Blobs uploaded now.
        blobs_sent: usize,
        /// Blobs the endpoint already held (not sent).
        blobs_held: usize,
    },
    /// Not sent yet; will be tried again.
    Waiting {
        /// The outbox entry.
        id: String,
        /// What went wrong, in plain words.
        error: String,
        /// Its stable code.
        code: String,
        /// When it is tried again.
        next_attempt_at: DateTime<Utc>,
    },
    /// Refused by the endpoint for a reason someone must act on.
    Refused {
        /// The outbox entry.
        id: String,
        /// The endpoint's explanation.
        error: String,
        /// Its stable code.
        code: String,
    },
    /// Its backoff has not run out (and `now` was not asked).
    NotDue {
        /// The outbox entry.
        id: String,
        /// When it is due.
        next_attempt_at: DateTime<Utc>,
    },
}

/// The wait before attempt `attempts + 1`: doubling from [`BASE_BACKOFF`], capped at
/// [`MAX_BACKOFF`], with "equal jitter" (between half and all of it) so many schools that lost
/// the network together do not come back together.
pub fn backoff(attempts: u32, jitter: f64) -> Duration {
    let full = BASE_BACKOFF
        .saturating_mul(1u32 << attempts.min(16))
        .min(MAX_BACKOFF);
    full.mul_f64(0.5 + 0.5 * jitter.clamp(0.0, 1.0))
}

fn jitter() -> f64 {
    let bytes = waymark_protocol::encoding::random_bytes::<8>();
    (u64::from_le_bytes(bytes) >> 11) as f64 / (1u64 << 53) as f64
}

/// Records what an upload does, durably where it matters.
struct Recorder {
    shared: Shared,
    submission: String,
    sha256: String,
    sent: Arc<AtomicU64>,
    acknowledged: Arc<AtomicU64>,
    base: AtomicU64,
    on_transfer: Arc<dyn Fn(u64) + Send + Sync>,
}

impl tus::Progress for Recorder {
    fn created(&self, url: &str) -> Result<()> {
        lock(&self.shared).set_blob_upload_url(&self.sha256, Some(url))?;
        Ok(())
    }

    fn sent(&self, bytes: u64) {
        self.sent.fetch_add(bytes, Ordering::Relaxed);
        let _ = lock(&self.shared).add_bytes_sent(&self.submission, bytes);
    }

    fn acknowledged(&self, offset: u64) {
        let before = self.base.swap(offset, Ordering::Relaxed);
        let total = if offset >= before {
            self.acknowledged
                .fetch_add(offset - before, Ordering::Relaxed)
                + offset
                - before
        } else {
            self.acknowledged.load(Ordering::Relaxed)
        };
        (self.on_transfer)(total);
    }
}

/// Delivers one submission (see the module's documentation).
async fn deliver_one(
    shared: &Shared,
    session: &mut Session,
    submission: &OutboxSubmission,
    options: Options,
    on_transfer: &OnTransfer,
) -> Result<Outcome> {
    let mut envelope: Signed = serde_json::from_str(&submission.envelope)
        .map_err(|e| SyncError::Internal(format!("the queued envelope cannot be read: {e}")))?;
    // Enrolled again since it was queued (a lost key): the same envelope, signed with the key
    // the endpoint now holds for this institution.
    let key = &session.credentials.signing_key;
    if envelope.key_id != key.public().key_id() {
        envelope = key.sign(Purpose::Envelope, envelope.body.0.clone());
    }
    let wanted: Vec<Sha256> = submission
        .blobs
        .iter()
        .map(|s| s.parse::<Sha256>())
        .collect::<Result<_, _>>()?;

    // 1. Which blobs does the endpoint already hold? (Asked for all: one it held may have
    //    expired since.)
    // Both this question and the commit are idempotent, so a connection a proxy closed under
    // them is retried at once rather than after the outbox's backoff.
    let question = HeldRequest {
        sha256: wanted.clone(),
    };
    let held: HeldResponse = tus::in_place(|| async {
        Ok(session
            .client
            .post_json("/v1/blobs/held", &question)
            .await?)
    })
    .await?;
    let held: std::collections::HashSet<Sha256> = held.held.iter().map(|b| b.sha256).collect();
    let mut to_send = Vec::new();
    {
        let mut ws = lock(shared);
        for sha in &wanted {
            let hex = sha.to_hex();
            let blob = ws.sealed_blob(&hex)?.ok_or_else(|| {
                SyncError::Internal(format!(
                    "blob {hex} of the queued submission is not recorded"
                ))
            })?;
            if held.contains(sha) {
                if !blob.held {
                    ws.set_blob_held(&hex)?;
                }
            } else {
                to_send.push(blob);
            }
        }
    }
    let blobs_held = wanted.len() - to_send.len();
    let total: u64 = to_send.iter().map(|b| b.size).sum();
    let blobs_total = to_send.len();

    // 2. Upload the rest, a few at once.
    let sent = Arc::new(AtomicU64::new(0));
    let acknowledged = Arc::new(AtomicU64::new(0));
    let done = Arc::new(AtomicU64::new(0));
    let data_dir = lock(shared).data_dir().to_owned();
    let id = submission.id.clone();
    let report: Arc<dyn Fn(u64) + Send + Sync> = {
        let on_transfer = Arc::clone(on_transfer);
        let done = Arc::clone(&done);
        let id = id.clone();
        Arc::new(move |acked| {
            on_transfer(
                &id,
                Transfer {
                    acknowledged: acked,
                    total,
                    blobs_done: done.load(Ordering::Relaxed) as usize,
                    blobs_total,
                },
            );
        })
    };
    report(0);
    let client = session.client.clone();
    let results: Vec<Result<()>> = futures::stream::iter(to_send.into_iter().map(|blob| {
        let recorder = Recorder {
            shared: shared.clone(),
            submission: id.clone(),
            sha256: blob.sha256.clone(),
            sent: Arc::clone(&sent),
            acknowledged: Arc::clone(&acknowledged),
            base: AtomicU64::new(0),
            on_transfer: Arc::clone(&report),
        };
        let client = client.clone();
        let path = data_dir.join(&blob.file);
        let done = Arc::clone(&done);
        let report = Arc::clone(&report);
        let acknowledged = Arc::clone(&acknowledged);
        async move {
            let sha256: Sha256 = blob.sha256.parse()?;
            let up = Upload {
                sha256,
                size: blob.size,
                path: &path,
                url: blob.upload_url.clone(),
                chunk: options.chunk,
            };
            tus::upload(&client, &up, &recorder).await?;
            lock(&recorder.shared).set_blob_held(&blob.sha256)?;
            done.fetch_add(1, Ordering::Relaxed);
            report(acknowledged.load(Ordering::Relaxed));
            Ok(())
        }
    }))
    .buffer_unordered(options.parallel.max(1))
    .collect()
    .await;
    let bytes_sent = sent.load(Ordering::Relaxed);
    if let Some(e) = results.into_iter().find_map(Result::err) {
        return Err(e);
    }

    // 3. Commit, and trust the receipt only once it verifies against the pinned key set.
    let commit = CommitRequest {
        envelope: envelope.clone(),
    };
    let committed: CommitResponse =
        tus::in_place(|| async { Ok(session.client.post_json("/v1/submissions", &commit).await?) })
            .await?;
    let receipt = match verify_receipt(&committed.receipt, &session.key_set, Some(&envelope)) {
        Ok(r) => r,
        // The endpoint may have rotated its signing key since: fetch the chain and try again.
        Err(_) => {
            let key_set = session.refresh_key_set(shared).await?.clone();
            verify_receipt(&committed.receipt, &key_set, Some(&envelope)).map_err(|e| {
                SyncError::Refused(format!(
                    "the endpoint's receipt does not verify against the awarding body's pinned keys ({e}); the submission is kept and will be checked again"
                ))
            })?
        }
    };
    let receipt_json = serde_json::to_string(&committed.receipt)
        .map_err(|e| SyncError::Internal(e.to_string()))?;
    lock(shared).record_sent(
        &submission.id,
        &committed.submission.to_string(),
        &receipt_json,
        receipt.received_at,
    )?;
    Ok(Outcome::Sent {
        id: submission.id.clone(),
        server_id: committed.submission.to_string(),
        receipt,
        bytes_sent,
        blobs_sent: blobs_total,
        blobs_held,
    })
}

/// Whether a failure is about the submission itself (refused for good) rather than the
/// network, the endpoint's health or this computer's enrollment.
fn refuses_submission(e: &SyncError) -> bool {
    match e {
        SyncError::Client(ClientError::Api { code, .. }) => matches!(
            code,
            ApiErrorCode::BadSignature
                | ApiErrorCode::InvalidEnvelope
                | ApiErrorCode::UnknownAward
                | ApiErrorCode::BlobHashMismatch
                | ApiErrorCode::TooLarge
                | ApiErrorCode::BadRequest
        ),
        _ => false,
    }
}

/// Delivers every queued submission that is due (all of them with `options.now`), one after
/// another, reporting transfer progress per submission. Stops early, leaving the rest queued,
/// when the failure concerns every submission (no enrollment, no keychain, a revoked token).
pub async fn deliver_pending(
    shared: &Shared,
    session: &mut Session,
    options: Options,
    on_transfer: OnTransfer,
) -> Result<Vec<Outcome>> {
    crate::privacy::network_allowed(&lock(shared))?;
    let pending = lock(shared).pending_submissions()?;
    if pending.is_empty() {
        return Ok(Vec::new());
    }
    // One deliverer per data folder: the app and `waymark sync` in another window would
    // otherwise upload the same blobs against each other. The OS drops the lock with the
    // process, so a killed one never leaves it held.
    let _one_deliverer = delivery_lock(&lock(shared).outbox_dir())?;
    let mut outcomes = Vec::new();
    let now = Utc::now();
    for submission in pending {
        if !options.now
            && let Some(next) = submission.next_attempt_at.filter(|n| *n > now)
        {
            outcomes.push(Outcome::NotDue {
                id: submission.id.clone(),
                next_attempt_at: next,
            });
            continue;
        }
        match deliver_one(shared, session, &submission, options, &on_transfer).await {
            Ok(outcome) => outcomes.push(outcome),
            Err(e) if refuses_submission(&e) => {
                lock(shared).record_refused(&submission.id, &e.to_string())?;
                outcomes.push(Outcome::Refused {
                    id: submission.id.clone(),
                    error: e.to_string(),
                    code: e.code(),
                });
            }
            Err(e) => {
                let wait = backoff(submission.attempts, jitter());
                let next = Utc::now()
                    + chrono::Duration::from_std(wait).unwrap_or(chrono::Duration::hours(1));
                let text = explain(&e);
                lock(shared).record_attempt(&submission.id, &text, Some(next))?;
                let everyone = matches!(
                    &e,
                    SyncError::Client(ClientError::Api {
                        code: ApiErrorCode::Unauthorized,
                        ..
                    }) | SyncError::Keychain(_)
                        | SyncError::NotEnrolled
                );
                outcomes.push(Outcome::Waiting {
                    id: submission.id.clone(),
                    error: text,
                    code: e.code(),
                    next_attempt_at: next,
                });
                if everyone {
                    break;
                }
            }
        }
    }
    Ok(outcomes)
}

/// Takes the outbox's delivery lock (`outbox/deliver.lock`), or says another process has it.
fn delivery_lock(dir: &std::path::Path) -> Result<std::fs::File> {
    std::fs::create_dir_all(dir)
        .map_err(|e| SyncError::io("creating the outbox folder", dir, e))?;
    let path = dir.join("deliver.lock");
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| SyncError::io("opening the outbox's lock", &path, e))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => Err(SyncError::Busy),
        Err(std::fs::TryLockError::Error(e)) => Err(SyncError::io("locking the outbox", &path, e)),
    }
}

/// A failure in words that say what to do, with the endpoint's own message.
pub fn explain(e: &SyncError) -> String {
    match e {
        SyncError::Client(ClientError::Api {
            code: ApiErrorCode::Unauthorized,
            ..
        }) => "the awarding body no longer accepts this computer's credentials (the token was revoked or replaced): enrol again with a new code (`waymark enroll CODE`); the submission stays in the outbox and is sent once enrolled".into(),
        SyncError::Client(ClientError::Api {
            code: ApiErrorCode::TooLarge,
            message,
            ..
        }) => format!("the endpoint will not take something this large: {message}. Remove or shrink the largest evidence files (a video can often be shortened), then submit again"),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_one_process_delivers_an_outbox_at_a_time() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let held = delivery_lock(dir.path()).unwrap_or_else(|e| panic!("{e}"));
        assert!(matches!(delivery_lock(dir.path()), Err(SyncError::Busy)));
        drop(held);
        assert!(
            delivery_lock(dir.path()).is_ok(),
            "free again once released"
        );
    }

    #[test]
    fn backoff_doubles_to_an_hour_and_jitter_keeps_at_least_half() {
        assert_eq!(backoff(0, 1.0), BASE_BACKOFF);
        assert_eq!(backoff(1, 1.0), BASE_BACKOFF * 2);
        assert_eq!(backoff(3, 0.0), BASE_BACKOFF * 4);
        assert_eq!(backoff(30, 1.0), MAX_BACKOFF);
        assert_eq!(backoff(30, 0.0), MAX_BACKOFF / 2);
        for _ in 0..100 {
            let j = jitter();
            assert!((0.0..1.0).contains(&j), "{j}");
        }
    }
}
