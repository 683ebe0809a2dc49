// A/B of the trivial-task path: `select 1` DuckDB tasks in one request from N keep-alive clients,
// on EngineConns started alternately with different environments (and optionally different bins)
// in the same minutes. Prints, per variant and round, tasks/s and the EngineConn's CPU per task:
// the whole process (DuckDB's threads included) and its main thread alone (the event loop).
//
//   node bench/ab-trivial.mjs [--clients 32] [--seconds 5] [--rounds 3] NAME=ENV[,ENV…][@BIN] …
//   e.g. node bench/ab-trivial.mjs pool4=UV_THREADPOOL_SIZE=4 auto=
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { submitAndWait } from './lib/client.mjs';
import { startEngineConn } from './lib/engineconn.mjs';
import { cpuMs } from './lib/proc.mjs';
import { round } from './lib/stats.mjs';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    clients: { type: 'string', default: '32' },
    seconds: { type: 'string', default: '5' },
    rounds: { type: 'string', default: '3' },
  },
});
const clients = Number(values.clients);
const seconds = Number(values.seconds);

/** CPU time of the process's main thread (its event loop), milliseconds. */
function mainThreadCpuMs(pid) {
  const stat = readFileSync(`/proc/${pid}/task/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

const variants = positionals.map((spec) => {
  const [name, rest = ''] = spec.split(/=(.*)/s);
  const [envs, bin] = rest.split('@');
  const env = Object.fromEntries(
    envs
      .split(',')
      .filter(Boolean)
      .map((kv) => kv.split(/=(.*)/s)),
  );
  return { name, env, bin };
});

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
    const loop = async (ms) => {
      let tasks = 0;
      const deadline = performance.now() + ms;
      await Promise.all(
        Array.from({ length: clients }, async () => {
          while (performance.now() < deadline) {
            await one();
            tasks++;
          }
        }),
      );
      return tasks;
    };
    await loop(1500);
    const cpu0 = cpuMs(ec.pid);
    const main0 = mainThreadCpuMs(ec.pid);
    const t0 = performance.now();
    const tasks = await loop(seconds * 1000);
    const elapsed = performance.now() - t0;
    return {
      perSecond: round((tasks / elapsed) * 1000, 0),
      cpuUs: round(((cpuMs(ec.pid) - cpu0) * 1000) / tasks, 0),
      mainUs: round(((mainThreadCpuMs(ec.pid) - main0) * 1000) / tasks, 0),
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
      `round ${r + 1} ${v.name}: ${res.perSecond} tasks/s, EC CPU/task ${res.cpuUs} µs (main thread ${res.mainUs} µs), load ${res.load}`,
    );
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
for (const [name, rs] of Object.entries(results)) {
  console.log(
    `median ${name}: ${median(rs.map((r) => r.perSecond))} tasks/s, EC CPU/task ${median(rs.map((r) => r.cpuUs))} µs, main thread ${median(rs.map((r) => r.mainUs))} µs`,
  );
}
