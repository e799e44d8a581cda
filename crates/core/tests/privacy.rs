//! The data-protection rights through the core's one door: an export imports into a new
//! folder with every table equal, a damaged or foreign archive is refused with nothing
//! written, erasure leaves no file of Waymark's behind, and the switches hold.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::path::{Path, PathBuf};
use std::sync::Arc;

use waymark_core::evidence::EvidenceLink;
use waymark_core::privacy::{ERASE_CONFIRMATION, ExportManifest, HeldKind};
use waymark_core::store::{ContributorInput, InstitutionInput, NewAction};
use waymark_core::{EphemeralKeys, Error, ErrorCode, KeyStore, ResponseUpdate, Workspace};

/// Keys that live in this process, shared by every open of a test's folders.
fn keys() -> Arc<dyn KeyStore> {
    EphemeralKeys::new()
}

fn answer(level: u8, text: &str) -> ResponseUpdate {
    ResponseUpdate {
        level: Some(Some(level)),
        commentary: Some(text.into()),
        base_revision: None,
    }
}

/// A review with history, an action, a working group, a frozen evidence file and a removed
/// member: something in most tables.
fn busy_folder(root: &Path, keys: &Arc<dyn KeyStore>) -> (PathBuf, Workspace) {
    let data = root.join("data");
    let mut ws = Workspace::open_with_keys(&data, keys.clone()).expect("open");
    let school = InstitutionInput {
        name: "Ysgol Llanfair ŵŷ".into(),
        email: Some("head@llanfair.sch.uk".into()),
        ..InstitutionInput::default()
    };
    let review = ws
        .register("computing-quality", None, &school, "Head")
        .expect("register");
    ws.set_response(&review, "1.1", answer(2, "First draft."), "Head")
        .expect("save");
    ws.set_response(&review, "1.1", answer(3, "Agreed with governors."), "Head")
        .expect("save");
    ws.add_action(
        &review,
        &NewAction {
            text: "Write the e-safety policy".into(),
            owner: Some("Deputy".into()),
            due_date: None,
            benchmarks: vec!["1.1".into()],
        },
        "Head",
    )
    .expect("action");
    ws.add_contributor(&ContributorInput {
        name: "Siân".into(),
        role: Some("Computing lead".into()),
        email: None,
    })
    .expect("member");
    let gone = ws
        .add_contributor(&ContributorInput {
            name: "Left last year".into(),
            role: None,
            email: None,
        })
        .expect("member");
    ws.remove_contributor(&gone.id).expect("erase member");
    let files = root.join("school");
    std::fs::create_dir_all(&files).expect("mkdir");
    let photo = files.join("class photo.jpg");
    std::fs::write(&photo, b"\xff\xd8 pupils at the code club").expect("photo");
    ws.add_evidence(
        &review,
        &[photo],
        &[EvidenceLink {
            benchmark_id: "1.1".into(),
            requirement_id: None,
        }],
        "Head",
    )
    .expect("evidence");
    ws.freeze(&review).expect("freeze");
    (data, ws)
}

fn manifest_of(archive: &Path) -> ExportManifest {
    let mut tar = tar::Archive::new(std::fs::File::open(archive).expect("archive"));
    let mut entry = tar
        .entries()
        .expect("entries")
        .next()
        .expect("first")
        .expect("entry");
    serde_json::from_reader(&mut entry).expect("export.json")
}

#[test]
fn an_export_imports_into_a_new_folder_with_every_table_equal() {
    let root = tempfile::tempdir().expect("dir");
    let keys = keys();
    let (_, mut ws) = busy_folder(root.path(), &keys);
    let first = root.path().join("school export.tar");
    let report = ws.export(&first, true).expect("export");
    assert_eq!(report.files, 1, "the one frozen copy");
    assert!(report.rows > 10);

    let (mut imported, done) =
        Workspace::import_with_keys(&root.path().join("restored"), &first, keys.clone())
            .expect("import");
    assert_eq!((done.files, done.rows), (1, report.rows));
    // Every table, every row, the same (the import's own export is compared, so nothing is
    // judged by what the import says it did).
    let second = root.path().join("again.tar");
    imported.export(&second, true).expect("export again");
    let (a, b) = (manifest_of(&first), manifest_of(&second));
    assert_eq!(a.tables.len(), b.tables.len());
    for (ta, tb) in a.tables.iter().zip(&b.tables) {
        assert_eq!(ta, tb, "table {}", ta.name);
    }
    let names: Vec<&str> = a.tables.iter().map(|t| t.name.as_str()).collect();
    for table in [
        "response_history",
        "erasures",
        "vault_blobs",
        "evidence_items",
    ] {
        assert!(names.contains(&table), "{table} exported: {names:?}");
    }
    // The frozen evidence reads back byte for byte.
    let review = imported.current_review(None).expect("review");
    let status = imported.status(&review).expect("status");
    assert_eq!(status.institution.name, "Ysgol Llanfair ŵŷ");
    let item = &imported.evidence(&review).expect("evidence")[0];
    let hash = item.frozen_hash.clone().expect("frozen");
    let mut copy = Vec::new();
    std::io::Read::read_to_end(&mut imported.open_frozen(&hash).expect("open"), &mut copy)
        .expect("read");
    assert_eq!(copy, b"\xff\xd8 pupils at the code club");
    assert_eq!(imported.history(&review, "1.1").expect("history").len(), 2);
}

#[test]
fn an_import_never_overwrites_and_a_bad_archive_writes_nothing() {
    let root = tempfile::tempdir().expect("dir");
    let keys = keys();
    let (data, mut ws) = busy_folder(root.path(), &keys);
    let archive = root.path().join("export.tar");
    ws.export(&archive, false).expect("export");
    drop(ws);
    let refused = Workspace::import_with_keys(&data, &archive, keys.clone())
        .map(|_| ())
        .unwrap_err();
    assert_eq!(refused.code(), ErrorCode::ImportTargetInUse, "{refused}");

    // Not an export; a truncated one; a newer format: each refused, no database made.
    let foreign = root.path().join("notes.tar");
    std::fs::write(&foreign, b"just some text, not a tar file at all").expect("write");
    let bytes = std::fs::read(&archive).expect("read");
    let truncated = root.path().join("cut.tar");
    std::fs::write(&truncated, &bytes[..bytes.len() / 3]).expect("write");
    for (n, bad) in [foreign, truncated].iter().enumerate() {
        let target = root.path().join(format!("new{n}"));
        let e = Workspace::import_with_keys(&target, bad, keys.clone())
            .map(|_| ())
            .unwrap_err();
        assert!(matches!(e, Error::ImportInvalid { .. }), "{e}");
        assert!(e.to_string().contains("Nothing was written"), "{e}");
        assert!(!target.join("waymark.sqlite3").exists());
    }
}

#[test]
fn erasure_leaves_no_file_of_waymarks_and_keeps_what_is_not_its_own() {
    let root = tempfile::tempdir().expect("dir");
    let keys = keys();
    let (data, mut ws) = busy_folder(root.path(), &keys);
    let archive = root.path().join("export.tar");
    ws.export(&archive, true).expect("export");
    std::fs::write(data.join("my notes.txt"), "mine").expect("a file of the user's");

    let plan = ws.erasure_plan().expect("plan");
    assert_eq!(plan.confirmation, ERASE_CONFIRMATION);
    assert!(plan.exports.iter().any(|e| e.ends_with("export.tar")));
    assert!(plan.paths.iter().any(|p| p.ends_with("waymark.sqlite3")));
    let ws = match ws.erase("yes") {
        Err(e) => {
            assert_eq!(e.code(), ErrorCode::InvalidInput);
            Workspace::open_with_keys(&data, keys.clone()).expect("still there")
        }
        Ok(_) => panic!("erased without the typed confirmation"),
    };
    let report = ws.erase(ERASE_CONFIRMATION).expect("erase");
    assert!(report.files >= 3, "{report:?}");
    assert!(!archive.exists(), "the export went too");
    let left: Vec<_> = std::fs::read_dir(&data)
        .expect("folder kept for the user's file")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert_eq!(left, ["my notes.txt"]);
    assert_eq!(report.left.len(), 1);
}

#[test]
fn the_overview_counts_what_is_held_and_the_switches_hold() {
    let root = tempfile::tempdir().expect("dir");
    let keys = keys();
    let (data, mut ws) = busy_folder(root.path(), &keys);
    let o = ws.privacy_overview().expect("overview");
    let count = |kind| o.held.iter().find(|h| h.kind == kind).expect("kind").count;
    assert_eq!(count(HeldKind::HistoryEntries), 2);
    assert_eq!(count(HeldKind::WorkingGroup), 1);
    assert_eq!(
        count(HeldKind::Erasures),
        1,
        "the removed member is recorded"
    );
    assert_eq!(count(HeldKind::FrozenCopies), 1);
    assert_eq!(o.vault.files, 1);
    assert_eq!(o.erasures[0].kind, "working_group_member");
    assert!(o.enrolled_with.is_none() && o.sent.is_empty());
    assert!(!o.network_restricted && !o.correction_due);
    assert_eq!(o.tracked_folders.len(), 1);

    ws.set_network_restricted(true).expect("pause");
    drop(ws);
    let mut ws = Workspace::open_with_keys(&data, keys.clone()).expect("reopen");
    assert!(
        ws.network_restricted().expect("read"),
        "kept across restarts"
    );
    ws.set_network_restricted(false).expect("resume");
    assert!(!ws.network_restricted().expect("read"));
    // Not enrolled: a correction is owed to no one.
    let member = ws.contributors().expect("group")[0].clone();
    ws.update_contributor(
        &member.id,
        &ContributorInput {
            name: "Siân Jones".into(),
            role: member.role.clone(),
            email: Some("sian@llanfair.sch.uk".into()),
        },
    )
    .expect("correct");
    assert_eq!(ws.contributors().expect("group")[0].name, "Siân Jones");
    assert!(ws.profile_correction_due().expect("due").is_none());
    let bad = ws.update_contributor(
        &member.id,
        &ContributorInput {
            name: " ".into(),
            role: None,
            email: None,
        },
    );
    assert_eq!(bad.unwrap_err().code(), ErrorCode::InvalidInput);
}
