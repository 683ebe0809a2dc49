import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { encodeLines } from '../util/line-file.js';
import { encodeRow } from '../values/encode-value.js';
import { encodeRowLines } from './row-lines.js';

/** What the batch must equal: each row by encodeRow, then encodeLines. */
function oneByOne(rows: readonly (readonly unknown[])[], firstLine: number, every: number) {
  return encodeLines(rows.map(encodeRow), firstLine, every);
}

function assertSame(rows: readonly (readonly unknown[])[], firstLine = 0, every = 1000): void {
  const batch = encodeRowLines(rows, firstLine, every);
  const expected = oneByOne(rows, firstLine, every);
  assert.equal(batch.buf.toString('utf8'), expected.buf.toString('utf8'));
  assert.deepEqual(batch.offsets, expected.offsets);
}

// Strings a row separator could be mistaken in: brackets, commas, quotes, escapes, newlines,
// multi-byte characters, a lone surrogate (JSON.stringify escapes it), and the `],[` itself.
const TRICKY = [
  '',
  ',',
  '],[',
  '[[',
  ']]',
  '"',
  '\\',
  '\\"],["',
  'a\nb\r\nc',
  '\u0000\u001f',
  'é ü 漢字',
  '😀,😀',
  '\ud800',
  'x\\',
];

function randomCell(random: () => number, depth = 0): unknown {
  const kind = Math.floor(random() * (depth < 2 ? 8 : 7));
  switch (kind) {
    case 0:
      return null;
    case 1:
      return random() < 0.5;
    case 2:
      return Math.floor(random() * 2 ** 40) - 2 ** 39;
    case 3:
      return random() * 1e6 - 5e5;
    case 4:
      return TRICKY[Math.floor(random() * TRICKY.length)];
    case 5:
    case 6:
      return `${TRICKY[Math.floor(random() * TRICKY.length)]}${Math.floor(random() * 1000)}`;
    default:
      return Array.from({ length: Math.floor(random() * 4) }, () => randomCell(random, depth + 1));
  }
}

/** A small deterministic generator, so a failure can be reproduced from its seed. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

describe('encodeRowLines: a batch of rows in the stored form', () => {
  test('plain rows equal encodeRow line by line, byte for byte, with the same seek offsets', () => {
    for (let seed = 1; seed <= 40; seed++) {
      const random = seeded(seed);
      const rows = Array.from({ length: 1 + Math.floor(random() * 300) }, () =>
        Array.from({ length: 1 + Math.floor(random() * 5) }, () => randomCell(random)),
      );
      assertSame(rows, Math.floor(random() * 50), 1 + Math.floor(random() * 20));
    }
  });

  test('every tricky string alone, and a row of them all, come out as their own lines', () => {
    for (const text of TRICKY) assertSame([[text], [text, text], [[text]]], 0, 1);
    assertSame([TRICKY, [TRICKY], TRICKY], 3, 2);
    const decoded = encodeRowLines([TRICKY, [1]], 0, 1000)
      .buf.toString('utf8')
      .split('\n')
      .slice(0, -1)
      .map((line) => JSON.parse(line));
    assert.deepEqual(decoded, [TRICKY, [1]]);
  });

  test('rows needing more than JSON.stringify (bigint, NaN, -0, objects) are encoded by encodeRow', () => {
    assertSame([[1, 'a'], [2n ** 60n, Number.NaN], [-0, { a: 1 }], [new Uint8Array([1, 2])]], 0, 2);
  });

  test('a single row, and offsets landing on the first line', () => {
    assertSame([[1, 'x']], 0, 1000);
    assertSame([[1], [2], [3]], 1000, 1000);
    assertSame([[1], [2], [3]], 999, 1000);
    assert.deepEqual(encodeRowLines([], 0, 1000), { buf: Buffer.alloc(0), offsets: [] });
  });
});
