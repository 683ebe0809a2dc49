import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { NodeStatus } from '@engineconn/protocol/constants';
import { EngineConnError } from '@engineconn/protocol/constants';
import type { Caller } from '../computation/task-types.js';
import { waitFor } from '../testing/wait-for.js';
import type { EngineConnRuntime } from './engine-conn-runtime.js';
import { createTestRuntime } from './fixtures/script-engine.js';

const alice: Caller = { user: 'alice', admin: false };
const bob: Caller = { user: 'bob', admin: false };
const root: Caller = { user: 'root', admin: true };

function statuses(runtime: EngineConnRuntime): NodeStatus[] {
  const seen: NodeStatus[] = [];
  runtime.bus.on('nodeStatusChanged', (e) => seen.push(e.to));
  return seen;
}

function finished(runtime: EngineConnRuntime, id: string) {
  return runtime.getTask(id, root).finished;
}

function rejectsWith(fn: () => unknown, code: string) {
  assert.throws(fn, (err: unknown) => err instanceof EngineConnError && err.code === code);
}

describe('EngineConnRuntime', () => {
  test('create runs the hooks in order and resolves Unlock; shutdown ends Success', async () => {
    const order: string[] = [];
    const runtime = await createTestRuntime({
      hooks: [
        {
          beforeCreateEngineConn: () => void order.push('beforeCreateEngineConn'),
          beforeExecutionExecute: () => void order.push('beforeExecutionExecute'),
          afterExecutionExecute: () => void order.push('afterExecutionExecute'),
          afterEngineServerStartSuccess: () => void order.push('afterEngineServerStartSuccess'),
          beforeShutdown: (_ctx, ec, reason) => {
            order.push(`beforeShutdown:${reason}:${(ec.session as { closed: boolean }).closed}`);
            throw new Error('a failing shutdown hook does not stop the shutdown');
          },
        },
      ],
    });
    assert.equal(runtime.status, 'Unlock');
    const seen = statuses(runtime);
    await runtime.serverStarted('http://127.0.0.1:1');
    assert.deepEqual(order, [
      'beforeCreateEngineConn',
      'beforeExecutionExecute',
      'afterExecutionExecute',
      'afterEngineServerStartSuccess',
    ]);
    assert.equal(runtime.info().url, 'http://127.0.0.1:1');
    const exit = await runtime.shutdown('test over');
    assert.deepEqual(exit, { status: 'Success', reason: 'test over', exitCode: 0 });
    assert.equal(order.at(-1), 'beforeShutdown:test over:false', 'shutdown hooks run while the session is open');
    assert.deepEqual(seen, ['ShuttingDown', 'Success']);
  });

  test('a start failure rejects create with EC_ENGINE_START_FAILED and the cause', async () => {
    await assert.rejects(createTestRuntime({ options: { 'script.failStart': 'cannot reach the database' } }), (err) => {
      return (
        err instanceof EngineConnError &&
        err.code === 'EC_ENGINE_START_FAILED' &&
        /cannot reach/.test(err.message) &&
        err.cause instanceof Error
      );
    });
  });

  test('a bad runtime option fails create with EC_CONFIG_INVALID naming the key, before the session opens', async () => {
    let opened = 0;
    await assert.rejects(
      createTestRuntime({
        options: { 'ec.concurrency': 'many' },
        hooks: [{ beforeCreateEngineConn: () => void opened++ }],
      }),
      (err: unknown) =>
        err instanceof EngineConnError && err.code === 'EC_CONFIG_INVALID' && /ec\.concurrency/.test(err.message),
    );
    assert.equal(opened, 0);
  });

  test('a task runs to Succeed with its result set, statements and progress', async () => {
    const runtime = await createTestRuntime();
    const { id, status } = runtime.submit({ code: 'log hello\nrows 3' }, alice);
    assert.ok(['Scheduled', 'Running'].includes(status));
    const info = await finished(runtime, id);
    assert.equal(info.status, 'Succeed');
    assert.equal(info.progress, 1);
    assert.deepEqual(info.statements, { total: 2, current: 2 });
    assert.equal(info.resultSets.length, 1);
    assert.equal(info.resultSets[0]?.rowCount, 3);
    const view = runtime.getTask(id, alice);
    assert.deepEqual((await view.readLogs(0, 10)).lines, ['hello']);
    const events = await view.journal.read(0, 100);
    assert.deepEqual(
      events.filter((e) => e.event === 'status').map((e) => (e.data as { status: string }).status),
      ['Scheduled', 'Running', 'Succeed'],
    );
    assert.equal(events.at(-1)?.event, 'done');
    await runtime.shutdown();
  });

  test('an engine error fails the task with the engine message, once', async () => {
    const runtime = await createTestRuntime();
    const terminal: string[] = [];
    runtime.bus.on('executorCompleted', (e) => terminal.push(e.status));
    const { id } = runtime.submit({ code: 'fail syntax error at or near "selec"' }, alice);
    const info = await finished(runtime, id);
    assert.equal(info.status, 'Failed');
    assert.equal(info.error?.code, 'EC_ENGINE_ERROR');
    assert.match(info.error?.message ?? '', /selec/);
    assert.deepEqual(terminal, ['Failed']);
    await runtime.shutdown();
  });

  test("others' tasks are not found; admins see all", async () => {
    const runtime = await createTestRuntime();
    const { id } = runtime.submit({ code: 'log mine' }, alice);
    rejectsWith(() => runtime.getTask(id, bob), 'EC_TASK_NOT_FOUND');
    rejectsWith(() => runtime.kill(id, bob), 'EC_TASK_NOT_FOUND');
    assert.equal(runtime.listTasks(bob).length, 0);
    assert.equal(runtime.listTasks(alice).length, 1);
    assert.equal(runtime.getTask(id, root).owner, 'alice');
    rejectsWith(() => runtime.submit({ code: 'log x', runType: 'cobol' }, alice), 'EC_BAD_REQUEST');
    await runtime.shutdown();
  });

  test('kill cancels a running task only once the engine has stopped the work', async () => {
    const runtime = await createTestRuntime();
    const { id } = runtime.submit({ code: 'sleep 60000' }, alice);
    await waitFor(() => runtime.getTask(id, alice).info().status === 'Running');
    runtime.kill(id, alice);
    const info = await finished(runtime, id);
    assert.equal(info.status, 'Cancelled');
    assert.equal(info.error?.code, 'EC_TASK_CANCELLED');
    const { lines } = await runtime.getTask(id, alice).readLogs(0, 100);
    assert.ok(!lines.some((l) => l.includes('did not confirm the stop')), 'the engine stopped the sleep itself');
    runtime.kill(id, alice);
    assert.equal(runtime.getTask(id, alice).info().status, 'Cancelled');
    await runtime.shutdown();
  });

  test('a result set cut off by a kill is kept but marked truncated, never passed off as whole', async () => {
    const runtime = await createTestRuntime();
    const whole = runtime.submit({ code: 'rows 2' }, alice);
    const cut = runtime.submit({ code: 'open 3\nsleep 60000' }, alice);
    await waitFor(() => runtime.getTask(cut.id, alice).info().resultSets[0]?.rowCount === 3);
    runtime.kill(cut.id, alice);
    const cutInfo = await finished(runtime, cut.id);
    assert.equal(cutInfo.status, 'Cancelled');
    assert.equal(cutInfo.resultSets[0]?.truncated, true);
    assert.equal(cutInfo.resultSets[0]?.complete, true, 'nothing more will be written');
    const page = await runtime.getTask(cut.id, alice).results.readRows(0, 0, 10);
    assert.deepEqual(page.rows, [[0], [1], [2]], 'what was written is kept');
    const events = await runtime.getTask(cut.id, alice).journal.read(0, 100);
    const announced = events.find((e) => e.event === 'resultSet');
    assert.equal(announced?.event === 'resultSet' && announced.data.truncated, true);
    assert.equal((await finished(runtime, whole.id)).resultSets[0]?.truncated, undefined);
    await runtime.shutdown();
  });

  test('an engine that ignores the kill is ended by the backstop, and the log says so', async () => {
    const runtime = await createTestRuntime({ options: { 'ec.killGrace': '50ms' } });
    const { id } = runtime.submit({ code: 'hang 60000' }, alice);
    await waitFor(() => runtime.getTask(id, alice).info().status === 'Running');
    runtime.kill(id, alice);
    const info = await finished(runtime, id);
    assert.equal(info.status, 'Cancelled');
    const { lines } = await runtime.getTask(id, alice).readLogs(0, 100);
    assert.ok(lines.some((l) => l.includes('did not confirm the stop')));
    await runtime.shutdown();
  });

  test("the 'timeout' property ends a task Timeout", async () => {
    const runtime = await createTestRuntime();
    const { id } = runtime.submit({ code: 'sleep 60000', properties: { timeout: '100ms' } }, alice);
    const info = await finished(runtime, id);
    assert.equal(info.status, 'Timeout');
    assert.equal(info.error?.code, 'EC_TASK_TIMEOUT');
    rejectsWith(() => runtime.submit({ code: 'log x', properties: { timeout: 'soon' } }, alice), 'EC_BAD_REQUEST');
    await runtime.shutdown();
  });
});

describe('serial executor', () => {
  test('Busy while a task runs; a second task is refused with EC_BUSY', async () => {
    const runtime = await createTestRuntime({ executor: 'serial' });
    const seen = statuses(runtime);
    const { id } = runtime.submit({ code: 'sleep 200' }, alice);
    assert.equal(runtime.status, 'Busy');
    rejectsWith(() => runtime.submit({ code: 'log x' }, alice), 'EC_BUSY');
    await finished(runtime, id);
    await waitFor(() => runtime.status === 'Unlock');
    assert.deepEqual(seen, ['Busy', 'Unlock']);
    await runtime.shutdown();
  });

  test('a held lock admits only its own tasks, and Idle follows the lock', async () => {
    const runtime = await createTestRuntime({ executor: 'serial' });
    const { lock } = runtime.lock(alice, 60_000);
    assert.equal(runtime.status, 'Idle');
    rejectsWith(() => runtime.lock(bob), 'EC_BUSY');
    rejectsWith(() => runtime.submit({ code: 'log x' }, bob), 'EC_LOCK_INVALID');
    rejectsWith(() => runtime.submit({ code: 'log x', lock: 'lock-forged' }, bob), 'EC_LOCK_INVALID');
    const { id } = runtime.submit({ code: 'sleep 50', lock }, alice);
    assert.equal(runtime.status, 'Busy');
    await finished(runtime, id);
    await waitFor(() => runtime.status === 'Idle', { what: 'Idle again while the lock is held' });
    runtime.unlock(lock);
    assert.equal(runtime.status, 'Unlock');
    rejectsWith(() => runtime.unlock(lock), 'EC_LOCK_NOT_FOUND');
    rejectsWith(() => runtime.submit({ code: 'log x', lock }, alice), 'EC_LOCK_INVALID');
    await runtime.shutdown();
  });

  test('an expired lock returns the EngineConn to Unlock', async () => {
    const runtime = await createTestRuntime({ executor: 'serial' });
    runtime.lock(alice, 50);
    assert.equal(runtime.status, 'Idle');
    await waitFor(() => runtime.status === 'Unlock', { what: 'lock expiry' });
    runtime.submit({ code: 'log free again' }, bob);
    await runtime.shutdown();
  });
});

describe('concurrent executor', () => {
  test('runs up to the limit, queues up to queueLimit, refuses past that, Busy at the limit', async () => {
    const runtime = await createTestRuntime({ options: { 'ec.concurrency': '2', 'ec.queueLimit': '1' } });
    const seen = statuses(runtime);
    const a = runtime.submit({ code: 'sleep 60000' }, alice);
    assert.equal(runtime.status, 'Unlock');
    const b = runtime.submit({ code: 'sleep 60000' }, alice);
    assert.equal(runtime.status, 'Busy');
    const c = runtime.submit({ code: 'log queued' }, alice);
    assert.equal(c.status, 'Scheduled');
    assert.deepEqual(runtime.info().concurrency, { limit: 2, running: 2, queued: 1 });
    rejectsWith(() => runtime.submit({ code: 'log too many' }, alice), 'EC_BUSY');
    runtime.kill(c.id, alice);
    assert.equal((await finished(runtime, c.id)).status, 'Cancelled');
    runtime.kill(a.id, alice);
    runtime.kill(b.id, alice);
    await finished(runtime, b.id);
    await waitFor(() => runtime.status === 'Unlock');
    assert.deepEqual(seen, ['Busy', 'Unlock']);
    await runtime.shutdown();
  });

  test('queued tasks start in order as slots free', async () => {
    const runtime = await createTestRuntime({ options: { 'ec.concurrency': '1' } });
    const ids = [1, 2, 3].map((n) => runtime.submit({ code: `log ${n}` }, alice).id);
    const order: string[] = [];
    runtime.bus.on('taskStatusChanged', (e) => e.to === 'Running' && order.push(e.taskId));
    for (const id of ids) assert.equal((await finished(runtime, id)).status, 'Succeed');
    assert.deepEqual(order, ids.slice(1));
    await runtime.shutdown();
  });
});

describe('idle release and shutdown', () => {
  test('idle release never fires while a task runs, and fires after', async () => {
    const runtime = await createTestRuntime({ options: { 'ec.maxFreeTime': '100ms' } });
    const { id } = runtime.submit({ code: 'sleep 400' }, alice);
    const exit = await runtime.exited;
    const info = runtime.getTask(id, alice).info();
    assert.equal(info.status, 'Succeed');
    assert.ok(Date.parse(info.finishedAt ?? '') <= Date.now());
    assert.equal(exit.status, 'Success');
    assert.match(exit.reason, /idle release/);
  });

  test('shutdown refuses new work, drains within the grace period, then kills', async () => {
    const runtime = await createTestRuntime({ options: { 'ec.shutdownGrace': '100ms' } });
    const quick = runtime.submit({ code: 'sleep 20' }, alice);
    const slow = runtime.submit({ code: 'sleep 60000' }, alice);
    const stopping = runtime.shutdown('test');
    rejectsWith(() => runtime.submit({ code: 'log late' }, alice), 'EC_SHUTTING_DOWN');
    assert.equal(await runtime.shutdown(), await stopping, 'shutdown is idempotent');
    assert.equal(runtime.getTask(quick.id, alice).info().status, 'Succeed');
    assert.equal(runtime.getTask(slow.id, alice).info().status, 'Cancelled');
    assert.equal(runtime.status, 'Success');
  });

  test('UnHealthy refuses new tasks and releases once nothing runs', async () => {
    const runtime = await createTestRuntime();
    const health: string[] = [];
    runtime.bus.on('healthChanged', (e) => health.push(e.to));
    const { id } = runtime.submit({ code: 'sleep 100' }, alice);
    runtime.setHealth('UnHealthy');
    rejectsWith(() => runtime.submit({ code: 'log x' }, alice), 'EC_UNHEALTHY');
    const exit = await runtime.exited;
    assert.equal(runtime.getTask(id, alice).info().status, 'Succeed');
    assert.match(exit.reason, /UnHealthy/);
    assert.deepEqual(health, ['UnHealthy']);
  });
});

describe('once executor', () => {
  test('created Running → Busy → Success, exit 0', async () => {
    const runtime = await createTestRuntime({ executor: 'once' });
    assert.equal(runtime.status, 'Running');
    assert.equal(runtime.policy.name, 'once');
    const seen = statuses(runtime);
    runtime.submit({ code: 'rows 2' }, alice);
    rejectsWith(() => runtime.submit({ code: 'log again' }, alice), 'EC_BUSY');
    const exit = await runtime.exited;
    assert.deepEqual(seen, ['Busy', 'Success']);
    assert.equal(exit.exitCode, 0);
  });

  test('a failed job ends Failed, exit 1', async () => {
    const runtime = await createTestRuntime({ executor: 'once' });
    runtime.submit({ code: 'fail boom' }, alice);
    const exit = await runtime.exited;
    assert.equal(runtime.status, 'Failed');
    assert.equal(exit.exitCode, 1);
  });
});
