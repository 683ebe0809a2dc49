import assert from 'node:assert/strict';
import { readFile, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { TEST_PNG } from '@engineconn/testkit';
import { startTestServer, type TestServer } from '../../test-support/test-server.js';

describe('result routes', () => {
  let server: TestServer;
  let id: string;
  before(async () => {
    server = await startTestServer();
    ({ id } = await server.submit('rows 2500; text hello world; html <b>hi</b>; picture'));
    assert.equal((await server.finished(id)).status, 'Succeed');
  });
  after(() => server.close());

  const get = (url: string) => server.request({ method: 'GET', url });

  test('lists the result sets with index, type, columns and rowCount', async () => {
    const res = await get(`/api/v1/tasks/${id}/results`);
    assert.equal(res.statusCode, 200);
    const sets = res.json<{ resultSets: { index: number; type: string; rowCount: number; columns?: unknown[] }[] }>()
      .resultSets;
    assert.deepEqual(
      sets.map((s) => [s.index, s.type]),
      [
        [0, 'TABLE'],
        [1, 'TEXT'],
        [2, 'HTML'],
        [3, 'PICTURE'],
      ],
    );
    assert.equal(sets[0]!.rowCount, 2500);
    assert.deepEqual(sets[0]!.columns, [
      { name: 'n', type: 'INTEGER' },
      { name: 'label', type: 'VARCHAR' },
    ]);
  });

  test('a TABLE reads in pages: default limit 1000, then offset/next', async () => {
    const first = (await get(`/api/v1/tasks/${id}/results/0`)).json<{
      columns: unknown[];
      rows: unknown[][];
      offset: number;
      next: number | null;
    }>();
    assert.equal(first.rows.length, 1000);
    assert.deepEqual(first.rows[0], [0, 'row 0']);
    assert.equal(first.offset, 0);
    assert.equal(first.next, 1000);
    assert.equal(first.columns.length, 2);
    const last = (await get(`/api/v1/tasks/${id}/results/0?offset=2400&limit=500`)).json<{
      rows: unknown[][];
      next: number | null;
    }>();
    assert.equal(last.rows.length, 100);
    assert.deepEqual(last.rows[99], [2499, 'row 2499']);
    assert.ok(last.next === null || last.next === 2500, `next after the end: ${last.next}`);
  });

  test('format=csv streams the whole set as text/csv', async () => {
    const res = await get(`/api/v1/tasks/${id}/results/0?format=csv`);
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /^text\/csv/);
    const lines = res.body.trimEnd().split(/\r?\n/);
    assert.equal(lines[0], 'n,label');
    assert.equal(lines.length, 2501);
    assert.equal(lines[2500], '2499,row 2499');
  });

  test('format=ndjson streams one JSON row per line', async () => {
    const res = await get(`/api/v1/tasks/${id}/results/0?format=ndjson`);
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /^application\/x-ndjson/);
    const lines = res.body.trimEnd().split('\n');
    assert.equal(lines.length, 2500);
    const lastRow = JSON.parse(lines[2499]!) as unknown;
    assert.ok(
      JSON.stringify(lastRow).includes('2499') && JSON.stringify(lastRow).includes('row 2499'),
      `last row: ${lines[2499]}`,
    );
  });

  test('TEXT and HTML read as {text, offset, next}', async () => {
    assert.deepEqual((await get(`/api/v1/tasks/${id}/results/1`)).json(), {
      text: 'hello world',
      offset: 0,
      next: null,
    });
    assert.deepEqual((await get(`/api/v1/tasks/${id}/results/2`)).json(), { text: '<b>hi</b>', offset: 0, next: null });
    assert.deepEqual((await get(`/api/v1/tasks/${id}/results/1?offset=6&limit=3`)).json(), {
      text: 'wor',
      offset: 6,
      next: 9,
    });
  });

  test('a large TEXT set reads in pages of at most 1 MiB that never split a character, or raw in one stream', async () => {
    const big = await server.submit('bigtext 400000');
    assert.equal((await server.finished(big.id)).status, 'Succeed');
    const expected = 'ü😀'.repeat(400_000);
    const pages: string[] = [];
    for (let offset: number | null = 0; offset !== null; ) {
      const res = await get(`/api/v1/tasks/${big.id}/results/0?offset=${offset}`);
      assert.equal(res.statusCode, 200);
      const page = res.json<{ text: string; offset: number; next: number | null }>();
      assert.equal(page.offset, offset);
      assert.ok(Buffer.byteLength(page.text) <= 1024 * 1024, 'a page is at most 1 MiB');
      assert.ok(!page.text.includes('\uFFFD'), 'no character is split');
      pages.push(page.text);
      offset = page.next;
    }
    assert.ok(pages.length >= 3, `${pages.length} pages`);
    assert.equal(pages.join(''), expected);
    const inside = (await get(`/api/v1/tasks/${big.id}/results/0?offset=1&limit=7`)).json<{
      text: string;
      offset: number;
    }>();
    assert.deepEqual(inside, { text: '😀ü', offset: 2, next: 8 }, 'an offset inside a character moves to the next one');
    const tooBig = await get(`/api/v1/tasks/${big.id}/results/0?limit=${1024 * 1024 + 1}`);
    assert.equal(tooBig.statusCode, 400);
    const raw = await get(`/api/v1/tasks/${big.id}/results/0?format=raw`);
    assert.equal(raw.statusCode, 200);
    assert.match(String(raw.headers['content-type']), /^text\/plain; charset=utf-8/);
    assert.equal(raw.body, expected);
    const rawTable = await get(`/api/v1/tasks/${id}/results/0?format=raw`);
    assert.equal(rawTable.statusCode, 400);
  });

  test('a PICTURE reads as its bytes with its content-type', async () => {
    const res = await get(`/api/v1/tasks/${id}/results/3`);
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-type'], 'image/png');
    assert.deepEqual(res.rawPayload, TEST_PNG);
  });

  test('an index past the last set is 404 EC_RESULT_NOT_FOUND', async () => {
    const res = await get(`/api/v1/tasks/${id}/results/9`);
    assert.equal(res.statusCode, 404);
    assert.equal(res.json<{ error: { code: string } }>().error.code, 'EC_RESULT_NOT_FOUND');
  });

  for (const [url, field] of [
    ['results/0?format=xml', 'format'],
    ['results/0?limit=0', 'limit'],
    ['results/0?limit=10001', 'limit'],
    ['results/1?limit=1048577', 'limit'],
    ['results/0?offset=-5', 'offset'],
    ['results/x', 'index'],
  ] as const) {
    test(`${url} is 400 EC_BAD_REQUEST naming '${field}'`, async () => {
      const res = await get(`/api/v1/tasks/${id}/${url}`);
      assert.equal(res.statusCode, 400);
      const { error } = res.json<{ error: { code: string; message: string } }>();
      assert.equal(error.code, 'EC_BAD_REQUEST');
      assert.match(error.message, new RegExp(`'${field}'`));
    });
  }

  test('format=csv on a TEXT set is 400 EC_BAD_REQUEST', async () => {
    const res = await get(`/api/v1/tasks/${id}/results/1?format=csv`);
    assert.equal(res.statusCode, 400);
    assert.match(res.json<{ error: { message: string } }>().error.message, /TABLE/);
  });

  test('a page of a result file cut short outside the EngineConn is 500 EC_RESULT_CORRUPT naming the file', async () => {
    // Past a set's memory (64 KiB): the set is in its file.
    const big = await server.submit('rows 20000');
    assert.equal((await server.finished(big.id)).status, 'Succeed');
    const file = join(server.runtime.getTask(big.id, { user: 'owner', admin: false }).results.dir, 'result-0.jsonl');
    await truncate(file, 1000);
    const res = await get(`/api/v1/tasks/${big.id}/results/0?offset=15000&limit=10`);
    assert.equal(res.statusCode, 500);
    const { error } = res.json<{ error: { code: string; message: string } }>();
    assert.equal(error.code, 'EC_RESULT_CORRUPT');
    assert.ok(error.message.includes(file), error.message);
  });

  test('a page of a row damaged in the middle of its file is 500 EC_RESULT_CORRUPT, not 200 with invalid JSON', async () => {
    const big = await server.submit('rows 20000');
    assert.equal((await server.finished(big.id)).status, 'Succeed');
    const file = join(server.runtime.getTask(big.id, { user: 'owner', admin: false }).results.dir, 'result-0.jsonl');
    // One byte of row 12345 made a newline, as a write from outside might: the file keeps its length.
    const bytes = await readFile(file);
    bytes[bytes.indexOf('"row 12345"') + '"row'.length] = 0x0a;
    await writeFile(file, bytes);
    const res = await get(`/api/v1/tasks/${big.id}/results/0?offset=12000&limit=1000`);
    assert.equal(res.statusCode, 500, res.body.slice(0, 200));
    const { error } = res.json<{ error: { code: string; message: string } }>();
    assert.equal(error.code, 'EC_RESULT_CORRUPT');
    assert.ok(error.message.includes(file), error.message);
    // Pages whose rows are intact are still served.
    const intact = await get(`/api/v1/tasks/${big.id}/results/0?offset=0&limit=1000`);
    assert.equal(intact.statusCode, 200);
    assert.equal(intact.json<{ rows: unknown[][] }>().rows.length, 1000);
  });
});
