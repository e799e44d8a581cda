// What the real core answered, recorded by src-tauri/ui_fixtures.rs into fixtures/core/*.json
// (checked for staleness like the bindings; `make bindings` rewrites them). The UI's tests and
// fake shell read these and nothing hand-written, so they cannot drift from the core.
//
// The types below describe the files' layout (which answer is where); every value in them has
// a type generated from Rust (bindings.ts).
import type {
  AppInfo,
  BenchmarkDetail,
  CommandError,
  Contributor,
  ContributorInput,
  Erased,
  ErasurePlan,
  ExportReport,
  EvidenceItem,
  EvidenceScreen,
  FieldProblem,
  FrameworkSummary,
  FutureAction,
  Gaps,
  InstitutionInput,
  NewAction,
  PrivacyOverview,
  ReadProblem,
  Reason,
  Response,
  ReviewFramework,
  SearchHit,
  SkipReason,
  Status,
  StatusDetail,
} from '../lib/bindings';
import checksJson from './fixtures/core/checks.json';
import firstRunJson from './fixtures/core/first-run.json';
import noLevelsJson from './fixtures/core/no-levels.json';
import privacyJson from './fixtures/core/privacy.json';
import testQualityJson from './fixtures/core/test-quality.json';
import wordsJson from './fixtures/core/words.json';

/** Everything a review's status depends on: its answers, its evidence, its actions. */
export interface ReviewState {
  responses: Pick<Response, 'benchmark_id' | 'level' | 'commentary' | 'needs_confirmation'>[];
  evidence: Pick<EvidenceItem, 'id' | 'present' | 'needs_attention' | 'links'>[];
  actions: Pick<FutureAction, 'id' | 'status' | 'due_date'>[];
}

/** A call of an action command and the action the core answered with. */
export type ActionCall =
  | { command: 'add_action'; args: { action: NewAction; by: string }; answer: FutureAction }
  | { command: 'update_action'; args: { id: string; action: NewAction }; answer: FutureAction }
  | { command: 'set_action_status'; args: { id: string; status: FutureAction['status'] }; answer: FutureAction };

/** One review's recorded answers. */
export interface ReviewFixture {
  app_info: AppInfo;
  review_framework: ReviewFramework;
  /** benchmark_detail's previous and next of every benchmark. */
  neighbours: Record<string, Pick<BenchmarkDetail, 'previous' | 'next'>>;
  /** The status the core gave in each state the recording reached. */
  statuses: { state: ReviewState; status: Status }[];
  /** The evidence screen once two files were added and one went missing. */
  evidence?: EvidenceScreen;
  searches?: { query: string; state: ReviewState; hits: SearchHit[] }[];
  /** set_author(name): the name now in use, and app_info afterwards. */
  authors?: { name: string; answer: string; app_info: AppInfo }[];
  /** A save based on an old revision. */
  conflict?: CommandError;
  /** An answer carried from version 0.9 and awaiting confirmation. */
  carried?: Response;
  /** Every action the tests add, edit or mark, as the core answered. */
  actions?: ActionCall[];
}

export const firstRun = firstRunJson as unknown as {
  frameworks: FrameworkSummary[];
  app_info: AppInfo;
  startup_errors: { not_a_database: AppInfo; data_dir: AppInfo };
};

/** The recorded reviews, by the framework they are for. */
export const reviews = {
  'test-quality': testQualityJson as unknown as ReviewFixture,
  'no-levels': noLevelsJson as unknown as ReviewFixture,
};

export type ReviewName = keyof typeof reviews;

/** The test-quality review (the one most tests use). */
export const testQuality = reviews['test-quality'];

type Checked<T> = { input: T; problems: FieldProblem[] }[];

/** The core's problems with each form input the tests type (check_institution and the rest). */
export const checks = checksJson as unknown as {
  institution: Checked<InstitutionInput>;
  action: Checked<NewAction>;
  contributor: Checked<ContributorInput>;
};

type Checks = typeof checks;

/** The core's message about `field` in the recorded input `typed` picks out (checks.json). */
export function coreSays<K extends keyof Checks>(kind: K, typed: (input: Checks[K][number]['input']) => boolean, field: string): string {
  const recorded: Checked<Checks[K][number]['input']> = checks[kind];
  const message = recorded.find((c) => typed(c.input))?.problems.find((p) => p.field === field)?.message;
  if (!message) throw new Error(`the core was not recorded finding a problem with ${field} in a ${kind}`);
  return message;
}

/** A value as one string with its keys in order, to find a recorded call by its arguments. */
export function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

/** The Privacy screen's answers (a registered review with one member and one evidence file):
 * the overview as it stands, paused, and after an export; the member corrected; the export; the
 * erasure's plan and what erasing did; app_info afterwards (a new folder). */
export const privacy = privacyJson as unknown as {
  app_info: AppInfo;
  contributors: Contributor[];
  overview: PrivacyOverview;
  overview_paused: PrivacyOverview;
  overview_exported: PrivacyOverview;
  restricted: { paused: boolean; resumed: boolean };
  corrected: { args: { id: string; input: ContributorInput }; answer: Contributor };
  exported: { args: { path: string; with_evidence: boolean }; answer: ExportReport };
  plan: ErasurePlan;
  erased: Erased;
};

type Worded<T> = { value: T; english: string }[];

/** Every kind of typed value the UI words, with the core's English for it. */
export const words = wordsJson as unknown as {
  reasons: Worded<Reason>;
  gaps: Worded<Gaps>;
  read_problems: Worded<ReadProblem>;
  status_details: Worded<StatusDetail>;
  skip_reasons: Worded<SkipReason>;
};

/** A review state as one string, whatever order its parts were listed in. */
export function stateKey(s: ReviewState): string {
  const sorted = <T>(items: T[]) => items.map((i) => JSON.stringify(i)).sort();
  return JSON.stringify({
    responses: sorted(s.responses.map((r) => [r.benchmark_id, r.level, r.commentary, r.needs_confirmation])),
    evidence: sorted(
      s.evidence.map((i) => [i.id, i.present, i.needs_attention, sorted(i.links.map((l) => [l.benchmark_id, l.requirement_id]))]),
    ),
    actions: sorted(s.actions.map((a) => [a.id, a.status, a.due_date])),
  });
}

/** The status recorded for the first state of a review (registered, nothing done). */
export function firstStatus(review: ReviewFixture): Status {
  const empty = review.statuses.find((s) => s.state.responses.length === 0 && s.state.evidence.length === 0 && s.state.actions.length === 0);
  if (!empty) throw new Error('no status recorded for the empty review');
  return empty.status;
}
