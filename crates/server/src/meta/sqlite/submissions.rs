//! [`SubmissionStore`] on SQLite.

use async_trait::async_trait;

use super::SqliteMeta;
use crate::meta::SubmissionStore;

#[async_trait]
impl SubmissionStore for SqliteMeta {}
