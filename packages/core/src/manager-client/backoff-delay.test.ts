import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { backoffDelayMs } from './backoff-delay.js';

describe('backoffDelayMs', () => {
  test('doubles per failure, between half and all of the ceiling', () => {
    assert.deepEqual(
      [1, 2, 3, 4].map((failures) => backoffDelayMs(failures, 20, 30_000, 0.5)),
      [15, 30, 60, 120],
    );
    assert.equal(backoffDelayMs(3, 20, 30_000, 0), 40);
    assert.ok(backoffDelayMs(3, 20, 30_000, 0.999_999) < 80);
  });

  test('stops growing at the cap', () => {
    assert.deepEqual(
      [3, 4, 8, 40].map((failures) => backoffDelayMs(failures, 10, 40, 0)),
      [20, 20, 20, 20],
    );
  });
});
