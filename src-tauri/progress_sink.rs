//! Thins a job's per-file progress to what a progress bar can show: the core reports after
//! every file (100,000 of them in a big folder), the UI needs a few updates a second.

use std::time::{Duration, Instant};

use waymark_core::workspace::WorkProgress;

/// How often the UI hears about progress at most.
pub const INTERVAL: Duration = Duration::from_millis(100);

/// Forwards progress to `send` at most every [`INTERVAL`], always passing on the first and the
/// last report. `send` returns `false` when nobody listens any more (the window closed), which
/// stops the job.
pub struct ProgressSink<F: FnMut(WorkProgress) -> bool> {
    send: F,
    last: Option<Instant>,
}

impl<F: FnMut(WorkProgress) -> bool> ProgressSink<F> {
    /// A sink forwarding to `send`.
    pub fn new(send: F) -> Self {
        Self { send, last: None }
    }

    /// Offers one report; returns whether the job should go on.
    pub fn offer(&mut self, p: &WorkProgress) -> bool {
        let finished = p.files_done >= p.files_total;
        let due = self.last.is_none_or(|t| t.elapsed() >= INTERVAL);
        if !(due || finished) {
            return true;
        }
        self.last = Some(Instant::now());
        (self.send)(*p)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(done: u64, total: u64) -> WorkProgress {
        WorkProgress {
            files_done: done,
            files_total: total,
            ..WorkProgress::default()
        }
    }

    #[test]
    fn a_burst_of_reports_is_thinned_but_the_first_and_last_get_through() {
        let mut seen = Vec::new();
        {
            let mut sink = ProgressSink::new(|p: WorkProgress| {
                seen.push(p.files_done);
                true
            });
            for done in 0..=10_000 {
                assert!(sink.offer(&at(done, 10_000)));
            }
        }
        assert_eq!(seen.first(), Some(&0));
        assert_eq!(seen.last(), Some(&10_000));
        assert!(seen.len() < 50, "{} updates for a burst", seen.len());
    }

    #[test]
    fn a_closed_channel_stops_the_job() {
        let mut sink = ProgressSink::new(|_| false);
        assert!(!sink.offer(&at(0, 5)));
    }
}
