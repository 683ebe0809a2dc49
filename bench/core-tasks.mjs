// The core's own cost per trivial task, without HTTP or a real engine: N one-statement tasks through
// an in-process EngineConnRuntime whose engine makes the calls the DuckDB engine makes for a
// `select 1` (statement started, progress, two log lines, one TABLE set of one row given as stored
// lines, progress at the end), read back as the one-request route reads them (task info and the
// first page of each set). Prints CPU and heap bytes allocated per task.
//
//   node --expose-gc --max-semi-space-size=256 bench/core-tasks.mjs [--tasks 20000] [--clients 32] [--rounds 3]
//
// Allocation is the heap growth over a round with the young generation large enough that no
// collection runs in it (hence the flags); without them it is left out.
import { parseArgs } from 'node:util';
import { defineEngine } from '@engineconn/core';
import { startTestRuntime } from '@engineconn/testkit';

const { values } = parseArgs({
  options: {
    tasks: { type: 'string', default: '20000' },
    clients: { type: 'string', default: '32' },
    rounds: { type: 'string', default: '3' },
  },
});
const tasks = Number(values.tasks);
const clients = Number(values.clients);

const LINE = Buffer.from('[1]\n');
const info = (total, succeeded, running) => [
  { id: 'statements', totalTasks: total, runningTasks: running, failedTasks: 0, succeedTasks: succeeded },
];

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
        task.statements(1);
        task.statementStarted(0);
        task.progress(0, info(1, 0, 1));
        task.log(`statement 1/1: ${task.code}`);
        const writer = await task.createResultSet({ type: 'TABLE', columns: [{ name: 'one', type: 'INTEGER' }] });
        await writer.writeRowLines(LINE, 1);
        await writer.close();
        task.log('statement 1/1 done in 0 ms: 1 row');
        task.progress(1, info(1, 1, 0));
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

await loop(tasks);
for (let r = 0; r < Number(values.rounds); r++) {
  globalThis.gc?.();
  const heap0 = process.memoryUsage().heapUsed;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await loop(tasks);
  const elapsed = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const heap = process.memoryUsage().heapUsed - heap0;
  const perTask = (us) => Math.round(us / tasks);
  console.log(
    JSON.stringify({
      round: r + 1,
      tasksPerSecond: Math.round((tasks / elapsed) * 1000),
      cpuUs: perTask(cpu.user + cpu.system),
      ...(globalThis.gc ? { allocatedBytes: Math.round(heap / tasks) } : {}),
    }),
  );
}
await ec.close();
