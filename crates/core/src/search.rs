//! Search across a framework's text and a review's commentary: every word of the query must
//! appear (case-insensitively) in one field of one benchmark.

use serde::Serialize;

use crate::framework::Framework;
use crate::store::Response;

/// Which part of a benchmark matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum HitField {
    /// Benchmark id or title.
    Title,
    /// Guidance or prompts.
    Guidance,
    /// A level descriptor or its next steps.
    Descriptor,
    /// The school's own commentary.
    Commentary,
}

/// One search result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SearchHit {
    /// The benchmark.
    pub benchmark_id: String,
    /// Its title.
    pub benchmark_title: String,
    /// Its dimension's title.
    pub dimension_title: String,
    /// What matched.
    pub field: HitField,
    /// Text around the first match.
    pub snippet: String,
}

/// Up to `limit` hits, the school's commentary and titles first, in framework order.
pub fn search(
    framework: &Framework,
    responses: &[Response],
    query: &str,
    limit: usize,
) -> Vec<SearchHit> {
    let words: Vec<String> = query.split_whitespace().map(str::to_lowercase).collect();
    if words.is_empty() {
        return Vec::new();
    }
    let mut hits = Vec::new();
    for entry in framework.benchmarks() {
        let b = entry.benchmark;
        let commentary = responses
            .iter()
            .find(|r| r.benchmark_id == b.id)
            .map(|r| r.commentary.as_str());
        let title = format!("{} {}", b.id, b.title);
        let guidance =
            std::iter::once(b.guidance.as_str()).chain(b.prompts.iter().map(String::as_str));
        let descriptors = b
            .levels
            .iter()
            .flat_map(|l| std::iter::once(l.descriptor.as_str()).chain(l.next_steps.as_deref()));
        let candidates = commentary
            .into_iter()
            .map(|c| (HitField::Commentary, c))
            .chain(std::iter::once((HitField::Title, title.as_str())))
            .chain(guidance.map(|g| (HitField::Guidance, g)))
            .chain(descriptors.map(|d| (HitField::Descriptor, d)));
        if let Some((field, text)) = candidates
            .into_iter()
            .find(|(_, text)| matches(text, &words))
        {
            hits.push(SearchHit {
                benchmark_id: b.id.clone(),
                benchmark_title: b.title.clone(),
                dimension_title: entry.dimension.title.clone(),
                field,
                snippet: snippet(text, &words[0]),
            });
        }
    }
    hits.sort_by_key(|h| match h.field {
        HitField::Commentary | HitField::Title => 0,
        _ => 1,
    });
    hits.truncate(limit);
    hits
}

fn matches(text: &str, words: &[String]) -> bool {
    let lower = text.to_lowercase();
    words.iter().all(|w| lower.contains(w.as_str()))
}

/// About 160 characters around the first occurrence of `word`, cut on character boundaries.
fn snippet(text: &str, word: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let lower: Vec<char> = text.to_lowercase().chars().collect();
    let needle: Vec<char> = word.chars().collect();
    // Lowercasing can change the length of some characters; fall back to the start then.
    let at = if lower.len() == chars.len() {
        lower
            .windows(needle.len().max(1))
            .position(|w| w == needle.as_slice())
            .unwrap_or(0)
    } else {
        0
    };
    let start = at.saturating_sub(60);
    let end = (at + 100).min(chars.len());
    let mut s: String = chars[start..end].iter().collect();
    s = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if start > 0 {
        s.insert(0, '…');
    }
    if end < chars.len() {
        s.push('…');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::bundled_source;

    fn response(id: &str, text: &str) -> Response {
        Response {
            benchmark_id: id.into(),
            level: Some(2),
            commentary: text.into(),
            needs_confirmation: false,
            carried_note: None,
            revision: 1,
            updated_by: "x".into(),
            updated_at: "t".into(),
        }
    }

    #[test]
    fn finds_commentary_first_and_needs_every_word() {
        let fw = Framework::from_toml(
            bundled_source("computing-quality-2.0.toml").expect("bundled"),
            "cq",
        )
        .expect("valid");
        let responses = [response(
            "7.2",
            "Pupils told us the Micro:bit club is the best part of the week.",
        )];
        let hits = search(&fw, &responses, "micro:bit CLUB", 10);
        assert_eq!(hits[0].benchmark_id, "7.2");
        assert_eq!(hits[0].field, HitField::Commentary);
        assert!(hits[0].snippet.contains("Micro:bit club"));
        assert!(search(&fw, &responses, "micro:bit zebra", 10).is_empty());
        assert!(search(&fw, &responses, "   ", 10).is_empty());
        assert!(!search(&fw, &[], "online safety", 10).is_empty());
    }

    #[test]
    fn snippets_cut_on_characters() {
        let text = format!("{}ŵŷ target ŵŷ{}", "ŵ".repeat(100), "ŷ".repeat(200));
        let s = snippet(&text, "target");
        assert!(s.starts_with('…') && s.ends_with('…') && s.contains("target"));
    }
}
