//! The data-protection rights that reach the awarding body: restriction (no network activity
//! while paused, checked before every request this engine makes), rectification (a corrected
//! profile or working group sent to the endpoint) and erasure (the endpoint asked to erase the
//! institution's data, its signed confirmation verified against the pinned key set).

use reqwest::Method;
use waymark_core::Workspace;
use waymark_core::store::Phase as CorePhase;
use waymark_protocol::api::{
    ErasureResponse, InstitutionProfile, PROFILE_FORMAT, Phase, ProfileRecord, WorkingGroupMember,
};
use waymark_protocol::erasure::{ErasureConfirmation, verify_erasure};

use crate::session::Session;
use crate::{Result, Shared, SyncError, lock};

/// Refuses when the user has paused network activity: the one check, made first by every path
/// of the engine that reaches the network (enrolment, the key-set refresh, delivery, status,
/// the correction, the erasure). Packaging takes it as being offline: it seals to the key set
/// last verified and queues.
pub fn network_allowed(ws: &Workspace) -> Result<()> {
    if ws.network_restricted()? {
        return Err(SyncError::Restricted);
    }
    Ok(())
}

fn phase(p: CorePhase) -> Phase {
    match p {
        CorePhase::Primary => Phase::Primary,
        CorePhase::Secondary => Phase::Secondary,
        CorePhase::AllThrough => Phase::AllThrough,
        CorePhase::Special => Phase::Special,
        CorePhase::FurtherEducation => Phase::FurtherEducation,
        CorePhase::HigherEducation => Phase::HigherEducation,
        CorePhase::Other => Phase::Other,
    }
}

/// The profile as the wire carries it, from the institution and working group held here.
pub fn profile_of(ws: &Workspace) -> Result<InstitutionProfile> {
    let institution = ws.institution()?;
    let working_group = ws
        .contributors()?
        .into_iter()
        .map(|c| WorkingGroupMember {
            name: c.name,
            role: c.role,
            email: c.email,
        })
        .collect();
    Ok(InstitutionProfile {
        format: PROFILE_FORMAT,
        name: institution.name,
        identifier: institution.identifier,
        phase: institution.phase.map(phase),
        contact_name: institution.contact_name,
        email: institution.email,
        role: institution.role,
        working_group,
    })
}

/// Sends the correction owed to the awarding body, if one is (see
/// `Workspace::profile_correction_due`); `None` when nothing was owed. A change made while it
/// was on its way stays owed.
pub async fn send_profile_correction(
    shared: &Shared,
    session: &Session,
) -> Result<Option<ProfileRecord>> {
    let (due, profile) = {
        let ws = lock(shared);
        let Some(due) = ws.profile_correction_due()? else {
            return Ok(None);
        };
        network_allowed(&ws)?;
        (due, profile_of(&ws)?)
    };
    let req = session
        .client
        .request(Method::PUT, "/v1/school/profile")
        .timeout(waymark_net::client::REQUEST_TIMEOUT)
        .json(&profile);
    let response = session.client.send(req).await?;
    let record: ProfileRecord = response.json().await.map_err(|e| {
        SyncError::Refused(format!(
            "the endpoint's answer to the profile correction is not one Waymark reads ({e})"
        ))
    })?;
    lock(shared).record_profile_correction_sent(&due)?;
    Ok(Some(record))
}

/// Asks the endpoint to erase everything it holds of this institution, and checks its signed
/// confirmation against the awarding body's pinned keys before it is believed. The local data
/// is not touched here: the caller erases it next (the credentials are needed for this call).
pub async fn request_erasure(
    shared: &Shared,
    session: &mut Session,
) -> Result<(ErasureConfirmation, ErasureResponse)> {
    network_allowed(&lock(shared))?;
    session.refresh_key_set(shared).await?;
    let req = session
        .client
        .request(Method::POST, "/v1/school/erasure")
        .timeout(waymark_net::client::REQUEST_TIMEOUT);
    let response: ErasureResponse = session.client.send(req).await?.json().await.map_err(|e| {
        SyncError::Refused(format!(
            "the endpoint's answer to the erasure request is not one Waymark reads ({e})"
        ))
    })?;
    let confirmation = verify_erasure(&response.confirmation, &session.key_set).map_err(|e| {
        SyncError::Refused(format!(
            "the endpoint's erasure confirmation does not verify against the awarding body's keys ({e}): the request may not have been honoured; contact the awarding body"
        ))
    })?;
    if confirmation.institution != session.institution {
        return Err(SyncError::Refused(
            "the endpoint confirmed the erasure of another institution: contact the awarding body"
                .into(),
        ));
    }
    Ok((confirmation, response))
}
