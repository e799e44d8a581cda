//! Configuration: `server.toml` in the data folder (written by `waymark-server init`), then
//! environment variables over it (`WAYMARK_SERVER_LISTEN`, `…_PUBLIC_URL`, `…_LOG_FORMAT`,
//! `…_LOG_LEVEL`, `…_TLS_CERT`, `…_TLS_KEY`), so a container or a systemd unit can change one
//! setting without editing the file. Every field has a default; an unknown field is an error
//! (a typo must not silently fall back to a default).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// The name of the configuration file inside the data folder.
pub const CONFIG_FILE: &str = "server.toml";

/// Everything the server can be told.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Address and port to listen on.
    pub listen: SocketAddr,
    /// The address schools reach the endpoint at (goes into enrollment codes and key sets).
    pub public_url: String,
    /// The awarding body's name (shown to schools when they enrol).
    pub awarding_body: String,
    /// Built-in TLS; leave out when a reverse proxy terminates TLS.
    pub tls: Option<TlsConfig>,
    /// Size and time limits.
    pub limits: Limits,
    /// Rate limits.
    pub rate: RateLimits,
    /// Logging.
    pub log: LogConfig,
    /// A folder of extra framework files (TOML) the awarding body runs, beside the bundled ones.
    pub frameworks_dir: Option<PathBuf>,
}

/// Certificate and key files (PEM) for built-in TLS.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TlsConfig {
    /// The certificate chain, PEM.
    pub cert: PathBuf,
    /// The private key, PEM.
    pub key: PathBuf,
}

/// Size and time limits.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Limits {
    /// Largest JSON request body, bytes.
    pub max_json_bytes: usize,
    /// Largest single blob, bytes.
    pub max_blob_bytes: u64,
    /// Most bytes one institution may store (blobs, all submissions).
    pub max_institution_bytes: u64,
    /// Largest tus PATCH body, bytes.
    pub max_chunk_bytes: u64,
    /// Hours an unfinished upload is kept.
    pub upload_expiry_hours: u32,
    /// Days an enrollment code stays valid.
    pub enrollment_code_days: u32,
    /// Seconds in-flight requests get to finish on shutdown.
    pub shutdown_grace_seconds: u64,
    /// Upload chunks received (hashed, written) at once; more wait their turn. Bounding it
    /// keeps the runtime's queues short, so small requests (status polls) are answered quickly
    /// while hundreds of schools upload. 0: twice the number of cores.
    pub concurrent_chunks: usize,
}

/// Rate limits (token buckets).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RateLimits {
    /// Requests per minute per token (bursts up to this many).
    pub per_token_per_minute: u32,
    /// Enrollment redemptions per hour per client address.
    pub enrollments_per_address_per_hour: u32,
}

/// Logging.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LogConfig {
    /// `text` (for people) or `json` (for log collectors).
    pub format: LogFormat,
    /// A `tracing` filter such as `info` or `waymark_server=debug,info`.
    pub level: String,
}

/// How logs are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Lines for people.
    #[default]
    Text,
    /// One JSON object per line.
    Json,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8443)),
            public_url: "http://127.0.0.1:8443".into(),
            awarding_body: "Awarding body".into(),
            tls: None,
            limits: Limits::default(),
            rate: RateLimits::default(),
            log: LogConfig::default(),
            frameworks_dir: None,
        }
    }
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_json_bytes: 4 * 1024 * 1024,
            max_blob_bytes: 8 * 1024 * 1024 * 1024,
            max_institution_bytes: 50 * 1024 * 1024 * 1024,
            max_chunk_bytes: 128 * 1024 * 1024,
            upload_expiry_hours: 7 * 24,
            enrollment_code_days: 30,
            shutdown_grace_seconds: 30,
            concurrent_chunks: 0,
        }
    }
}

impl Default for RateLimits {
    fn default() -> Self {
        Self {
            per_token_per_minute: 1200,
            enrollments_per_address_per_hour: 30,
        }
    }
}

impl Default for LogConfig {
    fn default() -> Self {
        Self {
            format: LogFormat::Text,
            level: "info".into(),
        }
    }
}

/// What went wrong reading the configuration.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not valid.
    #[error("{path} is not a valid configuration: {detail}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong, with the line.
        detail: String,
    },
    /// An environment variable is not valid.
    #[error("environment variable {name}={value:?} is not valid: {detail}")]
    Env {
        /// The variable.
        name: &'static str,
        /// Its value.
        value: String,
        /// What is expected.
        detail: String,
    },
}

impl Config {
    /// Reads `server.toml` from `data_dir` (defaults when absent), then the environment.
    pub fn load(data_dir: &Path) -> Result<Self, ConfigError> {
        Self::load_with_env(data_dir, |name| std::env::var(name).ok())
    }

    /// [`Config::load`] with the environment given (tests).
    pub fn load_with_env(
        data_dir: &Path,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, ConfigError> {
        let path = data_dir.join(CONFIG_FILE);
        let mut config = match std::fs::read_to_string(&path) {
            Ok(text) => toml::from_str(&text).map_err(|e| ConfigError::Invalid {
                path: path.clone(),
                detail: e.to_string(),
            })?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Config::default(),
            Err(source) => return Err(ConfigError::Read { path, source }),
        };
        if let Some(value) = env("WAYMARK_SERVER_LISTEN") {
            config.listen = value.parse().map_err(|_| ConfigError::Env {
                name: "WAYMARK_SERVER_LISTEN",
                value: value.clone(),
                detail: "expected an address and port such as 0.0.0.0:8443".into(),
            })?;
        }
        if let Some(value) = env("WAYMARK_SERVER_PUBLIC_URL") {
            config.public_url = value;
        }
        if let Some(value) = env("WAYMARK_SERVER_LOG_FORMAT") {
            config.log.format = match value.as_str() {
                "text" => LogFormat::Text,
                "json" => LogFormat::Json,
                _ => {
                    return Err(ConfigError::Env {
                        name: "WAYMARK_SERVER_LOG_FORMAT",
                        value,
                        detail: "expected `text` or `json`".into(),
                    });
                }
            };
        }
        if let Some(value) = env("WAYMARK_SERVER_LOG_LEVEL") {
            config.log.level = value;
        }
        match (
            env("WAYMARK_SERVER_TLS_CERT"),
            env("WAYMARK_SERVER_TLS_KEY"),
        ) {
            (Some(cert), Some(key)) => {
                config.tls = Some(TlsConfig {
                    cert: cert.into(),
                    key: key.into(),
                })
            }
            (None, None) => {}
            (Some(value), None) | (None, Some(value)) => {
                return Err(ConfigError::Env {
                    name: "WAYMARK_SERVER_TLS_CERT",
                    value,
                    detail:
                        "set both WAYMARK_SERVER_TLS_CERT and WAYMARK_SERVER_TLS_KEY, or neither"
                            .into(),
                });
            }
        }
        config.public_url = config.public_url.trim_end_matches('/').to_owned();
        Ok(config)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_then_the_environment_and_typos_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join(CONFIG_FILE),
            "listen = \"0.0.0.0:9000\"\npublic_url = \"https://e.example/\"\n[limits]\nmax_blob_bytes = 10\n",
        )
        .unwrap();
        let c = Config::load_with_env(dir.path(), |_| None).unwrap();
        assert_eq!(c.listen.port(), 9000);
        assert_eq!(c.public_url, "https://e.example");
        assert_eq!(c.limits.max_blob_bytes, 10);
        assert_eq!(
            c.limits.upload_expiry_hours, 168,
            "other limits keep their defaults"
        );

        let c = Config::load_with_env(dir.path(), |n| {
            (n == "WAYMARK_SERVER_LISTEN").then(|| "127.0.0.1:1234".to_owned())
        })
        .unwrap();
        assert_eq!(c.listen.port(), 1234);

        let err = Config::load_with_env(dir.path(), |n| {
            (n == "WAYMARK_SERVER_LOG_FORMAT").then(|| "xml".to_owned())
        })
        .unwrap_err();
        assert!(err.to_string().contains("text` or `json"), "{err}");

        std::fs::write(dir.path().join(CONFIG_FILE), "lisen = \"0.0.0.0:9000\"\n").unwrap();
        let err = Config::load_with_env(dir.path(), |_| None).unwrap_err();
        assert!(err.to_string().contains("lisen"), "{err}");
    }
}
