import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { encodeRow } from '../values/encode-value.js';
import { ROW_INDEX_EVERY } from './result-set-file-writer.js';
import { TaskResults } from './task-results.js';

const root = mkdtempSync(join(tmpdir(), 'task-results-row-lines-'));
after(() => rmSync(root, { recursive: true, force: true }));

const COLUMNS = [
  { name: 'n', type: 'BIGINT' },
  { name: 's', type: 'VARCHAR' },
];
const row = (n: number): unknown[] => [n, `v${n}\n"${n}"`];
const lines = (from: number, count: number) =>
  Buffer.from(Array.from({ length: count }, (_, i) => `${encodeRow(row(from + i))}\n`).join(''));

describe('TABLE rows handed over as their stored lines (writeRowLines)', () => {
  test('page and stream as the same rows written with writeRows, across the row index', async (t) => {
    const results = new TaskResults({ dir: join(root, 'pages') });
    t.after(() => results.closeAll());
    const writer = await results.create({ type: 'TABLE', columns: COLUMNS });
    const total = ROW_INDEX_EVERY * 3 + 17;
    // Uneven batches, so index entries fall inside batches and on their first lines.
    for (let at = 0, size = 1; at < total; at += size, size = (size * 7 + 3) % 1500) {
      const count = Math.min(size, total - at);
      await writer.writeRowLines(lines(at, count), count);
    }
    await writer.close();
    assert.equal(results.get(0)?.rowCount, total);
    for (const offset of [0, ROW_INDEX_EVERY - 1, ROW_INDEX_EVERY, 2 * ROW_INDEX_EVERY + 5, total - 3]) {
      const page = await results.readRows(0, offset, 7);
      assert.deepEqual(
        page.rows,
        Array.from({ length: Math.min(7, total - offset) }, (_, i) => row(offset + i)),
        `page at ${offset}`,
      );
    }
    let csv = '';
    for await (const chunk of results.stream(0, 'csv')) csv += chunk;
    assert.equal(csv.split('\r\n').length - 2, total, 'header plus a line per row');
  });

  test('lines that are not the rows they claim to be are refused with EC_INTERNAL, nothing stored', async (t) => {
    const results = new TaskResults({ dir: join(root, 'refused') });
    t.after(() => results.closeAll());
    const writer = await results.create({ type: 'TABLE', columns: COLUMNS });
    await assert.rejects(writer.writeRowLines(lines(0, 3), 2), { code: 'EC_INTERNAL' });
    await assert.rejects(writer.writeRowLines(lines(0, 3), 4), { code: 'EC_INTERNAL' });
    await assert.rejects(writer.writeRowLines(Buffer.from('[1,"a"]'), 1), { code: 'EC_INTERNAL' });
    await assert.rejects(writer.writeRowLines(lines(0, 1), -1), { code: 'EC_INTERNAL' });
    await writer.writeRowLines(lines(0, 2), 2);
    assert.equal(results.get(0)?.rowCount, 2);
    const text = await results.create({ type: 'TEXT' });
    await assert.rejects(text.writeRowLines(lines(0, 1), 1), { code: 'EC_INTERNAL' });
  });
});
