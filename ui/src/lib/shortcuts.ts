// Keyboard shortcuts, matched on KeyboardEvent fields so they can be tested without a DOM.

type Keys = Pick<KeyboardEvent, 'key' | 'altKey' | 'ctrlKey' | 'metaKey' | 'shiftKey'>;

/** Ctrl+K (Cmd+K on a Mac): go to search. */
export function isSearchShortcut(e: Keys): boolean {
  return e.key.toLowerCase() === 'k' && (e.ctrlKey || e.metaKey) && !e.altKey && !e.shiftKey;
}

/** Alt+ArrowLeft / Alt+ArrowRight: previous / next benchmark. */
export function benchmarkStep(e: Keys): 'previous' | 'next' | null {
  if (!e.altKey || e.ctrlKey || e.metaKey || e.shiftKey) return null;
  if (e.key === 'ArrowLeft') return 'previous';
  if (e.key === 'ArrowRight') return 'next';
  return null;
}

/** Whether the event comes from a place where typing happens (Alt+Arrow moves by word on a Mac). */
export function isTextEntry(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable || target instanceof HTMLTextAreaElement) return true;
  return (
    target instanceof HTMLInputElement &&
    !['checkbox', 'radio', 'button', 'submit', 'reset', 'range', 'color', 'file'].includes(target.type)
  );
}

/** Whether the computer is a Mac (shortcuts read ⌘ rather than Ctrl). */
export function isMac(platform: string = typeof navigator === 'undefined' ? '' : navigator.platform): boolean {
  return /mac/i.test(platform);
}
