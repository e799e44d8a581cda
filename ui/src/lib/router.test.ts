import { describe, expect, it } from 'vitest';
import { benchmarkHref, href, parseHash, section, type Route } from './router';

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
  });

  it('reports unknown paths as not found', () => {
    expect(parseHash('#/nowhere')).toEqual({ name: 'not-found', path: '/nowhere' });
    expect(parseHash('#/benchmarks/1.1/extra')).toEqual({ name: 'not-found', path: '/benchmarks/1.1/extra' });
    expect(parseHash('#/actions/5')).toEqual({ name: 'not-found', path: '/actions/5' });
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
  });
});
