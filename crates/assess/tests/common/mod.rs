//! The harness of the assessor tool's tests: a real OS keychain (waymark-harness's: a private
//! D-Bus session bus with GNOME Keyring's Secret Service on it), the real endpoint in process
//! on a loopback port (waymark-harness's `TestEndpoint`), a school that enrols, uploads with tus
//! and commits real encrypted submissions through the API, and the real `waymark-assess` binary
//! run as a child process.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use tempfile::TempDir;
use waymark_protocol::api::{
    Account, CommitRequest, CommitResponse, RedeemRequest, RedeemResponse, SubmissionStatus,
};
use waymark_protocol::crypt::{Recipient, encrypt_bytes};
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
use waymark_protocol::{InstitutionId, Sha256, SubmissionId};

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
        waymark_harness::env::without_proxies(&mut cmd);
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
// The endpoint (waymark-harness's, in process) and a school enrolled through its API

pub use waymark_harness::endpoint::{TestEndpoint, start_time};

/// An enrolled institution.
pub struct School {
    pub id: InstitutionId,
    pub name: String,
    pub token: String,
    pub key: SecretKey,
    pub code: EnrollmentCode,
}

impl School {
    /// Registers and enrols a school through the API, with an Ed25519 key.
    pub async fn enrol(server: &TestEndpoint, name: &str) -> Self {
        let identifier = format!("urn:test:school:{}", random_secret());
        let issued = server.add_institution(name, &identifier).await;
        let code = EnrollmentCode::parse(&issued.code).unwrap();
        let key = SecretKey::generate();
        let request = RedeemRequest {
            secret: code.secret.clone(),
            public_key: Some(key.public()),
            age_recipient: None,
            device: Some("test".into()),
        };
        let (status, body) = server
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
        Self {
            id: info.id,
            name: name.to_owned(),
            token: response.token,
            key,
            code,
        }
    }

    /// The school's view of its submission.
    pub async fn status(&self, server: &TestEndpoint, id: SubmissionId) -> SubmissionStatus {
        let (status, body) = server
            .call(
                reqwest::Method::GET,
                &format!("/v1/submissions/{id}"),
                Some(&self.token),
                None,
            )
            .await;
        assert_eq!(status, 200, "{body}");
        serde_json::from_value(body).unwrap()
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
    pub async fn of(server: &TestEndpoint) -> Self {
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
pub async fn upload(server: &TestEndpoint, school: &School, bytes: &[u8]) -> (BlobRef, String) {
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
pub async fn submit(
    server: &TestEndpoint,
    school: &School,
    board: &Board,
    spec: Spec,
) -> Committed {
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
pub fn flip_a_stored_byte(server: &TestEndpoint, upload_id: &str) {
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
