import type { ErrorBody, ProgressInfo, ResultSetMeta } from '@engineconn/protocol';
import type { Health, NodeStatus, TaskStatus, TerminalTaskStatus } from '@engineconn/protocol/constants';
import type { AsyncListenerBus } from './async-listener-bus.js';
import type { SyncListenerBus } from './listener-bus.js';

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

export type { TaskEvent, TaskEventData, TaskEventOf } from '@engineconn/protocol';
export { TASK_EVENT_NAMES, type TaskEventName } from '@engineconn/protocol/constants';

const FORWARDED = [
  'nodeStatusChanged',
  'healthChanged',
  'taskStatusChanged',
  'taskProgress',
  'taskLog',
  'taskResultSet',
  'executorCompleted',
] as const satisfies readonly (keyof EngineConnEvents)[];

/** Offers everything published on the sync bus to async listeners too, off the hot path. */
export function forwardToAsyncBus(
  bus: SyncListenerBus<EngineConnEvents>,
  asyncBus: AsyncListenerBus<EngineConnEvents>,
): void {
  for (const event of FORWARDED) bus.on(event, (payload) => asyncBus.emit(event, payload as never));
}
