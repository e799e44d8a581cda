//! Bearer tokens and who is calling.
//!
//! A token is `wmt1_<id>_<secret>`: the id finds the record, the secret is checked against its
//! stored SHA-256 in constant time. Both parts are 130-bit random strings; the secret is never
//! stored, so a copy of the database lets no one sign in. Every authenticated request is rate
//! limited per token ([`crate::state::RateLimits`]).

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use chrono::{DateTime, Utc};
use sha2::Digest as _;
use subtle::ConstantTimeEq as _;
use waymark_protocol::enrollment::random_secret;
use waymark_protocol::{ApiErrorCode, AssessorId, InstitutionId};

use crate::meta::{AccountKind, TokenRecord};
use crate::{AppState, Failure};

const PREFIX: &str = "wmt1";

/// SHA-256 of a secret (tokens and enrollment codes are stored only so).
pub fn hash_secret(secret: &str) -> [u8; 32] {
    sha2::Sha256::digest(secret.as_bytes()).into()
}

/// Makes a new token for an account: the text to give (once) and the record to store.
pub fn new_token(
    kind: AccountKind,
    account: Option<uuid::Uuid>,
    now: DateTime<Utc>,
) -> (String, TokenRecord) {
    let id = random_secret();
    let secret = random_secret();
    let text = format!("{PREFIX}_{id}_{secret}");
    let record = TokenRecord {
        id,
        secret_sha256: hash_secret(&secret),
        kind,
        account,
        created_at: now,
        revoked_at: None,
    };
    (text, record)
}

fn unauthorized(message: &str) -> Failure {
    Failure::new(ApiErrorCode::Unauthorized, message).with_header(
        axum::http::header::WWW_AUTHENTICATE,
        axum::http::HeaderValue::from_static("Bearer"),
    )
}

/// The authenticated caller of a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Caller {
    /// Whose token.
    pub kind: AccountKind,
    /// The institution's or assessor's id (`None` for the admin).
    pub account: Option<uuid::Uuid>,
    /// The token's public id (rate limits, logs).
    pub token_id: String,
}

/// Who a token belongs to: a live account, or an institution since erased (whose tokens are
/// kept only as hashes, to tell their holder so).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Authenticated {
    /// A token of an existing account.
    Live(Caller),
    /// A token of an erased institution.
    Erased(InstitutionId),
}

/// `institution_erased` (410): what every request with an erased institution's token gets.
pub fn erased(institution: InstitutionId) -> Failure {
    Failure::new(
        ApiErrorCode::InstitutionErased,
        format!(
            "institution {institution} was erased: the endpoint holds none of its data and its tokens no longer work. To take part again, ask the awarding body to register it as a new institution."
        ),
    )
}

/// Checks the request's bearer token (rate limited per token).
pub async fn authenticate(parts: &Parts, state: &AppState) -> Result<Authenticated, Failure> {
    let header = parts
        .headers
        .get(AUTHORIZATION)
        .ok_or_else(|| unauthorized("sign in: send `Authorization: Bearer <token>`"))?;
    let text = header
        .to_str()
        .ok()
        .and_then(|h| h.strip_prefix("Bearer "))
        .ok_or_else(|| unauthorized("the Authorization header must be `Bearer <token>`"))?;
    let mut pieces = text.trim().split('_');
    let (Some(PREFIX), Some(id), Some(secret), None) =
        (pieces.next(), pieces.next(), pieces.next(), pieces.next())
    else {
        return Err(unauthorized("that is not a Waymark token"));
    };
    if id.len() > 64 || secret.len() > 64 {
        return Err(unauthorized("that is not a Waymark token"));
    }
    let hash = hash_secret(secret);
    let Some(record) = state.meta.token(id).await? else {
        // Not a live token: perhaps one of an erased institution.
        let erased = state.meta.erased_token(id).await?;
        let stored = erased.as_ref().map_or([0u8; 32], |e| e.secret_sha256);
        let matches: bool = hash.ct_eq(&stored).into();
        return match erased {
            Some(e) if matches => {
                state.rate.check_token(&e.id)?;
                Ok(Authenticated::Erased(e.institution))
            }
            _ => Err(unauthorized("unknown token; enrol again with a new code")),
        };
    };
    let matches: bool = hash.ct_eq(&record.secret_sha256).into();
    if !matches {
        return Err(unauthorized("unknown token; enrol again with a new code"));
    }
    if record.revoked_at.is_some() {
        tracing::info!(token = %record.id, "a revoked token was used");
        return Err(unauthorized(
            "this token has been revoked; enrol again with a new code from the awarding body",
        ));
    }
    state.rate.check_token(&record.id)?;
    Ok(Authenticated::Live(Caller {
        kind: record.kind,
        account: record.account,
        token_id: record.id,
    }))
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = Failure;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Failure> {
        match authenticate(parts, state).await? {
            Authenticated::Live(caller) => Ok(caller),
            Authenticated::Erased(institution) => Err(erased(institution)),
        }
    }
}

/// An institution asking for its own erasure: a live institution token, or (a retried
/// request) one of an institution already erased, which is answered with its first
/// confirmation.
#[derive(Clone, Copy, Debug)]
pub enum ErasingInstitution {
    /// Not erased yet.
    Live(InstitutionId),
    /// Erased before.
    Erased(InstitutionId),
}

impl FromRequestParts<AppState> for ErasingInstitution {
    type Rejection = Failure;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Failure> {
        match authenticate(parts, state).await? {
            Authenticated::Live(Caller {
                kind: AccountKind::Institution,
                account: Some(id),
                ..
            }) => Ok(Self::Live(InstitutionId(id))),
            Authenticated::Erased(id) => Ok(Self::Erased(id)),
            Authenticated::Live(_) => Err(Failure::forbidden(
                "only an institution's token may ask for its erasure; the awarding body erases an institution with POST /v1/admin/institutions/{id}/erasure",
            )),
        }
    }
}

/// An institution's request.
#[derive(Clone, Copy, Debug)]
pub struct InstitutionCaller(pub InstitutionId);

impl FromRequestParts<AppState> for InstitutionCaller {
    type Rejection = Failure;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Failure> {
        match Caller::from_request_parts(parts, state).await? {
            Caller {
                kind: AccountKind::Institution,
                account: Some(id),
                ..
            } => Ok(Self(InstitutionId(id))),
            _ => Err(Failure::forbidden(
                "only an institution's token may do this",
            )),
        }
    }
}

/// An assessor's (or moderator's) request.
#[derive(Clone, Copy, Debug)]
pub struct AssessorCaller(pub AssessorId);

impl FromRequestParts<AppState> for AssessorCaller {
    type Rejection = Failure;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Failure> {
        match Caller::from_request_parts(parts, state).await? {
            Caller {
                kind: AccountKind::Assessor,
                account: Some(id),
                ..
            } => Ok(Self(AssessorId(id))),
            _ => Err(Failure::forbidden("only an assessor's token may do this")),
        }
    }
}

/// The awarding body's administrator.
#[derive(Clone, Copy, Debug)]
pub struct AdminCaller;

impl FromRequestParts<AppState> for AdminCaller {
    type Rejection = Failure;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Failure> {
        match Caller::from_request_parts(parts, state).await?.kind {
            AccountKind::Admin => Ok(Self),
            _ => Err(Failure::forbidden(
                "only the awarding body's administrator token may do this",
            )),
        }
    }
}
