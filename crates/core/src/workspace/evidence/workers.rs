//! The worker pool a rescan looks at files with.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;

use super::now_ns;
use crate::evidence::{FactsReader, Observation, ReadProblem, observe_with};
use crate::store::evidence::Tracked;

/// At most this many items are looked at between progress reports (and cancel checks).
const RESCAN_CHUNK: usize = 512;

/// Looks at the `selected` items of `tracked` a chunk at a time, on worker threads that live
/// for the whole rescan (stats dominate a quiet rescan, and hashing a changed video should not
/// hold up the next file), and hands each chunk's observations, in order, to `each_chunk` on
/// this thread with the time the chunk was looked at. `each_chunk` returning `false` stops
/// the rest; the result says whether every chunk was handed over.
pub(super) fn observe_chunks(
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
