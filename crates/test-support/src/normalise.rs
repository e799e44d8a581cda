//! Recorded answers made stable across runs, for fixtures that tests elsewhere replay (the
//! UI's tests replay the shell's answers): UUIDs become `id-N` (or a named kind), RFC 3339
//! times and times worded for people become [`WHEN`], temporary folders [`HOME`].

use std::collections::HashMap;

use serde_json::Value;

/// What the temporary folder of every scenario is shown as.
pub const HOME: &str = "/home/sam";
/// The one timestamp every recorded time becomes.
pub const WHEN: &str = "2026-01-05T10:00:00.000Z";

/// Makes recorded answers stable across runs: UUIDs become `id-N` (in order of first sight,
/// the same one everywhere it appears), times become [`WHEN`], temporary folders [`HOME`].
#[derive(Default)]
pub struct Normaliser {
    /// Temporary folders to show as [`HOME`].
    pub roots: Vec<String>,
    ids: HashMap<String, String>,
    names: HashMap<&'static str, usize>,
}

impl Normaliser {
    /// Names an id after what it is (`evidence-1`), wherever it appears later.
    pub fn name(&mut self, id: &str, kind: &'static str) {
        if self.ids.contains_key(id) {
            return;
        }
        let n = self.names.entry(kind).or_default();
        *n += 1;
        self.ids.insert(id.to_owned(), format!("{kind}-{n}"));
    }

    /// `v` with every string made stable.
    pub fn value(&mut self, mut v: Value) -> Value {
        self.walk(&mut v);
        v
    }

    fn walk(&mut self, v: &mut Value) {
        match v {
            Value::String(s) => *s = self.text(s),
            Value::Array(items) => items.iter_mut().for_each(|i| self.walk(i)),
            Value::Object(map) => map.values_mut().for_each(|i| self.walk(i)),
            _ => {}
        }
    }

    /// `s` made stable.
    pub fn text(&mut self, s: &str) -> String {
        let mut out = replace_local_times(&replace_timestamps(s));
        for r in &self.roots {
            out = out.replace(r.as_str(), HOME);
        }
        // UUIDs anywhere in the text (an id, or a message naming one).
        let mut i = 0;
        while i + 36 <= out.len() {
            if out.is_char_boundary(i) && out.is_char_boundary(i + 36) && is_uuid(&out[i..i + 36]) {
                let id = out[i..i + 36].to_owned();
                if !self.ids.contains_key(&id) {
                    self.name(&id, "id");
                }
                let label = self.ids[&id].clone();
                out.replace_range(i..i + 36, &label);
                i += label.len();
            } else {
                i += 1;
            }
        }
        out
    }
}

/// Whether `s` is a UUID in its text form.
pub fn is_uuid(s: &str) -> bool {
    s.len() == 36
        && s.char_indices().all(|(i, c)| {
            if [8, 13, 18, 23].contains(&i) {
                c == '-'
            } else {
                c.is_ascii_hexdigit()
            }
        })
}

/// Every time in a text ("2026-12-01T09:54:58.123Z", alone or inside a message) as [`WHEN`];
/// a date alone (a due date) stays.
fn replace_timestamps(s: &str) -> String {
    let b = s.as_bytes();
    let digits =
        |r: std::ops::Range<usize>| r.clone().all(|i| b.get(i).is_some_and(u8::is_ascii_digit));
    let mut out = String::with_capacity(s.len());
    let (mut i, mut copied) = (0, 0);
    while i + 19 <= b.len() {
        let starts = digits(i..i + 4)
            && b[i + 4] == b'-'
            && digits(i + 5..i + 7)
            && b[i + 7] == b'-'
            && digits(i + 8..i + 10)
            && b[i + 10] == b'T'
            && digits(i + 11..i + 13)
            && b[i + 13] == b':'
            && digits(i + 14..i + 16)
            && b[i + 16] == b':'
            && digits(i + 17..i + 19);
        if !starts {
            i += 1;
            continue;
        }
        let mut end = i + 19;
        if b.get(end) == Some(&b'.') {
            end += 1;
            while b.get(end).is_some_and(u8::is_ascii_digit) {
                end += 1;
            }
        }
        if b.get(end) == Some(&b'Z') {
            end += 1;
        }
        // Only ASCII was matched, so both ends are character boundaries.
        out.push_str(&s[copied..i]);
        out.push_str(WHEN);
        copied = end;
        i = end;
    }
    out.push_str(&s[copied..]);
    out
}

/// Every time a message words for people ("10:05 on 1 December 2026", as a conflict says when
/// the other change was made) as [`WHEN`].
fn replace_local_times(s: &str) -> String {
    const MONTHS: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    let mut out = s.to_owned();
    let mut from = 0;
    while let Some(found) = out[from..].find(" on ") {
        let at = from + found;
        let b = out.as_bytes();
        let time_ok = at >= 5
            && b[at - 3] == b':'
            && [at - 5, at - 4, at - 2, at - 1]
                .iter()
                .all(|i| b[*i].is_ascii_digit());
        let rest = &out[at + 4..];
        let mut words = rest.splitn(4, ' ');
        let (day, month, year) = (words.next(), words.next(), words.next());
        let date_len = match (day, month, year) {
            (Some(d), Some(m), Some(y))
                if (1..=2).contains(&d.len())
                    && d.bytes().all(|c| c.is_ascii_digit())
                    && MONTHS.contains(&m)
                    && y.len() >= 4
                    && y.as_bytes()[..4].iter().all(u8::is_ascii_digit) =>
            {
                Some(d.len() + 1 + m.len() + 1 + 4)
            }
            _ => None,
        };
        match (time_ok, date_len) {
            (true, Some(len)) => {
                out.replace_range(at - 5..at + 4 + len, WHEN);
                from = at - 5 + WHEN.len();
            }
            _ => from = at + 4,
        }
    }
    out
}
