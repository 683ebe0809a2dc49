import type {
  EngineConnInfo,
  LogPage,
  ResultSetList,
  RowsPage,
  SubmitRequest,
  TaskList,
  TaskRef,
  TextResult,
} from '@engineconn/protocol';
import type { ApiClient } from './shared/api-client.js';

/** The EngineConn routes the console calls (docs/api.md), each typed with its answer. */
export interface EngineConnApi {
  info(): Promise<EngineConnInfo>;
  tasks(limit: number): Promise<TaskList>;
  submit(request: SubmitRequest): Promise<TaskRef>;
  kill(taskId: string): Promise<TaskRef>;
  logs(taskId: string, from: number, limit: number): Promise<LogPage>;
  results(taskId: string): Promise<ResultSetList>;
  rows(taskId: string, index: number, offset: number, limit: number): Promise<RowsPage>;
  /** The first page of a TEXT or HTML set (at most 1 MiB): a huge text is never loaded whole. */
  text(taskId: string, index: number): Promise<TextResult>;
  picture(taskId: string, index: number): Promise<Blob>;
}

const task = (id: string) => `/api/v1/tasks/${encodeURIComponent(id)}`;

export function createEngineConnApi(api: ApiClient): EngineConnApi {
  return {
    info: () => api.get('/api/v1/engineconn'),
    tasks: (limit) => api.get(`/api/v1/tasks?limit=${limit}`),
    submit: (request) => api.post('/api/v1/tasks', request),
    kill: (taskId) => api.post(`${task(taskId)}/kill`),
    logs: (taskId, from, limit) => api.get(`${task(taskId)}/logs?from=${from}&limit=${limit}`),
    results: (taskId) => api.get(`${task(taskId)}/results`),
    rows: (taskId, index, offset, limit) => api.get(`${task(taskId)}/results/${index}?offset=${offset}&limit=${limit}`),
    text: (taskId, index) => api.get(`${task(taskId)}/results/${index}`),
    picture: (taskId, index) => api.blob(`${task(taskId)}/results/${index}`),
  };
}
