// The issue's journey: "a new user registers, answers benchmarks until the progress
// certificate unlocks, adds a future action, quits, starts again and finds everything there".
// Along the way it saves a screenshot of each main screen and runs axe-core on it.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatViolations, launch, newDataDir } from './lib/app.mjs';
import * as wm from './lib/waymark.mjs';

const FRAMEWORK = 'computing-quality'; // 20 benchmarks; Certificate of Progress at 50% = 10
const INSTITUTION = { name: 'Ysgol Gynradd Llanfair (E2E)', email: 'lead@llanfair.example' };
const ANSWERS = Array.from({ length: 10 }, (_, i) => ({
  level: (i % 4) + 1,
  commentary: `E2E commentary ${i + 1}: the working group looked at pupils' work and lesson plans for this benchmark.`,
}));
const ACTION = { text: 'Run a pupil voice survey about computing lessons', owner: 'Computing lead', due: wm.isoDate(90) };
const DONE_ACTION = { text: 'Book the computing lead onto the network meeting', owner: 'Headteacher', due: wm.isoDate(30) };

/**
 * Runs dependent steps as subtests: once one fails, the rest are skipped (naming the step
 * that broke) instead of failing for the same reason.
 */
function stepper(t, app) {
  let broken = null;
  const step = (name, fn) =>
    t.test(name, { skip: broken ? `skipped because "${broken}" failed` : false }, async () => {
      try {
        await fn();
      } catch (e) {
        broken = name;
        try {
          const file = await app.current?.screenshot(`failure-${name.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}`);
          if (file) e.message += `\n(screenshot: ${file})`;
        } catch {
          // no screenshot; the error matters more
        }
        throw e;
      }
    });
  return step;
}

test('a new user registers, answers benchmarks until the progress certificate unlocks, adds a future action, quits, starts again and finds everything there', { timeout: 15 * 60_000 }, async (t) => {
  const dir = newDataDir(t);
  const holder = { current: null };
  const step = stepper(t, holder);
  const a11y = []; // [{screen, violations}]
  let list = []; // the framework's benchmarks [{id, title}]
  let n = 0; // screenshot counter

  /** Screenshot + axe-core for one main screen. */
  const checkScreen = async (slug, screen) => {
    n += 1;
    const file = await holder.current.screenshot(`${String(n).padStart(2, '0')}-${slug}`);
    t.diagnostic(`screenshot: ${file}`);
    const violations = await holder.current.axe();
    t.diagnostic(`axe-core on ${screen}: ${violations.length} rules violated, ${holder.current.lastAxeRulesPassed} passed`);
    a11y.push({ screen, violations });
  };

  t.after(() => holder.current?.dispose());

  await step('the app starts on the first-run screen', async () => {
    holder.current = await launch(dir);
    await wm.waitForFirstRun(holder.current, FRAMEWORK);
    await checkScreen('first-run', 'first-run');
  });

  await step('registering shows the dashboard with the Certificate of Commitment available', async () => {
    const app = holder.current;
    await wm.register(app, { frameworkId: FRAMEWORK, ...INSTITUTION });
    await app.waitForText('testid', 'award-commitment', wm.isEligible, 'eligible');
    const progress = await app.text('testid', 'award-progress');
    assert.ok(!wm.isEligible(progress), `award-progress should not be eligible yet: "${progress}"`);
    await app.find('testid', 'award-quality-mark');
    await checkScreen('dashboard', 'dashboard');
    list = await wm.benchmarks(app);
    assert.equal(list.length, 20, 'computing-quality has 20 benchmarks');
  });

  await step('the Benchmarks screen lists the benchmarks', async () => {
    await wm.openSection(holder.current, 'Benchmarks');
    await checkScreen('benchmarks', 'benchmarks');
  });

  await step('nine benchmarks answered (level and commentary) do not unlock the Certificate of Progress', async () => {
    const app = holder.current;
    await wm.openBenchmark(app, list[0].title);
    for (let i = 0; i < 9; i += 1) {
      if (i > 0) await wm.next(app, list[i].title);
      await wm.answer(app, ANSWERS[i]);
      if (i === 0) await checkScreen('benchmark-page', 'benchmark');
    }
    await wm.openSection(app, 'Dashboard');
    const progress = await app.text('testid', 'award-progress');
    const stored = await wm.awardsFromStore(app);
    assert.equal(stored.progress?.eligible, false, 'the store says progress is not yet eligible after 9 of 20');
    assert.ok(!wm.isEligible(progress), `award-progress should not say eligible after 9 of 20: "${progress}"`);
  });

  await step('the tenth answer unlocks the Certificate of Progress', async () => {
    const app = holder.current;
    await wm.openBenchmark(app, list[9].title);
    await wm.answer(app, ANSWERS[9]);
    await wm.openSection(app, 'Dashboard');
    await app.waitForText('testid', 'award-progress', wm.isEligible, 'eligible');
    await app.waitForText('testid', 'award-commitment', wm.isEligible, 'eligible');
    await checkScreen('dashboard-progress-unlocked', 'dashboard (progress unlocked)');
  });

  await step('future actions are added to the action plan, and one is marked done', async () => {
    const app = holder.current;
    await wm.openSection(app, 'Action plan');
    const { row, dateEntry } = await wm.addAction(app, ACTION);
    if (dateEntry !== 'typed') t.diagnostic(`Due date: ${dateEntry}`);
    assert.ok(row.text.includes(ACTION.owner), `the action row shows its owner: "${row.text}"`);
    const stored = (await app.invoke('list_actions')).find((a) => a.text === ACTION.text);
    assert.ok(stored, 'the action is stored');
    assert.equal(stored.owner, ACTION.owner);
    assert.equal(stored.due_date, ACTION.due);
    assert.equal(stored.status, 'open');

    // A second action, marked done with its row's "Mark done" button.
    const second = await wm.addAction(app, DONE_ACTION);
    await (await second.row.el.$('button=Mark done')).click();
    await app.until(
      async () => (await app.invoke('list_actions')).find((a) => a.text === DONE_ACTION.text)?.status === 'done',
      '"Mark done" did not store the action as done',
    );
    await app.until(
      async () => !(await (await wm.waitForActionRow(app, DONE_ACTION.text)).el.$('button=Mark done').isExisting()),
      'the done action still offers "Mark done"',
    );
    await checkScreen('action-plan', 'action plan');
  });

  await step('the Working group screen shows', async () => {
    await wm.openSection(holder.current, 'Working group');
    await checkScreen('working-group', 'working group');
  });

  await step('the Search screen shows', async () => {
    await wm.openSection(holder.current, 'Search');
    await checkScreen('search', 'search');
  });

  await step('after quitting and starting again, the answers, the certificate and the action are there', async () => {
    await holder.current.quit();
    holder.current = null;
    const app = await launch(dir);
    holder.current = app;
    await app.find('heading', 'Dashboard');
    await app.waitForText('testid', 'award-commitment', wm.isEligible, 'eligible');
    await app.waitForText('testid', 'award-progress', wm.isEligible, 'eligible');

    for (const i of [0, 9]) {
      await wm.openBenchmark(app, list[i].title);
      assert.equal(await wm.chosenLevel(app), ANSWERS[i].level, `level of "${list[i].title}" after restart`);
      const commentary = await app.find('label', 'Commentary');
      assert.equal(await commentary.getValue(), ANSWERS[i].commentary, `commentary of "${list[i].title}" after restart`);
    }
    const stored = await app.invoke('list_responses');
    for (const [i, a] of ANSWERS.entries()) {
      const r = stored.find((s) => s.benchmark_id === list[i].id);
      assert.ok(r, `response to ${list[i].id} is stored`);
      assert.equal(r.level, a.level);
      assert.equal(r.commentary, a.commentary);
    }

    await wm.openSection(app, 'Action plan');
    const row = await wm.waitForActionRow(app, ACTION.text);
    assert.ok(row.text.includes(ACTION.owner), `the action row still shows its owner: "${row.text}"`);
    assert.ok(await row.el.$('button=Mark done').isExisting(), 'the open action can still be marked done');
    const done = await wm.waitForActionRow(app, DONE_ACTION.text);
    assert.ok(!(await done.el.$('button=Mark done').isExisting()), `the done action is still done: "${done.text}"`);
  });

  await t.test('every main screen passes axe-core (WCAG 2.2 AA tags)', { skip: a11y.length === 0 ? 'no screen was reached' : false }, () => {
    const failing = a11y.filter((s) => s.violations.length > 0);
    const report = failing.map((s) => `${s.screen}:\n${formatViolations(s.violations)}`).join('\n\n');
    assert.equal(failing.length, 0, `axe-core found violations on ${failing.length} of ${a11y.length} screens:\n${report}`);
  });
});
