// Assessor mode, end to end: the real app (in its assessor workspace) against a real awarding
// body's endpoint (`waymark-server` on loopback), with submissions made by schools with the
// `waymark` CLI and the OS keychain (a private Secret Service: run through scripts/e2e.sh).
//
// 1. The journey. The moderator M, then the assessor A, sign in in the app (first run → "I am an
//    assessor" → enrollment code), each with an assessor folder of their own (--assessor-dir)
//    and an empty school data folder; both sign in before the school submits, so the key set the
//    school encrypts to names them. The school (made eligible with the CLI) enrols and submits;
//    the administrator assigns A and M. A opens it (progress), reviews it (the school's levels and
//    commentary as it set them), opens an evidence file with the OS viewer (a fake xdg-open on
//    the app's PATH: the file it is given lies in the assessor folder's viewing/ and is the
//    school's file byte for byte), and asks for more evidence on one benchmark. The school
//    answers (CLI: a changed commentary and a new file, re-submitted); A opens version 2, sees
//    what changed, and recommends "Award". M, in a second app instance, confirms; the school's
//    CLI shows "Awarded".
// 2. Impartiality and tampering. A second school whose working group names A (the same name and
//    email as the awarding body registered) submits; it is assigned to A. With one byte of one
//    of its stored evidence blobs flipped on the endpoint's disk, opening it is refused and
//    nothing is kept; with the byte put back it opens, says it names A, and the decision buttons
//    are disabled (the commands, called directly, are refused too). (This instance runs with
//    --today after the due date: that review is overdue, the awarded one is not.) Last, the
//    awarded submission's local copy, and a file opened from it, is removed at once on request.
//
// Along the way: no secret (age identity, token, code) in any assessor folder; nothing of the
// school's in clear in the assessor folder (outside viewing/, which holds only files opened with
// the viewer, private to the user) nor in the app's school data folder; the draft autosaves,
// encrypted, and comes back when the submission is opened again.
//
// Every new screen is screenshotted (test-output/screenshots/assessor-*.png) and checked with
// axe-core (0 violations).
//
// Needs: the app built (cargo build -p waymark-app after the UI), cargo build -p waymark-server
// -p waymark-assess -p waymark-cli (or WAYMARK_SERVER, WAYMARK_ASSESS, WAYMARK_CLI), and
// scripts/e2e.sh's keychain (dbus-run-session + gnome-keyring-daemon).

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { join, sep } from 'node:path';
import { formatViolations, launch, newDataDir } from './lib/app.mjs';
import * as as from './lib/assessor.mjs';
import * as ep from './lib/endpoint.mjs';

const SCHOOL = 'Ysgol Gynradd Llanfair (E2E)';
const URN = 'urn:schoolid:uk:100001';
const SCHOOL_2 = 'Ysgol y Bryn (E2E)';
const URN_2 = 'urn:schoolid:uk:100002';
const ASSESSOR = { name: 'Dr Ann Assessor', email: 'ann@assessors.example' };
const MODERATOR = { name: 'Mr Mo Derator', email: 'mo@assessors.example' };
const REQUEST = 'Please send this year’s samples of pupils’ work.';
const REQUEST_DETAIL = 'The samples sent are from the last academic year.';
const NEW_COMMENTARY = 'Updated: this year’s samples of pupils’ work are attached.';
const NEW_FILE = { name: 'Pupils work samples 2026.pdf', bytes: 60_000 };
const STRENGTHS = 'A clear, costed technology plan, known by every member of staff.';
const DEVELOPMENT = 'Share the coding club’s practice with the cluster’s other schools.';
/** How long the endpoint may take to answer an opening or a decision on a busy 2-core machine. */
const NETWORK_WAIT = 90_000;

// ---------------------------------------------------------------------------------------------
// Steps, screenshots and axe-core (as submission.test.mjs does)

/**
 * Runs dependent steps as subtests: once one fails, the rest are skipped (naming the step that
 * broke). A failing step leaves a screenshot.
 */
function stepper(t, holder, slug, { needs } = {}) {
  let broken = needs?.() ?? null;
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

/** Screenshot + axe-core for a screen, collected for one check at the end of each test. */
function screens(t, holder) {
  const a11y = [];
  const check = async (slug, screen) => {
    shots.n += 1;
    const file = await holder.current.screenshot(`assessor-${String(shots.n).padStart(2, '0')}-${slug.replace(/[^a-z0-9]+/gi, '-')}`);
    t.diagnostic(`screenshot: ${file}`);
    const violations = await holder.current.axe();
    t.diagnostic(`axe-core on ${screen}: ${violations.length} rules violated, ${holder.current.lastAxeRulesPassed} passed`);
    a11y.push({ screen, violations });
  };
  const assertAll = () =>
    t.test('every screen shown passes axe-core (WCAG 2.2 AA tags)', { skip: a11y.length === 0 ? 'no screen was reached' : false }, () => {
      const failing = a11y.filter((s) => s.violations.length > 0);
      const report = failing.map((s) => `${s.screen}:\n${formatViolations(s.violations)}`).join('\n\n');
      assert.equal(failing.length, 0, `axe-core found violations on ${failing.length} of ${a11y.length} screens:\n${report}`);
    });
  return { check, assertAll };
}
const shots = { n: 0 };

const norm = (s) => (s ?? '').replace(/\s+/g, ' ').trim();

// ---------------------------------------------------------------------------------------------
// The assessor's screens over the agreed hooks:
//   first run     button "I am an assessor"
//   sign-in       textbox "Enrollment code", button "Sign in"; then data-testid="assessor-banner"
//   assignments   heading "Assigned submissions", button "Refresh", rows
//                 data-testid="assignment-row" data-submission="<id>" with buttons "Open" /
//                 "Open version N" / "Open again" and "Review"; data-testid="open-progress"
//                 while opening; data-testid="open-refused" (role=alert) when refused
//   submission    benchmarks data-testid="assessor-benchmark" data-benchmark="<id>" (the school's
//                 level and commentary), buttons "Open <file name>" → data-testid="evidence-opened";
//                 textarea "More evidence needed" (per benchmark), "Message to the school",
//                 button "Send request for more evidence"; data-testid="changes"; "Strengths",
//                 "Areas for development", radio "Award", button "Send recommendation";
//                 data-testid="impartiality-warning"
//   moderation    data-testid="recommendation", button "Confirm the recommendation"
//   every send is confirmed in a dialog (role=dialog)

const rowOf = (submission) => as.sel({ testid: 'assignment-row', submission });
const benchmarkOf = (id) => as.sel({ testid: 'assessor-benchmark', benchmark: id });

/** Launches an app instance on its own empty school data folder and assessor folder. */
async function launchAssessor(ctx, who, { today } = {}) {
  return launch(who.dataDir, { application: ctx.opener.application, args: ['--assessor-dir', who.dir, ...(today ? ['--today', today] : [])] });
}

/** The day after an ISO date. */
const dayAfter = (iso) => new Date(Date.parse(`${iso}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);

/** First run → "I am an assessor" → the code → the workspace (banner, "Assigned submissions"). */
async function signIn(app, check, who, { label }) {
  await app.find('button', 'I am an assessor');
  if (check) await check('first-run', 'First run (with "I am an assessor")');
  await app.click('button', 'I am an assessor');
  const field = await app.find('label', 'Enrollment code');
  assert.ok(['input', 'textarea'].includes(await field.getTagName()), 'the enrollment code is typed in a textbox');
  if (check) await check('sign-in', 'Sign in as an assessor');
  await field.setValue(who.code);
  await app.click('button', 'Sign in');
  const banner = await app.waitForText('testid', 'assessor-banner', (s) => s.includes(who.name), `naming ${who.name}`, 30_000);
  assert.ok(banner.includes(ep.AWARDING_BODY), `the banner names the awarding body (${ep.AWARDING_BODY}): "${banner}"`);
  await app.find('heading', 'Assigned submissions');
  if (check) await check(`assignments-${label}`, `Assigned submissions (${label})`);
}

/** Presses "Refresh" until the row of `submission` shows a button named `button`. */
async function refreshUntil(app, submission, button, timeout = 30_000) {
  const end = Date.now() + timeout;
  for (;;) {
    await app.click('button', 'Refresh');
    const found = await app
      .until(() => as.queryWithin(app, rowOf(submission), 'button', button), 'not yet', 4000)
      .then(() => true, () => false);
    if (found) return;
    if (Date.now() > end) {
      throw new Error(`after "Refresh" the row of ${submission} never had a button "${button}" within ${timeout / 1000} s; its buttons: ${JSON.stringify(await as.buttonNames(app, rowOf(submission)))}\nOn screen:\n${await app.inventory()}`);
    }
  }
}

/**
 * Presses the row's open button (`button`), watching for the progress bar, and waits for the
 * row's "Review" button; returns what was seen of the progress.
 */
async function openRow(app, submission, button) {
  await as.watchFor(app, ['open-progress', 'open-refused']);
  await as.clickWithin(app, rowOf(submission), 'button', button);
  await app.until(
    async () => (await as.queryWithin(app, rowOf(submission), 'button', 'Review')) || (await as.seen(app))['open-refused'],
    async () => `opening ${submission} never gave a "Review" button (nor a refusal) within ${NETWORK_WAIT / 1000} s\nOn screen:\n${await app.inventory()}`,
    NETWORK_WAIT,
  );
  const seen = await as.seen(app);
  if (seen['open-refused']) throw new Error(`opening ${submission} was refused: "${await app.text('testid', 'open-refused').catch(() => '?')}"`);
  return seen;
}

/** Presses the row's "Review" and waits for the submission screen (its h1: the institution). */
async function review(app, submission, institution) {
  await as.clickWithin(app, rowOf(submission), 'button', 'Review');
  await app.find('testid', 'assessor-submission', { timeout: 30_000 });
  await app.find('heading', institution);
}

/** The open dialog (role=dialog), or null (also when it went while being looked at). */
async function dialogNow(app) {
  try {
    const ref = await app.browser.execute(() => document.querySelector('[role="dialog"]'));
    return ref ? app.browser.$(ref) : null;
  } catch (e) {
    if (/stale element/i.test(e.message)) return null;
    throw e;
  }
}

/** Whether a dialog (role=dialog) is open. */
const dialogOpen = (app) => app.browser.execute(() => !!document.querySelector('[role="dialog"]'));

/** Confirms the open dialog (its button that is not "Cancel"); waits for it to go. */
async function confirmDialog(app, check, slug, screen) {
  const dialog = await app.until(() => dialogNow(app), 'no dialog', 10_000).catch(async () => {
    // Not sent: the desk's problems are shown beside the fields instead.
    const problems = await app.browser.execute(() => [...document.querySelectorAll('.field-error, [role="alert"]')].map((e) => e.textContent.trim()).filter(Boolean));
    throw new Error(`no confirmation dialog appeared; problems shown: ${JSON.stringify(problems)}\nOn screen:\n${await app.inventory()}`);
  });
  assert.equal(await dialog.getAttribute('aria-modal'), 'true', 'the dialog is modal');
  if (check) await check(slug, screen);
  const names = await as.buttonNames(app, '[role="dialog"]');
  const confirm = names.find((n) => !/^cancel$/i.test(n));
  assert.ok(confirm, `the dialog has a confirming button: ${JSON.stringify(names)}`);
  await as.clickWithin(app, '[role="dialog"]', 'button', confirm);
  await app.until(
    async () => !(await dialogOpen(app)),
    async () => `the dialog stayed open after "${confirm}" for ${NETWORK_WAIT / 1000} s: "${(await app.exists('testid', 'confirm-error')) ? await app.text('testid', 'confirm-error') : ''}"\nOn screen:\n${await app.inventory()}`,
    NETWORK_WAIT,
  );
  return confirm;
}

/** The endpoint's summary of a submission (admin API). */
async function summary(endpoint, id) {
  const list = await endpoint.admin('GET', '/v1/admin/submissions');
  const all = list.submissions ?? list;
  const found = all.find((s) => (s.id ?? s.submission) === id);
  if (!found) throw new Error(`the endpoint lists no submission ${id}: ${JSON.stringify(list).slice(0, 600)}`);
  return found;
}

/** Whether a control is disabled. */
const disabled = (app, el) => app.browser.execute((e) => e.disabled === true || e.getAttribute('aria-disabled') === 'true', el);

// ---------------------------------------------------------------------------------------------

describe('assessor mode', { timeout: 10 * 60_000 }, () => {
  const ctx = {};
  const cleanups = [];
  // The endpoint and the schools are shared by both tests: cleaned up after the last.
  const suite = { after: (fn) => cleanups.push(fn), diagnostic: (m) => console.log(`# ${m}`) };
  let setupError = null;

  before(async () => {
    try {
      await ep.requirements();
      ctx.endpoint = await ep.startEndpoint(suite, { label: 'endpoint-assessor' });
      const [a, m, i1, i2] = await Promise.all([
        ctx.endpoint.addAssessor(ASSESSOR.name, ASSESSOR.email),
        ctx.endpoint.addAssessor(MODERATOR.name, MODERATOR.email),
        ctx.endpoint.addInstitution(SCHOOL, URN),
        ctx.endpoint.addInstitution(SCHOOL_2, URN_2),
      ]);
      // Each app instance: an empty school data folder and an assessor folder of its own.
      ctx.a = { ...ASSESSOR, ...a, dir: ep.tempDir(suite, 'assessor-a'), dataDir: newDataDir(suite) };
      ctx.m = { ...MODERATOR, ...m, dir: ep.tempDir(suite, 'assessor-m'), dataDir: newDataDir(suite) };
      ctx.opener = as.fakeOpener(ep.tempDir(suite, 'opener'));
      // The two schools, made eligible side by side (each a data folder of its own).
      const school = async (name, urn, issued) => {
        const dir = newDataDir(suite);
        const files = ep.tempDir(suite, 'evidence');
        const fixture = await ep.makeEligibleSchool(dir, files, { name, urn });
        await as.enroll(dir, issued.code);
        return { name, urn, dir, files, ...fixture };
      };
      [ctx.school, ctx.school2] = await Promise.all([school(SCHOOL, URN, i1), school(SCHOOL_2, URN_2, i2)]);
      // The second school's working group names the assessor (as the awarding body knows them).
      await ep.waymark(ctx.school2.dir, ['group', 'add', ASSESSOR.name, '--role', 'Governor', '--email', ASSESSOR.email]);
      // The benchmark asked about, and the evidence file opened: a PDF linked to it.
      ctx.file = ctx.school.items.find((i) => i.name.endsWith('.pdf'));
      ctx.asked = ctx.file.benchmark;
      suite.diagnostic(`endpoint ${ctx.endpoint.url}; ${ctx.school.benchmarks.length} benchmarks, ${ctx.school.items.length} evidence files; asked about ${ctx.asked}`);
    } catch (e) {
      setupError = e;
      throw e;
    }
  });

  after(async () => {
    for (const fn of cleanups.reverse()) {
      try {
        await fn();
      } catch (e) {
        console.log(`# cleanup: ${e.message}`);
      }
    }
  });

  test('an assessor and a moderator take a submission from received to awarded in the app', { timeout: 8 * 60_000 }, async (t) => {
    const holder = { current: null };
    const step = stepper(t, holder, 'assessor', { needs: () => (setupError ? 'the endpoint and the schools are ready' : null) });
    const { check, assertAll } = screens(t, holder);
    t.after(() => holder.current?.dispose());

    await step('the moderator signs in in the app: first run → "I am an assessor" → enrollment code', async () => {
      holder.current = await launchAssessor(ctx, ctx.m);
      await signIn(holder.current, check, ctx.m, { label: 'none yet' });
      await holder.current.closeWindow();
      holder.current = null;
      // The profile is in the moderator's own folder, apart from the school's data folder.
      assert.ok(readdirSync(ctx.m.dir).length > 0, `the sign-in wrote the profile into --assessor-dir ${ctx.m.dir}`);
      assert.deepEqual(readdirSync(ctx.m.dataDir).filter((f) => /profile|copies|viewing|desk/.test(f)), [], 'nothing of the assessor workspace in the school data folder');
    });

    await step('the assessor signs in in a second instance (its own assessor folder)', async () => {
      holder.current = await launchAssessor(ctx, ctx.a);
      await signIn(holder.current, null, ctx.a, { label: 'assessor' });
      ctx.signedIn = true;
      const app = holder.current;
      await app.click('link', 'Assessor settings');
      await app.find('heading', 'Assessor settings');
      const who = await app.text('testid', 'assessor-settings');
      assert.ok(who.includes(ctx.a.email) && who.includes(ep.AWARDING_BODY), `the settings say who is signed in, with whom: "${who.slice(0, 300)}"`);
      await check('assessor-settings', 'Assessor settings');
      await app.click('link', 'Assigned submissions');
      await app.find('heading', 'Assigned submissions');
      // The age identity and the token are in the keychain, never in a file.
      for (const who of [ctx.a, ctx.m]) {
        const leaks = as.filesContaining(who.dir, ['AGE-SECRET-KEY-', 'wmt1_', who.code]);
        assert.deepEqual(leaks, [], `no secret in ${who.name}'s assessor folder`);
      }
    });

    await step('the school submits with the CLI; the administrator assigns the assessor and the moderator', async () => {
      const sent = await as.submitAndSend(ctx.school.dir, [ctx.school.photo.id]);
      ctx.id = sent.server_id;
      const assigned = await ctx.endpoint.assign(ctx.id, ctx.a.id, ctx.m.id);
      t.diagnostic(`submission ${ctx.id}: ${JSON.stringify(assigned).slice(0, 300)}`);
      assert.equal((await summary(ctx.endpoint, ctx.id)).state, 'under_review');
    });

    await step('Assigned submissions: the row, "Open" with progress, then "Review" shows the school’s self-review as it set it', async () => {
      const app = holder.current;
      await refreshUntil(app, ctx.id, 'Open');
      const row = norm(await app.browser.execute((r) => document.querySelector(r)?.innerText ?? '', rowOf(ctx.id)));
      assert.ok(row.includes(SCHOOL), `the row names the institution: "${row}"`);
      const progress = await openRow(app, ctx.id, 'Open');
      assert.ok(progress['open-progress'], `data-testid="open-progress" was shown while opening (seen: ${JSON.stringify(progress)})`);
      await check('assignments-opened', 'Assigned submissions (opened)');
      await review(app, ctx.id, SCHOOL);
      // Every benchmark, with the school's level and commentary as the CLI set them.
      const shown = await app.browser.execute(() =>
        Object.fromEntries(
          [...document.querySelectorAll('[data-testid="assessor-benchmark"]')].map((b) => [
            b.dataset.benchmark,
            // (innerText: what is rendered, so not the closed list of every level's descriptor)
            { level: (b.querySelector('[data-testid="school-level"]') ?? b).innerText.replace(/\s+/g, ' ').trim(), text: b.textContent.replace(/\s+/g, ' ').trim() },
          ]),
        ),
      );
      const topName = ctx.school.levels.find((l) => l.value === ctx.school.top);
      for (const b of ctx.school.benchmarks) {
        const s = shown[b.id];
        assert.ok(s, `a benchmark data-benchmark="${b.id}"; shown: ${Object.keys(shown).join(', ')}`);
        const commentary = `${b.id}: how we meet this aspect, with the evidence attached.`;
        assert.ok(s.text.includes(commentary), `${b.id} shows the school's commentary "${commentary}": "${s.text.slice(0, 300)}"`);
        const names = [topName?.name, topName?.label, topName?.title].filter(Boolean);
        assert.ok(names.length > 0 && names.some((n) => s.level.includes(n)), `${b.id} shows the school's level ${ctx.school.top} (${names.join(' / ')}): "${s.level.slice(0, 300)}"`);
      }
      assert.equal(Object.keys(shown).length, ctx.school.benchmarks.length, 'every benchmark of the framework, no more');
      // The local copy is kept encrypted: nothing of the school's in clear in the assessor's
      // folder (viewing/ holds only files opened with the viewer, none yet), nor in the app's.
      const evidenceStart = readFileSync(ctx.file.path).subarray(0, 64);
      const needles = [SCHOOL, `${ctx.asked}: how we meet this aspect`, ep.LEAD, evidenceStart];
      assert.deepEqual(as.filesContaining(ctx.a.dir, needles), [], 'the decrypted copy is not in clear on disk');
      assert.deepEqual(as.filesContaining(ctx.a.dataDir, needles), [], 'nothing of the submission in the school data folder');
      await check('submission', 'Submission (review)');
    });

    await step('an evidence file opens with the OS viewer from the decrypted copy in the assessor folder', async () => {
      const app = holder.current;
      const before = ctx.opener.opened().length;
      await as.clickWithin(app, benchmarkOf(ctx.asked), 'button', `Open ${ctx.file.name}`);
      await app.find('testid', 'evidence-opened', { timeout: 30_000 });
      const opened = await app.until(
        () => ctx.opener.opened().slice(before)[0],
        'the fake xdg-open (first on the app’s PATH) was never run',
        10_000,
      );
      assert.equal(opened.error, '', `the fake opener could copy the file: ${opened.error}`);
      assert.ok(existsSync(opened.path), `the file handed to the viewer exists: ${opened.path}`);
      const viewing = realpathSync(join(ctx.a.dir)) + sep + 'viewing' + sep;
      assert.ok(realpathSync(opened.path).startsWith(viewing), `the file handed to the viewer lies under the assessor folder's viewing/ (${viewing}): ${opened.path}`);
      const original = readFileSync(ctx.file.path);
      assert.ok(readFileSync(opened.path).equals(original), `${opened.path} is byte for byte the school's ${ctx.file.path}`);
      assert.ok(opened.copy?.equals(original), 'and it was whole when the viewer was given it');
      // The decrypted file and its folder are the user's alone.
      for (const p of [opened.path, join(ctx.a.dir, 'viewing', ctx.id)]) {
        const mode = statSync(p).mode & 0o777;
        assert.equal(mode & 0o077, 0, `${p} is private to the user (mode ${mode.toString(8)})`);
      }
    });

    await step('a request for more evidence on one benchmark is sent after a confirmation; the endpoint and the school see it', async () => {
      const app = holder.current;
      await as.typeWithin(app, benchmarkOf(ctx.asked), 'More evidence needed', REQUEST_DETAIL);
      await app.type('Message to the school', REQUEST);
      const send = await app.find('button', 'Send request for more evidence');
      await send.scrollIntoView({ block: 'center' });
      await send.click();
      await confirmDialog(app, check, 'confirm-request', 'Submission (confirm the request)');
      await app.find('testid', 'sent', { timeout: NETWORK_WAIT });
      const s = await summary(ctx.endpoint, ctx.id);
      assert.equal(s.state, 'more_evidence_requested', JSON.stringify(s));
      const synced = await as.sync(ctx.school.dir);
      assert.equal(synced.changes?.[0]?.after, 'more_evidence_requested', JSON.stringify(synced));
      const shown = await as.submissions(ctx.school.dir, { json: false, id: ctx.id });
      assert.ok(shown.includes(REQUEST), `waymark submissions ${ctx.id} shows the message:\n${shown}`);
      assert.ok(shown.includes(ctx.asked), `waymark submissions ${ctx.id} names the benchmark ${ctx.asked}:\n${shown}`);
      assert.ok(shown.includes(REQUEST_DETAIL), `waymark submissions ${ctx.id} shows what is missing for ${ctx.asked}:\n${shown}`);
    });

    await step('the school answers with the CLI: a changed commentary and a new file on that benchmark, re-submitted', async () => {
      const school = ctx.school;
      await ep.waymark(school.dir, ['set', ctx.asked, '--commentary', NEW_COMMENTARY]);
      const path = ep.writeNoise(join(school.files, NEW_FILE.name), NEW_FILE.name, NEW_FILE.bytes);
      await ep.waymark(school.dir, ['evidence', 'add', path, '--benchmark', ctx.asked], { json: true });
      const sent = await as.submitAndSend(school.dir, [school.photo.id]);
      assert.equal(sent.server_id, ctx.id, 'the same submission, its next version');
      assert.equal(sent.receipt?.version, 2, JSON.stringify(sent));
      assert.equal((await summary(ctx.endpoint, ctx.id)).state, 'resubmitted');
    });

    await step('the assessor opens version 2, sees what changed, and recommends "Award" after a confirmation', async () => {
      const app = holder.current;
      await app.click('link', 'Assigned submissions');
      await app.find('heading', 'Assigned submissions');
      await refreshUntil(app, ctx.id, 'Open version 2');
      await openRow(app, ctx.id, 'Open version 2');
      await as.findWithin(app, rowOf(ctx.id), 'button', 'Open again');
      await review(app, ctx.id, SCHOOL);
      const changes = await app.text('testid', 'changes');
      assert.ok(changes.includes(ctx.asked), `"changes" names the changed benchmark ${ctx.asked}: "${changes}"`);
      assert.ok(changes.includes(NEW_FILE.name) || changes.includes(NEW_FILE.name.replace(/\.pdf$/, '')), `"changes" names the added file ${NEW_FILE.name}: "${changes}"`);
      const text = norm(await app.browser.execute((r) => document.querySelector(r)?.innerText ?? '', benchmarkOf(ctx.asked)));
      assert.ok(text.includes(NEW_COMMENTARY), `${ctx.asked} shows the new commentary: "${text}"`);
      await check('submission-v2', 'Submission (version 2, changes)');

      await app.type('Strengths', STRENGTHS);
      await app.type('Areas for development', DEVELOPMENT);
      // Leaving the field saves the draft, encrypted, on this computer; it comes back when the
      // submission is opened again.
      await (await app.find('label', 'Strengths')).click();
      await app.waitForText('testid', 'draft-status', (x) => /saved on this computer/i.test(x), '"saved on this computer"', 20_000);
      assert.deepEqual(as.filesContaining(ctx.a.dir, [STRENGTHS, DEVELOPMENT]), [], 'the draft is not in clear on disk');
      await app.click('link', 'Assigned submissions');
      await review(app, ctx.id, SCHOOL);
      for (const [label, text] of [['Strengths', STRENGTHS], ['Areas for development', DEVELOPMENT]]) {
        const kept = await (await app.find('label', label)).getValue();
        assert.equal(kept, text, `the draft's "${label}" is kept`);
      }
      const award = await as.findWithin(app, 'body', 'radio', 'Award');
      await award.scrollIntoView({ block: 'center' });
      await award.click();
      await app.until(() => award.isSelected(), 'the radio "Award" did not become chosen');
      const send = await app.find('button', 'Send recommendation');
      await send.scrollIntoView({ block: 'center' });
      await send.click();
      await confirmDialog(app, check, 'confirm-recommendation', 'Submission (confirm the recommendation)');
      await app.find('testid', 'sent', { timeout: NETWORK_WAIT });
      assert.equal((await summary(ctx.endpoint, ctx.id)).state, 'recommended');
      await holder.current.closeWindow();
      holder.current = null;
    });

    await step('the moderator, in a second app instance, sees the recommendation and confirms it; the school’s CLI shows "Awarded"', async () => {
      holder.current = await launchAssessor(ctx, ctx.m);
      const app = holder.current;
      // Signed in already (its own assessor folder; the school's data folder is empty).
      await app.waitForText('testid', 'assessor-banner', (s) => s.includes(ctx.m.name), `naming ${ctx.m.name}`, 30_000);
      await app.find('heading', 'Assigned submissions');
      await refreshUntil(app, ctx.id, 'Open');
      const role = norm(await app.browser.execute((r) => document.querySelector(r)?.innerText ?? '', rowOf(ctx.id)));
      assert.match(role, /\bModerator\b/, `the row says the role: "${role}"`);
      await openRow(app, ctx.id, 'Open');
      await review(app, ctx.id, SCHOOL);
      const rec = await app.text('testid', 'recommendation');
      assert.ok(rec.includes('Award'), `the recommendation says Award: "${rec}"`);
      assert.ok(rec.includes(STRENGTHS) && rec.includes(DEVELOPMENT), `the recommendation shows the feedback: "${rec}"`);
      await check('moderation', 'Submission (moderation)');
      const confirm = await app.find('button', 'Confirm the recommendation');
      await confirm.scrollIntoView({ block: 'center' });
      await confirm.click();
      await confirmDialog(app, check, 'confirm-moderation', 'Submission (confirm the moderation)');
      await app.find('testid', 'sent', { timeout: NETWORK_WAIT });
      assert.equal((await summary(ctx.endpoint, ctx.id)).state, 'awarded');
      const synced = await as.sync(ctx.school.dir);
      assert.equal(synced.changes?.[0]?.after, 'awarded', JSON.stringify(synced));
      const list = await as.submissions(ctx.school.dir);
      assert.equal(list.at(-1).server_id ?? ctx.id, ctx.id);
      const shown = await as.submissions(ctx.school.dir, { json: false, id: ctx.id });
      assert.match(shown, /Awarded/, `waymark submissions ${ctx.id}:\n${shown}`);
      assert.ok(shown.includes(STRENGTHS), `the school reads the strengths:\n${shown}`);
      await holder.current.closeWindow();
      holder.current = null;
    });

    await assertAll();
  });

  test('an assessor named in the working group cannot decide, a tampered blob is refused on opening, and a copy is removed on request', { timeout: 5 * 60_000 }, async (t) => {
    const holder = { current: null };
    const step = stepper(t, holder, 'impartiality', {
      needs: () => (setupError ? 'the endpoint and the schools are ready' : ctx.signedIn ? null : 'the assessor signs in (first test)'),
    });
    const { check, assertAll } = screens(t, holder);
    t.after(() => holder.current?.dispose());

    await step('a second school, whose working group names the assessor, submits; it is assigned to them', async () => {
      const sent = await as.submitAndSend(ctx.school2.dir, [ctx.school2.photo.id]);
      ctx.id2 = sent.server_id;
      await ctx.endpoint.assign(ctx.id2, ctx.a.id, ctx.m.id);
      // One byte of one stored evidence blob (not the manifest) flipped on the endpoint's disk.
      const entry = (await as.submissions(ctx.school2.dir)).at(-1);
      const evidence = entry.blobs.find((b) => b !== entry.manifest);
      assert.ok(evidence, `an evidence blob in ${JSON.stringify(entry)}`);
      ctx.flipped = as.flipByte(ctx.endpoint, evidence);
      t.diagnostic(`flipped byte ${ctx.flipped.at} of ${ctx.flipped.file}`);
    });

    await step('opening it with a flipped byte is refused, and nothing is kept', async () => {
      // As of the day after it is due (--today): the unfinished review is overdue, the awarded one not.
      const due = (await summary(ctx.endpoint, ctx.id2)).review_due;
      assert.ok(due, 'the assignment set a review due date');
      holder.current = await launchAssessor(ctx, ctx.a, { today: dayAfter(due) });
      const app = holder.current;
      await app.find('testid', 'assessor-banner', { timeout: 30_000 });
      await refreshUntil(app, ctx.id2, 'Open');
      const rowText = (id) => app.browser.execute((r) => document.querySelector(r)?.textContent ?? '', rowOf(id)).then(norm);
      const overdue = await rowText(ctx.id2);
      assert.match(overdue, /Overdue/, `the row due ${due} is overdue on ${dayAfter(due)}: "${overdue}"`);
      if (ctx.id) {
        const done = await rowText(ctx.id);
        assert.doesNotMatch(done, /Overdue/, `a finished review is not overdue: "${done}"`);
      }
      await as.clickWithin(app, rowOf(ctx.id2), 'button', 'Open');
      const refused = await app.find('testid', 'open-refused', { timeout: NETWORK_WAIT });
      assert.equal(await refused.getAttribute('role'), 'alert');
      t.diagnostic(`refused: ${norm(await refused.getText())}`);
      // The list is read again: still no local copy, no "Review".
      await app.click('button', 'Refresh');
      await as.findWithin(app, rowOf(ctx.id2), 'button', 'Open');
      assert.equal(await as.queryWithin(app, rowOf(ctx.id2), 'button', 'Review'), null, `no "Review" on the refused row: ${JSON.stringify(await as.buttonNames(app, rowOf(ctx.id2)))}`);
      const rows = await app.invoke('assessor_assignments');
      assert.equal(rows.find((r) => r.submission === ctx.id2)?.copy ?? null, null, 'the desk lists no local copy');
      for (const folder of ['copies', 'viewing']) {
        assert.ok(!existsSync(join(ctx.a.dir, folder, ctx.id2)), `nothing of it under ${folder}/`);
      }
      await check('open-refused', 'Assigned submissions (opening refused)');
    });

    await step('with the byte put back it opens, names the assessor, and no decision can be recorded', async () => {
      const app = holder.current;
      ctx.flipped.restore();
      await openRow(app, ctx.id2, 'Open');
      await review(app, ctx.id2, SCHOOL_2);
      const warning = await app.find('testid', 'impartiality-warning');
      const text = norm(await warning.getText());
      assert.ok(text.includes(ASSESSOR.name) || text.includes(ASSESSOR.email), `the warning says where it names them: "${text}"`);
      for (const name of ['Send recommendation', 'Send request for more evidence']) {
        const button = await app.find('button', name);
        assert.ok(await disabled(app, button), `"${name}" is disabled`);
      }
      await check('impartiality', 'Submission (names the assessor)');
      // The commands, called directly with a draft that could otherwise be sent, are refused.
      const view = await app.invoke('assessor_submission', { submission: ctx.id2 });
      assert.ok(view.named_in.length > 0 && !view.may.recommend && !view.may.request_evidence, JSON.stringify({ named_in: view.named_in, may: view.may }));
      await app.invoke('assessor_save_draft', {
        submission: ctx.id2,
        draft: { ...view.draft, strengths: STRENGTHS, areas_for_development: DEVELOPMENT, outcome: 'award', request_message: REQUEST },
      });
      for (const cmd of ['assessor_send_recommendation', 'assessor_send_request']) {
        const refused = await app.invoke(cmd, { submission: ctx.id2 }).then(
          (v) => assert.fail(`${cmd} was accepted: ${JSON.stringify(v)}`),
          (e) => e.message,
        );
        t.diagnostic(`${cmd}: ${refused}`);
        assert.match(refused, /impartial|names you/i, `${cmd} is refused for impartiality: ${refused}`);
      }
      assert.equal((await summary(ctx.endpoint, ctx.id2)).state, 'under_review', 'nothing reached the endpoint');
    });

    await step('the awarded submission’s local copy (and the file opened from it) is removed at once on request', async () => {
      const app = holder.current;
      if (!ctx.id) throw new Error('the first test did not get as far as a submission');
      await app.click('link', 'Assigned submissions');
      await app.find('heading', 'Assigned submissions');
      await review(app, ctx.id, SCHOOL);
      // (Opening version 2 cleared what version 1 had put in viewing/: one file opened again.)
      await as.clickWithin(app, benchmarkOf(ctx.asked), 'button', `Open ${ctx.file.name}`);
      await app.find('testid', 'evidence-opened', { timeout: 30_000 });
      assert.ok(existsSync(join(ctx.a.dir, 'viewing', ctx.id)), 'the evidence opened is in viewing/');
      const remove = await app.find('button', 'Remove the local copy now');
      await remove.scrollIntoView({ block: 'center' });
      await remove.click();
      await confirmDialog(app, check, 'confirm-remove', 'Submission (remove the local copy)');
      await app.find('heading', 'Assigned submissions', { timeout: 30_000 });
      await as.findWithin(app, rowOf(ctx.id), 'button', 'Open');
      assert.equal(await as.queryWithin(app, rowOf(ctx.id), 'button', 'Review'), null, 'no "Review" once the copy is removed');
      for (const folder of ['copies', 'viewing']) {
        assert.ok(!existsSync(join(ctx.a.dir, folder, ctx.id)), `nothing of it left under ${folder}/`);
      }
    });

    await assertAll();
  });
});
