// The main screens, rendered with the real UI over a fake shell (only `invoke` is replaced),
// checked with axe-core, and walked through as a lead would.
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import App from '../App.svelte';
import { axeViolations } from './axe';
import { coreSays, privacy, testQuality } from './core';
import { createBackend, type FakeBackend } from './fakeBackend';
import {
  applied,
  applyProgress,
  awarded,
  canApply,
  CODE,
  codeCheck,
  comparison,
  connection,
  deliveries,
  enrolled,
  firstPreview,
  fresh,
  moreEvidence,
  notEnrolledPreview,
  receipt,
  renewalReport,
  renewals,
  renewing,
  resubmitPreview,
  underReview,
} from './submissions';
import type { Overview } from '../lib/bindings';
import { router } from '../lib/router.svelte';
import {
  requestProblems as assessorRequestProblems,
  signedInDesk,
  SUB_MODERATE,
  SUB_NAMED,
  SUB_NEW,
  SUB_OPEN,
  tampered,
} from './assessor';

const shell = vi.hoisted(() => ({ backend: null as FakeBackend | null }));
vi.mock('@tauri-apps/api/core', async () => ({
  invoke: (command: string, args?: Record<string, unknown>) => shell.backend!.invoke(command, args),
  Channel: (await import('./fakeBackend')).FakeChannel,
}));

/** Opens the app at a page (each test mounts it afresh over the same fake shell). */
async function go(hash: string, heading: string | RegExp) {
  window.location.hash = hash;
  render(App);
  return screen.findByRole('heading', { level: 1, name: heading });
}

/** Moves the open app to another page. */
async function visit(hash: string, heading: string | RegExp) {
  window.location.hash = hash;
  return screen.findByRole('heading', { level: 1, name: heading });
}

/** The message a field's error line shows. */
function errorOf(field: HTMLElement): string | null | undefined {
  const ids = field.getAttribute('aria-describedby')?.split(' ') ?? [];
  return document.getElementById(ids.find((id) => id.endsWith('-error')) ?? '')?.textContent;
}

describe('the registered app', () => {
  beforeAll(async () => {
    shell.backend = createBackend({ registered: true });
    shell.backend.contributors.push({ id: 'c0', name: 'Alex Kim', role: 'Deputy head', email: null, created_at: '2026-01-01T00:00:00Z' });
  });

  it('dashboard: progress, awards with reasons linking to benchmarks, no axe violations', async () => {
    await go('#/dashboard', 'Dashboard');
    expect(screen.getByRole('navigation', { name: 'Main' })).toBeTruthy();
    const commitment = screen.getByTestId('award-commitment');
    expect(within(commitment).getByText('Eligible')).toBeTruthy();
    const mark = screen.getByTestId('award-mark');
    const link = within(mark).getByRole('link', { name: '1.1 Vision: no level chosen, needs 3' });
    expect(link.getAttribute('href')).toBe('#/benchmarks/1.1');
    expect(within(mark).getByText('1 of 1 required evidence items missing').tagName).toBe('LI');
    expect(within(mark).getByText('0 future actions planned; needs 1').tagName).toBe('LI');
    const progress = screen.getByTestId('award-progress');
    expect(within(progress).getByText('Progress is 0% (0 of 3 benchmarks complete); 2 more benchmarks needed for 50%')).toBeTruthy();
    expect(screen.getByRole('list', { name: 'Progress by dimension' }).textContent).toContain('0 of 2');
    expect(screen.getByText('0 of 3 benchmarks done (0%)')).toBeTruthy();
    expect(screen.getByText('Required evidence: 0 of 1 item (0%)')).toBeTruthy();
    expect(screen.getByTestId('evidence-files').textContent).toMatch(/^0 evidence files\.$/);
    await waitFor(() => expect(screen.getByText(/No changes yet/)).toBeTruthy());
    expect(await axeViolations()).toEqual([]);
  });

  it('benchmarks list: every benchmark with a done marker', async () => {
    await go('#/benchmarks', 'Benchmarks');
    const links = screen.getAllByRole('link', { name: /not done/ });
    expect(links.map((l) => l.getAttribute('href'))).toEqual(['#/benchmarks/1.1', '#/benchmarks/1.2', '#/benchmarks/2.1']);
    expect(screen.getByRole('heading', { name: 'Planning' })).toBeTruthy();
    expect(await axeViolations()).toEqual([]);
  });

  it('benchmark page: levels as radios, autosaved commentary, history', async () => {
    const heading = await go('#/benchmarks/1.1', '1.1 Vision');
    expect(heading.closest('[data-testid="benchmark-page"]')).toBeTruthy();
    const radios = screen.getAllByRole('radio');
    expect(radios.map((r) => (r as HTMLInputElement).value)).toEqual(['1', '2', '3']);
    expect(screen.getByRole('radio', { name: /Level 2\s*Developing/ })).toBeTruthy();
    expect(screen.getByTestId('save-status').textContent).toBe('Saved');

    await fireEvent.click(screen.getByRole('radio', { name: /Level 2/ }));
    await waitFor(() => expect(screen.getByText('Share the vision with staff.')).toBeTruthy());
    const box = screen.getByLabelText('Commentary');
    await waitFor(() => expect((box as HTMLTextAreaElement).disabled).toBe(false));
    await fireEvent.input(box, { target: { value: 'We wrote a vision with governors.' } });
    expect(screen.getByTestId('save-status').textContent).toBe('Unsaved changes');
    await fireEvent.blur(box);
    await waitFor(() => expect(screen.getByTestId('save-status').textContent).toBe('Saved'));

    const saves = shell.backend!.calls.filter((c) => c.command === 'save_response').map((c) => c.args.input);
    expect(saves).toEqual([
      { benchmark_id: '1.1', level: 2, commentary: '', base_revision: 0, by: 'sam' },
      { benchmark_id: '1.1', level: 2, commentary: 'We wrote a vision with governors.', base_revision: 1, by: 'sam' },
    ]);
    await waitFor(() => expect(screen.getAllByText(/We wrote a vision with governors/).length).toBeGreaterThan(0));
    expect(await axeViolations()).toEqual([]);
  });

  it('evidence: statuses, filters, describe with the personal-data flag, no axe violations', async () => {
    // Two files as the core tracks them: Vision.pdf linked to 1.1's statement, trip.jpg gone.
    shell.backend!.evidence = structuredClone(testQuality.evidence!.library.items);
    await go('#/evidence', 'Evidence');
    await waitFor(() => expect(screen.getAllByTestId('evidence-item')).toHaveLength(2));
    expect(screen.getByTestId('evidence-summary').textContent).toContain('1 needs attention');
    expect(screen.getByText('The file is no longer at this path.')).toBeTruthy();
    expect(await axeViolations()).toEqual([]);

    await fireEvent.click(screen.getByRole('radio', { name: /Needs attention \(1\)/ }));
    await waitFor(() => expect(screen.getAllByTestId('evidence-item')).toHaveLength(1));
    const row = screen.getByTestId('evidence-item');
    await fireEvent.click(within(row).getByRole('button', { name: 'Describe' }));
    await fireEvent.input(within(row).getByLabelText('Title'), { target: { value: 'Trip photos' } });
    await fireEvent.click(within(row).getByRole('checkbox', { name: /personal data/ }));
    await fireEvent.click(within(row).getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(within(screen.getByTestId('evidence-item')).getByText('Personal data')).toBeTruthy());
    expect(shell.backend!.calls.find((c) => c.command === 'describe_evidence')?.args).toEqual({
      input: { id: 'evidence-2', title: 'Trip photos', note: null, personal_data: true },
    });
  });

  it('benchmark page: evidence per requirement as the core judges it, link and unlink a tracked file', async () => {
    await go('#/benchmarks/1.1', '1.1 Vision');
    const group = (requirement: string) => screen.getAllByTestId('evidence-group').find((x) => x.dataset.requirement === requirement)!;
    const doc = await waitFor(() => {
      expect(group('1.1-doc')).toBeTruthy();
      return group('1.1-doc');
    });
    // Vision.pdf is present and linked, so the core counts the statement as evidenced.
    await waitFor(() => expect(within(doc).getByTestId('requirement-state').textContent).toBe('Evidenced'));
    // The title and the file name both read "Vision.pdf".
    expect(within(doc).getAllByText('Vision.pdf')).toHaveLength(2);
    // Required only from level 3; 1.1 is at level 2.
    expect(within(group('1.1-review')).getByTestId('requirement-state').textContent).toBe('Needed from level 3 (Established)');
    await fireEvent.click(within(doc).getByRole('button', { name: 'Unlink' }));
    await waitFor(() => expect(within(doc).queryAllByTestId('evidence-item')).toHaveLength(0));
    await waitFor(() => expect(within(doc).getByTestId('requirement-state').textContent).toBe('Still needed'));
    const other = group('');
    await fireEvent.change(within(other).getByLabelText('Evidence already tracked'), { target: { value: 'evidence-1' } });
    await fireEvent.click(within(other).getByRole('button', { name: 'Link' }));
    await waitFor(() => expect(within(other).getAllByText('Vision.pdf')).toHaveLength(2));
    expect(within(group('1.1-doc')).getByTestId('requirement-state').textContent).toBe('Still needed');
    expect(shell.backend!.calls.filter((c) => c.command.endsWith('link_evidence')).map((c) => c.args)).toEqual([
      { id: 'evidence-1', link: { benchmark_id: '1.1', requirement_id: '1.1-doc' } },
      { id: 'evidence-1', link: { benchmark_id: '1.1', requirement_id: null } },
    ]);
    expect(await axeViolations()).toEqual([]);
  });

  it('action plan: the core’s check, add an action, mark it done, filter', async () => {
    await go('#/actions', 'Action plan');
    expect(screen.getByText(/No actions yet/)).toBeTruthy();
    // Nothing typed: the core says what is missing, beside the field, and nothing is sent.
    await fireEvent.click(screen.getByRole('button', { name: 'Add action' }));
    const text = screen.getByLabelText('Action');
    await waitFor(() => expect(text.getAttribute('aria-invalid')).toBe('true'));
    expect(errorOf(text)).toBe(coreSays('action', (a) => a.text === '' && a.benchmarks.length === 0, 'text'));
    expect(document.activeElement).toBe(text);
    expect(shell.backend!.calls.some((c) => c.command === 'add_action')).toBe(false);

    await fireEvent.input(text, { target: { value: 'Share the vision with staff' } });
    await fireEvent.input(screen.getByLabelText('Owner'), { target: { value: 'Alex Kim' } });
    await fireEvent.input(screen.getByLabelText('Due date'), { target: { value: '2030-03-31' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Add action' }));
    const row = await screen.findByTestId('action-row');
    expect(within(row).getByText('Share the vision with staff')).toBeTruthy();
    expect(within(row).getByText('31 Mar 2030')).toBeTruthy();
    expect(within(row).getByText('Open')).toBeTruthy();
    expect(text.getAttribute('aria-invalid')).toBeNull();
    expect(await axeViolations()).toEqual([]);

    await fireEvent.click(within(row).getByRole('button', { name: /^Edit/ }));
    const owner = within(row).getByLabelText('Owner');
    await fireEvent.input(owner, { target: { value: 'Jo Patel' } });
    await fireEvent.click(within(row).getByRole('button', { name: 'Save changes' }));
    await waitFor(() => expect(within(screen.getByTestId('action-row')).getByText('Jo Patel')).toBeTruthy());
    expect(shell.backend!.calls.find((c) => c.command === 'update_action')?.args).toEqual({
      id: 'action-1',
      action: { text: 'Share the vision with staff', owner: 'Jo Patel', due_date: '2030-03-31', benchmarks: [] },
    });
    expect(document.title).toBe('Action plan – Waymark');

    await fireEvent.click(within(screen.getByTestId('action-row')).getByRole('button', { name: 'Mark done' }));
    await waitFor(() => expect(within(screen.getByTestId('action-row')).getByText('Done')).toBeTruthy());
    await fireEvent.change(screen.getByLabelText('Filter by status'), { target: { value: 'open' } });
    await waitFor(() => expect(screen.queryByTestId('action-row')).toBeNull());
    expect(screen.getByText(/No actions match these filters/)).toBeTruthy();
  });

  it('action plan: the shell’s error is shown at the field it names', async () => {
    await go('#/actions', 'Action plan');
    shell.backend!.failNext.set('add_action', { code: 'invalid_input', message: '"2027-02-30" is not a date.', field: 'due_date' });
    await fireEvent.input(screen.getByLabelText('Action'), { target: { value: 'Another' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Add action' }));
    const due = screen.getByLabelText('Due date');
    await waitFor(() => expect(due.getAttribute('aria-invalid')).toBe('true'));
    expect(document.getElementById(due.getAttribute('aria-describedby')!)?.textContent).toBe('"2027-02-30" is not a date.');
  });

  it('working group: add and remove members, who last changed each answer', async () => {
    await go('#/group', 'Working group');
    await screen.findByText('Alex Kim');
    await fireEvent.input(screen.getByLabelText('Name'), { target: { value: 'Jo Patel' } });
    await fireEvent.input(screen.getByLabelText('Role'), { target: { value: 'Governor' } });
    // A malformed email: the core's problem is shown beside it and nobody is added.
    const email = screen.getByLabelText('Email');
    await fireEvent.input(email, { target: { value: 'jo@school' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Add member' }));
    await waitFor(() => expect(email.getAttribute('aria-invalid')).toBe('true'));
    expect(errorOf(email)).toBe(coreSays('contributor', (c) => c.email === 'jo@school', 'email'));
    expect(document.activeElement).toBe(email);
    expect(shell.backend!.calls.some((c) => c.command === 'add_contributor')).toBe(false);
    await fireEvent.input(email, { target: { value: '' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Add member' }));
    await screen.findByText('Jo Patel');
    expect(email.getAttribute('aria-invalid')).toBeNull();
    const table = screen.getByRole('table', { name: 'Who last changed each answer' });
    expect(within(table).getByText('sam')).toBeTruthy();
    expect(await axeViolations()).toEqual([]);
    await fireEvent.click(screen.getByRole('button', { name: 'Remove Jo Patel' }));
    await waitFor(() => expect(screen.queryByRole('cell', { name: 'Jo Patel' })).toBeNull());
    expect(screen.getByText(/Removed Jo Patel/)).toBeTruthy();
  });

  it('who I am: the chosen name is kept in the data folder and named for changes', async () => {
    await go('#/group', 'Working group');
    await fireEvent.input(screen.getByLabelText('Your name'), { target: { value: 'Sam Lee' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Use this name' }));
    await screen.findByText('Changes are now recorded as Sam Lee.');
    expect(shell.backend!.calls.filter((c) => c.command === 'set_author').map((c) => c.args)).toEqual([{ name: 'Sam Lee' }]);
    expect(screen.getByRole('link', { name: 'Sam Lee' })).toBeTruthy();
    // The webview keeps no copy: the next start reads it from the data folder.
    expect(localStorage.length).toBe(0);
  });

  it('search: Ctrl+K focuses it, results link to benchmarks with the words marked', async () => {
    await go('#/dashboard', 'Dashboard');
    await fireEvent.keyDown(window, { key: 'k', ctrlKey: true });
    await screen.findByRole('heading', { level: 1, name: 'Search' });
    const box = screen.getByRole('searchbox');
    await waitFor(() => expect(document.activeElement).toBe(box));
    await fireEvent.input(box, { target: { value: 'vision' } });
    const result = await screen.findByRole('link', { name: /1\.1 Vision/ });
    expect(result.getAttribute('href')).toBe('#/benchmarks/1.1');
    expect(result.querySelector('mark')?.textContent).toBe('Vision');
    expect(await axeViolations()).toEqual([]);
  });

  it('settings: institution details, data folder and version', async () => {
    await go('#/settings', 'Settings and about');
    expect((screen.getByLabelText('Institution name') as HTMLInputElement).value).toBe('Hillside Primary');
    expect(screen.getByText(testQuality.app_info.data_dir)).toBeTruthy();
    expect(screen.getByText(testQuality.app_info.version)).toBeTruthy();
    expect(await axeViolations()).toEqual([]);

    const name = screen.getByLabelText('Institution name');
    await fireEvent.input(name, { target: { value: 'Hillside Primary Academy' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Save details' }));
    await screen.findByText('Details saved.');
    expect(shell.backend!.calls.find((c) => c.command === 'update_institution')?.args).toEqual({
      input: {
        name: 'Hillside Primary Academy',
        identifier: '123456',
        phase: 'primary',
        contact_name: 'Sam Lee',
        email: 'sam@hillside.sch.uk',
        role: 'Computing lead',
      },
    });
  });
});

describe('the Privacy screen', () => {
  beforeAll(() => {
    shell.backend = createBackend({ registered: true });
    shell.backend.contributors = structuredClone(privacy.contributors);
  });

  it('privacy: the notice, what is held, the switch paused, no axe violations', async () => {
    await go('#/privacy', 'Privacy');
    await screen.findByTestId('privacy-held');
    expect(await axeViolations()).toEqual([]);
    const toggle = screen.getByRole('switch', { name: 'Pause network activity' });
    await fireEvent.click(toggle);
    await waitFor(() => expect(toggle.getAttribute('aria-checked')).toBe('true'));
    expect(await axeViolations()).toEqual([]);
    await fireEvent.click(toggle);
    await waitFor(() => expect(toggle.getAttribute('aria-checked')).toBe('false'));
  });

  it('privacy: the erase dialog, labelled and modal, no axe violations', async () => {
    await go('#/privacy', 'Privacy');
    await fireEvent.click(screen.getByTestId('erase-open'));
    const dialog = await screen.findByRole('dialog', { name: 'Erase everything?' });
    expect(dialog.getAttribute('aria-modal')).toBe('true');
    expect(await axeViolations()).toEqual([]);
    await fireEvent.input(within(dialog).getByLabelText(`Type “${privacy.plan.confirmation}” to confirm`), {
      target: { value: privacy.plan.confirmation },
    });
    expect(await axeViolations()).toEqual([]);
  });

  it('working group: correcting a member, no axe violations', async () => {
    await go('#/group', 'Working group');
    await fireEvent.click(await screen.findByRole('button', { name: 'Edit Alex Kim' }));
    await screen.findByTestId('edit-member');
    expect(await axeViolations()).toEqual([]);
  });

  it('first run after an erasure: what was removed, no axe violations', async () => {
    await go('#/privacy', 'Privacy');
    await fireEvent.click(screen.getByTestId('erase-open'));
    const dialog = await screen.findByRole('dialog', { name: 'Erase everything?' });
    await fireEvent.input(within(dialog).getByLabelText(`Type “${privacy.plan.confirmation}” to confirm`), {
      target: { value: privacy.plan.confirmation },
    });
    await fireEvent.click(within(dialog).getByTestId('erase-confirm'));
    await screen.findByRole('heading', { level: 1, name: 'Start your self-review' });
    await screen.findByTestId('erased');
    expect(await axeViolations()).toEqual([]);
  });
});

describe('an action past its due date', () => {
  beforeAll(() => {
    shell.backend = createBackend({ registered: true });
  });

  it('is overdue on the plan and counted on the dashboard, as the core judges it', async () => {
    await go('#/actions', 'Action plan');
    await fireEvent.input(screen.getByLabelText('Action'), { target: { value: 'Update the computing policy' } });
    await fireEvent.input(screen.getByLabelText('Due date'), { target: { value: '2025-09-01' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Add action' }));
    const row = await screen.findByTestId('action-row');
    expect(within(row).getByText(/^1 Sept? 2025$/)).toBeTruthy();
    expect(within(row).getByText('Overdue')).toBeTruthy();
    expect(shell.backend!.actions.map((a) => a.overdue)).toEqual([true]);
    expect(await axeViolations()).toEqual([]);

    const summary = async () => (await screen.findByTestId('action-summary')).textContent?.replace(/\s+/g, ' ').trim();
    await visit('#/dashboard', 'Dashboard');
    await waitFor(async () => expect(await summary()).toBe('Action plan: 1 open action, 1 overdue.'));
    expect(await axeViolations()).toEqual([]);

    await visit('#/actions', 'Action plan');
    await fireEvent.click(within(await screen.findByTestId('action-row')).getByRole('button', { name: 'Mark done' }));
    await waitFor(() => expect(within(screen.getByTestId('action-row')).getByText('Done')).toBeTruthy());
    expect(within(screen.getByTestId('action-row')).queryByText('Overdue')).toBeNull();
    await visit('#/dashboard', 'Dashboard');
    await waitFor(async () => expect(await summary()).toBe('Action plan: 0 open actions.'));
  });
});

describe('the submission journey', () => {
  /** A fresh fake shell answering the submission commands as the shell would in this state. */
  function backendIn(overview: Overview): FakeBackend {
    const b = createBackend({ registered: true });
    b.submissions.overview = structuredClone(overview);
    b.submissions.previews = { mark: firstPreview };
    b.submissions.codeChecks = { [CODE]: { ...codeCheck, replaces: overview.connection ? 'Hillside Primary at https://awards.test-body.org.uk' : null } };
    b.submissions.enrollments = { [CODE]: enrolled };
    b.submissions.receipts = { 'outbox-1': receipt };
    b.submissions.comparison = comparison;
    b.submissions.renewal = { report: renewalReport, after: renewing };
    shell.backend = b;
    return b;
  }

  it('dashboard: Apply and Re-submit on the mark’s card', async () => {
    backendIn(canApply);
    await go('#/dashboard', 'Dashboard');
    await screen.findByTestId('apply-mark');
    expect(await axeViolations()).toEqual([]);
    cleanup();

    backendIn(moreEvidence);
    await go('#/dashboard', 'Dashboard');
    await screen.findByTestId('resubmit-mark');
    expect(await axeViolations()).toEqual([]);
  });

  it('dashboard: the renewal card in each state', async () => {
    for (const state of ['not_yet', 'open', 'expired'] as const) {
      backendIn({ ...awarded, renewal: renewals[state] });
      await go('#/dashboard', 'Dashboard');
      await waitFor(() => expect(screen.getByTestId('renewal').dataset.state).toBe(state));
      expect(await axeViolations()).toEqual([]);
      cleanup();
    }
    backendIn(renewing);
    await go('#/dashboard', 'Dashboard');
    await screen.findByTestId('compare-renewal');
    expect(await axeViolations()).toEqual([]);
  });

  it('apply: what is sent, personal data to confirm, progress, done', async () => {
    const b = backendIn(canApply);
    let release = () => {};
    b.submissions.apply = { progress: applyProgress, applied, after: underReview, pause: new Promise<void>((r) => (release = r)) };
    await go('#/apply/mark', 'Apply for Test Mark');
    await screen.findByTestId('apply-summary');
    expect(await axeViolations()).toEqual([]);
    for (const item of firstPreview.personal_data) await fireEvent.click(screen.getByTestId(`confirm-${item.id}`));
    await fireEvent.click(screen.getByTestId('apply-submit'));
    await waitFor(() => expect(screen.getByTestId('apply-progress').dataset.stage).toBe('encrypting'));
    expect(await axeViolations()).toEqual([]);
    release();
    await screen.findByTestId('apply-done');
    expect(await axeViolations()).toEqual([]);
  });

  it('apply: a refusal, a re-submission, and before this computer is connected', async () => {
    const b = backendIn(canApply);
    b.submissions.apply = { progress: [], applied };
    await go('#/apply/mark', 'Apply for Test Mark');
    for (const item of firstPreview.personal_data) await fireEvent.click(await screen.findByTestId(`confirm-${item.id}`));
    b.failNext.set('apply', { code: 'submission', message: 'The awarding body refused the application.', field: null });
    await fireEvent.click(screen.getByTestId('apply-submit'));
    await screen.findByTestId('apply-error');
    expect(await axeViolations()).toEqual([]);
    cleanup();

    backendIn(moreEvidence).submissions.previews = { mark: resubmitPreview };
    await go('#/apply/mark', 'Re-submit: Test Mark');
    await screen.findByTestId('new-evidence');
    expect(await axeViolations()).toEqual([]);
    cleanup();

    backendIn(fresh).submissions.previews = { mark: notEnrolledPreview };
    await go('#/apply/mark', 'Apply for Test Mark');
    await screen.findByTestId('not-enrolled');
    expect(await axeViolations()).toEqual([]);
  });

  it('submissions: the timeline, the request, the award and an open receipt; nothing sent yet', async () => {
    backendIn(underReview);
    await go('#/submissions', 'Submissions');
    await screen.findByTestId('timeline-step-under_review');
    expect(await axeViolations()).toEqual([]);
    cleanup();

    backendIn(moreEvidence);
    await go('#/submissions', 'Submissions');
    await screen.findByTestId('request');
    expect(await axeViolations()).toEqual([]);
    cleanup();

    backendIn(awarded);
    await go('#/submissions', 'Submissions');
    await screen.findByTestId('award-record');
    await fireEvent.click(screen.getByTestId('view-receipt-outbox-1'));
    await screen.findByTestId('receipt-text');
    expect(await axeViolations()).toEqual([]);
    cleanup();

    const b = backendIn(fresh);
    b.failNext.set('refresh_submissions', { code: 'submission', message: 'The awarding body could not be reached.', field: null });
    await go('#/submissions', 'Submissions');
    await screen.findByTestId('submissions-empty');
    await waitFor(() => expect(screen.getByTestId('refresh-error').textContent).not.toBe(''));
    expect(await axeViolations()).toEqual([]);
  });

  it('settings: the code checked, an error beside the field, the connection', async () => {
    const b = backendIn(fresh);
    await go('#/settings', 'Settings and about');
    const field = screen.getByLabelText('Enrollment code');
    await fireEvent.input(field, { target: { value: CODE } });
    await fireEvent.click(screen.getByTestId('check-code'));
    await screen.findByTestId('code-check');
    expect(await axeViolations()).toEqual([]);

    b.failNext.set('enroll', { code: 'submission', message: 'This code was used already.', field: null });
    await fireEvent.click(screen.getByTestId('enroll'));
    await waitFor(() => expect(errorOf(field)).toBe('This code was used already.'));
    expect(await axeViolations()).toEqual([]);
    cleanup();

    backendIn({ ...underReview, connection: { ...connection, credentials_problem: 'The keychain is locked.' } });
    await go('#/settings', 'Settings and about');
    await screen.findByTestId('credentials-problem');
    await fireEvent.click(screen.getByTestId('use-new-code'));
    await fireEvent.input(screen.getByLabelText('Enrollment code'), { target: { value: CODE } });
    await fireEvent.click(screen.getByTestId('check-code'));
    await screen.findByTestId('code-check-replaces');
    expect(await axeViolations()).toEqual([]);
  });

  it('the delivery indicator in every state', async () => {
    for (const state of ['sending', 'offline', 'waiting', 'needs_enrollment', 'paused'] as const) {
      backendIn({ ...underReview, delivery: deliveries[state] });
      await go('#/dashboard', 'Dashboard');
      await waitFor(() => expect(screen.getByTestId('delivery').dataset.state).toBe(state));
      expect(await axeViolations()).toEqual([]);
      cleanup();
    }
  });

  it('the request marked in the benchmark list and shown on the benchmark page', async () => {
    backendIn(moreEvidence);
    await go('#/benchmarks', 'Benchmarks');
    await screen.findByTestId('requested-1.1');
    expect(await axeViolations()).toEqual([]);
    await visit('#/benchmarks/1.1', '1.1 Vision');
    await screen.findByTestId('evidence-request');
    expect(await axeViolations()).toEqual([]);
  });

  it('the renewal’s comparison with the awarded review', async () => {
    backendIn(awarded);
    await go('#/dashboard', 'Dashboard');
    await fireEvent.click(await screen.findByTestId('start-renewal'));
    await screen.findByRole('heading', { level: 1, name: 'Renewal: compared with the awarded review' });
    await screen.findByTestId('renewal-comparison');
    expect(await axeViolations()).toEqual([]);
  });
});

describe('the assessor workspace', () => {
  function desk(signedIn: boolean, registered = true) {
    // The app an earlier test left open must not ask the new fake shell anything, nor the next
    // one start on the screen it was left at (the router's state outlives a mount).
    cleanup();
    window.location.hash = '#/assessor';
    router.route = { name: 'assessor' };
    shell.backend = createBackend({ registered });
    if (signedIn) shell.backend.assessor = signedInDesk();
    shell.backend.assessor.opens[SUB_NEW] = tampered;
    shell.backend.assessor.problems.request = assessorRequestProblems;
  }

  it('first run and the assessor sign-in, with an error beside the code', async () => {
    desk(false, false);
    await go('', 'Start your self-review');
    expect(screen.getByRole('button', { name: 'I am an assessor' })).toBeTruthy();
    expect(await axeViolations()).toEqual([]);
    await fireEvent.click(screen.getByRole('button', { name: 'I am an assessor' }));
    await screen.findByRole('heading', { level: 1, name: 'Sign in as an assessor' });
    await fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    await waitFor(() => expect(errorOf(screen.getByLabelText('Enrollment code'))).toBeTruthy());
    expect(await axeViolations()).toEqual([]);
    cleanup();
  });

  it('assigned submissions, with a refused opening', async () => {
    desk(true);
    await go('#/assessor', 'Assigned submissions');
    await screen.findAllByTestId('assignment-row');
    expect(screen.getByTestId('assessor-banner')).toBeTruthy();
    expect(await axeViolations()).toEqual([]);
    await fireEvent.click(within(screen.getAllByTestId('assignment-row')[0]!).getByRole('button', { name: 'Open' }));
    await screen.findByTestId('open-refused');
    expect(await axeViolations()).toEqual([]);
    cleanup();
  });

  it('a submission as the assessor reviews it, its problems and the confirmation', async () => {
    desk(true);
    await go(`#/assessor/${SUB_OPEN}`, 'Riverside Academy');
    await fireEvent.click(within(screen.getAllByTestId('assessor-benchmark')[0]!).getByRole('radio', { name: 'Different judgement' }));
    await screen.findByLabelText('Your judgement');
    expect(await axeViolations()).toEqual([]);
    await fireEvent.click(screen.getByRole('button', { name: 'Send request for more evidence' }));
    await waitFor(() => expect(errorOf(screen.getByLabelText('Message to the school'))).toBeTruthy());
    expect(await axeViolations()).toEqual([]);
    await fireEvent.click(screen.getByRole('button', { name: 'Remove the local copy now' }));
    await screen.findByRole('dialog', { name: 'Remove the local copy now?' });
    expect(await axeViolations()).toEqual([]);
    cleanup();
  });

  it('a submission that names the assessor, and one to moderate', async () => {
    desk(true);
    await go(`#/assessor/${SUB_NAMED}`, 'Eastfield School');
    expect(screen.getByTestId('impartiality-warning')).toBeTruthy();
    expect(await axeViolations()).toEqual([]);
    cleanup();
    desk(true);
    await go(`#/assessor/${SUB_MODERATE}`, 'Northgate College');
    expect(screen.getByTestId('recommendation')).toBeTruthy();
    expect(await axeViolations()).toEqual([]);
    cleanup();
  });

  it('settings with the assessor workspace, signed in and not, and the assessor’s own settings', async () => {
    desk(true);
    await go('#/settings', 'Settings and about');
    await screen.findByTestId('assessor-settings-name');
    expect(screen.getByRole('navigation', { name: 'Workspace' })).toBeTruthy();
    expect(await axeViolations()).toEqual([]);
    await visit('#/assessor/settings', 'Assessor settings');
    expect(await axeViolations()).toEqual([]);
    cleanup();
    desk(false);
    await go('#/settings', 'Settings and about');
    await screen.findByRole('link', { name: 'Sign in as assessor' });
    expect(await axeViolations()).toEqual([]);
    cleanup();
  });
});
