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

impl FromRequestParts<AppState> for Caller {
    type Rejection = Failure;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Failure> {
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
        let record = state.meta.token(id).await?;
        // Compare even when the id is unknown, so timing does not tell ids apart.
        let stored = record.as_ref().map_or([0u8; 32], |r| r.secret_sha256);
        let matches: bool = hash_secret(secret).ct_eq(&stored).into();
        let record = match record {
            Some(r) if matches && r.revoked_at.is_none() => r,
            Some(r) if matches => {
                tracing::info!(token = %r.id, "a revoked token was used");
                return Err(unauthorized(
                    "this token has been revoked; enrol again with a new code from the awarding body",
                ));
            }
            _ => return Err(unauthorized("unknown token; enrol again with a new code")),
        };
        state.rate.check_token(&record.id)?;
        Ok(Caller {
            kind: record.kind,
            account: record.account,
            token_id: record.id,
        })
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
