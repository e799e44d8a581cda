//! Hashing evidence at the machine's limit: many files at once on a pool of one thread per
//! core, and each large file over every core with BLAKE3's tree hashing (`update_rayon`), read
//! a segment at a time so a 5 GB video can be cancelled between segments and needs no more
//! memory than a small file.
//!
//! The pool's threads run at a slightly lower priority on Linux, so a first scan of 2 GB still
//! uses every core but the app's own threads (autosave, the UI) are served first when they
//! wake. Files are read, not memory-mapped: a file truncated by another program while it is
//! mapped kills the process (SIGBUS), and reading costs no throughput here (see
//! ARCHITECTURE.md, "Performance").

use std::cell::RefCell;
use std::collections::HashMap;
use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::files::FileFacts;

/// Bytes read and hashed at a time. A segment of at least this size is hashed over every core;
/// a file larger than one is hashed segment by segment, checking for a cancel in between.
const SEGMENT: usize = 4 * 1024 * 1024;

/// Below this, one core hashes a buffer (BLAKE3's advice: splitting smaller inputs across
/// threads costs more than it saves).
const PARALLEL_MIN: usize = 128 * 1024;

/// How much lower the pool's threads are scheduled than the app's others (Linux nice levels).
#[cfg(target_os = "linux")]
const NICER: i32 = 5;

/// How often a caller waiting on a long file is asked whether to go on.
const POLL: Duration = Duration::from_millis(100);

/// Now, in nanoseconds since 1970 (the clock `checked_at_ns` is kept in).
pub(crate) fn now_ns() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_nanos()).unwrap_or(i64::MAX))
}

/// The pool every hash runs on: one thread per core, made the first time it is needed. `None`
/// if the system refused threads (then hashing runs on the caller's thread).
fn pool() -> Option<&'static rayon::ThreadPool> {
    static POOL: OnceLock<Option<rayon::ThreadPool>> = OnceLock::new();
    POOL.get_or_init(|| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(std::thread::available_parallelism().map_or(1, |n| n.get()))
            .thread_name(|i| format!("waymark-hash-{i}"))
            .start_handler(|_| lower_priority())
            .build()
            .ok()
    })
    .as_ref()
}

/// Lowers the calling thread's priority a little (Linux schedules each thread on its own).
fn lower_priority() {
    #[cfg(target_os = "linux")]
    {
        use rustix::process::{getpriority_process, setpriority_process};
        let me = Some(rustix::thread::gettid());
        if let Ok(now) = getpriority_process(me) {
            // Best effort: a thread that keeps its priority only competes a little harder.
            let _ = setpriority_process(me, (now + NICER).min(19));
        }
    }
}

/// BLAKE3 of a file's content (hex) and the number of bytes read, streamed so a 5 GB video
/// needs no more memory than a small file; a large file is hashed over every core.
pub fn hash_file(path: &Path) -> io::Result<(String, u64)> {
    let never = AtomicBool::new(false);
    hash_until(path, &never)?.ok_or_else(|| io::Error::other("hashing stopped"))
}

/// [`hash_file`], giving up (`None`) between segments once `stop` is set.
pub(crate) fn hash_until(path: &Path, stop: &AtomicBool) -> io::Result<Option<(String, u64)>> {
    thread_local! {
        // One buffer per thread, reused: allocating (and faulting in) a fresh one for each of
        // 10,000 small files costs more than hashing some of them.
        static BUFFER: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
    }
    let mut file = File::open(path)?;
    // One byte more than the file, so a small file is read in one go and its end seen at once.
    let len = usize::try_from(file.metadata()?.len()).unwrap_or(usize::MAX);
    let want = len.saturating_add(1).min(SEGMENT);
    BUFFER.with(|cell| match cell.try_borrow_mut() {
        Ok(mut buf) => {
            if buf.len() < want {
                buf.resize(want, 0);
            }
            hash_open(&mut file, &mut buf[..want], stop)
        }
        // Only if a pool thread waiting inside update_rayon took on another file.
        Err(_) => hash_open(&mut file, &mut vec![0u8; want], stop),
    })
}

fn hash_open(
    file: &mut File,
    buf: &mut [u8],
    stop: &AtomicBool,
) -> io::Result<Option<(String, u64)>> {
    let mut hasher = blake3::Hasher::new();
    loop {
        let n = read_full(file, buf)?;
        let bytes = &buf[..n];
        match pool() {
            Some(pool) if n >= PARALLEL_MIN => {
                pool.install(|| hasher.update_rayon(bytes));
            }
            _ => {
                hasher.update(bytes);
            }
        }
        if n < buf.len() {
            return Ok(Some((
                hasher.finalize().to_hex().to_string(),
                hasher.count(),
            )));
        }
        if stop.load(Ordering::Relaxed) {
            return Ok(None);
        }
    }
}

/// Reads until `buf` is full or the file ends; how many bytes were read.
fn read_full(file: &mut File, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match file.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

/// One file as read for adding: its facts just before it was hashed, and when that was.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Hashed {
    pub facts: FileFacts,
    pub hash: String,
    pub checked_at_ns: i64,
}

fn hash_one(path: &Path, stop: &AtomicBool) -> io::Result<Option<Hashed>> {
    let checked_at_ns = now_ns();
    let facts = FileFacts::of(path)?;
    Ok(hash_until(path, stop)?.map(|(hash, _)| Hashed {
        facts,
        hash,
        checked_at_ns,
    }))
}

/// What [`hash_many`] hands over: a file's result, or a tick while a long file is still being
/// hashed (so the caller can cancel).
pub(crate) enum Progress {
    /// The file at this index of the list: its facts and hash, or why it could not be read.
    Done(usize, io::Result<Hashed>),
    /// Still working.
    Tick,
}

/// Small files are hashed in groups of about this many bytes (or [`GROUP_FILES`] files) per
/// task: one hand-over (and one wake-up of the caller) per group instead of per file.
const GROUP_BYTES: u64 = 1024 * 1024;
const GROUP_FILES: usize = 32;

/// Consecutive runs of `sizes`: each a group of small files or one large file.
fn groups(sizes: &[u64]) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut bytes = 0;
    for (i, &size) in sizes.iter().enumerate() {
        if i > start && (bytes + size > GROUP_BYTES || i - start >= GROUP_FILES) {
            out.push(start..i);
            start = i;
            bytes = 0;
        }
        bytes += size;
    }
    if start < sizes.len() {
        out.push(start..sizes.len());
    }
    out
}

type Results = Vec<(usize, io::Result<Option<Hashed>>)>;

/// Hashes `paths` (of about `sizes` bytes, as the walk saw them) on the pool, started in order
/// (small files a group per core, a large one over all cores as they come free), and hands
/// every result to `each` on this thread, in the order of `paths`. `each` returning `false`
/// stops the rest (files being hashed stop at their next segment); the result says whether
/// every file was handed over.
pub(crate) fn hash_many(
    paths: &[PathBuf],
    sizes: &[u64],
    mut each: impl FnMut(Progress) -> bool,
) -> bool {
    let stop = AtomicBool::new(false);
    let Some(pool) = pool().filter(|_| paths.len() > 1) else {
        return paths
            .iter()
            .enumerate()
            .all(|(i, p)| match hash_one(p, &stop) {
                Ok(Some(h)) => each(Progress::Done(i, Ok(h))),
                Ok(None) => false,
                Err(e) => each(Progress::Done(i, Err(e))),
            });
    };
    let mut sizes = sizes.to_vec();
    sizes.resize(paths.len(), 0);
    let groups = groups(&sizes);
    let (tx, rx) = mpsc::channel::<Results>();
    std::thread::scope(|scope| {
        let stop = &stop;
        let groups = &groups;
        scope.spawn(move || {
            // In a FIFO scope, groups are started in order; a core that finishes one helps
            // with a large file's halves before starting the next.
            let started = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                pool.scope_fifo(|fifo| {
                    for range in groups {
                        let tx = tx.clone();
                        fifo.spawn_fifo(move |_| {
                            let mut done = Vec::with_capacity(range.len());
                            for i in range.clone() {
                                if stop.load(Ordering::Relaxed) {
                                    break;
                                }
                                done.push((i, hash_one(&paths[i], stop)));
                            }
                            let _ = tx.send(done);
                        });
                    }
                });
            }));
            // Only if hashing panicked: those files are reported as unreadable below instead
            // of taking the app down.
            drop(started);
        });
        let mut early: HashMap<usize, io::Result<Option<Hashed>>> = HashMap::new();
        let mut want = 0;
        while want < paths.len() {
            match rx.recv_timeout(POLL) {
                Ok(done) => early.extend(done),
                Err(RecvTimeoutError::Timeout) => {
                    if !each(Progress::Tick) {
                        stop.store(true, Ordering::Relaxed);
                        return false;
                    }
                    continue;
                }
                // Every sender gone: whatever is not there never will be.
                Err(RecvTimeoutError::Disconnected) => {
                    let lost = || io::Error::other("internal error while reading");
                    for i in want..paths.len() {
                        early.entry(i).or_insert_with(|| Err(lost()));
                    }
                }
            }
            while let Some(result) = early.remove(&want) {
                let go_on = match result {
                    Ok(Some(h)) => each(Progress::Done(want, Ok(h))),
                    Err(e) => each(Progress::Done(want, Err(e))),
                    Ok(None) => false,
                };
                if !go_on {
                    stop.store(true, Ordering::Relaxed);
                    return false;
                }
                want += 1;
            }
        }
        true
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn content(len: usize, seed: u8) -> Vec<u8> {
        (0..len)
            .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed))
            .collect()
    }

    #[test]
    fn every_size_hashes_to_the_blake3_of_the_content() {
        let dir = tempfile::tempdir().expect("dir");
        // Around each boundary: one core, every core, one segment, several segments.
        let sizes = [
            0,
            5,
            PARALLEL_MIN - 1,
            PARALLEL_MIN,
            SEGMENT - 1,
            SEGMENT,
            SEGMENT + 1,
            3 * SEGMENT + 12_345,
        ];
        let paths: Vec<PathBuf> = sizes
            .iter()
            .enumerate()
            .map(|(i, &len)| {
                let p = dir.path().join(format!("{i}.bin"));
                std::fs::write(&p, content(len, i as u8)).expect("write");
                p
            })
            .collect();
        for (p, &len) in paths.iter().zip(&sizes) {
            let want = blake3::hash(&std::fs::read(p).expect("read"))
                .to_hex()
                .to_string();
            assert_eq!(
                hash_file(p).expect("hash"),
                (want, len as u64),
                "{len} bytes"
            );
        }
        let mut seen = Vec::new();
        let sizes: Vec<u64> = sizes.iter().map(|&s| s as u64).collect();
        assert!(hash_many(&paths, &sizes, |p| {
            if let Progress::Done(i, r) = p {
                seen.push((i, r.expect("hashed").hash));
            }
            true
        }));
        let want: Vec<(usize, String)> = paths
            .iter()
            .enumerate()
            .map(|(i, p)| (i, hash_file(p).expect("hash").0))
            .collect();
        assert_eq!(seen, want, "every file, in order");
    }

    #[test]
    fn stopping_hands_over_nothing_more_and_a_missing_file_is_an_error() {
        let dir = tempfile::tempdir().expect("dir");
        let mut paths: Vec<PathBuf> = (0..50)
            .map(|i| {
                let p = dir.path().join(format!("{i}.txt"));
                std::fs::write(&p, format!("file {i}")).expect("write");
                p
            })
            .collect();
        paths.insert(1, dir.path().join("gone.txt"));
        let mut seen = Vec::new();
        let completed = hash_many(&paths, &[], |p| match p {
            Progress::Done(i, r) => {
                seen.push((i, r.is_ok()));
                i < 3
            }
            Progress::Tick => true,
        });
        assert!(!completed);
        assert_eq!(seen, [(0, true), (1, false), (2, true), (3, true)]);
    }

    #[test]
    #[allow(clippy::single_range_in_vec_init)]
    fn small_files_go_in_groups_and_large_ones_alone() {
        let mb = GROUP_BYTES;
        assert_eq!(groups(&[]), []);
        assert_eq!(groups(&[10, 20, 30]), [0..3]);
        assert_eq!(
            groups(&[mb / 2, mb / 2, 1, 10 * mb, 5]),
            [0..2, 2..3, 3..4, 4..5]
        );
        assert_eq!(groups(&[1; 70]), [0..32, 32..64, 64..70]);
    }

    #[test]
    fn a_long_hash_stops_at_the_next_segment() {
        let dir = tempfile::tempdir().expect("dir");
        let p = dir.path().join("video.bin");
        std::fs::write(&p, content(3 * SEGMENT, 7)).expect("write");
        let stop = AtomicBool::new(true);
        assert_eq!(hash_until(&p, &stop).expect("read"), None);
    }
}
