//! Benchmark: evidence scanning on a generated tree (10,000 files, about 2 GB, mixed sizes),
//! side by side with the reference tools in the same run:
//!
//! 1. first scan (`add_evidence`: walk, stat, BLAKE3, one transaction) against `b3sum` over
//!    the same files;
//! 2. rescan with nothing changed against `git status` on the same tree committed to a repo,
//!    twice: in-process (`Workspace::rescan` on an open workspace, what the app does) and as a
//!    process (`waymark evidence rescan`, which like `git status` starts, opens its data and
//!    exits; timed when the release `waymark` binary is built beside this bench);
//! 3. rescan after touching 10 files, against the unchanged rescan.
//!
//! Run with `cargo bench -p waymark-core --bench evidence_scan` (or `make bench`; build
//! `cargo build --release -p waymark-cli` first for the process row). Files are in the page
//! cache for every tool (the tree is read once before timing). Quick measures are the median of
//! 21 runs, so a busy machine disturbs them less. Without `--bench` (as under
//! `cargo test --all-targets`) it runs a 200-file smoke version.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use waymark_core::Workspace;
use waymark_core::evidence::EvidenceLink;
use waymark_core::store::InstitutionInput;
use waymark_test_support::bench::{self, median};

/// Deterministic pseudo-random bytes (xorshift), so every file differs and nothing compresses.
fn fill(buf: &mut [u8], mut seed: u64) {
    for chunk in buf.chunks_mut(8) {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let bytes = seed.to_le_bytes();
        chunk.copy_from_slice(&bytes[..chunk.len()]);
    }
}

/// 10,000 files: most small (4–200 KB, like documents and photos), 1% large (10 MB, like
/// videos), spread over 100 folders.
fn generate(root: &Path, files: usize) -> (u64, Vec<PathBuf>) {
    let mut total = 0;
    let mut paths = Vec::with_capacity(files);
    let mut buf = vec![0u8; 10 * 1024 * 1024];
    for i in 0..files {
        let dir = root.join(format!("folder-{:03}", i % 100));
        std::fs::create_dir_all(&dir).expect("mkdir");
        let size = if i % 100 == 99 {
            10 * 1024 * 1024
        } else {
            4 * 1024 + (i * 7919) % (196 * 1024)
        };
        fill(&mut buf[..size], i as u64 + 1);
        let path = dir.join(format!("evidence-{i:05}.bin"));
        std::fs::write(&path, &buf[..size]).expect("write");
        total += size as u64;
        paths.push(path);
    }
    (total, paths)
}

fn time(f: impl FnOnce()) -> Duration {
    let start = Instant::now();
    f();
    start.elapsed()
}

fn run(cmd: &mut Command) -> bool {
    cmd.stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

fn main() {
    let quick = !bench::measuring();
    let files = if quick { 200 } else { 10_000 };
    let runs = if quick { 1 } else { 5 };
    // Rescans and git status take milliseconds: more runs for a steadier median.
    let quick_runs = if quick { 1 } else { 21 };
    let dir = tempfile::tempdir().expect("temp dir");
    let tree = dir.path().join("school");
    let (bytes, paths) = generate(&tree, files);
    let mb = bytes as f64 / 1_000_000.0;
    println!("tree: {files} files, {mb:.0} MB in {}", tree.display());

    // Warm the page cache so every tool reads from memory.
    let list = dir.path().join("files.txt");
    std::fs::write(
        &list,
        paths
            .iter()
            .map(|p| format!("{}\n", p.display()))
            .collect::<String>(),
    )
    .expect("list");
    for p in &paths {
        let _ = std::fs::read(p);
    }

    // 1. First scan versus b3sum.
    let b3 = Command::new("b3sum").arg("--version").output().is_ok();
    let b3sum = b3.then(|| {
        median(
            (0..runs)
                .map(|_| {
                    time(|| {
                        let mut cmd = Command::new("sh");
                        cmd.arg("-c").arg(format!(
                            "find '{}' -type f -print0 | xargs -0 b3sum > /dev/null",
                            tree.display()
                        ));
                        assert!(run(&mut cmd), "b3sum failed");
                    })
                })
                .collect(),
        )
    });
    let school = InstitutionInput {
        name: "Bench".into(),
        ..InstitutionInput::default()
    };
    let link = [EvidenceLink {
        benchmark_id: "1.1".into(),
        requirement_id: None,
    }];
    let mut first = Vec::new();
    let mut last_data = None;
    for r in 0..runs {
        let data = dir.path().join(format!("data-{r}"));
        let mut ws = Workspace::open(&data).expect("open");
        let review = ws
            .register("computing-quality", None, &school, "bench")
            .expect("register");
        first.push(time(|| {
            let report = ws
                .add_evidence(&review, std::slice::from_ref(&tree), &link, "bench")
                .expect("add");
            assert_eq!(report.added.len(), files);
        }));
        last_data = Some((ws, review));
    }
    let first = median(first);
    let (mut ws, review) = last_data.expect("at least one run");

    // Let the racily-clean window pass, then one rescan to record "looked at" times.
    std::thread::sleep(Duration::from_millis(2100));
    ws.rescan(&review).expect("settle");

    // 2. Rescan with nothing changed versus git status.
    let quiet = median(
        (0..quick_runs)
            .map(|_| {
                time(|| {
                    let r = ws.rescan(&review).expect("rescan");
                    assert_eq!(r.hashed, 0);
                })
            })
            .collect(),
    );
    // The same as a process, as git status is: start, open the data folder, rescan, exit.
    let cli = std::env::current_exe()
        .ok()
        .and_then(|exe| Some(exe.parent()?.parent()?.join("waymark")))
        .filter(|p| p.is_file());
    let data_dir = ws.data_dir().to_owned();
    let cli_time = cli.as_ref().map(|bin| {
        let rescan = || {
            let mut cmd = Command::new(bin);
            cmd.arg("--data-dir")
                .arg(&data_dir)
                .args(["evidence", "rescan"]);
            assert!(run(&mut cmd), "waymark evidence rescan failed");
        };
        rescan();
        median((0..quick_runs).map(|_| time(rescan)).collect())
    });
    let git_ok = run(Command::new("git")
        .args(["-C"])
        .arg(&tree)
        .args(["init", "-q"]))
        && run(Command::new("git").arg("-C").arg(&tree).args(["add", "-A"]))
        && run(Command::new("git").arg("-C").arg(&tree).args([
            "-c",
            "user.name=b",
            "-c",
            "user.email=b@b",
            "commit",
            "-qm",
            "tree",
        ]));
    let git = git_ok.then(|| {
        run(Command::new("git")
            .arg("-C")
            .arg(&tree)
            .args(["status", "--porcelain"]));
        median(
            (0..quick_runs)
                .map(|_| {
                    time(|| {
                        assert!(run(Command::new("git")
                            .arg("-C")
                            .arg(&tree)
                            .args(["status", "--porcelain"])));
                    })
                })
                .collect(),
        )
    });

    // 3. Rescan after touching 10 files (new content, same size).
    let mut touched = Vec::new();
    for round in 0..runs {
        for (k, p) in paths.iter().step_by(files / 10).take(10).enumerate() {
            let len = std::fs::metadata(p).expect("meta").len() as usize;
            let mut buf = vec![0u8; len];
            fill(&mut buf, 1_000_000 + (round * 10 + k) as u64);
            std::fs::write(p, &buf).expect("touch");
        }
        touched.push(time(|| {
            let r = ws.rescan(&review).expect("rescan");
            assert_eq!(r.modified, 10);
        }));
        // Accept nothing; restore the recorded state for the next round by re-adding is not
        // needed: the next round rewrites the same files, still "modified" against the record.
    }
    let touched = median(touched);

    let throughput = |d: Duration| mb / d.as_secs_f64();
    println!();
    println!("| measure | Waymark | reference | ratio |");
    println!("|---|---:|---:|---:|");
    match b3sum {
        Some(b) => println!(
            "| first scan of {mb:.0} MB (hash + record) | {} ({:.0} MB/s) | b3sum: {} ({:.0} MB/s) | {:.0}% of b3sum throughput |",
            ms(first),
            throughput(first),
            ms(b),
            throughput(b),
            100.0 * throughput(first) / throughput(b)
        ),
        None => println!(
            "| first scan | {} ({:.0} MB/s) | b3sum not installed | |",
            ms(first),
            throughput(first)
        ),
    }
    match git {
        Some(g) => println!(
            "| rescan, nothing changed | {} | git status: {} | {:.2}× git's time |",
            ms(quiet),
            ms(g),
            quiet.as_secs_f64() / g.as_secs_f64()
        ),
        None => println!(
            "| rescan, nothing changed | {} | git not available | |",
            ms(quiet)
        ),
    }
    match (cli_time, git) {
        (Some(c), Some(g)) => println!(
            "| rescan as a process (`waymark evidence rescan`) | {} | git status: {} | {:.2}× git's time |",
            ms(c),
            ms(g),
            c.as_secs_f64() / g.as_secs_f64()
        ),
        (Some(c), None) => println!("| rescan as a process | {} | git not available | |", ms(c)),
        (None, _) => println!(
            "| rescan as a process | not measured: build `cargo build --release -p waymark-cli` first | | |"
        ),
    }
    println!(
        "| rescan after touching 10 files | {} | unchanged rescan: {} | +{} for 10 files |",
        ms(touched),
        ms(quiet),
        ms(touched.saturating_sub(quiet))
    );
}
