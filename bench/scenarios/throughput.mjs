// Trivial DuckDB tasks end to end over HTTP from N concurrent keep-alive clients, against the same
// `select 1` on DuckDB called directly (N connections) in this process, same run.

import { api, followEvents, submit } from '../lib/client.mjs';
import { openDirectDuckDB } from '../lib/duckdb-direct.mjs';
import { startEngineConn } from '../lib/engineconn.mjs';
import { cpuMs } from '../lib/proc.mjs';
import { mib, percentile, round } from '../lib/stats.mjs';

/** Runs `one()` from `clients` loops for `ms`; returns tasks/s and latency percentiles. */
async function closedLoop(clients, ms, one) {
  const latencies = [];
  let errors = 0;
  const started = performance.now();
  const deadline = started + ms;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (performance.now() < deadline) {
        const t0 = performance.now();
        try {
          await one();
          latencies.push(performance.now() - t0);
        } catch (err) {
          errors++;
          if (errors === 1) process.stderr.write(`  [throughput] ${err.message}\n`);
        }
      }
    }),
  );
  const elapsed = performance.now() - started;
  return {
    tasks: latencies.length,
    errors,
    perSecond: round((latencies.length / elapsed) * 1000, 0),
    p50Ms: round(percentile(latencies, 0.5)),
    p99Ms: round(percentile(latencies, 0.99)),
  };
}

/** The task as a client sees it: submit, follow its events to `done`, read the first result page. */
async function endToEnd(base) {
  const { id } = await submit(base, 'select 1 as one');
  const done = await followEvents(base, id);
  if (done.status !== 'Succeed') throw new Error(`task ${id} ended ${done.status}`);
  const page = await api(base, 'GET', `/api/v1/tasks/${id}/results/0`);
  if (page.rows[0][0] !== 1) throw new Error(`task ${id} answered ${JSON.stringify(page.rows)}`);
}

export default {
  name: 'throughput',
  title: 'Throughput: `select 1` DuckDB tasks end to end over HTTP',
  baseline:
    'the same `select 1` on @duckdb/node-api in the bench process (configured as the engine does), one connection per client (runAndReadAll + getRows).',
  async run({ quick, log }) {
    const rows = [];
    const details = { runs: [] };
    const seconds = quick ? 3 : 8;
    const clientCounts = quick ? [16] : [1, 16, 64];
    const instance = await openDirectDuckDB();
    const pool = [];
    for (let i = 0; i < Math.max(...clientCounts); i++) pool.push(await instance.connect());
    const ec = await startEngineConn(['--engine', 'duckdb', '--concurrency', String(Math.max(...clientCounts))]);
    try {
      // Warm both paths (JIT, connections) before measuring.
      await closedLoop(8, 1000, () => endToEnd(ec.url));
      for (const clients of clientCounts) {
        log(`${clients} client(s), ${seconds} s each path`);
        const cpu0 = cpuMs(ec.pid);
        const viaEc = await closedLoop(clients, seconds * 1000, () => endToEnd(ec.url));
        const ecCpuPerTaskUs = round(((cpuMs(ec.pid) - cpu0) * 1000) / Math.max(1, viaEc.tasks), 0);
        let next = 0;
        const direct = await closedLoop(clients, seconds * 1000, async () => {
          const connection = pool[next++ % clients];
          const reader = await connection.runAndReadAll('select 1 as one');
          if (reader.getRows()[0][0] !== 1) throw new Error('direct select 1 answered wrong');
        });
        details.runs.push({ clients, seconds, ec: viaEc, direct, ecCpuPerTaskUs });
        rows.push(
          {
            metric: `${clients} client(s): tasks/s`,
            ec: viaEc.perSecond,
            baseline: direct.perSecond,
            unit: 'tasks/s',
            ...(clients > 1 ? { target: '>= 5000', ok: viaEc.perSecond >= 5000 } : {}),
          },
          { metric: `${clients} client(s): latency p50`, ec: viaEc.p50Ms, baseline: direct.p50Ms, unit: 'ms' },
          { metric: `${clients} client(s): latency p99`, ec: viaEc.p99Ms, baseline: direct.p99Ms, unit: 'ms' },
          { metric: `${clients} client(s): EC CPU per task`, ec: ecCpuPerTaskUs, unit: 'µs' },
        );
      }
      rows.push({ metric: 'EC peak RSS', ec: mib(ec.peakRss()), unit: 'MiB' });
    } finally {
      await ec.stop();
      for (const connection of pool) connection.disconnectSync();
      instance.closeSync();
    }
    return { rows, details };
  },
};
