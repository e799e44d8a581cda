/// <reference types="node" />
// Every colour pair the UI draws text or controls with meets WCAG 2.2 AA in both themes:
// 4.5:1 for text, 3:1 for control outlines, focus rings and chart bars.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { contrast, readTokens } from '../lib/theme';

// Vitest runs from ui/ (the package root).
const css = readFileSync(resolve(process.cwd(), 'src/styles/theme.css'), 'utf8');
const [lightCss, darkCss] = css.split('@media (prefers-color-scheme: dark)') as [string, string];
const themes = { light: readTokens(lightCss), dark: readTokens(darkCss) };

const TEXT: [string, string][] = [
  ['text', 'bg'],
  ['text', 'surface'],
  ['text', 'surface-2'],
  ['text', 'accent-soft'],
  ['text', 'success-soft'],
  ['text', 'danger-soft'],
  ['text', 'warning-soft'],
  ['text', 'mark-bg'],
  ['text-muted', 'bg'],
  ['text-muted', 'surface'],
  ['text-muted', 'accent-soft'],
  // Notes and links inside the tinted boxes (a request for evidence, a waiting delivery, an
  // application sent).
  ['text-muted', 'warning-soft'],
  ['text-muted', 'success-soft'],
  ['accent', 'warning-soft'],
  ['accent', 'success-soft'],
  ['accent', 'bg'],
  ['accent', 'surface'],
  ['accent', 'surface-2'],
  ['accent-hover', 'bg'],
  ['accent-text', 'accent'],
  ['accent-text', 'accent-hover'],
  ['success', 'bg'],
  ['success', 'surface'],
  ['success', 'success-soft'],
  ['danger', 'bg'],
  ['danger', 'surface'],
  ['danger', 'danger-soft'],
  ['warning', 'warning-soft'],
  ['warning', 'bg'],
  ['warning', 'surface'],
];

const NON_TEXT: [string, string][] = [
  ['border-strong', 'bg'],
  ['border-strong', 'surface'],
  ['focus', 'bg'],
  ['focus', 'surface'],
  ['accent', 'accent-soft'],
  ['bar-fill', 'bar-track'],
  ['bar-done', 'bar-track'],
  ['bar-fill', 'surface'],
  ['border-strong', 'warning-soft'],
];

describe.each(Object.entries(themes))('%s theme', (_name, tokens) => {
  it('defines the same tokens as the other theme', () => {
    expect(Object.keys(tokens).sort()).toEqual(Object.keys(themes.light).sort());
  });

  it.each(TEXT)('%s on %s has at least 4.5:1 contrast', (fg, bg) => {
    expect(contrast(tokens[fg]!, tokens[bg]!)).toBeGreaterThanOrEqual(4.5);
  });

  it.each(NON_TEXT)('%s against %s has at least 3:1 contrast', (fg, bg) => {
    expect(contrast(tokens[fg]!, tokens[bg]!)).toBeGreaterThanOrEqual(3);
  });
});

describe('contrast arithmetic', () => {
  it('matches the WCAG reference values', () => {
    expect(contrast('#000000', '#ffffff')).toBeCloseTo(21, 5);
    expect(contrast('#777777', '#ffffff')).toBeCloseTo(4.48, 2);
    expect(() => contrast('red', '#fff')).toThrow();
  });
});
