//! `/v1/admin/...`: the awarding body's administration over the API (the same operations as
//! the `waymark-server` admin commands on the data folder). Admin token only.

use axum::extract::{Path, State};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use waymark_protocol::api::{
    AssessorInfo, InstitutionInfo, IssuedCode, NewAssessor, NewInstitution,
};
use waymark_protocol::{ApiError, AssessorId, InstitutionId};

use crate::auth::AdminCaller;
use crate::error::ApiResult;
use crate::routes::Json;
use crate::{AppState, Failure, accounts};

/// This module's routes.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(add_institution, list_institutions))
        .routes(routes!(reissue_institution_code))
        .routes(routes!(add_assessor, list_assessors))
        .routes(routes!(reissue_assessor_code))
}

fn id<T: std::str::FromStr<Err = waymark_protocol::ProtocolError>>(text: &str) -> ApiResult<T> {
    text.parse().map_err(Failure::from)
}

/// Registers an institution and issues its enrollment code.
#[utoipa::path(post, path = "/v1/admin/institutions", tag = "admin",
    request_body = NewInstitution,
    responses((status = 200, description = "Registered; give the code to the school out of band", body = IssuedCode),
              (status = 400, description = "`bad_request` (e.g. the identifier is taken)", body = ApiError)),
    security(("bearer" = [])))]
async fn add_institution(
    _: AdminCaller,
    State(state): State<AppState>,
    Json(new): Json<NewInstitution>,
) -> ApiResult<axum::Json<IssuedCode>> {
    Ok(axum::Json(
        accounts::add_institution(&state, &new.name, &new.identifier).await?,
    ))
}

/// Every institution.
#[utoipa::path(get, path = "/v1/admin/institutions", tag = "admin",
    responses((status = 200, description = "By name", body = Vec<InstitutionInfo>)),
    security(("bearer" = [])))]
async fn list_institutions(
    _: AdminCaller,
    State(state): State<AppState>,
) -> ApiResult<axum::Json<Vec<InstitutionInfo>>> {
    Ok(axum::Json(state.meta.institutions().await?))
}

/// A new enrollment code for an institution (lost key or machine); revokes its tokens.
#[utoipa::path(post, path = "/v1/admin/institutions/{id}/codes", tag = "admin",
    params(("id" = String, Path, description = "Institution id")),
    responses((status = 200, description = "The new code", body = IssuedCode),
              (status = 404, description = "`not_found`", body = ApiError)),
    security(("bearer" = [])))]
async fn reissue_institution_code(
    _: AdminCaller,
    State(state): State<AppState>,
    Path(raw): Path<String>,
) -> ApiResult<axum::Json<IssuedCode>> {
    let id: InstitutionId = id(&raw)?;
    Ok(axum::Json(
        accounts::reissue_institution_code(&state, id).await?,
    ))
}

/// Registers an assessor and issues their enrollment code.
#[utoipa::path(post, path = "/v1/admin/assessors", tag = "admin",
    request_body = NewAssessor,
    responses((status = 200, description = "Registered", body = IssuedCode),
              (status = 400, description = "`bad_request`", body = ApiError)),
    security(("bearer" = [])))]
async fn add_assessor(
    _: AdminCaller,
    State(state): State<AppState>,
    Json(new): Json<NewAssessor>,
) -> ApiResult<axum::Json<IssuedCode>> {
    Ok(axum::Json(
        accounts::add_assessor(&state, &new.name, &new.email).await?,
    ))
}

/// Every assessor.
#[utoipa::path(get, path = "/v1/admin/assessors", tag = "admin",
    responses((status = 200, description = "By name", body = Vec<AssessorInfo>)),
    security(("bearer" = [])))]
async fn list_assessors(
    _: AdminCaller,
    State(state): State<AppState>,
) -> ApiResult<axum::Json<Vec<AssessorInfo>>> {
    Ok(axum::Json(state.meta.assessors().await?))
}

/// A new enrollment code for an assessor; revokes their tokens.
#[utoipa::path(post, path = "/v1/admin/assessors/{id}/codes", tag = "admin",
    params(("id" = String, Path, description = "Assessor id")),
    responses((status = 200, description = "The new code", body = IssuedCode),
              (status = 404, description = "`not_found`", body = ApiError)),
    security(("bearer" = [])))]
async fn reissue_assessor_code(
    _: AdminCaller,
    State(state): State<AppState>,
    Path(raw): Path<String>,
) -> ApiResult<axum::Json<IssuedCode>> {
    let id: AssessorId = id(&raw)?;
    Ok(axum::Json(
        accounts::reissue_assessor_code(&state, id).await?,
    ))
}
