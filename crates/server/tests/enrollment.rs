//! Enrollment, tokens and key sets against the real server on loopback.

#![allow(clippy::unwrap_used, missing_docs)]

mod common;

use reqwest::Method;
use serde_json::json;
use waymark_protocol::api::{KeySets, RedeemRequest};
use waymark_protocol::enrollment::EnrollmentCode;
use waymark_protocol::keys::verify_chain;
use waymark_protocol::signed::SecretKey;

use common::TestServer;

#[tokio::test]
async fn a_school_enrols_once_and_its_token_works_until_revoked() {
    let server = TestServer::start().await;
    let issued = server
        .add_institution("Ysgol Gynradd Llanfair", "urn:schoolid:uk:100001")
        .await;
    let code = EnrollmentCode::parse(&issued.code).unwrap();

    // The code pins the key set the server publishes.
    let (status, body) = server.call(Method::GET, "/v1/key-sets", None, None).await;
    assert_eq!(status, 200);
    let chain: KeySets = serde_json::from_value(body).unwrap();
    let set = verify_chain(&code.fingerprint, &chain.key_sets).unwrap();
    assert_eq!(set.awarding_body, "Test Awarding Body");
    assert!(
        set.recipients
            .iter()
            .any(|r| r.age == server.board_identity.recipient())
    );

    let key = SecretKey::generate();
    let request = RedeemRequest {
        secret: code.secret.clone(),
        public_key: Some(key.public()),
        age_recipient: None,
        device: None,
    };
    let response = server.redeem(&request).await;
    let (status, _) = server
        .call(Method::GET, "/v1/key-sets", Some(&response.token), None)
        .await;
    assert_eq!(status, 200);

    // The same code again is refused, and says what to do.
    let (status, body) = server
        .call(
            Method::POST,
            "/v1/enrollments/redeem",
            None,
            Some(serde_json::to_value(&request).unwrap()),
        )
        .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["code"], "enrollment_code_invalid");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("Ask the awarding body")
    );

    // The admin API refuses a school's token, and a made-up token.
    let (status, body) = server
        .call(
            Method::GET,
            "/v1/admin/institutions",
            Some(&response.token),
            None,
        )
        .await;
    assert_eq!(status, 403, "{body}");
    let (status, body) = server
        .call(
            Method::GET,
            "/v1/admin/institutions",
            Some("wmt1_aaaaaaaaaaaaaaaaaaaaaaaaaa_bbbbbbbbbbbbbbbbbbbbbbbbbb"),
            None,
        )
        .await;
    assert_eq!(status, 401, "{body}");
    assert_eq!(body["code"], "unauthorized");

    // A new code for a lost laptop revokes the old token.
    let id = match &issued.account {
        waymark_protocol::api::Account::Institution(i) => i.id,
        _ => unreachable!(),
    };
    let (status, _) = server
        .admin(
            Method::POST,
            &format!("/v1/admin/institutions/{id}/codes"),
            None,
        )
        .await;
    assert_eq!(status, 200);
    let (status, body) = server
        .call(
            Method::GET,
            "/v1/admin/institutions",
            Some(&response.token),
            None,
        )
        .await;
    assert_eq!(status, 401, "{body}");
    assert!(body["message"].as_str().unwrap().contains("revoked"));
}

#[tokio::test]
async fn an_expired_code_is_refused() {
    let server = TestServer::start().await;
    let issued = server
        .add_institution("Late School", "urn:schoolid:uk:100002")
        .await;
    let code = EnrollmentCode::parse(&issued.code).unwrap();
    server.clock.advance(chrono::Duration::days(31));
    let (status, body) = server
        .call(
            Method::POST,
            "/v1/enrollments/redeem",
            None,
            Some(json!({"secret": code.secret, "public_key": SecretKey::generate().public()})),
        )
        .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["code"], "enrollment_code_invalid");
}

#[tokio::test]
async fn an_assessor_joins_the_key_set_as_a_chained_rotation() {
    let server = TestServer::start().await;
    let school = server.enrol_school("Pinned School").await;
    let assessor = server.enrol_assessor("Ada Assessor").await;
    let (_, body) = server.call(Method::GET, "/v1/key-sets", None, None).await;
    let chain: KeySets = serde_json::from_value(body).unwrap();
    assert_eq!(chain.key_sets.len(), 2);
    // The school pinned version 1 and follows the chain to version 2.
    let set = verify_chain(&school.code.fingerprint, &chain.key_sets).unwrap();
    assert_eq!(set.version, 2);
    assert!(
        set.recipients
            .iter()
            .any(|r| r.age == assessor.identity.recipient())
    );
}

#[tokio::test]
async fn enrollment_is_rate_limited_per_address() {
    let server = TestServer::start_with(|c| c.rate.enrollments_per_address_per_hour = 3).await;
    let mut statuses = Vec::new();
    for _ in 0..5 {
        let (status, _) = server
            .call(
                Method::POST,
                "/v1/enrollments/redeem",
                None,
                Some(json!({"secret": "aaaaaaaaaaaaaaaaaaaaaaaaaa", "public_key": SecretKey::generate().public()})),
            )
            .await;
        statuses.push(status);
    }
    assert_eq!(statuses, vec![400, 400, 400, 429, 429]);
}

#[tokio::test]
async fn health_and_readiness() {
    let mut server = TestServer::start().await;
    let (status, body) = server.call(Method::GET, "/health", None, None).await;
    assert_eq!((status, body["status"].as_str()), (200, Some("ok")));
    let (status, _) = server.call(Method::GET, "/ready", None, None).await;
    assert_eq!(status, 200);
    let (status, body) = server
        .call(Method::GET, "/v1/openapi.json", None, None)
        .await;
    assert_eq!(status, 200);
    assert!(body["paths"]["/v1/enrollments/redeem"].is_object());
    server.stop().await;
}

#[tokio::test]
async fn requests_are_rate_limited_per_token_and_say_when_to_retry() {
    let server = TestServer::start_with(|c| c.rate.per_token_per_minute = 5).await;
    let school = server.enrol_school("Busy School").await;
    let other = server.enrol_school("Quiet School").await;
    let mut statuses = Vec::new();
    for _ in 0..7 {
        let resp = server
            .http
            .get(format!("{}/v1/submissions", server.url))
            .bearer_auth(&school.token)
            .send()
            .await
            .unwrap();
        statuses.push(resp.status().as_u16());
        if resp.status().as_u16() == 429 {
            assert!(resp.headers().contains_key("retry-after"));
            let body: serde_json::Value = resp.json().await.unwrap();
            assert_eq!(body["code"], "rate_limited");
        }
    }
    assert_eq!(&statuses[..5], &[200; 5]);
    assert_eq!(&statuses[5..], &[429, 429]);
    // Another school's token has its own allowance.
    let (status, _) = server
        .call(Method::GET, "/v1/submissions", Some(&other.token), None)
        .await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn revoking_an_institutions_tokens_signs_it_out_everywhere() {
    let server = TestServer::start().await;
    let school = server.enrol_school("Stolen Laptop School").await;
    let n = waymark_server::accounts::revoke(
        &server.state,
        waymark_server::meta::AccountKind::Institution,
        school.id.0,
    )
    .await
    .unwrap();
    assert_eq!(n, 1);
    let (status, body) = server
        .call(Method::GET, "/v1/submissions", Some(&school.token), None)
        .await;
    assert_eq!(status, 401, "{body}");
    assert!(body["message"].as_str().unwrap().contains("revoked"));
    let err = waymark_server::accounts::revoke(
        &server.state,
        waymark_server::meta::AccountKind::Assessor,
        school.id.0,
    )
    .await
    .unwrap_err();
    assert_eq!(err.code, waymark_protocol::ApiErrorCode::NotFound);
}
