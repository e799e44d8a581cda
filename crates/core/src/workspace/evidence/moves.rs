//! Finding missing items' content elsewhere in the watched folders, through the search index
//! (`search_index.rs` keeps it up to date): untracked files of the same size are hashed, once
//! each; a hash is kept in the index while the file's size and modified time stay the same.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

use super::{RescanReport, now_ns};
use crate::error::Result;
use crate::evidence::{EvidenceStatus, FileFacts, RACY_WINDOW_NS, StatusDetail, hash_file};
use crate::store::Store;
use crate::store::evidence::{Finding, Tracked};
use crate::store::search_index::{IndexChanges, IndexedFile};

/// A missing item to look for: the index of its finding when this rescan looked at it (else a
/// finding is added if it is found), and its record.
pub(super) type Missing<'a> = (Option<usize>, &'a Tracked);

/// The content of an indexed file now, and its facts: from the index when it was hashed and
/// has not changed since (nor was modified within the racy window of being hashed), else read
/// (and the hash kept). `None` when it is gone or cannot be read.
fn content_now(
    c: &IndexedFile,
    changes: &mut IndexChanges,
    report: &mut RescanReport,
) -> Option<(String, FileFacts)> {
    let Ok(facts) = FileFacts::of(&c.path) else {
        changes.forget_files.push(c.path.clone());
        return None;
    };
    if let Some((hash, hashed_at)) = &c.hash
        && facts == c.facts
        && facts.mtime_ns < hashed_at.saturating_sub(RACY_WINDOW_NS)
    {
        return Some((hash.clone(), facts));
    }
    let hashed_at = now_ns();
    let hash = hash_file(&c.path).ok()?.0;
    report.hashed += 1;
    changes.files.push(IndexedFile {
        path: c.path.clone(),
        facts,
        hash: Some((hash.clone(), hashed_at)),
    });
    Some((hash, facts))
}

/// Looks for each missing item's content among the untracked files of the index (as written:
/// write the update that brought it up to date first). A file with
/// the item's accepted content makes it moved; one with the modified content last seen makes
/// it modified at its new place (edited, then filed away). Found items' findings are updated
/// (or added, for items this rescan did not look at).
pub(super) fn find_moved(
    store: &Store,
    review_id: &str,
    missing: &[Missing<'_>],
    findings: &mut Vec<Finding>,
    changes: &mut IndexChanges,
    report: &mut RescanReport,
) -> Result<()> {
    let mut by_size: HashMap<u64, Vec<IndexedFile>> = HashMap::new();
    let mut contents: HashMap<PathBuf, Option<(String, FileFacts)>> = HashMap::new();
    let mut taken: HashSet<PathBuf> = HashSet::new();
    for &(at, t) in missing {
        let mut sizes = vec![t.size];
        sizes.extend(t.seen_size.filter(|s| *s != t.size));
        let mut found: Option<(PathBuf, FileFacts, bool)> = None;
        'sizes: for size in sizes {
            if let std::collections::hash_map::Entry::Vacant(e) = by_size.entry(size) {
                e.insert(store.untracked_of_size(review_id, size)?);
            }
            for c in by_size.get(&size).into_iter().flatten() {
                if taken.contains(&c.path) {
                    continue;
                }
                let now = contents
                    .entry(c.path.clone())
                    .or_insert_with(|| content_now(c, changes, report));
                let Some((hash, facts)) = now else { continue };
                if *hash == t.hash {
                    found = Some((c.path.clone(), *facts, false));
                    break 'sizes;
                }
                if t.seen_hash.as_ref() == Some(hash) && found.is_none() {
                    // Keep looking for the accepted content; this one is second best.
                    found = Some((c.path.clone(), *facts, true));
                }
            }
        }
        let Some((to, facts, modified)) = found else {
            continue;
        };
        taken.insert(to.clone());
        // Tracked from now on: no longer a place to look.
        changes.forget_files.push(to.clone());
        let i = at.unwrap_or_else(|| {
            findings.push(Finding {
                id: t.id.clone(),
                status: EvidenceStatus::Missing,
                detail: Some(StatusDetail::Gone),
                moved_to: None,
                facts: None,
                seen_hash: None,
                checked_at_ns: now_ns(),
            });
            findings.len() - 1
        });
        let f = &mut findings[i];
        let from = t.path.display().to_string();
        f.moved_to = Some(to);
        f.facts = Some(facts);
        if modified {
            f.status = EvidenceStatus::Modified;
            f.detail = Some(StatusDetail::MovedAndChanged { from });
            f.seen_hash = t.seen_hash.clone();
        } else {
            f.status = EvidenceStatus::Moved;
            f.detail = Some(StatusDetail::MovedFrom { from });
        }
    }
    Ok(())
}
