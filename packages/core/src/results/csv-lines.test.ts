import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodeRow } from '../values/encode-value.js';
import { MapValue, StructShape, StructValue } from '../values/wire-values.js';
import { CsvLines } from './csv-lines.js';
import { rowFormatter } from './table-formats.js';

const STRINGS = [
  '',
  'plain',
  'a,b',
  'quote " in',
  'back\\slash',
  'line\nbreak',
  'cr\r\nlf',
  '],[',
  '{x}',
  'null',
  'é,中😀',
  '\u0000\u001f',
];
const SCALARS: unknown[] = [null, 0, -1, 2.5, 1e21, true, false, 9007199254740993n, -0, Number.NaN, ...STRINGS];
const NESTED: unknown[] = [
  [1, 'a,b', null],
  new StructValue(new StructShape(['2', '1']), ['x', 'y,"z"']),
  new MapValue(['k'], [[1, 2]]),
];

test('CSV bytes from stored lines are the string formatter’s text, for scalar and nested rows', () => {
  const columns = [
    { name: 'a', type: 'ANY' },
    { name: 'b', type: 'ANY' },
    { name: 'c', type: 'ANY' },
  ];
  const rows: unknown[][] = [];
  const cells = [...SCALARS, ...NESTED];
  for (let i = 0; i < cells.length; i++) {
    for (let j = 0; j < cells.length; j += 3) rows.push([cells[i], cells[j], cells[(i + j) % cells.length]]);
  }
  rows.push([]);
  const lines = rows.map(encodeRow);
  const formatter = rowFormatter('csv', columns);
  const { csv, used } = new CsvLines(formatter).convert(Buffer.from(`${lines.join('\n')}\n[1,"partial`));
  assert.equal(csv.toString('utf8'), formatter.rows(lines));
  assert.equal(used, Buffer.byteLength(`${lines.join('\n')}\n`), 'the cut line is left for the next chunk');
});

test('a stored line with an unterminated string is a SyntaxError, not an endless scan', () => {
  const formatter = rowFormatter('csv', [{ name: 'a', type: 'VARCHAR' }]);
  // A trailing backslash left unescaped: the closing quote reads as escaped.
  assert.throws(() => new CsvLines(formatter).convert(Buffer.from('["a\\"]\n')), { name: 'SyntaxError' });
});
