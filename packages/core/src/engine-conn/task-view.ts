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

export function createTaskView(task: EngineConnTask, onTouch: () => void): TaskView {
  task.touch();
  return {
    id: task.id,
    owner: task.owner,
    info: () => task.info(),
    readLogs: (from, limit) => task.log.read(from, limit),
    results: task.results,
    journal: task.journal,
    // A getter: the promise is derived only for a caller that awaits it, not for every view made.
    get finished() {
      return task.finished.then((status) => ({ ...task.info(), status }));
    },
    ended: task.finished,
    touch: () => {
      task.touch();
      onTouch();
    },
  };
}
