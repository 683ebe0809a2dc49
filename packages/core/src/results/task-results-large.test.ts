import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { TaskResults } from './task-results.js';

const root = mkdtempSync(join(tmpdir(), 'task-results-large-'));
after(() => rmSync(root, { recursive: true, force: true }));

const ROWS = 1_000_000;
const BATCH = 2048;
const PAD = 'payload-abcdefghijklmnopqrstuvwxyz-0123456789-ABCDEFGHIJKLMNOPQRSTUVWXYZ';
// A collection before each sample measures what is live, not garbage a collector has yet to reach:
// the bound holds however the machine schedules its background GC threads.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const row = (i: number): unknown[] => [i, `name-${i}`, i * 0.25, i % 2 === 0, PAD];

test('a 1,000,000-row TABLE is written in batches, paged deep and streamed in bounded memory', async (t) => {
  const results = new TaskResults({ dir: root });
  t.after(() => results.closeAll());
  gc();
  const baseline = process.memoryUsage().heapUsed;
  let peak = baseline;
  const sample = () => {
    gc();
    peak = Math.max(peak, process.memoryUsage().heapUsed);
  };

  const writeStarted = performance.now();
  const writer = await results.create({
    type: 'TABLE',
    columns: [
      { name: 'id', type: 'BIGINT' },
      { name: 'name', type: 'VARCHAR' },
      { name: 'score', type: 'DOUBLE' },
      { name: 'even', type: 'BOOLEAN' },
      { name: 'pad', type: 'VARCHAR' },
    ],
  });
  for (let i = 0; i < ROWS; i += BATCH) {
    const batch = [];
    for (let j = i; j < Math.min(ROWS, i + BATCH); j++) batch.push(row(j));
    await writer.writeRows(batch);
    if ((i / BATCH) % 16 === 0) sample();
  }
  await writer.close();
  const writeMs = performance.now() - writeStarted;
  const fileBytes = statSync(join(root, 'result-0.jsonl')).size;
  assert.equal(results.get(0)?.rowCount, ROWS);

  const pageStarted = performance.now();
  const page = await results.readRows(0, 999_000, 1000);
  const pageMs = performance.now() - pageStarted;
  assert.equal(page.rows.length, 1000);
  assert.deepEqual(page.rows[0], row(999_000));
  assert.deepEqual(page.rows[999], row(999_999));
  assert.equal(page.next, null);

  const streamStarted = performance.now();
  let lines = 0;
  let bytes = 0;
  let first = '';
  let last = '';
  let chunks = 0;
  for await (const chunk of results.stream(0, 'csv')) {
    if (chunks === 0) first = chunk;
    for (let at = chunk.indexOf('\r\n'); at !== -1; at = chunk.indexOf('\r\n', at + 2)) lines++;
    bytes += chunk.length;
    last = chunk;
    if (++chunks % 32 === 0) sample();
  }
  const streamMs = performance.now() - streamStarted;
  sample();
  assert.equal(lines, ROWS + 1, 'header plus one line per row');
  assert.equal(first, 'id,name,score,even,pad\r\n');
  assert.ok(last.endsWith(`999999,name-999999,249999.75,false,${PAD}\r\n`));

  const growthMb = (peak - baseline) / 1e6;
  t.diagnostic(
    `1M rows (${(fileBytes / 1e6).toFixed(0)} MB on disk): write ${writeMs.toFixed(0)} ms, ` +
      `page at 999,000 ${pageMs.toFixed(1)} ms, csv stream ${streamMs.toFixed(0)} ms ` +
      `(${(bytes / 1e6).toFixed(0)} MB of text), peak live heap growth ${growthMb.toFixed(1)} MB`,
  );
  assert.ok(fileBytes > 100e6, 'the data is larger than the memory bound it is checked against');
  assert.ok(growthMb < 16, `live heap grew by ${growthMb.toFixed(1)} MB`);
});
