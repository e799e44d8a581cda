//! Evidence that stays in the school's folders: adding, linking, and noticing change.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use waymark_core::evidence::{
    EvidenceItem, EvidenceLink, EvidenceStatus, ReadProblem, StatusDetail,
};
use waymark_core::store::{InstitutionInput, Review};
use waymark_core::workspace::SkipReason;
use waymark_core::{Error, Hint, Workspace};

/// The in-memory key store every test of this file shares (a reopened folder finds its key).
fn keys() -> std::sync::Arc<dyn waymark_core::KeyStore> {
    static KEYS: std::sync::OnceLock<std::sync::Arc<waymark_core::EphemeralKeys>> =
        std::sync::OnceLock::new();
    KEYS.get_or_init(waymark_core::EphemeralKeys::new).clone()
}

fn setup() -> (tempfile::TempDir, Workspace, Review, PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut ws = Workspace::open_with_keys(&dir.path().join("data"), keys()).expect("open");
    let school = InstitutionInput {
        name: "Evidence Primary".into(),
        ..InstitutionInput::default()
    };
    let review = ws
        .register("computing-quality", None, &school, "Head")
        .expect("register");
    let files = dir.path().join("school");
    std::fs::create_dir_all(files.join("policies")).expect("mkdir");
    (dir, ws, review, files)
}

fn link(benchmark: &str, requirement: Option<&str>) -> EvidenceLink {
    EvidenceLink {
        benchmark_id: benchmark.into(),
        requirement_id: requirement.map(str::to_owned),
    }
}

/// Puts a file's modified time well in the past, as for a file written long before the scan.
fn age(path: &Path) {
    let file = std::fs::File::options()
        .write(true)
        .open(path)
        .expect("open");
    file.set_modified(SystemTime::now() - Duration::from_secs(3600))
        .expect("set mtime");
}

fn item_titled(ws: &Workspace, review: &Review, title: &str) -> EvidenceItem {
    ws.evidence(review)
        .expect("list")
        .into_iter()
        .find(|i| i.title == title)
        .expect("item")
}

fn status_of(ws: &Workspace, review: &Review, title: &str) -> EvidenceStatus {
    item_titled(ws, review, title).status
}

/// Watches the review's watched folders as the app does, handing each batch to the receiver.
fn watch(
    ws: &Workspace,
    review: &Review,
) -> (
    waymark_core::evidence::FolderWatcher,
    std::sync::mpsc::Receiver<waymark_core::evidence::ChangeBatch>,
) {
    let (tx, rx) = std::sync::mpsc::channel();
    let watcher = waymark_core::evidence::FolderWatcher::start(
        &ws.watched_folders(review).expect("folders"),
        Duration::from_millis(200),
        move |batch| {
            let _ = tx.send(batch);
        },
    )
    .expect("watch");
    (watcher, rx)
}

#[test]
fn linked_evidence_counts_towards_required_evidence_while_the_file_is_there() {
    let (_dir, mut ws, review, files) = setup();
    let policy = files.join("policies/computing-policy.pdf");
    std::fs::write(&policy, b"%PDF-1.7 policy").expect("write");
    let before = ws.progress(&review).expect("progress").evidence;
    let report = ws
        .add_evidence(
            &review,
            std::slice::from_ref(&policy),
            &[link("1.1", Some("1.1-plan"))],
            "Head",
        )
        .expect("add");
    assert_eq!(report.added.len(), 1);
    let item = &report.added[0];
    assert_eq!(item.media_type, "application/pdf");
    assert_eq!(
        item.hash,
        blake3::hash(b"%PDF-1.7 policy").to_hex().to_string()
    );
    let after = ws.progress(&review).expect("progress").evidence;
    assert_eq!(after.done, before.done + 1);

    std::fs::remove_file(&policy).expect("delete");
    ws.rescan(&review).expect("rescan");
    assert_eq!(
        status_of(&ws, &review, "computing-policy.pdf"),
        EvidenceStatus::Missing
    );
    assert_eq!(
        ws.progress(&review).expect("progress").evidence.done,
        before.done,
        "missing files do not count"
    );
}

#[test]
fn links_are_checked_against_the_framework() {
    let (_dir, mut ws, review, files) = setup();
    let f = files.join("a.txt");
    std::fs::write(&f, "a").expect("write");
    let err = ws
        .add_evidence(
            &review,
            std::slice::from_ref(&f),
            &[link("9.9", None)],
            "Head",
        )
        .expect_err("unknown benchmark");
    assert_eq!(err.code().as_str(), "not_found");
    let err = ws
        .add_evidence(
            &review,
            std::slice::from_ref(&f),
            &[link("1.1", Some("nope"))],
            "Head",
        )
        .expect_err("unknown requirement");
    assert!(
        matches!(&err, Error::NotFound { hint: Hint::Available { ids }, .. } if ids == &["1.1-vision", "1.1-plan"]),
        "the hint lists what 1.1 asks for: {err}"
    );
    let err = ws
        .add_evidence(&review, &[f], &[link("1.2", Some("1.1-plan"))], "Head")
        .expect_err("wrong benchmark");
    assert!(
        err.to_string().contains("belongs to benchmark 1.1"),
        "{err}"
    );
    assert!(
        ws.evidence(&review).expect("list").is_empty(),
        "nothing half-added"
    );
}

#[test]
fn a_folder_is_added_whole_and_bad_paths_are_skipped_with_reasons() {
    let (_dir, mut ws, review, files) = setup();
    for name in ["a.txt", "b.jpg", "policies/c.docx"] {
        std::fs::write(files.join(name), name).expect("write");
    }
    let report = ws
        .add_evidence(
            &review,
            &[files.clone(), files.join("no-such-file.pdf")],
            &[link("2.1", None)],
            "Head",
        )
        .expect("add");
    let titles: Vec<&str> = report.added.iter().map(|i| i.title.as_str()).collect();
    assert_eq!(titles.len(), 3, "{titles:?}");
    assert_eq!(report.skipped.len(), 1);
    assert!(
        report.skipped[0].reason
            == SkipReason::CannotRead {
                problem: ReadProblem::NotFound
            },
        "{:?}",
        report.skipped
    );
    // Adding the same folder again adds nothing new.
    let again = ws
        .add_evidence(&review, &[files], &[link("2.2", None)], "Head")
        .expect("add again");
    assert_eq!(ws.evidence(&review).expect("list").len(), 3);
    assert!(
        again.added.iter().all(|i| i.links.len() == 2),
        "the new link is added to the existing items"
    );
}

#[test]
fn a_rescan_hashes_only_what_may_have_changed_and_catches_edits() {
    let (_dir, mut ws, review, files) = setup();
    let names: Vec<PathBuf> = (0..5).map(|i| files.join(format!("f{i}.txt"))).collect();
    for p in &names {
        std::fs::write(p, "original").expect("write");
        age(p);
    }
    ws.add_evidence(&review, &names, &[link("1.1", None)], "Head")
        .expect("add");
    let quiet = ws.rescan(&review).expect("rescan");
    assert_eq!(
        (quiet.checked, quiet.hashed, quiet.ok),
        (5, 0, 5),
        "nothing changed: judged by size and time alone"
    );

    std::fs::write(&names[2], "edited by a colleague").expect("edit");
    let report = ws.rescan(&review).expect("rescan");
    assert_eq!((report.hashed, report.modified, report.ok), (1, 1, 4));
    assert_eq!(status_of(&ws, &review, "f2.txt"), EvidenceStatus::Modified);

    let id = ws
        .evidence(&review)
        .expect("list")
        .into_iter()
        .find(|i| i.title == "f2.txt")
        .expect("item")
        .id;
    let accepted = ws.accept_evidence(&review, &id, "Head").expect("accept");
    assert_eq!(accepted.status, EvidenceStatus::Ok);
    assert_eq!(
        accepted.hash,
        blake3::hash(b"edited by a colleague").to_hex().to_string()
    );
    let versions = ws.evidence_versions(&review, &id).expect("versions");
    assert_eq!(versions.len(), 2, "the old hash is kept in history");
    assert_eq!(versions[0], blake3::hash(b"original").to_hex().to_string());
}

#[test]
fn a_moved_file_is_found_by_its_content_and_relinked() {
    let (_dir, mut ws, review, files) = setup();
    let old = files.join("policies/esafety.pdf");
    let other = files.join("unrelated.pdf");
    std::fs::write(&old, "online safety policy").expect("write");
    std::fs::write(&other, "a different file").expect("write");
    // Old files: later rescans judge the unchanged one (listed first) by size and time alone
    // and skip it, so the missing one's place in the scan differs from its place in the list.
    age(&old);
    age(&other);
    ws.add_evidence(&review, &[other, old.clone()], &[link("2.3", None)], "Head")
        .expect("add");
    std::fs::create_dir_all(files.join("archive/2026")).expect("mkdir");
    let new = files.join("archive/2026/e-safety policy.pdf");
    std::fs::rename(&old, &new).expect("move");
    let report = ws.rescan(&review).expect("rescan");
    assert_eq!((report.moved, report.missing), (1, 0));
    let item = ws
        .evidence(&review)
        .expect("list")
        .into_iter()
        .find(|i| i.title == "esafety.pdf")
        .expect("item");
    assert_eq!(item.status, EvidenceStatus::Moved);
    assert_eq!(item.path, new.to_string_lossy());
    assert!(
        matches!(item.status_detail, Some(StatusDetail::MovedFrom { .. })),
        "{:?}",
        item.status_detail
    );
    // The next scan finds it where it now is.
    assert_eq!(ws.rescan(&review).expect("rescan").missing, 0);
}

#[cfg(unix)]
#[test]
fn odd_names_and_symlink_loops_do_not_stop_a_scan() {
    use std::os::unix::ffi::OsStrExt;
    let (_dir, mut ws, review, files) = setup();
    std::os::unix::fs::symlink(&files, files.join("policies/loop")).expect("symlink");
    let odd = files.join(std::ffi::OsStr::from_bytes(b"caf\xe9 menu.txt"));
    std::fs::write(&odd, "menu").expect("write");
    let report = ws
        .add_evidence(
            &review,
            std::slice::from_ref(&files),
            &[link("6.1", None)],
            "Head",
        )
        .expect("add");
    assert_eq!(report.added.len(), 1);
    assert!(report.added[0].path.contains("caf\u{fffd} menu.txt"));
    let scan = ws.rescan(&review).expect("rescan");
    assert_eq!(scan.ok, 1, "the exact (non-UTF-8) path is found again");
}

#[test]
fn freezing_keeps_exactly_what_was_reviewed_and_stores_identical_files_once() {
    let (_dir, mut ws, review, files) = setup();
    let a = files.join("scheme-of-work.docx");
    let b = files.join("copy of scheme-of-work.docx");
    let c = files.join("photo.jpg");
    std::fs::write(&a, "scheme v1").expect("write");
    std::fs::write(&b, "scheme v1").expect("write");
    std::fs::write(&c, "jpeg bytes").expect("write");
    ws.add_evidence(
        &review,
        &[a.clone(), b, c.clone()],
        &[link("2.1", None)],
        "Head",
    )
    .expect("add");
    std::fs::remove_file(&c).expect("delete");
    ws.rescan(&review).expect("rescan");

    let report = ws.freeze(&review).expect("freeze");
    assert_eq!(
        (report.frozen, report.copied, report.bytes_copied),
        (2, 1, 9),
        "two items, one blob"
    );
    assert_eq!(report.skipped.len(), 1);
    assert!(
        report.skipped[0].reason == SkipReason::Missing,
        "{:?}",
        report.skipped
    );

    // The school's copy changes afterwards: the vault still holds what was reviewed.
    std::fs::write(&a, "scheme v2, rewritten").expect("edit");
    let item = ws
        .evidence(&review)
        .expect("list")
        .into_iter()
        .find(|i| i.title == "scheme-of-work.docx")
        .expect("item");
    let frozen = item.frozen_hash.expect("frozen");
    let mut blob = Vec::new();
    std::io::Read::read_to_end(&mut ws.open_frozen(&frozen).expect("blob"), &mut blob)
        .expect("read");
    assert_eq!(blob, b"scheme v1");
    // On disk it is neither named by its hash nor readable.
    let on_disk = ws.frozen_path(&frozen);
    assert!(!on_disk.to_string_lossy().contains(&frozen));
    let raw = std::fs::read(&on_disk).expect("raw");
    assert!(!raw.windows(9).any(|w| w == b"scheme v1"));

    // A file changed after it was added (no rescan since): refused rather than freezing
    // content nobody reviewed.
    let d = files.join("minutes.txt");
    std::fs::write(&d, "minutes as reviewed").expect("write");
    ws.add_evidence(
        &review,
        std::slice::from_ref(&d),
        &[link("1.3", None)],
        "Head",
    )
    .expect("add");
    std::fs::write(&d, "minutes edited later").expect("edit");
    let again = ws.freeze(&review).expect("freeze");
    assert!(
        again
            .skipped
            .iter()
            .any(|s| s.path.ends_with("minutes.txt") && s.reason == SkipReason::ChangedSinceScan),
        "{:?}",
        again.skipped
    );
}

#[test]
fn freezing_reports_progress_by_file_and_bytes_and_a_cancel_records_nothing() {
    let (_dir, mut ws, review, files) = setup();
    let paths: Vec<PathBuf> = (0..3).map(|i| files.join(format!("f{i}.txt"))).collect();
    for (i, p) in paths.iter().enumerate() {
        std::fs::write(p, "x".repeat(10 * (i + 1))).expect("write");
    }
    ws.add_evidence(&review, &paths, &[link("2.1", None)], "Head")
        .expect("add");

    // Cancelled after the first file: no item is recorded as frozen.
    let mut calls = 0;
    let cancelled = ws.freeze_with_progress(&review, &mut |_| {
        calls += 1;
        calls < 2
    });
    assert!(
        matches!(cancelled, Err(waymark_core::Error::Cancelled)),
        "{cancelled:?}"
    );
    assert!(
        ws.evidence(&review)
            .expect("list")
            .iter()
            .all(|i| i.frozen_hash.is_none()),
        "a cancelled freeze records nothing"
    );

    let mut seen = Vec::new();
    let report = ws
        .freeze_with_progress(&review, &mut |p| {
            seen.push(*p);
            true
        })
        .expect("freeze");
    assert_eq!(report.frozen, 3);
    let last = seen.last().expect("reports");
    assert_eq!((last.files_done, last.files_total), (3, 3));
    assert_eq!((last.bytes_done, last.bytes_total), (60, 60));
    assert!(seen.windows(2).all(|w| w[0].bytes_done <= w[1].bytes_done));
}

#[test]
fn long_operations_report_progress_and_a_cancel_saves_nothing() {
    let (_dir, mut ws, review, files) = setup();
    let names: Vec<PathBuf> = (0..4).map(|i| files.join(format!("p{i}.txt"))).collect();
    for (i, p) in names.iter().enumerate() {
        std::fs::write(p, "x".repeat(10 * (i + 1))).expect("write");
    }
    let mut seen = Vec::new();
    let err = ws
        .add_evidence_with(&review, &names, &[link("1.1", None)], "Head", &mut |p| {
            seen.push(*p);
            p.files_done < 2
        })
        .expect_err("cancelled");
    assert_eq!(err.code().as_str(), "cancelled");
    assert_eq!(
        seen.last()
            .map(|p| (p.files_done, p.files_total, p.bytes_done, p.bytes_total)),
        Some((2, 4, 30, 100))
    );
    assert!(
        ws.evidence(&review).expect("list").is_empty(),
        "a cancelled add saves nothing"
    );

    ws.add_evidence(&review, &names, &[link("1.1", None)], "Head")
        .expect("add");
    let mut seen = Vec::new();
    ws.rescan_with(&review, &mut |p| {
        seen.push((p.files_done, p.files_total));
        true
    })
    .expect("rescan");
    // Rescans report once every item is read and after each chunk of files (looked at in
    // parallel, starting while the rest are read).
    assert_eq!(seen, [(0, 4), (4, 4)]);
    std::fs::write(&names[0], "changed").expect("edit");
    let err = ws
        .rescan_with(&review, &mut |p| p.files_done == 0)
        .expect_err("cancelled after the first chunk");
    assert_eq!(err.code().as_str(), "cancelled");
    assert_eq!(
        status_of(&ws, &review, "p0.txt"),
        EvidenceStatus::Ok,
        "a cancelled rescan records nothing"
    );
}

/// Enough files for several chunks on several threads: what each rescan finds is recorded
/// against the right item, whichever chunk or thread looked at it.
#[test]
fn a_rescan_over_many_chunks_records_each_change_against_its_own_item() {
    let (_dir, mut ws, review, files) = setup();
    let names: Vec<PathBuf> = (0..1200)
        .map(|i| files.join(format!("f{}/doc-{i:04}.txt", i % 7)))
        .collect();
    for (i, p) in names.iter().enumerate() {
        std::fs::create_dir_all(p.parent().expect("folder")).expect("mkdir");
        std::fs::write(p, format!("document {i}")).expect("write");
        age(p);
    }
    ws.add_evidence(&review, &names, &[link("1.1", None)], "Head")
        .expect("add");
    for i in [3, 400, 1199] {
        std::fs::write(&names[i], format!("document {i}, edited")).expect("edit");
    }
    std::fs::remove_file(&names[777]).expect("delete");
    let mut chunks = 0;
    let report = ws
        .rescan_with(&review, &mut |_| {
            chunks += 1;
            true
        })
        .expect("rescan");
    assert!(
        chunks > 3,
        "progress after each of several chunks: {chunks}"
    );
    assert_eq!(
        (report.checked, report.ok, report.modified, report.missing),
        (1200, 1196, 3, 1),
        "{report:?}"
    );
    for item in ws.evidence(&review).expect("list") {
        let want = match item.title.as_str() {
            "doc-0003.txt" | "doc-0400.txt" | "doc-1199.txt" => EvidenceStatus::Modified,
            "doc-0777.txt" => EvidenceStatus::Missing,
            _ => EvidenceStatus::Ok,
        };
        assert_eq!(item.status, want, "{}", item.title);
    }
    // Put back: ok again, and a second quiet rescan records nothing new.
    std::fs::write(&names[777], "document 777").expect("restore");
    let report = ws.rescan(&review).expect("rescan");
    assert_eq!((report.missing, report.modified), (0, 3), "{report:?}");
    assert_eq!(status_of(&ws, &review, "doc-0777.txt"), EvidenceStatus::Ok);
}

fn id_of(ws: &Workspace, review: &Review, title: &str) -> String {
    item_titled(ws, review, title).id
}

#[test]
fn an_added_folder_is_watched_and_searched_even_where_no_tracked_file_is() {
    let (_dir, mut ws, review, files) = setup();
    let policies = files.join("policies");
    std::fs::create_dir_all(policies.join("current")).expect("mkdir");
    std::fs::create_dir_all(policies.join("archive")).expect("mkdir");
    let old = policies.join("current/esafety.pdf");
    std::fs::write(&old, "online safety policy").expect("write");
    ws.add_evidence(
        &review,
        std::slice::from_ref(&policies),
        &[link("2.3", None)],
        "Head",
    )
    .expect("add");
    // The added folder covers the folder its file is in.
    assert_eq!(
        ws.watched_folders(&review).expect("folders"),
        std::slice::from_ref(&policies)
    );
    let folders = ws.evidence_folders(&review).expect("folders");
    assert_eq!((folders.len(), folders[0].added_by.as_str()), (1, "Head"));

    // Moved to a subfolder holding no tracked file: found because the added folder is searched.
    let new = policies.join("archive/esafety 2026.pdf");
    std::fs::rename(&old, &new).expect("move");
    let report = ws.rescan(&review).expect("rescan");
    assert_eq!((report.moved, report.missing), (1, 0), "{report:?}");
    let id = id_of(&ws, &review, "esafety.pdf");
    assert_eq!(ws.evidence_path(&review, &id).expect("path"), new);

    // A file added on its own elsewhere: its folder is watched too, and folders inside
    // others are left out.
    let minutes = files.join("minutes.txt");
    std::fs::write(&minutes, "minutes").expect("write");
    ws.add_evidence(&review, &[minutes], &[link("1.3", None)], "Head")
        .expect("add");
    assert_eq!(
        ws.watched_folders(&review).expect("folders"),
        std::slice::from_ref(&files)
    );

    // Forgetting the added folder keeps its items and the folders they are in.
    ws.remove_watched_folder(&review, &policies)
        .expect("remove folder");
    assert!(ws.evidence_folders(&review).expect("folders").is_empty());
    assert_eq!(ws.evidence(&review).expect("list").len(), 2);
    assert_eq!(
        ws.watched_folders(&review).expect("folders"),
        std::slice::from_ref(&files)
    );
    let err = ws
        .remove_watched_folder(&review, &policies)
        .expect_err("already gone");
    assert_eq!(err.code().as_str(), "not_found");
    assert!(
        matches!(&err, Error::NotFound { hint: Hint::Available { ids }, .. } if ids.is_empty()),
        "no folder is left to remove: {err}"
    );
}

#[test]
fn removing_evidence_stops_tracking_but_keeps_the_file_and_the_record() {
    let (_dir, mut ws, review, files) = setup();
    let plan = files.join("plan.docx");
    std::fs::write(&plan, "plan v1").expect("write");
    ws.add_evidence(
        &review,
        std::slice::from_ref(&plan),
        &[link("1.1", Some("1.1-plan"))],
        "Head",
    )
    .expect("add");
    let before = ws.progress(&review).expect("progress").evidence.done;
    let id = id_of(&ws, &review, "plan.docx");
    std::fs::write(&plan, "plan v2").expect("edit");
    ws.accept_evidence(&review, &id, "Head").expect("accept");

    ws.remove_evidence(&review, &id).expect("remove");
    assert!(plan.is_file(), "the file on disk is never touched");
    assert!(ws.evidence(&review).expect("list").is_empty());
    assert_eq!(
        ws.progress(&review).expect("progress").evidence.done,
        before - 1,
        "a removed item no longer counts"
    );
    assert_eq!(
        ws.evidence_versions(&review, &id).expect("versions").len(),
        2,
        "its accepted versions stay as a record"
    );
    assert_eq!(ws.rescan(&review).expect("rescan").checked, 0);
    for err in [
        ws.remove_evidence(&review, &id).expect_err("twice"),
        ws.evidence_path(&review, &id).expect_err("path"),
        ws.link_evidence(&review, &id, &[link("1.2", None)])
            .expect_err("link"),
        ws.accept_evidence(&review, &id, "Head")
            .expect_err("accept"),
        ws.unlink_evidence(&review, &id, "1.1", None)
            .expect_err("unlink"),
    ] {
        assert_eq!(err.code().as_str(), "not_found", "{err}");
    }

    // Added again: a new item, tracked afresh.
    let again = ws
        .add_evidence(
            &review,
            std::slice::from_ref(&plan),
            &[link("1.1", None)],
            "Head",
        )
        .expect("add again");
    assert_eq!(again.added.len(), 1);
    assert_ne!(again.added[0].id, id);
    assert_eq!(again.added[0].links.len(), 1, "old links do not come back");

    // Another item may move to where a removed one was.
    let other = files.join("other.txt");
    std::fs::write(&other, "other").expect("write");
    ws.add_evidence(&review, std::slice::from_ref(&other), &[], "Head")
        .expect("add");
    let other_id = id_of(&ws, &review, "other.txt");
    ws.remove_evidence(&review, &again.added[0].id)
        .expect("remove");
    std::fs::remove_file(&plan).expect("rm");
    std::fs::rename(&other, &plan).expect("move onto the removed item's path");
    assert_eq!(ws.rescan(&review).expect("rescan").moved, 1);
    assert_eq!(ws.evidence_path(&review, &other_id).expect("path"), plan);
}

#[test]
fn unlinking_removes_one_link_or_every_link_to_a_benchmark() {
    let (_dir, mut ws, review, files) = setup();
    let plan = files.join("plan.pdf");
    std::fs::write(&plan, "plan").expect("write");
    ws.add_evidence(
        &review,
        std::slice::from_ref(&plan),
        &[
            link("1.1", Some("1.1-plan")),
            link("1.1", None),
            link("2.1", None),
        ],
        "Head",
    )
    .expect("add");
    let id = id_of(&ws, &review, "plan.pdf");
    let counted = ws.progress(&review).expect("progress").evidence.done;
    let links = |ws: &Workspace| -> Vec<EvidenceLink> {
        ws.evidence(&review).expect("list")[0].links.clone()
    };

    ws.unlink_evidence(&review, &id, "1.1", Some("1.1-plan"))
        .expect("unlink requirement");
    assert_eq!(links(&ws), [link("1.1", None), link("2.1", None)]);
    assert_eq!(
        ws.progress(&review).expect("progress").evidence.done,
        counted - 1,
        "the requirement is no longer evidenced"
    );
    let err = ws
        .unlink_evidence(&review, &id, "1.1", Some("1.1-plan"))
        .expect_err("not linked");
    assert_eq!(err.code().as_str(), "not_found");
    assert!(
        matches!(&err, Error::NotFound { hint: Hint::LinkedTo { links }, .. } if links == &["1.1", "2.1"]),
        "the hint lists the links: {err}"
    );

    ws.add_evidence(
        &review,
        std::slice::from_ref(&plan),
        &[link("1.1", Some("1.1-plan"))],
        "Head",
    )
    .expect("link again");
    ws.unlink_evidence(&review, &id, "1.1", None)
        .expect("unlink benchmark");
    assert_eq!(links(&ws), [link("2.1", None)], "every link to 1.1 went");
    ws.unlink_evidence(&review, &id, "2.1", None)
        .expect("last link");
    assert!(links(&ws).is_empty(), "an item with no links stays tracked");
    let err = ws
        .unlink_evidence(&review, "no-such-id", "2.1", None)
        .expect_err("no item");
    assert!(err.to_string().contains("Evidence item"), "{err}");
}

#[test]
fn a_rescan_of_changed_paths_looks_only_at_items_there() {
    let (_dir, mut ws, review, files) = setup();
    let a = files.join("policies/a.txt");
    let b = files.join("b.txt");
    // Folders whose names start like "policies": not inside it.
    std::fs::create_dir_all(files.join("policies-old")).expect("mkdir");
    std::fs::create_dir_all(files.join("policies0")).expect("mkdir");
    let near = [
        files.join("policies-old/c.txt"),
        files.join("policies0/d.txt"),
    ];
    for p in [&a, &b, &near[0], &near[1]] {
        std::fs::write(p, "original").expect("write");
        age(p);
    }
    ws.add_evidence(
        &review,
        &[a.clone(), b.clone(), near[0].clone(), near[1].clone()],
        &[link("1.1", None)],
        "Head",
    )
    .expect("add");
    for p in [&a, &b, &near[0], &near[1]] {
        std::fs::write(p, "edited").expect("edit");
    }

    // A trailing separator, as some tools report folders, names the same folder.
    let mut policies = files.join("policies").into_os_string();
    policies.push(std::path::MAIN_SEPARATOR_STR);
    let report = ws
        .rescan_paths(&review, &[PathBuf::from(policies)])
        .expect("rescan");
    assert_eq!((report.checked, report.modified), (1, 1), "{report:?}");
    assert_eq!(status_of(&ws, &review, "a.txt"), EvidenceStatus::Modified);
    assert_eq!(
        status_of(&ws, &review, "b.txt"),
        EvidenceStatus::Ok,
        "not looked at"
    );
    let report = ws
        .rescan_paths(&review, &[b.clone(), files.join("new-file.txt")])
        .expect("rescan");
    assert_eq!((report.checked, report.modified), (1, 1));

    // A move names the old path; the new place is found by the same search as a full rescan
    // (by the content last seen, as the file was edited before it was filed away).
    std::fs::create_dir_all(files.join("archive")).expect("mkdir");
    let moved = files.join("archive/a.txt");
    std::fs::rename(&a, &moved).expect("move");
    let report = ws
        .rescan_paths(&review, std::slice::from_ref(&a))
        .expect("rescan");
    assert_eq!((report.checked, report.modified), (1, 1), "{report:?}");
    let id = id_of(&ws, &review, "a.txt");
    assert_eq!(ws.evidence_path(&review, &id).expect("path"), moved);
    assert_eq!(status_of(&ws, &review, "a.txt"), EvidenceStatus::Modified);
    assert_eq!(ws.rescan_paths(&review, &[]).expect("nothing").checked, 0);
}

#[test]
fn the_folder_watcher_drives_rescans_of_what_changed() {
    let (_dir, mut ws, review, files) = setup();
    let report = files.join("policies/report.txt");
    std::fs::write(&report, "first draft").expect("write");
    age(&report);
    ws.add_evidence(
        &review,
        std::slice::from_ref(&files),
        &[link("1.1", None)],
        "Head",
    )
    .expect("add");
    let (_watcher, rx) = watch(&ws, &review);
    std::fs::write(&report, "second draft").expect("edit");
    let batch = rx
        .recv_timeout(Duration::from_secs(10))
        .expect("a batch within seconds");
    assert!(batch.paths.contains(&report), "{batch:?}");
    let scan = ws.rescan_paths(&review, &batch.paths).expect("rescan");
    assert_eq!((scan.checked, scan.modified), (1, 1));
}

/// A file over 4 GiB (sparse, so it takes no disk space) is hashed, recorded to the byte and
/// its last byte's change is caught: sizes and offsets must not be 32-bit anywhere.
#[cfg(unix)]
#[test]
fn a_file_over_4_gib_is_tracked_exactly() {
    use std::io::{Seek, SeekFrom, Write};
    let (_dir, mut ws, review, files) = setup();
    let video = files.join("assembly.mp4");
    let size: u64 = 4 * 1024 * 1024 * 1024 + 512 * 1024 * 1024 + 7;
    {
        let mut f = std::fs::File::create(&video).expect("create");
        f.set_len(size - 4).expect("sparse");
        f.seek(SeekFrom::End(0)).expect("seek");
        f.write_all(b"tail").expect("write");
    }
    age(&video);
    let started = std::time::Instant::now();
    let report = ws
        .add_evidence(
            &review,
            std::slice::from_ref(&video),
            &[link("2.1", None)],
            "Head",
        )
        .expect("add");
    assert_eq!(report.added.len(), 1, "{:?}", report.skipped);
    assert_eq!(report.added[0].size, size);
    let scan = ws.rescan(&review).expect("rescan");
    assert_eq!((scan.ok, scan.hashed), (1, 0), "judged by size and time");
    assert_eq!(status_of(&ws, &review, "assembly.mp4"), EvidenceStatus::Ok);

    // Change only the last byte: same size, so only the hash can tell.
    {
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .open(&video)
            .expect("open");
        f.seek(SeekFrom::Start(size - 1)).expect("seek");
        f.write_all(b"!").expect("write");
    }
    let scan = ws.rescan(&review).expect("rescan");
    assert_eq!((scan.modified, scan.hashed), (1, 1), "{scan:?}");
    assert_eq!(
        std::fs::metadata(&video).expect("meta").len(),
        size,
        "the size did not change"
    );
    eprintln!(
        "4.5 GiB file: added, rescanned and re-hashed in {:.1?}",
        started.elapsed()
    );
}

/// A folder of 100,000 small files is added whole, every file tracked, and rescanned.
#[test]
fn a_folder_of_100_000_files_is_added_and_rescanned() {
    let (_dir, mut ws, review, files) = setup();
    let big = files.join("photos");
    let started = std::time::Instant::now();
    for d in 0..100 {
        let folder = big.join(format!("class-{d:02}"));
        std::fs::create_dir_all(&folder).expect("mkdir");
        for i in 0..1000 {
            std::fs::write(folder.join(format!("{i:04}.jpg")), format!("{d}/{i}")).expect("write");
        }
    }
    let made = started.elapsed();
    let started = std::time::Instant::now();
    let report = ws
        .add_evidence(
            &review,
            std::slice::from_ref(&big),
            &[link("2.1", None)],
            "Head",
        )
        .expect("add");
    let added = started.elapsed();
    assert_eq!(report.added.len(), 100_000);
    assert!(report.skipped.is_empty());
    let started = std::time::Instant::now();
    let scan = ws.rescan(&review).expect("rescan");
    let rescanned = started.elapsed();
    assert_eq!(scan.checked, 100_000);
    assert_eq!(scan.ok, 100_000);
    assert_eq!(ws.watched_folders(&review).expect("folders"), [big]);
    eprintln!(
        "100,000 files: made in {made:.1?}, added in {added:.1?}, rescanned in {rescanned:.1?}"
    );
}

/// Files that vanish while being read, are replaced by a folder or a pipe, or cannot be read,
/// are reported with their status and reason; the others are still added and scanned.
#[cfg(unix)]
#[test]
fn vanishing_replaced_and_unreadable_files_are_reported_not_fatal() {
    let (_dir, mut ws, review, files) = setup();
    let names: Vec<PathBuf> = ["a.txt", "b.txt", "c.txt", "d.txt", "e.txt"]
        .iter()
        .map(|n| files.join(n))
        .collect();
    for p in &names {
        std::fs::write(p, "content").expect("write");
    }
    // b.txt vanishes after the folder was listed, before it is read (files are read on every
    // core at once, so this is before any is).
    let vanishing = names[1].clone();
    let report = ws
        .add_evidence_with(
            &review,
            std::slice::from_ref(&files),
            &[link("1.1", Some("1.1-plan"))],
            "Head",
            &mut |p| {
                if p.files_done == 0 {
                    let _ = std::fs::remove_file(&vanishing);
                }
                true
            },
        )
        .expect("add");
    assert_eq!(report.added.len(), 4);
    let counted = ws.progress(&review).expect("progress").evidence.done;
    assert!(counted >= 1);
    assert!(
        report.skipped.iter().any(|s| s.path.ends_with("b.txt")
            && s.reason
                == SkipReason::CannotRead {
                    problem: ReadProblem::NotFound
                }),
        "{:?}",
        report.skipped
    );

    // c.txt becomes a folder, d.txt a named pipe (reading it would block forever).
    std::fs::remove_file(&names[2]).expect("rm");
    std::fs::create_dir(&names[2]).expect("mkdir");
    std::fs::remove_file(&names[3]).expect("rm");
    let made = std::process::Command::new("mkfifo")
        .arg(&names[3])
        .status()
        .expect("mkfifo");
    assert!(made.success());
    // e.txt cannot be read: chmod 000 for a normal user; root reads anything, so for root it
    // becomes a link to /proc/self/mem, which exists but fails to read (EIO).
    let is_root = std::fs::read_to_string("/proc/self/status")
        .map(|s| {
            s.lines()
                .any(|l| l.starts_with("Uid:") && l.split_whitespace().nth(1) == Some("0"))
        })
        .unwrap_or(false);
    if is_root {
        if cfg!(target_os = "linux") {
            std::fs::remove_file(&names[4]).expect("rm");
            std::os::unix::fs::symlink("/proc/self/mem", &names[4]).expect("symlink");
        } else {
            eprintln!("running as root without /proc: the unreadable case is not tested here");
        }
    } else {
        use std::os::unix::fs::PermissionsExt;
        std::fs::write(&names[4], "changed, then locked").expect("write");
        std::fs::set_permissions(&names[4], std::fs::Permissions::from_mode(0o000)).expect("chmod");
    }
    // A rescan that meets a file vanishing mid-way (a.txt goes just before it is looked at).
    let vanishing = names[0].clone();
    let scan = ws
        .rescan_with(&review, &mut |p| {
            if p.files_done == 0 {
                let _ = std::fs::remove_file(&vanishing);
            }
            true
        })
        .expect("rescan");
    assert_eq!(scan.checked, 4);
    assert_eq!(status_of(&ws, &review, "a.txt"), EvidenceStatus::Missing);
    for name in ["c.txt", "d.txt"] {
        let item = ws
            .evidence(&review)
            .expect("list")
            .into_iter()
            .find(|i| i.title == name)
            .expect("item");
        assert_eq!(item.status, EvidenceStatus::Unreadable, "{name}");
        assert_eq!(
            item.status_detail,
            Some(StatusDetail::Unreadable {
                problem: ReadProblem::NotAFile
            }),
            "{name}"
        );
    }
    if is_root && cfg!(not(target_os = "linux")) {
        return;
    }
    let e = ws
        .evidence(&review)
        .expect("list")
        .into_iter()
        .find(|i| i.title == "e.txt")
        .expect("item");
    assert_eq!(
        e.status,
        EvidenceStatus::Unreadable,
        "{:?}",
        e.status_detail
    );
    assert_eq!(
        ws.progress(&review).expect("progress").evidence.done,
        counted - 1,
        "nothing unreadable or missing counts"
    );
}

/// A school's evidence usually has a few missing files: they are looked for again whenever
/// something could have brought them back, however long after they went missing.
fn missing_later_found_setup() -> (tempfile::TempDir, Workspace, Review, PathBuf, [PathBuf; 3]) {
    let (dir, mut ws, review, files) = setup();
    for sub in ["policies", "minutes", "photos"] {
        std::fs::create_dir_all(files.join(sub)).expect("mkdir");
    }
    let paths = [
        files.join("policies/esafety.pdf"),
        files.join("minutes/march.txt"),
        files.join("photos/trip.jpg"),
    ];
    for (i, p) in paths.iter().enumerate() {
        std::fs::write(p, format!("evidence number {i}")).expect("write");
        age(p);
    }
    // Untracked files of the same size as the missing ones, so the search has to hash.
    std::fs::write(files.join("photos/other.jpg"), "evidence number 9").expect("write");
    ws.add_evidence(
        &review,
        &[
            files.join("policies"),
            files.join("minutes"),
            paths[2].clone(),
        ],
        &[link("1.1", None)],
        "Head",
    )
    .expect("add");
    (dir, ws, review, files, paths)
}

#[test]
fn a_missing_item_moved_back_or_copied_in_later_is_found_by_a_full_rescan() {
    let (dir, mut ws, review, files, [policy, minutes, _]) = missing_later_found_setup();
    let outside = dir.path().join("desktop");
    std::fs::create_dir_all(&outside).expect("mkdir");
    let kept = outside.join("esafety.pdf");
    std::fs::rename(&policy, &kept).expect("move out of the watched folders");
    std::fs::copy(&minutes, outside.join("march.txt")).expect("copy");
    std::fs::remove_file(&minutes).expect("delete");
    for _ in 0..3 {
        let report = ws.rescan(&review).expect("rescan");
        assert_eq!((report.missing, report.moved), (2, 0), "{report:?}");
    }
    // Much later, moved back under a new name into another watched folder.
    let back = files.join("photos/e-safety 2026.pdf");
    std::fs::rename(&kept, &back).expect("move back");
    let report = ws.rescan(&review).expect("rescan");
    assert_eq!((report.missing, report.moved), (1, 1), "{report:?}");
    let id = id_of(&ws, &review, "esafety.pdf");
    assert_eq!(ws.evidence_path(&review, &id).expect("path"), back);

    // Copied in under a new name, into a new folder.
    std::fs::create_dir_all(files.join("minutes/2026")).expect("mkdir");
    let copy = files.join("minutes/2026/minutes march.txt");
    std::fs::copy(outside.join("march.txt"), &copy).expect("copy in");
    let report = ws.rescan(&review).expect("rescan");
    assert_eq!((report.missing, report.moved), (0, 1), "{report:?}");
    let id = id_of(&ws, &review, "march.txt");
    assert_eq!(ws.evidence_path(&review, &id).expect("path"), copy);
    assert_eq!(status_of(&ws, &review, "march.txt"), EvidenceStatus::Moved);
}

#[test]
fn a_missing_item_moved_back_or_copied_in_later_is_found_by_watcher_batches() {
    let (dir, mut ws, review, files, [policy, minutes, trip]) = missing_later_found_setup();
    let outside = dir.path().join("desktop");
    std::fs::create_dir_all(&outside).expect("mkdir");
    // Gone in a batch, before any search index exists: the batch builds it.
    let kept = outside.join("esafety.pdf");
    std::fs::rename(&policy, &kept).expect("move out");
    let report = ws
        .rescan_paths(&review, std::slice::from_ref(&policy))
        .expect("batch");
    assert_eq!((report.checked, report.missing), (1, 1), "{report:?}");
    std::fs::copy(&minutes, outside.join("march.txt")).expect("copy");
    std::fs::remove_file(&minutes).expect("delete");
    let report = ws
        .rescan_paths(&review, std::slice::from_ref(&minutes))
        .expect("batch");
    assert_eq!(report.missing, 1, "{report:?}");
    // A batch about something else finds nothing new.
    std::fs::write(&trip, "evidence number 2, retouched").expect("edit");
    let report = ws
        .rescan_paths(&review, std::slice::from_ref(&trip))
        .expect("batch");
    assert_eq!((report.modified, report.moved), (1, 0), "{report:?}");

    // Moved back under a new name: the batch names only the new path.
    let back = files.join("photos/e-safety 2026.pdf");
    std::fs::rename(&kept, &back).expect("move back");
    let report = ws
        .rescan_paths(&review, std::slice::from_ref(&back))
        .expect("batch");
    assert_eq!((report.checked, report.moved), (0, 1), "{report:?}");
    let id = id_of(&ws, &review, "esafety.pdf");
    assert_eq!(ws.evidence_path(&review, &id).expect("path"), back);

    // Copied into a folder created since (the batch names both).
    let new_folder = files.join("minutes/2026");
    std::fs::create_dir_all(&new_folder).expect("mkdir");
    let copy = new_folder.join("minutes march.txt");
    std::fs::copy(outside.join("march.txt"), &copy).expect("copy in");
    let report = ws
        .rescan_paths(&review, &[new_folder, copy.clone()])
        .expect("batch");
    assert_eq!(report.moved, 1, "{report:?}");
    let id = id_of(&ws, &review, "march.txt");
    assert_eq!(ws.evidence_path(&review, &id).expect("path"), copy);
    assert_eq!(ws.rescan(&review).expect("rescan").missing, 0);
}

#[test]
fn a_missing_item_copied_into_a_folder_added_after_the_search_began_is_found() {
    let (dir, mut ws, review, files, [policy, ..]) = missing_later_found_setup();
    let saved = dir.path().join("esafety.pdf");
    std::fs::rename(&policy, &saved).expect("move out");
    assert_eq!(ws.rescan(&review).expect("rescan").missing, 1);
    // A folder added as evidence after the index was built, then a copy made into it.
    let governors = dir.path().join("governors");
    std::fs::create_dir_all(&governors).expect("mkdir");
    std::fs::write(governors.join("agenda.txt"), "agenda").expect("write");
    ws.add_evidence(
        &review,
        std::slice::from_ref(&governors),
        &[link("1.2", None)],
        "Head",
    )
    .expect("add");
    let copy = governors.join("esafety copy.pdf");
    std::fs::copy(&saved, &copy).expect("copy in");
    let report = ws
        .rescan_paths(&review, std::slice::from_ref(&copy))
        .expect("batch");
    assert_eq!(report.moved, 1, "{report:?}");
    let id = id_of(&ws, &review, "esafety.pdf");
    assert_eq!(ws.evidence_path(&review, &id).expect("path"), copy);
    let _ = files;
}

#[test]
fn the_folder_watcher_brings_back_a_missing_item_copied_in_later() {
    let (dir, mut ws, review, files, [policy, ..]) = missing_later_found_setup();
    let saved = dir.path().join("esafety.pdf");
    std::fs::copy(&policy, &saved).expect("keep a copy");
    let (_watcher, rx) = watch(&ws, &review);
    let next_batch = |ws: &mut Workspace| {
        let batch = rx
            .recv_timeout(Duration::from_secs(10))
            .expect("a batch within seconds");
        ws.rescan_paths(&review, &batch.paths).expect("rescan")
    };
    std::fs::remove_file(&policy).expect("delete");
    assert_eq!(next_batch(&mut ws).missing, 1);
    std::fs::copy(&saved, files.join("photos/esafety (1).pdf")).expect("copy in");
    assert_eq!(next_batch(&mut ws).moved, 1);
    assert_eq!(
        status_of(&ws, &review, "esafety.pdf"),
        EvidenceStatus::Moved
    );
}

#[test]
fn what_adding_reports_is_what_the_list_shows() {
    let (_dir, mut ws, review, files) = setup();
    for name in ["b.txt", "a.txt", "policies/c.txt"] {
        std::fs::write(files.join(name), name).expect("write");
    }
    let links = [
        link("1.1", Some("1.1-plan")),
        link("1.1", None),
        link("1.1", None),
    ];
    let first = ws
        .add_evidence(&review, std::slice::from_ref(&files), &links, "Head")
        .expect("add");
    assert_eq!(first.added, ws.evidence(&review).expect("list"));
    assert_eq!(first.added[0].links.len(), 2, "each link once");
    // Given again with another link, and a new file beside it: both reported, as listed.
    std::fs::write(files.join("d.txt"), "d").expect("write");
    let again = ws
        .add_evidence(
            &review,
            &[
                files.join("a.txt"),
                files.join("d.txt"),
                files.join("a.txt"),
            ],
            &[link("2.1", None)],
            "Head",
        )
        .expect("add again");
    let listed = ws.evidence(&review).expect("list");
    let shown: Vec<&EvidenceItem> = listed
        .iter()
        .filter(|i| i.title == "a.txt" || i.title == "d.txt")
        .collect();
    assert_eq!(again.added.iter().collect::<Vec<_>>(), shown);
    assert_eq!(again.added[0].links.len(), 3, "{:?}", again.added[0]);
}
