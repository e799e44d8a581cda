// What every screen shares: app info, the review's status and framework, the responses, and
// who is making changes. Screens read it; the refresh functions re-read from the shell after a
// change, so progress and awards always come from the core's own rules. Who is making changes
// is kept by the core in the data folder (app_info.user, set_author), never in the webview.

import { api, toCommandError } from './api';
import type {
  AppInfo,
  CommandError,
  FrameworkDef,
  Response,
  Review,
  ReviewFramework,
  Status,
} from './bindings';
import { moveOldIdentity } from './identity';
import { joinAnd } from './text';

/** The webview's storage, only to move a name an earlier version kept there. */
function storage(): Storage | undefined {
  try {
    return window.localStorage;
  } catch {
    return undefined;
  }
}

class Session {
  /** null until loaded. */
  info = $state.raw<AppInfo | null>(null);
  /** Loading failed (other than the data folder, which info.startup_error reports). */
  loadError = $state.raw<CommandError | null>(null);
  /** Whether the first load has finished. */
  ready = $state(false);
  /** null before registration. */
  status = $state.raw<Status | null>(null);
  review = $state.raw<Review | null>(null);
  /** The framework with the core's benchmark order and levels by maturity. */
  reviewFramework = $state.raw<ReviewFramework | null>(null);
  framework = $state.raw<FrameworkDef | null>(null);
  responses = $state.raw<Record<string, Response>>({});
  /** The name recorded in history for changes made here. */
  me = $state('');
  /** Shown once on the dashboard after registering. */
  welcome = $state<string | null>(null);

  async start(): Promise<void> {
    this.ready = false;
    this.loadError = null;
    try {
      const info = await api.appInfo();
      this.info = info;
      this.me = info.user;
      if (!info.startup_error) {
        if ((await moveOldIdentity(storage(), info.user_is_set, (name) => api.setAuthor(name))) !== null) {
          await this.reloadInfo();
        }
        this.status = await api.currentStatus();
        if (this.status) await this.loadReview();
      }
    } catch (e) {
      this.loadError = toCommandError(e);
    } finally {
      this.ready = true;
    }
  }

  async loadReview(): Promise<void> {
    const [rf, responses] = await Promise.all([api.reviewFramework(), api.listResponses()]);
    this.review = rf.review;
    this.reviewFramework = rf;
    this.framework = rf.framework;
    this.responses = Object.fromEntries(responses.map((r) => [r.benchmark_id, r]));
  }

  /** After registering: the new status, then the framework and (no) responses. */
  async registered(status: Status): Promise<void> {
    this.status = status;
    const available = status.progress.awards.filter((a) => a.eligible).map((a) => a.title);
    this.welcome = available.length
      ? `You are registered for the ${status.framework_title}. Your ${joinAnd(available)} ${available.length === 1 ? 'is' : 'are'} available.`
      : `You are registered for the ${status.framework_title}.`;
    try {
      await this.loadReview();
    } catch (e) {
      this.loadError = toCommandError(e);
    }
  }

  /** After the current review changed (a renewal started): its status, framework and answers. */
  async reload(): Promise<void> {
    try {
      this.status = await api.currentStatus();
      if (this.status) await this.loadReview();
    } catch (e) {
      this.loadError = toCommandError(e);
    }
  }

  async refreshStatus(): Promise<void> {
    try {
      this.status = await api.currentStatus();
    } catch (e) {
      this.loadError = toCommandError(e);
    }
  }

  /** Records a saved response and refreshes progress. */
  responseSaved(response: Response): void {
    this.responses = { ...this.responses, [response.benchmark_id]: response };
    void this.refreshStatus();
  }

  async refreshResponses(): Promise<void> {
    const responses = await api.listResponses();
    this.responses = Object.fromEntries(responses.map((r) => [r.benchmark_id, r]));
  }

  /** Sets who is making changes here (a blank name goes back to the login name). */
  async setMe(name: string): Promise<void> {
    await api.setAuthor(name);
    await this.reloadInfo();
  }

  private async reloadInfo(): Promise<void> {
    const info = await api.appInfo();
    this.info = info;
    this.me = info.user;
  }
}

export const session = new Session();
