//! (Being built.)

use utoipa_axum::router::OpenApiRouter;

use crate::AppState;

/// This module's routes.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
}
