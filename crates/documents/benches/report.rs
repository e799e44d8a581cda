//! Benchmark: the self-review report for a generated 500-benchmark framework with 300 words of
//! commentary on every benchmark (about 150,000 words), plus a certificate and the action plan.
//!
//! Run with `cargo bench -p waymark-documents --bench report` (or `make bench`). Prints a
//! markdown table: median time to generate of 5 runs, file size and page count. Targets: the
//! report under 2 s and under 3 MB.

use std::path::Path;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use waymark_core::store::{InstitutionInput, NewAction, Review};
use waymark_core::{ResponseUpdate, Workspace};

const BENCHMARKS: usize = 500;
const WORDS: usize = 300;
const RUNS: usize = 5;

/// A framework of 50 dimensions × 10 benchmarks, levels 1–4 (a minimal copy of the core's
/// progress bench generator, so the benches stay independent).
fn generated_framework() -> String {
    let mut s = String::from(
        "format = 1\nid = \"bench\"\nversion = \"1.0\"\ntitle = \"Generated framework\"\nawarding_body = \"Bench\"\nsummary = \"500 benchmarks\"\n\
         [scale]\ndirection = \"ascending\"\nlevels = [{ value = 1, name = \"Getting started\" }, { value = 2, name = \"Developing\" }, { value = 3, name = \"Established\" }, { value = 4, name = \"Exemplary\" }]\n",
    );
    let words =
        "The school plans, teaches and reviews this aspect with care and evidence of impact. ";
    for d in 0..BENCHMARKS / 10 {
        s.push_str(&format!(
            "[[dimensions]]\nid = \"{d}\"\ntitle = \"Dimension {d}\"\n"
        ));
        for b in 0..10 {
            let id = format!("{d}.{b}");
            s.push_str(&format!(
                "[[dimensions.benchmarks]]\nid = \"{id}\"\ntitle = \"Benchmark {id}\"\nguidance = \"{g}\"\n",
                g = words.repeat(3)
            ));
            for level in 1..=4 {
                s.push_str(&format!(
                    "[[dimensions.benchmarks.levels]]\nvalue = {level}\ndescriptor = \"{d}\"\n",
                    d = words.repeat(2),
                ));
            }
        }
    }
    s.push_str(
        "[[awards]]\nid = \"commitment\"\ntitle = \"Certificate of Commitment\"\nkind = \"certificate\"\nissuer = \"self\"\nrequires = { registration = true }\n\
         [[awards]]\nid = \"progress\"\ntitle = \"Certificate of Progress\"\nkind = \"certificate\"\nissuer = \"self\"\nrequires = { progress_percent = 50 }\n\
         [[awards]]\nid = \"mark\"\ntitle = \"Mark\"\nkind = \"mark\"\nissuer = \"awarding_body\"\nrequires = { minimum_level = 4 }\n",
    );
    s
}

/// A registered data folder with every benchmark answered with `WORDS` words, and 40 actions.
fn prepare(dir: &Path) -> (Workspace, Review) {
    std::fs::create_dir_all(dir.join("frameworks")).expect("folder");
    std::fs::write(dir.join("frameworks/bench.toml"), generated_framework()).expect("framework");
    let mut ws = Workspace::open(dir).expect("open");
    let school = InstitutionInput {
        name: "Ysgol Gynradd Llanfair Pwllgwyngyll ŵŷ".into(),
        ..InstitutionInput::default()
    };
    let review = ws
        .register("bench", None, &school, "bench")
        .expect("register");
    let ids: Vec<String> = ws
        .framework_of(&review)
        .expect("framework")
        .benchmarks()
        .map(|b| b.benchmark.id.clone())
        .collect();
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

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

type Maker = fn(&mut Workspace, &Review, NaiveDate) -> waymark_documents::Document;

fn main() {
    // `cargo test --benches` runs benches without --bench: one quick run only.
    let runs = if std::env::args().any(|a| a == "--bench") {
        RUNS
    } else {
        1
    };
    let base = Path::new("/dev/shm");
    let root = if base.is_dir() {
        tempfile::tempdir_in(base)
    } else {
        tempfile::tempdir()
    }
    .expect("temp dir");
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
