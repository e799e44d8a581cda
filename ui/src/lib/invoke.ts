// The one way the UI calls the desktop shell: every failure reaches the UI as a CommandError
// (the shell's own errors as they are, anything else wrapped with what to do), and progress
// arrives on a Channel. The typed wrappers of every command (commands.ts) are generated from
// the Rust declaration and use these.

import { Channel, invoke, type InvokeArgs } from '@tauri-apps/api/core';
import type { CommandError } from './bindings';

/** Whether a value has the shape of the shell's CommandError. */
export function isCommandError(value: unknown): value is CommandError {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.code === 'string' && typeof v.message === 'string';
}

/** Any failure as a CommandError, so the UI never shows a raw string or nothing at all. */
export function toCommandError(value: unknown): CommandError {
  if (isCommandError(value)) {
    const error: CommandError = {
      code: value.code,
      message: value.message,
      field: typeof value.field === 'string' ? value.field : null,
    };
    // A submission's own code (`network_proxy`, …), when the shell gives one.
    if (typeof value.detail === 'string') error.detail = value.detail;
    return error;
  }
  const detail =
    value instanceof Error ? value.message : typeof value === 'string' ? value.trim() : '';
  return {
    code: 'internal',
    message:
      `Waymark could not finish that${detail ? ` (${detail})` : ''}. ` +
      'Try again; if it keeps happening, close Waymark and open it again.',
    field: null,
  };
}

/** Invokes a command, turning every failure into a CommandError. */
export async function call<T>(command: string, args?: InvokeArgs): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (e) {
    throw toCommandError(e);
  }
}

/** A channel that hands each message to `onMessage`. */
export function channel<T>(onMessage: (message: T) => void): Channel<T> {
  const c = new Channel<T>();
  c.onmessage = onMessage;
  return c;
}
