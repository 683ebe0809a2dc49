import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import type { Caller } from '../computation/task-types.js';
import { createTestRuntime } from '../engine-conn/fixtures/script-engine.js';
import type { EngineConnEvents } from '../events/engine-conn-events.js';
import { SyncListenerBus } from '../events/listener-bus.js';
import { createTaskContext } from './create-task-context.js';
import { EngineConnTask } from './engine-conn-task.js';
import { TaskAbortError, taskAbortReasonOf } from './task-abort.js';

const alice: Caller = { user: 'alice', admin: false };

function newTask(dir = join(tmpdir(), 'ec-abort-test-never-made')): EngineConnTask {
  return new EngineConnTask({
    id: 't-1',
    owner: 'alice',
    code: '',
    runType: 'script',
    properties: {},
    labels: {},
    dir,
    log: { memoryLines: 10, maxLines: 0, maxChars: 0 },
    bus: new SyncListenerBus<EngineConnEvents>(),
  });
}

describe('TaskContext.workDir', () => {
  const root = mkdtempSync(join(tmpdir(), 'ec-workdir-test-'));
  after(() => rmSync(root, { recursive: true, force: true }));

  test('is created when an engine first reads it, not before', () => {
    const dir = join(root, 'tasks', 't-1');
    const task = newTask(dir);
    const context = createTaskContext(task, 'alice', 100);
    assert.equal(existsSync(dir), false);
    assert.equal(context.workDir, dir);
    assert.equal(statSync(dir).isDirectory(), true);
    assert.equal(context.workDir, dir);
  });

  test('a task that writes no log, no result and never reads it leaves no directory behind', async () => {
    const runtime = await createTestRuntime();
    const { id } = runtime.submit({ code: 'sleep 1' }, alice);
    const view = runtime.getTask(id, alice);
    assert.equal((await view.finished).status, 'Succeed');
    assert.equal(existsSync(join(runtime.context.dataDir, 'tasks', id)), false);
    await runtime.shutdown();
    rmSync(runtime.context.dataDir, { recursive: true, force: true });
  });
});

describe('TaskContext abort: signal, aborted, onAbort', () => {
  test('onAbort hears the abort once, with the TaskAbortError the signal carries', () => {
    const task = newTask();
    const context = createTaskContext(task, 'alice', 100);
    const heard: unknown[] = [];
    context.onAbort((reason) => heard.push(reason));
    assert.equal(context.aborted, false);
    const signal = context.signal;
    assert.equal(signal.aborted, false);
    assert.equal(task.abort({ kind: 'kill', by: 'bob' }), true);
    assert.equal(context.aborted, true);
    assert.equal(signal.aborted, true);
    assert.equal(heard.length, 1);
    assert.ok(heard[0] instanceof TaskAbortError);
    assert.equal(heard[0], signal.reason);
    assert.deepEqual((heard[0] as TaskAbortError).reason, { kind: 'kill', by: 'bob' });
  });

  test('a signal first read after the abort is already aborted, with the same reason', () => {
    const task = newTask();
    const context = createTaskContext(task, 'alice', 100);
    task.abort({ kind: 'timeout', timeoutMs: 5 });
    assert.equal(context.aborted, true);
    assert.equal(context.signal.aborted, true);
    assert.equal(taskAbortReasonOf(context.signal)?.kind, 'timeout');
    assert.equal(context.signal, task.signal);
  });

  test('a removed listener is not called; one added after the abort is never called', () => {
    const task = newTask();
    const context = createTaskContext(task, 'alice', 100);
    let removedCalls = 0;
    let keptCalls = 0;
    const remove = context.onAbort(() => removedCalls++);
    context.onAbort(() => keptCalls++);
    remove();
    task.abort({ kind: 'shutdown' });
    task.abort({ kind: 'kill' });
    let lateCalls = 0;
    context.onAbort(() => lateCalls++)();
    assert.deepEqual([removedCalls, keptCalls, lateCalls], [0, 1, 0]);
  });

  test('a listener removed by one that ran before it on the abort is not called, as on a signal', () => {
    const task = newTask();
    const context = createTaskContext(task, 'alice', 100);
    let laterCalls = 0;
    let removeLater = () => {};
    context.onAbort(() => removeLater());
    removeLater = context.onAbort(() => laterCalls++);
    task.abort({ kind: 'kill' });
    assert.equal(laterCalls, 0);
  });

  test('a listener that throws neither fails the kill nor keeps the next one from stopping its work', async () => {
    const task = newTask();
    const context = createTaskContext(task, 'alice', 100);
    let stopped = false;
    context.onAbort(() => {
      throw new Error('interrupt refused');
    });
    context.onAbort(() => {
      stopped = true;
    });
    assert.equal(task.abort({ kind: 'kill' }), true);
    assert.equal(stopped, true);
    const { lines } = await task.log.read(0, 10);
    assert.deepEqual(lines, ['[engineconn] stopping the work failed in the engine: interrupt refused']);
  });
});
