//! The institution profile: the minimum personal data a registration needs, and no more.

use rusqlite::{OptionalExtension, Row, params};
use serde::{Deserialize, Serialize};

use super::{Store, new_id, now, optional};
use crate::error::{AtPath, Result};
use crate::input::{FieldProblem, MAX_NAME_CHARS, Problems, first, is_email_shaped, too_long};

/// The phase of education, used to choose wording and frameworks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "kebab-case")]
pub enum Phase {
    /// Primary school.
    Primary,
    /// Secondary school.
    Secondary,
    /// All-through school.
    AllThrough,
    /// Special school.
    Special,
    /// Further education college.
    FurtherEducation,
    /// University or other higher education.
    HigherEducation,
    /// Anything else.
    Other,
}

impl Phase {
    /// Every phase, for choosers and help text.
    pub const ALL: [Phase; 7] = [
        Phase::Primary,
        Phase::Secondary,
        Phase::AllThrough,
        Phase::Special,
        Phase::FurtherEducation,
        Phase::HigherEducation,
        Phase::Other,
    ];

    /// The stored and command-line spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Primary => "primary",
            Phase::Secondary => "secondary",
            Phase::AllThrough => "all-through",
            Phase::Special => "special",
            Phase::FurtherEducation => "further-education",
            Phase::HigherEducation => "higher-education",
            Phase::Other => "other",
        }
    }

    /// Parses the stored spelling.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == text)
    }
}

/// The registered institution.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Institution {
    /// Stable id.
    pub id: String,
    /// Name as printed on certificates.
    pub name: String,
    /// URN, UKPRN or similar.
    pub identifier: Option<String>,
    /// Phase of education.
    pub phase: Option<Phase>,
    /// Who to contact about the review.
    pub contact_name: Option<String>,
    /// Their email.
    pub email: Option<String>,
    /// Their role.
    pub role: Option<String>,
    /// When registered.
    pub created_at: String,
    /// Last change.
    pub updated_at: String,
}

/// What a user enters to register or correct the institution.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct InstitutionInput {
    /// Name (required).
    pub name: String,
    /// URN, UKPRN or similar.
    pub identifier: Option<String>,
    /// Phase of education.
    pub phase: Option<Phase>,
    /// Contact name.
    pub contact_name: Option<String>,
    /// Contact email.
    pub email: Option<String>,
    /// Contact role.
    pub role: Option<String>,
}

impl InstitutionInput {
    /// Every problem with the details, each naming its field (empty when they can be saved).
    pub fn problems(&self) -> Vec<FieldProblem> {
        let mut p = Problems::default();
        let name = self.name.trim();
        if name.is_empty() {
            p.add(
                "name",
                "Enter the institution's name, as it should appear on certificates.",
            );
        } else if too_long(name, MAX_NAME_CHARS) {
            p.add("name", "The name is over 200 characters; shorten it.");
        }
        if let Some(id) = optional(self.identifier.as_deref())
            && (id.chars().count() > 32
                || !id
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '/'))
        {
            p.add(
                "identifier",
                "Enter a reference number such as a URN (6 digits) or UKPRN (8 digits), or leave it empty.",
            );
        }
        if let Some(email) = optional(self.email.as_deref())
            && !is_email_shaped(&email)
        {
            p.add(
                "email",
                format!("{email:?} is not an email address; use the form name@school.org.uk."),
            );
        }
        for (field, value) in [("contact_name", &self.contact_name), ("role", &self.role)] {
            if optional(value.as_deref()).is_some_and(|v| too_long(&v, MAX_NAME_CHARS)) {
                p.add(field, "This is over 200 characters; shorten it.");
            }
        }
        p.into_vec()
    }

    /// Refuses details with a problem, naming the field of the first.
    pub fn validate(&self) -> Result<()> {
        first(self.problems())
    }
}

fn from_row(r: &Row<'_>) -> rusqlite::Result<Institution> {
    let id: String = r.get(0)?;
    let phase = match r.get_ref(3)?.as_str_or_null()? {
        None => None,
        Some(_) => Some(super::parsed(
            r,
            3,
            ("institution", "phase"),
            &id,
            Phase::parse,
        )?),
    };
    Ok(Institution {
        id,
        name: r.get(1)?,
        identifier: r.get(2)?,
        phase,
        contact_name: r.get(4)?,
        email: r.get(5)?,
        role: r.get(6)?,
        created_at: r.get(7)?,
        updated_at: r.get(8)?,
    })
}

const COLUMNS: &str =
    "id, name, identifier, phase, contact_name, email, role, created_at, updated_at";

impl Store {
    /// The registered institution, if any.
    pub fn institution(&self) -> Result<Option<Institution>> {
        self.conn
            .query_row(
                &format!("SELECT {COLUMNS} FROM institution LIMIT 1"),
                [],
                from_row,
            )
            .optional()
            .at(&self.path)
    }

    /// Creates the institution, or corrects it if it exists (there is one per data folder).
    pub fn save_institution(&mut self, input: &InstitutionInput) -> Result<Institution> {
        input.validate()?;
        let path = self.path.clone();
        self.write(|tx| upsert(tx, &path, input))
    }
}

/// Creates or corrects the one institution inside a caller's transaction (registration saves
/// it together with the review, so a refused registration changes nothing).
pub(super) fn upsert(
    tx: &rusqlite::Transaction<'_>,
    path: &std::path::Path,
    input: &InstitutionInput,
) -> Result<Institution> {
    let at = now();
    let existing: Option<String> = tx
        .query_row("SELECT id FROM institution LIMIT 1", [], |r| r.get(0))
        .optional()
        .at(path)?;
    let id = existing.unwrap_or_else(new_id);
    tx.execute(
        "INSERT INTO institution (id, name, identifier, phase, contact_name, email, role, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)
         ON CONFLICT (id) DO UPDATE SET name = ?2, identifier = ?3, phase = ?4,
             contact_name = ?5, email = ?6, role = ?7, updated_at = ?8",
        params![
            id,
            input.name.trim(),
            optional(input.identifier.as_deref()),
            input.phase.map(Phase::as_str),
            optional(input.contact_name.as_deref()),
            optional(input.email.as_deref()),
            optional(input.role.as_deref()),
            at
        ],
    )
    .at(path)?;
    tx.query_row(
        &format!("SELECT {COLUMNS} FROM institution WHERE id = ?1"),
        [&id],
        from_row,
    )
    .at(path)
}
