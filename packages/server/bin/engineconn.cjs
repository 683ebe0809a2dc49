#!/usr/bin/env node
'use strict';

// libuv sizes its thread pool once, from UV_THREADPOOL_SIZE, when something first uses it. DuckDB's
// binding runs every statement's calls on that pool (4 threads by default), so an EngineConn running
// more statements at once than the pool has threads starts the extra ones on the event loop (see
// ThreadpoolGate in the DuckDB engine). The pool is sized here, before anything touches it: this
// entry is CommonJS because Node's ESM loader reads an entry module through the pool, which starts
// it at its default size before the module's first line runs, whereas require() reads synchronously.
// An operator's UV_THREADPOOL_SIZE is kept.
const POOL_FOR_OTHER_WORK = 4;
const DEFAULT_CONCURRENCY = 8;
const MAX_AUTO_POOL = 68;

/** The `--concurrency N` (or `--conf ec.concurrency=N`) the command was given, if any. */
function concurrencyFlag(args) {
  let value;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--concurrency') value = args[i + 1];
    else if (arg.startsWith('--concurrency=')) value = arg.slice('--concurrency='.length);
    else if (arg === '--conf' && args[i + 1]?.startsWith('ec.concurrency=')) value = args[i + 1].slice(15);
  }
  const n = Number.parseInt(value ?? '', 10);
  return Number.isInteger(n) && n > 0 ? n : undefined;
}

if (process.env.UV_THREADPOOL_SIZE === undefined) {
  const concurrency = concurrencyFlag(process.argv.slice(2)) ?? DEFAULT_CONCURRENCY;
  process.env.UV_THREADPOOL_SIZE = String(Math.min(MAX_AUTO_POOL, concurrency + POOL_FOR_OTHER_WORK));
}

const { readFileSync, renameSync, statSync, writeFileSync } = require('node:fs');
const { createRequire } = require('node:module');
const { dirname, join } = require('node:path');
const { pathToFileURL } = require('node:url');
const { Script } = require('node:vm');

// `npm run build` bundles the compiled CLI into one script, dist/bundle/engineconn.cjs
// (scripts/bundle.mjs). It runs here with a V8 code cache, so V8 neither parses nor compiles what
// an earlier run of the same command already compiled: together they start in a fraction of the
// time of the modules the bundle is made of. The bundle runs only while it is newer than everything
// in its manifest (the bundled packages' last compiles, the install), so code compiled by a bare
// `tsc -b` never meets a stale bundle; otherwise, or without a bundle, the compiled modules run.
const bundleDir = pathToFileURL(join(__dirname, '../dist/bundle/'));
const bundleFile = join(__dirname, '../dist/bundle/engineconn.cjs');

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
  // The bundle is ASCII (scripts/bundle.mjs checks it), so latin1 decodes it exactly, with none of
  // UTF-8's validation: about half the time of reading 2.3 MB as UTF-8 in a fresh process.
  const source = readFileSync(bundleFile, 'latin1');
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
else import(pathToFileURL(join(__dirname, '../dist/cli/main.js')).href);
