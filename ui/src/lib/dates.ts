// Dates as people read them: "today at 14:05", "yesterday at 09:12", "3 Mar 2026 at 16:40".
// The store records UTC times (RFC 3339); they are shown in the computer's time zone.

export interface DateOptions {
  /** The moment to count "today" from (tests pin it). */
  now?: Date;
  /** IANA time zone (tests pin it); the computer's by default. */
  timeZone?: string;
}

function dayKey(d: Date, timeZone?: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(d);
}

/** When something happened, relative to today where that reads better. */
export function formatWhen(iso: string, options: DateOptions = {}): string {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return iso;
  const now = options.now ?? new Date();
  const tz = options.timeZone;
  const time = new Intl.DateTimeFormat('en-GB', { timeZone: tz, hour: '2-digit', minute: '2-digit' }).format(at);
  const day = dayKey(at, tz);
  if (day === dayKey(now, tz)) return `today at ${time}`;
  if (day === dayKey(new Date(now.getTime() - 86_400_000), tz)) return `yesterday at ${time}`;
  const date = new Intl.DateTimeFormat('en-GB', {
    timeZone: tz,
    day: 'numeric',
    month: 'short',
    year: 'numeric',
  }).format(at);
  return `${date} at ${time}`;
}

/** A due date (YYYY-MM-DD) as "31 Mar 2027". */
export function formatDueDate(date: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) return date;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', day: 'numeric', month: 'short', year: 'numeric' }).format(d);
}
