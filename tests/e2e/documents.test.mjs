// Certificates and reports from the running app: the dashboard offers "Save certificate as
// PDF…" only for certificates the school has earned and may print itself, and what the app
// saves is a real PDF with the school's name in it (checked with pdftotext).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newDataDir, withApp } from './lib/app.mjs';
import * as wm from './lib/waymark.mjs';

const NAME = 'Ysgol Gynradd Llanfair ŵŷ (E2E)';

test('an earned certificate and the report are saved as PDFs from the app', { timeout: 5 * 60_000 }, async (t) => {
  const dir = newDataDir(t);
  const out = mkdtempSync(join(tmpdir(), 'waymark-e2e-documents-'));
  t.after(() => rmSync(out, { recursive: true, force: true }));
  await withApp(dir, 'documents', async (app) => {
    await wm.register(app, { frameworkId: 'computing-quality', name: NAME, email: 'lead@llanfair.example' });
    await app.find('heading', 'Dashboard');
    const buttons = await app.browser.execute(() =>
      Object.fromEntries(
        [...document.querySelectorAll('[data-testid^="award-"]')].map((card) => [
          card.dataset.testid,
          [...card.querySelectorAll('button')].some((b) => b.textContent.includes('Save certificate as PDF')),
        ]),
      ),
    );
    assert.deepEqual(buttons, { 'award-commitment': true, 'award-progress': false, 'award-quality-mark': false });
    await app.find('button', 'Save self-review report as PDF…');

    // What the button does once the save dialog returns a path.
    const saved = await app.invoke('export_document', {
      input: { document: { kind: 'certificate', award_id: 'commitment' }, path: join(out, 'Commitment') },
    });
    assert.equal(saved.pages, 1);
    const text = execFileSync('pdftotext', [saved.path, '-'], { encoding: 'utf8' });
    assert.match(text, /Certificate of Commitment/);
    assert.ok(text.includes(NAME), `the school's name is in the PDF:\n${text}`);

    const refused = await app.invoke('export_document', {
      input: { document: { kind: 'certificate', award_id: 'progress' }, path: join(out, 'Progress.pdf') },
    }).then(() => null, (e) => e.message);
    assert.match(refused ?? '', /not available yet/, 'the progress certificate is refused with the reason');

    const report = await app.invoke('export_document', { input: { document: { kind: 'report' }, path: join(out, 'Report.pdf') } });
    assert.ok(report.pages >= 2, `report pages: ${report.pages}`);
    await app.quit();
  });
});
