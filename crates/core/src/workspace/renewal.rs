//! Renewal of an awarded mark on a workspace: the notice setting, the window, starting the
//! renewal and comparing it with the awarded review. The rules are in [`crate::renewal`].
//!
//! The core does not know when a mark expires: the awarding body says so in its answer to the
//! submission, which the sync client keeps (opaque to the core). A front end reads the expiry
//! date there, asks [`Workspace::renewal_window`] where the mark stands today, and offers
//! [`Workspace::start_renewal`] while the window is open.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::NaiveDate;

use super::Workspace;
use crate::error::{Entity, Error, Hint, Result};
use crate::framework::{Framework, Version};
use crate::renewal::{
    self, Carryover, DEFAULT_NOTICE_MONTHS, LevelComparison, NOTICE_MONTHS, RenewalReport,
    RenewalWindow,
};
use crate::store::{DATABASE_FILE, Response, Review};

/// The local setting that holds how many months before expiry renewal is offered. Local, like
/// the author: it is how this school works, never part of a review or a submission.
const NOTICE_SETTING: &str = "renewal_notice_months";

impl Workspace {
    /// How many months before a mark expires renewal is offered here (6 unless changed).
    pub fn renewal_notice_months(&self) -> Result<u32> {
        let Some(text) = self.store.local_setting(NOTICE_SETTING)? else {
            return Ok(DEFAULT_NOTICE_MONTHS);
        };
        text.parse::<u32>()
            .ok()
            .filter(|m| NOTICE_MONTHS.contains(m))
            .ok_or_else(|| Error::StoredValueInvalid {
                path: self.data_dir.join(DATABASE_FILE),
                table: "local_settings",
                row: NOTICE_SETTING.to_owned(),
                column: "value",
                value: text,
            })
    }

    /// Sets how many months before expiry renewal is offered (1 to 24).
    pub fn set_renewal_notice_months(&mut self, months: u32) -> Result<u32> {
        if !NOTICE_MONTHS.contains(&months) {
            return Err(Error::invalid(
                "renewal_notice_months",
                format!(
                    "Renewal can be offered from {} to {} months before the mark expires; choose a number in that range.",
                    NOTICE_MONTHS.start(),
                    NOTICE_MONTHS.end()
                ),
            ));
        }
        self.store
            .set_local_setting(NOTICE_SETTING, Some(&months.to_string()))?;
        Ok(months)
    }

    /// Where a mark that expires on `expires_on` stands today ([`Workspace::today`]) with this
    /// installation's notice period.
    pub fn renewal_window(&self, expires_on: NaiveDate) -> Result<RenewalWindow> {
        Ok(renewal::renewal_window(
            expires_on,
            self.today(),
            self.renewal_notice_months()?,
        ))
    }

    /// One review by its id (closed ones too).
    pub fn review(&self, id: &str) -> Result<Review> {
        if let Some(review) = self.store.review(id)? {
            return Ok(review);
        }
        let ids = self.store.reviews()?.into_iter().map(|r| r.id).collect();
        Err(Error::not_found(
            Entity::Review,
            id,
            Hint::Available { ids },
        ))
    }

    /// The version a renewal of a review on `old` starts on: the catalog's latest version of
    /// the framework, or `old` itself when none is newer (a renewal is a new review even then).
    fn renewal_framework(&self, old: &Arc<Framework>) -> Result<Arc<Framework>> {
        let version = |f: &Framework| Version::parse(f.version());
        Ok(match self.catalog()?.latest(old.id()) {
            Some(latest) if version(latest) > version(old) => Arc::new(latest.clone()),
            _ => old.clone(),
        })
    }

    /// Starts the renewal of an awarded review: a new review on the framework's latest version
    /// (the same version when there is no newer one) that becomes the current review, with the
    /// awarded review's responses (carried as an upgrade carries them, and every one flagged
    /// for confirmation: a renewal is judged on what holds now), its evidence (the same files
    /// and frozen copies, with their links) and its actions not yet done. The awarded review
    /// is then closed: kept exactly as it was, as the record of the award, and refusing every
    /// change ([`Error::ReviewClosed`]). One transaction: all of it happens, or none.
    ///
    /// Refused when the review was renewed already ([`Error::AlreadyRenewed`]) or is closed.
    /// The core does not check the award or its expiry (see the module's notes).
    pub fn start_renewal(&mut self, awarded: &Review, by: &str) -> Result<RenewalReport> {
        // As stored now: the caller's copy may be older than an upgrade or a renewal.
        let awarded = self.review(&awarded.id)?;
        let old = self.framework_of(&awarded)?;
        let new = self.renewal_framework(&old)?;
        let carry = Carryover::new(&old, &new);
        let renewed = self.store.start_renewal(&awarded.id, &carry, by)?;
        Ok(RenewalReport {
            from_version: old.version().to_owned(),
            to_version: new.version().to_owned(),
            carried: renewed
                .plan
                .carried
                .iter()
                .map(|c| c.benchmark_id.clone())
                .collect(),
            flagged: renewed.plan.flagged(),
            archived: renewed.plan.archived_ids(),
            evidence_kept: renewed.evidence_kept,
            actions_carried: renewed.actions_carried,
            review: renewed.review,
            previous: renewed.previous,
        })
    }

    /// The levels of a previous review (the awarded one) beside the current one (its
    /// renewal): one row per benchmark of the current review's framework, in framework
    /// order, then one per benchmark only the previous version has. A benchmark the new
    /// version renamed, merged or split is compared with what it was (a merge with the least
    /// mature of the levels merged).
    pub fn compare_reviews(
        &self,
        previous: &Review,
        current: &Review,
    ) -> Result<Vec<LevelComparison>> {
        if previous.framework_id != current.framework_id {
            return Err(Error::invalid(
                "review",
                format!(
                    "Only reviews of the same framework can be compared: one is {}, the other {}.",
                    previous.framework_id, current.framework_id
                ),
            ));
        }
        let (old, new) = (self.framework_of(previous)?, self.framework_of(current)?);
        let by_id = |responses: Vec<Response>| -> HashMap<String, Response> {
            responses
                .into_iter()
                .map(|r| (r.benchmark_id.clone(), r))
                .collect()
        };
        let before = by_id(self.store.responses(&previous.id)?);
        let now = by_id(self.store.responses(&current.id)?);

        // The previous levels that land on each current benchmark.
        let carry = Carryover::new(&old, &new);
        let mut landed: HashMap<String, Vec<u8>> = HashMap::new();
        let mut removed = Vec::new();
        for entry in old.benchmarks() {
            let id = &entry.benchmark.id;
            let targets = carry.benchmarks(id);
            if targets.is_empty() {
                removed.push(entry);
            }
            let level = before.get(id).and_then(|r| r.level);
            for target in targets {
                let levels = landed.entry(target).or_default();
                levels.extend(level);
            }
        }
        let label = |fw: &Framework, level: Option<u8>| {
            level.and_then(|l| fw.scale()?.name_of(l).map(str::to_owned))
        };
        let comparable = match (old.scale(), new.scale()) {
            (Some(a), Some(b)) if renewal::same_order(a, b) => Some(b),
            _ => None,
        };
        let mut rows = Vec::with_capacity(new.benchmark_count() + removed.len());
        for entry in new.benchmarks() {
            let id = &entry.benchmark.id;
            let previous_level = landed.get(id).and_then(|levels| {
                levels
                    .iter()
                    .copied()
                    .reduce(|a, b| old.scale().map_or(a.min(b), |s| s.least_mature(a, b)))
            });
            let response = now.get(id);
            let current_level = response.and_then(|r| r.level);
            rows.push(LevelComparison {
                dimension_id: entry.dimension.id.clone(),
                dimension_title: entry.dimension.title.clone(),
                benchmark_id: id.clone(),
                benchmark_title: entry.benchmark.title.clone(),
                previous_level,
                previous_label: label(&old, previous_level),
                current_level,
                current_label: label(&new, current_level),
                change: match (comparable, previous_level, current_level) {
                    (Some(scale), Some(p), Some(c)) => Some(renewal::change(scale, p, c)),
                    _ => None,
                },
                needs_confirmation: response.is_some_and(|r| r.needs_confirmation),
                only_in_previous: false,
            });
        }
        for entry in removed {
            let previous_level = before.get(&entry.benchmark.id).and_then(|r| r.level);
            rows.push(LevelComparison {
                dimension_id: entry.dimension.id.clone(),
                dimension_title: entry.dimension.title.clone(),
                benchmark_id: entry.benchmark.id.clone(),
                benchmark_title: entry.benchmark.title.clone(),
                previous_level,
                previous_label: label(&old, previous_level),
                current_level: None,
                current_label: None,
                change: None,
                needs_confirmation: false,
                only_in_previous: true,
            });
        }
        Ok(rows)
    }
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use super::*;
    use crate::ErrorCode;
    use crate::evidence::EvidenceLink;
    use crate::renewal::{LevelChange, RENEWAL_NOTE, RenewalState};
    use crate::store::{ActionStatus, Change, InstitutionInput, NewAction};
    use crate::workspace::ResponseUpdate;

    fn registered(dir: &Path, version: &str) -> (Workspace, Review) {
        let mut ws = Workspace::open_with_keys(dir, crate::keys::test_keys()).expect("open");
        let school = InstitutionInput {
            name: "Renewal Primary".into(),
            ..InstitutionInput::default()
        };
        let review = ws
            .register("computing-quality", Some(version), &school, "Head")
            .expect("register");
        (ws, review)
    }

    fn answer(ws: &mut Workspace, review: &Review, benchmark: &str, level: u8) {
        let update = ResponseUpdate {
            level: Some(Some(level)),
            commentary: Some(format!("What we do for {benchmark}.")),
            base_revision: None,
        };
        ws.set_response(review, benchmark, update, "Head")
            .expect("save");
    }

    fn action(ws: &mut Workspace, review: &Review, text: &str, benchmarks: &[&str]) -> String {
        let new = NewAction {
            text: text.into(),
            owner: Some("Computing lead".into()),
            due_date: Some("2029-07-01".into()),
            benchmarks: benchmarks.iter().map(|b| (*b).to_owned()).collect(),
        };
        ws.add_action(review, &new, "Head").expect("action").id
    }

    fn link(benchmark: &str, requirement: Option<&str>) -> EvidenceLink {
        EvidenceLink {
            benchmark_id: benchmark.into(),
            requirement_id: requirement.map(str::to_owned),
        }
    }

    /// An awarded review on version 1.0: responses (one to a benchmark 2.0 renames, two it
    /// merges, one it removes), three frozen evidence files (one in a folder added whole), and
    /// three actions, one of them done.
    fn awarded(dir: &Path) -> (Workspace, Review, PathBuf) {
        let (mut ws, review) = registered(&dir.join("data"), "1.0");
        for (benchmark, level) in [("1.1", 4), ("6.3", 3), ("4.2", 4), ("4.3", 2), ("5.3", 3)] {
            answer(&mut ws, &review, benchmark, level);
        }
        let folder = dir.join("evidence");
        std::fs::create_dir_all(&folder).expect("folder");
        std::fs::write(folder.join("vision.txt"), "Our vision").expect("write");
        std::fs::write(folder.join("safety.txt"), "Safety week").expect("write");
        ws.add_evidence(
            &review,
            &[folder.join("vision.txt")],
            &[link("1.1", Some("1.1-vision"))],
            "Head",
        )
        .expect("add");
        ws.add_evidence(
            &review,
            &[folder.join("safety.txt")],
            &[link("6.3", None)],
            "Head",
        )
        .expect("add");
        // A folder added whole: watched, not only its files.
        std::fs::create_dir_all(folder.join("minutes")).expect("folder");
        std::fs::write(folder.join("minutes/autumn.txt"), "Minutes").expect("write");
        ws.add_evidence(
            &review,
            &[folder.join("minutes")],
            &[link("1.3", None)],
            "Head",
        )
        .expect("add");
        assert_eq!(ws.freeze(&review).expect("freeze").frozen, 3);
        action(
            &mut ws,
            &review,
            "Share the vision with governors",
            &["1.1"],
        );
        let started = action(
            &mut ws,
            &review,
            "Run an online safety week",
            &["6.3", "5.3"],
        );
        ws.set_action_status(&review, &started, ActionStatus::InProgress)
            .expect("status");
        let done = action(&mut ws, &review, "Buy new laptops", &["5.1"]);
        ws.set_action_status(&review, &done, ActionStatus::Done)
            .expect("status");
        (ws, review, folder)
    }

    #[test]
    fn a_renewal_starts_on_the_latest_version_from_the_awarded_review() {
        let dir = tempfile::tempdir().expect("dir");
        let (mut ws, old, folder) = awarded(dir.path());
        let report = ws.start_renewal(&old, "Deputy").expect("renew");
        let new = report.review.clone();
        assert_eq!(
            (report.from_version.as_str(), report.to_version.as_str()),
            ("1.0", "2.0")
        );
        assert_eq!(
            (new.framework_id.as_str(), new.framework_version.as_str()),
            ("computing-quality", "2.0")
        );
        assert_eq!(new.renews.as_deref(), Some(old.id.as_str()));
        assert_eq!(new.registered_by, "Deputy");
        assert!(new.closed_at.is_none());
        assert_eq!(report.previous.id, old.id);
        assert!(report.previous.closed_at.is_some());

        // Responses: carried as an upgrade carries them, every one to be confirmed again.
        assert_eq!(report.carried, ["1.1", "2.3", "4.2"]);
        assert_eq!(report.archived, ["5.3"]);
        let reasons: Vec<(&str, &str)> = report
            .flagged
            .iter()
            .map(|f| (f.benchmark.as_str(), f.reason.as_str()))
            .collect();
        assert_eq!(
            reasons,
            [
                ("1.1", RENEWAL_NOTE),
                (
                    "2.3",
                    "renamed from 6.3 in version 1.0; carried from the awarded review: confirm it still holds"
                ),
                (
                    "4.2",
                    "merged from 4.2 and 4.3 in version 1.0; carried from the awarded review: confirm it still holds"
                ),
            ]
        );
        let status = ws.status(&new).expect("status");
        assert_eq!(status.awaiting_confirmation.len(), 3);
        let merged = ws.response(&new, "4.2").expect("read").expect("carried");
        assert_eq!(
            merged.level,
            Some(2),
            "a merge keeps the least mature level"
        );
        let history = ws.history(&new, "1.1").expect("history");
        assert_eq!(history.len(), 1);
        assert_eq!(history[0].change, Change::Carried);
        assert_eq!(history[0].note.as_deref(), Some(RENEWAL_NOTE));
        assert_eq!(
            ws.archived_responses(&new).expect("archived")[0].benchmark_id,
            "5.3"
        );
        ws.confirm_response(&new, "1.1", "Deputy").expect("confirm");

        // Evidence: the same files and frozen copies, links following their benchmarks.
        assert_eq!(report.evidence_kept, 3);
        let before = ws.evidence(&old).expect("old evidence");
        let after = ws.evidence(&new).expect("new evidence");
        let facts =
            |items: &[crate::evidence::EvidenceItem]| -> Vec<(String, String, Option<String>)> {
                items
                    .iter()
                    .map(|i| (i.path.clone(), i.hash.clone(), i.frozen_hash.clone()))
                    .collect()
            };
        assert_eq!(facts(&after), facts(&before));
        assert!(after.iter().all(|i| i.frozen_hash.is_some()));
        assert!(after.iter().all(|i| before.iter().all(|b| b.id != i.id)));
        assert_eq!(after[0].links, [link("1.1", Some("1.1-vision"))]);
        assert_eq!(after[1].links, [link("2.3", None)]);
        assert_eq!(
            ws.progress(&new).expect("progress").awards.len(),
            ws.progress(&old).expect("progress").awards.len()
        );
        assert_eq!(
            ws.watched_folders(&new).expect("watched"),
            [folder.as_path()]
        );
        let added_whole: Vec<PathBuf> = ws
            .evidence_folders(&new)
            .expect("folders")
            .into_iter()
            .map(|f| f.path)
            .collect();
        assert_eq!(added_whole, [folder.join("minutes")]);
        // Both reviews' frozen copies are the one blob in the vault.
        let mut blob = String::new();
        std::io::Read::read_to_string(
            &mut ws
                .open_frozen(after[0].frozen_hash.as_deref().expect("frozen"))
                .expect("vault"),
            &mut blob,
        )
        .expect("read");
        assert_eq!(blob, "Our vision");
        // The renewal's evidence is its own: rescanned and changed without touching the old.
        std::fs::write(folder.join("vision.txt"), "Our new vision").expect("edit");
        ws.rescan(&new).expect("rescan");
        assert!(ws.evidence(&new).expect("read")[0].needs_attention);
        assert!(!ws.evidence(&old).expect("read")[0].needs_attention);

        // Actions: the open ones, as planned, with their benchmarks mapped; done ones stay.
        assert_eq!(report.actions_carried, 2);
        let actions = ws.actions(&new).expect("actions");
        let plan: Vec<(&str, ActionStatus, Vec<String>)> = actions
            .iter()
            .map(|a| (a.text.as_str(), a.status, a.benchmarks.clone()))
            .collect();
        assert_eq!(
            plan,
            [
                (
                    "Share the vision with governors",
                    ActionStatus::Open,
                    vec!["1.1".to_owned()]
                ),
                (
                    "Run an online safety week",
                    ActionStatus::InProgress,
                    vec!["2.3".to_owned()]
                ),
            ]
        );
        assert_eq!(actions[0].due_date.as_deref(), Some("2029-07-01"));
        assert_eq!(ws.actions(&old).expect("old actions").len(), 3);

        // The renewal is the review worked on from now, whichever way it is asked for.
        assert_eq!(ws.current_review(None).expect("current"), new);
        assert_eq!(
            ws.current_review(Some("computing-quality"))
                .expect("current"),
            new
        );
        assert_eq!(ws.review(&old.id).expect("old"), report.previous);
        let reopened =
            Workspace::open_with_keys(&dir.path().join("data"), crate::keys::test_keys())
                .expect("reopen");
        assert_eq!(reopened.current_review(None).expect("current").id, new.id);
        assert_eq!(
            reopened.review("nope").expect_err("no such review").code(),
            ErrorCode::NotFound
        );
    }

    #[test]
    fn the_awarded_review_refuses_every_change_once_renewal_starts() {
        let dir = tempfile::tempdir().expect("dir");
        let (mut ws, old, folder) = awarded(dir.path());
        ws.start_renewal(&old, "Head").expect("renew");
        let item = ws.evidence(&old).expect("read")[0].id.clone();
        let first_action = ws.actions(&old).expect("read")[0].id.clone();
        let refused = |what: &str, code: Option<ErrorCode>| {
            assert_eq!(code, Some(ErrorCode::ReviewClosed), "{what}");
        };
        let code = |r: Result<()>| r.err().map(|e| e.code());
        let update = ResponseUpdate {
            level: Some(Some(1)),
            commentary: Some("Changed after the award.".into()),
            base_revision: None,
        };
        refused(
            "an edit",
            code(ws.set_response(&old, "1.1", update, "Head").map(drop)),
        );
        refused(
            "an action",
            code(
                ws.add_action(
                    &old,
                    &NewAction {
                        text: "After the award".into(),
                        ..NewAction::default()
                    },
                    "Head",
                )
                .map(drop),
            ),
        );
        refused(
            "an action's status",
            code(
                ws.set_action_status(&old, &first_action, ActionStatus::Done)
                    .map(drop),
            ),
        );
        std::fs::write(folder.join("new.txt"), "New").expect("write");
        refused(
            "new evidence",
            code(
                ws.add_evidence(&old, &[folder.join("new.txt")], &[], "Head")
                    .map(drop),
            ),
        );
        refused(
            "a link",
            code(ws.link_evidence(&old, &item, &[link("1.2", None)])),
        );
        refused(
            "a description",
            code(ws.describe_evidence(&old, &item, "Renamed", None, false)),
        );
        refused("a removal", code(ws.remove_evidence(&old, &item)));
        refused(
            "an upgrade",
            code(ws.upgrade(&old, Some("2.0"), "Head").map(drop)),
        );
        refused(
            "a watched folder's removal",
            code(ws.remove_watched_folder(&old, &folder.join("minutes"))),
        );
        std::fs::write(folder.join("vision.txt"), "Changed after the award").expect("edit");
        refused(
            "a rescan that finds a change",
            code(ws.rescan(&old).map(drop)),
        );
        // Nothing changed.
        let r = ws.response(&old, "1.1").expect("read").expect("kept");
        assert_eq!(
            (r.level, r.commentary.as_str()),
            (Some(4), "What we do for 1.1.")
        );
        assert_eq!(
            ws.actions(&old).expect("read")[0].status,
            ActionStatus::Open
        );
        assert_eq!(ws.evidence(&old).expect("read").len(), 3);
        assert_eq!(ws.evidence_folders(&old).expect("read").len(), 1);
        assert!(!ws.evidence(&old).expect("read")[0].needs_attention);
        let err = ws
            .add_action(
                &old,
                &NewAction {
                    text: "x".into(),
                    ..NewAction::default()
                },
                "Head",
            )
            .expect_err("refused");
        assert!(err.to_string().contains("renewal review"), "{err}");
    }

    #[test]
    fn confirming_a_carried_response_of_the_awarded_review_is_refused() {
        let dir = tempfile::tempdir().expect("dir");
        let (mut ws, old) = registered(dir.path(), "1.0");
        answer(&mut ws, &old, "6.3", 3);
        ws.upgrade(&old, None, "Head").expect("upgrade");
        let old = ws.current_review(None).expect("upgraded");
        assert!(
            ws.response(&old, "2.3")
                .expect("read")
                .expect("carried")
                .needs_confirmation
        );
        let report = ws.start_renewal(&old, "Head").expect("renew");
        assert_eq!(
            (report.from_version.as_str(), report.to_version.as_str()),
            ("2.0", "2.0")
        );
        let err = ws
            .confirm_response(&old, "2.3", "Head")
            .expect_err("refused");
        assert_eq!(err.code(), ErrorCode::ReviewClosed);
        ws.confirm_response(&report.review, "2.3", "Head")
            .expect("the renewal's is confirmed");
    }

    #[test]
    fn a_renewal_on_the_same_version_is_still_a_new_review_with_every_response_to_confirm() {
        let dir = tempfile::tempdir().expect("dir");
        let (mut ws, old) = registered(dir.path(), "2.0");
        answer(&mut ws, &old, "1.1", 4);
        answer(&mut ws, &old, "2.3", 3);
        let report = ws.start_renewal(&old, "Head").expect("renew");
        assert_eq!(
            (report.from_version.as_str(), report.to_version.as_str()),
            ("2.0", "2.0")
        );
        assert_ne!(report.review.id, old.id);
        assert_eq!(report.carried, ["1.1", "2.3"]);
        assert!(report.flagged.iter().all(|f| f.reason == RENEWAL_NOTE));
        assert!(report.archived.is_empty());
        assert_eq!((report.evidence_kept, report.actions_carried), (0, 0));
        let carried = ws.responses(&report.review).expect("read");
        assert!(
            carried
                .iter()
                .all(|r| r.needs_confirmation && r.revision == 1)
        );
    }

    #[test]
    fn a_review_is_renewed_once() {
        let dir = tempfile::tempdir().expect("dir");
        let (mut ws, old) = registered(dir.path(), "2.0");
        let first = ws.start_renewal(&old, "Head").expect("renew").review;
        // The caller's copy still says open: the store's row decides.
        let err = ws.start_renewal(&old, "Head").expect_err("renewed already");
        assert_eq!(err.code(), ErrorCode::ReviewClosed);
        assert!(matches!(&err, Error::AlreadyRenewed { renewal, .. } if *renewal == first.id));
        assert!(err.to_string().contains("renewed already"), "{err}");
        assert_eq!(ws.current_review(None).expect("current"), first);
        // The renewal itself can be renewed in its turn (three years on).
        let second = ws
            .start_renewal(&first, "Head")
            .expect("renew the renewal")
            .review;
        assert_eq!(second.renews.as_deref(), Some(first.id.as_str()));
        assert_eq!(
            ws.current_review(Some("computing-quality"))
                .expect("current"),
            second
        );
    }

    #[test]
    fn the_comparison_sets_the_awarded_levels_beside_the_renewals() {
        let dir = tempfile::tempdir().expect("dir");
        let (mut ws, old, _) = awarded(dir.path());
        let new = ws.start_renewal(&old, "Head").expect("renew").review;
        answer(&mut ws, &new, "1.1", 3);
        answer(&mut ws, &new, "4.2", 3);
        answer(&mut ws, &new, "2.4", 2);
        let old = ws.review(&old.id).expect("closed now");
        let rows = ws.compare_reviews(&old, &new).expect("compare");
        let v2 = ws
            .catalog()
            .expect("catalog")
            .get("computing-quality", "2.0")
            .expect("2.0")
            .clone();
        let order: Vec<&str> = rows.iter().map(|r| r.benchmark_id.as_str()).collect();
        let mut want: Vec<String> = v2.benchmarks().map(|b| b.benchmark.id.clone()).collect();
        want.push("5.3".into());
        assert_eq!(order, want);
        let row = |id: &str| rows.iter().find(|r| r.benchmark_id == id).expect("row");

        let vision = row("1.1");
        assert_eq!(
            (vision.dimension_id.as_str(), vision.benchmark_id.as_str()),
            ("1", "1.1")
        );
        assert_eq!(vision.dimension_title, v2.def().dimensions[0].title);
        assert_eq!(
            vision.benchmark_title,
            v2.benchmark("1.1").expect("1.1").benchmark.title
        );
        assert_eq!(
            (vision.previous_level, vision.previous_label.as_deref()),
            (Some(4), Some("Exemplary"))
        );
        assert_eq!(
            (vision.current_level, vision.current_label.as_deref()),
            (Some(3), Some("Established"))
        );
        assert_eq!(vision.change, Some(LevelChange::LessMature));
        assert!(!vision.needs_confirmation, "answered again in the renewal");

        let renamed = row("2.3");
        assert_eq!(
            (renamed.previous_level, renamed.current_level),
            (Some(3), Some(3))
        );
        assert_eq!(renamed.change, Some(LevelChange::Same));
        assert!(renamed.needs_confirmation);
        // 4.2 and 4.3 (levels 4 and 2) were merged: compared with the least mature.
        let merged = row("4.2");
        assert_eq!(
            (merged.previous_level, merged.current_level),
            (Some(2), Some(3))
        );
        assert_eq!(merged.change, Some(LevelChange::MoreMature));
        let added = row("2.4");
        assert_eq!(
            (added.previous_level, added.previous_label.as_deref()),
            (None, None)
        );
        assert_eq!((added.current_level, added.change), (Some(2), None));
        assert!(!added.only_in_previous);
        let removed = row("5.3");
        assert!(removed.only_in_previous);
        assert_eq!(
            (removed.previous_level, removed.current_level),
            (Some(3), None)
        );
        assert_eq!(removed.dimension_id, "5");
        assert_eq!(rows.iter().filter(|r| r.only_in_previous).count(), 1);

        let other = {
            let school = InstitutionInput {
                name: "Renewal Primary".into(),
                ..InstitutionInput::default()
            };
            ws.register("technology-self-review", None, &school, "Head")
                .expect("register")
        };
        let err = ws
            .compare_reviews(&old, &other)
            .expect_err("different frameworks");
        assert_eq!(err.field(), Some("review"));
    }

    #[test]
    fn the_notice_is_six_months_unless_set_and_only_from_one_to_twenty_four() {
        let dir = tempfile::tempdir().expect("dir");
        let mut ws = Workspace::open_with_keys(dir.path(), crate::keys::test_keys()).expect("open");
        assert_eq!(
            ws.renewal_notice_months().expect("read"),
            DEFAULT_NOTICE_MONTHS
        );
        for bad in [0, 25] {
            let err = ws.set_renewal_notice_months(bad).expect_err("out of range");
            assert_eq!(err.field(), Some("renewal_notice_months"));
            assert!(err.to_string().contains("from 1 to 24 months"), "{err}");
        }
        assert_eq!(ws.set_renewal_notice_months(3).expect("set"), 3);
        drop(ws);
        let mut ws =
            Workspace::open_with_keys(dir.path(), crate::keys::test_keys()).expect("reopen");
        assert_eq!(ws.renewal_notice_months().expect("read"), 3);
        let day = |m, d| NaiveDate::from_ymd_opt(2028, m, d).expect("date");
        ws.set_today(Some(day(6, 29)));
        assert_eq!(
            ws.renewal_window(day(9, 30)).expect("window").state,
            RenewalState::NotYet
        );
        ws.set_today(Some(day(6, 30)));
        assert_eq!(
            ws.renewal_window(day(9, 30)).expect("window").state,
            RenewalState::Open
        );
        // A value no Waymark wrote is named, not read as some default.
        ws.store
            .set_local_setting(NOTICE_SETTING, Some("soon"))
            .expect("write");
        let err = ws.renewal_notice_months().expect_err("damaged");
        assert_eq!(err.code(), ErrorCode::StoredValueInvalid);
    }
}
