//! The networks schools are on, from the command line: the real `waymark` binary reaches the
//! real endpoint on loopback through Debian's real `tinyproxy` (plain HTTP forwarded, HTTPS
//! tunnelled with CONNECT, a proxy that wants a password), trusts exactly what the OS trusts
//! (a web filter's root not yet installed is named as the cause, and nothing is spent), and
//! survives being killed mid-upload: the next run sends neither the finished blobs nor the part
//! of the big one the endpoint already acknowledged.
//!
//! What we found about proxies (reqwest 0.13.5 on hyper-util 0.1.21): the system proxy from
//! `HTTP_PROXY`/`HTTPS_PROXY` does *not* bypass `127.0.0.1` or `localhost` by default (only
//! `NO_PROXY` entries are bypassed), so these loopback tests really go through the proxy;
//! the tinyproxy log proves it, and one test shows `NO_PROXY` is honoured.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use std::collections::HashSet;
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{fails, ok, waymark};
use serde_json::Value;
use waymark_harness::endpoint::TestEndpoint;
use waymark_harness::fault_proxy::{CutPlan, FaultProxy};
use waymark_harness::keychain::Keychain;
use waymark_harness::school::{AWARD, SCHOOL, SchoolFixture};
use waymark_harness::tinyproxy::Tinyproxy;
use waymark_harness::tls::TestPki;

/// The `waymark` command (see [`waymark`]) with extra environment variables.
fn waymark_with(keychain: &Keychain, data: &Path, env: &[(&str, &str)], args: &[&str]) -> Command {
    let mut cmd = waymark(keychain, data, args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd
}

/// Registers the fixture's school with the endpoint: its (unredeemed) enrollment code.
async fn enrollment_code(endpoint: &TestEndpoint) -> String {
    endpoint
        .add_institution(SCHOOL, "urn:schoolid:uk:100001")
        .await
        .code
}

/// The endpoint's `127.0.0.1:PORT`.
fn endpoint_addr(endpoint: &TestEndpoint) -> SocketAddr {
    endpoint
        .url
        .split_once("://")
        .unwrap()
        .1
        .parse()
        .expect("the endpoint's URL is scheme://127.0.0.1:PORT")
}

/// The fixture's submission, queued with the photo confirmed.
fn submit_args(school: &SchoolFixture) -> Vec<&str> {
    vec![
        "--json",
        "submit",
        "--award",
        AWARD,
        "--confirm-personal-data",
        &school.photo,
    ]
}

/// `waymark --json enroll CODE` with `env`.
async fn enrol_with(keychain: &Keychain, data: &Path, env: &[(&str, &str)], code: &str) -> Value {
    ok(waymark_with(
        keychain,
        data,
        env,
        &["--json", "enroll", code],
    ))
    .await
    .json()
}

/// `waymark --json sync` with `env`; asserts the first delivery is sent with every blob and
/// the receipt verified (the engine reports `sent` only then). Returns the sync's answer.
async fn sync_sent(keychain: &Keychain, school: &SchoolFixture, env: &[(&str, &str)]) -> Value {
    let synced = ok(waymark_with(
        keychain,
        school.data_dir(),
        env,
        &["--json", "sync"],
    ))
    .await
    .json();
    let delivery = &synced["deliveries"][0];
    assert_eq!(delivery["outcome"], "sent", "{synced}");
    let blobs = delivery["blobs_sent"].as_u64().unwrap() + delivery["blobs_held"].as_u64().unwrap();
    assert_eq!(blobs, school.items.len() as u64 + 1, "{synced}");
    assert_eq!(delivery["blobs_held"], 0, "{synced}");
    assert!(delivery["receipt"].is_object(), "{synced}");
    synced
}

/// Enrols, submits and syncs with `env` (see [`sync_sent`]); returns the sync's answer.
async fn enrol_submit_sync(
    keychain: &Keychain,
    school: &SchoolFixture,
    env: &[(&str, &str)],
    code: &str,
) -> Value {
    let data = school.data_dir();
    let enrolled = enrol_with(keychain, data, env, code).await;
    assert!(
        enrolled["enrollment"]["institution_id"].is_string(),
        "{enrolled}"
    );
    let queued = ok(waymark_with(keychain, data, env, &submit_args(school)))
        .await
        .json();
    assert_eq!(queued["submission"]["state"], "queued", "{queued}");
    sync_sent(keychain, school, env).await
}

/// tinyproxy's request lines (`Request (file descriptor N): METHOD URI HTTP/1.1`).
fn request_lines(proxy: &Tinyproxy) -> Vec<String> {
    proxy
        .log()
        .lines()
        .filter_map(|l| l.split_once("): ").filter(|_| l.contains("Request (")))
        .map(|(_, request)| request.trim().to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_school_behind_a_web_proxy_enrols_and_sends_through_it() {
    let endpoint = TestEndpoint::start().await;
    let keychain = Keychain::start();
    let school = SchoolFixture::eligible_in(&keychain);
    let proxy = Tinyproxy::start();
    let url = proxy.url();
    // No NO_PROXY: reqwest does not bypass loopback of its own accord, so 127.0.0.1 goes via
    // the proxy as a school's remote endpoint would.
    let env = [("HTTP_PROXY", url.as_str()), ("http_proxy", url.as_str())];
    let code = enrollment_code(&endpoint).await;
    enrol_submit_sync(&keychain, &school, &env, &code).await;

    // Every request went through tinyproxy, as absolute URIs to the endpoint.
    let lines = request_lines(&proxy);
    let base = &endpoint.url;
    for wanted in [
        format!("GET {base}/v1/key-sets HTTP/1.1"),
        format!("POST {base}/v1/enrollments/redeem HTTP/1.1"),
        format!("POST {base}/v1/blobs/held HTTP/1.1"),
        format!("POST {base}/v1/uploads HTTP/1.1"),
        format!("POST {base}/v1/submissions HTTP/1.1"),
    ] {
        assert!(
            lines.contains(&wanted),
            "{wanted} not in tinyproxy's log:\n{}",
            proxy.log()
        );
    }
    let creates = lines
        .iter()
        .filter(|l| **l == format!("POST {base}/v1/uploads HTTP/1.1"))
        .count();
    assert!(
        creates > school.items.len(),
        "an upload per blob: {lines:#?}"
    );
    let patches = lines
        .iter()
        .filter(|l| l.starts_with(&format!("PATCH {base}/v1/uploads/")))
        .count();
    assert!(patches > school.items.len(), "{lines:#?}");

    // A status check goes through the proxy too; with NO_PROXY it does not touch it.
    let before = request_lines(&proxy).len();
    ok(waymark_with(
        &keychain,
        school.data_dir(),
        &env,
        &["--json", "sync"],
    ))
    .await;
    let after = request_lines(&proxy);
    assert!(
        after[before..]
            .iter()
            .any(|l| l.starts_with(&format!("GET {base}/v1/submissions/"))),
        "{after:#?}"
    );
    let before = after.len();
    let bypass = [
        ("HTTP_PROXY", url.as_str()),
        ("http_proxy", url.as_str()),
        ("NO_PROXY", "127.0.0.1"),
    ];
    let synced = ok(waymark_with(
        &keychain,
        school.data_dir(),
        &bypass,
        &["--json", "sync"],
    ))
    .await
    .json();
    assert_eq!(
        synced["deliveries"].as_array().unwrap().len(),
        0,
        "{synced}"
    );
    assert_eq!(
        request_lines(&proxy).len(),
        before,
        "NO_PROXY=127.0.0.1 bypasses the proxy:\n{}",
        proxy.log()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn https_goes_through_the_proxy_in_a_connect_tunnel() {
    let pki = TestPki::generate();
    let endpoint = TestEndpoint::start_tls(&pki).await;
    let keychain = Keychain::start();
    let school = SchoolFixture::eligible_in(&keychain);
    let proxy = Tinyproxy::start();
    let url = proxy.url();
    let bundle = pki.trust_bundle_with_ca();
    let env = [
        ("HTTPS_PROXY", url.as_str()),
        ("https_proxy", url.as_str()),
        ("SSL_CERT_FILE", bundle.to_str().unwrap()),
    ];
    let code = enrollment_code(&endpoint).await;
    enrol_submit_sync(&keychain, &school, &env, &code).await;

    let lines = request_lines(&proxy);
    let connect = format!("CONNECT {} HTTP/1.1", endpoint_addr(&endpoint));
    assert!(
        lines.contains(&connect),
        "{connect} not in tinyproxy's log:\n{}",
        proxy.log()
    );
    // Only tunnels: the proxy never saw a request inside them.
    assert!(
        lines.iter().all(|l| l.starts_with("CONNECT ")),
        "{lines:#?}"
    );
    assert!(!proxy.log().contains("/v1/"), "{}", proxy.log());
}

/// What a school is told when the proxy wants a password, for either kind of endpoint.
struct Refusal {
    code: String,
    message: String,
}

async fn enrol_refused(
    keychain: &Keychain,
    data: &Path,
    env: &[(&str, &str)],
    code: &str,
) -> Refusal {
    let refused = fails(waymark_with(
        keychain,
        data,
        env,
        &["--json", "enroll", code],
    ))
    .await;
    let error = refused.error_json();
    Refusal {
        code: error["error"]["code"].as_str().unwrap().to_owned(),
        message: error["error"]["message"].as_str().unwrap().to_owned(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_proxy_that_wants_a_password_is_named_and_the_code_is_not_spent() {
    let pki = TestPki::generate();
    let endpoint = TestEndpoint::start_tls(&pki).await;
    let keychain = Keychain::start();
    let school = SchoolFixture::eligible_in(&keychain);
    let proxy = Tinyproxy::start_with_auth("school-proxy", "Pa55.word");
    let bare = proxy.url();
    let bundle = pki.trust_bundle_with_ca();
    let bundle = bundle.to_str().unwrap();
    let code = enrollment_code(&endpoint).await;

    // Without credentials: the CONNECT is answered 407, and the message says what to do.
    let env = [("HTTPS_PROXY", bare.as_str()), ("SSL_CERT_FILE", bundle)];
    let refused = enrol_refused(&keychain, school.data_dir(), &env, &code).await;
    assert_eq!(refused.code, "network_proxy", "{}", refused.message);
    for needed in [
        "wants a password",
        "HTTPS_PROXY as http://user:password@proxy:port",
        "Basic",
    ] {
        assert!(
            refused.message.contains(needed),
            "{needed:?} in {}",
            refused.message
        );
    }
    assert!(
        request_lines(&proxy)
            .iter()
            .any(|l| l.starts_with("CONNECT ")),
        "{}",
        proxy.log()
    );
    assert!(school.open().enrollment().unwrap().is_none());

    // With them, the same code works: the refused attempt spent nothing.
    let with = proxy.url_with_credentials().unwrap();
    let env = [("HTTPS_PROXY", with.as_str()), ("SSL_CERT_FILE", bundle)];
    enrol_submit_sync(&keychain, &school, &env, &code).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_proxy_that_wants_a_password_for_plain_http_is_named_too() {
    let endpoint = TestEndpoint::start().await;
    let keychain = Keychain::start();
    let school = SchoolFixture::eligible_in(&keychain);
    let proxy = Tinyproxy::start_with_auth("school-proxy", "Pa55.word");
    let bare = proxy.url();
    let code = enrollment_code(&endpoint).await;

    // Plain HTTP is forwarded, not tunnelled: the 407 is an HTTP answer to the request itself.
    let env = [("HTTP_PROXY", bare.as_str())];
    let refused = enrol_refused(&keychain, school.data_dir(), &env, &code).await;
    assert_eq!(refused.code, "network_proxy", "{}", refused.message);
    for needed in [
        "407",
        "wants a password",
        "HTTP_PROXY as http://user:password@proxy:port",
        "Basic",
    ] {
        assert!(
            refused.message.contains(needed),
            "{needed:?} in {}",
            refused.message
        );
    }
    assert!(school.open().enrollment().unwrap().is_none());

    let with = proxy.url_with_credentials().unwrap();
    let env = [("HTTP_PROXY", with.as_str())];
    enrol_submit_sync(&keychain, &school, &env, &code).await;
    let base = &endpoint.url;
    assert!(
        request_lines(&proxy).contains(&format!("POST {base}/v1/submissions HTTP/1.1")),
        "{}",
        proxy.log()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_filter_root_this_computer_does_not_trust_is_named_and_nothing_is_spent() {
    let pki = TestPki::generate();
    let endpoint = TestEndpoint::start_tls(&pki).await;
    let keychain = Keychain::start();
    let school = SchoolFixture::eligible_in(&keychain);
    let code = enrollment_code(&endpoint).await;

    // The OS store alone (the `waymark` helper removes SSL_CERT_FILE): the test CA, like a
    // filter's inspection root not yet installed, is not trusted.
    let refused = enrol_refused(&keychain, school.data_dir(), &[], &code).await;
    assert_eq!(refused.code, "network_tls", "{}", refused.message);
    for needed in [
        "UnknownIssuer",
        "web filter",
        "not trusted by this computer",
        "ask IT to install the filter's root certificate",
        "update-ca-certificates",
    ] {
        assert!(
            refused.message.contains(needed),
            "{needed:?} in {}",
            refused.message
        );
    }
    assert!(school.open().enrollment().unwrap().is_none());

    // Once the root is trusted, the same code works and a submission is sent.
    let bundle = pki.trust_bundle_with_ca();
    let env = [("SSL_CERT_FILE", bundle.to_str().unwrap())];
    enrol_submit_sync(&keychain, &school, &env, &code).await;
}

/// The big evidence file of the kill test.
const BIG: u64 = 64 * 1024 * 1024;
/// Bytes per PATCH in the killed run.
const CHUNK: u64 = 1024 * 1024;
/// What the HTTP requests of a run may add to the blobs' bytes (heads, JSON, the envelope).
const OVERHEAD: u64 = 256 * 1024;
/// How long the killed run gets to reach the point where it is killed.
const CATCH_WITHIN: Duration = Duration::from_secs(30);

/// What the school's database said once the killed run was dead.
#[derive(Debug)]
struct AtKill {
    bytes_sent: u64,
    held: HashSet<String>,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_mid_upload_the_next_run_resumes_and_sends_nothing_twice() {
    let endpoint = TestEndpoint::start().await;
    let keychain = Keychain::start();
    let school = SchoolFixture::eligible_in(&keychain);
    school.add_file("assembly.mp4", BIG);
    let data = school.data_dir().to_owned();
    let code = enrollment_code(&endpoint).await;
    let enrolled = ok(waymark(&keychain, &data, &["--json", "enroll", &code]))
        .await
        .json();
    let institution = enrolled["enrollment"]["institution_id"]
        .as_str()
        .unwrap()
        .to_owned();

    // Every byte the school sends goes through a counting proxy. The enrollment's endpoint is
    // pointed at it before anything is uploaded: an upload's Location is kept as an absolute
    // URL on the endpoint of the moment, so a resumed upload would otherwise bypass it.
    let proxy = FaultProxy::start(endpoint_addr(&endpoint), CutPlan::never());
    {
        let mut ws = school.open();
        let mut enrollment = ws.enrollment().unwrap().unwrap();
        enrollment.endpoint = proxy.url();
        ws.set_enrollment(&enrollment).unwrap();
    }
    let queued = ok(waymark(&keychain, &data, &submit_args(&school)))
        .await
        .json();
    assert_eq!(queued["sealed"], school.items.len() + 1, "{queued}");
    let submission_id = queued["submission"]["id"].as_str().unwrap().to_owned();

    let (blobs, big) = {
        let ws = school.open();
        let entry = ws.outbox_submission(&submission_id).unwrap();
        let blobs: Vec<_> = entry
            .blobs
            .iter()
            .map(|sha| ws.sealed_blob(sha).unwrap().unwrap())
            .collect();
        let big = blobs
            .iter()
            .find(|b| b.plain_size == BIG)
            .expect("the big file's blob")
            .clone();
        (blobs, big)
    };
    let small_total: u64 = blobs
        .iter()
        .filter(|b| b.sha256 != big.sha256)
        .map(|b| b.size)
        .sum();

    // Sync in 1 MiB PATCHes, and kill it (SIGKILL) once some blobs are held and more than a
    // quarter of the big one is on its way.
    let mut sync = waymark(
        &keychain,
        &data,
        &["--json", "sync", "--chunk", &CHUNK.to_string()],
    );
    sync.stdout(Stdio::null()).stderr(Stdio::null());
    let child = sync.spawn().expect("spawn waymark sync");
    let watched = data.clone();
    let keys = school.keys.clone();
    let id = submission_id.clone();
    let big_sha = big.sha256.clone();
    let at_kill = tokio::task::spawn_blocking(move || {
        let mut child = child;
        let ws = waymark_core::Workspace::open_with_keys(&watched, keys).unwrap();
        let deadline = Instant::now() + CATCH_WITHIN;
        let mut last = None;
        loop {
            if let Some(status) = child.try_wait().unwrap() {
                panic!(
                    "the sync finished ({status}) before it could be killed mid-upload \
                     (last seen: {last:?}): make the big file bigger or the chunk smaller"
                );
            }
            let entry = ws.outbox_submission(&id).unwrap();
            let held = ws
                .sealed_blobs()
                .unwrap()
                .into_iter()
                .filter(|b| b.held && entry.blobs.contains(&b.sha256))
                .count();
            let big_held = ws.sealed_blob(&big_sha).unwrap().unwrap().held;
            last = Some((held, entry.bytes_sent, entry.state));
            if held > 0 && entry.bytes_sent > BIG / 4 && !big_held && entry.server_id.is_none() {
                break;
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                let _ = child.wait();
                panic!(
                    "the sync did not get a quarter of the way within {CATCH_WITHIN:?} \
                     (held, bytes sent, state: {last:?})"
                );
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        child.kill().unwrap();
        let status = child.wait().unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::process::ExitStatusExt as _;
            assert_eq!(status.signal(), Some(9), "killed, not finished: {status}");
        }
        #[cfg(not(unix))]
        let _ = status;
        // What the dead process left (it may have recorded a little more after the last poll).
        let entry = ws.outbox_submission(&id).unwrap();
        assert_eq!(
            entry.state,
            waymark_core::outbox::OutboxState::Queued,
            "{entry:?}"
        );
        assert!(entry.server_id.is_none() && entry.receipt.is_none());
        let held = ws
            .sealed_blobs()
            .unwrap()
            .into_iter()
            .filter(|b| b.held && entry.blobs.contains(&b.sha256))
            .map(|b| b.sha256)
            .collect();
        AtKill {
            bytes_sent: entry.bytes_sent,
            held,
        }
    })
    .await
    .unwrap();
    assert!(!at_kill.held.contains(&big.sha256), "{at_kill:?}");
    let listed = ok(waymark(&keychain, &data, &["--json", "submissions"]))
        .await
        .json();
    assert_eq!(listed[0]["state"], "queued", "{listed}");

    // The endpoint acknowledged all of the big blob but the PATCH in flight: at least what was
    // put on the wire, less every other blob (each sent at most once) and one chunk.
    let big_acknowledged_at_least = at_kill
        .bytes_sent
        .saturating_sub(small_total)
        .saturating_sub(CHUNK);
    assert!(
        big_acknowledged_at_least > BIG / 5,
        "the kill came after a fifth of the big blob: {at_kill:?}"
    );
    let not_held: u64 = blobs
        .iter()
        .filter(|b| !at_kill.held.contains(&b.sha256))
        .map(|b| b.size)
        .sum();
    let still_to_send = not_held - big_acknowledged_at_least;

    // Restart: it is sent, and only what was missing went on the wire.
    let before = proxy.bytes_up();
    let synced = ok(waymark(&keychain, &data, &["--json", "sync"]))
        .await
        .json();
    let up = proxy.bytes_up() - before;
    let sent = &synced["deliveries"][0];
    eprintln!(
        "killed at {at_kill:?}; the restart sent {up} bytes through the proxy ({synced}); \
         at most {still_to_send} blob bytes were missing"
    );
    assert_eq!(sent["outcome"], "sent", "{synced}");
    assert!(sent["receipt"].is_object(), "{synced}");
    assert!(
        sent["blobs_held"].as_u64().unwrap() >= at_kill.held.len() as u64,
        "the blobs held at the kill are not sent again: {synced}"
    );
    let resent = sent["bytes_sent"].as_u64().unwrap();
    assert!(
        resent <= still_to_send,
        "the restarted run put {resent} blob bytes on the wire; at most {still_to_send} were \
         missing ({not_held} in blobs not held, of which the big blob's first \
         {big_acknowledged_at_least} were acknowledged): {at_kill:?}"
    );
    assert!(
        up < still_to_send + OVERHEAD,
        "the restarted run sent {up} bytes through the proxy; at most {still_to_send} blob \
         bytes were missing (+{OVERHEAD} for HTTP): {at_kill:?}"
    );

    // The saved receipt verifies offline against the pinned keys.
    let receipt = school.files.path().join("receipt.json");
    let server_id = sent["server_id"].as_str().unwrap();
    ok(waymark(
        &keychain,
        &data,
        &[
            "receipt",
            "save",
            server_id,
            "--out",
            receipt.to_str().unwrap(),
        ],
    ))
    .await;
    let verified = ok(waymark(
        &keychain,
        &data,
        &["receipt", "verify", receipt.to_str().unwrap()],
    ))
    .await;
    assert!(verified.stdout.contains("Genuine"), "{}", verified.stdout);

    // The endpoint has exactly one submission from the school, in one version.
    let (status, list) = endpoint
        .admin("GET".parse().unwrap(), "/v1/admin/submissions", None)
        .await;
    assert_eq!(status, 200, "{list}");
    let theirs: Vec<&Value> = list["submissions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["institution"] == institution.as_str())
        .collect();
    assert_eq!(theirs.len(), 1, "{list}");
    assert_eq!(theirs[0]["id"], server_id, "{list}");
    assert_eq!(theirs[0]["versions"], 1, "{list}");
}
