// Progress for display. Every percentage is the core's (Ratio.percent: rounded down, so "50%"
// never shows before the Certificate of Progress unlocks; an empty total is 100%), so the app,
// the CLI and the report print the same number. Nothing here counts or divides.

import type { BenchmarkProgress, Ratio, Status } from './bindings';

/** The core's whole percent. */
export function percent(r: Ratio): number {
  return r.percent;
}

/** "12 of 40 (30%)". */
export function describeRatio(r: Ratio, noun?: { one: string; many: string }): string {
  const what = noun ? ` ${r.total === 1 ? noun.one : noun.many}` : '';
  return `${r.done} of ${r.total}${what} (${r.percent}%)`;
}

/** How much of a bar to fill, 0..1: the core's percentage, clamped. */
export function fraction(r: Ratio): number {
  return Math.max(0, Math.min(1, r.percent / 100));
}

/** The SVG stroke-dasharray for a ring of radius r showing the ratio. */
export function ringDash(r: Ratio, radius: number): string {
  const circumference = 2 * Math.PI * radius;
  const filled = fraction(r) * circumference;
  return `${filled.toFixed(2)} ${(circumference - filled).toFixed(2)}`;
}

/** Each benchmark's state as the core judged it, by id. */
export function benchmarkProgress(status: Status | null): Map<string, BenchmarkProgress> {
  return new Map((status?.progress.benchmarks ?? []).map((b) => [b.id, b]));
}
