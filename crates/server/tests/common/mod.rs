//! The real server on a loopback port (port 0) over a temporary data folder, and helpers to
//! enrol institutions and assessors through the API, for the integration tests.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, missing_docs)]

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

/// A plain-HTTP client. In a whole-workspace build reqwest also has the assessor tool's
/// `rustls-no-provider` feature (features unify), and then refuses to build a client until a
/// rustls crypto provider is installed: install ring's, as the server's own TLS uses.
pub fn http_client() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::new()
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
        edit(&mut config);
        Self::launch(
            data,
            identity_dir,
            board_identity,
            clock,
            config,
            done.admin_token,
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
    ) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let url = format!("http://{addr}");
        config.public_url = url.clone();
        let state = AppState::open_embedded(data.path(), config, clock.clone()).unwrap();
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
            stop: Some(stop),
            task: Some(task),
        }
    }

    /// Stops the server gracefully and starts a new one on the same data folder (a new port).
    pub async fn restart(mut self) -> Self {
        self.stop().await;
        let config = self.state.config.clone();
        let board = Identity::from_secret_text(&self.board_identity.to_secret_text()).unwrap();
        Self::launch(
            self.data.clone(),
            self.identity_dir.clone(),
            board,
            self.clock.clone(),
            config,
            self.admin_token.clone(),
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
