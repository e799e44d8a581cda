// Settings → Awarding body: the enrollment code checked first (who it connects to, the
// fingerprint to compare with the letter), then "Connect"; the connection once made; errors
// beside the field; and how long before expiry renewal is offered.
import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import App from '../App.svelte';
import { createBackend, type FakeBackend } from '../test/fakeBackend';
import { awarded, CODE, codeCheck, connection, enrolled, fresh, underReview } from '../test/submissions';
import type { Overview } from '../lib/bindings';

const shell = vi.hoisted(() => ({ backend: null as FakeBackend | null }));
vi.mock('@tauri-apps/api/core', () => ({
  invoke: (command: string, args?: Record<string, unknown>) => shell.backend!.invoke(command, args),
}));

async function open(overview: Overview) {
  const backend = createBackend();
  backend.submissions.overview = structuredClone(overview);
  backend.submissions.codeChecks = { [CODE]: codeCheck };
  backend.submissions.enrollments = { [CODE]: enrolled };
  shell.backend = backend;
  window.location.hash = '#/settings?s=awarding-body';
  render(App);
  await screen.findByRole('heading', { level: 1, name: 'Settings and about' });
  const section = screen.getByTestId('awarding-body');
  expect(within(section).getByRole('heading', { level: 2 }).textContent).toBe('Awarding body');
  return { backend, section };
}

function errorOf(field: HTMLElement): string | null | undefined {
  const ids = field.getAttribute('aria-describedby')?.split(' ') ?? [];
  return document.getElementById(ids.find((id) => id.endsWith('-error')) ?? '')?.textContent;
}

describe('connecting to the awarding body', () => {
  it('checks the code, shows who it connects to and the fingerprint, then connects', async () => {
    const { backend, section } = await open(fresh);
    await waitFor(() => expect(backend.calls.some((c) => c.command === 'overview')).toBe(true));
    expect(within(section).queryByTestId('connection')).toBeNull();
    const field = within(section).getByLabelText('Enrollment code');
    expect(field.dataset.testid).toBe('awarding-body-code');
    await fireEvent.input(field, { target: { value: ` ${CODE} ` } });
    await fireEvent.click(within(section).getByTestId('check-code'));

    const check = await within(section).findByTestId('code-check');
    expect(within(check).getByTestId('code-check-awarding-body').textContent).toBe('Test Awarding Body');
    expect(check.textContent).toContain(codeCheck.endpoint);
    const fingerprint = within(check).getByTestId('code-check-fingerprint');
    expect(fingerprint.tagName).toBe('PRE');
    expect(fingerprint.textContent).toBe('7KQ2 M9XH 4TAB');
    expect(check.textContent).toContain("Compare this fingerprint with the one in the awarding body's letter");
    expect(within(check).queryByTestId('code-check-replaces')).toBeNull();
    // Checking used nothing up.
    expect(backend.calls.some((c) => c.command === 'enroll')).toBe(false);

    await fireEvent.click(within(check).getByTestId('enroll'));
    const panel = await within(section).findByTestId('connection');
    expect(within(panel).getByTestId('connection-awarding-body').textContent).toBe('Test Awarding Body');
    expect(within(panel).getByTestId('connection-institution').textContent).toBe('Hillside Primary (123456)');
    expect(within(panel).getByTestId('connection-fingerprint').textContent).toBe('7KQ2 M9XH 4TAB');
    expect(within(panel).getByTestId('connection-keychain').textContent).toBe(connection.keychain);
    expect(within(panel).getByText(/^5 Jan 2026 at \d\d:\d\d$/).previousElementSibling?.textContent).toBe('Connected');
    expect(within(section).getByText('Connected to Test Awarding Body as Hillside Primary.')).toBeTruthy();
    expect(within(section).queryByTestId('awarding-body-code')).toBeNull();
    expect(backend.calls.filter((c) => c.command === 'check_code' || c.command === 'enroll').map((c) => c.args)).toEqual([
      { code: CODE },
      { code: CODE },
    ]);
  });

  it('shows the shell’s refusal beside the field and moves focus to it', async () => {
    const { backend, section } = await open(fresh);
    backend.failNext.set('check_code', {
      code: 'submission',
      message: 'This is not an enrollment code: check you copied all of it.',
      field: null,
      detail: 'enrollment_code_invalid',
    });
    const field = within(section).getByLabelText('Enrollment code');
    await fireEvent.input(field, { target: { value: 'wm1:oops' } });
    await fireEvent.click(within(section).getByTestId('check-code'));
    await waitFor(() => expect(field.getAttribute('aria-invalid')).toBe('true'));
    expect(errorOf(field)).toBe('This is not an enrollment code: check you copied all of it.');
    expect(document.getElementById('awarding-body-code-error')?.getAttribute('role')).toBe('alert');
    expect(document.activeElement).toBe(field);
    expect(within(section).queryByTestId('code-check')).toBeNull();
    // Typing again clears the error.
    await fireEvent.input(field, { target: { value: CODE } });
    expect(field.getAttribute('aria-invalid')).toBeNull();
  });

  it('shows a failed connection beside the field too', async () => {
    const { backend, section } = await open(fresh);
    backend.failNext.set('enroll', { code: 'submission', message: 'This code was used already. Ask the awarding body for a new one.', field: null });
    const field = within(section).getByLabelText('Enrollment code');
    await fireEvent.input(field, { target: { value: CODE } });
    await fireEvent.click(within(section).getByTestId('check-code'));
    await fireEvent.click(await within(section).findByTestId('enroll'));
    await waitFor(() => expect(errorOf(field)).toBe('This code was used already. Ask the awarding body for a new one.'));
    expect(within(section).queryByTestId('connection')).toBeNull();
  });

  it('when connected, shows the connection and takes a new code that replaces it', async () => {
    const { backend, section } = await open(underReview);
    backend.submissions.codeChecks = { [CODE]: { ...codeCheck, replaces: 'Hillside Primary at https://awards.test-body.org.uk' } };
    const panel = await within(section).findByTestId('connection');
    expect(within(section).queryByLabelText('Enrollment code')).toBeNull();
    await fireEvent.click(within(panel).getByTestId('use-new-code'));
    const field = within(section).getByLabelText('Enrollment code');
    await waitFor(() => expect(document.activeElement).toBe(field));
    await fireEvent.input(field, { target: { value: CODE } });
    await fireEvent.click(within(section).getByTestId('check-code'));
    const check = await within(section).findByTestId('code-check');
    expect(within(check).getByTestId('code-check-replaces').textContent).toBe(
      'This replaces the connection to Hillside Primary at https://awards.test-body.org.uk.',
    );
    await fireEvent.click(within(section).getByRole('button', { name: 'Cancel' }));
    expect(within(section).queryByLabelText('Enrollment code')).toBeNull();
  });

  it('says when the credentials cannot be read', async () => {
    const { section } = await open({
      ...underReview,
      connection: { ...connection, credentials_problem: 'The keychain is locked.' },
    });
    expect((await within(section).findByTestId('credentials-problem')).textContent).toContain('The keychain is locked.');
  });
});

describe('the renewal notice', () => {
  it('shows the months stored, or 6, and saves a new number', async () => {
    const { backend, section } = await open(fresh);
    const field = within(section).getByLabelText('Offer renewal this many months before the mark expires') as HTMLInputElement;
    expect(field.dataset.testid).toBe('renewal-notice');
    expect(field.value).toBe('6');
    expect([field.min, field.max]).toEqual(['1', '24']);
    await fireEvent.input(field, { target: { value: '9' } });
    await fireEvent.click(within(section).getByTestId('save-renewal-notice'));
    await within(section).findByText('Saved: renewal is offered 9 months before the mark expires.');
    expect(backend.calls.filter((c) => c.command === 'set_renewal_notice').map((c) => c.args)).toEqual([{ months: 9 }]);
  });

  it('starts from the stored setting', async () => {
    const { section } = await open({ ...awarded, notice_months: 12 });
    const field = within(section).getByLabelText('Offer renewal this many months before the mark expires') as HTMLInputElement;
    await waitFor(() => expect(field.value).toBe('12'));
  });

  it('shows the core’s refusal beside the field, and sends nothing that is not a number', async () => {
    const { backend, section } = await open(fresh);
    const field = within(section).getByLabelText('Offer renewal this many months before the mark expires');
    await fireEvent.input(field, { target: { value: '' } });
    await fireEvent.click(within(section).getByTestId('save-renewal-notice'));
    await waitFor(() => expect(errorOf(field)).toBe('Enter a number of months.'));
    expect(backend.calls.some((c) => c.command === 'set_renewal_notice')).toBe(false);

    backend.failNext.set('set_renewal_notice', { code: 'invalid_input', message: 'Choose between 1 and 24 months.', field: 'renewal_notice_months' });
    await fireEvent.input(field, { target: { value: '30' } });
    await fireEvent.click(within(section).getByTestId('save-renewal-notice'));
    await waitFor(() => expect(errorOf(field)).toBe('Choose between 1 and 24 months.'));
    expect(field.getAttribute('aria-invalid')).toBe('true');
    expect(document.activeElement).toBe(field);
  });
});
