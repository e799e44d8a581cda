//! The rules a framework definition must keep beyond its TOML shape.
//!
//! Validation collects every problem rather than stopping at the first, so an author fixes a
//! file in one pass. Each problem carries the path of the offending item and a fix.

use std::collections::{BTreeSet, HashMap, HashSet};

use super::error::Problem;
use super::model::{Benchmark, FORMAT_VERSION, FrameworkDef, Requirements, Scale};
use super::version::Version;

/// Checks every rule of docs/framework-format.md and returns the problems found.
pub(crate) fn validate(def: &FrameworkDef) -> Vec<Problem> {
    let mut v = Validator::default();
    v.top(def);
    v.problems
}

#[derive(Default)]
struct Validator {
    problems: Vec<Problem>,
    structure_ids: HashMap<String, String>,
    benchmark_ids: HashMap<String, String>,
    evidence_ids: HashMap<String, String>,
}

impl Validator {
    fn problem(&mut self, path: &str, message: impl Into<String>, fix: impl Into<String>) {
        self.problems.push(Problem {
            path: path.to_owned(),
            message: message.into(),
            fix: fix.into(),
        });
    }

    fn text(&mut self, path: &str, field: &str, value: &str) {
        if value.trim().is_empty() {
            self.problem(
                &format!("{path}{field}"),
                format!("`{field}` is blank", field = field.trim_start_matches('.')),
                "Write the text, or remove the key if it is optional",
            );
        }
    }

    fn opt_text(&mut self, path: &str, field: &str, value: Option<&String>) {
        if let Some(value) = value {
            self.text(path, field, value);
        }
    }

    /// Checks an id's form and that no other item of the same kind has it.
    fn id(&mut self, kind: Kind, path: &str, id: &str) {
        let at = format!("{path}.id");
        if id.trim().is_empty() {
            self.problem(
                &at,
                "the id is blank",
                "Give every item a short id such as \"1.2\"",
            );
            return;
        }
        if id.len() > 64 || id.chars().any(|c| c.is_whitespace() || c.is_control()) {
            self.problem(
                &at,
                format!("the id {id:?} has spaces or control characters, or is over 64 bytes"),
                "Use a short id of letters, digits, '.', '-' or '_'",
            );
        }
        let seen = match kind {
            Kind::Structure => &mut self.structure_ids,
            Kind::Benchmark => &mut self.benchmark_ids,
            Kind::Evidence => &mut self.evidence_ids,
        };
        if let Some(first) = seen.get(id) {
            let first = first.clone();
            self.problem(
                &at,
                format!("the id {id:?} is already used at {first}"),
                "Give each item its own id",
            );
        } else {
            seen.insert(id.to_owned(), path.to_owned());
        }
    }

    fn top(&mut self, def: &FrameworkDef) {
        if def.format != FORMAT_VERSION {
            self.problem(
                "format",
                format!(
                    "format {} is not understood by this Waymark, which reads format {FORMAT_VERSION}",
                    def.format
                ),
                "Use `format = 1`, or update Waymark if the file is newer",
            );
        }
        if def.id.is_empty()
            || !def
                .id
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        {
            self.problem(
                "id",
                format!(
                    "the framework id {:?} is not of lowercase letters, digits and '-'",
                    def.id
                ),
                "Use an id such as \"computing-quality\"",
            );
        }
        if Version::parse(&def.version).is_none() {
            self.problem(
                "version",
                format!("the version {:?} is not dotted numbers", def.version),
                "Use a version such as \"2.0\"",
            );
        }
        self.text("", "title", &def.title);
        self.text("", "awarding_body", &def.awarding_body);
        self.text("", "summary", &def.summary);
        self.opt_text("", "audience", def.audience.as_ref());

        if let Some(scale) = &def.scale {
            self.scale(scale);
        }
        if let Some(progress) = &def.progress {
            if progress.require_level == Some(true) && def.scale.is_none() {
                self.problem(
                    "progress.require_level",
                    "a level is required but the framework has no scale",
                    "Add a [scale], or set `require_level = false`",
                );
            }
            let level = progress.require_level.unwrap_or(def.scale.is_some());
            if !level && progress.require_commentary == Some(false) {
                self.problem(
                    "progress",
                    "neither a level nor commentary is required, so every benchmark would count at once",
                    "Require a level, commentary or both",
                );
            }
        }

        if def.dimensions.is_empty() {
            self.problem(
                "dimensions",
                "the framework has no dimensions",
                "Add at least one [[dimensions]] with benchmarks",
            );
        }
        for (d, dim) in def.dimensions.iter().enumerate() {
            let path = format!("dimensions[{d}]");
            self.id(Kind::Structure, &path, &dim.id);
            self.text(&path, ".title", &dim.title);
            self.opt_text(&path, ".summary", dim.summary.as_ref());
            if dim.benchmarks.is_empty() && dim.groups.is_empty() {
                self.problem(
                    &path,
                    format!("dimension {:?} has no benchmarks", dim.id),
                    "Add [[dimensions.benchmarks]] or [[dimensions.groups]] to it, or remove it",
                );
            }
            for (b, bench) in dim.benchmarks.iter().enumerate() {
                self.benchmark(
                    def.scale.as_ref(),
                    &format!("{path}.benchmarks[{b}]"),
                    bench,
                );
            }
            for (g, group) in dim.groups.iter().enumerate() {
                let gpath = format!("{path}.groups[{g}]");
                self.id(Kind::Structure, &gpath, &group.id);
                self.text(&gpath, ".title", &group.title);
                self.opt_text(&gpath, ".summary", group.summary.as_ref());
                if group.benchmarks.is_empty() {
                    self.problem(
                        &gpath,
                        format!("group {:?} has no benchmarks", group.id),
                        "Add [[dimensions.groups.benchmarks]] to it, or remove it",
                    );
                }
                for (b, bench) in group.benchmarks.iter().enumerate() {
                    self.benchmark(
                        def.scale.as_ref(),
                        &format!("{gpath}.benchmarks[{b}]"),
                        bench,
                    );
                }
            }
        }

        let mut award_ids = HashSet::new();
        for (a, award) in def.awards.iter().enumerate() {
            let path = format!("awards[{a}]");
            if award.id.trim().is_empty() {
                self.problem(
                    &format!("{path}.id"),
                    "the award id is blank",
                    "Give the award an id such as \"progress\"",
                );
            } else if !award_ids.insert(award.id.as_str()) {
                self.problem(
                    &format!("{path}.id"),
                    format!("the award id {:?} is used twice", award.id),
                    "Give each award its own id",
                );
            }
            self.text(&path, ".title", &award.title);
            self.opt_text(&path, ".description", award.description.as_ref());
            if award.validity_years == Some(0) {
                self.problem(
                    &format!("{path}.validity_years"),
                    "an award valid for 0 years",
                    "Give a number of years, or remove the key",
                );
            }
            self.requirements(def, &format!("{path}.requires"), &award.requires);
        }

        let this_version = Version::parse(&def.version);
        let mut upgrade_froms = HashSet::new();
        for (u, upgrade) in def.upgrades.iter().enumerate() {
            let path = format!("upgrades[{u}]");
            match (Version::parse(&upgrade.from), &this_version) {
                (None, _) => self.problem(
                    &format!("{path}.from"),
                    format!("{:?} is not a version", upgrade.from),
                    "Name the earlier version, such as \"1.0\"",
                ),
                (Some(from), Some(this)) if from >= *this => self.problem(
                    &format!("{path}.from"),
                    format!(
                        "version {} is not earlier than this version {}",
                        upgrade.from, def.version
                    ),
                    "Upgrades map from earlier versions only",
                ),
                _ => {}
            }
            if !upgrade_froms.insert(upgrade.from.as_str()) {
                self.problem(
                    &format!("{path}.from"),
                    format!("there are two upgrades from {}", upgrade.from),
                    "Put every mapping from one version in one [[upgrades]] entry",
                );
            }
            let mut old_ids: BTreeSet<String> = BTreeSet::new();
            let mut claim = |v: &mut Self, at: &str, old: &str| {
                if !old_ids.insert(old.to_owned()) {
                    v.problem(
                        at,
                        format!("old id {old:?} is mapped more than once"),
                        "Map each old benchmark in one place only",
                    );
                }
            };
            for (old, new) in &upgrade.renamed {
                let at = format!("{path}.renamed.{old:?}");
                claim(self, &at, old);
                self.new_benchmark(&at, new);
                if old == new {
                    self.problem(
                        &at,
                        "a benchmark renamed to itself",
                        "Remove the entry: unchanged ids carry over on their own",
                    );
                }
            }
            for (m, merge) in upgrade.merged.iter().enumerate() {
                let at = format!("{path}.merged[{m}]");
                if merge.from.len() < 2 {
                    self.problem(
                        &at,
                        "a merge needs at least two old benchmarks",
                        "List the old ids in `from`, or use `renamed`",
                    );
                }
                for old in &merge.from {
                    claim(self, &at, old);
                }
                self.new_benchmark(&at, &merge.into);
            }
            for (s, split) in upgrade.split.iter().enumerate() {
                let at = format!("{path}.split[{s}]");
                claim(self, &at, &split.from);
                if split.into.len() < 2 {
                    self.problem(
                        &at,
                        "a split needs at least two new benchmarks",
                        "List the new ids in `into`, or use `renamed`",
                    );
                }
                for new in &split.into {
                    self.new_benchmark(&at, new);
                }
            }
        }
    }

    fn new_benchmark(&mut self, at: &str, id: &str) {
        if !self.benchmark_ids.contains_key(id) {
            self.problem(
                at,
                format!("benchmark {id:?} does not exist in this version"),
                "Map onto a benchmark id defined in this file",
            );
        }
    }

    fn scale(&mut self, scale: &Scale) {
        if scale.levels.is_empty() {
            self.problem(
                "scale.levels",
                "the scale has no levels",
                "List the levels, or remove [scale] for a framework without levels",
            );
        }
        let mut seen = HashSet::new();
        for (i, level) in scale.levels.iter().enumerate() {
            let path = format!("scale.levels[{i}]");
            if !seen.insert(level.value) {
                self.problem(
                    &format!("{path}.value"),
                    format!("level {} is listed twice", level.value),
                    "Give each level its own value",
                );
            }
            self.text(&path, ".name", &level.name);
        }
    }

    fn level_in_scale(&mut self, scale: Option<&Scale>, at: &str, value: u8) {
        match scale {
            None => self.problem(
                at,
                format!("level {value} is given but the framework has no scale"),
                "Add a [scale], or remove the level",
            ),
            Some(s) if !s.contains(value) => self.problem(
                at,
                format!("level {value} is outside the scale ({})", s.describe()),
                "Use a level of the scale",
            ),
            Some(_) => {}
        }
    }

    fn benchmark(&mut self, scale: Option<&Scale>, path: &str, bench: &Benchmark) {
        self.id(Kind::Benchmark, path, &bench.id);
        self.text(path, ".title", &bench.title);
        self.text(path, ".guidance", &bench.guidance);
        for (i, prompt) in bench.prompts.iter().enumerate() {
            self.text(path, &format!(".prompts[{i}]"), prompt);
        }
        let mut described = HashSet::new();
        for (i, level) in bench.levels.iter().enumerate() {
            let lpath = format!("{path}.levels[{i}]");
            self.level_in_scale(scale, &format!("{lpath}.value"), level.value);
            if !described.insert(level.value) {
                self.problem(
                    &format!("{lpath}.value"),
                    format!("level {} is described twice", level.value),
                    "Keep one descriptor per level",
                );
            }
            self.text(&lpath, ".descriptor", &level.descriptor);
            self.opt_text(&lpath, ".next_steps", level.next_steps.as_ref());
        }
        if let Some(scale) = scale {
            let missing: Vec<String> = scale
                .ordered()
                .into_iter()
                .filter(|v| !described.contains(v))
                .map(|v| v.to_string())
                .collect();
            if !missing.is_empty() {
                self.problem(
                    &format!("{path}.levels"),
                    format!(
                        "benchmark {:?} has no descriptor for level {}",
                        bench.id,
                        missing.join(", ")
                    ),
                    "Add a [[...levels]] entry with a descriptor for each level of the scale",
                );
            }
        }
        for (i, req) in bench.evidence.iter().enumerate() {
            let epath = format!("{path}.evidence[{i}]");
            self.id(Kind::Evidence, &epath, &req.id);
            self.text(&epath, ".title", &req.title);
            self.opt_text(&epath, ".description", req.description.as_ref());
            if let Some(level) = req.from_level {
                self.level_in_scale(scale, &format!("{epath}.from_level"), level);
            }
        }
    }

    fn requirements(&mut self, def: &FrameworkDef, path: &str, r: &Requirements) {
        let scale = def.scale.as_ref();
        let any = r.registration.is_some()
            || r.progress_percent.is_some()
            || r.dimensions_complete.is_some()
            || r.complete.is_some()
            || r.minimum_level.is_some()
            || !r.thresholds.is_empty()
            || r.required_evidence_percent.is_some()
            || r.future_actions.is_some();
        if !any {
            self.problem(
                path,
                "the award has no conditions",
                "Add at least one condition, such as `registration = true`",
            );
        }
        if r.registration == Some(false) {
            self.problem(
                &format!("{path}.registration"),
                "`registration = false` is not a condition",
                "Remove it, or set it to true",
            );
        }
        if r.complete == Some(false) {
            self.problem(
                &format!("{path}.complete"),
                "`complete = false` is not a condition",
                "Remove it, or set it to true",
            );
        }
        for (key, value) in [
            ("progress_percent", r.progress_percent),
            ("required_evidence_percent", r.required_evidence_percent),
        ] {
            if let Some(p) = value
                && p > 100
            {
                self.problem(
                    &format!("{path}.{key}"),
                    format!("{p}% is more than 100%"),
                    "Use a percentage from 0 to 100",
                );
            }
        }
        if let Some(n) = r.dimensions_complete
            && (n == 0 || n as usize > def.dimensions.len())
        {
            self.problem(
                &format!("{path}.dimensions_complete"),
                format!(
                    "{n} dimensions asked for, but the framework has {}",
                    def.dimensions.len()
                ),
                "Use a number from 1 to the number of dimensions",
            );
        }
        if let Some(level) = r.minimum_level {
            self.level_in_scale(scale, &format!("{path}.minimum_level"), level);
        }
        for (id, level) in &r.thresholds {
            let at = format!("{path}.thresholds.{id:?}");
            if !self.benchmark_ids.contains_key(id) {
                self.problem(
                    &at,
                    format!("benchmark {id:?} does not exist"),
                    "Name a benchmark id defined in this file",
                );
            }
            self.level_in_scale(scale, &at, *level);
        }
    }
}

#[derive(Clone, Copy)]
enum Kind {
    Structure,
    Benchmark,
    Evidence,
}
