#!/usr/bin/env node
// A throwaway single-node Trino for people and outside checks (the tests use the same code):
//   node packages/testkit/bin/trino.mjs start --ready-file F [--dir DIR] [--timeout 300s] [--foreground]
//     fetches Trino once (Maven), starts it on a free loopback port and writes {"url","pid","dir"} to F
//     only once `SELECT 1` and a tpch query succeed; then returns (the server keeps running), or
//     with --foreground stays until SIGINT/SIGTERM and stops the server.
//   node packages/testkit/bin/trino.mjs stop --dir DIR
// Exits non-zero with the reason when Java 24+ or Maven is missing or the server does not come up.
import { renameSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { startTrino, stopTrino } from '../dist/index.js';

const usage =
  'usage: trino.mjs start --ready-file F [--dir DIR] [--timeout 300s] [--foreground]\n       trino.mjs stop --dir DIR';

function fail(message) {
  process.stderr.write(`trino: ${message}\n`);
  process.exit(1);
}

function duration(text) {
  const m = /^(\d+)(ms|s|m)?$/.exec(text ?? '');
  if (!m) fail(`--timeout must look like 300s, 5m or 90000ms, not '${text}'`);
  return Number(m[1]) * { ms: 1, s: 1000, m: 60_000 }[m[2] ?? 'ms'];
}

const [command, ...rest] = process.argv.slice(2);
let values;
try {
  ({ values } = parseArgs({
    args: rest,
    options: {
      'ready-file': { type: 'string' },
      dir: { type: 'string' },
      timeout: { type: 'string' },
      foreground: { type: 'boolean' },
    },
  }));
} catch (err) {
  fail(`${err.message}\n${usage}`);
}

if (command === 'start') {
  const readyFile = values['ready-file'];
  if (!readyFile) fail(`start needs --ready-file F\n${usage}`);
  const log = (line) => process.stderr.write(`trino: ${line}\n`);
  let server;
  if (values.foreground) {
    // Before the server is up, exiting is enough: startTrino kills the JVM on exit. After, stop it.
    const shutdown = () => (server ? server.stop() : Promise.resolve()).then(() => process.exit(0));
    process.once('SIGINT', shutdown);
    process.once('SIGTERM', shutdown);
  }
  try {
    server = await startTrino({
      log,
      detached: !values.foreground,
      ...(values.dir ? { dir: values.dir } : {}),
      ...(values.timeout ? { timeoutMs: duration(values.timeout) } : {}),
    });
    // Written whole, then renamed, so a reader never sees half a file.
    writeFileSync(`${readyFile}.tmp`, `${JSON.stringify({ url: server.url, pid: server.pid, dir: server.dir })}\n`, {
      mode: 0o600,
    });
    renameSync(`${readyFile}.tmp`, readyFile);
    log(`ready: ${server.url} (pid ${server.pid}, dir ${server.dir})`);
    // In the foreground, stay until a signal stops the server.
    if (values.foreground) setInterval(() => {}, 1 << 30);
  } catch (err) {
    try {
      writeFileSync(`${readyFile}.error`, `${err.message}\n`);
    } catch {}
    fail(err.message);
  }
} else if (command === 'stop') {
  if (!values.dir) fail(`stop needs --dir DIR\n${usage}`);
  await stopTrino(values.dir);
} else {
  fail(usage);
}
