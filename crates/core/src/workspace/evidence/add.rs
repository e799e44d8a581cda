//! Adding files and folders as evidence, and linking items to benchmarks.

use std::path::PathBuf;

use super::{AddReport, OnProgress, SkipReason, Skipped, WorkProgress, absolute};
use crate::error::{Entity, Error, Hint, Result};
use crate::evidence::{EvidenceLink, HashProgress, Hashed, ReadProblem, hash_many, walk_sized};
use crate::store::Review;
use crate::store::evidence::NewEvidence;
use crate::workspace::Workspace;

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

    /// [`Workspace::add_evidence`] reporting progress before it starts, after each file (files
    /// are hashed on every core; reported in order) and every 100 ms while a long file is
    /// hashed; cancellable (a cancelled add saves nothing).
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
            let (files, problems) = walk_sized(&p);
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
            bytes_total: found.iter().map(|(_, size)| size).sum(),
            ..WorkProgress::default()
        };
        let (found, sizes): (Vec<PathBuf>, Vec<u64>) = found.into_iter().unzip();
        if !on_progress(&progress) {
            return Err(Error::Cancelled);
        }
        // Hashed on every core (many files at once, a large one over all of them); handed
        // back here in order, so progress and a cancel work as they would one by one.
        let completed = hash_many(&found, &sizes, |step| {
            let HashProgress::Done(i, read) = step else {
                // A long file: ask whether to go on.
                return on_progress(&progress);
            };
            let path = &found[i];
            progress.files_done += 1;
            match read {
                Ok(Hashed {
                    facts,
                    hash,
                    checked_at_ns,
                }) => {
                    progress.bytes_done += facts.size;
                    hashed.push((path, facts, hash, checked_at_ns));
                }
                Err(e) => skipped.push(Skipped {
                    path: path.to_string_lossy().into_owned(),
                    title: None,
                    reason: SkipReason::CannotRead {
                        problem: ReadProblem::of(&e),
                    },
                }),
            }
            on_progress(&progress)
        });
        if !completed {
            return Err(Error::Cancelled);
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
        let added = self.store.add_evidence(&review.id, &new, &folders, by)?;
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
}
