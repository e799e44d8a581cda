//! Evidence operations on a workspace: add files and folders, link, rescan, accept changes.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::{SystemTime, UNIX_EPOCH};

use serde::Serialize;

use super::Workspace;
use crate::error::{Entity, Error, Hint, Result};
use crate::evidence::{
    EvidenceFolder, EvidenceItem, EvidenceLink, EvidenceStatus, FactsReader, FileFacts,
    Observation, ReadProblem, StatusDetail, hash_file, observe_with, walk,
};
use crate::evidence::{Stored, Vault};
use crate::store::Review;
use crate::store::evidence::{Finding, NewEvidence, Tracked};

/// A path that could not be added or frozen, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Skipped {
    /// The path (lossy for non-UTF-8 names).
    pub path: String,
    /// The item's title, when it was a tracked item.
    pub title: Option<String>,
    /// Why.
    pub reason: SkipReason,
}

/// Why a file was skipped, as data (worded by each front end; see `crate::english`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SkipReason {
    /// The file or folder could not be read.
    CannotRead {
        /// Why.
        problem: ReadProblem,
    },
    /// Not frozen: modified since it was added (accept or restore it first).
    Modified,
    /// Not frozen: missing.
    Missing,
    /// Not frozen: cannot be read.
    Unreadable,
    /// Not frozen: it changed after the last scan.
    ChangedSinceScan,
    /// Copying it into the vault failed.
    CopyFailed {
        /// What the operating system said.
        message: String,
    },
}

/// Everything the evidence screen lists: the items, the folders added as evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct EvidenceLibrary {
    /// Tracked items, in the order added.
    pub items: Vec<EvidenceItem>,
    /// The watched folders ([`Workspace::watched_folders`]), for people (lossy names).
    pub folders: Vec<String>,
}

/// What adding evidence did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AddReport {
    /// Items added or newly linked.
    pub added: Vec<EvidenceItem>,
    /// Paths skipped, each with its reason; the rest were still added.
    pub skipped: Vec<Skipped>,
}

/// What a rescan found.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RescanReport {
    /// Items checked.
    pub checked: u32,
    /// Items whose content had to be hashed (the rest were judged by size and time).
    pub hashed: u32,
    /// Items per status after the scan.
    pub ok: u32,
    /// Content differs from the accepted version.
    pub modified: u32,
    /// Gone and not found elsewhere.
    pub missing: u32,
    /// Found at a new path and relinked.
    pub moved: u32,
    /// There but not readable.
    pub unreadable: u32,
}

/// How far a long evidence operation has got, for progress bars.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct WorkProgress {
    /// Files dealt with so far.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub files_done: u64,
    /// Files in all.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub files_total: u64,
    /// Bytes of those files so far.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub bytes_done: u64,
    /// Bytes in all.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub bytes_total: u64,
}

/// Called after each file; returning `false` cancels the operation, which then saves nothing.
pub type OnProgress<'a> = &'a mut dyn FnMut(&WorkProgress) -> bool;

/// What freezing evidence into the vault did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct FreezeReport {
    /// Items whose accepted content is now in the vault.
    pub frozen: u32,
    /// Of those, blobs newly copied (the rest were already there: identical files are stored once).
    pub copied: u32,
    /// Bytes copied.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub bytes_copied: u64,
    /// Items not frozen, each with the reason and what to do.
    pub skipped: Vec<Skipped>,
}

/// At most this many items are looked at between progress reports (and cancel checks).
const RESCAN_CHUNK: usize = 512;

/// Folders without those inside another one of them, so no file is visited twice.
fn minimise(mut folders: Vec<PathBuf>) -> Vec<PathBuf> {
    // Paths sort component by component, so a folder's subfolders come right after it.
    folders.sort();
    folders.dedup();
    let mut kept: Vec<PathBuf> = Vec::with_capacity(folders.len());
    for f in folders {
        if kept.last().is_none_or(|k| !f.starts_with(k)) {
            kept.push(f);
        }
    }
    kept
}

/// The folders added as evidence plus the folders tracked files are in, minimised.
fn watched(recorded: Vec<EvidenceFolder>, tracked: &[PathBuf]) -> Vec<PathBuf> {
    let mut all: Vec<PathBuf> = recorded.into_iter().map(|f| f.path).collect();
    all.extend(
        tracked
            .iter()
            .filter_map(|p| p.parent().map(Path::to_owned)),
    );
    minimise(all)
}

/// Looks for missing items' content under the watched folders, hashing only untracked files
/// of the same size. A file with the item's accepted content makes it moved; one with the
/// modified content last seen makes it modified at its new place (edited, then filed away).
fn find_moved(
    roots: &[PathBuf],
    all_tracked: &[PathBuf],
    tracked: &[Tracked],
    gone: &[(usize, usize)],
    findings: &mut [Finding],
    report: &mut RescanReport,
) {
    let known: HashSet<&Path> = all_tracked.iter().map(PathBuf::as_path).collect();
    let mut by_size: HashMap<u64, Vec<PathBuf>> = HashMap::new();
    for root in roots.iter().filter(|r| r.is_dir()) {
        for file in walk(root).0 {
            if known.contains(file.as_path()) {
                continue;
            }
            if let Ok(facts) = FileFacts::of(&file) {
                by_size.entry(facts.size).or_default().push(file);
            }
        }
    }
    let mut hashes: HashMap<PathBuf, String> = HashMap::new();
    let mut taken: HashSet<PathBuf> = HashSet::new();
    for &(i, ti) in gone {
        let t = &tracked[ti];
        let same_size = by_size.get(&t.size).into_iter().flatten();
        let seen_size = t
            .seen_size
            .filter(|s| *s != t.size)
            .and_then(|s| by_size.get(&s))
            .into_iter()
            .flatten();
        let mut found = None;
        for c in same_size.chain(seen_size) {
            if taken.contains(c) {
                continue;
            }
            let h = hashes.entry(c.clone()).or_insert_with(|| {
                report.hashed += 1;
                hash_file(c).map(|(h, _)| h).unwrap_or_default()
            });
            if *h == t.hash {
                found = Some((c, false));
                break;
            }
            if t.seen_hash.as_ref() == Some(h) && found.is_none() {
                // Keep looking for the accepted content; this one is second best.
                found = Some((c, true));
            }
        }
        if let Some((to, modified)) = found {
            taken.insert(to.clone());
            let f = &mut findings[i];
            f.moved_to = Some(to.clone());
            let from = t.path.display().to_string();
            if modified {
                f.status = EvidenceStatus::Modified;
                f.detail = Some(StatusDetail::MovedAndChanged { from });
                f.seen_hash = t.seen_hash.clone();
                f.facts = FileFacts::of(to).ok();
            } else {
                f.status = EvidenceStatus::Moved;
                f.detail = Some(StatusDetail::MovedFrom { from });
                f.facts = FileFacts::of(to).ok();
            }
        }
    }
}

/// Looks at the `selected` items of `tracked` a chunk at a time, on worker threads that live
/// for the whole rescan (stats dominate a quiet rescan, and hashing a changed video should not
/// hold up the next file), and hands each chunk's observations, in order, to `each_chunk` on
/// this thread with the time the chunk was looked at. `each_chunk` returning `false` stops
/// the rest; the result says whether every chunk was handed over.
fn observe_chunks(
    tracked: &[Tracked],
    selected: &[usize],
    mut each_chunk: impl FnMut(&[usize], Vec<Observation>, i64) -> bool,
) -> bool {
    let look = |chunk: &[usize]| -> Vec<Observation> {
        let mut reader = FactsReader::default();
        chunk
            .iter()
            .map(|&i| {
                let t = &tracked[i];
                observe_with(
                    &mut reader,
                    &t.path,
                    t.size,
                    t.mtime_ns,
                    &t.hash,
                    t.checked_at_ns,
                )
            })
            .collect()
    };
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, 8);
    // Small enough chunks that every worker gets several, large enough that handing them over
    // costs nothing next to the stats.
    let size = (selected.len() / (workers * 4)).clamp(16, RESCAN_CHUNK);
    let chunks: Vec<&[usize]> = selected.chunks(size).collect();
    if workers == 1 || chunks.len() == 1 {
        // A handful of files (a watcher's batch): threads would cost more than they save.
        return chunks.iter().all(|c| {
            let at = now_ns();
            each_chunk(c, look(c), at)
        });
    }
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let (tx, rx) = mpsc::channel::<(usize, i64, Vec<Observation>)>();
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers.min(chunks.len()))
            .map(|_| {
                let tx = tx.clone();
                let (next, stop, chunks, look) = (&next, &stop, &chunks, &look);
                scope.spawn(move || {
                    while !stop.load(Ordering::Relaxed) {
                        let c = next.fetch_add(1, Ordering::Relaxed);
                        let Some(chunk) = chunks.get(c) else { break };
                        let at = now_ns();
                        if tx.send((c, at, look(chunk))).is_err() {
                            break;
                        }
                    }
                })
            })
            .collect();
        drop(tx);
        let mut early: HashMap<usize, (i64, Vec<Observation>)> = HashMap::new();
        let mut want = 0;
        let mut completed = true;
        'receive: for (c, at, seen) in &rx {
            early.insert(c, (at, seen));
            while let Some((at, seen)) = early.remove(&want) {
                if !each_chunk(chunks[want], seen, at) {
                    stop.store(true, Ordering::Relaxed);
                    completed = false;
                    break 'receive;
                }
                want += 1;
            }
        }
        drop(rx);
        // Joined here so a panicking worker (only if observe() panics) is not re-raised by
        // the scope: its chunks are reported as unreadable instead of taking the app down.
        for h in handles {
            let _ = h.join();
        }
        while completed && want < chunks.len() {
            let (at, seen) = early.remove(&want).unwrap_or_else(|| {
                let why = Observation::Unreadable(ReadProblem::Other {
                    message: "internal error while reading".into(),
                });
                (now_ns(), vec![why; chunks[want].len()])
            });
            completed = each_chunk(chunks[want], seen, at);
            want += 1;
        }
        completed
    })
}

fn now_ns() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_nanos()).unwrap_or(i64::MAX))
}

fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_owned())
}

impl Workspace {
    fn check_links(&self, review: &Review, links: &[EvidenceLink]) -> Result<()> {
        let fw = self.framework_of(review)?;
        for l in links {
            if fw.benchmark(&l.benchmark_id).is_none() {
                return Err(Self::benchmark_not_found(&fw, &l.benchmark_id));
            }
            if let Some(req) = &l.requirement_id {
                match fw.requirement(req) {
                    Some((owner, _)) if owner.benchmark.id == l.benchmark_id => {}
                    Some((owner, _)) => {
                        return Err(Error::invalid(
                            "requirement",
                            format!(
                                "Requirement {req} belongs to benchmark {}, not {}.",
                                owner.benchmark.id, l.benchmark_id
                            ),
                        ));
                    }
                    None => {
                        let ids: Vec<String> = fw
                            .benchmark(&l.benchmark_id)
                            .map(|b| b.benchmark.evidence.iter().map(|e| e.id.clone()).collect())
                            .unwrap_or_default();
                        return Err(Error::not_found(
                            Entity::EvidenceRequirement,
                            req.clone(),
                            Hint::Available { ids },
                        ));
                    }
                }
            }
        }
        Ok(())
    }

    /// The link to an evidence requirement, with the benchmark that asks for it.
    pub fn requirement_link(&self, review: &Review, requirement_id: &str) -> Result<EvidenceLink> {
        let fw = self.framework_of(review)?;
        let (owner, _) = fw.requirement(requirement_id).ok_or_else(|| {
            Error::not_found(
                Entity::EvidenceRequirement,
                requirement_id,
                Hint::FrameworkContents {
                    framework: fw.id().to_owned(),
                },
            )
        })?;
        Ok(EvidenceLink {
            benchmark_id: owner.benchmark.id.clone(),
            requirement_id: Some(requirement_id.to_owned()),
        })
    }

    /// Adds files and whole folders as evidence, linked as given. Files are hashed before
    /// anything is written; a file that cannot be read is skipped with its reason and the rest
    /// are added in one transaction. A folder is also recorded as watched (see
    /// [`Workspace::watched_folders`]), even if it is empty today.
    pub fn add_evidence(
        &mut self,
        review: &Review,
        paths: &[PathBuf],
        links: &[EvidenceLink],
        by: &str,
    ) -> Result<AddReport> {
        self.add_evidence_with(review, paths, links, by, &mut |_| true)
    }

    /// [`Workspace::add_evidence`] reporting progress after each file, cancellable.
    pub fn add_evidence_with(
        &mut self,
        review: &Review,
        paths: &[PathBuf],
        links: &[EvidenceLink],
        by: &str,
        on_progress: OnProgress<'_>,
    ) -> Result<AddReport> {
        self.check_links(review, links)?;
        let mut skipped = Vec::new();
        let mut found = Vec::new();
        let mut folders = Vec::new();
        for p in paths {
            if !p.exists() {
                skipped.push(Skipped {
                    path: p.to_string_lossy().into_owned(),
                    title: None,
                    reason: SkipReason::CannotRead {
                        problem: ReadProblem::NotFound,
                    },
                });
                continue;
            }
            let p = absolute(p);
            let (files, problems) = walk(&p);
            if p.is_dir() {
                folders.push(p);
            }
            found.extend(files);
            skipped.extend(problems.into_iter().map(|(path, e)| Skipped {
                path: path.to_string_lossy().into_owned(),
                title: None,
                reason: SkipReason::CannotRead {
                    problem: ReadProblem::of(&e),
                },
            }));
        }
        let mut hashed = Vec::new();
        let mut progress = WorkProgress {
            files_total: found.len() as u64,
            bytes_total: found
                .iter()
                .filter_map(|p| FileFacts::of(p).ok())
                .map(|f| f.size)
                .sum(),
            ..WorkProgress::default()
        };
        for path in &found {
            if !on_progress(&progress) {
                return Err(Error::Cancelled);
            }
            let checked_at_ns = now_ns();
            let read = FileFacts::of(path)
                .and_then(|facts| hash_file(path).map(|(hash, _)| (facts, hash)));
            progress.files_done += 1;
            progress.bytes_done += read.as_ref().map_or(0, |(f, _)| f.size);
            match read {
                Ok((facts, hash)) => hashed.push((path, facts, hash, checked_at_ns)),
                Err(e) => skipped.push(Skipped {
                    path: path.to_string_lossy().into_owned(),
                    title: None,
                    reason: SkipReason::CannotRead {
                        problem: ReadProblem::of(&e),
                    },
                }),
            }
        }
        let new: Vec<NewEvidence<'_>> = hashed
            .iter()
            .map(|(path, facts, hash, checked_at_ns)| NewEvidence {
                path,
                facts: *facts,
                hash: hash.clone(),
                title: path
                    .file_name()
                    .map_or_else(|| path.to_string_lossy(), |n| n.to_string_lossy())
                    .into_owned(),
                links,
                checked_at_ns: *checked_at_ns,
            })
            .collect();
        let ids: HashSet<String> = self
            .store
            .add_evidence(&review.id, &new, &folders, by)?
            .into_iter()
            .collect();
        let added = self
            .store
            .evidence(&review.id)?
            .into_iter()
            .filter(|i| ids.contains(&i.id))
            .collect();
        Ok(AddReport { added, skipped })
    }

    /// Links an item to more benchmarks or requirements.
    pub fn link_evidence(
        &mut self,
        review: &Review,
        id: &str,
        links: &[EvidenceLink],
    ) -> Result<()> {
        self.check_links(review, links)?;
        self.store.link_evidence(&review.id, id, links)
    }

    /// Sets an item's title, note and personal-data flag.
    pub fn describe_evidence(
        &mut self,
        review: &Review,
        id: &str,
        title: &str,
        note: Option<&str>,
        personal_data: bool,
    ) -> Result<()> {
        if title.trim().is_empty() {
            return Err(Error::invalid("title", "Give the evidence a title."));
        }
        self.store
            .describe_evidence(&review.id, id, title, note, personal_data)
    }

    /// Looks at every item again: size and time first, hashing only what may have changed.
    /// A missing item whose content is found elsewhere in the watched folders
    /// ([`Workspace::watched_folders`]) is relinked and reported as moved.
    pub fn rescan(&mut self, review: &Review) -> Result<RescanReport> {
        self.rescan_with(review, &mut |_| true)
    }

    /// [`Workspace::rescan`] reporting progress before it starts and after each chunk of files
    /// (looked at in parallel), cancellable (a cancelled rescan records nothing).
    pub fn rescan_with(
        &mut self,
        review: &Review,
        on_progress: OnProgress<'_>,
    ) -> Result<RescanReport> {
        self.rescan_items(review, None, on_progress)
    }

    /// Looks again only at the items at or under `changed` (the paths a
    /// [`crate::evidence::FolderWatcher`] batch names), so a change in one folder does not
    /// stat 10,000 files. Missing items are still looked for in every watched folder, and the
    /// report counts only the items looked at. Paths that are not tracked (a new file) are
    /// ignored.
    pub fn rescan_paths(&mut self, review: &Review, changed: &[PathBuf]) -> Result<RescanReport> {
        // Spelled as stored (absolute, no trailing separator) so the index finds them.
        let changed: Vec<PathBuf> = changed
            .iter()
            .map(|p| absolute(p).components().collect())
            .collect();
        self.rescan_items(review, Some(&changed), &mut |_| true)
    }

    fn rescan_items(
        &mut self,
        review: &Review,
        only: Option<&[PathBuf]>,
        on_progress: OnProgress<'_>,
    ) -> Result<RescanReport> {
        let tracked = match only {
            None => self.store.tracked(&review.id)?,
            Some(changed) => self.store.tracked_under(&review.id, changed)?,
        };
        let selected: Vec<usize> = (0..tracked.len()).collect();
        let mut progress = WorkProgress {
            files_total: selected.len() as u64,
            bytes_total: selected.iter().map(|&i| tracked[i].size).sum(),
            ..WorkProgress::default()
        };
        let mut report = RescanReport::default();
        let mut findings = Vec::new();
        let mut gone = Vec::new();
        if !on_progress(&progress) {
            return Err(Error::Cancelled);
        }
        // Stat (and, where needed, hash) in parallel; record on this thread, reporting progress
        // and honouring a cancel after each chunk.
        let completed =
            observe_chunks(&tracked, &selected, |chunk, observations, checked_at_ns| {
                for (&ti, observation) in chunk.iter().zip(observations) {
                    let t = &tracked[ti];
                    progress.files_done += 1;
                    progress.bytes_done += t.size;
                    report.checked += 1;
                    let mut f = Finding {
                        id: t.id.clone(),
                        status: EvidenceStatus::Ok,
                        detail: None,
                        moved_to: None,
                        facts: None,
                        seen_hash: None,
                        checked_at_ns,
                    };
                    match observation {
                        // Nothing to record: same status, same facts, no hash needed. Writing nothing
                        // keeps a quiet rescan of 10,000 files to stats alone.
                        Observation::Same { hashed: false, .. }
                            if t.status == EvidenceStatus::Ok =>
                        {
                            report.ok += 1;
                            continue;
                        }
                        Observation::Same { facts, hashed } => {
                            report.hashed += u32::from(hashed);
                            f.facts = Some(facts);
                        }
                        Observation::Changed { facts, hash } => {
                            report.hashed += 1;
                            f.status = EvidenceStatus::Modified;
                            f.detail = Some(StatusDetail::Changed);
                            f.facts = Some(facts);
                            f.seen_hash = Some(hash);
                        }
                        Observation::Unreadable(problem) => {
                            f.status = EvidenceStatus::Unreadable;
                            f.detail = Some(StatusDetail::Unreadable { problem });
                        }
                        Observation::Gone => {
                            gone.push((findings.len(), ti));
                            f.status = EvidenceStatus::Missing;
                            f.detail = Some(StatusDetail::Gone);
                        }
                    }
                    findings.push(f);
                }
                on_progress(&progress)
            });
        if !completed {
            return Err(Error::Cancelled);
        }
        if !gone.is_empty() {
            // Every tracked path: the search skips them and their folders are searched.
            let all: Vec<PathBuf> = match only {
                None => tracked.iter().map(|t| t.path.clone()).collect(),
                Some(_) => self.store.tracked_paths(&review.id)?,
            };
            let roots = watched(self.store.evidence_folders(&review.id)?, &all);
            find_moved(&roots, &all, &tracked, &gone, &mut findings, &mut report);
        }
        for f in &findings {
            match f.status {
                EvidenceStatus::Ok => report.ok += 1,
                EvidenceStatus::Modified => report.modified += 1,
                EvidenceStatus::Missing => report.missing += 1,
                EvidenceStatus::Moved => report.moved += 1,
                EvidenceStatus::Unreadable => report.unreadable += 1,
            }
        }
        if !findings.is_empty() {
            self.store.apply_findings(&findings)?;
        }
        Ok(report)
    }

    /// The folders to watch for changes and to search for moved files: the folders added as
    /// evidence plus the folder of every tracked file, without folders inside others (a
    /// recursive watch of the outer one covers them). The desktop shell hands these to a
    /// [`crate::evidence::FolderWatcher`]; rescans search the same ones.
    pub fn watched_folders(&self, review: &Review) -> Result<Vec<PathBuf>> {
        Ok(watched(
            self.store.evidence_folders(&review.id)?,
            &self.store.tracked_paths(&review.id)?,
        ))
    }

    /// Stops watching a folder added as evidence. Items already added from it stay tracked
    /// (remove them one by one), and the folders they are in are still searched for moves.
    pub fn remove_watched_folder(&mut self, review: &Review, folder: &Path) -> Result<()> {
        if self
            .store
            .remove_evidence_folder(&review.id, &absolute(folder))?
        {
            return Ok(());
        }
        let recorded: Vec<String> = self
            .store
            .evidence_folders(&review.id)?
            .iter()
            .map(|f| f.path.display().to_string())
            .collect();
        Err(Error::not_found(
            Entity::WatchedFolder,
            folder.display().to_string(),
            Hint::Available { ids: recorded },
        ))
    }

    /// Stops tracking an item: it no longer counts, is no longer listed or scanned, and the
    /// file on disk is never touched. Its links and accepted versions stay in the database as
    /// a record; adding the same file again makes a new item.
    pub fn remove_evidence(&mut self, review: &Review, id: &str) -> Result<()> {
        self.store.remove_evidence(&review.id, id)
    }

    /// Removes an item's link to a benchmark: only the link to `requirement_id` when given,
    /// else every link to the benchmark. The item stays tracked even with no links left.
    pub fn unlink_evidence(
        &mut self,
        review: &Review,
        id: &str,
        benchmark_id: &str,
        requirement_id: Option<&str>,
    ) -> Result<()> {
        self.store
            .unlink_evidence(&review.id, id, benchmark_id, requirement_id)
    }

    /// Every tracked item of a review with its links, in the order added.
    pub fn evidence(&self, review: &Review) -> Result<Vec<EvidenceItem>> {
        self.store.evidence(&review.id)
    }

    /// One tracked item.
    pub fn evidence_item(&self, review: &Review, id: &str) -> Result<EvidenceItem> {
        self.evidence(review)?
            .into_iter()
            .find(|i| i.id == id)
            .ok_or_else(|| crate::store::evidence::not_found(id))
    }

    /// What the evidence screen lists: the items and the watched folders.
    pub fn evidence_library(&self, review: &Review) -> Result<EvidenceLibrary> {
        Ok(EvidenceLibrary {
            items: self.evidence(review)?,
            folders: self
                .watched_folders(review)?
                .iter()
                .map(|f| f.display().to_string())
                .collect(),
        })
    }

    /// The folders added whole as evidence (each watched even while empty).
    pub fn evidence_folders(&self, review: &Review) -> Result<Vec<EvidenceFolder>> {
        self.store.evidence_folders(&review.id)
    }

    /// The hashes an item has had, oldest first (one per accepted version); also for an item
    /// no longer tracked, whose record is kept.
    pub fn evidence_versions(&self, review: &Review, id: &str) -> Result<Vec<String>> {
        self.store.evidence_versions(&review.id, id)
    }

    /// An item by its full id or at least 4 characters of its start or end (the short id
    /// lists show is the last 8: the first ones are a timestamp items added together share).
    pub fn resolve_evidence_id(&self, review: &Review, given: &str) -> Result<String> {
        let given = given.trim().to_ascii_lowercase();
        if given.chars().count() < 4 {
            return Err(Error::invalid(
                "id",
                "Give at least 4 characters of the evidence item's id.",
            ));
        }
        let items = self.evidence(review)?;
        let matches: Vec<&EvidenceItem> = items
            .iter()
            .filter(|i| i.id == given || i.id.starts_with(&given) || i.id.ends_with(&given))
            .collect();
        match matches.as_slice() {
            [one] => Ok(one.id.clone()),
            [] => Err(crate::store::evidence::not_found(&given)),
            _ => Err(Error::invalid(
                "id",
                format!("{given:?} matches more than one item; give more of the id."),
            )),
        }
    }

    /// The exact path of an item's file (non-UTF-8 names kept), for opening or showing it.
    pub fn evidence_path(&self, review: &Review, id: &str) -> Result<PathBuf> {
        self.store.evidence_path(&review.id, id)
    }

    /// Copies every present item's accepted content into the data folder's vault (once per
    /// distinct content), checking each file still has that content while it is copied.
    /// Items that are modified, missing, unreadable or changed since the last scan are skipped
    /// with the reason; the rest are frozen.
    pub fn freeze(&mut self, review: &Review) -> Result<FreezeReport> {
        let vault = Vault::in_data_dir(&self.data_dir);
        let statuses: HashMap<String, (EvidenceStatus, String)> = self
            .store
            .evidence(&review.id)?
            .into_iter()
            .map(|i| (i.id, (i.status, i.title)))
            .collect();
        let mut report = FreezeReport::default();
        let mut frozen = Vec::new();
        for t in self.store.tracked(&review.id)? {
            let (status, title) = statuses
                .get(&t.id)
                .cloned()
                .unwrap_or((EvidenceStatus::Missing, String::new()));
            let skip = |reason: SkipReason| Skipped {
                path: t.path.to_string_lossy().into_owned(),
                title: Some(title.clone()),
                reason,
            };
            let reason = match status {
                EvidenceStatus::Ok | EvidenceStatus::Moved => None,
                EvidenceStatus::Modified => Some(SkipReason::Modified),
                EvidenceStatus::Missing => Some(SkipReason::Missing),
                EvidenceStatus::Unreadable => Some(SkipReason::Unreadable),
            };
            if let Some(reason) = reason {
                report.skipped.push(skip(reason));
                continue;
            }
            match vault.store(&t.path, &t.hash) {
                Ok(Stored::Copied(bytes)) => {
                    report.copied += 1;
                    report.bytes_copied += bytes;
                    frozen.push((t.id.clone(), t.hash.clone(), t.size));
                }
                Ok(Stored::AlreadyThere) => frozen.push((t.id.clone(), t.hash.clone(), t.size)),
                Ok(Stored::Changed(_)) => report.skipped.push(skip(SkipReason::ChangedSinceScan)),
                Err(e) => report.skipped.push(skip(SkipReason::CopyFailed {
                    message: e.to_string(),
                })),
            }
        }
        report.frozen = frozen.len() as u32;
        self.store.record_frozen(&frozen)?;
        Ok(report)
    }

    /// Records a modified item's current content as the version of record.
    pub fn accept_evidence(&mut self, review: &Review, id: &str, by: &str) -> Result<EvidenceItem> {
        let t = self
            .store
            .tracked(&review.id)?
            .into_iter()
            .find(|t| t.id == id)
            .ok_or_else(|| crate::store::evidence::not_found(id))?;
        let read =
            FileFacts::of(&t.path).and_then(|facts| hash_file(&t.path).map(|(h, _)| (facts, h)));
        let (facts, hash) = read.map_err(|source| Error::Io {
            path: t.path.clone(),
            action: crate::error::IoAction::Read,
            source,
        })?;
        self.store
            .accept_evidence(&review.id, id, facts, &hash, by)?;
        self.store
            .evidence(&review.id)?
            .into_iter()
            .find(|i| i.id == id)
            .ok_or_else(|| crate::store::evidence::not_found(id))
    }
}
