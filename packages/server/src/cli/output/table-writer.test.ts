import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { formatCell, TableWriter } from './table-writer.js';

describe('TableWriter: the one table printer of submit, results, tasks and once', () => {
  test('a cell is NULL for null, JSON for an object, one line with line breaks and control characters escaped', () => {
    assert.equal(formatCell(null), 'NULL');
    assert.equal(formatCell(undefined), 'NULL');
    assert.equal(formatCell(''), '');
    assert.equal(formatCell({ a: [1, null] }), '{"a":[1,null]}');
    assert.equal(formatCell('a\nb\u001b'), 'a\\nb\\x1b');
  });

  test('numbers right-aligned, text left-aligned, widths from the first page, a row count', async () => {
    let out = '';
    const table = new TableWriter(
      [
        { name: 'n', type: 'INTEGER' },
        { name: 'label', type: 'VARCHAR' },
      ],
      (text) => {
        out += text;
      },
    );
    await table.page([
      [1, 'one'],
      [null, null],
    ]);
    await table.page([[1000, 'a longer cell']]);
    await table.end();
    assert.equal(
      out,
      [' n    | label', '------+-------', '    1 | one', ' NULL | NULL', ' 1000 | a longer cell', '(3 rows)', ''].join(
        '\n',
      ),
    );
  });
});
