//! A real S3-compatible server for tests: one `s3s-fs` per test process ([`s3`]), and a fresh
//! bucket in it for each caller ([`S3Server::bucket`]).
//!
//! Why a real server: the endpoint can keep its blobs in an S3-compatible store, through
//! `object_store`'s S3 client; what matters there (SigV4 signing, multipart uploads, listing,
//! conditional puts, the errors a missing object gives) is only tested honestly over HTTP
//! against a server that speaks S3. `s3s-fs` is one (the `s3s` crate's S3 service over a
//! folder), small, and installed with `cargo install` (no container, no Java, no account).
//!
//! The server listens on `127.0.0.1`, on a port it picks itself (`--port 0`; we read the port
//! from its log), with authentication on (an access key and a secret key of ours), over
//! path-style URLs (`http://127.0.0.1:PORT/<bucket>/<key>`), its data in a temporary folder.
//! A bucket is a folder under that root: s3s-fs 0.14.1's CreateBucket is exactly a
//! `create_dir` there, so [`S3Server::bucket`] makes the folder itself (object_store has no
//! CreateBucket call, and a signed request of our own would only do the same).
//!
//! It is never dropped (it lives in a `static`), so it stops through its supervisor (see
//! `supervisor.rs`): when the test process exits, even on a panic or SIGKILL, the pipe to the
//! supervisor closes, and it stops the server and removes the folder.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use object_store::aws::{AmazonS3, AmazonS3Builder};
use object_store::{BackoffConfig, ClientOptions, RetryConfig};

use crate::supervisor::{Supervised, clean_env};

/// The program, as `cargo install` names it.
const S3S_FS: &str = "s3s-fs";
/// How to install it (also what `scripts/setup.sh` runs).
const INSTALL: &str = "cargo install s3s-fs --version 0.14.1 --features binary --locked";
/// How long it gets to listen.
const START_WAIT: Duration = Duration::from_secs(20);
/// What it logs (at `info`) once it listens, followed by its address.
const READY_LINE: &str = "server is running at http://";
/// The credentials it accepts (SigV4 is checked on every request).
const ACCESS_KEY: &str = "waymark-harness";
const SECRET_KEY: &str = "waymark-harness-secret-key";
/// s3s-fs accepts any region in a signature; this is the one clients are given.
const REGION: &str = "us-east-1";

static SERVER: OnceLock<Result<S3Server, String>> = OnceLock::new();

/// The test process's S3 server, started on first use (well under a second), blocking the
/// calling thread meanwhile. Panics saying how to install `s3s-fs` when it is missing, and
/// with its log when it does not start; a failed start is not retried, so every later caller
/// gets the same message at once.
pub fn s3() -> &'static S3Server {
    match SERVER.get_or_init(|| crate::supervisor::catch(S3Server::start)) {
        Ok(server) => server,
        Err(e) => panic!("the test S3 server did not start: {e}"),
    }
}

/// A running `s3s-fs` on `127.0.0.1`.
#[derive(Debug)]
pub struct S3Server {
    addr: SocketAddr,
    root: PathBuf,
    server: Supervised,
}

impl S3Server {
    /// `http://127.0.0.1:PORT`: the endpoint for a client (path-style requests, plain HTTP).
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The access key id it accepts.
    pub fn access_key(&self) -> &str {
        ACCESS_KEY
    }

    /// The secret access key it accepts.
    pub fn secret_key(&self) -> &str {
        SECRET_KEY
    }

    /// The region to give clients (`us-east-1`; s3s-fs accepts any).
    pub fn region(&self) -> &str {
        REGION
    }

    /// Creates a fresh, empty bucket (`t-` and a UUID) and returns its name. Buckets are never
    /// removed before the test process exits (the whole folder goes then).
    pub fn bucket(&self) -> String {
        let name = format!("t-{}", uuid::Uuid::now_v7().simple());
        std::fs::create_dir(self.root.join(&name))
            .unwrap_or_else(|e| panic!("bucket {name} in {}: {e}", self.root.display()));
        name
    }

    /// An `object_store` S3 client for `bucket`, configured as the endpoint would be for an
    /// S3-compatible store: [`endpoint`](Self::endpoint), plain HTTP allowed, path-style
    /// requests, this server's region and keys. See [`builder`](Self::builder).
    pub fn store(&self, bucket: &str) -> AmazonS3 {
        self.builder(bucket)
            .build()
            .unwrap_or_else(|e| panic!("an S3 client for bucket {bucket}: {e}"))
    }

    /// The builder [`store`](Self::store) builds, for a test that changes something first.
    /// Beyond what the endpoint would set: retries are few and short (a failing request fails
    /// the test in seconds, not after object_store's default three minutes), and the
    /// machine's proxy settings are ignored (reqwest honours `HTTP_PROXY` and friends, which
    /// do not exempt loopback; object_store can only turn them off by naming a proxy of its
    /// own, so it names this server and exempts `127.0.0.1` from it: every request goes
    /// straight to the server). Installs ring as rustls' process-wide provider if none is (the
    /// workspace's reqwest has no default provider).
    pub fn builder(&self, bucket: &str) -> AmazonS3Builder {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = ClientOptions::new()
            .with_proxy_url(self.endpoint())
            .with_proxy_excludes(self.addr.ip().to_string());
        // Client options first: `with_client_options` replaces what `with_allow_http` sets.
        AmazonS3Builder::new()
            .with_client_options(client)
            .with_endpoint(self.endpoint())
            .with_allow_http(true)
            .with_virtual_hosted_style_request(false)
            .with_region(REGION)
            .with_bucket_name(bucket)
            .with_access_key_id(ACCESS_KEY)
            .with_secret_access_key(SECRET_KEY)
            .with_retry(RetryConfig {
                backoff: BackoffConfig {
                    init_backoff: Duration::from_millis(50),
                    max_backoff: Duration::from_millis(500),
                    base: 2.0,
                },
                max_retries: 2,
                retry_timeout: Duration::from_secs(10),
            })
    }

    /// The folder the buckets are folders in. s3s-fs keeps its own bookkeeping beside them
    /// (`.bucket-….metadata.json`, `.upload_id-…` parts of unfinished multipart uploads).
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Its output so far (`info` from s3s-fs, warnings and errors from s3s), for a test's
    /// failure message.
    pub fn log(&self) -> String {
        self.server.log()
    }

    /// The server's process id.
    pub fn server_pid(&self) -> Option<u32> {
        self.server.server_pid()
    }

    /// The supervisor's process id (the `sh` that stops the server when we exit).
    pub fn supervisor_pid(&self) -> u32 {
        self.server.supervisor_pid()
    }

    fn start() -> Self {
        let program = find_program().unwrap_or_else(|| {
            panic!(
                "{S3S_FS} (an S3-compatible server for the tests) is not installed: {INSTALL} \
                 (or scripts/setup.sh installs everything the tests need)"
            )
        });
        let dir = tempfile::Builder::new()
            .prefix("waymark-s3-")
            .tempdir()
            .expect("a temporary folder for s3s-fs")
            .keep();
        let root = dir.join("root");
        if let Err(e) = std::fs::create_dir(&root) {
            let _ = std::fs::remove_dir_all(&dir);
            panic!("s3s-fs's root folder {}: {e}", root.display());
        }
        let mut env = clean_env();
        // Its address is logged at info; s3s's own warnings and errors too.
        env.push(("RUST_LOG", "warn,s3s_fs=info".into()));
        env.push(("NO_COLOR", "1".into()));
        let server = Supervised::spawn(
            &dir,
            // SIGTERM ends it at once; SIGINT would wait up to 10 s for idle connections.
            "TERM",
            &[
                program.into(),
                "--host".into(),
                "127.0.0.1".into(),
                "--port".into(),
                "0".into(),
                "--access-key".into(),
                ACCESS_KEY.into(),
                "--secret-key".into(),
                SECRET_KEY.into(),
                root.clone().into(),
            ],
            None,
            &env,
        );
        // From here on, dropping `server` (on a panic) removes the folder.
        let deadline = Instant::now() + START_WAIT;
        loop {
            let log = server.log();
            if let Some(addr) = listening_addr(&log) {
                crate::process::assert_loopback("s3s-fs", addr);
                if std::net::TcpStream::connect_timeout(&addr, Duration::from_secs(2)).is_ok() {
                    return Self { addr, root, server };
                }
            }
            assert!(
                server.server_running(),
                "s3s-fs exited while starting: {log}"
            );
            assert!(
                Instant::now() < deadline,
                "s3s-fs did not log {READY_LINE:?} within {} s: {log}",
                START_WAIT.as_secs()
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

/// The address in s3s-fs's "server is running at http://ADDR" line.
fn listening_addr(log: &str) -> Option<SocketAddr> {
    let (_, rest) = log.split_once(READY_LINE)?;
    rest.split_whitespace().next()?.parse().ok()
}

/// `s3s-fs` on PATH, else where `cargo install` puts it (`$CARGO_HOME/bin`, `~/.cargo/bin`):
/// tests may run without `~/.cargo/bin` on PATH.
fn find_program() -> Option<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|path| std::env::split_paths(&path).collect())
        .unwrap_or_default();
    if let Some(cargo_home) = std::env::var_os("CARGO_HOME") {
        dirs.push(PathBuf::from(cargo_home).join("bin"));
    }
    if let Some(home) = std::env::var_os("HOME") {
        dirs.push(PathBuf::from(home).join(".cargo").join("bin"));
    }
    dirs.into_iter()
        .map(|dir| dir.join(S3S_FS))
        .find(|p| p.is_file())
}
