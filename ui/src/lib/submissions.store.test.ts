// The shared submissions store over the fake shell: the overview read, the shell's events
// followed (a delivery update is taken as it comes, "submissions-changed" re-reads), and a
// failed check with the awarding body that keeps what is stored on screen.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createBackend, type FakeBackend } from '../test/fakeBackend';
import { deliveries, moreEvidence, underReview } from '../test/submissions';

const shell = vi.hoisted(() => ({ backend: null as FakeBackend | null }));
vi.mock('@tauri-apps/api/core', () => ({
  invoke: (command: string, args?: Record<string, unknown>) => shell.backend!.invoke(command, args),
}));
vi.mock('@tauri-apps/api/event', () => ({
  listen: (event: string, handler: Parameters<FakeBackend['listen']>[1]) => shell.backend!.listen(event, handler),
}));

/** A fresh store (its module) over a fresh fake shell. */
async function store(overview = underReview) {
  shell.backend = createBackend();
  shell.backend.submissions.overview = structuredClone(overview);
  vi.resetModules();
  return (await import('./submissions.svelte')).submissions;
}

const calls = (command: string) => shell.backend!.calls.filter((c) => c.command === command).length;

describe('the submissions store', () => {
  beforeEach(() => {
    // Inside the desktop shell, so the store follows its events.
    Object.assign(window, { __TAURI_INTERNALS__: {} });
  });

  afterEach(() => {
    delete (window as { __TAURI_INTERNALS__?: unknown }).__TAURI_INTERNALS__;
  });

  it('reads the overview, with what each mark offers and the delivery', async () => {
    const s = await store();
    expect(s.overview).toBeNull();
    await s.load();
    expect(s.overview?.submissions.map((v) => v.stage)).toEqual(['under_review']);
    expect(s.application('mark')?.offer).toBe('follow');
    expect(s.application('commitment')).toBeUndefined();
    expect(s.delivery?.state).toBe('idle');
    expect(s.loadError).toBeNull();
  });

  it('takes each delivery update as it comes, and re-reads when submissions change', async () => {
    const s = await store();
    await s.listen();
    await s.listen();
    await s.load();
    expect(calls('overview')).toBe(1);

    shell.backend!.emit('delivery-changed', deliveries.sending);
    expect(s.delivery).toEqual(deliveries.sending);
    // The delivery alone changed: nothing is re-read.
    expect(calls('overview')).toBe(1);

    shell.backend!.submissions.overview = structuredClone(moreEvidence);
    shell.backend!.emit('submissions-changed');
    await vi.waitFor(() => expect(s.overview?.submissions[0]?.stage).toBe('more_evidence_requested'));
    // Listening twice registered once: one read per announcement.
    expect(calls('overview')).toBe(2);
    expect([...s.requested]).toEqual(['1.1']);
    expect(s.requestsFor('1.1').map((r) => r.message)).toEqual([moreEvidence.requests[0]!.message]);
    expect(s.requestsFor('1.2')).toEqual([]);
  });

  it('keeps a delivery update that arrives while the overview is being read', async () => {
    const s = await store();
    await s.listen();
    let release = () => {};
    shell.backend!.hold.set('overview', new Promise<void>((r) => (release = r)));
    const reading = s.load();
    shell.backend!.emit('delivery-changed', deliveries.sending);
    release();
    await reading;
    expect(s.overview?.delivery.state).toBe('idle');
    expect(s.delivery?.state).toBe('sending');
  });

  it('keeps what is stored when the awarding body cannot be reached, and says why quietly', async () => {
    const s = await store();
    await s.load();
    shell.backend!.failNext.set('refresh_submissions', {
      code: 'submission',
      message: 'The awarding body could not be reached (no network).',
      field: null,
      detail: 'network_connect',
    });
    await s.refresh();
    expect(s.refreshError?.message).toBe('The awarding body could not be reached (no network).');
    expect(s.refreshError?.detail).toBe('network_connect');
    expect(s.overview?.submissions.map((v) => v.stage)).toEqual(['under_review']);
    expect(s.refreshing).toBe(false);

    shell.backend!.submissions.refreshed = structuredClone(moreEvidence);
    await s.refresh();
    expect(s.refreshError).toBeNull();
    expect(s.overview?.submissions[0]?.stage).toBe('more_evidence_requested');
  });

  it('shows what "Try now" answers', async () => {
    const s = await store();
    await s.load();
    shell.backend!.submissions.sendNow = deliveries.sending;
    await s.sendNow();
    expect(s.delivery?.state).toBe('sending');
    expect(calls('send_now')).toBe(1);
  });

  it('does not follow events outside the desktop shell', async () => {
    delete (window as { __TAURI_INTERNALS__?: unknown }).__TAURI_INTERNALS__;
    const s = await store();
    await s.listen();
    await s.load();
    shell.backend!.emit('delivery-changed', deliveries.sending);
    expect(s.delivery?.state).toBe('idle');
  });
});
