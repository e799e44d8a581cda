//! Benchmark: the self-review report for a generated 500-benchmark framework with 300 words of
//! commentary on every benchmark (about 150,000 words), plus a certificate and the action plan.
//!
//! Run with `cargo bench -p waymark-documents --bench report` (or `make bench`). Prints a
//! markdown table: median time to generate of 5 runs, file size and page count. Targets: the
//! report under 2 s and under 3 MB.

use std::path::Path;
use std::time::Instant;

use chrono::NaiveDate;
use waymark_core::store::{InstitutionInput, NewAction, Review};
use waymark_core::{ResponseUpdate, Workspace};
use waymark_test_support::GeneratedFramework;
use waymark_test_support::bench::{self, median};

const BENCHMARKS: usize = 500;
const WORDS: usize = 300;
const RUNS: usize = 5;

/// A registered data folder with every benchmark answered with `WORDS` words, and 40 actions.
fn prepare(dir: &Path) -> (Workspace, Review) {
    // 50 dimensions × 10 benchmarks, levels 1–4, without next steps or evidence
    // requirements: the report's pages are then mostly the commentary being measured.
    let framework = GeneratedFramework::new(BENCHMARKS);
    framework.install(dir).expect("framework");
    let mut ws = Workspace::open_with_keys(dir, waymark_core::EphemeralKeys::new()).expect("open");
    let school = InstitutionInput {
        name: "Ysgol Gynradd Llanfair Pwllgwyngyll ŵŷ".into(),
        ..InstitutionInput::default()
    };
    let review = ws
        .register(GeneratedFramework::ID, None, &school, "bench")
        .expect("register");
    let ids = framework.benchmark_ids();
    let vocabulary = [
        "pupils",
        "teachers",
        "governors’",
        "curriculum",
        "assessment",
        "“digital”",
        "safely",
        "Llanfair",
        "progress",
        "evidence",
        "planning",
        "the",
        "and",
        "of",
        "with",
        "every",
    ];
    for (i, id) in ids.iter().enumerate() {
        let text: Vec<&str> = (0..WORDS)
            .map(|w| vocabulary[(w * 7 + i) % vocabulary.len()])
            .collect();
        let update = ResponseUpdate {
            level: Some(Some((i % 4) as u8 + 1)),
            commentary: Some(text.join(" ")),
            base_revision: None,
        };
        ws.set_response(&review, id, update, "bench")
            .expect("answer");
    }
    for i in 0..40 {
        ws.add_action(
            &review,
            &NewAction {
                text: format!("Action {i}: review the scheme of work with the working group"),
                owner: Some("Siân".into()),
                due_date: Some(format!("2027-{:02}-01", i % 12 + 1)),
                benchmarks: vec![ids[i * 7 % ids.len()].clone()],
            },
            "bench",
        )
        .expect("action");
    }
    (ws, review)
}

type Maker = fn(&mut Workspace, &Review, NaiveDate) -> waymark_documents::Document;

fn main() {
    // A smoke run (`cargo test --benches`) makes each document once.
    let runs = if bench::measuring() { RUNS } else { 1 };
    let root = bench::scratch_dir().expect("temp dir");
    let (mut ws, review) = prepare(root.path());
    let date = NaiveDate::from_ymd_opt(2026, 11, 23).expect("date");

    let makers: [(&str, Maker); 3] = [
        ("report (500 benchmarks × 300 words)", |ws, r, d| {
            waymark_documents::report(ws, r, d).expect("report")
        }),
        ("certificate of progress", |ws, r, d| {
            waymark_documents::certificate(ws, r, "progress", d).expect("certificate")
        }),
        ("action plan (40 actions)", |ws, r, d| {
            waymark_documents::action_plan(ws, r, d).expect("plan")
        }),
    ];
    println!("| document | median of {runs} | size | pages |");
    println!("| --- | ---: | ---: | ---: |");
    for (name, make) in makers {
        let mut times = Vec::new();
        let mut last = None;
        for _ in 0..runs {
            let start = Instant::now();
            let doc = make(&mut ws, &review, date);
            times.push(start.elapsed());
            last = Some(doc);
        }
        let doc = last.expect("at least one run");
        println!(
            "| {name} | {:.0} ms | {:.2} MB | {} |",
            median(times).as_secs_f64() * 1000.0,
            doc.bytes.len() as f64 / 1e6,
            doc.pages
        );
    }
}
