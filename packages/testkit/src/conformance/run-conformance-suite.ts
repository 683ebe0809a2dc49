import assert from 'node:assert/strict';
import { after, before, describe, type TestContext, test } from 'node:test';
import { type Column, EngineConnError, isTerminalTaskStatus, type TaskEvent, type TaskView } from '@engineconn/core';
import { waitFor } from '@engineconn/core/testing';
import {
  finish,
  newMarker,
  type OpenRuntime,
  OWNER,
  openRuntime,
  readAllOutput,
  readLog,
  readTable,
} from './conformance-runtime.js';
import type { ConformanceSpec, ExpectedResultSet } from './conformance-spec.js';
import { liveDescendants } from './proc.js';

/** A hung engine fails its test instead of the whole run. */
const DEFAULT_TEST_TIMEOUT_MS = 30_000;
const BACKSTOP_NOTE = 'did not confirm the stop';

function isErrorCode(code: string) {
  return (err: unknown) => err instanceof EngineConnError && err.code === code;
}

async function checkResults(view: TaskView, expected: readonly ExpectedResultSet[]): Promise<void> {
  const info = view.info();
  assert.equal(info.status, 'Succeed', `task failed: ${info.error?.message}`);
  const metas = view.results.list();
  assert.deepEqual(
    metas.map((m) => m.type),
    expected.map((e) => e.type),
    'result set types',
  );
  for (const [index, want] of expected.entries()) {
    const meta = metas[index]!;
    assert.equal(meta.complete, true, `result set ${index} is complete`);
    if (want.type === 'TABLE') {
      const columns = meta.columns ?? [];
      if (want.columns.every((c): c is string => typeof c === 'string')) {
        assert.deepEqual(
          columns.map((c) => c.name),
          want.columns,
          `columns of result set ${index}`,
        );
      } else {
        assert.deepEqual(columns, want.columns as readonly Column[], `columns of result set ${index}`);
      }
      assert.deepEqual(await readTable(view, index), want.rows, `rows of result set ${index}`);
      assert.equal(meta.rowCount, want.rows.length, `rowCount of result set ${index}`);
    } else {
      const text = (await view.results.readContent(index)).toString('utf8');
      if (typeof want.text === 'string') assert.equal(text, want.text, `content of result set ${index}`);
      else assert.match(text, want.text, `content of result set ${index}`);
    }
  }
}

/** Asserts that `wanted` appear in `lines` in this order, other lines allowed in between. */
function assertInOrder(lines: readonly string[], wanted: readonly (string | RegExp)[]): void {
  let at = 0;
  for (const want of wanted) {
    const found = lines.findIndex((line, i) => i >= at && (typeof want === 'string' ? line === want : want.test(line)));
    assert.ok(found >= 0, `log line ${String(want)} missing (or out of order) in:\n${lines.join('\n')}`);
    at = found + 1;
  }
}

/** The order in which tasks started, produced output (log lines, result sets) and ended, from the bus. */
function recordTimeline(ec: OpenRuntime<unknown>) {
  const entries: { taskId: string; what: 'start' | 'output' | 'end' }[] = [];
  ec.runtime.bus.on('taskStatusChanged', (e) => {
    if (e.to === 'Running') entries.push({ taskId: e.taskId, what: 'start' });
    else if (isTerminalTaskStatus(e.to)) entries.push({ taskId: e.taskId, what: 'end' });
  });
  ec.runtime.bus.on('taskLog', (e) => entries.push({ taskId: e.taskId, what: 'output' }));
  ec.runtime.bus.on('taskResultSet', (e) => entries.push({ taskId: e.taskId, what: 'output' }));
  return {
    /** Did `producer` emit output between `runner`'s start and end? */
    outputWhileRunning(producer: string, runner: string): boolean {
      const start = entries.findIndex((e) => e.taskId === runner && e.what === 'start');
      const end = entries.findIndex((e) => e.taskId === runner && e.what === 'end');
      return entries.some((e, i) => i > start && i < end && e.taskId === producer && e.what === 'output');
    },
    describe(a: string, b: string): string {
      return entries.map((e) => `${e.taskId === a ? 'A' : e.taskId === b ? 'B' : '?'}:${e.what}`).join(' ');
    },
  };
}

function statusesOf(events: readonly TaskEvent[]): string[] {
  return events.flatMap((e) => (e.event === 'status' ? [e.data.status] : []));
}

/**
 * Defines the conformance tests every engine must pass, run through the real EngineConnRuntime with
 * the real engine: results, logs, progress, failure, kill (proved by the spec's engine/OS probe),
 * concurrency (or EC_BUSY for a serial engine) and close. Each test starts its own EngineConn.
 */
export function runConformanceSuite<S>(spec: ConformanceSpec<S>): void {
  const executor = spec.executor ?? spec.plugin.defaultExecutor;
  const startWithinMs = spec.long.startWithinMs ?? 10_000;
  const options = () => (typeof spec.options === 'function' ? spec.options() : (spec.options ?? {}));
  const open = (t: TestContext) => openRuntime(spec, options(), t);
  const longCode = (marker: string) => (typeof spec.long.code === 'function' ? spec.long.code(marker) : spec.long.code);
  const isWorkRunning = (ec: OpenRuntime<S>, view: TaskView) =>
    spec.long.isWorkRunning(ec.session, view.info(), ec.probe);

  /** Starts the long task and waits until the probe sees its work running. */
  async function startLong(ec: OpenRuntime<S>): Promise<TaskView> {
    const view = ec.submit(longCode(ec.probe.marker));
    await waitFor(
      async () => {
        const status = view.info().status;
        if (status !== 'Running' && status !== 'Scheduled') {
          throw new Error(`the long task ended ${status}: ${view.info().error?.message}`);
        }
        return status === 'Running' && (await isWorkRunning(ec, view));
      },
      { what: 'the long task’s work to run (per the probe)', timeoutMs: startWithinMs },
    );
    return view;
  }

  async function expectResultsWork(ec: OpenRuntime<S>): Promise<void> {
    const next = ec.submit(spec.results.code);
    await finish(next);
    await checkResults(next, spec.results.expect);
  }

  const TEST_TIMEOUT_MS = spec.testTimeoutMs ?? DEFAULT_TEST_TIMEOUT_MS;
  describe(`${spec.plugin.name} engine conformance (${executor} executor)`, { timeout: 4 * TEST_TIMEOUT_MS }, () => {
    if (spec.before) before(spec.before);
    if (spec.after) after(spec.after);

    test('runs a task and reads its result sets back', { timeout: TEST_TIMEOUT_MS }, async (t) => {
      const ec = await open(t);
      const view = ec.submit(spec.results.code);
      const { events } = await finish(view);
      await checkResults(view, spec.results.expect);
      const announced = events.flatMap((e) => (e.event === 'resultSet' ? [e.data.index] : []));
      assert.deepEqual(announced, [...spec.results.expect.keys()], 'one resultSet event per set, in order');
    });

    test('streams its log in order, as the journal tells it', { timeout: TEST_TIMEOUT_MS }, async (t) => {
      const ec = await open(t);
      const view = ec.submit(spec.logs.code);
      const { info, events } = await finish(view);
      assert.equal(info.status, 'Succeed', `task failed: ${info.error?.message}`);
      const streamed: string[] = [];
      for (const e of events) {
        if (e.event !== 'log') continue;
        assert.equal(e.data.from, streamed.length, 'log events are contiguous and in order');
        streamed.push(...e.data.lines);
      }
      const log = await readLog(view);
      assert.deepEqual(streamed, log, 'the journal’s log events are the task log');
      assert.equal(info.logLines, log.length);
      assertInOrder(log, spec.logs.lines);
    });

    test('reports progress that only grows and ends at 1', { timeout: TEST_TIMEOUT_MS }, async (t) => {
      const ec = await open(t);
      const view = ec.submit(spec.multi.code);
      const { info, events } = await finish(view);
      assert.equal(info.status, 'Succeed', `task failed: ${info.error?.message}`);
      const progress = events.flatMap((e) => (e.event === 'progress' ? [e.data.progress] : []));
      t.diagnostic(`progress events: ${progress.map((p) => p.toFixed(2)).join(' ')}`);
      assert.ok(progress.length > 0, 'at least one progress event');
      for (const [i, value] of progress.entries()) {
        assert.ok(value >= 0 && value <= 1, `progress ${value} in [0, 1]`);
        if (i > 0) assert.ok(value >= progress[i - 1]!, `progress went back: ${progress.join(', ')}`);
      }
      assert.equal(progress.at(-1), 1);
      assert.equal(info.progress, 1);
      const statuses = statusesOf(events);
      assert.equal(statuses.at(-1), 'Succeed');
      assert.ok(statuses.includes('Running'));
      assert.equal(events.at(-1)?.event, 'done');
      const expected = spec.multi.statements;
      if (expected !== undefined) {
        assert.deepEqual(info.statements, { total: expected, current: expected }, 'statements counted');
        assert.ok(
          progress.some((p) => p > 0 && p < 1),
          `progress between 0 and 1 on the way: ${progress.join(', ')}`,
        );
      }
    });

    test('a failing statement fails the task with the engine’s message; the next task works', {
      timeout: TEST_TIMEOUT_MS,
    }, async (t) => {
      const ec = await open(t);
      const view = ec.submit(spec.fail.code);
      const { info, events } = await finish(view);
      assert.equal(info.status, 'Failed');
      assert.equal(info.error?.code, spec.fail.errorCode ?? 'EC_ENGINE_ERROR');
      assert.match(info.error?.message ?? '', spec.fail.message);
      const done = events.at(-1);
      assert.ok(done?.event === 'done' && done.data.status === 'Failed' && done.data.error?.code === info.error?.code);
      assert.deepEqual(
        statusesOf(events).filter((s) => ['Succeed', 'Failed', 'Cancelled', 'Timeout'].includes(s)),
        ['Failed'],
        'exactly one terminal status',
      );
      await expectResultsWork(ec);
    });

    test('kill stops the real work, and the engine serves the next task', { timeout: TEST_TIMEOUT_MS }, async (t) => {
      const ec = await open(t);
      const view = await startLong(ec);
      const started = performance.now();
      ec.runtime.kill(view.id, OWNER);
      const { info } = await finish(view);
      const elapsed = performance.now() - started;
      t.diagnostic(`kill took ${elapsed.toFixed(0)} ms`);
      assert.equal(info.status, 'Cancelled');
      assert.equal(info.error?.code, 'EC_TASK_CANCELLED');
      // Cancelled means the work has stopped (docs/architecture.md): no settling time is allowed here.
      assert.equal(await isWorkRunning(ec, view), false, 'the probe still sees the work running after Cancelled');
      const log = await readLog(view);
      assert.ok(!log.some((l) => l.includes(BACKSTOP_NOTE)), 'the engine confirmed the stop itself');
      await expectResultsWork(ec);
    });

    if (executor === 'serial') {
      test('a second task while one runs is refused with EC_BUSY', { timeout: TEST_TIMEOUT_MS }, async (t) => {
        const ec = await open(t);
        const view = await startLong(ec);
        assert.throws(() => ec.submit(spec.results.code), isErrorCode('EC_BUSY'));
        ec.runtime.kill(view.id, OWNER);
        assert.equal((await finish(view)).info.status, 'Cancelled');
        await expectResultsWork(ec);
      });
    } else {
      test('concurrent tasks run at once and do not mix their outputs', { timeout: TEST_TIMEOUT_MS }, async (t) => {
        const concurrent = spec.concurrent;
        assert.ok(concurrent, `a ${executor} engine's spec must give a 'concurrent' sample`);
        const ec = await open(t);
        const markers = [newMarker('xa'), newMarker('xb')] as const;
        const timeline = recordTimeline(ec);
        const views = markers.map((m) => ec.submit(concurrent.code(m)));
        const finished = await Promise.all(views.map(finish));
        for (const { info } of finished) assert.equal(info.status, 'Succeed', `task failed: ${info.error?.message}`);
        const [a, b] = views.map((v) => v.id) as [string, string];
        assert.ok(
          timeline.outputWhileRunning(b, a) && timeline.outputWhileRunning(a, b),
          `each task must produce output while the other runs (engine-level concurrency): ${timeline.describe(a, b)}`,
        );
        for (const [i, view] of views.entries()) {
          const [own, other] = i === 0 ? markers : [markers[1], markers[0]];
          const output = await readAllOutput(view);
          assert.ok(output.includes(own), `task ${i} shows its own marker:\n${output}`);
          assert.ok(!output.includes(other), `task ${i} shows the other task’s marker:\n${output}`);
        }
      });
    }

    test('close kills running work, releases everything and exits Success', { timeout: TEST_TIMEOUT_MS }, async (t) => {
      const baseline = new Set(liveDescendants());
      const ec = await open(t);
      await expectResultsWork(ec);
      const view = await startLong(ec);
      const started = performance.now();
      const exit = await ec.runtime.shutdown('conformance: close');
      const elapsed = performance.now() - started;
      t.diagnostic(`shutdown with a running task took ${elapsed.toFixed(0)} ms`);
      assert.deepEqual({ status: exit.status, exitCode: exit.exitCode }, { status: 'Success', exitCode: 0 });
      assert.equal(ec.runtime.status, 'Success');
      assert.equal(view.info().status, 'Cancelled');
      assert.equal(await isWorkRunning(ec, view), false, 'the probe still sees the work running after shutdown');
      if (spec.isReleased)
        assert.equal(await spec.isReleased(ec.session, ec.probe), true, 'the session released everything');
      const left = liveDescendants(process.pid, baseline);
      assert.deepEqual(left, [], 'no child process is left behind');
      assert.throws(() => ec.submit(spec.results.code), isErrorCode('EC_SHUTTING_DOWN'));
    });
  });
}
