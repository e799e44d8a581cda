//! Reading and editing tracked items one at a time: describe, remove, unlink, accept, list.

use std::path::PathBuf;

use super::EvidenceLibrary;
use crate::error::{Error, Result};
use crate::evidence::{EvidenceItem, FileFacts, hash_file};
use crate::store::Review;
use crate::store::search_index::IndexedFile;
use crate::workspace::Workspace;

impl Workspace {
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

    /// Stops tracking an item: it no longer counts, is no longer listed or scanned, and the
    /// file on disk is never touched. Its links and accepted versions stay in the database as
    /// a record; adding the same file again makes a new item.
    pub fn remove_evidence(&mut self, review: &Review, id: &str) -> Result<()> {
        let path = self.store.evidence_path(&review.id, id).ok();
        self.store.remove_evidence(&review.id, id)?;
        // Untracked now: a place a missing item's content may be found.
        match path.and_then(|p| FileFacts::of(&p).ok().map(|facts| (p, facts))) {
            Some((path, facts)) => self.store.index_if_listed(
                &review.id,
                &IndexedFile {
                    path,
                    facts,
                    hash: None,
                },
            ),
            None => Ok(()),
        }
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

    /// Where the vault keeps the frozen content with BLAKE3 `hash` (it may not be there: only
    /// [`Workspace::freeze`] puts it there). The file is encrypted: read it with
    /// [`Workspace::open_frozen`]. A submission is packaged from these copies, so what is sent
    /// is exactly what was reviewed.
    pub fn frozen_path(&self, hash: &str) -> PathBuf {
        self.vault().blob_path(hash)
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
