//! A school lead's self-review through the core's one entry point, against a real SQLite file.

use waymark_core::store::{ActionStatus, Change, ContributorInput, InstitutionInput, NewAction};
use waymark_core::{Error, ResponseUpdate, Workspace};

/// The in-memory key store every test of this file shares (a reopened folder finds its key).
fn keys() -> std::sync::Arc<dyn waymark_core::KeyStore> {
    static KEYS: std::sync::OnceLock<std::sync::Arc<waymark_core::EphemeralKeys>> =
        std::sync::OnceLock::new();
    KEYS.get_or_init(waymark_core::EphemeralKeys::new).clone()
}

fn school() -> InstitutionInput {
    InstitutionInput {
        name: "Ysgol Gynradd Llanfair ŵŷ".into(),
        identifier: Some("401234".into()),
        email: Some("head@llanfair.sch.uk".into()),
        ..InstitutionInput::default()
    }
}

fn answer(level: u8, text: &str) -> ResponseUpdate {
    ResponseUpdate {
        level: Some(Some(level)),
        commentary: Some(text.into()),
        base_revision: None,
    }
}

fn award_eligible(ws: &mut Workspace, review: &waymark_core::store::Review, id: &str) -> bool {
    let p = ws.progress(review).expect("progress");
    p.awards
        .iter()
        .find(|a| a.id == id)
        .expect("award")
        .eligible
}

#[test]
fn registering_unlocks_the_certificate_of_commitment_and_survives_reopening() {
    let dir = tempfile::tempdir().expect("temp dir");
    {
        let mut ws = Workspace::open_with_keys(dir.path(), keys()).expect("open");
        assert!(matches!(ws.current_review(None), Err(Error::NotRegistered)));
        let review = ws
            .register("computing-quality", None, &school(), "Head")
            .expect("register");
        assert_eq!(review.framework_version, "2.0");
        assert!(award_eligible(&mut ws, &review, "commitment"));
        assert!(!award_eligible(&mut ws, &review, "progress"));
        ws.set_response(
            &review,
            "1.1",
            answer(3, "Vision agreed with governors."),
            "Head",
        )
        .expect("save");
    }
    let ws = Workspace::open_with_keys(dir.path(), keys()).expect("reopen");
    let review = ws.current_review(None).expect("review");
    assert_eq!(
        ws.institution().expect("inst").name,
        "Ysgol Gynradd Llanfair ŵŷ"
    );
    let r = ws.response(&review, "1.1").expect("read").expect("saved");
    assert_eq!(
        (r.level, r.commentary.as_str()),
        (Some(3), "Vision agreed with governors.")
    );
}

#[test]
fn registering_twice_for_one_framework_is_refused_but_another_framework_is_fine() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut ws = Workspace::open_with_keys(dir.path(), keys()).expect("open");
    ws.register("computing-quality", None, &school(), "Head")
        .expect("register");
    let err = ws
        .register("computing-quality", None, &school(), "Head")
        .expect_err("refused");
    assert!(err.to_string().contains("already registered"), "{err}");
    ws.register("technology-self-review", None, &school(), "Head")
        .expect("second framework");
    assert_eq!(
        ws.current_review(Some("computing-quality"))
            .expect("found")
            .framework_id,
        "computing-quality"
    );
    let err = ws
        .register("no-such", None, &school(), "Head")
        .expect_err("unknown");
    assert!(err.to_string().contains("Available: "), "{err}");
}

#[test]
fn bad_institution_details_name_the_field() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut ws = Workspace::open_with_keys(dir.path(), keys()).expect("open");
    let mut bad = school();
    bad.email = Some("head at school".into());
    let err = ws
        .register("computing-quality", None, &bad, "Head")
        .expect_err("refused");
    assert!(
        matches!(&err, Error::Invalid { field, .. } if field == "email"),
        "{err}"
    );
    bad.email = None;
    bad.name = "   ".into();
    let err = ws
        .register("computing-quality", None, &bad, "Head")
        .expect_err("refused");
    assert!(
        matches!(&err, Error::Invalid { field, .. } if field == "name"),
        "{err}"
    );
    assert!(
        ws.registered_institution().expect("read").is_none(),
        "nothing half-saved"
    );
}

#[test]
fn every_edit_is_in_the_history_with_who_and_when_and_no_op_edits_add_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut ws = Workspace::open_with_keys(dir.path(), keys()).expect("open");
    let review = ws
        .register("computing-quality", None, &school(), "Head")
        .expect("register");
    ws.set_response(&review, "2.3", answer(2, "First draft."), "Ms Evans")
        .expect("save");
    // Only the commentary changes: the level is kept.
    let only_text = ResponseUpdate {
        commentary: Some("Second draft.".into()),
        ..ResponseUpdate::default()
    };
    let r = ws
        .set_response(&review, "2.3", only_text.clone(), "Mr Hughes")
        .expect("save");
    assert_eq!(r.level, Some(2));
    assert_eq!(r.revision, 2);
    // Saving the same text again records nothing new.
    ws.set_response(&review, "2.3", only_text, "Mr Hughes")
        .expect("save");
    let history = ws.history(&review, "2.3").expect("history");
    let rows: Vec<(&str, Option<u8>, &str)> = history
        .iter()
        .map(|h| (h.changed_by.as_str(), h.level, h.commentary.as_str()))
        .collect();
    assert_eq!(
        rows,
        [
            ("Ms Evans", Some(2), "First draft."),
            ("Mr Hughes", Some(2), "Second draft.")
        ]
    );
    assert!(
        history
            .iter()
            .all(|h| h.change == Change::Edit && h.changed_at.ends_with('Z'))
    );
    // Clearing the level is an edit too.
    let cleared = ResponseUpdate {
        level: Some(None),
        ..ResponseUpdate::default()
    };
    assert_eq!(
        ws.set_response(&review, "2.3", cleared, "Head")
            .expect("save")
            .level,
        None
    );
    assert_eq!(ws.history(&review, "2.3").expect("history").len(), 3);
}

#[test]
fn an_edit_over_someone_elses_newer_change_is_refused_not_lost() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut ws = Workspace::open_with_keys(dir.path(), keys()).expect("open");
    let review = ws
        .register("computing-quality", None, &school(), "Head")
        .expect("register");
    let first = ws
        .set_response(&review, "1.2", answer(1, "A"), "Head")
        .expect("save");
    ws.set_response(
        &review,
        "1.2",
        ResponseUpdate {
            base_revision: Some(first.revision),
            ..answer(2, "B")
        },
        "Deputy",
    )
    .expect("based on the current revision");
    let stale = ResponseUpdate {
        base_revision: Some(first.revision),
        ..answer(3, "C")
    };
    let err = ws
        .set_response(&review, "1.2", stale, "Head")
        .expect_err("conflict");
    assert_eq!(err.code().as_str(), "conflict");
    assert!(err.to_string().contains("changed by Deputy"), "{err}");
    let r = ws.response(&review, "1.2").expect("read").expect("exists");
    assert_eq!(r.commentary, "B");
}

#[test]
fn levels_are_checked_against_the_reviews_own_scale() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut ws = Workspace::open_with_keys(dir.path(), keys()).expect("open");
    let review = ws
        .register("computing-quality", None, &school(), "Head")
        .expect("register");
    let err = ws
        .set_response(&review, "1.1", answer(5, "x"), "Head")
        .expect_err("off the scale");
    assert!(err.to_string().contains("levels 1–4"), "{err}");
    let err = ws
        .set_response(&review, "8.8", answer(1, "x"), "Head")
        .expect_err("unknown");
    assert_eq!(err.code().as_str(), "not_found");

    let care = ws
        .register("care-experienced-quality-mark", None, &school(), "Head")
        .expect("register");
    let err = ws
        .set_response(&care, "1.1", answer(1, "x"), "Head")
        .expect_err("no levels");
    assert!(err.to_string().contains("has no levels"), "{err}");
    let text_only = ResponseUpdate {
        commentary: Some("Named contact in place.".into()),
        ..ResponseUpdate::default()
    };
    ws.set_response(&care, "1.1", text_only, "Head")
        .expect("commentary only");
    assert_eq!(ws.progress(&care).expect("progress").overall.done, 1);
}

#[test]
fn future_actions_are_planned_tracked_and_counted() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut ws = Workspace::open_with_keys(dir.path(), keys()).expect("open");
    let review = ws
        .register("care-experienced-quality-mark", None, &school(), "Head")
        .expect("register");
    let plan = |text: &str| NewAction {
        text: text.into(),
        owner: Some("Student Services".into()),
        due_date: Some("2027-07-31".into()),
        benchmarks: vec!["1.1".into()],
    };
    let a = ws
        .add_action(&review, &plan("Publish a named-contact page"), "Head")
        .expect("add");
    assert_eq!(a.status, ActionStatus::Open);
    assert_eq!(a.benchmarks, ["1.1"]);
    let done = ws
        .set_action_status(&review, &a.id[..8], ActionStatus::Done)
        .expect("done by prefix");
    assert!(done.done_at.is_some());
    let mut bad = plan("Bad date");
    bad.due_date = Some("next June".into());
    assert!(
        matches!(ws.add_action(&review, &bad, "Head"), Err(Error::Invalid { field, .. }) if field == "due_date")
    );
    let mut unknown = plan("Unknown benchmark");
    unknown.benchmarks = vec!["42".into()];
    assert_eq!(
        ws.add_action(&review, &unknown, "Head")
            .expect_err("refused")
            .code()
            .as_str(),
        "not_found"
    );
    let edited = ws
        .update_action(
            &review,
            &a.id,
            &NewAction {
                owner: Some("Widening Participation".into()),
                ..plan("Publish it")
            },
        )
        .expect("edit");
    assert_eq!(edited.owner.as_deref(), Some("Widening Participation"));
    ws.add_action(&review, &plan("Two"), "Head").expect("add");
    let p = ws.progress(&review).expect("progress");
    let mark = p
        .awards
        .iter()
        .find(|a| a.id == "quality-mark")
        .expect("mark");
    assert!(
        mark.reasons
            .iter()
            .any(|r| r.to_string() == "2 future actions planned; needs 3"),
        "{:?}",
        mark.reasons
    );
}

#[test]
fn the_working_group_is_kept() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut ws = Workspace::open_with_keys(dir.path(), keys()).expect("open");
    let member = |name: &str, role: Option<&str>, email: Option<&str>| ContributorInput {
        name: name.into(),
        role: role.map(Into::into),
        email: email.map(Into::into),
    };
    let c = ws
        .add_contributor(&member("Siân Owen", Some("Computing lead"), None))
        .expect("add");
    ws.add_contributor(&member("Dafydd ap Gwilym", None, None))
        .expect("add");
    // Every problem at once for a form; the save refuses with the first.
    let bad = member(" ", None, Some("not an email"));
    let fields: Vec<String> = bad.problems().into_iter().map(|p| p.field).collect();
    assert_eq!(fields, ["name", "email"]);
    let err = ws.add_contributor(&bad).expect_err("refused");
    assert_eq!(err.field(), Some("name"));
    let names: Vec<String> = ws
        .contributors()
        .expect("list")
        .into_iter()
        .map(|c| c.name)
        .collect();
    assert_eq!(names, ["Siân Owen", "Dafydd ap Gwilym"]);
    ws.remove_contributor(&c.id).expect("remove");
    assert_eq!(ws.contributors().expect("list").len(), 1);
    assert_eq!(
        ws.remove_contributor("nope")
            .expect_err("gone")
            .code()
            .as_str(),
        "not_found"
    );
}

#[test]
fn a_new_framework_version_carries_responses_and_judges_by_its_own_rules() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut ws = Workspace::open_with_keys(dir.path(), keys()).expect("open");
    let review = ws
        .register("computing-quality", Some("1.0"), &school(), "Head")
        .expect("register 1.0");
    for id in ["1.1", "1.2", "1.3", "1.4", "2.1", "2.2"] {
        ws.set_response(
            &review,
            id,
            answer(4, &format!("Evidence for {id}.")),
            "Head",
        )
        .expect("save");
    }
    ws.set_response(&review, "4.2", answer(3, "Termly tests."), "Head")
        .expect("save");
    ws.set_response(&review, "4.3", answer(2, "Reports to parents."), "Head")
        .expect("save");
    ws.set_response(&review, "6.3", answer(3, "Online safety week."), "Head")
        .expect("save");
    ws.set_response(
        &review,
        "5.3",
        answer(2, "We use a learning platform."),
        "Head",
    )
    .expect("save");
    // Version 1.0: two complete dimensions earn the Certificate of Progress (9 of 20 answered).
    assert!(award_eligible(&mut ws, &review, "progress"));

    let report = ws.upgrade(&review, None, "Head").expect("upgrade");
    assert_eq!(
        (report.from_version.as_str(), report.to_version.as_str()),
        ("1.0", "2.0")
    );
    assert_eq!(report.archived, ["5.3"]);
    let flagged: Vec<&str> = report
        .flagged
        .iter()
        .map(|f| f.benchmark.as_str())
        .collect();
    assert_eq!(flagged, ["2.3", "4.2"]);
    assert_eq!(report.carried.len(), 6);

    let review = ws.current_review(None).expect("review");
    assert_eq!(review.framework_version, "2.0");
    // Version 2.0 asks for 50%: 8 of 20 is not enough, although two dimensions are complete.
    assert!(!award_eligible(&mut ws, &review, "progress"));

    let merged = ws.response(&review, "4.2").expect("read").expect("carried");
    assert!(merged.needs_confirmation);
    assert_eq!(
        merged.level,
        Some(2),
        "a merge keeps the least mature level"
    );
    assert!(
        merged.commentary.contains("Termly tests.")
            && merged.commentary.contains("Reports to parents.")
    );
    let renamed = ws.response(&review, "2.3").expect("read").expect("carried");
    assert_eq!(
        renamed.carried_note.as_deref(),
        Some("renamed from 6.3 in version 1.0")
    );
    assert!(
        !ws.response(&review, "1.1")
            .expect("read")
            .expect("carried")
            .needs_confirmation
    );

    // The removed benchmark's response is archived, not lost.
    let archived = ws.archived_responses(&review).expect("archived");
    assert_eq!(archived.len(), 1);
    assert_eq!(archived[0].commentary, "We use a learning platform.");
    let history = ws
        .history(&review, "5.3")
        .expect("history of a removed benchmark");
    assert_eq!(history.last().map(|h| h.change), Some(Change::Archived));

    let confirmed = ws
        .confirm_response(&review, "2.3", "Head")
        .expect("confirm");
    assert!(!confirmed.needs_confirmation);
    let kinds: Vec<Change> = ws
        .history(&review, "2.3")
        .expect("history")
        .iter()
        .map(|h| h.change)
        .collect();
    assert_eq!(kinds, [Change::Carried, Change::Confirmed]);
    let status = ws.status(&review).expect("status");
    assert_eq!(status.awaiting_confirmation, ["4.2"]);
}

#[test]
fn a_database_from_a_newer_waymark_is_refused_untouched() {
    let dir = tempfile::tempdir().expect("temp dir");
    // A plaintext folder (as an earlier Waymark wrote it) edited to a newer version: refused
    // before anything is encrypted or written.
    drop(Workspace::open_unencrypted(dir.path()).expect("create"));
    let db = dir.path().join(waymark_core::store::DATABASE_FILE);
    let conn = rusqlite::Connection::open(&db).expect("open raw");
    conn.pragma_update(None, "user_version", 99).expect("set");
    drop(conn);
    let err = Workspace::open_with_keys(dir.path(), keys()).expect_err("refused");
    assert_eq!(err.code().as_str(), "schema_too_new");
    assert!(err.to_string().contains("Update Waymark"), "{err}");
    assert!(
        !dir.path()
            .join(waymark_core::keys::ENCRYPTION_FILE)
            .exists(),
        "no key was made"
    );
    let conn = rusqlite::Connection::open(&db).expect("open raw");
    let v: i64 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .expect("read");
    assert_eq!(v, 99);
}

#[test]
fn a_data_folder_that_cannot_be_created_is_explained() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("a-file");
    std::fs::write(&file, "not a folder").expect("write");
    let err = Workspace::open_with_keys(&file.join("data"), keys()).expect_err("refused");
    assert_eq!(err.code().as_str(), "data_dir");
    assert!(
        err.to_string().contains("Choose a folder you can write to"),
        "{err}"
    );
    // The app shows this message too: no command-line flag in it (the CLI adds its own).
    assert!(!err.to_string().contains("--"), "{err}");
}

#[test]
fn overdue_is_decided_once_by_the_core_for_today_and_for_a_documents_date() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut ws = Workspace::open_with_keys(dir.path(), keys()).expect("open");
    let review = ws
        .register("computing-quality", None, &school(), "Head")
        .expect("register");
    let today = chrono::Local::now().date_naive();
    let plan = |text: &str, due: chrono::NaiveDate| NewAction {
        text: text.into(),
        due_date: Some(due.format("%Y-%m-%d").to_string()),
        ..NewAction::default()
    };
    let yesterday = ws
        .add_action(&review, &plan("late", today - chrono::Days::new(1)), "Head")
        .expect("add");
    let due_today = ws
        .add_action(&review, &plan("today", today), "Head")
        .expect("add");
    let done = ws
        .add_action(
            &review,
            &plan("done late", today - chrono::Days::new(9)),
            "Head",
        )
        .expect("add");
    ws.set_action_status(&review, &done.id, ActionStatus::Done)
        .expect("done");
    let actions = ws.actions(&review).expect("list");
    let overdue: Vec<&str> = actions
        .iter()
        .filter(|a| a.overdue)
        .map(|a| a.text.as_str())
        .collect();
    assert_eq!(overdue, ["late"], "due today is not overdue; done never is");
    assert!(yesterday.overdue && !due_today.overdue);
    // A document dated next week sees the action due today as overdue too.
    let next_week = today + chrono::Days::new(7);
    let later: Vec<bool> = actions.iter().map(|a| a.is_overdue(next_week)).collect();
    assert_eq!(later, [true, true, false]);
    let summary = ws.status(&review).expect("status").actions;
    assert_eq!((summary.planned, summary.open, summary.overdue), (3, 2, 1));
}

#[test]
fn the_day_dates_are_judged_on_can_be_fixed() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut ws = Workspace::open_with_keys(dir.path(), keys()).expect("open");
    let review = ws
        .register("computing-quality", None, &school(), "Head")
        .expect("register");
    let day = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date");
    ws.set_today(Some(day("2027-04-01")));
    assert_eq!(ws.today(), day("2027-04-01"));
    let plan = NewAction {
        text: "Audit".into(),
        due_date: Some("2027-03-31".into()),
        ..NewAction::default()
    };
    assert!(ws.add_action(&review, &plan, "Head").expect("add").overdue);
    ws.set_today(Some(day("2027-03-31")));
    assert!(
        !ws.actions(&review).expect("list")[0].overdue,
        "due today is not overdue"
    );
    ws.set_today(None);
    assert_eq!(ws.today(), chrono::Local::now().date_naive());
}
