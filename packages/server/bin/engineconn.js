#!/usr/bin/env node
import { readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Script } from 'node:vm';

// `npm run build` bundles the compiled CLI into one script, dist/bundle/engineconn.cjs
// (scripts/bundle.mjs). It runs here with a V8 code cache, so V8 neither parses nor compiles what
// an earlier run of the same command already compiled: together they start in a fraction of the
// time of the modules the bundle is made of. The bundle runs only while it is newer than everything
// in its manifest (the bundled packages' last compiles, the install), so code compiled by a bare
// `tsc -b` never meets a stale bundle; otherwise, or without a bundle, the compiled modules run.
const bundleDir = new URL('../dist/bundle/', import.meta.url);
const bundleFile = fileURLToPath(new URL('engineconn.cjs', bundleDir));

const mtime = (url) => {
  try {
    return statSync(url).mtimeMs;
  } catch {
    return Number.NaN;
  }
};

/** The bundle's manifest, or null when there is no bundle or something it was made from is newer. */
function freshManifest() {
  try {
    const manifest = JSON.parse(readFileSync(new URL('manifest.json', bundleDir), 'utf8'));
    const built = mtime(new URL('engineconn.cjs', bundleDir));
    const whole = ['inputs', 'commands', 'engines'].every((key) => Array.isArray(manifest[key]));
    return whole && built > 0 && manifest.inputs.every((input) => !(mtime(new URL(input, bundleDir)) > built))
      ? manifest
      : null;
  } catch {
    return null;
  }
}

/**
 * `start-duckdb`, `submit`: what a run compiles depends on the command and, for start and once, the
 * engine. Anything else (a module path, a typo, no command) shares a key, so the caches stay few.
 */
function cacheKey(args, { commands, engines }) {
  const command = commands.includes(args[0]) ? args[0] : 'other';
  if (command !== 'start' && command !== 'once') return command;
  const at = args.findIndex((arg) => arg === '--engine' || arg.startsWith('--engine='));
  const engine = at < 0 ? 'default' : args[at].startsWith('--engine=') ? args[at].slice(9) : args[at + 1];
  return `${command}-${engine === 'default' || engines.includes(engine) ? engine : 'other'}`;
}

/**
 * The code cache is per command and engine (cacheKey), per build (the manifest's id) and per Node
 * version; V8 also rejects one made under other flags. A missing or rejected cache is written once
 * start-up is over (after 2 s, or at exit if sooner), atomically, so concurrent EngineConns never
 * read half a file; a read-only install simply runs without one.
 */
function runBundle(manifest) {
  const cacheFile = `${bundleFile}.${cacheKey(process.argv.slice(2), manifest)}.${manifest.id}.${process.version}-${process.arch}.cache`;
  let cached;
  try {
    cached = readFileSync(cacheFile);
  } catch {
    cached = undefined;
  }
  const source = readFileSync(bundleFile, 'utf8');
  const wrapper = `(function (exports, require, module, __filename, __dirname, __ecImport) {${source}\n})`;
  const script = new Script(wrapper, { filename: bundleFile, cachedData: cached });
  if (!cached || script.cachedDataRejected) {
    let written = false;
    const writeCache = () => {
      if (written) return;
      written = true;
      try {
        const tmp = `${cacheFile}.${process.pid}.tmp`;
        writeFileSync(tmp, script.createCachedData());
        renameSync(tmp, cacheFile);
      } catch {
        // A read-only install runs without a cache.
      }
    };
    setTimeout(writeCache, 2000).unref();
    process.once('exit', writeCache);
  }
  const module = { exports: {} };
  const run = script.runInThisContext();
  run(module.exports, createRequire(bundleFile), module, bundleFile, dirname(bundleFile), (url) => import(url));
}

// Node maps no stack frame of a vm.Script to its sources, so with --enable-source-maps (debugging)
// the compiled modules run, whose frames map to the TypeScript.
const manifest = process.sourceMapsEnabled ? null : freshManifest();
if (manifest) runBundle(manifest);
else await import('../dist/cli/main.js');
