//! The one English wording of the core's typed values: award reasons, evidence status details,
//! skipped files and error hints. The CLI and the PDF documents print these `Display`s; the
//! desktop UI words the same values itself (`ui/src/lib/words.ts`), from the same data, and a
//! Welsh renderer would be a sibling of this module. Nothing here decides anything: every
//! number and flag comes from the value.

use std::fmt::{self, Display, Formatter};

use crate::error::Hint;
use crate::evidence::{ReadProblem, StatusDetail};
use crate::progress::{Gaps, Reason};
use crate::workspace::SkipReason;

fn plural(n: u32, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

impl Display for Reason {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Reason::NotRegistered => {
                f.write_str("Not registered yet: register the institution for this self-review")
            }
            Reason::Progress {
                overall,
                needed_percent,
                more,
            } => write!(
                f,
                "Progress is {}% ({} of {} benchmarks complete); {} needed for {needed_percent}%",
                overall.percent,
                overall.done,
                overall.total,
                plural(*more, "more benchmark", "more benchmarks"),
            ),
            Reason::DimensionsComplete {
                complete,
                total,
                needed,
            } => write!(
                f,
                "{complete} of {total} dimensions complete; needs {needed}"
            ),
            Reason::RequiredEvidence {
                evidence,
                needed_percent: 100,
                missing,
            } => write!(
                f,
                "{missing} of {} required evidence items missing",
                evidence.total
            ),
            Reason::RequiredEvidence {
                evidence,
                needed_percent,
                ..
            } => write!(
                f,
                "{} of {} required evidence items have evidence ({}%); needs {needed_percent}%",
                evidence.done, evidence.total, evidence.percent
            ),
            Reason::FutureActions { planned, needed } => write!(
                f,
                "{} planned; needs {needed}",
                plural(*planned, "future action", "future actions")
            ),
            Reason::Incomplete {
                benchmark,
                title,
                missing,
            } => write!(f, "{benchmark} {title}: {missing}"),
            Reason::BelowThreshold {
                benchmark,
                title,
                level,
                needed,
                needed_is_top,
            } => {
                let needs = if *needed_is_top {
                    format!("needs {needed}")
                } else {
                    format!("needs {needed} or better")
                };
                match level {
                    Some(l) => write!(f, "{benchmark} {title}: level {l}, {needs}"),
                    None => write!(f, "{benchmark} {title}: no level chosen, {needs}"),
                }
            }
        }
    }
}

impl Display for Gaps {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str(match (self.level, self.commentary) {
            (true, true) => "no level chosen and no commentary",
            (true, false) => "no level chosen",
            (false, true) => "no commentary",
            (false, false) => "complete",
        })
    }
}

impl Display for ReadProblem {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            ReadProblem::NotFound => f.write_str("no such file or folder"),
            ReadProblem::PermissionDenied => f.write_str("permission denied"),
            ReadProblem::NotAFile => f.write_str(
                "something other than a file (a folder?) is at this path; put the file back or remove the item",
            ),
            ReadProblem::Other { message } => f.write_str(message),
        }
    }
}

impl Display for StatusDetail {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            StatusDetail::Changed => {
                f.write_str("the file's content has changed since it was added")
            }
            StatusDetail::Gone => f.write_str("the file is no longer at this path"),
            StatusDetail::MovedFrom { from } => write!(f, "moved from {from}"),
            StatusDetail::MovedAndChanged { from } => write!(
                f,
                "moved from {from}; the file's content has changed since it was added"
            ),
            StatusDetail::Unreadable { problem } => problem.fmt(f),
        }
    }
}

impl Display for SkipReason {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            SkipReason::CannotRead { problem } => problem.fmt(f),
            SkipReason::Modified => f.write_str(
                "modified since it was added; accept the new version or restore the file, then freeze again",
            ),
            SkipReason::Missing => f.write_str("missing; put the file back or remove the item"),
            SkipReason::Unreadable => f.write_str(
                "cannot be read; close the program that has it open or fix its permissions",
            ),
            SkipReason::ChangedSinceScan => f.write_str(
                "changed since the last scan; check the files again, accept or restore it, then freeze again",
            ),
            SkipReason::CopyFailed { message } => {
                write!(f, "could not be copied into the vault ({message})")
            }
        }
    }
}

impl Display for Hint {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Hint::Available { ids } if ids.is_empty() => f.write_str("There are none yet."),
            Hint::Available { ids } => write!(f, "Available: {}.", ids.join(", ")),
            Hint::Nearby { ids } => write!(f, "Nearby ids: {}.", ids.join(", ")),
            Hint::NoneYet => f.write_str("There are none yet."),
            Hint::CheckTheList => f.write_str("Check the id against the list and try again."),
            Hint::FrameworkContents { framework } => write!(
                f,
                "The {framework} framework's list of benchmarks shows the ids."
            ),
            Hint::InstallFramework => f.write_str(
                "Install the new framework file in the data folder's frameworks/ folder.",
            ),
            Hint::RestoreBackup => f.write_str(
                "The database is missing data it should hold; restore the data folder from a backup.",
            ),
            Hint::LinkedTo { links } if links.is_empty() => {
                f.write_str("The item is not linked to anything; nothing was changed.")
            }
            Hint::LinkedTo { links } => write!(
                f,
                "The item is linked to: {}; nothing was changed.",
                links.join(", ")
            ),
            Hint::MaybeRemoved => {
                f.write_str("It may have been removed meanwhile; look at the list again.")
            }
            Hint::NoResponse => f.write_str("Only a benchmark with a response can be confirmed."),
        }
    }
}

impl Display for crate::privacy::HeldKind {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        use crate::privacy::HeldKind as K;
        f.write_str(match self {
            K::Institution => "institution profile",
            K::Reviews => "self-reviews",
            K::Responses => "responses (level and commentary)",
            K::HistoryEntries => "earlier versions of responses",
            K::ArchivedResponses => "archived responses",
            K::Actions => "planned actions",
            K::WorkingGroup => "working-group members",
            K::EvidenceFiles => "evidence files tracked (they stay where they are)",
            K::EvidenceFolders => "evidence folders",
            K::FrozenCopies => "frozen evidence copies (encrypted, in the vault)",
            K::Submissions => "submissions",
            K::Erasures => "erasures recorded",
        })
    }
}
