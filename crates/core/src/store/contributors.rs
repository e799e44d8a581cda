//! The working group: the people who contribute to the self-review.

use rusqlite::{OptionalExtension, params};
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

    /// Corrects a member's details (rectification: the same member, their details as given).
    pub fn update_contributor(
        &mut self,
        id: &str,
        input: &ContributorInput,
    ) -> Result<Contributor> {
        first(input.problems())?;
        let path = self.path.clone();
        let (name, role, email) = (
            input.name.trim().to_owned(),
            optional(input.role.as_deref()),
            optional(input.email.as_deref()),
        );
        let created_at: Option<String> = self.write(|tx| {
            tx.query_row(
                "UPDATE contributors SET name = ?2, role = ?3, email = ?4 WHERE id = ?1 RETURNING created_at",
                params![id, name, role, email],
                |r| r.get(0),
            )
            .optional()
            .at(&path)
        })?;
        let created_at = created_at
            .ok_or_else(|| Error::not_found(Entity::Contributor, id, Hint::CheckTheList))?;
        Ok(Contributor {
            id: id.to_owned(),
            name,
            role,
            email,
            created_at,
        })
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

    /// Removes a member (their name stays in the history of what they changed): an erasure of
    /// their details, recorded in `erasures` in the same transaction (what, when, by whom).
    pub fn remove_contributor(&mut self, id: &str, by: Option<&str>) -> Result<()> {
        let path = self.path.clone();
        let removed = self.write(|tx| {
            let removed = tx
                .execute("DELETE FROM contributors WHERE id = ?1", [id])
                .at(&path)?;
            if removed > 0 {
                tx.execute(
                    "INSERT INTO erasures (id, kind, subject, erased_at, erased_by) VALUES (?1, 'working_group_member', ?2, ?3, ?4)",
                    params![new_id(), id, now(), by],
                )
                .at(&path)?;
            }
            Ok(removed)
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
