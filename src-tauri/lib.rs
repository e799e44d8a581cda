//! Waymark's desktop shell: Tauri adapts the UI's calls to `waymark-core` and nothing more.
//!
//! - `commands.rs`: the commands as plain functions over [`state::AppState`] (testable without
//!   a window); the `#[tauri::command]` wrappers below are one line each.
//! - `command_list.rs`: THE declaration of every command (name, arguments, success type),
//!   expanded here into the wrappers and the handler, by build.rs into one permission each
//!   (granted only to the main window, see tauri.conf.json), and by bindings.rs into the UI's
//!   typed wrappers.
//! - `bindings.rs`: the TypeScript types the UI uses, generated from the Rust types.
//! - `assessor/`: the assessor's workspace (waymark-assess's desk), on a profile of its own.

pub mod assessor;
pub mod bindings;
pub mod commands;
pub mod documents;
pub mod error;
pub mod evidence;
pub mod jobs;
pub mod privacy;
pub mod progress_sink;
pub mod state;
pub mod submissions;
pub mod watch;

use tauri::ipc::Channel;
use tauri::{AppHandle, Emitter, Manager, State};
use waymark_core::Status;
use waymark_core::evidence::EvidenceItem;
use waymark_core::framework::FrameworkSummary;
use waymark_core::search::SearchHit;
use waymark_core::store::{
    ActionStatus, Contributor, ContributorInput, FutureAction, HistoryEntry, Institution,
    InstitutionInput, NewAction, Response,
};
use waymark_core::workspace::{
    AddReport, BenchmarkDetail, FreezeReport, RescanReport, ReviewFramework, WorkProgress,
};

use waymark_assess::desk::{
    AssignmentRow, DeskInfo, DeskSettings, Draft, DraftProblem, ModerationChoice, OpenProgress,
    Opened, SubmissionView as DeskSubmissionView,
};

use commands::{AppInfo, CmdResult, RegisterInput, SaveResponseInput};
use documents::{ExportInput, Exported};
use error::CommandError;
use evidence::{AddEvidenceInput, DescribeEvidenceInput, EvidenceScreen, LinkInput};
use privacy::Erased;
use progress_sink::ProgressSink;
use state::AppState;
use submissions::views::{
    Applied, ApplyPreview, ApplyProgress, CodeCheck, Delivery, Enrolled, Overview, ReceiptView,
    SaveReceiptInput,
};
use waymark_core::input::FieldProblem;
use waymark_core::privacy::{ErasurePlan, ExportReport, PrivacyOverview};
use waymark_core::renewal::{LevelComparison, RenewalReport};

/// Event sent to the UI whenever evidence statuses may have changed (a job finished, the
/// start-up rescan, a watched folder changed), so every screen showing evidence refreshes.
pub const EVIDENCE_CHANGED: &str = "evidence-changed";

/// Wraps a long evidence job as an async Tauri command: it runs on a blocking thread with its
/// own connection, streams progress to the UI's channel when it reports any, and announces
/// changed evidence.
macro_rules! job_command {
    ($name:ident ( $($arg:ident : $ty:ty),* ) -> $ret:ty, with progress) => {
        #[tauri::command(rename_all = "snake_case")]
        async fn $name(
            app: AppHandle,
            state: State<'_, AppState>,
            $($arg: $ty,)*
            on_progress: Channel<WorkProgress>,
        ) -> CmdResult<$ret> {
            let jobs = state.jobs();
            let result = background(move || {
                let mut sink = ProgressSink::new(move |p| on_progress.send(p).is_ok());
                evidence::$name(&jobs, $($arg,)* &mut |p| sink.offer(p))
            })
            .await;
            announce(&app, &result);
            result
        }
    };
    ($name:ident ( $($arg:ident : $ty:ty),* ) -> $ret:ty) => {
        #[tauri::command(rename_all = "snake_case")]
        async fn $name(app: AppHandle, state: State<'_, AppState>, $($arg: $ty),*) -> CmdResult<$ret> {
            let jobs = state.jobs();
            let result = background(move || evidence::$name(&jobs, $($arg),*)).await;
            announce(&app, &result);
            result
        }
    };
}

/// Expands the one declaration of the commands (command_list.rs): a `#[tauri::command]`
/// wrapper for each (except `own`, written below), [`handler`] registering all of them, and
/// [`signatures`], from which bindings.rs writes the UI's typed wrappers.
macro_rules! app_commands {
    (
        infallible { $($im:ident :: $iname:ident ( $($iarg:ident : $ity:ty),* ) -> $iret:ty;)* }
        quick { $($qm:ident :: $qname:ident ( $($qarg:ident : $qty:ty),* ) -> $qret:ty;)* }
        job { $($jname:ident ( $($jarg:ident : $jty:ty),* ) -> $jret:ty;)* }
        job_with_progress { $($pname:ident ( $($parg:ident : $pty:ty),* ) -> $pret:ty;)* }
        network { $($nm:ident :: $nname:ident ( $($narg:ident : $nty:ty),* ) -> $nret:ty;)* }
        network_with_progress { $($wm:ident :: $wname:ident ( $($warg:ident : $wty:ty),* ) -> $wret:ty, $wprog:ty;)* }
        own { $($oname:ident ( $($oarg:ident : $oty:ty),* ) -> $oret:ty;)* }
    ) => {
        $(
            #[tauri::command(rename_all = "snake_case")]
            fn $iname(state: State<'_, AppState>, $($iarg: $ity),*) -> $iret {
                $im::$iname(&state, $($iarg),*)
            }
        )*
        $(
            #[tauri::command(rename_all = "snake_case")]
            fn $qname(state: State<'_, AppState>, $($qarg: $qty),*) -> CmdResult<$qret> {
                $qm::$qname(&state, $($qarg),*)
            }
        )*
        $( job_command!($jname($($jarg: $jty),*) -> $jret); )*
        $( job_command!($pname($($parg: $pty),*) -> $pret, with progress); )*
        $(
            #[tauri::command(rename_all = "snake_case")]
            async fn $nname(app: AppHandle, $($narg: $nty),*) -> CmdResult<$nret> {
                background(move || $nm::$nname(&app.state::<AppState>(), $($narg),*)).await
            }
        )*
        $(
            #[tauri::command(rename_all = "snake_case")]
            async fn $wname(app: AppHandle, $($warg: $wty,)* on_progress: Channel<$wprog>) -> CmdResult<$wret> {
                background(move || {
                    let send = move |p: $wprog| {
                        let _ = on_progress.send(p);
                    };
                    $wm::$wname(&app.state::<AppState>(), $($warg,)* &send)
                })
                .await
            }
        )*

        /// The invoke handler registering every declared command.
        fn handler() -> impl Fn(tauri::ipc::Invoke<tauri::Wry>) -> bool + Send + Sync + 'static {
            tauri::generate_handler![
                $($iname,)* $($qname,)* $($jname,)* $($pname,)* $($nname,)* $($wname,)* $($oname,)*
            ]
        }

        /// Every declared command's name, arguments and success type, in TypeScript terms.
        pub fn signatures() -> Vec<bindings::Signature> {
            let cfg = ts_rs::Config::default().with_large_int("number");
            let sig = |name: &'static str, args: Vec<(&'static str, String)>, returns: String, progress: Option<String>| {
                bindings::Signature { name, args, returns, progress }
            };
            vec![
                $(sig(stringify!($iname), vec![$((stringify!($iarg), <$ity as ts_rs::TS>::name(&cfg))),*], <$iret as ts_rs::TS>::name(&cfg), None),)*
                $(sig(stringify!($qname), vec![$((stringify!($qarg), <$qty as ts_rs::TS>::name(&cfg))),*], <$qret as ts_rs::TS>::name(&cfg), None),)*
                $(sig(stringify!($jname), vec![$((stringify!($jarg), <$jty as ts_rs::TS>::name(&cfg))),*], <$jret as ts_rs::TS>::name(&cfg), None),)*
                $(sig(stringify!($pname), vec![$((stringify!($parg), <$pty as ts_rs::TS>::name(&cfg))),*], <$pret as ts_rs::TS>::name(&cfg), Some(<WorkProgress as ts_rs::TS>::name(&cfg))),)*
                $(sig(stringify!($nname), vec![$((stringify!($narg), <$nty as ts_rs::TS>::name(&cfg))),*], <$nret as ts_rs::TS>::name(&cfg), None),)*
                $(sig(stringify!($wname), vec![$((stringify!($warg), <$wty as ts_rs::TS>::name(&cfg))),*], <$wret as ts_rs::TS>::name(&cfg), Some(<$wprog as ts_rs::TS>::name(&cfg))),)*
                $(sig(stringify!($oname), vec![$((stringify!($oarg), <$oty as ts_rs::TS>::name(&cfg))),*], <$oret as ts_rs::TS>::name(&cfg), None),)*
            ]
        }
    };
}

/// Tells every screen that evidence changed, after a job that succeeded, and the watch that
/// the folders to watch may have changed.
fn announce<T>(app: &AppHandle, result: &CmdResult<T>) {
    if result.is_ok() {
        let _ = app.emit(EVIDENCE_CHANGED, ());
        app.state::<AppState>().watch().folders_changed();
    }
}

/// Runs blocking work off the async runtime's threads.
async fn background<T: Send + 'static>(
    f: impl FnOnce() -> CmdResult<T> + Send + 'static,
) -> CmdResult<T> {
    tauri::async_runtime::spawn_blocking(f)
        .await
        .unwrap_or_else(|e| {
            Err(CommandError::new(
                waymark_core::ErrorCode::Internal,
                format!("The work stopped unexpectedly ({e}). Nothing was saved; try again."),
            ))
        })
}

include!("command_list.rs");

/// Produces a PDF and saves it; a job, since a long report takes a moment.
#[tauri::command(rename_all = "snake_case")]
async fn export_document(state: State<'_, AppState>, input: ExportInput) -> CmdResult<Exported> {
    let jobs = state.jobs();
    let saved = state.saved_documents();
    let issued = match &input.document {
        documents::DocumentKind::MarkCertificate { submission_id } => {
            Some(submissions::issued_award(&state, submission_id)?)
        }
        _ => None,
    };
    background(move || documents::export_document(&jobs, &saved, input, issued)).await
}

/// Exports everything the data folder holds to the archive the save dialog chose; a job, since
/// the evidence can be gigabytes.
#[tauri::command(rename_all = "snake_case")]
async fn export_data(
    state: State<'_, AppState>,
    path: String,
    with_evidence: bool,
) -> CmdResult<ExportReport> {
    let jobs = state.jobs();
    let saved = state.saved_documents();
    background(move || privacy::export_data(&jobs, &saved, path, with_evidence)).await
}

/// Starts the app. The data folder is `--data-dir DIR`, `WAYMARK_DATA_DIR`, or the OS's
/// per-user app-data folder; the assessor's profile `--assessor-dir DIR`, `WAYMARK_ASSESS_DIR`,
/// or the `waymark-assess` command's own folder.
pub fn run() {
    let options = submissions::Options::from_args(std::env::args().skip(1));
    let state = match state::choose_data_dir(std::env::args().skip(1)) {
        Some(dir) => AppState::open_with(dir, options),
        None => AppState::without_data_dir(),
    };
    // The assessor's profile is separate from the school's data folder (see assessor/).
    let state = state.with_assessor(assessor::Assessor::new(
        assessor::choose_profile_dir(std::env::args().skip(1)),
        options.today,
    ));
    let jobs = state.jobs();
    let watch = state.watch().clone();
    let data_dir = state.data_dir().clone();
    let submissions = state.submissions();
    let result = tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .manage(state)
        .setup(move |app| {
            watch.start(app.handle().clone(), jobs, data_dir);
            let handle = app.handle().clone();
            submissions.start(move |notice| match notice {
                submissions::Notice::Delivery(d) => {
                    let _ = handle.emit(submissions::DELIVERY_CHANGED, d);
                }
                submissions::Notice::Changed => {
                    let _ = handle.emit(submissions::SUBMISSIONS_CHANGED, ());
                }
            });
            Ok(())
        })
        .invoke_handler(handler())
        .run(tauri::generate_context!());
    if let Err(e) = result {
        eprintln!(
            "Waymark could not start its window: {e}. On Linux, check that WebKitGTK 4.1 is installed."
        );
        std::process::exit(1);
    }
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod ui_fixtures;
