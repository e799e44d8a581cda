//! The awarding body's endpoint in process, for tests: a fresh data folder `init`ed as
//! `waymark-server init` does, opened with a [`FixedClock`], served on `127.0.0.1:0` over plain
//! HTTP ([`TestEndpoint::start`]) or the server's own built-in TLS ([`TestEndpoint::start_tls`],
//! with a [`TestPki`] certificate), and admin helpers that go through the real admin API.
//!
//! Why in process: the tests of the school's submissions and of the assessor's tool need the
//! real server's answers (authentication, tus offsets, review rules) and its state to look at,
//! at the cost of no separate build; a fixed clock makes deadlines and expiries reproducible.
//!
//! The server runs on the caller's Tokio runtime (like `waymark-server serve`), so create it
//! inside the test's runtime and keep that runtime free to answer: wait for child processes
//! with `spawn_blocking`, not on the runtime's own thread. Dropping the endpoint stops it
//! (graceful shutdown on the runtime); the data folder is removed when the last clone of it
//! goes.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use tempfile::TempDir;
use waymark_protocol::api::{Account, IssuedCode};
use waymark_protocol::crypt::Identity;
use waymark_protocol::{AssessorId, SubmissionId};
use waymark_server::AppState;
use waymark_server::clock::FixedClock;
use waymark_server::config::{Config, TlsConfig};
use waymark_server::init::{InitOptions, init};

use crate::tls::TestPki;

/// The awarding body's name in the test endpoint.
pub const AWARDING_BODY: &str = "Test Awarding Body";

/// Where the endpoint's clock starts: Monday 2 March 2026, 09:00 UTC.
pub fn start_time() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-03-02T09:00:00Z")
        .expect("a valid instant")
        .with_timezone(&Utc)
}

/// A running endpoint.
pub struct TestEndpoint {
    /// `http://127.0.0.1:PORT`, or `https://127.0.0.1:PORT` from [`start_tls`](Self::start_tls):
    /// also the server's configured public URL.
    pub url: String,
    /// The server's clock (starts at [`start_time`]; move it with `advance`).
    pub clock: Arc<FixedClock>,
    /// The administrator token `init` issued.
    pub admin_token: String,
    /// The server's state (its stores, configuration and clock), for looking behind the API.
    pub state: AppState,
    /// The awarding body's office identity (its file is [`board_identity_file`](Self::board_identity_file)).
    pub board_identity: Identity,
    /// A client for the endpoint: no proxy, and over TLS trusting the [`TestPki`]'s CA.
    pub http: reqwest::Client,
    data: Arc<TempDir>,
    identity_dir: Arc<TempDir>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl TestEndpoint {
    /// Initialises a data folder and serves it over plain HTTP on a free loopback port.
    pub async fn start() -> Self {
        Self::launch(None).await
    }

    /// Initialises a data folder and serves it with the server's built-in TLS (`load_tls` +
    /// `serve_tls`, as `serve` does with `[tls]` configured), `pki`'s server certificate and
    /// key; the URL is `https://127.0.0.1:PORT`. [`http`](Self::http) trusts `pki`'s CA.
    pub async fn start_tls(pki: &TestPki) -> Self {
        Self::launch(Some(pki)).await
    }

    async fn launch(pki: Option<&TestPki>) -> Self {
        // reqwest (rustls-no-provider) and the server both use ring; the first wins, harmlessly.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let data = Arc::new(tempfile::tempdir().expect("a data folder for the endpoint"));
        let identity_dir = Arc::new(tempfile::tempdir().expect("a folder for the identity"));
        let clock = Arc::new(FixedClock::new(start_time()));
        let identity_path = identity_dir.path().join("board.age");
        let done = init(
            data.path(),
            InitOptions {
                awarding_body: AWARDING_BODY.into(),
                public_url: "http://127.0.0.1:1".into(),
                listen: "127.0.0.1:0".parse().expect("a socket address"),
                recipients: Vec::new(),
                identity_out: Some(identity_path.clone()),
            },
            clock.clone(),
        )
        .await
        .expect("waymark-server init in a fresh folder");
        let board_identity = Identity::from_secret_text(
            &std::fs::read_to_string(&identity_path).expect("init wrote the identity"),
        )
        .expect("the identity init wrote parses");
        let mut config =
            Config::load_with_env(data.path(), |_| None).expect("the configuration init wrote");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a free loopback port for the endpoint");
        let addr = listener.local_addr().expect("the endpoint's address");
        config.listen = addr;
        let scheme = if pki.is_some() { "https" } else { "http" };
        let url = format!("{scheme}://{addr}");
        config.public_url = url.clone();
        let mut http = reqwest::Client::builder().no_proxy();
        let mut tls = None;
        if let Some(pki) = pki {
            let files = TlsConfig {
                cert: pki.cert_path(),
                key: pki.key_path(),
            };
            tls = Some(
                waymark_server::serve::load_tls(&files)
                    .expect("the server loads the test certificate"),
            );
            config.tls = Some(files);
            let ca = reqwest::Certificate::from_pem(pki.ca_pem().as_bytes())
                .expect("the test CA is PEM");
            http = http.add_root_certificate(ca);
        }
        let http = http.build().expect("the endpoint's client");
        let state = AppState::open_embedded(data.path(), config, clock.clone())
            .expect("the endpoint opens its fresh data folder");
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let shutdown = async {
            let _ = stopped.await;
        };
        match tls {
            Some(tls) => {
                tokio::spawn(waymark_server::serve::serve_tls(
                    listener,
                    state.clone(),
                    tls,
                    shutdown,
                ));
            }
            None => {
                tokio::spawn(waymark_server::serve::serve(
                    listener,
                    state.clone(),
                    shutdown,
                ));
            }
        }
        Self {
            url,
            clock,
            admin_token: done.admin_token,
            state,
            board_identity,
            http,
            data,
            identity_dir,
            stop: Some(stop),
        }
    }

    /// The awarding body's identity file (age, secret), as the assessor's tool is given it.
    pub fn board_identity_file(&self) -> PathBuf {
        self.identity_dir.path().join("board.age")
    }

    /// The server's data folder.
    pub fn data_dir(&self) -> &Path {
        self.data.path()
    }

    /// The folder the server keeps a tus upload's stored parts in (one part per PATCH), for
    /// tests that look at or tamper with what reached the disk.
    pub fn upload_dir(&self, upload_id: &str) -> PathBuf {
        self.data_dir()
            .join("blobs")
            .join("uploads")
            .join(upload_id)
    }

    /// A JSON request with an optional bearer token: the status and the body as JSON (a body
    /// that is not JSON comes back as a JSON string).
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
        let resp = req
            .send()
            .await
            .unwrap_or_else(|e| panic!("{path}: the endpoint answers ({e})"));
        let status = resp.status().as_u16();
        let text = resp.text().await.expect("the endpoint's answer is read");
        let value = serde_json::from_str(&text).unwrap_or(Value::String(text));
        (status, value)
    }

    /// [`call`](Self::call) with the administrator token.
    pub async fn admin(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        self.call(method, path, Some(&self.admin_token), body).await
    }

    /// Registers an institution through the admin API; its (unredeemed) enrollment code is
    /// the answer's `code`.
    pub async fn add_institution(&self, name: &str, identifier: &str) -> IssuedCode {
        let (status, body) = self
            .admin(
                reqwest::Method::POST,
                "/v1/admin/institutions",
                Some(json!({"name": name, "identifier": identifier})),
            )
            .await;
        assert_eq!(status, 200, "registering institution {name}: {body}");
        serde_json::from_value(body).expect("an issued code")
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
        assert_eq!(status, 200, "registering assessor {name}: {body}");
        let issued: IssuedCode = serde_json::from_value(body).expect("an issued code");
        let Account::Assessor(info) = issued.account else {
            panic!("an assessor's code for {name}, not {:?}", issued.account)
        };
        (info.id, issued.code)
    }

    /// Assigns an assessor and a moderator to a submission.
    pub async fn assign(
        &self,
        submission: SubmissionId,
        assessor: AssessorId,
        moderator: AssessorId,
    ) {
        let (status, body) = self
            .admin(
                reqwest::Method::POST,
                &format!("/v1/admin/submissions/{submission}/assign"),
                Some(json!({"assessor": assessor, "moderator": moderator})),
            )
            .await;
        assert_eq!(status, 200, "assigning {submission}: {body}");
    }
}

impl Drop for TestEndpoint {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use std::process::Command;

    use waymark_protocol::enrollment::EnrollmentCode;
    use waymark_server::clock::Clock as _;

    use super::*;

    #[tokio::test]
    async fn serves_and_registers_over_http() {
        let endpoint = TestEndpoint::start().await;
        assert!(endpoint.url.starts_with("http://127.0.0.1:"));
        assert_eq!(endpoint.state.config.public_url, endpoint.url);
        let (status, _) = endpoint
            .call(reqwest::Method::GET, "/ready", None, None)
            .await;
        assert_eq!(status, 200);

        let issued = endpoint
            .add_institution("Hillside Primary", "urn:test:school:hillside")
            .await;
        assert!(matches!(issued.account, Account::Institution(_)));
        EnrollmentCode::parse(&issued.code).unwrap();
        let (id, code) = endpoint
            .add_assessor("Ada Assessor", "ada@board.example")
            .await;
        EnrollmentCode::parse(&code).unwrap();
        let (status, list) = endpoint
            .admin(reqwest::Method::GET, "/v1/admin/assessors", None)
            .await;
        assert_eq!(status, 200);
        assert!(list.to_string().contains(&id.to_string()), "{list}");
        // An unknown submission cannot be assigned.
        let (status, body) = endpoint
            .admin(
                reqwest::Method::POST,
                &format!("/v1/admin/submissions/{}/assign", SubmissionId::new()),
                Some(json!({"assessor": id, "moderator": id})),
            )
            .await;
        assert!((400..500).contains(&status), "{status} {body}");
        assert!(endpoint.board_identity_file().is_file());
        let before = endpoint.clock.now();
        endpoint.clock.advance(chrono::Duration::days(1));
        assert_eq!(endpoint.clock.now() - before, chrono::Duration::days(1));
    }

    #[tokio::test]
    async fn serves_with_the_servers_own_tls() {
        let pki = TestPki::generate();
        let endpoint = TestEndpoint::start_tls(&pki).await;
        assert!(endpoint.url.starts_with("https://127.0.0.1:"));
        let (status, _) = endpoint
            .call(reqwest::Method::GET, "/ready", None, None)
            .await;
        assert_eq!(status, 200);
        // A client that does not trust the test CA is refused.
        let untrusting = reqwest::Client::builder().no_proxy().build().unwrap();
        let err = untrusting
            .get(format!("{}/ready", endpoint.url))
            .send()
            .await
            .unwrap_err();
        assert!(format!("{err:?}").contains("UnknownIssuer"), "{err:?}");
    }

    /// The variable the parent gives its child (the endpoint's URL).
    const CHILD_URL: &str = "WAYMARK_HARNESS_CHILD_URL";
    /// What the child prints before its result.
    const CHILD_SAYS: &str = "child-result: ";

    /// Run as a child by `ssl_cert_file_decides_what_a_child_trusts` (does nothing otherwise):
    /// a default reqwest client, which trusts the OS store, fetches `/ready` and prints what
    /// happened.
    #[test]
    fn child_fetches_ready() {
        let Some(url) = std::env::var_os(CHILD_URL) else {
            return;
        };
        let url = url.into_string().unwrap();
        let _ = rustls::crypto::ring::default_provider().install_default();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let result = runtime.block_on(async {
            let client = reqwest::Client::builder()
                .no_proxy()
                .timeout(std::time::Duration::from_secs(20))
                .build()
                .map_err(|e| format!("{e:?}"))?;
            let resp = client
                .get(format!("{url}/ready"))
                .send()
                .await
                .map_err(|e| format!("{e:?}"))?;
            Ok::<_, String>(resp.status().as_u16())
        });
        match result {
            Ok(status) => println!("{CHILD_SAYS}status {status}"),
            Err(e) => println!("{CHILD_SAYS}error {e}"),
        }
    }

    /// Runs this test binary's `child_fetches_ready` with `SSL_CERT_FILE` = `bundle`.
    async fn child_with(bundle: PathBuf, url: &str) -> String {
        let mut cmd = Command::new(std::env::current_exe().unwrap());
        cmd.args([
            "endpoint::tests::child_fetches_ready",
            "--exact",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_URL, url)
        .env("SSL_CERT_FILE", bundle)
        .env_remove("SSL_CERT_DIR");
        crate::env::without_proxies(&mut cmd);
        let out = tokio::task::spawn_blocking(move || cmd.output().unwrap())
            .await
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        stdout
            .lines()
            .find_map(|l| l.split_once(CHILD_SAYS).map(|(_, said)| said))
            .unwrap_or_else(|| panic!("the child printed no result: {out:?}"))
            .to_owned()
    }

    /// What the module documentation of `tls` says, shown: a child process whose
    /// `SSL_CERT_FILE` is the bundle with the test CA trusts the endpoint; with the system
    /// bundle alone, or one holding another CA instead, it refuses the certificate.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn ssl_cert_file_decides_what_a_child_trusts() {
        let pki = TestPki::generate();
        let endpoint = TestEndpoint::start_tls(&pki).await;
        let trusted = child_with(pki.trust_bundle_with_ca(), &endpoint.url).await;
        assert_eq!(trusted, "status 200");
        // The machine's roots alone: the test CA is unknown.
        if Path::new(crate::tls::SYSTEM_BUNDLE).is_file() {
            let refused = child_with(crate::tls::SYSTEM_BUNDLE.into(), &endpoint.url).await;
            assert!(refused.contains("UnknownIssuer"), "{refused}");
        }
        // Another CA of the same name (another school's filter): its signature does not match.
        let other = TestPki::generate();
        let refused = child_with(other.trust_bundle_with_ca(), &endpoint.url).await;
        assert!(refused.contains("InvalidCertificate"), "{refused}");
    }
}
