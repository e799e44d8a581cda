import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Autosaver, describeSaveState, type SaveState } from './autosave';

interface Deferred {
  resolve: () => void;
  reject: (e: unknown) => void;
}

/** A save function whose calls the test settles by hand. */
function manualSave() {
  const calls: { value: string; settle: Deferred }[] = [];
  const save = (value: string) =>
    new Promise<void>((resolve, reject) => {
      calls.push({ value, settle: { resolve, reject } });
    });
  return { calls, save };
}

describe('Autosaver', () => {
  let states: SaveState['kind'][];
  beforeEach(() => {
    vi.useFakeTimers();
    states = [];
  });
  afterEach(() => vi.useRealTimers());

  it('saves once, after the last edit and the quiet delay', async () => {
    const { calls, save } = manualSave();
    const saver = new Autosaver<string>({ save, delay: 500, onState: (s) => states.push(s.kind) });
    saver.edit('a');
    await vi.advanceTimersByTimeAsync(300);
    saver.edit('ab');
    await vi.advanceTimersByTimeAsync(300);
    expect(calls).toHaveLength(0);
    expect(saver.state.kind).toBe('dirty');
    await vi.advanceTimersByTimeAsync(200);
    expect(calls.map((c) => c.value)).toEqual(['ab']);
    expect(saver.state.kind).toBe('saving');
    calls[0]!.settle.resolve();
    await vi.advanceTimersByTimeAsync(0);
    expect(saver.state.kind).toBe('saved');
    expect(states).toEqual(['dirty', 'dirty', 'saving', 'saved']);
  });

  it('flush saves at once and waits for the save', async () => {
    const { calls, save } = manualSave();
    const saver = new Autosaver<string>({ save });
    saver.edit('x');
    const flushed = saver.flush();
    await Promise.resolve();
    expect(calls.map((c) => c.value)).toEqual(['x']);
    let done = false;
    void flushed.then(() => (done = true));
    await Promise.resolve();
    expect(done).toBe(false);
    calls[0]!.settle.resolve();
    await expect(flushed).resolves.toBe(true);
    // The timer that was cancelled never saves again.
    await vi.advanceTimersByTimeAsync(1000);
    expect(calls).toHaveLength(1);
  });

  it('never runs two saves at once; an edit made during a save is saved after it', async () => {
    const { calls, save } = manualSave();
    const saver = new Autosaver<string>({ save, delay: 100 });
    saver.edit('one');
    await vi.advanceTimersByTimeAsync(100);
    expect(calls).toHaveLength(1);
    saver.edit('two');
    await vi.advanceTimersByTimeAsync(500);
    expect(calls).toHaveLength(1);
    expect(saver.state.kind).toBe('saving');
    calls[0]!.settle.resolve();
    await vi.advanceTimersByTimeAsync(0);
    expect(saver.state.kind).toBe('dirty');
    await vi.advanceTimersByTimeAsync(100);
    expect(calls.map((c) => c.value)).toEqual(['one', 'two']);
    calls[1]!.settle.resolve();
    await vi.advanceTimersByTimeAsync(0);
    expect(saver.state.kind).toBe('saved');
  });

  it('flush during a save waits for it and then saves the newer edit', async () => {
    const { calls, save } = manualSave();
    const saver = new Autosaver<string>({ save, delay: 100 });
    saver.edit('one');
    await vi.advanceTimersByTimeAsync(100);
    saver.edit('two');
    const flushed = saver.flush();
    calls[0]!.settle.resolve();
    await vi.advanceTimersByTimeAsync(0);
    expect(calls.map((c) => c.value)).toEqual(['one', 'two']);
    calls[1]!.settle.resolve();
    await expect(flushed).resolves.toBe(true);
    expect(saver.state.kind).toBe('saved');
  });

  it('keeps the draft after a failure and retries on the next flush', async () => {
    const { calls, save } = manualSave();
    const saver = new Autosaver<string>({ save });
    saver.edit('keep me');
    const first = saver.flush();
    calls[0]!.settle.reject({ code: 'database', message: 'The disk is full.', field: null });
    await expect(first).resolves.toBe(false);
    expect(saver.state).toEqual({ kind: 'error', error: { code: 'database', message: 'The disk is full.', field: null } });
    expect(saver.pending).toBe('keep me');
    const second = saver.flush();
    await Promise.resolve();
    expect(calls[1]!.value).toBe('keep me');
    calls[1]!.settle.resolve();
    await expect(second).resolves.toBe(true);
    expect(saver.pending).toBeUndefined();
  });

  it('wraps a raw string failure as a CommandError with advice', async () => {
    const saver = new Autosaver<string>({ save: () => Promise.reject('ipc closed') });
    saver.edit('x');
    await saver.flush();
    expect(saver.state.kind).toBe('error');
    if (saver.state.kind === 'error') {
      expect(saver.state.error.code).toBe('internal');
      expect(saver.state.error.message).toContain('ipc closed');
    }
  });

  it('stops on a conflict until resolved, then saves the kept draft', async () => {
    const { calls, save } = manualSave();
    const saver = new Autosaver<string>({ save, delay: 100 });
    saver.edit('mine');
    await vi.advanceTimersByTimeAsync(100);
    calls[0]!.settle.reject({ code: 'conflict', message: 'Changed by Alex.', field: null });
    await vi.advanceTimersByTimeAsync(0);
    expect(saver.state.kind).toBe('conflict');
    saver.edit('mine, edited');
    await vi.advanceTimersByTimeAsync(1000);
    expect(calls).toHaveLength(1);
    await expect(saver.flush()).resolves.toBe(false);
    const resolved = saver.resolve();
    await Promise.resolve();
    expect(calls[1]!.value).toBe('mine, edited');
    calls[1]!.settle.resolve();
    await expect(resolved).resolves.toBe(true);
  });

  it('discard drops the draft and reports saved', async () => {
    const { calls, save } = manualSave();
    const saver = new Autosaver<string>({ save, delay: 100 });
    saver.edit('theirs wins');
    saver.discard();
    await vi.advanceTimersByTimeAsync(500);
    expect(calls).toHaveLength(0);
    expect(saver.state.kind).toBe('saved');
    await expect(saver.flush()).resolves.toBe(true);
  });
});

describe('describeSaveState', () => {
  it('says exactly "Saved" when nothing is pending, and why otherwise', () => {
    expect(describeSaveState({ kind: 'saved' })).toBe('Saved');
    expect(describeSaveState({ kind: 'dirty' })).toBe('Unsaved changes');
    expect(describeSaveState({ kind: 'saving' })).toBe('Saving…');
    expect(
      describeSaveState({ kind: 'error', error: { code: 'invalid_input', message: 'Too long.', field: 'commentary' } }),
    ).toBe('Not saved: Too long.');
    expect(describeSaveState({ kind: 'conflict', error: { code: 'conflict', message: '', field: null } })).toMatch(
      /Choose a version/,
    );
  });
});
