//! The data-protection rights from the Privacy screen, as plain functions over [`AppState`]:
//! what the folder holds and has sent (access), an export archive (portability, a job on its
//! own connection), corrections of the working group (rectification; the correction reaches
//! the awarding body with the delivery loop), pausing network activity (restriction) and
//! erasing everything, at the awarding body too when asked (erasure). The core decides all of
//! it (`Workspace::privacy_overview`, `export`, `erasure_plan`, `erase`); the endpoint's part is
//! waymark-sync's (`privacy::request_erasure`).

use std::path::PathBuf;

use serde::Serialize;
use ts_rs::TS;
use waymark_core::ErrorCode;
use waymark_core::privacy::{ErasurePlan, ErasureReport, ExportReport, PrivacyOverview};
use waymark_core::store::{Contributor, ContributorInput};
use waymark_sync::lock;
use waymark_sync::session::Session;

use crate::commands::CmdResult;
use crate::error::CommandError;
use crate::jobs::Jobs;
use crate::state::AppState;
use crate::submissions::{self, timeline};

/// What the awarding body confirmed it erased, from its signed confirmation (verified against
/// the keys pinned when this computer enrolled).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct AwardingBodyErasure {
    /// The awarding body.
    pub awarding_body: String,
    /// When it erased the institution's data (its clock, RFC 3339).
    pub erased_at: String,
    /// False when it had erased it before (this is the first confirmation again).
    pub first_time: bool,
    /// Submissions deleted, with their reviews.
    #[ts(type = "number")]
    pub submissions: u64,
    /// Awards deleted (their public check answers "deleted" from then on).
    #[ts(type = "number")]
    pub awards: u64,
    /// Files deleted (encrypted evidence and manifests).
    #[ts(type = "number")]
    pub files: u64,
    /// Their size.
    #[ts(type = "number")]
    pub bytes: u64,
}

/// What "Erase everything" did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct Erased {
    /// What was removed from this computer.
    pub report: ErasureReport,
    /// What the awarding body confirmed, when it was asked too. Its signed confirmation is
    /// kept in memory until Waymark closes: `save_erasure_confirmation` saves it.
    pub awarding_body: Option<AwardingBodyErasure>,
}

/// What the data folder holds and has sent, the switches, the exports and erasures.
pub fn privacy_overview(state: &AppState) -> CmdResult<PrivacyOverview> {
    state.with(|ws| Ok(ws.privacy_overview()?))
}

/// What erasing would remove, for the confirmation dialog.
pub fn erasure_plan(state: &AppState) -> CmdResult<ErasurePlan> {
    state.with(|ws| Ok(ws.erasure_plan()?))
}

/// Pauses (`true`) or resumes network activity; answers the setting as stored. The delivery
/// indicator follows at once, and resuming sends what waited.
pub fn set_network_restricted(state: &AppState, restricted: bool) -> CmdResult<bool> {
    let now = state.with(|ws| {
        ws.set_network_restricted(restricted)?;
        Ok(ws.network_restricted()?)
    })?;
    state.submissions().network_changed();
    Ok(now)
}

/// Corrects a working-group member (the correction is sent to the awarding body, when
/// enrolled, by the delivery loop).
pub fn update_contributor(
    state: &AppState,
    id: String,
    input: ContributorInput,
) -> CmdResult<Contributor> {
    let updated = state.with(|ws| Ok(ws.update_contributor(&id, &input)?))?;
    state.submissions().wake();
    Ok(updated)
}

/// Writes everything the folder holds to `path` (the save dialog's answer; `.tar` added when
/// it has no extension), with the frozen evidence and sealed submissions when
/// `with_evidence`. Runs on a job's own connection, since evidence can be gigabytes.
pub fn export_data(
    jobs: &Jobs,
    saved: &crate::documents::Saved,
    path: String,
    with_evidence: bool,
) -> CmdResult<ExportReport> {
    let path = PathBuf::from(path);
    if !path.is_absolute() {
        return Err(CommandError::for_field(
            ErrorCode::InvalidInput,
            "path",
            "Choose where to save the export with the Save dialog.",
        ));
    }
    let path = if path.extension().is_none() {
        path.with_extension("tar")
    } else {
        path
    };
    let report = jobs.run_on_folder(|ws| Ok(ws.export(&path, with_evidence)?))?;
    // "Show in folder" may then show it.
    saved.remember(PathBuf::from(&report.path));
    Ok(report)
}

/// Erases everything: first, when `at_endpoint` and enrolled, asks the awarding body to erase
/// what it holds (its signed confirmation verified; the credentials are needed for that and go
/// with the rest); then closes every connection to the data folder and erases it here. The
/// folder is then opened afresh, empty, so the app shows its first-run screen.
pub fn erase_data(state: &AppState, confirmation: String, at_endpoint: bool) -> CmdResult<Erased> {
    // The awarding body is asked before anything is erased here, so the phrase the core asks
    // for is checked first: nothing is asked of anyone without it.
    waymark_core::privacy::check_erase_confirmation(&confirmation)?;
    let subs = state.submissions();
    let enrolled = state.with(|ws| Ok(ws.enrollment()?.is_some()))?;
    let awarding_body = if at_endpoint && enrolled {
        Some(erase_at_endpoint(state)?)
    } else {
        None
    };

    // Every connection closes: jobs wait (and none starts), the engine's, then the UI's.
    let jobs = state.jobs();
    let no_jobs = jobs.exclusive();
    subs.close();
    let erased = match state.take_workspace() {
        Ok(ws) => ws.erase(&confirmation).map_err(CommandError::from),
        Err(e) => Err(e),
    };
    state.reopen();
    subs.reopen(state.data_dir());
    drop(no_jobs);
    state.watch().folders_changed();
    let report = erased.map_err(|mut e| {
        if awarding_body.is_some() {
            e.message = format!(
                "The awarding body erased its copy, but erasing this computer's failed: {} Try again without asking the awarding body.",
                e.message
            );
        }
        e
    })?;
    Ok(Erased {
        report,
        awarding_body,
    })
}

/// Asks the endpoint to erase the institution, keeps its signed confirmation in memory.
fn erase_at_endpoint(state: &AppState) -> CmdResult<AwardingBodyErasure> {
    let subs = state.submissions();
    let shared = subs.shared()?;
    let mut session = Session::load(&shared).map_err(|e| submissions::submission_error(&e))?;
    let (confirmed, response) = subs
        .block_on(waymark_sync::privacy::request_erasure(
            &shared,
            &mut session,
        ))?
        .map_err(|e| submissions::submission_error(&e))?;
    let awarding_body = lock(&shared)
        .enrollment()?
        .map(|e| e.awarding_body)
        .unwrap_or_default();
    let proof = serde_json::to_string_pretty(&response.confirmation).map_err(|e| {
        CommandError::new(
            ErrorCode::Internal,
            format!("The awarding body's confirmation could not be kept ({e})."),
        )
    })?;
    *state
        .erasure_proof()
        .lock()
        .unwrap_or_else(|p| p.into_inner()) = Some(proof);
    Ok(AwardingBodyErasure {
        awarding_body,
        erased_at: timeline::rfc3339(&confirmed.erased_at),
        first_time: response.created,
        submissions: confirmed.deleted.submissions,
        awards: confirmed.deleted.awards,
        files: confirmed.deleted.blobs,
        bytes: confirmed.deleted.blob_bytes,
    })
}

/// Saves the awarding body's signed confirmation of the erasure (JSON) where the save dialog
/// said; answers the path written.
pub fn save_erasure_confirmation(state: &AppState, path: String) -> CmdResult<String> {
    let Some(proof) = state
        .erasure_proof()
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .clone()
    else {
        return Err(CommandError::new(
            ErrorCode::NotFound,
            "There is no confirmation from the awarding body to save: it is kept only until Waymark closes after an erasure.",
        ));
    };
    let mut path = PathBuf::from(path);
    if path.extension().is_none() {
        path.set_extension("json");
    }
    waymark_documents::write_atomically(&path, proof.as_bytes())?;
    Ok(path.display().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use waymark_core::privacy::ERASE_CONFIRMATION;

    #[test]
    fn erasing_needs_the_phrase_and_leaves_a_new_folder_for_the_first_run() {
        let (_dir, state) = crate::tests::registered("Ysgol Gynradd Llanfair");
        let refused = erase_data(&state, "erase".into(), true).expect_err("not the phrase");
        assert_eq!(refused.field.as_deref(), Some("confirmation"));
        assert!(
            crate::commands::current_status(&state)
                .expect("still open")
                .is_some(),
            "nothing was erased"
        );

        assert!(set_network_restricted(&state, true).expect("paused"));
        assert_eq!(
            state.submissions().delivery().state,
            crate::submissions::views::DeliveryState::Paused,
            "the indicator says paused at once"
        );
        assert!(
            privacy_overview(&state)
                .expect("overview")
                .network_restricted
        );
        assert!(!set_network_restricted(&state, false).expect("resumed"));
        assert_eq!(
            state.submissions().delivery().state,
            crate::submissions::views::DeliveryState::Idle
        );

        // Not enrolled: asking the awarding body too asks no one.
        let erased = erase_data(&state, format!(" {ERASE_CONFIRMATION} "), true).expect("erased");
        assert!(erased.awarding_body.is_none());
        assert!(erased.report.files > 0 && erased.report.left.is_empty());
        assert!(
            crate::commands::current_status(&state)
                .expect("a new folder")
                .is_none()
        );
        assert!(
            crate::submissions::overview(&state).is_ok(),
            "the engine has its connection again"
        );
        let err = save_erasure_confirmation(&state, "/tmp/x.json".into()).expect_err("none kept");
        assert_eq!(err.code.as_str(), "not_found");
    }
}
