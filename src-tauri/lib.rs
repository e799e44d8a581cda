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
pub mod error;
pub mod state;

use tauri::State;
use waymark_core::Status;
use waymark_core::framework::FrameworkSummary;
use waymark_core::search::SearchHit;
use waymark_core::store::{
    ActionStatus, Contributor, FutureAction, HistoryEntry, Institution, InstitutionInput,
    NewAction, Response,
};

use commands::{
    AppInfo, BenchmarkDetail, CmdResult, ContributorInput, RegisterInput, ReviewFramework,
    SaveResponseInput,
};
use state::AppState;

/// Wraps a plain command function as a Tauri command taking the shared state.
macro_rules! command {
    ($name:ident ( $($arg:ident : $ty:ty),* ) -> $ret:ty) => {
        #[tauri::command(rename_all = "snake_case")]
        fn $name(state: State<'_, AppState>, $($arg: $ty),*) -> $ret {
            commands::$name(&state, $($arg),*)
        }
    };
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

/// Starts the app. The data folder is `--data-dir DIR`, `WAYMARK_DATA_DIR`, or the OS's
/// per-user app-data folder.
pub fn run() {
    let state = match state::choose_data_dir(std::env::args().skip(1)) {
        Some(dir) => AppState::open(dir),
        None => AppState::without_data_dir(),
    };
    let result = tauri::Builder::default()
        .manage(state)
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
