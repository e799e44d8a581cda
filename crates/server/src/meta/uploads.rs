//! Uploads (tus) and the blobs they become.
//!
//! An upload's state lives here and its bytes in the object store, one object per accepted
//! PATCH chunk (a [`Part`]), so any server instance can take the next chunk: nothing about an
//! upload is kept in one process's memory or on one machine's disk. A chunk is recorded only
//! after it is fully written and its checksum verified, so the recorded offset is always what
//! the client was told.
//!
//! The last chunk is special: it is recorded in the same transaction that records the blob
//! ([`UploadStore::finish_upload`]), after the whole blob's SHA-256 was checked. So an upload is
//! never "at its full length but not a blob": a crash before that commit leaves the offset at
//! the start of the last chunk and the client sends it again.
//!
//! Every look-up is by institution and id together: another institution's upload answers as if
//! it did not exist.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use waymark_protocol::InstitutionId;
use waymark_protocol::envelope::BlobRef;
use waymark_protocol::ids::Sha256;

use super::MetaResult;

/// A new upload, as created by `POST /v1/uploads`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewUpload {
    /// Its id (the last segment of its URL).
    pub id: uuid::Uuid,
    /// Whose.
    pub institution: InstitutionId,
    /// The SHA-256 the client declared for the whole blob (checked at the end).
    pub sha256: Sha256,
    /// `Upload-Length`.
    pub length: u64,
    /// When created.
    pub created_at: DateTime<Utc>,
    /// When an unfinished upload stops being accepted (and is swept).
    pub expires_at: DateTime<Utc>,
}

/// Where an upload stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UploadState {
    /// Taking chunks.
    Receiving,
    /// Every byte arrived and the blob is held (kept so HEAD still answers until it expires).
    Complete,
}

/// An upload as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UploadRecord {
    /// Its id.
    pub id: uuid::Uuid,
    /// Whose.
    pub institution: InstitutionId,
    /// The declared SHA-256 of the whole blob.
    pub sha256: Sha256,
    /// `Upload-Length`.
    pub length: u64,
    /// `Upload-Offset`: the bytes acknowledged so far.
    pub offset: u64,
    /// Receiving or complete.
    pub state: UploadState,
    /// When created.
    pub created_at: DateTime<Utc>,
    /// When it expires.
    pub expires_at: DateTime<Utc>,
}

impl UploadRecord {
    /// True when it can no longer take chunks because its time ran out (a complete upload
    /// never expires in this sense: its blob is held).
    pub fn expired(&self, now: DateTime<Utc>) -> bool {
        self.state == UploadState::Receiving && now >= self.expires_at
    }
}

/// One stored chunk: bytes `start .. start + size` of the blob, in object `object`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Part {
    /// Its offset in the blob.
    pub start: u64,
    /// Its length (never 0).
    pub size: u64,
    /// Its object-store path.
    pub object: String,
}

/// A held blob and where its bytes are, in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredBlob {
    /// Hash and size.
    pub blob: BlobRef,
    /// Its parts, by offset; together exactly `blob.size` bytes.
    pub parts: Vec<Part>,
}

/// Creating an upload would take the institution over its storage quota.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OverQuota {
    /// Bytes already used (held blobs plus unfinished uploads' lengths).
    pub used: u64,
}

/// Why a chunk (or the end of an upload) was not recorded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UploadRefusal {
    /// No such upload for this institution (or it is being terminated).
    NotFound,
    /// Its time ran out.
    Expired,
    /// The chunk does not start at the recorded offset (which is given), or the upload is
    /// already complete.
    OffsetMismatch(u64),
    /// The chunk would not end where the method needs it to: before the end for
    /// [`UploadStore::add_part`], exactly at the end for [`UploadStore::finish_upload`].
    WrongEnd,
}

/// What finishing an upload recorded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finished {
    /// The blob now held.
    pub blob: BlobRef,
    /// Set when the institution already held this blob: this upload's parts were not kept and
    /// their objects may be deleted.
    pub dropped: Option<Vec<Part>>,
}

/// An upload the sweep should remove.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SweepItem {
    /// Its id.
    pub id: uuid::Uuid,
    /// True when its objects belong to no blob and must be deleted before the row is forgotten
    /// (an unfinished or terminated upload); false for a complete upload, whose objects are
    /// the blob's.
    pub delete_objects: bool,
}

/// tus upload state and the blobs each institution holds.
#[async_trait]
pub trait UploadStore: Send + Sync {
    /// In one transaction: checks the institution's quota (held blobs' sizes plus the lengths
    /// of its unfinished, unexpired uploads at `created_at`, plus this one's length, at most
    /// `quota`) and records the upload.
    async fn create_upload(
        &self,
        upload: &NewUpload,
        quota: u64,
    ) -> MetaResult<Result<(), OverQuota>>;

    /// An upload of this institution (`None` for an unknown id, another institution's upload
    /// or one being terminated).
    async fn upload(
        &self,
        institution: InstitutionId,
        id: uuid::Uuid,
    ) -> MetaResult<Option<UploadRecord>>;

    /// The parts recorded so far, by offset.
    async fn upload_parts(
        &self,
        institution: InstitutionId,
        id: uuid::Uuid,
    ) -> MetaResult<Vec<Part>>;

    /// In one durable transaction: records a chunk that ends before the upload's end (the
    /// upload must be receiving, unexpired at `now`, and at offset `part.start`) and advances
    /// the offset. Returns the upload as it now stands.
    async fn add_part(
        &self,
        institution: InstitutionId,
        id: uuid::Uuid,
        part: &Part,
        now: DateTime<Utc>,
    ) -> MetaResult<Result<UploadRecord, UploadRefusal>>;

    /// In one durable transaction: records the last chunk (`None` for an empty blob), marks the
    /// upload complete and records the blob with every part, unless the institution already
    /// holds that hash, in which case this upload's parts are dropped ([`Finished::dropped`]).
    /// The caller has verified the whole blob's SHA-256 first.
    async fn finish_upload(
        &self,
        institution: InstitutionId,
        id: uuid::Uuid,
        last: Option<&Part>,
        now: DateTime<Utc>,
    ) -> MetaResult<Result<Finished, UploadRefusal>>;

    /// Starts terminating an upload: an unfinished one is marked so it takes no more chunks
    /// and no longer answers (its objects are then deleted and [`UploadStore::forget_upload`]
    /// called; a crash in between leaves it for the sweep); a complete one is simply forgotten
    /// (its blob stays held). Returns the upload as it was, `None` when there was none.
    async fn terminate_upload(
        &self,
        institution: InstitutionId,
        id: uuid::Uuid,
    ) -> MetaResult<Option<UploadRecord>>;

    /// Removes an upload's row and its parts' rows, whatever its state (after its objects were
    /// deleted, or for a complete upload whose blob keeps its own part rows).
    async fn forget_upload(&self, id: uuid::Uuid) -> MetaResult<()>;

    /// Up to `limit` uploads to sweep: expired at `now` (unfinished or complete) and those
    /// whose termination was cut off.
    async fn uploads_to_sweep(&self, now: DateTime<Utc>, limit: u32) -> MetaResult<Vec<SweepItem>>;

    /// Of these hashes, the blobs this institution holds (in the order asked, each once).
    async fn held_blobs(
        &self,
        institution: InstitutionId,
        hashes: &[Sha256],
    ) -> MetaResult<Vec<BlobRef>>;

    /// One held blob with its parts.
    async fn blob(
        &self,
        institution: InstitutionId,
        sha256: Sha256,
    ) -> MetaResult<Option<StoredBlob>>;

    /// Bytes this institution uses at `now`: held blobs plus unfinished, unexpired uploads'
    /// lengths (what the quota counts).
    async fn storage_used(&self, institution: InstitutionId, now: DateTime<Utc>)
    -> MetaResult<u64>;
}
