//! The frameworks this awarding body runs: the bundled ones plus any in `frameworks_dir`. The
//! server reads them through `waymark-framework` (the same parser the app uses, without the
//! school's store) for the rules it applies: which awards are applied for, their review window
//! and validity, their titles, and which benchmark ids exist.

use waymark_framework::Catalog;
use waymark_framework::model::{Award, Issuer};
use waymark_protocol::ApiErrorCode;
use waymark_protocol::ids::FrameworkRef;

use crate::Failure;

/// The review window when an award gives none (the seeds' four weeks).
pub const DEFAULT_REVIEW_WINDOW_DAYS: u32 = 28;
/// The validity when an award gives none (the seeds' three years).
pub const DEFAULT_VALIDITY_YEARS: u32 = 3;

/// What the server needs to know about an award applied for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MarkRules {
    /// The award's title.
    pub title: String,
    /// The framework's title.
    pub framework_title: String,
    /// Days to review.
    pub review_window_days: u32,
    /// Years it lasts.
    pub validity_years: u32,
}

/// Looks up an award that is applied for (issued by the awarding body), or refuses with
/// `unknown_award`.
pub fn mark_rules(
    catalog: &Catalog,
    framework: &FrameworkRef,
    award: &str,
) -> Result<MarkRules, Failure> {
    let fw = catalog
        .get(&framework.id, &framework.version)
        .ok_or_else(|| {
            Failure::new(
                ApiErrorCode::UnknownAward,
                format!(
                    "this awarding body does not run framework {} version {}",
                    framework.id, framework.version
                ),
            )
        })?;
    let found: &Award = fw.award(award).ok_or_else(|| {
        Failure::new(
            ApiErrorCode::UnknownAward,
            format!("framework {} has no award `{award}`", framework.id),
        )
    })?;
    if found.issuer != Issuer::AwardingBody {
        return Err(Failure::new(
            ApiErrorCode::UnknownAward,
            format!(
                "`{}` is printed by the school itself; it is not applied for",
                found.title
            ),
        ));
    }
    Ok(MarkRules {
        title: found.title.clone(),
        framework_title: fw.def().title.clone(),
        review_window_days: found
            .review_window_days
            .unwrap_or(DEFAULT_REVIEW_WINDOW_DAYS),
        validity_years: found.validity_years.unwrap_or(DEFAULT_VALIDITY_YEARS),
    })
}

/// Whether `benchmark` is a benchmark of the framework (requests for more evidence name only
/// real ones).
pub fn has_benchmark(catalog: &Catalog, framework: &FrameworkRef, benchmark: &str) -> bool {
    catalog
        .get(&framework.id, &framework.version)
        .is_some_and(|fw| fw.benchmark(benchmark).is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_are_found_and_certificates_are_not_applied_for() {
        let catalog = Catalog::bundled().unwrap();
        let fw = FrameworkRef {
            id: "technology-self-review".into(),
            version: "1.0".into(),
        };
        let def = catalog.get(&fw.id, &fw.version).unwrap().def().clone();
        let mark = def
            .awards
            .iter()
            .find(|a| a.issuer == Issuer::AwardingBody)
            .unwrap();
        let rules = mark_rules(&catalog, &fw, &mark.id).unwrap();
        assert_eq!(rules.title, mark.title);
        assert!(rules.review_window_days > 0 && rules.validity_years > 0);

        if let Some(cert) = def.awards.iter().find(|a| a.issuer == Issuer::SelfIssued) {
            let err = mark_rules(&catalog, &fw, &cert.id).unwrap_err();
            assert_eq!(err.code, ApiErrorCode::UnknownAward);
        }
        let err = mark_rules(&catalog, &fw, "no-such-award").unwrap_err();
        assert_eq!(err.code, ApiErrorCode::UnknownAward);
    }
}
