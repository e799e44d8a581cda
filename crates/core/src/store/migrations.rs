//! Schema migrations: an append-only list; the database's `user_version` says how many ran.

use std::path::Path;

use rusqlite::{Connection, TransactionBehavior};

use crate::error::{AtPath, Error, Result};

/// Every migration, in order. Never edit or remove one: add a new one.
pub(crate) const MIGRATIONS: &[&str] = &[
    include_str!("sql/0001_initial.sql"),
    include_str!("sql/0002_evidence.sql"),
    include_str!("sql/0003_vault.sql"),
    include_str!("sql/0004_evidence_folders.sql"),
];

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

/// Data as each schema version wrote it, one per migration, for the upgrade test.
#[cfg(test)]
const FIXTURES: &[&str] = &[
    include_str!("sql/fixtures/0001.sql"),
    include_str!("sql/fixtures/0002.sql"),
    include_str!("sql/fixtures/0003.sql"),
    include_str!("sql/fixtures/0004.sql"),
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    #[test]
    fn every_migration_has_a_fixture_of_the_data_it_wrote() {
        assert_eq!(
            FIXTURES.len(),
            MIGRATIONS.len(),
            "add sql/fixtures/NNNN.sql for the new migration"
        );
    }

    /// A database created by every earlier schema version, holding that version's data, opens
    /// with the current Waymark with nothing lost and nothing dangling.
    #[test]
    fn a_database_from_every_earlier_version_upgrades_with_its_data() {
        for version in 0..=LATEST_SCHEMA {
            let dir = tempfile::tempdir().expect("temp dir");
            let path = dir.path().join("old.sqlite3");
            {
                let mut conn = Connection::open(&path).expect("create");
                conn.pragma_update(None, "foreign_keys", "ON").expect("fk");
                for step in 1..=version {
                    migrate_to(&mut conn, &path, step).expect("old schema");
                    conn.execute_batch(FIXTURES[step as usize - 1])
                        .expect("old data");
                }
                let v: i64 = conn
                    .pragma_query_value(None, "user_version", |r| r.get(0))
                    .expect("read");
                assert_eq!(v, version);
            }
            let store = Store::open(&path).expect("upgrade");
            assert_eq!(store.schema_version().expect("version"), LATEST_SCHEMA);
            assert_eq!(store.integrity_check().expect("check"), ["ok"]);
            let dangling: i64 = store
                .conn
                .query_row("SELECT COUNT(*) FROM pragma_foreign_key_check", [], |r| {
                    r.get(0)
                })
                .expect("fk check");
            assert_eq!(dangling, 0, "from version {version}");
            if version >= 1 {
                let inst = store.institution().expect("read").expect("kept");
                assert_eq!(inst.name, "Ysgol Gynradd Llanfair ŵŷ");
                let review = "01900000-0000-7000-8000-000000000002";
                assert_eq!(
                    store.responses(review).expect("read")[0].commentary,
                    "Our vision is shared."
                );
                assert_eq!(store.history(review, "1.1").expect("read").len(), 1);
                assert_eq!(store.actions(review).expect("read")[0].benchmarks, ["1.1"]);
                assert_eq!(store.contributors().expect("read").len(), 1);
            }
            if version >= 2 {
                let review = "01900000-0000-7000-8000-000000000002";
                let items = store.evidence(review).expect("read");
                assert_eq!(items[0].title, "Computing policy");
                assert_eq!(
                    items[0].links[0].requirement_id.as_deref(),
                    Some("1.1-policy")
                );
            }
            if version >= 4 {
                let review = "01900000-0000-7000-8000-000000000002";
                let folders = store.evidence_folders(review).expect("read");
                assert_eq!(folders.len(), 1);
                assert_eq!(folders[0].path, std::path::Path::new("/school"));
                // The removed item is kept (with its history) but no longer listed.
                assert_eq!(store.evidence(review).expect("read").len(), 1);
                assert_eq!(
                    store
                        .evidence_versions("01900000-0000-7000-8000-000000000011")
                        .expect("read")
                        .len(),
                    1
                );
            }
        }
    }
}
