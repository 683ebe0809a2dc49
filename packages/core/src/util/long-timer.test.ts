import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, mock, test } from 'node:test';
import { MAX_TIMER_MS, setLongInterval, setLongTimeout } from './long-timer.js';

const DAY = 86_400_000;

describe('long timers', () => {
  beforeEach(() => mock.timers.enable({ apis: ['setTimeout', 'Date'] }));
  afterEach(() => mock.timers.reset());

  test('a 30-day timeout waits 30 days, across the limit of one Node timer', () => {
    let fired = 0;
    setLongTimeout(() => fired++, 30 * DAY);
    mock.timers.tick(MAX_TIMER_MS + 1);
    assert.equal(fired, 0, 'not fired after one Node timer');
    mock.timers.tick(30 * DAY - MAX_TIMER_MS - 2);
    assert.equal(fired, 0, 'not fired a millisecond early');
    mock.timers.tick(1);
    assert.equal(fired, 1);
    mock.timers.tick(60 * DAY);
    assert.equal(fired, 1, 'a timeout fires once');
  });

  test('a 30-day interval fires every 30 days, not every millisecond', () => {
    let fired = 0;
    const timer = setLongInterval(() => fired++, 30 * DAY);
    mock.timers.tick(29 * DAY);
    assert.equal(fired, 0);
    mock.timers.tick(DAY);
    assert.equal(fired, 1);
    mock.timers.tick(30 * DAY);
    assert.equal(fired, 2);
    timer.clear();
    mock.timers.tick(90 * DAY);
    assert.equal(fired, 2, 'cleared');
  });

  test('refresh starts the full delay again', () => {
    let fired = 0;
    const timer = setLongTimeout(() => fired++, 1000);
    mock.timers.tick(900);
    timer.refresh();
    mock.timers.tick(900);
    assert.equal(fired, 0);
    mock.timers.tick(100);
    assert.equal(fired, 1);
  });

  test('refreshing an armed timer moves its deadline without arming another Node timer', () => {
    let fired = 0;
    const timer = setLongTimeout(() => fired++, 1000);
    const armed = mock.method(globalThis, 'setTimeout');
    for (let i = 0; i < 100; i++) {
      mock.timers.tick(5);
      timer.refresh();
    }
    assert.equal(armed.mock.callCount(), 0, 'no Node timer armed by a refresh');
    mock.timers.tick(999);
    assert.equal(fired, 0, 'the deadline moved with the last refresh');
    mock.timers.tick(1);
    assert.equal(fired, 1);
    armed.mock.restore();
  });

  test('refresh after the timeout fired arms it again', () => {
    let fired = 0;
    const timer = setLongTimeout(() => fired++, 1000);
    mock.timers.tick(1000);
    assert.equal(fired, 1);
    timer.refresh();
    mock.timers.tick(1000);
    assert.equal(fired, 2);
  });
});
