//! Submissions from the command line: `enroll`, `submit`, `sync`, `submissions` and `receipt`,
//! adapting `waymark-sync` (which does the work) to a terminal and to scripts.

use std::io::{BufRead as _, IsTerminal as _, Write as _};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use clap::{Args, Subcommand};
use waymark_core::Workspace;
use waymark_core::outbox::{OutboxState, OutboxSubmission};
use waymark_protocol::api::SubmissionStatus;
use waymark_sync::deliver::{self, Outcome};
use waymark_sync::package::{self, Plan};
use waymark_sync::session::{self, Session};
use waymark_sync::{Shared, SyncError, lock, privacy, share, status};

use crate::Context;
use crate::output::{self, short_id};

/// `waymark submit`.
#[derive(Debug, Args)]
pub struct SubmitArgs {
    /// The award applied for, by its id in the framework (e.g. `technology-mark`).
    #[arg(long, value_name = "ID")]
    pub award: String,
    /// Confirms sending an evidence item flagged as showing pupils' personal data (repeat, or
    /// give several); without it, each one is asked about on a terminal.
    #[arg(long = "confirm-personal-data", value_name = "ID", num_args = 1..)]
    pub confirm_personal_data: Vec<String>,
    /// Show what would be sent, and stop.
    #[arg(long)]
    pub dry_run: bool,
}

/// `waymark sync`.
#[derive(Debug, Args)]
pub struct SyncArgs {
    /// Keep running: deliver as soon as the network allows, and check the review's status
    /// every --interval seconds (Ctrl+C stops; nothing is lost).
    #[arg(long)]
    pub watch: bool,
    /// Seconds between status checks with --watch.
    #[arg(long, default_value_t = 300, value_name = "SECONDS")]
    pub interval: u64,
    /// Bytes per upload request (advanced; default 16 MiB).
    #[arg(long, value_name = "BYTES", hide = true)]
    pub chunk: Option<u64>,
}

/// `waymark receipt`.
#[derive(Debug, Subcommand)]
pub enum ReceiptCmd {
    /// Check a saved receipt against the awarding body's pinned keys (offline).
    Verify {
        /// The receipt file.
        file: std::path::PathBuf,
    },
    /// Save a submission's signed receipt to a file.
    Save {
        /// The submission (as `waymark submissions` lists it).
        id: String,
        /// Where to write it.
        #[arg(long, value_name = "FILE")]
        out: std::path::PathBuf,
    },
}

fn runtime() -> Result<tokio::runtime::Runtime, SyncError> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| SyncError::Internal(format!("could not start the network runtime: {e}")))
}

fn open(ctx: &Context) -> Result<Shared, SyncError> {
    Ok(share(ctx.open()?))
}

/// Asks the awarding body to erase this institution's data (before `waymark erase` erases
/// the local copy, whose credentials the request needs); returns the workspace and the
/// verified confirmation in words.
pub fn request_erasure(ws: Workspace) -> Result<(Workspace, String), SyncError> {
    let shared = share(ws);
    let mut session = Session::load(&shared)?;
    let (confirmation, response) =
        runtime()?.block_on(privacy::request_erasure(&shared, &mut session))?;
    drop(session);
    let ws = std::sync::Arc::try_unwrap(shared)
        .map_err(|_| SyncError::Internal("the workspace is still shared".into()))?
        .into_inner()
        .map_err(|_| SyncError::Internal("the workspace's lock was poisoned".into()))?;
    let signed = serde_json::to_string(&response.confirmation)
        .map_err(|e| SyncError::Internal(e.to_string()))?;
    let d = &confirmation.deleted;
    Ok((
        ws,
        format!(
            "The awarding body erased this institution's data on {} ({} submission(s), {} blob(s), {} event(s)){}. Its signed confirmation, verified against its keys (keep it as proof):\n{signed}",
            confirmation.erased_at.format("%Y-%m-%d %H:%M UTC"),
            d.submissions,
            d.blobs,
            d.events,
            if response.created {
                ""
            } else {
                " (it had done so before)"
            },
        ),
    ))
}

/// `waymark enroll CODE`.
pub fn enroll(ctx: &Context, code: &str) -> Result<(), SyncError> {
    let shared = open(ctx)?;
    let done = runtime()?.block_on(session::enroll(&shared, code))?;
    if ctx.json {
        return output::json(&done).map_err(SyncError::from);
    }
    if let Some(old) = &done.replaced {
        out!("Replaced the earlier enrollment ({old}).");
    }
    out!(
        "Enrolled {} with {} at {}.",
        done.enrollment.institution_name,
        done.awarding_body,
        done.enrollment.endpoint
    );
    out!(
        "Key fingerprint checked against your code: {}",
        done.code_fingerprint
    );
    out!(
        "The token and this institution's signing key are kept in the OS keychain ({}).",
        done.keychain
    );
    out!(
        "Next: `waymark submit --award ID` once an award can be applied for (`waymark status` shows which)."
    );
    Ok(())
}

fn size(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

/// How many evidence files the preview names (the largest).
const LARGEST_SHOWN: usize = 10;

fn show_plan(plan: &Plan) {
    out!(
        "{} ({} {}){}",
        plan.award_title,
        plan.framework.id,
        plan.framework.version,
        match &plan.responds_to {
            Some(id) => format!(
                ": answering the request for more evidence on {}",
                short_id(id)
            ),
            None => String::new(),
        }
    );
    out!("Benchmarks with a response: {}", plan.benchmarks.len());
    out!(
        "Evidence: {} file(s), {} in all; {} not yet held by the awarding body",
        plan.evidence.len(),
        size(plan.evidence_bytes),
        size(plan.new_bytes)
    );
    // The largest files, which decide how long sending takes (`--dry-run --json` lists all).
    let mut largest: Vec<_> = plan.evidence.iter().collect();
    largest.sort_by_key(|e| std::cmp::Reverse(e.size));
    for e in largest.iter().take(LARGEST_SHOWN) {
        out!(
            "  {}  {} ({}){}",
            short_id(&e.id),
            e.file_name,
            size(e.size),
            if e.already_sent { ", already held" } else { "" }
        );
    }
    if plan.evidence.len() > LARGEST_SHOWN {
        out!(
            "  … and {} smaller file(s) (`--dry-run --json` lists every one)",
            plan.evidence.len() - LARGEST_SHOWN
        );
    }
    out!("Future actions: {}", plan.actions);
    out!(
        "Working group: {}",
        if plan.contributors.is_empty() {
            "(none)".to_owned()
        } else {
            plan.contributors.join(", ")
        }
    );
    if !plan.personal_data.is_empty() {
        out!("Shows pupils' personal data (each must be confirmed):");
        for e in &plan.personal_data {
            out!(
                "  {}  {} ({}, {})",
                short_id(&e.id),
                e.title,
                e.file_name,
                size(e.size)
            );
        }
    }
}

/// Asks about each unconfirmed personal-data item on the terminal; `None` if it cannot ask.
fn ask_personal_data(plan: &Plan, confirmed: &[String]) -> Result<Vec<String>, SyncError> {
    let mut all = confirmed.to_vec();
    let stdin = std::io::stdin();
    for e in &plan.personal_data {
        if confirmed
            .iter()
            .any(|c| c == &e.id || e.id.ends_with(c.as_str()))
        {
            continue;
        }
        if !stdin.is_terminal() {
            continue;
        }
        err_out_raw(&format!(
            "Send “{}” ({}), which shows pupils' personal data? [y/N] ",
            e.title, e.file_name
        ));
        let mut answer = String::new();
        stdin
            .lock()
            .read_line(&mut answer)
            .map_err(|err| SyncError::io("reading your answer", "standard input", err))?;
        if matches!(answer.trim(), "y" | "Y" | "yes" | "Yes") {
            all.push(e.id.clone());
        }
    }
    Ok(all)
}

fn err_out_raw(text: &str) {
    let mut err = std::io::stderr().lock();
    let _ = err.write_all(text.as_bytes());
    let _ = err.flush();
}

/// Full ids for ids given short (the last characters, as lists show them).
fn expand_ids(plan: &Plan, given: &[String]) -> Vec<String> {
    given
        .iter()
        .map(|g| {
            plan.evidence
                .iter()
                .find(|e| e.id == *g || (g.len() >= 6 && e.id.ends_with(g.as_str())))
                .map_or_else(|| g.clone(), |e| e.id.clone())
        })
        .collect()
}

/// `waymark submit --award ID`.
pub fn submit(ctx: &Context, args: &SubmitArgs) -> Result<(), SyncError> {
    let shared = open(ctx)?;
    let framework = ctx.framework.as_deref();
    let plan = package::preview(&shared, framework, &args.award)?;
    if args.dry_run {
        if ctx.json {
            return output::json(&plan).map_err(SyncError::from);
        }
        show_plan(&plan);
        return Ok(());
    }
    if !ctx.json {
        show_plan(&plan);
    }
    let mut confirmed = expand_ids(&plan, &args.confirm_personal_data);
    if !ctx.json {
        confirmed = ask_personal_data(&plan, &confirmed)?;
    }
    let mut session = Session::load(&shared)?;
    let bar = if ctx.json || !std::io::stderr().is_terminal() {
        indicatif::ProgressBar::hidden()
    } else {
        indicatif::ProgressBar::new(0)
    };
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "Encrypting {wide_bar} {binary_bytes}/{binary_total_bytes} {binary_bytes_per_sec}, {eta} left",
    ) {
        bar.set_style(style);
    }
    let b = bar.clone();
    let progress = Arc::new(move |p: package::SealProgress| {
        b.set_length(p.total);
        b.set_position(p.done);
    });
    let queued = runtime()?.block_on(package::package(
        &shared,
        &mut session,
        framework,
        &args.award,
        &confirmed,
        progress,
    ))?;
    bar.finish_and_clear();
    if ctx.json {
        return output::json(&queued).map_err(SyncError::from);
    }
    out!(
        "Queued {} ({} blob(s) encrypted now, {} reused from earlier submissions).",
        short_id(&queued.submission.id),
        queued.sealed,
        queued.reused
    );
    if !queued.keys_refreshed {
        out!(
            "The awarding body could not be reached, so it was encrypted to its keys as last checked; it is sent once there is a network."
        );
    }
    out!(
        "Run `waymark sync` to send it now (or `waymark sync --watch` to keep trying until it is sent)."
    );
    Ok(())
}

fn transfer_bar(ctx: &Context) -> indicatif::ProgressBar {
    let bar = if ctx.json || !std::io::stderr().is_terminal() {
        indicatif::ProgressBar::hidden()
    } else {
        indicatif::ProgressBar::new(0)
    };
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "Sending {msg} {wide_bar} {binary_bytes}/{binary_total_bytes} {binary_bytes_per_sec}, {eta} left",
    ) {
        bar.set_style(style);
    }
    bar
}

fn print_outcome(outcome: &Outcome) {
    match outcome {
        Outcome::Sent {
            id,
            server_id,
            receipt,
            bytes_sent,
            blobs_sent,
            blobs_held,
        } => out!(
            "Sent {}: received by the awarding body at {} (submission {}, version {}); the signed receipt verified. {} blob(s) uploaded ({}), {} already held.",
            short_id(id),
            receipt.received_at.format("%Y-%m-%d %H:%M UTC"),
            server_id,
            receipt.version,
            blobs_sent,
            size(*bytes_sent),
            blobs_held
        ),
        Outcome::Waiting {
            id,
            error,
            next_attempt_at,
            ..
        } => out!(
            "Not sent yet {}: {error}\nIt is kept in the outbox and tried again after {} (`waymark sync` tries now).",
            short_id(id),
            next_attempt_at.format("%Y-%m-%d %H:%M UTC")
        ),
        Outcome::Refused { id, error, .. } => out!(
            "Refused {}: {error}\nFix what it says, then `waymark submit` again.",
            short_id(id)
        ),
        Outcome::NotDue {
            id,
            next_attempt_at,
        } => out!(
            "{} waits until {}.",
            short_id(id),
            next_attempt_at.format("%Y-%m-%d %H:%M UTC")
        ),
    }
}

/// One round: deliver what is due and refresh the status of what was sent.
async fn round(
    ctx: &Context,
    shared: &Shared,
    options: deliver::Options,
) -> Result<(Vec<Outcome>, Vec<status::Change>), SyncError> {
    let correction_due = lock(shared).profile_correction_due()?.is_some();
    if lock(shared).outbox()?.is_empty() && !correction_due {
        return Ok((Vec::new(), Vec::new()));
    }
    let mut session = Session::load(shared)?;
    if let Some(record) = privacy::send_profile_correction(shared, &session).await?
        && !ctx.json
    {
        out!(
            "Sent the corrected profile to the awarding body (its version {}; changed: {}).",
            record.version,
            if record.changed.is_empty() {
                "nothing new".to_owned()
            } else {
                record.changed.join(", ")
            }
        );
    }
    let bar = transfer_bar(ctx);
    let b = bar.clone();
    let outcomes = deliver::deliver_pending(
        shared,
        &mut session,
        options,
        Arc::new(move |id: &str, t: deliver::Transfer| {
            b.set_message(format!(
                "{} ({}/{} files)",
                short_id(id),
                t.blobs_done,
                t.blobs_total
            ));
            b.set_length(t.total);
            b.set_position(t.acknowledged);
        }),
    )
    .await?;
    bar.finish_and_clear();
    let changes = status::refresh(shared, &session).await?;
    Ok((outcomes, changes))
}

fn print_changes(changes: &[status::Change]) {
    for c in changes {
        out!(
            "{} ({}): {}",
            c.award,
            short_id(&c.server_id),
            state_words(c.after)
        );
    }
}

/// `waymark sync [--watch]`.
pub fn sync(ctx: &Context, args: &SyncArgs) -> Result<(), SyncError> {
    let shared = open(ctx)?;
    let mut options = deliver::Options {
        now: true,
        ..deliver::Options::default()
    };
    if let Some(chunk) = args.chunk {
        options.chunk = chunk.max(1);
    }
    let rt = runtime()?;
    if !args.watch {
        let (outcomes, changes) = rt.block_on(round(ctx, &shared, options))?;
        if ctx.json {
            return output::json(
                &serde_json::json!({ "deliveries": outcomes, "changes": changes }),
            )
            .map_err(SyncError::from);
        }
        if outcomes.is_empty() && changes.is_empty() {
            out!("Nothing to send; no news from the awarding body.");
        }
        outcomes.iter().for_each(print_outcome);
        print_changes(&changes);
        return Ok(());
    }
    options.now = false;
    rt.block_on(async {
        let interval = Duration::from_secs(args.interval.max(5));
        loop {
            match round(ctx, &shared, options).await {
                Ok((outcomes, changes)) => {
                    if ctx.json {
                        let line =
                            serde_json::json!({ "deliveries": outcomes, "changes": changes });
                        out!("{line}");
                    } else {
                        outcomes
                            .iter()
                            .filter(|o| !matches!(o, Outcome::NotDue { .. }))
                            .for_each(print_outcome);
                        print_changes(&changes);
                    }
                }
                Err(e) => err_out!("error: {}", crate::errors::sync_message(&e)),
            }
            // Sleep until the status interval or the next queued attempt, whichever is first.
            let next = lock(&shared)
                .pending_submissions()
                .ok()
                .and_then(|p| p.iter().filter_map(|s| s.next_attempt_at).min());
            let wait = next
                .and_then(|n| (n - chrono::Utc::now()).to_std().ok())
                .map_or(interval, |w| w.min(interval))
                .max(Duration::from_secs(1));
            tokio::select! {
                () = tokio::time::sleep(wait) => {}
                _ = tokio::signal::ctrl_c() => return Ok(()),
            }
        }
    })
}

/// The review state in words.
pub fn state_words(state: waymark_protocol::review::ReviewState) -> &'static str {
    use waymark_protocol::review::ReviewState as S;
    match state {
        S::Received => "received, waiting for an assessor",
        S::UnderReview => "under review",
        S::MoreEvidenceRequested => "more evidence requested",
        S::Resubmitted => "re-submitted, under review",
        S::Recommended => "recommended, waiting for moderation",
        S::Awarded => "awarded",
        S::NotAwarded => "not awarded",
    }
}

fn state_of(s: &OutboxSubmission) -> String {
    match s.state {
        OutboxState::Queued => match &s.last_error {
            Some(e) => format!("queued (waiting: {})", output::excerpt(e, 80)),
            None => "queued".into(),
        },
        OutboxState::Refused => format!(
            "refused: {}",
            output::excerpt(s.last_error.as_deref().unwrap_or(""), 80)
        ),
        OutboxState::Sent => status::stored_status(s)
            .map_or("sent".into(), |st| state_words(st.summary.state).to_owned()),
    }
}

/// `waymark submissions [ID]`.
pub fn submissions(ctx: &Context, id: Option<&str>) -> Result<(), SyncError> {
    let shared = open(ctx)?;
    let all = lock(&shared).outbox()?;
    if let Some(id) = id {
        let s = find(&all, id)?;
        let status = status::stored_status(s);
        if ctx.json {
            return output::json(&serde_json::json!({ "submission": s, "status": status }))
                .map_err(SyncError::from);
        }
        show_one(s, status.as_ref());
        return Ok(());
    }
    if ctx.json {
        return output::json(&all).map_err(SyncError::from);
    }
    if all.is_empty() {
        out!("No submissions yet: `waymark submit --award ID` applies for an award.");
        return Ok(());
    }
    let mut t = output::table(&["id", "award", "queued", "state", "receipt"]);
    for s in &all {
        t.add_row(vec![
            short_id(&s.id).to_owned(),
            s.award.clone(),
            s.queued_at.format("%Y-%m-%d %H:%M").to_string(),
            state_of(s),
            match (&s.receipt, s.sent_at) {
                (Some(_), Some(at)) => format!("received {}", at.format("%Y-%m-%d %H:%M UTC")),
                _ => "—".into(),
            },
        ]);
    }
    out!("{t}");
    if lock(&shared).network_restricted()? && all.iter().any(|s| s.state == OutboxState::Queued) {
        out!(
            "Network activity is paused (privacy): queued submissions wait until `waymark network resume`."
        );
    }
    Ok(())
}

fn find<'a>(all: &'a [OutboxSubmission], id: &str) -> Result<&'a OutboxSubmission, SyncError> {
    all.iter()
        .rev()
        .find(|s| {
            s.id == id
                || s.server_id.as_deref() == Some(id)
                || (id.len() >= 6 && s.id.ends_with(id))
        })
        .ok_or_else(|| {
            SyncError::Usage(format!(
                "no submission {id:?}: `waymark submissions` lists them"
            ))
        })
}

fn show_one(s: &OutboxSubmission, status: Option<&SubmissionStatus>) {
    out!(
        "Submission {} for {} ({} {})",
        s.id,
        s.award,
        s.framework_id,
        s.framework_version
    );
    out!("State: {}", state_of(s));
    out!("Queued: {}", s.queued_at.format("%Y-%m-%d %H:%M UTC"));
    if let Some(at) = s.sent_at {
        out!(
            "Received by the awarding body: {}",
            at.format("%Y-%m-%d %H:%M UTC")
        );
    }
    if let Some(server) = &s.server_id {
        out!("Awarding body's reference: {server}");
    }
    let Some(st) = status else { return };
    if let Some(due) = st.summary.review_due {
        out!("Review due by: {due}");
    }
    if let Some(request) = &st.request {
        out!("The assessor asks for more evidence: {}", request.message);
        for b in &request.benchmarks {
            out!("  {}: {}", b.benchmark, b.message);
        }
        out!(
            "Add or change evidence, then `waymark submit --award {}` sends only what changed.",
            s.award
        );
    }
    if let Some(award) = &st.award {
        out!(
            "Awarded {} on {}; expires {} (verification code {}).",
            award.title,
            award.awarded_on,
            award.expires_on,
            award.verification_code
        );
    }
    if let Some(f) = &st.feedback {
        out!("Strengths: {}", f.strengths);
        out!("Areas for development: {}", f.areas_for_development);
        if let Some(e) = &f.enhanced_practice {
            out!("Areas of enhanced practice: {e}");
        }
    }
}

/// `waymark receipt ...`.
pub fn receipt(ctx: &Context, cmd: &ReceiptCmd) -> Result<(), SyncError> {
    let shared = open(ctx)?;
    match cmd {
        ReceiptCmd::Verify { file } => {
            let r = waymark_sync::receipt::verify_file(&shared, file)?;
            if ctx.json {
                return output::json(&r).map_err(SyncError::from);
            }
            out!(
                "Genuine: the awarding body received submission {} (version {}) from institution {} at {}.",
                r.submission,
                r.version,
                r.institution,
                r.received_at.format("%Y-%m-%d %H:%M:%S UTC")
            );
            Ok(())
        }
        ReceiptCmd::Save { id, out } => {
            let all = lock(&shared).outbox()?;
            let s = find(&all, id)?;
            let Some(receipt) = &s.receipt else {
                return Err(SyncError::Usage(format!(
                    "submission {} has no receipt yet: it has not been received (`waymark sync` sends it)",
                    short_id(&s.id)
                )));
            };
            write_new(out, receipt.as_bytes())?;
            out!("Saved the signed receipt to {}.", out.display());
            Ok(())
        }
    }
}

/// Writes a file that must not exist yet, completely or not at all.
fn write_new(path: &Path, bytes: &[u8]) -> Result<(), SyncError> {
    let io = |e| SyncError::io("writing the receipt", path, e);
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(io)?;
    let result = file.write_all(bytes).and_then(|()| file.sync_all());
    if let Err(e) = result {
        let _ = std::fs::remove_file(path);
        return Err(io(e));
    }
    Ok(())
}
