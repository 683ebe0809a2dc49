// Against a real Trino 476 (the testkit's throwaway single-node server, shared by the run): values,
// session headers, errors, kills confirmed on the coordinator, a coordinator lost mid-query, and
// 300 queries at once on one async EngineConn. Skipped, saying why, without Java 24+ or Maven.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { acquireTestTrino, TcpProxy, waitFor } from '@engineconn/testkit';
import {
  coordinatorQueries,
  marker,
  OWNER,
  openTrinoEc,
  queryInfo,
  rowsOf,
  type TrinoEc,
} from './test-support/real-trino.js';

const trino = await acquireTestTrino();
after(() => trino.release());
const url = trino.url ?? '';

/** A query that runs until it is cancelled (6 billion generated rows on one small node). */
const longQuery = (m: string) => `SELECT count(*) FROM tpch.sf1000.lineitem WHERE comment <> '${m}'`;

describe('trino engine against a real coordinator', { skip: trino.skip, timeout: 600_000 }, () => {
  let ec: TrinoEc;
  const opened: TrinoEc[] = [];
  const open = async (options: Record<string, string> = {}) => {
    const e = await openTrinoEc(url, options);
    opened.push(e);
    return e;
  };

  after(async () => {
    for (const e of opened) await e.close();
  });

  test('the EngineConn takes its version from the coordinator', async () => {
    ec = await open({ 'ec.concurrency': '3000' });
    assert.equal(ec.runtime.info().engineVersion, '476');
  });

  test('values keep their exact form (docs/api.md): big integers, decimals, floats, times, ROW, MAP', async () => {
    const view = ec.submit(
      `SELECT 9223372036854775807 AS big, -9007199254740993 AS below, 42 AS small, cast('1.10' AS decimal(5,2)) AS dec,
        cast('12345678901234567890.123456789' AS decimal(38,9)) AS wide, nan() AS nan, infinity() AS inf, -infinity() AS ninf,
        -cast(0 AS double) AS negzero, 1.5e0 AS dbl, x'0102' AS bin, date '2020-01-02' AS d,
        timestamp '2020-01-01 01:02:03.123' AS ts, timestamp '2020-07-01 01:02:03.123 America/New_York' AS tstz,
        timestamp '2020-01-01 01:02:03 +05:30' AS tsoff, cast(row(1, 'a') AS row(a integer, b varchar)) AS r,
        row(1, 2) AS anon, map(array['k', '__proto__'], array[1, 2]) AS m, array[9223372036854775807] AS arr,
        json_parse('{"b":1,"a":12345678901234567890}') AS j, uuid '12151fd2-7586-11e9-8f9e-2a86e4085a59' AS u`,
    );
    const info = await view.finished;
    assert.equal(info.status, 'Succeed', info.error?.message);
    const [row] = await rowsOf(view);
    assert.deepEqual(row, [
      '9223372036854775807',
      '-9007199254740993',
      42,
      '1.10',
      '12345678901234567890.123456789',
      'NaN',
      'Infinity',
      '-Infinity',
      '-0',
      1.5,
      'AQI=',
      '2020-01-02',
      '2020-01-01T01:02:03.123',
      '2020-07-01T01:02:03.123-04:00',
      '2020-01-01T01:02:03+05:30',
      { a: 1, b: 'a' },
      [
        ['', 1],
        ['', 2],
      ],
      [
        ['k', 1],
        ['__proto__', 2],
      ],
      ['9223372036854775807'],
      '{"a":12345678901234567890,"b":1}',
      '12151fd2-7586-11e9-8f9e-2a86e4085a59',
    ]);
    const columns = view.results.list()[0]?.columns?.map((c) => c.type);
    assert.deepEqual(columns?.slice(0, 5), ['bigint', 'bigint', 'integer', 'decimal(5, 2)', 'decimal(38, 9)']);
  });

  test('USE, SET SESSION and PREPARE hold within their task and never leak into another', async () => {
    const first = ec.submit(
      "USE tpch.tiny; SET SESSION query_max_run_time = '7m'; PREPARE p FROM SELECT ? + 1; " +
        "SELECT count(*) FROM nation; EXECUTE p USING 41; SHOW SESSION LIKE 'query_max_run_time'",
    );
    const info = await first.finished;
    assert.equal(info.status, 'Succeed', info.error?.message);
    assert.deepEqual(await rowsOf(first, 3), [[25]]);
    assert.deepEqual(await rowsOf(first, 4), [[42]]);
    assert.equal((await rowsOf(first, 5))[0]?.[1], '7m');

    const noCatalog = await ec.submit('SELECT count(*) FROM nation').finished;
    assert.equal(noCatalog.status, 'Failed');
    assert.match(noCatalog.error?.message ?? '', /MISSING_(CATALOG|SCHEMA)_NAME/);
    const noStatement = await ec.submit('EXECUTE p USING 1').finished;
    assert.equal(noStatement.status, 'Failed');
    assert.match(noStatement.error?.message ?? '', /Prepared statement not found: p/);
    const session = ec.submit("SHOW SESSION LIKE 'query_max_run_time'");
    assert.equal((await session.finished).status, 'Succeed');
    assert.notEqual((await rowsOf(session))[0]?.[1], '7m');
  });

  test('a SQL error fails the task with Trino’s error and its line/column in the task’s code', async () => {
    const info = await ec.submit('SELECT 1;\nSELECT 2;\n  SELECT nope FROM tpch.tiny.nation').finished;
    assert.equal(info.status, 'Failed');
    assert.equal(info.error?.code, 'EC_ENGINE_ERROR');
    assert.match(
      info.error?.message ?? '',
      /Column 'nope' cannot be resolved \(COLUMN_NOT_FOUND, USER_ERROR; statement 3 of 3, line 3, column 10; query \S+\)/,
    );
  });

  test('a catalog that does not exist fails the task, naming it', async () => {
    const info = await ec.submit('SELECT * FROM nosuchcatalog.s.t').finished;
    assert.equal(info.status, 'Failed');
    assert.match(info.error?.message ?? '', /Catalog 'nosuchcatalog' not found \(CATALOG_NOT_FOUND, USER_ERROR/);
  });

  test('kill: Cancelled only once the coordinator shows the query ended USER_CANCELED', async () => {
    const m = marker('kill');
    const view = ec.submit(longQuery(m));
    await waitFor(async () => (await coordinatorQueries(url, m)).some((q) => q.state === 'RUNNING'), {
      what: 'the long query to run on the coordinator',
      timeoutMs: 120_000,
      intervalMs: 50,
    });
    ec.runtime.kill(view.info().id, OWNER);
    const info = await view.finished;
    assert.equal(info.status, 'Cancelled');
    const [onCoordinator] = await coordinatorQueries(url, m);
    assert.equal(onCoordinator?.state, 'FAILED');
    assert.equal(onCoordinator?.errorCode, 'USER_CANCELED');
    assert.deepEqual(await queryInfo(url, onCoordinator.id), { state: 'FAILED', errorName: 'USER_CANCELED' });
  });

  test('one async EngineConn runs 300 real queries at once: none lost, every result right', async () => {
    // Cheap queries, so that the test measures the EngineConn holding 300 at once rather than a
    // small, shared machine's Trino throughput (bench/ runs tpch queries and 3,000 in flight).
    const m = marker('many');
    const views = Array.from({ length: 300 }, (_, i) => ec.submit(`SELECT ${i} AS i, ${i} * ${i} AS sq, '${m}' AS m`));
    // Before any answer can have come back: every task is running, none waits in the EngineConn.
    await new Promise((resolve) => setImmediate(resolve));
    const { running, queued } = ec.runtime.info().concurrency;
    const infos = await Promise.all(views.map((view) => view.finished));
    const lost = infos.filter((i) => i.status !== 'Succeed');
    assert.equal(lost.length, 0, `${lost.length} not Succeed, e.g. ${lost[0]?.status}: ${lost[0]?.error?.message}`);
    for (const [i, view] of views.entries()) assert.deepEqual(await rowsOf(view), [[i, i * i, m]], `query ${i}`);
    const onCoordinator = await coordinatorQueries(url, m);
    assert.equal(onCoordinator.filter((q) => q.state === 'FINISHED').length, 300);
    assert.deepEqual({ running, queued }, { running: 300, queued: 0 }, 'all 300 tasks were running at once');
  });

  test('a coordinator lost mid-query fails the task with the reason; the next task runs once it is back', async () => {
    const proxy = await TcpProxy.start(url);
    const lossy = await open({ 'trino.server': proxy.url, 'trino.retryTimeout': '1s' });
    const m = marker('lost');
    const view = lossy.submit(longQuery(m));
    await waitFor(
      async () => (await coordinatorQueries(url, m)).some((q) => q.state === 'RUNNING' || q.state === 'QUEUED'),
      { what: 'the query to be on the coordinator', timeoutMs: 120_000, intervalMs: 50 },
    );
    await proxy.down();
    const info = await view.finished;
    assert.equal(info.status, 'Failed');
    assert.match(
      info.error?.message ?? '',
      new RegExp(
        `Trino coordinator ${proxy.url} failed during statement 1 of 1, query \\S+: the coordinator could not be reached \\(`,
      ),
    );
    // Left running on the coordinator by the lost connection: cancelled here so it does not burn CPU.
    for (const q of await coordinatorQueries(url, m)) {
      await fetch(`${url}/v1/query/${q.id}`, { method: 'DELETE', headers: { 'X-Trino-User': 'trino-tests' } });
    }
    // While the coordinator is away the EngineConn reports itself UnHealthy (its health probe reads
    // GET /v1/info) and refuses tasks; once it is back, it serves again.
    await waitFor(() => lossy.runtime.info().health === 'UnHealthy', {
      what: 'the EngineConn to see the loss',
      timeoutMs: 60_000,
    });
    await proxy.up();
    await waitFor(() => lossy.runtime.info().health === 'Healthy', {
      what: 'the EngineConn to see it back',
      timeoutMs: 60_000,
    });
    const next = lossy.submit('SELECT 7');
    assert.equal((await next.finished).status, 'Succeed');
    assert.deepEqual(await rowsOf(next), [[7]]);
    await proxy.down();
  });
});
