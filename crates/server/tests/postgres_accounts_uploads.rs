//! The PostgreSQL [`AccountStore`] and [`UploadStore`] directly, each test on a fresh database,
//! and what must hold when two server instances (two `PgMeta` pools on one database) race.
//!
//! The server is waymark-harness's throwaway PostgreSQL cluster, started on loopback for this
//! test process.

#![allow(clippy::unwrap_used, missing_docs)]

use chrono::{DateTime, Duration, TimeZone as _, Utc};
use tokio_postgres::NoTls;
use waymark_protocol::crypt::Identity;
use waymark_protocol::envelope::BlobRef;
use waymark_protocol::keys::{KEY_SET_FORMAT, KeySet, SignedKeySet};
use waymark_protocol::signed::SecretKey;
use waymark_protocol::{InstitutionId, Sha256};
use waymark_server::config::PostgresConfig;
use waymark_server::meta::postgres::PgMeta;
use waymark_server::meta::uploads::{
    NewUpload, OverQuota, Part, SweepItem, UploadRefusal, UploadState,
};
use waymark_server::meta::{
    AccountKind, AccountStore as _, CodeRecord, CodeRefusal, Credential, MetaError, TokenRecord,
    UploadStore as _,
};

/// The PostgreSQL server to make test databases on (its `postgres` database).
fn server_url() -> String {
    waymark_harness::postgres::cluster().url("postgres")
}

/// A fresh database on the test server, dropped by [`TestDb::drop_now`] (a failed test leaves
/// its `t_…` database behind, to look at).
struct TestDb {
    server: String,
    name: String,
    url: String,
}

impl TestDb {
    async fn new() -> Self {
        let server = server_url();
        let name = format!("t_{}", uuid::Uuid::now_v7().simple());
        admin(&server)
            .await
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .await
            .unwrap();
        let url = with_database(&server, &name);
        Self { server, name, url }
    }

    /// One server instance's store (each call its own pool, as a second instance would have).
    async fn instance(&self) -> PgMeta {
        PgMeta::connect(&PostgresConfig {
            url: self.url.clone(),
            pool_size: 4,
        })
        .await
        .unwrap()
    }

    /// A plain connection, for what the trait cannot do (revoking a code, reading raw rows).
    async fn sql(&self) -> tokio_postgres::Client {
        admin(&self.url).await
    }

    async fn drop_now(self) {
        admin(&self.server)
            .await
            .batch_execute(&format!("DROP DATABASE {} WITH (FORCE)", self.name))
            .await
            .unwrap();
    }
}

async fn admin(url: &str) -> tokio_postgres::Client {
    let (client, connection) = tokio_postgres::connect(url, NoTls).await.unwrap();
    tokio::spawn(connection);
    client
}

/// `url` with its database (the last path segment) replaced by `name`.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let host_end = base[scheme_end..]
        .find('/')
        .map_or(base.len(), |i| scheme_end + i);
    let mut out = format!("{}/{name}", &base[..host_end]);
    if let Some(q) = query {
        out.push('?');
        out.push_str(q);
    }
    out
}

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 1, 9, 0, 0).unwrap()
}

fn token(id: &str, kind: AccountKind, account: Option<uuid::Uuid>) -> TokenRecord {
    TokenRecord {
        id: id.to_owned(),
        secret_sha256: Sha256::of(id.as_bytes()).0,
        kind,
        account,
        created_at: t0(),
        revoked_at: None,
    }
}

fn code(secret: &str, kind: AccountKind, account: uuid::Uuid) -> CodeRecord {
    CodeRecord {
        secret_sha256: Sha256::of(secret.as_bytes()).0,
        kind,
        account,
        created_at: t0(),
        expires_at: t0() + Duration::days(7),
    }
}

fn key_set(
    version: u32,
    key: &SecretKey,
    previous: Option<(&SignedKeySet, &SecretKey)>,
) -> SignedKeySet {
    let set = KeySet {
        format: KEY_SET_FORMAT,
        version,
        awarding_body: "Test Awarding Body".into(),
        endpoint: "https://endpoint.example.org".into(),
        issued_at: t0(),
        signing_key: key.public(),
        recipients: vec![waymark_protocol::keys::KeyRecipient {
            label: "Office".into(),
            age: Identity::generate().recipient(),
        }],
        previous: previous.map(|(p, _)| p.fingerprint()),
    };
    SignedKeySet::sign(&set, key, previous.map(|(_, k)| k)).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn accounts_are_registered_once_and_listed_by_name() {
    let db = TestDb::new().await;
    let meta = db.instance().await;

    let b = meta
        .add_institution("Beech School", "urn:x:2", t0())
        .await
        .unwrap();
    let a = meta
        .add_institution("Ash School", "urn:x:1", t0())
        .await
        .unwrap();
    let err = meta
        .add_institution("Another", "urn:x:1", t0())
        .await
        .unwrap_err();
    assert!(matches!(err, MetaError::Conflict(_)), "{err:?}");
    assert_eq!(
        meta.institutions().await.unwrap(),
        vec![a.clone(), b.clone()]
    );
    assert_eq!(meta.institution(a.id).await.unwrap(), Some(a.clone()));
    assert_eq!(meta.institution(InstitutionId::new()).await.unwrap(), None);

    // Byte order, as SQLite sorts: upper case before lower case.
    let z = meta
        .add_assessor("Zoe", "zoe@example.org", t0())
        .await
        .unwrap();
    let lower = meta
        .add_assessor("adam", "adam@example.org", t0())
        .await
        .unwrap();
    let err = meta
        .add_assessor("Zoe Again", "zoe@example.org", t0())
        .await
        .unwrap_err();
    assert!(matches!(err, MetaError::Conflict(_)), "{err:?}");
    assert_eq!(meta.assessors().await.unwrap(), vec![z.clone(), lower]);
    assert_eq!(meta.assessor(z.id).await.unwrap(), Some(z.clone()));

    meta.add_link(z.id, a.id, "Governor", t0()).await.unwrap();
    meta.add_link(z.id, a.id, "Parent", t0() + Duration::seconds(1))
        .await
        .unwrap();
    assert_eq!(
        meta.links(z.id, a.id).await.unwrap(),
        vec!["Governor".to_owned(), "Parent".to_owned()]
    );
    assert!(meta.links(z.id, b.id).await.unwrap().is_empty());

    db.drop_now().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_code_redeems_once_and_each_refusal_is_told_apart() {
    let db = TestDb::new().await;
    let meta = db.instance().await;
    let school = meta
        .add_institution("School", "urn:x:1", t0())
        .await
        .unwrap();
    let assessor = meta
        .add_assessor("Ann", "ann@example.org", t0())
        .await
        .unwrap();
    let key = SecretKey::generate().public();
    let recipient = Identity::generate().recipient();
    let now = t0() + Duration::hours(1);

    meta.add_code(&code("s1", AccountKind::Institution, school.id.0))
        .await
        .unwrap();
    let err = meta
        .add_code(&code("s1", AccountKind::Institution, school.id.0))
        .await
        .unwrap_err();
    assert!(matches!(err, MetaError::Conflict(_)), "{err:?}");

    let s1 = Sha256::of(b"s1").0;
    let inst = Credential::Institution(key);
    let asse = Credential::Assessor(recipient.clone());
    // The wrong kind of credential: refused, and the code still works.
    let refused = meta
        .redeem_code(s1, now, &asse, &token("t0", AccountKind::Assessor, None))
        .await
        .unwrap();
    assert_eq!(refused, Err(CodeRefusal::WrongKind));
    // The token is the code's account's, whatever the record passed says.
    let got = meta
        .redeem_code(s1, now, &inst, &token("t1", AccountKind::Admin, None))
        .await
        .unwrap();
    assert_eq!(got, Ok((AccountKind::Institution, school.id.0)));
    let stored = meta.token("t1").await.unwrap().unwrap();
    assert_eq!(
        stored,
        token("t1", AccountKind::Institution, Some(school.id.0))
    );
    assert_eq!(
        meta.institution(school.id)
            .await
            .unwrap()
            .unwrap()
            .public_key,
        Some(key)
    );
    let again = meta
        .redeem_code(s1, now, &inst, &token("t2", AccountKind::Institution, None))
        .await
        .unwrap();
    assert_eq!(again, Err(CodeRefusal::Used));
    assert_eq!(meta.token("t2").await.unwrap(), None);

    let unknown = meta
        .redeem_code(
            Sha256::of(b"nope").0,
            now,
            &inst,
            &token("t3", AccountKind::Institution, None),
        )
        .await
        .unwrap();
    assert_eq!(unknown, Err(CodeRefusal::Unknown));

    meta.add_code(&code("s2", AccountKind::Assessor, assessor.id.0))
        .await
        .unwrap();
    let late = meta
        .redeem_code(
            Sha256::of(b"s2").0,
            t0() + Duration::days(7),
            &asse,
            &token("t4", AccountKind::Assessor, None),
        )
        .await
        .unwrap();
    assert_eq!(late, Err(CodeRefusal::Expired));
    let ok = meta
        .redeem_code(
            Sha256::of(b"s2").0,
            now,
            &asse,
            &token("t5", AccountKind::Assessor, None),
        )
        .await
        .unwrap();
    assert_eq!(ok, Ok((AccountKind::Assessor, assessor.id.0)));
    assert_eq!(
        meta.assessor(assessor.id)
            .await
            .unwrap()
            .unwrap()
            .age_recipient,
        Some(recipient)
    );

    meta.add_code(&code("s3", AccountKind::Institution, school.id.0))
        .await
        .unwrap();
    db.sql()
        .await
        .execute(
            "UPDATE enrollment_codes SET revoked_at = $1 WHERE secret_sha256 = $2",
            &[&t0(), &&Sha256::of(b"s3").0[..]],
        )
        .await
        .unwrap();
    let revoked = meta
        .redeem_code(
            Sha256::of(b"s3").0,
            now,
            &inst,
            &token("t6", AccountKind::Institution, None),
        )
        .await
        .unwrap();
    assert_eq!(revoked, Err(CodeRefusal::Revoked));

    // A token id already taken: Conflict, and the code stays unused.
    meta.add_code(&code("s4", AccountKind::Institution, school.id.0))
        .await
        .unwrap();
    let err = meta
        .redeem_code(
            Sha256::of(b"s4").0,
            now,
            &inst,
            &token("t1", AccountKind::Institution, None),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, MetaError::Conflict(_)), "{err:?}");
    let ok = meta
        .redeem_code(
            Sha256::of(b"s4").0,
            now,
            &inst,
            &token("t7", AccountKind::Institution, None),
        )
        .await
        .unwrap();
    assert!(ok.is_ok());

    db.drop_now().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_redeeming_one_code_at_once_enrol_once() {
    let db = TestDb::new().await;
    let (a, b) = (db.instance().await, db.instance().await);
    let school = a.add_institution("School", "urn:x:1", t0()).await.unwrap();
    for round in 0..10 {
        let secret = format!("race{round}");
        a.add_code(&code(&secret, AccountKind::Institution, school.id.0))
            .await
            .unwrap();
        let hash = Sha256::of(secret.as_bytes()).0;
        let cred = Credential::Institution(SecretKey::generate().public());
        let now = t0() + Duration::hours(1);
        let (ta, tb) = (
            token(&format!("a{round}"), AccountKind::Institution, None),
            token(&format!("b{round}"), AccountKind::Institution, None),
        );
        let (ra, rb) = tokio::join!(
            a.redeem_code(hash, now, &cred, &ta),
            b.redeem_code(hash, now, &cred, &tb)
        );
        let results = [ra.unwrap(), rb.unwrap()];
        assert_eq!(
            results.iter().filter(|r| r.is_ok()).count(),
            1,
            "{results:?}"
        );
        assert!(results.contains(&Err(CodeRefusal::Used)), "{results:?}");
        let tokens = [
            a.token(&ta.id).await.unwrap(),
            a.token(&tb.id).await.unwrap(),
        ];
        assert_eq!(tokens.iter().filter(|t| t.is_some()).count(), 1);
    }
    db.drop_now().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokens_are_revoked_per_account_once() {
    let db = TestDb::new().await;
    let meta = db.instance().await;
    let school = uuid::Uuid::now_v7();
    meta.add_token(&token("admin1", AccountKind::Admin, None))
        .await
        .unwrap();
    meta.add_token(&token("admin2", AccountKind::Admin, None))
        .await
        .unwrap();
    meta.add_token(&token("s1", AccountKind::Institution, Some(school)))
        .await
        .unwrap();
    let err = meta
        .add_token(&token("s1", AccountKind::Institution, Some(school)))
        .await
        .unwrap_err();
    assert!(matches!(err, MetaError::Conflict(_)), "{err:?}");

    let at = t0() + Duration::days(1);
    assert_eq!(
        meta.revoke_tokens(AccountKind::Admin, None, at)
            .await
            .unwrap(),
        2
    );
    assert_eq!(
        meta.revoke_tokens(AccountKind::Admin, None, at)
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        meta.token("admin1").await.unwrap().unwrap().revoked_at,
        Some(at)
    );
    assert_eq!(meta.token("s1").await.unwrap().unwrap().revoked_at, None);
    assert_eq!(
        meta.revoke_tokens(AccountKind::Institution, Some(school), at)
            .await
            .unwrap(),
        1
    );
    assert_eq!(meta.token("nope").await.unwrap(), None);
    db.drop_now().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn key_sets_chain_in_order_and_come_back_byte_for_byte() {
    let db = TestDb::new().await;
    let (a, b) = (db.instance().await, db.instance().await);
    let k1 = SecretKey::generate();
    let s1 = key_set(1, &k1, None);
    a.add_key_set(1, &s1).await.unwrap();
    let err = a.add_key_set(1, &s1).await.unwrap_err();
    assert!(matches!(err, MetaError::Conflict(_)), "{err:?}");
    let s3 = key_set(3, &k1, Some((&s1, &k1)));
    let err = a.add_key_set(3, &s3).await.unwrap_err();
    assert!(matches!(err, MetaError::Conflict(_)), "{err:?}");

    // Two instances publishing version 2 at once: one wins, the other is told Conflict.
    let (x, y) = (
        key_set(2, &k1, Some((&s1, &k1))),
        key_set(2, &k1, Some((&s1, &k1))),
    );
    let (rx, ry) = tokio::join!(a.add_key_set(2, &x), b.add_key_set(2, &y));
    assert!(rx.is_ok() != ry.is_ok(), "{rx:?} {ry:?}");
    let (winner, loser) = if rx.is_ok() { (&x, ry) } else { (&y, rx) };
    assert!(matches!(loser, Err(MetaError::Conflict(_))), "{loser:?}");

    assert_eq!(
        b.key_sets().await.unwrap(),
        vec![s1.clone(), winner.clone()]
    );
    let raw: Vec<String> = db
        .sql()
        .await
        .query("SELECT signed FROM key_sets ORDER BY version", &[])
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(
        raw,
        vec![
            serde_json::to_string(&s1).unwrap(),
            serde_json::to_string(winner).unwrap()
        ]
    );
    db.drop_now().await;
}

fn new_upload(institution: InstitutionId, data: &[u8]) -> NewUpload {
    NewUpload {
        id: uuid::Uuid::now_v7(),
        institution,
        sha256: Sha256::of(data),
        length: data.len() as u64,
        created_at: t0(),
        expires_at: t0() + Duration::days(1),
    }
}

fn part(upload: uuid::Uuid, start: u64, size: u64) -> Part {
    Part {
        start,
        size,
        object: format!("uploads/{upload}/{start}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_upload_started_on_one_instance_finishes_on_another() {
    let db = TestDb::new().await;
    let (a, b) = (db.instance().await, db.instance().await);
    let school = a
        .add_institution("School", "urn:x:1", t0())
        .await
        .unwrap()
        .id;
    let other = a
        .add_institution("Other", "urn:x:2", t0())
        .await
        .unwrap()
        .id;
    let now = t0() + Duration::minutes(5);
    let data = [7u8; 30];
    let up = new_upload(school, &data);
    assert_eq!(a.create_upload(&up, 1000).await.unwrap(), Ok(()));
    assert_eq!(a.storage_used(school, now).await.unwrap(), 30);

    // Another institution's upload answers as absent.
    assert_eq!(b.upload(other, up.id).await.unwrap(), None);
    assert_eq!(
        b.add_part(other, up.id, &part(up.id, 0, 10), now)
            .await
            .unwrap(),
        Err(UploadRefusal::NotFound)
    );

    let first = a
        .add_part(school, up.id, &part(up.id, 0, 10), now)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(first.offset, 10);
    // The next chunk on the other instance, which knows the offset from the database.
    assert_eq!(b.upload(school, up.id).await.unwrap().unwrap().offset, 10);
    assert_eq!(
        b.add_part(school, up.id, &part(up.id, 0, 10), now)
            .await
            .unwrap(),
        Err(UploadRefusal::OffsetMismatch(10))
    );
    // add_part must end before the end; finish_upload exactly at it.
    assert_eq!(
        b.add_part(school, up.id, &part(up.id, 10, 20), now)
            .await
            .unwrap(),
        Err(UploadRefusal::WrongEnd)
    );
    assert_eq!(
        b.add_part(school, up.id, &part(up.id, 10, 0), now)
            .await
            .unwrap(),
        Err(UploadRefusal::WrongEnd)
    );
    b.add_part(school, up.id, &part(up.id, 10, 10), now)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        b.upload_parts(school, up.id).await.unwrap(),
        vec![part(up.id, 0, 10), part(up.id, 10, 10)]
    );
    assert!(b.upload_parts(other, up.id).await.unwrap().is_empty());
    assert_eq!(
        a.finish_upload(school, up.id, Some(&part(up.id, 20, 5)), now)
            .await
            .unwrap(),
        Err(UploadRefusal::WrongEnd)
    );
    let finished = a
        .finish_upload(school, up.id, Some(&part(up.id, 20, 10)), now)
        .await
        .unwrap()
        .unwrap();
    let blob = BlobRef {
        sha256: up.sha256,
        size: 30,
    };
    assert_eq!(finished.blob, blob);
    assert_eq!(finished.dropped, None);
    let record = b.upload(school, up.id).await.unwrap().unwrap();
    assert_eq!((record.state, record.offset), (UploadState::Complete, 30));
    assert_eq!(
        b.finish_upload(school, up.id, None, now).await.unwrap(),
        Err(UploadRefusal::OffsetMismatch(30))
    );
    assert!(b.upload_parts(school, up.id).await.unwrap().is_empty());
    let stored = b.blob(school, up.sha256).await.unwrap().unwrap();
    assert_eq!(stored.blob, blob);
    assert_eq!(
        stored.parts,
        vec![part(up.id, 0, 10), part(up.id, 10, 10), part(up.id, 20, 10)]
    );
    assert_eq!(b.blob(other, up.sha256).await.unwrap(), None);
    // Held once, counted once.
    assert_eq!(a.storage_used(school, now).await.unwrap(), 30);

    // The same blob again: held already, so this upload's parts are dropped.
    let again = new_upload(school, &data);
    a.create_upload(&again, 1000).await.unwrap().unwrap();
    a.add_part(school, again.id, &part(again.id, 0, 15), now)
        .await
        .unwrap()
        .unwrap();
    let dup = b
        .finish_upload(school, again.id, Some(&part(again.id, 15, 15)), now)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(dup.blob, blob);
    assert_eq!(
        dup.dropped,
        Some(vec![part(again.id, 0, 15), part(again.id, 15, 15)])
    );
    assert_eq!(b.blob(school, up.sha256).await.unwrap().unwrap(), stored);

    // An empty blob: no parts at all.
    let empty = new_upload(school, b"");
    a.create_upload(&empty, 1000).await.unwrap().unwrap();
    let done = a
        .finish_upload(school, empty.id, None, now)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(done.blob.size, 0);
    let stored_empty = b.blob(school, empty.sha256).await.unwrap().unwrap();
    assert!(stored_empty.parts.is_empty());

    // Held blobs in the order asked, each once, only this institution's.
    let unknown = Sha256::of(b"unknown");
    assert_eq!(
        b.held_blobs(school, &[empty.sha256, unknown, up.sha256, empty.sha256])
            .await
            .unwrap(),
        vec![done.blob, blob]
    );
    assert!(b.held_blobs(other, &[up.sha256]).await.unwrap().is_empty());
    assert!(b.held_blobs(school, &[]).await.unwrap().is_empty());

    db.drop_now().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn quota_counts_blobs_and_live_uploads_and_holds_when_instances_race() {
    let db = TestDb::new().await;
    let (a, b) = (db.instance().await, db.instance().await);
    let school = a
        .add_institution("School", "urn:x:1", t0())
        .await
        .unwrap()
        .id;
    let now = t0();

    let first = new_upload(school, &[1u8; 60]);
    a.create_upload(&first, 100).await.unwrap().unwrap();
    let second = new_upload(school, &[2u8; 50]);
    assert_eq!(
        a.create_upload(&second, 100).await.unwrap(),
        Err(OverQuota { used: 60 })
    );
    // An expired upload no longer counts.
    let later = NewUpload {
        created_at: first.expires_at,
        expires_at: first.expires_at + Duration::days(1),
        ..new_upload(school, &[2u8; 50])
    };
    assert_eq!(b.create_upload(&later, 100).await.unwrap(), Ok(()));
    assert_eq!(b.storage_used(school, now).await.unwrap(), 110);
    assert_eq!(b.storage_used(school, first.expires_at).await.unwrap(), 50);

    // Many rounds of two instances each creating an upload that fits only alone.
    for round in 0..10 {
        let school = a
            .add_institution("Racer", &format!("urn:race:{round}"), t0())
            .await
            .unwrap()
            .id;
        let (x, y) = (
            new_upload(school, &[3u8; 70]),
            new_upload(school, &[4u8; 70]),
        );
        let (rx, ry) = tokio::join!(a.create_upload(&x, 100), b.create_upload(&y, 100));
        let results = [rx.unwrap(), ry.unwrap()];
        assert_eq!(
            results.iter().filter(|r| r.is_ok()).count(),
            1,
            "{results:?}"
        );
        assert!(
            results.contains(&Err(OverQuota { used: 70 })),
            "{results:?}"
        );
        assert_eq!(a.storage_used(school, now).await.unwrap(), 70);
    }
    db.drop_now().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_sending_the_same_chunk_record_it_once() {
    let db = TestDb::new().await;
    let (a, b) = (db.instance().await, db.instance().await);
    let school = a
        .add_institution("School", "urn:x:1", t0())
        .await
        .unwrap()
        .id;
    let now = t0();
    let up = new_upload(school, &[5u8; 100]);
    a.create_upload(&up, 1000).await.unwrap().unwrap();
    for start in (0..90).step_by(10) {
        let pa = Part {
            object: format!("a/{start}"),
            ..part(up.id, start, 10)
        };
        let pb = Part {
            object: format!("b/{start}"),
            ..part(up.id, start, 10)
        };
        let (ra, rb) = tokio::join!(
            a.add_part(school, up.id, &pa, now),
            b.add_part(school, up.id, &pb, now)
        );
        let results = [ra.unwrap(), rb.unwrap()];
        assert_eq!(
            results.iter().filter(|r| r.is_ok()).count(),
            1,
            "{results:?}"
        );
        assert!(
            results.contains(&Err(UploadRefusal::OffsetMismatch(start + 10))),
            "{results:?}"
        );
    }
    let parts = a.upload_parts(school, up.id).await.unwrap();
    assert_eq!(parts.len(), 9);
    assert_eq!(a.upload(school, up.id).await.unwrap().unwrap().offset, 90);

    // Finishing on both at once: one blob, the other told the upload is complete.
    let (pa, pb) = (
        part(up.id, 90, 10),
        Part {
            object: "b/last".into(),
            ..part(up.id, 90, 10)
        },
    );
    let (ra, rb) = tokio::join!(
        a.finish_upload(school, up.id, Some(&pa), now),
        b.finish_upload(school, up.id, Some(&pb), now)
    );
    let results = [ra.unwrap(), rb.unwrap()];
    assert_eq!(
        results.iter().filter(|r| r.is_ok()).count(),
        1,
        "{results:?}"
    );
    assert!(
        results.contains(&Err(UploadRefusal::OffsetMismatch(100))),
        "{results:?}"
    );
    assert_eq!(
        b.blob(school, up.sha256)
            .await
            .unwrap()
            .unwrap()
            .parts
            .len(),
        10
    );
    db.drop_now().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn terminated_and_expired_uploads_are_swept() {
    let db = TestDb::new().await;
    let meta = db.instance().await;
    let school = meta
        .add_institution("School", "urn:x:1", t0())
        .await
        .unwrap()
        .id;
    let now = t0() + Duration::minutes(1);

    // Terminated while receiving: answers as absent and takes no chunks, but is listed for
    // the sweep (its objects belong to no blob).
    let cut = new_upload(school, &[1u8; 20]);
    meta.create_upload(&cut, 1000).await.unwrap().unwrap();
    meta.add_part(school, cut.id, &part(cut.id, 0, 10), now)
        .await
        .unwrap()
        .unwrap();
    let was = meta
        .terminate_upload(school, cut.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(was.offset, 10);
    assert_eq!(meta.upload(school, cut.id).await.unwrap(), None);
    assert!(meta.upload_parts(school, cut.id).await.unwrap().is_empty());
    assert_eq!(meta.terminate_upload(school, cut.id).await.unwrap(), None);
    assert_eq!(
        meta.add_part(school, cut.id, &part(cut.id, 10, 5), now)
            .await
            .unwrap(),
        Err(UploadRefusal::NotFound)
    );
    assert_eq!(
        meta.uploads_to_sweep(now, 10).await.unwrap(),
        vec![SweepItem {
            id: cut.id,
            delete_objects: true
        }]
    );
    meta.forget_upload(cut.id).await.unwrap();
    meta.forget_upload(cut.id).await.unwrap();
    assert!(meta.uploads_to_sweep(now, 10).await.unwrap().is_empty());

    // A complete upload is forgotten at once by terminate; its blob stays.
    let whole = new_upload(school, &[2u8; 10]);
    meta.create_upload(&whole, 1000).await.unwrap().unwrap();
    meta.finish_upload(school, whole.id, Some(&part(whole.id, 0, 10)), now)
        .await
        .unwrap()
        .unwrap();
    let was = meta
        .terminate_upload(school, whole.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(was.state, UploadState::Complete);
    assert_eq!(meta.upload(school, whole.id).await.unwrap(), None);
    assert_eq!(
        meta.blob(school, whole.sha256)
            .await
            .unwrap()
            .unwrap()
            .parts
            .len(),
        1
    );

    // Expiry: an unfinished upload refuses chunks, and both kinds are swept.
    let slow = new_upload(school, &[3u8; 20]);
    meta.create_upload(&slow, 1000).await.unwrap().unwrap();
    let done = new_upload(school, &[4u8; 5]);
    meta.create_upload(&done, 1000).await.unwrap().unwrap();
    meta.finish_upload(school, done.id, Some(&part(done.id, 0, 5)), now)
        .await
        .unwrap()
        .unwrap();
    let late = slow.expires_at;
    assert_eq!(
        meta.add_part(school, slow.id, &part(slow.id, 0, 10), late)
            .await
            .unwrap(),
        Err(UploadRefusal::Expired)
    );
    let mut swept = meta.uploads_to_sweep(late, 10).await.unwrap();
    swept.sort_by_key(|s| s.id);
    assert_eq!(
        swept,
        vec![
            SweepItem {
                id: slow.id,
                delete_objects: true
            },
            SweepItem {
                id: done.id,
                delete_objects: false
            }
        ]
    );
    assert_eq!(meta.uploads_to_sweep(late, 1).await.unwrap().len(), 1);
    db.drop_now().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn instances_starting_together_migrate_once() {
    let db = TestDb::new().await;
    let (a, b, c) = tokio::join!(db.instance(), db.instance(), db.instance());
    a.add_institution("School", "urn:x:1", t0()).await.unwrap();
    assert_eq!(b.institutions().await.unwrap().len(), 1);
    assert_eq!(c.institutions().await.unwrap().len(), 1);
    drop((a, b, c));
    db.drop_now().await;
}
