//! Benchmark: evidence scanning on a generated tree (10,000 files, about 2 GB, mixed sizes),
//! side by side with the reference tools in the same run, each sample of Waymark taken right
//! after one of the reference (interleaved, so a busy moment hits both):
//!
//! 1. first scan (`add_evidence`: walk, stat, BLAKE3, one transaction) against `b3sum` over
//!    the same files;
//! 2. rescan with nothing changed against `git status` on the same tree committed to a repo
//!    (its `.git` kept outside the tree, so the tree is the same for both), in-process
//!    (`Workspace::rescan` on an open workspace, what the app does) and as a process
//!    (`waymark evidence rescan`, which like `git status` starts, opens its data and exits;
//!    timed when the release `waymark` binary is built beside this bench);
//! 3. the same with one file deleted (one item missing, `git status` seeing one deletion);
//! 4. watcher batches with that item missing (`rescan_paths` of one changed file, and of one new
//!    untracked file the size of the missing one, which has to be hashed), in this tree and in
//!    a folder of 100,000 files: flat in the size of the folder;
//! 5. rescan after touching 10 files, against the unchanged rescan.
//!
//! Run with `cargo bench -p waymark-core --bench evidence_scan` (or `make bench`; build
//! `cargo build --release -p waymark-cli` first for the process rows). Files are in the page
//! cache for every tool (the tree is read once before timing). Quick measures are the median of
//! 21 runs. The load average is printed before and after: measure on a quiet machine. Without
//! `--bench` (as under `cargo test --all-targets`) it runs a small smoke version.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use waymark_core::Workspace;
use waymark_core::evidence::EvidenceLink;
use waymark_core::store::{InstitutionInput, Review};
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

/// `files` small files (a photo library's worth of names) in 100 folders.
fn generate_many(root: &Path, files: usize) -> Vec<PathBuf> {
    let per = files.div_ceil(100);
    let mut paths = Vec::with_capacity(files);
    for i in 0..files {
        let dir = root.join(format!("class-{:02}", i / per));
        if i % per == 0 {
            std::fs::create_dir_all(&dir).expect("mkdir");
        }
        let path = dir.join(format!("{:05}.jpg", i % per));
        std::fs::write(&path, format!("photo {i:06}")).expect("write");
        paths.push(path);
    }
    paths
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

fn load() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

/// Samples of several measures taken in turns: sample 1 of each, then sample 2 of each, …
fn interleaved<const N: usize>(runs: usize, mut each: [&mut dyn FnMut(); N]) -> [Duration; N] {
    let mut samples: [Vec<Duration>; N] = std::array::from_fn(|_| Vec::with_capacity(runs));
    for _ in 0..runs {
        for (f, s) in each.iter_mut().zip(samples.iter_mut()) {
            s.push(time(&mut **f));
        }
    }
    samples.map(median)
}

/// The in-memory key store of the bench's encrypted folders.
fn keys() -> std::sync::Arc<dyn waymark_core::KeyStore> {
    static KEYS: std::sync::OnceLock<std::sync::Arc<waymark_core::EphemeralKeys>> =
        std::sync::OnceLock::new();
    KEYS.get_or_init(waymark_core::EphemeralKeys::new).clone()
}

/// A workspace with `tree` added as evidence (not timed); `encrypted` as every front end
/// opens one, or plaintext for the comparison.
fn workspace_with(data: &Path, tree: &Path, encrypted: bool) -> (Workspace, Review) {
    let mut ws = if encrypted {
        Workspace::open_with_keys(data, keys()).expect("open")
    } else {
        Workspace::open_unencrypted(data).expect("open")
    };
    let school = InstitutionInput {
        name: "Bench".into(),
        ..InstitutionInput::default()
    };
    let review = ws
        .register("computing-quality", None, &school, "bench")
        .expect("register");
    let link = [EvidenceLink {
        benchmark_id: "1.1".into(),
        requirement_id: None,
    }];
    ws.add_evidence(&review, &[tree.to_owned()], &link, "bench")
        .expect("add");
    (ws, review)
}

/// Deletes `gone` and lets the rescans that follow settle (the search index built, the
/// changed folder out of the racy window), as a school's missing file days later.
fn make_missing(ws: &mut Workspace, review: &Review, gone: &Path) {
    std::fs::remove_file(gone).expect("delete");
    assert_eq!(ws.rescan(review).expect("rescan").missing, 1);
    std::thread::sleep(Duration::from_millis(2100));
    assert_eq!(ws.rescan(review).expect("rescan").missing, 1);
}

/// One round of watcher batches with one item missing: one tracked file changed (new
/// content, same size), then one untracked file appearing with the missing item's size
/// (hashed, and not it). The times of the two.
fn batch_round(
    ws: &mut Workspace,
    review: &Review,
    changed: &Path,
    new_dir: &Path,
    missing_size: usize,
    round: usize,
) -> (Duration, Duration) {
    let len = std::fs::metadata(changed).expect("meta").len() as usize;
    let mut buf = vec![0u8; len.max(missing_size)];
    fill(&mut buf[..len], 7_000_000 + round as u64);
    std::fs::write(changed, &buf[..len]).expect("edit");
    let edit = time(|| {
        let r = ws
            .rescan_paths(review, &[changed.to_owned()])
            .expect("batch");
        assert_eq!((r.checked, r.modified), (1, 1), "{r:?}");
    });
    let path = new_dir.join(format!("new-{round}.bin"));
    fill(&mut buf[..missing_size], 8_000_000 + round as u64);
    std::fs::write(&path, &buf[..missing_size]).expect("new file");
    // Copied in with its old modified time (as most copies keep it), so the hash the search
    // reads is kept for the next rounds, where this file is one more candidate.
    std::fs::File::options()
        .write(true)
        .open(&path)
        .and_then(|f| f.set_modified(std::time::SystemTime::now() - Duration::from_secs(3600)))
        .expect("age");
    let new = time(|| {
        let r = ws
            .rescan_paths(review, std::slice::from_ref(&path))
            .expect("batch");
        assert_eq!((r.checked, r.moved, r.hashed), (0, 0, 1), "{r:?}");
    });
    (edit, new)
}

/// Medians of `git status`, an in-process rescan and a rescan as a process, in turns.
fn rescans(
    ws: &mut Workspace,
    review: &Review,
    expect_missing: u32,
    runs: usize,
    reference: &dyn Fn(),
    process: &dyn Fn(),
) -> [Duration; 3] {
    let mut in_process = || {
        let r = ws.rescan(review).expect("rescan");
        assert_eq!((r.hashed, r.missing), (0, expect_missing), "{r:?}");
    };
    interleaved(
        runs,
        [&mut || reference(), &mut in_process, &mut || process()],
    )
}

fn main() {
    let quick = !bench::measuring();
    let files = if quick { 200 } else { 10_000 };
    let many = if quick { 2_000 } else { 100_000 };
    let runs = if quick { 1 } else { 5 };
    // Rescans and git status take milliseconds: more runs for a steadier median.
    let quick_runs = if quick { 1 } else { 21 };
    let load_before = load();
    let dir = tempfile::tempdir().expect("temp dir");
    let tree = dir.path().join("school");
    let (bytes, paths) = generate(&tree, files);
    let mb = bytes as f64 / 1_000_000.0;
    println!("tree: {files} files, {mb:.0} MB in {}", tree.display());
    for p in &paths {
        // Into the page cache, so every tool reads from memory.
        let _ = std::fs::read(p);
    }

    // 1. First scan versus b3sum, in turns.
    let b3 = Command::new("b3sum").arg("--version").output().is_ok();
    let school = InstitutionInput {
        name: "Bench".into(),
        ..InstitutionInput::default()
    };
    let link = [EvidenceLink {
        benchmark_id: "1.1".into(),
        requirement_id: None,
    }];
    let mut b3sum = Vec::new();
    let mut first = Vec::new();
    let mut last_data = None;
    for r in 0..runs {
        if b3 {
            b3sum.push(time(|| {
                let mut cmd = Command::new("sh");
                cmd.arg("-c").arg(format!(
                    "find '{}' -type f -print0 | xargs -0 b3sum > /dev/null",
                    tree.display()
                ));
                assert!(run(&mut cmd), "b3sum failed");
            }));
        }
        let data = dir.path().join(format!("data-{r}"));
        let mut ws = Workspace::open_with_keys(&data, keys()).expect("open");
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
    let b3sum = b3.then(|| median(b3sum));
    let first = median(first);
    let (mut ws, review) = last_data.expect("at least one run");

    // Let the racily-clean window pass, then one rescan to record "looked at" times.
    std::thread::sleep(Duration::from_millis(2100));
    ws.rescan(&review).expect("settle");

    // git over the same tree, its repository kept outside it.
    let git_dir = dir.path().join("school.git");
    let git = |args: &[&str]| {
        let mut cmd = Command::new("git");
        cmd.arg("--git-dir")
            .arg(&git_dir)
            .arg("--work-tree")
            .arg(&tree)
            .args(args);
        run(&mut cmd)
    };
    let git_ok = git(&["init", "-q"])
        && git(&["add", "-A"])
        && git(&[
            "-c",
            "user.name=b",
            "-c",
            "user.email=b@b",
            "commit",
            "-qm",
            "tree",
        ]);
    let git_status = || assert!(git(&["status", "--porcelain"]), "git status failed");
    // The same as a process, as git status is: start, open the data folder, rescan, exit.
    let cli = std::env::current_exe()
        .ok()
        .and_then(|exe| Some(exe.parent()?.parent()?.join("waymark")))
        .filter(|p| p.is_file());
    let data_dir = ws.data_dir().to_owned();
    // A binary left from an older build may not read this data folder: then it is not timed.
    let cli = cli.filter(|bin| {
        let works = run(Command::new(bin)
            .arg("--data-dir")
            .arg(&data_dir)
            .args(["evidence", "rescan"]));
        if !works {
            eprintln!(
                "{} failed (it needs an OS keychain holding this folder's key, and the bench keeps its key in memory, or the binary is from an older build): the process rows are not timed",
                bin.display()
            );
        }
        works
    });
    let cli_rescan = || {
        if let Some(bin) = &cli {
            let mut cmd = Command::new(bin);
            cmd.arg("--data-dir")
                .arg(&data_dir)
                .args(["evidence", "rescan"]);
            assert!(run(&mut cmd), "waymark evidence rescan failed");
        }
    };
    // Warm both (git refreshes its index on the first status after the commit).
    if git_ok {
        git_status();
        git_status();
    }
    cli_rescan();

    // 2 and 3. Rescans with nothing changed, then with one item missing, each against git.
    let reference = || {
        if git_ok {
            git_status();
        }
    };
    let [git_quiet, quiet, cli_quiet] =
        rescans(&mut ws, &review, 0, quick_runs, &reference, &cli_rescan);
    // The same quiet rescan over the same tree with a plaintext database, in turns with the
    // encrypted one: what the encryption costs.
    let (mut ws_plain, review_plain) = workspace_with(&dir.path().join("data-plain"), &tree, false);
    std::thread::sleep(Duration::from_millis(2100));
    ws_plain.rescan(&review_plain).expect("settle");
    let [quiet_encrypted, quiet_plain] = interleaved(
        quick_runs,
        [
            &mut || {
                let r = ws.rescan(&review).expect("rescan");
                assert_eq!(r.hashed, 0, "{r:?}");
            },
            &mut || {
                let r = ws_plain.rescan(&review_plain).expect("rescan");
                assert_eq!(r.hashed, 0, "{r:?}");
            },
        ],
    );
    drop(ws_plain);
    let gone = &paths[files / 2];
    let gone_size = std::fs::metadata(gone).expect("meta").len() as usize;
    make_missing(&mut ws, &review, gone);
    let [git_missing, missing, cli_missing] =
        rescans(&mut ws, &review, 1, quick_runs, &reference, &cli_rescan);

    // 4. Watcher batches with the item missing, here and in a folder of 100,000 files, in
    //    turns (each batch writes one transaction: its fsync is the same for both).
    let photos = dir.path().join("photos");
    let started = Instant::now();
    let many_paths = generate_many(&photos, many);
    let (mut ws_many, review_many) = workspace_with(&dir.path().join("data-many"), &photos, true);
    let gone_many = &many_paths[many / 2];
    let gone_many_size = std::fs::metadata(gone_many).expect("meta").len() as usize;
    make_missing(&mut ws_many, &review_many, gone_many);
    eprintln!(
        "{many} files: made, added and settled in {:.1?}",
        started.elapsed()
    );
    let mut rounds = [vec![], vec![], vec![], vec![]];
    for round in 0..quick_runs {
        let (edit, new) = batch_round(
            &mut ws,
            &review,
            &paths[files / 3],
            &tree.join("folder-000"),
            gone_size,
            round,
        );
        let (many_edit, many_new) = batch_round(
            &mut ws_many,
            &review_many,
            &many_paths[many / 3],
            &photos.join("class-00"),
            gone_many_size,
            round,
        );
        for (samples, d) in rounds.iter_mut().zip([edit, many_edit, new, many_new]) {
            samples.push(d);
        }
    }
    let [batch_edit, many_edit, batch_new, many_new] = rounds.map(median);

    // 5. Rescan after touching 10 files (new content, same size).
    let mut touched = Vec::new();
    for round in 0..runs {
        // From the second file on: not the missing one, nor the one the batches edit.
        for (k, p) in paths
            .iter()
            .skip(1)
            .step_by(files / 10)
            .take(10)
            .enumerate()
        {
            let len = std::fs::metadata(p).expect("meta").len() as usize;
            let mut buf = vec![0u8; len];
            fill(&mut buf, 1_000_000 + (round * 10 + k) as u64);
            std::fs::write(p, &buf).expect("touch");
        }
        touched.push(time(|| {
            let r = ws.rescan(&review).expect("rescan");
            assert!(r.modified >= 10, "{r:?}");
        }));
    }
    let touched = median(touched);

    let throughput = |d: Duration| mb / d.as_secs_f64();
    let ratio = |a: Duration, b: Duration| a.as_secs_f64() / b.as_secs_f64();
    println!();
    println!(
        "| rescan, nothing missing (in-process) | encrypted database | plaintext database | ratio |"
    );
    println!("|---|---:|---:|---:|");
    println!(
        "| {files} files | {:.1} ms | {:.1} ms | {:.2}x |",
        quiet_encrypted.as_secs_f64() * 1000.0,
        quiet_plain.as_secs_f64() * 1000.0,
        ratio(quiet_encrypted, quiet_plain)
    );
    println!();
    println!(
        "load average before: {load_before}; after: {}; {} CPUs",
        load(),
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
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
    for (what, waymark, process, g) in [
        ("nothing missing", quiet, cli_quiet, git_quiet),
        ("one missing", missing, cli_missing, git_missing),
    ] {
        if git_ok {
            println!(
                "| rescan, {what}, in-process | {} | git status: {} | {:.2}× git's time |",
                ms(waymark),
                ms(g),
                ratio(waymark, g)
            );
        } else {
            println!(
                "| rescan, {what}, in-process | {} | git not available | |",
                ms(waymark)
            );
        }
        match (&cli, git_ok) {
            (Some(_), true) => println!(
                "| rescan, {what}, as a process (`waymark evidence rescan`) | {} | git status: {} | {:.2}× git's time |",
                ms(process),
                ms(g),
                ratio(process, g)
            ),
            (Some(_), false) => println!(
                "| rescan, {what}, as a process | {} | git not available | |",
                ms(process)
            ),
            (None, _) => println!(
                "| rescan, {what}, as a process | not measured: `cargo build --release -p waymark-cli` first | | |"
            ),
        }
    }
    for (what, here, there) in [
        ("one changed file", batch_edit, many_edit),
        (
            "one new file of the missing item's size",
            batch_new,
            many_new,
        ),
    ] {
        println!(
            "| watcher batch, one missing, {what}: {files} files | {} | {many} files: {} | {:.2}× |",
            ms(here),
            ms(there),
            ratio(there, here)
        );
    }
    println!(
        "| rescan after touching 10 files | {} | unchanged rescan: {} | +{} for 10 files |",
        ms(touched),
        ms(quiet),
        ms(touched.saturating_sub(quiet))
    );
}
