// The assessor mode's side of the tests (tests/e2e/assessor.test.mjs):
//
// - a stand-in for the OS viewer: the app opens an evidence file with tauri-plugin-opener, whose
//   `open_path` on Linux runs the first of `xdg-open`, `gio open`, `gnome-open`, `kde-open6`,
//   `kde-open5`, `kde-open` found on PATH (the `open` crate, src/unix.rs) and stops at the first
//   that exits 0. tauri-driver gives the app no environment of its own, so the app is launched
//   through a small wrapper script that puts a folder with a fake `xdg-open` first on PATH and
//   execs the real binary; the fake records each path it is given and a copy of its bytes;
// - the school's side over the `waymark` CLI: enrol, submit, sync, the submissions list;
// - one flipped byte in a blob the endpoint stores (found by its ciphertext SHA-256, as
//   crates/cli/tests/submission.rs does), and putting it back;
// - finding things inside one part of a screen (a row, a benchmark, a dialog) by label, role and
//   accessible name, as lib/app.mjs does for the whole page; and noticing a hook that is shown
//   only for a moment (the progress of opening a small submission).

import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { APP, WAIT } from './app.mjs';
import * as ep from './endpoint.mjs';

// ---------------------------------------------------------------------------------------------
// The fake OS viewer

/**
 * A folder `dir/bin` with a fake `xdg-open` recording into `dir/opened`, and a launcher
 * `dir/waymark-app` running the app (WAYMARK_APP) with that folder first on PATH. Pass
 * `application` to `launch()`. `opened()` lists what the app asked to open:
 * [{path, copy}] (`copy`: the file's bytes as they were when it was opened).
 */
export function fakeOpener(dir) {
  const bin = join(dir, 'bin');
  const rec = join(dir, 'opened');
  mkdirSync(bin, { recursive: true });
  mkdirSync(rec, { recursive: true });
  for (const p of [bin, rec, APP]) {
    if (p.includes("'")) throw new Error(`a path with a quote cannot go in the fake opener's scripts: ${p}`);
  }
  const opener = join(bin, 'xdg-open');
  writeFileSync(
    opener,
    `#!/bin/sh
# Waymark e2e: stands in for xdg-open. Records the path and a copy of the file, and succeeds.
rec='${rec}'
n=$(ls "$rec" | grep -c '^path-')
n=$((n + 1))
printf '%s' "$1" > "$rec/path-$n"
cp -- "$1" "$rec/copy-$n" 2> "$rec/error-$n" || true
exit 0
`,
  );
  chmodSync(opener, 0o755);
  const application = join(dir, 'waymark-app');
  writeFileSync(
    application,
    `#!/bin/sh
# Waymark e2e: the app with the fake xdg-open first on PATH.
PATH='${bin}':"$PATH"
export PATH
exec '${APP}' "$@"
`,
  );
  chmodSync(application, 0o755);
  return {
    application,
    opened() {
      const out = [];
      for (let n = 1; existsSync(join(rec, `path-${n}`)); n += 1) {
        const copy = join(rec, `copy-${n}`);
        out.push({
          path: readFileSync(join(rec, `path-${n}`), 'utf8'),
          copy: existsSync(copy) ? readFileSync(copy) : null,
          error: existsSync(join(rec, `error-${n}`)) ? readFileSync(join(rec, `error-${n}`), 'utf8') : '',
        });
      }
      return out;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The school, over the `waymark` CLI (as crates/cli/tests/submission.rs drives it)

/** `waymark enroll CODE`; its answer. */
export function enroll(dataDir, code) {
  return ep.waymark(dataDir, ['enroll', code], { json: true });
}

/** `waymark submit --award … --confirm-personal-data …` (queues it); its answer. */
export function submit(dataDir, personalData = []) {
  return ep.waymark(dataDir, ['submit', '--award', ep.AWARD, ...personalData.flatMap((id) => ['--confirm-personal-data', id])], { json: true });
}

/** `waymark sync` (delivers what is queued, reads the status); its answer. */
export function sync(dataDir) {
  return ep.waymark(dataDir, ['sync'], { json: true, timeout: 180_000 });
}

/** Submits and delivers; the delivery (its `server_id` is the endpoint's id). */
export async function submitAndSend(dataDir, personalData) {
  await submit(dataDir, personalData);
  const synced = await sync(dataDir);
  const sent = synced.deliveries?.[0];
  if (sent?.outcome !== 'sent') throw new Error(`waymark sync did not send the submission: ${JSON.stringify(synced)}`);
  return sent;
}

/** `waymark submissions` (--json: the outbox entries, oldest first). */
export function submissions(dataDir, { json = true, id } = {}) {
  return ep.waymark(dataDir, ['submissions', ...(id ? [id] : [])], { json });
}

// ---------------------------------------------------------------------------------------------
// The endpoint's stored blobs

function filesUnder(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const s = statSync(p);
    if (s.isDirectory()) out.push(...filesUnder(p));
    else if (s.isFile()) out.push(p);
  }
  return out;
}

/**
 * The files under `dir` (except those under a folder named in `skip`) holding any of `needles`
 * (strings or Buffers): [{file, needle}] (needle as text, cut short).
 */
export function filesContaining(dir, needles, { skip = [] } = {}) {
  const found = [];
  const walk = (d) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      const s = statSync(p);
      if (s.isDirectory()) {
        if (!skip.includes(name)) walk(p);
      } else if (s.isFile()) {
        const bytes = readFileSync(p);
        for (const n of needles) {
          if (bytes.includes(typeof n === 'string' ? Buffer.from(n) : n)) found.push({ file: p, needle: typeof n === 'string' ? n.slice(0, 60) : `${n.length} bytes of a file` });
        }
      }
    }
  };
  if (existsSync(dir)) walk(dir);
  return found;
}

/** The file in the endpoint's data folder whose SHA-256 is `sha256` (a whole blob), or null. */
export function storedBlob(endpoint, sha256) {
  for (const p of filesUnder(endpoint.data)) {
    if (p.endsWith('.sqlite') || p.includes('.sqlite-')) continue;
    if (createHash('sha256').update(readFileSync(p)).digest('hex') === sha256) return p;
  }
  return null;
}

/**
 * Flips one bit of the byte in the middle of the stored blob `sha256` (an evidence file's
 * ciphertext); returns a function that puts it back.
 */
export function flipByte(endpoint, sha256) {
  const file = storedBlob(endpoint, sha256);
  if (!file) throw new Error(`no file in ${endpoint.data} holds the blob ${sha256} whole`);
  const bytes = readFileSync(file);
  const at = Math.floor(bytes.length / 2);
  bytes[at] ^= 1;
  writeFileSync(file, bytes);
  return {
    file,
    at,
    restore() {
      bytes[at] ^= 1;
      writeFileSync(file, bytes);
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Finding things inside one part of the screen

/**
 * In the page: the first shown element of `kind` named `name` inside the first element matching
 * `root` (a CSS selector of data attributes, e.g. [data-testid="assignment-row"][data-submission="…"]).
 * Kinds: button, label (a field), radio (by its label), testid.
 */
function locateWithin(root, kind, name) {
  const scope = document.querySelector(root);
  if (!scope) return null;
  const norm = (s) => (s ?? '').replace(/\s+/g, ' ').trim();
  const shown = (el) => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden';
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
    return norm(textOf(el));
  };
  const same = (a, b) => a === b || a.replace(/\s*(\*|\((required|optional)\))$/i, '') === b;
  const pick = (sel, test, mustShow = true) => [...scope.querySelectorAll(sel)].find((el) => (!mustShow || shown(el)) && test(el)) ?? null;
  switch (kind) {
    case 'button':
      return pick('button, [role="button"]', (el) => same(accName(el), name));
    case 'label':
      return pick('input, textarea, select, [role="textbox"]', (el) => same(accName(el), name));
    case 'radio':
      return pick('input[type="radio"]', (el) => same(accName(el), name), false);
    case 'testid':
      return pick(`[data-testid="${CSS.escape(name)}"]`, () => true);
    default:
      throw new Error(`unknown kind ${kind}`);
  }
}

/** The names of the buttons inside `root`, for failure messages. */
function buttonsWithin(root) {
  const scope = document.querySelector(root);
  if (!scope) return null;
  return [...scope.querySelectorAll('button')].map((b) => `${b.textContent.replace(/\s+/g, ' ').trim()}${b.disabled ? ' (disabled)' : ''}`);
}

/** A CSS selector for elements with these data attributes: {testid: 'x', submission: 'y'}. */
export function sel(attrs) {
  return Object.entries(attrs)
    .map(([k, v]) => `[data-${k}="${String(v).replace(/["\\]/g, '\\$&')}"]`)
    .join('');
}

/** The element now, or null. */
export async function queryWithin(app, root, kind, name) {
  const ref = await app.browser.execute(locateWithin, root, kind, name);
  return ref ? app.browser.$(ref) : null;
}

/** Waits for `kind` `name` inside `root`; fails naming both and what the screen shows. */
export async function findWithin(app, root, kind, name, { timeout = WAIT } = {}) {
  return app.until(
    () => queryWithin(app, root, kind, name),
    async () => `Not found within ${timeout / 1000} s: ${kind} "${name}" inside ${root} (its buttons: ${JSON.stringify(await app.browser.execute(buttonsWithin, root))})\nOn screen:\n${await app.inventory()}`,
    timeout,
  );
}

export async function clickWithin(app, root, kind, name, opts) {
  const el = await findWithin(app, root, kind, name, opts);
  await el.scrollIntoView({ block: 'center' });
  await el.click();
  return el;
}

/** Types into a field labelled `label` inside `root`. */
export async function typeWithin(app, root, label, text) {
  const el = await findWithin(app, root, 'label', label);
  await el.scrollIntoView({ block: 'center' });
  await el.setValue(text);
  return el;
}

/** The names of the buttons inside `root` (null when `root` is not on screen). */
export function buttonNames(app, root) {
  return app.browser.execute(buttonsWithin, root);
}

// ---------------------------------------------------------------------------------------------
// Hooks shown only for a moment

/**
 * Starts noting which of `testids` are put in the page from now on (a MutationObserver on added
 * nodes: a progress bar shown for a few milliseconds is not missed by polling, and one left from
 * before is not counted). `seen(app)` reads them: {testid: {tag, max, value, label}}.
 */
export async function watchFor(app, testids) {
  await app.browser.execute((ids) => {
    window.__waymarkE2eSeen = {};
    window.__waymarkE2eObserver?.disconnect();
    window.__waymarkE2eObserver = new MutationObserver((records) => {
      for (const r of records) {
        for (const node of r.addedNodes) {
          if (node.nodeType !== Node.ELEMENT_NODE) continue;
          for (const id of ids) {
            const q = `[data-testid="${id}"]`;
            const el = node.matches(q) ? node : node.querySelector(q);
            if (el && !window.__waymarkE2eSeen[id]) {
              window.__waymarkE2eSeen[id] = { tag: el.tagName.toLowerCase(), max: el.getAttribute('max'), value: el.getAttribute('value'), label: el.getAttribute('aria-label') };
            }
          }
        }
      }
    });
    window.__waymarkE2eObserver.observe(document.body, { subtree: true, childList: true });
  }, testids);
}

/** What `watchFor` saw so far (it goes on watching). */
export function seen(app) {
  return app.browser.execute(() => window.__waymarkE2eSeen ?? {});
}
