//! `POST /v1/enrollments/redeem`: a school or assessor exchanges its one-time code (and its
//! public key) for a token. No sign-in; rate limited per client address.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, State};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use waymark_protocol::ApiError;
use waymark_protocol::api::{RedeemRequest, RedeemResponse};

use crate::error::ApiResult;
use crate::routes::Json;
use crate::{AppState, accounts};

/// This module's routes.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(redeem))
}

/// Redeems an enrollment code.
#[utoipa::path(post, path = "/v1/enrollments/redeem", tag = "enrollment",
    request_body = RedeemRequest,
    responses((status = 200, description = "Enrolled: keep the token in the OS keychain", body = RedeemResponse),
              (status = 400, description = "`enrollment_code_invalid` or `bad_request`", body = ApiError),
              (status = 429, description = "`rate_limited`", body = ApiError)))]
async fn redeem(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Json(request): Json<RedeemRequest>,
) -> ApiResult<axum::Json<RedeemResponse>> {
    Ok(axum::Json(
        accounts::redeem(&state, peer.ip(), request).await?,
    ))
}
