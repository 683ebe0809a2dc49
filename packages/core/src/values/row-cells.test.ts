import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { rowCells } from './row-cells.js';

describe('rowCells', () => {
  test('splits a row into the JSON text of its cells, objects as written', () => {
    assert.deepEqual(rowCells('[{"2":1,"1":2},"a,]}",null,[1,{"b":"\\"{"}],-1.5e+300]'), [
      '{"2":1,"1":2}',
      '"a,]}"',
      'null',
      '[1,{"b":"\\"{"}]',
      '-1.5e+300',
    ]);
  });

  test('rows without objects give the same text through the parse', () => {
    assert.deepEqual(rowCells('["x\\u0000\\n",1e+21,[true,null],"-0"]'), [
      '"x\\u0000\\n"',
      '1e+21',
      '[true,null]',
      '"-0"',
    ]);
    assert.deepEqual(rowCells('[]'), []);
    assert.deepEqual(rowCells('[{}]'), ['{}']);
  });

  test('a truncated row is an error, not a short row', () => {
    assert.throws(() => rowCells('[{"a":1}'), SyntaxError);
  });
});
