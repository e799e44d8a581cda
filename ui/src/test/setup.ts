import { afterEach } from 'vitest';
import { takeMissing } from './fakeBackend';

// jsdom lacks a few browser methods the UI calls; give them harmless stand-ins.
Element.prototype.scrollIntoView ??= function scrollIntoView() {};
Element.prototype.scrollTo ??= function scrollTo() {};

// The fake shell answers only with what the core was recorded answering. The UI may swallow the
// error it throws for anything else (a status refresh shows a message), so fail the test here.
afterEach(() => {
  const missing = takeMissing();
  if (missing.length > 0) throw new Error(missing.join('\n'));
});
