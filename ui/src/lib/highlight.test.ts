import { describe, expect, it } from 'vitest';
import { highlight, queryWords } from './highlight';

const marked = (text: string, query: string) =>
  highlight(text, query)
    .map((s) => (s.match ? `[${s.text}]` : s.text))
    .join('');

describe('search highlighting', () => {
  it('marks every word of the query, case-insensitively, keeping the original case', () => {
    expect(marked('Online safety and Safety days', 'safety')).toBe('Online [safety] and [Safety] days');
    expect(marked('Pupils assess their own work', 'ASSESS work')).toBe('Pupils [assess] their own [work]');
  });

  it('merges overlapping and touching matches', () => {
    expect(marked('assessment', 'assess sessment')).toBe('[assessment]');
    expect(marked('abcdef', 'abc def')).toBe('[abcdef]');
  });

  it('returns the text unmarked for an empty query, and nothing for empty text', () => {
    expect(highlight('Some text', '   ')).toEqual([{ text: 'Some text', match: false }]);
    expect(highlight('', 'x')).toEqual([]);
  });

  it('does not mark when lowercasing changes the length (positions would be wrong)', () => {
    expect(highlight('İstanbul', 'stan')).toEqual([{ text: 'İstanbul', match: false }]);
  });

  it('treats regex characters literally', () => {
    expect(marked('Level 2.3 (a+b)', '(a+b)')).toBe('Level 2.3 [(a+b)]');
  });

  it('splits queries into unique lowercase words', () => {
    expect(queryWords('  Data  data PROTECTION ')).toEqual(['data', 'protection']);
  });
});
