//! The assessor's workspace in the app: the same desk as the `waymark-assess` command
//! (`waymark_assess::desk`), adapted to the window. Nothing here judges: the desk decides what is
//! overdue, what the assessor may do, where they are named and what changed; this module only
//! finds the profile folder, keeps the signed-in desk, runs its network work on a tokio runtime
//! of its own and words its failures for the app.
//!
//! The assessor's profile is separate from the school's data folder (a school's review and an
//! assessor's workspace never mix): `--assessor-dir DIR`, else `WAYMARK_ASSESS_DIR`, else the
//! same per-user folder the `waymark-assess` command uses, so both share one profile. The app
//! starts without one: the desk is loaded only when a command first needs it, and the runtime
//! is built then too.

mod words;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use chrono::{NaiveDate, Utc};
use waymark_assess::desk::{
    AssignmentRow, Desk, DeskInfo, DeskSettings, Draft, DraftProblem, ModerationChoice,
    OpenProgress, OpenStage, Opened, SubmissionView,
};
use waymark_assess::{Error, profile, session};
use waymark_core::ErrorCode;
use waymark_protocol::SubmissionId;

use crate::commands::CmdResult;
use crate::error::CommandError;
use crate::state::AppState;

pub use words::{app_words, assessment_error};

/// How often the progress bar hears about bytes at most.
const PROGRESS_EVERY: Duration = Duration::from_millis(100);

/// The assessor's side of the app state: where the profile is, the signed-in desk (loaded on
/// first use), and the runtime its network work runs on.
pub struct Assessor {
    /// The profile folder, or why none could be chosen (no home folder).
    dir: Result<PathBuf, CommandError>,
    /// The signed-in desk; `None` until loaded or while nobody is signed in.
    desk: Mutex<Option<Arc<Desk>>>,
    /// Built on first use, so an app without an assessor starts no threads for one.
    runtime: OnceLock<Result<tokio::runtime::Runtime, CommandError>>,
    /// The date taken as today (the app's `--today`), for what is overdue.
    today: Option<NaiveDate>,
}

impl Assessor {
    /// The workspace on the profile folder `dir` (or on why there is none).
    pub fn new(dir: Result<PathBuf, CommandError>, today: Option<NaiveDate>) -> Self {
        Self {
            dir,
            desk: Mutex::new(None),
            runtime: OnceLock::new(),
            today,
        }
    }

    /// The profile folder.
    pub fn dir(&self) -> CmdResult<&Path> {
        self.dir.as_deref().map_err(Clone::clone)
    }

    /// The date the app takes as today.
    pub fn today(&self) -> NaiveDate {
        self.today
            .unwrap_or_else(|| chrono::Local::now().date_naive())
    }

    /// The signed-in desk, loading it the first time; `None` when nobody is signed in.
    pub fn loaded(&self) -> CmdResult<Option<Arc<Desk>>> {
        let mut guard = self.desk.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(desk) = guard.as_ref() {
            return Ok(Some(Arc::clone(desk)));
        }
        match Desk::load(self.dir()?) {
            Ok(desk) => {
                let desk = Arc::new(desk);
                *guard = Some(Arc::clone(&desk));
                Ok(Some(desk))
            }
            Err(Error::NotSignedIn(_)) => Ok(None),
            Err(e) => Err(assessment_error(&e)),
        }
    }

    /// The signed-in desk, or the app's words for signing in first.
    pub fn desk(&self) -> CmdResult<Arc<Desk>> {
        match self.loaded()? {
            Some(desk) => Ok(desk),
            None => Err(assessment_error(&Error::NotSignedIn(
                self.dir()?.to_owned(),
            ))),
        }
    }

    /// Forgets the loaded desk (after signing in or out, it is loaded afresh).
    fn forget(&self) {
        *self.desk.lock().unwrap_or_else(|p| p.into_inner()) = None;
    }

    /// Runs the desk's network work to the end on this workspace's runtime (commands call it
    /// from a blocking thread, never from the UI's).
    fn block_on<T>(&self, f: impl Future<Output = T>) -> CmdResult<T> {
        let runtime = self.runtime.get_or_init(|| {
            tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .thread_name("waymark-assess")
                .enable_all()
                .build()
                .map_err(|e| {
                    CommandError::new(
                        ErrorCode::Internal,
                        format!(
                            "The assessor workspace's network part could not start ({e}). Restart Waymark."
                        ),
                    )
                })
        });
        let runtime = runtime.as_ref().map_err(Clone::clone)?;
        Ok(runtime.block_on(f))
    }
}

/// The assessor's profile folder: `--assessor-dir DIR` (or `--assessor-dir=DIR`), else
/// `WAYMARK_ASSESS_DIR`, else the `waymark-assess` command's own per-user folder.
pub fn choose_profile_dir(args: impl IntoIterator<Item = String>) -> CmdResult<PathBuf> {
    let mut args = args.into_iter();
    while let Some(a) = args.next() {
        if a == "--assessor-dir" {
            if let Some(dir) = args.next() {
                return Ok(PathBuf::from(dir));
            }
        } else if let Some(dir) = a.strip_prefix("--assessor-dir=") {
            return Ok(PathBuf::from(dir));
        }
    }
    let env = std::env::var_os("WAYMARK_ASSESS_DIR").filter(|d| !d.is_empty());
    profile::profile_dir(env.as_deref().map(Path::new)).map_err(|e| assessment_error(&e))
}

/// A submission id as the UI sends it, refused in words when it is not one.
fn submission_id(text: &str) -> CmdResult<SubmissionId> {
    text.parse::<SubmissionId>().map_err(|_| {
        CommandError::for_field(
            ErrorCode::InvalidInput,
            "submission",
            format!(
                "“{}” is not a submission's id (it looks like 0190c7a2-…); open the submission from the list of assigned submissions.",
                text.trim()
            ),
        )
    })
}

/// Maps the desk's result to the command's.
fn done<T>(result: waymark_assess::Result<T>) -> CmdResult<T> {
    result.map_err(|e| assessment_error(&e))
}

/// Who is signed in as an assessor on this computer (`None`: nobody).
pub fn assessor_info(state: &AppState) -> CmdResult<Option<DeskInfo>> {
    match state.assessor().loaded()? {
        Some(desk) => done(desk.info()).map(Some),
        None => Ok(None),
    }
}

/// Signs in with an assessor's enrollment code: the age identity and token are made and kept in
/// the OS keychain, the identity's public key registered with the awarding body.
pub fn assessor_sign_in(state: &AppState, code: String) -> CmdResult<DeskInfo> {
    let assessor = state.assessor();
    let dir = assessor.dir()?.to_owned();
    // Said here in the app's words, before the library would say it in the command line's.
    if let Some(existing) = profile::load(&dir).map_err(|e| assessment_error(&e))? {
        return Err(words::already_signed_in(&existing));
    }
    let signed_in = assessor.block_on(session::sign_in(&dir, code.trim()))?;
    done(signed_in).map_err(|mut e| {
        e.field = Some("code".into());
        e
    })?;
    assessor.forget();
    done(assessor.desk()?.info())
}

/// Signs out: every local copy goes first (the decrypted files opened for viewing with them, so
/// nothing is left even if the keychain then refuses), then the keychain entry and the settings.
pub fn assessor_sign_out(state: &AppState) -> CmdResult<()> {
    let assessor = state.assessor();
    let dir = assessor.dir()?.to_owned();
    match assessor.loaded() {
        Ok(Some(desk)) => done(desk.remove_all_copies())?,
        // No desk to ask (nobody signed in, or the keychain refuses): the copies still go, by
        // the desk's layout (desk/mod.rs: copies/ and viewing/ under the profile folder).
        _ => remove_copies_by_layout(&dir)?,
    }
    assessor.forget();
    done(session::sign_out(&dir)).map(|_| ())
}

/// Removes `copies/` and `viewing/` under the profile folder.
fn remove_copies_by_layout(dir: &Path) -> CmdResult<()> {
    for folder in ["copies", "viewing"] {
        let path = dir.join(folder);
        match std::fs::remove_dir_all(&path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                return Err(CommandError::new(
                    ErrorCode::Io,
                    format!(
                        "The local copies in {} could not all be removed ({e}), so you are still signed in. Close any file opened from them and try again.",
                        path.display()
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// The submissions assigned to this assessor, with each local copy (copies whose review is
/// over past the kept time are removed on the way).
pub fn assessor_assignments(state: &AppState) -> CmdResult<Vec<AssignmentRow>> {
    let assessor = state.assessor();
    let desk = assessor.desk()?;
    let today = assessor.today();
    done(assessor.block_on(desk.assignments(today, Utc::now()))?)
}

/// Downloads, verifies and decrypts a submission into the local copy, with progress.
pub fn assessor_open(
    state: &AppState,
    submission: String,
    progress: &(dyn Fn(OpenProgress) + Send + Sync),
) -> CmdResult<Opened> {
    let id = submission_id(&submission)?;
    let assessor = state.assessor();
    let desk = assessor.desk()?;
    let thinned = Thinned::new(progress);
    let report = |p: OpenProgress| thinned.offer(p);
    done(assessor.block_on(desk.open(id, &report))?)
}

/// Passes on a new stage, a stage's end and otherwise about ten updates a second: the bar
/// moves smoothly and the UI's channel is not flooded by a large download.
struct Thinned<'a> {
    to: &'a (dyn Fn(OpenProgress) + Send + Sync),
    last: Mutex<Option<(OpenStage, Instant)>>,
}

impl<'a> Thinned<'a> {
    fn new(to: &'a (dyn Fn(OpenProgress) + Send + Sync)) -> Self {
        Self {
            to,
            last: Mutex::new(None),
        }
    }

    fn offer(&self, p: OpenProgress) {
        let mut last = self.last.lock().unwrap_or_else(|e| e.into_inner());
        let due = match *last {
            Some((stage, at)) => {
                stage != p.stage || p.done >= p.total || at.elapsed() >= PROGRESS_EVERY
            }
            None => true,
        };
        if due {
            *last = Some((p.stage, Instant::now()));
            (self.to)(p);
        }
    }
}

/// The read-only view of the local copy, with the review around it.
pub fn assessor_submission(state: &AppState, submission: String) -> CmdResult<SubmissionView> {
    let id = submission_id(&submission)?;
    let assessor = state.assessor();
    let desk = assessor.desk()?;
    let today = assessor.today();
    done(assessor.block_on(desk.submission(id, today))?)
}

/// Decrypts one evidence file of the local copy (checked again) and opens it with the OS
/// viewer; returns where it is.
pub fn assessor_open_evidence(
    state: &AppState,
    submission: String,
    evidence: String,
) -> CmdResult<String> {
    let id = submission_id(&submission)?;
    let desk = state.assessor().desk()?;
    let path = done(desk.evidence_file(id, &evidence))?;
    // A school's file that is a program or script is never handed to the OS opener (it could
    // run): the same rule as the school's own evidence.
    if crate::evidence::runs_code(&path) {
        return Err(CommandError::new(
            ErrorCode::InvalidInput,
            format!(
                "{} is a program or script, so Waymark will not open it. The decrypted file is at {}: look at it with a viewer you choose, without running it.",
                path.file_name()
                    .map(|n| n.to_string_lossy())
                    .unwrap_or_default(),
                path.display()
            ),
        ));
    }
    tauri_plugin_opener::open_path(&path, None::<&str>).map_err(|e| {
        CommandError::new(
            ErrorCode::OpenFailed,
            format!(
                "The system could not open the file ({e}). The decrypted file is at {}: open it from your file manager.",
                path.display()
            ),
        )
    })?;
    Ok(path.display().to_string())
}

/// Saves the draft on this computer (encrypted); nothing is sent.
pub fn assessor_save_draft(state: &AppState, submission: String, draft: Draft) -> CmdResult<Draft> {
    let id = submission_id(&submission)?;
    done(state.assessor().desk()?.save_draft(id, &draft))
}

/// What stops the draft being sent: `kind` is `request` (for more evidence) or
/// `recommendation`; `has_levels` is the framework's.
pub fn assessor_draft_problems(
    state: &AppState,
    draft: Draft,
    kind: String,
    has_levels: bool,
) -> CmdResult<Vec<DraftProblem>> {
    let desk = state.assessor().desk()?;
    match kind.as_str() {
        "request" => Ok(desk.request_problems(&draft)),
        "recommendation" => Ok(desk.recommendation_problems(&draft, has_levels)),
        other => Err(CommandError::for_field(
            ErrorCode::InvalidInput,
            "kind",
            format!("“{other}” is not something to send: it is “request” or “recommendation”."),
        )),
    }
}

/// Sends the draft's request for more evidence.
pub fn assessor_send_request(state: &AppState, submission: String) -> CmdResult<AssignmentRow> {
    let id = submission_id(&submission)?;
    let assessor = state.assessor();
    let desk = assessor.desk()?;
    done(assessor.block_on(desk.send_request(id))?)
}

/// Sends the draft's recommendation, with its feedback, notes and judgements.
pub fn assessor_send_recommendation(
    state: &AppState,
    submission: String,
) -> CmdResult<AssignmentRow> {
    let id = submission_id(&submission)?;
    let assessor = state.assessor();
    let desk = assessor.desk()?;
    done(assessor.block_on(desk.send_recommendation(id))?)
}

/// The moderator confirms the recommendation or sends it back with the draft's reason.
pub fn assessor_moderate(
    state: &AppState,
    submission: String,
    choice: ModerationChoice,
) -> CmdResult<AssignmentRow> {
    let id = submission_id(&submission)?;
    let assessor = state.assessor();
    let desk = assessor.desk()?;
    done(assessor.block_on(desk.send_moderation(id, choice))?)
}

/// Removes the local copy now (with its draft and any file opened for viewing); false when
/// there was none.
pub fn assessor_remove_copy(state: &AppState, submission: String) -> CmdResult<bool> {
    let id = submission_id(&submission)?;
    done(state.assessor().desk()?.remove_copy(id))
}

/// How many days a finished review's copy is kept on this computer.
pub fn assessor_set_keep_days(state: &AppState, days: u32) -> CmdResult<DeskSettings> {
    done(state.assessor().desk()?.set_keep_finished_days(days))
}

#[cfg(test)]
mod tests;
