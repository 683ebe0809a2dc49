import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { EngineConnError } from '@engineconn/core';
import { createHarnessTask, isCancelled, type PostgresServer, startPostgres, waitFor } from '@engineconn/testkit';
import pg from 'pg';
import { postgresEngine } from './postgres-engine.js';
import { creationContext, openSession, run, sessionEnv } from './test-support/helpers.js';

/** Asserts that createSession fails with EC_ENGINE_START_FAILED and a message matching `pattern`. */
async function assertStartFails(options: Record<string, string>, pattern: RegExp): Promise<string> {
  let message = '';
  await assert.rejects(postgresEngine.createSession(creationContext(options), sessionEnv(2)), (err: unknown) => {
    assert.ok(err instanceof EngineConnError, String(err));
    assert.equal(err.code, 'EC_ENGINE_START_FAILED');
    assert.match(err.message, pattern);
    message = err.message;
    return true;
  });
  return message;
}

describe('postgres engine: kill, start-up failures, close', () => {
  let server: PostgresServer;
  let admin: pg.Client;
  let base: string;

  before(async () => {
    // The superuser keeps trust auth; every other role must give a SCRAM password over TCP.
    server = await startPostgres({
      hbaLines: [
        'local all all trust',
        'host all postgres 127.0.0.1/32 trust',
        'host all all 127.0.0.1/32 scram-sha-256',
      ],
    });
    base = `postgresql://127.0.0.1:${server.port}/postgres`;
    admin = new pg.Client(server.url);
    await admin.connect();
    await admin.query("CREATE ROLE alice LOGIN PASSWORD 'right-password'");
  });

  after(async () => {
    await admin?.end();
    await server?.stop();
  });

  async function activity(appName: string): Promise<{ pid: number; state: string; query: string }[]> {
    const { rows } = await admin.query(
      'SELECT pid, state, query FROM pg_stat_activity WHERE application_name = $1 ORDER BY pid',
      [appName],
    );
    return rows;
  }

  test('kill cancels pg_sleep(100) on the server within milliseconds and the connection is reused', async () => {
    const { session, executor, appName } = await openSession(server.url, 2);
    try {
      const task = createHarnessTask({ code: 'SELECT pg_sleep(100)', runType: 'sql', killGraceMs: 2000 });
      const running = executor.execute(task.context);
      const backend = await waitFor(
        async () => (await activity(appName)).find((r) => r.state === 'active' && /pg_sleep/.test(r.query)),
        { what: 'pg_sleep to be active on the server' },
      );
      assert.ok(backend);
      const killedAt = performance.now();
      task.controller.abort();
      await assert.rejects(running, isCancelled(/57014/));
      const killMs = performance.now() - killedAt;
      console.log(`# kill of pg_sleep(100): cancelled after ${killMs.toFixed(1)} ms`);
      const rows = await activity(appName);
      const same = rows.find((r) => r.pid === backend.pid);
      assert.ok(same, 'the backend survived the cancel (it was not terminated)');
      assert.notEqual(same.state, 'active');
      assert.ok(task.logs.some((l) => /pg_cancel_backend/.test(l)));
      const next = await run(executor, { code: 'SELECT pg_backend_pid()' });
      assert.ok(next.resultSets[0]?.rows[0]?.[0]);
    } finally {
      await session.close();
    }
  });

  test('a statement that ignores the cancel is ended with pg_terminate_backend after killGraceMs', async () => {
    const { session, executor, appName } = await openSession(server.url, 1);
    await admin.query('CREATE TABLE kill_answer (x int)');
    try {
      // A procedure that swallows query_canceled, says so, and runs on until the test, having seen
      // that, answers with a row; that it could still say so after the answer proves the terminate
      // did not come with the cancel, which is what the grace is for.
      const code = `DO $$ DECLARE stage int := 0; BEGIN LOOP BEGIN
          PERFORM pg_sleep(0.01);
          IF stage = 1 AND EXISTS (SELECT 1 FROM kill_answer) THEN
            RAISE NOTICE 'alive after the cancel'; stage := 2;
          END IF;
        EXCEPTION WHEN query_canceled THEN RAISE NOTICE 'cancel caught'; stage := 1; END;
        END LOOP; END $$`;
      const task = createHarnessTask({ code, runType: 'sql', killGraceMs: 2000 });
      const running = executor.execute(task.context);
      const backend = await waitFor(async () => (await activity(appName)).find((r) => r.state === 'active'), {
        what: 'the loop to be active',
      });
      assert.ok(backend);
      task.controller.abort();
      await waitFor(() => task.logs.includes('NOTICE: cancel caught'), { what: 'the loop to catch the cancel' });
      await admin.query('INSERT INTO kill_answer VALUES (1)');
      await assert.rejects(running, isCancelled());
      const at = (pattern: RegExp) => task.logs.findIndex((l) => pattern.test(l));
      const order = [
        /pg_cancel_backend/,
        /^NOTICE: cancel caught$/,
        /^NOTICE: alive after the cancel$/,
        /terminating backend/,
      ];
      const seen = order.map(at);
      assert.ok(
        seen.every((index, i) => index >= 0 && (i === 0 || index > (seen[i - 1] ?? 0))),
        `cancel, survived, then terminate:\n${task.logs.join('\n')}`,
      );
      await waitFor(async () => !(await activity(appName)).some((r) => r.pid === backend.pid), {
        what: 'the terminated backend to be gone',
      });
      const next = await run(executor, { code: 'SELECT pg_backend_pid()' });
      assert.notEqual(next.resultSets[0]?.rows[0]?.[0], backend.pid, 'a fresh connection replaced the terminated one');
    } finally {
      await session.close();
      await admin.query('DROP TABLE kill_answer');
    }
  });

  test('closeSession ends every pooled and control connection', async () => {
    const { session, executor, appName } = await openSession(server.url, 3);
    await Promise.all([1, 2, 3].map(() => run(executor, { code: 'SELECT pg_sleep(0.05)' })));
    assert.equal((await activity(appName)).length, 4, 'three pooled connections and the control connection');
    await postgresEngine.closeSession(session);
    await session.close();
    await waitFor(async () => (await activity(appName)).length === 0, { what: 'no leftover backends' });
  });

  test('a wrong password fails start-up with EC_ENGINE_START_FAILED saying what to fix', async () => {
    const message = await assertStartFails(
      { 'postgres.url': base.replace('//', '//alice:wrong@') },
      /rejected the password .*28P01.*postgres\.url/,
    );
    assert.doesNotMatch(message, /wrong/, 'the password never appears in the message');
    const ok = await postgresEngine.createSession(
      creationContext({ 'postgres.url': base.replace('//', '//alice:right-password@') }),
      sessionEnv(1),
    );
    await ok.close();
  });

  test('a missing password fails start-up and names PGPASSWORD', async () => {
    await assertStartFails({ 'postgres.url': base.replace('//', '//alice@') }, /none was given.*PGPASSWORD/);
  });

  test('an unreachable server fails start-up and names host and port', async () => {
    const closed = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const address = probe.address();
        probe.close(() => resolve(typeof address === 'object' && address ? address.port : 1));
      });
    });
    await assertStartFails(
      { 'postgres.url': `postgresql://postgres@127.0.0.1:${closed}/postgres` },
      new RegExp(`Cannot reach PostgreSQL at postgres@127\\.0\\.0\\.1:${closed}/postgres \\(ECONNREFUSED\\)`),
    );
  });

  test('an unknown database fails start-up and names it', async () => {
    await assertStartFails({ 'postgres.url': `${server.url}_missing` }, /no such database.*3D000.*PGDATABASE/);
  });

  test('no postgres.url and no PGHOST fails start-up and says what to set', async () => {
    const saved = process.env.PGHOST;
    delete process.env.PGHOST;
    try {
      await assertStartFails({}, /No PostgreSQL server is configured: pass --conf postgres\.url=.*PGHOST/);
    } finally {
      if (saved !== undefined) process.env.PGHOST = saved;
    }
  });

  test('the standard PG* environment variables work without postgres.url', async () => {
    const saved = { PGHOST: process.env.PGHOST, PGPORT: process.env.PGPORT, PGUSER: process.env.PGUSER };
    Object.assign(process.env, { PGHOST: '127.0.0.1', PGPORT: String(server.port), PGUSER: 'postgres' });
    try {
      const session = await postgresEngine.createSession(creationContext({}), sessionEnv(1));
      const executor = await postgresEngine.createExecutor(session, 'sql', creationContext({}));
      const task = await run(executor, { code: 'SELECT current_user' });
      assert.deepEqual(task.resultSets[0]?.rows, [['postgres']]);
      await session.close();
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });
});
