//! Schema migrations: an append-only list; the database's `user_version` says how many ran.

use std::path::Path;

use rusqlite::{Connection, TransactionBehavior};

use crate::error::{AtPath, Error, Result};

/// Every migration, in order. Never edit or remove one: add a new one.
pub(crate) const MIGRATIONS: &[&str] = &[include_str!("sql/0001_initial.sql")];

/// The schema version this build creates and understands.
pub const LATEST_SCHEMA: i64 = MIGRATIONS.len() as i64;

/// Brings the database up to [`LATEST_SCHEMA`], each step in its own transaction.
pub(crate) fn migrate(conn: &mut Connection, path: &Path) -> Result<()> {
    migrate_to(conn, path, LATEST_SCHEMA)
}

/// Brings the database up to `target` (tests build every earlier version with this).
pub(crate) fn migrate_to(conn: &mut Connection, path: &Path, target: i64) -> Result<()> {
    loop {
        // The version is read inside the write transaction, so two processes opening the same
        // folder at once cannot both apply the same step.
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .at(path)?;
        let current: i64 = tx
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .at(path)?;
        if current > LATEST_SCHEMA {
            return Err(Error::SchemaTooNew {
                path: path.to_owned(),
                found: current,
                supported: LATEST_SCHEMA,
            });
        }
        if current >= target {
            return Ok(());
        }
        tx.execute_batch(MIGRATIONS[current as usize]).at(path)?;
        tx.pragma_update(None, "user_version", current + 1)
            .at(path)?;
        tx.commit().at(path)?;
    }
}
