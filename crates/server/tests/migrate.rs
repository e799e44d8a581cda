//! `migrate-storage`: an embedded endpoint with institutions, tokens, a submission under review,
//! its events and an unfinished upload moves onto a real PostgreSQL and a real S3-compatible
//! server, and carries on there as if nothing happened: the same tokens work, the school sees
//! the same status and history, the upload resumes where it stopped, and new events come after
//! the old ones.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use std::sync::Arc;

use waymark_server::config::{BlobBackend, Config, MetadataBackend};
use waymark_server::migrate::{MigrateError, migrate_storage};

use common::flow::{assign, evidence_request, school_events, school_status, step, submit};
use common::{SharedStores, Storage, TestServer};

const KIB: usize = 1024;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_embedded_endpoint_moves_onto_postgres_and_s3_and_carries_on() {
    let server = TestServer::start_on(Storage::Embedded).await;
    let school = server.enrol_school("Ysgol Symud").await;
    let assessor = server.enrol_assessor("Ann Assessor").await;
    let moderator = server.enrol_assessor("Mo Moderator").await;
    let sub = submit(&server, &school).await;
    assert_eq!(assign(&server, sub.id, &assessor, &moderator).await.0, 200);
    let (status, body) = step(
        &server,
        &assessor,
        sub.id,
        "request-evidence",
        evidence_request(),
    )
    .await;
    assert_eq!(status, 200, "{body}");

    // An upload left half-way: 300 KiB of 700.
    let data: Vec<u8> = (0..700 * KIB).map(|i| (i % 251) as u8).collect();
    let location = common::flow::create_upload(&server, &school, &data).await;
    let patch = |server: &TestServer, offset: usize, bytes: &[u8]| {
        server
            .http
            .patch(format!("{}{location}", server.url))
            .bearer_auth(&school.token)
            .header("Tus-Resumable", "1.0.0")
            .header("Upload-Offset", offset.to_string())
            .header("Content-Type", "application/offset+octet-stream")
            .body(bytes.to_vec())
            .send()
    };
    assert_eq!(
        patch(&server, 0, &data[..300 * KIB])
            .await
            .unwrap()
            .status(),
        204
    );

    let before_status = school_status(&server, &school, sub.id).await;
    let before_events = school_events(&server, &school, sub.id).await;

    // The operator names the new stores in server.toml, then migrates.
    let shared = Arc::new(SharedStores::new());
    let mut config = Config::load_with_env(&server.data_dir(), |_| None).unwrap();
    let named: Config = toml::from_str(&shared.storage_toml()).unwrap();
    config.storage = named.storage;
    assert_eq!(config.storage.metadata, MetadataBackend::Postgres);
    assert_eq!(config.storage.blobs, BlobBackend::S3);
    let mut stopped = server;
    stopped.stop().await;
    let copied = migrate_storage(&stopped.data_dir(), &config).await.unwrap();
    let rows = |table: &str| {
        copied
            .rows
            .iter()
            .find(|(t, _)| *t == table)
            .map(|(_, n)| *n)
            .unwrap()
    };
    assert_eq!(rows("institutions"), 1);
    assert_eq!(rows("assessors"), 2);
    assert_eq!(rows("submissions"), 1);
    assert_eq!(rows("events"), before_events.len() as u64);
    assert_eq!(rows("upload_parts"), 1, "the unfinished upload's chunk");
    assert!(rows("blob_parts") >= 1, "the manifest's part");
    assert!(copied.objects_copied >= 2, "{copied:?}");

    // A second run refuses: the database is no longer empty.
    let again = migrate_storage(&stopped.data_dir(), &config).await;
    assert!(
        matches!(again, Err(MigrateError::TargetNotEmpty { .. })),
        "{again:?}"
    );

    // Served from the new stores (the files stay, unused).
    let server = stopped.restart_on(config, Some(shared)).await;
    assert_eq!(school_status(&server, &school, sub.id).await, before_status);
    assert_eq!(school_events(&server, &school, sub.id).await, before_events);
    let head = server
        .http
        .head(format!("{}{location}", server.url))
        .bearer_auth(&school.token)
        .header("Tus-Resumable", "1.0.0")
        .send()
        .await
        .unwrap();
    assert_eq!(head.headers()["upload-offset"], (300 * KIB).to_string());
    let done = patch(&server, 300 * KIB, &data[300 * KIB..]).await.unwrap();
    assert_eq!(done.status(), 204, "{}", done.text().await.unwrap());

    // The school answers the request; its new event follows the copied ones.
    let resubmitted =
        common::flow::submit_for(&server, &school, common::flow::TECHNOLOGY, Some(sub.id)).await;
    assert_eq!(resubmitted.id, sub.id);
    let after = school_events(&server, &school, sub.id).await;
    assert_eq!(after.len(), before_events.len() + 1, "{after:?}");
    let last_before = before_events.last().unwrap()["sequence"].as_u64().unwrap();
    assert!(after.last().unwrap()["sequence"].as_u64().unwrap() > last_before);
}

#[tokio::test]
async fn migrate_storage_refuses_while_server_toml_still_names_sqlite() {
    let server = TestServer::start_on(Storage::Embedded).await;
    let config = server.state.config.clone();
    let err = migrate_storage(&server.data_dir(), &config)
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("metadata = \"postgres\""), "{err}");
}
