//! Measuring text with the embedded font's own advances (see [`crate::fonts`]): wrapping to a
//! width, balancing lines, fitting a title to a box (cut with "…" at the last resort, or kept
//! whole at a smaller size), cutting a line with "…".
//!
//! Breaks come from the font's advance widths, not a layout engine, so no line passes the
//! margin and the same text always breaks the same way.

use crate::fonts::{Face, Fonts};

/// Wraps `text` to `width` points: paragraphs break at newlines (a blank line stays blank),
/// lines break at spaces, and a word longer than a whole line is broken between characters.
/// The text is made printable first (see [`Fonts::printable`]), so every returned line can
/// be drawn as it is.
pub(crate) fn wrap(fonts: &Fonts, face: Face, size: f32, text: &str, width: f32) -> Vec<String> {
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    let space = fonts.char_width(face, size, ' ');
    let width = width.max(size); // at least one character always fits
    let mut lines = Vec::new();
    for paragraph in text.split('\n') {
        let paragraph = fonts.printable(paragraph);
        let mut line = String::new();
        let mut line_width = 0.0;
        for word in paragraph.split(' ').filter(|w| !w.is_empty()) {
            let w = fonts.width(face, size, word);
            let needed = if line.is_empty() {
                w
            } else {
                line_width + space + w
            };
            if needed <= width {
                if !line.is_empty() {
                    line.push(' ');
                    line_width += space;
                }
                line.push_str(word);
                line_width += w;
                continue;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
                line_width = 0.0;
            }
            if w <= width {
                line.push_str(word);
                line_width = w;
                continue;
            }
            // A word wider than the line: break it between characters.
            for c in word.chars() {
                let cw = fonts.char_width(face, size, c);
                if line_width + cw > width && !line.is_empty() {
                    lines.push(std::mem::take(&mut line));
                    line_width = 0.0;
                }
                line.push(c);
                line_width += cw;
            }
        }
        lines.push(line);
    }
    lines
}

/// Wraps like [`wrap`], but into lines of even length: the narrowest width that needs no
/// more lines than `width` does, so a title never ends with one short word on its own.
pub(crate) fn balanced(
    fonts: &Fonts,
    face: Face,
    size: f32,
    text: &str,
    width: f32,
) -> Vec<String> {
    let lines = wrap(fonts, face, size, text, width);
    if lines.len() < 2 {
        return lines;
    }
    let (mut lo, mut hi) = (width / lines.len() as f32, width);
    for _ in 0..12 {
        let mid = (lo + hi) / 2.0;
        if wrap(fonts, face, size, text, mid).len() <= lines.len() {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    wrap(fonts, face, size, text, hi)
}

/// The largest size at which `text` fits in one line (down to 80% of `start`), else two
/// (down to 60%), else `max_lines` (down to 12 pt, the last line cut with "…" if it still
/// overflows). Lines are balanced so none is left with a lone word.
pub(crate) fn fit(
    fonts: &Fonts,
    face: Face,
    text: &str,
    width: f32,
    start: f32,
    max_lines: usize,
) -> (f32, Vec<String>) {
    let max_lines = max_lines.max(1);
    for (lines, floor) in [(1, start * 0.8), (2, start * 0.6), (max_lines, 12.0)] {
        if lines > max_lines {
            break;
        }
        let mut size = start;
        while size >= floor.min(start) {
            let wrapped = balanced(fonts, face, size, text, width);
            if wrapped.len() <= lines {
                return (size, wrapped);
            }
            size -= 1.0;
        }
    }
    let size = 12.0_f32.min(start);
    let mut lines = wrap(fonts, face, size, text, width);
    if lines.len() > max_lines {
        let rest = lines.split_off(max_lines - 1).join(" ");
        lines.push(truncate(fonts, face, size, &rest, width));
    }
    (size, lines)
}

/// Fits `text` into at most `max_lines` balanced lines without cutting anything, for what
/// must be printed whole (a verification code, a link): one line if it fits down to 80% of
/// `start`, else the largest size (in half points) at which `max_lines` lines do, never below
/// 1 pt (where only thousands of characters would still overflow).
pub(crate) fn fit_whole(
    fonts: &Fonts,
    face: Face,
    text: &str,
    width: f32,
    start: f32,
    max_lines: usize,
) -> (f32, Vec<String>) {
    let max_lines = max_lines.max(1);
    for (lines, floor) in [(1, start * 0.8), (max_lines, 1.0)] {
        let mut size = start;
        while size >= floor {
            let wrapped = balanced(fonts, face, size, text, width);
            if wrapped.len() <= lines {
                return (size, wrapped);
            }
            size -= 0.5;
        }
    }
    (1.0, balanced(fonts, face, 1.0, text, width))
}

/// Cuts a single line to fit `width`, ending it with "…" when something had to go.
pub(crate) fn truncate(fonts: &Fonts, face: Face, size: f32, text: &str, width: f32) -> String {
    let text = fonts.printable(text);
    if fonts.width(face, size, &text) <= width {
        return text;
    }
    let ellipsis = fonts.char_width(face, size, '…');
    let mut out = String::new();
    let mut used = 0.0;
    for c in text.chars() {
        let cw = fonts.char_width(face, size, c);
        if used + cw + ellipsis > width {
            break;
        }
        out.push(c);
        used += cw;
    }
    out.truncate(out.trim_end().len());
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fonts() -> &'static Fonts {
        Fonts::get().expect("bundled fonts parse")
    }

    #[test]
    fn wrapping_keeps_every_word_and_respects_the_width() {
        let text = "The school plans, teaches and reviews this aspect with care. ".repeat(40);
        let lines = wrap(fonts(), Face::Regular, 10.0, &text, 200.0);
        assert!(lines.len() > 10);
        for l in &lines {
            assert!(fonts().width(Face::Regular, 10.0, l) <= 200.0, "{l}");
        }
        let words: Vec<&str> = lines.iter().flat_map(|l| l.split(' ')).collect();
        let expected: Vec<&str> = text.split_whitespace().collect();
        assert_eq!(words, expected);
    }

    #[test]
    fn long_words_break_and_blank_lines_stay() {
        let long = "x".repeat(500);
        let lines = wrap(fonts(), Face::Bold, 12.0, &format!("a\n\n{long}"), 100.0);
        assert_eq!(lines[0], "a");
        assert_eq!(lines[1], "");
        assert!(lines.len() > 5);
        assert_eq!(lines[2..].concat(), long);
        // Even a width smaller than a character makes progress.
        assert_eq!(wrap(fonts(), Face::Regular, 12.0, "WWW", 0.0).len(), 3);
    }

    #[test]
    fn fitting_whole_keeps_a_marks_code_and_link_whole_within_the_width() {
        let code = "abcde-fghij-kmnpq-rstuv";
        let (size, lines) = fit_whole(fonts(), Face::Bold, code, 220.0, 13.0, 2);
        assert_eq!(
            (size, lines.as_slice()),
            (13.0, [code.to_owned()].as_slice())
        );
        let url = format!("https://awards.example.org/awards/{}", "x".repeat(400));
        let (size, lines) = fit_whole(fonts(), Face::Regular, &url, 500.0, 9.0, 2);
        assert!(size < 9.0 && lines.len() <= 2, "{size} {lines:?}");
        assert_eq!(lines.concat(), url);
        for l in &lines {
            assert!(fonts().width(Face::Regular, size, l) <= 500.0, "{l}");
        }
    }

    #[test]
    fn truncation_ends_with_an_ellipsis_and_fits() {
        let t = truncate(fonts(), Face::Regular, 10.0, &"word ".repeat(50), 100.0);
        assert!(t.ends_with('…'));
        assert!(fonts().width(Face::Regular, 10.0, &t) <= 100.0);
        assert_eq!(
            truncate(fonts(), Face::Regular, 10.0, "short", 100.0),
            "short"
        );
    }
}
