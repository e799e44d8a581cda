// Looking things up in the framework a review is judged by, for display: a benchmark's text,
// its dimension and group, a level's name, a descriptor. Order, maturity and what counts are
// the core's (ReviewFramework.order, .levels_by_maturity, Status.progress); nothing here
// compares levels or judges a response.

import type { Benchmark, Dimension, FrameworkDef, Group, LevelDescriptor, ReviewFramework } from './bindings';

export interface BenchmarkEntry {
  benchmark: Benchmark;
  dimension: Dimension;
  group: Group | null;
}

/** Every benchmark with its dimension and group, in the core's framework order. */
export function benchmarkEntries(rf: ReviewFramework): BenchmarkEntry[] {
  const dimensions = new Map(rf.framework.dimensions.map((d) => [d.id, d]));
  const groups = new Map(rf.framework.dimensions.flatMap((d) => d.groups.map((g) => [g.id, g] as const)));
  const benchmarks = new Map<string, Benchmark>();
  for (const d of rf.framework.dimensions) {
    for (const b of [...d.benchmarks, ...d.groups.flatMap((g) => g.benchmarks)]) benchmarks.set(b.id, b);
  }
  return rf.order.flatMap((place) => {
    const benchmark = benchmarks.get(place.id);
    const dimension = dimensions.get(place.dimension);
    if (!benchmark || !dimension) return [];
    return [{ benchmark, dimension, group: place.group === null ? null : (groups.get(place.group) ?? null) }];
  });
}

/** Looks a benchmark up by id. */
export function findBenchmark(rf: ReviewFramework, id: string): BenchmarkEntry | undefined {
  return benchmarkEntries(rf).find((e) => e.benchmark.id === id);
}

/** Benchmark titles by id, for lists that show ids. */
export function benchmarkTitles(rf: ReviewFramework): Record<string, string> {
  return Object.fromEntries(benchmarkEntries(rf).map((e) => [e.benchmark.id, e.benchmark.title]));
}

/** The name of a level ("Established"), or undefined when it is not on the scale. */
export function levelName(def: FrameworkDef, value: number | null): string | undefined {
  if (value === null) return undefined;
  return def.scale?.levels.find((l) => l.value === value)?.name;
}

/** "Level 3 · Established", or "No level" (also for values no longer on the scale). */
export function describeLevel(def: FrameworkDef, value: number | null): string {
  if (value === null) return 'No level';
  const name = levelName(def, value);
  return name ? `Level ${value} · ${name}` : `Level ${value} (not on this scale)`;
}

/** A benchmark's descriptor for a level. */
export function descriptorFor(benchmark: Benchmark, value: number | null): LevelDescriptor | undefined {
  if (value === null) return undefined;
  return benchmark.levels.find((l) => l.value === value);
}
