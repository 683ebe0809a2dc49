import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { NO_RESULT_MEMORY, ResultMemory } from './result-memory.js';
import { TaskResults, type TextPage } from './task-results.js';

const root = mkdtempSync(join(tmpdir(), 'task-results-text-'));
after(() => rmSync(root, { recursive: true, force: true }));
let dirNo = 0;

async function readAll(results: TaskResults, limit: number): Promise<TextPage[]> {
  const pages: TextPage[] = [];
  for (let offset: number | null = 0; offset !== null; ) {
    const page = await results.readText(0, offset, limit);
    pages.push(page);
    if (page.next === offset) throw new Error(`no progress at ${offset}`);
    offset = page.next;
  }
  return pages;
}

for (const [where, memory] of [
  ['in its file', NO_RESULT_MEMORY],
  ['in memory', new ResultMemory(64 * 1024 * 1024, 16 * 1024 * 1024)],
] as const) {
  describe(`TEXT pages of a set ${where}`, () => {
    test('every page limit yields whole characters that join to the content', async () => {
      const results = new TaskResults({ dir: join(root, `t-${dirNo++}`), memory });
      const writer = await results.create({ type: 'TEXT' });
      const content = 'aü€😀'.repeat(50);
      await writer.write(content);
      await writer.close();
      for (const limit of [1, 2, 3, 4, 5, 7, 64, 1024 * 1024]) {
        const pages = await readAll(results, limit);
        assert.equal(pages.map((p) => p.text).join(''), content, `limit ${limit}`);
        for (const page of pages) {
          assert.ok(!page.text.includes('\uFFFD'), `limit ${limit}: a split character at ${page.offset}`);
          // A page is at most `limit` bytes, except one character longer than the whole page.
          assert.ok(Buffer.byteLength(page.text) <= Math.max(limit, 4), `limit ${limit}`);
        }
      }
      await results.closeAll();
    });

    test('a page of a set still being written stops before a character not yet whole', async () => {
      const results = new TaskResults({ dir: join(root, `t-${dirNo++}`), memory });
      const writer = await results.create({ type: 'TEXT' });
      const smile = Buffer.from('😀');
      await writer.write(Buffer.concat([Buffer.from('ab'), smile.subarray(0, 2)]));
      assert.deepEqual(await results.readText(0, 0), { text: 'ab', offset: 0, next: 2 });
      await writer.write(smile.subarray(2));
      assert.deepEqual(await results.readText(0, 2), { text: '😀', offset: 2, next: 6 });
      await writer.close();
      assert.deepEqual(await results.readText(0, 6), { text: '', offset: 6, next: null });
    });
  });
}

describe('TEXT page arguments', () => {
  test('refuses a TABLE, a bad offset and a limit past 1 MiB with EC_BAD_REQUEST', async () => {
    const results = new TaskResults({ dir: join(root, `t-${dirNo++}`), memory: NO_RESULT_MEMORY });
    await results.create({ type: 'TABLE', columns: [{ name: 'n', type: 'INTEGER' }] });
    await results.create({ type: 'TEXT' });
    await assert.rejects(results.readText(0, 0), { code: 'EC_BAD_REQUEST' });
    await assert.rejects(results.readText(1, -1), { code: 'EC_BAD_REQUEST' });
    await assert.rejects(results.readText(1, 0, 1024 * 1024 + 1), { code: 'EC_BAD_REQUEST' });
    await assert.rejects(results.readText(5, 0), { code: 'EC_RESULT_NOT_FOUND' });
    await results.closeAll();
  });
});
