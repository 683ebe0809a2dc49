// The core's own cost per trivial task, without HTTP or a real engine: N one-statement tasks through
// an in-process EngineConnRuntime whose engine makes the calls the DuckDB engine makes for a
// `select 1` (an abort check and an abort listener for the statement, statement started, progress,
// two log lines, one TABLE set of one row given as stored lines, progress at the end), read back as the one-request route reads them (task info and the
// first page of each set). Prints CPU and heap bytes allocated per task.
//
//   node bench/core-tasks.mjs [--tasks 20000] [--clients 32] [--rounds 3] [--alloc] [--top 0]
//   node --expose-gc bench/core-tasks.mjs --retained [--tasks 10000] [--top 0]
//
// With --alloc, allocation is counted by V8's sampling heap profiler with collected objects
// included (one sample per 1 KiB on average), so it is what was allocated, not what was left;
// the sampling costs CPU, so CPU figures are read from a run without it. `--top N` also lists the
// N functions that allocated most, by self size.
//
// With --retained, it instead counts what a finished task keeps for its retention: the heap after a
// full GC with `--tasks` finished tasks kept (the default retention keeps 10,000) against the heap
// with none, per task; `--top N` then lists the N object kinds (heap snapshot node type and name)
// that grew most, in bytes and objects per task.
import { Session } from 'node:inspector/promises';
import { parseArgs } from 'node:util';
import { defineEngine } from '@engineconn/core';
import { startTestRuntime } from '@engineconn/testkit';

const { values } = parseArgs({
  options: {
    tasks: { type: 'string', default: '20000' },
    clients: { type: 'string', default: '32' },
    rounds: { type: 'string', default: '3' },
    alloc: { type: 'boolean', default: false },
    retained: { type: 'boolean', default: false },
    top: { type: 'string', default: '0' },
  },
});
const tasks = Number(values.tasks);
const clients = Number(values.clients);

const LINE = Buffer.from('[1]\n');
const info = (total, succeeded, running) => [
  { id: 'statements', totalTasks: total, runningTasks: running, failedTasks: 0, succeedTasks: succeeded },
];

function ignore() {}

function listenOnSignal(signal) {
  signal.addEventListener('abort', ignore, { once: true });
  return () => signal.removeEventListener('abort', ignore);
}

const plugin = defineEngine({
  name: 'bench',
  version: '1.0',
  description: 'The DuckDB engine’s calls for a one-row select, without DuckDB',
  defaultExecutor: 'concurrent',
  executors: ['concurrent'],
  runTypes: ['sql'],
  defaultConcurrency: clients,
  defaultLabels: { engine: 'bench' },
  optionKeys: [],
  async createSession() {
    return {};
  },
  createExecutor() {
    return {
      async execute(task) {
        // As the DuckDB engine's Interrupter (a build from before `onAbort` listens on the signal).
        if (task.onAbort ? task.aborted : task.signal.aborted) throw new Error('aborted');
        const stopListening = task.onAbort ? task.onAbort(ignore) : listenOnSignal(task.signal);
        task.statements(1);
        task.statementStarted(0);
        task.progress(0, info(1, 0, 1));
        task.log(`statement 1/1: ${task.code}`);
        const writer = await task.createResultSet({ type: 'TABLE', columns: [{ name: 'one', type: 'INTEGER' }] });
        await writer.writeRowLines(LINE, 1);
        await writer.close();
        task.log('statement 1/1 done in 0 ms: 1 row');
        task.progress(1, info(1, 1, 0));
        stopListening();
      },
    };
  },
  async closeSession() {},
});

const ec = await startTestRuntime({ plugin, executor: 'concurrent', options: { 'ec.concurrency': String(clients) } });

async function one() {
  const view = ec.submit('select 1 as one', { runType: 'sql' });
  const release = view.journal.hold();
  await view.ended;
  release();
  const task = view.info();
  let answer = JSON.stringify(task);
  for (const meta of task.resultSets) {
    const page = await view.results.readRowsJson(meta.index, 0, 1000, 1024 * 1024);
    answer += page.rows.toString('utf8');
  }
  if (task.status !== 'Succeed' || answer.length === 0) throw new Error(`task ended ${task.status}`);
}

async function loop(n) {
  let left = n;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (left-- > 0) await one();
    }),
  );
}

/** Self bytes per function of a sampling heap profile, largest first. */
function allocators(profile) {
  const bytes = new Map();
  const walk = (node) => {
    const { functionName, url, lineNumber } = node.callFrame;
    const key = `${functionName || '(anonymous)'} ${url.replace(/^.*\/(packages|node_modules)\//, '')}:${lineNumber + 1}`;
    if (node.selfSize > 0) bytes.set(key, (bytes.get(key) ?? 0) + node.selfSize);
    for (const child of node.children) walk(child);
  };
  walk(profile.head);
  return [...bytes].sort((a, b) => b[1] - a[1]);
}

/** Self bytes and object counts per (node type, name) of a heap snapshot taken now. */
async function heapKinds(session) {
  const chunks = [];
  const collect = (m) => chunks.push(m.params.chunk);
  session.on('HeapProfiler.addHeapSnapshotChunk', collect);
  await session.post('HeapProfiler.takeHeapSnapshot', { reportProgress: false });
  session.off('HeapProfiler.addHeapSnapshotChunk', collect);
  const { snapshot, nodes, strings } = JSON.parse(chunks.join(''));
  const fields = snapshot.meta.node_fields;
  const types = snapshot.meta.node_types[0];
  const [typeAt, nameAt, sizeAt] = ['type', 'name', 'self_size'].map((f) => fields.indexOf(f));
  const kinds = new Map();
  for (let i = 0; i < nodes.length; i += fields.length) {
    const type = types[nodes[i + typeAt]];
    const name = type === 'string' || type === 'concatenated string' ? '' : strings[nodes[i + nameAt]];
    const key = `${type} ${name}`.slice(0, 90);
    const kind = kinds.get(key) ?? { bytes: 0, count: 0 };
    kind.bytes += nodes[i + sizeAt];
    kind.count++;
    kinds.set(key, kind);
  }
  return kinds;
}

async function retained(session) {
  if (typeof globalThis.gc !== 'function') throw new Error('--retained needs node --expose-gc');
  // Warm-up on a few tasks, then evicted by nothing: the runtime keeps up to 10,000.
  await loop(200);
  await new Promise((resolve) => setImmediate(resolve));
  globalThis.gc();
  const top = Number(values.top);
  const before = top > 0 ? await heapKinds(session) : null;
  globalThis.gc();
  const used0 = process.memoryUsage().heapUsed;
  await loop(tasks);
  // The tasks run in microtasks only: what they queued for the end of the tick (core's log and
  // progress publication) runs now, as an event-loop turn would run it between requests.
  await new Promise((resolve) => setImmediate(resolve));
  globalThis.gc();
  globalThis.gc();
  const used1 = process.memoryUsage().heapUsed;
  console.log(JSON.stringify({ tasks, keptBytesPerTask: Math.round((used1 - used0) / tasks) }));
  if (!before) return;
  const after = await heapKinds(session);
  const grown = [...after].map(([key, a]) => {
    const b = before.get(key) ?? { bytes: 0, count: 0 };
    return [key, (a.bytes - b.bytes) / tasks, (a.count - b.count) / tasks];
  });
  grown.sort((x, y) => y[1] - x[1]);
  for (const [key, bytes, count] of grown.slice(0, top))
    console.log(`  ${bytes.toFixed(1).padStart(8)} B ${count.toFixed(2).padStart(6)} objects  ${key}`);
}

const session = new Session();
session.connect();
if (values.retained) {
  await retained(session);
  session.disconnect();
  await ec.close();
  process.exit(0);
}
await loop(tasks);
for (let r = 0; r < Number(values.rounds); r++) {
  if (values.alloc) {
    await session.post('HeapProfiler.startSampling', {
      samplingInterval: 1024,
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: true,
    });
  }
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await loop(tasks);
  const elapsed = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const top = values.alloc ? allocators((await session.post('HeapProfiler.stopSampling')).profile) : [];
  const allocated = top.reduce((sum, [, b]) => sum + b, 0);
  const perTask = (n) => Math.round(n / tasks);
  console.log(
    JSON.stringify({
      round: r + 1,
      tasksPerSecond: Math.round((tasks / elapsed) * 1000),
      cpuUs: perTask(cpu.user + cpu.system),
      ...(values.alloc ? { allocatedBytes: perTask(allocated) } : {}),
    }),
  );
  for (const [where, b] of top.slice(0, Number(values.top)))
    console.log(`  ${String(perTask(b)).padStart(6)} B  ${where}`);
}
session.disconnect();
await ec.close();
