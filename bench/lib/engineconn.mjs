// Spawns `engineconn start` the way a supervisor does and measures it from the outside.
import { spawn } from 'node:child_process';
import { watch } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AUTH, BENCH_TOKEN } from './client.mjs';
import { peakRssBytes } from './proc.mjs';

export const BIN = fileURLToPath(new URL('../../packages/server/bin/engineconn.cjs', import.meta.url));
/** `--engine` for the in-process test engine (tasks such as `sleep MS`, `log N`, `rows N`). */
export const TEST_ENGINE = fileURLToPath(new URL('../../packages/testkit/dist/test-engine.js', import.meta.url));

async function readReady(file) {
  try {
    return JSON.parse(await readFile(file, 'utf8'));
  } catch {
    return null;
  }
}

/** Resolves with the ready file's content as soon as it appears (watch, with a polling backstop). */
function awaitReadyFile(dir, file, child, timeoutMs) {
  return new Promise((resolve, reject) => {
    let done = false;
    const finish = (err, value) => {
      if (done) return;
      done = true;
      watcher.close();
      clearInterval(poll);
      clearTimeout(timer);
      if (err) reject(err);
      else resolve(value);
    };
    const check = async () => {
      const ready = await readReady(file);
      if (ready) finish(null, ready);
    };
    const watcher = watch(dir, () => void check());
    const poll = setInterval(() => void check(), 25);
    const timer = setTimeout(() => finish(new Error(`no ready file after ${timeoutMs} ms`)), timeoutMs);
    child.once('exit', (code, signal) => finish(new Error(`engineconn exited before ready (${code ?? signal})`)));
    void check();
  });
}

/**
 * Starts an EngineConn with `args` after the usual `--port 0 --ready-file … --data-dir …`. `readyMs`
 * is from spawn() to the ready file being readable: what a supervisor waiting on it sees. `env`
 * is laid over the bench's own environment; a key set to undefined is left out.
 */
export async function startEngineConn(args, { timeoutMs = 30_000, nodeArgs = [], bin = BIN, env = {} } = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'ec-bench-'));
  const readyFile = join(dir, 'ready.json');
  const started = performance.now();
  const child = spawn(
    process.execPath,
    [
      ...nodeArgs,
      bin,
      'start',
      '--port',
      '0',
      '--ready-file',
      readyFile,
      '--data-dir',
      join(dir, 'data'),
      '--log-level',
      'warn',
      '--max-free-time',
      '0',
      ...args,
    ],
    {
      cwd: dir,
      stdio: ['ignore', 'ignore', 'pipe'],
      // spawn() leaves out a key whose value is undefined.
      env: {
        ...process.env,
        NODE_OPTIONS: '',
        ENGINECONN_TOKEN: BENCH_TOKEN,
        ENGINECONN_RUNTIME_DIR: join(dir, 'run'),
        ...env,
      },
    },
  );
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d) => {
    if (stderr.length < 64 * 1024) stderr += d;
  });
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  let ready;
  try {
    ready = await awaitReadyFile(dir, readyFile, child, timeoutMs);
  } catch (err) {
    child.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
    throw new Error(`${err.message}: ${stderr}`);
  }
  const readyMs = performance.now() - started;
  let stopped = false;
  const ec = {
    url: ready.url,
    pid: ready.pid,
    readyMs,
    dir,
    child,
    exited,
    stderr: () => stderr,
    peakRss: () => peakRssBytes(ready.pid),
    /** Asks for a shutdown and waits for the exit (SIGKILL past `graceMs`); removes the files. */
    async stop(graceMs = 10_000) {
      if (stopped) return exited;
      stopped = true;
      if (child.exitCode === null && child.signalCode === null) {
        await fetch(`${ready.url}/api/v1/engineconn/shutdown`, { method: 'POST', headers: AUTH }).catch(() => {});
        const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
        await exited;
        clearTimeout(timer);
      }
      await rm(dir, { recursive: true, force: true });
      return exited;
    },
  };
  return ec;
}
