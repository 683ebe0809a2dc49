import type { ErrorBody } from '../errors/engine-conn-error.js';
import type { TaskStatus } from '../status/task-status.js';

export const RESULT_SET_TYPES = ['TABLE', 'TEXT', 'HTML', 'PICTURE'] as const;
export type ResultSetType = (typeof RESULT_SET_TYPES)[number];

export interface Column {
  name: string;
  /** The engine's own type name, e.g. `INTEGER`, `VARCHAR`, `text`. */
  type: string;
}

export interface ResultSetMeta {
  index: number;
  type: ResultSetType;
  columns?: Column[];
  /** Rows for TABLE; 0 for the other types. */
  rowCount: number;
  /** Bytes of TEXT / HTML / PICTURE content. */
  byteCount: number;
  /** PICTURE only, e.g. `image/png`. */
  mimeType?: string;
  /** False while the engine is still writing it. */
  complete: boolean;
  /**
   * True when the task ended (killed, failed, timed out) while the engine was still writing this
   * set: what was written is kept, but it is only a prefix of the result, never to be taken as whole.
   */
  truncated?: boolean;
}

/** Linkis' progressInfo entry: one stage or sub-job of a task. */
export interface ProgressInfo {
  id: string;
  totalTasks: number;
  runningTasks: number;
  failedTasks: number;
  succeedTasks: number;
}

/** What a caller sends to run code (`POST /api/v1/tasks`, docs/api.md). */
export interface SubmitRequest {
  code: string;
  lock?: string;
  runType?: string;
  properties?: Record<string, unknown>;
  labels?: Record<string, string>;
}

/** Who is asking: resolved by the server from the bearer token (or the EC owner on loopback). */
export interface Caller {
  user: string;
  admin: boolean;
}

/** A task as the API shows it (`GET /api/v1/tasks/:id`, docs/api.md). */
export interface TaskInfo {
  id: string;
  owner: string;
  status: TaskStatus;
  runType: string;
  progress: number;
  progressInfo: ProgressInfo[];
  statements: { total: number; current: number };
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  error?: ErrorBody;
  resultSets: ResultSetMeta[];
  labels: Record<string, string>;
  logLines: number;
}
