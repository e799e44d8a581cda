//! A review through the real `waymark-assess` binary against the real endpoint (in process, on
//! loopback) with a real Secret Service: two assessors sign in, a school commits a real
//! encrypted submission, the assessor opens it (verified, decrypted, written), asks for more
//! evidence, opens the answer and recommends; the moderator opens it and confirms the award.
//! And the refusals: a blob changed on the server's disk, an assessor not assigned, an assessor
//! named in the manifest.

#![allow(clippy::unwrap_used, missing_docs)]

mod common;

use std::path::Path;

use common::{Board, Committed, Keychain, School, Spec, TestEndpoint, Tool, submit};
use waymark_protocol::AssessorId;
use waymark_protocol::manifest::{Manifest, ManifestContributor};
use waymark_protocol::review::ReviewState;

async fn signed_in(
    server: &TestEndpoint,
    keychain: &Keychain,
    name: &str,
    email: &str,
) -> (AssessorId, Tool) {
    let (id, code) = server.add_assessor(name, email).await;
    let tool = Tool::new(keychain);
    let run = tool.run(&["sign-in", &code]).await;
    assert!(run.ok().contains(&format!("as {name}")), "{run:?}");
    (id, tool)
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Checks an opened folder holds exactly what the school sent, and returns its stdout-free
/// findings (assessment.json).
fn check_opened(
    out: &Path,
    committed: &Committed,
    files: &[(String, Vec<u8>)],
) -> serde_json::Value {
    let manifest: Manifest =
        serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest, committed.manifest);
    for (name, bytes) in files {
        let written = std::fs::read(out.join("evidence").join(name)).unwrap();
        assert!(&written == bytes, "evidence/{name} is byte-identical");
    }
    let mut names: Vec<String> = std::fs::read_dir(out.join("evidence"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    let mut want: Vec<String> = files.iter().map(|(n, _)| n.clone()).collect();
    want.sort();
    assert_eq!(names, want, "only the evidence, no ciphertext left");
    serde_json::from_slice(&std::fs::read(out.join("assessment.json")).unwrap()).unwrap()
}

/// The report is the school's PDF: its text has the commentary.
fn check_report(out: &Path, stdout: &str, sentence: &str) {
    assert!(stdout.contains("report.pdf"), "{stdout}");
    let text = common::pdf_text(&out.join("report.pdf"))
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        text.contains(sentence),
        "the report has the commentary: {text}"
    );
}

#[tokio::test]
async fn an_assessor_and_a_moderator_take_a_submission_to_its_award() {
    let keychain = Keychain::start();
    let server = TestEndpoint::start().await;
    let school = School::enrol(&server, "Hillside Primary").await;
    let (a_id, a) = signed_in(&server, &keychain, "Ann Assessor", "ann@board.test").await;
    let (m_id, m) = signed_in(&server, &keychain, "Mo Moderator", "mo@board.test").await;
    let (_, stranger) = signed_in(&server, &keychain, "Cy Elsewhere", "cy@board.test").await;

    // Encrypted to the key set current after all enrolled: the office and three assessors.
    let board = Board::of(&server).await;
    assert_eq!(board.recipients().len(), 4);
    let spec = Spec::default();
    let files = spec.evidence.clone();
    let commentary = spec.commentary.clone();
    let v1 = submit(&server, &school, &board, spec).await;
    let id = v1.id.to_string();
    server.assign(v1.id, a_id, m_id).await;

    // list
    let run = a.run(&["list"]).await;
    let listed = run.ok();
    let row = listed.lines().find(|l| l.contains(&id)).expect("listed");
    for cell in [
        "Hillside Primary",
        "technology-self-review 1.0",
        "technology-mark",
        "2026-03-02",
        "2026-04-27", // received + the technology mark's 56-day review window
        "under review",
        "assessor",
    ] {
        assert!(row.contains(cell), "{cell} in {row}");
    }
    assert!(m.run(&["list"]).await.ok().contains("moderator"));

    // A decision before reading is refused.
    let err = a
        .run(&["request-evidence", &id, "--message", "More, please."])
        .await;
    assert!(err.refused().contains("have not opened"), "{err:?}");

    // open
    let work = tempfile::tempdir().unwrap();
    let out1 = work.path().join("hillside-v1");
    let run = a.run(&["open", &id, "--out", path(&out1)]).await;
    let stdout = run.ok();
    assert!(stdout.contains("Opened submission"), "{stdout}");
    assert!(!stdout.contains("WARNING"), "{stdout}");
    let assessment = check_opened(&out1, &v1, &files);
    assert_eq!(assessment["impartiality"]["names_you"], false);
    assert_eq!(assessment["verified"]["envelope_signatures"], 1);
    assert_eq!(assessment["verified"]["evidence_blake3"], 2);
    check_report(&out1, stdout, &commentary);
    // Opening into a folder that exists is refused.
    let err = a.run(&["open", &id, "--out", path(&out1)]).await;
    assert!(err.refused().contains("already exists"), "{err:?}");

    // Someone not assigned is told so.
    let err = stranger
        .run(&["open", &id, "--out", path(&work.path().join("cy"))])
        .await;
    let text = err.refused();
    assert!(text.contains("not assigned to you"), "{text}");
    assert!(!work.path().join("cy").exists());

    // request-evidence: the school sees the request and its message.
    let run = a
        .run(&[
            "request-evidence",
            &id,
            "--message",
            "Please show how governors agreed the vision.",
            "--benchmark",
            "E1.S1.A1=The minutes of the meeting that agreed it.",
        ])
        .await;
    assert!(run.ok().contains("more evidence requested"), "{run:?}");
    let status = school.status(&server, v1.id).await;
    assert_eq!(status.summary.state, ReviewState::MoreEvidenceRequested);
    let request = status.request.unwrap();
    assert_eq!(
        request.message,
        "Please show how governors agreed the vision."
    );
    assert_eq!(request.benchmarks[0].benchmark, "E1.S1.A1");

    // The school answers with a new version.
    let mut spec = Spec {
        commentary: "The governors' minutes of 14 January record the vision being agreed.".into(),
        responds_to: Some(v1.id),
        ..Spec::default()
    };
    spec.evidence.push((
        "minutes.txt".into(),
        b"Minutes, 14 January: vision agreed.\n".to_vec(),
    ));
    let files2 = spec.evidence.clone();
    let commentary2 = spec.commentary.clone();
    let v2 = submit(&server, &school, &Board::of(&server).await, spec).await;
    assert_eq!(v2.id, v1.id);
    assert_eq!(
        school.status(&server, v1.id).await.summary.state,
        ReviewState::Resubmitted
    );

    // Deciding on what was read before the answer is refused: read the answer first.
    let recommend = [
        "recommend",
        id.as_str(),
        "--outcome",
        "award",
        "--strengths",
        "A vision owned by governors and staff.",
        "--development",
        "Involve pupils in the next review of the vision.",
        "--notes",
        "Minutes seen in version 2.",
    ];
    let err = a.run(&recommend).await;
    assert!(err.refused().contains("new version"), "{err:?}");
    let out2 = work.path().join("hillside-v2");
    let run = a.run(&["open", &id, "--out", path(&out2)]).await;
    let stdout = run.ok();
    assert!(stdout.contains("(version 2)"), "{stdout}");
    let assessment = check_opened(&out2, &v2, &files2);
    assert_eq!(assessment["verified"]["envelope_signatures"], 2);
    check_report(&out2, stdout, &commentary2);
    let run = a.run(&recommend).await;
    assert!(run.ok().contains("recommended"), "{run:?}");

    // The moderator reads (here with the awarding body's office identity file) and confirms.
    let err = m.run(&["moderate", &id, "--confirm"]).await;
    assert!(err.refused().contains("have not opened"), "{err:?}");
    let out_m = work.path().join("moderation");
    let identity_file = server.board_identity_file();
    let run = m
        .run(&[
            "open",
            &id,
            "--out",
            path(&out_m),
            "--identity",
            path(&identity_file),
        ])
        .await;
    assert!(run.ok().contains("as moderator"), "{run:?}");
    check_opened(&out_m, &v2, &files2);
    let err = m.run(&["moderate", &id]).await;
    assert_eq!(err.code, 1, "--confirm or --send-back is required: {err:?}");
    let run = m.run(&["moderate", &id, "--confirm"]).await;
    assert!(run.ok().contains("awarded"), "{run:?}");

    let status = school.status(&server, v1.id).await;
    assert_eq!(status.summary.state, ReviewState::Awarded);
    let award = status.award.unwrap();
    assert_eq!(award.award, "technology-mark");
    assert_eq!(award.submission, v1.id);
    let feedback = status.feedback.unwrap();
    assert_eq!(feedback.strengths, "A vision owned by governors and staff.");
    let run = a.run(&["list"]).await;
    assert!(run.ok().contains("awarded"), "{run:?}");
}

#[tokio::test]
async fn a_blob_changed_on_the_servers_disk_is_refused_and_nothing_is_written() {
    let keychain = Keychain::start();
    let server = TestEndpoint::start().await;
    let school = School::enrol(&server, "Tampered School").await;
    let (a_id, a) = signed_in(&server, &keychain, "Ann Assessor", "ann@board.test").await;
    let (m_id, _m) = signed_in(&server, &keychain, "Mo Moderator", "mo@board.test").await;
    let committed = submit(&server, &school, &Board::of(&server).await, Spec::default()).await;
    server.assign(committed.id, a_id, m_id).await;
    let id = committed.id.to_string();

    let (_, photo_upload) = committed
        .uploads
        .iter()
        .find(|(name, _)| name == "lab photo.jpg")
        .unwrap();
    common::flip_a_stored_byte(&server, photo_upload);

    let work = tempfile::tempdir().unwrap();
    let out = work.path().join("opened");
    let err = a.run(&["open", &id, "--out", path(&out)]).await;
    let text = err.refused();
    assert!(text.contains("`lab photo.jpg`"), "names the file: {text}");
    assert!(text.contains("SHA-256"), "says what failed: {text}");
    assert!(!out.exists());
    assert_eq!(
        std::fs::read_dir(work.path()).unwrap().count(),
        0,
        "no temporary folder left behind"
    );
    // Never opened, so no decision either.
    let err = a
        .run(&[
            "recommend",
            &id,
            "--outcome",
            "not-yet",
            "--strengths",
            "s",
            "--development",
            "d",
        ])
        .await;
    assert!(err.refused().contains("have not opened"), "{err:?}");
    assert_eq!(
        school.status(&server, committed.id).await.summary.state,
        ReviewState::UnderReview
    );
}

#[tokio::test]
async fn an_assessor_named_in_the_working_group_is_warned_and_cannot_decide() {
    let keychain = Keychain::start();
    let server = TestEndpoint::start().await;
    let school = School::enrol(&server, "Close School").await;
    let (n_id, n) = signed_in(&server, &keychain, "Nora Named", "nora@board.test").await;
    let (m_id, _m) = signed_in(&server, &keychain, "Mo Moderator", "mo@board.test").await;
    let mut spec = Spec::default();
    spec.working_group.push(ManifestContributor {
        name: "NORA NAMED".into(),
        role: "Governor".into(),
        email: None,
    });
    let committed = submit(&server, &school, &Board::of(&server).await, spec).await;
    // The endpoint cannot see the working group: the assignment goes through.
    server.assign(committed.id, n_id, m_id).await;
    let id = committed.id.to_string();

    let work = tempfile::tempdir().unwrap();
    let out = work.path().join("opened");
    let run = n.run(&["open", &id, "--out", path(&out)]).await;
    let stdout = run.ok();
    assert!(
        stdout.contains("WARNING: THIS SUBMISSION NAMES YOU"),
        "{stdout}"
    );
    assert!(stdout.contains("working group: \"NORA NAMED\""), "{stdout}");
    let assessment: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("assessment.json")).unwrap()).unwrap();
    assert_eq!(assessment["impartiality"]["names_you"], true);

    for decision in [
        vec![
            "recommend",
            &id,
            "--outcome",
            "award",
            "--strengths",
            "s",
            "--development",
            "d",
        ],
        vec!["request-evidence", &id, "--message", "More."],
    ] {
        let err = n.run(&decision).await;
        let text = err.refused();
        assert!(text.contains("names you"), "{text}");
        assert!(text.contains("declare-link"), "{text}");
    }
    assert_eq!(
        school.status(&server, committed.id).await.summary.state,
        ReviewState::UnderReview,
        "nothing was decided"
    );

    // Declaring the link: the endpoint then refuses this assessor on the school too.
    let run = n
        .run(&[
            "declare-link",
            &school.id.to_string(),
            "--reason",
            "Governor of the school",
        ])
        .await;
    assert!(run.ok().contains("declared"), "{run:?}");
    let (status, body) = server
        .admin(
            reqwest::Method::POST,
            &format!("/v1/admin/submissions/{}/assign", committed.id),
            Some(serde_json::json!({"assessor": n_id, "moderator": m_id})),
        )
        .await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["code"], "not_impartial");
}

#[tokio::test]
async fn a_report_that_cannot_be_made_is_said_and_the_rest_is_still_written() {
    let keychain = Keychain::start();
    let server = TestEndpoint::start().await;
    let school = School::enrol(&server, "Newer School").await;
    let (a_id, a) = signed_in(&server, &keychain, "Ann Assessor", "ann@board.test").await;
    let (m_id, _m) = signed_in(&server, &keychain, "Mo Moderator", "mo@board.test").await;
    // An action status this Waymark does not know (a newer app, say): the core refuses it.
    let spec = Spec {
        action_status: "someday".into(),
        ..Spec::default()
    };
    let files = spec.evidence.clone();
    let committed = submit(&server, &school, &Board::of(&server).await, spec).await;
    server.assign(committed.id, a_id, m_id).await;

    let work = tempfile::tempdir().unwrap();
    let out = work.path().join("opened");
    let run = a
        .run(&["open", &committed.id.to_string(), "--out", path(&out)])
        .await;
    let stdout = run.ok();
    assert!(stdout.contains("the report could not be made"), "{stdout}");
    assert!(stdout.contains("someday"), "the reason: {stdout}");
    assert!(!out.join("report.pdf").exists());
    let assessment = check_opened(&out, &committed, &files);
    assert_eq!(assessment["report"]["made"], false);
    assert!(
        assessment["report"]["reason"]
            .as_str()
            .unwrap()
            .contains("someday")
    );
}
