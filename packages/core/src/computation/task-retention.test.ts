import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { EngineConnRuntime } from '../engine-conn/engine-conn-runtime.js';
import { createTestRuntime } from '../engine-conn/fixtures/script-engine.js';
import { waitFor } from '../testing/wait-for.js';
import type { Caller } from './task-types.js';

const alice: Caller = { user: 'alice', admin: false };

async function run(runtime: EngineConnRuntime, code: string): Promise<string> {
  const view = runtime.submitTask({ code }, alice);
  await view.ended;
  return view.id;
}

const kept = (runtime: EngineConnRuntime, id: string) => runtime.allTasks().some((t) => t.id === id);

/** V8's own collector, reachable without starting node with --expose-gc. */
function collectGarbage(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

describe('finished tasks are kept for the retention time and count', () => {
  test('every finished task goes once the retention time has passed, the one timer included', async () => {
    const runtime = await createTestRuntime({ options: { 'ec.taskRetention': '150ms' } });
    try {
      const ids = [await run(runtime, 'log a'), await run(runtime, 'rows 2'), await run(runtime, 'log c')];
      await waitFor(() => ids.every((id) => !kept(runtime, id)), { what: 'the finished tasks to be evicted' });
      // Tasks that finish after the others went are kept and go in their turn.
      const later = await run(runtime, 'log d');
      assert.ok(kept(runtime, later), 'a task that just finished is kept');
      await waitFor(() => !kept(runtime, later), { what: 'the later task to be evicted' });
    } finally {
      await runtime.shutdown();
    }
  });

  test('a task evicted by the count is not held in memory until its retention time', async () => {
    const runtime = await createTestRuntime({ options: { 'ec.taskRetentionCount': '1', 'ec.taskRetention': '1h' } });
    const gc = collectGarbage();
    try {
      // The view is dropped here; only the WeakRef to the first task's journal is left to the test.
      const { id, journal } = await (async () => {
        const first = runtime.submitTask({ code: 'log held?' }, alice);
        await first.ended;
        return { id: first.id, journal: new WeakRef(first.journal) };
      })();
      await run(runtime, 'log second');
      assert.ok(!kept(runtime, id), 'the count evicted the first task');
      await waitFor(
        () => {
          gc();
          return journal.deref() === undefined;
        },
        { what: "the evicted task's journal to be collected", timeoutMs: 5000 },
      );
    } finally {
      await runtime.shutdown();
    }
  });
});
