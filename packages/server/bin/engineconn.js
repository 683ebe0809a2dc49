#!/usr/bin/env node
import { readFileSync, statSync } from 'node:fs';

// `npm run build` bundles the compiled CLI and engines into dist/bundle (scripts/bundle.mjs), which
// starts in a fraction of the time of the modules it is made of. It runs only while it is newer
// than everything it was made from (its inputs.json: the bundled packages' last compiles and the
// install), so code compiled by a bare `tsc -b`, or dependencies installed since, never meet a stale
// bundle: the compiled modules run instead.
const bundle = new URL('../dist/bundle/', import.meta.url);
const mtime = (url) => {
  try {
    return statSync(url).mtimeMs;
  } catch {
    return Number.NaN;
  }
};
function bundleIsFresh() {
  const built = mtime(new URL('engineconn.js', bundle));
  try {
    const { inputs } = JSON.parse(readFileSync(new URL('inputs.json', bundle), 'utf8'));
    return built > 0 && inputs.every((input) => !(mtime(new URL(input, bundle)) > built));
  } catch {
    return false;
  }
}
await import(bundleIsFresh() ? '../dist/bundle/engineconn.js' : '../dist/cli/main.js');
