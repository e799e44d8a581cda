//! [`PrivacyStore`] on PostgreSQL: the same rows as SQLite's (`sql/0004_privacy.sql`), in
//! native types. Each method is one transaction (or one statement, its own); each says beside
//! it why its isolation level is enough when instances race.
//!
//! Deleted rows stay in PostgreSQL's heap as dead tuples until `VACUUM` reclaims them
//! (autovacuum does, within minutes on a busy table); they are unreachable by any query.

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use tokio_postgres::{GenericClient, IsolationLevel, Row, Transaction};
use uuid::Uuid;
use waymark_protocol::api::InstitutionProfile;
use waymark_protocol::envelope::BlobRef;
use waymark_protocol::erasure::ErasureCounts;
use waymark_protocol::review::{Actor, EventKind, Role};
use waymark_protocol::signed::Signed;
use waymark_protocol::{InstitutionId, SubmissionId};

use super::submissions::{get, insert_event, stored_time};
use super::{PgMeta, TxResult};
use crate::meta::MetaResult;
use crate::meta::codec::{bad, from_json, parse_state, to_json, to_u32, uint};
use crate::meta::privacy::{
    DeletedAward, DeletedSubmission, DeletionReason, EraseRequest, ErasedInstitution, ErasedToken,
    ErasureOutcome, PrivacyStore, ProfileOutcome, RetentionCandidate, RetentionDeleted,
    StoredProfile, changed_fields, confirmation, unshared_blobs,
};

fn reason(text: &str) -> MetaResult<DeletionReason> {
    DeletionReason::parse(text).ok_or_else(|| bad("deletion reason", text))
}

fn prefix_of(upload: Uuid) -> String {
    format!("uploads/{}", upload.hyphenated())
}

async fn tombstone<C: GenericClient>(c: &C, id: Uuid) -> TxResult<Option<ErasedInstitution>> {
    let Some(row) = c
        .query_opt(
            "SELECT id, erased_at, confirmation FROM erased_institutions WHERE id = $1",
            &[&id],
        )
        .await?
    else {
        return Ok(None);
    };
    Ok(Some(ErasedInstitution {
        id: InstitutionId(get(&row, 0)?),
        erased_at: get(&row, 1)?,
        confirmation: from_json::<Signed>("erasure confirmation", get(&row, 2)?)?,
    }))
}

async fn queue(tx: &Transaction<'_>, prefixes: &[String], at: DateTime<Utc>) -> TxResult<()> {
    for prefix in prefixes {
        tx.execute(
            "INSERT INTO pending_deletions (prefix, queued_at) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            &[prefix, &at],
        )
        .await?;
    }
    Ok(())
}

/// Inside the erasure transaction (READ COMMITTED). The institution's row is locked first
/// (`FOR UPDATE`): a transaction inserting a row that references it (a commit, an upload)
/// holds `FOR KEY SHARE` on it, so the erasure waits for those to commit and then sees their
/// rows; one starting later waits for the erasure and then finds the institution gone (its
/// foreign key refuses it). A second erasure waits here too, then finds the tombstone.
async fn erase(tx: &Transaction<'_>, request: &EraseRequest) -> TxResult<ErasureOutcome> {
    let id = request.institution.0;
    let at = stored_time(request.at);
    let locked = tx
        .query_opt(
            "SELECT 1 FROM institutions WHERE id = $1 FOR UPDATE",
            &[&id],
        )
        .await?
        .is_some();
    if !locked {
        return Ok(match tombstone(tx, id).await? {
            Some(erased) => ErasureOutcome::AlreadyErased(erased),
            None => ErasureOutcome::Unknown,
        });
    }
    let mut deleted = ErasureCounts::default();
    const OWN: &str = "SELECT id FROM submissions WHERE institution = $1";
    deleted.events = tx
        .execute(
            &format!("DELETE FROM events WHERE submission IN ({OWN})"),
            &[&id],
        )
        .await?;
    deleted.envelopes = tx
        .execute(
            &format!("DELETE FROM envelopes WHERE submission IN ({OWN})"),
            &[&id],
        )
        .await?;
    tx.execute(
        "INSERT INTO deleted_awards (verification_code, deleted_at, reason) \
         SELECT verification_code, $2, 'erasure' FROM awards WHERE institution = $1",
        &[&id, &at],
    )
    .await?;
    deleted.awards = tx
        .execute("DELETE FROM awards WHERE institution = $1", &[&id])
        .await?;
    tx.execute(
        "INSERT INTO deleted_submissions (id, institution, deleted_at, reason) \
         SELECT id, NULL, $2, 'erasure' FROM submissions WHERE institution = $1",
        &[&id, &at],
    )
    .await?;
    deleted.submissions = tx
        .execute("DELETE FROM submissions WHERE institution = $1", &[&id])
        .await?;
    tx.execute(
        "UPDATE deleted_submissions SET institution = NULL WHERE institution = $1",
        &[&id],
    )
    .await?;

    let prefixes: Vec<String> = tx
        .query(
            "SELECT upload FROM blobs WHERE institution = $1 \
             UNION SELECT id FROM uploads WHERE institution = $1 ORDER BY 1",
            &[&id],
        )
        .await?
        .iter()
        .map(|r| get::<Uuid>(r, 0).map(prefix_of))
        .collect::<MetaResult<_>>()?;
    let sums = tx
        .query_one(
            "SELECT COUNT(*), COALESCE(SUM(size), 0)::BIGINT FROM blobs WHERE institution = $1",
            &[&id],
        )
        .await?;
    deleted.blobs = uint(get(&sums, 0)?)?;
    deleted.blob_bytes = uint(get(&sums, 1)?)?;
    tx.execute("DELETE FROM blob_parts WHERE institution = $1", &[&id])
        .await?;
    tx.execute("DELETE FROM blobs WHERE institution = $1", &[&id])
        .await?;
    // Their parts go with them (ON DELETE CASCADE).
    deleted.uploads = tx
        .execute("DELETE FROM uploads WHERE institution = $1", &[&id])
        .await?;
    queue(tx, &prefixes, at).await?;

    deleted.assessor_links = tx
        .execute("DELETE FROM assessor_links WHERE institution = $1", &[&id])
        .await?;
    deleted.enrollment_codes = tx
        .execute(
            "DELETE FROM enrollment_codes WHERE kind = 'institution' AND account = $1",
            &[&id],
        )
        .await?;
    deleted.profiles = tx
        .execute(
            "DELETE FROM institution_profiles WHERE institution = $1",
            &[&id],
        )
        .await?;
    let tokens = tx
        .query_one(
            "SELECT COUNT(*) FROM tokens WHERE kind = 'institution' AND account = $1",
            &[&id],
        )
        .await?;
    deleted.tokens = uint(get(&tokens, 0)?)?;

    let mut stamped = request.clone();
    stamped.at = at;
    // Only signs: when an attempt is retried, this confirmation is dropped with it.
    let signed = (request.sign)(&confirmation(&stamped, deleted));
    let text = to_json("erasure confirmation", &signed)?;
    tx.execute(
        "INSERT INTO erased_institutions (id, erased_at, confirmation) VALUES ($1, $2, $3)",
        &[&id, &at, &text],
    )
    .await?;
    tx.execute(
        "INSERT INTO erased_tokens (id, secret_sha256, institution) \
         SELECT id, secret_sha256, account FROM tokens WHERE kind = 'institution' AND account = $1",
        &[&id],
    )
    .await?;
    tx.execute(
        "DELETE FROM tokens WHERE kind = 'institution' AND account = $1",
        &[&id],
    )
    .await?;
    tx.execute("DELETE FROM institutions WHERE id = $1", &[&id])
        .await?;
    Ok(ErasureOutcome::Erased {
        confirmation: signed,
        prefixes,
    })
}

/// The columns [`to_candidate`] reads, over `submissions s LEFT JOIN awards a`.
const CANDIDATE: &str = "SELECT s.id, s.institution, \
     COALESCE((SELECT MAX(v.at) FROM events v WHERE v.submission = s.id), s.received_at), \
     a.expires_on, a.verification_code \
     FROM submissions s LEFT JOIN awards a ON a.submission = s.id";

fn to_candidate(r: &Row) -> MetaResult<(RetentionCandidate, Option<String>)> {
    Ok((
        RetentionCandidate {
            id: SubmissionId(get(r, 0)?),
            institution: InstitutionId(get(r, 1)?),
            last_event_at: get(r, 2)?,
            award_expires_on: get(r, 3)?,
        },
        get(r, 4)?,
    ))
}

fn blob_lists(rows: &[Row]) -> MetaResult<Vec<Vec<BlobRef>>> {
    rows.iter()
        .map(|r| from_json("blob list", get::<&str>(r, 0)?))
        .collect()
}

/// Inside the retention transaction (READ COMMITTED). The submission's row is locked first:
/// a commit or a transition of it (which lock it too) waits, and its events are numbered under
/// that lock, so the last event read after it is the last there is.
async fn delete_past(
    tx: &Transaction<'_>,
    id: SubmissionId,
    cutoff: DateTime<Utc>,
    at: DateTime<Utc>,
) -> TxResult<Option<RetentionDeleted>> {
    let at = stored_time(at);
    if tx
        .query_opt(
            "SELECT 1 FROM submissions WHERE id = $1 FOR UPDATE",
            &[&id.0],
        )
        .await?
        .is_none()
    {
        return Ok(None);
    }
    let row = tx
        .query_one(&format!("{CANDIDATE} WHERE s.id = $1"), &[&id.0])
        .await?;
    let (submission, award) = to_candidate(&row)?;
    if !submission.is_past(cutoff) {
        return Ok(None);
    }
    let institution = submission.institution.0;
    let deleted_lists = blob_lists(
        &tx.query(
            "SELECT blobs FROM envelopes WHERE submission = $1",
            &[&id.0],
        )
        .await?,
    )?;
    let remaining = blob_lists(
        &tx.query(
            "SELECT e.blobs FROM envelopes e JOIN submissions s ON s.id = e.submission \
             WHERE s.institution = $1 AND s.id <> $2",
            &[&institution, &id.0],
        )
        .await?,
    )?;
    let mut blobs = 0;
    let mut blob_bytes = 0;
    let mut prefixes = Vec::new();
    for sha256 in unshared_blobs(&deleted_lists, &remaining) {
        let hash = &sha256.0[..];
        let Some(held) = tx
            .query_opt(
                "DELETE FROM blobs WHERE institution = $1 AND sha256 = $2 RETURNING size, upload",
                &[&institution, &hash],
            )
            .await?
        else {
            continue;
        };
        // Its parts went with it (ON DELETE CASCADE).
        blobs += 1;
        blob_bytes += uint(get(&held, 0)?)?;
        prefixes.push(prefix_of(get(&held, 1)?));
    }
    let events = tx
        .execute("DELETE FROM events WHERE submission = $1", &[&id.0])
        .await?;
    let envelopes = tx
        .execute("DELETE FROM envelopes WHERE submission = $1", &[&id.0])
        .await?;
    if let Some(code) = &award {
        tx.execute(
            "INSERT INTO deleted_awards (verification_code, deleted_at, reason) \
             VALUES ($1, $2, 'retention') ON CONFLICT DO NOTHING",
            &[code, &at],
        )
        .await?;
        tx.execute("DELETE FROM awards WHERE submission = $1", &[&id.0])
            .await?;
    }
    tx.execute("DELETE FROM submissions WHERE id = $1", &[&id.0])
        .await?;
    tx.execute(
        "INSERT INTO deleted_submissions (id, institution, deleted_at, reason) \
         VALUES ($1, $2, $3, 'retention')",
        &[&id.0, &institution, &at],
    )
    .await?;
    queue(tx, &prefixes, at).await?;
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

async fn stored_profile<C: GenericClient>(
    c: &C,
    institution: Uuid,
) -> TxResult<Option<StoredProfile>> {
    let Some(row) = c
        .query_opt(
            "SELECT profile, version, corrected_at FROM institution_profiles WHERE institution = $1",
            &[&institution],
        )
        .await?
    else {
        return Ok(None);
    };
    Ok(Some(StoredProfile {
        profile: from_json("profile", get(&row, 0)?)?,
        version: to_u32("profile version", get(&row, 1)?)?,
        corrected_at: get(&row, 2)?,
    }))
}

/// Inside the correction transaction (READ COMMITTED). The institution's row is locked (`FOR
/// NO KEY UPDATE`, which commits and uploads referencing it do not wait for), so two
/// corrections take turns and the second compares with the first's profile; each open
/// submission's row is locked before its event is numbered, as every event is.
async fn correct(
    tx: &Transaction<'_>,
    institution: InstitutionId,
    profile: &InstitutionProfile,
    at: DateTime<Utc>,
) -> TxResult<Option<ProfileOutcome>> {
    let id = institution.0;
    let at = stored_time(at);
    if tx
        .query_opt(
            "SELECT 1 FROM institutions WHERE id = $1 FOR NO KEY UPDATE",
            &[&id],
        )
        .await?
        .is_none()
    {
        return Ok(None);
    }
    let old = stored_profile(tx, id).await?;
    let changed = changed_fields(old.as_ref().map(|o| &o.profile), profile);
    if let Some(old) = old.as_ref().filter(|_| changed.is_empty()) {
        return Ok(Some(ProfileOutcome {
            stored: old.clone(),
            changed,
            recorded_in: Vec::new(),
        }));
    }
    let version = old.map_or(1, |o| o.version + 1);
    let text = to_json("profile", profile)?;
    tx.execute(
        "INSERT INTO institution_profiles (institution, profile, version, corrected_at) \
         VALUES ($1, $2, $3, $4) ON CONFLICT (institution) DO UPDATE SET \
         profile = excluded.profile, version = excluded.version, corrected_at = excluded.corrected_at",
        &[&id, &text, &i64::from(version), &at],
    )
    .await?;
    let rows = tx
        .query(
            "SELECT id, state FROM submissions WHERE institution = $1 \
             ORDER BY received_at, id FOR UPDATE",
            &[&id],
        )
        .await?;
    let mut recorded_in = Vec::new();
    for row in &rows {
        let state = parse_state(get(row, 1)?)?;
        if state.is_final() {
            continue;
        }
        let submission = SubmissionId(get(row, 0)?);
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
        )
        .await?;
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

fn outcome<T>(result: TxResult<T>) -> MetaResult<T> {
    result.map_err(|e| match e {
        super::TxError::Pg(e) => super::pg_error(&e),
        super::TxError::Meta(e) => e,
    })
}

#[async_trait]
impl PrivacyStore for PgMeta {
    // READ COMMITTED, the institution's row locked FOR UPDATE first (see `erase`).
    async fn erase_institution(&self, request: EraseRequest) -> MetaResult<ErasureOutcome> {
        let request = Arc::new(request);
        self.transaction(IsolationLevel::ReadCommitted, move |tx| {
            let request = Arc::clone(&request);
            Box::pin(async move { erase(tx, &request).await })
        })
        .await
    }

    // One SELECT: a tombstone is written whole and never changes.
    async fn erased_institution(&self, id: InstitutionId) -> MetaResult<Option<ErasedInstitution>> {
        let client = self.client().await?;
        outcome(tombstone(&**client, id.0).await)
    }

    // One SELECT, as above.
    async fn erased_token(&self, id: &str) -> MetaResult<Option<ErasedToken>> {
        let client = self.client().await?;
        let Some(row) = client
            .query_opt(
                "SELECT id, secret_sha256, institution FROM erased_tokens WHERE id = $1",
                &[&id],
            )
            .await?
        else {
            return Ok(None);
        };
        Ok(Some(ErasedToken {
            id: get(&row, 0)?,
            secret_sha256: get::<Vec<u8>>(&row, 1)?
                .try_into()
                .map_err(|_| bad("token hash", "wrong length"))?,
            institution: InstitutionId(get(&row, 2)?),
        }))
    }

    // One SELECT, as above (only an erasure later clears its institution).
    async fn deleted_submission(&self, id: SubmissionId) -> MetaResult<Option<DeletedSubmission>> {
        let client = self.client().await?;
        let Some(row) = client
            .query_opt(
                "SELECT id, institution, deleted_at, reason FROM deleted_submissions WHERE id = $1",
                &[&id.0],
            )
            .await?
        else {
            return Ok(None);
        };
        Ok(Some(DeletedSubmission {
            id: SubmissionId(get(&row, 0)?),
            institution: get::<Option<Uuid>>(&row, 1)?.map(InstitutionId),
            deleted_at: get(&row, 2)?,
            reason: reason(get(&row, 3)?)?,
        }))
    }

    // One SELECT, as above.
    async fn deleted_award(&self, code: &str) -> MetaResult<Option<DeletedAward>> {
        let client = self.client().await?;
        let Some(row) = client
            .query_opt(
                "SELECT verification_code, deleted_at, reason FROM deleted_awards \
                 WHERE verification_code = $1",
                &[&code],
            )
            .await?
        else {
            return Ok(None);
        };
        Ok(Some(DeletedAward {
            verification_code: get(&row, 0)?,
            deleted_at: get(&row, 1)?,
            reason: reason(get(&row, 2)?)?,
        }))
    }

    // One SELECT (one snapshot); each deletion checks its submission again under its lock.
    async fn retention_candidates(
        &self,
        cutoff: DateTime<Utc>,
    ) -> MetaResult<Vec<RetentionCandidate>> {
        let client = self.client().await?;
        let rows = client
            .query(
                &format!(
                    "SELECT * FROM ({CANDIDATE}) c (id, institution, last, expires_on, code) \
                     WHERE last < $1 ORDER BY last, id"
                ),
                &[&cutoff],
            )
            .await?;
        rows.iter()
            .map(|r| to_candidate(r).map(|(candidate, _)| candidate))
            .collect()
    }

    // READ COMMITTED, the submission's row locked FOR UPDATE first (see `delete_past`).
    async fn delete_past_retention(
        &self,
        id: SubmissionId,
        cutoff: DateTime<Utc>,
        at: DateTime<Utc>,
    ) -> MetaResult<Option<RetentionDeleted>> {
        self.transaction(IsolationLevel::ReadCommitted, move |tx| {
            Box::pin(async move { delete_past(tx, id, cutoff, at).await })
        })
        .await
    }

    // One SELECT: two instances may list the same prefix; deleting its objects twice is
    // harmless.
    async fn pending_deletions(&self, limit: u32) -> MetaResult<Vec<String>> {
        let client = self.client().await?;
        let rows = client
            .query(
                "SELECT prefix FROM pending_deletions ORDER BY queued_at, prefix LIMIT $1",
                &[&i64::from(limit)],
            )
            .await?;
        rows.iter().map(|r| get(r, 0)).collect()
    }

    // One DELETE: deleting a row already gone deletes nothing.
    async fn forget_pending_deletion(&self, prefix: &str) -> MetaResult<()> {
        self.client()
            .await?
            .execute(
                "DELETE FROM pending_deletions WHERE prefix = $1",
                &[&prefix],
            )
            .await?;
        Ok(())
    }

    // READ COMMITTED, the institution's row locked FOR NO KEY UPDATE first (see `correct`).
    async fn correct_profile(
        &self,
        institution: InstitutionId,
        profile: &InstitutionProfile,
        at: DateTime<Utc>,
    ) -> MetaResult<Option<ProfileOutcome>> {
        let profile = Arc::new(profile.clone());
        self.transaction(IsolationLevel::ReadCommitted, move |tx| {
            let profile = Arc::clone(&profile);
            Box::pin(async move { correct(tx, institution, &profile, at).await })
        })
        .await
    }

    // One SELECT: a profile row is written whole.
    async fn profile(&self, institution: InstitutionId) -> MetaResult<Option<StoredProfile>> {
        let client = self.client().await?;
        outcome(stored_profile(&**client, institution.0).await)
    }
}
