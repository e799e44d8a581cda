//! Award verification, without sign-in: `GET /v1/awards/{code}` (JSON) and `GET /awards/{code}`
//! (a small HTML page a school can link to from its website). Both show only what a
//! certificate states: the institution's name, the award and framework, the awarding body, the
//! dates and whether the award is current today. The code is checked for its shape before
//! anything is looked up. An award whose record was deleted (its institution's erasure, or
//! retention after it expired) answers `410 award_deleted`: it cannot be verified, and the
//! page says why, naming no institution.

use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use waymark_protocol::ApiError;
use waymark_protocol::api::PublicAward;

use crate::AppState;
use crate::error::ApiResult;
use crate::review::{self, NoAward};

/// This module's routes.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(award_json))
        .routes(routes!(award_page))
}

/// An award by its verification code.
#[utoipa::path(get, path = "/v1/awards/{code}", tag = "public",
    params(("code" = String, Path, description = "The verification code (e.g. abcde-fghij-kmnpq-rstuv; any case, dashes optional)")),
    responses((status = 200, description = "The award", body = PublicAward),
              (status = 400, description = "`bad_request`: not a verification code", body = ApiError),
              (status = 404, description = "`not_found`: no award has this code", body = ApiError),
              (status = 410, description = "`award_deleted`: the award's record was deleted (its institution's data was erased at its request, or it expired and its retention period ended), so it cannot be verified", body = ApiError)))]
async fn award_json(
    State(state): State<AppState>,
    Path(code): Path<String>,
) -> ApiResult<axum::Json<PublicAward>> {
    match review::public_award(&state, &code).await? {
        Ok(award) => Ok(axum::Json(award)),
        Err(no) => Err(no.failure()),
    }
}

/// An award's verification page (HTML).
#[utoipa::path(get, path = "/awards/{code}", tag = "public",
    params(("code" = String, Path, description = "The verification code")),
    responses((status = 200, description = "The award's page", content_type = "text/html", body = String),
              (status = 400, description = "A page saying this is not a verification code", content_type = "text/html", body = String),
              (status = 404, description = "A page saying no award has this code", content_type = "text/html", body = String),
              (status = 410, description = "A page saying the award's record was deleted and cannot be verified", content_type = "text/html", body = String)))]
async fn award_page(State(state): State<AppState>, Path(code): Path<String>) -> Response {
    match review::public_award(&state, &code).await {
        Ok(Ok(award)) => html(StatusCode::OK, &award_html(&award)),
        Ok(Err(NoAward::Malformed)) => html(
            StatusCode::BAD_REQUEST,
            &message_html(
                &state.config.awarding_body,
                "Not a verification code",
                "This is not a verification code. A code is 20 letters and digits, written like abcde-fghij-kmnpq-rstuv. Check the link or the certificate and try again.",
            ),
        ),
        Ok(Err(NoAward::Unknown)) => html(
            StatusCode::NOT_FOUND,
            &message_html(
                &state.config.awarding_body,
                "No award found",
                "No award has this verification code. Check it was copied correctly; if it was, the award was not made by this awarding body.",
            ),
        ),
        Ok(Err(NoAward::Deleted(deleted))) => html(
            StatusCode::GONE,
            &message_html(
                &state.config.awarding_body,
                "Award record deleted",
                &format!(
                    "{}. A certificate bearing this code cannot be checked here; ask the institution or the awarding body.",
                    capitalise(&crate::retention::award_gone_text(&deleted))
                ),
            ),
        ),
        Err(failure) => {
            let status = StatusCode::from_u16(failure.code.status())
                .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            html(
                status,
                &message_html(
                    &state.config.awarding_body,
                    "Cannot check the award just now",
                    "The awarding body's server could not look this award up. Try again later.",
                ),
            )
        }
    }
}

fn html(status: StatusCode, body: &str) -> Response {
    let mut response = (status, body.to_owned()).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    // No scripts, no frames, nothing fetched: the page is its own text and a little style.
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
        ),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    // Whether an award is current changes with the day.
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}

/// Escapes text for HTML element content and quoted attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;line-height:1.5;margin:0;padding:2rem 1rem;color:#1b1b1b;background:#fff}\
main{max-width:40rem;margin:0 auto}\
h1{font-size:1.6rem;margin:0 0 1rem}\
dl{display:grid;grid-template-columns:max-content 1fr;gap:.5rem 1.5rem;margin:1.5rem 0}\
dt{font-weight:600}dd{margin:0}\
.status{font-size:1.2rem;font-weight:600;padding:.75rem 1rem;border-left:.4rem solid}\
.current{border-color:#0b6e2e;background:#e8f5ec}\
.expired{border-color:#a4262c;background:#fbeaea}\
footer{margin-top:2rem;font-size:.9rem;color:#4a4a4a}\
@media (prefers-color-scheme:dark){body{color:#f0f0f0;background:#161616}.current{background:#0f2b19}.expired{background:#3a1214}footer{color:#c8c8c8}}";

fn page(title: &str, awarding_body: &str, content: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
<meta name=\"robots\" content=\"noindex\">\n<title>{title}</title>\n<style>{STYLE}</style>\n</head>\n\
<body>\n<main>\n{content}\n</main>\n<footer><p>Award verification by {body}.</p></footer>\n</body>\n</html>\n",
        title = escape(title),
        body = escape(awarding_body),
    )
}

/// The page of an award.
pub fn award_html(award: &PublicAward) -> String {
    let (class, status) = if award.current {
        (
            "current",
            format!("Current: valid until {}", long_date(award.expires_on)),
        )
    } else {
        (
            "expired",
            format!("Expired on {}", long_date(award.expires_on)),
        )
    };
    let content = format!(
        "<h1>{award_title}: {institution}</h1>\n\
<p class=\"status {class}\" role=\"status\">{status}</p>\n\
<dl>\n\
<dt>Institution</dt><dd>{institution}</dd>\n\
<dt>Award</dt><dd>{award_title}</dd>\n\
<dt>Framework</dt><dd>{framework}</dd>\n\
<dt>Awarded by</dt><dd>{awarding_body}</dd>\n\
<dt>Awarded on</dt><dd><time datetime=\"{awarded_iso}\">{awarded}</time></dd>\n\
<dt>Expires on</dt><dd><time datetime=\"{expires_iso}\">{expires}</time></dd>\n\
</dl>",
        award_title = escape(&award.award),
        institution = escape(&award.institution),
        framework = escape(&award.framework),
        awarding_body = escape(&award.awarding_body),
        status = escape(&status),
        awarded_iso = award.awarded_on,
        awarded = escape(&long_date(award.awarded_on)),
        expires_iso = award.expires_on,
        expires = escape(&long_date(award.expires_on)),
    );
    page(
        &format!("{}: {}", award.award, award.institution),
        &award.awarding_body,
        &content,
    )
}

fn message_html(awarding_body: &str, title: &str, message: &str) -> String {
    let content = format!("<h1>{}</h1>\n<p>{}</p>", escape(title), escape(message));
    page(title, awarding_body, &content)
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

fn long_date(day: chrono::NaiveDate) -> String {
    day.format("%-d %B %Y").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_value_on_the_page_is_escaped() {
        let award = PublicAward {
            institution: "<script>alert('x')</script> & \"Co\"".into(),
            award: "Mark <b>".into(),
            framework: "F'w".into(),
            awarding_body: "Body & <i>".into(),
            awarded_on: chrono::NaiveDate::from_ymd_opt(2026, 3, 2).unwrap(),
            expires_on: chrono::NaiveDate::from_ymd_opt(2029, 3, 2).unwrap(),
            current: true,
        };
        let page = award_html(&award);
        assert!(!page.contains("<script"), "{page}");
        assert!(!page.contains("<b>") && !page.contains("<i>"), "{page}");
        assert!(
            page.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;Co&quot;")
        );
        assert!(page.contains("<html lang=\"en\">"));
        assert!(page.contains("2 March 2029"));
    }
}
