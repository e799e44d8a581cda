//! Registering institutions and assessors and issuing their enrollment codes; redeeming codes.
//! Used by the admin API and by the admin commands working on the data folder alike.

use std::net::IpAddr;

use waymark_protocol::api::{Account, IssuedCode, RedeemRequest, RedeemResponse};
use waymark_protocol::enrollment::{EnrollmentCode, SECRET_CHARS, random_secret};
use waymark_protocol::{ApiErrorCode, AssessorId, InstitutionId};

use crate::auth::{hash_secret, new_token};
use crate::keys;
use crate::meta::{AccountKind, CodeRecord, CodeRefusal, Credential, MetaError};
use crate::{AppState, Failure};

/// Longest name, identifier or email accepted.
const MAX_TEXT: usize = 300;

fn check_text(what: &str, value: &str) -> Result<String, Failure> {
    let value = value.trim();
    if value.is_empty() || value.len() > MAX_TEXT || value.chars().any(char::is_control) {
        return Err(Failure::bad_request(format!(
            "{what} must be 1 to {MAX_TEXT} characters without control characters"
        )));
    }
    Ok(value.to_owned())
}

fn check_urn(value: &str) -> Result<String, Failure> {
    let value = check_text("the identifier", value)?;
    let ok = value.len() > 4
        && value[..4].eq_ignore_ascii_case("urn:")
        && value.split(':').count() >= 3
        && !value.contains(char::is_whitespace);
    if ok {
        Ok(value)
    } else {
        Err(Failure::bad_request(format!(
            "`{value}` is not a URN; write it like urn:schoolid:uk:123456"
        )))
    }
}

fn check_email(value: &str) -> Result<String, Failure> {
    let value = check_text("the email", value)?;
    match value.split_once('@') {
        Some((local, domain))
            if !local.is_empty() && domain.contains('.') && !value.contains(' ') =>
        {
            Ok(value)
        }
        _ => Err(Failure::bad_request(format!(
            "`{value}` is not an email address"
        ))),
    }
}

fn conflict(e: MetaError, message: String) -> Failure {
    match e {
        MetaError::Conflict(_) => Failure::new(ApiErrorCode::BadRequest, message),
        other => other.into(),
    }
}

async fn issue_code(
    state: &AppState,
    kind: AccountKind,
    account: uuid::Uuid,
) -> Result<(String, chrono::DateTime<chrono::Utc>), Failure> {
    let (signed, _) = keys::current_key_set(state.meta.as_ref())
        .await
        .map_err(Failure::internal)?;
    let now = state.clock.now();
    let expires_at =
        now + chrono::Duration::days(i64::from(state.config.limits.enrollment_code_days));
    let secret = random_secret();
    state
        .meta
        .add_code(&CodeRecord {
            secret_sha256: hash_secret(&secret),
            kind,
            account,
            created_at: now,
            expires_at,
        })
        .await?;
    let code = EnrollmentCode {
        secret,
        fingerprint: signed.fingerprint(),
        endpoint: state.config.public_url.clone(),
    };
    Ok((code.to_text(), expires_at))
}

/// Registers an institution and issues its first enrollment code.
pub async fn add_institution(
    state: &AppState,
    name: &str,
    identifier: &str,
) -> Result<IssuedCode, Failure> {
    let name = check_text("the name", name)?;
    let identifier = check_urn(identifier)?;
    let info = state
        .meta
        .add_institution(&name, &identifier, state.clock.now())
        .await
        .map_err(|e| {
            conflict(
                e,
                format!("an institution with identifier {identifier} is already registered"),
            )
        })?;
    let (code, expires_at) = issue_code(state, AccountKind::Institution, info.id.0).await?;
    Ok(IssuedCode {
        account: Account::Institution(info),
        code,
        expires_at,
    })
}

/// A new enrollment code for an institution that lost its key or its machine. Its old tokens
/// are revoked; its receipts stay valid (they are signed by the server, not by the school).
pub async fn reissue_institution_code(
    state: &AppState,
    id: InstitutionId,
) -> Result<IssuedCode, Failure> {
    let info = state
        .meta
        .institution(id)
        .await?
        .ok_or_else(|| Failure::not_found("institution"))?;
    state
        .meta
        .revoke_tokens(AccountKind::Institution, Some(id.0), state.clock.now())
        .await?;
    let (code, expires_at) = issue_code(state, AccountKind::Institution, id.0).await?;
    Ok(IssuedCode {
        account: Account::Institution(info),
        code,
        expires_at,
    })
}

/// Registers an assessor and issues their enrollment code.
pub async fn add_assessor(
    state: &AppState,
    name: &str,
    email: &str,
) -> Result<IssuedCode, Failure> {
    let name = check_text("the name", name)?;
    let email = check_email(email)?;
    let info = state
        .meta
        .add_assessor(&name, &email, state.clock.now())
        .await
        .map_err(|e| {
            conflict(
                e,
                format!("an assessor with email {email} is already registered"),
            )
        })?;
    let (code, expires_at) = issue_code(state, AccountKind::Assessor, info.id.0).await?;
    Ok(IssuedCode {
        account: Account::Assessor(info),
        code,
        expires_at,
    })
}

/// A new enrollment code for an assessor (new machine); old tokens are revoked.
pub async fn reissue_assessor_code(
    state: &AppState,
    id: AssessorId,
) -> Result<IssuedCode, Failure> {
    let info = state
        .meta
        .assessor(id)
        .await?
        .ok_or_else(|| Failure::not_found("assessor"))?;
    state
        .meta
        .revoke_tokens(AccountKind::Assessor, Some(id.0), state.clock.now())
        .await?;
    let (code, expires_at) = issue_code(state, AccountKind::Assessor, id.0).await?;
    Ok(IssuedCode {
        account: Account::Assessor(info),
        code,
        expires_at,
    })
}

/// Revokes every token of an institution or assessor (a stolen laptop, a departing assessor):
/// their next request is refused with a message saying to enrol again. Returns how many.
pub async fn revoke(state: &AppState, kind: AccountKind, id: uuid::Uuid) -> Result<u64, Failure> {
    let exists = match kind {
        AccountKind::Institution => state.meta.institution(InstitutionId(id)).await?.is_some(),
        AccountKind::Assessor => state.meta.assessor(AssessorId(id)).await?.is_some(),
        AccountKind::Admin => true,
    };
    if !exists {
        return Err(Failure::not_found(kind.as_str()));
    }
    let account = (kind != AccountKind::Admin).then_some(id);
    Ok(state
        .meta
        .revoke_tokens(kind, account, state.clock.now())
        .await?)
}

/// Redeems an enrollment code (no sign-in; rate limited per address).
pub async fn redeem(
    state: &AppState,
    address: IpAddr,
    request: RedeemRequest,
) -> Result<RedeemResponse, Failure> {
    state.rate.check_enrollment(address)?;
    let secret = request.secret.trim().to_ascii_lowercase();
    let invalid = || {
        Failure::new(
            ApiErrorCode::EnrollmentCodeInvalid,
            "this enrollment code is not valid: it may be mistyped, already used or expired. Ask the awarding body for a new one.",
        )
    };
    if secret.len() != SECRET_CHARS || !secret.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(invalid());
    }
    let credential = match (request.public_key, request.age_recipient) {
        (Some(key), None) => Credential::Institution(key),
        (None, Some(recipient)) => Credential::Assessor(recipient),
        _ => {
            return Err(Failure::bad_request(
                "send exactly one of public_key (an institution) or age_recipient (an assessor)",
            ));
        }
    };
    let now = state.clock.now();
    let (kind, _) = match &credential {
        Credential::Institution(_) => (AccountKind::Institution, ()),
        Credential::Assessor(_) => (AccountKind::Assessor, ()),
    };
    let (token, record) = new_token(kind, None, now);
    let outcome = state
        .meta
        .redeem_code(hash_secret(&secret), now, &credential, &record)
        .await?;
    let (kind, account) = match outcome {
        Ok(found) => found,
        Err(refusal) => {
            tracing::info!(?refusal, %address, "an enrollment code was refused");
            return Err(match refusal {
                CodeRefusal::WrongKind => Failure::bad_request(
                    "this code is for another kind of account (an institution's code redeemed as an assessor, or the other way round)",
                ),
                _ => invalid(),
            });
        }
    };
    let account = match kind {
        AccountKind::Institution => Account::Institution(
            state
                .meta
                .institution(InstitutionId(account))
                .await?
                .ok_or_else(|| Failure::internal("redeemed code's institution vanished"))?,
        ),
        AccountKind::Assessor => {
            let info = state
                .meta
                .assessor(AssessorId(account))
                .await?
                .ok_or_else(|| Failure::internal("redeemed code's assessor vanished"))?;
            if let Credential::Assessor(recipient) = credential {
                publish_with(state, &info.name, recipient).await?;
            }
            Account::Assessor(info)
        }
        AccountKind::Admin => return Err(Failure::internal("an admin code cannot exist")),
    };
    Ok(RedeemResponse {
        account,
        token,
        key_sets: state.meta.key_sets().await?,
    })
}

/// Adds a recipient to the key set, retrying when another instance published at the same time.
async fn publish_with(
    state: &AppState,
    label: &str,
    recipient: waymark_protocol::crypt::Recipient,
) -> Result<(), Failure> {
    for _ in 0..5 {
        match keys::publish_key_set(
            state.meta.as_ref(),
            &state.signing_key,
            &state.config.awarding_body,
            &state.config.public_url,
            keys::KeySetChange::Add(vec![keys::recipient(label, recipient.clone())]),
            state.clock.now(),
        )
        .await
        {
            Ok(_) => return Ok(()),
            Err(keys::KeyError::Meta(MetaError::Conflict(_))) => continue,
            Err(keys::KeyError::Rotated) => {
                return Err(Failure::new(
                    ApiErrorCode::Unavailable,
                    "the endpoint's signing key was rotated and this server has not been restarted; try again shortly",
                ));
            }
            Err(e) => return Err(Failure::internal(e)),
        }
    }
    Err(Failure::new(
        ApiErrorCode::Unavailable,
        "the key set is being changed by another request; try again",
    ))
}
