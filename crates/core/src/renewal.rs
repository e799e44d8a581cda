//! Renewing an awarded mark. A mark expires (e.g. three years after the award date); from a
//! notice period before expiry the school can start its renewal: a new review on the
//! framework's latest version that starts from the awarded one, which is then kept read-only
//! as the record of what the mark was awarded for.
//!
//! The rules here are pure: when the renewal window opens ([`renewal_window`]), and what a
//! renewal carries (`Carryover`: responses as an upgrade carries them, every one to be
//! confirmed again; evidence links and actions following the same benchmark mapping). The
//! [`Workspace`](crate::Workspace) methods are in `workspace/renewal.rs`; the store applies a
//! renewal in one transaction.

use chrono::{Months, NaiveDate};
use serde::Serialize;

use crate::evidence::EvidenceLink;
use crate::framework::{Framework, Scale};
use crate::store::{Response, Review};
use crate::upgrade::{self, Flagged, Mapping, Plan};

/// How many months before expiry the renewal window opens unless the school chose otherwise:
/// the awarding body's evidence review takes weeks, and a school needs a term or two to bring
/// three-year-old evidence up to date.
pub const DEFAULT_NOTICE_MONTHS: u32 = 6;

/// The fewest and most months of notice a school may choose.
pub const NOTICE_MONTHS: std::ops::RangeInclusive<u32> = 1..=24;

/// Why every response carried into a renewal awaits confirmation: a mark is renewed on what the
/// school shows now, not on what it showed when the mark was awarded.
pub const RENEWAL_NOTE: &str = "carried from the awarded review: confirm it still holds";

/// Where an awarded mark stands with regard to its renewal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum RenewalState {
    /// Before the window opens: renewal is not offered yet.
    NotYet,
    /// From the day the window opens to the expiry day itself: "Start renewal" is offered.
    Open,
    /// After the expiry day: the mark has lapsed (renewal is still possible, as a new review).
    Expired,
}

/// The renewal window of a mark, as of one day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RenewalWindow {
    /// The mark's last valid day (YYYY-MM-DD).
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub expires_on: NaiveDate,
    /// The first day renewal is offered (YYYY-MM-DD).
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub opens_on: NaiveDate,
    /// Days from the day judged on to the expiry day: 0 on the expiry day, negative after it.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub days_left: i64,
    /// Where the mark stands.
    pub state: RenewalState,
}

/// The renewal window of a mark that expires on `expires_on`, as of `today`, opening
/// `notice_months` calendar months before expiry. Months are counted on the calendar, and a
/// day the earlier month lacks becomes its last day (31 August less 6 months is 28 February,
/// or the 29th in a leap year). The expiry day itself is still in the window; the day after,
/// the mark has expired.
pub fn renewal_window(
    expires_on: NaiveDate,
    today: NaiveDate,
    notice_months: u32,
) -> RenewalWindow {
    // Only a notice reaching back before the calendar began has no date: open since then.
    let opens_on = expires_on
        .checked_sub_months(Months::new(notice_months))
        .unwrap_or(NaiveDate::MIN);
    let state = if today > expires_on {
        RenewalState::Expired
    } else if today >= opens_on {
        RenewalState::Open
    } else {
        RenewalState::NotYet
    };
    RenewalWindow {
        expires_on,
        opens_on,
        days_left: (expires_on - today).num_days(),
        state,
    }
}

/// What starting a renewal did, for the user to read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RenewalReport {
    /// The new review: the renewal, now the current review.
    pub review: Review,
    /// The awarded review it renews, now closed (read-only).
    pub previous: Review,
    /// The framework version of the awarded review.
    pub from_version: String,
    /// The version of the renewal (the latest installed; the same when there is no newer one).
    pub to_version: String,
    /// Every benchmark of the renewal whose response was carried from the awarded review.
    /// Unlike an upgrade, none is carried as settled: each is also in `flagged`.
    pub carried: Vec<String>,
    /// The carried responses awaiting the lead's confirmation (all of them), with why: the
    /// upgrade's reason when the new version renamed, merged or split the benchmark, and
    /// [`RENEWAL_NOTE`].
    pub flagged: Vec<Flagged>,
    /// Benchmarks of the awarded version that the new version removed: their responses are
    /// archived in the renewal (and stay in the awarded review as they were).
    pub archived: Vec<String>,
    /// Evidence items carried (the same files, with their links to benchmarks that still
    /// exist; removed items stay behind).
    pub evidence_kept: usize,
    /// Future actions not done yet, carried as the start of the renewal's action plan.
    pub actions_carried: usize,
}

/// How a level compares with the previous review's, judged on the scale (whichever end is
/// most mature), so no front end compares level numbers itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum LevelChange {
    /// More mature than before.
    MoreMature,
    /// The same level.
    Same,
    /// Less mature than before.
    LessMature,
}

/// One benchmark's level in the previous (awarded) review beside the current one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct LevelComparison {
    /// The benchmark's dimension (in the current framework; in the previous one for a
    /// benchmark only the previous one has).
    pub dimension_id: String,
    /// Its title.
    pub dimension_title: String,
    /// The benchmark.
    pub benchmark_id: String,
    /// Its title.
    pub benchmark_title: String,
    /// The level the previous review gave it (through a rename, merge or split when the
    /// version changed; a merge shows the least mature of the levels merged).
    pub previous_level: Option<u8>,
    /// That level's name on the previous version's scale.
    pub previous_label: Option<String>,
    /// The level the current review gives it.
    pub current_level: Option<u8>,
    /// That level's name on the current version's scale.
    pub current_label: Option<String>,
    /// How the current level compares with the previous one, when both are given and both
    /// versions use the same scale.
    pub change: Option<LevelChange>,
    /// The current response was carried and is not confirmed yet.
    pub needs_confirmation: bool,
    /// A benchmark of the previous version that the current one removed.
    pub only_in_previous: bool,
}

/// What a renewal from `old` (the awarded review's version) to `new` carries: the responses by
/// the upgrade's plan, each flagged for confirmation; evidence links and action benchmarks by
/// the same mapping of benchmarks. Pure; the store applies it.
#[derive(Debug)]
pub(crate) struct Carryover<'a> {
    old: &'a Framework,
    new: &'a Framework,
    mapping: Mapping<'a>,
}

impl<'a> Carryover<'a> {
    pub(crate) fn new(old: &'a Framework, new: &'a Framework) -> Self {
        Self {
            old,
            new,
            mapping: Mapping::new(old, new),
        }
    }

    /// The awarded review's version.
    pub(crate) fn old(&self) -> &'a Framework {
        self.old
    }

    /// The renewal's version.
    pub(crate) fn new_version(&self) -> &'a Framework {
        self.new
    }

    /// The responses as they start the renewal: carried as an upgrade carries them (renamed,
    /// merged, split, removed ones archived) and every carried one flagged.
    pub(crate) fn plan(&self, responses: &[Response]) -> Plan {
        let mut plan = upgrade::plan(self.old, self.new, responses);
        for c in &mut plan.carried {
            c.flag = Some(match c.flag.take() {
                Some(why) => format!("{why}; {RENEWAL_NOTE}"),
                None => RENEWAL_NOTE.to_owned(),
            });
        }
        plan
    }

    /// The renewal's benchmarks an old benchmark became (none when it was removed).
    pub(crate) fn benchmarks(&self, old_id: &str) -> Vec<String> {
        self.mapping
            .destinations(old_id)
            .into_iter()
            .map(|(id, _)| id)
            .collect()
    }

    /// An evidence link of the awarded review as links of the renewal: to the benchmarks its
    /// benchmark became, with its requirement where the new version has it under that
    /// benchmark, else to the benchmark alone (the lead links the requirement again). None
    /// when the benchmark was removed: the item is kept, without that link.
    pub(crate) fn links(&self, link: &EvidenceLink) -> Vec<EvidenceLink> {
        self.benchmarks(&link.benchmark_id)
            .into_iter()
            .map(|benchmark_id| {
                let requirement_id = link.requirement_id.as_ref().filter(|req| {
                    self.new
                        .requirement(req)
                        .is_some_and(|(owner, _)| owner.benchmark.id == benchmark_id)
                });
                EvidenceLink {
                    requirement_id: requirement_id.cloned(),
                    benchmark_id,
                }
            })
            .collect()
    }
}

/// Whether two scales order the same level values the same way (their names may differ), so
/// a level on one can be compared with a level on the other.
pub(crate) fn same_order(a: &Scale, b: &Scale) -> bool {
    a.ordered() == b.ordered()
}

/// Compares a previous level with a current one on the current scale.
pub(crate) fn change(scale: &Scale, previous: u8, current: u8) -> LevelChange {
    match scale.compare_maturity(current, previous) {
        std::cmp::Ordering::Greater => LevelChange::MoreMature,
        std::cmp::Ordering::Equal => LevelChange::Same,
        std::cmp::Ordering::Less => LevelChange::LessMature,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("a real date")
    }

    #[test]
    fn the_window_opens_the_notice_months_before_expiry_and_not_a_day_earlier() {
        let expires = day(2028, 9, 30);
        let before = renewal_window(expires, day(2028, 3, 29), 6);
        assert_eq!(before.opens_on, day(2028, 3, 30));
        assert_eq!(before.state, RenewalState::NotYet);
        assert_eq!(before.days_left, 185);
        let opening = renewal_window(expires, day(2028, 3, 30), 6);
        assert_eq!(opening.state, RenewalState::Open);
        assert_eq!(opening.days_left, 184);
    }

    #[test]
    fn the_expiry_day_is_still_open_and_the_day_after_has_expired() {
        let expires = day(2028, 9, 30);
        let last = renewal_window(expires, expires, DEFAULT_NOTICE_MONTHS);
        assert_eq!((last.state, last.days_left), (RenewalState::Open, 0));
        let after = renewal_window(expires, day(2028, 10, 1), DEFAULT_NOTICE_MONTHS);
        assert_eq!((after.state, after.days_left), (RenewalState::Expired, -1));
    }

    #[test]
    fn a_day_the_earlier_month_lacks_becomes_its_last_day() {
        assert_eq!(
            renewal_window(day(2027, 8, 31), day(2027, 1, 1), 6).opens_on,
            day(2027, 2, 28)
        );
        assert_eq!(
            renewal_window(day(2028, 8, 31), day(2028, 1, 1), 6).opens_on,
            day(2028, 2, 29),
            "a leap year"
        );
        assert_eq!(
            renewal_window(day(2028, 3, 31), day(2028, 1, 1), 1).opens_on,
            day(2028, 2, 29)
        );
        // Across a year end.
        assert_eq!(
            renewal_window(day(2028, 2, 15), day(2028, 1, 1), 24).opens_on,
            day(2026, 2, 15)
        );
    }

    #[test]
    fn states_are_spelled_in_snake_case() {
        let json = serde_json::to_string(&renewal_window(day(2028, 9, 30), day(2028, 1, 1), 6))
            .expect("serialise");
        assert_eq!(
            json,
            r#"{"expires_on":"2028-09-30","opens_on":"2028-03-30","days_left":273,"state":"not_yet"}"#
        );
    }

    fn framework(version: &str) -> Framework {
        crate::Catalog::bundled()
            .expect("bundled")
            .get("computing-quality", version)
            .expect("bundled version")
            .clone()
    }

    fn response(benchmark: &str, level: u8) -> Response {
        Response {
            benchmark_id: benchmark.into(),
            level: Some(level),
            commentary: format!("About {benchmark}."),
            needs_confirmation: false,
            carried_note: None,
            revision: 1,
            updated_by: "Head".into(),
            updated_at: "2025-01-01T00:00:00.000Z".into(),
        }
    }

    #[test]
    fn every_carried_response_is_flagged_on_the_same_version_and_on_a_new_one() {
        let (v1, v2) = (framework("1.0"), framework("2.0"));
        let same = Carryover::new(&v2, &v2).plan(&[response("1.1", 4)]);
        assert_eq!(same.carried[0].flag.as_deref(), Some(RENEWAL_NOTE));
        let newer = Carryover::new(&v1, &v2).plan(&[
            response("1.1", 4),
            response("6.3", 3),
            response("5.3", 2),
        ]);
        let flags: Vec<(&str, Option<&str>)> = newer
            .carried
            .iter()
            .map(|c| (c.benchmark_id.as_str(), c.flag.as_deref()))
            .collect();
        assert_eq!(
            flags,
            [
                ("1.1", Some(RENEWAL_NOTE)),
                (
                    "2.3",
                    Some(
                        "renamed from 6.3 in version 1.0; carried from the awarded review: confirm it still holds"
                    )
                ),
            ]
        );
        assert_eq!(newer.archived[0].benchmark_id, "5.3");
    }

    #[test]
    fn links_follow_their_benchmark_and_keep_a_requirement_only_where_it_still_is() {
        let (v1, v2) = (framework("1.0"), framework("2.0"));
        let carry = Carryover::new(&v1, &v2);
        let link = |b: &str, r: Option<&str>| EvidenceLink {
            benchmark_id: b.into(),
            requirement_id: r.map(str::to_owned),
        };
        assert_eq!(
            carry.links(&link("1.1", Some("1.1-vision"))),
            [link("1.1", Some("1.1-vision"))]
        );
        // 3.2 was split into 3.2 and 3.3; 3.2-audit stays under 3.2.
        assert_eq!(
            carry.links(&link("3.2", Some("3.2-audit"))),
            [link("3.2", Some("3.2-audit")), link("3.3", None)]
        );
        // 4.3 was merged into 4.2; its requirement is not in 2.0.
        assert_eq!(
            carry.links(&link("4.3", Some("4.3-summary"))),
            [link("4.2", None)]
        );
        assert_eq!(carry.links(&link("5.3", None)), []);
    }
}
