//! The assessor's report of a decrypted submission: the manifest replayed into a throwaway
//! workspace and printed by waymark-documents, checked with real PDF tools (`qpdf --check`,
//! `pdftotext`; poppler-utils and qpdf, which `scripts/setup.sh` installs), and compared with
//! the report the school's own workspace prints for the same review.

#![allow(clippy::unwrap_used, missing_docs)]

use std::path::{Path, PathBuf};
use std::process::Command;

use chrono::NaiveDate;
use waymark_assess::report::{ReportError, render_report};
use waymark_core::evidence::{EvidenceLink as CoreLink, hash_file};
use waymark_core::store::{ActionStatus, InstitutionInput, NewAction};
use waymark_core::{ResponseUpdate, Workspace};
use waymark_protocol::envelope::BlobRef;
use waymark_protocol::ids::FrameworkRef;
use waymark_protocol::manifest::{
    EvidenceLink, MANIFEST_FORMAT, Manifest, ManifestAction, ManifestContributor, ManifestEvidence,
    ManifestInstitution, ManifestResponse,
};

const SCHOOL: &str = "Ysgol Gynradd Llanfair — ŵŷ “quoted”";
const VISION: &str =
    "Governors agreed the vision in March; pupils’ “digital leaders” helped write it.";
const PLAN: &str = "The plan is costed and reviewed each term by Mr Ŵyn.";
const ACTION: &str = "Review the vision with pupils";
const MINUTES: &str = "Governors’ minutes";
const POLICY: &str = "Vision statement 2026";

fn date() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
}

fn run(tool: &str, args: &[&str]) -> std::process::Output {
    Command::new(tool).args(args).output().unwrap_or_else(|e| {
        panic!("could not run {tool} ({e}): install poppler-utils qpdf (scripts/setup.sh does it)")
    })
}

/// `qpdf --check` passes without warnings; gives pdftotext's words, whitespace runs made
/// single spaces.
fn checked_text(pdf: &Path) -> String {
    let p = pdf.to_str().unwrap();
    let qpdf = run("qpdf", &["--check", p]);
    let stderr = String::from_utf8_lossy(&qpdf.stderr);
    assert!(
        qpdf.status.success() && !stderr.contains("WARNING"),
        "qpdf --check failed:\n{}{stderr}",
        String::from_utf8_lossy(&qpdf.stdout)
    );
    let text = run("pdftotext", &["-enc", "UTF-8", p, "-"]);
    assert!(text.status.success(), "pdftotext failed");
    String::from_utf8(text.stdout)
        .unwrap()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Two evidence files "decrypted" into `folder`, with their manifest entries.
fn evidence(folder: &Path) -> (Vec<ManifestEvidence>, Vec<(String, PathBuf)>) {
    let files = [
        (
            "ev-minutes",
            MINUTES,
            "minutes-2026-03.pdf",
            &b"minutes of the spring meeting"[..],
            vec![EvidenceLink {
                benchmark: "E1.S1.A1".into(),
                requirement: Some("E1.S1.A1-governors".into()),
            }],
            false,
        ),
        (
            "ev-vision",
            POLICY,
            "Gweledigaeth ŵ.docx",
            &b"our vision for technology"[..],
            vec![
                EvidenceLink {
                    benchmark: "E1.S1.A1".into(),
                    requirement: Some("E1.S1.A1-vision".into()),
                },
                EvidenceLink {
                    benchmark: "E1.S1.A2".into(),
                    requirement: None,
                },
            ],
            true,
        ),
    ];
    let mut listed = Vec::new();
    let mut paths = Vec::new();
    for (id, title, name, bytes, links, personal_data) in files {
        let path = folder.join(name);
        std::fs::write(&path, bytes).unwrap();
        listed.push(ManifestEvidence {
            id: id.into(),
            title: title.into(),
            file_name: name.into(),
            size: bytes.len() as u64,
            blake3: hash_file(&path).unwrap().0,
            links,
            personal_data,
            blob: BlobRef {
                sha256: waymark_protocol::Sha256::of(bytes),
                size: bytes.len() as u64 + 200,
            },
        });
        paths.push((id.to_owned(), path));
    }
    (listed, paths)
}

fn manifest(evidence: Vec<ManifestEvidence>) -> Manifest {
    Manifest {
        format: MANIFEST_FORMAT,
        institution: ManifestInstitution {
            name: SCHOOL.into(),
            identifier: Some("urn:schoolid:uk:100001".into()),
        },
        framework: FrameworkRef {
            id: "technology-self-review".into(),
            version: "1.0".into(),
        },
        award: "technology-mark".into(),
        prepared_at: "2026-11-20T09:30:00Z".parse().unwrap(),
        prepared_by: "Mrs Siân Jones".into(),
        responses: vec![
            ManifestResponse {
                benchmark: "E1.S1.A1".into(),
                level: Some(2),
                commentary: VISION.into(),
                updated_at: None,
                updated_by: Some("Mr Evans".into()),
            },
            ManifestResponse {
                benchmark: "E1.S1.A2".into(),
                level: Some(3),
                commentary: PLAN.into(),
                updated_at: None,
                updated_by: None,
            },
        ],
        history: Vec::new(),
        actions: vec![
            ManifestAction {
                title: ACTION.into(),
                detail: String::new(),
                benchmark: Some("E1.S1.A1".into()),
                owner: Some("Mr Evans".into()),
                due: NaiveDate::from_ymd_opt(2027, 3, 31),
                status: "planned".into(),
            },
            ManifestAction {
                title: "Cost the laptop refresh".into(),
                detail: String::new(),
                benchmark: Some("E1.S1.A2".into()),
                owner: None,
                due: None,
                status: "in_progress".into(),
            },
        ],
        working_group: vec![ManifestContributor {
            name: "Mr Evans".into(),
            role: "Computing lead".into(),
            email: Some("evans@llanfair.example".into()),
        }],
        evidence,
    }
}

#[test]
fn the_report_of_a_submission_names_the_school_its_commentary_actions_and_evidence() {
    let folder = tempfile::tempdir().unwrap();
    let decrypted = folder.path().join("evidence");
    std::fs::create_dir(&decrypted).unwrap();
    let (listed, files) = evidence(&decrypted);
    let out = folder.path().join("report.pdf");

    render_report(&manifest(listed), &files, date(), &out).unwrap();

    let text = checked_text(&out);
    for expected in [
        SCHOOL,
        VISION,
        PLAN,
        ACTION,
        MINUTES,
        POLICY,
        "Gweledigaeth ŵ.docx",
    ] {
        assert!(
            text.contains(expected),
            "{expected:?} missing from:\n{text}"
        );
    }
    // The decrypted files were used where they are: nothing copied beside them.
    let mut names: Vec<String> = std::fs::read_dir(&decrypted)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["Gweledigaeth ŵ.docx", "minutes-2026-03.pdf"]);
    let mut written: Vec<String> = std::fs::read_dir(folder.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    written.sort();
    assert_eq!(written, ["evidence", "report.pdf"]);
}

/// The school's own workspace with the same review, built by hand.
fn schools_report(folder: &Path, files: &[(String, PathBuf)]) -> Vec<u8> {
    let data = folder.join("school-data");
    let mut ws = Workspace::open_with_keys(&data, waymark_core::EphemeralKeys::new()).unwrap();
    let review = ws
        .register(
            "technology-self-review",
            Some("1.0"),
            &InstitutionInput {
                name: SCHOOL.into(),
                identifier: Some("100001".into()),
                ..InstitutionInput::default()
            },
            "Mrs Siân Jones",
        )
        .unwrap();
    for (benchmark, level, text) in [("E1.S1.A1", 2, VISION), ("E1.S1.A2", 3, PLAN)] {
        let update = ResponseUpdate {
            level: Some(Some(level)),
            commentary: Some(text.into()),
            base_revision: None,
        };
        ws.set_response(&review, benchmark, update, "Mrs Siân Jones")
            .unwrap();
    }
    ws.add_action(
        &review,
        &NewAction {
            text: ACTION.into(),
            owner: Some("Mr Evans".into()),
            due_date: Some("2027-03-31".into()),
            benchmarks: vec!["E1.S1.A1".into()],
        },
        "Mrs Siân Jones",
    )
    .unwrap();
    let laptops = ws
        .add_action(
            &review,
            &NewAction {
                text: "Cost the laptop refresh".into(),
                benchmarks: vec!["E1.S1.A2".into()],
                ..NewAction::default()
            },
            "Mrs Siân Jones",
        )
        .unwrap();
    ws.set_action_status(&review, &laptops.id, ActionStatus::InProgress)
        .unwrap();
    let link = |b: &str, r: Option<&str>| CoreLink {
        benchmark_id: b.into(),
        requirement_id: r.map(str::to_owned),
    };
    let described = [
        (
            MINUTES,
            false,
            vec![link("E1.S1.A1", Some("E1.S1.A1-governors"))],
        ),
        (
            POLICY,
            true,
            vec![
                link("E1.S1.A1", Some("E1.S1.A1-vision")),
                link("E1.S1.A2", None),
            ],
        ),
    ];
    for ((_, path), (title, personal, links)) in files.iter().zip(described) {
        let added = ws
            .add_evidence(
                &review,
                std::slice::from_ref(path),
                &links,
                "Mrs Siân Jones",
            )
            .unwrap();
        ws.describe_evidence(&review, &added.added[0].id, title, None, personal)
            .unwrap();
    }
    waymark_documents::report(&ws, &review, date())
        .unwrap()
        .bytes
}

#[test]
fn the_assessors_report_is_the_schools_own_byte_for_byte() {
    let folder = tempfile::tempdir().unwrap();
    let (listed, files) = evidence(folder.path());
    let out = folder.path().join("assessor.pdf");
    render_report(&manifest(listed), &files, date(), &out).unwrap();
    let school = folder.path().join("school.pdf");
    std::fs::write(&school, schools_report(folder.path(), &files)).unwrap();
    assert_eq!(checked_text(&out), checked_text(&school));
    // Documents are deterministic and the report prints no history: the very same bytes.
    assert!(
        std::fs::read(&out).unwrap() == std::fs::read(&school).unwrap(),
        "the assessor's PDF differs from the school's"
    );
}

fn assert_nothing_written(out: &Path) {
    assert!(!out.exists(), "{} was written", out.display());
}

#[test]
fn an_unknown_framework_is_named_and_no_pdf_is_written() {
    let folder = tempfile::tempdir().unwrap();
    let (listed, files) = evidence(folder.path());
    let mut m = manifest(listed);
    m.framework.version = "9.4".into();
    let out = folder.path().join("report.pdf");
    let err = render_report(&m, &files, date(), &out).unwrap_err();
    assert!(
        matches!(&err, ReportError::UnknownFramework { id, version, .. }
            if id == "technology-self-review" && version == "9.4"),
        "{err:?}"
    );
    let message = err.to_string();
    for expected in [
        "technology-self-review version 9.4",
        "framework file",
        "1.0",
    ] {
        assert!(message.contains(expected), "{message}");
    }
    assert_nothing_written(&out);
}

#[test]
fn a_benchmark_the_framework_lacks_is_named_and_no_pdf_is_written() {
    let folder = tempfile::tempdir().unwrap();
    let (listed, files) = evidence(folder.path());
    let out = folder.path().join("report.pdf");

    let mut m = manifest(listed.clone());
    m.responses[1].benchmark = "E9.S9.A9".into();
    let err = render_report(&m, &files, date(), &out).unwrap_err();
    assert!(
        matches!(&err, ReportError::UnknownBenchmark { benchmark, .. } if benchmark == "E9.S9.A9"),
        "{err:?}"
    );
    assert!(err.to_string().contains("E9.S9.A9"), "{err}");
    assert_nothing_written(&out);

    // Named by an evidence link, too.
    let mut m = manifest(listed);
    m.evidence[0].links[0].benchmark = "E1.S1.A7".into();
    let err = render_report(&m, &files, date(), &out).unwrap_err();
    let message = err.to_string();
    assert!(
        message.contains("E1.S1.A7") && message.contains(MINUTES),
        "{message}"
    );
    assert_nothing_written(&out);
}

#[test]
fn a_level_off_the_scale_is_the_cores_refusal_naming_the_benchmark() {
    let folder = tempfile::tempdir().unwrap();
    let (listed, files) = evidence(folder.path());
    let out = folder.path().join("report.pdf");
    let mut m = manifest(listed);
    m.responses[0].level = Some(7);
    let err = render_report(&m, &files, date(), &out).unwrap_err();
    assert!(
        matches!(&err, ReportError::Refused { what, source }
            if what.contains("E1.S1.A1")
                && matches!(&**source, waymark_core::Error::Invalid { field, .. } if field == "level")),
        "{err:?}"
    );
    assert!(err.to_string().contains("Level 7"), "{err}");
    assert_nothing_written(&out);
}

#[test]
fn unknown_statuses_missing_and_altered_files_are_refused_and_no_pdf_is_written() {
    let folder = tempfile::tempdir().unwrap();
    let (listed, files) = evidence(folder.path());
    let out = folder.path().join("report.pdf");

    let mut m = manifest(listed.clone());
    m.actions[0].status = "abandoned".into();
    let err = render_report(&m, &files, date(), &out).unwrap_err();
    assert!(
        matches!(&err, ReportError::UnknownActionStatus { status, .. } if status == "abandoned"),
        "{err:?}"
    );
    assert!(err.to_string().contains(ACTION), "{err}");

    let err = render_report(&manifest(listed.clone()), &files[..1], date(), &out).unwrap_err();
    assert!(
        matches!(&err, ReportError::MissingEvidenceFile { id, .. } if id == "ev-vision"),
        "{err:?}"
    );

    std::fs::write(&files[1].1, b"not what the school sent").unwrap();
    let err = render_report(&manifest(listed), &files, date(), &out).unwrap_err();
    assert!(
        matches!(&err, ReportError::EvidenceHashMismatch { title, .. } if title == POLICY),
        "{err:?}"
    );
    assert_nothing_written(&out);
}
