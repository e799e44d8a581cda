//! The harness of the submission tests: the real `waymark` binary as a child process with a
//! real OS keychain (a private Secret Service), a school that can apply for the Technology
//! Mark, the real endpoint in process, and assessors who use the assessor tool's library.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Arc;

use serde_json::Value;
use tempfile::TempDir;
use waymark_assess::profile::{PROFILE_FORMAT, Profile};
use waymark_assess::session::Session as AssessorSession;
use waymark_harness::endpoint::TestEndpoint;
use waymark_harness::keychain::Keychain;
use waymark_net::Client;
use waymark_protocol::AssessorId;
use waymark_protocol::api::{RedeemRequest, RedeemResponse};
use waymark_protocol::crypt::Identity;
use waymark_protocol::enrollment::EnrollmentCode;

/// One finished run of the binary.
#[derive(Debug)]
pub struct Run {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("not JSON ({e}):\n{}\nstderr: {}", self.stdout, self.stderr))
    }

    pub fn error_json(&self) -> Value {
        serde_json::from_str(self.stderr.trim())
            .unwrap_or_else(|e| panic!("stderr not JSON ({e}):\n{}", self.stderr))
    }
}

impl From<Output> for Run {
    fn from(o: Output) -> Self {
        Self {
            code: o.status.code(),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        }
    }
}

/// The `waymark` command for a data folder, on the keychain's session bus, with no proxy
/// unless a test sets one.
pub fn waymark(keychain: &Keychain, data: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_waymark"));
    keychain.apply(&mut cmd);
    waymark_harness::env::without_proxies(&mut cmd);
    cmd.env_remove("SSL_CERT_FILE").env_remove("SSL_CERT_DIR");
    cmd.env("WAYMARK_DATA_DIR", data).args(args);
    cmd
}

/// Runs a command off the runtime's threads (the endpoint answers on them meanwhile).
pub async fn run(mut cmd: Command) -> Run {
    tokio::task::spawn_blocking(move || Run::from(cmd.output().expect("run waymark")))
        .await
        .unwrap()
}

/// Runs and expects success.
pub async fn ok(cmd: Command) -> Run {
    let shown = format!("{cmd:?}");
    let run = run(cmd).await;
    assert_eq!(
        run.code,
        Some(0),
        "{shown} failed:\nstdout: {}\nstderr: {}",
        run.stdout,
        run.stderr
    );
    run
}

/// Runs and expects failure (exit 1, a message, no panic).
pub async fn fails(cmd: Command) -> Run {
    let shown = format!("{cmd:?}");
    let run = run(cmd).await;
    assert_eq!(
        run.code,
        Some(1),
        "{shown} should have failed:\nstdout: {}\nstderr: {}",
        run.stdout,
        run.stderr
    );
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    run
}

/// An assessor signed in through the API, with an identity registered with the awarding body
/// (so schools that package afterwards encrypt to it), driving the assessor tool's library.
pub struct Assessor {
    pub id: AssessorId,
    pub session: AssessorSession,
    pub identity: Arc<Identity>,
    pub dir: TempDir,
}

pub async fn assessor(endpoint: &TestEndpoint, name: &str, email: &str) -> Assessor {
    let (id, code) = endpoint.add_assessor(name, email).await;
    let code = EnrollmentCode::parse(&code).unwrap();
    let identity = Identity::generate();
    let anonymous = Client::new(&endpoint.url, None).unwrap();
    let redeemed: RedeemResponse = anonymous
        .post_json(
            "/v1/enrollments/redeem",
            &RedeemRequest {
                secret: code.secret.clone(),
                public_key: None,
                age_recipient: Some(identity.recipient()),
                device: Some("test".into()),
            },
        )
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let identity = Arc::new(identity);
    let session = AssessorSession {
        dir: dir.path().to_owned(),
        profile: Profile {
            format: PROFILE_FORMAT,
            endpoint: endpoint.url.clone(),
            awarding_body: waymark_harness::endpoint::AWARDING_BODY.into(),
            assessor: id,
            name: name.into(),
            email: email.into(),
            pinned: redeemed.key_sets.last().unwrap().fingerprint(),
            signed_in_at: chrono::Utc::now(),
        },
        client: Client::new(&endpoint.url, Some(redeemed.token)).unwrap(),
        identity: identity.clone(),
    };
    Assessor {
        id,
        session,
        identity,
        dir,
    }
}

/// Every file under `dir`.
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut pending = vec![dir.to_owned()];
    while let Some(d) = pending.pop() {
        for entry in std::fs::read_dir(&d).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else {
                out.push(path);
            }
        }
    }
    out
}

/// The file under `dir` whose bytes hash to `sha256` (hex).
pub fn find_by_sha256(dir: &Path, sha256: &str) -> Option<PathBuf> {
    files_under(dir).into_iter().find(|p| {
        std::fs::read(p)
            .map(|b| waymark_protocol::Sha256::of(&b).to_hex() == sha256)
            .unwrap_or(false)
    })
}
