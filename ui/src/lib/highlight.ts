// Splits search-result text into plain and matched pieces, so the words searched for can be
// marked without injecting HTML. Matching is case-insensitive, like the core's search.

export interface Segment {
  text: string;
  match: boolean;
}

/** The words of a query, lowercased, without repeats. */
export function queryWords(query: string): string[] {
  return [...new Set(query.toLowerCase().split(/\s+/).filter((w) => w !== ''))];
}

/** The text cut into segments; each occurrence of a query word is a matched segment. */
export function highlight(text: string, query: string): Segment[] {
  const words = queryWords(query);
  const lower = text.toLowerCase();
  // Lowercasing can change the length of some characters; then positions would not line up.
  if (words.length === 0 || lower.length !== text.length) return text ? [{ text, match: false }] : [];
  const ranges: [number, number][] = [];
  for (const word of words) {
    for (let at = lower.indexOf(word); at !== -1; at = lower.indexOf(word, at + word.length)) {
      ranges.push([at, at + word.length]);
    }
  }
  ranges.sort((a, b) => a[0] - b[0] || b[1] - a[1]);
  const merged: [number, number][] = [];
  for (const [start, end] of ranges) {
    const last = merged[merged.length - 1];
    if (last && start <= last[1]) last[1] = Math.max(last[1], end);
    else merged.push([start, end]);
  }
  const out: Segment[] = [];
  let pos = 0;
  for (const [start, end] of merged) {
    if (start > pos) out.push({ text: text.slice(pos, start), match: false });
    out.push({ text: text.slice(start, end), match: true });
    pos = end;
  }
  if (pos < text.length) out.push({ text: text.slice(pos), match: false });
  return out;
}
