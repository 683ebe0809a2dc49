import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { encodeValue } from '@engineconn/core';
import { converterFor, rowConverter } from '../trino-values.js';
import { MalformedPageError, parseLosslessJson, parsePage } from './trino-page.js';

describe('protocol pages and values', () => {
  test('integers beyond 2^53 stay exact strings; others are numbers; __proto__ stays a key', () => {
    const parsed = parseLosslessJson(
      '{"__proto__": 1, "a": [9223372036854775807, -9223372036854775808, 9007199254740991, 1.5, -0.0, 1e300]}',
    ) as Record<string, unknown>;
    assert.deepEqual(Object.keys(parsed), ['__proto__', 'a']);
    assert.equal(Object.getPrototypeOf(parsed), Object.prototype);
    assert.deepEqual(parsed.a, ['9223372036854775807', '-9223372036854775808', 9007199254740991, 1.5, -0, 1e300]);
  });

  test('a page is checked: JSON, an id, well-formed columns', () => {
    assert.equal(
      parsePage('{"id": "q1", "data": [[12345678901234567890]]}', 'test').data?.[0]?.[0],
      '12345678901234567890',
    );
    assert.throws(() => parsePage('not json', 'GET x'), MalformedPageError);
    assert.throws(() => parsePage('{"columns": [{"name": 1}]}', 'GET x'), /cannot read \(GET x\): id/);
  });

  test('values map to the documented cells by type signature, through core’s encoder', () => {
    const sig = (rawType: string, args: unknown[] = []) => ({ rawType, arguments: args }) as never;
    const text = (rawType: string, args: unknown[], value: unknown) =>
      encodeValue(converterFor(sig(rawType, args))(value));
    assert.equal(text('double', [], -0), '"-0"');
    assert.equal(text('bigint', [], '9223372036854775807'), '"9223372036854775807"');
    assert.equal(text('timestamp', [], '2020-01-01 01:02:03.123456'), '"2020-01-01T01:02:03.123456"');
    const tz = (v: string) => text('timestamp with time zone', [], v);
    assert.equal(tz('2020-01-15 12:00:00.000 Europe/Paris'), '"2020-01-15T12:00:00.000+01:00"');
    assert.equal(tz('2020-07-15 12:00:00.000 Europe/Paris'), '"2020-07-15T12:00:00.000+02:00"');
    assert.equal(tz('2020-07-15 12:00:00.000 UTC'), '"2020-07-15T12:00:00.000+00:00"');
    const named = (name: string | undefined, rawType: string) => ({
      kind: 'NAMED_TYPE',
      value: { ...(name ? { fieldName: { name } } : {}), typeSignature: sig(rawType) },
    });
    assert.equal(
      text('row', [named('__proto__', 'integer'), named('b', 'double')], [1, -0]),
      '{"__proto__":1,"b":"-0"}',
    );
    assert.equal(text('row', [named('a', 'integer'), named('a', 'integer')], [1, 2]), '[["a",1],["a",2]]');
    const mapArgs = [
      { kind: 'TYPE', value: sig('integer') },
      { kind: 'TYPE', value: sig('real') },
    ];
    assert.equal(text('map', mapArgs, { '2': 0.5, '1': -0 }), '[[1,"-0"],[2,0.5]]');
    const convert = rowConverter([
      { name: 'x', type: 'array(double)', typeSignature: sig('array', [{ kind: 'TYPE', value: sig('double') }]) },
    ]);
    assert.equal(encodeValue(convert([[1, -0, 'NaN', null]])), '[[1,"-0","NaN",null]]');
  });
});
