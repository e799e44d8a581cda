//! [`AccountStore`] on SQLite.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension as _, params};
use waymark_protocol::api::{AssessorInfo, InstitutionInfo};
use waymark_protocol::keys::SignedKeySet;
use waymark_protocol::{AssessorId, InstitutionId};

use super::{SqliteMeta, parse_time, time_text};
use crate::meta::codec::bad;
use crate::meta::{
    AccountKind, AccountStore, CodeRecord, CodeRefusal, Credential, MetaError, MetaResult,
    TokenRecord,
};

fn institution_row(
    r: &rusqlite::Row<'_>,
) -> rusqlite::Result<(String, String, String, Option<String>)> {
    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
}

fn to_institution(
    (id, name, identifier, key): (String, String, String, Option<String>),
) -> MetaResult<InstitutionInfo> {
    Ok(InstitutionInfo {
        id: id.parse().map_err(|e| bad("institution id", e))?,
        name,
        identifier,
        public_key: key
            .map(|k| k.parse().map_err(|e| bad("public key", e)))
            .transpose()?,
    })
}

fn assessor_row(
    r: &rusqlite::Row<'_>,
) -> rusqlite::Result<(String, String, String, Option<String>)> {
    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
}

fn to_assessor(
    (id, name, email, recipient): (String, String, String, Option<String>),
) -> MetaResult<AssessorInfo> {
    Ok(AssessorInfo {
        id: id.parse().map_err(|e| bad("assessor id", e))?,
        name,
        email,
        age_recipient: recipient
            .map(|k| k.parse().map_err(|e| bad("age recipient", e)))
            .transpose()?,
    })
}

fn to_token(
    (id, secret, kind, account, created, revoked): (
        String,
        Vec<u8>,
        String,
        Option<String>,
        String,
        Option<String>,
    ),
) -> MetaResult<TokenRecord> {
    Ok(TokenRecord {
        id,
        secret_sha256: secret
            .try_into()
            .map_err(|_| bad("token hash", "wrong length"))?,
        kind: AccountKind::parse(&kind).ok_or_else(|| bad("token kind", &kind))?,
        account: account
            .map(|a| uuid::Uuid::parse_str(&a).map_err(|e| bad("token account", e)))
            .transpose()?,
        created_at: parse_time(&created)?,
        revoked_at: revoked.map(|r| parse_time(&r)).transpose()?,
    })
}

#[async_trait]
impl AccountStore for SqliteMeta {
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
        let row = info.clone();
        self.write(false, move |tx| {
            tx.execute(
                "INSERT INTO institutions (id, name, identifier, created_at) VALUES (?1, ?2, ?3, ?4)",
                params![row.id.to_string(), row.name, row.identifier, time_text(at)],
            )?;
            Ok(())
        })
        .await?;
        Ok(info)
    }

    async fn institution(&self, id: InstitutionId) -> MetaResult<Option<InstitutionInfo>> {
        self.read(move |c| {
            c.query_row(
                "SELECT id, name, identifier, public_key FROM institutions WHERE id = ?1",
                [id.to_string()],
                institution_row,
            )
            .optional()?
            .map(to_institution)
            .transpose()
        })
        .await
    }

    async fn institutions(&self) -> MetaResult<Vec<InstitutionInfo>> {
        self.read(|c| {
            let mut stmt = c.prepare(
                "SELECT id, name, identifier, public_key FROM institutions ORDER BY name, id",
            )?;
            let rows = stmt.query_map([], institution_row)?;
            rows.map(|r| to_institution(r?)).collect()
        })
        .await
    }

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
        let row = info.clone();
        self.write(false, move |tx| {
            tx.execute(
                "INSERT INTO assessors (id, name, email, created_at) VALUES (?1, ?2, ?3, ?4)",
                params![row.id.to_string(), row.name, row.email, time_text(at)],
            )?;
            Ok(())
        })
        .await?;
        Ok(info)
    }

    async fn assessor(&self, id: AssessorId) -> MetaResult<Option<AssessorInfo>> {
        self.read(move |c| {
            c.query_row(
                "SELECT id, name, email, age_recipient FROM assessors WHERE id = ?1",
                [id.to_string()],
                assessor_row,
            )
            .optional()?
            .map(to_assessor)
            .transpose()
        })
        .await
    }

    async fn assessors(&self) -> MetaResult<Vec<AssessorInfo>> {
        self.read(|c| {
            let mut stmt = c.prepare(
                "SELECT id, name, email, age_recipient FROM assessors ORDER BY name, id",
            )?;
            let rows = stmt.query_map([], assessor_row)?;
            rows.map(|r| to_assessor(r?)).collect()
        })
        .await
    }

    async fn add_code(&self, code: &CodeRecord) -> MetaResult<()> {
        let code = code.clone();
        self.write(false, move |tx| {
            tx.execute(
                "INSERT INTO enrollment_codes (secret_sha256, kind, account, created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![
                    code.secret_sha256.to_vec(),
                    code.kind.as_str(),
                    code.account.to_string(),
                    time_text(code.created_at),
                    time_text(code.expires_at)
                ],
            )?;
            Ok(())
        })
        .await
    }

    async fn redeem_code(
        &self,
        secret_sha256: [u8; 32],
        now: DateTime<Utc>,
        credential: &Credential,
        token: &TokenRecord,
    ) -> MetaResult<Result<(AccountKind, uuid::Uuid), CodeRefusal>> {
        let credential = credential.clone();
        let token = token.clone();
        self.write(true, move |tx| {
            let row: Option<(String, String, String, Option<String>, Option<String>)> = tx
                .query_row(
                    "SELECT kind, account, expires_at, used_at, revoked_at FROM enrollment_codes WHERE secret_sha256 = ?1",
                    [secret_sha256.to_vec()],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
                )
                .optional()?;
            let Some((kind, account, expires, used, revoked)) = row else {
                return Ok(Err(CodeRefusal::Unknown));
            };
            if used.is_some() {
                return Ok(Err(CodeRefusal::Used));
            }
            if revoked.is_some() {
                return Ok(Err(CodeRefusal::Revoked));
            }
            if parse_time(&expires)? <= now {
                return Ok(Err(CodeRefusal::Expired));
            }
            let kind = AccountKind::parse(&kind).ok_or_else(|| bad("code kind", &kind))?;
            let account_id =
                uuid::Uuid::parse_str(&account).map_err(|e| bad("code account", e))?;
            match (&credential, kind) {
                (Credential::Institution(key), AccountKind::Institution) => {
                    tx.execute(
                        "UPDATE institutions SET public_key = ?1 WHERE id = ?2",
                        params![key.to_string(), account],
                    )?;
                }
                (Credential::Assessor(recipient), AccountKind::Assessor) => {
                    tx.execute(
                        "UPDATE assessors SET age_recipient = ?1 WHERE id = ?2",
                        params![recipient.to_string(), account],
                    )?;
                }
                _ => return Ok(Err(CodeRefusal::WrongKind)),
            }
            tx.execute(
                "UPDATE enrollment_codes SET used_at = ?1 WHERE secret_sha256 = ?2",
                params![time_text(now), secret_sha256.to_vec()],
            )?;
            tx.execute(
                "INSERT INTO tokens (id, secret_sha256, kind, account, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![
                    token.id,
                    token.secret_sha256.to_vec(),
                    kind.as_str(),
                    account,
                    time_text(token.created_at)
                ],
            )?;
            Ok(Ok((kind, account_id)))
        })
        .await
    }

    async fn add_token(&self, token: &TokenRecord) -> MetaResult<()> {
        let token = token.clone();
        self.write(true, move |tx| {
            tx.execute(
                "INSERT INTO tokens (id, secret_sha256, kind, account, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![
                    token.id,
                    token.secret_sha256.to_vec(),
                    token.kind.as_str(),
                    token.account.map(|a| a.to_string()),
                    time_text(token.created_at)
                ],
            )?;
            Ok(())
        })
        .await
    }

    async fn token(&self, id: &str) -> MetaResult<Option<TokenRecord>> {
        let id = id.to_owned();
        self.read(move |c| {
            c.query_row(
                "SELECT id, secret_sha256, kind, account, created_at, revoked_at FROM tokens WHERE id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)),
            )
            .optional()?
            .map(to_token)
            .transpose()
        })
        .await
    }

    async fn revoke_tokens(
        &self,
        kind: AccountKind,
        account: Option<uuid::Uuid>,
        at: DateTime<Utc>,
    ) -> MetaResult<u64> {
        self.write(true, move |tx| {
            let n = tx.execute(
                "UPDATE tokens SET revoked_at = ?1 WHERE kind = ?2 AND account IS ?3 AND revoked_at IS NULL",
                params![time_text(at), kind.as_str(), account.map(|a| a.to_string())],
            )?;
            Ok(n as u64)
        })
        .await
    }

    async fn key_sets(&self) -> MetaResult<Vec<SignedKeySet>> {
        self.read(|c| {
            let mut stmt = c.prepare("SELECT signed FROM key_sets ORDER BY version")?;
            let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
            rows.map(|r| serde_json::from_str(&r?).map_err(|e| bad("key set", e)))
                .collect()
        })
        .await
    }

    async fn add_key_set(&self, version: u32, set: &SignedKeySet) -> MetaResult<()> {
        let json = serde_json::to_string(set).map_err(|e| MetaError::Internal(e.to_string()))?;
        let fingerprint = set.fingerprint().0;
        self.write(true, move |tx| {
            let last: u32 =
                tx.query_row("SELECT COALESCE(MAX(version), 0) FROM key_sets", [], |r| {
                    r.get(0)
                })?;
            if version != last + 1 {
                return Err(MetaError::Conflict(format!(
                    "key set version {version} does not follow {last}"
                )));
            }
            tx.execute(
                "INSERT INTO key_sets (version, fingerprint, signed) VALUES (?1, ?2, ?3)",
                params![version, fingerprint, json],
            )?;
            Ok(())
        })
        .await
    }

    async fn add_link(
        &self,
        assessor: AssessorId,
        institution: InstitutionId,
        reason: &str,
        at: DateTime<Utc>,
    ) -> MetaResult<()> {
        let reason = reason.to_owned();
        self.write(false, move |tx| {
            tx.execute(
                "INSERT INTO assessor_links (assessor, institution, reason, declared_at) VALUES (?1, ?2, ?3, ?4)",
                params![assessor.to_string(), institution.to_string(), reason, time_text(at)],
            )?;
            Ok(())
        })
        .await
    }

    async fn links(
        &self,
        assessor: AssessorId,
        institution: InstitutionId,
    ) -> MetaResult<Vec<String>> {
        self.read(move |c| {
            let mut stmt = c.prepare(
                "SELECT reason FROM assessor_links WHERE assessor = ?1 AND institution = ?2 ORDER BY declared_at",
            )?;
            let rows = stmt.query_map([assessor.to_string(), institution.to_string()], |r| r.get(0))?;
            Ok(rows.collect::<rusqlite::Result<Vec<String>>>()?)
        })
        .await
    }
}
