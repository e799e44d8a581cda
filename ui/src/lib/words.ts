// The UI's English for the core's typed values: award reasons, what a benchmark lacks, why an
// evidence file has its status, why a file was skipped. The core decides every one of them and
// sends the numbers; this only words them, as crates/core/src/english.rs does for the CLI and
// the PDFs, so the app and a printed report say the same thing. words.test.ts checks each
// against the core's own English (ui/src/test/fixtures/core/words.json, written by Rust).
//
// The one difference is deliberate: the app's button for freezing evidence is "Keep copies",
// so a skipped file asks the lead to keep copies again, not to "freeze" (a command-line word).

import type { Gaps, HeldCount, HeldKind, ReadProblem, Reason, SentRecord, SkipReason, StatusDetail } from './bindings';
import { plural } from './text';

/** What a benchmark still lacks: "no level chosen and no commentary", …, "complete". */
export function gapsText(g: Gaps): string {
  if (g.level && g.commentary) return 'no level chosen and no commentary';
  if (g.level) return 'no level chosen';
  if (g.commentary) return 'no commentary';
  return 'complete';
}

/** One reason an award is not available yet. */
export function reasonText(r: Reason): string {
  switch (r.kind) {
    case 'not_registered':
      return 'Not registered yet: register the institution for this self-review';
    case 'progress':
      return (
        `Progress is ${r.overall.percent}% (${r.overall.done} of ${r.overall.total} benchmarks complete); ` +
        `${plural(r.more, 'more benchmark', 'more benchmarks')} needed for ${r.needed_percent}%`
      );
    case 'dimensions_complete':
      return `${r.complete} of ${r.total} dimensions complete; needs ${r.needed}`;
    case 'required_evidence':
      return r.needed_percent === 100
        ? `${r.missing} of ${r.evidence.total} required evidence items missing`
        : `${r.evidence.done} of ${r.evidence.total} required evidence items have evidence (${r.evidence.percent}%); needs ${r.needed_percent}%`;
    case 'future_actions':
      return `${plural(r.planned, 'future action', 'future actions')} planned; needs ${r.needed}`;
    case 'incomplete':
      return `${r.benchmark} ${r.title}: ${gapsText(r.missing)}`;
    case 'below_threshold': {
      const needs = r.needed_is_top ? `needs ${r.needed}` : `needs ${r.needed} or better`;
      return r.level === null
        ? `${r.benchmark} ${r.title}: no level chosen, ${needs}`
        : `${r.benchmark} ${r.title}: level ${r.level}, ${needs}`;
    }
  }
}

/** The benchmark a reason is about, so the UI can link to it (null for the general ones). */
export function reasonBenchmark(r: Reason): string | null {
  return r.kind === 'incomplete' || r.kind === 'below_threshold' ? r.benchmark : null;
}

/** Why a file could not be read. */
export function readProblemText(p: ReadProblem): string {
  switch (p.kind) {
    case 'not_found':
      return 'no such file or folder';
    case 'permission_denied':
      return 'permission denied';
    case 'not_a_file':
      return 'something other than a file (a folder?) is at this path; put the file back or remove the item';
    case 'other':
      return p.message;
  }
}

/** Why an evidence item has the status it has. */
export function statusDetailText(d: StatusDetail): string {
  switch (d.kind) {
    case 'changed':
      return "the file's content has changed since it was added";
    case 'gone':
      return 'the file is no longer at this path';
    case 'moved_from':
      return `moved from ${d.from}`;
    case 'moved_and_changed':
      return `moved from ${d.from}; the file's content has changed since it was added`;
    case 'unreadable':
      return readProblemText(d.problem);
  }
}

/** Why a file was not added, or an item not copied ("kept"). */
export function skipReasonText(s: SkipReason): string {
  switch (s.kind) {
    case 'cannot_read':
      return readProblemText(s.problem);
    case 'modified':
      return 'modified since it was added; accept the new version or restore the file, then keep copies again';
    case 'missing':
      return 'missing; put the file back or remove the item';
    case 'unreadable':
      return 'cannot be read; close the program that has it open or fix its permissions';
    case 'changed_since_scan':
      return 'changed since the last scan; check the files again, accept or restore it, then keep copies again';
    case 'copy_failed':
      return `could not be copied into the vault (${s.message})`;
  }
}

/** What a data folder holds of one kind, singular and plural (the Privacy screen's counts, as
 * `waymark privacy` lists them). */
const HELD: Record<HeldKind, [string, string]> = {
  institution: ['institution profile (name, contact, email)', 'institution profiles (name, contact, email)'],
  reviews: ['self-review', 'self-reviews'],
  responses: ['response (level and commentary)', 'responses (level and commentary)'],
  history_entries: ['earlier version of a response', 'earlier versions of responses'],
  archived_responses: ['archived response (from a benchmark a framework update removed)', 'archived responses (from benchmarks a framework update removed)'],
  actions: ['planned action', 'planned actions'],
  working_group: ['working-group member (name, role, email)', 'working-group members (names, roles, emails)'],
  evidence_files: ['evidence file tracked (it stays where it is)', 'evidence files tracked (they stay where they are)'],
  evidence_folders: ['evidence folder added', 'evidence folders added'],
  frozen_copies: ['frozen copy of evidence (encrypted, in the vault)', 'frozen copies of evidence (encrypted, in the vault)'],
  submissions: ['submission to the awarding body', 'submissions to the awarding body'],
  erasures: ['erasure recorded (what kind and when, never what)', 'erasures recorded (what kind and when, never what)'],
};

/** "1 working-group member (name, role, email)", "3 planned actions", "No planned actions". */
export function heldText(h: HeldCount): string {
  const [one, many] = HELD[h.kind];
  if (h.count === 0) return `No ${many}`;
  return plural(h.count, one, many);
}

/** Where a submission stands, as the core records it (`queued`, `sent`, `refused`). */
export function sentStateText(state: SentRecord['state']): string {
  switch (state) {
    case 'queued':
      return 'not sent yet (waiting in the outbox)';
    case 'sent':
      return 'sent';
    case 'refused':
      return 'refused by the awarding body';
    default:
      return state;
  }
}

/** The kind of thing an erasure removed (`working_group_member` → "A working-group member"). */
export function erasureKindText(kind: string): string {
  switch (kind) {
    case 'working_group_member':
      return 'A working-group member';
    default: {
      const words = kind.replace(/_/g, ' ');
      return words.charAt(0).toUpperCase() + words.slice(1);
    }
  }
}
