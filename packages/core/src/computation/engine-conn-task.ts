import { mkdirSync } from 'node:fs';
import type { ErrorBody } from '@engineconn/protocol';
import type { EngineConnEvents } from '../events/engine-conn-events.js';
import type { SyncListenerBus } from '../events/listener-bus.js';
import { TaskEventJournal } from '../events/task-event-journal.js';
import { TaskLog } from '../logs/task-log.js';
import { TaskResults } from '../results/task-results.js';
import {
  createTaskStatusMachine,
  isTerminalTaskStatus,
  type TaskStatus,
  type TerminalTaskStatus,
} from '../status/task-status.js';
import type { ProgressInfo, TaskInfo } from './task-types.js';

export type AbortReason = 'kill' | 'timeout' | 'shutdown' | 'caller';

export interface EngineConnTaskInit {
  id: string;
  owner: string;
  code: string;
  runType: string;
  lock?: string;
  /** The `timeout` property in milliseconds, parsed once at submit; 0 = none. */
  timeoutMs?: number;
  properties: Record<string, unknown>;
  labels: Record<string, string>;
  dir: string;
  log: { memoryLines: number; maxLines: number; maxChars: number };
  bus: SyncListenerBus<EngineConnEvents>;
}

const iso = (ms: number | undefined): string | null => (ms === undefined ? null : new Date(ms).toISOString());

/**
 * One task (Linkis' EngineConnTask): its request, status machine, log, result sets and event journal,
 * and the one AbortController whose signal goes to the engine. Every change is published twice: on
 * the EngineConn's bus (metrics, manager, WebSocket fan-out) and in the task's journal (replay).
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
  readonly controller = new AbortController();
  startedAt: number | undefined;
  finishedAt: number | undefined;
  error: ErrorBody | undefined;
  abortReason: AbortReason | null = null;
  progress = 0;
  progressInfo: ProgressInfo[] = [];
  statements = { total: 0, current: 0 };
  /** Last time a caller asked about this task (for the caller watchdog). */
  lastTouchedAt = Date.now();
  readonly #machine = createTaskStatusMachine();
  readonly #bus: SyncListenerBus<EngineConnEvents>;
  #progressPending = false;
  #workDir = false;
  #explicitProgress = false;
  #settled!: (status: TerminalTaskStatus) => void;
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
    this.journal = new TaskEventJournal({ readLog: (from, limit) => this.log.read(from, limit) });
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

  get terminal(): boolean {
    return isTerminalTaskStatus(this.#machine.current);
  }

  /** Moves the task along its lifecycle; a terminal move also ends the journal with `done`. */
  transition(to: TaskStatus, error?: ErrorBody): void {
    const from = this.#machine.current;
    this.#machine.transition(to);
    const at = Date.now();
    if (!this.journal.done) this.log.flush();
    if (to === 'Running') this.startedAt = at;
    if (isTerminalTaskStatus(to)) {
      this.finishedAt = at;
      if (error) this.error = error;
      if (to === 'Succeed') this.#setProgress(1);
      this.#flushProgress();
    }
    this.journal.append('status', { status: to, at: new Date(at).toISOString(), ...(error ? { error } : {}) });
    this.#bus.emit('taskStatusChanged', {
      taskId: this.id,
      owner: this.owner,
      from,
      to,
      at,
      ...(error ? { error } : {}),
    });
    if (isTerminalTaskStatus(to)) {
      this.journal.append('done', { status: to, finishedAt: new Date(at).toISOString(), ...(error ? { error } : {}) });
      this.#settled(to);
    }
  }

  /** Aborts the engine's work; the first reason wins. Returns false if already aborted. */
  abort(reason: AbortReason): boolean {
    if (this.controller.signal.aborted) return false;
    this.abortReason = reason;
    this.controller.abort(new Error(`task ${reason}`));
    return true;
  }

  setProgress(value: number, info?: ProgressInfo[]): void {
    this.#explicitProgress = true;
    this.#setProgress(value, info);
  }

  setStatements(total: number): void {
    this.statements = { total: Math.max(0, Math.floor(total)), current: this.statements.current };
  }

  statementStarted(index: number): void {
    this.statements = { total: Math.max(this.statements.total, index + 1), current: index + 1 };
    if (!this.#explicitProgress && this.statements.total > 0) this.#setProgress(index / this.statements.total);
  }

  info(): TaskInfo {
    return {
      id: this.id,
      owner: this.owner,
      status: this.status,
      runType: this.runType,
      progress: this.progress,
      progressInfo: this.progressInfo,
      statements: { ...this.statements },
      createdAt: new Date(this.createdAt).toISOString(),
      startedAt: iso(this.startedAt),
      finishedAt: iso(this.finishedAt),
      ...(this.error ? { error: this.error } : {}),
      resultSets: this.results.list(),
      labels: this.labels,
      logLines: this.log.lineCount,
    };
  }

  #setProgress(value: number, info?: ProgressInfo[]): void {
    const clamped = Number.isFinite(value) ? Math.min(1, Math.max(0, value)) : 0;
    if (clamped === this.progress && !info) return;
    this.progress = clamped;
    if (info) this.progressInfo = info;
    // Engines may report progress thousands of times a second; publish at most once per tick.
    if (!this.#progressPending) {
      this.#progressPending = true;
      setImmediate(() => this.#flushProgress());
    }
  }

  #flushProgress(): void {
    if (!this.#progressPending || this.journal.done) return;
    this.#progressPending = false;
    this.log.flush();
    const data = { progress: this.progress, progressInfo: this.progressInfo };
    this.journal.append('progress', data);
    this.#bus.emit('taskProgress', { taskId: this.id, owner: this.owner, ...data });
  }
}
