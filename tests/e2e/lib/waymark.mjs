// Waymark's screens as a person uses them, over the hooks agreed with the UI:
//   first run   data-testid="framework-<id>", fields "Institution name" and "Email", button "Register"
//   sidebar     links "Dashboard", "Benchmarks", "Action plan", "Working group", "Search"
//   dashboard   heading "Dashboard"; data-testid "award-commitment", "award-progress",
//               "award-quality-mark", whose text contains "Eligible" when eligible;
//               "overall-progress" ("D of T benchmarks done (P%)"), "evidence-progress"
//               ("Required evidence: D of T items (P%)"), "dimension-<id>" (ending
//               "D of T (P%)"), "evidence-files" ("N evidence files; M need attention")
//   benchmark   data-testid="benchmark-page"; radios name="level" value="1".."4"; field
//               "Commentary"; data-testid="save-status" ("Saved" exactly when saved);
//               buttons "Previous", "Next"
//   action plan fields "Action", "Owner", "Due date"; button "Add action";
//               rows data-testid="action-row"; button "Mark done"

/** An award card's text says the award is available. */
export function isEligible(text) {
  return /\bEligible\b/.test(text) && !/\b(not|in)\s*(yet\s+)?eligible\b/i.test(text);
}

/** YYYY-MM-DD, `days` from today. */
export function isoDate(days) {
  const d = new Date(Date.now() + days * 86_400_000);
  return d.toISOString().slice(0, 10);
}

/** The first-run screen is showing the framework card for `frameworkId`. */
export async function waitForFirstRun(app, frameworkId = 'computing-quality') {
  return app.find('testid', `framework-${frameworkId}`);
}

/** Chooses a framework and fills in the registration form (without submitting). */
export async function fillRegistration(app, { frameworkId = 'computing-quality', name, email }) {
  await app.click('testid', `framework-${frameworkId}`);
  if (name !== undefined) await app.type('Institution name', name);
  if (email !== undefined) await app.type('Email', email);
}

/** Registers through the first-run screen and waits for the dashboard. */
export async function register(app, details) {
  await fillRegistration(app, details);
  await app.click('button', 'Register');
  await app.find('heading', 'Dashboard');
}

/** Goes to a sidebar section and waits for its heading (same words as the link). */
export async function openSection(app, name) {
  await app.click('link', name);
  await app.find('heading', name);
}

/** The benchmarks of the current review, in framework order: [{id, title}]. */
export async function benchmarks(app) {
  const { framework } = await app.invoke('review_framework');
  const out = [];
  for (const d of framework.dimensions) {
    for (const b of d.benchmarks) out.push({ id: b.id, title: b.title });
    for (const g of d.groups ?? []) for (const b of g.benchmarks) out.push({ id: b.id, title: b.title });
  }
  return out;
}

/**
 * Opens a benchmark from the Benchmarks screen by its title. (How the list links to a
 * benchmark is not one of the agreed hooks: this uses any link or button whose accessible
 * name contains the title.)
 */
export async function openBenchmark(app, title) {
  await openSection(app, 'Benchmarks');
  await app.click('link-containing', title);
  await waitForBenchmarkPage(app, title);
}

/** Waits for the benchmark page whose heading names `title`. */
export async function waitForBenchmarkPage(app, title) {
  await app.find('testid', 'benchmark-page');
  await app.until(
    () =>
      app.browser.execute((title) => {
        const page = document.querySelector('[data-testid="benchmark-page"]');
        return !!page && [...page.querySelectorAll('h1, h2')].some((h) => h.textContent.includes(title));
      }, title),
    async () => `the benchmark page never had a heading naming "${title}"\nOn screen:\n${await app.inventory()}`,
  );
}

/** Picks a level: the radio itself, or its label when the radio is visually hidden. */
export async function chooseLevel(app, level) {
  const radio = await app.find('radio', 'level', { value: String(level) });
  try {
    await radio.click();
  } catch {
    const label = await app.browser.execute((el) => (el.labels && el.labels[0]) || el.closest('label'), radio);
    if (!label) throw new Error(`radio level ${level} cannot be clicked and has no label to click`);
    await (await app.browser.$(label)).click();
  }
  await app.until(() => radio.isSelected(), `level ${level} did not become selected after clicking it`);
}

/** The level chosen on the benchmark page (null if none). */
export async function chosenLevel(app) {
  for (const v of ['1', '2', '3', '4']) {
    const r = await app.query('radio', 'level', v);
    if (r && (await r.isSelected())) return Number(v);
  }
  return null;
}

/** Waits for the save status to read exactly "Saved". */
export async function waitSaved(app, timeout) {
  return app.waitForText('testid', 'save-status', (t) => t === 'Saved', '"Saved"', timeout);
}

/**
 * Answers the open benchmark: level, then commentary; waits for "Saved" and for the store to
 * hold exactly this answer.
 */
export async function answer(app, { level, commentary }) {
  await chooseLevel(app, level);
  await app.type('Commentary', commentary);
  await waitSaved(app);
  await app.until(
    async () => (await app.invoke('list_responses')).some((r) => r.level === level && r.commentary === commentary),
    `"Saved" showed but the store has no response with level ${level} and commentary "${commentary}"`,
  );
}

/** Moves to the next benchmark and waits for it to show `title`. */
export async function next(app, title) {
  await app.click('button', 'Next');
  await waitForBenchmarkPage(app, title);
}

/** The current review's award status by id, from the store. */
export async function awardsFromStore(app) {
  const status = await app.invoke('current_status');
  return Object.fromEntries((status?.progress?.awards ?? []).map((a) => [a.id, a]));
}

/** Sets a date field: typed as a person would; if the field does not take typing, set directly. */
export async function setDate(app, label, iso) {
  const el = await app.type(label, iso);
  if ((await el.getValue()) === iso) return 'typed';
  await app.browser.execute(
    (el, v) => {
      el.value = v;
      el.dispatchEvent(new Event('input', { bubbles: true }));
      el.dispatchEvent(new Event('change', { bubbles: true }));
    },
    el,
    iso,
  );
  if ((await el.getValue()) !== iso) throw new Error(`the "${label}" field does not take the value ${iso}`);
  return 'set by script (typing was not taken)';
}

/** The action-plan rows' texts. */
export async function actionRows(app) {
  const rows = await app.browser.$$('[data-testid="action-row"]');
  const out = [];
  for (const r of rows) out.push({ el: r, text: (await r.getText()).replace(/\s+/g, ' ').trim() });
  return out;
}

/** Waits for an action-plan row containing `text`. */
export async function waitForActionRow(app, text) {
  return app.until(
    async () => (await actionRows(app)).find((r) => r.text.includes(text)),
    async () => `no [data-testid="action-row"] contains "${text}"\nOn screen:\n${await app.inventory()}`,
  );
}

/** Fills in and adds an action; waits for its row. */
export async function addAction(app, { text, owner, due }) {
  await app.type('Action', text);
  if (owner !== undefined) await app.type('Owner', owner);
  const how = due !== undefined ? await setDate(app, 'Due date', due) : 'none';
  await app.click('button', 'Add action');
  const row = await waitForActionRow(app, text);
  return { row, dateEntry: how };
}

// ---------------------------------------------------------------------------------------------
// Applying for a mark (the submission screens), over the hooks agreed with the UI:
//   settings    "Awarding body": data-testid "awarding-body-code" (input), "check-code" →
//               "code-check" (awarding body's name, fingerprint), "enroll" → "connection"
//   dashboard   "award-<awardId>" with "apply-<awardId>" / "resubmit-<awardId>" and
//               "application-stage-<awardId>"; "renewal" (data-state not_yet/open/expired)
//               with "start-renewal"; "renewal-comparison" with rows "compare-<benchmarkId>"
//   apply       "apply-screen", "apply-summary", "bytes-to-send", "new-evidence",
//               "personal-data-item-<evidenceId>" with "confirm-<evidenceId>" (checkbox) and
//               "open-<evidenceId>"; "apply-submit" (disabled until every item is ticked),
//               "apply-progress", "apply-done"
//   always      "delivery" (data-state idle/sending/offline/waiting/needs_enrollment) with
//               "delivery-progress" (role=progressbar, aria-valuenow/-max in bytes) and
//               "delivery-send-now"
//   submissions sidebar "nav-submissions"; "refresh-submissions"; cards "submission"
//               (data-stage); "timeline-step-<stage>" (data-state done/current/upcoming);
//               "request", "request-benchmark-<id>"; "award-record", "award-expires",
//               "save-mark-certificate"; "view-receipt-<versionId>", "receipt-text",
//               "receipt-verified"
//   benchmarks  tree marker "requested-<benchmarkId>"; on the benchmark page "evidence-request"

/** An attribute of the first element with data-testid `testid` (shown or not), or null. */
export async function attribute(app, testid, name) {
  return app.browser.execute(
    (id, n) => document.querySelector(`[data-testid="${CSS.escape(id)}"]`)?.getAttribute(n) ?? null,
    testid,
    name,
  );
}

/** Waits until that attribute satisfies `ok`; fails with the last value seen. */
export async function waitForAttribute(app, testid, name, ok, what, timeout) {
  let last = null;
  await app.until(
    async () => {
      last = await attribute(app, testid, name);
      return ok(last);
    },
    async () => `[data-testid="${testid}"] ${name} never became ${what} within ${(timeout ?? 15000) / 1000} s; last: ${JSON.stringify(last)}\nOn screen:\n${await app.inventory()}`,
    timeout,
  );
  return last;
}

/** Whether a control is disabled (the `disabled` property, or aria-disabled="true"). */
export async function isDisabled(app, el) {
  return app.browser.execute((e) => e.disabled === true || e.getAttribute('aria-disabled') === 'true', el);
}

/**
 * Ticks a checkbox found by data-testid (custom-styled ones are often visually hidden: then
 * its label is clicked), and waits for it to be ticked.
 */
export async function tick(app, testid) {
  const el = await app.until(
    async () => {
      const ref = await app.browser.execute((id) => document.querySelector(`[data-testid="${CSS.escape(id)}"]`), testid);
      return ref ? app.browser.$(ref) : null;
    },
    async () => `Hook not found: [data-testid="${testid}"]\nOn screen:\n${await app.inventory()}`,
  );
  if (!(await el.isSelected())) {
    try {
      await el.click();
    } catch {
      const label = await app.browser.execute((e) => (e.labels && e.labels[0]) || e.closest('label'), el);
      if (!label) throw new Error(`[data-testid="${testid}"] cannot be clicked and has no label to click`);
      await (await app.browser.$(label)).click();
    }
  }
  await app.until(() => el.isSelected(), `[data-testid="${testid}"] did not become ticked after clicking it`);
  return el;
}

/**
 * Sizes written in a text ("48.8 kB", "1.2 MiB", "512 bytes"), as the bytes they may stand
 * for: [{text, low, high}] (decimal and binary readings, with the rounding of what is shown).
 */
export function sizesIn(text) {
  const units = { b: 0, byte: 0, bytes: 0, kb: 1, kib: 1, mb: 2, mib: 2, gb: 3, gib: 3 };
  const out = [];
  for (const m of text.matchAll(/(\d[\d,]*(?:\.\d+)?)\s*(bytes?|B|kB|KB|KiB|MB|MiB|GB|GiB)\b/gi)) {
    const n = Number(m[1].replace(/,/g, ''));
    const decimals = (m[1].split('.')[1] ?? '').length;
    const half = 0.5 * 10 ** -decimals;
    const power = units[m[2].toLowerCase()];
    const readings = power === 0 ? [1] : [1000 ** power, 1024 ** power];
    out.push({
      text: m[0],
      low: Math.min(...readings.map((r) => (n - half) * r)),
      high: Math.max(...readings.map((r) => (n + half) * r)),
    });
  }
  return out;
}
