// The evidence library as the screens share it, and the one long job (adding, checking,
// accepting, freezing) that may be running, with its progress. The shell announces every
// change to evidence ("evidence-changed": a job ended, the start-up check, a watched folder
// changed), and the library and progress are re-read then.

import { api, inDesktopShell, toCommandError } from './api';
import type {
  CommandError,
  EvidenceItem,
  EvidenceLibrary,
  LinkInput,
  Skipped,
  WorkProgress,
} from './bindings';
import { session } from './session.svelte';
import { skipReasonText } from './words';

/** "plan.pdf: missing; put the file back or remove the item". */
function skippedText(s: Skipped): string {
  return `${s.path}: ${skipReasonText(s.reason)}`;
}

/** A running job, for the progress bar. */
export type Job = { label: string; progress: WorkProgress | null; cancellable: boolean; cancelling: boolean };

/** What the last job did, in words, for a status line. */
export type JobOutcome = { tone: 'ok' | 'warning' | 'error'; text: string; details: string[] };

class Evidence {
  library = $state.raw<EvidenceLibrary | null>(null);
  /** Folders the shell could not watch (checking by hand still works). */
  watchProblems = $state.raw<CommandError[]>([]);
  loadError = $state.raw<CommandError | null>(null);
  job = $state.raw<Job | null>(null);
  outcome = $state.raw<JobOutcome | null>(null);
  private listening = false;

  get items(): EvidenceItem[] {
    return this.library?.items ?? [];
  }

  async refresh(): Promise<void> {
    try {
      const screen = await api.listEvidence();
      this.library = screen.library;
      this.watchProblems = screen.watch_problems;
      this.loadError = null;
    } catch (e) {
      this.loadError = toCommandError(e);
    }
  }

  /** Re-reads evidence and progress whenever the shell says evidence changed. */
  async listen(): Promise<void> {
    if (this.listening || !inDesktopShell()) return;
    this.listening = true;
    const { listen } = await import('@tauri-apps/api/event');
    await listen('evidence-changed', () => {
      void this.refresh();
      void session.refreshStatus();
    });
  }

  /** Replaces one item after a quick edit. */
  updated(item: EvidenceItem): void {
    if (!this.library) return;
    this.library = { ...this.library, items: this.library.items.map((i) => (i.id === item.id ? item : i)) };
  }

  /** Adds files or folders, linked as given; returns whether anything was added. */
  async add(paths: string[], links: LinkInput[]): Promise<boolean> {
    if (paths.length === 0) return false;
    const label = paths.length === 1 ? 'Adding evidence' : `Adding ${paths.length} files and folders`;
    const report = await this.run(label, (p) => api.addEvidence({ paths, links, by: session.me }, p), true);
    if (!report) return false;
    const added = report.added.length;
    const skipped = report.skipped.map(skippedText);
    this.outcome = {
      tone: skipped.length ? 'warning' : 'ok',
      text:
        `Added ${added} ${added === 1 ? 'file' : 'files'}.` +
        (skipped.length ? ` ${skipped.length} could not be added:` : ''),
      details: skipped,
    };
    await this.afterChange();
    return added > 0;
  }

  /** Looks at every file again. */
  async rescan(): Promise<void> {
    const r = await this.run('Checking evidence files', (p) => api.rescanEvidence(p), true);
    if (!r) return;
    const attention = r.modified + r.missing + r.unreadable;
    this.outcome = {
      tone: attention ? 'warning' : 'ok',
      text:
        `Checked ${r.checked} ${r.checked === 1 ? 'file' : 'files'}: ` +
        (attention
          ? `${attention} ${attention === 1 ? 'needs' : 'need'} attention (${r.modified} changed, ${r.missing} missing, ${r.unreadable} cannot be read).`
          : 'all present and unchanged.') +
        (r.moved ? ` ${r.moved} moved and followed.` : ''),
      details: [],
    };
    await this.afterChange();
  }

  /** Keeps a copy of every present file in the data folder. */
  async freeze(): Promise<void> {
    const r = await this.run('Keeping copies of evidence', () => api.freezeEvidence(), false);
    if (!r) return;
    this.outcome = {
      tone: r.skipped.length ? 'warning' : 'ok',
      text:
        `Kept copies of ${r.frozen} ${r.frozen === 1 ? 'file' : 'files'}` +
        (r.skipped.length ? `; ${r.skipped.length} could not be kept:` : '.'),
      details: r.skipped.map(skippedText),
    };
    await this.afterChange();
  }

  /** Records a changed file's new content as the version of record. */
  async accept(item: EvidenceItem): Promise<void> {
    const done = await this.run(`Accepting the new version of ${item.title}`, () =>
      api.acceptEvidence(item.id, session.me),
    false);
    if (!done) return;
    this.updated(done);
    this.outcome = { tone: 'ok', text: `The new version of ${item.title} is now the one of record.`, details: [] };
    await this.afterChange();
  }

  cancel(): void {
    if (!this.job) return;
    this.job = { ...this.job, cancelling: true };
    void api.cancelEvidenceWork().catch(() => undefined);
  }

  private async afterChange(): Promise<void> {
    await Promise.all([this.refresh(), session.refreshStatus()]);
  }

  private async run<T>(
    label: string,
    work: (onProgress: (p: WorkProgress) => void) => Promise<T>,
    cancellable: boolean,
  ): Promise<T | null> {
    if (this.job) {
      this.outcome = { tone: 'warning', text: `Wait for “${this.job.label}” to finish, or cancel it.`, details: [] };
      return null;
    }
    this.job = { label, progress: null, cancellable, cancelling: false };
    this.outcome = null;
    try {
      return await work((progress) => {
        if (this.job) this.job = { ...this.job, progress };
      });
    } catch (e) {
      const error = toCommandError(e);
      this.outcome =
        error.code === 'cancelled'
          ? { tone: 'warning', text: `${label} was cancelled; nothing was changed.`, details: [] }
          : { tone: 'error', text: error.message, details: [] };
      return null;
    } finally {
      this.job = null;
    }
  }
}

export const evidence = new Evidence();

/** Asks the OS for files (or folders) to add; null when the lead cancels the dialog. */
export async function choosePaths(folders: boolean): Promise<string[] | null> {
  const { open } = await import('@tauri-apps/plugin-dialog');
  const picked = await open({
    multiple: true,
    directory: folders,
    title: folders ? 'Add folders of evidence' : 'Add evidence files',
  });
  if (picked === null) return null;
  return Array.isArray(picked) ? picked : [picked];
}
