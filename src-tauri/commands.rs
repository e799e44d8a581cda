//! The commands the UI calls, as plain functions over [`AppState`]: each validates nothing
//! itself and only adapts a `Workspace` call and its error. `lib.rs` wraps each in a
//! `#[tauri::command]`; tests call these directly, without a window.

use serde::{Deserialize, Serialize};
use ts_rs::TS;
use waymark_core::framework::FrameworkSummary;
use waymark_core::input::FieldProblem;
use waymark_core::search::SearchHit;
use waymark_core::store::{
    ActionStatus, Contributor, ContributorInput, FutureAction, HistoryEntry, Institution,
    InstitutionInput, NewAction, Response, Review,
};
use waymark_core::workspace::{BenchmarkDetail, ReviewFramework};
use waymark_core::{Error, ResponseUpdate, Status, Workspace};

use crate::error::CommandError;
use crate::state::AppState;

/// Result of every command.
pub type CmdResult<T> = Result<T, CommandError>;

/// What the UI needs before anything else.
#[derive(Debug, Clone, Serialize, TS)]
pub struct AppInfo {
    /// Waymark's version.
    pub version: String,
    /// The data folder in use.
    pub data_dir: String,
    /// The name recorded for changes made here: the one set in the app ("who I am"), else
    /// the login name.
    pub user: String,
    /// Whether `user` was set in the app (rather than taken from the login name).
    pub user_is_set: bool,
    /// Why the data folder could not be opened, if it could not.
    pub startup_error: Option<CommandError>,
}

/// First-run registration.
#[derive(Debug, Clone, Deserialize, TS)]
pub struct RegisterInput {
    /// Framework id (latest version is used).
    pub framework_id: String,
    /// The institution's details.
    pub institution: InstitutionInput,
    /// Who is registering (recorded in history).
    pub by: String,
}

/// An autosave of one benchmark's response.
#[derive(Debug, Clone, Deserialize, TS)]
pub struct SaveResponseInput {
    /// The benchmark.
    pub benchmark_id: String,
    /// The level chosen (`null` for none).
    pub level: Option<u8>,
    /// The full commentary text.
    pub commentary: String,
    /// The revision the editor loaded; a newer stored revision makes the save a conflict.
    #[ts(type = "number | null")]
    pub base_revision: Option<i64>,
    /// Who is editing.
    pub by: String,
}

fn review(ws: &Workspace) -> CmdResult<Review> {
    Ok(ws.current_review(None)?)
}

/// The login name, the default author of changes until one is set.
fn login_name() -> String {
    std::env::var("USER")
        .or_else(|_| std::env::var("USERNAME"))
        .unwrap_or_default()
}

/// Version, data folder, who is making changes, and any startup failure.
pub fn app_info(state: &AppState) -> AppInfo {
    let set = state.with(|ws| Ok(ws.author()?)).ok().flatten();
    AppInfo {
        version: env!("CARGO_PKG_VERSION").to_owned(),
        data_dir: state.data_dir().display().to_string(),
        user_is_set: set.is_some(),
        user: set.unwrap_or_else(login_name),
        startup_error: state.startup_error(),
    }
}

/// Sets who is making changes here (kept in the data folder, never submitted); a blank name
/// goes back to the login name. Returns the name now in use.
pub fn set_author(state: &AppState, name: String) -> CmdResult<String> {
    state.with(|ws| Ok(ws.set_author(&name)?.unwrap_or_else(login_name)))
}

/// Frameworks available to register for.
pub fn list_frameworks(state: &AppState) -> CmdResult<Vec<FrameworkSummary>> {
    state.with(|ws| Ok(ws.catalog()?.list()))
}

/// Registers the institution and returns the new review's status.
pub fn register(state: &AppState, input: RegisterInput) -> CmdResult<Status> {
    state.with(|ws| {
        let review = ws.register(&input.framework_id, None, &input.institution, &input.by)?;
        Ok(ws.status(&review)?)
    })
}

/// The current review's status; `None` before registration (the UI shows first run).
pub fn current_status(state: &AppState) -> CmdResult<Option<Status>> {
    state.with(|ws| match ws.current_review(None) {
        Ok(review) => Ok(Some(ws.status(&review)?)),
        Err(Error::NotRegistered) => Ok(None),
        Err(e) => Err(e.into()),
    })
}

/// The framework definition the current review is judged by.
pub fn review_framework(state: &AppState) -> CmdResult<ReviewFramework> {
    state.with(|ws| {
        let review = review(ws)?;
        Ok(ws.review_framework(&review)?)
    })
}

/// Every response of the current review.
pub fn list_responses(state: &AppState) -> CmdResult<Vec<Response>> {
    state.with(|ws| {
        let review = review(ws)?;
        Ok(ws.responses(&review)?)
    })
}

/// The response, history, linked actions and neighbours of one benchmark.
pub fn benchmark_detail(state: &AppState, benchmark_id: String) -> CmdResult<BenchmarkDetail> {
    state.with(|ws| {
        let review = review(ws)?;
        Ok(ws.benchmark_detail(&review, &benchmark_id)?)
    })
}

/// Saves a response (autosave): one transaction with its history row.
pub fn save_response(state: &AppState, input: SaveResponseInput) -> CmdResult<Response> {
    state.with(|ws| {
        let review = review(ws)?;
        let update = ResponseUpdate {
            level: Some(input.level),
            commentary: Some(input.commentary),
            base_revision: input.base_revision,
        };
        Ok(ws.set_response(&review, &input.benchmark_id, update, &input.by)?)
    })
}

/// Confirms a response carried from an earlier framework version.
pub fn confirm_response(state: &AppState, benchmark_id: String, by: String) -> CmdResult<Response> {
    state.with(|ws| {
        let review = review(ws)?;
        Ok(ws.confirm_response(&review, &benchmark_id, &by)?)
    })
}

/// The latest changes across the review, newest first.
pub fn recent_changes(state: &AppState, limit: u32) -> CmdResult<Vec<HistoryEntry>> {
    state.with(|ws| {
        let review = review(ws)?;
        Ok(ws.recent_changes(&review, limit)?)
    })
}

/// Searches benchmarks and commentary.
pub fn search(state: &AppState, query: String) -> CmdResult<Vec<SearchHit>> {
    state.with(|ws| {
        let review = review(ws)?;
        Ok(ws.search(&review, &query, 50)?)
    })
}

/// The action plan.
pub fn list_actions(state: &AppState) -> CmdResult<Vec<FutureAction>> {
    state.with(|ws| {
        let review = review(ws)?;
        Ok(ws.actions(&review)?)
    })
}

/// Adds a future action.
pub fn add_action(state: &AppState, action: NewAction, by: String) -> CmdResult<FutureAction> {
    state.with(|ws| {
        let review = review(ws)?;
        Ok(ws.add_action(&review, &action, &by)?)
    })
}

/// Edits a future action.
pub fn update_action(state: &AppState, id: String, action: NewAction) -> CmdResult<FutureAction> {
    state.with(|ws| {
        let review = review(ws)?;
        Ok(ws.update_action(&review, &id, &action)?)
    })
}

/// Changes a future action's status.
pub fn set_action_status(
    state: &AppState,
    id: String,
    status: ActionStatus,
) -> CmdResult<FutureAction> {
    state.with(|ws| {
        let review = review(ws)?;
        Ok(ws.set_action_status(&review, &id, status)?)
    })
}

/// The working group.
pub fn list_contributors(state: &AppState) -> CmdResult<Vec<Contributor>> {
    state.with(|ws| Ok(ws.contributors()?))
}

/// Adds a member of the working group.
pub fn add_contributor(state: &AppState, input: ContributorInput) -> CmdResult<Contributor> {
    state.with(|ws| Ok(ws.add_contributor(&input)?))
}

/// Removes a member of the working group.
pub fn remove_contributor(state: &AppState, id: String) -> CmdResult<()> {
    state.with(|ws| Ok(ws.remove_contributor(&id)?))
}

/// Corrects the institution's details.
pub fn update_institution(state: &AppState, input: InstitutionInput) -> CmdResult<Institution> {
    let updated = state.with(|ws| Ok(ws.update_institution(&input)?))?;
    // A correction owed to the awarding body goes with the delivery loop's next round.
    state.submissions().wake();
    Ok(updated)
}

/// Every problem with institution details as typed, for the form (nothing is saved).
pub fn check_institution(
    _state: &AppState,
    input: InstitutionInput,
) -> CmdResult<Vec<FieldProblem>> {
    Ok(input.problems())
}

/// Every problem with a future action as typed, for the form (nothing is saved).
pub fn check_action(_state: &AppState, action: NewAction) -> CmdResult<Vec<FieldProblem>> {
    Ok(action.problems())
}

/// Every problem with a working-group member as typed, for the form (nothing is saved).
pub fn check_contributor(
    _state: &AppState,
    input: ContributorInput,
) -> CmdResult<Vec<FieldProblem>> {
    Ok(input.problems())
}
