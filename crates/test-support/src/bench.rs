//! What every `harness = false` benchmark in the workspace needs: whether this is a real
//! measuring run, a scratch folder that does not make setup wait on the disk, and a median.
//!
//! Benches print their own tables; these helpers only keep the conventions behind the numbers
//! (how a smoke run is told apart, which statistic is shown) the same in every one.

use std::path::Path;
use std::time::Duration;

/// Whether the bench was started by `cargo bench` (which passes `--bench`) rather than by
/// `cargo test --benches` or `--all-targets`, which run each bench once as a smoke test: a
/// bench should then do a small, quick version so the test suite stays fast.
pub fn measuring() -> bool {
    std::env::args().any(|a| a == "--bench")
}

/// A temporary folder, in RAM (`/dev/shm`) where there is one: setting up thousands of edits
/// means thousands of fsyncs, which RAM makes quick. What benches time reads from the page
/// cache either way, so the numbers do not depend on it.
///
/// # Errors
///
/// Any error creating the folder.
pub fn scratch_dir() -> std::io::Result<tempfile::TempDir> {
    let base = Path::new("/dev/shm");
    if base.is_dir() {
        tempfile::tempdir_in(base)
    } else {
        tempfile::tempdir()
    }
}

/// The median of the samples (the upper one of an even count): the statistic every table
/// shows, because one slow run on a busy shared machine moves it least.
///
/// # Panics
///
/// If there are no samples: a bench always times at least one run.
pub fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_median_ignores_an_outlier() {
        let ms = Duration::from_millis;
        assert_eq!(median(vec![ms(5), ms(900), ms(4), ms(6), ms(5)]), ms(5));
        assert_eq!(median(vec![ms(2), ms(1)]), ms(2));
    }
}
