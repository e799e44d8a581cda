// The assessor workspace's answers for the UI's tests: who is signed in, the assigned
// submissions, opening (progress, a refusal), the read-only views for an assessor, a named
// assessor and a moderator, the draft's problems and what sending answers. Written by hand
// against the generated types (the shape src-tauri/assessor/ sends from waymark-assess's desk),
// with the desk's own judgements (overdue, may, named_in, changes) written here, never worked
// out by the fake shell.
import type {
  AssignmentRow,
  CommandError,
  DeskInfo,
  DeskSubmissionView,
  Draft,
  DraftProblem,
  OpenProgress,
  Opened,
} from '../lib/bindings';

/** An assessor's enrollment code the fake accepts. */
export const DESK_CODE = 'WMA1-7KQ2-M9XH-4TAB';

export const SUB_NEW = '0190c7a2-0000-7000-8000-000000000001';
export const SUB_OPEN = '0190c7a2-0000-7000-8000-000000000002';
export const SUB_MODERATE = '0190c7a2-0000-7000-8000-000000000003';
export const SUB_NAMED = '0190c7a2-0000-7000-8000-000000000004';

export const deskInfo: DeskInfo = {
  name: 'Ada Lovelace',
  email: 'ada@example.org',
  awarding_body: 'Test Awarding Body',
  endpoint: 'https://awards.example.org',
  assessor: '0190c7a2-1111-7000-8000-000000000001',
  folder: '/home/ada/.config/waymark-assess',
  settings: { keep_finished_days: 14 },
};

const row = (over: Partial<AssignmentRow>): AssignmentRow => ({
  submission: SUB_NEW,
  institution_name: 'Hillside Primary',
  framework_id: 'computing-quality',
  framework_version: '1.0',
  framework_title: 'Computing Quality Framework',
  award: 'mark',
  award_title: 'Computing Quality Mark',
  received_on: '2026-02-02',
  review_due: '2026-03-01',
  overdue: true,
  state: 'under_review',
  role: 'assessor',
  versions: 1,
  copy: null,
  ...over,
});

const copy = { version: 1, opened_at: '2026-02-10T10:00:00Z', current: true, finished_at: null, remove_after: null };

/** The list: one not opened (overdue), one opened, one to moderate, one naming the assessor. */
export const rows: AssignmentRow[] = [
  row({}),
  row({
    submission: SUB_OPEN,
    institution_name: 'Riverside Academy',
    overdue: false,
    review_due: '2026-04-30',
    state: 'resubmitted',
    versions: 2,
    copy: { ...copy, version: 2 },
  }),
  row({
    submission: SUB_MODERATE,
    institution_name: 'Northgate College',
    framework_title: null,
    award_title: null,
    overdue: false,
    state: 'recommended',
    role: 'moderator',
    copy,
  }),
  row({
    submission: SUB_NAMED,
    institution_name: 'Eastfield School',
    overdue: false,
    state: 'awarded',
    versions: 2,
    copy: { ...copy, current: false, finished_at: '2026-02-20T10:00:00Z', remove_after: '2026-03-06T10:00:00Z' },
  }),
];

/** What opening SUB_NEW streams. */
export const openProgress: OpenProgress[] = [
  { stage: 'verifying', done: 0, total: 0, file: null },
  { stage: 'downloading', done: 1_048_576, total: 4_194_304, file: 'Vision.pdf' },
  { stage: 'decrypting', done: 2_097_152, total: 4_194_304, file: 'Vision.pdf' },
];

export const opened: Opened = {
  submission: SUB_NEW,
  version: 1,
  evidence_files: 2,
  evidence_bytes: 4_194_304,
  named_in: [],
};

/** The desk's refusal of a tampered submission. */
export const tampered: CommandError = {
  code: 'assessment',
  message:
    'Refused: evidence file Vision.pdf does not match what the school signed (its SHA-256 differs), so the submission may have been changed on its way. Nothing was kept; tell the awarding body.',
  field: null,
  detail: 'tampered',
};

export const emptyDraft: Draft = {
  judgements: [],
  request_message: '',
  strengths: '',
  areas_for_development: '',
  enhanced_practice: '',
  outcome: null,
  notes: '',
  send_back_reason: '',
  saved_at: null,
};

const levels = [
  { value: 1, name: 'Emerging', descriptor: 'A vision is being drafted.' },
  { value: 2, name: 'Developing', descriptor: 'A vision is shared with staff.' },
  { value: 3, name: 'Embedded', descriptor: 'The vision guides every decision.' },
];

/** An assessor's view of a re-submitted version 2, with what changed. */
export const assessorView: DeskSubmissionView = {
  submission: SUB_OPEN,
  role: 'assessor',
  state: 'resubmitted',
  live: true,
  version: 2,
  versions: 2,
  institution: { name: 'Riverside Academy', identifier: '123456' },
  framework: {
    id: 'computing-quality',
    version: '1.0',
    title: 'Computing Quality Framework',
    has_levels: true,
    scale: levels.map(({ value, name }) => ({ value, name })),
  },
  award: { id: 'mark', title: 'Computing Quality Mark' },
  prepared_at: '2026-02-09T15:30:00Z',
  prepared_by: 'Sam Patel',
  received_on: '2026-02-02',
  review_due: '2026-04-30',
  overdue: false,
  dimensions: [
    {
      id: '1',
      title: 'Leadership',
      benchmarks: [
        {
          id: '1.1',
          title: 'Vision',
          guidance: 'Is there a shared vision for computing?',
          level: 2,
          level_name: 'Developing',
          descriptor: 'A vision is shared with staff.',
          levels,
          commentary: 'We wrote a vision with governors and shared it at an INSET day.',
          updated_at: '2026-02-08T12:00:00Z',
          updated_by: 'Sam Patel',
          evidence: ['e1', 'e2'],
          changed: {
            benchmark: '1.1',
            level_before: 1,
            level_after: 2,
            level_changed: true,
            commentary_changed: true,
            commentary_before: 'We are drafting a vision.',
            evidence_added: ['Staff survey'],
          },
          requested: ['Please send the minutes of the governors’ meeting.'],
        },
        {
          id: '1.2',
          title: 'Planning',
          guidance: 'Is computing planned across the school?',
          level: null,
          level_name: null,
          descriptor: null,
          levels,
          commentary: '',
          updated_at: null,
          updated_by: null,
          evidence: [],
          changed: null,
          requested: [],
        },
      ],
    },
  ],
  evidence: [
    { id: 'e1', title: 'Vision statement', file_name: 'Vision.pdf', size: 2_097_152, personal_data: false, benchmarks: ['1.1'], added: false },
    { id: 'e2', title: 'Staff survey', file_name: 'survey.xlsx', size: 2_097_152, personal_data: true, benchmarks: ['1.1'], added: true },
  ],
  actions: [
    { title: 'Review the vision', detail: 'With the new governors.', benchmark: '1.1', owner: 'Sam Patel', due: '2026-09-01', status: 'planned' },
  ],
  working_group: [{ name: 'Sam Patel', role: 'Computing lead', email: 'sam@riverside.example' }],
  history: {
    changes: 5,
    first: '2026-01-05T09:00:00Z',
    last: '2026-02-08T12:00:00Z',
    editors: [{ name: 'Sam Patel', changes: 5 }],
    recent: [{ at: '2026-02-08T12:00:00Z', benchmark: '1.1', by: 'Sam Patel', summary: 'Level 2, commentary edited' }],
  },
  named_in: [],
  changes: {
    from_version: 1,
    benchmarks: [
      {
        benchmark: '1.1',
        level_before: 1,
        level_after: 2,
        level_changed: true,
        commentary_changed: true,
        commentary_before: 'We are drafting a vision.',
        evidence_added: ['Staff survey'],
      },
    ],
    evidence_added: ['Staff survey'],
    evidence_removed: [],
  },
  requests: [
    {
      at: '2026-02-05T10:00:00Z',
      message: 'Thank you. A little more is needed on the vision.',
      benchmarks: [{ benchmark: '1.1', message: 'Please send the minutes of the governors’ meeting.' }],
    },
  ],
  recommendation: null,
  sent_back: null,
  may: { request_evidence: true, recommend: true, moderate: false, why_not: null },
  draft: emptyDraft,
  copy: { ...copy, version: 2 },
};

/** The same submission for an assessor named in its working group: no decision may be taken. */
export const namedView: DeskSubmissionView = {
  ...assessorView,
  submission: SUB_NAMED,
  institution: { name: 'Eastfield School', identifier: null },
  changes: null,
  requests: [],
  named_in: ['the working group (Ada Lovelace, Governor)', 'the history (3 changes by Ada Lovelace)'],
  may: {
    request_evidence: false,
    recommend: false,
    moderate: false,
    why_not: 'This submission names you, so no decision may be recorded: tell the awarding body, which will assign someone else.',
  },
  copy: { ...copy, current: false, finished_at: '2026-02-20T10:00:00Z', remove_after: '2026-03-06T10:00:00Z' },
};

/** A moderator's view, with the assessor's recommendation. */
export const moderatorView: DeskSubmissionView = {
  ...assessorView,
  submission: SUB_MODERATE,
  role: 'moderator',
  state: 'recommended',
  version: 1,
  versions: 1,
  institution: { name: 'Northgate College', identifier: null },
  changes: null,
  recommendation: {
    outcome: 'award',
    strengths: 'A clear, shared vision.',
    areas_for_development: 'Planning across year groups.',
    enhanced_practice: null,
    notes: 'Visited on 3 February; the minutes confirm the vision.',
    judgements: [{ benchmark: '1.1', agreed: false, level: 3, note: 'Embedded in practice, as the visit showed.' }],
  },
  may: { request_evidence: false, recommend: false, moderate: true, why_not: null },
  copy,
};

/** The desk's problems with a draft sent as a request with no message. */
export const requestProblems: DraftProblem[] = [
  { field: 'request_message', message: 'Write a message to the school saying what more evidence is needed.' },
];

/** …and as a recommendation with nothing chosen. */
export const recommendationProblems: DraftProblem[] = [
  { field: 'outcome', message: 'Choose a recommendation: award or not yet.' },
  { field: 'strengths', message: 'Write the school’s strengths.' },
];

/** The shell's answers to the assessor workspace's commands, as a test scripts them. */
export interface AssessorScript {
  /** Who is signed in (null: nobody). */
  info: DeskInfo | null;
  /** assessor_sign_in(code): who it signs in, or the refusal. */
  signIns: Record<string, DeskInfo | CommandError>;
  /** assessor_assignments. */
  rows: AssignmentRow[];
  /** assessor_open(submission): what it streams and answers (after `pause`), and the list after. */
  opens: Record<string, { progress: OpenProgress[]; opened: Opened; rowsAfter?: AssignmentRow[]; pause?: Promise<void> } | CommandError>;
  /** assessor_submission(submission). */
  views: Record<string, DeskSubmissionView>;
  /** What the desk finds in any draft, by kind (a test sets it to what the desk would say). */
  problems: { request: DraftProblem[]; recommendation: DraftProblem[] };
  /** `${command}:${submission}`: the row sending answers and the view afterwards, or the refusal. */
  sends: Record<string, { row: AssignmentRow; view?: DeskSubmissionView } | CommandError>;
  /** Every draft saved, in order. */
  saved: Draft[];
  /** The evidence files opened, as `${submission}/${evidence}`. */
  openedFiles: string[];
  /** The submissions whose copy was removed. */
  removed: string[];
}

/** Nobody signed in. */
export function emptyDesk(): AssessorScript {
  return {
    info: null,
    signIns: {},
    rows: [],
    opens: {},
    views: {},
    problems: { request: [], recommendation: [] },
    sends: {},
    saved: [],
    openedFiles: [],
    removed: [],
  };
}

/** Ada signed in, with the list and views above. */
export function signedInDesk(): AssessorScript {
  return {
    ...emptyDesk(),
    info: structuredClone(deskInfo),
    rows: structuredClone(rows),
    views: structuredClone({ [SUB_OPEN]: assessorView, [SUB_NAMED]: namedView, [SUB_MODERATE]: moderatorView }),
  };
}

export function isAssessorCommand(command: string): boolean {
  return command.startsWith('assessor_');
}

interface Channel<T> {
  onmessage: (message: T) => void;
}

const isError = (value: unknown): value is CommandError =>
  typeof value === 'object' && value !== null && 'code' in value && 'message' in value;

/** The scripted answer to an assessor command (or `missing`, which fails the test). */
export function assessorCommand(
  s: AssessorScript,
  command: string,
  args: Record<string, unknown>,
  missing: (what: string) => never,
): unknown {
  const notSignedIn: CommandError = {
    code: 'assessment',
    message: 'No assessor is signed in on this computer.',
    field: null,
    detail: 'not_signed_in',
  };
  if (command !== 'assessor_info' && command !== 'assessor_sign_in' && !s.info) throw notSignedIn;
  const submission = args.submission as string;
  switch (command) {
    case 'assessor_info':
      return s.info;
    case 'assessor_sign_in': {
      const answer = s.signIns[(args.code as string).trim()] ?? missing(`assessor_sign_in(${JSON.stringify(args.code)})`);
      if (isError(answer)) throw answer;
      s.info = answer;
      return answer;
    }
    case 'assessor_sign_out':
      s.info = null;
      return null;
    case 'assessor_set_keep_days': {
      const settings = { keep_finished_days: args.days as number };
      s.info = { ...s.info!, settings };
      return settings;
    }
    case 'assessor_assignments':
      return s.rows;
    case 'assessor_open': {
      const script = s.opens[submission] ?? missing(`assessor_open(${JSON.stringify(submission)})`);
      if (isError(script)) throw script;
      const channel = args.on_progress as Channel<OpenProgress>;
      for (const p of script.progress) channel.onmessage(structuredClone(p));
      const answer = () => {
        if (script.rowsAfter) s.rows = script.rowsAfter;
        return script.opened;
      };
      return script.pause ? script.pause.then(answer) : answer();
    }
    case 'assessor_submission':
      return s.views[submission] ?? missing(`assessor_submission(${JSON.stringify(submission)})`);
    case 'assessor_save_draft': {
      const draft = { ...(args.draft as Draft), saved_at: '2026-03-02T09:00:00Z' };
      s.saved.push(structuredClone(draft));
      const view = s.views[submission];
      if (view) s.views[submission] = { ...view, draft };
      return draft;
    }
    case 'assessor_draft_problems':
      return s.problems[args.kind as 'request' | 'recommendation'] ?? missing(`assessor_draft_problems(${String(args.kind)})`);
    case 'assessor_open_evidence':
      s.openedFiles.push(`${submission}/${String(args.evidence)}`);
      return `/home/ada/.config/waymark-assess/viewing/${submission}/${String(args.evidence)}`;
    case 'assessor_send_request':
    case 'assessor_send_recommendation':
    case 'assessor_moderate': {
      const key = `${command}:${submission}`;
      const answer = s.sends[key] ?? missing(key);
      if (isError(answer)) throw answer;
      if (answer.view) s.views[submission] = answer.view;
      s.rows = s.rows.map((r) => (r.submission === submission ? answer.row : r));
      return answer.row;
    }
    case 'assessor_remove_copy':
      s.removed.push(submission);
      s.rows = s.rows.map((r) => (r.submission === submission ? { ...r, copy: null } : r));
      return true;
    default:
      return missing(`the command ${command}`);
  }
}
