//! Keeping the search index of the watched folders up to date (see `store/search_index.rs`):
//! a full rescan lists again only the folders whose modified time changed since they were
//! listed (a folder's time changes when an entry is added, removed or renamed in it); a
//! watcher's batch updates only the paths it names.

use std::cell::OnceCell;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use super::now_ns;
use super::watched::minimise;
use crate::error::Result;
use crate::evidence::{Entry, FileFacts, RACY_WINDOW_NS, list_dir, mtime_ns};
use crate::store::Store;
use crate::store::evidence::Glance;
use crate::store::search_index::{IndexChanges, IndexedFile, ListedDir};

/// How an update tells tracked files (which are not indexed) from the rest.
pub(super) enum TrackedPaths<'a> {
    /// Every tracked item (a full rescan has them all), made into a set the first time a
    /// folder is listed (most rescans list none).
    All(&'a [Glance], OnceCell<HashSet<&'a Path>>),
    /// Ask the store, one path at a time (a watcher's batch names a few).
    Ask,
}

impl<'a> TrackedPaths<'a> {
    /// Every item in `tracked`.
    pub(super) fn all(tracked: &'a [Glance]) -> Self {
        TrackedPaths::All(tracked, OnceCell::new())
    }
}

/// One update of the index: what was listed before, and the changes to write.
pub(super) struct IndexUpdate<'a> {
    store: &'a Store,
    review_id: &'a str,
    tracked: TrackedPaths<'a>,
    listed: HashMap<PathBuf, ListedDir>,
    /// The folders listed before this update, by the folder they are in.
    children: HashMap<PathBuf, Vec<PathBuf>>,
    /// What to write.
    pub changes: IndexChanges,
    /// Whether an untracked file appeared or changed (a missing item may be there now).
    pub candidates_changed: bool,
}

impl<'a> IndexUpdate<'a> {
    /// Starts an update from what the index holds.
    pub(super) fn new(
        store: &'a Store,
        review_id: &'a str,
        tracked: TrackedPaths<'a>,
    ) -> Result<Self> {
        let listed: HashMap<PathBuf, ListedDir> =
            store.listed_dirs(review_id)?.into_iter().collect();
        let mut children: HashMap<PathBuf, Vec<PathBuf>> = HashMap::new();
        for dir in listed.keys() {
            if let Some(parent) = dir.parent() {
                children
                    .entry(parent.to_owned())
                    .or_default()
                    .push(dir.clone());
            }
        }
        Ok(Self {
            store,
            review_id,
            tracked,
            listed,
            children,
            changes: IndexChanges::default(),
            candidates_changed: false,
        })
    }

    /// Records `roots` as what the index covers, unless that is what it covers already (the
    /// store lists them in byte order, `roots` are in path order).
    fn note_roots(&mut self, roots: &[PathBuf], covered: &[PathBuf]) {
        let mut before = covered.to_vec();
        before.sort();
        let mut now = roots.to_vec();
        now.sort();
        if before != now {
            self.changes.roots = Some(roots.to_vec());
        }
    }

    fn is_tracked(&self, path: &Path) -> Result<bool> {
        match &self.tracked {
            TrackedPaths::All(items, set) => Ok(set
                .get_or_init(|| items.iter().map(|t| t.path.as_path()).collect())
                .contains(path)),
            TrackedPaths::Ask => self.store.is_tracked(self.review_id, path),
        }
    }

    /// Brings the index up to date for `roots` (the watched folders), listing only folders
    /// never listed or changed since; forgets folders under none of them.
    pub(super) fn refresh(&mut self, roots: &[PathBuf], covered: &[PathBuf]) -> Result<()> {
        let before: Vec<PathBuf> = self.listed.keys().cloned().collect();
        for root in roots {
            self.refresh_tree(root, true)?;
        }
        let strays: Vec<PathBuf> = before
            .into_iter()
            .filter(|d| !roots.iter().any(|r| d.starts_with(r)))
            .collect();
        self.changes.forget.extend(minimise(strays));
        self.note_roots(roots, covered);
        Ok(())
    }

    /// Extends the index to the `roots` that `covered` (what it covers now) does not cover,
    /// leaving the rest as it is (a watcher's batch keeps that up to date).
    pub(super) fn extend(&mut self, roots: &[PathBuf], covered: &[PathBuf]) -> Result<()> {
        for root in roots {
            if !covered.iter().any(|c| root.starts_with(c)) {
                self.refresh_tree(root, true)?;
            }
        }
        self.note_roots(roots, covered);
        Ok(())
    }

    /// Applies the paths a watcher's batch names, under `roots` (what the index covers).
    /// Returns whether some path was outside them (the watched folders changed since the index
    /// was last brought up to date).
    pub(super) fn apply_paths(&mut self, roots: &[PathBuf], paths: &[PathBuf]) -> Result<bool> {
        let mut uncovered = false;
        let mut paths = paths.to_vec();
        // Folders before what is in them, so a new folder's listing covers its files.
        paths.sort();
        paths.dedup();
        for p in &paths {
            let Some(root) = roots.iter().find(|r| p.starts_with(r)) else {
                uncovered = true;
                continue;
            };
            let is_root = p == root;
            let meta = if is_root {
                std::fs::metadata(p)
            } else {
                std::fs::symlink_metadata(p)
            };
            match meta {
                Ok(m) if m.is_dir() => self.refresh_tree(p, is_root)?,
                Ok(_) => {
                    let Some(dir) = p.parent().filter(|_| !is_root) else {
                        continue;
                    };
                    if !self.listed.contains_key(dir) {
                        // The folder it is in was never listed (it is new, or could not be
                        // read): list it now, which covers this file.
                        self.refresh_tree(dir, dir == root)?;
                        continue;
                    }
                    self.note_file(p)?;
                }
                // Gone: the file, or a folder and everything that was in it.
                Err(_) => self.changes.forget.push(p.clone()),
            }
        }
        Ok(uncovered)
    }

    /// Records the file at `path` as it is now (an untracked file), or forgets it.
    fn note_file(&mut self, path: &Path) -> Result<()> {
        let old = self.store.indexed_file(self.review_id, path)?;
        // Tracked (an item's file changed: nothing to note here) counts as not a candidate.
        let now = match FileFacts::of(path) {
            Ok(facts) if !self.is_tracked(path)? => Some(facts),
            _ => None,
        };
        match (now, old) {
            (Some(facts), Some(old)) if old.facts == facts => {}
            (Some(facts), _) => {
                self.changes.files.push(IndexedFile {
                    path: path.to_owned(),
                    facts,
                    hash: None,
                });
                self.candidates_changed = true;
            }
            (None, Some(_)) => self.changes.forget_files.push(path.to_owned()),
            (None, None) => {}
        }
        Ok(())
    }

    /// Lists `top` and the folders below it that were never listed or changed since; checks
    /// the others' modified times only. `follow`: `top` may be a symlink to a folder (a
    /// watched folder the user chose); links to folders below it are not followed.
    fn refresh_tree(&mut self, top: &Path, follow: bool) -> Result<()> {
        let mut stack = vec![(top.to_owned(), follow)];
        while let Some((dir, follow)) = stack.pop() {
            let known = self.listed.get(&dir).copied();
            let meta = if follow {
                std::fs::metadata(&dir)
            } else {
                std::fs::symlink_metadata(&dir)
            };
            let meta = match meta {
                Ok(m) if m.is_dir() => m,
                _ => {
                    if known.is_some() {
                        self.changes.forget.push(dir);
                    }
                    continue;
                }
            };
            let mtime = mtime_ns(&meta);
            // Listed within the racy window of its modified time: a change in the same tick
            // may be hidden, so it is listed again (as a racily-clean file is hashed again).
            let clean = known.is_some_and(|k| {
                k.mtime_ns == mtime && k.mtime_ns < k.listed_at_ns.saturating_sub(RACY_WINDOW_NS)
            });
            if clean {
                if let Some(subs) = self.children.get(&dir) {
                    stack.extend(subs.iter().map(|s| (s.clone(), false)));
                }
                continue;
            }
            let listed_at_ns = now_ns();
            let Ok(entries) = list_dir(&dir) else {
                // Unreadable now: forget what it held, and try again next time.
                if known.is_some() {
                    self.changes.forget.push(dir);
                }
                continue;
            };
            let mut old: HashMap<PathBuf, IndexedFile> = match known {
                Some(_) => self
                    .store
                    .indexed_files_in(self.review_id, &dir)?
                    .into_iter()
                    .map(|f| (f.path.clone(), f))
                    .collect(),
                None => HashMap::new(),
            };
            let mut dirs_here = HashSet::new();
            for entry in entries {
                match entry {
                    Entry::Dir(sub) => {
                        dirs_here.insert(sub.clone());
                        stack.push((sub, false));
                    }
                    Entry::File(path, facts) => {
                        let before = old.remove(&path);
                        if self.is_tracked(&path)? {
                            if before.is_some() {
                                self.changes.forget_files.push(path);
                            }
                        } else if before.is_none_or(|b| b.facts != facts) {
                            self.changes.files.push(IndexedFile {
                                path,
                                facts,
                                hash: None,
                            });
                            self.candidates_changed = true;
                        }
                    }
                }
            }
            // Files no longer here, and folders no longer here (with everything in them).
            self.changes.forget_files.extend(old.into_keys());
            if let Some(subs) = self.children.get(&dir) {
                self.changes
                    .forget
                    .extend(subs.iter().filter(|s| !dirs_here.contains(*s)).cloned());
            }
            let now = ListedDir {
                mtime_ns: mtime,
                listed_at_ns,
            };
            self.listed.insert(dir.clone(), now);
            self.changes.dirs.push((dir, now));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, SystemTime};

    use crate::Workspace;
    use crate::evidence::EvidenceLink;
    use crate::store::{InstitutionInput, Review};

    fn age(path: &std::path::Path) {
        let file = std::fs::File::open(path).expect("open");
        file.set_modified(SystemTime::now() - Duration::from_secs(3600))
            .expect("set mtime");
    }

    /// When each folder was last listed, by name.
    fn listings(ws: &Workspace, review: &Review) -> Vec<(String, i64)> {
        let mut all: Vec<(String, i64)> = ws
            .store
            .listed_dirs(&review.id)
            .expect("read")
            .into_iter()
            .map(|(p, d)| (p.display().to_string(), d.listed_at_ns))
            .collect();
        all.sort();
        all
    }

    #[test]
    fn rescans_list_only_folders_whose_entries_changed_and_batches_none() {
        let dir = tempfile::tempdir().expect("dir");
        let mut ws = Workspace::open_with_keys(&dir.path().join("data"), crate::keys::test_keys())
            .expect("open");
        let school = InstitutionInput {
            name: "Index Primary".into(),
            ..InstitutionInput::default()
        };
        let review = ws
            .register("computing-quality", None, &school, "Head")
            .expect("register");
        let root = dir.path().join("school");
        let subs = ["a", "b", "c"].map(|s| root.join(s));
        for (i, sub) in subs.iter().enumerate() {
            std::fs::create_dir_all(sub).expect("mkdir");
            for j in 0..3 {
                let f = sub.join(format!("{j}.txt"));
                std::fs::write(&f, format!("file {i}/{j}")).expect("write");
                age(&f);
            }
        }
        let link = [EvidenceLink {
            benchmark_id: "1.1".into(),
            requirement_id: None,
        }];
        ws.add_evidence(&review, std::slice::from_ref(&root), &link, "Head")
            .expect("add");
        std::fs::remove_file(subs[0].join("0.txt")).expect("delete");
        // As if the changes were made long ago (outside the racy window of the listing).
        for d in subs.iter().chain([&root]) {
            age(d);
        }
        assert_eq!(ws.rescan(&review).expect("rescan").missing, 1);
        let first = listings(&ws, &review);
        assert_eq!(first.len(), 4, "{first:?}");

        // Nothing changed: no folder is listed again, however many rescans, and nothing is
        // written (the missing item is still missing: nothing new to record).
        let written = ws.store.rows_written();
        for _ in 0..3 {
            assert_eq!(ws.rescan(&review).expect("rescan").missing, 1);
            assert_eq!(listings(&ws, &review), first);
        }
        assert_eq!(
            ws.store.rows_written(),
            written,
            "a quiet rescan writes nothing"
        );

        // A file appears in b: only b is listed again.
        std::fs::write(subs[1].join("new.txt"), "new").expect("write");
        ws.rescan(&review).expect("rescan");
        let second = listings(&ws, &review);
        let changed: Vec<&str> = first
            .iter()
            .zip(&second)
            .filter(|(a, b)| a != b)
            .map(|(a, _)| a.0.as_str())
            .collect();
        assert_eq!(changed, [subs[1].display().to_string()]);

        // A watcher's batch about a changed item lists nothing.
        std::fs::write(subs[2].join("1.txt"), "edited").expect("edit");
        let report = ws
            .rescan_paths(&review, &[subs[2].join("1.txt")])
            .expect("batch");
        assert_eq!((report.modified, report.missing), (1, 0), "{report:?}");
        assert_eq!(listings(&ws, &review), second);
    }
}
