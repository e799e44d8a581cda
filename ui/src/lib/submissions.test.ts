import { describe, expect, it } from 'vitest';
import { deliveries } from '../test/submissions';
import { daysLeftText, formatMoment, levelChangeText, receiptFileName, sendingText, timeLeftText } from './submissions';

// The shell decides the delivery's numbers, the days left and how levels compare; these only
// word them.
describe('submission words', () => {
  it('says how long sending has left, roughly', () => {
    expect(timeLeftText(20)).toBe('less than a minute left');
    expect(timeLeftText(60)).toBe('about 1 minute left');
    expect(timeLeftText(185)).toBe('about 3 minutes left');
    expect(timeLeftText(3600)).toBe('about 1 hour left');
    expect(timeLeftText(2 * 3600 + 20 * 60)).toBe('about 2 hours 20 minutes left');
    expect(timeLeftText(-1)).toBe('');
  });

  it('describes sending in files, bytes and time left, as far as they are known', () => {
    expect(sendingText(deliveries.sending)).toBe('Sending 4 of 12 files · 120 MB of 340 MB · about 3 minutes left');
    expect(sendingText({ ...deliveries.sending, seconds_left: null })).toBe('Sending 4 of 12 files · 120 MB of 340 MB');
    expect(sendingText({ ...deliveries.sending, files_done: 0, files_total: 1, bytes_total: 0, bytes_done: 0, seconds_left: null })).toBe(
      'Sending 0 of 1 file',
    );
    expect(sendingText({ ...deliveries.idle, state: 'sending' })).toBe('Sending your application…');
  });

  it('counts the days until a mark expires, and since', () => {
    expect(daysLeftText(148)).toBe('148 days left');
    expect(daysLeftText(1)).toBe('1 day left');
    expect(daysLeftText(0)).toBe('Last valid day today');
    expect(daysLeftText(-1)).toBe('Expired yesterday');
    expect(daysLeftText(-12)).toBe('Expired 12 days ago');
  });

  it('shows dates and times the shell sends as people read them', () => {
    expect(formatMoment('2029-03-02')).toBe('2 Mar 2029');
    expect(formatMoment('2020-01-05T10:00:00.000Z')).toMatch(/^5 Jan 2020 at \d\d:\d\d$/);
  });

  it('words how a level compares with the awarded review’s', () => {
    expect(levelChangeText('more_mature')).toBe('More mature');
    expect(levelChangeText('same')).toBe('Same');
    expect(levelChangeText('less_mature')).toBe('Less mature');
    expect(levelChangeText(null)).toBe('');
  });

  it('suggests a receipt’s file name', () => {
    expect(receiptFileName('Test Mark', 'St Mary’s C/E')).toBe('Receipt - Test Mark - St Mary’s C E.json');
  });
});
