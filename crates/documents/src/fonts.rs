//! The embedded typeface (DejaVu Sans and Sans Bold) and text measurement.
//!
//! DejaVu covers Welsh (ŵ ŷ), every Latin-script language a UK school is likely to use, Greek,
//! Cyrillic and typographic quotes. Widths come from the font's own `hmtx` advances, so line
//! wrapping is deterministic and matches what a viewer draws. Characters the font lacks
//! (emoji, most CJK) are drawn as the replacement character rather than as invisible glyphs.

use std::collections::{BTreeSet, HashMap};
use std::sync::OnceLock;

use printpdf::{FontId, ParsedFont};

/// Which of the two faces to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Face {
    /// DejaVu Sans.
    Regular,
    /// DejaVu Sans Bold.
    Bold,
}

/// One parsed face with a width cache for the characters seen so far.
struct Metrics {
    font: ParsedFont,
    units_per_em: f32,
    /// Advance of each character in font units (after substitution).
    widths: HashMap<char, u16>,
}

impl Metrics {
    fn new(font: ParsedFont) -> Self {
        let units_per_em = f32::from(font.pdf_font_metrics.units_per_em.max(1));
        let mut widths = HashMap::new();
        // Pre-fill printable ASCII and Latin-1/Latin Extended-A: nearly all text a school writes.
        for c in (' '..='~').chain('\u{a0}'..='\u{17f}') {
            if let Some(gid) = glyph(&font, c) {
                widths.insert(c, font.get_glyph_width(gid).unwrap_or(0));
            }
        }
        Self {
            font,
            units_per_em,
            widths,
        }
    }

    fn advance(&self, c: char) -> u16 {
        match self.widths.get(&c) {
            Some(w) => *w,
            None => glyph(&self.font, c)
                .and_then(|g| self.font.get_glyph_width(g))
                .unwrap_or(0),
        }
    }
}

fn glyph(font: &ParsedFont, c: char) -> Option<u16> {
    font.lookup_glyph_index(c as u32).filter(|g| *g != 0)
}

/// Both faces, parsed once per process.
pub(crate) struct Fonts {
    regular: Metrics,
    bold: Metrics,
}

/// The character drawn for one the font lacks.
const REPLACEMENT: char = '\u{FFFD}';

static FONTS: OnceLock<Option<Fonts>> = OnceLock::new();

impl Fonts {
    /// The embedded faces; `None` only if the bundled font files could not be parsed, which
    /// would be a packaging fault (reported as an error, never a panic).
    pub(crate) fn get() -> Option<&'static Fonts> {
        FONTS
            .get_or_init(|| {
                let mut warnings = Vec::new();
                let regular = ParsedFont::from_bytes(dejavu::sans::regular(), 0, &mut warnings)?;
                let bold = ParsedFont::from_bytes(dejavu::sans::bold(), 0, &mut warnings)?;
                Some(Fonts {
                    regular: Metrics::new(regular),
                    bold: Metrics::new(bold),
                })
            })
            .as_ref()
    }

    fn metrics(&self, face: Face) -> &Metrics {
        match face {
            Face::Regular => &self.regular,
            Face::Bold => &self.bold,
        }
    }

    /// The face cut down to the characters drawn (plus `.notdef`), for embedding: a
    /// certificate then carries a few kilobytes of font instead of DejaVu's 700 KB. The
    /// subset keeps a Unicode cmap, so printpdf maps text to the subset's own glyph ids, and
    /// the same characters always give the same bytes.
    pub(crate) fn subset(&self, face: Face, chars: &BTreeSet<char>) -> Result<ParsedFont, String> {
        use allsorts::binary::read::ReadScope;
        use allsorts::font_data::FontData;
        use allsorts::subset::{CmapTarget, SubsetProfile, subset};

        let font = &self.metrics(face).font;
        // allsorts requires .notdef first and no duplicates (a BTreeSet gives both).
        let glyphs: BTreeSet<u16> = chars.iter().filter_map(|c| glyph(font, *c)).collect();
        let ids: Vec<u16> = std::iter::once(0).chain(glyphs).collect();
        let source = match face {
            Face::Regular => dejavu::sans::regular(),
            Face::Bold => dejavu::sans::bold(),
        };
        let data = ReadScope::new(source)
            .read::<FontData<'_>>()
            .map_err(|e| e.to_string())?;
        let provider = data.table_provider(0).map_err(|e| e.to_string())?;
        let bytes = subset(&provider, &ids, &SubsetProfile::Pdf, CmapTarget::Unicode)
            .map_err(|e| e.to_string())?;
        let mut warnings = Vec::new();
        ParsedFont::from_bytes(&bytes, 0, &mut warnings)
            .ok_or_else(|| "the subset font could not be read back".to_owned())
    }

    /// Width of `text` in points at `size`. `text` should already be [`Fonts::printable`].
    pub(crate) fn width(&self, face: Face, size: f32, text: &str) -> f32 {
        let m = self.metrics(face);
        let units: u64 = text.chars().map(|c| u64::from(m.advance(c))).sum();
        units as f32 * size / m.units_per_em
    }

    /// Width of one character in points at `size`.
    pub(crate) fn char_width(&self, face: Face, size: f32, c: char) -> f32 {
        let m = self.metrics(face);
        f32::from(m.advance(c)) * size / m.units_per_em
    }

    /// The text as it will be drawn: tabs become spaces, other control characters are
    /// dropped, and characters neither face has become the replacement character.
    pub(crate) fn printable(&self, text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        for c in text.chars() {
            if c == '\t' {
                out.push(' ');
            } else if c.is_control() || is_invisible_format(c) {
                continue;
            } else if self.regular.widths.contains_key(&c)
                || (glyph(&self.regular.font, c).is_some() && glyph(&self.bold.font, c).is_some())
            {
                out.push(c);
            } else {
                out.push(REPLACEMENT);
            }
        }
        out
    }
}

/// Zero-width and direction-control characters: they have no glyph and would only show up
/// as replacement marks.
fn is_invisible_format(c: char) -> bool {
    matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{2069}' | '\u{feff}' | '\u{fe00}'..='\u{fe0f}')
}

/// The resource names of the two faces. Fixed rather than random so two runs over the same
/// data produce the same bytes; the first six letters also form the PDF subset tag.
pub(crate) fn font_id(face: Face) -> FontId {
    FontId(
        match face {
            Face::Regular => "WMSANS",
            Face::Bold => "WMBOLD",
        }
        .to_owned(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn welsh_letters_and_quotes_are_kept_and_emoji_replaced() {
        let fonts = Fonts::get().expect("bundled fonts parse");
        assert_eq!(fonts.printable("ŵŷ “a” ’"), "ŵŷ “a” ’");
        assert_eq!(fonts.printable("ok 🎉\tx\u{7}"), "ok \u{FFFD} x");
        assert!(fonts.width(Face::Bold, 10.0, "Wide") > fonts.width(Face::Regular, 10.0, "Wide"));
        assert!(
            fonts.char_width(Face::Regular, 10.0, 'm') > fonts.char_width(Face::Regular, 10.0, 'i')
        );
    }
}
