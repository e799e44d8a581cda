// The Privacy screen over the fake shell, replaying the core's answers (fixtures/core/
// privacy.json): one click from the navigation; what is held in words; the switch that pauses
// network activity; an export through the save dialog; the erase dialog, whose button waits for
// the phrase, which keeps focus inside and gives it back, and after which the app starts anew;
// and correcting a working-group member with the core's check.
import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import App from '../App.svelte';
import { coreSays, privacy } from '../test/core';
import { createBackend, type FakeBackend } from '../test/fakeBackend';

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

async function open(hash = '#/privacy', heading: string | RegExp = 'Privacy') {
  const backend = createBackend();
  backend.contributors = structuredClone(privacy.contributors);
  shell.backend = backend;
  window.location.hash = hash;
  render(App);
  await screen.findByRole('heading', { level: 1, name: heading });
  return backend;
}

function errorOf(field: HTMLElement): string | null | undefined {
  const ids = field.getAttribute('aria-describedby')?.split(' ') ?? [];
  return document.getElementById(ids.find((id) => id.endsWith('-error')) ?? '')?.textContent;
}

describe('the Privacy screen', () => {
  it('is one click from the main navigation', async () => {
    await open('#/dashboard', 'Dashboard');
    const link = screen.getByTestId('nav-privacy');
    expect(link.textContent?.trim()).toBe('Privacy');
    window.location.hash = link.getAttribute('href')!;
    await screen.findByRole('heading', { level: 1, name: 'Privacy' });
    expect(link.getAttribute('aria-current')).toBe('page');
  });

  it('says in words what is held, where, and that nothing was sent', async () => {
    await open();
    const held = await screen.findByTestId('privacy-held');
    const line = (kind: string) => held.querySelector(`[data-kind="${kind}"]`)?.textContent;
    expect(line('working_group')).toBe('1 working-group member (name, role, email)');
    expect(line('evidence_files')).toBe('1 evidence file tracked (it stays where it is)');
    expect(line('institution')).toBe('1 institution profile (name, contact, email)');
    expect(line('actions')).toBe('No planned actions');
    expect(within(screen.getByTestId('privacy-folders')).getByText(privacy.overview.tracked_folders[0]!)).toBeTruthy();
    expect(screen.getByTestId('privacy-vault').textContent).toBe('0 frozen copies, 0 bytes');
    expect(screen.getByTestId('privacy-enrolled').textContent).toBe('Not connected to an awarding body: nothing has been sent anywhere.');
    const notice = screen.getByTestId('privacy-notice').textContent ?? '';
    expect(notice).toContain('Evidence files stay where they are.');
    expect(notice).toContain('no telemetry');
  });

  it('pauses and resumes network activity with the switch', async () => {
    const backend = await open();
    const toggle = await screen.findByRole('switch', { name: 'Pause network activity' });
    await waitFor(() => expect((toggle as HTMLButtonElement).disabled).toBe(false));
    expect(toggle.getAttribute('aria-checked')).toBe('false');
    await fireEvent.click(toggle);
    await waitFor(() => expect(toggle.getAttribute('aria-checked')).toBe('true'));
    expect(screen.getByTestId('network-state').textContent).toContain('Paused: nothing is sent');
    await waitFor(() => expect((toggle as HTMLButtonElement).disabled).toBe(false));
    await fireEvent.click(toggle);
    await waitFor(() => expect(toggle.getAttribute('aria-checked')).toBe('false'));
    expect(backend.calls.filter((c) => c.command === 'set_network_restricted').map((c) => c.args)).toEqual([
      { restricted: true },
      { restricted: false },
    ]);
  });

  it('exports everything where the save dialog says', async () => {
    const backend = await open();
    shell.save = async () => privacy.exported.args.path;
    await fireEvent.click(screen.getByTestId('export-data'));
    const done = await screen.findByTestId('export-done');
    expect(done.textContent).toContain(privacy.exported.answer.path);
    expect(done.textContent).toContain(`${privacy.exported.answer.rows} records from ${privacy.exported.answer.tables} tables`);
    expect(backend.calls.find((c) => c.command === 'export_data')?.args).toEqual({ path: privacy.exported.args.path, with_evidence: false });
    await screen.findByTestId('privacy-exports');
  });

  it('erases only once the phrase is typed, in a dialog that keeps and returns focus', async () => {
    const backend = await open();
    const opener = screen.getByTestId('erase-open');
    await fireEvent.click(opener);
    const dialog = await screen.findByRole('dialog', { name: 'Erase everything?' });
    const field = within(dialog).getByLabelText(`Type “${privacy.plan.confirmation}” to confirm`);
    await waitFor(() => expect(document.activeElement).toBe(field));
    for (const path of privacy.plan.paths) expect(within(dialog).getByText(path)).toBeTruthy();
    const erase = within(dialog).getByTestId('erase-confirm') as HTMLButtonElement;
    expect(erase.disabled).toBe(true);
    await fireEvent.input(field, { target: { value: 'erase' } });
    expect(erase.disabled).toBe(true);
    // Enter does not get round the button.
    await fireEvent.submit(field.closest('form')!);
    expect(backend.calls.some((c) => c.command === 'erase_data')).toBe(false);

    // Escape closes it and focus goes back to the button that opened it.
    await fireEvent.keyDown(dialog, { key: 'Escape' });
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    await waitFor(() => expect(document.activeElement).toBe(opener));

    await fireEvent.click(opener);
    const again = await screen.findByRole('dialog', { name: 'Erase everything?' });
    const phrase = within(again).getByLabelText(`Type “${privacy.plan.confirmation}” to confirm`);
    await fireEvent.input(phrase, { target: { value: privacy.plan.confirmation } });
    const button = within(again).getByTestId('erase-confirm') as HTMLButtonElement;
    expect(button.disabled).toBe(false);
    // Tab from the last control wraps to the first one inside the dialog.
    button.focus();
    await fireEvent.keyDown(again, { key: 'Tab' });
    expect(again.contains(document.activeElement)).toBe(true);
    expect(document.activeElement).not.toBe(button);

    await fireEvent.click(button);
    await screen.findByRole('heading', { level: 1, name: 'Start your self-review' });
    expect(backend.calls.find((c) => c.command === 'erase_data')?.args).toEqual({
      confirmation: privacy.plan.confirmation,
      at_endpoint: false,
    });
    const notice = await screen.findByTestId('erased');
    expect(within(notice).getByTestId('erased-here').textContent).toContain(`${privacy.erased.report.files} files`);
  });
});

describe('correcting a working-group member', () => {
  it('edits a member in place with the core’s check, then saves the correction', async () => {
    const backend = await open('#/group', 'Working group');
    await fireEvent.click(await screen.findByRole('button', { name: 'Edit Alex Kim' }));
    const form = screen.getByTestId('edit-member');
    const name = within(form).getByLabelText('Name');
    await waitFor(() => expect(document.activeElement).toBe(name));
    expect((name as HTMLInputElement).value).toBe('Alex Kim');
    await fireEvent.input(within(form).getByLabelText('Role'), { target: { value: 'Headteacher' } });
    const email = within(form).getByLabelText('Email');
    await fireEvent.input(email, { target: { value: 'alex@school' } });
    await fireEvent.click(within(form).getByRole('button', { name: 'Save changes' }));
    await waitFor(() => expect(email.getAttribute('aria-invalid')).toBe('true'));
    expect(errorOf(email)).toBe(coreSays('contributor', (c) => c.email === 'alex@school', 'email'));
    expect(backend.calls.some((c) => c.command === 'update_contributor')).toBe(false);

    await fireEvent.input(email, { target: { value: 'alex@hillside.sch.uk' } });
    await fireEvent.click(within(form).getByRole('button', { name: 'Save changes' }));
    await screen.findByText('Corrected Alex Kim.');
    expect(screen.queryByTestId('edit-member')).toBeNull();
    expect(screen.getByRole('cell', { name: 'Headteacher' })).toBeTruthy();
    expect(backend.calls.find((c) => c.command === 'update_contributor')?.args).toEqual(privacy.corrected.args);
    await waitFor(() => expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Edit Alex Kim' })));
  });
});
