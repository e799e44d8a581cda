//! The framework definition as it is written in a TOML file.
//!
//! These types are the file format: `docs/framework.schema.json` is generated from them and
//! `docs/framework-format.md` explains them. Every struct refuses unknown fields so a typo in a
//! published framework is an error rather than a silently ignored rule.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The version of the file format that this build reads.
pub const FORMAT_VERSION: u32 = 1;

/// A whole framework definition, exactly as written in its file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct FrameworkDef {
    /// Version of the file format; currently 1.
    pub format: u32,
    /// Stable id: lowercase letters, digits and `-`.
    pub id: String,
    /// Dotted numbers (`2.0`, `2024.1`), compared number by number.
    pub version: String,
    /// Title shown to users.
    pub title: String,
    /// Who awards the certificates and marks.
    pub awarding_body: String,
    /// One or two sentences shown when choosing a framework.
    pub summary: String,
    /// Who the framework is for.
    #[serde(default)]
    pub audience: Option<String>,
    /// The level scale; absent for frameworks without levels.
    #[serde(default)]
    pub scale: Option<Scale>,
    /// When a benchmark counts towards progress.
    #[serde(default)]
    pub progress: Option<ProgressDef>,
    /// Dimensions (elements) of the framework, in display order.
    pub dimensions: Vec<Dimension>,
    /// Certificates and marks.
    #[serde(default)]
    pub awards: Vec<Award>,
    /// How responses from earlier versions map onto this one.
    #[serde(default)]
    pub upgrades: Vec<Upgrade>,
}

/// Which end of the scale is the most mature. Some schemes count 4 as best, others 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// The highest value is the most mature (4 is best).
    Ascending,
    /// The lowest value is the most mature (1 is best).
    Descending,
}

/// An ordered level scale.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct Scale {
    /// Which end is the most mature.
    pub direction: Direction,
    /// The levels; order in the file does not matter.
    pub levels: Vec<ScaleLevel>,
}

/// One level of a scale.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct ScaleLevel {
    /// The number a response records.
    pub value: u8,
    /// Its name ("Established").
    pub name: String,
}

/// The framework's own rule for when a benchmark counts towards progress.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct ProgressDef {
    /// A level must be chosen (default: true when the framework has a scale).
    #[serde(default)]
    pub require_level: Option<bool>,
    /// Commentary must be written (default: true).
    #[serde(default)]
    pub require_commentary: Option<bool>,
}

/// A dimension (element): benchmarks directly, or grouped one level deeper, or both.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct Dimension {
    /// Unique id across the framework.
    pub id: String,
    /// Title shown to users.
    pub title: String,
    /// Optional one-line description.
    #[serde(default)]
    pub summary: Option<String>,
    /// Benchmarks directly under the dimension.
    #[serde(default)]
    pub benchmarks: Vec<Benchmark>,
    /// Groups (strands) of benchmarks.
    #[serde(default)]
    pub groups: Vec<Group>,
}

/// A strand: benchmarks grouped within a dimension.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct Group {
    /// Unique id across the framework.
    pub id: String,
    /// Title shown to users.
    pub title: String,
    /// Optional one-line description.
    #[serde(default)]
    pub summary: Option<String>,
    /// The benchmarks (aspects) of the group.
    pub benchmarks: Vec<Benchmark>,
}

/// A benchmark (aspect): the unit a school responds to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct Benchmark {
    /// Unique id across the framework, kept stable between versions.
    pub id: String,
    /// Title shown to users.
    pub title: String,
    /// What the benchmark is about and what evidence of it looks like.
    pub guidance: String,
    /// Questions a working group might ask itself.
    #[serde(default)]
    pub prompts: Vec<String>,
    /// One descriptor per scale level; none without a scale.
    #[serde(default)]
    pub levels: Vec<LevelDescriptor>,
    /// Evidence requirements.
    #[serde(default)]
    pub evidence: Vec<EvidenceRequirement>,
}

/// What practice at one level of one benchmark looks like.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct LevelDescriptor {
    /// The scale value this describes.
    pub value: u8,
    /// The descriptor.
    pub descriptor: String,
    /// What a school at this level does to reach the next one.
    #[serde(default)]
    pub next_steps: Option<String>,
}

/// A piece of evidence a benchmark asks for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct EvidenceRequirement {
    /// Unique id across the framework.
    pub id: String,
    /// Title shown to users.
    pub title: String,
    /// What would satisfy it.
    #[serde(default)]
    pub description: Option<String>,
    /// Required items count towards the required-evidence share; optional ones never block.
    #[serde(default = "default_true")]
    pub required: bool,
    /// Applies only once a level at least this mature is chosen.
    #[serde(default)]
    pub from_level: Option<u8>,
}

fn default_true() -> bool {
    true
}

/// Certificate (printed by the school) or mark (awarded after assessment).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum AwardKind {
    /// A certificate.
    Certificate,
    /// A quality mark.
    Mark,
}

/// Who issues an award.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Issuer {
    /// Waymark prints it once the conditions hold.
    #[serde(rename = "self")]
    SelfIssued,
    /// Applied for; the awarding body decides.
    AwardingBody,
}

/// A certificate or mark and the conditions for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct Award {
    /// Unique among the framework's awards.
    pub id: String,
    /// Title shown to users and printed on the certificate.
    pub title: String,
    /// Certificate or mark.
    pub kind: AwardKind,
    /// Who issues it.
    pub issuer: Issuer,
    /// What it recognises.
    #[serde(default)]
    pub description: Option<String>,
    /// How many years the award lasts.
    #[serde(default)]
    pub validity_years: Option<u32>,
    /// How many days the awarding body takes to review an application.
    #[serde(default)]
    pub review_window_days: Option<u32>,
    /// Every condition given must hold.
    pub requires: Requirements,
}

/// Conditions of an award; each present condition must hold.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct Requirements {
    /// Registered for the self-review.
    #[serde(default)]
    pub registration: Option<bool>,
    /// Share of benchmarks counted, 0..=100.
    #[serde(default)]
    pub progress_percent: Option<u8>,
    /// Number of dimensions with every benchmark counted.
    #[serde(default)]
    pub dimensions_complete: Option<u32>,
    /// Every benchmark counted.
    #[serde(default)]
    pub complete: Option<bool>,
    /// Every benchmark at this level or more mature.
    #[serde(default)]
    pub minimum_level: Option<u8>,
    /// Per-benchmark levels, overriding `minimum_level` for those named.
    #[serde(default)]
    pub thresholds: BTreeMap<String, u8>,
    /// Share of applicable required evidence items with evidence, 0..=100.
    #[serde(default)]
    pub required_evidence_percent: Option<u8>,
    /// At least this many future actions planned.
    #[serde(default)]
    pub future_actions: Option<u32>,
}

/// How benchmark ids of an earlier version map onto this version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct Upgrade {
    /// The earlier version this entry maps from.
    pub from: String,
    /// Old id = new id.
    #[serde(default)]
    pub renamed: BTreeMap<String, String>,
    /// Several old benchmarks became one.
    #[serde(default)]
    pub merged: Vec<Merge>,
    /// One old benchmark became several.
    #[serde(default)]
    pub split: Vec<Split>,
}

/// Several old benchmarks merged into one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct Merge {
    /// The old ids.
    pub from: Vec<String>,
    /// The new id.
    pub into: String,
}

/// One old benchmark split into several.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct Split {
    /// The old id.
    pub from: String,
    /// The new ids.
    pub into: Vec<String>,
}
