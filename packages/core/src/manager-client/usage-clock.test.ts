import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { UsageClock } from './usage-clock.js';

describe('UsageClock', () => {
  test('splits time into disjoint busy, idle and locked stretches', () => {
    const clock = new UsageClock('Unlock', 0);
    clock.nodeStatus('Busy', 100); // idle 0..100
    clock.task('t1', true, 110);
    clock.task('t1', false, 300);
    clock.nodeStatus('Idle', 300); // busy 100..300 (a lock is held now)
    clock.nodeStatus('Unlock', 450); // locked 300..450
    assert.deepEqual(clock.snapshot(500), { busyMs: 200, idleMs: 150, lockedMs: 150 });
  });

  test('work under a concurrent executor that still reports Unlock counts as busy', () => {
    const clock = new UsageClock('Unlock', 0);
    clock.task('a', true, 10);
    clock.task('b', true, 20);
    clock.task('a', false, 30);
    clock.task('b', false, 60);
    assert.deepEqual(clock.snapshot(100), { busyMs: 50, idleMs: 50, lockedMs: 0 });
  });

  test('the once executor: Running is idle, Busy is busy, terminal counts in none', () => {
    const clock = new UsageClock('Running', 0);
    clock.nodeStatus('Busy', 5);
    clock.nodeStatus('Success', 105);
    assert.deepEqual(clock.snapshot(1000), { busyMs: 100, idleMs: 5, lockedMs: 0 });
  });

  test('a snapshot includes the stretch in progress without closing it', () => {
    const clock = new UsageClock('Unlock', 0);
    assert.equal(clock.snapshot(40).idleMs, 40);
    assert.equal(clock.snapshot(90).idleMs, 90);
  });
});
