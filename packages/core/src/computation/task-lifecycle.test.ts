import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { EngineConnError } from '@engineconn/protocol/constants';
import { createTestRuntime } from '../engine-conn/fixtures/script-engine.js';
import { waitFor } from '../testing/wait-for.js';
import { TaskAbortError } from './task-abort.js';
import type { Caller } from './task-types.js';

const alice: Caller = { user: 'alice', admin: false };

describe('task lifecycle', () => {
  test('a task is registered before it is scheduled: its first status event can look it up', async () => {
    const runtime = await createTestRuntime();
    const lookedUp: string[] = [];
    runtime.bus.on('taskStatusChanged', (change) => {
      if (change.from !== 'Inited') return;
      // A listener that follows every task (the WebSocket's `*`) looks the task up right here.
      lookedUp.push(runtime.getTask(change.taskId, alice).info().id);
    });
    const { id } = runtime.submit({ code: 'log hi' }, alice);
    assert.deepEqual(lookedUp, [id]);
    await runtime.getTask(id, alice).finished;
    await runtime.shutdown();
  });

  test('a refused task is not left registered', async () => {
    const runtime = await createTestRuntime({ executor: 'serial', options: { 'ec.shutdownGrace': '0' } });
    const first = runtime.submit({ code: 'sleep 5000' }, alice);
    assert.throws(
      () => runtime.submit({ code: 'log x' }, alice),
      (err) => err instanceof EngineConnError && err.code === 'EC_BUSY',
    );
    assert.deepEqual(
      runtime.listTasks(alice).map((t) => t.id),
      [first.id],
    );
    await runtime.shutdown();
  });

  test("a kill: the engine reads a typed reason on signal.reason, and its own error is the terminal error's cause", async () => {
    const runtime = await createTestRuntime();
    const { id } = runtime.submit({ code: 'stoppable 10000' }, alice);
    const task = runtime.allTasks().find((t) => t.id === id);
    assert.ok(task);
    await waitFor(() => task.status === 'Running', { what: 'the task to run' });
    runtime.kill(id, alice);
    assert.ok(task.signal.reason instanceof TaskAbortError);
    assert.deepEqual(task.abortReason, { kind: 'kill', by: 'alice' });
    assert.equal(await task.finished, 'Cancelled');
    assert.equal(task.error?.code, 'EC_TASK_CANCELLED');
    assert.ok(task.failure instanceof TaskAbortError);
    const cause = task.failure.cause;
    assert.ok(cause instanceof EngineConnError, 'the engine error is kept');
    assert.match(cause.message, /the script stopped at its checkpoint/);
    const { lines } = await runtime.getTask(id, alice).readLogs(0, 100);
    assert.ok(lines.includes('abort reason: {"kind":"kill","by":"alice"}'), lines.join('\n'));
    await runtime.shutdown();
  });

  test('a timeout reaches the engine as { kind: timeout, timeoutMs } and ends Timeout', async () => {
    const runtime = await createTestRuntime();
    const { id } = runtime.submit({ code: 'stoppable 10000', properties: { timeout: '50ms' } }, alice);
    const view = runtime.getTask(id, alice);
    const info = await view.finished;
    assert.equal(info.status, 'Timeout');
    assert.equal(info.error?.code, 'EC_TASK_TIMEOUT');
    const { lines } = await view.readLogs(0, 100);
    assert.ok(lines.includes('abort reason: {"kind":"timeout","timeoutMs":50}'), lines.join('\n'));
    await runtime.shutdown();
  });

  test('a shutdown aborts running tasks with { kind: shutdown }', async () => {
    const runtime = await createTestRuntime({ options: { 'ec.shutdownGrace': '0' } });
    const { id } = runtime.submit({ code: 'stoppable 10000' }, alice);
    const task = runtime.allTasks().find((t) => t.id === id);
    assert.ok(task);
    await waitFor(() => task.status === 'Running', { what: 'the task to run' });
    await runtime.shutdown();
    assert.deepEqual(task.abortReason, { kind: 'shutdown' });
    assert.equal(task.status, 'Cancelled');
  });

  test("a task's state is read-only from outside", async () => {
    const runtime = await createTestRuntime();
    const { id } = runtime.submit({ code: 'log x' }, alice);
    const task = runtime.allTasks().find((t) => t.id === id);
    assert.ok(task);
    await task.finished;
    for (const field of ['progress', 'startedAt', 'finishedAt', 'error', 'abortReason', 'signal', 'lastTouchedAt']) {
      assert.throws(
        () => {
          (task as unknown as Record<string, unknown>)[field] = 1;
        },
        TypeError,
        `${field} cannot be assigned`,
      );
    }
    await runtime.shutdown();
  });
});
