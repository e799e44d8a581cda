//! A tus 1.0 client for one sealed blob: create the upload (its `Location` is recorded before
//! a byte is sent, so a killed process resumes the same upload), ask where it stands with
//! HEAD, and send chunks with PATCH, each with a SHA-256 `Upload-Checksum` so the endpoint
//! verifies a chunk before it acknowledges it. A connection cut mid-chunk costs at most that
//! chunk: the next attempt asks for the acknowledged offset and goes on from there.
//!
//! School filters often block PATCH; when a PATCH is answered 405 or 501 the rest of the
//! upload goes as POST with `X-HTTP-Method-Override: PATCH`, which the endpoint honours.

use std::io::SeekFrom;
use std::path::Path;
use std::time::Duration;

use base64::Engine as _;
use reqwest::Method;
use reqwest::header::HeaderMap;
use sha2::Digest as _;
use std::io::{Read as _, Seek as _};
use waymark_net::{Client, ClientError};
use waymark_protocol::{ApiErrorCode, Sha256};

use crate::error::{Result, SyncError};

/// How much is sent per PATCH by default: large enough that per-request costs are small next
/// to the bytes, small enough that a cut re-sends little and memory stays bounded.
pub const DEFAULT_CHUNK: u64 = 16 * 1024 * 1024;

/// The smallest chunk a cut network is given.
pub const MIN_CHUNK: u64 = 256 * 1024;

/// Chunks that must go through in a row before the chunk size doubles back.
const GROW_AFTER: u32 = 4;

/// Consecutive failures of one upload retried in place (with a short pause) before the
/// upload gives up and the outbox's own backoff takes over.
pub const IN_PLACE_RETRIES: u32 = 12;

/// What to upload and where it stands.
#[derive(Clone, Debug)]
pub struct Upload<'a> {
    /// The ciphertext's hash (declared at creation, checked by the endpoint at the end).
    pub sha256: Sha256,
    /// Its length.
    pub size: u64,
    /// The file.
    pub path: &'a Path,
    /// The upload's path on the endpoint, if one was created before.
    pub url: Option<String>,
    /// Bytes per PATCH.
    pub chunk: u64,
}

/// Reports from an upload as it goes.
pub trait Progress: Send + Sync {
    /// A new upload was created at `url` (its path on the endpoint): record it durably before
    /// bytes are sent.
    fn created(&self, url: &str) -> Result<()>;
    /// `bytes` were put on the wire in a PATCH (acknowledged or not).
    fn sent(&self, bytes: u64);
    /// The endpoint acknowledged everything up to `offset`.
    fn acknowledged(&self, offset: u64);
}

const TUS: (&str, &str) = ("Tus-Resumable", "1.0.0");

fn header_u64(headers: &HeaderMap, name: &str) -> Option<u64> {
    headers.get(name)?.to_str().ok()?.trim().parse().ok()
}

fn decode(client: &Client, what: &str) -> SyncError {
    SyncError::Client(ClientError::Decode {
        endpoint: client.endpoint().to_owned(),
        detail: what.to_owned(),
    })
}

/// Creates the upload; returns its path on the endpoint. The path, not a full URL, is what
/// is kept: a resumed upload then goes to the endpoint as enrolled now, and the token is never
/// sent to a host the endpoint named.
async fn create(client: &Client, up: &Upload<'_>) -> Result<String> {
    let metadata = format!(
        "sha256 {}",
        base64::engine::general_purpose::STANDARD.encode(up.sha256.to_hex())
    );
    let response = client
        .send(
            client
                .request(Method::POST, "/v1/uploads")
                .header(TUS.0, TUS.1)
                .header("Upload-Length", up.size)
                .header("Upload-Metadata", metadata)
                .timeout(waymark_net::client::REQUEST_TIMEOUT),
        )
        .await?;
    let location = response
        .headers()
        .get("Location")
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| decode(client, "the upload was created without a Location"))?;
    upload_path(client.endpoint(), location).ok_or_else(|| {
        decode(
            client,
            &format!("the upload's Location `{location}` is not on the endpoint"),
        )
    })
}

/// The path of an upload `location` on `endpoint` (a path, or a full URL on the same origin);
/// None for anything else.
pub fn upload_path(endpoint: &str, location: &str) -> Option<String> {
    let path = if location.starts_with('/') {
        location
    } else {
        location.strip_prefix(endpoint.trim_end_matches('/'))?
    };
    (path.starts_with("/v1/uploads/") && !path.contains("..")).then(|| path.to_owned())
}

/// Retries `attempt` in place while it fails with a glitch ([`SyncError::is_glitch`]: a
/// connection a proxy closed, a cut), with the short growing pause, at most
/// [`IN_PLACE_RETRIES`] times.
pub(crate) async fn in_place<T, F, Fut>(mut attempt: F) -> Result<T>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T>>,
{
    let mut failures = 0;
    loop {
        match attempt().await {
            Ok(v) => return Ok(v),
            Err(e) if e.is_glitch() && failures < IN_PLACE_RETRIES => {
                failures += 1;
                tracing::debug!(%e, failures, "retrying in place");
                tokio::time::sleep(pause(failures)).await;
            }
            Err(e) => return Err(e),
        }
    }
}

/// The acknowledged offset, or None when the upload is gone (expired or unknown).
async fn head(client: &Client, url: &str) -> Result<Option<u64>> {
    let result = client
        .send(
            client
                .request(Method::HEAD, url)
                .header(TUS.0, TUS.1)
                .timeout(waymark_net::client::REQUEST_TIMEOUT),
        )
        .await;
    match result {
        Ok(response) => header_u64(response.headers(), "Upload-Offset")
            .map(Some)
            .ok_or_else(|| decode(client, "HEAD answered without Upload-Offset")),
        Err(ClientError::Api {
            status: 404 | 410, ..
        }) => Ok(None),
        // HEAD answers carry no body, so the endpoint's code is not there to read.
        Err(ClientError::Status {
            status: 404 | 410, ..
        }) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// A chunk read and hashed, ready to send.
struct Prepared {
    offset: u64,
    bytes: Vec<u8>,
    checksum: String,
}

/// Reads `len` bytes at `offset` and hashes them, on the blocking pool (hashing 16 MiB takes
/// ~13 ms: not on the runtime's threads).
fn prepare(path: &Path, offset: u64, len: u64) -> tokio::task::JoinHandle<Result<Prepared>> {
    let path = path.to_owned();
    tokio::task::spawn_blocking(move || {
        let io = |e| SyncError::io("reading a sealed blob", &path, e);
        let mut file = std::fs::File::open(&path).map_err(io)?;
        file.seek(SeekFrom::Start(offset)).map_err(io)?;
        let len =
            usize::try_from(len).map_err(|_| SyncError::Internal("chunk too large".into()))?;
        let mut bytes = vec![0u8; len];
        file.read_exact(&mut bytes).map_err(io)?;
        let checksum = format!(
            "sha256 {}",
            base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(&bytes))
        );
        Ok(Prepared {
            offset,
            bytes,
            checksum,
        })
    })
}

async fn joined(handle: tokio::task::JoinHandle<Result<Prepared>>) -> Result<Prepared> {
    handle
        .await
        .map_err(|e| SyncError::Internal(format!("reading a chunk failed: {e}")))?
}

/// Sends one chunk; returns the new offset.
async fn patch(
    client: &Client,
    url: &str,
    chunk: Prepared,
    overridden: bool,
) -> Result<u64, ClientError> {
    let req = if overridden {
        client
            .request(Method::POST, url)
            .header("X-HTTP-Method-Override", "PATCH")
    } else {
        client.request(Method::PATCH, url)
    };
    let response = client
        .send(
            req.header(TUS.0, TUS.1)
                .header("Upload-Offset", chunk.offset)
                .header("Content-Type", "application/offset+octet-stream")
                .header("Upload-Checksum", chunk.checksum)
                .body(chunk.bytes),
        )
        .await?;
    header_u64(response.headers(), "Upload-Offset").ok_or_else(|| ClientError::Decode {
        endpoint: client.endpoint().to_owned(),
        detail: "PATCH answered without Upload-Offset".into(),
    })
}

/// Uploads the blob, resuming `up.url` when it is still there. Returns when the endpoint has
/// acknowledged every byte (and so holds the blob, its hash checked).
pub async fn upload(client: &Client, up: &Upload<'_>, progress: &dyn Progress) -> Result<()> {
    // An upload recorded on another origin (the endpoint moved, or an older record) is not
    // resumed: a new one is created on the endpoint as enrolled now.
    let mut url = up
        .url
        .as_deref()
        .and_then(|u| upload_path(client.endpoint(), u));
    let mut offset = 0;
    if let Some(u) = &url {
        match in_place(|| head(client, u)).await? {
            Some(o) => offset = o,
            None => url = None,
        }
    }
    let url = match url {
        Some(u) => u,
        None => {
            let u = in_place(|| create(client, up)).await?;
            progress.created(&u)?;
            offset = 0;
            u
        }
    };
    progress.acknowledged(offset);
    let mut overridden = false;
    let mut failures = 0u32;
    // A network that cuts long requests gets shorter ones: the chunk halves after a cut (not
    // below MIN_CHUNK) and doubles back after a few that went through.
    let mut chunk_size = up.chunk.max(1);
    let floor = MIN_CHUNK.min(chunk_size);
    let mut streak = 0u32;
    // The next chunk is read and hashed while the current one is on the wire.
    let mut ahead: Option<tokio::task::JoinHandle<Result<Prepared>>> = None;
    while offset < up.size {
        let len = chunk_size.min(up.size - offset);
        let chunk = match ahead.take() {
            Some(handle) => match joined(handle).await? {
                ready if ready.offset == offset && ready.bytes.len() as u64 == len => ready,
                // Read for an offset the endpoint did not acknowledge (after a cut).
                _ => joined(prepare(up.path, offset, len)).await?,
            },
            None => joined(prepare(up.path, offset, len)).await?,
        };
        let next = offset + len;
        if next < up.size {
            ahead = Some(prepare(up.path, next, chunk_size.min(up.size - next)));
        }
        progress.sent(len);
        match patch(client, &url, chunk, overridden).await {
            Ok(next) => {
                if next <= offset || next > up.size {
                    return Err(decode(
                        client,
                        &format!("PATCH at {offset} answered offset {next}"),
                    ));
                }
                offset = next;
                failures = 0;
                streak += 1;
                if streak >= GROW_AFTER && chunk_size < up.chunk {
                    chunk_size = chunk_size.saturating_mul(2).min(up.chunk);
                    streak = 0;
                }
                progress.acknowledged(offset);
            }
            Err(
                ClientError::Api {
                    status: 405 | 501, ..
                }
                | ClientError::Status {
                    status: 405 | 501, ..
                },
            ) if !overridden => {
                overridden = true;
            }
            Err(e) => {
                let again = SyncError::Client(e);
                let retry_in_place = again.is_glitch()
                    || matches!(
                        &again,
                        SyncError::Client(ClientError::Api {
                            code: ApiErrorCode::OffsetMismatch | ApiErrorCode::ChecksumMismatch,
                            ..
                        })
                    );
                failures += 1;
                streak = 0;
                if again.is_glitch() {
                    chunk_size = (chunk_size / 2).max(floor);
                }
                if !retry_in_place || failures > IN_PLACE_RETRIES {
                    return Err(again);
                }
                tracing::debug!(%again, failures, chunk_size, "upload interrupted; asking where it stands");
                // Ask at once; wait longer only while the endpoint cannot be reached at all.
                tokio::time::sleep(pause(0)).await;
                match head(client, &url).await {
                    Ok(Some(o)) => offset = o,
                    Ok(None) => return Err(again),
                    Err(e) if e.is_glitch() => {
                        tokio::time::sleep(pause(failures)).await;
                        continue;
                    }
                    Err(e) => return Err(e),
                }
            }
        }
    }
    Ok(())
}

/// A short pause that grows with consecutive failures (50 ms … ~3 s).
fn pause(failures: u32) -> Duration {
    Duration::from_millis(50u64 << failures.min(6))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_upload_is_kept_as_a_path_on_the_endpoint_and_another_host_is_refused() {
        let e = "https://awards.example.org";
        let id = "/v1/uploads/0190aa4b-0000-7000-8000-000000000001";
        assert_eq!(upload_path(e, id).as_deref(), Some(id));
        assert_eq!(upload_path(e, &format!("{e}{id}")).as_deref(), Some(id));
        assert_eq!(upload_path(e, &format!("https://evil.example{id}")), None);
        assert_eq!(
            upload_path(e, "https://awards.example.org.evil.example/v1/uploads/x"),
            None
        );
        assert_eq!(upload_path(e, "/v1/submissions"), None);
        assert_eq!(upload_path(e, "/v1/uploads/../admin"), None);
    }
}
