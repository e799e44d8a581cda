// The assessor workspace's shared state: who is signed in (the shell's DeskInfo, read once at
// start and after signing in or out) and the list of assigned submissions. Kept apart from the
// school's session: nothing here reads or changes the school's review.

import { api, toCommandError } from './api';
import type { AssignmentRow, CommandError, DeskInfo } from './bindings';

class Desk {
  /** Who is signed in as an assessor here (null: nobody). */
  info = $state.raw<DeskInfo | null>(null);
  /** Reading who is signed in failed (the keychain, the profile folder): shown in the assessor area only. */
  error = $state.raw<CommandError | null>(null);
  /** Whether the first read has finished. */
  ready = $state(false);
  /** The assigned submissions, once read. */
  rows = $state.raw<AssignmentRow[] | null>(null);
  rowsError = $state.raw<CommandError | null>(null);
  loadingRows = $state(false);

  /** Reads who is signed in; never fails (the school's side must start regardless). */
  async start(): Promise<void> {
    try {
      this.info = await api.assessorInfo();
      this.error = null;
    } catch (e) {
      this.info = null;
      this.error = toCommandError(e);
    } finally {
      this.ready = true;
    }
  }

  async signIn(code: string): Promise<DeskInfo> {
    const info = await api.assessorSignIn(code);
    this.info = info;
    this.error = null;
    this.rows = null;
    return info;
  }

  async signOut(): Promise<void> {
    await api.assessorSignOut();
    this.info = null;
    this.rows = null;
    this.rowsError = null;
  }

  async setKeepDays(days: number): Promise<void> {
    const settings = await api.assessorSetKeepDays(days);
    if (this.info) this.info = { ...this.info, settings };
  }

  /** Re-reads the assigned submissions from the awarding body. */
  async refresh(): Promise<void> {
    this.loadingRows = true;
    try {
      this.rows = await api.assessorAssignments();
      this.rowsError = null;
    } catch (e) {
      this.rowsError = toCommandError(e);
    } finally {
      this.loadingRows = false;
    }
  }

  /** Puts a row the shell answered with (after opening or sending) in place of the old one. */
  replaceRow(row: AssignmentRow): void {
    if (!this.rows) return;
    this.rows = this.rows.map((r) => (r.submission === row.submission ? row : r));
  }
}

export const desk = new Desk();
