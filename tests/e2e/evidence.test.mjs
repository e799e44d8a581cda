// Evidence while the app is open: files are added, then changed, deleted and moved on disk
// by another program; the watched folders bring each change to the screen without the lead
// doing anything, and accepting a changed file makes it OK again. After a restart the
// start-up check finds what changed while the app was closed.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newDataDir, withApp } from './lib/app.mjs';
import * as wm from './lib/waymark.mjs';

const FRAMEWORK = 'computing-quality';
const WATCH_WAIT = 20_000; // watcher debounce + rescan, on a busy 2-core CI machine

/** The evidence items as the screen shows them: title → status. */
async function shownStatuses(app) {
  return app.browser.execute(() =>
    Object.fromEntries(
      [...document.querySelectorAll('[data-testid="evidence-item"]')].map((el) => [
        el.querySelector('.title')?.textContent?.trim(),
        el.dataset.status,
      ]),
    ),
  );
}

async function waitForStatus(app, title, status, why) {
  let last = {};
  await app.until(
    async () => {
      last = await shownStatuses(app);
      return last[title] === status;
    },
    async () => `${title} never showed as "${status}" ${why}; the screen shows ${JSON.stringify(last)}\nOn screen:\n${await app.inventory()}`,
    WATCH_WAIT,
  );
}

test('evidence added, modified, deleted and moved while the app is open shows each change', { timeout: 10 * 60_000 }, async (t) => {
  const dir = newDataDir(t);
  const files = mkdtempSync(join(tmpdir(), 'waymark-e2e-evidence-'));
  t.after(() => rmSync(files, { recursive: true, force: true }));
  mkdirSync(join(files, 'policies'));
  mkdirSync(join(files, 'photos'));
  writeFileSync(join(files, 'policies', 'Computing policy.txt'), 'Our computing policy, agreed by governors.\n');
  writeFileSync(join(files, 'policies', 'Curriculum map.txt'), 'Year 1 to Year 6 computing map.\n');
  writeFileSync(join(files, 'photos', 'Coding club.txt'), 'Stand-in for a photo of coding club.\n');
  writeFileSync(join(files, 'Survey results.txt'), 'Pupil survey: 87% enjoy computing.\n');

  await withApp(dir, 'evidence', async (app) => {
    await wm.register(app, { frameworkId: FRAMEWORK, name: 'Ysgol Evidence (E2E)', email: 'lead@evidence.example' });
    await wm.openSection(app, 'Evidence');
    await app.find('heading', 'Evidence');

    // Add: the folder, as "Add a folder…" does once the OS dialog returns it.
    const report = await app.invoke(
      'add_evidence',
      { input: { paths: [files], links: [], by: 'e2e' } },
      { channel: 'on_progress' },
    );
    assert.equal(report.added.length, 4, `four files added: ${JSON.stringify(report)}`);
    await waitForStatus(app, 'Computing policy.txt', 'ok', 'after adding the folder');
    assert.deepEqual(Object.values(await shownStatuses(app)).sort(), ['ok', 'ok', 'ok', 'ok']);
    await app.screenshot('evidence-added');

    // Modify: another program rewrites a file.
    appendFileSync(join(files, 'policies', 'Computing policy.txt'), 'Reviewed again in November.\n');
    await waitForStatus(app, 'Computing policy.txt', 'modified', 'after another program changed it');

    // Delete.
    rmSync(join(files, 'Survey results.txt'));
    await waitForStatus(app, 'Survey results.txt', 'missing', 'after it was deleted');

    // Move, to a folder that had no tracked file before.
    mkdirSync(join(files, 'archive'));
    renameSync(join(files, 'photos', 'Coding club.txt'), join(files, 'archive', 'Coding club.txt'));
    await waitForStatus(app, 'Coding club.txt', 'moved', 'after it was moved within the evidence folder');
    const moved = (await app.invoke('list_evidence')).library.items.find((i) => i.title === 'Coding club.txt');
    assert.ok(moved.path.endsWith(join('archive', 'Coding club.txt')), `relinked to the new place: ${moved.path}`);
    await app.screenshot('evidence-changes');
    await app.assertAccessible('evidence');

    // Accept the changed policy from the screen: it is OK again, the old version kept.
    const row = await app.browser.$('[data-testid="evidence-item"][data-status="modified"]');
    await (await row.$('button=Accept new version')).click();
    await waitForStatus(app, 'Computing policy.txt', 'ok', 'after accepting the new version');

    // The dashboard counts what needs attention (the missing survey).
    await wm.openSection(app, 'Dashboard');
    await app.waitForText('testid', 'evidence-files', (s) => /4 evidence files; 1 needs attention/.test(s), 'counting 1 needing attention');
    await app.quit();
  });

  // While the app is closed, the survey comes back and the curriculum map changes: the
  // start-up check finds both.
  writeFileSync(join(files, 'Survey results.txt'), 'Pupil survey: 87% enjoy computing.\n');
  appendFileSync(join(files, 'policies', 'Curriculum map.txt'), 'Year 7 added.\n');
  await withApp(dir, 'evidence-restart', async (app) => {
    await app.find('heading', 'Dashboard');
    await wm.openSection(app, 'Evidence');
    await waitForStatus(app, 'Survey results.txt', 'ok', 'after it came back while the app was closed');
    await waitForStatus(app, 'Curriculum map.txt', 'modified', 'after it changed while the app was closed');
    await app.quit();
  });
});
