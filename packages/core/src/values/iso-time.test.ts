import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isoDateTime, isoOffset, isoTimeTz, isoYear } from './iso-time.js';

describe('ISO-8601 date/time text', () => {
  test('dates and timestamps get a T and a ±HH:MM offset', () => {
    assert.equal(isoDateTime('2024-01-02'), '2024-01-02');
    assert.equal(isoDateTime('2024-01-02 03:04:05'), '2024-01-02T03:04:05');
    assert.equal(isoDateTime('2024-01-02 03:04:05.123456789'), '2024-01-02T03:04:05.123456789');
    assert.equal(isoDateTime('2024-01-02 03:04:05.5-05'), '2024-01-02T03:04:05.5-05:00');
    assert.equal(isoDateTime('2024-01-02 03:04:05+05:30'), '2024-01-02T03:04:05+05:30');
    assert.equal(isoDateTime('1882-12-31 19:03:58-04:56:02'), '1882-12-31T19:03:58-04:56:02');
  });

  test('BC and far-off years are signed six-digit astronomical years', () => {
    assert.equal(isoDateTime('0001-01-01 (BC)'), '0000-01-01');
    assert.equal(isoDateTime('0044-03-15 (BC) 00:00:00'), '-000043-03-15T00:00:00');
    assert.equal(isoDateTime('0044-03-15 00:00:00+00 BC'), '-000043-03-15T00:00:00+00:00');
    assert.equal(isoDateTime('0044-03-15 BC'), '-000043-03-15');
    assert.equal(isoDateTime('294247-01-10 04:00:54.775806'), '+294247-01-10T04:00:54.775806');
    assert.equal(isoDateTime('5877642-06-25 (BC)'), '-5877641-06-25');
    assert.equal(Date.parse(`${isoDateTime('0044-03-15 (BC) 00:00:00')}Z`), Date.UTC(-43, 2, 15));
    assert.equal(isoYear(0), '0000');
    assert.equal(isoYear(10000), '+010000');
  });

  test('text of other shapes stays the engine’s own', () => {
    for (const text of ['infinity', '-infinity', '1 day', '']) assert.equal(isoDateTime(text), text);
  });

  test('times with a zone and offsets in seconds', () => {
    assert.equal(isoTimeTz('12:00:00+05'), '12:00:00+05:00');
    assert.equal(isoTimeTz('12:00:00.25-03:30'), '12:00:00.25-03:30');
    assert.equal(isoOffset(0), '+00:00');
    assert.equal(isoOffset(-5 * 3600), '-05:00');
    assert.equal(isoOffset(19 * 60 + 32), '+00:19:32');
    assert.equal(isoOffset(-(4 * 3600 + 56 * 60 + 2)), '-04:56:02');
  });
});
