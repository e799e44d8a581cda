// Saves that must finish before the window closes or the page changes. Editors register a
// flush function while they are open; the app awaits them all when the window is asked to close.

type Flush = () => Promise<boolean>;

const flushers = new Set<Flush>();

/** Registers a flush; returns the function that unregisters it. */
export function registerFlush(flush: Flush): () => void {
  flushers.add(flush);
  return () => flushers.delete(flush);
}

/** Runs every registered flush; true when everything is saved. */
export async function flushAll(): Promise<boolean> {
  const results = await Promise.all([...flushers].map((f) => f().catch(() => false)));
  return results.every(Boolean);
}
