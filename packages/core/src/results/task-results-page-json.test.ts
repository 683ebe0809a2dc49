import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { openDescriptors } from '../testing/open-descriptors.js';
import { waitFor } from '../testing/wait-for.js';
import { NO_RESULT_MEMORY, ResultMemory } from './result-memory.js';
import { TaskResults } from './task-results.js';

const root = mkdtempSync(join(tmpdir(), 'task-results-page-json-'));
after(() => rmSync(root, { recursive: true, force: true }));
let dirNo = 0;

const columns = [
  { name: 'n', type: 'INTEGER' },
  { name: 'label', type: 'VARCHAR' },
];
const row = (i: number) => [i, `row ${i} "é"`];

async function tableOf(rows: number, memory: ResultMemory, keptHandleIdleMs?: number): Promise<TaskResults> {
  const results = new TaskResults({
    dir: join(root, `task-${dirNo++}`),
    memory,
    ...(keptHandleIdleMs === undefined ? {} : { keptHandleIdleMs }),
  });
  const writer = await results.create({ type: 'TABLE', columns });
  for (let i = 0; i < rows; i += 700) {
    await writer.writeRows(Array.from({ length: Math.min(700, rows - i) }, (_, k) => row(i + k)));
  }
  await writer.close();
  return results;
}

describe('TABLE pages as whole JSON answers', () => {
  for (const [where, memory] of [
    ['in memory', new ResultMemory(1024 * 1024, 1024 * 1024)],
    ['in its file', NO_RESULT_MEMORY],
  ] as const) {
    test(`the answer is the RowsPage readRows gives, ${where}, to the end and past it`, async () => {
      const results = await tableOf(2500, memory);
      const pages: [number, number][] = [
        [0, 1000],
        [999, 2],
        [1500, 1000],
        [2000, 1000],
        [2500, 10],
        [9000, 10],
      ];
      for (const [offset, limit] of pages) {
        const json = await results.readRowsPageJson(0, offset, limit);
        assert.deepEqual(JSON.parse(json.toString('utf8')), await results.readRows(0, offset, limit));
      }
      assert.equal(
        (await results.readRowsPageJson(0, 2499, 5)).toString('utf8'),
        `{"columns":${JSON.stringify(columns)},"rows":[[2499,"row 2499 \\"é\\""]],"offset":2499,"next":null}`,
      );
      results.release();
    });
  }

  test('a walk over a set in its file keeps one read handle, which release() closes', async () => {
    // An idle time no loaded machine reaches between two pages: the handle must stay for the walk.
    const results = await tableOf(5000, NO_RESULT_MEMORY, 600_000);
    const file = join(results.dir, 'result-0.jsonl');
    assert.equal(openDescriptors(file), 0, 'the writer closed its handle');
    for (let offset = 0; offset < 5000; offset += 1000) {
      const page = JSON.parse((await results.readRowsPageJson(0, offset, 1000)).toString('utf8'));
      assert.deepEqual(page.rows[0], row(offset));
    }
    assert.equal(openDescriptors(file), 1, 'one handle for every page, kept between them');
    results.release();
    await waitFor(() => openDescriptors(file), { until: (n) => n === 0, what: 'the kept handle closed' });
    const late = JSON.parse((await results.readRowsPageJson(0, 4000, 2)).toString('utf8'));
    assert.deepEqual(late.rows, [row(4000), row(4001)]);
    assert.equal(openDescriptors(file), 0, 'a read after release keeps no handle');
  });

  test('the kept handle closes once no page was read for a while, and the next page opens it again', async () => {
    const results = await tableOf(3000, NO_RESULT_MEMORY, 50);
    const file = join(results.dir, 'result-0.jsonl');
    const first = JSON.parse((await results.readRowsPageJson(0, 0, 1000)).toString('utf8'));
    assert.deepEqual(first.rows[0], row(0));
    await waitFor(() => openDescriptors(file), { until: (n) => n === 0, what: 'the idle handle closed' });
    const again = JSON.parse((await results.readRowsPageJson(0, 2000, 1000)).toString('utf8'));
    assert.deepEqual(again.rows.at(-1), row(2999));
    assert.equal(openDescriptors(file), 1, 'kept again for the next page');
    results.release();
    await waitFor(() => openDescriptors(file), { until: (n) => n === 0, what: 'released' });
  });
});

describe('TABLE pages read in the same turn (readRowsJsonNow)', () => {
  test('a set in memory gives the page readRowsJson gives, byte for byte, with the byte bound too', async () => {
    const results = await tableOf(2500, new ResultMemory(1024 * 1024, 1024 * 1024));
    const pages: [number, number, number | undefined][] = [
      [0, 1000, undefined],
      [999, 2, undefined],
      [1500, 1000, 300],
      [2400, 1000, 40],
      [2400, 1000, 1],
      [2500, 10, undefined],
      [9000, 10, undefined],
    ];
    for (const [offset, limit, maxBytes] of pages) {
      const now = results.readRowsJsonNow(0, offset, limit, maxBytes);
      const later = await results.readRowsJson(0, offset, limit, maxBytes);
      assert.ok(now, `page at ${offset} read in the same turn`);
      assert.equal(now.rows.toString('utf8'), later.rows.toString('utf8'));
      assert.deepEqual({ ...now, rows: null }, { ...later, rows: null });
    }
    results.release();
  });

  test('a set in its file gives null, so the caller reads it as before', async () => {
    const results = await tableOf(10, NO_RESULT_MEMORY);
    assert.equal(results.readRowsJsonNow(0, 0, 10), null);
    assert.equal((await results.readRowsJson(0, 0, 10)).next, null);
    results.release();
  });

  test('the stored rows are not changed by a page read from memory', async () => {
    const results = await tableOf(3, new ResultMemory(1024 * 1024, 1024 * 1024));
    const first = results.readRowsJsonNow(0, 0, 3)?.rows.toString('utf8');
    assert.equal(results.readRowsJsonNow(0, 0, 3)?.rows.toString('utf8'), first);
    assert.deepEqual((await results.readRows(0, 1, 2)).rows, [row(1), row(2)]);
    results.release();
  });
});
