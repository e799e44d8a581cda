//! The answers the UI's tests are given, produced by the real commands (not written by hand),
//! so the UI's fake shell (ui/src/test/fakeBackend.ts) cannot drift from the core: it replays
//! what is recorded here and computes nothing itself.
//!
//! Each scenario installs the UI's test frameworks (ui/src/test/fixtures/*.toml) into a fresh
//! data folder, drives the command functions through the steps a UI test takes, and records
//! every status it reaches under the review state that produced it (the responses, the evidence
//! and the actions: everything the status depends on), and the core's answer to every action
//! the tests add, edit or mark. `checks.json` holds the core's problems with every form input
//! the tests type. Ids, timestamps, temporary paths and the login name are replaced with stable
//! stand-ins, so the JSON is the same on every run.
//!
//! Whether an action is overdue is the core's judgement as of the day of recording, so the
//! actions the tests plan are due long ago or years ahead, never near today.
//!
//! `the_ui_fixtures_are_the_cores_answers` fails when the committed JSON differs from what the
//! core answers now; `make bindings` (WAYMARK_BLESS=1) rewrites it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Serialize;
use serde_json::{Value, json};
use waymark_core::evidence::{ReadProblem, StatusDetail};
use waymark_core::input::FieldProblem;
use waymark_core::progress::{Gaps, Ratio, Reason};
use waymark_core::store::{ActionStatus, ContributorInput, InstitutionInput, NewAction, Phase};
use waymark_core::workspace::{SkipReason, WorkProgress};

use crate::commands::{self, RegisterInput, SaveResponseInput};
use crate::error::CommandError;
use crate::evidence::{self, AddEvidenceInput, LinkInput};
use crate::privacy;
use crate::state::AppState;
use waymark_test_support::normalise::Normaliser;

/// The UI's test frameworks, relative to the repository root.
const FRAMEWORKS: &str = "ui/src/test/fixtures";
/// Where the recorded answers go.
const OUT: &str = "ui/src/test/fixtures/core";
/// The files the UI's test frameworks are installed as.
const FRAMEWORK_FILES: &[&str] = &[
    "test-quality.toml",
    "test-quality-0.9.toml",
    "no-levels.toml",
];
/// Who makes the changes in the UI's tests (the login name, as the app reports it).
const ME: &str = "sam";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn ok<T>(r: Result<T, CommandError>) -> T {
    r.unwrap_or_else(|e| panic!("command failed: {e:?}"))
}

fn to_json(v: &impl Serialize) -> Value {
    serde_json::to_value(v).expect("serialisable")
}

/// The day the recordings are made "on", whatever the calendar says, so what is overdue (and
/// so the JSON) does not change with the date the fixtures are re-recorded.
const RECORDED_ON: (i32, u32, u32) = (2026, 3, 10);

fn fixed_day(state: AppState) -> AppState {
    let (y, m, d) = RECORDED_ON;
    let day = chrono::NaiveDate::from_ymd_opt(y, m, d);
    // A folder that could not be opened has no workspace to set; its answers hold no dates.
    let _ = state.with(|ws| {
        ws.set_today(day);
        Ok(())
    });
    state
}

/// One data folder driven through a UI test's steps.
struct Scenario {
    _dir: tempfile::TempDir,
    state: AppState,
    school: PathBuf,
}

impl Scenario {
    /// A fresh data folder with the UI's test frameworks installed, nothing registered.
    fn new(n: &mut Normaliser) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let data = dir.path().join("Waymark");
        let installed = data.join(waymark_core::workspace::FRAMEWORKS_DIR);
        std::fs::create_dir_all(&installed).expect("frameworks folder");
        for f in FRAMEWORK_FILES {
            std::fs::copy(root().join(FRAMEWORKS).join(f), installed.join(f))
                .expect("install a test framework");
        }
        let school = dir.path().join("school");
        std::fs::create_dir_all(school.join("Photos")).expect("school folder");
        n.roots.push(dir.path().display().to_string());
        Self {
            state: fixed_day(AppState::open_for_tests(data)),
            school,
            _dir: dir,
        }
    }

    /// A scenario registered for `framework` as the UI's tests' institution.
    fn registered(n: &mut Normaliser, framework: &str) -> Self {
        let s = Self::new(n);
        ok(commands::register(&s.state, register_input(framework)));
        s.name_ids(n);
        s
    }

    /// Gives the institution and review their names before anything else mentions them.
    fn name_ids(&self, n: &mut Normaliser) {
        let status = ok(commands::current_status(&self.state)).expect("registered");
        n.name(&status.institution.id, "institution");
        n.name(&status.review.id, "review");
    }

    /// Saves a response as the editor does, based on the revision stored now.
    fn save(&self, benchmark: &str, level: Option<u8>, commentary: &str, by: &str) {
        let base = ok(commands::list_responses(&self.state))
            .into_iter()
            .find(|r| r.benchmark_id == benchmark)
            .map_or(0, |r| r.revision);
        ok(commands::save_response(
            &self.state,
            SaveResponseInput {
                benchmark_id: benchmark.into(),
                level,
                commentary: commentary.into(),
                base_revision: Some(base),
                by: by.into(),
            },
        ));
    }

    /// Adds a file of the school's as evidence, linked as given.
    fn add_file(&self, n: &mut Normaliser, name: &str, text: &str, links: Vec<LinkInput>) {
        let path = self.school.join(name);
        std::fs::write(&path, text).expect("write evidence file");
        let report = ok(evidence::add_evidence(
            &self.state.jobs(),
            AddEvidenceInput {
                paths: vec![path.display().to_string()],
                links,
                by: ME.into(),
            },
            &mut |_: &WorkProgress| true,
        ));
        for item in report.added {
            n.name(&item.id, "evidence");
        }
    }

    fn item_id(&self, title: &str) -> String {
        ok(evidence::list_evidence(&self.state))
            .library
            .items
            .into_iter()
            .find(|i| i.title == title)
            .map(|i| i.id)
            .expect("tracked item")
    }

    /// The review state the status depends on, in the shape fakeBackend.ts keys it by.
    fn review_state(&self) -> Value {
        let mut responses: Vec<Value> = ok(commands::list_responses(&self.state))
            .iter()
            .map(|r| {
                json!({
                    "benchmark_id": r.benchmark_id,
                    "level": r.level,
                    "commentary": r.commentary,
                    "needs_confirmation": r.needs_confirmation,
                })
            })
            .collect();
        responses.sort_by_key(|r| r["benchmark_id"].as_str().map(str::to_owned));
        let evidence: Vec<Value> = ok(evidence::list_evidence(&self.state))
            .library
            .items
            .iter()
            .map(|i| {
                let mut links: Vec<Value> = i.links.iter().map(to_json).collect();
                links.sort_by_key(Value::to_string);
                json!({
                    "id": i.id,
                    "present": i.present,
                    "needs_attention": i.needs_attention,
                    "links": links,
                })
            })
            .collect();
        let actions: Vec<Value> = ok(commands::list_actions(&self.state))
            .iter()
            .map(|a| json!({ "id": a.id, "status": a.status, "due_date": a.due_date }))
            .collect();
        json!({
            "responses": responses,
            "evidence": evidence,
            "actions": actions,
        })
    }

    /// Plans an action as the forms do (as [`ME`]), recording the core's answer.
    fn add_action(&self, n: &mut Normaliser, book: &mut ActionBook, action: NewAction) -> String {
        let answer = ok(commands::add_action(&self.state, action.clone(), ME.into()));
        n.name(&answer.id, "action");
        let args = json!({ "action": to_json(&action), "by": ME });
        book.add(n, "add_action", args, &answer);
        answer.id
    }

    /// Edits an action, recording the core's answer.
    fn update_action(
        &self,
        n: &mut Normaliser,
        book: &mut ActionBook,
        id: &str,
        action: NewAction,
    ) {
        let answer = ok(commands::update_action(
            &self.state,
            id.into(),
            action.clone(),
        ));
        let args = json!({ "id": id, "action": to_json(&action) });
        book.add(n, "update_action", args, &answer);
    }

    /// Marks an action, recording the core's answer.
    fn set_action_status(
        &self,
        n: &mut Normaliser,
        book: &mut ActionBook,
        id: &str,
        status: ActionStatus,
    ) {
        let answer = ok(commands::set_action_status(&self.state, id.into(), status));
        let args = json!({ "id": id, "status": to_json(&status) });
        book.add(n, "set_action_status", args, &answer);
    }

    /// Records the status the core gives for the review as it stands.
    fn record(&self, n: &mut Normaliser, book: &mut StatusBook) {
        let state = n.value(self.review_state());
        let status = ok(commands::current_status(&self.state)).expect("registered");
        book.add(state, n.value(to_json(&status)));
    }

    /// What `benchmark_detail` says comes before and after each benchmark.
    fn neighbours(&self) -> Value {
        let order = ok(commands::review_framework(&self.state)).order;
        let mut out = serde_json::Map::new();
        for b in order {
            let d = ok(commands::benchmark_detail(&self.state, b.id.clone()));
            out.insert(b.id, json!({ "previous": d.previous, "next": d.next }));
        }
        Value::Object(out)
    }

    /// A search as the search screen sends it, with the state it was made in.
    fn search(&self, n: &mut Normaliser, query: &str) -> Value {
        let hits = ok(commands::search(&self.state, query.into()));
        n.value(json!({ "query": query, "state": self.review_state(), "hits": hits }))
    }
}

/// The UI's tests' institution, as the first-run form fills it in.
fn register_input(framework: &str) -> RegisterInput {
    RegisterInput {
        framework_id: framework.into(),
        institution: InstitutionInput {
            name: "Hillside Primary".into(),
            identifier: Some("123456".into()),
            phase: Some(Phase::Primary),
            contact_name: Some("Sam Lee".into()),
            email: Some("sam@hillside.sch.uk".into()),
            role: Some("Computing lead".into()),
        },
        by: ME.into(),
    }
}

fn link(benchmark: &str, requirement: Option<&str>) -> LinkInput {
    LinkInput {
        benchmark_id: benchmark.into(),
        requirement_id: requirement.map(str::to_owned),
    }
}

/// Statuses by review state. Two scenarios reaching the same state must get the same
/// progress from the core, or the state would not name everything progress depends on.
#[derive(Default)]
struct StatusBook(Vec<(Value, Value)>);

impl StatusBook {
    fn add(&mut self, state: Value, status: Value) {
        let judged = |s: &Value| {
            json!([
                s["progress"],
                s["awaiting_confirmation"],
                s["evidence_files"],
                s["actions"]
            ])
        };
        if let Some((_, seen)) = self.0.iter().find(|(s, _)| *s == state) {
            assert_eq!(
                judged(seen),
                judged(&status),
                "the same review state was judged differently: {state}"
            );
            return;
        }
        self.0.push((state, status));
    }

    fn json(&self) -> Value {
        Value::Array(
            self.0
                .iter()
                .map(|(state, status)| json!({ "state": state, "status": status }))
                .collect(),
        )
    }
}

/// The core's answers to the action commands the UI's tests send (add_action, update_action,
/// set_action_status), by command and arguments. The fake shell keeps the answers as its action
/// plan, so the next call names the recorded id; one call recorded with two different answers
/// could not be replayed, and fails here.
#[derive(Default)]
struct ActionBook(Vec<Value>);

impl ActionBook {
    fn add(&mut self, n: &mut Normaliser, command: &str, args: Value, answer: &impl Serialize) {
        let call = n.value(json!({ "command": command, "args": args }));
        let answer = n.value(to_json(answer));
        if let Some(seen) = self
            .0
            .iter()
            .find(|c| c["command"] == call["command"] && c["args"] == call["args"])
        {
            assert_eq!(
                seen["answer"], answer,
                "the same call was answered differently: {call}"
            );
            return;
        }
        let mut entry = call;
        entry["answer"] = answer;
        self.0.push(entry);
    }
}

/// The app's info as the UI's tests see it: the login name is whatever the machine's is, so
/// it is shown as [`ME`] when no name was set in the app.
fn info_of(n: &mut Normaliser, state: &AppState) -> Value {
    let mut info = n.value(to_json(&commands::app_info(state)));
    if info["user_is_set"] == json!(false) {
        info["user"] = json!(ME);
    }
    info
}

/// The test-quality review through the steps of the UI's tests (ui/src/test/a11y.test.ts,
/// ui/src/screens/*.test.ts), in their order.
fn test_quality(n: &mut Normaliser) -> Value {
    let mut book = StatusBook::default();
    let mut actions = ActionBook::default();

    // a11y.test.ts: one review through the dashboard, a benchmark, evidence, actions, search.
    let s = Scenario::registered(n, "test-quality");
    let app_info = info_of(n, &s.state);
    let review_framework = n.value(to_json(&ok(commands::review_framework(&s.state))));
    let neighbours = n.value(s.neighbours());
    s.record(n, &mut book);
    s.save("1.1", Some(2), "", ME);
    s.record(n, &mut book);
    s.save("1.1", Some(2), "We wrote a vision with governors.", ME);
    s.record(n, &mut book);
    s.add_file(
        n,
        "Vision.pdf",
        "Our vision for computing.",
        vec![link("1.1", Some("1.1-doc"))],
    );
    s.add_file(n, "Photos/trip.jpg", "Not really a photo.", vec![]);
    std::fs::remove_file(s.school.join("Photos/trip.jpg")).expect("remove");
    ok(evidence::rescan_evidence(
        &s.state.jobs(),
        &mut |_: &WorkProgress| true,
    ));
    let evidence_screen = n.value(to_json(&ok(evidence::list_evidence(&s.state))));
    s.record(n, &mut book);
    let vision = s.item_id("Vision.pdf");
    ok(evidence::unlink_evidence(
        &s.state,
        vision.clone(),
        link("1.1", Some("1.1-doc")),
    ));
    s.record(n, &mut book);
    ok(evidence::link_evidence(&s.state, vision, link("1.1", None)));
    s.record(n, &mut book);
    // The action plan: add an action, give it another owner, mark it done.
    let id = s.add_action(n, &mut actions, share_the_vision("Alex Kim"));
    s.record(n, &mut book);
    s.update_action(n, &mut actions, &id, share_the_vision("Jo Patel"));
    s.record(n, &mut book);
    s.set_action_status(n, &mut actions, &id, ActionStatus::Done);
    s.record(n, &mut book);
    let searches = vec![s.search(n, "vision")];
    let mut authors = Vec::new();
    for name in ["Sam Lee", "", "Jo Patel"] {
        let answer = ok(commands::set_author(&s.state, name.into()));
        let info = info_of(n, &s.state);
        let answer = if info["user_is_set"] == json!(false) {
            ME.to_owned()
        } else {
            answer
        };
        authors.push(json!({ "name": name, "answer": answer, "app_info": info }));
    }

    // BenchmarkPage.test.ts, one fresh review per test.
    let s = Scenario::registered(n, "test-quality");
    s.save("1.2", None, "Termly monitoring.", ME);
    s.record(n, &mut book);
    s.save("1.2", None, "Termly monitoring, written up.", ME);
    s.record(n, &mut book);

    let s = Scenario::registered(n, "test-quality");
    s.save("1.1", Some(1), "First draft.", ME);
    s.record(n, &mut book);
    s.save("1.1", Some(1), "Alex’s version.", "Alex");
    let stale = commands::save_response(
        &s.state,
        SaveResponseInput {
            benchmark_id: "1.1".into(),
            level: Some(1),
            commentary: "My version.".into(),
            base_revision: Some(1),
            by: ME.into(),
        },
    )
    .expect_err("a stale revision is a conflict");
    let conflict = n.value(to_json(&stale));
    s.save("1.1", Some(1), "My version.", ME);
    s.record(n, &mut book);

    let s = Scenario::registered(n, "test-quality");
    s.save("2.1", Some(1), "First draft.", ME);
    s.record(n, &mut book);
    s.save("2.1", Some(3), "Theirs.", "Alex");
    s.record(n, &mut book);

    let s = Scenario::registered(n, "test-quality");
    s.save("1.1", None, "Very long text", ME);
    s.record(n, &mut book);

    // A level below the top without next steps, then the top one.
    let s = Scenario::registered(n, "test-quality");
    s.save("1.2", Some(2), "", ME);
    s.record(n, &mut book);
    s.save("1.2", Some(3), "", ME);
    s.record(n, &mut book);
    s.save("1.2", Some(1), "", ME);
    s.record(n, &mut book);

    // An answer carried from version 0.9 (6.3 became 1.2), then confirmed.
    let s = Scenario::new(n);
    ok(s.state.with(|ws| {
        let input = register_input("test-quality").institution;
        Ok(ws.register("test-quality", Some("0.9"), &input, ME)?)
    }));
    s.name_ids(n);
    s.save("6.3", Some(1), "First draft.", ME);
    ok(s.state.with(|ws| {
        let review = ws.current_review(None)?;
        Ok(ws.upgrade(&review, Some("1.0"), ME)?)
    }));
    let carried = ok(commands::list_responses(&s.state))
        .into_iter()
        .find(|r| r.benchmark_id == "1.2")
        .expect("carried answer");
    let carried = n.value(to_json(&carried));
    s.record(n, &mut book);
    ok(commands::confirm_response(
        &s.state,
        "1.2".into(),
        ME.into(),
    ));
    s.record(n, &mut book);

    // a11y.test.ts: an action past its due date, on the plan and the dashboard, then done.
    let s = Scenario::registered(n, "test-quality");
    let id = s.add_action(n, &mut actions, overdue_action());
    s.record(n, &mut book);
    s.set_action_status(n, &mut actions, &id, ActionStatus::Done);
    s.record(n, &mut book);

    // BenchmarkPage.test.ts: an action added from a benchmark's page.
    let s = Scenario::registered(n, "test-quality");
    s.add_action(n, &mut actions, quick_action("Plan termly monitoring"));
    s.record(n, &mut book);

    json!({
        "app_info": app_info,
        "review_framework": review_framework,
        "neighbours": neighbours,
        "statuses": book.json(),
        "actions": Value::Array(actions.0),
        "evidence": evidence_screen,
        "searches": searches,
        "authors": authors,
        "conflict": conflict,
        "carried": carried,
    })
}

/// The action a11y.test.ts plans, owned by `owner`; due years ahead, so it is not overdue.
fn share_the_vision(owner: &str) -> NewAction {
    NewAction {
        text: "Share the vision with staff".into(),
        owner: Some(owner.into()),
        due_date: Some("2030-03-31".into()),
        benchmarks: vec![],
    }
}

/// An action that was due long ago, so the core calls it overdue.
fn overdue_action() -> NewAction {
    NewAction {
        text: "Update the computing policy".into(),
        owner: None,
        due_date: Some("2025-09-01".into()),
        benchmarks: vec![],
    }
}

/// What the quick add on benchmark 1.2's page sends.
fn quick_action(text: &str) -> NewAction {
    NewAction {
        text: text.into(),
        owner: None,
        due_date: None,
        benchmarks: vec!["1.2".into()],
    }
}

/// The working-group member the Privacy screen's tests correct, as the edit form sends it.
fn alex(role: &str, email: Option<&str>) -> ContributorInput {
    ContributorInput {
        name: "Alex Kim".into(),
        role: Some(role.into()),
        email: email.map(str::to_owned),
    }
}

/// Privacy.test.ts and a11y.test.ts: the Privacy screen of a registered review with a member
/// and an evidence file; network activity paused and resumed, the member corrected, an export
/// without evidence, then the erasure, after which the app is new.
fn privacy_screen(n: &mut Normaliser) -> Value {
    let s = Scenario::registered(n, "test-quality");
    let member = ok(commands::add_contributor(
        &s.state,
        alex("Deputy head", None),
    ));
    n.name(&member.id, "contributor");
    s.add_file(
        n,
        "Vision.pdf",
        "Our vision for computing.",
        vec![link("1.1", Some("1.1-doc"))],
    );
    let contributors = n.value(to_json(&ok(commands::list_contributors(&s.state))));
    let overview = n.value(to_json(&ok(privacy::privacy_overview(&s.state))));
    let paused = ok(privacy::set_network_restricted(&s.state, true));
    let overview_paused = n.value(to_json(&ok(privacy::privacy_overview(&s.state))));
    let resumed = ok(privacy::set_network_restricted(&s.state, false));
    let input = alex("Headteacher", Some("alex@hillside.sch.uk"));
    let corrected = ok(privacy::update_contributor(
        &s.state,
        member.id.clone(),
        input.clone(),
    ));
    let corrected = json!({
        "args": n.value(json!({ "id": member.id, "input": to_json(&input) })),
        "answer": n.value(to_json(&corrected)),
    });
    let path = s.school.join("Hillside Primary export.tar");
    let exported = ok(privacy::export_data(
        &s.state.jobs(),
        &s.state.saved_documents(),
        path.display().to_string(),
        false,
    ));
    let exported = json!({
        "args": n.value(json!({ "path": path.display().to_string(), "with_evidence": false })),
        "answer": n.value(to_json(&exported)),
    });
    let overview_exported = n.value(to_json(&ok(privacy::privacy_overview(&s.state))));
    let plan = n.value(to_json(&ok(privacy::erasure_plan(&s.state))));
    let erased = ok(privacy::erase_data(
        &s.state,
        waymark_core::privacy::ERASE_CONFIRMATION.into(),
        false,
    ));
    let erased = n.value(to_json(&erased));
    assert!(
        ok(commands::current_status(&s.state)).is_none(),
        "after the erasure the folder is new"
    );
    json!({
        "app_info": info_of(n, &s.state),
        "contributors": contributors,
        "overview": overview,
        "overview_paused": overview_paused,
        "overview_exported": overview_exported,
        "restricted": { "paused": paused, "resumed": resumed },
        "corrected": corrected,
        "exported": exported,
        "plan": plan,
        "erased": erased,
    })
}

/// The core's problems with every form input the UI's tests type (none when it can be saved),
/// in the shape the forms send it.
fn checks() -> Value {
    let dir = tempfile::tempdir().expect("temp dir");
    let s = AppState::open_for_tests(dir.path().join("Waymark"));
    let institution = |name: &str| InstitutionInput {
        name: name.into(),
        identifier: None,
        phase: None,
        contact_name: None,
        email: None,
        role: None,
    };
    let as_registered = |name: &str| InstitutionInput {
        name: name.into(),
        ..register_input("test-quality").institution
    };
    let institutions = vec![
        // FirstRun.test.ts: a blank name and a malformed email, then names alone, then in full.
        InstitutionInput {
            email: Some("head@school".into()),
            ..institution("")
        },
        institution("Hillside"),
        InstitutionInput {
            identifier: None,
            ..as_registered("Hillside Primary")
        },
        // a11y.test.ts: the settings screen renames the institution.
        as_registered("Hillside Primary Academy"),
    ];
    let action = |text: &str| NewAction {
        text: text.into(),
        ..NewAction::default()
    };
    let actions = vec![
        // a11y.test.ts: the action plan.
        share_the_vision("Alex Kim"),
        share_the_vision("Jo Patel"),
        action(""),
        action("Another"),
        overdue_action(),
        // BenchmarkPage.test.ts: the quick add, empty and then filled in.
        quick_action(""),
        quick_action("Plan termly monitoring"),
    ];
    let member = |email: Option<&str>| ContributorInput {
        name: "Jo Patel".into(),
        role: Some("Governor".into()),
        email: email.map(str::to_owned),
    };
    // a11y.test.ts: the working group, with a malformed email and then without one; the
    // Privacy screen's tests correct a member, with a malformed email first.
    let contributors = vec![
        member(Some("jo@school")),
        member(None),
        alex("Headteacher", Some("alex@school")),
        alex("Headteacher", Some("alex@hillside.sch.uk")),
    ];

    json!({
        "institution": answered(&institutions, |i| commands::check_institution(&s, i)),
        "action": answered(&actions, |a| commands::check_action(&s, a)),
        "contributor": answered(&contributors, |c| commands::check_contributor(&s, c)),
    })
}

/// Each input with the problems `check` found in it.
fn answered<T: Serialize + Clone>(
    inputs: &[T],
    check: impl Fn(T) -> Result<Vec<FieldProblem>, CommandError>,
) -> Value {
    Value::Array(
        inputs
            .iter()
            .map(|i| json!({ "input": to_json(i), "problems": ok(check(i.clone())) }))
            .collect(),
    )
}

/// A review of the framework without levels, as its page opens.
fn no_levels(n: &mut Normaliser) -> Value {
    let mut book = StatusBook::default();
    let s = Scenario::registered(n, "no-levels");
    let review_framework = n.value(to_json(&ok(commands::review_framework(&s.state))));
    let neighbours = n.value(s.neighbours());
    s.record(n, &mut book);
    json!({
        "app_info": info_of(n, &s.state),
        "review_framework": review_framework,
        "neighbours": neighbours,
        "statuses": book.json(),
    })
}

/// Before registering: the frameworks on offer, and the data folders that cannot be opened.
fn first_run(n: &mut Normaliser) -> Value {
    let s = Scenario::new(n);
    let frameworks = n.value(to_json(&ok(commands::list_frameworks(&s.state))));
    let fresh = info_of(n, &s.state);

    // A database file that is not SQLite at all (an incomplete copy, say).
    let broken = Scenario::new(n);
    let folder = broken.school.parent().expect("temp dir").join("Broken");
    std::fs::create_dir_all(&folder).expect("folder");
    std::fs::write(
        folder.join(waymark_core::store::DATABASE_FILE),
        "not a database",
    )
    .expect("write");
    let not_a_database = info_of(n, &AppState::open_for_tests(folder));
    // A file where the data folder should be.
    let file = broken.school.join("plan.pdf");
    std::fs::write(&file, "x").expect("write");
    let no_folder = info_of(n, &AppState::open_for_tests(file.join("Waymark")));

    json!({
        "frameworks": frameworks,
        "app_info": fresh,
        "startup_errors": { "not_a_database": not_a_database, "data_dir": no_folder },
    })
}

/// Every kind of reason, gap, status detail and skipped file, with the core's English for it
/// (crate::english, as the CLI and the PDFs print it), which the UI's words.ts must match.
fn words() -> Value {
    let gaps = |level, commentary| Gaps { level, commentary };
    let reasons = vec![
        Reason::NotRegistered,
        Reason::Progress {
            overall: Ratio::new(1, 3),
            needed_percent: 50,
            more: 1,
        },
        Reason::Progress {
            overall: Ratio::new(0, 10),
            needed_percent: 50,
            more: 5,
        },
        Reason::DimensionsComplete {
            complete: 0,
            total: 2,
            needed: 1,
        },
        Reason::RequiredEvidence {
            evidence: Ratio::new(0, 1),
            needed_percent: 100,
            missing: 1,
        },
        Reason::RequiredEvidence {
            evidence: Ratio::new(3, 7),
            needed_percent: 80,
            missing: 4,
        },
        Reason::FutureActions {
            planned: 0,
            needed: 1,
        },
        Reason::FutureActions {
            planned: 1,
            needed: 3,
        },
        Reason::Incomplete {
            benchmark: "1.2".into(),
            title: "Monitoring".into(),
            missing: gaps(true, false),
        },
        Reason::BelowThreshold {
            benchmark: "1.1".into(),
            title: "Vision".into(),
            level: None,
            needed: 3,
            needed_is_top: true,
        },
        Reason::BelowThreshold {
            benchmark: "2.1".into(),
            title: "Coverage".into(),
            level: Some(1),
            needed: 2,
            needed_is_top: false,
        },
    ];
    let problems = vec![
        ReadProblem::NotFound,
        ReadProblem::PermissionDenied,
        ReadProblem::NotAFile,
        ReadProblem::Other {
            message: "Input/output error (os error 5)".into(),
        },
    ];
    let details = vec![
        StatusDetail::Changed,
        StatusDetail::Gone,
        StatusDetail::MovedFrom {
            from: "/school/old/plan.pdf".into(),
        },
        StatusDetail::MovedAndChanged {
            from: "/school/old/plan.pdf".into(),
        },
        StatusDetail::Unreadable {
            problem: ReadProblem::PermissionDenied,
        },
    ];
    let skips = vec![
        SkipReason::CannotRead {
            problem: ReadProblem::NotFound,
        },
        SkipReason::Modified,
        SkipReason::Missing,
        SkipReason::Unreadable,
        SkipReason::ChangedSinceScan,
        SkipReason::CopyFailed {
            message: "No space left on device (os error 28)".into(),
        },
    ];
    fn each<T: Serialize + std::fmt::Display>(values: &[T]) -> Value {
        Value::Array(
            values
                .iter()
                .map(|v| json!({ "value": to_json(v), "english": v.to_string() }))
                .collect(),
        )
    }
    json!({
        "reasons": each(&reasons),
        "gaps": each(&[gaps(true, true), gaps(true, false), gaps(false, true), gaps(false, false)]),
        "read_problems": each(&problems),
        "status_details": each(&details),
        "skip_reasons": each(&skips),
    })
}

/// Every fixture file by name, freshly recorded.
fn record_all() -> BTreeMap<&'static str, Value> {
    let mut n = Normaliser::default();
    let mut files = BTreeMap::new();
    files.insert("first-run.json", first_run(&mut n));
    files.insert("test-quality.json", test_quality(&mut n));
    files.insert("no-levels.json", no_levels(&mut n));
    files.insert("words.json", words());
    files.insert("checks.json", checks());
    files.insert("privacy.json", privacy_screen(&mut n));
    files
}

#[test]
fn the_ui_fixtures_are_the_cores_answers() {
    let out = root().join(OUT);
    let bless = std::env::var_os("WAYMARK_BLESS").is_some();
    let mut stale = Vec::new();
    for (name, value) in record_all() {
        let text = serde_json::to_string_pretty(&value).expect("json") + "\n";
        let path = out.join(name);
        if bless {
            std::fs::create_dir_all(&out).expect("fixtures folder");
            std::fs::write(&path, &text).expect("write fixture");
        }
        if std::fs::read_to_string(&path).unwrap_or_default() != text {
            stale.push(name);
        }
    }
    assert!(
        stale.is_empty(),
        "{OUT}/{stale:?} differ from what the core answers now: run `make bindings` and commit the result"
    );
}

#[test]
fn recording_twice_gives_the_same_fixtures() {
    // Ids, times and folders differ between the two runs; the normalised answers must not.
    assert_eq!(record_all(), record_all());
}
