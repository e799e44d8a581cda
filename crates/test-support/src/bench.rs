//! What every `harness = false` benchmark in the workspace needs: whether this is a real
//! measuring run, its sizes from the environment, a scratch folder that does not make setup
//! wait on the disk, a median, and the machine's state (load, CPU clock, bytes on disk).
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

/// A number from the environment (a bench's size, `WAYMARK_BENCH_*`), or `default`.
///
/// # Panics
///
/// If the variable is set to something that is not such a number: a mistyped size must not
/// silently measure the default.
pub fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    match std::env::var(name) {
        Ok(v) => v
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("{name}={v:?} is not a number")),
        Err(_) => default,
    }
}

/// Clock ticks per second (`getconf CLK_TCK`), the unit of CPU times in `/proc/*/stat`.
pub fn clock_ticks() -> f64 {
    static TICKS: std::sync::OnceLock<f64> = std::sync::OnceLock::new();
    *TICKS.get_or_init(|| {
        std::process::Command::new("getconf")
            .arg("CLK_TCK")
            .output()
            .ok()
            .and_then(|o| String::from_utf8_lossy(&o.stdout).trim().parse().ok())
            .unwrap_or(100.0)
    })
}

/// The 1, 5 and 15 minute load averages, printed beside a table so a busy machine shows.
pub fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|t| t.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "?".into())
}

/// The bytes of every file under `dir` (0 for what cannot be read).
pub fn folder_bytes(dir: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .flatten()
        .map(|e| match e.file_type() {
            Ok(t) if t.is_dir() => folder_bytes(&e.path()),
            Ok(_) => e.metadata().map(|m| m.len()).unwrap_or(0),
            Err(_) => 0,
        })
        .sum()
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
