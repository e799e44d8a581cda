import { describe, expect, it } from 'vitest';
import { byField, optional, wholeNumber } from './validation';

// The rules themselves are the core's and are tested in Rust (crates/core/src/input.rs and
// store/*.rs); the forms' use of its answers is tested with the screens (a11y.test.ts,
// FirstRun.test.ts, BenchmarkPage.test.ts).
describe('form input', () => {
  it('trims optional text to null', () => {
    expect(optional('  ')).toBeNull();
    expect(optional(' Sam ')).toBe('Sam');
  });

  it('puts the core’s problems beside their fields, the first for each', () => {
    expect(byField([])).toEqual({});
    expect(
      byField([
        { field: 'name', message: 'Enter the name.' },
        { field: 'email', message: 'Not an email address.' },
        { field: 'name', message: 'A later problem.' },
      ]),
    ).toEqual({ name: 'Enter the name.', email: 'Not an email address.' });
  });

  it('keeps only whole numbers for a count, leaving whether it is acceptable to the core', () => {
    expect(wholeNumber(6)).toBe(6);
    expect(wholeNumber(0)).toBe(0);
    expect(wholeNumber(30)).toBe(30);
    expect(wholeNumber(null)).toBeNull();
    expect(wholeNumber(2.5)).toBeNull();
    expect(wholeNumber(-1)).toBeNull();
    expect(wholeNumber(Number.NaN)).toBeNull();
  });
});
