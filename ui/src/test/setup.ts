// jsdom lacks a few browser methods the UI calls; give them harmless stand-ins.
Element.prototype.scrollIntoView ??= function scrollIntoView() {};
Element.prototype.scrollTo ??= function scrollTo() {};
