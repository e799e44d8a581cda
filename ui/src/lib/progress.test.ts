import { describe, expect, it } from 'vitest';
import { describeRatio, fraction, percent, ringDash } from './progress';

describe('progress formatting', () => {
  it('rounds percentages down, as the core does', () => {
    expect(percent({ done: 0, total: 20 })).toBe(0);
    expect(percent({ done: 9, total: 19 })).toBe(47);
    // 49.9…% must not show as 50% before the 50% certificate unlocks.
    expect(percent({ done: 499, total: 1000 })).toBe(49);
    expect(percent({ done: 1, total: 3 })).toBe(33);
    expect(percent({ done: 2, total: 3 })).toBe(66);
    expect(percent({ done: 20, total: 20 })).toBe(100);
  });

  it('treats an empty total as 0% and clamps overshoot', () => {
    expect(percent({ done: 0, total: 0 })).toBe(0);
    expect(percent({ done: 5, total: 4 })).toBe(100);
    expect(fraction({ done: 5, total: 4 })).toBe(1);
    expect(fraction({ done: 0, total: 0 })).toBe(0);
  });

  it('describes ratios with the right noun', () => {
    expect(describeRatio({ done: 3, total: 12 })).toBe('3 of 12 (25%)');
    expect(describeRatio({ done: 0, total: 1 }, { one: 'item', many: 'items' })).toBe('0 of 1 item (0%)');
    expect(describeRatio({ done: 1, total: 2 }, { one: 'item', many: 'items' })).toBe('1 of 2 items (50%)');
  });

  it('draws the ring in proportion', () => {
    const c = 2 * Math.PI * 10;
    const [filled, gap] = ringDash({ done: 1, total: 4 }, 10).split(' ').map(Number);
    expect(filled).toBeCloseTo(c / 4, 1);
    expect(gap).toBeCloseTo((3 * c) / 4, 1);
    expect(ringDash({ done: 0, total: 4 }, 10).startsWith('0.00 ')).toBe(true);
  });
});
