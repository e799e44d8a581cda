// Words for what the shell says about submissions: the delivery's progress, the time left, the
// days until a mark expires, a level compared with the awarded review's. The shell decides
// every one of these (stage, offer, renewal state, time left, how levels compare); this only
// formats its numbers and values.

import type { Delivery, LevelChange, PreviewItem } from './bindings';
import { formatDueDate, formatWhen } from './dates';
import { formatBytes } from './evidence';
import { safeFileName } from './documents';
import { plural } from './text';

/** "less than a minute left", "about 3 minutes left", "about 1 hour 20 minutes left". */
export function timeLeftText(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '';
  if (seconds < 60) return 'less than a minute left';
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `about ${plural(minutes, 'minute')} left`;
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return `about ${plural(hours, 'hour')}${rest ? ` ${plural(rest, 'minute')}` : ''} left`;
}

/** "Sending 3 of 12 files · 120 MB of 340 MB · about 3 minutes left" (what is known so far). */
export function sendingText(d: Delivery): string {
  if (d.files_total === 0 && d.bytes_total === 0) return 'Sending your application…';
  const files = `${d.files_done.toLocaleString('en-GB')} of ${d.files_total.toLocaleString('en-GB')} ${d.files_total === 1 ? 'file' : 'files'}`;
  const parts = [`Sending ${files}`];
  if (d.bytes_total > 0) parts.push(`${formatBytes(d.bytes_done)} of ${formatBytes(d.bytes_total)}`);
  if (d.seconds_left !== null) parts.push(timeLeftText(d.seconds_left));
  return parts.filter(Boolean).join(' · ');
}

/** The days until a mark expires, as the shell counted them: "148 days left", "Expired 3 days ago". */
export function daysLeftText(days: number): string {
  if (days > 0) return `${plural(days, 'day')} left`;
  if (days === 0) return 'Last valid day today';
  if (days === -1) return 'Expired yesterday';
  return `Expired ${plural(-days, 'day')} ago`;
}

/** A moment the shell sent: a date ("2026-03-31") or a time (RFC 3339), as people read it. */
export function formatMoment(at: string): string {
  return /^\d{4}-\d{2}-\d{2}$/.test(at) ? formatDueDate(at) : formatWhen(at);
}

/** How a level compares with the awarded review's, as the core judged it. */
export function levelChangeText(change: LevelChange | null): string {
  switch (change) {
    case 'more_mature':
      return 'More mature';
    case 'same':
      return 'Same';
    case 'less_mature':
      return 'Less mature';
    case null:
      return '';
  }
}

/** "Receipt - Test Mark - Hillside Primary.json" for the save dialog. */
export function receiptFileName(awardTitle: string, institution: string): string {
  return `${safeFileName(`Receipt - ${awardTitle} - ${institution}`)}.json`;
}

/** "3 files, 12 MB" for a list of evidence in a preview. */
export function filesText(items: PreviewItem[], bytes: number): string {
  return `${plural(items.length, 'file')}, ${formatBytes(bytes)}`;
}
