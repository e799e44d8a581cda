//! Finding missing items' content elsewhere in the watched folders.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use super::RescanReport;
use crate::evidence::{EvidenceStatus, FileFacts, StatusDetail, hash_file, walk};
use crate::store::evidence::{Finding, Tracked};

/// Looks for missing items' content under the watched folders, hashing only untracked files
/// of the same size. A file with the item's accepted content makes it moved; one with the
/// modified content last seen makes it modified at its new place (edited, then filed away).
pub(super) fn find_moved(
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
