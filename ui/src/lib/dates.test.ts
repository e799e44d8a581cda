import { describe, expect, it } from 'vitest';
import { formatDueDate, formatWhen } from './dates';

const now = new Date('2026-03-10T12:00:00Z');

describe('dates', () => {
  it('says today and yesterday, in the given time zone', () => {
    expect(formatWhen('2026-03-10T08:05:00Z', { now, timeZone: 'UTC' })).toBe('today at 08:05');
    expect(formatWhen('2026-03-09T23:30:00Z', { now, timeZone: 'UTC' })).toBe('yesterday at 23:30');
    // 23:30 UTC on the 9th is already the 10th in Berlin.
    expect(formatWhen('2026-03-09T23:30:00Z', { now, timeZone: 'Europe/Berlin' })).toBe('today at 00:30');
  });

  it('gives the date for older changes, and passes through what it cannot read', () => {
    expect(formatWhen('2025-12-01T16:40:00Z', { now, timeZone: 'UTC' })).toBe('1 Dec 2025 at 16:40');
    expect(formatWhen('not a date', { now })).toBe('not a date');
  });

  it('formats due dates', () => {
    expect(formatDueDate('2027-03-31')).toBe('31 Mar 2027');
    expect(formatDueDate('soon')).toBe('soon');
  });
});
