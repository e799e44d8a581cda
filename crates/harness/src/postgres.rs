//! A real PostgreSQL server for tests: one throwaway cluster per test process
//! ([`cluster`]), and a fresh database in it for each caller ([`PgCluster::database`]).
//!
//! Why the real server: the endpoint keeps its metadata in PostgreSQL so that several instances
//! behind a load balancer can share it, and what matters there (transactions, constraints,
//! locking between concurrent requests, the SQL dialect) is only tested honestly against
//! PostgreSQL itself.
//!
//! Why one cluster per process and a database per test: `initdb` takes about a second, a new
//! database a few tens of milliseconds, and databases are fully separate (schemas, tables,
//! sequences), so tests run in parallel without seeing each other's rows.
//!
//! The cluster: Debian's PostgreSQL server programs (`/usr/lib/postgresql/<version>/bin`, the
//! newest version there), `initdb -A trust -U postgres` in a temporary folder, the server in the
//! foreground listening on `127.0.0.1` only, on a free port, with its unix socket in that
//! folder; `fsync`, `full_page_writes` and `synchronous_commit` off (a crash loses nothing we
//! keep); `max_connections` 300, for many tests each with a pool of several connections;
//! `TimeZone` UTC, so times print the same on every machine. PostgreSQL refuses to run as root,
//! so when the tests run as root (as in CI) `initdb` and the server run as the `postgres`
//! system user, which the Debian package creates, with the folder given to it.
//!
//! It is never dropped (it lives in a `static`), so it stops through its supervisor (see
//! `supervisor.rs`): when the test process exits, even on a panic or SIGKILL, the pipe to the
//! supervisor closes, and it stops the server (fast shutdown) and removes the folder.
//!
//! [`durable_cluster`] is a second one, for benchmarks: the same, but with PostgreSQL's own
//! durability (`fsync`, `full_page_writes` and `synchronous_commit` on, its defaults), so a
//! commit waits for the WAL to reach the disk as it would in production.

use std::ffi::OsString;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use crate::supervisor::{Supervised, clean_env, run_bounded};

/// How many free ports to try (another process may take a port between our probe and the
/// server's bind: PostgreSQL cannot bind port 0 and report it).
const START_ATTEMPTS: usize = 5;
/// How long the server gets to accept connections after it is started.
const START_WAIT: Duration = Duration::from_secs(30);
/// How long `initdb` gets.
const INITDB_WAIT: Duration = Duration::from_secs(120);
/// How long one `psql` command gets (connecting is bounded separately by PGCONNECT_TIMEOUT).
const PSQL_WAIT: Duration = Duration::from_secs(60);
/// Connections the server accepts.
const MAX_CONNECTIONS: u32 = 300;
/// The Debian package with the server programs (it creates the `postgres` user, and brings
/// the client programs `psql` and `pg_isready`).
const PACKAGE: &str = "postgresql";

static CLUSTER: OnceLock<Result<PgCluster, String>> = OnceLock::new();
static DURABLE_CLUSTER: OnceLock<Result<PgCluster, String>> = OnceLock::new();

/// The test process's PostgreSQL cluster, started on first use (about a second: `initdb`,
/// then the server), blocking the calling thread meanwhile. Panics naming the Debian package
/// `postgresql` when it is not installed, and with the server's log when it does not start;
/// a failed start is not retried, so every later caller gets the same message at once.
pub fn cluster() -> &'static PgCluster {
    match CLUSTER.get_or_init(|| crate::supervisor::catch(PgCluster::start)) {
        Ok(cluster) => cluster,
        Err(e) => panic!("the test PostgreSQL cluster did not start: {e}"),
    }
}

/// As [`cluster`], but durable (`fsync`, `full_page_writes`, `synchronous_commit` on:
/// PostgreSQL's defaults), for a benchmark that compares the endpoint on PostgreSQL with its
/// embedded store, which fsyncs. A cluster of its own, separate from [`cluster`]'s.
pub fn durable_cluster() -> &'static PgCluster {
    match DURABLE_CLUSTER.get_or_init(|| crate::supervisor::catch(|| PgCluster::start_with(true))) {
        Ok(cluster) => cluster,
        Err(e) => panic!("the durable test PostgreSQL cluster did not start: {e}"),
    }
}

/// A running PostgreSQL cluster: superuser `postgres`, no password (`trust`), on
/// `127.0.0.1`.
#[derive(Debug)]
pub struct PgCluster {
    addr: SocketAddr,
    bin: PathBuf,
    dir: PathBuf,
    server: Supervised,
}

/// A database of its own in the [`cluster`], dropped (with its connections) when this is.
#[derive(Debug)]
pub struct PgDatabase {
    name: String,
    url: String,
    cluster: &'static PgCluster,
}

impl PgCluster {
    /// Creates a fresh, empty database (`t_` and a UUID) and returns it; a few tens of
    /// milliseconds. Blocks the calling thread meanwhile (it runs `psql`).
    pub fn database(&'static self) -> PgDatabase {
        let name = format!("t_{}", uuid::Uuid::now_v7().simple());
        self.psql("postgres", &format!("CREATE DATABASE {name}"));
        PgDatabase {
            url: self.url(&name),
            name,
            cluster: self,
        }
    }

    /// `postgres://postgres@127.0.0.1:PORT/<database>`, for a client or pool.
    pub fn url(&self, database: &str) -> String {
        format!("postgres://postgres@{}/{database}", self.addr)
    }

    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Its TCP port.
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// Runs `sql` in `database` with `psql` as `postgres` and returns what it printed:
    /// unaligned rows without headers (`-A -t`), `|` between columns, one row a line, trimmed
    /// at the end. Several statements in one string run as one transaction. Panics with
    /// psql's error when a statement fails (`ON_ERROR_STOP`).
    pub fn psql(&self, database: &str, sql: &str) -> String {
        self.try_psql(database, sql)
            .unwrap_or_else(|e| panic!("psql in database {database}: {e}"))
    }

    /// The temporary folder holding the cluster (`data/`), its unix socket and its log; it is
    /// removed when the test process exits.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The server's output so far (its log), for a test's failure message.
    pub fn log(&self) -> String {
        self.server.log()
    }

    /// The server's (postmaster's) process id.
    pub fn server_pid(&self) -> Option<u32> {
        self.server.server_pid()
    }

    /// The supervisor's process id (the `sh` that stops the server when we exit).
    pub fn supervisor_pid(&self) -> u32 {
        self.server.supervisor_pid()
    }

    fn try_psql(&self, database: &str, sql: &str) -> Result<String, String> {
        let mut command = Command::new(self.bin.join("psql"));
        command
            .args(["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h"])
            .arg(self.addr.ip().to_string())
            .arg("-p")
            .arg(self.addr.port().to_string())
            .args(["-U", "postgres", "-d", database, "-c", sql])
            .env_clear()
            .envs(clean_env())
            .env("PGCONNECT_TIMEOUT", "10");
        run_bounded(&mut command, PSQL_WAIT, PACKAGE).map(|out| out.trim_end().to_owned())
    }

    fn start() -> Self {
        Self::start_with(false)
    }

    /// `durable`: PostgreSQL's own `fsync`, `full_page_writes` and `synchronous_commit`
    /// (on), rather than off.
    fn start_with(durable: bool) -> Self {
        let bin = bin_dir().unwrap_or_else(|| {
            panic!(
                "PostgreSQL's server programs (initdb, postgres) are not installed: install the \
                 Debian package {PACKAGE} (sudo apt-get install {PACKAGE}, or scripts/setup.sh \
                 installs everything the tests need)"
            )
        });
        let as_user = if rustix::process::geteuid().is_root() {
            Some(postgres_user())
        } else {
            None
        };
        // As root, /tmp whatever TMPDIR says: the postgres user must reach the folder.
        let base = match as_user {
            Some(_) => PathBuf::from("/tmp"),
            None => std::env::temp_dir(),
        };
        let dir = tempfile::Builder::new()
            .prefix("waymark-pg-")
            .tempdir_in(&base)
            .expect("a temporary folder for PostgreSQL")
            .keep();
        // Removes the folder if we panic before the supervisor owns it.
        let mut guard = RemoveOnPanic(Some(dir.clone()));
        if let Some((uid, gid)) = as_user {
            std::os::unix::fs::chown(&dir, Some(uid), Some(gid))
                .expect("the cluster's folder given to the postgres user");
        }
        let data = dir.join("data");
        let mut initdb = as_user_command(as_user, &bin.join("initdb"));
        initdb
            .arg("-D")
            .arg(&data)
            .args(["-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C"])
            .args(["--no-sync", "--no-instructions"])
            .current_dir(&dir)
            .env_clear()
            .envs(clean_env());
        if let Err(e) = run_bounded(&mut initdb, INITDB_WAIT, PACKAGE) {
            panic!("initdb: {e}");
        }

        let mut last_failure = String::new();
        for _ in 0..START_ATTEMPTS {
            let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, free_port()));
            crate::process::assert_loopback("PostgreSQL", addr);
            let mut server: Vec<OsString> = vec![
                bin.join("postgres").into(),
                "-D".into(),
                data.clone().into(),
                "-p".into(),
                addr.port().to_string().into(),
                "-k".into(),
                dir.clone().into(),
            ];
            let durability = if durable { "on" } else { "off" };
            for setting in [
                format!("listen_addresses={}", addr.ip()),
                format!("max_connections={MAX_CONNECTIONS}"),
                format!("fsync={durability}"),
                format!("full_page_writes={durability}"),
                format!("synchronous_commit={durability}"),
                "TimeZone=UTC".into(),
                "log_timezone=UTC".into(),
            ] {
                server.push("-c".into());
                server.push(setting.into());
            }
            let supervised = Supervised::spawn(&dir, "INT", &server, as_user, &clean_env());
            guard.0 = None; // The supervisor removes the folder from now on.
            let mut cluster = Self {
                addr,
                bin: bin.clone(),
                dir: dir.clone(),
                server: supervised,
            };
            match cluster.wait_until_ready() {
                Ok(()) => return cluster,
                Err(Failure::PortTaken(log)) => {
                    last_failure = log;
                    // Keep the folder (the cluster is initialised) and try another port.
                    let Self { server, .. } = cluster;
                    server.stop_keeping_folder();
                    guard.0 = Some(dir.clone());
                }
                // Dropping `cluster` while unwinding stops the supervisor, which removes the
                // folder.
                Err(Failure::Other(message)) => panic!("{message}"),
            }
        }
        panic!("PostgreSQL could not listen on any of {START_ATTEMPTS} free ports: {last_failure}");
    }

    fn wait_until_ready(&mut self) -> Result<(), Failure> {
        let deadline = Instant::now() + START_WAIT;
        loop {
            let mut ready = Command::new(self.bin.join("pg_isready"));
            ready
                .args(["-q", "-t", "2", "-h"])
                .arg(self.addr.ip().to_string())
                .arg("-p")
                .arg(self.addr.port().to_string())
                .args(["-U", "postgres", "-d", "postgres"])
                .env_clear()
                .envs(clean_env());
            if run_bounded(&mut ready, Duration::from_secs(10), PACKAGE).is_ok() {
                return Ok(());
            }
            if !self.server.server_running() {
                let log = self.server.log();
                if log.contains("could not create any TCP/IP sockets")
                    || log.contains("Address already in use")
                {
                    return Err(Failure::PortTaken(log));
                }
                return Err(Failure::Other(format!(
                    "the PostgreSQL server exited while starting: {log}"
                )));
            }
            if Instant::now() >= deadline {
                return Err(Failure::Other(format!(
                    "the PostgreSQL server did not accept connections within {} s: {}",
                    START_WAIT.as_secs(),
                    self.server.log()
                )));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl PgDatabase {
    /// Its name (`t_` and 32 hexadecimal digits: no quoting needed in SQL).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// `postgres://postgres@127.0.0.1:PORT/t_…`, for a client or pool.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// [`PgCluster::psql`] in this database.
    pub fn psql(&self, sql: &str) -> String {
        self.cluster.psql(&self.name, sql)
    }
}

impl Drop for PgDatabase {
    /// Drops the database, ending any connection a pool still holds to it (`WITH (FORCE)`),
    /// so a long test run does not fill the disk with databases (~8 MB each); about 20 ms. A
    /// failure is ignored: the whole cluster goes when the test process exits.
    fn drop(&mut self) {
        let _ = self.cluster.try_psql(
            "postgres",
            &format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name),
        );
    }
}

/// Why a start failed.
enum Failure {
    /// The port was taken between our probe and the server's bind: try another.
    PortTaken(String),
    /// Anything else: give up with this message.
    Other(String),
}

/// Removes a folder when dropped while it still holds one (a start that panicked early).
struct RemoveOnPanic(Option<PathBuf>);

impl Drop for RemoveOnPanic {
    fn drop(&mut self) {
        if let Some(dir) = self.0.take() {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

/// `program`, run as `as_user` through `setpriv` when given.
fn as_user_command(as_user: Option<(u32, u32)>, program: &Path) -> Command {
    match as_user {
        Some((uid, gid)) => {
            let mut c = Command::new("setpriv");
            c.arg(format!("--reuid={uid}"))
                .arg(format!("--regid={gid}"))
                .args(["--init-groups", "--"])
                .arg(program);
            c
        }
        None => Command::new(program),
    }
}

/// The folder with the server and the tools we run (`initdb`, `postgres`, `pg_isready`,
/// `psql`): the newest `/usr/lib/postgresql/<version>/bin` (Debian's layout), else
/// `pg_config --bindir`, else a folder on PATH that holds them all.
fn bin_dir() -> Option<PathBuf> {
    let has_server = |dir: &Path| {
        ["initdb", "postgres", "pg_isready", "psql"]
            .iter()
            .all(|tool| dir.join(tool).is_file())
    };
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let version = entry.file_name().to_str()?.parse::<u32>().ok()?;
            let bin = entry.path().join("bin");
            has_server(&bin).then_some((version, bin))
        })
        .collect();
    versions.sort();
    if let Some((_, bin)) = versions.pop() {
        return Some(bin);
    }
    let path = std::env::var_os("PATH")?;
    if let Some(pg_config) = std::env::split_paths(&path)
        .map(|dir| dir.join("pg_config"))
        .find(|p| p.is_file())
    {
        let mut pg_config = Command::new(pg_config);
        pg_config.arg("--bindir");
        if let Ok(out) = run_bounded(&mut pg_config, Duration::from_secs(10), "libpq-dev") {
            let bin = PathBuf::from(out.trim());
            if has_server(&bin) {
                return Some(bin);
            }
        }
    }
    std::env::split_paths(&path).find(|dir| has_server(dir))
}

/// The `postgres` system user's (uid, gid), which the Debian package creates.
fn postgres_user() -> (u32, u32) {
    let mut getent = Command::new("getent");
    getent.args(["passwd", "postgres"]);
    let line = run_bounded(&mut getent, Duration::from_secs(10), "libc-bin").unwrap_or_else(|e| {
        panic!(
            "the tests run as root, and PostgreSQL refuses to, but there is no postgres user \
             to run it as ({e}): install the Debian package {PACKAGE}, which creates it"
        )
    });
    let fields: Vec<&str> = line.trim().split(':').collect();
    match (
        fields.get(2).and_then(|f| f.parse().ok()),
        fields.get(3).and_then(|f| f.parse().ok()),
    ) {
        (Some(uid), Some(gid)) => (uid, gid),
        _ => panic!("getent passwd postgres printed no uid and gid: {line:?}"),
    }
}

/// A loopback port nothing listens on right now.
fn free_port() -> u16 {
    std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|l| l.local_addr())
        .expect("a free loopback port")
        .port()
}
