import { describe, expect, it } from 'vitest';
import { words } from '../test/core';
import { gapsText, readProblemText, reasonBenchmark, reasonText, skipReasonText, statusDetailText } from './words';

// Each value and its English come from the core (crates/core/src/english.rs, recorded by
// src-tauri/ui_fixtures.rs), so the app words a reason exactly as the CLI and the report do.
describe('the UI’s English for the core’s values', () => {
  it('words every award reason as the core does', () => {
    expect(words.reasons.map((r) => r.value.kind)).toEqual(
      expect.arrayContaining(['not_registered', 'progress', 'dimensions_complete', 'required_evidence', 'future_actions', 'incomplete', 'below_threshold']),
    );
    for (const { value, english } of words.reasons) expect(reasonText(value)).toBe(english);
  });

  it('links only the reasons that name a benchmark', () => {
    const linked = words.reasons.map((r) => [r.value.kind, reasonBenchmark(r.value)]);
    expect(linked).toContainEqual(['below_threshold', '1.1']);
    expect(linked).toContainEqual(['incomplete', '1.2']);
    expect(linked.filter(([kind]) => kind === 'progress' || kind === 'required_evidence').every(([, b]) => b === null)).toBe(true);
  });

  it('words gaps, read problems and status details as the core does', () => {
    expect(words.gaps).toHaveLength(4);
    for (const { value, english } of words.gaps) expect(gapsText(value)).toBe(english);
    for (const { value, english } of words.read_problems) expect(readProblemText(value)).toBe(english);
    for (const { value, english } of words.status_details) expect(statusDetailText(value)).toBe(english);
    expect(words.status_details.map((d) => d.value.kind)).toEqual(['changed', 'gone', 'moved_from', 'moved_and_changed', 'unreadable']);
  });

  it('words skipped files as the core does, with the app’s name for freezing', () => {
    expect(words.skip_reasons).toHaveLength(6);
    for (const { value, english } of words.skip_reasons) {
      // The app's button is "Keep copies"; "freeze" is the command line's word for it.
      expect(skipReasonText(value)).toBe(english.replace('then freeze again', 'then keep copies again'));
      expect(skipReasonText(value)).not.toMatch(/freeze/);
    }
  });
});
