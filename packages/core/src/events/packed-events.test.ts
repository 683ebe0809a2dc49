import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TASK_STATUSES } from '@engineconn/protocol/constants';
import { packLog, packStatus, unpack } from './packed-events.js';

const since = Date.UTC(2026, 11, 1, 22, 0, 0, 0);

test('a status or done event comes back as it was packed, for every status and any time', () => {
  // Before the journal began (the clock went back), within small-integer range, and far past it.
  const offsets = [-86_400_000, -1, 0, 1, 999, 3_600_000, 2 ** 27 + 5, 10 * 365 * 86_400_000];
  for (const status of TASK_STATUSES) {
    for (const event of ['status', 'done'] as const) {
      for (const offset of offsets) {
        const packed = packStatus(event, status, since + offset, since);
        assert.deepEqual(unpack(packed, since, 1000), { event, status, atMs: since + offset, error: undefined });
      }
    }
  }
});

test('a log event comes back with its range, at any line and up to the batch limit', () => {
  for (const maxLines of [1, 7, 1000]) {
    for (const from of [0, 1, 999, 1_000_001, 2 ** 40]) {
      for (const count of [1, Math.ceil(maxLines / 2), maxLines]) {
        assert.deepEqual(unpack(packLog(from, count, maxLines), since, maxLines), { event: 'log', from, count });
      }
    }
  }
});

test("a trivial task's events pack into small integers, which the events array holds unboxed", () => {
  const small = (n: number) => Number.isInteger(n) && n >= -(2 ** 30) && n < 2 ** 30;
  assert.ok(small(packStatus('status', 'Scheduled', since + 1, since)));
  assert.ok(small(packStatus('done', 'Succeed', since + 40_000, since)));
  assert.ok(small(packLog(1, 1, 1000)));
});
