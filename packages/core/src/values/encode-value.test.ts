import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { float32Cell, floatCell, integerCell } from './cells.js';
import { encodeRow, encodeValue } from './encode-value.js';
import { JsonText, MapValue, StructShape, StructValue, structOf } from './wire-values.js';

class Decimal {
  constructor(
    private readonly digits: string,
    private readonly scale: number,
  ) {}
  toString(): string {
    return `${this.digits.slice(0, -this.scale)}.${this.digits.slice(-this.scale)}`;
  }
}

class Money {
  constructor(readonly cents: number) {}
  toJSON(): { amount: string } {
    return { amount: (this.cents / 100).toFixed(2) };
  }
}

describe('encodeValue', () => {
  test('JSON scalars are written as JSON.stringify writes them', () => {
    for (const value of ['a', '', 'é\u0000\n"\\', 1.5, 0, -1, 1e300, 5e-324, true, false, null]) {
      assert.equal(encodeValue(value), JSON.stringify(value));
    }
    assert.equal(encodeValue(undefined), 'null');
  });

  test('-0, NaN and the infinities are strings, at the top and nested', () => {
    assert.equal(encodeValue(-0), '"-0"');
    assert.equal(encodeValue(Number.NaN), '"NaN"');
    assert.equal(encodeValue(Number.POSITIVE_INFINITY), '"Infinity"');
    assert.equal(encodeValue(Number.NEGATIVE_INFINITY), '"-Infinity"');
    assert.equal(encodeValue([0, -0, [-0]]), '[0,"-0",["-0"]]');
    assert.equal(encodeRow([-0, 1]), '["-0",1]');
    assert.equal(encodeRow([[[1, [Number.NaN]]], [[[[[[-0]]]]]]]), '[[[1,["NaN"]]],[[[[[["-0"]]]]]]]');
    assert.equal(encodeRow([[1, [2, 'x']], null]), '[[1,[2,"x"]],null]');
  });

  test('integers are numbers within ±(2^53 − 1) and digit strings beyond', () => {
    assert.equal(encodeValue(2n ** 53n - 1n), '9007199254740991');
    assert.equal(encodeValue(-(2n ** 53n - 1n)), '-9007199254740991');
    assert.equal(encodeValue(2n ** 53n), '"9007199254740992"');
    assert.equal(encodeValue(-(2n ** 53n)), '"-9007199254740992"');
    assert.equal(encodeValue(-(2n ** 127n)), `"${-(2n ** 127n)}"`);
    assert.equal(integerCell('9007199254740991'), 9007199254740991);
    assert.equal(integerCell('-9007199254740992'), '-9007199254740992');
    assert.equal(integerCell('123456789012345'), 123456789012345);
    assert.equal(integerCell('12345678901234567890'), '12345678901234567890');
  });

  test('floats keep their special values as strings; 32-bit floats print shortest', () => {
    assert.equal(floatCell(-0), '-0');
    assert.equal(floatCell(0), 0);
    assert.equal(float32Cell(Math.fround(0.1)), 0.1);
    assert.equal(float32Cell(Math.fround(3.4028234663852886e38)), 3.4028235e38);
    assert.equal(float32Cell(Math.fround(1.401298464324817e-45)), 1e-45);
    assert.equal(float32Cell(-0), '-0');
    for (const f of [0.1, 1 / 3, 16777216, 123.456, 1e-40]) {
      const bits = Math.fround(f);
      assert.equal(Math.fround(Number(float32Cell(bits))), bits, `float ${f}`);
    }
  });

  test('a STRUCT is an object in field order, keeping __proto__ and integer-like names', () => {
    const shape = new StructShape(['2', '1', 'b', '__proto__']);
    assert.equal(encodeValue(new StructValue(shape, [1, 2, 'x', 5])), '{"2":1,"1":2,"b":"x","__proto__":5}');
  });

  test('a STRUCT with an empty or repeated field name is [name, value] pairs', () => {
    assert.equal(
      encodeValue(
        structOf([
          ['', 1],
          ['', 'x'],
        ]),
      ),
      '[["",1],["","x"]]',
    );
    assert.equal(
      encodeValue(
        structOf([
          ['a', 1],
          ['a', -0],
        ]),
      ),
      '[["a",1],["a","-0"]]',
    );
    assert.equal(encodeValue(structOf([])), '{}');
  });

  test('a MAP is [key, value] pairs in order, whatever the keys', () => {
    assert.equal(encodeValue(new MapValue(['b', '2', '1'], [1, 2, 3])), '[["b",1],["2",2],["1",3]]');
    assert.equal(encodeValue(new MapValue([structOf([['k', 1n]])], [[1]])), '[[{"k":1},[1]]]');
    assert.equal(
      encodeValue(
        new Map<unknown, unknown>([
          ['__proto__', 1],
          [2, 'y'],
        ]),
      ),
      '[["__proto__",1],[2,"y"]]',
    );
    assert.equal(encodeValue(new MapValue([], [])), '[]');
  });

  test('nested values follow the same rules at any depth', () => {
    const inner = new StructShape(['', 'n']);
    const value = [new StructValue(inner, [2n ** 64n, Number.NaN]), null, new MapValue(['k'], [[-0]])];
    assert.equal(encodeValue(value), '[[["","18446744073709551616"],["n","NaN"]],null,[["k",["-0"]]]]');
  });

  test('bytes are base64, dates ISO instants, JsonText copied as it is', () => {
    assert.equal(encodeValue(new Uint8Array([0, 255, 1])), '"AP8B"');
    assert.equal(encodeValue(Buffer.from('hi')), '"aGk="');
    assert.equal(encodeValue(new Uint8Array([1, 2]).buffer), '"AQI="');
    assert.equal(encodeValue(new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 6))), '"2024-01-02T03:04:05.006Z"');
    assert.equal(encodeValue(new Date(Number.NaN)), 'null');
    assert.equal(encodeValue(new JsonText('{"z":1,"a":[12345678901234567890]}')), '{"z":1,"a":[12345678901234567890]}');
    assert.equal(encodeRow([new JsonText('{\r\n  "a": 1\n}')]), '[{   "a": 1 }]');
  });

  test('other objects: own keys, Sets and typed arrays as arrays, printable classes as text', () => {
    assert.equal(encodeValue({ a: 1n, b: [Number.NaN] }), '{"a":1,"b":["NaN"]}');
    assert.equal(encodeValue(new Set([1, 'a'])), '[1,"a"]');
    assert.equal(encodeValue(new Float64Array([1.5, -0])), '[1.5,"-0"]');
    assert.equal(encodeValue(new Decimal('12345', 2)), '"123.45"');
    assert.equal(encodeValue(new Money(1999)), '{"amount":"19.99"}');
  });

  test('a value that contains itself prints [Circular] at the repeat', () => {
    const loop: unknown[] = [1, { n: 2n }];
    loop.push(loop);
    assert.equal(encodeValue(loop), '[1,{"n":2},"[Circular]"]');
  });

  test('every encoded row parses as JSON', () => {
    const row = [null, 'a', -0, 2n ** 70n, structOf([['x', [1, 2]]]), new MapValue([1], ['v']), new Uint8Array([7])];
    const text = encodeRow(row);
    assert.deepEqual(JSON.parse(text), [null, 'a', '-0', String(2n ** 70n), { x: [1, 2] }, [[1, 'v']], 'Bw==']);
  });
});
