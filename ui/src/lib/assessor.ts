// The assessor workspace's English for what the desk (waymark-assess) decided: review states,
// roles, opening's stages, outcomes, a local copy's state, and reshaping the draft as typed.
// Formatting only: what is overdue, what the assessor may do, where they are named and what
// changed all come from the shell as they are.

import type {
  AssignmentRow,
  CopyInfo,
  Draft,
  DraftProblem,
  Judgement,
  OpenStage,
  Outcome,
  ReviewState,
  Role,
} from './bindings';
import { formatDueDate, formatWhen } from './dates';

/** A review's state, as the assessor reads it. */
export const STATE_WORDS: Record<ReviewState, string> = {
  received: 'Received',
  under_review: 'Under review',
  more_evidence_requested: 'More evidence requested',
  resubmitted: 'Re-submitted',
  recommended: 'Recommended',
  awarded: 'Awarded',
  not_awarded: 'Not awarded',
};

/** This person's role on a review. */
export const ROLE_WORDS: Record<Role, string> = {
  institution: 'Institution',
  assessor: 'Assessor',
  moderator: 'Moderator',
  awarding_body: 'Awarding body',
};

/** What opening a submission is doing. */
export const STAGE_WORDS: Record<OpenStage, string> = {
  verifying: 'Checking the school’s signature',
  downloading: 'Downloading',
  decrypting: 'Decrypting and checking',
};

/** The assessor's recommendation. */
export const OUTCOME_WORDS: Record<Outcome, string> = {
  award: 'Award',
  not_yet: 'Not yet',
};

/** The framework as a row names it: its title, or its id and version when this build lacks it. */
export function frameworkLabel(row: Pick<AssignmentRow, 'framework_id' | 'framework_version' | 'framework_title'>): string {
  return row.framework_title
    ? `${row.framework_title} (version ${row.framework_version})`
    : `${row.framework_id} ${row.framework_version}`;
}

/** The award as a row names it. */
export function awardLabel(row: Pick<AssignmentRow, 'award' | 'award_title'>): string {
  return row.award_title ?? row.award;
}

/** The words on a row's "Open" button: first time, again, or a newer version to open. */
export function openLabel(row: Pick<AssignmentRow, 'copy' | 'versions'>): string {
  if (!row.copy) return 'Open';
  return row.copy.current ? 'Open again' : `Open version ${row.versions}`;
}

/** The local copy, in a few words (none: "Not on this computer"). */
export function copyWords(copy: CopyInfo | null): string[] {
  if (!copy) return ['Not on this computer'];
  const out = [`Version ${copy.version}, opened ${formatWhen(copy.opened_at)}`];
  if (!copy.current) out.push('newer version available');
  if (copy.remove_after) out.push(`will be removed on ${formatDay(copy.remove_after)}`);
  return out;
}

/** When a copy goes by itself, as a sentence (the desk set the date, or it has none yet). */
export function removalSentence(copy: CopyInfo, keepDays: number | null): string {
  if (copy.remove_after) {
    return `This copy will be removed from this computer automatically on ${formatDay(copy.remove_after)}.`;
  }
  const days = keepDays === null ? 'the days set in Settings' : keepDays === 1 ? '1 day' : `${keepDays} days`;
  return keepDays === 0
    ? 'This copy will be removed from this computer automatically as soon as the review is finished or reassigned.'
    : `This copy will be removed from this computer automatically ${days} after the review is finished or reassigned.`;
}

/** A time's day ("31 Mar 2027"). */
export function formatDay(iso: string): string {
  return formatDueDate(iso.slice(0, 10));
}

/** "Version 2 of 3" (the desk says which it holds and how many were sent). */
export function versionWords(version: number, versions: number): string {
  return versions > 1 ? `Version ${version} of ${versions}` : `Version ${version}`;
}

/** The draft's judgement of one benchmark (an empty one when not judged yet). */
export function judgementOf(draft: Draft, benchmark: string): Judgement {
  return (
    draft.judgements.find((j) => j.benchmark === benchmark) ?? {
      benchmark,
      verdict: 'undecided',
      level: null,
      note: '',
      request: '',
    }
  );
}

/** The draft with one benchmark's judgement changed as typed (others kept as they are). */
export function withJudgement(draft: Draft, benchmark: string, change: Partial<Omit<Judgement, 'benchmark'>>): Draft {
  const updated = { ...judgementOf(draft, benchmark), ...change, benchmark };
  const rest = draft.judgements.filter((j) => j.benchmark !== benchmark);
  return { ...draft, judgements: [...rest, updated] };
}

/** The desk's problems by field name (`strengths`, `judgements.1.1.level`, …), first one each. */
export function problemsByField(problems: DraftProblem[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of problems) out[p.field] ??= p.message;
  return out;
}

/** The field name of a benchmark's part of the draft, as the desk's problems name it. */
export function judgementField(benchmark: string, part: 'level' | 'request' | 'note'): string {
  return `judgements.${benchmark}.${part}`;
}

/** An element id safe for any benchmark id ("1.1" -> "b-1-1"). */
export function domId(prefix: string, id: string): string {
  return `${prefix}-${id.replace(/[^A-Za-z0-9_-]/g, '-')}`;
}

/** "Draft saved on this computer — not sent", or what the save is doing. */
export function draftStatusWords(kind: 'saved' | 'dirty' | 'saving' | 'error' | 'conflict', savedAt: string | null): string {
  switch (kind) {
    case 'saving':
      return 'Saving…';
    case 'dirty':
      return 'Unsaved changes';
    case 'error':
    case 'conflict':
      return 'The draft could not be saved on this computer';
    case 'saved':
      return savedAt ? 'Draft saved on this computer — not sent' : 'Nothing written yet — nothing is sent until you send it';
  }
}
