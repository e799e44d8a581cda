//! End to end, from the command line: a school that can apply for the Technology Mark enrols
//! with the real endpoint on loopback, submits, answers a request for more evidence with a
//! re-submission that sends only what changed, and is awarded; the keychain is a real Secret
//! Service; the assessor and moderator use the assessor tool's library; what the endpoint
//! stores is checked with the standard `age` tool.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use common::{assessor, fails, find_by_sha256, ok, run, waymark};
use serde_json::Value;
use waymark_harness::endpoint::TestEndpoint;
use waymark_harness::keychain::Keychain;
use waymark_harness::school::{AWARD, SCHOOL, SchoolFixture};
use waymark_protocol::SubmissionId;
use waymark_protocol::api::{Moderation, Recommendation};
use waymark_protocol::review::{BenchmarkRequest, EvidenceRequest, Feedback, Outcome};

fn today() -> chrono::NaiveDate {
    waymark_harness::endpoint::start_time().date_naive()
}

async fn enrol(endpoint: &TestEndpoint, keychain: &Keychain, school: &SchoolFixture) -> Value {
    let issued = endpoint
        .add_institution(SCHOOL, "urn:schoolid:uk:100001")
        .await;
    let run = ok(waymark(
        keychain,
        school.data_dir(),
        &["--json", "enroll", &issued.code],
    ))
    .await;
    run.json()
}

/// `waymark --json submit` for the mark, confirming the fixture's photo; its answer.
async fn submit(keychain: &Keychain, school: &SchoolFixture) -> Value {
    let args = [
        "--json",
        "submit",
        "--award",
        AWARD,
        "--confirm-personal-data",
        &school.photo,
    ];
    ok(waymark(keychain, school.data_dir(), &args)).await.json()
}

/// `waymark --json sync`; its answer.
async fn sync(keychain: &Keychain, data: &std::path::Path) -> Value {
    ok(waymark(keychain, data, &["--json", "sync"]))
        .await
        .json()
}

/// A new enrollment code for the institution (which revokes its tokens).
async fn new_code(endpoint: &TestEndpoint, institution: &str) -> String {
    let (status, issued) = endpoint
        .admin(
            "POST".parse().unwrap(),
            &format!("/v1/admin/institutions/{institution}/codes"),
            None,
        )
        .await;
    assert_eq!(status, 200, "{issued}");
    issued["code"].as_str().unwrap().to_owned()
}

/// Asserts a `--json` run failed with `code` and a message containing `says`.
fn assert_refused(run: &common::Run, code: &str, says: &str) {
    let error = run.error_json();
    assert_eq!(error["error"]["code"], code, "{error}");
    let message = error["error"]["message"].as_str().unwrap();
    assert!(message.contains(says), "{says:?} in {message}");
}

/// The outbox entry `waymark submissions --json` lists last.
async fn last_submission(keychain: &Keychain, school: &SchoolFixture) -> Value {
    let list = ok(waymark(
        keychain,
        school.data_dir(),
        &["--json", "submissions"],
    ))
    .await
    .json();
    list.as_array().unwrap().last().unwrap().clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_school_goes_from_eligible_to_awarded_from_the_command_line() {
    let endpoint = TestEndpoint::start().await;
    let keychain = Keychain::start();
    let school = SchoolFixture::eligible_in(&keychain);
    // The assessors sign in first, so the key set the school encrypts to names them.
    let assessor_a = assessor(&endpoint, "Dr Ann Assessor", "ann@assessors.example").await;
    let moderator = assessor(&endpoint, "Mr Mo Derator", "mo@assessors.example").await;
    let data = school.data_dir();

    // Enrol: the fingerprint is checked, the secrets go to the keychain, not the data folder.
    let enrolled = enrol(&endpoint, &keychain, &school).await;
    assert_eq!(enrolled["enrollment"]["endpoint"], endpoint.url.as_str());
    assert!(enrolled["keychain"].as_str().unwrap().contains("waymark"));
    let db = std::fs::read(data.join("waymark.sqlite3")).unwrap();
    assert!(
        !db.windows(5).any(|w| w == b"wmt1_"),
        "the token must not be in the database"
    );

    // A flagged photo must be confirmed; the refusal names it and nothing is queued.
    let refused = fails(waymark(
        &keychain,
        data,
        &["--json", "submit", "--award", AWARD],
    ))
    .await;
    assert_refused(&refused, "personal_data_unconfirmed", &school.photo);
    let list = ok(waymark(&keychain, data, &["--json", "submissions"]))
        .await
        .json();
    assert_eq!(list.as_array().unwrap().len(), 0);

    // Preview, then queue with the photo confirmed (by the short id the lists show).
    let short = &school.photo[school.photo.len() - 8..];
    let plan = ok(waymark(
        &keychain,
        data,
        &["--json", "submit", "--award", AWARD, "--dry-run"],
    ))
    .await
    .json();
    assert_eq!(plan["personal_data"].as_array().unwrap().len(), 1);
    assert_eq!(
        plan["evidence"].as_array().unwrap().len(),
        school.items.len()
    );
    let queued = ok(waymark(
        &keychain,
        data,
        &[
            "--json",
            "submit",
            "--award",
            AWARD,
            "--confirm-personal-data",
            short,
        ],
    ))
    .await
    .json();
    assert_eq!(queued["submission"]["state"], "queued");
    assert_eq!(queued["sealed"], school.items.len());

    // Deliver: every blob uploaded, the envelope committed, the receipt verified and kept.
    let synced = sync(&keychain, data).await;
    let sent = &synced["deliveries"][0];
    assert_eq!(sent["outcome"], "sent", "{synced}");
    assert_eq!(sent["blobs_sent"], school.items.len() + 1);
    let server_id: SubmissionId = sent["server_id"].as_str().unwrap().parse().unwrap();
    assert_eq!(synced["changes"][0]["after"], "received");

    // What the endpoint stores decrypts with the standard age tool to the original file.
    let manifest_sha = last_submission(&keychain, &school).await["manifest"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(find_by_sha256(endpoint.data_dir(), &manifest_sha).is_some());
    let photo_path = &school
        .items
        .iter()
        .find(|(id, _)| *id == school.photo)
        .unwrap()
        .1;
    let photo = std::fs::read(photo_path).unwrap();
    let opened_by_age = age_decrypt_matching(&endpoint, &photo);
    assert!(
        opened_by_age,
        "no stored blob decrypted to the photo with `age -d`"
    );

    // The assessor opens it (signature, hashes, decryption) and asks for more evidence.
    endpoint
        .assign(server_id, assessor_a.id, moderator.id)
        .await;
    let out = assessor_a.dir.path().join("v1");
    let opened = waymark_assess::open::open(
        &assessor_a.session,
        server_id,
        &out,
        assessor_a.identity.clone(),
        today(),
    )
    .await
    .unwrap();
    assert_eq!(opened.version, 1);
    let decrypted_photo =
        std::fs::read(out.join("evidence").join("Year 6 coding club.jpg")).unwrap();
    assert_eq!(decrypted_photo, photo);
    let asked_about = school.items[3].0.clone();
    let benchmark = opened
        .manifest
        .evidence
        .iter()
        .find(|e| e.id == asked_about)
        .unwrap()
        .links[0]
        .benchmark
        .clone();
    waymark_assess::decide::request_evidence(
        &assessor_a.session,
        server_id,
        &EvidenceRequest {
            message: "Please send this year's updated document.".into(),
            benchmarks: vec![BenchmarkRequest {
                benchmark: benchmark.clone(),
                message: "The version sent is last year's.".into(),
            }],
        },
    )
    .await
    .unwrap();

    // The school sees the request, with the benchmark it names.
    let synced = sync(&keychain, data).await;
    assert_eq!(
        synced["changes"][0]["after"], "more_evidence_requested",
        "{synced}"
    );
    let shown = ok(waymark(
        &keychain,
        data,
        &["submissions", &server_id.to_string()],
    ))
    .await;
    assert!(
        shown
            .stdout
            .contains("Please send this year's updated document."),
        "{}",
        shown.stdout
    );
    assert!(shown.stdout.contains(&benchmark), "{}", shown.stdout);

    // It changes that one file and re-submits: only the changed blob and the manifest go.
    school.change_file(&asked_about);
    let queued = submit(&keychain, &school).await;
    assert_eq!(queued["plan"]["responds_to"], server_id.to_string());
    assert_eq!(
        queued["sealed"], 1,
        "only the changed file is encrypted again"
    );
    let changed_size = std::fs::metadata(&school.items[3].1).unwrap().len();
    assert_eq!(queued["plan"]["new_bytes"], changed_size);
    let synced = sync(&keychain, data).await;
    let sent = &synced["deliveries"][0];
    assert_eq!(sent["outcome"], "sent", "{synced}");
    assert_eq!(
        sent["blobs_sent"], 2,
        "the changed file and the manifest: {synced}"
    );
    assert_eq!(sent["server_id"], server_id.to_string());
    assert_eq!(sent["receipt"]["version"], 2);
    let entry = last_submission(&keychain, &school).await;
    let sealed_sizes: u64 = {
        let ws = school.open();
        entry["blobs"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|b| ws.sealed_blob(b.as_str().unwrap()).unwrap())
            .filter(|b| {
                b.plain_blake3
                    != waymark_core::evidence::hash_file(&school.items[0].1)
                        .unwrap()
                        .0
            })
            .map(|b| b.size)
            .sum()
    };
    let bytes_sent = sent["bytes_sent"].as_u64().unwrap();
    assert!(
        bytes_sent < changed_size + 64 * 1024 && bytes_sent > changed_size,
        "a re-submission sends the changed file and the manifest only: {bytes_sent} bytes (changed file {changed_size}, all blobs {sealed_sizes})"
    );

    // The assessor reads version 2 and recommends; the moderator confirms.
    let out2 = assessor_a.dir.path().join("v2");
    let opened = waymark_assess::open::open(
        &assessor_a.session,
        server_id,
        &out2,
        assessor_a.identity.clone(),
        today(),
    )
    .await
    .unwrap();
    assert_eq!(opened.version, 2);
    waymark_assess::decide::recommend(
        &assessor_a.session,
        server_id,
        &Recommendation {
            outcome: Outcome::Award,
            feedback: Feedback {
                strengths: "A clear, costed technology plan.".into(),
                areas_for_development: "Share practice with other schools.".into(),
                enhanced_practice: None,
            },
            notes: "Visited on 10 March.".into(),
            judgements: Vec::new(),
        },
    )
    .await
    .unwrap();
    let synced = sync(&keychain, data).await;
    assert_eq!(synced["changes"][0]["after"], "recommended", "{synced}");
    let out3 = moderator.dir.path().join("m");
    waymark_assess::open::open(
        &moderator.session,
        server_id,
        &out3,
        moderator.identity.clone(),
        today(),
    )
    .await
    .unwrap();
    waymark_assess::decide::moderate(&moderator.session, server_id, &Moderation::Confirm)
        .await
        .unwrap();

    // Awarded: the school sees the award, its expiry and the feedback.
    let synced = sync(&keychain, data).await;
    assert_eq!(synced["changes"][0]["after"], "awarded", "{synced}");
    let shown = ok(waymark(
        &keychain,
        data,
        &["submissions", &server_id.to_string()],
    ))
    .await;
    assert!(shown.stdout.contains("Awarded"), "{}", shown.stdout);
    assert!(shown.stdout.contains("expires 2029-"), "{}", shown.stdout);
    assert!(
        shown.stdout.contains("A clear, costed technology plan."),
        "{}",
        shown.stdout
    );
    // Nothing changed since: the status is not downloaded again (304).
    let synced = sync(&keychain, data).await;
    assert_eq!(synced["changes"].as_array().unwrap().len(), 0, "{synced}");

    // The receipt can be saved and verified offline; a changed byte is not genuine.
    let receipt = school.files.path().join("receipt.json");
    ok(waymark(
        &keychain,
        data,
        &[
            "receipt",
            "save",
            &server_id.to_string(),
            "--out",
            receipt.to_str().unwrap(),
        ],
    ))
    .await;
    let verified = ok(waymark(
        &keychain,
        data,
        &["receipt", "verify", receipt.to_str().unwrap()],
    ))
    .await;
    assert!(verified.stdout.contains("Genuine"), "{}", verified.stdout);
    let mut forged: Value = serde_json::from_slice(&std::fs::read(&receipt).unwrap()).unwrap();
    let body = forged["body"].as_str().unwrap().to_owned();
    let mut raw = waymark_protocol::encoding::decode_base64(&body).unwrap();
    let at = raw.len() / 2;
    raw[at] ^= 1;
    forged["body"] = Value::String(waymark_protocol::encoding::encode_base64(&raw));
    let forged_path = school.files.path().join("forged.json");
    std::fs::write(&forged_path, forged.to_string()).unwrap();
    let refused = fails(waymark(
        &keychain,
        data,
        &["receipt", "verify", forged_path.to_str().unwrap()],
    ))
    .await;
    assert!(
        refused.stderr.contains("not a genuine receipt"),
        "{}",
        refused.stderr
    );
}

/// Decrypts every stored blob with `age -d -i <board identity>` until one gives `plain` (then
/// the rest of the output must be the zero padding).
fn age_decrypt_matching(endpoint: &TestEndpoint, plain: &[u8]) -> bool {
    let identity = endpoint.board_identity_file();
    for file in common::files_under(endpoint.data_dir()) {
        let Ok(bytes) = std::fs::read(&file) else {
            continue;
        };
        if !bytes.starts_with(b"age-encryption.org/v1") {
            continue;
        }
        let out = std::process::Command::new("age")
            .arg("-d")
            .arg("-i")
            .arg(&identity)
            .arg(&file)
            .output()
            .expect("the age tool (Debian package `age`)");
        if out.status.success()
            && out.stdout.len() >= plain.len()
            && out.stdout[..plain.len()] == *plain
        {
            assert!(
                out.stdout[plain.len()..].iter().all(|b| *b == 0),
                "after the file comes only the zero padding"
            );
            return true;
        }
    }
    false
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn not_enrolled_or_not_eligible_is_refused_with_what_to_do() {
    let endpoint = TestEndpoint::start().await;
    let keychain = Keychain::start();
    let school = SchoolFixture::eligible_in(&keychain);
    let data = school.data_dir();
    // Nothing queued: nothing to do, and no enrollment needed to say so.
    let synced = sync(&keychain, data).await;
    assert_eq!(synced["deliveries"].as_array().unwrap().len(), 0);
    let refused = fails(waymark(
        &keychain,
        data,
        &[
            "submit",
            "--award",
            AWARD,
            "--confirm-personal-data",
            &school.photo,
        ],
    ))
    .await;
    assert!(
        refused.stderr.contains("waymark enroll CODE"),
        "{}",
        refused.stderr
    );

    // A mistyped code, and an assessor's code, are refused without spending anything.
    let refused = fails(waymark(&keychain, data, &["enroll", "wm1:nonsense"])).await;
    assert!(
        refused.stderr.contains("enrollment code"),
        "{}",
        refused.stderr
    );
    let (_, assessor_code) = endpoint.add_assessor("Dr A", "a@example.org").await;
    let refused = fails(waymark(&keychain, data, &["enroll", &assessor_code])).await;
    assert!(
        refused.stderr.contains("another kind of account"),
        "{}",
        refused.stderr
    );

    enrol(&endpoint, &keychain, &school).await;
    // A mistyped confirmation is refused, not taken as a photo checked.
    let refused = fails(waymark(
        &keychain,
        data,
        &[
            "submit",
            "--award",
            AWARD,
            "--confirm-personal-data",
            "0000000000",
        ],
    ))
    .await;
    assert!(
        refused.stderr.contains("no evidence item with that id"),
        "{}",
        refused.stderr
    );
    // A certificate is printed, not applied for; an unknown award lists the marks.
    let refused = fails(waymark(
        &keychain,
        data,
        &["submit", "--award", "commitment"],
    ))
    .await;
    assert!(
        refused.stderr.contains("not applied for"),
        "{}",
        refused.stderr
    );
    let refused = fails(waymark(&keychain, data, &["submit", "--award", "nope"])).await;
    assert!(
        refused.stderr.contains("technology-mark"),
        "{}",
        refused.stderr
    );

    // Not eligible: the core's reasons, in order.
    {
        let mut ws = school.open();
        let review = ws.current_review(None).unwrap();
        let first = ws.review_framework(&review).unwrap().order[0].id.clone();
        ws.set_response(
            &review,
            &first,
            waymark_core::workspace::ResponseUpdate {
                level: Some(None),
                commentary: None,
                base_revision: None,
            },
            "test",
        )
        .unwrap();
    }
    let refused = fails(waymark(
        &keychain,
        data,
        &["--json", "submit", "--award", AWARD],
    ))
    .await;
    assert_refused(&refused, "not_eligible", "cannot be applied for yet");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_blob_tampered_in_the_outbox_is_refused_by_the_endpoint_and_named() {
    let endpoint = TestEndpoint::start().await;
    let keychain = Keychain::start();
    let school = SchoolFixture::eligible_in(&keychain);
    let data = school.data_dir();
    enrol(&endpoint, &keychain, &school).await;
    submit(&keychain, &school).await;
    // Flip one byte of one sealed blob before it is sent.
    let blobs = data.join("outbox").join("blobs");
    let victim = std::fs::read_dir(&blobs)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|e| e == "age"))
        .unwrap();
    let mut bytes = std::fs::read(&victim).unwrap();
    let at = bytes.len() - 10;
    bytes[at] ^= 0x40;
    std::fs::write(&victim, bytes).unwrap();
    let synced = sync(&keychain, data).await;
    let outcome = &synced["deliveries"][0];
    assert_eq!(outcome["outcome"], "refused", "{synced}");
    assert_eq!(outcome["code"], "blob_hash_mismatch", "{synced}");
    let listed = run(waymark(&keychain, data, &["submissions"])).await;
    assert!(listed.stdout.contains("refused"), "{}", listed.stdout);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_blob_tampered_on_the_endpoint_is_refused_by_the_assessor_tool() {
    let endpoint = TestEndpoint::start().await;
    let keychain = Keychain::start();
    let school = SchoolFixture::eligible_in(&keychain);
    let assessor_a = assessor(&endpoint, "Dr Ann Assessor", "ann@assessors.example").await;
    let moderator = assessor(&endpoint, "Mr Mo Derator", "mo@assessors.example").await;
    let data = school.data_dir();
    enrol(&endpoint, &keychain, &school).await;
    submit(&keychain, &school).await;
    let synced = sync(&keychain, data).await;
    let server_id: SubmissionId = synced["deliveries"][0]["server_id"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    endpoint
        .assign(server_id, assessor_a.id, moderator.id)
        .await;
    // One flipped byte in one stored evidence blob (not the manifest).
    let entry = last_submission(&keychain, &school).await;
    let evidence_sha = entry["blobs"][1].as_str().unwrap();
    let stored = find_by_sha256(endpoint.data_dir(), evidence_sha).expect("the stored blob");
    let mut bytes = std::fs::read(&stored).unwrap();
    let at = bytes.len() / 2;
    bytes[at] ^= 1;
    std::fs::write(&stored, bytes).unwrap();
    let out = assessor_a.dir.path().join("open");
    let err = waymark_assess::open::open(
        &assessor_a.session,
        server_id,
        &out,
        assessor_a.identity.clone(),
        today(),
    )
    .await
    .unwrap_err();
    assert!(err.to_string().contains("refused"), "{err}");
    assert!(!out.exists(), "nothing is left of a refused submission");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offline_a_submission_is_queued_and_waits_saying_why() {
    let endpoint = TestEndpoint::start().await;
    let keychain = Keychain::start();
    let school = SchoolFixture::eligible_in(&keychain);
    let data = school.data_dir();
    enrol(&endpoint, &keychain, &school).await;
    // The endpoint goes away (the school's network is down).
    drop(endpoint);
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let queued = submit(&keychain, &school).await;
    assert_eq!(queued["keys_refreshed"], false);
    assert_eq!(queued["submission"]["state"], "queued");
    let synced = sync(&keychain, data).await;
    let waiting = &synced["deliveries"][0];
    assert_eq!(waiting["outcome"], "waiting", "{synced}");
    assert_eq!(waiting["code"], "network_connect", "{synced}");
    assert!(
        waiting["error"]
            .as_str()
            .unwrap()
            .contains("cannot connect"),
        "{synced}"
    );
    let listed = ok(waymark(&keychain, data, &["submissions"])).await;
    assert!(
        listed.stdout.contains("queued (waiting"),
        "{}",
        listed.stdout
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_key_is_recovered_with_a_new_code_and_old_receipts_stay_valid() {
    let endpoint = TestEndpoint::start().await;
    let keychain = Keychain::start();
    let school = SchoolFixture::eligible_in(&keychain);
    let data = school.data_dir();
    let enrolled = enrol(&endpoint, &keychain, &school).await;
    submit(&keychain, &school).await;
    let synced = sync(&keychain, data).await;
    let server_id = synced["deliveries"][0]["server_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let receipt = school.files.path().join("receipt.json");
    ok(waymark(
        &keychain,
        data,
        &[
            "receipt",
            "save",
            &server_id,
            "--out",
            receipt.to_str().unwrap(),
        ],
    ))
    .await;

    // A new computer with the data folder restored, but not the keychain: the folder cannot
    // be read at all, and says how to get it back.
    let new_keychain = Keychain::start();
    let refused = fails(waymark(&new_keychain, data, &["--json", "sync"])).await;
    assert_refused(&refused, "data_key_missing", "backup of the keychain");
    // The data key restored from the keychain's backup, but not the credentials.
    restore_data_key(&school, &new_keychain);
    let refused = fails(waymark(&new_keychain, data, &["--json", "sync"])).await;
    assert_refused(&refused, "keychain_missing", "new enrollment code");

    // The awarding body issues a new code (revoking the old token); enrolling again works and
    // the receipt already held is still genuine.
    let institution = enrolled["enrollment"]["institution_id"].as_str().unwrap();
    let code = new_code(&endpoint, institution).await;
    let again = ok(waymark(&new_keychain, data, &["--json", "enroll", &code]))
        .await
        .json();
    assert!(again["replaced"].is_string(), "{again}");
    let verified = ok(waymark(
        &new_keychain,
        data,
        &["receipt", "verify", receipt.to_str().unwrap()],
    ))
    .await;
    assert!(verified.stdout.contains("Genuine"), "{}", verified.stdout);
    // The old computer's token no longer works; the new one follows the review.
    let old = fails(waymark(&keychain, data, &["--json", "sync"])).await;
    assert_refused(&old, "unauthorized", "enrol again");
    let synced = sync(&new_keychain, data).await;
    assert!(synced["changes"].is_array(), "{synced}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_submission_queued_before_the_key_was_lost_is_sent_signed_with_the_new_key() {
    let endpoint = TestEndpoint::start().await;
    let keychain = Keychain::start();
    let school = SchoolFixture::eligible_in(&keychain);
    let data = school.data_dir();
    let enrolled = enrol(&endpoint, &keychain, &school).await;
    submit(&keychain, &school).await;
    // The keychain is lost before it was sent (all but the data key, restored from a backup):
    // nothing can be sent, and it stays queued.
    let new_keychain = Keychain::start();
    restore_data_key(&school, &new_keychain);
    let refused = fails(waymark(&new_keychain, data, &["--json", "sync"])).await;
    assert_eq!(refused.error_json()["error"]["code"], "keychain_missing");
    let institution = enrolled["enrollment"]["institution_id"].as_str().unwrap();
    let code = new_code(&endpoint, institution).await;
    ok(waymark(&new_keychain, data, &["enroll", &code])).await;
    // The endpoint now holds only the new key: the same envelope, signed again, is accepted.
    let synced = sync(&new_keychain, data).await;
    assert_eq!(synced["deliveries"][0]["outcome"], "sent", "{synced}");
}

/// Copies the school's data key into `keychain`, as restoring it from a keychain backup does.
fn restore_data_key(school: &SchoolFixture, keychain: &Keychain) {
    let ws = school.open();
    let id = ws.data_key_id().expect("encrypted").to_owned();
    let key = school.keys.load(&id).unwrap().expect("the key");
    keychain.key_store().save(&id, &key).unwrap();
}

/// Forwards every connection on `listener` to `upstream` (the school's network coming back).
async fn forward(listener: tokio::net::TcpListener, upstream: std::net::SocketAddr) {
    while let Ok((mut inbound, _)) = listener.accept().await {
        tokio::spawn(async move {
            if let Ok(mut outbound) = tokio::net::TcpStream::connect(upstream).await {
                let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
            }
        });
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sync_watch_sends_once_the_network_comes_back() {
    use std::io::BufRead as _;

    let endpoint = TestEndpoint::start().await;
    let keychain = Keychain::start();
    let school = SchoolFixture::eligible_in(&keychain);
    let data = school.data_dir();
    enrol(&endpoint, &keychain, &school).await;
    // The school's route to the endpoint: a loopback port where nothing listens yet.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    {
        let mut ws = school.open();
        let mut enrollment = ws.enrollment().unwrap().unwrap();
        enrollment.endpoint = format!("http://127.0.0.1:{port}");
        ws.set_enrollment(&enrollment).unwrap();
    }
    submit(&keychain, &school).await;

    let mut child = waymark(
        &keychain,
        data,
        &["--json", "sync", "--watch", "--interval", "5"],
    )
    .stdout(std::process::Stdio::piped())
    .stderr(std::process::Stdio::null())
    .spawn()
    .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (lines_tx, mut lines) = tokio::sync::mpsc::unbounded_channel::<String>();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
        {
            if lines_tx.send(line).is_err() {
                break;
            }
        }
    });
    // The first round finds no network and says it waits.
    let first = tokio::time::timeout(std::time::Duration::from_secs(20), lines.recv())
        .await
        .expect("a first round within 20 s")
        .unwrap();
    let first: Value = serde_json::from_str(&first).unwrap();
    assert_eq!(first["deliveries"][0]["outcome"], "waiting", "{first}");

    // The network comes back; the watcher sends without being asked (bounded wait).
    let upstream = endpoint.url.trim_start_matches("http://").parse().unwrap();
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .unwrap();
    let forwarder = tokio::spawn(forward(listener, upstream));
    let sent = tokio::time::timeout(std::time::Duration::from_secs(40), async {
        while let Some(line) = lines.recv().await {
            let round: Value = serde_json::from_str(&line).unwrap();
            if round["deliveries"][0]["outcome"] == "sent" {
                return round;
            }
        }
        panic!("the watcher stopped");
    })
    .await
    .expect("sent within 40 s of the network coming back");
    assert!(sent["deliveries"][0]["receipt"].is_object(), "{sent}");
    let _ = child.kill();
    let _ = child.wait();
    forwarder.abort();
}
