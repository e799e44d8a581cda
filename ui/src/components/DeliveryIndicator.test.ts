// The delivery to the awarding body, always in view above every screen: each state the shell
// reports, and the same progress after the window is closed and opened again.
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import App from '../App.svelte';
import { axeViolations } from '../test/axe';
import { createBackend, type FakeBackend } from '../test/fakeBackend';
import { deliveries, underReview } from '../test/submissions';
import type { Delivery } from '../lib/bindings';

const shell = vi.hoisted(() => ({ backend: null as FakeBackend | null }));
vi.mock('@tauri-apps/api/core', () => ({
  invoke: (command: string, args?: Record<string, unknown>) => shell.backend!.invoke(command, args),
}));

/** Opens the app on the dashboard with the shell's delivery in this state. */
async function open(delivery: Delivery, backend = createBackend()) {
  backend.submissions.overview = { ...structuredClone(underReview), delivery };
  shell.backend = backend;
  window.location.hash = '#/dashboard';
  render(App);
  await screen.findByRole('heading', { level: 1, name: 'Dashboard' });
  const indicator = screen.getByTestId('delivery');
  await waitFor(() => expect(indicator.dataset.state).toBe(delivery.state));
  return indicator;
}

describe('the delivery indicator', () => {
  it('says “Paused (Privacy)” while network activity is paused, with the way to resume', async () => {
    const indicator = await open(deliveries.paused);
    expect(indicator.hidden).toBe(false);
    expect(within(indicator).getByTestId('delivery-text').textContent).toContain('Paused (Privacy).');
    expect(within(indicator).getByTestId('delivery-text').textContent).toContain(deliveries.paused.message!);
    expect(within(indicator).getByTestId('delivery-privacy').getAttribute('href')).toBe('#/privacy');
    expect(within(indicator).queryByTestId('delivery-send-now')).toBeNull();
  });

  it('shows nothing when there is nothing to send', async () => {
    const indicator = await open(deliveries.idle);
    expect(indicator.hidden).toBe(true);
    expect(screen.queryByRole('region', { name: 'Sending to the awarding body' })).toBeNull();
  });

  it('shows the progress of sending, and the same progress when the window is opened again', async () => {
    const backend = createBackend();
    const indicator = await open(deliveries.sending, backend);
    expect(indicator.hidden).toBe(false);
    const bar = within(indicator).getByRole('progressbar', { name: 'Sending your application to the awarding body' });
    expect(bar.dataset.testid).toBe('delivery-progress');
    expect(bar.getAttribute('aria-valuenow')).toBe(String(deliveries.sending.bytes_done));
    expect(bar.getAttribute('aria-valuemax')).toBe(String(deliveries.sending.bytes_total));
    expect(bar.getAttribute('aria-valuetext')).toBe('120 MB of 340 MB');
    expect(within(indicator).getByTestId('delivery-text').textContent).toBe(
      'Sending 4 of 12 files · 120 MB of 340 MB · about 3 minutes left',
    );
    expect(await axeViolations()).toEqual([]);

    // Closing the window loses nothing: the shell kept sending, and says where it is.
    cleanup();
    backend.submissions.overview = { ...backend.submissions.overview, delivery: { ...deliveries.sending, files_done: 5, bytes_done: 150 * 1024 * 1024 } };
    render(App);
    const again = await screen.findByTestId('delivery');
    await waitFor(() => expect(within(again).getByTestId('delivery-text').textContent).toMatch(/^Sending 5 of 12 files · 150 MB of 340 MB/));
  });

  it('says quietly that it waits for a network', async () => {
    const indicator = await open(deliveries.offline);
    expect(within(indicator).getByRole('status').textContent?.trim()).toBe(
      'Waiting for a network: your application is saved and will be sent.',
    );
    expect(within(indicator).queryByRole('button')).toBeNull();
    expect(await axeViolations()).toEqual([]);
  });

  it('says why it is waiting and can try again now', async () => {
    const backend = createBackend();
    backend.submissions.sendNow = deliveries.sending;
    const indicator = await open(deliveries.waiting, backend);
    expect(within(indicator).getByTestId('delivery-text').textContent).toContain(deliveries.waiting.message!);
    expect(await axeViolations()).toEqual([]);
    await fireEvent.click(within(indicator).getByTestId('delivery-send-now'));
    await waitFor(() => expect(indicator.dataset.state).toBe('sending'));
    expect(backend.calls.filter((c) => c.command === 'send_now')).toHaveLength(1);
  });

  it('shows why a failed "Try now" failed', async () => {
    const backend = createBackend();
    backend.failNext.set('send_now', { code: 'internal', message: 'The network part of Waymark could not start.', field: null });
    const indicator = await open(deliveries.waiting, backend);
    await fireEvent.click(within(indicator).getByRole('button', { name: 'Try now' }));
    expect((await within(indicator).findByRole('alert')).textContent).toBe('The network part of Waymark could not start.');
  });

  it('links to Settings when this computer must be connected first', async () => {
    const indicator = await open(deliveries.needs_enrollment);
    expect(within(indicator).getByTestId('delivery-text').textContent).toBe(deliveries.needs_enrollment.message);
    const link = within(indicator).getByTestId('delivery-settings');
    expect(link.getAttribute('href')).toBe('#/settings?s=awarding-body');
    expect(await axeViolations()).toEqual([]);
    await fireEvent.click(link);
    window.location.hash = link.getAttribute('href')!;
    await screen.findByRole('heading', { level: 1, name: 'Settings and about' });
    await waitFor(() => expect(document.activeElement?.id).toBe('awarding-body-title'));
  });
});
