//! `waymark evidence …` end to end: the real binary against a fresh data folder.

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

thread_local! {
    /// A private OS keychain for each test (every test runs on a thread of its own, and the
    /// keychain is stopped when it ends): the binary keeps each data folder's key there.
    static KEYCHAIN: waymark_harness::keychain::Keychain =
        waymark_harness::keychain::Keychain::start();
}

/// Points `cmd` at this test's keychain.
fn on_keychain(cmd: &mut Command) -> &mut Command {
    KEYCHAIN.with(|k| {
        k.apply(cmd);
    });
    cmd
}

fn waymark(data: &Path, args: &[&str]) -> Output {
    on_keychain(&mut Command::new(env!("CARGO_BIN_EXE_waymark")))
        .arg("--data-dir")
        .arg(data)
        .args(args)
        .env("WAYMARK_USER", "Siân Evans")
        .env_remove("WAYMARK_DATA_DIR")
        .output()
        .expect("run waymark")
}

fn ok_json(data: &Path, args: &[&str]) -> Value {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    let out = waymark(data, &all);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("json")
}

/// Registers a school for computing-quality in a fresh data folder.
fn register(data: &Path) {
    ok_json(
        data,
        &[
            "init",
            "--framework",
            "computing-quality",
            "--institution",
            "Ysgol Llanfair",
        ],
    );
}

#[test]
fn evidence_is_added_listed_rescanned_and_counts_towards_the_mark() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    let school = dir.path().join("school");
    std::fs::create_dir_all(&school).expect("mkdir");
    let policy = school.join("policy.pdf");
    std::fs::write(&policy, "policy v1").expect("write");
    register(&data);

    let added = ok_json(
        &data,
        &[
            "evidence",
            "add",
            policy.to_str().expect("utf-8"),
            "--requirement",
            "1.1-plan",
        ],
    );
    assert_eq!(added["added"].as_array().map(Vec::len), Some(1));
    assert_eq!(added["added"][0]["links"][0]["benchmark_id"], "1.1");
    let status = ok_json(&data, &["status"]);
    assert_eq!(status["progress"]["evidence"]["done"], 1);

    std::fs::write(&policy, "policy v2, rewritten").expect("edit");
    let scan = ok_json(&data, &["evidence", "rescan"]);
    assert_eq!(scan["modified"], 1);
    let list = ok_json(&data, &["evidence", "list"]);
    assert_eq!(list[0]["status"], "modified");
    assert_eq!(list[0]["path"], policy.to_str().expect("utf-8"));
    let id = list[0]["id"].as_str().expect("id");
    let accepted = ok_json(&data, &["evidence", "accept", &id[id.len() - 8..]]);
    assert_eq!(accepted["status"], "ok");
    let described = ok_json(
        &data,
        &[
            "evidence",
            "describe",
            &id[..8],
            "--title",
            "Computing policy",
            "--personal-data",
        ],
    );
    assert_eq!(described["personal_data"], true);
    let list = ok_json(&data, &["evidence", "list"]);
    assert_eq!(
        (
            list[0]["title"].as_str(),
            list[0]["personal_data"].as_bool()
        ),
        (Some("Computing policy"), Some(true))
    );
    let frozen = ok_json(&data, &["evidence", "freeze"]);
    assert_eq!(
        (frozen["frozen"].as_u64(), frozen["copied"].as_u64()),
        (Some(1), Some(1))
    );
    let hash = blake3::hash(b"policy v2, rewritten").to_hex().to_string();
    // The frozen copy is in the vault, encrypted: one file, neither named by the hash nor
    // holding the content in plain text.
    let mut files = Vec::new();
    for shard in std::fs::read_dir(data.join("vault"))
        .expect("vault")
        .flatten()
    {
        if shard.file_name() != "tmp" {
            files.extend(std::fs::read_dir(shard.path()).expect("shard").flatten());
        }
    }
    assert_eq!(files.len(), 1, "{files:?}");
    let name = files[0].file_name().to_string_lossy().into_owned();
    assert!(!name.contains(&hash), "{name}");
    let raw = std::fs::read(files[0].path()).expect("blob");
    assert!(!raw.windows(9).any(|w| w == b"policy v2"));
}

#[test]
fn bad_evidence_input_is_explained() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    register(&data);
    let out = waymark(
        &data,
        &["evidence", "add", "/no/such/file.pdf", "--benchmark", "1.1"],
    );
    assert_eq!(out.status.code(), Some(1), "nothing was added");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("skipped /no/such/file.pdf: no such file")
            && err.contains("Nothing was added"),
        "{err}"
    );
    let out = waymark(&data, &["evidence", "add", "/tmp", "--requirement", "nope"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("Evidence requirement \"nope\" was not found")
    );
    let out = waymark(&data, &["evidence", "accept", "ab"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("at least 4 characters"));
}

/// A school folder with two files, added whole for requirement 1.1-plan and benchmark 2.1.
fn school_with_evidence(dir: &Path) -> (std::path::PathBuf, std::path::PathBuf) {
    let data = dir.join("data");
    let school = dir.join("school");
    std::fs::create_dir_all(school.join("policies")).expect("mkdir");
    std::fs::write(school.join("policies/plan.pdf"), "plan").expect("write");
    std::fs::write(school.join("minutes.txt"), "minutes").expect("write");
    register(&data);
    ok_json(
        &data,
        &[
            "evidence",
            "add",
            school.to_str().expect("utf-8"),
            "--requirement",
            "1.1-plan",
            "--benchmark",
            "2.1",
        ],
    );
    (data, school)
}

fn id_titled(data: &Path, title: &str) -> String {
    ok_json(data, &["evidence", "list"])
        .as_array()
        .expect("list")
        .iter()
        .find(|i| i["title"] == title)
        .and_then(|i| i["id"].as_str())
        .expect("item")
        .to_owned()
}

#[test]
fn evidence_remove_stops_tracking_and_leaves_the_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (data, school) = school_with_evidence(dir.path());
    let id = id_titled(&data, "plan.pdf");
    let short = &id[id.len() - 8..];
    let out = waymark(&data, &["evidence", "remove", short]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("Stopped tracking plan.pdf"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(school.join("policies/plan.pdf").is_file());
    let list = ok_json(&data, &["evidence", "list"]);
    assert_eq!(list.as_array().map(Vec::len), Some(1));
    let out = waymark(&data, &["evidence", "remove", short]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("was not found"));
}

#[test]
fn evidence_unlink_removes_links_and_explains_a_missing_one() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (data, _school) = school_with_evidence(dir.path());
    let id = id_titled(&data, "minutes.txt");
    let short = &id[id.len() - 8..];
    let out = ok_json(
        &data,
        &[
            "evidence",
            "unlink",
            short,
            "--benchmark",
            "1.1",
            "--requirement",
            "1.1-plan",
        ],
    );
    assert_eq!(out["unlinked"], id.as_str());
    let links = |data: &Path| {
        ok_json(data, &["evidence", "list"])
            .as_array()
            .expect("list")
            .iter()
            .find(|i| i["id"] == id.as_str())
            .expect("item")["links"]
            .clone()
    };
    assert_eq!(links(&data).as_array().map(Vec::len), Some(1));
    assert_eq!(links(&data)[0]["benchmark_id"], "2.1");
    let out = waymark(&data, &["evidence", "unlink", short, "--benchmark", "1.1"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("linked to: 2.1"), "{err}");
    let out = waymark(&data, &["evidence", "unlink", short, "--benchmark", "2.1"]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("Unlinked"));
    assert_eq!(links(&data).as_array().map(Vec::len), Some(0));
}

#[test]
fn evidence_folders_lists_added_and_implied_folders() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (data, school) = school_with_evidence(dir.path());
    let elsewhere = dir.path().join("elsewhere");
    std::fs::create_dir_all(&elsewhere).expect("mkdir");
    let single = elsewhere.join("photo.jpg");
    std::fs::write(&single, "jpeg").expect("write");
    ok_json(
        &data,
        &[
            "evidence",
            "add",
            single.to_str().expect("utf-8"),
            "--benchmark",
            "2.1",
        ],
    );
    let rows = ok_json(&data, &["evidence", "folders"]);
    let rows = rows.as_array().expect("rows");
    assert_eq!(rows.len(), 2, "{rows:?}");
    let added = rows
        .iter()
        .find(|r| r["path"] == school.to_str().expect("utf-8"))
        .expect("the added folder");
    assert_eq!(
        (added["added_by"].as_str(), added["present"].as_bool()),
        (Some("Siân Evans"), Some(true))
    );
    let implied = rows
        .iter()
        .find(|r| r["path"] == elsewhere.to_str().expect("utf-8"))
        .expect("the single file's folder");
    assert!(implied["added_by"].is_null());

    std::fs::remove_dir_all(&school).expect("rm");
    let out = waymark(&data, &["evidence", "folders"]);
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(
        table.contains("added by Siân Evans") && table.contains("missing"),
        "{table}"
    );
    assert!(table.contains("holds tracked files"), "{table}");
}
