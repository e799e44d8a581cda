//! `/v1/uploads`: resumable uploads of encrypted blobs over tus 1.0 (core protocol with the
//! creation, checksum, termination and expiration extensions), and `/v1/blobs/held`: which
//! blobs the server already holds for the institution, so a re-submission sends only what is
//! new.
//!
//! Why tus: school networks cut long uploads, and a 2 GiB evidence blob must resume from the
//! last acknowledged byte, not start again. The protocol is small, so it is implemented here on
//! axum (no mature Rust tus server exists). Every request except OPTIONS needs an institution's
//! token and `Tus-Resumable: 1.0.0`; every response carries `Tus-Resumable`. School filters
//! often block PATCH and DELETE, so `POST` with `X-HTTP-Method-Override` does the same.
//!
//! How a chunk is kept (see [`crate::blobs`]): the PATCH body is streamed into its own object,
//! hashed as it goes, and recorded in the metadata store only once it is all written and its
//! `Upload-Checksum` matched, so the acknowledged offset is always backed by stored bytes and a
//! dropped connection leaves the offset where it was. When the last chunk arrives, the whole
//! blob is hashed from the store and must match the `sha256` declared at creation before it is
//! held.

use axum::body::Body;
use axum::extract::{Path, Request, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_LENGTH, CONTENT_TYPE, LOCATION};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use chrono::{DateTime, Utc};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use waymark_protocol::api::{HeldRequest, HeldResponse};
use waymark_protocol::envelope::MAX_BLOBS;
use waymark_protocol::{ApiError, ApiErrorCode, InstitutionId, Sha256};

use crate::auth::InstitutionCaller;
use crate::blobs::{self, Checksum, ChunkError};
use crate::error::ApiResult;
use crate::meta::uploads::{NewUpload, UploadRecord, UploadRefusal, UploadState};
use crate::routes::Json;
use crate::{AppState, Failure};

const TUS_VERSION_TEXT: &str = "1.0.0";
static TUS_RESUMABLE: HeaderName = HeaderName::from_static("tus-resumable");
static TUS_VERSION: HeaderName = HeaderName::from_static("tus-version");
static TUS_EXTENSION: HeaderName = HeaderName::from_static("tus-extension");
static TUS_MAX_SIZE: HeaderName = HeaderName::from_static("tus-max-size");
static TUS_CHECKSUM_ALGORITHM: HeaderName = HeaderName::from_static("tus-checksum-algorithm");
static UPLOAD_OFFSET: HeaderName = HeaderName::from_static("upload-offset");
static UPLOAD_LENGTH: HeaderName = HeaderName::from_static("upload-length");
static UPLOAD_DEFER_LENGTH: HeaderName = HeaderName::from_static("upload-defer-length");
static UPLOAD_METADATA: HeaderName = HeaderName::from_static("upload-metadata");
static UPLOAD_EXPIRES: HeaderName = HeaderName::from_static("upload-expires");
static UPLOAD_CHECKSUM: HeaderName = HeaderName::from_static("upload-checksum");
static METHOD_OVERRIDE: HeaderName = HeaderName::from_static("x-http-method-override");

/// The only PATCH body type tus allows.
const OFFSET_OCTET_STREAM: &str = "application/offset+octet-stream";

/// What the 503 of a PATCH that found no slot tells the client to wait.
const CHUNK_SLOT_RETRY: std::time::Duration = std::time::Duration::from_secs(2);

/// This module's routes.
pub fn routes() -> OpenApiRouter<AppState> {
    let tus = OpenApiRouter::new()
        .routes(routes!(options_uploads, create_upload))
        .routes(routes!(
            head_upload,
            patch_upload,
            delete_upload,
            override_upload
        ))
        .layer(axum::middleware::from_fn(tus_resumable));
    OpenApiRouter::new().merge(tus).routes(routes!(held_blobs))
}

/// Refuses a tus request without `Tus-Resumable: 1.0.0` (before the token is even looked at,
/// as tus servers do) and puts `Tus-Resumable` on every response.
async fn tus_resumable(req: Request, next: Next) -> Response {
    let supported = req.method() == Method::OPTIONS
        || req
            .headers()
            .get(&TUS_RESUMABLE)
            .is_some_and(|v| v.as_bytes() == TUS_VERSION_TEXT.as_bytes());
    let mut response = if supported {
        next.run(req).await
    } else {
        Failure::new(
            ApiErrorCode::TusVersionUnsupported,
            "send `Tus-Resumable: 1.0.0`: this server speaks tus 1.0.0 only",
        )
        .with_header(
            TUS_VERSION.clone(),
            HeaderValue::from_static(TUS_VERSION_TEXT),
        )
        .into_response()
    };
    response.headers_mut().insert(
        TUS_RESUMABLE.clone(),
        HeaderValue::from_static(TUS_VERSION_TEXT),
    );
    response
}

/// An HTTP date (IMF-fixdate), as `Upload-Expires` is written.
fn http_date(t: DateTime<Utc>) -> HeaderValue {
    let text = t.format("%a, %d %b %Y %H:%M:%S GMT").to_string();
    HeaderValue::from_str(&text).unwrap_or_else(|_| HeaderValue::from_static(""))
}

fn number(n: u64) -> HeaderValue {
    HeaderValue::from(n)
}

/// An upload id from the URL. Anything but a UUID answers `not_found` like an unknown id: it
/// cannot name an upload, and it never reaches a query or an object path.
fn upload_id(raw: &str) -> ApiResult<uuid::Uuid> {
    uuid::Uuid::parse_str(raw).map_err(|_| Failure::not_found("upload"))
}

fn header_text<'a>(headers: &'a HeaderMap, name: &HeaderName) -> ApiResult<Option<&'a str>> {
    headers
        .get(name)
        .map(|v| {
            v.to_str()
                .map(str::trim)
                .map_err(|_| Failure::bad_request(format!("the {name} header is not text")))
        })
        .transpose()
}

fn header_u64(headers: &HeaderMap, name: &HeaderName) -> ApiResult<Option<u64>> {
    header_text(headers, name)?
        .map(|text| {
            text.parse::<u64>().map_err(|_| {
                Failure::bad_request(format!(
                    "the {name} header must be a whole number of bytes, not `{text}`"
                ))
            })
        })
        .transpose()
}

/// The `sha256` of `Upload-Metadata` (`key base64,key base64`; other keys are ignored).
fn declared_sha256(headers: &HeaderMap) -> ApiResult<Sha256> {
    let missing = || {
        Failure::bad_request(
            "Upload-Metadata must carry `sha256`: the hex SHA-256 of the whole encrypted blob, base64-encoded as tus metadata values are (`sha256 <base64>`)",
        )
    };
    let text = header_text(headers, &UPLOAD_METADATA)?.unwrap_or("");
    for pair in text.split(',') {
        let pair = pair.trim();
        let (key, value) = pair.split_once(' ').unwrap_or((pair, ""));
        if key != "sha256" {
            continue;
        }
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(value.trim())
            .map_err(|_| {
                Failure::bad_request("the `sha256` value of Upload-Metadata is not base64")
            })?;
        let hex = String::from_utf8(decoded).map_err(|_| missing())?;
        return hex.trim().parse::<Sha256>().map_err(|e| {
            Failure::bad_request(format!(
                "the `sha256` value of Upload-Metadata must be 64 hex digits once base64-decoded: {e}"
            ))
        });
    }
    Err(missing())
}

/// `Upload-Checksum: <algorithm> <base64 digest>`.
fn checksum(headers: &HeaderMap) -> ApiResult<Option<Checksum>> {
    let Some(text) = header_text(headers, &UPLOAD_CHECKSUM)? else {
        return Ok(None);
    };
    let (algorithm, digest) = text.split_once(' ').unwrap_or((text, ""));
    let digest = base64::engine::general_purpose::STANDARD
        .decode(digest.trim())
        .map_err(|_| Failure::bad_request("the Upload-Checksum digest is not base64"))?;
    let wrong_length = || {
        Failure::bad_request(format!(
            "the Upload-Checksum digest is not a {algorithm} digest"
        ))
    };
    match algorithm.to_ascii_lowercase().as_str() {
        "sha1" => Ok(Some(Checksum::Sha1(
            digest.try_into().map_err(|_| wrong_length())?,
        ))),
        "sha256" => Ok(Some(Checksum::Sha256(
            digest.try_into().map_err(|_| wrong_length())?,
        ))),
        other => Err(Failure::new(
            ApiErrorCode::ChecksumAlgorithmUnsupported,
            format!("the checksum algorithm `{other}` is not supported: use sha1 or sha256"),
        )),
    }
}

fn offset_mismatch(at: u64) -> Failure {
    Failure::new(
        ApiErrorCode::OffsetMismatch,
        format!("the upload is at offset {at}; ask with HEAD and send from there"),
    )
    .with_header(UPLOAD_OFFSET.clone(), number(at))
}

fn expired() -> Failure {
    Failure::new(
        ApiErrorCode::UploadExpired,
        "this upload expired before it was finished; start a new upload",
    )
}

fn refused(refusal: UploadRefusal) -> Failure {
    match refusal {
        UploadRefusal::NotFound => Failure::not_found("upload"),
        UploadRefusal::Expired => expired(),
        UploadRefusal::OffsetMismatch(at) => offset_mismatch(at),
        UploadRefusal::WrongEnd => Failure::internal("a chunk's end was checked twice differently"),
    }
}

/// An upload of this institution that can still answer (404 or 410 otherwise).
async fn live_upload(
    state: &AppState,
    institution: InstitutionId,
    id: uuid::Uuid,
) -> ApiResult<UploadRecord> {
    let upload = state
        .meta
        .upload(institution, id)
        .await?
        .ok_or_else(|| Failure::not_found("upload"))?;
    if upload.expired(state.clock.now()) {
        return Err(expired());
    }
    Ok(upload)
}

/// The headers of a PATCH or HEAD answer.
fn offset_headers(upload: &UploadRecord, offset: u64) -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert(UPLOAD_OFFSET.clone(), number(offset));
    headers.insert(UPLOAD_LENGTH.clone(), number(upload.length));
    if upload.state == UploadState::Receiving {
        headers.insert(UPLOAD_EXPIRES.clone(), http_date(upload.expires_at));
    }
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers
}

/// What this server supports (tus discovery). No token needed.
#[utoipa::path(options, path = "/v1/uploads", tag = "uploads",
    responses((status = 204, description = "The tus versions, extensions, checksum algorithms and the largest blob accepted",
        headers(("Tus-Version" = String, description = "1.0.0"),
                ("Tus-Extension" = String, description = "creation,checksum,termination,expiration"),
                ("Tus-Checksum-Algorithm" = String, description = "sha1,sha256"),
                ("Tus-Max-Size" = u64, description = "The largest Upload-Length accepted")))))]
async fn options_uploads(State(state): State<AppState>) -> Response {
    let mut headers = HeaderMap::new();
    headers.insert(
        TUS_VERSION.clone(),
        HeaderValue::from_static(TUS_VERSION_TEXT),
    );
    headers.insert(
        TUS_EXTENSION.clone(),
        HeaderValue::from_static("creation,checksum,termination,expiration"),
    );
    headers.insert(
        TUS_CHECKSUM_ALGORITHM.clone(),
        HeaderValue::from_static("sha1,sha256"),
    );
    headers.insert(
        TUS_MAX_SIZE.clone(),
        number(state.config.limits.max_blob_bytes),
    );
    (StatusCode::NO_CONTENT, headers).into_response()
}

/// Creates an upload (tus creation). `Upload-Length` is required (deferred lengths are not
/// supported: the school knows each blob's size), and `Upload-Metadata` must carry `sha256`,
/// the hex SHA-256 of the whole encrypted blob, base64-encoded. The length is reserved against
/// the institution's quota until the upload finishes or expires.
#[utoipa::path(post, path = "/v1/uploads", tag = "uploads",
    params(("Tus-Resumable" = String, Header, description = "1.0.0"),
           ("Upload-Length" = u64, Header, description = "The blob's length in bytes"),
           ("Upload-Metadata" = String, Header, description = "`sha256 <base64 of the hex SHA-256>`; other keys are ignored")),
    responses((status = 201, description = "Created; send the bytes with PATCH to Location",
                headers(("Location" = String, description = "/v1/uploads/{id}"),
                        ("Upload-Expires" = String, description = "When an unfinished upload is discarded"))),
              (status = 400, description = "`bad_request`: no Upload-Length, a deferred length, or no valid `sha256` in Upload-Metadata", body = ApiError),
              (status = 412, description = "`tus_version_unsupported`", body = ApiError),
              (status = 413, description = "`too_large`: over Tus-Max-Size, or over the institution's storage quota", body = ApiError),
              (status = 422, description = "`blob_hash_mismatch`: an empty blob declared with another hash", body = ApiError)),
    security(("bearer" = [])))]
async fn create_upload(
    InstitutionCaller(institution): InstitutionCaller,
    State(state): State<AppState>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    if headers.contains_key(&UPLOAD_DEFER_LENGTH) {
        return Err(Failure::bad_request(
            "Upload-Defer-Length is not supported: send Upload-Length with the blob's size",
        ));
    }
    let length = header_u64(&headers, &UPLOAD_LENGTH)?.ok_or_else(|| {
        Failure::bad_request("send Upload-Length: the size of the whole blob in bytes")
    })?;
    let limits = &state.config.limits;
    if length > limits.max_blob_bytes {
        return Err(Failure::new(
            ApiErrorCode::TooLarge,
            format!(
                "a blob of {length} bytes is larger than this server accepts ({} bytes)",
                limits.max_blob_bytes
            ),
        )
        .with_header(TUS_MAX_SIZE.clone(), number(limits.max_blob_bytes)));
    }
    let sha256 = declared_sha256(&headers)?;
    if length == 0 && sha256 != Sha256::of(b"") {
        return Err(hash_mismatch(Sha256::of(b""), sha256));
    }
    let now = state.clock.now();
    let upload = NewUpload {
        id: uuid::Uuid::now_v7(),
        institution,
        sha256,
        length,
        created_at: now,
        expires_at: now + chrono::Duration::hours(i64::from(limits.upload_expiry_hours)),
    };
    let quota = limits.max_institution_bytes;
    if let Err(over) = state.meta.create_upload(&upload, quota).await? {
        return Err(blobs::over_quota(over.used, length, quota));
    }
    if length == 0 {
        // Nothing to send: the empty blob is held at once.
        if let Err(refusal) = state
            .meta
            .finish_upload(institution, upload.id, None, now)
            .await?
        {
            return Err(refused(refusal));
        }
    }
    let mut response = StatusCode::CREATED.into_response();
    let h = response.headers_mut();
    let location = format!("/v1/uploads/{}", upload.id.hyphenated());
    h.insert(
        LOCATION,
        HeaderValue::from_str(&location).map_err(Failure::internal)?,
    );
    h.insert(UPLOAD_EXPIRES.clone(), http_date(upload.expires_at));
    h.insert(UPLOAD_OFFSET.clone(), number(0));
    Ok(response)
}

/// Where an upload stands: `Upload-Offset` is what the server has acknowledged; resume from
/// there.
#[utoipa::path(head, path = "/v1/uploads/{id}", tag = "uploads",
    params(("id" = String, Path, description = "Upload id"),
           ("Tus-Resumable" = String, Header, description = "1.0.0")),
    responses((status = 200, description = "The acknowledged offset",
                headers(("Upload-Offset" = u64, description = "Bytes acknowledged"),
                        ("Upload-Length" = u64, description = "The blob's length"),
                        ("Upload-Expires" = String, description = "While unfinished"),
                        ("Cache-Control" = String, description = "no-store"))),
              (status = 404, description = "`not_found` (also another institution's upload)"),
              (status = 410, description = "`upload_expired`")),
    security(("bearer" = [])))]
async fn head_upload(
    InstitutionCaller(institution): InstitutionCaller,
    State(state): State<AppState>,
    Path(raw): Path<String>,
) -> ApiResult<Response> {
    head(&state, institution, &raw).await
}

async fn head(state: &AppState, institution: InstitutionId, raw: &str) -> ApiResult<Response> {
    let id = upload_id(raw)?;
    let upload = live_upload(state, institution, id).await?;
    Ok((StatusCode::OK, offset_headers(&upload, upload.offset)).into_response())
}

/// Sends bytes from `Upload-Offset`. The chunk counts only once it is all stored and, with
/// `Upload-Checksum` (sha1 or sha256, base64), verified; the last chunk also has the whole
/// blob checked against the declared `sha256`, and then the blob is held.
#[utoipa::path(patch, path = "/v1/uploads/{id}", tag = "uploads",
    params(("id" = String, Path, description = "Upload id"),
           ("Tus-Resumable" = String, Header, description = "1.0.0"),
           ("Upload-Offset" = u64, Header, description = "Where this chunk starts: the offset HEAD gave"),
           ("Upload-Checksum" = Option<String>, Header, description = "`sha1 <base64>` or `sha256 <base64>` of this chunk")),
    request_body(content = Vec<u8>, content_type = "application/offset+octet-stream"),
    responses((status = 204, description = "Stored",
                headers(("Upload-Offset" = u64, description = "The new offset"),
                        ("Upload-Expires" = String, description = "While unfinished"))),
              (status = 400, description = "`bad_request` or `checksum_algorithm_unsupported`", body = ApiError),
              (status = 404, description = "`not_found` (also another institution's upload)", body = ApiError),
              (status = 409, description = "`offset_mismatch`: Upload-Offset is not the server's (given in Upload-Offset)", body = ApiError),
              (status = 410, description = "`upload_expired`", body = ApiError),
              (status = 413, description = "`too_large`: more bytes than remain, or than one chunk may carry", body = ApiError),
              (status = 415, description = "`unsupported_media_type`", body = ApiError),
              (status = 422, description = "`blob_hash_mismatch`: the whole blob does not hash to the declared sha256; the upload was discarded", body = ApiError),
              (status = 460, description = "`checksum_mismatch`: the chunk was discarded; the offset is unchanged", body = ApiError)),
    security(("bearer" = [])))]
async fn patch_upload(
    InstitutionCaller(institution): InstitutionCaller,
    State(state): State<AppState>,
    Path(raw): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Response> {
    patch(&state, institution, &raw, &headers, body).await
}

fn hash_mismatch(found: Sha256, declared: Sha256) -> Failure {
    Failure::new(
        ApiErrorCode::BlobHashMismatch,
        format!(
            "the uploaded bytes hash to {found}, not to the declared {declared}; the upload was discarded: upload the blob again"
        ),
    )
}

async fn patch(
    state: &AppState,
    institution: InstitutionId,
    raw: &str,
    headers: &HeaderMap,
    body: Body,
) -> ApiResult<Response> {
    let content_type = header_text(headers, &CONTENT_TYPE)?.unwrap_or("");
    let essence = content_type.split(';').next().unwrap_or("").trim();
    if !essence.eq_ignore_ascii_case(OFFSET_OCTET_STREAM) {
        return Err(Failure::new(
            ApiErrorCode::UnsupportedMediaType,
            format!("a tus PATCH body must be sent as Content-Type: {OFFSET_OCTET_STREAM}"),
        ));
    }
    let id = upload_id(raw)?;
    let claimed = header_u64(headers, &UPLOAD_OFFSET)?
        .ok_or_else(|| Failure::bad_request("send Upload-Offset: where this chunk starts"))?;
    let checksum = checksum(headers)?;
    let upload = live_upload(state, institution, id).await?;
    if claimed != upload.offset {
        return Err(offset_mismatch(upload.offset));
    }
    if upload.state == UploadState::Complete {
        // A repeat of the last PATCH whose answer was lost: nothing more to take.
        return Ok((
            StatusCode::NO_CONTENT,
            offset_headers(&upload, upload.offset),
        )
            .into_response());
    }
    let remaining = upload.length - upload.offset;
    let max_chunk = state.config.limits.max_chunk_bytes;
    let too_long = || {
        Failure::new(
            ApiErrorCode::TooLarge,
            format!(
                "this chunk is longer than allowed: {remaining} bytes of the upload remain and one chunk may carry at most {max_chunk} bytes"
            ),
        )
        .with_header(UPLOAD_OFFSET.clone(), number(upload.offset))
    };
    let limit = remaining.min(max_chunk);
    if header_u64(headers, &CONTENT_LENGTH)?.is_some_and(|n| n > limit) {
        return Err(too_long());
    }
    // Held until the chunk is stored and, for the last one, the whole blob checked.
    // A PATCH waits for one of the `limits.concurrent_chunks` slots at most
    // `limits.chunk_wait_seconds`, then is told to come back: its body is not read while it
    // waits, clients and proxies give up on a stalled upload after about 30 s (the ingest bench
    // saw reqwest's TCP timeout cut longer waits on slow stores), and a clear 503 beats a cut.
    let wait = std::time::Duration::from_secs(state.config.limits.chunk_wait_seconds);
    let _slot = match tokio::time::timeout(wait, state.chunk_slots.acquire()).await {
        Ok(Ok(slot)) => slot,
        Ok(Err(_)) => {
            return Err(Failure::new(
                ApiErrorCode::Unavailable,
                "the server is shutting down; resume the upload shortly",
            ));
        }
        Err(_) => {
            return Err(Failure::new(
                ApiErrorCode::Unavailable,
                format!(
                    "the server is receiving many uploads at once; send this chunk again in {} s (the offset is unchanged)",
                    CHUNK_SLOT_RETRY.as_secs()
                ),
            )
            .with_header(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from(CHUNK_SLOT_RETRY.as_secs()),
            ));
        }
    };
    let written = blobs::write_chunk(
        state,
        id,
        upload.offset,
        body.into_data_stream(),
        limit,
        checksum.as_ref(),
        state.running.at(id, upload.offset),
    )
    .await;
    let (part, running) = match written {
        Ok(Some(written)) => written,
        // An empty PATCH changes nothing.
        Ok(None) => {
            return Ok((
                StatusCode::NO_CONTENT,
                offset_headers(&upload, upload.offset),
            )
                .into_response());
        }
        Err(ChunkError::TooLong) => return Err(too_long()),
        Err(ChunkError::ChecksumMismatch) => {
            return Err(Failure::new(
                ApiErrorCode::ChecksumMismatch,
                "the chunk does not match its Upload-Checksum; it was discarded and the offset is unchanged: send it again",
            )
            .with_header(UPLOAD_OFFSET.clone(), number(upload.offset)));
        }
        Err(ChunkError::Cut(detail)) => {
            tracing::info!(upload = %id, %detail, "a chunk was cut off; nothing of it was kept");
            return Err(Failure::bad_request(
                "the chunk was cut off before its end; nothing of it was kept: ask with HEAD and resume",
            )
            .with_header(UPLOAD_OFFSET.clone(), number(upload.offset)));
        }
        Err(ChunkError::Store(e)) => return Err(e.into()),
    };
    let now = state.clock.now();
    let end = part.start + part.size;
    if end < upload.length {
        return match state.meta.add_part(institution, id, &part, now).await {
            Ok(Ok(now_at)) => {
                if let Some(hash) = running {
                    state.running.advance(id, end, hash);
                }
                Ok((
                    StatusCode::NO_CONTENT,
                    offset_headers(&now_at, now_at.offset),
                )
                    .into_response())
            }
            Ok(Err(refusal)) => {
                // Lost a race with another PATCH (or a DELETE): this copy is not needed.
                blobs::delete_parts(state, std::slice::from_ref(&part)).await?;
                Err(refused(refusal))
            }
            Err(e) => {
                blobs::delete_parts(state, std::slice::from_ref(&part)).await?;
                Err(e.into())
            }
        };
    }
    finish(state, &upload, part, now, running).await
}

/// The last chunk is stored: checks the whole blob, then records the chunk and the blob in one
/// transaction.
async fn finish(
    state: &AppState,
    upload: &UploadRecord,
    last: crate::meta::uploads::Part,
    now: DateTime<Utc>,
    running: Option<sha2::Sha256>,
) -> ApiResult<Response> {
    let (institution, id) = (upload.institution, upload.id);
    let mut parts = state.meta.upload_parts(institution, id).await?;
    parts.push(last.clone());
    let contiguous = parts
        .iter()
        .try_fold(0u64, |at, p| (p.start == at).then_some(at + p.size))
        == Some(upload.length);
    if !contiguous {
        // Only a PATCH racing this one for the same offset gets here: it won.
        blobs::delete_parts(state, std::slice::from_ref(&last)).await?;
        let now_at = live_upload(state, institution, id).await?;
        return Err(offset_mismatch(now_at.offset));
    }
    // The hash kept as the chunks arrived; read the blob back only when it is not known here
    // (the server restarted, or another instance took the earlier chunks).
    state.running.forget(id);
    let (found, size) = match running {
        Some(hash) => (Sha256(sha2::Digest::finalize(hash).into()), upload.length),
        None => blobs::sha256_of(state, &parts).await?,
    };
    if size != upload.length || found != upload.sha256 {
        tracing::info!(upload = %id, %found, declared = %upload.sha256, "an upload did not hash to its declared sha256");
        if let Some(was) = state.meta.terminate_upload(institution, id).await?
            && was.state == UploadState::Receiving
        {
            blobs::delete_upload_objects(state, id).await?;
            state.meta.forget_upload(id).await?;
        }
        return Err(hash_mismatch(found, upload.sha256));
    }
    let finished = match state
        .meta
        .finish_upload(institution, id, Some(&last), now)
        .await
    {
        Ok(Ok(finished)) => finished,
        Ok(Err(refusal)) => {
            blobs::delete_parts(state, std::slice::from_ref(&last)).await?;
            return Err(refused(refusal));
        }
        Err(e) => {
            blobs::delete_parts(state, std::slice::from_ref(&last)).await?;
            return Err(e.into());
        }
    };
    // Tidy up after answering would be nicer; it is quick on a local disk and keeps the store
    // free of strays. A failure here loses nothing the client was told about.
    let tidy = match &finished.dropped {
        // The institution already held this blob: none of this upload's objects are needed.
        Some(_) => blobs::delete_upload_objects(state, id).await,
        // Objects a crash or a lost race left beside the parts.
        None => blobs::delete_upload_objects_except(state, id, &parts).await,
    };
    if let Err(e) = tidy {
        tracing::warn!(upload = %id, code = ?e.code, "stray upload objects were not deleted");
    }
    tracing::info!(upload = %id, blob = %finished.blob.sha256, size = finished.blob.size, duplicate = finished.dropped.is_some(), "blob held");
    let mut done = upload.clone();
    done.state = UploadState::Complete;
    Ok((StatusCode::NO_CONTENT, offset_headers(&done, upload.length)).into_response())
}

/// Ends an upload (tus termination): an unfinished upload's bytes are deleted; a finished
/// upload is forgotten but its blob stays held (blobs are shared by submissions by hash).
#[utoipa::path(delete, path = "/v1/uploads/{id}", tag = "uploads",
    params(("id" = String, Path, description = "Upload id"),
           ("Tus-Resumable" = String, Header, description = "1.0.0")),
    responses((status = 204, description = "Terminated"),
              (status = 404, description = "`not_found` (also another institution's upload)", body = ApiError)),
    security(("bearer" = [])))]
async fn delete_upload(
    InstitutionCaller(institution): InstitutionCaller,
    State(state): State<AppState>,
    Path(raw): Path<String>,
) -> ApiResult<Response> {
    delete(&state, institution, &raw).await
}

async fn delete(state: &AppState, institution: InstitutionId, raw: &str) -> ApiResult<Response> {
    let id = upload_id(raw)?;
    let was = state
        .meta
        .terminate_upload(institution, id)
        .await?
        .ok_or_else(|| Failure::not_found("upload"))?;
    state.running.forget(id);
    if was.state == UploadState::Receiving {
        // Marked terminated first, so a crash here leaves the rest to the sweep.
        blobs::delete_upload_objects(state, id).await?;
        state.meta.forget_upload(id).await?;
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// PATCH, DELETE or HEAD through a filter that lets only GET and POST pass: POST with
/// `X-HTTP-Method-Override` naming the method (the tus convention).
#[utoipa::path(post, path = "/v1/uploads/{id}", tag = "uploads",
    params(("id" = String, Path, description = "Upload id"),
           ("X-HTTP-Method-Override" = String, Header, description = "PATCH, DELETE or HEAD"),
           ("Tus-Resumable" = String, Header, description = "1.0.0")),
    request_body(content = Vec<u8>, content_type = "application/offset+octet-stream"),
    responses((status = 204, description = "As the overridden method answers"),
              (status = 200, description = "As HEAD answers"),
              (status = 400, description = "`bad_request`: no or another override", body = ApiError)),
    security(("bearer" = [])))]
async fn override_upload(
    InstitutionCaller(institution): InstitutionCaller,
    State(state): State<AppState>,
    Path(raw): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Response> {
    let method = header_text(&headers, &METHOD_OVERRIDE)?.unwrap_or("");
    if method.eq_ignore_ascii_case("PATCH") {
        patch(&state, institution, &raw, &headers, body).await
    } else if method.eq_ignore_ascii_case("DELETE") {
        delete(&state, institution, &raw).await
    } else if method.eq_ignore_ascii_case("HEAD") {
        head(&state, institution, &raw).await
    } else {
        Err(Failure::bad_request(
            "POST to an upload needs X-HTTP-Method-Override: PATCH, DELETE or HEAD",
        ))
    }
}

/// Which of these ciphertext hashes the server already holds, verified, for this institution
/// (at most 20,000): a re-submission uploads only the rest.
#[utoipa::path(post, path = "/v1/blobs/held", tag = "uploads",
    request_body = HeldRequest,
    responses((status = 200, description = "The held subset, each with its size", body = HeldResponse),
              (status = 400, description = "`bad_request`: more than 20,000 hashes, or one malformed", body = ApiError)),
    security(("bearer" = [])))]
async fn held_blobs(
    InstitutionCaller(institution): InstitutionCaller,
    State(state): State<AppState>,
    Json(request): Json<HeldRequest>,
) -> ApiResult<axum::Json<HeldResponse>> {
    if request.sha256.len() > MAX_BLOBS {
        return Err(Failure::bad_request(format!(
            "ask about at most {MAX_BLOBS} hashes at once, not {}",
            request.sha256.len()
        )));
    }
    let held = blobs::held(&state, institution, &request.sha256).await?;
    Ok(axum::Json(HeldResponse { held }))
}
