import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import App from '../App.svelte';
import { flushAll } from '../lib/pending';
import { framework } from '../test/fixtures';
import { createBackend, type FakeBackend } from '../test/fakeBackend';

const shell = vi.hoisted(() => ({ backend: null as FakeBackend | null }));
vi.mock('@tauri-apps/api/core', () => ({
  invoke: (command: string, args?: Record<string, unknown>) => shell.backend!.invoke(command, args),
}));

async function open(id: string, backend: FakeBackend) {
  shell.backend = backend;
  window.location.hash = `#/benchmarks/${id}`;
  render(App);
  const page = await screen.findByTestId('benchmark-page');
  const box = screen.getByLabelText('Commentary') as HTMLTextAreaElement;
  await waitFor(() => expect(box.disabled).toBe(false));
  return { page, box };
}

function stored(b: FakeBackend, id: string, over: Partial<Parameters<FakeBackend['responses']['set']>[1]> = {}) {
  b.responses.set(id, {
    benchmark_id: id,
    level: 1,
    commentary: 'First draft.',
    needs_confirmation: false,
    carried_note: null,
    revision: 1,
    updated_by: 'sam',
    updated_at: '2026-03-01T10:00:00.000Z',
    ...over,
  });
}

describe('benchmark page', () => {
  it('autosaves after a pause in typing, and the pending save is flushed before closing', async () => {
    const backend = createBackend();
    const { box } = await open('1.2', backend);
    await fireEvent.input(box, { target: { value: 'Termly monitoring.' } });
    expect(screen.getByTestId('save-status').textContent).toBe('Unsaved changes');
    // What the window's close handler does: every pending save completes first.
    await expect(flushAll()).resolves.toBe(true);
    expect(screen.getByTestId('save-status').textContent).toBe('Saved');
    expect(backend.responses.get('1.2')?.commentary).toBe('Termly monitoring.');

    await fireEvent.input(box, { target: { value: 'Termly monitoring, written up.' } });
    await waitFor(() => expect(screen.getByTestId('save-status').textContent).toBe('Saved'), { timeout: 2000 });
    expect(backend.responses.get('1.2')?.revision).toBe(2);
  });

  it('on a conflict shows both versions and keeps the one the lead chooses', async () => {
    const backend = createBackend();
    stored(backend, '1.1');
    const { box } = await open('1.1', backend);
    expect(box.value).toBe('First draft.');
    // A colleague saves in the meantime.
    stored(backend, '1.1', { commentary: 'Alex’s version.', revision: 2, updated_by: 'Alex' });
    await fireEvent.input(box, { target: { value: 'My version.' } });
    await fireEvent.blur(box);
    const conflict = await screen.findByRole('heading', { name: 'Two versions of this answer' });
    const section = conflict.closest('section')!;
    await within(section).findByText('Alex’s version.');
    expect(within(section).getByText('My version.')).toBeTruthy();
    expect(screen.getByTestId('save-status').textContent).toMatch(/^Not saved/);

    await fireEvent.click(within(section).getByRole('button', { name: 'Keep my version' }));
    await waitFor(() => expect(screen.getByTestId('save-status').textContent).toBe('Saved'));
    expect(backend.responses.get('1.1')).toMatchObject({ commentary: 'My version.', revision: 3 });
    const last = backend.calls.filter((c) => c.command === 'save_response').at(-1);
    expect(last?.args).toMatchObject({ input: { base_revision: 2 } });
  });

  it('can take the saved version instead', async () => {
    const backend = createBackend();
    stored(backend, '2.1');
    const { box } = await open('2.1', backend);
    stored(backend, '2.1', { commentary: 'Theirs.', level: 3, revision: 2, updated_by: 'Alex' });
    await fireEvent.input(box, { target: { value: 'Mine.' } });
    await fireEvent.blur(box);
    await screen.findByText('Theirs.');
    await fireEvent.click(screen.getByRole('button', { name: 'Use the saved version' }));
    await waitFor(() => expect(box.value).toBe('Theirs.'));
    expect((screen.getByRole('radio', { name: /Level 3/ }) as HTMLInputElement).checked).toBe(true);
    expect(screen.getByTestId('save-status').textContent).toBe('Saved');
    expect(backend.responses.get('2.1')?.revision).toBe(2);
  });

  it('shows a save error beside the editor and keeps the text', async () => {
    const backend = createBackend();
    const { box } = await open('1.1', backend);
    backend.failNext.set('save_response', { code: 'invalid_input', message: 'The commentary is too long.', field: 'commentary' });
    await fireEvent.input(box, { target: { value: 'Very long text' } });
    await fireEvent.blur(box);
    await waitFor(() => expect(screen.getByTestId('save-status').textContent).toBe('Not saved: The commentary is too long.'));
    expect(box.getAttribute('aria-invalid')).toBe('true');
    expect(box.value).toBe('Very long text');
    await fireEvent.click(screen.getByRole('button', { name: 'Try again' }));
    await waitFor(() => expect(screen.getByTestId('save-status').textContent).toBe('Saved'));
  });

  it('shows a carried answer’s note and confirms it', async () => {
    const backend = createBackend();
    stored(backend, '1.2', { needs_confirmation: true, carried_note: 'renamed from 6.3 in version 1.0' });
    await open('1.2', backend);
    expect(screen.getByText(/Renamed from 6\.3 in version 1\.0\./)).toBeTruthy();
    await fireEvent.click(screen.getByRole('button', { name: 'Confirm' }));
    await waitFor(() => expect(screen.queryByRole('button', { name: 'Confirm' })).toBeNull());
    expect(backend.calls.find((c) => c.command === 'confirm_response')?.args).toEqual({ benchmark_id: '1.2', by: 'sam' });
  });

  it('goes to the next and previous benchmark with the buttons and Alt+arrows', async () => {
    const backend = createBackend();
    await open('1.2', backend);
    await fireEvent.keyDown(window, { key: 'ArrowRight', altKey: true });
    await screen.findByRole('heading', { level: 1, name: '2.1 Coverage' });
    await waitFor(() => expect((screen.getByRole('button', { name: /Previous/ }) as HTMLButtonElement).disabled).toBe(false));
    expect((screen.getByRole('button', { name: /Next/ }) as HTMLButtonElement).disabled).toBe(true);
    await fireEvent.click(screen.getByRole('button', { name: /Previous/ }));
    await screen.findByRole('heading', { level: 1, name: '1.2 Monitoring' });
    await waitFor(() => expect((screen.getByRole('button', { name: /Previous/ }) as HTMLButtonElement).disabled).toBe(false));
    await fireEvent.keyDown(window, { key: 'ArrowLeft', altKey: true });
    await screen.findByRole('heading', { level: 1, name: '1.1 Vision' });
  });

  it('offers commentary only in a framework without levels', async () => {
    const backend = createBackend({ framework: { ...framework, scale: null, progress: null } });
    backend.info = { ...backend.info };
    await open('1.1', backend);
    expect(screen.queryAllByRole('radio')).toHaveLength(0);
    expect(screen.getByLabelText('Commentary')).toBeTruthy();
  });
});
