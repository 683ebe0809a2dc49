import type {
  Column,
  Health,
  ResultSetMeta,
  ResultSetType,
  TaskEvent,
  TaskEventName,
  TaskInfo,
  TaskStatus,
} from '@engineconn/core';

/** `POST /api/v1/tasks` and `POST /api/v1/tasks/:id/kill` answers. */
export interface TaskRef {
  id: string;
  status: TaskStatus;
}

/**
 * The first page of one result set, inline in a one-request answer: rows for TABLE, text for TEXT /
 * HTML (offsets in UTF-8 bytes), neither for PICTURE. `next` is where the result route continues,
 * null when the page is the whole set.
 */
export interface InlineResult {
  index: number;
  type: ResultSetType;
  columns?: Column[];
  rows?: unknown[][];
  text?: string;
  mimeType?: string;
  offset: number;
  next: number | null;
}

/** The 200 answer of `POST /api/v1/tasks?wait=`: the task, which ended in the wait, and its first pages. */
export type CompletedTask = TaskInfo & { results: InlineResult[] };

/** `GET /api/v1/tasks/:id/logs`. */
export interface LogPage {
  lines: string[];
  from: number;
  next: number;
  complete: boolean;
}

/** A page of a TABLE result set. `next` is null once the set is complete and this page reached its end. */
export interface TablePage {
  kind: 'table';
  columns: Column[];
  rows: unknown[][];
  offset: number;
  next: number | null;
}

/** A page of a TEXT or HTML result set; `offset` and `next` count UTF-8 bytes. */
export interface TextPage {
  kind: 'text';
  text: string;
  offset: number;
  /** The offset of the next page, or null once the set is complete and this page reached its end. */
  next: number | null;
}

/** A PICTURE result set. */
export interface BinaryPage {
  kind: 'binary';
  mimeType: string;
  bytes: Uint8Array;
}

export type ResultPage = TablePage | TextPage | BinaryPage;

/** One step of `TaskHandle.results()`: a page of rows, a text, or an image, with its result set. */
export type ResultChunk = ResultPage & { resultSet: ResultSetMeta };

export interface LockGrant {
  lock: string;
  expiresAt: string;
  /** False on executors that ignore locks (concurrent, async): holding it reserves nothing. */
  enforced: boolean;
}

export type { Health };

/**
 * A task event as a discriminated union: checking `event.event === 'log'` narrows `event.data` to the
 * log batch. Every value is also a plain `TaskEvent`.
 */
export type TypedTaskEvent = { [K in TaskEventName]: TaskEvent<K> }[TaskEventName];

/** An event of any task, as a multiplexed WebSocket delivers it. */
export type TaskEventMessage = TypedTaskEvent & { taskId: string };

/** An error the WebSocket server reports; `taskId` when it concerns one subscription. */
export interface EventErrorMessage {
  code: string;
  message: string;
  taskId?: string;
}
