//! Benchmark: ingest under load, on loopback, in three configurations side by side in one run,
//! against the disk's own write speed in the same run.
//!
//! The configurations, one after the other on the same machine and the same load:
//!
//! 1. one instance on the embedded stores (SQLite and files in the data folder, both fsynced);
//! 2. one instance on PostgreSQL and an S3-compatible bucket;
//! 3. two instances on the same PostgreSQL database and bucket, with the load spread over both
//!    as a load balancer without stickiness spreads it: each request (every tus create and
//!    PATCH, commit, status poll, enrolment) goes to the next instance in turn, one counter for
//!    all of the client's requests (nginx's default `upstream` round robin, HAProxy's
//!    `balance roundrobin`). Per request rather than per institution because that is what "no
//!    sticky sessions needed" (README.md) promises, and it is the hard case: an upload's
//!    chunks land on either instance by chance, so an instance often lacks the running SHA-256
//!    of the chunks before and reads the blob back from the bucket to check it (ARCHITECTURE.md,
//!    "The endpoint at scale"); the last PATCH of each blob is timed on its own to show that.
//!
//! The PostgreSQL is a throwaway cluster of waymark-harness's, started durable
//! (`waymark_harness::postgres::durable_cluster`: `fsync`, `full_page_writes` and
//! `synchronous_commit` on, PostgreSQL's defaults), as the embedded store fsyncs; a fresh
//! database for each configuration. The S3 server is waymark-harness's s3s-fs 0.14.1, a fresh
//! bucket for each configuration. s3s-fs never fsyncs (it writes each part through a buffered
//! writer and renames it, then copies the parts into the object at CompleteMultipartUpload; no
//! `sync_all` anywhere in its source), so on (2) and (3) the blob bytes are only in the page
//! cache when acknowledged, where on (1) each chunk is on the disk: that flatters (2) and (3),
//! and the table says so. Both servers keep their data under `/tmp`, on the same disk as the
//! bench's folder (the table prints the file systems).
//!
//! The real `waymark-server` binary runs as child processes (so peak RSS is each instance's
//! own) on data folders made by `waymark-server init` (for (2) and (3) after writing a
//! `server.toml` naming the stores; the second instance of (3) is a copy of the first's
//! `server.toml` and `keys/signing.key`, as README.md tells an operator), listening on
//! 127.0.0.1 only. Institutions are registered through the admin API and enrolled with
//! `/v1/enrollments/redeem`. Then, all at once, every institution uploads its blobs with tus
//! (create, then PATCHes of 1 MiB, each with `Upload-Checksum: sha256`) one blob after the
//! other and commits a signed envelope listing them (the first blob is the manifest), while
//! separate institutions poll the status of a submission they committed during setup (`GET
//! /v1/submissions/{id}`, every other request with `If-None-Match` as the app polls, so half
//! are full answers and half `304`) as fast as they can until the last commit is answered.
//! Pollers run on their own thread and runtime, so their latencies do not wait behind the
//! uploaders' tasks in the client.
//!
//! The blobs are pseudo-random bytes standing in for age ciphertext (they are not encrypted: the
//! server cannot tell, and encrypting would only load the shared CPU with client work). Every
//! blob is the same random body with its own last 16 bytes, so each has its own SHA-256 while
//! the client precomputes every hash in constant time per blob: the timed phase costs the
//! client only HTTP.
//!
//! Measured, for each configuration: the ingest phase's wall time (first request to last
//! commit) → aggregate MB/s; status latency p50/p95/p99/max (target p99 < 50 ms); tus create,
//! PATCH, last PATCH of a blob and commit latencies; errors: answers outside 2xx/3xx,
//! transport errors, wrong offsets (target 0), in setup too (an institution whose enrolment
//! or first submission failed is left out of the load, and counted); each instance's peak RSS
//! (`VmHWM`) and CPU time; the CPU time of PostgreSQL (the postmaster and its processes) and
//! of s3s-fs, which share the same cores; the whole machine's busy CPU time, and how much of
//! it was outside the bench's processes (kernel threads, anyone else's work: a busy machine
//! shows); each instance's WARN and ERROR log lines, by kind; what the stores hold
//! afterwards. The client is reqwest with its defaults (and a 120 s request timeout); the
//! school's own client (`waymark-net`) keeps reqwest's defaults too, among them a 30 s TCP
//! user timeout, so a PATCH whose body the server leaves unread for 30 s fails here as a
//! transport error, as it would for a school. The reference is `dd if=/dev/zero
//! bs=1M conv=fsync` of the same number of bytes into the bench's folder, before each
//! configuration (after a `sync`, so one configuration's dirty pages do not slow the next) and
//! after the last.
//!
//! The server's rate limits are raised for the run: at the defaults (1,200 requests a minute
//! per token, 30 enrolments an hour per address) pollers polling flat out, and 250 enrolments
//! from one address, would rightly be answered `429`.
//!
//! Run with `cargo bench -p waymark-server --bench ingest` (or `make bench`): 200 institutions
//! × 10 MB (4 blobs), 50 pollers, all three configurations. Smaller for a quick check:
//! `WAYMARK_BENCH_INSTITUTIONS=20 WAYMARK_BENCH_MB=2`; also `WAYMARK_BENCH_POLLERS`,
//! `WAYMARK_BENCH_BLOBS`, `WAYMARK_BENCH_CHUNK_KIB`, `WAYMARK_BENCH_TIMEOUT_S` (each ingest
//! phase's bound, 900), `WAYMARK_BENCH_POLL_MS` (each poller's pause between polls; 0, the
//! default, polls flat out, which measures queueing behind a saturated 2-core machine more than
//! service), `WAYMARK_BENCH_CONFIGURATIONS` (which to run, such as `1,3`; all three by
//! default). Needs PostgreSQL's server programs and s3s-fs (`scripts/setup.sh` installs both)
//! for (2) and (3). Without `--bench` (as under `cargo test --all-targets`) it runs a small
//! smoke version of all three and fails on any error. Everything is in temporary folders (the
//! bench's under `target/tmp`, on the disk, not in RAM), removed at the end.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Barrier, Mutex};
use std::time::{Duration, Instant};
use waymark_test_support::bench::{clock_ticks, env_or, folder_bytes, load_average, measuring};

use bytes::Bytes;
use futures::StreamExt as _;
use serde::de::DeserializeOwned;
use serde_json::json;
use sha2::Digest as _;
use waymark_harness::postgres::{PgDatabase, durable_cluster};
use waymark_harness::s3::s3;
use waymark_protocol::api::{
    Account, CommitRequest, CommitResponse, IssuedCode, KeySets, RedeemRequest, RedeemResponse,
};
use waymark_protocol::encoding::{encode_base64, random_bytes};
use waymark_protocol::enrollment::EnrollmentCode;
use waymark_protocol::envelope::{BlobRef, ENVELOPE_FORMAT, Envelope};
use waymark_protocol::ids::FrameworkRef;
use waymark_protocol::keys::Fingerprint;
use waymark_protocol::signed::SecretKey;
use waymark_protocol::{InstitutionId, Sha256, SubmissionId};
use waymark_server::config::{CONFIG_FILE, Config};
use waymark_server::keys::SIGNING_KEY_FILE;

/// The server binary cargo built beside this bench (release under `cargo bench`).
const SERVER_BIN: &str = env!("CARGO_BIN_EXE_waymark-server");
/// The bytes at the end of each blob that make it unique.
const TAIL: usize = 16;
const OCTETS: &str = "application/offset+octet-stream";
/// The rate limits the run's server gets (see the module's documentation).
const RAISED_PER_TOKEN_PER_MINUTE: u32 = 100_000_000;
const RAISED_ENROLMENTS_PER_HOUR: u32 = 1_000_000;
/// The status latency target.
const STATUS_P99_TARGET: Duration = Duration::from_millis(50);
/// Setup requests in flight at once.
const SETUP_CONCURRENCY: usize = 8;
/// Times one PATCH answered 503 (no chunk slot free) is sent again after its Retry-After.
const BUSY_RETRIES: u32 = 30;
/// Connections in each instance's PostgreSQL pool (the server's default).
const PG_POOL_SIZE: usize = 16;
/// What s3s-fs does with what it is sent (read in its source, 0.14.1).
const S3S_FS_DURABILITY: &str = "s3s-fs 0.14.1 never fsyncs: parts and objects are written through a buffered writer and renamed, in the page cache only when acknowledged";

fn main() {
    let measuring = measuring();
    let scale = Scale::from_env(measuring);
    let configurations = Configuration::from_env();
    let tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
    std::fs::create_dir_all(tmp).expect("create target/tmp");
    let root = tempfile::Builder::new()
        .prefix("waymark-ingest-")
        .tempdir_in(tmp)
        .expect("a scratch folder");
    let started = Instant::now();
    let mut reports = Vec::new();
    for configuration in configurations {
        let folder = root.path().join(configuration.number.to_string());
        std::fs::create_dir_all(&folder).expect("a folder for the configuration");
        sync();
        let disk = disk_reference(root.path(), scale.total_bytes());
        let report = run(&scale, configuration, &folder, disk);
        report.print(&scale);
        reports.push(report);
    }
    sync();
    let disk_after = disk_reference(root.path(), scale.total_bytes());
    print_table(&scale, &reports, disk_after, root.path());
    println!(
        "whole run {:.1} s (setup, ingest and dd of every configuration)",
        started.elapsed().as_secs_f64()
    );
    if !measuring {
        for report in &reports {
            let name = report.configuration.name();
            assert_eq!(
                report.error_count(),
                0,
                "the smoke run of {name} had errors"
            );
            assert_eq!(
                report.committed, scale.institutions,
                "every commit answered on {name}"
            );
        }
    }
    drop(root);
}

// ---------------------------------------------------------------------------------------------
// Scale and configurations

struct Scale {
    institutions: usize,
    pollers: usize,
    blobs: usize,
    blob_size: usize,
    chunk: usize,
    timeout: Duration,
    /// Each poller's pause between polls (zero: flat out, every poller as fast as it can).
    poll_every: Duration,
}

impl Scale {
    fn from_env(measuring: bool) -> Self {
        let (institutions, mb, pollers, chunk_kib) = if measuring {
            (200, 10.0, 50, 1024)
        } else {
            (3, 0.3, 2, 64)
        };
        let institutions = env_or("WAYMARK_BENCH_INSTITUTIONS", institutions).max(1);
        let mb: f64 = env_or("WAYMARK_BENCH_MB", mb);
        let blobs = env_or("WAYMARK_BENCH_BLOBS", 4usize).max(1);
        let per_institution = (mb.max(0.0) * 1e6) as usize;
        Self {
            institutions,
            pollers: env_or("WAYMARK_BENCH_POLLERS", pollers),
            blobs,
            blob_size: (per_institution / blobs).max(TAIL),
            chunk: env_or("WAYMARK_BENCH_CHUNK_KIB", chunk_kib).max(1) * 1024,
            timeout: Duration::from_secs(env_or("WAYMARK_BENCH_TIMEOUT_S", 900)),
            poll_every: Duration::from_millis(env_or("WAYMARK_BENCH_POLL_MS", 0)),
        }
    }

    fn total_bytes(&self) -> u64 {
        (self.institutions * self.blobs * self.blob_size) as u64
    }
}

/// Which stores a configuration runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Stores {
    /// SQLite and files in the data folder.
    Embedded,
    /// PostgreSQL and an S3 bucket.
    PostgresS3,
}

/// One of the bench's configurations.
#[derive(Clone, Copy, Debug)]
struct Configuration {
    /// 1, 2 or 3, as in the module's documentation.
    number: usize,
    stores: Stores,
    instances: usize,
}

const CONFIGURATIONS: [Configuration; 3] = [
    Configuration {
        number: 1,
        stores: Stores::Embedded,
        instances: 1,
    },
    Configuration {
        number: 2,
        stores: Stores::PostgresS3,
        instances: 1,
    },
    Configuration {
        number: 3,
        stores: Stores::PostgresS3,
        instances: 2,
    },
];

impl Configuration {
    /// All three, or those `WAYMARK_BENCH_CONFIGURATIONS` names (`1,3`).
    fn from_env() -> Vec<Self> {
        let Ok(list) = std::env::var("WAYMARK_BENCH_CONFIGURATIONS") else {
            return CONFIGURATIONS.to_vec();
        };
        let chosen: Vec<Self> = list
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| {
                s.parse::<usize>()
                    .ok()
                    .and_then(|n| CONFIGURATIONS.iter().find(|c| c.number == n))
                    .copied()
                    .unwrap_or_else(|| {
                        panic!("WAYMARK_BENCH_CONFIGURATIONS={list:?}: expected numbers 1 to 3")
                    })
            })
            .collect();
        assert!(
            !chosen.is_empty(),
            "WAYMARK_BENCH_CONFIGURATIONS={list:?} names no configuration"
        );
        chosen
    }

    fn name(&self) -> String {
        let stores = match self.stores {
            Stores::Embedded => "SQLite + files",
            Stores::PostgresS3 => "PostgreSQL + S3",
        };
        match self.instances {
            1 => format!("({}) 1 instance, {stores}", self.number),
            n => format!(
                "({}) {n} instances, {stores}, round robin per request",
                self.number
            ),
        }
    }
}

/// A database on the durable PostgreSQL cluster and a bucket on the S3 server, for one
/// configuration.
struct SharedStores {
    database: PgDatabase,
    bucket: String,
}

impl SharedStores {
    fn new() -> Self {
        Self {
            database: durable_cluster().database(),
            bucket: s3().bucket(),
        }
    }

    /// The `[storage]` section naming them (as the tests' `SharedStores::storage_toml`).
    fn storage_toml(&self) -> String {
        let s3 = s3();
        format!(
            "[storage]\nmetadata = \"postgres\"\nblobs = \"s3\"\n\n[storage.postgres]\nurl = \"{}\"\npool_size = {PG_POOL_SIZE}\n\n[storage.s3]\nbucket = \"{}\"\nendpoint = \"{}\"\nregion = \"{}\"\nallow_http = true\npath_style = true\naccess_key_id = \"{}\"\nsecret_access_key = \"{}\"\n",
            self.database.url(),
            self.bucket,
            s3.endpoint(),
            s3.region(),
            s3.access_key(),
            s3.secret_key()
        )
    }

    fn bucket_dir(&self) -> PathBuf {
        s3().root().join(&self.bucket)
    }

    /// The database's size on disk (`pg_database_size`).
    fn database_bytes(&self) -> u64 {
        self.database
            .psql("SELECT pg_database_size(current_database())")
            .trim()
            .parse()
            .unwrap_or(0)
    }
}

// ---------------------------------------------------------------------------------------------
// The server processes

struct Server {
    child: Option<Child>,
    pid: u32,
    url: String,
    log: PathBuf,
}

/// Environment variables that would change the served configuration under us, or send the
/// server's S3 requests to a proxy rather than to the loopback server.
const SERVER_ENV: [&str; 13] = [
    "WAYMARK_SERVER_DATA_DIR",
    "WAYMARK_SERVER_LISTEN",
    "WAYMARK_SERVER_PUBLIC_URL",
    "WAYMARK_SERVER_LOG_FORMAT",
    "WAYMARK_SERVER_LOG_LEVEL",
    "WAYMARK_SERVER_TLS_CERT",
    "WAYMARK_SERVER_TLS_KEY",
    "WAYMARK_SERVER_POSTGRES_URL",
    "WAYMARK_SERVER_S3_BUCKET",
    "HTTP_PROXY",
    "http_proxy",
    "ALL_PROXY",
    "all_proxy",
];

fn server_command() -> Command {
    let mut command = Command::new(SERVER_BIN);
    for name in SERVER_ENV {
        command.env_remove(name);
    }
    command.stdin(Stdio::null());
    command
}

/// A free loopback port.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free loopback port")
        .port()
}

/// Points the data folder's `server.toml` at `port` and raises its rate limits.
fn configure(data: &Path, port: u16) {
    let mut config = Config::load_with_env(data, |_| None).expect("read server.toml");
    config.listen = std::net::SocketAddr::from(([127, 0, 0, 1], port));
    config.public_url = format!("http://127.0.0.1:{port}");
    config.rate.per_token_per_minute = RAISED_PER_TOKEN_PER_MINUTE;
    config.rate.enrollments_per_address_per_hour = RAISED_ENROLMENTS_PER_HOUR;
    std::fs::write(
        data.join(CONFIG_FILE),
        toml::to_string_pretty(&config).expect("server.toml as TOML"),
    )
    .expect("write server.toml");
}

impl Server {
    /// `init` a data folder `root/data` (on the stores `storage` names, when given: written
    /// to its `server.toml` first), raise its rate limits, and start `serve` on it. Returns
    /// the server and the administrator token.
    fn init(root: &Path, storage: Option<&str>) -> (Self, String) {
        let data = root.join("data");
        std::fs::create_dir_all(&data).expect("create the data folder");
        if let Some(toml) = storage {
            std::fs::write(data.join(CONFIG_FILE), toml).expect("write server.toml");
        }
        let port = free_port();
        let url = format!("http://127.0.0.1:{port}");
        let out = server_command()
            .arg("init")
            .arg("--data-dir")
            .arg(&data)
            .args([
                "--awarding-body",
                "Bench Awarding Body",
                "--public-url",
                &url,
            ])
            .args(["--listen", &format!("127.0.0.1:{port}")])
            .arg("--identity-out")
            .arg(root.join("board.age"))
            .output()
            .expect("run waymark-server init");
        assert!(
            out.status.success(),
            "waymark-server init failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let stdout = String::from_utf8_lossy(&out.stdout);
        let admin_token = stdout
            .lines()
            .skip_while(|l| !l.starts_with("administrator token"))
            .nth(1)
            .expect("the administrator token in init's output")
            .trim()
            .to_owned();
        configure(&data, port);
        (
            Self::serve(&data, port, &root.join("server-a.log")),
            admin_token,
        )
    }

    /// Another instance of `first`'s endpoint: a data folder `root/data-<name>` holding copies
    /// of its `server.toml` and `keys/signing.key` (what an operator copies to a second
    /// machine), served on a port of its own.
    fn another(first: &Path, root: &Path, name: char) -> Self {
        let data = root.join(format!("data-{name}"));
        for file in [CONFIG_FILE, SIGNING_KEY_FILE] {
            let to = data.join(file);
            std::fs::create_dir_all(to.parent().expect("a folder")).expect("create the folder");
            std::fs::copy(first.join(file), to).expect("copy the first instance's file");
        }
        let port = free_port();
        configure(&data, port);
        Self::serve(&data, port, &root.join(format!("server-{name}.log")))
    }

    fn serve(data: &Path, port: u16, log: &Path) -> Self {
        let log_file = std::fs::File::create(log).expect("create the server's log");
        let child = server_command()
            .arg("serve")
            .arg("--data-dir")
            .arg(data)
            .stdout(log_file.try_clone().expect("the server's log"))
            .stderr(log_file)
            .spawn()
            .expect("start waymark-server serve");
        Self {
            pid: child.id(),
            child: Some(child),
            url: format!("http://127.0.0.1:{port}"),
            log: log.to_owned(),
        }
    }

    async fn wait_ready(&mut self, http: &reqwest::Client) {
        for _ in 0..300 {
            if let Ok(resp) = http.get(format!("{}/ready", self.url)).send().await
                && resp.status().is_success()
            {
                return;
            }
            if let Some(status) = self
                .child
                .as_mut()
                .and_then(|c| c.try_wait().ok().flatten())
            {
                panic!("the server exited ({status}): {}", self.log_tail());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("the server never answered /ready: {}", self.log_tail());
    }

    fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(20)..].join("\n")
    }

    /// The lines of its log at WARN or ERROR (the server logs text: the level is the second
    /// field), grouped by what they say (the part after the request's span, digits aside):
    /// how many of each, and the first of each, most frequent first.
    fn log_problems(&self) -> Vec<(usize, String)> {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let mut kinds: BTreeMap<String, (usize, String)> = BTreeMap::new();
        for line in text.lines().filter(|l| {
            l.split_whitespace()
                .take(3)
                .any(|w| w.contains("WARN") || w.contains("ERROR"))
        }) {
            let said = line.rsplit_once("}: ").map_or(line, |(_, said)| said);
            let key: String = said
                .chars()
                .map(|c| if c.is_ascii_digit() { '0' } else { c })
                .collect();
            kinds
                .entry(key)
                .or_insert_with(|| (0, line.chars().take(400).collect()))
                .0 += 1;
        }
        let mut kinds: Vec<(usize, String)> = kinds.into_values().collect();
        kinds.sort_by_key(|k| std::cmp::Reverse(k.0));
        kinds
    }

    /// SIGTERM (a graceful drain), then SIGKILL after 20 s. True when it exited cleanly.
    fn stop(&mut self) -> bool {
        let Some(mut child) = self.child.take() else {
            return true;
        };
        let _ = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status();
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(20) {
            if let Ok(Some(status)) = child.try_wait() {
                return status.success();
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = child.kill();
        let _ = child.wait();
        false
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Where each request goes: the next instance in turn, one counter for every request of the
/// client (uploaders and pollers alike), as a round-robin load balancer without stickiness.
struct Balancer {
    urls: Vec<String>,
    next: AtomicUsize,
}

impl Balancer {
    fn new(urls: Vec<String>) -> Self {
        Self {
            urls,
            next: AtomicUsize::new(0),
        }
    }

    /// The base URL of the instance the next request goes to.
    fn url(&self) -> &str {
        let i = self.next.fetch_add(1, Ordering::Relaxed);
        &self.urls[i % self.urls.len()]
    }
}

// ---------------------------------------------------------------------------------------------
// Measuring processes

/// A `kB` field of `/proc/<pid>/status` (VmRSS, VmHWM), in bytes.
fn proc_status_bytes(pid: u32, field: &str) -> Option<u64> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = text.lines().find(|l| l.starts_with(field))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// The fields of `/proc/<process>/stat` after the command name, as numbers (the state, [0],
/// reads 0): the parent's pid is [1], utime [11], stime [12], cutime [13], cstime [14].
fn stat_fields(process: &str) -> Option<Vec<u64>> {
    let text = std::fs::read_to_string(format!("/proc/{process}/stat")).ok()?;
    let rest = &text[text.rfind(')')? + 1..];
    Some(
        rest.split_whitespace()
            .map(|f| f.parse().unwrap_or(0))
            .collect(),
    )
}

fn ticks_to_time(ticks: u64, ticks_per_second: f64) -> Duration {
    Duration::from_secs_f64(ticks as f64 / ticks_per_second)
}

/// User + system CPU time of a process (`self` or a pid), from `/proc/<it>/stat`.
fn cpu_time(process: &str, ticks_per_second: f64) -> Option<Duration> {
    let f = stat_fields(process)?;
    Some(ticks_to_time(f.get(11)? + f.get(12)?, ticks_per_second))
}

/// User + system CPU time of a process and everything it started: its own, that of its
/// children that have exited (cutime, cstime) and that of its living children. What a
/// PostgreSQL postmaster and its backends and background workers used.
fn tree_cpu_time(pid: u32, ticks_per_second: f64) -> Option<Duration> {
    let own = stat_fields(&pid.to_string())?;
    let mut ticks = own.get(11)? + own.get(12)? + own.get(13)? + own.get(14)?;
    for entry in std::fs::read_dir("/proc").ok()?.flatten() {
        let name = entry.file_name();
        let Some(name) = name
            .to_str()
            .filter(|n| n.bytes().all(|b| b.is_ascii_digit()))
        else {
            continue;
        };
        if let Some(f) = stat_fields(name)
            && f.get(1) == Some(&u64::from(pid))
        {
            ticks += f.get(11).unwrap_or(&0) + f.get(12).unwrap_or(&0);
        }
    }
    Some(ticks_to_time(ticks, ticks_per_second))
}

/// The machine's busy CPU time so far, all cores (`/proc/stat`: user, nice, system, irq,
/// softirq, steal).
fn machine_busy(ticks_per_second: f64) -> Option<Duration> {
    let text = std::fs::read_to_string("/proc/stat").ok()?;
    let fields: Vec<u64> = text
        .lines()
        .next()?
        .split_whitespace()
        .skip(1)
        .map(|f| f.parse().unwrap_or(0))
        .collect();
    let busy = fields.first()?
        + fields.get(1)?
        + fields.get(2)?
        + fields.get(5)?
        + fields.get(6)?
        + fields.get(7)?;
    Some(ticks_to_time(busy, ticks_per_second))
}

/// The file system type and device `dir` is on, as `df` says.
fn file_system(dir: &Path) -> String {
    Command::new("df")
        .args(["--output=fstype,source"])
        .arg(dir)
        .output()
        .ok()
        .and_then(|o| {
            String::from_utf8_lossy(&o.stdout)
                .lines()
                .nth(1)
                .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" on "))
        })
        .unwrap_or_else(|| "?".into())
}

/// Writes every dirty page to the disk (`sync`), so what one configuration left in the page
/// cache does not slow the next one's measurement.
fn sync() {
    let _ = Command::new("sync").status();
}

/// The disk's own sequential write of `bytes` into `dir`: `dd if=/dev/zero bs=1M conv=fsync`
/// (std::fs with `sync_all` where there is no dd). Returns what was run and bytes per second.
fn disk_reference(dir: &Path, bytes: u64) -> (&'static str, f64) {
    let path = dir.join("dd.bin");
    let mib = bytes.div_ceil(1 << 20).max(1);
    let written = (mib << 20) as f64;
    let start = Instant::now();
    let dd = Command::new("dd")
        .arg("if=/dev/zero")
        .arg(format!("of={}", path.display()))
        .args([
            "bs=1M",
            &format!("count={mib}"),
            "conv=fsync",
            "status=none",
        ])
        .status();
    let result = if dd.is_ok_and(|s| s.success()) {
        (
            "dd bs=1M conv=fsync",
            written / start.elapsed().as_secs_f64(),
        )
    } else {
        use std::io::Write as _;
        let block = vec![0x5au8; 1 << 20];
        let start = Instant::now();
        let mut file = std::fs::File::create(&path).expect("create the reference file");
        for _ in 0..mib {
            file.write_all(&block).expect("write the reference file");
        }
        file.sync_all().expect("sync the reference file");
        (
            "std::fs write + sync_all",
            written / start.elapsed().as_secs_f64(),
        )
    };
    let _ = std::fs::remove_file(&path);
    result
}

// ---------------------------------------------------------------------------------------------
// The blobs

/// One blob's bytes, chunks and hashes, for any institution: the same random body, its own
/// last [`TAIL`] bytes. Hash states over the shared parts are kept, so a blob's SHA-256 and
/// its chunks' checksums cost a clone and 16 bytes each.
struct Plan {
    base: Bytes,
    tail_start: usize,
    /// SHA-256 state over `base[..tail_start]`.
    whole_prefix: sha2::Sha256,
    chunks: Vec<PlanChunk>,
}

struct PlanChunk {
    start: usize,
    end: usize,
    hash: ChunkHash,
}

enum ChunkHash {
    /// A chunk every blob shares, hashed once.
    Shared([u8; 32]),
    /// A chunk with tail bytes: the state over its shared part.
    Tail(sha2::Sha256),
}

/// Deterministic pseudo-random bytes (xorshift), so nothing compresses.
fn fill(buf: &mut [u8], mut seed: u64) {
    for chunk in buf.chunks_mut(8) {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        chunk.copy_from_slice(&seed.to_le_bytes()[..chunk.len()]);
    }
}

impl Plan {
    fn new(size: usize, chunk: usize) -> Self {
        let size = size.max(TAIL);
        let mut base = vec![0u8; size];
        fill(&mut base, u64::from_le_bytes(random_bytes::<8>()) | 1);
        let tail_start = size - TAIL;
        let mut whole_prefix = sha2::Sha256::new();
        whole_prefix.update(&base[..tail_start]);
        let chunks = (0..size)
            .step_by(chunk)
            .map(|start| {
                let end = (start + chunk).min(size);
                let hash = if end <= tail_start {
                    ChunkHash::Shared(sha2::Sha256::digest(&base[start..end]).into())
                } else {
                    let mut state = sha2::Sha256::new();
                    state.update(&base[start..start.max(tail_start)]);
                    ChunkHash::Tail(state)
                };
                PlanChunk { start, end, hash }
            })
            .collect();
        Self {
            base: Bytes::from(base),
            tail_start,
            whole_prefix,
            chunks,
        }
    }

    fn size(&self) -> u64 {
        self.base.len() as u64
    }

    fn tail(institution: usize, blob: usize) -> [u8; TAIL] {
        let mut tail = [0u8; TAIL];
        tail[..8].copy_from_slice(&(institution as u64).to_le_bytes());
        tail[8..].copy_from_slice(&(blob as u64).to_le_bytes());
        tail
    }

    fn blob(&self, tail: &[u8; TAIL]) -> BlobRef {
        let mut state = self.whole_prefix.clone();
        state.update(tail);
        BlobRef {
            sha256: Sha256(state.finalize().into()),
            size: self.size(),
        }
    }

    /// Chunk `k` of the blob with this tail: its bytes (shared where it can be) and SHA-256.
    fn chunk(&self, k: usize, tail: &[u8; TAIL]) -> (Bytes, [u8; 32]) {
        let c = &self.chunks[k];
        match &c.hash {
            ChunkHash::Shared(hash) => (self.base.slice(c.start..c.end), *hash),
            ChunkHash::Tail(state) => {
                let from = c.start.max(self.tail_start);
                let own = &tail[from - self.tail_start..c.end - self.tail_start];
                let mut bytes = Vec::with_capacity(c.end - c.start);
                bytes.extend_from_slice(&self.base[c.start..from]);
                bytes.extend_from_slice(own);
                let mut state = state.clone();
                state.update(own);
                (Bytes::from(bytes), state.finalize().into())
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Talking to the server

fn client() -> reqwest::Client {
    // In a whole-workspace build reqwest also has the assessor tool's `rustls-no-provider`
    // feature (features unify) and refuses to build a client until a provider is installed.
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .no_proxy()
        .tcp_nodelay(true)
        .timeout(Duration::from_secs(120))
        .build()
        .expect("an HTTP client")
}

/// What went wrong, counted by kind (`PATCH 500`, `status transport`…) with the first message.
#[derive(Default)]
struct Errors(Mutex<BTreeMap<String, (u64, String)>>);

impl Errors {
    fn add(&self, kind: String, message: String) {
        let mut map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        map.entry(kind).or_insert((0, message)).0 += 1;
    }

    fn total(&self) -> u64 {
        let map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        map.values().map(|(n, _)| n).sum()
    }

    fn lines(&self) -> Vec<String> {
        let map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        map.iter()
            .map(|(kind, (n, first))| format!("{n} × {kind}: {first}"))
            .collect()
    }
}

/// Sends, expects `want`, returns the response (its body unread) or records the failure.
async fn send(
    req: reqwest::RequestBuilder,
    what: &str,
    want: u16,
    errors: &Errors,
) -> Result<reqwest::Response, ()> {
    let started = Instant::now();
    judge(req.send().await, started, what, want, errors).await
}

/// A response with status `want`, or the error recorded (what, status or transport failure).
async fn judge(
    result: reqwest::Result<reqwest::Response>,
    started: Instant,
    what: &str,
    want: u16,
    errors: &Errors,
) -> Result<reqwest::Response, ()> {
    match result {
        Ok(resp) if resp.status().as_u16() == want => Ok(resp),
        Ok(resp) => {
            let status = resp.status().as_u16();
            let body = resp.text().await.unwrap_or_default();
            errors.add(format!("{what} {status}"), body.chars().take(200).collect());
            Err(())
        }
        Err(e) => {
            errors.add(format!("{what} transport"), failure(&e, started));
            Err(())
        }
    }
}

/// A transport error with its causes (reqwest's own text names none) and when it came.
fn failure(e: &reqwest::Error, started: Instant) -> String {
    let mut text = e.to_string();
    let mut next = std::error::Error::source(e);
    while let Some(cause) = next {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        next = cause.source();
    }
    format!("{text} (after {:.1} s)", started.elapsed().as_secs_f64())
}

async fn json_of<T: DeserializeOwned>(
    resp: reqwest::Response,
    what: &str,
    errors: &Errors,
) -> Result<T, ()> {
    let text = match resp.text().await {
        Ok(text) => text,
        Err(e) => {
            errors.add(format!("{what} body"), e.to_string());
            return Err(());
        }
    };
    serde_json::from_str(&text).map_err(|e| errors.add(format!("{what} json"), e.to_string()))
}

struct School {
    id: InstitutionId,
    token: String,
    key: SecretKey,
}

/// Registers institution `i` through the admin API and enrols it.
async fn enrol(
    http: &reqwest::Client,
    lb: &Balancer,
    admin_token: &str,
    i: usize,
    errors: &Errors,
) -> Result<School, ()> {
    let req = http
        .post(format!("{}/v1/admin/institutions", lb.url()))
        .bearer_auth(admin_token)
        .json(&json!({"name": format!("Bench School {i}"), "identifier": format!("urn:bench:school:{i}")}));
    let issued: IssuedCode = json_of(
        send(req, "register", 200, errors).await?,
        "register",
        errors,
    )
    .await?;
    let code = EnrollmentCode::parse(&issued.code)
        .map_err(|e| errors.add("code".into(), e.to_string()))?;
    let key = SecretKey::generate();
    let req = http
        .post(format!("{}/v1/enrollments/redeem", lb.url()))
        .json(&RedeemRequest {
            secret: code.secret,
            public_key: Some(key.public()),
            age_recipient: None,
            device: Some("ingest bench".into()),
        });
    let redeemed: RedeemResponse =
        json_of(send(req, "redeem", 200, errors).await?, "redeem", errors).await?;
    let Account::Institution(info) = redeemed.account else {
        errors.add("redeem account".into(), "not an institution".into());
        return Err(());
    };
    Ok(School {
        id: info.id,
        token: redeemed.token,
        key,
    })
}

/// Latencies of one uploader's requests.
#[derive(Default)]
struct UploadTimes {
    create: Vec<Duration>,
    patch: Vec<Duration>,
    /// The last PATCH of each blob (also in `patch`): the one that checks the whole blob's
    /// SHA-256, from the running hash or, when this instance lacks it, by reading it back.
    last_patch: Vec<Duration>,
    commit: Vec<Duration>,
    /// PATCHes answered 503 `unavailable` (no chunk slot within `limits.chunk_wait_seconds`)
    /// and sent again after `Retry-After`, as the school's client does.
    busy: u64,
    bytes: u64,
    committed: bool,
}

/// Uploads one blob with tus (create, then every chunk with its checksum), each request to
/// the instance the balancer names.
async fn upload_blob(
    http: &reqwest::Client,
    lb: &Balancer,
    token: &str,
    plan: &Plan,
    tail: &[u8; TAIL],
    times: &mut UploadTimes,
    errors: &Errors,
) -> Result<BlobRef, ()> {
    let blob = plan.blob(tail);
    let t = Instant::now();
    let req = http
        .post(format!("{}/v1/uploads", lb.url()))
        .bearer_auth(token)
        .header("Tus-Resumable", "1.0.0")
        .header("Upload-Length", blob.size.to_string())
        .header(
            "Upload-Metadata",
            format!("sha256 {}", encode_base64(blob.sha256.to_hex().as_bytes())),
        );
    let resp = send(req, "create", 201, errors).await?;
    let Some(location) = resp
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
    else {
        errors.add("create location".into(), "no Location header".into());
        return Err(());
    };
    let _ = resp.bytes().await;
    times.create.push(t.elapsed());
    for k in 0..plan.chunks.len() {
        let (bytes, hash) = plan.chunk(k, tail);
        let (start, end) = (plan.chunks[k].start, plan.chunks[k].end);
        let t = Instant::now();
        let req = http
            .patch(format!("{}{location}", lb.url()))
            .bearer_auth(token)
            .header("Tus-Resumable", "1.0.0")
            .header("Upload-Offset", start.to_string())
            .header("Content-Type", OCTETS)
            .header(
                "Upload-Checksum",
                format!("sha256 {}", encode_base64(&hash)),
            )
            .body(bytes);
        // A 503 (every chunk slot taken for `limits.chunk_wait_seconds`) is sent again after
        // its Retry-After, a bounded number of times, as the school's client retries it.
        let mut tries = 0;
        let resp = loop {
            let attempt = req
                .try_clone()
                .expect("a request with a Bytes body can be cloned");
            let started = Instant::now();
            match attempt.send().await {
                Ok(resp) if resp.status().as_u16() == 503 && tries < BUSY_RETRIES => {
                    let wait = resp
                        .headers()
                        .get("retry-after")
                        .and_then(|v| v.to_str().ok())
                        .and_then(|v| v.parse::<u64>().ok())
                        .unwrap_or(1);
                    let _ = resp.bytes().await;
                    tries += 1;
                    times.busy += 1;
                    tokio::time::sleep(Duration::from_secs(wait)).await;
                }
                other => break judge(other, started, "PATCH", 204, errors).await?,
            }
        };
        let offset = resp
            .headers()
            .get("upload-offset")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok());
        let _ = resp.bytes().await;
        if offset != Some(end) {
            errors.add(
                "PATCH offset".into(),
                format!("Upload-Offset {offset:?} after a chunk ending at {end}"),
            );
            return Err(());
        }
        let took = t.elapsed();
        times.patch.push(took);
        if k + 1 == plan.chunks.len() {
            times.last_patch.push(took);
        }
        times.bytes += (end - start) as u64;
    }
    Ok(blob)
}

/// Commits a signed envelope listing `blobs` (the first is the manifest).
async fn commit(
    http: &reqwest::Client,
    lb: &Balancer,
    school: &School,
    key_set: &Fingerprint,
    blobs: &[BlobRef],
    errors: &Errors,
) -> Result<SubmissionId, ()> {
    let envelope = Envelope {
        format: ENVELOPE_FORMAT,
        institution: school.id,
        framework: FrameworkRef {
            id: "computing-quality".into(),
            version: "2.0".into(),
        },
        award: "quality-mark".into(),
        created_at: chrono::Utc::now(),
        nonce: Envelope::new_nonce(),
        responds_to: None,
        key_set: key_set.clone(),
        manifest: blobs[0],
        blobs: blobs[1..].to_vec(),
    };
    let req = http
        .post(format!("{}/v1/submissions", lb.url()))
        .bearer_auth(&school.token)
        .json(&CommitRequest {
            envelope: envelope.sign(&school.key),
        });
    let done: CommitResponse =
        json_of(send(req, "commit", 201, errors).await?, "commit", errors).await?;
    Ok(done.submission)
}

/// What every uploader shares.
struct Ingest {
    http: reqwest::Client,
    lb: Arc<Balancer>,
    blobs: usize,
    plan: Plan,
    key_set: Fingerprint,
    errors: Arc<Errors>,
}

/// One institution's whole ingest: its blobs one after the other, then the commit.
async fn ingest_one(ingest: Arc<Ingest>, school: School, index: usize) -> UploadTimes {
    let Ingest {
        http,
        lb,
        blobs,
        plan,
        key_set,
        errors,
    } = &*ingest;
    let mut times = UploadTimes::default();
    let mut refs = Vec::with_capacity(*blobs);
    for j in 0..*blobs {
        let tail = Plan::tail(index, j);
        match upload_blob(http, lb, &school.token, plan, &tail, &mut times, errors).await {
            Ok(blob) => refs.push(blob),
            Err(()) => return times,
        }
    }
    let t = Instant::now();
    if commit(http, lb, &school, key_set, &refs, errors)
        .await
        .is_ok()
    {
        times.commit.push(t.elapsed());
        times.committed = true;
    }
    times
}

/// One status answer.
struct Sample {
    latency: Duration,
    not_modified: bool,
}

/// When a poller stops, and how long it waits between polls.
#[derive(Clone, Copy)]
struct Pace {
    deadline: Instant,
    every: Duration,
}

/// Polls one submission until `done` (or the deadline), every other request conditional,
/// each to the instance the balancer names.
async fn poll(
    http: reqwest::Client,
    lb: Arc<Balancer>,
    token: String,
    submission: SubmissionId,
    done: Arc<AtomicBool>,
    errors: Arc<Errors>,
    Pace { deadline, every }: Pace,
) -> Vec<Sample> {
    let mut etag: Option<String> = None;
    let mut samples = Vec::new();
    let mut n: u64 = 0;
    while !done.load(Ordering::Relaxed) && Instant::now() < deadline {
        let mut req = http
            .get(format!("{}/v1/submissions/{submission}", lb.url()))
            .bearer_auth(&token);
        if n % 2 == 1
            && let Some(tag) = &etag
        {
            req = req.header("If-None-Match", tag);
        }
        n += 1;
        let t = Instant::now();
        match req.send().await {
            Ok(resp) => {
                let status = resp.status().as_u16();
                if let Some(tag) = resp.headers().get("etag").and_then(|v| v.to_str().ok()) {
                    etag = Some(tag.to_owned());
                }
                let body = resp.bytes().await;
                let latency = t.elapsed();
                match (status, body) {
                    (200..=399, Ok(_)) => samples.push(Sample {
                        latency,
                        not_modified: status == 304,
                    }),
                    (_, Ok(body)) => errors.add(
                        format!("status {status}"),
                        String::from_utf8_lossy(&body).chars().take(200).collect(),
                    ),
                    (_, Err(e)) => errors.add("status body".into(), e.to_string()),
                }
            }
            Err(e) => {
                errors.add("status transport".into(), failure(&e, t));
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        }
        if !every.is_zero() {
            tokio::time::sleep_until((t + every).into()).await;
        }
    }
    samples
}

// ---------------------------------------------------------------------------------------------
// The run

/// One instance's figures.
struct InstanceFigures {
    rss_before: Option<u64>,
    rss_peak: Option<u64>,
    cpu: Option<Duration>,
    clean_exit: bool,
    /// WARN and ERROR lines in its log, by kind: how many, the first.
    log_problems: Vec<(usize, String)>,
}

struct Report {
    configuration: Configuration,
    load_before: String,
    load_after: String,
    setup: Duration,
    wall: Duration,
    bytes: u64,
    committed: usize,
    /// `dd` just before this configuration ran.
    disk: (&'static str, f64),
    create: Vec<Duration>,
    patch: Vec<Duration>,
    last_patch: Vec<Duration>,
    commit: Vec<Duration>,
    /// PATCHes answered 503 and sent again (see [`UploadTimes::busy`]).
    busy: u64,
    full: Vec<Duration>,
    not_modified: Vec<Duration>,
    errors: Arc<Errors>,
    /// Failures while enrolling and making the pollers' submissions (those institutions were
    /// left out of the load).
    setup_errors: Arc<Errors>,
    /// The pollers that took part.
    pollers: usize,
    instances: Vec<InstanceFigures>,
    postgres_cpu: Option<Duration>,
    s3_cpu: Option<Duration>,
    client_cpu: Option<Duration>,
    /// The whole machine's busy CPU time during the ingest (ours, the kernel's, anyone's).
    machine_cpu: Option<Duration>,
    /// What the stores held after the ingest.
    stored: String,
}

/// The difference of two readings of a CPU time.
fn spent(after: Option<Duration>, before: Option<Duration>) -> Option<Duration> {
    after.zip(before).map(|(a, b)| a.saturating_sub(b))
}

fn run(
    scale: &Scale,
    configuration: Configuration,
    folder: &Path,
    disk: (&'static str, f64),
) -> Report {
    let errors = Arc::new(Errors::default());
    let ticks = clock_ticks();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let http = client();
    let shared = (configuration.stores == Stores::PostgresS3).then(SharedStores::new);
    let postgres_pid = shared.as_ref().and_then(|_| durable_cluster().server_pid());
    let s3_pid = shared.as_ref().and_then(|_| s3().server_pid());
    let setup_started = Instant::now();
    let storage = shared.as_ref().map(SharedStores::storage_toml);
    let (first, admin_token) = Server::init(folder, storage.as_deref());
    let mut servers = vec![first];
    for k in 1..configuration.instances {
        let name = char::from(b'a' + (k % 26) as u8);
        servers.push(Server::another(&folder.join("data"), folder, name));
    }
    let lb = Arc::new(Balancer::new(
        servers.iter().map(|s| s.url.clone()).collect(),
    ));

    // Setup: every institution enrolled; each poller's institution commits a small submission.
    // What fails here is counted (`setup_errors`) and its institution left out of the load.
    let setup_errors = Arc::new(Errors::default());
    let (uploaders, pollers, key_set) = runtime.block_on(async {
        let errors = &setup_errors;
        for server in &mut servers {
            server.wait_ready(&http).await;
        }
        let resp = send(
            http.get(format!("{}/v1/key-sets", lb.url())),
            "key-sets",
            200,
            errors,
        )
        .await
        .expect("the key sets");
        let sets: KeySets = json_of(resp, "key-sets", errors).await.expect("key sets");
        let key_set = sets.key_sets.last().expect("a key set").fingerprint();
        let schools: Vec<Result<School, ()>> =
            futures::stream::iter(0..scale.institutions + scale.pollers)
                .map(|i| enrol(&http, &lb, &admin_token, i, errors))
                .buffered(SETUP_CONCURRENCY)
                .collect()
                .await;
        let mut schools = schools;
        let poll_schools: Vec<School> = schools
            .split_off(scale.institutions)
            .into_iter()
            .flatten()
            .collect();
        let schools: Vec<School> = schools.into_iter().flatten().collect();
        let small = Plan::new(1000, scale.chunk);
        let pollers: Vec<Result<(School, SubmissionId), ()>> =
            futures::stream::iter(poll_schools.into_iter().enumerate())
                .map(|(i, school)| {
                    let (http, lb, small, key_set) = (&http, &lb, &small, &key_set);
                    async move {
                        let mut times = UploadTimes::default();
                        let tail = Plan::tail(usize::MAX - i, 0);
                        let blob =
                            upload_blob(http, lb, &school.token, small, &tail, &mut times, errors)
                                .await?;
                        let id = commit(http, lb, &school, key_set, &[blob], errors).await?;
                        Ok((school, id))
                    }
                })
                .buffered(SETUP_CONCURRENCY)
                .collect()
                .await;
        let pollers: Vec<(School, SubmissionId)> = pollers.into_iter().flatten().collect();
        (schools, pollers, key_set)
    });
    let setup = setup_started.elapsed();
    let ingest = Arc::new(Ingest {
        http: http.clone(),
        lb: lb.clone(),
        blobs: scale.blobs,
        plan: Plan::new(scale.blob_size, scale.chunk),
        key_set,
        errors: errors.clone(),
    });

    // The load.
    let load_before = load_average();
    let rss_before: Vec<Option<u64>> = servers
        .iter()
        .map(|s| proc_status_bytes(s.pid, "VmRSS:"))
        .collect();
    let poller_count = pollers.len();
    let done = Arc::new(AtomicBool::new(false));
    let go = Arc::new(Barrier::new(2));
    let deadline = Instant::now() + scale.timeout + Duration::from_secs(60);
    let poller_thread = {
        let (lb, done, go, errors) = (lb.clone(), done.clone(), go.clone(), errors.clone());
        let every = scale.poll_every;
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("the pollers' runtime");
            let http = client();
            runtime.block_on(async {
                // One request each to every instance first, so connections are open when
                // timing starts.
                for (school, id) in &pollers {
                    for url in &lb.urls {
                        let warm = http
                            .get(format!("{url}/v1/submissions/{id}"))
                            .bearer_auth(&school.token)
                            .send()
                            .await;
                        if let Ok(resp) = warm {
                            let _ = resp.bytes().await;
                        }
                    }
                }
                go.wait();
                let tasks: Vec<_> = pollers
                    .into_iter()
                    .map(|(school, id)| {
                        tokio::spawn(poll(
                            http.clone(),
                            lb.clone(),
                            school.token,
                            id,
                            done.clone(),
                            errors.clone(),
                            Pace { deadline, every },
                        ))
                    })
                    .collect();
                let mut samples = Vec::new();
                for task in tasks {
                    samples.extend(task.await.expect("a poller"));
                }
                samples
            })
        })
    };
    go.wait();
    let server_cpu_before: Vec<Option<Duration>> = servers
        .iter()
        .map(|s| cpu_time(&s.pid.to_string(), ticks))
        .collect();
    let postgres_cpu_before = postgres_pid.and_then(|p| tree_cpu_time(p, ticks));
    let s3_cpu_before = s3_pid.and_then(|p| cpu_time(&p.to_string(), ticks));
    let client_cpu_before = cpu_time("self", ticks);
    let machine_before = machine_busy(ticks);
    let started = Instant::now();
    let results: Vec<UploadTimes> = runtime.block_on(async {
        let tasks: Vec<_> = uploaders
            .into_iter()
            .enumerate()
            .map(|(i, school)| tokio::spawn(ingest_one(ingest.clone(), school, i)))
            .collect();
        let aborts: Vec<_> = tasks.iter().map(|t| t.abort_handle()).collect();
        match tokio::time::timeout(scale.timeout, futures::future::join_all(tasks)).await {
            Ok(joined) => joined.into_iter().map(|r| r.unwrap_or_default()).collect(),
            Err(_) => {
                aborts.iter().for_each(|a| a.abort());
                errors.add(
                    "ingest timeout".into(),
                    format!("not done after {:?}", scale.timeout),
                );
                Vec::new()
            }
        }
    });
    let wall = started.elapsed();
    done.store(true, Ordering::Relaxed);
    let server_cpu: Vec<Option<Duration>> = servers
        .iter()
        .zip(&server_cpu_before)
        .map(|(s, before)| spent(cpu_time(&s.pid.to_string(), ticks), *before))
        .collect();
    let postgres_cpu = spent(
        postgres_pid.and_then(|p| tree_cpu_time(p, ticks)),
        postgres_cpu_before,
    );
    let s3_cpu = spent(
        s3_pid.and_then(|p| cpu_time(&p.to_string(), ticks)),
        s3_cpu_before,
    );
    let client_cpu = spent(cpu_time("self", ticks), client_cpu_before);
    let machine_cpu = spent(machine_busy(ticks), machine_before);
    let samples = poller_thread.join().expect("the pollers' thread");
    let load_after = load_average();
    let mut instances = Vec::new();
    for (k, server) in servers.iter_mut().enumerate() {
        let rss_peak = proc_status_bytes(server.pid, "VmHWM:");
        let clean_exit = server.stop();
        instances.push(InstanceFigures {
            rss_before: rss_before[k],
            rss_peak,
            cpu: server_cpu[k],
            clean_exit,
            log_problems: server.log_problems(),
        });
    }
    drop(runtime);
    let stored = match &shared {
        None => format!(
            "data folder {}",
            mb(folder_bytes(&folder.join("data")) as f64)
        ),
        Some(shared) => format!(
            "database {} + bucket {}",
            mb(shared.database_bytes() as f64),
            mb(folder_bytes(&shared.bucket_dir()) as f64)
        ),
    };
    // The next configuration starts on an empty disk (the database goes with `shared`).
    if let Some(shared) = &shared {
        let _ = std::fs::remove_dir_all(shared.bucket_dir());
    }
    let _ = std::fs::remove_dir_all(folder.join("data"));
    drop(shared);

    let mut report = Report {
        configuration,
        load_before,
        load_after,
        setup,
        wall,
        bytes: results.iter().map(|t| t.bytes).sum(),
        committed: results.iter().filter(|t| t.committed).count(),
        disk,
        create: Vec::new(),
        patch: Vec::new(),
        last_patch: Vec::new(),
        commit: Vec::new(),
        busy: results.iter().map(|t| t.busy).sum(),
        full: Vec::new(),
        not_modified: Vec::new(),
        errors,
        setup_errors,
        pollers: poller_count,
        instances,
        postgres_cpu,
        s3_cpu,
        client_cpu,
        machine_cpu,
        stored,
    };
    for t in results {
        report.create.extend(t.create);
        report.patch.extend(t.patch);
        report.last_patch.extend(t.last_patch);
        report.commit.extend(t.commit);
    }
    for s in samples {
        if s.not_modified {
            report.not_modified.push(s.latency);
        } else {
            report.full.push(s.latency);
        }
    }
    for v in [
        &mut report.create,
        &mut report.patch,
        &mut report.last_patch,
        &mut report.commit,
        &mut report.full,
        &mut report.not_modified,
    ] {
        v.sort();
    }
    report
}

// ---------------------------------------------------------------------------------------------
// The table

/// Nearest-rank percentile of sorted samples.
fn pct(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn ms(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1e3;
    if ms < 10.0 {
        format!("{ms:.1}")
    } else {
        format!("{ms:.0}")
    }
}

fn mb(bytes: f64) -> String {
    format!("{:.1} MB", bytes / 1e6)
}

fn mib(bytes: Option<u64>) -> String {
    bytes.map_or_else(
        || "?".into(),
        |b| format!("{:.0} MiB", b as f64 / (1u64 << 20) as f64),
    )
}

fn verdict(ok: bool) -> &'static str {
    if ok { "ok" } else { "MISSED" }
}

/// `p50 / p95 / p99 / max ms`.
fn p4(v: &[Duration]) -> String {
    format!(
        "{} / {} / {} / {} ms",
        ms(pct(v, 50.0)),
        ms(pct(v, 95.0)),
        ms(pct(v, 99.0)),
        ms(pct(v, 100.0))
    )
}

/// Seconds of CPU and the cores that makes over `wall`.
fn cores(cpu: Option<Duration>, wall: Duration) -> String {
    cpu.map_or_else(
        || "?".into(),
        |c| {
            format!(
                "{:.1} s ({:.2} cores)",
                c.as_secs_f64(),
                c.as_secs_f64() / wall.as_secs_f64()
            )
        },
    )
}

impl Report {
    fn error_count(&self) -> u64 {
        self.errors.total()
            + self.setup_errors.total()
            + self.instances.iter().filter(|i| !i.clean_exit).count() as u64
    }

    fn status(&self) -> Vec<Duration> {
        let mut status: Vec<Duration> = self
            .full
            .iter()
            .chain(&self.not_modified)
            .copied()
            .collect();
        status.sort();
        status
    }

    fn throughput(&self) -> f64 {
        self.bytes as f64 / self.wall.as_secs_f64()
    }

    /// Every instance's CPU time together (None if one could not be read).
    fn server_cpu(&self) -> Option<Duration> {
        self.instances.iter().map(|i| i.cpu).sum()
    }

    /// The servers', PostgreSQL's and s3s-fs's CPU time together: the endpoint's whole cost.
    fn endpoint_cpu(&self) -> Option<Duration> {
        let stores = match self.configuration.stores {
            Stores::Embedded => Some(Duration::ZERO),
            Stores::PostgresS3 => self.postgres_cpu.zip(self.s3_cpu).map(|(p, s)| p + s),
        };
        self.server_cpu().zip(stores).map(|(a, b)| a + b)
    }

    /// The configuration's own lines, printed as soon as it has run.
    fn print(&self, scale: &Scale) {
        let secs = self.wall.as_secs_f64();
        let status = self.status();
        let row = |name: &str, value: String| println!("  {name:<36} {value}");
        println!("{}", self.configuration.name());
        row(
            "setup",
            format!(
                "{:.1} s (init, enrol {}, the pollers' submissions); load average {} before, {} after",
                self.setup.as_secs_f64(),
                scale.institutions + scale.pollers,
                self.load_before,
                self.load_after
            ),
        );
        row(
            "ingest",
            format!(
                "{secs:.2} s for {}: {}/s; {} of {} committed; {} before: {}/s",
                mb(self.bytes as f64),
                mb(self.throughput()),
                self.committed,
                scale.institutions,
                self.disk.0,
                mb(self.disk.1)
            ),
        );
        row("tus create p50 / p95 / p99 / max", p4(&self.create));
        row(
            &format!("PATCH {} KiB p50 / p95 / p99 / max", scale.chunk / 1024),
            p4(&self.patch),
        );
        row("  last PATCH of a blob", p4(&self.last_patch));
        row(
            "  answered 503 and sent again",
            format!("{} (Retry-After, as the school's client does)", self.busy),
        );
        row("commit p50 / p95 / p99 / max", p4(&self.commit));
        row(
            "status polls",
            format!(
                "{} ({:.0}/s): {} full 200, {} 304",
                status.len(),
                status.len() as f64 / secs,
                self.full.len(),
                self.not_modified.len()
            ),
        );
        row(
            "status p50 / p95 / p99 / max",
            format!(
                "{} (p99 < {} ms: {})",
                p4(&status),
                STATUS_P99_TARGET.as_millis(),
                verdict(!status.is_empty() && pct(&status, 99.0) < STATUS_P99_TARGET)
            ),
        );
        row("  of which full 200", p4(&self.full));
        row("  of which 304 Not Modified", p4(&self.not_modified));
        let errors = self.error_count();
        row(
            "errors (non-2xx/3xx, transport, other)",
            format!("{errors} (target 0: {})", verdict(errors == 0)),
        );
        for line in self.errors.lines() {
            println!("    {line}");
        }
        for line in self.setup_errors.lines() {
            println!("    in setup: {line}");
        }
        if self.pollers < scale.pollers {
            println!(
                "    only {} of {} pollers took part (the others' setup failed)",
                self.pollers, scale.pollers
            );
        }
        for (k, instance) in self.instances.iter().enumerate() {
            let name = char::from(b'A' + (k % 26) as u8);
            row(
                &format!("instance {name}"),
                format!(
                    "peak RSS {} (idle before load {}), CPU {}{}",
                    mib(instance.rss_peak),
                    mib(instance.rss_before),
                    cores(instance.cpu, self.wall),
                    if instance.clean_exit {
                        ""
                    } else {
                        "; did not exit cleanly on SIGTERM"
                    }
                ),
            );
            let problems = &instance.log_problems;
            if !problems.is_empty() {
                let total: usize = problems.iter().map(|p| p.0).sum();
                println!("    {total} WARN/ERROR lines in its log; by kind, the first of each:");
                for (count, line) in problems.iter().take(6) {
                    println!("      {count} × {line}");
                }
            }
        }
        if self.configuration.stores == Stores::PostgresS3 {
            row(
                "PostgreSQL CPU (all its processes)",
                cores(self.postgres_cpu, self.wall),
            );
            row("s3s-fs CPU", cores(self.s3_cpu, self.wall));
        }
        row("bench client CPU", cores(self.client_cpu, self.wall));
        let ours = self.endpoint_cpu().zip(self.client_cpu).map(|(a, b)| a + b);
        row(
            "machine CPU busy (all processes)",
            format!(
                "{}, of which outside the bench's processes (kernel threads, other work) {}",
                cores(self.machine_cpu, self.wall),
                cores(spent(self.machine_cpu, ours), self.wall)
            ),
        );
        row("stored after ingest", self.stored.clone());
        println!();
    }
}

/// A figure with a sensible number of digits.
fn figure(x: f64) -> String {
    if x < 10.0 {
        format!("{x:.1}")
    } else {
        format!("{x:.0}")
    }
}

/// `a → b (×r)`, for the comparison lines.
fn change(a: f64, b: f64, unit: &str) -> String {
    let (fa, fb) = (figure(a), figure(b));
    if a > 0.0 {
        format!("{fa} → {fb}{unit} (×{:.2})", b / a)
    } else {
        format!("{fa} → {fb}{unit}")
    }
}

/// How the figures move from configuration `a` to `b`.
fn comparison(a: &Report, b: &Report) -> String {
    let p99 = |r: &Report| pct(&r.status(), 99.0).as_secs_f64() * 1e3;
    let commit = |r: &Report| pct(&r.commit, 99.0).as_secs_f64() * 1e3;
    let last = |r: &Report| pct(&r.last_patch, 99.0).as_secs_f64() * 1e3;
    let polls = |r: &Report| r.status().len() as f64 / r.wall.as_secs_f64();
    let endpoint_cores = |r: &Report| {
        r.endpoint_cpu()
            .map_or(0.0, |c| c.as_secs_f64() / r.wall.as_secs_f64())
    };
    format!(
        "ingest {}; status p99 {}; polls {}; commit p99 {}; last PATCH p99 {}; endpoint CPU (servers + stores) {:.2} → {:.2} cores",
        change(a.throughput() / 1e6, b.throughput() / 1e6, " MB/s"),
        change(p99(a), p99(b), " ms"),
        change(polls(a), polls(b), "/s"),
        change(commit(a), commit(b), " ms"),
        change(last(a), last(b), " ms"),
        endpoint_cores(a),
        endpoint_cores(b),
    )
}

/// The one table: a row per configuration, then the reference and what changed.
fn print_table(scale: &Scale, reports: &[Report], disk_after: (&'static str, f64), root: &Path) {
    let blob_mb = format!("{:.2} MB", scale.blob_size as f64 / 1e6);
    println!(
        "Waymark ingest on loopback: {} institutions × {} ({} blobs × {}, tus PATCH {} KiB + sha256 checksum), {} status pollers ({})",
        scale.institutions,
        mb((scale.blobs * scale.blob_size) as f64),
        scale.blobs,
        blob_mb,
        scale.chunk / 1024,
        scale.pollers,
        if scale.poll_every.is_zero() {
            "flat out".to_owned()
        } else {
            format!("each every {} ms", scale.poll_every.as_millis())
        }
    );
    println!(
        "server: {SERVER_BIN} (child processes), rate limits raised; ciphertext: pseudo-random bytes"
    );
    let mut places = format!("bench folder (embedded data, dd): {}", file_system(root));
    if reports
        .iter()
        .any(|r| r.configuration.stores == Stores::PostgresS3)
    {
        places += &format!(
            "; PostgreSQL: {}; s3s-fs: {}",
            file_system(durable_cluster().dir()),
            file_system(s3().root())
        );
    }
    println!("{places}");
    println!(
        "durability: (1) fsyncs every chunk and every SQLite commit; PostgreSQL fsync, full_page_writes, synchronous_commit on; {S3S_FS_DURABILITY}"
    );
    println!();
    println!(
        "| configuration | ingest | dd before | status p50 / p99 / max | polls/s | commit p99 | PATCH p99 / last of a blob | errors | server CPU | PostgreSQL / s3s-fs CPU | server peak RSS |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for r in reports {
        let status = r.status();
        let secs = r.wall.as_secs_f64();
        let server_cpu = {
            let each: Vec<String> = r
                .instances
                .iter()
                .map(|i| {
                    i.cpu
                        .map_or("?".into(), |c| format!("{:.1}", c.as_secs_f64()))
                })
                .collect();
            let cores = r
                .server_cpu()
                .map_or("?".into(), |c| format!("{:.2}", c.as_secs_f64() / secs));
            format!("{} s ({cores} cores)", each.join(" + "))
        };
        let stores_cpu = match r.configuration.stores {
            Stores::Embedded => "—".to_owned(),
            Stores::PostgresS3 => {
                let f = |c: Option<Duration>| {
                    c.map_or("?".into(), |c| format!("{:.1}", c.as_secs_f64()))
                };
                format!("{} / {} s", f(r.postgres_cpu), f(r.s3_cpu))
            }
        };
        let rss: Vec<String> = r.instances.iter().map(|i| mib(i.rss_peak)).collect();
        println!(
            "| {} | {}/s | {}/s | {} / {} / {} ms | {:.0} | {} ms | {} / {} ms | {} | {} | {} | {} |",
            r.configuration.name(),
            mb(r.throughput()),
            mb(r.disk.1),
            ms(pct(&status, 50.0)),
            ms(pct(&status, 99.0)),
            ms(pct(&status, 100.0)),
            status.len() as f64 / secs,
            ms(pct(&r.commit, 99.0)),
            ms(pct(&r.patch, 99.0)),
            ms(pct(&r.last_patch, 99.0)),
            match r.setup_errors.total() {
                0 => r.error_count().to_string(),
                n => format!("{} ({n} in setup)", r.error_count()),
            },
            server_cpu,
            stores_cpu,
            rss.join(" + "),
        );
    }
    println!();
    println!(
        "reference: {} of the same bytes into the bench folder, before each configuration (column) and after the last: {}/s",
        disk_after.0,
        mb(disk_after.1)
    );
    let find = |n: usize| reports.iter().find(|r| r.configuration.number == n);
    if let (Some(one), Some(two)) = (find(1), find(2)) {
        println!(
            "PostgreSQL + S3 against the embedded stores, (2) against (1): {}",
            comparison(one, two)
        );
    }
    if let (Some(two), Some(three)) = (find(2), find(3)) {
        println!(
            "with the second instance, (3) against (2): {}",
            comparison(two, three)
        );
    }
}
