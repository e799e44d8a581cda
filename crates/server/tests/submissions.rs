//! Committing signed envelopes and following their review, against the real server on
//! loopback: receipts, idempotency, every refusal, another school's data, polling, the
//! re-submission after a request for more evidence, and that nothing a school wrote is ever on
//! the server's disk in clear.

#![allow(clippy::unwrap_used, missing_docs)]

mod common;

use common::assert_refused;

use reqwest::Method;
use serde_json::{Value, json};
use waymark_protocol::api::{
    CommitRequest, CommitResponse, EventList, HeldResponse, SubmissionList, SubmissionStatus,
};
use waymark_protocol::crypt::{Recipient, encrypt_bytes};
use waymark_protocol::envelope::{BlobRef, ENVELOPE_FORMAT, Envelope};
use waymark_protocol::ids::FrameworkRef;
use waymark_protocol::keys::{Fingerprint, KeySet};
use waymark_protocol::manifest::{
    EvidenceLink, MANIFEST_FORMAT, Manifest, ManifestEvidence, ManifestInstitution,
    ManifestResponse,
};
use waymark_protocol::receipt::verify_receipt;
use waymark_protocol::review::{
    Actor, BenchmarkRequest, EventKind, EvidenceRequest, ReviewState, Role,
};
use waymark_protocol::signed::{SecretKey, Signed};
use waymark_protocol::{AssessorId, Sha256, SubmissionId};
use waymark_server::keys::current_key_set;
use waymark_server::meta::submissions::{ReviewChanges, Transition};

use common::flow::upload;
use common::{School, TestServer};

// ---------------------------------------------------------------------------------------------
// Building submissions the way the school's app does

/// The awarding body's current key set, as the school encrypts to it.
struct Board {
    fingerprint: Fingerprint,
    set: KeySet,
}

impl Board {
    async fn of(server: &TestServer) -> Self {
        let (signed, set) = current_key_set(server.state.meta.as_ref()).await.unwrap();
        Self {
            fingerprint: signed.fingerprint(),
            set,
        }
    }

    fn recipients(&self) -> Vec<Recipient> {
        self.set.recipients.iter().map(|r| r.age.clone()).collect()
    }

    fn encrypt(&self, plain: &[u8]) -> (Vec<u8>, BlobRef) {
        let cipher = encrypt_bytes(plain, &self.recipients()).unwrap();
        let blob = BlobRef {
            sha256: Sha256::of(&cipher),
            size: cipher.len() as u64,
        };
        (cipher, blob)
    }
}

/// An evidence file, encrypted once (a re-submission reuses the same ciphertext).
#[derive(Clone)]
struct Evidence {
    file_name: String,
    size: u64,
    cipher: Vec<u8>,
    blob: BlobRef,
}

fn evidence(board: &Board, file_name: &str, plain: &[u8]) -> Evidence {
    let (cipher, blob) = board.encrypt(plain);
    Evidence {
        file_name: file_name.to_owned(),
        size: plain.len() as u64,
        cipher,
        blob,
    }
}

fn framework() -> FrameworkRef {
    FrameworkRef {
        id: "computing-quality".into(),
        version: "2.0".into(),
    }
}

/// A signed envelope with its encrypted manifest and evidence.
struct Draft {
    envelope: Envelope,
    signed: Signed,
    manifest: Vec<u8>,
    evidence: Vec<Evidence>,
}

struct Spec<'a> {
    commentary: &'a str,
    evidence: Vec<Evidence>,
    responds_to: Option<SubmissionId>,
    framework: FrameworkRef,
    award: &'a str,
}

impl Default for Spec<'_> {
    fn default() -> Self {
        Self {
            commentary: "Pupils in every year group program physical devices.",
            evidence: Vec::new(),
            responds_to: None,
            framework: framework(),
            award: "quality-mark",
        }
    }
}

fn draft(board: &Board, school: &School, spec: Spec<'_>) -> Draft {
    let manifest = Manifest {
        format: MANIFEST_FORMAT,
        institution: ManifestInstitution {
            name: "Test School".into(),
            identifier: None,
        },
        framework: spec.framework.clone(),
        award: spec.award.into(),
        prepared_at: common::start_time(),
        prepared_by: "Head of Computing".into(),
        responses: vec![ManifestResponse {
            benchmark: "1.1".into(),
            level: Some(4),
            commentary: spec.commentary.into(),
            updated_at: None,
            updated_by: None,
        }],
        history: Vec::new(),
        actions: Vec::new(),
        working_group: Vec::new(),
        evidence: spec
            .evidence
            .iter()
            .enumerate()
            .map(|(i, e)| ManifestEvidence {
                id: format!("ev-{i}"),
                title: format!("Evidence {i}"),
                file_name: e.file_name.clone(),
                size: e.size,
                blake3: "0".repeat(64),
                links: vec![EvidenceLink {
                    benchmark: "1.1".into(),
                    requirement: None,
                }],
                personal_data: false,
                blob: e.blob,
            })
            .collect(),
    };
    let (manifest_cipher, manifest_blob) = board.encrypt(&serde_json::to_vec(&manifest).unwrap());
    let envelope = Envelope {
        format: ENVELOPE_FORMAT,
        institution: school.id,
        framework: spec.framework,
        award: spec.award.into(),
        created_at: common::start_time(),
        nonce: Envelope::new_nonce(),
        responds_to: spec.responds_to,
        key_set: board.fingerprint.clone(),
        manifest: manifest_blob,
        blobs: spec.evidence.iter().map(|e| e.blob).collect(),
    };
    Draft {
        signed: envelope.sign(&school.key),
        envelope,
        manifest: manifest_cipher,
        evidence: spec.evidence,
    }
}

// ---------------------------------------------------------------------------------------------
// Talking to the server

/// Uploads the draft's manifest and evidence as `school`.
async fn upload_all(server: &TestServer, school: &School, draft: &Draft) {
    upload(server, school, &draft.manifest).await;
    for e in &draft.evidence {
        upload(server, school, &e.cipher).await;
    }
}

async fn commit(server: &TestServer, school: &School, signed: &Signed) -> (u16, Value) {
    let body = serde_json::to_value(CommitRequest {
        envelope: signed.clone(),
    })
    .unwrap();
    server
        .call(
            Method::POST,
            "/v1/submissions",
            Some(&school.token),
            Some(body),
        )
        .await
}

/// Commits and expects a new submission (201).
async fn commit_new(server: &TestServer, school: &School, signed: &Signed) -> CommitResponse {
    let (status, body) = commit(server, school, signed).await;
    assert_eq!(status, 201, "{body}");
    let response: CommitResponse = serde_json::from_value(body).unwrap();
    assert!(response.created);
    response
}

async fn get(server: &TestServer, school: &School, path: &str) -> (u16, Value) {
    server
        .call(Method::GET, path, Some(&school.token), None)
        .await
}

async fn status_of(server: &TestServer, school: &School, id: SubmissionId) -> SubmissionStatus {
    let (status, body) = get(server, school, &format!("/v1/submissions/{id}")).await;
    assert_eq!(status, 200, "{body}");
    serde_json::from_value(body).unwrap()
}

/// Moves a submission through a review step directly in the store (the review's own API is
/// tested with the review workflow).
async fn step(
    server: &TestServer,
    id: SubmissionId,
    from: ReviewState,
    to: ReviewState,
    actor: Actor,
    kind: EventKind,
    changes: ReviewChanges,
) {
    server
        .state
        .meta
        .transition(Transition {
            submission: id,
            from,
            to,
            at: server.state.clock.now(),
            actor,
            kind,
            changes,
        })
        .await
        .unwrap()
        .unwrap();
}

/// Assigns an assessor and has them ask for more evidence: the submission is then
/// `more_evidence_requested`.
async fn request_more_evidence(server: &TestServer, id: SubmissionId) -> AssessorId {
    let assessor = server.enrol_assessor("Ann Assessor").await.id;
    let moderator = server.enrol_assessor("Mo Moderator").await.id;
    let due = chrono::NaiveDate::from_ymd_opt(2026, 3, 30).unwrap();
    step(
        server,
        id,
        ReviewState::Received,
        ReviewState::UnderReview,
        Actor {
            role: Role::AwardingBody,
            assessor: None,
        },
        EventKind::Assigned { review_due: due },
        ReviewChanges {
            assessor: Some(assessor),
            moderator: Some(moderator),
            review_due: Some(due),
            ..ReviewChanges::default()
        },
    )
    .await;
    let request = EvidenceRequest {
        message: "Please show the robotics club's work.".into(),
        benchmarks: vec![BenchmarkRequest {
            benchmark: "1.1".into(),
            message: "A photo of the club's projects.".into(),
        }],
    };
    step(
        server,
        id,
        ReviewState::UnderReview,
        ReviewState::MoreEvidenceRequested,
        Actor {
            role: Role::Assessor,
            assessor: Some(assessor),
        },
        EventKind::EvidenceRequested {
            request: request.clone(),
        },
        ReviewChanges {
            request: Some(Some(request)),
            ..ReviewChanges::default()
        },
    )
    .await;
    assessor
}

// ---------------------------------------------------------------------------------------------
// Tests

#[tokio::test]
async fn a_commit_gets_a_receipt_that_verifies_and_the_same_envelope_again_gets_the_same_one() {
    let server = TestServer::start().await;
    let school = server.enrol_school("Ysgol Receipt").await;
    let board = Board::of(&server).await;
    let e = evidence(&board, "club.jpg", b"a photo of the club");
    let d = draft(
        &board,
        &school,
        Spec {
            evidence: vec![e],
            ..Spec::default()
        },
    );
    upload_all(&server, &school, &d).await;

    let first = commit_new(&server, &school, &d.signed).await;
    let receipt = verify_receipt(&first.receipt, &board.set, Some(&d.signed)).unwrap();
    assert_eq!(receipt.envelope_sha256, d.signed.body_sha256());
    assert_eq!(receipt.submission, first.submission);
    assert_eq!(receipt.institution, school.id);
    assert_eq!(receipt.version, 1);
    assert_eq!(receipt.received_at, common::start_time());

    // A retry (the school never saw the first answer) gets the same receipt and records nothing.
    let (status, body) = commit(&server, &school, &d.signed).await;
    assert_eq!(status, 200, "{body}");
    let again: CommitResponse = serde_json::from_value(body).unwrap();
    assert!(!again.created);
    assert_eq!(again.receipt, first.receipt);
    assert_eq!(again.submission, first.submission);

    let (status, body) = get(&server, &school, "/v1/submissions").await;
    assert_eq!(status, 200, "{body}");
    let list: SubmissionList = serde_json::from_value(body).unwrap();
    assert_eq!(list.submissions.len(), 1);
    let summary = &list.submissions[0];
    assert_eq!(summary.id, first.submission);
    assert_eq!(summary.institution_name, "Ysgol Receipt");
    assert_eq!(summary.state, ReviewState::Received);
    assert_eq!(summary.versions, 1);
    assert_eq!(summary.award, "quality-mark");

    let status = status_of(&server, &school, first.submission).await;
    assert_eq!(status.receipts, vec![first.receipt.clone()]);
    assert_eq!(status.last_event, receipt.sequence);
    assert_eq!(status.request, None);

    let (code, body) = get(
        &server,
        &school,
        &format!("/v1/submissions/{}/events", first.submission),
    )
    .await;
    assert_eq!(code, 200, "{body}");
    let events: EventList = serde_json::from_value(body).unwrap();
    assert_eq!(events.events.len(), 1);
    assert_eq!(events.events[0].sequence, receipt.sequence);
    assert_eq!(
        events.events[0].kind,
        EventKind::Received {
            version: 1,
            envelope_sha256: receipt.envelope_sha256
        }
    );

    // A second submission sorts first and has a later sequence.
    let d2 = draft(&board, &school, Spec::default());
    upload_all(&server, &school, &d2).await;
    server.clock.advance(chrono::Duration::minutes(5));
    let second = commit_new(&server, &school, &d2.signed).await;
    let receipt2 = verify_receipt(&second.receipt, &board.set, Some(&d2.signed)).unwrap();
    assert!(receipt2.sequence > receipt.sequence);
    let (_, body) = get(&server, &school, "/v1/submissions").await;
    let list: SubmissionList = serde_json::from_value(body).unwrap();
    let ids: Vec<_> = list.submissions.iter().map(|s| s.id).collect();
    assert_eq!(ids, [second.submission, first.submission]);

    // The receipt survives a restart.
    let server = server.restart().await;
    let (status, body) = commit(&server, &school, &d.signed).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["receipt"],
        serde_json::to_value(&first.receipt).unwrap()
    );
}

#[tokio::test]
async fn a_changed_byte_or_another_key_is_a_bad_signature() {
    let server = TestServer::start().await;
    let school = server.enrol_school("Signed School").await;
    let board = Board::of(&server).await;
    let d = draft(&board, &school, Spec::default());
    upload_all(&server, &school, &d).await;

    // One hex digit of the nonce changed: still an envelope, no longer what was signed.
    let mut changed = d.signed.clone();
    let body = &mut changed.body.0;
    let at = body.windows(9).position(|w| w == b"\"nonce\":\"").unwrap() + 9;
    body[at] = if body[at] == b'a' { b'b' } else { b'a' };
    let (status, body) = commit(&server, &school, &changed).await;
    assert_refused(status, &body, 422, "bad_signature");

    let stranger = SecretKey::generate();
    let (status, body) = commit(&server, &school, &d.envelope.sign(&stranger)).await;
    assert_refused(status, &body, 422, "bad_signature");

    // A body that is not an envelope at all.
    let mut garbage = d.signed.clone();
    garbage.body.0 = b"not json".to_vec();
    let (status, body) = commit(&server, &school, &garbage).await;
    assert_refused(status, &body, 400, "bad_request");

    let (_, body) = get(&server, &school, "/v1/submissions").await;
    assert_eq!(body["submissions"], json!([]), "nothing was recorded");
    // The real one still goes in.
    commit_new(&server, &school, &d.signed).await;
}

#[tokio::test]
async fn a_blob_not_uploaded_or_uploaded_by_another_school_is_missing() {
    let server = TestServer::start().await;
    let school = server.enrol_school("Missing School").await;
    let other = server.enrol_school("Other School").await;
    let board = Board::of(&server).await;
    let held = evidence(&board, "held.pdf", b"uploaded by this school");
    let absent = evidence(&board, "absent.pdf", b"never uploaded");
    let elsewhere = evidence(&board, "elsewhere.pdf", b"uploaded by the other school");
    let d = draft(
        &board,
        &school,
        Spec {
            evidence: vec![held.clone(), absent.clone(), elsewhere.clone()],
            ..Spec::default()
        },
    );
    upload(&server, &school, &d.manifest).await;
    upload(&server, &school, &held.cipher).await;
    upload(&server, &other, &elsewhere.cipher).await;

    let (status, body) = commit(&server, &school, &d.signed).await;
    assert_refused(status, &body, 422, "missing_blob");
    let message = body["message"].as_str().unwrap();
    assert!(message.contains(&absent.blob.sha256.to_hex()), "{message}");
    assert!(
        message.contains(&elsewhere.blob.sha256.to_hex()),
        "{message}"
    );
    assert!(!message.contains(&held.blob.sha256.to_hex()), "{message}");

    // Once this school has uploaded them itself, the same envelope goes in.
    upload(&server, &school, &absent.cipher).await;
    upload(&server, &school, &elsewhere.cipher).await;
    commit_new(&server, &school, &d.signed).await;
}

#[tokio::test]
async fn an_envelope_for_another_institution_or_an_unknown_key_set_is_invalid() {
    let server = TestServer::start().await;
    let school = server.enrol_school("Honest School").await;
    let other = server.enrol_school("Other School").await;
    let board = Board::of(&server).await;

    // Signed by the school but naming the other institution.
    let mut d = draft(&board, &school, Spec::default());
    upload_all(&server, &school, &d).await;
    d.envelope.institution = other.id;
    let (status, body) = commit(&server, &school, &d.envelope.sign(&school.key)).await;
    assert_refused(status, &body, 422, "invalid_envelope");

    // The school's own, genuine envelope sent with the other school's token.
    let genuine = draft(&board, &school, Spec::default());
    upload_all(&server, &school, &genuine).await;
    let (status, body) = commit(&server, &other, &genuine.signed).await;
    assert_refused(status, &body, 422, "invalid_envelope");

    // Encrypted to a key set the awarding body never published.
    let mut stray = draft(&board, &school, Spec::default());
    upload_all(&server, &school, &stray).await;
    stray.envelope.key_set = Fingerprint("0".repeat(32));
    let (status, body) = commit(&server, &school, &stray.envelope.sign(&school.key)).await;
    assert_refused(status, &body, 422, "invalid_envelope");
    assert!(body["message"].as_str().unwrap().contains("key set"));

    // An assessor's or the admin's token may not commit at all.
    let assessor = server.enrol_assessor("Ann").await;
    let (status, body) = server
        .call(
            Method::POST,
            "/v1/submissions",
            Some(&assessor.token),
            Some(json!({"envelope": genuine.signed})),
        )
        .await;
    assert_refused(status, &body, 403, "forbidden");
}

#[tokio::test]
async fn an_unknown_framework_or_award_or_a_certificate_is_unknown_award() {
    let server = TestServer::start().await;
    let school = server.enrol_school("Ambitious School").await;
    let board = Board::of(&server).await;
    let cases = [
        (
            FrameworkRef {
                id: "no-such-framework".into(),
                version: "1.0".into(),
            },
            "quality-mark",
        ),
        (
            FrameworkRef {
                id: "computing-quality".into(),
                version: "9.9".into(),
            },
            "quality-mark",
        ),
        (framework(), "no-such-award"),
        // Printed by the school itself: never applied for.
        (framework(), "commitment"),
    ];
    for (fw, award) in cases {
        let d = draft(
            &board,
            &school,
            Spec {
                framework: fw.clone(),
                award,
                ..Spec::default()
            },
        );
        upload_all(&server, &school, &d).await;
        let (status, body) = commit(&server, &school, &d.signed).await;
        assert_eq!(status, 422, "{fw:?} {award}: {body}");
        assert_eq!(body["code"], "unknown_award", "{fw:?} {award}: {body}");
    }
}

#[tokio::test]
async fn a_resubmission_is_refused_unless_more_evidence_was_requested() {
    let server = TestServer::start().await;
    let school = server.enrol_school("Eager School").await;
    let other = server.enrol_school("Other School").await;
    let board = Board::of(&server).await;
    let d = draft(&board, &school, Spec::default());
    upload_all(&server, &school, &d).await;
    let first = commit_new(&server, &school, &d.signed).await;

    let again = draft(
        &board,
        &school,
        Spec {
            responds_to: Some(first.submission),
            ..Spec::default()
        },
    );
    upload_all(&server, &school, &again).await;
    let (status, body) = commit(&server, &school, &again.signed).await;
    assert_refused(status, &body, 409, "transition_not_allowed");
    assert!(
        body["message"].as_str().unwrap().contains("received"),
        "names the state: {body}"
    );

    // Answering another school's submission, or one that does not exist: not found.
    let theirs = draft(
        &board,
        &other,
        Spec {
            responds_to: Some(first.submission),
            ..Spec::default()
        },
    );
    upload_all(&server, &other, &theirs).await;
    let (status, body) = commit(&server, &other, &theirs.signed).await;
    assert_refused(status, &body, 404, "not_found");
    let nowhere = draft(
        &board,
        &school,
        Spec {
            responds_to: Some(SubmissionId::new()),
            ..Spec::default()
        },
    );
    upload_all(&server, &school, &nowhere).await;
    let (status, body) = commit(&server, &school, &nowhere.signed).await;
    assert_refused(status, &body, 404, "not_found");

    let status = status_of(&server, &school, first.submission).await;
    assert_eq!(status.summary.state, ReviewState::Received);
    assert_eq!(status.summary.versions, 1);
}

#[tokio::test]
async fn another_schools_submission_does_not_exist_and_malformed_ids_are_bad_requests() {
    let server = TestServer::start().await;
    let school = server.enrol_school("Private School").await;
    let other = server.enrol_school("Nosy School").await;
    let board = Board::of(&server).await;
    let d = draft(&board, &school, Spec::default());
    upload_all(&server, &school, &d).await;
    let mine = commit_new(&server, &school, &d.signed).await.submission;

    for path in [
        format!("/v1/submissions/{mine}"),
        format!("/v1/submissions/{mine}/events"),
        format!("/v1/submissions/{}", SubmissionId::new()),
    ] {
        let (status, body) = get(&server, &other, &path).await;
        assert_refused(status, &body, 404, "not_found");
    }
    let (_, body) = get(&server, &other, "/v1/submissions").await;
    assert_eq!(body["submissions"], json!([]));

    for path in [
        "/v1/submissions/not-an-id".to_owned(),
        "/v1/submissions/..%2F..%2Fetc/events".to_owned(),
        format!("/v1/submissions/{mine}/events?since=minus-one"),
    ] {
        let (status, body) = get(&server, &school, &path).await;
        assert_refused(status, &body, 400, "bad_request");
    }
    let (status, body) = server
        .call(Method::GET, &format!("/v1/submissions/{mine}"), None, None)
        .await;
    assert_refused(status, &body, 401, "unauthorized");
}

#[tokio::test]
async fn polling_with_if_none_match_is_answered_304_until_something_changes() {
    let server = TestServer::start().await;
    let school = server.enrol_school("Polling School").await;
    let board = Board::of(&server).await;
    let d = draft(&board, &school, Spec::default());
    upload_all(&server, &school, &d).await;
    let id = commit_new(&server, &school, &d.signed).await.submission;
    let url = format!("{}/v1/submissions/{id}", server.url);

    let first = server
        .http
        .get(&url)
        .bearer_auth(&school.token)
        .send()
        .await
        .unwrap();
    assert_eq!(first.status(), 200);
    let tag = first.headers()["etag"].to_str().unwrap().to_owned();
    let status: SubmissionStatus = first.json().await.unwrap();
    assert_eq!(tag, format!("\"{}\"", status.last_event));

    let unchanged = server
        .http
        .get(&url)
        .bearer_auth(&school.token)
        .header("If-None-Match", &tag)
        .send()
        .await
        .unwrap();
    assert_eq!(unchanged.status(), 304);
    assert_eq!(unchanged.headers()["etag"], tag.as_str());
    assert!(unchanged.bytes().await.unwrap().is_empty());

    // The assessor asks for more: the tag moves on, and the school sees the request and who
    // asked by role only.
    let assessor = request_more_evidence(&server, id).await;
    let changed = server
        .http
        .get(&url)
        .bearer_auth(&school.token)
        .header("If-None-Match", &tag)
        .send()
        .await
        .unwrap();
    assert_eq!(changed.status(), 200);
    let new_tag = changed.headers()["etag"].to_str().unwrap().to_owned();
    assert_ne!(new_tag, tag);
    let status: SubmissionStatus = changed.json().await.unwrap();
    assert_eq!(status.summary.state, ReviewState::MoreEvidenceRequested);
    assert_eq!(
        status.request.unwrap().message,
        "Please show the robotics club's work."
    );
    assert!(status.summary.review_due.is_some());

    let (code, body) = get(
        &server,
        &school,
        &format!(
            "/v1/submissions/{id}/events?since={}",
            status.last_event - 2
        ),
    )
    .await;
    assert_eq!(code, 200, "{body}");
    let text = body.to_string();
    assert!(!text.contains(&assessor.to_string()), "{text}");
    let events: EventList = serde_json::from_value(body).unwrap();
    assert_eq!(events.events.len(), 2);
    assert_eq!(events.events[1].actor.role, Role::Assessor);
    assert_eq!(events.events[1].actor.assessor, None);
    assert_eq!(events.events[1].sequence, status.last_event);
    let (_, body) = get(
        &server,
        &school,
        &format!("/v1/submissions/{id}/events?since={}", status.last_event),
    )
    .await;
    assert_eq!(body["events"], json!([]));
}

#[tokio::test]
async fn a_resubmission_after_a_request_is_version_two_and_reuses_held_blobs() {
    let server = TestServer::start().await;
    let school = server.enrol_school("Thorough School").await;
    let board = Board::of(&server).await;
    let plan = evidence(&board, "plan.pdf", b"the computing plan");
    let photo = evidence(&board, "photo.jpg", b"a photo of the lab");
    let d1 = draft(
        &board,
        &school,
        Spec {
            evidence: vec![plan.clone(), photo.clone()],
            ..Spec::default()
        },
    );
    upload_all(&server, &school, &d1).await;
    let first = commit_new(&server, &school, &d1.signed).await;
    let id = first.submission;
    request_more_evidence(&server, id).await;

    // The answer keeps the two files (same ciphertext) and adds the club's projects.
    let club = evidence(&board, "club.jpg", b"the robotics club's projects");
    let d2 = draft(
        &board,
        &school,
        Spec {
            commentary: "The robotics club meets weekly; see the photo.",
            evidence: vec![plan.clone(), photo.clone(), club.clone()],
            responds_to: Some(id),
            ..Spec::default()
        },
    );
    let asked: Vec<Sha256> = d2.envelope.all_blobs().map(|b| b.sha256).collect();
    let (status, body) = server
        .call(
            Method::POST,
            "/v1/blobs/held",
            Some(&school.token),
            Some(json!({ "sha256": asked })),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let held: HeldResponse = serde_json::from_value(body).unwrap();
    let mut held: Vec<BlobRef> = held.held;
    held.sort_by_key(|b| b.sha256);
    let mut want = vec![plan.blob, photo.blob];
    want.sort_by_key(|b| b.sha256);
    assert_eq!(held, want, "only the reused files are held");
    // Send only what is new.
    upload(&server, &school, &d2.manifest).await;
    upload(&server, &school, &club.cipher).await;

    // A different award is not an answer to this request.
    let mut wrong = draft(
        &board,
        &school,
        Spec {
            evidence: vec![plan.clone()],
            responds_to: Some(id),
            ..Spec::default()
        },
    );
    upload_all(&server, &school, &wrong).await;
    wrong.envelope.framework.version = "1.0".into();
    let (status, body) = commit(&server, &school, &wrong.envelope.sign(&school.key)).await;
    assert_refused(status, &body, 422, "invalid_envelope");

    let second = commit_new(&server, &school, &d2.signed).await;
    assert_eq!(second.submission, id);
    let receipt = verify_receipt(&second.receipt, &board.set, Some(&d2.signed)).unwrap();
    assert_eq!(receipt.version, 2);
    let receipt1 = verify_receipt(&first.receipt, &board.set, Some(&d1.signed)).unwrap();
    assert!(receipt.sequence > receipt1.sequence);

    let status = status_of(&server, &school, id).await;
    assert_eq!(status.summary.state, ReviewState::Resubmitted);
    assert_eq!(status.summary.versions, 2);
    assert_eq!(status.request, None, "the request is answered");
    assert_eq!(status.receipts, vec![first.receipt, second.receipt.clone()]);
    assert_eq!(status.last_event, receipt.sequence);

    // Sending the answer again is the same answer, not a third version.
    let (code, body) = commit(&server, &school, &d2.signed).await;
    assert_eq!(code, 200, "{body}");
    assert_eq!(
        body["receipt"],
        serde_json::to_value(&second.receipt).unwrap()
    );
    // And answering again is refused: nothing is being asked now.
    let d3 = draft(
        &board,
        &school,
        Spec {
            responds_to: Some(id),
            ..Spec::default()
        },
    );
    upload_all(&server, &school, &d3).await;
    let (code, body) = commit(&server, &school, &d3.signed).await;
    assert_refused(code, &body, 409, "transition_not_allowed");
    assert!(body["message"].as_str().unwrap().contains("resubmitted"));
}

/// Every file under `dir`, recursively.
fn files_under(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let entry = entry.unwrap();
        let kind = entry.file_type().unwrap();
        if kind.is_dir() {
            files_under(&entry.path(), out);
        } else if kind.is_file() {
            out.push(entry.path());
        }
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[tokio::test]
async fn the_server_never_stores_what_a_school_wrote_in_clear() {
    let server = TestServer::start().await;
    let school = server.enrol_school("Discreet Academy").await;
    let board = Board::of(&server).await;
    let sentence = "Amelia in Year 5 wrote a weather station in MicroPython by herself.";
    let content = b"PUPIL-WORK-7f3c: a scanned worksheet with names on it".repeat(50);
    let file_name = "Amelia-Year5-weather-station.jpg";
    let e = evidence(&board, file_name, &content);
    let d = draft(
        &board,
        &school,
        Spec {
            commentary: sentence,
            evidence: vec![e],
            ..Spec::default()
        },
    );
    upload_all(&server, &school, &d).await;
    commit_new(&server, &school, &d.signed).await;

    // Every file the endpoint's data is in: the data folder, and on shared stores the
    // database's own folder in the PostgreSQL cluster (after a checkpoint) and the bucket's
    // folder on the S3 server.
    let (meta_dir, blob_dir) = server.storage_dirs().await;
    let mut files = Vec::new();
    files_under(&server.data_dir(), &mut files);
    let mut meta_files = Vec::new();
    files_under(&meta_dir, &mut meta_files);
    let mut blob_files = Vec::new();
    files_under(&blob_dir, &mut blob_files);
    assert!(!meta_files.is_empty(), "the metadata is on disk");
    assert!(!blob_files.is_empty(), "the blobs are on disk");
    files.extend(meta_files);
    files.extend(blob_files);
    files.sort();
    files.dedup();
    let mut everything = Vec::new();
    for f in &files {
        let bytes = std::fs::read(f).unwrap();
        for (what, needle) in [
            ("the commentary", sentence.as_bytes()),
            ("the evidence's content", &b"PUPIL-WORK-7f3c"[..]),
            ("the evidence's file name", file_name.as_bytes()),
            ("part of the file name", &b"weather-station"[..]),
        ] {
            assert!(
                !contains(&bytes, needle),
                "{what} is in clear in {}",
                f.display()
            );
        }
        everything.extend(bytes);
    }
    // The search would have found them: what is stored in clear (the school's registered
    // name, the envelope's hash) is found the same way.
    assert!(contains(&everything, b"Discreet Academy"));
    assert!(contains(
        &everything,
        d.signed.body_sha256().to_hex().as_bytes()
    ));
}
