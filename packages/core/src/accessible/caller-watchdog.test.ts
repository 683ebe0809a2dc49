import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { EngineConnTask } from '../computation/engine-conn-task.js';
import type { TaskAbortReason } from '../computation/task-abort.js';
import { TaskEventJournal } from '../events/task-event-journal.js';
import type { ExecutorKind } from '../plugin/engine-plugin.js';
import { testCreationContext } from '../testing/creation-context.js';
import { CallerWatchdog, type WatchedRuntime } from './caller-watchdog.js';

interface FakeTask {
  id: string;
  terminal: boolean;
  controller: AbortController;
  readonly aborted: boolean;
  journal: { followers: number };
  lastTouchedAt: number;
  lines: string[];
  log: { append(line: string): void };
}

function fakeTask(id: string, lastTouchedAt: number, followers = 0): FakeTask {
  const lines: string[] = [];
  const controller = new AbortController();
  return {
    id,
    terminal: false,
    controller,
    get aborted() {
      return controller.signal.aborted;
    },
    journal: { followers },
    lastTouchedAt,
    lines,
    log: { append: (line) => lines.push(line) },
  };
}

function fakeRuntime(tasks: FakeTask[], executor: ExecutorKind = 'concurrent', options: Record<string, string> = {}) {
  const killed: string[] = [];
  const runtime = {
    context: testCreationContext({ executor, options }),
    allTasks: () => tasks as unknown as EngineConnTask[],
    killTask: (task: EngineConnTask, reason: TaskAbortReason) => {
      assert.deepEqual(reason, { kind: 'caller' });
      killed.push(task.id);
      (task as unknown as FakeTask).controller.abort();
    },
  };
  return { runtime: runtime as unknown as WatchedRuntime, killed };
}

describe('CallerWatchdog', () => {
  test('kills only tasks nobody polled or followed for the timeout, and says so in their log', () => {
    const now = 100_000;
    const stale = fakeTask('stale', now - 5000);
    const polled = fakeTask('polled', now - 1000);
    const followed = fakeTask('followed', now - 60_000, 1);
    const done = { ...fakeTask('done', now - 60_000), terminal: true };
    const { runtime, killed } = fakeRuntime([stale, polled, followed, done]);
    const watchdog = new CallerWatchdog(runtime, { timeoutMs: 5000, label: '5s' });
    assert.equal(watchdog.check(now), 1);
    assert.deepEqual(killed, ['stale']);
    assert.deepEqual(stale.lines, ['[engineconn] killed: no caller followed this task for 5s']);
    assert.equal(watchdog.check(now + 1), 0, 'a task being killed is not killed again');
  });

  test('the end of an event stream restarts the clock instead of killing at once', () => {
    const task = fakeTask('t', 0, 1);
    const { runtime, killed } = fakeRuntime([task]);
    const watchdog = new CallerWatchdog(runtime, { timeoutMs: 1000 });
    watchdog.check(10_000);
    task.journal.followers = 0;
    assert.equal(watchdog.check(10_500), 0);
    assert.equal(watchdog.check(11_000), 1);
    assert.deepEqual(killed, ['t']);
    assert.match(task.lines[0] ?? '', /for 1s$/);
  });

  test('fromOptions: off without ec.callerTimeout and for the once executor; labels with the flag spelling', () => {
    assert.equal(CallerWatchdog.fromOptions(fakeRuntime([]).runtime), null);
    assert.equal(CallerWatchdog.fromOptions(fakeRuntime([], 'once', { 'ec.callerTimeout': '1s' }).runtime), null);
    const task = fakeTask('t', Date.now() - 120_000);
    const { runtime, killed } = fakeRuntime([task], 'serial', { 'ec.callerTimeout': '90s' });
    const watchdog = CallerWatchdog.fromOptions(runtime);
    assert.ok(watchdog);
    watchdog.close();
    watchdog.check();
    assert.deepEqual(killed, ['t']);
    assert.equal(task.lines[0], '[engineconn] killed: no caller followed this task for 90s');
  });

  test('a journal counts its open followers, which is what makes a stream count as following', async () => {
    const journal = new TaskEventJournal({ log: { read: async () => ({ lines: [] }) } });
    journal.append('status', { status: 'Running', at: new Date().toISOString() });
    const gone = new AbortController();
    const stream = journal.follow(0, gone.signal);
    assert.equal(journal.followers, 0, 'counted from the first read, not from creation');
    assert.equal((await stream.next()).value?.event, 'status');
    assert.equal(journal.followers, 1);
    const waiting = stream.next();
    gone.abort();
    assert.equal((await waiting).done, true);
    assert.equal(journal.followers, 0);
  });
});
