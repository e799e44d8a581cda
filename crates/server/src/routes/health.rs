//! `/health` (the process is up) and `/ready` (it can serve: storage answers, not shutting
//! down), for load balancers and systemd.

use axum::extract::State;
use axum::http::StatusCode;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use waymark_protocol::api::Health;

use crate::AppState;

/// This module's routes.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(health))
        .routes(routes!(ready))
}

fn version() -> String {
    env!("CARGO_PKG_VERSION").to_owned()
}

/// The process is running.
#[utoipa::path(get, path = "/health", tag = "health",
    responses((status = 200, description = "Up", body = Health)))]
async fn health() -> axum::Json<Health> {
    axum::Json(Health {
        status: "ok".into(),
        version: version(),
    })
}

/// The blob store answers: asking for an object that is never written gets "not found".
async fn blobs_answer(state: &AppState) -> bool {
    use object_store::ObjectStoreExt as _;
    match state
        .blobs
        .head(&object_store::path::Path::from("ready-probe"))
        .await
    {
        Ok(_) | Err(object_store::Error::NotFound { .. }) => true,
        Err(e) => {
            tracing::warn!(error = %e, "the blob store does not answer");
            false
        }
    }
}

/// The server can take requests: both its stores answer and it is not shutting down.
///
/// With several instances, a load balancer takes one whose database or bucket is unreachable
/// out of rotation.
#[utoipa::path(get, path = "/ready", tag = "health",
    responses((status = 200, description = "Ready", body = Health),
              (status = 503, description = "Starting, stopping or storage unreachable", body = Health)))]
async fn ready(State(state): State<AppState>) -> (StatusCode, axum::Json<Health>) {
    let accepting = state.ready.load(std::sync::atomic::Ordering::SeqCst);
    let storage = state.meta.key_sets().await.is_ok() && blobs_answer(&state).await;
    let (status, text) = if accepting && storage {
        (StatusCode::OK, "ready")
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "not_ready")
    };
    (
        status,
        axum::Json(Health {
            status: text.into(),
            version: version(),
        }),
    )
}
