// Trivial DuckDB tasks end to end over HTTP from N concurrent keep-alive clients, in one request
// (`?wait=`) and in the old three (submit, events, first page), against the same `select 1` on
// DuckDB called directly (N connections) in this process, same run.

import { loadavg } from 'node:os';
import { api, followEvents, scrape, submit, submitAndWait } from '../lib/client.mjs';
import { closedLoop as runClosedLoop } from '../lib/closed-loop.mjs';
import { openDirectDuckDB } from '../lib/duckdb-direct.mjs';
import { startEngineConn } from '../lib/engineconn.mjs';
import { mib, percentile, round } from '../lib/stats.mjs';
import { threadCpu } from '../lib/threads.mjs';
import { wrkInstalled, wrkOneRequest } from '../lib/wrk.mjs';

/** The thread groups of threads.mjs, as the rows name them. */
const THREAD_GROUPS = [
  ['main', 'main thread (event loop)'],
  ['node', 'V8 platform threads (GC, compiler)'],
  ['libuv', "libuv's pool (DuckDB calls)"],
  ['later', "DuckDB's workers"],
];

/** CPU per task, µs, of each thread group (and `total`) of `pid` while `run` ran `tasks()` tasks. */
async function cpuPerTask(pid, run) {
  const before = threadCpu(pid);
  const result = await run();
  const used = threadCpu(pid).since(before);
  const perTask = Object.fromEntries(
    Object.entries(used).map(([group, ms]) => [group, round((ms * 1000) / Math.max(1, result.tasks), 0)]),
  );
  return { ...result, cpuPerTaskUs: perTask };
}

/** Runs `one()` from `clients` loops for `ms`; returns tasks/s and latency percentiles. */
async function closedLoop(clients, ms, one) {
  const latencies = [];
  let errors = 0;
  const started = performance.now();
  await runClosedLoop(clients, ms, async () => {
    const t0 = performance.now();
    try {
      await one();
      latencies.push(performance.now() - t0);
    } catch (err) {
      errors++;
      if (errors === 1) process.stderr.write(`  [throughput] ${err.message}\n`);
    }
  });
  const elapsed = performance.now() - started;
  return {
    tasks: latencies.length,
    errors,
    perSecond: round((latencies.length / elapsed) * 1000, 0),
    p50Ms: round(percentile(latencies, 0.5)),
    p99Ms: round(percentile(latencies, 0.99)),
  };
}

/**
 * Tasks an EngineConn runs before it is measured. Its per-task code is much larger than the direct
 * loop's, and V8 keeps optimising it for thousands of tasks: measured at 32 clients (load 15), the
 * EngineConn's CPU per task fell from about 2,000 µs over its first 1,700 tasks (V8's platform
 * threads, which run the optimising compiler, 530-650 µs of it) to about 700 µs after 6,000 (those
 * threads 45 µs). A long-lived EngineConn runs warm; a time-boxed warm-up measured a cold one.
 */
const WARM_UP_TASKS = 8000;
/** The warm-up stops here on a machine too loaded to reach WARM_UP_TASKS. */
const WARM_UP_MAX_MS = 30_000;

/** Runs `one()` from `clients` loops until `tasks` ran or `maxMs` passed. */
async function warmUp(clients, tasks, maxMs, one) {
  let done = 0;
  const deadline = performance.now() + maxMs;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (done < tasks && performance.now() < deadline) {
        await one();
        done++;
      }
    }),
  );
}

/** The old three-request flow: submit, follow its events to `done`, read the first result page. */
async function threeRequests(base) {
  const { id } = await submit(base, 'select 1 as one');
  const done = await followEvents(base, id);
  if (done.status !== 'Succeed') throw new Error(`task ${id} ended ${done.status}`);
  const page = await api(base, 'GET', `/api/v1/tasks/${id}/results/0`);
  if (page.rows[0][0] !== 1) throw new Error(`task ${id} answered ${JSON.stringify(page.rows)}`);
}

/** The one-request flow: submit with `?wait=`, the answer holds the ended task and its rows. */
async function oneRequest(base) {
  const task = await submitAndWait(base, 'select 1 as one');
  if (task.status !== 'Succeed') throw new Error(`task ${task.id} ended ${task.status}`);
  if (task.results[0].rows[0][0] !== 1) throw new Error(`task ${task.id} answered ${JSON.stringify(task.results)}`);
}

/** Measures one flow from `clients` loops: rate, latency and the EngineConn's CPU per task. */
async function measure(ec, clients, seconds, one) {
  await scrape(ec.url); // resets the event-loop delay histogram: the next scrape covers this run only
  // This process runs only the clients meanwhile: its CPU is the load generator's.
  const client0 = process.cpuUsage();
  const run = await cpuPerTask(ec.pid, () => closedLoop(clients, seconds * 1000, () => one(ec.url)));
  const client = process.cpuUsage(client0);
  const metrics = await scrape(ec.url);
  return {
    ...run,
    ecCpuPerTaskUs: run.cpuPerTaskUs.total,
    clientCpuPerTaskUs: round((client.user + client.system) / Math.max(1, run.tasks), 0),
    eventLoopP99Ms: round((metrics('nodejs_eventloop_lag_p99_seconds') ?? 0) * 1000),
  };
}

export default {
  name: 'throughput',
  title: 'Throughput: `select 1` DuckDB tasks end to end over HTTP',
  baseline:
    "the same `select 1` on @duckdb/node-api in the bench process (configured as the engine does), one connection per client (runAndReadAll + getRows). One request: `POST /api/v1/tasks?wait=10s`, the rows inline. Three requests: submit, SSE to `done`, first result page. The second baseline (direct prepared + materialised) is the engine's own DuckDB calls for a repeated SELECT, a statement prepared once per connection and run materialised, called from the bench process. With wrk installed, the one-request flow at 32 clients also runs from wrk (a C load generator that takes far less of the shared cores than the bench's node:http clients).",
  async run({ quick, log }) {
    const rows = [];
    const details = { runs: [], loadAverage: [] };
    const seconds = quick ? 3 : 6;
    const clientCounts = quick ? [1, 32] : [1, 16, 32];
    const threeRequestCounts = quick ? [32] : [16, 32];
    const useWrk = wrkInstalled();
    if (!useWrk) log('wrk is not installed: no rows from a lean load generator (apt install wrk)');
    const instance = await openDirectDuckDB();
    const pool = [];
    for (let i = 0; i < Math.max(...clientCounts); i++) pool.push(await instance.connect());
    const ec = await startEngineConn(['--engine', 'duckdb', '--concurrency', String(Math.max(...clientCounts))]);
    // The direct side's CPU is this process's while it runs only the direct loop: its DuckDB calls,
    // their libuv round trips and DuckDB's workers, measured per thread group as the EngineConn is.
    const direct = async (clients) => {
      let next = 0;
      return cpuPerTask(process.pid, () =>
        closedLoop(clients, seconds * 1000, async () => {
          const connection = pool[next++ % clients];
          const reader = await connection.runAndReadAll('select 1 as one');
          if (reader.getRows()[0][0] !== 1) throw new Error('direct select 1 answered wrong');
        }),
      );
    };
    // The engine's own calls for a repeated small SELECT, without the EngineConn around them: each
    // connection's statement prepared once and run materialised (see the DuckDB engine's
    // statement-runner). The fastest a caller in the EngineConn's process could go.
    const prepared = await Promise.all(pool.map((connection) => connection.prepare('select 1 as one')));
    const directPrepared = async (clients) => {
      let next = 0;
      return closedLoop(clients, seconds * 1000, async () => {
        const reader = await prepared[next++ % clients].runAndReadAll();
        if (reader.getRows()[0][0] !== 1) throw new Error('direct prepared select 1 answered wrong');
      });
    };
    try {
      // Warm both paths (JIT, connections) before measuring.
      await warmUp(32, quick ? WARM_UP_TASKS / 2 : WARM_UP_TASKS, WARM_UP_MAX_MS, () => oneRequest(ec.url));
      await closedLoop(8, 500, () => threeRequests(ec.url));
      await direct(8);
      for (const clients of clientCounts) {
        log(`${clients} client(s), ${seconds} s each path`);
        // Direct, one request, direct again: the ratio is against the mean of the two direct runs, so
        // load that comes and goes on a shared machine meets both sides.
        const before = await direct(clients);
        const viaEc = await measure(ec, clients, seconds, oneRequest);
        const after = await direct(clients);
        const three = threeRequestCounts.includes(clients) ? await measure(ec, clients, seconds, threeRequests) : null;
        const kept = await directPrepared(clients);
        // The same flow from a load generator that costs the shared cores far less (lib/wrk.mjs).
        const lean =
          clients === 32 && useWrk
            ? await cpuPerTask(ec.pid, () =>
                wrkOneRequest(ec.url, 'select 1 as one', { connections: clients, seconds }),
              )
            : null;
        const base = {
          perSecond: round((before.perSecond + after.perSecond) / 2, 0),
          p50Ms: round((before.p50Ms + after.p50Ms) / 2),
          p99Ms: round((before.p99Ms + after.p99Ms) / 2),
          cpuPerTaskUs: Object.fromEntries(
            Object.keys(before.cpuPerTaskUs).map((group) => [
              group,
              round((before.cpuPerTaskUs[group] + after.cpuPerTaskUs[group]) / 2, 0),
            ]),
          ),
        };
        details.runs.push({
          clients,
          seconds,
          oneRequest: viaEc,
          threeRequests: three,
          direct: [before, after],
          directPrepared: kept,
          wrk: lean,
        });
        details.loadAverage.push({ clients, loadAverage: loadavg().map((l) => round(l, 2)) });
        rows.push({
          metric: `${clients} client(s), one request: tasks/s`,
          ec: viaEc.perSecond,
          baseline: base.perSecond,
          unit: 'tasks/s',
          ...(clients === 32 ? { target: '>= 0.5x direct', ok: viaEc.perSecond >= base.perSecond / 2 } : {}),
        });
        rows.push({
          metric: `${clients} client(s), one request: latency p50`,
          ec: viaEc.p50Ms,
          baseline: base.p50Ms,
          unit: 'ms',
          ...(clients === 1 ? { target: '<= direct + 1 ms', ok: viaEc.p50Ms <= base.p50Ms + 1 } : {}),
        });
        rows.push(
          {
            metric: `${clients} client(s), one request: latency p99`,
            ec: viaEc.p99Ms,
            baseline: base.p99Ms,
            unit: 'ms',
          },
          {
            metric: `${clients} client(s), one request: EC CPU per task (baseline: direct, same threads)`,
            ec: viaEc.ecCpuPerTaskUs,
            baseline: base.cpuPerTaskUs.total,
            unit: 'µs',
            ...(clients === 32 ? { target: '<= 300', ok: viaEc.ecCpuPerTaskUs <= 300 } : {}),
          },
          ...THREAD_GROUPS.map(([group, name]) => ({
            metric: `${clients} client(s), one request: CPU per task, ${name}`,
            ec: viaEc.cpuPerTaskUs[group],
            baseline: base.cpuPerTaskUs[group],
            unit: 'µs',
          })),
          {
            metric: `${clients} client(s), one request vs direct prepared + materialised: tasks/s`,
            ec: viaEc.perSecond,
            baseline: kept.perSecond,
            unit: 'tasks/s',
          },
          {
            metric: `${clients} client(s), one request: EC event-loop delay p99`,
            ec: viaEc.eventLoopP99Ms,
            unit: 'ms',
          },
        );
        if (lean) {
          rows.push(
            {
              metric: `${clients} connections from wrk, one request: tasks/s`,
              ec: lean.perSecond,
              baseline: base.perSecond,
              unit: 'tasks/s',
            },
            {
              metric: `${clients} connections from wrk, one request: latency p50`,
              ec: lean.p50Ms,
              baseline: base.p50Ms,
              unit: 'ms',
            },
            {
              metric: `${clients} connections from wrk, one request: EC CPU per task`,
              ec: lean.cpuPerTaskUs.total,
              baseline: base.cpuPerTaskUs.total,
              unit: 'µs',
            },
            {
              metric: `${clients} clients: the load generator's CPU per task, wrk (baseline: the bench's node:http clients)`,
              ec: lean.clientCpuPerTaskUs,
              baseline: viaEc.clientCpuPerTaskUs,
              unit: 'µs',
            },
          );
        }
        if (three) {
          rows.push(
            {
              metric: `${clients} client(s), three requests: tasks/s`,
              ec: three.perSecond,
              baseline: base.perSecond,
              unit: 'tasks/s',
            },
            {
              metric: `${clients} client(s), three requests: latency p50`,
              ec: three.p50Ms,
              baseline: base.p50Ms,
              unit: 'ms',
            },
            { metric: `${clients} client(s), three requests: EC CPU per task`, ec: three.ecCpuPerTaskUs, unit: 'µs' },
          );
        }
        for (const run of [viaEc, three, lean].filter(Boolean)) {
          if (run.errors > 0) throw new Error(`${run.errors} task(s) failed with ${clients} client(s)`);
        }
      }
      rows.push({ metric: 'EC peak RSS', ec: mib(ec.peakRss()), unit: 'MiB' });
    } finally {
      await ec.stop();
      for (const statement of prepared) statement.destroySync();
      for (const connection of pool) connection.disconnectSync();
      instance.closeSync();
    }
    return { rows, details };
  },
};
