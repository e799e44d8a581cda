// What the UI calls: the generated wrapper of every command (commands.ts, from the Rust
// declaration in src-tauri/command_list.rs), and how failures are shaped (invoke.ts).

export { commands as api } from './commands';
export { isCommandError, toCommandError } from './invoke';

/** Whether the UI runs inside the desktop shell (not in a plain browser or a test). */
export function inDesktopShell(): boolean {
  return typeof window !== 'undefined' && '__TAURI_INTERNALS__' in window;
}
