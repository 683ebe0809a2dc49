import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { EngineConnError } from '@engineconn/protocol/constants';
import type { Caller } from '../computation/task-types.js';
import { waitFor } from '../testing/wait-for.js';
import type { EngineConnRuntime } from './engine-conn-runtime.js';
import { createTestRuntime } from './fixtures/script-engine.js';

// Node fires a timer longer than about 24.8 days after 1 ms. Each case runs a short task that ends
// on its own well after that millisecond: a 30-day timer that overflowed has fired by then.

const alice: Caller = { user: 'alice', admin: false };

async function run(runtime: EngineConnRuntime, code: string, properties?: Record<string, unknown>) {
  const { id } = runtime.submit({ code, ...(properties ? { properties } : {}) }, alice);
  return runtime.getTask(id, alice).finished;
}

describe('durations longer than one Node timer', () => {
  test("a 30-day 'timeout' property lets a task run to its end", async () => {
    const runtime = await createTestRuntime();
    const info = await run(runtime, 'sleep 30', { timeout: '30d' });
    assert.equal(info.status, 'Succeed');
    await runtime.shutdown();
  });

  test('a task past the documented maximum is refused with EC_BAD_REQUEST naming it', async () => {
    const runtime = await createTestRuntime();
    assert.throws(
      () => runtime.submit({ code: 'log x', properties: { timeout: '400d' } }, alice),
      (err: unknown) =>
        err instanceof EngineConnError && err.code === 'EC_BAD_REQUEST' && /at most 365d/.test(err.message),
    );
    await runtime.shutdown();
  });

  test('ec.taskRetention=30d keeps finished tasks', async () => {
    const runtime = await createTestRuntime({ options: { 'ec.taskRetention': '30d' } });
    const first = await run(runtime, 'log kept');
    await run(runtime, 'sleep 30');
    assert.equal(runtime.getTask(first.id, alice).info().status, 'Succeed');
    await runtime.shutdown();
  });

  test('ec.maxFreeTime=30d does not release the EngineConn at start', async () => {
    const runtime = await createTestRuntime({ options: { 'ec.maxFreeTime': '30d' } });
    await run(runtime, 'sleep 30');
    await run(runtime, 'sleep 30');
    assert.equal(runtime.status, 'Unlock');
    await runtime.shutdown();
  });

  test('a serial lock of 30 days allowed by ec.lockMaxTimeout is still held', async () => {
    const runtime = await createTestRuntime({ executor: 'serial', options: { 'ec.lockMaxTimeout': '60d' } });
    const { lock } = runtime.lock(alice, 30 * 86_400_000);
    const { id } = runtime.submit({ code: 'sleep 30', lock }, alice);
    await runtime.getTask(id, alice).finished;
    // The EngineConn leaves Busy once the task's end has been processed: Idle if the lock is held.
    const status = await waitFor(() => runtime.status, { until: (s) => s !== 'Busy', what: 'the end of Busy' });
    assert.equal(status, 'Idle', 'the lock is still held');
    await runtime.shutdown();
  });

  test('an option past the maximum fails the start with EC_CONFIG_INVALID', async () => {
    await assert.rejects(
      createTestRuntime({ options: { 'ec.taskRetention': '1000d' } }),
      (err: unknown) =>
        err instanceof EngineConnError && err.code === 'EC_CONFIG_INVALID' && /ec\.taskRetention/.test(err.message),
    );
  });
});
