// Kill latency: from the kill request to the task's Cancelled status, with the work verified stopped
// (DuckDB threads idle, the shell's process group gone, the interpreter idle and answering, the
// PostgreSQL backend no longer running the query). Baseline: the same cancel done directly.
import { spawn } from 'node:child_process';
import pg from 'pg';
import { startPostgres } from '../../packages/testkit/dist/postgres-server.js';
import { api, followEvents, submit, waitUntil } from '../lib/client.mjs';
import { openDirectDuckDB } from '../lib/duckdb-direct.mjs';
import { startEngineConn } from '../lib/engineconn.mjs';
import { childrenOf, cpuMs, processesInGroup } from '../lib/proc.mjs';
import { median, round } from '../lib/stats.mjs';

const LONG_DUCKDB = 'select count(distinct hash(i) % 100000007) from range(10000000000) t(i)';

/** CPU milliseconds `pid` uses over the next `ms`. */
async function cpuOver(pid, ms) {
  const before = cpuMs(pid);
  await new Promise((resolve) => setTimeout(resolve, ms));
  return cpuMs(pid) - before;
}

/**
 * Submits `code`, waits until it runs (and `ready(events)` holds), kills it; returns the ms from the
 * kill request to the Cancelled `done` event, and the events.
 */
async function killThroughEc(ec, code, ready = () => true) {
  const { id } = await submit(ec.url, code);
  const events = [];
  let doneAt = 0;
  const following = followEvents(ec.url, id, (e) => {
    events.push(e);
    if (e.event === 'done') doneAt = performance.now();
  });
  await waitUntil(() => events.some((e) => e.event === 'status' && e.data.status === 'Running') && ready(events), {
    what: 'the task to run',
  });
  await new Promise((resolve) => setTimeout(resolve, 200));
  const t0 = performance.now();
  await api(ec.url, 'POST', `/api/v1/tasks/${id}/kill`);
  const done = await following;
  if (done.status !== 'Cancelled') throw new Error(`killed task ended ${done.status}`);
  return { ms: doneAt - t0, events };
}

function logLines(events) {
  return events.filter((e) => e.event === 'log').flatMap((e) => e.data.lines);
}

/**
 * `reps` kills of `code` through one EngineConn started with `args`, each followed by
 * `stopped(ec, kill)`, the case's own look at whether the work really stopped; the EngineConn is
 * stopped after, whatever happened.
 */
async function killsThroughEc(args, reps, code, stopped, ready) {
  const ec = await startEngineConn(args);
  const ecMs = [];
  const checks = [];
  try {
    for (let i = 0; i < reps; i++) {
      const kill = await killThroughEc(ec, code, ready);
      ecMs.push(kill.ms);
      checks.push(await stopped(ec, kill));
    }
  } finally {
    await ec.stop();
  }
  return { ecMs, checks };
}

async function duckdbCase(reps, log) {
  log('duckdb');
  const { ecMs, checks: idleCpu } = await killsThroughEc(['--engine', 'duckdb'], reps, LONG_DUCKDB, (ec) =>
    cpuOver(ec.pid, 300),
  );
  const instance = await openDirectDuckDB();
  const connection = await instance.connect();
  const directMs = [];
  for (let i = 0; i < reps; i++) {
    const running = connection.runAndReadAll(LONG_DUCKDB).then(
      () => 'finished',
      () => 'interrupted',
    );
    await new Promise((resolve) => setTimeout(resolve, 400));
    const t0 = performance.now();
    connection.interrupt();
    if ((await running) !== 'interrupted') throw new Error('the direct query was not interrupted');
    directMs.push(performance.now() - t0);
  }
  connection.disconnectSync();
  instance.closeSync();
  return {
    ecMs,
    directMs,
    verified: idleCpu.every((ms) => ms < 100),
    check: `EC CPU in the 300 ms after Cancelled: ${idleCpu.map((v) => round(v, 0)).join(', ')} ms`,
  };
}

const SHELL_SCRIPT = 'sleep 600 & sleep 600 & echo "pgid $$"; wait';

async function shellCase(reps, log) {
  log('shell');
  const pgidOf = (events) =>
    Number(
      logLines(events)
        .find((l) => l.startsWith('pgid '))
        ?.slice(5) ?? 0,
    );
  const { ecMs, checks: leftovers } = await killsThroughEc(
    ['--engine', 'shell'],
    reps,
    SHELL_SCRIPT,
    (_ec, kill) => processesInGroup(pgidOf(kill.events)).length,
    (events) => pgidOf(events) > 0,
  );
  const directMs = [];
  for (let i = 0; i < reps; i++) {
    const child = spawn('bash', ['-c', SHELL_SCRIPT], { detached: true, stdio: ['ignore', 'pipe', 'ignore'] });
    await new Promise((resolve) => child.stdout.once('data', resolve));
    await new Promise((resolve) => setTimeout(resolve, 200));
    const t0 = performance.now();
    process.kill(-child.pid, 'SIGTERM');
    await waitUntil(() => processesInGroup(child.pid).length === 0, { intervalMs: 1, what: 'the group to exit' });
    directMs.push(performance.now() - t0);
  }
  return {
    ecMs,
    directMs,
    verified: leftovers.every((n) => n === 0),
    check: `processes left in the task's group at Cancelled: ${leftovers.join(', ')}`,
  };
}

const PY_LOOP = 'n = 0\nwhile True:\n    n += 1';

async function pythonCase(reps, log) {
  log('python');
  const { ecMs, checks } = await killsThroughEc(['--engine', 'python'], reps, PY_LOOP, async (ec) => {
    const cpu = await Promise.all(childrenOf(ec.pid).map((pid) => cpuOver(pid, 300)));
    const { id } = await submit(ec.url, '1+1');
    const done = await followEvents(ec.url, id);
    return { cpu: Math.max(0, ...cpu), next: done.status };
  });
  const directMs = [];
  for (let i = 0; i < reps; i++) {
    const code = `import sys\ntry:\n    print('running', flush=True)\n${PY_LOOP.replace(/^/gm, '    ')}\nexcept KeyboardInterrupt:\n    print('interrupted', flush=True)\n    sys.stdin.read()`;
    const child = spawn('/usr/bin/python3', ['-c', code], { stdio: ['pipe', 'pipe', 'ignore'] });
    child.stdout.setEncoding('utf8');
    await new Promise((resolve) => child.stdout.once('data', resolve));
    await new Promise((resolve) => setTimeout(resolve, 200));
    const t0 = performance.now();
    const interrupted = new Promise((resolve) =>
      child.stdout.on('data', (d) => d.includes('interrupted') && resolve()),
    );
    child.kill('SIGINT');
    await interrupted;
    directMs.push(performance.now() - t0);
    child.kill('SIGKILL');
  }
  return {
    ecMs,
    directMs,
    verified: checks.every((c) => c.cpu < 100 && c.next === 'Succeed'),
    check: `interpreter CPU in the 300 ms after Cancelled, and the next 1+1: ${checks.map((c) => `${round(c.cpu, 0)} ms ${c.next}`).join('; ')}`,
  };
}

async function postgresCase(reps, log) {
  log('postgres (throwaway cluster)');
  const server = await startPostgres();
  const probe = new pg.Client({ connectionString: server.url });
  await probe.connect();
  const sleeping = async () =>
    Number(
      (
        await probe.query(
          "select count(*) as n from pg_stat_activity where state = 'active' and query like 'select pg_sleep(600)%'",
        )
      ).rows[0].n,
    );
  try {
    const { ecMs, checks: left } = await killsThroughEc(
      ['--engine', 'postgres', '--conf', `postgres.url=${server.url}`],
      reps,
      'select pg_sleep(600)',
      sleeping,
    );
    const directMs = [];
    const client = new pg.Client({ connectionString: server.url });
    await client.connect();
    try {
      for (let i = 0; i < reps; i++) {
        const running = client.query('select pg_sleep(600)').then(
          () => 'finished',
          () => 'cancelled',
        );
        await waitUntil(async () => (await sleeping()) > 0, { intervalMs: 10, what: 'pg_sleep to run' });
        const t0 = performance.now();
        await probe.query('select pg_cancel_backend($1)', [client.processID]);
        if ((await running) !== 'cancelled') throw new Error('the direct pg_sleep was not cancelled');
        directMs.push(performance.now() - t0);
      }
    } finally {
      await client.end();
    }
    return {
      ecMs,
      directMs,
      verified: left.every((n) => n === 0),
      check: `backends still running pg_sleep at Cancelled: ${left.join(', ')}`,
    };
  } finally {
    await probe.end();
    await server.stop();
  }
}

export default {
  name: 'kill',
  title: 'Kill latency: kill request to Cancelled, work verified stopped',
  baseline:
    "the same cancel done directly from the bench: DuckDB connection.interrupt() to the query's rejection; SIGTERM to the bash process group until no process is left in it; SIGINT to a python3 loop until its KeyboardInterrupt handler prints; pg_cancel_backend() until the query rejects.",
  async run({ quick, log }) {
    const reps = quick ? 2 : 5;
    const rows = [];
    const details = {};
    for (const [name, run] of [
      ['duckdb query', duckdbCase],
      ['shell process group', shellCase],
      ['python loop', pythonCase],
      ['postgres pg_sleep', postgresCase],
    ]) {
      try {
        const r = await run(reps, log);
        details[name] = { ...r, ecMs: r.ecMs.map((v) => round(v)), directMs: r.directMs.map((v) => round(v)) };
        rows.push({
          metric: `${name}: kill to Cancelled (median of ${reps}; max ${round(Math.max(...r.ecMs), 0)})`,
          ec: round(median(r.ecMs)),
          baseline: round(median(r.directMs)),
          unit: 'ms',
          target: '< 100, stopped',
          ok: median(r.ecMs) < 100 && r.verified,
        });
      } catch (err) {
        details[name] = { error: String(err.message ?? err) };
        rows.push({ metric: `${name}: failed: ${String(err.message ?? err).slice(0, 120)}`, ok: false });
      }
    }
    return { rows, details };
  },
};
