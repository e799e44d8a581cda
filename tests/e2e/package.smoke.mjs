// The installed package, not the build tree: scripts/package-test.sh unpacks the .deb that
// `tauri bundle` made into a temporary root and points WAYMARK_APP at its usr/bin/waymark-app.
// The packaged app must start on a fresh data folder and show its first screen. (Named
// .smoke.mjs so the ordinary e2e run, which takes *.test.mjs, leaves it out.)

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { APP, newDataDir, withApp } from './lib/app.mjs';
import * as wm from './lib/waymark.mjs';

test('the packaged app starts and shows its first screen', { timeout: 3 * 60_000 }, async (t) => {
  assert.match(APP, /\/usr\/bin\/waymark-app$/, `WAYMARK_APP should be the unpacked package's binary, not ${APP}`);
  const dir = newDataDir(t);
  await withApp(dir, 'packaged', async (app) => {
    await wm.waitForFirstRun(app, 'computing-quality');
    await app.find('heading', 'Start your self-review');
    await app.screenshot('packaged-first-run');
  });
});
