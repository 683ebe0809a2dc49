import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { duckdb } from './duckdb-api.js';
import { openTestSession, type TestSession } from './test-support/duckdb-test-session.js';

/** Counts the texts DuckDB is asked to prepare (the real call runs). */
function countPrepares(): { texts: string[]; restore(): void } {
  const proto = duckdb.DuckDBConnection.prototype;
  const original = proto.prepare;
  const texts: string[] = [];
  proto.prepare = function (this: InstanceType<typeof duckdb.DuckDBConnection>, sql: string) {
    texts.push(sql);
    return original.call(this, sql);
  };
  return {
    texts,
    restore() {
      proto.prepare = original;
    },
  };
}

describe('duckdb sql executor: prepared statements kept per connection', () => {
  let ec: TestSession;
  let prepares: ReturnType<typeof countPrepares>;
  before(async () => {
    // One task at a time: every task runs on the one idle connection.
    ec = await openTestSession({}, 1);
    prepares = countPrepares();
  });
  after(async () => {
    prepares.restore();
    await ec.close();
  });

  const rows = async (sql: string) => (await ec.run(sql)).resultSets[0]?.rows;

  test('a SELECT run again on the same connection with no write in between is not prepared again', async () => {
    await ec.run('create table kept (n integer)');
    await ec.run('insert into kept values (1)');
    prepares.texts.length = 0;
    for (let i = 0; i < 3; i++) assert.deepEqual(await rows('select n from kept order by n'), [[1]]);
    assert.equal(prepares.texts.filter((sql) => sql === 'select n from kept order by n').length, 1);
  });

  test('after a write a SELECT is prepared again and answers from the new data, not the old statistics', async () => {
    // duckdb/duckdb#23704: a plan made while no row matched answers 0 after the matching row came.
    await ec.run('create table stats (i integer)');
    await ec.run('insert into stats select i from range(100) t(i)');
    const count = 'select count(*) as c from stats where i = 200';
    assert.deepEqual(await rows(count), [[0]]);
    // An ORDER BY planned on one row of value 0 sorts later values on keys too narrow for them.
    const sorted = 'select i from stats where i >= 99 order by i';
    assert.deepEqual(await rows(sorted), [[99]]);
    prepares.texts.length = 0;
    await ec.run('insert into stats select i from range(200, 3000) t(i)');
    assert.deepEqual(await rows(count), [[1]]);
    const all = await rows(sorted);
    assert.equal(all?.length, 2801);
    assert.deepEqual(all?.slice(0, 3), [[99], [200], [201]]);
    assert.deepEqual(all?.at(-1), [2999]);
    assert.deepEqual(
      prepares.texts.filter((sql) => sql === count || sql === sorted),
      [count, sorted],
    );
  });

  test('a kept SELECT answers with the new columns of a table re-created since', async () => {
    await ec.run('create table shape (a integer)');
    await ec.run('insert into shape values (1)');
    assert.deepEqual(await rows('select * from shape'), [[1]]);
    await ec.run("drop table shape; create table shape (b varchar, c integer); insert into shape values ('x', 2)");
    const task = await ec.run('select * from shape');
    assert.deepEqual(
      task.resultSets[0]?.columns?.map((c) => c.name),
      ['b', 'c'],
    );
    assert.deepEqual(task.resultSets[0]?.rows, [['x', 2]]);
  });

  test('a failing SELECT is not kept: it fails again with the same error', async () => {
    await assert.rejects(ec.run('select * from missing_table'), /missing_table/);
    await assert.rejects(ec.run('select * from missing_table'), /missing_table/);
  });
});

describe('duckdb sql executor: kept statements after a setting changed', () => {
  test('a SELECT kept on another connection is bound again after SET GLOBAL TimeZone', async () => {
    const ec = await openTestSession({}, 2);
    try {
      const sql = "select '2024-01-01 12:00:00+00'::timestamptz::varchar as shown";
      const rows = async () => (await ec.run(sql)).resultSets[0]?.rows;
      await ec.run("SET GLOBAL TimeZone = 'UTC'");
      // Two tasks at once run on two connections, and both keep the statement.
      const both = await Promise.all([ec.run(sql), ec.run(sql)]);
      assert.deepEqual(
        both.map((task) => task.resultSets[0]?.rows),
        [[['2024-01-01 12:00:00+00']], [['2024-01-01 12:00:00+00']]],
      );
      assert.equal(ec.session.idleConnections, 2);
      // SET leaves its own connection unusable for reuse; the other one still holds the statement.
      await ec.run("SET GLOBAL TimeZone = 'Asia/Tokyo'");
      assert.equal(ec.session.idleConnections, 1);
      assert.deepEqual(await rows(), [['2024-01-01 21:00:00+09']]);
    } finally {
      await ec.close();
    }
  });

  test("a kept SELECT's zone-aware timestamps are written in the zone set since, by the engine's own encoder", async () => {
    const ec = await openTestSession({}, 2);
    try {
      const sql = "select '2024-01-01 12:00:00+00'::timestamptz as at";
      const rows = async () => (await ec.run(sql)).resultSets[0]?.rows;
      await ec.run("SET GLOBAL TimeZone = 'UTC'");
      await Promise.all([ec.run(sql), ec.run(sql)]);
      assert.deepEqual(await rows(), [['2024-01-01T12:00:00+00:00']]);
      await ec.run("SET GLOBAL TimeZone = 'Asia/Tokyo'");
      assert.deepEqual(await rows(), [['2024-01-01T21:00:00+09:00']]);
      assert.deepEqual(await rows(), [['2024-01-01T21:00:00+09:00']]);
    } finally {
      await ec.close();
    }
  });

  test('a kept SELECT that DuckDB rebinds after a column was added meanwhile is written with the new columns', async () => {
    const ec = await openTestSession({}, 2);
    try {
      await ec.run('create table widened (a integer)');
      await ec.run('insert into widened values (1)');
      const sql = 'select * from widened';
      await ec.run(sql);
      const { statements } = ec.session;
      const take = statements.take;
      // The next run takes the kept statement; before it executes, another connection adds a column.
      statements.take = (connection, text) => {
        statements.take = take;
        const kept = take.call(statements, connection, text);
        if (kept) {
          const run = kept.prepared.run;
          kept.prepared.run = async function (this: typeof kept.prepared) {
            await ec.run("alter table widened add column b varchar default 'x'");
            return run.call(this);
          };
        }
        return kept;
      };
      const task = await ec.run(sql);
      assert.deepEqual(
        task.resultSets[0]?.columns?.map((c) => c.name),
        ['a', 'b'],
      );
      assert.deepEqual(task.resultSets[0]?.rows, [[1, 'x']]);
    } finally {
      await ec.close();
    }
  });

  test('a write on one connection makes the SELECT kept on another one prepared again', async () => {
    const ec = await openTestSession({}, 2);
    try {
      await ec.run('create table shared (i integer)');
      await ec.run('insert into shared values (1)');
      const sql = 'select count(*) as c from shared where i = 7';
      // Two at once: both connections keep the statement.
      await Promise.all([ec.run(sql), ec.run(sql)]);
      await ec.run('insert into shared values (7)');
      const both = await Promise.all([ec.run(sql), ec.run(sql)]);
      assert.deepEqual(
        both.map((task) => task.resultSets[0]?.rows),
        [[[1]], [[1]]],
      );
    } finally {
      await ec.close();
    }
  });
});
