import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { readFile, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { readText } from '../testing/read-text.js';
import { NO_RESULT_MEMORY } from './result-memory.js';
import { TaskResults } from './task-results.js';

const root = mkdtempSync(join(tmpdir(), 'task-results-corrupt-'));
after(() => rmSync(root, { recursive: true, force: true }));
let dirNo = 0;

const columns = [
  { name: 'n', type: 'INTEGER' },
  { name: 'label', type: 'VARCHAR' },
];

/** A complete TABLE set of 3000 rows in its file. */
async function storedTable(): Promise<{ results: TaskResults; file: string }> {
  const results = new TaskResults({ dir: join(root, `task-${dirNo++}`), memory: NO_RESULT_MEMORY });
  const writer = await results.create({ type: 'TABLE', columns });
  await writer.writeRows(Array.from({ length: 3000 }, (_, i) => [i, `row ${i}`]));
  await writer.close();
  return { results, file: join(results.dir, 'result-0.jsonl') };
}

/** The error a damaged file gives: its own code and class, naming the file and what to do. */
const corrupt = (file: string) => (err: unknown) => {
  assert.ok(err instanceof Error);
  assert.equal((err as { code?: string }).code, 'EC_RESULT_CORRUPT', err.message);
  assert.equal((err as { status?: number }).status, 500);
  assert.equal(err.name, 'ResultCorruptError');
  assert.ok(err.message.includes(file), `names the file: ${err.message}`);
  assert.match(err.message, /run the task again/);
  return true;
};

describe('a result file damaged after it was written', () => {
  test('a row that is no longer valid JSON is EC_RESULT_CORRUPT to pages and every stream', async () => {
    const { results, file } = await storedTable();
    // The closing quote of one string, overwritten: same length, so every row offset still holds.
    const bytes = await readFile(file);
    const at = bytes.indexOf('"row 1500"') + '"row 1500'.length;
    bytes[at] = 'x'.charCodeAt(0);
    await writeFile(file, bytes);
    assert.deepEqual((await results.readRows(0, 0, 2)).rows, [
      [0, 'row 0'],
      [1, 'row 1'],
    ]);
    await assert.rejects(results.readRows(0, 1000, 1000), corrupt(file));
    await assert.rejects(readText(results.stream(0, 'csv')), corrupt(file));
    await assert.rejects(readText(results.stream(0, 'ndjson')), corrupt(file));
    const drain = async (stream: AsyncIterable<Buffer>) => {
      for await (const _ of stream);
    };
    await assert.rejects(drain(results.streamTableBytes(0, 'csv')), corrupt(file));
    await assert.rejects(drain(results.streamTableBytes(0, 'ndjson')), corrupt(file));
    results.release();
  });

  /** The page's JSON served whole, parsed: what a caller would get. */
  const page = async (results: TaskResults, offset: number, limit: number) =>
    JSON.parse((await results.readRowsPageJson(0, offset, limit)).toString('utf8')) as { rows: unknown[][] };

  for (const [damage, change] of [
    [
      'a byte made a newline',
      (bytes: Buffer, at: number) => {
        bytes[at + 4] = 0x0a;
      },
    ],
    [
      'a newline made a space',
      (bytes: Buffer, at: number) => {
        bytes[bytes.indexOf(0x0a, at)] = 0x20;
      },
    ],
    ['a region zeroed', (bytes: Buffer, at: number) => bytes.fill(0, at - 20, at + 300)],
    ['bytes lost', (bytes: Buffer, at: number) => bytes.copyWithin(at, at + 7)],
  ] as const) {
    test(`a row damaged in the middle (${damage}) is EC_RESULT_CORRUPT to the pages served as stored bytes`, async () => {
      const { results, file } = await storedTable();
      const bytes = await readFile(file);
      change(bytes, bytes.indexOf('"row 1500"'));
      await writeFile(file, bytes);
      assert.deepEqual((await page(results, 0, 1000)).rows.length, 1000, 'the rows before it are intact');
      await assert.rejects(results.readRowsPageJson(0, 1000, 1000), corrupt(file));
      await assert.rejects(results.readRowsPageJson(0, 1400, 200), corrupt(file));
      await assert.rejects(results.readRowsJson(0, 1501, 10), corrupt(file), 'a page after it in its index block');
      results.release();
    });
  }

  test('a file cut short is EC_RESULT_CORRUPT to a page past its end and to a stream', async () => {
    const { results, file } = await storedTable();
    await truncate(file, Math.floor((await readFile(file)).length / 2));
    await assert.rejects(results.readRowsPageJson(0, 2500, 100), corrupt(file));
    await assert.rejects(results.readRows(0, 2500, 100), corrupt(file));
    await assert.rejects(readText(results.stream(0, 'csv')), corrupt(file));
    results.release();
  });
});
