// The autosave state machine behind the benchmark editor.
//
//   saved ──edit──▶ dirty ──(delay, or flush)──▶ saving ──ok──▶ saved (or dirty if edited meanwhile)
//                                                   └──fail──▶ error | conflict
//
// One save runs at a time; edits made while a save runs are saved after it. A failed save
// keeps the draft (nothing typed is dropped) and is retried by the next edit or flush. A
// conflict stops autosaving until the lead chooses a version (resolve / discard).

import type { CommandError } from './bindings';
import { toCommandError } from './api';

export type SaveState =
  | { kind: 'saved' }
  | { kind: 'dirty' }
  | { kind: 'saving' }
  | { kind: 'error'; error: CommandError }
  | { kind: 'conflict'; error: CommandError };

export interface AutosaveOptions<T> {
  /** Writes a value; rejects with a CommandError (code "conflict" for a newer stored revision). */
  save: (value: T) => Promise<void>;
  /** Quiet time after the last edit before saving, in milliseconds. */
  delay?: number;
  /** Called on every state change. */
  onState?: (state: SaveState) => void;
}

export class Autosaver<T> {
  readonly #save: (value: T) => Promise<void>;
  readonly #delay: number;
  readonly #onState: (state: SaveState) => void;
  #draft: T | undefined;
  #dirty = false;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #inflight: Promise<void> | undefined;
  #state: SaveState = { kind: 'saved' };

  constructor(options: AutosaveOptions<T>) {
    this.#save = options.save;
    this.#delay = options.delay ?? 500;
    this.#onState = options.onState ?? (() => {});
  }

  get state(): SaveState {
    return this.#state;
  }

  /** The value not yet saved, if any. */
  get pending(): T | undefined {
    return this.#dirty ? this.#draft : undefined;
  }

  /** Records an edit; it is saved after `delay` ms without further edits. */
  edit(value: T): void {
    this.#draft = value;
    this.#dirty = true;
    if (this.#state.kind === 'conflict') return;
    if (!this.#inflight) this.#set({ kind: 'dirty' });
    this.#schedule();
  }

  /**
   * Saves any pending edit now and waits for every save under way. Resolves to true when
   * everything is saved, false when a save failed or a conflict waits for the lead.
   */
  async flush(): Promise<boolean> {
    this.#cancelTimer();
    for (;;) {
      const inflight = this.#inflight;
      if (inflight) {
        await inflight;
        if (this.#inflight === inflight) this.#inflight = undefined;
        continue;
      }
      if (this.#state.kind === 'conflict') return false;
      if (!this.#dirty) return this.#state.kind === 'saved';
      await this.#run();
      if (this.#failed()) return false;
    }
  }

  /** After a conflict: keep the draft and save it (the caller has moved its base revision). */
  resolve(): Promise<boolean> {
    if (this.#state.kind === 'conflict') this.#set({ kind: 'dirty' });
    this.#dirty = this.#draft !== undefined;
    return this.flush();
  }

  /** Drops the draft (after choosing the stored version, or loading another benchmark). */
  discard(): void {
    this.#cancelTimer();
    this.#dirty = false;
    this.#draft = undefined;
    if (!this.#inflight) this.#set({ kind: 'saved' });
  }

  /** Stops the timer; a save under way still finishes. */
  dispose(): void {
    this.#cancelTimer();
  }

  #failed(): boolean {
    return this.#state.kind === 'error' || this.#state.kind === 'conflict';
  }

  #schedule(): void {
    this.#cancelTimer();
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      // A save under way picks the edit up when it finishes.
      if (!this.#inflight && this.#dirty && this.#state.kind !== 'conflict') void this.#run();
    }, this.#delay);
  }

  #cancelTimer(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #run(): Promise<void> {
    this.#cancelTimer();
    const value = this.#draft as T;
    this.#dirty = false;
    this.#set({ kind: 'saving' });
    const run = (async () => {
      try {
        await this.#save(value);
        if (this.#dirty) {
          this.#set({ kind: 'dirty' });
          this.#schedule();
        } else {
          this.#set({ kind: 'saved' });
        }
      } catch (e) {
        const error = toCommandError(e);
        // The value that failed is still unsaved unless a newer edit replaced it.
        this.#dirty = true;
        this.#set(error.code === 'conflict' ? { kind: 'conflict', error } : { kind: 'error', error });
      }
    })();
    this.#inflight = run;
    void run.finally(() => {
      if (this.#inflight === run) this.#inflight = undefined;
    });
    return run;
  }

  #set(state: SaveState): void {
    this.#state = state;
    this.#onState(state);
  }
}

/** The words shown in the save-status area (exactly "Saved" when nothing is pending). */
export function describeSaveState(state: SaveState): string {
  switch (state.kind) {
    case 'saved':
      return 'Saved';
    case 'dirty':
      return 'Unsaved changes';
    case 'saving':
      return 'Saving…';
    case 'error':
      return `Not saved: ${state.error.message}`;
    case 'conflict':
      return 'Not saved: someone else changed this. Choose a version below.';
  }
}
