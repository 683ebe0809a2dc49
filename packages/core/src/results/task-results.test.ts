import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import type { ResultSetMeta } from '../computation/task-types.js';
import { readText } from '../testing/read-text.js';
import { MapValue, StructShape, StructValue, structOf } from '../values/wire-values.js';
import { NO_RESULT_MEMORY } from './result-memory.js';
import { TaskResults } from './task-results.js';

const root = mkdtempSync(join(tmpdir(), 'task-results-test-'));
after(() => rmSync(root, { recursive: true, force: true }));
let dirNo = 0;
const all: TaskResults[] = [];
after(async () => {
  for (const results of all) await results.closeAll();
});

function newResults(events?: { created: ResultSetMeta[]; updated: ResultSetMeta[] }): TaskResults {
  const results = new TaskResults({
    dir: join(root, `task-${dirNo++}`),
    // These tests cover the file path; task-results-memory.test.ts covers sets kept in memory.
    memory: NO_RESULT_MEMORY,
    onCreated: (meta) => events?.created.push(meta),
    onUpdated: (meta) => events?.updated.push(meta),
  });
  all.push(results);
  return results;
}

const columns = [
  { name: 'id', type: 'INTEGER' },
  { name: 'name', type: 'VARCHAR' },
];

describe('TaskResults', () => {
  test('a TABLE set is written, paged and closed, with its events', async () => {
    const events = { created: [] as ResultSetMeta[], updated: [] as ResultSetMeta[] };
    const results = newResults(events);
    const writer = await results.create({ type: 'TABLE', columns });
    assert.equal(writer.index, 0);
    assert.deepEqual(events.created, [
      { index: 0, type: 'TABLE', columns, rowCount: 0, byteCount: 0, complete: false },
    ]);
    await writer.writeRows([
      [1, 'a'],
      [2, null],
    ]);
    await writer.writeRows([[3, 'c']]);
    assert.equal(results.get(0)?.rowCount, 3);
    assert.deepEqual(await results.readRows(0, 0, 10), {
      columns,
      rows: [
        [1, 'a'],
        [2, null],
        [3, 'c'],
      ],
      offset: 0,
      next: 3,
    });
    await writer.close();
    await writer.close();
    assert.equal(events.updated.length, 1, 'close is idempotent');
    assert.deepEqual(events.updated[0], {
      index: 0,
      type: 'TABLE',
      columns,
      rowCount: 3,
      byteCount: 0,
      complete: true,
    });
    assert.equal((await results.readRows(0, 0, 10)).next, null);
    assert.equal((await results.readRows(0, 1, 1)).next, 2);
    assert.ok(existsSync(join(results.dir, 'result-0.jsonl')));
  });

  test('TEXT, HTML and PICTURE sets keep their bytes', async () => {
    const results = newResults();
    const textSet = await results.create({ type: 'TEXT' });
    await textSet.write('héllo ');
    await textSet.write(new TextEncoder().encode('wörld\n'));
    const html = await results.create({ type: 'HTML' });
    await html.write('<b>x</b>');
    const picture = await results.create({ type: 'PICTURE', mimeType: 'image/svg+xml' });
    const bytes = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 255]);
    await picture.write(bytes);
    bytes.fill(0);
    await results.closeAll();
    assert.equal((await results.readContent(0)).toString('utf8'), 'héllo wörld\n');
    assert.equal(results.get(0)?.byteCount, Buffer.byteLength('héllo wörld\n'));
    assert.equal((await results.readContent(1)).toString('utf8'), '<b>x</b>');
    assert.deepEqual([...(await results.readContent(2))], [0x89, 0x50, 0x4e, 0x47, 0, 255]);
    assert.equal(results.get(2)?.mimeType, 'image/svg+xml');
    assert.ok(existsSync(join(results.dir, 'result-2.bin')));
    assert.equal(await readText(results.stream(0, 'csv')), 'héllo wörld\n');
    assert.equal(await readText(results.stream(1, 'ndjson')), '<b>x</b>');
    assert.throws(() => results.stream(2, 'csv'), { code: 'EC_BAD_REQUEST' });
    assert.deepEqual(
      results.list().map((m) => [m.index, m.type, m.complete]),
      [
        [0, 'TEXT', true],
        [1, 'HTML', true],
        [2, 'PICTURE', true],
      ],
    );
  });

  test('a text stream never splits a multi-byte character across chunks', async () => {
    const results = newResults();
    const writer = await results.create({ type: 'TEXT' });
    const content = 'ü😀'.repeat(200_000);
    await writer.write(content);
    await writer.close();
    assert.equal(await readText(results.stream(0, 'csv')), content);
  });

  test('the wrong write method, and writes after close, reject with EC_INTERNAL', async () => {
    const results = newResults();
    const table = await results.create({ type: 'TABLE', columns });
    const textSet = await results.create({ type: 'TEXT' });
    await assert.rejects(table.write('x'), { code: 'EC_INTERNAL' });
    await assert.rejects(textSet.writeRows([[1]]), { code: 'EC_INTERNAL' });
    await assert.rejects(table.writeRows([{ id: 1 } as unknown as unknown[]]), { code: 'EC_INTERNAL' });
    await table.close();
    await assert.rejects(table.writeRows([[1, 'a']]), { code: 'EC_INTERNAL' });
    await textSet.close();
    await assert.rejects(textSet.write('late'), { code: 'EC_INTERNAL' });
  });

  test('lookups and reads of unknown or mistyped sets fail with stable codes', async () => {
    const results = newResults();
    await results.create({ type: 'TABLE', columns });
    await results.create({ type: 'TEXT' });
    assert.equal(results.get(5), undefined);
    await assert.rejects(results.readRows(5, 0, 10), { code: 'EC_RESULT_NOT_FOUND' });
    await assert.rejects(results.readContent(-1), { code: 'EC_RESULT_NOT_FOUND' });
    assert.throws(() => results.stream(7, 'csv'), { code: 'EC_RESULT_NOT_FOUND' });
    await assert.rejects(results.readRows(1, 0, 10), { code: 'EC_BAD_REQUEST' });
    await assert.rejects(results.readContent(0), { code: 'EC_BAD_REQUEST' });
    await assert.rejects(results.readRows(0, -1, 10), { code: 'EC_BAD_REQUEST' });
    await assert.rejects(results.readRows(0, 0, 0.5), { code: 'EC_BAD_REQUEST' });
    assert.throws(() => results.stream(0, 'xml' as 'csv'), { code: 'EC_BAD_REQUEST' });
  });

  test('pages at and around the row-index boundaries', async () => {
    const results = newResults();
    const writer = await results.create({ type: 'TABLE', columns });
    const total = 2500;
    for (let i = 0; i < total; i += 300) {
      await writer.writeRows(Array.from({ length: Math.min(300, total - i) }, (_, j) => [i + j, `n${i + j}`]));
    }
    await writer.close();
    const cases: [number, number, number, number | null][] = [
      [0, 10, 10, 10],
      [999, 2, 2, 1001],
      [1000, 1, 1, 1001],
      [1999, 1000, 501, null],
      [2000, 500, 500, null],
      [2499, 10, 1, null],
      [2500, 10, 0, null],
      [3000, 10, 0, null],
      [10, 0, 0, 10],
    ];
    for (const [offset, limit, count, next] of cases) {
      const page = await results.readRows(0, offset, limit);
      assert.equal(page.rows.length, count, `offset ${offset} limit ${limit}`);
      assert.equal(page.next, next, `next for offset ${offset} limit ${limit}`);
      assert.deepEqual(
        page.rows,
        Array.from({ length: count }, (_, i) => [offset + i, `n${offset + i}`]),
      );
      const json = await results.readRowsJson(0, offset, limit);
      assert.deepEqual({ ...json, rows: JSON.parse(json.rows.toString()) }, page, `JSON page at ${offset}`);
    }
    const seen: number[] = [];
    for (let offset: number | null = 0; offset !== null; ) {
      const page: Awaited<ReturnType<typeof results.readRows>> = await results.readRows(0, offset, 1000);
      for (const row of page.rows) seen.push(row[0] as number);
      offset = page.next;
    }
    assert.deepEqual(
      seen,
      Array.from({ length: total }, (_, i) => i),
    );
  });

  test('readers see only whole written rows while the set is being written', async () => {
    const results = newResults();
    const writer = await results.create({ type: 'TABLE', columns });
    const first = writer.writeRows([[1, 'a']]);
    const second = writer.writeRows([
      [2, 'b'],
      [3, 'c'],
    ]);
    assert.equal(results.get(0)?.rowCount, 0, 'no rows before the write completed');
    assert.deepEqual((await results.readRows(0, 0, 10)).rows, []);
    await first;
    const page = await results.readRows(0, 0, 10);
    assert.ok(page.rows.length === 1 || page.rows.length === 3);
    await second;
    const full = await results.readRows(0, 0, 10);
    assert.deepEqual(
      full.rows.map((r) => r[0]),
      [1, 2, 3],
    );
    assert.equal(full.next, 3, 'an open set has more to come');
    await writer.close();
    assert.equal((await results.readRows(0, 3, 10)).next, null);
  });

  test('values that JSON cannot carry as they are are converted', async () => {
    const results = newResults();
    const writer = await results.create({ type: 'TABLE', columns: [{ name: 'v', type: 'ANY' }] });
    const row: unknown[] = [2n ** 64n, new Date(0), Number.NaN, Buffer.from('hi'), undefined, { a: 1n }];
    await writer.writeRows([row]);
    row[0] = 'mutated after write';
    await writer.close();
    assert.deepEqual((await results.readRows(0, 0, 1)).rows[0], [
      '18446744073709551616',
      '1970-01-01T00:00:00.000Z',
      'NaN',
      'aGk=',
      null,
      { a: 1 },
    ]);
  });

  test('csv quotes per RFC 4180 and keeps null apart from the empty string', async () => {
    const results = newResults();
    const writer = await results.create({
      type: 'TABLE',
      columns: [
        { name: 'plain', type: 'T' },
        { name: 'with,comma', type: 'T' },
        { name: 'q"uote', type: 'T' },
      ],
    });
    await writer.writeRows([
      ['a', 'b,c', 'say "hi"'],
      ['line\nbreak', 'cr\rhere', 'crlf\r\nend'],
      [null, '', 1.5],
      [true, { k: 'v,w' }, [1, 'x']],
    ]);
    await writer.close();
    assert.equal(
      await readText(results.stream(0, 'csv')),
      'plain,"with,comma","q""uote"\r\n' +
        'a,"b,c","say ""hi"""\r\n' +
        '"line\nbreak","cr\rhere","crlf\r\nend"\r\n' +
        ',"",1.5\r\n' +
        'true,"{""k"":""v,w""}","[1,""x""]"\r\n',
    );
  });

  test('ndjson keys rows by column name, keeping duplicate names apart', async () => {
    const results = newResults();
    const writer = await results.create({
      type: 'TABLE',
      columns: [
        { name: 'a', type: 'T' },
        { name: 'a', type: 'T' },
        { name: '__proto__', type: 'T' },
      ],
    });
    await writer.writeRows([
      [1, 2, 3],
      [null, 'x', { y: 1 }],
    ]);
    await writer.close();
    const lines = (await readText(results.stream(0, 'ndjson'))).split('\n');
    assert.equal(lines.pop(), '');
    assert.deepEqual(lines, ['{"a":1,"a_2":2,"__proto__":3}', '{"a":null,"a_2":"x","__proto__":{"y":1}}']);
  });

  test('csv and ndjson carry structs, maps and -0 exactly as the stored rows hold them', async () => {
    const results = newResults();
    const writer = await results.create({
      type: 'TABLE',
      columns: [
        { name: 's', type: 'STRUCT' },
        { name: 'm', type: 'MAP' },
        { name: 'f', type: 'DOUBLE' },
      ],
    });
    const shape = new StructShape(['2', '1', '__proto__']);
    await writer.writeRows([
      [new StructValue(shape, [1, 2, 'a,b']), new MapValue(['b', '2'], [1, 2]), -0],
      [
        structOf([
          ['', 1],
          ['', 2],
        ]),
        null,
        2n ** 60n,
      ],
    ]);
    await writer.close();
    assert.equal(
      await readText(results.stream(0, 'csv')),
      's,m,f\r\n' +
        '"{""2"":1,""1"":2,""__proto__"":""a,b""}","[[""b"",1],[""2"",2]]",-0\r\n' +
        '"[["""",1],["""",2]]",,1152921504606846976\r\n',
    );
    assert.equal(
      await readText(results.stream(0, 'ndjson')),
      '{"s":{"2":1,"1":2,"__proto__":"a,b"},"m":[["b",1],["2",2]],"f":"-0"}\n' +
        '{"s":[["",1],["",2]],"m":null,"f":"1152921504606846976"}\n',
    );
  });

  test('a stream of a set still being written follows it until close', async () => {
    const results = newResults();
    const writer = await results.create({ type: 'TABLE', columns });
    await writer.writeRows([[1, 'a']]);
    const iterator = results.stream(0, 'csv')[Symbol.asyncIterator]();
    assert.equal((await iterator.next()).value, 'id,name\r\n');
    assert.equal((await iterator.next()).value, '1,a\r\n');
    const pending = iterator.next();
    await writer.writeRows([[2, 'b']]);
    assert.equal((await pending).value, '2,b\r\n');
    const end = iterator.next();
    await writer.close();
    assert.deepEqual(await end, { done: true, value: undefined });
  });

  test('concurrent creates get consecutive indexes; unawaited writes keep their order', async () => {
    const results = newResults();
    const writers = await Promise.all([
      results.create({ type: 'TEXT' }),
      results.create({ type: 'TABLE', columns }),
      results.create({ type: 'HTML' }),
    ]);
    assert.deepEqual(
      writers.map((w) => w.index),
      [0, 1, 2],
    );
    const table = writers[1]!;
    const writes = Array.from({ length: 50 }, (_, i) => table.writeRows([[i, `r${i}`]]));
    await Promise.all(writes);
    const page = await results.readRows(1, 0, 100);
    assert.deepEqual(
      page.rows.map((r) => r[0]),
      Array.from({ length: 50 }, (_, i) => i),
    );
  });

  test('closeAll completes every open set and refuses new ones', async () => {
    const events = { created: [] as ResultSetMeta[], updated: [] as ResultSetMeta[] };
    const results = newResults(events);
    const a = await results.create({ type: 'TABLE', columns });
    const b = await results.create({ type: 'TEXT' });
    void a.writeRows([[1, 'x']]);
    void b.write('text');
    const late = results.create({ type: 'HTML' });
    await results.closeAll();
    assert.deepEqual(
      results.list().map((m) => [m.index, m.complete, m.rowCount, m.byteCount]),
      [
        [0, true, 1, 0],
        [1, true, 0, 4],
        [2, true, 0, 0],
      ],
    );
    assert.equal((await late).index, 2);
    assert.equal(events.updated.length, 3);
    await assert.rejects(results.create({ type: 'TEXT' }), { code: 'EC_INTERNAL' });
    await results.closeAll();
  });

  test('a bad spec is refused', async () => {
    const results = newResults();
    await assert.rejects(results.create({ type: 'CHART' } as unknown as { type: 'TEXT' }), { code: 'EC_INTERNAL' });
    await assert.rejects(results.create({ type: 'TABLE' } as unknown as { type: 'TEXT' }), { code: 'EC_INTERNAL' });
  });
});
