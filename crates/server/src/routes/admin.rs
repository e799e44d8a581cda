//! `/v1/admin/...`: the awarding body's administration over the API (the same operations as
//! the `waymark-server` admin commands on the data folder). Admin token only.

use axum::extract::{Path, Query, State};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use waymark_protocol::api::{
    AssessorInfo, AssignRequest, ErasureResponse, ExpiringAwards, InstitutionInfo, IssuedCode,
    NewAssessor, NewInstitution, ProfileRecord, SubmissionList, SubmissionSummary,
};
use waymark_protocol::review::{ReviewState, Role};
use waymark_protocol::{ApiError, AssessorId, InstitutionId, SubmissionId};

use crate::auth::AdminCaller;
use crate::error::ApiResult;
use crate::routes::Json;
use crate::{AppState, Failure, accounts, review};

/// This module's routes.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(add_institution, list_institutions))
        .routes(routes!(reissue_institution_code))
        .routes(routes!(erase_institution))
        .routes(routes!(institution_profile))
        .routes(routes!(add_assessor, list_assessors))
        .routes(routes!(reissue_assessor_code))
        .routes(routes!(assign))
        .routes(routes!(list_submissions))
        .routes(routes!(expiring_awards))
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

/// Erases an institution on a request received by other means (the same erasure as
/// `POST /v1/school/erasure`; the confirmation says `requested_by: awarding_body`). Give the
/// confirmation to the school. Erasing again answers the first confirmation.
#[utoipa::path(post, path = "/v1/admin/institutions/{id}/erasure", tag = "admin",
    params(("id" = String, Path, description = "Institution id")),
    responses((status = 200, description = "Erased (`created` true), or erased before (`created` false)", body = ErasureResponse),
              (status = 400, description = "`bad_request`: not an id", body = ApiError),
              (status = 404, description = "`not_found`: no such institution was registered or erased", body = ApiError)),
    security(("bearer" = [])))]
async fn erase_institution(
    _: AdminCaller,
    State(state): State<AppState>,
    Path(raw): Path<String>,
) -> ApiResult<axum::Json<ErasureResponse>> {
    let id: InstitutionId = id(&raw)?;
    Ok(axum::Json(
        crate::erasure::erase(&state, id, Role::AwardingBody).await?,
    ))
}

/// The profile an institution holds at the endpoint (as it last corrected it).
#[utoipa::path(get, path = "/v1/admin/institutions/{id}/profile", tag = "admin",
    params(("id" = String, Path, description = "Institution id")),
    responses((status = 200, description = "The current profile", body = ProfileRecord),
              (status = 404, description = "`not_found`: no such institution, or no profile sent", body = ApiError)),
    security(("bearer" = [])))]
async fn institution_profile(
    _: AdminCaller,
    State(state): State<AppState>,
    Path(raw): Path<String>,
) -> ApiResult<axum::Json<ProfileRecord>> {
    let id: InstitutionId = id(&raw)?;
    Ok(axum::Json(crate::profile::current(&state, id).await?))
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

/// Assigns an assessor and a moderator (a second assessor) to a submission, or changes them.
/// The first assignment sets the due date and moves `received` → `under_review`.
#[utoipa::path(post, path = "/v1/admin/submissions/{id}/assign", tag = "admin",
    params(("id" = String, Path, description = "Submission id")),
    request_body = AssignRequest,
    responses((status = 200, description = "Assigned; the submission after", body = SubmissionSummary),
              (status = 400, description = "`bad_request`: an assessor unknown or not enrolled", body = ApiError),
              (status = 404, description = "`not_found`", body = ApiError),
              (status = 409, description = "`not_impartial` (the same person twice, or a declared link, with its reason) or `transition_not_allowed`", body = ApiError)),
    security(("bearer" = [])))]
async fn assign(
    _: AdminCaller,
    State(state): State<AppState>,
    Path(raw): Path<String>,
    Json(request): Json<AssignRequest>,
) -> ApiResult<axum::Json<SubmissionSummary>> {
    let id: SubmissionId = id(&raw)?;
    let record = review::assign(&state, id, request).await?;
    Ok(axum::Json(review::summary_of(&state, &record).await?))
}

/// Query of `GET /v1/admin/submissions`.
#[derive(Debug, serde::Deserialize)]
struct ListQuery {
    state: Option<String>,
}

/// Every submission, newest first, optionally only those in one state.
#[utoipa::path(get, path = "/v1/admin/submissions", tag = "admin",
    params(("state" = Option<ReviewState>, Query, description = "Only submissions in this state")),
    responses((status = 200, description = "Newest first", body = SubmissionList),
              (status = 400, description = "`bad_request`: not a state", body = ApiError)),
    security(("bearer" = [])))]
async fn list_submissions(
    _: AdminCaller,
    State(state): State<AppState>,
    query: Result<Query<ListQuery>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<axum::Json<SubmissionList>> {
    let Query(query) = query.map_err(|e| Failure::bad_request(e.body_text()))?;
    let only = match query.state.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(text) => Some(
            serde_json::from_value::<ReviewState>(serde_json::Value::String(text.to_owned()))
                .map_err(|_| {
                    Failure::bad_request(format!(
                        "`{}` is not a review state (received, under_review, more_evidence_requested, resubmitted, recommended, awarded, not_awarded)",
                        text.chars().take(40).collect::<String>()
                    ))
                })?,
        ),
    };
    Ok(axum::Json(review::submissions(&state, only).await?))
}

/// Query of `GET /v1/admin/awards/expiring`.
#[derive(Debug, serde::Deserialize)]
struct ExpiringQuery {
    within_days: Option<u32>,
}

/// Awards expiring within the next `within_days` days (90 when not given), soonest first: the
/// schools to invite to renew.
#[utoipa::path(get, path = "/v1/admin/awards/expiring", tag = "admin",
    params(("within_days" = Option<u32>, Query, description = "Days ahead to look (default 90, at most 3660)")),
    responses((status = 200, description = "Soonest first", body = ExpiringAwards),
              (status = 400, description = "`bad_request`", body = ApiError)),
    security(("bearer" = [])))]
async fn expiring_awards(
    _: AdminCaller,
    State(state): State<AppState>,
    query: Result<Query<ExpiringQuery>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<axum::Json<ExpiringAwards>> {
    let Query(query) = query.map_err(|e| Failure::bad_request(e.body_text()))?;
    let within = query.within_days.unwrap_or(review::DEFAULT_WITHIN_DAYS);
    Ok(axum::Json(review::expiring(&state, within).await?))
}
