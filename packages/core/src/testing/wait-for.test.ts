import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { WaitTimeoutError, waitFor } from './wait-for.js';

describe('waitFor', () => {
  test('returns the first truthy value the probe gives', async () => {
    let calls = 0;
    const value = await waitFor(() => (++calls >= 3 ? { calls } : null), { intervalMs: 1 });
    assert.deepEqual(value, { calls: 3 });
  });

  test('with `until`, returns the first value it accepts, falsy ones included', async () => {
    const values = [3, 2, 1, 0, -1];
    assert.equal(await waitFor(() => values.shift(), { until: (n) => n === 0, intervalMs: 1 }), 0);
  });

  test('awaits an async probe', async () => {
    let n = 0;
    assert.equal(await waitFor(async () => ++n === 2, { intervalMs: 1 }), true);
  });

  test('names what was awaited and the last value seen when the deadline passes', async () => {
    let n = 0;
    const wait = waitFor(() => ({ status: 'Running', polls: ++n }), {
      what: 'the task to finish',
      until: (v) => v.status === 'Succeed',
      timeoutMs: 20,
      intervalMs: 1,
    });
    await assert.rejects(wait, (err: unknown) => {
      assert.ok(err instanceof WaitTimeoutError);
      assert.equal(err.what, 'the task to finish');
      assert.equal((err.lastValue as { status: string }).status, 'Running');
      assert.match(err.message, /Timed out after 20 ms waiting for the task to finish; last value seen: .*Running/);
      return true;
    });
  });

  test('without `what`, the message quotes the probe', async () => {
    const ready = false;
    await assert.rejects(
      waitFor(() => ready, { timeoutMs: 0 }),
      /waiting for \(\) => ready; last value seen: false/,
    );
  });

  test('a probe that throws ends the wait with its error', async () => {
    let calls = 0;
    await assert.rejects(
      waitFor(() => {
        calls++;
        throw new Error('the ready file says the start failed');
      }),
      /the ready file says the start failed/,
    );
    assert.equal(calls, 1);
  });

  test('probes at least once even with no time left', async () => {
    assert.equal(await waitFor(() => 'here', { timeoutMs: 0 }), 'here');
  });
});
