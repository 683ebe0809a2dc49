import { mkdirSync } from 'node:fs';
import type { ErrorBody } from '@engineconn/protocol';
import {
  type EngineConnError,
  isTerminalTaskStatus,
  type TaskStatus,
  type TerminalTaskStatus,
} from '@engineconn/protocol/constants';
import type { EngineConnEvents } from '../events/engine-conn-events.js';
import type { SyncListenerBus } from '../events/listener-bus.js';
import { TaskEventJournal } from '../events/task-event-journal.js';
import { TaskLog } from '../logs/task-log.js';
import { TaskResults } from '../results/task-results.js';
import { createTaskStatusMachine } from '../status/task-status.js';
import { atEndOfTick } from '../util/end-of-tick.js';
import { isoTime } from '../util/iso-time.js';
import { TaskAbortError, type TaskAbortReason } from './task-abort.js';
import type { ProgressInfo, TaskInfo } from './task-types.js';

export interface EngineConnTaskInit {
  id: string;
  owner: string;
  code: string;
  runType: string;
  lock?: string | undefined;
  /** The `timeout` property in milliseconds, parsed once at submit; 0 = none. */
  timeoutMs?: number;
  properties: Record<string, unknown>;
  labels: Record<string, string>;
  dir: string;
  log: { memoryLines: number; maxLines: number; maxChars: number };
  bus: SyncListenerBus<EngineConnEvents>;
}

function noop(): void {}

/** The progress info of a task that reported none: one frozen array shared, not an empty one per task. */
const NO_PROGRESS_INFO: ProgressInfo[] = Object.freeze([]) as unknown as ProgressInfo[];

const iso = (ms: number | undefined): string | null => (ms === undefined ? null : isoTime(ms));

const count = (n: unknown): number => (typeof n === 'number' && Number.isFinite(n) ? n : 0);

/**
 * An engine's progress entries as the wire has them (ProgressInfoSchema): its five keys, no other.
 * An engine written in JavaScript may pass more or fewer; every reader (a task's JSON, its events,
 * the one-request answer) then sees the same entries, each valid.
 */
function progressEntries(info: readonly ProgressInfo[]): ProgressInfo[] {
  return info.map((entry) => ({
    id: String(entry?.id ?? ''),
    totalTasks: count(entry?.totalTasks),
    runningTasks: count(entry?.runningTasks),
    failedTasks: count(entry?.failedTasks),
    succeedTasks: count(entry?.succeedTasks),
  }));
}

/** A function `onAbort` calls once when the task is aborted. */
export type AbortListener = (reason: TaskAbortError) => void;

/**
 * One task (Linkis' EngineConnTask): its request, status machine, log, result sets and event journal,
 * and the one AbortSignal the engine gets. Every change is published twice: on
 * the EngineConn's bus (metrics, manager, WebSocket fan-out) and in the task's journal (replay).
 * Its state is read-only from outside: the status moves only through the guarded `transition()`,
 * the signal only through `abort()`.
 */
export class EngineConnTask {
  readonly id: string;
  readonly owner: string;
  readonly code: string;
  readonly runType: string;
  readonly lock: string | undefined;
  readonly timeoutMs: number;
  readonly properties: Record<string, unknown>;
  readonly labels: Record<string, string>;
  readonly dir: string;
  readonly createdAt = Date.now();
  readonly log: TaskLog;
  readonly results: TaskResults;
  readonly journal: TaskEventJournal;
  /**
   * Made when an engine first reads `signal`: Node 20's AbortController and its listeners cost the
   * main thread about 10 µs per task, and an engine that only needs to hear of the abort uses
   * `aborted` and `onAbort`, which are a field and a list.
   */
  #controller: AbortController | null = null;
  /** The first abort, kept: reading it back through the signal's getters cost more. */
  #abortReason: TaskAbortReason | null = null;
  #abortError: TaskAbortError | null = null;
  #abortListeners: AbortListener[] | null = null;
  #startedAt: number | undefined;
  #finishedAt: number | undefined;
  #failure: EngineConnError | undefined;
  #error: ErrorBody | undefined;
  #progress = 0;
  #progressInfo: ProgressInfo[] = NO_PROGRESS_INFO;
  /** Two numbers, not an object replaced at every statement: one less object per task and per statement. */
  #statementsTotal = 0;
  #statementsCurrent = 0;
  #lastTouchedAt = Date.now();
  readonly #machine = createTaskStatusMachine();
  readonly #bus: SyncListenerBus<EngineConnEvents>;
  /** A progress change not yet published, and whether its publication is queued for the end of the tick. */
  #progressDue = false;
  #progressQueued = false;
  #workDir = false;
  #explicitProgress = false;
  /** The resolver of `finished`, dropped once called: a finished task is kept without it. */
  #settled: (status: TerminalTaskStatus) => void = noop;
  /** Resolves with the terminal status once the task has reached it. */
  readonly finished = new Promise<TerminalTaskStatus>((resolve) => {
    this.#settled = resolve;
  });

  constructor(init: EngineConnTaskInit) {
    this.id = init.id;
    this.owner = init.owner;
    this.code = init.code;
    this.runType = init.runType;
    this.lock = init.lock;
    this.timeoutMs = init.timeoutMs ?? 0;
    this.properties = init.properties;
    this.labels = init.labels;
    this.dir = init.dir;
    this.#bus = init.bus;
    this.log = new TaskLog({
      file: `${init.dir}/log.txt`,
      memoryLines: init.log.memoryLines,
      maxLines: init.log.maxLines,
      maxChars: init.log.maxChars,
      onBatch: (from, lines) => {
        this.journal.append('log', { from, lines });
        this.#bus.emit('taskLog', { taskId: this.id, owner: this.owner, from, lines });
      },
    });
    this.results = new TaskResults({
      dir: init.dir,
      onUpdated: (meta) => {
        if (!meta.complete) return;
        this.log.flush();
        this.journal.append('resultSet', meta);
        this.#bus.emit('taskResultSet', { taskId: this.id, owner: this.owner, resultSet: meta });
      },
    });
    this.journal = new TaskEventJournal({ log: this.log, since: this.createdAt });
  }

  /**
   * The task's working directory, made at the first call: most engines never ask, and a directory per
   * task is a file-system round trip (0.1-0.3 ms of CPU on a virtualised disk) trivial tasks cannot afford.
   */
  workDir(): string {
    if (!this.#workDir) {
      mkdirSync(this.dir, { recursive: true });
      this.#workDir = true;
    }
    return this.dir;
  }

  /** True when anything of the task may be on disk (its log file, a result file, its working directory). */
  get onDisk(): boolean {
    return this.#workDir || this.log.onDisk || this.results.onDisk;
  }

  get status(): TaskStatus {
    return this.#machine.current;
  }

  /**
   * The signal handed to the engine; its `reason` is a TaskAbortError once the task is aborted.
   * Made at the first read, already aborted when the task was.
   */
  get signal(): AbortSignal {
    if (!this.#controller) {
      this.#controller = new AbortController();
      if (this.#abortError) this.#controller.abort(this.#abortError);
    }
    return this.#controller.signal;
  }

  /** True once the task was aborted: `signal.aborted` without making the signal. */
  get aborted(): boolean {
    return this.#abortReason !== null;
  }

  /**
   * Calls `listener` once when the task is aborted (not at all if it already was: check `aborted`
   * first), as an `abort` listener on `signal` would, without making the signal. Returns the
   * function that removes it.
   */
  onAbort(listener: AbortListener): () => void {
    if (this.#abortReason !== null) return noop;
    this.#abortListeners ??= [];
    this.#abortListeners.push(listener);
    return () => {
      const listeners = this.#abortListeners;
      const at = listeners?.indexOf(listener) ?? -1;
      if (at >= 0) listeners?.splice(at, 1);
    };
  }

  /** Why the task was aborted, or null while it was not. */
  get abortReason(): TaskAbortReason | null {
    return this.#abortReason;
  }

  get startedAt(): number | undefined {
    return this.#startedAt;
  }

  get finishedAt(): number | undefined {
    return this.#finishedAt;
  }

  /** The terminal error, with what the engine threw as its `cause` (kept in-process, not on the wire). */
  get failure(): EngineConnError | undefined {
    return this.#failure;
  }

  /** The terminal error as the API shows it. */
  get error(): ErrorBody | undefined {
    return this.#error;
  }

  get progress(): number {
    return this.#progress;
  }

  /** Last time a caller asked about this task (for the caller watchdog). */
  get lastTouchedAt(): number {
    return this.#lastTouchedAt;
  }

  /** Marks that a caller asked about the task now. */
  touch(): void {
    this.#lastTouchedAt = Date.now();
  }

  get terminal(): boolean {
    return isTerminalTaskStatus(this.#machine.current);
  }

  /** Moves the task along its lifecycle; a terminal move also ends the journal with `done`. */
  transition(to: TaskStatus, failure?: EngineConnError): void {
    const from = this.#machine.current;
    this.#machine.transition(to);
    const at = Date.now();
    if (!this.journal.done) this.log.flush();
    if (to === 'Running') this.#startedAt = at;
    const error: ErrorBody | undefined = failure?.toJSON();
    const terminal = isTerminalTaskStatus(to);
    if (terminal) {
      this.#finishedAt = at;
      // No statement runs after the end: its (empty) listener list is not kept for the retention.
      this.#abortListeners = null;
      this.#failure = failure;
      this.#error = error;
      // Set, not scheduled: the task's last progress event is published now, below.
      if (to === 'Succeed' && this.#progress !== 1) {
        this.#progress = 1;
        this.#progressDue = true;
      }
      this.#flushProgress();
    }
    this.journal.appendStatus('status', to, at, error);
    this.#bus.emit(
      'taskStatusChanged',
      error
        ? { taskId: this.id, owner: this.owner, from, to, at, error }
        : { taskId: this.id, owner: this.owner, from, to, at },
    );
    if (terminal) {
      this.journal.appendStatus('done', to, at, error);
      this.#settled(to as TerminalTaskStatus);
      this.#settled = noop;
    }
  }

  /** Aborts the engine's work; the first reason wins. Returns false if already aborted. */
  abort(reason: TaskAbortReason): boolean {
    if (this.#abortReason !== null) return false;
    this.#abortReason = reason;
    const error = new TaskAbortError(reason);
    this.#abortError = error;
    this.#controller?.abort(error);
    // Taken off the list one at a time, not from a copy: a listener removed by one that ran before
    // it is not called, as on an AbortSignal (an engine's clean-up, run on the abort, may remove it).
    const listeners = this.#abortListeners;
    for (let next = listeners?.shift(); next; next = listeners?.shift()) this.#callAbortListener(next, error);
    this.#abortListeners = null;
    return true;
  }

  setProgress(value: number, info?: ProgressInfo[]): void {
    this.#explicitProgress = true;
    this.#setProgress(value, info && progressEntries(info));
  }

  setStatements(total: number): void {
    this.#statementsTotal = Math.max(0, Math.floor(total));
  }

  statementStarted(index: number): void {
    this.#statementsTotal = Math.max(this.#statementsTotal, index + 1);
    this.#statementsCurrent = index + 1;
    if (!this.#explicitProgress && this.#statementsTotal > 0) this.#setProgress(index / this.#statementsTotal);
  }

  info(): TaskInfo {
    return {
      id: this.id,
      owner: this.owner,
      status: this.status,
      runType: this.runType,
      progress: this.#progress,
      progressInfo: this.#progressInfo,
      statements: { total: this.#statementsTotal, current: this.#statementsCurrent },
      createdAt: isoTime(this.createdAt),
      startedAt: iso(this.#startedAt),
      finishedAt: iso(this.#finishedAt),
      ...(this.#error ? { error: this.#error } : {}),
      resultSets: this.results.list(),
      labels: this.labels,
      logLines: this.log.lineCount,
    };
  }

  /** A listener that throws must not keep the others from stopping their work, nor fail the kill. */
  #callAbortListener(listener: AbortListener, error: TaskAbortError): void {
    try {
      listener(error);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      this.log.append(`[engineconn] stopping the work failed in the engine: ${message}`);
    }
  }

  #setProgress(value: number, info?: ProgressInfo[]): void {
    const clamped = Number.isFinite(value) ? Math.min(1, Math.max(0, value)) : 0;
    if (clamped === this.#progress && !info) return;
    this.#progress = clamped;
    if (info) this.#progressInfo = info;
    // Engines may report progress thousands of times a second; publish at most once per tick.
    this.#progressDue = true;
    if (this.#progressQueued) return;
    this.#progressQueued = true;
    atEndOfTick(() => {
      this.#progressQueued = false;
      this.#flushProgress();
    });
  }

  #flushProgress(): void {
    if (!this.#progressDue || this.journal.done) return;
    this.#progressDue = false;
    this.log.flush();
    const data = { progress: this.#progress, progressInfo: this.#progressInfo };
    this.journal.append('progress', data);
    this.#bus.emit('taskProgress', { taskId: this.id, owner: this.owner, ...data });
  }
}
