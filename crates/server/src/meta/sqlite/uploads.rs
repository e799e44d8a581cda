//! [`UploadStore`] on SQLite. Every method is one transaction (or one read); those whose
//! result a client is told (a chunk recorded, a blob held) commit durably.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension as _, params};
use waymark_protocol::envelope::BlobRef;
use waymark_protocol::{InstitutionId, Sha256};

use super::{SqliteMeta, parse_time, time_text};
use crate::meta::codec::{bad, int, uint};
use crate::meta::uploads::{
    Finished, NewUpload, OverQuota, Part, StoredBlob, SweepItem, UploadRecord, UploadRefusal,
    UploadState,
};
use crate::meta::{MetaResult, UploadStore};

const UPLOAD_COLUMNS: &str =
    "id, institution, sha256, upload_length, received, state, created_at, expires_at";

type UploadRow = (String, String, String, i64, i64, String, String, String);

fn upload_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<UploadRow> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
        r.get(6)?,
        r.get(7)?,
    ))
}

/// The record, or `None` for a terminated upload (which answers as absent).
fn to_upload(
    (id, institution, sha256, length, received, state, created, expires): UploadRow,
) -> MetaResult<Option<UploadRecord>> {
    let state = match state.as_str() {
        "receiving" => UploadState::Receiving,
        "complete" => UploadState::Complete,
        "terminated" => return Ok(None),
        other => return Err(bad("upload state", other)),
    };
    Ok(Some(UploadRecord {
        id: uuid::Uuid::parse_str(&id).map_err(|e| bad("upload id", e))?,
        institution: institution.parse().map_err(|e| bad("institution id", e))?,
        sha256: sha256.parse().map_err(|e| bad("hash", e))?,
        length: uint(length)?,
        offset: uint(received)?,
        state,
        created_at: parse_time(&created)?,
        expires_at: parse_time(&expires)?,
    }))
}

fn find_upload(
    c: &Connection,
    institution: InstitutionId,
    id: uuid::Uuid,
) -> MetaResult<Option<UploadRecord>> {
    c.query_row(
        &format!("SELECT {UPLOAD_COLUMNS} FROM uploads WHERE id = ?1 AND institution = ?2"),
        params![id.to_string(), institution.to_string()],
        upload_row,
    )
    .optional()?
    .map(to_upload)
    .transpose()
    .map(Option::flatten)
}

fn parts_of(c: &Connection, id: uuid::Uuid) -> MetaResult<Vec<Part>> {
    let mut stmt = c.prepare_cached(
        "SELECT start, size, object FROM upload_parts WHERE upload = ?1 ORDER BY start",
    )?;
    let rows = stmt.query_map([id.to_string()], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, i64>(1)?,
            r.get::<_, String>(2)?,
        ))
    })?;
    rows.map(|r| {
        let (start, size, object) = r?;
        Ok(Part {
            start: uint(start)?,
            size: uint(size)?,
            object,
        })
    })
    .collect()
}

fn used(c: &Connection, institution: InstitutionId, now: DateTime<Utc>) -> MetaResult<u64> {
    let (blobs, uploads): (i64, i64) = c.query_row(
        "SELECT
            (SELECT COALESCE(SUM(size), 0) FROM blobs WHERE institution = ?1),
            (SELECT COALESCE(SUM(upload_length), 0) FROM uploads
              WHERE institution = ?1 AND state = 'receiving' AND expires_at > ?2)",
        params![institution.to_string(), time_text(now)],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    Ok(uint(blobs)?.saturating_add(uint(uploads)?))
}

/// The checks every chunk needs: the upload is this institution's, receiving, unexpired and at
/// the chunk's offset.
fn receiving(
    c: &Connection,
    institution: InstitutionId,
    id: uuid::Uuid,
    start: u64,
    now: DateTime<Utc>,
) -> MetaResult<Result<UploadRecord, UploadRefusal>> {
    let Some(upload) = find_upload(c, institution, id)? else {
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

fn insert_part(c: &Connection, id: uuid::Uuid, part: &Part) -> MetaResult<()> {
    c.execute(
        "INSERT INTO upload_parts (upload, start, size, object) VALUES (?1, ?2, ?3, ?4)",
        params![
            id.to_string(),
            int(part.start)?,
            int(part.size)?,
            part.object
        ],
    )?;
    Ok(())
}

#[async_trait]
impl UploadStore for SqliteMeta {
    async fn create_upload(
        &self,
        upload: &NewUpload,
        quota: u64,
    ) -> MetaResult<Result<(), OverQuota>> {
        let upload = upload.clone();
        self.write(true, move |tx| {
            let used = used(tx, upload.institution, upload.created_at)?;
            if used.saturating_add(upload.length) > quota {
                return Ok(Err(OverQuota { used }));
            }
            tx.execute(
                "INSERT INTO uploads (id, institution, sha256, upload_length, created_at, expires_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    upload.id.to_string(),
                    upload.institution.to_string(),
                    upload.sha256.to_hex(),
                    int(upload.length)?,
                    time_text(upload.created_at),
                    time_text(upload.expires_at),
                ],
            )?;
            Ok(Ok(()))
        })
        .await
    }

    async fn upload(
        &self,
        institution: InstitutionId,
        id: uuid::Uuid,
    ) -> MetaResult<Option<UploadRecord>> {
        self.read(move |c| find_upload(c, institution, id)).await
    }

    async fn upload_parts(
        &self,
        institution: InstitutionId,
        id: uuid::Uuid,
    ) -> MetaResult<Vec<Part>> {
        self.read(move |c| match find_upload(c, institution, id)? {
            Some(_) => parts_of(c, id),
            None => Ok(Vec::new()),
        })
        .await
    }

    async fn add_part(
        &self,
        institution: InstitutionId,
        id: uuid::Uuid,
        part: &Part,
        now: DateTime<Utc>,
    ) -> MetaResult<Result<UploadRecord, UploadRefusal>> {
        let part = part.clone();
        self.write(true, move |tx| {
            let mut upload = match receiving(tx, institution, id, part.start, now)? {
                Ok(u) => u,
                Err(refusal) => return Ok(Err(refusal)),
            };
            let end = part.start.saturating_add(part.size);
            if part.size == 0 || end >= upload.length {
                return Ok(Err(UploadRefusal::WrongEnd));
            }
            insert_part(tx, id, &part)?;
            tx.execute(
                "UPDATE uploads SET received = ?2 WHERE id = ?1",
                params![id.to_string(), int(end)?],
            )?;
            upload.offset = end;
            Ok(Ok(upload))
        })
        .await
    }

    async fn finish_upload(
        &self,
        institution: InstitutionId,
        id: uuid::Uuid,
        last: Option<&Part>,
        now: DateTime<Utc>,
    ) -> MetaResult<Result<Finished, UploadRefusal>> {
        let last = last.cloned();
        self.write(true, move |tx| {
            let start = last.as_ref().map_or(0, |p| p.start);
            let upload = match receiving(tx, institution, id, start, now)? {
                Ok(u) => u,
                Err(refusal) => return Ok(Err(refusal)),
            };
            let end = last.as_ref().map_or(upload.offset, |p| p.start + p.size);
            if end != upload.length || last.as_ref().is_some_and(|p| p.size == 0) {
                return Ok(Err(UploadRefusal::WrongEnd));
            }
            if let Some(part) = &last {
                insert_part(tx, id, part)?;
            }
            tx.execute(
                "UPDATE uploads SET received = upload_length, state = 'complete' WHERE id = ?1",
                [id.to_string()],
            )?;
            let parts = parts_of(tx, id)?;
            tx.execute(
                "DELETE FROM upload_parts WHERE upload = ?1",
                [id.to_string()],
            )?;
            let blob = BlobRef {
                sha256: upload.sha256,
                size: upload.length,
            };
            let inserted = tx.execute(
                "INSERT INTO blobs (institution, sha256, size, upload, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO NOTHING",
                params![
                    institution.to_string(),
                    blob.sha256.to_hex(),
                    int(blob.size)?,
                    id.to_string(),
                    time_text(now)
                ],
            )?;
            if inserted == 0 {
                return Ok(Ok(Finished {
                    blob,
                    dropped: Some(parts),
                }));
            }
            let mut stmt = tx.prepare_cached(
                "INSERT INTO blob_parts (institution, sha256, start, size, object)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )?;
            for part in &parts {
                stmt.execute(params![
                    institution.to_string(),
                    blob.sha256.to_hex(),
                    int(part.start)?,
                    int(part.size)?,
                    part.object,
                ])?;
            }
            Ok(Ok(Finished {
                blob,
                dropped: None,
            }))
        })
        .await
    }

    async fn terminate_upload(
        &self,
        institution: InstitutionId,
        id: uuid::Uuid,
    ) -> MetaResult<Option<UploadRecord>> {
        self.write(true, move |tx| {
            let Some(upload) = find_upload(tx, institution, id)? else {
                return Ok(None);
            };
            match upload.state {
                UploadState::Receiving => tx.execute(
                    "UPDATE uploads SET state = 'terminated' WHERE id = ?1",
                    [id.to_string()],
                )?,
                UploadState::Complete => {
                    tx.execute("DELETE FROM uploads WHERE id = ?1", [id.to_string()])?
                }
            };
            Ok(Some(upload))
        })
        .await
    }

    async fn forget_upload(&self, id: uuid::Uuid) -> MetaResult<()> {
        self.write(false, move |tx| {
            // The parts go with it (ON DELETE CASCADE).
            tx.execute("DELETE FROM uploads WHERE id = ?1", [id.to_string()])?;
            Ok(())
        })
        .await
    }

    async fn uploads_to_sweep(&self, now: DateTime<Utc>, limit: u32) -> MetaResult<Vec<SweepItem>> {
        self.read(move |c| {
            let mut stmt = c.prepare_cached(
                "SELECT id, state FROM uploads WHERE expires_at <= ?1 OR state = 'terminated'
                 ORDER BY expires_at LIMIT ?2",
            )?;
            let rows = stmt.query_map(params![time_text(now), limit], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
            })?;
            rows.map(|r| {
                let (id, state) = r?;
                Ok(SweepItem {
                    id: uuid::Uuid::parse_str(&id).map_err(|e| bad("upload id", e))?,
                    delete_objects: state != "complete",
                })
            })
            .collect()
        })
        .await
    }

    async fn held_blobs(
        &self,
        institution: InstitutionId,
        hashes: &[Sha256],
    ) -> MetaResult<Vec<BlobRef>> {
        let hashes = hashes.to_vec();
        self.read(move |c| {
            let mut stmt =
                c.prepare_cached("SELECT size FROM blobs WHERE institution = ?1 AND sha256 = ?2")?;
            let institution = institution.to_string();
            let mut seen = std::collections::HashSet::with_capacity(hashes.len());
            let mut held = Vec::new();
            for sha256 in hashes {
                if !seen.insert(sha256) {
                    continue;
                }
                let size: Option<i64> = stmt
                    .query_row(params![institution, sha256.to_hex()], |r| r.get(0))
                    .optional()?;
                if let Some(size) = size {
                    held.push(BlobRef {
                        sha256,
                        size: uint(size)?,
                    });
                }
            }
            Ok(held)
        })
        .await
    }

    async fn blob(
        &self,
        institution: InstitutionId,
        sha256: Sha256,
    ) -> MetaResult<Option<StoredBlob>> {
        self.read(move |c| {
            let key = params![institution.to_string(), sha256.to_hex()];
            let Some(size) = c
                .query_row(
                    "SELECT size FROM blobs WHERE institution = ?1 AND sha256 = ?2",
                    key,
                    |r| r.get::<_, i64>(0),
                )
                .optional()?
            else {
                return Ok(None);
            };
            let mut stmt = c.prepare_cached(
                "SELECT start, size, object FROM blob_parts
                 WHERE institution = ?1 AND sha256 = ?2 ORDER BY start",
            )?;
            let parts = stmt
                .query_map(key, |r| {
                    Ok((
                        r.get::<_, i64>(0)?,
                        r.get::<_, i64>(1)?,
                        r.get::<_, String>(2)?,
                    ))
                })?
                .map(|r| {
                    let (start, size, object) = r?;
                    Ok(Part {
                        start: uint(start)?,
                        size: uint(size)?,
                        object,
                    })
                })
                .collect::<MetaResult<Vec<_>>>()?;
            Ok(Some(StoredBlob {
                blob: BlobRef {
                    sha256,
                    size: uint(size)?,
                },
                parts,
            }))
        })
        .await
    }

    async fn storage_used(
        &self,
        institution: InstitutionId,
        now: DateTime<Utc>,
    ) -> MetaResult<u64> {
        self.read(move |c| used(c, institution, now)).await
    }
}
