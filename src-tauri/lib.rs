//! Waymark's desktop shell: Tauri adapts the UI's calls to `waymark-core` and nothing more.
//!
//! - `commands.rs`: the commands as plain functions over [`state::AppState`] (testable without
//!   a window); the `#[tauri::command]` wrappers below are one line each.
//! - `commands_list.rs`: the command names, shared with build.rs, which turns each into a
//!   permission granted only to the main window (see tauri.conf.json).
//! - `bindings.rs`: the TypeScript types the UI uses, generated from the Rust types.

pub mod bindings;
pub mod commands;
pub mod commands_list;
pub mod documents;
pub mod error;
pub mod evidence;
pub mod jobs;
pub mod progress_sink;
pub mod state;
pub mod watch;

use tauri::ipc::Channel;
use tauri::{AppHandle, Emitter, Manager, State};
use waymark_core::Status;
use waymark_core::evidence::EvidenceItem;
use waymark_core::framework::FrameworkSummary;
use waymark_core::search::SearchHit;
use waymark_core::store::{
    ActionStatus, Contributor, FutureAction, HistoryEntry, Institution, InstitutionInput,
    NewAction, Response,
};
use waymark_core::workspace::{AddReport, FreezeReport, RescanReport, WorkProgress};

use commands::{
    AppInfo, BenchmarkDetail, CmdResult, ContributorInput, RegisterInput, ReviewFramework,
    SaveResponseInput,
};
use documents::{ExportInput, Exported};
use error::CommandError;
use evidence::{AddEvidenceInput, DescribeEvidenceInput, EvidenceLibrary, LinkInput};
use progress_sink::ProgressSink;
use state::AppState;

/// Event sent to the UI whenever evidence statuses may have changed (a job finished, the
/// start-up rescan, a watched folder changed), so every screen showing evidence refreshes.
pub const EVIDENCE_CHANGED: &str = "evidence-changed";

/// Wraps a plain command function as a Tauri command taking the shared state.
macro_rules! command {
    ($name:ident ( $($arg:ident : $ty:ty),* ) -> $ret:ty) => {
        command!(commands::$name($($arg: $ty),*) -> $ret);
    };
    ($module:ident :: $name:ident ( $($arg:ident : $ty:ty),* ) -> $ret:ty) => {
        #[tauri::command(rename_all = "snake_case")]
        fn $name(state: State<'_, AppState>, $($arg: $ty),*) -> $ret {
            $module::$name(&state, $($arg),*)
        }
    };
}

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
            Err(CommandError {
                code: "unexpected".into(),
                message: format!(
                    "The evidence work stopped unexpectedly ({e}). Nothing was saved; try again."
                ),
                field: None,
            })
        })
}

command!(app_info() -> AppInfo);
command!(list_frameworks() -> CmdResult<Vec<FrameworkSummary>>);
command!(register(input: RegisterInput) -> CmdResult<Status>);
command!(current_status() -> CmdResult<Option<Status>>);
command!(review_framework() -> CmdResult<ReviewFramework>);
command!(list_responses() -> CmdResult<Vec<Response>>);
command!(benchmark_detail(benchmark_id: String) -> CmdResult<BenchmarkDetail>);
command!(save_response(input: SaveResponseInput) -> CmdResult<Response>);
command!(confirm_response(benchmark_id: String, by: String) -> CmdResult<Response>);
command!(recent_changes(limit: u32) -> CmdResult<Vec<HistoryEntry>>);
command!(search(query: String) -> CmdResult<Vec<SearchHit>>);
command!(list_actions() -> CmdResult<Vec<FutureAction>>);
command!(add_action(action: NewAction, by: String) -> CmdResult<FutureAction>);
command!(update_action(id: String, action: NewAction) -> CmdResult<FutureAction>);
command!(set_action_status(id: String, status: ActionStatus) -> CmdResult<FutureAction>);
command!(list_contributors() -> CmdResult<Vec<Contributor>>);
command!(add_contributor(input: ContributorInput) -> CmdResult<Contributor>);
command!(remove_contributor(id: String) -> CmdResult<()>);
command!(update_institution(input: InstitutionInput) -> CmdResult<Institution>);
command!(evidence::list_evidence() -> CmdResult<EvidenceLibrary>);
command!(evidence::link_evidence(id: String, link: LinkInput) -> CmdResult<EvidenceItem>);
command!(evidence::unlink_evidence(id: String, link: LinkInput) -> CmdResult<EvidenceItem>);
command!(evidence::describe_evidence(input: DescribeEvidenceInput) -> CmdResult<EvidenceItem>);
command!(evidence::remove_evidence(id: String) -> CmdResult<()>);
command!(evidence::open_evidence(id: String) -> CmdResult<()>);
command!(evidence::reveal_evidence(id: String) -> CmdResult<()>);
command!(evidence::cancel_evidence_work() -> ());
job_command!(add_evidence(input: AddEvidenceInput) -> AddReport, with progress);
job_command!(rescan_evidence() -> RescanReport, with progress);
job_command!(freeze_evidence() -> FreezeReport);
job_command!(accept_evidence(id: String, by: String) -> EvidenceItem);
command!(documents::open_document(path: String) -> CmdResult<()>);
command!(documents::reveal_document(path: String) -> CmdResult<()>);

/// Produces a PDF and saves it; a job, since a long report takes a moment.
#[tauri::command(rename_all = "snake_case")]
async fn export_document(state: State<'_, AppState>, input: ExportInput) -> CmdResult<Exported> {
    let jobs = state.jobs();
    let saved = state.saved_documents();
    background(move || documents::export_document(&jobs, &saved, input)).await
}

/// Starts the app. The data folder is `--data-dir DIR`, `WAYMARK_DATA_DIR`, or the OS's
/// per-user app-data folder.
pub fn run() {
    let state = match state::choose_data_dir(std::env::args().skip(1)) {
        Some(dir) => AppState::open(dir),
        None => AppState::without_data_dir(),
    };
    let jobs = state.jobs();
    let watch = state.watch().clone();
    let data_dir = state.data_dir().clone();
    let result = tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .manage(state)
        .setup(move |app| {
            watch.start(app.handle().clone(), jobs, data_dir);
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            app_info,
            list_frameworks,
            register,
            current_status,
            review_framework,
            list_responses,
            benchmark_detail,
            save_response,
            confirm_response,
            recent_changes,
            search,
            list_actions,
            add_action,
            update_action,
            set_action_status,
            list_contributors,
            add_contributor,
            remove_contributor,
            update_institution,
            list_evidence,
            link_evidence,
            unlink_evidence,
            describe_evidence,
            remove_evidence,
            open_evidence,
            reveal_evidence,
            cancel_evidence_work,
            add_evidence,
            rescan_evidence,
            freeze_evidence,
            accept_evidence,
            export_document,
            open_document,
            reveal_document,
        ])
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
