//! The assessor's desk: what the desktop app's assessor mode is built on (no Tauri, no
//! terminal). Over the signed-in [`Session`] it lists assignments, opens a submission into a
//! local copy kept encrypted, builds the read-only view of it, keeps the assessor's draft
//! (encrypted) until they send it, sends requests, recommendations and moderations from the
//! draft, and removes copies once their review is over.
//!
//! **The local copy is never plaintext on disk.** Opening downloads the school's ciphertext,
//! checks every envelope's signature and every blob's SHA-256 and size against the signed
//! envelope, decrypts each file once to check its BLAKE3 against the manifest (the plaintext
//! goes only to the hasher), and keeps the verified ciphertext: it is encrypted to this
//! assessor's age identity, which lives only in the OS keychain. The manifest is decrypted in
//! memory when the view is built; an evidence file is decrypted, and checked again, into a
//! private viewing folder only when the assessor opens it with the OS viewer, and that folder
//! goes with the copy. The draft is an age file to the same identity.
//!
//! Layout, under the profile folder (shared with the `waymark-assess` command):
//! `copies/<submission>/copy.json` (ids, version, dates; nothing about the school),
//! `copies/<submission>/blobs/<sha256>` (verified ciphertext, manifest included),
//! `copies/<submission>/previous-manifest` (the version before's manifest ciphertext, for
//! "what changed"), `copies/<submission>/draft.age`, `viewing/<submission>/…` (files opened
//! with the OS viewer), `desk.json` (settings).

mod copy;
mod draft;
mod types;
mod view;

use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDate, Utc};
use waymark_protocol::SubmissionId;

pub use types::*;

use crate::error::Result;
use crate::session::Session;

/// The signed-in assessor's desk.
pub struct Desk {
    session: Session,
}

impl std::fmt::Debug for Desk {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Desk({:?})", self.session)
    }
}

impl Desk {
    /// The desk of the assessor signed in with the profile in `dir` ([`crate::Error::NotSignedIn`]
    /// when nobody is).
    pub fn load(dir: &Path) -> Result<Self> {
        Ok(Self {
            session: Session::load(dir)?,
        })
    }

    /// The desk over a session already made (the app signs in, then keeps the desk).
    pub fn from_session(session: Session) -> Self {
        Self { session }
    }

    /// The session under the desk.
    pub fn session(&self) -> &Session {
        &self.session
    }

    /// Who is signed in, and the settings.
    pub fn info(&self) -> Result<DeskInfo> {
        let p = &self.session.profile;
        Ok(DeskInfo {
            name: p.name.clone(),
            email: p.email.clone(),
            awarding_body: p.awarding_body.clone(),
            endpoint: p.endpoint.clone(),
            assessor: p.assessor.to_string(),
            folder: self.session.dir.display().to_string(),
            settings: copy::settings(&self.session.dir)?,
        })
    }

    /// Changes how long a finished review's copy is kept.
    pub fn set_keep_finished_days(&self, days: u32) -> Result<DeskSettings> {
        copy::set_settings(
            &self.session.dir,
            &DeskSettings {
                keep_finished_days: days,
            },
        )
    }

    /// The assigned submissions (unfinished due soonest first, then finished), with each local
    /// copy; copies whose review is over past the kept time are removed on the way (`now`).
    pub async fn assignments(
        &self,
        today: NaiveDate,
        now: DateTime<Utc>,
    ) -> Result<Vec<AssignmentRow>> {
        copy::assignments(&self.session, today, now).await
    }

    /// Downloads, verifies and keeps submission `id` (replacing an older copy only once the new
    /// one is whole), reporting progress.
    pub async fn open(
        &self,
        id: SubmissionId,
        progress: &(dyn Fn(OpenProgress) + Send + Sync),
    ) -> Result<Opened> {
        copy::open(&self.session, id, progress).await
    }

    /// The read-only view of the local copy of `id`, with the review's state from the endpoint
    /// (or as last seen, when it cannot be reached).
    pub async fn submission(&self, id: SubmissionId, today: NaiveDate) -> Result<SubmissionView> {
        view::submission(&self.session, id, today).await
    }

    /// Decrypts evidence file `evidence` of the local copy of `id` into the viewing folder
    /// (checked against the manifest's BLAKE3) and returns its path, for the OS viewer.
    pub fn evidence_file(&self, id: SubmissionId, evidence: &str) -> Result<PathBuf> {
        copy::evidence_file(&self.session, id, evidence)
    }

    /// Saves the draft of `id` (encrypted, atomically) and returns it with `saved_at` set.
    pub fn save_draft(&self, id: SubmissionId, draft: &Draft) -> Result<Draft> {
        draft::save(&self.session, id, draft)
    }

    /// What stops the draft of `id` being sent as a request for more evidence.
    pub fn request_problems(&self, draft: &Draft) -> Vec<DraftProblem> {
        draft::request_problems(draft)
    }

    /// What stops the draft being sent as a recommendation (`has_levels`: the framework's).
    pub fn recommendation_problems(&self, draft: &Draft, has_levels: bool) -> Vec<DraftProblem> {
        draft::recommendation_problems(draft, has_levels)
    }

    /// Sends the draft's request for more evidence (checked first; refused when the assessor is
    /// named in the submission or has not opened its newest version); the request's parts of the
    /// draft are cleared once it is sent.
    pub async fn send_request(&self, id: SubmissionId) -> Result<AssignmentRow> {
        draft::send_request(&self.session, id).await
    }

    /// Sends the draft's recommendation, with feedback, notes and judgements.
    pub async fn send_recommendation(&self, id: SubmissionId) -> Result<AssignmentRow> {
        draft::send_recommendation(&self.session, id).await
    }

    /// Confirms the recommendation or sends it back with the draft's reason (the moderator).
    pub async fn send_moderation(
        &self,
        id: SubmissionId,
        choice: ModerationChoice,
    ) -> Result<AssignmentRow> {
        draft::send_moderation(&self.session, id, choice).await
    }

    /// Removes the local copy of `id` now (its draft and anything opened for viewing too);
    /// false when there was none.
    pub fn remove_copy(&self, id: SubmissionId) -> Result<bool> {
        copy::remove(&self.session.dir, id)
    }

    /// Removes every local copy, draft and file opened for viewing (signing out).
    pub fn remove_all_copies(&self) -> Result<()> {
        copy::remove_all(&self.session.dir)
    }
}
