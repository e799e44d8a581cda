//! Every document checked with real PDF tools, as a reader would see it: `qpdf --check` for the
//! file's structure, `pdfinfo` for pages, `pdftotext` for the words (and, with `-bbox`, where
//! each word sits: inside the page and not on top of another word).
//!
//! These tests need poppler-utils and qpdf (`scripts/setup.sh` installs them; CI runs it).

use std::path::{Path, PathBuf};
use std::process::Command;

use chrono::NaiveDate;
use waymark_core::ErrorCode;
use waymark_core::evidence::EvidenceLink;
use waymark_core::store::{InstitutionInput, NewAction, Review};
use waymark_core::{ResponseUpdate, Workspace};
use waymark_documents::{
    IssuedAward, action_plan, certificate, mark_certificate, report, verification_code,
};

/// An institution name with Welsh letters and typographic quotes.
const SCHOOL: &str = "Ysgol Gynradd Llanfair Pwllgwyngyll ŵŷ “Ein Hysgol” ’";

fn date() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 23).expect("valid date")
}

/// A fresh data folder registered for `framework`.
fn registered(framework: &str, name: &str) -> (tempfile::TempDir, Workspace, Review) {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut ws =
        Workspace::open_with_keys(dir.path(), waymark_core::EphemeralKeys::new()).expect("open");
    let review = ws
        .register(
            framework,
            None,
            &InstitutionInput {
                name: name.into(),
                identifier: Some("401234".into()),
                ..InstitutionInput::default()
            },
            "Siân",
        )
        .expect("register");
    (dir, ws, review)
}

fn benchmark_ids(ws: &Workspace, review: &Review) -> Vec<String> {
    ws.framework_of(review)
        .expect("framework")
        .benchmarks()
        .map(|b| b.benchmark.id.clone())
        .collect()
}

/// Answers a benchmark with a level on the scale (if there is one) and commentary.
fn answer(ws: &mut Workspace, review: &Review, id: &str, text: &str) {
    let level = ws
        .framework_of(review)
        .expect("framework")
        .scale()
        .and_then(|s| s.ordered().first().copied());
    ws.set_response(
        review,
        id,
        ResponseUpdate {
            level: level.map(Some),
            commentary: Some(text.into()),
            base_revision: None,
        },
        "Siân",
    )
    .expect("answer");
}

/// What the PDF tools say about a file.
struct Checked {
    pages: usize,
    /// pdftotext's output with all whitespace runs made single spaces.
    #[allow(dead_code)] // shown in failure messages
    text: String,
    /// pdftotext's output as it is.
    raw: String,
}

fn run(tool: &str, args: &[&str]) -> std::process::Output {
    Command::new(tool).args(args).output().unwrap_or_else(|e| {
        panic!("could not run {tool} ({e}): install poppler-utils qpdf (scripts/setup.sh does it)")
    })
}

fn normalise(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Runs every check that applies to any document and returns what was read.
fn check(bytes: &[u8]) -> Checked {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("doc.pdf");
    std::fs::write(&path, bytes).expect("write");
    let p = path.to_str().expect("utf-8 path");

    let qpdf = run("qpdf", &["--check", p]);
    assert!(
        qpdf.status.success(),
        "qpdf --check failed:\n{}{}",
        String::from_utf8_lossy(&qpdf.stdout),
        String::from_utf8_lossy(&qpdf.stderr)
    );
    let stderr = String::from_utf8_lossy(&qpdf.stderr);
    assert!(!stderr.contains("WARNING"), "qpdf warned: {stderr}");

    let info = run("pdfinfo", &[p]);
    assert!(info.status.success(), "pdfinfo failed");
    let info = String::from_utf8_lossy(&info.stdout).into_owned();
    let pages = info
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
        .expect("page count");

    let text = run("pdftotext", &["-enc", "UTF-8", p, "-"]);
    assert!(text.status.success(), "pdftotext failed");
    let raw = String::from_utf8(text.stdout).expect("utf-8 text");

    check_word_boxes(&path);
    Checked {
        pages,
        text: normalise(&raw),
        raw,
    }
}

/// A word's box from `pdftotext -bbox`.
#[derive(Debug)]
struct Word {
    #[allow(dead_code)] // shown in failure messages
    text: String,
    x0: f64,
    y0: f64,
    x1: f64,
    y1: f64,
}

fn attr(tag: &str, name: &str) -> f64 {
    let key = format!("{name}=\"");
    let start = tag.find(&key).expect("attribute") + key.len();
    let end = tag[start..].find('"').expect("closing quote") + start;
    tag[start..end].parse().expect("number")
}

/// Every word lies inside its page, and no two words overlap.
fn check_word_boxes(path: &Path) {
    let out = run(
        "pdftotext",
        &["-bbox", "-enc", "UTF-8", path.to_str().expect("utf-8"), "-"],
    );
    let html = String::from_utf8_lossy(&out.stdout).into_owned();
    for (n, page) in html.split("<page ").skip(1).enumerate() {
        let head = &page[..page.find('>').expect("page tag")];
        let (w, h) = (attr(head, "width"), attr(head, "height"));
        let words: Vec<Word> = page
            .split("<word ")
            .skip(1)
            .map(|t| {
                let tag = &t[..t.find('>').expect("word tag")];
                let text =
                    t[t.find('>').expect("tag") + 1..t.find("</word>").expect("end")].to_owned();
                Word {
                    text,
                    x0: attr(tag, "xMin"),
                    y0: attr(tag, "yMin"),
                    x1: attr(tag, "xMax"),
                    y1: attr(tag, "yMax"),
                }
            })
            .collect();
        for word in &words {
            assert!(
                word.x0 >= 20.0 && word.x1 <= w - 20.0 && word.y0 >= 20.0 && word.y1 <= h - 20.0,
                "page {}: {word:?} is outside the printable area of {w}x{h}",
                n + 1
            );
        }
        for (i, a) in words.iter().enumerate() {
            for b in &words[i + 1..] {
                let overlap_x = a.x1.min(b.x1) - a.x0.max(b.x0);
                let overlap_y = a.y1.min(b.y1) - a.y0.max(b.y0);
                assert!(
                    overlap_x <= 0.5 || overlap_y <= 1.0,
                    "page {}: {a:?} overlaps {b:?}",
                    n + 1
                );
            }
        }
    }
}

#[test]
fn the_certificate_of_commitment_is_one_landscape_page_naming_the_school() {
    let (_dir, ws, review) = registered("computing-quality", SCHOOL);
    let doc = certificate(&ws, &review, "commitment", date()).expect("certificate");
    let c = check(&doc.bytes);
    assert_eq!(c.pages, 1);
    for expected in [
        SCHOOL,
        "Certificate of Commitment",
        "Computing Quality Framework — version 2.0",
        "23 November 2026",
        &verification_code(SCHOOL, "computing-quality", "2.0", "commitment", date()),
    ] {
        assert!(
            c.text.contains(expected),
            "{expected:?} missing from:\n{}",
            c.raw
        );
    }
    assert!(
        doc.file_name
            .starts_with("Certificate of Commitment - Ysgol Gynradd")
    );
    assert!(
        doc.bytes.len() < 100_000,
        "{} bytes: is the font subset?",
        doc.bytes.len()
    );
}

#[test]
fn the_certificate_of_progress_is_refused_below_the_threshold_and_printed_at_it() {
    for framework in ["computing-quality", "technology-self-review"] {
        let (_dir, mut ws, review) = registered(framework, SCHOOL);
        let ids = benchmark_ids(&ws, &review);
        let needed = ids.len().div_ceil(2);
        for id in &ids[..needed - 1] {
            answer(&mut ws, &review, id, "Agreed with governors.");
        }
        let err = certificate(&ws, &review, "progress", date()).expect_err("refused");
        let message = err.to_string();
        assert_eq!(err.code(), ErrorCode::NotEligible, "{message}");
        assert!(
            message.contains("Certificate of Progress is not available yet"),
            "{message}"
        );
        assert!(
            message.contains("1 more benchmark needed for 50%"),
            "{message}"
        );

        answer(&mut ws, &review, &ids[needed - 1], "Agreed with governors.");
        let doc = certificate(&ws, &review, "progress", date()).expect("available at 50%");
        assert!(check(&doc.bytes).text.contains("Certificate of Progress"));
    }
}

#[test]
fn awards_from_the_awarding_body_and_unknown_kinds_are_refused_clearly() {
    let (_dir, ws, review) = registered("computing-quality", SCHOOL);
    let err = certificate(&ws, &review, "quality-mark", date()).expect_err("refused");
    assert_eq!(err.code(), ErrorCode::IssuedByAwardingBody, "{err}");
    assert!(
        err.to_string()
            .contains("Waymark Computing Quality Partnership"),
        "{err}"
    );

    let err = certificate(&ws, &review, "gold-star", date()).expect_err("refused");
    let message = err.to_string();
    assert!(
        message.contains("Available: commitment, progress."),
        "{message}"
    );
    assert_eq!(err.code(), ErrorCode::NotFound);
}

/// The awarding body's code for an award, as its endpoint gives it.
const MARK_CODE: &str = "abcde-fghij-kmnpq-rstuv";

/// An award the awarding body made, as the endpoint recorded it.
fn issued(award_id: &str, title: &str) -> IssuedAward {
    IssuedAward {
        award_id: award_id.into(),
        title: title.into(),
        awarding_body: "Waymark Computing Quality Partnership".into(),
        awarded_on: date(),
        expires_on: NaiveDate::from_ymd_opt(2029, 11, 22).expect("valid date"),
        verification_code: MARK_CODE.into(),
        verification_url: Some(format!("https://awards.example.org/awards/{MARK_CODE}")),
    }
}

/// `pdfinfo`'s "Key: value" lines.
fn pdf_info(bytes: &[u8]) -> String {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("doc.pdf");
    std::fs::write(&path, bytes).expect("write");
    let out = run("pdfinfo", &["-enc", "UTF-8", path.to_str().expect("utf-8")]);
    assert!(out.status.success(), "pdfinfo failed");
    String::from_utf8(out.stdout).expect("utf-8")
}

#[test]
fn the_mark_certificate_states_the_school_the_award_both_dates_the_code_and_the_link() {
    for (framework, id, title, version) in [
        (
            "computing-quality",
            "quality-mark",
            "Computing Quality Mark",
            "2.0",
        ),
        (
            "technology-self-review",
            "technology-mark",
            "Technology Mark",
            "1.0",
        ),
    ] {
        let (_dir, ws, review) = registered(framework, SCHOOL);
        let award = issued(id, title);
        let doc = mark_certificate(&ws, &review, &award).expect("mark certificate");
        let c = check(&doc.bytes);
        assert_eq!(c.pages, 1);
        let fw = ws.framework_of(&review).expect("framework");
        let framework_line = format!("{} — version {version}", fw.def().title);
        for expected in [
            SCHOOL,
            title,
            &framework_line,
            "Awarded by Waymark Computing Quality Partnership on 23 November 2026",
            "Valid until 22 November 2029",
            MARK_CODE,
            "Check this certificate at https://awards.example.org/awards/abcde-fghij-kmnpq-rstuv",
        ] {
            assert!(
                c.text.contains(expected),
                "{framework}: {expected:?} missing from:\n{}",
                c.raw
            );
        }
        assert!(
            !c.text.contains("WM-"),
            "the awarding body's code is the only one printed"
        );
        let info = pdf_info(&doc.bytes);
        for expected in [
            format!("Title:           {title} — {SCHOOL}"),
            format!("Subject:         {title} — {} {version}", fw.def().title),
            format!("Author:          {SCHOOL}"),
            "Page size:       841.89 x 595.276 pts (A4)".to_owned(),
        ] {
            assert!(
                info.contains(&expected),
                "{expected:?} missing from:\n{info}"
            );
        }
        assert!(
            doc.file_name
                .starts_with(&format!("{title} - Ysgol Gynradd"))
        );
        assert_eq!(
            doc.bytes,
            mark_certificate(&ws, &review, &award).expect("again").bytes,
            "the same record gives the same bytes"
        );
    }
}

#[test]
fn a_mark_certificate_without_a_link_says_who_can_confirm_it() {
    let (_dir, ws, review) = registered("computing-quality", SCHOOL);
    let award = IssuedAward {
        verification_url: None,
        ..issued("quality-mark", "Computing Quality Mark")
    };
    let c = check(
        &mark_certificate(&ws, &review, &award)
            .expect("certificate")
            .bytes,
    );
    assert!(!c.text.contains("Check this certificate at"), "{}", c.raw);
    for expected in [
        MARK_CODE,
        "Waymark Computing Quality Partnership can confirm this certificate from its verification code.",
        "Valid until 22 November 2029",
    ] {
        assert!(
            c.text.contains(expected),
            "{expected:?} missing from:\n{}",
            c.raw
        );
    }
}

#[test]
fn long_names_titles_and_links_fit_on_a_mark_certificate() {
    let long_url = format!(
        "https://awards.waymark-computing-quality-partnership.example.org/{}/awards/{MARK_CODE}",
        "regional-office".repeat(6)
    );
    let body = "The Waymark Computing Quality Partnership of Schools, Colleges and Local Authorities in Wales and England";
    // So long that its statement takes three lines: the name then gets fewer.
    let longest_body = format!(
        "{body}, with the Regional Consortia and Dioceses of Scotland and Northern Ireland, acting through its Assessment and Moderation Board"
    );
    for (name, awarding_body) in [
        (format!("Ysgol{}", "ŵ".repeat(195)), body),
        ("Llanfairpwllgwyngyll ".repeat(9), body),
        ("Llanfairpwllgwyngyll ".repeat(9), longest_body.as_str()),
    ] {
        let (_dir, ws, review) = registered("computing-quality", &name);
        let award = IssuedAward {
            title:
                "Computing Quality Mark for Exemplary Practice in Every Dimension of the Framework"
                    .into(),
            awarding_body: awarding_body.into(),
            verification_code: format!("{MARK_CODE}-{MARK_CODE}"),
            verification_url: Some(long_url.clone()),
            ..issued("quality-mark", "")
        };
        let doc = mark_certificate(&ws, &review, &award).expect("certificate");
        // No word outside the page or on another (check), and what must be whole is whole.
        let c = check(&doc.bytes);
        assert_eq!(c.pages, 1);
        let start: String = name.chars().take(18).collect();
        assert!(
            c.text.contains(&start),
            "the name starts legibly: {}",
            c.raw
        );
        for expected in [
            format!("Awarded by {} on 23 November 2026", award.awarding_body),
            "Valid until 22 November 2029".to_owned(),
            award.verification_code.clone(),
            long_url.clone(),
        ] {
            // Compared without spaces and hyphens: a line may break inside what is printed
            // whole, and pdftotext drops a hyphen that ends a line.
            let compact = |t: &str| -> String {
                t.chars()
                    .filter(|c| !c.is_whitespace() && *c != '-')
                    .collect()
            };
            let (compact, text) = (compact(&expected), compact(&c.text));
            assert!(
                text.contains(&compact),
                "{expected:?} missing from:\n{}",
                c.raw
            );
        }
    }
}

#[test]
fn mark_certificates_are_refused_for_other_awards_self_issued_ones_and_impossible_dates() {
    let (_dir, ws, review) = registered("computing-quality", SCHOOL);

    let err = mark_certificate(&ws, &review, &issued("technology-mark", "Technology Mark"))
        .expect_err("not this framework's");
    assert_eq!(err.code(), ErrorCode::NotFound, "{err}");
    assert!(
        err.to_string().contains("Available: quality-mark."),
        "{err}"
    );

    let err = mark_certificate(
        &ws,
        &review,
        &issued("commitment", "Certificate of Commitment"),
    )
    .expect_err("self-issued");
    assert_eq!(err.code(), ErrorCode::InvalidInput, "{err}");
    assert_eq!(err.field(), Some("award_id"));
    assert!(
        err.to_string()
            .contains("the institution prints it itself, as its own certificate"),
        "{err}"
    );

    let backwards = IssuedAward {
        expires_on: NaiveDate::from_ymd_opt(2026, 11, 22).expect("valid date"),
        ..issued("quality-mark", "Computing Quality Mark")
    };
    let err = mark_certificate(&ws, &review, &backwards).expect_err("expires before");
    assert_eq!(err.code(), ErrorCode::InvalidInput, "{err}");
    assert_eq!(err.field(), Some("expires_on"));
    let message = err.to_string();
    assert!(
        message.contains("expires on 22 November 2026, before it was awarded on 23 November 2026")
            && message.contains("Ask Waymark Computing Quality Partnership to correct the record"),
        "{message}"
    );
    let same_day = IssuedAward {
        expires_on: date(),
        ..backwards.clone()
    };
    mark_certificate(&ws, &review, &same_day).expect("a mark may end the day it starts");

    let no_code = IssuedAward {
        verification_code: "  ".into(),
        ..issued("quality-mark", "Computing Quality Mark")
    };
    let err = mark_certificate(&ws, &review, &no_code).expect_err("no code");
    assert_eq!(err.field(), Some("verification_code"), "{err}");
}

#[test]
fn the_report_shows_every_benchmark_and_all_commentary_in_every_bundled_framework() {
    for framework in [
        "computing-quality",
        "technology-self-review",
        "care-experienced-quality-mark",
    ] {
        let (_dir, mut ws, review) = registered(framework, SCHOOL);
        let ids = benchmark_ids(&ws, &review);
        for (i, id) in ids.iter().enumerate().step_by(3) {
            answer(
                &mut ws,
                &review,
                id,
                &format!("Commentary number {i} for {id}: we’re proud of “this”."),
            );
        }
        let doc = report(&ws, &review, date()).expect("report");
        let c = check(&doc.bytes);
        let fw = ws.framework_of(&review).expect("framework");
        assert!(c.text.contains(SCHOOL), "{framework}: name missing");
        assert!(c.text.contains(&fw.def().title));
        for entry in fw.benchmarks() {
            let b = entry.benchmark;
            let heading = normalise(&format!("{} {}", b.id, b.title));
            assert!(
                c.text.contains(&heading),
                "{framework}: {heading:?} missing"
            );
        }
        for (i, id) in ids.iter().enumerate().step_by(3) {
            let expected = format!("Commentary number {i} for {id}: we’re proud of “this”.");
            assert!(
                c.text.contains(&expected),
                "{framework}: {expected:?} missing"
            );
        }
        for n in 1..=c.pages {
            let footer = format!("Page {n} of {}", c.pages);
            assert!(c.text.contains(&footer), "{framework}: {footer:?} missing");
        }
        assert!(c.text.contains("Progress by dimension"));
        assert!(
            c.text.contains("Certificate of Commitment Available"),
            "{framework}"
        );
    }
}

#[test]
fn the_page_count_grows_with_the_content() {
    let (_dir, mut ws, review) = registered("computing-quality", SCHOOL);
    let empty = check(&report(&ws, &review, date()).expect("report").bytes).pages;
    let ids = benchmark_ids(&ws, &review);
    let paragraph =
        "Pupils design, write and debug programs that accomplish specific goals. ".repeat(60);
    for id in &ids {
        answer(&mut ws, &review, id, &paragraph);
    }
    let full = check(&report(&ws, &review, date()).expect("report").bytes).pages;
    assert!(
        full > empty + ids.len() / 2,
        "{empty} pages empty, {full} full"
    );
}

/// A recognisable word: letters then its position, so footers ("Page 3 of 9") never match.
fn numbered_word(i: usize) -> String {
    const STEMS: [&str; 8] = [
        "pupils",
        "Llanfair",
        "ŵyr",
        "assessment",
        "curriculum",
        "“quoted”",
        "governors’",
        "safeguarding",
    ];
    format!("{}{i}", STEMS[i % STEMS.len()])
}

fn is_numbered_word(token: &str) -> bool {
    let digits = token.trim_start_matches(|c: char| !c.is_ascii_digit());
    let stem = &token[..token.len() - digits.len()];
    !digits.is_empty()
        && stem.chars().any(char::is_alphabetic)
        && digits.chars().all(|c| c.is_ascii_digit())
}

#[test]
fn a_five_thousand_word_commentary_flows_over_pages_without_losing_a_word() {
    let (_dir, mut ws, review) = registered("computing-quality", SCHOOL);
    let words: Vec<String> = (0..5000).map(numbered_word).collect();
    // Paragraphs of 250 words, so blank lines are exercised too.
    let commentary = words
        .chunks(250)
        .map(|c| c.join(" "))
        .collect::<Vec<_>>()
        .join("\n\n");
    answer(&mut ws, &review, "1.1", &commentary);
    let doc = report(&ws, &review, date()).expect("report");
    let c = check(&doc.bytes);
    assert!(c.pages >= 10, "{} pages", c.pages);
    let found: Vec<&str> = c
        .raw
        .split_whitespace()
        .filter(|t| is_numbered_word(t))
        .collect();
    let extra: Vec<&&str> = found
        .iter()
        .filter(|t| !words.iter().any(|w| w == **t))
        .collect();
    assert!(extra.is_empty(), "unexpected tokens {extra:?}");
    assert_eq!(found.len(), words.len(), "words were lost or split");
    assert!(
        found.iter().zip(&words).all(|(a, b)| a == b),
        "words out of order"
    );
}

/// Makes one kind of document.
type Maker<'a> = dyn Fn(&mut Workspace) -> Vec<u8> + 'a;

#[test]
fn documents_are_byte_identical_when_made_twice_and_carry_no_clock() {
    let (_dir, mut ws, review) = registered("computing-quality", SCHOOL);
    answer(&mut ws, &review, "1.1", "Vision agreed with governors.");
    ws.add_action(
        &review,
        &NewAction {
            text: "Review the computing policy".into(),
            owner: Some("Siân".into()),
            due_date: Some("2027-03-31".into()),
            benchmarks: vec!["1.1".into()],
        },
        "Siân",
    )
    .expect("action");
    let makers: [&Maker; 3] = [
        &|ws| report(ws, &review, date()).expect("report").bytes,
        &|ws| {
            certificate(ws, &review, "commitment", date())
                .expect("certificate")
                .bytes
        },
        &|ws| action_plan(ws, &review, date()).expect("plan").bytes,
    ];
    for make in makers {
        let first = make(&mut ws);
        let second = make(&mut ws);
        assert!(first == second, "two runs differ");
        let text = String::from_utf8_lossy(&first);
        assert!(
            text.contains("D:20261123000000"),
            "dates are the as-of date"
        );
        assert!(
            !text.contains("/Metadata"),
            "no XMP packet (it would carry a random id)"
        );
    }
    let other_day = report(&ws, &review, date().succ_opt().expect("date"))
        .expect("report")
        .bytes;
    assert!(other_day != make_report(&ws, &review));
}

fn make_report(ws: &Workspace, review: &Review) -> Vec<u8> {
    report(ws, review, date()).expect("report").bytes
}

#[test]
fn the_action_plan_lists_actions_and_marks_overdue_ones() {
    let (_dir, mut ws, review) = registered("computing-quality", SCHOOL);
    let empty = action_plan(&ws, &review, date()).expect("plan");
    let c = check(&empty.bytes);
    assert!(c.text.contains("No future actions have been planned yet."));
    for (text, due) in [
        (
            "Train every teacher in the new scheme of work",
            Some("2026-09-01"),
        ),
        ("Buy a class set of micro:bits", Some("2027-01-15")),
        ("Write a policy on “screen time” with pupils’ voices", None),
    ] {
        ws.add_action(
            &review,
            &NewAction {
                text: text.into(),
                owner: Some("Mr Ŵyn Jones".into()),
                due_date: due.map(Into::into),
                benchmarks: vec!["2.1".into(), "1.1".into()],
            },
            "Siân",
        )
        .expect("action");
    }
    let doc = action_plan(&ws, &review, date()).expect("plan");
    assert!(doc.file_name.starts_with("Action plan - "));
    let c = check(&doc.bytes);
    for expected in [
        "Action plan",
        "Train every teacher in the new scheme of work",
        "“screen time”",
        "Mr Ŵyn Jones",
        "2027-01-15",
        "Open (overdue)",
        "3 actions: 3 open, 0 under way, 0 done; 1 overdue.",
        "1.1 Vision and strategy",
        "Page 1 of 1",
    ] {
        assert!(
            c.text.contains(expected),
            "{expected:?} missing from:\n{}",
            c.raw
        );
    }
}

#[test]
fn the_evidence_index_lists_each_file_with_its_hash_and_personal_data_flag() {
    let (dir, mut ws, review) = registered("computing-quality", SCHOOL);
    let file: PathBuf = dir.path().join("Polisi cyfrifiadura ŵ.pdf");
    std::fs::write(&file, b"policy text").expect("file");
    let added = ws
        .add_evidence(
            &review,
            std::slice::from_ref(&file),
            &[EvidenceLink {
                benchmark_id: "1.1".into(),
                requirement_id: None,
            }],
            "Siân",
        )
        .expect("add");
    let item = &added.added[0];
    ws.describe_evidence(&review, &item.id, "Computing policy 2026", None, true)
        .expect("describe");
    let c = check(&report(&ws, &review, date()).expect("report").bytes);
    for expected in [
        "Evidence index",
        "Computing policy 2026",
        "Polisi cyfrifiadura ŵ.pdf",
        "11 bytes",
        &item.hash[..12],
        "Yes",
        "Evidence: Computing policy 2026",
    ] {
        assert!(
            c.text.contains(expected),
            "{expected:?} missing from:\n{}",
            c.raw
        );
    }
}

#[test]
fn hostile_text_never_breaks_a_document() {
    let long_name = format!("Ysgol{}", "ŵ".repeat(195));
    let (_dir, mut ws, review) = registered("care-experienced-quality-mark", &long_name);
    let ids = benchmark_ids(&ws, &review);
    let nasty = format!(
        "Emoji 🎉🏫 and Arabic مرحبا and Hebrew שלום, CJK 学校, zero\u{200b}width, tabs\tand\r\nbreaks. {} end",
        "x".repeat(20_000)
    );
    answer(&mut ws, &review, &ids[0], &nasty);
    ws.add_action(
        &review,
        &NewAction {
            text: "y".repeat(2000),
            owner: Some("z".repeat(300)),
            due_date: None,
            benchmarks: ids.clone(),
        },
        "Siân",
    )
    .expect("action");
    for doc in [
        report(&ws, &review, date()).expect("report"),
        certificate(&ws, &review, "commitment", date()).expect("certificate"),
        action_plan(&ws, &review, date()).expect("plan"),
    ] {
        let c = check(&doc.bytes);
        assert!(c.text.contains("Ysgolŵŵŵ"), "the name starts legibly");
    }
    let c = check(&report(&ws, &review, date()).expect("report").bytes);
    assert!(
        c.text.contains("\u{FFFD}"),
        "missing glyphs show as a replacement"
    );
    assert!(c.text.contains("end"));
}
