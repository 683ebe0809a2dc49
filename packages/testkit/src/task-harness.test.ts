import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TaskAbortError, taskAbortReasonOf } from '@engineconn/core';
import { createHarnessTask } from './task-harness.js';

describe('createHarnessTask', () => {
  test("a bare abort() is a kill, as the runtime's: signal.reason and onAbort get one TaskAbortError", () => {
    const task = createHarnessTask({ code: '' });
    let heard: unknown;
    task.context.onAbort((reason) => {
      heard = reason;
    });
    task.controller.abort();
    assert.ok(task.context.aborted);
    assert.ok(heard instanceof TaskAbortError);
    assert.equal(heard, task.context.signal.reason);
    assert.deepEqual(taskAbortReasonOf(task.context.signal), { kind: 'kill' });
  });

  test('an abort with a reason of its own keeps it', () => {
    const task = createHarnessTask({ code: '' });
    const timeout = new TaskAbortError({ kind: 'timeout', timeoutMs: 5 });
    task.controller.abort(timeout);
    assert.equal(task.context.signal.reason, timeout);
  });
});
