//! The frameworks a user can choose from: those bundled with Waymark, plus any an awarding body
//! published as a file and the user placed in the data folder's `frameworks/` folder.

use std::path::Path;

use serde::Serialize;

use super::{Framework, FrameworkError, FrameworkNotFound, Version};

/// The frameworks shipped inside the binary (file name, text).
const BUNDLED: &[(&str, &str)] = &[
    (
        "computing-quality-1.0.toml",
        include_str!("../frameworks/computing-quality-1.0.toml"),
    ),
    (
        "computing-quality-2.0.toml",
        include_str!("../frameworks/computing-quality-2.0.toml"),
    ),
    (
        "technology-self-review-1.0.toml",
        include_str!("../frameworks/technology-self-review-1.0.toml"),
    ),
    (
        "care-experienced-quality-mark-1.0.toml",
        include_str!("../frameworks/care-experienced-quality-mark-1.0.toml"),
    ),
];

/// The text of a bundled framework file, by file name (for tests and `frameworks export`).
pub fn bundled_source(name: &str) -> Option<&'static str> {
    BUNDLED.iter().find(|(n, _)| *n == name).map(|(_, t)| *t)
}

/// Every framework version known to this installation.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    frameworks: Vec<Framework>,
}

/// What a user sees when choosing a framework.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct FrameworkSummary {
    /// Framework id.
    pub id: String,
    /// Latest version available.
    pub version: String,
    /// Every version available, oldest first.
    pub versions: Vec<String>,
    /// Title.
    pub title: String,
    /// Awarding body.
    pub awarding_body: String,
    /// Short description.
    pub summary: String,
    /// Who it is for.
    pub audience: Option<String>,
    /// Number of dimensions.
    pub dimensions: usize,
    /// Number of benchmarks.
    pub benchmarks: usize,
    /// Whether it has a level scale.
    pub has_levels: bool,
}

impl Catalog {
    /// The bundled frameworks. They are checked by the test suite, so an error here means a
    /// broken build; it is still reported rather than panicking.
    pub fn bundled() -> Result<Self, FrameworkError> {
        let frameworks = BUNDLED
            .iter()
            .map(|(name, text)| Framework::from_toml(text, &format!("bundled:{name}")))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self { frameworks })
    }

    /// The bundled frameworks plus every `*.toml` in `dir` (if it exists). A bad file does not
    /// hide the others: it is returned beside the catalog so the caller can show why.
    pub fn with_folder(dir: &Path) -> Result<(Self, Vec<FrameworkError>), FrameworkError> {
        let mut catalog = Self::bundled()?;
        let mut refused = Vec::new();
        let Ok(entries) = std::fs::read_dir(dir) else {
            return Ok((catalog, refused));
        };
        let mut paths: Vec<_> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "toml"))
            .collect();
        paths.sort();
        for path in paths {
            match Framework::load_file(&path) {
                Ok(fw) => {
                    if catalog.get(fw.id(), fw.version()).is_some() {
                        refused.push(FrameworkError::Invalid {
                            origin: path.display().to_string(),
                            problems: vec![super::Problem {
                                path: "version".into(),
                                message: format!(
                                    "{} version {} is already installed",
                                    fw.id(),
                                    fw.version()
                                ),
                                fix: "Give a changed framework a new version number".into(),
                            }],
                        });
                    } else {
                        catalog.frameworks.push(fw);
                    }
                }
                Err(e) => refused.push(e),
            }
        }
        Ok((catalog, refused))
    }

    /// A specific version.
    pub fn get(&self, id: &str, version: &str) -> Option<&Framework> {
        let wanted = Version::parse(version)?;
        self.frameworks
            .iter()
            .find(|f| f.id() == id && Version::parse(f.version()).is_some_and(|v| v == wanted))
    }

    /// A framework by id: the version named, or else the latest; not found lists the ids.
    pub fn find(&self, id: &str, version: Option<&str>) -> Result<&Framework, FrameworkNotFound> {
        match version {
            Some(v) => self.get(id, v),
            None => self.latest(id),
        }
        .ok_or_else(|| FrameworkNotFound {
            id: id.to_owned(),
            version: version.map(str::to_owned),
            available: self.ids(),
        })
    }

    /// The newest version of a framework.
    pub fn latest(&self, id: &str) -> Option<&Framework> {
        self.frameworks
            .iter()
            .filter(|f| f.id() == id)
            .max_by_key(|f| Version::parse(f.version()))
    }

    /// One summary per framework id (its latest version), sorted by title.
    pub fn list(&self) -> Vec<FrameworkSummary> {
        let mut ids: Vec<&str> = self.frameworks.iter().map(Framework::id).collect();
        ids.sort_unstable();
        ids.dedup();
        let mut out: Vec<FrameworkSummary> = ids
            .into_iter()
            .filter_map(|id| {
                let fw = self.latest(id)?;
                let mut versions: Vec<&Framework> =
                    self.frameworks.iter().filter(|f| f.id() == id).collect();
                versions.sort_by_key(|f| Version::parse(f.version()));
                let def = fw.def();
                Some(FrameworkSummary {
                    id: def.id.clone(),
                    version: def.version.clone(),
                    versions: versions.iter().map(|f| f.version().to_owned()).collect(),
                    title: def.title.clone(),
                    awarding_body: def.awarding_body.clone(),
                    summary: def.summary.clone(),
                    audience: def.audience.clone(),
                    dimensions: def.dimensions.len(),
                    benchmarks: fw.benchmark_count(),
                    has_levels: def.scale.is_some(),
                })
            })
            .collect();
        out.sort_by(|a, b| a.title.cmp(&b.title));
        out
    }

    /// Ids of the frameworks known, for "did you mean" messages.
    pub fn ids(&self) -> Vec<String> {
        let mut ids: Vec<String> = self.frameworks.iter().map(|f| f.id().to_owned()).collect();
        ids.sort();
        ids.dedup();
        ids
    }
}
