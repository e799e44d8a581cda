//! The harness of the assessor tool's tests: a real OS keychain (waymark-harness's: a private
//! D-Bus session bus with GNOME Keyring's Secret Service on it), the real endpoint in process
//! on a loopback port, a school that enrols, uploads with tus and commits real encrypted
//! submissions through the API, and the real `waymark-assess` binary run as a child process.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use tempfile::TempDir;
use waymark_protocol::api::{
    Account, CommitRequest, CommitResponse, IssuedCode, RedeemRequest, RedeemResponse,
    SubmissionStatus,
};
use waymark_protocol::crypt::{Identity, Recipient, encrypt_bytes};
use waymark_protocol::encoding::encode_base64;
use waymark_protocol::enrollment::{EnrollmentCode, random_secret};
use waymark_protocol::envelope::{BlobRef, ENVELOPE_FORMAT, Envelope};
use waymark_protocol::ids::FrameworkRef;
use waymark_protocol::keys::{Fingerprint, KeySet};
use waymark_protocol::manifest::{
    EvidenceLink, HistoryEntry, MANIFEST_FORMAT, Manifest, ManifestAction, ManifestContributor,
    ManifestEvidence, ManifestInstitution, ManifestResponse,
};
use waymark_protocol::signed::SecretKey;
use waymark_protocol::{AssessorId, InstitutionId, Sha256, SubmissionId};
use waymark_server::AppState;
use waymark_server::clock::FixedClock;
use waymark_server::config::Config;
use waymark_server::init::{InitOptions, init};

// ---------------------------------------------------------------------------------------------
// The OS keychain: a private session bus and GNOME Keyring's Secret Service (waymark-harness)

pub use waymark_harness::keychain::{Keychain, desktop_env};

// ---------------------------------------------------------------------------------------------
// The tool

/// One assessor's `waymark-assess`: its own settings folder, the given session bus.
pub struct Tool {
    pub profile: TempDir,
    bus: String,
    home: PathBuf,
}

/// What a run printed.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Asserts success and returns stdout.
    #[track_caller]
    pub fn ok(&self) -> &str {
        assert_eq!(self.code, 0, "expected success: {self:#?}");
        assert!(self.stderr.is_empty(), "nothing on stderr: {self:#?}");
        &self.stdout
    }

    /// Asserts the tool refused (`error: …`, exit 1, no panic) and returns stderr.
    #[track_caller]
    pub fn refused(&self) -> &str {
        assert_eq!(self.code, 1, "expected a refusal: {self:#?}");
        assert!(self.stderr.starts_with("error: "), "{self:#?}");
        assert!(!self.stderr.contains("panicked"), "{self:#?}");
        &self.stderr
    }
}

impl Tool {
    pub fn new(keychain: &Keychain) -> Self {
        Self::on_bus(&keychain.bus, keychain.home.path())
    }

    /// A tool whose processes see `bus` as their session bus.
    pub fn on_bus(bus: &str, home: &Path) -> Self {
        Self {
            profile: tempfile::tempdir().unwrap(),
            bus: bus.to_owned(),
            home: home.to_owned(),
        }
    }

    pub async fn run(&self, args: &[&str]) -> Run {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_waymark-assess"));
        cmd.args(args)
            .envs(desktop_env(&self.home))
            .env("DBUS_SESSION_BUS_ADDRESS", &self.bus)
            .env("WAYMARK_ASSESS_DIR", self.profile.path())
            .stdin(Stdio::null());
        for proxy in [
            "HTTP_PROXY",
            "HTTPS_PROXY",
            "ALL_PROXY",
            "http_proxy",
            "https_proxy",
            "all_proxy",
        ] {
            cmd.env_remove(proxy);
        }
        // Waited for on the blocking pool, so the server in this process keeps answering.
        let out = tokio::task::spawn_blocking(move || cmd.output().unwrap())
            .await
            .unwrap();
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// Every file under the settings folder, with its bytes.
    pub fn profile_files(&self) -> Vec<(PathBuf, Vec<u8>)> {
        let mut files = Vec::new();
        walk(self.profile.path(), &mut files);
        files
            .into_iter()
            .map(|p| {
                let bytes = std::fs::read(&p).unwrap();
                (p, bytes)
            })
            .collect()
    }
}

pub fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries {
        let path = entry.unwrap().path();
        if path.is_dir() {
            walk(&path, out);
        } else {
            out.push(path);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The endpoint

pub fn start_time() -> DateTime<Utc> {
    "2026-03-02T09:00:00Z".parse().unwrap()
}

/// A running server.
pub struct TestServer {
    /// `http://127.0.0.1:PORT`
    pub url: String,
    pub data: Arc<TempDir>,
    pub identity_dir: Arc<TempDir>,
    /// The awarding body's office identity (its file is `board_identity_file()`).
    pub board_identity: Identity,
    pub state: AppState,
    pub clock: Arc<FixedClock>,
    pub admin_token: String,
    pub http: reqwest::Client,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

/// An enrolled institution.
pub struct School {
    pub id: InstitutionId,
    pub name: String,
    pub token: String,
    pub key: SecretKey,
    pub code: EnrollmentCode,
}

impl TestServer {
    pub async fn start() -> Self {
        // reqwest here has no TLS provider of its own (rustls-no-provider): the tool's is ring.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let data = Arc::new(tempfile::tempdir().unwrap());
        let identity_dir = Arc::new(tempfile::tempdir().unwrap());
        let clock = Arc::new(FixedClock::new(start_time()));
        let identity_path = identity_dir.path().join("board.age");
        let done = init(
            data.path(),
            InitOptions {
                awarding_body: "Test Awarding Body".into(),
                public_url: "http://127.0.0.1:1".into(),
                listen: "127.0.0.1:0".parse().unwrap(),
                recipients: Vec::new(),
                identity_out: Some(identity_path.clone()),
            },
            clock.clone(),
        )
        .await
        .unwrap();
        let board_identity =
            Identity::from_secret_text(&std::fs::read_to_string(&identity_path).unwrap()).unwrap();
        let mut config = Config::load_with_env(data.path(), |_| None).unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        config.public_url = url.clone();
        let state = AppState::open_embedded(data.path(), config, clock.clone()).unwrap();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(waymark_server::serve::serve(
            listener,
            state.clone(),
            async {
                let _ = stopped.await;
            },
        ));
        Self {
            url,
            data,
            identity_dir,
            board_identity,
            state,
            clock,
            admin_token: done.admin_token,
            http: reqwest::Client::new(),
            stop: Some(stop),
        }
    }

    pub fn board_identity_file(&self) -> PathBuf {
        self.identity_dir.path().join("board.age")
    }

    /// A JSON request with a bearer token; the status and the body as JSON.
    pub async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut req = self.http.request(method, format!("{}{path}", self.url));
        if let Some(token) = token {
            req = req.bearer_auth(token);
        }
        if let Some(body) = body {
            req = req.json(&body);
        }
        let resp = req.send().await.unwrap();
        let status = resp.status().as_u16();
        let text = resp.text().await.unwrap();
        let value = serde_json::from_str(&text).unwrap_or(Value::String(text));
        (status, value)
    }

    pub async fn admin(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        let token = self.admin_token.clone();
        self.call(method, path, Some(&token), body).await
    }

    /// Registers an assessor through the admin API: their id and their (unredeemed) code.
    pub async fn add_assessor(&self, name: &str, email: &str) -> (AssessorId, String) {
        let (status, body) = self
            .admin(
                reqwest::Method::POST,
                "/v1/admin/assessors",
                Some(json!({"name": name, "email": email})),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        let issued: IssuedCode = serde_json::from_value(body).unwrap();
        let Account::Assessor(info) = issued.account else {
            panic!("an assessor's code")
        };
        (info.id, issued.code)
    }

    /// The registered assessors, as the admin API lists them.
    pub async fn assessors(&self) -> Vec<Value> {
        let (status, body) = self
            .admin(reqwest::Method::GET, "/v1/admin/assessors", None)
            .await;
        assert_eq!(status, 200, "{body}");
        body.as_array().unwrap().clone()
    }

    /// Registers and enrols a school through the API, with an Ed25519 key.
    pub async fn enrol_school(&self, name: &str) -> School {
        let identifier = format!("urn:test:school:{}", random_secret());
        let (status, body) = self
            .admin(
                reqwest::Method::POST,
                "/v1/admin/institutions",
                Some(json!({"name": name, "identifier": identifier})),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        let issued: IssuedCode = serde_json::from_value(body).unwrap();
        let code = EnrollmentCode::parse(&issued.code).unwrap();
        let key = SecretKey::generate();
        let request = RedeemRequest {
            secret: code.secret.clone(),
            public_key: Some(key.public()),
            age_recipient: None,
            device: Some("test".into()),
        };
        let (status, body) = self
            .call(
                reqwest::Method::POST,
                "/v1/enrollments/redeem",
                None,
                Some(serde_json::to_value(&request).unwrap()),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        let response: RedeemResponse = serde_json::from_value(body).unwrap();
        let Account::Institution(info) = response.account else {
            panic!("redeemed as an institution")
        };
        School {
            id: info.id,
            name: name.to_owned(),
            token: response.token,
            key,
            code,
        }
    }

    /// Assigns an assessor and a moderator.
    pub async fn assign(&self, id: SubmissionId, assessor: AssessorId, moderator: AssessorId) {
        let (status, body) = self
            .admin(
                reqwest::Method::POST,
                &format!("/v1/admin/submissions/{id}/assign"),
                Some(json!({"assessor": assessor, "moderator": moderator})),
            )
            .await;
        assert_eq!(status, 200, "{body}");
    }

    /// The school's view of its submission.
    pub async fn status(&self, school: &School, id: SubmissionId) -> SubmissionStatus {
        let (status, body) = self
            .call(
                reqwest::Method::GET,
                &format!("/v1/submissions/{id}"),
                Some(&school.token),
                None,
            )
            .await;
        assert_eq!(status, 200, "{body}");
        serde_json::from_value(body).unwrap()
    }

    /// The folder a blob's tus upload was stored under (one part per PATCH).
    pub fn upload_dir(&self, upload_id: &str) -> PathBuf {
        self.data
            .path()
            .join("blobs")
            .join("uploads")
            .join(upload_id)
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

// ---------------------------------------------------------------------------------------------
// A school's submission, built the way the school's app builds it

/// The awarding body's current key set, as the school encrypts to it.
pub struct Board {
    pub fingerprint: Fingerprint,
    pub set: KeySet,
}

impl Board {
    pub async fn of(server: &TestServer) -> Self {
        let (signed, set) = waymark_server::keys::current_key_set(server.state.meta.as_ref())
            .await
            .unwrap();
        Self {
            fingerprint: signed.fingerprint(),
            set,
        }
    }

    pub fn recipients(&self) -> Vec<Recipient> {
        self.set.recipients.iter().map(|r| r.age.clone()).collect()
    }
}

pub const FRAMEWORK: (&str, &str, &str) = ("technology-self-review", "1.0", "technology-mark");

/// What to submit.
pub struct Spec {
    pub commentary: String,
    /// (file name, bytes)
    pub evidence: Vec<(String, Vec<u8>)>,
    pub working_group: Vec<ManifestContributor>,
    pub responds_to: Option<SubmissionId>,
    /// The action plan's one action's status.
    pub action_status: String,
}

impl Default for Spec {
    fn default() -> Self {
        Self {
            commentary: "Governors agreed the technology vision in January and every class teacher can explain it.".into(),
            evidence: vec![
                ("vision.txt".into(), b"Our vision: technology that helps every learner.\n".to_vec()),
                ("lab photo.jpg".into(), photo_bytes()),
            ],
            working_group: vec![ManifestContributor {
                name: "Priya Patel".into(),
                role: "Computing lead".into(),
                email: Some("p.patel@hillside.example".into()),
            }],
            responds_to: None,
            action_status: "planned".into(),
        }
    }
}

/// 150 KB of varied bytes (more than two of age's 64 KiB chunks).
pub fn photo_bytes() -> Vec<u8> {
    (0..150_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect()
}

/// What was committed.
pub struct Committed {
    pub id: SubmissionId,
    pub manifest: Manifest,
    /// Upload id of each evidence blob, by file name.
    pub uploads: Vec<(String, String)>,
    pub envelope_sha256: Sha256,
}

/// Uploads `bytes` with tus (create, then one PATCH): its blob and its upload id.
pub async fn upload(server: &TestServer, school: &School, bytes: &[u8]) -> (BlobRef, String) {
    let sha256 = Sha256::of(bytes);
    let created = server
        .http
        .post(format!("{}/v1/uploads", server.url))
        .bearer_auth(&school.token)
        .header("Tus-Resumable", "1.0.0")
        .header("Upload-Length", bytes.len().to_string())
        .header(
            "Upload-Metadata",
            format!("sha256 {}", encode_base64(sha256.to_hex().as_bytes())),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201, "{}", created.text().await.unwrap());
    let location = created.headers()["location"].to_str().unwrap().to_owned();
    let upload_id = location.rsplit('/').next().unwrap().to_owned();
    let url = if location.starts_with('/') {
        format!("{}{location}", server.url)
    } else {
        location
    };
    let patched = server
        .http
        .patch(url)
        .bearer_auth(&school.token)
        .header("Tus-Resumable", "1.0.0")
        .header("Content-Type", "application/offset+octet-stream")
        .header("Upload-Offset", "0")
        .body(bytes.to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(patched.status(), 204, "{}", patched.text().await.unwrap());
    (
        BlobRef {
            sha256,
            size: bytes.len() as u64,
        },
        upload_id,
    )
}

/// Builds, encrypts (to `board`'s recipients), uploads and commits a submission.
pub async fn submit(server: &TestServer, school: &School, board: &Board, spec: Spec) -> Committed {
    let recipients = board.recipients();
    let (framework, version, award) = FRAMEWORK;
    let framework = FrameworkRef {
        id: framework.into(),
        version: version.into(),
    };
    let mut evidence = Vec::new();
    let mut uploads = Vec::new();
    for (i, (file_name, plain)) in spec.evidence.iter().enumerate() {
        let cipher = encrypt_bytes(plain, &recipients).unwrap();
        let (blob, upload_id) = upload(server, school, &cipher).await;
        uploads.push((file_name.clone(), upload_id));
        evidence.push(ManifestEvidence {
            id: format!("ev-{i}"),
            title: format!("Evidence {}", i + 1),
            file_name: file_name.clone(),
            size: plain.len() as u64,
            blake3: blake3::hash(plain).to_hex().to_string(),
            links: vec![EvidenceLink {
                benchmark: "E1.S1.A1".into(),
                requirement: Some("E1.S1.A1-vision".into()),
            }],
            personal_data: false,
            blob,
        });
    }
    let at = start_time();
    let manifest = Manifest {
        format: MANIFEST_FORMAT,
        institution: ManifestInstitution {
            name: school.name.clone(),
            identifier: None,
        },
        framework: framework.clone(),
        award: award.into(),
        prepared_at: at,
        prepared_by: "Sam Head".into(),
        responses: vec![
            ManifestResponse {
                benchmark: "E1.S1.A1".into(),
                level: Some(2),
                commentary: spec.commentary.clone(),
                updated_at: Some(at),
                updated_by: Some("Priya Patel".into()),
            },
            ManifestResponse {
                benchmark: "E1.S1.A2".into(),
                level: Some(3),
                commentary: "The improvement plan names technology in two of its five priorities."
                    .into(),
                updated_at: Some(at),
                updated_by: Some("Sam Head".into()),
            },
        ],
        history: vec![HistoryEntry {
            at,
            benchmark: "E1.S1.A1".into(),
            by: Some("Priya Patel".into()),
            summary: "level 3 → 2; commentary edited".into(),
        }],
        actions: vec![ManifestAction {
            title: "Review the vision with pupils".into(),
            detail: "The school council discusses the vision each autumn.".into(),
            benchmark: Some("E1.S1.A1".into()),
            owner: Some("Priya Patel".into()),
            due: None,
            status: spec.action_status.clone(),
        }],
        working_group: spec.working_group,
        evidence,
    };
    let manifest_cipher =
        encrypt_bytes(&serde_json::to_vec(&manifest).unwrap(), &recipients).unwrap();
    let (manifest_blob, _) = upload(server, school, &manifest_cipher).await;
    let envelope = Envelope {
        format: ENVELOPE_FORMAT,
        institution: school.id,
        framework,
        award: award.into(),
        created_at: at,
        nonce: Envelope::new_nonce(),
        responds_to: spec.responds_to,
        key_set: board.fingerprint.clone(),
        manifest: manifest_blob,
        blobs: manifest.evidence.iter().map(|e| e.blob).collect(),
    };
    let signed = envelope.sign(&school.key);
    let body = serde_json::to_value(CommitRequest {
        envelope: signed.clone(),
    })
    .unwrap();
    let (status, body) = server
        .call(
            reqwest::Method::POST,
            "/v1/submissions",
            Some(&school.token),
            Some(body),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let response: CommitResponse = serde_json::from_value(body).unwrap();
    Committed {
        id: response.submission,
        manifest,
        uploads,
        envelope_sha256: signed.body_sha256(),
    }
}

/// Flips one byte in the middle of the stored bytes of a tus upload.
pub fn flip_a_stored_byte(server: &TestServer, upload_id: &str) {
    let mut parts = Vec::new();
    walk(&server.upload_dir(upload_id), &mut parts);
    assert_eq!(parts.len(), 1, "one part per PATCH: {parts:?}");
    let mut bytes = std::fs::read(&parts[0]).unwrap();
    let at = bytes.len() / 2;
    bytes[at] ^= 0x01;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .open(&parts[0])
        .unwrap();
    file.write_all(&bytes).unwrap();
}

/// The text of a PDF, by `pdftotext` (poppler-utils).
pub fn pdf_text(pdf: &Path) -> String {
    let out = Command::new("pdftotext")
        .arg(pdf)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) runs");
    assert!(out.status.success(), "{out:?}");
    String::from_utf8_lossy(&out.stdout).into_owned()
}
