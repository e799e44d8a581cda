// "Who I am": the name recorded in history for this computer's changes. Kept in the webview's
// localStorage (it is a preference of this person on this computer, not review data).

export const IDENTITY_KEY = 'waymark.who-i-am';

type Store = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

/** The stored name, else the login name, else a placeholder the core accepts. */
export function readIdentity(storage: Store | undefined, loginName: string): string {
  let stored: string | null;
  try {
    stored = storage?.getItem(IDENTITY_KEY) ?? null;
  } catch {
    stored = null;
  }
  const name = stored?.trim() || loginName.trim();
  return name || 'Waymark user';
}

/** Stores the name; an empty name goes back to the login name. Returns the name now in use. */
export function writeIdentity(storage: Store | undefined, name: string, loginName: string): string {
  const trimmed = name.trim();
  try {
    if (trimmed) storage?.setItem(IDENTITY_KEY, trimmed);
    else storage?.removeItem(IDENTITY_KEY);
  } catch {
    // Storage can be unavailable; the name still applies for this session.
  }
  return trimmed || readIdentity(undefined, loginName);
}
