import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import App from '../App.svelte';
import { axeViolations } from '../test/axe';
import type { InstitutionInput } from '../lib/bindings';
import { coreSays, firstRun, testQuality } from '../test/core';
import { createBackend, type FakeBackend } from '../test/fakeBackend';

const shell = vi.hoisted(() => ({ backend: null as FakeBackend | null }));
vi.mock('@tauri-apps/api/core', () => ({
  invoke: (command: string, args?: Record<string, unknown>) => shell.backend!.invoke(command, args),
}));

describe('first run', () => {
  beforeEach(() => {
    shell.backend = createBackend({ registered: false });
    window.location.hash = '';
  });

  it('offers the frameworks as radio cards and has no axe violations', async () => {
    render(App);
    await screen.findByRole('heading', { level: 1, name: 'Start your self-review' });
    const card = await screen.findByTestId('framework-test-quality');
    expect(card.textContent).toContain('Test schools');
    expect(card.textContent).toContain('3 benchmarks in 2 dimensions');
    expect(screen.getByTestId('framework-no-levels').textContent).toContain('No levels');
    // Every framework the core offers: the bundled ones and those in the data folder.
    expect(screen.getAllByRole('radio')).toHaveLength(firstRun.frameworks.length);
    expect(firstRun.frameworks.map((f) => f.id)).toContain('computing-quality');
    expect(await axeViolations()).toEqual([]);
  });

  it('shows every problem the core finds beside its field before sending anything', async () => {
    render(App);
    await fireEvent.click(await screen.findByTestId('framework-test-quality'));
    await fireEvent.input(screen.getByLabelText('Email'), { target: { value: 'head@school' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Register' }));
    const name = screen.getByLabelText('Institution name');
    await waitFor(() => expect(name.getAttribute('aria-invalid')).toBe('true'));
    expect(document.activeElement).toBe(name);
    expect(screen.getByLabelText('Email').getAttribute('aria-invalid')).toBe('true');
    const typed = (i: InstitutionInput) => i.name === '' && i.email === 'head@school';
    expect(document.getElementById('register-name-error')?.textContent).toBe(coreSays('institution', typed, 'name'));
    expect(document.getElementById('register-email-error')?.textContent).toBe(coreSays('institution', typed, 'email'));
    expect(shell.backend!.calls.filter((c) => c.command === 'check_institution').map((c) => c.args)).toEqual([
      { input: { name: '', identifier: null, phase: null, contact_name: null, email: 'head@school', role: null } },
    ]);
    expect(shell.backend!.calls.some((c) => c.command === 'register')).toBe(false);
  });

  it('asks for a framework when none is chosen', async () => {
    render(App);
    await screen.findByTestId('framework-test-quality');
    await fireEvent.input(screen.getByLabelText('Institution name'), { target: { value: 'Hillside' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Register' }));
    expect(await screen.findByText('Choose a framework first.')).toBeTruthy();
    expect(shell.backend!.calls.some((c) => c.command === 'register')).toBe(false);
  });

  it('shows a server error at the field it names', async () => {
    shell.backend!.failNext.set('register', {
      code: 'invalid_input',
      message: 'The identifier should be a reference number such as a URN (6 digits) or UKPRN (8 digits).',
      field: 'identifier',
    });
    render(App);
    await fireEvent.click(await screen.findByTestId('framework-test-quality'));
    await fireEvent.input(screen.getByLabelText('Institution name'), { target: { value: 'Hillside' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Register' }));
    const field = screen.getByLabelText('Reference number (URN or UKPRN)');
    await waitFor(() => expect(field.getAttribute('aria-invalid')).toBe('true'));
    expect(document.getElementById('register-identifier-error')?.textContent).toMatch(/URN \(6 digits\)/);
  });

  it('registers and lands on the dashboard with the Certificate of Commitment', async () => {
    render(App);
    await fireEvent.click(await screen.findByTestId('framework-test-quality'));
    await fireEvent.input(screen.getByLabelText('Institution name'), { target: { value: 'Hillside Primary' } });
    await fireEvent.change(screen.getByLabelText('Phase'), { target: { value: 'primary' } });
    await fireEvent.input(screen.getByLabelText('Contact name'), { target: { value: 'Sam Lee' } });
    await fireEvent.input(screen.getByLabelText('Email'), { target: { value: 'sam@hillside.sch.uk' } });
    await fireEvent.input(screen.getByLabelText('Role'), { target: { value: 'Computing lead' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Register' }));
    await screen.findByRole('heading', { level: 1, name: 'Dashboard' });
    expect(screen.getByText(/Your Certificate of Commitment is available/)).toBeTruthy();
    expect(screen.getByTestId('award-commitment').textContent).toContain('Eligible');
    const register = shell.backend!.calls.find((c) => c.command === 'register');
    expect(register?.args).toEqual({
      input: {
        framework_id: 'test-quality',
        by: 'sam',
        institution: {
          name: 'Hillside Primary',
          identifier: null,
          phase: 'primary',
          contact_name: 'Sam Lee',
          email: 'sam@hillside.sch.uk',
          role: 'Computing lead',
        },
      },
    });
  });
});

describe('startup error', () => {
  it('shows the core’s message and what to do instead of the app', async () => {
    shell.backend = createBackend();
    // A database file that is not SQLite at all, as the core reports it.
    shell.backend.info = firstRun.startup_errors.not_a_database;
    const error = shell.backend.info.startup_error!;
    expect(error.code).toBe('not_a_database');
    render(App);
    await screen.findByRole('heading', { level: 1, name: 'Waymark cannot open your review' });
    expect(screen.getByText(error.message)).toBeTruthy();
    expect(screen.getByText(/Restore the data folder from a backup, or ask your IT support/)).toBeTruthy();
    expect(screen.getByText(shell.backend.info.data_dir)).toBeTruthy();
    expect(screen.queryByRole('navigation')).toBeNull();
  });

  it('explains a data folder that cannot be used', async () => {
    shell.backend = createBackend();
    shell.backend.info = firstRun.startup_errors.data_dir;
    render(App);
    await screen.findByRole('heading', { level: 1, name: 'Waymark cannot open your review' });
    expect(screen.getByText(shell.backend.info.startup_error!.message)).toBeTruthy();
    expect(screen.getByText(/Check that the folder exists/)).toBeTruthy();
  });
});

describe('who I am, kept by an earlier version in the webview', () => {
  beforeEach(() => {
    window.location.hash = '#/dashboard';
    localStorage.clear();
  });

  it('is moved into the data folder once, so nobody loses their name', async () => {
    shell.backend = createBackend();
    expect(shell.backend.info.user_is_set).toBe(false);
    localStorage.setItem('waymark.who-i-am', 'Jo Patel');
    const { unmount } = render(App);
    await screen.findByRole('heading', { level: 1, name: 'Dashboard' });
    expect(screen.getByRole('link', { name: 'Jo Patel' })).toBeTruthy();
    expect(shell.backend.calls.filter((c) => c.command === 'set_author').map((c) => c.args)).toEqual([{ name: 'Jo Patel' }]);
    expect(localStorage.getItem('waymark.who-i-am')).toBeNull();
    unmount();

    // The next start reads the name from the data folder and sends nothing.
    render(App);
    await screen.findByRole('heading', { level: 1, name: 'Dashboard' });
    expect(screen.getByRole('link', { name: 'Jo Patel' })).toBeTruthy();
    expect(shell.backend.calls.filter((c) => c.command === 'set_author')).toHaveLength(1);
  });

  it('never overwrites a name the data folder already has', async () => {
    shell.backend = createBackend();
    shell.backend.info = testQuality.authors!.find((a) => a.name === 'Sam Lee')!.app_info;
    localStorage.setItem('waymark.who-i-am', 'Jo Patel');
    render(App);
    await screen.findByRole('heading', { level: 1, name: 'Dashboard' });
    expect(screen.getByRole('link', { name: 'Sam Lee' })).toBeTruthy();
    expect(shell.backend.calls.some((c) => c.command === 'set_author')).toBe(false);
    expect(localStorage.getItem('waymark.who-i-am')).toBeNull();
  });
});
