import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { waitFor } from '@engineconn/testkit';
import { isAlive, type ManagerHarness, managerHarness, processesUnder, TOKENS } from './spawn-manager.js';

interface EngineView {
  id: string;
  url: string;
  pid: number;
  status: string;
  lostReason?: string;
  token: string;
}
interface AskAnswer {
  engine: EngineView;
  reused: boolean;
}
interface JobView {
  id: string;
  status: string;
  engineId: string;
  taskId: string;
  error?: { code: string; message: string };
}

const HEARTBEAT_MS = 300;
const TERMINAL = new Set(['Succeed', 'Failed', 'Cancelled', 'Timeout']);

describe('engineconn manager: watch, jobs, restarts (end to end)', () => {
  let harness: ManagerHarness;
  before(async () => {
    harness = await managerHarness();
  });
  after(async () => harness.close());

  test('30 quick jobs from one user on a concurrent duckdb engine run on one engine', async () => {
    const manager = await harness.start([
      '--heartbeat-interval',
      `${HEARTBEAT_MS}ms`,
      '--data-dir',
      join(harness.dir, 'jobs'),
    ]);
    const submitted = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        manager.api<JobView>('POST', '/api/v1/jobs', { engineType: 'duckdb', code: `select ${i} as n` }),
      ),
    );
    for (const s of submitted) assert.equal(s.status, 202, JSON.stringify(s.body));
    assert.equal(new Set(submitted.map((s) => s.body.engineId)).size, 1);
    // One listing per poll: the manager follows every job to its end itself.
    const finished = await waitFor(
      async () => {
        const { body } = await manager.api<{ jobs: { id: string; status: string | null }[] }>('GET', '/api/v1/jobs');
        return body.jobs.length === 30 && body.jobs.every((j) => j.status !== null) ? body.jobs : null;
      },
      { timeoutMs: 60_000, intervalMs: 100, what: 'the 30 jobs to end' },
    );
    assert.deepEqual(new Set(finished.map((j) => j.status)), new Set(['Succeed']));
    assert.deepEqual(new Set(finished.map((j) => j.id)), new Set(submitted.map((j) => j.body.id)));
    const page = await manager.api<{ rows: unknown[][] }>('GET', `/api/v1/jobs/${submitted[7]?.body.id}/results/0`);
    assert.deepEqual(page.body.rows, [[7]]);
    const bob = await manager.api<{ error: { code: string } }>(
      'GET',
      `/api/v1/jobs/${submitted[7]?.body.id}`,
      undefined,
      TOKENS.bob,
    );
    assert.equal(bob.body.error.code, 'EC_JOB_NOT_FOUND');
    const { body } = await manager.api<{ engines: EngineView[] }>('GET', '/api/v1/engines');
    assert.equal(body.engines.length, 1);
    manager.child.kill('SIGTERM');
    await manager.exited;
    assert.equal(isAlive((body.engines[0] as EngineView).pid), false, 'a manager that shuts down stops its engines');
  });

  test('a concurrent engine busy only because its slots are full is still reused: its queue has room', async () => {
    const manager = await harness.start([
      '--heartbeat-interval',
      `${HEARTBEAT_MS}ms`,
      '--data-dir',
      join(harness.dir, 'full'),
    ]);
    const conf = { 'ec.concurrency': '2' };
    const long = { engineType: 'duckdb', conf, code: 'select count(*) from range(100000000000)' };
    const first = await manager.api<JobView>('POST', '/api/v1/jobs', long);
    const second = await manager.api<JobView>('POST', '/api/v1/jobs', long);
    assert.equal(second.body.engineId, first.body.engineId);
    await waitFor(
      async () => {
        const { body } = await manager.api<EngineView & { running: number }>(
          'GET',
          `/api/v1/engines/${first.body.engineId}`,
        );
        return body.status === 'Busy' && body.running === 2;
      },
      { what: 'the engine to report Busy with both slots taken' },
    );
    const asked = await manager.api<AskAnswer>('POST', '/api/v1/engines/ask', { engineType: 'duckdb', conf });
    assert.equal(asked.status, 200, JSON.stringify(asked.body));
    assert.equal(asked.body.reused, true);
    assert.equal(asked.body.engine.id, first.body.engineId);
    for (const job of [first, second]) await manager.api('POST', `/api/v1/jobs/${job.body.id}/kill`);
    manager.child.kill('SIGTERM');
    await manager.exited;
  });

  test('an engine killed with SIGKILL is Lost within three heartbeats, its job Failed, and the next ask launches a fresh one', async () => {
    const manager = await harness.start([
      '--heartbeat-interval',
      `${HEARTBEAT_MS}ms`,
      '--data-dir',
      join(harness.dir, 'lost'),
    ]);
    const job = await manager.api<JobView>('POST', '/api/v1/jobs', {
      engineType: 'duckdb',
      code: 'select count(*) from range(100000000000)',
    });
    assert.equal(job.status, 202);
    const { body: engine } = await manager.api<EngineView>('GET', `/api/v1/engines/${job.body.engineId}`);
    await waitFor(
      async () => (await manager.api<JobView>('GET', `/api/v1/jobs/${job.body.id}`)).body.status === 'Running',
      {
        what: 'the job to run',
      },
    );
    process.kill(engine.pid, 'SIGKILL');
    const lost = await waitFor(
      async () => {
        const { body } = await manager.api<EngineView>('GET', `/api/v1/engines/${engine.id}`);
        return body.status === 'Lost' ? body : null;
      },
      { what: 'the engine to be Lost' },
    );
    // Seen by watching the process, not by waiting out the missed heartbeats.
    assert.match(lost.lostReason ?? '', /^its process (killed by SIGKILL|is gone)/);
    const failed = await manager.api<JobView>('GET', `/api/v1/jobs/${job.body.id}`);
    assert.equal(failed.body.status, 'Failed');
    assert.equal(failed.body.error?.code, 'EC_ENGINE_LOST');
    // A follower that reconnects learns how the job ended.
    const events = await fetch(`${manager.url}/api/v1/jobs/${job.body.id}/events`, {
      headers: { authorization: `Bearer ${TOKENS.alice}`, 'last-event-id': '3' },
    });
    const text = await events.text();
    assert.match(text, /id: 5\nevent: done\ndata: \{"status":"Failed"/);
    const fresh = await manager.api<AskAnswer>('POST', '/api/v1/engines/ask', { engineType: 'duckdb' });
    assert.equal(fresh.status, 200, JSON.stringify(fresh.body));
    assert.equal(fresh.body.reused, false);
    assert.notEqual(fresh.body.engine.id, engine.id);

    // A hung engine (stopped: alive, silent, not answering) misses its heartbeats: Lost, and killed.
    process.kill(fresh.body.engine.pid, 'SIGSTOP');
    const hung = await waitFor(
      async () => {
        const { body } = await manager.api<EngineView>('GET', `/api/v1/engines/${fresh.body.engine.id}`);
        return body.status === 'Lost' ? body : null;
      },
      { timeoutMs: 30_000, intervalMs: 50, what: 'the hung engine to be Lost' },
    );
    assert.match(hung.lostReason ?? '', /missed 3 heartbeats/);
    await waitFor(() => !isAlive(fresh.body.engine.pid), { what: 'the hung engine to be killed' });
    manager.child.kill('SIGTERM');
    await manager.exited;
  });

  test('a manager killed with SIGKILL and restarted on its address re-adopts its live engines; none is orphaned', async () => {
    const dataDir = join(harness.dir, 'restart');
    const args = ['--heartbeat-interval', `${HEARTBEAT_MS}ms`, '--data-dir', dataDir];
    const first = await harness.start(args);
    const asked = await first.api<AskAnswer>('POST', '/api/v1/engines/ask', { engineType: 'duckdb' });
    assert.equal(asked.status, 200, JSON.stringify(asked.body));
    const bobs = await first.api<AskAnswer>('POST', '/api/v1/engines/ask', { engineType: 'shell' }, TOKENS.bob);
    assert.equal(bobs.status, 200, JSON.stringify(bobs.body));
    first.child.kill('SIGKILL');
    await first.exited;
    assert.ok(isAlive(asked.body.engine.pid), 'engines outlive a crashed manager');

    const port = Number(new URL(first.url).port);
    const second = await harness.start(args, port);
    assert.equal(second.url, first.url);
    const listed = await second.api<{ engines: EngineView[] }>('GET', '/api/v1/engines', undefined, TOKENS.admin);
    assert.deepEqual(
      listed.body.engines.map((e) => [e.id, e.status]).sort(),
      [
        [asked.body.engine.id, 'Unlock'],
        [bobs.body.engine.id, 'Unlock'],
      ].sort(),
    );
    // Re-adopted engines serve, and are reused.
    const job = await second.api<JobView>('POST', '/api/v1/jobs', { engineType: 'duckdb', code: 'select 1 as one' });
    assert.equal(job.status, 202, JSON.stringify(job.body));
    assert.equal(job.body.engineId, asked.body.engine.id);
    const done = await waitFor(async () => {
      const { body } = await second.api<JobView>('GET', `/api/v1/jobs/${job.body.id}`);
      return TERMINAL.has(body.status) ? body : null;
    });
    assert.equal(done.status, 'Succeed');

    second.child.kill('SIGTERM');
    await second.exited;
    assert.deepEqual(await processesUnder(join(dataDir, 'engines')), [], 'no engine process is left');
  });

  test('--keep-engines leaves the engines running at shutdown, and the next manager adopts them', async () => {
    const dataDir = join(harness.dir, 'keep');
    const args = ['--heartbeat-interval', `${HEARTBEAT_MS}ms`, '--data-dir', dataDir];
    const first = await harness.start([...args, '--keep-engines']);
    const asked = await first.api<AskAnswer>('POST', '/api/v1/engines/ask', { engineType: 'shell' });
    assert.equal(asked.status, 200, JSON.stringify(asked.body));
    first.child.kill('SIGTERM');
    assert.deepEqual(await first.exited, { code: 0, signal: null });
    assert.ok(isAlive(asked.body.engine.pid), 'the engine outlives a manager started with --keep-engines');
    const second = await harness.start(args, Number(new URL(first.url).port));
    const { body } = await second.api<EngineView>('GET', `/api/v1/engines/${asked.body.engine.id}`);
    assert.equal(body.status, 'Unlock');
    second.child.kill('SIGTERM');
    await second.exited;
    assert.equal(isAlive(asked.body.engine.pid), false);
  });

  test('engines release themselves when idle, and when their manager stays unreachable past --orphan-timeout', async () => {
    const dataDir = join(harness.dir, 'release');
    const idle = await harness.start([
      '--heartbeat-interval',
      `${HEARTBEAT_MS}ms`,
      '--engine-idle-time',
      '500ms',
      '--data-dir',
      dataDir,
    ]);
    const asked = await idle.api<AskAnswer>('POST', '/api/v1/engines/ask', { engineType: 'duckdb' });
    assert.equal(asked.status, 200, JSON.stringify(asked.body));
    // The deadlines are waitFor's default: they bite only when the release never comes, and an engine
    // that a loaded machine slows to a crawl in its shutdown has still released itself.
    await waitFor(
      async () => (await idle.api<{ engines: unknown[] }>('GET', '/api/v1/engines')).body.engines.length === 0,
      { what: 'the idle engine to leave the registry' },
    );
    await waitFor(() => !isAlive(asked.body.engine.pid), { what: 'the idle engine to exit' });
    idle.child.kill('SIGTERM');
    await idle.exited;

    const orphaning = await harness.start([
      '--heartbeat-interval',
      `${HEARTBEAT_MS}ms`,
      '--orphan-timeout',
      '1s',
      '--data-dir',
      join(harness.dir, 'orphan'),
    ]);
    const orphan = await orphaning.api<AskAnswer>('POST', '/api/v1/engines/ask', { engineType: 'duckdb' });
    assert.equal(orphan.status, 200, JSON.stringify(orphan.body));
    orphaning.child.kill('SIGKILL');
    await orphaning.exited;
    await waitFor(() => !isAlive(orphan.body.engine.pid), { what: 'the orphaned engine to release itself' });
  });
});
