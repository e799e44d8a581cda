import { describe, expect, it } from 'vitest';
import {
  awardLabel,
  copyWords,
  domId,
  draftStatusWords,
  frameworkLabel,
  judgementOf,
  openLabel,
  problemsByField,
  removalSentence,
  ROLE_WORDS,
  STAGE_WORDS,
  STATE_WORDS,
  versionWords,
  withJudgement,
} from './assessor';
import { emptyDraft, rows } from '../test/assessor';

describe('the assessor workspace’s words', () => {
  it('names every review state, role and stage of opening', () => {
    expect(STATE_WORDS.under_review).toBe('Under review');
    expect(STATE_WORDS.more_evidence_requested).toBe('More evidence requested');
    expect(STATE_WORDS.not_awarded).toBe('Not awarded');
    expect(ROLE_WORDS.assessor).toBe('Assessor');
    expect(ROLE_WORDS.moderator).toBe('Moderator');
    expect(STAGE_WORDS.verifying).toBe('Checking the school’s signature');
    expect(STAGE_WORDS.downloading).toBe('Downloading');
    expect(STAGE_WORDS.decrypting).toBe('Decrypting and checking');
  });

  it('names the framework and award by title, or by id when this build lacks them', () => {
    const [first, , moderated] = rows;
    expect(frameworkLabel(first!)).toBe('Computing Quality Framework (version 1.0)');
    expect(frameworkLabel(moderated!)).toBe('computing-quality 1.0');
    expect(awardLabel(first!)).toBe('Computing Quality Mark');
    expect(awardLabel(moderated!)).toBe('mark');
  });

  it('words the Open button and the local copy from what the desk said', () => {
    const [none, current, , stale] = rows;
    expect(openLabel(none!)).toBe('Open');
    expect(openLabel(current!)).toBe('Open again');
    expect(openLabel(stale!)).toBe('Open version 2');
    expect(copyWords(null)).toEqual(['Not on this computer']);
    expect(copyWords(stale!.copy)).toEqual([
      expect.stringMatching(/^Version 1, opened /),
      'newer version available',
      'will be removed on 6 Mar 2026',
    ]);
    expect(removalSentence(stale!.copy!, 14)).toBe('This copy will be removed from this computer automatically on 6 Mar 2026.');
    expect(removalSentence(current!.copy!, 14)).toBe(
      'This copy will be removed from this computer automatically 14 days after the review is finished or reassigned.',
    );
    expect(removalSentence(current!.copy!, 0)).toMatch(/as soon as the review is finished/);
    expect(versionWords(2, 2)).toBe('Version 2 of 2');
    expect(versionWords(1, 1)).toBe('Version 1');
  });

  it('reshapes the draft as typed, one benchmark at a time', () => {
    expect(judgementOf(emptyDraft, '1.1')).toEqual({ benchmark: '1.1', verdict: 'undecided', level: null, note: '', request: '' });
    const one = withJudgement(emptyDraft, '1.1', { verdict: 'differ', level: 3 });
    const two = withJudgement(one, '1.2', { note: 'Fine.' });
    const again = withJudgement(two, '1.1', { note: 'Seen on the visit.' });
    expect(judgementOf(again, '1.1')).toEqual({ benchmark: '1.1', verdict: 'differ', level: 3, note: 'Seen on the visit.', request: '' });
    expect(again.judgements).toHaveLength(2);
    expect(emptyDraft.judgements).toEqual([]);
  });

  it('puts the desk’s problems beside their fields, with ids any benchmark id can use', () => {
    expect(
      problemsByField([
        { field: 'strengths', message: 'First.' },
        { field: 'strengths', message: 'Second.' },
        { field: 'judgements.1.1.level', message: 'Choose a level.' },
      ]),
    ).toEqual({ strengths: 'First.', 'judgements.1.1.level': 'Choose a level.' });
    expect(domId('draft', 'judgements.1.1.level')).toBe('draft-judgements-1-1-level');
    expect(domId('b', 'A/1 b?')).toBe('b-A-1-b-');
  });

  it('says the draft is kept here and not sent', () => {
    expect(draftStatusWords('saved', '2026-03-02T09:00:00Z')).toBe('Draft saved on this computer — not sent');
    expect(draftStatusWords('saving', null)).toBe('Saving…');
    expect(draftStatusWords('dirty', null)).toBe('Unsaved changes');
  });
});
