//! [`AccountStore`] on PostgreSQL. A method that is one statement runs on a pooled connection
//! (a statement is its own transaction); the others run in [`PgMeta::transaction`]. Each says
//! why its isolation level is enough when two instances race.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use tokio_postgres::{IsolationLevel, Row, Transaction};
use waymark_protocol::api::{AssessorInfo, InstitutionInfo};
use waymark_protocol::keys::SignedKeySet;
use waymark_protocol::{AssessorId, InstitutionId};

use super::{PgMeta, TxResult};
use crate::meta::codec::bad;
use crate::meta::{
    AccountKind, AccountStore, CodeRecord, CodeRefusal, Credential, MetaError, MetaResult,
    TokenRecord,
};

const INSTITUTION_COLUMNS: &str = "SELECT id, name, identifier, public_key FROM institutions";
const ASSESSOR_COLUMNS: &str = "SELECT id, name, email, age_recipient FROM assessors";
const TOKEN_COLUMNS: &str =
    "SELECT id, secret_sha256, kind, account, created_at, revoked_at FROM tokens";

fn to_institution(r: &Row) -> MetaResult<InstitutionInfo> {
    Ok(InstitutionInfo {
        id: InstitutionId(r.try_get(0)?),
        name: r.try_get(1)?,
        identifier: r.try_get(2)?,
        public_key: r
            .try_get::<_, Option<String>>(3)?
            .map(|k| k.parse().map_err(|e| bad("public key", e)))
            .transpose()?,
    })
}

fn to_assessor(r: &Row) -> MetaResult<AssessorInfo> {
    Ok(AssessorInfo {
        id: AssessorId(r.try_get(0)?),
        name: r.try_get(1)?,
        email: r.try_get(2)?,
        age_recipient: r
            .try_get::<_, Option<String>>(3)?
            .map(|k| k.parse().map_err(|e| bad("age recipient", e)))
            .transpose()?,
    })
}

fn to_kind(text: &str, what: &str) -> MetaResult<AccountKind> {
    AccountKind::parse(text).ok_or_else(|| bad(what, text))
}

fn to_token(r: &Row) -> MetaResult<TokenRecord> {
    let kind: String = r.try_get(2)?;
    Ok(TokenRecord {
        id: r.try_get(0)?,
        secret_sha256: r
            .try_get::<_, Vec<u8>>(1)?
            .try_into()
            .map_err(|_| bad("token hash", "wrong length"))?,
        kind: to_kind(&kind, "token kind")?,
        account: r.try_get(3)?,
        created_at: r.try_get(4)?,
        revoked_at: r.try_get(5)?,
    })
}

/// Why a code that the claiming `UPDATE` did not match was refused, checked in the order the
/// SQLite store checks (unknown, used, revoked, expired, wrong kind) so both give the same
/// answer for the same code.
async fn refusal(
    tx: &Transaction<'_>,
    secret_sha256: [u8; 32],
    now: DateTime<Utc>,
    want: AccountKind,
) -> TxResult<CodeRefusal> {
    let Some(row) = tx
        .query_opt(
            "SELECT kind, expires_at, used_at, revoked_at FROM enrollment_codes
             WHERE secret_sha256 = $1",
            &[&&secret_sha256[..]],
        )
        .await?
    else {
        return Ok(CodeRefusal::Unknown);
    };
    if row.try_get::<_, Option<DateTime<Utc>>>(2)?.is_some() {
        return Ok(CodeRefusal::Used);
    }
    if row.try_get::<_, Option<DateTime<Utc>>>(3)?.is_some() {
        return Ok(CodeRefusal::Revoked);
    }
    if row.try_get::<_, DateTime<Utc>>(1)? <= now {
        return Ok(CodeRefusal::Expired);
    }
    let kind: String = row.try_get(0)?;
    if to_kind(&kind, "code kind")? != want {
        return Ok(CodeRefusal::WrongKind);
    }
    // Nothing un-uses, un-revokes or extends a code, so a code the UPDATE missed has a reason.
    Err(MetaError::Internal("an enrollment code was neither redeemed nor refused".into()).into())
}

#[async_trait]
impl AccountStore for PgMeta {
    // One INSERT: the UNIQUE identifier decides between two instances (the loser: Conflict).
    async fn add_institution(
        &self,
        name: &str,
        identifier: &str,
        at: DateTime<Utc>,
    ) -> MetaResult<InstitutionInfo> {
        let info = InstitutionInfo {
            id: InstitutionId::new(),
            name: name.to_owned(),
            identifier: identifier.to_owned(),
            public_key: None,
        };
        self.client()
            .await?
            .execute(
                "INSERT INTO institutions (id, name, identifier, created_at) VALUES ($1, $2, $3, $4)",
                &[&info.id.0, &info.name, &info.identifier, &at],
            )
            .await?;
        Ok(info)
    }

    // One SELECT: a single statement reads one snapshot.
    async fn institution(&self, id: InstitutionId) -> MetaResult<Option<InstitutionInfo>> {
        let client = self.client().await?;
        let stmt = client
            .prepare_cached(&format!("{INSTITUTION_COLUMNS} WHERE id = $1"))
            .await?;
        client
            .query_opt(&stmt, &[&id.0])
            .await?
            .as_ref()
            .map(to_institution)
            .transpose()
    }

    // One SELECT: a single statement reads one snapshot. Names sort by their bytes, as SQLite
    // sorts them, not by the database's locale, so both stores list in the same order.
    async fn institutions(&self) -> MetaResult<Vec<InstitutionInfo>> {
        let client = self.client().await?;
        let stmt = client
            .prepare_cached(&format!(
                "{INSTITUTION_COLUMNS} ORDER BY name COLLATE \"C\", id"
            ))
            .await?;
        client
            .query(&stmt, &[])
            .await?
            .iter()
            .map(to_institution)
            .collect()
    }

    // One INSERT: the UNIQUE email decides between two instances (the loser: Conflict).
    async fn add_assessor(
        &self,
        name: &str,
        email: &str,
        at: DateTime<Utc>,
    ) -> MetaResult<AssessorInfo> {
        let info = AssessorInfo {
            id: AssessorId::new(),
            name: name.to_owned(),
            email: email.to_owned(),
            age_recipient: None,
        };
        self.client()
            .await?
            .execute(
                "INSERT INTO assessors (id, name, email, created_at) VALUES ($1, $2, $3, $4)",
                &[&info.id.0, &info.name, &info.email, &at],
            )
            .await?;
        Ok(info)
    }

    // One SELECT: a single statement reads one snapshot.
    async fn assessor(&self, id: AssessorId) -> MetaResult<Option<AssessorInfo>> {
        let client = self.client().await?;
        let stmt = client
            .prepare_cached(&format!("{ASSESSOR_COLUMNS} WHERE id = $1"))
            .await?;
        client
            .query_opt(&stmt, &[&id.0])
            .await?
            .as_ref()
            .map(to_assessor)
            .transpose()
    }

    // One SELECT: a single statement reads one snapshot. Names sort by their bytes (as above).
    async fn assessors(&self) -> MetaResult<Vec<AssessorInfo>> {
        let client = self.client().await?;
        let stmt = client
            .prepare_cached(&format!(
                "{ASSESSOR_COLUMNS} ORDER BY name COLLATE \"C\", id"
            ))
            .await?;
        client
            .query(&stmt, &[])
            .await?
            .iter()
            .map(to_assessor)
            .collect()
    }

    // One INSERT: the code's hash is the primary key (a duplicate: Conflict).
    async fn add_code(&self, code: &CodeRecord) -> MetaResult<()> {
        self.client()
            .await?
            .execute(
                "INSERT INTO enrollment_codes (secret_sha256, kind, account, created_at, expires_at)
                 VALUES ($1, $2, $3, $4, $5)",
                &[
                    &&code.secret_sha256[..],
                    &code.kind.as_str(),
                    &code.account,
                    &code.created_at,
                    &code.expires_at,
                ],
            )
            .await?;
        Ok(())
    }

    // READ COMMITTED: one conditional UPDATE claims the code, and PostgreSQL re-checks its
    // WHERE (unused, unrevoked, unexpired, of this kind) on the committed row when two
    // instances race, so exactly one redeems it; the rest of the transaction is that one's.
    async fn redeem_code(
        &self,
        secret_sha256: [u8; 32],
        now: DateTime<Utc>,
        credential: &Credential,
        token: &TokenRecord,
    ) -> MetaResult<Result<(AccountKind, uuid::Uuid), CodeRefusal>> {
        let want = match credential {
            Credential::Institution(_) => AccountKind::Institution,
            Credential::Assessor(_) => AccountKind::Assessor,
        };
        // What the account row takes: the key or the recipient as text, as SQLite stores it.
        let (update, value) = match credential {
            Credential::Institution(key) => (
                "UPDATE institutions SET public_key = $1 WHERE id = $2",
                key.to_string(),
            ),
            Credential::Assessor(recipient) => (
                "UPDATE assessors SET age_recipient = $1 WHERE id = $2",
                recipient.to_string(),
            ),
        };
        let token = token.clone();
        self.transaction(IsolationLevel::ReadCommitted, move |tx| {
            let value = value.clone();
            let token = token.clone();
            Box::pin(async move {
                let claimed = tx
                    .query_opt(
                        "UPDATE enrollment_codes SET used_at = $2
                         WHERE secret_sha256 = $1 AND used_at IS NULL AND revoked_at IS NULL
                           AND expires_at > $2 AND kind = $3
                         RETURNING account",
                        &[&&secret_sha256[..], &now, &want.as_str()],
                    )
                    .await?;
                let Some(row) = claimed else {
                    return Ok(Err(refusal(tx, secret_sha256, now, want).await?));
                };
                let account: uuid::Uuid = row.try_get(0)?;
                tx.execute(update, &[&value, &account]).await?;
                // The token is the code's account's, whatever the record passed says (as in
                // SQLite).
                tx.execute(
                    "INSERT INTO tokens (id, secret_sha256, kind, account, created_at)
                     VALUES ($1, $2, $3, $4, $5)",
                    &[
                        &token.id,
                        &&token.secret_sha256[..],
                        &want.as_str(),
                        &account,
                        &token.created_at,
                    ],
                )
                .await?;
                Ok(Ok((want, account)))
            })
        })
        .await
    }

    // One INSERT: the token's id is the primary key (a duplicate: Conflict).
    async fn add_token(&self, token: &TokenRecord) -> MetaResult<()> {
        self.client()
            .await?
            .execute(
                "INSERT INTO tokens (id, secret_sha256, kind, account, created_at)
                 VALUES ($1, $2, $3, $4, $5)",
                &[
                    &token.id,
                    &&token.secret_sha256[..],
                    &token.kind.as_str(),
                    &token.account,
                    &token.created_at,
                ],
            )
            .await?;
        Ok(())
    }

    // One SELECT: a single statement reads one snapshot.
    async fn token(&self, id: &str) -> MetaResult<Option<TokenRecord>> {
        let client = self.client().await?;
        let stmt = client
            .prepare_cached(&format!("{TOKEN_COLUMNS} WHERE id = $1"))
            .await?;
        client
            .query_opt(&stmt, &[&id])
            .await?
            .as_ref()
            .map(to_token)
            .transpose()
    }

    // One UPDATE: PostgreSQL re-checks `revoked_at IS NULL` on each committed row, so two
    // instances revoking at once count each token once between them.
    async fn revoke_tokens(
        &self,
        kind: AccountKind,
        account: Option<uuid::Uuid>,
        at: DateTime<Utc>,
    ) -> MetaResult<u64> {
        let client = self.client().await?;
        // Two forms rather than `IS NOT DISTINCT FROM`, which no index serves.
        let n = match account {
            Some(account) => {
                client
                    .execute(
                        "UPDATE tokens SET revoked_at = $1
                         WHERE kind = $2 AND account = $3 AND revoked_at IS NULL",
                        &[&at, &kind.as_str(), &account],
                    )
                    .await?
            }
            None => {
                client
                    .execute(
                        "UPDATE tokens SET revoked_at = $1
                         WHERE kind = $2 AND account IS NULL AND revoked_at IS NULL",
                        &[&at, &kind.as_str()],
                    )
                    .await?
            }
        };
        Ok(n)
    }

    // One SELECT: a single statement reads one snapshot (the whole chain as committed).
    async fn key_sets(&self) -> MetaResult<Vec<SignedKeySet>> {
        let client = self.client().await?;
        let stmt = client
            .prepare_cached("SELECT signed FROM key_sets ORDER BY version")
            .await?;
        client
            .query(&stmt, &[])
            .await?
            .iter()
            .map(|r| {
                let json: &str = r.try_get(0)?;
                serde_json::from_str(json).map_err(|e| bad("key set", e))
            })
            .collect()
    }

    // READ COMMITTED: the version is the primary key, so of two instances appending the same
    // next version one inserts and the other gets Conflict (and retries on the chain it then
    // reads); versions only grow, so the MAX read cannot let a gap in.
    async fn add_key_set(&self, version: u32, set: &SignedKeySet) -> MetaResult<()> {
        let json = serde_json::to_string(set).map_err(|e| MetaError::Internal(e.to_string()))?;
        let fingerprint = set.fingerprint().0;
        let version = i64::from(version);
        self.transaction(IsolationLevel::ReadCommitted, move |tx| {
            let json = json.clone();
            let fingerprint = fingerprint.clone();
            Box::pin(async move {
                let last: i64 = tx
                    .query_one("SELECT COALESCE(MAX(version), 0) FROM key_sets", &[])
                    .await?
                    .try_get(0)?;
                if version != last + 1 {
                    return Err(MetaError::Conflict(format!(
                        "key set version {version} does not follow {last}"
                    ))
                    .into());
                }
                // A racing instance's uncommitted row makes this wait for its commit, then do
                // nothing: answered as the Conflict the SQLite store gives.
                let inserted = tx
                    .execute(
                        "INSERT INTO key_sets (version, fingerprint, signed) VALUES ($1, $2, $3)
                         ON CONFLICT DO NOTHING",
                        &[&version, &fingerprint, &json],
                    )
                    .await?;
                if inserted == 0 {
                    return Err(MetaError::Conflict(format!(
                        "key set version {version} or fingerprint {fingerprint} is already stored"
                    ))
                    .into());
                }
                Ok(())
            })
        })
        .await
    }

    // One INSERT: links are only added, never changed.
    async fn add_link(
        &self,
        assessor: AssessorId,
        institution: InstitutionId,
        reason: &str,
        at: DateTime<Utc>,
    ) -> MetaResult<()> {
        self.client()
            .await?
            .execute(
                "INSERT INTO assessor_links (assessor, institution, reason, declared_at)
                 VALUES ($1, $2, $3, $4)",
                &[&assessor.0, &institution.0, &reason, &at],
            )
            .await?;
        Ok(())
    }

    // One SELECT: a single statement reads one snapshot.
    async fn links(
        &self,
        assessor: AssessorId,
        institution: InstitutionId,
    ) -> MetaResult<Vec<String>> {
        let client = self.client().await?;
        let stmt = client
            .prepare_cached(
                "SELECT reason FROM assessor_links WHERE assessor = $1 AND institution = $2
                 ORDER BY declared_at",
            )
            .await?;
        client
            .query(&stmt, &[&assessor.0, &institution.0])
            .await?
            .iter()
            .map(|r| Ok(r.try_get(0)?))
            .collect()
    }
}
