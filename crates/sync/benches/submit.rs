//! Benchmark: the school's submission engine on this machine, each measure against its
//! reference in the same run.
//!
//! Everything is in process and real: the awarding body's endpoint ([`TestEndpoint`], plain
//! HTTP on loopback, its blobs on its data folder's disk), a school that meets every rule of
//! the Technology Mark ([`SchoolFixture::eligible`]) plus generated, incompressible evidence
//! files, enrolled through the API without the OS keychain (`session::redeem`, the enrollment
//! kept with `Workspace::set_enrollment`, `Session::with_credentials`). Two assessors enrol
//! first, as in the end-to-end test, so the key set the school seals to names them (three age
//! recipients: the awarding body's office and the two assessors).
//!
//! 1. **Package and seal** ~1 GB of evidence (300 files of 100 KB–2 MB, one file of 10 MB
//!    and two videos of the rest, ~340 MB each). The evidence is frozen into the vault first
//!    (`Workspace::freeze`, timed on its own), so `package()` times what is left: the key set
//!    refresh, the (no-op) freeze check, sealing every file on every core (BLAKE3 of the
//!    frozen copy, age to every recipient with Padmé padding, SHA-256 of the ciphertext,
//!    fsync, rename) and the manifest. Against `/usr/bin/age -r … -o OUT FILE` on the same
//!    frozen files to the same recipients, one at a time and two at a time (this machine's
//!    cores), largest first, with and without an fsync of its outputs afterwards (age does not
//!    sync; the sealer does). A second school packages the same files again, after the age runs,
//!    so each side is measured before and after the other. The pieces of one seal (reading,
//!    BLAKE3, age, SHA-256, write + fsync) are timed on the largest file, on one core.
//! 2. **Upload on loopback**: `deliver_pending` of the whole packaged submission (tus chunks of
//!    16 MiB, three blobs at once; the second school with 64 MiB), and the largest sealed blob
//!    alone with the engine's tus client (`tus::upload`, 16 and 64 MiB) against `curl` sending
//!    the same bytes to the same endpoint as a third institution: a creation `POST`, then
//!    `PATCH`es with `--data-binary @FILE` in one curl process (`--next`, one connection), as
//!    few as the endpoint's largest chunk allows (`max_chunk_bytes`, 128 MiB: one PATCH when
//!    the blob fits), without and with a precomputed `Upload-Checksum` (the engine sends one
//!    on every chunk; the endpoint then hashes every byte twice). Target: the engine ≥ 90% of
//!    curl.
//! 3. **Re-submission**: the assessor is assigned (admin API) and asks for more evidence on the
//!    benchmark of the 10 MB file (the assessor API); the school sees it (`status::refresh`),
//!    overwrites that file with new bytes of the same size, rescans and accepts it
//!    (`SchoolFixture::change_file`), packages and delivers again. `Outcome::Sent.bytes_sent`
//!    against the target "about 10 MB plus the manifest".
//! 4. **Resume after a cut**: a school with one ~1 GB video, packaged, then delivered through
//!    the harness's fault proxy, which resets the connection once it has carried 90% of the
//!    sealed video (and the small blobs sent before it). Delivered one blob at a time
//!    (`parallel: 1`), so that one kept-alive connection carries everything. `proxy.bytes_up()`
//!    − every blob uploaded (bytes re-sent plus HTTP overhead) against one chunk (16 MiB). The
//!    proxy cuts per connection: when the engine's client opens a connection per request over
//!    plain HTTP (asked first), this part runs over the endpoint's own TLS instead, the
//!    engine's side in a child run of this binary whose `SSL_CERT_FILE` trusts the test CA.
//!    The blobs' own overhead on the wire (request heads, TLS framing) is measured first with a
//!    throwaway blob through a proxy that never cuts, and taken off the count.
//!
//! Run with `cargo bench -p waymark-sync --bench submit` (or `make bench`). Sizes:
//! `WAYMARK_BENCH_TOTAL_MB` (1000: the evidence of 1–3), `WAYMARK_BENCH_CHANGED_MB` (10),
//! `WAYMARK_BENCH_CUT_MB` (1000: the video of 4), `WAYMARK_BENCH_CHUNK_KIB` (16384, the
//! engine's default), `WAYMARK_BENCH_BIG_CHUNK_KIB` (65536), `WAYMARK_BENCH_ROUNDS` (2: the
//! single-blob uploads are repeated, alternating, and the best of each kept),
//! `WAYMARK_BENCH_SEED` (the cut proxy's seed). Without `--bench` (as under `cargo test
//! --all-targets`) it runs a smoke version of a few MB with 256 KiB chunks and fails when a
//! step fails or a target on bytes is missed. The school and the endpoint live in temporary
//! folders (the system's, removed as each part ends); the references' outputs under
//! `target/tmp`. Needs `age` and `curl` (Debian packages of those names).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use waymark_test_support::bench::{clock_ticks, env_or, folder_bytes, load_average, measuring};

use sha2::Digest as _;
use waymark_core::outbox::SealedBlob;
use waymark_harness::endpoint::TestEndpoint;
use waymark_harness::fault_proxy::{CutPlan, FaultProxy};
use waymark_harness::school::{AWARD, SCHOOL, SchoolFixture};
use waymark_protocol::api::{RedeemRequest, RedeemResponse};
use waymark_protocol::crypt::{Identity, Recipient, encrypt_padded};
use waymark_protocol::encoding::encode_base64;
use waymark_protocol::enrollment::EnrollmentCode;
use waymark_protocol::review::{BenchmarkRequest, EvidenceRequest, ReviewState};
use waymark_protocol::{AssessorId, Sha256, SubmissionId};
use waymark_sync::deliver::{self, Options, Outcome};
use waymark_sync::package::{self, Queued};
use waymark_sync::session::{Session, redeem};
use waymark_sync::{Shared, lock, share, status, tus};

const MB: f64 = 1e6;
const MIB: u64 = 1 << 20;
const AGE: &str = "age";
const CURL: &str = "curl";
const OCTETS: &str = "application/offset+octet-stream";
/// What part 4 allows on top of one chunk: the headers of every request and the JSON bodies.
const HTTP_ALLOWANCE: u64 = 64 * 1024;
/// The upload target: the engine at least this share of curl's throughput.
const UPLOAD_TARGET: f64 = 0.90;
/// The smallest and largest of the many small evidence files.
const SMALL_MIN: u64 = 100_000;
const SMALL_MAX: u64 = 2_000_000;
/// How many small files a 1 GB submission has (scaled with the total, at most this).
const SMALL_FILES: u64 = 300;

fn main() {
    let measuring = measuring();
    let scale = Scale::from_env(measuring);
    for (tool, package) in [(AGE, "age"), (CURL, "curl")] {
        let found = Command::new(tool).arg("--version").output();
        assert!(
            found.is_ok_and(|o| o.status.success()),
            "the `{tool}` tool is needed (Debian package `{package}`)"
        );
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    if let (Ok(code), Ok(endpoint)) = (std::env::var(CHILD_CODE), std::env::var(CHILD_ENDPOINT)) {
        cut_child(&runtime, &scale, &code, &endpoint);
        return;
    }
    let tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
    std::fs::create_dir_all(tmp).expect("create target/tmp");
    let scratch = tempfile::Builder::new()
        .prefix("waymark-submit-")
        .tempdir_in(tmp)
        .expect("a scratch folder");
    let started = Instant::now();
    let mut report = Report::new(scratch.path());
    run(&runtime, &scale, scratch.path(), &mut report);
    report.wall = started.elapsed();
    report.print(&scale);
    drop(runtime);
    drop(scratch);
    if !measuring {
        assert!(
            report.failures.is_empty(),
            "the smoke run failed: {:?}",
            report.failures
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Scale

struct Scale {
    measuring: bool,
    /// Bytes of evidence added to the school in parts 1–3 (the fixture's own ~20 KB files
    /// come on top).
    total: u64,
    /// The file changed in part 3.
    changed: u64,
    /// The video of part 4.
    cut_file: u64,
    chunk: u64,
    big_chunk: u64,
    rounds: usize,
    seed: u64,
}

impl Scale {
    fn from_env(measuring: bool) -> Self {
        let (total_mb, changed_mb, cut_mb, chunk_kib, big_kib) = if measuring {
            (1000.0, 10.0, 1000.0, 16 * 1024, 64 * 1024)
        } else {
            (6.0, 1.0, 4.0, 256, 1024)
        };
        let bytes = |name: &str, default: f64| (env_or(name, default).max(0.1) * MB) as u64;
        Self {
            measuring,
            total: bytes("WAYMARK_BENCH_TOTAL_MB", total_mb),
            changed: bytes("WAYMARK_BENCH_CHANGED_MB", changed_mb),
            cut_file: bytes("WAYMARK_BENCH_CUT_MB", cut_mb),
            chunk: env_or("WAYMARK_BENCH_CHUNK_KIB", chunk_kib).max(1) * 1024,
            big_chunk: env_or("WAYMARK_BENCH_BIG_CHUNK_KIB", big_kib).max(1) * 1024,
            rounds: env_or("WAYMARK_BENCH_ROUNDS", if measuring { 2 } else { 1 }).max(1),
            seed: env_or("WAYMARK_BENCH_SEED", 20_260_302),
        }
    }

    /// The generated evidence: (file name, bytes), the changed file included.
    fn files(&self) -> Vec<(String, u64)> {
        let share = (self.total as f64 * 0.3) as u64;
        let mean = (SMALL_MIN + SMALL_MAX) / 2;
        let n = (share / mean).clamp(3, SMALL_FILES);
        let mut files: Vec<(String, u64)> = (0..n)
            .map(|i| {
                let len = SMALL_MIN + (SMALL_MAX - SMALL_MIN) * i / (n - 1);
                (format!("document {i:03}.pdf"), len)
            })
            .collect();
        let small: u64 = files.iter().map(|f| f.1).sum();
        let video = (self.total.saturating_sub(small + self.changed) / 2).max(MIB);
        files.push(("sports day.mp4".into(), video));
        files.push(("school play.mp4".into(), video));
        files.push((CHANGED_NAME.into(), self.changed));
        files
    }
}

/// The file part 3 changes.
const CHANGED_NAME: &str = "computing policy.pdf";

// ---------------------------------------------------------------------------------------------
// Measuring helpers

/// User + system CPU time of this process and of its reaped children, from `/proc/self/stat`.
fn cpu_times() -> (Duration, Duration) {
    let ticks = clock_ticks();
    let text = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let rest = text.rfind(')').map_or("", |i| &text[i + 1..]);
    let f: Vec<u64> = rest
        .split_whitespace()
        .map(|v| v.parse().unwrap_or(0))
        .collect();
    // After the name: utime is field 14, stime 15, cutime 16, cstime 17 (1-based).
    let at = |i: usize| f.get(i - 3).copied().unwrap_or(0);
    let secs = |t: u64| Duration::from_secs_f64(t as f64 / ticks);
    (secs(at(14) + at(15)), secs(at(16) + at(17)))
}

/// A timed step: wall time and CPU seconds (this process's and its children's).
#[derive(Clone, Copy, Default)]
struct Timed {
    wall: Duration,
    cpu: Duration,
    child_cpu: Duration,
}

fn timed<T>(f: impl FnOnce() -> T) -> (T, Timed) {
    let (cpu0, child0) = cpu_times();
    let start = Instant::now();
    let value = f();
    let wall = start.elapsed();
    let (cpu1, child1) = cpu_times();
    (
        value,
        Timed {
            wall,
            cpu: cpu1.saturating_sub(cpu0),
            child_cpu: child1.saturating_sub(child0),
        },
    )
}

fn rate(bytes: u64, d: Duration) -> f64 {
    bytes as f64 / d.as_secs_f64().max(1e-9)
}

fn mbs(bytes: u64, d: Duration) -> String {
    format!("{:.0} MB/s", rate(bytes, d) / MB)
}

fn secs(d: Duration) -> String {
    format!("{:.2} s", d.as_secs_f64())
}

fn mb(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / MB)
}

fn pct(a: f64, b: f64) -> String {
    format!("{:.0}%", 100.0 * a / b.max(1e-9))
}

fn cores(t: &Timed) -> String {
    let cpu = (t.cpu + t.child_cpu).as_secs_f64();
    format!(
        "{cpu:.1} s CPU ({:.2} cores)",
        cpu / t.wall.as_secs_f64().max(1e-9)
    )
}

fn fsync_all(paths: &[PathBuf]) {
    for p in paths {
        std::fs::File::open(p)
            .and_then(|f| f.sync_all())
            .unwrap_or_else(|e| panic!("fsync {}: {e}", p.display()));
    }
}

fn remove_all(paths: &[PathBuf]) {
    for p in paths {
        let _ = std::fs::remove_file(p);
    }
}

// ---------------------------------------------------------------------------------------------
// The report

struct Row {
    part: &'static str,
    measure: String,
    ours: String,
    reference: String,
    ratio: String,
    target: String,
}

struct Report {
    rows: Vec<Row>,
    notes: Vec<String>,
    failures: Vec<String>,
    load_before: String,
    wall: Duration,
    scratch: PathBuf,
}

impl Report {
    fn new(scratch: &Path) -> Self {
        Self {
            rows: Vec::new(),
            notes: Vec::new(),
            failures: Vec::new(),
            load_before: load_average(),
            wall: Duration::ZERO,
            scratch: scratch.to_owned(),
        }
    }

    fn row(
        &mut self,
        part: &'static str,
        measure: impl Into<String>,
        ours: impl Into<String>,
        reference: impl Into<String>,
        ratio: impl Into<String>,
        target: impl Into<String>,
    ) {
        self.rows.push(Row {
            part,
            measure: measure.into(),
            ours: ours.into(),
            reference: reference.into(),
            ratio: ratio.into(),
            target: target.into(),
        });
    }

    fn note(&mut self, text: impl Into<String>) {
        self.notes.push(text.into());
    }

    /// Records a verdict; a miss fails the smoke run.
    fn check(&mut self, ok: bool, what: String) -> &'static str {
        if ok {
            "ok"
        } else {
            self.failures.push(what);
            "MISSED"
        }
    }

    fn print(&self, scale: &Scale) {
        let age = Command::new(AGE)
            .arg("--version")
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
            .unwrap_or_default();
        let curl = Command::new(CURL)
            .arg("--version")
            .output()
            .map(|o| {
                String::from_utf8_lossy(&o.stdout)
                    .lines()
                    .next()
                    .unwrap_or("")
                    .split_whitespace()
                    .take(2)
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .unwrap_or_default();
        println!();
        println!(
            "## Waymark submission engine ({}): {} of evidence, {} changed, {} cut, chunks {} / {} KiB",
            if scale.measuring { "bench" } else { "smoke" },
            mb(scale.total),
            mb(scale.changed),
            mb(scale.cut_file),
            scale.chunk / 1024,
            scale.big_chunk / 1024
        );
        println!();
        println!(
            "{} cores; age {age}; {curl}; load average {} before, {} after; wall time {:.1} s; scratch {}",
            std::thread::available_parallelism().map_or(0, std::num::NonZero::get),
            self.load_before,
            load_average(),
            self.wall.as_secs_f64(),
            self.scratch.display()
        );
        println!();
        println!("| part | measure | Waymark | reference | Waymark / reference | target |");
        println!("|---|---|---|---|---|---|");
        for r in &self.rows {
            println!(
                "| {} | {} | {} | {} | {} | {} |",
                r.part, r.measure, r.ours, r.reference, r.ratio, r.target
            );
        }
        println!();
        for n in &self.notes {
            println!("- {n}");
        }
        if !self.failures.is_empty() {
            println!();
            println!("Failures:");
            for f in &self.failures {
                println!("- {f}");
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Parties

/// Registers an assessor and enrols them with a fresh age identity (so the key set names them).
async fn enrol_assessor(endpoint: &TestEndpoint, name: &str, email: &str) -> (AssessorId, String) {
    let (id, code) = endpoint.add_assessor(name, email).await;
    let code = EnrollmentCode::parse(&code).expect("an assessor's code");
    let request = RedeemRequest {
        secret: code.secret,
        public_key: None,
        age_recipient: Some(Identity::generate().recipient()),
        device: Some("submit bench".into()),
    };
    let (status, body) = endpoint
        .call(
            reqwest::Method::POST,
            "/v1/enrollments/redeem",
            None,
            Some(serde_json::to_value(&request).expect("a redeem request as JSON")),
        )
        .await;
    assert_eq!(status, 200, "redeeming {name}'s code: {body}");
    let redeemed: RedeemResponse = serde_json::from_value(body).expect("a redeem answer");
    (id, redeemed.token)
}

/// Registers an institution and enrols `shared` with it, without the keychain.
async fn enrol_school(endpoint: &TestEndpoint, shared: &Shared, identifier: &str) -> Session {
    let issued = endpoint.add_institution(SCHOOL, identifier).await;
    let redeemed = redeem(&issued.code, || Ok(()))
        .await
        .expect("redeem the code");
    let enrollment = redeemed.enrollment;
    lock(shared)
        .set_enrollment(&enrollment)
        .expect("keep the enrollment");
    Session::with_credentials(enrollment, redeemed.credentials).expect("a session")
}

/// A school with the generated evidence files; returns it and the changed file's id.
fn school_with(files: &[(String, u64)]) -> (SchoolFixture, String) {
    let mut school = SchoolFixture::eligible();
    let mut changed = String::new();
    for (name, len) in files {
        let id = school.add_file(name, *len);
        if name == CHANGED_NAME {
            changed = id.clone();
        }
        school.items.push((id, school.files.path().join(name)));
    }
    // On the disk before anything is timed (no write-back of them during a measure).
    let paths: Vec<PathBuf> = files
        .iter()
        .map(|f| school.files.path().join(&f.0))
        .collect();
    fsync_all(&paths);
    (school, changed)
}

/// Freezes the school's evidence into its vault.
fn freeze(shared: &Shared) -> u64 {
    let mut ws = lock(shared);
    let review = ws.current_review(None).expect("the review");
    let report = ws.freeze(&review).expect("freeze");
    assert!(
        report.skipped.is_empty(),
        "freeze skipped {:?}",
        report.skipped
    );
    report.bytes_copied
}

fn package_now(
    runtime: &tokio::runtime::Runtime,
    shared: &Shared,
    session: &mut Session,
    photo: &str,
) -> Queued {
    runtime
        .block_on(package::package(
            shared,
            session,
            None,
            AWARD,
            &[photo.to_owned()],
            Arc::new(|_| {}),
        ))
        .expect("package")
}

/// Delivers everything queued; the `Sent` outcome's server id, bytes sent and blobs sent.
fn deliver_now(
    runtime: &tokio::runtime::Runtime,
    shared: &Shared,
    session: &mut Session,
    chunk: u64,
) -> (String, u64, usize) {
    let options = Options {
        chunk,
        now: true,
        ..Options::default()
    };
    let outcomes = runtime
        .block_on(deliver::deliver_pending(
            shared,
            session,
            options,
            Arc::new(|_, _| {}),
        ))
        .expect("deliver");
    match outcomes.into_iter().next() {
        Some(Outcome::Sent {
            server_id,
            bytes_sent,
            blobs_sent,
            ..
        }) => (server_id, bytes_sent, blobs_sent),
        other => panic!("not delivered: {other:?}"),
    }
}

/// The sealed blobs of a queued submission (manifest first).
fn blobs_of(shared: &Shared, queued: &Queued) -> Vec<SealedBlob> {
    let ws = lock(shared);
    queued
        .submission
        .blobs
        .iter()
        .map(|sha| {
            ws.sealed_blob(sha)
                .expect("read a sealed blob")
                .expect("a recorded blob")
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// The age references

/// Encrypts every `(source, out)` with `/usr/bin/age` to `recipients`, `parallel` at a time,
/// in the order given (largest first).
fn age_files(jobs: &[(PathBuf, PathBuf)], recipients: &[String], parallel: usize) {
    let queue = Mutex::new(jobs.iter());
    std::thread::scope(|scope| {
        for _ in 0..parallel {
            scope.spawn(|| {
                loop {
                    let next = queue.lock().map(|mut q| q.next()).unwrap_or(None);
                    let Some((source, out)) = next else { break };
                    let mut cmd = Command::new(AGE);
                    for r in recipients {
                        cmd.arg("-r").arg(r);
                    }
                    let status = cmd
                        .arg("-o")
                        .arg(out)
                        .arg(source)
                        .status()
                        .expect("run age");
                    assert!(status.success(), "age failed on {}", source.display());
                }
            });
        }
    });
}

// ---------------------------------------------------------------------------------------------
// The single-blob upload references

struct Counting(std::sync::atomic::AtomicU64);

impl tus::Progress for Counting {
    fn created(&self, _url: &str) -> waymark_sync::Result<()> {
        Ok(())
    }
    fn sent(&self, bytes: u64) {
        self.0
            .fetch_add(bytes, std::sync::atomic::Ordering::Relaxed);
    }
    fn acknowledged(&self, _offset: u64) {}
}

/// One blob uploaded with the engine's tus client, `chunk` bytes per PATCH.
fn ours_upload(
    runtime: &tokio::runtime::Runtime,
    client: &waymark_net::Client,
    blob: &BlobFile,
    chunk: u64,
) -> Duration {
    let up = tus::Upload {
        sha256: blob.sha256,
        size: blob.size,
        path: &blob.path,
        url: None,
        chunk,
    };
    let progress = Counting(Default::default());
    let start = Instant::now();
    runtime
        .block_on(tus::upload(client, &up, &progress))
        .expect("the engine's tus upload");
    let took = start.elapsed();
    assert_eq!(
        progress.0.into_inner(),
        blob.size,
        "the engine sent the blob exactly once"
    );
    took
}

/// The largest sealed blob, as curl sends it.
struct BlobFile {
    path: PathBuf,
    sha256: Sha256,
    size: u64,
    /// The files of its PATCHes (the blob itself when it fits in one), with their checksums.
    parts: Vec<(PathBuf, u64, String)>,
}

impl BlobFile {
    /// Splits the blob into pieces of at most `max_chunk` bytes in `dir` (before any timing).
    fn new(path: PathBuf, sha256: Sha256, size: u64, max_chunk: u64, dir: &Path) -> Self {
        use std::io::{Read as _, Write as _};
        let mut parts = Vec::new();
        if size <= max_chunk {
            let digest = sha2::Sha256::digest(std::fs::read(&path).expect("read the blob"));
            parts.push((path.clone(), 0, encode_base64(&digest)));
        } else {
            let mut file = std::fs::File::open(&path).expect("open the blob");
            let mut offset = 0;
            while offset < size {
                let len = max_chunk.min(size - offset);
                let mut buf = vec![0u8; len as usize];
                file.read_exact(&mut buf).expect("read a piece of the blob");
                let piece = dir.join(format!("piece-{offset:012}"));
                std::fs::File::create(&piece)
                    .and_then(|mut f| f.write_all(&buf))
                    .expect("write a piece of the blob");
                parts.push((piece, offset, encode_base64(&sha2::Sha256::digest(&buf))));
                offset += len;
            }
        }
        Self {
            path,
            sha256,
            size,
            parts,
        }
    }
}

/// curl: a tus creation, then every PATCH in one process (one connection). Returns the time
/// from the creation's start to the last answer.
fn curl_upload(url: &str, token: &str, blob: &BlobFile, checksum: bool) -> Duration {
    let auth = format!("Authorization: Bearer {token}");
    let start = Instant::now();
    let created = Command::new(CURL)
        .args([
            "-sS",
            "--noproxy",
            "*",
            "-o",
            "/dev/null",
            "-D",
            "-",
            "-X",
            "POST",
        ])
        .args(["-H", "Tus-Resumable: 1.0.0"])
        .args(["-H", &format!("Upload-Length: {}", blob.size)])
        .args([
            "-H",
            &format!(
                "Upload-Metadata: sha256 {}",
                encode_base64(blob.sha256.to_hex().as_bytes())
            ),
        ])
        .args(["-H", &auth])
        .arg(format!("{url}/v1/uploads"))
        .output()
        .expect("run curl");
    let headers = String::from_utf8_lossy(&created.stdout);
    let location = headers
        .lines()
        .find_map(|l| {
            let (name, value) = l.split_once(':')?;
            name.eq_ignore_ascii_case("location")
                .then(|| value.trim().to_owned())
        })
        .unwrap_or_else(|| panic!("curl's creation had no Location: {headers}"));
    let mut cmd = Command::new(CURL);
    for (n, (piece, offset, sum)) in blob.parts.iter().enumerate() {
        if n > 0 {
            cmd.arg("--next");
        }
        cmd.args([
            "-sS",
            "--noproxy",
            "*",
            "-o",
            "/dev/null",
            "-w",
            "%{http_code}\\n",
        ])
        .args(["-X", "PATCH"])
        .args(["-H", "Tus-Resumable: 1.0.0"])
        .args(["-H", &format!("Content-Type: {OCTETS}")])
        .args(["-H", &format!("Upload-Offset: {offset}")])
        .args(["-H", &auth]);
        if checksum {
            cmd.args(["-H", &format!("Upload-Checksum: sha256 {sum}")]);
        }
        cmd.arg("--data-binary")
            .arg(format!("@{}", piece.display()))
            .arg(format!("{url}{location}"));
    }
    let out = cmd.output().expect("run curl");
    let took = start.elapsed();
    let codes = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success()
            && codes.lines().all(|c| c == "204")
            && codes.lines().count() == blob.parts.len(),
        "curl's PATCHes were answered {codes:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    took
}

// ---------------------------------------------------------------------------------------------
// The run

fn run(runtime: &tokio::runtime::Runtime, scale: &Scale, scratch: &Path, report: &mut Report) {
    let files = scale.files();
    let endpoint = runtime.block_on(TestEndpoint::start());
    let (assessor, assessor_token) = runtime.block_on(enrol_assessor(
        &endpoint,
        "Dr Ann Assessor",
        "ann@assessors.example",
    ));
    let (moderator, _) = runtime.block_on(enrol_assessor(
        &endpoint,
        "Mr Mo Derator",
        "mo@assessors.example",
    ));

    // ---- 1. Package and seal.
    let ((school, changed_id), made) = timed(|| school_with(&files));
    let shared = share(school.open());
    let mut session = runtime.block_on(enrol_school(&endpoint, &shared, "urn:schoolid:uk:100001"));
    let recipients: Vec<Recipient> = session
        .key_set
        .recipients
        .iter()
        .map(|r| r.age.clone())
        .collect();
    let recipient_texts: Vec<String> = recipients.iter().map(ToString::to_string).collect();
    let generated: u64 = files.iter().map(|f| f.1).sum();
    report.note(format!(
        "evidence: {} generated files ({} small of 100 KB–2 MB, 2 videos of {}, 1 of {}), {} in all, made in {} (BLAKE3 XOF); the fixture's own {} files of ~20 KB come on top; sealed to {} age recipients (the awarding body's office and two assessors)",
        files.len(),
        files.len() - 3,
        mb(files[files.len() - 3].1),
        mb(scale.changed),
        mb(generated),
        secs(made.wall),
        school.items.len() - files.len(),
        recipients.len()
    ));

    let (copied, frozen) = timed(|| freeze(&shared));
    report.row(
        "1",
        "freeze into the vault (copy + BLAKE3 + fsync, one file at a time)",
        format!(
            "{} for {}: {}",
            secs(frozen.wall),
            mb(copied),
            mbs(copied, frozen.wall)
        ),
        "",
        "",
        "",
    );
    let photo = school.photo.clone();
    let (queued, packaged) = timed(|| package_now(runtime, &shared, &mut session, &photo));
    let blobs = blobs_of(&shared, &queued);
    let plain: u64 = queued.plan.evidence_bytes;
    let sealed_bytes: u64 = blobs.iter().map(|b| b.size).sum();
    assert_eq!(
        queued.sealed,
        queued.plan.evidence.len(),
        "every file sealed"
    );

    // The same frozen files, with the age tool, largest first. The vault keeps them encrypted
    // to the folder's own key, so the reference gets plaintext copies read back through it
    // (made before the clock starts).
    let mut jobs: Vec<(PathBuf, PathBuf, u64)> = {
        let ws = lock(&shared);
        let review = ws.current_review(None).expect("the review");
        ws.evidence(&review)
            .expect("the evidence")
            .into_iter()
            .enumerate()
            .map(|(i, item)| {
                let plain = scratch.join(format!("plain-{i:04}"));
                let mut out = std::fs::File::create(&plain).expect("a plaintext copy");
                std::io::copy(
                    &mut ws.open_frozen(&item.hash).expect("the frozen copy"),
                    &mut out,
                )
                .expect("copied");
                (plain, scratch.join(format!("age-{i:04}.age")), item.size)
            })
            .collect()
    };
    jobs.sort_by_key(|j| std::cmp::Reverse(j.2));
    let age_jobs: Vec<(PathBuf, PathBuf)> = jobs
        .iter()
        .map(|(s, o, _)| (s.clone(), o.clone()))
        .collect();
    let outputs: Vec<PathBuf> = age_jobs.iter().map(|j| j.1.clone()).collect();
    let mut age_runs = Vec::new();
    for parallel in [1usize, 2] {
        let ((), t) = timed(|| age_files(&age_jobs, &recipient_texts, parallel));
        let ((), synced) = timed(|| fsync_all(&outputs));
        let out_bytes = outputs.iter().map(|p| folder_bytes_file(p)).sum::<u64>();
        remove_all(&outputs);
        age_runs.push((parallel, t, synced, out_bytes));
    }

    // A second school packages the same files again (after the age runs).
    let (school2, _) = school_with(&files);
    let shared2 = share(school2.open());
    let mut session2 =
        runtime.block_on(enrol_school(&endpoint, &shared2, "urn:schoolid:uk:100002"));
    let (copied2, frozen2) = timed(|| freeze(&shared2));
    let photo2 = school2.photo.clone();
    let (queued2, packaged2) = timed(|| package_now(runtime, &shared2, &mut session2, &photo2));
    let plain2 = queued2.plan.evidence_bytes;
    // Delivery reads only the sealed blobs: the second school's generated files and their
    // vault copies go now, to keep the run within the disk's free space.
    {
        let ws = lock(&shared2);
        let review = ws.current_review(None).expect("the review");
        for item in ws.evidence(&review).expect("the evidence") {
            if item.size >= SMALL_MIN {
                let _ = std::fs::remove_file(ws.frozen_path(&item.hash));
            }
        }
        for (name, _) in &files {
            let _ = std::fs::remove_file(school2.files.path().join(name));
        }
    }
    report.row(
        "1",
        "freeze, second school",
        format!(
            "{} for {}: {}",
            secs(frozen2.wall),
            mb(copied2),
            mbs(copied2, frozen2.wall)
        ),
        "",
        "",
        "",
    );
    let (_, seq_t, seq_sync, _) = age_runs[0];
    let (_, par_t, par_sync, age_out) = age_runs[1];
    let best_pkg = packaged.wall.min(packaged2.wall);
    for (label, t, bytes, n) in [
        (
            "package() after freeze, first school",
            &packaged,
            plain,
            queued.sealed,
        ),
        (
            "package() after freeze, second school",
            &packaged2,
            plain2,
            queued2.sealed,
        ),
    ] {
        report.row(
            "1",
            format!(
                "{label}: seal {n} files ({} → {} sealed), every core",
                mb(bytes),
                mb(sealed_bytes)
            ),
            format!("{}: {}; {}", secs(t.wall), mbs(bytes, t.wall), cores(t)),
            "",
            "",
            "",
        );
    }
    for (label, t, synced) in [
        ("`age` one file at a time", &seq_t, &seq_sync),
        ("`age` two at a time", &par_t, &par_sync),
    ] {
        report.row(
            "1",
            format!("{label} (same files, same {} recipients)", recipients.len()),
            format!("{} (best package)", mbs(plain, best_pkg)),
            format!(
                "{}: {}; {}; + fsync of its outputs {} → {}",
                secs(t.wall),
                mbs(plain, t.wall),
                cores(t),
                secs(synced.wall),
                mbs(plain, t.wall + synced.wall)
            ),
            format!(
                "{} ({} with fsync)",
                pct(rate(plain, best_pkg), rate(plain, t.wall)),
                pct(rate(plain, best_pkg), rate(plain, t.wall + synced.wall))
            ),
            "",
        );
    }
    report.note(format!(
        "sealed size {} vs age's {} for {} of plaintext: the sealer pads each file with Padmé inside the encryption; MB/s are of plaintext for both",
        mb(sealed_bytes - blobs[0].size),
        mb(age_out),
        mb(plain)
    ));
    pieces(
        report,
        scratch,
        &jobs[0].0,
        jobs[0].2,
        &recipients,
        &recipient_texts,
    );

    // ---- 2. Upload on loopback.
    let (server_id, sent) = {
        let ((id, sent, n), t) = timed(|| deliver_now(runtime, &shared, &mut session, scale.chunk));
        report.row(
            "2",
            format!(
                "deliver_pending, whole submission ({n} blobs, {} KiB chunks, 3 at once)",
                scale.chunk / 1024
            ),
            format!(
                "{} in {}: {}; {}",
                mb(sent),
                secs(t.wall),
                mbs(sent, t.wall),
                cores(&t)
            ),
            "",
            "",
            "",
        );
        (id, sent)
    };
    assert_eq!(sent, sealed_bytes, "every sealed byte sent once");
    let largest = blobs.iter().max_by_key(|b| b.size).expect("a blob").clone();
    let data_dir = lock(&shared).data_dir().to_owned();
    let pieces_dir = scratch.join("pieces");
    std::fs::create_dir_all(&pieces_dir).expect("a folder for curl's pieces");
    let max_chunk = endpoint.state.config.limits.max_chunk_bytes;
    let blob = BlobFile::new(
        data_dir.join(&largest.file),
        largest.sha256.parse().expect("a sha256"),
        largest.size,
        max_chunk,
        &pieces_dir,
    );
    // A third institution sends the blob over and over (it is not held by it; a repeat is
    // received whole and dropped at the end as a duplicate).
    let third = runtime.block_on(async {
        let issued = endpoint
            .add_institution("Bench Third School", "urn:schoolid:uk:100003")
            .await;
        redeem(&issued.code, || Ok(())).await.expect("redeem")
    });
    let token = third.credentials.token.clone();
    let client = waymark_net::Client::new(&endpoint.url, Some(token.clone())).expect("a client");
    let mut best = [Duration::MAX; 4];
    for _ in 0..scale.rounds {
        best[0] = best[0].min(curl_upload(&endpoint.url, &token, &blob, false));
        best[1] = best[1].min(ours_upload(runtime, &client, &blob, scale.chunk));
        best[2] = best[2].min(curl_upload(&endpoint.url, &token, &blob, true));
        best[3] = best[3].min(ours_upload(runtime, &client, &blob, scale.big_chunk));
    }
    let [curl_plain, ours_small, curl_sum, ours_big] = best;
    let patches = blob.parts.len();
    let curl_label = format!(
        "curl: POST + {patches} PATCH{} of ≤ {} MiB, one connection",
        if patches == 1 { "" } else { "es" },
        max_chunk / MIB
    );
    for (chunk, t) in [(scale.chunk, ours_small), (scale.big_chunk, ours_big)] {
        let ratio = rate(blob.size, t) / rate(blob.size, curl_plain);
        let verdict = report.check(
            !scale.measuring || ratio >= UPLOAD_TARGET,
            format!(
                "tus::upload with {} KiB chunks at {:.0}% of curl",
                chunk / 1024,
                100.0 * ratio
            ),
        );
        report.row(
            "2",
            format!(
                "largest blob ({}) with tus::upload, {} KiB chunks + Upload-Checksum",
                mb(blob.size),
                chunk / 1024
            ),
            format!("{}: {}", secs(t), mbs(blob.size, t)),
            format!(
                "{curl_label}: {} {}; with Upload-Checksum {}",
                secs(curl_plain),
                mbs(blob.size, curl_plain),
                mbs(blob.size, curl_sum)
            ),
            format!(
                "{} ({} of curl with checksums)",
                pct(rate(blob.size, t), rate(blob.size, curl_plain)),
                pct(rate(blob.size, t), rate(blob.size, curl_sum))
            ),
            format!("≥ {:.0}%: {verdict}", UPLOAD_TARGET * 100.0),
        );
    }
    report.note(format!(
        "single-blob uploads: best of {} rounds each, alternating curl / engine; the endpoint takes at most {} MiB per PATCH (max_chunk_bytes), so curl sends {patches} PATCH{} (`--data-binary @piece`, pieces written before timing)",
        scale.rounds,
        max_chunk / MIB,
        if patches == 1 { "" } else { "es" }
    ));
    // The whole submission again, from the second school, with the larger chunk.
    {
        let ((_, sent2, n2), t) =
            timed(|| deliver_now(runtime, &shared2, &mut session2, scale.big_chunk));
        report.row(
            "2",
            format!(
                "deliver_pending, whole submission, second school ({n2} blobs, {} KiB chunks)",
                scale.big_chunk / 1024
            ),
            format!(
                "{} in {}: {}; {}",
                mb(sent2),
                secs(t.wall),
                mbs(sent2, t.wall),
                cores(&t)
            ),
            "",
            "",
            "",
        );
    }
    drop(shared2);
    drop(school2);
    remove_all(
        &blob
            .parts
            .iter()
            .filter(|p| p.0 != blob.path)
            .map(|p| p.0.clone())
            .collect::<Vec<_>>(),
    );

    // ---- 3. A re-submission after a request for more evidence.
    let server_id: SubmissionId = server_id.parse().expect("a submission id");
    let benchmark = {
        let ws = lock(&shared);
        let review = ws.current_review(None).expect("the review");
        ws.review_framework(&review).expect("the framework").order[0]
            .id
            .clone()
    };
    runtime.block_on(async {
        endpoint.assign(server_id, assessor, moderator).await;
        let request = EvidenceRequest {
            message: "Please send this year's computing policy.".into(),
            benchmarks: vec![BenchmarkRequest {
                benchmark: benchmark.clone(),
                message: "The policy sent is last year's.".into(),
            }],
        };
        let (status, body) = endpoint
            .call(
                reqwest::Method::POST,
                &format!("/v1/assessor/submissions/{server_id}/request-evidence"),
                Some(&assessor_token),
                Some(serde_json::to_value(&request).expect("a request as JSON")),
            )
            .await;
        assert_eq!(status, 200, "asking for more evidence: {body}");
        let changes = status::refresh(&shared, &session).await.expect("refresh");
        assert!(
            changes
                .iter()
                .any(|c| c.after == ReviewState::MoreEvidenceRequested),
            "the school sees the request: {changes:?}"
        );
    });
    school.change_file(&changed_id);
    let (queued3, packaged3) = timed(|| package_now(runtime, &shared, &mut session, &photo));
    let blobs3 = blobs_of(&shared, &queued3);
    let manifest3 = blobs3[0].size;
    let changed_plain = {
        let ws = lock(&shared);
        let review = ws.current_review(None).expect("the review");
        let item = ws
            .evidence(&review)
            .expect("the evidence")
            .into_iter()
            .find(|i| i.id == changed_id)
            .expect("the changed item");
        let rid = &blobs3[0].recipients;
        ws.sealed_blob_for(&item.hash, rid)
            .expect("read")
            .expect("the changed file sealed")
    };
    let ((_, sent3, n3), delivered3) =
        timed(|| deliver_now(runtime, &shared, &mut session, scale.chunk));
    let expected = changed_plain.size + manifest3;
    let verdict = report.check(
        sent3 == expected && queued3.sealed == 1 && n3 == 2,
        format!(
            "re-submission sent {sent3} bytes in {n3} blobs, {} sealed; expected {expected} in 2",
            queued3.sealed
        ),
    );
    report.row(
        "3",
        format!(
            "re-submission after a request for more evidence: 1 file of {} changed out of {}",
            mb(scale.changed),
            mb(plain)
        ),
        format!(
            "bytes_sent {} in {n3} blobs ({} sealed, {} reused; package {}, deliver {})",
            sent3,
            queued3.sealed,
            queued3.reused,
            secs(packaged3.wall),
            secs(delivered3.wall)
        ),
        format!(
            "changed file sealed {} (plain {}, + Padmé and age) + manifest sealed {} = {}",
            changed_plain.size, changed_plain.plain_size, manifest3, expected
        ),
        format!(
            "{:.3}× the changed file's plaintext",
            sent3 as f64 / changed_plain.plain_size as f64
        ),
        format!("about {} + the manifest: {verdict}", mb(scale.changed)),
    );
    report.note(format!(
        "the manifest ({} sealed) grows with the history and the evidence list; the whole submission was {} sealed; the assessors enrolled before the first packaging: one who enrols later changes the recipient set, and every blob is sealed and sent again",
        mb(manifest3),
        mb(sealed_bytes)
    ));
    let server_bytes = folder_bytes(endpoint.data_dir());
    report.note(format!(
        "the endpoint's data folder held {} after parts 1–3 (two schools, the single-blob repeats dropped as duplicates)",
        mb(server_bytes)
    ));
    drop(shared);
    drop(school);
    drop(endpoint);

    // ---- 4. A cut at 90% of a ~1 GB blob.
    cut(runtime, scale, report);
}

fn folder_bytes_file(p: &Path) -> u64 {
    std::fs::metadata(p).map(|m| m.len()).unwrap_or(0)
}

/// Reads `source` in 1 MiB pieces, handing each to `each`.
fn read_each(source: &Path, each: &mut dyn FnMut(&[u8])) {
    use std::io::Read as _;
    let mut file = std::fs::File::open(source).expect("open the frozen file");
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = file.read(&mut buf).expect("read the frozen file");
        if n == 0 {
            break;
        }
        each(&buf[..n]);
    }
}

/// The pieces of one seal, on one core, over the largest frozen file.
fn pieces(
    report: &mut Report,
    scratch: &Path,
    source: &Path,
    len: u64,
    recipients: &[Recipient],
    recipient_texts: &[String],
) {
    use std::io::Write as _;
    let read_all = |each: &mut dyn FnMut(&[u8])| read_each(source, each);
    let ((), read) = timed(|| read_all(&mut |_| {}));
    let ((), b3) = timed(|| {
        let mut h = blake3::Hasher::new();
        read_all(&mut |b| {
            h.update(b);
        });
        std::hint::black_box(h.finalize());
    });
    let ((), sha) = timed(|| {
        let mut h = sha2::Sha256::new();
        read_all(&mut |b| h.update(b));
        std::hint::black_box(h.finalize());
    });
    let ((), enc) = timed(|| {
        let file =
            std::io::BufReader::with_capacity(1 << 20, std::fs::File::open(source).expect("open"));
        encrypt_padded(file, len, recipients, std::io::sink()).expect("encrypt");
    });
    let out = scratch.join("write-test.bin");
    let ((), write) = timed(|| {
        let mut f = std::io::BufWriter::with_capacity(
            1 << 20,
            std::fs::File::create(&out).expect("create"),
        );
        read_all(&mut |b| f.write_all(b).expect("write"));
        f.into_inner().expect("flush").sync_all().expect("fsync");
    });
    let _ = std::fs::remove_file(&out);
    let hash = waymark_core::evidence::hash_file(source).expect("hash").0;
    let dir = scratch.join("seal-test");
    let (_, whole) = timed(|| {
        let file = std::fs::File::open(source).expect("open");
        waymark_sync::seal::seal_reader(file, source, &hash, len, recipients, &dir)
            .expect("seal_reader")
    });
    let _ = std::fs::remove_dir_all(&dir);
    let age_out = scratch.join("age-test.age");
    let ((), age) = timed(|| {
        age_files(&[(source.to_owned(), age_out.clone())], recipient_texts, 1);
    });
    let ((), age_sync) = timed(|| fsync_all(std::slice::from_ref(&age_out)));
    let _ = std::fs::remove_file(&age_out);
    let parts = [
        ("read (page cache, 1 MiB reads)", read),
        ("read + BLAKE3 (Hasher::update, one thread)", b3),
        ("read + SHA-256", sha),
        ("read + age encrypt_padded to a sink", enc),
        ("read + write + fsync (no crypto)", write),
    ];
    let summary: Vec<String> = parts
        .iter()
        .map(|(what, t)| format!("{what} {}", mbs(len, t.wall)))
        .collect();
    report.row(
        "1",
        format!(
            "one seal on one core, largest file ({}): seal_file",
            mb(len)
        ),
        format!("{}: {}", secs(whole.wall), mbs(len, whole.wall)),
        format!(
            "`age` on it: {} ({} with fsync)",
            mbs(len, age.wall),
            mbs(len, age.wall + age_sync.wall)
        ),
        pct(rate(len, whole.wall), rate(len, age.wall)),
        "",
    );
    report.row(
        "1",
        "pieces of that seal (each alone, one core)",
        summary.join("; "),
        "",
        "",
        "",
    );
}

/// The environment a child run of part 4 gets from its parent (see [`cut`]).
const CHILD_CODE: &str = "WAYMARK_BENCH_CHILD_CODE";
const CHILD_ENDPOINT: &str = "WAYMARK_BENCH_CHILD_ENDPOINT";
/// What the child prints before its result (JSON).
const CHILD_SAYS: &str = "part-4-result: ";

/// What part 4 found.
#[derive(serde::Serialize, serde::Deserialize)]
struct CutResult {
    /// `http` or `https`.
    scheme: String,
    cuts: u64,
    cut_points: Vec<u64>,
    connections: u64,
    bytes_up: u64,
    /// Every blob's size, summed.
    blobs: u64,
    video: u64,
    /// The blobs sent before the video, on the same connection.
    before: u64,
    /// Where the cut was planned on the connection (bytes on the wire).
    at: u64,
    /// Bytes on the wire per byte of blob, uploaded whole.
    wire_ratio: f64,
    bytes_sent: u64,
    rounds: u32,
    took_ms: u64,
}

/// Whether the engine's client keeps connections alive over plain HTTP (asked through a proxy
/// that never cuts: three requests, how many connections).
fn http_reuses_connections(runtime: &tokio::runtime::Runtime, endpoint: &TestEndpoint) -> bool {
    let upstream = endpoint
        .url
        .trim_start_matches("http://")
        .parse()
        .expect("the endpoint's address");
    let proxy = FaultProxy::start(upstream, CutPlan::never());
    let client = waymark_net::Client::new(&proxy.url(), None).expect("a client");
    runtime.block_on(async {
        for _ in 0..3 {
            let _: serde_json::Value = client.get_json("/v1/key-sets").await.expect("key sets");
        }
    });
    proxy.connections() < 3
}

/// Part 4: one ~1 GB video, delivered through the harness's fault proxy, which resets the
/// connection once it has carried 90% of the video.
///
/// The proxy cuts per connection, so this needs the engine to keep one connection alive for
/// the whole upload. Over plain HTTP the engine's client now opens a connection per request
/// (`pool_max_idle_per_host(0)` for `http://` endpoints in waymark-net); then no connection
/// ever carries 90% of the video, and part 4 runs over HTTPS instead (the endpoint's own TLS,
/// a test PKI), where the pool is kept. The client must then trust the test CA, which only
/// `SSL_CERT_FILE` in its environment does: the engine's side runs in a child run of this
/// binary, started with it (as the harness's own TLS tests do).
fn cut(runtime: &tokio::runtime::Runtime, scale: &Scale, report: &mut Report) {
    let plain = runtime.block_on(TestEndpoint::start());
    let result = if http_reuses_connections(runtime, &plain) {
        let code = runtime
            .block_on(plain.add_institution(SCHOOL, "urn:schoolid:uk:100004"))
            .code;
        cut_run(runtime, scale, &code, &plain.url)
    } else {
        drop(plain);
        report.note(
            "part 4 over HTTPS: over plain HTTP the engine's client opens a new connection for every request (waymark-net's `pool_max_idle_per_host(0)` for http:// endpoints), so no connection carries 90% of the video and the fault proxy, which cuts per connection, never cuts; over HTTPS the pool is kept",
        );
        let pki = waymark_harness::tls::TestPki::generate();
        let endpoint = runtime.block_on(TestEndpoint::start_tls(&pki));
        let code = runtime
            .block_on(endpoint.add_institution(SCHOOL, "urn:schoolid:uk:100004"))
            .code;
        let mut cmd = Command::new(std::env::current_exe().expect("this binary"));
        if scale.measuring {
            cmd.arg("--bench");
        }
        cmd.env(CHILD_CODE, &code)
            .env(CHILD_ENDPOINT, &endpoint.url)
            .env("SSL_CERT_FILE", pki.trust_bundle_with_ca())
            .env_remove("SSL_CERT_DIR");
        waymark_harness::env::without_proxies(&mut cmd);
        // The endpoint answers on the runtime's workers while this thread waits.
        let out = cmd.output().expect("run part 4's child");
        let stdout = String::from_utf8_lossy(&out.stdout);
        let said = stdout
            .lines()
            .find_map(|l| l.strip_prefix(CHILD_SAYS))
            .unwrap_or_else(|| {
                panic!(
                    "part 4's child printed no result ({}):\n{stdout}\n{}",
                    out.status,
                    String::from_utf8_lossy(&out.stderr)
                )
            });
        serde_json::from_str(said).expect("part 4's result")
    };
    report_cut(report, scale, &result);
}

/// The child run of part 4 (started by [`cut`]): prints its result.
fn cut_child(runtime: &tokio::runtime::Runtime, scale: &Scale, code: &str, endpoint: &str) {
    let result = cut_run(runtime, scale, code, endpoint);
    println!(
        "{CHILD_SAYS}{}",
        serde_json::to_string(&result).expect("the result as JSON")
    );
}

/// Enrols a school with one video with `code`, packages it from `endpoint`, then delivers it
/// through a fault proxy in front of `endpoint` that cuts once at 90% of the video.
fn cut_run(
    runtime: &tokio::runtime::Runtime,
    scale: &Scale,
    code: &str,
    endpoint: &str,
) -> CutResult {
    let school = SchoolFixture::eligible();
    school.add_file("leavers assembly.mp4", scale.cut_file);
    let shared = share(school.open());
    let redeemed = runtime
        .block_on(redeem(code, || Ok(())))
        .expect("redeem the code");
    let mut enrollment = redeemed.enrollment;
    lock(&shared)
        .set_enrollment(&enrollment)
        .expect("keep the enrollment");
    let credentials = waymark_sync::credentials::Credentials {
        token: redeemed.credentials.token.clone(),
        signing_key: redeemed.credentials.signing_key.clone(),
    };
    let mut session =
        Session::with_credentials(enrollment.clone(), redeemed.credentials).expect("a session");
    let queued = package_now(runtime, &shared, &mut session, &school.photo);
    let blobs = blobs_of(&shared, &queued);
    let all: u64 = blobs.iter().map(|b| b.size).sum();
    let video = blobs.iter().map(|b| b.size).max().expect("a blob");
    // One blob at a time, so every request goes over one kept-alive connection (three at once
    // spread the video's chunks over the pool's connections, and none carries 90% of it): the
    // cut comes after the blobs sent before the video and 90% of the video.
    let position = blobs.iter().position(|b| b.size == video).unwrap_or(0);
    let before: u64 = blobs[..position].iter().map(|b| b.size).sum();
    let (scheme, address) = endpoint.split_once("://").expect("a URL");
    let upstream: std::net::SocketAddr = address.parse().expect("the endpoint's address");
    // The proxy counts bytes on the wire (request heads, and over TLS the records' framing):
    // how many per byte of blob, from a throwaway blob sent the same way through a proxy that
    // never cuts.
    let wire_ratio = {
        let len = scale.cut_file.min(64 * MIB);
        let path = school.files.path().join("calibration.bin");
        waymark_harness::school::write_noise(&path, "calibration", len);
        let sha256 = Sha256::of(&std::fs::read(&path).expect("read the calibration blob"));
        let never = FaultProxy::start(upstream, CutPlan::never());
        let client = waymark_net::Client::new(
            &format!("{scheme}://{}", never.addr()),
            Some(credentials.token.clone()),
        )
        .expect("a client");
        let blob = BlobFile {
            path,
            sha256,
            size: len,
            parts: Vec::new(),
        };
        ours_upload(runtime, &client, &blob, scale.chunk);
        never.bytes_up() as f64 / len as f64
    };
    let at = ((before + video * 9 / 10) as f64 * wire_ratio) as u64;
    let proxy = FaultProxy::start(
        upstream,
        CutPlan {
            seed: scale.seed,
            min_bytes: at,
            max_bytes: at,
            max_cuts: 1,
        },
    );
    enrollment.endpoint = format!("{scheme}://{}", proxy.addr());
    lock(&shared)
        .set_enrollment(&enrollment)
        .expect("point the enrollment at the proxy");
    let mut session = Session::with_credentials(enrollment, credentials).expect("a session");
    let options = Options {
        chunk: scale.chunk,
        parallel: 1,
        now: true,
    };
    let start = Instant::now();
    let mut rounds = 0;
    let mut bytes_sent = None;
    while rounds < 5 && bytes_sent.is_none() {
        rounds += 1;
        let outcomes = runtime
            .block_on(deliver::deliver_pending(
                &shared,
                &mut session,
                options,
                Arc::new(|_, _| {}),
            ))
            .expect("deliver");
        match outcomes.into_iter().next() {
            Some(Outcome::Sent { bytes_sent: b, .. }) => bytes_sent = Some(b),
            Some(Outcome::Waiting { .. }) => {}
            other => panic!("unexpected outcome: {other:?}"),
        }
    }
    CutResult {
        scheme: scheme.to_owned(),
        cuts: proxy.cuts(),
        cut_points: proxy.cut_points(),
        connections: proxy.connections(),
        bytes_up: proxy.bytes_up(),
        blobs: all,
        video,
        before,
        at,
        wire_ratio,
        bytes_sent: bytes_sent.expect("delivered within 5 rounds"),
        rounds,
        took_ms: start.elapsed().as_millis() as u64,
    }
}

fn report_cut(report: &mut Report, scale: &Scale, r: &CutResult) {
    let extra = r.bytes_up.saturating_sub(r.blobs);
    // The blobs as the wire carries them whole (request heads, TLS framing): what is left is
    // the bytes re-sent, on the wire, and the requests a whole upload does not make (the held
    // query, the HEAD after the reset, the commit; a TLS handshake).
    let wire = (r.blobs as f64 * r.wire_ratio) as u64;
    let extra_wire = r.bytes_up.saturating_sub(wire);
    // The chunk in flight had this much of it through before the reset.
    let partial = (r.video * 9 / 10) % scale.chunk;
    let verdict = report.check(
        r.cuts == 1 && extra_wire <= scale.chunk + HTTP_ALLOWANCE,
        format!(
            "after a cut at {} the proxy carried {extra_wire} bytes more than the {wire} the blobs take on the wire (cuts {})",
            r.at, r.cuts
        ),
    );
    let framing = format!(
        "; − the blobs' own wire overhead ({:.4} bytes per byte, {}) = {extra_wire}",
        r.wire_ratio,
        wire - r.blobs
    );
    report.row(
        "4",
        format!(
            "bytes re-sent after a reset at 90% ({} into it) of a {} sealed blob, {} KiB chunks, one blob at a time, over {}",
            mb(r.video * 9 / 10),
            mb(r.video),
            scale.chunk / 1024,
            r.scheme.to_uppercase()
        ),
        format!(
            "proxy.bytes_up − every blob = {extra} ({} − {}){framing}: ≈ {partial} of the chunk in flight re-sent, the rest HTTP; the engine counted {} re-sent",
            r.bytes_up,
            r.blobs,
            r.bytes_sent.saturating_sub(r.blobs)
        ),
        format!("one chunk: {} bytes", scale.chunk),
        format!("{:.2} chunks", extra_wire as f64 / scale.chunk as f64),
        format!(
            "≤ one chunk + {} KiB of HTTP: {verdict}",
            HTTP_ALLOWANCE / 1024
        ),
    );
    let took = Duration::from_millis(r.took_ms);
    report.note(format!(
        "part 4: {} cut ({:?} bytes up on the cut connection, planned at {}: {} of blobs before the video and 90% of it, times the wire ratio measured first with a throwaway blob through a proxy that never cuts), {} connections, delivered in {} deliver_pending call(s), {} through the proxy ({}); the engine counts a chunk as sent when its PATCH starts, so its figure is the whole chunk in flight",
        r.cuts,
        r.cut_points,
        r.at,
        r.before,
        r.connections,
        r.rounds,
        secs(took),
        mbs(r.bytes_up, took)
    ));
}
