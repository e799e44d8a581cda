//! Every table of the database as plain values and back: the data of an export archive.
//!
//! The dump is generic on purpose: it reads `sqlite_master`, so a table added by a later
//! migration is exported (and imported) without anyone remembering to add it, and the
//! round-trip test compares every table there is. Values keep SQLite's own types: integers and
//! reals as JSON numbers, text as strings, blobs (exact path bytes) as `{"hex": "…"}`, NULL as
//! null, so an import writes back exactly what was read.

use std::path::Path;

use rusqlite::types::{Value as Sql, ValueRef};
use rusqlite::{Connection, Transaction, TransactionBehavior};
use serde::{Deserialize, Serialize};
use serde_json::Value as Json;

use super::migrations;
use crate::error::{AtPath, Error, Result};

/// One table's rows, columns in the table's own order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TableDump {
    /// The table's name.
    pub name: String,
    /// Its columns, in order.
    pub columns: Vec<String>,
    /// Its rows, each value in the column's place.
    pub rows: Vec<Vec<Json>>,
}

/// The names of the database's own tables, in the order they were made (SQLite's internal
/// tables, such as `sqlite_sequence`, are not data and are rebuilt by the inserts).
fn table_names(conn: &Connection, path: &Path) -> Result<Vec<String>> {
    conn.prepare(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY rowid",
    )
    .and_then(|mut st| st.query_map([], |r| r.get(0))?.collect())
    .at(path)
}

fn column_names(conn: &Connection, path: &Path, table: &str) -> Result<Vec<String>> {
    conn.prepare("SELECT name FROM pragma_table_info(?1) ORDER BY cid")
        .and_then(|mut st| st.query_map([table], |r| r.get(0))?.collect())
        .at(path)
}

fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

fn to_json(value: ValueRef<'_>) -> Json {
    match value {
        ValueRef::Null => Json::Null,
        ValueRef::Integer(i) => Json::from(i),
        ValueRef::Real(f) => serde_json::Number::from_f64(f).map_or(Json::Null, Json::Number),
        ValueRef::Text(t) => Json::String(String::from_utf8_lossy(t).into_owned()),
        ValueRef::Blob(b) => serde_json::json!({ "hex": hex(b) }),
    }
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

/// Turns an exported value back into SQLite's; `None` when it is not one an export writes.
fn to_sql(value: &Json) -> Option<Sql> {
    Some(match value {
        Json::Null => Sql::Null,
        Json::Bool(b) => Sql::Integer(i64::from(*b)),
        Json::Number(n) => match n.as_i64() {
            Some(i) => Sql::Integer(i),
            None => Sql::Real(n.as_f64()?),
        },
        Json::String(s) => Sql::Text(s.clone()),
        Json::Object(map) if map.len() == 1 => Sql::Blob(unhex(map.get("hex")?.as_str()?)?),
        _ => return None,
    })
}

/// Every table, every row (sorted by every column in turn, so two dumps of equal databases
/// are equal; `WITHOUT ROWID` tables have no rowid to sort by).
pub(crate) fn dump(conn: &Connection, path: &Path) -> Result<Vec<TableDump>> {
    let mut tables = Vec::new();
    for name in table_names(conn, path)? {
        let columns = column_names(conn, path, &name)?;
        let order = (1..=columns.len())
            .map(|i| i.to_string())
            .collect::<Vec<_>>()
            .join(", ");
        let mut stmt = conn
            .prepare(&format!("SELECT * FROM {} ORDER BY {order}", quoted(&name)))
            .at(path)?;
        let rows = stmt
            .query_map([], |r| {
                (0..columns.len())
                    .map(|i| r.get_ref(i).map(to_json))
                    .collect::<rusqlite::Result<Vec<_>>>()
            })
            .at(path)?
            .collect::<rusqlite::Result<Vec<_>>>()
            .at(path)?;
        tables.push(TableDump {
            name,
            columns,
            rows,
        });
    }
    Ok(tables)
}

/// A problem with an archive's data, for [`Error::ImportInvalid`].
fn invalid(archive: &Path, problem: String) -> Error {
    Error::ImportInvalid {
        path: archive.to_owned(),
        problem,
    }
}

/// Fills a new, empty database (not yet migrated) with an export's tables: the schema is
/// built up to the export's version, the rows written, then the later migrations run, so an
/// export made by an earlier Waymark becomes today's data the same way its folder would.
///
/// All rows go in in one transaction with foreign keys checked at its end; the triggers that
/// keep a closed review read-only are lifted for that transaction only (an export holds closed
/// reviews with their responses) and put back from their own text before it commits.
pub(crate) fn load(
    conn: &mut Connection,
    path: &Path,
    archive: &Path,
    schema_version: i64,
    tables: &[TableDump],
) -> Result<()> {
    if schema_version < 1 {
        return Err(invalid(
            archive,
            format!("its data version {schema_version} is not one Waymark ever wrote"),
        ));
    }
    migrations::migrate_to(conn, path, schema_version)?;
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .at(path)?;
    tx.pragma_update(None, "defer_foreign_keys", "ON")
        .at(path)?;
    let triggers: Vec<(String, String)> = tx
        .prepare("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY rowid")
        .and_then(|mut st| st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect())
        .at(path)?;
    for (name, _) in &triggers {
        tx.execute_batch(&format!("DROP TRIGGER {}", quoted(name)))
            .at(path)?;
    }
    let known = table_names(&tx, path)?;
    // A new database has rows of its own (its installation id); the export's replace them.
    for name in &known {
        tx.execute(&format!("DELETE FROM {}", quoted(name)), [])
            .at(path)?;
    }
    for table in tables {
        insert_table(&tx, path, archive, &known, table)?;
    }
    for (_, sql) in &triggers {
        tx.execute_batch(sql).at(path)?;
    }
    let broken: Option<String> = tx
        .query_row(
            "SELECT \"table\" FROM pragma_foreign_key_check LIMIT 1",
            [],
            |r| r.get(0),
        )
        .ok();
    if let Some(table) = broken {
        return Err(invalid(
            archive,
            format!("rows of table {table} refer to rows that are not in the export"),
        ));
    }
    tx.commit().at(path)?;
    migrations::migrate(conn, path)
}

fn insert_table(
    tx: &Transaction<'_>,
    path: &Path,
    archive: &Path,
    known: &[String],
    table: &TableDump,
) -> Result<()> {
    if !known.contains(&table.name) {
        return Err(invalid(
            archive,
            format!(
                "it has a table {:?} that its data version does not have",
                table.name
            ),
        ));
    }
    let columns = column_names(tx, path, &table.name)?;
    if let Some(extra) = table.columns.iter().find(|c| !columns.contains(c)) {
        return Err(invalid(
            archive,
            format!(
                "table {} has a column {extra:?} its data version does not have",
                table.name
            ),
        ));
    }
    let list = table
        .columns
        .iter()
        .map(|c| quoted(c))
        .collect::<Vec<_>>()
        .join(", ");
    let marks = vec!["?"; table.columns.len()].join(", ");
    let mut stmt = tx
        .prepare(&format!(
            "INSERT INTO {} ({list}) VALUES ({marks})",
            quoted(&table.name)
        ))
        .at(path)?;
    for (n, row) in table.rows.iter().enumerate() {
        if row.len() != table.columns.len() {
            return Err(invalid(
                archive,
                format!(
                    "row {} of table {} has {} values for {} columns",
                    n + 1,
                    table.name,
                    row.len(),
                    table.columns.len()
                ),
            ));
        }
        let values = row
            .iter()
            .map(|v| {
                to_sql(v).ok_or_else(|| {
                    invalid(
                        archive,
                        format!(
                            "row {} of table {} holds {v}, which is not a value",
                            n + 1,
                            table.name
                        ),
                    )
                })
            })
            .collect::<Result<Vec<_>>>()?;
        stmt.execute(rusqlite::params_from_iter(values))
            .map_err(|e| {
                invalid(
                    archive,
                    format!(
                        "row {} of table {} could not be written back ({e})",
                        n + 1,
                        table.name
                    ),
                )
            })?;
    }
    Ok(())
}

impl super::Store {
    /// Rows in one of the database's tables (the Privacy screen's counts; `table` is one of
    /// the core's own names, never input).
    pub(crate) fn count_rows(&self, table: &str) -> Result<u64> {
        self.conn
            .query_row(
                &format!("SELECT COUNT(*) FROM {}", quoted(table)),
                [],
                |r| r.get::<_, i64>(0),
            )
            .map(|n| u64::try_from(n).unwrap_or(0))
            .at(&self.path)
    }

    /// Makes the database at `path` (which must not exist) from an export's tables: built
    /// under a temporary name and linked into place only when complete, so a failed or killed
    /// import leaves no database behind and can be run again.
    pub(crate) fn create_imported(
        path: &Path,
        cipher: &super::Cipher<'_>,
        archive: &Path,
        schema_version: i64,
        tables: &[TableDump],
    ) -> Result<()> {
        let temp = path.with_file_name(format!(".import.{}.new", super::new_id()));
        let built = (|| {
            let mut conn = Connection::open(&temp).at(&temp)?;
            cipher.apply(&conn, &temp)?;
            conn.pragma_update(None, "journal_mode", "WAL").at(&temp)?;
            conn.pragma_update(None, "foreign_keys", "ON").at(&temp)?;
            load(&mut conn, &temp, archive, schema_version, tables)?;
            conn.close()
                .map_err(|(_, e)| crate::error::database_error(&temp, e))
        })();
        let placed = built.and_then(|()| {
            std::fs::hard_link(&temp, path)
                .or_else(|_| std::fs::rename(&temp, path))
                .map_err(|source| Error::Io {
                    path: path.to_owned(),
                    action: crate::error::IoAction::Write,
                    source,
                })
        });
        for leftover in [
            temp.clone(),
            temp.with_extension("new-wal"),
            temp.with_extension("new-shm"),
        ] {
            let _ = std::fs::remove_file(leftover);
        }
        placed
    }

    /// The recorded erasures, newest first: (kind, erased_at, erased_by).
    pub(crate) fn erasures(&self) -> Result<Vec<(String, String, Option<String>)>> {
        self.conn
            .prepare(
                "SELECT kind, erased_at, erased_by FROM erasures ORDER BY erased_at DESC, id DESC",
            )
            .and_then(|mut st| {
                st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                    .collect()
            })
            .at(&self.path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_of_value_comes_back_as_it_was() {
        for value in [
            Sql::Null,
            Sql::Integer(i64::MIN),
            Sql::Integer(42),
            Sql::Real(0.25),
            Sql::Text("é \"quoted\"".into()),
            Sql::Blob(vec![0, 0xff, b'/', 0x80]),
        ] {
            let json = to_json(ValueRef::from(&value));
            let text = serde_json::to_string(&json).expect("json");
            let back: Json = serde_json::from_str(&text).expect("parse");
            assert_eq!(to_sql(&back), Some(value));
        }
        assert_eq!(to_sql(&serde_json::json!({ "hex": "0g" })), None);
        assert_eq!(to_sql(&serde_json::json!([1])), None);
    }
}
