//! The `waymark-server` binary: see [`waymark_server::cli`].

fn main() -> std::process::ExitCode {
    waymark_server::cli::main()
}
