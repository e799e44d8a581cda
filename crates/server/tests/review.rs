//! The review against the real server on loopback: assignment and impartiality, who may see and
//! do what, every state transition and its refusals, awards, their expiry and their public
//! verification.

#![allow(clippy::unwrap_used, missing_docs)]

mod common;

use common::assert_refused;

use chrono::{Duration, NaiveDate};
use reqwest::Method;
use serde_json::{Value, json};
use waymark_protocol::review::{expires_on, review_due};
use waymark_protocol::{Sha256, SubmissionId};

use common::flow::{
    CARE, Now as _, TECHNOLOGY, assign, evidence_request, list, recommendation, school_events,
    school_status, step, submit, submit_for, view,
};
use common::{Assessor, School, TestServer, start_time};

/// The technology mark's review window and validity (its framework file).
const TECHNOLOGY_WINDOW_DAYS: u32 = 56;
const TECHNOLOGY_VALIDITY_YEARS: u32 = 3;

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/// A submission assigned to `assessor`, moderated by `moderator`, taken to an award.
async fn awarded(
    server: &TestServer,
    school: &School,
    assessor: &Assessor,
    moderator: &Assessor,
) -> (SubmissionId, Value) {
    let sub = submit(server, school).await;
    assert_eq!(assign(server, sub.id, assessor, moderator).await.0, 200);
    let (status, body) = step(
        server,
        assessor,
        sub.id,
        "recommend",
        recommendation("award"),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = step(
        server,
        moderator,
        sub.id,
        "moderate",
        json!({"decision": "confirm"}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["state"], "awarded");
    let award = school_status(server, school, sub.id).await["award"].clone();
    (sub.id, award)
}

// ---------------------------------------------------------------------------------------------
// Assignment and impartiality
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn assignment_sets_the_due_date_and_refuses_one_person_twice_or_a_declared_link() {
    let server = TestServer::start().await;
    let school = server.enrol_school("Ysgol y Bryn").await;
    let a = server.enrol_assessor("Ann Assessor").await;
    let m = server.enrol_assessor("Mo Moderator").await;
    let linked = server.enrol_assessor("Lee Linked").await;
    let sub = submit(&server, &school).await;

    let (status, body) = server
        .admin(Method::GET, "/v1/admin/submissions?state=received", None)
        .await;
    assert_eq!(status, 200, "{body}");
    let listed = body["submissions"].as_array().unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["id"], sub.id.to_string());
    assert_eq!(listed[0]["institution_name"], "Ysgol y Bryn");
    assert_eq!(listed[0]["review_due"], Value::Null);
    let (status, body) = server
        .admin(Method::GET, "/v1/admin/submissions?state=asleep", None)
        .await;
    assert_refused(status, &body, 400, "bad_request");

    // One person cannot assess and moderate.
    let (status, body) = assign(&server, sub.id, &a, &a).await;
    assert_refused(status, &body, 409, "not_impartial");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("second assessor"),
        "{body}"
    );

    // A declared link refuses the assessor in either role, with the reason given.
    let (status, body) = server
        .call(
            Method::POST,
            "/v1/assessor/links",
            Some(&linked.token),
            Some(json!({"institution": school.id, "reason": "Governor since 2024"})),
        )
        .await;
    assert_eq!(status, 204, "{body}");
    for (assessor, moderator) in [(&linked, &m), (&a, &linked)] {
        let (status, body) = assign(&server, sub.id, assessor, moderator).await;
        assert_refused(status, &body, 409, "not_impartial");
        assert!(
            body["message"]
                .as_str()
                .unwrap()
                .contains("Governor since 2024"),
            "{body}"
        );
    }
    // A link needs a reason and a real institution.
    let (status, body) = server
        .call(
            Method::POST,
            "/v1/assessor/links",
            Some(&a.token),
            Some(json!({"institution": school.id, "reason": "  "})),
        )
        .await;
    assert_refused(status, &body, 400, "bad_request");
    let (status, body) = server
        .call(
            Method::POST,
            "/v1/assessor/links",
            Some(&a.token),
            Some(json!({"institution": uuid::Uuid::now_v7(), "reason": "Former teacher"})),
        )
        .await;
    assert_refused(status, &body, 404, "not_found");

    // Both must exist and have enrolled (so they can decrypt).
    let (status, body) = server
        .admin(
            Method::POST,
            &format!("/v1/admin/submissions/{}/assign", sub.id),
            Some(json!({"assessor": uuid::Uuid::now_v7(), "moderator": m.id})),
        )
        .await;
    assert_refused(status, &body, 400, "bad_request");
    let (status, body) = server
        .admin(
            Method::POST,
            "/v1/admin/assessors",
            Some(json!({"name": "Not Yet Enrolled", "email": "late@assessors.test"})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let late = body["account"]["id"].clone();
    let (status, body) = server
        .admin(
            Method::POST,
            &format!("/v1/admin/submissions/{}/assign", sub.id),
            Some(json!({"assessor": a.id, "moderator": late})),
        )
        .await;
    assert_refused(status, &body, 400, "bad_request");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("has not enrolled"),
        "{body}"
    );
    // Only the administrator assigns; an unknown submission is not found.
    let (status, body) = server
        .call(
            Method::POST,
            &format!("/v1/admin/submissions/{}/assign", sub.id),
            Some(&a.token),
            Some(json!({"assessor": a.id, "moderator": m.id})),
        )
        .await;
    assert_refused(status, &body, 403, "forbidden");
    let (status, body) = assign(&server, SubmissionId::new(), &a, &m).await;
    assert_refused(status, &body, 404, "not_found");

    // received -> under_review, due by the award's review window.
    let due = review_due(start_time(), TECHNOLOGY_WINDOW_DAYS);
    let (status, body) = assign(&server, sub.id, &a, &m).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["state"], "under_review");
    assert_eq!(body["review_due"], due.to_string());
    let status = school_status(&server, &school, sub.id).await;
    assert_eq!(status["summary"]["state"], "under_review");
    assert_eq!(status["summary"]["review_due"], due.to_string());
    let (_, body) = server
        .admin(
            Method::GET,
            "/v1/admin/submissions?state=under_review",
            None,
        )
        .await;
    assert_eq!(body["submissions"].as_array().unwrap().len(), 1);
    let (_, body) = server
        .admin(Method::GET, "/v1/admin/submissions?state=received", None)
        .await;
    assert!(body["submissions"].as_array().unwrap().is_empty(), "{body}");
    let (_, body) = server
        .admin(Method::GET, "/v1/admin/submissions", None)
        .await;
    assert_eq!(body["submissions"].as_array().unwrap().len(), 1);

    // Reassigning later keeps the state and the due date; the first assessor loses sight of it.
    server.clock.advance(Duration::days(3));
    let b = server.enrol_assessor("Bea Backup").await;
    let (status, body) = assign(&server, sub.id, &b, &m).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["state"], "under_review");
    assert_eq!(body["review_due"], due.to_string());
    assert!(list(&server, &a).await.is_empty());
    assert_refused_pair(view(&server, &a, sub.id).await, 404, "not_found");
    let assignments = list(&server, &b).await;
    assert_eq!(assignments.len(), 1);
    assert_eq!(assignments[0]["role"], "assessor");
    assert_eq!(assignments[0]["other"], m.id.to_string());

    // The school sees the assignment, without anyone named.
    let events = school_events(&server, &school, sub.id).await;
    let kinds: Vec<&str> = events
        .iter()
        .map(|e| e["kind"]["type"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["received", "assigned", "assigned"]);
    assert!(
        events.iter().all(|e| e["actor"].get("assessor").is_none()),
        "{events:?}"
    );
}

fn assert_refused_pair((status, body): (u16, Value), want: u16, code: &str) {
    assert_refused(status, &body, want, code);
}

// ---------------------------------------------------------------------------------------------
// Who may see and do what
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn only_the_assigned_see_a_submission_and_each_takes_only_their_own_steps() {
    let server = TestServer::start().await;
    let school = server.enrol_school("St Aidan's Primary").await;
    let other_school = server.enrol_school("Other School").await;
    let a = server.enrol_assessor("Ann Assessor").await;
    let m = server.enrol_assessor("Mo Moderator").await;
    let o = server.enrol_assessor("Olu Other").await;
    let sub = submit(&server, &school).await;
    let elsewhere = submit(&server, &other_school).await;

    // Not assigned yet: to an assessor it is like any submission not theirs (404), so neither
    // its existence nor its state is told to someone who is not reviewing it.
    let (status, body) = step(&server, &a, sub.id, "recommend", recommendation("award")).await;
    assert_refused(status, &body, 404, "not_found");
    assert!(
        !body["message"].as_str().unwrap().contains("received"),
        "{body}"
    );
    assert_refused_pair(view(&server, &a, sub.id).await, 404, "not_found");

    assert_eq!(assign(&server, sub.id, &a, &m).await.0, 200);

    // Another assessor sees nothing: list, view, blob, steps.
    assert!(list(&server, &o).await.is_empty());
    assert_refused_pair(view(&server, &o, sub.id).await, 404, "not_found");
    let blob_path =
        |id: SubmissionId, sha: Sha256| format!("/v1/assessor/submissions/{id}/blobs/{sha}");
    let (status, body) = server
        .call(
            Method::GET,
            &blob_path(sub.id, sub.manifest.sha256),
            Some(&o.token),
            None,
        )
        .await;
    assert_refused(status, &body, 404, "not_found");
    for (what, body) in [
        ("request-evidence", evidence_request()),
        ("recommend", recommendation("award")),
        ("moderate", json!({"decision": "confirm"})),
    ] {
        let (status, body) = step(&server, &o, sub.id, what, body).await;
        assert_refused(status, &body, 404, "not_found");
    }

    // Other kinds of token are refused on the assessor's routes.
    for token in [&school.token, &server.admin_token] {
        let (status, body) = server
            .call(Method::GET, "/v1/assessor/assignments", Some(token), None)
            .await;
        assert_refused(status, &body, 403, "forbidden");
        let (status, body) = server
            .call(
                Method::GET,
                &format!("/v1/assessor/submissions/{}", sub.id),
                Some(token),
                None,
            )
            .await;
        assert_refused(status, &body, 403, "forbidden");
        let (status, body) = server
            .call(
                Method::POST,
                &format!("/v1/assessor/submissions/{}/recommend", sub.id),
                Some(token),
                Some(recommendation("award")),
            )
            .await;
        assert_refused(status, &body, 403, "forbidden");
    }
    let (status, body) = server
        .call(Method::GET, "/v1/assessor/assignments", None, None)
        .await;
    assert_refused(status, &body, 401, "unauthorized");

    // Both assigned see it, each in their role.
    let mine = list(&server, &a).await;
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0]["role"], "assessor");
    assert_eq!(mine[0]["other"], m.id.to_string());
    assert_eq!(mine[0]["summary"]["institution_name"], "St Aidan's Primary");
    let theirs = list(&server, &m).await;
    assert_eq!(theirs[0]["role"], "moderator");
    assert_eq!(theirs[0]["other"], a.id.to_string());
    let (status, body) = view(&server, &a, sub.id).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["envelopes"], json!([sub.envelope]));
    assert_eq!(
        body["institution_key"],
        serde_json::to_value(school.key.public()).unwrap()
    );
    assert_eq!(body["institution"]["name"], "St Aidan's Primary");
    assert_eq!(body["recommendation"], Value::Null);
    assert_eq!(view(&server, &m, sub.id).await.0, 200);

    // The blob, as stored, for both of them; not one the submission does not list.
    for who in [&a, &m] {
        let resp = server
            .http
            .get(format!(
                "{}{}",
                server.url,
                blob_path(sub.id, sub.manifest.sha256)
            ))
            .bearer_auth(&who.token)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status().as_u16(), 200);
        assert_eq!(resp.headers()["content-type"], "application/octet-stream");
        assert_eq!(
            resp.headers()["content-length"],
            sub.manifest.size.to_string().as_str()
        );
        let bytes = resp.bytes().await.unwrap();
        assert_eq!(Sha256::of(&bytes), sub.manifest.sha256);
    }
    let (status, body) = server
        .call(
            Method::GET,
            &blob_path(sub.id, elsewhere.manifest.sha256),
            Some(&a.token),
            None,
        )
        .await;
    assert_refused(status, &body, 404, "not_found");
    let (status, body) = server
        .call(
            Method::GET,
            &format!("/v1/assessor/submissions/{}/blobs/not-a-hash", sub.id),
            Some(&a.token),
            None,
        )
        .await;
    assert_refused(status, &body, 400, "bad_request");

    // The moderator cannot take the assessor's steps.
    let (status, body) = step(&server, &m, sub.id, "request-evidence", evidence_request()).await;
    assert_refused(status, &body, 403, "forbidden");
    let (status, body) = step(&server, &m, sub.id, "recommend", recommendation("award")).await;
    assert_refused(status, &body, 403, "forbidden");

    // A request names real benchmarks, and says something.
    let mut unknown = evidence_request();
    unknown["benchmarks"][0]["benchmark"] = json!("E9.S9.A9");
    let (status, body) = step(&server, &a, sub.id, "request-evidence", unknown).await;
    assert_refused(status, &body, 400, "bad_request");
    assert!(
        body["message"].as_str().unwrap().contains("E9.S9.A9"),
        "{body}"
    );
    let mut empty = evidence_request();
    empty["message"] = json!("  ");
    let (status, body) = step(&server, &a, sub.id, "request-evidence", empty).await;
    assert_refused(status, &body, 400, "bad_request");
    let (status, body) = step(
        &server,
        &a,
        sub.id,
        "request-evidence",
        json!({"message": 3}),
    )
    .await;
    assert_refused(status, &body, 400, "bad_request");

    // Feedback needs strengths and areas for development; enhanced practice is only for
    // frameworks without levels.
    let mut thin = recommendation("award");
    thin["feedback"]["strengths"] = json!("");
    let (status, body) = step(&server, &a, sub.id, "recommend", thin).await;
    assert_refused(status, &body, 400, "bad_request");
    let mut enhanced = recommendation("award");
    enhanced["feedback"]["enhanced_practice"] = json!("Outstanding outreach.");
    let (status, body) = step(&server, &a, sub.id, "recommend", enhanced).await;
    assert_refused(status, &body, 400, "bad_request");
    // Judgements name a benchmark of the framework once; a level only when differing, on the
    // scale.
    for judgements in [
        json!([{"benchmark": "NOPE.1", "agreed": true}]),
        json!([{"benchmark": "E1.S1.A1", "agreed": true}, {"benchmark": "E1.S1.A1", "agreed": true}]),
        json!([{"benchmark": "E1.S1.A1", "agreed": true, "level": 2}]),
        json!([{"benchmark": "E1.S1.A1", "agreed": false, "level": 99}]),
    ] {
        let mut judged = recommendation("award");
        judged["judgements"] = judgements.clone();
        let (status, body) = step(&server, &a, sub.id, "recommend", judged).await;
        assert_refused(status, &body, 400, "bad_request");
        assert_eq!(body["code"], "bad_request", "{judgements}");
    }

    // Once recommended, the assessor cannot moderate their own recommendation.
    let (status, body) = step(&server, &a, sub.id, "recommend", recommendation("award")).await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = step(
        &server,
        &a,
        sub.id,
        "moderate",
        json!({"decision": "confirm"}),
    )
    .await;
    assert_refused(status, &body, 403, "forbidden");
    let (status, body) = step(
        &server,
        &m,
        sub.id,
        "moderate",
        json!({"decision": "approve"}),
    )
    .await;
    assert_refused(status, &body, 400, "bad_request");
}

#[tokio::test]
async fn a_link_declared_after_assignment_stops_the_assessor() {
    let server = TestServer::start().await;
    let school = server.enrol_school("Linked School").await;
    let a = server.enrol_assessor("Ann Assessor").await;
    let m = server.enrol_assessor("Mo Moderator").await;
    let sub = submit(&server, &school).await;
    assert_eq!(assign(&server, sub.id, &a, &m).await.0, 200);
    let (status, _) = server
        .call(
            Method::POST,
            "/v1/assessor/links",
            Some(&a.token),
            Some(json!({"institution": school.id, "reason": "My child started there"})),
        )
        .await;
    assert_eq!(status, 204);
    let (status, body) = step(&server, &a, sub.id, "request-evidence", evidence_request()).await;
    assert_refused(status, &body, 409, "not_impartial");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("My child started there")
    );
    // The administrator reassigns to someone impartial, who carries on.
    let b = server.enrol_assessor("Bea Backup").await;
    assert_eq!(assign(&server, sub.id, &b, &m).await.0, 200);
    let (status, body) = step(&server, &b, sub.id, "request-evidence", evidence_request()).await;
    assert_eq!(status, 200, "{body}");
}

// ---------------------------------------------------------------------------------------------
// The transitions
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn evidence_requested_resubmitted_sent_back_then_awarded_for_the_validity_years() {
    let server = TestServer::start().await;
    let school = server.enrol_school("Ysgol <Gymraeg> & \"Friends\"").await;
    let a = server.enrol_assessor("Ann Assessor").await;
    let m = server.enrol_assessor("Mo Moderator").await;
    let sub = submit(&server, &school).await;
    assert_eq!(assign(&server, sub.id, &a, &m).await.0, 200);

    // under_review -> more_evidence_requested
    let (status, body) = step(&server, &a, sub.id, "request-evidence", evidence_request()).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["state"], "more_evidence_requested");
    let status = school_status(&server, &school, sub.id).await;
    assert_eq!(status["summary"]["state"], "more_evidence_requested");
    assert_eq!(status["request"]["benchmarks"][0]["benchmark"], "E1.S1.A1");
    // Nothing to recommend until the school answers; asking twice is refused too.
    let (status, body) = step(&server, &a, sub.id, "recommend", recommendation("award")).await;
    assert_refused(status, &body, 409, "transition_not_allowed");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("more_evidence_requested"),
        "{body}"
    );
    let (status, body) = step(&server, &a, sub.id, "request-evidence", evidence_request()).await;
    assert_refused(status, &body, 409, "transition_not_allowed");

    // more_evidence_requested -> resubmitted (the school's new envelope)
    server.clock.advance(Duration::days(7));
    let second = submit_for(&server, &school, TECHNOLOGY, Some(sub.id)).await;
    assert_eq!(second.id, sub.id);
    let (_, body) = view(&server, &a, sub.id).await;
    assert_eq!(body["assignment"]["summary"]["state"], "resubmitted");
    assert_eq!(body["envelopes"], json!([sub.envelope, second.envelope]));

    // resubmitted -> more_evidence_requested (asked again) -> resubmitted
    let (status, body) = step(&server, &a, sub.id, "request-evidence", evidence_request()).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["state"], "more_evidence_requested");
    let third = submit_for(&server, &school, TECHNOLOGY, Some(sub.id)).await;
    let (_, body) = view(&server, &a, sub.id).await;
    assert_eq!(body["assignment"]["summary"]["state"], "resubmitted");
    assert_eq!(body["assignment"]["summary"]["versions"], 3);
    assert_eq!(
        body["envelopes"],
        json!([sub.envelope, second.envelope, third.envelope])
    );

    // resubmitted -> recommended
    let (status, body) = step(&server, &a, sub.id, "recommend", recommendation("award")).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["state"], "recommended");
    let (_, body) = view(&server, &m, sub.id).await;
    assert_eq!(body["recommendation"]["outcome"], "award");
    assert!(
        body["recommendation"]["notes"]
            .as_str()
            .unwrap()
            .contains("Visited")
    );
    // Whoever recommended cannot be made its moderator.
    let (status, body) = assign(&server, sub.id, &m, &a).await;
    assert_refused(status, &body, 409, "not_impartial");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("cannot moderate"),
        "{body}"
    );
    // Recommending twice is refused.
    let (status, body) = step(&server, &a, sub.id, "recommend", recommendation("award")).await;
    assert_refused(status, &body, 409, "transition_not_allowed");

    // recommended -> under_review (sent back), the recommendation cleared; a reason is needed.
    let (status, body) = step(
        &server,
        &m,
        sub.id,
        "moderate",
        json!({"decision": "send_back", "reason": ""}),
    )
    .await;
    assert_refused(status, &body, 400, "bad_request");
    let (status, body) = step(
        &server,
        &m,
        sub.id,
        "moderate",
        json!({"decision": "send_back", "reason": "Say what the governors' minutes show."}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["state"], "under_review");
    let (_, body) = view(&server, &a, sub.id).await;
    assert_eq!(body["recommendation"], Value::Null);
    // The moderator has nothing to moderate now.
    let (status, body) = step(
        &server,
        &m,
        sub.id,
        "moderate",
        json!({"decision": "confirm"}),
    )
    .await;
    assert_refused(status, &body, 409, "transition_not_allowed");

    // under_review -> recommended -> awarded
    let (status, _) = step(&server, &a, sub.id, "recommend", recommendation("award")).await;
    assert_eq!(status, 200);
    server.clock.advance(Duration::days(3));
    let awarded_on = server.today();
    let (status, body) = step(
        &server,
        &m,
        sub.id,
        "moderate",
        json!({"decision": "confirm"}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["state"], "awarded");

    // The school sees the award and the feedback, and the events without assessor ids.
    let status = school_status(&server, &school, sub.id).await;
    assert_eq!(status["summary"]["state"], "awarded");
    assert_eq!(status["award"]["title"], "Technology Mark");
    assert_eq!(status["award"]["awarded_on"], awarded_on.to_string());
    let expiry = expires_on(awarded_on, TECHNOLOGY_VALIDITY_YEARS);
    assert_eq!(expiry, NaiveDate::from_ymd_opt(2029, 3, 12).unwrap());
    assert_eq!(status["award"]["expires_on"], expiry.to_string());
    assert_eq!(
        status["feedback"]["strengths"],
        "A shared vision, owned by staff and governors."
    );
    let code = status["award"]["verification_code"]
        .as_str()
        .unwrap()
        .to_owned();
    let events = school_events(&server, &school, sub.id).await;
    let kinds: Vec<&str> = events
        .iter()
        .map(|e| e["kind"]["type"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "received",
            "assigned",
            "evidence_requested",
            "received",
            "evidence_requested",
            "received",
            "recommended",
            "sent_back",
            "recommended",
            "awarded"
        ]
    );
    assert!(
        events.iter().all(|e| e["actor"].get("assessor").is_none()),
        "{events:?}"
    );
    // The assessors' view names who did what.
    let (_, body) = view(&server, &a, sub.id).await;
    let by: Vec<(String, Value)> = body["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["actor"]["role"].as_str().unwrap().to_owned(),
                e["actor"]["assessor"].clone(),
            )
        })
        .collect();
    assert_eq!(by[0].0, "institution");
    assert_eq!(by[1], ("awarding_body".into(), Value::Null));
    assert_eq!(by[2], ("assessor".into(), json!(a.id)));
    assert_eq!(by[6], ("assessor".into(), json!(a.id)));
    assert_eq!(by[7], ("moderator".into(), json!(m.id)));
    assert_eq!(by[9], ("moderator".into(), json!(m.id)));

    // Nothing follows a final state.
    for (who, what, body) in [
        (&a, "request-evidence", evidence_request()),
        (&a, "recommend", recommendation("award")),
        (&m, "moderate", json!({"decision": "confirm"})),
        (
            &m,
            "moderate",
            json!({"decision": "send_back", "reason": "Again"}),
        ),
    ] {
        let (status, body) = step(&server, who, sub.id, what, body).await;
        assert_refused(status, &body, 409, "transition_not_allowed");
        assert!(
            body["message"].as_str().unwrap().contains("awarded"),
            "{body}"
        );
    }
    let (status, body) = assign(&server, sub.id, &m, &a).await;
    assert_refused(status, &body, 409, "transition_not_allowed");
    // Finished assignments are still listed.
    assert_eq!(list(&server, &a).await[0]["summary"]["state"], "awarded");

    // Public verification: JSON with only the certificate's facts, and a page.
    let (status, body) = server
        .call(Method::GET, &format!("/v1/awards/{code}"), None, None)
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body,
        json!({
            "institution": "Ysgol <Gymraeg> & \"Friends\"",
            "award": "Technology Mark",
            "framework": body["framework"].clone(),
            "awarding_body": "Test Awarding Body",
            "awarded_on": awarded_on.to_string(),
            "expires_on": expiry.to_string(),
            "current": true,
        })
    );
    assert!(!body["framework"].as_str().unwrap().is_empty());
    let (status, again) = server
        .call(
            Method::GET,
            &format!("/v1/awards/{}", code.to_uppercase()),
            None,
            None,
        )
        .await;
    assert_eq!((status, &again), (200, &body));

    let page = server
        .http
        .get(format!("{}/awards/{code}", server.url))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status().as_u16(), 200);
    assert!(
        page.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let html = page.text().await.unwrap();
    assert!(html.contains("<html lang=\"en\">"), "{html}");
    assert!(
        html.contains(
            "<title>Technology Mark: Ysgol &lt;Gymraeg&gt; &amp; &quot;Friends&quot;</title>"
        ),
        "{html}"
    );
    assert!(!html.contains("<Gymraeg>"), "{html}");
    assert!(!html.contains("<script"), "{html}");
    assert!(html.contains("Current"), "{html}");
    assert!(html.contains("12 March 2029"), "{html}");

    // Current on its expiry day; after it, no longer.
    let until = (expiry - server.today()).num_days();
    server.clock.advance(Duration::days(until));
    assert_eq!(server.today(), expiry);
    let (_, body) = server
        .call(Method::GET, &format!("/v1/awards/{code}"), None, None)
        .await;
    assert_eq!(body["current"], true);
    server.clock.advance(Duration::days(1));
    let (_, body) = server
        .call(Method::GET, &format!("/v1/awards/{code}"), None, None)
        .await;
    assert_eq!(body["current"], false);
    let html = server
        .http
        .get(format!("{}/awards/{code}", server.url))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("Expired on 12 March 2029"), "{html}");
}

#[tokio::test]
async fn not_awarded_is_confirmed_with_feedback_and_enhanced_practice_where_there_are_no_levels() {
    let server = TestServer::start().await;
    let school = server.enrol_school("Riverside College").await;
    let a = server.enrol_assessor("Ann Assessor").await;
    let m = server.enrol_assessor("Mo Moderator").await;
    let sub = submit_for(&server, &school, CARE, None).await;
    assert_eq!(assign(&server, sub.id, &a, &m).await.0, 200);
    let mut rec = recommendation("not_yet");
    rec["feedback"]["enhanced_practice"] = json!("Outreach with local authorities is exceptional.");
    let (status, body) = step(&server, &a, sub.id, "recommend", rec).await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = step(
        &server,
        &m,
        sub.id,
        "moderate",
        json!({"decision": "confirm"}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["state"], "not_awarded");

    let status = school_status(&server, &school, sub.id).await;
    assert_eq!(status["summary"]["state"], "not_awarded");
    assert_eq!(status["award"], Value::Null);
    assert_eq!(
        status["feedback"]["areas_for_development"],
        "Evaluate the impact of training on teaching."
    );
    assert_eq!(
        status["feedback"]["enhanced_practice"],
        "Outreach with local authorities is exceptional."
    );
    let events = school_events(&server, &school, sub.id).await;
    let last = events.last().unwrap();
    assert_eq!(last["kind"]["type"], "not_awarded");
    assert_eq!(last["state"], "not_awarded");
    // A final state refuses every further step.
    let (status, body) = step(
        &server,
        &a,
        sub.id,
        "request-evidence",
        json!({"message": "More", "benchmarks": []}),
    )
    .await;
    assert_refused(status, &body, 409, "transition_not_allowed");
    let (status, body) = step(
        &server,
        &m,
        sub.id,
        "moderate",
        json!({"decision": "confirm"}),
    )
    .await;
    assert_refused(status, &body, 409, "transition_not_allowed");
    // Nothing to expire.
    let (_, body) = server
        .admin(
            Method::GET,
            "/v1/admin/awards/expiring?within_days=3660",
            None,
        )
        .await;
    assert!(body["awards"].as_array().unwrap().is_empty(), "{body}");
}

#[tokio::test]
async fn racing_moderations_record_one_decision() {
    let server = TestServer::start().await;
    let school = server.enrol_school("Race School").await;
    let a = server.enrol_assessor("Ann Assessor").await;
    let m = server.enrol_assessor("Mo Moderator").await;
    let sub = submit(&server, &school).await;
    assert_eq!(assign(&server, sub.id, &a, &m).await.0, 200);
    assert_eq!(
        step(&server, &a, sub.id, "recommend", recommendation("award"))
            .await
            .0,
        200
    );
    let confirm = || {
        step(
            &server,
            &m,
            sub.id,
            "moderate",
            json!({"decision": "confirm"}),
        )
    };
    let send_back = || {
        step(
            &server,
            &m,
            sub.id,
            "moderate",
            json!({"decision": "send_back", "reason": "Second thoughts"}),
        )
    };
    let (one, two) = tokio::join!(confirm(), send_back());
    let mut statuses = [one.0, two.0];
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 409], "{one:?} {two:?}");
    let loser = if one.0 == 409 { &one.1 } else { &two.1 };
    assert_eq!(loser["code"], "transition_not_allowed");
    let events = school_events(&server, &school, sub.id).await;
    let decided = events
        .iter()
        .filter(|e| matches!(e["kind"]["type"].as_str(), Some("awarded" | "sent_back")))
        .count();
    assert_eq!(decided, 1, "{events:?}");
}

// ---------------------------------------------------------------------------------------------
// Awards: expiry and verification
// ---------------------------------------------------------------------------------------------

async fn expiring(server: &TestServer, query: &str) -> Vec<Value> {
    let (status, body) = server
        .admin(
            Method::GET,
            &format!("/v1/admin/awards/expiring{query}"),
            None,
        )
        .await;
    assert_eq!(status, 200, "{body}");
    body["awards"].as_array().unwrap().clone()
}

#[tokio::test]
async fn expiring_awards_lists_those_due_within_the_window_only() {
    let server = TestServer::start().await;
    let first = server.enrol_school("First School").await;
    let later = server.enrol_school("Later School").await;
    let a = server.enrol_assessor("Ann Assessor").await;
    let m = server.enrol_assessor("Mo Moderator").await;
    let (_, first_award) = awarded(&server, &first, &a, &m).await;
    server.clock.advance(Duration::days(200));
    let (_, later_award) = awarded(&server, &later, &a, &m).await;

    assert!(
        expiring(&server, "").await.is_empty(),
        "nothing expires for years"
    );

    // 30 days before the first award expires: it is due within 90 days, the later one is not.
    let first_expiry: NaiveDate = first_award["expires_on"].as_str().unwrap().parse().unwrap();
    let now = server.today();
    server
        .clock
        .advance(Duration::days((first_expiry - now).num_days() - 30));
    let due = expiring(&server, "").await;
    assert_eq!(due.len(), 1, "{due:?}");
    assert_eq!(due[0]["institution"]["name"], "First School");
    assert_eq!(due[0]["award"], first_award);
    assert_eq!(expiring(&server, "?within_days=90").await.len(), 1);
    assert!(expiring(&server, "?within_days=10").await.is_empty());
    let both = expiring(&server, "?within_days=365").await;
    assert_eq!(both.len(), 2);
    assert_eq!(both[0]["award"], first_award, "soonest first");
    assert_eq!(both[1]["award"], later_award);

    for bad in ["?within_days=99999", "?within_days=-1", "?within_days=soon"] {
        let (status, body) = server
            .admin(
                Method::GET,
                &format!("/v1/admin/awards/expiring{bad}"),
                None,
            )
            .await;
        assert_refused(status, &body, 400, "bad_request");
    }
    let (status, body) = server
        .call(
            Method::GET,
            "/v1/admin/awards/expiring",
            Some(&a.token),
            None,
        )
        .await;
    assert_refused(status, &body, 403, "forbidden");

    // Once expired, it is no longer due for renewal here (and no longer current).
    server.clock.advance(Duration::days(31));
    let due = expiring(&server, "?within_days=365").await;
    assert_eq!(due.len(), 1, "{due:?}");
    assert_eq!(due[0]["institution"]["name"], "Later School");
}

#[tokio::test]
async fn verification_codes_are_checked_before_any_look_up() {
    let server = TestServer::start().await;
    // The right shape, but no award.
    let (status, body) = server
        .call(
            Method::GET,
            "/v1/awards/abcde-fghij-kmnpq-rstuv",
            None,
            None,
        )
        .await;
    assert_refused(status, &body, 404, "not_found");
    for bad in [
        "abc",
        "abcde-fghij-kmnpq-rstu0",
        "%3Cscript%3E",
        &"a".repeat(200),
    ] {
        let (status, body) = server
            .call(Method::GET, &format!("/v1/awards/{bad}"), None, None)
            .await;
        assert_refused(status, &body, 400, "bad_request");
    }
    let page = server
        .http
        .get(format!("{}/awards/abcde-fghij-kmnpq-rstuv", server.url))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status().as_u16(), 404);
    assert!(
        page.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let html = page.text().await.unwrap();
    assert!(
        html.contains("<html lang=\"en\">") && html.contains("<title>No award found</title>"),
        "{html}"
    );
    let page = server
        .http
        .get(format!("{}/awards/%3Cscript%3E", server.url))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status().as_u16(), 400);
    let html = page.text().await.unwrap();
    assert!(!html.contains("<script"), "{html}");
}
