//! Benchmark: ingest under load, on loopback, against the disk's own write speed in the same
//! run.
//!
//! The real `waymark-server serve` binary runs as a child process (so its peak RSS is its own)
//! on a data folder made by `waymark-server init`, listening on 127.0.0.1 only. Institutions are
//! registered through the admin API and enrolled with `/v1/enrollments/redeem`. Then, all at
//! once, every institution uploads its blobs with tus (create, then PATCHes of 1 MiB, each with
//! `Upload-Checksum: sha256`) one blob after the other and commits a signed envelope listing
//! them (the first blob is the manifest), while separate institutions poll the status of a
//! submission they committed during setup (`GET /v1/submissions/{id}`, every other request
//! with `If-None-Match` as the app polls, so half are full answers and half `304`) as fast as
//! they can until the last commit is answered. Pollers run on their own thread and runtime, so
//! their latencies do not wait behind the uploaders' tasks in the client.
//!
//! The blobs are pseudo-random bytes standing in for age ciphertext (they are not encrypted: the
//! server cannot tell, and encrypting would only load the shared CPU with client work). Every
//! blob is the same random body with its own last 16 bytes, so each has its own SHA-256 while
//! the client precomputes every hash in constant time per blob: the timed phase costs the
//! client only HTTP.
//!
//! Measured: the ingest phase's wall time (first request to last commit) → aggregate MB/s, set
//! against `dd if=/dev/zero bs=1M conv=fsync` of the same number of bytes into the same folder
//! before and after (the server fsyncs every stored chunk, so both are durable writes); status
//! latency p50/p95/p99/max (target p99 < 50 ms); errors: answers outside 2xx/3xx, transport
//! errors, wrong offsets (target 0); the server's peak RSS (`VmHWM`) and CPU time.
//!
//! The server's rate limits are raised for the run: at the defaults (1,200 requests a minute
//! per token, 30 enrolments an hour per address) pollers polling flat out, and 250 enrolments
//! from one address, would rightly be answered `429`.
//!
//! Run with `cargo bench -p waymark-server --bench ingest` (or `make bench`): 200 institutions
//! × 10 MB (4 blobs), 50 pollers. Smaller for a quick check: `WAYMARK_BENCH_INSTITUTIONS=20
//! WAYMARK_BENCH_MB=2`; also `WAYMARK_BENCH_POLLERS`, `WAYMARK_BENCH_BLOBS`,
//! `WAYMARK_BENCH_CHUNK_KIB`, `WAYMARK_BENCH_TIMEOUT_S` (the ingest phase's bound, 900),
//! `WAYMARK_BENCH_POLL_MS` (each poller's pause between polls; 0, the default, polls flat
//! out, which measures queueing behind a saturated 2-core machine more than service). Without
//! `--bench` (as under `cargo test --all-targets`) it runs a small smoke version and fails on
//! any error. Everything is in a temporary folder under `target/tmp` (on the disk, not in RAM),
//! removed at the end.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Barrier, Mutex};
use std::time::{Duration, Instant};
use waymark_test_support::bench::{clock_ticks, env_or, folder_bytes, load_average, measuring};

use bytes::Bytes;
use futures::StreamExt as _;
use serde::de::DeserializeOwned;
use serde_json::json;
use sha2::Digest as _;
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

fn main() {
    let measuring = measuring();
    let scale = Scale::from_env(measuring);
    let tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
    std::fs::create_dir_all(tmp).expect("create target/tmp");
    let root = tempfile::Builder::new()
        .prefix("waymark-ingest-")
        .tempdir_in(tmp)
        .expect("a scratch folder");
    let mut report = run(&scale, root.path());
    report.print(&scale, root.path());
    if !measuring {
        assert_eq!(report.error_count(), 0, "the smoke run had errors");
        assert_eq!(
            report.committed, scale.institutions,
            "every commit answered"
        );
    }
    drop(root);
}

// ---------------------------------------------------------------------------------------------
// Scale

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

// ---------------------------------------------------------------------------------------------
// The server process

struct Server {
    child: Option<Child>,
    pid: u32,
    url: String,
    admin_token: String,
    log: PathBuf,
}

/// Environment variables that would change the served configuration under us.
const SERVER_ENV: [&str; 7] = [
    "WAYMARK_SERVER_DATA_DIR",
    "WAYMARK_SERVER_LISTEN",
    "WAYMARK_SERVER_PUBLIC_URL",
    "WAYMARK_SERVER_LOG_FORMAT",
    "WAYMARK_SERVER_LOG_LEVEL",
    "WAYMARK_SERVER_TLS_CERT",
    "WAYMARK_SERVER_TLS_KEY",
];

fn server_command() -> Command {
    let mut command = Command::new(SERVER_BIN);
    for name in SERVER_ENV {
        command.env_remove(name);
    }
    command.stdin(Stdio::null());
    command
}

impl Server {
    /// `init` a data folder in `root`, raise its rate limits, and start `serve` on it.
    fn start(root: &Path) -> Self {
        let data = root.join("data");
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free loopback port")
            .port();
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
        let mut config = Config::load_with_env(&data, |_| None).expect("read server.toml");
        config.rate.per_token_per_minute = RAISED_PER_TOKEN_PER_MINUTE;
        config.rate.enrollments_per_address_per_hour = RAISED_ENROLMENTS_PER_HOUR;
        std::fs::write(
            data.join(CONFIG_FILE),
            toml::to_string_pretty(&config).expect("server.toml as TOML"),
        )
        .expect("write server.toml");
        let log = root.join("server.log");
        let log_file = std::fs::File::create(&log).expect("create server.log");
        let child = server_command()
            .arg("serve")
            .arg("--data-dir")
            .arg(&data)
            .stdout(log_file.try_clone().expect("server.log"))
            .stderr(log_file)
            .spawn()
            .expect("start waymark-server serve");
        Self {
            pid: child.id(),
            child: Some(child),
            url,
            admin_token,
            log,
        }
    }

    async fn wait_ready(&mut self, http: &reqwest::Client) {
        for _ in 0..300 {
            if let Ok(resp) = http.get(format!("{}/health", self.url)).send().await
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
        panic!("the server never answered /health: {}", self.log_tail());
    }

    fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(20)..].join("\n")
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

/// A `kB` field of `/proc/<pid>/status` (VmRSS, VmHWM), in bytes.
fn proc_status_bytes(pid: u32, field: &str) -> Option<u64> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = text.lines().find(|l| l.starts_with(field))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// User + system CPU time of a process (`self` or a pid), from `/proc/<it>/stat`.
fn cpu_time(process: &str, ticks_per_second: f64) -> Option<Duration> {
    let text = std::fs::read_to_string(format!("/proc/{process}/stat")).ok()?;
    // After the command name in parentheses: state is field 3, utime 14, stime 15.
    let rest = &text[text.rfind(')')? + 1..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(Duration::from_secs_f64(ticks as f64 / ticks_per_second))
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
    match req.send().await {
        Ok(resp) if resp.status().as_u16() == want => Ok(resp),
        Ok(resp) => {
            let status = resp.status().as_u16();
            let body = resp.text().await.unwrap_or_default();
            errors.add(format!("{what} {status}"), body.chars().take(200).collect());
            Err(())
        }
        Err(e) => {
            errors.add(format!("{what} transport"), e.to_string());
            Err(())
        }
    }
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
    server: &Server,
    i: usize,
    errors: &Errors,
) -> Result<School, ()> {
    let url = &server.url;
    let req = http
        .post(format!("{url}/v1/admin/institutions"))
        .bearer_auth(&server.admin_token)
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
        .post(format!("{url}/v1/enrollments/redeem"))
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
    commit: Vec<Duration>,
    bytes: u64,
    committed: bool,
}

/// Uploads one blob with tus (create, then every chunk with its checksum).
async fn upload_blob(
    http: &reqwest::Client,
    url: &str,
    token: &str,
    plan: &Plan,
    tail: &[u8; TAIL],
    times: &mut UploadTimes,
    errors: &Errors,
) -> Result<BlobRef, ()> {
    let blob = plan.blob(tail);
    let t = Instant::now();
    let req = http
        .post(format!("{url}/v1/uploads"))
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
            .patch(format!("{url}{location}"))
            .bearer_auth(token)
            .header("Tus-Resumable", "1.0.0")
            .header("Upload-Offset", start.to_string())
            .header("Content-Type", OCTETS)
            .header(
                "Upload-Checksum",
                format!("sha256 {}", encode_base64(&hash)),
            )
            .body(bytes);
        let resp = send(req, "PATCH", 204, errors).await?;
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
        times.patch.push(t.elapsed());
        times.bytes += (end - start) as u64;
    }
    Ok(blob)
}

/// Commits a signed envelope listing `blobs` (the first is the manifest).
async fn commit(
    http: &reqwest::Client,
    url: &str,
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
        .post(format!("{url}/v1/submissions"))
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
    url: String,
    blobs: usize,
    plan: Plan,
    key_set: Fingerprint,
    errors: Arc<Errors>,
}

/// One institution's whole ingest: its blobs one after the other, then the commit.
async fn ingest_one(ingest: Arc<Ingest>, school: School, index: usize) -> UploadTimes {
    let Ingest {
        http,
        url,
        blobs,
        plan,
        key_set,
        errors,
    } = &*ingest;
    let mut times = UploadTimes::default();
    let mut refs = Vec::with_capacity(*blobs);
    for j in 0..*blobs {
        let tail = Plan::tail(index, j);
        match upload_blob(http, url, &school.token, plan, &tail, &mut times, errors).await {
            Ok(blob) => refs.push(blob),
            Err(()) => return times,
        }
    }
    let t = Instant::now();
    if commit(http, url, &school, key_set, &refs, errors)
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

/// Polls one submission until `done` (or the deadline), every other request conditional.
/// When a poller stops, and how long it waits between polls.
#[derive(Clone, Copy)]
struct Pace {
    deadline: Instant,
    every: Duration,
}

async fn poll(
    http: reqwest::Client,
    url: Arc<str>,
    token: String,
    submission: SubmissionId,
    done: Arc<AtomicBool>,
    errors: Arc<Errors>,
    Pace { deadline, every }: Pace,
) -> Vec<Sample> {
    let target = format!("{url}/v1/submissions/{submission}");
    let mut etag: Option<String> = None;
    let mut samples = Vec::new();
    let mut n: u64 = 0;
    while !done.load(Ordering::Relaxed) && Instant::now() < deadline {
        let mut req = http.get(&target).bearer_auth(&token);
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
                errors.add("status transport".into(), e.to_string());
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

struct Report {
    server_bin: String,
    load_before: String,
    load_after: String,
    file_system: String,
    setup: Duration,
    wall: Duration,
    bytes: u64,
    committed: usize,
    disk: Vec<(&'static str, f64)>,
    create: Vec<Duration>,
    patch: Vec<Duration>,
    commit: Vec<Duration>,
    full: Vec<Duration>,
    not_modified: Vec<Duration>,
    errors: Arc<Errors>,
    rss_before: Option<u64>,
    rss_peak: Option<u64>,
    server_cpu: Option<Duration>,
    client_cpu: Option<Duration>,
    data_bytes: u64,
    clean_exit: bool,
}

fn run(scale: &Scale, root: &Path) -> Report {
    let errors = Arc::new(Errors::default());
    let ticks = clock_ticks();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let http = client();
    let mut server = Server::start(root);
    let setup_started = Instant::now();

    // Setup: every institution enrolled; each poller's institution commits a small submission.
    let (uploaders, pollers, key_set) = runtime.block_on(async {
        server.wait_ready(&http).await;
        let resp = send(
            http.get(format!("{}/v1/key-sets", server.url)),
            "key-sets",
            200,
            &errors,
        )
        .await
        .expect("the key sets");
        let sets: KeySets = json_of(resp, "key-sets", &errors).await.expect("key sets");
        let key_set = sets.key_sets.last().expect("a key set").fingerprint();
        let schools: Vec<Result<School, ()>> =
            futures::stream::iter(0..scale.institutions + scale.pollers)
                .map(|i| enrol(&http, &server, i, &errors))
                .buffered(SETUP_CONCURRENCY)
                .collect()
                .await;
        let mut schools: Vec<School> = schools
            .into_iter()
            .collect::<Result<_, ()>>()
            .unwrap_or_else(|()| panic!("enrolment failed: {:?}", errors.lines()));
        let poll_schools = schools.split_off(scale.institutions);
        let small = Plan::new(1000, scale.chunk);
        let pollers: Vec<Result<(School, SubmissionId), ()>> =
            futures::stream::iter(poll_schools.into_iter().enumerate())
                .map(|(i, school)| {
                    let (http, url, small, key_set, errors) =
                        (&http, &server.url, &small, &key_set, &errors);
                    async move {
                        let mut times = UploadTimes::default();
                        let tail = Plan::tail(usize::MAX - i, 0);
                        let blob =
                            upload_blob(http, url, &school.token, small, &tail, &mut times, errors)
                                .await?;
                        let id = commit(http, url, &school, key_set, &[blob], errors).await?;
                        Ok((school, id))
                    }
                })
                .buffered(SETUP_CONCURRENCY)
                .collect()
                .await;
        let pollers = pollers
            .into_iter()
            .collect::<Result<Vec<_>, ()>>()
            .unwrap_or_else(|()| panic!("the pollers' submissions failed: {:?}", errors.lines()));
        (schools, pollers, key_set)
    });
    let setup = setup_started.elapsed();
    assert_eq!(errors.total(), 0, "setup had errors: {:?}", errors.lines());
    let ingest = Arc::new(Ingest {
        http: http.clone(),
        url: server.url.clone(),
        blobs: scale.blobs,
        plan: Plan::new(scale.blob_size, scale.chunk),
        key_set,
        errors: errors.clone(),
    });
    let mut disk = vec![disk_reference(root, scale.total_bytes())];

    // The load.
    let load_before = load_average();
    let rss_before = proc_status_bytes(server.pid, "VmRSS:");
    let url: Arc<str> = Arc::from(server.url.as_str());
    let done = Arc::new(AtomicBool::new(false));
    let go = Arc::new(Barrier::new(2));
    let deadline = Instant::now() + scale.timeout + Duration::from_secs(60);
    let poller_thread = {
        let (url, done, go, errors) = (url.clone(), done.clone(), go.clone(), errors.clone());
        let every = scale.poll_every;
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("the pollers' runtime");
            let http = client();
            runtime.block_on(async {
                // One request each first, so connections are open when timing starts.
                for (school, id) in &pollers {
                    let warm = http
                        .get(format!("{url}/v1/submissions/{id}"))
                        .bearer_auth(&school.token)
                        .send()
                        .await;
                    if let Ok(resp) = warm {
                        let _ = resp.bytes().await;
                    }
                }
                go.wait();
                let tasks: Vec<_> = pollers
                    .into_iter()
                    .map(|(school, id)| {
                        tokio::spawn(poll(
                            http.clone(),
                            url.clone(),
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
    let server_cpu_before = cpu_time(&server.pid.to_string(), ticks);
    let client_cpu_before = cpu_time("self", ticks);
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
    let server_cpu = cpu_time(&server.pid.to_string(), ticks)
        .zip(server_cpu_before)
        .map(|(a, b)| a.saturating_sub(b));
    let client_cpu = cpu_time("self", ticks)
        .zip(client_cpu_before)
        .map(|(a, b)| a.saturating_sub(b));
    let samples = poller_thread.join().expect("the pollers' thread");
    let rss_peak = proc_status_bytes(server.pid, "VmHWM:");
    let load_after = load_average();
    disk.push(disk_reference(root, scale.total_bytes()));
    let data_bytes = folder_bytes(&root.join("data"));
    let clean_exit = server.stop();
    drop(runtime);

    let mut report = Report {
        server_bin: SERVER_BIN.into(),
        load_before,
        load_after,
        file_system: file_system(root),
        setup,
        wall,
        bytes: results.iter().map(|t| t.bytes).sum(),
        committed: results.iter().filter(|t| t.committed).count(),
        disk,
        create: Vec::new(),
        patch: Vec::new(),
        commit: Vec::new(),
        full: Vec::new(),
        not_modified: Vec::new(),
        errors,
        rss_before,
        rss_peak,
        server_cpu,
        client_cpu,
        data_bytes,
        clean_exit,
    };
    for t in results {
        report.create.extend(t.create);
        report.patch.extend(t.patch);
        report.commit.extend(t.commit);
    }
    for s in samples {
        if s.not_modified {
            report.not_modified.push(s.latency);
        } else {
            report.full.push(s.latency);
        }
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
        |b| format!("{:.1} MiB", b as f64 / (1u64 << 20) as f64),
    )
}

fn verdict(ok: bool) -> &'static str {
    if ok { "ok" } else { "MISSED" }
}

impl Report {
    fn error_count(&self) -> u64 {
        self.errors.total() + u64::from(!self.clean_exit)
    }

    fn print(&mut self, scale: &Scale, root: &Path) {
        for v in [
            &mut self.create,
            &mut self.patch,
            &mut self.commit,
            &mut self.full,
            &mut self.not_modified,
        ] {
            v.sort();
        }
        let mut status: Vec<Duration> = self
            .full
            .iter()
            .chain(&self.not_modified)
            .copied()
            .collect();
        status.sort();
        let secs = self.wall.as_secs_f64();
        let ingest = self.bytes as f64 / secs;
        let best_disk = self.disk.iter().map(|d| d.1).fold(0.0, f64::max);
        let row = |name: &str, value: String, target: &str| {
            println!("{name:<38} {value:<40} {target}");
        };
        let p4 = |v: &[Duration]| {
            format!(
                "{} / {} / {} / {} ms",
                ms(pct(v, 50.0)),
                ms(pct(v, 95.0)),
                ms(pct(v, 99.0)),
                ms(pct(v, 100.0))
            )
        };
        let blob_mb = format!("{:.2} MB", scale.blob_size as f64 / 1e6);
        println!(
            "Waymark ingest on loopback: {} institutions × {} ({} blobs × {}, tus PATCH {} KiB + sha256 checksum), {} status pollers",
            scale.institutions,
            mb((scale.blobs * scale.blob_size) as f64),
            scale.blobs,
            blob_mb,
            scale.chunk / 1024,
            scale.pollers
        );
        if scale.poll_every.is_zero() {
            println!("pollers: each polls again as soon as it has an answer (flat out)");
        } else {
            println!(
                "pollers: each polls every {} ms",
                scale.poll_every.as_millis()
            );
        }
        println!("ciphertext: pseudo-random bytes (not age-encrypted; the server cannot tell)");
        println!(
            "server: {} (child process), data on {} in {}",
            self.server_bin,
            self.file_system,
            root.display()
        );
        println!(
            "rate limits raised for the run; setup (enrol {}, pollers' submissions) {:.1} s; load average {} before, {} after",
            scale.institutions + scale.pollers,
            self.setup.as_secs_f64(),
            self.load_before,
            self.load_after
        );
        println!();
        row("measure", "result".into(), "target");
        row(
            "ingest wall time",
            format!("{secs:.2} s for {}", mb(self.bytes as f64)),
            "",
        );
        row(
            "ingest throughput (aggregate)",
            format!("{}/s", mb(ingest)),
            "",
        );
        let (label, _) = self.disk[0];
        row(
            &format!("disk: {label}"),
            self.disk
                .iter()
                .map(|d| format!("{}/s", mb(d.1)))
                .collect::<Vec<_>>()
                .join(" before, ")
                + " after",
            "",
        );
        row(
            "ingest / disk (faster dd run)",
            format!("{:.0}%", 100.0 * ingest / best_disk),
            "",
        );
        row(
            "submissions committed",
            format!("{} of {}", self.committed, scale.institutions),
            "",
        );
        row("tus create p50 / p95 / p99 / max", p4(&self.create), "");
        row(
            &format!("PATCH {} KiB p50 / p95 / p99 / max", scale.chunk / 1024),
            p4(&self.patch),
            "",
        );
        row("commit p50 / p95 / p99 / max", p4(&self.commit), "");
        row(
            "status polls",
            format!(
                "{} ({:.0}/s): {} full 200, {} 304",
                status.len(),
                status.len() as f64 / secs,
                self.full.len(),
                self.not_modified.len()
            ),
            "",
        );
        row(
            "status p50 / p95 / p99 / max",
            p4(&status),
            &format!(
                "p99 < {} ms: {}",
                STATUS_P99_TARGET.as_millis(),
                verdict(!status.is_empty() && pct(&status, 99.0) < STATUS_P99_TARGET)
            ),
        );
        row("  of which full 200", p4(&self.full), "");
        row("  of which 304 Not Modified", p4(&self.not_modified), "");
        let errors = self.error_count();
        row(
            "errors (non-2xx/3xx, transport, other)",
            errors.to_string(),
            &format!("0: {}", verdict(errors == 0)),
        );
        for line in self.errors.lines() {
            println!("  {line}");
        }
        if !self.clean_exit {
            println!("  the server did not exit cleanly on SIGTERM");
        }
        row(
            "server peak RSS (VmHWM)",
            format!(
                "{} (idle before load {})",
                mib(self.rss_peak),
                mib(self.rss_before)
            ),
            "",
        );
        let cores = |cpu: Option<Duration>| {
            cpu.map_or_else(
                || "?".into(),
                |c| {
                    format!(
                        "{:.1} s ({:.2} cores)",
                        c.as_secs_f64(),
                        c.as_secs_f64() / secs
                    )
                },
            )
        };
        row("server CPU during ingest", cores(self.server_cpu), "");
        row("bench client CPU during ingest", cores(self.client_cpu), "");
        row("data folder after ingest", mb(self.data_bytes as f64), "");
    }
}
