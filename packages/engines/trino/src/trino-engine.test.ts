// These tests run against FakeTrino (test-support/fake-trino.ts), a scripted node:http stand-in for
// a coordinator, for what a real Trino cannot be made to do on demand: pages scripted one by one,
// errors on a later page, 503 storms, malformed pages, dropped connections. Everything a real
// coordinator can show is tested against one in real-trino.test.ts and conformance-real.test.ts.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { type CodeExecutor, EngineConnError, type EngineCreationContext } from '@engineconn/core';
import {
  createHarnessTask,
  type HarnessTask,
  isCancelled,
  testCreationContext,
  testSessionEnv,
  waitFor,
} from '@engineconn/testkit';
import { FakeTrino } from './test-support/fake-trino.js';
import { trinoEngine } from './trino-engine.js';

function context(options: Record<string, string>): EngineCreationContext {
  return testCreationContext({ engineType: 'trino', executor: 'async', user: 'owner', options });
}

async function open(options: Record<string, string>): Promise<CodeExecutor> {
  const ctx = context(options);
  const session = await trinoEngine.createSession(ctx, testSessionEnv({ concurrency: 100 }));
  return trinoEngine.createExecutor(session, 'sql', ctx);
}

async function run(
  executor: CodeExecutor,
  code: string,
  properties: Record<string, unknown> = {},
): Promise<HarnessTask> {
  const task = createHarnessTask({ code, runType: 'sql', properties });
  await executor.execute(task.context);
  return task;
}

describe('trino engine (against a fake coordinator)', () => {
  let fake: FakeTrino;
  let executor: CodeExecutor;

  before(async () => {
    fake = await FakeTrino.start();
    executor = await open({
      'trino.server': fake.url,
      'trino.user': 'alice',
      'trino.catalog': 'tpch',
      'trino.schema': 'tiny',
      'trino.source': 'ec-tests',
    });
  });

  after(async () => {
    await fake?.close();
  });

  test('declares itself and takes the version from /v1/info', () => {
    assert.equal(trinoEngine.name, 'trino');
    assert.equal(trinoEngine.version, '476');
    assert.equal(trinoEngine.defaultExecutor, 'async');
    assert.deepEqual([...trinoEngine.executors], ['async', 'concurrent', 'once']);
  });

  test('rows arriving over several pages become one typed TABLE; headers carry the options', async () => {
    const sql = 'SELECT nationkey, name, price FROM nation';
    fake.script(sql, {
      columns: [
        { name: 'nationkey', type: 'bigint' },
        { name: 'name', type: 'varchar(25)' },
        { name: 'price', type: 'decimal(12,2)' },
      ],
      rows: [
        [0, 'ALGERIA', '1.10'],
        [1, 'ARGENTINA', '2.20'],
        [2, 'BRAZIL', null],
        [3, 'CANADA', '4.40'],
        [4, 'EGYPT', '5.50'],
      ],
      pageSize: 2,
      runningPages: 2,
    });
    const task = await run(executor, sql);
    const [set] = task.resultSets;
    assert.equal(set?.type, 'TABLE');
    assert.deepEqual(set?.columns, [
      { name: 'nationkey', type: 'bigint' },
      { name: 'name', type: 'varchar(25)' },
      { name: 'price', type: 'decimal(12,2)' },
    ]);
    assert.equal(set?.rows.length, 5);
    assert.deepEqual(set?.rows[2], [2, 'BRAZIL', null]);
    const query = fake.queries.at(-1)!;
    const gets = fake.requests.filter((r) => r.method === 'GET' && r.url.includes(query.id));
    assert.equal(gets.length, 5, 'two running pages and three data pages were fetched');
    const post = fake.requests.find((r) => r.method === 'POST' && r.body === sql)!;
    assert.equal(post.headers['x-trino-user'], 'alice');
    assert.equal(post.headers['x-trino-catalog'], 'tpch');
    assert.equal(post.headers['x-trino-schema'], 'tiny');
    assert.equal(post.headers['x-trino-source'], 'ec-tests');
  });

  test('progress follows completed/total splits with a progressInfo entry per query', async () => {
    const sql = 'SELECT count(*) FROM lineitem';
    fake.script(sql, {
      columns: [{ name: '_col0', type: 'bigint' }],
      rows: [[60175]],
      runningPages: 3,
      totalSplits: 8,
    });
    const task = await run(executor, sql);
    const withInfo = task.progress.filter((p) => p.info);
    assert.ok(withInfo.length >= 3, JSON.stringify(task.progress));
    const values = withInfo.map((p) => p.value);
    assert.deepEqual(
      values,
      [...values].sort((a, b) => a - b),
      'progress only grows',
    );
    const lastInfo = withInfo.at(-1)!.info![0]!;
    assert.equal(lastInfo.id, fake.queries.at(-1)!.id);
    assert.equal(lastInfo.totalTasks, 8);
    assert.equal(lastInfo.succeedTasks, 8);
    assert.equal(task.progress.at(-1)?.value, 1);
    assert.ok(
      withInfo.some((p) => p.value > 0 && p.value < 1),
      'progress was reported on the way',
    );
  });

  test('several statements run in order; updates report updateType and count as TEXT', async () => {
    fake.script('CREATE TABLE memory.default.t (x bigint)', { updateType: 'CREATE TABLE' });
    fake.script('INSERT INTO memory.default.t VALUES 1, 2, 3', {
      updateType: 'INSERT',
      updateCount: 3,
      columns: [{ name: 'rows', type: 'bigint' }],
      rows: [[3]],
    });
    fake.script('SELECT x FROM memory.default.t', { columns: [{ name: 'x', type: 'bigint' }], rows: [[1], [2], [3]] });
    const task = await run(
      executor,
      'CREATE TABLE memory.default.t (x bigint);\nINSERT INTO memory.default.t VALUES 1, 2, 3;\nSELECT x FROM memory.default.t',
    );
    assert.deepEqual(
      task.resultSets.map((s) => s.type),
      ['TEXT', 'TEXT', 'TABLE'],
    );
    assert.equal(task.text(0), 'CREATE TABLE');
    assert.equal(task.text(1), 'INSERT: 3 rows');
    assert.deepEqual(task.resultSets[2]?.rows, [[1], [2], [3]]);
    assert.deepEqual(task.statements, { total: 3, started: [0, 1, 2] });
  });

  test('an error on a later page fails the task with Trino message, name and location in the code', async () => {
    fake.script('SELECT 1', { columns: [{ name: '_col0', type: 'integer' }], rows: [[1]] });
    const sql = 'SELECT x / 0 FROM t';
    fake.script(sql, {
      columns: [{ name: '_col0', type: 'bigint' }],
      rows: [[1], [2], [3], [4]],
      pageSize: 1,
      failAtPage: 3,
      error: {
        message: 'Division by zero',
        errorCode: 8,
        errorName: 'DIVISION_BY_ZERO',
        errorType: 'USER_ERROR',
        lineNumber: 1,
        columnNumber: 8,
      },
    });
    await assert.rejects(run(executor, `SELECT 1;\n${sql}`), (err: unknown) => {
      assert.ok(err instanceof EngineConnError);
      assert.equal(err.code, 'EC_ENGINE_ERROR');
      assert.match(err.message, /^Division by zero \(DIVISION_BY_ZERO, USER_ERROR; statement 2 of 2, line 2, column 8/);
      return true;
    });
  });

  test('a syntax error in the first page names the statement and its line', async () => {
    await assert.rejects(run(executor, 'SELECT 1;\n  SELEC 2'), (err: unknown) => {
      assert.ok(err instanceof EngineConnError);
      assert.match(
        err.message,
        /mismatched input 'SELEC' \(SYNTAX_ERROR, USER_ERROR; statement 2 of 2, line 2, column 3/,
      );
      return true;
    });
  });

  test('kill DELETEs the running query on the coordinator and ends the task cancelled', async () => {
    const sql = 'SELECT * FROM big_table';
    fake.script(sql, { columns: [{ name: 'x', type: 'bigint' }], hang: true, totalSplits: 100 });
    const task = createHarnessTask({ code: sql, runType: 'sql', killGraceMs: 1000 });
    const running = executor.execute(task.context);
    await waitFor(() => fake.queries.some((q) => q.sql === sql && q.page >= 3), { what: 'the query to run' });
    const query = fake.queries.find((q) => q.sql === sql)!;
    const killedAt = performance.now();
    task.controller.abort();
    await assert.rejects(running, isCancelled());
    const ms = performance.now() - killedAt;
    console.log(`# trino: kill to Cancelled (DELETE + confirmation) in ${ms.toFixed(1)} ms`);
    const deletes = fake.deletesOf(query.id);
    assert.equal(deletes.length, 1);
    assert.equal(deletes[0]?.url, `/v1/query/${query.id}`);
    assert.equal(query.cancelled, true);
    assert.equal(query.state, 'FAILED');
    assert.ok(
      task.logs.some((l) => /shows query \S+ FAILED \(USER_CANCELED\) after/.test(l)),
      task.logs.join('\n'),
    );
    const pagesAfterKill = fake.requests.filter(
      (r, i) => r.method === 'GET' && r.url.includes('/v1/statement/') && i > fake.requests.indexOf(deletes[0]!),
    );
    assert.equal(pagesAfterKill.length, 0, 'no page was fetched after the DELETE');
  });

  test('HTTP 503 answers are retried as the protocol asks', async () => {
    const sql = 'SELECT 42';
    fake.script(sql, { columns: [{ name: '_col0', type: 'integer' }], rows: [[42]], unavailable: 2 });
    const task = await run(executor, sql);
    assert.deepEqual(task.resultSets[0]?.rows, [[42]]);
  });

  test('a 429 with Retry-After is retried', async () => {
    const sql = 'SELECT 43';
    fake.script(sql, {
      columns: [{ name: '_col0', type: 'integer' }],
      rows: [[43]],
      unavailable: 1,
      unavailableStatus: 429,
      retryAfter: '1',
    });
    const task = await run(executor, sql);
    assert.deepEqual(task.resultSets[0]?.rows, [[43]]);
    const query = fake.queries.find((q) => q.sql === sql)!;
    const [refused, retried] = fake.requests.filter(
      (r) => r.method === 'GET' && r.url.endsWith(`${query.id}/${query.slug}/1`),
    );
    // How long it waited is checked without a clock in trino-http.test.ts, which records the wait.
    assert.ok(refused && retried, 'the first page was asked for twice');
  });

  test('a dropped connection while following pages is retried: the same page again, no row lost', async () => {
    const sql = 'SELECT dropped';
    fake.script(sql, { columns: [{ name: 'x', type: 'integer' }], rows: [[1], [2], [3]], pageSize: 1, dropAtPage: 2 });
    const task = await run(executor, sql);
    assert.deepEqual(task.resultSets[0]?.rows, [[1], [2], [3]]);
    const query = fake.queries.find((q) => q.sql === sql)!;
    assert.equal(query.dropped, true);
  });

  test('a page that is not JSON, or lacks what the protocol needs, fails the task saying so', async () => {
    fake.script('SELECT html', {
      columns: [{ name: 'x', type: 'integer' }],
      rows: [[1]],
      rawPage: { atPage: 1, body: '<html>proxy error</html>' },
    });
    await assert.rejects(run(executor, 'SELECT html'), (err: unknown) => {
      assert.ok(err instanceof EngineConnError);
      assert.equal(err.code, 'EC_ENGINE_ERROR');
      assert.match(
        err.message,
        /Trino sent a page that is not JSON \(GET \/v1\/statement\/queued\/.*it began "<html>proxy error/,
      );
      return true;
    });
    fake.script('SELECT noid', {
      columns: [{ name: 'x', type: 'integer' }],
      rows: [[1]],
      rawPage: { atPage: 1, body: '{"data": [[1]], "stats": {"state": "RUNNING"}}' },
    });
    await assert.rejects(run(executor, 'SELECT noid'), /Trino sent a page this client cannot read .*: id: /);
  });

  test('a 503 storm longer than trino.retryTimeout fails the task naming the coordinator', async () => {
    const stormy = await open({ 'trino.server': fake.url, 'trino.retryTimeout': '300ms' });
    fake.script('SELECT storm', { columns: [{ name: 'x', type: 'integer' }], rows: [[1]], unavailable: 1000 });
    await assert.rejects(run(stormy, 'SELECT storm'), (err: unknown) => {
      assert.ok(err instanceof EngineConnError);
      assert.match(
        err.message,
        new RegExp(
          `Trino coordinator ${fake.url} failed during statement 1 of 1, query \\S+: the coordinator answered HTTP 503 for 0 s of retries`,
        ),
      );
      return true;
    });
  });

  test('USE holds for the rest of its task only; task properties set session, catalog and schema', async () => {
    fake.script('USE hive.web', {
      updateType: 'USE',
      setHeaders: { 'X-Trino-Set-Catalog': 'hive', 'X-Trino-Set-Schema': 'web' },
    });
    fake.script('SELECT 2', { columns: [{ name: '_col0', type: 'integer' }], rows: [[2]] });
    await run(executor, 'USE hive.web; SELECT 2');
    const inTask = fake.requests.filter((r) => r.method === 'POST' && r.body === 'SELECT 2').at(-1)!;
    assert.equal(inTask.headers['x-trino-catalog'], 'hive');
    assert.equal(inTask.headers['x-trino-schema'], 'web');
    await run(executor, 'SELECT 2', { session: { query_max_run_time: '10m' }, catalog: 'system' });
    const nextTask = fake.requests.filter((r) => r.method === 'POST' && r.body === 'SELECT 2').at(-1)!;
    assert.equal(nextTask.headers['x-trino-catalog'], 'system');
    assert.equal(nextTask.headers['x-trino-schema'], 'tiny');
    assert.equal(nextTask.headers['x-trino-session'], 'query_max_run_time=10m');
  });

  test('many tasks run at once without holding anything but their HTTP requests', async () => {
    fake.script('SELECT slow', { columns: [{ name: 'v', type: 'varchar' }], rows: [['ok']], runningPages: 5 });
    const tasks = await Promise.all(Array.from({ length: 50 }, () => run(executor, 'SELECT slow')));
    assert.ok(tasks.every((t) => t.resultSets[0]?.rows[0]?.[0] === 'ok'));
  });

  test('health: a slow coordinator is WARN (tasks still accepted), an unreachable one UnHealthy', async () => {
    // The stalled check is told from a slow answer by this timeout alone, so it is long enough that
    // a loaded machine's answer to the first check always arrives within it.
    const ctx = context({ 'trino.server': fake.url, 'trino.connectTimeout': '2s' });
    const session = await trinoEngine.createSession(ctx, testSessionEnv());
    assert.equal(await trinoEngine.checkHealth?.(session), 'Healthy');
    fake.stallInfo = true;
    try {
      assert.equal(await trinoEngine.checkHealth?.(session), 'WARN');
    } finally {
      fake.stallInfo = false;
    }
    const gone = await FakeTrino.start();
    const lost = await trinoEngine.createSession(context({ 'trino.server': gone.url }), testSessionEnv());
    await gone.close();
    assert.equal(await trinoEngine.checkHealth?.(lost), 'UnHealthy');
  });

  test('start-up fails clearly without trino.server or when the coordinator is unreachable', async () => {
    await assert.rejects(open({}), (err: unknown) => {
      assert.ok(err instanceof EngineConnError);
      assert.equal(err.code, 'EC_ENGINE_START_FAILED');
      assert.match(err.message, /--conf trino\.server=/);
      return true;
    });
    const closed = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as AddressInfo;
        probe.close(() => resolve(port));
      });
    });
    await assert.rejects(open({ 'trino.server': `http://127.0.0.1:${closed}` }), (err: unknown) => {
      assert.ok(err instanceof EngineConnError);
      assert.equal(err.code, 'EC_ENGINE_START_FAILED');
      assert.match(
        err.message,
        new RegExp(`Cannot reach the Trino coordinator at http://127.0.0.1:${closed} \\(ECONNREFUSED\\)`),
      );
      return true;
    });
  });
});
