// The floor of the HTTP layer's cost per one-request task, next to an EngineConn's cost, measured
// the same way in the same minutes: a bare node:http server and a bare fastify route answering
// `POST /api/v1/tasks?wait=10s` with the JSON an EngineConn answers for `select 1`
// (bench/lib/floor-server.mjs), and an EngineConn on DuckDB running `select 1 as one`. Each is driven
// from N keep-alive connections by wrk when it is installed (it takes far less of the cores than
// Node clients), else by the bench's node:http client; printed: requests/s and the server's CPU per
// request, its main thread alone too.
//
//   node bench/http-floor.mjs [--clients 32] [--seconds 5] [--rounds 3] [--client wrk|node]
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { submitAndWait } from './lib/client.mjs';
import { startEngineConn } from './lib/engineconn.mjs';
import { round } from './lib/stats.mjs';
import { threadCpu } from './lib/threads.mjs';
import { wrkInstalled, wrkOneRequest } from './lib/wrk.mjs';

const { values } = parseArgs({
  options: {
    clients: { type: 'string', default: '32' },
    seconds: { type: 'string', default: '5' },
    rounds: { type: 'string', default: '3' },
    client: { type: 'string', default: wrkInstalled() ? 'wrk' : 'node' },
  },
});
const clients = Number(values.clients);
const seconds = Number(values.seconds);
const CODE = 'select 1 as one';
const SERVER = fileURLToPath(new URL('./lib/floor-server.mjs', import.meta.url));

/** `seconds` of one-request tasks from `clients` connections; resolves with the requests answered. */
async function drive(base, secs) {
  if (values.client === 'wrk') {
    const res = await wrkOneRequest(base, CODE, { connections: clients, seconds: secs });
    if (res.errors > 0) throw new Error(`${res.errors} failed answers (${res.socketErrors ?? 'bad status'})`);
    return res.tasks;
  }
  let requests = 0;
  const deadline = performance.now() + secs * 1000;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (performance.now() < deadline) {
        const task = await submitAndWait(base, CODE);
        if (task.status !== 'Succeed') throw new Error(`task ended ${task.status}`);
        requests++;
      }
    }),
  );
  return requests;
}

async function startFloor(kind) {
  const child = spawn(process.execPath, [SERVER, kind], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  child.stdout.setEncoding('utf8');
  const [line] = await once(child.stdout, 'data');
  return {
    base: `http://127.0.0.1:${Number(line)}`,
    pid: child.pid,
    async stop() {
      child.kill();
      await once(child, 'exit');
    },
  };
}

async function startEc() {
  const ec = await startEngineConn(['--engine', 'duckdb', '--concurrency', String(clients)]);
  return { base: ec.url, pid: ec.pid, stop: () => ec.stop() };
}

async function runOnce(kind) {
  const server = kind === 'engineconn' ? await startEc() : await startFloor(kind);
  try {
    // An EngineConn's per-task code keeps being optimised for thousands of tasks (bench/ab-trivial.mjs).
    await drive(server.base, kind === 'engineconn' ? 8 : 3);
    const threads0 = threadCpu(server.pid);
    const t0 = performance.now();
    const requests = await drive(server.base, seconds);
    const elapsed = performance.now() - t0;
    const used = threadCpu(server.pid).since(threads0);
    return {
      perSecond: round((requests / elapsed) * 1000, 0),
      cpuUs: round((used.total * 1000) / requests, 0),
      mainUs: round((used.main * 1000) / requests, 0),
      load: round(loadavg()[0], 1),
    };
  } finally {
    await server.stop();
  }
}

const results = { node: [], fastify: [], engineconn: [] };
for (let r = 0; r < Number(values.rounds); r++) {
  for (const kind of Object.keys(results)) {
    const res = await runOnce(kind);
    results[kind].push(res);
    console.log(
      `round ${r + 1} ${kind} (${values.client}): ${res.perSecond} requests/s, CPU/request ${res.cpuUs} µs (main ${res.mainUs}), load ${res.load}`,
    );
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
for (const [kind, rs] of Object.entries(results)) {
  console.log(
    `median ${kind}: ${median(rs.map((r) => r.perSecond))} requests/s, CPU/request ${median(rs.map((r) => r.cpuUs))} µs, main ${median(rs.map((r) => r.mainUs))} µs`,
  );
}
