//! The worker pool a rescan looks at files with.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, mpsc};

use super::now_ns;
use crate::error::Result;
use crate::evidence::{FactsReader, Look, Observation, ReadProblem, look};
use crate::store::evidence::Glance;

/// Items are handed to the workers this many at a time: small enough that the stats of the
/// first chunk start while the rest of the rows are still being read (reading 10,000 rows was
/// a fifth of a quiet rescan), and that progress is reported often; large enough that handing
/// them over costs nothing next to the stats.
const CHUNK: usize = 256;

/// A chunk to look at: its place in the order, and its items (kept by the caller too).
type Work = (usize, Arc<Vec<Glance>>);
/// What a worker saw: the chunk's place, when it looked, what it saw of each item.
type Seen = (usize, i64, Vec<Look>);

/// What [`observe_all`] hands over as it goes.
pub(super) enum Step<'a> {
    /// Every item is read: how many there are and their bytes (told once, first).
    Read { files: u64, bytes: u64 },
    /// One chunk looked at: its items, the index of the first, what was seen of each and when.
    Chunk {
        base: usize,
        items: &'a [Glance],
        looks: Vec<Look>,
        checked_at_ns: i64,
    },
}

/// Looks at every item `read` hands over, a chunk at a time, on worker threads that live for
/// the whole rescan (stats dominate a quiet rescan, and hashing a changed video should not hold
/// up the next file). The workers start on the first chunk while `read` goes on. `each` is
/// told on this thread when every item is read, then given each chunk in order; its returning
/// `false` stops the rest. The result is every item read, in order, or `None` once stopped.
pub(super) fn observe_all(
    read: impl FnOnce(&mut dyn FnMut(Glance)) -> Result<()>,
    mut each: impl FnMut(Step<'_>) -> bool,
) -> Result<Option<Vec<Glance>>> {
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, 8);
    let (work_tx, work_rx) = mpsc::channel::<Work>();
    let work_rx = Mutex::new(work_rx);
    let (done_tx, done_rx) = mpsc::channel::<Seen>();
    let stop = AtomicBool::new(false);
    std::thread::scope(|scope| {
        // Moved in, so every way out of this closure drops them and the workers, waiting for
        // the next chunk, end before the scope joins them.
        let (work_tx, done_tx) = (work_tx, done_tx);
        let mut chunks: Vec<Arc<Vec<Glance>>> = Vec::new();
        let mut current = Vec::with_capacity(CHUNK);
        let (mut files, mut bytes) = (0u64, 0u64);
        let mut handles = Vec::new();
        // The workers start with the first full chunk, so a watcher's batch of a handful of
        // files is looked at on this thread, where threads would cost more than they save.
        let mut send = |chunk: Vec<Glance>, chunks: &mut Vec<Arc<Vec<Glance>>>| {
            if chunks.is_empty() && workers > 1 {
                for _ in 0..workers {
                    let (work_rx, done_tx, stop) = (&work_rx, done_tx.clone(), &stop);
                    handles.push(scope.spawn(move || work(work_rx, &done_tx, stop)));
                }
            }
            let chunk = Arc::new(chunk);
            // A send fails only once every worker has gone (a panic): the chunk is then
            // reported as unreadable below, like the others that worker would have looked at.
            let _ = work_tx.send((chunks.len(), Arc::clone(&chunk)));
            chunks.push(chunk);
        };
        read(&mut |t| {
            files += 1;
            bytes += t.size;
            current.push(t);
            if current.len() == CHUNK {
                send(
                    std::mem::replace(&mut current, Vec::with_capacity(CHUNK)),
                    &mut chunks,
                );
            }
        })
        .inspect_err(|_| stop.store(true, Ordering::Relaxed))?;
        let threaded = workers > 1 && !chunks.is_empty();
        if threaded && !current.is_empty() {
            send(std::mem::take(&mut current), &mut chunks);
        }
        drop((work_tx, done_tx));
        if !each(Step::Read { files, bytes }) {
            stop.store(true, Ordering::Relaxed);
            return Ok(None);
        }
        if !threaded {
            // One chunk at most, or one core: looked at here, in order.
            if !current.is_empty() {
                chunks.push(Arc::new(current));
            }
            let mut base = 0;
            for chunk in &chunks {
                let at = now_ns();
                if !each(chunk_step(base, chunk, look_at(chunk), at)) {
                    return Ok(None);
                }
                base += chunk.len();
            }
            return Ok(Some(flatten(chunks)));
        }
        let mut early: HashMap<usize, (i64, Vec<Look>)> = HashMap::new();
        let (mut want, mut base) = (0, 0);
        let mut completed = true;
        'receive: for (c, at, seen) in &done_rx {
            early.insert(c, (at, seen));
            while let Some((at, seen)) = early.remove(&want) {
                if !each(chunk_step(base, &chunks[want], seen, at)) {
                    stop.store(true, Ordering::Relaxed);
                    completed = false;
                    break 'receive;
                }
                base += chunks[want].len();
                want += 1;
            }
        }
        drop(done_rx);
        // Joined here so a panicking worker (only if observe() panics) is not re-raised by
        // the scope: its chunks are reported as unreadable instead of taking the app down.
        for h in handles {
            let _ = h.join();
        }
        while completed && want < chunks.len() {
            let (at, seen) = early.remove(&want).unwrap_or_else(|| {
                let why = Look::Failed(Observation::Unreadable(ReadProblem::Other {
                    message: "internal error while reading".into(),
                }));
                (now_ns(), vec![why; chunks[want].len()])
            });
            completed = each(chunk_step(base, &chunks[want], seen, at));
            base += chunks[want].len();
            want += 1;
        }
        Ok(completed.then(|| flatten(chunks)))
    })
}

fn chunk_step(base: usize, items: &[Glance], looks: Vec<Look>, checked_at_ns: i64) -> Step<'_> {
    Step::Chunk {
        base,
        items,
        looks,
        checked_at_ns,
    }
}

/// One worker: takes chunks until there are none (or the rescan stopped), sending back what it
/// saw in each.
fn work(chunks: &Mutex<mpsc::Receiver<Work>>, done: &mpsc::Sender<Seen>, stop: &AtomicBool) {
    while !stop.load(Ordering::Relaxed) {
        // The lock is held only to take the next chunk; a poisoned lock (a worker panicked
        // while taking one) still hands chunks out.
        let next = chunks.lock().unwrap_or_else(|e| e.into_inner()).recv();
        let Ok((c, chunk)) = next else { break };
        let at = now_ns();
        if done.send((c, at, look_at(&chunk))).is_err() {
            break;
        }
    }
}

/// Looks at each item of a chunk, keeping the folder of the last one open.
fn look_at(chunk: &[Glance]) -> Vec<Look> {
    let mut reader = FactsReader::default();
    chunk
        .iter()
        .map(|g| look(&mut reader, &g.path, g.size, g.mtime_ns, g.checked_at_ns))
        .collect()
}

/// The chunks' items in order (the workers have let go of them by now).
fn flatten(chunks: Vec<Arc<Vec<Glance>>>) -> Vec<Glance> {
    let mut out = Vec::with_capacity(chunks.iter().map(|c| c.len()).sum());
    for chunk in chunks {
        match Arc::try_unwrap(chunk) {
            Ok(items) => out.extend(items),
            Err(shared) => out.extend(shared.iter().cloned()),
        }
    }
    out
}
