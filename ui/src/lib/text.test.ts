import { describe, expect, it } from 'vitest';
import { excerpt, joinAnd, plural, sentence } from './text';

describe('text helpers', () => {
  it('joins lists the way people write them', () => {
    expect(joinAnd([])).toBe('');
    expect(joinAnd(['A'])).toBe('A');
    expect(joinAnd(['A', 'B'])).toBe('A and B');
    expect(joinAnd(['A', 'B', 'C'])).toBe('A, B and C');
  });

  it('pluralises', () => {
    expect(plural(1, 'benchmark')).toBe('1 benchmark');
    expect(plural(0, 'benchmark')).toBe('0 benchmarks');
    expect(plural(2, 'thing', 'things to do')).toBe('2 things to do');
  });

  it('cuts excerpts on characters, on one line', () => {
    expect(excerpt('short')).toBe('short');
    expect(excerpt('line one\n\nline   two', 100)).toBe('line one line two');
    expect(excerpt('abcdefghij', 5)).toBe('abcd…');
    expect(excerpt('🙂🙂🙂🙂🙂🙂', 4)).toBe('🙂🙂🙂…');
  });

  it('turns a note into a sentence', () => {
    expect(sentence('renamed from 6.3 in version 1.0')).toBe('Renamed from 6.3 in version 1.0.');
    expect(sentence('Already done.')).toBe('Already done.');
    expect(sentence('  ')).toBe('');
  });
});
