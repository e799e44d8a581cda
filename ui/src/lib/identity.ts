// "Who I am": the name recorded in the history of changes made on this computer. The core keeps
// it in the data folder (set_author; app_info.user reports it, or the login name), so it is the
// same for every front end and moves with a restored backup. Earlier versions of the app kept it
// in the webview's localStorage; this moves such a name into the data folder once.

/** Where earlier versions of the app kept the name. */
export const OLD_IDENTITY_KEY = 'waymark.who-i-am';

type Store = Pick<Storage, 'getItem' | 'removeItem'>;

/**
 * Moves a name kept by an earlier version into the data folder, once: sent with `setAuthor`
 * only when the data folder has no name of its own (`userIsSet` false), so a name set since is
 * never overwritten. The old key is forgotten once the data folder has a name; if sending
 * fails it stays, to be tried at the next start. Returns the name now in use, or null when
 * nothing was moved.
 */
export async function moveOldIdentity(
  storage: Store | undefined,
  userIsSet: boolean,
  setAuthor: (name: string) => Promise<string>,
): Promise<string | null> {
  let old: string | null;
  try {
    old = storage?.getItem(OLD_IDENTITY_KEY)?.trim() || null;
  } catch {
    return null;
  }
  if (!old) return null;
  let moved: string | null = null;
  if (!userIsSet) {
    try {
      moved = await setAuthor(old);
    } catch {
      return null;
    }
  }
  try {
    storage?.removeItem(OLD_IDENTITY_KEY);
  } catch {
    // Unavailable storage cannot be cleared; the data folder has a name now, so it is not read again.
  }
  return moved;
}
