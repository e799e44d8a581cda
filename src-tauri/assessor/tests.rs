//! The assessor's commands without a window: an app with no assessor profile works, nobody
//! signed in is said in the app's words, bad input is refused before anything is tried.

use waymark_core::ErrorCode;

use super::*;
use crate::state::AppState;

/// A school's (empty) data folder and an empty assessor profile folder.
fn app() -> (tempfile::TempDir, AppState) {
    let dir = tempfile::tempdir().expect("temp dir");
    let state = AppState::open_for_tests(dir.path().join("data"))
        .with_assessor(Assessor::new(Ok(dir.path().join("assessor")), None));
    (dir, state)
}

#[test]
fn nobody_is_signed_in_with_an_empty_profile_folder() {
    let (_dir, state) = app();
    assert_eq!(assessor_info(&state).expect("info"), None);
    // The school's side is untouched.
    assert!(state.startup_error().is_none());
    assert!(
        crate::commands::current_status(&state)
            .expect("status")
            .is_none()
    );
}

#[test]
fn commands_before_signing_in_say_so_in_the_apps_words() {
    let (_dir, state) = app();
    let e = assessor_assignments(&state).expect_err("not signed in");
    assert_eq!(e.code, ErrorCode::Assessment);
    assert_eq!(e.detail.as_deref(), Some("not_signed_in"));
    assert!(e.message.contains("Assessor workspace"), "{}", e.message);
    assert!(!e.message.contains("waymark-assess"), "{}", e.message);
}

#[test]
fn a_bad_submission_id_is_refused_with_a_clear_message() {
    let (_dir, state) = app();
    for call in [
        assessor_submission(&state, "not-an-id".into()).map(|_| ()),
        assessor_remove_copy(&state, "../etc".into()).map(|_| ()),
        assessor_send_request(&state, "".into()).map(|_| ()),
        assessor_open(&state, "12".into(), &|_| {}).map(|_| ()),
    ] {
        let e = call.expect_err("refused");
        assert_eq!(e.code, ErrorCode::InvalidInput);
        assert_eq!(e.field.as_deref(), Some("submission"));
        assert!(
            e.message.contains("is not a submission's id"),
            "{}",
            e.message
        );
    }
}

#[test]
fn a_malformed_code_is_refused_beside_the_field_without_signing_in() {
    let (dir, state) = app();
    let e = assessor_sign_in(&state, "not a code".into()).expect_err("refused");
    assert_eq!(e.code, ErrorCode::Assessment);
    assert_eq!(e.field.as_deref(), Some("code"));
    assert!(!e.message.contains("waymark-assess"), "{}", e.message);
    assert!(!dir.path().join("assessor").join("profile.json").exists());
    assert_eq!(assessor_info(&state).expect("info"), None);
}

#[test]
fn signing_out_with_nobody_signed_in_removes_any_local_copies() {
    let (dir, state) = app();
    let profile = dir.path().join("assessor");
    for folder in ["copies/x", "viewing/x"] {
        std::fs::create_dir_all(profile.join(folder)).expect("folder");
    }
    assessor_sign_out(&state).expect("signed out");
    assert!(!profile.join("copies").exists());
    assert!(!profile.join("viewing").exists());
}

#[test]
fn a_state_without_an_assessor_workspace_still_serves_the_school() {
    let dir = tempfile::tempdir().expect("temp dir");
    let state = AppState::open_for_tests(dir.path().join("data"));
    let e = assessor_info(&state).expect_err("no workspace");
    assert_eq!(e.code, ErrorCode::Assessment);
    assert!(crate::commands::current_status(&state).is_ok());
}

#[test]
fn the_profile_folder_comes_from_the_flag_first() {
    let args = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
    assert_eq!(
        choose_profile_dir(args(&["--data-dir", "/d", "--assessor-dir", "/a"])).expect("dir"),
        PathBuf::from("/a")
    );
    assert_eq!(
        choose_profile_dir(args(&["--assessor-dir=/b"])).expect("dir"),
        PathBuf::from("/b")
    );
}

#[test]
fn the_desks_refusals_are_worded_for_the_app_with_their_own_code() {
    let id = SubmissionId::new();
    let named = Error::NotImpartial {
        submission: id,
        named_in: vec!["the working group (Ada Lovelace, Governor)".into()],
    };
    let e = assessment_error(&named);
    assert_eq!(e.code, ErrorCode::Assessment);
    assert_eq!(e.detail.as_deref(), Some("not_impartial"));
    assert!(
        e.message
            .contains("names you (the working group (Ada Lovelace, Governor))"),
        "{}",
        e.message
    );
    for refusal in [
        named,
        Error::NotOpened(id),
        Error::NotAssigned(id),
        Error::NotSignedIn(PathBuf::from("/p")),
        Error::NewerVersion {
            submission: id,
            opened: 1,
            current: 2,
        },
    ] {
        let words = app_words(&refusal);
        assert!(!words.contains("waymark-assess"), "{words}");
        assert!(words.ends_with('.'), "{words}");
    }
    // A draft the desk will not send names the field to show the message beside.
    let draft = Error::Draft {
        problems: vec![waymark_assess::desk::DraftProblem {
            field: "send_back_reason".into(),
            message: "Say why you are sending the recommendation back, for the assessor.".into(),
        }],
    };
    let e = assessment_error(&draft);
    assert_eq!(e.field.as_deref(), Some("send_back_reason"));
    assert_eq!(e.detail.as_deref(), Some("draft_incomplete"));
}
