//! Does the submission name its assessor? An assessor who worked on a school's self-review
//! (in its working group, in its history, as the last editor of a response, or as the person
//! who prepared it) must not assess it. The endpoint cannot see the manifest, so the check is
//! made here, on the assessor's machine, when the submission is opened; the decision commands
//! then refuse for that submission.

use waymark_protocol::manifest::Manifest;

/// Where `manifest` names the person called `name` with address `email` (case-insensitively):
/// one line per place, empty when it does not.
pub fn named_in(manifest: &Manifest, name: &str, email: &str) -> Vec<String> {
    let who = Person::new(name, email);
    let mut found = Vec::new();
    let mut check = |place: String, text: &str| {
        if who.is_named_by(text) {
            found.push(format!("{place}: \"{}\"", text.trim()));
        }
    };
    check("prepared by".into(), &manifest.prepared_by);
    for member in &manifest.working_group {
        check("working group".into(), &member.name);
        if let Some(address) = &member.email {
            check("working group".into(), address);
        }
    }
    for response in &manifest.responses {
        if let Some(by) = &response.updated_by {
            check(format!("response to {} updated by", response.benchmark), by);
        }
    }
    for entry in &manifest.history {
        if let Some(by) = &entry.by {
            check(format!("history of {}", entry.benchmark), by);
        }
    }
    found.dedup();
    found
}

struct Person {
    name: String,
    email: String,
}

impl Person {
    fn new(name: &str, email: &str) -> Self {
        Self {
            name: normalise(name),
            email: email.trim().to_lowercase(),
        }
    }

    /// True when `text` is the name or the address, or contains the address, or contains the
    /// whole name as words ("Ann Smith (computing lead)", "Ann Smith <ann@…>").
    fn is_named_by(&self, text: &str) -> bool {
        let text_lower = text.trim().to_lowercase();
        if text_lower.is_empty() {
            return false;
        }
        if !self.email.is_empty() && text_lower.contains(&self.email) {
            return true;
        }
        if self.name.is_empty() {
            return false;
        }
        let words = normalise(text);
        words == self.name || format!(" {words} ").contains(&format!(" {} ", self.name))
    }
}

/// Lowercase words separated by single spaces; anything that is not a letter or digit is a
/// separator.
fn normalise(text: &str) -> String {
    text.to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::DateTime;
    use waymark_protocol::ids::FrameworkRef;
    use waymark_protocol::manifest::{
        HistoryEntry, MANIFEST_FORMAT, ManifestContributor, ManifestInstitution, ManifestResponse,
    };

    fn manifest() -> Manifest {
        Manifest {
            format: MANIFEST_FORMAT,
            institution: ManifestInstitution {
                name: "School".into(),
                identifier: None,
            },
            framework: FrameworkRef {
                id: "f".into(),
                version: "1".into(),
            },
            award: "a".into(),
            prepared_at: DateTime::UNIX_EPOCH,
            prepared_by: "Head Teacher".into(),
            responses: vec![ManifestResponse {
                benchmark: "B1".into(),
                level: None,
                commentary: "Ann Smith's class".into(),
                updated_at: None,
                updated_by: Some("Bob Jones".into()),
            }],
            history: vec![HistoryEntry {
                at: DateTime::UNIX_EPOCH,
                benchmark: "B1".into(),
                by: None,
                summary: "edited".into(),
            }],
            actions: Vec::new(),
            working_group: vec![ManifestContributor {
                name: "Carol White".into(),
                role: "Governor".into(),
                email: Some("carol@school.example".into()),
            }],
            evidence: Vec::new(),
        }
    }

    #[test]
    fn each_place_is_found_case_insensitively_and_commentary_is_not_a_place() {
        let m = manifest();
        assert!(named_in(&m, "Ann Smith", "ann@board.example").is_empty());
        assert!(named_in(&m, "Annabel Jones", "aj@board.example").is_empty());
        assert_eq!(
            named_in(&m, "BOB JONES", "bob@board.example"),
            vec!["response to B1 updated by: \"Bob Jones\""]
        );
        let found = named_in(&m, "Carol Whitehouse", "CAROL@school.example");
        assert_eq!(found, vec!["working group: \"carol@school.example\""]);
        let found = named_in(&m, "carol white", "cw@board.example");
        assert_eq!(found, vec!["working group: \"Carol White\""]);

        let mut m = manifest();
        m.prepared_by = "Dan Green (computing lead)".into();
        m.history[0].by = Some("dan green <dan@x.example>".into());
        let found = named_in(&m, "Dan Green", "dan@board.example");
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(found[0].starts_with("prepared by"));
        assert!(found[1].starts_with("history of B1"));
    }
}
