//! The steps of a submission's journey through the API, shared by the review tests and the
//! tests of several instances: a blob uploaded over tus, an envelope committed, an assignment,
//! an assessor's or moderator's step, and what the school then reads.

use base64::Engine as _;
use chrono::NaiveDate;
use reqwest::Method;
use serde_json::{Value, json};
use waymark_protocol::envelope::{BlobRef, ENVELOPE_FORMAT, Envelope};
use waymark_protocol::ids::FrameworkRef;
use waymark_protocol::{Sha256, SubmissionId};

use super::{Assessor, School, TestServer};

pub const TECHNOLOGY: (&str, &str, &str) = ("technology-self-review", "1.0", "technology-mark");
pub const CARE: (&str, &str, &str) = ("care-experienced-quality-mark", "1.0", "quality-mark");

/// Creates a tus upload for `bytes` (declared with their SHA-256) as `school`; returns its
/// location (a path on the server).
pub async fn create_upload(server: &TestServer, school: &School, bytes: &[u8]) -> String {
    let metadata = format!(
        "sha256 {}",
        base64::engine::general_purpose::STANDARD.encode(Sha256::of(bytes).to_hex())
    );
    let created = server
        .http
        .post(format!("{}/v1/uploads", server.url))
        .bearer_auth(&school.token)
        .header("Tus-Resumable", "1.0.0")
        .header("Upload-Length", bytes.len().to_string())
        .header("Upload-Metadata", metadata)
        .send()
        .await
        .unwrap();
    assert_eq!(
        created.status().as_u16(),
        201,
        "{}",
        created.text().await.unwrap()
    );
    created.headers()["location"].to_str().unwrap().to_owned()
}

/// Uploads `bytes` as one blob over tus (one PATCH).
pub async fn upload(server: &TestServer, school: &School, bytes: &[u8]) -> BlobRef {
    let sha256 = Sha256::of(bytes);
    let location = create_upload(server, school, bytes).await;
    let patched = server
        .http
        .patch(format!("{}{location}", server.url))
        .bearer_auth(&school.token)
        .header("Tus-Resumable", "1.0.0")
        .header("Upload-Offset", "0")
        .header("Content-Type", "application/offset+octet-stream")
        .body(bytes.to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(
        patched.status().as_u16(),
        204,
        "{}",
        patched.text().await.unwrap()
    );
    BlobRef {
        sha256,
        size: bytes.len() as u64,
    }
}

/// A submitted envelope.
pub struct Submitted {
    pub id: SubmissionId,
    pub envelope: Value,
    pub manifest: BlobRef,
}

/// Uploads a (stand-in) encrypted manifest and commits a signed envelope for it.
pub async fn submit_for(
    server: &TestServer,
    school: &School,
    award: (&str, &str, &str),
    responds_to: Option<SubmissionId>,
) -> Submitted {
    submit_listing(server, school, award, responds_to, Vec::new()).await
}

/// [`submit_for`] with an envelope that also lists `blobs` (uploaded already).
pub async fn submit_listing(
    server: &TestServer,
    school: &School,
    (framework, version, award): (&str, &str, &str),
    responds_to: Option<SubmissionId>,
    blobs: Vec<BlobRef>,
) -> Submitted {
    let mut bytes = b"age-encryption.org/v1 stand-in manifest ".to_vec();
    bytes.extend_from_slice(uuid::Uuid::now_v7().as_bytes());
    let manifest = upload(server, school, &bytes).await;
    let envelope = Envelope {
        format: ENVELOPE_FORMAT,
        institution: school.id,
        framework: FrameworkRef {
            id: framework.into(),
            version: version.into(),
        },
        award: award.into(),
        created_at: server.clock_now(),
        nonce: Envelope::new_nonce(),
        responds_to,
        key_set: school.code.fingerprint.clone(),
        manifest,
        blobs,
    };
    let signed = envelope.sign(&school.key);
    let (status, body) = server
        .call(
            Method::POST,
            "/v1/submissions",
            Some(&school.token),
            Some(json!({ "envelope": signed })),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    Submitted {
        id: body["submission"].as_str().unwrap().parse().unwrap(),
        envelope: serde_json::to_value(&signed).unwrap(),
        manifest,
    }
}

pub async fn submit(server: &TestServer, school: &School) -> Submitted {
    submit_for(server, school, TECHNOLOGY, None).await
}

pub trait Now {
    fn clock_now(&self) -> chrono::DateTime<chrono::Utc>;
    fn today(&self) -> NaiveDate {
        self.clock_now().date_naive()
    }
}

impl Now for TestServer {
    fn clock_now(&self) -> chrono::DateTime<chrono::Utc> {
        use waymark_server::clock::Clock as _;
        self.clock.now()
    }
}

pub async fn assign(
    server: &TestServer,
    id: SubmissionId,
    assessor: &Assessor,
    moderator: &Assessor,
) -> (u16, Value) {
    server
        .admin(
            Method::POST,
            &format!("/v1/admin/submissions/{id}/assign"),
            Some(json!({"assessor": assessor.id, "moderator": moderator.id})),
        )
        .await
}

pub async fn step(
    server: &TestServer,
    who: &Assessor,
    id: SubmissionId,
    what: &str,
    body: Value,
) -> (u16, Value) {
    server
        .call(
            Method::POST,
            &format!("/v1/assessor/submissions/{id}/{what}"),
            Some(&who.token),
            Some(body),
        )
        .await
}

pub fn evidence_request() -> Value {
    json!({
        "message": "Please add evidence for the first aspect.",
        "benchmarks": [{"benchmark": "E1.S1.A1", "message": "The vision statement and when governors agreed it."}]
    })
}

pub fn recommendation(outcome: &str) -> Value {
    json!({
        "outcome": outcome,
        "feedback": {
            "strengths": "A shared vision, owned by staff and governors.",
            "areas_for_development": "Evaluate the impact of training on teaching.",
            "enhanced_practice": null
        },
        "notes": "Visited on 10 March; spoke to the computing lead and two governors."
    })
}

pub async fn view(server: &TestServer, who: &Assessor, id: SubmissionId) -> (u16, Value) {
    server
        .call(
            Method::GET,
            &format!("/v1/assessor/submissions/{id}"),
            Some(&who.token),
            None,
        )
        .await
}

pub async fn list(server: &TestServer, who: &Assessor) -> Vec<Value> {
    let (status, body) = server
        .call(
            Method::GET,
            "/v1/assessor/assignments",
            Some(&who.token),
            None,
        )
        .await;
    assert_eq!(status, 200, "{body}");
    body["assignments"].as_array().unwrap().clone()
}

pub async fn school_status(server: &TestServer, school: &School, id: SubmissionId) -> Value {
    let (status, body) = server
        .call(
            Method::GET,
            &format!("/v1/submissions/{id}"),
            Some(&school.token),
            None,
        )
        .await;
    assert_eq!(status, 200, "{body}");
    body
}

pub async fn school_events(server: &TestServer, school: &School, id: SubmissionId) -> Vec<Value> {
    let (status, body) = server
        .call(
            Method::GET,
            &format!("/v1/submissions/{id}/events"),
            Some(&school.token),
            None,
        )
        .await;
    assert_eq!(status, 200, "{body}");
    body["events"].as_array().unwrap().clone()
}
