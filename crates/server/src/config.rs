//! Configuration: `server.toml` in the data folder (written by `waymark-server init`), then
//! environment variables over it (`WAYMARK_SERVER_LISTEN`, `…_PUBLIC_URL`, `…_LOG_FORMAT`,
//! `…_LOG_LEVEL`, `…_TLS_CERT`, `…_TLS_KEY`, `…_POSTGRES_URL`, `…_S3_BUCKET`,
//! `…_RETENTION_SUBMISSIONS_DAYS`), so a container
//! or a systemd unit can change one setting without editing the file, and a database password
//! or an S3 secret need never be written into it (`AWS_ACCESS_KEY_ID` and the other `AWS_*`
//! variables are read as the AWS tools read them). Every field has a default; an unknown field is an error
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
    /// Where metadata and blobs are kept.
    pub storage: StorageConfig,
    /// How long submissions are kept.
    pub retention: RetentionConfig,
}

/// How long the endpoint keeps submissions (`[retention]`). A submission is deleted, with its
/// envelopes, receipts, events, award and the blobs no other submission of its institution
/// lists, once `submissions_days` have passed since the later of its last event and its
/// award's expiry (see [`crate::meta::privacy::RetentionCandidate::is_past`]); a tombstone
/// keeps its id, when and why. Housekeeping applies it hourly; `waymark-server retention run`
/// at once (`--dry-run` lists).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RetentionConfig {
    /// Days to keep a submission after the later of its last event and its award's expiry.
    /// 0 (the default) keeps submissions for ever: nothing is deleted until the awarding body
    /// chooses a period (e.g. 2190, six years). At most [`MAX_RETENTION_DAYS`].
    pub submissions_days: u32,
}

/// The longest retention period accepted (100 years).
pub const MAX_RETENTION_DAYS: u32 = 36_600;

/// Where metadata and blobs are kept. The embedded default keeps both in the data folder
/// (`meta.sqlite` and `blobs/`), right for one instance; several instances behind a load
/// balancer share PostgreSQL and an S3-compatible bucket, and then hold no state of their own
/// but their configuration and the signing key.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct StorageConfig {
    /// `sqlite` (the default: `meta.sqlite` in the data folder) or `postgres`.
    pub metadata: MetadataBackend,
    /// `local` (the default: `blobs/` in the data folder) or `s3`.
    pub blobs: BlobBackend,
    /// The PostgreSQL database, when `metadata = "postgres"`.
    pub postgres: Option<PostgresConfig>,
    /// The bucket, when `blobs = "s3"`.
    pub s3: Option<S3Config>,
}

/// The metadata store.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MetadataBackend {
    /// SQLite in the data folder.
    #[default]
    Sqlite,
    /// A PostgreSQL server.
    Postgres,
}

/// The blob store.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BlobBackend {
    /// Files under the data folder.
    #[default]
    Local,
    /// An S3-compatible object store.
    S3,
}

/// A PostgreSQL database.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PostgresConfig {
    /// A connection string, as a URL (`postgres://user@host:5432/waymark`) or libpq's
    /// `key=value` form. Leave the password out and set `PGPASSWORD`, or give the whole string
    /// in `WAYMARK_SERVER_POSTGRES_URL`. The connection is plain TCP: keep the database on a
    /// private network or a Unix socket (`host=/run/postgresql`).
    pub url: String,
    /// Connections per instance (the pool's size).
    #[serde(default = "default_pool_size")]
    pub pool_size: usize,
}

fn default_pool_size() -> usize {
    16
}

/// An S3-compatible bucket.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct S3Config {
    /// The bucket (it must exist).
    pub bucket: String,
    /// The region (`AWS_REGION` when left out; some servers ignore it).
    pub region: Option<String>,
    /// The service's address, for a store other than AWS (`https://s3.example.org`); AWS's
    /// own when left out (`AWS_ENDPOINT` is read too).
    pub endpoint: Option<String>,
    /// Allow a plain-HTTP endpoint (a store on the same private network; never over the
    /// internet).
    pub allow_http: bool,
    /// Path-style addresses (`endpoint/bucket/key`), which most stores other than AWS need.
    pub path_style: bool,
    /// The access key id; `AWS_ACCESS_KEY_ID` when left out.
    pub access_key_id: Option<String>,
    /// The secret key; `AWS_SECRET_ACCESS_KEY` when left out (better: never in this file).
    pub secret_access_key: Option<String>,
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
    /// Seconds a chunk waits for its turn before it is answered 503 with `Retry-After` (its
    /// body is not read meanwhile; clients and proxies give up on a stalled upload after about
    /// 30 s, so keep this well below that).
    pub chunk_wait_seconds: u64,
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
            storage: StorageConfig::default(),
            retention: RetentionConfig::default(),
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
            chunk_wait_seconds: 10,
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

    /// What `server.toml` in `data_dir` says (defaults when absent), without the environment
    /// and without checking that the stores it names are complete: what `init` fills in and
    /// writes back, so a password given only in the environment never lands in the file.
    pub fn read_file(data_dir: &Path) -> Result<Self, ConfigError> {
        let path = data_dir.join(CONFIG_FILE);
        match std::fs::read_to_string(&path) {
            Ok(text) => toml::from_str(&text).map_err(|e| ConfigError::Invalid {
                path: path.clone(),
                detail: e.to_string(),
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Config::default()),
            Err(source) => Err(ConfigError::Read { path, source }),
        }
    }

    /// [`Config::load`] with the environment given (tests).
    pub fn load_with_env(
        data_dir: &Path,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, ConfigError> {
        let path = data_dir.join(CONFIG_FILE);
        let mut config = Self::read_file(data_dir)?;
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
        if let Some(url) = env("WAYMARK_SERVER_POSTGRES_URL") {
            let pool_size = config
                .storage
                .postgres
                .as_ref()
                .map_or_else(default_pool_size, |p| p.pool_size);
            config.storage.postgres = Some(PostgresConfig { url, pool_size });
        }
        if let Some(bucket) = env("WAYMARK_SERVER_S3_BUCKET") {
            config
                .storage
                .s3
                .get_or_insert_with(S3Config::default)
                .bucket = bucket;
        }
        if let Some(value) = env("WAYMARK_SERVER_RETENTION_SUBMISSIONS_DAYS") {
            config.retention.submissions_days =
                value.trim().parse().map_err(|_| ConfigError::Env {
                    name: "WAYMARK_SERVER_RETENTION_SUBMISSIONS_DAYS",
                    value: value.clone(),
                    detail: "expected a whole number of days (0 keeps submissions for ever)".into(),
                })?;
        }
        if config.retention.submissions_days > MAX_RETENTION_DAYS {
            return Err(ConfigError::Invalid {
                path: path.clone(),
                detail: format!(
                    "[retention] submissions_days = {} is more than {MAX_RETENTION_DAYS} days (100 years); use 0 to keep submissions for ever",
                    config.retention.submissions_days
                ),
            });
        }
        config.public_url = config.public_url.trim_end_matches('/').to_owned();
        config.storage.check(&path)?;
        Ok(config)
    }
}

impl StorageConfig {
    /// Refuses a backend chosen without its settings, so the server never starts on a default
    /// the operator did not mean.
    fn check(&self, path: &Path) -> Result<(), ConfigError> {
        let invalid = |detail: &str| ConfigError::Invalid {
            path: path.to_owned(),
            detail: detail.to_owned(),
        };
        if self.metadata == MetadataBackend::Postgres
            && self
                .postgres
                .as_ref()
                .is_none_or(|p| p.url.trim().is_empty())
        {
            return Err(invalid(
                "[storage] metadata = \"postgres\" needs [storage.postgres] url = \"postgres://user@host/db\" (or WAYMARK_SERVER_POSTGRES_URL)",
            ));
        }
        if self.postgres.as_ref().is_some_and(|p| p.pool_size == 0) {
            return Err(invalid("[storage.postgres] pool_size must be at least 1"));
        }
        if self.blobs == BlobBackend::S3
            && self.s3.as_ref().is_none_or(|s| s.bucket.trim().is_empty())
        {
            return Err(invalid(
                "[storage] blobs = \"s3\" needs [storage.s3] bucket = \"…\" (or WAYMARK_SERVER_S3_BUCKET)",
            ));
        }
        Ok(())
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

    #[test]
    fn retention_is_off_by_default_set_in_the_file_or_the_environment_and_bounded() {
        let dir = tempfile::tempdir().unwrap();
        let c = Config::load_with_env(dir.path(), |_| None).unwrap();
        assert_eq!(c.retention.submissions_days, 0, "kept for ever by default");
        std::fs::write(
            dir.path().join(CONFIG_FILE),
            "[retention]\nsubmissions_days = 2190\n",
        )
        .unwrap();
        let c = Config::load_with_env(dir.path(), |_| None).unwrap();
        assert_eq!(c.retention.submissions_days, 2190);
        let c = Config::load_with_env(dir.path(), |n| {
            (n == "WAYMARK_SERVER_RETENTION_SUBMISSIONS_DAYS").then(|| "30".to_owned())
        })
        .unwrap();
        assert_eq!(c.retention.submissions_days, 30);
        let err = Config::load_with_env(dir.path(), |n| {
            (n == "WAYMARK_SERVER_RETENTION_SUBMISSIONS_DAYS").then(|| "six years".to_owned())
        })
        .unwrap_err();
        assert!(err.to_string().contains("whole number of days"), "{err}");
        std::fs::write(
            dir.path().join(CONFIG_FILE),
            "[retention]\nsubmissions_days = 99999\n",
        )
        .unwrap();
        let err = Config::load_with_env(dir.path(), |_| None).unwrap_err();
        assert!(err.to_string().contains("100 years"), "{err}");
        std::fs::write(dir.path().join(CONFIG_FILE), "[retention]\ndays = 1\n").unwrap();
        assert!(Config::load_with_env(dir.path(), |_| None).is_err());
    }

    #[test]
    fn a_backend_needs_its_settings_and_the_environment_gives_them() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join(CONFIG_FILE),
            "[storage]\nmetadata = \"postgres\"\nblobs = \"s3\"\n",
        )
        .unwrap();
        let err = Config::load_with_env(dir.path(), |_| None).unwrap_err();
        assert!(err.to_string().contains("[storage.postgres] url"), "{err}");

        let c = Config::load_with_env(dir.path(), |n| match n {
            "WAYMARK_SERVER_POSTGRES_URL" => Some("postgres://w@db/waymark".into()),
            "WAYMARK_SERVER_S3_BUCKET" => Some("waymark-blobs".into()),
            _ => None,
        })
        .unwrap();
        assert_eq!(c.storage.metadata, MetadataBackend::Postgres);
        assert_eq!(c.storage.postgres.unwrap().url, "postgres://w@db/waymark");
        assert_eq!(c.storage.s3.unwrap().bucket, "waymark-blobs");

        std::fs::write(
            dir.path().join(CONFIG_FILE),
            "[storage]\nmetadata = \"mysql\"\n",
        )
        .unwrap();
        let err = Config::load_with_env(dir.path(), |_| None).unwrap_err();
        assert!(err.to_string().contains("mysql"), "{err}");
    }
}
