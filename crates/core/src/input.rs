//! What a person types, checked once: each problem names its field and says how to fix it.
//! The store refuses input with any problem (the first becomes [`Error::Invalid`]); forms ask
//! for every problem at once (`problems()` on each input type) to show them beside the fields,
//! so no front end keeps a copy of these rules.

use serde::Serialize;

use crate::error::{Error, Result};

/// One problem with what was typed into a field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct FieldProblem {
    /// The field (`name`, `email`, `identifier`, `due_date`, …).
    pub field: String,
    /// What is wrong and how to fix it.
    pub message: String,
}

/// Problems found so far.
#[derive(Debug, Default)]
pub(crate) struct Problems(Vec<FieldProblem>);

impl Problems {
    /// Records a problem with `field`.
    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        self.0.push(FieldProblem {
            field: field.to_owned(),
            message: message.into(),
        });
    }

    /// Every problem.
    pub fn into_vec(self) -> Vec<FieldProblem> {
        self.0
    }
}

/// `Ok` when there are none; otherwise the first, as the error a save reports.
pub(crate) fn first(problems: Vec<FieldProblem>) -> Result<()> {
    match problems.into_iter().next() {
        None => Ok(()),
        Some(p) => Err(Error::invalid(p.field, p.message)),
    }
}

/// The shape of an email address: something@domain.tld, no spaces.
pub(crate) fn is_email_shaped(email: &str) -> bool {
    email.split_once('@').is_some_and(|(user, domain)| {
        !user.is_empty()
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
    }) && !email.contains(char::is_whitespace)
}

/// Longest name or role accepted.
pub(crate) const MAX_NAME_CHARS: usize = 200;

/// Whether a trimmed text is longer than `max` characters.
pub(crate) fn too_long(text: &str, max: usize) -> bool {
    text.trim().chars().count() > max
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_shapes() {
        assert!(is_email_shaped("head@llanfair.sch.uk"));
        for bad in [
            "head",
            "@x.uk",
            "head@",
            "head@uk",
            "head@.uk",
            "head@x.",
            "he ad@x.uk",
        ] {
            assert!(!is_email_shaped(bad), "{bad}");
        }
    }
}
