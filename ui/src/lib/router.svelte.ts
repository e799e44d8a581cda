// The current route as reactive state, kept in step with the location hash.

import { href, parseHash, type Route } from './router';

export const router = $state<{ route: Route }>({ route: parseHash(location.hash) });

/** Starts following the hash; returns the function that stops it. */
export function startRouter(): () => void {
  const update = () => {
    router.route = parseHash(location.hash);
  };
  update();
  window.addEventListener('hashchange', update);
  return () => window.removeEventListener('hashchange', update);
}

/** Goes to a route (adds a history entry, so Back returns). */
export function navigate(route: Route): void {
  const target = href(route);
  if (location.hash !== target) location.hash = target;
  else router.route = parseHash(target);
}
