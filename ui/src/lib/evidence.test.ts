import { describe, expect, it } from 'vitest';
import type { EvidenceItem } from './bindings';
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

const item = (id: string, over: Partial<EvidenceItem> = {}): EvidenceItem => ({
  id,
  path: `/school/evidence/${id}.pdf`,
  title: `Item ${id}`,
  note: null,
  media_type: 'application/pdf',
  size: 1000,
  hash: 'ab'.repeat(32),
  status: 'ok',
  status_detail: null,
  personal_data: false,
  frozen_hash: null,
  links: [],
  added_by: 'sam',
  added_at: '2026-11-01T09:00:00Z',
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

  it('counts statuses and picks out what needs attention', () => {
    const items = [item('a'), item('b', { status: 'missing' }), item('c', { status: 'modified' }), item('d', { status: 'moved' })];
    expect(statusCounts(items)).toEqual({ ok: 1, modified: 1, missing: 1, moved: 1, unreadable: 0 });
    expect(needingAttention(items).map((i) => i.id)).toEqual(['b', 'c']);
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
      item('b', { title: 'Survey', status: 'missing' }),
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
