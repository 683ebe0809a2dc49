import { type ChildProcess, spawn } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { fileURLToPath } from 'node:url';
import { waitFor } from '@engineconn/testkit';
import { ExitedEarlyError, fetchJson, readyFileOf } from '../test-support/fetch-json.js';

export const BIN = fileURLToPath(new URL('../../bin/engineconn.cjs', import.meta.url));

/** `--engine` value for the in-process test engine of @engineconn/testkit (a module path). */
export const TEST_ENGINE = createRequire(import.meta.url)
  .resolve('@engineconn/testkit')
  .replace(/index\.js$/, 'test-engine.js');

export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ReadyFile {
  url: string;
  id: string;
  pid: number;
  /** The owner token (absent with an auth file). */
  token?: string;
}

export interface SpawnedEngineConn extends ReadyFile {
  dir: string;
  /** This EngineConn's ENGINECONN_RUNTIME_DIR, so tests never touch the real user's runtime files. */
  runtimeDir: string;
  readyFile: string;
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  exited: Promise<ProcessExit>;
  /** fetch against the EC, JSON in and out, with `token` (default: the owner token; null: none). */
  api<T = unknown>(
    method: string,
    path: string,
    body?: unknown,
    token?: string | null,
  ): Promise<{ status: number; body: T }>;
  /** Kills the process if it still runs and removes its files. Idempotent. */
  stop(): Promise<void>;
}

/** Spawns `engineconn ARGS` in `dir`, with its own runtime dir there, collecting what it prints. */
export function launch(args: string[], dir: string, env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NODE_OPTIONS: '', ENGINECONN_RUNTIME_DIR: join(dir, 'run'), ...env },
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => {
    stdout += d;
  });
  child.stderr!.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
  });
  const exited = new Promise<ProcessExit>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  return { child, exited, stdout: () => stdout, stderr: () => stderr };
}

/** `start` on any free port, with its ready file and data dir inside `dir` (see {@link readyFileIn}). */
export function startArgs(dir: string): string[] {
  return ['start', '--port', '0', '--ready-file', readyFileIn(dir), '--data-dir', join(dir, 'data')];
}

export const readyFileIn = (dir: string) => join(dir, 'ready.json');

/** Runs `engineconn ARGS` to completion (for commands expected to fail or finish). */
export async function runEngineConn(
  args: string[],
  // Deadlines, not expectations: a loaded machine can take many seconds to start a node process.
  timeoutMs = 30_000,
  env: Record<string, string> = {},
): Promise<ProcessExit & { stdout: string; stderr: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'ec-e2e-'));
  try {
    const run = launch(args, dir, env);
    const timer = setTimeout(() => run.child.kill('SIGKILL'), timeoutMs);
    const exit = await run.exited;
    clearTimeout(timer);
    return { ...exit, stdout: run.stdout(), stderr: run.stderr() };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export interface SpawnOptions {
  timeoutMs?: number;
  env?: Record<string, string>;
}

/**
 * Spawns `engineconn start --port 0 --ready-file … --data-dir … ARGS` and waits for the ready file
 * (failing early, with the child's stderr, if it exits first).
 */
export async function spawnEngineConn(
  args: string[],
  { timeoutMs = 30_000, env = {} }: SpawnOptions = {},
): Promise<SpawnedEngineConn> {
  const dir = await mkdtemp(join(tmpdir(), 'ec-e2e-'));
  // An EngineConn started as root with --user runs as that user, who must reach its data dir inside.
  await chmod(dir, 0o711);
  const readyFile = readyFileIn(dir);
  const run = launch([...startArgs(dir), '--log-level', 'warn', ...args], dir, env);
  let exitedEarly: ProcessExit | null = null;
  void run.exited.then((exit) => {
    exitedEarly = exit;
  });
  let ready: ReadyFile;
  try {
    ready = await readyFileOf<ReadyFile>(readyFile, () => exitedEarly, run.stderr, timeoutMs);
  } catch (err) {
    run.child.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  let stopped = false;
  return {
    ...ready,
    dir,
    runtimeDir: join(dir, 'run'),
    readyFile,
    child: run.child,
    stdout: run.stdout,
    stderr: run.stderr,
    exited: run.exited,
    api: <T>(method: string, path: string, body?: unknown, token?: string | null) =>
      fetchJson<T>(ready.url, method, path, body, token === undefined ? ready.token : (token ?? undefined)),
    async stop() {
      if (stopped) return;
      stopped = true;
      if (run.child.exitCode === null && run.child.signalCode === null) run.child.kill('SIGKILL');
      await run.exited;
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * `spawnEngineConn` for one suite (call it in the `describe` body): every EngineConn it started is
 * stopped after the suite, also those of a test that failed halfway.
 */
export function spawnerForSuite(): typeof spawnEngineConn {
  const spawned: SpawnedEngineConn[] = [];
  after(async () => {
    await Promise.all(spawned.map((ec) => ec.stop()));
  });
  return async (args, options) => {
    const ec = await spawnEngineConn(args, options);
    spawned.push(ec);
    return ec;
  };
}

const TERMINAL = new Set(['Succeed', 'Failed', 'Cancelled', 'Timeout']);

/** Polls a task until it is terminal. */
export async function taskFinished(
  ec: SpawnedEngineConn,
  id: string,
  token?: string,
  timeoutMs = 10_000,
): Promise<{ status: string; error?: { code: string } }> {
  return waitFor(
    async () => {
      const { body } = await ec.api<{ status: string }>('GET', `/api/v1/tasks/${id}`, undefined, token);
      return TERMINAL.has(body.status) ? body : null;
    },
    { timeoutMs, what: `task ${id} to finish` },
  );
}

/** How many starts submitBeforeIdleRelease makes, doubling the free time each time, before it gives up. */
const IDLE_RELEASE_STARTS = 4;

/**
 * Starts an EngineConn with a short `--max-free-time` (given to `start`) and submits `code` to it.
 * The free time counts from start-up, so on a machine slower than that from start-up to the submit,
 * the EngineConn releases itself first (it exits 0 before its ready file is read, or refuses the
 * submit, or is gone).
 * That start shows nothing about a task, so it is made again with twice the free time until the
 * submit comes first: a test of idle release does not depend on how fast the machine reaches its
 * first request, and on a quiet machine it takes the short free time.
 */
export async function submitBeforeIdleRelease<T extends { ec: SpawnedEngineConn }>(
  start: (freeTimeMs: number) => Promise<T>,
  code: (freeTimeMs: number) => string,
  firstFreeTimeMs = 3000,
): Promise<T & { id: string; freeTimeMs: number }> {
  let freeTimeMs = firstFreeTimeMs;
  for (let attempt = 1; ; attempt++, freeTimeMs *= 2) {
    const started = await start(freeTimeMs).catch((err: unknown) => {
      // Released before its ready file was even read: exited 0, on its own.
      const exit = err instanceof ExitedEarlyError ? (err.exit as Partial<ProcessExit>) : null;
      if (exit?.code === 0 && attempt < IDLE_RELEASE_STARTS) return null;
      throw err;
    });
    if (started === null) continue;
    const submitted = await started.ec
      .api<{ id: string; error?: { code: string } }>('POST', '/api/v1/tasks', { code: code(freeTimeMs) })
      .catch(() => null);
    if (submitted?.status === 202) return { ...started, id: submitted.body.id, freeTimeMs };
    const refused = submitted === null || submitted.body.error?.code === 'EC_SHUTTING_DOWN';
    if (!refused || attempt === IDLE_RELEASE_STARTS) {
      throw new Error(
        `the submit to an EngineConn with --max-free-time ${freeTimeMs}ms failed: ${JSON.stringify(submitted)}`,
      );
    }
    const exit = await started.ec.exited;
    if (exit.code !== 0) throw new Error(`an EngineConn that refused the submit exited ${JSON.stringify(exit)}`);
  }
}
