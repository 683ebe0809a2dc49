import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { waitFor } from '@engineconn/testkit';
import { loadEngine } from '../engines/registry.js';
import { type SpawnedEngineConn, spawnerForSuite, taskFinished } from './spawn-engineconn.js';

/** Runs for minutes unless interrupted; DuckDB interrupts it within milliseconds. */
const LONG_QUERY = 'select sum(i * i % 7) from range(0, 100000000000) t(i)';

const duckdbMissing = await loadEngine('duckdb').then(
  () => false,
  (err: unknown) => `the DuckDB engine is not available: ${(err as Error).message}`,
);

interface EngineConnInfo {
  status: string;
  concurrency: { limit: number; running: number; queued: number };
}

describe('executors over HTTP with DuckDB (end to end)', { skip: duckdbMissing }, () => {
  const spawn = spawnerForSuite();
  const start = (args: string[]) => spawn(['--engine', 'duckdb', ...args]);

  test('serial: a lock makes lock-less tasks 423, the holder’s tasks run, unlock frees it', async () => {
    const ec = await start(['--executor', 'serial']);
    const lock = await ec.api<{ lock: string; expiresAt: string }>('POST', '/api/v1/locks', { timeoutMs: 60_000 });
    assert.equal(lock.status, 200);
    assert.equal((await ec.api<EngineConnInfo>('GET', '/api/v1/engineconn')).body.status, 'Idle');

    const refused = await ec.api<{ error: { code: string } }>('POST', '/api/v1/tasks', { code: 'select 1' });
    assert.deepEqual([refused.status, refused.body.error.code], [423, 'EC_LOCK_INVALID']);

    const held = await ec.api<{ id: string }>('POST', '/api/v1/tasks', {
      code: 'select 42 as answer',
      lock: lock.body.lock,
    });
    assert.equal(held.status, 202);
    assert.equal((await taskFinished(ec, held.body.id)).status, 'Succeed');
    const page = await ec.api<{ rows: unknown[][] }>('GET', `/api/v1/tasks/${held.body.id}/results/0`);
    assert.deepEqual(page.body.rows, [[42]]);

    assert.equal((await ec.api('DELETE', `/api/v1/locks/${lock.body.lock}`)).status, 200);
    assert.equal((await ec.api<EngineConnInfo>('GET', '/api/v1/engineconn')).body.status, 'Unlock');
    const free = await ec.api<{ id: string }>('POST', '/api/v1/tasks', { code: 'select 1' });
    assert.equal(free.status, 202);
    assert.equal((await taskFinished(ec, free.body.id)).status, 'Succeed');
  });

  describe('concurrent executor', () => {
    let ec: SpawnedEngineConn;
    before(async () => {
      ec = await start(['--executor', 'concurrent', '--concurrency', '2', '--conf', 'ec.killGrace=500ms']);
    });

    test('goes Busy at its limit, queues the next task, and returns to Unlock', async () => {
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) {
        const res = await ec.api<{ id: string; status: string }>('POST', '/api/v1/tasks', { code: LONG_QUERY });
        assert.equal(res.status, 202);
        ids.push(res.body.id);
      }
      const busy = await waitFor(
        async () => {
          const { body } = await ec.api<EngineConnInfo>('GET', '/api/v1/engineconn');
          return body.concurrency.running === 2 ? body : null;
        },
        { what: 'two running tasks' },
      );
      assert.equal(busy.status, 'Busy');
      assert.deepEqual(busy.concurrency, { limit: 2, running: 2, queued: 1 });
      for (const id of ids) assert.equal((await ec.api('POST', `/api/v1/tasks/${id}/kill`)).status, 202);
      for (const id of ids) assert.equal((await taskFinished(ec, id)).status, 'Cancelled');
      const idle = await ec.api<EngineConnInfo>('GET', '/api/v1/engineconn');
      assert.equal(idle.body.status, 'Unlock');
      assert.deepEqual(idle.body.concurrency, { limit: 2, running: 0, queued: 0 });
    });

    test('kill stops a long DuckDB query, and the EC serves the next task', async () => {
      const { body } = await ec.api<{ id: string }>('POST', '/api/v1/tasks', { code: LONG_QUERY });
      await waitFor(
        async () => (await ec.api<{ status: string }>('GET', `/api/v1/tasks/${body.id}`)).body.status === 'Running',
        { what: 'the query to run' },
      );
      assert.equal((await ec.api('POST', `/api/v1/tasks/${body.id}/kill`)).status, 202);
      const task = await taskFinished(ec, body.id);
      assert.equal(task.status, 'Cancelled');

      const next = await ec.api<{ id: string }>('POST', '/api/v1/tasks', { code: 'select 42 as answer' });
      assert.equal((await taskFinished(ec, next.body.id)).status, 'Succeed');
      const page = await ec.api<{ columns: { name: string }[]; rows: unknown[][] }>(
        'GET',
        `/api/v1/tasks/${next.body.id}/results/0`,
      );
      assert.equal(page.body.columns[0]!.name, 'answer');
      assert.deepEqual(page.body.rows, [[42]]);
    });
  });
});
