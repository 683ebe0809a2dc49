import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { encodeLines, readLines } from './line-file.js';

const root = mkdtempSync(join(tmpdir(), 'line-file-test-'));
after(() => rmSync(root, { recursive: true, force: true }));

/** Byte offsets computed the slow, obvious way. */
function expectedOffsets(lines: string[], firstLine: number, every: number): number[] {
  const out: number[] = [];
  let at = 0;
  lines.forEach((line, i) => {
    if ((firstLine + i) % every === 0) out.push(at);
    at += Buffer.byteLength(line) + 1;
  });
  return out;
}

describe('encodeLines', () => {
  for (const [name, make] of [
    ['ASCII', (i: number) => `row ${i}`],
    ['multi-byte', (i: number) => `${'é'.repeat(i % 5)}😀${i}`],
  ] as const) {
    test(`${name} lines: newline-terminated UTF-8 and the offsets of every n-th line`, () => {
      const lines = Array.from({ length: 57 }, (_, i) => make(i));
      for (const firstLine of [0, 1, 9, 10, 23]) {
        const { buf, offsets } = encodeLines(lines, firstLine, 10);
        assert.equal(buf.toString('utf8'), `${lines.join('\n')}\n`);
        assert.deepEqual(offsets, expectedOffsets(lines, firstLine, 10), `first line ${firstLine}`);
      }
    });
  }

  test('an empty line list encodes to one empty line', () => {
    assert.deepEqual(encodeLines([''], 0, 10), { buf: Buffer.from('\n'), offsets: [0] });
  });
});

describe('readLines', () => {
  test('skips, counts and stops at the given end byte across chunk boundaries', async () => {
    const lines = Array.from({ length: 30_000 }, (_, i) => `${i}:${'ü'.repeat(i % 11)}`);
    const file = join(root, 'lines.txt');
    const content = `${lines.join('\n')}\n`;
    writeFileSync(file, content);
    const size = Buffer.byteLength(content);
    assert.deepEqual(await readLines(file, 0, size, 0, 3), lines.slice(0, 3));
    assert.deepEqual(await readLines(file, 0, size, 29_990, 100), lines.slice(29_990));
    const { offsets } = encodeLines(lines, 0, 10_000);
    assert.deepEqual(await readLines(file, offsets[2]!, size, 5, 2), lines.slice(20_005, 20_007));
    const endOfFirstTwo = Buffer.byteLength(`${lines[0]}\n${lines[1]}\n`);
    assert.deepEqual(await readLines(file, 0, endOfFirstTwo, 0, 10), lines.slice(0, 2));
    assert.deepEqual(await readLines(file, 0, size, 0, 0), []);
  });
});
