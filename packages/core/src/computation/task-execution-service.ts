import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { TerminalTaskStatus } from '@engineconn/protocol/constants';
import { EngineConnError } from '@engineconn/protocol/constants';
import { BadRequestError, TaskNotFoundError } from '../errors/errors.js';
import type { EngineConnEvents } from '../events/engine-conn-events.js';
import type { SyncListenerBus } from '../events/listener-bus.js';
import type { EngineLogger } from '../plugin/engine-plugin.js';
import { parseDuration } from '../util/duration.js';
import { setLongTimeout } from '../util/long-timer.js';
import { createTaskContext } from './create-task-context.js';
import { EngineConnTask } from './engine-conn-task.js';
import type { ExecutorManager } from './executor-manager.js';
import type { SchedulingExecutor } from './executors/scheduling-executor.js';
import { checkRequestLimits } from './request-limits.js';
import { TaskAbortError, type TaskAbortReason } from './task-abort.js';
import { TaskRetention } from './task-retention.js';
import type { Caller, SubmitRequest } from './task-types.js';

export interface TaskServiceOptions {
  executor: SchedulingExecutor;
  executors: ExecutorManager;
  bus: SyncListenerBus<EngineConnEvents>;
  logger: EngineLogger;
  dataDir: string;
  killGraceMs: number;
  log: { memoryLines: number; maxLines: number; maxChars: number };
  /** How long a finished task stays visible, and how many finished tasks are kept at most. */
  retention: { ms: number; count: number };
  /** Called on every task start and end, for idle release and activity time. */
  onActivity: () => void;
}

/** Random bytes per task id: 9 bytes are 12 base64url characters, with no padding. */
const ID_BYTES = 9;
const ID_CHARS = 12;
const IDS_PER_POOL = 512;
let idPool = '';
let idAt = 0;

/**
 * A task id's random part, cut from a pool of random base64url text: one randomBytes() call per
 * task was 2% of the CPU, and encoding each id's own bytes was a Buffer and a string per task.
 */
function taskIdText(): string {
  if (idAt + ID_CHARS > idPool.length) {
    idPool = randomBytes(ID_BYTES * IDS_PER_POOL).toString('base64url');
    idAt = 0;
  }
  idAt += ID_CHARS;
  return idPool.slice(idAt - ID_CHARS, idAt);
}

/** The properties or labels of a task that has none: one shared, frozen object, not one per task. */
const NO_ENTRIES: Readonly<Record<string, never>> = Object.freeze({});

const SHUTDOWN: TaskAbortReason = { kind: 'shutdown' };

function terminalStatusOf(reason: TaskAbortReason): TerminalTaskStatus {
  return reason.kind === 'timeout' ? 'Timeout' : 'Cancelled';
}

/** The `timeout` property in milliseconds (0 = none), or EC_BAD_REQUEST saying what is expected. */
function timeoutMsOf(timeout: unknown): number {
  if (timeout === undefined) return 0;
  if (typeof timeout !== 'number' && typeof timeout !== 'string') {
    throw new BadRequestError("properties.timeout must be a duration such as '30s' or a number of milliseconds.");
  }
  return parseDuration(timeout, 'properties.timeout', { request: true });
}

/**
 * Linkis' TaskExecutionService: accepts tasks, tracks them by id and owner, runs them through the
 * scheduling executor and the engine, and kills them. Every task reaches exactly one terminal status.
 */
export class TaskExecutionService {
  readonly #tasks = new Map<string, EngineConnTask>();
  readonly #retention: TaskRetention<EngineConnTask>;
  readonly #forceSettle = new Map<EngineConnTask, () => void>();
  /** Where task directories go: joined once, not per task (path.join normalises every time). */
  readonly #tasksDir: string;

  constructor(private readonly opts: TaskServiceOptions) {
    this.#tasksDir = join(opts.dataDir, 'tasks');
    this.#retention = new TaskRetention({ ...opts.retention, evict: (task) => this.#evict(task) });
    opts.executor.bind((task) => this.#run(task));
  }

  get executor(): SchedulingExecutor {
    return this.opts.executor;
  }

  submit(request: SubmitRequest, caller: Caller): EngineConnTask {
    checkRequestLimits(request);
    const runType = this.opts.executors.resolveRunType(request.runType);
    const timeoutMs = timeoutMsOf(request.properties?.timeout);
    const id = `t-${taskIdText()}`;
    const task = new EngineConnTask({
      id,
      owner: caller.user,
      code: request.code,
      runType,
      timeoutMs,
      lock: request.lock,
      properties: request.properties ?? NO_ENTRIES,
      labels: request.labels ?? NO_ENTRIES,
      dir: `${this.#tasksDir}/${id}`,
      log: this.opts.log,
      bus: this.opts.bus,
    });
    // Registered before it is scheduled: scheduling publishes its first status change, and a
    // listener (a WebSocket following every task) must be able to look the task up from there.
    this.#tasks.set(id, task);
    try {
      this.opts.executor.submit(task);
    } catch (err) {
      // Refused before any status change was published: nobody has seen the task.
      this.#tasks.delete(id);
      void task.log.close().then(() => rm(task.dir, { recursive: true, force: true }));
      throw err;
    }
    this.opts.onActivity();
    return task;
  }

  /** The task if the caller may see it; others' tasks are reported as not found, not forbidden. */
  get(id: string, caller: Caller): EngineConnTask {
    const task = this.#tasks.get(id);
    if (!task || (task.owner !== caller.user && !caller.admin)) throw new TaskNotFoundError(id);
    return task;
  }

  list(caller: Caller): EngineConnTask[] {
    const visible = [...this.#tasks.values()].filter((t) => caller.admin || t.owner === caller.user);
    return visible.reverse();
  }

  all(): EngineConnTask[] {
    return [...this.#tasks.values()];
  }

  /** The first task still registered (the once executor's job). */
  first(): EngineConnTask | undefined {
    return this.#tasks.values().next().value;
  }

  /** Starts the kill; a queued task is Cancelled at once, a running one once its work has stopped. */
  kill(task: EngineConnTask, reason: TaskAbortReason): void {
    if (task.terminal) return;
    if (this.opts.executor.dequeue(task)) {
      task.abort(reason);
      const error = new TaskAbortError(reason);
      task.log.append(`[engineconn] ${error.message}`);
      void this.#finish(task, terminalStatusOf(reason), error);
      return;
    }
    if (!task.abort(reason)) return;
    task.log.append(`[engineconn] stopping the task (${reason.kind}); waiting for the engine to stop the work`);
    // Backstop for an engine that never confirms the stop: after its own escalation window, the
    // task is ended anyway so that it cannot hang the EngineConn, and the log says so.
    const backstop = setLongTimeout(
      () => {
        const settle = this.#forceSettle.get(task);
        if (!settle) return;
        task.log.append('[engineconn] the engine did not confirm the stop in time; the task is ended without it');
        this.opts.logger.warn({ taskId: task.id }, 'engine did not stop a killed task in time');
        settle();
      },
      this.opts.killGraceMs * 2 + 1000,
    );
    void task.finished.then(() => backstop.clear());
  }

  /** At shutdown: cancels queued tasks and kills running ones; resolves once all have ended. */
  async killAll(): Promise<void> {
    for (const task of this.opts.executor.drainQueue()) {
      task.abort(SHUTDOWN);
      await this.#finish(task, 'Cancelled', new TaskAbortError(SHUTDOWN));
    }
    const running = this.opts.executor.runningTasks();
    for (const task of running) this.kill(task, SHUTDOWN);
    await Promise.all(running.map((t) => t.finished));
    // The process is about to exit: a killed task's log must be on disk, not only in memory.
    for (const task of this.#tasks.values()) if (task.abortReason?.kind === 'shutdown') await task.log.persist();
  }

  /** Resolves once nothing is running or queued, or after `ms`; true if everything finished. */
  async drain(ms: number): Promise<boolean> {
    const pending = this.all().filter((t) => !t.terminal);
    if (pending.length === 0) return true;
    let resolveTimedOut: (value: false) => void = () => {};
    const timedOut = new Promise<false>((resolve) => {
      resolveTimedOut = resolve;
    });
    const timer = setLongTimeout(() => resolveTimedOut(false), ms);
    const done = Promise.all(pending.map((t) => t.finished)).then(() => true as const);
    const result = await Promise.race([done, timedOut]);
    timer.clear();
    return result;
  }

  async close(): Promise<void> {
    this.#retention.close();
    for (const task of this.#tasks.values()) await task.log.close();
  }

  async #run(task: EngineConnTask): Promise<void> {
    if (task.terminal) return;
    task.transition('Running');
    this.opts.onActivity();
    const { timeoutMs } = task;
    const timer =
      timeoutMs > 0 ? setLongTimeout(() => this.kill(task, { kind: 'timeout', timeoutMs }), timeoutMs) : undefined;
    let failure: unknown = null;
    try {
      await new Promise<void>((resolve, reject) => {
        // A kill's backstop settles it too (see kill()), for an engine that never stops.
        this.#forceSettle.set(task, resolve);
        this.#execute(task).then(resolve, reject);
      });
    } catch (err) {
      failure = err;
    } finally {
      timer?.clear();
      this.#forceSettle.delete(task);
    }
    const reason = task.abortReason;
    if (reason) {
      // What the engine threw while it stopped the work says how it stopped: kept as the cause.
      const error = new TaskAbortError(reason, failure ? { cause: failure } : undefined);
      await this.#finish(task, terminalStatusOf(reason), error);
    } else if (failure) {
      const error = EngineConnError.from(failure, 'EC_ENGINE_ERROR');
      task.log.append(`[engineconn] task failed: ${error.message}`);
      await this.#finish(task, 'Failed', error);
    } else await this.#finish(task, 'Succeed');
  }

  /** The engine's work on the task; no promise hop for the executor once it exists. */
  #execute(task: EngineConnTask): Promise<void> {
    const context = createTaskContext(task, task.owner, this.opts.killGraceMs);
    const executor = this.opts.executors.ready(task.runType);
    if (executor) return executor.execute(context);
    return this.opts.executors.get(task.runType).then((created) => created.execute(context));
  }

  async #finish(task: EngineConnTask, status: TerminalTaskStatus, failure?: EngineConnError): Promise<void> {
    // Results and log are made complete before the terminal status is published, so a caller that
    // sees `done` can read everything the task produced.
    await task.results.closeAll({ truncated: status !== 'Succeed' }).catch((err: unknown) => {
      this.opts.logger.error({ err, taskId: task.id }, 'closing result sets failed');
    });
    task.log.end();
    task.transition(status, failure);
    const error = task.error;
    const startedAt = task.startedAt ?? task.finishedAt ?? Date.now();
    const completed = {
      taskId: task.id,
      owner: task.owner,
      status,
      durationMs: (task.finishedAt ?? Date.now()) - startedAt,
      queueWaitMs: startedAt - task.createdAt,
    };
    this.opts.bus.emit('executorCompleted', error ? { ...completed, error } : completed);
    this.opts.onActivity();
    this.#retention.keep(task);
  }

  #evict(task: EngineConnTask): void {
    if (!this.#tasks.delete(task.id)) return;
    task.results.release();
    // A task that kept everything in memory has nothing on disk: no file-system call for it.
    if (task.onDisk) void task.log.close().then(() => rm(task.dir, { recursive: true, force: true }));
  }
}
