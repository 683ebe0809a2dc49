import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { EngineConnRuntime } from '../engine-conn/engine-conn-runtime.js';
import { createTestRuntime } from '../engine-conn/fixtures/script-engine.js';
import { waitFor } from '../testing/wait-for.js';
import type { LongTimer } from '../util/long-timer.js';
import { type RetentionClock, TaskRetention } from './task-retention.js';
import type { Caller } from './task-types.js';

const alice: Caller = { user: 'alice', admin: false };

async function run(runtime: EngineConnRuntime, code: string): Promise<string> {
  const view = runtime.submitTask({ code }, alice);
  await view.ended;
  return view.id;
}

const kept = (runtime: EngineConnRuntime, id: string) => runtime.allTasks().some((t) => t.id === id);

/** Time that moves only when the test says: a timer fires in advance(), once its time has come. */
class ManualClock implements RetentionClock {
  #time = 0;
  readonly #timers = new Set<{ at: number; fn: () => void }>();

  now(): number {
    return this.#time;
  }

  /** Timers armed and not yet fired or cleared. */
  get armed(): number {
    return this.#timers.size;
  }

  setTimeout(fn: () => void, ms: number): LongTimer {
    const timer = { at: this.#time + ms, fn };
    this.#timers.add(timer);
    return {
      clear: () => this.#timers.delete(timer),
      refresh: () => {
        timer.at = this.#time + ms;
        this.#timers.add(timer);
      },
    };
  }

  /** Moves the time on by `ms`, firing every timer due by then in the order they are due. */
  advance(ms: number): void {
    const until = this.#time + ms;
    for (;;) {
      const due = [...this.#timers].filter((t) => t.at <= until).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.#time = due.at;
      this.#timers.delete(due);
      due.fn();
    }
    this.#time = until;
  }
}

interface Finished {
  readonly name: string;
  readonly finishedAt: number;
}

/** A retention on a manual clock, and the names of the tasks it evicted, in order. */
function retention(ms: number, count: number) {
  const clock = new ManualClock();
  const evicted: string[] = [];
  const kept = new TaskRetention<Finished>({ ms, count, clock, evict: (task) => evicted.push(task.name) });
  const finish = (name: string) => kept.keep({ name, finishedAt: clock.now() });
  return { clock, evicted, kept, finish };
}

/** V8's own collector, reachable without starting node with --expose-gc. */
function collectGarbage(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

describe('finished tasks are kept for the retention time and count', () => {
  test('every finished task goes once the retention time has passed, with one timer for them all', () => {
    const { clock, evicted, kept, finish } = retention(150, 100);
    finish('a');
    clock.advance(10);
    finish('b');
    clock.advance(10);
    finish('c');
    assert.equal(clock.armed, 1, 'one timer, for the oldest');
    clock.advance(129);
    assert.deepEqual(evicted, [], 'a is 149 ms old: all are kept');
    clock.advance(1);
    assert.deepEqual(evicted, ['a']);
    assert.equal(kept.size, 2);
    clock.advance(20);
    assert.deepEqual(evicted, ['a', 'b', 'c']);
    assert.equal(clock.armed, 0, 'nothing kept, no timer');
    // Tasks that finish after the others went are kept and go in their turn.
    clock.advance(1000);
    finish('d');
    assert.equal(kept.size, 1, 'a task that just finished is kept');
    clock.advance(149);
    assert.deepEqual(evicted, ['a', 'b', 'c'], 'kept for its whole retention time');
    clock.advance(1);
    assert.deepEqual(evicted, ['a', 'b', 'c', 'd']);
    assert.equal(clock.armed, 0);
  });

  test('past the count the oldest goes at once; close() stops eviction by time', () => {
    const { clock, evicted, kept, finish } = retention(150, 2);
    finish('a');
    finish('b');
    finish('c');
    assert.deepEqual(evicted, ['a']);
    kept.close();
    kept.close();
    assert.equal(clock.armed, 0);
    clock.advance(1000);
    assert.deepEqual(evicted, ['a'], 'no timer after close');
  });

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
