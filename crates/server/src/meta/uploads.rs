//! Uploads (tus) and the blobs they become. (Filled in by the uploads work.)

use async_trait::async_trait;

/// tus upload state and the blobs each institution holds.
#[async_trait]
pub trait UploadStore: Send + Sync {}
