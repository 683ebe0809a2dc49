// 3,000 in-flight timer tasks on one concurrent EngineConn (the framework itself), and 500 real
// shell `sleep 1` tasks at once; baselines: the same timers in-process, the same processes spawned directly.
import { spawn } from 'node:child_process';
import { api, scrape, submit, waitUntil } from '../lib/client.mjs';
import { startEngineConn, TEST_ENGINE } from '../lib/engineconn.mjs';
import { mib, percentile, round } from '../lib/stats.mjs';
import { followAllTasks } from '../lib/ws-events.mjs';

/** Submits `n` tasks from `clients` concurrent HTTP callers; returns their ids in submission order. */
async function submitAll(base, n, clients, code) {
  const ids = new Array(n);
  let next = 0;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (next < n) {
        const i = next++;
        ids[i] = (await submit(base, code)).id;
      }
    }),
  );
  return ids;
}

/** Runs `n` tasks of `code` at once on `ec` and measures them through one WebSocket. */
async function inFlight(ec, { n, code, expectMs, clients }) {
  const done = new Map();
  const statusLatency = [];
  const follower = await followAllTasks(
    ec.url,
    (message, receivedAt) => {
      if (message.event === 'status') statusLatency.push(receivedAt - Date.parse(message.data.at));
      else if (message.event === 'done') done.set(message.taskId, message.data.status);
    },
    'sleep 0',
  );
  await scrape(ec.url); // resets the event-loop delay histogram: the next scrape covers this run only
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  let peakRunning = 0;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      const info = await api(ec.url, 'GET', '/api/v1/engineconn');
      peakRunning = Math.max(peakRunning, info.concurrency.running);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  })();
  const ids = await submitAll(ec.url, n, clients, code);
  const submittedMs = performance.now() - started;
  await waitUntil(() => ids.every((id) => done.has(id)), {
    timeoutMs: expectMs * 4 + 60_000,
    intervalMs: 5,
    what: 'every task done',
  });
  const wallMs = performance.now() - started;
  sampling = false;
  await sampler;
  const metrics = await scrape(ec.url);
  follower.close();
  const statuses = {};
  for (const id of ids) statuses[done.get(id)] = (statuses[done.get(id)] ?? 0) + 1;
  const clientCpu = process.cpuUsage(cpuBefore);
  return {
    n,
    submittedMs: round(submittedMs),
    wallMs: round(wallMs),
    succeeded: statuses.Succeed ?? 0,
    statuses,
    lost: ids.filter((id) => !done.has(id)).length,
    peakRunning,
    eventLoopP99Ms: round((metrics('nodejs_eventloop_lag_p99_seconds') ?? 0) * 1000),
    eventLoopMaxMs: round((metrics('nodejs_eventloop_lag_max_seconds') ?? 0) * 1000),
    statusEventP99Ms: percentile(statusLatency, 0.99),
    statusEventP50Ms: percentile(statusLatency, 0.5),
    statusEvents: statusLatency.length,
    peakRssMiB: mib(ec.peakRss()),
    benchClientCpuMs: round((clientCpu.user + clientCpu.system) / 1000),
  };
}

/** The in-process baseline: `n` timers of `ms` at once. */
async function timersDirect(n, ms) {
  const started = performance.now();
  await Promise.all(Array.from({ length: n }, () => new Promise((resolve) => setTimeout(resolve, ms))));
  return performance.now() - started;
}

/** `n` `bash -c 'sleep 1'` children at once, each in its own process group as the shell engine does. */
async function shellDirect(n, seconds) {
  const started = performance.now();
  let ok = 0;
  await Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise((resolve) => {
          const child = spawn('bash', ['-c', `sleep ${seconds}`], {
            detached: true,
            stdio: ['ignore', 'pipe', 'pipe'],
          });
          child.stdout.resume();
          child.stderr.resume();
          child.once('close', (code) => {
            if (code === 0) ok++;
            resolve();
          });
        }),
    ),
  );
  return { wallMs: performance.now() - started, ok };
}

export default {
  name: 'concurrency',
  title: 'Concurrency: tasks in flight on one concurrent EngineConn',
  async run({ quick, log }) {
    const rows = [];
    const details = {};

    const n = quick ? 500 : 3000;
    // Long enough that every task is still running when the last one is submitted.
    const sleepMs = quick ? 2000 : 10_000;
    log(`${n} test-engine tasks of 'sleep ${sleepMs}' at once`);
    const timers = await startEngineConn(['--engine', TEST_ENGINE, '--concurrency', String(n)]);
    try {
      const ec = await inFlight(timers, { n, code: `sleep ${sleepMs}`, expectMs: sleepMs, clients: 64 });
      const baselineMs = await timersDirect(n, sleepMs);
      details.timers = { sleepMs, ...ec, baselineWallMs: round(baselineMs) };
      rows.push(
        {
          metric: `${n} timer tasks: succeeded (none lost)`,
          ec: ec.succeeded,
          baseline: n,
          unit: 'tasks',
          target: `${n}`,
          ok: ec.succeeded === n && ec.lost === 0,
        },
        {
          metric: `${n} timer tasks: peak running at once`,
          ec: ec.peakRunning,
          baseline: n,
          unit: 'tasks',
          target: `${n}`,
          ok: ec.peakRunning === n,
        },
        { metric: `${n} timer tasks: submit all over HTTP (64 clients)`, ec: ec.submittedMs, unit: 'ms' },
        {
          metric: `${n} timer tasks: last submit to all done, sleep ${sleepMs} ms`,
          ec: round(ec.wallMs - ec.submittedMs),
          baseline: sleepMs,
          unit: 'ms',
        },
        {
          metric: `${n} timer tasks: wall time, sleep ${sleepMs} ms`,
          ec: ec.wallMs,
          baseline: round(baselineMs),
          unit: 'ms',
        },
        { metric: `${n} timer tasks: EC event-loop delay p99`, ec: ec.eventLoopP99Ms, unit: 'ms' },
        { metric: `${n} timer tasks: status event latency p99 (WebSocket)`, ec: ec.statusEventP99Ms, unit: 'ms' },
        { metric: `${n} timer tasks: EC peak RSS`, ec: ec.peakRssMiB, unit: 'MiB' },
      );
    } finally {
      await timers.stop();
    }

    const shells = quick ? 100 : 500;
    log(`${shells} shell tasks of 'sleep 1' at once`);
    const shell = await startEngineConn(['--engine', 'shell', '--concurrency', String(shells)]);
    try {
      const ec = await inFlight(shell, { n: shells, code: 'sleep 1', expectMs: 1000, clients: 64 });
      const direct = await shellDirect(shells, 1);
      details.shell = { ...ec, baselineWallMs: round(direct.wallMs), baselineOk: direct.ok };
      rows.push(
        {
          metric: `${shells} shell 'sleep 1' tasks: succeeded`,
          ec: ec.succeeded,
          baseline: direct.ok,
          unit: 'tasks',
          target: `${shells}`,
          ok: ec.succeeded === shells,
        },
        {
          metric: `${shells} shell 'sleep 1' tasks: wall time`,
          ec: ec.wallMs,
          baseline: round(direct.wallMs),
          unit: 'ms',
        },
        { metric: `${shells} shell tasks: EC event-loop delay p99`, ec: ec.eventLoopP99Ms, unit: 'ms' },
        { metric: `${shells} shell tasks: status event latency p99`, ec: ec.statusEventP99Ms, unit: 'ms' },
        { metric: `${shells} shell tasks: EC peak RSS`, ec: ec.peakRssMiB, unit: 'MiB' },
      );
    } finally {
      await shell.stop();
    }
    return { rows, details };
  },
};
