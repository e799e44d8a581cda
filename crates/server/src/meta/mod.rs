//! The metadata store: everything except blob bytes. The server reaches it only through
//! [`Meta`] (accounts, uploads, submissions, and the data-protection operations of
//! [`PrivacyStore`]), so a PostgreSQL implementation can stand beside the embedded SQLite one
//! ([`sqlite::SqliteMeta`]) without a change above this trait.
//!
//! The trait is split by what it holds. Each method is one atomic operation with the checks it
//! needs inside it (redeeming a code marks it used *and* records the key and the token, or does
//! nothing), because with several server instances a check made before a separate write can
//! be raced.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use waymark_protocol::api::{AssessorInfo, InstitutionInfo};
use waymark_protocol::crypt::Recipient;
use waymark_protocol::keys::SignedKeySet;
use waymark_protocol::signed::PublicKey;
use waymark_protocol::{AssessorId, InstitutionId};

mod codec;
pub mod postgres;
pub mod privacy;
pub mod sqlite;
pub mod submissions;
pub mod uploads;

pub use privacy::PrivacyStore;
pub use submissions::SubmissionStore;
pub use uploads::UploadStore;

/// What can go wrong in a metadata store.
#[derive(Debug, thiserror::Error)]
pub enum MetaError {
    /// The store cannot be reached (locked too long, disk gone, database down).
    #[error("metadata store unavailable: {0}")]
    Unavailable(String),
    /// A uniqueness rule was broken (e.g. the same identifier registered twice).
    #[error("already exists: {0}")]
    Conflict(String),
    /// Anything else: a bug or corruption.
    #[error("metadata store: {0}")]
    Internal(String),
}

/// The result of a metadata operation.
pub type MetaResult<T> = Result<T, MetaError>;

/// The kind of account a token or code belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AccountKind {
    /// A school or college.
    Institution,
    /// An assessor or moderator.
    Assessor,
    /// The awarding body's administrator.
    Admin,
}

impl AccountKind {
    /// As stored.
    pub fn as_str(self) -> &'static str {
        match self {
            AccountKind::Institution => "institution",
            AccountKind::Assessor => "assessor",
            AccountKind::Admin => "admin",
        }
    }

    /// From what [`AccountKind::as_str`] stored.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "institution" => Some(AccountKind::Institution),
            "assessor" => Some(AccountKind::Assessor),
            "admin" => Some(AccountKind::Admin),
            _ => None,
        }
    }
}

/// A bearer token as stored: its public id and the SHA-256 of its secret, never the secret.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenRecord {
    /// The public part, used to find the record.
    pub id: String,
    /// SHA-256 of the secret part.
    pub secret_sha256: [u8; 32],
    /// Whose.
    pub kind: AccountKind,
    /// The institution's or assessor's id (`None` for the admin).
    pub account: Option<uuid::Uuid>,
    /// When made.
    pub created_at: DateTime<Utc>,
    /// When revoked, if it was.
    pub revoked_at: Option<DateTime<Utc>>,
}

/// A one-time enrollment code as stored (its secret only as a hash).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CodeRecord {
    /// SHA-256 of the code's secret.
    pub secret_sha256: [u8; 32],
    /// Whose account it enrols.
    pub kind: AccountKind,
    /// The institution's or assessor's id.
    pub account: uuid::Uuid,
    /// When it was issued.
    pub created_at: DateTime<Utc>,
    /// When it stops working.
    pub expires_at: DateTime<Utc>,
}

/// What redeeming a code registers.
#[derive(Clone, Debug)]
pub enum Credential {
    /// An institution's signing key.
    Institution(PublicKey),
    /// An assessor's age recipient.
    Assessor(Recipient),
}

/// Why a code was not accepted (all answered with the same public code, told apart in logs).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CodeRefusal {
    /// No such code.
    Unknown,
    /// Already redeemed.
    Used,
    /// Past its expiry.
    Expired,
    /// Revoked by the awarding body.
    Revoked,
    /// A code for an assessor redeemed with an institution's key, or the other way round.
    WrongKind,
}

/// Accounts, credentials and the awarding body's key sets.
#[async_trait]
pub trait AccountStore: Send + Sync {
    /// Registers an institution; [`MetaError::Conflict`] when the identifier is taken.
    async fn add_institution(
        &self,
        name: &str,
        identifier: &str,
        at: DateTime<Utc>,
    ) -> MetaResult<InstitutionInfo>;
    /// One institution.
    async fn institution(&self, id: InstitutionId) -> MetaResult<Option<InstitutionInfo>>;
    /// Every institution, by name.
    async fn institutions(&self) -> MetaResult<Vec<InstitutionInfo>>;
    /// Registers an assessor; [`MetaError::Conflict`] when the email is taken.
    async fn add_assessor(
        &self,
        name: &str,
        email: &str,
        at: DateTime<Utc>,
    ) -> MetaResult<AssessorInfo>;
    /// One assessor.
    async fn assessor(&self, id: AssessorId) -> MetaResult<Option<AssessorInfo>>;
    /// Every assessor, by name.
    async fn assessors(&self) -> MetaResult<Vec<AssessorInfo>>;

    /// Stores a new enrollment code.
    async fn add_code(&self, code: &CodeRecord) -> MetaResult<()>;
    /// In one transaction: checks the code (known, unused, unrevoked, unexpired at `now`, of
    /// the credential's kind), marks it used, records the credential on the account and stores
    /// the token. Does nothing when it refuses.
    async fn redeem_code(
        &self,
        secret_sha256: [u8; 32],
        now: DateTime<Utc>,
        credential: &Credential,
        token: &TokenRecord,
    ) -> MetaResult<Result<(AccountKind, uuid::Uuid), CodeRefusal>>;

    /// Stores a token (the admin's, made by `init` or `admin-token`).
    async fn add_token(&self, token: &TokenRecord) -> MetaResult<()>;
    /// Finds a token by its public id.
    async fn token(&self, id: &str) -> MetaResult<Option<TokenRecord>>;
    /// Revokes every token of an account (a lost laptop, a departing assessor).
    async fn revoke_tokens(
        &self,
        kind: AccountKind,
        account: Option<uuid::Uuid>,
        at: DateTime<Utc>,
    ) -> MetaResult<u64>;

    /// The key set chain, oldest first.
    async fn key_sets(&self) -> MetaResult<Vec<SignedKeySet>>;
    /// Appends a key set; [`MetaError::Conflict`] unless its version is the next one.
    async fn add_key_set(&self, version: u32, set: &SignedKeySet) -> MetaResult<()>;

    /// Records an assessor's declared link to an institution.
    async fn add_link(
        &self,
        assessor: AssessorId,
        institution: InstitutionId,
        reason: &str,
        at: DateTime<Utc>,
    ) -> MetaResult<()>;
    /// The reasons an assessor has declared for an institution (empty: no link).
    async fn links(
        &self,
        assessor: AssessorId,
        institution: InstitutionId,
    ) -> MetaResult<Vec<String>>;
}

/// The whole metadata store.
pub trait Meta: AccountStore + UploadStore + SubmissionStore + PrivacyStore {}

impl<T: AccountStore + UploadStore + SubmissionStore + PrivacyStore> Meta for T {}
