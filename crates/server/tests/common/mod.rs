//! The real server on a loopback port (port 0) over a temporary data folder, and helpers to
//! enrol institutions and assessors through the API, for the integration tests.
//!
//! The stores are the embedded default, or with `WAYMARK_TEST_STORAGE=postgres+s3` a real
//! PostgreSQL server and a real S3-compatible server (s3s-fs), both started on loopback by
//! waymark-harness once per test process, with a database and a bucket of its own for each
//! server a test starts. `make test` runs the whole suite both ways.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, missing_docs)]

pub mod flow;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use tempfile::TempDir;
use waymark_protocol::api::{Account, IssuedCode, RedeemRequest, RedeemResponse};
use waymark_protocol::crypt::Identity;
use waymark_protocol::enrollment::EnrollmentCode;
use waymark_protocol::signed::SecretKey;
use waymark_protocol::{AssessorId, InstitutionId};
use waymark_server::AppState;
use waymark_server::clock::FixedClock;
use waymark_server::config::Config;
use waymark_server::init::{InitOptions, init};

/// A running server.
pub struct TestServer {
    /// `http://127.0.0.1:PORT`
    pub url: String,
    pub addr: SocketAddr,
    pub data: Arc<TempDir>,
    /// The awarding body's identity (written by init outside the data folder).
    pub board_identity: Identity,
    pub identity_dir: Arc<TempDir>,
    pub state: AppState,
    pub clock: Arc<FixedClock>,
    pub admin_token: String,
    pub http: reqwest::Client,
    /// The database and bucket (kept for the test's length), when not embedded.
    pub shared: Option<Arc<SharedStores>>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
}

/// An enrolled institution.
pub struct School {
    pub id: InstitutionId,
    pub token: String,
    pub key: SecretKey,
    pub code: EnrollmentCode,
}

/// An enrolled assessor.
pub struct Assessor {
    pub id: AssessorId,
    pub token: String,
    pub identity: Identity,
    pub name: String,
    pub email: String,
}

/// Asserts a refusal: the status and the stable `code` of the endpoint's error body.
pub fn assert_refused(status: u16, body: &Value, want_status: u16, code: &str) {
    assert_eq!(status, want_status, "{body}");
    assert_eq!(body["code"], code, "{body}");
}

/// A plain-HTTP client. In a whole-workspace build reqwest also has the assessor tool's
/// `rustls-no-provider` feature (features unify), and then refuses to build a client until a
/// rustls crypto provider is installed: install ring's, as the server's own TLS uses.
pub fn http_client() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::new()
}

/// Which stores the suite runs on (`WAYMARK_TEST_STORAGE`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Storage {
    /// SQLite and files in the data folder.
    Embedded,
    /// PostgreSQL and an S3 bucket.
    PostgresS3,
}

impl Storage {
    pub fn from_env() -> Self {
        match std::env::var("WAYMARK_TEST_STORAGE").as_deref() {
            Err(_) | Ok("") | Ok("embedded") => Storage::Embedded,
            Ok("postgres+s3") => Storage::PostgresS3,
            Ok(other) => panic!(
                "WAYMARK_TEST_STORAGE={other:?}: expected `embedded` (the default) or `postgres+s3`"
            ),
        }
    }
}

/// A database on the harness's PostgreSQL and a bucket on its S3 server, which several
/// instances of one endpoint share.
pub struct SharedStores {
    pub database: waymark_harness::postgres::PgDatabase,
    pub bucket: String,
}

impl SharedStores {
    pub fn new() -> Self {
        Self {
            database: waymark_harness::postgres::cluster().database(),
            bucket: waymark_harness::s3::s3().bucket(),
        }
    }

    /// The `[storage]` section naming them.
    pub fn storage_toml(&self) -> String {
        let s3 = waymark_harness::s3::s3();
        format!(
            "[storage]\nmetadata = \"postgres\"\nblobs = \"s3\"\n\n[storage.postgres]\nurl = \"{}\"\npool_size = 4\n\n[storage.s3]\nbucket = \"{}\"\nendpoint = \"{}\"\nregion = \"{}\"\nallow_http = true\npath_style = true\naccess_key_id = \"{}\"\nsecret_access_key = \"{}\"\n",
            self.database.url(),
            self.bucket,
            s3.endpoint(),
            s3.region(),
            s3.access_key(),
            s3.secret_key()
        )
    }
}

pub fn start_time() -> DateTime<Utc> {
    "2026-03-02T09:00:00Z".parse().unwrap()
}

impl TestServer {
    /// Initialises a new data folder and starts the server on it.
    pub async fn start() -> Self {
        Self::start_with(|_| {}).await
    }

    /// As [`TestServer::start`], with the configuration changed by `edit` (limits, say).
    pub async fn start_with(edit: impl FnOnce(&mut Config)) -> Self {
        Self::start_on_with(Storage::from_env(), edit).await
    }

    /// A server on these stores, whatever `WAYMARK_TEST_STORAGE` says.
    pub async fn start_on(storage: Storage) -> Self {
        Self::start_on_with(storage, |_| {}).await
    }

    async fn start_on_with(storage: Storage, edit: impl FnOnce(&mut Config)) -> Self {
        let data = Arc::new(tempfile::tempdir().unwrap());
        let identity_dir = Arc::new(tempfile::tempdir().unwrap());
        let clock = Arc::new(FixedClock::new(start_time()));
        let identity_path = identity_dir.path().join("board.age");
        let shared = match storage {
            Storage::Embedded => None,
            Storage::PostgresS3 => {
                let shared = SharedStores::new();
                // init keeps a server.toml written beforehand, and opens the stores it names.
                std::fs::write(
                    data.path().join(waymark_server::config::CONFIG_FILE),
                    shared.storage_toml(),
                )
                .unwrap();
                Some(Arc::new(shared))
            }
        };
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
        edit(&mut config);
        Self::launch(
            data,
            identity_dir,
            board_identity,
            clock,
            config,
            done.admin_token,
            shared,
        )
        .await
    }

    async fn launch(
        data: Arc<TempDir>,
        identity_dir: Arc<TempDir>,
        board_identity: Identity,
        clock: Arc<FixedClock>,
        mut config: Config,
        admin_token: String,
        shared: Option<Arc<SharedStores>>,
    ) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let url = format!("http://{addr}");
        config.public_url = url.clone();
        let state = AppState::open(data.path(), config, clock.clone())
            .await
            .unwrap();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(waymark_server::serve::serve(
            listener,
            state.clone(),
            async {
                let _ = stopped.await;
            },
        ));
        Self {
            url,
            addr,
            data,
            board_identity,
            identity_dir,
            state,
            clock,
            admin_token,
            http: http_client(),
            shared,
            stop: Some(stop),
            task: Some(task),
        }
    }

    /// Stops the server gracefully and starts a new one on the same data folder (a new port).
    pub async fn restart(self) -> Self {
        let config = self.state.config.clone();
        let shared = self.shared.clone();
        self.restart_on(config, shared).await
    }

    /// As [`TestServer::restart`], with another configuration (other stores, say).
    pub async fn restart_on(mut self, config: Config, shared: Option<Arc<SharedStores>>) -> Self {
        self.stop().await;
        let board = Identity::from_secret_text(&self.board_identity.to_secret_text()).unwrap();
        Self::launch(
            self.data.clone(),
            self.identity_dir.clone(),
            board,
            self.clock.clone(),
            config,
            self.admin_token.clone(),
            shared,
        )
        .await
    }

    /// A second instance of this endpoint: its own data folder holding copies of the first's
    /// configuration and signing key (what an operator copies to a second machine), on the
    /// same PostgreSQL database and bucket, on a port of its own. Only on shared stores.
    pub async fn second_instance(&self) -> Self {
        let shared = self
            .shared
            .clone()
            .expect("a second instance shares PostgreSQL and S3 (see SharedStores)");
        let data = Arc::new(tempfile::tempdir().unwrap());
        for file in [
            waymark_server::config::CONFIG_FILE,
            waymark_server::keys::SIGNING_KEY_FILE,
        ] {
            let to = data.path().join(file);
            std::fs::create_dir_all(to.parent().unwrap()).unwrap();
            std::fs::copy(self.data.path().join(file), to).unwrap();
        }
        let config = self.state.config.clone();
        let board = Identity::from_secret_text(&self.board_identity.to_secret_text()).unwrap();
        Self::launch(
            data,
            self.identity_dir.clone(),
            board,
            self.clock.clone(),
            config,
            self.admin_token.clone(),
            Some(shared),
        )
        .await
    }

    /// Stops the server and waits for it.
    pub async fn stop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            task.await.unwrap().unwrap();
        }
    }

    pub fn data_dir(&self) -> PathBuf {
        self.data.path().to_owned()
    }

    /// The folders the metadata and the blobs are in on disk: the data folder (embedded), or
    /// this server's database folder in the PostgreSQL cluster (after a checkpoint, so what
    /// was committed is in its files) and its bucket's folder on the S3 server.
    pub async fn storage_dirs(&self) -> (PathBuf, PathBuf) {
        match &self.shared {
            None => (
                self.data_dir(),
                self.data_dir().join(waymark_server::state::BLOB_DIR),
            ),
            Some(shared) => {
                // Committed pages may still be only in shared buffers (and the WAL).
                shared.database.psql("CHECKPOINT");
                let oid = shared
                    .database
                    .psql("SELECT oid FROM pg_database WHERE datname = current_database()");
                (
                    waymark_harness::postgres::cluster()
                        .dir()
                        .join("data/base")
                        .join(oid.trim()),
                    waymark_harness::s3::s3().root().join(&shared.bucket),
                )
            }
        }
    }

    /// A JSON request with a bearer token; returns the status and the body as JSON.
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
        self.call(method, path, Some(&self.admin_token.clone()), body)
            .await
    }

    /// Registers an institution and returns its (unredeemed) code.
    pub async fn add_institution(&self, name: &str, identifier: &str) -> IssuedCode {
        let (status, body) = self
            .admin(
                reqwest::Method::POST,
                "/v1/admin/institutions",
                Some(json!({"name": name, "identifier": identifier})),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        serde_json::from_value(body).unwrap()
    }

    /// Registers and enrols an institution through the API.
    pub async fn enrol_school(&self, name: &str) -> School {
        let identifier = format!("urn:test:school:{}", uuid::Uuid::now_v7().simple());
        let issued = self.add_institution(name, &identifier).await;
        let code = EnrollmentCode::parse(&issued.code).unwrap();
        let key = SecretKey::generate();
        let response = self
            .redeem(&RedeemRequest {
                secret: code.secret.clone(),
                public_key: Some(key.public()),
                age_recipient: None,
                device: Some("test".into()),
            })
            .await;
        let Account::Institution(info) = response.account else {
            panic!("redeemed as an institution")
        };
        School {
            id: info.id,
            token: response.token,
            key,
            code,
        }
    }

    /// Registers and enrols an assessor through the API.
    pub async fn enrol_assessor(&self, name: &str) -> Assessor {
        let email = format!("{}@assessors.test", uuid::Uuid::now_v7().simple());
        let (status, body) = self
            .admin(
                reqwest::Method::POST,
                "/v1/admin/assessors",
                Some(json!({"name": name, "email": email})),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        let issued: IssuedCode = serde_json::from_value(body).unwrap();
        let code = EnrollmentCode::parse(&issued.code).unwrap();
        let identity = Identity::generate();
        let response = self
            .redeem(&RedeemRequest {
                secret: code.secret,
                public_key: None,
                age_recipient: Some(identity.recipient()),
                device: None,
            })
            .await;
        let Account::Assessor(info) = response.account else {
            panic!("redeemed as an assessor")
        };
        Assessor {
            id: info.id,
            token: response.token,
            identity,
            name: name.to_owned(),
            email,
        }
    }

    pub async fn redeem(&self, request: &RedeemRequest) -> RedeemResponse {
        let (status, body) = self
            .call(
                reqwest::Method::POST,
                "/v1/enrollments/redeem",
                None,
                Some(serde_json::to_value(request).unwrap()),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        serde_json::from_value(body).unwrap()
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}
