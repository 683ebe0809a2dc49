import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { EngineConnError } from '@engineconn/core';
import { openTestSession, recordBatches, type TestSession } from './test-support/duckdb-test-session.js';

describe('duckdb sql executor: results', () => {
  let ec: TestSession;
  before(async () => {
    ec = await openTestSession();
  });
  after(() => ec.close());

  test('a query becomes one TABLE result set with DuckDB column names and types', async () => {
    const task = await ec.run("select 42 as answer, 'hi' as greeting");
    assert.equal(task.resultSets.length, 1);
    const [set] = task.resultSets;
    assert.equal(set?.type, 'TABLE');
    assert.deepEqual(set?.columns, [
      { name: 'answer', type: 'INTEGER' },
      { name: 'greeting', type: 'VARCHAR' },
    ]);
    assert.deepEqual(set?.rows, [[42, 'hi']]);
    assert.equal(set?.closed, true);
    assert.deepEqual(task.statements, { total: 1, started: [0] });
  });

  test('values of every common type arrive JSON-safe and exact', async () => {
    const task = await ec.run(`select
      1::tinyint ti, -7 i, 12::bigint small_big, 9007199254740993::bigint big,
      170141183460469231731687303715884105727::hugeint huge,
      12.34::decimal(10,2) narrow_dec, 123456789012345678.125::decimal(38,3) wide_dec, 0.5::double dbl,
      'nan'::double nan, date '2024-02-29' d, timestamp '2024-01-02 03:04:05.123456' ts,
      time '12:34:56' t, interval 1 day + interval 2 hours iv,
      uuid '12345678-1234-5678-1234-567812345678' u, '\\x01\\x02abc'::blob bl,
      [1, 2, null] l, {'a': 1, 'b': 'x'} s, map {'k': 10} m, map {1: 'a'} mi,
      null::integer n, true b, 'infinity'::date d_inf`);
    const set = task.resultSets[0]!;
    const row = Object.fromEntries(set.columns!.map((c, i) => [c.name, set.rows[0]![i]]));
    assert.deepEqual(row, {
      ti: 1,
      i: -7,
      small_big: 12,
      big: '9007199254740993',
      huge: '170141183460469231731687303715884105727',
      narrow_dec: '12.34',
      wide_dec: '123456789012345678.125',
      dbl: 0.5,
      nan: 'NaN',
      d: '2024-02-29',
      ts: '2024-01-02T03:04:05.123456',
      t: '12:34:56',
      iv: '1 day 02:00:00',
      u: '12345678-1234-5678-1234-567812345678',
      bl: Buffer.from([1, 2, 97, 98, 99]).toString('base64'),
      l: [1, 2, null],
      s: { a: 1, b: 'x' },
      m: [['k', 10]],
      mi: [[1, 'a']],
      n: null,
      b: true,
      d_inf: 'infinity',
    });
    const types = Object.fromEntries(set.columns!.map((c) => [c.name, c.type]));
    assert.equal(types.big, 'BIGINT');
    assert.equal(types.narrow_dec, 'DECIMAL(10,2)');
    assert.equal(types.l, 'INTEGER[]');
    assert.equal(types.s, 'STRUCT(a INTEGER, b VARCHAR)');
    assert.equal(types.m, 'MAP(VARCHAR, INTEGER)');
  });

  test('a script gives one result set per statement: TABLE, rows affected, OK', async () => {
    const task = await ec.run(`
      create table people(id integer, name varchar);
      insert into people values (1, 'ada'), (2, 'grace'), (3, 'linus');
      update people set name = upper(name) where id < 3;
      select * from people order by id;
      delete from people where id = 3;
      drop table people;`);
    assert.deepEqual(
      task.resultSets.map((s) => s.type),
      ['TEXT', 'TEXT', 'TEXT', 'TABLE', 'TEXT', 'TEXT'],
    );
    assert.equal(task.text(0), 'OK');
    assert.equal(task.text(1), '3 rows affected');
    assert.equal(task.text(2), '2 rows affected');
    assert.deepEqual(task.resultSets[3]?.rows, [
      [1, 'ADA'],
      [2, 'GRACE'],
      [3, 'linus'],
    ]);
    assert.equal(task.text(4), '1 row affected');
    assert.equal(task.text(5), 'OK');
    assert.deepEqual(task.statements, { total: 6, started: [0, 1, 2, 3, 4, 5] });
  });

  test('a query with no rows still yields its columns', async () => {
    const task = await ec.run('select 1 as x where false');
    assert.deepEqual(task.resultSets[0]?.columns, [{ name: 'x', type: 'INTEGER' }]);
    assert.deepEqual(task.resultSets[0]?.rows, []);
  });

  test('each statement is logged at its start and with its duration and row count at its end', async () => {
    const task = await ec.run('select 1;\nselect * from range(5)');
    assert.equal(task.logs[0], 'statement 1/2: select 1');
    assert.match(task.logs[1] ?? '', /^statement 1\/2 done in \d+ ms: 1 row$/);
    assert.equal(task.logs[2], 'statement 2/2: select * from range(5)');
    assert.match(task.logs[3] ?? '', /^statement 2\/2 done in \d+ ms: 5 rows$/);
  });

  test('a long statement is logged as its first 200 characters', async () => {
    const task = await ec.run(`select '${'x'.repeat(300)}' as long_text`);
    const line = task.logs[0] ?? '';
    assert.equal(line.length, 'statement 1/1: '.length + 201);
    assert.ok(line.endsWith('…'));
  });

  test('progress reaches 1 and follows statements done / total', async () => {
    const task = await ec.run('select 1; select 2; select 3; select 4');
    const ends = task.progress.filter((p) => p.info?.[0]?.runningTasks === 0);
    assert.deepEqual(
      ends.map((p) => p.value),
      [0.25, 0.5, 0.75, 1],
    );
    assert.deepEqual(ends.at(-1)?.info, [
      { id: 'statements', totalTasks: 4, runningTasks: 0, failedTasks: 0, succeedTasks: 4 },
    ]);
    const starts = task.progress.filter((p) => p.info?.[0]?.runningTasks === 1);
    assert.deepEqual(
      starts.map((p) => [p.value, p.info?.[0]?.succeedTasks]),
      [
        [0, 0],
        [0.25, 1],
        [0.5, 2],
        [0.75, 3],
      ],
      'each statement start shows one running',
    );
  });

  test('progress is reported while a long statement runs, from its own percentage', async () => {
    // One thread and a 10 ms poll make sure the scan is seen mid-way however fast the machine is.
    const slow = await openTestSession({ 'duckdb.progressIntervalMs': '10', 'duckdb.threads': '1' });
    try {
      await slow.run('create table progress_src as select range as x from range(5000000)');
      const task = await slow.run('select 1; select count(*), sum(hash(x)) from progress_src where x % 7 = 1');
      const during = task.progress.filter((p) => p.value > 0.5 && p.value < 1);
      assert.ok(during.length > 0, `no progress within statement 2: ${JSON.stringify(task.progress)}`);
      for (const p of task.progress) assert.ok(p.value >= 0 && p.value <= 1);
      const values = task.progress.map((p) => p.value);
      assert.deepEqual(
        values,
        [...values].sort((a, b) => a - b),
        'progress never goes back',
      );
    } finally {
      await slow.close();
    }
  });

  test("a SQL error rejects with DuckDB's message naming the statement", async () => {
    const task = ec.task('select 1; selec 2; select 3');
    await assert.rejects(ec.executor.execute(task.context), (err: unknown) => {
      assert.ok(err instanceof EngineConnError);
      assert.equal(err.code, 'EC_ENGINE_ERROR');
      assert.match(err.message, /^Statement 2\/3 failed: Parser Error: syntax error at or near "selec"/);
      return true;
    });
    assert.deepEqual(task.statements.started, [0, 1], 'the statement after the failing one never starts');
    assert.equal(task.resultSets.length, 1);
    assert.ok(task.logs.some((l) => /^statement 2\/3 failed after \d+ ms: Parser Error/.test(l)));
  });

  test("a runtime error is reported without the binding's wrapper text", async () => {
    for (const slots of ['0', '8']) {
      const other = await openTestSession({ 'duckdb.threadpoolSlots': slots });
      try {
        await assert.rejects(
          other.executor.execute(other.task("select 'a'::integer").context),
          /^EngineError: Statement 1\/1 failed: Conversion Error: Could not convert string 'a' to INT32/,
        );
      } finally {
        await other.close();
      }
    }
  });

  test('a script of only comments runs nothing and succeeds', async () => {
    const task = await ec.run('-- nothing here\n/* at all */');
    assert.equal(task.statements.total, 0);
    assert.equal(task.resultSets.length, 0);
  });

  test('1,000,000 rows stream in bounded batches, not one giant batch', async () => {
    const task = ec.task('select * from range(1000000)');
    const batches = recordBatches(task);
    const started = performance.now();
    await ec.executor.execute(task.context);
    const ms = performance.now() - started;
    const set = task.resultSets[0]!;
    assert.equal(set.rows.length, 1_000_000);
    assert.deepEqual(set.rows[999_999], [999_999]);
    assert.ok(batches.length >= 100, `only ${batches.length} batches`);
    assert.ok(Math.max(...batches) <= 2048, `a batch of ${Math.max(...batches)} rows`);
    assert.equal(
      batches.reduce((a, b) => a + b, 0),
      1_000_000,
    );
    task.context.log(`streamed 1M rows in ${Math.round(ms)} ms`);
  });
});
