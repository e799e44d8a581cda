// Progress arithmetic for display. Percentages round down, as the core does, so "50%" never
// shows before the Certificate of Progress unlocks.

import type { Ratio } from './bindings';

/** Whole percent done, rounded down; 0 when there is nothing to do. */
export function percent(r: Ratio): number {
  if (r.total <= 0) return 0;
  return Math.floor((Math.min(r.done, r.total) * 100) / r.total);
}

/** "12 of 40 (30%)". */
export function describeRatio(r: Ratio, noun?: { one: string; many: string }): string {
  const what = noun ? ` ${r.total === 1 ? noun.one : noun.many}` : '';
  return `${r.done} of ${r.total}${what} (${percent(r)}%)`;
}

/** Fraction 0..1 for drawing a bar, clamped. */
export function fraction(r: Ratio): number {
  if (r.total <= 0) return 0;
  return Math.max(0, Math.min(1, r.done / r.total));
}

/** The SVG stroke-dasharray for a ring of radius r showing the ratio. */
export function ringDash(r: Ratio, radius: number): string {
  const circumference = 2 * Math.PI * radius;
  const filled = fraction(r) * circumference;
  return `${filled.toFixed(2)} ${(circumference - filled).toFixed(2)}`;
}
