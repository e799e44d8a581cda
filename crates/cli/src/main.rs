//! `waymark`: the command-line front end over `waymark-core`, for headless use, scripting and
//! support. Errors go to stderr with a non-zero exit code; `--json` makes output parseable.

/// Prints a line to stdout, ignoring a closed pipe (`waymark status | head` must not panic).
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout().lock(), $($arg)*);
    }};
}

/// Prints to stdout without a newline, ignoring a closed pipe.
macro_rules! out_raw {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = write!(std::io::stdout().lock(), $($arg)*);
    }};
}

/// Prints a line to stderr, ignoring a failing stderr (the exit code still reports the error).
macro_rules! err_out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr().lock(), $($arg)*);
    }};
}

mod args;
mod documents;
mod errors;
mod evidence;
mod frameworks;
mod output;
mod plan;
mod privacy;
mod review;
mod submit;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use waymark_core::{Error, Workspace, paths};

use args::{Cli, Command};

/// Options every command shares.
pub struct Context {
    data_dir: Option<PathBuf>,
    /// Print JSON.
    pub json: bool,
    /// Who is making changes, when given by `--as` or `WAYMARK_USER`.
    author: Option<String>,
    /// Which review, by framework id.
    pub framework: Option<String>,
}

impl Context {
    /// The data folder chosen by flag, environment or OS default.
    pub fn data_dir(&self) -> Result<PathBuf, Error> {
        self.data_dir
            .clone()
            .or_else(paths::default_data_dir)
            .ok_or(Error::NoDataDir)
    }

    /// Opens the data folder's workspace.
    pub fn open(&self) -> Result<Workspace, Error> {
        Workspace::open(&self.data_dir()?)
    }

    /// The name recorded for changes: `--as` (or `WAYMARK_USER`), else the name set for this
    /// installation (the app's "who I am"), else the login name.
    pub fn author(&self, ws: &Workspace) -> String {
        self.author
            .clone()
            .filter(|a| !a.trim().is_empty())
            .or_else(|| ws.author().ok().flatten())
            .or_else(|| std::env::var("USER").ok())
            .or_else(|| std::env::var("USERNAME").ok())
            .unwrap_or_else(|| "unknown".to_owned())
    }
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            use clap::error::ErrorKind;
            let wants_json = std::env::args().any(|a| a == "--json");
            if wants_json && !matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion)
            {
                let message = e.kind().as_str().unwrap_or("invalid arguments");
                let detail = e.to_string();
                let body = serde_json::json!({ "error": { "code": waymark_core::ErrorCode::Usage.as_str(), "message": message, "detail": detail.trim(), "field": null } });
                err_out!("{body}");
                return ExitCode::from(2);
            }
            // clap prints help and usage errors itself; ignore a failing terminal.
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    let ctx = Context {
        data_dir: cli.data_dir,
        json: cli.json,
        author: cli.author,
        framework: cli.framework,
    };
    let result = match cli.command {
        Command::Frameworks(cmd) => frameworks::run(&ctx, cmd),
        Command::Init(a) => review::init(&ctx, a),
        Command::Institution(cmd) => review::institution(&ctx, cmd),
        Command::Status => review::status(&ctx),
        Command::Set(a) => review::set(&ctx, a),
        Command::Confirm { benchmark } => review::confirm(&ctx, &benchmark),
        Command::History { benchmark } => review::history(&ctx, &benchmark),
        Command::Upgrade { to } => review::upgrade(&ctx, to.as_deref()),
        Command::Actions(cmd) => plan::actions(&ctx, cmd),
        Command::Evidence(cmd) => evidence::run(&ctx, cmd),
        Command::Group(cmd) => plan::group(&ctx, cmd),
        Command::Report(a) => documents::report(&ctx, a),
        Command::Certificate { kind, document } => documents::certificate(&ctx, &kind, document),
        Command::ActionPlan(a) => documents::action_plan(&ctx, a),
        Command::Enroll { code } => return finish(&ctx, submit::enroll(&ctx, &code)),
        Command::Submit(a) => return finish(&ctx, submit::submit(&ctx, &a)),
        Command::Sync(a) => return finish(&ctx, submit::sync(&ctx, &a)),
        Command::Submissions { id } => {
            return finish(&ctx, submit::submissions(&ctx, id.as_deref()));
        }
        Command::Receipt(cmd) => return finish(&ctx, submit::receipt(&ctx, &cmd)),
        Command::Privacy => privacy::overview(&ctx),
        Command::Export { out, with_evidence } => privacy::export(&ctx, &out, with_evidence),
        Command::Import { file } => privacy::import(&ctx, &file),
        Command::Network(cmd) => privacy::network(&ctx, cmd),
        Command::Erase { yes, local_only } => {
            return finish(&ctx, privacy::erase(&ctx, yes, local_only));
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            if ctx.json {
                err_out!("{}", errors::json(&e));
            } else {
                err_out!("error: {}", errors::message(&e));
            }
            ExitCode::FAILURE
        }
    }
}

/// Reports a submission command's result (its errors carry the engine's codes).
fn finish(ctx: &Context, result: Result<(), waymark_sync::SyncError>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            if ctx.json {
                err_out!("{}", errors::sync_json(&e));
            } else {
                err_out!("error: {}", errors::sync_message(&e));
            }
            ExitCode::FAILURE
        }
    }
}
