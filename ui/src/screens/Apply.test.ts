// Applying for a mark: what will be sent, every personal-data file ticked before the button
// works, the progress of freezing and encrypting, and a re-submission that sends only the delta.
import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import App from '../App.svelte';
import { createBackend, type FakeBackend } from '../test/fakeBackend';
import {
  applied,
  applyProgress,
  canApply,
  firstPreview,
  moreEvidence,
  notEnrolledPreview,
  resubmitPreview,
  underReview,
} from '../test/submissions';

const shell = vi.hoisted(() => ({ backend: null as FakeBackend | null }));
vi.mock('@tauri-apps/api/core', async () => ({
  invoke: (command: string, args?: Record<string, unknown>) => shell.backend!.invoke(command, args),
  Channel: (await import('../test/fakeBackend')).FakeChannel,
}));

async function open(backend: FakeBackend, award = 'mark') {
  shell.backend = backend;
  window.location.hash = `#/apply/${award}`;
  render(App);
  const page = await screen.findByTestId('apply-screen');
  await within(page).findByTestId('apply-summary');
  return page;
}

function backendWith(preview = firstPreview) {
  const backend = createBackend();
  backend.submissions.overview = structuredClone(canApply);
  backend.submissions.previews = { mark: preview };
  return backend;
}

describe('the Apply screen', () => {
  it('comes from the dashboard card’s “Apply…”', async () => {
    shell.backend = backendWith();
    window.location.hash = '#/dashboard';
    render(App);
    const button = await screen.findByTestId('apply-mark');
    expect(button.textContent).toBe('Apply…');
    await fireEvent.click(button);
    await screen.findByRole('heading', { level: 1, name: 'Apply for Test Mark' });
    expect(window.location.hash).toBe('#/apply/mark');
  });

  it('says what will be sent and how much goes over the network', async () => {
    const page = await open(backendWith());
    expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('Apply for Test Mark');
    const summary = within(page).getByTestId('apply-summary');
    expect(within(summary).getByTestId('summary-benchmarks').textContent).toBe('3 benchmarks answered');
    expect(within(summary).getByTestId('summary-evidence').textContent).toBe('3 files, 5.0 MB in all');
    expect(within(summary).getByTestId('summary-group').textContent).toBe('Alex Kim and Jo Patel');
    expect(within(summary).getByTestId('summary-actions').textContent).toBe('2 planned actions');
    expect(within(page).getByTestId('bytes-to-send').textContent).toBe('Sent over the network: 3 files, 5.0 MB.');
    expect(within(page).queryByTestId('changed-benchmarks')).toBeNull();
  });

  it('keeps the button disabled, saying why, until every personal-data file is ticked', async () => {
    const backend = backendWith();
    const page = await open(backend);
    const button = within(page).getByTestId('apply-submit') as HTMLButtonElement;
    expect(button.textContent?.trim()).toBe('Apply for Test Mark');
    const why = () => document.getElementById(button.getAttribute('aria-describedby')!)?.textContent?.trim();
    expect(button.disabled).toBe(true);
    expect(why()).toBe('Tick each file that shows pupils’ personal data first: 0 of 2 ticked.');

    // Every item in its own row, with Open and its own confirmation.
    for (const item of firstPreview.personal_data) {
      const row = within(page).getByTestId(`personal-data-item-${item.id}`);
      expect(within(row).getByText(item.title)).toBeTruthy();
      expect(within(row).getByTestId(`open-${item.id}`)).toBeTruthy();
    }
    await fireEvent.click(within(page).getByTestId('open-evidence-3'));
    expect(backend.calls.filter((c) => c.command === 'open_evidence').map((c) => c.args)).toEqual([{ id: 'evidence-3' }]);

    await fireEvent.click(screen.getByRole('checkbox', { name: 'I have checked Class photo: it may be sent to the awarding body' }));
    expect(button.disabled).toBe(true);
    expect(why()).toBe('Tick each file that shows pupils’ personal data first: 1 of 2 ticked.');
    await fireEvent.click(within(page).getByTestId('confirm-evidence-4'));
    expect(button.disabled).toBe(false);
    await fireEvent.click(within(page).getByTestId('confirm-evidence-4'));
    expect(button.disabled).toBe(true);
    expect(backend.calls.some((c) => c.command === 'apply')).toBe(false);
  });

  it('shows why a file could not be opened, beside it', async () => {
    const backend = backendWith();
    backend.failNext.set('open_evidence', { code: 'open_failed', message: 'The file could not be opened.', field: null });
    const page = await open(backend);
    await fireEvent.click(within(page).getByTestId('open-evidence-4'));
    const row = within(page).getByTestId('personal-data-item-evidence-4');
    expect((await within(row).findByRole('alert')).textContent).toBe('The file could not be opened.');
  });

  it('applies with every confirmation, shows freezing then encrypting, then what happens next', async () => {
    const backend = backendWith();
    let release = () => {};
    backend.submissions.apply = {
      progress: applyProgress.slice(0, 1),
      applied,
      after: underReview,
      pause: new Promise<void>((r) => (release = r)),
    };
    const page = await open(backend);
    for (const item of firstPreview.personal_data) await fireEvent.click(within(page).getByTestId(`confirm-${item.id}`));
    await fireEvent.click(within(page).getByTestId('apply-submit'));

    const progress = await within(page).findByTestId('apply-progress');
    await waitFor(() => expect(progress.dataset.stage).toBe('freezing'));
    expect(progress.textContent).toContain('Freezing the evidence…');
    // Indeterminate: freezing has no total.
    expect(within(progress).getByRole('progressbar').hasAttribute('value')).toBe(false);
    expect((within(page).getByTestId('apply-submit') as HTMLButtonElement).disabled).toBe(true);

    release();
    const done = await within(page).findByTestId('apply-done');
    expect(done.textContent).toContain(applied.message);
    expect(within(done).getByRole('link', { name: 'See it in Submissions' }).getAttribute('href')).toBe('#/submissions');
    expect(within(page).queryByTestId('apply-submit')).toBeNull();
    expect(within(page).queryByTestId('apply-progress')).toBeNull();
    expect(backend.calls.find((c) => c.command === 'apply')?.args).toMatchObject({
      award: 'mark',
      confirmed: ['evidence-3', 'evidence-4'],
    });
    // The new submission is read at once (the shell also announces it).
    await waitFor(() => expect(backend.calls.filter((c) => c.command === 'overview').length).toBeGreaterThan(1));
  });

  it('shows the encryption’s bytes as they are done', async () => {
    const backend = backendWith();
    backend.submissions.apply = { progress: applyProgress, applied, pause: new Promise<void>(() => {}) };
    const page = await open(backend);
    for (const item of firstPreview.personal_data) await fireEvent.click(within(page).getByTestId(`confirm-${item.id}`));
    await fireEvent.click(within(page).getByTestId('apply-submit'));
    const progress = await within(page).findByTestId('apply-progress');
    await waitFor(() => expect(progress.dataset.stage).toBe('encrypting'));
    expect(within(progress).getByRole('status').textContent).toBe('Encrypting the application…');
    expect(within(progress).getByTestId('apply-progress-bytes').textContent).toBe('2.0 MB of 5.0 MB');
    const bar = within(progress).getByRole('progressbar') as HTMLProgressElement;
    expect([bar.value, bar.max]).toEqual([2 * 1024 * 1024, 5 * 1024 * 1024]);
  });

  it('shows the freezing’s bytes once the shell knows them', async () => {
    const backend = backendWith();
    backend.submissions.apply = {
      progress: [applyProgress[0]!, { stage: 'freezing', done: 1024 * 1024, total: 5 * 1024 * 1024 }],
      applied,
      pause: new Promise<void>(() => {}),
    };
    const page = await open(backend);
    for (const item of firstPreview.personal_data) await fireEvent.click(within(page).getByTestId(`confirm-${item.id}`));
    await fireEvent.click(within(page).getByTestId('apply-submit'));
    const progress = await within(page).findByTestId('apply-progress');
    await waitFor(() => expect(within(progress).getByTestId('apply-progress-bytes').textContent).toBe('1.0 MB of 5.0 MB'));
    expect(within(progress).getByRole('status').textContent).toBe('Freezing the evidence…');
    expect((within(progress).getByRole('progressbar') as HTMLProgressElement).value).toBe(1024 * 1024);
  });

  it('shows a refusal in an alert and lets the lead try again', async () => {
    const backend = backendWith();
    backend.submissions.apply = { progress: [], applied };
    backend.failNext.set('apply', {
      code: 'submission',
      message: '1 evidence item(s) could not be frozen, so the application would not be what was reviewed: Vision.pdf.',
      field: null,
      detail: 'not_frozen',
    });
    const page = await open(backend);
    for (const item of firstPreview.personal_data) await fireEvent.click(within(page).getByTestId(`confirm-${item.id}`));
    await fireEvent.click(within(page).getByTestId('apply-submit'));
    const alert = await within(page).findByTestId('apply-error');
    expect(alert.getAttribute('role')).toBe('alert');
    expect(alert.textContent).toContain('could not be frozen');
    expect((within(page).getByTestId('apply-submit') as HTMLButtonElement).disabled).toBe(false);
  });

  it('re-submits only what is new or changed', async () => {
    const backend = backendWith(resubmitPreview);
    backend.submissions.overview = structuredClone(moreEvidence);
    const page = await open(backend);
    expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('Re-submit: Test Mark');
    expect(within(page).getByTestId('bytes-to-send').textContent).toBe('Only what is new or changed is sent: 1 file, 120 KB.');
    const added = within(page).getByTestId('new-evidence');
    expect(within(added).getAllByRole('listitem').map((li) => li.textContent)).toEqual(['Review minutes (minutes.docx) · 120 KB']);
    const changed = within(page).getByTestId('changed-benchmarks');
    expect(within(changed).getAllByRole('listitem').map((li) => li.textContent)).toEqual(['Vision']);
    // Only the item still in the application that shows personal data needs ticking.
    expect(within(page).getAllByTestId(/^personal-data-item-/)).toHaveLength(1);
    const button = within(page).getByTestId('apply-submit') as HTMLButtonElement;
    expect(button.textContent?.trim()).toBe('Re-submit');
    expect(button.disabled).toBe(true);
    await fireEvent.click(within(page).getByTestId('confirm-evidence-3'));
    expect(button.disabled).toBe(false);
  });

  it('is reached from the card’s “Re-submit…” when the assessor asked for more', async () => {
    const backend = backendWith(resubmitPreview);
    backend.submissions.overview = structuredClone(moreEvidence);
    shell.backend = backend;
    window.location.hash = '#/dashboard';
    render(App);
    const card = await screen.findByTestId('award-mark');
    await waitFor(() => expect(within(card).getByTestId('application-stage-mark').textContent).toBe('More evidence requested'));
    await fireEvent.click(within(card).getByTestId('resubmit-mark'));
    await screen.findByRole('heading', { level: 1, name: 'Re-submit: Test Mark' });
  });

  it('asks to connect in Settings first when this computer is not enrolled', async () => {
    const backend = backendWith(notEnrolledPreview);
    const page = await open(backend);
    expect(within(page).queryByTestId('apply-submit')).toBeNull();
    const notice = within(page).getByTestId('not-enrolled');
    expect(notice.textContent).toContain('not connected to the awarding body');
    expect(within(notice).getByRole('link').getAttribute('href')).toBe('#/settings?s=awarding-body');
  });

  it('says why the preview could not be made', async () => {
    const backend = backendWith();
    shell.backend = backend;
    window.location.hash = '#/dashboard';
    render(App);
    await screen.findByRole('heading', { level: 1, name: 'Dashboard' });
    backend.failNext.set('apply_preview', { code: 'not_eligible', message: 'The Test Mark is not available yet.', field: null });
    window.location.hash = '#/apply/mark';
    expect((await screen.findByRole('alert')).textContent).toBe('The Test Mark is not available yet.');
  });
});
