//! [`UploadStore`] on PostgreSQL. An upload's offset and parts are rows here, so a chunk can
//! arrive at any instance. Every method is one transaction (or one statement, which is its
//! own); each says why its isolation level is enough when two instances race. PostgreSQL
//! commits durably (`synchronous_commit` on), so what a client is told is safe is.

use std::collections::{HashMap, HashSet};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use tokio_postgres::{IsolationLevel, Row, Transaction};
use waymark_protocol::envelope::BlobRef;
use waymark_protocol::{InstitutionId, Sha256};

use super::{PgMeta, TxResult};
use crate::meta::codec::{bad, int, uint};
use crate::meta::uploads::{
    Finished, NewUpload, OverQuota, Part, StoredBlob, SweepItem, UploadRecord, UploadRefusal,
    UploadState,
};
use crate::meta::{MetaError, MetaResult, UploadStore};

fn to_sha256(bytes: Vec<u8>) -> MetaResult<Sha256> {
    <[u8; 32]>::try_from(bytes)
        .map(Sha256)
        .map_err(|b| bad("hash", format!("{} bytes, not 32", b.len())))
}

const UPLOAD_COLUMNS: &str =
    "id, institution, sha256, upload_length, received, state, created_at, expires_at";

/// The record, or `None` for a terminated upload (which answers as absent).
fn to_upload(r: &Row) -> MetaResult<Option<UploadRecord>> {
    let state = match r.try_get::<_, &str>(5)? {
        "receiving" => UploadState::Receiving,
        "complete" => UploadState::Complete,
        "terminated" => return Ok(None),
        other => return Err(bad("upload state", other)),
    };
    Ok(Some(UploadRecord {
        id: r.try_get(0)?,
        institution: InstitutionId(r.try_get(1)?),
        sha256: to_sha256(r.try_get(2)?)?,
        length: uint(r.try_get(3)?)?,
        offset: uint(r.try_get(4)?)?,
        state,
        created_at: r.try_get(6)?,
        expires_at: r.try_get(7)?,
    }))
}

/// A part from `start, size, object` in the row's first three columns.
fn to_part(r: &Row) -> MetaResult<Part> {
    Ok(Part {
        start: uint(r.try_get(0)?)?,
        size: uint(r.try_get(1)?)?,
        object: r.try_get(2)?,
    })
}

/// What the quota counts, as two BIGINTs (SUM of BIGINT is NUMERIC): held blobs' sizes, and
/// the lengths of unfinished uploads unexpired at `$2`. One statement, so one snapshot.
const USED: &str = "SELECT
    (SELECT COALESCE(SUM(size), 0) FROM blobs WHERE institution = $1)::BIGINT,
    (SELECT COALESCE(SUM(upload_length), 0) FROM uploads
      WHERE institution = $1 AND state = 'receiving' AND expires_at > $2)::BIGINT";

fn to_used(r: &Row) -> MetaResult<u64> {
    Ok(uint(r.try_get(0)?)?.saturating_add(uint(r.try_get(1)?)?))
}

/// The upload with its row locked until the transaction ends: a chunk, a finish or a
/// termination racing on another instance waits here, then reads the row as this one left it.
async fn lock_upload(
    tx: &Transaction<'_>,
    institution: InstitutionId,
    id: uuid::Uuid,
) -> TxResult<Option<UploadRecord>> {
    let row = tx
        .query_opt(
            &format!(
                "SELECT {UPLOAD_COLUMNS} FROM uploads WHERE id = $1 AND institution = $2 FOR UPDATE"
            ),
            &[&id, &institution.0],
        )
        .await?;
    Ok(row.as_ref().map(to_upload).transpose()?.flatten())
}

/// The checks every chunk needs, on the locked row: the upload is this institution's,
/// receiving, unexpired and at the chunk's offset.
async fn receiving(
    tx: &Transaction<'_>,
    institution: InstitutionId,
    id: uuid::Uuid,
    start: u64,
    now: DateTime<Utc>,
) -> TxResult<Result<UploadRecord, UploadRefusal>> {
    let Some(upload) = lock_upload(tx, institution, id).await? else {
        return Ok(Err(UploadRefusal::NotFound));
    };
    if upload.expired(now) {
        return Ok(Err(UploadRefusal::Expired));
    }
    if upload.state != UploadState::Receiving || upload.offset != start {
        return Ok(Err(UploadRefusal::OffsetMismatch(upload.offset)));
    }
    Ok(Ok(upload))
}

async fn insert_part(tx: &Transaction<'_>, id: uuid::Uuid, part: &Part) -> TxResult<()> {
    tx.execute(
        "INSERT INTO upload_parts (upload, start, size, object) VALUES ($1, $2, $3, $4)",
        &[&id, &int(part.start)?, &int(part.size)?, &part.object],
    )
    .await?;
    Ok(())
}

#[async_trait]
impl UploadStore for PgMeta {
    // READ COMMITTED behind a per-institution advisory lock: the quota is a sum over the
    // institution's blobs and uploads, which no row lock covers, so creates of one institution
    // take turns, and each one's SUM (a new statement, so a new snapshot) sees the rows of the
    // creates before it. Only creating adds to the sum (finishing, terminating and expiring
    // never do), so the other methods need not take the lock. (SERIALIZABLE was correct too,
    // but under load its retries ran out: the ingest bench saw 500s from 40001 aborts.)
    async fn create_upload(
        &self,
        upload: &NewUpload,
        quota: u64,
    ) -> MetaResult<Result<(), OverQuota>> {
        let upload = upload.clone();
        let length = int(upload.length)?;
        self.transaction(IsolationLevel::ReadCommitted, move |tx| {
            let upload = upload.clone();
            Box::pin(async move {
                tx.execute(
                    "SELECT pg_advisory_xact_lock(hashtextextended('waymark quota ' || ($1::uuid)::text, 0))",
                    &[&upload.institution.0],
                )
                .await?;
                let used = to_used(
                    &tx.query_one(USED, &[&upload.institution.0, &upload.created_at])
                        .await?,
                )?;
                if used.saturating_add(upload.length) > quota {
                    return Ok(Err(OverQuota { used }));
                }
                tx.execute(
                    "INSERT INTO uploads (id, institution, sha256, upload_length, created_at, expires_at)
                     VALUES ($1, $2, $3, $4, $5, $6)",
                    &[
                        &upload.id,
                        &upload.institution.0,
                        &&upload.sha256.0[..],
                        &length,
                        &upload.created_at,
                        &upload.expires_at,
                    ],
                )
                .await?;
                Ok(Ok(()))
            })
        })
        .await
    }

    // One SELECT: a single statement reads one snapshot.
    async fn upload(
        &self,
        institution: InstitutionId,
        id: uuid::Uuid,
    ) -> MetaResult<Option<UploadRecord>> {
        let client = self.client().await?;
        let stmt = client
            .prepare_cached(&format!(
                "SELECT {UPLOAD_COLUMNS} FROM uploads WHERE id = $1 AND institution = $2"
            ))
            .await?;
        let row = client.query_opt(&stmt, &[&id, &institution.0]).await?;
        Ok(row.as_ref().map(to_upload).transpose()?.flatten())
    }

    // One SELECT (the upload joined to its parts): the check that it is this institution's
    // and not terminated, and the parts, come from one snapshot.
    async fn upload_parts(
        &self,
        institution: InstitutionId,
        id: uuid::Uuid,
    ) -> MetaResult<Vec<Part>> {
        let client = self.client().await?;
        let stmt = client
            .prepare_cached(
                "SELECT p.start, p.size, p.object FROM uploads u JOIN upload_parts p ON p.upload = u.id
                 WHERE u.id = $1 AND u.institution = $2 AND u.state <> 'terminated'
                 ORDER BY p.start",
            )
            .await?;
        client
            .query(&stmt, &[&id, &institution.0])
            .await?
            .iter()
            .map(to_part)
            .collect()
    }

    // READ COMMITTED: the upload's row is locked (FOR UPDATE) before its offset is checked, and
    // the offset then advances by compare-and-set, so a chunk racing on another instance waits
    // and then reads the new offset (OffsetMismatch).
    async fn add_part(
        &self,
        institution: InstitutionId,
        id: uuid::Uuid,
        part: &Part,
        now: DateTime<Utc>,
    ) -> MetaResult<Result<UploadRecord, UploadRefusal>> {
        let part = part.clone();
        self.transaction(IsolationLevel::ReadCommitted, move |tx| {
            let part = part.clone();
            Box::pin(async move {
                let mut upload = match receiving(tx, institution, id, part.start, now).await? {
                    Ok(u) => u,
                    Err(refusal) => return Ok(Err(refusal)),
                };
                let end = part.start.saturating_add(part.size);
                if part.size == 0 || end >= upload.length {
                    return Ok(Err(UploadRefusal::WrongEnd));
                }
                insert_part(tx, id, &part).await?;
                let moved = tx
                    .execute(
                        "UPDATE uploads SET received = $3 WHERE id = $1 AND received = $2",
                        &[&id, &int(part.start)?, &int(end)?],
                    )
                    .await?;
                if moved != 1 {
                    // The row is locked, so nothing else can have moved the offset.
                    return Err(MetaError::Internal(format!(
                        "upload {id}'s offset moved while its row was locked"
                    ))
                    .into());
                }
                upload.offset = end;
                Ok(Ok(upload))
            })
        })
        .await
    }

    // READ COMMITTED: the upload's row is locked (FOR UPDATE), so it finishes once; two uploads
    // of the same blob finishing on two instances meet at the blobs primary key, where the
    // second waits for the first's commit and then drops its parts (ON CONFLICT DO NOTHING).
    async fn finish_upload(
        &self,
        institution: InstitutionId,
        id: uuid::Uuid,
        last: Option<&Part>,
        now: DateTime<Utc>,
    ) -> MetaResult<Result<Finished, UploadRefusal>> {
        let last = last.cloned();
        self.transaction(IsolationLevel::ReadCommitted, move |tx| {
            let last = last.clone();
            Box::pin(async move {
                let start = last.as_ref().map_or(0, |p| p.start);
                let upload = match receiving(tx, institution, id, start, now).await? {
                    Ok(u) => u,
                    Err(refusal) => return Ok(Err(refusal)),
                };
                let end = last
                    .as_ref()
                    .map_or(upload.offset, |p| p.start.saturating_add(p.size));
                if end != upload.length || last.as_ref().is_some_and(|p| p.size == 0) {
                    return Ok(Err(UploadRefusal::WrongEnd));
                }
                if let Some(part) = &last {
                    insert_part(tx, id, part).await?;
                }
                tx.execute(
                    "UPDATE uploads SET received = upload_length, state = 'complete' WHERE id = $1",
                    &[&id],
                )
                .await?;
                let blob = BlobRef {
                    sha256: upload.sha256,
                    size: upload.length,
                };
                let inserted = tx
                    .execute(
                        "INSERT INTO blobs (institution, sha256, size, upload, created_at)
                         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (institution, sha256) DO NOTHING",
                        &[
                            &institution.0,
                            &&blob.sha256.0[..],
                            &int(blob.size)?,
                            &id,
                            &now,
                        ],
                    )
                    .await?;
                if inserted == 0 {
                    // Already held: this upload's parts go, and their objects may be deleted.
                    let mut parts = tx
                        .query(
                            "DELETE FROM upload_parts WHERE upload = $1 RETURNING start, size, object",
                            &[&id],
                        )
                        .await?
                        .iter()
                        .map(to_part)
                        .collect::<MetaResult<Vec<_>>>()?;
                    parts.sort_by_key(|p| p.start);
                    return Ok(Ok(Finished {
                        blob,
                        dropped: Some(parts),
                    }));
                }
                // The parts move to the blob in one statement, on the server.
                tx.execute(
                    "WITH moved AS (
                         DELETE FROM upload_parts WHERE upload = $1 RETURNING start, size, object
                     )
                     INSERT INTO blob_parts (institution, sha256, start, size, object)
                     SELECT $2::UUID, $3::BYTEA, start, size, object FROM moved",
                    &[&id, &institution.0, &&blob.sha256.0[..]],
                )
                .await?;
                Ok(Ok(Finished {
                    blob,
                    dropped: None,
                }))
            })
        })
        .await
    }

    // READ COMMITTED: the upload's row is locked (FOR UPDATE), so a chunk racing on another
    // instance either lands before the termination or then finds the upload gone (NotFound).
    async fn terminate_upload(
        &self,
        institution: InstitutionId,
        id: uuid::Uuid,
    ) -> MetaResult<Option<UploadRecord>> {
        self.transaction(IsolationLevel::ReadCommitted, move |tx| {
            Box::pin(async move {
                let Some(upload) = lock_upload(tx, institution, id).await? else {
                    return Ok(None);
                };
                match upload.state {
                    UploadState::Receiving => {
                        tx.execute(
                            "UPDATE uploads SET state = 'terminated' WHERE id = $1",
                            &[&id],
                        )
                        .await?
                    }
                    UploadState::Complete => {
                        tx.execute("DELETE FROM uploads WHERE id = $1", &[&id])
                            .await?
                    }
                };
                Ok(Some(upload))
            })
        })
        .await
    }

    // One DELETE: deleting a row already gone (a sweep on another instance) deletes nothing.
    async fn forget_upload(&self, id: uuid::Uuid) -> MetaResult<()> {
        // The parts go with it (ON DELETE CASCADE).
        self.client()
            .await?
            .execute("DELETE FROM uploads WHERE id = $1", &[&id])
            .await?;
        Ok(())
    }

    // One SELECT: a single statement reads one snapshot; two instances sweeping at once may
    // list the same upload, and deleting its objects and forgetting it twice is harmless.
    async fn uploads_to_sweep(&self, now: DateTime<Utc>, limit: u32) -> MetaResult<Vec<SweepItem>> {
        let client = self.client().await?;
        let stmt = client
            .prepare_cached(
                "SELECT id, state FROM uploads WHERE expires_at <= $1 OR state = 'terminated'
                 ORDER BY expires_at, id LIMIT $2",
            )
            .await?;
        client
            .query(&stmt, &[&now, &i64::from(limit)])
            .await?
            .iter()
            .map(|r| {
                Ok(SweepItem {
                    id: r.try_get(0)?,
                    delete_objects: r.try_get::<_, &str>(1)? != "complete",
                })
            })
            .collect()
    }

    // One SELECT for all the hashes: a single statement reads one snapshot.
    async fn held_blobs(
        &self,
        institution: InstitutionId,
        hashes: &[Sha256],
    ) -> MetaResult<Vec<BlobRef>> {
        if hashes.is_empty() {
            return Ok(Vec::new());
        }
        let keys: Vec<&[u8]> = hashes.iter().map(|h| &h.0[..]).collect();
        let client = self.client().await?;
        let stmt = client
            .prepare_cached(
                "SELECT sha256, size FROM blobs WHERE institution = $1 AND sha256 = ANY ($2)",
            )
            .await?;
        let mut sizes = HashMap::with_capacity(hashes.len());
        for r in client.query(&stmt, &[&institution.0, &keys]).await? {
            sizes.insert(to_sha256(r.try_get(0)?)?, uint(r.try_get(1)?)?);
        }
        let mut seen = HashSet::with_capacity(hashes.len());
        Ok(hashes
            .iter()
            .filter(|h| seen.insert(**h))
            .filter_map(|h| sizes.get(h).map(|&size| BlobRef { sha256: *h, size }))
            .collect())
    }

    // One SELECT (the blob joined to its parts): a single statement reads one snapshot.
    async fn blob(
        &self,
        institution: InstitutionId,
        sha256: Sha256,
    ) -> MetaResult<Option<StoredBlob>> {
        let client = self.client().await?;
        let stmt = client
            .prepare_cached(
                "SELECT b.size, p.start, p.size, p.object
                 FROM blobs b LEFT JOIN blob_parts p USING (institution, sha256)
                 WHERE b.institution = $1 AND b.sha256 = $2 ORDER BY p.start",
            )
            .await?;
        let rows = client
            .query(&stmt, &[&institution.0, &&sha256.0[..]])
            .await?;
        let Some(first) = rows.first() else {
            return Ok(None);
        };
        let size = uint(first.try_get(0)?)?;
        let mut parts = Vec::with_capacity(rows.len());
        for r in &rows {
            // An empty blob has no parts: its one row has NULLs for them.
            let Some(start) = r.try_get::<_, Option<i64>>(1)? else {
                continue;
            };
            parts.push(Part {
                start: uint(start)?,
                size: uint(r.try_get(2)?)?,
                object: r.try_get(3)?,
            });
        }
        Ok(Some(StoredBlob {
            blob: BlobRef { sha256, size },
            parts,
        }))
    }

    // One SELECT: a single statement reads one snapshot.
    async fn storage_used(
        &self,
        institution: InstitutionId,
        now: DateTime<Utc>,
    ) -> MetaResult<u64> {
        let client = self.client().await?;
        let stmt = client.prepare_cached(USED).await?;
        to_used(&client.query_one(&stmt, &[&institution.0, &now]).await?)
    }
}
