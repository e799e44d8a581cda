//! The search index of the watched folders: which folders were listed when (and at what
//! modified time), and the untracked files found in them with their sizes (and hashes, once a
//! search read them). A cache for the search for missing items' content: every row can be
//! deleted at any time, and the next search lists the folders again.

use std::path::{Path, PathBuf};

use rusqlite::{OptionalExtension, Row, Transaction, params};

use super::Store;
use super::evidence::{Finding, Tracked, write_findings};
use crate::error::{AtPath, Result};
use crate::evidence::{FileFacts, path_from_key, path_key};

/// A folder as last listed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ListedDir {
    /// Its modified time when it was listed.
    pub mtime_ns: i64,
    /// When it was listed (read before the listing started).
    pub listed_at_ns: i64,
}

/// An untracked file found in a listed folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct IndexedFile {
    pub path: PathBuf,
    pub facts: FileFacts,
    /// Its BLAKE3 and when it was read, once a search hashed it.
    pub hash: Option<(String, i64)>,
}

/// What a rescan changes in the index, written with its findings in one transaction.
#[derive(Debug, Default)]
pub(crate) struct IndexChanges {
    /// The watched folders the index now covers, when they changed.
    pub roots: Option<Vec<PathBuf>>,
    /// Rows to delete, each with everything under it (a file, or a folder and its contents).
    pub forget: Vec<PathBuf>,
    /// File rows to delete (tracked now, or gone), exactly.
    pub forget_files: Vec<PathBuf>,
    /// Folders listed, with their modified time then.
    pub dirs: Vec<(PathBuf, ListedDir)>,
    /// Files found or changed (new facts, or a new hash).
    pub files: Vec<IndexedFile>,
}

impl IndexChanges {
    /// Whether there is nothing to write.
    pub(crate) fn is_empty(&self) -> bool {
        self.roots.is_none()
            && self.forget.is_empty()
            && self.forget_files.is_empty()
            && self.dirs.is_empty()
            && self.files.is_empty()
    }
}

/// The key of `path` and the key range of everything under it (from the key and a separator
/// up to, not including, the same with the separator's last byte + 1).
pub(crate) fn key_and_range(path: &Path) -> (Vec<u8>, Vec<u8>, Vec<u8>) {
    let key = path_key(path);
    let mut lower = key.clone();
    lower.extend(path_key(Path::new(std::path::MAIN_SEPARATOR_STR)));
    let mut upper = lower.clone();
    if let Some(last) = upper.last_mut() {
        // The separator's last byte is '/', '\\' or 0: never 0xFF, so this is exact.
        *last = last.saturating_add(1);
    }
    (key, lower, upper)
}

fn size_i64(size: u64) -> i64 {
    i64::try_from(size).unwrap_or(i64::MAX)
}

/// The keys of a file's row: the folder it is in and its name there (`None` for a path with
/// no name, such as `/`, which is never a file).
fn file_keys(path: &Path) -> Option<(Vec<u8>, Vec<u8>)> {
    Some((
        path_key(path.parent()?),
        path_key(Path::new(path.file_name()?)),
    ))
}

fn file_from_row(r: &Row<'_>) -> rusqlite::Result<IndexedFile> {
    let hash: Option<String> = r.get(4)?;
    let hashed_at: Option<i64> = r.get(5)?;
    Ok(IndexedFile {
        path: path_from_key(r.get_ref(0)?.as_blob()?).join(path_from_key(r.get_ref(1)?.as_blob()?)),
        facts: FileFacts {
            size: r.get::<_, i64>(2)?.max(0) as u64,
            mtime_ns: r.get(3)?,
        },
        hash: hash.zip(hashed_at),
    })
}

const FILE_COLUMNS: &str = "dir_key, name, size, mtime_ns, hash, hashed_at_ns";

fn forget_file(
    tx: &Transaction<'_>,
    review_id: &str,
    dir: &[u8],
    name: &[u8],
) -> rusqlite::Result<()> {
    tx.prepare_cached(
        "DELETE FROM evidence_search_files WHERE review_id = ?1 AND dir_key = ?2 AND name = ?3",
    )?
    .execute(params![review_id, dir, name])
    .map(|_| ())
}

fn write_index(
    tx: &Transaction<'_>,
    review_id: &str,
    changes: &IndexChanges,
) -> rusqlite::Result<()> {
    if let Some(roots) = &changes.roots {
        tx.execute(
            "DELETE FROM evidence_search_roots WHERE review_id = ?1",
            [review_id],
        )?;
        let mut st = tx.prepare_cached(
            "INSERT OR IGNORE INTO evidence_search_roots (review_id, path_key) VALUES (?1, ?2)",
        )?;
        for r in roots {
            st.execute(params![review_id, path_key(r)])?;
        }
    }
    for p in &changes.forget {
        let (key, lower, upper) = key_and_range(p);
        tx.prepare_cached(
            "DELETE FROM evidence_search_dirs WHERE review_id = ?1 AND (path_key = ?2 OR (path_key >= ?3 AND path_key < ?4))",
        )?
        .execute(params![review_id, key, lower, upper])?;
        tx.prepare_cached(
            "DELETE FROM evidence_search_files WHERE review_id = ?1 AND (dir_key = ?2 OR (dir_key >= ?3 AND dir_key < ?4))",
        )?
        .execute(params![review_id, key, lower, upper])?;
        if let Some((dir, name)) = file_keys(p) {
            forget_file(tx, review_id, &dir, &name)?;
        }
    }
    let mut st = tx.prepare_cached(
        "INSERT OR REPLACE INTO evidence_search_dirs (review_id, path_key, mtime_ns, listed_at_ns) VALUES (?1, ?2, ?3, ?4)",
    )?;
    for (p, d) in &changes.dirs {
        st.execute(params![review_id, path_key(p), d.mtime_ns, d.listed_at_ns])?;
    }
    let mut st = tx.prepare_cached(
        "INSERT OR REPLACE INTO evidence_search_files (review_id, dir_key, name, size, mtime_ns, hash, hashed_at_ns) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    for f in &changes.files {
        let Some((dir, name)) = file_keys(&f.path) else {
            continue;
        };
        let (hash, at) = f.hash.clone().unzip();
        st.execute(params![
            review_id,
            dir,
            name,
            size_i64(f.facts.size),
            f.facts.mtime_ns,
            hash,
            at
        ])?;
    }
    // Last: a file hashed by a search and then taken by a moved item is tracked now.
    for p in &changes.forget_files {
        if let Some((dir, name)) = file_keys(p) {
            forget_file(tx, review_id, &dir, &name)?;
        }
    }
    Ok(())
}

impl Store {
    /// The watched folders the index covers (empty before the first search).
    pub(crate) fn search_roots(&self, review_id: &str) -> Result<Vec<PathBuf>> {
        self.conn
            .prepare_cached("SELECT path_key FROM evidence_search_roots WHERE review_id = ?1")
            .at(&self.path)?
            .query_map([review_id], |r| Ok(path_from_key(r.get_ref(0)?.as_blob()?)))
            .at(&self.path)?
            .collect::<rusqlite::Result<_>>()
            .at(&self.path)
    }

    /// Every folder listed, with its modified time then.
    pub(crate) fn listed_dirs(&self, review_id: &str) -> Result<Vec<(PathBuf, ListedDir)>> {
        self.conn
            .prepare_cached(
                "SELECT path_key, mtime_ns, listed_at_ns FROM evidence_search_dirs WHERE review_id = ?1",
            )
            .at(&self.path)?
            .query_map([review_id], |r| {
                Ok((
                    path_from_key(r.get_ref(0)?.as_blob()?),
                    ListedDir {
                        mtime_ns: r.get(1)?,
                        listed_at_ns: r.get(2)?,
                    },
                ))
            })
            .at(&self.path)?
            .collect::<rusqlite::Result<_>>()
            .at(&self.path)
    }

    /// The indexed files directly in `dir` (not in its subfolders).
    pub(crate) fn indexed_files_in(&self, review_id: &str, dir: &Path) -> Result<Vec<IndexedFile>> {
        self.conn
            .prepare_cached(&format!(
                "SELECT {FILE_COLUMNS} FROM evidence_search_files WHERE review_id = ?1 AND dir_key = ?2"
            ))
            .at(&self.path)?
            .query_map(params![review_id, path_key(dir)], file_from_row)
            .at(&self.path)?
            .collect::<rusqlite::Result<_>>()
            .at(&self.path)
    }

    /// One indexed file.
    pub(crate) fn indexed_file(&self, review_id: &str, path: &Path) -> Result<Option<IndexedFile>> {
        let Some((dir, name)) = file_keys(path) else {
            return Ok(None);
        };
        self.conn
            .prepare_cached(&format!(
                "SELECT {FILE_COLUMNS} FROM evidence_search_files WHERE review_id = ?1 AND dir_key = ?2 AND name = ?3"
            ))
            .at(&self.path)?
            .query_row(params![review_id, dir, name], file_from_row)
            .optional()
            .at(&self.path)
    }

    /// Indexed files of `size` that are not tracked: where a missing item of that size may be.
    pub(crate) fn untracked_of_size(&self, review_id: &str, size: u64) -> Result<Vec<IndexedFile>> {
        let all: Vec<IndexedFile> = self
            .conn
            .prepare_cached(&format!(
                "SELECT {FILE_COLUMNS} FROM evidence_search_files WHERE review_id = ?1 AND size = ?2"
            ))
            .at(&self.path)?
            .query_map(params![review_id, size_i64(size)], file_from_row)
            .at(&self.path)?
            .collect::<rusqlite::Result<_>>()
            .at(&self.path)?;
        // Tracked since it was indexed (added as evidence, or a moved item's new place).
        let mut untracked = Vec::with_capacity(all.len());
        for f in all {
            if !self.is_tracked(review_id, &f.path)? {
                untracked.push(f);
            }
        }
        Ok(untracked)
    }

    /// Whether a file is a tracked item's.
    pub(crate) fn is_tracked(&self, review_id: &str, path: &Path) -> Result<bool> {
        self.conn
            .prepare_cached(
                "SELECT 1 FROM evidence_items WHERE review_id = ?1 AND path_key = ?2 AND removed_at IS NULL",
            )
            .at(&self.path)?
            .query_row(params![review_id, path_key(path)], |_| Ok(()))
            .optional()
            .map(|found| found.is_some())
            .at(&self.path)
    }

    /// The missing items, through their own small index (not every item is read).
    pub(crate) fn missing_items(&self, review_id: &str) -> Result<Vec<Tracked>> {
        self.tracked_where(
            review_id,
            "review_id = ?1 AND status = 'missing' AND removed_at IS NULL",
        )
    }

    /// Indexes a file that just stopped being tracked (removed from the evidence), if the
    /// folder it is in was listed: it was left out then as tracked.
    pub(crate) fn index_if_listed(&mut self, review_id: &str, file: &IndexedFile) -> Result<()> {
        let Some((dir, name)) = file_keys(&file.path) else {
            return Ok(());
        };
        let path = self.path.clone();
        self.write(|tx| {
            tx.execute(
                "INSERT OR REPLACE INTO evidence_search_files (review_id, dir_key, name, size, mtime_ns, hash, hashed_at_ns)
                 SELECT ?1, ?2, ?3, ?4, ?5, NULL, NULL
                 WHERE EXISTS (SELECT 1 FROM evidence_search_dirs WHERE review_id = ?1 AND path_key = ?2)",
                params![
                    review_id,
                    dir,
                    name,
                    size_i64(file.facts.size),
                    file.facts.mtime_ns
                ],
            )
            .map(|_| ())
            .at(&path)
        })
    }

    /// Records a rescan's findings and what it changed in the search index, in one
    /// transaction (nothing is written when both are empty).
    pub(crate) fn apply_rescan(
        &mut self,
        review_id: &str,
        findings: &[Finding],
        changes: &IndexChanges,
    ) -> Result<()> {
        if findings.is_empty() && changes.is_empty() {
            return Ok(());
        }
        let path = self.path.clone();
        self.write(|tx| {
            write_findings(tx, findings).at(&path)?;
            write_index(tx, review_id, changes).at(&path)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store() -> (tempfile::TempDir, Store, String) {
        let dir = tempfile::tempdir().expect("dir");
        let mut store =
            Store::open(&dir.path().join("w.sqlite3"), &crate::store::Cipher::Plain).expect("open");
        let catalog = crate::framework::Catalog::bundled().expect("bundled");
        let framework = catalog.latest("computing-quality").expect("framework");
        let school = crate::store::InstitutionInput {
            name: "Index Primary".into(),
            ..crate::store::InstitutionInput::default()
        };
        let review = store
            .register(framework, &school, "Head")
            .expect("register")
            .id;
        (dir, store, review)
    }

    #[test]
    fn forgetting_a_folder_forgets_what_is_under_it_and_nothing_beside_it() {
        let (_dir, mut store, review) = store();
        let facts = FileFacts {
            size: 3,
            mtime_ns: 1,
        };
        let file = |p: &str| IndexedFile {
            path: p.into(),
            facts,
            hash: None,
        };
        let listed = ListedDir {
            mtime_ns: 1,
            listed_at_ns: 2,
        };
        let changes = IndexChanges {
            roots: Some(vec!["/s".into()]),
            dirs: ["/s", "/s/a", "/s/a/b", "/s/a-old"]
                .iter()
                .map(|d| (PathBuf::from(d), listed))
                .collect(),
            files: vec![
                file("/s/x.txt"),
                file("/s/a/y.txt"),
                file("/s/a/b/z.txt"),
                file("/s/a-old/w.txt"),
            ],
            ..IndexChanges::default()
        };
        store.apply_rescan(&review, &[], &changes).expect("write");
        let names = |store: &Store, dir: &str| -> Vec<PathBuf> {
            store
                .indexed_files_in(&review, Path::new(dir))
                .expect("read")
                .into_iter()
                .map(|f| f.path)
                .collect()
        };
        assert_eq!(names(&store, "/s/a"), [PathBuf::from("/s/a/y.txt")]);
        assert_eq!(store.untracked_of_size(&review, 3).expect("read").len(), 4);
        let forget = IndexChanges {
            forget: vec!["/s/a".into()],
            ..IndexChanges::default()
        };
        store.apply_rescan(&review, &[], &forget).expect("write");
        let dirs: Vec<PathBuf> = store
            .listed_dirs(&review)
            .expect("read")
            .into_iter()
            .map(|(p, _)| p)
            .collect();
        assert_eq!(dirs, [PathBuf::from("/s"), PathBuf::from("/s/a-old")]);
        assert_eq!(names(&store, "/s/a-old"), [PathBuf::from("/s/a-old/w.txt")]);
        assert_eq!(store.untracked_of_size(&review, 3).expect("read").len(), 2);
        assert_eq!(
            store.search_roots(&review).expect("read"),
            [PathBuf::from("/s")]
        );
    }
}
