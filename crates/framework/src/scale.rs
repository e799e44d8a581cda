//! Comparing levels on a scale whose best end may be either the highest or the lowest number.

use std::cmp::Ordering;

use super::model::{Direction, Scale};

impl Scale {
    /// Whether `value` is one of the scale's levels.
    pub fn contains(&self, value: u8) -> bool {
        self.levels.iter().any(|l| l.value == value)
    }

    /// The name of a level, if it is on the scale.
    pub fn name_of(&self, value: u8) -> Option<&str> {
        self.levels
            .iter()
            .find(|l| l.value == value)
            .map(|l| l.name.as_str())
    }

    /// Orders two levels by maturity: `Greater` means `a` is more mature than `b`.
    pub fn compare_maturity(&self, a: u8, b: u8) -> Ordering {
        match self.direction {
            Direction::Ascending => a.cmp(&b),
            Direction::Descending => b.cmp(&a),
        }
    }

    /// Whether `level` is at `threshold` or more mature.
    pub fn meets(&self, level: u8, threshold: u8) -> bool {
        self.compare_maturity(level, threshold) != Ordering::Less
    }

    /// The less mature of two levels (used when merging responses: claim no more than was shown).
    pub fn least_mature(&self, a: u8, b: u8) -> u8 {
        if self.compare_maturity(a, b) == Ordering::Greater {
            b
        } else {
            a
        }
    }

    /// The most mature level of the scale.
    pub fn most_mature(&self) -> Option<u8> {
        self.levels
            .iter()
            .map(|l| l.value)
            .max_by(|a, b| self.compare_maturity(*a, *b))
    }

    /// Level values from least to most mature.
    pub fn ordered(&self) -> Vec<u8> {
        let mut values: Vec<u8> = self.levels.iter().map(|l| l.value).collect();
        values.sort_by(|a, b| self.compare_maturity(*a, *b));
        values
    }

    /// Plain words for "needs `threshold`": "needs 4" at the top of the scale, otherwise
    /// "needs 3 or better", so a descending scale reads naturally too.
    pub fn needs_phrase(&self, threshold: u8) -> String {
        if self.most_mature() == Some(threshold) {
            format!("needs {threshold}")
        } else {
            format!("needs {threshold} or better")
        }
    }

    /// A short description of the scale for messages: "levels 1–4, 4 is the most mature".
    pub fn describe(&self) -> String {
        let ordered = self.ordered();
        match (ordered.first(), ordered.last()) {
            (Some(least), Some(most)) => {
                let (lo, hi) = (least.min(most), least.max(most));
                format!("levels {lo}–{hi}, {most} is the most mature")
            }
            _ => "an empty scale".to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ScaleLevel;

    fn scale(direction: Direction, n: u8) -> Scale {
        Scale {
            direction,
            levels: (1..=n)
                .map(|value| ScaleLevel {
                    value,
                    name: format!("L{value}"),
                })
                .collect(),
        }
    }

    #[test]
    fn ascending_scale_treats_higher_as_better() {
        let s = scale(Direction::Ascending, 4);
        assert!(s.meets(4, 4));
        assert!(s.meets(4, 3));
        assert!(!s.meets(2, 4));
        assert_eq!(s.most_mature(), Some(4));
        assert_eq!(s.least_mature(2, 3), 2);
        assert_eq!(s.needs_phrase(4), "needs 4");
        assert_eq!(s.needs_phrase(3), "needs 3 or better");
    }

    #[test]
    fn descending_scale_treats_one_as_best() {
        let s = scale(Direction::Descending, 5);
        assert!(s.meets(1, 3));
        assert!(s.meets(3, 3));
        assert!(!s.meets(4, 3));
        assert_eq!(s.most_mature(), Some(1));
        assert_eq!(s.least_mature(2, 4), 4);
        assert_eq!(s.ordered(), vec![5, 4, 3, 2, 1]);
        assert_eq!(s.describe(), "levels 1–5, 1 is the most mature");
    }
}
