// The Submissions screen over the fake shell: each submission's timeline as the shell set it
// out, the assessor's request (and its marks on the benchmarks), feedback and the award,
// receipts to read and save, the empty state, and a check for news that fails quietly.
import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import App from '../App.svelte';
import { createBackend, type FakeBackend } from '../test/fakeBackend';
import { awarded, fresh, moreEvidence, receipt, underReview, views } from '../test/submissions';
import type { Overview } from '../lib/bindings';

const shell = vi.hoisted(() => ({
  backend: null as FakeBackend | null,
  save: null as ((options: unknown) => Promise<string | null>) | null,
}));
vi.mock('@tauri-apps/api/core', () => ({
  invoke: (command: string, args?: Record<string, unknown>) => shell.backend!.invoke(command, args),
}));
vi.mock('@tauri-apps/plugin-dialog', () => ({
  save: (options: unknown) => shell.save!(options),
}));

async function open(overview: Overview, hash = '#/submissions', heading: string | RegExp = 'Submissions') {
  const backend = createBackend();
  backend.submissions.overview = structuredClone(overview);
  shell.backend = backend;
  window.location.hash = hash;
  render(App);
  await screen.findByRole('heading', { level: 1, name: heading });
  return backend;
}

describe('the Submissions screen', () => {
  it('is in the sidebar, asks the awarding body for news on opening and on request', async () => {
    const backend = await open(underReview, '#/dashboard', 'Dashboard');
    const link = screen.getByTestId('nav-submissions');
    expect(link.textContent?.trim()).toBe('Submissions');
    window.location.hash = link.getAttribute('href')!;
    await screen.findByRole('heading', { level: 1, name: 'Submissions' });
    expect(link.getAttribute('aria-current')).toBe('page');
    await waitFor(() => expect(backend.calls.filter((c) => c.command === 'refresh_submissions')).toHaveLength(1));
    await screen.findByTestId('submission');
    await fireEvent.click(screen.getByTestId('refresh-submissions'));
    await waitFor(() => expect(backend.calls.filter((c) => c.command === 'refresh_submissions')).toHaveLength(2));
  });

  it('sets out the timeline, marking the step it is at', async () => {
    await open(underReview);
    const card = await screen.findByTestId('submission');
    expect(card.dataset.stage).toBe('under_review');
    expect(within(card).getByRole('heading', { level: 2 }).textContent).toBe('Test Mark');
    expect(within(card).getByTestId('submission-stage').textContent).toBe('Under review');
    const timeline = within(card).getByRole('list', { name: 'Where the application stands' });
    expect(timeline.tagName).toBe('OL');
    const steps = within(timeline).getAllByRole('listitem');
    expect(steps.map((s) => [s.dataset.testid, s.dataset.state])).toEqual(
      views.underReview.timeline.map((t) => [`timeline-step-${t.stage}`, t.state]),
    );
    const current = within(card).getByTestId('timeline-step-under_review');
    expect(current.getAttribute('aria-current')).toBe('step');
    expect(steps.filter((s) => s.hasAttribute('aria-current'))).toEqual([current]);
    expect(current.textContent).toContain('The review is due by 2 February 2026');
    expect(within(card).getByTestId('timeline-step-received').textContent?.replace(/\s+/g, ' ').trim()).toMatch(
      /^Received by the awarding body \(done\) 5 Jan 2026 at \d\d:\d\d The signed receipt is kept$/,
    );
    expect(within(card).getByTestId('timeline-step-awarded').textContent).toContain('(still to come)');
    expect(within(card).getByTestId('review-due').textContent).toBe('The assessor reviews it by 2 Feb 2026.');
    expect(within(card).queryByTestId('request')).toBeNull();
    expect(within(card).queryByTestId('award-record')).toBeNull();
  });

  it('shows the assessor’s request, each benchmark linking to its page, and re-submits', async () => {
    await open(moreEvidence);
    const card = await screen.findByTestId('submission');
    const request = within(card).getByTestId('request');
    expect(request.textContent).toContain(moreEvidence.requests[0]!.request);
    const b = within(request).getByTestId('request-benchmark-1.1');
    expect(b.textContent).toContain(moreEvidence.requests[0]!.message);
    expect(within(b).getByRole('link', { name: '1.1 Vision' }).getAttribute('href')).toBe('#/benchmarks/1.1');
    await fireEvent.click(within(request).getByRole('button', { name: 'Re-submit…' }));
    await waitFor(() => expect(window.location.hash).toBe('#/apply/mark'));
  });

  it('shows the award, its expiry and verification, and saves its certificate', async () => {
    const backend = await open(awarded);
    const card = await screen.findByTestId('submission');
    expect(card.dataset.stage).toBe('awarded');
    const feedback = within(card).getByTestId('feedback');
    expect(feedback.textContent).toContain(views.awarded.feedback.strengths);
    expect(feedback.textContent).toContain(views.awarded.feedback.areas_for_development);
    expect(feedback.textContent).toContain(views.awarded.feedback.enhanced_practice);
    const record = within(card).getByTestId('award-record');
    expect(within(record).getByTestId('award-expires').textContent).toBe('2 Mar 2029');
    expect(within(record).getByTestId('award-days-left').textContent).toBe('148 days left');
    expect(within(record).getByTestId('verification-code').textContent).toBe('WM-7KQ2-M9XH');
    expect(within(record).getByTestId('verification-url').textContent).toBe(views.awarded.award_record.verification_url);

    shell.save = async () => '/home/sam/Test Mark.pdf';
    backend.submissions.overview = structuredClone(awarded);
    const exported = vi.fn(async (_args?: Record<string, unknown>) => ({ path: '/home/sam/Test Mark.pdf', pages: 1, bytes: 30_000 }));
    const invoke = backend.invoke;
    backend.invoke = async (command, args) => (command === 'export_document' ? exported(args) : invoke(command, args));
    await fireEvent.click(within(record).getByTestId('save-mark-certificate'));
    await within(record).findByText(/Saved \/home\/sam\/Test Mark\.pdf/);
    expect(exported).toHaveBeenCalledWith({
      input: { document: { kind: 'mark_certificate', submission_id: 'outbox-2' }, path: '/home/sam/Test Mark.pdf' },
    });
  });

  it('lists what was sent, shows a receipt with its check, and saves it', async () => {
    const backend = await open(awarded);
    backend.submissions.receipts = { 'outbox-1': receipt };
    const card = await screen.findByTestId('submission');
    const first = within(card).getByTestId('version-outbox-1');
    expect(first.textContent).toMatch(/^Application: queued 5 Jan 2026 at \d\d:\d\d, received by the awarding body 5 Jan 2026 at \d\d:\d\d · 5\.0 MB sent/);
    expect(within(card).getByTestId('version-outbox-2').textContent).toMatch(/^Re-submission 1: .* · 120 KB sent/);

    const view = within(first).getByTestId('view-receipt-outbox-1');
    expect(view.getAttribute('aria-expanded')).toBe('false');
    await fireEvent.click(view);
    const verified = await within(first).findByTestId('receipt-verified');
    expect(verified.textContent).toContain('Verified');
    expect(verified.textContent).toContain(receipt.check);
    const text = within(first).getByTestId('receipt-text');
    expect(text.tagName).toBe('PRE');
    expect(text.textContent).toBe(receipt.text);
    expect(view.getAttribute('aria-expanded')).toBe('true');

    const asked: unknown[] = [];
    shell.save = async (options) => {
      asked.push(options);
      return '/home/sam/receipt.json';
    };
    await fireEvent.click(within(first).getByTestId('save-receipt-outbox-1'));
    await within(first).findByText('Saved /home/sam/receipt.json.');
    expect(asked).toEqual([
      { title: 'Save receipt', defaultPath: 'Receipt - Test Mark - Hillside Primary.json', filters: [{ name: 'Signed receipt', extensions: ['json'] }] },
    ]);
    expect(backend.calls.find((c) => c.command === 'save_receipt')?.args).toEqual({ input: { id: 'outbox-1', path: '/home/sam/receipt.json' } });

    // Cancelling the dialog saves nothing.
    shell.save = async () => null;
    await fireEvent.click(within(first).getByTestId('save-receipt-outbox-1'));
    expect(backend.calls.filter((c) => c.command === 'save_receipt')).toHaveLength(1);
  });

  it('says plainly when a receipt does not verify', async () => {
    const backend = await open(underReview);
    backend.submissions.receipts = { 'outbox-1': { ...receipt, verified: false, check: 'This receipt does not verify: the signature does not match.' } };
    await fireEvent.click(await screen.findByTestId('view-receipt-outbox-1'));
    const verified = await screen.findByTestId('receipt-verified');
    expect(verified.dataset.verified).toBe('false');
    expect(verified.textContent).toContain('Not verified');
    expect(verified.textContent).toContain('does not verify');
  });

  it('keeps showing what is stored when the awarding body cannot be reached', async () => {
    const backend = createBackend();
    backend.submissions.overview = structuredClone(underReview);
    shell.backend = backend;
    window.location.hash = '#/dashboard';
    render(App);
    await screen.findByRole('heading', { level: 1, name: 'Dashboard' });
    backend.failNext.set('refresh_submissions', { code: 'submission', message: 'The awarding body could not be reached.', field: null });
    window.location.hash = '#/submissions';
    await screen.findByRole('heading', { level: 1, name: 'Submissions' });
    await waitFor(() => expect(screen.getByTestId('refresh-error').textContent).toBe('Could not check for news: The awarding body could not be reached.'));
    expect(screen.getByTestId('refresh-error').getAttribute('role')).toBe('status');
    expect(screen.getByTestId('submission').dataset.stage).toBe('under_review');
  });

  it('says when nothing was sent yet', async () => {
    await open(fresh);
    const empty = await screen.findByTestId('submissions-empty');
    expect(empty.textContent?.trim()).toBe('Nothing sent yet: apply for a mark from the dashboard.');
    expect(screen.getByTestId('not-connected').textContent).toContain('not connected');
    expect(screen.queryByTestId('submission')).toBeNull();
  });
});

describe('the assessor’s request where the lead answers it', () => {
  it('marks each benchmark asked about in the benchmark list', async () => {
    await open(moreEvidence, '#/benchmarks', 'Benchmarks');
    const marker = await screen.findByTestId('requested-1.1');
    expect(marker.textContent).toBe('More evidence requested');
    expect(screen.getByRole('link', { name: /1\.1\s*Vision\s*More evidence requested/ })).toBeTruthy();
    expect(screen.queryByTestId('requested-1.2')).toBeNull();
    // Still listed when only the benchmarks to do are shown.
    await fireEvent.click(screen.getByLabelText('Show only benchmarks still to do'));
    expect(screen.getByTestId('requested-1.1')).toBeTruthy();
  });

  it('shows the request beside the benchmark’s evidence requirements', async () => {
    await open(moreEvidence, '#/benchmarks/1.1', '1.1 Vision');
    const request = await screen.findByTestId('evidence-request');
    expect(request.closest('section')?.querySelector('h2')?.textContent).toBe('Evidence');
    expect(request.textContent).toContain(moreEvidence.requests[0]!.message);
    expect(request.textContent).toContain(moreEvidence.requests[0]!.request);
  });

  it('shows nothing on a benchmark nobody asked about', async () => {
    await open(moreEvidence, '#/benchmarks/1.2', '1.2 Monitoring');
    await screen.findByTestId('benchmark-page');
    expect(screen.queryByTestId('evidence-request')).toBeNull();
  });
});
