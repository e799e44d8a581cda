import { beforeEach, describe, expect, it, vi } from 'vitest';

const invoke = vi.fn();
vi.mock('@tauri-apps/api/core', () => ({ invoke: (...args: unknown[]) => invoke(...args) }));

const { api, isCommandError, toCommandError } = await import('./api');

describe('api', () => {
  beforeEach(() => {
    invoke.mockReset();
  });

  it('passes snake_case argument names exactly as the Rust commands declare them', async () => {
    invoke.mockResolvedValue(null);
    await api.benchmarkDetail('1.1');
    await api.saveResponse({ benchmark_id: '1.1', level: 2, commentary: 'x', base_revision: 3, by: 'sam' });
    await api.addAction({ text: 't', owner: null, due_date: null, benchmarks: ['1.1'] }, 'sam');
    await api.setActionStatus('a1', 'done');
    await api.confirmResponse('1.1', 'sam');
    await api.recentChanges(10);
    await api.updateAction('a1', { text: 't', owner: 'Alex', due_date: '2027-01-01', benchmarks: [] });
    await api.removeContributor('c1');
    expect(invoke.mock.calls).toEqual([
      ['benchmark_detail', { benchmark_id: '1.1' }],
      ['save_response', { input: { benchmark_id: '1.1', level: 2, commentary: 'x', base_revision: 3, by: 'sam' } }],
      ['add_action', { action: { text: 't', owner: null, due_date: null, benchmarks: ['1.1'] }, by: 'sam' }],
      ['set_action_status', { id: 'a1', status: 'done' }],
      ['confirm_response', { benchmark_id: '1.1', by: 'sam' }],
      ['recent_changes', { limit: 10 }],
      ['update_action', { id: 'a1', action: { text: 't', owner: 'Alex', due_date: '2027-01-01', benchmarks: [] } }],
      ['remove_contributor', { id: 'c1' }],
    ]);
  });

  it('passes a CommandError through unchanged', async () => {
    const error = { code: 'invalid_input', message: 'Say what the action is.', field: 'text' };
    invoke.mockImplementation(() => Promise.reject(error));
    await expect(api.listActions()).rejects.toEqual(error);
  });

  it('turns anything else into a CommandError that says what to do', async () => {
    invoke.mockImplementation(() => Promise.reject('Command list_actions not allowed by ACL'));
    const e = await api.listActions().catch((x: unknown) => x);
    expect(isCommandError(e)).toBe(true);
    expect(e).toMatchObject({ code: 'internal', field: null });
    expect((e as { message: string }).message).toMatch(/not allowed by ACL.*Try again/);
    expect(toCommandError(new Error('boom')).message).toContain('boom');
    expect(toCommandError(undefined).message).toMatch(/^Waymark could not finish that\. Try again/);
  });

  it('passes the submission commands’ arguments as the Rust commands declare them', async () => {
    invoke.mockResolvedValue(null);
    await api.applyPreview('mark');
    await api.checkCode('wm1:x');
    await api.receipt('outbox-1');
    await api.saveReceipt({ id: 'outbox-1', path: '/home/sam/receipt.json' });
    await api.setRenewalNotice(9);
    await api.startRenewal('sam');
    expect(invoke.mock.calls).toEqual([
      ['apply_preview', { award: 'mark' }],
      ['check_code', { code: 'wm1:x' }],
      ['receipt', { id: 'outbox-1' }],
      ['save_receipt', { input: { id: 'outbox-1', path: '/home/sam/receipt.json' } }],
      ['set_renewal_notice', { months: 9 }],
      ['start_renewal', { by: 'sam' }],
    ]);
  });

  it('keeps the submission engine’s own code of a failure', () => {
    const error = { code: 'submission', message: 'The proxy refused.', field: null, detail: 'network_proxy' };
    expect(toCommandError(error)).toEqual(error);
    expect(toCommandError({ code: 'internal', message: 'x', field: null })).not.toHaveProperty('detail');
  });
});
