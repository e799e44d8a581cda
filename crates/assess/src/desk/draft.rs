//! The assessor's draft: kept on this computer as an age file to their own identity (the notes
//! on a school are as private as the school's submission), saved atomically on every autosave,
//! and turned into the endpoint's request, recommendation or moderation only when they send it.
//! The checks before sending are here, once, so the app shows each problem beside its field.

use std::path::Path;

use chrono::Utc;
use waymark_protocol::SubmissionId;
use waymark_protocol::api::{BenchmarkJudgement, Moderation, Recommendation};
use waymark_protocol::crypt::{decrypt_document, encrypt_bytes};
use waymark_protocol::review::{BenchmarkRequest, EvidenceRequest, Feedback};

use super::copy::{self, copy_dir};
use super::types::{AssignmentRow, Draft, DraftProblem, ModerationChoice, Verdict};
use crate::decide;
use crate::error::{Error, Result};
use crate::session::Session;

/// The draft's file in a copy's folder.
pub(crate) const DRAFT_FILE: &str = "draft.age";

/// The longest text the endpoint takes in one field (its `MAX_TEXT`).
const MAX_TEXT: usize = 20_000;

/// The draft of `id` (empty when none was saved).
pub(crate) fn load(session: &Session, id: SubmissionId) -> Result<Draft> {
    if copy::record(&session.dir, id)?.is_none() {
        return Err(Error::NotOpened(id));
    }
    let path = copy_dir(&session.dir, id).join(DRAFT_FILE);
    let cipher = match std::fs::read(&path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Draft::default()),
        Err(e) => return Err(Error::io("cannot read your draft", &path, e)),
    };
    let plain = decrypt_document(&cipher, &session.identity).map_err(|e| {
        Error::io(
            "your draft cannot be decrypted with your identity",
            &path,
            std::io::Error::new(std::io::ErrorKind::InvalidData, e.to_string()),
        )
    })?;
    serde_json::from_slice(&plain).map_err(|e| {
        Error::io(
            "your draft is damaged",
            &path,
            std::io::Error::new(std::io::ErrorKind::InvalidData, e),
        )
    })
}

/// Saves the draft of `id` atomically, encrypted to the assessor's identity.
pub(crate) fn save(session: &Session, id: SubmissionId, draft: &Draft) -> Result<Draft> {
    let folder = copy_dir(&session.dir, id);
    if copy::record(&session.dir, id)?.is_none() {
        return Err(Error::NotOpened(id));
    }
    let mut saved = draft.clone();
    saved.saved_at = Some(Utc::now());
    let plain = serde_json::to_vec(&saved)
        .map_err(|e| Error::Internal(format!("the draft cannot be written: {e}")))?;
    let cipher = encrypt_bytes(&plain, &[session.identity.recipient()])
        .map_err(|e| Error::Internal(format!("the draft cannot be encrypted: {e}")))?;
    write_atomic(&folder.join(DRAFT_FILE), &cipher)?;
    Ok(saved)
}

fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write as _;
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut file = tempfile::NamedTempFile::new_in(dir)
        .map_err(|e| Error::io("cannot write a file in", dir, e))?;
    file.write_all(bytes)
        .and_then(|()| file.as_file().sync_all())
        .map_err(|e| Error::io("cannot write", path, e))?;
    file.persist(path)
        .map_err(|e| Error::io("cannot write", path, e.error))?;
    Ok(())
}

fn problem(field: impl Into<String>, message: impl Into<String>) -> DraftProblem {
    DraftProblem {
        field: field.into(),
        message: message.into(),
    }
}

fn too_long(field: &str, what: &str, text: &str, out: &mut Vec<DraftProblem>) {
    let len = text.trim().chars().count();
    if len > MAX_TEXT {
        out.push(problem(
            field,
            format!("{what} is {len} characters long: shorten it to at most {MAX_TEXT}"),
        ));
    }
}

/// What stops the draft being sent as a request for more evidence.
pub(crate) fn request_problems(draft: &Draft) -> Vec<DraftProblem> {
    let mut out = Vec::new();
    if draft.request_message.trim().is_empty() {
        out.push(problem(
            "request_message",
            "Write a message to the school saying what more evidence you need.",
        ));
    }
    too_long(
        "request_message",
        "The message",
        &draft.request_message,
        &mut out,
    );
    for j in &draft.judgements {
        too_long(
            &format!("judgements.{}.request", j.benchmark),
            &format!("What more evidence is needed for {}", j.benchmark),
            &j.request,
            &mut out,
        );
    }
    out
}

/// What stops the draft being sent as a recommendation.
pub(crate) fn recommendation_problems(draft: &Draft, has_levels: bool) -> Vec<DraftProblem> {
    let mut out = Vec::new();
    if draft.outcome.is_none() {
        out.push(problem(
            "outcome",
            "Choose your recommendation: award, or not yet.",
        ));
    }
    if draft.strengths.trim().is_empty() {
        out.push(problem(
            "strengths",
            "Write the strengths the school will read in its feedback.",
        ));
    }
    if draft.areas_for_development.trim().is_empty() {
        out.push(problem(
            "areas_for_development",
            "Write the areas for development the school will read in its feedback.",
        ));
    }
    if has_levels && !draft.enhanced_practice.trim().is_empty() {
        out.push(problem(
            "enhanced_practice",
            "This framework has levels: write enhanced or exceptional practice under strengths instead.",
        ));
    }
    too_long("strengths", "The strengths", &draft.strengths, &mut out);
    too_long(
        "areas_for_development",
        "The areas for development",
        &draft.areas_for_development,
        &mut out,
    );
    too_long(
        "enhanced_practice",
        "The areas of enhanced practice",
        &draft.enhanced_practice,
        &mut out,
    );
    too_long(
        "notes",
        "The notes for the moderator",
        &draft.notes,
        &mut out,
    );
    for j in &draft.judgements {
        if j.verdict == Verdict::Differ && has_levels && j.level.is_none() {
            out.push(problem(
                format!("judgements.{}.level", j.benchmark),
                format!(
                    "You judge {} differently: choose the level you judge it at.",
                    j.benchmark
                ),
            ));
        }
        if j.verdict == Verdict::Differ && !has_levels && j.note.trim().is_empty() {
            out.push(problem(
                format!("judgements.{}.note", j.benchmark),
                format!(
                    "You judge {} differently: say how in the note.",
                    j.benchmark
                ),
            ));
        }
        too_long(
            &format!("judgements.{}.note", j.benchmark),
            &format!("The note on {}", j.benchmark),
            &j.note,
            &mut out,
        );
    }
    out
}

fn refuse_problems(problems: Vec<DraftProblem>) -> Result<()> {
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Error::Draft { problems })
    }
}

/// The request the draft makes.
pub(crate) fn evidence_request(draft: &Draft) -> EvidenceRequest {
    EvidenceRequest {
        message: draft.request_message.trim().to_owned(),
        benchmarks: draft
            .judgements
            .iter()
            .filter(|j| !j.request.trim().is_empty())
            .map(|j| BenchmarkRequest {
                benchmark: j.benchmark.clone(),
                message: j.request.trim().to_owned(),
            })
            .collect(),
    }
}

/// The recommendation the draft makes (with its outcome checked present).
pub(crate) fn recommendation(draft: &Draft, has_levels: bool) -> Result<Recommendation> {
    refuse_problems(recommendation_problems(draft, has_levels))?;
    let outcome = draft.outcome.ok_or_else(|| Error::Draft {
        problems: vec![problem("outcome", "Choose your recommendation.")],
    })?;
    let enhanced = draft.enhanced_practice.trim();
    Ok(Recommendation {
        outcome,
        feedback: Feedback {
            strengths: draft.strengths.trim().to_owned(),
            areas_for_development: draft.areas_for_development.trim().to_owned(),
            enhanced_practice: (!has_levels && !enhanced.is_empty()).then(|| enhanced.to_owned()),
        },
        notes: draft.notes.trim().to_owned(),
        judgements: draft
            .judgements
            .iter()
            .filter(|j| j.verdict != Verdict::Undecided)
            .map(|j| BenchmarkJudgement {
                benchmark: j.benchmark.clone(),
                agreed: j.verdict == Verdict::Agree,
                level: if j.verdict == Verdict::Differ {
                    j.level
                } else {
                    None
                },
                note: j.note.trim().to_owned(),
            })
            .collect(),
    })
}

/// Whether the framework of the copy of `id` has levels.
fn has_levels(session: &Session, id: SubmissionId) -> Result<bool> {
    let record = copy::record(&session.dir, id)?.ok_or(Error::NotOpened(id))?;
    let manifest = copy::read_manifest(
        &copy_dir(&session.dir, id),
        &record.manifest,
        &session.identity,
    )?;
    Ok(waymark_core::framework::Catalog::bundled()
        .ok()
        .and_then(|c| {
            c.get(&manifest.framework.id, &manifest.framework.version)
                .map(|f| f.scale().is_some())
        })
        .unwrap_or(true))
}

fn today() -> chrono::NaiveDate {
    Utc::now().date_naive()
}

/// Sends the draft's request; its request parts are cleared once the endpoint took it.
pub(crate) async fn send_request(session: &Session, id: SubmissionId) -> Result<AssignmentRow> {
    let mut draft = load(session, id)?;
    refuse_problems(request_problems(&draft))?;
    decide::request_evidence(session, id, &evidence_request(&draft)).await?;
    draft.request_message.clear();
    for j in &mut draft.judgements {
        j.request.clear();
    }
    save(session, id, &draft)?;
    copy::row(session, id, today()).await
}

/// Sends the draft's recommendation.
pub(crate) async fn send_recommendation(
    session: &Session,
    id: SubmissionId,
) -> Result<AssignmentRow> {
    let draft = load(session, id)?;
    let recommendation = recommendation(&draft, has_levels(session, id)?)?;
    decide::recommend(session, id, &recommendation).await?;
    copy::row(session, id, today()).await
}

/// Confirms or sends back (with the draft's reason).
pub(crate) async fn send_moderation(
    session: &Session,
    id: SubmissionId,
    choice: ModerationChoice,
) -> Result<AssignmentRow> {
    let mut draft = load(session, id)?;
    let moderation = match choice {
        ModerationChoice::Confirm => Moderation::Confirm,
        ModerationChoice::SendBack => {
            let reason = draft.send_back_reason.trim();
            let mut problems = Vec::new();
            if reason.is_empty() {
                problems.push(problem(
                    "send_back_reason",
                    "Say why you are sending the recommendation back, for the assessor.",
                ));
            }
            too_long("send_back_reason", "The reason", reason, &mut problems);
            refuse_problems(problems)?;
            Moderation::SendBack {
                reason: reason.to_owned(),
            }
        }
    };
    decide::moderate(session, id, &moderation).await?;
    if choice == ModerationChoice::SendBack {
        draft.send_back_reason.clear();
        save(session, id, &draft)?;
    }
    copy::row(session, id, today()).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::desk::Judgement;
    use waymark_protocol::review::Outcome;

    fn judged(benchmark: &str, verdict: Verdict, level: Option<u32>) -> Judgement {
        Judgement {
            benchmark: benchmark.into(),
            verdict,
            level,
            note: String::new(),
            request: String::new(),
        }
    }

    #[test]
    fn a_request_needs_a_message_and_names_only_benchmarks_with_a_request() {
        let mut draft = Draft::default();
        let problems = request_problems(&draft);
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].field, "request_message");

        draft.request_message = "  Please send the costed plan.  ".into();
        let mut a = judged("E1.S1.A1", Verdict::Undecided, None);
        a.request = "The plan's costs".into();
        draft.judgements = vec![a, judged("E1.S1.A2", Verdict::Agree, None)];
        assert!(request_problems(&draft).is_empty());
        let request = evidence_request(&draft);
        assert_eq!(request.message, "Please send the costed plan.");
        assert_eq!(request.benchmarks.len(), 1);
        assert_eq!(request.benchmarks[0].benchmark, "E1.S1.A1");
    }

    #[test]
    fn a_recommendation_needs_an_outcome_feedback_and_a_level_for_each_differing_judgement() {
        let mut draft = Draft {
            judgements: vec![
                judged("A", Verdict::Differ, None),
                judged("B", Verdict::Agree, Some(3)),
                judged("C", Verdict::Undecided, None),
            ],
            ..Draft::default()
        };
        let fields: Vec<String> = recommendation_problems(&draft, true)
            .into_iter()
            .map(|p| p.field)
            .collect();
        assert_eq!(
            fields,
            [
                "outcome",
                "strengths",
                "areas_for_development",
                "judgements.A.level"
            ]
        );
        assert!(matches!(
            recommendation(&draft, true),
            Err(Error::Draft { problems }) if problems.len() == 4
        ));

        draft.outcome = Some(Outcome::Award);
        draft.strengths = "Costed plan".into();
        draft.areas_for_development = "Share practice".into();
        draft.judgements[0].level = Some(2);
        draft.enhanced_practice = "Not for a levelled framework".into();
        let fields: Vec<String> = recommendation_problems(&draft, true)
            .into_iter()
            .map(|p| p.field)
            .collect();
        assert_eq!(fields, ["enhanced_practice"]);
        draft.enhanced_practice.clear();

        let sent = recommendation(&draft, true).unwrap();
        // Undecided benchmarks are not sent; an agreement carries no level.
        assert_eq!(sent.judgements.len(), 2);
        assert_eq!(sent.judgements[0].level, Some(2));
        assert!(!sent.judgements[0].agreed);
        assert!(sent.judgements[1].agreed);
        assert_eq!(sent.judgements[1].level, None);
        assert_eq!(sent.feedback.enhanced_practice, None);
    }

    #[test]
    fn without_levels_a_different_judgement_needs_a_note_and_enhanced_practice_is_sent() {
        let draft = Draft {
            judgements: vec![judged("A", Verdict::Differ, None)],
            outcome: Some(Outcome::NotYet),
            strengths: "s".into(),
            areas_for_development: "d".into(),
            enhanced_practice: "Outstanding parental engagement".into(),
            ..Draft::default()
        };
        let fields: Vec<String> = recommendation_problems(&draft, false)
            .into_iter()
            .map(|p| p.field)
            .collect();
        assert_eq!(fields, ["judgements.A.note"]);
        let mut draft = draft;
        draft.judgements[0].note = "Practice is emerging, not embedded".into();
        let sent = recommendation(&draft, false).unwrap();
        assert_eq!(
            sent.feedback.enhanced_practice.as_deref(),
            Some("Outstanding parental engagement")
        );
    }
}
