// The Privacy screen in the running app: one click from the sidebar, accessible, network
// activity paused (the delivery indicator then says "Paused (Privacy)") and resumed with the
// switch, and an export of everything written where the save dialog said (a tar archive whose
// first entry is the manifest).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newDataDir, withApp } from './lib/app.mjs';
import * as wm from './lib/waymark.mjs';

test('the Privacy screen pauses and resumes network activity and exports everything', { timeout: 5 * 60_000 }, async (t) => {
  const dir = newDataDir(t);
  const out = mkdtempSync(join(tmpdir(), 'waymark-e2e-privacy-'));
  t.after(() => rmSync(out, { recursive: true, force: true }));
  await withApp(dir, 'privacy', async (app) => {
    await wm.register(app, { frameworkId: 'computing-quality', name: 'Ysgol Gynradd Llanfair (E2E)', email: 'lead@llanfair.example' });
    await app.find('heading', 'Dashboard');
    await app.click('testid', 'nav-privacy');
    await app.find('heading', 'Privacy');
    await app.find('testid', 'privacy-held');
    await app.assertAccessible('Privacy');

    const checked = () => app.browser.execute(() => document.querySelector('[data-testid="network-switch"]')?.getAttribute('aria-checked'));
    const indicator = () => app.browser.execute(() => {
      const d = document.querySelector('[data-testid="delivery"]');
      return { state: d?.dataset.state, text: d?.textContent?.replace(/\s+/g, ' ').trim() };
    });
    assert.equal(await checked(), 'false');
    await app.click('testid', 'network-switch');
    await app.until(async () => (await checked()) === 'true', 'the switch never showed network activity paused');
    await app.until(async () => (await indicator()).state === 'paused', 'the delivery indicator never said paused');
    assert.match((await indicator()).text ?? '', /Paused \(Privacy\)/);
    await app.assertAccessible('Privacy, paused');
    await app.click('testid', 'network-switch');
    await app.until(async () => (await checked()) === 'false', 'the switch never showed network activity resumed');
    await app.until(async () => (await indicator()).state === 'idle', 'the delivery indicator stayed paused');

    // What "Export…" does once the save dialog returns a path.
    const report = await app.invoke('export_data', { path: join(out, 'Llanfair export'), with_evidence: false });
    assert.ok(report.path.endsWith('Llanfair export.tar'), report.path);
    assert.ok(report.rows > 0 && report.tables > 0, JSON.stringify(report));
    const listing = execFileSync('tar', ['-tf', report.path], { encoding: 'utf8' }).split('\n');
    assert.equal(listing[0], 'waymark-export/export.json');
    const exports = await app.invoke('privacy_overview');
    assert.deepEqual(exports.exports.map((e) => e.path), [report.path]);
    await app.quit();
  });
});
