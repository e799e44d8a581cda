//! The working group: the people who contribute to the self-review.

use rusqlite::params;
use serde::{Deserialize, Serialize};

use super::{Store, new_id, now, optional};
use crate::error::{AtPath, Entity, Error, Hint, Result};
use crate::input::{FieldProblem, MAX_NAME_CHARS, Problems, first, is_email_shaped, too_long};

/// A member of the working group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Contributor {
    /// Stable id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Role ("Computing lead", "Head of Student Services").
    pub role: Option<String>,
    /// Email.
    pub email: Option<String>,
    /// When added.
    pub created_at: String,
}

/// A new member of the working group, as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ContributorInput {
    /// Name (required).
    pub name: String,
    /// Role ("Computing lead").
    pub role: Option<String>,
    /// Email.
    pub email: Option<String>,
}

impl ContributorInput {
    /// Every problem with the member's details, each naming its field.
    pub fn problems(&self) -> Vec<FieldProblem> {
        let mut p = Problems::default();
        let name = self.name.trim();
        if name.is_empty() {
            p.add("name", "Enter the member's name.");
        } else if too_long(name, MAX_NAME_CHARS) {
            p.add("name", "The name is over 200 characters; shorten it.");
        }
        if optional(self.role.as_deref()).is_some_and(|r| too_long(&r, MAX_NAME_CHARS)) {
            p.add("role", "This is over 200 characters; shorten it.");
        }
        if let Some(email) = optional(self.email.as_deref())
            && !is_email_shaped(&email)
        {
            p.add(
                "email",
                format!("{email:?} is not an email address; use the form name@school.org.uk."),
            );
        }
        p.into_vec()
    }
}

impl Store {
    /// Adds a member to the working group.
    pub fn add_contributor(&mut self, input: &ContributorInput) -> Result<Contributor> {
        first(input.problems())?;
        let contributor = Contributor {
            id: new_id(),
            name: input.name.trim().to_owned(),
            role: optional(input.role.as_deref()),
            email: optional(input.email.as_deref()),
            created_at: now(),
        };
        let path = self.path.clone();
        self.write(|tx| {
            tx.execute(
                "INSERT INTO contributors (id, name, role, email, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![contributor.id, contributor.name, contributor.role, contributor.email, contributor.created_at],
            )
            .at(&path)?;
            Ok(())
        })?;
        Ok(contributor)
    }

    /// The working group, in the order members were added.
    pub fn contributors(&self) -> Result<Vec<Contributor>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT id, name, role, email, created_at FROM contributors ORDER BY created_at, id")
            .at(&self.path)?;
        stmt.query_map([], |r| {
            Ok(Contributor {
                id: r.get(0)?,
                name: r.get(1)?,
                role: r.get(2)?,
                email: r.get(3)?,
                created_at: r.get(4)?,
            })
        })
        .at(&self.path)?
        .collect::<rusqlite::Result<Vec<_>>>()
        .at(&self.path)
    }

    /// Removes a member (their name stays in the history of what they changed).
    pub fn remove_contributor(&mut self, id: &str) -> Result<()> {
        let path = self.path.clone();
        let removed = self.write(|tx| {
            tx.execute("DELETE FROM contributors WHERE id = ?1", [id])
                .at(&path)
        })?;
        if removed == 0 {
            return Err(Error::not_found(
                Entity::Contributor,
                id,
                Hint::CheckTheList,
            ));
        }
        Ok(())
    }
}
