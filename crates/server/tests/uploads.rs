//! Resumable uploads (tus 1.0) and held blobs, against the real server on loopback, with
//! reqwest as a hand-driven tus client and Python's `tuspy` as a standard one.

#![allow(clippy::unwrap_used, missing_docs)]

mod common;

use std::path::{Path, PathBuf};

use base64::Engine as _;
use futures::TryStreamExt as _;
use reqwest::{Method, Response};
use serde_json::json;
use sha1::Digest as _;
use tokio::io::AsyncWriteExt as _;
use waymark_protocol::Sha256;
use waymark_protocol::api::HeldResponse;
use waymark_protocol::envelope::BlobRef;
use waymark_server::clock::Clock as _;

use common::{School, TestServer};

const OCTETS: &str = "application/offset+octet-stream";

/// Bytes that look random (ciphertext does), reproducibly.
fn bytes(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

fn b64(data: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(data)
}

fn metadata(sha256: &Sha256) -> String {
    format!(
        "filename {},sha256 {}",
        b64(b"x.age"),
        b64(sha256.to_hex().as_bytes())
    )
}

fn sha1_header(data: &[u8]) -> String {
    format!("sha1 {}", b64(&sha1::Sha1::digest(data)))
}

fn sha256_header(data: &[u8]) -> String {
    format!("sha256 {}", b64(&Sha256::of(data).0))
}

fn header(resp: &Response, name: &str) -> Option<String> {
    resp.headers()
        .get(name)
        .map(|v| v.to_str().unwrap().to_owned())
}

fn offset_of(resp: &Response) -> u64 {
    header(resp, "upload-offset")
        .unwrap_or_else(|| panic!("no Upload-Offset in {}", resp.status()))
        .parse()
        .unwrap()
}

async fn error_code(resp: Response) -> String {
    let body: serde_json::Value = resp.json().await.unwrap();
    body["code"].as_str().unwrap().to_owned()
}

/// Everything stored under the blob store's `uploads/` prefix: on the embedded store every
/// file, staging files of unfinished writes included; on S3 every object (an S3 multipart
/// upload that was aborted or never completed is no object).
async fn stored_files(server: &TestServer) -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else {
                out.push(path);
            }
        }
    }
    let mut out = Vec::new();
    if server.shared.is_some() {
        let prefix = object_store::path::Path::from("uploads");
        let listed: Vec<_> = server
            .state
            .blobs
            .list(Some(&prefix))
            .try_collect()
            .await
            .unwrap();
        out.extend(
            listed
                .into_iter()
                .map(|m| PathBuf::from(m.location.as_ref())),
        );
    } else {
        walk(&server.data_dir().join("blobs").join("uploads"), &mut out);
    }
    out.sort();
    out
}

async fn files_of(server: &TestServer, location: &str) -> usize {
    let id = location.rsplit('/').next().unwrap();
    stored_files(server)
        .await
        .iter()
        .filter(|p| p.to_string_lossy().contains(id))
        .count()
}

/// A tus client for one school, by hand.
struct Tus<'a> {
    server: &'a TestServer,
    token: String,
}

impl<'a> Tus<'a> {
    fn new(server: &'a TestServer, school: &School) -> Self {
        Self {
            server,
            token: school.token.clone(),
        }
    }

    fn request(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        self.server
            .http
            .request(method, format!("{}{path}", self.server.url))
            .bearer_auth(&self.token)
            .header("Tus-Resumable", "1.0.0")
    }

    async fn create_raw(&self, length: u64, sha256: &Sha256) -> Response {
        self.request(Method::POST, "/v1/uploads")
            .header("Upload-Length", length.to_string())
            .header("Upload-Metadata", metadata(sha256))
            .send()
            .await
            .unwrap()
    }

    /// Creates an upload for `data`; returns its location.
    async fn create(&self, data: &[u8]) -> String {
        let resp = self.create_raw(data.len() as u64, &Sha256::of(data)).await;
        assert_eq!(resp.status(), 201, "{}", resp.text().await.unwrap());
        assert!(header(&resp, "upload-expires").unwrap().ends_with(" GMT"));
        assert_eq!(header(&resp, "tus-resumable").as_deref(), Some("1.0.0"));
        let location = header(&resp, "location").unwrap();
        assert!(location.starts_with("/v1/uploads/"), "{location}");
        location
    }

    async fn head(&self, location: &str) -> Response {
        self.request(Method::HEAD, location).send().await.unwrap()
    }

    async fn offset(&self, location: &str) -> u64 {
        let resp = self.head(location).await;
        assert_eq!(resp.status(), 200);
        assert_eq!(header(&resp, "cache-control").as_deref(), Some("no-store"));
        offset_of(&resp)
    }

    async fn patch(
        &self,
        location: &str,
        offset: u64,
        chunk: &[u8],
        checksum: Option<String>,
    ) -> Response {
        let mut req = self
            .request(Method::PATCH, location)
            .header("Content-Type", OCTETS)
            .header("Upload-Offset", offset.to_string())
            .body(chunk.to_vec());
        if let Some(checksum) = checksum {
            req = req.header("Upload-Checksum", checksum);
        }
        req.send().await.unwrap()
    }

    /// PATCHes and expects 204; returns the new offset.
    async fn send(&self, location: &str, offset: u64, chunk: &[u8]) -> u64 {
        let resp = self
            .patch(location, offset, chunk, Some(sha1_header(chunk)))
            .await;
        assert_eq!(resp.status(), 204, "{}", resp.text().await.unwrap());
        assert!(
            header(&resp, "upload-expires").is_some() || header(&resp, "upload-length").is_some()
        );
        offset_of(&resp)
    }

    /// Uploads all of `data` in chunks of `chunk` bytes; returns the location.
    async fn upload(&self, data: &[u8], chunk: usize) -> String {
        let location = self.create(data).await;
        let mut offset = 0;
        for piece in data.chunks(chunk) {
            offset = self.send(&location, offset, piece).await;
        }
        assert_eq!(offset, data.len() as u64);
        location
    }

    async fn held(&self, hashes: &[Sha256]) -> Vec<BlobRef> {
        let (status, body) = self
            .server
            .call(
                Method::POST,
                "/v1/blobs/held",
                Some(&self.token),
                Some(json!({ "sha256": hashes })),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        serde_json::from_value::<HeldResponse>(body).unwrap().held
    }
}

fn blob_of(data: &[u8]) -> BlobRef {
    BlobRef {
        sha256: Sha256::of(data),
        size: data.len() as u64,
    }
}

async fn read_back(server: &TestServer, school: &School, sha256: Sha256) -> Vec<u8> {
    let (blob, stream) = waymark_server::blobs::read(&server.state, school.id, sha256)
        .await
        .unwrap();
    let chunks: Vec<bytes::Bytes> = stream.try_collect().await.unwrap();
    let data = chunks.concat();
    assert_eq!(data.len() as u64, blob.size);
    data
}

#[tokio::test]
async fn an_upload_in_chunks_becomes_a_held_blob() {
    let server = TestServer::start().await;
    let school = server.enrol_school("Ysgol Uploads").await;
    let tus = Tus::new(&server, &school);

    // Discovery needs neither a token nor Tus-Resumable.
    let resp = server
        .http
        .request(Method::OPTIONS, format!("{}/v1/uploads", server.url))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 204);
    assert_eq!(header(&resp, "tus-version").as_deref(), Some("1.0.0"));
    let extensions = header(&resp, "tus-extension").unwrap();
    for ext in ["creation", "checksum", "termination", "expiration"] {
        assert!(extensions.split(',').any(|e| e == ext), "{extensions}");
    }
    assert_eq!(
        header(&resp, "tus-checksum-algorithm").as_deref(),
        Some("sha1,sha256")
    );
    assert_eq!(
        header(&resp, "tus-max-size").unwrap(),
        server.state.config.limits.max_blob_bytes.to_string()
    );

    let data = bytes(300_000, 1);
    let location = tus.create(&data).await;
    let resp = tus.head(&location).await;
    assert_eq!(resp.status(), 200);
    assert_eq!(offset_of(&resp), 0);
    assert_eq!(header(&resp, "upload-length").as_deref(), Some("300000"));
    assert_eq!(header(&resp, "cache-control").as_deref(), Some("no-store"));
    assert_eq!(header(&resp, "tus-resumable").as_deref(), Some("1.0.0"));

    // A sha256 checksum, then a sha1 one.
    let resp = tus
        .patch(
            &location,
            0,
            &data[..100_000],
            Some(sha256_header(&data[..100_000])),
        )
        .await;
    assert_eq!(resp.status(), 204);
    assert_eq!(offset_of(&resp), 100_000);
    assert!(header(&resp, "upload-expires").is_some());
    assert!(
        tus.held(&[Sha256::of(&data)]).await.is_empty(),
        "not held until complete"
    );
    assert_eq!(
        tus.send(&location, 100_000, &data[100_000..]).await,
        300_000
    );

    let held = tus.held(&[Sha256::of(&data), Sha256::of(b"other")]).await;
    assert_eq!(held, vec![blob_of(&data)]);
    assert!(
        waymark_server::blobs::holds(&server.state, school.id, &blob_of(&data))
            .await
            .unwrap()
    );
    let wrong_size = BlobRef {
        size: 1,
        ..blob_of(&data)
    };
    assert!(
        !waymark_server::blobs::holds(&server.state, school.id, &wrong_size)
            .await
            .unwrap()
    );
    assert_eq!(read_back(&server, &school, Sha256::of(&data)).await, data);
    // HEAD still answers for a finished upload, and a repeated last PATCH is harmless.
    assert_eq!(tus.offset(&location).await, 300_000);
    assert_eq!(tus.send(&location, 300_000, b"").await, 300_000);
    assert_eq!(
        files_of(&server, &location).await,
        2,
        "one object per chunk"
    );
}

#[tokio::test]
async fn a_cut_chunk_stores_nothing_and_the_upload_resumes_from_head() {
    let server = TestServer::start().await;
    let school = server.enrol_school("Cut Off Academy").await;
    let tus = Tus::new(&server, &school);
    let data = bytes(200_000, 2);
    let location = tus.create(&data).await;
    assert_eq!(tus.send(&location, 0, &data[..50_000]).await, 50_000);

    // The connection drops half way through the next chunk's body.
    let mut stream = tokio::net::TcpStream::connect(server.addr).await.unwrap();
    let head = format!(
        "PATCH {location} HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {}\r\nTus-Resumable: 1.0.0\r\nUpload-Offset: 50000\r\nContent-Type: {OCTETS}\r\nContent-Length: 150000\r\n\r\n",
        server.addr, school.token
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(&data[50_000..120_000]).await.unwrap();
    stream.flush().await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    drop(stream);

    // Nothing of it is kept: the offset stands and no object (nor staging file) is left.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while files_of(&server, &location).await != 1 {
        assert!(
            std::time::Instant::now() < deadline,
            "{:?}",
            stored_files(&server).await
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let offset = tus.offset(&location).await;
    assert_eq!(offset, 50_000);

    // The client resumes from what HEAD said, in two more chunks.
    assert_eq!(
        tus.send(&location, offset, &data[50_000..100_000]).await,
        100_000
    );
    assert_eq!(tus.offset(&location).await, 100_000);
    // A chunk sent from a stale offset is refused with the server's offset.
    let resp = tus.patch(&location, 50_000, &data[50_000..], None).await;
    assert_eq!(resp.status(), 409);
    assert_eq!(offset_of(&resp), 100_000);
    assert_eq!(error_code(resp).await, "offset_mismatch");
    assert_eq!(
        tus.send(&location, 100_000, &data[100_000..]).await,
        200_000
    );
    assert_eq!(tus.held(&[Sha256::of(&data)]).await, vec![blob_of(&data)]);
    assert_eq!(read_back(&server, &school, Sha256::of(&data)).await, data);
}

#[tokio::test]
async fn a_chunk_with_a_wrong_checksum_is_discarded() {
    let server = TestServer::start().await;
    let school = server.enrol_school("Checksum High").await;
    let tus = Tus::new(&server, &school);
    let data = bytes(64_000, 3);
    let location = tus.create(&data).await;
    assert_eq!(tus.send(&location, 0, &data[..10_000]).await, 10_000);

    let resp = tus
        .patch(
            &location,
            10_000,
            &data[10_000..],
            Some(sha1_header(b"something else")),
        )
        .await;
    assert_eq!(resp.status(), 460);
    assert_eq!(offset_of(&resp), 10_000);
    assert_eq!(error_code(resp).await, "checksum_mismatch");
    let resp = tus
        .patch(
            &location,
            10_000,
            &data[10_000..],
            Some(sha256_header(b"x")),
        )
        .await;
    assert_eq!(resp.status(), 460);
    assert_eq!(tus.offset(&location).await, 10_000);
    assert_eq!(
        files_of(&server, &location).await,
        1,
        "the refused chunks left nothing"
    );

    let resp = tus
        .patch(
            &location,
            10_000,
            &data[10_000..],
            Some(format!("md5 {}", b64(&[0; 16]))),
        )
        .await;
    assert_eq!(resp.status(), 400);
    assert_eq!(error_code(resp).await, "checksum_algorithm_unsupported");

    assert_eq!(tus.send(&location, 10_000, &data[10_000..]).await, 64_000);
    assert_eq!(tus.held(&[Sha256::of(&data)]).await, vec![blob_of(&data)]);
}

#[tokio::test]
async fn an_upload_resumes_after_the_server_restarts() {
    let server = TestServer::start().await;
    let school = server.enrol_school("Restart Primary").await;
    let data = bytes(150_000, 4);
    let location = {
        let tus = Tus::new(&server, &school);
        let location = tus.create(&data).await;
        assert_eq!(tus.send(&location, 0, &data[..60_000]).await, 60_000);
        location
    };
    let server = server.restart().await;
    let tus = Tus::new(&server, &school);
    let offset = tus.offset(&location).await;
    assert_eq!(offset, 60_000);
    assert_eq!(tus.send(&location, offset, &data[60_000..]).await, 150_000);
    assert_eq!(tus.held(&[Sha256::of(&data)]).await, vec![blob_of(&data)]);
    assert_eq!(read_back(&server, &school, Sha256::of(&data)).await, data);
}

#[tokio::test]
async fn bytes_that_do_not_hash_to_the_declared_sha256_are_refused() {
    let server = TestServer::start().await;
    let school = server.enrol_school("Mismatch College").await;
    let tus = Tus::new(&server, &school);
    let data = bytes(40_000, 5);
    let claimed = Sha256::of(b"not these bytes");
    let resp = tus.create_raw(data.len() as u64, &claimed).await;
    assert_eq!(resp.status(), 201);
    let location = header(&resp, "location").unwrap();
    assert_eq!(tus.send(&location, 0, &data[..20_000]).await, 20_000);
    // Every chunk matches its own checksum; only the whole is wrong.
    let resp = tus
        .patch(
            &location,
            20_000,
            &data[20_000..],
            Some(sha1_header(&data[20_000..])),
        )
        .await;
    assert_eq!(resp.status(), 422);
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["code"], "blob_hash_mismatch");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains(&Sha256::of(&data).to_hex()),
        "{body}"
    );
    assert!(tus.held(&[claimed, Sha256::of(&data)]).await.is_empty());
    assert_eq!(
        tus.head(&location).await.status(),
        404,
        "the upload was discarded"
    );
    assert_eq!(
        files_of(&server, &location).await,
        0,
        "and its bytes deleted"
    );

    // An empty blob declared with another hash is refused at once; with the right one it is
    // held at once.
    let resp = tus.create_raw(0, &claimed).await;
    assert_eq!(resp.status(), 422);
    let resp = tus.create_raw(0, &Sha256::of(b"")).await;
    assert_eq!(resp.status(), 201);
    assert_eq!(tus.held(&[Sha256::of(b"")]).await, vec![blob_of(b"")]);
}

#[tokio::test]
async fn another_institutions_upload_and_blobs_do_not_exist_for_a_school() {
    let server = TestServer::start().await;
    let a = server.enrol_school("School A").await;
    let b = server.enrol_school("School B").await;
    let tus_a = Tus::new(&server, &a);
    let tus_b = Tus::new(&server, &b);

    let held = bytes(30_000, 6);
    tus_a.upload(&held, 30_000).await;
    let data = bytes(30_000, 7);
    let location = tus_a.create(&data).await;
    assert_eq!(tus_a.send(&location, 0, &data[..10_000]).await, 10_000);

    let resp = tus_b.head(&location).await;
    assert_eq!(resp.status(), 404);
    let resp = tus_b.patch(&location, 10_000, &data[10_000..], None).await;
    assert_eq!(resp.status(), 404);
    assert_eq!(error_code(resp).await, "not_found");
    let resp = tus_b
        .request(Method::DELETE, &location)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 404);
    let resp = tus_b
        .request(Method::POST, &location)
        .header("X-HTTP-Method-Override", "DELETE")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 404);
    // Neither does a made-up id, nor something that is not an id at all.
    let made_up = format!("/v1/uploads/{}", uuid::Uuid::now_v7());
    assert_eq!(tus_a.head(&made_up).await.status(), 404);
    assert_eq!(tus_a.head("/v1/uploads/..%2Fetc").await.status(), 404);

    // B does not see A's blob, A does.
    assert!(tus_b.held(&[Sha256::of(&held)]).await.is_empty());
    assert!(
        waymark_server::blobs::read(&server.state, b.id, Sha256::of(&held))
            .await
            .is_err()
    );
    assert_eq!(tus_a.held(&[Sha256::of(&held)]).await, vec![blob_of(&held)]);
    // A's upload was untouched.
    assert_eq!(tus_a.offset(&location).await, 10_000);
    assert_eq!(tus_a.send(&location, 10_000, &data[10_000..]).await, 30_000);
    assert!(tus_b.held(&[Sha256::of(&data)]).await.is_empty());

    // An assessor's token is not an institution's.
    let assessor = server.enrol_assessor("A. Assessor").await;
    let resp = server
        .http
        .head(format!("{}{location}", server.url))
        .bearer_auth(&assessor.token)
        .header("Tus-Resumable", "1.0.0")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 403);
}

#[tokio::test]
async fn too_large_blobs_chunks_and_the_quota_are_refused() {
    let server = TestServer::start_with(|c| {
        c.limits.max_blob_bytes = 1_000;
        c.limits.max_institution_bytes = 2_500;
        c.limits.max_chunk_bytes = 600;
    })
    .await;
    let school = server.enrol_school("Quota School").await;
    let tus = Tus::new(&server, &school);

    let resp = tus.create_raw(1_001, &Sha256::of(b"x")).await;
    assert_eq!(resp.status(), 413);
    assert_eq!(header(&resp, "tus-max-size").as_deref(), Some("1000"));
    assert_eq!(error_code(resp).await, "too_large");

    let first = bytes(1_000, 8);
    tus.upload(&first, 600).await;
    let second = bytes(1_000, 9);
    let location = tus.create(&second).await;
    // 2,000 of 2,500 bytes are taken (a held blob and an unfinished upload).
    let resp = tus.create_raw(600, &Sha256::of(b"y")).await;
    assert_eq!(resp.status(), 413);
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["code"], "too_large");
    let message = body["message"].as_str().unwrap();
    assert!(
        message.contains("quota") && message.contains("2500"),
        "{message}"
    );
    assert_eq!(tus.create_raw(500, &Sha256::of(b"y")).await.status(), 201);

    // A chunk longer than one chunk may be, by Content-Length or by streaming past it.
    let resp = tus.patch(&location, 0, &second[..700], None).await;
    assert_eq!(resp.status(), 413);
    let chunked = futures::stream::iter(
        second[..700]
            .chunks(100)
            .map(|c| Ok::<_, std::io::Error>(c.to_vec()))
            .collect::<Vec<_>>(),
    );
    let resp = tus
        .request(Method::PATCH, &location)
        .header("Content-Type", OCTETS)
        .header("Upload-Offset", "0")
        .body(reqwest::Body::wrap_stream(chunked))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 413);
    assert_eq!(tus.offset(&location).await, 0);
    assert_eq!(files_of(&server, &location).await, 0);

    // More bytes than remain.
    assert_eq!(tus.send(&location, 0, &second[..600]).await, 600);
    let resp = tus.patch(&location, 600, &bytes(500, 10), None).await;
    assert_eq!(resp.status(), 413);
    assert_eq!(tus.send(&location, 600, &second[600..]).await, 1_000);
}

#[tokio::test]
async fn tus_requests_are_checked_before_anything_else() {
    let server = TestServer::start().await;
    let school = server.enrol_school("Strict Tus").await;
    let tus = Tus::new(&server, &school);
    let data = bytes(1_000, 11);
    let location = tus.create(&data).await;

    // No Tus-Resumable (or another version): 412 with the version spoken.
    for version in [None, Some("0.2.2")] {
        let mut req = server
            .http
            .head(format!("{}{location}", server.url))
            .bearer_auth(&school.token);
        if let Some(v) = version {
            req = req.header("Tus-Resumable", v);
        }
        let resp = req.send().await.unwrap();
        assert_eq!(resp.status(), 412);
        assert_eq!(header(&resp, "tus-version").as_deref(), Some("1.0.0"));
        assert_eq!(header(&resp, "tus-resumable").as_deref(), Some("1.0.0"));
    }
    // No token.
    let resp = server
        .http
        .head(format!("{}{location}", server.url))
        .header("Tus-Resumable", "1.0.0")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);

    // PATCH without the tus content type.
    let resp = tus
        .request(Method::PATCH, &location)
        .header("Upload-Offset", "0")
        .body(data.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 415);
    assert_eq!(error_code(resp).await, "unsupported_media_type");
    let resp = tus
        .request(Method::PATCH, &location)
        .header("Content-Type", "application/octet-stream")
        .header("Upload-Offset", "0")
        .body(data.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 415);
    // PATCH without Upload-Offset.
    let resp = tus
        .request(Method::PATCH, &location)
        .header("Content-Type", OCTETS)
        .body(data.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    assert_eq!(tus.offset(&location).await, 0);

    // Creation: a deferred length, no length, no sha256, a sha256 that is not one.
    let resp = tus
        .request(Method::POST, "/v1/uploads")
        .header("Upload-Defer-Length", "1")
        .header("Upload-Metadata", metadata(&Sha256::of(&data)))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    let body: serde_json::Value = resp.json().await.unwrap();
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("Upload-Defer-Length")
    );
    let resp = tus
        .request(Method::POST, "/v1/uploads")
        .header("Upload-Metadata", metadata(&Sha256::of(&data)))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    for meta in [
        "",
        "filename eC5hZ2U=",
        "sha256",
        "sha256 bm90LWEtaGFzaA==",
        "sha256 !!",
    ] {
        let resp = tus
            .request(Method::POST, "/v1/uploads")
            .header("Upload-Length", "10")
            .header("Upload-Metadata", meta)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 400, "metadata `{meta}`");
        let body: serde_json::Value = resp.json().await.unwrap();
        assert!(
            body["message"].as_str().unwrap().contains("sha256"),
            "{body}"
        );
    }

    // held: at most 20,000 hashes.
    let many: Vec<String> = (0..20_001u32)
        .map(|i| Sha256::of(&i.to_le_bytes()).to_hex())
        .collect();
    let (status, body) = server
        .call(
            Method::POST,
            "/v1/blobs/held",
            Some(&school.token),
            Some(json!({ "sha256": many })),
        )
        .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["code"], "bad_request");
}

#[tokio::test]
async fn post_with_a_method_override_does_patch_head_and_delete() {
    let server = TestServer::start().await;
    let school = server.enrol_school("Filtered Network School").await;
    let tus = Tus::new(&server, &school);
    let data = bytes(20_000, 12);
    let location = tus.create(&data).await;
    let over = |method: &'static str| {
        tus.request(Method::POST, &location)
            .header("X-HTTP-Method-Override", method)
    };

    let resp = over("PATCH")
        .header("Content-Type", OCTETS)
        .header("Upload-Offset", "0")
        .header("Upload-Checksum", sha1_header(&data[..8_000]))
        .body(data[..8_000].to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 204);
    assert_eq!(offset_of(&resp), 8_000);
    let resp = over("HEAD").send().await.unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(offset_of(&resp), 8_000);
    let resp = tus.request(Method::POST, &location).send().await.unwrap();
    assert_eq!(resp.status(), 400, "POST without an override");

    let resp = over("DELETE").send().await.unwrap();
    assert_eq!(resp.status(), 204);
    assert_eq!(tus.head(&location).await.status(), 404);
    assert_eq!(files_of(&server, &location).await, 0);

    // Plain DELETE too.
    let location = tus.create(&data).await;
    assert_eq!(tus.send(&location, 0, &data[..5_000]).await, 5_000);
    let resp = tus.request(Method::DELETE, &location).send().await.unwrap();
    assert_eq!(resp.status(), 204);
    assert_eq!(tus.head(&location).await.status(), 404);
    let resp = tus.request(Method::DELETE, &location).send().await.unwrap();
    assert_eq!(resp.status(), 404);
    assert!(
        stored_files(&server).await.is_empty(),
        "{:?}",
        stored_files(&server).await
    );
}

#[tokio::test]
async fn expired_uploads_answer_410_and_the_sweep_deletes_their_parts() {
    let server = TestServer::start().await;
    let school = server.enrol_school("Slow Uploads School").await;
    let tus = Tus::new(&server, &school);
    let kept = bytes(9_000, 13);
    let done = tus.upload(&kept, 4_000).await;
    let data = bytes(10_000, 14);
    let location = tus.create(&data).await;
    assert_eq!(tus.send(&location, 0, &data[..4_000]).await, 4_000);
    assert_eq!(files_of(&server, &location).await, 1);

    // Nothing is due yet.
    assert_eq!(
        waymark_server::blobs::sweep_expired(&server.state)
            .await
            .unwrap(),
        0
    );
    let hours = i64::from(server.state.config.limits.upload_expiry_hours);
    server
        .clock
        .advance(chrono::Duration::hours(hours) + chrono::Duration::minutes(1));

    assert_eq!(tus.head(&location).await.status(), 410);
    let resp = tus.patch(&location, 4_000, &data[4_000..], None).await;
    assert_eq!(resp.status(), 410);
    assert_eq!(error_code(resp).await, "upload_expired");

    // The unfinished upload and the finished upload's record go; the held blob stays.
    let swept = waymark_server::blobs::sweep_expired(&server.state)
        .await
        .unwrap();
    assert_eq!(swept, 2);
    assert_eq!(
        files_of(&server, &location).await,
        0,
        "{:?}",
        stored_files(&server).await
    );
    assert_eq!(tus.head(&location).await.status(), 404);
    assert_eq!(tus.head(&done).await.status(), 404);
    assert_eq!(files_of(&server, &done).await, 3);
    assert_eq!(tus.held(&[Sha256::of(&kept)]).await, vec![blob_of(&kept)]);
    assert_eq!(read_back(&server, &school, Sha256::of(&kept)).await, kept);
    assert_eq!(
        waymark_server::blobs::sweep_expired(&server.state)
            .await
            .unwrap(),
        0
    );
    // Expired uploads no longer count against the quota.
    let used = server
        .state
        .meta
        .storage_used(school.id, server.clock.now())
        .await
        .unwrap();
    assert_eq!(used, 9_000);
}

#[tokio::test]
async fn the_same_blob_uploaded_twice_is_stored_once() {
    let server = TestServer::start().await;
    let school = server.enrol_school("Twice Sent School").await;
    let tus = Tus::new(&server, &school);
    let data = bytes(50_000, 15);
    let first = tus.upload(&data, 20_000).await;
    let second = tus.upload(&data, 30_000).await;
    assert_eq!(
        tus.held(&[Sha256::of(&data), Sha256::of(&data)]).await,
        vec![blob_of(&data)]
    );
    assert_eq!(files_of(&server, &first).await, 3);
    assert_eq!(
        files_of(&server, &second).await,
        0,
        "the second copy was dropped"
    );
    assert_eq!(stored_files(&server).await.len(), 3);
    assert_eq!(read_back(&server, &school, Sha256::of(&data)).await, data);
    let used = server
        .state
        .meta
        .storage_used(school.id, server.clock.now())
        .await
        .unwrap();
    assert_eq!(used, 50_000);
}

/// Python's tuspy, a standard tus client: it never sends OPTIONS, always sends
/// Upload-Metadata, checksums with sha1 and needs Upload-Offset in every PATCH answer.
#[tokio::test]
async fn tuspy_uploads_and_resumes_a_file() {
    let server = TestServer::start().await;
    let school = server.enrol_school("Standard Client School").await;
    let tus = Tus::new(&server, &school);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("evidence.age");
    let data = bytes(250_000, 16);
    std::fs::write(&file, &data).unwrap();

    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/tus_client.py");
    let args = vec![
        script.to_owned(),
        format!("{}/v1/uploads", server.url),
        school.token.clone(),
        file.display().to_string(),
        Sha256::of(&data).to_hex(),
        "64000".to_owned(),
        "128000".to_owned(),
    ];
    let output = tokio::task::spawn_blocking(move || {
        std::process::Command::new("python3").args(&args).output()
    })
    .await
    .unwrap()
    .expect("python3 runs (scripts/setup.sh installs tuspy)");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "tuspy failed (scripts/setup.sh installs it):\n{stdout}\n{stderr}"
    );
    assert!(stdout.contains("stopped at 128000"), "{stdout}");
    assert!(stdout.contains("resumed at 128000"), "{stdout}");
    assert_eq!(tus.held(&[Sha256::of(&data)]).await, vec![blob_of(&data)]);
    assert_eq!(read_back(&server, &school, Sha256::of(&data)).await, data);
}

#[tokio::test]
async fn the_sweep_finishes_a_termination_a_crash_cut_off() {
    let server = TestServer::start().await;
    let school = server.enrol_school("Crashed Delete School").await;
    let tus = Tus::new(&server, &school);
    let data = bytes(8_000, 17);
    let location = tus.create(&data).await;
    assert_eq!(tus.send(&location, 0, &data[..3_000]).await, 3_000);
    // The DELETE marked the upload, then the server died before deleting its bytes.
    let id: uuid::Uuid = location.rsplit('/').next().unwrap().parse().unwrap();
    let was = server
        .state
        .meta
        .terminate_upload(school.id, id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(was.offset, 3_000);
    assert_eq!(
        tus.head(&location).await.status(),
        404,
        "it answers as gone at once"
    );
    assert_eq!(files_of(&server, &location).await, 1);
    let server = server.restart().await;
    assert_eq!(
        waymark_server::blobs::sweep_expired(&server.state)
            .await
            .unwrap(),
        1
    );
    assert_eq!(files_of(&server, &location).await, 0);
    let used = server
        .state
        .meta
        .storage_used(school.id, server.clock.now())
        .await
        .unwrap();
    assert_eq!(used, 0);
}

/// A chunk that finds every slot taken waits `limits.chunk_wait_seconds`, then is told to come
/// back (503 `unavailable`, `Retry-After`) instead of stalling until the client's connection
/// times out; nothing of it is kept, and it goes through once a slot is free.
#[tokio::test]
async fn a_chunk_that_finds_no_slot_is_told_to_come_back_not_left_stalled() {
    let server = TestServer::start_with(|c| {
        c.limits.concurrent_chunks = 1;
        c.limits.chunk_wait_seconds = 1;
    })
    .await;
    let school = server.enrol_school("Ysgol Brysur").await;
    let tus = Tus::new(&server, &school);
    let first = vec![1u8; 200_000];
    let second = vec![2u8; 1000];
    let first_at = tus.create(&first).await;
    let second_at = tus.create(&second).await;

    // The one slot, held by a PATCH whose body is still arriving.
    let mut stream = tokio::net::TcpStream::connect(server.addr).await.unwrap();
    let head = format!(
        "PATCH {first_at} HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {}\r\nTus-Resumable: 1.0.0\r\nUpload-Offset: 0\r\nContent-Type: {OCTETS}\r\nContent-Length: {}\r\n\r\n",
        server.addr,
        school.token,
        first.len()
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(&first[..10_000]).await.unwrap();
    stream.flush().await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;

    let started = std::time::Instant::now();
    let refused = tus.patch(&second_at, 0, &second, None).await;
    assert_eq!(refused.status(), 503);
    assert!(started.elapsed() >= std::time::Duration::from_millis(900));
    assert_eq!(header(&refused, "retry-after").as_deref(), Some("2"));
    assert_eq!(error_code(refused).await, "unavailable");
    assert_eq!(tus.offset(&second_at).await, 0, "nothing of it was kept");

    // The stalled one goes away; the slot is free again.
    drop(stream);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let resp = tus.patch(&second_at, 0, &second, None).await;
        if resp.status() == 204 {
            break;
        }
        assert_eq!(resp.status(), 503);
        assert!(
            std::time::Instant::now() < deadline,
            "the slot never came free"
        );
    }
    assert_eq!(tus.offset(&second_at).await, 1000);
    assert_eq!(tus.offset(&first_at).await, 0);
}
