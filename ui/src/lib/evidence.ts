// Evidence for display: status words, sizes, counts and filters. Whether a file is present and
// whether it needs the lead's attention are the core's judgements (EvidenceItem.present,
// .needs_attention), as is which requirements still lack evidence; none is redone here.

import type { EvidenceItem, EvidenceStatus, WorkProgress } from './bindings';

/** How each status is shown: a word, and what to do about it. */
export const STATUS: Record<EvidenceStatus, { label: string; help: string }> = {
  ok: { label: 'OK', help: 'The file is where it was, unchanged.' },
  modified: {
    label: 'Changed',
    help: 'The file has changed since it was added. Accept the new version if it is still the right evidence.',
  },
  missing: {
    label: 'Missing',
    help: 'The file is no longer there and was not found in the evidence folders. Put it back, or remove the item.',
  },
  moved: {
    label: 'Moved',
    help: 'The same file was found at a new place; Waymark now points there.',
  },
  unreadable: {
    label: 'Cannot be read',
    help: 'The file is there but cannot be read (another program may have it open, or permissions changed).',
  },
};

/** The order statuses are listed in: what needs attention first. */
export const STATUS_ORDER: EvidenceStatus[] = ['missing', 'modified', 'unreadable', 'moved', 'ok'];

/** "0 bytes", "900 bytes", "1.5 KB", "12 MB", "4.6 GB" (powers of 1024, as file managers show). */
export function formatBytes(n: number): string {
  if (!Number.isFinite(n) || n < 0) return '';
  if (n < 1024) return `${n} ${n === 1 ? 'byte' : 'bytes'}`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = n / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const digits = value < 10 ? 1 : 0;
  return `${value.toFixed(digits)} ${units[unit]}`;
}

/** The last part of a path, whichever separator the OS uses. */
export function fileName(path: string): string {
  const parts = path.split(/[\\/]/).filter((p) => p !== '');
  return parts[parts.length - 1] ?? path;
}

/** The folder part of a path (everything before the file name). */
export function folderOf(path: string): string {
  const name = fileName(path);
  const cut = path.lastIndexOf(name);
  return cut > 0 ? path.slice(0, cut).replace(/[\\/]$/, '') : '';
}

/** How many items have each status. */
export function statusCounts(items: EvidenceItem[]): Record<EvidenceStatus, number> {
  const counts: Record<EvidenceStatus, number> = { ok: 0, modified: 0, missing: 0, moved: 0, unreadable: 0 };
  for (const i of items) counts[i.status] += 1;
  return counts;
}

/** Items the core says need the lead to do something. */
export function needingAttention(items: EvidenceItem[]): EvidenceItem[] {
  return items.filter((i) => i.needs_attention);
}

/** Items linked to a benchmark (directly or through one of its requirements). */
export function itemsForBenchmark(items: EvidenceItem[], benchmarkId: string): EvidenceItem[] {
  return items.filter((i) => i.links.some((l) => l.benchmark_id === benchmarkId));
}

/** Items linked to one evidence requirement. */
export function itemsForRequirement(items: EvidenceItem[], requirementId: string): EvidenceItem[] {
  return items.filter((i) => i.links.some((l) => l.requirement_id === requirementId));
}

/** Filter for the evidence list: a status (or all, or those needing attention) and words. */
export type EvidenceFilter = { status: EvidenceStatus | 'all' | 'attention'; text: string };

/** The items matching a filter; words match the title, path and note, in any case. */
export function filterItems(items: EvidenceItem[], filter: EvidenceFilter): EvidenceItem[] {
  const words = filter.text.toLocaleLowerCase().split(/\s+/).filter((w) => w !== '');
  return items.filter((i) => {
    if (filter.status === 'attention' && !i.needs_attention) return false;
    if (filter.status !== 'all' && filter.status !== 'attention' && i.status !== filter.status) return false;
    const hay = `${i.title} ${i.path} ${i.note ?? ''}`.toLocaleLowerCase();
    return words.every((w) => hay.includes(w));
  });
}

/** "3 of 12 files, 1.2 GB of 4.0 GB" for a progress bar's label. */
export function describeWork(p: WorkProgress): string {
  const files = `${p.files_done.toLocaleString('en-GB')} of ${p.files_total.toLocaleString('en-GB')} ${p.files_total === 1 ? 'file' : 'files'}`;
  return p.bytes_total > 0 ? `${files}, ${formatBytes(p.bytes_done)} of ${formatBytes(p.bytes_total)}` : files;
}

/** 0..1 done, by bytes when there are any (a video dominates the wait), else by files. */
export function workFraction(p: WorkProgress): number {
  const [done, total] = p.bytes_total > 0 ? [p.bytes_done, p.bytes_total] : [p.files_done, p.files_total];
  if (total <= 0) return 0;
  return Math.max(0, Math.min(1, done / total));
}

/** The first 12 characters of a hash: enough to tell versions apart at a glance. */
export function shortHash(hash: string): string {
  return hash.slice(0, 12);
}
