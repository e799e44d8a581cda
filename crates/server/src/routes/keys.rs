//! `GET /v1/key-sets`: the awarding body's key set chain (public; clients verify it against
//! the fingerprint pinned from their enrollment code, never trusting it because it came from
//! here).

use axum::extract::State;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use waymark_protocol::ApiError;
use waymark_protocol::api::KeySets;

use crate::AppState;
use crate::error::ApiResult;

/// This module's routes.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(key_sets))
}

/// Every key set, oldest first.
#[utoipa::path(get, path = "/v1/key-sets", tag = "keys",
    responses((status = 200, description = "The chain", body = KeySets),
              (status = 503, description = "Storage unreachable", body = ApiError)))]
async fn key_sets(State(state): State<AppState>) -> ApiResult<axum::Json<KeySets>> {
    Ok(axum::Json(KeySets {
        key_sets: state.meta.key_sets().await?,
    }))
}
