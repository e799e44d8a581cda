//! The assessor's desk (what the app's assessor mode is built on) against the real endpoint in
//! process on loopback, with real encrypted submissions: an assessor opens a submission into a
//! local copy that holds no plaintext, reads it, opens an evidence file, asks for more evidence
//! from a draft, sees what the answer changed, recommends with judgements; the moderator sees
//! them and confirms; the finished copy goes after the kept time. And the refusals: a flipped
//! byte on the server's disk, an assessor named in the working group.
//!
//! The desk's session is made here from an assessor redeemed through the API (the keychain's
//! part of signing in is the sign_in tests' and the app's end-to-end test's).

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use std::path::Path;
use std::sync::{Arc, Mutex};

use chrono::Duration;
use common::{Board, School, Spec, TestEndpoint, start_time, submit};
use waymark_assess::Error;
use waymark_assess::client::Client;
use waymark_assess::desk::{Desk, Draft, Judgement, ModerationChoice, OpenStage, Verdict};
use waymark_assess::profile::{self, PROFILE_FORMAT, Profile};
use waymark_assess::session::Session;
use waymark_protocol::api::{Account, RedeemRequest, RedeemResponse};
use waymark_protocol::crypt::Identity;
use waymark_protocol::enrollment::EnrollmentCode;
use waymark_protocol::manifest::ManifestContributor;
use waymark_protocol::review::{Outcome, ReviewState, Role};
use waymark_protocol::{AssessorId, SubmissionId};

/// An assessor redeemed through the API, with a desk over a profile folder of their own.
struct Person {
    id: AssessorId,
    desk: Desk,
    _dir: tempfile::TempDir,
}

async fn assessor(server: &TestEndpoint, name: &str, email: &str) -> Person {
    let (id, code) = server.add_assessor(name, email).await;
    let code = EnrollmentCode::parse(&code).unwrap();
    let identity = Identity::generate();
    let (status, body) = server
        .call(
            reqwest::Method::POST,
            "/v1/enrollments/redeem",
            None,
            Some(
                serde_json::to_value(RedeemRequest {
                    secret: code.secret.clone(),
                    public_key: None,
                    age_recipient: Some(identity.recipient()),
                    device: Some("desk test".into()),
                })
                .unwrap(),
            ),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let response: RedeemResponse = serde_json::from_value(body).unwrap();
    let Account::Assessor(account) = response.account else {
        panic!("redeemed as an assessor")
    };
    assert_eq!(account.id, id);
    let dir = tempfile::tempdir().unwrap();
    let profile = Profile {
        format: PROFILE_FORMAT,
        endpoint: server.url.clone(),
        awarding_body: "Board".into(),
        assessor: id,
        name: account.name,
        email: account.email,
        pinned: response.key_sets.last().unwrap().fingerprint(),
        signed_in_at: start_time(),
    };
    profile::save(dir.path(), &profile).unwrap();
    let session = Session {
        dir: dir.path().to_owned(),
        profile,
        client: Client::new(&server.url, Some(response.token)).unwrap(),
        identity: Arc::new(identity),
    };
    Person {
        id,
        desk: Desk::from_session(session),
        _dir: dir,
    }
}

fn today() -> chrono::NaiveDate {
    start_time().date_naive()
}

/// Every file under `dir`, with its bytes.
fn files_under(dir: &Path) -> Vec<(std::path::PathBuf, Vec<u8>)> {
    let mut paths = Vec::new();
    common::walk(dir, &mut paths);
    paths
        .into_iter()
        .map(|p| {
            let bytes = std::fs::read(&p).unwrap();
            (p, bytes)
        })
        .collect()
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

async fn open(desk: &Desk, id: SubmissionId) -> (waymark_assess::desk::Opened, Vec<OpenStage>) {
    let seen = Mutex::new(Vec::new());
    let opened = desk
        .open(id, &|p| {
            seen.lock().unwrap().push((p.stage, p.done, p.total))
        })
        .await
        .unwrap();
    let seen = seen.into_inner().unwrap();
    // Progress never goes past its total, and each stage ends whole.
    for (_, done, total) in &seen {
        assert!(done <= total || *total == 0, "{seen:?}");
    }
    for stage in [OpenStage::Downloading, OpenStage::Decrypting] {
        let last = seen.iter().rev().find(|(s, ..)| *s == stage).unwrap();
        assert_eq!(last.1, last.2, "{stage:?} ends at its total: {seen:?}");
    }
    let mut stages: Vec<OpenStage> = seen.iter().map(|(s, ..)| *s).collect();
    stages.dedup();
    (opened, stages)
}

#[tokio::test]
async fn an_assessor_and_a_moderator_review_in_the_desk_and_no_plaintext_stays_on_disk() {
    let server = TestEndpoint::start().await;
    let school = School::enrol(&server, "Hillside Primary").await;
    let a = assessor(&server, "Ann Assessor", "ann@board.test").await;
    let m = assessor(&server, "Mo Moderator", "mo@board.test").await;
    let spec = Spec::default();
    let files = spec.evidence.clone();
    let commentary = spec.commentary.clone();
    let v1 = submit(&server, &school, &Board::of(&server).await, spec).await;
    server.assign(v1.id, a.id, m.id).await;
    let id = v1.id;

    // The list: the assignment, no copy yet.
    let rows = a.desk.assignments(today(), start_time()).await.unwrap();
    let row = rows
        .iter()
        .find(|r| r.submission == id.to_string())
        .unwrap();
    assert_eq!(row.institution_name, "Hillside Primary");
    assert_eq!(row.role, Role::Assessor);
    assert_eq!(row.state, ReviewState::UnderReview);
    assert!(!row.overdue);
    assert_eq!(
        row.framework_title.as_deref(),
        Some("Technology Self-Review Framework")
    );
    assert!(row.copy.is_none());
    let due = row.review_due.unwrap();
    let late = a
        .desk
        .assignments(due + Duration::days(1), start_time())
        .await
        .unwrap();
    assert!(late[0].overdue, "overdue the day after it was due");

    // Deciding before reading is refused, and a draft cannot be kept for an unopened one.
    assert!(matches!(
        a.desk.send_request(id).await,
        Err(Error::NotOpened(_))
    ));
    assert!(matches!(
        a.desk.save_draft(id, &Draft::default()),
        Err(Error::NotOpened(_))
    ));

    // Open: verified, kept, progress through every stage.
    let (opened, stages) = open(&a.desk, id).await;
    assert_eq!(
        stages,
        [
            OpenStage::Verifying,
            OpenStage::Downloading,
            OpenStage::Decrypting
        ]
    );
    assert_eq!(opened.version, 1);
    assert_eq!(opened.evidence_files, 2);
    assert!(opened.named_in.is_empty());
    let profile_dir = a.desk.session().dir.clone();
    for (path, bytes) in files_under(&profile_dir) {
        for (name, plain) in &files {
            assert!(
                !contains(&bytes, &plain[..40.min(plain.len())]),
                "{name} in {path:?}"
            );
        }
        assert!(
            !contains(&bytes, commentary.as_bytes()),
            "commentary in {path:?}"
        );
        assert!(
            !contains(&bytes, b"Hillside"),
            "the school's name in {path:?}"
        );
    }

    // The view: the school's words, every benchmark in the framework's order, the evidence.
    let view = a.desk.submission(id, today()).await.unwrap();
    assert_eq!(view.institution.name, "Hillside Primary");
    assert_eq!((view.version, view.versions), (1, 1));
    assert!(view.live);
    assert!(view.framework.has_levels);
    let b = view
        .dimensions
        .iter()
        .flat_map(|d| &d.benchmarks)
        .find(|b| b.id == "E1.S1.A1")
        .unwrap();
    assert_eq!(b.commentary, commentary);
    assert!(b.level.is_some() && b.level_name.is_some() && b.descriptor.is_some());
    assert_eq!(b.evidence.len(), 2);
    assert_eq!(view.working_group[0].name, "Priya Patel");
    assert!(view.named_in.is_empty());
    assert!(view.may.request_evidence && view.may.recommend && !view.may.moderate);
    assert!(view.changes.is_none());

    // An evidence file, decrypted for the viewer into the private viewing folder.
    let photo = view
        .evidence
        .iter()
        .find(|e| e.file_name == "lab photo.jpg")
        .unwrap();
    let path = a.desk.evidence_file(id, &photo.id).unwrap();
    assert!(path.starts_with(profile_dir.join("viewing")), "{path:?}");
    assert_eq!(std::fs::read(&path).unwrap(), files[1].1);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(path.parent().unwrap())
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(
            mode & 0o077,
            0,
            "only this user can read the viewing folder"
        );
    }

    // A request from the draft: refused while empty, sent once written, then cleared.
    let empty = a.desk.send_request(id).await.unwrap_err();
    assert_eq!(empty.code(), "draft_incomplete");
    assert_eq!(empty.problems()[0].field, "request_message");
    let draft = Draft {
        request_message: "Please show how governors agreed the vision.".into(),
        judgements: vec![Judgement {
            benchmark: "E1.S1.A1".into(),
            verdict: Verdict::Undecided,
            level: None,
            note: "Check the minutes.".into(),
            request: "The minutes of the meeting that agreed it.".into(),
        }],
        notes: "Kept across versions.".into(),
        ..Draft::default()
    };
    let saved = a.desk.save_draft(id, &draft).unwrap();
    assert!(saved.saved_at.is_some());
    let row = a.desk.send_request(id).await.unwrap();
    assert_eq!(row.state, ReviewState::MoreEvidenceRequested);
    let status = school.status(&server, id).await;
    let request = status.request.unwrap();
    assert_eq!(request.benchmarks[0].benchmark, "E1.S1.A1");
    let view = a.desk.submission(id, today()).await.unwrap();
    assert!(view.draft.request_message.is_empty(), "sent, so cleared");
    assert_eq!(view.draft.judgements[0].note, "Check the minutes.");
    assert_eq!(view.requests.len(), 1);
    assert!(!view.may.recommend && view.may.why_not.is_some());

    // The school answers with version 2.
    let mut spec = Spec {
        commentary: "The governors' minutes of 14 January record the vision being agreed.".into(),
        responds_to: Some(id),
        ..Spec::default()
    };
    spec.evidence.push((
        "minutes.txt".into(),
        b"Minutes, 14 January: vision agreed.\n".to_vec(),
    ));
    submit(&server, &school, &Board::of(&server).await, spec).await;
    let rows = a.desk.assignments(today(), start_time()).await.unwrap();
    let copy = rows[0].copy.clone().unwrap();
    assert!(!copy.current, "version 2 is waiting to be opened");
    let view = a.desk.submission(id, today()).await.unwrap();
    assert!(!view.may.recommend);
    assert!(view.may.why_not.as_deref().unwrap().contains("version 2"));

    let (opened, _) = open(&a.desk, id).await;
    assert_eq!(opened.version, 2);
    let view = a.desk.submission(id, today()).await.unwrap();
    assert_eq!(
        view.draft.notes, "Kept across versions.",
        "the draft carried over"
    );
    let changes = view.changes.clone().unwrap();
    assert_eq!(changes.from_version, 1);
    assert_eq!(changes.evidence_added, ["Evidence 3"], "by title");
    let changed = changes
        .benchmarks
        .iter()
        .find(|c| c.benchmark == "E1.S1.A1")
        .unwrap();
    assert!(changed.commentary_changed);
    assert_eq!(changed.evidence_added, ["Evidence 3"]);
    assert!(
        view.evidence
            .iter()
            .any(|e| e.file_name == "minutes.txt" && e.added)
    );
    assert!(view.may.recommend);

    // Recommend, with a judgement that differs.
    let scale = view.framework.scale.clone();
    let mut draft = view.draft.clone();
    draft.judgements[0].verdict = Verdict::Differ;
    draft.judgements[0].level = Some(scale[0].value);
    draft.strengths = "A vision owned by governors and staff.".into();
    draft.areas_for_development = "Involve pupils in the next review.".into();
    draft.outcome = Some(Outcome::Award);
    a.desk.save_draft(id, &draft).unwrap();
    let row = a.desk.send_recommendation(id).await.unwrap();
    assert_eq!(row.state, ReviewState::Recommended);

    // The moderator sees the recommendation and its judgements, and confirms.
    open(&m.desk, id).await;
    let view = m.desk.submission(id, today()).await.unwrap();
    assert_eq!(view.role, Role::Moderator);
    assert!(view.may.moderate && !view.may.recommend);
    let rec = view.recommendation.unwrap();
    assert_eq!(rec.outcome, Outcome::Award);
    assert_eq!(rec.judgements.len(), 1);
    assert_eq!(rec.judgements[0].level, Some(scale[0].value));
    assert!(!rec.judgements[0].agreed);
    // Sending back needs a reason.
    let err = m
        .desk
        .send_moderation(id, ModerationChoice::SendBack)
        .await
        .unwrap_err();
    assert_eq!(err.problems()[0].field, "send_back_reason");
    let row = m
        .desk
        .send_moderation(id, ModerationChoice::Confirm)
        .await
        .unwrap();
    assert_eq!(row.state, ReviewState::Awarded);
    assert_eq!(
        school.status(&server, id).await.summary.state,
        ReviewState::Awarded
    );

    // Leaving no trace: finished, the copy is kept for the set time, then goes.
    let now = start_time();
    let rows = a.desk.assignments(today(), now).await.unwrap();
    let copy = rows[0].copy.clone().unwrap();
    assert_eq!(copy.finished_at, Some(now));
    assert_eq!(copy.remove_after, Some(now + Duration::days(14)));
    let rows = a
        .desk
        .assignments(today(), now + Duration::days(15))
        .await
        .unwrap();
    assert!(rows[0].copy.is_none(), "removed after the kept time");
    assert!(!profile_dir.join("copies").join(id.to_string()).exists());
    assert!(!profile_dir.join("viewing").join(id.to_string()).exists());
    // The moderator removes theirs at once.
    assert!(m.desk.remove_copy(id).unwrap());
    assert!(!m.desk.remove_copy(id).unwrap());
    assert!(matches!(
        m.desk.submission(id, today()).await,
        Err(Error::NotOpened(_))
    ));
}

#[tokio::test]
async fn a_flipped_byte_is_refused_on_opening_and_nothing_is_kept() {
    let server = TestEndpoint::start().await;
    let school = School::enrol(&server, "Tampered School").await;
    let a = assessor(&server, "Ann Assessor", "ann@board.test").await;
    let m = assessor(&server, "Mo Moderator", "mo@board.test").await;
    let committed = submit(&server, &school, &Board::of(&server).await, Spec::default()).await;
    server.assign(committed.id, a.id, m.id).await;
    let (_, upload) = committed
        .uploads
        .iter()
        .find(|(name, _)| name == "lab photo.jpg")
        .unwrap();
    common::flip_a_stored_byte(&server, upload);

    let err = a.desk.open(committed.id, &|_| {}).await.unwrap_err();
    assert_eq!(err.code(), "refused");
    let text = err.to_string();
    assert!(
        text.contains("`lab photo.jpg`") && text.contains("SHA-256"),
        "{text}"
    );
    let copies = a.desk.session().dir.join("copies");
    assert_eq!(
        std::fs::read_dir(&copies).map(|d| d.count()).unwrap_or(0),
        0,
        "no copy and no half-built folder"
    );
    let rows = a.desk.assignments(today(), start_time()).await.unwrap();
    assert!(rows[0].copy.is_none());
}

#[tokio::test]
async fn an_assessor_named_in_the_working_group_may_read_but_not_decide() {
    let server = TestEndpoint::start().await;
    let school = School::enrol(&server, "Linked School").await;
    let a = assessor(&server, "Nora Named", "nora@board.test").await;
    let m = assessor(&server, "Mo Moderator", "mo@board.test").await;
    let spec = Spec {
        working_group: vec![ManifestContributor {
            name: "NORA NAMED".into(),
            role: "Governor".into(),
            email: None,
        }],
        ..Spec::default()
    };
    let committed = submit(&server, &school, &Board::of(&server).await, spec).await;
    server.assign(committed.id, a.id, m.id).await;
    let id = committed.id;

    let (opened, _) = open(&a.desk, id).await;
    assert_eq!(opened.named_in, ["working group: \"NORA NAMED\""]);
    let view = a.desk.submission(id, today()).await.unwrap();
    assert_eq!(view.named_in.len(), 1);
    assert!(!view.may.request_evidence && !view.may.recommend && !view.may.moderate);
    assert!(view.may.why_not.unwrap().contains("names you"));
    let draft = Draft {
        request_message: "More.".into(),
        strengths: "s".into(),
        areas_for_development: "d".into(),
        outcome: Some(Outcome::Award),
        ..Draft::default()
    };
    a.desk.save_draft(id, &draft).unwrap();
    for err in [
        a.desk.send_request(id).await.unwrap_err(),
        a.desk.send_recommendation(id).await.unwrap_err(),
    ] {
        assert_eq!(err.code(), "not_impartial", "{err}");
    }
    assert_eq!(
        school.status(&server, id).await.summary.state,
        ReviewState::UnderReview,
        "nothing was decided"
    );
}
