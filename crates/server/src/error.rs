//! Every refusal the endpoint sends: an HTTP status and a JSON [`ApiError`] with a stable code.
//! Internal failures are logged with detail and answered with `internal` and no detail, so a
//! hostile client learns nothing about the server's insides.

use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use waymark_protocol::api::{FieldProblem, ProfileProblems};
use waymark_protocol::{ApiError, ApiErrorCode, ProtocolError};

use crate::meta::MetaError;

/// A refusal, ready to send.
#[derive(Debug)]
pub struct Failure {
    /// The stable code (decides the status).
    pub code: ApiErrorCode,
    /// What went wrong and what to do, for people.
    pub message: String,
    /// Extra headers (tus headers on tus errors, `Retry-After` on rate limits); boxed so a
    /// `Result<_, Failure>` stays small.
    pub headers: Option<Box<HeaderMap>>,
    /// Each field's problem, for `invalid_profile` (sent as [`ProfileProblems`]).
    pub problems: Option<Vec<FieldProblem>>,
}

impl Failure {
    /// A refusal with this code and message.
    pub fn new(code: ApiErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            headers: None,
            problems: None,
        }
    }

    /// `invalid_profile` with every field's problem.
    pub fn invalid_profile(problems: Vec<FieldProblem>) -> Self {
        let fields: Vec<&str> = problems.iter().map(|p| p.field.as_str()).collect();
        let mut failure = Self::new(
            ApiErrorCode::InvalidProfile,
            format!(
                "the profile has {} problem(s), in {}; see `problems`",
                problems.len(),
                fields.join(", ")
            ),
        );
        failure.problems = Some(problems);
        failure
    }

    /// `bad_request` naming what could not be read.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(ApiErrorCode::BadRequest, message)
    }

    /// `not_found`: also what another institution's ids answer, so ids cannot be probed.
    pub fn not_found(what: &str) -> Self {
        Self::new(
            ApiErrorCode::NotFound,
            format!("no {what} with that id exists for this account"),
        )
    }

    /// `forbidden`.
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(ApiErrorCode::Forbidden, message)
    }

    /// An internal failure: logged here with its detail, answered without it.
    pub fn internal(detail: impl std::fmt::Display) -> Self {
        tracing::error!(error = %detail, "internal failure");
        Self::new(
            ApiErrorCode::Internal,
            "the server failed to do this; it has been logged. Try again later.",
        )
    }

    /// Adds a header to the response.
    pub fn with_header(mut self, name: HeaderName, value: HeaderValue) -> Self {
        self.headers
            .get_or_insert_with(Default::default)
            .insert(name, value);
        self
    }
}

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        let status =
            StatusCode::from_u16(self.code.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let headers = self.headers.map(|h| *h).unwrap_or_default();
        match self.problems {
            Some(problems) => {
                let body = axum::Json(ProfileProblems {
                    code: self.code,
                    message: self.message,
                    problems,
                });
                (status, headers, body).into_response()
            }
            None => {
                let body = axum::Json(ApiError {
                    code: self.code,
                    message: self.message,
                });
                (status, headers, body).into_response()
            }
        }
    }
}

impl From<MetaError> for Failure {
    fn from(e: MetaError) -> Self {
        match e {
            MetaError::Unavailable(detail) => {
                tracing::warn!(error = %detail, "metadata store unavailable");
                Failure::new(
                    ApiErrorCode::Unavailable,
                    "the server cannot reach its storage just now; try again shortly",
                )
            }
            other => Failure::internal(other),
        }
    }
}

impl From<ProtocolError> for Failure {
    fn from(e: ProtocolError) -> Self {
        let code = match e {
            ProtocolError::BadSignature { .. } | ProtocolError::WrongKey { .. } => {
                ApiErrorCode::BadSignature
            }
            _ => ApiErrorCode::BadRequest,
        };
        Failure::new(code, e.to_string())
    }
}

impl From<object_store::Error> for Failure {
    fn from(e: object_store::Error) -> Self {
        Failure::internal(format!("blob store: {e}"))
    }
}

/// The result of a handler.
pub type ApiResult<T> = Result<T, Failure>;
