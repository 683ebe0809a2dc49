import { mkdir } from 'node:fs/promises';
import { EngineConnError } from '@engineconn/protocol/constants';
import { IdleMonitor } from '../accessible/idle-monitor.js';
import { LockService } from '../accessible/lock-service.js';
import { OverloadMonitor } from '../accessible/overload-monitor.js';
import type { EngineConnTask } from '../computation/engine-conn-task.js';
import { createExecutor } from '../computation/executors/create-executor.js';
import type { SchedulingExecutor } from '../computation/executors/scheduling-executor.js';
import { TaskExecutionService } from '../computation/task-execution-service.js';
import type { Caller, SubmitRequest, TaskInfo } from '../computation/task-types.js';
import type { EngineCreationContext } from '../context/engine-creation-context.js';
import { BusyError, ConfigInvalidError, ShuttingDownError } from '../errors/errors.js';
import { AsyncListenerBus } from '../events/async-listener-bus.js';
import type { EngineConnEvents } from '../events/engine-conn-events.js';
import { SyncListenerBus } from '../events/listener-bus.js';
import type { EngineLogger, EnginePlugin } from '../plugin/engine-plugin.js';
import type { EngineConnHandle, EngineConnHooks } from '../plugin/hooks.js';
import type { Health } from '../status/health.js';
import { createNodeStatusMachine, type NodeStatus } from '../status/node-status.js';
import { parseDuration } from '../util/duration.js';
import type { EngineConnInfo, RuntimeExit } from './engine-conn-info.js';
import { ExecutorManager } from './executor-manager.js';
import { HealthTracker } from './health-tracker.js';
import { HookRunner } from './hook-runner.js';
import { checkOptionKeys } from './option-keys.js';
import { type RuntimeSettings, readRuntimeSettings } from './runtime-settings.js';
import { pageOfTasks, type TaskPage, type TaskPageQuery } from './task-pages.js';
import { createTaskView, type TaskView } from './task-view.js';

export interface RuntimeOptions {
  plugin: EnginePlugin<unknown>;
  context: EngineCreationContext;
  logger?: EngineLogger;
  /** Extra hooks (server-level), run after the plugin's own. */
  hooks?: EngineConnHooks[];
}

const silentLogger: EngineLogger = { debug() {}, info() {}, warn() {}, error() {} };
const ACTIVE: readonly NodeStatus[] = ['Unlock', 'Locked', 'Idle', 'Busy', 'Running'];

/**
 * One EngineConn: the engine session, the scheduling executor and task service, the lock, the
 * status machine and the monitors that drive it (overload, idle release), from start-up to exit.
 * The HTTP server, the CLI, once jobs and manager reports all work through this surface.
 */
export class EngineConnRuntime {
  readonly id: string;
  readonly context: EngineCreationContext;
  readonly plugin: EnginePlugin<unknown>;
  readonly bus: SyncListenerBus<EngineConnEvents>;
  readonly asyncBus: AsyncListenerBus<EngineConnEvents>;
  #settings: RuntimeSettings | null = null;
  readonly exited: Promise<RuntimeExit>;
  readonly #logger: EngineLogger;
  readonly #hooks: HookRunner;
  readonly #health: HealthTracker;
  readonly #machine = createNodeStatusMachine();
  // Created by start(), once the options are known to be valid.
  #locks: LockService | null = null;
  #overload: OverloadMonitor | null = null;
  #idle: IdleMonitor | null = null;
  #executor: SchedulingExecutor | null = null;
  #tasks: TaskExecutionService | null = null;
  #executors: ExecutorManager | null = null;
  #session: unknown;
  #sessionOpen = false;
  #url: string | undefined;
  #lastActivityAt = Date.now();
  #startedAt = Date.now();
  #stopping: Promise<RuntimeExit> | null = null;
  #resolveExit!: (exit: RuntimeExit) => void;

  constructor(opts: RuntimeOptions) {
    this.plugin = opts.plugin;
    this.context = opts.context;
    this.id = opts.context.id;
    this.#logger = opts.logger ?? silentLogger;
    this.#hooks = new HookRunner(
      [...(opts.plugin.hooks ? [opts.plugin.hooks] : []), ...(opts.hooks ?? [])],
      this.#logger,
    );
    const onListenerError = (event: string, err: unknown) =>
      this.#logger.error({ err, event }, 'event listener failed');
    this.bus = new SyncListenerBus<EngineConnEvents>(onListenerError);
    this.asyncBus = new AsyncListenerBus<EngineConnEvents>(10_000, onListenerError);
    this.#health = new HealthTracker(
      () => this.#overload?.overloaded ?? false,
      (from, to, reason) => this.bus.emit('healthChanged', { from, to, at: Date.now(), reason }),
    );
    // Everything published on the sync bus is also offered to async listeners, off the hot path.
    for (const event of [
      'nodeStatusChanged',
      'healthChanged',
      'taskStatusChanged',
      'taskProgress',
      'taskLog',
      'taskResultSet',
      'executorCompleted',
    ] as const) {
      this.bus.on(event, (payload) => this.asyncBus.emit(event, payload as never));
    }
    this.exited = new Promise<RuntimeExit>((resolve) => {
      this.#resolveExit = resolve;
    });
    this.#machine.onTransition((from, to, reason) => {
      this.#logger.info({ from, to, reason }, 'EngineConn status changed');
      this.bus.emit('nodeStatusChanged', { from, to, at: Date.now(), ...(reason ? { reason } : {}) });
    });
  }

  /** The runtime's options; available once start() has read them. */
  get settings(): RuntimeSettings {
    if (!this.#settings) throw new BusyError('The EngineConn is still starting; retry in a moment.');
    return this.#settings;
  }

  get status(): NodeStatus {
    return this.#machine.current;
  }

  get health(): Health {
    return this.#health.health;
  }

  get session(): unknown {
    return this.#session;
  }

  async start(): Promise<void> {
    const ctx = this.context;
    try {
      if (!this.plugin.executors.includes(ctx.executor)) {
        throw new ConfigInvalidError(
          `The ${this.plugin.name} engine cannot run under the ${ctx.executor} executor; use one of: ${this.plugin.executors.join(', ')}.`,
        );
      }
      checkOptionKeys(ctx, this.plugin);
      const settings = readRuntimeSettings(ctx, this.plugin);
      this.#settings = settings;
      this.#locks = new LockService(settings.lockTimeoutMs, () => {
        this.#touch();
        this.#refresh();
      });
      this.#overload = new OverloadMonitor(settings.overload, () => {
        this.#refresh();
        this.#health.recheck('overload');
      });
      this.#idle = new IdleMonitor(
        settings.maxFreeTimeMs,
        () => this.#nothingToDo(),
        () => void this.shutdown('idle release: nothing ran for the configured max free time'),
      );
      await mkdir(ctx.dataDir, { recursive: true });
      await this.#hooks.run('beforeCreateEngineConn', (h) => h.beforeCreateEngineConn?.(ctx));
      this.#session = await this.plugin.createSession(ctx, {
        concurrency: this.settings.concurrency,
        logger: this.#logger,
        signal: AbortSignal.timeout(this.settings.startTimeoutMs),
      });
      this.#sessionOpen = true;
      await this.#hooks.run('beforeExecutionExecute', (h) => h.beforeExecutionExecute?.(ctx, this.#handle()));
      this.#executors = new ExecutorManager(this.plugin, this.#session, ctx);
      this.#executor = createExecutor(ctx.executor, settings, this.#locks, () => this.#refresh());
      this.#tasks = new TaskExecutionService({
        executor: this.#executor,
        executors: this.#executors,
        bus: this.bus,
        logger: this.#logger,
        dataDir: ctx.dataDir,
        killGraceMs: this.settings.killGraceMs,
        log: this.settings.log,
        retention: this.settings.retention,
        onActivity: () => this.#onTaskActivity(),
      });
      await this.#hooks.run('afterExecutionExecute', (h) => h.afterExecutionExecute?.(ctx, this.#handle()));
      this.#startedAt = Date.now();
      this.#overload.start();
      const check = this.plugin.checkHealth;
      if (check) {
        this.#health.watchEngine(
          () => check.call(this.plugin, this.#session),
          settings.overload.sampleIntervalMs,
          this.#logger,
        );
      }
      this.#machine.transition(ctx.executor === 'once' ? 'Running' : 'Unlock', 'started');
      this.#idle.touch();
    } catch (err) {
      const error = EngineConnError.from(err, 'EC_ENGINE_START_FAILED');
      this.#logger.error({ err }, 'EngineConn failed to start');
      await this.#closeSession();
      this.#end('Failed', `start-up failed: ${error.message}`, 1);
      throw error;
    }
  }

  async serverStarted(url: string): Promise<void> {
    this.#url = url;
    // Free time counts from when callers can reach the EngineConn, not from when its session opened.
    this.#touch();
    await this.#hooks.run('afterEngineServerStartSuccess', (h) =>
      h.afterEngineServerStartSuccess?.(this.context, this.#handle()),
    );
  }

  async serverFailed(error: Error): Promise<void> {
    await this.#hooks.runLogged('afterEngineServerStartFailed', (h) =>
      h.afterEngineServerStartFailed?.(this.context, error),
    );
    await this.#closeSession();
    this.#end('Failed', `server failed to start: ${error.message}`, 1);
  }

  info(): EngineConnInfo {
    const executor = this.#executor;
    const held = this.#locks?.held;
    const settings = this.#settings;
    return {
      id: this.id,
      engineType: this.plugin.name,
      engineVersion: this.plugin.version,
      executor: this.context.executor,
      status: this.status,
      health: this.health,
      owner: this.context.user,
      labels: { ...this.context.labels },
      concurrency: {
        limit: settings?.concurrency ?? 0,
        running: executor?.running ?? 0,
        queued: executor?.queued ?? 0,
      },
      overload: this.#overload?.info() ?? OverloadMonitor.idleInfo(),
      startedAt: new Date(this.#startedAt).toISOString(),
      lastActivityAt: new Date(this.#lastActivityAt).toISOString(),
      pid: process.pid,
      ...(this.#url ? { url: this.#url } : {}),
      lock: held ? { held: true, expiresAt: new Date(held.expiresAt).toISOString() } : { held: false },
    };
  }

  submit(request: SubmitRequest, caller: Caller): TaskInfo {
    if (this.#stopping || !ACTIVE.includes(this.status)) throw notServing(this.status);
    if (this.health === 'UnHealthy') {
      throw new EngineConnError(
        'EC_UNHEALTHY',
        'This EngineConn is marked UnHealthy and takes no new tasks; use another one.',
      );
    }
    return this.#service().submit(request, caller).info();
  }

  getTask(id: string, caller: Caller): TaskView {
    return createTaskView(this.#service().get(id, caller), () => this.#touch());
  }

  listTasks(caller: Caller): TaskInfo[] {
    return this.#tasks ? this.#tasks.list(caller).map((t) => t.info()) : [];
  }

  /** A page of the caller's tasks, newest first (`GET /api/v1/tasks?limit&after&status`). */
  pageTasks(caller: Caller, query: TaskPageQuery = {}): TaskPage {
    return pageOfTasks(this.#tasks?.list(caller) ?? [], query);
  }

  kill(id: string, caller: Caller): TaskInfo {
    const task = this.#service().get(id, caller);
    this.#service().kill(task, 'kill');
    return task.info();
  }

  /** For the caller watchdog and once jobs: kill with a reason other than a caller's request. */
  killTask(task: EngineConnTask, reason: 'timeout' | 'caller' | 'kill'): void {
    this.#service().kill(task, reason);
  }

  /** Every task, for in-process services (watchdog, metrics); not for callers. */
  allTasks(): EngineConnTask[] {
    return this.#tasks?.all() ?? [];
  }

  /**
   * Takes the EngineConn's lock for `timeoutMs` (at most `ec.lockMaxTimeout`). Only the serial
   * executor enforces it (`enforced: false` elsewhere: the lock is granted and tasks ignore it).
   */
  lock(caller: Caller, timeoutMs?: number): { lock: string; expiresAt: string; enforced: boolean } {
    if (this.#stopping) throw new ShuttingDownError();
    if (timeoutMs !== undefined) {
      parseDuration(timeoutMs, 'timeoutMs', {
        max: this.settings.lockMaxTimeoutMs,
        maxName: 'ec.lockMaxTimeout',
        request: true,
      });
    }
    if (this.context.executor === 'serial' && (this.#executor?.running ?? 0) > 0) {
      throw new BusyError('A task is running; the lock can be taken when the EngineConn is free.');
    }
    const held = this.#lockService().tryLock(caller.user, timeoutMs ?? this.settings.lockTimeoutMs);
    if (!held)
      throw new BusyError('Another caller holds this EngineConn’s lock; retry after it is released or expires.');
    return {
      lock: held.lock,
      expiresAt: new Date(held.expiresAt).toISOString(),
      enforced: this.context.executor === 'serial',
    };
  }

  /** Releases `lock`; EC_LOCK_NOT_FOUND if it is not the lock held now. */
  unlock(lock: string): void {
    this.#lockService().unlock(lock);
  }

  /** Breaks whatever lock is held, for the EngineConn's owner or an admin; EC_LOCK_NOT_FOUND if none. */
  breakLock(caller: Caller): void {
    if (!caller.admin && caller.user !== this.context.user) {
      throw new EngineConnError('EC_FORBIDDEN', "Only the EngineConn's owner or an admin may break its lock.");
    }
    const held = this.#lockService().held;
    if (!held) throw new EngineConnError('EC_LOCK_NOT_FOUND', 'No lock is held on this EngineConn.');
    this.#lockService().unlock(held.lock);
  }

  setHealth(health: Health, reason?: string): void {
    this.#health.override(health, reason ?? 'manager override');
    this.#refresh();
    this.#releaseIfUnhealthy();
  }

  shutdown(reason = 'shutdown requested'): Promise<RuntimeExit> {
    if (this.#stopping) return this.#stopping;
    this.#stopping = this.#stop(reason);
    return this.#stopping;
  }

  async #stop(reason: string): Promise<RuntimeExit> {
    if (this.#machine.isTerminal()) return this.exited;
    this.#idle?.close();
    if (this.#machine.canTransition('ShuttingDown')) this.#machine.transition('ShuttingDown', reason);
    const tasks = this.#tasks;
    if (tasks) {
      const drained = await tasks.drain(this.settings.shutdownGraceMs);
      if (!drained) {
        this.#logger.warn(
          { graceMs: this.settings.shutdownGraceMs },
          'tasks still running after the grace period; killing them',
        );
      }
      await tasks.killAll('shutdown');
    }
    await this.#runShutdownHooks(reason);
    await this.#closeSession();
    const onceFailed = this.context.executor === 'once' && tasks?.all().some((t) => t.status !== 'Succeed');
    this.#end(onceFailed ? 'Failed' : 'Success', reason, onceFailed ? 1 : 0);
    return this.exited;
  }

  #end(status: 'Success' | 'Failed', reason: string, exitCode: number): void {
    this.#health.close();
    this.#overload?.close();
    this.#idle?.close();
    this.#locks?.close();
    if (this.#machine.canTransition(status)) this.#machine.transition(status, reason);
    else if (!this.#machine.isTerminal()) {
      this.#machine.transition('ShuttingDown', reason);
      this.#machine.transition(status, reason);
    }
    void this.asyncBus.close();
    this.#resolveExit({ status, reason, exitCode });
  }

  async #closeSession(): Promise<void> {
    if (!this.#sessionOpen) return;
    this.#sessionOpen = false;
    try {
      await this.#executors?.closeAll();
      await this.plugin.closeSession(this.#session);
      await this.#tasks?.close();
    } catch (err) {
      this.#logger.error({ err }, 'closing the engine session failed');
    }
  }

  /** Derives the NodeStatus from the executor's load, the lock and health (docs/architecture.md). */
  #refresh(): void {
    const current = this.#machine.current;
    const executor = this.#executor;
    if (!executor || !ACTIVE.includes(current) || this.#stopping) return;
    let target: NodeStatus;
    if (this.context.executor === 'once') target = executor.running > 0 ? 'Busy' : current;
    else if (this.context.executor === 'serial')
      target = executor.running > 0 ? 'Busy' : this.#locks?.held ? 'Idle' : 'Unlock';
    else target = executor.full || this.#overload?.overloaded || this.health === 'UnHealthy' ? 'Busy' : 'Unlock';
    if (target !== current) this.#machine.transition(target);
    this.#releaseIfUnhealthy();
  }

  #onTaskActivity(): void {
    this.#touch();
    const job = this.context.executor === 'once' ? this.#tasks?.all()[0] : undefined;
    if (job?.terminal) void this.#finishOnce(job);
  }

  async #finishOnce(job: EngineConnTask): Promise<void> {
    if (this.#stopping) return;
    this.#stopping = (async () => {
      await job.finished;
      await this.#runShutdownHooks(`once job ${job.status}`);
      await this.#closeSession();
      const ok = job.status === 'Succeed';
      this.#end(ok ? 'Success' : 'Failed', `once job ${job.status}`, ok ? 0 : 1);
      return this.exited;
    })();
  }

  #releaseIfUnhealthy(): void {
    if (this.#health.markedUnhealthy && this.#nothingToDo() && !this.#stopping) {
      void this.shutdown('released: marked UnHealthy and no task is running');
    }
  }

  #nothingToDo(): boolean {
    const executor = this.#executor;
    return !executor || (executor.running === 0 && executor.queued === 0);
  }

  #touch(): void {
    this.#lastActivityAt = Date.now();
    this.#idle?.touch();
  }

  #lockService(): LockService {
    if (!this.#locks) throw new BusyError('The EngineConn is still starting; retry in a moment.');
    return this.#locks;
  }

  #service(): TaskExecutionService {
    if (!this.#tasks) throw new BusyError('The EngineConn is still starting; retry in a moment.');
    return this.#tasks;
  }

  #handle(): EngineConnHandle {
    return { id: this.id, engineType: this.plugin.name, session: this.#session };
  }

  async #runShutdownHooks(reason: string): Promise<void> {
    if (!this.#sessionOpen) return;
    await this.#hooks.runLogged('beforeShutdown', (h) => h.beforeShutdown?.(this.context, this.#handle(), reason));
  }
}

/** Submitting while not serving: shutting down (503) or still starting (409). */
function notServing(status: NodeStatus): EngineConnError {
  return status === 'Starting'
    ? new BusyError('The EngineConn is still starting; retry in a moment.')
    : new ShuttingDownError();
}
