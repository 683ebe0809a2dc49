import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Caller } from '../computation/task-types.js';
import { createTestRuntime } from './fixtures/script-engine.js';

const alice: Caller = { user: 'alice', admin: false };

describe('TaskView.finished', () => {
  test('resolves with the terminal info, its log and results complete and `done` published', async () => {
    const runtime = await createTestRuntime();
    const view = runtime.getTask(runtime.submit({ code: 'log hello\nrows 3' }, alice).id, alice);
    const info = await view.finished;
    assert.equal(info.status, 'Succeed');
    assert.equal(info.id, view.id);
    assert.ok(info.finishedAt, 'the info carries its end time');
    assert.deepEqual(
      info.resultSets.map((r) => r.rowCount),
      [3],
    );
    assert.equal(view.journal.done, true);
    assert.deepEqual((await view.readLogs(0, 10)).lines.at(-1)?.endsWith('hello'), true);
    await runtime.shutdown();
  });

  test('carries the error of a task that failed', async () => {
    const runtime = await createTestRuntime();
    const view = runtime.getTask(runtime.submit({ code: 'fail broken on purpose' }, alice).id, alice);
    const info = await view.finished;
    assert.equal(info.status, 'Failed');
    assert.match(info.error?.message ?? '', /broken on purpose/);
    await runtime.shutdown();
  });

  test('resolves Cancelled for a killed task, and for a view made after the end', async () => {
    const runtime = await createTestRuntime();
    const { id } = runtime.submit({ code: 'sleep 60000' }, alice);
    const view = runtime.getTask(id, alice);
    runtime.kill(id, alice);
    assert.equal((await view.finished).status, 'Cancelled');
    assert.equal((await runtime.getTask(id, alice).finished).status, 'Cancelled');
    await runtime.shutdown();
  });
});

describe('submitTask and TaskView.ended', () => {
  test('submitTask admits the task like submit and returns the view getTask gives', async () => {
    const runtime = await createTestRuntime();
    const view = runtime.submitTask({ code: 'log hello\nrows 2' }, alice);
    assert.equal(runtime.getTask(view.id, alice).id, view.id, 'the task is in the task list');
    assert.equal(await view.ended, 'Succeed');
    const info = view.info();
    assert.equal(info.status, 'Succeed', 'once ended, info() is terminal');
    assert.equal(view.journal.done, true, '`done` is published by then');
    assert.deepEqual(
      info.resultSets.map((r) => r.rowCount),
      [2],
    );
    await runtime.shutdown();
  });

  test('ended resolves with the status of a failed or a killed task', async () => {
    const runtime = await createTestRuntime();
    assert.equal(await runtime.submitTask({ code: 'fail on purpose' }, alice).ended, 'Failed');
    const sleeping = runtime.submitTask({ code: 'sleep 60000' }, alice);
    runtime.kill(sleeping.id, alice);
    assert.equal(await sleeping.ended, 'Cancelled');
    await runtime.shutdown();
  });

  test('submitTask refuses like submit once the EngineConn is stopping', async () => {
    const runtime = await createTestRuntime();
    await runtime.shutdown();
    assert.throws(() => runtime.submitTask({ code: 'rows 1' }, alice), /shutting down|not taking/i);
  });
});
