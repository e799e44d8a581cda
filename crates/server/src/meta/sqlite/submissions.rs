//! [`SubmissionStore`] on SQLite. PLACEHOLDER while being written: every method refuses.

use async_trait::async_trait;
use chrono::NaiveDate;
use waymark_protocol::review::{Event, ReviewState};
use waymark_protocol::{AssessorId, InstitutionId, SubmissionId};

use super::SqliteMeta;
use crate::meta::submissions::{
    CommitOutcome, EnvelopeRecord, NewEnvelope, StoredAward, SubmissionRecord, Transition,
};
use crate::meta::{MetaError, MetaResult, SubmissionStore};

fn pending<T>() -> MetaResult<T> {
    Err(MetaError::Internal("submissions store not written yet".into()))
}

#[async_trait]
impl SubmissionStore for SqliteMeta {
    async fn commit_envelope(&self, _new: NewEnvelope) -> MetaResult<CommitOutcome> {
        pending()
    }
    async fn submission(&self, _id: SubmissionId) -> MetaResult<Option<SubmissionRecord>> {
        pending()
    }
    async fn submissions_of(&self, _i: InstitutionId) -> MetaResult<Vec<SubmissionRecord>> {
        pending()
    }
    async fn all_submissions(&self, _s: Option<ReviewState>) -> MetaResult<Vec<SubmissionRecord>> {
        pending()
    }
    async fn assignments(&self, _a: AssessorId) -> MetaResult<Vec<SubmissionRecord>> {
        pending()
    }
    async fn envelopes(&self, _s: SubmissionId) -> MetaResult<Vec<EnvelopeRecord>> {
        pending()
    }
    async fn events(&self, _s: SubmissionId, _since: u64) -> MetaResult<Vec<Event>> {
        pending()
    }
    async fn transition(&self, _t: Transition) -> MetaResult<Result<SubmissionRecord, ReviewState>> {
        pending()
    }
    async fn award_by_code(&self, _c: &str) -> MetaResult<Option<StoredAward>> {
        pending()
    }
    async fn awards_expiring(&self, _f: NaiveDate, _b: NaiveDate) -> MetaResult<Vec<StoredAward>> {
        pending()
    }
}
