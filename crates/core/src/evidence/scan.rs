//! Deciding whether a tracked file changed, the way git's index does: compare size and
//! modified time, hash only when they differ or when the file is "racily clean" (modified so
//! close to the last look that a change within the same timestamp tick could be hidden).

use std::io;
use std::path::Path;

use super::ReadProblem;
use super::files::{FactsReader, FileFacts};
use super::hashing::hash_file;

/// A file modified less than this long before the last look is hashed again, whatever its
/// size and time say (2 s covers FAT's timestamp resolution, the coarsest in use).
pub(crate) const RACY_WINDOW_NS: i64 = 2_000_000_000;

/// What looking at one tracked file found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Observation {
    /// Same content (hashed only if needed); the facts seen now.
    Same { facts: FileFacts, hashed: bool },
    /// Different content.
    Changed { facts: FileFacts, hash: String },
    /// Not there (or vanished while being read).
    Gone,
    /// There, but not readable; why.
    Unreadable(ReadProblem),
}

/// Looks at `path`, recorded with `size`, `mtime_ns` and `hash` when last looked at at
/// `checked_at_ns`.
#[cfg(test)]
pub(crate) fn observe(
    path: &Path,
    size: u64,
    mtime_ns: i64,
    hash: &str,
    checked_at_ns: i64,
) -> Observation {
    look(
        &mut FactsReader::default(),
        path,
        size,
        mtime_ns,
        checked_at_ns,
    )
    .against(hash)
}

/// What looking at a file found before it is compared with the content recorded: a rescan
/// looks without the recorded hash (reading 10,000 of them would cost more than the stats) and
/// fetches it only for the few files it had to hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Look {
    /// Same size and time, outside the racy window: the same content, not read.
    Unchanged(FileFacts),
    /// Hashed, because its size or time differs or it is racily clean.
    Hashed(FileFacts, String),
    /// Gone or unreadable.
    Failed(Observation),
}

impl Look {
    /// Whether the file needed no reading.
    pub(crate) fn unchanged(&self) -> bool {
        matches!(self, Look::Unchanged(_))
    }

    /// The observation, given the content recorded for the file.
    pub(crate) fn against(self, hash: &str) -> Observation {
        match self {
            Look::Unchanged(facts) => Observation::Same {
                facts,
                hashed: false,
            },
            Look::Hashed(facts, seen) if seen == hash => Observation::Same {
                facts,
                hashed: true,
            },
            Look::Hashed(facts, seen) => Observation::Changed { facts, hash: seen },
            Look::Failed(observation) => observation,
        }
    }
}

/// Looks at `path`, recorded with `size` and `mtime_ns` when last looked at at
/// `checked_at_ns`, through `reader`: size and time first, hashing only when they differ or
/// the file is racily clean.
pub(crate) fn look(
    reader: &mut FactsReader,
    path: &Path,
    size: u64,
    mtime_ns: i64,
    checked_at_ns: i64,
) -> Look {
    let facts = match reader.facts(path) {
        Ok(f) => f,
        Err(e) => return Look::Failed(gone_or_unreadable(&e)),
    };
    let racy = mtime_ns >= checked_at_ns.saturating_sub(RACY_WINDOW_NS);
    if facts.size == size && facts.mtime_ns == mtime_ns && !racy {
        return Look::Unchanged(facts);
    }
    match hash_file(path) {
        Ok((seen, _)) => Look::Hashed(facts, seen),
        Err(e) => Look::Failed(gone_or_unreadable(&e)),
    }
}

fn gone_or_unreadable(e: &io::Error) -> Observation {
    match ReadProblem::of(e) {
        ReadProblem::NotFound => Observation::Gone,
        problem => Observation::Unreadable(problem),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(path: &Path) -> (FileFacts, String) {
        (
            FileFacts::of(path).expect("facts"),
            hash_file(path).expect("hash").0,
        )
    }

    #[test]
    fn unchanged_files_are_not_hashed_once_the_racy_window_has_passed() {
        let dir = tempfile::tempdir().expect("dir");
        let p = dir.path().join("policy.txt");
        std::fs::write(&p, "v1").expect("write");
        let (facts, hash) = record(&p);
        let long_after = facts.mtime_ns + RACY_WINDOW_NS + 1;
        assert_eq!(
            observe(&p, facts.size, facts.mtime_ns, &hash, long_after),
            Observation::Same {
                facts,
                hashed: false
            }
        );
        // Looked at within the same tick: racily clean, so it is hashed.
        assert_eq!(
            observe(&p, facts.size, facts.mtime_ns, &hash, facts.mtime_ns),
            Observation::Same {
                facts,
                hashed: true
            }
        );
    }

    #[test]
    fn a_change_within_the_same_timestamp_and_size_is_caught_when_racy() {
        let dir = tempfile::tempdir().expect("dir");
        let p = dir.path().join("plan.txt");
        std::fs::write(&p, "aaaa").expect("write");
        let (facts, hash) = record(&p);
        std::fs::write(&p, "bbbb").expect("rewrite");
        // Restore the old modified time: size and time now match the record exactly.
        let file = std::fs::File::options().write(true).open(&p).expect("open");
        let when = std::time::UNIX_EPOCH + std::time::Duration::from_nanos(facts.mtime_ns as u64);
        file.set_modified(when).expect("set mtime");
        match observe(&p, facts.size, facts.mtime_ns, &hash, facts.mtime_ns) {
            Observation::Changed { hash: seen, .. } => assert_ne!(seen, hash),
            other => panic!("expected a change, got {other:?}"),
        }
    }

    #[test]
    fn missing_and_unreadable_files_are_told_apart() {
        let dir = tempfile::tempdir().expect("dir");
        assert_eq!(
            observe(&dir.path().join("gone"), 1, 1, "x", 0),
            Observation::Gone
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let p = dir.path().join("locked.txt");
            std::fs::write(&p, "secret").expect("write");
            std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o000)).expect("chmod");
            // Root can read anything; the check only means something for other users.
            if std::fs::read(&p).is_err() {
                assert_eq!(
                    observe(&p, 1, 1, "x", 0),
                    Observation::Unreadable(ReadProblem::PermissionDenied)
                );
            }
        }
    }
}
