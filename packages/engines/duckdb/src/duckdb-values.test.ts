import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { openTestSession, type TestSession } from './test-support/duckdb-test-session.js';

/** The cases of issue 14: each checks the row exactly as the EngineConn stores it (its JSON text). */
describe('duckdb values survive the trip (docs/api.md, DuckDB values)', () => {
  let ec: TestSession;
  before(async () => {
    ec = await openTestSession();
  });
  after(() => ec.close());

  async function one(sql: string): Promise<{ line: string; type: string }> {
    const task = await ec.run(sql);
    const set = task.resultSets.at(-1)!;
    return { line: set.lines[0]!, type: set.columns![0]!.type };
  }

  test('an unnamed row(…) keeps both fields, as [name, value] pairs', async () => {
    assert.deepEqual(await one("select row(1, 'x') v"), {
      line: '[[["",1],["","x"]]]',
      type: 'STRUCT(INTEGER, VARCHAR)',
    });
  });

  test('a STRUCT keeps a __proto__ field and the order of integer-like names', async () => {
    assert.equal((await one("select {'__proto__': 5, 'x': 1} v")).line, '[{"__proto__":5,"x":1}]');
    assert.deepEqual(await one("select {'2': 1, '1': 2, 'b': 3} v"), {
      line: '[{"2":1,"1":2,"b":3}]',
      type: 'STRUCT("2" INTEGER, "1" INTEGER, b INTEGER)',
    });
  });

  test('a MAP is [key, value] pairs in its own order, none lost', async () => {
    assert.equal((await one("select map(['b', '2', '1'], [1, 2, 3]) v")).line, '[[["b",1],["2",2],["1",3]]]');
    assert.equal((await one("select map(['__proto__', 'y'], [1, 2]) v")).line, '[[["__proto__",1],["y",2]]]');
  });

  test('-0.0 stays -0, at the top and in lists', async () => {
    assert.equal((await one('select -0.0::double v, [-0.0::double, 0.0]')).line, '["-0",["-0",0]]');
    assert.equal((await one('select -0.0::float v')).line, '["-0"]');
  });

  test('GEOMETRY is WKT text', async () => {
    assert.equal(
      (await one("select 'POINT EMPTY'::geometry v, 'POINT (1 2)'::geometry, 'LINESTRING (1 2, 3 4.5)'::geometry"))
        .line,
      '["POINT EMPTY","POINT (1 2)","LINESTRING (1 2, 3 4.5)"]',
    );
  });

  test('a DECIMAL keeps its scale; a JSON column is typed JSON and arrives as its text', async () => {
    assert.deepEqual(await one('select 1.10::decimal(4,2) v'), { line: '["1.10"]', type: 'DECIMAL(4,2)' });
    assert.deepEqual(await one(`select '{"b":12345678901234567890,"a":[1.0]}'::json v`), {
      line: '["{\\"b\\":12345678901234567890,\\"a\\":[1.0]}"]',
      type: 'JSON',
    });
  });

  test('struct field names are quoted in type names only where DuckDB quotes them', async () => {
    const { type } = await one(`select {'a': 1, 'Ab': 2, 'select': 3, 'a b': 4, 'x"y': 5, '_1': 6} v`);
    assert.equal(type, 'STRUCT(a INTEGER, Ab INTEGER, "select" INTEGER, "a b" INTEGER, "x""y" INTEGER, _1 INTEGER)');
  });

  test('TIMESTAMPTZ is written in the session time zone after SET TimeZone, with its offset', async () => {
    const task = await ec.run(
      "SET TimeZone = 'America/New_York'; select timestamptz '2024-01-01 12:00:00.5+00' w, timestamptz '2024-07-01 12:00:00+00' s",
    );
    assert.equal(task.resultSets[1]?.lines[0], '["2024-01-01T07:00:00.5-05:00","2024-07-01T08:00:00-04:00"]');
    const utc = await ec.run("SET TimeZone = 'UTC'; select timestamptz '2024-01-01 12:00:00+00' v");
    assert.equal(utc.resultSets[1]?.lines[0], '["2024-01-01T12:00:00+00:00"]');
  });

  test('the next task, on another connection, writes in that connection’s own zone; SET GLOBAL reaches every one', async () => {
    const zoned = await ec.run("SET TimeZone = 'Asia/Kolkata'; select timestamptz '2024-01-01 12:00:00+00' v");
    assert.equal(zoned.resultSets[1]?.lines[0], '["2024-01-01T17:30:00+05:30"]');
    const next = await ec.run("select current_setting('TimeZone') z, timestamptz '2024-01-01 12:00:00+00' v");
    const [zone, stamp] = JSON.parse(next.resultSets[0]?.lines[0] ?? '[]') as [string, string];
    assert.notEqual(zone, 'Asia/Kolkata', 'SET is connection-local, and that connection is not reused');
    assert.equal(Date.parse(stamp), Date.parse('2024-01-01T12:00:00Z'), 'the same instant, in its own zone');
    await ec.run("SET GLOBAL TimeZone = 'Asia/Tokyo'");
    try {
      const tokyo = await ec.run("select timestamptz '2024-01-01 12:00:00+00' v");
      assert.equal(tokyo.resultSets[0]?.lines[0], '["2024-01-01T21:00:00+09:00"]');
    } finally {
      await ec.run('RESET GLOBAL TimeZone');
    }
  });
});
