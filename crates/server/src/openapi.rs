//! The OpenAPI document, generated from the handlers' annotations and the protocol's types.
//! Served at `/v1/openapi.json` and committed as `docs/openapi.json`; a test fails when the
//! committed copy is stale (`WAYMARK_BLESS=1 cargo test -p waymark-server openapi` rewrites it).

use utoipa::openapi::OpenApi as Doc;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::AppState;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Waymark endpoint API",
        description = "The awarding body's endpoint: enrollment, encrypted uploads (tus 1.0), signed submissions and receipts, the review, and public award verification. Errors are JSON `{code, message}`; the codes are listed in docs/api-errors.md.",
    ),
    modifiers(&Bearer),
    components(schemas(waymark_protocol::ApiError, waymark_protocol::ApiErrorCode)),
)]
struct ApiDoc;

struct Bearer;

impl Modify for Bearer {
    fn modify(&self, doc: &mut Doc) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
    }
}

/// The router of every API route and the document describing it.
pub fn split() -> (axum::Router<AppState>, Doc) {
    utoipa_axum::router::OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(crate::routes::all())
        .split_for_parts()
}

/// The document as pretty JSON (what `docs/openapi.json` holds).
pub fn document_json() -> String {
    let (_, mut doc) = split();
    doc.info.version = env!("CARGO_PKG_VERSION").to_owned();
    let mut text = doc.to_pretty_json().unwrap_or_default();
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_committed_openapi_document_is_current() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/openapi.json");
        let now = super::document_json();
        if std::env::var_os("WAYMARK_BLESS").is_some() {
            std::fs::write(path, &now).unwrap();
            return;
        }
        let committed = std::fs::read_to_string(path).unwrap_or_default();
        assert!(
            committed == now,
            "docs/openapi.json is stale: run `WAYMARK_BLESS=1 cargo test -p waymark-server openapi` (or `make api-docs`)"
        );
    }
}
