//! Enrolment with the awarding body, and the enrolled session the other steps use: the
//! enrollment record from the store, the secrets from the keychain, a client with the token,
//! and the awarding body's key set as verified from the pinned fingerprint.
//!
//! Trust: the enrollment code, given out of band, carries the fingerprint of the key set; the
//! key set the endpoint sends is accepted only as a chain from it ([`verify_chain`]), before
//! anything is sent, and the pin then moves forward to the newest verified set (a ratchet:
//! a server can add keys only by signing with the keys already pinned).

use chrono::Utc;
use waymark_core::outbox::Enrollment;
use waymark_net::Client;
use waymark_protocol::InstitutionId;
use waymark_protocol::api::{Account, KeySets, RedeemRequest, RedeemResponse};
use waymark_protocol::enrollment::EnrollmentCode;
use waymark_protocol::keys::{Fingerprint, KeySet, SignedKeySet, verify_chain};
use waymark_protocol::signed::SecretKey;

use crate::credentials::{self, Credentials};
use crate::error::{Result, SyncError};
use crate::{Shared, lock};

/// What enrolling did, for the lead to check.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Enrolled {
    /// The record kept in the data folder.
    pub enrollment: Enrollment,
    /// The awarding body's name, from the verified key set.
    pub awarding_body: String,
    /// The fingerprint from the code, grouped for reading aloud.
    pub code_fingerprint: String,
    /// Where the secrets are (the keychain service and entry).
    pub keychain: String,
    /// Whether an earlier enrollment was replaced.
    pub replaced: Option<String>,
}

/// The key-set chain kept with the enrollment, oldest first.
pub fn chain_of(enrollment: &Enrollment) -> Result<Vec<SignedKeySet>> {
    serde_json::from_str(&enrollment.key_sets).map_err(|e| {
        SyncError::Refused(format!(
            "the stored key set of {} cannot be read ({e}): enrol again with a new code",
            enrollment.endpoint
        ))
    })
}

fn verify(pinned: &Fingerprint, chain: &[SignedKeySet]) -> Result<KeySet> {
    verify_chain(pinned, chain).map_err(|e| {
        SyncError::Refused(format!(
            "the awarding body's key set does not follow from the one pinned when this computer enrolled ({e}). Nothing was sent. If the awarding body has really changed its keys without signing the change, enrol again with a new code; otherwise tell it, as someone may be impersonating it"
        ))
    })
}

/// What redeeming a code yields, before anything is kept.
pub struct Redeemed {
    /// The record to keep in the store.
    pub enrollment: Enrollment,
    /// The secrets to keep in the keychain.
    pub credentials: Credentials,
    /// The awarding body's name, from the verified key set.
    pub awarding_body: String,
    /// The fingerprint from the code, grouped for reading aloud.
    pub code_fingerprint: String,
}

/// What an enrollment code leads to, checked without spending it: the lead sees whom they are
/// about to enrol with, and the fingerprint to compare with the awarding body's letter, first.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct CodeCheck {
    /// The endpoint the code names.
    pub endpoint: String,
    /// The awarding body's name, from the key set verified against the code's fingerprint.
    pub awarding_body: String,
    /// The fingerprint from the code, grouped for reading aloud.
    pub fingerprint: String,
}

fn parse_code(code_text: &str) -> Result<EnrollmentCode> {
    EnrollmentCode::parse(code_text.trim()).map_err(|e| {
        SyncError::Usage(format!(
            "{e}. An enrollment code looks like wm1:XXXX…:<fingerprint>:https://…; copy it whole from the awarding body's message"
        ))
    })
}

/// Reads an enrollment code and checks the endpoint's key set against its fingerprint, sending
/// nothing but a request for the public key set: the code stays unused.
pub async fn check_code(code_text: &str) -> Result<CodeCheck> {
    let code = parse_code(code_text)?;
    let client = Client::new(&code.endpoint, None)?;
    let sets: KeySets = client.get_json("/v1/key-sets").await?;
    let newest = verify(&code.fingerprint, &sets.key_sets)?;
    Ok(CodeCheck {
        endpoint: code.endpoint.clone(),
        awarding_body: newest.awarding_body,
        fingerprint: code.fingerprint.grouped(),
    })
}

/// Redeems an institution's enrollment code: checks the endpoint's key set against the code's
/// fingerprint before anything is sent, runs `before_spending` (the keychain's check: the
/// one-time code must not be spent when its secrets could not be kept), makes the
/// institution's signing key and redeems. Nothing is kept: see [`enroll`].
pub async fn redeem(
    code_text: &str,
    before_spending: impl FnOnce() -> Result<()>,
) -> Result<Redeemed> {
    let code = parse_code(code_text)?;
    let client = Client::new(&code.endpoint, None)?;
    let sets: KeySets = client.get_json("/v1/key-sets").await?;
    verify(&code.fingerprint, &sets.key_sets)?;
    before_spending()?;

    let signing_key = SecretKey::generate();
    let response: RedeemResponse = client
        .post_json(
            "/v1/enrollments/redeem",
            &RedeemRequest {
                secret: code.secret.clone(),
                public_key: Some(signing_key.public()),
                age_recipient: None,
                device: Some(concat!("waymark ", env!("CARGO_PKG_VERSION")).into()),
            },
        )
        .await?;
    let Account::Institution(account) = response.account else {
        return Err(SyncError::Usage(
            "this code is for an assessor, not a school: assessors sign in with the assessor's tool (`waymark-assess sign-in CODE`)".into(),
        ));
    };
    let newest = verify(&code.fingerprint, &response.key_sets)?;
    let pinned = response
        .key_sets
        .last()
        .map_or_else(|| code.fingerprint.clone(), SignedKeySet::fingerprint);
    let enrollment = Enrollment {
        endpoint: code.endpoint.clone(),
        institution_id: account.id.to_string(),
        institution_name: account.name,
        identifier: account.identifier,
        awarding_body: newest.awarding_body.clone(),
        fingerprint: pinned.0.clone(),
        key_sets: serde_json::to_string(&response.key_sets)
            .map_err(|e| SyncError::Internal(e.to_string()))?,
        public_key: signing_key.public().to_string(),
        keychain_user: credentials::entry_user(&code.endpoint, account.id),
        enrolled_at: Utc::now(),
    };
    Ok(Redeemed {
        enrollment,
        credentials: Credentials {
            token: response.token,
            signing_key: std::sync::Arc::new(signing_key),
        },
        awarding_body: newest.awarding_body,
        code_fingerprint: code.fingerprint.grouped(),
    })
}

/// Enrols this data folder with an institution's enrollment code ([`redeem`]), keeping the
/// token and signing key in the OS keychain and the rest in the store. Enrolling again (a lost
/// key) replaces the earlier enrollment; receipts already held stay valid.
pub async fn enroll(shared: &Shared, code_text: &str) -> Result<Enrolled> {
    crate::privacy::network_allowed(&lock(shared))?;
    let redeemed = redeem(code_text, || Ok(credentials::check_available()?)).await?;
    let user = redeemed.enrollment.keychain_user.clone();
    credentials::store(&user, &redeemed.credentials).map_err(|e| {
        SyncError::Usage(format!(
            "the code was accepted but the credentials could not be kept: {e}. The code is now used: ask the awarding body for a new one"
        ))
    })?;
    let enrollment = redeemed.enrollment;
    let replaced = {
        let mut ws = lock(shared);
        let before = ws.enrollment()?;
        ws.set_enrollment(&enrollment)?;
        before
    };
    // The earlier entry's secrets are of no more use (its key is replaced by the new one).
    let replaced = match replaced {
        Some(old) => {
            if old.keychain_user != user {
                let _ = credentials::remove(&old.keychain_user);
            }
            Some(format!("{} at {}", old.institution_name, old.endpoint))
        }
        None => None,
    };
    Ok(Enrolled {
        enrollment,
        awarding_body: redeemed.awarding_body,
        code_fingerprint: redeemed.code_fingerprint,
        keychain: format!("service `{}`, entry `{user}`", credentials::SERVICE),
        replaced,
    })
}

/// An enrolled institution: what the store and the keychain hold, and a client with its token.
pub struct Session {
    /// The enrollment record.
    pub enrollment: Enrollment,
    /// The institution's id at the endpoint.
    pub institution: InstitutionId,
    /// Its secrets.
    pub credentials: Credentials,
    /// A client with the token.
    pub client: Client,
    /// The newest key set verified from the pin.
    pub key_set: KeySet,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Session({}, {:?})",
            self.enrollment.endpoint, self.credentials
        )
    }
}

impl Session {
    /// The session of the enrolled institution, its secrets from the OS keychain (refuses
    /// when not enrolled).
    pub fn load(shared: &Shared) -> Result<Self> {
        let enrollment = lock(shared).enrollment()?.ok_or(SyncError::NotEnrolled)?;
        let credentials = credentials::load(&enrollment.keychain_user)?;
        Self::with_credentials(enrollment, credentials)
    }

    /// A session from an enrollment record and its secrets, however they were obtained (the
    /// keychain in [`Session::load`]; a test that enrols through the API).
    pub fn with_credentials(enrollment: Enrollment, credentials: Credentials) -> Result<Self> {
        let institution: InstitutionId = enrollment.institution_id.parse().map_err(|e| {
            SyncError::Refused(format!(
                "the stored institution id cannot be read ({e}): enrol again"
            ))
        })?;
        let pinned = Fingerprint::parse(&enrollment.fingerprint)?;
        let key_set = verify(&pinned, &chain_of(&enrollment)?)?;
        let client = Client::new(&enrollment.endpoint, Some(credentials.token.clone()))?;
        Ok(Self {
            enrollment,
            institution,
            credentials,
            client,
            key_set,
        })
    }

    /// Fetches the endpoint's key sets, accepts them only as a chain from the pin, and moves
    /// the pin to the newest (so recipients added since, such as a new assessor, are
    /// encrypted to from now on).
    pub async fn refresh_key_set(&mut self, shared: &Shared) -> Result<&KeySet> {
        crate::privacy::network_allowed(&lock(shared))?;
        let sets: KeySets = self.client.get_json("/v1/key-sets").await?;
        let pinned = Fingerprint::parse(&self.enrollment.fingerprint)?;
        let newest = verify(&pinned, &sets.key_sets)?;
        let Some(last) = sets.key_sets.last() else {
            return Ok(&self.key_set);
        };
        let fingerprint = last.fingerprint();
        if fingerprint.0 != self.enrollment.fingerprint {
            // Keep the chain already held (older sets verify older receipts) and append only
            // the sets after the pin, which `verify` has just checked link by link.
            let start = sets
                .key_sets
                .iter()
                .position(|s| s.fingerprint() == pinned)
                .map_or(0, |p| p + 1);
            let mut chain = chain_of(&self.enrollment)?;
            chain.extend(sets.key_sets[start..].iter().cloned());
            let mut updated = self.enrollment.clone();
            updated.fingerprint = fingerprint.0;
            updated.awarding_body = newest.awarding_body.clone();
            updated.key_sets =
                serde_json::to_string(&chain).map_err(|e| SyncError::Internal(e.to_string()))?;
            lock(shared).set_enrollment(&updated)?;
            self.enrollment = updated;
        }
        self.key_set = newest;
        Ok(&self.key_set)
    }
}
