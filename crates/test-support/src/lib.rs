//! Fixtures shared by Waymark's tests and benchmarks, so each is written once.
//!
//! A dev-dependency only: no crate ships it. It depends on no Waymark crate, so that
//! waymark-core's own tests and benches can use it without building a second copy of the core
//! (whose types would then not match the ones under test). Everything here is plain data:
//! framework TOML text, files in a folder, durations; callers hand it to their own APIs.
//!
//! - [`GeneratedFramework`]: a large valid framework as TOML, for benchmarks at scale.
//! - [`mod@bench`]: what every `harness = false` benchmark needs (scratch folder, median, mode).
//! - [`normalise`]: recorded answers made stable across runs (ids, times, folders), for
//!   fixtures another test suite replays.

pub mod bench;
mod framework;
pub mod normalise;

pub use framework::GeneratedFramework;
