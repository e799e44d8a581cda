import { describe, expect, it, vi } from 'vitest';
import { OLD_IDENTITY_KEY, moveOldIdentity } from './identity';

function memory(entries: Record<string, string> = {}): Storage {
  const data = new Map(Object.entries(entries));
  return {
    get length() {
      return data.size;
    },
    clear: () => data.clear(),
    key: (i) => [...data.keys()][i] ?? null,
    getItem: (k) => data.get(k) ?? null,
    setItem: (k, v) => void data.set(k, v),
    removeItem: (k) => void data.delete(k),
  };
}

describe('moving who I am into the data folder', () => {
  it('sends a name kept by an earlier version once, then forgets it', async () => {
    const store = memory({ [OLD_IDENTITY_KEY]: '  Sam Lee ' });
    const setAuthor = vi.fn(async (name: string) => name);
    expect(await moveOldIdentity(store, false, setAuthor)).toBe('Sam Lee');
    expect(setAuthor.mock.calls).toEqual([['Sam Lee']]);
    expect(store.getItem(OLD_IDENTITY_KEY)).toBeNull();
    expect(await moveOldIdentity(store, true, setAuthor)).toBeNull();
    expect(setAuthor).toHaveBeenCalledTimes(1);
  });

  it('never overwrites a name the data folder already has', async () => {
    const store = memory({ [OLD_IDENTITY_KEY]: 'Old Name' });
    const setAuthor = vi.fn(async (name: string) => name);
    expect(await moveOldIdentity(store, true, setAuthor)).toBeNull();
    expect(setAuthor).not.toHaveBeenCalled();
    expect(store.getItem(OLD_IDENTITY_KEY)).toBeNull();
  });

  it('does nothing without an old name', async () => {
    const setAuthor = vi.fn(async (name: string) => name);
    expect(await moveOldIdentity(memory(), false, setAuthor)).toBeNull();
    expect(await moveOldIdentity(memory({ [OLD_IDENTITY_KEY]: '   ' }), false, setAuthor)).toBeNull();
    expect(await moveOldIdentity(undefined, false, setAuthor)).toBeNull();
    expect(setAuthor).not.toHaveBeenCalled();
  });

  it('keeps the old name to try again when sending fails', async () => {
    const store = memory({ [OLD_IDENTITY_KEY]: 'Sam Lee' });
    const failing = vi.fn(async () => Promise.reject({ code: 'read_only', message: 'x', field: null }));
    expect(await moveOldIdentity(store, false, failing)).toBeNull();
    expect(store.getItem(OLD_IDENTITY_KEY)).toBe('Sam Lee');
  });

  it('survives storage that throws', async () => {
    const broken = {
      getItem: () => {
        throw new Error('denied');
      },
      removeItem: () => {},
    };
    expect(await moveOldIdentity(broken, false, async (n) => n)).toBeNull();
  });
});
