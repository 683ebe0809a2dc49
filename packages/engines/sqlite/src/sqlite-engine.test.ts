import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { EngineConnError, type ResultSetSpec, type TaskContext } from '@engineconn/core';
import {
  createHarnessTask,
  type EngineFixture,
  type HarnessTask,
  isCancelled,
  openEngineFixture,
  waitFor,
} from '@engineconn/testkit';
import { sqliteEngine } from './sqlite-engine.js';
import type { SqliteSession } from './sqlite-session.js';

const INFINITE = 'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c) SELECT count(*) FROM c';

function open(options: Record<string, string> = {}): Promise<EngineFixture<SqliteSession>> {
  return openEngineFixture(sqliteEngine, { runType: 'sql', executor: 'serial', options });
}

function alive(pid: number | undefined): boolean {
  if (pid === undefined) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Kills `code` once its last statement is running; returns how long the kill took to settle the task. */
async function killWhileRunning(
  fixture: EngineFixture<SqliteSession>,
  code: string,
): Promise<{ ms: number; task: HarnessTask }> {
  const { task, done: running } = fixture.start(code);
  // The last statement's `[n/n]` log: every statement before it has run (so what they wrote is
  // there to roll back), and this one is with the SQLite process.
  await waitFor(() => task.logs.some((line) => /^\[(\d+)\/\1\] /.test(line)), { what: 'the last statement to start' });
  const killedAt = performance.now();
  task.controller.abort();
  await assert.rejects(running, isCancelled());
  return { ms: performance.now() - killedAt, task };
}

describe('sqlite engine', () => {
  let dir: string;
  let memory: EngineFixture<SqliteSession>;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ec-sqlite-'));
    memory = await open();
  });

  after(async () => {
    await memory?.session.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('declares itself with the library SQLite major.minor', () => {
    assert.equal(sqliteEngine.name, 'sqlite');
    assert.match(sqliteEngine.version, /^3\.\d+$/);
    assert.equal(sqliteEngine.defaultExecutor, 'serial');
    assert.deepEqual([...sqliteEngine.executors], ['serial', 'once']);
  });

  test('several statements: DDL and DML report changes as TEXT, queries become typed TABLEs', async () => {
    const task = await memory.run(`CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT, score REAL, raw BLOB);
       INSERT INTO t(name, score, raw) VALUES ('a;b', 1.5, x'0102'), ('c', NULL, NULL), ('d', 2, NULL);
       UPDATE t SET score = score * 2 WHERE score IS NOT NULL;
       SELECT id, name, score, raw, 9007199254740993 AS big, 7 AS small, 'x' || name AS expr, NULL AS nil
         FROM t ORDER BY id;`);
    assert.deepEqual(
      task.resultSets.map((s) => s.type),
      ['TEXT', 'TEXT', 'TEXT', 'TABLE'],
    );
    assert.deepEqual(
      [0, 1, 2].map((i) => task.text(i)),
      ['changes: 0', 'changes: 3', 'changes: 2'],
    );
    const table = task.resultSets[3];
    assert.deepEqual(table?.columns, [
      { name: 'id', type: 'INTEGER' },
      { name: 'name', type: 'TEXT' },
      { name: 'score', type: 'REAL' },
      { name: 'raw', type: 'BLOB' },
      { name: 'big', type: 'INTEGER' },
      { name: 'small', type: 'INTEGER' },
      { name: 'expr', type: 'TEXT' },
      { name: 'nil', type: 'NULL' },
    ]);
    assert.deepEqual(table?.rows, [
      [1, 'a;b', 3, 'AQI=', '9007199254740993', 7, 'xa;b', null],
      [2, 'c', null, null, '9007199254740993', 7, 'xc', null],
      [3, 'd', 4, null, '9007199254740993', 7, 'xd', null],
    ]);
    assert.equal(task.statements.total, 4);
    assert.deepEqual(
      task.progress.map((p) => p.value),
      [0.25, 0.5, 0.75, 1],
    );
  });

  test('an empty query result is a TABLE with columns and no rows', async () => {
    const task = await memory.run('SELECT 1 AS a WHERE 0');
    assert.equal(task.resultSets[0]?.type, 'TABLE');
    assert.deepEqual(task.resultSets[0]?.rows, []);
  });

  test("a SQL error carries SQLite's message and stops the task; the session keeps working", async () => {
    await assert.rejects(memory.run('SELECT 1; SELECT * FROM missing_table; SELECT 3'), (err: unknown) => {
      assert.ok(err instanceof EngineConnError);
      assert.equal(err.code, 'EC_ENGINE_ERROR');
      assert.match(err.message, /no such table: missing_table \(SQLITE_ERROR\) \(statement 2 of 3\)/);
      return true;
    });
    await assert.rejects(memory.run('INSERT INTO t(id) VALUES (1)'), /UNIQUE constraint failed: t\.id/);
    const task = await memory.run('SELECT count(*) FROM t');
    assert.deepEqual(task.resultSets[0]?.rows, [[3]]);
  });

  test('a large result streams in bounded batches', async () => {
    const base = createHarnessTask({
      code: 'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c LIMIT 300000) SELECT x, x * 2 FROM c',
      runType: 'sql',
    });
    const batches: number[] = [];
    const context: TaskContext = {
      ...base.context,
      async createResultSet(spec: ResultSetSpec) {
        if (spec.type !== 'TABLE') return base.context.createResultSet(spec);
        const batch = async (rows: number) => {
          batches.push(rows);
          await new Promise((resolve) => setImmediate(resolve));
        };
        return {
          index: 0,
          writeRows: (rows) => batch(rows.length),
          writeRowLines: (_lines, rows) => batch(rows),
          async write() {},
          async close() {},
        };
      },
    };
    const started = performance.now();
    await memory.executor.execute(context);
    const ms = performance.now() - started;
    assert.equal(
      batches.reduce((a, b) => a + b, 0),
      300_000,
    );
    assert.ok(Math.max(...batches) <= 1000);
    console.log(`# sqlite: 300k rows x 2 columns streamed in ${Math.round(ms)} ms (${batches.length} batches)`);
  });

  // A query run on the event loop would block inside execute() and never let the timers below run
  // while it is pending; this one never ends by itself, so the test would hit its deadline instead.
  test('a query that runs forever does not block the event loop', { timeout: 60_000 }, async () => {
    const task = createHarnessTask({ code: INFINITE, runType: 'sql' });
    let settled = false;
    const running = memory.executor.execute(task.context).finally(() => {
      settled = true;
    });
    for (let tick = 0; tick < 20; tick++) await new Promise((resolve) => setTimeout(resolve, 5));
    assert.equal(settled, false, 'the query is still running while the event loop turns');
    task.controller.abort();
    await assert.rejects(running);
  });

  test('kill stops a runaway native query; an in-memory database is reopened empty', async () => {
    const pidBefore = memory.session.pid;
    const { ms, task } = await killWhileRunning(memory, INFINITE);
    console.log(`# sqlite: kill of a runaway recursive CTE settled in ${ms.toFixed(1)} ms`);
    assert.equal(alive(pidBefore), false, 'the process running the query is gone');
    assert.ok(
      task.logs.some((l) => /in memory; its data is lost/.test(l)),
      task.logs.join('\n'),
    );
    const next = await memory.run("SELECT count(*) FROM sqlite_master WHERE name = 't'");
    assert.deepEqual(next.resultSets[0]?.rows, [[0]]);
    assert.notEqual(memory.session.pid, pidBefore);
  });

  test('kill on a file database keeps the committed data, and the next task works', async () => {
    const file = await open({ 'sqlite.path': join(dir, 'kept.db') });
    try {
      await file.run('CREATE TABLE kept(x); INSERT INTO kept VALUES (1), (2)');
      await killWhileRunning(file, `BEGIN; INSERT INTO kept VALUES (3); ${INFINITE}`);
      const next = await file.run('SELECT x FROM kept ORDER BY x');
      assert.deepEqual(next.resultSets[0]?.rows, [[1], [2]], 'committed rows kept, the open transaction rolled back');
    } finally {
      await file.session.close();
    }
  });

  test('close ends the process that owns the database', async () => {
    const { session } = await open();
    const pid = session.pid;
    assert.ok(alive(pid));
    await sqliteEngine.closeSession(session);
    await session.close();
    assert.equal(alive(pid), false);
  });

  test('an unusable path fails start-up with EC_ENGINE_START_FAILED', async () => {
    await assert.rejects(open({ 'sqlite.path': join(dir, 'no-such-dir', 'x.db') }), (err: unknown) => {
      assert.ok(err instanceof EngineConnError);
      assert.equal(err.code, 'EC_ENGINE_START_FAILED');
      assert.match(err.message, /Could not open the SQLite database .*no-such-dir.*sqlite\.path/);
      return true;
    });
  });
});
