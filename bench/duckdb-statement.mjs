// The DuckDB engine's own cost per small statement, without the EngineConn around it: its executor
// runs `select 1` tasks from N concurrent loops in this process, on a TaskContext that does nothing
// (no events, logs, result storage or HTTP), against the same statement on @duckdb/node-api directly.
// Prints tasks/s and CPU per task per thread group (bench/lib/threads.mjs). Builds are compared A/B
// in the same minutes, each variant in a child process of its own (two copies of DuckDB's native
// binding must not share a process), alternating round by round:
//
//   node bench/duckdb-statement.mjs [--clients 32] [--seconds 4] [--rounds 3] [--sql 'select 1 as one'] \
//     NAME=REPO_ROOT … [direct]
//   e.g. node bench/duckdb-statement.mjs base=/path/to/other/checkout new=. direct
import { execFileSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { closedLoop } from './lib/closed-loop.mjs';
import { round } from './lib/stats.mjs';
import { threadCpu } from './lib/threads.mjs';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    clients: { type: 'string', default: '32' },
    seconds: { type: 'string', default: '4' },
    rounds: { type: 'string', default: '3' },
    sql: { type: 'string', default: 'select 1 as one' },
    child: { type: 'string' },
  },
});
const clients = Number(values.clients);
const seconds = Number(values.seconds);
/** As ab-trivial.mjs: V8 optimises the per-task code over thousands of tasks. */
const WARM_UP_TASKS = 8000;

function ignore() {}

/** A task context that keeps nothing: the engine's own work is all that is measured. */
function leanContext(code) {
  const writer = {
    index: 0,
    writeRows: async () => {},
    writeRowLines: async () => {},
    write: async () => {},
    close: async () => {},
  };
  return {
    id: 'bench',
    code,
    runType: 'sql',
    user: 'bench',
    properties: {},
    labels: {},
    signal: new AbortController().signal,
    killGraceMs: 1000,
    workDir: '/nonexistent',
    log: ignore,
    progress: ignore,
    statements: ignore,
    statementStarted: ignore,
    createResultSet: async () => writer,
  };
}

async function engineRunner(root) {
  const dist = (path) => pathToFileURL(resolve(root, path)).href;
  const { duckdbEngine } = await import(dist('packages/engines/duckdb/dist/index.js'));
  const { testCreationContext, testSessionEnv } = await import(dist('packages/core/dist/testing/index.js'));
  const ctx = testCreationContext({ plugin: duckdbEngine });
  const session = await duckdbEngine.createSession(ctx, testSessionEnv({ concurrency: clients }));
  const executor = await duckdbEngine.createExecutor(session, 'sql', ctx);
  return {
    one: () => executor.execute(leanContext(values.sql)),
    close: () => duckdbEngine.closeSession(session),
  };
}

/** The same statement on @duckdb/node-api, configured as the engine's database (bench/lib/duckdb-direct.mjs). */
async function directRunner() {
  const { openDirectDuckDB } = await import('./lib/duckdb-direct.mjs');
  const instance = await openDirectDuckDB();
  const connections = [];
  for (let i = 0; i < clients; i++) connections.push(await instance.connect());
  let next = 0;
  return {
    one: async () => {
      const reader = await connections[next++ % clients].runAndReadAll(values.sql);
      reader.getRows();
    },
    close: () => instance.closeSync(),
  };
}

async function child(spec) {
  const runner = spec === 'direct' ? await directRunner() : await engineRunner(spec);
  let warm = 0;
  while (warm < WARM_UP_TASKS) warm += await closedLoop(clients, 500, runner.one);
  const before = threadCpu(process.pid);
  const t0 = performance.now();
  const tasks = await closedLoop(clients, seconds * 1000, runner.one);
  const elapsed = performance.now() - t0;
  const used = threadCpu(process.pid).since(before);
  await runner.close();
  const perTask = (ms) => round((ms * 1000) / tasks, 0);
  process.stdout.write(
    `${JSON.stringify({
      perSecond: round((tasks / elapsed) * 1000, 0),
      cpuUs: perTask(used.total),
      mainUs: perTask(used.main),
      nodeUs: perTask(used.node),
      libuvUs: perTask(used.libuv),
      laterUs: perTask(used.later),
      load: round(loadavg()[0], 1),
    })}\n`,
  );
}

function format(r) {
  return `${r.perSecond} tasks/s, CPU/task ${r.cpuUs} µs (main ${r.mainUs}, V8 platform ${r.nodeUs}, libuv ${r.libuvUs}, DuckDB ${r.laterUs}), load ${r.load}`;
}

function median(list) {
  const sorted = [...list].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

if (values.child) {
  await child(values.child);
} else {
  const variants = positionals.map((spec) => {
    const [name, root] = spec === 'direct' ? ['direct', 'direct'] : spec.split(/=(.*)/s);
    return { name, spec: root === 'direct' ? 'direct' : resolve(root || '.'), runs: [] };
  });
  const self = new URL(import.meta.url).pathname;
  for (let r = 1; r <= Number(values.rounds); r++) {
    for (const variant of variants) {
      const args = [self, '--child', variant.spec, '--clients', String(clients), '--seconds', String(seconds)];
      const out = execFileSync(process.execPath, [...args, '--sql', values.sql], {
        encoding: 'utf8',
        // The pool as bin/engineconn.cjs sizes it for `--concurrency N`, on both sides.
        env: { UV_THREADPOOL_SIZE: String(Math.min(68, clients + 4)), ...process.env, NODE_OPTIONS: '' },
      });
      const result = JSON.parse(out.trim().split('\n').pop());
      variant.runs.push(result);
      process.stdout.write(`round ${r} ${variant.name}: ${format(result)}\n`);
    }
  }
  for (const variant of variants) {
    const pick = (key) => median(variant.runs.map((run) => run[key]));
    const keys = ['perSecond', 'cpuUs', 'mainUs', 'nodeUs', 'libuvUs', 'laterUs', 'load'];
    process.stdout.write(`median ${variant.name}: ${format(Object.fromEntries(keys.map((k) => [k, pick(k)])))}\n`);
  }
}
