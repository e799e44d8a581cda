//! The app's submission journey through the shell's own commands (no window): a school enrols
//! with the real endpoint on loopback, applies (a personal-data item must be confirmed), the
//! background delivery sends it, the assessor asks for more evidence on one benchmark, the
//! school re-submits only what is new, the award is made and its certificate saved, and with
//! the app's date moved on, renewal is offered and starts pre-filled.
//!
//! The OS keychain is a real Secret Service on a private D-Bus session: the test runs itself
//! again as a child process with that session in its environment (the keychain client reads it
//! when it connects), so nothing here touches the developer's own keyring.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::process::Command;
use std::time::{Duration, Instant};

use waymark_app::documents::{DocumentKind, ExportInput};
use waymark_app::state::AppState;
use waymark_app::submissions::views::{DeliveryState, Offer, Overview, SaveReceiptInput, Stage};
use waymark_app::submissions::{self, Options};
use waymark_assess::session::Session as AssessorSession;
use waymark_harness::endpoint::{TestEndpoint, start_time};
use waymark_harness::keychain::Keychain;
use waymark_harness::school::{AWARD, SCHOOL, SchoolFixture};
use waymark_protocol::api::{Moderation, Recommendation};
use waymark_protocol::review::{BenchmarkRequest, EvidenceRequest, Feedback, Outcome};
use waymark_protocol::{AssessorId, SubmissionId};

const CHILD: &str = "WAYMARK_APP_JOURNEY_CHILD";
/// The shell's answers along the journey, for the UI's tests to replay (`make bindings`
/// rewrites it; this test fails when it is stale).
const RECORDED: &str = "ui/src/test/fixtures/core/submissions.json";
const DONE: &str = "the journey reached renewal";
const NAME: &str = "a_school_applies_follows_answers_and_renews_through_the_app";

#[test]
fn a_school_applies_follows_answers_and_renews_through_the_app() {
    if std::env::var_os(CHILD).is_some() {
        journey();
        return;
    }
    let keychain = Keychain::start();
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    cmd.args(["--exact", NAME, "--nocapture", "--test-threads=1"])
        .env(CHILD, "1");
    keychain.apply(&mut cmd);
    let out = cmd.output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && stdout.contains("1 passed") && stdout.contains(DONE),
        "the journey failed:\n{stdout}\n{stderr}\nkeychain: {}",
        keychain.log()
    );
}

/// An assessor signed in with the assessor tool's own sign-in (the keychain is real here).
struct Assessor {
    id: AssessorId,
    session: AssessorSession,
    dir: tempfile::TempDir,
}

impl Assessor {
    async fn sign_in(endpoint: &TestEndpoint, name: &str, email: &str) -> Self {
        let (id, code) = endpoint.add_assessor(name, email).await;
        let dir = tempfile::tempdir().unwrap();
        waymark_assess::session::sign_in(dir.path(), &code)
            .await
            .unwrap();
        let session = AssessorSession::load(dir.path()).unwrap();
        Self { id, session, dir }
    }

    /// Downloads, verifies and decrypts the submission's newest version, as the tool does
    /// before any decision.
    async fn open(&self, server_id: SubmissionId, into: &str) {
        let out = self.dir.path().join(into);
        waymark_assess::open::open(
            &self.session,
            server_id,
            &out,
            self.session.identity.clone(),
            start_time().date_naive(),
        )
        .await
        .unwrap();
    }
}

/// The shell's answers along the journey, by name, made stable across runs.
#[derive(Default)]
struct Recording(Vec<(&'static str, serde_json::Value)>);

impl Recording {
    fn add(&mut self, name: &'static str, answer: &impl serde::Serialize) {
        self.0
            .push((name, serde_json::to_value(answer).expect("serialisable")));
    }

    /// Writes (WAYMARK_BLESS=1) or checks the recording. Ids, times and folders go through
    /// the shared normaliser; what only this run has (the endpoint's port, random keys, the
    /// award's code, the signed receipt) becomes a fixed stand-in.
    fn finish(self, replace: &[(String, &str)], roots: Vec<String>) {
        let mut n = waymark_test_support::normalise::Normaliser::default();
        n.roots = roots;
        let mut out = serde_json::Map::new();
        for (name, mut value) in self.0 {
            stand_ins(&mut value, replace);
            out.insert(name.to_owned(), n.value(value));
        }
        let text = serde_json::to_string_pretty(&out).expect("json") + "\n";
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(RECORDED);
        if std::env::var_os("WAYMARK_BLESS").is_some() {
            std::fs::write(&path, &text).expect("write the recording");
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == text,
            "{RECORDED} differs from what the shell answers now: run `make bindings` and commit it"
        );
    }
}

fn stand_ins(v: &mut serde_json::Value, replace: &[(String, &str)]) {
    use serde_json::Value;
    match v {
        Value::String(s) => {
            for (from, to) in replace {
                if !from.is_empty() {
                    *s = s.replace(from.as_str(), to);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|i| stand_ins(i, replace)),
        Value::Object(map) => {
            for (k, item) in map.iter_mut() {
                if k == "text" && item.as_str().is_some_and(|t| t.contains("signature")) {
                    *item = Value::String("{ the signed receipt, as received }".into());
                } else if k == "bytes_sent" && item.as_u64().is_some_and(|b| b > 0) {
                    // The manifest holds this run's ids and times, so its padded size moves by
                    // a few bytes between runs: kept to the nearest 100 kB.
                    let b = item.as_u64().unwrap_or_default();
                    *item = Value::from((b + 50_000) / 100_000 * 100_000);
                } else {
                    stand_ins(item, replace);
                }
            }
        }
        _ => {}
    }
}

/// Polls the overview until `done` holds (at most 60 s).
fn wait_for(state: &AppState, what: &str, done: impl Fn(&Overview) -> bool) -> Overview {
    let start = Instant::now();
    loop {
        let o = submissions::overview(state).unwrap();
        if done(&o) {
            return o;
        }
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "waited 60 s for {what}: {o:#?}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn journey() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let endpoint = rt.block_on(TestEndpoint::start());
    let school = SchoolFixture::eligible_with(std::sync::Arc::new(waymark_core::OsKeychain));
    let ann = rt.block_on(Assessor::sign_in(
        &endpoint,
        "Dr Ann Assessor",
        "ann@assessors.example",
    ));
    let mo = rt.block_on(Assessor::sign_in(
        &endpoint,
        "Mr Mo Derator",
        "mo@assessors.example",
    ));
    let code = rt.block_on(endpoint.add_institution(SCHOOL, "urn:schoolid:uk:100001"));

    let mut rec = Recording::default();
    // Today is the endpoint's (fixed) day, so countdowns are the same on every run.
    let today = start_time().date_naive();
    let state = AppState::open_with(
        school.data_dir().to_owned(),
        Options {
            today: Some(today),
            chunk: None,
        },
    );
    let subs = state.submissions();
    subs.start(|_| {});

    // Before enrolling: the card offers Apply (the core finds it eligible), nothing is sent.
    let o = submissions::overview(&state).unwrap();
    assert!(o.connection.is_none());
    assert_eq!(o.delivery.state, DeliveryState::Idle);
    let card = o.applications.iter().find(|a| a.award == AWARD).unwrap();
    assert_eq!(card.offer, Offer::Apply);
    rec.add("not_enrolled", &o);
    let preview = submissions::apply_preview(&state, AWARD.into()).unwrap();
    rec.add("first_preview", &preview);
    assert!(!preview.enrolled);
    assert_eq!(preview.personal_data.len(), 1);
    assert_eq!(preview.personal_data[0].id, school.photo);
    assert_eq!(preview.bytes_to_send, preview.evidence_bytes);

    // A mistyped code is refused with what to do; the real one shows whom it enrols with.
    let bad = submissions::check_code(&state, "wm1:nonsense".into()).unwrap_err();
    assert_eq!(bad.detail.as_deref(), Some("usage"), "{bad:?}");
    let checked = submissions::check_code(&state, code.code.clone()).unwrap();
    rec.add("code_check", &checked);
    assert_eq!(
        checked.awarding_body,
        waymark_harness::endpoint::AWARDING_BODY
    );
    assert!(checked.fingerprint.contains(' ') || checked.fingerprint.contains('-'));
    let enrolled = submissions::enroll(&state, code.code.clone()).unwrap();
    rec.add("enrolled", &enrolled);
    assert_eq!(enrolled.connection.endpoint, endpoint.url);
    assert!(enrolled.connection.keychain.contains("keychain"));
    assert!(enrolled.connection.credentials_problem.is_none());
    let again = submissions::enroll(&state, code.code.clone()).unwrap_err();
    assert_eq!(again.code, waymark_core::ErrorCode::Submission, "{again:?}");
    assert!(!again.message.contains("`waymark"), "{}", again.message);

    // Apply: without the photo confirmed it is refused, in the app's words.
    let refused = submissions::apply(&state, AWARD.into(), vec![], &|_| {}).unwrap_err();
    assert_eq!(refused.detail.as_deref(), Some("personal_data_unconfirmed"));
    rec.add("apply_unconfirmed", &refused);
    assert!(
        !refused.message.contains("--confirm"),
        "{}",
        refused.message
    );
    let seen = std::sync::Mutex::new(Vec::new());
    let applied = submissions::apply(&state, AWARD.into(), vec![school.photo.clone()], &|p| {
        seen.lock().unwrap().push(p)
    })
    .unwrap();
    assert_eq!(applied.sealed as usize, school.items.len());
    assert!(!seen.lock().unwrap().is_empty(), "progress was reported");

    // The background delivery sends it; the receipt is kept and verifies.
    let o = wait_for(&state, "the submission to be received", |o| {
        o.submissions
            .first()
            .is_some_and(|s| s.stage == Stage::Received)
    });
    assert_eq!(o.delivery.state, DeliveryState::Idle, "{:?}", o.delivery);
    rec.add("received", &o);
    let sub = &o.submissions[0];
    let server_id: SubmissionId = sub.server_id.clone().unwrap().parse().unwrap();
    let receipt = submissions::receipt(&state, sub.id.clone()).unwrap();
    assert!(receipt.verified, "{}", receipt.check);
    rec.add("receipt", &receipt);
    assert_eq!(receipt.version, Some(1));
    let saved = school.files.path().join("receipt");
    let path = submissions::save_receipt(
        &state,
        SaveReceiptInput {
            id: sub.id.clone(),
            path: saved.display().to_string(),
        },
    )
    .unwrap();
    assert!(path.ends_with("receipt.json"));
    let app = o.applications.iter().find(|a| a.award == AWARD).unwrap();
    assert_eq!(app.offer, Offer::Follow);

    // The assessor asks for more evidence on the first benchmark.
    rt.block_on(endpoint.assign(server_id, ann.id, mo.id));
    let first = {
        let ws = school.open();
        let review = ws.current_review(None).unwrap();
        ws.review_framework(&review).unwrap().order[0].id.clone()
    };
    rt.block_on(async {
        ann.open(server_id, "v1").await;
        waymark_assess::decide::request_evidence(
            &ann.session,
            server_id,
            &EvidenceRequest {
                message: "Please send this year's plan.".into(),
                benchmarks: vec![BenchmarkRequest {
                    benchmark: first.clone(),
                    message: "The plan sent is last year's.".into(),
                }],
            },
        )
        .await
        .unwrap();
    });
    let o = submissions::refresh_submissions(&state).unwrap();
    let sub = &o.submissions[0];
    assert_eq!(sub.stage, Stage::MoreEvidenceRequested, "{sub:#?}");
    rec.add("more_evidence_requested", &o);
    assert!(sub.can_resubmit);
    assert_eq!(o.requests.len(), 1);
    assert_eq!(o.requests[0].benchmark_id, first);
    assert_eq!(o.requests[0].message, "The plan sent is last year's.");
    assert_eq!(o.requests[0].request, "Please send this year's plan.");
    let card = o.applications.iter().find(|a| a.award == AWARD).unwrap();
    assert_eq!(card.offer, Offer::Resubmit);

    // A new file for that benchmark: the re-submission sends only it.
    let new_len = 300_000;
    let added = school.add_file("This year's plan.pdf", new_len);
    let preview = submissions::apply_preview(&state, AWARD.into()).unwrap();
    assert_eq!(
        preview.resubmission_of.as_deref(),
        Some(server_id.to_string().as_str())
    );
    assert_eq!(preview.new_evidence.len(), 1, "{preview:#?}");
    rec.add("resubmit_preview", &preview);
    assert_eq!(preview.new_evidence[0].id, added);
    assert_eq!(preview.bytes_to_send, new_len);
    let applied =
        submissions::apply(&state, AWARD.into(), vec![school.photo.clone()], &|_| {}).unwrap();
    assert_eq!(applied.sealed, 1, "only the new file is encrypted");
    let o = wait_for(&state, "the re-submission to be received", |o| {
        o.submissions
            .first()
            .is_some_and(|s| s.versions.len() == 2 && s.versions.iter().all(|v| v.has_receipt))
    });
    let sub = &o.submissions[0];
    assert_eq!(o.submissions.len(), 1, "one submission with two versions");
    let sent = sub.versions[1].bytes_sent;
    assert!(
        sent > new_len && sent < new_len + 64 * 1024,
        "a re-submission sends the new file and the manifest only: {sent} bytes"
    );

    // Recommended, confirmed: awarded, with its expiry and a certificate to save.
    rt.block_on(async {
        ann.open(server_id, "v2").await;
        waymark_assess::decide::recommend(
            &ann.session,
            server_id,
            &Recommendation {
                outcome: Outcome::Award,
                feedback: Feedback {
                    strengths: "A clear technology plan.".into(),
                    areas_for_development: "Share practice.".into(),
                    enhanced_practice: None,
                },
                notes: String::new(),
                judgements: Vec::new(),
            },
        )
        .await
        .unwrap();
        mo.open(server_id, "m").await;
        waymark_assess::decide::moderate(&mo.session, server_id, &Moderation::Confirm)
            .await
            .unwrap();
    });
    let o = submissions::refresh_submissions(&state).unwrap();
    let sub = &o.submissions[0];
    assert_eq!(sub.stage, Stage::Awarded, "{sub:#?}");
    rec.add("awarded", &o);
    let award = sub.award_record.clone().unwrap();
    assert!(award.expires_on.starts_with("2029-"), "{award:?}");
    assert!(award.verification_url.starts_with(&endpoint.url));
    assert!(o.requests.is_empty(), "the request is answered");
    let feedback = sub.feedback.clone().unwrap();
    assert_eq!(feedback.strengths, "A clear technology plan.");
    let pdf = school.files.path().join("Technology Mark.pdf");
    let issued = submissions::issued_award(&state, &sub.id).unwrap();
    let exported = waymark_app::documents::export_document(
        &state.jobs(),
        &state.saved_documents(),
        ExportInput {
            document: DocumentKind::MarkCertificate {
                submission_id: sub.id.clone(),
            },
            path: pdf.display().to_string(),
        },
        Some(issued),
    )
    .unwrap();
    assert_eq!(exported.pages, 1);
    let text = Command::new("pdftotext")
        .arg(&exported.path)
        .arg("-")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&text.stdout).replace('\n', " ");
    assert!(text.contains(&award.verification_code), "{text}");

    // Not yet time to renew today; a month before expiry it is offered and starts pre-filled.
    let renewal = o.renewal.clone().unwrap();
    assert!(!renewal.can_start, "{renewal:?}");
    drop(state);
    let expires = chrono::NaiveDate::parse_from_str(&award.expires_on, "%Y-%m-%d").unwrap();
    let later = AppState::open_with(
        school.data_dir().to_owned(),
        Options {
            today: Some(expires - chrono::Duration::days(30)),
            chunk: None,
        },
    );
    let o = submissions::overview(&later).unwrap();
    let renewal = o.renewal.clone().unwrap();
    assert!(renewal.can_start, "{renewal:?}");
    assert_eq!(renewal.days_left, 30);
    rec.add("renewal_open", &o);
    let report = submissions::start_renewal(&later, "Mrs Siân Jones".into()).unwrap();
    assert_ne!(report.review.id, report.previous.id);
    assert!(
        !report.flagged.is_empty(),
        "carried responses are to be confirmed"
    );
    rec.add("renewal_started", &report);
    let rows = submissions::compare_with_awarded(&later).unwrap();
    rec.add("comparison", &rows);
    assert!(!rows.is_empty());
    assert!(
        rows.iter()
            .any(|r| r.previous_level.is_some() && r.needs_confirmation)
    );
    let o = submissions::overview(&later).unwrap();
    let renewal = o.renewal.unwrap();
    assert_eq!(
        renewal.renewal_review.as_deref(),
        Some(report.review.id.as_str())
    );
    assert!(!renewal.can_start);
    assert_eq!(
        submissions::start_renewal(&later, "Mrs Siân Jones".into())
            .unwrap_err()
            .code,
        waymark_core::ErrorCode::NotEligible
    );
    rec.finish(
        &[
            (endpoint.url.clone(), "https://awards.example.org"),
            (
                checked.fingerprint.clone(),
                "3b43-6b74-bcb5-60a3-f6a2-3ede-a8b2-c1ac",
            ),
            (
                enrolled.connection.fingerprint.clone(),
                "9f1c-22d0-7a4e-b815-0c6d-e3a9-51f7-846b",
            ),
            (award.verification_code.clone(), "abcde-fghij-kmnpq-rstuv"),
        ],
        vec![
            school.data_dir().display().to_string(),
            school.files.path().display().to_string(),
        ],
    );
    println!("{DONE}");
}
