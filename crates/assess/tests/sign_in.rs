//! Signing in with the real binary against the real endpoint and a real Secret Service: the
//! key set is checked against the code before anything is sent, the keychain before the code
//! is spent, secrets never reach the settings folder, and signing out removes them.

#![allow(clippy::unwrap_used, missing_docs)]

mod common;

use common::{Keychain, TestEndpoint, Tool};
use waymark_protocol::enrollment::EnrollmentCode;
use waymark_protocol::keys::Fingerprint;

/// The assessor's registered recipient, or null when their code was never redeemed.
async fn recipient_of(server: &TestEndpoint, email: &str) -> serde_json::Value {
    let (status, assessors) = server
        .admin(reqwest::Method::GET, "/v1/admin/assessors", None)
        .await;
    assert_eq!(status, 200, "{assessors}");
    assessors
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["email"] == email)
        .unwrap()["age_recipient"]
        .clone()
}

#[tokio::test]
async fn a_mistyped_code_or_a_wrong_fingerprint_is_refused_before_anything_is_sent() {
    let keychain = Keychain::start();
    let server = TestEndpoint::start().await;
    let (_, code_text) = server.add_assessor("Ann Assessor", "ann@board.test").await;
    let code = EnrollmentCode::parse(&code_text).unwrap();
    let tool = Tool::new(&keychain);

    // Mistyped: each part is named.
    let err = tool.run(&["sign-in", "hello"]).await;
    assert!(err.refused().contains("wm1:"), "{err:?}");
    let typo = code_text.replacen(&code.secret[..4], "0000", 1);
    let err = tool.run(&["sign-in", &typo]).await;
    assert!(err.refused().contains("secret part is mistyped"), "{err:?}");

    // A fingerprint that is not the server's: refused before redeeming.
    let wrong = EnrollmentCode {
        fingerprint: Fingerprint("0123456789abcdef0123456789abcdef".into()),
        ..code.clone()
    };
    let err = tool.run(&["sign-in", &wrong.to_text()]).await;
    let text = err.refused();
    assert!(text.contains("do not match the fingerprint"), "{text}");
    assert!(text.contains("do not send anything"), "{text}");
    assert_eq!(
        recipient_of(&server, "ann@board.test").await,
        serde_json::Value::Null
    );
    assert!(tool.profile_files().is_empty(), "nothing written");

    // The same code with the right fingerprint still works.
    let run = tool.run(&["sign-in", &code_text]).await;
    let out = run.ok();
    assert!(
        out.contains("Signed in to Test Awarding Body as Ann Assessor <ann@board.test>"),
        "{out}"
    );
    assert!(out.contains(&code.fingerprint.grouped()), "{out}");
    assert!(out.contains("OS keychain"), "{out}");
    assert!(out.contains("service `waymark-assess`"), "{out}");
    assert_ne!(
        recipient_of(&server, "ann@board.test").await,
        serde_json::Value::Null
    );

    // The settings hold no secret: no token, no identity.
    let files = tool.profile_files();
    assert_eq!(files.len(), 1, "{files:?}");
    for (path, bytes) in &files {
        let text = String::from_utf8_lossy(bytes);
        assert!(!text.contains("wmt1_"), "a token in {path:?}");
        assert!(!text.contains("AGE-SECRET-KEY"), "an identity in {path:?}");
    }
    let profile: serde_json::Value = serde_json::from_slice(&files[0].1).unwrap();
    assert_eq!(profile["email"], "ann@board.test");

    // The token comes from the keychain.
    let list = tool.run(&["list"]).await;
    assert!(
        list.ok().contains("No submissions are assigned to you"),
        "{list:?}"
    );
    let again = tool.run(&["sign-in", &code_text]).await;
    assert!(again.refused().contains("already signed in"), "{again:?}");

    // Signing out removes the keychain entry and the settings.
    let saved = files[0].clone();
    let out = tool.run(&["sign-out"]).await;
    assert!(
        out.ok()
            .contains("Removed the credentials from the OS keychain"),
        "{out:?}"
    );
    assert!(tool.profile_files().is_empty());
    let err = tool.run(&["list"]).await;
    assert!(err.refused().contains("not signed in"), "{err:?}");
    // With the settings put back, the keychain has nothing for them.
    std::fs::write(&saved.0, &saved.1).unwrap();
    let err = tool.run(&["list"]).await;
    assert!(err.refused().contains("holds no credentials"), "{err:?}");

    // A used code is refused by the endpoint with its reason.
    std::fs::remove_file(&saved.0).unwrap();
    let err = tool.run(&["sign-in", &code_text]).await;
    let text = err.refused();
    assert!(text.contains("enrollment_code_invalid"), "{text}");
}

#[tokio::test]
async fn without_a_keychain_sign_in_refuses_and_the_code_is_not_spent() {
    let server = TestEndpoint::start().await;
    let (_, code_text) = server.add_assessor("Kim Keyless", "kim@board.test").await;
    let home = tempfile::tempdir().unwrap();
    let nowhere = format!("unix:path={}", home.path().join("no-bus-here").display());
    let tool = Tool::on_bus(&nowhere, home.path());
    let err = tool.run(&["sign-in", &code_text]).await;
    let text = err.refused();
    assert!(text.contains("no OS keychain is available"), "{text}");
    assert!(text.contains("--identity FILE"), "{text}");
    assert!(tool.profile_files().is_empty());
    assert_eq!(
        recipient_of(&server, "kim@board.test").await,
        serde_json::Value::Null
    );

    let keychain = Keychain::start();
    let tool = Tool::new(&keychain);
    let run = tool.run(&["sign-in", &code_text]).await;
    assert!(run.ok().contains("Signed in"), "{run:?}");
}
