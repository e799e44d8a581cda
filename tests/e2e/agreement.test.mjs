// One review, three front ends, the same numbers. Reviews are prepared with the `waymark`
// command line (as a script or an IT administrator would), then read three ways: the CLI's
// `status --json`, the text of the report PDF it writes (pdftotext -layout), and the real app's
// dashboard on the same data folder. Every number must agree: overall done/total/percent, each
// dimension, the required evidence, and whether each award is available. The core decides them
// all once; this catches a front end that works any of them out again.
//
// Needs the CLI built (cargo build -p waymark-cli; WAYMARK_CLI overrides the path) and
// pdftotext (poppler-utils), besides what scripts/e2e.sh needs.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, newDataDir, withApp } from './lib/app.mjs';
import * as wm from './lib/waymark.mjs';

const CLI = process.env.WAYMARK_CLI ?? join(ROOT, 'target/debug/waymark');
const FRAMEWORK = 'computing-quality';

/** Runs the CLI on a data folder; `--json` answers are parsed. */
function waymark(dataDir, args, { json = false } = {}) {
  const all = ['--data-dir', dataDir, ...args, ...(json ? ['--json'] : [])];
  let out;
  try {
    out = execFileSync(CLI, all, { encoding: 'utf8', env: { ...process.env, WAYMARK_USER: 'E2E lead' }, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    throw new Error(`waymark ${all.join(' ')} failed (${e.status}):\n${e.stderr}`);
  }
  return json ? JSON.parse(out) : out;
}

/** Every benchmark of the framework in order, with its evidence requirements, and the top level. */
function frameworkFacts(t) {
  const def = waymark(newDataDir(t), ['frameworks', 'show', FRAMEWORK], { json: true });
  const benchmarks = def.dimensions.flatMap((d) => [...d.benchmarks, ...d.groups.flatMap((g) => g.benchmarks)]);
  const values = def.scale.levels.map((l) => l.value);
  // Only to choose answers: the most mature level is the highest on an ascending scale.
  const top = def.scale.direction === 'ascending' ? Math.max(...values) : Math.min(...values);
  return { benchmarks, top };
}

/**
 * A data folder registered for the framework, answered and evidenced by `prepare` (whose
 * second argument adds a file as evidence for a requirement). Both folders go with the test.
 */
function review(t, name, prepare) {
  const dir = newDataDir(t);
  const files = newDataDir(t);
  waymark(dir, ['init', '--framework', FRAMEWORK, '--institution', `Agreement school (${name})`]);
  prepare(dir, (requirement) => {
    const file = join(files, `${requirement}.txt`);
    writeFileSync(file, `Evidence for ${requirement}.\n`);
    waymark(dir, ['evidence', 'add', file, '--requirement', requirement]);
  });
  return dir;
}

/** The three views' numbers, in one shape: {overall, evidence, dimensions: {id: r}, awards: {id: bool}}. */
function fromCli(dir) {
  const { progress } = waymark(dir, ['status'], { json: true });
  const ratio = (r) => ({ done: r.done, total: r.total, percent: r.percent });
  return {
    overall: ratio(progress.overall),
    evidence: ratio(progress.evidence),
    dimensions: Object.fromEntries(progress.dimensions.map((d) => [d.id, ratio(d.benchmarks)])),
    awards: Object.fromEntries(progress.awards.map((a) => [a.id, a.eligible])),
    titles: Object.fromEntries(progress.awards.map((a) => [a.id, a.title])),
    dimensionTitles: Object.fromEntries(progress.dimensions.map((d) => [d.id, d.title])),
  };
}

function fromReport(dir, cli) {
  const pdf = join(dir, 'report.pdf');
  waymark(dir, ['report', '--out', pdf]);
  const text = execFileSync('pdftotext', ['-layout', pdf, '-'], { encoding: 'utf8' });
  const lines = text.split('\n').map((l) => l.trim());
  const one = (re, what) => {
    const m = text.match(re);
    assert.ok(m, `the report says ${what}:\n${text.slice(0, 3000)}`);
    return m.slice(1).map(Number);
  };
  // The cover and the summary both state the overall figure.
  const [coverPercent, coverDone, coverTotal] = one(/(\d+)% of benchmarks complete \((\d+) of (\d+)\)/, 'the overall figure on the cover');
  const [done, total, percent] = one(/(\d+) of (\d+) benchmarks are complete \((\d+)%\)/, 'the overall figure in the summary');
  assert.deepEqual([coverDone, coverTotal, coverPercent], [done, total, percent], 'the cover and the summary agree');
  const [evidenceDone, evidenceTotal] = one(/(\d+) of (\d+) required evidence items have evidence/, 'the evidence figure');
  // The summary gives the evidence percentage, except when nothing is required (0 of 0).
  const stated = text.match(/(\d+) of (\d+) required evidence items have evidence \((\d+)%\)\./);
  const evidencePercent = stated ? Number(stated[3]) : null;
  if (!stated) assert.match(text, /No evidence is required at the levels chosen so far\./);
  const dimensions = {};
  for (const [id, title] of Object.entries(cli.dimensionTitles)) {
    const line = lines.find((l) => l.startsWith(`${id} ${title}`) && /\d+% \(\d+ of \d+\)$/.test(l));
    assert.ok(line, `the report's chart has a bar for ${id} ${title}`);
    const [, p, d, t] = line.match(/(\d+)% \((\d+) of (\d+)\)$/).map(Number);
    dimensions[id] = { done: d, total: t, percent: p };
  }
  const awards = {};
  for (const [id, title] of Object.entries(cli.titles)) {
    const line = lines.find((l) => l.startsWith(title) && /(Not yet available|Available)$/.test(l));
    assert.ok(line, `the report lists the award ${title}`);
    awards[id] = !line.endsWith('Not yet available');
  }
  return {
    overall: { done, total, percent },
    evidence: { done: evidenceDone, total: evidenceTotal, percent: evidencePercent },
    dimensions,
    awards,
  };
}

async function fromDashboard(dir, cli, label) {
  return withApp(dir, `agreement-${label}`, async (app) => {
    await app.find('heading', 'Dashboard');
    const overall = await app.text('testid', 'overall-progress');
    const m = overall.match(/^(\d+) of (\d+) benchmarks? done \((\d+)%\)$/);
    assert.ok(m, `the dashboard's overall progress: "${overall}"`);
    const evidence = await app.text('testid', 'evidence-progress');
    const e = evidence.match(/^Required evidence: (\d+) of (\d+) items? \((\d+)%\)$/);
    assert.ok(e, `the dashboard's required evidence: "${evidence}"`);
    const dimensions = {};
    for (const id of Object.keys(cli.dimensions)) {
      const t = await app.text('testid', `dimension-${id}`);
      const d = t.match(/(\d+) of (\d+) \((\d+)%\)$/);
      assert.ok(d, `the dashboard's bar for dimension ${id}: "${t}"`);
      dimensions[id] = { done: Number(d[1]), total: Number(d[2]), percent: Number(d[3]) };
    }
    const awards = {};
    for (const id of Object.keys(cli.awards)) awards[id] = wm.isEligible(await app.text('testid', `award-${id}`));
    await app.screenshot(`agreement-${label}`);
    await app.quit();
    return {
      overall: { done: Number(m[1]), total: Number(m[2]), percent: Number(m[3]) },
      evidence: { done: Number(e[1]), total: Number(e[2]), percent: Number(e[3]) },
      dimensions,
      awards,
    };
  });
}

/** Reads a review three ways and checks every number agrees; returns the CLI's view. */
async function agree(label, dir) {
  const cli = fromCli(dir);
  const report = fromReport(dir, cli);
  const dashboard = await fromDashboard(dir, cli, label);
  const numbers = ({ overall, evidence, dimensions, awards }) => ({ overall, evidence, dimensions, awards });
  const expected = numbers(cli);
  assert.deepEqual(dashboard, expected, `${label}: the dashboard and \`waymark status\` agree`);
  // The report leaves out the evidence percentage only when nothing is required.
  if (report.evidence.percent === null) {
    assert.equal(expected.evidence.total, 0, `${label}: the report leaves out a percentage of something`);
    report.evidence.percent = expected.evidence.percent;
  }
  assert.deepEqual(report, expected, `${label}: the report and \`waymark status\` agree`);
  return cli;
}

test('the CLI, the report and the dashboard give the same numbers for one review', { timeout: 10 * 60_000 }, async (t) => {
  assert.ok(existsSync(CLI), `the waymark CLI is not built (${CLI}); build it with: cargo build -p waymark-cli`);
  const { benchmarks, top } = frameworkFacts(t);
  const required = benchmarks.flatMap((b) => b.evidence.filter((r) => r.required).map((r) => r.id));
  assert.ok(benchmarks.length >= 10 && required.length >= 4, 'the framework has enough to split in half');

  await t.test('empty: registered, nothing answered', async (t) => {
    const cli = await agree('empty', review(t, 'empty', () => {}));
    assert.equal(cli.overall.done, 0);
    assert.equal(cli.awards.commitment, true, 'registering earns the Certificate of Commitment');
  });

  await t.test('half done: half the benchmarks answered, some evidence', async (t) => {
    const half = Math.floor(benchmarks.length / 2);
    const dir = review(t, 'half', (dir, evidence) => {
      benchmarks.slice(0, half).forEach((b, i) => {
        const level = String((i % top) + 1);
        waymark(dir, ['set', b.id, '--level', level, '--commentary', `What we do for ${b.id}.`]);
      });
      // A level without commentary does not count, in any front end.
      waymark(dir, ['set', benchmarks[half].id, '--level', '1']);
      for (const r of required.slice(0, Math.floor(required.length / 2))) evidence(r);
    });
    const cli = await agree('half', dir);
    assert.equal(cli.overall.done, half);
    assert.ok(cli.evidence.done > 0 && cli.evidence.done < cli.evidence.total, `some evidence: ${JSON.stringify(cli.evidence)}`);
  });

  await t.test('complete: every benchmark at the top level, every required item evidenced', async (t) => {
    const dir = review(t, 'complete', (dir, evidence) => {
      for (const b of benchmarks) waymark(dir, ['set', b.id, '--level', String(top), '--commentary', `Exemplary practice in ${b.id}.`]);
      for (const r of required) evidence(r);
    });
    const cli = await agree('complete', dir);
    assert.deepEqual(cli.overall, { done: benchmarks.length, total: benchmarks.length, percent: 100 });
    assert.deepEqual(cli.evidence, { done: required.length, total: required.length, percent: 100 });
    assert.ok(Object.values(cli.awards).every(Boolean), `every award is available: ${JSON.stringify(cli.awards)}`);
  });

  await t.test('nothing required: 0 of 0 evidence is 100% everywhere', async (t) => {
    // A framework without evidence requirements, installed in the data folder as an awarding
    // body's file would be (the UI tests' commentary-only framework).
    const dir = newDataDir(t);
    mkdirSync(join(dir, 'frameworks'), { recursive: true });
    copyFileSync(join(ROOT, 'ui/src/test/fixtures/no-levels.toml'), join(dir, 'frameworks', 'no-levels.toml'));
    waymark(dir, ['init', '--framework', 'no-levels', '--institution', 'Agreement school (nothing required)']);
    const cli = await agree('nothing-required', dir);
    assert.deepEqual(cli.evidence, { done: 0, total: 0, percent: 100 });
  });
});
