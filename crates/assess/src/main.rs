//! The `waymark-assess` binary: everything is in the library (`waymark_assess::cli`).

fn main() -> std::process::ExitCode {
    waymark_assess::cli::main()
}
