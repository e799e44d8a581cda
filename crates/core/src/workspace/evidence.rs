//! Evidence operations on a workspace: add files and folders, link, rescan, accept changes.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::Serialize;

use super::Workspace;
use crate::error::{Error, Result};
use crate::evidence::{
    EvidenceItem, EvidenceLink, EvidenceStatus, FileFacts, Observation, hash_file, observe, walk,
};
use crate::evidence::{Stored, Vault};
use crate::store::Review;
use crate::store::evidence::{Finding, NewEvidence};

/// A path that could not be added, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Skipped {
    /// The path (lossy for non-UTF-8 names).
    pub path: String,
    /// Why, in words.
    pub reason: String,
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

/// Looks at every item of a chunk, spread over the machine's cores (stats dominate a quiet
/// rescan, and hashing a changed video should not wait for the next one).
fn observe_all(chunk: &[crate::store::evidence::Tracked]) -> Vec<Observation> {
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, 8);
    let per = chunk.len().div_ceil(workers).max(1);
    std::thread::scope(|scope| {
        let handles: Vec<_> = chunk
            .chunks(per)
            .map(|part| {
                let handle = scope.spawn(move || {
                    part.iter()
                        .map(|t| observe(&t.path, t.size, t.mtime_ns, &t.hash, t.checked_at_ns))
                        .collect::<Vec<_>>()
                });
                (part.len(), handle)
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|(len, h)| {
                // A worker only panics if observe() does; report its files as unreadable
                // rather than taking the app down.
                h.join().unwrap_or_else(|_| {
                    vec![Observation::Unreadable("internal error while reading".into()); len]
                })
            })
            .collect()
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
    fn check_links(&mut self, review: &Review, links: &[EvidenceLink]) -> Result<()> {
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
                        let ids: Vec<&str> = fw
                            .benchmark(&l.benchmark_id)
                            .map(|b| b.benchmark.evidence.iter().map(|e| e.id.as_str()).collect())
                            .unwrap_or_default();
                        return Err(Error::NotFound {
                            what: "Evidence requirement",
                            id: req.clone(),
                            hint: if ids.is_empty() {
                                format!(
                                    "Benchmark {} has no evidence requirements.",
                                    l.benchmark_id
                                )
                            } else {
                                format!(
                                    "Benchmark {} asks for: {}.",
                                    l.benchmark_id,
                                    ids.join(", ")
                                )
                            },
                        });
                    }
                }
            }
        }
        Ok(())
    }

    /// Adds files and whole folders as evidence, linked as given. Files are hashed before
    /// anything is written; a file that cannot be read is skipped with its reason and the rest
    /// are added in one transaction.
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
        for p in paths {
            if !p.exists() {
                skipped.push(Skipped {
                    path: p.to_string_lossy().into_owned(),
                    reason: "no such file or folder".into(),
                });
                continue;
            }
            let (files, problems) = walk(&absolute(p));
            found.extend(files);
            skipped.extend(problems.into_iter().map(|(path, e)| Skipped {
                path: path.to_string_lossy().into_owned(),
                reason: e.to_string(),
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
                    reason: e.to_string(),
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
            .add_evidence(&review.id, &new, by)?
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
    /// A missing item whose content is found elsewhere in the folders evidence came from is
    /// relinked and reported as moved.
    pub fn rescan(&mut self, review: &Review) -> Result<RescanReport> {
        self.rescan_with(review, &mut |_| true)
    }

    /// [`Workspace::rescan`] reporting progress before each chunk of 512 files (looked at in
    /// parallel), cancellable (a cancelled rescan records nothing).
    pub fn rescan_with(
        &mut self,
        review: &Review,
        on_progress: OnProgress<'_>,
    ) -> Result<RescanReport> {
        let tracked = self.store.tracked(&review.id)?;
        let mut progress = WorkProgress {
            files_total: tracked.len() as u64,
            bytes_total: tracked.iter().map(|t| t.size).sum(),
            ..WorkProgress::default()
        };
        let mut report = RescanReport::default();
        let mut findings = Vec::new();
        let mut gone = Vec::new();
        // Stat (and, where needed, hash) in parallel a chunk at a time; record on this thread,
        // reporting progress and honouring a cancel between chunks.
        const CHUNK: usize = 512;
        for (c, chunk) in tracked.chunks(CHUNK).enumerate() {
            if !on_progress(&progress) {
                return Err(Error::Cancelled);
            }
            let checked_at_ns = now_ns();
            let observations = observe_all(chunk);
            for (k, (t, observation)) in chunk.iter().zip(observations).enumerate() {
                let ti = c * CHUNK + k;
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
                    // Nothing to record: same status, same facts, no hash needed. Writing nothing keeps
                    // a quiet rescan of 10,000 files to stats alone.
                    Observation::Same { hashed: false, .. } if t.status == EvidenceStatus::Ok => {
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
                        f.detail = Some("the file's content has changed since it was added".into());
                        f.facts = Some(facts);
                        f.seen_hash = Some(hash);
                    }
                    Observation::Unreadable(why) => {
                        f.status = EvidenceStatus::Unreadable;
                        f.detail = Some(why);
                    }
                    Observation::Gone => {
                        gone.push((findings.len(), ti));
                        f.status = EvidenceStatus::Missing;
                        f.detail = Some("the file is no longer at this path".into());
                    }
                }
                findings.push(f);
            }
        }
        if !gone.is_empty() {
            self.find_moved(&tracked, &gone, &mut findings, &mut report);
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
        self.store.apply_findings(&findings)?;
        Ok(report)
    }

    /// Looks for missing items' content under the folders tracked files live in, hashing only
    /// untracked files of the same size.
    fn find_moved(
        &self,
        tracked: &[crate::store::evidence::Tracked],
        gone: &[(usize, usize)],
        findings: &mut [Finding],
        report: &mut RescanReport,
    ) {
        let known: HashSet<&Path> = tracked.iter().map(|t| t.path.as_path()).collect();
        let mut roots: Vec<PathBuf> = tracked
            .iter()
            .filter_map(|t| t.path.parent().map(Path::to_owned))
            .filter(|p| p.is_dir())
            .collect();
        roots.sort();
        roots.dedup();
        // Drop roots inside other roots so no file is visited twice.
        let roots: Vec<PathBuf> = roots
            .iter()
            .filter(|r| !roots.iter().any(|o| o != *r && r.starts_with(o)))
            .cloned()
            .collect();
        let mut by_size: HashMap<u64, Vec<PathBuf>> = HashMap::new();
        for root in &roots {
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
        for &(i, ti) in gone {
            let t = &tracked[ti];
            let Some(candidates) = by_size.get(&t.size) else {
                continue;
            };
            let found = candidates.iter().find(|c| {
                let h = hashes.entry((*c).clone()).or_insert_with(|| {
                    report.hashed += 1;
                    hash_file(c).map(|(h, _)| h).unwrap_or_default()
                });
                *h == t.hash
            });
            if let Some(to) = found {
                let f = &mut findings[i];
                f.status = EvidenceStatus::Moved;
                f.detail = Some(format!("moved from {}", t.path.display()));
                f.facts = FileFacts::of(to).ok();
                f.moved_to = Some(to.clone());
            }
        }
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
            let skip = |reason: String| Skipped {
                path: t.path.to_string_lossy().into_owned(),
                reason: format!("{title}: {reason}"),
            };
            let reason = match status {
                EvidenceStatus::Ok | EvidenceStatus::Moved => None,
                EvidenceStatus::Modified => Some("modified since it was added; accept the new version or restore the file, then freeze again".to_owned()),
                EvidenceStatus::Missing => Some("missing; put the file back or remove the item".to_owned()),
                EvidenceStatus::Unreadable => Some("cannot be read; close the program that has it open or fix its permissions".to_owned()),
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
                Ok(Stored::Changed(_)) => report.skipped.push(skip(
                    "changed since the last scan; run a rescan, accept or restore it, then freeze again".to_owned(),
                )),
                Err(e) => report.skipped.push(skip(format!("could not be copied into the vault ({e})"))),
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
        let (facts, hash) = read.map_err(|e| {
            Error::invalid(
                "evidence",
                format!(
                    "{} cannot be read ({e}); run a rescan to see its status.",
                    t.path.display()
                ),
            )
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
