import type { TaskInfo } from '@engineconn/core';

/** A job of the entrance: a task the manager submitted to one of its engines for a user. */
export interface JobRecord {
  id: string;
  user: string;
  engineId: string;
  taskId: string;
  createdAt: string;
  /** The task as it ended (or a synthesized Failed when its engine was lost); null while it runs. */
  final: TaskInfo | null;
}
