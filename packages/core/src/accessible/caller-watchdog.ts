import type { EngineConnTask } from '../computation/engine-conn-task.js';
import type { TaskAbortReason } from '../computation/task-abort.js';
import type { EngineCreationContext } from '../context/engine-creation-context.js';
import type { EngineLogger } from '../plugin/engine-plugin.js';
import { formatDuration } from '../util/duration.js';

/** The runtime surface the watchdog needs; structural so tests can drive it with a fake. */
export interface WatchedRuntime {
  readonly context: EngineCreationContext;
  allTasks(): EngineConnTask[];
  killTask(task: EngineConnTask, reason: TaskAbortReason): void;
}

export interface CallerWatchdogOptions {
  timeoutMs: number;
  /** How the timeout is written in the task's log (the flag's own spelling); default derived from ms. */
  label?: string;
  /** Default: a quarter of the timeout, between 50 ms and 1 s. */
  checkIntervalMs?: number;
  logger?: EngineLogger;
}

/** `ec.callerTimeout` / `--caller-timeout`. */
export const CALLER_TIMEOUT_OPTION = 'ec.callerTimeout';

/**
 * The upstream check Linkis lacked: a task nobody follows any more (its caller crashed or gave up)
 * should not hold the engine forever. A task counts as followed while an event stream is open on it
 * (its journal is being followed) or while callers ask about it (`task.lastTouchedAt`, set by every request that
 * names it). Once neither has happened for `timeoutMs`, the task is killed with EC_CALLER_GONE and its
 * log says why. The once executor has no remote caller, so it is never watched.
 */
export class CallerWatchdog {
  readonly #runtime: WatchedRuntime;
  readonly #timeoutMs: number;
  readonly #label: string;
  readonly #checkIntervalMs: number;
  readonly #logger: EngineLogger | undefined;
  /** When a check last saw each task with a stream open, so a stream's end restarts the clock. */
  readonly #lastFollowed = new WeakMap<EngineConnTask, number>();
  #timer: NodeJS.Timeout | null = null;
  killed = 0;

  constructor(runtime: WatchedRuntime, opts: CallerWatchdogOptions) {
    this.#runtime = runtime;
    this.#timeoutMs = opts.timeoutMs;
    this.#label = opts.label ?? formatDuration(opts.timeoutMs);
    this.#checkIntervalMs = opts.checkIntervalMs ?? Math.min(1000, Math.max(50, Math.floor(opts.timeoutMs / 4)));
    this.#logger = opts.logger;
  }

  /** A started watchdog when `ec.callerTimeout` is set to more than 0 (and the executor is not once), else null. */
  static fromOptions(runtime: WatchedRuntime, logger?: EngineLogger): CallerWatchdog | null {
    const ctx = runtime.context;
    const timeoutMs = ctx.duration(CALLER_TIMEOUT_OPTION, 0);
    if (timeoutMs <= 0 || ctx.executor === 'once') return null;
    const watchdog = new CallerWatchdog(runtime, {
      timeoutMs,
      label: ctx.string(CALLER_TIMEOUT_OPTION).trim(),
      ...(logger ? { logger } : {}),
    });
    watchdog.start();
    return watchdog;
  }

  start(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => this.check(), this.#checkIntervalMs);
    this.#timer.unref();
  }

  /** Kills every unfollowed task past the timeout; returns how many it killed. */
  check(now = Date.now()): number {
    let count = 0;
    for (const task of this.#runtime.allTasks()) {
      if (task.terminal || task.aborted) continue;
      // Every SSE / WebSocket stream follows the task's journal, so open streams count there.
      if (task.journal.followers > 0) {
        this.#lastFollowed.set(task, now);
        continue;
      }
      const lastSeen = Math.max(task.lastTouchedAt, this.#lastFollowed.get(task) ?? 0);
      if (now - lastSeen < this.#timeoutMs) continue;
      task.log.append(`[engineconn] killed: no caller followed this task for ${this.#label}`);
      this.#logger?.warn({ taskId: task.id, timeout: this.#label }, 'killing a task no caller follows');
      this.#runtime.killTask(task, { kind: 'caller' });
      count++;
    }
    this.killed += count;
    return count;
  }

  close(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }
}
