//! Framework versions: dotted numbers compared number by number, so "2.10" is after "2.9".

use std::cmp::Ordering;
use std::fmt;

/// A parsed framework version such as `2.0` or `2024.1`.
#[derive(Debug, Clone)]
pub struct Version(Vec<u64>);

impl Version {
    /// Parses dotted numbers; `None` for anything else (letters, empty parts, blanks).
    pub fn parse(text: &str) -> Option<Self> {
        if text.is_empty() {
            return None;
        }
        text.split('.')
            .map(|part| {
                if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) {
                    None
                } else {
                    part.parse().ok()
                }
            })
            .collect::<Option<Vec<u64>>>()
            .map(Version)
    }
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        // Missing trailing parts count as zero, so "2" and "2.0" are the same version.
        let n = self.0.len().max(other.0.len());
        (0..n)
            .map(|i| {
                let a = self.0.get(i).copied().unwrap_or(0);
                let b = other.0.get(i).copied().unwrap_or(0);
                a.cmp(&b)
            })
            .find(|o| o.is_ne())
            .unwrap_or(Ordering::Equal)
    }
}

impl PartialEq for Version {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Version {}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self.0.iter().map(u64::to_string).collect();
        f.write_str(&parts.join("."))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_compare_numerically() {
        let v = |s| Version::parse(s).expect("valid version");
        assert!(v("2.10") > v("2.9"));
        assert!(v("10") > v("9.9"));
        assert_eq!(v("2").cmp(&v("2.0")), Ordering::Equal);
        assert!(Version::parse("2.x").is_none());
        assert!(Version::parse("").is_none());
        assert!(Version::parse("1..2").is_none());
        assert!(Version::parse("99999999999999999999999").is_none());
    }
}
