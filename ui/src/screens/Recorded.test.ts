// The submission screens on the shell's own recorded answers (test/recorded.ts), not on
// answers written for the tests: what the real shell says at each step of a school's journey
// is shown as the screens promise.
import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import App from '../App.svelte';
import { formatDueDate } from '../lib/dates';
import { startRouter } from '../lib/router.svelte';
import { createBackend, type FakeBackend } from '../test/fakeBackend';
import { recorded } from '../test/recorded';
import type { Overview } from '../lib/bindings';

const shell = vi.hoisted(() => ({ backend: null as FakeBackend | null }));
vi.mock('@tauri-apps/api/core', async () => ({
  invoke: (command: string, args?: Record<string, unknown>) => shell.backend!.invoke(command, args),
  Channel: (await import('../test/fakeBackend')).FakeChannel,
}));

/** Goes to `hash` before the app starts: the route is module state, which only a running
 * app follows, so it is brought up to date here (else the last test's screen mounts first). */
function go(hash: string) {
  window.location.hash = hash;
  startRouter()();
}

function backendWith(overview: Overview): FakeBackend {
  const backend = createBackend();
  backend.submissions.overview = structuredClone(overview);
  shell.backend = backend;
  return backend;
}

async function submissionCard(overview: Overview) {
  backendWith(overview);
  go('#/submissions');
  render(App);
  return screen.findByTestId('submission');
}

describe('the shell’s recorded answers', () => {
  it('received: the timeline is at “received” and the receipt verifies', async () => {
    const card = await submissionCard(recorded.received);
    expect(card.dataset.stage).toBe('received');
    expect(within(card).getByTestId('timeline-step-received').dataset.state).toBe('current');
    const version = recorded.received.submissions[0]!.versions[0]!;
    shell.backend!.submissions.receipts = { [version.id]: recorded.receipt };
    await fireEvent.click(within(card).getByTestId(`view-receipt-${version.id}`));
    const verified = await within(card).findByTestId('receipt-verified');
    expect(verified.dataset.verified).toBe('true');
  });

  it('more evidence requested: the assessor’s words and the benchmark asked about', async () => {
    const card = await submissionCard(recorded.more_evidence_requested);
    expect(card.dataset.stage).toBe('more_evidence_requested');
    const asked = recorded.more_evidence_requested.requests[0]!;
    const request = within(card).getByTestId('request');
    expect(request.textContent).toContain(asked.request);
    const benchmark = within(request).getByTestId(`request-benchmark-${asked.benchmark_id}`);
    expect(benchmark.textContent).toContain(asked.message);
    expect(benchmark.textContent).toContain(asked.benchmark_title);
  });

  it('awarded: the award’s dates, countdown and verification code', async () => {
    const card = await submissionCard(recorded.awarded);
    expect(card.dataset.stage).toBe('awarded');
    const award = recorded.awarded.submissions[0]!.award_record!;
    const record = within(card).getByTestId('award-record');
    expect(within(record).getByTestId('award-expires').textContent).toBe(formatDueDate(award.expires_on));
    expect(within(record).getByTestId('award-days-left').textContent).toContain(String(award.days_left));
    expect(within(record).getByTestId('verification-code').textContent).toBe(award.verification_code);
    expect(within(record).getByTestId('verification-url').textContent).toBe(award.verification_url);
    const steps = within(card).getAllByRole('listitem').filter((li) => li.dataset.testid?.startsWith('timeline-step-'));
    expect(steps.map((s) => s.dataset.state)).toEqual(recorded.awarded.submissions[0]!.timeline.map((t) => t.state));
  });

  it('applying: every personal-data item of the real preview must be ticked first', async () => {
    const backend = backendWith(recorded.not_enrolled);
    const preview = { ...recorded.first_preview, enrolled: true };
    backend.submissions.previews = { [preview.award]: preview };
    go(`#/apply/${preview.award}`);
    render(App);
    const page = await screen.findByTestId('apply-screen');
    await within(page).findByTestId('apply-summary');
    const submit = within(page).getByTestId('apply-submit') as HTMLButtonElement;
    expect(preview.personal_data.length).toBeGreaterThan(0);
    expect(submit.disabled).toBe(true);
    for (const item of preview.personal_data) {
      expect(within(page).getByTestId(`personal-data-item-${item.id}`).textContent).toContain(item.title);
      await fireEvent.click(within(page).getByTestId(`confirm-${item.id}`));
    }
    await waitFor(() => expect(submit.disabled).toBe(false));
  });

  it('a renewal opens a month before expiry, with the countdown the shell worked out', async () => {
    backendWith(recorded.renewal_open);
    go('#/dashboard');
    render(App);
    const card = await screen.findByTestId('renewal');
    const renewal = recorded.renewal_open.renewal!;
    expect(card.dataset.state).toBe(renewal.state);
    expect(within(card).getByTestId('renewal-days-left').textContent).toContain(String(renewal.days_left));
    expect(within(card).getByTestId('start-renewal')).toBeTruthy();
  });
});
