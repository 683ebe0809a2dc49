import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, mock, test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { EngineConnRuntime } from '../engine-conn/engine-conn-runtime.js';
import { createTestRuntime } from '../engine-conn/fixtures/script-engine.js';
import { waitFor } from '../testing/wait-for.js';
import { TaskRetention } from './task-retention.js';
import type { Caller } from './task-types.js';

const alice: Caller = { user: 'alice', admin: false };

async function run(runtime: EngineConnRuntime, code: string): Promise<string> {
  const view = runtime.submitTask({ code }, alice);
  await view.ended;
  return view.id;
}

const kept = (runtime: EngineConnRuntime, id: string) => runtime.allTasks().some((t) => t.id === id);

/**
 * The Node timers armed and not yet fired or cleared, counted on node:test's mocked setTimeout and
 * clearTimeout (the retention's LongTimer arms real Node timers, which the mock then holds).
 */
function countTimers(): { readonly armed: number } {
  const pending = new Set<unknown>();
  const arm = globalThis.setTimeout;
  const clear = globalThis.clearTimeout;
  mock.method(globalThis, 'setTimeout', (fn: () => void, ms: number) => {
    const timer = arm(() => {
      pending.delete(timer);
      fn();
    }, ms);
    pending.add(timer);
    return timer;
  });
  mock.method(globalThis, 'clearTimeout', (timer: NodeJS.Timeout) => {
    pending.delete(timer);
    clear(timer);
  });
  return {
    get armed() {
      return pending.size;
    },
  };
}

interface Finished {
  readonly name: string;
  readonly finishedAt: number;
}

/** A retention on the mocked clock, its timers, and the names of the tasks it evicted, in order. */
function retention(ms: number, count: number) {
  const timers = countTimers();
  const evicted: string[] = [];
  const kept = new TaskRetention<Finished>({ ms, count, evict: (task) => evicted.push(task.name) });
  const finish = (name: string) => kept.keep({ name, finishedAt: Date.now() });
  return { timers, evicted, kept, finish, advance: (by: number) => mock.timers.tick(by) };
}

/** V8's own collector, reachable without starting node with --expose-gc. */
function collectGarbage(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

describe('finished tasks are kept for the retention time and count (mocked time)', () => {
  beforeEach(() => mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 0 }));
  afterEach(() => {
    mock.restoreAll();
    mock.timers.reset();
  });

  test('every finished task goes once the retention time has passed, with one timer for them all', () => {
    const { timers, advance, evicted, kept, finish } = retention(150, 100);
    finish('a');
    advance(10);
    finish('b');
    advance(10);
    finish('c');
    assert.equal(timers.armed, 1, 'one timer, for the oldest');
    advance(129);
    assert.deepEqual(evicted, [], 'a is 149 ms old: all are kept');
    advance(1);
    assert.deepEqual(evicted, ['a']);
    assert.equal(kept.size, 2);
    advance(20);
    assert.deepEqual(evicted, ['a', 'b', 'c']);
    assert.equal(timers.armed, 0, 'nothing kept, no timer');
    // Tasks that finish after the others went are kept and go in their turn.
    advance(1000);
    finish('d');
    assert.equal(kept.size, 1, 'a task that just finished is kept');
    advance(149);
    assert.deepEqual(evicted, ['a', 'b', 'c'], 'kept for its whole retention time');
    advance(1);
    assert.deepEqual(evicted, ['a', 'b', 'c', 'd']);
    assert.equal(timers.armed, 0);
  });

  test('past the count the oldest goes at once; close() stops eviction by time', () => {
    const { timers, advance, evicted, kept, finish } = retention(150, 2);
    finish('a');
    finish('b');
    finish('c');
    assert.deepEqual(evicted, ['a']);
    kept.close();
    kept.close();
    assert.equal(timers.armed, 0);
    advance(1000);
    assert.deepEqual(evicted, ['a'], 'no timer after close');
  });
});

describe('finished tasks are kept for the retention time and count', () => {
  test('a runtime evicts its finished tasks once their retention time has passed', async () => {
    const runtime = await createTestRuntime({ options: { 'ec.taskRetention': '150ms' } });
    try {
      const ids = [await run(runtime, 'log a'), await run(runtime, 'rows 2'), await run(runtime, 'log c')];
      await waitFor(() => ids.every((id) => !kept(runtime, id)), { what: 'the finished tasks to be evicted' });
      const later = await run(runtime, 'log d');
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
