//! The `waymark-assess` command: argument parsing and what each command prints. Every failure
//! is returned as an [`Error`]; `main` prints it as `error: …` and exits 1.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use clap::{ArgGroup, Parser, Subcommand, ValueEnum};
use waymark_protocol::api::{Moderation, Recommendation, SubmissionSummary};
use waymark_protocol::crypt::Identity;
use waymark_protocol::review::{EvidenceRequest, Feedback, Outcome};
use waymark_protocol::{InstitutionId, SubmissionId};

use crate::error::{Error, Result};
use crate::session::{self, Session};
use crate::{decide, keychain, list, open, profile};

/// The assessor's tool: review submissions to the awarding body, on your own machine.
#[derive(Debug, Parser)]
#[command(name = "waymark-assess", version, about, long_about = None)]
pub struct Cli {
    /// The folder of the tool's settings (default: your config folder). Secrets are never here.
    #[arg(long, global = true, env = "WAYMARK_ASSESS_DIR", value_name = "DIR")]
    pub profile_dir: Option<PathBuf>,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Sign in with the enrollment code the awarding body sent you (`-` reads it from stdin).
    SignIn {
        /// The code, `wm1:…`.
        code: String,
    },
    /// The submissions assigned to you.
    List,
    /// Download, verify and decrypt a submission into a new folder.
    Open {
        /// The submission id (from `list`).
        submission: String,
        /// The folder to create.
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// Decrypt with this age identity file instead of your keychain identity.
        #[arg(long, value_name = "FILE")]
        identity: Option<PathBuf>,
    },
    /// Ask the school for more evidence.
    RequestEvidence {
        /// The submission id.
        submission: String,
        /// The message to the school.
        #[arg(long)]
        message: String,
        /// What is missing for one benchmark (repeat for several).
        #[arg(long = "benchmark", value_name = "ID=TEXT")]
        benchmarks: Vec<String>,
    },
    /// Recommend an outcome, with feedback for the school.
    Recommend {
        /// The submission id.
        submission: String,
        /// Award, or not yet.
        #[arg(long, value_enum)]
        outcome: OutcomeArg,
        /// Strengths.
        #[arg(long)]
        strengths: String,
        /// Areas for development.
        #[arg(long)]
        development: String,
        /// Areas of enhanced or exceptional practice (frameworks without levels).
        #[arg(long)]
        enhanced: Option<String>,
        /// Notes for the moderator (not shown to the school).
        #[arg(long)]
        notes: Option<String>,
    },
    /// Moderate a recommendation: confirm it, or send it back to the assessor.
    #[command(group(ArgGroup::new("decision").required(true).args(["confirm", "send_back"])))]
    Moderate {
        /// The submission id.
        submission: String,
        /// The recommendation stands.
        #[arg(long)]
        confirm: bool,
        /// Back to the assessor, with the reason.
        #[arg(long, value_name = "REASON")]
        send_back: Option<String>,
    },
    /// Declare a link to an institution: you will not be assigned its submissions.
    DeclareLink {
        /// The institution's id (shown by `open`).
        institution: String,
        /// What the link is.
        #[arg(long)]
        reason: String,
    },
    /// Remove your credentials from the keychain and your settings from this computer.
    SignOut,
}

/// `--outcome`.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum OutcomeArg {
    /// Make the award.
    Award,
    /// Not this time.
    NotYet,
}

fn submission_id(text: &str) -> Result<SubmissionId> {
    text.parse()
        .map_err(|e: waymark_protocol::ProtocolError| Error::Usage(e.to_string()))
}

fn summary_line(summary: &SubmissionSummary) -> String {
    format!(
        "submission {} of {} is now {}",
        summary.id,
        summary.institution_name,
        summary.state.as_str().replace('_', " ")
    )
}

fn read_code(code: &str) -> Result<String> {
    if code != "-" {
        return Ok(code.to_owned());
    }
    let mut text = String::new();
    std::io::Read::read_to_string(&mut std::io::stdin(), &mut text)
        .map_err(|e| Error::io("cannot read the code", "stdin", e))?;
    Ok(text)
}

fn read_identity(path: &Path) -> Result<Identity> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Error::io("cannot read the identity file", path, e))?;
    Identity::from_secret_text(&text).map_err(|e| Error::Usage(format!("{}: {e}", path.display())))
}

/// Runs one command, printing what it did to stdout.
pub async fn run(cli: Cli) -> Result<()> {
    let dir = profile::profile_dir(cli.profile_dir.as_deref())?;
    match cli.command {
        Command::SignIn { code } => {
            let code = read_code(&code)?;
            let done = session::sign_in(&dir, &code).await?;
            let p = &done.profile;
            println!(
                "Signed in to {} as {} <{}>.",
                p.awarding_body, p.name, p.email
            );
            println!("Endpoint:        {}", p.endpoint);
            println!(
                "Key fingerprint: {} (check it matches the one the awarding body gave you)",
                done.code_fingerprint.grouped()
            );
            if p.pinned != done.code_fingerprint {
                println!(
                    "Current key set: {} (a verified successor, now pinned)",
                    p.pinned.grouped()
                );
            }
            println!(
                "Credentials:     your token and decryption identity are in the OS keychain (service `{}`, entry `{}`), nowhere else",
                keychain::SERVICE,
                done.keychain_user
            );
            println!("Settings:        {}", done.profile_file.display());
            if !done.recipient_published {
                println!(
                    "Note: the awarding body's key set does not list your key yet; new submissions may not be readable by you"
                );
            }
        }
        Command::List => {
            let session = Session::load(&dir)?;
            let assignments = list::assignments(&session.client).await?;
            print!(
                "{}",
                list::table(&assignments, chrono::Local::now().date_naive())
            );
        }
        Command::Open {
            submission,
            out,
            identity,
        } => {
            let id = submission_id(&submission)?;
            let session = Session::load(&dir)?;
            let identity = match identity {
                Some(path) => Arc::new(read_identity(&path)?),
                None => session.identity.clone(),
            };
            let opened = open::open(
                &session,
                id,
                &out,
                identity,
                chrono::Local::now().date_naive(),
            )
            .await?;
            print_opened(&opened);
        }
        Command::RequestEvidence {
            submission,
            message,
            benchmarks,
        } => {
            let id = submission_id(&submission)?;
            let benchmarks = benchmarks
                .iter()
                .map(|b| decide::parse_benchmark(b))
                .collect::<Result<Vec<_>>>()?;
            let session = Session::load(&dir)?;
            let summary = decide::request_evidence(
                &session,
                id,
                &EvidenceRequest {
                    message,
                    benchmarks,
                },
            )
            .await?;
            println!("More evidence requested: {}.", summary_line(&summary));
        }
        Command::Recommend {
            submission,
            outcome,
            strengths,
            development,
            enhanced,
            notes,
        } => {
            let id = submission_id(&submission)?;
            let session = Session::load(&dir)?;
            let recommendation = Recommendation {
                outcome: match outcome {
                    OutcomeArg::Award => Outcome::Award,
                    OutcomeArg::NotYet => Outcome::NotYet,
                },
                feedback: Feedback {
                    strengths,
                    areas_for_development: development,
                    enhanced_practice: enhanced,
                },
                notes: notes.unwrap_or_default(),
                judgements: Vec::new(),
            };
            let summary = decide::recommend(&session, id, &recommendation).await?;
            println!(
                "Recommended; the moderator decides next: {}.",
                summary_line(&summary)
            );
        }
        Command::Moderate {
            submission,
            confirm,
            send_back,
        } => {
            let id = submission_id(&submission)?;
            let moderation = match (confirm, send_back) {
                (true, None) => Moderation::Confirm,
                (false, Some(reason)) => Moderation::SendBack { reason },
                _ => {
                    return Err(Error::Usage(
                        "give exactly one of --confirm or --send-back REASON".into(),
                    ));
                }
            };
            let session = Session::load(&dir)?;
            let summary = decide::moderate(&session, id, &moderation).await?;
            println!("Moderated: {}.", summary_line(&summary));
        }
        Command::DeclareLink {
            institution,
            reason,
        } => {
            let institution: InstitutionId = institution
                .parse()
                .map_err(|e: waymark_protocol::ProtocolError| Error::Usage(e.to_string()))?;
            let session = Session::load(&dir)?;
            decide::declare_link(&session, institution, &reason).await?;
            println!(
                "Link to institution {institution} declared: you will not be assigned its submissions, and can take no step on those you hold."
            );
        }
        Command::SignOut => {
            let done = session::sign_out(&dir)?;
            match done.who {
                Some(who) => {
                    println!("Signed out {who}.");
                    if done.keychain_entry {
                        println!("Removed the credentials from the OS keychain.");
                    } else {
                        println!("(The OS keychain held no credentials for this account.)");
                    }
                    println!("Folders written by `open` are left for you to delete.");
                }
                None => println!("Nobody is signed in (settings folder {}).", dir.display()),
            }
        }
    }
    Ok(())
}

fn print_opened(opened: &open::Opened) {
    if !opened.named_in.is_empty() {
        println!("{}", "!".repeat(78));
        println!("WARNING: THIS SUBMISSION NAMES YOU. You must not assess or moderate it.");
        for place in &opened.named_in {
            println!("  - {place}");
        }
        println!(
            "Declare the link (`waymark-assess declare-link {} --reason …`) and tell the awarding body.",
            opened.institution.id
        );
        println!("Decisions on this submission are refused by this tool.");
        println!("{}", "!".repeat(78));
    }
    println!(
        "Opened submission {} (version {}) from {} (institution {}) as {}.",
        opened.submission,
        opened.version,
        opened.institution.name,
        opened.institution.id,
        crate::list::role_text(opened.role)
    );
    println!(
        "Verified: every envelope's signature with the institution's key, every blob's SHA-256 and size, the manifest, and each evidence file's BLAKE3."
    );
    println!("Written to {}:", opened.out.display());
    println!("  {}", open::MANIFEST_FILE);
    match &opened.report_failed {
        None => println!("  {}", open::REPORT_FILE),
        Some(reason) => println!("  (the report could not be made: {reason})"),
    }
    println!(
        "  {}/ ({} files)",
        open::EVIDENCE_DIR,
        opened.evidence.len()
    );
    for name in &opened.evidence {
        println!("    {name}");
    }
    println!("  {}", open::ASSESSMENT_FILE);
    if opened.manifest.evidence.iter().any(|e| e.personal_data) {
        println!(
            "Some evidence shows pupils' personal data: keep this folder private and delete it when the review is over."
        );
    }
}

/// Parses the arguments, runs the command and returns the exit code (errors printed).
pub fn main() -> std::process::ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { 1 } else { 0 };
            let _ = e.print();
            return std::process::ExitCode::from(code);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start: {e}");
            return std::process::ExitCode::from(1);
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            if let Some(hint) = next_step(&e) {
                eprintln!("{hint}");
            }
            std::process::ExitCode::from(1)
        }
    }
}

/// The command line's own next step for a refusal the library words neutrally.
fn next_step(e: &crate::Error) -> Option<String> {
    match e {
        crate::Error::NotOpened(id) | crate::Error::NewerVersion { submission: id, .. } => {
            Some(format!("Run `waymark-assess open {id} --out DIR` first."))
        }
        crate::Error::NotAssigned(_) => {
            Some("`waymark-assess list` shows your assignments.".into())
        }
        crate::Error::NotImpartial { .. } => Some(
            "Declare the link with `waymark-assess declare-link INSTITUTION --reason …`.".into(),
        ),
        _ => None,
    }
}
