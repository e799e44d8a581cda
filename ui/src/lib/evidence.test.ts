import { describe, expect, it } from 'vitest';
import type { EvidenceItem } from './bindings';
import { testQuality } from '../test/core';
import {
  describeWork,
  fileName,
  filterItems,
  folderOf,
  formatBytes,
  itemsForBenchmark,
  itemsForRequirement,
  needingAttention,
  statusCounts,
  workFraction,
} from './evidence';

// Items as the core sent them (two files added, one gone missing since), changed only in the
// fields a test is about; whether an item is present or needs attention is never set here.
const [vision, trip] = testQuality.evidence!.library.items as [EvidenceItem, EvidenceItem];
const item = (id: string, over: Partial<Pick<EvidenceItem, 'title' | 'path' | 'note' | 'links'>> = {}): EvidenceItem => ({
  ...vision,
  id,
  path: `/school/evidence/${id}.pdf`,
  title: `Item ${id}`,
  links: [],
  ...over,
});

describe('evidence display helpers', () => {
  it('shows sizes as file managers do', () => {
    expect(formatBytes(0)).toBe('0 bytes');
    expect(formatBytes(1)).toBe('1 byte');
    expect(formatBytes(1536)).toBe('1.5 KB');
    expect(formatBytes(12 * 1024 * 1024)).toBe('12 MB');
    expect(formatBytes(4.6 * 1024 ** 3)).toBe('4.6 GB');
    expect(formatBytes(-1)).toBe('');
  });

  it('splits Windows and Unix paths', () => {
    expect(fileName('C:\\Users\\head\\Policy.docx')).toBe('Policy.docx');
    expect(folderOf('C:\\Users\\head\\Policy.docx')).toBe('C:\\Users\\head');
    expect(fileName('/home/head/Ysgol ŵ/plan.pdf')).toBe('plan.pdf');
    expect(folderOf('/home/head/Ysgol ŵ/plan.pdf')).toBe('/home/head/Ysgol ŵ');
    expect(folderOf('plan.pdf')).toBe('');
  });

  it('counts statuses and picks out what the core says needs attention', () => {
    expect(vision.status).toBe('ok');
    expect(trip).toMatchObject({ status: 'missing', present: false, needs_attention: true });
    expect(statusCounts([vision, trip])).toEqual({ ok: 1, modified: 0, missing: 1, moved: 0, unreadable: 0 });
    expect(needingAttention([vision, trip]).map((i) => i.title)).toEqual(['trip.jpg']);
    // The core's flag decides, not the status word.
    expect(needingAttention([{ ...vision, needs_attention: true }, { ...trip, needs_attention: false }]).map((i) => i.title)).toEqual(['Vision.pdf']);
  });

  it('finds items by benchmark and by requirement', () => {
    const items = [
      item('a', { links: [{ benchmark_id: '1.1', requirement_id: '1.1-plan' }] }),
      item('b', { links: [{ benchmark_id: '1.1', requirement_id: null }] }),
      item('c', { links: [{ benchmark_id: '2.1', requirement_id: null }] }),
    ];
    expect(itemsForBenchmark(items, '1.1').map((i) => i.id)).toEqual(['a', 'b']);
    expect(itemsForRequirement(items, '1.1-plan').map((i) => i.id)).toEqual(['a']);
  });

  it('filters by status and by words in title, path or note', () => {
    const items = [
      item('a', { title: 'Curriculum map', note: 'Year 7' }),
      { ...trip, id: 'b', title: 'Survey' },
      item('c', { title: 'Lesson video', path: '/videos/lesson.mp4' }),
    ];
    expect(filterItems(items, { status: 'attention', text: '' }).map((i) => i.id)).toEqual(['b']);
    expect(filterItems(items, { status: 'ok', text: '' }).map((i) => i.id)).toEqual(['a', 'c']);
    expect(filterItems(items, { status: 'all', text: 'year 7' }).map((i) => i.id)).toEqual(['a']);
    expect(filterItems(items, { status: 'all', text: 'VIDEOS lesson' }).map((i) => i.id)).toEqual(['c']);
  });

  it('describes progress by files and bytes, and measures it by bytes', () => {
    const p = { files_done: 3, files_total: 12, bytes_done: 1024 ** 3, bytes_total: 4 * 1024 ** 3 };
    expect(describeWork(p)).toBe('3 of 12 files, 1.0 GB of 4.0 GB');
    expect(workFraction(p)).toBe(0.25);
    expect(workFraction({ files_done: 1, files_total: 4, bytes_done: 0, bytes_total: 0 })).toBe(0.25);
    expect(workFraction({ files_done: 0, files_total: 0, bytes_done: 0, bytes_total: 0 })).toBe(0);
  });
});
