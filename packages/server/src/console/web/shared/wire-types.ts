import type { EngineConnClient, ManagerClient, TablePage, TextPage } from '@engineconn/client';

// The wire types the consoles read, derived from the SDK's typed calls (type-only: nothing of the
// SDK's Node side reaches the bundle).

export type { EventSocketItem, LogPage, TaskEventMessage, TaskRef, TypedTaskEvent } from '@engineconn/client';

export type EngineConnInfo = Awaited<ReturnType<EngineConnClient['info']>>;
export type TaskInfo = Awaited<ReturnType<EngineConnClient['task']>>;
export type TaskStatus = TaskInfo['status'];
export type ErrorBody = NonNullable<TaskInfo['error']>;
export type ResultSetMeta = Awaited<ReturnType<EngineConnClient['results']>>[number];
export type Column = NonNullable<ResultSetMeta['columns']>[number];
export type SubmitRequest = Exclude<Parameters<EngineConnClient['submit']>[0], string>;
export type RowsPage = Omit<TablePage, 'kind'>;
export type TextResult = Omit<TextPage, 'kind'>;
export type TaskList = { tasks: TaskInfo[]; next: string | null };
export type ErrorResponse = { error: ErrorBody };

export type Engine = Awaited<ReturnType<ManagerClient['engines']>>[number];
export type JobRequest = Parameters<ManagerClient['submit']>[0];
export type JobRef = Awaited<ReturnType<ManagerClient['submit']>>['job'];
export type JobView = TaskInfo & { engineId: string; taskId: string };
export type JobList = {
  jobs: { id: string; engineId: string; taskId: string; createdAt: string; status: TaskStatus | null }[];
};
