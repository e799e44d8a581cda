// The sidebar's last line says whose name changes are recorded under, and asks for one when
// the computer gave none (no login name, and none set in the app).
import { render, screen } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import App from '../App.svelte';
import { createBackend, type FakeBackend } from '../test/fakeBackend';
import { startRouter } from '../lib/router.svelte';

const shell = vi.hoisted(() => ({ backend: null as FakeBackend | null }));
vi.mock('@tauri-apps/api/core', () => ({
  invoke: (command: string, args?: Record<string, unknown>) => shell.backend!.invoke(command, args),
}));

async function sidebarWith(user: string) {
  const backend = createBackend();
  backend.info = { ...backend.info, user, user_is_set: false };
  shell.backend = backend;
  window.location.hash = '#/dashboard';
  startRouter()();
  render(App);
  await screen.findByRole('heading', { level: 1, name: 'Dashboard' });
  return screen.getByRole('navigation').closest('aside') ?? document.body;
}

describe('who changes are recorded as', () => {
  it('names the person', async () => {
    const aside = await sidebarWith('sam');
    expect(aside.textContent).toContain('Changes recorded as sam');
  });

  it('asks for a name when there is none, rather than showing an empty link', async () => {
    const aside = await sidebarWith('');
    expect(aside.textContent).toContain('Changes are recorded without a name');
    expect(screen.getByRole('link', { name: 'say who you are' }).getAttribute('href')).toBe('#/group');
  });
});
