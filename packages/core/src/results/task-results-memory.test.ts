import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { readText } from '../testing/read-text.js';
import { ResultMemory } from './result-memory.js';
import { TaskResults } from './task-results.js';

const root = mkdtempSync(join(tmpdir(), 'task-results-memory-test-'));
after(() => rmSync(root, { recursive: true, force: true }));
let dirNo = 0;

function newResults(memory: ResultMemory): TaskResults {
  return new TaskResults({ dir: join(root, `task-${dirNo++}`), memory });
}

const columns = [
  { name: 'id', type: 'INTEGER' },
  { name: 'name', type: 'VARCHAR' },
];

describe('TaskResults in memory', () => {
  test('a small TABLE set creates no file and reads back as pages, CSV and NDJSON', async () => {
    const memory = new ResultMemory(1024 * 1024, 64 * 1024);
    const results = newResults(memory);
    const writer = await results.create({ type: 'TABLE', columns });
    await writer.writeRows([
      [1, 'a'],
      [2, 'b,c'],
    ]);
    await writer.close();
    assert.equal(existsSync(results.dir), false, 'no directory, no file');
    assert.deepEqual(await results.readRows(0, 0, 10), {
      columns,
      rows: [
        [1, 'a'],
        [2, 'b,c'],
      ],
      offset: 0,
      next: null,
    });
    assert.deepEqual((await results.readRows(0, 1, 10)).rows, [[2, 'b,c']]);
    assert.equal(await readText(results.stream(0, 'csv')), 'id,name\r\n1,a\r\n2,"b,c"\r\n');
    assert.equal(await readText(results.stream(0, 'ndjson')), '{"id":1,"name":"a"}\n{"id":2,"name":"b,c"}\n');
    assert.ok(memory.used > 0);
    results.release();
    assert.equal(memory.used, 0, 'release gives the memory back');
  });

  test('a write to a set in memory is stored, and a close completes it, before their promises are awaited', async () => {
    const results = newResults(new ResultMemory(1024 * 1024, 64 * 1024));
    const closed: number[] = [];
    const tracked = new TaskResults({
      dir: results.dir,
      memory: new ResultMemory(1024 * 1024, 64 * 1024),
      onUpdated: (meta) => closed.push(meta.rowCount),
    });
    const writer = await tracked.create({ type: 'TABLE', columns });
    const written = writer.writeRowLines(Buffer.from('[1,"a"]\n[2,"b"]\n'), 2);
    assert.equal(tracked.get(0)?.rowCount, 2, 'stored at once: no promise chain for an in-memory write');
    const closing = writer.close();
    assert.deepEqual(closed, [2], 'complete at once: the close waited for nothing');
    assert.equal(tracked.get(0)?.complete, true);
    await Promise.all([written, closing]);
    assert.deepEqual((await tracked.readRows(0, 0, 10)).rows, [
      [1, 'a'],
      [2, 'b'],
    ]);
  });

  test('TEXT and PICTURE sets keep their bytes in memory', async () => {
    const results = newResults(new ResultMemory(1024 * 1024, 64 * 1024));
    const textSet = await results.create({ type: 'TEXT' });
    await textSet.write('héllo ');
    await textSet.write('wörld');
    const picture = await results.create({ type: 'PICTURE' });
    const bytes = new Uint8Array([0x89, 0x50, 0, 255]);
    await picture.write(bytes);
    bytes.fill(0);
    await results.closeAll();
    assert.equal((await results.readContent(0)).toString('utf8'), 'héllo wörld');
    assert.equal(await readText(results.stream(0, 'csv')), 'héllo wörld');
    assert.deepEqual([...(await results.readContent(1))], [0x89, 0x50, 0, 255]);
    assert.equal(existsSync(results.dir), false);
  });

  test('a set that outgrows its memory moves to its file, whole and in order, and gives the memory back', async () => {
    const memory = new ResultMemory(1024 * 1024, 1000);
    const results = newResults(memory);
    const writer = await results.create({ type: 'TABLE', columns });
    const rows = Array.from({ length: 300 }, (_, i) => [i, `row ${i}`]);
    for (let i = 0; i < 10; i++) await writer.writeRows(rows.slice(i, i + 1));
    assert.equal(existsSync(join(results.dir, 'result-0.jsonl')), false, 'still in memory');
    assert.ok(memory.used > 0);
    for (let i = 10; i < 300; i += 10) await writer.writeRows(rows.slice(i, i + 10));
    await writer.close();
    const file = readFileSync(join(results.dir, 'result-0.jsonl'), 'utf8');
    assert.equal(file, `${rows.map((r) => JSON.stringify(r)).join('\n')}\n`);
    assert.equal(memory.used, 0, 'the spilled set holds no budget');
    assert.deepEqual((await results.readRows(0, 0, 1000)).rows, rows);
    assert.deepEqual((await results.readRows(0, 295, 10)).rows, rows.slice(295));
  });

  test('a stream opened while the set is in memory follows it into its file', async () => {
    const results = newResults(new ResultMemory(1024 * 1024, 200));
    const writer = await results.create({ type: 'TABLE', columns });
    await writer.writeRows([[0, 'first']]);
    const iterator = results.stream(0, 'csv')[Symbol.asyncIterator]();
    assert.equal((await iterator.next()).value, 'id,name\r\n');
    assert.equal((await iterator.next()).value, '0,first\r\n');
    const pending = iterator.next();
    const more = Array.from({ length: 50 }, (_, i) => [i + 1, `row ${i + 1}`]);
    await writer.writeRows(more);
    assert.ok(existsSync(join(results.dir, 'result-0.jsonl')), 'spilled');
    let rest = (await pending).value as string;
    const end = (async () => {
      for (let step = await iterator.next(); !step.done; step = await iterator.next()) rest += step.value;
    })();
    await writer.close();
    await end;
    assert.equal(rest, more.map((r) => `${r[0]},${r[1]}\r\n`).join(''));
  });

  test('past the shared budget new sets go to files; released memory is reused', async () => {
    const memory = new ResultMemory(600, 600);
    const first = newResults(memory);
    const a = await first.create({ type: 'TEXT' });
    await a.write('x'.repeat(500));
    await a.close();
    const second = newResults(memory);
    const b = await second.create({ type: 'TEXT' });
    await b.write('y'.repeat(200));
    await b.close();
    assert.ok(existsSync(join(second.dir, 'result-0.bin')), 'no room left: written to its file');
    assert.equal((await second.readContent(0)).toString(), 'y'.repeat(200));
    first.release();
    const third = newResults(memory);
    const c = await third.create({ type: 'TEXT' });
    await c.write('z'.repeat(200));
    await c.close();
    assert.equal(existsSync(third.dir), false, 'the released budget holds it');
    assert.equal((await first.readContent(0)).toString(), 'x'.repeat(500), 'a released set still reads');
  });

  test('a file that cannot be created when the set spills fails the write with EC_INTERNAL', async () => {
    const blocker = join(root, `blocker-${dirNo++}`);
    writeFileSync(blocker, 'a file where the task directory should be');
    const results = new TaskResults({ dir: join(blocker, 'task'), memory: new ResultMemory(1024, 10) });
    const writer = await results.create({ type: 'TEXT' });
    await assert.rejects(writer.write('more than ten bytes'), { code: 'EC_INTERNAL' });
    await writer.close();
    assert.equal(results.get(0)?.complete, true);
    assert.equal(results.get(0)?.byteCount, 0);
  });
});
