import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TaskInfoSchema } from '@engineconn/protocol';
import { taskInfoJson } from '../computation/task-info-json.js';
import type { Caller } from '../computation/task-types.js';
import { createTestRuntime } from './fixtures/script-engine.js';

const alice: Caller = { user: 'alice', admin: false };

test('progress entries an engine passes with keys more or fewer reach every reader as the wire has them', async () => {
  const runtime = await createTestRuntime();
  try {
    const entries = [
      { id: 'stage-1', totalTasks: 4, runningTasks: 1, failedTasks: 0, succeedTasks: 3, secret: 'engine detail' },
      { id: 7, totalTasks: 2 },
      { totalTasks: Number.NaN, runningTasks: 'two' },
    ];
    const { id } = runtime.submit({ code: `progress 0.5 ${JSON.stringify(entries)}\nsleep 1` }, alice);
    const info = await runtime.getTask(id, alice).finished;
    const expected = [
      { id: 'stage-1', totalTasks: 4, runningTasks: 1, failedTasks: 0, succeedTasks: 3 },
      { id: '7', totalTasks: 2, runningTasks: 0, failedTasks: 0, succeedTasks: 0 },
      { id: '', totalTasks: 0, runningTasks: 0, failedTasks: 0, succeedTasks: 0 },
    ];
    assert.deepEqual(info.progressInfo, expected);
    assert.equal(TaskInfoSchema.safeParse(info).success, true);
    // The one-request answer's writer and JSON.stringify (GET) give the same text.
    assert.equal(taskInfoJson(info), JSON.stringify(info));
    const events = await runtime.getTask(id, alice).journal.read(0, 100);
    const progress = events.find((e) => e.event === 'progress');
    assert.ok(progress, 'a progress event');
    assert.deepEqual((progress.data as { progressInfo: unknown }).progressInfo, expected);
  } finally {
    await runtime.shutdown();
  }
});
