//! Servers that live as long as the test process (one PostgreSQL cluster, one S3 server shared
//! by every test in it), and the bounded runs of short command-line tools that talk to them.
//!
//! Why a supervisor: a server shared through a `static` is never dropped, so no guard of ours
//! ever kills it, and a test process that panics, is interrupted or is killed with SIGKILL runs
//! no code of ours at all. So each server is started by a tiny `sh` script whose stdin is a pipe
//! whose only writer is the test process. When the test process goes, however it goes, the
//! kernel closes that pipe; the script's `read` returns and it stops the server, waits for it
//! and removes the server's folder. The script runs in its own process group, so a Ctrl-C at
//! the terminal (which signals the test's whole group) reaches only the test process, and the
//! script still finishes its clean-up rather than dying half-way.

use std::ffi::OsString;
use std::io::{Read as _, Seek as _, Write as _};
use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{ChildStdin, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use crate::process::OwnedChild;

/// The supervisor. Arguments: the signal that stops the server, the server's folder (removed at
/// the end unless the order line is `keep`), then the server's command line. The server's
/// output goes to `server.log` and its process id to `server.pid`, both in that folder.
const SCRIPT: &str = r#"sig=$1 dir=$2
shift 2
"$@" </dev/null >"$dir/server.log" 2>&1 &
p=$!
echo "$p" >"$dir/server.pid"
IFS= read -r order || order=
kill -"$sig" "$p" 2>/dev/null
wait "$p"
[ "$order" = keep ] || rm -rf -- "$dir"
"#;

/// How long a supervisor gets to stop its server and clean up when we ask it to.
const STOP_WAIT: Duration = Duration::from_secs(20);

/// A server under a supervisor script (see the module's documentation).
#[derive(Debug)]
pub(crate) struct Supervised {
    /// Our end of the supervisor's stdin: closing it (or our exit) stops the server.
    orders: Option<ChildStdin>,
    /// The supervisor (`sh`, or `setpriv` that became `sh`).
    supervisor: Option<OwnedChild>,
    dir: PathBuf,
}

impl Supervised {
    /// Starts `server` (program and arguments) under a supervisor in `dir`, stopped with
    /// `stop_signal` (a name `kill` knows, such as `INT` or `TERM`). `as_user` runs the
    /// supervisor and so the server as that (uid, gid) through `setpriv` (we must be root);
    /// `env` is the whole environment the server gets (nothing of ours leaks in: no proxy
    /// variables, no `PG*` settings).
    pub(crate) fn spawn(
        dir: &Path,
        stop_signal: &str,
        server: &[OsString],
        as_user: Option<(u32, u32)>,
        env: &[(&str, OsString)],
    ) -> Self {
        let mut command = match as_user {
            Some((uid, gid)) => {
                let mut c = Command::new("setpriv");
                c.arg(format!("--reuid={uid}"))
                    .arg(format!("--regid={gid}"))
                    .args(["--init-groups", "--", "sh"]);
                c
            }
            None => Command::new("sh"),
        };
        command
            .arg("-c")
            .arg(SCRIPT)
            .arg("sh")
            .arg(stop_signal)
            .arg(dir)
            .args(server)
            .current_dir(dir)
            .env_clear()
            .envs(env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            // Its own process group: see the module's documentation.
            .process_group(0);
        let (program, package) = match as_user {
            Some(_) => ("setpriv", "util-linux"),
            None => ("sh", "dash"),
        };
        let mut supervisor = OwnedChild::spawn(&mut command, program, package);
        let orders = supervisor.child_mut().stdin.take();
        Self {
            orders,
            supervisor: Some(supervisor),
            dir: dir.to_owned(),
        }
    }

    /// The server's output so far.
    pub(crate) fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("server.log")).unwrap_or_default()
    }

    /// The server's process id, once the supervisor has written it.
    pub(crate) fn server_pid(&self) -> Option<u32> {
        std::fs::read_to_string(self.dir.join("server.pid"))
            .ok()?
            .trim()
            .parse()
            .ok()
    }

    /// The supervisor's process id.
    pub(crate) fn supervisor_pid(&self) -> u32 {
        self.supervisor.as_ref().map_or(0, OwnedChild::id)
    }

    /// False once the server has exited (even before its supervisor has reaped it). True while
    /// its process id is not known yet.
    pub(crate) fn server_running(&self) -> bool {
        self.server_pid().is_none_or(process_running)
    }

    /// Stops the server but keeps its folder (to start it again, on another port), waiting at
    /// most 20 s.
    pub(crate) fn stop_keeping_folder(mut self) {
        if let Some(mut orders) = self.orders.take() {
            let _ = orders.write_all(b"keep\n");
        }
        self.wait_for_supervisor();
    }

    fn wait_for_supervisor(&mut self) {
        let Some(supervisor) = self.supervisor.as_mut() else {
            return;
        };
        let deadline = Instant::now() + STOP_WAIT;
        while supervisor.exited().is_none() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
        // Dropping it kills it if it is still there (its server then stays: it is stuck).
        self.supervisor = None;
    }
}

impl Drop for Supervised {
    /// Stops the server and removes its folder, as when the test process exits. (The shared
    /// servers are never dropped; this is for a start that failed.)
    fn drop(&mut self) {
        self.orders = None;
        self.wait_for_supervisor();
    }
}

/// Runs `start` (a shared server's start, which panics when it fails) and turns its panic into
/// the message, so that the `OnceLock` keeping the server keeps the failure too: every later
/// test then fails at once with the same message instead of trying (and waiting) again.
pub(crate) fn catch<T>(start: fn() -> T) -> Result<T, String> {
    std::panic::catch_unwind(start).map_err(|payload| {
        payload
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| payload.downcast_ref::<&str>().map(|s| (*s).to_owned()))
            .unwrap_or_else(|| "it panicked".to_owned())
    })
}

/// True while process `pid` exists and is not a zombie (a server that exited but that its
/// supervisor, blocked reading its orders, has not reaped yet).
pub(crate) fn process_running(pid: u32) -> bool {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return false;
    };
    // "pid (comm) S …": the state follows the last ')', since comm may hold anything.
    let state = stat
        .rsplit_once(')')
        .and_then(|(_, rest)| rest.trim_start().chars().next());
    !matches!(state, Some('Z' | 'X') | None)
}

/// Runs a short tool to completion, killing it after `timeout`. Ok(stdout) when it exits 0;
/// otherwise Err with its status and both outputs. Its output goes to anonymous files, not
/// pipes, so a chatty tool never blocks on a pipe nobody reads while we wait for it. Panics
/// naming the Debian `package` when the tool cannot be started.
#[track_caller]
pub(crate) fn run_bounded(
    command: &mut Command,
    timeout: Duration,
    package: &str,
) -> Result<String, String> {
    let mut stdout = tempfile::tempfile().map_err(|e| format!("a file for stdout: {e}"))?;
    let mut stderr = tempfile::tempfile().map_err(|e| format!("a file for stderr: {e}"))?;
    command
        .stdin(Stdio::null())
        .stdout(stdout.try_clone().map_err(|e| e.to_string())?)
        .stderr(stderr.try_clone().map_err(|e| e.to_string())?);
    let program = command.get_program().to_string_lossy().into_owned();
    let mut child = OwnedChild::spawn(command, &program, package);
    let deadline = Instant::now() + timeout;
    let status: ExitStatus = loop {
        if let Some(status) = child.exited() {
            break status;
        }
        if Instant::now() >= deadline {
            drop(child);
            return Err(format!(
                "{program} did not finish within {} s",
                timeout.as_secs()
            ));
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let read = |file: &mut std::fs::File| {
        let mut text = String::new();
        let _ = file.rewind();
        let _ = file.read_to_string(&mut text);
        text
    };
    let out = read(&mut stdout);
    if status.success() {
        Ok(out)
    } else {
        Err(format!(
            "{program} failed ({status}): {}{out}",
            read(&mut stderr)
        ))
    }
}

/// The environment for the servers and tools we run: only `PATH` (for `sh` itself) and
/// `LC_ALL=C` (messages we can search in English), whatever the test process has.
pub(crate) fn clean_env() -> Vec<(&'static str, OsString)> {
    vec![
        (
            "PATH",
            std::env::var_os("PATH").unwrap_or_else(|| "/usr/sbin:/usr/bin:/sbin:/bin".into()),
        ),
        ("LC_ALL", "C".into()),
    ]
}
