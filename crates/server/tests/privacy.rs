//! Data protection against the real server on loopback: an institution's erasure on request
//! (and the administrator's, through the binary), retention with a moved clock (and `retention
//! run` through the binary), and the correction of an institution's profile; what is left in
//! the stores afterwards, and the refusals every later request gets.

#![allow(clippy::unwrap_used, missing_docs)]

mod common;

use common::assert_refused;

use std::collections::BTreeSet;
use std::process::{Command, Output};

use chrono::{Duration, NaiveDate, Utc};
use futures::TryStreamExt as _;
use object_store::ObjectStore as _;
use reqwest::Method;
use serde_json::{Value, json};
use waymark_protocol::api::{ErasureResponse, ProfileRecord};
use waymark_protocol::envelope::BlobRef;
use waymark_protocol::erasure::verify_erasure;
use waymark_protocol::review::Role;
use waymark_protocol::signed::Signed;
use waymark_protocol::{Sha256, SubmissionId};
use waymark_server::keys::current_key_set;

use common::flow::{
    Now as _, TECHNOLOGY, assign, create_upload, recommendation, school_events, school_status,
    step, submit, submit_listing, upload, view,
};
use common::{Assessor, School, TestServer};

const BIN: &str = env!("CARGO_BIN_EXE_waymark-server");

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/// Commits an envelope listing a fresh manifest and `blobs` (already uploaded).
async fn submit_with(server: &TestServer, school: &School, blobs: Vec<BlobRef>) -> SubmissionId {
    submit_listing(server, school, TECHNOLOGY, None, blobs)
        .await
        .id
}

/// Takes an assigned submission to an award; returns its verification code.
async fn award(
    server: &TestServer,
    school: &School,
    id: SubmissionId,
    assessor: &Assessor,
    moderator: &Assessor,
) -> String {
    assert_eq!(assign(server, id, assessor, moderator).await.0, 200);
    let (status, body) = step(server, assessor, id, "recommend", recommendation("award")).await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = step(
        server,
        moderator,
        id,
        "moderate",
        json!({"decision": "confirm"}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    school_status(server, school, id).await["award"]["verification_code"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// Every object in the blob store.
async fn objects(server: &TestServer) -> BTreeSet<String> {
    server
        .state
        .blobs
        .list(None)
        .map_ok(|meta| meta.location.to_string())
        .try_collect()
        .await
        .unwrap()
}

/// The objects of the blobs with these hashes held for `school`.
async fn blob_objects(server: &TestServer, school: &School, hashes: &[Sha256]) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for hash in hashes {
        let blob = server
            .state
            .meta
            .blob(school.id, *hash)
            .await
            .unwrap()
            .unwrap_or_else(|| panic!("blob {hash} is not held"));
        out.extend(blob.parts.into_iter().map(|p| p.object));
    }
    out
}

/// Every row of every table of the metadata store, as text, by table.
fn dump(server: &TestServer) -> Vec<(String, String)> {
    match &server.shared {
        None => {
            let conn = rusqlite::Connection::open_with_flags(
                server.data_dir().join("meta.sqlite"),
                rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
            )
            .unwrap();
            let tables: Vec<String> = conn
                .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
                .unwrap()
                .query_map([], |r| r.get(0))
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap();
            let mut rows = Vec::new();
            for table in tables {
                let mut stmt = conn.prepare(&format!("SELECT * FROM {table}")).unwrap();
                let n = stmt.column_count();
                let texts: Vec<String> = stmt
                    .query_map([], |r| {
                        (0..n)
                            .map(|i| {
                                Ok(match r.get::<_, rusqlite::types::Value>(i)? {
                                    rusqlite::types::Value::Text(t) => t,
                                    rusqlite::types::Value::Integer(n) => n.to_string(),
                                    rusqlite::types::Value::Blob(b) => {
                                        String::from_utf8_lossy(&b).into_owned()
                                    }
                                    other => format!("{other:?}"),
                                })
                            })
                            .collect::<rusqlite::Result<Vec<_>>>()
                            .map(|v| v.join("|"))
                    })
                    .unwrap()
                    .collect::<Result<_, _>>()
                    .unwrap();
                rows.extend(texts.into_iter().map(|t| (table.clone(), t)));
            }
            rows
        }
        Some(shared) => {
            let tables = shared
                .database
                .psql("SELECT tablename FROM pg_tables WHERE schemaname = 'public'");
            let mut rows = Vec::new();
            for table in tables.lines().filter(|t| !t.is_empty()) {
                let text = shared
                    .database
                    .psql(&format!("SELECT {table}::text FROM {table}"));
                rows.extend(
                    text.lines()
                        .filter(|l| !l.is_empty())
                        .map(|l| (table.to_owned(), l.to_owned())),
                );
            }
            rows
        }
    }
}

/// The tables with a row holding `needle`.
fn tables_holding(rows: &[(String, String)], needle: &str) -> BTreeSet<String> {
    rows.iter()
        .filter(|(_, row)| row.contains(needle))
        .map(|(table, _)| table.clone())
        .collect()
}

fn profile_body(name: &str, email: &str) -> Value {
    json!({
        "format": 1,
        "name": name,
        "identifier": "100001",
        "phase": "primary",
        "contact_name": "Mrs Jones",
        "email": email,
        "role": "Head teacher",
        "working_group": [
            {"name": "Mr Evans", "role": "Computing lead", "email": "evans@bryn.example"},
            {"name": "Ms Price", "role": null, "email": null}
        ]
    })
}

async fn put_profile(server: &TestServer, token: &str, body: Value) -> (u16, Value) {
    server
        .call(Method::PUT, "/v1/school/profile", Some(token), Some(body))
        .await
}

async fn erase(server: &TestServer, token: &str) -> (u16, Value) {
    server
        .call(Method::POST, "/v1/school/erasure", Some(token), None)
        .await
}

fn run(args: &[&str], env: &[(&str, &str)]) -> Output {
    Command::new(BIN)
        .args(args)
        .env_remove("WAYMARK_SERVER_RETENTION_SUBMISSIONS_DAYS")
        .envs(env.iter().copied())
        .output()
        .unwrap()
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

// ---------------------------------------------------------------------------------------------
// Erasure
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn an_erasure_leaves_only_the_tombstone_and_nothing_of_another_institution_changes() {
    let server = TestServer::start().await;
    let a = server.enrol_school("Ysgol Erased Fach").await;
    let b = server.enrol_school("Ysgol Kept Fawr").await;
    let assessor = server.enrol_assessor("Ann Assessor").await;
    let moderator = server.enrol_assessor("Mo Moderator").await;
    let linked = server.enrol_assessor("Lee Linked").await;

    // A: an awarded submission with an evidence blob, an open one, an unfinished upload with
    // a chunk stored, a profile and a declared link. B: an open submission.
    let evidence = upload(&server, &a, b"ciphertext of an evidence photo").await;
    let a1 = submit_with(&server, &a, vec![evidence]).await;
    let code = award(&server, &a, a1, &assessor, &moderator).await;
    let a2 = submit(&server, &a).await.id;
    assert_eq!(assign(&server, a2, &assessor, &moderator).await.0, 200);
    let location = create_upload(&server, &a, &[7u8; 10]).await;
    let patched = server
        .http
        .patch(format!("{}{location}", server.url))
        .bearer_auth(&a.token)
        .header("Tus-Resumable", "1.0.0")
        .header("Upload-Offset", "0")
        .header("Content-Type", "application/offset+octet-stream")
        .body(vec![7u8; 5])
        .send()
        .await
        .unwrap();
    assert_eq!(patched.status().as_u16(), 204);
    let (status, body) = put_profile(
        &server,
        &a.token,
        profile_body("Ysgol Erased Fach", "head@erased.example"),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = server
        .call(
            Method::POST,
            "/v1/assessor/links",
            Some(&linked.token),
            Some(json!({"institution": a.id, "reason": "Governor since 2024"})),
        )
        .await;
    assert_eq!(status, 204, "{body}");
    let b1 = submit(&server, &b).await;
    assert_eq!(assign(&server, b1.id, &assessor, &moderator).await.0, 200);

    let before = objects(&server).await;
    let b_objects = blob_objects(&server, &b, &[b1.manifest.sha256]).await;
    let a_objects: BTreeSet<String> = before.difference(&b_objects).cloned().collect();
    // Three blobs (evidence and two manifests) and the unfinished upload's chunk.
    assert_eq!(a_objects.len(), 4, "{a_objects:?}");

    // Hostile first: no token, another kind of token.
    let (status, body) = server
        .call(Method::POST, "/v1/school/erasure", None, None)
        .await;
    assert_refused(status, &body, 401, "unauthorized");
    let (status, body) = erase(&server, &assessor.token).await;
    assert_refused(status, &body, 403, "forbidden");
    let (status, body) = erase(&server, &server.admin_token).await;
    assert_refused(status, &body, 403, "forbidden");

    // The erasure, and its signed confirmation.
    let (status, body) = erase(&server, &a.token).await;
    assert_eq!(status, 200, "{body}");
    let response: ErasureResponse = serde_json::from_value(body).unwrap();
    assert!(response.created);
    let (_, set) = current_key_set(server.state.meta.as_ref()).await.unwrap();
    let confirmation = verify_erasure(&response.confirmation, &set).unwrap();
    assert_eq!(confirmation.institution, a.id);
    assert_eq!(confirmation.requested_by, Role::Institution);
    assert_eq!(confirmation.erased_at, server.clock_now());
    let d = &confirmation.deleted;
    assert_eq!(
        (d.submissions, d.envelopes, d.awards, d.blobs, d.uploads),
        (2, 2, 1, 3, 4),
        "{d:?}"
    );
    // a1: received, assigned, recommended, awarded; a2: received, assigned, profile_corrected.
    assert_eq!(d.events, 7, "{d:?}");
    assert_eq!(
        (d.tokens, d.enrollment_codes, d.assessor_links, d.profiles),
        (1, 1, 1, 1),
        "{d:?}"
    );

    // The blobs: nothing of A's left; B's all there.
    let after = objects(&server).await;
    assert_eq!(after, b_objects, "only B's objects are left");
    assert!(
        server
            .state
            .meta
            .pending_deletions(10)
            .await
            .unwrap()
            .is_empty()
    );

    // The metadata: A's id only in its tombstone and its tokens' hashes; its name, its
    // profile's email and its identifier nowhere.
    let rows = dump(&server);
    assert_eq!(
        tables_holding(&rows, &a.id.to_string()),
        BTreeSet::from(["erased_institutions".to_owned(), "erased_tokens".to_owned()]),
    );
    for gone in [
        "Ysgol Erased Fach",
        "head@erased.example",
        "Governor since 2024",
    ] {
        assert!(
            tables_holding(&rows, gone).is_empty(),
            "{gone} is still stored"
        );
    }
    assert!(!tables_holding(&rows, &b.id.to_string()).is_empty());
    if server.shared.is_none() {
        // Deleted rows are overwritten (secure_delete) and the WAL truncated: not even the
        // file's free pages hold the name.
        for file in ["meta.sqlite", "meta.sqlite-wal"] {
            let bytes = std::fs::read(server.data_dir().join(file)).unwrap_or_default();
            assert!(
                !bytes.windows(17).any(|w| w == b"Ysgol Erased Fach"),
                "{file} still holds the erased institution's name"
            );
        }
    }

    // Every request with A's token is refused with the code.
    for path in [
        "/v1/submissions",
        &format!("/v1/submissions/{a2}"),
        "/v1/school/profile",
    ] {
        let (status, body) = server.call(Method::GET, path, Some(&a.token), None).await;
        assert_refused(status, &body, 410, "institution_erased");
    }
    let (status, body) = put_profile(&server, &a.token, profile_body("Back", "x@y.example")).await;
    assert_refused(status, &body, 410, "institution_erased");
    // A retried erasure gets the same confirmation; so does the administrator's.
    let (status, body) = erase(&server, &a.token).await;
    assert_eq!(status, 200, "{body}");
    let again: ErasureResponse = serde_json::from_value(body).unwrap();
    assert!(!again.created);
    assert_eq!(again.confirmation, response.confirmation);
    let (status, body) = server
        .admin(
            Method::POST,
            &format!("/v1/admin/institutions/{}/erasure", a.id),
            None,
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["created"], false);

    // Its submissions, to an assessor and the administrator: deleted, with the code.
    let (status, body) = view(&server, &assessor, a2).await;
    assert_refused(status, &body, 410, "submission_deleted");
    assert!(
        body["message"].as_str().unwrap().contains("erased"),
        "{body}"
    );
    let (status, body) = assign(&server, a2, &assessor, &moderator).await;
    assert_refused(status, &body, 410, "submission_deleted");
    // Its award, to the public: deleted, naming no institution.
    let (status, body) = server
        .call(Method::GET, &format!("/v1/awards/{code}"), None, None)
        .await;
    assert_refused(status, &body, 410, "award_deleted");
    let page = server
        .http
        .get(format!("{}/awards/{code}", server.url))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status().as_u16(), 410);
    let page = page.text().await.unwrap();
    assert!(page.contains("deleted"), "{page}");
    assert!(!page.contains("Ysgol Erased"), "{page}");
    let (_, list) = server
        .admin(Method::GET, "/v1/admin/institutions", None)
        .await;
    let ids: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [b.id.to_string()]);

    // B is untouched: its token, its status, its assessor's view and download.
    let status_b = school_status(&server, &b, b1.id).await;
    assert_eq!(status_b["summary"]["state"], "under_review");
    let (status, body) = view(&server, &assessor, b1.id).await;
    assert_eq!(status, 200, "{body}");
    let blob = server
        .http
        .get(format!(
            "{}/v1/assessor/submissions/{}/blobs/{}",
            server.url, b1.id, b1.manifest.sha256
        ))
        .bearer_auth(&assessor.token)
        .send()
        .await
        .unwrap();
    assert_eq!(blob.status().as_u16(), 200);
    assert_eq!(blob.bytes().await.unwrap().len() as u64, b1.manifest.size);

    // An unknown or malformed id for the administrator.
    let (status, body) = server
        .admin(
            Method::POST,
            &format!("/v1/admin/institutions/{}/erasure", uuid::Uuid::now_v7()),
            None,
        )
        .await;
    assert_refused(status, &body, 404, "not_found");
    let (status, body) = server
        .admin(Method::POST, "/v1/admin/institutions/nope/erasure", None)
        .await;
    assert_refused(status, &body, 400, "bad_request");
}

// ---------------------------------------------------------------------------------------------
// Retention
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn retention_deletes_only_what_is_past_it_as_the_clock_moves() {
    let server = TestServer::start_with(|c| c.retention.submissions_days = 365).await;
    let school = server.enrol_school("Ysgol y Bryn").await;
    let other = server.enrol_school("Ysgol Arall").await;
    let assessor = server.enrol_assessor("Ann Assessor").await;
    let moderator = server.enrol_assessor("Mo Moderator").await;

    // Day 0: an application left unassigned, and one awarded (valid three years), both
    // listing the same evidence blob.
    let shared = upload(&server, &school, b"ciphertext of the shared evidence").await;
    let abandoned = submit_with(&server, &school, vec![shared]).await;
    let awarded = submit_with(&server, &school, vec![shared]).await;
    let code = award(&server, &school, awarded, &assessor, &moderator).await;
    let abandoned_manifest = {
        let env = server.state.meta.envelopes(abandoned).await.unwrap();
        env[0].blobs[0].sha256
    };
    let abandoned_objects = blob_objects(&server, &school, &[abandoned_manifest]).await;
    // Day 200: another application.
    server.clock.advance(Duration::days(200));
    let recent = submit(&server, &school).await.id;

    // Day 400: the cutoff is day 35. Only the abandoned one is past; the awarded one's award
    // is current, the recent one's last event is after the cutoff.
    server.clock.advance(Duration::days(200));
    let listed = waymark_server::retention::run(&server.state, true)
        .await
        .unwrap();
    assert_eq!(
        listed.due.iter().map(|c| c.id).collect::<Vec<_>>(),
        [abandoned]
    );
    assert!(listed.deleted.is_empty(), "a dry run deletes nothing");
    school_status(&server, &school, abandoned).await;

    let report = waymark_server::retention::run(&server.state, false)
        .await
        .unwrap();
    assert_eq!(
        report
            .deleted
            .iter()
            .map(|d| d.submission.id)
            .collect::<Vec<_>>(),
        [abandoned]
    );
    assert_eq!(
        report.deleted[0].blobs, 1,
        "its manifest; the shared blob stays"
    );
    let now = objects(&server).await;
    assert!(
        now.is_disjoint(&abandoned_objects),
        "its manifest's objects are gone"
    );
    assert!(now.is_superset(&blob_objects(&server, &school, &[shared.sha256]).await));

    // Refusals: the school is told it was deleted; another school that it does not exist; an
    // assessor and the administrator that it was deleted.
    let (status, body) = server
        .call(
            Method::GET,
            &format!("/v1/submissions/{abandoned}"),
            Some(&school.token),
            None,
        )
        .await;
    assert_refused(status, &body, 410, "submission_deleted");
    assert!(
        body["message"].as_str().unwrap().contains("retention"),
        "{body}"
    );
    let (status, body) = server
        .call(
            Method::GET,
            &format!("/v1/submissions/{abandoned}/events"),
            Some(&other.token),
            None,
        )
        .await;
    assert_refused(status, &body, 404, "not_found");
    let (status, body) = assign(&server, abandoned, &assessor, &moderator).await;
    assert_refused(status, &body, 410, "submission_deleted");
    let (status, body) = server
        .call(Method::GET, &format!("/v1/awards/{code}"), None, None)
        .await;
    assert_eq!(status, 200, "the current award stays: {body}");
    assert_eq!(body["current"], true);
    let listed = server
        .call(Method::GET, "/v1/submissions", Some(&school.token), None)
        .await
        .1;
    assert_eq!(listed["submissions"].as_array().unwrap().len(), 2);

    // A year and a day after the award expired (day 0 + 3 years), everything goes: the award,
    // the recent application (its last event now before the cutoff) and the shared blob.
    let expires: NaiveDate =
        waymark_protocol::review::expires_on(common::start_time().date_naive(), 3);
    let target = expires.and_hms_opt(9, 0, 0).unwrap().and_utc() + Duration::days(366);
    server.clock.advance(target - server.clock_now());
    let report = waymark_server::retention::run(&server.state, false)
        .await
        .unwrap();
    let gone: BTreeSet<SubmissionId> = report.deleted.iter().map(|d| d.submission.id).collect();
    assert_eq!(gone, BTreeSet::from([awarded, recent]));
    let (status, body) = server
        .call(Method::GET, &format!("/v1/awards/{code}"), None, None)
        .await;
    assert_refused(status, &body, 410, "award_deleted");
    assert!(
        objects(&server).await.is_empty(),
        "every blob of the school is gone"
    );
    assert!(
        server
            .state
            .meta
            .held_blobs(school.id, &[shared.sha256])
            .await
            .unwrap()
            .is_empty()
    );
    let rows = dump(&server);
    for id in [abandoned, awarded, recent] {
        assert_eq!(
            tables_holding(&rows, &id.to_string()),
            BTreeSet::from(["deleted_submissions".to_owned()]),
            "only {id}'s tombstone is left"
        );
    }
    // Run again: nothing more.
    let report = waymark_server::retention::run(&server.state, false)
        .await
        .unwrap();
    assert!(report.deleted.is_empty() && report.due.is_empty());
    // The school itself is still enrolled.
    let (status, body) = server
        .call(Method::GET, "/v1/submissions", Some(&school.token), None)
        .await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn retention_and_erasure_run_through_the_binary() {
    let server = TestServer::start().await;
    let school = server.enrol_school("Ysgol Deuaidd").await;
    // One submission 400 days ago, one now (the binary's clock is the system's).
    let now = Utc::now();
    server
        .clock
        .advance(now - Duration::days(400) - server.clock_now());
    let old = submit(&server, &school).await.id;
    server.clock.advance(now - server.clock_now());
    let recent = submit(&server, &school).await.id;
    let data = server.data_dir();
    let d = data.to_str().unwrap();
    let days = [("WAYMARK_SERVER_RETENTION_SUBMISSIONS_DAYS", "200")];

    let out = run(&["retention", "run", "--data-dir", d], &[]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("retention is off"), "{}", text(&out));

    let out = run(&["retention", "run", "--data-dir", d, "--dry-run"], &days);
    assert!(out.status.success(), "{}", text(&out));
    let said = text(&out);
    assert!(said.contains(&format!("would delete {old}")), "{said}");
    assert!(!said.contains(&recent.to_string()), "{said}");
    assert!(said.contains("1 submission(s) would be deleted"), "{said}");
    school_status(&server, &school, old).await;

    let out = run(&["retention", "run", "--data-dir", d], &days);
    assert!(out.status.success(), "{}", text(&out));
    let said = text(&out);
    assert!(said.contains(&format!("deleted {old}")), "{said}");
    assert!(said.contains("1 submission(s) deleted"), "{said}");
    let (status, body) = server
        .call(
            Method::GET,
            &format!("/v1/submissions/{old}"),
            Some(&school.token),
            None,
        )
        .await;
    assert_refused(status, &body, 410, "submission_deleted");
    school_status(&server, &school, recent).await;
    let out = run(&["retention", "run", "--data-dir", d], &days);
    assert!(
        text(&out).contains("0 submission(s) deleted"),
        "{}",
        text(&out)
    );
    let out = run(
        &["retention", "run", "--data-dir", d],
        &[("WAYMARK_SERVER_RETENTION_SUBMISSIONS_DAYS", "soon")],
    );
    assert!(!out.status.success());
    assert!(
        text(&out).contains("whole number of days"),
        "{}",
        text(&out)
    );

    // The administrator erases the institution on a request received by post.
    let id = school.id.to_string();
    let out = run(&["institutions", "erase", "--data-dir", d, &id], &[]);
    assert!(out.status.success(), "{}", text(&out));
    let said = text(&out);
    assert!(said.contains(&format!("institution {id} erased")), "{said}");
    assert!(said.contains("deleted: 1 submissions"), "{said}");
    let signed: Signed =
        serde_json::from_str(String::from_utf8_lossy(&out.stdout).lines().last().unwrap()).unwrap();
    let (_, set) = current_key_set(server.state.meta.as_ref()).await.unwrap();
    let confirmation = verify_erasure(&signed, &set).unwrap();
    assert_eq!(confirmation.requested_by, Role::AwardingBody);
    assert_eq!(confirmation.institution, school.id);
    let (status, body) = server
        .call(Method::GET, "/v1/submissions", Some(&school.token), None)
        .await;
    assert_refused(status, &body, 410, "institution_erased");
    // The school's own retried request still gets the confirmation.
    let (status, body) = erase(&server, &school.token).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["confirmation"], serde_json::to_value(&signed).unwrap());

    let out = run(&["institutions", "erase", "--data-dir", d, &id], &[]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("already erased"), "{}", text(&out));
    let out = run(
        &[
            "institutions",
            "erase",
            "--data-dir",
            d,
            &uuid::Uuid::now_v7().to_string(),
        ],
        &[],
    );
    assert!(!out.status.success());
    assert!(text(&out).contains("no institution"), "{}", text(&out));
    let out = run(
        &["institutions", "erase", "--data-dir", d, "not-an-id"],
        &[],
    );
    assert!(!out.status.success());
    assert!(text(&out).contains("not an id"), "{}", text(&out));
}

// ---------------------------------------------------------------------------------------------
// Rectification
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn a_profile_correction_is_recorded_and_the_assessor_sees_it() {
    let server = TestServer::start_with(|c| c.limits.max_json_bytes = 64 * 1024).await;
    let school = server.enrol_school("Ysgol y Bryn").await;
    let other = server.enrol_school("Ysgol Arall").await;
    let assessor = server.enrol_assessor("Ann Assessor").await;
    let moderator = server.enrol_assessor("Mo Moderator").await;
    let stranger = server.enrol_assessor("Sam Stranger").await;
    let finished = submit(&server, &school).await.id;
    award(&server, &school, finished, &assessor, &moderator).await;
    let open = submit(&server, &school).await.id;
    assert_eq!(assign(&server, open, &assessor, &moderator).await.0, 200);

    let (status, body) = server
        .call(Method::GET, "/v1/school/profile", Some(&school.token), None)
        .await;
    assert_refused(status, &body, 404, "not_found");

    // The first profile: every field set is new; the event goes to the open review only.
    server.clock.advance(Duration::hours(1));
    let (status, body) = put_profile(
        &server,
        &school.token,
        profile_body("  Ysgol y Bryn ", "head@bryn.example"),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let first: ProfileRecord = serde_json::from_value(body).unwrap();
    assert_eq!(first.version, 1);
    assert_eq!(first.profile.name, "Ysgol y Bryn", "trimmed");
    assert_eq!(first.corrected_at, server.clock_now());
    assert_eq!(first.recorded_in, [open]);
    assert_eq!(
        first.changed,
        [
            "name",
            "identifier",
            "phase",
            "contact_name",
            "email",
            "role",
            "working_group"
        ]
    );

    let (status, seen) = view(&server, &assessor, open).await;
    assert_eq!(status, 200, "{seen}");
    let last = seen["events"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["kind"]["type"], "profile_corrected", "{last}");
    assert_eq!(last["kind"]["version"], 1);
    assert_eq!(last["actor"]["role"], "institution");
    assert_eq!(last["state"], "under_review", "the state is unchanged");
    let (_, done) = view(&server, &assessor, finished).await;
    assert!(
        !done.to_string().contains("profile_corrected"),
        "a finished review gets no event"
    );
    let events = school_events(&server, &school, open).await;
    assert_eq!(events.last().unwrap()["kind"]["type"], "profile_corrected");
    let (status, body) = server
        .call(
            Method::GET,
            &format!("/v1/assessor/submissions/{open}/profile"),
            Some(&assessor.token),
            None,
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["profile"]["email"], "head@bryn.example");
    assert_eq!(body["profile"]["working_group"][0]["name"], "Mr Evans");

    // The same again records nothing.
    let (status, body) = put_profile(
        &server,
        &school.token,
        profile_body("Ysgol y Bryn", "head@bryn.example"),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["version"], 1);
    assert_eq!(body["changed"], json!([]));
    assert_eq!(body["recorded_in"], json!([]));

    // A correction: the new email and a smaller working group; the old email is gone from
    // everything the assessor reads.
    let mut corrected = profile_body("Ysgol y Bryn", "pennaeth@bryn.example");
    corrected["working_group"].as_array_mut().unwrap().pop();
    let (status, body) = put_profile(&server, &school.token, corrected).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["version"], 2);
    assert_eq!(body["changed"], json!(["email", "working_group"]));
    let (_, seen) = view(&server, &assessor, open).await;
    let last = seen["events"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["kind"]["fields"], json!(["email", "working_group"]));
    let (_, current) = server
        .call(
            Method::GET,
            &format!("/v1/assessor/submissions/{open}/profile"),
            Some(&assessor.token),
            None,
        )
        .await;
    assert_eq!(current["profile"]["email"], "pennaeth@bryn.example");
    assert_eq!(current["version"], 2);
    assert!(!format!("{seen}{current}").contains("head@bryn.example"));
    let (status, body) = server
        .call(Method::GET, "/v1/school/profile", Some(&school.token), None)
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["profile"]["working_group"].as_array().unwrap().len(),
        1
    );
    let (status, body) = server
        .admin(
            Method::GET,
            &format!("/v1/admin/institutions/{}/profile", school.id),
            None,
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["version"], 2);

    // Bad input: every field's problem with its own code, and nothing recorded.
    let mut bad = profile_body(" ", "head@");
    bad["identifier"] = json!("12 34");
    bad["working_group"][1]["email"] = json!("price at bryn");
    let (status, body) = put_profile(&server, &school.token, bad).await;
    assert_refused(status, &body, 422, "invalid_profile");
    let problems: Vec<(String, String)> = body["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["field"].as_str().unwrap().to_owned(),
                p["code"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        problems,
        [
            ("name", "required"),
            ("identifier", "not_an_identifier"),
            ("email", "not_an_email"),
            ("working_group[1].email", "not_an_email"),
        ]
        .map(|(f, c)| (f.to_owned(), c.to_owned()))
    );
    let mut old = profile_body("Ysgol y Bryn", "head@bryn.example");
    old["format"] = json!(2);
    let (status, body) = put_profile(&server, &school.token, old).await;
    assert_refused(status, &body, 422, "invalid_profile");
    assert_eq!(body["problems"][0]["code"], "unsupported_format");
    let mut phase = profile_body("Ysgol y Bryn", "head@bryn.example");
    phase["phase"] = json!("nursery");
    let (status, body) = put_profile(&server, &school.token, phase).await;
    assert_refused(status, &body, 400, "bad_request");
    let huge = profile_body(&"x".repeat(100 * 1024), "head@bryn.example");
    let (status, body) = put_profile(&server, &school.token, huge).await;
    assert_refused(status, &body, 413, "too_large");
    let (_, body) = server
        .call(Method::GET, "/v1/school/profile", Some(&school.token), None)
        .await;
    assert_eq!(body["version"], 2, "no refused request changed the profile");

    // Hostile callers.
    let (status, body) = server
        .call(
            Method::PUT,
            "/v1/school/profile",
            None,
            Some(profile_body("X", "x@y.example")),
        )
        .await;
    assert_refused(status, &body, 401, "unauthorized");
    let forged = format!("wmt1_{}_{}", "a".repeat(26), "b".repeat(26));
    let (status, body) = put_profile(&server, &forged, profile_body("X", "x@y.example")).await;
    assert_refused(status, &body, 401, "unauthorized");
    let (status, body) =
        put_profile(&server, &assessor.token, profile_body("X", "x@y.example")).await;
    assert_refused(status, &body, 403, "forbidden");
    let (status, body) = server
        .call(
            Method::GET,
            &format!("/v1/assessor/submissions/{open}/profile"),
            Some(&stranger.token),
            None,
        )
        .await;
    assert_refused(status, &body, 404, "not_found");
    let (status, body) = server
        .call(
            Method::GET,
            &format!("/v1/assessor/submissions/{open}/profile"),
            Some(&school.token),
            None,
        )
        .await;
    assert_refused(status, &body, 403, "forbidden");
    // Another school's correction is its own: the first school's profile is unchanged.
    let (status, body) = put_profile(
        &server,
        &other.token,
        profile_body("Ysgol Arall", "head@arall.example"),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["institution"], other.id.to_string());
    assert_eq!(body["recorded_in"], json!([]), "it has no submission");
    let (_, body) = server
        .call(Method::GET, "/v1/school/profile", Some(&school.token), None)
        .await;
    assert_eq!(body["profile"]["email"], "pennaeth@bryn.example");
    let (status, body) = server
        .admin(
            Method::GET,
            &format!("/v1/admin/institutions/{}/profile", uuid::Uuid::now_v7()),
            None,
        )
        .await;
    assert_refused(status, &body, 404, "not_found");
}
