import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { EngineConnError } from '@engineconn/core';
import { waitFor } from '@engineconn/testkit';
import { duckdb } from './duckdb-api.js';
import { MATERIALISE_MAX_ROWS } from './statement-runner.js';
import { openTestSession, recordBatches, type TestSession, tempDir } from './test-support/duckdb-test-session.js';

/** Counts how prepared statements are run: materialised (`run`) or streamed (`stream`). */
function countRuns(): { materialised: number; streamed: number; reset(): void; restore(): void } {
  const proto = duckdb.DuckDBPreparedStatement.prototype;
  const { run, stream } = proto;
  const counts = {
    materialised: 0,
    streamed: 0,
    reset() {
      counts.materialised = 0;
      counts.streamed = 0;
    },
    restore() {
      proto.run = run;
      proto.stream = stream;
    },
  };
  proto.run = function (this: InstanceType<typeof duckdb.DuckDBPreparedStatement>) {
    counts.materialised++;
    return run.call(this);
  };
  proto.stream = function (this: InstanceType<typeof duckdb.DuckDBPreparedStatement>) {
    counts.streamed++;
    return stream.call(this);
  };
  return counts;
}

describe('duckdb sql executor: a kept SELECT that answered small runs materialised', () => {
  let ec: TestSession;
  let runs: ReturnType<typeof countRuns>;
  let dir: ReturnType<typeof tempDir>;
  before(async () => {
    // One task at a time: every task runs on the one idle connection, which keeps its statements.
    // External access: a file read by the SELECT changes its answer with no write through DuckDB,
    // the one way a kept statement's result can grow (a write drops every kept statement).
    ec = await openTestSession({ 'duckdb.externalAccess': 'true' }, 1);
    runs = countRuns();
    dir = tempDir('ec-duckdb-materialised-');
  });
  after(async () => {
    runs.restore();
    await ec.close();
    dir.remove();
  });

  test('the first run streams, the next runs of the same text are materialised, with the same answer', async () => {
    await ec.run("create table small (n integer, s varchar); insert into small values (1, 'a'), (2, null)");
    const sql = 'select n, s from small order by n';
    runs.reset();
    const first = await ec.run(sql);
    assert.deepEqual([runs.materialised, runs.streamed], [0, 1]);
    runs.reset();
    for (let i = 0; i < 2; i++) {
      const again = await ec.run(sql);
      assert.deepEqual(again.resultSets, first.resultSets);
      assert.match(again.logs.at(-1) ?? '', /: 2 rows$/);
    }
    assert.deepEqual([runs.materialised, runs.streamed], [2, 0]);
  });

  test('a result grown past the bound since the last run is read whole, in chunks, and streamed next time', async () => {
    const file = join(dir.path, 'grows.csv');
    writeFileSync(file, 'n\n0\n');
    const sql = `select n from read_csv('${file}') order by n`;
    assert.deepEqual((await ec.run(sql)).resultSets[0]?.rows, [[0]]);
    const total = MATERIALISE_MAX_ROWS * 3 + 7;
    writeFileSync(file, `n\n${Array.from({ length: total }, (_, i) => i).join('\n')}\n`);
    runs.reset();
    const harness = ec.task(sql);
    const batches = recordBatches(harness);
    await ec.executor.execute(harness.context);
    assert.deepEqual([runs.materialised, runs.streamed], [1, 0], 'materialised: it answered one row last time');
    const rows = harness.resultSets[0]?.rows ?? [];
    assert.equal(rows.length, total);
    const wrong = rows.findIndex((row, i) => row[0] !== i);
    assert.equal(wrong, -1, `row ${wrong}: ${JSON.stringify(rows[wrong])}`);
    assert.ok(batches.length > 1, `written chunk by chunk, got batches ${JSON.stringify(batches)}`);
    runs.reset();
    assert.equal((await ec.run(sql)).resultSets[0]?.rows.length, total);
    assert.deepEqual([runs.materialised, runs.streamed], [0, 1]);
  });

  test('killing a materialised run rejects as cancelled and the connection runs the next query', async () => {
    const file = join(dir.path, 'knob.csv');
    writeFileSync(file, 'n\n10\n');
    const sql = `select count(*) as c from range((select max(n) from read_csv('${file}')))`;
    assert.deepEqual((await ec.run(sql)).resultSets[0]?.rows, [[10]]);
    // The same text now counts for hours; it answered one row last time, so it runs materialised.
    writeFileSync(file, 'n\n10000000000000\n');
    runs.reset();
    const { task: harness, done } = ec.start(sql);
    await waitFor(() => runs.materialised === 1, { what: 'the materialised run to start' });
    harness.controller.abort();
    await assert.rejects(done, (err: unknown) => err instanceof EngineConnError && err.code === 'EC_TASK_CANCELLED');
    assert.deepEqual(harness.resultSets, []);
    assert.deepEqual((await ec.run('select 42 as answer')).resultSets[0]?.rows, [[42]]);
  });
});
