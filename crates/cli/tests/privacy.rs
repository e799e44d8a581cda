//! Every data-protection right a command away, end to end: the real `waymark` binary, a real
//! OS keychain (a private Secret Service, listed with `secret-tool`, a client other than our
//! own), and the real endpoint on loopback. Access (`privacy`), restriction (`network pause`:
//! nothing is sent and the outbox says so), rectification (`group update`: the correction
//! reaches the endpoint), portability (`export` → `import`: the same review in a new folder),
//! erasure (`erase`: the endpoint erases and confirms, and no file of Waymark's and no keychain
//! entry is left), and a lost key (a clear message; the folder untouched).

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use std::path::Path;
use std::process::{Command, Stdio};

use common::{fails, files_under, ok, waymark};
use serde_json::Value;
use waymark_harness::endpoint::{AWARDING_BODY, TestEndpoint};
use waymark_harness::keychain::Keychain;
use waymark_harness::school::{AWARD, SCHOOL, SchoolFixture};
use waymark_protocol::api::Account;

/// Every `username` the keychain holds under service `waymark`, as `secret-tool` lists them.
fn keychain_users(keychain: &Keychain) -> Vec<String> {
    let mut cmd = Command::new("secret-tool");
    keychain.apply(&mut cmd);
    let out = cmd
        .args(["search", "--all", "service", "waymark"])
        .output()
        .expect("secret-tool (Debian package libsecret-tools) runs");
    let text = format!(
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let mut users: Vec<String> = text
        .lines()
        .filter_map(|l| l.trim().strip_prefix("attribute.username = "))
        .map(str::to_owned)
        .collect();
    users.sort();
    users
}

async fn json(keychain: &Keychain, data: &Path, args: &[&str]) -> Value {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    ok(waymark(keychain, data, &all)).await.json()
}

fn held(privacy: &Value, kind: &str) -> u64 {
    privacy["held"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["kind"] == kind)
        .unwrap_or_else(|| panic!("{kind} in {privacy}"))["count"]
        .as_u64()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_right_is_a_command_away_and_erasure_reaches_the_endpoint() {
    let endpoint = TestEndpoint::start().await;
    let keychain = Keychain::start();
    let school = SchoolFixture::eligible_in(&keychain);
    let data = school.data_dir();
    let issued = endpoint
        .add_institution(SCHOOL, "urn:schoolid:uk:100001")
        .await;
    ok(waymark(&keychain, data, &["enroll", &issued.code])).await;
    let submit = [
        "submit",
        "--award",
        AWARD,
        "--confirm-personal-data",
        &school.photo,
    ];

    // Restriction: while paused nothing is sent; the outbox keeps the submission and says why.
    ok(waymark(&keychain, data, &["network", "pause"])).await;
    ok(waymark(&keychain, data, &submit)).await;
    let paused = fails(waymark(&keychain, data, &["--json", "sync"])).await;
    assert_eq!(paused.error_json()["error"]["code"], "network_paused");
    assert!(
        paused.error_json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("waymark network resume")
    );
    let listed = json(&keychain, data, &["submissions"]).await;
    assert_eq!(listed[0]["state"], "queued", "{listed}");
    ok(waymark(&keychain, data, &["network", "resume"])).await;
    json(&keychain, data, &["sync"]).await;
    let listed = json(&keychain, data, &["submissions"]).await;
    let server_id = listed[0]["server_id"].as_str().expect("sent").to_owned();

    // Access: what is held, and what was sent to whom and when.
    let privacy = json(&keychain, data, &["privacy"]).await;
    assert_eq!(privacy["enrolled_with"]["awarding_body"], AWARDING_BODY);
    assert_eq!(privacy["sent"][0]["state"], "sent", "{privacy}");
    assert_eq!(privacy["sent"][0]["to"], AWARDING_BODY);
    assert!(privacy["sent"][0]["sent_at"].is_string());
    assert!(held(&privacy, "frozen_copies") >= 1);
    assert_eq!(privacy["network_restricted"], false);

    // Rectification: a member's details corrected here reach the endpoint with the next sync.
    let member = json(&keychain, data, &["group", "add", "Mr Evans"]).await;
    let id = member["id"].as_str().unwrap();
    json(
        &keychain,
        data,
        &[
            "group",
            "update",
            id,
            "--name",
            "Mr Dafydd Evans",
            "--email",
            "d.evans@llanfair.sch.uk",
        ],
    )
    .await;
    assert_eq!(
        json(&keychain, data, &["privacy"]).await["correction_due"],
        true
    );
    ok(waymark(&keychain, data, &["sync"])).await;
    assert_eq!(
        json(&keychain, data, &["privacy"]).await["correction_due"],
        false
    );
    assert_eq!(privacy["enrolled_with"]["institution_name"], SCHOOL);
    let Account::Institution(institution) = &issued.account else {
        panic!("an institution's code")
    };
    let (status, profile) = endpoint
        .admin(
            "GET".parse().unwrap(),
            &format!("/v1/admin/institutions/{}/profile", institution.id),
            None,
        )
        .await;
    assert_eq!(status, 200, "{profile}");
    let group = profile["profile"]["working_group"].as_array().unwrap();
    assert!(
        group
            .iter()
            .any(|m| m["name"] == "Mr Dafydd Evans" && m["email"] == "d.evans@llanfair.sch.uk"),
        "{profile}"
    );

    // Portability: an export with evidence makes the same review in a new folder.
    let exports = tempfile::tempdir().unwrap();
    let archive = exports.path().join("llanfair.tar");
    let exported = json(
        &keychain,
        data,
        &[
            "export",
            "--out",
            archive.to_str().unwrap(),
            "--with-evidence",
        ],
    )
    .await;
    assert!(exported["files"].as_u64().unwrap() >= 2, "{exported}");
    let restored = tempfile::tempdir().unwrap();
    let copy = restored.path().join("data");
    json(&keychain, &copy, &["import", archive.to_str().unwrap()]).await;
    let (before, after) = (
        json(&keychain, data, &["status"]).await,
        json(&keychain, &copy, &["status"]).await,
    );
    assert_eq!(
        before, after,
        "the imported folder judges the review the same"
    );
    assert_eq!(
        json(&keychain, data, &["submissions"]).await,
        json(&keychain, &copy, &["submissions"]).await
    );
    let users = keychain_users(&keychain);
    assert_eq!(
        users.iter().filter(|u| u.starts_with("data-key:")).count(),
        2,
        "one data key per folder: {users:?}"
    );

    // Erasure: the endpoint erases and confirms first; then nothing of Waymark's is left here.
    let erased = json(&keychain, data, &["erase", "--yes"]).await;
    assert!(erased["endpoint"].is_string(), "{erased}");
    assert!(
        erased["endpoint"]
            .as_str()
            .unwrap()
            .contains("signed confirmation"),
        "{erased}"
    );
    assert!(!archive.exists(), "the export it made went too");
    let left = if data.exists() {
        files_under(data)
    } else {
        Vec::new()
    };
    assert!(left.is_empty(), "left behind: {left:?}");
    // The endpoint refuses a later request for that data.
    let (status, body) = endpoint
        .admin(
            "GET".parse().unwrap(),
            &format!("/v1/admin/submissions/{server_id}"),
            None,
        )
        .await;
    assert!(status == 410 || status == 404, "{status} {body}");
    // The copy still has its own data key; the credentials went with the first erasure.
    let users = keychain_users(&keychain);
    assert_eq!(users.len(), 1, "{users:?}");
    assert!(users[0].starts_with("data-key:"));
    let local = json(&keychain, &copy, &["erase", "--yes", "--local-only"]).await;
    assert!(local["endpoint"].is_null());
    assert_eq!(
        keychain_users(&keychain),
        Vec::<String>::new(),
        "no keychain entry left"
    );
    assert!(!copy.exists() || files_under(&copy).is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn erasure_waits_for_the_typed_confirmation_and_a_lost_key_is_explained() {
    let keychain = Keychain::start();
    let school = SchoolFixture::eligible_in(&keychain);
    let data = school.data_dir();
    let before = files_under(data);

    // Anything but the phrase: refused, nothing removed.
    let mut cmd = waymark(&keychain, data, &["erase"]);
    cmd.stdin(Stdio::piped());
    let child = tokio::task::spawn_blocking(move || {
        let mut child = cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        use std::io::Write as _;
        child.stdin.take().unwrap().write_all(b"yes\n").unwrap();
        child.wait_with_output().unwrap()
    })
    .await
    .unwrap();
    assert_eq!(child.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&child.stderr).into_owned();
    assert!(stderr.contains("nothing was erased"), "{stderr}");
    assert_eq!(files_under(data), before);

    // The data key's keychain entry is lost: a clear message, the folder untouched.
    let users = keychain_users(&keychain);
    let key = users.iter().find(|u| u.starts_with("data-key:")).unwrap();
    let mut clear = Command::new("secret-tool");
    keychain.apply(&mut clear);
    assert!(
        clear
            .args(["clear", "service", "waymark", "username", key])
            .status()
            .unwrap()
            .success()
    );
    let bytes: Vec<Vec<u8>> = before.iter().map(|p| std::fs::read(p).unwrap()).collect();
    let lost = fails(waymark(&keychain, data, &["--json", "status"])).await;
    let error = lost.error_json();
    assert_eq!(error["error"]["code"], "data_key_missing", "{error}");
    let message = error["error"]["message"].as_str().unwrap();
    assert!(message.contains("waymark import"), "{message}");
    let after: Vec<Vec<u8>> = before.iter().map(|p| std::fs::read(p).unwrap()).collect();
    assert!(bytes == after, "the folder was not changed");

    // What is left can still be erased (as after an erasure stopped once its key was gone).
    let erased = json(&keychain, data, &["erase", "--yes"]).await;
    assert!(erased["local"]["files"].as_u64().unwrap() >= 2, "{erased}");
    assert!(!data.exists() || files_under(data).is_empty());
}
