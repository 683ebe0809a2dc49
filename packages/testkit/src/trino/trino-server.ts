import { spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { escalateKill } from '@engineconn/core';
import { isAlive } from '../conformance/proc.js';
import { freePort } from '../free-port.js';
import { ensureTrinoInstall } from './trino-install.js';
import { TRINO_VERSION, type TrinoToolchain, trinoToolchain } from './trino-toolchain.js';

export interface StartTrinoOptions {
  toolchain?: TrinoToolchain;
  /** The install (see ensureTrinoInstall); default: the shared cache dir, fetched if missing. */
  installDir?: string;
  /** Where the server's etc/, data and log go; default: a new temp dir. Removed by stop(). */
  dir?: string;
  /** How long fetching (first run), start-up and the readiness queries may take together. */
  timeoutMs?: number;
  /** Maximum heap (default 2G). */
  heap?: string;
  /** Lines about slow steps (download, unpack, waiting); default: silent. */
  log?: (line: string) => void;
  /**
   * Keep the JVM running when this process exits (for the `trino.mjs start` command, which returns
   * once the server answers). Default false: the server dies with the process that started it.
   */
  detached?: boolean;
}

export interface TrinoServer {
  /** `http://127.0.0.1:PORT`, answering `SELECT 1` and tpch queries. */
  readonly url: string;
  readonly pid: number;
  /** The run directory: etc/, data/, server.log, pid. */
  readonly dir: string;
  readonly version: string;
  /** Stops the JVM (TERM, then KILL after a grace) and removes the run directory. Idempotent. */
  stop(): Promise<void>;
}

/** Generous: on a loaded 2-core machine the JVM, plugin loading and the first query take long. */
export const DEFAULT_TRINO_START_TIMEOUT_MS = 300_000;

function writeEtc(dir: string, installDir: string, port: number, heap: string): void {
  const etc = join(dir, 'etc');
  const data = join(dir, 'data');
  mkdirSync(join(etc, 'catalog'), { recursive: true });
  mkdirSync(data, { recursive: true });
  // Single node: the coordinator schedules work on itself. Loopback only.
  writeFileSync(
    join(etc, 'config.properties'),
    [
      'coordinator=true',
      'node-scheduler.include-coordinator=true',
      `http-server.http.port=${port}`,
      `discovery.uri=http://127.0.0.1:${port}`,
      'node.bind-ip=127.0.0.1',
      'node.internal-address=127.0.0.1',
      `catalog.config-dir=${join(etc, 'catalog')}`,
      `plugin.dir=${join(installDir, 'plugin')}`,
      // One small node runs a few dozen queries at a time well; with hundreds running at once its
      // own exchanges time out (PAGE_TRANSPORT_TIMEOUT). The rest wait in the coordinator's queue,
      // which must admit a benchmark's 3,000 in flight.
      'query.max-concurrent-queries=24',
      'query.max-queued-queries=10000',
      // Tests read finished queries back from system.runtime.queries (default: the last 100 only).
      'query.max-history=10000',
      // With hundreds of queries running, the coordinator's task updates to itself (its own worker)
      // overflow the default queue of 1024 ("Max requests queued per destination 1024 exceeded").
      'scheduler.http-client.max-requests-queued-per-destination=65536',
      '',
    ].join('\n'),
  );
  writeFileSync(join(etc, 'node.properties'), `node.environment=test\nnode.id=ec-test\nnode.data-dir=${data}\n`);
  writeFileSync(
    join(etc, 'jvm.config'),
    [
      '-server',
      `-Xmx${heap}`,
      '-XX:+UseG1GC',
      '-XX:+ExitOnOutOfMemoryError',
      '-Djdk.attach.allowAttachSelf=true',
      '-Dfile.encoding=UTF-8',
      '',
    ].join('\n'),
  );
  writeFileSync(join(etc, 'log.properties'), 'io.trino=INFO\n');
  writeFileSync(join(etc, 'catalog', 'tpch.properties'), 'connector.name=tpch\n');
  writeFileSync(join(etc, 'catalog', 'memory.properties'), 'connector.name=memory\nmemory.max-data-per-node=256MB\n');
  writeFileSync(join(etc, 'catalog', 'blackhole.properties'), 'connector.name=blackhole\n');
  // What Trino's launcher does: the server runs in its data dir, which links to etc and the plugins.
  symlinkSync(etc, join(data, 'etc'));
  symlinkSync(join(installDir, 'plugin'), join(data, 'plugin'));
  if (existsSync(join(installDir, 'secrets-plugin'))) {
    symlinkSync(join(installDir, 'secrets-plugin'), join(data, 'secrets-plugin'));
  }
}

function jvmArgs(dir: string, installDir: string): string[] {
  const etc = join(dir, 'etc');
  const options = readFileSync(join(etc, 'jvm.config'), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const node = readFileSync(join(etc, 'node.properties'), 'utf8')
    .split('\n')
    .filter((l) => l.includes('='))
    .map((l) => `-D${l.trim()}`);
  return [
    '-cp',
    `${join(installDir, 'lib')}/*`,
    ...options,
    ...node,
    `-Dconfig=${join(etc, 'config.properties')}`,
    `-Dlog.levels-file=${join(etc, 'log.properties')}`,
    'io.trino.server.TrinoServer',
  ];
}

/**
 * What must answer before the server counts as up, in order. `SELECT 1` needs a schedulable node;
 * right after it answers, a first query on a connector can still fail ("nodes is empty": the
 * catalog's nodes are not known yet), and every test queries tpch.
 */
const READINESS_PROBES = [
  { sql: 'SELECT 1', row: [1] },
  { sql: 'SELECT count(*) FROM tpch.tiny.nation', row: [25] },
] as const;

/** One query through the client protocol; true once it answered exactly the one row expected. */
async function answers(url: string, sql: string, row: readonly unknown[], signal: AbortSignal): Promise<boolean> {
  const headers = { 'X-Trino-User': 'testkit' };
  let page = (await (await fetch(`${url}/v1/statement`, { method: 'POST', headers, body: sql, signal })).json()) as {
    nextUri?: string;
    data?: unknown[][];
    error?: unknown;
  };
  let rows: unknown[][] = [];
  for (;;) {
    if (page.error) return false;
    if (page.data) rows = rows.concat(page.data);
    if (!page.nextUri) break;
    page = (await (await fetch(page.nextUri, { headers, signal })).json()) as typeof page;
  }
  return JSON.stringify(rows) === JSON.stringify([row]);
}

function logTail(dir: string): string {
  const file = join(dir, 'server.log');
  if (!existsSync(file)) return '';
  const lines = readFileSync(file, 'utf8').split('\n');
  const interesting = lines.filter((l) => /ERROR|Exception|Error:|refused|Address already in use/.test(l));
  return (interesting.length ? interesting : lines).slice(-15).join('\n');
}

/** Stops the server of a run directory (reads its pid file) and removes the directory. */
export async function stopTrino(dir: string, graceMs = 15_000): Promise<void> {
  const pidFile = join(dir, 'pid');
  const pid = existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8')) : Number.NaN;
  if (Number.isInteger(pid) && pid > 0) {
    const signal = (name: NodeJS.Signals) => () => {
      try {
        process.kill(pid, name);
      } catch {
        return false;
      }
    };
    await escalateKill({
      steps: [
        { name: 'SIGTERM', run: signal('SIGTERM') },
        { name: 'SIGKILL', run: signal('SIGKILL') },
      ],
      graceMs,
      stopped: () => !isAlive(pid),
    });
  }
  rmSync(dir, { recursive: true, force: true });
}

/**
 * Starts a throwaway single-node Trino (coordinator and worker in one JVM) with the tpch, memory
 * and blackhole catalogs on a free loopback port, and resolves once `SELECT 1` and then a tpch query
 * answer — "SERVER STARTED" alone is not enough, queries fail with "No nodes available" for a while
 * after it, and a connector's first query with "nodes is empty" for a moment after that.
 */
export async function startTrino(opts: StartTrinoOptions = {}): Promise<TrinoServer> {
  const deadline = Date.now() + (opts.timeoutMs ?? DEFAULT_TRINO_START_TIMEOUT_MS);
  const toolchain = opts.toolchain ?? trinoToolchain();
  if (typeof toolchain === 'string') throw new Error(toolchain);
  const installDir = opts.installDir ?? (await ensureTrinoInstall(toolchain, { log: opts.log }));
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'ec-trino-'));
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  writeEtc(dir, installDir, port, opts.heap ?? '2G');
  const out = openSync(join(dir, 'server.log'), 'a');
  const child = spawn(join(toolchain.javaHome, 'bin', 'java'), jvmArgs(dir, installDir), {
    cwd: join(dir, 'data'),
    env: { ...process.env, JAVA_HOME: toolchain.javaHome },
    stdio: ['ignore', out, out],
    detached: true,
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`Could not start ${join(toolchain.javaHome, 'bin', 'java')}.`);
  writeFileSync(join(dir, 'pid'), String(pid));
  let exited: string | undefined;
  child.once('exit', (code, signal) => {
    exited = `the Trino JVM exited (${signal ?? `code ${code}`}) before it answered`;
  });
  const url = `http://127.0.0.1:${port}`;

  // Without `detached`, a test run that ends or crashes must not leave a JVM behind.
  const onExit = () => {
    if (isAlive(pid)) process.kill(pid, 'SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  if (opts.detached) child.unref();
  else process.once('exit', onExit);

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      process.removeListener('exit', onExit);
      await stopTrino(dir);
    })();
    return stopping;
  };

  try {
    opts.log?.(`Starting Trino ${TRINO_VERSION} on ${url} (Java ${toolchain.javaVersion}; log in ${dir}/server.log)`);
    for (const probe of READINESS_PROBES) {
      for (;;) {
        if (exited) throw new Error(`${exited}:\n${logTail(dir)}`);
        if (Date.now() > deadline) {
          throw new Error(`Trino did not answer ${probe.sql} on ${url} in time:\n${logTail(dir)}`);
        }
        const attempt = AbortSignal.timeout(10_000);
        if (await answers(url, probe.sql, probe.row, attempt).catch(() => false)) break;
        // Not unref()ed: while waiting, this timer is what keeps a detached start alive.
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
    return { url, pid, dir, version: TRINO_VERSION, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
