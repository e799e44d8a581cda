//! `/v1/submissions...`: an institution commits signed envelopes and follows their review;
//! `/v1/school/...`: it corrects its profile and asks for its erasure. Institution token
//! only; another institution's submission answers `not_found`, and once an institution is
//! erased every request with its tokens answers `410 institution_erased` (but a retried
//! erasure request, which gets its first confirmation again).
//!
//! Polling is cheap: `GET /v1/submissions/{id}` carries `ETag: "<last event's sequence>"`, and
//! a request with that tag in `If-None-Match` is answered `304 Not Modified` after one indexed
//! look-up, without reading the envelopes.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use waymark_protocol::api::{
    CommitRequest, CommitResponse, ErasureResponse, EventList, InstitutionProfile, ProfileProblems,
    ProfileRecord, SubmissionList, SubmissionStatus,
};
use waymark_protocol::review::Role;
use waymark_protocol::{ApiError, SubmissionId};

use crate::auth::{ErasingInstitution, InstitutionCaller};
use crate::error::ApiResult;
use crate::routes::Json;
use crate::{AppState, Failure, erasure, profile, submissions};

/// This module's routes.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(commit, list))
        .routes(routes!(status))
        .routes(routes!(events))
        .routes(routes!(erase))
        .routes(routes!(correct_profile, read_profile))
}

/// Erases everything the endpoint holds of the calling institution: its submissions (with
/// envelopes, receipts, events, feedback and awards), uploads and blobs, tokens, enrollment
/// codes and profile. Keeps only a tombstone (the id, when, the confirmation), its tokens'
/// hashes (so they answer `410 institution_erased` from then on) and its submissions' ids and
/// award codes (answered `410 submission_deleted` / `award_deleted`). Answers with a
/// confirmation signed by the endpoint's key (purpose `waymark/erasure/1`): keep it. Safe to
/// retry: the same token afterwards gets the same confirmation (`created` false). No body.
#[utoipa::path(post, path = "/v1/school/erasure", tag = "school",
    responses((status = 200, description = "Erased (`created` true), or erased before (`created` false, the first confirmation again)", body = ErasureResponse),
              (status = 401, description = "`unauthorized`", body = ApiError),
              (status = 403, description = "`forbidden`: not an institution's token", body = ApiError)),
    security(("bearer" = [])))]
async fn erase(
    caller: ErasingInstitution,
    State(state): State<AppState>,
) -> ApiResult<axum::Json<ErasureResponse>> {
    let response = match caller {
        ErasingInstitution::Live(id) => erasure::erase(&state, id, Role::Institution).await?,
        ErasingInstitution::Erased(id) => erasure::confirmation_of(&state, id).await?,
    };
    Ok(axum::Json(response))
}

/// Corrects the institution's profile (its details and working group): the endpoint keeps
/// the current one and, when something changed, records a `profile_corrected` event (naming
/// the fields) in each of its submissions under review, for their assessors. Sending the same
/// profile again records nothing.
#[utoipa::path(put, path = "/v1/school/profile", tag = "school",
    request_body = InstitutionProfile,
    responses((status = 200, description = "Recorded: the profile as stored, what changed and where the event went", body = ProfileRecord),
              (status = 400, description = "`bad_request`: not a profile (e.g. an unknown phase)", body = ApiError),
              (status = 401, description = "`unauthorized`", body = ApiError),
              (status = 403, description = "`forbidden`: not an institution's token", body = ApiError),
              (status = 410, description = "`institution_erased`", body = ApiError),
              (status = 413, description = "`too_large`: the body is over the JSON limit", body = ApiError),
              (status = 422, description = "`invalid_profile`: every field's problem, each with its own code", body = ProfileProblems)),
    security(("bearer" = [])))]
async fn correct_profile(
    InstitutionCaller(caller): InstitutionCaller,
    State(state): State<AppState>,
    Json(body): Json<InstitutionProfile>,
) -> ApiResult<axum::Json<ProfileRecord>> {
    Ok(axum::Json(profile::correct(&state, caller, &body).await?))
}

/// The profile the endpoint holds for the institution (`changed` and `recorded_in` empty).
#[utoipa::path(get, path = "/v1/school/profile", tag = "school",
    responses((status = 200, description = "The current profile", body = ProfileRecord),
              (status = 404, description = "`not_found`: no profile was sent yet", body = ApiError),
              (status = 410, description = "`institution_erased`", body = ApiError)),
    security(("bearer" = [])))]
async fn read_profile(
    InstitutionCaller(caller): InstitutionCaller,
    State(state): State<AppState>,
) -> ApiResult<axum::Json<ProfileRecord>> {
    Ok(axum::Json(profile::current(&state, caller).await?))
}

fn submission_id(text: &str) -> ApiResult<SubmissionId> {
    text.parse().map_err(Failure::from)
}

/// Commits a signed envelope: a new submission, or a re-submission answering a request for
/// more evidence (`responds_to`). Every blob it lists must have been uploaded first.
#[utoipa::path(post, path = "/v1/submissions", tag = "school",
    request_body = CommitRequest,
    responses((status = 201, description = "Recorded; keep the receipt", body = CommitResponse),
              (status = 200, description = "This envelope was committed before: its receipt again (`created` false)", body = CommitResponse),
              (status = 400, description = "`bad_request`: not an envelope", body = ApiError),
              (status = 404, description = "`not_found`: `responds_to` names no submission of this institution", body = ApiError),
              (status = 409, description = "`transition_not_allowed`: the submission answered is not waiting for more evidence", body = ApiError),
              (status = 422, description = "`bad_signature`, `invalid_envelope`, `unknown_award` or `missing_blob` (naming the blobs)", body = ApiError)),
    security(("bearer" = [])))]
async fn commit(
    InstitutionCaller(caller): InstitutionCaller,
    State(state): State<AppState>,
    Json(request): Json<CommitRequest>,
) -> ApiResult<(StatusCode, axum::Json<CommitResponse>)> {
    let response = submissions::commit(&state, caller, request).await?;
    let status = if response.created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, axum::Json(response)))
}

/// This institution's submissions.
#[utoipa::path(get, path = "/v1/submissions", tag = "school",
    responses((status = 200, description = "Newest first", body = SubmissionList)),
    security(("bearer" = [])))]
async fn list(
    InstitutionCaller(caller): InstitutionCaller,
    State(state): State<AppState>,
) -> ApiResult<axum::Json<SubmissionList>> {
    Ok(axum::Json(submissions::list(&state, caller).await?))
}

/// The entity tag of a submission's status: its last event's sequence.
fn etag(last_event: u64) -> String {
    format!("\"{last_event}\"")
}

/// Whether `If-None-Match` names `tag` (or is `*`); weak tags compare as strong ones here, as
/// RFC 9110 has `If-None-Match` do.
fn not_modified(headers: &HeaderMap, tag: &str) -> bool {
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .any(|t| t == "*" || t.strip_prefix("W/").unwrap_or(t) == tag)
}

/// Where a submission's review stands, with its receipts. Send the last `ETag` as
/// `If-None-Match` to poll: `304` with no body while nothing has changed.
#[utoipa::path(get, path = "/v1/submissions/{id}", tag = "school",
    params(("id" = String, Path, description = "Submission id"),
           ("If-None-Match" = Option<String>, Header, description = "The `ETag` of the last answer")),
    responses((status = 200, description = "The status; `ETag` is the last event's sequence in quotes", body = SubmissionStatus,
               headers(("ETag" = String, description = "`\"<last_event>\"`"))),
              (status = 304, description = "Unchanged since the `ETag` sent"),
              (status = 400, description = "`bad_request`: not a submission id", body = ApiError),
              (status = 404, description = "`not_found`", body = ApiError),
              (status = 410, description = "`submission_deleted` (retention), or `institution_erased`", body = ApiError)),
    security(("bearer" = [])))]
async fn status(
    InstitutionCaller(caller): InstitutionCaller,
    State(state): State<AppState>,
    Path(raw): Path<String>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let id = submission_id(&raw)?;
    let record = submissions::own(&state, caller, id).await?;
    let tag = etag(record.last_event);
    let tag_header = HeaderValue::from_str(&tag).map_err(Failure::internal)?;
    // The answer depends on the token: shared caches must not keep it.
    let cache = HeaderValue::from_static("private, no-cache");
    if not_modified(&headers, &tag) {
        return Ok((
            StatusCode::NOT_MODIFIED,
            [(header::ETAG, tag_header), (header::CACHE_CONTROL, cache)],
        )
            .into_response());
    }
    let body = submissions::status_of(&state, record).await?;
    Ok((
        [(header::ETAG, tag_header), (header::CACHE_CONTROL, cache)],
        axum::Json(body),
    )
        .into_response())
}

/// `?since=N`.
#[derive(Debug, Deserialize)]
struct Since {
    since: Option<u64>,
}

/// The review's events after `since` (0 or absent: all), oldest first. Assessors are not named.
#[utoipa::path(get, path = "/v1/submissions/{id}/events", tag = "school",
    params(("id" = String, Path, description = "Submission id"),
           ("since" = Option<u64>, Query, description = "The last sequence already seen")),
    responses((status = 200, description = "Oldest first", body = EventList),
              (status = 400, description = "`bad_request`: not a submission id, or `since` not a number", body = ApiError),
              (status = 404, description = "`not_found`", body = ApiError)),
    security(("bearer" = [])))]
async fn events(
    InstitutionCaller(caller): InstitutionCaller,
    State(state): State<AppState>,
    Path(raw): Path<String>,
    query: Result<Query<Since>, QueryRejection>,
) -> ApiResult<axum::Json<EventList>> {
    let id = submission_id(&raw)?;
    let Query(Since { since }) = query.map_err(|rejection| {
        Failure::bad_request(format!(
            "`since` must be a whole number (the last sequence seen): {}",
            rejection.body_text()
        ))
    })?;
    Ok(axum::Json(
        submissions::events(&state, caller, id, since.unwrap_or(0)).await?,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn if_none_match_compares_tags_in_a_list_weak_or_strong() {
        let mut headers = HeaderMap::new();
        assert!(!not_modified(&headers, "\"3\""));
        headers.insert(
            header::IF_NONE_MATCH,
            HeaderValue::from_static("\"2\", W/\"3\""),
        );
        assert!(not_modified(&headers, "\"3\""));
        assert!(!not_modified(&headers, "\"4\""));
        headers.insert(header::IF_NONE_MATCH, HeaderValue::from_static("*"));
        assert!(not_modified(&headers, "\"4\""));
    }
}
