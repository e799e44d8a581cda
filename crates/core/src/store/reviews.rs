//! Reviews: one institution working through one framework version.

use rusqlite::{OptionalExtension, Row, params};
use serde::Serialize;

use super::InstitutionInput;
use super::{Store, new_id, now};
use crate::error::{AtPath, Error, Result};
use crate::framework::Framework;

/// A self-review: in progress, or closed (kept read-only as the record of an awarded mark once
/// its renewal started).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Review {
    /// Stable id.
    pub id: String,
    /// The institution.
    pub institution_id: String,
    /// Framework id.
    pub framework_id: String,
    /// The framework version the review is judged by.
    pub framework_version: String,
    /// When registered.
    pub registered_at: String,
    /// Who registered.
    pub registered_by: String,
    /// When the review was closed (its renewal started), or `None` while it can be worked on.
    /// A closed review refuses every change with [`Error::ReviewClosed`].
    pub closed_at: Option<String>,
    /// The review this one renews (the awarded one it started from), if it is a renewal.
    pub renews: Option<String>,
}

fn from_row(r: &Row<'_>) -> rusqlite::Result<Review> {
    Ok(Review {
        id: r.get(0)?,
        institution_id: r.get(1)?,
        framework_id: r.get(2)?,
        framework_version: r.get(3)?,
        registered_at: r.get(4)?,
        registered_by: r.get(5)?,
        closed_at: r.get(6)?,
        renews: r.get(7)?,
    })
}

pub(super) const COLUMNS: &str = "id, institution_id, framework_id, framework_version, registered_at, registered_by, closed_at, renews";

impl Store {
    /// Registers the institution for a framework: saves (or corrects) the institution, stores
    /// the framework's text and creates the review, all in one transaction. Refused, changing
    /// nothing, if the institution already has a review of that framework.
    pub fn register(
        &mut self,
        framework: &Framework,
        institution: &InstitutionInput,
        by: &str,
    ) -> Result<Review> {
        institution.validate()?;
        let path = self.path.clone();
        self.write(|tx| {
            let institution_id = super::institution::upsert(tx, &path, institution)?.id;
            let institution_id = institution_id.as_str();
            let existing: Option<String> = tx
                .query_row(
                    "SELECT framework_version FROM reviews WHERE framework_id = ?1 AND institution_id = ?2",
                    params![framework.id(), institution_id],
                    |r| r.get(0),
                )
                .optional()
                .at(&path)?;
            if let Some(version) = existing {
                return Err(Error::invalid(
                    "framework",
                    format!(
                        "This institution is already registered for {} (version {version}). Carry on with that review.",
                        framework.def().title
                    ),
                ));
            }
            store_framework(tx, framework).at(&path)?;
            let review = Review {
                id: new_id(),
                institution_id: institution_id.to_owned(),
                framework_id: framework.id().to_owned(),
                framework_version: framework.version().to_owned(),
                registered_at: now(),
                registered_by: by.to_owned(),
                closed_at: None,
                renews: None,
            };
            insert(tx, &review).at(&path)?;
            Ok(review)
        })
    }

    /// Every review: the open ones first, then the closed ones, each newest registration
    /// first (ties in the order written). Open first, so a renewal comes before the review it
    /// renews even if this computer's clock was wrong when one of them was registered.
    pub fn reviews(&self) -> Result<Vec<Review>> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "SELECT {COLUMNS} FROM reviews ORDER BY closed_at IS NOT NULL, registered_at DESC, rowid DESC"
            ))
            .at(&self.path)?;
        stmt.query_map([], from_row)
            .at(&self.path)?
            .collect::<rusqlite::Result<Vec<_>>>()
            .at(&self.path)
    }

    /// One review by its id.
    pub fn review(&self, id: &str) -> Result<Option<Review>> {
        self.conn
            .prepare_cached(&format!("SELECT {COLUMNS} FROM reviews WHERE id = ?1"))
            .at(&self.path)?
            .query_row([id], from_row)
            .optional()
            .at(&self.path)
    }

    /// The stored text of a framework version.
    pub fn framework_source(&self, framework_id: &str, version: &str) -> Result<Option<String>> {
        self.conn
            .prepare_cached(
                "SELECT source FROM framework_versions WHERE framework_id = ?1 AND version = ?2",
            )
            .at(&self.path)?
            .query_row([framework_id, version], |r| r.get(0))
            .optional()
            .at(&self.path)
    }
}

/// Reads one review inside a transaction.
pub(super) fn read(tx: &rusqlite::Transaction<'_>, id: &str) -> rusqlite::Result<Option<Review>> {
    tx.query_row(
        &format!("SELECT {COLUMNS} FROM reviews WHERE id = ?1"),
        [id],
        from_row,
    )
    .optional()
}

/// Writes a new review's row.
pub(super) fn insert(tx: &rusqlite::Transaction<'_>, review: &Review) -> rusqlite::Result<()> {
    tx.execute(
        &format!("INSERT INTO reviews ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"),
        params![
            review.id,
            review.institution_id,
            review.framework_id,
            review.framework_version,
            review.registered_at,
            review.registered_by,
            review.closed_at,
            review.renews
        ],
    )?;
    Ok(())
}

/// Keeps the exact text of a framework version (the first copy stored wins: it is what the
/// review was judged by).
pub(super) fn store_framework(
    tx: &rusqlite::Transaction<'_>,
    framework: &Framework,
) -> rusqlite::Result<()> {
    tx.execute(
        "INSERT OR IGNORE INTO framework_versions (framework_id, version, source, stored_at) VALUES (?1, ?2, ?3, ?4)",
        params![framework.id(), framework.version(), framework.source(), now()],
    )?;
    Ok(())
}
