//! Progress and award status: pure arithmetic over a framework and a review's state.
//!
//! Nothing here touches the database, so the rules can be tested exhaustively and the UI can
//! recompute instantly. Percentages use integer arithmetic (`done * 100 >= p * total`) so the
//! 50% boundary is exact, and shown percentages round down so "50%" is never shown early.

use std::collections::{HashMap, HashSet};

use serde::Serialize;

use crate::framework::{Award, AwardKind, Framework, Issuer};

/// A response's state as far as progress is concerned.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResponseState {
    /// The level chosen, if any.
    pub level: Option<u8>,
    /// The commentary written.
    pub commentary: String,
}

/// Everything progress depends on, gathered by the caller.
#[derive(Debug, Clone, Copy)]
pub struct Inputs<'a> {
    /// Responses by benchmark id.
    pub responses: &'a HashMap<String, ResponseState>,
    /// Ids of evidence requirements that have at least one evidence item linked.
    pub evidenced: &'a HashSet<String>,
    /// Number of future actions planned (any status).
    pub future_actions: u32,
    /// Whether the institution is registered for this review.
    pub registered: bool,
}

/// `done` out of `total`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Ratio {
    /// How many are done.
    pub done: u32,
    /// Out of how many.
    pub total: u32,
}

impl Ratio {
    /// Whole percent, rounded down; an empty total counts as complete (nothing is missing).
    pub fn percent(self) -> u32 {
        if self.total == 0 {
            100
        } else {
            // Widened so no total can overflow.
            (u64::from(self.done) * 100 / u64::from(self.total)) as u32
        }
    }

    /// Whether `done / total >= percent / 100`, exactly.
    pub fn meets_percent(self, percent: u8) -> bool {
        u64::from(self.done) * 100 >= u64::from(percent) * u64::from(self.total)
    }

    /// The smallest `done` that meets `percent`.
    pub fn needed_for(self, percent: u8) -> u32 {
        (u64::from(percent) * u64::from(self.total)).div_ceil(100) as u32
    }

    /// Whether everything is done.
    pub fn is_complete(self) -> bool {
        self.done >= self.total
    }
}

/// Progress of one dimension.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DimensionProgress {
    /// Dimension id.
    pub id: String,
    /// Dimension title.
    pub title: String,
    /// Benchmarks counted out of the dimension's benchmarks.
    pub benchmarks: Ratio,
}

/// One plain-English reason an award is not yet available.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Reason {
    /// The benchmark concerned, so the UI can link to it.
    pub benchmark: Option<String>,
    /// The reason, e.g. "2.3 Assessment: level 2, needs 4".
    pub text: String,
}

/// Whether one award is available, and if not, why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AwardStatus {
    /// Award id.
    pub id: String,
    /// Award title.
    pub title: String,
    /// Certificate or mark.
    pub kind: AwardKind,
    /// Who issues it.
    pub issuer: Issuer,
    /// Whether every condition holds.
    pub eligible: bool,
    /// What stands in the way, in framework order; empty when eligible.
    pub reasons: Vec<Reason>,
}

/// A required evidence item that has no evidence yet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct MissingEvidence {
    /// Requirement id.
    pub requirement: String,
    /// Requirement title.
    pub title: String,
    /// The benchmark that asks for it.
    pub benchmark: String,
}

/// Progress of a whole review and the status of every award.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Progress {
    /// Benchmarks counted out of all benchmarks.
    pub overall: Ratio,
    /// Per dimension, in framework order.
    pub dimensions: Vec<DimensionProgress>,
    /// Applicable required evidence items with evidence, out of all applicable ones.
    pub evidence: Ratio,
    /// Required evidence items still without evidence.
    pub missing_evidence: Vec<MissingEvidence>,
    /// Every award of the framework, in framework order.
    pub awards: Vec<AwardStatus>,
}

/// What a benchmark still lacks before it counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Gaps {
    /// A level is required and none (valid) is chosen.
    pub level: bool,
    /// Commentary is required and blank.
    pub commentary: bool,
}

impl Gaps {
    /// Whether the benchmark counts.
    pub fn counts(self) -> bool {
        !self.level && !self.commentary
    }

    fn describe(self) -> &'static str {
        match (self.level, self.commentary) {
            (true, true) => "no level chosen and no commentary",
            (true, false) => "no level chosen",
            (false, true) => "no commentary",
            (false, false) => "complete",
        }
    }
}

/// What a benchmark lacks under the framework's own progress rule.
pub fn gaps(framework: &Framework, response: Option<&ResponseState>) -> Gaps {
    let level_ok = response
        .and_then(|r| r.level)
        .is_some_and(|l| framework.scale().is_some_and(|s| s.contains(l)));
    let commentary_ok = response.is_some_and(|r| !r.commentary.trim().is_empty());
    Gaps {
        level: framework.requires_level() && !level_ok,
        commentary: framework.requires_commentary() && !commentary_ok,
    }
}

/// Computes progress and every award's status. Cost is linear in benchmarks and evidence
/// requirements; it never looks at history.
pub fn compute(framework: &Framework, inputs: Inputs<'_>) -> Progress {
    let dims = &framework.def().dimensions;
    let mut per_dim = vec![Ratio { done: 0, total: 0 }; dims.len()];
    let mut overall = Ratio { done: 0, total: 0 };
    let mut evidence = Ratio { done: 0, total: 0 };
    let mut missing_evidence = Vec::new();

    for entry in framework.benchmarks() {
        let response = inputs.responses.get(&entry.benchmark.id);
        let counts = gaps(framework, response).counts();
        let d = &mut per_dim[entry.dimension_index];
        d.total += 1;
        overall.total += 1;
        if counts {
            d.done += 1;
            overall.done += 1;
        }
        let level = response.and_then(|r| r.level);
        for req in entry.benchmark.evidence.iter().filter(|r| r.required) {
            let applies = match (req.from_level, framework.scale()) {
                (Some(from), Some(scale)) => level.is_some_and(|l| scale.meets(l, from)),
                _ => true,
            };
            if !applies {
                continue;
            }
            evidence.total += 1;
            if inputs.evidenced.contains(&req.id) {
                evidence.done += 1;
            } else {
                missing_evidence.push(MissingEvidence {
                    requirement: req.id.clone(),
                    title: req.title.clone(),
                    benchmark: entry.benchmark.id.clone(),
                });
            }
        }
    }

    let dimensions = dims
        .iter()
        .zip(&per_dim)
        .map(|(d, r)| DimensionProgress {
            id: d.id.clone(),
            title: d.title.clone(),
            benchmarks: *r,
        })
        .collect();
    let mut progress = Progress {
        overall,
        dimensions,
        evidence,
        missing_evidence,
        awards: Vec::new(),
    };
    progress.awards = framework
        .def()
        .awards
        .iter()
        .map(|award| award_status(framework, award, &progress, inputs))
        .collect();
    progress
}

fn plural(n: u32, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn award_status(
    framework: &Framework,
    award: &Award,
    progress: &Progress,
    inputs: Inputs<'_>,
) -> AwardStatus {
    let r = &award.requires;
    let mut reasons = Vec::new();
    let mut general = |text: String| {
        reasons.push(Reason {
            benchmark: None,
            text,
        })
    };

    if r.registration == Some(true) && !inputs.registered {
        general("Not registered yet: register the institution for this self-review".to_owned());
    }
    if let Some(p) = r.progress_percent {
        let o = progress.overall;
        if !o.meets_percent(p) {
            let more = o.needed_for(p) - o.done;
            general(format!(
                "Progress is {}% ({} of {} benchmarks complete); {} needed for {p}%",
                o.percent(),
                o.done,
                o.total,
                plural(more, "more benchmark", "more benchmarks"),
            ));
        }
    }
    if let Some(n) = r.dimensions_complete {
        let complete = progress
            .dimensions
            .iter()
            .filter(|d| d.benchmarks.is_complete())
            .count() as u32;
        if complete < n {
            general(format!(
                "{complete} of {} dimensions complete; needs {n}",
                progress.dimensions.len()
            ));
        }
    }
    if let Some(p) = r.required_evidence_percent {
        let e = progress.evidence;
        if !e.meets_percent(p) {
            let missing = e.total - e.done;
            general(if p == 100 {
                format!("{missing} of {} required evidence items missing", e.total)
            } else {
                format!(
                    "{} of {} required evidence items have evidence ({}%); needs {p}%",
                    e.done,
                    e.total,
                    e.percent()
                )
            });
        }
    }
    if let Some(n) = r.future_actions
        && inputs.future_actions < n
    {
        general(format!(
            "{} planned; needs {n}",
            plural(inputs.future_actions, "future action", "future actions")
        ));
    }

    // Per-benchmark reasons, in framework order.
    for entry in framework.benchmarks() {
        let b = entry.benchmark;
        let response = inputs.responses.get(&b.id);
        if r.complete == Some(true) {
            let g = gaps(framework, response);
            if !g.counts() {
                reasons.push(Reason {
                    benchmark: Some(b.id.clone()),
                    text: format!("{} {}: {}", b.id, b.title, g.describe()),
                });
                continue;
            }
        }
        let threshold = r.thresholds.get(&b.id).copied().or(r.minimum_level);
        if let (Some(t), Some(scale)) = (threshold, framework.scale()) {
            let level = response
                .and_then(|x| x.level)
                .filter(|l| scale.contains(*l));
            let text = match level {
                Some(l) if scale.meets(l, t) => None,
                Some(l) => Some(format!(
                    "{} {}: level {l}, {}",
                    b.id,
                    b.title,
                    scale.needs_phrase(t)
                )),
                None => Some(format!(
                    "{} {}: no level chosen, {}",
                    b.id,
                    b.title,
                    scale.needs_phrase(t)
                )),
            };
            if let Some(text) = text {
                reasons.push(Reason {
                    benchmark: Some(b.id.clone()),
                    text,
                });
            }
        }
    }

    AwardStatus {
        id: award.id.clone(),
        title: award.title.clone(),
        kind: award.kind,
        issuer: award.issuer,
        eligible: reasons.is_empty(),
        reasons,
    }
}

#[cfg(test)]
mod tests;
