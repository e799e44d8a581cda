//! The read-only view of a local copy: the school's self-review laid out by its framework (the
//! bundled definition of the manifest's framework version), with what changed since the version
//! before, the requests made so far, the recommendation for the moderator, the impartiality
//! finding and what the assessor may do now — each decided here, so the app only formats.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use waymark_protocol::SubmissionId;
use waymark_protocol::api::AssessorSubmission;
use waymark_protocol::manifest::Manifest;
use waymark_protocol::review::{EventKind, Outcome, ReviewState, Role, Step};

use super::copy::{self, CopyRecord, copy_dir};
use super::draft;
use super::types::*;
use crate::client::ClientError;
use crate::error::{Error, Result};
use crate::impartiality;
use crate::open::assigned_submission;
use crate::session::Session;

/// How many recent history entries the view carries.
const RECENT_HISTORY: usize = 20;

/// The view of the copy of `id`.
pub(crate) async fn submission(
    session: &Session,
    id: SubmissionId,
    today: NaiveDate,
) -> Result<SubmissionView> {
    let dir = &session.dir;
    let record = copy::record(dir, id)?.ok_or(Error::NotOpened(id))?;
    let folder = copy_dir(dir, id);
    let manifest = copy::read_manifest(&folder, &record.manifest, &session.identity)?;
    let previous = copy::previous(&folder, &record, &session.identity);
    let live = match assigned_submission(&session.client, id).await {
        Ok(sub) => Some(sub),
        // Offline (or the endpoint down): the copy is still readable, as last seen.
        Err(Error::Client(e)) if e.code().is_none() && !matches!(e, ClientError::Write(_)) => None,
        Err(e) => return Err(e),
    };
    let draft = draft::load(session, id)?;
    let settings = copy::settings(dir)?;
    build(
        &record,
        &manifest,
        previous.as_ref().map(|(v, m)| (*v, m)),
        live.as_ref(),
        draft,
        &settings,
        (&session.profile.name, &session.profile.email),
        today,
    )
}

/// Builds the view from its parts (no I/O; tested beside).
#[allow(clippy::too_many_arguments)]
pub(crate) fn build(
    record: &CopyRecord,
    manifest: &Manifest,
    previous: Option<(u32, &Manifest)>,
    live: Option<&AssessorSubmission>,
    draft: Draft,
    settings: &DeskSettings,
    (name, email): (&str, &str),
    today: NaiveDate,
) -> Result<SubmissionView> {
    let catalog = waymark_core::framework::Catalog::bundled()
        .map_err(|e| Error::Internal(format!("the bundled frameworks do not load: {e}")))?;
    let framework = catalog
        .get(&manifest.framework.id, &manifest.framework.version)
        .ok_or_else(|| {
            Error::Usage(format!(
                "this version of Waymark does not know framework {} version {}, which the submission uses: update Waymark to review it",
                manifest.framework.id, manifest.framework.version
            ))
        })?;
    let scale: Vec<ScaleLevelView> = framework
        .scale()
        .map(|s| {
            s.levels
                .iter()
                .map(|l| ScaleLevelView {
                    value: u32::from(l.value),
                    name: l.name.clone(),
                })
                .collect()
        })
        .unwrap_or_default();
    let level_name = |value: u32| {
        scale
            .iter()
            .find(|l| l.value == value)
            .map(|l| l.name.clone())
    };

    let (state, versions, received_at, review_due) = match live {
        Some(sub) => {
            let s = &sub.assignment.summary;
            (s.state, s.versions, s.received_at, s.review_due)
        }
        None => (
            record.seen.state,
            record.seen.versions,
            record.seen.received_at,
            record.seen.review_due,
        ),
    };
    let role = live.map_or(record.role, |s| s.assignment.role);

    // What changed since the version before.
    let changes = previous.map(|(from_version, before)| changes(from_version, before, manifest));
    let changed_by_benchmark: HashMap<&str, &BenchmarkChange> = changes
        .iter()
        .flat_map(|c| c.benchmarks.iter())
        .map(|b| (b.benchmark.as_str(), b))
        .collect();
    let added_evidence: Vec<&str> = match previous {
        Some((_, before)) => manifest
            .evidence
            .iter()
            .filter(|e| !before.evidence.iter().any(|b| b.blake3 == e.blake3))
            .map(|e| e.id.as_str())
            .collect(),
        None => Vec::new(),
    };

    // The requests so far, from the review's events.
    let requests: Vec<RequestView> = live
        .map(|sub| {
            sub.events
                .iter()
                .filter_map(|e| match &e.kind {
                    EventKind::EvidenceRequested { request } => Some(RequestView {
                        at: e.at,
                        message: request.message.clone(),
                        benchmarks: request
                            .benchmarks
                            .iter()
                            .map(|b| BenchmarkMessage {
                                benchmark: b.benchmark.clone(),
                                message: b.message.clone(),
                            })
                            .collect(),
                    }),
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default();
    let mut requested: HashMap<&str, Vec<String>> = HashMap::new();
    for r in &requests {
        for b in &r.benchmarks {
            requested
                .entry(b.benchmark.as_str())
                .or_default()
                .push(b.message.clone());
        }
    }

    let responses: HashMap<&str, _> = manifest
        .responses
        .iter()
        .map(|r| (r.benchmark.as_str(), r))
        .collect();
    let mut dimensions: Vec<DimensionView> = Vec::new();
    for entry in framework.benchmarks() {
        let b = entry.benchmark;
        let response = responses.get(b.id.as_str());
        let level = response.and_then(|r| r.level);
        let view = BenchmarkView {
            id: b.id.clone(),
            title: b.title.clone(),
            guidance: b.guidance.clone(),
            level,
            level_name: level.and_then(level_name),
            descriptor: level.and_then(|v| {
                b.levels
                    .iter()
                    .find(|l| u32::from(l.value) == v)
                    .map(|l| l.descriptor.clone())
            }),
            levels: b
                .levels
                .iter()
                .map(|l| LevelView {
                    value: u32::from(l.value),
                    name: level_name(u32::from(l.value)).unwrap_or_default(),
                    descriptor: l.descriptor.clone(),
                })
                .collect(),
            commentary: response.map(|r| r.commentary.clone()).unwrap_or_default(),
            updated_at: response.and_then(|r| r.updated_at),
            updated_by: response.and_then(|r| r.updated_by.clone()),
            evidence: manifest
                .evidence
                .iter()
                .filter(|e| e.links.iter().any(|l| l.benchmark == b.id))
                .map(|e| e.id.clone())
                .collect(),
            changed: changed_by_benchmark
                .get(b.id.as_str())
                .map(|c| (*c).clone()),
            requested: requested.remove(b.id.as_str()).unwrap_or_default(),
        };
        match dimensions.last_mut() {
            Some(d) if d.id == entry.dimension.id => d.benchmarks.push(view),
            _ => dimensions.push(DimensionView {
                id: entry.dimension.id.clone(),
                title: entry.dimension.title.clone(),
                benchmarks: vec![view],
            }),
        }
    }

    let evidence = manifest
        .evidence
        .iter()
        .map(|e| {
            let mut benchmarks: Vec<String> = e.links.iter().map(|l| l.benchmark.clone()).collect();
            benchmarks.dedup();
            EvidenceView {
                id: e.id.clone(),
                title: e.title.clone(),
                file_name: e.file_name.clone(),
                size: e.size,
                personal_data: e.personal_data,
                benchmarks,
                added: added_evidence.contains(&e.id.as_str()),
            }
        })
        .collect();

    let recommendation = live
        .and_then(|s| s.recommendation.as_ref())
        .map(|r| RecommendationView {
            outcome: r.outcome,
            strengths: r.feedback.strengths.clone(),
            areas_for_development: r.feedback.areas_for_development.clone(),
            enhanced_practice: r.feedback.enhanced_practice.clone(),
            notes: r.notes.clone(),
            judgements: r
                .judgements
                .iter()
                .map(|j| JudgementView {
                    benchmark: j.benchmark.clone(),
                    agreed: j.agreed,
                    level: j.level,
                    note: j.note.clone(),
                })
                .collect(),
        });
    let sent_back = live.and_then(|sub| {
        sub.events.iter().rev().find_map(|e| match &e.kind {
            EventKind::SentBack { reason } => Some(Some(reason.clone())),
            EventKind::Recommended => Some(None),
            _ => None,
        })?
    });

    let named_in = impartiality::named_in(manifest, name, email);
    let may = allowed(
        role,
        state,
        &named_in,
        record.version,
        versions,
        live.is_some(),
    );
    let award = framework.award(&manifest.award);
    let mut seen = record.seen.clone();
    seen.versions = versions;
    seen.state = state;
    let copy_record = CopyRecord {
        seen,
        ..record.clone()
    };

    Ok(SubmissionView {
        submission: record.submission.to_string(),
        role,
        state,
        live: live.is_some(),
        version: record.version,
        versions,
        institution: InstitutionView {
            name: manifest.institution.name.clone(),
            identifier: manifest.institution.identifier.clone(),
        },
        framework: FrameworkView {
            id: framework.id().to_owned(),
            version: framework.version().to_owned(),
            title: framework.def().title.clone(),
            has_levels: framework.scale().is_some(),
            scale,
        },
        award: AwardView {
            id: manifest.award.clone(),
            title: award.map_or_else(|| manifest.award.clone(), |a| a.title.clone()),
        },
        prepared_at: manifest.prepared_at,
        prepared_by: manifest.prepared_by.clone(),
        received_on: received_at.date_naive(),
        review_due,
        overdue: crate::list::overdue(review_due, state, today),
        dimensions,
        evidence,
        actions: manifest
            .actions
            .iter()
            .map(|a| ActionView {
                title: a.title.clone(),
                detail: a.detail.clone(),
                benchmark: a.benchmark.clone(),
                owner: a.owner.clone(),
                due: a.due,
                status: a.status.clone(),
            })
            .collect(),
        working_group: manifest
            .working_group
            .iter()
            .map(|c| ContributorView {
                name: c.name.clone(),
                role: c.role.clone(),
                email: c.email.clone(),
            })
            .collect(),
        history: history(manifest),
        named_in,
        changes,
        requests,
        recommendation,
        sent_back,
        may,
        draft,
        copy: copy::copy_info(&copy_record, settings),
    })
}

/// What the assessor may do now: the review's one rule ([`ReviewState::after`]) for their role,
/// unless the submission names them, a newer version waits to be opened, or the endpoint cannot
/// be reached.
pub(crate) fn allowed(
    role: Role,
    state: ReviewState,
    named_in: &[String],
    version: u32,
    versions: u32,
    live: bool,
) -> Allowed {
    let none = |why: String| Allowed {
        request_evidence: false,
        recommend: false,
        moderate: false,
        why_not: Some(why),
    };
    if !named_in.is_empty() {
        return none(format!(
            "This submission names you ({}), so you cannot record a decision on it. Tell the awarding body, which will assign someone else.",
            named_in.join("; ")
        ));
    }
    if !live {
        return none(
            "The awarding body cannot be reached just now, so decisions cannot be sent. You can still read the submission and work on your draft.".into(),
        );
    }
    if version < versions {
        return none(format!(
            "The school has sent version {versions} since you opened version {version}: open it again before deciding."
        ));
    }
    let can = |step: Step| step.role() == role && state.after(step, Some(Outcome::Award)).is_some();
    let may = Allowed {
        request_evidence: can(Step::RequestEvidence),
        recommend: can(Step::Recommend),
        moderate: can(Step::Confirm),
        why_not: None,
    };
    if may.request_evidence || may.recommend || may.moderate {
        return may;
    }
    none(match (role, state) {
        (_, ReviewState::Awarded | ReviewState::NotAwarded) => {
            "The review is finished: nothing is left to decide.".into()
        }
        (Role::Assessor, ReviewState::MoreEvidenceRequested) => {
            "You asked the school for more evidence: decide once it answers.".into()
        }
        (Role::Assessor, ReviewState::Recommended) => {
            "You sent your recommendation: the moderator decides next.".into()
        }
        (Role::Moderator, _) => {
            "The assessor has not recommended an outcome yet: you moderate once they have.".into()
        }
        _ => "Nothing is for you to decide at this stage of the review.".into(),
    })
}

/// What changed from `before` (version `from_version`) to `after`.
pub(crate) fn changes(from_version: u32, before: &Manifest, after: &Manifest) -> Changes {
    let old: HashMap<&str, _> = before
        .responses
        .iter()
        .map(|r| (r.benchmark.as_str(), r))
        .collect();
    let new_files: Vec<_> = after
        .evidence
        .iter()
        .filter(|e| !before.evidence.iter().any(|b| b.blake3 == e.blake3))
        .collect();
    let mut by_benchmark: BTreeMap<String, BenchmarkChange> = BTreeMap::new();
    for r in &after.responses {
        let was = old.get(r.benchmark.as_str());
        let level_before = was.and_then(|w| w.level);
        let commentary_before = was.map(|w| w.commentary.as_str()).unwrap_or("");
        let level_changed = level_before != r.level;
        let commentary_changed = commentary_before.trim() != r.commentary.trim();
        if level_changed || commentary_changed {
            by_benchmark.insert(
                r.benchmark.clone(),
                BenchmarkChange {
                    benchmark: r.benchmark.clone(),
                    level_before,
                    level_after: r.level,
                    level_changed,
                    commentary_changed,
                    commentary_before: commentary_changed.then(|| commentary_before.to_owned()),
                    evidence_added: Vec::new(),
                },
            );
        }
    }
    for file in &new_files {
        for link in &file.links {
            let now = after
                .responses
                .iter()
                .find(|r| r.benchmark == link.benchmark)
                .and_then(|r| r.level);
            let entry = by_benchmark
                .entry(link.benchmark.clone())
                .or_insert_with(|| BenchmarkChange {
                    benchmark: link.benchmark.clone(),
                    level_before: now,
                    level_after: now,
                    level_changed: false,
                    commentary_changed: false,
                    commentary_before: None,
                    evidence_added: Vec::new(),
                });
            if !entry.evidence_added.contains(&file.title) {
                entry.evidence_added.push(file.title.clone());
            }
        }
    }
    Changes {
        from_version,
        benchmarks: by_benchmark.into_values().collect(),
        evidence_added: new_files.iter().map(|e| e.title.clone()).collect(),
        evidence_removed: before
            .evidence
            .iter()
            .filter(|b| !after.evidence.iter().any(|e| e.blake3 == b.blake3))
            .map(|e| e.title.clone())
            .collect(),
    }
}

/// The history summarised: counts, editors, the newest entries.
fn history(manifest: &Manifest) -> HistoryView {
    let mut editors: BTreeMap<String, u32> = BTreeMap::new();
    for h in &manifest.history {
        let name =
            h.by.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .unwrap_or("unknown");
        *editors.entry(name.to_owned()).or_default() += 1;
    }
    let mut editors: Vec<EditorCount> = editors
        .into_iter()
        .map(|(name, changes)| EditorCount { name, changes })
        .collect();
    editors.sort_by(|a, b| b.changes.cmp(&a.changes).then_with(|| a.name.cmp(&b.name)));
    let mut recent: Vec<HistoryItem> = manifest
        .history
        .iter()
        .map(|h| HistoryItem {
            at: h.at,
            benchmark: h.benchmark.clone(),
            by: h.by.clone(),
            summary: h.summary.clone(),
        })
        .collect();
    recent.sort_by_key(|h| std::cmp::Reverse(h.at));
    recent.truncate(RECENT_HISTORY);
    HistoryView {
        changes: manifest.history.len() as u32,
        first: manifest.history.iter().map(|h| h.at).min(),
        last: manifest.history.iter().map(|h| h.at).max(),
        editors,
        recent,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::DateTime;
    use waymark_protocol::envelope::BlobRef;
    use waymark_protocol::ids::FrameworkRef;
    use waymark_protocol::manifest::{
        EvidenceLink, ManifestEvidence, ManifestInstitution, ManifestResponse,
    };
    use waymark_protocol::{Sha256, manifest::MANIFEST_FORMAT};

    fn manifest(responses: &[(&str, Option<u32>, &str)], files: &[(&str, &str, &str)]) -> Manifest {
        Manifest {
            format: MANIFEST_FORMAT,
            institution: ManifestInstitution {
                name: "Hillside".into(),
                identifier: None,
            },
            framework: FrameworkRef {
                id: "technology-self-review".into(),
                version: "1.0".into(),
            },
            award: "technology-mark".into(),
            prepared_at: DateTime::UNIX_EPOCH,
            prepared_by: "Mrs Jones".into(),
            responses: responses
                .iter()
                .map(|(b, l, c)| ManifestResponse {
                    benchmark: (*b).into(),
                    level: *l,
                    commentary: (*c).into(),
                    updated_at: None,
                    updated_by: None,
                })
                .collect(),
            history: Vec::new(),
            actions: Vec::new(),
            working_group: Vec::new(),
            evidence: files
                .iter()
                .map(|(title, hash, benchmark)| ManifestEvidence {
                    id: (*title).into(),
                    title: (*title).into(),
                    file_name: format!("{title}.pdf"),
                    size: 1,
                    blake3: (*hash).into(),
                    links: vec![EvidenceLink {
                        benchmark: (*benchmark).into(),
                        requirement: None,
                    }],
                    personal_data: false,
                    blob: BlobRef {
                        sha256: Sha256::of(hash.as_bytes()),
                        size: 1,
                    },
                })
                .collect(),
        }
    }

    #[test]
    fn changes_name_each_benchmark_whose_level_commentary_or_evidence_changed() {
        let before = manifest(
            &[
                ("A", Some(2), "old"),
                ("B", Some(3), "same"),
                ("C", None, ""),
            ],
            &[("plan", "h1", "A"), ("gone", "h2", "B")],
        );
        let after = manifest(
            &[
                ("A", Some(2), "new words"),
                ("B", Some(3), "same "),
                ("C", Some(1), ""),
            ],
            &[("plan", "h1", "A"), ("minutes", "h3", "B")],
        );
        let c = changes(1, &before, &after);
        assert_eq!(c.from_version, 1);
        let ids: Vec<&str> = c.benchmarks.iter().map(|b| b.benchmark.as_str()).collect();
        assert_eq!(ids, ["A", "B", "C"]);
        assert!(c.benchmarks[0].commentary_changed && !c.benchmarks[0].level_changed);
        assert_eq!(c.benchmarks[0].commentary_before.as_deref(), Some("old"));
        // Only whitespace changed in B's commentary: what changed is the evidence.
        assert!(!c.benchmarks[1].commentary_changed);
        assert_eq!(c.benchmarks[1].evidence_added, ["minutes"]);
        assert!(c.benchmarks[2].level_changed);
        assert_eq!(
            (c.benchmarks[2].level_before, c.benchmarks[2].level_after),
            (None, Some(1))
        );
        assert_eq!(c.evidence_added, ["minutes"]);
        assert_eq!(c.evidence_removed, ["gone"]);
    }

    #[test]
    fn decisions_follow_the_review_rule_for_the_role_and_never_when_named() {
        use ReviewState::*;
        let a = allowed(Role::Assessor, UnderReview, &[], 1, 1, true);
        assert!(a.request_evidence && a.recommend && !a.moderate && a.why_not.is_none());
        let m = allowed(Role::Moderator, UnderReview, &[], 1, 1, true);
        assert!(!m.request_evidence && !m.recommend && !m.moderate);
        assert!(m.why_not.unwrap().contains("has not recommended"));
        let m = allowed(Role::Moderator, Recommended, &[], 1, 1, true);
        assert!(m.moderate && !m.recommend);
        let named = allowed(
            Role::Assessor,
            UnderReview,
            &["working group: \"Ann\"".into()],
            1,
            1,
            true,
        );
        assert!(!named.request_evidence && !named.recommend);
        assert!(named.why_not.unwrap().contains("names you"));
        let stale = allowed(Role::Assessor, Resubmitted, &[], 1, 2, true);
        assert!(!stale.recommend && stale.why_not.unwrap().contains("version 2"));
        let offline = allowed(Role::Assessor, UnderReview, &[], 1, 1, false);
        assert!(!offline.recommend);
        let done = allowed(Role::Assessor, Awarded, &[], 1, 1, true);
        assert!(done.why_not.unwrap().contains("finished"));
    }
}
