//! Evidence that stays in the school's folders: adding, linking, and noticing change.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use waymark_core::Workspace;
use waymark_core::evidence::{EvidenceLink, EvidenceStatus};
use waymark_core::store::{InstitutionInput, Review};

fn setup() -> (tempfile::TempDir, Workspace, Review, PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut ws = Workspace::open(&dir.path().join("data")).expect("open");
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

fn status_of(ws: &Workspace, review: &Review, title: &str) -> EvidenceStatus {
    ws.store()
        .evidence(&review.id)
        .expect("list")
        .into_iter()
        .find(|i| i.title == title)
        .expect("item")
        .status
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
    assert_eq!(err.code(), "not_found");
    let err = ws
        .add_evidence(
            &review,
            std::slice::from_ref(&f),
            &[link("1.1", Some("nope"))],
            "Head",
        )
        .expect_err("unknown requirement");
    assert!(err.to_string().contains("Benchmark 1.1 asks for"), "{err}");
    let err = ws
        .add_evidence(&review, &[f], &[link("1.2", Some("1.1-plan"))], "Head")
        .expect_err("wrong benchmark");
    assert!(
        err.to_string().contains("belongs to benchmark 1.1"),
        "{err}"
    );
    assert!(
        ws.store().evidence(&review.id).expect("list").is_empty(),
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
        report.skipped[0].reason.contains("no such file"),
        "{:?}",
        report.skipped
    );
    // Adding the same folder again adds nothing new.
    let again = ws
        .add_evidence(&review, &[files], &[link("2.2", None)], "Head")
        .expect("add again");
    assert_eq!(ws.store().evidence(&review.id).expect("list").len(), 3);
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
        .store()
        .evidence(&review.id)
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
    let versions = ws.store().evidence_versions(&id).expect("versions");
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
        .store()
        .evidence(&review.id)
        .expect("list")
        .into_iter()
        .find(|i| i.title == "esafety.pdf")
        .expect("item");
    assert_eq!(item.status, EvidenceStatus::Moved);
    assert_eq!(item.path, new.to_string_lossy());
    assert!(
        item.status_detail
            .as_deref()
            .is_some_and(|d| d.contains("moved from"))
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
    let (dir, mut ws, review, files) = setup();
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
        report.skipped[0].reason.contains("missing"),
        "{:?}",
        report.skipped
    );

    // The school's copy changes afterwards: the vault still holds what was reviewed.
    std::fs::write(&a, "scheme v2, rewritten").expect("edit");
    let item = ws
        .store()
        .evidence(&review.id)
        .expect("list")
        .into_iter()
        .find(|i| i.title == "scheme-of-work.docx")
        .expect("item");
    let frozen = item.frozen_hash.expect("frozen");
    let blob = dir
        .path()
        .join("data/vault")
        .join(&frozen[..2])
        .join(&frozen);
    assert_eq!(std::fs::read(blob).expect("blob"), b"scheme v1");

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
            .any(|s| s.path.ends_with("minutes.txt")
                && s.reason.contains("changed since the last scan")),
        "{:?}",
        again.skipped
    );
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
    assert_eq!(err.code(), "cancelled");
    assert_eq!(
        seen.last()
            .map(|p| (p.files_done, p.files_total, p.bytes_done, p.bytes_total)),
        Some((2, 4, 30, 100))
    );
    assert!(
        ws.store().evidence(&review.id).expect("list").is_empty(),
        "a cancelled add saves nothing"
    );

    ws.add_evidence(&review, &names, &[link("1.1", None)], "Head")
        .expect("add");
    let mut last = None;
    ws.rescan_with(&review, &mut |p| {
        last = Some(*p);
        true
    })
    .expect("rescan");
    // Rescans report before each chunk of files (they are looked at in parallel).
    assert_eq!(last.map(|p| (p.files_done, p.files_total)), Some((0, 4)));
}
