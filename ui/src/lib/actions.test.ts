import { describe, expect, it } from 'vitest';
import type { FutureAction } from './bindings';
import { filterActions, NO_OWNER, owners, sortActions } from './actions';

const action = (id: string, over: Partial<FutureAction>): FutureAction => ({
  id,
  text: id,
  owner: null,
  due_date: null,
  status: 'open',
  benchmarks: [],
  created_by: 'sam',
  created_at: `2026-01-0${id.length}T00:00:00Z`,
  updated_at: '2026-01-01T00:00:00Z',
  done_at: null,
  overdue: false,
  ...over,
});

const list = [
  action('a', { owner: 'Sam', due_date: '2026-06-01' }),
  action('bb', { owner: 'Alex', status: 'done' }),
  action('ccc', { status: 'in_progress', due_date: '2026-04-01' }),
  action('dddd', { owner: 'Sam' }),
];

describe('action plan filters', () => {
  it('filters by status', () => {
    expect(filterActions(list, 'all', '').map((a) => a.id)).toEqual(['a', 'bb', 'ccc', 'dddd']);
    expect(filterActions(list, 'done', '').map((a) => a.id)).toEqual(['bb']);
    expect(filterActions(list, 'not-done', '').map((a) => a.id)).toEqual(['a', 'ccc', 'dddd']);
    expect(filterActions(list, 'in_progress', '').map((a) => a.id)).toEqual(['ccc']);
  });

  it('filters by owner, including nobody', () => {
    expect(filterActions(list, 'all', 'Sam').map((a) => a.id)).toEqual(['a', 'dddd']);
    expect(filterActions(list, 'all', NO_OWNER).map((a) => a.id)).toEqual(['ccc']);
    expect(filterActions(list, 'not-done', 'Alex')).toEqual([]);
  });

  it('puts open work first, soonest due first, undated after dated', () => {
    expect(sortActions(list).map((a) => a.id)).toEqual(['ccc', 'a', 'dddd', 'bb']);
  });

  it('lists owners once, sorted', () => {
    expect(owners(list)).toEqual(['Alex', 'Sam']);
  });
});
