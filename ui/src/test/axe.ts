// Runs axe-core on the rendered page. Colour contrast is left out here because jsdom does no
// layout or cascade; src/styles/theme.test.ts checks every colour pair of both themes instead.
import axe from 'axe-core';

export async function axeViolations(root: Element = document.body): Promise<string[]> {
  const results = await axe.run(root, {
    rules: { 'color-contrast': { enabled: false } },
  });
  return results.violations.map(
    (v) => `${v.id}: ${v.help}\n  ${v.nodes.map((n) => n.target.join(' ')).join('\n  ')}`,
  );
}
