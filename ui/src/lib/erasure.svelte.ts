// What the last "Erase everything" did, kept in memory for the first-run screen that follows it
// (the Privacy screen is gone with the review), so the lead sees what was removed and can save
// the awarding body's signed confirmation.

import type { Erased } from './bindings';

class LastErasure {
  result = $state.raw<Erased | null>(null);
}

export const lastErasure = new LastErasure();
