//! [`UploadStore`] on SQLite.

use async_trait::async_trait;

use super::SqliteMeta;
use crate::meta::UploadStore;

#[async_trait]
impl UploadStore for SqliteMeta {}
