//! Benchmark: open the store and compute full progress and award status for a generated
//! 500-benchmark framework, with growing history (1,000 to 20,000 response edits).
//!
//! Run with `cargo bench -p waymark-core --bench progress` (or `make bench`). Prints a table of
//! medians: "cold" opens a new `Workspace` (new SQLite connection, framework parsed from the
//! text stored with the review) and computes status; "warm" recomputes on an open workspace.
//! The OS page cache is warm in both: that is the state of a desktop app relaunched.

use std::path::Path;
use std::time::{Duration, Instant};

use waymark_core::framework::Framework;
use waymark_core::store::InstitutionInput;
use waymark_core::{ResponseUpdate, Workspace};
use waymark_test_support::GeneratedFramework;
use waymark_test_support::bench::{self, median};

const BENCHMARKS: usize = 500;
const HISTORY_SIZES: [usize; 4] = [1_000, 5_000, 10_000, 20_000];

/// A data folder with the framework installed, registered, and `edits` response edits.
fn prepare(root: &Path, edits: usize, framework: &GeneratedFramework) -> std::path::PathBuf {
    let dir = root.join(format!("history-{edits}"));
    framework.install(&dir).expect("framework file");
    let mut ws = Workspace::open(&dir).expect("open");
    let school = InstitutionInput {
        name: "Bench School".into(),
        ..InstitutionInput::default()
    };
    let review = ws
        .register(GeneratedFramework::ID, None, &school, "bench")
        .expect("register");
    let ids = framework.benchmark_ids();
    for i in 0..edits {
        let update = ResponseUpdate {
            level: Some(Some((i % 4) as u8 + 1)),
            commentary: Some(format!(
                "Edit {i}: {}",
                "We teach this well and review it each term. ".repeat(6)
            )),
            base_revision: None,
        };
        ws.set_response(&review, &ids[(i * 7) % ids.len()], update, "bench")
            .expect("edit");
    }
    dir
}

fn cold(dir: &Path) -> Duration {
    let start = Instant::now();
    let ws = Workspace::open(dir).expect("open");
    let review = ws.current_review(None).expect("review");
    let status = ws.status(&review).expect("status");
    let elapsed = start.elapsed();
    assert_eq!(status.progress.overall.total as usize, BENCHMARKS);
    elapsed
}

fn warm(ws: &mut Workspace) -> Duration {
    let review = ws.current_review(None).expect("review");
    let start = Instant::now();
    let status = ws.status(&review).expect("status");
    let elapsed = start.elapsed();
    assert_eq!(status.progress.overall.total as usize, BENCHMARKS);
    elapsed
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

fn main() {
    let quick = !bench::measuring();
    // 50 dimensions × 10 benchmarks, levels 1–4 with next steps, two evidence items each.
    let framework = GeneratedFramework::new(BENCHMARKS)
        .with_next_steps()
        .with_evidence();
    let text = framework.toml();
    let parse_start = Instant::now();
    Framework::from_toml(&text, "bench.toml").expect("valid");
    let parse = parse_start.elapsed();

    // Setup makes up to 20,000 edits, each fsynced: in RAM where possible.
    let root = bench::scratch_dir().expect("temp dir");
    let sizes: &[usize] = if quick { &[200] } else { &HISTORY_SIZES };
    let (cold_runs, warm_runs) = if quick { (3, 3) } else { (40, 400) };

    println!(
        "500-benchmark framework: {} KB of TOML, parsed and validated in {}",
        text.len() / 1024,
        ms(parse)
    );
    println!(
        "{:>14} | {:>12} | {:>12} | {:>10}",
        "history edits", "cold median", "warm median", "db size"
    );
    println!("{:->14}-+-{:->12}-+-{:->12}-+-{:->10}", "", "", "", "");
    let mut results = Vec::new();
    for &edits in sizes {
        let setup = Instant::now();
        let dir = prepare(root.path(), edits, &framework);
        let setup = setup.elapsed();
        // One discarded run first: the first open in a process pays one-off start-up costs
        // (allocator, SQLite's own initialisation) that are not what the table compares.
        cold(&dir);
        let c = median((0..cold_runs).map(|_| cold(&dir)).collect());
        let mut ws = Workspace::open(&dir).expect("open");
        let w = median((0..warm_runs).map(|_| warm(&mut ws)).collect());
        let db = std::fs::metadata(dir.join(waymark_core::store::DATABASE_FILE))
            .map(|m| m.len())
            .unwrap_or(0);
        println!(
            "{edits:>14} | {:>12} | {:>12} | {:>7} KB   (setup {:.1} s)",
            ms(c),
            ms(w),
            db / 1024,
            setup.as_secs_f64()
        );
        results.push((edits, c, w));
    }
    if let (Some(first), Some(last)) = (results.first(), results.last())
        && last.0 > first.0
    {
        let per_k = |a: Duration, b: Duration| {
            (b.as_secs_f64() - a.as_secs_f64()) * 1000.0 / ((last.0 - first.0) as f64 / 1000.0)
        };
        println!(
            "cost per extra 1,000 edits: cold {:+.3} ms, warm {:+.3} ms",
            per_k(first.1, last.1),
            per_k(first.2, last.2)
        );
    }
}
