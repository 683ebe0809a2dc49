import type { LockGrant } from '@engineconn/protocol';
import type { Health, NodeStatus } from '@engineconn/protocol/constants';
import { EngineConnError } from '@engineconn/protocol/constants';
import type { EngineConnTask } from '../computation/engine-conn-task.js';
import type { ExecutorManager } from '../computation/executor-manager.js';
import type { SchedulingExecutor } from '../computation/executors/scheduling-executor.js';
import type { TaskAbortReason } from '../computation/task-abort.js';
import type { TaskExecutionService } from '../computation/task-execution-service.js';
import type { Caller, SubmitRequest, TaskInfo } from '../computation/task-types.js';
import type { EngineCreationContext } from '../context/engine-creation-context.js';
import { ShuttingDownError } from '../errors/errors.js';
import { AsyncListenerBus } from '../events/async-listener-bus.js';
import { type EngineConnEvents, forwardToAsyncBus } from '../events/engine-conn-events.js';
import { SyncListenerBus } from '../events/listener-bus.js';
import type { EngineLogger, EnginePlugin } from '../plugin/engine-plugin.js';
import type { EngineConnHandle } from '../plugin/hooks.js';
import { deriveNodeStatus, SERVING_STATUSES } from '../status/derive-node-status.js';
import { createNodeStatusMachine } from '../status/node-status.js';
import type { EngineConnInfo, RuntimeExit } from './engine-conn-info.js';
import { HookRunner } from './hook-runner.js';
import { type LifecyclePolicy, lifecyclePolicyFor } from './lifecycle-policy.js';
import { openSession, throwIfAbandoned, validateStart } from './open-session.js';
import { RuntimeLocks } from './runtime-locks.js';
import { RuntimeMonitors } from './runtime-monitors.js';
import { type CreateRuntimeOptions, type OpenedParts, type RuntimeOptions, silentLogger } from './runtime-options.js';
import type { RuntimeSettings } from './runtime-settings.js';
import { createTaskMachinery } from './task-machinery.js';
import { pageOfTasks, type TaskPage, type TaskPageQuery } from './task-pages.js';
import { createTaskView, type TaskView } from './task-view.js';

/**
 * One EngineConn: the engine session, the scheduling executor and task service, the lock, the
 * status machine and the monitors that drive it (overload, idle release), from start-up to exit.
 * The HTTP server, the CLI, once jobs and manager reports all work through this surface.
 *
 * It exists only whole: `EngineConnRuntime.create` validates the options and opens the session
 * first, so every part is there from the first call on, and a failed start leaves nothing open.
 */
export class EngineConnRuntime {
  readonly id: string;
  readonly context: EngineCreationContext;
  readonly plugin: EnginePlugin<unknown>;
  /** The runtime's options, read and checked before the session opened. */
  readonly settings: RuntimeSettings;
  /** Serve until shut down, or run one job (once executor): chosen by the executor at creation. */
  readonly policy: LifecyclePolicy;
  readonly bus: SyncListenerBus<EngineConnEvents>;
  readonly asyncBus: AsyncListenerBus<EngineConnEvents>;
  readonly exited: Promise<RuntimeExit>;
  readonly #logger: EngineLogger;
  readonly #hooks: HookRunner;
  readonly #machine = createNodeStatusMachine();
  readonly #monitors: RuntimeMonitors;
  readonly #lockApi: RuntimeLocks;
  readonly #executor: SchedulingExecutor;
  readonly #tasks: TaskExecutionService;
  readonly #executors: ExecutorManager;
  readonly #session: unknown;
  #sessionOpen = true;
  #url: string | undefined;
  #startedAt = Date.now();
  #stopping: Promise<RuntimeExit> | null = null;
  #resolveExit!: (exit: RuntimeExit) => void;

  /**
   * Validates the options, opens the engine's session (abandoned when `signal` aborts or
   * `ec.startTimeout` passes) and runs the start-up hooks; resolves with a serving EngineConn
   * (`Unlock`, or `Running` for once). On any failure it closes what it opened and rejects with
   * an EngineConnError (EC_CONFIG_INVALID, EC_ENGINE_START_FAILED, ...).
   */
  static async create(opts: RuntimeOptions, { signal }: CreateRuntimeOptions = {}): Promise<EngineConnRuntime> {
    const { plugin, context: ctx } = opts;
    const logger = opts.logger ?? silentLogger;
    const hooks = new HookRunner([...(plugin.hooks ? [plugin.hooks] : []), ...(opts.hooks ?? [])], logger);
    let session: { value: unknown } | null = null;
    let runtime: EngineConnRuntime | null = null;
    try {
      const settings = validateStart(plugin, ctx);
      session = { value: await openSession({ plugin, context: ctx, settings, hooks, logger, signal }) };
      const handle: EngineConnHandle = { id: ctx.id, engineType: plugin.name, session: session.value };
      await hooks.run('beforeExecutionExecute', (h) => h.beforeExecutionExecute?.(ctx, handle));
      runtime = new EngineConnRuntime(opts, { logger, hooks, settings, session: session.value });
      await hooks.run('afterExecutionExecute', (h) => h.afterExecutionExecute?.(ctx, handle));
      throwIfAbandoned(signal);
      runtime.#serve();
      return runtime;
    } catch (err) {
      const error = EngineConnError.from(err, 'EC_ENGINE_START_FAILED');
      logger.error({ err }, 'EngineConn failed to start');
      if (runtime) await runtime.#fail(`start-up failed: ${error.message}`);
      else if (session) {
        await plugin
          .closeSession(session.value)
          .catch((e: unknown) => logger.error({ err: e }, 'closing the engine session failed'));
      }
      throw error;
    }
  }

  private constructor(opts: RuntimeOptions, parts: OpenedParts) {
    this.plugin = opts.plugin;
    this.context = opts.context;
    this.id = opts.context.id;
    this.settings = parts.settings;
    this.policy = lifecyclePolicyFor(opts.context.executor);
    this.#logger = parts.logger;
    this.#hooks = parts.hooks;
    this.#session = parts.session;
    const onListenerError = (event: string, err: unknown) =>
      this.#logger.error({ err, event }, 'event listener failed');
    this.bus = new SyncListenerBus<EngineConnEvents>(onListenerError);
    this.asyncBus = new AsyncListenerBus<EngineConnEvents>(10_000, onListenerError);
    forwardToAsyncBus(this.bus, this.asyncBus);
    this.exited = new Promise<RuntimeExit>((resolve) => {
      this.#resolveExit = resolve;
    });
    this.#machine.onTransition((from, to, reason) => {
      this.#logger.info({ from, to, reason }, 'EngineConn status changed');
      this.bus.emit('nodeStatusChanged', { from, to, at: Date.now(), ...(reason ? { reason } : {}) });
    });
    const settings = parts.settings;
    this.#monitors = new RuntimeMonitors(settings, {
      lockChanged: () => {
        this.#monitors.touch();
        this.#refresh();
      },
      overloadChanged: () => this.#refresh(),
      healthChanged: (from, to, reason) => this.bus.emit('healthChanged', { from, to, at: Date.now(), reason }),
      nothingToDo: () => this.#nothingToDo(),
      idle: () => void this.shutdown('idle release: nothing ran for the configured max free time'),
    });
    const locks = this.#monitors.locks;
    this.#lockApi = new RuntimeLocks(locks, {
      executor: this.context.executor,
      owner: this.context.user,
      settings,
      running: () => this.#executor.running,
    });
    const machinery = createTaskMachinery({
      plugin: this.plugin,
      context: this.context,
      session: this.#session,
      settings,
      locks,
      bus: this.bus,
      logger: this.#logger,
      onLoadChanged: () => this.#refresh(),
      onActivity: () => this.#onTaskActivity(),
    });
    this.#executors = machinery.executors;
    this.#executor = machinery.executor;
    this.#tasks = machinery.tasks;
  }

  get status(): NodeStatus {
    return this.#machine.current;
  }

  get health(): Health {
    return this.#monitors.health.health;
  }

  get session(): unknown {
    return this.#session;
  }

  /** The last step of `create`: the monitors start and the EngineConn takes its serving status. */
  #serve(): void {
    this.#startedAt = Date.now();
    this.#monitors.start(this.plugin, this.#session, this.settings.overload.sampleIntervalMs, this.#logger);
    this.#machine.transition(this.policy.servingStatus, 'started');
  }

  async serverStarted(url: string): Promise<void> {
    this.#url = url;
    // Free time counts from when callers can reach the EngineConn, not from when its session opened.
    this.#monitors.touch();
    await this.#hooks.run('afterEngineServerStartSuccess', (h) =>
      h.afterEngineServerStartSuccess?.(this.context, this.#handle()),
    );
  }

  async serverFailed(error: Error): Promise<void> {
    await this.#hooks.runLogged('afterEngineServerStartFailed', (h) =>
      h.afterEngineServerStartFailed?.(this.context, error),
    );
    await this.#fail(`server failed to start: ${error.message}`);
  }

  async #fail(reason: string): Promise<void> {
    await this.#closeSession();
    this.#end('Failed', reason, 1);
  }

  info(): EngineConnInfo {
    const executor = this.#executor;
    const held = this.#monitors.locks.held;
    return {
      id: this.id,
      engineType: this.plugin.name,
      engineVersion: this.plugin.version,
      executor: this.context.executor,
      status: this.status,
      health: this.health,
      owner: this.context.user,
      labels: { ...this.context.labels },
      concurrency: { limit: this.settings.concurrency, running: executor.running, queued: executor.queued },
      overload: this.#monitors.overload.info(),
      startedAt: new Date(this.#startedAt).toISOString(),
      lastActivityAt: new Date(this.#monitors.lastActivityAt).toISOString(),
      pid: process.pid,
      ...(this.#url ? { url: this.#url } : {}),
      lock: held ? { held: true, expiresAt: new Date(held.expiresAt).toISOString() } : { held: false },
    };
  }

  submit(request: SubmitRequest, caller: Caller): TaskInfo {
    return this.#admit(request, caller).info();
  }

  /**
   * Submits and returns the task's view, as `getTask` would: what a caller that waits for the end
   * (the one-request route) reads, without the task's info built for the submit's answer too.
   */
  submitTask(request: SubmitRequest, caller: Caller): TaskView {
    return createTaskView(this.#admit(request, caller), () => this.#monitors.touch());
  }

  #admit(request: SubmitRequest, caller: Caller): EngineConnTask {
    if (this.#stopping || !SERVING_STATUSES.includes(this.status)) throw new ShuttingDownError();
    if (this.health === 'UnHealthy') {
      throw new EngineConnError(
        'EC_UNHEALTHY',
        'This EngineConn is marked UnHealthy and takes no new tasks; use another one.',
      );
    }
    return this.#tasks.submit(request, caller);
  }

  getTask(id: string, caller: Caller): TaskView {
    return createTaskView(this.#tasks.get(id, caller), () => this.#monitors.touch());
  }

  listTasks(caller: Caller): TaskInfo[] {
    return this.#tasks.list(caller).map((t) => t.info());
  }

  /** A page of the caller's tasks, newest first (`GET /api/v1/tasks?limit&after&status`). */
  pageTasks(caller: Caller, query: TaskPageQuery = {}): TaskPage {
    return pageOfTasks(this.#tasks.list(caller), query);
  }

  kill(id: string, caller: Caller): TaskInfo {
    const task = this.#tasks.get(id, caller);
    this.#tasks.kill(task, { kind: 'kill', by: caller.user });
    return task.info();
  }

  /** For in-process services (the caller watchdog): kill with a reason other than a caller's request. */
  killTask(task: EngineConnTask, reason: TaskAbortReason): void {
    this.#tasks.kill(task, reason);
  }

  /** Every task, for in-process services (watchdog, metrics); not for callers. */
  allTasks(): EngineConnTask[] {
    return this.#tasks.all();
  }

  /**
   * Takes the EngineConn's lock for `timeoutMs` (at most `ec.lockMaxTimeout`). Only the serial
   * executor enforces it (`enforced: false` elsewhere: the lock is granted and tasks ignore it).
   */
  lock(caller: Caller, timeoutMs?: number): LockGrant {
    if (this.#stopping) throw new ShuttingDownError();
    return this.#lockApi.lock(caller, timeoutMs);
  }

  /** Releases `lock`; EC_LOCK_NOT_FOUND if it is not the lock held now. */
  unlock(lock: string): void {
    this.#lockApi.unlock(lock);
  }

  /** Breaks whatever lock is held, for the EngineConn's owner or an admin; EC_LOCK_NOT_FOUND if none. */
  breakLock(caller: Caller): void {
    this.#lockApi.breakLock(caller);
  }

  setHealth(health: Health, reason?: string): void {
    this.#monitors.health.override(health, reason ?? 'manager override');
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
    this.#monitors.idle.close();
    if (this.#machine.canTransition('ShuttingDown')) this.#machine.transition('ShuttingDown', reason);
    const tasks = this.#tasks;
    const drained = await tasks.drain(this.settings.shutdownGraceMs);
    if (!drained) {
      this.#logger.warn(
        { graceMs: this.settings.shutdownGraceMs },
        'tasks still running after the grace period; killing them',
      );
    }
    await tasks.killAll();
    await this.#runShutdownHooks(reason);
    await this.#closeSession();
    const status = this.policy.shutdownStatus(tasks.all());
    this.#end(status, reason, status === 'Success' ? 0 : 1);
    return this.exited;
  }

  #end(status: 'Success' | 'Failed', reason: string, exitCode: number): void {
    this.#monitors.close();
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
      await this.#executors.closeAll();
      await this.plugin.closeSession(this.#session);
      await this.#tasks.close();
    } catch (err) {
      this.#logger.error({ err }, 'closing the engine session failed');
    }
  }

  /** Moves the NodeStatus to what the executor's load, the lock and health call for (docs/architecture.md). */
  #refresh(): void {
    const current = this.#machine.current;
    const target = deriveNodeStatus({
      executor: this.context.executor,
      current,
      stopping: this.#stopping !== null,
      running: this.#executor.running,
      full: this.#executor.full,
      lockHeld: this.#monitors.locks.held !== null,
      overloaded: this.#monitors.overload.overloaded,
      unhealthy: this.health === 'UnHealthy',
    });
    if (target !== current) this.#machine.transition(target);
    this.#releaseIfUnhealthy();
  }

  readonly #firstTask = (): EngineConnTask | undefined => this.#tasks.first();

  #onTaskActivity(): void {
    this.#monitors.touch();
    const job = this.policy.endedJob(this.#firstTask);
    if (job) void this.#finishWithJob(job);
  }

  /** Under the once policy: the EngineConn ends when its job has, with the job's outcome. */
  async #finishWithJob(job: EngineConnTask): Promise<void> {
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
    if (this.#monitors.health.markedUnhealthy && this.#nothingToDo() && !this.#stopping) {
      void this.shutdown('released: marked UnHealthy and no task is running');
    }
  }

  #nothingToDo(): boolean {
    return this.#executor.running === 0 && this.#executor.queued === 0;
  }

  #handle(): EngineConnHandle {
    return { id: this.id, engineType: this.plugin.name, session: this.#session };
  }

  async #runShutdownHooks(reason: string): Promise<void> {
    if (!this.#sessionOpen) return;
    await this.#hooks.runLogged('beforeShutdown', (h) => h.beforeShutdown?.(this.context, this.#handle(), reason));
  }
}
