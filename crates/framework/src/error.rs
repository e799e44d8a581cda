//! Why a framework file was refused, said so that its author can fix it.

use std::fmt;

/// A framework file could not be loaded. Every variant names the file and the place.
#[derive(Debug, thiserror::Error)]
pub enum FrameworkError {
    /// The file could not be read at all.
    #[error(
        "{origin}: could not read the framework file ({source}). Check the path and that Waymark may read it."
    )]
    Read {
        /// The file, as the user named it.
        origin: String,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// The file is too large to be a framework definition.
    #[error(
        "{origin}: the file is {size} bytes; a framework definition is at most {limit} bytes. Check that this is the right file."
    )]
    TooLarge {
        /// The file.
        origin: String,
        /// Its size.
        size: u64,
        /// The largest size accepted.
        limit: u64,
    },
    /// The TOML is malformed, or a key is unknown or has the wrong type.
    #[error(
        "{origin}:{line}:{column}: {message}. Fix the file at that place (the format is described in docs/framework-format.md)."
    )]
    Syntax {
        /// The file.
        origin: String,
        /// 1-based line.
        line: usize,
        /// 1-based column, in characters.
        column: usize,
        /// What the parser said.
        message: String,
    },
    /// The file parses but breaks the framework's rules.
    #[error("{origin}: {} problem{} found:\n{}", problems.len(), if problems.len() == 1 { "" } else { "s" }, ProblemList(problems))]
    Invalid {
        /// The file.
        origin: String,
        /// Every problem found, in file order.
        problems: Vec<Problem>,
    },
}

/// No framework in a [`Catalog`](crate::Catalog) has the id (and version) asked for.
///
/// Its [`code`](Self::code) is the stable `not_found`; `waymark-core` turns it into its own
/// not-found error, with the ids available as the hint.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Framework {:?} was not found. {}", self.wanted(), Available(&self.available))]
pub struct FrameworkNotFound {
    /// The id asked for.
    pub id: String,
    /// The version asked for; `None` asked for the latest.
    pub version: Option<String>,
    /// The ids of the frameworks the catalog holds, sorted.
    pub available: Vec<String>,
}

impl FrameworkNotFound {
    /// The stable code of this error (the same spelling as `waymark_core::ErrorCode::NotFound`).
    pub const CODE: &'static str = "not_found";

    /// The stable code of this error: `not_found`.
    pub fn code(&self) -> &'static str {
        Self::CODE
    }

    /// What was asked for, as the user named it: `id` or `id version`.
    pub fn wanted(&self) -> String {
        match &self.version {
            Some(v) => format!("{} {v}", self.id),
            None => self.id.clone(),
        }
    }
}

/// The ids to choose from, worded as `waymark-core` words its `Hint::Available`.
struct Available<'a>(&'a [String]);

impl fmt::Display for Available<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            f.write_str("There are none yet.")
        } else {
            write!(f, "Available: {}.", self.0.join(", "))
        }
    }
}

/// One rule broken at one place of a framework definition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Where, as a path such as `dimensions[2].benchmarks[0].levels`.
    pub path: String,
    /// What is wrong.
    pub message: String,
    /// What to do about it.
    pub fix: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "at {}: {}. {}", self.path, self.message, self.fix)
    }
}

struct ProblemList<'a>(&'a [Problem]);

impl fmt::Display for ProblemList<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "  - {p}")?;
        }
        Ok(())
    }
}

/// Turns a byte offset into a 1-based line and character column.
pub(crate) fn line_column(source: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(source.len());
    while !source.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &source[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_are_one_based_and_count_characters() {
        let s = "ab\nŵŷc\nd";
        assert_eq!(line_column(s, 0), (1, 1));
        assert_eq!(line_column(s, 3), (2, 1));
        // "ŵŷ" is four bytes; offset 7 is the 'c'.
        assert_eq!(line_column(s, 7), (2, 3));
        assert_eq!(line_column(s, 999), (3, 2));
    }
}
