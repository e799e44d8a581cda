// Filtering and ordering the action plan.

import type { ActionStatus, FutureAction } from './bindings';

export type StatusFilter = 'all' | 'not-done' | ActionStatus;

/** Owner filter: '' for everyone, NO_OWNER for actions nobody owns yet. */
export const NO_OWNER = '\u0000none';

export function filterActions(actions: FutureAction[], status: StatusFilter, owner: string): FutureAction[] {
  return actions.filter((a) => {
    if (status === 'not-done' && a.status === 'done') return false;
    if (status !== 'all' && status !== 'not-done' && a.status !== status) return false;
    if (owner === NO_OWNER) return !a.owner;
    if (owner !== '' && a.owner !== owner) return false;
    return true;
  });
}

/** Not done first, then by due date (undated last), then oldest first. */
export function sortActions(actions: FutureAction[]): FutureAction[] {
  return [...actions].sort((a, b) => {
    const doneA = a.status === 'done' ? 1 : 0;
    const doneB = b.status === 'done' ? 1 : 0;
    if (doneA !== doneB) return doneA - doneB;
    if (a.due_date !== b.due_date) {
      if (a.due_date === null) return 1;
      if (b.due_date === null) return -1;
      return a.due_date < b.due_date ? -1 : 1;
    }
    return a.created_at < b.created_at ? -1 : a.created_at > b.created_at ? 1 : 0;
  });
}

/** Everyone who owns an action, sorted, without repeats. */
export function owners(actions: FutureAction[]): string[] {
  return [...new Set(actions.map((a) => a.owner).filter((o): o is string => !!o))].sort((a, b) =>
    a.localeCompare(b),
  );
}
