//! Schema migrations: an append-only list; the database's `user_version` says how many ran.

use std::path::Path;

use rusqlite::{Connection, TransactionBehavior};

use crate::error::{AtPath, Error, Foreign, Result};

/// Every migration, in order. Never edit or remove one: add a new one.
pub(crate) const MIGRATIONS: &[&str] = &[
    include_str!("sql/0001_initial.sql"),
    include_str!("sql/0002_evidence.sql"),
    include_str!("sql/0003_vault.sql"),
    include_str!("sql/0004_evidence_folders.sql"),
    include_str!("sql/0005_details_as_data.sql"),
    include_str!("sql/0006_move_search_index.sql"),
    include_str!("sql/0007_outbox.sql"),
    include_str!("sql/0008_renewal.sql"),
    include_str!("sql/0009_erasures.sql"),
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
        // Negative versions never come from Waymark (Store::open refuses them first).
        let step = usize::try_from(current).map_err(|_| Error::ForeignDatabase {
            path: path.to_owned(),
            kind: Foreign::ImpossibleVersion { found: current },
        })?;
        tx.execute_batch(MIGRATIONS[step]).at(path)?;
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
    include_str!("sql/fixtures/0005.sql"),
    include_str!("sql/fixtures/0006.sql"),
    include_str!("sql/fixtures/0007.sql"),
    include_str!("sql/fixtures/0008.sql"),
    include_str!("sql/fixtures/0009.sql"),
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::{ReadProblem, StatusDetail};
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
            // Earlier versions wrote a plaintext database into the data folder: opening the
            // folder encrypts it (crates/core/src/keys/folder.rs) and upgrades its schema.
            let path = dir.path().join(super::super::DATABASE_FILE);
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
            if version == 0 {
                // SQLite leaves an empty file until something is written; "version 0" is a
                // folder with no database yet (an empty file is refused as not a database).
                std::fs::remove_file(&path).expect("remove empty file");
            }
            let keys = crate::EphemeralKeys::new();
            let store = crate::keys::folder::open(dir.path(), keys.as_ref())
                .expect("encrypt and upgrade")
                .store;
            assert_eq!(
                crate::store::is_plaintext(&path).expect("read"),
                Some(false),
                "from version {version}: the database is encrypted"
            );
            for entry in std::fs::read_dir(dir.path()).expect("list").flatten() {
                let bytes = std::fs::read(entry.path()).unwrap_or_default();
                for secret in [
                    &b"Llanfair"[..],
                    b"Our vision is shared",
                    b"SQLite format 3",
                ] {
                    assert!(
                        !bytes.windows(secret.len()).any(|w| w == secret),
                        "from version {version}: {} holds {:?} in plain text",
                        entry.path().display(),
                        String::from_utf8_lossy(secret)
                    );
                }
            }
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
                let listed: Vec<String> = store
                    .evidence(review)
                    .expect("read")
                    .into_iter()
                    .map(|i| i.title)
                    .collect();
                assert_eq!(listed, ["Computing policy", "Plan", "Locked"]);
                assert_eq!(
                    store
                        .evidence_versions(review, "01900000-0000-7000-8000-000000000011")
                        .expect("read")
                        .len(),
                    1
                );
                // Version 4's English details became data.
                let items = store.evidence(review).expect("read");
                let detail = |title: &str| {
                    items
                        .iter()
                        .find(|i| i.title == title)
                        .and_then(|i| i.status_detail.clone())
                };
                assert_eq!(
                    detail("Plan"),
                    Some(StatusDetail::MovedFrom {
                        from: "/school/plan.txt".into()
                    })
                );
                assert_eq!(
                    detail("Locked"),
                    Some(StatusDetail::Unreadable {
                        problem: ReadProblem::Other {
                            message: "Input/output error (os error 5)".into()
                        }
                    })
                );
            }
            if version >= 5 {
                assert_eq!(
                    store.installation_id().expect("read"),
                    "01900000-0000-7000-8000-0000000000a1"
                );
                assert_eq!(
                    store.local_setting("author").expect("read").as_deref(),
                    Some("Siân Owen")
                );
            }
            if version >= 6 {
                let review = "01900000-0000-7000-8000-000000000002";
                assert_eq!(
                    store.search_roots(review).expect("read"),
                    [std::path::PathBuf::from("/school")]
                );
                assert_eq!(store.listed_dirs(review).expect("read").len(), 1);
                let indexed = store.untracked_of_size(review, 12).expect("read");
                assert_eq!(indexed.len(), 1);
                assert!(indexed[0].hash.is_some());
            }
            if (1..8).contains(&version) {
                // Before renewals: the one review stays open, and can be worked on.
                let reviews = store.reviews().expect("read");
                assert_eq!(reviews.len(), 1);
                assert_eq!((&reviews[0].closed_at, &reviews[0].renews), (&None, &None));
            }
            if version >= 7 {
                let enrollment = store.enrollment().expect("read").expect("kept");
                assert_eq!(enrollment.endpoint, "https://awards.example.org");
                assert_eq!(enrollment.key_sets, r#"[{"fixture":"key set"}]"#);
                assert_eq!(
                    enrollment.enrolled_at.to_rfc3339(),
                    "2025-04-01T09:00:00+00:00"
                );
                let blobs = store.sealed_blobs().expect("read");
                assert_eq!(blobs.len(), 2);
                assert!(blobs[0].held && blobs[0].upload_url.is_none());
                assert!(!blobs[1].held && blobs[1].upload_url.is_some());
                let outbox = store.outbox().expect("read");
                let states: Vec<_> = outbox.iter().map(|s| s.state.as_str()).collect();
                assert_eq!(states, ["sent", "queued"]);
                assert_eq!(outbox[0].receipt.as_deref(), Some(r#"{"receipt":"first"}"#));
                assert_eq!(outbox[0].status_tag.as_deref(), Some(r#""v3""#));
                assert_eq!(
                    outbox[1].blobs,
                    [blobs[0].sha256.as_str(), blobs[1].sha256.as_str()]
                );
                assert_eq!((outbox[1].attempts, outbox[1].bytes_sent), (2, 2048));
                let by_server = store
                    .submission_by_server_id("01900000-0000-7000-8000-0000000000e1")
                    .expect("read")
                    .expect("kept");
                assert_eq!(by_server, outbox[0]);
            }
            if version >= 8 {
                let awarded = "01900000-0000-7000-8000-000000000002";
                let renewal = "01900000-0000-7000-8000-000000000020";
                let reviews = store.reviews().expect("read");
                let ids: Vec<&str> = reviews.iter().map(|r| r.id.as_str()).collect();
                assert_eq!(ids, [renewal, awarded], "the open renewal first");
                assert_eq!(reviews[0].renews.as_deref(), Some(awarded));
                assert_eq!(
                    reviews[1].closed_at.as_deref(),
                    Some("2027-11-01T09:00:00.000Z")
                );
                let carried = &store.responses(renewal).expect("read")[0];
                assert!(carried.needs_confirmation);
                assert_eq!(store.evidence(renewal).expect("read")[0].links.len(), 1);
                assert_eq!(store.evidence_folders(renewal).expect("read").len(), 1);
                assert_eq!(store.actions(renewal).expect("read")[0].benchmarks, ["1.1"]);
                // The awarded review is read-only.
                let mut store = store;
                let err = store
                    .set_action_status(
                        awarded,
                        "01900000-0000-7000-8000-000000000004",
                        crate::store::ActionStatus::Done,
                    )
                    .expect_err("closed");
                assert_eq!(err.code(), crate::ErrorCode::ReviewClosed);
            }
        }
    }

    /// The schema of every table, index and trigger, in a stable order.
    fn schema(store: &Store) -> Vec<(String, String, String)> {
        let mut stmt = store
            .conn
            .prepare("SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name")
            .expect("prepare");
        stmt.query_map([], |r| {
            // SQLite keeps the CREATE text as written; ALTER TABLE appends to it, so compare
            // with whitespace collapsed.
            let sql: Option<String> = r.get(2)?;
            let sql = sql
                .unwrap_or_default()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
            Ok((r.get(0)?, r.get(1)?, sql))
        })
        .expect("query")
        .collect::<rusqlite::Result<_>>()
        .expect("rows")
    }

    /// Upgrading step by step from any earlier version gives exactly the schema a new
    /// database gets, so no migration depends on having started fresh.
    #[test]
    fn an_upgraded_database_has_exactly_the_schema_of_a_new_one() {
        let dir = tempfile::tempdir().expect("temp dir");
        let plain = &crate::store::Cipher::Plain;
        let fresh = Store::open(&dir.path().join("fresh.sqlite3"), plain).expect("fresh");
        let want = schema(&fresh);
        for version in 1..LATEST_SCHEMA {
            let path = dir.path().join(format!("v{version}.sqlite3"));
            {
                let mut conn = Connection::open(&path).expect("create");
                migrate_to(&mut conn, &path, version).expect("old schema");
            }
            let upgraded = Store::open(&path, plain).expect("upgrade");
            assert_eq!(schema(&upgraded), want, "upgraded from version {version}");
            let app_id: i64 = upgraded
                .conn
                .pragma_query_value(None, "application_id", |r| r.get(0))
                .expect("read");
            assert_eq!(app_id, super::super::APPLICATION_ID);
        }
    }
}
