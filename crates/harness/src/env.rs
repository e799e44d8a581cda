//! The environment a child process under test gets: none of the machine's proxy settings,
//! so a developer's or CI's proxy never stands between a test and its endpoint on loopback
//! (tests that want a proxy set their own).

use std::process::Command;

/// Proxy variables a test must not inherit from the machine running it.
pub const PROXY_VARS: [&str; 8] = [
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
    "NO_PROXY",
    "http_proxy",
    "https_proxy",
    "all_proxy",
    "no_proxy",
];

/// Removes every proxy variable from `cmd`'s environment.
pub fn without_proxies(cmd: &mut Command) -> &mut Command {
    for v in PROXY_VARS {
        cmd.env_remove(v);
    }
    cmd
}
