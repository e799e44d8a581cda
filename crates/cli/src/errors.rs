//! How the command line words the core's errors: the core's own message (neutral, because the
//! app shows it too), plus what to type next where the CLI has a command for it. Chosen from
//! the error's typed parts, never by reading its text.

use waymark_core::{Entity, Error, Hint};

/// The message for a person at a terminal.
pub fn message(e: &Error) -> String {
    // A hint the CLI can say better (with its own command) replaces the core's wording of it.
    if let Error::NotFound {
        what,
        id,
        hint: Hint::FrameworkContents { framework },
    } = e
    {
        return format!(
            "{} {id:?} was not found. `waymark frameworks show {framework}` lists the framework's benchmarks and evidence requirements.",
            what.name()
        );
    }
    if let Error::NotFound {
        what,
        id,
        hint: Hint::CheckTheList,
    } = e
        && let Some(cmd) = list_command(*what)
    {
        return format!(
            "{} {id:?} was not found. `{cmd}` shows the ids.",
            what.name()
        );
    }
    let base = e.to_string();
    match next_step(e) {
        Some(step) => format!("{base} {step}"),
        None => base,
    }
}

/// The CLI's own pointer for an error, when there is one.
fn next_step(e: &Error) -> Option<String> {
    match e {
        Error::NotRegistered => Some(
            "Register with `waymark init --framework ID --institution NAME` (`waymark frameworks list` shows the ids).".into(),
        ),
        Error::DataKeyMissing { .. } | Error::DataKeyWrong { .. } => Some(
            "`waymark import FILE --data-dir NEW_FOLDER` makes a new data folder from an export; `waymark erase` erases this one's files.".into(),
        ),
        Error::DataDir { .. } | Error::NoDataDir => {
            Some("Choose one with --data-dir DIR or WAYMARK_DATA_DIR.".into())
        }
        Error::NotFound {
            what: Entity::Framework,
            ..
        } => Some("`waymark frameworks list` shows what can be chosen.".into()),
        // Ids given on the command line that are not ids at all.
        Error::Invalid { field, .. } if field == "action" => {
            Some("`waymark actions list` shows the ids.".into())
        }
        Error::Invalid { field, .. } if field == "id" => {
            Some("`waymark evidence list` shows the ids.".into())
        }
        _ => None,
    }
}

/// The command that lists things of a kind.
fn list_command(what: Entity) -> Option<&'static str> {
    match what {
        Entity::FutureAction => Some("waymark actions list"),
        Entity::EvidenceItem => Some("waymark evidence list"),
        Entity::Contributor => Some("waymark group list"),
        Entity::Review => Some("waymark status"),
        Entity::Benchmark | Entity::EvidenceRequirement => Some("waymark frameworks show ID"),
        Entity::Framework | Entity::FrameworkVersion => Some("waymark frameworks list"),
        Entity::Submission => Some("waymark submissions"),
        Entity::SealedBlob => None,
        Entity::Response | Entity::EvidenceLink | Entity::WatchedFolder | Entity::Award => None,
    }
}

/// The error as scripts get it with `--json`: `{"error": {"code", "message", "field"}}`.
pub fn json(e: &Error) -> serde_json::Value {
    serde_json::json!({
        "error": {
            "code": e.code().as_str(),
            "message": message(e),
            "field": e.field(),
        }
    })
}

/// The message for a submission command's error (the core's own errors worded as above).
pub fn sync_message(e: &waymark_sync::SyncError) -> String {
    match e {
        waymark_sync::SyncError::Core(core) => message(core),
        other => other.to_string(),
    }
}

/// A submission command's error as scripts get it with `--json`.
pub fn sync_json(e: &waymark_sync::SyncError) -> serde_json::Value {
    match e {
        waymark_sync::SyncError::Core(core) => json(core),
        other => serde_json::json!({
            "error": { "code": other.code(), "message": other.to_string(), "field": null }
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cli_adds_its_own_commands_to_the_cores_neutral_messages() {
        let m = message(&Error::NotRegistered);
        assert!(m.contains("waymark init"), "{m}");
        let m = message(&Error::not_found(
            Entity::FutureAction,
            "abcd",
            Hint::CheckTheList,
        ));
        assert!(m.contains("`waymark actions list` shows the ids"), "{m}");
        let m = message(&Error::not_found(
            Entity::Benchmark,
            "9.9",
            Hint::FrameworkContents {
                framework: "computing-quality".into(),
            },
        ));
        assert!(
            m.contains("waymark frameworks show computing-quality"),
            "{m}"
        );
        // Said once, in the CLI's words, not also in the core's.
        assert!(!m.contains("framework's list of benchmarks shows"), "{m}");
    }

    #[test]
    fn json_errors_carry_the_stable_code_and_the_field() {
        let v = json(&Error::invalid("level", "Level 9 is not on the scale."));
        assert_eq!(v["error"]["code"], "invalid_input");
        assert_eq!(v["error"]["field"], "level");
    }
}
