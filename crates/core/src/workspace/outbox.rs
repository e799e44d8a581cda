//! The outbox through the one door: the sync client keeps its durable state here (the
//! enrollment, the sealed blobs, each submission's progress and receipt). The rules it cannot
//! break live here and in the store: a submission names only blobs the outbox holds, its
//! framework is its review's, and a delivered submission's receipt is never overwritten.

use std::collections::HashSet;
use std::path::{Component, Path, PathBuf};

use chrono::{DateTime, Utc};

use crate::error::{Entity, Error, Hint, Result};
use crate::outbox::{
    Enrollment, NewOutboxSubmission, OUTBOX_DIR, OutboxState, OutboxSubmission, SealedBlob,
};
use crate::workspace::Workspace;

/// Refuses a blank required value, naming its field.
fn required(field: &str, value: &str) -> Result<()> {
    if value.trim().is_empty() {
        return Err(Error::invalid(field, format!("The {field} is missing.")));
    }
    Ok(())
}

/// Refuses anything but a hex hash as the outbox names blobs: 64 lowercase hex digits (one
/// spelling per hash, so the same blob is never kept twice under two spellings).
fn hex_hash(field: &str, value: &str) -> Result<()> {
    if value.len() == 64
        && value
            .bytes()
            .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
    {
        return Ok(());
    }
    Err(Error::invalid(
        field,
        format!("{value:?} is not a hash: give 64 lowercase hexadecimal digits."),
    ))
}

/// Refuses a `Some` that is blank: absent is `None`.
fn not_blank(field: &str, value: Option<&str>) -> Result<()> {
    match value {
        Some(v) if v.trim().is_empty() => Err(Error::invalid(
            field,
            format!("The {field} is blank; leave it out instead."),
        )),
        _ => Ok(()),
    }
}

impl Workspace {
    /// The folder the sync client keeps sealed blobs in: `<data folder>/outbox` (made by the
    /// sync client when it first seals one, not here).
    pub fn outbox_dir(&self) -> PathBuf {
        self.data_dir.join(OUTBOX_DIR)
    }

    /// The awarding body's endpoint this data folder is enrolled with, if any.
    pub fn enrollment(&self) -> Result<Option<Enrollment>> {
        self.store.enrollment()
    }

    /// Records the enrollment, replacing any earlier one: a lost signing key is recovered by
    /// enrolling again with a new code. Every field is required; the endpoint is a base URL
    /// without a trailing slash.
    pub fn set_enrollment(&mut self, enrollment: &Enrollment) -> Result<()> {
        let e = enrollment;
        for (field, value) in [
            ("endpoint", &e.endpoint),
            ("institution_id", &e.institution_id),
            ("institution_name", &e.institution_name),
            ("identifier", &e.identifier),
            ("awarding_body", &e.awarding_body),
            ("fingerprint", &e.fingerprint),
            ("key_sets", &e.key_sets),
            ("public_key", &e.public_key),
            ("keychain_user", &e.keychain_user),
        ] {
            required(field, value)?;
        }
        if e.endpoint.ends_with('/') {
            return Err(Error::invalid(
                "endpoint",
                format!(
                    "Give the endpoint's address without a trailing slash ({:?}).",
                    e.endpoint.trim_end_matches('/')
                ),
            ));
        }
        self.store.set_enrollment(e)
    }

    /// Forgets the enrollment (the outbox itself is kept); `false` when there was none.
    pub fn remove_enrollment(&mut self) -> Result<bool> {
        self.store.remove_enrollment()
    }

    /// The sealed blob with this ciphertext SHA-256, if the outbox keeps it.
    pub fn sealed_blob(&self, sha256: &str) -> Result<Option<SealedBlob>> {
        self.store.sealed_blob(sha256)
    }

    /// The blob sealing the plaintext with this BLAKE3 to this recipient set, if the outbox
    /// keeps one: a later submission sending the same file references it instead of encrypting
    /// and uploading it again.
    pub fn sealed_blob_for(
        &self,
        plain_blake3: &str,
        recipients: &str,
    ) -> Result<Option<SealedBlob>> {
        self.store.sealed_blob_for(plain_blake3, recipients)
    }

    /// Keeps a sealed blob. Adding the same blob again (same ciphertext hash, sizes, plaintext,
    /// recipients and file) changes nothing, its upload progress included; a blob that
    /// disagrees with a kept one, by ciphertext hash or by (plaintext, recipients), is refused.
    pub fn add_sealed_blob(&mut self, blob: &SealedBlob) -> Result<()> {
        hex_hash("sha256", &blob.sha256)?;
        hex_hash("plain_blake3", &blob.plain_blake3)?;
        required("recipients", &blob.recipients)?;
        required("file", &blob.file)?;
        let file = Path::new(&blob.file);
        if !file.is_relative()
            || file
                .components()
                .any(|c| !matches!(c, Component::Normal(_) | Component::CurDir))
        {
            return Err(Error::invalid(
                "file",
                format!(
                    "{:?} must be a path inside the data folder, relative to it (e.g. outbox/blobs/<sha256>.age).",
                    blob.file
                ),
            ));
        }
        not_blank("upload_url", blob.upload_url.as_deref())?;
        if blob.held && blob.upload_url.is_some() {
            return Err(Error::invalid(
                "upload_url",
                "A blob the endpoint holds has no upload to resume; leave the upload out.",
            ));
        }
        self.store.add_sealed_blob(blob)
    }

    /// Records where a blob's upload can be resumed (the tus upload's `Location`), or with
    /// `None` forgets it (e.g. the endpoint no longer knows that upload).
    pub fn set_blob_upload_url(&mut self, sha256: &str, url: Option<&str>) -> Result<()> {
        not_blank("upload_url", url)?;
        self.store.set_blob_upload_url(sha256, url)
    }

    /// Marks a blob as held by the endpoint (it need not be sent again), forgetting its upload.
    pub fn set_blob_held(&mut self, sha256: &str) -> Result<()> {
        self.store.set_blob_held(sha256)
    }

    /// Every sealed blob the outbox keeps, by ciphertext hash.
    pub fn sealed_blobs(&self) -> Result<Vec<SealedBlob>> {
        self.store.sealed_blobs()
    }

    /// Puts a packaged, signed submission in the outbox, queued with no attempts yet, with the
    /// blobs it needs, in one transaction. Refused, with nothing written, when its review does
    /// not exist or is on another framework or version, its id is already in the outbox, the
    /// manifest is not the first blob, a blob is listed twice, or a blob is not a sealed blob.
    pub fn queue_submission(&mut self, new: &NewOutboxSubmission) -> Result<OutboxSubmission> {
        for (field, value) in [
            ("id", &new.id),
            ("review_id", &new.review_id),
            ("award", &new.award),
            ("framework_id", &new.framework_id),
            ("framework_version", &new.framework_version),
            ("envelope", &new.envelope),
            ("manifest", &new.manifest),
            ("summary", &new.summary),
        ] {
            required(field, value)?;
        }
        not_blank("responds_to", new.responds_to.as_deref())?;
        if new.blobs.first() != Some(&new.manifest) {
            return Err(Error::invalid(
                "manifest",
                "The manifest must be the first of the submission's blobs.",
            ));
        }
        let mut seen = HashSet::new();
        for sha256 in &new.blobs {
            hex_hash("blobs", sha256)?;
            if !seen.insert(sha256) {
                return Err(Error::invalid(
                    "blobs",
                    format!("Blob {sha256} is listed twice; list each blob once."),
                ));
            }
        }
        let reviews = self.store.reviews()?;
        let Some(review) = reviews.iter().find(|r| r.id == new.review_id) else {
            let ids = reviews.into_iter().map(|r| r.id).collect();
            return Err(Error::not_found(
                Entity::Review,
                &new.review_id,
                Hint::Available { ids },
            ));
        };
        if (
            review.framework_id.as_str(),
            review.framework_version.as_str(),
        ) != (new.framework_id.as_str(), new.framework_version.as_str())
        {
            return Err(Error::invalid(
                "framework_version",
                format!(
                    "The review is on {} version {}, not {} version {}: package the submission from the review as it is now.",
                    review.framework_id,
                    review.framework_version,
                    new.framework_id,
                    new.framework_version
                ),
            ));
        }
        self.store.queue_submission(new)
    }

    /// Every submission in the outbox, whatever its state, oldest first.
    pub fn outbox(&self) -> Result<Vec<OutboxSubmission>> {
        self.store.outbox()
    }

    /// One submission in the outbox by its local id.
    pub fn outbox_submission(&self, id: &str) -> Result<OutboxSubmission> {
        self.store
            .outbox_submission(id)?
            .ok_or_else(|| crate::store::outbox::submission_not_found(id))
    }

    /// The submissions still to be delivered (queued), oldest first. When each may be tried
    /// again ([`OutboxSubmission::next_attempt_at`]) is the sync client's to judge.
    pub fn pending_submissions(&self) -> Result<Vec<OutboxSubmission>> {
        self.store.submissions_in(OutboxState::Queued)
    }

    /// Records a failed delivery attempt of a queued submission: one more attempt, why it
    /// failed, and when to try again (`None`: as soon as possible).
    pub fn record_attempt(
        &mut self,
        id: &str,
        error: &str,
        next_attempt_at: Option<DateTime<Utc>>,
    ) -> Result<()> {
        self.store.record_attempt(id, error, next_attempt_at)
    }

    /// Records that the endpoint refused a queued submission for good (`error` says why): it
    /// is no longer pending, and stays in the outbox as a record.
    pub fn record_refused(&mut self, id: &str, error: &str) -> Result<()> {
        self.store.record_refused(id, error)
    }

    /// Adds `n` bytes to what has been sent for a queued submission.
    pub fn add_bytes_sent(&mut self, id: &str, n: u64) -> Result<()> {
        self.store.add_bytes_sent(id, n)
    }

    /// Records that the endpoint committed a queued submission: its id there and the signed
    /// receipt, at `at`; the last error and retry time are cleared. Recording the same id and
    /// receipt again changes nothing; any other change to a delivered submission is refused,
    /// so a receipt is never overwritten.
    pub fn record_sent(
        &mut self,
        id: &str,
        server_id: &str,
        receipt: &str,
        at: DateTime<Utc>,
    ) -> Result<()> {
        required("server_id", server_id)?;
        required("receipt", receipt)?;
        self.store.record_sent(id, server_id, receipt, at)
    }

    /// Records the status pulled from the endpoint for a delivered submission, with its ETag
    /// (for `If-None-Match` next time), checked at `at`.
    pub fn record_status(
        &mut self,
        id: &str,
        status: &str,
        tag: Option<&str>,
        at: DateTime<Utc>,
    ) -> Result<()> {
        required("status", status)?;
        not_blank("status_tag", tag)?;
        self.store.record_status(id, status, tag, at)
    }

    /// Records that a delivered submission's status was checked at `at` and had not changed
    /// (the endpoint answered 304).
    pub fn record_status_checked(&mut self, id: &str, at: DateTime<Utc>) -> Result<()> {
        self.store.record_status_checked(id, at)
    }

    /// The submission the endpoint knows by `server_id`, if it is in the outbox.
    pub fn submission_by_server_id(&self, server_id: &str) -> Result<Option<OutboxSubmission>> {
        self.store.submission_by_server_id(server_id)
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::store::{InstitutionInput, Review};

    fn at(day: u32, hour: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2025, 5, day, hour, 0, 0)
            .single()
            .expect("a valid time")
    }

    fn registered(dir: &Path) -> (Workspace, Review) {
        let mut ws = Workspace::open_with_keys(dir, crate::keys::test_keys()).expect("open");
        let school = InstitutionInput {
            name: "Outbox Primary".into(),
            ..InstitutionInput::default()
        };
        let review = ws
            .register("computing-quality", None, &school, "Head")
            .expect("register");
        (ws, review)
    }

    fn enrollment(code: &str) -> Enrollment {
        Enrollment {
            endpoint: "https://awards.example.org".into(),
            institution_id: "01900000-0000-7000-8000-0000000000b1".into(),
            institution_name: "Outbox Primary".into(),
            identifier: "401234".into(),
            awarding_body: "Example Awarding Body".into(),
            fingerprint: format!("wks1-{code}"),
            key_sets: format!(r#"[{{"set":"{code}"}}]"#),
            public_key: format!("ed25519:{code}"),
            keychain_user: format!("waymark-{code}"),
            enrolled_at: at(1, 9),
        }
    }

    /// A sealed blob whose hashes are `c` repeated (ciphertext) and `p` repeated (plaintext).
    fn blob(c: char, p: char) -> SealedBlob {
        let sha256: String = std::iter::repeat_n(c, 64).collect();
        SealedBlob {
            file: format!("outbox/blobs/{sha256}.age"),
            sha256,
            size: 1024,
            plain_blake3: std::iter::repeat_n(p, 64).collect(),
            plain_size: 900,
            recipients: "wks1-first".into(),
            upload_url: None,
            held: false,
        }
    }

    fn submission(id: &str, review: &Review, blobs: &[&SealedBlob]) -> NewOutboxSubmission {
        let blobs: Vec<String> = blobs.iter().map(|b| b.sha256.clone()).collect();
        NewOutboxSubmission {
            id: id.into(),
            review_id: review.id.clone(),
            award: "mark".into(),
            framework_id: review.framework_id.clone(),
            framework_version: review.framework_version.clone(),
            responds_to: None,
            envelope: format!(r#"{{"envelope":"{id}"}}"#),
            manifest: blobs[0].clone(),
            blobs,
            summary: r#"{"files":2}"#.into(),
            queued_at: at(2, 9),
        }
    }

    fn invalid_field(result: Result<impl std::fmt::Debug>) -> String {
        match result {
            Err(Error::Invalid { field, .. }) => field,
            other => panic!("expected invalid input, got {other:?}"),
        }
    }

    #[test]
    fn an_enrollment_is_kept_replaced_by_enrolling_again_and_removed() {
        let dir = tempfile::tempdir().expect("dir");
        let mut ws = Workspace::open_with_keys(dir.path(), crate::keys::test_keys()).expect("open");
        assert_eq!(ws.enrollment().expect("read"), None);
        assert!(!ws.remove_enrollment().expect("remove nothing"));

        let first = enrollment("first");
        ws.set_enrollment(&first).expect("enrol");
        assert_eq!(ws.enrollment().expect("read"), Some(first));

        // A lost key: enrolled again with a new code, the new enrollment replaces the old.
        let second = Enrollment {
            enrolled_at: at(9, 14),
            ..enrollment("second")
        };
        ws.set_enrollment(&second).expect("enrol again");
        assert_eq!(ws.enrollment().expect("read"), Some(second));

        assert!(ws.remove_enrollment().expect("remove"));
        assert_eq!(ws.enrollment().expect("read"), None);
    }

    #[test]
    fn an_enrollment_needs_every_field_and_an_endpoint_without_a_trailing_slash() {
        let dir = tempfile::tempdir().expect("dir");
        let mut ws = Workspace::open_with_keys(dir.path(), crate::keys::test_keys()).expect("open");
        let slash = Enrollment {
            endpoint: "https://awards.example.org/".into(),
            ..enrollment("first")
        };
        assert_eq!(invalid_field(ws.set_enrollment(&slash)), "endpoint");
        let blank = Enrollment {
            keychain_user: " ".into(),
            ..enrollment("first")
        };
        assert_eq!(invalid_field(ws.set_enrollment(&blank)), "keychain_user");
        assert_eq!(ws.enrollment().expect("read"), None);
    }

    #[test]
    fn sealed_blobs_are_found_by_ciphertext_and_by_plaintext_and_recipients() {
        let dir = tempfile::tempdir().expect("dir");
        let mut ws = Workspace::open_with_keys(dir.path(), crate::keys::test_keys()).expect("open");
        assert_eq!(ws.outbox_dir(), dir.path().join("outbox"));
        let (b, a) = (blob('b', '2'), blob('a', '1'));
        ws.add_sealed_blob(&b).expect("add");
        ws.add_sealed_blob(&a).expect("add");
        assert_eq!(ws.sealed_blob(&a.sha256).expect("read"), Some(a.clone()));
        assert_eq!(
            ws.sealed_blob_for(&b.plain_blake3, &b.recipients)
                .expect("read"),
            Some(b.clone())
        );
        // The same plaintext to other recipients is another blob.
        assert_eq!(
            ws.sealed_blob_for(&b.plain_blake3, "wks1-other")
                .expect("read"),
            None
        );
        assert_eq!(ws.sealed_blob(&"c".repeat(64)).expect("read"), None);
        assert_eq!(ws.sealed_blobs().expect("list"), [a.clone(), b.clone()]);

        // Resuming an upload, then finishing it: held forgets the upload.
        let url = "https://awards.example.org/v1/uploads/01900000-0000-7000-8000-0000000000c1";
        ws.set_blob_upload_url(&a.sha256, Some(url)).expect("url");
        assert_eq!(
            ws.sealed_blob(&a.sha256)
                .expect("read")
                .and_then(|b| b.upload_url),
            Some(url.to_owned())
        );
        ws.set_blob_upload_url(&a.sha256, None).expect("forget");
        ws.set_blob_upload_url(&a.sha256, Some(url)).expect("url");
        ws.set_blob_held(&a.sha256).expect("held");
        let held = ws.sealed_blob(&a.sha256).expect("read").expect("kept");
        assert!(held.held);
        assert_eq!(held.upload_url, None);
        ws.set_blob_held(&a.sha256)
            .expect("held again changes nothing");
        assert_eq!(
            invalid_field(ws.set_blob_upload_url(&a.sha256, Some(url))),
            "upload_url"
        );

        // Unknown blobs are not found, by the hash asked for.
        let missing = "f".repeat(64);
        for result in [
            ws.set_blob_held(&missing),
            ws.set_blob_upload_url(&missing, Some(url)),
        ] {
            match result {
                Err(Error::NotFound { what, id, .. }) => {
                    assert_eq!((what, id.as_str()), (Entity::SealedBlob, missing.as_str()));
                }
                other => panic!("expected not found, got {other:?}"),
            }
        }
    }

    #[test]
    fn adding_a_sealed_blob_again_is_idempotent_and_a_different_one_is_refused() {
        let dir = tempfile::tempdir().expect("dir");
        let mut ws = Workspace::open_with_keys(dir.path(), crate::keys::test_keys()).expect("open");
        let a = blob('a', '1');
        ws.add_sealed_blob(&a).expect("add");
        let url = "https://awards.example.org/v1/uploads/1";
        ws.set_blob_upload_url(&a.sha256, Some(url)).expect("url");
        // The same blob again: nothing changes, its upload progress included.
        ws.add_sealed_blob(&a).expect("same again");
        let kept = ws.sealed_blob(&a.sha256).expect("read").expect("kept");
        assert_eq!(kept.upload_url.as_deref(), Some(url));

        // The same ciphertext hash with other facts.
        let other_size = SealedBlob {
            size: 2048,
            ..a.clone()
        };
        assert_eq!(invalid_field(ws.add_sealed_blob(&other_size)), "sha256");
        // The same (plaintext, recipients) under another ciphertext: unique.
        let resealed = SealedBlob {
            plain_blake3: a.plain_blake3.clone(),
            ..blob('b', '9')
        };
        assert_eq!(invalid_field(ws.add_sealed_blob(&resealed)), "plain_blake3");
        // The same plaintext to other recipients is fine.
        let other_recipients = SealedBlob {
            recipients: "wks1-second".into(),
            ..resealed.clone()
        };
        ws.add_sealed_blob(&other_recipients)
            .expect("other recipients");
        assert_eq!(ws.sealed_blobs().expect("list").len(), 2);

        // Shapes the outbox refuses.
        let upper = SealedBlob {
            sha256: "A".repeat(64),
            ..blob('c', '3')
        };
        assert_eq!(invalid_field(ws.add_sealed_blob(&upper)), "sha256");
        let outside = SealedBlob {
            file: "../elsewhere.age".into(),
            ..blob('c', '3')
        };
        assert_eq!(invalid_field(ws.add_sealed_blob(&outside)), "file");
        let absolute = SealedBlob {
            file: "/tmp/x.age".into(),
            ..blob('c', '3')
        };
        assert_eq!(invalid_field(ws.add_sealed_blob(&absolute)), "file");
        let held_with_upload = SealedBlob {
            held: true,
            upload_url: Some(url.into()),
            ..blob('c', '3')
        };
        assert_eq!(
            invalid_field(ws.add_sealed_blob(&held_with_upload)),
            "upload_url"
        );
        assert_eq!(ws.sealed_blobs().expect("list").len(), 2);
    }

    #[test]
    fn a_queued_submission_reads_back_with_its_blobs_in_order() {
        let dir = tempfile::tempdir().expect("dir");
        let (mut ws, review) = registered(dir.path());
        let (manifest, evidence) = (blob('e', '1'), blob('d', '2'));
        ws.add_sealed_blob(&manifest).expect("add");
        ws.add_sealed_blob(&evidence).expect("add");
        let new = NewOutboxSubmission {
            responds_to: Some("01900000-0000-7000-8000-0000000000e1".into()),
            ..submission(
                "01900000-0000-7000-8000-0000000000d1",
                &review,
                &[&manifest, &evidence],
            )
        };
        let queued = ws.queue_submission(&new).expect("queue");
        let want = OutboxSubmission {
            id: new.id.clone(),
            review_id: review.id.clone(),
            award: "mark".into(),
            framework_id: review.framework_id.clone(),
            framework_version: review.framework_version.clone(),
            responds_to: new.responds_to.clone(),
            envelope: new.envelope.clone(),
            manifest: manifest.sha256.clone(),
            // In the order given (manifest first), not sorted.
            blobs: vec![manifest.sha256.clone(), evidence.sha256.clone()],
            summary: new.summary.clone(),
            state: OutboxState::Queued,
            queued_at: new.queued_at,
            attempts: 0,
            next_attempt_at: None,
            last_error: None,
            bytes_sent: 0,
            server_id: None,
            receipt: None,
            sent_at: None,
            status: None,
            status_tag: None,
            status_checked_at: None,
        };
        assert_eq!(queued, want);
        assert_eq!(ws.outbox_submission(&new.id).expect("read"), want);
        assert_eq!(ws.outbox().expect("list"), std::slice::from_ref(&want));
        assert_eq!(ws.pending_submissions().expect("pending"), [want]);
    }

    #[test]
    fn queueing_with_a_blob_the_outbox_does_not_hold_is_refused_and_writes_nothing() {
        let dir = tempfile::tempdir().expect("dir");
        let (mut ws, review) = registered(dir.path());
        let manifest = blob('e', '1');
        ws.add_sealed_blob(&manifest).expect("add");
        let unknown = blob('d', '2');
        let new = submission("s1", &review, &[&manifest, &unknown]);
        let written = ws.store.rows_written();
        match ws.queue_submission(&new) {
            Err(Error::Invalid { field, message }) => {
                assert_eq!(field, "blobs");
                assert!(message.contains(&unknown.sha256), "{message}");
            }
            other => panic!("expected refusal, got {other:?}"),
        }
        assert_eq!(ws.store.rows_written(), written, "nothing written");
        assert_eq!(ws.outbox().expect("list"), []);
        assert!(matches!(
            ws.outbox_submission("s1"),
            Err(Error::NotFound {
                what: Entity::Submission,
                ..
            })
        ));
        // Once sealed, the same submission queues.
        ws.add_sealed_blob(&unknown).expect("add");
        ws.queue_submission(&new).expect("queue");
    }

    #[test]
    fn a_submission_that_breaks_a_rule_is_refused_naming_the_field() {
        let dir = tempfile::tempdir().expect("dir");
        let (mut ws, review) = registered(dir.path());
        let (manifest, evidence) = (blob('e', '1'), blob('d', '2'));
        ws.add_sealed_blob(&manifest).expect("add");
        ws.add_sealed_blob(&evidence).expect("add");
        let good = submission("s1", &review, &[&manifest, &evidence]);

        let manifest_last = NewOutboxSubmission {
            blobs: vec![evidence.sha256.clone(), manifest.sha256.clone()],
            ..good.clone()
        };
        assert_eq!(
            invalid_field(ws.queue_submission(&manifest_last)),
            "manifest"
        );
        let twice = NewOutboxSubmission {
            blobs: vec![manifest.sha256.clone(), manifest.sha256.clone()],
            ..good.clone()
        };
        assert_eq!(invalid_field(ws.queue_submission(&twice)), "blobs");
        let no_blobs = NewOutboxSubmission {
            blobs: Vec::new(),
            ..good.clone()
        };
        assert_eq!(invalid_field(ws.queue_submission(&no_blobs)), "manifest");
        let no_envelope = NewOutboxSubmission {
            envelope: String::new(),
            ..good.clone()
        };
        assert_eq!(invalid_field(ws.queue_submission(&no_envelope)), "envelope");
        let other_version = NewOutboxSubmission {
            framework_version: "1.0".into(),
            ..good.clone()
        };
        assert_eq!(
            invalid_field(ws.queue_submission(&other_version)),
            "framework_version"
        );
        let no_review = NewOutboxSubmission {
            review_id: "01900000-0000-7000-8000-00000000ffff".into(),
            ..good.clone()
        };
        match ws.queue_submission(&no_review) {
            Err(Error::NotFound { what, id, hint }) => {
                assert_eq!(
                    (what, id.as_str()),
                    (Entity::Review, no_review.review_id.as_str())
                );
                assert_eq!(
                    hint,
                    Hint::Available {
                        ids: vec![review.id.clone()]
                    }
                );
            }
            other => panic!("expected not found, got {other:?}"),
        }
        assert_eq!(ws.outbox().expect("list"), []);

        ws.queue_submission(&good).expect("queue");
        assert_eq!(invalid_field(ws.queue_submission(&good)), "id");
        assert_eq!(ws.outbox().expect("list").len(), 1);
    }

    #[test]
    fn a_submission_moves_from_queued_to_sent_and_its_receipt_is_never_overwritten() {
        let dir = tempfile::tempdir().expect("dir");
        let (mut ws, review) = registered(dir.path());
        let manifest = blob('e', '1');
        ws.add_sealed_blob(&manifest).expect("add");
        let id = "01900000-0000-7000-8000-0000000000d1";
        ws.queue_submission(&submission(id, &review, &[&manifest]))
            .expect("queue");

        // Status belongs to delivered submissions only.
        assert_eq!(
            invalid_field(ws.record_status(id, "{}", None, at(3, 9))),
            "state"
        );
        assert_eq!(
            invalid_field(ws.record_status_checked(id, at(3, 9))),
            "state"
        );

        ws.add_bytes_sent(id, 600).expect("bytes");
        ws.record_attempt(id, "The connection was lost.", Some(at(2, 10)))
            .expect("attempt");
        ws.add_bytes_sent(id, 424).expect("bytes");
        ws.record_attempt(id, "The endpoint is busy.", None)
            .expect("attempt");
        let s = ws.outbox_submission(id).expect("read");
        assert_eq!(
            (s.state, s.attempts, s.bytes_sent, s.last_error.as_deref()),
            (OutboxState::Queued, 2, 1024, Some("The endpoint is busy."))
        );
        assert_eq!(s.next_attempt_at, None);
        assert_eq!(ws.submission_by_server_id("srv-1").expect("read"), None);

        let receipt = r#"{"receipt":"signed"}"#;
        ws.record_sent(id, "srv-1", receipt, at(2, 11))
            .expect("sent");
        let sent = ws.outbox_submission(id).expect("read");
        assert_eq!(sent.state, OutboxState::Sent);
        assert_eq!(sent.server_id.as_deref(), Some("srv-1"));
        assert_eq!(sent.receipt.as_deref(), Some(receipt));
        assert_eq!(sent.sent_at, Some(at(2, 11)));
        assert_eq!((sent.last_error, sent.next_attempt_at), (None, None));
        assert_eq!(sent.attempts, 2, "attempts are kept as a record");
        assert_eq!(ws.pending_submissions().expect("pending"), []);
        assert_eq!(
            ws.submission_by_server_id("srv-1")
                .expect("read")
                .map(|s| s.id),
            Some(id.to_owned())
        );

        // The endpoint answers a repeated envelope with the same receipt: nothing changes.
        let written = ws.store.rows_written();
        ws.record_sent(id, "srv-1", receipt, at(5, 11))
            .expect("same again");
        assert_eq!(ws.store.rows_written(), written);
        assert_eq!(
            ws.outbox_submission(id).expect("read").sent_at,
            Some(at(2, 11))
        );
        // Anything else is refused: a receipt is never overwritten.
        assert_eq!(
            invalid_field(ws.record_sent(id, "srv-1", r#"{"other":1}"#, at(5, 11))),
            "state"
        );
        assert_eq!(
            invalid_field(ws.record_sent(id, "srv-2", receipt, at(5, 11))),
            "state"
        );
        assert_eq!(invalid_field(ws.record_attempt(id, "late", None)), "state");
        assert_eq!(invalid_field(ws.record_refused(id, "late")), "state");
        assert_eq!(invalid_field(ws.add_bytes_sent(id, 1)), "state");

        // Status: pulled with its tag, then checked unchanged (304).
        ws.record_status(id, r#"{"state":"received"}"#, Some("\"v1\""), at(6, 9))
            .expect("status");
        ws.record_status_checked(id, at(7, 9)).expect("checked");
        let s = ws.outbox_submission(id).expect("read");
        assert_eq!(s.status.as_deref(), Some(r#"{"state":"received"}"#));
        assert_eq!(s.status_tag.as_deref(), Some("\"v1\""));
        assert_eq!(s.status_checked_at, Some(at(7, 9)));
        ws.record_status(id, r#"{"state":"under_review"}"#, None, at(8, 9))
            .expect("status without a tag");
        let s = ws.outbox_submission(id).expect("read");
        assert_eq!(s.status_tag, None);
        assert_eq!(s.receipt.as_deref(), Some(receipt), "the receipt stays");
    }

    #[test]
    fn a_refused_submission_is_no_longer_pending_and_takes_no_more_changes() {
        let dir = tempfile::tempdir().expect("dir");
        let (mut ws, review) = registered(dir.path());
        let (first, second) = (blob('e', '1'), blob('d', '2'));
        ws.add_sealed_blob(&first).expect("add");
        ws.add_sealed_blob(&second).expect("add");
        let old = ws
            .queue_submission(&submission("s-old", &review, &[&first]))
            .expect("queue");
        let new = ws
            .queue_submission(&NewOutboxSubmission {
                queued_at: at(3, 9),
                ..submission("s-new", &review, &[&second, &first])
            })
            .expect("queue");
        // Oldest first.
        assert_eq!(
            ws.pending_submissions().expect("pending"),
            [old.clone(), new.clone()]
        );

        ws.record_refused("s-old", "The award is not one the awarding body issues.")
            .expect("refused");
        let refused = ws.outbox_submission("s-old").expect("read");
        assert_eq!(refused.state, OutboxState::Refused);
        assert_eq!(
            refused.last_error.as_deref(),
            Some("The award is not one the awarding body issues.")
        );
        assert_eq!(ws.pending_submissions().expect("pending"), [new]);
        assert_eq!(ws.outbox().expect("list").len(), 2, "kept as a record");
        for result in [
            ws.record_attempt("s-old", "again", None),
            ws.record_refused("s-old", "again"),
            ws.add_bytes_sent("s-old", 1),
            ws.record_sent("s-old", "srv-1", "{}", at(4, 9)),
            ws.record_status("s-old", "{}", None, at(4, 9)),
        ] {
            assert_eq!(invalid_field(result), "state");
        }

        // The other submission is unaffected.
        ws.record_sent("s-new", "srv-1", "{}", at(4, 9))
            .expect("sent");
        assert_eq!(
            ws.outbox_submission("s-new").expect("read").state,
            OutboxState::Sent
        );
    }

    #[test]
    fn changes_to_a_submission_not_in_the_outbox_name_its_id() {
        let dir = tempfile::tempdir().expect("dir");
        let mut ws = Workspace::open_with_keys(dir.path(), crate::keys::test_keys()).expect("open");
        let id = "01900000-0000-7000-8000-00000000dead";
        for result in [
            ws.outbox_submission(id).map(|_| ()),
            ws.record_attempt(id, "e", None),
            ws.record_refused(id, "e"),
            ws.add_bytes_sent(id, 1),
            ws.record_sent(id, "srv", "{}", at(1, 1)),
            ws.record_status(id, "{}", None, at(1, 1)),
            ws.record_status_checked(id, at(1, 1)),
        ] {
            match result {
                Err(e @ Error::NotFound { .. }) => {
                    assert!(e.to_string().contains(id), "{e}");
                    let Error::NotFound {
                        what, id: named, ..
                    } = e
                    else {
                        unreachable!()
                    };
                    assert_eq!((what, named.as_str()), (Entity::Submission, id));
                }
                other => panic!("expected not found, got {other:?}"),
            }
        }
    }

    #[test]
    fn a_second_submission_cannot_claim_a_delivered_ones_server_id() {
        let dir = tempfile::tempdir().expect("dir");
        let (mut ws, review) = registered(dir.path());
        let manifest = blob('e', '1');
        ws.add_sealed_blob(&manifest).expect("add");
        ws.queue_submission(&submission("s1", &review, &[&manifest]))
            .expect("queue");
        ws.queue_submission(&submission("s2", &review, &[&manifest]))
            .expect("a blob serves many submissions");
        ws.record_sent("s1", "srv-1", "{}", at(4, 9)).expect("sent");
        assert_eq!(
            invalid_field(ws.record_sent("s2", "srv-1", "{}", at(4, 9))),
            "server_id"
        );
        assert_eq!(
            ws.outbox_submission("s2").expect("read").state,
            OutboxState::Queued
        );
    }

    /// A re-submission answers the endpoint's submission and becomes its next version, so it
    /// records the same endpoint id; the newest is the one found by that id.
    #[test]
    fn a_resubmission_shares_the_endpoint_id_of_the_submission_it_answers() {
        let dir = tempfile::tempdir().expect("dir");
        let (mut ws, review) = registered(dir.path());
        let manifest = blob('e', '1');
        ws.add_sealed_blob(&manifest).expect("add");
        ws.queue_submission(&submission("s1", &review, &[&manifest]))
            .expect("queue");
        ws.record_sent("s1", "srv-1", "{}", at(4, 9)).expect("sent");
        let mut answer = submission("s2", &review, &[&manifest]);
        answer.responds_to = Some("srv-1".into());
        answer.queued_at = at(5, 9);
        ws.queue_submission(&answer).expect("queue the answer");
        ws.record_sent("s2", "srv-1", r#"{"v":2}"#, at(5, 10))
            .expect("a re-submission is the same endpoint submission");
        let newest = ws
            .submission_by_server_id("srv-1")
            .expect("read")
            .expect("found");
        assert_eq!(newest.id, "s2");
    }

    #[test]
    fn a_counted_byte_total_past_what_sqlite_holds_is_refused() {
        let dir = tempfile::tempdir().expect("dir");
        let (mut ws, review) = registered(dir.path());
        let manifest = blob('e', '1');
        ws.add_sealed_blob(&manifest).expect("add");
        ws.queue_submission(&submission("s1", &review, &[&manifest]))
            .expect("queue");
        ws.add_bytes_sent("s1", i64::MAX as u64).expect("the most");
        assert_eq!(invalid_field(ws.add_bytes_sent("s1", 1)), "bytes_sent");
        assert_eq!(
            invalid_field(ws.add_bytes_sent("s1", u64::MAX)),
            "bytes_sent"
        );
        assert_eq!(
            ws.outbox_submission("s1").expect("read").bytes_sent,
            i64::MAX as u64
        );
    }

    /// Everything the outbox keeps is still there, exactly, after the data folder is closed
    /// and opened again (each write committed with `synchronous = FULL`).
    #[test]
    fn the_outbox_survives_reopening_the_data_folder() {
        let dir = tempfile::tempdir().expect("dir");
        let (before_enrollment, before_blobs, before_outbox) = {
            let (mut ws, review) = registered(dir.path());
            ws.set_enrollment(&enrollment("first")).expect("enrol");
            let (manifest, evidence) = (blob('e', '1'), blob('d', '2'));
            ws.add_sealed_blob(&manifest).expect("add");
            ws.add_sealed_blob(&evidence).expect("add");
            ws.set_blob_held(&manifest.sha256).expect("held");
            ws.set_blob_upload_url(&evidence.sha256, Some("https://awards.example.org/u/1"))
                .expect("url");
            ws.queue_submission(&submission("s1", &review, &[&manifest, &evidence]))
                .expect("queue");
            ws.queue_submission(&NewOutboxSubmission {
                queued_at: at(3, 9),
                ..submission("s2", &review, &[&manifest])
            })
            .expect("queue");
            ws.add_bytes_sent("s1", 2048).expect("bytes");
            ws.record_attempt("s1", "lost", Some(at(2, 12)))
                .expect("attempt");
            ws.record_sent("s2", "srv-2", r#"{"r":2}"#, at(3, 10))
                .expect("sent");
            ws.record_status("s2", r#"{"s":1}"#, Some("\"t\""), at(3, 11))
                .expect("status");
            (
                ws.enrollment().expect("read"),
                ws.sealed_blobs().expect("read"),
                ws.outbox().expect("read"),
            )
        };
        let ws = Workspace::open_with_keys(dir.path(), crate::keys::test_keys()).expect("reopen");
        assert!(before_enrollment.is_some());
        assert_eq!(ws.enrollment().expect("read"), before_enrollment);
        assert_eq!(ws.sealed_blobs().expect("read"), before_blobs);
        assert_eq!(ws.outbox().expect("read"), before_outbox);
        assert_eq!(before_outbox.len(), 2);
        assert_eq!(before_outbox[0].attempts, 1);
        assert_eq!(before_outbox[0].next_attempt_at, Some(at(2, 12)));
        assert_eq!(ws.pending_submissions().expect("pending")[0].id, "s1");
        assert_eq!(
            ws.submission_by_server_id("srv-2").expect("read"),
            Some(before_outbox[1].clone())
        );
        assert_eq!(ws.integrity_check().expect("check"), ["ok"]);
    }

    /// Times are kept to the millisecond, like every time in the store.
    #[test]
    fn times_read_back_to_the_millisecond() {
        let dir = tempfile::tempdir().expect("dir");
        let mut ws = Workspace::open_with_keys(dir.path(), crate::keys::test_keys()).expect("open");
        let precise = at(1, 9) + chrono::Duration::nanoseconds(123_456_789);
        ws.set_enrollment(&Enrollment {
            enrolled_at: precise,
            ..enrollment("first")
        })
        .expect("enrol");
        let kept = ws.enrollment().expect("read").expect("kept").enrolled_at;
        assert_eq!(kept, at(1, 9) + chrono::Duration::milliseconds(123));
    }
}
