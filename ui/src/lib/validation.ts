// What a form does with what was typed, and with the core's verdict on it. The rules themselves
// are the core's alone: forms ask check_institution, check_action or check_contributor for every
// problem at once and show each beside its field; a save the core refuses names a field too and
// is shown in the same place. Nothing here decides whether input is acceptable.

import type { FieldProblem } from './bindings';

/** A message to show beside each field that has one. */
export type FieldErrors = Record<string, string>;

/** Trimmed text, or null when empty (optional fields are sent as null). */
export function optional(value: string): string | null {
  const t = value.trim();
  return t === '' ? null : t;
}

/** The core's problems by field (the first it gave for each). */
export function byField(problems: FieldProblem[]): FieldErrors {
  const errors: FieldErrors = {};
  for (const p of problems) errors[p.field] ??= p.message;
  return errors;
}

/** A whole number typed in a number field, or null when it is not one: a command taking a
 * count (months, days) cannot carry anything else. Whether the number is acceptable is the
 * core's to say. */
export function wholeNumber(value: number | null | undefined): number | null {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : null;
}
