import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { decodeRows, EngineConnClient } from '@engineconn/client';
import { type SpawnedEngineConn, spawnEngineConn } from './spawn-engineconn.js';

describe('values end to end: DuckDB → HTTP → the SDK decoder', () => {
  let ec: SpawnedEngineConn;
  let client: EngineConnClient;
  before(async () => {
    ec = await spawnEngineConn(['--engine', 'duckdb'], { timeoutMs: 30_000 });
    client = new EngineConnClient({ url: ec.url, ...(ec.token ? { token: ec.token } : {}) });
  });
  after(() => ec?.stop());

  test('the wire form decodes back to typed JS values', async () => {
    const task = await client.submit(`SET TimeZone = 'America/New_York';
      select 18446744073709551615::UBIGINT u, 7::BIGINT b, -0.0::DOUBLE z, 'nan'::DOUBLE n, 1.10::DECIMAL(4,2) d,
        '\\x00\\xFF'::BLOB bl, TIMESTAMPTZ '2024-01-01 12:00:00.5+00' tz, DATE '2024-02-29' dt,
        map([1, 2], [{'__proto__': 1::BIGINT}, NULL]) m, row(1, 'x') r, {'2': [2::HUGEINT], '1': NULL} s,
        '{"a":1}'::JSON j, NULL::BIGINT nada`);
    const done = await task.done;
    assert.equal(done.status, 'Succeed', done.error?.message);
    const page = await client.resultPage(task.id, 1);
    assert.equal(page.kind, 'table');
    if (page.kind !== 'table') return;
    const [row] = decodeRows(page.columns, page.rows);
    const [u, b, z, n, d, bl, tz, dt, m, r, s, j, nada] = row as unknown[];
    assert.equal(u, 18446744073709551615n);
    assert.equal(b, 7n);
    assert.ok(Object.is(z, -0));
    assert.ok(Number.isNaN(n));
    assert.equal(d, '1.10');
    assert.deepEqual(bl, new Uint8Array([0, 255]));
    assert.deepEqual(tz, new Date(Date.UTC(2024, 0, 1, 12, 0, 0, 500)));
    assert.equal(dt, '2024-02-29');
    assert.ok(m instanceof Map);
    assert.deepEqual([...m.keys()], [1, 2]);
    assert.deepEqual(Object.entries(m.get(1) as object), [['__proto__', 1n]]);
    assert.equal(m.get(2), null);
    assert.deepEqual(r, [
      ['', 1],
      ['', 'x'],
    ]);
    assert.deepEqual(Object.entries(s as object), [
      ['1', null],
      ['2', [2n]],
    ]);
    assert.equal(j, '{"a":1}');
    assert.equal(nada, null);
  });
});
