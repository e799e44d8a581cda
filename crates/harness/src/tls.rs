//! A test PKI made with the `openssl` command-line tool: a root CA like the inspection root a
//! school's web filter installs on its machines ("Waymark Test School Filter Root CA") and a
//! server certificate it signed for `127.0.0.1` and `localhost`.
//!
//! Why: the endpoint serves TLS itself, and schools sit behind filters that re-sign HTTPS with
//! their own root, trusted through the OS store. A test must show both that our server loads a
//! real certificate and that our clients trust exactly what the OS store trusts — a certificate
//! from an unknown root refused, the same one accepted once its root is in the store. `openssl`
//! makes the certificates the way an administrator would, with no certificate code of ours.
//!
//! # Trusting the test CA in a child process: `SSL_CERT_FILE`
//!
//! [`TestPki::trust_bundle_with_ca`] writes the system bundle followed by the test CA, for
//! `SSL_CERT_FILE` on a child process. What we verified in the sources of the versions in
//! `Cargo.lock`:
//!
//! - reqwest 0.13 (`rustls-no-provider`), when the client was given no root certificates of its
//!   own, verifies with `rustls_platform_verifier::Verifier::new` (async_impl/client.rs).
//! - rustls-platform-verifier 0.7.1 on Linux (`verification/others.rs`: unix, not Android, not
//!   Apple) fills its root store from `rustls_native_certs::load_native_certs()`, anew each
//!   time a verifier (so a reqwest client) is built; it fails only when no root loads at all.
//! - rustls-native-certs 0.8.5 (`load_native_certs`, `CertPaths::from_env`): when
//!   `SSL_CERT_FILE` (a PEM file) or `SSL_CERT_DIR` is set, certificates come **only** from
//!   there and the platform store (openssl-probe's guesses) is not read. Hence the system bundle
//!   is copied into the file first: a child given only the test CA would trust nothing else.
//!
//! The variable is read from the process environment when a client is built, so it belongs on
//! a child process (setting it in a running test process would be `unsafe` in edition 2024 and
//! race other tests). The endpoint module's tests run a child with it both ways.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use tempfile::TempDir;

use crate::process::missing_tool;

/// The test CA's subject common name.
pub const CA_NAME: &str = "Waymark Test School Filter Root CA";
/// The bundle of the system's trusted roots on Debian (package ca-certificates).
pub const SYSTEM_BUNDLE: &str = "/etc/ssl/certs/ca-certificates.crt";

/// The request and extension sections `openssl` is given (no system openssl.cnf is read, so
/// the certificates hold exactly these extensions).
const OPENSSL_CONFIG: &str = "\
[req]
distinguished_name = dn
prompt = no

[dn]
O = Waymark Tests
CN = placeholder

[ca]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash

[server]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1, DNS:localhost
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid, issuer
";

/// A root CA and a server certificate for `127.0.0.1` / `localhost` signed by it, as PEM
/// files in a temporary folder (removed on drop). Keys are ECDSA P-256 in PKCS#8 PEM.
#[derive(Debug)]
pub struct TestPki {
    dir: TempDir,
    ca_pem: String,
}

impl TestPki {
    /// Generates the CA and the server certificate with `openssl`. Panics naming the Debian
    /// package `openssl` when the tool is missing, and with openssl's stderr when it fails.
    pub fn generate() -> Self {
        let dir = tempfile::tempdir().expect("a temporary folder for the test PKI");
        let path = |name: &str| dir.path().join(name);
        std::fs::write(path("openssl.cnf"), OPENSSL_CONFIG).expect("openssl.cnf written");
        let cnf = path("openssl.cnf");

        for key in ["ca.key", "server.key"] {
            // genpkey writes PKCS#8 ("BEGIN PRIVATE KEY").
            openssl(
                dir.path(),
                &[
                    "genpkey",
                    "-algorithm",
                    "EC",
                    "-pkeyopt",
                    "ec_paramgen_curve:P-256",
                    "-out",
                    key,
                ],
            );
        }
        let ca_subject = format!("/O=Waymark Tests/CN={CA_NAME}");
        openssl(
            dir.path(),
            &[
                "req",
                "-x509",
                "-new",
                "-config",
                path_str(&cnf),
                "-extensions",
                "ca",
                "-key",
                "ca.key",
                "-sha256",
                "-days",
                "3650",
                "-subj",
                &ca_subject,
                "-out",
                "ca.pem",
            ],
        );
        openssl(
            dir.path(),
            &[
                "req",
                "-new",
                "-config",
                path_str(&cnf),
                "-key",
                "server.key",
                "-subj",
                "/O=Waymark Tests/CN=localhost",
                "-out",
                "server.csr",
            ],
        );
        openssl(
            dir.path(),
            &[
                "x509",
                "-req",
                "-in",
                "server.csr",
                "-CA",
                "ca.pem",
                "-CAkey",
                "ca.key",
                "-CAcreateserial",
                "-CAserial",
                "ca.srl",
                "-extfile",
                path_str(&cnf),
                "-extensions",
                "server",
                "-sha256",
                "-days",
                "825",
                "-out",
                "server.pem",
            ],
        );
        let ca_pem = std::fs::read_to_string(path("ca.pem")).expect("ca.pem written by openssl");
        Self { dir, ca_pem }
    }

    /// The CA certificate, PEM.
    pub fn ca_pem(&self) -> &str {
        &self.ca_pem
    }

    /// The CA certificate's file (PEM).
    pub fn ca_path(&self) -> PathBuf {
        self.dir.path().join("ca.pem")
    }

    /// The server certificate's file (PEM, the leaf alone: the CA is the trust anchor).
    pub fn cert_path(&self) -> PathBuf {
        self.dir.path().join("server.pem")
    }

    /// The server's private key (PKCS#8 PEM).
    pub fn key_path(&self) -> PathBuf {
        self.dir.path().join("server.key")
    }

    /// Writes (once more, each call) and returns a PEM bundle: the system's roots
    /// ([`SYSTEM_BUNDLE`], when it exists) followed by the test CA — for `SSL_CERT_FILE` on a
    /// child process, which then trusts what the machine trusts plus the test CA (see the
    /// module's documentation for why the system roots must be in it).
    pub fn trust_bundle_with_ca(&self) -> PathBuf {
        let mut bundle = std::fs::read_to_string(SYSTEM_BUNDLE).unwrap_or_default();
        if !bundle.is_empty() && !bundle.ends_with('\n') {
            bundle.push('\n');
        }
        bundle.push_str(&self.ca_pem);
        let path = self.dir.path().join("trust-bundle.pem");
        std::fs::write(&path, bundle).expect("the trust bundle written");
        path
    }

    /// The folder the files are in.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }
}

fn path_str(path: &Path) -> &str {
    path.to_str().expect("temporary paths are UTF-8")
}

/// Runs `openssl args…` in `dir`, panicking with its stderr when it fails.
#[track_caller]
fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        // No system or user configuration may add extensions or change defaults.
        .env("OPENSSL_CONF", dir.join("openssl.cnf"))
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("{}", missing_tool("openssl", "openssl", &e)));
    assert!(
        out.status.success(),
        "openssl {} failed ({}): {}",
        args.join(" "),
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn openssl_out(dir: &Path, args: &[&str]) -> String {
        let out = Command::new("openssl")
            .args(args)
            .current_dir(dir)
            .output()
            .unwrap();
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    }

    #[test]
    fn the_certificates_say_what_they_should() {
        let pki = TestPki::generate();
        let dir = pki.dir();
        let verified = openssl_out(
            dir,
            &[
                "verify",
                "-CAfile",
                "ca.pem",
                "-purpose",
                "sslserver",
                "-verify_ip",
                "127.0.0.1",
                "server.pem",
            ],
        );
        assert!(verified.contains("server.pem: OK"), "{verified}");
        let verified = openssl_out(
            dir,
            &[
                "verify",
                "-CAfile",
                "ca.pem",
                "-verify_hostname",
                "localhost",
                "server.pem",
            ],
        );
        assert!(verified.contains("server.pem: OK"), "{verified}");

        let server = openssl_out(dir, &["x509", "-in", "server.pem", "-noout", "-text"]);
        for needle in [
            "IP Address:127.0.0.1",
            "DNS:localhost",
            "TLS Web Server Authentication",
            "CA:FALSE",
            &format!("Issuer: O = Waymark Tests, CN = {CA_NAME}"),
        ] {
            assert!(server.contains(needle), "{needle} in {server}");
        }
        let ca = openssl_out(dir, &["x509", "-in", "ca.pem", "-noout", "-text"]);
        for needle in ["CA:TRUE", "Certificate Sign", CA_NAME] {
            assert!(ca.contains(needle), "{needle} in {ca}");
        }
        let key = std::fs::read_to_string(pki.key_path()).unwrap();
        assert!(
            key.starts_with("-----BEGIN PRIVATE KEY-----"),
            "PKCS#8: {key}"
        );
        assert!(pki.ca_pem().starts_with("-----BEGIN CERTIFICATE-----"));
        assert_eq!(
            std::fs::read_to_string(pki.ca_path()).unwrap(),
            pki.ca_pem()
        );
    }

    #[test]
    fn the_server_loads_the_certificate_and_key() {
        let pki = TestPki::generate();
        let config = waymark_server::config::TlsConfig {
            cert: pki.cert_path(),
            key: pki.key_path(),
        };
        let loaded = waymark_server::serve::load_tls(&config).unwrap();
        assert_eq!(
            loaded.alpn_protocols,
            vec![b"h2".to_vec(), b"http/1.1".to_vec()]
        );
        // And refuses a key that is not the certificate's.
        let other = TestPki::generate();
        let mismatched = waymark_server::config::TlsConfig {
            cert: pki.cert_path(),
            key: other.key_path(),
        };
        assert!(waymark_server::serve::load_tls(&mismatched).is_err());
    }

    #[test]
    fn the_bundle_is_the_system_roots_then_the_ca() {
        let pki = TestPki::generate();
        let bundle = std::fs::read_to_string(pki.trust_bundle_with_ca()).unwrap();
        assert!(bundle.ends_with(pki.ca_pem()));
        if let Ok(system) = std::fs::read_to_string(SYSTEM_BUNDLE) {
            assert!(bundle.starts_with(&system));
            assert!(bundle.len() > system.len());
        }
    }
}
