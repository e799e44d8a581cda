//! [`PrivacyStore`] on SQLite. Each method is one write transaction on the single writer (so
//! the checks inside it cannot be raced) or one read; the deletions of personal data run with
//! `secure_delete` on ([`SqliteMeta::write_erasing`]).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension as _, params};
use waymark_protocol::api::InstitutionProfile;
use waymark_protocol::envelope::BlobRef;
use waymark_protocol::erasure::ErasureCounts;
use waymark_protocol::review::{Actor, EventKind, Role};
use waymark_protocol::signed::Signed;
use waymark_protocol::{InstitutionId, SubmissionId};

use super::submissions::{insert_event, parse_date, parse_id};
use super::{SqliteMeta, parse_time, time_text};
use crate::meta::MetaResult;
use crate::meta::codec::{bad, from_json, parse_state, to_json, to_u32, uint};
use crate::meta::privacy::{
    DeletedAward, DeletedSubmission, DeletionReason, EraseRequest, ErasedInstitution, ErasedToken,
    ErasureOutcome, PrivacyStore, ProfileOutcome, RetentionCandidate, RetentionDeleted,
    StoredProfile, changed_fields, confirmation, unshared_blobs,
};

fn count(n: usize) -> u64 {
    n as u64
}

fn reason(text: &str) -> MetaResult<DeletionReason> {
    DeletionReason::parse(text).ok_or_else(|| bad("deletion reason", text))
}

fn tombstone(c: &Connection, id: &str) -> MetaResult<Option<ErasedInstitution>> {
    let row: Option<(String, String, String)> = c
        .query_row(
            "SELECT id, erased_at, confirmation FROM erased_institutions WHERE id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    row.map(|(id, at, confirmation)| {
        Ok(ErasedInstitution {
            id: parse_id("institution id", &id)?,
            erased_at: parse_time(&at)?,
            confirmation: from_json::<Signed>("erasure confirmation", &confirmation)?,
        })
    })
    .transpose()
}

fn queue(tx: &Connection, prefixes: &[String], at: DateTime<Utc>) -> MetaResult<()> {
    let mut stmt = tx.prepare_cached(
        "INSERT INTO pending_deletions (prefix, queued_at) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
    )?;
    for prefix in prefixes {
        stmt.execute(params![prefix, time_text(at)])?;
    }
    Ok(())
}

fn prefix_of(upload: &str) -> String {
    format!("uploads/{upload}")
}

/// Inside the erasure transaction.
fn erase(tx: &Connection, request: &EraseRequest) -> MetaResult<ErasureOutcome> {
    let id = request.institution.to_string();
    let at = time_text(request.at);
    if let Some(erased) = tombstone(tx, &id)? {
        return Ok(ErasureOutcome::AlreadyErased(erased));
    }
    let exists = tx
        .query_row(
            "SELECT 1 FROM institutions WHERE id = ?1",
            [&id],
            |_| Ok(()),
        )
        .optional()?
        .is_some();
    if !exists {
        return Ok(ErasureOutcome::Unknown);
    }
    let mut deleted = ErasureCounts::default();
    const OWN: &str = "SELECT id FROM submissions WHERE institution = ?1";
    deleted.events = count(tx.execute(
        &format!("DELETE FROM events WHERE submission IN ({OWN})"),
        [&id],
    )?);
    deleted.envelopes = count(tx.execute(
        &format!("DELETE FROM envelopes WHERE submission IN ({OWN})"),
        [&id],
    )?);
    tx.execute(
        "INSERT INTO deleted_awards (verification_code, deleted_at, reason) \
         SELECT verification_code, ?2, 'erasure' FROM awards WHERE institution = ?1",
        params![id, at],
    )?;
    deleted.awards = count(tx.execute("DELETE FROM awards WHERE institution = ?1", [&id])?);
    tx.execute(
        "INSERT INTO deleted_submissions (id, institution, deleted_at, reason) \
         SELECT id, NULL, ?2, 'erasure' FROM submissions WHERE institution = ?1",
        params![id, at],
    )?;
    deleted.submissions =
        count(tx.execute("DELETE FROM submissions WHERE institution = ?1", [&id])?);
    // Submissions deleted earlier for retention no longer name it.
    tx.execute(
        "UPDATE deleted_submissions SET institution = NULL WHERE institution = ?1",
        [&id],
    )?;

    let prefixes: Vec<String> = {
        let mut stmt = tx.prepare(
            "SELECT upload FROM blobs WHERE institution = ?1 \
             UNION SELECT id FROM uploads WHERE institution = ?1 ORDER BY 1",
        )?;
        let rows = stmt.query_map([&id], |r| r.get::<_, String>(0))?;
        rows.map(|r| Ok(prefix_of(&r?)))
            .collect::<MetaResult<_>>()?
    };
    let (blobs, bytes): (i64, i64) = tx.query_row(
        "SELECT COUNT(*), COALESCE(SUM(size), 0) FROM blobs WHERE institution = ?1",
        [&id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    deleted.blobs = uint(blobs)?;
    deleted.blob_bytes = uint(bytes)?;
    tx.execute("DELETE FROM blob_parts WHERE institution = ?1", [&id])?;
    tx.execute("DELETE FROM blobs WHERE institution = ?1", [&id])?;
    // Their parts go with them (ON DELETE CASCADE).
    deleted.uploads = count(tx.execute("DELETE FROM uploads WHERE institution = ?1", [&id])?);
    queue(tx, &prefixes, request.at)?;

    deleted.assessor_links =
        count(tx.execute("DELETE FROM assessor_links WHERE institution = ?1", [&id])?);
    deleted.enrollment_codes = count(tx.execute(
        "DELETE FROM enrollment_codes WHERE kind = 'institution' AND account = ?1",
        [&id],
    )?);
    deleted.profiles = count(tx.execute(
        "DELETE FROM institution_profiles WHERE institution = ?1",
        [&id],
    )?);
    let tokens: i64 = tx.query_row(
        "SELECT COUNT(*) FROM tokens WHERE kind = 'institution' AND account = ?1",
        [&id],
        |r| r.get(0),
    )?;
    deleted.tokens = uint(tokens)?;

    let signed = (request.sign)(&confirmation(request, deleted));
    tx.execute(
        "INSERT INTO erased_institutions (id, erased_at, confirmation) VALUES (?1, ?2, ?3)",
        params![id, at, to_json("erasure confirmation", &signed)?],
    )?;
    tx.execute(
        "INSERT INTO erased_tokens (id, secret_sha256, institution) \
         SELECT id, secret_sha256, account FROM tokens WHERE kind = 'institution' AND account = ?1",
        [&id],
    )?;
    tx.execute(
        "DELETE FROM tokens WHERE kind = 'institution' AND account = ?1",
        [&id],
    )?;
    tx.execute("DELETE FROM institutions WHERE id = ?1", [&id])?;
    Ok(ErasureOutcome::Erased {
        confirmation: signed,
        prefixes,
    })
}

/// A candidate's row: id, institution, last event, award expiry, award code.
type CandidateRow = (String, String, String, Option<String>, Option<String>);

/// The candidate `id` as its rows stand now.
fn candidate(c: &Connection, id: &str) -> MetaResult<Option<(RetentionCandidate, Option<String>)>> {
    let row: Option<CandidateRow> = c
        .query_row(
            "SELECT s.id, s.institution, \
             COALESCE((SELECT MAX(v.at) FROM events v WHERE v.submission = s.id), s.received_at), \
             a.expires_on, a.verification_code \
             FROM submissions s LEFT JOIN awards a ON a.submission = s.id WHERE s.id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
        )
        .optional()?;
    row.map(|(id, institution, last, expires, code)| {
        Ok((
            RetentionCandidate {
                id: parse_id("submission id", &id)?,
                institution: parse_id("institution id", &institution)?,
                last_event_at: parse_time(&last)?,
                award_expires_on: expires.as_deref().map(parse_date).transpose()?,
            },
            code,
        ))
    })
    .transpose()
}

fn blob_lists(
    c: &Connection,
    sql: &str,
    params: impl rusqlite::Params,
) -> MetaResult<Vec<Vec<BlobRef>>> {
    let mut stmt = c.prepare(sql)?;
    let rows = stmt.query_map(params, |r| r.get::<_, String>(0))?;
    rows.map(|r| from_json("blob list", &r?)).collect()
}

/// Inside the retention transaction.
fn delete_past(
    tx: &Connection,
    id: SubmissionId,
    cutoff: DateTime<Utc>,
    at: DateTime<Utc>,
) -> MetaResult<Option<RetentionDeleted>> {
    let sid = id.to_string();
    let Some((submission, award)) = candidate(tx, &sid)? else {
        return Ok(None);
    };
    if !submission.is_past(cutoff) {
        return Ok(None);
    }
    let institution = submission.institution.to_string();
    let deleted_lists = blob_lists(
        tx,
        "SELECT blobs FROM envelopes WHERE submission = ?1",
        [&sid],
    )?;
    let remaining = blob_lists(
        tx,
        "SELECT e.blobs FROM envelopes e JOIN submissions s ON s.id = e.submission \
         WHERE s.institution = ?1 AND s.id <> ?2",
        params![institution, sid],
    )?;
    let mut blobs = 0;
    let mut blob_bytes = 0;
    let mut prefixes = Vec::new();
    for sha256 in unshared_blobs(&deleted_lists, &remaining) {
        let key = params![institution, sha256.to_hex()];
        let held: Option<(i64, String)> = tx
            .query_row(
                "SELECT size, upload FROM blobs WHERE institution = ?1 AND sha256 = ?2",
                key,
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let Some((size, upload)) = held else {
            continue;
        };
        tx.execute(
            "DELETE FROM blob_parts WHERE institution = ?1 AND sha256 = ?2",
            key,
        )?;
        tx.execute(
            "DELETE FROM blobs WHERE institution = ?1 AND sha256 = ?2",
            key,
        )?;
        blobs += 1;
        blob_bytes += uint(size)?;
        prefixes.push(prefix_of(&upload));
    }
    let events = count(tx.execute("DELETE FROM events WHERE submission = ?1", [&sid])?);
    let envelopes = count(tx.execute("DELETE FROM envelopes WHERE submission = ?1", [&sid])?);
    if let Some(code) = &award {
        tx.execute(
            "INSERT INTO deleted_awards (verification_code, deleted_at, reason) \
             VALUES (?1, ?2, 'retention') ON CONFLICT DO NOTHING",
            params![code, time_text(at)],
        )?;
        tx.execute("DELETE FROM awards WHERE submission = ?1", [&sid])?;
    }
    tx.execute("DELETE FROM submissions WHERE id = ?1", [&sid])?;
    tx.execute(
        "INSERT INTO deleted_submissions (id, institution, deleted_at, reason) \
         VALUES (?1, ?2, ?3, 'retention')",
        params![sid, institution, time_text(at)],
    )?;
    queue(tx, &prefixes, at)?;
    Ok(Some(RetentionDeleted {
        submission,
        envelopes,
        events,
        award,
        blobs,
        blob_bytes,
        prefixes,
    }))
}

fn stored_profile(c: &Connection, institution: &str) -> MetaResult<Option<StoredProfile>> {
    let row: Option<(String, i64, String)> = c
        .query_row(
            "SELECT profile, version, corrected_at FROM institution_profiles WHERE institution = ?1",
            [institution],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    row.map(|(profile, version, at)| {
        Ok(StoredProfile {
            profile: from_json("profile", &profile)?,
            version: to_u32("profile version", version)?,
            corrected_at: parse_time(&at)?,
        })
    })
    .transpose()
}

/// Inside the correction transaction.
fn correct(
    tx: &Connection,
    institution: InstitutionId,
    profile: &InstitutionProfile,
    at: DateTime<Utc>,
) -> MetaResult<Option<ProfileOutcome>> {
    let id = institution.to_string();
    let exists = tx
        .query_row(
            "SELECT 1 FROM institutions WHERE id = ?1",
            [&id],
            |_| Ok(()),
        )
        .optional()?
        .is_some();
    if !exists {
        return Ok(None);
    }
    let old = stored_profile(tx, &id)?;
    let changed = changed_fields(old.as_ref().map(|o| &o.profile), profile);
    if let Some(old) = old.as_ref().filter(|_| changed.is_empty()) {
        return Ok(Some(ProfileOutcome {
            stored: old.clone(),
            changed,
            recorded_in: Vec::new(),
        }));
    }
    let version = old.map_or(1, |o| o.version + 1);
    tx.execute(
        "INSERT INTO institution_profiles (institution, profile, version, corrected_at) \
         VALUES (?1, ?2, ?3, ?4) ON CONFLICT (institution) DO UPDATE SET \
         profile = excluded.profile, version = excluded.version, corrected_at = excluded.corrected_at",
        params![id, to_json("profile", profile)?, version, time_text(at)],
    )?;
    let open: Vec<(String, String)> = {
        let mut stmt = tx.prepare(
            "SELECT id, state FROM submissions WHERE institution = ?1 ORDER BY received_at, id",
        )?;
        let rows = stmt.query_map([&id], |r| Ok((r.get(0)?, r.get(1)?)))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    let mut recorded_in = Vec::new();
    for (submission, state) in open {
        let state = parse_state(&state)?;
        if state.is_final() {
            continue;
        }
        let submission: SubmissionId = parse_id("submission id", &submission)?;
        insert_event(
            tx,
            submission,
            at,
            &Actor {
                role: Role::Institution,
                assessor: None,
            },
            state,
            &EventKind::ProfileCorrected {
                version,
                fields: changed.clone(),
            },
        )?;
        recorded_in.push(submission);
    }
    Ok(Some(ProfileOutcome {
        stored: StoredProfile {
            profile: profile.clone(),
            version,
            corrected_at: at,
        },
        changed,
        recorded_in,
    }))
}

#[async_trait]
impl PrivacyStore for SqliteMeta {
    async fn erase_institution(&self, request: EraseRequest) -> MetaResult<ErasureOutcome> {
        self.write_erasing(move |tx| erase(tx, &request)).await
    }

    async fn erased_institution(&self, id: InstitutionId) -> MetaResult<Option<ErasedInstitution>> {
        self.read(move |c| tombstone(c, &id.to_string())).await
    }

    async fn erased_token(&self, id: &str) -> MetaResult<Option<ErasedToken>> {
        let id = id.to_owned();
        self.read(move |c| {
            let row: Option<(String, Vec<u8>, String)> = c
                .query_row(
                    "SELECT id, secret_sha256, institution FROM erased_tokens WHERE id = ?1",
                    [id],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )
                .optional()?;
            row.map(|(id, secret, institution)| {
                Ok(ErasedToken {
                    id,
                    secret_sha256: secret
                        .try_into()
                        .map_err(|_| bad("token hash", "wrong length"))?,
                    institution: parse_id("institution id", &institution)?,
                })
            })
            .transpose()
        })
        .await
    }

    async fn deleted_submission(&self, id: SubmissionId) -> MetaResult<Option<DeletedSubmission>> {
        self.read(move |c| {
            let row: Option<(String, Option<String>, String, String)> = c
                .query_row(
                    "SELECT id, institution, deleted_at, reason FROM deleted_submissions WHERE id = ?1",
                    [id.to_string()],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
                )
                .optional()?;
            row.map(|(id, institution, at, why)| {
                Ok(DeletedSubmission {
                    id: parse_id("submission id", &id)?,
                    institution: institution
                        .as_deref()
                        .map(|i| parse_id("institution id", i))
                        .transpose()?,
                    deleted_at: parse_time(&at)?,
                    reason: reason(&why)?,
                })
            })
            .transpose()
        })
        .await
    }

    async fn deleted_award(&self, code: &str) -> MetaResult<Option<DeletedAward>> {
        let code = code.to_owned();
        self.read(move |c| {
            let row: Option<(String, String, String)> = c
                .query_row(
                    "SELECT verification_code, deleted_at, reason FROM deleted_awards \
                     WHERE verification_code = ?1",
                    [code],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )
                .optional()?;
            row.map(|(code, at, why)| {
                Ok(DeletedAward {
                    verification_code: code,
                    deleted_at: parse_time(&at)?,
                    reason: reason(&why)?,
                })
            })
            .transpose()
        })
        .await
    }

    async fn retention_candidates(
        &self,
        cutoff: DateTime<Utc>,
    ) -> MetaResult<Vec<RetentionCandidate>> {
        self.read(move |c| {
            let mut stmt = c.prepare(
                "SELECT id FROM (SELECT s.id, \
                 COALESCE((SELECT MAX(v.at) FROM events v WHERE v.submission = s.id), s.received_at) AS last \
                 FROM submissions s) WHERE last < ?1 ORDER BY last, id",
            )?;
            let ids = stmt
                .query_map([time_text(cutoff)], |r| r.get::<_, String>(0))?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            let mut out = Vec::with_capacity(ids.len());
            for id in ids {
                if let Some((candidate, _)) = candidate(c, &id)? {
                    out.push(candidate);
                }
            }
            Ok(out)
        })
        .await
    }

    async fn delete_past_retention(
        &self,
        id: SubmissionId,
        cutoff: DateTime<Utc>,
        at: DateTime<Utc>,
    ) -> MetaResult<Option<RetentionDeleted>> {
        self.write_erasing(move |tx| delete_past(tx, id, cutoff, at))
            .await
    }

    async fn pending_deletions(&self, limit: u32) -> MetaResult<Vec<String>> {
        self.read(move |c| {
            let mut stmt = c.prepare(
                "SELECT prefix FROM pending_deletions ORDER BY queued_at, prefix LIMIT ?1",
            )?;
            let rows = stmt.query_map([limit], |r| r.get::<_, String>(0))?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
        .await
    }

    async fn forget_pending_deletion(&self, prefix: &str) -> MetaResult<()> {
        let prefix = prefix.to_owned();
        self.write(false, move |tx| {
            tx.execute("DELETE FROM pending_deletions WHERE prefix = ?1", [prefix])?;
            Ok(())
        })
        .await
    }

    async fn correct_profile(
        &self,
        institution: InstitutionId,
        profile: &InstitutionProfile,
        at: DateTime<Utc>,
    ) -> MetaResult<Option<ProfileOutcome>> {
        let profile = profile.clone();
        // Durable: the school is told what was recorded.
        self.write(true, move |tx| correct(tx, institution, &profile, at))
            .await
    }

    async fn profile(&self, institution: InstitutionId) -> MetaResult<Option<StoredProfile>> {
        self.read(move |c| stored_profile(c, &institution.to_string()))
            .await
    }
}
