//! Interoperability with the standard `age` tool (Debian's `age` package): what Waymark
//! encrypts, `age -d` decrypts with the awarding body's identity file, and the other way round.
//! So an awarding body is never locked into Waymark to read what schools sent.

#![allow(clippy::unwrap_used, missing_docs)]

use std::io::Write as _;
use std::process::{Command, Stdio};

use waymark_protocol::crypt::{Identity, decrypt_document, encrypt_bytes, padded_len};

fn age() -> Command {
    let probe = Command::new("age").arg("--version").output();
    assert!(
        probe.is_ok_and(|o| o.status.success()),
        "the `age` tool is needed for this test: apt-get install age (scripts/setup.sh does)"
    );
    Command::new("age")
}

#[test]
fn the_age_tool_decrypts_what_waymark_encrypts() {
    let dir = tempfile::tempdir().unwrap();
    let identity = Identity::generate();
    let identity_file = dir.path().join("board.txt");
    std::fs::write(&identity_file, identity.to_secret_text() + "\n").unwrap();
    let plain = "Our pupils designed the school's website — ŵŷ".repeat(500);
    let cipher = encrypt_bytes(plain.as_bytes(), &[identity.recipient()]).unwrap();
    let cipher_file = dir.path().join("blob.age");
    std::fs::write(&cipher_file, &cipher).unwrap();

    let out = age()
        .arg("-d")
        .arg("-i")
        .arg(&identity_file)
        .arg(&cipher_file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The plaintext, then Padmé's zero padding (which Waymark's own reader removes).
    assert_eq!(out.stdout.len() as u64, padded_len(plain.len() as u64));
    assert_eq!(&out.stdout[..plain.len()], plain.as_bytes());
    assert!(out.stdout[plain.len()..].iter().all(|b| *b == 0));
}

#[test]
fn waymark_decrypts_what_the_age_tool_encrypts() {
    let identity = Identity::generate();
    let mut child = age()
        .arg("-r")
        .arg(identity.recipient().to_string())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(b"{\"a\":1}").unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    assert_eq!(
        decrypt_document(&out.stdout, &identity).unwrap(),
        b"{\"a\":1}"
    );
}
