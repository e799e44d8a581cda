// The awarded mark on the dashboard: its card following the submission, and the renewal card in
// each state the shell reports; starting the renewal reloads the review and compares its levels
// with the awarded review's.
import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import App from '../App.svelte';
import { createBackend, type FakeBackend } from '../test/fakeBackend';
import { awarded, comparison, fresh, renewalReport, renewals, renewing, underReview } from '../test/submissions';
import type { Overview } from '../lib/bindings';

const shell = vi.hoisted(() => ({ backend: null as FakeBackend | null }));
vi.mock('@tauri-apps/api/core', () => ({
  invoke: (command: string, args?: Record<string, unknown>) => shell.backend!.invoke(command, args),
}));

async function dashboard(overview: Overview) {
  const backend = createBackend();
  backend.submissions.overview = structuredClone(overview);
  shell.backend = backend;
  window.location.hash = '#/dashboard';
  render(App);
  await screen.findByRole('heading', { level: 1, name: 'Dashboard' });
  return backend;
}

describe('the mark’s card', () => {
  it('shows where an application stands, linking to Submissions', async () => {
    await dashboard(underReview);
    const card = screen.getByTestId('award-mark');
    await waitFor(() => expect(within(card).getByTestId('application-stage-mark').textContent).toBe('Under review'));
    expect(within(card).getByRole('link', { name: 'See where it stands in Submissions' }).getAttribute('href')).toBe('#/submissions');
    expect(within(card).queryByTestId('apply-mark')).toBeNull();
    expect(within(card).queryByRole('list')).toBeNull();
  });

  it('lists what stands in the way while the shell says “not yet”', async () => {
    await dashboard(fresh);
    const card = screen.getByTestId('award-mark');
    expect(within(card).getByText('Not yet')).toBeTruthy();
    expect(within(card).getByRole('link', { name: '1.1 Vision: no level chosen, needs 3' })).toBeTruthy();
    expect(within(card).queryByTestId('apply-mark')).toBeNull();
    // Self-issued certificates are as they were.
    expect(within(screen.getByTestId('award-commitment')).getByRole('button', { name: 'Save certificate as PDF…' })).toBeTruthy();
  });
});

describe('the renewal card', () => {
  it('is not shown before a mark is awarded', async () => {
    await dashboard(underReview);
    await waitFor(() => expect(screen.getByTestId('application-stage-mark')).toBeTruthy());
    expect(screen.queryByTestId('renewal')).toBeNull();
  });

  it('says when renewal opens, before it does', async () => {
    await dashboard({ ...awarded, renewal: renewals.not_yet });
    const card = await screen.findByTestId('renewal');
    expect(card.dataset.state).toBe('not_yet');
    expect(within(card).getByRole('heading', { level: 2 }).textContent).toBe('Renewing the Test Mark');
    expect(within(card).getByTestId('renewal-expires').textContent).toBe('Valid until 2 Mar 2029');
    expect(within(card).getByTestId('renewal-days-left').textContent).toBe('400 days left');
    expect(card.textContent).toMatch(/Renewal opens on 2 Sept? 2028, 6 months before the mark expires/);
    expect(within(card).queryByTestId('start-renewal')).toBeNull();
  });

  it('says the mark has expired, and still offers renewal', async () => {
    await dashboard({ ...awarded, renewal: renewals.expired });
    const card = await screen.findByTestId('renewal');
    expect(card.dataset.state).toBe('expired');
    expect(within(card).getByTestId('renewal-days-left').textContent).toBe('Expired 12 days ago');
    expect(within(card).getByTestId('start-renewal')).toBeTruthy();
  });

  it('starts the renewal as the person named here, reloads the review and compares the levels', async () => {
    const backend = await dashboard(awarded);
    backend.submissions.renewal = { report: renewalReport, after: renewing };
    backend.submissions.comparison = comparison;
    const card = await screen.findByTestId('renewal');
    expect(card.dataset.state).toBe('open');
    expect(within(card).getByTestId('renewal-days-left').textContent).toBe('148 days left');
    const before = backend.calls.length;
    await fireEvent.click(within(card).getByTestId('start-renewal'));

    await screen.findByRole('heading', { level: 1, name: 'Renewal: compared with the awarded review' });
    expect(window.location.hash).toBe('#/renewal/compare');
    expect(backend.calls.find((c) => c.command === 'start_renewal')?.args).toEqual({ by: 'sam' });
    // The new current review is read again, as after registering.
    const after = backend.calls.slice(before).map((c) => c.command);
    expect(after).toEqual(expect.arrayContaining(['current_status', 'review_framework', 'list_responses', 'list_evidence', 'overview']));
    expect(screen.getByTestId('renewal-started').textContent).toContain('2 answers carried over for you to confirm');

    const table = await screen.findByTestId('renewal-comparison');
    expect(table.tagName).toBe('TABLE');
    expect(within(table).getByText('Levels in the awarded review and in the renewal').tagName).toBe('CAPTION');
    expect(within(table).getAllByRole('columnheader').map((h) => [h.textContent, h.getAttribute('scope')])).toEqual([
      ['Benchmark', 'col'],
      ['Awarded review', 'col'],
      ['Renewal', 'col'],
      ['Change', 'col'],
      ['To confirm', 'col'],
    ]);
    const row = within(table).getByTestId('compare-1.2');
    expect(within(row).getByRole('rowheader').textContent?.trim()).toBe('1.2 Monitoring');
    expect(within(row).getByTestId('previous-level').textContent).toBe('Level 2 (Developing)');
    expect(within(row).getByTestId('current-level').textContent).toBe('Level 3 (Established)');
    expect(row.textContent).toContain('More mature');
    expect(within(row).getByTestId('to-confirm-flag').textContent).toBe('');
    const unanswered = within(table).getByTestId('compare-2.1');
    expect(within(unanswered).getByTestId('current-level').textContent).toBe('No level');
    expect(within(unanswered).getByTestId('to-confirm-flag').textContent).toBe('To confirm');
    expect(screen.getByTestId('to-confirm').textContent).toBe('2 answers still to confirm.');

    // Back on the dashboard, the card now links to the comparison.
    window.location.hash = '#/dashboard';
    const link = await screen.findByTestId('compare-renewal');
    expect(link.textContent).toBe('Compare with the awarded review');
    expect(within(screen.getByTestId('renewal')).queryByTestId('start-renewal')).toBeNull();
  });

  it('shows why the renewal could not start', async () => {
    const backend = await dashboard(awarded);
    backend.failNext.set('start_renewal', { code: 'review_closed', message: 'This review was renewed already.', field: null });
    await fireEvent.click(await screen.findByTestId('start-renewal'));
    const card = screen.getByTestId('renewal');
    expect((await within(card).findByRole('alert')).textContent).toBe('This review was renewed already.');
    expect(window.location.hash).toBe('#/dashboard');
  });
});
