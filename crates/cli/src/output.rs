//! Printing: JSON for scripts, tables and short lines for people.

use comfy_table::{ContentArrangement, Table, presets::UTF8_FULL_CONDENSED};
use serde::Serialize;
use waymark_core::Error;

/// Prints a value as pretty JSON.
pub fn json<T: Serialize>(value: &T) -> Result<(), Error> {
    let text = serde_json::to_string_pretty(value)
        .map_err(|e| Error::invalid("output", format!("could not write JSON: {e}")))?;
    out!("{text}");
    Ok(())
}

/// A table that wraps to the terminal's width.
pub fn table(header: &[&str]) -> Table {
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header(header.to_vec());
    t
}

/// The id shown in lists: the last 8 characters, which are random in a UUIDv7 (the first
/// ones are a timestamp shared by records created close together).
pub fn short_id(id: &str) -> &str {
    &id[id.len().saturating_sub(8)..]
}

/// A labelled progress line: "Overall: ████░░ 40% (8 of 20 benchmarks complete)".
pub fn ratio_line(label: &str, r: waymark_core::progress::Ratio, of_what: &str) -> String {
    format!(
        "{label}: {} {:>3}% ({} of {} {of_what})",
        bar(r.percent, 20),
        r.percent,
        r.done,
        r.total
    )
}

/// A text bar for a percentage, e.g. `█████░░░░░`.
pub fn bar(percent: u32, width: usize) -> String {
    let filled = (percent.min(100) as usize * width) / 100;
    format!("{}{}", "█".repeat(filled), "░".repeat(width - filled))
}

/// First line of a text, cut to `max` characters.
pub fn excerpt(text: &str, max: usize) -> String {
    let line = text
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
        .trim();
    if line.chars().count() > max {
        format!(
            "{}…",
            line.chars().take(max.saturating_sub(1)).collect::<String>()
        )
    } else if text.trim().lines().count() > 1 {
        format!("{line} …")
    } else {
        line.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_are_bounded() {
        assert_eq!(bar(0, 4), "░░░░");
        assert_eq!(bar(50, 4), "██░░");
        assert_eq!(bar(250, 4), "████");
    }

    #[test]
    fn excerpts_cut_on_characters() {
        assert_eq!(excerpt("ŵŷŵŷŵŷ", 4), "ŵŷŵ…");
        assert_eq!(excerpt("\n  first\nsecond", 20), "first …");
    }
}
