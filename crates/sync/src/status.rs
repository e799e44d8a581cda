//! Following the review: each sent submission's status pulled from the endpoint, cheaply
//! (`If-None-Match` with the last ETag, answered 304 while nothing changed), and kept in the
//! store: its state, the assessor's request for more evidence and the benchmarks it names, the
//! decision, the award and its expiry, and the feedback.

use std::collections::BTreeMap;

use chrono::Utc;
use reqwest::Method;
use serde::Serialize;
use waymark_core::outbox::{OutboxState, OutboxSubmission};
use waymark_net::ClientError;
use waymark_protocol::api::SubmissionStatus;
use waymark_protocol::review::ReviewState;

use crate::error::{Result, SyncError};
use crate::session::Session;
use crate::{Shared, lock};

/// A change of state seen by a refresh.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Change {
    /// The endpoint's submission id.
    pub server_id: String,
    /// The award applied for.
    pub award: String,
    /// The state before (none: first look).
    pub before: Option<ReviewState>,
    /// The state now.
    pub after: ReviewState,
}

/// The status stored with an outbox entry, if any.
pub fn stored_status(submission: &OutboxSubmission) -> Option<SubmissionStatus> {
    serde_json::from_str(submission.status.as_deref()?).ok()
}

/// The newest outbox entry per endpoint submission (a re-submission shares its id).
fn latest_per_submission(all: Vec<OutboxSubmission>) -> Vec<OutboxSubmission> {
    let mut by_id: BTreeMap<String, OutboxSubmission> = BTreeMap::new();
    for s in all {
        if s.state != OutboxState::Sent {
            continue;
        }
        if let Some(id) = s.server_id.clone() {
            by_id.insert(id, s);
        }
    }
    by_id.into_values().collect()
}

/// Pulls the status of every sent submission and records what changed.
pub async fn refresh(shared: &Shared, session: &Session) -> Result<Vec<Change>> {
    crate::privacy::network_allowed(&lock(shared))?;
    let sent = latest_per_submission(lock(shared).outbox()?);
    let mut changes = Vec::new();
    for s in sent {
        let Some(server_id) = s.server_id.clone() else {
            continue;
        };
        let path = format!("/v1/submissions/{server_id}");
        let mut req = session
            .client
            .request(Method::GET, &path)
            .timeout(waymark_net::client::REQUEST_TIMEOUT);
        if let Some(tag) = &s.status_tag {
            req = req.header("If-None-Match", tag);
        }
        let response = match session.client.send(req).await {
            Ok(r) => r,
            Err(ClientError::Status { status: 304, .. }) => {
                lock(shared).record_status_checked(&s.id, Utc::now())?;
                continue;
            }
            Err(e) => return Err(e.into()),
        };
        let tag = response
            .headers()
            .get("ETag")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let bytes = response
            .bytes()
            .await
            .map_err(|e| SyncError::Client(session.client.classify(&e)))?;
        let status: SubmissionStatus = serde_json::from_slice(&bytes).map_err(|e| {
            SyncError::Client(ClientError::Decode {
                endpoint: session.client.endpoint().to_owned(),
                detail: e.to_string(),
            })
        })?;
        let before = stored_status(&s).map(|st| st.summary.state);
        let after = status.summary.state;
        let text = String::from_utf8_lossy(&bytes);
        lock(shared).record_status(&s.id, &text, tag.as_deref(), Utc::now())?;
        if before != Some(after) {
            changes.push(Change {
                server_id,
                award: s.award.clone(),
                before,
                after,
            });
        }
    }
    Ok(changes)
}
