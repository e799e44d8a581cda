//! How the stores turn values into what a column holds and back, with the one error a value
//! that does not read back gets: shared by the SQLite and PostgreSQL stores, so both refuse a
//! corrupt value with the same words and write JSON and enums the same way.

use serde::Serialize;
use serde::de::DeserializeOwned;
use waymark_protocol::review::ReviewState;

use super::{MetaError, MetaResult};

/// A stored value that does not read back: a bug or a corrupt store.
pub(crate) fn bad(what: &str, e: impl std::fmt::Display) -> MetaError {
    MetaError::Internal(format!("a stored {what} is unreadable: {e}"))
}

/// `value` as JSON text.
pub(crate) fn to_json<T: Serialize>(what: &str, value: &T) -> MetaResult<String> {
    serde_json::to_string(value)
        .map_err(|e| MetaError::Internal(format!("cannot write the {what} as JSON: {e}")))
}

/// What [`to_json`] wrote.
pub(crate) fn from_json<T: DeserializeOwned>(what: &str, text: &str) -> MetaResult<T> {
    serde_json::from_str(text).map_err(|e| bad(what, e))
}

/// [`from_json`] of a column that may be NULL.
pub(crate) fn opt_json<T: DeserializeOwned>(
    what: &str,
    text: Option<String>,
) -> MetaResult<Option<T>> {
    text.map(|t| from_json(what, &t)).transpose()
}

/// A snake_case enum (state, role) as its serde name.
pub(crate) fn enum_text<T: Serialize>(value: T) -> MetaResult<String> {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => Ok(s),
        other => Err(MetaError::Internal(format!(
            "an enum did not serialise as a string: {other:?}"
        ))),
    }
}

/// What [`enum_text`] wrote.
pub(crate) fn parse_enum<T: DeserializeOwned>(what: &str, text: &str) -> MetaResult<T> {
    serde_json::from_value(serde_json::Value::String(text.to_owned())).map_err(|e| bad(what, e))
}

/// A review state as stored.
pub(crate) fn parse_state(text: &str) -> MetaResult<ReviewState> {
    parse_enum("review state", text)
}

/// Sizes are u64 in Rust and 64-bit signed in both databases; limits keep them far below
/// i64::MAX.
pub(crate) fn int(n: u64) -> MetaResult<i64> {
    i64::try_from(n).map_err(|_| MetaError::Internal(format!("{n} bytes is too large to store")))
}

/// A stored size.
pub(crate) fn uint(n: i64) -> MetaResult<u64> {
    u64::try_from(n).map_err(|_| bad("size", n))
}

/// A stored count or sequence.
pub(crate) fn to_u64(what: &str, n: i64) -> MetaResult<u64> {
    u64::try_from(n).map_err(|e| bad(what, e))
}

/// A stored version.
pub(crate) fn to_u32(what: &str, n: i64) -> MetaResult<u32> {
    u32::try_from(n).map_err(|e| bad(what, e))
}
