import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chmod, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isAlive } from '../manager/launcher/process-control.js';
import { fetchJson, readyFileOf } from '../test-support/fetch-json.js';

export { isAlive };

import { BIN, type ProcessExit } from './spawn-engineconn.js';

export const AS_ROOT = process.getuid?.() === 0;

/** The OS users the manager tests launch engines as (created with useradd when missing; we are root in CI). */
export const ALICE = 'ecm-alice';
export const BOB = 'ecm-bob';
export const TOKENS = { alice: 'alice-token', bob: 'bob-token', admin: 'admin-token' } as const;

export function ensureOsUser(name: string): void {
  if (!AS_ROOT) return;
  try {
    execFileSync('id', ['-u', name], { stdio: 'ignore' });
  } catch {
    execFileSync('useradd', ['-m', name], { stdio: 'ignore' });
  }
}

/** The OS user a process runs as, from /proc (its real uid mapped through /etc/passwd). */
export async function processUser(pid: number): Promise<string> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const uid = /^Uid:\s+(\d+)/m.exec(status)?.[1];
  const passwd = await readFile('/etc/passwd', 'utf8');
  return (
    passwd
      .split('\n')
      .find((line) => line.split(':')[2] === uid)
      ?.split(':')[0] ?? `uid ${uid}`
  );
}

/** Every process whose command line names a directory under `dir` (the engines the manager launched there). */
export async function processesUnder(dir: string): Promise<number[]> {
  const pids: number[] = [];
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const cmdline = await readFile(`/proc/${name}/cmdline`, 'utf8');
      if (cmdline.split('\0').some((arg) => arg.startsWith(dir))) pids.push(Number(name));
    } catch {
      // Gone meanwhile.
    }
  }
  return pids;
}

export type Api = <T = unknown>(
  method: string,
  path: string,
  body?: unknown,
  token?: string,
) => Promise<{ status: number; body: T }>;

export interface SpawnedManager {
  url: string;
  pid: number;
  dir: string;
  readyFile: string;
  dataDir: string;
  child: ChildProcess;
  exited: Promise<ProcessExit>;
  stderr(): string;
  api: Api;
}

export interface ManagerHarness {
  dir: string;
  dataDir: string;
  /** Starts a manager on this harness's data dir (and `port`, for a restart on the same address). */
  start(args?: string[], port?: number): Promise<SpawnedManager>;
  /** SIGTERMs the running managers, SIGKILLs what is left under the dir, removes it. */
  close(): Promise<void>;
}

/** A temp dir with an auth file (alice, bob, an admin) and managers started on it. */
export async function managerHarness(): Promise<ManagerHarness> {
  ensureOsUser(ALICE);
  ensureOsUser(BOB);
  const dir = await mkdtemp(join(tmpdir(), 'ec-mgr-'));
  // The engines run as their users, who must reach their own directory below this one.
  await chmod(dir, 0o711);
  const authFile = join(dir, 'auth.json');
  await writeFile(
    authFile,
    JSON.stringify({
      tokens: [
        { token: TOKENS.alice, user: ALICE, admin: false },
        { token: TOKENS.bob, user: BOB, admin: false },
        { token: TOKENS.admin, user: 'ops', admin: true },
      ],
    }),
    // Root's only: a manager running as root refuses an auth file its engines' users could read.
    { mode: 0o600 },
  );
  const dataDir = join(dir, 'data');
  const managers: SpawnedManager[] = [];
  return {
    dir,
    dataDir,
    async start(args = [], port = 0) {
      const manager = await spawnManager(dir, ['--auth-file', authFile, '--data-dir', dataDir, ...args], port);
      managers.push(manager);
      return manager;
    },
    async close() {
      for (const m of managers) if (m.child.exitCode === null && m.child.signalCode === null) m.child.kill('SIGTERM');
      await Promise.all(managers.map((m) => m.exited));
      for (const pid of await processesUnder(dir)) process.kill(pid, 'SIGKILL');
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export async function spawnManager(dir: string, args: string[], port: number): Promise<SpawnedManager> {
  const readyFile = join(dir, `ready-${Date.now()}-${Math.random()}.json`);
  const child = spawn(
    process.execPath,
    [BIN, 'manager', 'start', '--port', String(port), '--ready-file', readyFile, '--log-level', 'warn', ...args],
    {
      cwd: dir,
      stdio: ['ignore', 'ignore', 'pipe'],
      // Its own runtime dir, so a test never touches the real user's runtime files.
      env: { ...process.env, NODE_OPTIONS: '', ENGINECONN_RUNTIME_DIR: join(dir, 'run') },
    },
  );
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
  });
  const exited = new Promise<ProcessExit>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  let early: ProcessExit | null = null;
  void exited.then((exit) => {
    early = exit;
  });
  const ready = await readyFileOf<{ url: string; pid: number }>(
    readyFile,
    () => early,
    () => stderr,
    20_000,
  );
  const api: Api = <T>(method: string, path: string, body?: unknown, token: string = TOKENS.alice) =>
    fetchJson<T>(ready.url, method, path, body, token);
  return {
    url: ready.url,
    pid: ready.pid,
    dir,
    readyFile,
    dataDir: join(dir, 'data'),
    child,
    exited,
    stderr: () => stderr,
    api,
  };
}
