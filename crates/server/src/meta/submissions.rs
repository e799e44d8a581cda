//! Submissions, their envelopes and receipts, the review's events, and awards. (Filled in by
//! the submissions work.)

use async_trait::async_trait;

/// Submissions and their review.
#[async_trait]
pub trait SubmissionStore: Send + Sync {}
