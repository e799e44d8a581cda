//! Two instances of one endpoint on the same PostgreSQL database and S3 bucket, as behind a
//! load balancer: a school's requests land on either. What must hold: an upload started on one
//! is resumed on the other; the same envelope committed on both at once is one submission
//! with one receipt; two decisions racing on one submission leave one of them and a history
//! that reads in order. Always on the shared stores (real PostgreSQL and s3s-fs on loopback,
//! from waymark-harness), whatever `WAYMARK_TEST_STORAGE` says.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use reqwest::Method;
use serde_json::{Value, json};
use waymark_protocol::api::HeldResponse;
use waymark_protocol::envelope::{BlobRef, ENVELOPE_FORMAT, Envelope};
use waymark_protocol::ids::FrameworkRef;
use waymark_protocol::{Sha256, SubmissionId};

use common::flow::{
    Now as _, TECHNOLOGY, assign, evidence_request, recommendation, school_events, step, submit,
};
use common::{Storage, TestServer};

const MIB: usize = 1024 * 1024;
/// Rounds of each race (bounded; each is a few requests on loopback).
const ROUNDS: usize = 8;

async fn pair() -> (TestServer, TestServer) {
    let a = TestServer::start_on(Storage::PostgresS3).await;
    let b = a.second_instance().await;
    (a, b)
}

/// Deterministic bytes standing in for an age ciphertext.
fn bytes(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed))
        .collect()
}

async fn patch(
    server: &TestServer,
    token: &str,
    location: &str,
    offset: usize,
    chunk: &[u8],
) -> reqwest::Response {
    server
        .http
        .patch(format!("{}{location}", server.url))
        .bearer_auth(token)
        .header("Tus-Resumable", "1.0.0")
        .header("Upload-Offset", offset.to_string())
        .header("Content-Type", "application/offset+octet-stream")
        .body(chunk.to_vec())
        .send()
        .await
        .unwrap()
}

async fn offset_on(server: &TestServer, token: &str, location: &str) -> usize {
    let head = server
        .http
        .head(format!("{}{location}", server.url))
        .bearer_auth(token)
        .header("Tus-Resumable", "1.0.0")
        .send()
        .await
        .unwrap();
    assert_eq!(head.status().as_u16(), 200);
    head.headers()["upload-offset"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_upload_started_on_one_instance_is_resumed_and_finished_on_the_other() {
    let (a, b) = pair().await;
    let school = a.enrol_school("Ysgol Dau Weinydd").await;
    // 13 MiB: chunks of 6 MiB go to S3 as multipart writes of more than one part.
    let data = bytes(13 * MIB, 7);
    let sha256 = Sha256::of(&data);
    let location = common::flow::create_upload(&a, &school, &data).await;

    // The first chunk on A; B knows where it stands.
    let first = patch(&a, &school.token, &location, 0, &data[..6 * MIB]).await;
    assert_eq!(first.status().as_u16(), 204);
    assert_eq!(offset_on(&b, &school.token, &location).await, 6 * MIB);

    // The rest on B, which never saw the start (it reads it back to check the whole hash).
    let second = patch(
        &b,
        &school.token,
        &location,
        6 * MIB,
        &data[6 * MIB..12 * MIB],
    )
    .await;
    assert_eq!(second.status().as_u16(), 204);
    // A PATCH at the old offset on A is refused with where it stands: nothing is taken twice.
    let stale = patch(
        &a,
        &school.token,
        &location,
        6 * MIB,
        &data[6 * MIB..7 * MIB],
    )
    .await;
    assert_eq!(stale.status().as_u16(), 409);
    assert_eq!(offset_on(&a, &school.token, &location).await, 12 * MIB);
    let last = patch(&b, &school.token, &location, 12 * MIB, &data[12 * MIB..]).await;
    assert_eq!(
        last.status().as_u16(),
        204,
        "{}",
        last.text().await.unwrap()
    );

    // Both instances hold the blob; its bytes from A are the bytes sent.
    let blob = BlobRef {
        sha256,
        size: data.len() as u64,
    };
    for server in [&a, &b] {
        let (status, body) = server
            .call(
                Method::POST,
                "/v1/blobs/held",
                Some(&school.token),
                Some(json!({ "sha256": [sha256] })),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        let held: HeldResponse = serde_json::from_value(body).unwrap();
        assert_eq!(held.held, vec![blob], "on {}", server.url);
    }
    let (stored, mut stream) = waymark_server::blobs::read(&a.state, school.id, sha256)
        .await
        .unwrap();
    assert_eq!(stored, blob);
    let mut back = Vec::with_capacity(data.len());
    while let Some(part) = futures::StreamExt::next(&mut stream).await {
        back.extend_from_slice(&part.unwrap());
    }
    assert!(back == data, "the stored bytes differ from those sent");
}

/// An envelope for `manifest`, signed, as JSON for `POST /v1/submissions`.
fn envelope(server: &TestServer, school: &common::School, manifest: BlobRef) -> Value {
    let (framework, version, award) = TECHNOLOGY;
    let signed = Envelope {
        format: ENVELOPE_FORMAT,
        institution: school.id,
        framework: FrameworkRef {
            id: framework.into(),
            version: version.into(),
        },
        award: award.into(),
        created_at: server.clock_now(),
        nonce: Envelope::new_nonce(),
        responds_to: None,
        key_set: school.code.fingerprint.clone(),
        manifest,
        blobs: Vec::new(),
    }
    .sign(&school.key);
    json!({ "envelope": signed })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_envelope_committed_on_both_instances_at_once_is_one_submission() {
    let (a, b) = pair().await;
    let school = a.enrol_school("Ysgol Un Cyflwyniad").await;
    let mut ids = Vec::new();
    for round in 0..ROUNDS {
        let manifest = common::flow::upload(&a, &school, &bytes(4096, round as u8)).await;
        let body = envelope(&a, &school, manifest);
        let (one, two) = tokio::join!(
            a.call(
                Method::POST,
                "/v1/submissions",
                Some(&school.token),
                Some(body.clone())
            ),
            b.call(
                Method::POST,
                "/v1/submissions",
                Some(&school.token),
                Some(body.clone())
            ),
        );
        // The first to commit makes it (201); the other gets the same receipt again (200).
        let mut statuses = [one.0, two.0];
        statuses.sort_unstable();
        assert_eq!(statuses, [200, 201], "round {round}: {one:?} {two:?}");
        assert_eq!(one.1["submission"], two.1["submission"], "round {round}");
        assert_eq!(one.1["receipt"], two.1["receipt"], "round {round}");
        ids.push(one.1["submission"].as_str().unwrap().to_owned());
    }
    let (status, list) = b.admin(Method::GET, "/v1/admin/submissions", None).await;
    assert_eq!(status, 200, "{list}");
    let listed = list["submissions"].as_array().unwrap();
    assert_eq!(listed.len(), ROUNDS, "{list}");
    for s in listed {
        assert_eq!(s["versions"], 1, "{s}");
        assert!(ids.iter().any(|id| s["id"] == *id), "{s}");
    }
}

/// The events read in order: sequences strictly increasing, and the first a receipt's.
fn assert_in_order(events: &[Value]) {
    let sequences: Vec<u64> = events
        .iter()
        .map(|e| e["sequence"].as_u64().unwrap())
        .collect();
    assert!(
        sequences.windows(2).all(|w| w[0] < w[1]),
        "sequences out of order: {sequences:?}"
    );
    assert_eq!(events[0]["kind"]["type"], "received", "{events:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_decisions_racing_on_two_instances_leave_one_and_a_history_in_order() {
    let (a, b) = pair().await;
    let school = a.enrol_school("Ysgol Ras").await;
    let assessor = a.enrol_assessor("Ann Assessor").await;
    let moderator = b.enrol_assessor("Mo Moderator").await;
    for round in 0..ROUNDS {
        let sub: SubmissionId = submit(&a, &school).await.id;
        assert_eq!(assign(&b, sub, &assessor, &moderator).await.0, 200);

        // The assessor asks for more evidence on A while recommending on B.
        let (asked, recommended) = tokio::join!(
            step(&a, &assessor, sub, "request-evidence", evidence_request()),
            step(&b, &assessor, sub, "recommend", recommendation("award")),
        );
        let mut statuses = [asked.0, recommended.0];
        statuses.sort_unstable();
        assert_eq!(
            statuses,
            [200, 409],
            "round {round}: {asked:?} {recommended:?}"
        );
        let loser = if asked.0 == 409 {
            &asked.1
        } else {
            &recommended.1
        };
        assert_eq!(loser["code"], "transition_not_allowed", "{loser}");
        let events = school_events(&b, &school, sub).await;
        assert_in_order(&events);
        let decided = events
            .iter()
            .filter(|e| {
                matches!(
                    e["kind"]["type"].as_str(),
                    Some("evidence_requested" | "recommended")
                )
            })
            .count();
        assert_eq!(decided, 1, "round {round}: {events:?}");

        if recommended.0 == 200 {
            // The moderator confirms on A while sending back on B.
            let (confirmed, sent_back) = tokio::join!(
                step(
                    &a,
                    &moderator,
                    sub,
                    "moderate",
                    json!({"decision": "confirm"})
                ),
                step(
                    &b,
                    &moderator,
                    sub,
                    "moderate",
                    json!({"decision": "send_back", "reason": "Second thoughts"})
                ),
            );
            let mut statuses = [confirmed.0, sent_back.0];
            statuses.sort_unstable();
            assert_eq!(
                statuses,
                [200, 409],
                "round {round}: {confirmed:?} {sent_back:?}"
            );
            let events = school_events(&a, &school, sub).await;
            assert_in_order(&events);
            let decisions = events
                .iter()
                .filter(|e| matches!(e["kind"]["type"].as_str(), Some("awarded" | "sent_back")))
                .count();
            assert_eq!(decisions, 1, "round {round}: {events:?}");
        }
    }
}

#[tokio::test]
async fn a_second_instance_is_a_copy_and_init_refuses_a_database_already_in_use() {
    let (a, _) = pair().await;
    let data = tempfile::tempdir().unwrap();
    let identity = tempfile::tempdir().unwrap();
    std::fs::write(
        data.path().join(waymark_server::config::CONFIG_FILE),
        a.shared.as_ref().unwrap().storage_toml(),
    )
    .unwrap();
    let err = waymark_server::init::init(
        data.path(),
        waymark_server::init::InitOptions {
            awarding_body: "Another Board".into(),
            public_url: "http://127.0.0.1:1".into(),
            listen: "127.0.0.1:0".parse().unwrap(),
            recipients: Vec::new(),
            identity_out: Some(identity.path().join("board.age")),
        },
        a.clock.clone(),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(err, waymark_server::init::InitError::SharedStoreInUse(_)),
        "{err}"
    );
    assert!(
        err.to_string()
            .contains("copy of the first one's data folder"),
        "{err}"
    );
    assert!(
        !data
            .path()
            .join(waymark_server::keys::SIGNING_KEY_FILE)
            .exists(),
        "no signing key was made"
    );
}
