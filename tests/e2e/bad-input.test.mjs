// Bad input and abrupt endings: a blank institution name is refused next to the field and
// nothing is saved; text typed just before the app goes away is there after a restart.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newDataDir, withApp } from './lib/app.mjs';
import * as wm from './lib/waymark.mjs';

const FRAMEWORK = 'computing-quality';

/** The error text tied to a field (aria-errormessage / aria-describedby), if shown. */
async function fieldError(app, field) {
  return app.browser.execute((el) => {
    const ids = [el.getAttribute('aria-errormessage'), el.getAttribute('aria-describedby')].filter(Boolean).join(' ');
    const texts = ids
      .split(/\s+/)
      .map((id) => document.getElementById(id))
      .filter((n) => n && n.getClientRects().length > 0)
      .map((n) => n.textContent.replace(/\s+/g, ' ').trim())
      .filter(Boolean);
    return { invalid: el.getAttribute('aria-invalid'), text: texts.join(' | ') };
  }, field);
}

test('registering with a blank institution name shows an error next to the field and saves nothing', { timeout: 5 * 60_000 }, async (t) => {
  const dir = newDataDir(t);
  await withApp(dir, 'blank-name', async (app) => {
    await wm.waitForFirstRun(app, FRAMEWORK);
    await wm.fillRegistration(app, { frameworkId: FRAMEWORK, name: '', email: 'lead@llanfair.example' });
    await app.click('button', 'Register');
    const name = await app.find('label', 'Institution name');
    let seen = { invalid: null, text: '' };
    await app.until(
      async () => {
        seen = await fieldError(app, name);
        return seen.invalid === 'true' && seen.text !== '';
      },
      async () =>
        'no error next to "Institution name" after registering with it blank: expected aria-invalid="true" and a visible ' +
        `message linked by aria-errormessage or aria-describedby; saw aria-invalid=${seen.invalid} message="${seen.text}"\nOn screen:\n${await app.inventory()}`,
    );
    t.diagnostic(`error shown: "${seen.text}"`);
    assert.equal(await app.invoke('current_status'), null, 'nothing is registered');
    assert.ok(await app.exists('button', 'Register'), 'still on the first-run screen');
    await app.quit();
  });
  // Nothing was saved: a restart shows the first-run screen again.
  await withApp(dir, 'blank-name-restart', async (app) => {
    await wm.waitForFirstRun(app, FRAMEWORK);
    assert.equal(await app.invoke('current_status'), null, 'nothing is registered after a restart');
  });
});

/**
 * Registers, opens the first benchmark, picks a level and types commentary, then ends the app
 * with `stop` straight away (no wait for "Saved"); starts it again and checks both are there.
 */
async function typedThenStopped(t, label, stop, note = '') {
  const dir = newDataDir(t);
  const commentary = `Typed just before the app went away (${label}); it must survive.`;
  let first;
  await withApp(dir, `${label}-before`, async (app) => {
    await wm.waitForFirstRun(app, FRAMEWORK);
    await wm.register(app, { frameworkId: FRAMEWORK, name: 'Ysgol Quit Test', email: 'quit@example.org' });
    [first] = await wm.benchmarks(app);
    await wm.openBenchmark(app, first.title);
    await wm.chooseLevel(app, 3);
    await app.type('Commentary', commentary);
    await stop(app);
  });
  await withApp(dir, `${label}-after`, async (app) => {
    const stored = (await app.invoke('list_responses')).find((r) => r.benchmark_id === first.id);
    await wm.openBenchmark(app, first.title);
    const shown = await (await app.find('label', 'Commentary')).getValue();
    const level = await wm.chosenLevel(app);
    assert.equal(shown, commentary, `the commentary after restart (stored: ${JSON.stringify(stored ?? null)})${note}`);
    assert.equal(level, 3, `the level after restart${note}`);
  });
}

// Quitting means closing the window: the UI gets Tauri's close request and awaits the pending
// save. (Deleting the WebDriver session instead SIGKILLs the app; that is a crash, where only
// what the UI already showed as "Saved" is promised — the journey test checks that.)
test('text typed right before closing the window is there after a restart', { timeout: 5 * 60_000 }, (t) =>
  typedThenStopped(t, 'close-request', (app) => app.closeWindow()),
);
