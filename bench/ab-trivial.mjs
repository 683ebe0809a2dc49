// A/B of the trivial-task path: `select 1` DuckDB tasks in one request from N keep-alive clients,
// on EngineConns started alternately with different environments (and optionally different bins)
// in the same minutes. Prints, per variant and round, tasks/s and the EngineConn's CPU per task:
// the whole process and per thread group (main thread, V8's platform threads, libuv's pool, DuckDB's
// workers: bench/lib/threads.mjs).
//
// `--client wrk` drives the load with wrk (bench/lib/wrk.mjs) instead of node:http clients: wrk costs
// a fraction of their CPU per request, so on a small machine more of the cores go to the EngineConn
// and its own per-task CPU shows more sharply.
//
//   node bench/ab-trivial.mjs [--clients 32] [--seconds 5] [--rounds 3] [--client node|wrk] NAME=ENV[,ENV…][@BIN] …
//   e.g. node bench/ab-trivial.mjs pool4=UV_THREADPOOL_SIZE=4 auto=
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { submitAndWait } from './lib/client.mjs';
import { closedLoop } from './lib/closed-loop.mjs';
import { startEngineConn } from './lib/engineconn.mjs';
import { round } from './lib/stats.mjs';
import { threadCpu } from './lib/threads.mjs';
import { parseVariants } from './lib/variants.mjs';
import { wrkInstalled, wrkOneRequest } from './lib/wrk.mjs';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    clients: { type: 'string', default: '32' },
    seconds: { type: 'string', default: '5' },
    rounds: { type: 'string', default: '3' },
    client: { type: 'string', default: 'node' },
  },
});
if (values.client !== 'node' && values.client !== 'wrk') throw new Error('--client is node or wrk');
if (values.client === 'wrk' && !wrkInstalled()) throw new Error('--client wrk needs wrk (apt install wrk)');
const clients = Number(values.clients);
const seconds = Number(values.seconds);

const variants = parseVariants(positionals);

async function runOnce({ env, bin }) {
  const saved = { ...process.env };
  delete process.env.UV_THREADPOOL_SIZE;
  Object.assign(process.env, env);
  const ec = await startEngineConn(['--engine', 'duckdb', '--concurrency', String(clients)], bin ? { bin } : {});
  process.env = saved;
  try {
    const one = async () => {
      const task = await submitAndWait(ec.url, 'select 1 as one');
      if (task.status !== 'Succeed') throw new Error(`task ended ${task.status}`);
    };
    const nodeLoop = async (ms) => closedLoop(clients, ms, one);
    const wrkLoop = async (ms) => {
      const run = await wrkOneRequest(ec.url, 'select 1 as one', { connections: clients, seconds: ms / 1000 });
      if (run.errors > 0)
        throw new Error(`wrk: ${run.errors} failed answers (${run.socketErrors ?? 'no socket errors'})`);
      return run.tasks;
    };
    const loop = values.client === 'wrk' ? wrkLoop : nodeLoop;
    // Warm: V8 keeps optimising the EngineConn's per-task code for thousands of tasks (see
    // WARM_UP_TASKS in scenarios/throughput.mjs); a cold EngineConn's CPU per task is twice a warm one's.
    await loop(8000);
    const threads0 = threadCpu(ec.pid);
    const t0 = performance.now();
    const tasks = await loop(seconds * 1000);
    const elapsed = performance.now() - t0;
    const used = threadCpu(ec.pid).since(threads0);
    const perTask = (ms) => round((ms * 1000) / tasks, 0);
    return {
      perSecond: round((tasks / elapsed) * 1000, 0),
      cpuUs: perTask(used.total),
      mainUs: perTask(used.main),
      nodeUs: perTask(used.node),
      libuvUs: perTask(used.libuv),
      laterUs: perTask(used.later),
      load: round(loadavg()[0], 1),
    };
  } finally {
    await ec.stop();
  }
}

const results = Object.fromEntries(variants.map((v) => [v.name, []]));
for (let r = 0; r < Number(values.rounds); r++) {
  for (const v of variants) {
    const res = await runOnce(v);
    results[v.name].push(res);
    console.log(
      `round ${r + 1} ${v.name}: ${res.perSecond} tasks/s, EC CPU/task ${res.cpuUs} µs (main ${res.mainUs}, V8 platform ${res.nodeUs}, libuv ${res.libuvUs}, DuckDB ${res.laterUs}), load ${res.load}`,
    );
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
for (const [name, rs] of Object.entries(results)) {
  console.log(
    `median ${name}: ${median(rs.map((r) => r.perSecond))} tasks/s, EC CPU/task ${median(rs.map((r) => r.cpuUs))} µs, main ${median(rs.map((r) => r.mainUs))}, V8 platform ${median(rs.map((r) => r.nodeUs))}, libuv ${median(rs.map((r) => r.libuvUs))}, DuckDB ${median(rs.map((r) => r.laterUs))} µs`,
  );
}
