//! The command line's shape: every command, flag and its help text.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use waymark_core::store::{ActionStatus, Phase};

/// Waymark: evidence-based self-review and accreditation for schools and colleges.
#[derive(Debug, Parser)]
#[command(name = "waymark", version, about)]
pub struct Cli {
    /// Data folder to use (default: the OS's per-user data folder, as the app uses).
    #[arg(long, global = true, env = "WAYMARK_DATA_DIR", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Print machine-readable JSON instead of tables.
    #[arg(long, global = true)]
    pub json: bool,
    /// Name recorded as the author of changes (default: your login name).
    #[arg(long = "as", global = true, env = "WAYMARK_USER", value_name = "NAME")]
    pub author: Option<String>,
    /// Which review to act on, by framework id, when more than one is registered.
    #[arg(long, global = true, value_name = "ID")]
    pub framework: Option<String>,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// List, show and check frameworks.
    #[command(subcommand)]
    Frameworks(FrameworksCmd),
    /// Register the institution for a framework (unlocks the Certificate of Commitment).
    Init(InitArgs),
    /// Show or correct the institution's details.
    #[command(subcommand)]
    Institution(InstitutionCmd),
    /// Progress per dimension and the status of every award.
    Status,
    /// Set the level and/or commentary of a benchmark.
    Set(SetArgs),
    /// Confirm a response carried over from an earlier framework version.
    Confirm {
        /// Benchmark id, e.g. 2.3.
        benchmark: String,
    },
    /// Show every change to a benchmark's response: who, what, when.
    History {
        /// Benchmark id, e.g. 2.3.
        benchmark: String,
    },
    /// Plan and track future actions.
    #[command(subcommand)]
    Actions(ActionsCmd),
    /// Evidence files: add, link, list and rescan them (they stay where they are on disk).
    #[command(subcommand)]
    Evidence(EvidenceCmd),
    /// The working group: who contributes to the self-review.
    #[command(subcommand)]
    Group(GroupCmd),
    /// Write the self-review report as a PDF: summary and chart, every benchmark with its
    /// level and commentary, the evidence index and the action plan.
    Report(crate::documents::DocumentArgs),
    /// Print a certificate as a PDF once it is available, e.g. `commitment` or `progress`.
    Certificate {
        /// Which award: its id in the framework (`commitment`, `progress`, …).
        kind: String,
        #[command(flatten)]
        document: crate::documents::DocumentArgs,
    },
    /// Write the action plan as a PDF table (for governors' meetings).
    ActionPlan(crate::documents::DocumentArgs),
    /// Connect this data folder to the awarding body with the enrollment code it sent you.
    /// The token and the institution's signing key are kept in the OS keychain.
    Enroll {
        /// The enrollment code (`wm1:…`), copied whole.
        code: String,
    },
    /// Apply for a mark: check it can be applied for, show what will be sent, confirm each
    /// item showing pupils' personal data, then encrypt, sign and queue it (`waymark sync`
    /// sends it).
    Submit(crate::submit::SubmitArgs),
    /// Send queued submissions and fetch the review's news from the awarding body.
    Sync(crate::submit::SyncArgs),
    /// Every submission with its state and receipt, or one in detail.
    Submissions {
        /// A submission's id (as listed) to show in detail.
        id: Option<String>,
    },
    /// Check or save the awarding body's signed receipts.
    #[command(subcommand)]
    Receipt(crate::submit::ReceiptCmd),
    /// What Waymark holds and has sent, and to whom: the right of access at a glance.
    Privacy,
    /// Export everything this data folder holds into one archive (JSON, plus the frozen
    /// evidence with --with-evidence), to keep or to import elsewhere.
    Export {
        /// The archive to write (replaced if it exists).
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// Also carry the frozen evidence copies and the sealed submissions.
        #[arg(long)]
        with_evidence: bool,
    },
    /// Make a new data folder (--data-dir) from an export archive.
    Import {
        /// The archive `waymark export` wrote.
        file: PathBuf,
    },
    /// Erase everything Waymark holds here: database, vault, outbox, exports it made and its
    /// keychain entries; when enrolled, the awarding body is asked to erase its copy first.
    Erase {
        /// Do not ask for the typed confirmation.
        #[arg(long)]
        yes: bool,
        /// Erase only this computer's data, not the awarding body's (e.g. it was asked by
        /// other means, or the endpoint has gone).
        #[arg(long)]
        local_only: bool,
    },
    /// Pause or resume all network activity (the right to restriction): while paused nothing
    /// is sent, checked or downloaded, and the outbox waits.
    #[command(subcommand)]
    Network(NetworkCmd),
    /// Move the review to a newer version of its framework.
    Upgrade {
        /// Target version (default: the latest installed).
        #[arg(long, value_name = "VERSION")]
        to: Option<String>,
    },
}

/// `network …`
#[derive(Debug, Subcommand)]
pub enum NetworkCmd {
    /// Pause all network activity until `waymark network resume`.
    Pause,
    /// Resume network activity: the outbox sends what waits.
    Resume,
    /// Whether network activity is paused.
    Status,
}

/// `frameworks …`
#[derive(Debug, Subcommand)]
pub enum FrameworksCmd {
    /// List the frameworks available.
    List,
    /// Show a framework's dimensions and benchmarks with their ids.
    Show {
        /// Framework id.
        id: String,
        /// Version (default: latest).
        #[arg(long)]
        version: Option<String>,
    },
    /// Check framework files and explain every problem found.
    Validate {
        /// Files to check.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Print the JSON Schema of the framework file format.
    Schema,
}

/// `init …`
#[derive(Debug, Args)]
pub struct InitArgs {
    /// Institution name, as it should appear on certificates.
    #[arg(long)]
    pub institution: String,
    /// Framework version (default: latest).
    #[arg(long)]
    pub version: Option<String>,
    #[command(flatten)]
    pub details: InstitutionDetails,
}

/// Optional institution fields.
#[derive(Debug, Args, Default)]
pub struct InstitutionDetails {
    /// URN, UKPRN or similar reference number.
    #[arg(long)]
    pub identifier: Option<String>,
    /// Phase of education: primary, secondary, all-through, special, further-education,
    /// higher-education or other.
    #[arg(long, value_parser = parse_phase)]
    pub phase: Option<Phase>,
    /// Contact name.
    #[arg(long)]
    pub contact: Option<String>,
    /// Contact email.
    #[arg(long)]
    pub email: Option<String>,
    /// Contact role.
    #[arg(long)]
    pub role: Option<String>,
}

/// `institution …`
#[derive(Debug, Subcommand)]
pub enum InstitutionCmd {
    /// Show the institution's details.
    Show,
    /// Correct the institution's details (fields not given stay as they are).
    Update {
        /// New name.
        #[arg(long)]
        name: Option<String>,
        #[command(flatten)]
        details: InstitutionDetails,
    },
}

/// `set …`
#[derive(Debug, Args)]
pub struct SetArgs {
    /// Benchmark id, e.g. 2.3.
    pub benchmark: String,
    /// Level chosen.
    #[arg(long, conflicts_with = "clear_level")]
    pub level: Option<u8>,
    /// Remove the level.
    #[arg(long)]
    pub clear_level: bool,
    /// Commentary text.
    #[arg(long, conflicts_with = "commentary_file")]
    pub commentary: Option<String>,
    /// Read the commentary from a UTF-8 text file (`-` for standard input).
    #[arg(long, value_name = "FILE")]
    pub commentary_file: Option<PathBuf>,
}

/// `actions …`
#[derive(Debug, Subcommand)]
pub enum ActionsCmd {
    /// Add a future action.
    Add {
        /// What will be done.
        text: String,
        /// Who will do it.
        #[arg(long)]
        owner: Option<String>,
        /// Due date, YYYY-MM-DD.
        #[arg(long)]
        due: Option<String>,
        /// Benchmark it improves (repeat for several).
        #[arg(long = "benchmark", value_name = "ID")]
        benchmarks: Vec<String>,
    },
    /// List future actions.
    List {
        /// Only actions with this status: open, in-progress or done.
        #[arg(long, value_parser = parse_status)]
        status: Option<ActionStatus>,
        /// Only actions owned by this person.
        #[arg(long)]
        owner: Option<String>,
    },
    /// Mark an action as done.
    Done {
        /// Action id (or its first characters).
        id: String,
    },
    /// Mark an action as under way.
    Start {
        /// Action id (or its first characters).
        id: String,
    },
    /// Reopen an action.
    Reopen {
        /// Action id (or its first characters).
        id: String,
    },
}

/// What evidence is linked to.
#[derive(Debug, Args, Default)]
pub struct LinkArgs {
    /// Benchmark it supports (repeat for several).
    #[arg(long = "benchmark", value_name = "ID")]
    pub benchmarks: Vec<String>,
    /// Evidence requirement it satisfies, e.g. 1.1-plan (its benchmark is linked too).
    #[arg(long = "requirement", value_name = "ID")]
    pub requirements: Vec<String>,
}

/// `evidence …`
#[derive(Debug, Subcommand)]
pub enum EvidenceCmd {
    /// Add files or whole folders as evidence (they are hashed, not copied).
    Add {
        /// Files or folders.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        #[command(flatten)]
        links: LinkArgs,
    },
    /// List evidence with each item's path and status.
    List,
    /// Look at every item again: ok, modified, missing, moved or unreadable.
    Rescan,
    /// Link an item to more benchmarks or requirements.
    Link {
        /// Item id (or at least 4 characters of its start or end).
        id: String,
        #[command(flatten)]
        links: LinkArgs,
    },
    /// Set an item's title and note, and mark whether it shows pupils' personal data.
    Describe {
        /// Item id (or at least 4 characters of its start or end).
        id: String,
        /// New title.
        #[arg(long)]
        title: Option<String>,
        /// A note about the item.
        #[arg(long)]
        note: Option<String>,
        /// The item shows pupils' personal data (a submission will ask for confirmation).
        #[arg(long, conflicts_with = "no_personal_data")]
        personal_data: bool,
        /// The item shows no personal data.
        #[arg(long)]
        no_personal_data: bool,
    },
    /// Copy every item's reviewed content into the data folder's vault (identical files once).
    Freeze,
    /// Accept a modified item's current content as the version of record.
    Accept {
        /// Item id (or at least 4 characters of its start or end).
        id: String,
    },
    /// Stop tracking an item. The file itself is left alone, and the item's history is kept.
    Remove {
        /// Item id (or at least 4 characters of its start or end).
        id: String,
    },
    /// Remove an item's links to a benchmark, or only its link to one of its requirements.
    Unlink {
        /// Item id (or at least 4 characters of its start or end).
        id: String,
        /// Benchmark to unlink from (every link to it, unless --requirement is given).
        #[arg(long, value_name = "ID")]
        benchmark: String,
        /// Only the link to this evidence requirement of the benchmark, e.g. 1.1-plan.
        #[arg(long, value_name = "ID")]
        requirement: Option<String>,
    },
    /// List the folders watched for changes and searched for moved files.
    Folders,
}

/// `group …`
#[derive(Debug, Subcommand)]
pub enum GroupCmd {
    /// Add a member of the working group.
    Add {
        /// Name.
        name: String,
        /// Role.
        #[arg(long)]
        role: Option<String>,
        /// Email.
        #[arg(long)]
        email: Option<String>,
    },
    /// Correct a member's details (name, role, email); the correction is sent to the awarding
    /// body once enrolled.
    Update {
        /// Member id.
        id: String,
        /// Name (as it should now read).
        #[arg(long)]
        name: String,
        /// Role.
        #[arg(long)]
        role: Option<String>,
        /// Email.
        #[arg(long)]
        email: Option<String>,
    },
    /// List the working group.
    List,
    /// Remove a member (their details are erased and the erasure recorded; their past changes
    /// keep their name).
    Remove {
        /// Member id.
        id: String,
    },
}

fn parse_phase(text: &str) -> Result<Phase, String> {
    Phase::parse(text).ok_or_else(|| {
        let all: Vec<&str> = Phase::ALL.iter().map(|p| p.as_str()).collect();
        format!("{text:?} is not a phase; use one of: {}", all.join(", "))
    })
}

fn parse_status(text: &str) -> Result<ActionStatus, String> {
    ActionStatus::parse(text)
        .ok_or_else(|| format!("{text:?} is not a status; use open, in-progress or done"))
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn the_command_line_definition_is_consistent() {
        super::Cli::command().debug_assert();
    }
}
