//! A framework of any size, written as TOML the way an awarding body would write one.
//!
//! The bundled frameworks have a few dozen benchmarks; the benches need hundreds to show how
//! cost grows, and the core's bench and the documents' bench must measure the same framework
//! shape so their numbers can be read together.

use std::path::{Path, PathBuf};

/// Prose repeated to give guidance, descriptors and next steps a realistic length.
const WORDS: &str =
    "The school plans, teaches and reviews this aspect with care and evidence of impact. ";

/// A generated framework: `benchmarks` benchmarks in dimensions of ten (`0.0`–`0.9`, `1.0`–…),
/// each with guidance and four levels on an ascending scale, and three awards: two
/// self-issued certificates (`commitment` on registration, `progress` at 50%) and a `mark`
/// from the awarding body (every benchmark at level 4).
///
/// By default there are no next steps and no evidence requirements, so a document printed
/// from it is mostly the school's own commentary; [`with_next_steps`](Self::with_next_steps)
/// and [`with_evidence`](Self::with_evidence) add them where every field's parsing and
/// checking should be measured.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedFramework {
    benchmarks: usize,
    next_steps: bool,
    evidence: bool,
}

impl GeneratedFramework {
    /// The framework's id, for registering a review once it is installed.
    pub const ID: &'static str = "bench";

    /// A framework of `benchmarks` benchmarks (the last dimension holds the remainder when it
    /// is not a multiple of ten).
    pub fn new(benchmarks: usize) -> Self {
        Self {
            benchmarks,
            next_steps: false,
            evidence: false,
        }
    }

    /// Next steps on every level but the top one.
    pub fn with_next_steps(self) -> Self {
        Self {
            next_steps: true,
            ..self
        }
    }

    /// Two evidence requirements per benchmark (`<id>-a` at every level, `<id>-b` from level
    /// 4), and the mark also requires all of them.
    pub fn with_evidence(self) -> Self {
        Self {
            evidence: true,
            ..self
        }
    }

    /// How many benchmarks it has.
    pub fn benchmarks(&self) -> usize {
        self.benchmarks
    }

    /// Every benchmark's id, in the order the file lists them (the order
    /// `Framework::benchmarks` gives too), so a caller can answer them without reading the
    /// framework back.
    pub fn benchmark_ids(&self) -> Vec<String> {
        self.dimensions()
            .flat_map(|(d, count)| (0..count).map(move |b| benchmark_id(d, b)))
            .collect()
    }

    /// Each dimension's number and how many benchmarks it holds: ten, the last one the rest.
    fn dimensions(&self) -> impl Iterator<Item = (usize, usize)> {
        let total = self.benchmarks;
        (0..total.div_ceil(10)).map(move |d| (d, (total - d * 10).min(10)))
    }

    /// The framework file's text.
    pub fn toml(&self) -> String {
        let mut s = String::from(
            "format = 1\nid = \"bench\"\nversion = \"1.0\"\ntitle = \"Generated framework\"\nawarding_body = \"Bench\"\n",
        );
        s.push_str(&format!("summary = \"{} benchmarks\"\n", self.benchmarks));
        s.push_str(
            "[scale]\ndirection = \"ascending\"\nlevels = [{ value = 1, name = \"Getting started\" }, { value = 2, name = \"Developing\" }, { value = 3, name = \"Established\" }, { value = 4, name = \"Exemplary\" }]\n",
        );
        for (d, count) in self.dimensions() {
            s.push_str(&format!(
                "[[dimensions]]\nid = \"{d}\"\ntitle = \"Dimension {d}\"\n"
            ));
            for b in 0..count {
                let id = benchmark_id(d, b);
                s.push_str(&format!(
                    "[[dimensions.benchmarks]]\nid = \"{id}\"\ntitle = \"Benchmark {id}\"\nguidance = \"{g}\"\n",
                    g = WORDS.repeat(3)
                ));
                for level in 1..=4 {
                    s.push_str(&format!(
                        "[[dimensions.benchmarks.levels]]\nvalue = {level}\ndescriptor = \"{d}\"\n",
                        d = WORDS.repeat(2),
                    ));
                    if self.next_steps && level < 4 {
                        s.push_str(&format!("next_steps = \"{WORDS}\"\n"));
                    }
                }
                if self.evidence {
                    s.push_str(&format!(
                        "[[dimensions.benchmarks.evidence]]\nid = \"{id}-a\"\ntitle = \"Policy\"\n\
                         [[dimensions.benchmarks.evidence]]\nid = \"{id}-b\"\ntitle = \"Observation\"\nfrom_level = 4\n"
                    ));
                }
            }
        }
        s.push_str(
            "[[awards]]\nid = \"commitment\"\ntitle = \"Certificate of Commitment\"\nkind = \"certificate\"\nissuer = \"self\"\nrequires = { registration = true }\n\
             [[awards]]\nid = \"progress\"\ntitle = \"Certificate of Progress\"\nkind = \"certificate\"\nissuer = \"self\"\nrequires = { progress_percent = 50 }\n\
             [[awards]]\nid = \"mark\"\ntitle = \"Mark\"\nkind = \"mark\"\nissuer = \"awarding_body\"\n",
        );
        s.push_str(if self.evidence {
            "requires = { minimum_level = 4, required_evidence_percent = 100 }\n"
        } else {
            "requires = { minimum_level = 4 }\n"
        });
        s
    }

    /// Writes the framework into a data folder's `frameworks/` (creating both), where the
    /// catalog finds it, and returns the file's path; `Workspace::register` with [`Self::ID`]
    /// then starts a review of it.
    ///
    /// # Errors
    ///
    /// Any error creating the folders or writing the file.
    pub fn install(&self, data_dir: &Path) -> std::io::Result<PathBuf> {
        let folder = data_dir.join("frameworks");
        std::fs::create_dir_all(&folder)?;
        let path = folder.join(format!("{}.toml", Self::ID));
        std::fs::write(&path, self.toml())?;
        Ok(path)
    }
}

/// The id of benchmark `b` of dimension `d`: "3.7".
fn benchmark_id(d: usize, b: usize) -> String {
    format!("{d}.{b}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_benchmark_is_written_once_in_dimensions_of_ten() {
        for n in [1, 10, 25, 500] {
            let text = GeneratedFramework::new(n).toml();
            assert_eq!(text.matches("[[dimensions.benchmarks]]").count(), n);
            assert_eq!(text.matches("[[dimensions]]").count(), n.div_ceil(10));
            assert_eq!(
                text.matches("[[dimensions.benchmarks.levels]]").count(),
                4 * n
            );
            assert!(text.contains(&format!("summary = \"{n} benchmarks\"")));
        }
        let last = GeneratedFramework::new(25);
        let text = last.toml();
        assert!(text.contains("id = \"2.4\"") && !text.contains("id = \"2.5\""));
        let ids = last.benchmark_ids();
        assert_eq!(ids.len(), 25);
        assert_eq!((ids[0].as_str(), ids[24].as_str()), ("0.0", "2.4"));
        for id in &ids {
            assert!(text.contains(&format!("id = \"{id}\"\ntitle = \"Benchmark {id}\"")));
        }
    }

    #[test]
    fn next_steps_and_evidence_are_added_only_when_asked_for() {
        let bare = GeneratedFramework::new(20).toml();
        assert!(!bare.contains("next_steps") && !bare.contains("evidence]]"));
        assert!(!bare.contains("required_evidence_percent"));
        let full = GeneratedFramework::new(20)
            .with_next_steps()
            .with_evidence()
            .toml();
        assert_eq!(full.matches("next_steps = ").count(), 3 * 20);
        assert_eq!(
            full.matches("[[dimensions.benchmarks.evidence]]").count(),
            2 * 20
        );
        assert!(full.contains("required_evidence_percent = 100"));
    }

    #[test]
    fn install_writes_where_the_catalog_looks() -> std::io::Result<()> {
        let dir = tempfile::tempdir()?;
        let framework = GeneratedFramework::new(10);
        let path = framework.install(&dir.path().join("data"))?;
        assert_eq!(path, dir.path().join("data/frameworks/bench.toml"));
        assert_eq!(std::fs::read_to_string(path)?, framework.toml());
        Ok(())
    }
}
