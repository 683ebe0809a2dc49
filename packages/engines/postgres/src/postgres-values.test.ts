import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type PostgresServer, startPostgres } from '@engineconn/testkit';
import { type Opened, openSession, run } from './test-support/helpers.js';

/** The PostgreSQL cases of issue 14: each checks the row exactly as the EngineConn stores it. */
describe('postgres values survive the trip (docs/api.md, PostgreSQL values)', () => {
  let server: PostgresServer;
  let ec: Opened;

  before(async () => {
    server = await startPostgres();
    ec = await openSession(server.url, 1);
  });
  after(async () => {
    await ec?.session.close();
    await server?.stop();
  });

  async function one(code: string): Promise<{ line: string; types: string[] }> {
    const task = await run(ec.executor, { code });
    const set = task.resultSets.at(-1)!;
    return { line: set.lines[0]!, types: set.columns!.map((c) => c.type) };
  }

  test('json and jsonb arrive as their text: no number loses a digit, no key is lost or moved', async () => {
    const { line } = await one(
      `SELECT '12345678901234567890'::json, '[9223372036854775807]'::jsonb, '1e400'::jsonb,
        '{"2": 1, "1": 2, "__proto__": 3}'::json, '{"__proto__": 1}'::jsonb`,
    );
    assert.equal(
      line,
      // jsonb keeps 1e400 as the exact number it is, as psql shows it, not the double Infinity.
      `["12345678901234567890","[9223372036854775807]","1${'0'.repeat(400)}",` +
        '"{\\"2\\": 1, \\"1\\": 2, \\"__proto__\\": 3}","{\\"__proto__\\": 1}"]',
    );
  });

  test("jsonb 'null' is the text null, apart from SQL NULL", async () => {
    assert.equal((await one(`SELECT 'null'::jsonb, NULL::jsonb`)).line, '["null",null]');
  });

  test('float -0 stays -0', async () => {
    assert.equal((await one(`SELECT '-0'::float8, '-0'::float4, ARRAY['-0'::float8]`)).line, '["-0","-0",["-0"]]');
  });

  test('type names keep their modifiers', async () => {
    const { types } = await one(
      `SELECT 1::numeric(38,10), B'1010'::bit(4), 'x'::varchar(25), 'a'::char(3), now()::timestamp(3), ARRAY[1.5]::numeric(5,2)[]`,
    );
    assert.deepEqual(types, [
      'numeric(38,10)',
      'bit(4)',
      'character varying(25)',
      'character(3)',
      'timestamp(3) without time zone',
      'numeric(5,2)[]',
    ]);
  });

  test('±2^53 is a string, as from every engine; ±(2^53 − 1) a number', async () => {
    assert.equal(
      (
        await one(
          'SELECT 9007199254740992::int8, -9007199254740992::int8, 9007199254740991::int8, -9007199254740991::int8',
        )
      ).line,
      '["9007199254740992","-9007199254740992",9007199254740991,-9007199254740991]',
    );
  });
});
