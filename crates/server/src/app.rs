//! The router: every route, the OpenAPI document at `/v1/openapi.json`, and the layers every
//! request passes (a request id, a trace span, the JSON body limit).

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, Request};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

use crate::AppState;
use crate::openapi;

static REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The whole HTTP service over `state`.
pub fn router(state: AppState) -> Router {
    let (api, doc) = openapi::split();
    let doc = std::sync::Arc::new(doc);
    let max_json = state.config.limits.max_json_bytes;
    api.route(
        "/v1/openapi.json",
        axum::routing::get(move || {
            let doc = std::sync::Arc::clone(&doc);
            async move { axum::Json((*doc).clone()) }
        }),
    )
    .layer(DefaultBodyLimit::max(max_json))
    .layer(PropagateRequestIdLayer::new(REQUEST_ID.clone()))
    .layer(
        TraceLayer::new_for_http().make_span_with(|req: &Request<_>| {
            let id = req
                .headers()
                .get(&REQUEST_ID)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("-");
            tracing::info_span!("request", method = %req.method(), path = %req.uri().path(), id)
        }),
    )
    .layer(SetRequestIdLayer::new(REQUEST_ID.clone(), MakeRequestUuid))
    .with_state(state)
}
