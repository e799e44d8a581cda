import { describe, expect, it } from 'vitest';
import { reviews, testQuality } from '../test/core';
import { benchmarkEntries, benchmarkTitles, describeLevel, descriptorFor, findBenchmark } from './framework';

const rf = testQuality.review_framework;

describe('framework look-ups', () => {
  it('lists benchmarks in the core’s order, with their dimension and group', () => {
    expect(benchmarkEntries(rf).map((e) => e.benchmark.id)).toEqual(rf.order.map((p) => p.id));
    expect(benchmarkEntries(rf).map((e) => e.benchmark.id)).toEqual(['1.1', '1.2', '2.1']);
    expect(findBenchmark(rf, '2.1')?.group?.title).toBe('Planning');
    expect(findBenchmark(rf, '1.1')?.dimension.title).toBe('Leadership');
    expect(findBenchmark(rf, '9.9')).toBeUndefined();
    expect(benchmarkTitles(rf)).toEqual({ '1.1': 'Vision', '1.2': 'Monitoring', '2.1': 'Coverage' });
  });

  it('follows the order it is given, not the file’s', () => {
    const reversed = { ...rf, order: [...rf.order].reverse() };
    expect(benchmarkEntries(reversed).map((e) => e.benchmark.id)).toEqual(['2.1', '1.2', '1.1']);
  });

  it('names levels and says when one is off the scale', () => {
    expect(describeLevel(rf.framework, 2)).toBe('Level 2 · Developing');
    expect(describeLevel(rf.framework, null)).toBe('No level');
    expect(describeLevel(rf.framework, 7)).toBe('Level 7 (not on this scale)');
    expect(describeLevel(reviews['no-levels'].review_framework.framework, 1)).toBe('Level 1 (not on this scale)');
  });

  it('finds a level’s descriptor and its next steps, which a level may lack', () => {
    const monitoring = findBenchmark(rf, '1.2')!.benchmark;
    expect(descriptorFor(monitoring, 1)?.next_steps).toBe('Plan monitoring.');
    // Level 2 is not the top of the scale, yet has no next steps.
    expect(descriptorFor(monitoring, 2)?.next_steps).toBeNull();
    expect(descriptorFor(monitoring, null)).toBeUndefined();
  });
});
