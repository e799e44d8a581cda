import { describe, expect, it } from 'vitest';
import { benchmarkStep, isMac, isSearchShortcut, isTextEntry } from './shortcuts';

const keys = (key: string, mods: Partial<Record<'altKey' | 'ctrlKey' | 'metaKey' | 'shiftKey', boolean>> = {}) => ({
  key,
  altKey: false,
  ctrlKey: false,
  metaKey: false,
  shiftKey: false,
  ...mods,
});

describe('shortcuts', () => {
  it('Ctrl+K and Cmd+K go to search; other combinations do not', () => {
    expect(isSearchShortcut(keys('k', { ctrlKey: true }))).toBe(true);
    expect(isSearchShortcut(keys('K', { metaKey: true }))).toBe(true);
    expect(isSearchShortcut(keys('k'))).toBe(false);
    expect(isSearchShortcut(keys('k', { ctrlKey: true, shiftKey: true }))).toBe(false);
  });

  it('Alt+arrows step between benchmarks', () => {
    expect(benchmarkStep(keys('ArrowLeft', { altKey: true }))).toBe('previous');
    expect(benchmarkStep(keys('ArrowRight', { altKey: true }))).toBe('next');
    expect(benchmarkStep(keys('ArrowRight'))).toBeNull();
    expect(benchmarkStep(keys('ArrowRight', { altKey: true, ctrlKey: true }))).toBeNull();
    expect(benchmarkStep(keys('ArrowUp', { altKey: true }))).toBeNull();
  });

  it('knows where typing happens', () => {
    expect(isTextEntry(document.createElement('textarea'))).toBe(true);
    const text = document.createElement('input');
    expect(isTextEntry(text)).toBe(true);
    const radio = document.createElement('input');
    radio.type = 'radio';
    expect(isTextEntry(radio)).toBe(false);
    expect(isTextEntry(document.createElement('button'))).toBe(false);
    expect(isTextEntry(null)).toBe(false);
  });

  it('recognises a Mac', () => {
    expect(isMac('MacIntel')).toBe(true);
    expect(isMac('Win32')).toBe(false);
    expect(isMac('Linux x86_64')).toBe(false);
  });
});
