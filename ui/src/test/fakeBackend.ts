// An in-memory stand-in for the desktop shell, answering `invoke` the way the Rust commands
// do (same names, same snake_case arguments, CommandError on failure). Tests mock only
// @tauri-apps/api/core with it; everything above the invoke layer is the real UI.
import type {
  AppInfo,
  CommandError,
  Contributor,
  DescribeEvidenceInput,
  EvidenceItem,
  FrameworkDef,
  FutureAction,
  HistoryEntry,
  LinkInput,
  NewAction,
  Response,
  SaveResponseInput,
  Status,
} from '../lib/bindings';
import { flattenBenchmarks } from '../lib/framework';
import { framework, review, status as statusFixture, summaries } from './fixtures';

export interface FakeBackend {
  calls: { command: string; args: Record<string, unknown> }[];
  registered: boolean;
  responses: Map<string, Response>;
  history: HistoryEntry[];
  actions: FutureAction[];
  contributors: Contributor[];
  evidence: EvidenceItem[];
  info: AppInfo;
  /** Makes the next call of a command fail with this error. */
  failNext: Map<string, CommandError>;
  invoke: (command: string, args?: Record<string, unknown>) => Promise<unknown>;
}

let clock = Date.parse('2026-03-02T09:00:00.000Z');
const now = () => new Date((clock += 1000)).toISOString();

export interface BackendOptions {
  registered?: boolean;
  /** The framework the review is judged by (the fixture's by default). */
  framework?: FrameworkDef;
}

export function createBackend(options: BackendOptions = {}): FakeBackend {
  const fw = options.framework ?? framework;
  const backend: FakeBackend = {
    calls: [],
    registered: options.registered ?? true,
    responses: new Map(),
    history: [],
    actions: [],
    contributors: [],
    evidence: [],
    info: { version: '0.1.0', data_dir: '/tmp/waymark-test', user: 'sam', startup_error: null },
    failNext: new Map(),
    invoke: async (command, args = {}) => {
      backend.calls.push({ command, args });
      const failure = backend.failNext.get(command);
      if (failure) {
        backend.failNext.delete(command);
        throw failure;
      }
      return handle(backend, fw, command, args);
    },
  };
  return backend;
}

function currentStatus(b: FakeBackend): Status {
  const done = [...b.responses.values()].filter((r) => r.level !== null && r.commentary.trim()).length;
  return statusFixture(done);
}

function handle(b: FakeBackend, framework: FrameworkDef, command: string, args: Record<string, unknown>): unknown {
  switch (command) {
    case 'app_info':
      return b.info;
    case 'list_frameworks':
      return summaries;
    case 'current_status':
      return b.registered ? currentStatus(b) : null;
    case 'register':
      b.registered = true;
      return currentStatus(b);
    case 'review_framework':
      return { review, framework };
    case 'list_responses':
      return [...b.responses.values()];
    case 'benchmark_detail': {
      const id = args.benchmark_id as string;
      const order = flattenBenchmarks(framework).map((e) => e.benchmark.id);
      const i = order.indexOf(id);
      return {
        response: b.responses.get(id) ?? null,
        history: b.history.filter((h) => h.benchmark_id === id),
        actions: b.actions.filter((a) => a.benchmarks.includes(id)),
        previous: i > 0 ? order[i - 1] : null,
        next: i >= 0 && i < order.length - 1 ? order[i + 1] : null,
      };
    }
    case 'save_response': {
      const input = args.input as SaveResponseInput;
      const current = b.responses.get(input.benchmark_id);
      if (input.level !== null && !framework.scale?.levels.some((l) => l.value === input.level)) {
        throw { code: 'invalid_input', message: 'That level is not on the scale.', field: 'level' } satisfies CommandError;
      }
      if (current && input.base_revision !== null && input.base_revision !== current.revision) {
        throw {
          code: 'conflict',
          message: `${input.benchmark_id} was changed by ${current.updated_by} since you opened it.`,
          field: null,
        } satisfies CommandError;
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
        framework_version: '1.0',
        note: null,
        changed_by: input.by,
        changed_at: at,
      });
      return saved;
    }
    case 'confirm_response': {
      const r = b.responses.get(args.benchmark_id as string);
      if (!r) throw { code: 'not_found', message: 'No response to confirm.', field: null };
      const confirmed = { ...r, needs_confirmation: false, carried_note: null, revision: r.revision + 1 };
      b.responses.set(r.benchmark_id, confirmed);
      return confirmed;
    }
    case 'recent_changes':
      return [...b.history].reverse().slice(0, args.limit as number);
    case 'search': {
      const q = (args.query as string).toLowerCase();
      return flattenBenchmarks(framework)
        .filter((e) => `${e.benchmark.id} ${e.benchmark.title} ${e.benchmark.guidance}`.toLowerCase().includes(q))
        .map((e) => ({
          benchmark_id: e.benchmark.id,
          benchmark_title: e.benchmark.title,
          dimension_title: e.dimension.title,
          field: 'guidance',
          snippet: e.benchmark.guidance,
        }));
    }
    case 'list_actions':
      return b.actions;
    case 'add_action': {
      const a = args.action as NewAction;
      if (!a.text.trim()) throw { code: 'invalid_input', message: 'Say what the action is.', field: 'text' };
      const action: FutureAction = {
        ...a,
        id: `a${b.actions.length + 1}`,
        status: 'open',
        created_by: args.by as string,
        created_at: now(),
        updated_at: now(),
        done_at: null,
      };
      b.actions.push(action);
      return action;
    }
    case 'update_action':
    case 'set_action_status': {
      const i = b.actions.findIndex((x) => x.id === args.id);
      const old = b.actions[i];
      if (!old) throw { code: 'not_found', message: 'No such action.', field: null };
      const updated: FutureAction =
        command === 'update_action'
          ? { ...old, ...(args.action as NewAction), updated_at: now() }
          : { ...old, status: args.status as FutureAction['status'], done_at: args.status === 'done' ? now() : null };
      b.actions[i] = updated;
      return updated;
    }
    case 'list_contributors':
      return b.contributors;
    case 'add_contributor': {
      const input = args.input as { name: string; role: string | null; email: string | null };
      const c: Contributor = { id: `c${b.contributors.length + 1}`, ...input, created_at: now() };
      b.contributors.push(c);
      return c;
    }
    case 'remove_contributor':
      b.contributors = b.contributors.filter((c) => c.id !== args.id);
      return null;
    case 'list_evidence':
      return {
        items: b.evidence,
        folders: [...new Set(b.evidence.map((i) => i.path.replace(/\/[^/]*$/, '')))],
        watch_problems: [],
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
      if (!input.title.trim()) throw { code: 'invalid_input', message: 'Give the evidence a title.', field: 'title' };
      return updateEvidence(b, input.id, (i) => ({ ...i, title: input.title, note: input.note, personal_data: input.personal_data }));
    }
    case 'remove_evidence':
      b.evidence = b.evidence.filter((i) => i.id !== args.id);
      return null;
    case 'update_institution':
      return { ...statusFixture().institution, ...(args.input as object) };
    default:
      throw `command ${command} not found`;
  }
}

function updateEvidence(b: FakeBackend, id: string, change: (item: EvidenceItem) => EvidenceItem): EvidenceItem {
  const i = b.evidence.findIndex((x) => x.id === id);
  const old = b.evidence[i];
  if (!old) throw { code: 'not_found', message: `Evidence item "${id}" was not found.`, field: null };
  const updated = change(old);
  b.evidence[i] = updated;
  return updated;
}
