// A tiny hash router: the route is the part after "#", so the embedded UI needs no server
// rewrites and Back/Forward work. Parsing and building are pure so they can be tested.

export type Route =
  | { name: 'dashboard' }
  | { name: 'benchmarks'; dimension?: string }
  | { name: 'benchmark'; id: string }
  | { name: 'actions' }
  | { name: 'evidence' }
  | { name: 'group' }
  | { name: 'search'; query: string }
  | { name: 'settings'; section?: string }
  | { name: 'submissions' }
  | { name: 'apply'; award: string }
  | { name: 'renewal-compare' }
  | { name: 'privacy' }
  | { name: 'assessor' }
  | { name: 'assessor-sign-in' }
  | { name: 'assessor-settings' }
  | { name: 'assessor-submission'; id: string }
  | { name: 'not-found'; path: string };

/** The routes of the assessor workspace (apart from the school's review). */
export function isAssessorRoute(route: Route): boolean {
  return route.name.startsWith('assessor');
}

/** The Settings section where this computer is connected to the awarding body. */
export const AWARDING_BODY_SECTION = 'awarding-body';

/** The route a location hash ("#/benchmarks/1.2") stands for. */
export function parseHash(hash: string): Route {
  const raw = hash.replace(/^#/, '');
  const [pathPart = '', queryPart = ''] = raw.split('?', 2);
  const segments = pathPart
    .split('/')
    .filter((s) => s !== '')
    .map((s) => safeDecode(s));
  const params = new URLSearchParams(queryPart);
  const [first, second, ...rest] = segments;
  if (rest.length > 0) return { name: 'not-found', path: pathPart };
  switch (first) {
    case undefined:
    case 'dashboard':
      return second === undefined ? { name: 'dashboard' } : notFound(pathPart);
    case 'benchmarks':
      if (second !== undefined) return { name: 'benchmark', id: second };
      return params.get('d') ? { name: 'benchmarks', dimension: params.get('d') ?? '' } : { name: 'benchmarks' };
    case 'actions':
      return second === undefined ? { name: 'actions' } : notFound(pathPart);
    case 'evidence':
      return second === undefined ? { name: 'evidence' } : notFound(pathPart);
    case 'group':
      return second === undefined ? { name: 'group' } : notFound(pathPart);
    case 'search':
      return second === undefined ? { name: 'search', query: params.get('q') ?? '' } : notFound(pathPart);
    case 'settings':
      if (second !== undefined) return notFound(pathPart);
      return params.get('s') ? { name: 'settings', section: params.get('s') ?? '' } : { name: 'settings' };
    case 'submissions':
      return second === undefined ? { name: 'submissions' } : notFound(pathPart);
    case 'apply':
      return second !== undefined ? { name: 'apply', award: second } : notFound(pathPart);
    case 'renewal':
      return second === 'compare' ? { name: 'renewal-compare' } : notFound(pathPart);
    case 'privacy':
      return second === undefined ? { name: 'privacy' } : notFound(pathPart);
    case 'assessor':
      if (second === undefined) return { name: 'assessor' };
      if (second === 'sign-in') return { name: 'assessor-sign-in' };
      if (second === 'settings') return { name: 'assessor-settings' };
      return { name: 'assessor-submission', id: second };
    default:
      return notFound(pathPart);
  }
}

/** The hash ("#/…") for a route; parseHash(href(r)) gives r back. */
export function href(route: Route): string {
  switch (route.name) {
    case 'dashboard':
      return '#/dashboard';
    case 'benchmarks':
      return route.dimension ? `#/benchmarks?${new URLSearchParams({ d: route.dimension })}` : '#/benchmarks';
    case 'benchmark':
      return `#/benchmarks/${encodeURIComponent(route.id)}`;
    case 'actions':
      return '#/actions';
    case 'evidence':
      return '#/evidence';
    case 'group':
      return '#/group';
    case 'search':
      return route.query ? `#/search?${new URLSearchParams({ q: route.query })}` : '#/search';
    case 'settings':
      return route.section ? `#/settings?${new URLSearchParams({ s: route.section })}` : '#/settings';
    case 'submissions':
      return '#/submissions';
    case 'apply':
      return `#/apply/${encodeURIComponent(route.award)}`;
    case 'renewal-compare':
      return '#/renewal/compare';
    case 'privacy':
      return '#/privacy';
    case 'assessor':
      return '#/assessor';
    case 'assessor-sign-in':
      return '#/assessor/sign-in';
    case 'assessor-settings':
      return '#/assessor/settings';
    case 'assessor-submission':
      return `#/assessor/${encodeURIComponent(route.id)}`;
    case 'not-found':
      return `#${route.path}`;
  }
}

/** Shorthand for a benchmark page's hash. */
export function benchmarkHref(id: string): string {
  return href({ name: 'benchmark', id });
}

/** Shorthand for the Settings section where the awarding body's code is entered. */
export function awardingBodyHref(): string {
  return href({ name: 'settings', section: AWARDING_BODY_SECTION });
}

/** Which sidebar section a route belongs to (a benchmark page is under "Benchmarks", applying
 * under "Submissions", the renewal's comparison under "Dashboard", where renewal starts). */
export function section(route: Route): Route['name'] {
  switch (route.name) {
    case 'benchmark':
      return 'benchmarks';
    case 'apply':
      return 'submissions';
    case 'renewal-compare':
      return 'dashboard';
    case 'assessor-submission':
      return 'assessor';
    default:
      return route.name;
  }
}

function notFound(path: string): Route {
  return { name: 'not-found', path };
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
