//! Debian's real `tinyproxy` as a school's web proxy: plain HTTP requests forwarded by it,
//! HTTPS tunnelled with CONNECT, and optionally Basic authentication (a `407` without it).
//!
//! Why a real proxy: the tools reach the endpoint through whatever the school's network
//! imposes, and a proxy is the common case. What a client must get right — sending absolute
//! URIs, tunnelling TLS with CONNECT, answering a 407, not leaking its bearer token to the
//! proxy — is only tested honestly against a proxy that other software uses.
//!
//! It runs in the foreground (`-d`) as our own child, with a configuration in a temporary
//! folder: listening on `127.0.0.1` only, allowing only `127.0.0.1`, no `ConnectPort` line (so,
//! as `man tinyproxy.conf` says, CONNECT is allowed to every port: the endpoint's test port is
//! not 443), `LogLevel Info` into a log file the test can read through [`Tinyproxy::log`].

use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use tempfile::TempDir;

use crate::process::OwnedChild;

/// Where Debian installs it.
const TINYPROXY: &str = "/usr/bin/tinyproxy";
/// How long one start gets to say "Accepting connections".
const START_WAIT: Duration = Duration::from_secs(10);
/// How many free ports to try (another process may take a port between our probe and
/// tinyproxy's bind, since tinyproxy cannot bind port 0 and report it).
const START_ATTEMPTS: usize = 5;
/// What tinyproxy logs once it listens.
const READY_LINE: &str = "Accepting connections";

/// A running `tinyproxy` on `127.0.0.1`, killed and reaped on drop.
#[derive(Debug)]
pub struct Tinyproxy {
    // Fields drop in order: the process is killed and reaped before its folder is removed.
    child: OwnedChild,
    addr: SocketAddr,
    credentials: Option<(String, String)>,
    dir: TempDir,
}

impl Tinyproxy {
    /// Starts tinyproxy without authentication. Panics (naming the Debian package `tinyproxy`)
    /// when it is not installed, and with its log when it does not start within 10 s.
    pub fn start() -> Self {
        Self::launch(None)
    }

    /// Starts tinyproxy asking for HTTP Basic authentication as `user` / `password` (each
    /// letters, digits, `-`, `.` or `_`: what tinyproxy's configuration accepts). A request
    /// without `Proxy-Authorization` is answered `407`.
    pub fn start_with_auth(user: &str, password: &str) -> Self {
        for (what, value) in [("user", user), ("password", password)] {
            assert!(
                !value.is_empty()
                    && value
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || "-._".contains(c)),
                "tinyproxy's BasicAuth {what} must be letters, digits, '-', '.' or '_': {value:?}"
            );
        }
        Self::launch(Some((user.to_owned(), password.to_owned())))
    }

    /// `http://127.0.0.1:PORT`, for a client's proxy setting.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// `http://user:password@127.0.0.1:PORT` when it asks for authentication.
    pub fn url_with_credentials(&self) -> Option<String> {
        self.credentials
            .as_ref()
            .map(|(user, password)| format!("http://{user}:{password}@{}", self.addr))
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Its process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Its log so far (`LogLevel Info`): one `Request (file descriptor N): GET http://… HTTP/1.1`
    /// or `… CONNECT host:port HTTP/1.1` line per request, so a test can assert that its
    /// requests went through the proxy.
    pub fn log(&self) -> String {
        std::fs::read_to_string(log_path(self.dir.path())).unwrap_or_default()
    }

    fn launch(credentials: Option<(String, String)>) -> Self {
        if !Path::new(TINYPROXY).exists() {
            panic!(
                "{TINYPROXY} is not installed: install the Debian package tinyproxy \
                 (sudo apt-get install tinyproxy, or scripts/setup.sh)"
            );
        }
        let dir = tempfile::tempdir().expect("a temporary folder for tinyproxy");
        let mut last_failure = String::new();
        for _ in 0..START_ATTEMPTS {
            let port = free_port();
            let config = dir.path().join("tinyproxy.conf");
            std::fs::write(&config, config_text(dir.path(), port, credentials.as_ref()))
                .expect("tinyproxy's configuration written");
            let _ = std::fs::remove_file(log_path(dir.path()));
            let stderr = std::fs::File::create(dir.path().join("stderr.txt"))
                .expect("tinyproxy's stderr file");
            let mut child = OwnedChild::spawn(
                Command::new(TINYPROXY)
                    .arg("-d")
                    .arg("-c")
                    .arg(&config)
                    .stdin(Stdio::null())
                    .stdout(Stdio::null())
                    .stderr(stderr),
                TINYPROXY,
                "tinyproxy",
            );
            let deadline = Instant::now() + START_WAIT;
            loop {
                let log = std::fs::read_to_string(log_path(dir.path())).unwrap_or_default();
                if log.contains(READY_LINE) {
                    return Self {
                        child,
                        addr: SocketAddr::from((Ipv4Addr::LOCALHOST, port)),
                        credentials,
                        dir,
                    };
                }
                if let Some(status) = child.exited() {
                    let stderr =
                        std::fs::read_to_string(dir.path().join("stderr.txt")).unwrap_or_default();
                    last_failure = format!("exited ({status}): {stderr}\n{log}");
                    if stderr.contains("Could not create listening sockets") {
                        break; // The port was taken meanwhile: try another.
                    }
                    panic!("tinyproxy {last_failure}");
                }
                assert!(
                    Instant::now() < deadline,
                    "tinyproxy did not log {READY_LINE:?} within {} s: {log}",
                    START_WAIT.as_secs()
                );
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        panic!("tinyproxy could not listen on any of {START_ATTEMPTS} free ports: {last_failure}");
    }
}

fn log_path(dir: &Path) -> PathBuf {
    dir.join("tinyproxy.log")
}

/// A loopback port nothing listens on right now.
fn free_port() -> u16 {
    std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|l| l.local_addr())
        .expect("a free loopback port")
        .port()
}

/// The configuration (see `man tinyproxy.conf`).
fn config_text(dir: &Path, port: u16, credentials: Option<&(String, String)>) -> String {
    let mut text = format!(
        "# Written by waymark-harness for one test.\n\
         Port {port}\n\
         Listen 127.0.0.1\n\
         Timeout 600\n\
         LogFile \"{log}\"\n\
         LogLevel Info\n\
         PidFile \"{pid}\"\n\
         MaxClients 200\n\
         Allow 127.0.0.1\n\
         # No ConnectPort line: CONNECT is allowed to every port.\n",
        log = log_path(dir).display(),
        pid = dir.join("tinyproxy.pid").display(),
    );
    if let Some((user, password)) = credentials {
        text.push_str(&format!("BasicAuth {user} {password}\n"));
    }
    text
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    use tokio::net::{TcpListener, TcpStream};

    use super::*;

    /// A tiny HTTP/1.1 responder on loopback: reads one request head, answers `hello` and
    /// closes.
    async fn responder() -> SocketAddr {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            loop {
                let Ok((mut socket, _)) = listener.accept().await else {
                    return;
                };
                tokio::spawn(async move {
                    let mut head = Vec::new();
                    let mut buf = [0u8; 1024];
                    while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < 65_536 {
                        match socket.read(&mut buf).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => head.extend_from_slice(&buf[..n]),
                        }
                    }
                    let _ = socket
                        .write_all(
                            b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello",
                        )
                        .await;
                    let _ = socket.shutdown().await;
                });
            }
        });
        addr
    }

    /// Sends `request` to `proxy` and reads the answer to the end (bounded).
    async fn exchange(proxy: SocketAddr, request: &str) -> String {
        let mut socket = TcpStream::connect(proxy).await.unwrap();
        socket.write_all(request.as_bytes()).await.unwrap();
        let mut answer = Vec::new();
        tokio::time::timeout(Duration::from_secs(20), socket.read_to_end(&mut answer))
            .await
            .expect("tinyproxy answered within 20 s")
            .unwrap();
        String::from_utf8_lossy(&answer).into_owned()
    }

    #[tokio::test]
    async fn forwards_a_plain_get_and_logs_it() {
        let target = responder().await;
        let proxy = Tinyproxy::start();
        assert!(proxy.url().starts_with("http://127.0.0.1:"));
        let request = format!(
            "GET http://{target}/probe HTTP/1.1\r\nHost: {target}\r\nConnection: close\r\n\r\n"
        );
        let answer = exchange(proxy.addr(), &request).await;
        assert!(
            answer.starts_with("HTTP/1.") && answer.contains(" 200 "),
            "{answer}"
        );
        assert!(answer.ends_with("hello"), "{answer}");
        let log = proxy.log();
        assert!(
            log.contains(&format!("GET http://{target}/probe HTTP/1.1")),
            "{log}"
        );
    }

    #[tokio::test]
    async fn tunnels_connect_to_any_port() {
        let target = responder().await;
        let proxy = Tinyproxy::start();
        let request = format!(
            "CONNECT {target} HTTP/1.1\r\nHost: {target}\r\n\r\n\
             GET /tunnelled HTTP/1.1\r\nHost: {target}\r\nConnection: close\r\n\r\n"
        );
        let answer = exchange(proxy.addr(), &request).await;
        assert!(answer.contains("200 Connection established"), "{answer}");
        assert!(answer.ends_with("hello"), "{answer}");
        assert!(
            proxy.log().contains(&format!("CONNECT {target} HTTP/1.1")),
            "{}",
            proxy.log()
        );
    }

    #[tokio::test]
    async fn asks_for_credentials_when_configured() {
        let target = responder().await;
        let proxy = Tinyproxy::start_with_auth("waymark", "s3cret-pass");
        assert_eq!(
            proxy.url_with_credentials().unwrap(),
            format!("http://waymark:s3cret-pass@{}", proxy.addr())
        );
        let bare =
            format!("GET http://{target}/ HTTP/1.1\r\nHost: {target}\r\nConnection: close\r\n\r\n");
        let answer = exchange(proxy.addr(), &bare).await;
        let status = answer.lines().next().unwrap_or_default();
        assert!(status.contains(" 407 "), "{answer}");
        assert!(
            answer
                .to_ascii_lowercase()
                .contains("proxy-authenticate: basic"),
            "{answer}"
        );
        // base64("waymark:s3cret-pass")
        let authorised = format!(
            "GET http://{target}/ HTTP/1.1\r\nHost: {target}\r\n\
             Proxy-Authorization: Basic d2F5bWFyazpzM2NyZXQtcGFzcw==\r\nConnection: close\r\n\r\n"
        );
        let answer = exchange(proxy.addr(), &authorised).await;
        assert!(
            answer.contains(" 200 ") && answer.ends_with("hello"),
            "{answer}"
        );
    }

    #[test]
    #[should_panic(expected = "BasicAuth password")]
    fn refuses_a_password_tinyproxy_cannot_parse() {
        let _ = Tinyproxy::start_with_auth("waymark", "with space");
    }

    #[test]
    fn is_reaped_on_drop() {
        let proxy = Tinyproxy::start();
        let pid = proxy.pid();
        let addr = proxy.addr();
        drop(proxy);
        assert!(!Path::new(&format!("/proc/{pid}")).exists());
        assert!(std::net::TcpStream::connect_timeout(&addr, Duration::from_secs(2)).is_err());
    }
}
