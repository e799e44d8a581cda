//! The JSON of every wire type, compared with `tests/snapshots/*.json`, so that a change to
//! the wire is always deliberate: a failing snapshot means the format changed — bump the
//! document's `format` (or the API version) if old clients or servers would misread it, then
//! rewrite the snapshots with `WAYMARK_BLESS=1 cargo test -p waymark-protocol --test snapshots`.

#![allow(clippy::unwrap_used, missing_docs)]

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use serde::de::DeserializeOwned;
use uuid::Uuid;
use waymark_protocol::api::*;
use waymark_protocol::crypt::{Identity, Recipient};
use waymark_protocol::envelope::{BlobRef, ENVELOPE_FORMAT, Envelope};
use waymark_protocol::erasure::{
    ERASURE_FORMAT, ErasureConfirmation, ErasureCounts, verify_erasure,
};
use waymark_protocol::ids::FrameworkRef;
use waymark_protocol::keys::{Fingerprint, KEY_SET_FORMAT, KeyRecipient, KeySet, SignedKeySet};
use waymark_protocol::manifest::*;
use waymark_protocol::receipt::{RECEIPT_FORMAT, Receipt};
use waymark_protocol::review::*;
use waymark_protocol::signed::SecretKey;
use waymark_protocol::{ApiError, ApiErrorCode, AssessorId, InstitutionId, Sha256, SubmissionId};

const KEY: &str = "AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=";
/// A throwaway identity made for these snapshots (age-keygen); it protects nothing.
const TEST_ONLY_AGE_IDENTITY: &str =
    "AGE-SECRET-KEY-1RYDXYGALE4KMUEN2F7YJGWCS7DYZRQ0379TKATYJZE5PT9H6WXLSHQ26FX";

fn at() -> DateTime<Utc> {
    "2026-12-01T09:30:00Z".parse().unwrap()
}
fn day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, 29).unwrap()
}
fn institution() -> InstitutionId {
    InstitutionId(Uuid::from_u128(0x0190_c7a2_0000_7000_8000_0000_0000_0001))
}
fn submission() -> SubmissionId {
    SubmissionId(Uuid::from_u128(0x0190_c7a2_0000_7000_8000_0000_0000_0002))
}
fn assessor() -> AssessorId {
    AssessorId(Uuid::from_u128(0x0190_c7a2_0000_7000_8000_0000_0000_0003))
}
fn key() -> SecretKey {
    SecretKey::from_base64(KEY).unwrap()
}
fn recipient() -> Recipient {
    Identity::from_secret_text(TEST_ONLY_AGE_IDENTITY)
        .unwrap()
        .recipient()
}
fn hash(n: u8) -> Sha256 {
    Sha256([n; 32])
}
fn framework() -> FrameworkRef {
    FrameworkRef {
        id: "technology-self-review".into(),
        version: "1.0".into(),
    }
}
fn key_set() -> KeySet {
    KeySet {
        format: KEY_SET_FORMAT,
        version: 1,
        awarding_body: "Waymark Technology Mark Board".into(),
        endpoint: "https://endpoint.example.org".into(),
        issued_at: at(),
        signing_key: key().public(),
        recipients: vec![KeyRecipient {
            label: "Board office".into(),
            age: recipient(),
        }],
        previous: None,
    }
}
fn envelope() -> Envelope {
    Envelope {
        format: ENVELOPE_FORMAT,
        institution: institution(),
        framework: framework(),
        award: "technology-mark".into(),
        created_at: at(),
        nonce: "00112233445566778899aabbccddeeff".into(),
        responds_to: None,
        key_set: Fingerprint("0123456789abcdef0123456789abcdef".into()),
        manifest: BlobRef {
            sha256: hash(1),
            size: 4096,
        },
        blobs: vec![BlobRef {
            sha256: hash(2),
            size: 1_048_576,
        }],
    }
}
fn summary() -> SubmissionSummary {
    SubmissionSummary {
        id: submission(),
        institution: institution(),
        institution_name: "Ysgol Gynradd Llanfair".into(),
        framework: framework(),
        award: "technology-mark".into(),
        state: ReviewState::UnderReview,
        received_at: at(),
        updated_at: at(),
        review_due: Some(day()),
        versions: 1,
    }
}
fn feedback() -> Feedback {
    Feedback {
        strengths: "A shared vision.".into(),
        areas_for_development: "Assessment.".into(),
        enhanced_practice: None,
    }
}
fn award() -> AwardRecord {
    AwardRecord {
        verification_code: "k7mzq2x9p4r8".into(),
        submission: submission(),
        award: "technology-mark".into(),
        title: "Technology Mark".into(),
        awarded_on: day(),
        expires_on: NaiveDate::from_ymd_opt(2029, 12, 29).unwrap(),
    }
}
fn request() -> EvidenceRequest {
    EvidenceRequest {
        message: "Please add the minutes.".into(),
        benchmarks: vec![BenchmarkRequest {
            benchmark: "E1.S1.A1".into(),
            message: "Minutes of the governors' meeting.".into(),
        }],
    }
}
fn event() -> Event {
    Event {
        sequence: 7,
        submission: submission(),
        at: at(),
        actor: Actor {
            role: Role::Assessor,
            assessor: Some(assessor()),
        },
        state: ReviewState::MoreEvidenceRequested,
        kind: EventKind::EvidenceRequested { request: request() },
    }
}

/// Checks `value` against its snapshot and that the snapshot reads back as the same value.
fn snapshot<T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug>(name: &str, value: &T) {
    let path = format!("{}/tests/snapshots/{name}.json", env!("CARGO_MANIFEST_DIR"));
    let mut now = serde_json::to_string_pretty(value).unwrap();
    now.push('\n');
    if std::env::var_os("WAYMARK_BLESS").is_some() {
        std::fs::write(&path, &now).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == now,
        "the wire form of {name} changed (tests/snapshots/{name}.json); if deliberate, bless it (see this file's header)\n--- now:\n{now}"
    );
    let back: T = serde_json::from_str(&committed).unwrap();
    assert_eq!(&back, value, "{name} does not read back as written");
}

#[test]
fn signed_documents() {
    let signed_envelope = envelope().sign(&key());
    snapshot("envelope", &envelope());
    snapshot("signed_envelope", &signed_envelope);
    snapshot("key_set", &key_set());
    snapshot(
        "signed_key_set",
        &SignedKeySet::sign(&key_set(), &key(), None).unwrap(),
    );
    let receipt = Receipt {
        format: RECEIPT_FORMAT,
        submission: submission(),
        version: 1,
        institution: institution(),
        envelope_sha256: signed_envelope.body_sha256(),
        received_at: at(),
        sequence: 42,
    };
    snapshot("receipt", &receipt);
    snapshot("signed_receipt", &receipt.sign(&key()));
    let erasure = ErasureConfirmation {
        format: ERASURE_FORMAT,
        institution: institution(),
        requested_by: Role::Institution,
        erased_at: at(),
        deleted: ErasureCounts {
            submissions: 2,
            envelopes: 3,
            events: 9,
            awards: 1,
            uploads: 4,
            blobs: 4,
            blob_bytes: 1_052_672,
            tokens: 1,
            enrollment_codes: 1,
            assessor_links: 0,
            profiles: 1,
        },
    };
    snapshot("erasure_confirmation", &erasure);
    let signed_erasure = erasure.sign(&key());
    snapshot("signed_erasure_confirmation", &signed_erasure);
    assert_eq!(
        verify_erasure(&signed_erasure, &key_set()).unwrap(),
        erasure
    );
    // An erasure confirmation is not a receipt, nor the other way round.
    assert!(waymark_protocol::receipt::verify_receipt(&signed_erasure, &key_set(), None).is_err());
    assert!(verify_erasure(&receipt.sign(&key()), &key_set()).is_err());
    snapshot(
        "erasure_response",
        &ErasureResponse {
            confirmation: signed_erasure,
            created: true,
        },
    );
}

#[test]
fn the_manifest() {
    let manifest = Manifest {
        format: MANIFEST_FORMAT,
        institution: ManifestInstitution {
            name: "Ysgol Gynradd Llanfair".into(),
            identifier: Some("urn:schoolid:uk:100001".into()),
        },
        framework: framework(),
        award: "technology-mark".into(),
        prepared_at: at(),
        prepared_by: "Mrs Jones".into(),
        responses: vec![ManifestResponse {
            benchmark: "E1.S1.A1".into(),
            level: Some(2),
            commentary: "Governors agreed the vision in March.".into(),
            updated_at: Some(at()),
            updated_by: Some("Mrs Jones".into()),
        }],
        history: vec![HistoryEntry {
            at: at(),
            benchmark: "E1.S1.A1".into(),
            by: Some("Mrs Jones".into()),
            summary: "level 3 → 2".into(),
        }],
        actions: vec![ManifestAction {
            title: "Review the vision with pupils".into(),
            detail: String::new(),
            benchmark: Some("E1.S1.A1".into()),
            owner: Some("Mr Evans".into()),
            due: Some(day()),
            status: "planned".into(),
        }],
        working_group: vec![ManifestContributor {
            name: "Mr Evans".into(),
            role: "Computing lead".into(),
            email: None,
        }],
        evidence: vec![ManifestEvidence {
            id: "ev-1".into(),
            title: "Governors' minutes".into(),
            file_name: "minutes-2026-03.pdf".into(),
            size: 1_000_000,
            blake3: "ab".repeat(32),
            links: vec![EvidenceLink {
                benchmark: "E1.S1.A1".into(),
                requirement: Some("E1.S1.A1-vision".into()),
            }],
            personal_data: false,
            blob: BlobRef {
                sha256: hash(2),
                size: 1_048_576,
            },
        }],
    };
    manifest.check().unwrap();
    snapshot("manifest", &manifest);
}

#[test]
fn api_bodies() {
    snapshot(
        "api_error",
        &ApiError {
            code: ApiErrorCode::MissingBlob,
            message: "blob 02… is not on the server".into(),
        },
    );
    snapshot(
        "health",
        &Health {
            status: "ok".into(),
            version: "0.1.0".into(),
        },
    );
    snapshot(
        "redeem_request",
        &RedeemRequest {
            secret: "abcdefghijkmnpqrstuvwxyz23".into(),
            public_key: Some(key().public()),
            age_recipient: None,
            device: Some("Head's laptop".into()),
        },
    );
    let info = InstitutionInfo {
        id: institution(),
        name: "Ysgol Gynradd Llanfair".into(),
        identifier: "urn:schoolid:uk:100001".into(),
        public_key: Some(key().public()),
    };
    let assessor_info = AssessorInfo {
        id: assessor(),
        name: "Ada Assessor".into(),
        email: "ada@assessors.example".into(),
        age_recipient: Some(recipient()),
    };
    snapshot(
        "redeem_response",
        &RedeemResponse {
            account: Account::Institution(info.clone()),
            token: "wmt1_aaaaaaaaaaaaaaaaaaaaaaaaaa_bbbbbbbbbbbbbbbbbbbbbbbbbb".into(),
            key_sets: vec![SignedKeySet::sign(&key_set(), &key(), None).unwrap()],
        },
    );
    snapshot("account_assessor", &Account::Assessor(assessor_info));
    snapshot(
        "held_request",
        &HeldRequest {
            sha256: vec![hash(1), hash(2)],
        },
    );
    snapshot(
        "held_response",
        &HeldResponse {
            held: vec![BlobRef {
                sha256: hash(1),
                size: 4096,
            }],
        },
    );
    let signed = envelope().sign(&key());
    snapshot(
        "commit_request",
        &CommitRequest {
            envelope: signed.clone(),
        },
    );
    snapshot(
        "commit_response",
        &CommitResponse {
            submission: submission(),
            receipt: signed.clone(),
            created: true,
        },
    );
    snapshot(
        "submission_list",
        &SubmissionList {
            submissions: vec![summary()],
        },
    );
    snapshot(
        "submission_status",
        &SubmissionStatus {
            summary: summary(),
            request: Some(request()),
            feedback: Some(feedback()),
            award: Some(award()),
            receipts: vec![signed.clone()],
            last_event: 7,
        },
    );
    snapshot(
        "event_list",
        &EventList {
            events: vec![
                event(),
                Event {
                    kind: EventKind::Awarded {
                        award: award(),
                        feedback: feedback(),
                    },
                    state: ReviewState::Awarded,
                    actor: Actor {
                        role: Role::Moderator,
                        assessor: None,
                    },
                    ..event()
                },
            ],
        },
    );
    let assignment = Assignment {
        summary: summary(),
        role: Role::Assessor,
        other: Some(assessor()),
    };
    snapshot(
        "assignment_list",
        &AssignmentList {
            assignments: vec![assignment.clone()],
        },
    );
    let recommendation = Recommendation {
        outcome: Outcome::Award,
        feedback: feedback(),
        notes: "Visited on 3 December.".into(),
        judgements: vec![waymark_protocol::api::BenchmarkJudgement {
            benchmark: "E1.S1.A1".into(),
            agreed: false,
            level: Some(2),
            note: "The plan is not yet costed.".into(),
        }],
    };
    snapshot(
        "assessor_submission",
        &AssessorSubmission {
            assignment,
            institution_key: key().public(),
            institution: info.clone(),
            envelopes: vec![signed],
            recommendation: Some(recommendation.clone()),
            events: vec![event()],
        },
    );
    snapshot("recommendation", &recommendation);
    snapshot("moderation_confirm", &Moderation::Confirm);
    snapshot(
        "moderation_send_back",
        &Moderation::SendBack {
            reason: "Say more about assessment.".into(),
        },
    );
    snapshot(
        "link_declaration",
        &LinkDeclaration {
            institution: institution(),
            reason: "Governor since 2024".into(),
        },
    );
    snapshot(
        "new_institution",
        &NewInstitution {
            name: "Ysgol Gynradd Llanfair".into(),
            identifier: "urn:schoolid:uk:100001".into(),
        },
    );
    snapshot(
        "new_assessor",
        &NewAssessor {
            name: "Ada Assessor".into(),
            email: "ada@assessors.example".into(),
        },
    );
    snapshot("issued_code", &IssuedCode {
        account: Account::Institution(info.clone()),
        code: "wm1:abcdefghijkmnpqrstuvwxyz23:0123456789abcdef0123456789abcdef:https://endpoint.example.org".into(),
        expires_at: at(),
    });
    snapshot(
        "assign_request",
        &AssignRequest {
            assessor: assessor(),
            moderator: AssessorId(Uuid::from_u128(4)),
        },
    );
    snapshot(
        "expiring_awards",
        &ExpiringAwards {
            awards: vec![ExpiringAward {
                institution: info,
                award: award(),
            }],
        },
    );
    let profile = InstitutionProfile {
        format: PROFILE_FORMAT,
        name: "Ysgol Gynradd Llanfair".into(),
        identifier: Some("100001".into()),
        phase: Some(Phase::Primary),
        contact_name: Some("Mrs Jones".into()),
        email: Some("head@llanfair.example".into()),
        role: Some("Head teacher".into()),
        working_group: vec![WorkingGroupMember {
            name: "Mr Evans".into(),
            role: Some("Computing lead".into()),
            email: None,
        }],
    };
    snapshot("institution_profile", &profile);
    snapshot(
        "profile_record",
        &ProfileRecord {
            institution: institution(),
            profile,
            version: 2,
            corrected_at: at(),
            changed: vec!["email".into(), "working_group".into()],
            recorded_in: vec![submission()],
        },
    );
    snapshot(
        "profile_problems",
        &ProfileProblems {
            code: ApiErrorCode::InvalidProfile,
            message: "the profile has 1 problem".into(),
            problems: vec![FieldProblem {
                field: "working_group[0].email".into(),
                code: FieldProblemCode::NotAnEmail,
                message: "\"evans@\" is not an email address".into(),
            }],
        },
    );
    snapshot(
        "event_profile_corrected",
        &Event {
            sequence: 9,
            submission: submission(),
            at: at(),
            actor: Actor {
                role: Role::Institution,
                assessor: None,
            },
            state: ReviewState::UnderReview,
            kind: EventKind::ProfileCorrected {
                version: 2,
                fields: vec!["email".into()],
            },
        },
    );
    snapshot(
        "public_award",
        &PublicAward {
            institution: "Ysgol Gynradd Llanfair".into(),
            award: "Technology Mark".into(),
            framework: "Technology Self-Review Framework".into(),
            awarding_body: "Waymark Technology Mark Board".into(),
            awarded_on: day(),
            expires_on: NaiveDate::from_ymd_opt(2029, 12, 29).unwrap(),
            current: true,
        },
    );
}

#[test]
fn signed_snapshots_still_verify() {
    // The committed signed documents verify with the fixed key: signing is deterministic and
    // the bytes signed are exactly the bytes carried.
    let path = format!(
        "{}/tests/snapshots/signed_envelope.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let signed: waymark_protocol::signed::Signed =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    assert_eq!(
        Envelope::open(&signed, &key().public()).unwrap(),
        envelope()
    );
}
