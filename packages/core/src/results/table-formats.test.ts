import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { encodeRow } from '../values/encode-value.js';
import { rowFormatter } from './table-formats.js';

const csvOf = (rows: unknown[][]) =>
  rowFormatter('csv', [{ name: 'a', type: 'X' }]).rows(rows.map((row) => encodeRow(row)));

describe('CSV from stored rows', () => {
  test('scalars are copied from the stored text: quoted only when they must be', () => {
    assert.equal(
      csvOf([
        [1, -2.5, 1e21, true, false, null, ''],
        ['plain', 'a,b', 'say "hi"', 'two\nlines', 'cr\r\nlf', 'back\\slash', 'é😀', '\u0001'],
        [12345678901234567890n, -0, Number.NaN],
        [],
      ]),
      [
        '1,-2.5,1e+21,true,false,,""',
        'plain,"a,b","say ""hi""","two\nlines","cr\r\nlf",back\\slash,é😀,\u0001',
        '12345678901234567890,-0,NaN',
        '',
        '',
      ].join('\r\n'),
    );
  });

  test('arrays and objects are their JSON text, keys in stored order', () => {
    assert.equal(csvOf([[[1, 'x'], { b: 1, 2: 'c,d' }, 'a[1]']]), '"[1,""x""]","{""2"":""c,d"",""b"":1}",a[1]\r\n');
  });
});

test('a stored CSV row with an unterminated string is a SyntaxError, not an endless scan', () => {
  const csv = rowFormatter('csv', [{ name: 'a', type: 'VARCHAR' }]);
  // The stream that read the row reports it as EC_RESULT_CORRUPT, naming the file.
  assert.throws(() => csv.rows(['["abc]']), { name: 'SyntaxError' });
  assert.throws(() => csv.rows(['["a\\"]']), { name: 'SyntaxError' });
});
