// Saving PDFs: the OS save dialog picks the place, the shell produces and writes the file.

import { api } from './api';
import type { DocumentKind, Exported } from './bindings';

/** A file name without characters Windows, macOS or Linux refuse. */
export function safeFileName(name: string): string {
  const cleaned = [...name]
    .map((c) => (c.charCodeAt(0) < 32 || '<>:"/\\|?*'.includes(c) ? ' ' : c))
    .join('')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/[. ]+$/, '');
  return cleaned || 'Waymark document';
}

/** "Certificate of Commitment - Ysgol Llanfair.pdf". */
export function suggestedName(title: string, institution: string): string {
  return `${safeFileName(`${title} - ${institution}`)}.pdf`;
}

/** Asks where to save, then saves; null when the lead cancels the dialog. */
export async function saveDocument(document: DocumentKind, defaultName: string): Promise<Exported | null> {
  const { save } = await import('@tauri-apps/plugin-dialog');
  const path = await save({
    title: 'Save as PDF',
    defaultPath: defaultName,
    filters: [{ name: 'PDF document', extensions: ['pdf'] }],
  });
  if (path === null) return null;
  return api.exportDocument({ document, path });
}

/** Asks where to save a submission's signed receipt, then saves it (JSON); null when the lead
 * cancels the dialog. The shell answers with the path it wrote. */
export async function saveReceipt(id: string, defaultName: string): Promise<string | null> {
  const { save } = await import('@tauri-apps/plugin-dialog');
  const path = await save({
    title: 'Save receipt',
    defaultPath: defaultName,
    filters: [{ name: 'Signed receipt', extensions: ['json'] }],
  });
  if (path === null) return null;
  return api.saveReceipt({ id, path });
}
