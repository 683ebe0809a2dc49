import type { TerminalTaskStatus } from '@engineconn/protocol/constants';
import type { EngineConnTask } from '../computation/engine-conn-task.js';
import type { TaskInfo } from '../computation/task-types.js';
import type { TaskEventJournal } from '../events/task-event-journal.js';
import type { TaskResults } from '../results/task-results.js';

/** What a caller may read of one task: its info, log, results and events. */
export interface TaskView {
  readonly id: string;
  readonly owner: string;
  info(): TaskInfo;
  readLogs(from: number, limit: number): Promise<{ lines: string[]; from: number; next: number; complete: boolean }>;
  readonly results: TaskResults;
  readonly journal: TaskEventJournal;
  /**
   * Resolves with the task's terminal info once results and log are complete and `done` is
   * published: what a caller in the same process awaits instead of polling the status.
   */
  readonly finished: Promise<TaskInfo & { status: TerminalTaskStatus }>;
  /** The same moment as `finished`, with the terminal status only: for a caller that reads `info()` after. */
  readonly ended: Promise<TerminalTaskStatus>;
  /** Marks caller activity (for --caller-timeout and idle release). */
  touch(): void;
}

/** A class, not an object literal: its getter and methods live on the prototype, not on every view made. */
class EngineTaskView implements TaskView {
  readonly id: string;
  readonly owner: string;
  readonly results: TaskResults;
  readonly journal: TaskEventJournal;
  readonly ended: Promise<TerminalTaskStatus>;
  readonly #task: EngineConnTask;
  readonly #onTouch: () => void;

  constructor(task: EngineConnTask, onTouch: () => void) {
    this.#task = task;
    this.#onTouch = onTouch;
    this.id = task.id;
    this.owner = task.owner;
    this.results = task.results;
    this.journal = task.journal;
    this.ended = task.finished;
  }

  info(): TaskInfo {
    return this.#task.info();
  }

  readLogs(from: number, limit: number): ReturnType<TaskView['readLogs']> {
    return this.#task.log.read(from, limit);
  }

  // A getter: the promise is derived only for a caller that awaits it, not for every view made.
  get finished(): Promise<TaskInfo & { status: TerminalTaskStatus }> {
    return this.#task.finished.then((status) => ({ ...this.#task.info(), status }));
  }

  touch(): void {
    this.#task.touch();
    this.#onTouch();
  }
}

export function createTaskView(task: EngineConnTask, onTouch: () => void): TaskView {
  task.touch();
  return new EngineTaskView(task, onTouch);
}
