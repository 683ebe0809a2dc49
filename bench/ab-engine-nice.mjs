// A/B of `ec.engineNice` (docs/architecture.md, Decisions): DuckDB EngineConns started alternately
// with their engine threads at the event loop's nice value (`ec.engineNice=0`) and at the default,
// in the same minutes. Each round measures, on a fresh EngineConn:
// - the 32-client one-request `select 1` rate (from wrk when it is installed, else node:http
//   clients) and the main thread's CPU per task, where the loop is the bottleneck stage;
// - how an interactive caller fares while two long aggregates keep every core busy: the latency of
//   `GET /api/v1/engineconn` and of a one-request `select 1` task, one at a time.
//
//   node bench/ab-engine-nice.mjs [--rounds 3] [--seconds 5]
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { call, submit, submitAndWait } from './lib/client.mjs';
import { closedLoop } from './lib/closed-loop.mjs';
import { startEngineConn } from './lib/engineconn.mjs';
import { percentile, round } from './lib/stats.mjs';
import { threadCpu } from './lib/threads.mjs';
import { wrkInstalled, wrkOneRequest } from './lib/wrk.mjs';

const { values } = parseArgs({
  options: { rounds: { type: 'string', default: '3' }, seconds: { type: 'string', default: '5' } },
});
const seconds = Number(values.seconds);
const CLIENTS = 32;
const useWrk = wrkInstalled();
/** Long enough to outlast a round on any machine; killed at its end. */
const HEAVY = 'select sum(hash(i)) from range(100000000000) t(i)';
const PROBES = 200;

const variants = [
  { name: 'engineNice=0', args: ['--conf', 'ec.engineNice=0'] },
  { name: 'default (10)', args: [] },
];

async function throughput(ec) {
  const loop = useWrk
    ? async (ms) => {
        const run = await wrkOneRequest(ec.url, 'select 1 as one', { connections: CLIENTS, seconds: ms / 1000 });
        if (run.errors > 0) throw new Error(`wrk: ${run.errors} failed answers`);
        return run.tasks;
      }
    : (ms) =>
        closedLoop(CLIENTS, ms, async () => {
          const task = await submitAndWait(ec.url, 'select 1 as one');
          if (task.status !== 'Succeed') throw new Error(`task ended ${task.status}`);
        });
  await loop(8000);
  const before = threadCpu(ec.pid);
  const t0 = performance.now();
  const tasks = await loop(seconds * 1000);
  const elapsed = performance.now() - t0;
  const used = threadCpu(ec.pid).since(before);
  return { perSecond: round((tasks / elapsed) * 1000, 0), mainUs: round((used.main * 1000) / tasks, 0) };
}

async function timed(fn) {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

async function underLoad(ec) {
  const heavy = [];
  for (let i = 0; i < 2; i++) heavy.push((await submit(ec.url, HEAVY)).id);
  // Until both aggregates run (each then keeps DuckDB's workers busy).
  for (;;) {
    const states = await Promise.all(heavy.map((id) => call(ec.url, 'GET', `/api/v1/tasks/${id}`)));
    if (states.every((s) => s.body.status === 'Running')) break;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const status = [];
  const task = [];
  for (let i = 0; i < PROBES; i++) {
    status.push(await timed(() => call(ec.url, 'GET', '/api/v1/engineconn')));
    task.push(
      await timed(async () => {
        const answer = await submitAndWait(ec.url, 'select 1 as one');
        if (answer.status !== 'Succeed') throw new Error(`task ended ${answer.status}`);
      }),
    );
  }
  for (const id of heavy) await call(ec.url, 'POST', `/api/v1/tasks/${id}/kill`);
  const ms = (xs, q) => round(percentile(xs, q), 2);
  return { statusP50: ms(status, 0.5), statusP99: ms(status, 0.99), taskP50: ms(task, 0.5), taskP99: ms(task, 0.99) };
}

const results = Object.fromEntries(variants.map((v) => [v.name, []]));
for (let r = 0; r < Number(values.rounds); r++) {
  for (const v of variants) {
    const ec = await startEngineConn(['--engine', 'duckdb', '--concurrency', String(CLIENTS), ...v.args]);
    try {
      const res = { ...(await throughput(ec)), ...(await underLoad(ec)), load: round(loadavg()[0], 1) };
      results[v.name].push(res);
      console.log(
        `round ${r + 1} ${v.name}: ${res.perSecond} tasks/s from ${useWrk ? 'wrk' : 'node:http'} (main ${res.mainUs} µs/task); ` +
          `cores busy: status p50 ${res.statusP50} / p99 ${res.statusP99} ms, select 1 p50 ${res.taskP50} / p99 ${res.taskP99} ms; load ${res.load}`,
      );
    } finally {
      await ec.stop();
    }
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
for (const [name, rs] of Object.entries(results)) {
  const m = (key) => median(rs.map((r) => r[key]));
  console.log(
    `median ${name}: ${m('perSecond')} tasks/s (main ${m('mainUs')} µs); status p50 ${m('statusP50')} / p99 ${m('statusP99')} ms; select 1 p50 ${m('taskP50')} / p99 ${m('taskP99')} ms`,
  );
}
