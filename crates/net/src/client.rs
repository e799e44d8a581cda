//! The HTTP client for the endpoint: rustls on ring with the platform's certificate verifier
//! (so an inspecting proxy's root, once the OS trusts it, works), the system proxy settings,
//! timeouts, the bearer token, and every refusal turned into a [`ClientError`] that carries the
//! endpoint's stable code and its message.

use std::time::Duration;

use futures::StreamExt as _;
use serde::Serialize;
use serde::de::DeserializeOwned;
use sha2::Digest as _;
use tokio::io::AsyncWriteExt as _;
use waymark_protocol::{ApiError, ApiErrorCode, Sha256};

/// How long to wait for a connection (the Windows verifier may block ~10 s on revocation
/// checks when CRL/OCSP servers are unreachable, so this is not shorter).
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(15);
/// How long a whole API request may take; also how long a download may go without a byte.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);

/// What went wrong talking to the endpoint.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The endpoint answered with one of its error codes.
    #[error("the endpoint refused ({}): {message}", code.as_str())]
    Api {
        /// The HTTP status.
        status: u16,
        /// The stable code.
        code: ApiErrorCode,
        /// The endpoint's explanation.
        message: String,
    },
    /// A non-2xx answer that is not the endpoint's JSON error (a proxy's page, say).
    #[error(
        "{endpoint} answered HTTP {status} without the endpoint's explanation (something between this computer and the endpoint answered instead, or it is not a Waymark endpoint): {snippet}"
    )]
    Status {
        /// The endpoint's address.
        endpoint: String,
        /// The HTTP status.
        status: u16,
        /// The start of the body.
        snippet: String,
    },
    /// The host name does not resolve.
    #[error(
        "cannot find {endpoint}: its name does not resolve. Check the address in your enrollment code and that this computer is online"
    )]
    Dns {
        /// The endpoint's address.
        endpoint: String,
    },
    /// No connection could be made.
    #[error(
        "cannot connect to {endpoint} ({detail}). Check that you are online; behind a proxy, set HTTPS_PROXY (PAC files are not read)"
    )]
    Connect {
        /// The endpoint's address.
        endpoint: String,
        /// The cause.
        detail: String,
    },
    /// The proxy (from `HTTPS_PROXY`/`HTTP_PROXY` or the system settings) refused to carry the
    /// connection or wants a password.
    #[error(
        "the proxy between this computer and {endpoint} refused the connection ({detail}). {}",
        proxy_advice(endpoint, detail)
    )]
    Proxy {
        /// The endpoint's address.
        endpoint: String,
        /// What the proxy said.
        detail: String,
    },
    /// The endpoint did not answer in time.
    #[error(
        "{endpoint} did not answer in time (connecting waits {}s, a request {}s). Try again; if it keeps happening the endpoint or your network is down",
        CONNECT_TIMEOUT.as_secs(), REQUEST_TIMEOUT.as_secs()
    )]
    Timeout {
        /// The endpoint's address.
        endpoint: String,
    },
    /// The TLS handshake or the certificate check failed.
    #[error(
        "the secure connection to {endpoint} failed ({detail}). {}",
        tls_advice(detail)
    )]
    Tls {
        /// The endpoint's address.
        endpoint: String,
        /// The rustls error.
        detail: String,
    },
    /// A 2xx answer that is not what the API promises.
    #[error(
        "the endpoint's answer could not be read ({detail}); is {endpoint} a Waymark endpoint?"
    )]
    Decode {
        /// The endpoint's address.
        endpoint: String,
        /// The parse error.
        detail: String,
    },
    /// Any other failure of the HTTP stack.
    #[error("talking to {endpoint} failed: {detail}")]
    Other {
        /// The endpoint's address.
        endpoint: String,
        /// The cause.
        detail: String,
    },
    /// Writing a download to disk failed.
    #[error("writing the download failed: {0}")]
    Write(std::io::Error),
}

impl ClientError {
    /// The stable code of this failure for front ends and scripts: the endpoint's own code when
    /// it refused, else one word for how the network failed. Shared by the sync engine and the
    /// assessor's tool, so both name a failure the same way.
    pub fn stable_code(&self) -> String {
        match self {
            Self::Api { code, .. } => code.as_str().to_owned(),
            Self::Status { .. } => "http_status".into(),
            Self::Dns { .. } => "network_dns".into(),
            Self::Connect { .. } => "network_connect".into(),
            Self::Timeout { .. } => "network_timeout".into(),
            Self::Tls { .. } => "network_tls".into(),
            Self::Proxy { .. } => "network_proxy".into(),
            Self::Decode { .. } => "bad_answer".into(),
            Self::Other { .. } => "network_other".into(),
            Self::Write(_) => "io".into(),
        }
    }

    /// The endpoint's code, when it refused.
    pub fn code(&self) -> Option<ApiErrorCode> {
        match self {
            Self::Api { code, .. } => Some(*code),
            _ => None,
        }
    }
}

/// A client for one endpoint, with or without a token.
#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    endpoint: String,
    token: Option<String>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Client({}, token hidden)", self.endpoint)
    }
}

/// What a download wrote.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Downloaded {
    /// Bytes written (at most the limit plus one chunk: more is a refusal).
    pub size: u64,
    /// Their SHA-256.
    pub sha256: Sha256,
}

/// Installs ring as rustls's process-wide provider (once; already installed is fine).
fn install_ring() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

impl Client {
    /// A client for `endpoint` (`https://…`, no trailing slash).
    pub fn new(endpoint: &str, token: Option<String>) -> Result<Self, ClientError> {
        install_ring();
        let mut builder = reqwest::Client::builder()
            .connect_timeout(CONNECT_TIMEOUT)
            .read_timeout(REQUEST_TIMEOUT)
            .user_agent(concat!("waymark/", env!("CARGO_PKG_VERSION")));
        if endpoint.starts_with("http://") {
            // Plain HTTP may go through a forwarding proxy, and some (tinyproxy among them)
            // close the connection after each answer without saying so: a reused connection
            // then fails under the next request, which may not be safe to send again (redeeming
            // a one-time code). So each request gets its own connection. HTTPS goes through a
            // proxy in a CONNECT tunnel, which stays open, and keeps its pool.
            builder = builder.pool_max_idle_per_host(0);
        }
        let http = builder.build().map_err(|e| ClientError::Other {
            endpoint: endpoint.to_owned(),
            detail: format!("the HTTP client could not be set up: {}", chain(&e)),
        })?;
        Ok(Self {
            http,
            endpoint: endpoint.trim_end_matches('/').to_owned(),
            token,
        })
    }

    /// The endpoint's address.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// A request to `path` (absolute, or relative to the endpoint) with the token, if any.
    /// `path` may also be a full URL on the endpoint (a tus `Location`).
    pub fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        let url = if path.starts_with("http://") || path.starts_with("https://") {
            path.to_owned()
        } else {
            format!("{}{path}", self.endpoint)
        };
        let req = self.http.request(method, url);
        match &self.token {
            Some(token) => req.bearer_auth(token),
            None => req,
        }
    }

    /// `GET path` answered with JSON.
    pub async fn get_json<T: DeserializeOwned>(&self, path: &str) -> Result<T, ClientError> {
        let req = self
            .request(reqwest::Method::GET, path)
            .timeout(REQUEST_TIMEOUT);
        self.json_answer(req).await
    }

    /// `POST path` with a JSON body, answered with JSON.
    pub async fn post_json<B: Serialize + ?Sized, T: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
    ) -> Result<T, ClientError> {
        let req = self
            .request(reqwest::Method::POST, path)
            .timeout(REQUEST_TIMEOUT)
            .json(body);
        self.json_answer(req).await
    }

    /// `POST path` with a JSON body, answered with no content.
    pub async fn post_empty<B: Serialize + ?Sized>(
        &self,
        path: &str,
        body: &B,
    ) -> Result<(), ClientError> {
        let req = self
            .request(reqwest::Method::POST, path)
            .timeout(REQUEST_TIMEOUT)
            .json(body);
        self.send(req).await.map(drop)
    }

    /// Streams `GET path` into `out`, hashing as it goes, and stops once more than `limit`
    /// bytes arrived (the caller refuses that). No overall time limit: only a stall of
    /// [`REQUEST_TIMEOUT`] ends it.
    pub async fn download(
        &self,
        path: &str,
        limit: u64,
        out: &mut tokio::fs::File,
    ) -> Result<Downloaded, ClientError> {
        self.download_with_progress(path, limit, out, &|_| {}).await
    }

    /// [`Client::download`], telling `progress` the bytes received so far after each chunk
    /// (the assessor's app shows a bar for a large video).
    pub async fn download_with_progress(
        &self,
        path: &str,
        limit: u64,
        out: &mut tokio::fs::File,
        progress: &(dyn Fn(u64) + Send + Sync),
    ) -> Result<Downloaded, ClientError> {
        let response = self.send(self.request(reqwest::Method::GET, path)).await?;
        let mut stream = response.bytes_stream();
        let mut hasher = sha2::Sha256::new();
        let mut size: u64 = 0;
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(|e| self.classify(&e))?;
            size += chunk.len() as u64;
            hasher.update(&chunk);
            out.write_all(&chunk).await.map_err(ClientError::Write)?;
            progress(size);
            if size > limit {
                break;
            }
        }
        out.flush().await.map_err(ClientError::Write)?;
        out.sync_all().await.map_err(ClientError::Write)?;
        Ok(Downloaded {
            size,
            sha256: Sha256(hasher.finalize().into()),
        })
    }

    async fn json_answer<T: DeserializeOwned>(
        &self,
        req: reqwest::RequestBuilder,
    ) -> Result<T, ClientError> {
        let response = self.send(req).await?;
        let bytes = response.bytes().await.map_err(|e| self.classify(&e))?;
        serde_json::from_slice(&bytes).map_err(|e| ClientError::Decode {
            endpoint: self.endpoint.clone(),
            detail: e.to_string(),
        })
    }

    /// Sends, turning a network failure or a non-2xx answer into a [`ClientError`].
    pub async fn send(
        &self,
        req: reqwest::RequestBuilder,
    ) -> Result<reqwest::Response, ClientError> {
        let response = req.send().await.map_err(|e| self.classify(&e))?;
        let status = response.status();
        if status.is_success() {
            return Ok(response);
        }
        let bytes = response.bytes().await.unwrap_or_default();
        match serde_json::from_slice::<ApiError>(&bytes) {
            Ok(api) => Err(ClientError::Api {
                status: status.as_u16(),
                code: api.code,
                message: api.message,
            }),
            // Only a proxy answers 407 (the endpoint never does).
            Err(_) if status.as_u16() == 407 => Err(ClientError::Proxy {
                endpoint: self.endpoint.clone(),
                detail: "HTTP 407 Proxy Authentication Required".into(),
            }),
            Err(_) => Err(ClientError::Status {
                endpoint: self.endpoint.clone(),
                status: status.as_u16(),
                snippet: String::from_utf8_lossy(&bytes[..bytes.len().min(200)])
                    .trim()
                    .to_owned(),
            }),
        }
    }

    /// Turns a failure of the HTTP stack into the [`ClientError`] that names its cause.
    pub fn classify(&self, e: &reqwest::Error) -> ClientError {
        let endpoint = self.endpoint.clone();
        if let Some(tls) = find_tls(e) {
            ClientError::Tls {
                endpoint,
                detail: tls.to_string(),
            }
        } else if let Some(detail) = proxy_refusal(e) {
            ClientError::Proxy { endpoint, detail }
        } else if e.is_dns() {
            ClientError::Dns { endpoint }
        } else if e.is_timeout() {
            ClientError::Timeout { endpoint }
        } else if e.is_connect() {
            ClientError::Connect {
                endpoint,
                detail: root_cause(e),
            }
        } else {
            ClientError::Other {
                endpoint,
                detail: chain(e),
            }
        }
    }
}

/// What to do about a proxy's refusal: the variable that applies to this endpoint's scheme.
fn proxy_advice(endpoint: &str, detail: &str) -> String {
    let var = if endpoint.starts_with("http://") {
        "HTTP_PROXY"
    } else {
        "HTTPS_PROXY"
    };
    if detail.contains("auth") || detail.contains("407") {
        format!(
            "It wants a password: put it in {var} as http://user:password@proxy:port (only Basic authentication is supported), or ask IT to let this computer through"
        )
    } else {
        format!(
            "Ask IT to allow {endpoint} through the proxy, or check that {var} names the proxy this computer must use (PAC files are not read)"
        )
    }
}

/// What to do about a TLS failure, from its cause.
fn tls_advice(detail: &str) -> &'static str {
    if detail.contains("UnknownIssuer") || detail.contains("unknown issuer") {
        "The certificate is signed by an authority this computer does not trust. If your school's web filter inspects HTTPS, it is putting its own certificate in place of the endpoint's, and that certificate is not trusted by this computer: ask IT to install the filter's root certificate in this computer's trust store (on Debian or Ubuntu: copy it to /usr/local/share/ca-certificates/ and run update-ca-certificates), or to let the endpoint through the filter uninspected"
    } else if detail.contains("Expired") || detail.contains("NotValidYet") {
        "The certificate is out of date, or this computer's clock is wrong: check the date and time, then tell the awarding body if it persists"
    } else if detail.contains("NotValidForName") {
        "The certificate is for another name: check the address in the enrollment code; behind a web filter, ask IT whether it redirects this address"
    } else {
        "If your network inspects HTTPS, its root certificate must be trusted by this computer; otherwise the endpoint's certificate is wrong: tell the awarding body"
    }
}

/// The rustls error somewhere in the chain (an `io::Error` hides its inner error from
/// `source()`, and may wrap another `io::Error`, so each one is opened too).
fn find_tls<'a>(e: &'a (dyn std::error::Error + 'static)) -> Option<&'a rustls::Error> {
    let mut pending: Vec<&'a (dyn std::error::Error + 'static)> = vec![e];
    while let Some(err) = pending.pop() {
        if let Some(tls) = err.downcast_ref::<rustls::Error>() {
            return Some(tls);
        }
        if let Some(inner) = err
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
        {
            pending.push(inner);
        }
        if let Some(source) = err.source() {
            pending.push(source);
        }
    }
    None
}

/// A proxy's refusal to open a tunnel: hyper-util's `TunnelError`, whose kinds show only in
/// its text ("unsuccessful tunnel", "proxy authorization required").
///
/// Only the causes are read, never the top error: reqwest's own message carries the URL, and a
/// port such as 42407 or an upload id must not pass for a proxy's 407.
fn proxy_refusal(e: &(dyn std::error::Error + 'static)) -> Option<String> {
    let mut cause = e.source();
    while let Some(err) = cause {
        let lower = err.to_string().to_ascii_lowercase();
        if lower.contains("unsuccessful tunnel") || lower.contains("proxy authorization required") {
            return Some(chain(e));
        }
        cause = err.source();
    }
    None
}

fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut last = e;
    while let Some(next) = last.source() {
        last = next;
    }
    last.to_string()
}

fn chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut parts = vec![e.to_string()];
    let mut next = e.source();
    while let Some(err) = next {
        let text = err.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        next = err.source();
    }
    parts.join(": ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn nothing_listening_is_a_connect_failure_and_a_bad_name_is_dns() {
        // A port nothing listens on (bound, then dropped).
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let client = Client::new(&format!("http://127.0.0.1:{port}"), None).unwrap();
        let err = client
            .get_json::<serde_json::Value>("/health")
            .await
            .unwrap_err();
        assert!(matches!(err, ClientError::Connect { .. }), "{err:?}");
        assert!(err.to_string().contains("cannot connect"), "{err}");

        let client = Client::new("http://no-such-host.invalid", None).unwrap();
        let err = client
            .get_json::<serde_json::Value>("/health")
            .await
            .unwrap_err();
        assert!(matches!(err, ClientError::Dns { .. }), "{err:?}");
    }

    /// A connection reset on an endpoint whose port holds "407" (as 42407 does) is a cut, not
    /// a proxy wanting a password: CI once misread it so and stopped retrying the upload.
    #[tokio::test]
    async fn a_reset_on_a_port_with_407_in_it_is_not_a_proxy_refusal() {
        // Every port from 40700 to 40799 has "407" in it.
        let mut listener = None;
        for port in 40700..40800 {
            if let Ok(l) = tokio::net::TcpListener::bind(("127.0.0.1", port)).await {
                listener = Some(l);
                break;
            }
        }
        let listener = listener.expect("a free loopback port from 40700 to 40799");
        let port = listener.local_addr().unwrap().port();
        let server = tokio::spawn(async move {
            let (stream, _) = listener.accept().await.unwrap();
            // An abortive close: the client's read fails with "connection reset".
            stream.set_zero_linger().unwrap();
            drop(stream);
        });
        let client = Client::new(&format!("http://127.0.0.1:{port}"), None).unwrap();
        let err = client
            .get_json::<serde_json::Value>("/v1/uploads/0190aa4b-4070-7000-8000-000000000407")
            .await
            .unwrap_err();
        server.await.unwrap();
        assert!(matches!(err, ClientError::Other { .. }), "{err:?}");
    }

    #[tokio::test]
    async fn a_server_that_is_not_tls_is_a_tls_failure() {
        // A plain TCP server that answers garbage to the TLS hello.
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        tokio::spawn(async move {
            while let Ok((mut socket, _)) = listener.accept().await {
                let _ = socket.write_all(b"HTTP/1.1 400 Bad Request\r\n\r\n").await;
            }
        });
        let client = Client::new(&format!("https://127.0.0.1:{port}"), None).unwrap();
        let err = client
            .get_json::<serde_json::Value>("/health")
            .await
            .unwrap_err();
        assert!(matches!(err, ClientError::Tls { .. }), "{err:?}");
    }
}
