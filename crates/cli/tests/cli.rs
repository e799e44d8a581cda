//! End-to-end tests of the `waymark` command: every test runs the built binary, as a school lead
//! or a script would, against its own fresh data folder.

use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::Value;

thread_local! {
    /// A private OS keychain for each test (every test runs on a thread of its own, and the
    /// keychain is stopped when it ends): the binary keeps each data folder's key there.
    static KEYCHAIN: waymark_harness::keychain::Keychain =
        waymark_harness::keychain::Keychain::start();
}

/// Points `cmd` at this test's keychain.
fn on_keychain(cmd: &mut Command) -> &mut Command {
    KEYCHAIN.with(|k| {
        k.apply(cmd);
    });
    cmd
}

/// The name every test records changes under (`WAYMARK_USER`).
const USER: &str = "Siân Evans";
/// An institution name with Welsh letters, which must survive every round trip.
const SCHOOL: &str = "Ysgol Gynradd Llanfair ŵŷ";
/// The frameworks built into Waymark.
const BUNDLED: [&str; 3] = [
    "computing-quality",
    "technology-self-review",
    "care-experienced-quality-mark",
];

/// A small, valid framework written the way an awarding body would write one.
const TINY: &str = r#"format = 1
id = "tiny-test"
version = "1.0"
title = "Tiny test framework"
awarding_body = "Test awarding body"
summary = "A framework for the command line's tests."

[scale]
direction = "ascending"
levels = [
  { value = 1, name = "Starting" },
  { value = 2, name = "Secure" },
]

[[dimensions]]
id = "A"
title = "First dimension"

  [[dimensions.benchmarks]]
  id = "A.1"
  title = "First benchmark"
  guidance = "What the first benchmark is about."

    [[dimensions.benchmarks.levels]]
    value = 1
    descriptor = "Starting out."
    next_steps = "Do a little more."

    [[dimensions.benchmarks.levels]]
    value = 2
    descriptor = "Secure practice."

  [[dimensions.benchmarks]]
  id = "A.2"
  title = "Second benchmark"
  guidance = "What the second benchmark is about."

    [[dimensions.benchmarks.levels]]
    value = 1
    descriptor = "Starting out."

    [[dimensions.benchmarks.levels]]
    value = 2
    descriptor = "Secure practice."

[[awards]]
id = "progress"
title = "Certificate of Progress"
kind = "certificate"
issuer = "self"

  [awards.requires]
  progress_percent = 50
"#;

/// What one finished run of the binary printed.
#[derive(Debug)]
struct Run {
    /// Exit code (`None` if killed by a signal).
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl Run {
    fn from_output(output: Output) -> Self {
        Self {
            code: output.status.code(),
            stdout: String::from_utf8(output.stdout).expect("stdout is UTF-8"),
            stderr: String::from_utf8(output.stderr).expect("stderr is UTF-8"),
        }
    }

    /// Stdout parsed as JSON.
    fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", self.stdout))
    }

    /// Stderr parsed as the JSON error object `{"error": {"code", "message"}}`.
    fn error_json(&self) -> Value {
        let v: Value = serde_json::from_str(self.stderr.trim())
            .unwrap_or_else(|e| panic!("stderr is not one JSON object ({e}):\n{}", self.stderr));
        assert!(
            v["error"]["code"].is_string(),
            "no error.code in {}",
            self.stderr
        );
        assert!(
            v["error"]["message"]
                .as_str()
                .is_some_and(|m| !m.trim().is_empty()),
            "no error.message in {}",
            self.stderr
        );
        v
    }

    /// The JSON error's code.
    fn error_code(&self) -> String {
        self.error_json()["error"]["code"]
            .as_str()
            .expect("code")
            .to_owned()
    }
}

/// The binary with a known author and no data folder inherited from the environment.
fn waymark() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_waymark"));
    on_keychain(&mut cmd);
    cmd.env("WAYMARK_USER", USER)
        .env_remove("WAYMARK_DATA_DIR")
        .stdin(Stdio::null());
    cmd
}

/// A fresh temporary folder: `data/` is the data folder (not created up front, as on a new
/// machine) and everything else is scratch space for input files.
struct Env {
    dir: tempfile::TempDir,
}

impl Env {
    fn new() -> Self {
        Self {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    /// Writes a scratch file and returns its path.
    fn file(&self, name: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, contents).expect("write scratch file");
        path
    }

    /// The binary pointed at this data folder.
    fn command(&self, args: &[&str]) -> Command {
        let mut cmd = waymark();
        cmd.arg("--data-dir").arg(self.data_dir()).args(args);
        cmd
    }

    fn run(&self, args: &[&str]) -> Run {
        let run = Run::from_output(self.command(args).output().expect("run waymark"));
        assert!(
            !run.stderr.contains("panicked"),
            "waymark {args:?} panicked:\n{}",
            run.stderr
        );
        run
    }

    /// Runs and asserts success.
    fn ok(&self, args: &[&str]) -> Run {
        let run = self.run(args);
        assert_eq!(
            run.code,
            Some(0),
            "waymark {args:?} failed:\nstdout: {}\nstderr: {}",
            run.stdout,
            run.stderr
        );
        run
    }

    /// Runs with `--json`, asserts success and parses stdout.
    fn json(&self, args: &[&str]) -> Value {
        let mut args = args.to_vec();
        args.push("--json");
        self.ok(&args).json()
    }

    /// Runs and asserts an ordinary failure: exit code 1 and a message on stderr.
    fn fails(&self, args: &[&str]) -> Run {
        let run = self.run(args);
        assert_eq!(
            run.code,
            Some(1),
            "waymark {args:?} should have failed with code 1:\nstdout: {}\nstderr: {}",
            run.stdout,
            run.stderr
        );
        assert!(
            !run.stderr.trim().is_empty(),
            "waymark {args:?} failed without saying why"
        );
        run
    }

    /// Runs with `--json`, asserts failure and returns the error code.
    fn fails_json(&self, args: &[&str]) -> String {
        let mut args = args.to_vec();
        args.push("--json");
        let run = self.fails(&args);
        assert!(
            run.stdout.trim().is_empty(),
            "a failed command printed to stdout: {}",
            run.stdout
        );
        run.error_code()
    }

    /// Registers the school for the latest Computing Quality Framework.
    fn init(&self) -> Run {
        self.ok(&[
            "init",
            "--framework",
            "computing-quality",
            "--institution",
            SCHOOL,
        ])
    }

    /// The benchmark ids of a framework, in order, as `frameworks show --json` gives them.
    fn benchmark_ids(&self, framework: &str) -> Vec<String> {
        let def = self.json(&["frameworks", "show", framework]);
        let mut ids = Vec::new();
        for dim in def["dimensions"].as_array().expect("dimensions") {
            let direct = dim["benchmarks"].as_array().into_iter().flatten();
            let grouped = dim["groups"]
                .as_array()
                .into_iter()
                .flatten()
                .flat_map(|g| g["benchmarks"].as_array().into_iter().flatten());
            for b in direct.chain(grouped) {
                ids.push(b["id"].as_str().expect("benchmark id").to_owned());
            }
        }
        ids
    }

    fn status(&self) -> Value {
        self.json(&["status"])
    }

    fn history(&self, benchmark: &str) -> Vec<Value> {
        self.json(&["history", benchmark])
            .as_array()
            .expect("history is an array")
            .clone()
    }

    fn actions(&self, extra: &[&str]) -> Vec<Value> {
        let mut args = vec!["actions", "list"];
        args.extend_from_slice(extra);
        self.json(&args)
            .as_array()
            .expect("actions is an array")
            .clone()
    }
}

/// An award's entry in `status --json`.
fn award<'a>(status: &'a Value, id: &str) -> &'a Value {
    status["progress"]["awards"]
        .as_array()
        .expect("awards")
        .iter()
        .find(|a| a["id"] == id)
        .unwrap_or_else(|| panic!("no award {id} in {status}"))
}

fn eligible(status: &Value, id: &str) -> bool {
    award(status, id)["eligible"]
        .as_bool()
        .expect("eligible is a bool")
}

/// Benchmarks complete, and in all, from `status --json`.
fn overall(status: &Value) -> (u64, u64) {
    let o = &status["progress"]["overall"];
    (
        o["done"].as_u64().expect("done"),
        o["total"].as_u64().expect("total"),
    )
}

fn bundled_framework_files() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../framework/frameworks");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("bundled frameworks folder")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    assert!(files.len() >= 3, "bundled frameworks missing in {dir:?}");
    files
}

/// The 1-based line of the first line of `text` containing `needle`.
fn line_of(text: &str, needle: &str) -> usize {
    text.lines()
        .position(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("{needle:?} not in text"))
        + 1
}

// ---------------------------------------------------------------------------------------------
// Frameworks
// ---------------------------------------------------------------------------------------------

#[test]
fn frameworks_list_json_names_the_bundled_frameworks() {
    let env = Env::new();
    let list = env.json(&["frameworks", "list"]);
    let list = list.as_array().expect("a JSON array");
    let ids: Vec<&str> = list.iter().map(|f| f["id"].as_str().expect("id")).collect();
    for id in BUNDLED {
        assert!(ids.contains(&id), "{id} missing from {ids:?}");
    }
    let cq = list
        .iter()
        .find(|f| f["id"] == "computing-quality")
        .expect("computing-quality");
    assert_eq!(cq["version"], "2.0", "the latest version is listed");
    assert_eq!(cq["versions"], serde_json::json!(["1.0", "2.0"]));
    assert_eq!(cq["benchmarks"], 20);
    assert_eq!(cq["has_levels"], true);
    let care = list
        .iter()
        .find(|f| f["id"] == "care-experienced-quality-mark")
        .expect("care-experienced-quality-mark");
    assert_eq!(care["has_levels"], false);
    assert!(
        !env.data_dir().join("waymark.sqlite3").exists(),
        "listing frameworks must not create a database"
    );
}

#[test]
fn frameworks_list_table_shows_every_id() {
    let env = Env::new();
    let run = env.ok(&["frameworks", "list"]);
    for id in BUNDLED {
        assert!(run.stdout.contains(id), "{id} missing:\n{}", run.stdout);
    }
}

#[test]
fn frameworks_show_gives_benchmark_ids_and_awards() {
    let env = Env::new();
    let ids = env.benchmark_ids("computing-quality");
    assert_eq!(ids.len(), 20);
    assert_eq!(ids[0], "1.1");
    let text = env.ok(&["frameworks", "show", "computing-quality"]).stdout;
    assert!(
        text.starts_with("Computing Quality Framework 2.0"),
        "{text}"
    );
    assert!(text.contains("1.1  Vision and strategy"), "{text}");
    assert!(text.contains("Certificate of Progress"), "{text}");

    let old = env.json(&[
        "frameworks",
        "show",
        "computing-quality",
        "--version",
        "1.0",
    ]);
    assert_eq!(old["version"], "1.0");

    for id in BUNDLED {
        assert!(!env.benchmark_ids(id).is_empty(), "{id} has no benchmarks");
    }
}

#[test]
fn frameworks_show_of_an_unknown_id_lists_the_available_ones() {
    let env = Env::new();
    let run = env.fails(&["frameworks", "show", "no-such-framework"]);
    assert!(run.stderr.contains("no-such-framework"), "{}", run.stderr);
    assert!(run.stderr.contains("computing-quality"), "{}", run.stderr);
    assert_eq!(
        env.fails_json(&["frameworks", "show", "no-such-framework"]),
        "not_found"
    );
}

#[test]
fn frameworks_schema_is_json_schema_of_the_file_format() {
    let env = Env::new();
    let schema = env.ok(&["frameworks", "schema"]).json();
    let props = &schema["properties"];
    for key in ["format", "id", "version", "dimensions", "awards"] {
        assert!(props.get(key).is_some(), "schema lacks {key}: {schema}");
    }
}

#[test]
fn validate_accepts_the_bundled_framework_files() {
    let env = Env::new();
    let files = bundled_framework_files();
    let mut args = vec!["frameworks", "validate"];
    args.extend(files.iter().map(|f| f.to_str().expect("UTF-8 path")));
    let run = env.ok(&args);
    for f in &files {
        let line = run
            .stdout
            .lines()
            .find(|l| l.starts_with(f.to_str().expect("UTF-8 path")))
            .unwrap_or_else(|| panic!("no line for {f:?}:\n{}", run.stdout));
        assert!(line.contains(": ok"), "{line}");
    }
}

#[test]
fn validate_accepts_a_framework_written_by_hand() {
    let env = Env::new();
    let file = env.file("tiny.toml", TINY);
    let run = env.ok(&["frameworks", "validate", file.to_str().expect("path")]);
    assert!(run.stdout.contains("ok"), "{}", run.stdout);
    assert!(run.stdout.contains("tiny-test 1.0"), "{}", run.stdout);
    assert!(run.stdout.contains("2 benchmarks"), "{}", run.stdout);

    let report = env.json(&["frameworks", "validate", file.to_str().expect("path")]);
    assert_eq!(report[0]["ok"], true);
    assert_eq!(report[0]["id"], "tiny-test");
}

#[test]
fn validate_names_the_file_line_and_column_of_an_unknown_field() {
    let env = Env::new();
    // A typo at the top level.
    let text = TINY.replace("title = \"Tiny", "titel = \"Tiny");
    let file = env.file("typo.toml", &text);
    let run = env.fails(&["frameworks", "validate", file.to_str().expect("path")]);
    let place = format!("typo.toml:{}:1", line_of(&text, "titel ="));
    assert!(
        run.stderr.contains(&place),
        "{place} not in:\n{}",
        run.stderr
    );
    assert!(run.stderr.contains("titel"), "{}", run.stderr);

    // A typo deep inside a benchmark's level, indented by four spaces.
    let text = TINY.replace("next_steps = \"Do a", "next_step = \"Do a");
    let file = env.file("nested.toml", &text);
    let run = env.fails(&["frameworks", "validate", file.to_str().expect("path")]);
    let place = format!("nested.toml:{}:5", line_of(&text, "next_step ="));
    assert!(
        run.stderr.contains(&place),
        "{place} not in:\n{}",
        run.stderr
    );
    assert!(run.stderr.contains("next_step"), "{}", run.stderr);
}

#[test]
fn validate_names_the_path_of_a_duplicate_benchmark_id() {
    let env = Env::new();
    let file = env.file("dup.toml", TINY.replace("id = \"A.2\"", "id = \"A.1\""));
    let run = env.fails(&["frameworks", "validate", file.to_str().expect("path")]);
    assert!(run.stderr.contains("dup.toml"), "{}", run.stderr);
    assert!(
        run.stderr.contains("dimensions[0].benchmarks[1].id"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("\"A.1\""), "{}", run.stderr);
}

#[test]
fn validate_names_the_place_of_text_that_is_not_utf8() {
    let env = Env::new();
    let file = env.file(
        "latin1.toml",
        b"format = 1\nid = \"x\"\ntitle = \"caf\xe9\"\n",
    );
    let run = env.fails(&["frameworks", "validate", file.to_str().expect("path")]);
    assert!(run.stderr.contains("latin1.toml:3:13"), "{}", run.stderr);
    assert!(run.stderr.contains("UTF-8"), "{}", run.stderr);
}

#[test]
fn validate_checks_every_file_given_and_fails_if_any_is_refused() {
    let env = Env::new();
    let good = env.file("good.toml", TINY);
    let bad = env.file("bad.toml", TINY.replace("id = \"A.2\"", "id = \"A.1\""));
    let missing = env.dir.path().join("missing.toml");
    let args = [
        "frameworks",
        "validate",
        bad.to_str().expect("path"),
        good.to_str().expect("path"),
        missing.to_str().expect("path"),
    ];
    let run = env.fails(&args);
    assert!(run.stdout.contains("good.toml: ok"), "{}", run.stdout);
    assert!(run.stderr.contains("bad.toml"), "{}", run.stderr);
    assert!(run.stderr.contains("missing.toml"), "{}", run.stderr);
    assert!(run.stderr.contains("2 of 3"), "{}", run.stderr);

    let mut json_args = args.to_vec();
    json_args.push("--json");
    let run = env.fails(&json_args);
    let report = run.json();
    let oks: Vec<bool> = report
        .as_array()
        .expect("array")
        .iter()
        .map(|r| r["ok"].as_bool().expect("ok"))
        .collect();
    assert_eq!(oks, [false, true, false]);
    assert!(
        report[0]["error"]
            .as_str()
            .is_some_and(|e| e.contains("dimensions[0].benchmarks[1].id")),
        "{report}"
    );
    run.error_json();
}

#[test]
fn framework_files_installed_in_the_data_folder_are_listed_and_used() {
    let env = Env::new();
    let installed = env.data_dir().join("frameworks");
    std::fs::create_dir_all(&installed).expect("frameworks folder");
    std::fs::write(installed.join("tiny.toml"), TINY).expect("install");
    std::fs::write(
        installed.join("broken.toml"),
        TINY.replace("id = \"A.2\"", "id = \"A.1\""),
    )
    .expect("install broken");

    let run = env.ok(&["frameworks", "list", "--json"]);
    let ids: Vec<String> = run
        .json()
        .as_array()
        .expect("array")
        .iter()
        .map(|f| f["id"].as_str().expect("id").to_owned())
        .collect();
    assert!(ids.iter().any(|i| i == "tiny-test"), "{ids:?}");
    assert!(ids.iter().any(|i| i == "computing-quality"), "{ids:?}");
    assert!(
        run.stderr.contains("warning") && run.stderr.contains("broken.toml"),
        "a refused file must be reported: {}",
        run.stderr
    );

    env.ok(&["init", "--framework", "tiny-test", "--institution", SCHOOL]);
    env.ok(&["set", "A.1", "--level", "2", "--commentary", "Secure."]);
    assert!(eligible(&env.status(), "progress"), "1 of 2 is half");

    // The review keeps the text of its framework: removing the file changes nothing.
    std::fs::remove_file(installed.join("tiny.toml")).expect("remove");
    let status = env.status();
    assert_eq!(status["review"]["framework_id"], "tiny-test");
    assert_eq!(overall(&status), (1, 2));
    env.ok(&["set", "A.2", "--level", "1", "--commentary", "Started."]);
    assert_eq!(overall(&env.status()), (2, 2));
}

// ---------------------------------------------------------------------------------------------
// Registration and the institution
// ---------------------------------------------------------------------------------------------

#[test]
fn commands_before_init_tell_the_user_to_run_init() {
    let env = Env::new();
    let run = env.fails(&["status"]);
    assert!(run.stderr.contains("waymark init"), "{}", run.stderr);
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    assert_eq!(env.fails_json(&["status"]), "not_registered");
    for args in [
        &["set", "1.1", "--level", "1"][..],
        &["history", "1.1"],
        &["actions", "list"],
        &["institution", "show"],
    ] {
        let run = env.fails(args);
        assert!(
            run.stderr.contains("waymark init"),
            "{args:?}: {}",
            run.stderr
        );
    }
}

#[test]
fn init_registers_the_institution_and_unlocks_the_certificate_of_commitment() {
    let env = Env::new();
    let run = env.init();
    assert!(run.stdout.contains(SCHOOL), "{}", run.stdout);
    assert!(
        run.stdout.contains("Certificate of Commitment"),
        "{}",
        run.stdout
    );
    let status = env.status();
    assert_eq!(status["institution"]["name"], SCHOOL);
    assert_eq!(status["review"]["framework_id"], "computing-quality");
    assert_eq!(status["review"]["framework_version"], "2.0");
    assert_eq!(status["review"]["registered_by"], USER);
    assert_eq!(status["framework_title"], "Computing Quality Framework");
    assert!(eligible(&status, "commitment"));
    assert!(!eligible(&status, "progress"));
    assert!(!eligible(&status, "quality-mark"));
    assert_eq!(overall(&status), (0, 20));

    let text = env.ok(&["status"]).stdout;
    assert!(text.starts_with(SCHOOL), "{text}");
    assert!(text.contains("0 of 20 benchmarks"), "{text}");
}

#[test]
fn init_needs_a_known_framework_and_a_name() {
    let env = Env::new();
    let run = env.fails(&["init", "--institution", SCHOOL]);
    assert!(run.stderr.contains("--framework"), "{}", run.stderr);
    assert!(run.stderr.contains("frameworks list"), "{}", run.stderr);

    let run = env.fails(&["init", "--framework", "nope", "--institution", SCHOOL]);
    assert!(run.stderr.contains("\"nope\""), "{}", run.stderr);
    assert!(run.stderr.contains("computing-quality"), "{}", run.stderr);

    let run = env.fails(&[
        "init",
        "--framework",
        "computing-quality",
        "--institution",
        "   ",
    ]);
    assert!(run.stderr.contains("name"), "{}", run.stderr);
    env.fails(&["status"]);
}

#[test]
fn init_twice_for_the_same_framework_is_refused() {
    let env = Env::new();
    env.init();
    env.ok(&["set", "1.1", "--level", "2", "--commentary", "Kept."]);
    let run = env.fails(&[
        "init",
        "--framework",
        "computing-quality",
        "--institution",
        SCHOOL,
    ]);
    assert!(run.stderr.contains("already registered"), "{}", run.stderr);
    assert_eq!(overall(&env.status()), (1, 20), "the review is untouched");
}

#[test]
fn a_refused_init_leaves_the_institution_unchanged() {
    let env = Env::new();
    env.init();
    env.fails(&[
        "init",
        "--framework",
        "computing-quality",
        "--institution",
        "Someone Else's School",
    ]);
    assert_eq!(env.json(&["institution", "show"])["name"], SCHOOL);
}

#[test]
fn the_institution_name_with_welsh_letters_round_trips() {
    let env = Env::new();
    env.ok(&[
        "init",
        "--framework",
        "computing-quality",
        "--institution",
        SCHOOL,
        "--email",
        "pennaeth@llanfair.sch.uk",
        "--phase",
        "primary",
    ]);
    let inst = env.json(&["institution", "show"]);
    assert_eq!(inst["name"], SCHOOL);
    assert_eq!(inst["email"], "pennaeth@llanfair.sch.uk");
    assert_eq!(inst["phase"], "primary");
    assert!(env.ok(&["institution", "show"]).stdout.contains(SCHOOL));

    let renamed = "Ysgol Uwchradd Tŷ Ddewi — Cymraeg ✓";
    let updated = env.json(&["institution", "update", "--name", renamed]);
    assert_eq!(updated["name"], renamed);
    let inst = env.json(&["institution", "show"]);
    assert_eq!(inst["name"], renamed);
    assert_eq!(
        inst["email"], "pennaeth@llanfair.sch.uk",
        "fields not given stay as they are"
    );
    assert_eq!(env.status()["institution"]["name"], renamed);
}

#[test]
fn institution_update_refuses_bad_details() {
    let env = Env::new();
    env.init();
    let run = env.fails(&["institution", "update", "--email", "not-an-email"]);
    assert!(run.stderr.contains("email"), "{}", run.stderr);
    let run = env.fails(&["institution", "update", "--name", ""]);
    assert!(run.stderr.contains("name"), "{}", run.stderr);
    assert_eq!(env.json(&["institution", "show"])["name"], SCHOOL);
}

// ---------------------------------------------------------------------------------------------
// Responses, progress and history
// ---------------------------------------------------------------------------------------------

#[test]
fn the_certificate_of_progress_comes_at_exactly_half_the_benchmarks() {
    let env = Env::new();
    env.init();
    let ids = env.benchmark_ids("computing-quality");
    assert_eq!(ids.len(), 20);
    for (i, id) in ids.iter().take(9).enumerate() {
        let level = (i % 4 + 1).to_string();
        let commentary = format!("Tystiolaeth ar gyfer {id}: mae'r ysgol yn datblygu ŵŷ.");
        env.ok(&["set", id, "--level", &level, "--commentary", &commentary]);
    }
    let status = env.status();
    assert_eq!(overall(&status), (9, 20));
    assert!(!eligible(&status, "progress"), "9 of 20 is under half");
    // Reasons are data for scripts: a kind plus the numbers.
    let reason = &award(&status, "progress")["reasons"][0];
    assert_eq!(reason["kind"], "progress", "{reason}");
    assert_eq!(reason["overall"]["done"], 9, "{reason}");
    assert_eq!(reason["overall"]["total"], 20, "{reason}");
    assert_eq!(reason["more"], 1, "{reason}");

    env.ok(&[
        "set",
        &ids[9],
        "--level",
        "3",
        "--commentary",
        "The tenth benchmark.",
    ]);
    let status = env.status();
    assert_eq!(overall(&status), (10, 20));
    assert!(eligible(&status, "progress"), "10 of 20 is exactly half");
    assert!(eligible(&status, "commitment"));
    assert!(!eligible(&status, "quality-mark"));
    let dims: u64 = status["progress"]["dimensions"]
        .as_array()
        .expect("dimensions")
        .iter()
        .map(|d| d["benchmarks"]["done"].as_u64().expect("done"))
        .sum();
    assert_eq!(dims, 10, "per-dimension progress adds up");

    let text = env.ok(&["status"]).stdout;
    assert!(text.contains("10 of 20 benchmarks"), "{text}");
    assert!(text.contains("50%"), "{text}");

    // Clearing a level takes the benchmark out of the count again.
    env.ok(&["set", &ids[9], "--clear-level"]);
    let status = env.status();
    assert_eq!(overall(&status), (9, 20));
    assert!(!eligible(&status, "progress"));
}

#[test]
fn a_benchmark_counts_only_with_a_level_and_real_commentary() {
    let env = Env::new();
    env.init();
    env.ok(&["set", "1.1", "--level", "2"]);
    env.ok(&["set", "1.2", "--commentary", "Commentary, but no level."]);
    env.ok(&["set", "1.3", "--level", "3", "--commentary", " \n\t "]);
    assert_eq!(overall(&env.status()), (0, 20));

    // Adding the missing half completes each one; the other half is kept.
    env.ok(&["set", "1.1", "--commentary", "Now with commentary."]);
    env.ok(&["set", "1.2", "--level", "1"]);
    assert_eq!(overall(&env.status()), (2, 20));
    let last = env.history("1.1").pop().expect("history");
    assert_eq!(last["level"], 2, "setting commentary keeps the level");
}

#[test]
fn set_prints_what_was_saved_and_the_next_steps() {
    let env = Env::new();
    env.init();
    let run = env.ok(&["set", "1.1", "--level", "2", "--commentary", "Un dau tri"]);
    assert!(run.stdout.contains("1.1"), "{}", run.stdout);
    assert!(
        run.stdout.contains("level 2 (Developing)"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("3 words"), "{}", run.stdout);
    assert!(run.stdout.contains("Next steps"), "{}", run.stdout);

    let saved = env.json(&["set", "1.1", "--level", "4"]);
    assert_eq!(saved["benchmark_id"], "1.1");
    assert_eq!(saved["level"], 4);
    assert_eq!(saved["commentary"], "Un dau tri");
    assert_eq!(saved["updated_by"], USER);
}

#[test]
fn history_shows_every_edit_and_who_made_it() {
    let env = Env::new();
    env.init();
    env.ok(&[
        "set",
        "1.1",
        "--level",
        "2",
        "--commentary",
        "Drafft cyntaf",
    ]);
    env.ok(&[
        "set",
        "1.1",
        "--level",
        "3",
        "--commentary",
        "Ail ddrafft ŵŷ",
    ]);

    let text = env.ok(&["history", "1.1"]).stdout;
    assert_eq!(text.matches(USER).count(), 2, "{text}");
    assert!(text.contains("Drafft cyntaf"), "{text}");
    assert!(text.contains("Ail ddrafft ŵŷ"), "{text}");

    let history = env.history("1.1");
    assert_eq!(history.len(), 2);
    for h in &history {
        assert_eq!(h["changed_by"], USER);
        assert_eq!(h["change"], "edit");
        assert_eq!(h["benchmark_id"], "1.1");
    }
    assert_eq!(history[0]["level"], 2);
    assert_eq!(history[1]["level"], 3);
    assert_eq!(history[1]["commentary"], "Ail ddrafft ŵŷ");

    // `--as` names someone else for one command.
    env.ok(&["set", "1.1", "--level", "4", "--as", "Gareth Huws"]);
    let history = env.history("1.1");
    assert_eq!(history.len(), 3);
    assert_eq!(history[2]["changed_by"], "Gareth Huws");
}

#[test]
fn history_of_an_unanswered_or_unknown_benchmark() {
    let env = Env::new();
    env.init();
    let run = env.ok(&["history", "1.4"]);
    assert!(run.stdout.contains("not been answered"), "{}", run.stdout);
    assert!(env.history("1.4").is_empty());
    let run = env.fails(&["history", "9.9"]);
    assert!(run.stderr.contains("\"9.9\""), "{}", run.stderr);
}

#[test]
fn a_blank_waymark_user_falls_back_to_the_login_name() {
    let env = Env::new();
    env.init();
    let output = env
        .command(&["set", "1.1", "--level", "1"])
        .env("WAYMARK_USER", "   ")
        .env("USER", "login-name")
        .env("USERNAME", "login-name")
        .output()
        .expect("run");
    assert!(output.status.success());
    assert_eq!(env.history("1.1")[0]["changed_by"], "login-name");
}

#[test]
fn commentary_file_reads_utf8_text_exactly() {
    let env = Env::new();
    env.init();
    let text =
        "Mae'r ysgol wedi cytuno ar weledigaeth.\n\nAil baragraff: ŵ ŷ â ê î ô û — “dyfyniad”.\n";
    let file = env.file("sylwadau.txt", text);
    let saved = env.json(&[
        "set",
        "1.2",
        "--level",
        "2",
        "--commentary-file",
        file.to_str().expect("path"),
    ]);
    assert_eq!(saved["commentary"], text);
    assert_eq!(env.history("1.2")[0]["commentary"], text);
    assert_eq!(overall(&env.status()), (1, 20));
}

#[test]
fn commentary_file_dash_reads_standard_input() {
    let env = Env::new();
    env.init();
    let mut child = env
        .command(&["set", "1.3", "--commentary-file", "-", "--json"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all("O'r mewnbwn safonol ŵŷ".as_bytes())
        .expect("write stdin");
    let run = Run::from_output(child.wait_with_output().expect("wait"));
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_eq!(run.json()["commentary"], "O'r mewnbwn safonol ŵŷ");
}

#[test]
fn a_commentary_file_that_is_not_utf8_is_refused_clearly() {
    let env = Env::new();
    env.init();
    let file = env.file("latin1.txt", b"Caf\xe9 and cr\xe8che\n");
    let path = file.to_str().expect("path");
    let run = env.fails(&["set", "1.2", "--level", "2", "--commentary-file", path]);
    assert!(run.stderr.contains("--commentary-file"), "{}", run.stderr);
    assert!(run.stderr.contains("latin1.txt"), "{}", run.stderr);
    assert!(run.stderr.contains("not UTF-8"), "{}", run.stderr);
    assert_eq!(
        env.fails_json(&["set", "1.2", "--commentary-file", path]),
        "invalid_input"
    );
    assert!(env.history("1.2").is_empty(), "nothing was saved");
}

#[test]
fn a_missing_commentary_file_is_named() {
    let env = Env::new();
    env.init();
    let missing = env.dir.path().join("nowhere.txt");
    let run = env.fails(&[
        "set",
        "1.2",
        "--commentary-file",
        missing.to_str().expect("path"),
    ]);
    assert!(run.stderr.contains("nowhere.txt"), "{}", run.stderr);
}

#[test]
fn a_level_off_the_scale_is_refused_and_the_scale_named() {
    let env = Env::new();
    env.init();
    for level in ["9", "0", "5"] {
        let run = env.fails(&["set", "1.1", "--level", level]);
        assert!(
            run.stderr.contains(&format!("Level {level}")),
            "{}",
            run.stderr
        );
        assert!(run.stderr.contains("levels 1–4"), "{}", run.stderr);
        assert!(
            run.stderr.contains("4 is the most mature"),
            "{}",
            run.stderr
        );
    }
    assert_eq!(
        env.fails_json(&["set", "1.1", "--level", "9"]),
        "invalid_input"
    );
    assert!(env.history("1.1").is_empty(), "nothing was saved");
}

#[test]
fn an_unknown_benchmark_is_named() {
    let env = Env::new();
    env.init();
    let run = env.fails(&["set", "9.9", "--level", "1"]);
    assert!(run.stderr.contains("Benchmark \"9.9\""), "{}", run.stderr);
    assert!(run.stderr.contains("not found"), "{}", run.stderr);
    assert!(
        run.stderr.contains("frameworks show computing-quality"),
        "{}",
        run.stderr
    );
    // A near miss suggests the ids of the same dimension.
    let run = env.fails(&["set", "1.9", "--level", "1"]);
    assert!(run.stderr.contains("1.1"), "{}", run.stderr);
    assert_eq!(env.fails_json(&["set", "9.9", "--level", "1"]), "not_found");
}

#[test]
fn set_with_nothing_to_change_is_refused() {
    let env = Env::new();
    env.init();
    let run = env.fails(&["set", "1.1"]);
    assert!(run.stderr.contains("--level"), "{}", run.stderr);
    assert!(run.stderr.contains("--commentary"), "{}", run.stderr);
}

#[test]
fn a_framework_without_levels_takes_commentary_only() {
    let env = Env::new();
    env.ok(&[
        "init",
        "--framework",
        "care-experienced-quality-mark",
        "--institution",
        "Coleg Cymunedol",
    ]);
    let ids = env.benchmark_ids("care-experienced-quality-mark");
    let first = ids[0].as_str();
    let run = env.fails(&["set", first, "--level", "1"]);
    assert!(run.stderr.contains("no levels"), "{}", run.stderr);
    env.ok(&["set", first, "--commentary", "Mentoring for every learner."]);
    let (done, total) = overall(&env.status());
    assert_eq!((done, total), (1, ids.len() as u64));
}

#[test]
fn usage_errors_exit_with_code_2_and_name_the_flag() {
    let env = Env::new();
    let run = env.run(&["set", "1.1", "--level", "abc"]);
    assert_eq!(run.code, Some(2));
    assert!(run.stderr.contains("--level"), "{}", run.stderr);
    let run = env.run(&["set", "1.1", "--level", "1", "--clear-level"]);
    assert_eq!(run.code, Some(2), "{}", run.stderr);
}

// ---------------------------------------------------------------------------------------------
// Upgrading to a new framework version
// ---------------------------------------------------------------------------------------------

#[test]
fn upgrade_carries_responses_and_asks_for_confirmation() {
    let env = Env::new();
    env.ok(&[
        "init",
        "--framework",
        "computing-quality",
        "--version",
        "1.0",
        "--institution",
        SCHOOL,
    ]);
    assert_eq!(env.status()["review"]["framework_version"], "1.0");
    env.ok(&["set", "1.1", "--level", "4", "--commentary", "Vision."]);
    env.ok(&[
        "set",
        "6.3",
        "--level",
        "3",
        "--commentary",
        "Online safety.",
    ]);
    env.ok(&["set", "5.3", "--level", "2", "--commentary", "Platform."]);

    let report = env.json(&["upgrade"]);
    assert_eq!(report["from_version"], "1.0");
    assert_eq!(report["to_version"], "2.0");
    assert!(
        report["carried"]
            .as_array()
            .expect("carried")
            .contains(&"1.1".into())
    );
    assert_eq!(report["flagged"][0]["benchmark"], "2.3");
    assert_eq!(report["archived"], serde_json::json!(["5.3"]));

    let status = env.status();
    assert_eq!(status["review"]["framework_version"], "2.0");
    assert_eq!(status["awaiting_confirmation"], serde_json::json!(["2.3"]));
    assert!(env.ok(&["status"]).stdout.contains("waymark confirm"));

    env.ok(&["confirm", "2.3"]);
    assert_eq!(env.status()["awaiting_confirmation"], serde_json::json!([]));
    let changes: Vec<Value> = env
        .history("2.3")
        .iter()
        .map(|h| h["change"].clone())
        .collect();
    assert_eq!(changes, [Value::from("carried"), Value::from("confirmed")]);
    assert_eq!(env.history("2.3")[1]["changed_by"], USER);

    // The archived response is kept and its history can still be read.
    let archived = env.history("5.3");
    assert_eq!(archived.last().expect("history")["change"], "archived");
    assert_eq!(archived[0]["commentary"], "Platform.");

    let run = env.fails(&["upgrade"]);
    assert!(
        run.stderr.contains("already on version 2.0"),
        "{}",
        run.stderr
    );
}

// ---------------------------------------------------------------------------------------------
// Future actions and the working group
// ---------------------------------------------------------------------------------------------

#[test]
fn actions_are_added_listed_and_marked_done() {
    let env = Env::new();
    env.init();
    assert!(env.actions(&[]).is_empty());
    assert!(
        env.ok(&["actions", "list"])
            .stdout
            .contains("No future actions yet")
    );

    let added = env.json(&[
        "actions",
        "add",
        "Ysgrifennu polisi cyfrifiadura",
        "--owner",
        "Rhys Prys",
        "--due",
        "2027-03-31",
        "--benchmark",
        "1.1",
    ]);
    let id = added["id"].as_str().expect("id").to_owned();
    assert_eq!(added["status"], "open");
    assert_eq!(added["created_by"], USER);

    let list = env.actions(&[]);
    assert_eq!(list.len(), 1);
    let a = &list[0];
    assert_eq!(a["id"], id.as_str());
    assert_eq!(a["text"], "Ysgrifennu polisi cyfrifiadura");
    assert_eq!(a["owner"], "Rhys Prys");
    assert_eq!(a["due_date"], "2027-03-31");
    assert_eq!(a["benchmarks"], serde_json::json!(["1.1"]));
    assert_eq!(a["status"], "open");
    assert!(a["done_at"].is_null());

    let run = env.ok(&["actions", "done", &id[..8]]);
    assert!(run.stdout.contains("Ysgrifennu polisi"), "{}", run.stdout);
    let list = env.actions(&[]);
    assert_eq!(list[0]["status"], "done");
    assert!(list[0]["done_at"].is_string());
    let table = env.ok(&["actions", "list"]).stdout;
    assert!(table.contains("done"), "{table}");
    assert!(table.contains("2027-03-31"), "{table}");

    assert_eq!(env.actions(&["--status", "done"]).len(), 1);
    assert!(env.actions(&["--status", "open"]).is_empty());
    assert_eq!(env.actions(&["--owner", "rhys"]).len(), 1);
    assert!(env.actions(&["--owner", "Nobody"]).is_empty());

    env.ok(&["actions", "start", &id]);
    assert_eq!(env.actions(&[])[0]["status"], "in_progress");
    env.ok(&["actions", "reopen", &id]);
    assert_eq!(env.actions(&[])[0]["status"], "open");
}

#[test]
fn actions_with_a_bad_due_date_are_refused() {
    let env = Env::new();
    env.init();
    for due in ["2027-02-30", "31/03/2027", "next week", "2027-13-01"] {
        let run = env.fails(&["actions", "add", "Something", "--due", due]);
        assert!(run.stderr.contains(due), "{due}: {}", run.stderr);
        assert!(run.stderr.contains("not a date"), "{}", run.stderr);
        assert!(run.stderr.contains("2027-03-31"), "the form is shown");
    }
    assert_eq!(
        env.fails_json(&["actions", "add", "Something", "--due", "soon"]),
        "invalid_input"
    );
    assert!(env.actions(&[]).is_empty(), "nothing was added");
}

#[test]
fn actions_must_say_something_and_name_real_benchmarks() {
    let env = Env::new();
    env.init();
    env.fails(&["actions", "add", "   "]);
    let run = env.fails(&["actions", "add", "Improve", "--benchmark", "9.9"]);
    assert!(run.stderr.contains("\"9.9\""), "{}", run.stderr);
    assert!(env.actions(&[]).is_empty());
}

#[test]
fn action_ids_must_match_exactly_one_action() {
    let env = Env::new();
    env.init();
    let run = env.fails(&["actions", "done", "zzzz"]);
    assert!(run.stderr.contains("\"zzzz\""), "{}", run.stderr);
    assert!(run.stderr.contains("actions list"), "{}", run.stderr);

    let a = env.json(&["actions", "add", "First"])["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let b = env.json(&["actions", "add", "Second"])["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let common: String = a
        .chars()
        .zip(b.chars())
        .take_while(|(x, y)| x == y)
        .map(|(x, _)| x)
        .collect();
    if !common.is_empty() {
        let run = env.fails(&["actions", "done", &common]);
        assert!(run.stderr.contains("more than one"), "{}", run.stderr);
    }
    env.ok(&["actions", "done", &b]);
    let statuses: Vec<Value> = env
        .actions(&[])
        .iter()
        .map(|x| x["status"].clone())
        .collect();
    assert!(statuses.contains(&"open".into()) && statuses.contains(&"done".into()));
}

#[test]
fn an_empty_action_id_is_refused() {
    let env = Env::new();
    env.init();
    env.ok(&["actions", "add", "Only action"]);
    env.fails(&["actions", "done", ""]);
    env.fails(&["actions", "done", "%"]);
    assert_eq!(env.actions(&[])[0]["status"], "open");
}

#[test]
fn the_working_group_is_added_listed_and_removed() {
    let env = Env::new();
    env.init();
    assert!(
        env.ok(&["group", "list"])
            .stdout
            .contains("No one in the working group")
    );
    let member = env.json(&[
        "group",
        "add",
        "Rhian Llŷr",
        "--role",
        "Computing lead",
        "--email",
        "rhian@llanfair.sch.uk",
    ]);
    let id = member["id"].as_str().expect("id").to_owned();
    let list = env.json(&["group", "list"]);
    assert_eq!(list[0]["name"], "Rhian Llŷr");
    assert_eq!(list[0]["role"], "Computing lead");
    env.ok(&["group", "remove", &id]);
    assert_eq!(env.json(&["group", "list"]), serde_json::json!([]));
    assert_eq!(env.fails_json(&["group", "remove", &id]), "not_found");
}

// ---------------------------------------------------------------------------------------------
// Scripting: JSON errors, data folder selection and closed pipes
// ---------------------------------------------------------------------------------------------

#[test]
fn json_errors_are_one_object_with_a_code_on_stderr() {
    let env = Env::new();
    assert_eq!(env.fails_json(&["status"]), "not_registered");
    assert_eq!(env.fails_json(&["frameworks", "show", "nope"]), "not_found");
    env.init();
    assert_eq!(env.fails_json(&["set", "9.9", "--level", "1"]), "not_found");
    assert_eq!(
        env.fails_json(&["set", "1.1", "--level", "9"]),
        "invalid_input"
    );
    assert_eq!(
        env.fails_json(&["actions", "add", "x", "--due", "2027-02-30"]),
        "invalid_input"
    );
    let message = {
        let run = env.fails(&["status", "--json", "--framework", "technology-self-review"]);
        run.error_json()["error"]["message"]
            .as_str()
            .expect("message")
            .to_owned()
    };
    assert!(message.contains("computing-quality"), "{message}");
}

#[test]
fn the_data_folder_comes_from_the_flag_or_the_environment() {
    let env = Env::new();
    let from_env = env.dir.path().join("from-env");
    let run = waymark()
        .env("WAYMARK_DATA_DIR", &from_env)
        .args([
            "init",
            "--framework",
            "computing-quality",
            "--institution",
            SCHOOL,
        ])
        .output()
        .expect("run");
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(from_env.join("waymark.sqlite3").is_file());
    assert!(!env.data_dir().exists());

    // The flag wins over the environment.
    let run = Run::from_output(
        env.command(&["status"])
            .env("WAYMARK_DATA_DIR", &from_env)
            .output()
            .expect("run"),
    );
    assert_eq!(run.code, Some(1), "the flag's folder is not registered");

    let data_file = env.file("not-a-folder", "x");
    let run = waymark()
        .arg("--data-dir")
        .arg(&data_file)
        .args(["status", "--json"])
        .output()
        .expect("run");
    assert_eq!(Run::from_output(run).error_code(), "data_dir");
}

#[test]
fn the_data_folder_keeps_everything_between_runs() {
    let env = Env::new();
    env.init();
    env.ok(&["set", "2.1", "--level", "3", "--commentary", "Cwricwlwm."]);
    env.ok(&["actions", "add", "Plan", "--benchmark", "2.1"]);
    // Fresh processes see the same state.
    let status = env.status();
    assert_eq!(overall(&status), (1, 20));
    assert_eq!(env.actions(&[]).len(), 1);
    assert_eq!(env.history("2.1").len(), 1);
}

/// Spawns `waymark args` with stdout piped, reads a few bytes and closes the pipe, as
/// `waymark … | head -c 16` does; returns the finished run (stdout empty).
fn close_stdout_early(env: &Env, args: &[&str]) -> Run {
    let mut child = env
        .command(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut stdout = child.stdout.take().expect("stdout");
    let mut first = [0_u8; 16];
    stdout.read_exact(&mut first).expect("read the first bytes");
    drop(stdout);
    Run::from_output(child.wait_with_output().expect("wait"))
}

#[test]
fn closing_stdout_early_does_not_panic() {
    let env = Env::new();
    env.init();
    for id in ["1.1", "1.2", "2.1"] {
        env.ok(&["set", id, "--level", "2", "--commentary", "Testun."]);
    }
    // Over 64 KiB of JSON: the write is still under way when the pipe closes.
    let cases: [&[&str]; 6] = [
        &["frameworks", "show", "technology-self-review", "--json"],
        &["frameworks", "show", "computing-quality"],
        &["frameworks", "list"],
        &["frameworks", "schema"],
        &["status"],
        &["history", "1.1"],
    ];
    for args in cases {
        let run = close_stdout_early(&env, args);
        assert!(
            !run.stderr.contains("panicked"),
            "waymark {args:?} panicked when stdout closed:\n{}",
            run.stderr
        );
        assert_ne!(run.code, Some(101), "waymark {args:?}: {}", run.stderr);
        assert!(
            run.code.is_some(),
            "waymark {args:?} was killed by a signal"
        );
    }
}

#[cfg(target_os = "linux")]
#[test]
fn a_failing_stdout_does_not_panic() {
    let env = Env::new();
    env.init();
    for args in [
        &["frameworks", "show", "technology-self-review", "--json"][..],
        &["status"],
    ] {
        let full = std::fs::File::create("/dev/full").expect("/dev/full");
        let output = env
            .command(args)
            .stdout(full)
            .stderr(Stdio::piped())
            .output()
            .expect("run");
        let run = Run::from_output(output);
        assert!(!run.stderr.contains("panicked"), "{args:?}: {}", run.stderr);
        assert_ne!(run.code, Some(101), "{args:?}");
    }
}

#[cfg(target_os = "linux")]
#[test]
fn a_failing_stderr_still_exits_with_code_1() {
    let env = Env::new();
    let bad = env.file("dup.toml", TINY.replace("id = \"A.2\"", "id = \"A.1\""));
    for args in [
        &["status"][..],
        &["frameworks", "validate", bad.to_str().expect("path")],
    ] {
        let full = std::fs::File::create("/dev/full").expect("/dev/full");
        let output = env
            .command(args)
            .stdout(Stdio::null())
            .stderr(full)
            .output()
            .expect("run");
        assert_eq!(output.status.code(), Some(1), "waymark {args:?}");
    }
}

#[test]
fn version_and_help() {
    let run = Run::from_output(waymark().arg("--version").output().expect("run"));
    assert_eq!(run.code, Some(0));
    assert!(run.stdout.starts_with("waymark "), "{}", run.stdout);
    let run = Run::from_output(waymark().arg("--help").output().expect("run"));
    assert_eq!(run.code, Some(0));
    for cmd in ["frameworks", "init", "status", "set", "history", "actions"] {
        assert!(run.stdout.contains(cmd), "{cmd} missing from help");
    }
}
