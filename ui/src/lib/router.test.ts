import { describe, expect, it } from 'vitest';
import { awardingBodyHref, benchmarkHref, href, isAssessorRoute, parseHash, section, type Route } from './router';

describe('router', () => {
  it('parses every screen', () => {
    expect(parseHash('')).toEqual({ name: 'dashboard' });
    expect(parseHash('#/')).toEqual({ name: 'dashboard' });
    expect(parseHash('#/dashboard')).toEqual({ name: 'dashboard' });
    expect(parseHash('#/benchmarks')).toEqual({ name: 'benchmarks' });
    expect(parseHash('#/benchmarks?d=3')).toEqual({ name: 'benchmarks', dimension: '3' });
    expect(parseHash('#/benchmarks/2.3')).toEqual({ name: 'benchmark', id: '2.3' });
    expect(parseHash('#/actions')).toEqual({ name: 'actions' });
    expect(parseHash('#/group')).toEqual({ name: 'group' });
    expect(parseHash('#/search?q=online%20safety')).toEqual({ name: 'search', query: 'online safety' });
    expect(parseHash('#/settings')).toEqual({ name: 'settings' });
    expect(parseHash('#/settings?s=awarding-body')).toEqual({ name: 'settings', section: 'awarding-body' });
    expect(parseHash('#/submissions')).toEqual({ name: 'submissions' });
    expect(parseHash('#/apply/mark')).toEqual({ name: 'apply', award: 'mark' });
    expect(parseHash('#/renewal/compare')).toEqual({ name: 'renewal-compare' });
    expect(parseHash('#/privacy')).toEqual({ name: 'privacy' });
    expect(parseHash('#/assessor')).toEqual({ name: 'assessor' });
    expect(parseHash('#/assessor/sign-in')).toEqual({ name: 'assessor-sign-in' });
    expect(parseHash('#/assessor/settings')).toEqual({ name: 'assessor-settings' });
    expect(parseHash('#/assessor/0190c7a2-0000-7000-8000-000000000001')).toEqual({
      name: 'assessor-submission',
      id: '0190c7a2-0000-7000-8000-000000000001',
    });
  });

  it('tells the assessor workspace apart from the school review', () => {
    expect(isAssessorRoute({ name: 'assessor' })).toBe(true);
    expect(isAssessorRoute({ name: 'assessor-submission', id: 'x' })).toBe(true);
    expect(isAssessorRoute({ name: 'dashboard' })).toBe(false);
    expect(isAssessorRoute({ name: 'settings' })).toBe(false);
    expect(section({ name: 'assessor-submission', id: 'x' })).toBe('assessor');
  });

  it('reports unknown paths as not found', () => {
    expect(parseHash('#/nowhere')).toEqual({ name: 'not-found', path: '/nowhere' });
    expect(parseHash('#/benchmarks/1.1/extra')).toEqual({ name: 'not-found', path: '/benchmarks/1.1/extra' });
    expect(parseHash('#/actions/5')).toEqual({ name: 'not-found', path: '/actions/5' });
    expect(parseHash('#/apply')).toEqual({ name: 'not-found', path: '/apply' });
    expect(parseHash('#/renewal')).toEqual({ name: 'not-found', path: '/renewal' });
    expect(parseHash('#/submissions/1')).toEqual({ name: 'not-found', path: '/submissions/1' });
  });

  it('round-trips routes, including ids that need escaping', () => {
    const routes: Route[] = [
      { name: 'dashboard' },
      { name: 'benchmarks' },
      { name: 'benchmarks', dimension: 'leadership & vision' },
      { name: 'benchmark', id: 'A/1 b?' },
      { name: 'actions' },
      { name: 'group' },
      { name: 'search', query: 'a&b=c #d' },
      { name: 'search', query: '' },
      { name: 'settings' },
      { name: 'settings', section: 'awarding-body' },
      { name: 'submissions' },
      { name: 'apply', award: 'mark & more/1' },
      { name: 'renewal-compare' },
      { name: 'privacy' },
      { name: 'assessor' },
      { name: 'assessor-sign-in' },
      { name: 'assessor-settings' },
      { name: 'assessor-submission', id: '0190c7a2-0000-7000-8000-000000000001' },
    ];
    for (const r of routes) expect(parseHash(href(r))).toEqual(r);
  });

  it('keeps a malformed escape as written', () => {
    expect(parseHash('#/benchmarks/%E0%A4%A')).toEqual({ name: 'benchmark', id: '%E0%A4%A' });
  });

  it('builds benchmark links and sidebar sections', () => {
    expect(benchmarkHref('1.2')).toBe('#/benchmarks/1.2');
    expect(section({ name: 'benchmark', id: '1.2' })).toBe('benchmarks');
    expect(section({ name: 'actions' })).toBe('actions');
    expect(section({ name: 'apply', award: 'mark' })).toBe('submissions');
    expect(section({ name: 'renewal-compare' })).toBe('dashboard');
    expect(awardingBodyHref()).toBe('#/settings?s=awarding-body');
  });
});
