// Every call the UI makes to the desktop shell, typed with the structs generated from Rust
// (bindings.ts). Argument names are snake_case, exactly as the Rust command wrappers declare
// them. Every failure reaches the UI as a CommandError: the shell's own errors as they are,
// anything else (a string from Tauri itself, a thrown Error) wrapped with what to do.

import { Channel, invoke, type InvokeArgs } from '@tauri-apps/api/core';
import type {
  ActionStatus,
  AddEvidenceInput,
  AddReport,
  AppInfo,
  BenchmarkDetail,
  CommandError,
  Contributor,
  ContributorInput,
  DescribeEvidenceInput,
  ExportInput,
  Exported,
  EvidenceItem,
  EvidenceLibrary,
  FreezeReport,
  FrameworkSummary,
  FutureAction,
  HistoryEntry,
  Institution,
  InstitutionInput,
  LinkInput,
  NewAction,
  RegisterInput,
  RescanReport,
  Response,
  ReviewFramework,
  SaveResponseInput,
  SearchHit,
  Status,
  WorkProgress,
} from './bindings';

/** Whether a value has the shape of the shell's CommandError. */
export function isCommandError(value: unknown): value is CommandError {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.code === 'string' && typeof v.message === 'string';
}

/** Any failure as a CommandError, so the UI never shows a raw string or nothing at all. */
export function toCommandError(value: unknown): CommandError {
  if (isCommandError(value)) {
    return {
      code: value.code,
      message: value.message,
      field: typeof value.field === 'string' ? value.field : null,
    };
  }
  const detail =
    value instanceof Error ? value.message : typeof value === 'string' ? value.trim() : '';
  return {
    code: 'unexpected',
    message:
      `Waymark could not finish that${detail ? ` (${detail})` : ''}. ` +
      'Try again; if it keeps happening, close Waymark and open it again.',
    field: null,
  };
}

async function call<T>(command: string, args?: InvokeArgs): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (e) {
    throw toCommandError(e);
  }
}

export const api = {
  appInfo: () => call<AppInfo>('app_info'),
  listFrameworks: () => call<FrameworkSummary[]>('list_frameworks'),
  register: (input: RegisterInput) => call<Status>('register', { input }),
  currentStatus: () => call<Status | null>('current_status'),
  reviewFramework: () => call<ReviewFramework>('review_framework'),
  listResponses: () => call<Response[]>('list_responses'),
  benchmarkDetail: (benchmark_id: string) =>
    call<BenchmarkDetail>('benchmark_detail', { benchmark_id }),
  saveResponse: (input: SaveResponseInput) => call<Response>('save_response', { input }),
  confirmResponse: (benchmark_id: string, by: string) =>
    call<Response>('confirm_response', { benchmark_id, by }),
  recentChanges: (limit: number) => call<HistoryEntry[]>('recent_changes', { limit }),
  search: (query: string) => call<SearchHit[]>('search', { query }),
  listActions: () => call<FutureAction[]>('list_actions'),
  addAction: (action: NewAction, by: string) =>
    call<FutureAction>('add_action', { action, by }),
  updateAction: (id: string, action: NewAction) =>
    call<FutureAction>('update_action', { id, action }),
  setActionStatus: (id: string, status: ActionStatus) =>
    call<FutureAction>('set_action_status', { id, status }),
  listContributors: () => call<Contributor[]>('list_contributors'),
  addContributor: (input: ContributorInput) => call<Contributor>('add_contributor', { input }),
  removeContributor: (id: string) => call<null>('remove_contributor', { id }),
  updateInstitution: (input: InstitutionInput) =>
    call<Institution>('update_institution', { input }),
  listEvidence: () => call<EvidenceLibrary>('list_evidence'),
  linkEvidence: (id: string, link: LinkInput) => call<EvidenceItem>('link_evidence', { id, link }),
  unlinkEvidence: (id: string, link: LinkInput) =>
    call<EvidenceItem>('unlink_evidence', { id, link }),
  describeEvidence: (input: DescribeEvidenceInput) =>
    call<EvidenceItem>('describe_evidence', { input }),
  removeEvidence: (id: string) => call<null>('remove_evidence', { id }),
  openEvidence: (id: string) => call<null>('open_evidence', { id }),
  revealEvidence: (id: string) => call<null>('reveal_evidence', { id }),
  cancelEvidenceWork: () => call<null>('cancel_evidence_work'),
  // Long jobs: progress arrives on a channel while the promise is pending.
  addEvidence: (input: AddEvidenceInput, onProgress: (p: WorkProgress) => void) =>
    call<AddReport>('add_evidence', { input, on_progress: channel(onProgress) }),
  rescanEvidence: (onProgress: (p: WorkProgress) => void) =>
    call<RescanReport>('rescan_evidence', { on_progress: channel(onProgress) }),
  exportDocument: (input: ExportInput) => call<Exported>('export_document', { input }),
  openDocument: (path: string) => call<null>('open_document', { path }),
  revealDocument: (path: string) => call<null>('reveal_document', { path }),
  freezeEvidence: () => call<FreezeReport>('freeze_evidence'),
  acceptEvidence: (id: string, by: string) => call<EvidenceItem>('accept_evidence', { id, by }),
};

function channel<T>(onMessage: (message: T) => void): Channel<T> {
  const c = new Channel<T>();
  c.onmessage = onMessage;
  return c;
}

/** Whether the UI runs inside the desktop shell (not in a plain browser or a test). */
export function inDesktopShell(): boolean {
  return typeof window !== 'undefined' && '__TAURI_INTERNALS__' in window;
}
