//! Child processes the harness owns: spawned in the foreground (never daemonised, so they stay
//! our children), killed and reaped when their guard is dropped, and a clear panic naming the
//! Debian package when the program is not installed.

use std::process::{Child, Command, ExitStatus};

/// A child process that is killed (SIGKILL) and waited for when dropped, so no test leaves a
/// daemon or a zombie behind, even when it panics half-way through setting up.
#[derive(Debug)]
pub(crate) struct OwnedChild {
    child: Option<Child>,
}

impl OwnedChild {
    /// Spawns `command`, or panics saying which Debian package provides `program`.
    #[track_caller]
    pub(crate) fn spawn(command: &mut Command, program: &str, package: &str) -> Self {
        match command.spawn() {
            Ok(child) => Self { child: Some(child) },
            Err(e) => panic!("{}", missing_tool(program, package, &e)),
        }
    }

    /// The child itself (for its pipes).
    pub(crate) fn child_mut(&mut self) -> &mut Child {
        self.child
            .as_mut()
            .expect("the child is only taken on drop")
    }

    /// `Some(status)` once the child has exited.
    pub(crate) fn exited(&mut self) -> Option<ExitStatus> {
        self.child_mut()
            .try_wait()
            .expect("waiting on our own child cannot fail")
    }

    /// The child's process id.
    pub(crate) fn id(&self) -> u32 {
        self.child.as_ref().map_or(0, Child::id)
    }
}

impl Drop for OwnedChild {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            // Killing a child that already exited fails harmlessly; waiting reaps it either way.
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// The message for a program that could not be started.
pub(crate) fn missing_tool(program: &str, package: &str, error: &std::io::Error) -> String {
    format!(
        "cannot run {program} ({error}): install the Debian package {package} \
         (sudo apt-get install {package}, or scripts/setup.sh installs everything the tests need)"
    )
}

/// Panics unless `ip` is a loopback address: the harness never talks to another machine.
#[track_caller]
pub(crate) fn assert_loopback(what: &str, addr: std::net::SocketAddr) {
    assert!(
        addr.ip().is_loopback(),
        "{what} must be a loopback address (127.0.0.1 or ::1), not {addr}: the test harness \
         never reaches beyond this machine"
    );
}
