//! Starting a renewal: the new review, what it carries from the awarded one, and closing the
//! awarded one, in one transaction.
//!
//! Evidence belongs to a review (`evidence_items.review_id`, one row per file per review), so
//! the renewal gets its own rows for the same files: the same paths on disk, the same accepted
//! hashes and history of accepted versions, the same frozen copy (the vault is addressed by
//! content, so both reviews point at one blob and nothing is copied). The awarded review's
//! rows are left exactly as they were: they are the record of what was assessed.

use rusqlite::{OptionalExtension, params};

use super::reviews::{self, Review};
use super::{Store, new_id, now, responses};
use crate::error::{AtPath, Entity, Error, Hint, Result};
use crate::evidence::EvidenceLink;
use crate::renewal::Carryover;
use crate::upgrade::Plan;

/// What the store did when a renewal started.
#[derive(Debug)]
pub(crate) struct Renewed {
    /// The renewal.
    pub review: Review,
    /// The awarded review, as it is now (closed).
    pub previous: Review,
    /// How its responses were carried.
    pub plan: Plan,
    /// Evidence items carried.
    pub evidence_kept: usize,
    /// Open actions carried.
    pub actions_carried: usize,
}

impl Store {
    /// Starts the renewal of review `awarded_id` on `carry`'s new version, in one immediate
    /// transaction: a new review (renewing the awarded one) with the awarded review's responses,
    /// evidence (items, links, watched folders) and open actions as `carry` maps them, then
    /// the awarded review closed. Everything is read inside the transaction, so an edit saved
    /// by another copy of Waymark a moment before is carried too. Refused, changing nothing,
    /// when the review is closed already (renewed, or closed for another reason).
    pub(crate) fn start_renewal(
        &mut self,
        awarded_id: &str,
        carry: &Carryover<'_>,
        by: &str,
    ) -> Result<Renewed> {
        let path = self.path.clone();
        self.write(|tx| {
            let previous = reviews::read(tx, awarded_id)
                .at(&path)?
                .ok_or_else(|| Error::not_found(Entity::Review, awarded_id, Hint::CheckTheList))?;
            if previous.closed_at.is_some() {
                let renewal: Option<(String, String)> = tx
                    .query_row(
                        "SELECT id, registered_at FROM reviews WHERE renews = ?1",
                        [awarded_id],
                        |r| Ok((r.get(0)?, r.get(1)?)),
                    )
                    .optional()
                    .at(&path)?;
                return Err(match renewal {
                    Some((renewal, at)) => Error::AlreadyRenewed { renewal, at },
                    None => Error::ReviewClosed,
                });
            }
            let (old, new) = (carry.old(), carry.new_version());
            if (previous.framework_id.as_str(), previous.framework_version.as_str())
                != (old.id(), old.version())
                || new.id() != old.id()
            {
                return Err(Error::invalid(
                    "review",
                    format!(
                        "The review is now on {} version {}: it changed while the renewal was being prepared. Start the renewal again.",
                        previous.framework_id, previous.framework_version
                    ),
                ));
            }
            let at = now();
            reviews::store_framework(tx, new).at(&path)?;
            let review = Review {
                id: new_id(),
                institution_id: previous.institution_id.clone(),
                framework_id: new.id().to_owned(),
                framework_version: new.version().to_owned(),
                registered_at: at.clone(),
                registered_by: by.to_owned(),
                closed_at: None,
                renews: Some(previous.id.clone()),
            };
            reviews::insert(tx, &review).at(&path)?;

            let plan = carry.plan(&responses::read_all(tx, &previous.id).at(&path)?);
            responses::write_carried(
                tx,
                &path,
                &review.id,
                old,
                new,
                &plan.carried,
                &plan.archived,
                by,
            )?;
            let evidence_kept = carry_evidence(tx, &previous.id, &review.id, carry).at(&path)?;
            let actions_carried =
                carry_actions(tx, &previous.id, &review.id, carry, &at).at(&path)?;

            // Last: from here on the triggers refuse every change to the awarded review.
            tx.execute(
                "UPDATE reviews SET closed_at = ?2, closed_reason = ?3 WHERE id = ?1",
                params![previous.id, at, format!("renewed by {}", review.id)],
            )
            .at(&path)?;
            let previous = reviews::read(tx, &previous.id)
                .at(&path)?
                .ok_or_else(|| Error::Internal("The renewed review disappeared.".into()))?;
            Ok(Renewed {
                review,
                previous,
                plan,
                evidence_kept,
                actions_carried,
            })
        })
    }
}

/// Gives review `to` its own rows for every tracked item of review `from` (removed ones stay
/// behind), in the order they were added, with their accepted versions and their links as
/// `carry` maps them; and the folders `from` watches. Returns how many items were carried.
fn carry_evidence(
    tx: &rusqlite::Transaction<'_>,
    from: &str,
    to: &str,
    carry: &Carryover<'_>,
) -> rusqlite::Result<usize> {
    tx.execute(
        "INSERT OR IGNORE INTO evidence_folders (review_id, path_key, path, added_by, added_at)
         SELECT ?2, path_key, path, added_by, added_at FROM evidence_folders WHERE review_id = ?1",
        [from, to],
    )?;
    let items: Vec<String> = tx
        .prepare("SELECT id FROM evidence_items WHERE review_id = ?1 AND removed_at IS NULL ORDER BY rowid")?
        .query_map([from], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut copy_item = tx.prepare_cached(
        "INSERT INTO evidence_items (id, review_id, path, path_key, title, note, media_type, size, mtime_ns, hash,
             status, status_detail, seen_hash, seen_size, personal_data, checked_at_ns, added_by, added_at,
             frozen_hash, frozen_at, removed_at)
         SELECT ?1, ?2, path, path_key, title, note, media_type, size, mtime_ns, hash,
             status, status_detail, seen_hash, seen_size, personal_data, checked_at_ns, added_by, added_at,
             frozen_hash, frozen_at, NULL
         FROM evidence_items WHERE id = ?3",
    )?;
    let mut copy_versions = tx.prepare_cached(
        "INSERT INTO evidence_versions (evidence_id, hash, size, accepted_at, accepted_by)
         SELECT ?1, hash, size, accepted_at, accepted_by FROM evidence_versions WHERE evidence_id = ?2",
    )?;
    let mut read_links = tx.prepare_cached(
        "SELECT benchmark_id, requirement_id FROM evidence_links WHERE evidence_id = ?1
         ORDER BY benchmark_id, requirement_id",
    )?;
    let mut add_link = tx.prepare_cached(
        "INSERT OR IGNORE INTO evidence_links (evidence_id, benchmark_id, requirement_id) VALUES (?1, ?2, ?3)",
    )?;
    for old_id in &items {
        let id = new_id();
        copy_item.execute(params![id, to, old_id])?;
        copy_versions.execute(params![id, old_id])?;
        let links: Vec<EvidenceLink> = read_links
            .query_map([old_id], |r| {
                Ok(super::evidence::link_from(r.get(0)?, r.get(1)?))
            })?
            .collect::<rusqlite::Result<_>>()?;
        for link in links.iter().flat_map(|l| carry.links(l)) {
            add_link.execute(params![
                id,
                link.benchmark_id,
                link.requirement_id.as_deref().unwrap_or("")
            ])?;
        }
    }
    Ok(items.len())
}

/// Gives review `to` a copy of every action of review `from` that is not done, as planned
/// (text, owner, due date, status, who planned it and when, so the plan keeps its order),
/// linked to the benchmarks `carry` maps its benchmarks to. Returns how many were carried.
fn carry_actions(
    tx: &rusqlite::Transaction<'_>,
    from: &str,
    to: &str,
    carry: &Carryover<'_>,
    at: &str,
) -> rusqlite::Result<usize> {
    let actions: Vec<String> = tx
        .prepare(
            "SELECT id FROM future_actions WHERE review_id = ?1 AND status <> 'done' ORDER BY created_at, id",
        )?
        .query_map([from], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut copy_action = tx.prepare_cached(
        "INSERT INTO future_actions (id, review_id, text, owner, due_date, status, created_by, created_at, updated_at, done_at)
         SELECT ?1, ?2, text, owner, due_date, status, created_by, created_at, ?3, NULL
         FROM future_actions WHERE id = ?4",
    )?;
    let mut read_benchmarks = tx.prepare_cached(
        "SELECT benchmark_id FROM action_benchmarks WHERE action_id = ?1 ORDER BY benchmark_id",
    )?;
    let mut add_benchmark = tx.prepare_cached(
        "INSERT OR IGNORE INTO action_benchmarks (action_id, benchmark_id) VALUES (?1, ?2)",
    )?;
    for old_id in &actions {
        let id = new_id();
        copy_action.execute(params![id, to, at, old_id])?;
        let benchmarks: Vec<String> = read_benchmarks
            .query_map([old_id], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        for b in benchmarks.iter().flat_map(|b| carry.benchmarks(b)) {
            add_benchmark.execute(params![id, b])?;
        }
    }
    Ok(actions.len())
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;
    use crate::ErrorCode;
    use crate::evidence::FileFacts;
    use crate::framework::{Catalog, Framework};
    use crate::store::evidence::NewEvidence;
    use crate::store::{InstitutionInput, NewAction, ResponseEdit};

    fn framework(version: &str) -> Framework {
        Catalog::bundled()
            .expect("bundled")
            .get("computing-quality", version)
            .expect("bundled version")
            .clone()
    }

    fn edit<'a>(review: &'a Review, benchmark: &'a str, text: &'a str) -> ResponseEdit<'a> {
        ResponseEdit {
            review_id: &review.id,
            framework_version: &review.framework_version,
            benchmark_id: benchmark,
            level: Some(3),
            commentary: text,
            base_revision: None,
            by: "Head",
        }
    }

    fn link(benchmark: &str) -> EvidenceLink {
        EvidenceLink {
            benchmark_id: benchmark.into(),
            requirement_id: None,
        }
    }

    /// A store with a review on version 2.0 holding a response, an action and an evidence item
    /// (in a watched folder), renewed: (dir, store, the awarded review, the renewal).
    fn renewed() -> (tempfile::TempDir, Store, Review, Review) {
        let dir = tempfile::tempdir().expect("dir");
        let mut store =
            Store::open(&dir.path().join("w.sqlite3"), &crate::store::Cipher::Plain).expect("open");
        let v2 = framework("2.0");
        let school = InstitutionInput {
            name: "Renewal Primary".into(),
            ..InstitutionInput::default()
        };
        let awarded = store.register(&v2, &school, "Head").expect("register");
        store
            .save_response(edit(&awarded, "1.1", "Vision agreed."))
            .expect("save");
        let action = NewAction {
            text: "Review the plan".into(),
            benchmarks: vec!["1.1".into()],
            ..NewAction::default()
        };
        store
            .add_action(&awarded.id, &action, "Head")
            .expect("action");
        let file = PathBuf::from("/school/policy.pdf");
        let links = [link("1.1")];
        let new = NewEvidence {
            path: &file,
            facts: FileFacts {
                size: 3,
                mtime_ns: 1,
            },
            hash: "af".repeat(32),
            title: "Policy".into(),
            links: &links,
            checked_at_ns: 2,
        };
        store
            .add_evidence(&awarded.id, &[new], &[PathBuf::from("/school")], "Head")
            .expect("evidence");
        let renewal = store
            .start_renewal(&awarded.id, &Carryover::new(&v2, &v2), "Head")
            .expect("renew")
            .review;
        (dir, store, awarded, renewal)
    }

    fn assert_closed<T: std::fmt::Debug>(what: &str, result: Result<T>) {
        match result {
            Err(e) => assert_eq!(e.code(), ErrorCode::ReviewClosed, "{what}: {e}"),
            Ok(v) => panic!("{what} was allowed on a closed review: {v:?}"),
        }
    }

    #[test]
    fn the_store_refuses_every_kind_of_write_to_a_closed_review() {
        let (_dir, mut store, awarded, renewal) = renewed();
        let id = awarded.id.as_str();
        let item = store.evidence(id).expect("read")[0].id.clone();
        let action = store.actions(id).expect("read")[0].id.clone();
        let facts = FileFacts {
            size: 4,
            mtime_ns: 5,
        };
        assert_closed(
            "an edit",
            store.save_response(edit(&awarded, "1.1", "Changed.")),
        );
        assert_closed(
            "a new response",
            store.save_response(edit(&awarded, "1.2", "New.")),
        );
        assert_closed(
            "an action",
            store.add_action(
                id,
                &NewAction {
                    text: "More".into(),
                    ..NewAction::default()
                },
                "Head",
            ),
        );
        assert_closed(
            "an action's edit",
            store.update_action(
                id,
                &action,
                &NewAction {
                    text: "Changed".into(),
                    ..NewAction::default()
                },
            ),
        );
        assert_closed(
            "an action's status",
            store.set_action_status(id, &action, crate::store::ActionStatus::Done),
        );
        assert_closed("a link", store.link_evidence(id, &item, &[link("1.2")]));
        assert_closed("an unlink", store.unlink_evidence(id, &item, "1.1", None));
        assert_closed(
            "a description",
            store.describe_evidence(id, &item, "Renamed", None, true),
        );
        assert_closed("a removal", store.remove_evidence(id, &item));
        assert_closed(
            "an accepted version",
            store.accept_evidence(id, &item, facts, &"bf".repeat(32), "Head"),
        );
        assert_closed(
            "a freeze",
            store.record_frozen(&[(item.clone(), "af".repeat(32), 3)]),
        );
        assert_closed(
            "a watched folder's removal",
            store.remove_evidence_folder(id, std::path::Path::new("/school")),
        );
        let index = crate::store::search_index::IndexChanges {
            roots: Some(vec![PathBuf::from("/school")]),
            ..Default::default()
        };
        assert_closed("the search index", store.apply_rescan(id, &[], &index));
        let v2 = framework("2.0");
        assert_closed(
            "an upgrade",
            store.apply_upgrade(id, &v2, &v2, &[], &[], "Head"),
        );
        // Not even SQL written by hand gets past the triggers.
        for sql in [
            "DELETE FROM reviews WHERE id = ?1",
            "UPDATE reviews SET closed_at = NULL WHERE id = ?1",
            "DELETE FROM response_history WHERE review_id = ?1",
            "DELETE FROM responses WHERE review_id = ?1",
            "DELETE FROM action_benchmarks WHERE action_id IN (SELECT id FROM future_actions WHERE review_id = ?1)",
            "DELETE FROM evidence_versions WHERE evidence_id IN (SELECT id FROM evidence_items WHERE review_id = ?1)",
            "UPDATE evidence_items SET review_id = ?1 WHERE review_id <> ?1",
        ] {
            let err = store
                .conn
                .execute(sql, [id])
                .map_err(|e| crate::error::database_error(&store.path, e));
            assert_closed(sql, err);
        }
        // The awarded review is as it was; the renewal is not affected.
        assert_eq!(
            store.responses(id).expect("read")[0].commentary,
            "Vision agreed."
        );
        assert_eq!(store.history(id, "1.1").expect("read").len(), 1);
        assert_eq!(store.evidence(id).expect("read")[0].links, [link("1.1")]);
        assert_eq!(store.evidence_folders(id).expect("read").len(), 1);
        store
            .save_response(edit(&renewal, "1.1", "Still agreed."))
            .expect("the renewal can be edited");
        store
            .remove_evidence_folder(&renewal.id, std::path::Path::new("/school"))
            .expect("and its evidence too");
    }

    #[test]
    fn a_renewal_carries_into_a_new_review_and_closes_the_awarded_one() {
        let (_dir, store, awarded, renewal) = renewed();
        assert_ne!(renewal.id, awarded.id);
        assert_eq!(renewal.renews.as_deref(), Some(awarded.id.as_str()));
        let closed = store.review(&awarded.id).expect("read").expect("kept");
        assert!(closed.closed_at.is_some());
        let reason: Option<String> = store
            .conn
            .query_row(
                "SELECT closed_reason FROM reviews WHERE id = ?1",
                [&awarded.id],
                |r| r.get(0),
            )
            .expect("read");
        assert_eq!(reason, Some(format!("renewed by {}", renewal.id)));
        let ids: Vec<String> = store
            .reviews()
            .expect("list")
            .into_iter()
            .map(|r| r.id)
            .collect();
        assert_eq!(ids, [renewal.id.clone(), awarded.id.clone()]);
        let carried = &store.responses(&renewal.id).expect("read")[0];
        assert!(carried.needs_confirmation);
        assert_eq!(
            carried.carried_note.as_deref(),
            Some(crate::renewal::RENEWAL_NOTE)
        );
        let item = &store.evidence(&renewal.id).expect("read")[0];
        let old = &store.evidence(&awarded.id).expect("read")[0];
        assert_ne!(item.id, old.id);
        assert_eq!(
            (&item.path, &item.hash, &item.links),
            (&old.path, &old.hash, &old.links)
        );
        assert_eq!(
            store
                .evidence_versions(&renewal.id, &item.id)
                .expect("read"),
            ["af".repeat(32)]
        );
        assert_eq!(store.evidence_folders(&renewal.id).expect("read").len(), 1);
        assert_eq!(
            store.actions(&renewal.id).expect("read")[0].benchmarks,
            ["1.1"]
        );
    }

    #[test]
    fn a_closed_review_is_not_renewed_again_and_nothing_is_written() {
        let (_dir, mut store, awarded, renewal) = renewed();
        let v2 = framework("2.0");
        let before = store.reviews().expect("list").len();
        let err = store
            .start_renewal(&awarded.id, &Carryover::new(&v2, &v2), "Head")
            .expect_err("renewed already");
        assert_eq!(err.code(), ErrorCode::ReviewClosed);
        assert!(
            matches!(&err, Error::AlreadyRenewed { renewal: r, .. } if *r == renewal.id),
            "{err}"
        );
        assert!(err.to_string().contains(&renewal.id), "{err}");
        assert_eq!(store.reviews().expect("list").len(), before);
    }

    /// The awarding body's answer to the awarded review's submission (the award, its expiry)
    /// is still recorded after renewal starts; a new submission from it is refused.
    #[test]
    fn the_outbox_follows_a_sent_submission_of_a_closed_review_but_takes_no_new_one() {
        let dir = tempfile::tempdir().expect("dir");
        let mut store =
            Store::open(&dir.path().join("w.sqlite3"), &crate::store::Cipher::Plain).expect("open");
        let v2 = framework("2.0");
        let school = InstitutionInput {
            name: "Renewal Primary".into(),
            ..InstitutionInput::default()
        };
        let awarded = store.register(&v2, &school, "Head").expect("register");
        let submit = |store: &Store, id: &str| {
            store
                .conn
                .execute(
                    "INSERT INTO outbox (id, review_id, award, framework_id, framework_version, envelope,
                         manifest, summary, state, queued_at)
                     VALUES (?1, ?2, 'quality-mark', 'computing-quality', '2.0', '{}', 'm', '{}', 'queued', 't')",
                    [id, &awarded.id],
                )
                .map_err(|e| crate::error::database_error(&store.path, e))
        };
        submit(&store, "s1").expect("queued before the renewal");
        store
            .start_renewal(&awarded.id, &Carryover::new(&v2, &v2), "Head")
            .expect("renew");
        store
            .conn
            .execute(
                "UPDATE outbox SET status = '{\"state\":\"awarded\"}' WHERE id = 's1'",
                [],
            )
            .expect("the award is still recorded");
        assert_closed("a new submission", submit(&store, "s2"));
    }

    /// Every table that holds a review's data has the triggers that keep a closed review as it
    /// was: a table added later with a `review_id` fails this until it gets them too.
    #[test]
    fn every_table_of_a_review_has_the_closed_review_triggers() {
        let (_dir, store, ..) = renewed();
        let names = |sql: &str| -> Vec<String> {
            store
                .conn
                .prepare(sql)
                .expect("prepare")
                .query_map([], |r| r.get(0))
                .expect("query")
                .collect::<rusqlite::Result<_>>()
                .expect("rows")
        };
        let mut tables = names(
            "SELECT m.name FROM sqlite_master m, pragma_table_info(m.name) c
             WHERE m.type = 'table' AND c.name = 'review_id' ORDER BY m.name",
        );
        // Tables that belong to a review through an action or an item.
        tables
            .extend(["action_benchmarks", "evidence_links", "evidence_versions"].map(String::from));
        let triggers = names("SELECT name FROM sqlite_master WHERE type = 'trigger'");
        for table in &tables {
            // The outbox only refuses new submissions (delivery and the awarding body's
            // answers to a sent one go on).
            let kinds: &[&str] = if table == "outbox" {
                &["insert"]
            } else {
                &["insert", "update", "delete"]
            };
            for kind in kinds {
                let name = format!("{table}_closed_{kind}");
                assert!(triggers.contains(&name), "{name} is missing");
            }
        }
    }
}
