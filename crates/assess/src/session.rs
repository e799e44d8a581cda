//! Signing in with an assessor's enrollment code, the signed-in session the other commands use,
//! and signing out.
//!
//! Signing in checks the awarding body's key set against the fingerprint in the code *before*
//! sending anything, and checks the keychain can keep a secret before the one-time code is
//! spent. The age identity is made here and never leaves the machine; only its recipient is
//! sent, and joins the key set so schools encrypt to it from then on.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::Utc;
use waymark_protocol::api::{Account, KeySets, RedeemRequest, RedeemResponse};
use waymark_protocol::crypt::Identity;
use waymark_protocol::enrollment::EnrollmentCode;
use waymark_protocol::keys::{Fingerprint, verify_chain};

use crate::client::Client;
use crate::error::{Error, Result};
use crate::keychain::{self, Credentials};
use crate::profile::{self, PROFILE_FORMAT, Profile};

/// A signed-in assessor: their settings, their secrets and a client with their token.
pub struct Session {
    /// The profile folder.
    pub dir: PathBuf,
    /// The settings.
    pub profile: Profile,
    /// The client (with the token).
    pub client: Client,
    /// The identity from the keychain.
    pub identity: Arc<Identity>,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Session({:?}, {:?})", self.profile, self.client)
    }
}

impl Session {
    /// The session of the assessor signed in with the profile in `dir`.
    pub fn load(dir: &Path) -> Result<Self> {
        let profile = profile::load(dir)?.ok_or_else(|| Error::NotSignedIn(dir.to_owned()))?;
        let Credentials { token, identity } = keychain::load(&profile.endpoint, profile.assessor)?;
        let client = Client::new(&profile.endpoint, Some(token))?;
        Ok(Self {
            dir: dir.to_owned(),
            profile,
            client,
            identity: Arc::new(identity),
        })
    }
}

/// What signing in did, for the assessor to check.
#[derive(Clone, Debug)]
pub struct SignedIn {
    /// The settings written.
    pub profile: Profile,
    /// The fingerprint from the code (verified against the endpoint's key set).
    pub code_fingerprint: Fingerprint,
    /// Where the settings are.
    pub profile_file: PathBuf,
    /// The keychain entry's user name (under service [`keychain::SERVICE`]).
    pub keychain_user: String,
    /// Whether the newest key set lists this assessor's recipient.
    pub recipient_published: bool,
}

/// Signs in with the enrollment code `code_text`, keeping the settings in `dir`.
pub async fn sign_in(dir: &Path, code_text: &str) -> Result<SignedIn> {
    let code = EnrollmentCode::parse(code_text).map_err(|e| Error::Usage(e.to_string()))?;
    if let Some(existing) = profile::load(dir)? {
        return Err(Error::Usage(format!(
            "already signed in as {} <{}> at {}: run `waymark-assess sign-out` first",
            existing.name, existing.email, existing.endpoint
        )));
    }

    // 1. Is this the awarding body the code came from? Nothing is sent before this holds.
    let client = Client::new(&code.endpoint, None)?;
    let sets: KeySets = client.get_json("/v1/key-sets").await?;
    verify_chain(&code.fingerprint, &sets.key_sets).map_err(|e| Error::Refused(e.to_string()))?;

    // 2. Can the secrets be kept? Otherwise the one-time code must not be spent.
    keychain::check_available()?;

    // 3. Redeem with a new identity's recipient.
    let identity = Identity::generate();
    let response: RedeemResponse = client
        .post_json(
            "/v1/enrollments/redeem",
            &RedeemRequest {
                secret: code.secret.clone(),
                public_key: None,
                age_recipient: Some(identity.recipient()),
                device: Some(concat!("waymark-assess ", env!("CARGO_PKG_VERSION")).into()),
            },
        )
        .await?;
    let Account::Assessor(account) = response.account else {
        return Err(Error::Usage(
            "this code is for a school, not an assessor: a school enrols in the Waymark app".into(),
        ));
    };
    // The chain sent back must still follow from the code's fingerprint.
    let newest = verify_chain(&code.fingerprint, &response.key_sets)
        .map_err(|e| Error::Refused(e.to_string()))?;
    let pinned = response
        .key_sets
        .last()
        .map(|s| s.fingerprint())
        .unwrap_or_else(|| code.fingerprint.clone());
    let recipient = identity.recipient();
    let recipient_published = newest.recipients.iter().any(|r| r.age == recipient);

    keychain::store(
        &code.endpoint,
        account.id,
        &Credentials {
            token: response.token,
            identity,
        },
    )
    .map_err(|e| {
        Error::Usage(format!(
            "the code was accepted but the credentials could not be kept: {e}. The code is now used: ask the awarding body for a new one"
        ))
    })?;
    let profile = Profile {
        format: PROFILE_FORMAT,
        endpoint: code.endpoint.clone(),
        awarding_body: newest.awarding_body,
        assessor: account.id,
        name: account.name,
        email: account.email,
        pinned,
        signed_in_at: Utc::now(),
    };
    profile::save(dir, &profile)?;
    Ok(SignedIn {
        keychain_user: keychain::entry_user(&profile.endpoint, profile.assessor),
        profile,
        code_fingerprint: code.fingerprint,
        profile_file: dir.join(profile::PROFILE_FILE),
        recipient_published,
    })
}

/// What signing out removed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedOut {
    /// Who was signed in (none: nobody was).
    pub who: Option<String>,
    /// Whether a keychain entry was removed.
    pub keychain_entry: bool,
}

/// Removes the keychain entry and the settings. Nothing is sent: the token stays valid on the
/// endpoint until the awarding body issues a new code (which revokes the old tokens).
pub fn sign_out(dir: &Path) -> Result<SignedOut> {
    let Some(profile) = profile::load(dir)? else {
        return Ok(SignedOut {
            who: None,
            keychain_entry: false,
        });
    };
    let keychain_entry = keychain::remove(&profile.endpoint, profile.assessor)?;
    profile::remove(dir)?;
    Ok(SignedOut {
        who: Some(format!(
            "{} <{}> at {}",
            profile.name, profile.email, profile.endpoint
        )),
        keychain_entry,
    })
}
