//! Moving a review to a new framework version: which responses carry over, which the lead must
//! confirm, and which are archived. Planning is pure; the store applies a plan in one
//! transaction.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use crate::framework::Framework;
use crate::store::{Carried, Response};

/// What an upgrade did, for the user to read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct UpgradeReport {
    /// The version the review was on.
    pub from_version: String,
    /// The version it is on now.
    pub to_version: String,
    /// Benchmarks whose responses carried over unchanged.
    pub carried: Vec<String>,
    /// Benchmarks whose carried responses need the lead's confirmation, with the reason.
    pub flagged: Vec<Flagged>,
    /// Benchmarks of the old version whose responses were archived.
    pub archived: Vec<String>,
}

/// A carried response the lead should look at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Flagged {
    /// The benchmark in the new version.
    pub benchmark: String,
    /// Why.
    pub reason: String,
}

/// An old response landing on a new benchmark, with the reason when it was mapped.
type Source<'a> = (&'a Response, Option<String>);

/// The planned outcome of an upgrade.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Plan {
    pub carried: Vec<Carried>,
    pub archived: Vec<Response>,
}

impl Plan {
    /// The carried responses flagged for confirmation, with why (for the reports).
    pub fn flagged(&self) -> Vec<Flagged> {
        self.carried
            .iter()
            .filter_map(|c| {
                c.flag.as_ref().map(|reason| Flagged {
                    benchmark: c.benchmark_id.clone(),
                    reason: reason.clone(),
                })
            })
            .collect()
    }

    /// The benchmarks whose responses were archived.
    pub fn archived_ids(&self) -> Vec<String> {
        self.archived
            .iter()
            .map(|r| r.benchmark_id.clone())
            .collect()
    }
}

/// Where an old version's benchmarks land in a new version: as the new version's `upgrades`
/// entry for the old one says (renamed, merged, split), else under the same id when the new
/// version has it, else nowhere (the benchmark was removed). Upgrades, renewals (responses,
/// evidence links, actions) and the comparison of two reviews all follow this one mapping.
#[derive(Debug)]
pub(crate) struct Mapping<'a> {
    new: &'a Framework,
    /// Old benchmark id -> (new benchmark id, why), from the `upgrades` entry.
    targets: HashMap<&'a str, Vec<(String, String)>>,
}

impl<'a> Mapping<'a> {
    /// The mapping from `old` to `new` (the identity, less removed benchmarks, when `new` has
    /// no `upgrades` entry for `old`'s version, e.g. when both are the same version).
    pub(crate) fn new(old: &Framework, new: &'a Framework) -> Self {
        let mut targets: HashMap<&'a str, Vec<(String, String)>> = HashMap::new();
        if let Some(u) = new.upgrade_from(old.version()) {
            let v = old.version();
            for (from, into) in &u.renamed {
                targets
                    .entry(from)
                    .or_default()
                    .push((into.clone(), format!("renamed from {from} in version {v}")));
            }
            for m in &u.merged {
                for from in &m.from {
                    let reason = format!("merged from {} in version {v}", m.from.join(" and "));
                    targets
                        .entry(from)
                        .or_default()
                        .push((m.into.clone(), reason));
                }
            }
            for s in &u.split {
                for into in &s.into {
                    let reason = format!("split from {} in version {v}", s.from);
                    targets
                        .entry(&s.from)
                        .or_default()
                        .push((into.clone(), reason));
                }
            }
        }
        Self { new, targets }
    }

    /// The new benchmarks an old one lands on, each with the reason when it was mapped (empty
    /// when the new version removed it).
    pub(crate) fn destinations(&self, old_id: &str) -> Vec<(String, Option<String>)> {
        match self.targets.get(old_id) {
            Some(list) => list
                .iter()
                .map(|(id, why)| (id.clone(), Some(why.clone())))
                .collect(),
            None if self.new.benchmark(old_id).is_some() => vec![(old_id.to_owned(), None)],
            None => Vec::new(),
        }
    }
}

/// Maps old responses onto the new version using the new version's `upgrades` entry for the
/// old version (if any) and otherwise by identical benchmark id.
pub(crate) fn plan(old: &Framework, new: &Framework, responses: &[Response]) -> Plan {
    let mapping = Mapping::new(old, new);

    // New benchmark id -> the old responses that land on it, with a reason when mapped.
    let mut landing: BTreeMap<usize, (String, Vec<Source<'_>>)> = BTreeMap::new();
    let mut archived = Vec::new();
    for r in responses {
        let destinations = mapping.destinations(&r.benchmark_id);
        if destinations.is_empty() {
            archived.push(r.clone());
        }
        for (id, why) in destinations {
            // Validation guarantees mapped ids exist in the new version.
            let Some(index) = new.benchmark_index(&id) else {
                continue;
            };
            landing
                .entry(index)
                .or_insert_with(|| (id, Vec::new()))
                .1
                .push((r, why));
        }
    }

    let carried = landing
        .into_values()
        .map(|(id, sources)| combine(old, new, id, &sources))
        .collect();
    Plan { carried, archived }
}

fn combine(
    old: &Framework,
    new: &Framework,
    id: String,
    sources: &[(&Response, Option<String>)],
) -> Carried {
    let mut reasons: Vec<String> = sources.iter().filter_map(|(_, why)| why.clone()).collect();
    reasons.dedup();
    let (level, commentary) = if let [(r, _)] = sources {
        (r.level, r.commentary.clone())
    } else {
        if reasons.is_empty() {
            reasons.push("several earlier responses were combined".into());
        }
        let level = sources
            .iter()
            .filter_map(|(r, _)| r.level)
            .reduce(|a, b| old.scale().map_or(a.min(b), |s| s.least_mature(a, b)));
        let commentary = sources
            .iter()
            .filter(|(r, _)| !r.commentary.trim().is_empty())
            .map(|(r, _)| {
                let title = old
                    .benchmark(&r.benchmark_id)
                    .map_or("", |b| b.benchmark.title.as_str());
                format!("[{} {title}]\n{}", r.benchmark_id, r.commentary.trim())
            })
            .collect::<Vec<_>>()
            .join("\n\n");
        (level, commentary)
    };
    let level = match (level, new.scale()) {
        (Some(l), Some(s)) if s.contains(l) => Some(l),
        (Some(l), _) => {
            reasons.push(format!(
                "level {l} is not on the scale of version {}; choose a level again",
                new.version()
            ));
            None
        }
        (None, _) => None,
    };
    Carried {
        benchmark_id: id,
        level,
        commentary,
        flag: (!reasons.is_empty()).then(|| reasons.join("; ")),
    }
}
