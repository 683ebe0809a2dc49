import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, describe, test } from 'node:test';
import { acquireTestTrino, waitFor } from '@engineconn/testkit';
import { runEngineConn, type SpawnedEngineConn, spawnEngineConn } from './spawn-engineconn.js';

// End to end: `engineconn start --engine trino` as a process, against nothing and against a real
// Trino 476 (the run's shared throwaway server; skipped, saying why, without Java 24+ or Maven).

const trino = await acquireTestTrino();
const running: SpawnedEngineConn[] = [];
after(async () => {
  for (const ec of running) await ec.stop();
  await trino.release();
});

function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

describe('engineconn start --engine trino', () => {
  test('an unreachable coordinator fails the start with a clear error and a non-zero exit', async () => {
    const port = await closedPort();
    const run = await runEngineConn(
      ['start', '--engine', 'trino', '--port', '0', '--conf', `trino.server=http://127.0.0.1:${port}`],
      20_000,
    );
    assert.notEqual(run.code, 0);
    assert.match(
      run.stderr,
      new RegExp(`Cannot reach the Trino coordinator at http://127\\.0\\.0\\.1:${port} \\(ECONNREFUSED\\)`),
    );
    assert.match(run.stderr, /EC_ENGINE_START_FAILED/);
  });

  test('runs SQL on a real coordinator over HTTP', { skip: trino.skip }, async () => {
    const ec = await spawnEngineConn(['--engine', 'trino', '--conf', `trino.server=${trino.url}`], {
      timeoutMs: 60_000,
    });
    running.push(ec);
    const info = await ec.api<{ engineType: string; engineVersion: string; executor: string }>(
      'GET',
      '/api/v1/engineconn',
    );
    assert.equal(info.body.engineVersion, '476');
    assert.equal(info.body.executor, 'async');
    const submitted = await ec.api<{ id: string }>('POST', '/api/v1/tasks', {
      code: 'SELECT n.name, count(*) AS suppliers FROM tpch.tiny.nation n JOIN tpch.tiny.supplier s ON s.nationkey = n.nationkey GROUP BY n.name ORDER BY n.name LIMIT 2',
    });
    assert.equal(submitted.status, 202);
    const id = submitted.body.id;
    // A generous deadline: a Trino that has just started plans its first queries slowly on a busy machine.
    const done = await waitFor(
      async () => (await ec.api<{ status: string; error?: { message: string } }>('GET', `/api/v1/tasks/${id}`)).body,
      {
        until: (task) => ['Succeed', 'Failed', 'Cancelled', 'Timeout'].includes(task.status),
        timeoutMs: 180_000,
        what: 'the task to end',
      },
    );
    assert.equal(done.status, 'Succeed', done.error?.message);
    const page = await ec.api<{ columns: { name: string; type: string }[]; rows: unknown[][] }>(
      'GET',
      `/api/v1/tasks/${id}/results/0`,
    );
    assert.deepEqual(
      page.body.columns.map((c) => `${c.name} ${c.type}`),
      ['name varchar(25)', 'suppliers bigint'],
    );
    assert.deepEqual(page.body.rows, [
      ['ALGERIA', 3],
      ['ARGENTINA', 3],
    ]);
  });
});
