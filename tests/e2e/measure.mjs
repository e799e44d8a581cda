// Measurements of the real app under the e2e harness (run by `scripts/e2e.sh measure`; not
// part of the tests). Each run launches the app on a fresh data folder holding a generated
// 500-benchmark framework (frameworks/bench.toml, id "bench") and measures:
//
//   start → first run     session request until the first-run screen is interactive
//                         (framework cards and an enabled "Register" button)
//   memory                RSS (and PSS) of the app + its WebKit child processes, from /proc,
//                         after registering on the 500-benchmark framework
//   save_response         round trip of invoke('save_response') timed inside the page (mean of 20)
//   autosave (UI)         typing one character → save-status "Saved", minus the 500 ms debounce
//                         (timed inside the page with a MutationObserver)
//   restart → dashboard   session request until the dashboard is interactive, same data folder
//
// Usage: node measure.mjs [--runs N]   (MEASURE_RUNS also sets N; default 5)

import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { appPids, launch, newDataDir } from './lib/app.mjs';
import * as wm from './lib/waymark.mjs';

const argRuns = process.argv.indexOf('--runs');
const RUNS = Number(argRuns > 0 ? process.argv[argRuns + 1] : (process.env.MEASURE_RUNS ?? 5));
const BENCHMARKS = 500;
const SAVES = 20;
const DEBOUNCE_MS = 500; // ui/src/lib/autosave.ts default delay

/** A valid framework with 50 dimensions × 10 benchmarks (as crates/core/benches/progress.rs). */
export function generatedFramework(benchmarks = BENCHMARKS) {
  const words = 'The school plans, teaches and reviews this aspect with care and evidence of impact. ';
  const out = [
    'format = 1',
    'id = "bench"',
    'version = "1.0"',
    'title = "Generated benchmark framework"',
    'awarding_body = "Bench"',
    'summary = "500 generated benchmarks, for measuring the app."',
    '[scale]',
    'direction = "ascending"',
    'levels = [{ value = 1, name = "Getting started" }, { value = 2, name = "Developing" }, { value = 3, name = "Established" }, { value = 4, name = "Exemplary" }]',
  ];
  for (let d = 0; d < benchmarks / 10; d += 1) {
    out.push('[[dimensions]]', `id = "${d}"`, `title = "Dimension ${d}"`);
    for (let b = 0; b < 10; b += 1) {
      const id = `${d}.${b}`;
      out.push('[[dimensions.benchmarks]]', `id = "${id}"`, `title = "Benchmark ${id}"`, `guidance = "${words.repeat(3)}"`);
      for (let level = 1; level <= 4; level += 1) {
        out.push('[[dimensions.benchmarks.levels]]', `value = ${level}`, `descriptor = "${words.repeat(2)}"`);
        if (level < 4) out.push(`next_steps = "${words}"`);
      }
      out.push(
        '[[dimensions.benchmarks.evidence]]', `id = "${id}-a"`, 'title = "Policy"',
        '[[dimensions.benchmarks.evidence]]', `id = "${id}-b"`, 'title = "Observation"', 'from_level = 4',
      );
    }
  }
  out.push(
    '[[awards]]', 'id = "commitment"', 'title = "Commitment"', 'kind = "certificate"', 'issuer = "self"', 'requires = { registration = true }',
    '[[awards]]', 'id = "progress"', 'title = "Progress"', 'kind = "certificate"', 'issuer = "self"', 'requires = { progress_percent = 50 }',
    '[[awards]]', 'id = "mark"', 'title = "Mark"', 'kind = "mark"', 'issuer = "awarding_body"', 'requires = { minimum_level = 4, required_evidence_percent = 100 }',
  );
  return `${out.join('\n')}\n`;
}

/** The process and all its descendants. */
function processTree(root) {
  const children = new Map();
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (!children.has(ppid)) children.set(ppid, []);
      children.get(ppid).push(Number(p));
    } catch {
      // gone
    }
  }
  const out = [];
  const walk = (pid) => {
    out.push(pid);
    for (const c of children.get(pid) ?? []) walk(c);
  };
  walk(root);
  return out;
}

/** {rss, pss} in MiB summed over the app's process tree, and the processes counted. */
function memoryOf(dataDir) {
  const [root] = appPids(dataDir);
  if (!root) throw new Error('the app process was not found');
  let rss = 0;
  let pss = 0;
  const names = [];
  for (const pid of processTree(root)) {
    try {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      rss += Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
      names.push(/Name:\s+(\S+)/.exec(status)?.[1]);
      const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
      pss += Number(/^Pss:\s+(\d+)/m.exec(rollup)?.[1] ?? 0);
    } catch {
      // gone, or not readable
    }
  }
  return { rss: rss / 1024, pss: pss / 1024, names };
}

/** Polls (as fast as WebDriver answers) until `cond` holds; returns ms since `from`. */
async function msUntil(app, from, cond, what, timeout = 30_000) {
  const end = performance.now() + timeout;
  while (!(await cond())) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}\n${await app.inventory()}`);
  }
  return performance.now() - from;
}

const firstRunReady = (app) => async () =>
  app.browser.execute(() => {
    const card = document.querySelector('[data-testid^="framework-"]');
    const register = [...document.querySelectorAll('button')].find((b) => b.textContent.trim() === 'Register');
    return !!card && !!register && !register.disabled;
  });

const dashboardReady = (app) => async () =>
  app.browser.execute(() => {
    const h = [...document.querySelectorAll('h1')].some((e) => e.textContent.trim() === 'Dashboard');
    return h && !!document.querySelector('[data-testid="award-progress"]');
  });

/** Times `SAVES` sequential save_response round trips inside the page; returns the mean in ms. */
async function saveRoundTrip(app, benchmarkId) {
  const times = await app.browser.executeAsync(
    (id, n, done) => {
      const T = window.__TAURI_INTERNALS__;
      (async () => {
        // WebKit rounds performance.now() to whole milliseconds: time the batch, report the mean.
        let base = null;
        const t0 = performance.now();
        for (let i = 0; i < n; i += 1) {
          const r = await T.invoke('save_response', {
            input: { benchmark_id: id, level: (i % 4) + 1, commentary: `Measured save ${i}`, base_revision: base, by: 'measure' },
          });
          base = r.revision;
        }
        return (performance.now() - t0) / n;
      })().then(done, (e) => done({ error: JSON.stringify(e) }));
    },
    benchmarkId,
    SAVES,
  );
  if (times.error) throw new Error(`save_response failed: ${times.error}`);
  return times;
}

/** Types one character into Commentary; ms from the input event to "Saved", minus the debounce. */
async function uiAutosave(app) {
  await app.browser.execute(() => {
    const status = document.querySelector('[data-testid="save-status"]');
    const box = [...document.querySelectorAll('textarea')].find((t) => t.labels?.[0]?.textContent.trim() === 'Commentary');
    window.__measure = { input: 0, saved: 0 };
    box.addEventListener('input', () => {
      window.__measure.input = performance.now();
      window.__measure.saved = 0;
    });
    new MutationObserver(() => {
      if (status.textContent.trim() === 'Saved' && window.__measure.input && !window.__measure.saved) {
        window.__measure.saved = performance.now();
      }
    }).observe(status, { childList: true, characterData: true, subtree: true });
  });
  const box = await app.find('label', 'Commentary');
  await box.addValue('x');
  await app.until(() => app.browser.execute(() => window.__measure.saved > 0), 'the autosave never showed "Saved"');
  const m = await app.browser.execute(() => window.__measure);
  return m.saved - m.input - DEBOUNCE_MS;
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

async function oneRun(i) {
  const dir = newDataDir();
  try {
    mkdirSync(join(dir, 'frameworks'), { recursive: true });
    writeFileSync(join(dir, 'frameworks', 'bench.toml'), generatedFramework());

    let app = await launch(dir);
    const firstRun = await msUntil(app, app.startedAt, firstRunReady(app), 'the first-run screen');
    await wm.register(app, { frameworkId: 'bench', name: `Measure School ${i}`, email: 'measure@example.org' });
    await msUntil(app, performance.now(), dashboardReady(app), 'the dashboard');
    const list = await wm.benchmarks(app);
    if (list.length !== BENCHMARKS) throw new Error(`bench has ${list.length} benchmarks, expected ${BENCHMARKS}`);
    await new Promise((r) => setTimeout(r, 1000)); // let the dashboard settle before reading memory
    const memDashboard = memoryOf(dir);

    await wm.openBenchmark(app, list[0].title);
    const memBenchmark = memoryOf(dir);
    const save = await saveRoundTrip(app, list[1].id);
    const autosave = await uiAutosave(app);
    await wm.waitSaved(app);
    await app.quit();

    app = await launch(dir);
    const restart = await msUntil(app, app.startedAt, dashboardReady(app), 'the dashboard after a restart');
    await app.quit();
    return { firstRun, restart, rss: memDashboard.rss, pss: memDashboard.pss, rssBenchmark: memBenchmark.rss, processes: memDashboard.names, save, autosave };
  } finally {
    for (const p of appPids(dir)) process.kill(p, 'SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}

const results = [];
for (let i = 1; i <= RUNS; i += 1) {
  const r = await oneRun(i);
  results.push(r);
  console.error(
    `run ${i}/${RUNS}: first run ${r.firstRun.toFixed(0)} ms, restart ${r.restart.toFixed(0)} ms, ` +
      `RSS ${r.rss.toFixed(0)} MiB (PSS ${r.pss.toFixed(0)}), save ${r.save.toFixed(2)} ms, autosave ${r.autosave.toFixed(0)} ms`,
  );
}

const col = (key) => results.map((r) => r[key]);
const row = (label, key, unit, digits = 0) => {
  const xs = col(key);
  return [label, median(xs).toFixed(digits), Math.min(...xs).toFixed(digits), Math.max(...xs).toFixed(digits), unit];
};
const rows = [
  ['measure', 'median', 'min', 'max', 'unit'],
  row('start → first-run screen interactive', 'firstRun', 'ms'),
  row('restart → dashboard interactive (500 benchmarks)', 'restart', 'ms'),
  row('RSS, app + WebKit processes, dashboard (500 benchmarks)', 'rss', 'MiB'),
  row('PSS, same processes (shared pages counted once)', 'pss', 'MiB'),
  row('RSS on a benchmark page (500 benchmarks)', 'rssBenchmark', 'MiB'),
  row(`invoke('save_response') round trip (mean of ${SAVES} in a row)`, 'save', 'ms', 2),
  row(`autosave: typing → "Saved", minus ${DEBOUNCE_MS} ms debounce`, 'autosave', 'ms'),
];
const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => String(r[c]).length)));
const line = (r) => `| ${r.map((v, c) => (c === 0 ? String(v).padEnd(widths[c]) : String(v).padStart(widths[c]))).join(' | ')} |`;
console.log(`\nWaymark measurements: ${RUNS} launches, each on a fresh data folder (${new Date().toISOString().slice(0, 10)})`);
console.log(line(rows[0]));
console.log(`|${widths.map((w, c) => (c === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`);
for (const r of rows.slice(1)) console.log(line(r));
console.log(`processes counted: ${[...new Set(results[0].processes)].join(', ')}`);
