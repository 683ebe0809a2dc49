import assert from 'node:assert/strict';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, test } from 'node:test';
import { TaskLog, type TaskLogOptions } from './task-log.js';

const root = mkdtempSync(join(tmpdir(), 'task-log-test-'));
after(() => rmSync(root, { recursive: true, force: true }));
let fileNo = 0;
const logs: TaskLog[] = [];
after(async () => {
  for (const log of logs) await log.close();
});

function newLog(opts: Partial<TaskLogOptions> = {}): TaskLog {
  const log = new TaskLog({ file: join(root, `t${fileNo++}`, 'log.txt'), ...opts });
  logs.push(log);
  return log;
}

async function all(log: TaskLog): Promise<string[]> {
  return (await log.read(0, log.lineCount)).lines;
}

/** Records onBatch calls; `next()` resolves at the next batch. */
function batches() {
  const seen: { from: number; lines: string[] }[] = [];
  let wake: (() => void) | null = null;
  return {
    seen,
    onBatch: (from: number, lines: string[]) => {
      seen.push({ from, lines });
      wake?.();
    },
    next: () =>
      new Promise<void>((resolve) => {
        wake = resolve;
      }),
  };
}

describe('TaskLog', () => {
  test('splits text into lines on \\n and \\r\\n; one trailing newline adds no empty line', async () => {
    const log = newLog();
    log.append('a\n\nb');
    log.append('c\n');
    log.append('d\r\ne\r\n');
    log.append('');
    log.append('\n');
    log.append('f\rg');
    assert.deepEqual(await all(log), ['a', '', 'b', 'c', 'd', 'e', '', '', 'f\rg']);
    assert.equal(log.lineCount, 9);
  });

  test('lines keep their order and sequence numbers across the memory window and the file', async () => {
    const log = newLog({ memoryLines: 10 });
    for (let i = 0; i < 100; i++) log.append(`line ${i}`);
    assert.equal(log.lineCount, 100);
    const page = await log.read(0, 5);
    assert.deepEqual(page, {
      lines: ['line 0', 'line 1', 'line 2', 'line 3', 'line 4'],
      from: 0,
      next: 5,
      complete: false,
    });
    const across = await log.read(85, 10);
    assert.deepEqual(
      across.lines,
      Array.from({ length: 10 }, (_, i) => `line ${85 + i}`),
    );
    const tail = await log.read(95, 10);
    assert.equal(tail.lines.length, 5);
    assert.equal(tail.next, 100);
    assert.deepEqual(await log.read(100, 10), { lines: [], from: 100, next: 100, complete: false });
    assert.deepEqual(await log.read(500, 10), { lines: [], from: 500, next: 500, complete: false });
  });

  test('a finished log whose memory window had moved still reads every line, window and file', async () => {
    const log = newLog({ memoryLines: 10 });
    for (let i = 0; i < 100; i++) log.append(`line ${i}`);
    await log.finish();
    const expected = (from: number, n: number) => Array.from({ length: n }, (_, i) => `line ${from + i}`);
    assert.deepEqual((await log.read(0, 5)).lines, expected(0, 5));
    assert.deepEqual((await log.read(85, 10)).lines, expected(85, 10));
    assert.deepEqual(await log.read(95, 10), { lines: expected(95, 5), from: 95, next: 100, complete: true });
    assert.equal(log.lineCount, 100);
  });

  test('every line reaches the file, in order, and the directory is created', async () => {
    const log = newLog({ memoryLines: 3 });
    assert.equal(existsSync(log.file), false);
    for (let i = 0; i < 20; i++) log.append(`x${i}`);
    await log.finish();
    const expected = `${Array.from({ length: 20 }, (_, i) => `x${i}`).join('\n')}\n`;
    assert.equal(readFileSync(log.file, 'utf8'), expected);
  });

  test('a log that fits in its memory window creates no file, and still reads back whole', async () => {
    const log = newLog({ memoryLines: 100 });
    for (let i = 0; i < 50; i++) log.append(`m${i}`);
    await log.finish();
    assert.equal(existsSync(log.file), false);
    assert.equal(existsSync(dirname(log.file)), false);
    assert.deepEqual(
      (await log.read(0, 100)).lines,
      Array.from({ length: 50 }, (_, i) => `m${i}`),
    );
  });

  test('a finished log larger than 64 KiB is moved to its file and still reads back whole', async () => {
    const log = newLog({ memoryLines: 1000 });
    const lines = Array.from({ length: 100 }, (_, i) => `${i}:${'x'.repeat(1000)}`);
    for (const line of lines) log.append(line);
    assert.equal(existsSync(log.file), false, 'it fits the memory window while the task runs');
    await log.finish();
    assert.equal(readFileSync(log.file, 'utf8').split('\n').length, 101, 'every line is in the file');
    assert.deepEqual((await log.read(0, 200)).lines, lines);
    assert.deepEqual((await log.read(57, 2)).lines, lines.slice(57, 59));
  });

  test('reads from the file handle multi-byte text at any offset', async () => {
    const log = newLog({ memoryLines: 1 });
    const lines = Array.from({ length: 5000 }, (_, i) => `${'é'.repeat(i % 7)}ü${i}😀`);
    for (const line of lines) log.append(line);
    for (const from of [0, 1, 1023, 1024, 1025, 2047, 3000, 4998]) {
      const page = await log.read(from, 3);
      assert.deepEqual(page.lines, lines.slice(from, from + 3), `from ${from}`);
    }
  });

  test('a 200k-line log reads back at arbitrary offsets during and after the task', async (t) => {
    const log = newLog();
    const total = 200_000;
    const started = performance.now();
    for (let i = 0; i < total; i += 1000) {
      const chunk = Array.from({ length: 1000 }, (_, j) => `[stage ${(i + j) % 13}] processed row ${i + j}`);
      log.append(chunk.join('\n'));
      if (i % 50_000 === 0) await new Promise<void>((resolve) => setImmediate(resolve));
    }
    const appendMs = performance.now() - started;
    assert.equal(log.lineCount, total);
    const line = (n: number) => `[stage ${n % 13}] processed row ${n}`;
    const readStarted = performance.now();
    for (const from of [0, 1, 1023, 1024, 99_999, 150_000, 194_999, 195_000, 199_990]) {
      const page = await log.read(from, 20);
      assert.deepEqual(
        page.lines,
        Array.from({ length: Math.min(20, total - from) }, (_, i) => line(from + i)),
        `from ${from}`,
      );
    }
    const readMs = performance.now() - readStarted;
    await log.finish();
    const late = await log.read(180_000, 1000);
    assert.equal(late.lines.length, 1000);
    assert.equal(late.lines[999], line(180_999));
    const end = await log.read(199_000, 5000);
    assert.equal(end.next, total);
    assert.equal(end.complete, true);
    await log.close();
    assert.equal((await log.read(123_456, 1)).lines[0], line(123_456), 'reads work after close');
    t.diagnostic(`200k lines appended in ${appendMs.toFixed(0)} ms; 9 deep reads in ${readMs.toFixed(1)} ms`);
  });

  test('a read deep into a long log seeks instead of scanning from the start', async () => {
    const log = newLog({ memoryLines: 100 });
    const line = (n: number) => `line ${n} ${'x'.repeat(40)}`;
    for (let i = 0; i < 1_000_000; i += 10_000) {
      log.append(Array.from({ length: 10_000 }, (_, j) => line(i + j)).join('\n'));
    }
    await log.finish();
    // Blind the file's first 800,000 lines (same bytes, no line breaks): a read that scanned from the
    // start would count lines wrong past them; one that seeks from the index does not see them.
    let blinded = 0;
    for (let n = 0; n < 800_000; n++) blinded += Buffer.byteLength(`${line(n)}\n`);
    const fd = openSync(log.file, 'r+');
    try {
      writeSync(fd, Buffer.alloc(blinded, '#'), 0, blinded, 0);
    } finally {
      closeSync(fd);
    }
    assert.notEqual((await log.read(1000, 1)).lines[0], line(1000), 'the read comes from the blinded file');
    for (const from of [850_000, 900_000, 900_001, 999_000]) {
      assert.deepEqual(
        (await log.read(from, 10)).lines,
        Array.from({ length: 10 }, (_, i) => line(from + i)),
        `from ${from}`,
      );
    }
  });

  test('the cap keeps maxLines lines, says so once, counts the rest and notes it at finish', async () => {
    const log = newLog({ maxLines: 5 });
    for (let i = 0; i < 12; i++) log.append(`l${i}`);
    assert.equal(log.cutLines, 7);
    assert.equal(log.lineCount, 6);
    await log.finish();
    assert.deepEqual(await all(log), [
      'l0',
      'l1',
      'l2',
      'l3',
      'l4',
      '[engineconn] log limit of 5 lines reached: further lines are counted but not kept',
      '[engineconn] 7 lines were cut',
    ]);
    assert.equal(log.lineCount, 7);
    const page = await log.read(0, 100);
    assert.equal(page.next, 7);
    assert.equal(page.complete, true);
  });

  test('a character cap stops a gigabyte-style flood with one notice and a count', async () => {
    const log = newLog({ maxChars: 10_000 });
    const chunk = 'y'.repeat(4000);
    for (let i = 0; i < 1000; i++) log.append(chunk);
    await log.finish();
    const lines = await all(log);
    assert.deepEqual(lines.slice(0, 2), [chunk, chunk]);
    assert.equal(
      lines[2],
      '[engineconn] log limit of 10000 characters reached: further lines are counted but not kept',
    );
    assert.equal(lines[3], '[engineconn] 998 lines were cut');
    assert.equal(lines.length, 4);
  });

  test('a log of exactly maxLines lines gets no notice', async () => {
    const log = newLog({ maxLines: 3 });
    log.append('a\nb\nc');
    await log.finish();
    assert.deepEqual(await all(log), ['a', 'b', 'c']);
    assert.equal(log.cutLines, 0);
  });

  test('a line longer than maxLineLength is split without losing or breaking characters', async () => {
    const log = newLog({ maxLineLength: 10 });
    log.append('0123456789abcdefghijKLMNO');
    log.append(`123456789😀tail`);
    assert.deepEqual(await all(log), ['0123456789', 'abcdefghij', 'KLMNO', '123456789', '😀tail']);
  });

  test('appends in one tick become one batch; batches are contiguous and complete', async () => {
    const rec = batches();
    const log = newLog({ onBatch: rec.onBatch, memoryLines: 100 });
    let waiting = rec.next();
    for (let i = 0; i < 100_000; i++) log.append(`a${i}`);
    assert.equal(rec.seen.length, 0, 'no batch before the tick ends');
    await waiting;
    assert.equal(rec.seen.length, 1);
    assert.equal(rec.seen[0]!.from, 0);
    assert.equal(rec.seen[0]!.lines.length, 100_000);
    waiting = rec.next();
    log.append('b0\nb1');
    await waiting;
    assert.deepEqual(rec.seen[1], { from: 100_000, lines: ['b0', 'b1'] });
  });

  test('finish delivers the pending batch and the cut note before it resolves', async () => {
    const rec = batches();
    const log = newLog({ onBatch: rec.onBatch, maxLines: 2 });
    log.append('a\nb\nc\nd');
    await log.finish();
    assert.deepEqual(rec.seen, [
      {
        from: 0,
        lines: [
          'a',
          'b',
          '[engineconn] log limit of 2 lines reached: further lines are counted but not kept',
          '[engineconn] 2 lines were cut',
        ],
      },
    ]);
    assert.equal(log.complete, true);
  });

  test('finish and close are idempotent; appends after finish are ignored', async () => {
    const log = newLog();
    log.append('kept');
    await log.finish();
    await log.finish();
    log.append('ignored');
    await log.close();
    await log.close();
    assert.equal(log.lineCount, 1);
    assert.deepEqual(await log.read(0, 10), { lines: ['kept'], from: 0, next: 1, complete: true });
  });

  test('reads during the task see lines as they come and are complete only after finish', async () => {
    const log = newLog({ memoryLines: 4 });
    log.append('1\n2');
    assert.deepEqual(await log.read(0, 10), { lines: ['1', '2'], from: 0, next: 2, complete: false });
    log.append('3\n4\n5\n6\n7');
    assert.deepEqual(await log.read(2, 10), { lines: ['3', '4', '5', '6', '7'], from: 2, next: 7, complete: false });
    await log.finish();
    assert.deepEqual(await log.read(7, 10), { lines: [], from: 7, next: 7, complete: true });
    assert.equal((await log.read(5, 1)).complete, false, 'not complete while lines remain after next');
  });

  test('a throwing onBatch is reported and the log goes on', async () => {
    const errors: unknown[] = [];
    const log = newLog({
      onBatch: () => {
        throw new Error('listener failed');
      },
      onError: (err) => errors.push(err),
    });
    log.append('a');
    await log.finish();
    assert.equal(errors.length, 1);
    assert.deepEqual(await all(log), ['a']);
  });

  test('an unwritable file keeps the unwritten lines in memory and counts the rest as cut', async (t) => {
    if (!existsSync('/dev/full')) return t.skip('no /dev/full');
    const errors: unknown[] = [];
    const log = new TaskLog({ file: '/dev/full', memoryLines: 2, onError: (err) => errors.push(err) });
    for (let i = 0; i < 10; i++) log.append(`l${i}`);
    await log.finish();
    assert.equal(errors.length, 1);
    assert.match(String(errors[0]), /ENOSPC/);
    const lines = await all(log);
    assert.deepEqual(lines.slice(0, 3), ['l0', 'l1', 'l2']);
    assert.match(lines[3]!, /^\[engineconn\] the log file cannot be written \(.*ENOSPC.*\): further lines/);
    assert.equal(lines[4], '[engineconn] 7 lines were cut');
    assert.equal(log.cutLines, 7);
  });

  test('a memory bound in characters spills long lines early, and they read back from the file', async () => {
    const log = newLog({ memoryLines: 1000, memoryChars: 100 });
    const lines = Array.from({ length: 50 }, (_, i) => `${i}`.padEnd(40, '.'));
    for (const line of lines) log.append(line);
    assert.deepEqual(await all(log), lines);
  });

  test('bad read arguments are rejected', async () => {
    const log = newLog();
    await assert.rejects(log.read(-1, 10), { code: 'EC_BAD_REQUEST' });
    await assert.rejects(log.read(0, 1.5), { code: 'EC_BAD_REQUEST' });
  });
});
