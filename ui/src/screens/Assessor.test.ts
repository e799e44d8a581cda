// The assessor workspace over the fake shell: signing in from the first-run screen, the list of
// assigned submissions, opening with progress and a refusal, the read-only submission with the
// assessor's autosaved draft, the desk's problems beside their fields, sending after a
// confirmation, impartiality, moderation and removing the local copy.
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import App from '../App.svelte';
import { createBackend, type FakeBackend } from '../test/fakeBackend';
import {
  assessorView,
  DESK_CODE,
  deskInfo,
  moderatorView,
  opened,
  openProgress,
  recommendationProblems,
  requestProblems,
  rows,
  signedInDesk,
  SUB_MODERATE,
  SUB_NAMED,
  SUB_NEW,
  SUB_OPEN,
  tampered,
} from '../test/assessor';

const shell = vi.hoisted(() => ({ backend: null as FakeBackend | null }));
vi.mock('@tauri-apps/api/core', async () => ({
  invoke: (command: string, args?: Record<string, unknown>) => shell.backend!.invoke(command, args),
  Channel: (await import('../test/fakeBackend')).FakeChannel,
}));

afterEach(() => cleanup());

function backend(options: { registered: boolean; signedIn: boolean }): FakeBackend {
  const b = createBackend({ registered: options.registered });
  if (options.signedIn) b.assessor = signedInDesk();
  shell.backend = b;
  return b;
}

async function openAt(hash: string, heading: string | RegExp) {
  window.location.hash = hash;
  render(App);
  return screen.findByRole('heading', { level: 1, name: heading });
}

function errorOf(field: HTMLElement): string | null | undefined {
  const ids = field.getAttribute('aria-describedby')?.split(' ') ?? [];
  return document.getElementById(ids.find((id) => id.endsWith('-error')) ?? '')?.textContent;
}

function benchmark(id: string): HTMLElement {
  const found = screen.getAllByTestId('assessor-benchmark').find((el) => el.dataset.benchmark === id);
  if (!found) throw new Error(`no benchmark ${id}`);
  return found;
}

describe('signing in as an assessor', () => {
  it('starts from the first-run screen, keeps the error beside the code, then opens the workspace', async () => {
    const b = backend({ registered: false, signedIn: false });
    b.assessor.signIns = {
      [DESK_CODE]: deskInfo,
      'WMA1-USED': { code: 'assessment', message: 'This enrollment code was already used.', field: 'code', detail: 'refused' },
    };
    b.assessor.rows = structuredClone(rows);
    await openAt('', 'Start your self-review');
    await fireEvent.click(screen.getByRole('button', { name: 'I am an assessor' }));
    await screen.findByRole('heading', { level: 1, name: 'Sign in as an assessor' });
    expect(screen.getByText(/OS keychain/)).toBeTruthy();
    const field = screen.getByLabelText('Enrollment code');
    await fireEvent.input(field, { target: { value: 'WMA1-USED' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    await waitFor(() => expect(errorOf(field)).toBe('This enrollment code was already used.'));
    expect(field.getAttribute('aria-invalid')).toBe('true');

    await fireEvent.input(field, { target: { value: ` ${DESK_CODE} ` } });
    await fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    await screen.findByRole('heading', { level: 1, name: 'Assigned submissions' });
    expect(screen.getByTestId('assessor-banner').textContent).toContain(
      'Assessor workspace — Ada Lovelace, Test Awarding Body.',
    );
    expect(screen.getByTestId('assessor-banner').textContent).toContain('Separate from any school review on this computer.');
  });

  it('starts in the workspace when no school is registered but an assessor is signed in', async () => {
    backend({ registered: false, signedIn: true });
    window.location.hash = '';
    render(App);
    await screen.findByRole('heading', { level: 1, name: 'Assigned submissions' });
    expect(window.location.hash).toBe('#/assessor');
  });

  it('switches between the school review and the workspace from the sidebar', async () => {
    backend({ registered: true, signedIn: true });
    await openAt('#/dashboard', 'Dashboard');
    const mode = screen.getByRole('navigation', { name: 'Workspace' });
    expect(within(mode).getByRole('link', { name: 'School review' }).getAttribute('aria-current')).toBe('page');
    await fireEvent.click(within(mode).getByRole('link', { name: 'Assessor workspace' }));
    window.location.hash = '#/assessor';
    await screen.findByRole('heading', { level: 1, name: 'Assigned submissions' });
  });

  it('keeps the school’s app as it was when nobody is signed in as an assessor', async () => {
    backend({ registered: true, signedIn: false });
    await openAt('#/dashboard', 'Dashboard');
    expect(screen.queryByRole('navigation', { name: 'Workspace' })).toBeNull();
  });
});

describe('assigned submissions', () => {
  it('lists each submission with the desk’s words and judgements', async () => {
    backend({ registered: true, signedIn: true });
    await openAt('#/assessor', 'Assigned submissions');
    const list = await screen.findAllByTestId('assignment-row');
    expect(list.map((r) => r.dataset.submission)).toEqual([SUB_NEW, SUB_OPEN, SUB_MODERATE, SUB_NAMED]);
    const [first, second, third, fourth] = list as [HTMLElement, HTMLElement, HTMLElement, HTMLElement];
    expect(within(first).getByText('Hillside Primary')).toBeTruthy();
    expect(within(first).getByTestId('overdue').textContent).toBe('Overdue');
    expect(within(first).getByTestId('assignment-state').textContent).toBe('Under review');
    expect(within(first).getByRole('button', { name: 'Open' })).toBeTruthy();
    expect(within(first).queryByRole('button', { name: 'Review' })).toBeNull();
    expect(within(second).queryByTestId('overdue')).toBeNull();
    expect(within(second).getByRole('button', { name: 'Open again' })).toBeTruthy();
    expect(within(second).getByRole('button', { name: 'Review' })).toBeTruthy();
    expect(within(third).getByTestId('assignment-role').textContent).toBe('Moderator');
    expect(third.textContent).toContain('computing-quality 1.0');
    expect(within(fourth).getByRole('button', { name: 'Open version 2' })).toBeTruthy();
    expect(within(fourth).getByTestId('assignment-copy').textContent).toContain('newer version available');
    expect(within(fourth).getByTestId('assignment-copy').textContent).toContain('will be removed on 6 Mar 2026');
  });

  it('opens with progress in the desk’s stages, then offers the review', async () => {
    const b = backend({ registered: true, signedIn: true });
    let release: () => void = () => undefined;
    const after = structuredClone(rows);
    after[0]!.copy = { version: 1, opened_at: '2026-03-02T09:00:00Z', current: true, finished_at: null, remove_after: null };
    b.assessor.opens[SUB_NEW] = { progress: openProgress, opened, rowsAfter: after, pause: new Promise((r) => (release = r)) };
    await openAt('#/assessor', 'Assigned submissions');
    const first = (await screen.findAllByTestId('assignment-row'))[0]!;
    await fireEvent.click(within(first).getByRole('button', { name: 'Open' }));
    const bar = await screen.findByTestId('open-progress');
    expect(bar.getAttribute('role') ?? bar.tagName.toLowerCase()).toMatch(/progressbar|progress/);
    expect(screen.getByTestId('open-stage').textContent).toBe('Decrypting and checking');
    expect(bar.getAttribute('aria-label')).toBe('Decrypting and checking');
    release();
    await screen.findByTestId('opened');
    expect(screen.queryByTestId('open-progress')).toBeNull();
    await waitFor(() => expect(within(screen.getAllByTestId('assignment-row')[0]!).getByRole('button', { name: 'Review' })).toBeTruthy());
  });

  it('shows a refusal (a tampered file) as an alert with the desk’s message', async () => {
    const b = backend({ registered: true, signedIn: true });
    b.assessor.opens[SUB_NEW] = tampered;
    await openAt('#/assessor', 'Assigned submissions');
    const first = (await screen.findAllByTestId('assignment-row'))[0]!;
    await fireEvent.click(within(first).getByRole('button', { name: 'Open' }));
    const alert = await screen.findByTestId('open-refused');
    expect(alert.getAttribute('role')).toBe('alert');
    expect(alert.textContent).toContain(tampered.message);
  });
});

describe('reviewing a submission', () => {
  it('shows the school’s self-review read-only, with what changed and earlier requests', async () => {
    const b = backend({ registered: true, signedIn: true });
    await openAt(`#/assessor/${SUB_OPEN}`, 'Riverside Academy');
    expect(screen.queryByTestId('impartiality-warning')).toBeNull();
    expect(screen.getByTestId('changes').textContent).toContain('Changes since version 1');
    expect(screen.getByTestId('submission-version').textContent).toContain('Version 2 of 2');
    const vision = benchmark('1.1');
    expect(within(vision).getByTestId('school-level').textContent).toContain('Developing');
    expect(vision.textContent).toContain('A vision is shared with staff.');
    expect(within(vision).getByText('Compare all level descriptors')).toBeTruthy();
    expect(within(vision).getByTestId('benchmark-changed').textContent).toContain('Emerging → Developing');
    expect(within(vision).getByTestId('benchmark-requested').textContent).toContain('minutes of the governors’ meeting');
    await fireEvent.click(within(vision).getByRole('button', { name: 'Open Vision.pdf' }));
    expect((await screen.findByTestId('evidence-opened')).textContent).toBe('Opened Vision.pdf from the decrypted copy.');
    expect(b.assessor.openedFiles).toEqual([`${SUB_OPEN}/e1`]);
    const files = screen.getAllByTestId('evidence-file');
    await fireEvent.click(within(files[1]!).getByRole('button', { name: 'Open' }));
    await waitFor(() => expect(screen.getByTestId('evidence-opened').textContent).toBe('Opened survey.xlsx from the decrypted copy.'));
    expect(screen.getByTestId('history').textContent).toContain('5 changes');
  });

  it('autosaves the draft here and sends nothing until asked and confirmed', async () => {
    const b = backend({ registered: true, signedIn: true });
    b.assessor.problems.request = requestProblems;
    const sentRow = { ...rows[1]!, state: 'more_evidence_requested' as const };
    b.assessor.sends[`assessor_send_request:${SUB_OPEN}`] = { row: sentRow, view: { ...assessorView, state: 'more_evidence_requested' } };
    await openAt(`#/assessor/${SUB_OPEN}`, 'Riverside Academy');
    const vision = benchmark('1.1');
    await fireEvent.click(within(vision).getByRole('radio', { name: 'Different judgement' }));
    const level = await within(vision).findByLabelText('Your judgement');
    expect([...(level as HTMLSelectElement).options].map((o) => o.textContent)).toEqual(['Choose a level', 'Emerging', 'Developing', 'Embedded']);
    await fireEvent.change(level, { target: { value: '3' } });
    const request = within(vision).getByLabelText('More evidence needed');
    await fireEvent.input(request, { target: { value: 'The governors’ minutes.' } });
    expect(screen.getByTestId('draft-status').textContent?.trim()).toMatch(/Unsaved changes|Saving…/);
    await fireEvent.blur(request);
    await waitFor(() => expect(screen.getByTestId('draft-status').textContent?.trim()).toBe('Draft saved on this computer — not sent'));
    const last = b.assessor.saved.at(-1)!;
    expect(last.judgements).toEqual([{ benchmark: '1.1', verdict: 'differ', level: 3, note: '', request: 'The governors’ minutes.' }]);
    expect(b.calls.some((c) => c.command === 'assessor_send_request')).toBe(false);

    // The desk's problem is shown beside its field, and nothing is asked or sent.
    await fireEvent.click(screen.getByRole('button', { name: 'Send request for more evidence' }));
    const message = screen.getByLabelText('Message to the school');
    await waitFor(() => expect(errorOf(message)).toBe(requestProblems[0]!.message));
    expect(screen.queryByRole('dialog')).toBeNull();

    b.assessor.problems.request = [];
    await fireEvent.input(message, { target: { value: 'Thank you; one more thing on the vision.' } });
    await waitFor(() => expect(errorOf(message)).toBe(''));
    await fireEvent.click(screen.getByRole('button', { name: 'Send request for more evidence' }));
    const dialog = await screen.findByRole('dialog', { name: 'Send the request for more evidence?' });
    expect(b.calls.some((c) => c.command === 'assessor_send_request')).toBe(false);
    await fireEvent.click(within(dialog).getByRole('button', { name: 'Send the request' }));
    expect((await screen.findByTestId('sent')).textContent).toBe('Your request for more evidence was sent to Riverside Academy.');
    expect(screen.getByTestId('submission-state').textContent).toContain('More evidence requested');
    expect(b.calls.filter((c) => c.command === 'assessor_send_request')).toHaveLength(1);
    expect(b.assessor.saved.at(-1)!.request_message).toBe('Thank you; one more thing on the vision.');
  });

  it('checks the recommendation with the desk and confirms before sending it', async () => {
    const b = backend({ registered: true, signedIn: true });
    b.assessor.problems.recommendation = recommendationProblems;
    await openAt(`#/assessor/${SUB_OPEN}`, 'Riverside Academy');
    expect(screen.queryByLabelText('Areas of enhanced or exceptional practice')).toBeNull();
    await fireEvent.click(screen.getByRole('button', { name: 'Send recommendation' }));
    await waitFor(() => expect(errorOf(screen.getByLabelText('Strengths'))).toBe('Write the school’s strengths.'));
    expect(screen.getByTestId('outcome').textContent).toContain('Choose a recommendation: award or not yet.');
    expect(screen.queryByRole('dialog')).toBeNull();
    // Cancelling the confirmation sends nothing.
    b.assessor.problems.recommendation = [];
    await fireEvent.click(screen.getByRole('radio', { name: 'Award' }));
    await fireEvent.click(screen.getByRole('button', { name: 'Send recommendation' }));
    const dialog = await screen.findByRole('dialog', { name: 'Send your recommendation?' });
    await fireEvent.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(b.calls.some((c) => c.command === 'assessor_send_recommendation')).toBe(false);
  });

  it('says when the submission names the assessor, and offers no decision', async () => {
    backend({ registered: true, signedIn: true });
    await openAt(`#/assessor/${SUB_NAMED}`, 'Eastfield School');
    const warning = screen.getByTestId('impartiality-warning');
    expect(warning.getAttribute('role')).toBe('alert');
    expect(warning.textContent).toContain('the working group (Ada Lovelace, Governor)');
    expect(warning.textContent).toContain('cannot record a decision');
    expect(screen.getByTestId('why-not').textContent).toContain('no decision may be recorded');
    expect((screen.getByRole('button', { name: 'Send request for more evidence' }) as HTMLButtonElement).disabled).toBe(true);
    expect((screen.getByRole('button', { name: 'Send recommendation' }) as HTMLButtonElement).disabled).toBe(true);
    expect(screen.getByTestId('removal').textContent).toContain('automatically on 6 Mar 2026');
  });

  it('removes the local copy at once after asking', async () => {
    const b = backend({ registered: true, signedIn: true });
    await openAt(`#/assessor/${SUB_NAMED}`, 'Eastfield School');
    await fireEvent.click(screen.getByRole('button', { name: 'Remove the local copy now' }));
    const dialog = await screen.findByRole('dialog', { name: 'Remove the local copy now?' });
    await fireEvent.click(within(dialog).getByRole('button', { name: 'Remove the copy' }));
    await screen.findByRole('heading', { level: 1, name: 'Assigned submissions' });
    expect(b.assessor.removed).toEqual([SUB_NAMED]);
  });
});

describe('moderating', () => {
  it('shows the assessor’s recommendation and judgements, and sends it back only with the desk’s consent', async () => {
    const b = backend({ registered: true, signedIn: true });
    b.assessor.sends[`assessor_moderate:${SUB_MODERATE}`] = {
      code: 'assessment',
      message: 'Say why you are sending the recommendation back, for the assessor.',
      field: 'send_back_reason',
      detail: 'draft_incomplete',
    };
    await openAt(`#/assessor/${SUB_MODERATE}`, 'Northgate College');
    const panel = screen.getByTestId('recommendation');
    expect(within(panel).getByTestId('recommendation-outcome').textContent).toBe('Award');
    expect(panel.textContent).toContain('A clear, shared vision.');
    expect(within(benchmark('1.1')).getByTestId('assessor-judgement').textContent).toContain('Embedded');
    expect(screen.queryByRole('button', { name: 'Send recommendation' })).toBeNull();
    await fireEvent.click(screen.getByRole('button', { name: 'Send back' }));
    const dialog = await screen.findByRole('dialog', { name: 'Send the recommendation back?' });
    await fireEvent.click(within(dialog).getByRole('button', { name: 'Send back' }));
    const reason = screen.getByLabelText('Reason for sending back');
    await waitFor(() => expect(errorOf(reason)).toBe('Say why you are sending the recommendation back, for the assessor.'));
    expect(document.activeElement).toBe(reason);

    b.assessor.sends[`assessor_moderate:${SUB_MODERATE}`] = {
      row: { ...rows[2]!, state: 'awarded' },
      view: { ...moderatorView, state: 'awarded', may: { ...moderatorView.may, moderate: false } },
    };
    await fireEvent.click(screen.getByRole('button', { name: 'Confirm the recommendation' }));
    const confirm = await screen.findByRole('dialog', { name: 'Confirm the recommendation?' });
    await fireEvent.click(within(confirm).getByRole('button', { name: 'Confirm' }));
    expect((await screen.findByTestId('sent')).textContent).toBe('You confirmed the recommendation.');
    expect(screen.getByTestId('submission-state').textContent).toContain('Awarded');
    expect(b.calls.filter((c) => c.command === 'assessor_moderate').map((c) => c.args.choice)).toEqual(['send_back', 'confirm']);
  });
});

describe('Settings → Assessor workspace', () => {
  it('offers signing in when nobody is, and otherwise the kept days and signing out', async () => {
    const b = backend({ registered: true, signedIn: false });
    await openAt('#/settings', 'Settings and about');
    const section = screen.getByTestId('assessor-settings');
    expect(within(section).getByRole('heading', { level: 2 }).textContent).toBe('Assessor workspace');
    expect(within(section).getByRole('link', { name: 'Sign in as assessor' }).getAttribute('href')).toBe('#/assessor/sign-in');
    cleanup();

    b.assessor = signedInDesk();
    await openAt('#/settings', 'Settings and about');
    const signed = screen.getByTestId('assessor-settings');
    await waitFor(() => expect(within(signed).getByTestId('assessor-settings-name').textContent).toBe('Ada Lovelace <ada@example.org>'));
    const days = within(signed).getByLabelText('Keep finished reviews on this computer for');
    await waitFor(() => expect((days as HTMLInputElement).value).toBe('14'));
    await fireEvent.input(days, { target: { value: '7' } });
    await fireEvent.click(within(signed).getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(b.assessor.info?.settings.keep_finished_days).toBe(7));
    await fireEvent.click(within(signed).getByRole('button', { name: 'Sign out as assessor' }));
    const dialog = await screen.findByRole('dialog', { name: 'Sign out as assessor?' });
    await fireEvent.click(within(dialog).getByRole('button', { name: 'Sign out' }));
    await waitFor(() => expect(within(screen.getByTestId('assessor-settings')).getByRole('link', { name: 'Sign in as assessor' })).toBeTruthy());
    expect(b.assessor.info).toBeNull();
  });
});
