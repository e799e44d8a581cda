//! The `waymark-server` command: `init` a data folder, `serve` it, and the awarding body's
//! administration (institutions, assessors, assignments, submissions, awards) working directly
//! on the data folder (the same operations are in the API under `/v1/admin/...`), erasing an
//! institution and running retention, plus `verify-receipt`, which needs nothing but the
//! receipt and the published key sets.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Parser, Subcommand};
use waymark_protocol::api::{Account, IssuedCode, KeySets};
use waymark_protocol::crypt::Recipient;
use waymark_protocol::keys::{Fingerprint, verify_chain};
use waymark_protocol::receipt::verify_receipt;
use waymark_protocol::signed::Signed;

use crate::clock::{Clock, SystemClock};
use crate::config::{Config, LogFormat};
use crate::init::{InitOptions, init, issue_admin_token};
use crate::meta::Meta;
use crate::state::AppState;

#[derive(Parser)]
#[command(
    name = "waymark-server",
    version,
    about = "The awarding body's Waymark endpoint."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Args)]
struct DataDir {
    /// The server's data folder (configuration, keys, metadata, blobs).
    #[arg(
        long,
        env = "WAYMARK_SERVER_DATA_DIR",
        default_value = "/var/lib/waymark-server"
    )]
    data_dir: PathBuf,
}

#[derive(Subcommand)]
enum Command {
    /// Create a data folder: configuration, signing key, first key set, admin token.
    Init {
        #[command(flatten)]
        data: DataDir,
        /// The awarding body's name, shown to schools when they enrol.
        #[arg(long)]
        awarding_body: String,
        /// The address schools reach the endpoint at, e.g. https://endpoint.example.org
        #[arg(long)]
        public_url: String,
        /// Where to listen.
        #[arg(long, default_value = "127.0.0.1:8443")]
        listen: SocketAddr,
        /// An age recipient (age1…) the awarding body already holds the identity for; repeat
        /// for several. Without one, a new identity is written to --identity-out.
        #[arg(long = "recipient")]
        recipients: Vec<String>,
        /// Where to write a new identity (outside the data folder; keep it offline).
        #[arg(long)]
        identity_out: Option<PathBuf>,
    },
    /// Serve the API (plain HTTP behind a reverse proxy, or TLS when configured).
    Serve {
        #[command(flatten)]
        data: DataDir,
    },
    /// Copy this data folder's embedded stores (meta.sqlite, blobs/) into the PostgreSQL
    /// database and S3 bucket its server.toml now names. Stop the server first.
    MigrateStorage {
        #[command(flatten)]
        data: DataDir,
    },
    /// Print a new administrator token.
    AdminToken {
        #[command(flatten)]
        data: DataDir,
    },
    /// Institutions (schools and colleges).
    Institutions {
        #[command(subcommand)]
        command: InstitutionCommand,
    },
    /// Assessors and moderators.
    Assessors {
        #[command(subcommand)]
        command: AssessorCommand,
    },
    /// Assign an assessor and a moderator to a submission (impartiality is checked).
    Assign {
        #[command(flatten)]
        data: DataDir,
        /// The submission's id.
        submission: String,
        /// The assessor's id.
        #[arg(long)]
        assessor: String,
        /// The moderator's id (a different assessor).
        #[arg(long)]
        moderator: String,
    },
    /// Submissions.
    Submissions {
        #[command(subcommand)]
        command: SubmissionCommand,
    },
    /// Awards.
    Awards {
        #[command(subcommand)]
        command: AwardCommand,
    },
    /// Retention: delete submissions past the period in server.toml ([retention]).
    Retention {
        #[command(subcommand)]
        command: RetentionCommand,
    },
    /// Revoke every token of an institution or an assessor (a stolen laptop, someone leaving).
    RevokeTokens {
        #[command(flatten)]
        data: DataDir,
        /// The institution whose tokens to revoke.
        #[arg(
            long,
            conflicts_with = "assessor",
            required_unless_present = "assessor"
        )]
        institution: Option<String>,
        /// The assessor whose tokens to revoke.
        #[arg(long)]
        assessor: Option<String>,
    },
    /// The awarding body's key sets: who submissions are encrypted to, and the signing key.
    Keys {
        #[command(subcommand)]
        command: KeyCommand,
    },
    /// Check a receipt offline against the awarding body's published key sets.
    VerifyReceipt {
        /// The receipt (JSON, as the school saved it).
        file: PathBuf,
        /// The key sets (JSON from GET /v1/key-sets).
        #[arg(long)]
        key_sets: PathBuf,
        /// The key set fingerprint the school pinned (from its enrollment code).
        #[arg(long)]
        fingerprint: String,
        /// The envelope the school kept (JSON `Signed`), to check the receipt is for it.
        #[arg(long)]
        envelope: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum InstitutionCommand {
    /// Register an institution and print its one-time enrollment code.
    Add {
        #[command(flatten)]
        data: DataDir,
        /// Its name.
        #[arg(long)]
        name: String,
        /// Its public identifier, a URN such as urn:schoolid:uk:123456.
        #[arg(long)]
        identifier: String,
    },
    /// List institutions.
    List {
        #[command(flatten)]
        data: DataDir,
    },
    /// A new enrollment code (lost key or machine); revokes the institution's tokens.
    NewCode {
        #[command(flatten)]
        data: DataDir,
        /// The institution's id.
        id: String,
    },
    /// Erase everything the endpoint holds of an institution (a request received by other
    /// means than the app); prints what was deleted and the signed confirmation to give it.
    Erase {
        #[command(flatten)]
        data: DataDir,
        /// The institution's id.
        id: String,
    },
}

#[derive(Subcommand)]
enum RetentionCommand {
    /// Delete every submission past the retention period now and print each one.
    Run {
        #[command(flatten)]
        data: DataDir,
        /// Only list what would be deleted.
        #[arg(long)]
        dry_run: bool,
    },
}

#[derive(Subcommand)]
enum KeyCommand {
    /// Show the key set chain: versions, fingerprints, signing keys and recipients.
    List {
        #[command(flatten)]
        data: DataDir,
    },
    /// Publish a new key set with one more recipient (an identity the awarding body holds).
    AddRecipient {
        #[command(flatten)]
        data: DataDir,
        /// The age recipient (age1…).
        recipient: String,
        /// Who holds the identity, e.g. "Board office (spare)".
        #[arg(long)]
        label: String,
    },
    /// Publish a new key set without a recipient (an assessor left, an identity retired). New
    /// submissions are not encrypted to it; old ones stay as they were.
    RemoveRecipient {
        #[command(flatten)]
        data: DataDir,
        /// The age recipient (age1…).
        recipient: String,
    },
    /// Replace the server's signing key (stop the server first, start it after). Receipts
    /// signed by the old key stay verifiable through the chain.
    RotateSigningKey {
        #[command(flatten)]
        data: DataDir,
    },
}

#[derive(Subcommand)]
enum SubmissionCommand {
    /// List submissions, newest first.
    List {
        #[command(flatten)]
        data: DataDir,
        /// Only those in this state (received, under_review, more_evidence_requested,
        /// resubmitted, recommended, awarded, not_awarded).
        #[arg(long)]
        state: Option<String>,
    },
}

#[derive(Subcommand)]
enum AwardCommand {
    /// Awards due for renewal: expiring within the period (e.g. 90d, 6m, 1y).
    Expiring {
        #[command(flatten)]
        data: DataDir,
        /// How far ahead to look.
        #[arg(long, default_value = "90d")]
        within: String,
    },
}

/// Reads `90d`, `12w`, `6m` or `1y` (or a bare number of days) as days.
fn parse_period(text: &str) -> Result<u32, String> {
    let text = text.trim();
    let (number, unit) = match text.char_indices().last() {
        Some((i, c)) if c.is_ascii_alphabetic() => (&text[..i], c),
        _ => (text, 'd'),
    };
    let n: u32 = number
        .parse()
        .map_err(|_| format!("`{text}` is not a period: write e.g. 90d, 12w, 6m or 1y"))?;
    let days = match unit {
        'd' => Some(n),
        'w' => n.checked_mul(7),
        'm' => n.checked_mul(31),
        'y' => n.checked_mul(366),
        _ => None,
    };
    days.ok_or_else(|| format!("`{text}` is not a period: write e.g. 90d, 12w, 6m or 1y"))
}

#[derive(Subcommand)]
enum AssessorCommand {
    /// Register an assessor and print their one-time enrollment code.
    Add {
        #[command(flatten)]
        data: DataDir,
        /// Their name.
        #[arg(long)]
        name: String,
        /// Their email.
        #[arg(long)]
        email: String,
    },
    /// List assessors.
    List {
        #[command(flatten)]
        data: DataDir,
    },
    /// A new enrollment code (new machine); revokes the assessor's tokens.
    NewCode {
        #[command(flatten)]
        data: DataDir,
        /// The assessor's id.
        id: String,
    },
}

/// A failure of a command, printed as `error: …` with exit code 1.
type CliResult = Result<(), String>;

/// Runs the command line.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli.command)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn clock() -> Arc<dyn Clock> {
    Arc::new(SystemClock)
}

async fn open(data: &DataDir) -> Result<AppState, String> {
    let config = Config::load(&data.data_dir).map_err(|e| e.to_string())?;
    AppState::open(&data.data_dir, config, clock())
        .await
        .map_err(|e| e.to_string())
}

/// The metadata store `server.toml` names (for the commands that need only it).
async fn open_meta(data: &DataDir) -> Result<(Config, Arc<dyn Meta>), String> {
    let config = Config::load(&data.data_dir).map_err(|e| e.to_string())?;
    let meta = crate::state::open_meta(&data.data_dir, &config)
        .await
        .map_err(|e| e.to_string())?;
    Ok((config, meta))
}

fn print_code(issued: &IssuedCode) {
    let (kind, id, name) = match &issued.account {
        Account::Institution(i) => ("institution", i.id.to_string(), i.name.clone()),
        Account::Assessor(a) => ("assessor", a.id.to_string(), a.name.clone()),
    };
    println!("{kind} {id} ({name})");
    println!(
        "enrollment code (give it out of band; it works once, until {}):",
        issued.expires_at.format("%Y-%m-%d %H:%M UTC")
    );
    println!("{}", issued.code);
}

fn install_logging(config: &Config) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_new(&config.log.level).unwrap_or_else(|_| EnvFilter::new("info"));
    // Colours only on a terminal: journald and log files get plain text.
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stdout());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(ansi);
    let _ = match config.log.format {
        LogFormat::Json => builder.json().try_init(),
        LogFormat::Text => builder.try_init(),
    };
}

async fn run(command: Command) -> CliResult {
    match command {
        Command::Init {
            data,
            awarding_body,
            public_url,
            listen,
            recipients,
            identity_out,
        } => {
            let recipients = recipients
                .iter()
                .map(|r| r.parse::<Recipient>())
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| e.to_string())?;
            let done = init(
                &data.data_dir,
                InitOptions {
                    awarding_body,
                    public_url,
                    listen,
                    recipients,
                    identity_out,
                },
                clock(),
            )
            .await
            .map_err(|e| e.to_string())?;
            println!("created {}", data.data_dir.display());
            println!("key set fingerprint: {}", done.fingerprint.grouped());
            if let Some(path) = done.identity_file {
                println!(
                    "the awarding body's identity (reads submissions) is in {}: move it off this server and keep a backup",
                    path.display()
                );
            }
            println!("administrator token (shown once; keep it in a password manager):");
            println!("{}", done.admin_token);
            Ok(())
        }
        Command::Serve { data } => serve_command(&data.data_dir).await,
        Command::MigrateStorage { data } => {
            let config = Config::load(&data.data_dir).map_err(|e| e.to_string())?;
            let copied = crate::migrate::migrate_storage(&data.data_dir, &config)
                .await
                .map_err(|e| e.to_string())?;
            println!(
                "blob objects: {} copied, {} already in the bucket ({} bytes)",
                copied.objects_copied, copied.objects_kept, copied.bytes
            );
            for (table, rows) in &copied.rows {
                println!("{table}: {rows} rows copied and counted");
            }
            println!(
                "done: serve from the new stores now; meta.sqlite and blobs/ were left as they were"
            );
            Ok(())
        }
        Command::AdminToken { data } => {
            let (_, meta) = open_meta(&data).await?;
            let token = issue_admin_token(meta.as_ref(), clock().as_ref())
                .await
                .map_err(|e| e.to_string())?;
            println!("{token}");
            Ok(())
        }
        Command::Institutions { command } => match command {
            InstitutionCommand::Add {
                data,
                name,
                identifier,
            } => {
                let state = open(&data).await?;
                let issued = crate::accounts::add_institution(&state, &name, &identifier)
                    .await
                    .map_err(|f| f.message)?;
                print_code(&issued);
                Ok(())
            }
            InstitutionCommand::List { data } => {
                let state = open(&data).await?;
                for i in state.meta.institutions().await.map_err(|e| e.to_string())? {
                    let enrolled = if i.public_key.is_some() {
                        "enrolled"
                    } else {
                        "not enrolled"
                    };
                    println!("{}  {}  {}  {enrolled}", i.id, i.identifier, i.name);
                }
                Ok(())
            }
            InstitutionCommand::Erase { data, id } => erase_command(&data, &id).await,
            InstitutionCommand::NewCode { data, id } => {
                let state = open(&data).await?;
                let id = id
                    .parse()
                    .map_err(|e: waymark_protocol::ProtocolError| e.to_string())?;
                let issued = crate::accounts::reissue_institution_code(&state, id)
                    .await
                    .map_err(|f| f.message)?;
                print_code(&issued);
                Ok(())
            }
        },
        Command::Assessors { command } => match command {
            AssessorCommand::Add { data, name, email } => {
                let state = open(&data).await?;
                let issued = crate::accounts::add_assessor(&state, &name, &email)
                    .await
                    .map_err(|f| f.message)?;
                print_code(&issued);
                Ok(())
            }
            AssessorCommand::List { data } => {
                let state = open(&data).await?;
                for a in state.meta.assessors().await.map_err(|e| e.to_string())? {
                    let enrolled = if a.age_recipient.is_some() {
                        "enrolled"
                    } else {
                        "not enrolled"
                    };
                    println!("{}  {}  {}  {enrolled}", a.id, a.email, a.name);
                }
                Ok(())
            }
            AssessorCommand::NewCode { data, id } => {
                let state = open(&data).await?;
                let id = id
                    .parse()
                    .map_err(|e: waymark_protocol::ProtocolError| e.to_string())?;
                let issued = crate::accounts::reissue_assessor_code(&state, id)
                    .await
                    .map_err(|f| f.message)?;
                print_code(&issued);
                Ok(())
            }
        },
        Command::Assign {
            data,
            submission,
            assessor,
            moderator,
        } => {
            let state = open(&data).await?;
            let parse_err = |e: waymark_protocol::ProtocolError| e.to_string();
            let request = waymark_protocol::api::AssignRequest {
                assessor: assessor.parse().map_err(parse_err)?,
                moderator: moderator.parse().map_err(parse_err)?,
            };
            let record =
                crate::review::assign(&state, submission.parse().map_err(parse_err)?, request)
                    .await
                    .map_err(|f| f.message)?;
            let due = record
                .review_due
                .map_or_else(|| "-".to_owned(), |d| d.to_string());
            println!(
                "submission {} is {} (review due {due})",
                record.id,
                record.state.as_str()
            );
            Ok(())
        }
        Command::Submissions {
            command: SubmissionCommand::List { data, state: only },
        } => {
            let state = open(&data).await?;
            let only = only
                .map(|s| {
                    serde_json::from_value::<waymark_protocol::review::ReviewState>(
                        serde_json::Value::String(s.clone()),
                    )
                    .map_err(|_| format!("`{s}` is not a review state"))
                })
                .transpose()?;
            let list = crate::review::submissions(&state, only)
                .await
                .map_err(|f| f.message)?;
            for s in list.submissions {
                let due = s
                    .review_due
                    .map_or_else(|| "-".to_owned(), |d| d.to_string());
                println!(
                    "{}  {:<24} due {due}  v{}  {} {}  {}",
                    s.id,
                    s.state.as_str(),
                    s.versions,
                    s.framework.id,
                    s.award,
                    s.institution_name
                );
            }
            Ok(())
        }
        Command::Awards {
            command: AwardCommand::Expiring { data, within },
        } => {
            let days = parse_period(&within)?;
            let state = open(&data).await?;
            let list = crate::review::expiring(&state, days)
                .await
                .map_err(|f| f.message)?;
            if list.awards.is_empty() {
                println!("no award expires within {within}");
            }
            for a in list.awards {
                println!(
                    "{}  expires {}  {}  {} ({})",
                    a.award.verification_code,
                    a.award.expires_on,
                    a.award.title,
                    a.institution.name,
                    a.institution.identifier
                );
            }
            Ok(())
        }
        Command::Retention {
            command: RetentionCommand::Run { data, dry_run },
        } => retention_command(&data, dry_run).await,
        Command::Keys { command } => keys_command(command).await,
        Command::RevokeTokens {
            data,
            institution,
            assessor,
        } => {
            let (kind, id) = match (institution, assessor) {
                (Some(id), _) => (crate::meta::AccountKind::Institution, id),
                (None, Some(id)) => (crate::meta::AccountKind::Assessor, id),
                (None, None) => return Err("give --institution ID or --assessor ID".into()),
            };
            let id = uuid::Uuid::parse_str(id.trim()).map_err(|_| {
                format!("`{id}` is not an id (see `institutions list` or `assessors list`)")
            })?;
            let state = open(&data).await?;
            let n = crate::accounts::revoke(&state, kind, id)
                .await
                .map_err(|f| f.message)?;
            println!(
                "revoked {n} token(s); a new enrollment code (`new-code`) lets them enrol again"
            );
            Ok(())
        }
        Command::VerifyReceipt {
            file,
            key_sets,
            fingerprint,
            envelope,
        } => verify_receipt_command(&file, &key_sets, &fingerprint, envelope.as_deref()),
    }
}

async fn erase_command(data: &DataDir, id: &str) -> CliResult {
    let id: waymark_protocol::InstitutionId = id
        .parse()
        .map_err(|e: waymark_protocol::ProtocolError| e.to_string())?;
    let state = open(data).await?;
    let response = crate::erasure::erase(&state, id, waymark_protocol::review::Role::AwardingBody)
        .await
        .map_err(|f| f.message)?;
    let confirmation = crate::erasure::read(&state, &response).map_err(|f| f.message)?;
    let when = confirmation.erased_at.format("%Y-%m-%d %H:%M UTC");
    if response.created {
        println!("institution {id} erased at {when}");
    } else {
        println!("institution {id} was already erased at {when}; nothing more was deleted");
    }
    let d = &confirmation.deleted;
    println!(
        "deleted: {} submissions, {} envelopes (with their receipts), {} events, {} awards, {} uploads, {} blobs ({} bytes), {} tokens, {} enrollment codes, {} declared links, {} profile",
        d.submissions,
        d.envelopes,
        d.events,
        d.awards,
        d.uploads,
        d.blobs,
        d.blob_bytes,
        d.tokens,
        d.enrollment_codes,
        d.assessor_links,
        d.profiles
    );
    println!("signed confirmation (give it to the institution; it verifies against the key sets):");
    println!(
        "{}",
        serde_json::to_string(&response.confirmation).map_err(|e| e.to_string())?
    );
    Ok(())
}

async fn retention_command(data: &DataDir, dry_run: bool) -> CliResult {
    let state = open(data).await?;
    let days = state.config.retention.submissions_days;
    let report = crate::retention::run(&state, dry_run)
        .await
        .map_err(|f| f.message)?;
    let Some(cutoff) = report.cutoff else {
        println!(
            "retention is off ([retention] submissions_days = 0): submissions are kept for ever and nothing was deleted"
        );
        return Ok(());
    };
    let award = |a: Option<chrono::NaiveDate>| {
        a.map_or_else(|| "no award".to_owned(), |d| format!("award expired {d}"))
    };
    println!(
        "retention {days} days: submissions whose last event and award expiry are before {}",
        cutoff.format("%Y-%m-%d %H:%M UTC")
    );
    if dry_run {
        for c in &report.due {
            println!(
                "would delete {}  institution {}  last event {}  {}",
                c.id,
                c.institution,
                c.last_event_at.format("%Y-%m-%d"),
                award(c.award_expires_on)
            );
        }
        println!(
            "{} submission(s) would be deleted (dry run: nothing was)",
            report.due.len()
        );
        return Ok(());
    }
    for d in &report.deleted {
        let c = &d.submission;
        println!(
            "deleted {}  institution {}  last event {}  {}  ({} envelopes, {} events, {} blobs, {} bytes)",
            c.id,
            c.institution,
            c.last_event_at.format("%Y-%m-%d"),
            award(c.award_expires_on),
            d.envelopes,
            d.events,
            d.blobs,
            d.blob_bytes
        );
    }
    println!("{} submission(s) deleted", report.deleted.len());
    Ok(())
}

async fn keys_command(command: KeyCommand) -> CliResult {
    use crate::keys::{self, KeySetChange};
    let (data, change) = match command {
        KeyCommand::List { data } => {
            let (_, meta) = open_meta(&data).await?;
            for signed in meta.key_sets().await.map_err(|e| e.to_string())? {
                let set = signed.open_self_signed().map_err(|e| e.to_string())?;
                println!(
                    "key set {}  fingerprint {}  issued {}  signing key {}",
                    set.version,
                    signed.fingerprint().grouped(),
                    set.issued_at.format("%Y-%m-%d %H:%M UTC"),
                    set.signing_key.key_id()
                );
                for r in &set.recipients {
                    println!("    {}  {}", r.age, r.label);
                }
            }
            return Ok(());
        }
        KeyCommand::AddRecipient {
            data,
            recipient,
            label,
        } => {
            let r: Recipient = recipient
                .parse()
                .map_err(|e: waymark_protocol::ProtocolError| e.to_string())?;
            (data, KeySetChange::Add(vec![keys::recipient(&label, r)]))
        }
        KeyCommand::RemoveRecipient { data, recipient } => {
            let r: Recipient = recipient
                .parse()
                .map_err(|e: waymark_protocol::ProtocolError| e.to_string())?;
            (data, KeySetChange::Remove(r))
        }
        KeyCommand::RotateSigningKey { data } => {
            let (config, meta) = open_meta(&data).await?;
            let signed = keys::rotate_signing_key(
                &data.data_dir,
                meta.as_ref(),
                &config.awarding_body,
                &config.public_url,
                clock().now(),
            )
            .await
            .map_err(|e| e.to_string())?;
            println!(
                "published key set with fingerprint {} under a new signing key; start (or restart) the server now",
                signed.fingerprint().grouped()
            );
            return Ok(());
        }
    };
    let (config, meta) = open_meta(&data).await?;
    let key = keys::load_signing_key(&data.data_dir).map_err(|e| e.to_string())?;
    let signed = keys::publish_key_set(
        meta.as_ref(),
        &key,
        &config.awarding_body,
        &config.public_url,
        change,
        clock().now(),
    )
    .await
    .map_err(|e| e.to_string())?;
    println!(
        "published key set with fingerprint {}; schools follow it from the one they pinned",
        signed.fingerprint().grouped()
    );
    Ok(())
}

fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    serde_json::from_str(&text)
        .map_err(|e| format!("{} is not what was expected: {e}", path.display()))
}

fn verify_receipt_command(
    file: &Path,
    key_sets: &Path,
    fingerprint: &str,
    envelope: Option<&Path>,
) -> CliResult {
    let receipt: Signed = read_json(file)?;
    let chain: KeySets = read_json(key_sets)?;
    let pinned = Fingerprint::parse(fingerprint).map_err(|e| e.to_string())?;
    // The whole chain must verify from the pinned set; the receipt is then checked against the
    // set (in that chain) whose signing key signed it.
    verify_chain(&pinned, &chain.key_sets).map_err(|e| e.to_string())?;
    let start = chain
        .key_sets
        .iter()
        .position(|s| s.fingerprint() == pinned)
        .unwrap_or(0);
    let signer = chain.key_sets[start..]
        .iter()
        .filter_map(|s| s.open_self_signed().ok())
        .find(|set| set.signing_key.key_id() == receipt.key_id)
        .ok_or_else(|| format!("the receipt was signed by key {}, which is in none of the awarding body's key sets", receipt.key_id))?;
    let envelope: Option<Signed> = envelope.map(read_json).transpose()?;
    let r = verify_receipt(&receipt, &signer, envelope.as_ref()).map_err(|e| e.to_string())?;
    println!(
        "valid receipt from {} (key set {})",
        signer.awarding_body, signer.version
    );
    println!("submission {} version {}", r.submission, r.version);
    println!("institution {}", r.institution);
    println!("envelope sha256 {}", r.envelope_sha256);
    println!("received {}", r.received_at.to_rfc3339());
    if envelope.is_some() {
        println!("it is the receipt for the envelope given");
    }
    Ok(())
}

async fn serve_command(data_dir: &Path) -> CliResult {
    let config = Config::load(data_dir).map_err(|e| e.to_string())?;
    install_logging(&config);
    let state = AppState::open(data_dir, config.clone(), clock())
        .await
        .map_err(|e| e.to_string())?;
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", config.listen))?;
    let housekeeping = tokio::spawn(crate::serve::housekeeping(state.clone()));
    let result = match &config.tls {
        Some(tls) => {
            let tls = crate::serve::load_tls(tls).map_err(|e| e.to_string())?;
            tracing::info!(listen = %config.listen, "serving HTTPS");
            crate::serve::serve_tls(listener, state, tls, crate::serve::shutdown_signal()).await
        }
        None => {
            tracing::info!(listen = %config.listen, "serving HTTP (put TLS in front: a reverse proxy, or [tls] in server.toml)");
            crate::serve::serve(listener, state, crate::serve::shutdown_signal()).await
        }
    };
    housekeeping.abort();
    result.map_err(|e| format!("the server stopped: {e}"))?;
    tracing::info!("stopped");
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn periods_read_as_days() {
        assert_eq!(super::parse_period("90d"), Ok(90));
        assert_eq!(super::parse_period("90"), Ok(90));
        assert_eq!(super::parse_period("2w"), Ok(14));
        assert_eq!(super::parse_period("6m"), Ok(186));
        assert!(super::parse_period("soon").unwrap_err().contains("90d"));
        assert!(super::parse_period("5x").is_err());
    }
}
