import type { TaskInfo, TaskList, TasksQuery } from '@engineconn/protocol';
import { TASK_PAGE_DEFAULT, TASK_PAGE_MAX, type TaskStatus } from '@engineconn/protocol/constants';
import { BadRequestError } from '../errors/errors.js';

export { TASK_PAGE_DEFAULT, TASK_PAGE_MAX } from '@engineconn/protocol/constants';

/** `GET /api/v1/tasks`' query: `limit` (1 to TASK_PAGE_MAX, default TASK_PAGE_DEFAULT), `after`, `status`. */
export type TaskPageQuery = Partial<TasksQuery>;

/** A page of `GET /api/v1/tasks`. */
export type TaskPage = TaskList;

/** A light view of a task for paging: its id, status, and how to build its full info. */
export interface PageableTask {
  readonly id: string;
  readonly status: TaskStatus;
  info(): TaskInfo;
}

/**
 * One page of `tasks` (newest first). Only the page's tasks are turned into TaskInfo, so listing
 * 10,000 retained tasks a page at a time costs a page, not the whole list.
 */
export function pageOfTasks(newestFirst: readonly PageableTask[], query: TaskPageQuery): TaskPage {
  const limit = query.limit ?? TASK_PAGE_DEFAULT;
  if (!Number.isInteger(limit) || limit < 1 || limit > TASK_PAGE_MAX) {
    throw new BadRequestError(`'limit' must be a whole number from 1 to ${TASK_PAGE_MAX}; got ${limit}.`);
  }
  const matching = query.status ? newestFirst.filter((t) => t.status === query.status) : newestFirst;
  let start = 0;
  if (query.after !== undefined) {
    const at = matching.findIndex((t) => t.id === query.after);
    if (at < 0) {
      throw new BadRequestError(
        `'after' names no task in this list ('${query.after}' is unknown, removed, or in another status); list again without it.`,
      );
    }
    start = at + 1;
  }
  const page = matching.slice(start, start + limit);
  const more = start + page.length < matching.length;
  return { tasks: page.map((t) => t.info()), next: more && page.length > 0 ? (page.at(-1)?.id ?? null) : null };
}
