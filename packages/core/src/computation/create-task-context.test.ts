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

const alice: Caller = { user: 'alice', admin: false };

describe('TaskContext.workDir', () => {
  const root = mkdtempSync(join(tmpdir(), 'ec-workdir-test-'));
  after(() => rmSync(root, { recursive: true, force: true }));

  test('is created when an engine first reads it, not before', () => {
    const dir = join(root, 'tasks', 't-1');
    const task = new EngineConnTask({
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
