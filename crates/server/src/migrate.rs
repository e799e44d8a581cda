//! `waymark-server migrate-storage`: moves an embedded installation (`meta.sqlite` and
//! `blobs/` in the data folder) onto the stores its `server.toml` now names, PostgreSQL and an
//! S3-compatible bucket, so an awarding body that outgrew one machine keeps every institution,
//! token, upload, submission, receipt and award.
//!
//! Order, for a copy that can be run again after any failure:
//! 1. the target database must hold no Waymark rows (its migrations are applied first);
//! 2. every blob object is copied (an object already there with the same size is kept), and
//!    each copy's size checked: objects before metadata, so no row ever names a missing object;
//! 3. every table is copied in one PostgreSQL transaction (`COPY … FROM STDIN BINARY`), in the
//!    order of their references; each value is converted to its column's type (SQLite's text
//!    UUIDs, RFC 3339 times, dates and hex hashes to PostgreSQL's native types) and the row
//!    counts are compared before the commit. A failure rolls the whole copy back.
//!
//! The source is read, never changed: the operator removes it once the new stores have served.

use std::path::Path;

use futures::{StreamExt as _, TryStreamExt as _};
use object_store::{ObjectStore, ObjectStoreExt as _, WriteMultipart};
use rusqlite::types::Value;
use tokio_postgres::binary_copy::BinaryCopyInWriter;
use tokio_postgres::types::{ToSql, Type};

use crate::config::{BlobBackend, Config, MetadataBackend};
use crate::meta::postgres::PgMeta;
use crate::meta::sqlite;

/// The tables, parents before children (each one's references point to earlier ones).
pub const TABLES: &[&str] = &[
    "institutions",
    "assessors",
    "enrollment_codes",
    "tokens",
    "key_sets",
    "assessor_links",
    "uploads",
    "upload_parts",
    "blobs",
    "blob_parts",
    "submissions",
    "envelopes",
    "events",
    "awards",
    "erased_institutions",
    "erased_tokens",
    "deleted_submissions",
    "deleted_awards",
    "pending_deletions",
    "institution_profiles",
];

/// What was copied.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Copied {
    /// Rows per table, in [`TABLES`]' order (equal in source and target).
    pub rows: Vec<(&'static str, u64)>,
    /// Blob objects copied now.
    pub objects_copied: u64,
    /// Blob objects the bucket already held (an earlier, interrupted run).
    pub objects_kept: u64,
    /// Their bytes.
    pub bytes: u64,
}

/// Why the move did not happen (nothing in the target's metadata changed).
#[derive(Debug, thiserror::Error)]
pub enum MigrateError {
    /// `server.toml` still names the embedded metadata store.
    #[error(
        "server.toml still keeps metadata in SQLite: add [storage] metadata = \"postgres\" (and blobs = \"s3\") with their settings first (README, \"Several instances\")"
    )]
    NothingToMoveTo,
    /// No embedded installation here.
    #[error("{0} holds no meta.sqlite: there is nothing to move")]
    NoSource(std::path::PathBuf),
    /// The target database already holds Waymark data.
    #[error(
        "the PostgreSQL database already holds Waymark data ({table} has {rows} rows): migrate into an empty database"
    )]
    TargetNotEmpty {
        /// The first table found with rows.
        table: &'static str,
        /// How many.
        rows: u64,
    },
    /// A value could not be converted to its column's type.
    #[error("{table}.{column}: the value {value} cannot be stored as {kind}")]
    Value {
        /// The table.
        table: &'static str,
        /// The column.
        column: String,
        /// The value, shortened.
        value: String,
        /// The PostgreSQL type.
        kind: String,
    },
    /// A table's columns differ between the stores (a version mismatch).
    #[error(
        "{table}: column {column} is in PostgreSQL but not in meta.sqlite (are both at this server's version?)"
    )]
    Column {
        /// The table.
        table: &'static str,
        /// The column.
        column: String,
    },
    /// The counts differ after the copy (rolled back).
    #[error(
        "{table}: {source_rows} rows in meta.sqlite but {target_rows} copied; nothing was kept"
    )]
    Count {
        /// The table.
        table: &'static str,
        /// In SQLite.
        source_rows: u64,
        /// In PostgreSQL.
        target_rows: u64,
    },
    /// A blob object's copy has another size.
    #[error("blob object {0}: the copy in the bucket has {1} bytes, not {2}")]
    ObjectSize(String, u64, u64),
    /// Opening a store.
    #[error(transparent)]
    Start(#[from] crate::state::StartError),
    /// The SQLite store.
    #[error("meta.sqlite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// The PostgreSQL store.
    #[error("PostgreSQL: {0}")]
    Postgres(#[from] tokio_postgres::Error),
    /// Either store's own error.
    #[error(transparent)]
    Meta(#[from] crate::meta::MetaError),
    /// A blob store.
    #[error("blob store: {0}")]
    Objects(#[from] object_store::Error),
    /// A blocking task.
    #[error("a copy task failed: {0}")]
    Task(String),
}

/// Moves the embedded stores in `data_dir` onto those `config` names.
pub async fn migrate_storage(data_dir: &Path, config: &Config) -> Result<Copied, MigrateError> {
    let (MetadataBackend::Postgres, Some(pg)) =
        (config.storage.metadata, config.storage.postgres.as_ref())
    else {
        return Err(MigrateError::NothingToMoveTo);
    };
    let source_path = data_dir.join(sqlite::FILE_NAME);
    if !source_path.exists() {
        return Err(MigrateError::NoSource(data_dir.to_owned()));
    }
    // Brings an older meta.sqlite to this version's schema first (the only write to it).
    drop(sqlite::SqliteMeta::open(data_dir)?);
    let target = PgMeta::connect(pg).await?;
    let mut client = target.client().await?;
    for table in TABLES {
        let rows: i64 = client
            .query_one(&format!("SELECT count(*) FROM {table}"), &[])
            .await?
            .get(0);
        if rows > 0 {
            return Err(MigrateError::TargetNotEmpty {
                table,
                rows: rows as u64,
            });
        }
    }

    let mut copied = Copied::default();
    if config.storage.blobs == BlobBackend::S3 {
        let local = crate::state::open_blobs(data_dir, &Config::default())?;
        let bucket = crate::state::open_blobs(data_dir, config)?;
        copy_objects(local.as_ref(), bucket.as_ref(), &mut copied).await?;
    }

    let tx = client.transaction().await?;
    for table in TABLES {
        let source_rows = copy_table(&source_path, table, &tx).await?;
        let target_rows: i64 = tx
            .query_one(&format!("SELECT count(*) FROM {table}"), &[])
            .await?
            .get(0);
        if target_rows as u64 != source_rows {
            return Err(MigrateError::Count {
                table,
                source_rows,
                target_rows: target_rows as u64,
            });
        }
        copied.rows.push((table, source_rows));
    }
    // The copied events keep their sequences; new ones continue after them.
    tx.execute(
        "SELECT setval(pg_get_serial_sequence('events', 'sequence'), \
         COALESCE((SELECT max(sequence) FROM events), 0) + 1, false)",
        &[],
    )
    .await?;
    tx.commit().await?;
    Ok(copied)
}

/// Copies every object of `from` that `to` lacks, streaming (bounded memory for any size).
async fn copy_objects(
    from: &dyn ObjectStore,
    to: &dyn ObjectStore,
    copied: &mut Copied,
) -> Result<(), MigrateError> {
    let mut listing = from.list(None);
    while let Some(meta) = listing.try_next().await? {
        match to.head(&meta.location).await {
            Ok(there) if there.size == meta.size => {
                copied.objects_kept += 1;
                copied.bytes += meta.size;
                continue;
            }
            Ok(_) | Err(object_store::Error::NotFound { .. }) => {}
            Err(e) => return Err(e.into()),
        }
        let mut writer = WriteMultipart::new(to.put_multipart(&meta.location).await?);
        let mut stream = from.get(&meta.location).await?.into_stream();
        while let Some(bytes) = stream.next().await {
            writer.wait_for_capacity(2).await?;
            writer.put(bytes?);
        }
        writer.finish().await?;
        let there = to.head(&meta.location).await?;
        if there.size != meta.size {
            return Err(MigrateError::ObjectSize(
                meta.location.to_string(),
                there.size,
                meta.size,
            ));
        }
        copied.objects_copied += 1;
        copied.bytes += meta.size;
    }
    Ok(())
}

/// Copies one table's rows into the open transaction; returns how many.
async fn copy_table(
    source: &Path,
    table: &'static str,
    tx: &tokio_postgres::Transaction<'_>,
) -> Result<u64, MigrateError> {
    // The target's columns and types decide the conversion of each value.
    let probe = tx
        .prepare(&format!("SELECT * FROM {table} LIMIT 0"))
        .await?;
    let columns: Vec<(String, Type)> = probe
        .columns()
        .iter()
        .map(|c| (c.name().to_owned(), c.type_().clone()))
        .collect();
    let names: Vec<String> = columns.iter().map(|(n, _)| n.clone()).collect();
    let rows = read_rows(source, table, names.clone()).await?;
    let types: Vec<Type> = columns.iter().map(|(_, t)| t.clone()).collect();
    let sink = tx
        .copy_in(&format!(
            "COPY {table} ({}) FROM STDIN BINARY",
            names.join(", ")
        ))
        .await?;
    let writer = BinaryCopyInWriter::new(sink, &types);
    let mut writer = std::pin::pin!(writer);
    let count = rows.len() as u64;
    for row in rows {
        let mut values: Vec<Box<dyn ToSql + Sync + Send>> = Vec::with_capacity(row.len());
        for ((name, kind), value) in columns.iter().zip(row) {
            values.push(convert(table, name, kind, value)?);
        }
        let refs: Vec<&(dyn ToSql + Sync)> = values
            .iter()
            .map(|v| v.as_ref() as &(dyn ToSql + Sync))
            .collect();
        writer.as_mut().write(&refs).await?;
    }
    writer.finish().await?;
    Ok(count)
}

/// Every row of `table` in meta.sqlite, with `columns` in that order (on the blocking pool).
async fn read_rows(
    source: &Path,
    table: &'static str,
    columns: Vec<String>,
) -> Result<Vec<Vec<Value>>, MigrateError> {
    let source = source.to_owned();
    tokio::task::spawn_blocking(move || {
        let conn = rusqlite::Connection::open_with_flags(
            &source,
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
        )?;
        let present: Vec<String> = conn
            .prepare(&format!("SELECT name FROM pragma_table_info('{table}')"))?
            .query_map([], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        if let Some(missing) = columns.iter().find(|c| !present.contains(c)) {
            return Err(MigrateError::Column {
                table,
                column: missing.clone(),
            });
        }
        let mut statement = conn.prepare(&format!("SELECT {} FROM {table}", columns.join(", ")))?;
        let rows = statement
            .query_map([], |r| {
                (0..columns.len())
                    .map(|i| r.get::<_, Value>(i))
                    .collect::<Result<Vec<_>, _>>()
            })?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    })
    .await
    .map_err(|e| MigrateError::Task(e.to_string()))?
}

/// One SQLite value as the PostgreSQL column's type.
fn convert(
    table: &'static str,
    column: &str,
    kind: &Type,
    value: Value,
) -> Result<Box<dyn ToSql + Sync + Send>, MigrateError> {
    let refuse = |value: &Value| MigrateError::Value {
        table,
        column: column.to_owned(),
        value: format!("{value:?}").chars().take(80).collect(),
        kind: kind.name().to_owned(),
    };
    let text = |value: &Value| match value {
        Value::Text(t) => Ok(t.clone()),
        other => Err(refuse(other)),
    };
    if value == Value::Null {
        return Ok(match *kind {
            Type::UUID => Box::new(None::<uuid::Uuid>),
            Type::TIMESTAMPTZ => Box::new(None::<chrono::DateTime<chrono::Utc>>),
            Type::DATE => Box::new(None::<chrono::NaiveDate>),
            Type::BYTEA => Box::new(None::<Vec<u8>>),
            Type::INT8 => Box::new(None::<i64>),
            Type::INT4 => Box::new(None::<i32>),
            Type::BOOL => Box::new(None::<bool>),
            _ => Box::new(None::<String>),
        });
    }
    Ok(match *kind {
        Type::UUID => Box::new(uuid::Uuid::parse_str(&text(&value)?).map_err(|_| refuse(&value))?),
        Type::TIMESTAMPTZ => {
            Box::new(sqlite::parse_time(&text(&value)?).map_err(|_| refuse(&value))?)
        }
        Type::DATE => Box::new(
            chrono::NaiveDate::parse_from_str(&text(&value)?, "%Y-%m-%d")
                .map_err(|_| refuse(&value))?,
        ),
        // Hashes SQLite keeps as hex text, or as blobs.
        Type::BYTEA => match &value {
            Value::Blob(bytes) => Box::new(bytes.clone()),
            Value::Text(hex) => Box::new(decode_hex(hex).ok_or_else(|| refuse(&value))?),
            other => return Err(refuse(other)),
        },
        Type::INT8 => match value {
            Value::Integer(n) => Box::new(n),
            other => return Err(refuse(&other)),
        },
        Type::INT4 => match value {
            Value::Integer(n) => Box::new(i32::try_from(n).map_err(|_| refuse(&value))?),
            other => return Err(refuse(&other)),
        },
        Type::BOOL => match value {
            Value::Integer(n) => Box::new(n != 0),
            other => return Err(refuse(&other)),
        },
        Type::TEXT | Type::VARCHAR => match value {
            Value::Text(t) => Box::new(t),
            Value::Integer(n) => Box::new(n.to_string()),
            other => return Err(refuse(&other)),
        },
        _ => return Err(refuse(&value)),
    })
}

fn decode_hex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_hashes_become_bytes_and_bad_values_are_named() {
        assert_eq!(decode_hex("00ff10"), Some(vec![0, 255, 16]));
        assert_eq!(decode_hex("0g"), None);
        assert_eq!(decode_hex("abc"), None);
        let err = convert(
            "uploads",
            "id",
            &Type::UUID,
            Value::Text("not-a-uuid".into()),
        )
        .err()
        .unwrap()
        .to_string();
        assert!(
            err.contains("uploads.id") && err.contains("not-a-uuid"),
            "{err}"
        );
    }
}
