import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Health, NodeStatus } from '@engineconn/protocol/constants';
import type { EngineCreationContext } from '../context/engine-creation-context.js';
import type { EngineConnInfo, RuntimeExit } from '../engine-conn/engine-conn-info.js';
import { AsyncListenerBus } from '../events/async-listener-bus.js';
import type { EngineConnEvents } from '../events/engine-conn-events.js';
import { SyncListenerBus } from '../events/listener-bus.js';
import type { ExecutorKind } from '../plugin/engine-plugin.js';
import { testCreationContext } from '../testing/creation-context.js';
import { attachManager, type ManagedRuntime, reportStartFailure } from './manager-service.js';
import { ReportReceiver } from './report-receiver.test-support.js';

/** Just enough of the runtime to drive the reports: statuses, task events, health, exit. */
class FakeRuntime {
  readonly id: string;
  readonly context: EngineCreationContext;
  readonly bus = new SyncListenerBus<EngineConnEvents>();
  readonly asyncBus = new AsyncListenerBus<EngineConnEvents>();
  readonly exited: Promise<RuntimeExit>;
  status: NodeStatus;
  health: Health = 'Healthy';
  running = 0;
  readonly shutdowns: string[] = [];
  #resolveExit!: (exit: RuntimeExit) => void;

  constructor(executor: ExecutorKind, status: NodeStatus, options: Record<string, string> = {}) {
    this.id = `ec-fake-${executor}`;
    this.status = status;
    this.context = testCreationContext({
      id: this.id,
      user: 'alice',
      engineType: 'duckdb',
      executor,
      labels: { engineType: 'duckdb-1.5', executor },
      options,
    });
    for (const event of ['nodeStatusChanged', 'healthChanged', 'taskStatusChanged'] as const) {
      this.bus.on(event, (payload) => this.asyncBus.emit(event, payload as never));
    }
    this.exited = new Promise((resolve) => {
      this.#resolveExit = resolve;
    });
  }

  info(): EngineConnInfo {
    return {
      id: this.id,
      engineType: 'duckdb',
      engineVersion: '1.5',
      executor: this.context.executor,
      status: this.status,
      health: this.health,
      owner: 'alice',
      labels: { ...this.context.labels },
      concurrency: { limit: 1, running: this.running, queued: 0 },
      overload: { maxMemory: 1e9, usedMemory: 5e7, systemCpuUsed: 0.1, systemLeftMemory: 1e9 },
      startedAt: new Date().toISOString(),
      lastActivityAt: new Date().toISOString(),
      pid: process.pid,
      url: 'http://127.0.0.1:7070',
    };
  }

  move(to: NodeStatus, reason?: string): void {
    const from = this.status;
    this.status = to;
    this.bus.emit('nodeStatusChanged', { from, to, at: Date.now(), ...(reason ? { reason } : {}) });
  }

  task(id: string, from: 'Scheduled' | 'Running', to: 'Running' | 'Succeed' | 'Failed', error?: string): void {
    this.running += to === 'Running' ? 1 : -1;
    this.bus.emit('taskStatusChanged', {
      taskId: id,
      owner: 'alice',
      from,
      to,
      at: Date.now(),
      ...(error ? { error: { code: 'EC_ENGINE_ERROR' as const, message: error } } : {}),
    });
  }

  setHealth(to: Health): void {
    const from = this.health;
    this.health = to;
    this.bus.emit('healthChanged', { from, to, at: Date.now() });
  }

  shutdown(reason: string): Promise<RuntimeExit> {
    this.shutdowns.push(reason);
    return this.exited;
  }

  end(status: 'Success' | 'Failed', reason: string): void {
    if (this.status !== 'Busy') this.move('ShuttingDown', reason);
    this.move(status, reason);
    void this.asyncBus.close();
    this.#resolveExit({ status, reason, exitCode: status === 'Success' ? 0 : 1 });
  }
}

const asRuntime = (fake: FakeRuntime) => fake as unknown as ManagedRuntime;

describe('attachManager', () => {
  let receiver: ReportReceiver;
  before(async () => {
    receiver = await new ReportReceiver().start();
  });
  after(() => receiver.close());

  test('an interactive life: register, every status, heartbeats with usage, then the release last', async () => {
    receiver.reports.length = 0;
    const ec = new FakeRuntime('serial', 'Unlock');
    const manager = attachManager(asRuntime(ec), { url: receiver.url, heartbeatIntervalMs: 40 });
    await receiver.waitFor(() => receiver.events().includes('status:Unlock'));
    ec.task('t1', 'Scheduled', 'Running');
    ec.move('Busy');
    await receiver.waitFor(() => receiver.events().includes('status:Busy'));
    await receiver.waitFor(() => receiver.reports.some((r) => r.event === 'heartbeat' && r.body.busyMs > 0));
    ec.task('t1', 'Running', 'Succeed');
    ec.move('Unlock');
    await receiver.waitFor(() => receiver.events().filter((e) => e === 'status:Unlock').length === 2);
    ec.setHealth('WARN');
    await receiver.waitFor(() => receiver.reports.some((r) => r.event === 'heartbeat' && r.body.health === 'WARN'));
    ec.end('Success', 'idle release');
    await ec.exited;
    await manager.close();

    const statuses = receiver.events().filter((e) => e.startsWith('status:'));
    assert.deepEqual(statuses, [
      'status:Unlock',
      'status:Busy',
      'status:Unlock',
      'status:ShuttingDown',
      'status:Success',
    ]);
    assert.equal(receiver.reports[0]?.event, 'register');
    assert.equal(receiver.reports[0]?.body.url, 'http://127.0.0.1:7070');
    assert.deepEqual(receiver.reports[0]?.body.labels, { engineType: 'duckdb-1.5', executor: 'serial' });
    const last = receiver.reports.at(-1);
    assert.equal(last?.event, 'release');
    assert.deepEqual(
      { status: last?.body.status, reason: last?.body.reason },
      { status: 'Success', reason: 'idle release' },
    );
    const finalBeat = receiver.reports.filter((r) => r.event === 'heartbeat').at(-1)?.body;
    assert.equal(finalBeat.status, 'Success');
    assert.ok(finalBeat.busyMs > 0 && finalBeat.idleMs > 0 && finalBeat.lockedMs === 0, JSON.stringify(finalBeat));
    assert.deepEqual(receiver.invalid, []);
    assert.equal(manager.reporter.stats.failures, 0);
  });

  test('a failed once job: Running, Busy, Failed, and the release carries the job error', async () => {
    receiver.reports.length = 0;
    const ec = new FakeRuntime('once', 'Running', { 'ec.heartbeatInterval': '1h' });
    const manager = attachManager(asRuntime(ec), { url: receiver.url });
    ec.task('job', 'Scheduled', 'Running');
    ec.move('Busy');
    ec.task('job', 'Running', 'Failed', 'Catalog Error: no such table');
    ec.end('Failed', 'once job Failed');
    await ec.exited;
    await manager.close();
    assert.deepEqual(receiver.events(), [
      'register',
      'status:Running',
      'status:Busy',
      'status:Failed',
      'heartbeat',
      'release',
    ]);
    assert.deepEqual(receiver.reports.at(-1)?.body.error, {
      code: 'EC_ENGINE_ERROR',
      message: 'Catalog Error: no such table',
    });
  });

  test('close() called before the exit reaction ran still waits for the release', async () => {
    receiver.reports.length = 0;
    const ec = new FakeRuntime('serial', 'Unlock');
    let manager: ReturnType<typeof attachManager> | undefined;
    // Registered before attachManager's own reaction, as a CLI awaiting `exited` early would be.
    const closed = ec.exited.then(() => manager?.close());
    manager = attachManager(asRuntime(ec), { url: receiver.url, heartbeatIntervalMs: 3_600_000 });
    ec.end('Success', 'shutdown requested');
    await closed;
    assert.equal(receiver.reports.at(-1)?.event, 'release');
  });

  test('reportStartFailure: register without a URL, Failed, and a release with the error', async () => {
    receiver.reports.length = 0;
    const ec = new FakeRuntime('concurrent', 'Failed');
    ec.info = () => ({ ...FakeRuntime.prototype.info.call(ec), url: undefined });
    const error = Object.assign(new Error("Option 'duckdb.threads' must be a number; got 'x'."), {
      code: 'EC_CONFIG_INVALID',
    });
    await reportStartFailure(asRuntime(ec), error, { url: receiver.url });
    assert.deepEqual(receiver.events(), ['register', 'status:Failed', 'release']);
    assert.equal(receiver.reports[0]?.body.url, null);
    assert.equal(receiver.reports[1]?.body.previous, 'Starting');
    assert.deepEqual(receiver.reports[2]?.body.error, { code: 'EC_CONFIG_INVALID', message: error.message });
    assert.equal(receiver.reports[2]?.body.status, 'Failed');
  });
});

describe('attachManager with a launching manager', () => {
  test('every report carries the secret the manager gave at launch', async () => {
    const receiver = await new ReportReceiver().start();
    const ec = new FakeRuntime('serial', 'Unlock');
    const manager = attachManager(asRuntime(ec), { url: receiver.url, heartbeatIntervalMs: 20, secret: 's3cret' });
    await receiver.waitFor(() => receiver.events().includes('heartbeat'));
    ec.end('Success', 'done');
    await ec.exited;
    await manager.close();
    await receiver.close();
    assert.ok(receiver.attempts.length >= 3);
    assert.deepEqual(new Set(receiver.attempts.map((a) => a.authorization)), new Set(['Bearer s3cret']));
  });

  test('--orphan-timeout: it shuts down once the manager stayed unreachable that long; without, never', async () => {
    const receiver = await new ReportReceiver().start();
    receiver.fallback = 503;
    const launched = new FakeRuntime('serial', 'Unlock', { 'ec.manager.orphanTimeout': '150ms' });
    const byHand = new FakeRuntime('serial', 'Unlock');
    const reporter = { backoffInitialMs: 10, backoffMaxMs: 20 };
    const opts = { url: receiver.url, heartbeatIntervalMs: 20, reporter, closeDeadlineMs: 50 };
    const a = attachManager(asRuntime(launched), opts);
    const b = attachManager(asRuntime(byHand), opts);
    await receiver.waitFor(() => launched.shutdowns.length > 0);
    assert.match(launched.shutdowns[0] as string, /unreachable/);
    assert.deepEqual(byHand.shutdowns, [], 'an EngineConn started by hand never stops for an absent manager');
    launched.end('Success', 'orphaned');
    byHand.end('Success', 'done');
    await Promise.all([a.close(), b.close()]);
    await receiver.close();
  });

  test('a manager that answers again resets the orphan clock', async () => {
    const receiver = await new ReportReceiver().start();
    const ec = new FakeRuntime('serial', 'Unlock', { 'ec.manager.orphanTimeout': '300ms' });
    receiver.script = [503, 503];
    const manager = attachManager(asRuntime(ec), {
      url: receiver.url,
      heartbeatIntervalMs: 20,
      reporter: { backoffInitialMs: 10, backoffMaxMs: 20 },
    });
    // Failures, then answers for longer than the timeout: the clock restarted at the first answer.
    await receiver.waitFor(() => receiver.reports.filter((r) => r.event === 'heartbeat').length >= 20, 10_000);
    assert.deepEqual(ec.shutdowns, []);
    ec.end('Success', 'done');
    await manager.close();
    await receiver.close();
  });
});
