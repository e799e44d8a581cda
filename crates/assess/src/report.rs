//! The self-review report of a decrypted submission, as the same PDF a school prints.
//!
//! The report is made by `waymark_documents::report` from a [`Workspace`], exactly as in the
//! school's app, so nothing here lays out a page or judges progress. The manifest is replayed
//! into a throwaway workspace in a temporary folder (removed afterwards) through the
//! workspace's public methods only: register, author, responses, action plan, working group,
//! evidence. Evidence is added where the assessor decrypted it; adding only hashes and
//! records a file (no copy is made, and the vault is never written: nothing is frozen), so
//! the only new files are the temporary workspace's own database and the PDF.
//!
//! What the report cannot show as the school saw it:
//! - the history: the workspace records its own times and authors, so every response reads
//!   as edited once, now, by the manifest's `prepared_by` (or the response's `updated_by`);
//!   the report shows current responses, which is what is assessed. The manifest's
//!   `history` stays in the decrypted manifest.
//! - an action's `detail` is printed after its title (the core's action has one text);
//! - the institution's reference, when the core would refuse its spelling: the wire's
//!   `urn:schoolid:uk:NNNNNN` is printed as the school's own `NNNNNN`, anything else the core
//!   refuses is left off the cover rather than failing the report.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use waymark_core::evidence::EvidenceLink;
use waymark_core::framework::Framework;
use waymark_core::store::{ActionStatus, ContributorInput, InstitutionInput, NewAction, Review};
use waymark_core::{ResponseUpdate, Workspace};
use waymark_protocol::ProtocolError;
use waymark_protocol::manifest::{Manifest, ManifestAction, ManifestEvidence};

/// The wire's spelling of an English school URN; the core keeps the number alone.
const URN_PREFIX: &str = "urn:schoolid:uk:";

/// What went wrong making the report. No PDF is written when any of these is returned,
/// except [`ReportError::Cleanup`] (the PDF is complete; only the temporary folder remains).
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// The manifest breaks the wire's rules.
    #[error(
        "The submission's manifest is not valid ({source}). Download the submission again; if it is refused again, tell the awarding body."
    )]
    Manifest {
        /// What the protocol found.
        source: ProtocolError,
    },
    /// The submission follows a framework this build does not bundle.
    #[error(
        "The submission follows framework {id} version {version}, which this Waymark does not have (it has: {known}). Install a waymark-assess release that includes the {id} {version} framework file, then make the report again."
    )]
    UnknownFramework {
        /// The framework's id.
        id: String,
        /// The version asked for.
        version: String,
        /// The frameworks (and versions) this build has, for the message.
        known: String,
    },
    /// The manifest names a benchmark its framework does not have.
    #[error(
        "The submission's {place} names benchmark {benchmark}, which {framework} does not have. The submission does not match its framework; ask the awarding body to return it to the school."
    )]
    UnknownBenchmark {
        /// The benchmark id as written.
        benchmark: String,
        /// The framework and version, for the message.
        framework: String,
        /// Where it was named ("response", "action “…”", "evidence “…”").
        place: String,
    },
    /// An action's status is not one Waymark knows.
    #[error(
        "The action “{title}” has status “{status}”, which Waymark does not know (planned, open, in_progress or done). The submission may come from a newer Waymark; update waymark-assess."
    )]
    UnknownActionStatus {
        /// The action's title.
        title: String,
        /// The status as written.
        status: String,
    },
    /// The core refused part of the submission; `what` says which part.
    #[error("The submission's {what} could not be recorded: {source}")]
    Refused {
        /// Which part: "institution", "response to E1.S1.A1", "action “…”", …
        what: String,
        /// The core's reason (its message says what to change).
        source: Box<waymark_core::Error>,
    },
    /// An evidence item of the manifest has no decrypted file.
    #[error(
        "Evidence “{title}” ({id}) has no decrypted file. Decrypt the submission again so every evidence file is there."
    )]
    MissingEvidenceFile {
        /// The manifest's evidence id.
        id: String,
        /// Its title.
        title: String,
    },
    /// A decrypted file is given for an id the manifest does not list.
    #[error(
        "A decrypted file ({}) is given for evidence {id}, which the manifest does not list. Decrypt the submission again into an empty folder.",
        path.display()
    )]
    UnexpectedEvidenceFile {
        /// The id given.
        id: String,
        /// The file given.
        path: PathBuf,
    },
    /// The same evidence id, or the same file, is given twice.
    #[error(
        "Evidence {id} is given twice, or shares its decrypted file ({}) with another item. Each evidence item needs its own file; decrypt the submission again into an empty folder.",
        path.display()
    )]
    DuplicateEvidence {
        /// The id given twice (or the second item naming the same file).
        id: String,
        /// Its file.
        path: PathBuf,
    },
    /// A decrypted evidence file is not a readable file.
    #[error(
        "The decrypted file for evidence “{title}” ({}) cannot be used: {reason}. Decrypt the submission again.",
        path.display()
    )]
    EvidenceUnreadable {
        /// Its title.
        title: String,
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// A decrypted file is not the content the school sent.
    #[error(
        "The decrypted file for evidence “{title}” ({}) is not the file the school sent (BLAKE3 {found}, the manifest says {expected}). Decrypt the submission again; if it still differs, tell the awarding body.",
        path.display()
    )]
    EvidenceHashMismatch {
        /// Its title.
        title: String,
        /// The file.
        path: PathBuf,
        /// The manifest's hash.
        expected: String,
        /// The file's hash.
        found: String,
    },
    /// The temporary folder for the workspace could not be made.
    #[error(
        "A temporary folder for the report could not be made ({source}). Check that the temporary folder (TMPDIR) exists, can be written to and has space."
    )]
    TempFolder {
        /// What the operating system said.
        source: std::io::Error,
    },
    /// The temporary workspace failed (opening it, reading it back, making the PDF).
    #[error("The report could not be made: {source}")]
    Workspace {
        /// The core's error.
        source: Box<waymark_core::Error>,
    },
    /// The PDF could not be written.
    #[error("The report could not be saved to {}: {source}", path.display())]
    Write {
        /// Where it was to go.
        path: PathBuf,
        /// The core's error (its message says what to do).
        source: Box<waymark_core::Error>,
    },
    /// The PDF was written but the temporary folder could not be removed.
    #[error(
        "The report was written, but the temporary folder {} could not be removed ({source}). Delete it yourself: it holds a copy of the submission's responses.",
        path.display()
    )]
    Cleanup {
        /// The temporary folder.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },
}

fn workspace_error(source: waymark_core::Error) -> ReportError {
    ReportError::Workspace {
        source: Box::new(source),
    }
}

fn refused(what: impl Into<String>) -> impl FnOnce(waymark_core::Error) -> ReportError {
    let what = what.into();
    move |source| ReportError::Refused {
        what,
        source: Box::new(source),
    }
}

/// Writes the report of `manifest` to `out_pdf` (atomically), as of `date`. `evidence_files`
/// pairs each evidence item's id (`ManifestEvidence::id`) with its decrypted file; every item
/// of the manifest needs one, and each file must hash to the manifest's BLAKE3.
///
/// The manifest is replayed into a temporary workspace (see the module documentation), so
/// the PDF is the one `waymark_documents::report` makes for the school's own review, except
/// for what a replay cannot carry: the history of changes (the workspace records its own
/// times; the report shows the current responses, which is what is assessed). Nothing is
/// written to `out_pdf` unless every part of the manifest was accepted.
pub fn render_report(
    manifest: &Manifest,
    evidence_files: &[(String, PathBuf)],
    date: NaiveDate,
    out_pdf: &Path,
) -> Result<(), ReportError> {
    manifest
        .check()
        .map_err(|source| ReportError::Manifest { source })?;
    let files = pair_files(manifest, evidence_files)?;

    let dir = tempfile::Builder::new()
        .prefix("waymark-report-")
        .tempdir()
        .map_err(|source| ReportError::TempFolder { source })?;
    let bytes = {
        // Dropped (database closed) before the folder is removed. Its key lives only in
        // this process (nothing in the folder outlives the report, or is readable meanwhile).
        let mut ws = Workspace::open_with_keys(dir.path(), waymark_core::EphemeralKeys::new())
            .map_err(workspace_error)?;
        ws.set_today(Some(date));
        let review = replay(&mut ws, manifest, &files)?;
        waymark_documents::report(&ws, &review, date)
            .map_err(workspace_error)?
            .bytes
    };
    waymark_documents::write_atomically(out_pdf, &bytes).map_err(|source| ReportError::Write {
        path: out_pdf.to_owned(),
        source: Box::new(source),
    })?;
    let path = dir.path().to_owned();
    dir.close()
        .map_err(|source| ReportError::Cleanup { path, source })
}

/// Each manifest evidence item with its decrypted file, in manifest order.
fn pair_files<'m>(
    manifest: &'m Manifest,
    evidence_files: &[(String, PathBuf)],
) -> Result<Vec<(&'m ManifestEvidence, PathBuf)>, ReportError> {
    let listed: HashSet<&str> = manifest.evidence.iter().map(|e| e.id.as_str()).collect();
    let mut by_id: HashMap<&str, &PathBuf> = HashMap::new();
    for (id, path) in evidence_files {
        if !listed.contains(id.as_str()) {
            return Err(ReportError::UnexpectedEvidenceFile {
                id: id.clone(),
                path: path.clone(),
            });
        }
        if by_id.insert(id.as_str(), path).is_some() {
            return Err(ReportError::DuplicateEvidence {
                id: id.clone(),
                path: path.clone(),
            });
        }
    }
    let mut seen = HashSet::new();
    manifest
        .evidence
        .iter()
        .map(|e| {
            let path =
                by_id
                    .get(e.id.as_str())
                    .ok_or_else(|| ReportError::MissingEvidenceFile {
                        id: e.id.clone(),
                        title: e.title.clone(),
                    })?;
            if !seen.insert(e.id.as_str()) {
                return Err(ReportError::DuplicateEvidence {
                    id: e.id.clone(),
                    path: (*path).clone(),
                });
            }
            let meta = std::fs::metadata(path).map_err(|err| ReportError::EvidenceUnreadable {
                title: e.title.clone(),
                path: (*path).clone(),
                reason: err.to_string(),
            })?;
            if !meta.is_file() {
                return Err(ReportError::EvidenceUnreadable {
                    title: e.title.clone(),
                    path: (*path).clone(),
                    reason: "it is not a file".into(),
                });
            }
            Ok((e, (*path).clone()))
        })
        .collect()
}

/// Registers the institution and records everything the manifest holds.
fn replay(
    ws: &mut Workspace,
    manifest: &Manifest,
    files: &[(&ManifestEvidence, PathBuf)],
) -> Result<Review, ReportError> {
    let by = match manifest.prepared_by.trim() {
        "" => manifest.institution.name.as_str(),
        name => name,
    };
    let review = register(ws, manifest, by)?;
    ws.set_author(&manifest.prepared_by)
        .map_err(refused("preparer's name"))?;
    let framework = ws.framework_of(&review).map_err(workspace_error)?;
    check_benchmarks(manifest, &framework)?;

    for r in &manifest.responses {
        let what = || format!("response to {}", r.benchmark);
        let level = match r.level {
            None => None,
            Some(l) => Some(u8::try_from(l).map_err(|_| ReportError::Refused {
                what: what(),
                source: Box::new(waymark_core::Error::invalid(
                    "level",
                    format!("Level {l} is not on the framework's scale."),
                )),
            })?),
        };
        let update = ResponseUpdate {
            level: Some(level),
            commentary: Some(r.commentary.clone()),
            base_revision: None,
        };
        let who = r.updated_by.as_deref().filter(|s| !s.trim().is_empty());
        ws.set_response(&review, &r.benchmark, update, who.unwrap_or(by))
            .map_err(refused(what()))?;
    }

    for a in &manifest.actions {
        add_action(ws, &review, a, by)?;
    }

    for c in &manifest.working_group {
        let input = ContributorInput {
            name: c.name.clone(),
            role: Some(c.role.clone()).filter(|r| !r.trim().is_empty()),
            email: c.email.clone().filter(|e| !e.trim().is_empty()),
        };
        ws.add_contributor(&input)
            .map_err(refused(format!("working group member “{}”", c.name)))?;
    }

    let mut added = HashSet::new();
    for (e, path) in files {
        add_evidence(ws, &review, e, path, by, &mut added)?;
    }
    Ok(review)
}

/// Registers for the manifest's framework version, refused clearly when this build lacks it.
fn register(ws: &mut Workspace, manifest: &Manifest, by: &str) -> Result<Review, ReportError> {
    let wanted = &manifest.framework;
    let catalog = ws.catalog().map_err(workspace_error)?;
    if catalog.get(&wanted.id, &wanted.version).is_none() {
        let known = catalog
            .list()
            .iter()
            .map(|f| format!("{} {}", f.id, f.versions.join(", ")))
            .collect::<Vec<_>>()
            .join("; ");
        return Err(ReportError::UnknownFramework {
            id: wanted.id.clone(),
            version: wanted.version.clone(),
            known: if known.is_empty() {
                "none".into()
            } else {
                known
            },
        });
    }
    let mut institution = InstitutionInput {
        name: manifest.institution.name.clone(),
        identifier: manifest.institution.identifier.as_deref().map(|id| {
            let id = id.trim();
            id.strip_prefix(URN_PREFIX).unwrap_or(id).to_owned()
        }),
        ..InstitutionInput::default()
    };
    if institution
        .problems()
        .iter()
        .any(|p| p.field == "identifier")
    {
        // Only printed on the cover; not worth refusing the report over.
        institution.identifier = None;
    }
    ws.register(&wanted.id, Some(&wanted.version), &institution, by)
        .map_err(refused("institution"))
}

/// Every benchmark the manifest names (responses, actions, evidence links) is in the
/// framework: checked before anything is hashed, so a mismatched manifest fails at once.
fn check_benchmarks(manifest: &Manifest, framework: &Framework) -> Result<(), ReportError> {
    let named = manifest
        .responses
        .iter()
        .map(|r| (r.benchmark.as_str(), "response".to_owned()))
        .chain(manifest.actions.iter().filter_map(|a| {
            a.benchmark
                .as_deref()
                .map(|b| (b, format!("action “{}”", a.title)))
        }))
        .chain(manifest.evidence.iter().flat_map(|e| {
            e.links
                .iter()
                .map(|l| (l.benchmark.as_str(), format!("evidence “{}”", e.title)))
        }));
    for (benchmark, place) in named {
        if framework.benchmark(benchmark).is_none() {
            return Err(ReportError::UnknownBenchmark {
                benchmark: benchmark.to_owned(),
                framework: format!("{} {}", framework.id(), framework.version()),
                place,
            });
        }
    }
    Ok(())
}

/// The core's status for the wire's spelling (`planned` is the wire's word for open).
fn action_status(status: &str) -> Option<ActionStatus> {
    let key = status.trim().to_ascii_lowercase().replace([' ', '-'], "_");
    match key.as_str() {
        "planned" => Some(ActionStatus::Open),
        other => ActionStatus::parse(other),
    }
}

fn add_action(
    ws: &mut Workspace,
    review: &Review,
    a: &ManifestAction,
    by: &str,
) -> Result<(), ReportError> {
    let status = action_status(&a.status).ok_or_else(|| ReportError::UnknownActionStatus {
        title: a.title.clone(),
        status: a.status.clone(),
    })?;
    let text = match a.detail.trim() {
        "" => a.title.clone(),
        detail => format!("{} — {detail}", a.title),
    };
    let action = NewAction {
        text,
        owner: a.owner.clone().filter(|o| !o.trim().is_empty()),
        due_date: a.due.map(|d| d.format("%Y-%m-%d").to_string()),
        benchmarks: a.benchmark.iter().cloned().collect(),
    };
    let what = || format!("action “{}”", a.title);
    let added = ws
        .add_action(review, &action, by)
        .map_err(refused(what()))?;
    if status != added.status {
        ws.set_action_status(review, &added.id, status)
            .map_err(refused(what()))?;
    }
    Ok(())
}

/// Adds one decrypted file where it is, checks it is the content the school sent, links it
/// as the manifest says and gives it the school's title and personal-data flag.
fn add_evidence(
    ws: &mut Workspace,
    review: &Review,
    e: &ManifestEvidence,
    path: &Path,
    by: &str,
    added: &mut HashSet<String>,
) -> Result<(), ReportError> {
    let what = || format!("evidence “{}”", e.title);
    let links: Vec<EvidenceLink> = e
        .links
        .iter()
        .map(|l| EvidenceLink {
            benchmark_id: l.benchmark.clone(),
            requirement_id: l.requirement.clone(),
        })
        .collect();
    let report = ws
        .add_evidence(review, &[path.to_owned()], &links, by)
        .map_err(refused(what()))?;
    if let Some(skipped) = report.skipped.first() {
        return Err(ReportError::EvidenceUnreadable {
            title: e.title.clone(),
            path: path.to_owned(),
            reason: skipped.reason.to_string(),
        });
    }
    let [item] = report.added.as_slice() else {
        return Err(ReportError::EvidenceUnreadable {
            title: e.title.clone(),
            path: path.to_owned(),
            reason: format!(
                "{} files were found where one was expected",
                report.added.len()
            ),
        });
    };
    if !added.insert(item.id.clone()) {
        return Err(ReportError::DuplicateEvidence {
            id: e.id.clone(),
            path: path.to_owned(),
        });
    }
    if !item.hash.eq_ignore_ascii_case(e.blake3.trim()) {
        return Err(ReportError::EvidenceHashMismatch {
            title: e.title.clone(),
            path: path.to_owned(),
            expected: e.blake3.clone(),
            found: item.hash.clone(),
        });
    }
    let title = match e.title.trim() {
        "" => e.file_name.as_str(),
        t => t,
    };
    ws.describe_evidence(review, &item.id, title, None, e.personal_data)
        .map_err(refused(what()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wires_action_statuses_map_onto_the_cores() {
        assert_eq!(action_status("planned"), Some(ActionStatus::Open));
        assert_eq!(action_status("open"), Some(ActionStatus::Open));
        assert_eq!(action_status("in progress"), Some(ActionStatus::InProgress));
        assert_eq!(action_status("In-Progress"), Some(ActionStatus::InProgress));
        assert_eq!(action_status("in_progress"), Some(ActionStatus::InProgress));
        assert_eq!(action_status(" done "), Some(ActionStatus::Done));
        assert_eq!(action_status("abandoned"), None);
        assert_eq!(action_status(""), None);
    }
}
