//! The award arithmetic a school relies on: exact boundaries, plain reasons, monotonicity.

use proptest::prelude::*;

use super::*;
use crate::framework::Framework;

/// A framework of `n` benchmarks in two dimensions, ascending 1–4, with a 50% progress
/// certificate, a mark at level 4 (3 for "b0") with all required evidence, and one required
/// evidence item per benchmark (the odd ones only from level 4).
fn generated(n: usize, direction: &str) -> Framework {
    let mut s = format!(
        "format = 1\nid = \"gen\"\nversion = \"1\"\ntitle = \"Gen\"\nawarding_body = \"B\"\nsummary = \"S\"\n\
         [scale]\ndirection = \"{direction}\"\nlevels = [{{ value = 1, name = \"a\" }}, {{ value = 2, name = \"b\" }}, {{ value = 3, name = \"c\" }}, {{ value = 4, name = \"d\" }}]\n"
    );
    for d in 0..2 {
        s.push_str(&format!(
            "[[dimensions]]\nid = \"d{d}\"\ntitle = \"Dimension {d}\"\n"
        ));
        for i in (0..n).filter(|i| i % 2 == d) {
            s.push_str(&format!(
                "[[dimensions.benchmarks]]\nid = \"b{i}\"\ntitle = \"Bench {i}\"\nguidance = \"g\"\n\
                 levels = [{{ value = 1, descriptor = \"x\" }}, {{ value = 2, descriptor = \"x\" }}, {{ value = 3, descriptor = \"x\" }}, {{ value = 4, descriptor = \"x\" }}]\n\
                 [[dimensions.benchmarks.evidence]]\nid = \"e{i}\"\ntitle = \"Evidence {i}\"\n{}",
                if i % 2 == 1 { "from_level = 4\n" } else { "" }
            ));
        }
    }
    let best = if direction == "ascending" { 3 } else { 2 };
    s.push_str(&format!(
        "[[awards]]\nid = \"progress\"\ntitle = \"Certificate of Progress\"\nkind = \"certificate\"\nissuer = \"self\"\nrequires = {{ progress_percent = 50 }}\n\
         [[awards]]\nid = \"mark\"\ntitle = \"Mark\"\nkind = \"mark\"\nissuer = \"awarding_body\"\nrequires = {{ minimum_level = {top}, thresholds = {{ \"b0\" = {best} }}, required_evidence_percent = 100 }}\n\
         [[awards]]\nid = \"two-dims\"\ntitle = \"Two dimensions\"\nkind = \"certificate\"\nissuer = \"self\"\nrequires = {{ dimensions_complete = 2 }}\n",
        top = if direction == "ascending" { 4 } else { 1 },
    ));
    Framework::from_toml(&s, "generated.toml").unwrap_or_else(|e| panic!("{e}"))
}

fn answered(level: u8) -> ResponseState {
    ResponseState {
        level: Some(level),
        commentary: "We do this.".into(),
    }
}

fn run(
    fw: &Framework,
    responses: &HashMap<String, ResponseState>,
    evidenced: &HashSet<String>,
) -> Progress {
    compute(
        fw,
        Inputs {
            responses,
            evidenced,
            future_actions: 0,
            registered: true,
        },
    )
}

fn award<'a>(p: &'a Progress, id: &str) -> &'a AwardStatus {
    p.awards.iter().find(|a| a.id == id).expect("award exists")
}

#[test]
fn a_benchmark_counts_only_with_a_level_and_commentary() {
    let fw = generated(2, "ascending");
    let mut responses = HashMap::new();
    responses.insert(
        "b0".to_owned(),
        ResponseState {
            level: Some(2),
            commentary: "  ".into(),
        },
    );
    responses.insert(
        "b1".to_owned(),
        ResponseState {
            level: None,
            commentary: "text".into(),
        },
    );
    let p = run(&fw, &responses, &HashSet::new());
    assert_eq!(p.overall, Ratio::new(0, 2));
    responses.insert("b0".to_owned(), answered(2));
    let p = run(&fw, &responses, &HashSet::new());
    assert_eq!(p.overall, Ratio::new(1, 2));
    assert_eq!(p.dimensions[0].benchmarks, Ratio::new(1, 1));
    assert_eq!(p.dimensions[1].benchmarks, Ratio::new(0, 1));
}

#[test]
fn the_progress_certificate_unlocks_at_exactly_fifty_percent() {
    let fw = generated(10, "ascending");
    let mut responses = HashMap::new();
    for i in 0..4 {
        responses.insert(format!("b{i}"), answered(1));
    }
    let p = run(&fw, &responses, &HashSet::new());
    let cert = award(&p, "progress");
    assert!(!cert.eligible);
    assert_eq!(
        cert.reasons[0].to_string(),
        "Progress is 40% (4 of 10 benchmarks complete); 1 more benchmark needed for 50%"
    );
    responses.insert("b4".to_owned(), answered(1));
    let p = run(&fw, &responses, &HashSet::new());
    assert!(award(&p, "progress").eligible);
    assert_eq!(p.overall.percent, 50);
}

#[test]
fn the_mark_names_each_benchmark_and_the_missing_evidence() {
    let fw = generated(4, "ascending");
    let mut responses = HashMap::new();
    responses.insert("b0".to_owned(), answered(3));
    responses.insert("b1".to_owned(), answered(4));
    responses.insert("b2".to_owned(), answered(2));
    let p = run(&fw, &responses, &HashSet::from(["e0".to_owned()]));
    let mark = award(&p, "mark");
    let texts: Vec<String> = mark.reasons.iter().map(ToString::to_string).collect();
    // e0, e1 (b1 is at level 4), e2 apply; e3 does not (b3 has no level 4 yet).
    assert_eq!(
        texts,
        [
            "2 of 3 required evidence items missing",
            "b2 Bench 2: level 2, needs 4",
            "b3 Bench 3: no level chosen, needs 4",
        ]
    );
    assert_eq!(mark.reasons[1].benchmark(), Some("b2"));
    assert_eq!(
        p.missing_evidence
            .iter()
            .map(|m| m.requirement.as_str())
            .collect::<Vec<_>>(),
        ["e2", "e1"]
    );
}

#[test]
fn the_mark_is_awarded_when_every_threshold_and_all_evidence_are_met() {
    let fw = generated(4, "ascending");
    let responses: HashMap<_, _> = (0..4)
        .map(|i| (format!("b{i}"), answered(if i == 0 { 3 } else { 4 })))
        .collect();
    let evidenced: HashSet<_> = (0..4).map(|i| format!("e{i}")).collect();
    let p = run(&fw, &responses, &evidenced);
    assert!(
        award(&p, "mark").eligible,
        "{:?}",
        award(&p, "mark").reasons
    );
    assert_eq!(p.evidence, Ratio::new(4, 4));
}

#[test]
fn a_descending_scale_judges_one_as_best() {
    let fw = generated(2, "descending");
    let mut responses = HashMap::new();
    responses.insert("b0".to_owned(), answered(2));
    responses.insert("b1".to_owned(), answered(2));
    let evidenced: HashSet<_> = ["e0".to_owned(), "e1".to_owned()].into();
    let p = run(&fw, &responses, &evidenced);
    let texts: Vec<String> = award(&p, "mark")
        .reasons
        .iter()
        .map(ToString::to_string)
        .collect();
    // b0's threshold is 2 ("2 or better" on a descending scale); b1 needs the top level, 1.
    assert_eq!(texts, ["b1 Bench 1: level 2, needs 1"]);
}

#[test]
fn dimensions_complete_counts_whole_dimensions() {
    let fw = generated(4, "ascending");
    let mut responses = HashMap::new();
    responses.insert("b0".to_owned(), answered(1));
    responses.insert("b2".to_owned(), answered(1));
    let p = run(&fw, &responses, &HashSet::new());
    assert_eq!(
        award(&p, "two-dims").reasons[0].to_string(),
        "1 of 2 dimensions complete; needs 2"
    );
    responses.insert("b1".to_owned(), answered(1));
    responses.insert("b3".to_owned(), answered(1));
    assert!(award(&run(&fw, &responses, &HashSet::new()), "two-dims").eligible);
}

#[test]
fn future_actions_and_completeness_conditions_read_plainly() {
    let text = r#"
format = 1
id = "n"
version = "1"
title = "T"
awarding_body = "B"
summary = "S"
[[dimensions]]
id = "1"
title = "Outreach"
[[dimensions.benchmarks]]
id = "1.1"
title = "Schools work"
guidance = "g"
[[awards]]
id = "mark"
title = "Mark"
kind = "mark"
issuer = "awarding_body"
requires = { complete = true, future_actions = 3 }
"#;
    let fw = Framework::from_toml(text, "n.toml").expect("valid");
    let responses = HashMap::new();
    let p = compute(
        &fw,
        Inputs {
            responses: &responses,
            evidenced: &HashSet::new(),
            future_actions: 1,
            registered: true,
        },
    );
    let texts: Vec<String> = p.awards[0]
        .reasons
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        texts,
        [
            "1 future action planned; needs 3",
            "1.1 Schools work: no commentary"
        ]
    );
}

#[test]
fn ratios_handle_the_empty_total() {
    let r = Ratio::new(0, 0);
    assert_eq!(r.percent, 100);
    assert!(r.meets_percent(100));
    assert!(r.is_complete());
}

proptest! {
    #[test]
    fn ratio_arithmetic_is_exact(done in 0u32..10_000, extra in 0u32..10_000, p in 0u8..=100) {
        let r = Ratio::new(done, done + extra);
        prop_assert!(r.percent <= 100);
        // meets_percent agrees with exact rational comparison.
        let exact = (done as f64) * 100.0 >= (p as f64) * (r.total as f64);
        prop_assert_eq!(r.meets_percent(p), exact);
        // needed_for is the least count that meets it.
        let need = r.needed_for(p);
        let at_need = Ratio::new(need, r.total);
        prop_assert!(at_need.meets_percent(p));
        if need > 0 {
            let below = Ratio::new(need - 1, r.total);
            prop_assert!(!below.meets_percent(p));
        }
        // Shown percent never claims a threshold that is not met.
        if r.percent >= u32::from(p) {
            prop_assert!(r.meets_percent(p));
        }
    }

    #[test]
    fn answering_more_never_lowers_progress(
        n in 2usize..30,
        levels in prop::collection::vec(prop::option::of(1u8..=4), 30),
        extra in 0usize..30,
        extra_level in 1u8..=4,
    ) {
        let fw = generated(n, "ascending");
        let mut responses: HashMap<String, ResponseState> = HashMap::new();
        for (i, l) in levels.iter().take(n).enumerate() {
            if let Some(l) = l {
                responses.insert(format!("b{i}"), answered(*l));
            }
        }
        let before = run(&fw, &responses, &HashSet::new());
        prop_assert!(before.overall.done <= before.overall.total);
        prop_assert_eq!(before.overall.total as usize, n);
        let dims_done: u32 = before.dimensions.iter().map(|d| d.benchmarks.done).sum();
        prop_assert_eq!(dims_done, before.overall.done);

        let key = format!("b{}", extra % n);
        if let std::collections::hash_map::Entry::Vacant(slot) = responses.entry(key) {
            slot.insert(answered(extra_level));
            let after = run(&fw, &responses, &HashSet::new());
            prop_assert_eq!(after.overall.done, before.overall.done + 1);
            if award(&before, "progress").eligible {
                prop_assert!(award(&after, "progress").eligible);
            }
        }
    }

    #[test]
    fn the_fifty_percent_boundary_is_exact(half in 1usize..40) {
        let n = half * 2;
        let fw = generated(n, "ascending");
        let responses: HashMap<_, _> = (0..half).map(|i| (format!("b{i}"), answered(1))).collect();
        prop_assert!(award(&run(&fw, &responses, &HashSet::new()), "progress").eligible);
        let fewer: HashMap<_, _> = (0..half - 1).map(|i| (format!("b{i}"), answered(1))).collect();
        prop_assert!(!award(&run(&fw, &fewer, &HashSet::new()), "progress").eligible);
    }
}
