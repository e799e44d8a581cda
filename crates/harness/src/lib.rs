//! Real test infrastructure for Waymark's networked tests, shared by the school's submission
//! tests and the assessor tool's tests. Dev-only: never a normal dependency.
//!
//! Each piece is the real thing, or as close as a test can get on one machine, so that the
//! tests exercise what schools meet in the field rather than a mock of it:
//!
//! - [`keychain`]: a private D-Bus session bus with GNOME Keyring's Secret Service on it, in a
//!   temporary home (the OS keychain the tools keep tokens in).
//! - [`fault_proxy`]: a TCP proxy of our own that cuts connections after a seeded random
//!   number of bytes (a school's flaky Wi-Fi, a filter that drops long uploads).
//! - [`tinyproxy`]: Debian's real `tinyproxy` HTTP proxy, optionally asking for Basic
//!   authentication (a school's web proxy).
//! - [`tls`]: a test PKI made with the `openssl` tool: a root CA like a school filter's
//!   inspection root and a server certificate for `127.0.0.1` and `localhost`.
//! - [`endpoint`]: the awarding body's endpoint (`waymark-server`) in process on a loopback
//!   port, over plain HTTP or its built-in TLS.
//! - [`postgres`]: a real PostgreSQL cluster (Debian's `postgresql`) shared by the test
//!   process, with a fresh database per test: the endpoint's metadata store.
//! - [`s3`]: a real S3-compatible server (`s3s-fs`) shared by the test process, with a fresh
//!   bucket per test: the endpoint's blob store.
//! - [`school`]: a school's data folder that meets every rule of a bundled mark, made through
//!   the core's `Workspace`.
//!
//! Rules every module keeps: loopback addresses only; every wait is bounded; every child process
//! is our own (no daemonising) and is killed and reaped on drop; a missing tool panics with
//! the Debian package to install (`scripts/setup.sh` installs them all). The two servers shared
//! by a whole test process ([`postgres`], [`s3`]) are never dropped: each runs under a small
//! supervisor that stops it and removes its folder when the test process exits, however it
//! exits (a panic, Ctrl-C, SIGKILL).
//!
//! Nothing here depends on the desktop app (the harness builds without the GUI stack). Only
//! [`school`] uses `waymark-core`; core's own tests never use this crate, so they get no
//! second copy of the core's types.

pub mod endpoint;
pub mod env;
pub mod fault_proxy;
pub mod keychain;
pub mod postgres;
pub mod s3;
pub mod school;
pub mod tinyproxy;
pub mod tls;

mod process;
mod supervisor;
