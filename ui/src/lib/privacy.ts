// Saving what the Privacy screen produces: the OS save dialog picks the place, the shell writes
// the file (the export archive as a job; the awarding body's signed erasure confirmation).

import { api } from './api';
import type { ExportReport } from './bindings';
import { safeFileName } from './documents';

/** "Waymark export - Hillside Primary.tar". */
export function suggestedExportName(institution: string): string {
  return `${safeFileName(institution ? `Waymark export - ${institution}` : 'Waymark export')}.tar`;
}

/** Asks where to save the export, then exports; null when the lead cancels the dialog. */
export async function saveExport(withEvidence: boolean, defaultName: string): Promise<ExportReport | null> {
  const { save } = await import('@tauri-apps/plugin-dialog');
  const path = await save({
    title: withEvidence ? 'Export everything, with the evidence' : 'Export everything',
    defaultPath: defaultName,
    filters: [{ name: 'Waymark export (tar archive)', extensions: ['tar'] }],
  });
  if (path === null) return null;
  return api.exportData(path, withEvidence);
}

/** Asks where to save the awarding body's signed confirmation of the erasure; null when the
 * lead cancels the dialog. The shell answers with the path it wrote. */
export async function saveErasureConfirmation(defaultName: string): Promise<string | null> {
  const { save } = await import('@tauri-apps/plugin-dialog');
  const path = await save({
    title: 'Save the erasure confirmation',
    defaultPath: defaultName,
    filters: [{ name: 'Signed confirmation', extensions: ['json'] }],
  });
  if (path === null) return null;
  return api.saveErasureConfirmation(path);
}
