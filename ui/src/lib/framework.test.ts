import { describe, expect, it } from 'vitest';
import type { FrameworkDef, Response } from './bindings';
import { framework } from '../test/fixtures';
import {
  atLeastAsMature,
  chosenNextSteps,
  describeGaps,
  describeLevel,
  firstNotDone,
  flattenBenchmarks,
  isDone,
  levelsByMaturity,
  requiresLevel,
} from './framework';

const response = (benchmark_id: string, level: number | null, commentary: string): Response => ({
  benchmark_id,
  level,
  commentary,
  needs_confirmation: false,
  carried_note: null,
  revision: 1,
  updated_by: 'sam',
  updated_at: '2026-01-01T00:00:00Z',
});

describe('framework helpers', () => {
  it('compares maturity the way the scale runs', () => {
    expect(atLeastAsMature(framework, 3, 3)).toBe(true);
    expect(atLeastAsMature(framework, 2, 3)).toBe(false);
    const descending = { ...framework, scale: { ...framework.scale!, direction: 'descending' as const } };
    expect(atLeastAsMature(descending, 2, 3)).toBe(true);
    expect(atLeastAsMature(descending, 4, 3)).toBe(false);
  });

  it('orders benchmarks as the core does: a dimension’s own, then its groups’', () => {
    expect(flattenBenchmarks(framework).map((e) => e.benchmark.id)).toEqual(['1.1', '1.2', '2.1']);
    expect(flattenBenchmarks(framework)[2]?.group?.title).toBe('Planning');
  });

  it('counts a benchmark once it has a level on the scale and commentary', () => {
    expect(isDone(framework, undefined)).toBe(false);
    expect(isDone(framework, response('1.1', 2, '  '))).toBe(false);
    expect(isDone(framework, response('1.1', null, 'We do.'))).toBe(false);
    expect(isDone(framework, response('1.1', 9, 'We do.'))).toBe(false);
    expect(isDone(framework, response('1.1', 2, 'We do.'))).toBe(true);
    expect(describeGaps(framework, undefined)).toBe('No level or commentary yet');
    expect(describeGaps(framework, response('1.1', 2, ''))).toBe('No commentary yet');
  });

  it('needs commentary only in a framework without levels', () => {
    const noLevels: FrameworkDef = { ...framework, scale: null, progress: null };
    expect(requiresLevel(noLevels)).toBe(false);
    expect(isDone(noLevels, response('1.1', null, 'We do.'))).toBe(true);
  });

  it('orders levels from least to most mature on either kind of scale', () => {
    expect(levelsByMaturity(framework).map((l) => l.value)).toEqual([1, 2, 3]);
    const descending: FrameworkDef = { ...framework, scale: { ...framework.scale!, direction: 'descending' } };
    expect(levelsByMaturity(descending).map((l) => l.value)).toEqual([3, 2, 1]);
  });

  it('names levels and says when one is off the scale', () => {
    expect(describeLevel(framework, 2)).toBe('Level 2 · Developing');
    expect(describeLevel(framework, null)).toBe('No level');
    expect(describeLevel(framework, 7)).toBe('Level 7 (not on this scale)');
  });

  it('lists the first benchmarks to do and the next steps of chosen levels', () => {
    const responses = { '1.1': response('1.1', 2, 'Shared.'), '1.2': response('1.2', 3, '') };
    expect(firstNotDone(framework, responses, 5).map((e) => e.benchmark.id)).toEqual(['1.2', '2.1']);
    // 1.2 is at the top level, which has no next steps.
    expect(chosenNextSteps(framework, responses).map((s) => [s.entry.benchmark.id, s.text])).toEqual([
      ['1.1', 'Share the vision with staff.'],
    ]);
  });
});
