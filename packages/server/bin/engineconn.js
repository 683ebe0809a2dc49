#!/usr/bin/env node
import { statSync } from 'node:fs';

// `npm run build` bundles the compiled CLI into dist/bundle (scripts/bundle.mjs), which starts in a
// fraction of the time of the modules it is made of. It runs only while it is at least as new as
// this package's last compile and the last install, so code compiled by a bare `tsc -b` (or
// dependencies installed since) never meets a stale bundle: the compiled modules run instead.
const mtime = (path) => {
  try {
    return statSync(new URL(path, import.meta.url)).mtimeMs;
  } catch {
    return Number.NaN;
  }
};
const bundled = mtime('../dist/bundle/engineconn.js');
const newer = ['../tsconfig.tsbuildinfo', '../../../node_modules/.package-lock.json'].some((p) => mtime(p) > bundled);
await import(bundled >= 0 && !newer ? '../dist/bundle/engineconn.js' : '../dist/cli/main.js');
