import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { encodeRow } from '@engineconn/core';
import { duckdb } from '../duckdb-api.js';
import { cellReader, type ReadContext, rowsOfChunk } from './cell-readers.js';
import { LineBytes } from './line-bytes.js';
import { RowLineEncoder } from './row-line-encoder.js';
import { ZoneClock } from './zone-clock.js';

const CONTEXT: ReadContext = { zone: ZoneClock.of('UTC') as ZoneClock };

// Every fast column kind at its edges, a NULL in every column on every seventh row, and strings that
// need escapes, leave ASCII or live behind a pointer (longer than 12 bytes).
const EDGES = `
  with v(n, i) as (select * from (values
    (0, 0), (1, 9007199254740991), (2, -9007199254740991), (3, 9007199254740992), (4, -9007199254740992),
    (5, 9223372036854775807), (6, -9223372036854775808), (7, 4294967296), (8, -4294967297), (9, -1)))
  select
    case when r % 7 = 6 then null else v.i end as big,
    case when r % 7 = 6 then null else (v.i::hugeint + 9223372036854775808)::ubigint end as ubig,
    case when r % 7 = 6 then null else (r * 7919 - 20000)::integer end as int,
    case when r % 7 = 6 then null else (r % 200 - 100)::tinyint end as tiny,
    case when r % 7 = 6 then null else (r % 60000)::usmallint end as usmall,
    case when r % 7 = 6 then null else (4294967295 - r)::uinteger end as uint,
    case when r % 7 = 6 then null
      else [0.0, -0.0, 'nan'::double, 'inf'::double, '-inf'::double, 0.1, 1e308, 5e-324, -2.5, 1e21][v.n + 1] end as dbl,
    case when r % 7 = 6 then null else r % 3 = 0 end as flag,
    case when r % 7 = 6 then null
      else ['', 'plain', 'quote " here', 'back\\slash', chr(0) || chr(1) || chr(31) || chr(127), chr(10) || chr(13) || chr(9) || chr(8) || chr(12),
            'é ü 中文 😀', 'longer than twelve bytes ' || r, '"' || repeat('\\', 20) || '"', '],[' ][v.n + 1] end as text,
    r::decimal(18, 3) / 7 as other
  from range(5000) t(r) join v on v.n = r % 10
  order by r`;

describe('RowLineEncoder', () => {
  let instance: DuckDBInstance;
  let connection: DuckDBConnection;
  before(async () => {
    instance = await duckdb.DuckDBInstance.create(':memory:');
    connection = await instance.connect();
  });
  after(() => {
    connection.disconnectSync();
    instance.closeSync();
  });

  test("writes every chunk as encodeRow writes the cell readers' values, line for line", async () => {
    const result = await connection.stream(EDGES);
    const types = result.columnTypes();
    const readers = types.map((type) => cellReader(type, CONTEXT));
    const encoder = new RowLineEncoder(types, CONTEXT);
    const out = new LineBytes(16);
    let rows = 0;
    for (let chunk = await result.fetchChunk(); chunk && chunk.rowCount > 0; chunk = await result.fetchChunk()) {
      const expected = rowsOfChunk(chunk, readers).map((row) => `${encodeRow(row)}\n`);
      out.reset();
      encoder.encode(chunk, chunk.rowCount, out);
      assert.equal(out.view().toString('utf8'), expected.join(''));
      rows += chunk.rowCount;
    }
    assert.equal(rows, 5000);
  });

  test('the lines parse back to the exact integers, and big ones stay strings', async () => {
    const result = await connection.stream(
      'select * from (values (9007199254740991::bigint, 18446744073709551615::ubigint), (-9007199254740992::bigint, 9007199254740992::ubigint))',
    );
    const encoder = new RowLineEncoder(result.columnTypes(), CONTEXT);
    const out = new LineBytes();
    const chunk = await result.fetchChunk();
    assert.ok(chunk);
    encoder.encode(chunk, chunk.rowCount, out);
    assert.equal(
      out.view().toString('utf8'),
      '[9007199254740991,"18446744073709551615"]\n["-9007199254740992","9007199254740992"]\n',
    );
  });
});
