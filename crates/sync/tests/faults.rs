//! Delivery over a network that keeps failing: a TCP proxy of our own between the school and
//! the real endpoint cuts the connection at random offsets, again and again, during a 100 MB
//! upload. What must hold: the submission arrives, the blob the endpoint stores is byte for
//! byte the one sealed (its SHA-256), and there is one submission, not two.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::sync::Arc;

use futures::StreamExt as _;

use waymark_harness::endpoint::TestEndpoint;
use waymark_harness::fault_proxy::{CutPlan, FaultProxy};
use waymark_harness::school::{AWARD, SCHOOL, SchoolFixture};
use waymark_sync::deliver::{self, Outcome};
use waymark_sync::session::{Session, redeem};
use waymark_sync::{lock, package, share};

const MIB: u64 = 1024 * 1024;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_100_mb_upload_cut_at_least_50_times_arrives_whole_and_once() {
    let endpoint = TestEndpoint::start().await;
    let school = SchoolFixture::eligible();
    let video = school.add_file("sports day.mp4", 100 * MIB);
    let shared = share(school.open());

    // Enrol through the API (this test is about the network, not the keychain).
    let issued = endpoint
        .add_institution(SCHOOL, "urn:schoolid:uk:100001")
        .await;
    let redeemed = redeem(&issued.code, || Ok(())).await.unwrap();
    let mut enrollment = redeemed.enrollment;
    lock(&shared).set_enrollment(&enrollment).unwrap();
    let mut session = Session::with_credentials(enrollment.clone(), redeemed.credentials).unwrap();
    let queued = package::package(
        &shared,
        &mut session,
        None,
        AWARD,
        std::slice::from_ref(&school.photo),
        Arc::new(|_| {}),
    )
    .await
    .unwrap();

    // From here on the school reaches the endpoint only through the proxy: a connection is cut
    // after 64 KiB to 1 MiB sent (inside a 1 MiB chunk; each request over plain HTTP has its
    // own connection), until it has cut 60.
    let upstream = endpoint.url.trim_start_matches("http://").parse().unwrap();
    let proxy = FaultProxy::start(
        upstream,
        CutPlan {
            seed: 20261201,
            min_bytes: 64 * 1024,
            max_bytes: MIB,
            max_cuts: 60,
        },
    );
    enrollment.endpoint = proxy.url();
    lock(&shared).set_enrollment(&enrollment).unwrap();
    let credentials = waymark_sync::credentials::Credentials {
        token: session.credentials.token.clone(),
        signing_key: session.credentials.signing_key.clone(),
    };
    let mut session = Session::with_credentials(enrollment, credentials).unwrap();

    let options = deliver::Options {
        chunk: MIB,
        now: true,
        ..deliver::Options::default()
    };
    let mut sent = None;
    let mut waited = Vec::new();
    // Bounded: each round either finishes or records a failure; the outbox's own backoff is
    // skipped (`now`), as `waymark sync` does when asked.
    for _ in 0..40 {
        let outcomes =
            deliver::deliver_pending(&shared, &mut session, options, Arc::new(|_, _| {}))
                .await
                .unwrap();
        match outcomes.into_iter().next() {
            Some(Outcome::Sent { server_id, .. }) => {
                sent = Some(server_id);
                break;
            }
            Some(Outcome::Waiting { code, error, .. }) => waited.push(format!("{code}: {error}")),
            other => panic!("unexpected outcome: {other:?}"),
        }
    }
    let server_id = sent.unwrap_or_else(|| {
        panic!(
            "not delivered within 40 rounds ({} cuts); each round waited for:\n{}",
            proxy.cuts(),
            waited.join("\n")
        )
    });
    assert!(
        proxy.cuts() >= 50,
        "the proxy cut only {} connections",
        proxy.cuts()
    );

    // The stored blob is the sealed one, byte for byte.
    let (sha, file) = {
        let ws = lock(&shared);
        let item = ws
            .evidence(&ws.current_review(None).unwrap())
            .unwrap()
            .into_iter()
            .find(|i| i.id == video)
            .unwrap();
        let rid = ws
            .sealed_blob(&queued.submission.manifest)
            .unwrap()
            .unwrap()
            .recipients;
        let blob = ws.sealed_blob_for(&item.hash, &rid).unwrap().unwrap();
        assert!(blob.held);
        (blob.sha256, ws.data_dir().join(blob.file))
    };
    let sealed = std::fs::read(&file).unwrap();
    assert_eq!(waymark_protocol::Sha256::of(&sealed).to_hex(), sha);
    let institution: waymark_protocol::InstitutionId = lock(&shared)
        .enrollment()
        .unwrap()
        .unwrap()
        .institution_id
        .parse()
        .unwrap();
    let (blob, mut stream) =
        waymark_server::blobs::read(&endpoint.state, institution, sha.parse().unwrap())
            .await
            .unwrap();
    assert_eq!(blob.size, sealed.len() as u64);
    let mut stored = Vec::with_capacity(sealed.len());
    while let Some(part) = stream.next().await {
        stored.extend_from_slice(&part.unwrap());
    }
    assert!(
        stored == sealed,
        "the endpoint's copy differs from the sealed blob"
    );

    // One submission, at version 1.
    let (status, list) = endpoint
        .admin(reqwest::Method::GET, "/v1/admin/submissions", None)
        .await;
    assert_eq!(status, 200);
    let all = list["submissions"].as_array().unwrap();
    assert_eq!(all.len(), 1, "{list}");
    assert_eq!(all[0]["id"], server_id);
    assert_eq!(all[0]["versions"], 1);
}
