// A stand-in for the desktop shell, answering `invoke` with what the real core answered
// (ui/src/test/fixtures/core/*.json, recorded by src-tauri/ui_fixtures.rs). Tests mock only
// @tauri-apps/api/core with it; everything above the invoke layer is the real UI.
//
// It keeps what a test saves (responses, history, actions, people, evidence links) the way a
// database would, but judges nothing: the status of a review state is the one the core gave for
// that state, searches and neighbours are the core's, an action added, edited or marked is the
// one the core answered (overdue or not), a form's problems are the ones the core found in the
// same input, and anything the recording lacks is an error naming it (and fails the test, see
// setup.ts) rather than a guess. The submission commands replay the shell's answers a test
// scripts: recorded along a real journey (test/recorded.ts) or, for states the journey never
// reaches, from test/submissions.ts; the shell's events are sent with `emit`. The assessor
// workspace's commands replay test/assessor.ts's hand-written answers the same way.
import type {
  Applied,
  AppInfo,
  ApplyPreview,
  ApplyProgress,
  CodeCheck,
  Delivery,
  Enrolled,
  LevelComparison,
  Overview,
  ReceiptView,
  RenewalReport,
  SaveReceiptInput,
  CommandError,
  Contributor,
  ContributorInput,
  DescribeEvidenceInput,
  EvidenceItem,
  FieldProblem,
  FutureAction,
  HistoryEntry,
  Institution,
  LinkInput,
  Response,
  SaveResponseInput,
  Status,
} from '../lib/bindings';
import {
  canonical,
  checks,
  firstRun,
  firstStatus,
  privacy,
  reviews,
  stateKey,
  type ReviewFixture,
  type ReviewName,
  type ReviewState,
} from './core';
import { fresh } from './submissions';
import { assessorCommand, emptyDesk, isAssessorCommand, type AssessorScript } from './assessor';

/** The shell's answers to the submission commands, as a test scripts them. */
export interface SubmissionsScript {
  /** What `overview` answers (applying, enrolling and renewing replace it as the shell would). */
  overview: Overview;
  /** What asking the awarding body brings (what is stored, when not set). */
  refreshed?: Overview;
  /** apply_preview(award). */
  previews: Record<string, ApplyPreview>;
  /** check_code(code). */
  codeChecks: Record<string, CodeCheck>;
  /** enroll(code). */
  enrollments: Record<string, Enrolled>;
  /** What apply streams and answers (after `pause`, if given), and the overview afterwards. */
  apply?: { progress: ApplyProgress[]; applied: Applied; after?: Overview; pause?: Promise<void> };
  /** receipt(id). */
  receipts: Record<string, ReceiptView>;
  /** What send_now answers (the stored delivery, when not set). */
  sendNow?: Delivery;
  /** What start_renewal answers, and the overview afterwards. */
  renewal?: { report: RenewalReport; after: Overview };
  /** compare_with_awarded(). */
  comparison?: LevelComparison[];
  /** The months of notice set_renewal_notice stored. */
  notice: number | null;
}

/** A channel as the fake shell sees it: what the UI's `channel()` made. */
export class FakeChannel<T> {
  onmessage: (message: T) => void = () => undefined;
}

type Listener = (event: { event: string; id: number; payload: unknown }) => void;

export interface FakeBackend {
  calls: { command: string; args: Record<string, unknown> }[];
  registered: boolean;
  responses: Map<string, Response>;
  history: HistoryEntry[];
  actions: FutureAction[];
  contributors: Contributor[];
  evidence: EvidenceItem[];
  institution: Institution;
  info: AppInfo;
  /** Makes the next call of a command fail with this error. */
  failNext: Map<string, CommandError>;
  /** The submission commands' answers. */
  submissions: SubmissionsScript;
  /** The assessor workspace's answers (nobody signed in, unless a test scripts one). */
  assessor: AssessorScript;
  /** What the Privacy screen's commands changed: network paused, an export made. */
  privacy: { restricted: boolean; exported: boolean };
  /** Holds a command's answer until the test releases it (to see the UI while it waits). */
  hold: Map<string, Promise<void>>;
  invoke: (command: string, args?: Record<string, unknown>) => Promise<unknown>;
  /** What `listen` from @tauri-apps/api/event does: the handler hears `emit`. */
  listen: (event: string, handler: Listener) => Promise<() => void>;
  /** Sends a shell event to every listener. */
  emit: (event: string, payload?: unknown) => void;
}

/** Answers the recording lacks, since the last `takeMissing()`; setup.ts fails a test with any. */
const missing: string[] = [];

/** The answers asked for that the core was never recorded giving, and forgets them. */
export function takeMissing(): string[] {
  return missing.splice(0);
}

/** An answer the recording lacks: noted for setup.ts, and thrown so the UI sees a failure. */
function notRecorded(what: string): never {
  const message = `The core's answer for ${what} was not recorded: add the step to src-tauri/ui_fixtures.rs and run \`make bindings\`.`;
  missing.push(message);
  throw new Error(message);
}

let clock = Date.parse('2026-03-02T09:00:00.000Z');
const now = () => new Date((clock += 1000)).toISOString();

export interface BackendOptions {
  registered?: boolean;
  /** The review the fake answers for (test-quality by default). */
  review?: ReviewName;
}

export function createBackend(options: BackendOptions = {}): FakeBackend {
  const fixture = reviews[options.review ?? 'test-quality'];
  const listeners = new Map<string, Listener[]>();
  let events = 0;
  const backend: FakeBackend = {
    calls: [],
    registered: options.registered ?? true,
    responses: new Map(),
    history: [],
    actions: [],
    contributors: [],
    evidence: [],
    institution: firstStatus(fixture).institution,
    info: options.registered === false ? firstRun.app_info : fixture.app_info,
    failNext: new Map(),
    submissions: {
      overview: structuredClone(fresh),
      previews: {},
      codeChecks: {},
      enrollments: {},
      receipts: {},
      notice: null,
    },
    privacy: { restricted: false, exported: false },
    assessor: emptyDesk(),
    hold: new Map(),
    invoke: async (command, args = {}) => {
      backend.calls.push({ command, args });
      const held = backend.hold.get(command);
      if (held) await held;
      const failure = backend.failNext.get(command);
      if (failure) {
        backend.failNext.delete(command);
        throw failure;
      }
      return handle(backend, fixture, command, args);
    },
    listen: async (event, handler) => {
      listeners.set(event, [...(listeners.get(event) ?? []), handler]);
      return () => listeners.set(event, (listeners.get(event) ?? []).filter((h) => h !== handler));
    },
    emit: (event, payload = null) => {
      for (const h of listeners.get(event) ?? []) h({ event, id: (events += 1), payload: structuredClone(payload) });
    },
  };
  return backend;
}

/** What the review's status depends on, as the fake holds it now. */
function reviewState(b: FakeBackend): ReviewState {
  return {
    responses: [...b.responses.values()].map((r) => ({
      benchmark_id: r.benchmark_id,
      level: r.level,
      commentary: r.commentary,
      needs_confirmation: r.needs_confirmation,
    })),
    evidence: b.evidence.map((i) => ({ id: i.id, present: i.present, needs_attention: i.needs_attention, links: i.links })),
    actions: b.actions.map((a) => ({ id: a.id, status: a.status, due_date: a.due_date })),
  };
}

/** The status the core gave for the review as it stands (with the institution as edited). */
function statusNow(b: FakeBackend, fixture: ReviewFixture): Status {
  const state = reviewState(b);
  const key = stateKey(state);
  const found = fixture.statuses.find((s) => stateKey(s.state) === key);
  if (!found) notRecorded(`the status of ${fixture.review_framework.framework.id} in ${JSON.stringify(state)}`);
  return { ...found.status, institution: b.institution };
}

function handle(b: FakeBackend, fixture: ReviewFixture, command: string, args: Record<string, unknown>): unknown {
  switch (command) {
    case 'app_info':
      return b.info;
    case 'set_author': {
      const name = args.name as string;
      const answer = fixture.authors?.find((a) => a.name === name);
      if (!answer) notRecorded(`set_author(${JSON.stringify(name)})`);
      b.info = answer.app_info;
      return answer.answer;
    }
    case 'list_frameworks':
      return firstRun.frameworks;
    case 'current_status':
      return b.registered ? statusNow(b, fixture) : null;
    case 'register':
      b.registered = true;
      b.info = fixture.app_info;
      return statusNow(b, fixture);
    case 'review_framework':
      return fixture.review_framework;
    case 'list_responses':
      return [...b.responses.values()];
    case 'benchmark_detail': {
      const id = args.benchmark_id as string;
      const around = fixture.neighbours[id];
      if (!around) notRecorded(`benchmark_detail(${JSON.stringify(id)})`);
      return {
        response: b.responses.get(id) ?? null,
        history: b.history.filter((h) => h.benchmark_id === id),
        actions: b.actions.filter((a) => a.benchmarks.includes(id)),
        ...around,
      };
    }
    case 'save_response': {
      const input = args.input as SaveResponseInput;
      const current = b.responses.get(input.benchmark_id);
      // The store's own check: a save based on an older revision is refused.
      if (current && input.base_revision !== null && input.base_revision !== current.revision) {
        throw fixture.conflict ?? notRecorded('a conflicting save');
      }
      const at = now();
      const saved: Response = {
        benchmark_id: input.benchmark_id,
        level: input.level,
        commentary: input.commentary,
        needs_confirmation: false,
        carried_note: null,
        revision: (current?.revision ?? 0) + 1,
        updated_by: input.by,
        updated_at: at,
      };
      b.responses.set(input.benchmark_id, saved);
      b.history.push({
        id: `h${b.history.length + 1}`,
        benchmark_id: input.benchmark_id,
        change: 'edit',
        level: input.level,
        commentary: input.commentary,
        framework_version: fixture.review_framework.review.framework_version,
        note: null,
        changed_by: input.by,
        changed_at: at,
      });
      return saved;
    }
    case 'confirm_response': {
      const r = b.responses.get(args.benchmark_id as string);
      if (!r) notRecorded(`confirming ${String(args.benchmark_id)}, which has no response`);
      const confirmed = { ...r, needs_confirmation: false, carried_note: null, revision: r.revision + 1 };
      b.responses.set(r.benchmark_id, confirmed);
      return confirmed;
    }
    case 'recent_changes':
      return [...b.history].reverse().slice(0, args.limit as number);
    case 'search': {
      const query = args.query as string;
      const key = stateKey(reviewState(b));
      const found = fixture.searches?.find((s) => s.query === query && stateKey(s.state) === key);
      if (!found) notRecorded(`search(${JSON.stringify(query)}) in ${key}`);
      return found.hits;
    }
    case 'list_actions':
      return b.actions;
    case 'add_action':
    case 'update_action':
    case 'set_action_status': {
      // The action as the core answered this call: the fake keeps it, deciding nothing (not
      // its status, dates or whether it is overdue).
      const answer = recordedAction(fixture, command, args);
      if (command === 'add_action') {
        b.actions.push(answer);
      } else {
        const i = b.actions.findIndex((x) => x.id === args.id);
        if (i < 0) notRecorded(`${command} of action ${String(args.id)}, which does not exist`);
        b.actions[i] = answer;
      }
      return answer;
    }
    case 'check_institution':
      return recordedCheck('institution', args.input);
    case 'check_action':
      return recordedCheck('action', args.action);
    case 'check_contributor':
      return recordedCheck('contributor', args.input);
    case 'list_contributors':
      return b.contributors;
    case 'add_contributor': {
      const input = args.input as ContributorInput;
      const c: Contributor = { id: `c${b.contributors.length + 1}`, ...input, created_at: now() };
      b.contributors.push(c);
      return c;
    }
    case 'remove_contributor':
      b.contributors = b.contributors.filter((c) => c.id !== args.id);
      return null;
    case 'list_evidence':
      return {
        library: { items: b.evidence, folders: fixture.evidence?.library.folders ?? [] },
        watch_problems: fixture.evidence?.watch_problems ?? [],
      };
    case 'link_evidence':
    case 'unlink_evidence': {
      const link = args.link as LinkInput;
      const same = (l: LinkInput) => l.benchmark_id === link.benchmark_id && l.requirement_id === link.requirement_id;
      return updateEvidence(b, args.id as string, (i) => ({
        ...i,
        links: command === 'link_evidence' ? [...i.links.filter((l) => !same(l)), link] : i.links.filter((l) => !same(l)),
      }));
    }
    case 'describe_evidence': {
      const input = args.input as DescribeEvidenceInput;
      return updateEvidence(b, input.id, (i) => ({ ...i, title: input.title, note: input.note, personal_data: input.personal_data }));
    }
    case 'open_evidence':
    case 'reveal_evidence':
      // The shell hands the file to the operating system; it answers nothing else.
      return null;
    case 'remove_evidence':
      b.evidence = b.evidence.filter((i) => i.id !== args.id);
      return null;
    case 'update_institution':
      b.institution = { ...b.institution, ...(args.input as object) };
      return b.institution;
    case 'privacy_overview':
    case 'erasure_plan':
    case 'set_network_restricted':
    case 'update_contributor':
    case 'export_data':
    case 'erase_data':
      return privacyCommand(b, command, args);
    case 'overview':
    case 'refresh_submissions':
    case 'apply_preview':
    case 'check_code':
    case 'enroll':
    case 'apply':
    case 'receipt':
    case 'save_receipt':
    case 'send_now':
    case 'set_renewal_notice':
    case 'start_renewal':
    case 'compare_with_awarded': {
      const answer = submissionCommand(b.submissions, command, args);
      return answer instanceof Promise ? answer.then((a) => structuredClone(a)) : structuredClone(answer);
    }
    default:
      if (isAssessorCommand(command)) {
        const answer = assessorCommand(b.assessor, command, args, notRecorded);
        return answer instanceof Promise ? answer.then((a) => structuredClone(a)) : structuredClone(answer);
      }
      return notRecorded(`the command ${command}`);
  }
}

/** The core's answer to an action command with these arguments. */
function recordedAction(fixture: ReviewFixture, command: string, args: Record<string, unknown>): FutureAction {
  const key = canonical(args);
  const found = fixture.actions?.find((c) => c.command === command && canonical(c.args) === key);
  if (!found) notRecorded(`${command}(${key})`);
  return structuredClone(found.answer);
}

/** The core's problems with a form's input (none when it can be saved). */
function recordedCheck(kind: keyof typeof checks, input: unknown): FieldProblem[] {
  const key = canonical(input);
  const found = checks[kind].find((c) => canonical(c.input) === key);
  if (!found) notRecorded(`check_${kind}(${key})`);
  return structuredClone(found.problems);
}

function updateEvidence(b: FakeBackend, id: string, change: (item: EvidenceItem) => EvidenceItem): EvidenceItem {
  const i = b.evidence.findIndex((x) => x.id === id);
  const old = b.evidence[i];
  if (!old) notRecorded(`evidence item ${id}, which is not tracked`);
  const updated = change(old);
  b.evidence[i] = updated;
  return updated;
}

/** The core's answers to the Privacy screen's commands (fixtures/core/privacy.json). */
function privacyCommand(b: FakeBackend, command: string, args: Record<string, unknown>): unknown {
  const p = b.privacy;
  switch (command) {
    case 'privacy_overview':
      if (p.restricted && p.exported) return notRecorded('privacy_overview, paused after an export');
      return structuredClone(p.restricted ? privacy.overview_paused : p.exported ? privacy.overview_exported : privacy.overview);
    case 'erasure_plan':
      return structuredClone(privacy.plan);
    case 'set_network_restricted':
      p.restricted = args.restricted as boolean;
      return p.restricted ? privacy.restricted.paused : privacy.restricted.resumed;
    case 'update_contributor': {
      if (canonical(args) !== canonical(privacy.corrected.args)) notRecorded(`update_contributor(${canonical(args)})`);
      const answer = structuredClone(privacy.corrected.answer);
      b.contributors = b.contributors.map((c) => (c.id === answer.id ? answer : c));
      return answer;
    }
    case 'export_data':
      if (canonical(args) !== canonical(privacy.exported.args)) notRecorded(`export_data(${canonical(args)})`);
      p.exported = true;
      return structuredClone(privacy.exported.answer);
    case 'erase_data':
      if (args.confirmation !== privacy.plan.confirmation || args.at_endpoint !== false) {
        notRecorded(`erase_data(${canonical(args)})`);
      }
      // The folder is new: nothing registered, the app's info as the core gave it afterwards.
      b.registered = false;
      b.info = privacy.app_info;
      return structuredClone(privacy.erased);
    default:
      return notRecorded(`the command ${command}`);
  }
}

/** The shell's scripted answer to a submission command. */
function submissionCommand(s: SubmissionsScript, command: string, args: Record<string, unknown>): unknown {
  const named = <T>(answers: Record<string, T>, key: unknown): T =>
    answers[key as string] ?? notRecorded(`${command}(${JSON.stringify(key)})`);
  switch (command) {
    case 'overview':
      return s.overview;
    case 'refresh_submissions':
      if (s.refreshed) s.overview = s.refreshed;
      return s.overview;
    case 'apply_preview':
      return named(s.previews, args.award);
    case 'check_code':
      return named(s.codeChecks, args.code);
    case 'enroll': {
      const enrolled = named(s.enrollments, args.code);
      s.overview = { ...s.overview, connection: enrolled.connection };
      return enrolled;
    }
    case 'apply': {
      if (!s.apply) return notRecorded(`apply(${JSON.stringify(args.award)})`);
      const channel = args.on_progress as FakeChannel<ApplyProgress>;
      for (const p of s.apply.progress) channel.onmessage(structuredClone(p));
      const { applied, after, pause } = s.apply;
      const answer = () => {
        if (after) s.overview = after;
        return applied;
      };
      return pause ? pause.then(answer) : answer();
    }
    case 'receipt':
      return named(s.receipts, args.id);
    case 'save_receipt': {
      const input = args.input as SaveReceiptInput;
      named(s.receipts, input.id);
      return input.path;
    }
    case 'send_now':
      return s.sendNow ?? s.overview.delivery;
    case 'set_renewal_notice':
      s.notice = args.months as number;
      return s.notice;
    case 'start_renewal':
      if (!s.renewal) return notRecorded('start_renewal');
      s.overview = s.renewal.after;
      return s.renewal.report;
    case 'compare_with_awarded':
      return s.comparison ?? notRecorded('compare_with_awarded');
    default:
      return notRecorded(`the command ${command}`);
  }
}
