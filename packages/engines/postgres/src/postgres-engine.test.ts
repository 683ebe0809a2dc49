import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { EngineConnError } from '@engineconn/core';
import { isCancelled, type PostgresServer, startPostgres } from '@engineconn/testkit';
import pg from 'pg';
import { postgresEngine } from './postgres-engine.js';
import { countingTask, type Opened, openSession, run } from './test-support/helpers.js';

describe('postgres engine: results, statements, settings, errors', () => {
  let server: PostgresServer;
  let admin: pg.Client;
  let one: Opened; // concurrency 1: every task gets the same connection, so leaks would show
  let four: Opened;

  before(async () => {
    server = await startPostgres();
    admin = new pg.Client(server.url);
    await admin.connect();
    one = await openSession(server.url, 1);
    four = await openSession(server.url, 4);
  });

  after(async () => {
    await one?.session.close();
    await four?.session.close();
    await admin?.end();
    await server?.stop();
  });

  test('declares itself and reports the server major version', () => {
    assert.equal(postgresEngine.name, 'postgres');
    assert.equal(postgresEngine.version, '15');
    assert.equal(postgresEngine.defaultExecutor, 'concurrent');
    assert.deepEqual([...postgresEngine.runTypes], ['sql', 'postgresql']);
  });

  test('a SELECT becomes a typed TABLE with the documented values (docs/api.md)', async () => {
    const task = await run(one.executor, {
      code: `SELECT 1::int AS i, 42::int8 AS small_big, 9007199254740993::int8 AS huge, 1.5::numeric AS n,
        1.10::numeric AS scaled, 'x'::text AS t, true AS b, 2.5::float8 AS f, 'NaN'::float8 AS nan,
        '2024-01-02 03:04:05.123456'::timestamp AS ts, '2024-01-02 03:04:05+00'::timestamptz AS tstz,
        '2024-01-02'::date AS d, '{"a":[1,2]}'::jsonb AS j, ARRAY[1,NULL,3] AS arr,
        ARRAY['a b','c'] AS tarr, NULL::int AS nothing, '\\x0102'::bytea AS raw`,
    });
    const [set] = task.resultSets;
    assert.ok(set);
    assert.equal(set.type, 'TABLE');
    assert.deepEqual(set.columns, [
      { name: 'i', type: 'integer' },
      { name: 'small_big', type: 'bigint' },
      { name: 'huge', type: 'bigint' },
      { name: 'n', type: 'numeric' },
      { name: 'scaled', type: 'numeric' },
      { name: 't', type: 'text' },
      { name: 'b', type: 'boolean' },
      { name: 'f', type: 'double precision' },
      { name: 'nan', type: 'double precision' },
      { name: 'ts', type: 'timestamp without time zone' },
      { name: 'tstz', type: 'timestamp with time zone' },
      { name: 'd', type: 'date' },
      { name: 'j', type: 'jsonb' },
      { name: 'arr', type: 'integer[]' },
      { name: 'tarr', type: 'text[]' },
      { name: 'nothing', type: 'integer' },
      { name: 'raw', type: 'bytea' },
    ]);
    assert.deepEqual(set.rows, [
      [
        1,
        42,
        '9007199254740993',
        '1.5',
        '1.10',
        'x',
        true,
        2.5,
        'NaN',
        '2024-01-02T03:04:05.123456',
        '2024-01-02T03:04:05+00:00',
        '2024-01-02',
        '{"a": [1, 2]}',
        [1, null, 3],
        ['a b', 'c'],
        null,
        'AQI=',
      ],
    ]);
    assert.ok(set.closed);
    assert.doesNotThrow(() => JSON.stringify(set.rows));
  });

  test('a row-returning statement with no rows still yields a TABLE with its columns', async () => {
    const task = await run(one.executor, { code: 'SELECT 1 AS a WHERE false' });
    assert.deepEqual(task.resultSets[0]?.columns, [{ name: 'a', type: 'integer' }]);
    assert.deepEqual(task.resultSets[0]?.rows, []);
  });

  test('several statements run in order, one result set each, with statement progress', async () => {
    const task = await run(one.executor, {
      code: `CREATE TEMP TABLE m(id int, name text);
        -- a comment; with a semicolon
        INSERT INTO m VALUES (1, 'a;b'), (2, $$c;d$$), (3, 'e');
        UPDATE m SET name = upper(name) WHERE id < 3;
        DELETE FROM m WHERE id = 3;
        SELECT id, name FROM m ORDER BY id;`,
    });
    assert.deepEqual(
      task.resultSets.map((s) => s.type),
      ['TEXT', 'TEXT', 'TEXT', 'TEXT', 'TABLE'],
    );
    assert.deepEqual(
      [0, 1, 2, 3].map((i) => task.text(i)),
      ['CREATE TABLE', 'INSERT 0 3', 'UPDATE 2', 'DELETE 1'],
    );
    assert.deepEqual(task.resultSets[4]?.rows, [
      [1, 'A;B'],
      [2, 'C;D'],
    ]);
    assert.equal(task.statements.total, 5);
    assert.deepEqual(task.statements.started, [0, 1, 2, 3, 4]);
    assert.deepEqual(
      task.progress.map((p) => p.value),
      [0.2, 0.4, 0.6, 0.8, 1],
    );
  });

  test('200k rows stream in bounded batches, never all at once', async () => {
    const task = countingTask('SELECT g AS n, md5(g::text) AS h FROM generate_series(1, 200000) g');
    const started = performance.now();
    await one.executor.execute(task.context);
    const ms = performance.now() - started;
    assert.equal(task.tables[0]?.rows, 200_000);
    assert.ok(Math.max(...task.batches) <= 2000, `largest batch ${Math.max(...task.batches)}`);
    assert.equal(task.batches.length, 100);
    console.log(`# 200k rows x 2 columns streamed in ${Math.round(ms)} ms (${task.batches.length} batches)`);
  });

  test('while a batch is being written the server waits for the engine (portal suspended)', async () => {
    let seen: { query: string; wait: string }[] = [];
    const task = countingTask('SELECT g FROM generate_series(1, 10000) g', async (n) => {
      if (n !== 2) return;
      const { rows } = await admin.query(
        "SELECT query, wait_event_type || '/' || wait_event AS wait FROM pg_stat_activity WHERE application_name = $1 AND query LIKE '%generate_series%'",
        [one.appName],
      );
      seen = rows;
    });
    await one.executor.execute(task.context);
    assert.equal(task.tables[0]?.rows, 10_000);
    // The backend sits in ClientRead: it produces no rows until the engine asks for the next batch.
    assert.deepEqual(
      seen.map((r) => r.wait),
      ['Client/ClientRead'],
    );
  });

  test('a kill between row batches stops the stream as cancelled, and the connection stays usable', async () => {
    const task = countingTask('SELECT g FROM generate_series(1, 1000000) g', (n, t) => {
      if (n === 3) t.controller.abort();
    });
    await assert.rejects(one.executor.execute(task.context), isCancelled());
    assert.ok((task.tables[0]?.rows ?? 0) <= 3 * 2000);
    const next = await run(one.executor, { code: 'SELECT 7' });
    assert.deepEqual(next.resultSets[0]?.rows, [[7]]);
  });

  test('task settings apply to that task only, and session state does not leak to the next task', async () => {
    const first = await run(one.executor, {
      code: `SELECT pg_backend_pid(), current_setting('work_mem'), current_setting('application_name');
        SET search_path = leaked; CREATE TEMP TABLE leftover(x int);`,
      properties: { settings: { work_mem: '7MB', statement_timeout: 60000 } },
    });
    const [pid1, workMem] = first.resultSets[0]?.rows[0] ?? [];
    assert.equal(workMem, '7MB');
    const second = await run(one.executor, {
      code: `SELECT pg_backend_pid(), current_setting('work_mem'), current_setting('search_path'),
        to_regclass('leftover') IS NULL, current_setting('statement_timeout'),
        current_setting('application_name')`,
    });
    const row = second.resultSets[0]?.rows[0] ?? [];
    assert.equal(row[0], pid1, 'the same pooled connection served both tasks');
    assert.equal(row[1], '4MB');
    assert.equal(row[2], '"$user", public');
    assert.equal(row[3], true);
    assert.equal(row[4], '0');
    assert.equal(row[5], one.appName, 'DISCARD ALL keeps the connection-level application_name');
  });

  test('invalid settings are refused with a clear error', async () => {
    await assert.rejects(run(one.executor, { code: 'SELECT 1', properties: { settings: ['x'] } }), /must be an object/);
    await assert.rejects(
      run(one.executor, { code: 'SELECT 1', properties: { settings: { no_such_setting: '1' } } }),
      /settings' could not be applied: unrecognized configuration parameter "no_such_setting"/,
    );
  });

  test('a SQL error carries PostgreSQL message, SQLSTATE and position; the connection survives', async () => {
    const pidBefore = (await run(one.executor, { code: 'SELECT pg_backend_pid()' })).resultSets[0]?.rows[0]?.[0];
    await assert.rejects(run(one.executor, { code: 'SELECT 1;\nSELECT *\n  FROM nope' }), (err: unknown) => {
      assert.ok(err instanceof EngineConnError);
      assert.equal(err.code, 'EC_ENGINE_ERROR');
      assert.match(err.message, /relation "nope" does not exist/);
      assert.match(err.message, /SQLSTATE 42P01; statement 2 of 2, line 3, column 8/);
      assert.equal((err as unknown as { sqlState: string }).sqlState, '42P01');
      return true;
    });
    await assert.rejects(run(one.executor, { code: 'BEGIN; SELECT 1/0; SELECT 2' }), /division by zero.*22012/);
    const after = await run(one.executor, { code: 'SELECT pg_backend_pid(), 1' });
    assert.deepEqual(after.resultSets[0]?.rows[0], [pidBefore, 1], 'same connection, no aborted transaction');
  });

  test('an open transaction is rolled back at the end of the task', async () => {
    const task = await run(one.executor, {
      code: 'CREATE TABLE IF NOT EXISTS kept(x int); BEGIN; INSERT INTO kept VALUES (1);',
    });
    assert.ok(task.logs.some((l) => /left a transaction open/.test(l)));
    const count = await admin.query('SELECT count(*)::int AS n FROM kept');
    assert.equal(count.rows[0].n, 0);
  });

  test('NOTICE messages reach the task log', async () => {
    const task = await run(one.executor, { code: "DO $$ BEGIN RAISE NOTICE 'hello from plpgsql'; END $$" });
    assert.ok(task.logs.includes('NOTICE: hello from plpgsql'), task.logs.join('\n'));
    assert.equal(task.text(0), 'DO');
  });

  test('concurrent tasks run in parallel on separate connections', async () => {
    // The server's own clocks show the overlap: every statement started before any of them ended.
    const code =
      'SELECT pg_backend_pid(), (extract(epoch from statement_timestamp()) * 1e6)::bigint AS started,' +
      ' (extract(epoch from clock_timestamp()) * 1e6)::bigint AS ended FROM pg_sleep(1)';
    const tasks = await Promise.all([1, 2, 3, 4].map(() => run(four.executor, { code })));
    const rows = tasks.map((t) => t.resultSets[0]?.rows[0] as [number, number, number]);
    assert.equal(new Set(rows.map(([pid]) => pid)).size, 4);
    const lastStart = Math.max(...rows.map(([, started]) => started));
    const firstEnd = Math.min(...rows.map(([, , ended]) => ended));
    assert.ok(lastStart < firstEnd, `the four statements did not overlap: ${JSON.stringify(rows)}`);
  });
});
