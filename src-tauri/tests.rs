//! Shell tests: commands work without a window, the command list matches what is registered
//! and permitted, and the generated TypeScript is current.

use std::path::Path;

use waymark_core::store::{InstitutionInput, NewAction};

use crate::bindings;
use crate::commands::{self, RegisterInput, SaveResponseInput};
use crate::state::{AppState, choose_data_dir};

/// A data folder with an institution registered for computing-quality, for command tests.
pub(crate) fn registered(name: &str) -> (tempfile::TempDir, AppState) {
    let dir = tempfile::tempdir().expect("temp dir");
    let state = AppState::open_for_tests(dir.path().join("data"));
    let input = RegisterInput {
        framework_id: "computing-quality".into(),
        institution: InstitutionInput {
            name: name.into(),
            ..InstitutionInput::default()
        },
        by: "Head".into(),
    };
    commands::register(&state, input).expect("register");
    (dir, state)
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn the_generated_typescript_bindings_are_current() {
    let path = root().join(bindings::BINDINGS_PATH);
    let current = bindings::typescript();
    if std::env::var_os("WAYMARK_BLESS").is_some() {
        std::fs::write(&path, &current).expect("write bindings");
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == current,
        "{} is stale: run `make bindings` and commit the result",
        bindings::BINDINGS_PATH
    );
}

#[test]
fn the_generated_command_wrappers_are_current() {
    let path = root().join(bindings::COMMANDS_PATH);
    let current = bindings::command_wrappers(&crate::signatures());
    if std::env::var_os("WAYMARK_BLESS").is_some() {
        std::fs::write(&path, &current).expect("write commands");
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == current,
        "{} is stale: run `make bindings` and commit the result",
        bindings::COMMANDS_PATH
    );
}

#[test]
fn the_main_window_is_granted_exactly_the_declared_commands() {
    let conf: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("tauri.conf.json")).expect("conf"),
    )
    .expect("json");
    let caps = conf["app"]["security"]["capabilities"]
        .as_array()
        .expect("inline capabilities");
    assert_eq!(caps.len(), 1, "one capability, for the main window");
    assert_eq!(caps[0]["windows"], serde_json::json!(["main"]));
    let granted: Vec<&str> = caps[0]["permissions"]
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|p| p.as_str())
        .collect();
    // The one declaration (command_list.rs) against the one capability: nothing missing,
    // nothing granted that is not declared.
    let declared: std::collections::BTreeSet<String> = crate::signatures()
        .iter()
        .map(|s| format!("allow-{}", s.name.replace('_', "-")))
        .collect();
    let own: std::collections::BTreeSet<String> = granted
        .iter()
        .filter(|p| p.starts_with("allow-"))
        .map(|p| (*p).to_owned())
        .collect();
    assert_eq!(
        own, declared,
        "tauri.conf.json's capability and command_list.rs disagree"
    );
    // Nothing broad: no file-system, shell or HTTP access for the UI.
    assert!(
        granted
            .iter()
            .all(|p| !p.starts_with("fs:") && !p.starts_with("shell:") && !p.starts_with("http:"))
    );
    assert!(conf["app"]["security"]["csp"]["default-src"] == "'self'");
}

#[test]
fn the_data_folder_comes_from_the_flag_first() {
    assert_eq!(
        choose_data_dir(["--data-dir".to_owned(), "/x/y".to_owned()]),
        Some("/x/y".into())
    );
    assert_eq!(
        choose_data_dir(["--data-dir=/a".to_owned()]),
        Some("/a".into())
    );
}

#[test]
fn a_whole_first_session_works_through_the_commands_without_a_window() {
    let dir = tempfile::tempdir().expect("temp dir");
    let state = AppState::open_for_tests(dir.path().to_owned());
    assert!(commands::app_info(&state).startup_error.is_none());
    assert!(
        commands::current_status(&state).expect("status").is_none(),
        "first run"
    );
    assert_eq!(commands::list_frameworks(&state).expect("list").len(), 3);

    let bad = RegisterInput {
        framework_id: "computing-quality".into(),
        institution: InstitutionInput {
            name: " ".into(),
            ..InstitutionInput::default()
        },
        by: "Head".into(),
    };
    let err = commands::register(&state, bad).expect_err("blank name");
    assert_eq!(
        (err.code.as_str(), err.field.as_deref()),
        ("invalid_input", Some("name"))
    );

    let input = RegisterInput {
        framework_id: "computing-quality".into(),
        institution: InstitutionInput {
            name: "Ysgol Gynradd Llanfair ŵŷ".into(),
            ..InstitutionInput::default()
        },
        by: "Head".into(),
    };
    let status = commands::register(&state, input).expect("register");
    assert!(
        status
            .progress
            .awards
            .iter()
            .any(|a| a.id == "commitment" && a.eligible)
    );

    let save = |level, text: &str, base| SaveResponseInput {
        benchmark_id: "1.1".into(),
        level,
        commentary: text.into(),
        base_revision: base,
        by: "Head".into(),
    };
    let saved = commands::save_response(&state, save(Some(2), "Draft", None)).expect("save");
    let again = commands::save_response(&state, save(Some(3), "Better", Some(saved.revision)))
        .expect("save");
    let conflict = commands::save_response(&state, save(Some(1), "Stale", Some(saved.revision)))
        .expect_err("stale");
    assert_eq!(conflict.code.as_str(), "conflict");

    let action = NewAction {
        text: "Review the vision".into(),
        benchmarks: vec!["1.1".into()],
        ..NewAction::default()
    };
    commands::add_action(&state, action, "Head".into()).expect("action");
    let detail = commands::benchmark_detail(&state, "1.1".into()).expect("detail");
    assert_eq!(detail.response.map(|r| r.revision), Some(again.revision));
    assert_eq!(detail.history.len(), 2);
    assert_eq!(detail.actions.len(), 1);
    assert_eq!(
        (detail.previous, detail.next.as_deref()),
        (None, Some("1.2"))
    );
    assert_eq!(
        commands::search(&state, "better".into()).expect("search")[0].benchmark_id,
        "1.1"
    );
    assert_eq!(
        commands::recent_changes(&state, 10).expect("recent").len(),
        2
    );
}

#[test]
fn a_data_folder_that_cannot_open_is_reported_not_a_crash() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("file");
    std::fs::write(&file, "x").expect("write");
    let state = AppState::open_for_tests(file.join("data"));
    let info = commands::app_info(&state);
    assert_eq!(
        info.startup_error.map(|e| e.code.as_str()),
        Some("data_dir")
    );
    assert_eq!(
        commands::list_actions(&state)
            .expect_err("unavailable")
            .code
            .as_str(),
        "data_dir"
    );
}

#[test]
fn no_home_folder_is_explained_instead_of_writing_somewhere_temporary() {
    let state = AppState::without_data_dir();
    let err = commands::app_info(&state).startup_error.expect("explained");
    assert_eq!(err.code.as_str(), "data_dir");
    assert!(err.message.contains("--data-dir"));
    assert_eq!(
        commands::current_status(&state)
            .expect_err("unavailable")
            .code
            .as_str(),
        "data_dir"
    );
}
