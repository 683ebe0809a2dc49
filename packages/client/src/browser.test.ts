import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

/**
 * The modules a compiled module loads at run time: `from '…'`, `import '…'` and `import('…')`
 * (type-only imports are gone from the JS). A match in a string or comment only makes the check stricter.
 */
function importsOf(file: string): string[] {
  const source = readFileSync(file, 'utf8');
  return [...source.matchAll(/\bfrom\s*['"]([^'"]+)['"]|\bimport\s*\(?\s*['"]([^'"]+)['"]/g)].map(
    (match) => (match[1] ?? match[2]) as string,
  );
}

test('@engineconn/client/browser reaches no Node API and no package but the protocol', () => {
  const seen = new Set<string>();
  const outside: string[] = [];
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const specifier of importsOf(file)) {
      if (specifier.startsWith('.')) visit(resolve(dirname(file), specifier));
      else if (!specifier.startsWith('@engineconn/protocol')) outside.push(`${file}: ${specifier}`);
    }
  };
  visit(fileURLToPath(new URL('browser.js', import.meta.url)));
  assert.deepEqual(outside, []);
  assert.ok(seen.size > 3, `walked ${[...seen].join(', ')}`);
});
