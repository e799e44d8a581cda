// Generated from src-tauri/command_list.rs by src-tauri/bindings.rs — do not edit by hand.
// Regenerate with `make bindings`.

import type { ActionStatus, AddEvidenceInput, AddReport, AppInfo, BenchmarkDetail, Contributor, ContributorInput, DescribeEvidenceInput, EvidenceItem, EvidenceScreen, ExportInput, Exported, FieldProblem, FrameworkSummary, FreezeReport, FutureAction, HistoryEntry, Institution, InstitutionInput, LinkInput, NewAction, RegisterInput, RescanReport, Response, ReviewFramework, SaveResponseInput, SearchHit, Status, WorkProgress } from './bindings';
import { call, channel } from './invoke';

/** Every command the desktop shell offers, typed as Rust declares it. */
export const commands = {
  appInfo: () => call<AppInfo>('app_info'),
  cancelEvidenceWork: () => call<null>('cancel_evidence_work'),
  setAuthor: (name: string) => call<string>('set_author', { name }),
  listFrameworks: () => call<Array<FrameworkSummary>>('list_frameworks'),
  register: (input: RegisterInput) => call<Status>('register', { input }),
  currentStatus: () => call<Status | null>('current_status'),
  reviewFramework: () => call<ReviewFramework>('review_framework'),
  listResponses: () => call<Array<Response>>('list_responses'),
  benchmarkDetail: (benchmark_id: string) => call<BenchmarkDetail>('benchmark_detail', { benchmark_id }),
  saveResponse: (input: SaveResponseInput) => call<Response>('save_response', { input }),
  confirmResponse: (benchmark_id: string, by: string) => call<Response>('confirm_response', { benchmark_id, by }),
  recentChanges: (limit: number) => call<Array<HistoryEntry>>('recent_changes', { limit }),
  search: (query: string) => call<Array<SearchHit>>('search', { query }),
  listActions: () => call<Array<FutureAction>>('list_actions'),
  addAction: (action: NewAction, by: string) => call<FutureAction>('add_action', { action, by }),
  updateAction: (id: string, action: NewAction) => call<FutureAction>('update_action', { id, action }),
  setActionStatus: (id: string, status: ActionStatus) => call<FutureAction>('set_action_status', { id, status }),
  listContributors: () => call<Array<Contributor>>('list_contributors'),
  addContributor: (input: ContributorInput) => call<Contributor>('add_contributor', { input }),
  removeContributor: (id: string) => call<null>('remove_contributor', { id }),
  updateInstitution: (input: InstitutionInput) => call<Institution>('update_institution', { input }),
  checkInstitution: (input: InstitutionInput) => call<Array<FieldProblem>>('check_institution', { input }),
  checkAction: (action: NewAction) => call<Array<FieldProblem>>('check_action', { action }),
  checkContributor: (input: ContributorInput) => call<Array<FieldProblem>>('check_contributor', { input }),
  listEvidence: () => call<EvidenceScreen>('list_evidence'),
  linkEvidence: (id: string, link: LinkInput) => call<EvidenceItem>('link_evidence', { id, link }),
  unlinkEvidence: (id: string, link: LinkInput) => call<EvidenceItem>('unlink_evidence', { id, link }),
  describeEvidence: (input: DescribeEvidenceInput) => call<EvidenceItem>('describe_evidence', { input }),
  removeEvidence: (id: string) => call<null>('remove_evidence', { id }),
  openEvidence: (id: string) => call<null>('open_evidence', { id }),
  revealEvidence: (id: string) => call<null>('reveal_evidence', { id }),
  openDocument: (path: string) => call<null>('open_document', { path }),
  revealDocument: (path: string) => call<null>('reveal_document', { path }),
  freezeEvidence: () => call<FreezeReport>('freeze_evidence'),
  acceptEvidence: (id: string, by: string) => call<EvidenceItem>('accept_evidence', { id, by }),
  addEvidence: (input: AddEvidenceInput, onProgress: (p: WorkProgress) => void) => call<AddReport>('add_evidence', { input, on_progress: channel(onProgress) }),
  rescanEvidence: (onProgress: (p: WorkProgress) => void) => call<RescanReport>('rescan_evidence', { on_progress: channel(onProgress) }),
  exportDocument: (input: ExportInput) => call<Exported>('export_document', { input }),
};
