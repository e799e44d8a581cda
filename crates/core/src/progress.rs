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

/// `done` out of `total`, with the percentage the core shows for it, so every front end
/// prints the same number (an empty total is 100%: nothing is missing).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Ratio {
    /// How many are done.
    pub done: u32,
    /// Out of how many.
    pub total: u32,
    /// Whole percent, rounded down; 100 when `total` is 0. Always `Ratio::percent_of`.
    pub percent: u32,
}

impl Ratio {
    /// `done` of `total` (construct ratios only through this, so `percent` is always right).
    pub fn new(done: u32, total: u32) -> Self {
        Self {
            done,
            total,
            percent: Self::percent_of(done, total),
        }
    }

    /// Whole percent, rounded down; an empty total counts as complete (nothing is missing).
    pub fn percent_of(done: u32, total: u32) -> u32 {
        if total == 0 {
            100
        } else {
            // Widened so no total can overflow; capped so a count above its total (never
            // built here) could not show more than 100%.
            (u64::from(done.min(total)) * 100 / u64::from(total)) as u32
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
    /// Whether every benchmark of the dimension counts.
    pub complete: bool,
}

/// One reason an award is not yet available, as data: a kind plus the numbers and the
/// benchmark concerned. Front ends word it (`crate::english` for the CLI and the PDFs, the UI
/// its own renderer), so it can be translated and sent over a wire.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Reason {
    /// The institution is not registered for this review.
    NotRegistered,
    /// Overall progress is below the award's percentage.
    Progress {
        /// Benchmarks counted out of all.
        overall: Ratio,
        /// The percentage needed.
        needed_percent: u8,
        /// How many more benchmarks must count.
        more: u32,
    },
    /// Too few dimensions are complete.
    DimensionsComplete {
        /// Dimensions complete now.
        complete: u32,
        /// Dimensions in all.
        total: u32,
        /// Dimensions needed.
        needed: u32,
    },
    /// Too few required evidence items have evidence.
    RequiredEvidence {
        /// Requirements with present evidence out of the applicable ones.
        evidence: Ratio,
        /// The percentage needed.
        needed_percent: u8,
        /// Applicable requirements still without evidence.
        missing: u32,
    },
    /// Too few future actions are planned.
    FutureActions {
        /// Actions planned now.
        planned: u32,
        /// Actions needed.
        needed: u32,
    },
    /// A benchmark does not count yet (the award needs every benchmark complete).
    Incomplete {
        /// The benchmark.
        benchmark: String,
        /// Its title.
        title: String,
        /// What it lacks.
        missing: Gaps,
    },
    /// A benchmark's level is below the award's threshold for it.
    BelowThreshold {
        /// The benchmark.
        benchmark: String,
        /// Its title.
        title: String,
        /// The level chosen, if any (on the scale).
        level: Option<u8>,
        /// The level needed (or a more mature one).
        needed: u8,
        /// Whether `needed` is the scale's most mature level (then nothing "better" exists).
        needed_is_top: bool,
    },
}

impl Reason {
    /// The benchmark concerned, so a front end can link to it.
    pub fn benchmark(&self) -> Option<&str> {
        match self {
            Reason::Incomplete { benchmark, .. } | Reason::BelowThreshold { benchmark, .. } => {
                Some(benchmark)
            }
            _ => None,
        }
    }
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
    /// Every benchmark's own state, in framework order.
    pub benchmarks: Vec<BenchmarkProgress>,
}

/// Where one benchmark stands: whether it counts, what it lacks, and its evidence
/// requirements, so no front end judges any of it again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct BenchmarkProgress {
    /// The benchmark.
    pub id: String,
    /// Its dimension.
    pub dimension: String,
    /// Whether it counts towards progress.
    pub counts: bool,
    /// What it lacks before it counts.
    pub missing: Gaps,
    /// The level chosen, when it is on the scale.
    pub level: Option<u8>,
    /// Whether the chosen level is the scale's most mature one.
    pub at_top_level: bool,
    /// Its evidence requirements, in framework order.
    pub requirements: Vec<RequirementProgress>,
}

/// Whether an evidence requirement is met, as the core judges it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum RequirementState {
    /// A present evidence file is linked to it.
    Evidenced,
    /// Required (and applicable at the chosen level), and no present file is linked.
    Needed,
    /// Required only from a level the benchmark has not reached.
    NotYet,
    /// Optional, and nothing is linked.
    Optional,
}

/// One evidence requirement of a benchmark.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RequirementProgress {
    /// The requirement.
    pub id: String,
    /// Whether the framework requires it.
    pub required: bool,
    /// The level from which it is required, if it applies only from a level.
    pub from_level: Option<u8>,
    /// Its state.
    pub state: RequirementState,
}

/// What a benchmark still lacks before it counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
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
    // (done, total) counters; turned into Ratios (with their percentages) at the end.
    let mut per_dim = vec![(0u32, 0u32); dims.len()];
    let mut overall = (0u32, 0u32);
    let mut evidence = (0u32, 0u32);
    let mut missing_evidence = Vec::new();
    let mut benchmarks = Vec::with_capacity(framework.benchmark_count());
    let top = framework.scale().and_then(|s| s.most_mature());

    for entry in framework.benchmarks() {
        let response = inputs.responses.get(&entry.benchmark.id);
        let missing = gaps(framework, response);
        let counts = missing.counts();
        let d = &mut per_dim[entry.dimension_index];
        d.1 += 1;
        overall.1 += 1;
        if counts {
            d.0 += 1;
            overall.0 += 1;
        }
        let level = response
            .and_then(|r| r.level)
            .filter(|l| framework.scale().is_some_and(|s| s.contains(*l)));
        let mut requirements = Vec::with_capacity(entry.benchmark.evidence.len());
        for req in &entry.benchmark.evidence {
            let applies = match (req.from_level, framework.scale()) {
                (Some(from), Some(scale)) => level.is_some_and(|l| scale.meets(l, from)),
                _ => true,
            };
            let evidenced = inputs.evidenced.contains(&req.id);
            let state = match (evidenced, req.required, applies) {
                (true, _, _) => RequirementState::Evidenced,
                (false, true, true) => RequirementState::Needed,
                (false, true, false) => RequirementState::NotYet,
                (false, false, _) => RequirementState::Optional,
            };
            requirements.push(RequirementProgress {
                id: req.id.clone(),
                required: req.required,
                from_level: req.from_level,
                state,
            });
            if !req.required || !applies {
                continue;
            }
            evidence.1 += 1;
            if evidenced {
                evidence.0 += 1;
            } else {
                missing_evidence.push(MissingEvidence {
                    requirement: req.id.clone(),
                    title: req.title.clone(),
                    benchmark: entry.benchmark.id.clone(),
                });
            }
        }
        benchmarks.push(BenchmarkProgress {
            id: entry.benchmark.id.clone(),
            dimension: entry.dimension.id.clone(),
            counts,
            missing,
            level,
            at_top_level: level.is_some() && level == top,
            requirements,
        });
    }

    let dimensions = dims
        .iter()
        .zip(&per_dim)
        .map(|(d, &(done, total))| {
            let benchmarks = Ratio::new(done, total);
            DimensionProgress {
                id: d.id.clone(),
                title: d.title.clone(),
                benchmarks,
                complete: benchmarks.is_complete(),
            }
        })
        .collect();
    let mut progress = Progress {
        overall: Ratio::new(overall.0, overall.1),
        dimensions,
        evidence: Ratio::new(evidence.0, evidence.1),
        missing_evidence,
        awards: Vec::new(),
        benchmarks,
    };
    progress.awards = framework
        .def()
        .awards
        .iter()
        .map(|award| award_status(framework, award, &progress, inputs))
        .collect();
    progress
}

fn award_status(
    framework: &Framework,
    award: &Award,
    progress: &Progress,
    inputs: Inputs<'_>,
) -> AwardStatus {
    let r = &award.requires;
    let mut reasons = Vec::new();

    if r.registration == Some(true) && !inputs.registered {
        reasons.push(Reason::NotRegistered);
    }
    if let Some(p) = r.progress_percent {
        let o = progress.overall;
        if !o.meets_percent(p) {
            reasons.push(Reason::Progress {
                overall: o,
                needed_percent: p,
                more: o.needed_for(p) - o.done,
            });
        }
    }
    if let Some(n) = r.dimensions_complete {
        let complete = progress.dimensions.iter().filter(|d| d.complete).count() as u32;
        if complete < n {
            reasons.push(Reason::DimensionsComplete {
                complete,
                total: progress.dimensions.len() as u32,
                needed: n,
            });
        }
    }
    if let Some(p) = r.required_evidence_percent {
        let e = progress.evidence;
        if !e.meets_percent(p) {
            reasons.push(Reason::RequiredEvidence {
                evidence: e,
                needed_percent: p,
                missing: e.total - e.done,
            });
        }
    }
    if let Some(n) = r.future_actions
        && inputs.future_actions < n
    {
        reasons.push(Reason::FutureActions {
            planned: inputs.future_actions,
            needed: n,
        });
    }

    // Per-benchmark reasons, in framework order.
    for (entry, state) in framework.benchmarks().zip(&progress.benchmarks) {
        let b = entry.benchmark;
        if r.complete == Some(true) && !state.counts {
            reasons.push(Reason::Incomplete {
                benchmark: b.id.clone(),
                title: b.title.clone(),
                missing: state.missing,
            });
            continue;
        }
        let threshold = r.thresholds.get(&b.id).copied().or(r.minimum_level);
        if let (Some(t), Some(scale)) = (threshold, framework.scale())
            && !state.level.is_some_and(|l| scale.meets(l, t))
        {
            reasons.push(Reason::BelowThreshold {
                benchmark: b.id.clone(),
                title: b.title.clone(),
                level: state.level,
                needed: t,
                needed_is_top: scale.most_mature() == Some(t),
            });
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
