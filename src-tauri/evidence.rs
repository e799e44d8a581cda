//! Evidence commands as plain functions. Quick ones run on the UI's workspace; long ones
//! (adding, rescanning, accepting, freezing: they hash files) run as [`Jobs`] on their own
//! connection, report progress through a callback and can be cancelled.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use ts_rs::TS;
use waymark_core::evidence::{EvidenceItem, EvidenceLink};
use waymark_core::workspace::{
    AddReport, EvidenceLibrary, FreezeReport, RescanReport, WorkProgress,
};
use waymark_core::{Error, ErrorCode};

use crate::commands::CmdResult;
use crate::error::CommandError;
use crate::jobs::Jobs;
use crate::state::AppState;

/// Called with progress; returns `false` to stop (the job is then cancelled).
pub type Progress<'a> = &'a mut dyn FnMut(&WorkProgress) -> bool;

/// A benchmark (and optionally one of its evidence requirements) an item serves.
#[derive(Debug, Clone, Deserialize, TS)]
pub struct LinkInput {
    /// The benchmark.
    pub benchmark_id: String,
    /// The evidence requirement, when the item satisfies one.
    pub requirement_id: Option<String>,
}

impl From<LinkInput> for EvidenceLink {
    fn from(l: LinkInput) -> Self {
        EvidenceLink {
            benchmark_id: l.benchmark_id,
            requirement_id: l.requirement_id,
        }
    }
}

/// Files and folders to add, from the OS dialog or dropped on the window.
#[derive(Debug, Clone, Deserialize, TS)]
pub struct AddEvidenceInput {
    /// Absolute paths of files or folders (a folder adds every file under it).
    pub paths: Vec<String>,
    /// What every added item serves; may be empty (link later).
    pub links: Vec<LinkInput>,
    /// Who is adding (recorded).
    pub by: String,
}

/// An item's title, note and personal-data flag.
#[derive(Debug, Clone, Deserialize, TS)]
pub struct DescribeEvidenceInput {
    /// The item.
    pub id: String,
    /// Title shown in lists and reports.
    pub title: String,
    /// A note for assessors.
    pub note: Option<String>,
    /// Whether it shows pupils' personal data (asked about again before a submission).
    pub personal_data: bool,
}

/// The evidence screen's data in one call: the core's library and the watch's problems.
#[derive(Debug, Clone, Serialize, TS)]
pub struct EvidenceScreen {
    /// The items and watched folders.
    pub library: EvidenceLibrary,
    /// Folders that could not be watched (checking by hand still works), each with its code.
    pub watch_problems: Vec<CommandError>,
}

/// Every evidence item of the current review and the watched folders.
pub fn list_evidence(state: &AppState) -> CmdResult<EvidenceScreen> {
    state.with(|ws| {
        let review = ws.current_review(None)?;
        Ok(EvidenceScreen {
            library: ws.evidence_library(&review)?,
            watch_problems: state.watch().problems(),
        })
    })
}

/// Adds files and folders, hashing each; cancellable, and nothing is saved when cancelled.
pub fn add_evidence(
    jobs: &Jobs,
    input: AddEvidenceInput,
    on_progress: Progress<'_>,
) -> CmdResult<AddReport> {
    if input.paths.is_empty() {
        return Err(Error::invalid("paths", "Choose at least one file or folder to add.").into());
    }
    let paths: Vec<PathBuf> = input.paths.iter().map(PathBuf::from).collect();
    if let Some(p) = paths.iter().find(|p| !p.is_absolute()) {
        return Err(Error::invalid(
            "paths",
            format!(
                "{} is not a full path; choose the file with “Add files…” instead.",
                p.display()
            ),
        )
        .into());
    }
    let links: Vec<EvidenceLink> = input.links.into_iter().map(Into::into).collect();
    jobs.run(|ws, review, cancelled| {
        Ok(
            ws.add_evidence_with(review, &paths, &links, &input.by, &mut |p| {
                on_progress(p) && !cancelled()
            })?,
        )
    })
}

/// Looks at every item again (size and time first, hashing only what may have changed).
pub fn rescan_evidence(jobs: &Jobs, on_progress: Progress<'_>) -> CmdResult<RescanReport> {
    jobs.run(|ws, review, cancelled| {
        Ok(ws.rescan_with(review, &mut |p| on_progress(p) && !cancelled())?)
    })
}

/// Copies every present item's accepted content into the vault.
pub fn freeze_evidence(jobs: &Jobs) -> CmdResult<FreezeReport> {
    jobs.run(|ws, review, _| Ok(ws.freeze(review)?))
}

/// Records a modified item's current content as the version of record (the old hash stays in
/// its history).
pub fn accept_evidence(jobs: &Jobs, id: String, by: String) -> CmdResult<EvidenceItem> {
    jobs.run(|ws, review, _| Ok(ws.accept_evidence(review, &id, &by)?))
}

/// Links an item to another benchmark or requirement.
pub fn link_evidence(state: &AppState, id: String, link: LinkInput) -> CmdResult<EvidenceItem> {
    state.with(|ws| {
        let review = ws.current_review(None)?;
        ws.link_evidence(&review, &id, &[link.into()])?;
        Ok(ws.evidence_item(&review, &id)?)
    })
}

/// Removes one link of an item (the item stays in the library).
pub fn unlink_evidence(state: &AppState, id: String, link: LinkInput) -> CmdResult<EvidenceItem> {
    state.with(|ws| {
        let review = ws.current_review(None)?;
        ws.unlink_evidence(
            &review,
            &id,
            &link.benchmark_id,
            link.requirement_id.as_deref(),
        )?;
        Ok(ws.evidence_item(&review, &id)?)
    })
}

/// Sets an item's title, note and personal-data flag.
pub fn describe_evidence(
    state: &AppState,
    input: DescribeEvidenceInput,
) -> CmdResult<EvidenceItem> {
    state.with(|ws| {
        let review = ws.current_review(None)?;
        let note = input
            .note
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty());
        ws.describe_evidence(&review, &input.id, &input.title, note, input.personal_data)?;
        Ok(ws.evidence_item(&review, &input.id)?)
    })
}

/// Stops tracking an item. The file on disk is not touched.
pub fn remove_evidence(state: &AppState, id: String) -> CmdResult<()> {
    state.with(|ws| {
        let review = ws.current_review(None)?;
        Ok(ws.remove_evidence(&review, &id)?)
    })?;
    state.watch().folders_changed();
    Ok(())
}

/// Opens an item with the program the OS uses for its type. Programs and scripts are not
/// run: evidence is a document, and opening one should never execute code.
pub fn open_evidence(state: &AppState, id: String) -> CmdResult<()> {
    let path = evidence_path(state, &id)?;
    if runs_code(&path) {
        return Err(CommandError::new(
            ErrorCode::InvalidInput,
            format!(
                "{} is a program or script, so Waymark will not open it. Use “Show in folder” to see it.",
                path.display()
            ),
        ));
    }
    tauri_plugin_opener::open_path(&path, None::<&str>)
        .map_err(|e| os_failure("open", &path, &e.to_string()))
}

/// Shows the item's file selected in the OS file manager.
pub fn reveal_evidence(state: &AppState, id: String) -> CmdResult<()> {
    let path = evidence_path(state, &id)?;
    tauri_plugin_opener::reveal_item_in_dir(&path)
        .map_err(|e| os_failure("show", &path, &e.to_string()))
}

/// Asks the running evidence job to stop.
pub fn cancel_evidence_work(state: &AppState) {
    state.jobs().cancel();
}

/// The item's exact path on disk, checked to be there.
fn evidence_path(state: &AppState, id: &str) -> CmdResult<PathBuf> {
    let path = state.with(|ws| {
        let review = ws.current_review(None)?;
        Ok(ws.evidence_path(&review, id)?)
    })?;
    if !path.exists() {
        return Err(CommandError::new(
            ErrorCode::NotFound,
            format!(
                "{} is no longer there. Choose “Check files now” to look for it, or remove the item.",
                path.display()
            ),
        ));
    }
    Ok(path)
}

/// Whether opening the file would run it rather than show it.
pub(crate) fn runs_code(path: &Path) -> bool {
    const PROGRAMS: &[&str] = &[
        "exe", "com", "bat", "cmd", "msi", "scr", "pif", "ps1", "vbs", "vbe", "js", "jse", "wsf",
        "wsh", "hta", "cpl", "lnk", "jar", "sh", "bash", "command", "app", "run", "desktop",
        "appimage", "py", "pl", "rb",
    ];
    if path.is_dir() {
        return false;
    }
    let by_extension = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| PROGRAMS.contains(&e.to_ascii_lowercase().as_str()));
    by_extension || is_executable(path)
}

#[cfg(unix)]
fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn is_executable(_: &Path) -> bool {
    false
}

/// The OS could not open or show a file: say so, and how to get at it anyway.
pub(crate) fn os_failure(what: &str, path: &Path, why: &str) -> CommandError {
    CommandError::new(
        ErrorCode::OpenFailed,
        format!(
            "The system could not {what} {} ({why}). Open it from your file manager instead.",
            path.display()
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use waymark_core::evidence::EvidenceStatus;

    fn registered() -> (tempfile::TempDir, AppState) {
        crate::tests::registered("Ysgol Gynradd Llanfair")
    }

    fn add(state: &AppState, paths: &[&Path], on: Progress<'_>) -> CmdResult<AddReport> {
        let input = AddEvidenceInput {
            paths: paths.iter().map(|p| p.display().to_string()).collect(),
            links: vec![LinkInput {
                benchmark_id: "1.1".into(),
                requirement_id: None,
            }],
            by: "Head".into(),
        };
        add_evidence(&state.jobs(), input, on)
    }

    #[test]
    fn evidence_added_by_a_job_is_seen_described_linked_and_removed_by_the_ui() {
        let (dir, state) = registered();
        let files = dir.path().join("files");
        std::fs::create_dir_all(files.join("photos")).expect("mkdir");
        std::fs::write(files.join("policy.pdf"), b"%PDF policy").expect("write");
        std::fs::write(files.join("photos/trip.jpg"), b"jpeg").expect("write");

        let mut seen = Vec::new();
        let report = add(&state, &[&files], &mut |p| {
            seen.push(*p);
            true
        })
        .expect("add");
        assert_eq!(report.added.len(), 2);
        assert_eq!(
            seen.last().map(|p| p.files_total),
            Some(2),
            "progress reported"
        );

        let library = list_evidence(&state).expect("list");
        assert_eq!(library.library.items.len(), 2);
        assert!(
            library.library.folders.iter().any(|f| f.ends_with("files")),
            "{:?}",
            library.library.folders
        );
        let trip = library
            .library
            .items
            .iter()
            .find(|i| i.path.ends_with("trip.jpg"))
            .expect("trip")
            .clone();

        let described = describe_evidence(
            &state,
            DescribeEvidenceInput {
                id: trip.id.clone(),
                title: "School trip".into(),
                note: Some("  ".into()),
                personal_data: true,
            },
        )
        .expect("describe");
        assert!(described.personal_data);
        assert_eq!(described.note, None, "a blank note is no note");
        let blank = DescribeEvidenceInput {
            id: trip.id.clone(),
            title: " ".into(),
            note: None,
            personal_data: true,
        };
        assert_eq!(
            describe_evidence(&state, blank)
                .expect_err("blank")
                .field
                .as_deref(),
            Some("title")
        );

        let link = |b: &str| LinkInput {
            benchmark_id: b.into(),
            requirement_id: None,
        };
        let linked = link_evidence(&state, trip.id.clone(), link("1.2")).expect("link");
        assert_eq!(linked.links.len(), 2);
        let unlinked = unlink_evidence(&state, trip.id.clone(), link("1.1")).expect("unlink");
        assert_eq!(unlinked.links.len(), 1);
        assert_eq!(
            link_evidence(&state, trip.id.clone(), link("9.9"))
                .expect_err("no such")
                .code
                .as_str(),
            "not_found"
        );

        // A job sees the change on disk; the UI's workspace reads what it recorded.
        std::fs::remove_file(files.join("policy.pdf")).expect("rm");
        let rescan = rescan_evidence(&state.jobs(), &mut |_| true).expect("rescan");
        assert_eq!((rescan.missing, rescan.ok), (1, 1));
        let statuses: Vec<EvidenceStatus> = list_evidence(&state)
            .expect("list")
            .library
            .items
            .iter()
            .map(|i| i.status)
            .collect();
        assert!(statuses.contains(&EvidenceStatus::Missing));

        remove_evidence(&state, trip.id.clone()).expect("remove");
        assert_eq!(list_evidence(&state).expect("list").library.items.len(), 1);
        assert!(
            files.join("photos/trip.jpg").exists(),
            "removing never deletes the file"
        );
        assert_eq!(
            open_evidence(&state, trip.id)
                .expect_err("removed")
                .code
                .as_str(),
            "not_found"
        );
    }

    #[test]
    fn a_cancelled_add_saves_nothing_and_bad_paths_are_refused_before_any_work() {
        let (dir, state) = registered();
        let file = dir.path().join("policy.pdf");
        std::fs::write(&file, b"%PDF").expect("write");
        let err = add(&state, &[&file], &mut |_| false).expect_err("cancelled");
        assert_eq!(err.code.as_str(), "cancelled");
        state.jobs().cancel();
        let err = add(&state, &[&file], &mut |_| true);
        assert!(
            err.is_ok(),
            "a cancel before a job starts does not stop the next one"
        );
        assert_eq!(list_evidence(&state).expect("list").library.items.len(), 1);

        let relative =
            add(&state, &[Path::new("policy.pdf")], &mut |_| true).expect_err("relative");
        assert_eq!(relative.field.as_deref(), Some("paths"));
        assert_eq!(
            add(&state, &[], &mut |_| true)
                .expect_err("none")
                .field
                .as_deref(),
            Some("paths")
        );
    }

    #[test]
    fn opening_a_program_tracked_as_evidence_is_refused() {
        let (dir, state) = registered();
        let exe = dir.path().join("setup.exe");
        std::fs::write(&exe, b"MZ").expect("write");
        let id = add(&state, &[&exe], &mut |_| true).expect("add").added[0]
            .id
            .clone();
        let err = open_evidence(&state, id).expect_err("refused");
        assert_eq!(err.code.as_str(), "invalid_input");
        assert!(err.message.contains("Show in folder"), "{}", err.message);
    }

    #[test]
    fn programs_and_scripts_are_never_opened() {
        let dir = tempfile::tempdir().expect("tempdir");
        let doc = dir.path().join("Policy.PDF");
        std::fs::write(&doc, b"%PDF").expect("write");
        assert!(!runs_code(&doc));
        for name in [
            "setup.exe",
            "Run.BAT",
            "x.ps1",
            "Shortcut.lnk",
            "tool.AppImage",
        ] {
            let p = dir.path().join(name);
            std::fs::write(&p, b"x").expect("write");
            assert!(runs_code(&p), "{name} would run");
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let script = dir.path().join("notes");
            std::fs::write(&script, b"#!/bin/sh\n").expect("write");
            std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755))
                .expect("chmod");
            assert!(runs_code(&script), "an executable file without extension");
        }
    }
}
