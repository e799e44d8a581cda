//! The HTTP API, one module per kind of caller or resource. Each module's `routes()` returns an
//! `OpenApiRouter`, so the OpenAPI document is generated from the same handlers that serve.

use utoipa_axum::router::OpenApiRouter;

use crate::AppState;

pub mod admin;
pub mod assessor;
pub mod enroll;
pub mod health;
pub mod keys;
pub mod public;
pub mod school;
pub mod submissions;
pub mod uploads;

/// Every route of the API.
pub fn all() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .merge(health::routes())
        .merge(keys::routes())
        .merge(enroll::routes())
        .merge(uploads::routes())
        .merge(submissions::routes())
        .merge(school::routes())
        .merge(assessor::routes())
        .merge(admin::routes())
        .merge(public::routes())
}

/// Reads a JSON body, answering a malformed one with `bad_request` and what was wrong (axum's
/// own rejection is plain text).
pub struct Json<T>(pub T);

impl<T, S> axum::extract::FromRequest<S> for Json<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = crate::Failure;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(value)) => Ok(Json(value)),
            Err(rejection) => {
                let status = rejection.status();
                let code = match status.as_u16() {
                    413 => waymark_protocol::ApiErrorCode::TooLarge,
                    415 => waymark_protocol::ApiErrorCode::UnsupportedMediaType,
                    _ => waymark_protocol::ApiErrorCode::BadRequest,
                };
                Err(crate::Failure::new(code, rejection.body_text()))
            }
        }
    }
}
