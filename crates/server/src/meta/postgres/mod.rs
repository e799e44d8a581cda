//! The metadata store on PostgreSQL, for an awarding body that runs several instances behind a
//! load balancer: every instance talks to the same database, and nothing an instance decides
//! lives only in its memory.
//!
//! Concurrency is the database's, not ours. Each trait method is one transaction, and each says
//! why its isolation level is enough:
//! - most run at READ COMMITTED with the row they decide on locked (`SELECT … FOR UPDATE`) or
//!   changed by a single conditional statement (`UPDATE … WHERE state = $from RETURNING …`),
//!   which PostgreSQL re-checks against the committed row when two instances race;
//! - uniqueness (one blob per institution and hash) is a constraint, and the loser of a race
//!   reads the winner's row (`ON CONFLICT DO NOTHING`, then `SELECT`);
//! - what has no row to lock takes a transaction-level advisory lock on what it decides: an
//!   envelope's hash (the same envelope sent to two instances), an institution's quota (a sum
//!   over many rows). SERIALIZABLE would be correct there too, but under load its retries run
//!   out (the ingest bench saw 500s), while a lock only makes the racers take turns;
//! - [`PgMeta::transaction`] still runs a body again when PostgreSQL reports a serialization
//!   failure or a deadlock (SQLSTATE 40001, 40P01).
//!
//! Order: events and receipts carry a sequence from one PostgreSQL sequence, taken inside the
//! transaction that holds the submission's row lock, so within a submission the sequence is
//! the commit order whichever instance wrote it. No instance's clock orders anything.
//!
//! Migrations are append-only files in `sql/`, recorded in `waymark_migrations`, applied under
//! a transaction-level advisory lock so that instances starting together apply each one once.

use std::time::Duration;

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use futures::future::BoxFuture;
use tokio_postgres::error::SqlState;
use tokio_postgres::{IsolationLevel, NoTls, Transaction};

use super::{MetaError, MetaResult};
use crate::config::PostgresConfig;

mod accounts;
mod privacy;
mod submissions;
mod uploads;

/// The migrations, in order. Never edit one that has shipped: add the next.
pub const MIGRATIONS: &[(&str, &str)] = &[
    ("0001_accounts", include_str!("sql/0001_accounts.sql")),
    ("0002_uploads", include_str!("sql/0002_uploads.sql")),
    ("0003_submissions", include_str!("sql/0003_submissions.sql")),
    ("0004_privacy", include_str!("sql/0004_privacy.sql")),
];

/// The advisory lock key migrations take (any constant; "waymark" in ASCII).
const MIGRATION_LOCK: i64 = 0x0077_6179_6d61_726b;

/// Attempts of a transaction that PostgreSQL aborted to keep it serializable.
const SERIALIZATION_ATTEMPTS: u32 = 8;

/// How long getting a pooled connection may take before the store says it is unavailable.
const CONNECTION_WAIT: Duration = Duration::from_secs(10);

/// The PostgreSQL metadata store (cheap to clone: a handle on the pool).
#[derive(Clone)]
pub struct PgMeta {
    pool: Pool,
}

impl std::fmt::Debug for PgMeta {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PgMeta")
    }
}

impl From<tokio_postgres::Error> for MetaError {
    fn from(e: tokio_postgres::Error) -> Self {
        pg_error(&e)
    }
}

/// Sorts a driver error into the store's three kinds.
fn pg_error(e: &tokio_postgres::Error) -> MetaError {
    let Some(db) = e.as_db_error() else {
        // No answer from the server: the connection broke or could not be made.
        if e.is_closed() || e.to_string().contains("connect") {
            return MetaError::Unavailable(chain(e));
        }
        return MetaError::Internal(chain(e));
    };
    let code = db.code();
    // As SQLite's store: any broken constraint (unique, or a reference to nothing) is a
    // conflict.
    if *code == SqlState::UNIQUE_VIOLATION
        || *code == SqlState::EXCLUSION_VIOLATION
        || *code == SqlState::FOREIGN_KEY_VIOLATION
    {
        MetaError::Conflict(db.message().to_owned())
    } else if code.code().starts_with("08")
        || code.code().starts_with("53")
        || code.code().starts_with("57")
    {
        // Connection exceptions, insufficient resources, operator intervention (a restart).
        MetaError::Unavailable(db.message().to_owned())
    } else {
        MetaError::Internal(format!("{} ({})", db.message(), code.code()))
    }
}

fn chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut text = e.to_string();
    let mut next = e.source();
    while let Some(err) = next {
        text.push_str(": ");
        text.push_str(&err.to_string());
        next = err.source();
    }
    text
}

/// Whether PostgreSQL aborted the transaction only to keep it serializable (try it again).
fn is_retryable(e: &tokio_postgres::Error) -> bool {
    e.code().is_some_and(|c| {
        *c == SqlState::T_R_SERIALIZATION_FAILURE || *c == SqlState::T_R_DEADLOCK_DETECTED
    })
}

/// What a transaction body fails with: the driver's error (which [`PgMeta::transaction`] may
/// retry) or the store's own (returned as it is).
#[derive(Debug)]
pub(crate) enum TxError {
    /// From PostgreSQL.
    Pg(tokio_postgres::Error),
    /// Decided by the body (a stored value unreadable, say).
    Meta(MetaError),
}

impl From<tokio_postgres::Error> for TxError {
    fn from(e: tokio_postgres::Error) -> Self {
        TxError::Pg(e)
    }
}

impl From<MetaError> for TxError {
    fn from(e: MetaError) -> Self {
        TxError::Meta(e)
    }
}

/// The result of a transaction body.
pub(crate) type TxResult<T> = Result<T, TxError>;

impl PgMeta {
    /// Connects (checking the server answers) and applies the migrations this database lacks.
    pub async fn connect(config: &PostgresConfig) -> MetaResult<Self> {
        let pg: tokio_postgres::Config = config.url.parse().map_err(|e| {
            MetaError::Internal(format!(
                "the PostgreSQL connection string is not valid ({e}): use postgres://user@host:5432/database or libpq's key=value form"
            ))
        })?;
        let manager = Manager::from_config(
            pg,
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(config.pool_size.max(1))
            .wait_timeout(Some(CONNECTION_WAIT))
            .create_timeout(Some(CONNECTION_WAIT))
            .runtime(deadpool_postgres::Runtime::Tokio1)
            .build()
            .map_err(|e| MetaError::Internal(format!("the PostgreSQL pool: {e}")))?;
        let meta = Self { pool };
        meta.migrate().await?;
        Ok(meta)
    }

    /// A pooled connection.
    pub(crate) async fn client(&self) -> MetaResult<deadpool_postgres::Object> {
        self.pool.get().await.map_err(|e| match e {
            deadpool_postgres::PoolError::Backend(e) => pg_error(&e),
            other => MetaError::Unavailable(format!(
                "no PostgreSQL connection within {} s: {other}",
                CONNECTION_WAIT.as_secs()
            )),
        })
    }

    /// Runs `body` in one transaction at `isolation` and commits it. A body PostgreSQL aborts
    /// to keep transactions serializable (or to break a deadlock) is run again from the start,
    /// a few times; so a body must only touch the database (no side effects elsewhere) and
    /// takes what it needs by value (`Fn`, called once per attempt).
    pub(crate) async fn transaction<T, F>(
        &self,
        isolation: IsolationLevel,
        body: F,
    ) -> MetaResult<T>
    where
        T: Send,
        F: for<'t> Fn(&'t Transaction<'t>) -> BoxFuture<'t, TxResult<T>> + Send + Sync,
    {
        let mut client = self.client().await?;
        let mut attempt = 1;
        loop {
            let outcome = async {
                let tx = client
                    .build_transaction()
                    .isolation_level(isolation)
                    .start()
                    .await?;
                let value = body(&tx).await?;
                tx.commit().await?;
                Ok::<T, TxError>(value)
            }
            .await;
            match outcome {
                Ok(value) => return Ok(value),
                Err(TxError::Pg(e)) if is_retryable(&e) && attempt < SERIALIZATION_ATTEMPTS => {
                    tracing::debug!(attempt, error = %e, "transaction retried");
                    // A short, growing, jittered pause so the racers do not collide again.
                    let jitter = u64::from(uuid::Uuid::now_v7().as_bytes()[15] % 16);
                    tokio::time::sleep(Duration::from_millis((5 << attempt.min(5)) + jitter)).await;
                    attempt += 1;
                }
                Err(TxError::Pg(e)) => return Err(pg_error(&e)),
                Err(TxError::Meta(e)) => return Err(e),
            }
        }
    }

    /// Checks the database answers (readiness).
    pub async fn ping(&self) -> MetaResult<()> {
        self.client().await?.simple_query("SELECT 1").await?;
        Ok(())
    }

    /// Applies every migration not yet recorded, each in its own transaction with its record,
    /// holding a transaction-level advisory lock: a second instance starting at the same moment
    /// waits, then finds the migration recorded and skips it.
    async fn migrate(&self) -> MetaResult<()> {
        let mut client = self.client().await?;
        for (name, sql) in MIGRATIONS {
            let tx = client.transaction().await?;
            tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
                .await?;
            tx.batch_execute(
                "CREATE TABLE IF NOT EXISTS waymark_migrations (
                     name       TEXT PRIMARY KEY,
                     applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
                 )",
            )
            .await?;
            let done = tx
                .query_opt("SELECT 1 FROM waymark_migrations WHERE name = $1", &[name])
                .await?
                .is_some();
            if !done {
                tx.batch_execute(sql).await?;
                tx.execute("INSERT INTO waymark_migrations (name) VALUES ($1)", &[name])
                    .await?;
            }
            tx.commit().await?;
        }
        let known: Vec<String> = client
            .query("SELECT name FROM waymark_migrations ORDER BY name", &[])
            .await?
            .iter()
            .map(|r| r.get(0))
            .collect();
        if let Some(newer) = known
            .iter()
            .find(|n| !MIGRATIONS.iter().any(|(m, _)| m == n))
        {
            return Err(MetaError::Internal(format!(
                "the PostgreSQL database has migration {newer}, which this server does not know: it was upgraded by a newer waymark-server; run that version"
            )));
        }
        Ok(())
    }
}
