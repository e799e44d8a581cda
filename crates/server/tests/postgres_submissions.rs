//! [`SubmissionStore`] on PostgreSQL, called directly: the SQLite store's behaviour (idempotent
//! commits, compare-and-set transitions, re-submissions, awards), then races between two
//! "instances" (two `PgMeta` pools on one database, tasks on a multi-threaded runtime released
//! together by a barrier), each repeated for [`ROUNDS`] rounds: one submission per envelope,
//! one winner per step, and a history that misses nothing and is never out of order; and one
//! order too rare to race into, forced with plain SQL (a step that finds its `from` again).
//!
//! Every test makes its own database on waymark-harness's throwaway PostgreSQL cluster
//! ([`base_url`]) and drops it when it passes (a failing test leaves it, to look at).

#![allow(clippy::unwrap_used, missing_docs)]

use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use tokio::sync::Barrier;
use tokio_postgres::NoTls;
use uuid::Uuid;
use waymark_protocol::api::Recommendation;
use waymark_protocol::encoding::Base64Bytes;
use waymark_protocol::envelope::BlobRef;
use waymark_protocol::ids::FrameworkRef;
use waymark_protocol::receipt::Receipt;
use waymark_protocol::review::{
    Actor, AwardRecord, BenchmarkRequest, Event, EventKind, EvidenceRequest, Feedback, Outcome,
    ReviewState, Role,
};
use waymark_protocol::signed::{KeyId, Purpose, SecretKey, Signed};
use waymark_protocol::{AssessorId, InstitutionId, Sha256, SubmissionId};
use waymark_server::config::PostgresConfig;
use waymark_server::meta::SubmissionStore;
use waymark_server::meta::postgres::PgMeta;
use waymark_server::meta::submissions::{
    CommitOutcome, EnvelopeRecord, NewEnvelope, ReviewChanges, SubmissionRecord, Transition,
};

/// How many times each race is run.
const ROUNDS: usize = 20;

/// The PostgreSQL server the tests create their databases on (its `postgres` database).
fn base_url() -> String {
    waymark_harness::postgres::cluster().url("postgres")
}

/// `url` (postgres://…/db?…) naming database `name` instead.
fn with_database(url: &str, name: &str) -> String {
    let (url, query) = match url.split_once('?') {
        Some((url, query)) => (url, format!("?{query}")),
        None => (url, String::new()),
    };
    let (server, _) = url.rsplit_once('/').unwrap();
    format!("{server}/{name}{query}")
}

async fn admin() -> tokio_postgres::Client {
    let (client, connection) = tokio_postgres::connect(&base_url(), NoTls)
        .await
        .unwrap_or_else(|e| panic!("no PostgreSQL at {}: {e}", base_url()));
    tokio::spawn(connection);
    client
}

/// A fresh database with the migrations applied, two instances on it, a school and a key.
struct Fixture {
    database: String,
    /// Its URL.
    url: String,
    /// Two instances: two pools, as two servers behind a load balancer have.
    one: PgMeta,
    two: PgMeta,
    /// Plain SQL on the same database (accounts are not this store's).
    sql: tokio_postgres::Client,
    school: InstitutionId,
    key: Arc<SecretKey>,
}

async fn fixture() -> Fixture {
    let database = format!("t_{}", Uuid::new_v4().simple());
    admin()
        .await
        .batch_execute(&format!("CREATE DATABASE {database}"))
        .await
        .unwrap();
    let config = PostgresConfig {
        url: with_database(&base_url(), &database),
        pool_size: 4,
    };
    // Both instances start at once: the migrations are applied once, under their lock.
    let (one, two) = tokio::join!(PgMeta::connect(&config), PgMeta::connect(&config));
    let (one, two) = (one.unwrap(), two.unwrap());
    let (sql, connection) = tokio_postgres::connect(&config.url, NoTls).await.unwrap();
    tokio::spawn(connection);
    let school = InstitutionId::new();
    sql.execute(
        "INSERT INTO institutions (id, name, identifier, created_at) VALUES ($1, $2, $3, now())",
        &[&school.0, &"School", &format!("urn:x:{}", school.0)],
    )
    .await
    .unwrap();
    Fixture {
        database,
        url: config.url.clone(),
        one,
        two,
        sql,
        school,
        key: Arc::new(SecretKey::generate()),
    }
}

impl Fixture {
    /// Drops the database (only when the test got this far).
    async fn finish(self) {
        let Fixture {
            database,
            one,
            two,
            sql,
            ..
        } = self;
        drop((one, two, sql));
        admin()
            .await
            .batch_execute(&format!("DROP DATABASE {database} WITH (FORCE)"))
            .await
            .unwrap();
    }

    /// Another plain connection to the database.
    async fn connection(&self) -> tokio_postgres::Client {
        let (client, connection) = tokio_postgres::connect(&self.url, NoTls).await.unwrap();
        tokio::spawn(connection);
        client
    }

    /// Waits until a statement starting with `query` waits for a lock in this database.
    async fn wait_for_lock(&self, query: &str) {
        for _ in 0..1000 {
            let waiting: i64 = self
                .sql
                .query_one(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() \
                     AND wait_event_type = 'Lock' AND starts_with(query, $1)",
                    &[&query],
                )
                .await
                .unwrap()
                .get(0);
            if waiting > 0 {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
        panic!("nothing waited for a lock in `{query}`");
    }

    async fn assessor(&self, name: &str) -> AssessorId {
        let id = AssessorId::new();
        self.sql
            .execute(
                "INSERT INTO assessors (id, name, email, created_at) VALUES ($1, $2, $3, now())",
                &[&id.0, &name, &format!("{}@x.test", id.0)],
            )
            .await
            .unwrap();
        id
    }

    fn envelope(&self, body: &[u8], responds_to: Option<SubmissionId>) -> NewEnvelope {
        let key = Arc::clone(&self.key);
        NewEnvelope {
            institution: self.school,
            sha256: Sha256::of(body),
            signed: fake_signed(body),
            framework: framework(),
            award: "quality-mark".into(),
            responds_to,
            blobs: vec![BlobRef {
                sha256: Sha256::of(b"manifest"),
                size: 8,
            }],
            // The real clock (nanoseconds): what is returned must still read back the same.
            received_at: Utc::now(),
            sign: Arc::new(move |r: &Receipt| r.sign(&key)),
        }
    }

    fn receipt(&self, record: &EnvelopeRecord) -> Receipt {
        record
            .receipt
            .open(Purpose::Receipt, &self.key.public())
            .unwrap()
    }

    /// A new submission (on instance one), moved along `path` of (to, kind) steps.
    async fn submission_in(&self, body: &[u8], path: &[(ReviewState, EventKind)]) -> SubmissionId {
        let id = created(
            self.one
                .commit_envelope(self.envelope(body, None))
                .await
                .unwrap(),
        )
        .submission;
        let mut from = ReviewState::Received;
        for (to, kind) in path {
            let mut s = step(id, from, *to, kind.clone());
            if let EventKind::EvidenceRequested { request } = kind {
                s.changes.request = Some(Some(request.clone()));
            }
            self.one.transition(s).await.unwrap().unwrap();
            from = *to;
        }
        id
    }
}

fn at(text: &str) -> DateTime<Utc> {
    text.parse().unwrap()
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn fake_signed(body: &[u8]) -> Signed {
    Signed {
        body: Base64Bytes(body.to_vec()),
        signature: Base64Bytes(vec![0; 64]),
        key_id: KeyId("0".repeat(32)),
    }
}

fn framework() -> FrameworkRef {
    FrameworkRef {
        id: "computing-quality".into(),
        version: "2.0".into(),
    }
}

fn created(outcome: CommitOutcome) -> EnvelopeRecord {
    match outcome {
        CommitOutcome::Created(r) => r,
        other => panic!("expected Created, got {other:?}"),
    }
}

fn step(id: SubmissionId, from: ReviewState, to: ReviewState, kind: EventKind) -> Transition {
    Transition {
        submission: id,
        from,
        to,
        at: Utc::now(),
        actor: Actor {
            role: Role::AwardingBody,
            assessor: None,
        },
        kind,
        changes: ReviewChanges::default(),
    }
}

fn assigned() -> (ReviewState, EventKind) {
    (
        ReviewState::UnderReview,
        EventKind::Assigned {
            review_due: day(2026, 3, 30),
        },
    )
}

fn request() -> EvidenceRequest {
    EvidenceRequest {
        message: "more please".into(),
        benchmarks: vec![BenchmarkRequest {
            benchmark: "1.1".into(),
            message: "a photo".into(),
        }],
    }
}

fn evidence_requested() -> (ReviewState, EventKind) {
    (
        ReviewState::MoreEvidenceRequested,
        EventKind::EvidenceRequested { request: request() },
    )
}

fn recommendation() -> Recommendation {
    Recommendation {
        outcome: Outcome::Award,
        feedback: Feedback::default(),
        notes: "for the moderator".into(),
        judgements: Vec::new(),
    }
}

/// What every history must satisfy: strictly increasing sequences, the record's state and
/// newest sequence are its last event's, and reading on from any event gives exactly the rest.
async fn check_history(meta: &PgMeta, id: SubmissionId) -> (SubmissionRecord, Vec<Event>) {
    let record = meta.submission(id).await.unwrap().unwrap();
    let events = meta.events(id, 0).await.unwrap();
    assert!(!events.is_empty());
    assert!(events.iter().all(|e| e.submission == id));
    assert!(events.windows(2).all(|w| w[0].sequence < w[1].sequence));
    assert_eq!(events[0].state, ReviewState::Received);
    let last = events.last().unwrap();
    assert_eq!(record.last_event, last.sequence);
    assert_eq!(record.state, last.state);
    for (i, e) in events.iter().enumerate() {
        assert_eq!(meta.events(id, e.sequence).await.unwrap(), events[i + 1..]);
    }
    (record, events)
}

#[tokio::test]
async fn a_commit_is_idempotent_and_its_receipt_names_the_sequence() {
    let f = fixture().await;
    let new = f.envelope(b"one", None);
    let first = created(f.one.commit_envelope(new.clone()).await.unwrap());
    let receipt = f.receipt(&first);
    assert_eq!(receipt.version, 1);
    assert_eq!(receipt.envelope_sha256, Sha256::of(b"one"));
    assert_eq!(receipt.received_at, first.received_at);

    // Again, on the other instance: the first receipt, byte for byte, and nothing recorded.
    let again = f.two.commit_envelope(new.clone()).await.unwrap();
    assert_eq!(again, CommitOutcome::Existing(first.clone()));
    let stored = f.two.envelopes(first.submission).await.unwrap();
    assert_eq!(stored, std::slice::from_ref(&first));
    assert_eq!(stored[0].signed, new.signed);

    let (record, events) = check_history(&f.two, first.submission).await;
    assert_eq!(record.state, ReviewState::Received);
    assert_eq!(record.versions, 1);
    assert_eq!(record.received_at, first.received_at);
    assert_eq!(record.last_event, receipt.sequence);
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].sequence, receipt.sequence);
    assert_eq!(
        events[0].kind,
        EventKind::Received {
            version: 1,
            envelope_sha256: Sha256::of(b"one"),
        }
    );
    assert_eq!(events[0].actor.role, Role::Institution);
    assert_eq!(f.one.submissions_of(f.school).await.unwrap(), [record]);
    assert!(
        f.one
            .events(first.submission, u64::MAX)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        f.one
            .submission(SubmissionId::new())
            .await
            .unwrap()
            .is_none()
    );

    // The same bytes claimed by another institution are refused, not answered with a receipt.
    let other = InstitutionId::new();
    f.sql
        .execute(
            "INSERT INTO institutions (id, name, identifier, created_at) VALUES ($1, 'B', 'urn:x:b', now())",
            &[&other.0],
        )
        .await
        .unwrap();
    let mut stolen = new;
    stolen.institution = other;
    assert!(matches!(
        f.one.commit_envelope(stolen).await,
        Err(waymark_server::meta::MetaError::Conflict(_))
    ));
    f.finish().await;
}

#[tokio::test]
async fn transitions_compare_and_set_and_resubmissions_follow_a_request() {
    let f = fixture().await;
    let first = created(
        f.one
            .commit_envelope(f.envelope(b"one", None))
            .await
            .unwrap(),
    );
    let id = first.submission;

    // Not awaiting evidence yet.
    assert_eq!(
        f.one
            .commit_envelope(f.envelope(b"two", Some(id)))
            .await
            .unwrap(),
        CommitOutcome::NotAwaitingEvidence(ReviewState::Received)
    );
    assert_eq!(
        f.one
            .commit_envelope(f.envelope(b"two", Some(SubmissionId::new())))
            .await
            .unwrap(),
        CommitOutcome::UnknownSubmission
    );
    // Another institution's submission does not exist for this one.
    let other = InstitutionId::new();
    f.sql
        .execute(
            "INSERT INTO institutions (id, name, identifier, created_at) VALUES ($1, 'B', 'urn:x:b', now())",
            &[&other.0],
        )
        .await
        .unwrap();
    let mut theirs = f.envelope(b"two", Some(id));
    theirs.institution = other;
    assert_eq!(
        f.one.commit_envelope(theirs).await.unwrap(),
        CommitOutcome::UnknownSubmission
    );

    let assessor = f.assessor("A").await;
    let moderator = f.assessor("M").await;
    let (to, kind) = assigned();
    let mut assign = step(id, ReviewState::Received, to, kind);
    assign.changes.assessor = Some(assessor);
    assign.changes.moderator = Some(moderator);
    assign.changes.review_due = Some(day(2026, 3, 30));
    let after = f.one.transition(assign.clone()).await.unwrap().unwrap();
    assert_eq!(after.state, ReviewState::UnderReview);
    assert_eq!(after.assessor, Some(assessor));
    assert_eq!(after.moderator, Some(moderator));
    assert_eq!(after.review_due, Some(day(2026, 3, 30)));
    assert_eq!(after, f.two.submission(id).await.unwrap().unwrap());
    // The same step again loses and is told the state.
    assert_eq!(
        f.two.transition(assign).await.unwrap(),
        Err(ReviewState::UnderReview)
    );
    assert_eq!(
        f.one.assignments(assessor).await.unwrap(),
        std::slice::from_ref(&after)
    );
    assert_eq!(f.one.assignments(moderator).await.unwrap(), [after]);
    // A submission that does not exist is the caller's bug.
    assert!(matches!(
        f.one
            .transition(step(
                SubmissionId::new(),
                ReviewState::Received,
                ReviewState::UnderReview,
                assigned().1
            ))
            .await,
        Err(waymark_server::meta::MetaError::Internal(_))
    ));

    let (to, kind) = evidence_requested();
    let mut ask = step(id, ReviewState::UnderReview, to, kind);
    ask.changes.request = Some(Some(request()));
    let after = f.two.transition(ask).await.unwrap().unwrap();
    assert_eq!(after.request, Some(request()));

    let mut other_award = f.envelope(b"two", Some(id));
    other_award.award = "progress".into();
    assert_eq!(
        f.one.commit_envelope(other_award).await.unwrap(),
        CommitOutcome::DifferentAward
    );

    let second = created(
        f.one
            .commit_envelope(f.envelope(b"two", Some(id)))
            .await
            .unwrap(),
    );
    assert_eq!((second.submission, second.version), (id, 2));
    assert_eq!(f.receipt(&second).version, 2);
    let record = f.one.submission(id).await.unwrap().unwrap();
    assert_eq!(record.state, ReviewState::Resubmitted);
    assert_eq!(record.request, None);
    assert_eq!(record.versions, 2);
    assert_eq!(record.updated_at, second.received_at);
    assert_eq!(f.one.envelopes(id).await.unwrap(), [first, second]);
    assert_eq!(
        f.one
            .all_submissions(Some(ReviewState::Resubmitted))
            .await
            .unwrap()
            .len(),
        1
    );
    assert!(
        f.one
            .all_submissions(Some(ReviewState::Received))
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(f.one.all_submissions(None).await.unwrap().len(), 1);

    // Recommend, then award: the award is findable by its code and by its expiry.
    let mut recommend = step(
        id,
        ReviewState::Resubmitted,
        ReviewState::Recommended,
        EventKind::Recommended,
    );
    recommend.changes.recommendation = Some(Some(recommendation()));
    let after = f.one.transition(recommend).await.unwrap().unwrap();
    assert_eq!(after.recommendation, Some(recommendation()));

    let award = AwardRecord {
        verification_code: "WM-ABCD-EFGH".into(),
        submission: id,
        award: "quality-mark".into(),
        title: "Computing Quality Mark".into(),
        awarded_on: day(2026, 4, 1),
        expires_on: day(2029, 4, 1),
    };
    let mut confirm = step(
        id,
        ReviewState::Recommended,
        ReviewState::Awarded,
        EventKind::Awarded {
            award: award.clone(),
            feedback: Feedback::default(),
        },
    );
    confirm.at = at("2026-04-01T09:00:00.123456789Z");
    confirm.changes.award = Some(award.clone());
    confirm.changes.feedback = Some(Feedback::default());
    confirm.changes.recommendation = Some(None);
    let after = f.two.transition(confirm).await.unwrap().unwrap();
    assert_eq!(after.award_record, Some(award.clone()));
    assert_eq!(after.recommendation, None);
    assert_eq!(after.feedback, Some(Feedback::default()));
    // Kept to the microsecond, as TIMESTAMPTZ keeps it.
    assert_eq!(after.updated_at, at("2026-04-01T09:00:00.123456Z"));
    let stored = f.one.award_by_code("WM-ABCD-EFGH").await.unwrap().unwrap();
    assert_eq!(stored.record, award);
    assert_eq!(stored.framework, framework());
    assert_eq!(stored.institution, f.school);
    assert!(f.one.award_by_code("WM-NONE").await.unwrap().is_none());
    assert_eq!(
        f.one
            .awards_expiring(day(2029, 1, 1), day(2029, 4, 1))
            .await
            .unwrap()
            .len(),
        1
    );
    assert!(
        f.one
            .awards_expiring(day(2029, 4, 2), day(2030, 1, 1))
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        f.one
            .awards_expiring(day(2028, 1, 1), day(2029, 3, 31))
            .await
            .unwrap()
            .is_empty()
    );

    // Every change is an event, in order, with the state after it.
    let (_, events) = check_history(&f.one, id).await;
    let states: Vec<_> = events.iter().map(|e| e.state).collect();
    assert_eq!(
        states,
        [
            ReviewState::Received,
            ReviewState::UnderReview,
            ReviewState::MoreEvidenceRequested,
            ReviewState::Resubmitted,
            ReviewState::Recommended,
            ReviewState::Awarded
        ]
    );
    f.finish().await;
}

/// The same envelope committed on both instances at the same moment (two callers on each):
/// one submission, and every caller holds the same receipt.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_envelope_on_two_instances_makes_one_submission() {
    let f = fixture().await;
    for round in 0..ROUNDS {
        let new = f.envelope(format!("round {round}").as_bytes(), None);
        let barrier = Arc::new(Barrier::new(4));
        let racers = [f.one.clone(), f.two.clone(), f.one.clone(), f.two.clone()].map(|meta| {
            let (new, barrier) = (new.clone(), Arc::clone(&barrier));
            tokio::spawn(async move {
                barrier.wait().await;
                meta.commit_envelope(new).await.unwrap()
            })
        });
        let mut created = Vec::new();
        let mut existing = Vec::new();
        for racer in racers {
            match racer.await.unwrap() {
                CommitOutcome::Created(r) => created.push(r),
                CommitOutcome::Existing(r) => existing.push(r),
                other => panic!("round {round}: {other:?}"),
            }
        }
        assert_eq!(
            created.len(),
            1,
            "round {round}: one submission, not {created:?}"
        );
        let record = created.remove(0);
        assert!(
            existing.iter().all(|r| *r == record),
            "round {round}: every caller gets the same receipt"
        );
        assert_eq!(
            f.one.envelopes(record.submission).await.unwrap(),
            std::slice::from_ref(&record)
        );
        let (submission, events) = check_history(&f.two, record.submission).await;
        assert_eq!(events.len(), 1);
        assert_eq!(submission.last_event, f.receipt(&record).sequence);
        assert_eq!(
            f.one.submissions_of(f.school).await.unwrap().len(),
            round + 1
        );
    }
    f.finish().await;
}

/// Two assessors' steps from one state, on two instances at once: exactly one applies, the
/// other is told the state it found, and the history has the winner's event only.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_steps_from_one_state_have_one_winner() {
    let f = fixture().await;
    let assessors = [f.assessor("A").await, f.assessor("B").await];
    for round in 0..ROUNDS {
        let id = f
            .submission_in(format!("round {round}").as_bytes(), &[])
            .await;
        let barrier = Arc::new(Barrier::new(2));
        let racers = [(f.one.clone(), assessors[0]), (f.two.clone(), assessors[1])].map(
            |(meta, assessor)| {
                let barrier = Arc::clone(&barrier);
                let (to, kind) = assigned();
                let mut s = step(id, ReviewState::Received, to, kind);
                s.actor = Actor {
                    role: Role::AwardingBody,
                    assessor: Some(assessor),
                };
                s.changes.assessor = Some(assessor);
                tokio::spawn(async move {
                    barrier.wait().await;
                    meta.transition(s).await.unwrap()
                })
            },
        );
        let [a, b] = racers;
        let (a, b) = (a.await.unwrap(), b.await.unwrap());
        let (winner, after) = match (a, b) {
            (Ok(after), Err(ReviewState::UnderReview)) => (assessors[0], after),
            (Err(ReviewState::UnderReview), Ok(after)) => (assessors[1], after),
            other => panic!("round {round}: expected one winner, got {other:?}"),
        };
        assert_eq!(after.assessor, Some(winner));
        let (record, events) = check_history(&f.one, id).await;
        assert_eq!(record, after);
        let states: Vec<_> = events.iter().map(|e| e.state).collect();
        assert_eq!(states, [ReviewState::Received, ReviewState::UnderReview]);
        assert_eq!(events[1].actor.assessor, Some(winner));
    }
    f.finish().await;
}

/// Two different answers to one request, the same answer twice, and a reassignment, all at
/// once on two instances: one new version, the same receipt to both senders of it, and the
/// reassignment either before the answer or told the submission has moved on.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn racing_resubmissions_record_one_version() {
    let f = fixture().await;
    let assessor = f.assessor("A").await;
    let path = [assigned(), evidence_requested()];
    for round in 0..ROUNDS {
        let id = f
            .submission_in(format!("round {round}").as_bytes(), &path)
            .await;
        let barrier = Arc::new(Barrier::new(4));
        let answer = |meta: &PgMeta, body: String| {
            let (meta, barrier) = (meta.clone(), Arc::clone(&barrier));
            let new = f.envelope(body.as_bytes(), Some(id));
            tokio::spawn(async move {
                barrier.wait().await;
                meta.commit_envelope(new).await.unwrap()
            })
        };
        let x1 = answer(&f.one, format!("round {round} x"));
        let x2 = answer(&f.two, format!("round {round} x"));
        let y = answer(&f.two, format!("round {round} y"));
        let reassign = {
            let (meta, barrier) = (f.one.clone(), Arc::clone(&barrier));
            let mut s = step(
                id,
                ReviewState::MoreEvidenceRequested,
                ReviewState::MoreEvidenceRequested,
                EventKind::Assigned {
                    review_due: day(2026, 4, 30),
                },
            );
            s.changes.assessor = Some(assessor);
            s.changes.review_due = Some(day(2026, 4, 30));
            tokio::spawn(async move {
                barrier.wait().await;
                meta.transition(s).await.unwrap()
            })
        };
        let (x1, x2, y) = (x1.await.unwrap(), x2.await.unwrap(), y.await.unwrap());
        let reassign = reassign.await.unwrap();

        let version = match (x1, x2, y) {
            // x won: its two senders share its receipt; y found the request answered.
            (
                CommitOutcome::Created(a),
                CommitOutcome::Existing(b),
                CommitOutcome::NotAwaitingEvidence(ReviewState::Resubmitted),
            )
            | (
                CommitOutcome::Existing(b),
                CommitOutcome::Created(a),
                CommitOutcome::NotAwaitingEvidence(ReviewState::Resubmitted),
            ) => {
                assert_eq!(a, b);
                a
            }
            // y won: both senders of x found the request answered.
            (
                CommitOutcome::NotAwaitingEvidence(ReviewState::Resubmitted),
                CommitOutcome::NotAwaitingEvidence(ReviewState::Resubmitted),
                CommitOutcome::Created(a),
            ) => a,
            other => panic!("round {round}: expected one new version, got {other:?}"),
        };
        assert_eq!((version.submission, version.version), (id, 2));
        let (record, events) = check_history(&f.two, id).await;
        assert_eq!(record.versions, 2);
        assert_eq!(record.request, None);
        let received = events
            .iter()
            .position(|e| matches!(e.kind, EventKind::Received { version: 2, .. }))
            .unwrap();
        assert_eq!(events[received].sequence, f.receipt(&version).sequence);
        let states: Vec<_> = events.iter().map(|e| e.state).collect();
        match reassign {
            Ok(_) => {
                // Applied before the answer (it needs the request still open).
                assert_eq!(received, 4);
                assert_eq!(
                    states,
                    [
                        ReviewState::Received,
                        ReviewState::UnderReview,
                        ReviewState::MoreEvidenceRequested,
                        ReviewState::MoreEvidenceRequested,
                        ReviewState::Resubmitted
                    ]
                );
                assert_eq!(record.review_due, Some(day(2026, 4, 30)));
            }
            Err(state) => {
                assert_eq!(state, ReviewState::Resubmitted);
                assert_eq!(
                    states,
                    [
                        ReviewState::Received,
                        ReviewState::UnderReview,
                        ReviewState::MoreEvidenceRequested,
                        ReviewState::Resubmitted
                    ]
                );
            }
        }
    }
    f.finish().await;
}

/// How many times each racer of [`a_long_race_leaves_a_valid_history`] tries its step.
const TRIES: usize = 15;

/// Tries the step `from` → `to` [`TRIES`] times on `meta`; how many applied.
fn racer(
    meta: &PgMeta,
    id: SubmissionId,
    from: ReviewState,
    to: ReviewState,
) -> tokio::task::JoinHandle<usize> {
    let meta = meta.clone();
    tokio::spawn(async move {
        let mut applied = 0;
        for _ in 0..TRIES {
            let mut s = if to == ReviewState::Recommended {
                step(id, from, to, EventKind::Recommended)
            } else {
                step(id, from, to, sent_back())
            };
            let recommendation = (to == ReviewState::Recommended).then(recommendation);
            s.changes.recommendation = Some(recommendation.clone());
            match meta.transition(s).await.unwrap() {
                Ok(r) => {
                    assert_eq!(r.recommendation, recommendation);
                    applied += 1;
                }
                Err(state) => assert_eq!(state, to),
            }
        }
        applied
    })
}

fn sent_back() -> EventKind {
    EventKind::SentBack {
        reason: "look again".into(),
    }
}

/// Recommend (on both instances) and send back, over and over at once, while a reader follows
/// the history with `since`: every applied step is one event, in an order that alternates
/// (each step's `from` is the previous event's state), and the reader misses nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_race_leaves_a_valid_history() {
    use ReviewState::{Recommended, UnderReview};
    let f = fixture().await;
    for round in 0..ROUNDS {
        let id = f
            .submission_in(format!("round {round}").as_bytes(), &[assigned()])
            .await;
        let recommend_one = racer(&f.one, id, UnderReview, Recommended);
        let recommend_two = racer(&f.two, id, UnderReview, Recommended);
        let send_back = racer(&f.two, id, Recommended, UnderReview);
        // A follower on instance one, reading on from the newest event it has seen.
        let follower = {
            let meta = f.one.clone();
            tokio::spawn(async move {
                let mut seen: Vec<Event> = Vec::new();
                for _ in 0..(2 * TRIES) {
                    let since = seen.last().map_or(0, |e| e.sequence);
                    seen.extend(meta.events(id, since).await.unwrap());
                    tokio::task::yield_now().await;
                }
                seen
            })
        };
        let recommended = recommend_one.await.unwrap() + recommend_two.await.unwrap();
        let sent_back_count = send_back.await.unwrap();
        let mut seen = follower.await.unwrap();

        let (record, events) = check_history(&f.one, id).await;
        assert!(
            recommended >= 1,
            "round {round}: the first recommendation always applies"
        );
        assert!(recommended == sent_back_count || recommended == sent_back_count + 1);
        assert_eq!(events.len(), 2 + recommended + sent_back_count);
        for (i, e) in events[2..].iter().enumerate() {
            let expected = if i % 2 == 0 {
                (Recommended, EventKind::Recommended)
            } else {
                (UnderReview, sent_back())
            };
            assert_eq!(
                (e.state, e.kind.clone()),
                expected,
                "round {round}, event {i}"
            );
        }
        assert_eq!(record.recommendation.is_some(), record.state == Recommended);
        // What the follower pieced together is a prefix of the history, then the rest.
        let since = seen.last().map_or(0, |e| e.sequence);
        seen.extend(f.two.events(id, since).await.unwrap());
        assert_eq!(
            seen, events,
            "round {round}: the follower missed or reordered events"
        );
    }
    f.finish().await;
}

/// A step from `under_review` whose compare-and-set reads the submission `recommended`, while
/// a send-back (plain SQL playing another instance) holds the row: by the time the step looks
/// at the state under its lock, it is `under_review` again, so the step applies (as it would
/// have just after the send-back) rather than answering `Err(under_review)`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_step_that_finds_its_state_again_applies() {
    let f = fixture().await;
    let recommend = |id| {
        let mut s = step(
            id,
            ReviewState::UnderReview,
            ReviewState::Recommended,
            EventKind::Recommended,
        );
        s.changes.recommendation = Some(Some(recommendation()));
        s
    };
    let id = f.submission_in(b"one", &[assigned()]).await;
    f.one.transition(recommend(id)).await.unwrap().unwrap();
    let other = f.connection().await;
    other.batch_execute("BEGIN").await.unwrap();
    other
        .execute(
            "UPDATE submissions SET state = 'under_review', recommendation = NULL WHERE id = $1",
            &[&id.0],
        )
        .await
        .unwrap();
    let stepping = {
        let (meta, s) = (f.two.clone(), recommend(id));
        tokio::spawn(async move { meta.transition(s).await.unwrap() })
    };
    f.wait_for_lock("SELECT state FROM submissions").await;
    other.batch_execute("COMMIT").await.unwrap();
    let record = stepping.await.unwrap().unwrap();
    assert_eq!(record.state, ReviewState::Recommended);
    assert_eq!(record.recommendation, Some(recommendation()));
    let (_, events) = check_history(&f.one, id).await;
    let kinds: Vec<_> = events[2..].iter().map(|e| e.kind.clone()).collect();
    assert_eq!(kinds, [EventKind::Recommended, EventKind::Recommended]);
    f.finish().await;
}
