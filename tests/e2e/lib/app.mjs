// The harness: launches the real Waymark app through tauri-driver (started by scripts/e2e.sh)
// and finds things on screen by the hooks agreed with the UI — data-testid, label, role and
// accessible name — never by CSS structure. Every wait is on a condition, never a fixed sleep.
//
// Facts this relies on (checked on WebKitGTK 2.x + tauri-driver 2.x under Xvfb):
// - tauri-driver wants only {"tauri:options": {...}} in alwaysMatch; webdriverio sends exactly
//   that when `capabilities` holds nothing else (no browserName).
// - Deleting a session makes WebKitWebDriver SIGKILL the app: no close-requested event, no
//   flush. `quit()` is therefore a crash-like stop; `closeWindow()` below closes the window the
//   way the title bar's close button does (Tauri's close request), then waits for the app to exit.
// - WebKitWebDriver never answers a screenshot of an empty page; `screenshot()` refuses one.
//   Nor does it answer one until the page paints again: `screenshot()` keeps a 1-px element
//   repainting while it waits (a page where nothing changes hung it for ever).

import { remote } from 'webdriverio';
import { createRequire } from 'node:module';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const APP = process.env.WAYMARK_APP ?? join(ROOT, 'target/debug/waymark-app');
export const SCREENSHOTS = process.env.WAYMARK_SCREENSHOTS ?? join(ROOT, 'test-output/screenshots');
const PORT = Number(process.env.TAURI_DRIVER_PORT ?? 4444);
/** How long a condition may take before a wait fails (ms). */
export const WAIT = Number(process.env.WAYMARK_E2E_WAIT ?? 15000);
const KEEP = process.env.WAYMARK_E2E_KEEP === '1';

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
/** WCAG 2.2 level AA (which includes levels A and 2.1 A/AA). */
export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * A fresh, empty data folder. With a test context, it is removed when the test ends (unless
 * WAYMARK_E2E_KEEP=1, which prints its path instead).
 */
export function newDataDir(t) {
  const dir = mkdtempSync(join(tmpdir(), 'waymark-e2e-'));
  if (t) {
    t.after(() => {
      if (KEEP) t.diagnostic(`data folder kept: ${dir}`);
      else rmSync(dir, { recursive: true, force: true });
    });
  }
  return dir;
}

/** Process ids whose command line has `--data-dir DIR` (the app started on that folder). */
export function appPids(dataDir) {
  const needle = `\0--data-dir\0${dataDir}\0`;
  const pids = [];
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try {
      if (`\0${readFileSync(`/proc/${p}/cmdline`, 'utf8')}`.includes(needle)) pids.push(Number(p));
    } catch {
      // the process ended while we looked
    }
  }
  return pids;
}

async function waitFor(cond, timeout, message) {
  const end = Date.now() + timeout;
  for (;;) {
    const v = await cond();
    if (v) return v;
    if (Date.now() > end) throw new Error(typeof message === 'function' ? await message() : message);
    await sleep(100);
  }
}

/**
 * Launches the app on `dataDir` and returns an App once the page has content.
 * `startedAt` (performance.now() before the session request) is kept for measurements.
 * `application`: a program to start instead of APP (a wrapper that execs it, e.g. with another
 * PATH: tauri-driver gives the app no environment of its own).
 */
export async function launch(dataDir, { args = [], application = APP } = {}) {
  const startedAt = performance.now();
  const browser = await remote({
    hostname: '127.0.0.1',
    port: PORT,
    logLevel: process.env.WDIO_LOG_LEVEL ?? 'warn',
    // A retried POST /session would start a second app; fail instead.
    connectionRetryCount: 0,
    connectionRetryTimeout: 60_000,
    waitforTimeout: WAIT,
    waitforInterval: 100,
    capabilities: {
      'tauri:options': { application, args: ['--data-dir', dataDir, ...args] },
    },
  });
  const app = new App(browser, dataDir, startedAt);
  try {
    await waitFor(
      () => browser.execute(() => document.readyState === 'complete' && !!document.body && document.body.childElementCount > 0),
      WAIT,
      'the app window stayed empty (is ui/dist built and embedded? run `cargo build -p waymark-app` after building the UI)',
    );
  } catch (e) {
    await app.dispose();
    throw e;
  }
  return app;
}

// ---------------------------------------------------------------------------------------------
// In-page helpers. These run inside the webview, so each is self-contained (no closures).

/** Finds the first matching element: {kind, name, value} → element or null. */
function locateInPage(kind, name, value) {
  const norm = (s) => (s ?? '').replace(/\s+/g, ' ').trim();
  const shown = (el) => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden';
  // Text as assistive technology reads it: aria-hidden and hidden parts left out.
  const textOf = (node) => {
    if (node.nodeType === Node.TEXT_NODE) return node.textContent;
    if (node.nodeType !== Node.ELEMENT_NODE) return '';
    if (node.getAttribute('aria-hidden') === 'true' || node.hidden) return '';
    if (['INPUT', 'TEXTAREA', 'SELECT', 'SCRIPT', 'STYLE'].includes(node.tagName)) return '';
    const inner = node.getAttribute('aria-label') ?? [...node.childNodes].map(textOf).join('');
    return getComputedStyle(node).display.startsWith('inline') ? inner : ` ${inner} `;
  };
  const byIds = (ids) => norm(ids.split(/\s+/).map((id) => { const n = document.getElementById(id); return n ? textOf(n) : ''; }).join(' '));
  const accName = (el) => {
    const lb = el.getAttribute('aria-labelledby');
    if (lb) return byIds(lb);
    const al = el.getAttribute('aria-label');
    if (al) return norm(al);
    if (el.labels && el.labels.length) return norm([...el.labels].map(textOf).join(' '));
    if (el.tagName === 'INPUT' && ['submit', 'button'].includes(el.type)) return norm(el.value);
    return norm(textOf(el));
  };
  // "Institution name *" or "Email (optional)" still match "Institution name" / "Email".
  const same = (a, b) => a === b || a.replace(/\s*(\*|\((required|optional)\))$/i, '') === b;
  const pick = (sel, test, mustShow = true) =>
    [...document.querySelectorAll(sel)].find((el) => (!mustShow || shown(el)) && test(el)) ?? null;
  switch (kind) {
    case 'testid':
      return pick(`[data-testid="${CSS.escape(name)}"]`, () => true);
    case 'label':
      return pick('input, textarea, select, [role="textbox"], [role="combobox"], [role="searchbox"]', (el) => same(accName(el), name));
    case 'button':
      return pick('button, [role="button"], input[type="submit"], input[type="button"]', (el) => same(accName(el), name));
    case 'link':
      return pick('a[href], [role="link"]', (el) => same(accName(el), name));
    case 'link-containing':
      return pick('a[href], [role="link"], button', (el) => accName(el).includes(name));
    case 'heading':
      return pick('h1, h2, h3, h4, h5, h6, [role="heading"]', (el) => accName(el).toLowerCase() === name.toLowerCase());
    case 'radio':
      // Custom-styled radios are often visually hidden; they are still the agreed hook.
      return pick(`input[type="radio"][name="${CSS.escape(name)}"][value="${CSS.escape(value)}"]`, () => true, false);
    default:
      throw new Error(`unknown locator kind ${kind}`);
  }
}

/** What is on screen, for failure messages: the hooks a test could have used. */
function inventoryInPage() {
  const norm = (s) => (s ?? '').replace(/\s+/g, ' ').trim();
  const shown = (el) => el.getClientRects().length > 0;
  const all = (sel) => [...document.querySelectorAll(sel)].filter(shown);
  const textOf = (node) => {
    if (node.nodeType === Node.TEXT_NODE) return node.textContent;
    if (node.nodeType !== Node.ELEMENT_NODE) return '';
    if (node.getAttribute('aria-hidden') === 'true' || node.hidden) return '';
    if (['INPUT', 'TEXTAREA', 'SELECT', 'SCRIPT', 'STYLE'].includes(node.tagName)) return '';
    const inner = node.getAttribute('aria-label') ?? [...node.childNodes].map(textOf).join('');
    return getComputedStyle(node).display.startsWith('inline') ? inner : ` ${inner} `;
  };
  const name = (el) =>
    norm(el.getAttribute('aria-label') || (el.labels && [...el.labels].map(textOf).join(' ')) || textOf(el) || el.value).slice(0, 80);
  return {
    route: location.hash,
    headings: all('h1, h2, h3, [role="heading"]').map(name).slice(0, 15),
    buttons: all('button, [role="button"], input[type="submit"]').map(name).slice(0, 30),
    links: all('a[href], [role="link"]').map(name).slice(0, 30),
    fields: all('input, textarea, select').map((el) => `${el.tagName.toLowerCase()}${el.type ? `[${el.type}]` : ''}${el.name ? ` name=${el.name}` : ''} "${name(el)}"`).slice(0, 30),
    testids: [...document.querySelectorAll('[data-testid]')].map((el) => el.getAttribute('data-testid')).slice(0, 40),
    text: norm(document.body?.innerText).slice(0, 400),
  };
}

const DESCRIBE = {
  testid: (n) => `[data-testid="${n}"]`,
  label: (n) => `field labelled "${n}"`,
  button: (n) => `button "${n}"`,
  link: (n) => `link "${n}"`,
  'link-containing': (n) => `link or button whose name contains "${n}"`,
  heading: (n) => `heading "${n}"`,
  radio: (n, v) => `radio input name="${n}" value="${v}"`,
};

/** A running app and the ways to drive it. */
export class App {
  constructor(browser, dataDir, startedAt) {
    this.browser = browser;
    this.dataDir = dataDir;
    this.startedAt = startedAt;
  }

  /** The app's main process id. */
  pid() {
    return appPids(this.dataDir)[0];
  }

  /** A readable summary of the screen, for failure messages. */
  async inventory() {
    try {
      const inv = await this.browser.execute(inventoryInPage);
      return Object.entries(inv)
        .map(([k, v]) => `  ${k}: ${Array.isArray(v) ? JSON.stringify(v) : v}`)
        .join('\n');
    } catch (e) {
      return `  (could not read the screen: ${e.message})`;
    }
  }

  /** The element for a hook now, or null. */
  async query(kind, name, value) {
    const ref = await this.browser.execute(locateInPage, kind, name, value ?? null);
    return ref ? this.browser.$(ref) : null;
  }

  /** Waits for a hook to be on screen and returns its element; fails naming the exact hook. */
  async find(kind, name, { value, timeout = WAIT } = {}) {
    return waitFor(
      () => this.query(kind, name, value),
      timeout,
      async () => `Hook not found within ${timeout / 1000} s: ${DESCRIBE[kind](name, value)}\nOn screen:\n${await this.inventory()}`,
    );
  }

  async exists(kind, name, value) {
    return (await this.query(kind, name, value)) !== null;
  }

  async click(kind, name, opts) {
    const el = await this.find(kind, name, opts);
    await el.click();
    return el;
  }

  /** Clears a labelled field and types `text` into it, as a person would. */
  async type(label, text) {
    const el = await this.find('label', label);
    // WebKitWebDriver refuses to send no keys at all, so a blank value is a clear.
    if (text === '') await el.clearValue();
    else await el.setValue(text);
    return el;
  }

  /** The visible text of a hook (normalised whitespace). */
  async text(kind, name) {
    const el = await this.find(kind, name);
    return (await el.getText()).replace(/\s+/g, ' ').trim();
  }

  /** Waits until the text of a hook satisfies `ok`; fails with the last text seen. */
  async waitForText(kind, name, ok, what, timeout = WAIT) {
    let last = '(not on screen)';
    await waitFor(
      async () => {
        const el = await this.query(kind, name);
        if (!el) return false;
        last = (await el.getText()).replace(/\s+/g, ' ').trim();
        return ok(last);
      },
      timeout,
      async () => `${DESCRIBE[kind](name)} never became ${what} within ${timeout / 1000} s; last text: "${last}"\nOn screen:\n${await this.inventory()}`,
    );
    return last;
  }

  /** Waits for an arbitrary condition. */
  async until(cond, message, timeout = WAIT) {
    return waitFor(cond, timeout, message);
  }

  /** Calls one of the app's Tauri commands from the page (used to check what was stored). */
  async invoke(cmd, args = {}, { channel } = {}) {
    const r = await this.browser.executeAsync(
      (cmd, args, channel, done) => {
        const internals = window.__TAURI_INTERNALS__;
        if (channel) {
          // A progress channel, made the way @tauri-apps/api's Channel serialises itself:
          // a callback registered with the IPC layer, sent as "__CHANNEL__:<id>".
          const id = internals.transformCallback(() => {});
          args = { ...args, [channel]: `__CHANNEL__:${id}` };
        }
        internals.invoke(cmd, args).then(
          (v) => done({ ok: v === undefined ? null : v }),
          (e) => done({ err: e }),
        );
      },
      cmd,
      args,
      channel ?? null,
    );
    if (r && 'err' in r) throw new Error(`invoke ${cmd} failed: ${JSON.stringify(r.err)}`);
    return r.ok;
  }

  /** Saves a screenshot as test-output/screenshots/NAME.png and returns its path. */
  async screenshot(name) {
    mkdirSync(SCREENSHOTS, { recursive: true });
    const empty = await this.browser.execute(() => !document.body || document.body.getClientRects().length === 0 || document.body.scrollHeight === 0);
    if (empty) throw new Error(`not taking screenshot ${name}: the page is empty (WebKitWebDriver would hang)`);
    const file = join(SCREENSHOTS, `${name}.png`);
    // WebKitWebDriver answers a screenshot only once the page paints again: on a page where
    // nothing changes it waits for ever (and every later screenshot queues behind it). A 1-px,
    // near-transparent element that changes colour every 50 ms keeps it painting meanwhile.
    await this.browser.execute(() => {
      let el = document.getElementById('__waymark_e2e_paint');
      if (!el) {
        el = document.createElement('div');
        el.id = '__waymark_e2e_paint';
        el.setAttribute('aria-hidden', 'true');
        el.style.cssText = 'position:fixed;right:0;bottom:0;width:1px;height:1px;pointer-events:none;z-index:2147483647;opacity:0.01';
        document.body.appendChild(el);
      }
      let n = 0;
      clearInterval(window.__waymarkE2ePaint);
      window.__waymarkE2ePaint = setInterval(() => {
        n += 1;
        el.style.background = n % 2 ? '#000' : '#fff';
      }, 50);
    });
    try {
      writeFileSync(file, Buffer.from(await this.browser.takeScreenshot(), 'base64'));
    } finally {
      await this.browser.execute(() => {
        clearInterval(window.__waymarkE2ePaint);
        document.getElementById('__waymark_e2e_paint')?.remove();
      });
    }
    return file;
  }

  /** Runs axe-core on the whole page; returns its violations. */
  async axe() {
    const injected = await this.browser.execute(() => typeof window.axe === 'object');
    if (!injected) await this.browser.execute(`${AXE_SOURCE}\n;return true;`);
    const r = await this.browser.executeAsync((tags, done) => {
      window.axe
        .run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] })
        .then(
          (res) =>
            done({
              rulesPassed: res.passes.length,
              violations: res.violations.map((v) => ({
                id: v.id,
                impact: v.impact,
                help: v.help,
                helpUrl: v.helpUrl,
                nodes: v.nodes.map((n) => ({ target: n.target.join(' '), html: n.html, summary: n.failureSummary })),
              })),
            }),
          (e) => done({ error: String(e && e.stack ? e.stack : e) }),
        );
    }, AXE_TAGS);
    if (r.error) throw new Error(`axe-core failed to run: ${r.error}`);
    this.lastAxeRulesPassed = r.rulesPassed;
    return r.violations;
  }

  /** Runs axe-core and throws a readable list of violations, if any. */
  async assertAccessible(screen) {
    const violations = await this.axe();
    if (violations.length === 0) return;
    throw new Error(`Accessibility violations on the ${screen} screen (axe-core, ${AXE_TAGS.join(', ')}):\n${formatViolations(violations)}`);
  }

  /**
   * Deletes the WebDriver session. WebKitWebDriver then SIGKILLs the app (no close request
   * reaches the UI), so this is a crash-like stop. Waits until the process is gone.
   */
  async quit() {
    const pids = appPids(this.dataDir);
    await this.browser.deleteSession();
    await this.#waitGone(pids, 'deleting the session');
  }

  /**
   * Closes the window as the title bar's close button does (Tauri's close request, which the
   * UI may intercept to save first), waits for the app to exit, then ends the session.
   */
  async closeWindow() {
    const pids = appPids(this.dataDir);
    await this.browser.execute(() => {
      void window.__TAURI_INTERNALS__.invoke('plugin:window|close', { label: 'main' });
    });
    await this.#waitGone(pids, 'a close request', 20_000);
    try {
      await this.browser.deleteSession();
    } catch {
      // the app is gone; so is the session
    }
  }

  async #waitGone(pids, how, timeout = 10_000) {
    const alive = () => pids.filter((p) => {
      try {
        return !readFileSync(`/proc/${p}/stat`, 'utf8').includes(') Z ');
      } catch {
        return false;
      }
    });
    const end = Date.now() + timeout;
    while (alive().length > 0) {
      if (Date.now() > end) {
        for (const p of alive()) process.kill(p, 'SIGKILL');
        throw new Error(`the app (pid ${pids.join(', ')}) was still running ${timeout / 1000} s after ${how}; killed it`);
      }
      await sleep(50);
    }
  }

  /** Ends the session if the app is still up (for cleanup after a failure). */
  async dispose() {
    try {
      if (this.browser.sessionId && appPids(this.dataDir).length > 0) await this.quit();
    } catch {
      for (const p of appPids(this.dataDir)) {
        try {
          process.kill(p, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }
  }
}

/** axe violations as readable text: one block per rule, one line per element. */
export function formatViolations(violations) {
  return violations
    .map((v) => {
      const nodes = v.nodes
        .map((n) => `    - ${n.target}\n      ${n.html.slice(0, 200)}\n      ${(n.summary ?? '').replace(/\n/g, '\n      ')}`)
        .join('\n');
      return `  [${v.impact}] ${v.id}: ${v.help}\n    ${v.helpUrl}\n${nodes}`;
    })
    .join('\n');
}

/**
 * Runs `body(app)` on an app launched on `dataDir`; on failure saves a screenshot named
 * failure-LABEL.png first; always stops the app.
 */
export async function withApp(dataDir, label, body) {
  const app = await launch(dataDir);
  try {
    return await body(app);
  } catch (e) {
    try {
      if (appPids(dataDir).length > 0) {
        const file = await app.screenshot(`failure-${label}`);
        e.message += `\n(screenshot: ${file})`;
      }
    } catch {
      // no screenshot; the error matters more
    }
    throw e;
  } finally {
    await app.dispose();
  }
}
