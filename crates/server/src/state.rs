//! The server's state, shared by every request: configuration, the metadata and blob stores,
//! the signing key, the frameworks, the clock and the rate limiters.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use axum::http::HeaderValue;
use governor::clock::{Clock as _, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use object_store::ObjectStore;
use object_store::local::LocalFileSystem;
use waymark_framework::Catalog;
use waymark_protocol::ApiErrorCode;
use waymark_protocol::signed::SecretKey;

use crate::Failure;
use crate::clock::Clock;
use crate::config::{BlobBackend, Config, MetadataBackend, S3Config};
use crate::keys::{self, KeyError};
use crate::meta::Meta;
use crate::meta::postgres::PgMeta;
use crate::meta::sqlite::SqliteMeta;

/// The blob folder inside the data folder (the local object store's root).
pub const BLOB_DIR: &str = "blobs";

/// Shared state; cheap to clone.
#[derive(Clone)]
pub struct AppState(Arc<Inner>);

/// What [`AppState`] holds.
pub struct Inner {
    /// The configuration in force.
    pub config: Config,
    /// The data folder.
    pub data_dir: PathBuf,
    /// Metadata.
    pub meta: Arc<dyn Meta>,
    /// Blob bytes.
    pub blobs: Arc<dyn ObjectStore>,
    /// Signs receipts and key sets.
    pub signing_key: SecretKey,
    /// The frameworks this awarding body runs.
    pub frameworks: Catalog,
    /// The time.
    pub clock: Arc<dyn Clock>,
    /// Rate limits.
    pub rate: RateLimits,
    /// False while starting and once shutting down (`/ready` answers 503).
    pub ready: AtomicBool,
    /// Upload chunks being received at once (see `Limits::concurrent_chunks`).
    pub chunk_slots: tokio::sync::Semaphore,
    /// Each unfinished upload's SHA-256 so far (an optimisation; the store is the truth).
    pub running: crate::blobs::RunningHashes,
}

impl std::ops::Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "AppState({})", self.data_dir.display())
    }
}

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The metadata store.
    #[error("cannot open the metadata store in {0}: {1}")]
    Meta(PathBuf, crate::meta::MetaError),
    /// The blob store.
    #[error("cannot open the blob store in {0}: {1}")]
    Blobs(PathBuf, String),
    /// The PostgreSQL metadata store.
    #[error("cannot open the metadata store on PostgreSQL: {0}")]
    Postgres(crate::meta::MetaError),
    /// The S3 bucket.
    #[error("cannot open the blob store in S3 bucket {bucket}: {detail}")]
    S3 {
        /// The bucket.
        bucket: String,
        /// Why.
        detail: String,
    },
    /// The keys.
    #[error(transparent)]
    Keys(#[from] KeyError),
    /// The frameworks.
    #[error("cannot read the frameworks: {0}")]
    Frameworks(String),
}

impl AppState {
    /// Opens the stores the configuration names (`[storage]`): the embedded default, or
    /// PostgreSQL and an S3-compatible bucket shared by several instances.
    pub async fn open(
        data_dir: &Path,
        config: Config,
        clock: Arc<dyn Clock>,
    ) -> Result<Self, StartError> {
        let meta = open_meta(data_dir, &config).await?;
        let blobs = open_blobs(data_dir, &config)?;
        Self::new(data_dir, config, meta, blobs, clock)
    }

    /// Opens the embedded default: SQLite metadata and blobs on the local file system, both in
    /// `data_dir`.
    pub fn open_embedded(
        data_dir: &Path,
        config: Config,
        clock: Arc<dyn Clock>,
    ) -> Result<Self, StartError> {
        let meta =
            SqliteMeta::open(data_dir).map_err(|e| StartError::Meta(data_dir.to_owned(), e))?;
        let blobs = local_blobs(data_dir)?;
        Self::new(data_dir, config, Arc::new(meta), blobs, clock)
    }

    /// State over the given stores.
    pub fn new(
        data_dir: &Path,
        config: Config,
        meta: Arc<dyn Meta>,
        blobs: Arc<dyn ObjectStore>,
        clock: Arc<dyn Clock>,
    ) -> Result<Self, StartError> {
        let signing_key = keys::load_signing_key(data_dir)?;
        let frameworks = match &config.frameworks_dir {
            Some(dir) => {
                let (catalog, refused) =
                    Catalog::with_folder(dir).map_err(|e| StartError::Frameworks(e.to_string()))?;
                for problem in refused {
                    tracing::warn!(%problem, "a framework file was not loaded");
                }
                catalog
            }
            None => Catalog::bundled().map_err(|e| StartError::Frameworks(e.to_string()))?,
        };
        let rate = RateLimits::new(&config);
        let slots = match config.limits.concurrent_chunks {
            0 => std::thread::available_parallelism().map_or(2, |n| n.get()) * 2,
            n => n,
        };
        Ok(Self(Arc::new(Inner {
            config,
            data_dir: data_dir.to_owned(),
            meta,
            blobs,
            signing_key,
            frameworks,
            clock,
            rate,
            ready: AtomicBool::new(true),
            chunk_slots: tokio::sync::Semaphore::new(slots),
            running: crate::blobs::RunningHashes::default(),
        })))
    }

    /// Marks the server as not ready (shutting down): load balancers stop sending it work.
    pub fn set_ready(&self, ready: bool) {
        self.ready.store(ready, Ordering::SeqCst);
    }
}

/// The metadata store the configuration names.
pub async fn open_meta(data_dir: &Path, config: &Config) -> Result<Arc<dyn Meta>, StartError> {
    match (config.storage.metadata, &config.storage.postgres) {
        (MetadataBackend::Sqlite, _) => Ok(Arc::new(
            SqliteMeta::open(data_dir).map_err(|e| StartError::Meta(data_dir.to_owned(), e))?,
        )),
        (MetadataBackend::Postgres, Some(pg)) => Ok(Arc::new(
            PgMeta::connect(pg).await.map_err(StartError::Postgres)?,
        )),
        // Config::load refuses this; a Config built in code may still hold it.
        (MetadataBackend::Postgres, None) => Err(StartError::Postgres(
            crate::meta::MetaError::Internal("[storage.postgres] url is not set".into()),
        )),
    }
}

/// The blob store the configuration names.
pub fn open_blobs(data_dir: &Path, config: &Config) -> Result<Arc<dyn ObjectStore>, StartError> {
    match (config.storage.blobs, &config.storage.s3) {
        (BlobBackend::Local, _) => local_blobs(data_dir),
        (BlobBackend::S3, Some(s3)) => s3_blobs(s3),
        (BlobBackend::S3, None) => Err(StartError::S3 {
            bucket: String::new(),
            detail: "[storage.s3] bucket is not set".into(),
        }),
    }
}

/// `blobs/` in the data folder, written with fsync: an acknowledged upload must survive a
/// power cut.
fn local_blobs(data_dir: &Path) -> Result<Arc<dyn ObjectStore>, StartError> {
    let blob_dir = data_dir.join(BLOB_DIR);
    std::fs::create_dir_all(&blob_dir)
        .map_err(|e| StartError::Blobs(blob_dir.clone(), e.to_string()))?;
    let blobs = LocalFileSystem::new_with_prefix(&blob_dir)
        .map_err(|e| StartError::Blobs(blob_dir.clone(), e.to_string()))?
        .with_fsync(true);
    Ok(Arc::new(blobs))
}

/// An S3-compatible bucket: the `AWS_*` environment first (credentials, region, endpoint, as
/// the AWS tools read them), then what `[storage.s3]` says. S3 acknowledges a PUT only once
/// it is durable, so nothing more is needed for the power-cut promise.
pub fn s3_blobs(s3: &S3Config) -> Result<Arc<dyn ObjectStore>, StartError> {
    // object_store's client is reqwest on rustls without a built-in provider: the server's
    // TLS provider (ring) serves it too. Installing fails harmlessly when one is installed.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut builder = object_store::aws::AmazonS3Builder::from_env()
        .with_bucket_name(&s3.bucket)
        .with_allow_http(s3.allow_http)
        .with_virtual_hosted_style_request(!s3.path_style);
    if let Some(region) = &s3.region {
        builder = builder.with_region(region);
    }
    if let Some(endpoint) = &s3.endpoint {
        builder = builder.with_endpoint(endpoint);
    }
    if let Some(key) = &s3.access_key_id {
        builder = builder.with_access_key_id(key);
    }
    if let Some(secret) = &s3.secret_access_key {
        builder = builder.with_secret_access_key(secret);
    }
    let store = builder.build().map_err(|e| StartError::S3 {
        bucket: s3.bucket.clone(),
        detail: e.to_string(),
    })?;
    Ok(Arc::new(store))
}

/// Token buckets per token and per client address.
pub struct RateLimits {
    per_token: DefaultKeyedRateLimiter<String>,
    enrollments: DefaultKeyedRateLimiter<IpAddr>,
}

fn quota(per: u32, minutes: u32) -> Quota {
    let n = NonZeroU32::new(per.max(1)).unwrap_or(NonZeroU32::MIN);
    let period = std::time::Duration::from_secs(u64::from(minutes) * 60) / n.get();
    Quota::with_period(period)
        .unwrap_or_else(|| Quota::per_second(n))
        .allow_burst(n)
}

fn limited(wait: std::time::Duration) -> Failure {
    let seconds = wait.as_secs().max(1);
    Failure::new(
        ApiErrorCode::RateLimited,
        format!("too many requests; try again in {seconds} s"),
    )
    .with_header(axum::http::header::RETRY_AFTER, HeaderValue::from(seconds))
}

impl RateLimits {
    /// Limits from the configuration.
    pub fn new(config: &Config) -> Self {
        Self {
            per_token: RateLimiter::keyed(quota(config.rate.per_token_per_minute, 1)),
            enrollments: RateLimiter::keyed(quota(
                config.rate.enrollments_per_address_per_hour,
                60,
            )),
        }
    }

    /// One request by this token.
    pub fn check_token(&self, token_id: &str) -> Result<(), Failure> {
        self.per_token
            .check_key(&token_id.to_owned())
            .map_err(|n| limited(n.wait_time_from(DefaultClock::default().now())))
    }

    /// One enrollment attempt from this address.
    pub fn check_enrollment(&self, address: IpAddr) -> Result<(), Failure> {
        self.enrollments
            .check_key(&address)
            .map_err(|n| limited(n.wait_time_from(DefaultClock::default().now())))
    }

    /// Forgets buckets that are full again (run now and then so memory stays bounded).
    pub fn forget_idle(&self) {
        self.per_token.retain_recent();
        self.enrollments.retain_recent();
    }
}
