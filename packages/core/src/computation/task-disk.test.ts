import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { describe, test } from 'node:test';
import type { EngineConnRuntime } from '../engine-conn/engine-conn-runtime.js';
import { createTestRuntime } from '../engine-conn/fixtures/script-engine.js';
import { waitFor } from '../testing/wait-for.js';
import type { Caller } from './task-types.js';

const alice: Caller = { user: 'alice', admin: false };

async function run(runtime: EngineConnRuntime, code: string) {
  const { id } = runtime.submit({ code }, alice);
  const task = runtime.allTasks().find((t) => t.id === id);
  assert.ok(task);
  await task.finished;
  return task;
}

describe('what a task leaves on disk', () => {
  test('a task that kept everything in memory has no directory; one that spilled has it until evicted', async () => {
    const runtime = await createTestRuntime({ options: { 'ec.taskRetentionCount': '1' } });
    try {
      // 20,000 rows are more than an in-memory set holds: the set goes to its file.
      const big = await run(runtime, 'rows 20000');
      assert.equal(big.onDisk, true);
      assert.ok(existsSync(big.dir), 'the spilled task has its directory');
      const small = await run(runtime, 'log one line\nrows 2');
      assert.equal(small.onDisk, false);
      assert.ok(!existsSync(small.dir), 'a task held in memory makes no directory');
      // Retaining one task at most evicted the big one: its directory goes with it.
      await waitFor(() => !existsSync(big.dir), { what: 'the evicted task’s directory to be removed' });
      assert.equal(small.workDir(), small.dir);
      assert.equal(small.onDisk, true);
      assert.ok(existsSync(small.dir), 'workDir makes the directory when an engine asks for it');
    } finally {
      await runtime.shutdown();
    }
  });
});
