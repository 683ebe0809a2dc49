import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decodeRows, valueDecoder } from './decode-values.js';
import { parseType } from './type-syntax.js';

describe('valueDecoder', () => {
  test('wide integers become BigInt whether the wire has a number or digits', () => {
    for (const type of ['BIGINT', 'bigint', 'HUGEINT', 'UBIGINT', 'int8']) {
      assert.equal(valueDecoder(type)(9007199254740991), 9007199254740991n);
      assert.equal(valueDecoder(type)('-9223372036854775808'), -9223372036854775808n);
    }
    assert.equal(valueDecoder('INTEGER')(5), 5);
    assert.equal(valueDecoder('INTEGER')('9223372036854775807'), 9223372036854775807n);
  });

  test('floats get their special values back; decimals stay exact strings', () => {
    const f = valueDecoder('double precision');
    assert.ok(Object.is(f('-0'), -0));
    assert.ok(Number.isNaN(f('NaN')));
    assert.equal(f('Infinity'), Number.POSITIVE_INFINITY);
    assert.equal(f(1.5), 1.5);
    assert.equal(valueDecoder('numeric(38,10)')('1.10'), '1.10');
  });

  test('zone-aware timestamps become Dates, even with an offset in seconds; others stay text', () => {
    const tz = valueDecoder('TIMESTAMP WITH TIME ZONE');
    assert.deepEqual(tz('2024-01-01T07:00:00.5-05:00'), new Date(Date.UTC(2024, 0, 1, 12, 0, 0, 500)));
    assert.deepEqual(tz('1881-12-31T19:03:58-04:56:02'), new Date(Date.UTC(1882, 0, 1)));
    assert.equal(tz('infinity'), 'infinity');
    assert.deepEqual(
      valueDecoder('timestamp(3) with time zone')('2024-01-01T00:00:00+00:00'),
      new Date(0 + Date.UTC(2024, 0, 1)),
    );
    assert.equal(valueDecoder('TIMESTAMP')('2024-01-02T03:04:05'), '2024-01-02T03:04:05');
  });

  test('bytes become Uint8Array', () => {
    assert.deepEqual(valueDecoder('BLOB')('AP9h'), new Uint8Array([0, 255, 97]));
    assert.deepEqual(valueDecoder('bytea[]')(['AQ==', null]), [new Uint8Array([1]), null]);
  });

  test('MAPs become Maps and STRUCTs objects with their fields decoded by type', () => {
    const m = valueDecoder('MAP(VARCHAR, BIGINT[])')([
      ['__proto__', [1]],
      ['b', null],
    ]) as Map<unknown, unknown>;
    assert.deepEqual(
      [...m],
      [
        ['__proto__', [1n]],
        ['b', null],
      ],
    );
    const s = valueDecoder('STRUCT("__proto__" BIGINT, "a b" MAP(INTEGER, BLOB))')(
      JSON.parse('{"__proto__": 3, "a b": [[1, "AQ=="]]}'),
    ) as Record<string, unknown>;
    assert.equal(Object.getPrototypeOf(s), null);
    assert.deepEqual(Object.entries(s), [
      ['__proto__', 3n],
      ['a b', new Map([[1, new Uint8Array([1])]])],
    ]);
  });

  test('a STRUCT with empty or repeated names stays [name, value] pairs, decoded by position', () => {
    assert.deepEqual(
      valueDecoder('STRUCT(BIGINT, TIMESTAMP WITH TIME ZONE)')([
        ['', 1],
        ['', '1970-01-01T00:00:00+00:00'],
      ]),
      [
        ['', 1n],
        ['', new Date(0)],
      ],
    );
    assert.deepEqual(
      valueDecoder('row(a bigint, a double)')([
        ['a', 1],
        ['a', '-0'],
      ]),
      [
        ['a', 1n],
        ['a', -0],
      ],
    );
  });

  test('lists of lists, PostgreSQL arrays of any depth, Trino array(), UNION members', () => {
    assert.deepEqual(valueDecoder('BIGINT[][]')([[1], [], null]), [[1n], [], null]);
    assert.deepEqual(
      valueDecoder('bigint[]')([
        [1, 2],
        [3, null],
      ]),
      [
        [1n, 2n],
        [3n, null],
      ],
    );
    assert.deepEqual(valueDecoder('array(bigint)')([1]), [1n]);
    assert.deepEqual(valueDecoder('UNION(num BIGINT, str VARCHAR)')({ tag: 'num', value: 2 }), {
      tag: 'num',
      value: 2n,
    });
  });

  test('decodeRows decodes each cell by its column', () => {
    const columns = [
      { name: 'a', type: 'BIGINT' },
      { name: 'b', type: 'JSON' },
    ];
    assert.deepEqual(
      decodeRows(columns, [
        [1, '{"x":1}'],
        [null, null],
      ]),
      [
        [1n, '{"x":1}'],
        [null, null],
      ],
    );
  });
});

describe('parseType', () => {
  test('reads the engines’ type names', () => {
    assert.deepEqual(parseType('STRUCT(a INTEGER, "x""y" VARCHAR[], INTEGER)'), {
      kind: 'struct',
      fields: [
        { name: 'a', type: { kind: 'scalar', name: 'integer' } },
        { name: 'x"y', type: { kind: 'list', item: { kind: 'scalar', name: 'varchar' } } },
        { name: '', type: { kind: 'scalar', name: 'integer' } },
      ],
    });
    assert.deepEqual(parseType('numeric(5,2)[]'), { kind: 'list', item: { kind: 'scalar', name: 'numeric' } });
    assert.deepEqual(parseType('map(varchar, row(t timestamp(3) with time zone))'), {
      kind: 'map',
      key: { kind: 'scalar', name: 'varchar' },
      value: {
        kind: 'struct',
        fields: [{ name: 't', type: { kind: 'scalar', name: 'timestamp with time zone' } }],
      },
    });
    assert.deepEqual(parseType("ENUM('a', 'b')"), { kind: 'scalar', name: 'enum' });
  });
});
