//! Benchmark: open the store and compute full progress and award status for a generated
//! 500-benchmark framework, with growing history (1,000 to 20,000 response edits).
//!
//! Run with `cargo bench -p waymark-core --bench progress` (or `make bench`). Prints a table of
//! medians: "cold" opens a new `Workspace` (new SQLite connection, framework parsed from the
//! text stored with the review) and computes status; "warm" recomputes on an open workspace.
//! The OS page cache is warm in both: that is the state of a desktop app relaunched.
//!
//! Each size is measured twice, side by side: the encrypted data folder every front end opens
//! (SQLCipher, its key in memory here) and the same edits in an unencrypted folder (the
//! benches' plaintext door, `Workspace::open_unencrypted`), with the ratio.

use std::path::Path;
use std::time::{Duration, Instant};

use waymark_core::framework::Framework;
use waymark_core::store::InstitutionInput;
use waymark_core::{EphemeralKeys, KeyStore, ResponseUpdate, Workspace};
use waymark_test_support::GeneratedFramework;
use waymark_test_support::bench::{self, median};

const BENCHMARKS: usize = 500;
const HISTORY_SIZES: [usize; 4] = [1_000, 5_000, 10_000, 20_000];

/// Encrypted (with these keys) or the plaintext comparison.
type Keys = Option<std::sync::Arc<dyn KeyStore>>;

fn open(dir: &Path, keys: &Keys) -> Workspace {
    match keys {
        Some(keys) => Workspace::open_with_keys(dir, keys.clone()).expect("open"),
        None => Workspace::open_unencrypted(dir).expect("open"),
    }
}

/// A data folder with the framework installed, registered, and `edits` response edits.
fn prepare(
    root: &Path,
    edits: usize,
    framework: &GeneratedFramework,
    keys: &Keys,
) -> std::path::PathBuf {
    let kind = if keys.is_some() { "encrypted" } else { "plain" };
    let dir = root.join(format!("history-{edits}-{kind}"));
    framework.install(&dir).expect("framework file");
    let mut ws = open(&dir, keys);
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

fn cold(dir: &Path, keys: &Keys) -> Duration {
    let start = Instant::now();
    let ws = open(dir, keys);
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
        "{:>14} | {:>10} | {:>12} | {:>12} | {:>10}",
        "history edits", "database", "cold median", "warm median", "db size"
    );
    println!(
        "{:->14}-+-{:->10}-+-{:->12}-+-{:->12}-+-{:->10}",
        "", "", "", "", ""
    );
    let mut results = Vec::new();
    let encrypted: Keys = Some(EphemeralKeys::new());
    for &edits in sizes {
        let mut pair = Vec::new();
        for keys in [&encrypted, &None] {
            let setup = Instant::now();
            let dir = prepare(root.path(), edits, &framework, keys);
            let setup = setup.elapsed();
            // One discarded run first: the first open in a process pays one-off start-up
            // costs (allocator, SQLite's own initialisation) that are not what is compared.
            cold(&dir, keys);
            // Encrypted and plaintext runs in turns, so a busy moment of the machine falls on
            // both alike.
            let c = median((0..cold_runs).map(|_| cold(&dir, keys)).collect());
            let mut ws = open(&dir, keys);
            let w = median((0..warm_runs).map(|_| warm(&mut ws)).collect());
            let db = std::fs::metadata(dir.join(waymark_core::store::DATABASE_FILE))
                .map(|m| m.len())
                .unwrap_or(0);
            println!(
                "{edits:>14} | {:>10} | {:>12} | {:>12} | {:>7} KB   (setup {:.1} s)",
                if keys.is_some() {
                    "encrypted"
                } else {
                    "plaintext"
                },
                ms(c),
                ms(w),
                db / 1024,
                setup.as_secs_f64()
            );
            pair.push((c, w));
        }
        let ratio = |a: Duration, b: Duration| a.as_secs_f64() / b.as_secs_f64().max(1e-9);
        println!(
            "{:>14} | {:>10} | {:>11.2}x | {:>11.2}x |",
            "",
            "ratio",
            ratio(pair[0].0, pair[1].0),
            ratio(pair[0].1, pair[1].1)
        );
        results.push((edits, pair[0].0, pair[0].1));
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
