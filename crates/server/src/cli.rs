//! The `waymark-server` command. (Being built: init and serve first.)

/// Runs the command line.
pub fn main() -> std::process::ExitCode {
    std::process::ExitCode::SUCCESS
}
