// Every call the UI makes to the desktop shell, typed with the structs generated from Rust
// (bindings.ts). Argument names are snake_case, exactly as the Rust command wrappers declare
// them. Every failure reaches the UI as a CommandError: the shell's own errors as they are,
// anything else (a string from Tauri itself, a thrown Error) wrapped with what to do.

import { invoke, type InvokeArgs } from '@tauri-apps/api/core';
import type {
  ActionStatus,
  AppInfo,
  BenchmarkDetail,
  CommandError,
  Contributor,
  ContributorInput,
  FrameworkSummary,
  FutureAction,
  HistoryEntry,
  Institution,
  InstitutionInput,
  NewAction,
  RegisterInput,
  Response,
  ReviewFramework,
  SaveResponseInput,
  SearchHit,
  Status,
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
};

/** Whether the UI runs inside the desktop shell (not in a plain browser or a test). */
export function inDesktopShell(): boolean {
  return typeof window !== 'undefined' && '__TAURI_INTERNALS__' in window;
}
