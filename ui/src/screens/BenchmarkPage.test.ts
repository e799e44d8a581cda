import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import App from '../App.svelte';
import { flushAll } from '../lib/pending';
import { coreSays, testQuality } from '../test/core';
import { createBackend, type FakeBackend } from '../test/fakeBackend';
import { sentence } from '../lib/text';

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
    // An answer to 6.3 in version 0.9, carried to 1.2 by the core's upgrade.
    const carried = testQuality.carried!;
    backend.responses.set('1.2', carried);
    await open('1.2', backend);
    expect(carried.carried_note).toMatch(/6\.3/);
    expect(screen.getByText((text) => text.startsWith(sentence(carried.carried_note!)))).toBeTruthy();
    expect(screen.getByTestId('benchmark-state').textContent).toBe('Carried over: waiting for your confirmation');
    await fireEvent.click(screen.getByRole('button', { name: 'Confirm' }));
    await waitFor(() => expect(screen.queryByRole('button', { name: 'Confirm' })).toBeNull());
    expect(backend.calls.find((c) => c.command === 'confirm_response')?.args).toEqual({ benchmark_id: '1.2', by: 'sam' });
    // Level 1 and commentary: the core counts it once confirmed.
    await waitFor(() => expect(screen.getByTestId('benchmark-state').textContent).toBe('Done'));
  });

  it('says what the core says the benchmark lacks', async () => {
    const backend = createBackend();
    const { box } = await open('1.2', backend);
    expect(screen.getByTestId('benchmark-state').textContent).toBe('No level chosen and no commentary.');
    await fireEvent.input(box, { target: { value: 'Termly monitoring.' } });
    await fireEvent.blur(box);
    await waitFor(() => expect(screen.getByTestId('benchmark-state').textContent).toBe('No level chosen.'));
  });

  it('calls a level the most mature only when the core says it is the top one', async () => {
    const backend = createBackend();
    await open('1.2', backend);
    // Level 2 of 1.2 has no next steps but is not the top of the scale: say nothing of maturity.
    await fireEvent.click(screen.getByRole('radio', { name: /Level 2/ }));
    await waitFor(() => expect(backend.responses.get('1.2')?.level).toBe(2));
    await waitFor(() => expect(backend.calls.filter((c) => c.command === 'current_status').length).toBeGreaterThan(1));
    expect(screen.queryByText(/most mature level/)).toBeNull();
    expect(screen.queryByText('Next steps from this level')).toBeNull();
    await fireEvent.click(screen.getByRole('radio', { name: /Level 3/ }));
    await screen.findByText('This is the most mature level: keep the evidence for it up to date.');
    await fireEvent.click(screen.getByRole('radio', { name: /Level 1/ }));
    await screen.findByText('Plan monitoring.');
    expect(screen.queryByText(/most mature level/)).toBeNull();
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

  it('plans an action from the page once the core finds nothing wrong with it', async () => {
    const backend = createBackend();
    await open('1.2', backend);
    expect(screen.getByText('No actions planned for this benchmark yet.')).toBeTruthy();
    const add = screen.getByRole('button', { name: 'Add action for this benchmark' });
    await fireEvent.click(add);
    const field = screen.getByLabelText('Action');
    await waitFor(() => expect(field.getAttribute('aria-invalid')).toBe('true'));
    const empty = coreSays('action', (a) => a.text === '' && a.benchmarks.includes('1.2'), 'text');
    expect(document.getElementById('quick-action-error')?.textContent).toBe(empty);
    expect(backend.calls.some((c) => c.command === 'add_action')).toBe(false);

    await fireEvent.input(field, { target: { value: 'Plan termly monitoring' } });
    await fireEvent.click(add);
    const item = (await screen.findByText('Plan termly monitoring')).closest('li')!;
    expect(within(item).getByText('Open')).toBeTruthy();
    expect(field.getAttribute('aria-invalid')).toBeNull();
    expect(backend.calls.find((c) => c.command === 'add_action')?.args).toEqual({
      action: { text: 'Plan termly monitoring', owner: null, due_date: null, benchmarks: ['1.2'] },
      by: 'sam',
    });
  });

  it('offers commentary only in a framework without levels', async () => {
    const backend = createBackend({ review: 'no-levels' });
    await open('1.1', backend);
    expect(screen.getByTestId('benchmark-state').textContent).toBe('No commentary.');
    expect(screen.queryAllByRole('radio')).toHaveLength(0);
    expect(screen.getByLabelText('Commentary')).toBeTruthy();
  });
});
