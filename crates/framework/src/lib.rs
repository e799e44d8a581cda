//! Frameworks as data: the file format, loading with validation, and the bundled frameworks.
//!
//! A [`Framework`] can only be made by loading and validating a definition, so code holding one
//! may rely on its invariants: ids are unique, every level named is on the scale, every rule
//! names benchmarks that exist.
//!
//! This crate knows nothing of a school's store, evidence or file watching, so the awarding
//! body's server reads the same definitions (awards, levels, benchmark ids) as the desktop app.
//! `waymark-core` re-exports it as `waymark_core::framework`.

mod catalog;
mod error;
pub mod model;
mod scale;
mod validate;
mod version;

use std::collections::HashMap;
use std::path::Path;

pub use catalog::{Catalog, FrameworkSummary, bundled_source};
pub use error::{FrameworkError, FrameworkNotFound, Problem};
pub use model::*;
pub use version::Version;

/// Largest framework file accepted: far above any real framework, small enough to refuse a
/// mistaken video or database file before reading it all.
pub const MAX_FRAMEWORK_BYTES: u64 = 16 * 1024 * 1024;

/// A validated framework definition with an index of its benchmarks.
#[derive(Debug, Clone)]
pub struct Framework {
    def: FrameworkDef,
    source: String,
    order: Vec<Position>,
    by_id: HashMap<String, usize>,
    requirement_owner: HashMap<String, usize>,
}

/// Where a benchmark sits in the definition.
#[derive(Debug, Clone, Copy)]
struct Position {
    dimension: usize,
    group: Option<usize>,
    benchmark: usize,
}

/// A benchmark with the dimension (and group) it belongs to.
#[derive(Debug, Clone, Copy)]
pub struct BenchmarkEntry<'a> {
    /// The benchmark.
    pub benchmark: &'a Benchmark,
    /// Its dimension.
    pub dimension: &'a Dimension,
    /// Its group, when the dimension is grouped.
    pub group: Option<&'a Group>,
    /// Index of the dimension in the framework.
    pub dimension_index: usize,
}

impl Framework {
    /// Parses and validates a definition. `origin` names the file in error messages.
    pub fn from_toml(source: &str, origin: &str) -> Result<Self, FrameworkError> {
        let def: FrameworkDef = toml::from_str(source).map_err(|e| {
            let (line, column) = e
                .span()
                .map_or((1, 1), |span| error::line_column(source, span.start));
            FrameworkError::Syntax {
                origin: origin.to_owned(),
                line,
                column,
                message: e.message().trim().trim_end_matches('.').to_owned(),
            }
        })?;
        let problems = validate::validate(&def);
        if !problems.is_empty() {
            return Err(FrameworkError::Invalid {
                origin: origin.to_owned(),
                problems,
            });
        }
        Ok(Self::index(def, source.to_owned()))
    }

    /// Reads, parses and validates a framework file.
    pub fn load_file(path: &Path) -> Result<Self, FrameworkError> {
        let origin = path.display().to_string();
        let read = |source| FrameworkError::Read {
            origin: origin.clone(),
            source,
        };
        let size = std::fs::metadata(path).map_err(read)?.len();
        if size > MAX_FRAMEWORK_BYTES {
            return Err(FrameworkError::TooLarge {
                origin,
                size,
                limit: MAX_FRAMEWORK_BYTES,
            });
        }
        let bytes = std::fs::read(path).map_err(read)?;
        let source = String::from_utf8(bytes).map_err(|e| {
            let (line, column) = error::line_column(
                &String::from_utf8_lossy(e.as_bytes()),
                e.utf8_error().valid_up_to(),
            );
            FrameworkError::Syntax {
                origin: origin.clone(),
                line,
                column,
                message: "the file is not UTF-8 text".to_owned(),
            }
        })?;
        Self::from_toml(&source, &origin)
    }

    fn index(def: FrameworkDef, source: String) -> Self {
        let mut order = Vec::new();
        for (d, dim) in def.dimensions.iter().enumerate() {
            for b in 0..dim.benchmarks.len() {
                order.push(Position {
                    dimension: d,
                    group: None,
                    benchmark: b,
                });
            }
            for (g, group) in dim.groups.iter().enumerate() {
                for b in 0..group.benchmarks.len() {
                    order.push(Position {
                        dimension: d,
                        group: Some(g),
                        benchmark: b,
                    });
                }
            }
        }
        let mut fw = Self {
            def,
            source,
            order,
            by_id: HashMap::new(),
            requirement_owner: HashMap::new(),
        };
        let mut by_id = HashMap::new();
        let mut requirement_owner = HashMap::new();
        for (i, entry) in fw.benchmarks().enumerate() {
            by_id.insert(entry.benchmark.id.clone(), i);
            for req in &entry.benchmark.evidence {
                requirement_owner.insert(req.id.clone(), i);
            }
        }
        fw.by_id = by_id;
        fw.requirement_owner = requirement_owner;
        fw
    }

    fn entry(&self, i: usize) -> BenchmarkEntry<'_> {
        let p = self.order[i];
        let dimension = &self.def.dimensions[p.dimension];
        let (group, benchmark) = match p.group {
            Some(g) => (
                Some(&dimension.groups[g]),
                &dimension.groups[g].benchmarks[p.benchmark],
            ),
            None => (None, &dimension.benchmarks[p.benchmark]),
        };
        BenchmarkEntry {
            benchmark,
            dimension,
            group,
            dimension_index: p.dimension,
        }
    }

    /// The definition as written.
    pub fn def(&self) -> &FrameworkDef {
        &self.def
    }

    /// The original file text, kept with reviews so a review is always judged by its version.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The framework id.
    pub fn id(&self) -> &str {
        &self.def.id
    }

    /// The framework version.
    pub fn version(&self) -> &str {
        &self.def.version
    }

    /// The scale, if the framework has levels.
    pub fn scale(&self) -> Option<&Scale> {
        self.def.scale.as_ref()
    }

    /// Whether a level must be chosen for a benchmark to count.
    pub fn requires_level(&self) -> bool {
        self.def
            .progress
            .as_ref()
            .and_then(|p| p.require_level)
            .unwrap_or(self.def.scale.is_some())
    }

    /// Whether commentary must be written for a benchmark to count.
    pub fn requires_commentary(&self) -> bool {
        self.def
            .progress
            .as_ref()
            .and_then(|p| p.require_commentary)
            .unwrap_or(true)
    }

    /// Every benchmark, in framework order.
    pub fn benchmarks(&self) -> impl ExactSizeIterator<Item = BenchmarkEntry<'_>> + '_ {
        (0..self.order.len()).map(|i| self.entry(i))
    }

    /// Number of benchmarks.
    pub fn benchmark_count(&self) -> usize {
        self.order.len()
    }

    /// Looks a benchmark up by id.
    pub fn benchmark(&self, id: &str) -> Option<BenchmarkEntry<'_>> {
        self.by_id.get(id).map(|&i| self.entry(i))
    }

    /// Position of a benchmark in framework order (for next/previous navigation).
    pub fn benchmark_index(&self, id: &str) -> Option<usize> {
        self.by_id.get(id).copied()
    }

    /// The benchmark that owns an evidence requirement.
    pub fn requirement(&self, id: &str) -> Option<(BenchmarkEntry<'_>, &EvidenceRequirement)> {
        let entry = self.entry(*self.requirement_owner.get(id)?);
        let req = entry.benchmark.evidence.iter().find(|r| r.id == id)?;
        Some((entry, req))
    }

    /// The upgrade mapping from an earlier version, if this version declares one.
    pub fn upgrade_from(&self, version: &str) -> Option<&Upgrade> {
        let from = Version::parse(version)?;
        self.def
            .upgrades
            .iter()
            .find(|u| Version::parse(&u.from).is_some_and(|v| v == from))
    }

    /// The award with this id.
    pub fn award(&self, id: &str) -> Option<&Award> {
        self.def.awards.iter().find(|a| a.id == id)
    }
}

/// The JSON Schema of the file format, as published in `docs/framework.schema.json`.
pub fn json_schema() -> String {
    let schema = schemars::schema_for!(FrameworkDef);
    // Serialising a schema built from our own types cannot fail: it is plain JSON values.
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}

#[cfg(test)]
mod tests;
