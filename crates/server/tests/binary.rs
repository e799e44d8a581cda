//! The `waymark-server` binary as an awarding body runs it: init, admin commands, serve (plain
//! and TLS), JSON logs, graceful stop on SIGTERM, and verify-receipt offline.

#![allow(clippy::unwrap_used, missing_docs)]

mod common;

use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use waymark_protocol::api::KeySets;
use waymark_protocol::crypt::Identity;
use waymark_protocol::keys::{KEY_SET_FORMAT, KeyRecipient, KeySet, SignedKeySet};
use waymark_protocol::receipt::{RECEIPT_FORMAT, Receipt};
use waymark_protocol::signed::SecretKey;
use waymark_protocol::{InstitutionId, Sha256, SubmissionId};

const BIN: &str = env!("CARGO_BIN_EXE_waymark-server");

fn run(args: &[&str]) -> Output {
    Command::new(BIN).args(args).output().unwrap()
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// `waymark-server init`, on the stores `WAYMARK_TEST_STORAGE` names: for PostgreSQL and S3 a
/// server.toml naming a fresh database and bucket is written first, as an operator would.
fn init(dir: &Path, identity: &Path) -> Output {
    if common::Storage::from_env() == common::Storage::PostgresS3 && !dir.join("keys").exists() {
        let shared = common::SharedStores::new();
        std::fs::create_dir_all(dir).unwrap();
        std::fs::write(
            dir.join(waymark_server::config::CONFIG_FILE),
            shared.storage_toml(),
        )
        .unwrap();
        // The database and bucket must outlive this function: the server binary uses them for
        // the rest of the test. The harness's servers go when the test process ends.
        std::mem::forget(shared);
    }
    run(&[
        "init",
        "--data-dir",
        dir.to_str().unwrap(),
        "--awarding-body",
        "Test Board",
        "--public-url",
        "https://endpoint.test",
        "--identity-out",
        identity.to_str().unwrap(),
    ])
}

/// Waits until `url` answers (curl, so TLS is checked by a client other than ours).
fn wait_for(url: &str, extra: &[&str]) -> String {
    let start = Instant::now();
    loop {
        let out = Command::new("curl")
            .args(["-sS", "--max-time", "2"])
            .args(extra)
            .arg(url)
            .output()
            .unwrap();
        if out.status.success() {
            return String::from_utf8_lossy(&out.stdout).into_owned();
        }
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "{url} never answered: {}",
            text(&out)
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn terminate(mut child: Child) -> Output {
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    let start = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            return child.wait_with_output().unwrap();
        }
        if start.elapsed() > Duration::from_secs(20) {
            let _ = child.kill();
            panic!("the server did not stop on SIGTERM");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn init_keeps_the_identity_out_of_the_data_folder_and_refuses_twice() {
    let root = tempfile::tempdir().unwrap();
    let data = root.path().join("data");
    let identity = root.path().join("offline/board.age");
    let out = init(&data, &identity);
    assert!(out.status.success(), "{}", text(&out));
    let said = text(&out);
    assert!(said.contains("key set fingerprint:"), "{said}");
    assert!(
        said.contains("wmt1_"),
        "the admin token is shown once: {said}"
    );
    let secret = std::fs::read_to_string(&identity).unwrap();
    assert!(secret.contains("AGE-SECRET-KEY-1"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&identity).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "the identity file is private");
        let mode = std::fs::metadata(data.join("keys/signing.key"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o077, 0, "the signing key is private");
    }
    // The server's folder holds no identity.
    for entry in walk(&data) {
        let bytes = std::fs::read(&entry).unwrap();
        assert!(
            !bytes.windows(16).any(|w| w == b"AGE-SECRET-KEY-1"),
            "{} holds an age identity",
            entry.display()
        );
    }

    let again = init(&data, &root.path().join("other.age"));
    assert!(!again.status.success());
    assert!(
        text(&again).contains("already holds a Waymark server"),
        "{}",
        text(&again)
    );

    let inside = init(&root.path().join("d2"), &root.path().join("d2/id.age"));
    assert!(!inside.status.success());
    assert!(
        text(&inside).contains("outside the data folder"),
        "{}",
        text(&inside)
    );
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

#[test]
fn serve_answers_logs_json_and_stops_gracefully_on_sigterm() {
    let root = tempfile::tempdir().unwrap();
    let data = root.path().join("data");
    assert!(init(&data, &root.path().join("board.age")).status.success());
    let out = run(&[
        "institutions",
        "add",
        "--data-dir",
        data.to_str().unwrap(),
        "--name",
        "Ysgol Gynradd Llanfair",
        "--identifier",
        "urn:schoolid:uk:100001",
    ]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("wm1:"), "{}", text(&out));
    let bad = run(&[
        "institutions",
        "add",
        "--data-dir",
        data.to_str().unwrap(),
        "--name",
        "X",
        "--identifier",
        "not a urn",
    ]);
    assert!(!bad.status.success());
    assert!(text(&bad).contains("urn:schoolid"), "{}", text(&bad));

    let port = free_port();
    let child = Command::new(BIN)
        .args(["serve", "--data-dir", data.to_str().unwrap()])
        .env("WAYMARK_SERVER_LISTEN", format!("127.0.0.1:{port}"))
        .env("WAYMARK_SERVER_LOG_FORMAT", "json")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let body = wait_for(&format!("http://127.0.0.1:{port}/health"), &[]);
    assert!(body.contains("\"ok\""), "{body}");
    let out = terminate(child);
    assert!(out.status.success(), "exit after SIGTERM: {}", text(&out));
    let logs = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = logs.lines().filter(|l| !l.trim().is_empty()).collect();
    assert!(!lines.is_empty(), "no logs: {}", text(&out));
    for line in &lines {
        serde_json::from_str::<serde_json::Value>(line)
            .unwrap_or_else(|e| panic!("not a JSON log line ({e}): {line}"));
    }
    assert!(logs.contains("shutting down"), "{logs}");
}

#[test]
fn serve_with_built_in_tls() {
    let root = tempfile::tempdir().unwrap();
    let data = root.path().join("data");
    assert!(init(&data, &root.path().join("board.age")).status.success());
    let cert = root.path().join("cert.pem");
    let key = root.path().join("key.pem");
    let made = Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
        ])
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .output()
        .unwrap();
    assert!(made.status.success(), "openssl: {}", text(&made));
    let port = free_port();
    let child = Command::new(BIN)
        .args(["serve", "--data-dir", data.to_str().unwrap()])
        .env("WAYMARK_SERVER_LISTEN", format!("127.0.0.1:{port}"))
        .env("WAYMARK_SERVER_TLS_CERT", &cert)
        .env("WAYMARK_SERVER_TLS_KEY", &key)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let url = format!("https://127.0.0.1:{port}/health");
    let body = wait_for(&url, &["--cacert", cert.to_str().unwrap()]);
    assert!(body.contains("\"ok\""), "{body}");
    // A client that does not trust the certificate is refused by its own TLS check.
    let untrusted = Command::new("curl")
        .args(["-sS", "--max-time", "3", &url])
        .output()
        .unwrap();
    assert!(!untrusted.status.success());
    // Plain HTTP to the TLS port gets nothing useful.
    let plain = Command::new("curl")
        .args([
            "-sS",
            "--max-time",
            "3",
            &format!("http://127.0.0.1:{port}/health"),
        ])
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&plain.stdout).contains("\"ok\""));
    let out = terminate(child);
    assert!(out.status.success(), "{}", text(&out));
    let logs = String::from_utf8_lossy(&out.stdout);
    assert!(logs.contains("serving HTTPS"), "{logs}");
    assert!(
        !logs.contains('\u{1b}'),
        "text logs to a pipe carry no colour codes: {logs:?}"
    );
}

#[test]
fn verify_receipt_offline() {
    let dir = tempfile::tempdir().unwrap();
    let key = SecretKey::generate();
    let set = KeySet {
        format: KEY_SET_FORMAT,
        version: 1,
        awarding_body: "Test Board".into(),
        endpoint: "https://endpoint.test".into(),
        issued_at: chrono::Utc::now(),
        signing_key: key.public(),
        recipients: vec![KeyRecipient {
            label: "office".into(),
            age: Identity::generate().recipient(),
        }],
        previous: None,
    };
    let signed_set = SignedKeySet::sign(&set, &key, None).unwrap();
    let fingerprint = signed_set.fingerprint();
    let envelope = key.sign(waymark_protocol::signed::Purpose::Envelope, b"{}".to_vec());
    let receipt = Receipt {
        format: RECEIPT_FORMAT,
        submission: SubmissionId::new(),
        version: 1,
        institution: InstitutionId::new(),
        envelope_sha256: envelope.body_sha256(),
        received_at: chrono::Utc::now(),
        sequence: 1,
    }
    .sign(&key);
    let write = |name: &str, value: &dyn erased::Json| {
        let path = dir.path().join(name);
        std::fs::write(&path, value.json()).unwrap();
        path
    };
    let sets = write(
        "key-sets.json",
        &KeySets {
            key_sets: vec![signed_set],
        },
    );
    let receipt_file = write("receipt.json", &receipt);
    let envelope_file = write("envelope.json", &envelope);
    let out = run(&[
        "verify-receipt",
        receipt_file.to_str().unwrap(),
        "--key-sets",
        sets.to_str().unwrap(),
        "--fingerprint",
        &fingerprint.grouped(),
        "--envelope",
        envelope_file.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("valid receipt from Test Board"),
        "{}",
        text(&out)
    );

    // Tampered: the receipt's body changed by one byte.
    let mut forged = receipt.clone();
    forged.body.0[10] ^= 1;
    let forged_file = write("forged.json", &forged);
    let out = run(&[
        "verify-receipt",
        forged_file.to_str().unwrap(),
        "--key-sets",
        sets.to_str().unwrap(),
        "--fingerprint",
        &fingerprint.0,
    ]);
    assert!(!out.status.success());
    assert!(
        text(&out).contains("signature does not verify"),
        "{}",
        text(&out)
    );

    // Another envelope: refused.
    let other = key.sign(
        waymark_protocol::signed::Purpose::Envelope,
        b"{\"x\":1}".to_vec(),
    );
    let other_file = write("other.json", &other);
    let out = run(&[
        "verify-receipt",
        receipt_file.to_str().unwrap(),
        "--key-sets",
        sets.to_str().unwrap(),
        "--fingerprint",
        &fingerprint.0,
        "--envelope",
        other_file.to_str().unwrap(),
    ]);
    assert!(!out.status.success());
    assert!(
        text(&out).contains("not for this envelope"),
        "{}",
        text(&out)
    );

    let _ = Sha256::of(b"");
}

mod erased {
    pub trait Json {
        fn json(&self) -> String;
    }
    impl<T: serde::Serialize> Json for T {
        fn json(&self) -> String {
            serde_json::to_string_pretty(self).unwrap()
        }
    }
}

#[test]
fn admin_commands_on_the_data_folder_explain_bad_input() {
    let root = tempfile::tempdir().unwrap();
    let data = root.path().join("data");
    assert!(init(&data, &root.path().join("board.age")).status.success());
    let d = data.to_str().unwrap();
    let out = run(&["submissions", "list", "--data-dir", d]);
    assert!(out.status.success(), "{}", text(&out));
    let out = run(&["submissions", "list", "--data-dir", d, "--state", "lost"]);
    assert!(!out.status.success());
    assert!(text(&out).contains("not a review state"), "{}", text(&out));
    let out = run(&["awards", "expiring", "--data-dir", d, "--within", "90d"]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("no award expires within 90d"),
        "{}",
        text(&out)
    );
    let out = run(&["awards", "expiring", "--data-dir", d, "--within", "soon"]);
    assert!(!out.status.success());
    assert!(text(&out).contains("90d, 12w"), "{}", text(&out));
    let out = run(&[
        "assign",
        "--data-dir",
        d,
        "not-an-id",
        "--assessor",
        "x",
        "--moderator",
        "y",
    ]);
    assert!(!out.status.success());
    assert!(text(&out).contains("not an id"), "{}", text(&out));
}

#[test]
fn key_sets_rotate_as_a_chain_a_pinned_school_can_follow() {
    let root = tempfile::tempdir().unwrap();
    let data = root.path().join("data");
    let first = init(&data, &root.path().join("board.age"));
    assert!(first.status.success());
    let said = text(&first);
    let pinned = said
        .lines()
        .find_map(|l| l.strip_prefix("key set fingerprint: "))
        .unwrap()
        .trim()
        .to_owned();
    let d = data.to_str().unwrap();
    let spare = Identity::generate().recipient().to_string();

    let out = run(&[
        "keys",
        "add-recipient",
        "--data-dir",
        d,
        &spare,
        "--label",
        "Board office (spare)",
    ]);
    assert!(out.status.success(), "{}", text(&out));
    let out = run(&[
        "keys",
        "remove-recipient",
        "--data-dir",
        d,
        &Identity::generate().recipient().to_string(),
    ]);
    assert!(!out.status.success());
    assert!(text(&out).contains("is not a recipient"), "{}", text(&out));
    let out = run(&["keys", "rotate-signing-key", "--data-dir", d]);
    assert!(out.status.success(), "{}", text(&out));
    let out = run(&["keys", "remove-recipient", "--data-dir", d, &spare]);
    assert!(out.status.success(), "{}", text(&out));
    let listed = text(&run(&["keys", "list", "--data-dir", d]));
    assert_eq!(listed.matches("key set ").count(), 4, "{listed}");

    // Served, the chain verifies from the fingerprint pinned at version 1 to version 4, whose
    // signing key is the new one and whose recipients no longer include the spare.
    let port = free_port();
    let child = Command::new(BIN)
        .args(["serve", "--data-dir", d])
        .env("WAYMARK_SERVER_LISTEN", format!("127.0.0.1:{port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let body = wait_for(&format!("http://127.0.0.1:{port}/v1/key-sets"), &[]);
    terminate(child);
    let chain: KeySets = serde_json::from_str(&body).unwrap();
    let pinned = waymark_protocol::keys::Fingerprint::parse(&pinned).unwrap();
    let newest = waymark_protocol::keys::verify_chain(&pinned, &chain.key_sets).unwrap();
    assert_eq!(newest.version, 4);
    let first = chain.key_sets[0].open_self_signed().unwrap();
    assert_ne!(
        newest.signing_key, first.signing_key,
        "the signing key was rotated"
    );
    assert!(!newest.recipients.iter().any(|r| r.age.to_string() == spare));
    assert_eq!(newest.recipients.len(), 1, "the board's own identity stays");
}
