// Applying for a mark from the app, end to end, against a real awarding body's endpoint
// (`waymark-server` on loopback), real assessors (`waymark-assess`) and the OS keychain (a
// private Secret Service: run through scripts/e2e.sh). The school is made eligible for the
// Technology Mark with the `waymark` CLI before the app starts.
//
// 1. The journey: enrol in Settings with a code (the awarding body's name and the
//    key-set fingerprint shown) → Apply from the dashboard (the personal-data item confirmed
//    first) → delivered → received with a signed receipt (viewed, saved, verified offline) →
//    the assessor asks for more evidence on one benchmark → "Check for news" shows it, on the
//    benchmark tree and page too → a file added there → Re-submit sends only that file → the
//    assessor recommends, a moderator confirms → "Awarded" with its expiry → the mark's
//    certificate (PDF with the verification code) → a month before expiry (--today) renewal
//    is open: "Start renewal" makes a pre-filled review, compared level by level.
// 2. The app killed (SIGKILL) mid-upload, behind a throttling proxy, and started again on the
//    same data folder finishes the upload without starting over (from the endpoint's stored
//    offset and the bytes the proxy carried).
//
// Every new screen is screenshotted and checked with axe-core (0 violations).
//
// Needs: cargo build -p waymark-server -p waymark-assess -p waymark-cli (or WAYMARK_SERVER,
// WAYMARK_ASSESS, WAYMARK_CLI), pdftotext (poppler-utils), sqlite3, and scripts/e2e.sh's
// keychain (dbus-run-session + gnome-keyring-daemon).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatViolations, launch, newDataDir } from './lib/app.mjs';
import * as ep from './lib/endpoint.mjs';
import * as wm from './lib/waymark.mjs';

const SCHOOL = 'Ysgol Gynradd Llanfair (E2E)';
const URN = 'urn:schoolid:uk:100001';
/** The benchmark the assessor asks more evidence for. */
const ASKED = 'E3.S1.A2';
const REQUEST = 'Please send this year’s samples of pupils’ work.';
const REQUEST_DETAIL = 'The samples sent are from the last academic year.';
const NEW_FILE = { name: 'Pupils work samples 2026.pdf', bytes: 150_000 };
/** How long a delivery or a status check may take on a busy 2-core machine. */
const NETWORK_WAIT = 120_000;

/**
 * Runs dependent steps as subtests: once one fails, the rest are skipped (naming the step
 * that broke) instead of failing for the same reason. A failing step leaves a screenshot.
 */
function stepper(t, holder, slug) {
  let broken = null;
  return (name, fn) =>
    t.test(name, { skip: broken ? `skipped because "${broken}" failed` : false }, async () => {
      try {
        await fn();
      } catch (e) {
        broken = name;
        try {
          const file = await holder.current?.screenshot(`failure-${slug}-${name.replace(/[^a-z0-9]+/gi, '-').toLowerCase().slice(0, 60)}`);
          if (file) e.message += `\n(screenshot: ${file})`;
        } catch {
          // no screenshot; the error matters more
        }
        throw e;
      }
    });
}

/** Screenshot + axe-core for a screen, collected for one check at the end. */
function screens(t, holder, prefix) {
  const a11y = [];
  let n = 0;
  const check = async (slug, screen) => {
    n += 1;
    const file = await holder.current.screenshot(`${prefix}-${String(n).padStart(2, '0')}-${slug}`);
    t.diagnostic(`screenshot: ${file}`);
    const violations = await holder.current.axe();
    t.diagnostic(`axe-core on ${screen}: ${violations.length} rules violated, ${holder.current.lastAxeRulesPassed} passed`);
    a11y.push({ screen, violations });
  };
  const assertAll = () =>
    t.test('every new screen passes axe-core (WCAG 2.2 AA tags)', { skip: a11y.length === 0 ? 'no screen was reached' : false }, () => {
      const failing = a11y.filter((s) => s.violations.length > 0);
      const report = failing.map((s) => `${s.screen}:\n${formatViolations(s.violations)}`).join('\n\n');
      assert.equal(failing.length, 0, `axe-core found violations on ${failing.length} of ${a11y.length} screens:\n${report}`);
    });
  return { check, assertAll };
}

const norm = (s) => (s ?? '').replace(/\s+/g, ' ').trim();
const hex = (s) => s.toLowerCase().replace(/[^0-9a-f]/g, '');

/** The overview the shell computes (connection, delivery, submissions, applications, …). */
const overview = (app) => app.invoke('overview');

/** The newest submission in the overview (or undefined). */
async function newest(app) {
  return (await overview(app)).submissions[0];
}

/** Waits until the newest submission is at `stage` in the shell and nothing is being sent. */
async function waitDelivered(app, stage, versions, timeout = NETWORK_WAIT) {
  let last = null;
  await app.until(
    async () => {
      const o = await overview(app);
      last = { delivery: o.delivery, submission: o.submissions[0] && { stage: o.submissions[0].stage, versions: o.submissions[0].versions } };
      const s = o.submissions[0];
      return s && s.stage === stage && s.versions.length === versions && s.versions.every((v) => v.has_receipt) && o.delivery.state === 'idle';
    },
    async () => `the submission never reached "${stage}" with ${versions} received version(s) within ${timeout / 1000} s; last overview: ${JSON.stringify(last)}\nOn screen:\n${await app.inventory()}`,
    timeout,
  );
  return newest(app);
}

/** Opens the Submissions screen (sidebar link `nav-submissions`). */
async function openSubmissions(app) {
  await app.click('testid', 'nav-submissions');
  await app.find('testid', 'refresh-submissions');
}

/** "Check for news" until the submission card shows `stage`. */
async function checkForNews(app, stage, timeout = 60_000) {
  await openSubmissions(app);
  const end = Date.now() + timeout;
  for (;;) {
    await app.click('testid', 'refresh-submissions');
    const ok = await app
      .until(async () => (await wm.attribute(app, 'submission', 'data-stage')) === stage, 'not yet', 5000)
      .then(() => true, () => false);
    if (ok) return;
    if (Date.now() > end) {
      throw new Error(`after "Check for news" the submission card never showed data-stage="${stage}" within ${timeout / 1000} s; it shows ${JSON.stringify(await wm.attribute(app, 'submission', 'data-stage'))}\nOn screen:\n${await app.inventory()}`);
    }
  }
}

/** Opens the dashboard and starts applying (or re-submitting) for the mark. */
async function openApply(app, how) {
  await app.click('link', 'Dashboard');
  await app.find('heading', 'Dashboard');
  await app.find('testid', `award-${ep.AWARD}`);
  await app.click('testid', `${how}-${ep.AWARD}`);
  await app.find('testid', 'apply-screen');
  await app.find('testid', 'apply-summary');
}

/**
 * On the apply screen: `apply-submit` is refused until every personal-data item is ticked;
 * ticks them. Returns the items' ids.
 */
async function confirmPersonalData(app, expected) {
  const submit = await app.find('testid', 'apply-submit');
  const ids = await app.browser.execute(() =>
    [...document.querySelectorAll('[data-testid^="personal-data-item-"]')].map((el) => el.dataset.testid.slice('personal-data-item-'.length)),
  );
  assert.deepEqual(ids, expected, 'the personal-data items listed are the flagged evidence');
  if (ids.length > 0) {
    assert.ok(await wm.isDisabled(app, submit), '"apply-submit" is disabled while a personal-data item is not ticked');
  }
  for (const [i, id] of ids.entries()) {
    await app.find('testid', `open-${id}`);
    await wm.tick(app, `confirm-${id}`);
    if (i < ids.length - 1) assert.ok(await wm.isDisabled(app, submit), '"apply-submit" stays disabled until every item is ticked');
  }
  await app.until(async () => !(await wm.isDisabled(app, submit)), '"apply-submit" did not become enabled once every personal-data item was ticked');
  return ids;
}

/** Sends the application from the apply screen and waits for `apply-done`. */
async function submitApplication(app) {
  await app.click('testid', 'apply-submit');
  await app.find('testid', 'apply-done', { timeout: NETWORK_WAIT });
}

/** The same day `months` calendar months earlier (YYYY-MM-DD). */
function monthsBefore(iso, months) {
  const [y, m, d] = iso.split('-').map(Number);
  const date = new Date(Date.UTC(y, m - 1 - months, 1));
  const last = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 0)).getUTCDate();
  date.setUTCDate(Math.min(d, last));
  return date.toISOString().slice(0, 10);
}

/** Ways a date may be written on screen: 2029-12-01, 1 December 2029, December 1, 2029, 01/12/2029, … */
function dateForms(iso) {
  const [y, m, d] = iso.split('-').map(Number);
  const date = new Date(Date.UTC(y, m - 1, d));
  const forms = new Set([iso, `${String(d).padStart(2, '0')}/${String(m).padStart(2, '0')}/${y}`, `${d}/${m}/${y}`]);
  for (const locale of ['en-GB', 'en-US', undefined]) {
    for (const month of ['long', 'short']) {
      forms.add(norm(date.toLocaleDateString(locale, { day: 'numeric', month, year: 'numeric', timeZone: 'UTC' })));
    }
  }
  return [...forms];
}

test('a school enrols, applies, answers a request for more evidence, is awarded the mark, saves its certificate and starts its renewal, all in the app', { timeout: 20 * 60_000 }, async (t) => {
  const holder = { current: null };
  const step = stepper(t, holder, 'submission');
  const { check, assertAll } = screens(t, holder, 'submission');
  t.after(() => holder.current?.dispose());
  const ctx = {};

  await step('the endpoint, the assessor and moderator, and an eligible school are ready', async () => {
    await ep.requirements();
    ctx.endpoint = await ep.startEndpoint(t, { label: 'endpoint-journey' });
    // The assessors sign in first, so the key set the school encrypts to names them.
    ctx.assessor = await ctx.endpoint.assessor(t, 'Dr Ann Assessor', 'ann@assessors.example');
    ctx.moderator = await ctx.endpoint.assessor(t, 'Mr Mo Derator', 'mo@assessors.example');
    ctx.institution = await ctx.endpoint.addInstitution(SCHOOL, URN);
    ctx.fingerprint = (await ctx.endpoint.keySets()).at(-1).fingerprint;
    ctx.dir = newDataDir(t);
    ctx.files = ep.tempDir(t, 'evidence');
    ctx.school = await ep.makeEligibleSchool(ctx.dir, ctx.files, { name: SCHOOL, urn: URN });
    ctx.asked = ctx.school.benchmarks.find((b) => b.id === ASKED);
    assert.ok(ctx.asked, `${ASKED} is a benchmark of ${ep.FRAMEWORK}`);
    t.diagnostic(`endpoint ${ctx.endpoint.url}; key set fingerprint ${ctx.fingerprint}; ${ctx.school.items.length} evidence files, photo ${ctx.school.photo.id}`);
  });

  await step('Settings: the code is checked (awarding body and fingerprint shown), then enrolled', async () => {
    const app = await launch(ctx.dir);
    holder.current = app;
    await app.find('heading', 'Dashboard');
    // The delivery indicator is in every screen's frame (hidden while there is nothing to send).
    await wm.waitForAttribute(app, 'delivery', 'data-state', (v) => v !== null, 'present');
    await app.click('link', 'Settings and about');
    await app.find('heading', 'Settings and about');
    const field = await app.find('testid', 'awarding-body-code');
    await field.setValue(ctx.institution.code);
    await app.click('testid', 'check-code');
    const shown = await app.waitForText('testid', 'code-check', (s) => s.includes(ep.AWARDING_BODY), `naming "${ep.AWARDING_BODY}"`, 30_000);
    assert.ok(hex(shown).includes(hex(ctx.fingerprint)), `the code check shows the key-set fingerprint ${ctx.fingerprint}: "${shown}"`);
    await check('settings-code-checked', 'Settings (code checked)');
    await app.click('testid', 'enroll');
    const connection = await app.waitForText('testid', 'connection', (s) => s.includes(ep.AWARDING_BODY), `naming "${ep.AWARDING_BODY}"`, 30_000);
    assert.ok(connection.includes(SCHOOL) || connection.includes('100001'), `the connection names the school as the awarding body knows it: "${connection}"`);
    const o = await overview(app);
    assert.equal(o.connection?.endpoint, ctx.endpoint.publicUrl);
    assert.equal(o.connection?.credentials_problem, null, 'the credentials can be read back from the keychain');
    const db = readFileSync(join(ctx.dir, 'waymark.sqlite3'));
    assert.ok(!db.includes(Buffer.from('wmt1_')), 'no bearer token in the data folder’s database');
    await check('settings-enrolled', 'Settings (enrolled)');
  });

  await step('Apply from the dashboard: the personal-data item must be confirmed before it can be sent', async () => {
    const app = holder.current;
    await openApply(app, 'apply');
    const preview = await app.invoke('apply_preview', { award: ep.AWARD });
    assert.equal(preview.new_evidence.length, ctx.school.items.length, 'a first application sends every evidence file');
    assert.deepEqual(preview.personal_data.map((p) => p.id), [ctx.school.photo.id]);
    // (The screen lists the new files only for a re-submission; a first one sends them all.)
    if (await app.exists('testid', 'new-evidence')) {
      const newEvidence = await app.text('testid', 'new-evidence');
      assert.ok(newEvidence.includes(ctx.school.items[1].name), `new-evidence lists the files: "${newEvidence.slice(0, 300)}"`);
    }
    const bytes = await app.text('testid', 'bytes-to-send');
    assert.ok(wm.sizesIn(bytes).length > 0, `bytes-to-send says how much is sent: "${bytes}"`);
    await app.find('testid', `personal-data-item-${ctx.school.photo.id}`);
    await check('apply', 'Apply (personal data not yet confirmed)');
    await confirmPersonalData(app, [ctx.school.photo.id]);
    await check('apply-confirmed', 'Apply (personal data confirmed)');
    await submitApplication(app);
    await check('apply-done', 'Apply (done)');
  });

  await step('it is delivered; Submissions shows it received, with a receipt that is viewed, saved and verifies offline', async () => {
    const app = holder.current;
    const sub = await waitDelivered(app, 'received', 1);
    ctx.serverId = sub.server_id;
    ctx.submissionId = sub.id;
    assert.ok(ctx.serverId, 'the endpoint’s id is known');
    await wm.waitForAttribute(app, 'delivery', 'data-state', (s) => s === 'idle', '"idle"');
    await openSubmissions(app);
    await wm.waitForAttribute(app, 'submission', 'data-stage', (s) => s === 'received', '"received"');
    assert.equal(await wm.attribute(app, 'timeline-step-received', 'data-state'), 'current', 'the timeline is at "received"');
    assert.equal(await wm.attribute(app, 'timeline-step-awarded', 'data-state'), 'upcoming', '"awarded" is still to come');
    await check('submissions-received', 'Submissions (received)');

    const version = sub.versions[0].id;
    await app.click('testid', `view-receipt-${version}`);
    const text = await app.text('testid', 'receipt-text');
    assert.match(text, /signature/, `the receipt is shown: "${text.slice(0, 200)}"`);
    const verifiedText = await app.text('testid', 'receipt-verified');
    assert.equal(await wm.attribute(app, 'receipt-verified', 'data-verified'), 'true', `the app says the receipt verifies: "${verifiedText}"`);
    await check('receipt', 'Submissions (receipt)');

    const path = join(ctx.files, 'receipt');
    const saved = await app.invoke('save_receipt', { input: { id: version, path } });
    assert.ok(existsSync(saved), `the receipt was saved at ${saved}`);
    const receipt = JSON.parse(readFileSync(saved, 'utf8'));
    assert.ok(receipt.body && receipt.signature && receipt.key_id, `a signed receipt: ${Object.keys(receipt)}`);
    const verified = await ctx.endpoint.verifyReceipt(saved, ctx.fingerprint);
    assert.match(verified.stdout, new RegExp(`submission ${ctx.serverId} version 1`), verified.stdout);
    ctx.uploadsBefore = (await ctx.endpoint.uploads()).length;
  });

  await step('the assessor asks for more evidence on one benchmark; after "Check for news" the app shows it, in the tree and on the benchmark page', async () => {
    const app = holder.current;
    await ctx.endpoint.assign(ctx.serverId, ctx.assessor.id, ctx.moderator.id);
    const opened = await ctx.assessor.open(ctx.serverId, 'v1');
    assert.match(opened.stdout, /version 1/, opened.stdout);
    await ctx.assessor.requestEvidence(ctx.serverId, REQUEST, { [ASKED]: REQUEST_DETAIL });
    await checkForNews(app, 'more_evidence_requested');
    const request = await app.text('testid', 'request');
    assert.ok(request.includes(REQUEST), `the request's message is shown: "${request}"`);
    const detail = await app.text('testid', `request-benchmark-${ASKED}`);
    assert.ok(detail.includes(REQUEST_DETAIL), `what is missing for ${ASKED} is shown: "${detail}"`);
    assert.equal(await wm.attribute(app, 'timeline-step-more_evidence_requested', 'data-state'), 'current');
    await check('submissions-more-evidence', 'Submissions (more evidence requested)');

    await wm.openSection(app, 'Benchmarks');
    await app.find('testid', `requested-${ASKED}`);
    const others = await app.browser.execute(() => [...document.querySelectorAll('[data-testid^="requested-"]')].map((e) => e.dataset.testid));
    assert.deepEqual(others, [`requested-${ASKED}`], 'only the benchmark asked about is marked');
    await check('benchmarks-requested', 'Benchmarks (requested marker)');
    await wm.openBenchmark(app, ctx.asked.title);
    const onPage = await app.text('testid', 'evidence-request');
    assert.ok(onPage.includes(REQUEST_DETAIL), `the benchmark page shows the request: "${onPage}"`);
    await check('benchmark-requested', 'Benchmark page (evidence request)');
  });

  await step('a file is added to that benchmark; Re-submit sends only it', async () => {
    const app = holder.current;
    // What "Add files…" does once the OS dialog returns the file.
    const path = ep.writeNoise(join(ctx.files, NEW_FILE.name), NEW_FILE.name, NEW_FILE.bytes);
    const report = await app.invoke('add_evidence', { input: { paths: [path], links: [{ benchmark_id: ASKED, requirement_id: null }], by: ep.LEAD } }, { channel: 'on_progress' });
    assert.equal(report.added.length, 1, JSON.stringify(report));
    ctx.newItem = report.added[0].id;

    await openApply(app, 'resubmit');
    const preview = await app.invoke('apply_preview', { award: ep.AWARD });
    assert.equal(preview.resubmission_of, ctx.serverId, 'a re-submission of the submission asked about');
    assert.deepEqual(preview.new_evidence.map((e) => e.id), [ctx.newItem], 'only the new file is new');
    assert.equal(preview.bytes_to_send, NEW_FILE.bytes, 'only the new file’s bytes are to be sent');
    const listed = await app.text('testid', 'new-evidence');
    assert.ok(listed.includes(NEW_FILE.name), `new-evidence lists the new file: "${listed}"`);
    for (const item of ctx.school.items) assert.ok(!listed.includes(item.name), `new-evidence lists only the new file, not ${item.name}: "${listed}"`);
    const bytes = await app.text('testid', 'bytes-to-send');
    const sizes = wm.sizesIn(bytes);
    assert.ok(
      sizes.some((s) => s.low <= NEW_FILE.bytes * 1.01 && s.high >= NEW_FILE.bytes * 0.99),
      `bytes-to-send says about ${NEW_FILE.bytes} bytes: "${bytes}" (read as ${JSON.stringify(sizes)})`,
    );
    await check('resubmit', 'Re-submit (preview)');
    await confirmPersonalData(app, preview.personal_data.map((p) => p.id));
    await submitApplication(app);
  });

  await step('the re-submission is delivered: only the new file and the manifest went over the network', async () => {
    const app = holder.current;
    const sub = await waitDelivered(app, 'resubmitted', 2);
    assert.equal(sub.server_id, ctx.serverId, 'the same submission at the endpoint, its next version');
    const sent = sub.versions[1].bytes_sent;
    assert.ok(sent >= NEW_FILE.bytes && sent < NEW_FILE.bytes + 64 * 1024, `the re-submission put ${sent} bytes on the network (new file ${NEW_FILE.bytes})`);
    const uploads = await ctx.endpoint.uploads();
    const added = uploads.slice(ctx.uploadsBefore);
    const addedBytes = added.reduce((n, u) => n + u.upload_length, 0);
    assert.equal(added.length, 2, `two new uploads at the endpoint (the new file and the manifest): ${JSON.stringify(added)}`);
    assert.ok(addedBytes < NEW_FILE.bytes + 64 * 1024, `the endpoint received ${addedBytes} bytes for the re-submission`);
    await openSubmissions(app);
    await wm.waitForAttribute(app, 'submission', 'data-stage', (s) => s === 'resubmitted', '"resubmitted"');
    await check('submissions-resubmitted', 'Submissions (re-submitted)');
  });

  await step('the assessor recommends, the moderator confirms; the app shows "Awarded" with the expiry date', async () => {
    const app = holder.current;
    const v2 = await ctx.assessor.open(ctx.serverId, 'v2');
    assert.match(v2.stdout, /version 2/, v2.stdout);
    await ctx.assessor.recommend(ctx.serverId, { strengths: 'A clear, costed technology plan.', development: 'Share practice with other schools.', notes: 'Visited on 10 March.' });
    await ctx.moderator.open(ctx.serverId, 'moderation');
    await ctx.moderator.confirm(ctx.serverId);
    await checkForNews(app, 'awarded');
    const sub = await newest(app);
    ctx.award = sub.award_record;
    assert.ok(ctx.award?.expires_on && ctx.award.verification_code, `an award record: ${JSON.stringify(ctx.award)}`);
    const record = await app.text('testid', 'award-record');
    assert.match(record, /Awarded/, `award-record says Awarded: "${record}"`);
    const expires = await app.text('testid', 'award-expires');
    const forms = dateForms(ctx.award.expires_on);
    assert.ok(forms.some((f) => expires.includes(f)), `award-expires shows ${ctx.award.expires_on} (one of ${JSON.stringify(forms)}): "${expires}"`);
    // A decision ends the journey: its step is done, and nothing is still to come.
    assert.equal(await wm.attribute(app, 'timeline-step-awarded', 'data-state'), 'done');
    const upcoming = await app.browser.execute(() => [...document.querySelectorAll('[data-testid^="timeline-step-"][data-state="upcoming"]')].map((e) => e.dataset.testid));
    assert.deepEqual(upcoming, [], 'no step is still to come once awarded');
    await app.find('testid', 'save-mark-certificate');
    await check('submissions-awarded', 'Submissions (awarded)');

    await app.click('link', 'Dashboard');
    const stage = await app.text('testid', `application-stage-${ep.AWARD}`);
    assert.match(stage, /Awarded/i, `the dashboard's card says where the application stands: "${stage}"`);
    await check('dashboard-awarded', 'Dashboard (awarded)');
  });

  await step('the mark’s certificate is saved as a PDF that carries the verification code', async () => {
    const app = holder.current;
    const saved = await app.invoke('export_document', {
      input: { document: { kind: 'mark_certificate', submission_id: ctx.submissionId }, path: join(ctx.files, 'Technology Mark') },
    });
    const text = execFileSync('pdftotext', [saved.path, '-'], { encoding: 'utf8' });
    assert.ok(norm(text).includes(ctx.award.verification_code), `the certificate shows the verification code ${ctx.award.verification_code}:\n${text}`);
    assert.ok(norm(text).includes('Technology Mark'), `the certificate names the mark:\n${text}`);
  });

  await step('a month before expiry, renewal is open; "Start renewal" makes a pre-filled review compared level by level', async () => {
    await holder.current.quit();
    holder.current = null;
    const today = monthsBefore(ctx.award.expires_on, 1);
    t.diagnostic(`restarting with --today ${today} (expiry ${ctx.award.expires_on})`);
    const app = await launch(ctx.dir, { args: ['--today', today] });
    holder.current = app;
    await app.find('heading', 'Dashboard');
    await wm.waitForAttribute(app, 'renewal', 'data-state', (s) => s === 'open', '"open"');
    await app.find('testid', 'start-renewal');
    await check('dashboard-renewal-open', 'Dashboard (renewal open)');
    const before = await app.invoke('current_status');
    await app.click('testid', 'start-renewal');
    await app.until(
      async () => (await app.invoke('current_status'))?.review?.id !== before?.review?.id,
      '"Start renewal" did not make a new current review',
    );
    const responses = await app.invoke('list_responses');
    assert.equal(responses.length, ctx.school.benchmarks.length, 'every response is carried into the renewal');
    assert.ok(responses.every((r) => r.level === ctx.school.top), 'the renewal starts from the awarded levels');
    // "Start renewal" goes on to the comparison (its own screen, linked from the renewal card).
    await app.find('testid', 'renewal-comparison');
    await check('renewal-comparison-started', 'Renewal comparison (just started)');

    // One level changed in the renewal, so the comparison has a difference to show.
    const changed = ctx.school.benchmarks[1];
    const lower = ctx.school.levels.map((l) => l.value).find((v) => v !== ctx.school.top);
    await wm.openBenchmark(app, changed.title);
    await wm.chooseLevel(app, lower);
    await wm.waitSaved(app);
    await app.click('link', 'Dashboard');
    await app.find('testid', 'renewal');
    await app.click('testid', 'compare-renewal');
    await app.find('testid', 'renewal-comparison');
    const comparison = await app.invoke('compare_with_awarded');
    assert.equal(comparison.length, ctx.school.benchmarks.length, 'every benchmark is compared');
    const rows = await app.browser.execute(() =>
      Object.fromEntries([...document.querySelectorAll('[data-testid^="compare-"]')].map((r) => [r.dataset.testid, r.textContent.replace(/\s+/g, ' ').trim()])),
    );
    for (const row of comparison) {
      const text = rows[`compare-${row.benchmark_id}`];
      assert.ok(text !== undefined, `a row compare-${row.benchmark_id}; rows: ${Object.keys(rows).join(', ')}`);
      for (const label of [row.previous_label, row.current_label].filter(Boolean)) {
        assert.ok(text.includes(label), `compare-${row.benchmark_id} shows "${label}": "${text}"`);
      }
    }
    const row = comparison.find((r) => r.benchmark_id === changed.id);
    assert.equal(row.previous_level, ctx.school.top);
    assert.equal(row.current_level, lower);
    assert.notEqual(row.previous_label, row.current_label);
    await check('renewal-comparison', 'Renewal comparison (one level changed)');
  });

  await assertAll();
});

test('the app killed mid-upload and started again on the same data folder finishes the upload without starting over', { timeout: 15 * 60_000 }, async (t) => {
  const holder = { current: null };
  const step = stepper(t, holder, 'upload');
  const { check, assertAll } = screens(t, holder, 'upload');
  t.after(() => holder.current?.dispose());
  const ctx = {};
  const CHUNK = ['--upload-chunk', '262144'];
  const BIG = { name: 'Coding club film.mp4', bytes: 12 * 1024 * 1024 };
  const RATE = 1024 * 1024; // bytes per second through the proxy, towards the endpoint

  await step('an enrolled, eligible school with a 12 MiB evidence file, behind a throttling proxy', async () => {
    await ep.requirements();
    ctx.endpoint = await ep.startEndpoint(t, { label: 'endpoint-upload', throttle: { bytesPerSecond: RATE } });
    ctx.institution = await ctx.endpoint.addInstitution('Ysgol y Bryn (E2E)', 'urn:schoolid:uk:100002');
    ctx.dir = newDataDir(t);
    ctx.files = ep.tempDir(t, 'evidence');
    ctx.school = await ep.makeEligibleSchool(ctx.dir, ctx.files, { name: 'Ysgol y Bryn (E2E)', urn: 'urn:schoolid:uk:100002', bigFile: { ...BIG, benchmark: 'E3.S1.A2' } });
    // Enrolled with the CLI on the same data folder (Settings is the first test's).
    const enrolled = await ep.waymark(ctx.dir, ['enroll', ctx.institution.code], { json: true });
    assert.equal(enrolled.enrollment.endpoint, ctx.endpoint.proxy.url, 'the code names the proxy');
  });

  await step('Apply; the upload is killed (SIGKILL) part-way, with the endpoint holding part of it', async () => {
    const app = await launch(ctx.dir, { args: CHUNK });
    holder.current = app;
    await openApply(app, 'apply');
    await confirmPersonalData(app, [ctx.school.photo.id]);
    ctx.endpoint.proxy.reset();
    await submitApplication(app);
    await wm.waitForAttribute(app, 'delivery', 'data-state', (s) => s === 'sending', '"sending"', NETWORK_WAIT);
    const bar = await app.find('testid', 'delivery-progress');
    assert.equal(await bar.getAttribute('role'), 'progressbar');
    // The big blob's upload, once the endpoint has acknowledged 60 % of it (bounded wait).
    let big = null;
    await app.until(
      async () => {
        big = (await ctx.endpoint.uploads()).filter((u) => u.upload_length >= BIG.bytes).at(0) ?? null;
        return big && big.received >= 0.6 * big.upload_length;
      },
      () => `the endpoint never held 60 % of the big upload within 120 s: ${JSON.stringify(big)}`,
      120_000,
    );
    await app.until(async () => (await bar.getAttribute('aria-valuemax')) !== null, 'delivery-progress never gave aria-valuemax');
    const max = Number(await bar.getAttribute('aria-valuemax'));
    const now = Number(await bar.getAttribute('aria-valuenow'));
    assert.ok(max >= BIG.bytes, `delivery-progress aria-valuemax is in bytes (${max} ≥ ${BIG.bytes})`);
    assert.ok(now > 0 && now <= max, `delivery-progress aria-valuenow is in bytes (${now} of ${max})`);
    await check('delivery-sending', 'Apply (done; delivery sending)');
    await app.quit(); // deleting the session SIGKILLs the app
    holder.current = null;
    ctx.big = (await ctx.endpoint.uploads()).find((u) => u.id === big.id);
    ctx.upAtKill = ctx.endpoint.proxy.stats.up;
    t.diagnostic(`killed with the endpoint holding ${ctx.big.received} of ${ctx.big.upload_length} bytes of the big upload; the proxy had carried ${ctx.upAtKill} bytes towards the endpoint`);
    assert.ok(ctx.big.received > 0 && ctx.big.received < ctx.big.upload_length, `the upload was cut part-way: ${JSON.stringify(ctx.big)}`);
  });

  await step('started again on the same data folder, it finishes from where the endpoint stopped', async () => {
    const app = await launch(ctx.dir, { args: CHUNK });
    holder.current = app;
    await app.find('heading', 'Dashboard');
    // The delivery indicator is in every screen's frame (hidden while there is nothing to send).
    await wm.waitForAttribute(app, 'delivery', 'data-state', (v) => v !== null, 'present');
    await waitDelivered(app, 'received', 1, 180_000);
    const uploads = await ctx.endpoint.uploads();
    const bigOnes = uploads.filter((u) => u.upload_length === ctx.big.upload_length);
    assert.equal(bigOnes.length, 1, `the big blob was resumed, not uploaded anew: ${JSON.stringify(bigOnes)}`);
    assert.equal(bigOnes[0].id, ctx.big.id);
    assert.equal(bigOnes[0].state, 'complete');
    const total = uploads.reduce((n, u) => n + u.upload_length, 0);
    const carried = ctx.endpoint.proxy.stats.up;
    t.diagnostic(`the proxy carried ${carried} bytes towards the endpoint for ${total} bytes of blobs (${(carried / total).toFixed(2)}×)`);
    assert.ok(carried < 1.5 * total, `without starting over: ${carried} bytes carried for ${total} bytes of blobs (starting over from ${ctx.big.received} would be ≥ ${total + ctx.big.received})`);
    await openSubmissions(app);
    await wm.waitForAttribute(app, 'submission', 'data-stage', (s) => s === 'received', '"received"');
    await check('submissions-after-resume', 'Submissions (received after the restart)');
  });

  await assertAll();
});
