//! `waymark report`, `waymark certificate` and `waymark action-plan` end to end: the built
//! binary writes real PDF files, checked with `pdfinfo` and `pdftotext` (poppler-utils;
//! `scripts/setup.sh` installs them).

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::Value;

thread_local! {
    /// A private OS keychain for each test (every test runs on a thread of its own, and the
    /// keychain is stopped when it ends): the binary keeps each data folder's key there.
    static KEYCHAIN: waymark_harness::keychain::Keychain =
        waymark_harness::keychain::Keychain::start();
}

/// An institution name with Welsh letters, which must reach the PDF intact.
const SCHOOL: &str = "Ysgol Gynradd Llanfair ŵŷ";

/// A data folder and a working directory for one test.
struct Env {
    dir: tempfile::TempDir,
}

impl Env {
    /// A data folder registered for computing-quality.
    fn registered() -> Self {
        let env = Self {
            dir: tempfile::tempdir().expect("temp dir"),
        };
        std::fs::create_dir(env.work()).expect("work folder");
        env.ok(&[
            "init",
            "--framework",
            "computing-quality",
            "--institution",
            SCHOOL,
        ]);
        env
    }

    /// The current directory the binary runs in.
    fn work(&self) -> PathBuf {
        self.dir.path().join("work")
    }

    fn run(&self, args: &[&str]) -> Output {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_waymark"));
        KEYCHAIN.with(|k| {
            k.apply(&mut cmd);
        });
        let out = cmd
            .arg("--data-dir")
            .arg(self.dir.path().join("data"))
            .args(args)
            .current_dir(self.work())
            .env("WAYMARK_USER", "Siân")
            .env_remove("WAYMARK_DATA_DIR")
            .stdin(Stdio::null())
            .output()
            .expect("run waymark");
        assert!(
            !String::from_utf8_lossy(&out.stderr).contains("panicked"),
            "waymark {args:?} panicked"
        );
        out
    }

    fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "waymark {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("utf-8")
    }

    /// Runs with `--json` and parses stdout.
    fn json(&self, args: &[&str]) -> Value {
        let mut args = args.to_vec();
        args.push("--json");
        serde_json::from_str(&self.ok(&args)).expect("json")
    }

    /// Runs with `--json`, expects exit code 1, returns the error object.
    fn error(&self, args: &[&str]) -> Value {
        let mut args = args.to_vec();
        args.push("--json");
        let out = self.run(&args);
        assert_eq!(out.status.code(), Some(1), "waymark {args:?} should fail");
        let v: Value = serde_json::from_slice(&out.stderr).expect("json error");
        v["error"].clone()
    }
}

fn pdftotext(path: &Path) -> String {
    let out = Command::new("pdftotext")
        .args(["-enc", "UTF-8"])
        .arg(path)
        .arg("-")
        .output()
        .expect("pdftotext: install poppler-utils qpdf (scripts/setup.sh does it)");
    assert!(
        out.status.success(),
        "pdftotext failed on {}",
        path.display()
    );
    String::from_utf8(out.stdout)
        .expect("utf-8")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn each_command_writes_a_pdf_under_a_descriptive_name_and_reports_it() {
    let env = Env::registered();
    let out = env.ok(&["certificate", "commitment", "--date", "2026-11-23"]);
    let name = format!("Certificate of Commitment - {SCHOOL}.pdf");
    assert!(out.contains(&name) && out.contains("1 page"), "{out}");
    let text = pdftotext(&env.work().join(&name));
    assert!(
        text.contains(SCHOOL) && text.contains("23 November 2026"),
        "{text}"
    );

    let report = env.json(&["report", "--date", "2026-11-23"]);
    let path = PathBuf::from(report["path"].as_str().expect("path"));
    assert!(path.is_absolute());
    assert_eq!(
        path.file_name().and_then(|n| n.to_str()),
        Some(format!("Self-review report - {SCHOOL}.pdf").as_str())
    );
    assert!(report["pages"].as_u64().expect("pages") >= 3);
    assert_eq!(
        report["bytes"].as_u64(),
        Some(std::fs::metadata(&path).expect("written").len())
    );
    assert!(pdftotext(&path).contains("1.1 Vision and strategy"));

    env.ok(&[
        "actions",
        "add",
        "Audit the laptops",
        "--owner",
        "Mr Ŵyn Jones",
        "--due",
        "2027-01-31",
    ]);
    let plan = env.json(&["action-plan", "--out", "plan.pdf", "--date", "2026-11-23"]);
    assert_eq!(plan["pages"], 1);
    let text = pdftotext(&env.work().join("plan.pdf"));
    assert!(
        text.contains("Audit the laptops") && text.contains("Mr Ŵyn Jones"),
        "{text}"
    );
}

#[test]
fn out_may_name_a_folder_and_the_same_date_gives_the_same_file() {
    let env = Env::registered();
    std::fs::create_dir(env.work().join("docs")).expect("folder");
    let first = env.json(&[
        "certificate",
        "commitment",
        "--out",
        "docs",
        "--date",
        "2026-11-23",
    ]);
    let path = PathBuf::from(first["path"].as_str().expect("path"));
    assert!(path.starts_with(env.work().join("docs")), "{path:?}");
    let bytes = std::fs::read(&path).expect("read");
    env.ok(&[
        "certificate",
        "commitment",
        "--out",
        "docs",
        "--date",
        "2026-11-23",
    ]);
    assert_eq!(std::fs::read(&path).expect("read"), bytes);
}

#[test]
fn refusals_say_why_with_a_stable_code() {
    let env = Env::registered();
    let e = env.error(&["certificate", "progress"]);
    assert_eq!(e["code"], "not_eligible");
    let message = e["message"].as_str().expect("message");
    assert!(
        message.contains("Certificate of Progress is not available yet"),
        "{message}"
    );
    assert!(
        message.contains("10 more benchmarks needed for 50%"),
        "{message}"
    );

    let e = env.error(&["certificate", "quality-mark"]);
    assert_eq!(e["code"], "issued_by_awarding_body");
    assert!(
        e["message"]
            .as_str()
            .expect("message")
            .contains("cannot be printed here")
    );

    let e = env.error(&["certificate", "gold"]);
    assert_eq!(e["code"], "not_found");
    let message = e["message"].as_str().expect("message");
    assert!(
        message.contains("commitment") && message.contains("progress"),
        "{message}"
    );

    let e = env.error(&["report", "--out", "missing/report.pdf"]);
    assert!(
        e["message"]
            .as_str()
            .expect("message")
            .contains("does not exist")
    );

    let out = env.run(&["report", "--date", "23/11/2026"]);
    assert_eq!(out.status.code(), Some(2), "a bad date is a usage error");
    assert!(String::from_utf8_lossy(&out.stderr).contains("2026-11-23"));

    assert!(
        std::fs::read_dir(env.work())
            .expect("list")
            .next()
            .is_none(),
        "nothing was written by refused commands"
    );
}

#[test]
fn the_global_framework_flag_chooses_the_review() {
    let env = Env::registered();
    env.ok(&[
        "--framework",
        "technology-self-review",
        "init",
        "--institution",
        SCHOOL,
    ]);
    let v = env.json(&[
        "--framework",
        "technology-self-review",
        "report",
        "--out",
        "tech.pdf",
        "--date",
        "2026-11-23",
    ]);
    assert!(v["pages"].as_u64().expect("pages") > 1);
    let text = pdftotext(&env.work().join("tech.pdf"));
    assert!(text.contains("Technology Self-Review Framework"), "{text}");
}
