//! Blob bytes, over `state.blobs` (any `object_store::ObjectStore`), and what the rest of the
//! server asks about them.
//!
//! Layout: each accepted tus chunk is its own object, `uploads/<upload id>/<start>-<attempt>`
//! (`start` zero-padded to 20 digits so a listing sorts by offset; `attempt` a fresh UUID so two
//! PATCHes racing for the same offset never write the same object). A finished upload's parts
//! stay where they are and become the blob's parts in the metadata store: a blob is read by
//! streaming them in order, never copied into one object (which would double the I/O of an
//! 8 GiB blob). Why one object per chunk: `LocalFileSystem`'s multipart upload is a staging
//! file deleted on drop, so an upload could not resume across a restart or move between server
//! instances; separate, complete objects can, on the local disk and on S3 alike.
//!
//! Blobs are held per institution and addressed by their ciphertext SHA-256: every function
//! here takes the institution, and another institution's blobs do not exist for it.

use bytes::Bytes;
use futures::stream::BoxStream;
use futures::{Stream, StreamExt as _, TryStreamExt as _};
use object_store::path::Path;
use object_store::{ObjectStoreExt as _, WriteMultipart};
use sha1::Digest as _;
use waymark_protocol::envelope::BlobRef;
use waymark_protocol::{ApiErrorCode, InstitutionId, Sha256};

use crate::meta::uploads::Part;
use crate::{AppState, Failure};

/// The bytes of a blob, in order.
pub type BlobStream = BoxStream<'static, Result<Bytes, object_store::Error>>;

/// Uploads removed per metadata query while sweeping (bounds one query, not the sweep).
const SWEEP_BATCH: u32 = 100;

/// In-flight part writes per chunk (object_store's multipart buffers 5 MiB per write), so a
/// chunk being received holds at most about `2 × 5 MiB` however large it is.
const WRITE_CONCURRENCY: usize = 2;

/// Of these ciphertext hashes, the verified blobs this institution holds (each once, in the
/// order asked). What `POST /v1/blobs/held` answers and what a commit checks its envelope with.
pub async fn held(
    state: &AppState,
    institution: InstitutionId,
    hashes: &[Sha256],
) -> Result<Vec<BlobRef>, Failure> {
    Ok(state.meta.held_blobs(institution, hashes).await?)
}

/// True when this institution holds this blob, verified, with this exact size.
pub async fn holds(
    state: &AppState,
    institution: InstitutionId,
    blob: &BlobRef,
) -> Result<bool, Failure> {
    Ok(state
        .meta
        .held_blobs(institution, std::slice::from_ref(&blob.sha256))
        .await?
        .first()
        .is_some_and(|held| held == blob))
}

/// The bytes of a blob this institution holds (for the assessor's download), with its hash
/// and size (the `Content-Length`). `not_found` when it does not hold it. A part found missing
/// or short while streaming ends the stream with an error, so a download is never silently
/// truncated.
pub async fn read(
    state: &AppState,
    institution: InstitutionId,
    sha256: Sha256,
) -> Result<(BlobRef, BlobStream), Failure> {
    let stored = state
        .meta
        .blob(institution, sha256)
        .await?
        .ok_or_else(|| Failure::not_found("blob"))?;
    let stream = parts_stream(state, stored.parts);
    Ok((stored.blob, stream))
}

/// Deletes expired unfinished uploads with their parts, forgets expired complete uploads (their
/// blobs stay held) and finishes terminations a crash cut off. Returns how many uploads went.
/// The serve loop calls it hourly; it is safe to run on several instances at once.
pub async fn sweep_expired(state: &AppState) -> Result<u64, Failure> {
    let now = state.clock.now();
    let mut swept = 0;
    loop {
        let batch = state.meta.uploads_to_sweep(now, SWEEP_BATCH).await?;
        for item in &batch {
            // Objects first, then the row: a crash in between leaves the row, and the next
            // sweep deletes what is left.
            if item.delete_objects {
                delete_upload_objects(state, item.id).await?;
            }
            state.meta.forget_upload(item.id).await?;
            state.running.forget(item.id);
            swept += 1;
        }
        if batch.len() < SWEEP_BATCH as usize {
            break;
        }
    }
    if swept > 0 {
        tracing::info!(swept, "expired uploads swept");
    }
    Ok(swept)
}

/// Deletes every object under each of `prefixes` (queued by an erasure or a retention
/// deletion, whose rows are already gone), then forgets each from the queue. A crash or a
/// failure midway leaves the rest queued for [`finish_deletions`]. Returns the objects deleted.
pub async fn delete_prefixes(state: &AppState, prefixes: &[String]) -> Result<u64, Failure> {
    let mut deleted = 0;
    for prefix in prefixes {
        let path = Path::from(prefix.as_str());
        let found: Vec<Path> = state
            .blobs
            .list(Some(&path))
            .map_ok(|meta| meta.location)
            .try_collect()
            .await?;
        for location in &found {
            delete_quietly(state, location).await?;
        }
        deleted += found.len() as u64;
        if let Some(upload) = prefix
            .strip_prefix("uploads/")
            .and_then(|id| uuid::Uuid::parse_str(id).ok())
        {
            state.running.forget(upload);
        }
        state.meta.forget_pending_deletion(prefix).await?;
    }
    Ok(deleted)
}

/// Deletes the objects of every prefix still queued for deletion (what a crash or a failed
/// delete cut off). Housekeeping runs it hourly; safe on several instances at once. Returns
/// the objects deleted.
pub async fn finish_deletions(state: &AppState) -> Result<u64, Failure> {
    let mut deleted = 0;
    loop {
        let batch = state.meta.pending_deletions(SWEEP_BATCH).await?;
        deleted += delete_prefixes(state, &batch).await?;
        if batch.len() < SWEEP_BATCH as usize {
            break;
        }
    }
    Ok(deleted)
}

/// The folder of an upload's part objects.
pub(crate) fn upload_prefix(upload: uuid::Uuid) -> Path {
    Path::from(format!("uploads/{}", upload.hyphenated()))
}

/// The SHA-256 of each upload so far, kept in memory as its chunks are accepted, so the last
/// chunk is checked without reading the whole blob back: a 5 GB video would otherwise be read
/// again before its last PATCH is answered, long enough for a school's proxy to give up. After
/// a restart (or on another instance) an upload has no entry and the blob is read back from
/// the store instead. Entries go when an upload finishes, is deleted or expires.
#[derive(Default)]
pub struct RunningHashes(
    std::sync::Mutex<std::collections::HashMap<uuid::Uuid, (u64, sha2::Sha256)>>,
);

impl RunningHashes {
    fn map(
        &self,
    ) -> std::sync::MutexGuard<'_, std::collections::HashMap<uuid::Uuid, (u64, sha2::Sha256)>> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The hash of the upload's first `offset` bytes, when known.
    pub(crate) fn at(&self, upload: uuid::Uuid, offset: u64) -> Option<sha2::Sha256> {
        if offset == 0 {
            return Some(sha2::Sha256::new());
        }
        self.map()
            .get(&upload)
            .filter(|(end, _)| *end == offset)
            .map(|(_, hash)| hash.clone())
    }

    /// Records the hash of the upload's first `end` bytes (a chunk ending there was accepted).
    pub(crate) fn advance(&self, upload: uuid::Uuid, end: u64, hash: sha2::Sha256) {
        self.map().insert(upload, (end, hash));
    }

    /// Drops the upload's entry.
    pub(crate) fn forget(&self, upload: uuid::Uuid) {
        self.map().remove(&upload);
    }
}

/// The checksum a chunk must match (`Upload-Checksum`).
#[derive(Clone, Debug)]
pub(crate) enum Checksum {
    /// SHA-1 (tus's mandatory algorithm; what tuspy sends).
    Sha1([u8; 20]),
    /// SHA-256.
    Sha256([u8; 32]),
}

enum Hasher {
    Sha1(sha1::Sha1),
    Sha256(sha2::Sha256),
}

impl Hasher {
    fn update(&mut self, bytes: &[u8]) {
        match self {
            Hasher::Sha1(h) => h.update(bytes),
            Hasher::Sha256(h) => h.update(bytes),
        }
    }

    fn matches(self, expected: &Checksum) -> bool {
        match (self, expected) {
            (Hasher::Sha1(h), Checksum::Sha1(want)) => h.finalize().as_slice() == want,
            (Hasher::Sha256(h), Checksum::Sha256(want)) => h.finalize().as_slice() == want,
            _ => false,
        }
    }
}

/// Why a chunk was not stored (nothing of it was kept in any case).
#[derive(Debug)]
pub(crate) enum ChunkError {
    /// The body went past `max` bytes.
    TooLong,
    /// The body did not match `Upload-Checksum`.
    ChecksumMismatch,
    /// The body could not be read to its end (the connection dropped).
    Cut(String),
    /// The object store failed.
    Store(object_store::Error),
}

/// Streams a PATCH body into a new part object starting at `start`, hashing as it goes, and
/// publishes the object only when the whole body arrived, was at most `max` bytes and matches
/// `checksum`. Otherwise the write is aborted and nothing is left (a dropped future aborts
/// too: the object store discards an unfinished multipart write). `Ok(None)` for an empty
/// body. Memory stays bounded by [`WRITE_CONCURRENCY`] buffers, whatever the chunk's size.
pub(crate) async fn write_chunk<S, E>(
    state: &AppState,
    upload: uuid::Uuid,
    start: u64,
    body: S,
    max: u64,
    checksum: Option<&Checksum>,
    mut running: Option<sha2::Sha256>,
) -> Result<Option<(Part, Option<sha2::Sha256>)>, ChunkError>
where
    S: Stream<Item = Result<Bytes, E>> + Send,
    E: std::fmt::Display,
{
    let mut body = std::pin::pin!(body);
    // Read the first bytes before creating anything, so an empty PATCH stores nothing.
    let first = loop {
        match body.next().await {
            None => return Ok(None),
            Some(Err(e)) => return Err(ChunkError::Cut(e.to_string())),
            Some(Ok(bytes)) if bytes.is_empty() => continue,
            Some(Ok(bytes)) => break bytes,
        }
    };
    let object =
        upload_prefix(upload).join(format!("{start:020}-{}", uuid::Uuid::now_v7().simple()));
    let mut hasher = match checksum {
        Some(Checksum::Sha1(_)) => Some(Hasher::Sha1(sha1::Sha1::new())),
        Some(Checksum::Sha256(_)) => Some(Hasher::Sha256(sha2::Sha256::new())),
        None => None,
    };
    let multipart = state
        .blobs
        .put_multipart(&object)
        .await
        .map_err(ChunkError::Store)?;
    let mut writer = WriteMultipart::new(multipart);
    let mut size: u64 = 0;
    let mut next = Some(Ok(first));
    let failure = loop {
        let bytes = match next.take() {
            Some(item) => item,
            None => match body.next().await {
                Some(item) => item,
                None => break None,
            },
        };
        let bytes = match bytes {
            Ok(bytes) => bytes,
            Err(e) => break Some(ChunkError::Cut(e.to_string())),
        };
        size = size.saturating_add(bytes.len() as u64);
        if size > max {
            break Some(ChunkError::TooLong);
        }
        if let Some(h) = hasher.as_mut() {
            h.update(&bytes);
        }
        if let Some(r) = running.as_mut() {
            r.update(&bytes);
        }
        if let Err(e) = writer.wait_for_capacity(WRITE_CONCURRENCY).await {
            break Some(ChunkError::Store(e));
        }
        writer.put(bytes);
    };
    let failure = failure.or_else(|| match (hasher, checksum) {
        (Some(h), Some(want)) => (!h.matches(want)).then_some(ChunkError::ChecksumMismatch),
        _ => None,
    });
    if let Some(failure) = failure {
        if let Err(e) = writer.abort().await {
            tracing::warn!(error = %e, %object, "an aborted chunk write could not be cleaned up");
        }
        return Err(failure);
    }
    writer.finish().await.map_err(ChunkError::Store)?;
    Ok(Some((
        Part {
            start,
            size,
            object: object.to_string(),
        },
        running,
    )))
}

/// The parts' bytes in order, each checked against its recorded size.
fn parts_stream(state: &AppState, parts: Vec<Part>) -> BlobStream {
    let store = std::sync::Arc::clone(&state.blobs);
    futures::stream::iter(parts)
        .then(move |part| {
            let store = std::sync::Arc::clone(&store);
            async move {
                let location = Path::from(part.object.as_str());
                let got = store.get(&location).await?;
                if got.meta.size != part.size {
                    return Err(object_store::Error::Generic {
                        store: "blobs",
                        source: format!(
                            "part {} holds {} bytes, not the {} recorded",
                            part.object, got.meta.size, part.size
                        )
                        .into(),
                    });
                }
                Ok(got.into_stream())
            }
        })
        .try_flatten()
        .boxed()
}

/// The SHA-256 and length of these parts' bytes, read back from the store (the check of a
/// whole blob before it is held: what was stored, not what was received, is what counts).
pub(crate) async fn sha256_of(state: &AppState, parts: &[Part]) -> Result<(Sha256, u64), Failure> {
    let mut stream = parts_stream(state, parts.to_vec());
    let mut hasher = sha2::Sha256::new();
    let mut size: u64 = 0;
    while let Some(bytes) = stream.try_next().await? {
        size = size.saturating_add(bytes.len() as u64);
        hasher.update(&bytes);
    }
    Ok((Sha256(hasher.finalize().into()), size))
}

async fn delete_quietly(state: &AppState, location: &Path) -> Result<(), Failure> {
    match state.blobs.delete(location).await {
        Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
        Err(e) => Err(e.into()),
    }
}

/// Deletes every object of an upload (its parts and any a crash left behind).
pub(crate) async fn delete_upload_objects(
    state: &AppState,
    upload: uuid::Uuid,
) -> Result<(), Failure> {
    delete_upload_objects_except(state, upload, &[]).await
}

/// Deletes an upload's objects except `keep` (a finished blob's parts): what a crash or a lost
/// race left under its prefix.
pub(crate) async fn delete_upload_objects_except(
    state: &AppState,
    upload: uuid::Uuid,
    keep: &[Part],
) -> Result<(), Failure> {
    let prefix = upload_prefix(upload);
    let found: Vec<Path> = state
        .blobs
        .list(Some(&prefix))
        .map_ok(|meta| meta.location)
        .try_collect()
        .await?;
    for location in found {
        if !keep.iter().any(|p| p.object == location.as_ref()) {
            delete_quietly(state, &location).await?;
        }
    }
    Ok(())
}

/// Deletes these parts' objects.
pub(crate) async fn delete_parts(state: &AppState, parts: &[Part]) -> Result<(), Failure> {
    for part in parts {
        delete_quietly(state, &Path::from(part.object.as_str())).await?;
    }
    Ok(())
}

/// `too_large` for the quota, saying how much is used and allowed.
pub(crate) fn over_quota(used: u64, wanted: u64, quota: u64) -> Failure {
    Failure::new(
        ApiErrorCode::TooLarge,
        format!(
            "this upload ({wanted} bytes) would take the institution over its storage quota: {used} of {quota} bytes are used by held blobs and unfinished uploads. Ask the awarding body to raise the quota, or finish or delete unfinished uploads."
        ),
    )
}

#[cfg(test)]
mod running_tests {
    use sha2::Digest as _;

    use super::RunningHashes;

    #[test]
    fn a_running_hash_continues_only_from_the_offset_it_reached() {
        let running = RunningHashes::default();
        let upload = uuid::Uuid::now_v7();
        let mut hash = running.at(upload, 0).unwrap();
        hash.update(b"hello ");
        running.advance(upload, 6, hash);
        assert!(running.at(upload, 3).is_none(), "not from another offset");
        let mut hash = running.at(upload, 6).unwrap();
        hash.update(b"world");
        assert_eq!(
            hash.finalize().as_slice(),
            sha2::Sha256::digest(b"hello world").as_slice()
        );
        running.forget(upload);
        assert!(
            running.at(upload, 6).is_none(),
            "forgotten: read the blob back"
        );
    }
}
