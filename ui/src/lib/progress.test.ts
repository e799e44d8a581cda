import { describe, expect, it } from 'vitest';
import { firstStatus, reviews, testQuality } from '../test/core';
import { benchmarkProgress, describeRatio, fraction, percent, ringDash } from './progress';

const ratio = (done: number, total: number, percent: number) => ({ done, total, percent });

describe('progress formatting', () => {
  it('shows the core’s percentage, never its own', () => {
    // 499 of 1000 is 49% in the core (rounded down), so it must not read 50% here.
    expect(percent(ratio(499, 1000, 49))).toBe(49);
    expect(describeRatio(ratio(499, 1000, 49))).toBe('499 of 1000 (49%)');
    // A review without required evidence has 0 of 0: 100% by the core's rule (nothing is
    // missing), as the CLI and the report print it.
    const evidence = firstStatus(reviews['no-levels']).progress.evidence;
    expect(describeRatio(evidence)).toBe('0 of 0 (100%)');
    expect(fraction(evidence)).toBe(1);
  });

  it('fills bars by the percentage, clamped', () => {
    expect(fraction(ratio(1, 4, 25))).toBe(0.25);
    expect(fraction(ratio(0, 20, 0))).toBe(0);
    expect(fraction(ratio(5, 4, 125))).toBe(1);
  });

  it('describes ratios with the right noun', () => {
    expect(describeRatio(ratio(3, 12, 25))).toBe('3 of 12 (25%)');
    expect(describeRatio(ratio(0, 1, 0), { one: 'item', many: 'items' })).toBe('0 of 1 item (0%)');
    expect(describeRatio(ratio(1, 2, 50), { one: 'item', many: 'items' })).toBe('1 of 2 items (50%)');
  });

  it('draws the ring in proportion', () => {
    const c = 2 * Math.PI * 10;
    const [filled, gap] = ringDash(ratio(1, 4, 25), 10).split(' ').map(Number);
    expect(filled).toBeCloseTo(c / 4, 1);
    expect(gap).toBeCloseTo((3 * c) / 4, 1);
    expect(ringDash(ratio(0, 4, 0), 10).startsWith('0.00 ')).toBe(true);
  });

  it('looks up each benchmark’s state as the core judged it', () => {
    const byId = benchmarkProgress(firstStatus(testQuality));
    expect([...byId.keys()]).toEqual(['1.1', '1.2', '2.1']);
    expect(byId.get('1.1')?.missing).toEqual({ level: true, commentary: true });
    expect(benchmarkProgress(null).size).toBe(0);
  });
});
