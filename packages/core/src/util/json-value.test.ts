import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { toJsonValue } from './json-value.js';

class Decimal {
  constructor(
    private readonly digits: string,
    private readonly scale: number,
  ) {}
  toString(): string {
    return `${this.digits.slice(0, -this.scale)}.${this.digits.slice(-this.scale)}`;
  }
}

class Point {
  constructor(
    readonly x: number,
    readonly y: bigint,
  ) {}
}

class Money {
  constructor(readonly cents: number) {}
  toJSON(): { amount: string } {
    return { amount: (this.cents / 100).toFixed(2) };
  }
}

describe('toJsonValue', () => {
  test('JSON primitives pass through', () => {
    assert.equal(toJsonValue('a'), 'a');
    assert.equal(toJsonValue(1.5), 1.5);
    assert.equal(toJsonValue(true), true);
    assert.equal(toJsonValue(null), null);
  });

  test('undefined and functions become null', () => {
    assert.equal(toJsonValue(undefined), null);
    assert.equal(
      toJsonValue(() => 1),
      null,
    );
  });

  test('bigints become numbers when safe, strings otherwise', () => {
    assert.equal(toJsonValue(42n), 42);
    assert.equal(toJsonValue(-(2n ** 53n - 1n)), -(2 ** 53 - 1));
    assert.equal(toJsonValue(2n ** 53n), '9007199254740992');
    assert.equal(toJsonValue(-(2n ** 64n)), '-18446744073709551616');
  });

  test('NaN and infinities become strings', () => {
    assert.equal(toJsonValue(Number.NaN), 'NaN');
    assert.equal(toJsonValue(Number.POSITIVE_INFINITY), 'Infinity');
    assert.equal(toJsonValue(Number.NEGATIVE_INFINITY), '-Infinity');
  });

  test('dates become ISO strings; an invalid date null', () => {
    assert.equal(toJsonValue(new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 6))), '2024-01-02T03:04:05.006Z');
    assert.equal(toJsonValue(new Date(Number.NaN)), null);
  });

  test('bytes become base64, including Buffers and views into a larger buffer', () => {
    assert.equal(toJsonValue(new Uint8Array([1, 2, 3])), 'AQID');
    assert.equal(toJsonValue(Buffer.from('hello')), 'aGVsbG8=');
    const big = new Uint8Array([9, 9, 1, 2, 3, 9]);
    assert.equal(toJsonValue(big.subarray(2, 5)), 'AQID');
    assert.equal(toJsonValue(new Uint8Array([255]).buffer), '/w==');
  });

  test('other typed arrays become arrays of JSON-safe numbers', () => {
    assert.deepEqual(toJsonValue(new Float64Array([1.5, Number.NaN])), [1.5, 'NaN']);
    assert.deepEqual(toJsonValue(new BigInt64Array([1n, 2n ** 62n])), [1, '4611686018427387904']);
  });

  test('Maps become objects and Sets arrays, recursively', () => {
    const map = new Map<unknown, unknown>([
      ['a', 1n],
      [2, new Set([new Date(0)])],
    ]);
    assert.deepEqual(toJsonValue(map), { a: 1, 2: ['1970-01-01T00:00:00.000Z'] });
  });

  test('arrays and plain objects convert recursively; undefined members become null', () => {
    const value = { a: [1n, undefined, { b: Number.NaN }], c: undefined, d: Object.create(null) };
    assert.deepEqual(toJsonValue(value), { a: [1, null, { b: 'NaN' }], c: null, d: {} });
  });

  test('class instances with their own toString print themselves', () => {
    assert.equal(toJsonValue(new Decimal('12345', 2)), '123.45');
    assert.deepEqual(toJsonValue([new Decimal('100', 1)]), ['10.0']);
    assert.equal(toJsonValue(new Error('boom')), 'Error: boom');
  });

  test('class instances with toJSON use it; others convert by their own fields', () => {
    assert.deepEqual(toJsonValue(new Money(1234)), { amount: '12.34' });
    assert.deepEqual(toJsonValue(new Point(1, 2n)), { x: 1, y: 2 });
  });

  test('a value containing itself prints [Circular] at the repeat; shared values are fine', () => {
    const loop: Record<string, unknown> = { name: 'loop' };
    loop.self = loop;
    assert.deepEqual(toJsonValue(loop), { name: 'loop', self: '[Circular]' });
    const shared = { n: 1 };
    assert.deepEqual(toJsonValue([shared, shared]), [{ n: 1 }, { n: 1 }]);
  });

  test('the result survives JSON.stringify and parses back equal', () => {
    const value = toJsonValue({ big: 2n ** 70n, when: new Date(0), bytes: Buffer.from([0]), n: [Infinity] });
    assert.deepEqual(JSON.parse(JSON.stringify(value)), value);
  });
});
