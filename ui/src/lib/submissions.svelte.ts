// The school's submissions as every screen shares them: the shell's Overview (the connection to
// the awarding body, each submission and its timeline, what each mark's card offers, the
// assessor's requests, renewal) and the background delivery. The shell announces changes
// ("submissions-changed": re-read the overview; "delivery-changed": the delivery itself), and
// keeps both while the window is closed, so reopening it shows the same progress. The UI
// decides nothing here: stage, offer, renewal state and time left are the shell's.

import { api, inDesktopShell, toCommandError } from './api';
import type {
  Application,
  CommandError,
  Delivery,
  Overview,
  RenewalReport,
  RequestedBenchmark,
} from './bindings';
import { evidence } from './evidence.svelte';
import { session } from './session.svelte';

class Submissions {
  /** null until first read. */
  overview = $state.raw<Overview | null>(null);
  /** The background delivery: the overview's, then each "delivery-changed" as it comes. */
  delivery = $state.raw<Delivery | null>(null);
  /** Reading what is stored failed. */
  loadError = $state.raw<CommandError | null>(null);
  /** Asking the awarding body failed (what is stored is still shown). */
  refreshError = $state.raw<CommandError | null>(null);
  refreshing = $state(false);
  /** What starting the renewal did, for the comparison screen. */
  renewalStarted = $state.raw<RenewalReport | null>(null);
  private listening = false;
  /** Overview reads started and the newest one taken, so an older answer never wins. */
  private reads = 0;
  private taken = 0;
  /** Delivery updates seen, so an overview read before one does not undo it. */
  private deliveryUpdates = 0;

  /** What the card of a mark the awarding body issues offers (none before the first read). */
  application(award: string): Application | undefined {
    return this.overview?.applications.find((a) => a.award === award);
  }

  /** The assessor's requests about one benchmark of the current review. */
  requestsFor(benchmarkId: string): RequestedBenchmark[] {
    return this.overview?.requests.filter((r) => r.benchmark_id === benchmarkId) ?? [];
  }

  /** The benchmarks the assessor asked more evidence for. */
  get requested(): Set<string> {
    return new Set(this.overview?.requests.map((r) => r.benchmark_id) ?? []);
  }

  /** Re-reads what is stored (no network). */
  async load(): Promise<void> {
    const read = this.startRead();
    try {
      this.take(await api.overview(), read);
      this.loadError = null;
    } catch (e) {
      this.loadError = toCommandError(e);
    }
  }

  /** Asks the awarding body for news now; on failure what is stored stays on screen. */
  async refresh(): Promise<void> {
    if (this.refreshing) return;
    this.refreshing = true;
    const read = this.startRead();
    try {
      this.take(await api.refreshSubmissions(), read);
      this.refreshError = null;
      this.loadError = null;
    } catch (e) {
      this.refreshError = toCommandError(e);
    } finally {
      this.refreshing = false;
    }
  }

  /** The delivery as the shell reports it now. */
  deliveryChanged(delivery: Delivery): void {
    this.deliveryUpdates += 1;
    this.delivery = delivery;
  }

  /** "Try now": delivers what is queued at once, whatever the wait said. */
  async sendNow(): Promise<void> {
    this.deliveryChanged(await api.sendNow());
  }

  /** Starts the renewal of the awarded mark (recorded as made by whoever is named here), then
   * reads the new current review: its status, framework, answers and evidence. */
  async startRenewal(): Promise<RenewalReport> {
    const report = await api.startRenewal(session.me);
    this.renewalStarted = report;
    await Promise.all([session.reload(), evidence.refresh(), this.load()]);
    return report;
  }

  /** Follows the shell's announcements (once; only inside the desktop shell). */
  async listen(): Promise<void> {
    if (this.listening || !inDesktopShell()) return;
    this.listening = true;
    const { listen } = await import('@tauri-apps/api/event');
    await Promise.all([
      listen('submissions-changed', () => void this.load()),
      listen<Delivery>('delivery-changed', (event) => this.deliveryChanged(event.payload)),
    ]);
  }

  private startRead(): { n: number; deliveryUpdates: number } {
    this.reads += 1;
    return { n: this.reads, deliveryUpdates: this.deliveryUpdates };
  }

  private take(overview: Overview, read: { n: number; deliveryUpdates: number }): void {
    if (read.n < this.taken) return;
    this.taken = read.n;
    this.overview = overview;
    if (read.deliveryUpdates === this.deliveryUpdates) this.delivery = overview.delivery;
  }
}

export const submissions = new Submissions();
