// Reading a framework definition for display: benchmark order, levels in maturity order and
// the progress rule. These mirror the core's rules (crates/core/src/framework, progress.rs);
// the core stays the authority for progress and awards, the UI only marks done/not done.

import type {
  Benchmark,
  Dimension,
  FrameworkDef,
  Group,
  LevelDescriptor,
  Response,
  ScaleLevel,
} from './bindings';

export interface BenchmarkEntry {
  benchmark: Benchmark;
  dimension: Dimension;
  group: Group | null;
}

/** Every benchmark in framework order: per dimension, its own benchmarks then its groups'. */
export function flattenBenchmarks(def: FrameworkDef): BenchmarkEntry[] {
  const out: BenchmarkEntry[] = [];
  for (const dimension of def.dimensions) {
    for (const benchmark of dimension.benchmarks) out.push({ benchmark, dimension, group: null });
    for (const group of dimension.groups) {
      for (const benchmark of group.benchmarks) out.push({ benchmark, dimension, group });
    }
  }
  return out;
}

/** Looks a benchmark up by id. */
export function findBenchmark(def: FrameworkDef, id: string): BenchmarkEntry | undefined {
  return flattenBenchmarks(def).find((e) => e.benchmark.id === id);
}

/** Whether a level must be chosen for a benchmark to count (default: when there is a scale). */
export function requiresLevel(def: FrameworkDef): boolean {
  return def.progress?.require_level ?? def.scale !== null;
}

/** Whether commentary must be written for a benchmark to count (default: yes). */
export function requiresCommentary(def: FrameworkDef): boolean {
  return def.progress?.require_commentary ?? true;
}

/** What a benchmark still lacks under the framework's progress rule. */
export function gaps(
  def: FrameworkDef,
  response: Pick<Response, 'level' | 'commentary'> | undefined,
): { level: boolean; commentary: boolean } {
  const levelOk =
    response?.level != null && (def.scale?.levels.some((l) => l.value === response.level) ?? false);
  const commentaryOk = (response?.commentary.trim() ?? '') !== '';
  return {
    level: requiresLevel(def) && !levelOk,
    commentary: requiresCommentary(def) && !commentaryOk,
  };
}

/** Whether a benchmark counts towards progress. */
export function isDone(
  def: FrameworkDef,
  response: Pick<Response, 'level' | 'commentary'> | undefined,
): boolean {
  const g = gaps(def, response);
  return !g.level && !g.commentary;
}

/** "Done", or what is missing in plain words. */
export function describeGaps(
  def: FrameworkDef,
  response: Pick<Response, 'level' | 'commentary'> | undefined,
): string {
  const g = gaps(def, response);
  if (g.level && g.commentary) return 'No level or commentary yet';
  if (g.level) return 'No level chosen yet';
  if (g.commentary) return 'No commentary yet';
  return 'Done';
}

/** The scale's levels from least to most mature (descending scales have 1 as the best). */
export function levelsByMaturity(def: FrameworkDef): ScaleLevel[] {
  if (!def.scale) return [];
  const levels = [...def.scale.levels].sort((a, b) => a.value - b.value);
  return def.scale.direction === 'ascending' ? levels : levels.reverse();
}

/** Whether a level is at least as mature as a threshold on the framework's scale (on a
 * descending scale 1 is the most mature, so 2 is "at least" 3). */
export function atLeastAsMature(def: FrameworkDef, level: number, threshold: number): boolean {
  return def.scale?.direction === 'descending' ? level <= threshold : level >= threshold;
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

/** The first benchmarks not yet done, in framework order. */
export function firstNotDone(
  def: FrameworkDef,
  responses: Record<string, Response>,
  count: number,
): BenchmarkEntry[] {
  return flattenBenchmarks(def)
    .filter((e) => !isDone(def, responses[e.benchmark.id]))
    .slice(0, count);
}

/** The next-steps guidance of the levels chosen so far, in framework order. */
export function chosenNextSteps(
  def: FrameworkDef,
  responses: Record<string, Response>,
): { entry: BenchmarkEntry; level: number; text: string }[] {
  const out: { entry: BenchmarkEntry; level: number; text: string }[] = [];
  for (const entry of flattenBenchmarks(def)) {
    const level = responses[entry.benchmark.id]?.level ?? null;
    const text = descriptorFor(entry.benchmark, level)?.next_steps;
    if (level !== null && text) out.push({ entry, level, text });
  }
  return out;
}

/** The benchmarks of a dimension, in order (its own, then its groups'). */
export function dimensionBenchmarks(dimension: Dimension): Benchmark[] {
  return [...dimension.benchmarks, ...dimension.groups.flatMap((g) => g.benchmarks)];
}
