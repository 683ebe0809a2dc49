// A real Trino 476 (the testkit's throwaway single node, or $ENGINECONN_BENCH_TRINO_URL): 300 tpch
// queries through one async EngineConn over HTTP vs. our protocol client called directly in the same
// run; kill latency (kill → Cancelled, confirmed USER_CANCELED on the coordinator) vs. the bare
// DELETE + confirmation; and 3,000 queries in flight at once (Trino runs a few dozen at a time on
// one small node and queues the rest).
import { api, scrape } from '../lib/client.mjs';
import { startEngineConn } from '../lib/engineconn.mjs';
import { cpuMs } from '../lib/proc.mjs';
import { median, mib, percentile, round } from '../lib/stats.mjs';
import { followAllTasks } from '../lib/ws-events.mjs';

const testkit = '../../packages/testkit/dist/index.js';
const protocol = '../../packages/engines/trino/dist/protocol/';

async function directClient(url) {
  const { TrinoClient } = await import(`${protocol}trino-client.js`);
  const { ClientSession } = await import(`${protocol}client-session.js`);
  const client = new TrinoClient({ server: url, retry: { retryForMs: 60_000 } });
  const session = () => new ClientSession({ user: 'bench', source: 'bench-direct' });
  return {
    client,
    session,
    /** One statement, all its rows. */
    async run(sql) {
      const q = await client.submit(sql, session());
      const rows = [];
      for (let page = q.page; ; page = await q.next()) {
        if (page.error) throw new Error(page.error.message);
        if (page.data) rows.push(...page.data);
        if (q.done) return rows;
      }
    },
  };
}

/** Every task `done` through one WebSocket; returns statuses by id and the EC's cost. */
async function runOnEc(ec, codes) {
  const done = new Map();
  const follower = await followAllTasks(
    ec.url,
    (message) => {
      if (message.event === 'done') done.set(message.taskId, message.data.status);
    },
    'SELECT 1',
  );
  await scrape(ec.url);
  const cpuBefore = cpuMs(ec.pid);
  const started = performance.now();
  const ids = [];
  for (let i = 0; i < codes.length; i += 64) {
    const batch = codes.slice(i, i + 64);
    ids.push(
      ...(await Promise.all(batch.map((code) => api(ec.url, 'POST', '/api/v1/tasks', { code })))).map((t) => t.id),
    );
  }
  const submittedMs = performance.now() - started;
  let peakRunning = 0;
  while (!ids.every((id) => done.has(id))) {
    const info = await api(ec.url, 'GET', '/api/v1/engineconn');
    peakRunning = Math.max(peakRunning, info.concurrency.running);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const wallMs = performance.now() - started;
  const ecCpuMs = cpuMs(ec.pid) - cpuBefore;
  const metrics = await scrape(ec.url);
  follower.close();
  const statuses = {};
  for (const id of ids) statuses[done.get(id)] = (statuses[done.get(id)] ?? 0) + 1;
  return {
    ids,
    statuses,
    submittedMs: round(submittedMs),
    wallMs: round(wallMs),
    ecCpuMs: round(ecCpuMs),
    peakRunning,
    eventLoopP99Ms: round((metrics('nodejs_eventloop_lag_p99_seconds') ?? 0) * 1000),
    eventLoopMaxMs: round((metrics('nodejs_eventloop_lag_max_seconds') ?? 0) * 1000),
    peakRssMiB: mib(ec.peakRss()),
  };
}

async function resultRows(ec, id) {
  return (await api(ec.url, 'GET', `/api/v1/tasks/${id}/results/0?limit=1000`)).rows;
}

const tpch = (i, n) => `SELECT count(*), sum(orderkey) FROM tpch.tiny.orders WHERE custkey % ${n} = ${i}`;

export default {
  name: 'trino',
  title: 'Trino: real queries through one async EngineConn vs. the protocol client directly',
  baseline:
    'our Trino protocol client (packages/engines/trino/src/protocol) called in the bench process, same coordinator, same run',
  async run({ quick, log }) {
    const rows = [];
    const details = {};
    let server;
    let url = process.env.ENGINECONN_BENCH_TRINO_URL;
    if (!url) {
      const { startTrino } = await import(testkit);
      const startedAt = performance.now();
      server = await startTrino({ log });
      url = server.url;
      details.trinoStartMs = round(performance.now() - startedAt);
      log(`Trino up at ${url} in ${details.trinoStartMs} ms`);
    }
    const direct = await directClient(url);
    const ec = await startEngineConn(['--engine', 'trino', '--conf', `trino.server=${url}`, '--concurrency', '3000'], {
      timeoutMs: 60_000,
    });
    try {
      const n = quick ? 60 : 300;
      const expected = new Map(
        (await direct.run(`SELECT custkey % ${n}, count(*), sum(orderkey) FROM tpch.tiny.orders GROUP BY 1`)).map(
          ([k, c, s]) => [Number(k), JSON.stringify([[c, s]])],
        ),
      );
      const codes = Array.from({ length: n }, (_, i) => tpch(i, n));

      log(`${n} tpch.tiny queries at once through the EngineConn`);
      const viaEc = await runOnEc(ec, codes);
      let right = 0;
      for (const [i, id] of viaEc.ids.entries()) {
        if (JSON.stringify(await resultRows(ec, id)) === (expected.get(i) ?? '[[0,null]]')) right++;
      }
      log(`${n} tpch.tiny queries at once with the protocol client directly`);
      const directStarted = performance.now();
      const cpuBefore = process.cpuUsage();
      const directRows = await Promise.all(codes.map((code) => direct.run(code)));
      const directMs = round(performance.now() - directStarted);
      const directCpu = process.cpuUsage(cpuBefore);
      const directRight = directRows.filter((r, i) => JSON.stringify(r) === (expected.get(i) ?? '[[0,null]]')).length;
      details.tpch = { n, ...viaEc, ids: undefined, right, directMs, directRight };
      rows.push(
        {
          metric: `${n} tpch queries at once: succeeded, results right`,
          ec: right,
          baseline: directRight,
          unit: 'queries',
          target: `${n}`,
          ok: right === n && (viaEc.statuses.Succeed ?? 0) === n,
        },
        { metric: `${n} tpch queries at once: wall time`, ec: viaEc.wallMs, baseline: directMs, unit: 'ms' },
        {
          metric: `${n} tpch queries: client CPU`,
          ec: viaEc.ecCpuMs,
          baseline: round((directCpu.user + directCpu.system) / 1000),
          unit: 'ms',
        },
        { metric: `${n} tpch queries: EC peak running at once`, ec: viaEc.peakRunning, unit: 'tasks' },
        { metric: `${n} tpch queries: EC event-loop delay p99`, ec: viaEc.eventLoopP99Ms, unit: 'ms' },
      );

      // ENGINECONN_BENCH_TRINO_ONLY=tpch: the 300 queries alone, for an A/B of the polling path.
      if (process.env.ENGINECONN_BENCH_TRINO_ONLY === 'tpch') return { rows, details };
      const kills = quick ? 3 : 10;
      log(`kill latency, ${kills} times each`);
      const killEc = [];
      const killDirect = [];
      for (let k = 0; k < kills; k++) {
        const sql = `SELECT count(*) FROM tpch.sf1000.lineitem WHERE comment <> 'bench-kill-${k}-${Date.now()}'`;
        const task = await api(ec.url, 'POST', '/api/v1/tasks', { code: sql });
        for (;;) {
          const info = await api(ec.url, 'GET', `/api/v1/tasks/${task.id}`);
          if (info.status === 'Running' && info.progressInfo?.length) break;
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        const t0 = performance.now();
        await api(ec.url, 'POST', `/api/v1/tasks/${task.id}/kill`);
        for (;;) {
          const info = await api(ec.url, 'GET', `/api/v1/tasks/${task.id}`);
          if (info.status === 'Cancelled') break;
          if (['Succeed', 'Failed', 'Timeout'].includes(info.status))
            throw new Error(`killed task ended ${info.status}`);
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
        killEc.push(performance.now() - t0);

        const session = direct.session();
        const q = await direct.client.submit(`${sql} -- direct`, session);
        while (q.page.stats?.state !== 'RUNNING' || !(q.page.stats?.totalSplits > 0)) await q.next();
        const t1 = performance.now();
        await direct.client.cancel(q.id, session);
        for (;;) {
          const end = await direct.client.queryEnd(q.id, session);
          if (end.errorName === 'USER_CANCELED') break;
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
        killDirect.push(performance.now() - t1);
      }
      details.kill = { ec: killEc.map((v) => round(v)), direct: killDirect.map((v) => round(v)) };
      rows.push(
        {
          metric: 'kill → Cancelled (USER_CANCELED on the coordinator), median',
          ec: round(median(killEc)),
          baseline: round(median(killDirect)),
          unit: 'ms',
          target: '≤ 100 ms',
          ok: median(killEc) <= 100,
        },
        {
          metric: 'kill → Cancelled, p90',
          ec: round(percentile(killEc, 0.9)),
          baseline: round(percentile(killDirect, 0.9)),
          unit: 'ms',
        },
      );

      const many = quick ? 500 : 3000;
      log(`${many} queries in flight at once through the EngineConn`);
      const flight = Array.from({ length: many }, (_, i) => `SELECT ${i} AS i, ${i} * ${i} AS sq`);
      const inFlight = await runOnEc(ec, flight);
      let flightRight = 0;
      for (const [i, id] of inFlight.ids.entries()) {
        if (JSON.stringify(await resultRows(ec, id)) === JSON.stringify([[i, i * i]])) flightRight++;
      }
      log(`${many} queries in flight at once with the protocol client directly`);
      const flightStarted = performance.now();
      const flightDirect = await Promise.all(
        flight.map((code) =>
          direct.run(code).then(
            () => 1,
            () => 0,
          ),
        ),
      );
      const flightDirectMs = round(performance.now() - flightStarted);
      details.inFlight = { many, ...inFlight, ids: undefined, right: flightRight, directMs: flightDirectMs };
      rows.push(
        {
          metric: `${many} in flight: succeeded, results right (none lost)`,
          ec: flightRight,
          baseline: flightDirect.reduce((a, b) => a + b, 0),
          unit: 'queries',
          target: `${many}`,
          ok: flightRight === many,
        },
        { metric: `${many} in flight: peak running on the EC`, ec: inFlight.peakRunning, unit: 'tasks' },
        { metric: `${many} in flight: wall time`, ec: inFlight.wallMs, baseline: flightDirectMs, unit: 'ms' },
        { metric: `${many} in flight: EC CPU`, ec: inFlight.ecCpuMs, unit: 'ms' },
        {
          metric: `${many} in flight: EC event-loop delay p99 / max`,
          ec: `${inFlight.eventLoopP99Ms} / ${inFlight.eventLoopMaxMs}`,
          unit: 'ms',
        },
        { metric: `${many} in flight: EC peak RSS`, ec: inFlight.peakRssMiB, unit: 'MiB' },
      );
    } finally {
      await ec.stop();
      await direct.client.close();
      await server?.stop();
    }
    return { rows, details };
  },
};
