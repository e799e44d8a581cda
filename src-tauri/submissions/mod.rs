//! Applying for a mark from the app: enrolment, the preview and "Apply", delivery in the
//! background, the review's status, receipts, the awarded mark's certificate and renewal.
//!
//! `waymark-sync` does the work (the same engine as the `waymark` CLI); this module adapts it
//! to the window. It keeps a connection of its own to the data folder (SQLite in WAL mode: the
//! UI's connection reads and autosaves meanwhile) and a small tokio runtime of its own, on
//! which a background loop delivers what is queued and checks the review's status every few
//! minutes, and tells the UI (events [`DELIVERY_CHANGED`], [`SUBMISSIONS_CHANGED`]). Nothing
//! lives only in memory: closing the window (or a crash) mid-upload loses nothing, and the
//! next start resumes the upload where the endpoint says it stopped.

pub mod timeline;
pub mod views;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock, RwLock};
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use waymark_core::outbox::{OutboxState, OutboxSubmission};
use waymark_core::renewal::{self, LevelComparison, RenewalReport};
use waymark_core::store::Review;
use waymark_core::{ErrorCode, Workspace};
use waymark_net::ClientError;
use waymark_protocol::ApiErrorCode;
use waymark_protocol::api::SubmissionStatus;
use waymark_protocol::review::ReviewState;
use waymark_protocol::signed::Signed;
use waymark_sync::deliver::{self, Outcome, Transfer};
use waymark_sync::package::{self, Plan, SealProgress};
use waymark_sync::privacy::{self, network_allowed};
use waymark_sync::session::{self, Session};
use waymark_sync::{Shared, SyncError, lock, share, status};

use crate::commands::CmdResult;
use crate::error::CommandError;
use crate::state::AppState;
use views::{
    Application, Applied, ApplyPreview, ApplyProgress, ApplyStage, CodeCheck, Connection, Delivery,
    DeliveryState, Enrolled, Overview, PreviewItem, ReceiptView, RenewalView, RequestedBenchmark,
    SaveReceiptInput, SubmissionView,
};

/// Event: the background delivery's state changed (payload: [`Delivery`]).
pub const DELIVERY_CHANGED: &str = "delivery-changed";
/// Event: a submission was queued, sent, refused, or its review moved on.
pub const SUBMISSIONS_CHANGED: &str = "submissions-changed";
/// How often the review's status is checked while the app runs.
pub const STATUS_EVERY: Duration = Duration::from_secs(300);
/// How often the progress bar hears about bytes at most.
const PROGRESS_EVERY: Duration = Duration::from_millis(250);

/// What the background work tells the window.
#[derive(Debug, Clone)]
pub enum Notice {
    /// The delivery's state.
    Delivery(Delivery),
    /// Submissions changed: re-read them.
    Changed,
}

/// The app's submission engine: cheap to clone into commands and the background loop.
#[derive(Clone)]
pub struct Submissions {
    inner: Arc<Inner>,
}

struct Inner {
    /// This module's own connection, or why the data folder could not be opened (or that it is
    /// closed while the data folder is erased).
    shared: RwLock<Result<Shared, CommandError>>,
    /// The engine's runtime (reqwest and the tus uploads run on it).
    runtime: Result<tokio::runtime::Runtime, CommandError>,
    /// Wakes the background loop (something was queued, "Send now", enrolled).
    wake: tokio::sync::Notify,
    /// The next round ignores the backoff (the user asked).
    now: AtomicBool,
    delivery: Mutex<Delivery>,
    notify: OnceLock<Box<dyn Fn(Notice) + Send + Sync>>,
    meter: Mutex<Meter>,
    options: Options,
    /// Where the folder's data key is kept (to open it again after an erasure).
    keys: Arc<dyn waymark_core::KeyStore>,
}

/// Measures the upload's speed for "time left".
#[derive(Default)]
struct Meter {
    start: Option<(String, Instant, u64)>,
    last_emit: Option<Instant>,
    last_files: u32,
}

pub(crate) fn submission_error(e: &SyncError) -> CommandError {
    if let SyncError::Core(core) = e {
        return CommandError::from(core);
    }
    let mut out = CommandError::new(ErrorCode::Submission, app_words(e));
    out.detail = Some(e.code());
    out
}

/// The engine's messages speak to the command line in a few places; the app says what to do
/// in the app instead.
pub fn app_words(e: &SyncError) -> String {
    let text = match e {
        SyncError::NotEnrolled => "This computer is not connected to an awarding body yet. In Settings, under “Awarding body”, enter the enrollment code the awarding body sent you.".to_owned(),
        SyncError::PersonalDataUnconfirmed { items } => format!(
            "{} evidence item(s) show pupils' personal data and must each be confirmed before they are sent: {}. Check each one and tick it.",
            items.len(),
            items.iter().map(|(_, t)| t.as_str()).collect::<Vec<_>>().join(", ")
        ),
        SyncError::NotFrozen { items } => format!(
            "{} evidence item(s) could not be frozen, so the application would not be what was reviewed: {}. On the Evidence screen, accept a changed file or put back or remove a missing one, then apply again.",
            items.len(),
            items.join("; ")
        ),
        SyncError::Restricted => "Network activity is paused on this computer, so nothing is sent to or checked with the awarding body. Resume it on the Privacy screen; everything queued is kept.".to_owned(),
        SyncError::Busy => "Another Waymark on this computer (another window, or the command line) is sending this application right now; it carries on there, and nothing is sent twice.".to_owned(),
        SyncError::Client(ClientError::Api {
            code: ApiErrorCode::Unauthorized,
            ..
        }) => "The awarding body no longer accepts this computer's credentials (they were revoked or replaced). In Settings, enter a new enrollment code; your application stays saved and is sent once connected.".to_owned(),
        other => deliver::explain(other),
    };
    sentence(&text)
}

/// Capitalised and ending with a full stop.
fn sentence(text: &str) -> String {
    let mut chars = text.trim().chars();
    let mut out: String = match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => return String::new(),
    };
    if !out.ends_with(['.', '!', '?']) {
        out.push('.');
    }
    out
}

/// How the engine is started, from the command line (`--today`, `--upload-chunk`) or the
/// environment (`WAYMARK_TODAY`, `WAYMARK_UPLOAD_CHUNK`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Options {
    /// The date the app takes as today, to see renewal and expiry as they will be on another
    /// day (training, tests); the system's date when not given.
    pub today: Option<NaiveDate>,
    /// Bytes per upload request, for networks that cut long requests (at least
    /// [`waymark_sync::tus::MIN_CHUNK`]).
    pub chunk: Option<u64>,
}

impl Options {
    /// Reads `--today YYYY-MM-DD` and `--upload-chunk BYTES` (either as `--name=value`), else
    /// the environment. A value that does not parse is ignored with a warning on stderr.
    pub fn from_args(args: impl IntoIterator<Item = String>) -> Self {
        let mut today = std::env::var("WAYMARK_TODAY").ok();
        let mut chunk = std::env::var("WAYMARK_UPLOAD_CHUNK").ok();
        let mut args = args.into_iter();
        while let Some(a) = args.next() {
            for (name, slot) in [("--today", &mut today), ("--upload-chunk", &mut chunk)] {
                if a == name {
                    *slot = args.next();
                } else if let Some(v) = a.strip_prefix(name).and_then(|r| r.strip_prefix('=')) {
                    *slot = Some(v.to_owned());
                }
            }
        }
        let today = today.and_then(|d| {
            let parsed = NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d").ok();
            if parsed.is_none() {
                eprintln!(
                    "waymark: --today {d:?} is not a date like 2027-03-01; using today's date"
                );
            }
            parsed
        });
        let chunk = chunk.and_then(|c| {
            let parsed = c.trim().parse::<u64>().ok();
            if parsed.is_none() {
                eprintln!(
                    "waymark: --upload-chunk {c:?} is not a number of bytes; using the default"
                );
            }
            parsed.map(|c| c.max(waymark_sync::tus::MIN_CHUNK))
        });
        Self { today, chunk }
    }
}

impl Submissions {
    /// The engine on `data_dir` (or on why there is none, which every command then reports).
    pub fn open(
        data_dir: Result<&Path, CommandError>,
        options: Options,
        keys: Arc<dyn waymark_core::KeyStore>,
    ) -> Self {
        let shared = data_dir.and_then(|dir| {
            Workspace::open_with_keys(dir, keys.clone())
                .map(share)
                .map_err(CommandError::from)
        });
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("waymark-sync")
            .enable_all()
            .build()
            .map_err(|e| {
                CommandError::new(
                    ErrorCode::Internal,
                    format!("The network part of Waymark could not start ({e}). Restart Waymark."),
                )
            });
        Self {
            inner: Arc::new(Inner {
                shared: RwLock::new(shared),
                runtime,
                wake: tokio::sync::Notify::new(),
                now: AtomicBool::new(true),
                delivery: Mutex::new(Delivery::default()),
                notify: OnceLock::new(),
                meter: Mutex::new(Meter::default()),
                options,
                keys,
            }),
        }
    }

    /// The date the app takes as today.
    pub fn today(&self) -> NaiveDate {
        self.inner
            .options
            .today
            .unwrap_or_else(|| chrono::Local::now().date_naive())
    }

    pub(crate) fn shared(&self) -> CmdResult<Shared> {
        self.inner
            .shared
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Closes this module's connection to the data folder (erasure removes it): commands and
    /// the loop find it closed until [`Submissions::reopen`]. Waits (a few seconds at most)
    /// for a round still using it to let go, so no connection is left open on the database.
    pub fn close(&self) {
        let closed = CommandError::new(
            ErrorCode::Internal,
            "The data folder is being erased; nothing is sent meanwhile.",
        );
        let old = std::mem::replace(
            &mut *self.inner.shared.write().unwrap_or_else(|p| p.into_inner()),
            Err(closed),
        );
        if let Ok(shared) = old {
            let deadline = Instant::now() + Duration::from_secs(10);
            while Arc::strong_count(&shared) > 1 && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        self.set_delivery(Delivery::default());
    }

    /// Opens the connection again (after an erasure, on the new empty data folder).
    pub fn reopen(&self, data_dir: &Path) {
        let shared = Workspace::open_with_keys(data_dir, self.inner.keys.clone())
            .map(share)
            .map_err(CommandError::from);
        *self.inner.shared.write().unwrap_or_else(|p| p.into_inner()) = shared;
        self.wake();
    }

    /// Network activity was paused or resumed: the indicator says so at once, and the loop
    /// runs a round (resuming sends what waited, whatever the backoff said).
    pub fn network_changed(&self) {
        if let Ok(shared) = self.shared() {
            let ws = lock(&shared);
            if network_allowed(&ws).is_err() {
                let pending = ws.pending_submissions().unwrap_or_default();
                drop(ws);
                self.set_delivery(paused(&pending));
                self.wake();
                return;
            }
        }
        if self.delivery().state == DeliveryState::Paused {
            self.set_delivery(Delivery::default());
        }
        self.send_now();
    }

    /// Wakes the background loop for a round now (network resumed or paused, a correction
    /// of the profile to send), without overriding the delivery's backoff.
    pub fn wake(&self) {
        self.inner.wake.notify_one();
    }

    /// Runs an engine future to completion on the engine's runtime (from a blocking thread).
    pub(crate) fn block_on<T>(&self, f: impl Future<Output = T>) -> CmdResult<T> {
        let rt = self.inner.runtime.as_ref().map_err(Clone::clone)?;
        Ok(rt.block_on(f))
    }

    fn notify(&self, notice: Notice) {
        if let Some(n) = self.inner.notify.get() {
            n(notice);
        }
    }

    /// The background delivery, as the progress bar shows it.
    pub fn delivery(&self) -> Delivery {
        self.inner
            .delivery
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    fn set_delivery(&self, d: Delivery) {
        *self
            .inner
            .delivery
            .lock()
            .unwrap_or_else(|p| p.into_inner()) = d.clone();
        self.notify(Notice::Delivery(d));
    }

    /// Asks the background loop to deliver now, whatever the backoff says.
    pub fn send_now(&self) {
        self.inner.now.store(true, Ordering::SeqCst);
        self.inner.wake.notify_one();
    }

    /// Starts the background loop on a thread of its own; `notify` hears what the window
    /// should know. Call once.
    pub fn start(&self, notify: impl Fn(Notice) + Send + Sync + 'static) {
        if self.inner.notify.set(Box::new(notify)).is_err() {
            return;
        }
        let me = self.clone();
        let spawned = std::thread::Builder::new()
            .name("waymark-delivery".into())
            .spawn(move || {
                let _ = me.block_on(me.run());
            });
        if let Err(e) = spawned {
            self.set_delivery(Delivery {
                message: Some(format!(
                    "Background sending could not start ({e}): restart Waymark to send your application."
                )),
                state: DeliveryState::Waiting,
                ..Delivery::default()
            });
        }
    }

    async fn run(&self) {
        let mut last_status: Option<Instant> = None;
        loop {
            let status_due = last_status.is_none_or(|t| t.elapsed() >= STATUS_EVERY);
            let now = self.inner.now.swap(false, Ordering::SeqCst);
            self.round(now, status_due).await;
            if status_due {
                last_status = Some(Instant::now());
            }
            let next_try = self.shared().ok().and_then(|s| {
                lock(&s)
                    .pending_submissions()
                    .ok()
                    .and_then(|p| p.iter().filter_map(|s| s.next_attempt_at).min())
            });
            let until_status =
                STATUS_EVERY.saturating_sub(last_status.map_or(Duration::ZERO, |t| t.elapsed()));
            let wait = next_try
                .and_then(|n| (n - chrono::Utc::now()).to_std().ok())
                .map_or(until_status, |w| w.min(until_status))
                .max(Duration::from_secs(1));
            tokio::select! {
                () = tokio::time::sleep(wait) => {}
                () = self.inner.wake.notified() => {}
            }
        }
    }

    fn on_transfer(&self) -> deliver::OnTransfer {
        let me = self.clone();
        Arc::new(move |id: &str, t: Transfer| me.progress(id, t))
    }

    fn progress(&self, id: &str, t: Transfer) {
        let mut meter = self.inner.meter.lock().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        let start = match &meter.start {
            Some((sid, at, bytes)) if sid == id => (*at, *bytes),
            _ => {
                meter.start = Some((id.to_owned(), now, t.acknowledged));
                (now, t.acknowledged)
            }
        };
        let files_done = u32::try_from(t.blobs_done).unwrap_or(u32::MAX);
        let due = meter
            .last_emit
            .is_none_or(|e| now.duration_since(e) >= PROGRESS_EVERY)
            || files_done != meter.last_files
            || t.acknowledged >= t.total;
        if !due {
            return;
        }
        meter.last_emit = Some(now);
        meter.last_files = files_done;
        drop(meter);
        let elapsed = now.duration_since(start.0).as_secs_f64();
        let moved = t.acknowledged.saturating_sub(start.1);
        let rate = (elapsed >= 1.0 && moved > 0).then(|| (moved as f64 / elapsed) as u64);
        let left = rate
            .filter(|r| *r > 0)
            .map(|r| t.total.saturating_sub(t.acknowledged) / r);
        let queued = self.delivery().queued;
        self.set_delivery(Delivery {
            state: DeliveryState::Sending,
            submission_id: Some(id.to_owned()),
            bytes_done: t.acknowledged,
            bytes_total: t.total,
            files_done,
            files_total: u32::try_from(t.blobs_total).unwrap_or(u32::MAX),
            bytes_per_second: rate,
            seconds_left: left,
            message: None,
            next_attempt_at: None,
            queued,
        });
    }

    /// One round: deliver what is due, then (when due, or after a delivery) check the status.
    async fn round(&self, now: bool, status_due: bool) {
        let Ok(shared) = self.shared() else {
            return;
        };
        let shared = &shared;
        let pending = lock(shared).pending_submissions().unwrap_or_default();
        // Paused (the right to restriction): nothing is sent or checked, and the indicator
        // says so rather than offline or failed.
        if network_allowed(&lock(shared)).is_err() {
            self.set_delivery(paused(&pending));
            return;
        }
        let any_sent = lock(shared)
            .outbox()
            .map(|all| all.iter().any(|s| s.state == OutboxState::Sent))
            .unwrap_or(false);
        let correction_due = lock(shared)
            .profile_correction_due()
            .ok()
            .flatten()
            .is_some();
        if pending.is_empty() && !(status_due && any_sent) && !correction_due {
            self.set_delivery(Delivery::default());
            return;
        }
        let mut session = match Session::load(shared) {
            Ok(s) => s,
            Err(SyncError::Restricted) => {
                self.set_delivery(paused(&pending));
                return;
            }
            Err(e) => {
                if !pending.is_empty() {
                    self.set_delivery(Delivery {
                        state: DeliveryState::NeedsEnrollment,
                        message: Some(format!(
                            "Your application is saved but cannot be sent yet. {}",
                            app_words(&e)
                        )),
                        queued: count(&pending),
                        ..Delivery::default()
                    });
                }
                return;
            }
        };
        // A correction of the profile or working group owed to the awarding body (a failure
        // leaves it owed: the next round tries again).
        if correction_due {
            let _ = privacy::send_profile_correction(shared, &session).await;
        }
        let mut delivered = false;
        if !pending.is_empty() {
            let mut options = deliver::Options {
                now,
                ..deliver::Options::default()
            };
            if let Some(c) = self.inner.options.chunk {
                options.chunk = c;
            }
            // Say "sending" only for what is due now; one waiting out its backoff keeps saying
            // why it waits (the round only reports it as not due).
            let due_now = chrono::Utc::now();
            let due = pending
                .iter()
                .find(|p| now || p.next_attempt_at.is_none_or(|n| n <= due_now));
            if let Some(first) = due {
                self.set_delivery(Delivery {
                    state: DeliveryState::Sending,
                    submission_id: Some(first.id.clone()),
                    queued: count(&pending),
                    ..Delivery::default()
                });
            }
            let outcomes =
                deliver::deliver_pending(shared, &mut session, options, self.on_transfer()).await;
            *self.inner.meter.lock().unwrap_or_else(|p| p.into_inner()) = Meter::default();
            match outcomes {
                Ok(outcomes) => {
                    delivered = outcomes
                        .iter()
                        .any(|o| matches!(o, Outcome::Sent { .. } | Outcome::Refused { .. }));
                    // Nothing was due: what the last try found (offline, a proxy) still holds.
                    let nothing_tried =
                        outcomes.iter().all(|o| matches!(o, Outcome::NotDue { .. }));
                    let explained = matches!(
                        self.delivery().state,
                        DeliveryState::Offline
                            | DeliveryState::Waiting
                            | DeliveryState::NeedsEnrollment
                    );
                    if !(nothing_tried && explained) {
                        let pending = lock(shared).pending_submissions().unwrap_or_default();
                        self.set_delivery(after_round(&outcomes, &pending));
                    }
                }
                Err(SyncError::Restricted) => self.set_delivery(paused(&pending)),
                Err(e) => self.set_delivery(Delivery {
                    state: DeliveryState::Waiting,
                    message: Some(app_words(&e)),
                    queued: count(&pending),
                    ..Delivery::default()
                }),
            }
        }
        if delivered {
            self.notify(Notice::Changed);
        }
        if (delivered || status_due)
            && let Ok(changes) = status::refresh(shared, &session).await
            && !changes.is_empty()
        {
            self.notify(Notice::Changed);
        }
    }
}

fn count(pending: &[OutboxSubmission]) -> u32 {
    u32::try_from(pending.len()).unwrap_or(u32::MAX)
}

/// The delivery while network activity is paused on the Privacy screen.
fn paused(pending: &[OutboxSubmission]) -> Delivery {
    Delivery {
        state: DeliveryState::Paused,
        message: Some(if pending.is_empty() {
            "Network activity is paused: nothing is sent to or checked with the awarding body until you resume it on the Privacy screen.".to_owned()
        } else {
            "Network activity is paused: your application is saved and is sent once you resume it on the Privacy screen.".to_owned()
        }),
        submission_id: pending.first().map(|p| p.id.clone()),
        queued: count(pending),
        ..Delivery::default()
    }
}

/// Whether a failure means there is no network (or no way to the endpoint) at all.
fn offline(code: &str) -> bool {
    matches!(
        code,
        "network_dns" | "network_connect" | "network_timeout" | "network_other"
    )
}

/// The delivery's state after a round, from what happened to each submission and what is
/// still pending.
fn after_round(outcomes: &[Outcome], pending: &[OutboxSubmission]) -> Delivery {
    let queued = count(pending);
    if pending.is_empty() {
        return Delivery::default();
    }
    for o in outcomes {
        if let Outcome::Waiting {
            id,
            error,
            code,
            next_attempt_at,
        } = o
        {
            let needs_enrollment = matches!(code.as_str(), "unauthorized" | "not_enrolled")
                || code.starts_with("keychain");
            let (state, message) = if code == "network_paused" {
                return Delivery {
                    next_attempt_at: None,
                    ..paused(pending)
                };
            } else if offline(code) {
                (
                    DeliveryState::Offline,
                    "Waiting for a network: your application is saved and will be sent.".to_owned(),
                )
            } else if needs_enrollment {
                (DeliveryState::NeedsEnrollment, sentence(error))
            } else {
                (
                    DeliveryState::Waiting,
                    format!(
                        "{} Your application is saved and is tried again automatically.",
                        sentence(error)
                    ),
                )
            };
            let bytes_total = pending
                .iter()
                .find(|p| &p.id == id)
                .map_or(0, |p| p.bytes_sent);
            return Delivery {
                state,
                submission_id: Some(id.clone()),
                bytes_done: 0,
                bytes_total,
                message: Some(if code == "unauthorized" {
                    "The awarding body no longer accepts this computer's credentials (they were revoked or replaced). In Settings, enter a new enrollment code; your application stays saved and is sent once connected.".to_owned()
                } else {
                    message
                }),
                next_attempt_at: Some(timeline::rfc3339(next_attempt_at)),
                queued,
                ..Delivery::default()
            };
        }
    }
    let next = pending.iter().filter_map(|p| p.next_attempt_at).min();
    let last_error = pending.iter().find_map(|p| p.last_error.clone());
    Delivery {
        state: DeliveryState::Waiting,
        submission_id: pending.first().map(|p| p.id.clone()),
        message: Some(match last_error {
            Some(e) => format!(
                "{} Your application is saved and is tried again automatically.",
                sentence(&e)
            ),
            None => "Your application is saved and will be sent shortly.".to_owned(),
        }),
        next_attempt_at: next.map(|n| timeline::rfc3339(&n)),
        queued,
        ..Delivery::default()
    }
}

// ---- The commands ----------------------------------------------------------------------

fn ui_review(state: &AppState) -> CmdResult<Review> {
    state.with(|ws| Ok(ws.current_review(None)?))
}

fn connection_of(shared: &Shared) -> CmdResult<Option<Connection>> {
    let Some(e) = lock(shared).enrollment()? else {
        return Ok(None);
    };
    let credentials_problem = waymark_sync::credentials::load(&e.keychain_user)
        .err()
        .map(|k| sentence(&k.to_string()));
    let fingerprint = waymark_protocol::keys::Fingerprint::parse(&e.fingerprint)
        .map(|f| f.grouped())
        .unwrap_or_else(|_| e.fingerprint.clone());
    Ok(Some(Connection {
        endpoint: e.endpoint.clone(),
        awarding_body: e.awarding_body.clone(),
        institution_name: e.institution_name.clone(),
        identifier: e.identifier.clone(),
        fingerprint,
        enrolled_at: timeline::rfc3339(&e.enrolled_at),
        keychain: format!(
            "In this computer's keychain (the operating system's password store), under “{}”, entry “{}”. They are never written to the data folder.",
            waymark_sync::credentials::SERVICE,
            e.keychain_user
        ),
        credentials_problem,
    }))
}

/// Everything the submission screens show.
pub fn overview(state: &AppState) -> CmdResult<Overview> {
    let subs = state.submissions();
    let shared = &subs.shared()?;
    let connection = connection_of(shared)?;
    let outbox = lock(shared).outbox()?;
    let delivery = subs.delivery();
    let today = subs.today();
    let endpoint = connection.as_ref().map(|c| c.endpoint.clone());
    let (review, core_status, titles, notice_months) = state.with(|ws| {
        let review = ws.current_review(None).ok();
        let status = match &review {
            Some(r) => Some(ws.status(r)?),
            None => None,
        };
        Ok((review, status, ws_titles(ws)?, ws.renewal_notice_months()?))
    })?;
    let submissions: Vec<SubmissionView> = timeline::group(outbox)
        .iter()
        .filter_map(|entries| {
            let newest = entries.iter().rev().find(|e| e.status.is_some());
            let status = newest.and_then(status::stored_status);
            let first = entries.first()?;
            let benchmark_title = |id: &str| {
                titles
                    .benchmarks
                    .get(id)
                    .cloned()
                    .unwrap_or_else(|| id.to_owned())
            };
            timeline::view(&timeline::Facts {
                entries,
                status: status.as_ref(),
                sending: delivery
                    .submission_id
                    .as_deref()
                    .filter(|_| delivery.state == DeliveryState::Sending),
                award_title: titles
                    .awards
                    .get(&first.award)
                    .cloned()
                    .unwrap_or_else(|| first.award.clone()),
                framework: titles.framework(&first.framework_id, &first.framework_version),
                benchmark_title: &benchmark_title,
                endpoint: endpoint.as_deref(),
                today,
            })
        })
        .collect();
    let applications = core_status
        .as_ref()
        .map(|st| {
            st.progress
                .awards
                .iter()
                .filter(|a| a.issuer != waymark_core::framework::Issuer::SelfIssued)
                .map(|a| {
                    let latest = review.as_ref().and_then(|r| {
                        submissions
                            .iter()
                            .find(|s| s.award == a.id && s.review_id == r.id)
                    });
                    let stage = latest.map(|s| s.stage);
                    Application {
                        award: a.id.clone(),
                        offer: timeline::offer(a.eligible, stage),
                        latest: latest.map(|s| s.id.clone()),
                        stage,
                        stage_label: stage.map(|s| timeline::stage_label(s).to_owned()),
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    let requests: Vec<RequestedBenchmark> = review
        .as_ref()
        .map(|r| {
            submissions
                .iter()
                .filter(|s| s.review_id == r.id)
                .filter_map(|s| s.request.as_ref())
                .flat_map(|req| req.benchmarks.iter().cloned())
                .collect()
        })
        .unwrap_or_default();
    let renewal = renewal_of(state, &submissions, today, notice_months)?;
    Ok(Overview {
        connection,
        delivery,
        submissions,
        applications,
        requests,
        renewal,
        notice_months,
    })
}

struct Titles {
    frameworks: HashMap<String, String>,
    awards: HashMap<String, String>,
    benchmarks: HashMap<String, String>,
}

impl Titles {
    /// "Technology Self-Review 1.0" (the id when the framework is not installed).
    fn framework(&self, id: &str, version: &str) -> String {
        format!(
            "{} {version}",
            self.frameworks.get(id).map_or(id, String::as_str)
        )
    }
}

fn ws_titles(ws: &Workspace) -> Result<Titles, waymark_core::Error> {
    let mut t = Titles {
        frameworks: HashMap::new(),
        awards: HashMap::new(),
        benchmarks: HashMap::new(),
    };
    for r in ws.reviews()? {
        let fw = ws.framework_of(&r)?;
        t.frameworks
            .insert(r.framework_id.clone(), fw.def().title.clone());
        for a in &fw.def().awards {
            t.awards.insert(a.id.clone(), a.title.clone());
        }
        for b in fw.benchmarks() {
            t.benchmarks
                .insert(b.benchmark.id.clone(), b.benchmark.title.clone());
        }
    }
    Ok(t)
}

fn renewal_of(
    state: &AppState,
    submissions: &[SubmissionView],
    today: NaiveDate,
    notice_months: u32,
) -> CmdResult<Option<RenewalView>> {
    // The newest award made.
    let Some((sub, award)) = submissions
        .iter()
        .filter_map(|s| s.award_record.as_ref().map(|a| (s, a)))
        .max_by(|a, b| a.1.awarded_on.cmp(&b.1.awarded_on))
    else {
        return Ok(None);
    };
    let Ok(expires) = NaiveDate::parse_from_str(&award.expires_on, "%Y-%m-%d") else {
        return Ok(None);
    };
    let window = renewal::renewal_window(expires, today, notice_months);
    let renewal_review = state.with(|ws| {
        Ok(ws
            .reviews()?
            .into_iter()
            .find(|r| r.renews.as_deref() == Some(sub.review_id.as_str()))
            .map(|r| r.id))
    })?;
    let can_start = renewal_review.is_none()
        && matches!(
            window.state,
            renewal::RenewalState::Open | renewal::RenewalState::Expired
        );
    Ok(Some(RenewalView {
        award: award.award.clone(),
        award_title: award.title.clone(),
        awarded_review: sub.review_id.clone(),
        expires_on: window.expires_on.to_string(),
        opens_on: window.opens_on.to_string(),
        days_left: window.days_left,
        state: window.state,
        notice_months,
        renewal_review,
        can_start,
    }))
}

/// What applying for `award` would send now.
pub fn apply_preview(state: &AppState, award: String) -> CmdResult<ApplyPreview> {
    let subs = state.submissions();
    let shared = &subs.shared()?;
    let plan = package::preview(shared, None, &award).map_err(|e| submission_error(&e))?;
    let enrolled = lock(shared).enrollment()?.is_some();
    let changed = changed_since_answered(state, shared, &plan)?;
    let titles = state.with(|ws| Ok(ws_titles(ws)?))?;
    let mut preview = preview_of(&plan, changed, enrolled);
    preview.framework = titles.framework(&plan.framework.id, &plan.framework.version);
    Ok(preview)
}

fn item(e: &package::PlannedEvidence) -> PreviewItem {
    PreviewItem {
        id: e.id.clone(),
        title: e.title.clone(),
        file_name: e.file_name.clone(),
        size: e.size,
    }
}

fn preview_of(plan: &Plan, changed_benchmarks: Vec<String>, enrolled: bool) -> ApplyPreview {
    ApplyPreview {
        award: plan.award.clone(),
        award_title: plan.award_title.clone(),
        framework: format!("{} {}", plan.framework.id, plan.framework.version),
        resubmission_of: plan.responds_to.clone(),
        benchmarks: u32::try_from(plan.benchmarks.len()).unwrap_or(u32::MAX),
        evidence_count: u32::try_from(plan.evidence.len()).unwrap_or(u32::MAX),
        evidence_bytes: plan.evidence_bytes,
        bytes_to_send: plan.new_bytes,
        new_evidence: plan
            .evidence
            .iter()
            .filter(|e| !e.already_sent)
            .map(item)
            .collect(),
        changed_benchmarks,
        contributors: plan.contributors.clone(),
        actions: u32::try_from(plan.actions).unwrap_or(u32::MAX),
        personal_data: plan.personal_data.iter().map(item).collect(),
        enrolled,
    }
}

/// Benchmarks (titles) whose response changed after the envelope a re-submission answers.
fn changed_since_answered(
    state: &AppState,
    shared: &Shared,
    plan: &Plan,
) -> CmdResult<Vec<String>> {
    let Some(server_id) = &plan.responds_to else {
        return Ok(Vec::new());
    };
    let last = lock(shared)
        .outbox()?
        .into_iter()
        .filter(|s| s.server_id.as_deref() == Some(server_id.as_str()))
        .map(|s| s.queued_at)
        .max();
    let Some(since) = last else {
        return Ok(Vec::new());
    };
    state.with(|ws| {
        let review = ws.current_review(None)?;
        let framework = ws.framework_of(&review)?;
        let mut seen = std::collections::BTreeSet::new();
        let mut out = Vec::new();
        for h in ws.recent_changes(&review, 10_000)? {
            let at = chrono::DateTime::parse_from_rfc3339(&h.changed_at)
                .map(|t| t.with_timezone(&chrono::Utc));
            if at.is_ok_and(|t| t > since) && seen.insert(h.benchmark_id.clone()) {
                let title = framework
                    .benchmark(&h.benchmark_id)
                    .map_or_else(|| h.benchmark_id.clone(), |b| b.benchmark.title.clone());
                out.push(title);
            }
        }
        Ok(out)
    })
}

/// Packages and queues the application for `award` (freezing evidence first, then
/// encrypting), with every personal-data item in `confirmed`; the background loop sends it.
pub fn apply(
    state: &AppState,
    award: String,
    confirmed: Vec<String>,
    on_progress: &(dyn Fn(ApplyProgress) + Send + Sync),
) -> CmdResult<Applied> {
    let subs = state.submissions();
    let shared = subs.shared()?;
    // Freeze first, on a job's own connection and with progress (copying gigabytes of video
    // into the vault takes a while); packaging then finds everything frozen. What cannot be
    // frozen is left for packaging to refuse, with why.
    on_progress(ApplyProgress {
        stage: ApplyStage::Freezing,
        done: 0,
        total: 0,
    });
    let mut last_freeze: Option<Instant> = None;
    state.jobs().run(|ws, review, cancelled| {
        Ok(ws.freeze_with_progress(review, &mut |p| {
            if last_freeze.is_none_or(|t| t.elapsed() >= PROGRESS_EVERY)
                || p.files_done >= p.files_total
            {
                last_freeze = Some(Instant::now());
                on_progress(ApplyProgress {
                    stage: ApplyStage::Freezing,
                    done: p.bytes_done,
                    total: p.bytes_total,
                });
            }
            !cancelled()
        })?)
    })?;
    // Progress from the workers is relayed on this thread (on_progress is not 'static).
    let (tx, rx) = std::sync::mpsc::channel::<ApplyProgress>();
    let tx = Mutex::new(tx);
    let relay: Arc<dyn Fn(SealProgress) + Send + Sync> = Arc::new(move |p: SealProgress| {
        let _ = tx
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .send(ApplyProgress {
                stage: ApplyStage::Encrypting,
                done: p.done,
                total: p.total,
            });
    });
    let rt = subs.inner.runtime.as_ref().map_err(Clone::clone)?;
    let task = {
        let shared = shared.clone();
        let award = award.clone();
        rt.spawn(async move {
            let mut session = Session::load(&shared)?;
            package::package(&shared, &mut session, None, &award, &confirmed, relay).await
        })
    };
    let mut last_sent: Option<Instant> = None;
    while !task.is_finished() {
        match rx.recv_timeout(Duration::from_millis(100)) {
            Ok(p) => {
                if last_sent.is_none_or(|t| t.elapsed() >= PROGRESS_EVERY) || p.done >= p.total {
                    last_sent = Some(Instant::now());
                    on_progress(p);
                }
            }
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {}
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => break,
        }
    }
    let queued = rt
        .block_on(task)
        .map_err(|e| {
            CommandError::new(
                ErrorCode::Internal,
                format!("Packaging stopped unexpectedly ({e}). Nothing was queued; try again."),
            )
        })?
        .map_err(|e| submission_error(&e))?;
    subs.notify(Notice::Changed);
    subs.send_now();
    let message = if queued.keys_refreshed {
        "Your application is queued and is being sent in the background. You can keep working, or close Waymark: it carries on the next time Waymark opens.".to_owned()
    } else {
        "The awarding body could not be reached, so your application was encrypted to its keys as last checked and is saved. It is sent as soon as there is a network.".to_owned()
    };
    Ok(Applied {
        submission_id: queued.submission.id.clone(),
        sealed: u32::try_from(queued.sealed).unwrap_or(u32::MAX),
        reused: u32::try_from(queued.reused).unwrap_or(u32::MAX),
        message,
    })
}

/// A failure of a code: about the code field unless it is the network's.
fn code_error(e: &SyncError) -> CommandError {
    let mut out = submission_error(e);
    let about_the_code = matches!(
        e,
        SyncError::Usage(_) | SyncError::Refused(_) | SyncError::Client(ClientError::Api { .. })
    );
    if about_the_code {
        out.field = Some("code".into());
    }
    out
}

/// Opens the public page where anyone can check an award, in the OS's browser (only the
/// address the endpoint's award record gives, never one the UI passes).
pub fn open_verification_page(state: &AppState, submission_id: String) -> CmdResult<()> {
    let (_, award) = issued_award(state, &submission_id)?;
    let Some(url) = award
        .verification_url
        .filter(|u| u.starts_with("https://") || u.starts_with("http://"))
    else {
        return Err(CommandError::new(
            ErrorCode::NotFound,
            "This award has no web address to check it at; give its verification code instead.",
        ));
    };
    tauri_plugin_opener::open_url(&url, None::<&str>).map_err(|e| {
        CommandError::new(
            ErrorCode::Internal,
            format!("The browser could not be opened ({e}). Copy the address instead: {url}"),
        )
    })
}

/// Checks an enrollment code without spending it.
pub fn check_code(state: &AppState, code: String) -> CmdResult<CodeCheck> {
    let subs = state.submissions();
    let shared = &subs.shared()?;
    // Checking a code asks the endpoint: not while network activity is paused.
    network_allowed(&lock(shared)).map_err(|e| submission_error(&e))?;
    let checked = subs
        .block_on(session::check_code(&code))?
        .map_err(|e| code_error(&e))?;
    let replaces = lock(shared)
        .enrollment()?
        .map(|e| format!("{} at {}", e.institution_name, e.endpoint));
    Ok(CodeCheck {
        endpoint: checked.endpoint,
        awarding_body: checked.awarding_body,
        fingerprint: checked.fingerprint,
        replaces,
    })
}

/// Enrols this data folder with the code (the credentials go to the OS keychain).
pub fn enroll(state: &AppState, code: String) -> CmdResult<Enrolled> {
    let subs = state.submissions();
    let shared = &subs.shared()?;
    let enrolled = subs
        .block_on(session::enroll(shared, &code))?
        .map_err(|e| code_error(&e))?;
    let connection = connection_of(shared)?.ok_or_else(|| {
        CommandError::new(
            ErrorCode::Internal,
            "The enrollment was not recorded. Try again with a new code.",
        )
    })?;
    subs.send_now();
    subs.notify(Notice::Changed);
    Ok(Enrolled {
        connection,
        replaced: enrolled.replaced,
    })
}

/// "Send now": delivers what is queued at once, whatever the backoff said.
pub fn send_now(state: &AppState) -> CmdResult<Delivery> {
    let subs = state.submissions();
    subs.shared()?;
    subs.send_now();
    Ok(subs.delivery())
}

/// Checks every submission's status with the awarding body now.
pub fn refresh_submissions(state: &AppState) -> CmdResult<Overview> {
    let subs = state.submissions();
    let shared = &subs.shared()?;
    if lock(shared).enrollment()?.is_some() {
        let session = Session::load(shared).map_err(|e| submission_error(&e))?;
        let changes = subs
            .block_on(status::refresh(shared, &session))?
            .map_err(|e| submission_error(&e))?;
        if !changes.is_empty() {
            subs.notify(Notice::Changed);
        }
    }
    overview(state)
}

fn entry(shared: &Shared, id: &str) -> CmdResult<OutboxSubmission> {
    Ok(lock(shared).outbox_submission(id)?)
}

/// A submission's signed receipt, checked against the pinned keys.
pub fn receipt(state: &AppState, id: String) -> CmdResult<ReceiptView> {
    let shared = state.submissions().shared()?;
    let s = entry(&shared, &id)?;
    let Some(text) = s.receipt else {
        return Err(CommandError::new(
            ErrorCode::NotFound,
            "This submission has no receipt yet: the awarding body gives one when it has received it.",
        ));
    };
    let signed: Result<Signed, _> = serde_json::from_str(&text);
    let pretty = serde_json::from_str::<serde_json::Value>(&text)
        .ok()
        .and_then(|v| serde_json::to_string_pretty(&v).ok())
        .unwrap_or_else(|| text.clone());
    let checked = match &signed {
        Ok(signed) => waymark_sync::receipt::verify(&shared, signed),
        Err(e) => Err(SyncError::Refused(format!(
            "the receipt cannot be read: {e}"
        ))),
    };
    Ok(match checked {
        Ok(r) => ReceiptView {
            id,
            text: pretty,
            verified: true,
            check: "Signed by the awarding body: the signature verifies with the keys pinned when this computer enrolled.".into(),
            received_at: Some(timeline::rfc3339(&r.received_at)),
            version: Some(r.version),
        },
        Err(e) => ReceiptView {
            id,
            text: pretty,
            verified: false,
            check: sentence(&format!("This receipt does not verify: {e}")),
            received_at: None,
            version: None,
        },
    })
}

/// Saves a submission's signed receipt (JSON) where the save dialog said.
pub fn save_receipt(state: &AppState, input: SaveReceiptInput) -> CmdResult<String> {
    let shared = state.submissions().shared()?;
    let s = entry(&shared, &input.id)?;
    let Some(text) = s.receipt else {
        return Err(CommandError::new(
            ErrorCode::NotFound,
            "This submission has no receipt yet.",
        ));
    };
    let mut path = PathBuf::from(&input.path);
    if path.extension().is_none() {
        path.set_extension("json");
    }
    waymark_documents::write_atomically(&path, text.as_bytes())?;
    Ok(path.display().to_string())
}

/// Sets how many months before expiry renewal opens.
pub fn set_renewal_notice(state: &AppState, months: u32) -> CmdResult<u32> {
    state.with(|ws| Ok(ws.set_renewal_notice_months(months)?))
}

/// Starts the renewal of the awarded mark: a new review pre-filled from the awarded one, which
/// stays read-only.
pub fn start_renewal(state: &AppState, by: String) -> CmdResult<RenewalReport> {
    let view = overview(state)?;
    let Some(renewal) = view.renewal else {
        return Err(CommandError::new(
            ErrorCode::NotEligible,
            "There is no awarded mark to renew yet.",
        ));
    };
    if !renewal.can_start {
        return Err(CommandError::new(
            ErrorCode::NotEligible,
            match &renewal.renewal_review {
                Some(_) => "The renewal has already started: carry on with it.".to_owned(),
                None => format!(
                    "Renewal opens on {} ({} months before the mark expires).",
                    renewal.opens_on, renewal.notice_months
                ),
            },
        ));
    }
    let report = state.with(|ws| {
        let awarded = ws.review(&renewal.awarded_review)?;
        Ok(ws.start_renewal(&awarded, &by)?)
    })?;
    // The renewal is the review worked on now: watch its evidence folders.
    state.watch().folders_changed();
    Ok(report)
}

/// Levels of the awarded review beside the renewal's.
pub fn compare_with_awarded(state: &AppState) -> CmdResult<Vec<LevelComparison>> {
    let current = ui_review(state)?;
    let Some(previous) = current.renews.clone() else {
        return Ok(Vec::new());
    };
    state.with(|ws| {
        let previous = ws.review(&previous)?;
        Ok(ws.compare_reviews(&previous, &current)?)
    })
}

/// The award record of a submission, for its certificate.
pub fn issued_award(
    state: &AppState,
    id: &str,
) -> CmdResult<(Review, waymark_documents::IssuedAward)> {
    let shared = state.submissions().shared()?;
    let all = lock(&shared).outbox()?;
    let group = timeline::group(all)
        .into_iter()
        .find(|g| g.iter().any(|e| e.id == id))
        .ok_or_else(|| {
            CommandError::new(
                ErrorCode::NotFound,
                "That submission is not in this data folder.",
            )
        })?;
    let status: Option<SubmissionStatus> = group.iter().rev().find_map(status::stored_status);
    let Some(record) = status.as_ref().and_then(|s| s.award.clone()).filter(|_| {
        status
            .as_ref()
            .is_some_and(|s| s.summary.state == ReviewState::Awarded)
    }) else {
        return Err(CommandError::new(
            ErrorCode::NotEligible,
            "The awarding body has not made this award (yet): its certificate can be saved once the submission shows “Awarded”.",
        ));
    };
    let enrollment = lock(&shared).enrollment()?;
    let review_id = group[0].review_id.clone();
    let review = state.with(|ws| Ok(ws.review(&review_id)?))?;
    Ok((
        review,
        waymark_documents::IssuedAward {
            award_id: record.award.clone(),
            title: record.title.clone(),
            awarding_body: enrollment
                .as_ref()
                .map_or_else(String::new, |e| e.awarding_body.clone()),
            awarded_on: record.awarded_on,
            expires_on: record.expires_on,
            verification_url: Some(timeline::verification_url(
                enrollment.as_ref().map(|e| e.endpoint.as_str()),
                &record.verification_code,
            )),
            verification_code: record.verification_code,
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn before_registering_or_enrolling_the_overview_is_empty_not_an_error() {
        let dir = tempfile::tempdir().expect("a data folder");
        let state = AppState::open_for_tests(dir.path().to_owned());
        let o = overview(&state).expect("an overview on a fresh data folder");
        assert!(o.connection.is_none() && o.submissions.is_empty() && o.renewal.is_none());
        assert!(o.applications.is_empty());
        assert_eq!(
            o.notice_months,
            waymark_core::renewal::DEFAULT_NOTICE_MONTHS
        );
        assert_eq!(o.delivery.state, DeliveryState::Idle);
    }

    #[test]
    fn a_registered_school_not_enrolled_is_told_how_to_connect_in_the_app() {
        let (_dir, state) = crate::tests::registered("Ysgol Gynradd Llanfair");
        let o = overview(&state).expect("overview");
        assert!(o.connection.is_none());
        let refused = send_now(&state).map(|d| d.state);
        assert_eq!(
            refused,
            Ok(DeliveryState::Idle),
            "nothing queued, nothing to say"
        );
        let words = app_words(&SyncError::NotEnrolled);
        assert!(
            words.contains("Settings") && !words.contains("waymark enroll"),
            "{words}"
        );
        let words = app_words(&SyncError::PersonalDataUnconfirmed {
            items: vec![("id".into(), "Coding club photo".into())],
        });
        assert!(
            words.contains("Coding club photo") && !words.contains("--confirm"),
            "{words}"
        );
        let words = app_words(&SyncError::Busy);
        assert!(!words.contains('`'), "{words}");
    }

    fn queued(id: &str, last_error: Option<&str>) -> OutboxSubmission {
        let mut all = timeline::tests_support::entry(id);
        all.last_error = last_error.map(str::to_owned);
        all
    }

    #[test]
    fn a_round_that_cannot_reach_the_endpoint_says_it_waits_for_a_network() {
        let next = chrono::Utc::now() + chrono::Duration::minutes(1);
        let pending = [queued("a", Some("could not connect"))];
        let waiting = |code: &str| Outcome::Waiting {
            id: "a".into(),
            error: "could not connect to the endpoint".into(),
            code: code.into(),
            next_attempt_at: next,
        };
        let d = after_round(&[waiting("network_connect")], &pending);
        assert_eq!(d.state, DeliveryState::Offline);
        assert_eq!(
            d.message.as_deref(),
            Some("Waiting for a network: your application is saved and will be sent.")
        );
        assert_eq!(d.next_attempt_at, Some(timeline::rfc3339(&next)));
        let d = after_round(&[waiting("network_proxy")], &pending);
        assert_eq!(d.state, DeliveryState::Waiting);
        assert!(
            d.message
                .is_some_and(|m| m.contains("tried again automatically"))
        );
        let d = after_round(&[waiting("unauthorized")], &pending);
        assert_eq!(d.state, DeliveryState::NeedsEnrollment);
        assert!(d.message.is_some_and(|m| m.contains("Settings")));
        assert_eq!(after_round(&[], &[]).state, DeliveryState::Idle);
    }

    #[test]
    fn the_start_up_options_come_from_the_command_line() {
        let o = Options::from_args(
            [
                "--data-dir",
                "/x",
                "--today",
                "2029-11-01",
                "--upload-chunk=1024",
            ]
            .map(String::from),
        );
        assert_eq!(o.today, NaiveDate::from_ymd_opt(2029, 11, 1));
        assert_eq!(
            o.chunk,
            Some(waymark_sync::tus::MIN_CHUNK),
            "raised to the minimum"
        );
        let bad = Options::from_args(["--today", "next week"].map(String::from));
        assert_eq!(bad.today, None, "a date that does not parse is today's");
    }
}
