import { describe, expect, it } from 'vitest';
import { IDENTITY_KEY, readIdentity, writeIdentity } from './identity';

function memory(): Storage {
  const data = new Map<string, string>();
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

describe('who I am', () => {
  it('defaults to the login name, then to a placeholder', () => {
    expect(readIdentity(memory(), 'sam')).toBe('sam');
    expect(readIdentity(memory(), '  ')).toBe('Waymark user');
  });

  it('remembers a chosen name, and forgets it when cleared', () => {
    const store = memory();
    expect(writeIdentity(store, '  Sam Lee ', 'sam')).toBe('Sam Lee');
    expect(store.getItem(IDENTITY_KEY)).toBe('Sam Lee');
    expect(readIdentity(store, 'sam')).toBe('Sam Lee');
    expect(writeIdentity(store, '', 'sam')).toBe('sam');
    expect(store.getItem(IDENTITY_KEY)).toBeNull();
  });

  it('survives storage that throws', () => {
    const broken = {
      getItem: () => {
        throw new Error('denied');
      },
      setItem: () => {
        throw new Error('denied');
      },
      removeItem: () => {},
    };
    expect(readIdentity(broken, 'sam')).toBe('sam');
    expect(writeIdentity(broken, 'Alex', 'sam')).toBe('Alex');
  });
});
