// Ask → ready through the EngineConnManager: a new engine (the manager launches `engineconn start`
// as the user's OS account, waits for its register and Unlock reports, answers), and a reused one
// (a live engine of the same user and key), against the same EngineConn spawned directly to its ready
// file in the same run.
import { execFileSync, spawn } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { BIN, startEngineConn } from '../lib/engineconn.mjs';
import { median, round } from '../lib/stats.mjs';

const TOKEN = 'bench-token';

/** As root the manager runs each engine as its user's OS account: a bench user, created if missing. */
function benchUser() {
  if (process.getuid?.() !== 0) return userInfo().username;
  try {
    execFileSync('id', ['-u', 'ecm-bench'], { stdio: 'ignore' });
  } catch {
    execFileSync('useradd', ['-m', 'ecm-bench'], { stdio: 'ignore' });
  }
  return 'ecm-bench';
}

async function startManager(dir) {
  const readyFile = join(dir, 'ready.json');
  await writeFile(join(dir, 'auth.json'), JSON.stringify({ tokens: [{ token: TOKEN, user: benchUser() }] }), {
    mode: 0o600,
  });
  const child = spawn(
    process.execPath,
    [BIN, 'manager', 'start', '--port', '0', '--ready-file', readyFile, '--data-dir', join(dir, 'data')].concat([
      '--auth-file',
      join(dir, 'auth.json'),
      '--log-level',
      'warn',
      '--heartbeat-interval',
      '1s',
    ]),
    { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, NODE_OPTIONS: '' } },
  );
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      return { ...JSON.parse(await readFile(readyFile, 'utf8')), child, exited };
    } catch {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error('the manager did not start');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

async function call(url, method, path, body) {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  if (!res.ok && res.status !== 404) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

async function timedAsk(url, body) {
  const t0 = performance.now();
  const { body: answer } = await call(url, 'POST', '/api/v1/engines/ask', body);
  return { ms: performance.now() - t0, answer };
}

export default {
  name: 'manager',
  title: 'Manager: ask to ready, new and reused engine',
  baseline:
    'the same duckdb EngineConn spawned directly (`engineconn start`, spawn to ready file), same run. The manager runs as root and launches each engine as the bench OS user.',
  async run({ quick, log }) {
    const times = quick ? 2 : 7;
    const dir = await mkdtemp(join(tmpdir(), 'ec-bench-mgr-'));
    await chmod(dir, 0o711);
    const manager = await startManager(dir);
    try {
      log(`direct duckdb start x${times}`);
      const direct = [];
      for (let i = 0; i < times; i++) {
        const ec = await startEngineConn(['--engine', 'duckdb']);
        direct.push(ec.readyMs);
        await ec.stop();
      }
      log(`ask, new engine x${times}`);
      const fresh = [];
      for (let i = 0; i < times; i++) {
        const { ms, answer } = await timedAsk(manager.url, { engineType: 'duckdb', reuse: false });
        fresh.push(ms);
        await call(manager.url, 'DELETE', `/api/v1/engines/${answer.engine.id}`);
        const gone = Date.now() + 30_000;
        while ((await call(manager.url, 'GET', `/api/v1/engines/${answer.engine.id}`)).status !== 404) {
          if (Date.now() > gone) throw new Error('a stopped engine did not leave');
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      }
      const reusedTimes = quick ? 20 : 200;
      log(`ask, reused engine x${reusedTimes}`);
      await timedAsk(manager.url, { engineType: 'duckdb' });
      const reused = [];
      for (let i = 0; i < reusedTimes; i++) {
        const { ms, answer } = await timedAsk(manager.url, { engineType: 'duckdb' });
        if (!answer.reused) throw new Error('the ask did not reuse the live engine');
        reused.push(ms);
      }
      const directMs = median(direct);
      return {
        rows: [
          {
            metric: `duckdb: ask to ready, new engine (median of ${times})`,
            ec: round(median(fresh)),
            baseline: round(directMs),
            unit: 'ms',
            target: '<= direct start + 150 ms',
            ok: median(fresh) <= directMs + 150,
          },
          {
            metric: `duckdb: ask to answer, reused engine (median of ${reusedTimes})`,
            ec: round(median(reused), 2),
            baseline: round(directMs),
            unit: 'ms',
            target: '< 10',
            ok: median(reused) < 10,
          },
        ],
        details: {
          directMs: direct.map((v) => round(v)),
          newEngineMs: fresh.map((v) => round(v)),
          reusedP90Ms: round([...reused].sort((a, b) => a - b)[Math.floor(reused.length * 0.9)] ?? 0, 2),
        },
      };
    } finally {
      manager.child.kill('SIGTERM');
      await manager.exited;
      await rm(dir, { recursive: true, force: true });
    }
  },
};
