import type { ProgressInfo, ResultSetMeta } from '../computation/task-types.js';
import type { ErrorBody } from '../errors/engine-conn-error.js';
import type { Health } from '../status/health.js';
import type { NodeStatus } from '../status/node-status.js';
import type { TaskStatus, TerminalTaskStatus } from '../status/task-status.js';

/** The events of one EngineConn, for both the sync and the async listener bus. */
export interface EngineConnEvents {
  nodeStatusChanged: { from: NodeStatus; to: NodeStatus; at: number; reason?: string };
  healthChanged: { from: Health; to: Health; at: number; reason?: string };
  taskStatusChanged: {
    taskId: string;
    owner: string;
    from: TaskStatus;
    to: TaskStatus;
    at: number;
    error?: ErrorBody;
  };
  taskProgress: { taskId: string; owner: string; progress: number; progressInfo: ProgressInfo[] };
  /** A batch of consecutive log lines: `lines[i]` has sequence number `from + i`. */
  taskLog: { taskId: string; owner: string; from: number; lines: string[] };
  taskResultSet: { taskId: string; owner: string; resultSet: ResultSetMeta };
  executorCompleted: {
    taskId: string;
    owner: string;
    status: TerminalTaskStatus;
    durationMs: number;
    queueWaitMs: number;
    error?: ErrorBody;
  };
}

/** The per-task events pushed to callers over SSE and WebSocket (docs/api.md#task-events). */
export const TASK_EVENT_NAMES = ['status', 'progress', 'log', 'resultSet', 'done'] as const;
export type TaskEventName = (typeof TASK_EVENT_NAMES)[number];

export interface TaskEventData {
  status: { status: TaskStatus; at: string; error?: ErrorBody };
  progress: { progress: number; progressInfo: ProgressInfo[] };
  log: { from: number; lines: string[] };
  resultSet: ResultSetMeta;
  done: { status: TerminalTaskStatus; error?: ErrorBody; finishedAt: string };
}

export interface TaskEventOf<K extends TaskEventName> {
  /** Per-task sequence number, starting at 1; `Last-Event-ID` / `after` resume after it. */
  seq: number;
  event: K;
  data: TaskEventData[K];
}

/** A per-task event; checking `event` narrows `data`. */
export type TaskEvent<K extends TaskEventName = TaskEventName> = { [E in K]: TaskEventOf<E> }[K];
