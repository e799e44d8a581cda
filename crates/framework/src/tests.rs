//! Loading and validation of framework files, as an author of one would meet them.

use proptest::prelude::*;

use super::*;

/// A small, valid framework: two dimensions (one grouped), an ascending 1–4 scale.
pub(crate) const SMALL: &str = r#"
format = 1
id = "small"
version = "1.0"
title = "Small framework"
awarding_body = "Test body"
summary = "A framework for tests."

[scale]
direction = "ascending"
levels = [
  { value = 1, name = "One" },
  { value = 2, name = "Two" },
  { value = 3, name = "Three" },
  { value = 4, name = "Four" },
]

[[dimensions]]
id = "1"
title = "Leadership"

[[dimensions.benchmarks]]
id = "1.1"
title = "Vision"
guidance = "Leaders set a vision."
levels = [
  { value = 1, descriptor = "No vision.", next_steps = "Write one." },
  { value = 2, descriptor = "Some vision." },
  { value = 3, descriptor = "Shared vision." },
  { value = 4, descriptor = "Lived vision." },
]

[[dimensions.benchmarks.evidence]]
id = "1.1-policy"
title = "Policy"

[[dimensions]]
id = "2"
title = "Curriculum"

[[dimensions.groups]]
id = "2.A"
title = "Planning"

[[dimensions.groups.benchmarks]]
id = "2.1"
title = "Curriculum map"
guidance = "A map of the curriculum."
levels = [
  { value = 1, descriptor = "None." },
  { value = 2, descriptor = "Partial." },
  { value = 3, descriptor = "Complete." },
  { value = 4, descriptor = "Reviewed yearly." },
]

[[awards]]
id = "commitment"
title = "Certificate of Commitment"
kind = "certificate"
issuer = "self"
requires = { registration = true }

[[awards]]
id = "mark"
title = "Quality Mark"
kind = "mark"
issuer = "awarding_body"
validity_years = 3
requires = { minimum_level = 4, thresholds = { "2.1" = 3 }, required_evidence_percent = 100 }
"#;

fn problems(source: &str) -> Vec<Problem> {
    match Framework::from_toml(source, "test.toml") {
        Err(FrameworkError::Invalid { problems, .. }) => problems,
        Err(other) => panic!("expected rule problems, got {other}"),
        Ok(_) => panic!("expected the file to be refused"),
    }
}

fn one_problem_at(source: &str, path: &str) -> Problem {
    let found = problems(source);
    found
        .iter()
        .find(|p| p.path == path)
        .cloned()
        .unwrap_or_else(|| panic!("no problem at {path}; found {found:#?}"))
}

#[test]
fn the_small_framework_loads_and_indexes_benchmarks_in_order() {
    let fw = Framework::from_toml(SMALL, "small.toml").expect("valid");
    let ids: Vec<&str> = fw.benchmarks().map(|b| b.benchmark.id.as_str()).collect();
    assert_eq!(ids, ["1.1", "2.1"]);
    let grouped = fw.benchmark("2.1").expect("exists");
    assert_eq!(grouped.group.map(|g| g.id.as_str()), Some("2.A"));
    assert_eq!(grouped.dimension.id, "2");
    assert!(fw.requires_level() && fw.requires_commentary());
    assert_eq!(
        fw.requirement("1.1-policy")
            .map(|(b, _)| b.benchmark.id.as_str()),
        Some("1.1")
    );
}

#[test]
fn every_bundled_framework_is_valid() {
    let catalog = Catalog::bundled().unwrap_or_else(|e| panic!("{e}"));
    let list = catalog.list();
    let ids: Vec<&str> = list.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids.len(), 3, "{ids:?}");
    for summary in &list {
        assert!(
            summary.benchmarks >= 15,
            "{} is too thin to use",
            summary.id
        );
    }
    let cq = catalog.latest("computing-quality").expect("bundled");
    assert_eq!(cq.version(), "2.0");
    assert!(cq.upgrade_from("1.0").is_some());
}

#[test]
fn bundled_frameworks_describe_every_level_and_give_next_steps() {
    let catalog = Catalog::bundled().unwrap_or_else(|e| panic!("{e}"));
    for summary in catalog.list() {
        let fw = catalog.latest(&summary.id).expect("listed");
        for entry in fw.benchmarks() {
            let b = entry.benchmark;
            assert!(b.guidance.len() > 80, "{}: guidance too short", b.id);
            if let Some(scale) = fw.scale() {
                let top = scale.most_mature();
                for level in &b.levels {
                    if Some(level.value) != top {
                        assert!(
                            level.next_steps.is_some(),
                            "{} level {} has no next steps",
                            b.id,
                            level.value
                        );
                    }
                }
            }
        }
    }
}

#[test]
fn find_names_what_was_asked_for_and_the_ids_to_choose_from() {
    let catalog = Catalog::bundled().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        catalog
            .find("computing-quality", None)
            .map(Framework::version),
        Ok("2.0")
    );
    assert_eq!(
        catalog
            .find("computing-quality", Some("1"))
            .map(Framework::version),
        Ok("1.0")
    );
    let missing = catalog
        .find("computing-quality", Some("9.9"))
        .expect_err("no such version");
    assert_eq!(missing.code(), "not_found");
    assert_eq!(missing.wanted(), "computing-quality 9.9");
    assert_eq!(missing.available, catalog.ids());
    assert_eq!(
        missing.to_string(),
        format!(
            "Framework \"computing-quality 9.9\" was not found. Available: {}.",
            catalog.ids().join(", ")
        )
    );
    let empty = Catalog::default()
        .find("anything", None)
        .expect_err("empty catalog");
    assert_eq!(
        empty.to_string(),
        "Framework \"anything\" was not found. There are none yet."
    );
}

#[test]
fn a_syntax_error_names_file_line_and_column() {
    let bad = SMALL.replace("title = \"Vision\"", "title = \"Vision");
    let err = Framework::from_toml(&bad, "mine.toml").expect_err("refused");
    let FrameworkError::Syntax { origin, line, .. } = &err else {
        panic!("expected a syntax error, got {err}");
    };
    assert_eq!(origin, "mine.toml");
    let expected_line = bad
        .lines()
        .position(|l| l.starts_with("title = \"Vision"))
        .expect("present")
        + 1;
    assert_eq!(*line, expected_line);
    assert!(
        err.to_string()
            .starts_with(&format!("mine.toml:{expected_line}:")),
        "{err}"
    );
}

#[test]
fn an_unknown_field_is_refused_with_its_place() {
    let bad = SMALL.replace(
        "guidance = \"Leaders set a vision.\"",
        "guidance = \"Leaders set a vision.\"\nguidnace = \"typo\"",
    );
    let err = Framework::from_toml(&bad, "mine.toml").expect_err("refused");
    let text = err.to_string();
    assert!(text.contains("guidnace"), "{text}");
    let FrameworkError::Syntax { line, .. } = err else {
        panic!("{text}")
    };
    let expected = bad
        .lines()
        .position(|l| l.starts_with("guidnace"))
        .expect("present")
        + 1;
    // The parser points at the table that holds the unknown key or at the key itself.
    assert!(
        line <= expected && line + 12 >= expected,
        "line {line}, key on {expected}: {text}"
    );
}

#[test]
fn duplicate_benchmark_ids_are_refused() {
    let bad = SMALL.replace("id = \"2.1\"", "id = \"1.1\"");
    let p = one_problem_at(&bad, "dimensions[1].groups[0].benchmarks[0].id");
    assert!(
        p.message
            .contains("already used at dimensions[0].benchmarks[0]"),
        "{p}"
    );
}

#[test]
fn a_threshold_outside_the_scale_is_refused() {
    let bad = SMALL.replace(
        "thresholds = { \"2.1\" = 3 }",
        "thresholds = { \"2.1\" = 7 }",
    );
    let p = one_problem_at(&bad, "awards[1].requires.thresholds.\"2.1\"");
    assert!(
        p.message
            .contains("level 7 is outside the scale (levels 1–4, 4 is the most mature)"),
        "{p}"
    );
}

#[test]
fn a_rule_naming_a_missing_benchmark_is_refused() {
    let bad = SMALL.replace(
        "thresholds = { \"2.1\" = 3 }",
        "thresholds = { \"9.9\" = 3 }",
    );
    let p = one_problem_at(&bad, "awards[1].requires.thresholds.\"9.9\"");
    assert!(
        p.message.contains("benchmark \"9.9\" does not exist"),
        "{p}"
    );
}

#[test]
fn an_empty_scale_is_refused() {
    let start = SMALL
        .find("levels = [\n  { value = 1, name")
        .expect("scale levels");
    let end = start + SMALL[start..].find("]\n").expect("end of list") + 2;
    let bad = format!("{}levels = []\n{}", &SMALL[..start], &SMALL[end..]);
    let found = problems(&bad);
    assert!(
        found
            .iter()
            .any(|p| p.path == "scale.levels" && p.message.contains("no levels")),
        "{found:#?}"
    );
}

#[test]
fn a_missing_descriptor_is_refused() {
    let bad = SMALL.replace("  { value = 4, descriptor = \"Reviewed yearly.\" },\n", "");
    let p = one_problem_at(&bad, "dimensions[1].groups[0].benchmarks[0].levels");
    assert!(p.message.contains("no descriptor for level 4"), "{p}");
}

#[test]
fn a_descending_scale_is_expressible() {
    let desc = SMALL.replace("direction = \"ascending\"", "direction = \"descending\"");
    let fw = Framework::from_toml(&desc, "desc.toml").expect("valid");
    assert_eq!(fw.scale().and_then(Scale::most_mature), Some(1));
}

#[test]
fn a_framework_without_levels_needs_no_descriptors() {
    let text = r#"
format = 1
id = "nolevels"
version = "1"
title = "No levels"
awarding_body = "Body"
summary = "Award or not."
[progress]
require_level = false
[[dimensions]]
id = "1"
title = "Outreach"
[[dimensions.benchmarks]]
id = "1.1"
title = "Outreach work"
guidance = "What outreach looks like."
[[awards]]
id = "mark"
title = "Mark"
kind = "mark"
issuer = "awarding_body"
requires = { complete = true, future_actions = 3 }
"#;
    let fw = Framework::from_toml(text, "t.toml").expect("valid");
    assert!(!fw.requires_level());
    let with_level = text.replace(
        "requires = { complete = true",
        "requires = { minimum_level = 2, complete = true",
    );
    let p = one_problem_at(&with_level, "awards[0].requires.minimum_level");
    assert!(p.message.contains("no scale"), "{p}");
}

#[test]
fn every_problem_is_reported_at_once() {
    let bad = SMALL
        .replace("id = \"2.1\"", "id = \"1.1\"")
        .replace(
            "thresholds = { \"2.1\" = 3 }",
            "thresholds = { \"9.9\" = 3 }",
        )
        .replace("title = \"Curriculum\"", "title = \"  \"");
    assert!(problems(&bad).len() >= 3);
}

#[test]
fn upgrades_must_map_onto_existing_benchmarks() {
    let bad =
        format!("{SMALL}\n[[upgrades]]\nfrom = \"0.9\"\nrenamed = {{ \"old\" = \"nope\" }}\n");
    let p = one_problem_at(&bad, "upgrades[0].renamed.\"old\"");
    assert!(p.message.contains("\"nope\" does not exist"), "{p}");
    let later =
        format!("{SMALL}\n[[upgrades]]\nfrom = \"3.0\"\nrenamed = {{ \"old\" = \"1.1\" }}\n");
    one_problem_at(&later, "upgrades[0].from");
}

#[test]
fn a_missing_file_names_the_file() {
    let err = Framework::load_file(Path::new("/no/such/framework.toml")).expect_err("refused");
    assert!(
        err.to_string()
            .starts_with("/no/such/framework.toml: could not read"),
        "{err}"
    );
}

#[test]
fn the_published_json_schema_is_current() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/framework.schema.json");
    let current = json_schema();
    if std::env::var_os("WAYMARK_BLESS").is_some() {
        std::fs::write(&path, &current).expect("write schema");
    }
    let published = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        published == current,
        "docs/framework.schema.json is stale: run `make schema` (WAYMARK_BLESS=1 cargo test -p waymark-framework --lib schema)"
    );
}

/// A mutation of a valid file: the kinds of damage an editor or a bad merge does.
#[derive(Debug, Clone)]
enum Mutation {
    DeleteLine(usize),
    DuplicateLine(usize),
    SwapLines(usize, usize),
    ReplaceByte(usize, u8),
    InsertText(usize, String),
    Truncate(usize),
}

fn apply(source: &str, m: &Mutation) -> String {
    let mut lines: Vec<&str> = source.lines().collect();
    let n = lines.len().max(1);
    match m {
        Mutation::DeleteLine(i) => {
            lines.remove(i % n);
            lines.join("\n")
        }
        Mutation::DuplicateLine(i) => {
            let l = lines[i % n];
            lines.insert(i % n, l);
            lines.join("\n")
        }
        Mutation::SwapLines(a, b) => {
            lines.swap(a % n, b % n);
            lines.join("\n")
        }
        Mutation::ReplaceByte(i, b) => {
            let mut bytes = source.as_bytes().to_vec();
            let len = bytes.len();
            bytes[i % len] = *b;
            String::from_utf8_lossy(&bytes).into_owned()
        }
        Mutation::InsertText(i, t) => {
            let mut at = i % source.len();
            while !source.is_char_boundary(at) {
                at -= 1;
            }
            format!("{}{t}{}", &source[..at], &source[at..])
        }
        Mutation::Truncate(i) => {
            let mut at = i % source.len();
            while !source.is_char_boundary(at) {
                at -= 1;
            }
            source[..at].to_owned()
        }
    }
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let fragments = prop::sample::select(vec![
        "\n[[dimensions]]\n",
        "= 7",
        "\"",
        "[",
        "]]",
        "value = 0",
        "id = \"1.1\"\n",
        "\n[scale]\n",
        "levels = []\n",
        "{",
        "required = \"yes\"\n",
        "ŵŷ",
        "\u{0}",
        "99999999999",
        "-1",
    ])
    .prop_map(str::to_owned);
    prop_oneof![
        any::<usize>().prop_map(Mutation::DeleteLine),
        any::<usize>().prop_map(Mutation::DuplicateLine),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Mutation::SwapLines(a, b)),
        (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Mutation::ReplaceByte(i, b)),
        (any::<usize>(), fragments).prop_map(|(i, t)| Mutation::InsertText(i, t)),
        any::<usize>().prop_map(Mutation::Truncate),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    /// Loading never panics, whatever is done to a valid file, and a refusal always says where.
    #[test]
    fn loading_a_mutated_file_never_panics(
        base in prop::sample::select(vec![0usize, 1, 2, 3]),
        mutations in prop::collection::vec(mutation(), 1..4),
    ) {
        let source = match base {
            0 => SMALL,
            1 => catalog_source("computing-quality-2.0.toml"),
            2 => catalog_source("technology-self-review-1.0.toml"),
            _ => catalog_source("care-experienced-quality-mark-1.0.toml"),
        };
        let mut text = source.to_owned();
        for m in &mutations {
            if text.is_empty() { break; }
            text = apply(&text, m);
        }
        match Framework::from_toml(&text, "fuzz.toml") {
            Ok(fw) => prop_assert!(fw.benchmark_count() > 0),
            Err(FrameworkError::Syntax { line, column, .. }) => prop_assert!(line >= 1 && column >= 1),
            Err(FrameworkError::Invalid { problems, .. }) => prop_assert!(!problems.is_empty()),
            Err(other) => prop_assert!(false, "unexpected error kind: {other}"),
        }
    }
}

fn catalog_source(name: &str) -> &'static str {
    catalog::bundled_source(name).expect("bundled file")
}
