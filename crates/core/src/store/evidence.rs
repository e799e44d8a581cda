//! Evidence items, their links and accepted versions, and applying a rescan's findings.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use rusqlite::{OptionalExtension, Row, Transaction, params};

use super::search_index::key_and_range;
use super::{Store, new_id, now, optional, parsed};
use crate::error::{AtPath, Entity, Error, Hint, Result};
use crate::evidence::{
    EvidenceFolder, EvidenceItem, EvidenceLink, EvidenceStatus, FileFacts, StatusDetail,
    path_from_key, path_key,
};

/// A file to add, already hashed by the caller (hashing happens outside the transaction).
#[derive(Debug, Clone)]
pub(crate) struct NewEvidence<'a> {
    pub path: &'a Path,
    pub facts: FileFacts,
    pub hash: String,
    pub title: String,
    pub links: &'a [EvidenceLink],
    pub checked_at_ns: i64,
}

/// What a quiet rescan reads of each item: enough to tell by size and time whether its file
/// could have changed. The rest ([`Tracked`]) is read only for the items that did, or whose
/// status is not ok: reading every item's id and hashes was half of a quiet rescan's reading.
#[derive(Debug, Clone)]
pub(crate) struct Glance {
    /// Names the row for the rest of this rescan (SQLite may renumber rows only on VACUUM).
    pub rowid: i64,
    pub path: std::path::PathBuf,
    pub size: u64,
    pub mtime_ns: i64,
    pub checked_at_ns: i64,
    pub status: EvidenceStatus,
}

/// What the store keeps about an item that a rescan records something for, or looks for.
#[derive(Debug, Clone)]
pub(crate) struct Tracked {
    pub rowid: i64,
    pub id: String,
    pub path: std::path::PathBuf,
    pub size: u64,
    pub hash: String,
    pub status: EvidenceStatus,
    /// The content last seen when it differs from the accepted one (a modified item).
    pub seen_hash: Option<String>,
    /// Its size.
    pub seen_size: Option<u64>,
}

/// The new state of one item after a rescan.
#[derive(Debug, Clone)]
pub(crate) struct Finding {
    pub id: String,
    pub status: EvidenceStatus,
    pub detail: Option<StatusDetail>,
    /// New path when the item moved.
    pub moved_to: Option<std::path::PathBuf>,
    /// Facts seen now, when the file was there.
    pub facts: Option<FileFacts>,
    /// Hash seen when it differs from the accepted one.
    pub seen_hash: Option<String>,
    pub checked_at_ns: i64,
}

const COLUMNS: &str = "id, path, title, note, media_type, size, hash, status, status_detail, personal_data, added_by, added_at, frozen_hash";

/// The status detail as stored: JSON of [`StatusDetail`].
fn detail_json(detail: Option<&StatusDetail>) -> Option<String> {
    // Serialising a plain enum of strings cannot fail.
    detail.and_then(|d| serde_json::to_string(d).ok())
}

fn from_row(r: &Row<'_>) -> rusqlite::Result<EvidenceItem> {
    let id: String = r.get(0)?;
    let status = parsed(
        r,
        7,
        ("evidence_items", "status"),
        &id,
        EvidenceStatus::parse,
    )?;
    let status_detail = match r.get_ref(8)?.as_str_or_null()? {
        None => None,
        Some(_) => Some(parsed(
            r,
            8,
            ("evidence_items", "status_detail"),
            &id,
            |text| serde_json::from_str::<StatusDetail>(text).ok(),
        )?),
    };
    Ok(EvidenceItem {
        id,
        path: r.get(1)?,
        title: r.get(2)?,
        note: r.get(3)?,
        media_type: r.get(4)?,
        size: r.get::<_, i64>(5)?.max(0) as u64,
        hash: r.get(6)?,
        status,
        status_detail,
        present: status.is_present(),
        needs_attention: status.needs_attention(),
        personal_data: r.get(9)?,
        links: Vec::new(),
        added_by: r.get(10)?,
        added_at: r.get(11)?,
        frozen_hash: r.get(12)?,
    })
}

/// What [`tracked_from_row`] reads.
pub(crate) const TRACKED_COLUMNS: &str =
    "rowid, id, path_key, size, hash, status, seen_hash, seen_size";

pub(crate) fn tracked_from_row(r: &Row<'_>) -> rusqlite::Result<Tracked> {
    let id: String = r.get(1)?;
    let status = parsed(
        r,
        5,
        ("evidence_items", "status"),
        &id,
        EvidenceStatus::parse,
    )?;
    Ok(Tracked {
        rowid: r.get(0)?,
        id,
        path: path_from_key(r.get_ref(2)?.as_blob()?),
        size: r.get::<_, i64>(3)?.max(0) as u64,
        hash: r.get(4)?,
        status,
        seen_hash: r.get(6)?,
        seen_size: r.get::<_, Option<i64>>(7)?.map(|s| s.max(0) as u64),
    })
}

/// What [`glance_from_row`] reads.
const GLANCE_COLUMNS: &str = "rowid, id, path_key, size, mtime_ns, checked_at_ns, status";

fn glance_from_row(r: &Row<'_>) -> rusqlite::Result<Glance> {
    // Borrowed: the id only names the row if its status is not one Waymark wrote.
    let id = r.get_ref(1)?.as_str()?;
    let status = parsed(
        r,
        6,
        ("evidence_items", "status"),
        id,
        EvidenceStatus::parse,
    )?;
    Ok(Glance {
        rowid: r.get(0)?,
        path: path_from_key(r.get_ref(2)?.as_blob()?),
        size: r.get::<_, i64>(3)?.max(0) as u64,
        mtime_ns: r.get(4)?,
        checked_at_ns: r.get(5)?,
        status,
    })
}

/// Refuses an id that is not a tracked (not removed) item of the review.
/// A link from a `(benchmark_id, requirement_id)` row (`''` for no requirement, as stored).
pub(crate) fn link_from(benchmark_id: String, requirement: String) -> EvidenceLink {
    EvidenceLink {
        benchmark_id,
        requirement_id: (!requirement.is_empty()).then_some(requirement),
    }
}

fn ensure_tracked(tx: &Transaction<'_>, path: &Path, review_id: &str, id: &str) -> Result<()> {
    tx.query_row(
        "SELECT id FROM evidence_items WHERE id = ?1 AND review_id = ?2 AND removed_at IS NULL",
        [id, review_id],
        |r| r.get::<_, String>(0),
    )
    .optional()
    .at(path)?
    .map(|_| ())
    .ok_or_else(|| not_found(id))
}

fn insert_links(tx: &Transaction<'_>, id: &str, links: &[EvidenceLink]) -> rusqlite::Result<()> {
    let mut st = tx.prepare_cached(
        "INSERT OR IGNORE INTO evidence_links (evidence_id, benchmark_id, requirement_id) VALUES (?1, ?2, ?3)",
    )?;
    for l in links {
        st.execute(params![
            id,
            l.benchmark_id,
            l.requirement_id.as_deref().unwrap_or("")
        ])?;
    }
    Ok(())
}

/// One item with its links, as [`Store::evidence`] lists it.
fn read_item(tx: &Transaction<'_>, id: &str) -> rusqlite::Result<EvidenceItem> {
    let mut item = tx.query_row(
        &format!("SELECT {COLUMNS} FROM evidence_items WHERE id = ?1"),
        [id],
        from_row,
    )?;
    let mut st = tx.prepare_cached(
        "SELECT benchmark_id, requirement_id FROM evidence_links WHERE evidence_id = ?1 ORDER BY benchmark_id, requirement_id",
    )?;
    item.links = st
        .query_map([id], |r| Ok(link_from(r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(item)
}

/// The stored spellings of the statuses `rule` holds for, as an SQL list (`'ok', 'moved'`), so
/// queries filter by the same rule the Rust code states once.
fn statuses_where(rule: fn(EvidenceStatus) -> bool) -> String {
    EvidenceStatus::ALL
        .into_iter()
        .filter(|s| rule(*s))
        .map(|s| format!("'{}'", s.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}

fn size_i64(size: u64) -> i64 {
    i64::try_from(size).unwrap_or(i64::MAX)
}

/// Writes a rescan's findings (see [`Store::apply_rescan`]).
pub(crate) fn write_findings(tx: &Transaction<'_>, findings: &[Finding]) -> rusqlite::Result<()> {
    for f in findings {
        if let Some(to) = &f.moved_to {
            tx.prepare_cached("UPDATE evidence_items SET path = ?2, path_key = ?3 WHERE id = ?1")?
                .execute(params![f.id, to.to_string_lossy(), path_key(to)])?;
        }
        match (f.status, f.facts) {
            // Content unchanged: remember the facts seen so the next scan can skip hashing.
            (EvidenceStatus::Ok | EvidenceStatus::Moved, Some(facts)) => tx.prepare_cached(
                "UPDATE evidence_items SET status = ?2, status_detail = ?3, seen_hash = NULL, seen_size = NULL, mtime_ns = ?4, size = ?5, checked_at_ns = ?6 WHERE id = ?1",
            )?.execute(
                params![f.id, f.status.as_str(), detail_json(f.detail.as_ref()), facts.mtime_ns, size_i64(facts.size), f.checked_at_ns],
            ),
            // Modified: the content seen now. Missing or unreadable: nothing seen, so the
            // last content seen is kept (a later move search may still find it).
            _ => tx.prepare_cached(
                "UPDATE evidence_items SET status = ?2, status_detail = ?3, checked_at_ns = ?5,
                     seen_hash = coalesce(?4, seen_hash), seen_size = coalesce(?6, seen_size)
                 WHERE id = ?1",
            )?.execute(
                params![
                    f.id,
                    f.status.as_str(),
                    detail_json(f.detail.as_ref()),
                    f.seen_hash,
                    f.checked_at_ns,
                    f.seen_hash.as_ref().and(f.facts).map(|x| size_i64(x.size))
                ],
            ),
        }?;
    }
    Ok(())
}

impl Store {
    /// Adds files (or, for a path already tracked, adds the new links to it) and records the
    /// folders they came from as watched folders. One transaction. Gives the items added or
    /// linked, in the order added (each once): new ones as written, without reading 10,000
    /// rows back.
    pub(crate) fn add_evidence(
        &mut self,
        review_id: &str,
        files: &[NewEvidence<'_>],
        folders: &[PathBuf],
        by: &str,
    ) -> Result<Vec<EvidenceItem>> {
        let path = self.path.clone();
        self.write(|tx| {
            let at = now();
            for folder in folders {
                tx.execute(
                    "INSERT OR IGNORE INTO evidence_folders (review_id, path_key, path, added_by, added_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                    params![review_id, path_key(folder), folder.to_string_lossy(), by, at],
                )
                .at(&path)?;
            }
            let mut items = Vec::with_capacity(files.len());
            let mut relinked = Vec::new();
            for f in files {
                let key = path_key(f.path);
                let id = new_id();
                let media = mime_guess::from_path(f.path).first_or_octet_stream().essence_str().to_owned();
                let shown = f.path.to_string_lossy();
                // Cached statements: adding a folder of 100,000 files runs these 100,000 times.
                // Inserted first (one statement for a new file, the common case); a path already
                // tracked is left as it is and only gets the new links.
                let inserted = tx.prepare_cached(
                    "INSERT INTO evidence_items (id, review_id, path, path_key, title, note, media_type, size, mtime_ns, hash,
                         status, status_detail, seen_hash, personal_data, checked_at_ns, added_by, added_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, NULL, ?6, ?7, ?8, ?9, 'ok', NULL, NULL, 0, ?10, ?11, ?12)
                     ON CONFLICT (review_id, path_key) DO NOTHING",
                )
                .and_then(|mut st| st.execute(params![
                        id,
                        review_id,
                        shown,
                        key,
                        f.title,
                        media,
                        size_i64(f.facts.size),
                        f.facts.mtime_ns,
                        f.hash,
                        f.checked_at_ns,
                        by,
                        at
                    ]))
                .at(&path)?;
                if inserted == 0 {
                    let id: String = tx
                        .prepare_cached(
                            "SELECT id FROM evidence_items WHERE review_id = ?1 AND path_key = ?2",
                        )
                        .and_then(|mut st| st.query_row(params![review_id, key], |r| r.get(0)))
                        .at(&path)?;
                    insert_links(tx, &id, f.links).at(&path)?;
                    relinked.push(id);
                    continue;
                }
                tx.prepare_cached(
                    "INSERT INTO evidence_versions (evidence_id, hash, size, accepted_at, accepted_by) VALUES (?1, ?2, ?3, ?4, ?5)",
                )
                .and_then(|mut st| st.execute(params![id, f.hash, size_i64(f.facts.size), at, by]))
                .at(&path)?;
                insert_links(tx, &id, f.links).at(&path)?;
                // As `evidence` would read it back: links once each, in (benchmark, requirement)
                // order.
                let mut links = f.links.to_vec();
                links.sort_by(|a, b| {
                    (&a.benchmark_id, a.requirement_id.as_deref().unwrap_or(""))
                        .cmp(&(&b.benchmark_id, b.requirement_id.as_deref().unwrap_or("")))
                });
                links.dedup();
                items.push(EvidenceItem {
                    id,
                    path: shown.into_owned(),
                    title: f.title.clone(),
                    note: None,
                    media_type: media,
                    size: f.facts.size,
                    hash: f.hash.clone(),
                    status: EvidenceStatus::Ok,
                    status_detail: None,
                    present: EvidenceStatus::Ok.is_present(),
                    needs_attention: EvidenceStatus::Ok.needs_attention(),
                    personal_data: false,
                    frozen_hash: None,
                    links,
                    added_by: by.to_owned(),
                    added_at: at.clone(),
                });
            }
            // Items already tracked (given again, or twice): read back with all their links.
            relinked.sort();
            relinked.dedup();
            let mut earlier = Vec::with_capacity(relinked.len());
            for id in &relinked {
                if !items.iter().any(|i| &i.id == id) {
                    earlier.push(read_item(tx, id).at(&path)?);
                }
            }
            earlier.extend(items);
            earlier.sort_by(|a, b| (&a.added_at, &a.id).cmp(&(&b.added_at, &b.id)));
            Ok(earlier)
        })
    }

    /// Links an item to more benchmarks or requirements.
    pub(crate) fn link_evidence(
        &mut self,
        review_id: &str,
        id: &str,
        links: &[EvidenceLink],
    ) -> Result<()> {
        let path = self.path.clone();
        self.write(|tx| {
            ensure_tracked(tx, &path, review_id, id)?;
            insert_links(tx, id, links).at(&path)
        })
    }

    /// Every item of a review with its links, in the order added.
    pub fn evidence(&self, review_id: &str) -> Result<Vec<EvidenceItem>> {
        let mut items: Vec<EvidenceItem> = self
            .conn
            .prepare_cached(&format!(
                "SELECT {COLUMNS} FROM evidence_items WHERE review_id = ?1 AND removed_at IS NULL ORDER BY added_at, id"
            ))
            .at(&self.path)?
            .query_map([review_id], from_row)
            .at(&self.path)?
            .collect::<rusqlite::Result<_>>()
            .at(&self.path)?;
        let mut links: HashMap<String, Vec<EvidenceLink>> = HashMap::new();
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT l.evidence_id, l.benchmark_id, l.requirement_id FROM evidence_links l
                 JOIN evidence_items i ON i.id = l.evidence_id WHERE i.review_id = ?1 AND i.removed_at IS NULL
                 ORDER BY l.benchmark_id, l.requirement_id",
            )
            .at(&self.path)?;
        let rows = stmt
            .query_map([review_id], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                ))
            })
            .at(&self.path)?;
        for row in rows {
            let (id, benchmark_id, req) = row.at(&self.path)?;
            links
                .entry(id)
                .or_default()
                .push(link_from(benchmark_id, req));
        }
        for item in &mut items {
            item.links = links.remove(&item.id).unwrap_or_default();
        }
        Ok(items)
    }

    /// Ids of requirements with at least one linked item whose file is still present
    /// ([`EvidenceStatus::is_present`]).
    pub fn evidenced_requirements(&self, review_id: &str) -> Result<HashSet<String>> {
        self.conn
            .prepare_cached(&format!(
                "SELECT DISTINCT l.requirement_id FROM evidence_links l JOIN evidence_items i ON i.id = l.evidence_id
                 WHERE i.review_id = ?1 AND i.removed_at IS NULL AND l.requirement_id <> '' AND i.status IN ({})",
                statuses_where(EvidenceStatus::is_present)
            ))
            .at(&self.path)?
            .query_map([review_id], |r| r.get(0))
            .at(&self.path)?
            .collect::<rusqlite::Result<HashSet<String>>>()
            .at(&self.path)
    }

    /// Items tracked, and how many of them `rule` holds for.
    pub(crate) fn evidence_counts(
        &self,
        review_id: &str,
        rule: fn(EvidenceStatus) -> bool,
    ) -> Result<(u32, u32)> {
        self.conn
            .prepare_cached(&format!(
                "SELECT COUNT(*), COALESCE(SUM(status IN ({})), 0) FROM evidence_items WHERE review_id = ?1 AND removed_at IS NULL",
                statuses_where(rule)
            ))
            .at(&self.path)?
            .query_row([review_id], |r| Ok((r.get(0)?, r.get(1)?)))
            .at(&self.path)
    }

    /// The record of every tracked item, in the order added (freezing, resolving ids).
    pub(crate) fn tracked(&self, review_id: &str) -> Result<Vec<Tracked>> {
        self.tracked_where(review_id, "+review_id = ?1 AND removed_at IS NULL")
    }

    /// The records of the items `filter` (a WHERE clause over `evidence_items`, with the
    /// review's id as `?1`) selects.
    pub(crate) fn tracked_where(&self, review_id: &str, filter: &str) -> Result<Vec<Tracked>> {
        self.conn
            .prepare_cached(&format!(
                "SELECT {TRACKED_COLUMNS} FROM evidence_items WHERE {filter}"
            ))
            .at(&self.path)?
            .query_map([review_id], tracked_from_row)
            .at(&self.path)?
            .collect::<rusqlite::Result<_>>()
            .at(&self.path)
    }

    /// A glance at every item, in the order added, each handed over as it is read, so a
    /// rescan can look at the first files while the rest are still being read.
    pub(crate) fn each_glance(&self, review_id: &str, each: &mut dyn FnMut(Glance)) -> Result<()> {
        // Read in table order: a rowid table stores rows in the order inserted, which is the
        // order added. With `+review_id` SQLite reads the table straight through instead of
        // going through the (review_id, path_key) index, looking each row up in the table,
        // and then sorting by added_at (the sort spilled to a temporary file): that was 60%
        // of a quiet rescan of 10,000 files. A data folder holds one review or a few.
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "SELECT {GLANCE_COLUMNS} FROM evidence_items WHERE +review_id = ?1 AND removed_at IS NULL"
            ))
            .at(&self.path)?;
        for row in stmt
            .query_map([review_id], glance_from_row)
            .at(&self.path)?
        {
            each(row.at(&self.path)?);
        }
        Ok(())
    }

    /// A glance at only the items at or under `paths` (files or folders), found through the
    /// (review_id, path_key) index: a watcher's batch does not read 10,000 rows.
    pub(crate) fn glances_under(&self, review_id: &str, paths: &[PathBuf]) -> Result<Vec<Glance>> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "SELECT {GLANCE_COLUMNS} FROM evidence_items
                 WHERE review_id = ?1 AND (path_key = ?2 OR (path_key >= ?3 AND path_key < ?4))
                   AND removed_at IS NULL"
            ))
            .at(&self.path)?;
        let mut seen = HashSet::new();
        let mut out = Vec::new();
        for p in paths {
            // Everything under a folder: keys that start with the folder's key and a separator.
            let (key, lower, upper) = key_and_range(p);
            let rows = stmt
                .query_map(params![review_id, key, lower, upper], glance_from_row)
                .at(&self.path)?;
            for row in rows {
                let g = row.at(&self.path)?;
                if seen.insert(g.rowid) {
                    out.push(g);
                }
            }
        }
        Ok(out)
    }

    /// The whole record of the items glanced at as `rowids`, in that order.
    pub(crate) fn tracked_rows(&self, rowids: &[i64]) -> Result<Vec<Tracked>> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "SELECT {TRACKED_COLUMNS} FROM evidence_items WHERE rowid = ?1"
            ))
            .at(&self.path)?;
        rowids
            .iter()
            .map(|rowid| stmt.query_row([rowid], tracked_from_row).at(&self.path))
            .collect()
    }

    /// Accepts a modified item's new content as the version of record (the old hash stays in
    /// `evidence_versions`).
    pub(crate) fn accept_evidence(
        &mut self,
        review_id: &str,
        id: &str,
        facts: FileFacts,
        hash: &str,
        by: &str,
    ) -> Result<()> {
        let path = self.path.clone();
        self.write(|tx| {
            let changed = tx
                .execute(
                    "UPDATE evidence_items SET hash = ?3, size = ?4, mtime_ns = ?5, status = 'ok', status_detail = NULL, seen_hash = NULL, seen_size = NULL
                     WHERE id = ?1 AND review_id = ?2 AND removed_at IS NULL",
                    params![id, review_id, hash, size_i64(facts.size), facts.mtime_ns],
                )
                .at(&path)?;
            if changed == 0 {
                return Err(not_found(id));
            }
            tx.execute(
                "INSERT OR IGNORE INTO evidence_versions (evidence_id, hash, size, accepted_at, accepted_by) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![id, hash, size_i64(facts.size), now(), by],
            )
            .at(&path)?;
            Ok(())
        })
    }

    /// Records that items were frozen with these hashes (blobs first, then the items).
    pub(crate) fn record_frozen(&mut self, frozen: &[(String, String, u64)]) -> Result<()> {
        let path = self.path.clone();
        self.write(|tx| {
            let at = now();
            for (id, hash, size) in frozen {
                tx.execute(
                    "INSERT OR IGNORE INTO vault_blobs (hash, size, stored_at) VALUES (?1, ?2, ?3)",
                    params![hash, size_i64(*size), at],
                )
                .at(&path)?;
                tx.execute(
                    "UPDATE evidence_items SET frozen_hash = ?2, frozen_at = ?3 WHERE id = ?1",
                    params![id, hash, at],
                )
                .at(&path)?;
            }
            Ok(())
        })
    }

    /// The hashes an item has had, oldest first.
    pub fn evidence_versions(&self, review_id: &str, id: &str) -> Result<Vec<String>> {
        self.conn
            .prepare_cached(
                "SELECT v.hash FROM evidence_versions v JOIN evidence_items i ON i.id = v.evidence_id
                 WHERE v.evidence_id = ?1 AND i.review_id = ?2 ORDER BY v.accepted_at, v.hash",
            )
            .at(&self.path)?
            .query_map([id, review_id], |r| r.get(0))
            .at(&self.path)?
            .collect::<rusqlite::Result<_>>()
            .at(&self.path)
    }

    /// Sets an item's title, note and personal-data flag.
    pub(crate) fn describe_evidence(
        &mut self,
        review_id: &str,
        id: &str,
        title: &str,
        note: Option<&str>,
        personal: bool,
    ) -> Result<()> {
        let path = self.path.clone();
        self.write(|tx| {
            let n = tx
                .execute(
                    "UPDATE evidence_items SET title = ?3, note = ?4, personal_data = ?5 WHERE id = ?1 AND review_id = ?2 AND removed_at IS NULL",
                    params![id, review_id, title.trim(), optional(note), personal],
                )
                .at(&path)?;
            if n == 0 { Err(not_found(id)) } else { Ok(()) }
        })
    }
}

impl Store {
    /// The folders added as evidence for a review, in path order.
    pub fn evidence_folders(&self, review_id: &str) -> Result<Vec<EvidenceFolder>> {
        self.conn
            .prepare_cached(
                "SELECT path_key, added_by, added_at FROM evidence_folders WHERE review_id = ?1 ORDER BY path_key",
            )
            .at(&self.path)?
            .query_map([review_id], |r| {
                Ok(EvidenceFolder {
                    path: path_from_key(&r.get::<_, Vec<u8>>(0)?),
                    added_by: r.get(1)?,
                    added_at: r.get(2)?,
                })
            })
            .at(&self.path)?
            .collect::<rusqlite::Result<_>>()
            .at(&self.path)
    }

    /// The exact paths of a review's tracked items (what the watched folders are made of).
    pub(crate) fn tracked_paths(&self, review_id: &str) -> Result<Vec<PathBuf>> {
        self.conn
            .prepare_cached(
                "SELECT path_key FROM evidence_items WHERE review_id = ?1 AND removed_at IS NULL",
            )
            .at(&self.path)?
            .query_map([review_id], |r| {
                r.get_ref(0)?
                    .as_blob()
                    .map(path_from_key)
                    .map_err(Into::into)
            })
            .at(&self.path)?
            .collect::<rusqlite::Result<_>>()
            .at(&self.path)
    }

    /// The exact path of one tracked item.
    pub(crate) fn evidence_path(&self, review_id: &str, id: &str) -> Result<PathBuf> {
        self.conn
            .prepare_cached(
                "SELECT path_key FROM evidence_items WHERE id = ?1 AND review_id = ?2 AND removed_at IS NULL",
            )
            .at(&self.path)?
            .query_row([id, review_id], |r| r.get::<_, Vec<u8>>(0))
            .optional()
            .at(&self.path)?
            .map(|key| path_from_key(&key))
            .ok_or_else(|| not_found(id))
    }

    /// Stops tracking an item. Its row, links and accepted versions stay as a record (with the
    /// time of removal); its path key is freed so the same file can be added again.
    pub(crate) fn remove_evidence(&mut self, review_id: &str, id: &str) -> Result<()> {
        let path = self.path.clone();
        let mut freed = vec![0u8];
        freed.extend_from_slice(id.as_bytes());
        self.write(|tx| {
            let n = tx
                .execute(
                    "UPDATE evidence_items SET removed_at = ?3, path_key = ?4
                     WHERE id = ?1 AND review_id = ?2 AND removed_at IS NULL",
                    params![id, review_id, now(), freed],
                )
                .at(&path)?;
            if n == 0 { Err(not_found(id)) } else { Ok(()) }
        })
    }

    /// Removes an item's links to a benchmark: the one to `requirement_id` only when given,
    /// else every link to the benchmark (with or without a requirement).
    pub(crate) fn unlink_evidence(
        &mut self,
        review_id: &str,
        id: &str,
        benchmark_id: &str,
        requirement_id: Option<&str>,
    ) -> Result<()> {
        let path = self.path.clone();
        self.write(|tx| {
            ensure_tracked(tx, &path, review_id, id)?;
            let n = match requirement_id {
                Some(req) => tx.execute(
                    "DELETE FROM evidence_links WHERE evidence_id = ?1 AND benchmark_id = ?2 AND requirement_id = ?3",
                    params![id, benchmark_id, req],
                ),
                None => tx.execute(
                    "DELETE FROM evidence_links WHERE evidence_id = ?1 AND benchmark_id = ?2",
                    params![id, benchmark_id],
                ),
            }
            .at(&path)?;
            if n > 0 {
                return Ok(());
            }
            let mut stmt = tx
                .prepare(
                    "SELECT benchmark_id, requirement_id FROM evidence_links WHERE evidence_id = ?1
                     ORDER BY benchmark_id, requirement_id",
                )
                .at(&path)?;
            let current: Vec<String> = stmt
                .query_map([id], |r| {
                    let (b, req): (String, String) = (r.get(0)?, r.get(1)?);
                    Ok(if req.is_empty() { b } else { format!("{req} ({b})") })
                })
                .at(&path)?
                .collect::<rusqlite::Result<_>>()
                .at(&path)?;
            Err(Error::not_found(
                Entity::EvidenceLink,
                match requirement_id {
                    Some(req) => format!("{benchmark_id} {req}"),
                    None => benchmark_id.to_owned(),
                },
                Hint::LinkedTo { links: current },
            ))
        })
    }

    /// Forgets a folder added as evidence; `false` when it was not recorded.
    pub(crate) fn remove_evidence_folder(
        &mut self,
        review_id: &str,
        folder: &Path,
    ) -> Result<bool> {
        let path = self.path.clone();
        self.write(|tx| {
            tx.execute(
                "DELETE FROM evidence_folders WHERE review_id = ?1 AND path_key = ?2",
                params![review_id, path_key(folder)],
            )
            .map(|n| n > 0)
            .at(&path)
        })
    }
}

pub(crate) fn not_found(id: &str) -> Error {
    Error::not_found(Entity::EvidenceItem, id, Hint::CheckTheList)
}
