import { describe, expect, it } from 'vitest';
import { safeFileName, suggestedName } from './documents';

describe('document file names', () => {
  it('keeps Welsh letters and drops characters file systems refuse', () => {
    expect(suggestedName('Certificate of Commitment', 'Ysgol Gynradd Llanfair ŵŷ')).toBe(
      'Certificate of Commitment - Ysgol Gynradd Llanfair ŵŷ.pdf',
    );
    expect(safeFileName('St Mary’s C/E: "Juniors"?')).toBe('St Mary’s C E Juniors');
    expect(safeFileName('Trailing dots...')).toBe('Trailing dots');
    expect(safeFileName('***')).toBe('Waymark document');
  });
});
